#!/usr/bin/env python3
"""PostgreSQL as hat's store (runs only on PostgreSQL: api-pg/test_pg_store).

- The schema is the same in both stores: the same tables, the same columns
  in the same order (PostgreSQL's extra "rowid" column aside), from the one
  set of migrations.
- hatctl migrate copies a SQLite clinic into a new PostgreSQL database; both
  ends verify with the same chain head, and the copy then takes new writes.
- Two hatd processes serve one database: two stations racing to dose the
  same patient in the same window, one on each, never both succeed; a
  serialisation failure is retried by the writer, not handed to the
  station; and a
  kill -9 of one of them under load loses no dose it acknowledged, with the
  chain still whole (no fork: verify passes).
"""

import copy
import os
import re
import subprocess
import sys
import threading
import time

from harness import DEMO_PW, TestFailure, main
import test_dosing_rules as rules


def sqlite_schema(t, path):
    import sqlite3
    c = sqlite3.connect(path)
    try:
        tables = [r[0] for r in c.execute(
            "SELECT name FROM sqlite_schema WHERE type = 'table'"
            " AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return {tb: [r[1] for r in c.execute("SELECT * FROM pragma_table_info(?)", (tb,))]
                for tb in tables}
    finally:
        c.close()


def pg_schema(t):
    # Read from the catalogue as it is (the test's SQL is not translated
    # here: it names PostgreSQL's own views).
    rows = t.pg.query("SELECT table_name, column_name FROM information_schema.columns"
                      " WHERE table_schema = 'public' AND column_name <> 'rowid'"
                      " ORDER BY table_name, ordinal_position")
    out = {}
    for tb, col in rows:
        out.setdefault(tb, []).append(col)
    return out


def schema_in_step(t):
    path = os.path.join(t.dir, "schema.db")
    t.hatctl("init", "--clinic", "Schema", "--admin", "admin", "--password",
             "admin-pass-0001", "--premises", "Main", "--address", "1 St", db=path, check=True)
    lite = sqlite_schema(t, path)
    pg = pg_schema(t)
    t.report.eq("both stores have the same tables", sorted(pg), sorted(lite))
    for tb in sorted(lite):
        t.report.eq("table %s: the same columns in the same order" % tb, pg.get(tb), lite[tb])


def migrate(t):
    path = os.path.join(t.dir, "clinic.db")
    t.hatctl("init", "--clinic", "Moving Clinic", "--admin", "admin", "--password",
             "admin-pass-0001", "--premises", "Main", "--address", "1 St", db=path, check=True)
    t.hatctl("demo", db=path, check=True)
    lite_head = re.search(r"chain head: (\S+)", t.hatctl("verify", db=path).out).group(1)
    to = t.pg.new_uri()
    p = t.hatctl("migrate", "--from", path, "--to", to, db=False, timeout=300)
    t.report.check("hatctl migrate copies the clinic and verifies both ends", p.returncode == 0,
                   p.out + p.err)
    t.report.check("it names the chain head both ends share", lite_head in p.out, p.out)
    v = t.hatctl("verify", db=to)
    t.report.check("the copy verifies on its own with the SQLite clinic's chain head",
                   v.returncode == 0 and ("chain head: %s" % lite_head) in v.out, v.out + v.err)
    t.report.eq("the copy holds every patient",
                t.scalar("SELECT count(*) FROM patients", path=to),
                _lite_scalar(path, "SELECT count(*) FROM patients"))
    again = t.hatctl("migrate", "--from", path, "--to", to, db=False, timeout=300)
    t.report.check("a second migrate into the same database is refused",
                   again.returncode != 0 and "already holds" in again.err, again.err)
    tamper(t, to)
    # The copy takes new writes: its id counters are past the copied rows.
    p = t.hatctl("user", "add", "new.nurse", "--name", "New Nurse", "--roles", "nurse",
                 "--password", "new-nurse-pass-1", db=to)
    t.report.check("the copy takes a new user", p.returncode == 0, p.out + p.err)
    v = t.hatctl("verify", db=to)
    t.report.check("and still verifies", v.returncode == 0, v.out + v.err)


def tamper(t, to):
    """verify on PostgreSQL catches what it catches on SQLite: a row changed,
    inserted or deleted behind hat's back (here with the triggers suspended
    for the session, as a database administrator could), each on a copy."""
    def case(label, sql, want):
        copy_uri = t.pg.new_uri()
        name = re.match(r"postgresql:///([^?]+)", copy_uri).group(1)
        src = re.match(r"postgresql:///([^?]+)", to).group(1)
        pgdump = subprocess.run("pg_dump -h %s -U hat %s | psql -q -h %s -U hat %s" % (
            t.pg.host, src, t.pg.host, name), shell=True, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE)
        t.report.check("%s: pg_dump copies the clinic" % label, pgdump.returncode == 0,
                       pgdump.stderr.decode()[-2000:])
        control = t.hatctl("verify", db=copy_uri)
        t.report.check("%s: the copy verifies before the change" % label,
                       control.returncode == 0, control.out + control.err)
        t.pg.query("SET session_replication_role = replica; " + sql, uri=copy_uri)
        v = t.hatctl("verify", db=copy_uri)
        t.report.check("%s: verify exits 1 naming it" % label,
                       v.returncode == 1 and want in v.out, v.out + v.err)

    pid = t.scalar("SELECT max(id) FROM patients", path=to)
    case("a patient's name changed", "UPDATE patients SET family_name = 'Forged'"
         " WHERE id = %d" % pid, "table patients row %d" % pid)
    adm = t.scalar("SELECT max(id) FROM administrations", path=to)
    case("a dose's amount changed", "UPDATE administrations SET amount_ug = amount_ug + 1000"
         " WHERE id = %d" % adm, "table administrations row %d" % adm)
    case("a row inserted behind hat's back",
         "INSERT INTO premises (name, address, created_at) VALUES ('Ghost', 'x', 0)",
         "table premises row")
    last = t.scalar("SELECT max(seq) FROM audit_events", path=to)
    case("an audit event removed", "DELETE FROM audit_events WHERE seq = %d" % (last - 5),
         "FAILED")


def _lite_scalar(path, sql):
    import sqlite3
    c = sqlite3.connect(path)
    try:
        return c.execute(sql).fetchone()[0]
    finally:
        c.close()


class Second:
    """A second hatd on the same database, with its own test clock."""

    def __init__(self, t):
        self.h = copy.copy(t)
        self.h.proc = None
        self.h.starts = 100
        self.h.allowed_5xx = set()

    def start(self):
        self.h.start(extra=rules.HATD_EXTRA)

    def at(self, n, hms):
        self.h.clock(now="%sT%sZ" % (rules.day(n).isoformat(), hms))


def race(d, b):
    """Each patient checked in and assessed; then one dose sent to each hatd
    at once.  Exactly one may be given."""
    pids = [d.patient("Race%d" % i) for i in range(4)]
    for pid in pids:
        d.rx(pid)
    d.at(0, "09:00:00")
    b.at(0, "09:00:00")
    for pid in pids:
        d.check_in(pid)
        d.assess(pid)
    for pid in pids:
        before = d.scalar("SELECT count(*) FROM administrations WHERE patient_id = ?", (pid,))
        body = {"amount_mg": 200, "route": "iv", "site": "arm_left", "identity_confirmed": True,
                "witness": d.witness()}
        results = [None, None]
        go = threading.Barrier(2)

        def send(i, hat):
            go.wait()
            results[i] = hat.request("POST", "/api/v1/patients/%d/administrations" % pid, body,
                                     session=d.s["nurse"])
        th = [threading.Thread(target=send, args=(0, d.t)),
              threading.Thread(target=send, args=(1, b.h))]
        for x in th:
            x.start()
        for x in th:
            x.join()
        statuses = sorted(r.status for r in results)
        d.ok("patient %d: of two racing doses on two hatd, one is given and one refused (%s)"
             % (pid, statuses), statuses[0] == 201 and 400 <= statuses[1] < 500,
             "%s / %s" % (results[0].short(), results[1].short()))
        d.eq("patient %d: one administration written" % pid,
             d.scalar("SELECT count(*) FROM administrations WHERE patient_id = ?", (pid,)),
             before + 1)


def serialisation_retried(d):
    """A serialisation failure (injected: the first insert of a dose fails
    with SQLSTATE 40001, as the server fails a transaction that lost a
    conflict) is not the station's problem: the writer runs the batch
    again, and the dose is given once."""
    import pgstore
    t = d.t
    pid = d.patient("Serial")
    d.rx(pid)
    d.check_in(pid)
    d.assess(pid)
    pgstore.psql(t.pg.host, t.pg.name,
                 "CREATE SEQUENCE hat_test_fail;"
                 "CREATE FUNCTION hat_test_fail() RETURNS trigger LANGUAGE plpgsql AS $f$"
                 " BEGIN IF nextval('hat_test_fail') = 1 THEN"
                 " RAISE EXCEPTION 'injected' USING ERRCODE = '40001'; END IF;"
                 " RETURN NEW; END $f$;"
                 "CREATE TRIGGER hat_test_fail BEFORE INSERT ON administrations"
                 " FOR EACH ROW EXECUTE FUNCTION hat_test_fail()")
    try:
        d.dose(pid, 200, "a dose whose first try meets a serialisation failure is given")
        d.eq("it is written once", d.scalar(
            "SELECT count(*) FROM administrations WHERE patient_id = ?", (pid,)), 1)
        d.eq("after the failed try and the one that held",
             int(pgstore.psql(t.pg.host, t.pg.name,
                              "SELECT last_value FROM hat_test_fail").strip()), 2)
        with open(t.log_path, errors="replace") as f:
            d.ok("hatd's log says the batch was run again",
                 "serialisation failure; the batch" in f.read())
    finally:
        pgstore.psql(t.pg.host, t.pg.name, "DROP TRIGGER hat_test_fail ON administrations;"
                     "DROP FUNCTION hat_test_fail(); DROP SEQUENCE hat_test_fail")


def kill_under_load(d, b):
    """Doses spread over both hatd; one is killed with SIGKILL half-way.
    Every dose either hatd acknowledged is in the database."""
    pids = [d.patient("Load%d" % i) for i in range(16)]
    for pid in pids:
        d.rx(pid)
    d.at(0, "15:10:00")
    b.at(0, "15:10:00")
    for pid in pids:
        d.check_in(pid)
        d.assess(pid)
    acked = []
    lock = threading.Lock()

    def send(pid, hat):
        body = {"amount_mg": 200, "route": "iv", "site": "arm_left", "identity_confirmed": True,
                "witness": d.witness()}
        try:
            r = hat.request("POST", "/api/v1/patients/%d/administrations" % pid, body,
                            session=d.s["nurse"], timeout=10)
        except OSError:
            return
        if r.status == 201:
            with lock:
                acked.append((pid, r.json.get("id")))

    threads = []
    for i, pid in enumerate(pids):
        hat = d.t if i % 2 == 0 else b.h
        th = threading.Thread(target=send, args=(pid, hat))
        threads.append(th)
        th.start()
        if i == len(pids) // 2:
            d.t.proc.kill()  # SIGKILL: no shutdown, no flush
    for th in threads:
        th.join()
    d.t.proc.wait()
    d.t.proc = None
    d.ok("some doses were acknowledged before and after the kill (%d)" % len(acked),
         len(acked) >= len(pids) // 2, repr(acked))
    lost = [a for a in acked if not d.scalar(
        "SELECT count(*) FROM administrations WHERE id = ? AND patient_id = ?", (a[1], a[0]))]
    d.eq("no acknowledged dose is lost", lost, [])
    v = d.t.hatctl("verify")
    d.ok("the chain is whole after the kill (no fork, every row bound)", v.returncode == 0,
         v.out + v.err)


def body(t):
    if not t.pg:
        raise TestFailure("this test runs on PostgreSQL only (HAT_TEST_DB=postgresql)")
    schema_in_step(t)
    migrate(t)
    d = rules.Desk(t)
    d.start()
    b = Second(t)
    b.start()
    d.at(0, "07:00:00")
    b.at(0, "07:00:00")
    rules.setup(d)
    race(d, b)
    serialisation_retried(d)
    kill_under_load(d, b)
    b.h.stop("the second hatd stops on SIGTERM and exits 0")
    d.t.start(extra=rules.HATD_EXTRA)


if __name__ == "__main__":
    sys.exit(main("test_pg_store", body, demo="staff", start=False))
