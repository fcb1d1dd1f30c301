"""PostgreSQL for the API tests (HAT_TEST_DB=postgresql).

The test command (scripts/test) starts one throwaway cluster and names its
socket folder in HAT_TEST_PG_HOST; a test run by hand without it starts a
cluster of its own, in its temp folder, and stops it at the end.  Each test
gets a fresh database on the cluster, dropped when it ends.

query() runs a test's SQL (written for SQLite, with '?' parameters) through
psql, with the few rewrites the tests' SQL needs, and gives rows as tuples
of Python values as sqlite3 would (booleans as 0 and 1, bytea as bytes).
"""

import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import uuid

PG_BIN = "/usr/lib/postgresql/15/bin"
USER = "hat"


def enabled():
    return os.environ.get("HAT_TEST_DB", "sqlite") == "postgresql"


def _as_server_user(cmd):
    """initdb and the server refuse to run as root: run them as the
    postgres account the Debian package creates."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--"] + cmd
    return cmd


class Cluster:
    """A cluster on a Unix socket in a temporary folder."""

    def __init__(self, root=None):
        self.root = root or tempfile.mkdtemp(prefix="hat-pg-")
        self.data = os.path.join(self.root, "data")
        self.host = os.path.join(self.root, "sock")

    def start(self):
        os.makedirs(self.host, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
            shutil.chown(self.host, "postgres")
        subprocess.run(_as_server_user([
            os.path.join(PG_BIN, "initdb"), "-D", self.data, "-A", "trust", "-U", USER,
            "--no-locale", "-E", "UTF8"]), check=True, stdout=subprocess.DEVNULL)
        # fsync off: a throwaway cluster; the tests of durability kill
        # hatd, never the server.
        subprocess.run(_as_server_user([
            os.path.join(PG_BIN, "pg_ctl"), "-D", self.data, "-w", "-l",
            os.path.join(self.root, "server.log"), "-o",
            "-k %s -c listen_addresses='' -c fsync=off -c max_connections=300"
            % self.host, "start"]), check=True, stdout=subprocess.DEVNULL)

    def stop(self):
        subprocess.run(_as_server_user([
            os.path.join(PG_BIN, "pg_ctl"), "-D", self.data, "-m", "immediate", "stop"]),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(self.root, ignore_errors=True)


def psql(host, db, sql, check=True):
    p = subprocess.run(["psql", "-X", "-q", "-h", host, "-U", USER, "-d", db,
                        "-v", "ON_ERROR_STOP=1", "-At", "-c", sql],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if check and p.returncode != 0:
        raise RuntimeError("psql: %s: %s" % (sql[:200], p.stderr.decode()))
    return p.stdout.decode("utf-8", "replace")


class Database:
    """One test's database: its URI for hatd and hatctl, and queries."""

    def __init__(self):
        self.own_cluster = None
        host = os.environ.get("HAT_TEST_PG_HOST")
        if not host:
            self.own_cluster = Cluster()
            self.own_cluster.start()
            host = self.own_cluster.host
        self.host = host
        self.name = "hat_" + uuid.uuid4().hex[:16]
        psql(host, "postgres", "CREATE DATABASE %s" % self.name)
        self.uri = "postgresql:///%s?host=%s&user=%s" % (self.name, host, USER)

    def new_uri(self):
        """A second, empty database on the same cluster."""
        name = "hat_" + uuid.uuid4().hex[:16]
        psql(self.host, "postgres", "CREATE DATABASE %s" % name)
        return "postgresql:///%s?host=%s&user=%s" % (name, self.host, USER)

    def from_template(self, key, make):
        """The demo clinic takes seconds to build and is the same for every
        test of a build on a day: the first test builds it and keeps a copy
        as a template database; the others clone that.  True when this
        database is now the demo clinic."""
        tpl = "hat_tpl_" + hashlib.sha1(key.encode()).hexdigest()[:16]
        # Beside the cluster's socket folder, so it goes with the cluster.
        lock = os.path.join(os.path.dirname(self.host.rstrip("/")), "%s.lock" % tpl)
        with open(lock, "w") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            have = psql(self.host, "postgres",
                        "SELECT 1 FROM pg_database WHERE datname = '%s'" % tpl).strip()
            if have:
                psql(self.host, "postgres", "DROP DATABASE %s" % self.name)
                psql(self.host, "postgres",
                     "CREATE DATABASE %s TEMPLATE %s" % (self.name, tpl))
                return True
            make()
            psql(self.host, "postgres", "CREATE DATABASE %s TEMPLATE %s" % (tpl, self.name))
            return True

    def drop(self):
        if self.own_cluster:
            self.own_cluster.stop()
            return
        psql(self.host, "postgres", "DROP DATABASE IF EXISTS %s WITH (FORCE)" % self.name,
             check=False)

    def query(self, sql, params=(), uri=None):
        name = self.name
        if uri:
            name = re.match(r"postgresql:///([^?]+)", uri).group(1)
        # PostgreSQL keeps the schema version in a table of its own.
        if re.match(r"\s*PRAGMA\s+user_version\s*$", sql, re.I):
            sql = "SELECT max(version) FROM hat_meta.schema_version"
        text = translate(sql, params)
        if re.match(r"\s*(SELECT|WITH)\b", text, re.I):
            text = "SELECT row_to_json(hat_q)::text FROM (%s) hat_q" % text.rstrip("; \n")
            out = psql(self.host, name, text)
            rows = []
            for line in out.splitlines():
                if line.strip():
                    obj = json.loads(line, object_pairs_hook=list)
                    rows.append(tuple(_value(v) for _, v in obj))
            return rows
        psql(self.host, name, text)
        return []


def _value(v):
    if isinstance(v, bool):
        return 1 if v else 0
    if isinstance(v, str) and v.startswith("\\x") and re.fullmatch(r"\\x[0-9a-f]*", v):
        return bytes.fromhex(v[2:])
    return v


def _literal(v):
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, (bytes, bytearray)):
        return "'\\x%s'::bytea" % bytes(v).hex()
    return "'%s'" % str(v).replace("'", "''")


def translate(sql, params):
    """The test's SQLite-dialect SQL as hat's PostgreSQL backend would send
    it (pg_sql_tool, built beside hatctl), with the parameters written in
    as literals."""
    p = subprocess.run([TOOL], input=sql.encode(), stdout=subprocess.PIPE, check=True)
    text = p.stdout.decode()
    params = list(params)
    out = []
    for part in re.split(r"('(?:[^']|'')*')", text):
        if part.startswith("'"):
            out.append(part)
            continue
        out.append(re.sub(r"\$(\d+)", lambda m: _literal(params[int(m.group(1)) - 1]), part))
    return "".join(out)


TOOL = None


def set_tool_dir(d):
    global TOOL
    TOOL = os.path.join(d, "pg_sql_tool")
