"""common.py: what bench/dose_bench.py and bench/crash_check.py share.

A fresh clinic in a temp directory (hatctl init), a hatd started on
127.0.0.1 with a port the kernel picks, persistent HTTP/1.1 connections,
and the seeding of stations, nurses, patients and prescriptions through the
API.  hatd must be a test-clock build (-DHAT_TEST_CLOCK=ON): the scripts set
the server's clock into a session window and move it between rounds.

Python 3 standard library only.
"""

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
BUILD = os.environ.get("HAT_BENCH_BUILD", os.path.join(REPO, "build-bench"))

ADMIN = "admin"
ADMIN_PW = "bench-admin-pass-0001"
PRESCRIBER = "dr.bench"
PRESCRIBER_PW = "bench-prescriber-pass-0001"
PHARMACIST = "pharm.bench"
PHARMACIST_PW = "bench-pharmacist-pass-0001"
AMPOULE_MG = 100          # one ampoule per dose
STOCK_AMPOULES = 100000   # one receipt: far more than a run doses
NURSE_PW = "bench-nurse-pass-0001"
# A clinical role or a licence needs a manager to confirm it (separation of
# duties); the manager is added at the command line, as the operator.
MANAGER = "mgr.bench"
MANAGER_PW = "bench-manager-pass-0001"
CONFIRMER = {"username": MANAGER, "password": MANAGER_PW}

# A winter Monday: London is on UTC, so the windows (morning 08:30-11:00,
# afternoon 15:00-17:30, the defaults) are the same hours in UTC.
DAY0 = "2025-01-06"
SEED_AT = DAY0 + "T07:00:00Z"
DAY0_EPOCH = 1736121600  # 2025-01-06T00:00:00Z
ROUND_TIMES = (9 * 3600, 15 * 3600 + 30 * 60)  # 09:00 and 15:30 (UTC = London)

SESSION_DOSE_MG = 100
REQUEST_TIMEOUT = 30.0
START_TIMEOUT = 15.0


class BenchError(Exception):
    pass


