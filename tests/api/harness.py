"""harness.py: what the API tests share.

Each test file starts the real hatd on a loopback port with a fresh database
(made by `hatctl init`, and `hatctl demo` where handy), drives it over HTTP
with the test clock, checks status, error code and what the database holds,
and stops it with SIGTERM, checking that it exits 0.

Tests read like scripts: a list of steps, each a request with the status and
error code it must get, able to refer to what an earlier step created:

    steps = [
        login("nurse logs in", "nurse", "nurse.patel", NURSE_PW),
        step("nurse adds a patient", "POST", "/api/v1/patients", as_="nurse",
             body={..., "premises_id": Ref("premises")}, status=201,
             save={"pid": "id"}),
        step("and reads it back", "GET", "/api/v1/patients/{pid}", as_="nurse",
             status=200, expect={"id": Ref("pid")}),
    ]
    run_steps(t, steps)

Paths and header values are formatted with the names saved so far
("{pid}"); inside a body or an expectation, Ref("pid") stands for the saved
value itself (so an id stays a number).  Every request step is one check; a
step that only sets the scene (clock(), note()) is not counted as a pass,
though its failure is a failure.  The final line a test prints is exactly
"N passed, M failed"; a test that made no check at all fails.

Python 3 standard library only.
"""

import argparse
import datetime
import http.client
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback

import pgstore

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
WEB = os.path.join(REPO, "web")

# Every wait and every request is bounded.
REQUEST_TIMEOUT = 15.0
START_TIMEOUT = 15.0
STOP_TIMEOUT = 20.0
TEST_TIMEOUT = 180  # a whole test file, as a last resort

ADMIN = "admin"
ADMIN_PW = "admin-pass-0001"
# The demo clinic's logins (see src/cli/demo.c).
DEMO_PW = {
    "dr.okafor": "demo-prescriber-pass",
    "nurse.patel": "demo-nurse-pass",
    "nurse.byrne": "demo-nurse-pass",
    "pharm.lindqvist": "demo-pharmacist-pass",
    "kw.mensah": "demo-keyworker-pass",
    "mgr.hughes": "demo-manager-pass",
    "cdao.fraser": "demo-cdao-pass",
    "audit.silva": "demo-auditor-pass",
    "admin.demo": "demo-admin-pass",
}

# The demo's staff, for tests that need its logins but not its clinic.
DEMO_STAFF = [
    ("dr.okafor", "Dr Adaeze Okafor", "prescriber"),
    ("nurse.patel", "Priya Patel", "nurse"),
    ("nurse.byrne", "Ciaran Byrne", "nurse"),
    ("pharm.lindqvist", "Maja Lindqvist", "pharmacist"),
    ("kw.mensah", "Kwame Mensah", "keyworker"),
    ("mgr.hughes", "Rhiannon Hughes", "manager"),
    ("cdao.fraser", "Alasdair Fraser", "cdao"),
    ("audit.silva", "Beatriz Silva", "auditor"),
    ("admin.demo", "Clinic Administrator", "admin"),
]

# A valid NHS number (the one in the NHS's own examples) and its grouping.
NHS_VALID = "9434765919"
NHS_VALID_GROUPED = "943 476 5919"
NHS_BAD_CHECK = "9434765918"


# What a sanitizer writes when it finds something.
SANITIZER_REPORTS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                     "WARNING: ThreadSanitizer", "runtime error:")


class TestFailure(Exception):
    pass


# ---------------------------------------------------------------------------
# Reporting


class Report:
    """Counts checks; prints each failure as it happens."""

    def __init__(self, name):
        self.name = name
        self.passed = 0
        self.failed = 0

    def ok(self, label):
        self.passed += 1
        if os.environ.get("HAT_TEST_VERBOSE"):
            print("  ok   %s" % label)

    def fail(self, label, detail=""):
        self.failed += 1
        print("FAIL [%s] %s" % (self.name, label))
        for line in str(detail).splitlines():
            print("       " + line)
        sys.stdout.flush()

    def check(self, label, cond, detail=""):
        if cond:
            self.ok(label)
        else:
            self.fail(label, detail)
        return bool(cond)

    def eq(self, label, got, want):
        return self.check(label, got == want, "got  %r\nwant %r" % (got, want))

    def summary(self):
        if self.passed == 0 and self.failed == 0:
            self.fail("the test made no check")
        print("%d passed, %d failed" % (self.passed, self.failed))
        sys.stdout.flush()
        return 0 if self.failed == 0 else 1


# ---------------------------------------------------------------------------
# HTTP


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # list of (name, value)
        self.body = body
        self.json = None
        if body:
            try:
                self.json = json.loads(body.decode("utf-8"))
            except (ValueError, UnicodeDecodeError):
                self.json = None

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def header_all(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

    @property
    def code(self):
        if isinstance(self.json, dict) and isinstance(self.json.get("error"), dict):
            return self.json["error"].get("code")
        return None

    def short(self, n=400):
        text = self.body.decode("utf-8", "replace") if self.body else ""
        return text if len(text) <= n else text[:n] + "..."


class Session:
    """A logged-in person: a bearer token, or a cookie and its CSRF token."""

    def __init__(self, kind, username, answer, cookie=None):
        self.kind = kind
        self.username = username
        self.answer = answer
        self.token = answer.get("token")
        self.csrf = answer.get("csrf_token")
        self.witness_token = answer.get("witness_token")
        self.user = answer.get("user", {})
        self.user_id = self.user.get("id")
        self.cookie = cookie

    def headers(self, method, csrf=True):
        h = {}
        if self.kind == "bearer":
            h["Authorization"] = "Bearer " + self.token
        else:
            h["Cookie"] = "hat_session=" + self.cookie
            if method != "GET" and csrf:
                h["X-CSRF-Token"] = self.csrf
        return h


def raw_exchange(port, data, timeout=REQUEST_TIMEOUT):
    """Sends raw bytes, reads until the server closes; returns a Response or
    None when the server closed without answering.  A refused send (the
    server answered early and closed) is not an error: the answer is read."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    out = b""
    try:
        try:
            s.sendall(data)
        except OSError:
            pass
        try:
            while True:
                b = s.recv(65536)
                if not b:
                    break
                out += b
        except OSError:
            pass
    finally:
        s.close()
    return parse_raw_response(out)


def parse_raw_response(out):
    if not out:
        return None
    head, _, body = out.partition(b"\r\n\r\n")
    lines = head.decode("iso-8859-1").split("\r\n")
    m = re.match(r"HTTP/1\.[01] (\d{3})", lines[0])
    if not m:
        return None
    headers = []
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers.append((k.strip(), v.strip()))
    te = [v for k, v in headers if k.lower() == "transfer-encoding"]
    if te and "chunked" in te[0].lower():
        body = dechunk(body)
    return Response(int(m.group(1)), headers, body)


def dechunk(b):
    out = b""
    while b:
        line, _, rest = b.partition(b"\r\n")
        n = int(line.split(b";")[0] or b"0", 16)
        if n == 0:
            break
        out += rest[:n]
        b = rest[n + 2:]
    return out


def chunked_body(total, chunk=4096, fill=b" "):
    """A chunked encoding of total bytes of fill (spaces keep it JSON-ish)."""
    out = []
    left = total
    while left > 0:
        n = min(chunk, left)
        out.append(b"%x\r\n" % n + fill * n + b"\r\n")
        left -= n
    out.append(b"0\r\n\r\n")
    return b"".join(out)


def chunk_bytes(data, chunk=7):
    """Chunked encoding of data in small chunks."""
    out = []
    for i in range(0, len(data), chunk):
        piece = data[i:i + chunk]
        out.append(b"%x\r\n" % len(piece) + piece + b"\r\n")
    out.append(b"0\r\n\r\n")
    return b"".join(out)


# ---------------------------------------------------------------------------
# The server under test


class Hat:
    """A fresh clinic: a database in a temp dir and a running hatd."""

    def __init__(self, args, report):
        self.args = args
        self.report = report
        self.hatd_path = args.hatd
        self.hatctl_path = args.hatctl
        self.dir = tempfile.mkdtemp(prefix="hat-api-")
        self.db_path = os.path.join(self.dir, "hat.db")
        # HAT_TEST_DB=postgresql: the clinic lives in a PostgreSQL database
        # of its own (pgstore.py), and db_path is its URI.
        self.pg = None
        if pgstore.enabled():
            pgstore.set_tool_dir(os.path.dirname(self.hatctl_path))
            self.pg = pgstore.Database()
            self.db_path = self.pg.uri
        self.proc = None
        self.port = None
        self.log_path = None
        self.out_path = None
        self.starts = 0
        self.sessions = {}
        self.vars = {}
        self.allowed_5xx = set()  # statuses a test expects (e.g. 503)

    # -- set-up ------------------------------------------------------------

    def hatctl(self, *argv, db=None, timeout=60, check=False):
        cmd = [self.hatctl_path] + [str(a) for a in argv]
        if db is not False:
            cmd += ["--db", db or self.db_path]
        env = dict(os.environ)
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout, env=env, cwd=self.dir)
        p.out = p.stdout.decode("utf-8", "replace")
        p.err = p.stderr.decode("utf-8", "replace")
        if check and p.returncode != 0:
            raise TestFailure("hatctl %s failed (%d): %s%s" % (
                " ".join(cmd[1:]), p.returncode, p.out, p.err))
        return p

    def init(self, demo=True):
        """demo: True for `hatctl demo` (staff, patients, history: seconds),
        "staff" for the demo's logins only (a fraction of a second), False
        for the admin alone."""
        if self.pg and demo is True and self.pg.from_template(self._demo_key(), self._make_demo):
            return
        self._init(demo)

    def _demo_key(self):
        st = os.stat(self.hatctl_path)
        return "%s:%s:%s" % (st.st_mtime_ns, st.st_size, datetime.date.today().isoformat())

    def _make_demo(self):
        self._init(True)

    def _init(self, demo):
        self.hatctl("init", "--clinic", "API Test Clinic", "--admin", ADMIN,
                    "--password", ADMIN_PW, "--premises", "Main Site",
                    "--address", "1 Test Street, Testtown TS1 1AA", check=True)
        if demo == "staff":
            for username, name, role in DEMO_STAFF:
                self.hatctl("user", "add", username, "--name", name, "--roles", role,
                            "--password", DEMO_PW[username], check=True)
        elif demo:
            # PostgreSQL's round trips make the demo slower to build.
            self.hatctl("demo", check=True, timeout=300 if self.pg else 60)

    def start(self, db=None, extra=()):
        """Starts hatd on 127.0.0.1 with a port the kernel picks."""
        if self.proc:
            raise TestFailure("hatd is already running")
        self.starts += 1
        self.log_path = os.path.join(self.dir, "hatd-%d.log" % self.starts)
        self.out_path = os.path.join(self.dir, "hatd-%d.out" % self.starts)
        cmd = [self.hatd_path, "--db", db or self.db_path,
               "--listen", "127.0.0.1:0", "--web", WEB] + list(extra)
        with open(self.out_path, "wb") as out, open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(cmd, stdout=out, stderr=log,
                                         stdin=subprocess.DEVNULL, cwd=self.dir)
        deadline = time.monotonic() + START_TIMEOUT
        self.port = None
        while time.monotonic() < deadline:
            with open(self.out_path, "r", errors="replace") as f:
                m = re.search(r"hatd: listening on port (\d+)", f.read())
            if m:
                self.port = int(m.group(1))
                break
            if self.proc.poll() is not None:
                raise TestFailure("hatd exited (%d) at start:\n%s" % (
                    self.proc.returncode, self.log_tail()))
            time.sleep(0.02)
        if not self.port:
            raise TestFailure("hatd did not print its port in %ss" % START_TIMEOUT)
        while time.monotonic() < deadline:
            try:
                r = self.request("GET", "/api/v1/health", timeout=2)
                if r.status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.02)
        raise TestFailure("hatd did not answer /api/v1/health in %ss" % START_TIMEOUT)

    def stop(self, label="hatd stops on SIGTERM and exits 0"):
        """SIGTERM, then wait; a hatd that does not stop is killed."""
        if not self.proc:
            return None
        p = self.proc
        self.proc = None
        p.send_signal(signal.SIGTERM)
        try:
            rc = p.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(timeout=5)
            self.report.fail(label, "hatd did not stop within %ss; killed" % STOP_TIMEOUT)
            return None
        self.report.check(label, rc == 0, "exit status %r\n%s" % (rc, self.log_tail()))
        self.check_log()
        return rc

    def kill(self):
        if self.proc:
            try:
                self.proc.kill()
                self.proc.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                pass
            self.proc = None

    def log_tail(self, n=20):
        try:
            with open(self.log_path, "r", errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except (OSError, TypeError):
            return ""

    def check_log(self):
        """No request may have been answered 5xx (unless the test expected
        it), and a sanitizer report fails the run.  A log that cannot be
        read fails too: no scan is not a clean scan."""
        try:
            with open(self.log_path, "r", errors="replace") as f:
                text = f.read()
        except (OSError, TypeError) as e:
            self.report.fail("hatd's log can be read for the 5xx and sanitizer scan (run %d)"
                             % self.starts, "%s: %s" % (self.log_path, e))
            return
        bad = []
        for m in re.finditer(r" info (GET|POST|PUT|PATCH|DELETE|\?) (\S+) (\d{3}) ", text):
            st = int(m.group(3))
            if st >= 500 and st not in self.allowed_5xx:
                bad.append(m.group(0).strip())
        self.report.check("hatd answered no unexpected 5xx (run %d)" % self.starts,
                          not bad, "\n".join(bad[:10]))
        self.report.check("hatd log holds no sanitizer report (run %d)" % self.starts,
                          not any(p in text for p in SANITIZER_REPORTS),
                          text[-2000:])

    def cleanup(self, keep):
        self.kill()
        if self.pg:
            self.pg.drop()
        if keep:
            print("(test files kept in %s)" % self.dir)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    # -- HTTP --------------------------------------------------------------

    def request(self, method, path, body=None, headers=None, session=None, csrf=True,
                content_type="application/json", timeout=REQUEST_TIMEOUT):
        """One request on a fresh connection.  body: a dict or list (sent as
        JSON), a str or bytes (sent as they are), or None."""
        h = {}
        data = None
        if body is not None:
            if isinstance(body, (dict, list)):
                data = json.dumps(body).encode("utf-8")
            elif isinstance(body, str):
                data = body.encode("utf-8")
            else:
                data = body
            if content_type:
                h["Content-Type"] = content_type
        if session is not None:
            h.update(session.headers(method, csrf))
        if headers:
            h.update(headers)
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=data, headers=h)
            r = conn.getresponse()
            body = r.read()
            return Response(r.status, r.getheaders(), body)
        finally:
            conn.close()

    def raw(self, data, timeout=REQUEST_TIMEOUT):
        return raw_exchange(self.port, data, timeout)

    def healthy(self):
        try:
            r = self.request("GET", "/api/v1/health", timeout=5)
            return r.status == 200 and (r.json or {}).get("status") == "ok"
        except OSError:
            return False

    def login(self, username, password, kind="bearer"):
        """Logs in; returns (Session or None, Response)."""
        r = self.request("POST", "/api/v1/session",
                         {"username": username, "password": password, "token_kind": kind})
        if r.status != 201:
            return None, r
        cookie = None
        if kind == "cookie":
            for v in r.header_all("Set-Cookie"):
                m = re.match(r"hat_session=([^;]*)", v)
                if m:
                    cookie = m.group(1)
        return Session(kind, username, r.json, cookie), r

    def clock(self, now=None, advance_s=None):
        body = {}
        if now is not None:
            body["now"] = now
        if advance_s is not None:
            body["advance_s"] = advance_s
        r = self.request("POST", "/api/v1/test/clock", body)
        if r.status != 200:
            raise TestFailure("test clock refused %r: %d %s" % (body, r.status, r.short()))
        return r.json["now"]

    def freeze_clock_today(self):
        """Freezes the server's clock at noon UTC today (the same date in
        London all year), so dates in the tests are known."""
        today = datetime.datetime.now(datetime.timezone.utc).date()
        self.today = today
        return self.clock(now=today.isoformat() + "T12:00:00Z")

    def day(self, offset=0):
        """A date relative to the frozen clock's date, as YYYY-MM-DD."""
        return (self.today + datetime.timedelta(days=offset)).isoformat()

    # -- the database ------------------------------------------------------

    def db(self, path=None):
        """A read-only connection (safe beside a running hatd)."""
        if self.pg and (path is None or pgstore_uri(path)):
            return _PgConn(self, path)
        uri = "file:%s?mode=ro" % (path or self.db_path)
        return sqlite3.connect(uri, uri=True, timeout=5)

    def sqlite_only(self, what):
        """True (and says so) when running on PostgreSQL, for a part of a
        test that works on the SQLite file itself (copies it, replaces it):
        the caller leaves that part out there."""
        if self.pg:
            print("(on PostgreSQL, not run: %s: it works on the SQLite file itself)" % what)
            return True
        return False

    def connect_rw(self, **kw):
        """A writable connection to the clinic's database behind hat's
        back (to show that the database itself refuses a change, or to
        tamper): sqlite3's, or on PostgreSQL one with the part of its
        interface the tests use, raising sqlite3.DatabaseError as it does."""
        if self.pg:
            return _PgConn(self, None)
        return sqlite3.connect(self.db_path, **kw)

    def query(self, sql, params=(), path=None):
        if self.pg and (path is None or pgstore_uri(path)):
            return self.pg.query(sql, params, uri=path)
        c = self.db(path)
        try:
            return c.execute(sql, params).fetchall()
        finally:
            c.close()

    def scalar(self, sql, params=(), path=None):
        rows = self.query(sql, params, path)
        return rows[0][0] if rows else None