def utc(epoch):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def round_time(r):
    """The server time for round r: two windows a day, day after day."""
    return DAY0_EPOCH + (r // 2) * 86400 + ROUND_TIMES[r % 2]


# ---------------------------------------------------------------------------
# HTTP


class Conn:
    """One persistent HTTP/1.1 connection (keep-alive), as a station keeps."""

    def __init__(self, port, token=None, timeout=REQUEST_TIMEOUT):
        self.port = port
        self.token = token
        self.timeout = timeout
        self.c = None

    def _open(self):
        self.c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        self.c.connect()
        # Small requests on a kept-alive socket: do not let Nagle hold them.
        import socket
        self.c.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def request(self, method, path, body=None, token=None, headers=None):
        """Returns (status, json or None).  Raises OSError/HTTPException when
        the connection fails (the caller decides whether that is an error)."""
        if self.c is None:
            self._open()
        h = {}
        data = None
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            h["Content-Type"] = "application/json"
        tok = token or self.token
        if tok:
            h["Authorization"] = "Bearer " + tok
        if headers:
            h.update(headers)
        try:
            self.c.request(method, path, body=data, headers=h)
            r = self.c.getresponse()
            raw = r.read()
        except Exception:
            self.close()
            raise
        if r.getheader("Connection", "").lower() == "close":
            self.close()
        try:
            j = json.loads(raw.decode("utf-8")) if raw else None
        except ValueError:
            j = None
        return r.status, j

    def must(self, method, path, body=None, want=(200, 201), token=None):
        st, j = self.request(method, path, body, token)
        if st not in want:
            raise BenchError("%s %s -> %d %s" % (method, path, st, json.dumps(j)[:300]))
        return j

    def close(self):
        if self.c is not None:
            try:
                self.c.close()
            except OSError:
                pass
            self.c = None


# ---------------------------------------------------------------------------
# The server


class Server:
    """A database in a temp dir (or a given one) and a hatd serving it."""

    def __init__(self, workdir=None, build=BUILD, keep=False):
        build = os.path.abspath(build)
        self.hatd = os.path.join(build, "hatd")
        self.hatctl = os.path.join(build, "hatctl")
        for p in (self.hatd, self.hatctl):
            if not os.access(p, os.X_OK):
                raise BenchError("cannot run %s (build first: bench/run does)" % p)
        if workdir:
            os.makedirs(workdir, exist_ok=True)
            self.dir = workdir
        else:
            self.dir = tempfile.mkdtemp(prefix="hat-bench-", dir=os.environ.get("HAT_BENCH_DIR"))
        self.db = os.path.join(self.dir, "hat.db")
        self.keep = keep
        self.proc = None
        self.port = None
        self.starts = 0
        self.log_path = None

    def hatctl_run(self, *argv, check=True, timeout=120):
        cmd = [self.hatctl] + [str(a) for a in argv] + ["--db", self.db]
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout, cwd=self.dir)
        out = p.stdout.decode("utf-8", "replace") + p.stderr.decode("utf-8", "replace")
        if check and p.returncode != 0:
            raise BenchError("hatctl %s failed (%d): %s" % (argv[0], p.returncode, out))
        return p.returncode, out

    def init(self):
        self.hatctl_run("init", "--clinic", "Bench Clinic", "--admin", ADMIN,
                        "--name", "Bench Administrator", "--password", ADMIN_PW,
                        "--premises", "Main Site", "--address", "1 Bench Street, Testtown")
        self.hatctl_run("user", "add", MANAGER, "--name", "Bench Manager", "--roles", "manager",
                        "--password", MANAGER_PW)

    def start(self, extra=(), env=None):
        if self.proc:
            raise BenchError("hatd is already running")
        self.starts += 1
        self.log_path = os.path.join(self.dir, "hatd-%d.log" % self.starts)
        out_path = os.path.join(self.dir, "hatd-%d.out" % self.starts)
        # Sessions must outlive the days the clock is moved through.
        cmd = [self.hatd, "--db", self.db, "--listen", "127.0.0.1:0",
               "--set", "session_idle_s=604800", "--set", "session_absolute_s=2678400",
               "--set", "connection_limit=256"] + list(extra)
        with open(out_path, "wb") as out, open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(cmd, stdout=out, stderr=log, stdin=subprocess.DEVNULL,
                                         cwd=self.dir, env=env)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            with open(out_path, "r", errors="replace") as f:
                m = re.search(r"hatd: listening on port (\d+)", f.read())
            if m:
                self.port = int(m.group(1))
                break
            if self.proc.poll() is not None:
                raise BenchError("hatd exited (%d) at start:\n%s" % (self.proc.returncode,
                                                                    self.log_tail()))
            time.sleep(0.02)
        else:
            raise BenchError("hatd did not print its port in %ss" % START_TIMEOUT)
        c = Conn(self.port, timeout=5)
        while time.monotonic() < deadline:
            try:
                st, _ = c.request("GET", "/api/v1/health")
                if st == 200:
                    c.close()
                    return
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.02)
        raise BenchError("hatd did not answer /api/v1/health")

    def set_clock(self, epoch):
        c = Conn(self.port)
        try:
            j = c.must("POST", "/api/v1/test/clock", {"now": utc(epoch)}, want=(200,))
        except BenchError as e:
            raise BenchError("%s (is hatd a test-clock build? -DHAT_TEST_CLOCK=ON)" % e)
        finally:
            c.close()
        return j["now"]

    def writer_counts(self, timeout=5.0):
        """Asks hatd (SIGUSR1) for its writer's (commits, commands) so far."""
        if not self.proc:
            return None
        pat = re.compile(r"hatd: writer: (\d+) commits, (\d+) commands")
        before = len(pat.findall(self._log_text()))
        self.proc.send_signal(signal.SIGUSR1)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = pat.findall(self._log_text())
            if len(found) > before:
                return int(found[-1][0]), int(found[-1][1])
            time.sleep(0.01)
        return None  # an older hatd without the SIGUSR1 report

    def cpu_seconds(self):
        """hatd's user+system CPU time so far (Linux /proc)."""
        try:
            with open("/proc/%d/stat" % self.proc.pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            tick = os.sysconf("SC_CLK_TCK")
            return (int(fields[11]) + int(fields[12])) / tick
        except (OSError, IndexError, ValueError, AttributeError):
            return None

    def thread_cpu(self):
        """{tid: user+system CPU seconds} for each of hatd's threads."""
        out = {}
        tick = os.sysconf("SC_CLK_TCK")
        try:
            tids = os.listdir("/proc/%d/task" % self.proc.pid)
        except (OSError, AttributeError):
            return out
        for tid in tids:
            try:
                with open("/proc/%d/task/%s/stat" % (self.proc.pid, tid)) as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                out[int(tid)] = (int(fields[11]) + int(fields[12])) / tick
            except (OSError, IndexError, ValueError):
                pass
        return out

    def threads(self):
        try:
            with open("/proc/%d/status" % self.proc.pid) as f:
                m = re.search(r"^Threads:\s+(\d+)", f.read(), re.M)
            return int(m.group(1)) if m else None
        except (OSError, AttributeError):
            return None

    def stop(self, timeout=20):
        """SIGTERM; returns hatd's exit status (None when it had to be killed)."""
        if not self.proc:
            return None
        p, self.proc = self.proc, None
        p.send_signal(signal.SIGTERM)
        try:
            return p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(timeout=5)
            return None

    def kill9(self):
        if self.proc:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)
            self.proc = None

    def _log_text(self):
        try:
            with open(self.log_path, "r", errors="replace") as f:
                return f.read()
        except (OSError, TypeError):
            return ""

    def log_tail(self, n=20):
        return "".join(self._log_text().splitlines(True)[-n:])

    def status_counts(self, path_re=r"/api/v1/patients/\d+/administrations"):
        """Counts hatd's request log lines for a path by status."""
        out = {}
        pat = re.compile(r" info POST (%s) (\d{3}) " % path_re)
        for m in pat.finditer(self._log_text()):
            out[m.group(2)] = out.get(m.group(2), 0) + 1
        return out

    def cleanup(self):
        if self.proc:
            self.kill9()
        if self.keep:
            print("(files kept in %s)" % self.dir)
        else:
            import shutil
            shutil.rmtree(self.dir, ignore_errors=True)