def pgstore_uri(path):
    return str(path).startswith("postgresql://")


class _PgCursor:
    def __init__(self, rows):
        self.rows = rows

    def fetchall(self):
        return self.rows

    def fetchone(self):
        return self.rows[0] if self.rows else None

    def __iter__(self):
        return iter(self.rows)


class _PgConn:
    """The part of a sqlite3 connection the tests use, on PostgreSQL."""

    def __init__(self, hat, path):
        self.hat = hat
        self.path = path

    def execute(self, sql, params=()):
        try:
            return _PgCursor(self.hat.pg.query(sql, params, uri=self.path))
        except RuntimeError as e:
            raise sqlite3.DatabaseError(str(e))

    def commit(self):
        pass

    def rollback(self):
        pass

    def close(self):
        pass


# ---------------------------------------------------------------------------
# Steps


class Ref:
    """A value saved by an earlier step, used in a body or expectation."""

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return "Ref(%r)" % self.name


class _Missing:
    def __repr__(self):
        return "<missing>"


MISSING = _Missing()
# In an expectation: the answer must not hold this key at all.
ABSENT = MISSING


def resolve(v, names):
    if isinstance(v, Ref):
        if v.name not in names:
            raise TestFailure("no saved value named %r" % v.name)
        return names[v.name]
    if isinstance(v, dict):
        return {k: resolve(x, names) for k, x in v.items()}
    if isinstance(v, list):
        return [resolve(x, names) for x in v]
    if isinstance(v, tuple):
        return tuple(resolve(x, names) for x in v)
    return v


def dig(obj, path):
    """'user.id', 'patients.0.id': a value inside a JSON answer."""
    if path == "" or path == ".":
        return obj
    for part in path.split("."):
        if isinstance(obj, list):
            try:
                obj = obj[int(part)]
            except (ValueError, IndexError):
                return MISSING
        elif isinstance(obj, dict):
            if part not in obj:
                return MISSING
            obj = obj[part]
        else:
            return MISSING
    return obj


class Step:
    def __init__(self, label, method=None, path=None, body=None, **kw):
        self.label = label
        self.method = method
        self.path = path
        self.body = body
        self.as_ = kw.pop("as_", None)
        self.status = kw.pop("status", None)
        self.code = kw.pop("code", None)
        self.headers = kw.pop("headers", None)
        self.save = kw.pop("save", None)
        self.expect = kw.pop("expect", None)
        self.check = kw.pop("check", None)
        self.csrf = kw.pop("csrf", True)
        self.content_type = kw.pop("content_type", "application/json")
        self.health_after = kw.pop("health_after", False)
        self.login = kw.pop("login", None)       # (name, kind) to keep the session
        self.raw = kw.pop("raw", None)           # raw bytes, "{port}" not needed
        self.run = kw.pop("run", None)           # a Python step: run(t) -> None or error text
        self.counted = kw.pop("counted", True)   # False: scene-setting, not a check
        if kw:
            raise TypeError("unknown step options: %s" % ", ".join(kw))