# ---------------------------------------------------------------------------
# Seeding the clinic through the API


def _parallel(n_threads, items, fn):
    """Runs fn(conn, item) over items on n_threads connections; returns
    results in item order; the first error is raised."""
    results = [None] * len(items)
    errors = []
    lock = threading.Lock()
    nxt = [0]

    def work(conn):
        try:
            while True:
                with lock:
                    if errors or nxt[0] >= len(items):
                        return
                    i = nxt[0]
                    nxt[0] += 1
                results[i] = fn(conn, items[i])
        except Exception as e:  # reported by the caller
            with lock:
                errors.append(e)
        finally:
            conn.close()

    return results, errors, work


def run_parallel(port, token, n_threads, items, fn):
    results, errors, work = _parallel(n_threads, items, fn)
    ts = [threading.Thread(target=work, args=(Conn(port, token),)) for _ in range(n_threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    if errors:
        raise errors[0]
    return results


def login(conn, username, password):
    return conn.must("POST", "/api/v1/session",
                     {"username": username, "password": password, "token_kind": "bearer"},
                     want=(201,))


class Clinic:
    """What seeding made: the nurses' logins and each station's patients."""

    def __init__(self):
        self.premises_id = None
        self.stations = []  # list of dicts: nurse, token, witness_token, patients


def seed(srv, n_stations, per_station, log=print):
    """Nurses, a prescriber with a licence, and n_stations * per_station
    patients, each with an open episode and a current prescription (two
    sessions a day, SESSION_DOSE_MG each), all through the API."""
    clinic = Clinic()
    srv.set_clock(DAY0_EPOCH + 7 * 3600)
    admin_c = Conn(srv.port)
    admin = login(admin_c, ADMIN, ADMIN_PW)
    admin_c.token = admin["token"]
    prem = admin_c.must("GET", "/api/v1/premises")
    plist = prem.get("premises", prem) if isinstance(prem, dict) else prem
    clinic.premises_id = plist[0]["id"]

    dr = admin_c.must("POST", "/api/v1/users",
                      {"username": PRESCRIBER, "display_name": "Dr Bench",
                       "password": PRESCRIBER_PW, "roles": ["prescriber"],
                       "confirmer": CONFIRMER}, want=(201,))
    admin_c.must("POST", "/api/v1/users/%d/licences" % dr["id"],
                 {"licence_number": "HO-BENCH-1", "premises_id": clinic.premises_id,
                  "expires_on": "2030-12-31", "confirmer": CONFIRMER}, want=(201,))
    admin_c.must("POST", "/api/v1/users",
                 {"username": PHARMACIST, "display_name": "Pharmacist Bench",
                  "password": PHARMACIST_PW, "roles": ["pharmacist"],
                  "confirmer": CONFIRMER}, want=(201,))
    names = ["nurse.b%02d" % i for i in range(n_stations)]

    def mk_nurse(conn, name):
        conn.must("POST", "/api/v1/users",
                  {"username": name, "display_name": "Nurse " + name, "password": NURSE_PW,
                   "roles": ["nurse"], "confirmer": CONFIRMER}, want=(201,))
    run_parallel(srv.port, admin_c.token, 4, names, mk_nurse)
    admin_c.close()

    # Each station: its nurse's own login, and a second login by the next
    # station's nurse, whose witness token co-signs this station's doses.
    def mk_login(conn, i):
        me = login(conn, names[i], NURSE_PW)
        wit = login(conn, names[(i + 1) % n_stations], NURSE_PW)
        return {"nurse": names[i], "token": me["token"], "witness_token": wit["witness_token"],
                "witness_session": wit["token"], "patients": []}
    clinic.stations = run_parallel(srv.port, None, 4, list(range(n_stations)), mk_login)

    # Stock in the register: each dose draws its ampoules in its own
    # transaction.  The receipt is witnessed by a nurse (by token).
    ph = Conn(srv.port)
    ph.token = login(ph, PHARMACIST, PHARMACIST_PW)["token"]
    sup = ph.must("POST", "/api/v1/suppliers",
                  {"name": "Bench Wholesale", "address": "1 Depot Road, Testtown"}, want=(201,))
    sid = sup.get("id") if isinstance(sup, dict) else None
    if not sid:
        sid = ph.must("GET", "/api/v1/suppliers")
        sid = (sid.get("suppliers", sid) if isinstance(sid, dict) else sid)[0]["id"]
    ph.must("POST", "/api/v1/register/receipts",
            {"premises_id": clinic.premises_id, "supplier_id": sid, "drug": "diamorphine",
             "strength_mg": AMPOULE_MG, "form": "powder_for_injection",
             "quantity": STOCK_AMPOULES, "batch": "BENCH-1", "expiry_date": "2027-12-31",
             "invoice_ref": "INV-BENCH-1",
             "witness": {"token": clinic.stations[0]["witness_token"]}}, want=(201,))
    ph.close()

    drc = Conn(srv.port)
    dr_tok = login(drc, PRESCRIBER, PRESCRIBER_PW)["token"]
    drc.close()
    n = n_stations * per_station

    def mk_patient(conn, i):
        p = conn.must("POST", "/api/v1/patients",
                      {"given_name": "Bench%d" % i, "family_name": "Patient",
                       "birth_date": "1980-01-%02d" % (i % 28 + 1), "sex": "unknown",
                       "premises_id": clinic.premises_id,
                       "address": "%d Bench Road, Testtown" % i}, want=(201,))
        conn.must("POST", "/api/v1/patients/%d/episodes" % p["id"],
                  {"referral_date": DAY0, "start_date": DAY0}, want=(201,))
        conn.must("POST", "/api/v1/patients/%d/prescriptions" % p["id"],
                  {"drug": "diamorphine", "routes": ["iv", "im"],
                   "session_dose_mg": SESSION_DOSE_MG, "sessions_per_day": 2,
                   "daily_max_mg": 2 * SESSION_DOSE_MG, "start_date": DAY0}, want=(201,))
        return p["id"]
    t0 = time.monotonic()
    pids = run_parallel(srv.port, dr_tok, 8, list(range(n)), mk_patient)
    log("seeded %d nurses, %d patients with episodes and prescriptions (%.1fs)"
        % (n_stations, n, time.monotonic() - t0))
    for i, pid in enumerate(pids):
        clinic.stations[i % n_stations]["patients"].append(pid)
    return clinic


# The steps of a visit, as a station sends them.

def check_in(conn, pid):
    return conn.request("POST", "/api/v1/patients/%d/check-in" % pid, {})


def assess(conn, pid):
    return conn.request("POST", "/api/v1/patients/%d/assessments" % pid,
                        {"sedation_level": 0, "breath_alcohol_ug": 0, "decision": "fit"})


def administer_body(witness_token, n):
    # identity_confirmed: the dose route requires the nurse's confirmation
    # of who the patient is (the bench's doses were refused without it).
    return {"amount_mg": SESSION_DOSE_MG, "route": "iv", "identity_confirmed": True,
            "site": "arm_left" if n % 2 else "arm_right", "witness": {"token": witness_token}}


def administer(conn, pid, witness_token, n=0):
    return conn.request("POST", "/api/v1/patients/%d/administrations" % pid,
                        administer_body(witness_token, n))


def percentile(sorted_xs, p):
    if not sorted_xs:
        return float("nan")
    k = (len(sorted_xs) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(sorted_xs) - 1)
    return sorted_xs[lo] + (sorted_xs[hi] - sorted_xs[lo]) * (k - lo)


def fsync_rate(directory, seconds=3.0):
    """Single-row SQLite commits per second with journal_mode=WAL and
    synchronous=FULL, in directory (the database's own disk)."""
    import sqlite3
    path = os.path.join(directory, "fsync-probe.db")
    for s in ("", "-wal", "-shm"):
        try:
            os.unlink(path + s)
        except FileNotFoundError:
            pass
    c = sqlite3.connect(path, isolation_level=None)
    try:
        c.execute("PRAGMA journal_mode=WAL")
        c.execute("PRAGMA synchronous=FULL")
        c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, v TEXT NOT NULL)")
        n = 0
        row = "x" * 200
        t0 = time.monotonic()
        end = t0 + seconds
        while True:
            c.execute("BEGIN IMMEDIATE")
            c.execute("INSERT INTO t (at, v) VALUES (?, ?)", (n, row))
            c.execute("COMMIT")
            n += 1
            if (n & 15) == 0 and time.monotonic() >= end:
                break
        el = time.monotonic() - t0
    finally:
        c.close()
        for s in ("", "-wal", "-shm"):
            try:
                os.unlink(path + s)
            except FileNotFoundError:
                pass
    return n / el, n


# A slower disk, simulated: an LD_PRELOAD shim that sleeps after every
# fsync/fdatasync (the real call still runs).  Both hatd and the commit probe
# get it, so the ratio compares like with like.  It shows what group commit
# does when the flush, not the CPU, is the limit (a disk whose flush takes
# milliseconds, as on many SSDs without a power-loss-protected cache).
SHIM_SRC = r"""
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>
static long delay_us(void)
{
	static long d = -1;
	if (d < 0) {
		const char *e = getenv("HAT_BENCH_FSYNC_DELAY_US");
		d = e ? atol(e) : 0;
	}
	return d;
}
static void pause_(void)
{
	long d = delay_us();
	struct timespec ts = { d / 1000000, (d % 1000000) * 1000 };
	if (d > 0)
		nanosleep(&ts, NULL);
}
int fsync(int fd)
{
	static int (*real)(int);
	if (!real)
		real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
	int rc = real(fd);
	pause_();
	return rc;
}
int fdatasync(int fd)
{
	static int (*real)(int);
	if (!real)
		real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
	int rc = real(fd);
	pause_();
	return rc;
}
"""


def build_shim(build=BUILD):
    """Compiles the fsync-delay shim into the build dir; returns its path."""
    out = os.path.join(os.path.abspath(build), "bench_fsync_delay.so")
    src = out[:-3] + ".c"
    if os.path.exists(out):
        return out
    with open(src, "w") as f:
        f.write(SHIM_SRC)
    cc = os.environ.get("CC", "cc")
    p = subprocess.run([cc, "-O2", "-shared", "-fPIC", "-o", out, src, "-ldl"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if p.returncode != 0:
        raise BenchError("cannot build the fsync shim: %s" % p.stdout.decode("utf-8", "replace"))
    return out


def shim_env(shim, delay_us):
    env = dict(os.environ)
    env["LD_PRELOAD"] = shim
    env["HAT_BENCH_FSYNC_DELAY_US"] = str(int(delay_us))
    return env


def fsync_rate_in(directory, seconds, env=None):
    """fsync_rate in a child Python (so that an LD_PRELOAD shim applies)."""
    if env is None:
        return fsync_rate(directory, seconds)
    p = subprocess.run([sys.executable, os.path.abspath(__file__), "fsync-rate", directory,
                        str(seconds)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=env, timeout=seconds + 60)
    if p.returncode != 0:
        raise BenchError("commit probe failed: %s" % p.stderr.decode("utf-8", "replace"))
    rate, n = p.stdout.decode().split()
    return float(rate), int(n)


def die(msg):
    print("ERROR: " + msg)
    sys.stdout.flush()
    sys.exit(2)


if __name__ == "__main__" and len(sys.argv) == 4 and sys.argv[1] == "fsync-rate":
    r, k = fsync_rate(sys.argv[2], float(sys.argv[3]))
    print("%f %d" % (r, k))