def step(label, method, path, body=None, **kw):
    """A request and what it must get: status=, code= (the error code),
    expect={path: value or predicate}, save={name: path or fn(resp)},
    check=fn(resp, t) returning None or a complaint, as_=session name,
    headers=, csrf=False (omit the CSRF token), content_type=,
    health_after=True (the server must still answer health)."""
    return Step(label, method, path, body, **kw)


def login(label, name, username, password, kind="bearer", status=201, code=None, **kw):
    """Logs username in and keeps the session under name."""
    return Step(label, "POST", "/api/v1/session",
                {"username": username, "password": password, "token_kind": kind},
                status=status, code=code, login=(name, kind), **kw)


def raw(label, data, status, code=None, **kw):
    """Raw bytes on a socket, for framing a library would not send."""
    return Step(label, None, None, None, raw=data, status=status, code=code, **kw)


def do(label, fn):
    """A Python check: fn(t) returns None when all is well, else a complaint."""
    return Step(label, run=fn)


def note(label, fn):
    """A Python step that sets the scene (saves a value, say) and checks
    nothing: fn(t)'s return is ignored, and the step is not counted as a
    pass.  An exception in fn still fails it."""
    def run(t):
        fn(t)
        return None
    return Step(label, run=run, counted=False)


def db_is(label, sql, params, want):
    """A database check: the query's rows (or its single value) must equal
    want (params may hold Refs)."""
    def fn(t):
        ps = resolve(list(params), t.vars)
        rows = t.query(sql, ps)
        got = rows[0][0] if rows and len(rows[0]) == 1 and not isinstance(want, list) else rows
        if got != resolve(want, t.vars):
            return "query %s %r\ngot  %r\nwant %r" % (sql, ps, got, resolve(want, t.vars))
        return None
    return Step(label, run=fn)


def clock(label, now=None, advance_s=None):
    """Sets the test clock: not a check, so never counted as a pass (a
    refused setting raises, and fails the test)."""
    def fn(t):
        t.clock(now=now, advance_s=advance_s)
        return None
    return Step(label, run=fn, counted=False)


def _fmt(s, names):
    try:
        return s.format_map(names)
    except KeyError as e:
        raise TestFailure("no saved value named %s" % e)


def run_step(t, s, n):
    rep = t.report
    where = "step %d: %s" % (n, s.label)
    try:
        if s.run:
            complaint = s.run(t)
            if complaint is not None or s.counted:
                rep.check(where, complaint is None, complaint or "")
            return complaint is None
        if s.raw is not None:
            r = t.raw(s.raw)
            if r is None:
                rep.fail(where, "the server closed the connection without an answer")
                return False
            desc = "(raw request)"
        else:
            path = _fmt(s.path, t.vars)
            headers = {k: _fmt(v, t.vars) for k, v in (s.headers or {}).items()}
            session = None
            if s.as_:
                session = t.sessions.get(s.as_)
                if session is None:
                    raise TestFailure("no session named %r" % s.as_)
            body = resolve(s.body, t.vars)
            r = t.request(s.method, path, body, headers, session, s.csrf, s.content_type)
            desc = "%s %s" % (s.method, path)
        problems = []
        if s.status is not None and r.status != s.status:
            problems.append("status %d, want %d" % (r.status, s.status))
        if s.code is not None and r.code != s.code:
            problems.append("error code %r, want %r" % (r.code, s.code))
        if s.status is not None and s.status >= 400 and s.code is None and r.code is None:
            problems.append("no error code in the answer")
        if not problems and s.save:
            for name, how in s.save.items():
                v = how(r) if callable(how) else dig(r.json, how)
                if v is MISSING:
                    problems.append("nothing at %r to save as %s" % (how, name))
                t.vars[name] = v
        if not problems and s.expect:
            for path_, want in s.expect.items():
                got = dig(r.json, path_)
                want = resolve(want, t.vars)
                if callable(want) and want is not ABSENT:
                    if not want(got):
                        problems.append("%s = %r fails its check" % (path_, got))
                elif got != want:
                    problems.append("%s = %r, want %r" % (path_, got, want))
        if not problems and s.check:
            c = s.check(r, t)
            if c:
                problems.append(c)
        if not problems and s.login and r.status == 201:
            name, kind = s.login
            cookie = None
            if kind == "cookie":
                for v in r.header_all("Set-Cookie"):
                    m = re.match(r"hat_session=([^;]*)", v)
                    if m:
                        cookie = m.group(1)
                if not cookie:
                    problems.append("no hat_session cookie was set")
            t.sessions[name] = Session(kind, s.body["username"], r.json, cookie)
            t.vars[name + "_id"] = r.json.get("user", {}).get("id")
        if s.health_after and not t.healthy():
            problems.append("the server no longer answers /api/v1/health")
        if problems:
            rep.fail(where, "%s\n%s\nanswer: %d %s" % (desc, "; ".join(problems),
                                                      r.status, r.short()))
            return False
        rep.ok(where)
        return True
    except TestFailure:
        raise
    except Exception as e:  # a failed request is a failed step, not a crash
        rep.fail(where, "%s: %s" % (type(e).__name__, e))
        if s.health_after and not t.healthy():
            rep.fail(where + " (health)", "the server no longer answers /api/v1/health")
        return False


def run_steps(t, steps):
    """Runs the steps in order; every one runs, failing or not."""
    base = getattr(t, "_stepno", 0)
    for i, s in enumerate(steps, 1):
        run_step(t, s, base + i)
    t._stepno = base + len(steps)


# ---------------------------------------------------------------------------
# Entry point


def main(name, body, demo=True, start=True):
    """Parses --hatd/--hatctl, makes a fresh clinic, starts hatd, runs
    body(t), stops hatd and prints the summary.  Exits non-zero on any
    failure."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--hatd", default=os.environ.get("HATD"))
    ap.add_argument("--hatctl", default=os.environ.get("HATCTL"))
    ap.add_argument("--keep", action="store_true", help="keep the temp dir")
    args = ap.parse_args()
    for tool in ("hatd", "hatctl"):
        if not getattr(args, tool):
            guess = os.path.join(REPO, "build", tool)
            setattr(args, tool, guess)
        setattr(args, tool, os.path.abspath(getattr(args, tool)))
        if not os.access(getattr(args, tool), os.X_OK):
            print("%s: cannot run %s (give --%s PATH)" % (name, getattr(args, tool), tool))
            print("0 passed, 1 failed")
            return 1
    report = Report(name)
    t = Hat(args, report)

    def on_alarm(signum, frame):
        raise TestFailure("the test ran past %ds" % TEST_TIMEOUT)

    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(TEST_TIMEOUT)
    started = time.monotonic()
    try:
        t.init(demo=demo)
        if start:
            t.start()
            t.freeze_clock_today()
        body(t)
        t.stop()
    except TestFailure as e:
        report.fail("aborted", str(e) + "\n" + t.log_tail())
    except Exception:
        report.fail("aborted by an exception", traceback.format_exc() + t.log_tail())
    finally:
        signal.alarm(0)
        t.kill()
        t.cleanup(keep=args.keep or report.failed > 0)
    print("(%s: %.1fs)" % (name, time.monotonic() - started))
    return report.summary()
