"""test_audit_backup.py: the audit chain over the API, tampering caught by
`hatctl verify`, append-only triggers, and backup then restore.

Each tamper is made on a fresh copy of the database, with the sqlite3 tool
when it is installed (as an intruder would), else with Python's sqlite3.

Run by ctest as: python3 test_audit_backup.py --hatd PATH --hatctl PATH
"""
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import threading

from harness import DEMO_PW, TestFailure, db_is, do, login, main, run_steps, step

NURSE, NURSE_PW = "nurse.patel", DEMO_PW["nurse.patel"]
AUDITOR, AUDITOR_PW = "audit.silva", DEMO_PW["audit.silva"]
CDAO, CDAO_PW = "cdao.fraser", DEMO_PW["cdao.fraser"]
SQLITE3 = shutil.which("sqlite3")


def person(family):
    return {"given_name": "Chain", "family_name": family, "birth_date": "1970-01-02",
            "sex": "male", "premises_id": 1}


def activity(t):
    run_steps(t, [
        login("nurse logs in", "nurse", NURSE, NURSE_PW),
        login("auditor logs in", "auditor", AUDITOR, AUDITOR_PW),
        login("cdao logs in", "cdao", CDAO, CDAO_PW),
        step("a patient is added", "POST", "/api/v1/patients", person("Alpha"), as_="nurse",
             status=201, save={"pa": "id"}),
        step("another", "POST", "/api/v1/patients", person("Beta"), as_="nurse", status=201),
        step("the first is updated", "PATCH", "/api/v1/patients/{pa}",
             {"version": 1, "alerts": "Chain test"}, as_="nurse", status=200),
        step("and read", "GET", "/api/v1/patients/{pa}", as_="nurse", status=200),
        do("the auditor reads the whole chain, page by page", chain_listing),
        step("the chain pages with after=", "GET", "/api/v1/audit?after=3&limit=2",
             as_="auditor", status=200,
             expect={"events": lambda es: [e["seq"] for e in es] == [4, 5]}),
        step("a bad after= is refused", "GET", "/api/v1/audit?after=-1", as_="auditor",
             status=400, code="invalid_query", expect={"error.field": "after"}),
        step("the CD accountable officer reads the chain too", "GET", "/api/v1/audit?limit=1",
             as_="cdao", status=200, expect={"events.0.seq": 1}),
        step("but not the access log", "GET", "/api/v1/access-log", as_="cdao", status=403,
             code="forbidden"),
        step("an audit read answers (its access-log row is sealed, not an event of its own)",
             "GET", "/api/v1/audit?limit=1", as_="auditor", status=200),
        db_is("the head names the last event",
              "SELECT (SELECT seq FROM audit_head) = (SELECT max(seq) FROM audit_events)",
              [], 1),
    ])


def chain_listing(t):
    # Each read of the log is itself logged (sealed into the chain), so the
    # chain grows as it is read: page up to the head as it was at the start.
    head = t.scalar("SELECT seq FROM audit_head")
    events = []
    while not events or events[-1]["seq"] < head:
        after = events[-1]["seq"] if events else 0
        r = t.request("GET", "/api/v1/audit?limit=500&after=%d" % after,
                      session=t.sessions["auditor"])
        if r.status != 200:
            return "page after %d: %d %s" % (after, r.status, r.short())
        page = r.json["events"]
        if not page:
            break
        if len(page) > 500:
            return "a page of %d events, past its limit" % len(page)
        events += page
    seqs = [e["seq"] for e in events]
    if seqs != list(range(1, len(seqs) + 1)):
        return "the chain is not listed in order from 1: %r" % seqs[:20]
    events = [e for e in events if e["seq"] <= head]
    if len(events) != head:
        return "%d events listed up to the head, the chain held %d" % (len(events), head)
    sealed = t.scalar("SELECT count(*) FROM audit_events WHERE seq > ? AND action ="
                      " 'access_log.seal'", (head,))
    if sealed < 1:
        return "the auditor's reads of the log were not sealed into the chain"
    mine = [e for e in events if e["action"] == "patient.create" and e["actor"] == NURSE]
    if len(mine) != 2:
        return "%d patient.create events by the nurse, want 2" % len(mine)
    if not all(re.fullmatch(r"[0-9A-F]{64}", e["hash"]) for e in events):
        return "an event without a 32-byte hash"
    return None


def verify(t, db):
    return t.hatctl("verify", db=db, timeout=60)


def copy_db(src, dst):
    """A consistent copy through SQLite's backup API."""
    s = sqlite3.connect("file:%s?mode=ro" % src, uri=True)
    d = sqlite3.connect(dst)
    try:
        s.backup(d)
    finally:
        d.close()
        s.close()


def tamper(path, sql):
    """Runs sql on path the way an intruder would: with the sqlite3 tool."""
    if SQLITE3:
        p = subprocess.run([SQLITE3, path], input=sql.encode(), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=30)
        if p.returncode != 0:
            raise TestFailure("sqlite3 refused the tamper %r: %s" % (sql, p.stderr.decode()))
    else:
        c = sqlite3.connect(path)
        try:
            c.executescript(sql)
            c.commit()
        finally:
            c.close()


def tampering(t):
    """Stops hatd (so the file is quiet), then tampers with fresh copies."""
    base = os.path.join(t.dir, "base.db")
    copy_db(t.db_path, base)
    n = t.scalar("SELECT max(seq) FROM audit_events", path=base)
    mid = n // 2
    t.report.check("the chain is long enough to tamper with (%d events)" % n, n >= 20,
                   "only %d events" % n)
    p = verify(t, base)
    t.report.check("an untouched copy verifies", p.returncode == 0
                   and ("ok: %d audit events" % n) in p.out, p.out + p.err)

    cases = [
        ("a changed detail", "audit_events_no_update",
         "UPDATE audit_events SET detail = replace(detail, '}', ',\"x\":1}') WHERE seq = %d"
         % mid, mid, "hash_mismatch"),
        ("a changed time", "audit_events_no_update",
         "UPDATE audit_events SET at = at - 3600 WHERE seq = %d" % mid, mid, "hash_mismatch"),
        ("a changed actor", "audit_events_no_update",
         "UPDATE audit_events SET actor_id = coalesce(actor_id, 0) + 1000 WHERE seq = %d" % (n - 1), n - 1,
         "hash_mismatch"),
        ("a changed action", "audit_events_no_update",
         "UPDATE audit_events SET action = 'patient.read' WHERE seq = 2", 2, "hash_mismatch"),
        ("a changed entity id", "audit_events_no_update",
         "UPDATE audit_events SET entity_id = coalesce(entity_id, 0) + 1 WHERE seq = %d" % mid,
         mid, "hash_mismatch"),
        ("a forged hash", "audit_events_no_update",
         "UPDATE audit_events SET hash = zeroblob(32) WHERE seq = %d" % mid, mid,
         "hash_mismatch"),
        ("a changed link to the event before", "audit_events_no_update",
         "UPDATE audit_events SET prev_hash = zeroblob(32) WHERE seq = %d" % mid, mid,
         "prev_hash_mismatch"),
        ("an event deleted in the middle", "audit_events_no_delete",
         "DELETE FROM audit_events WHERE seq = %d" % mid, mid, "gap"),
        ("the first event deleted", "audit_events_no_delete",
         "DELETE FROM audit_events WHERE seq = 1", 1, "gap"),
        ("the newest event deleted", "audit_events_no_delete",
         "DELETE FROM audit_events WHERE seq = %d" % n, n, "head_mismatch"),
        ("the two newest events deleted", "audit_events_no_delete",
         "DELETE FROM audit_events WHERE seq >= %d" % (n - 1), n, "head_mismatch"),
        ("an event appended without the chain", None,
         "INSERT INTO audit_events (seq, at, actor_id, action, entity, entity_id, detail,"
         " prev_hash, hash) SELECT seq + 1, at, actor_id, action, entity, entity_id, detail,"
         " hash, hash FROM audit_events WHERE seq = %d" % n, n + 1, "hash_mismatch"),
        ("the chain head moved back", None,
         "UPDATE audit_head SET seq = seq - 1", n - 1, "head_mismatch"),
        ("the chain head removed", "audit_head_no_delete", "DELETE FROM audit_head", n,
         "head_mismatch"),
    ]
    for i, (what, trigger, sql, seq, problem) in enumerate(cases):
        path = os.path.join(t.dir, "tamper-%d.db" % i)
        shutil.copyfile(base, path)
        script = ("DROP TRIGGER %s;\n" % trigger if trigger else "") + sql + ";\n"
        tamper(path, script)
        p = verify(t, path)
        want = "FAILED: audit event %d: %s" % (seq, problem)
        t.report.check("verify catches %s, naming event %d" % (what, seq),
                       p.returncode == 1 and want in p.out,
                       "exit %d, want 1 with %r\n%s%s" % (p.returncode, want, p.out, p.err))
        if i == 0:
            r = t.hatctl("restore", path, db=os.path.join(t.dir, "from-tampered.db"))
            t.report.check("restore refuses a tampered backup",
                           r.returncode == 1 and "does not verify" in r.err
                           and not os.path.exists(os.path.join(t.dir, "from-tampered.db")),
                           "exit %d\n%s%s" % (r.returncode, r.out, r.err))


def triggers(t):
    """UPDATE and DELETE on the append-only tables are refused by triggers."""
    path = os.path.join(t.dir, "triggers.db")
    shutil.copyfile(os.path.join(t.dir, "base.db"), path)
    c = sqlite3.connect(path)
    try:
        for table, sql in [
            ("audit_events", "UPDATE audit_events SET detail = '{}' WHERE seq = 3"),
            ("audit_events", "DELETE FROM audit_events WHERE seq = 3"),
            ("audit_events", "DELETE FROM audit_events"),
            ("access_log", "UPDATE access_log SET why = 'covering up'"),
            ("access_log", "DELETE FROM access_log"),
        ]:
            try:
                c.execute(sql)
                c.commit()
                t.report.fail("the trigger refuses: " + sql, "it was allowed")
            except sqlite3.DatabaseError as e:
                c.rollback()
                t.report.check("the trigger refuses: " + sql,
                               "%s is append-only" % table in str(e), str(e))
        t.report.eq("the access log is intact after the refusals",
                    c.execute("SELECT count(*) FROM access_log").fetchone()[0],
                    t.scalar("SELECT count(*) FROM access_log", path=os.path.join(t.dir,
                                                                                  "base.db")))
    finally:
        c.close()
    p = verify(t, path)
    t.report.check("the copy still verifies after the refused changes", p.returncode == 0,
                   p.out + p.err)


def patients_of(t, path):
    return t.query("SELECT * FROM patients ORDER BY id", path=path)


def backup_restore(t):
    rep = t.report
    bk = os.path.join(t.dir, "backup-idle.db")
    p = t.hatctl("backup", bk)
    rep.check("hatctl backup while hatd runs", p.returncode == 0, p.out + p.err)
    rep.check("piped, it shows no progress line (no carriage returns)",
              "\r" not in p.out + p.err and "%" not in p.err, repr(p.err))
    # On a terminal (a pseudo-terminal from script(1)) the same command
    # shows its progress.
    tty_copy = os.path.join(t.dir, "backup-tty.db")
    q = subprocess.run(["script", "-qec", "%s backup %s --db %s" % (
        t.hatctl_path, tty_copy, t.db_path), "/dev/null"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    shown = q.stdout.decode("utf-8", "replace")
    rep.check("on a terminal it shows progress", q.returncode == 0 and "\rbacking up:" in shown
              and "(100%)" in shown, repr(shown[-300:]))
    live_patients = patients_of(t, t.db_path)
    rep.check("the backup holds the same patients", patients_of(t, bk) == live_patients,
              "%d vs %d rows" % (len(patients_of(t, bk)), len(live_patients)))
    p = t.hatctl("backup", bk)
    rep.check("a backup never overwrites a file", p.returncode == 1 and "exists" in p.err,
              p.out + p.err)

    # A backup taken while hatd is busy writing is consistent too.
    stop = threading.Event()
    made = []

    def writer():
        i = 0
        while not stop.is_set() and i < 200:
            i += 1
            r = t.request("POST", "/api/v1/patients", person("Busy%03d" % i),
                          session=t.sessions["nurse"])
            if r.status == 201:
                made.append(r.json["id"])

    th = threading.Thread(target=writer)
    th.start()
    try:
        busy = os.path.join(t.dir, "backup-busy.db")
        while len(made) < 5 and th.is_alive():
            threading.Event().wait(0.01)
        p = t.hatctl("backup", busy)
    finally:
        stop.set()
        th.join(30)
    rep.check("hatctl backup while hatd is writing", p.returncode == 0, p.out + p.err)
    rep.check("patients were being written during the backup", len(made) >= 5,
              "%d written" % len(made))
    p = verify(t, busy)
    rep.check("the busy backup verifies", p.returncode == 0, p.out + p.err)
    n_busy = t.scalar("SELECT count(*) FROM patients WHERE family_name LIKE 'Busy%'", path=busy)
    busy_audit = t.scalar("SELECT count(*) FROM audit_events WHERE action = 'patient.create'"
                          " AND entity_id IN (SELECT id FROM patients"
                          " WHERE family_name LIKE 'Busy%')", path=busy)
    rep.check("the busy backup holds each patient with its audit event (%s)" % n_busy,
              n_busy == busy_audit, "%s patients, %s events" % (n_busy, busy_audit))

    new = os.path.join(t.dir, "restored.db")
    p = t.hatctl("restore", bk, db=new)
    rep.check("hatctl restore into a new database", p.returncode == 0
              and "audit events verified" in p.out, p.out + p.err)
    p = verify(t, new)
    rep.check("the restored database verifies", p.returncode == 0, p.out + p.err)
    rep.check("the restored database holds the same patients",
              patients_of(t, new) == live_patients, "")
    rep.eq("the restored chain is the same chain",
           t.query("SELECT seq, hash FROM audit_head", path=new),
           t.query("SELECT seq, hash FROM audit_head", path=bk))
    p = t.hatctl("restore", bk, db=new)
    rep.check("restore will not replace a database without --force",
              p.returncode == 1 and "--force" in p.err, p.out + p.err)
    p = t.hatctl("restore", busy, "--force", db=new)
    rep.check("restore --force replaces it", p.returncode == 0, p.out + p.err)
    asides = [f for f in os.listdir(t.dir) if f.startswith("restored.db.replaced-")]
    rep.check("and keeps the database it replaced beside it", len(asides) >= 1,
              repr(os.listdir(t.dir)))

    # Beside a running hatd a restore is refused, and the live file is
    # left alone (hatd would go on acknowledging writes into a file that
    # is no longer the database).
    head = t.query("SELECT seq, hash FROM audit_head")
    p = t.hatctl("restore", bk, "--force")
    rep.check("restore beside a running hatd is refused with a clear message",
              p.returncode == 1 and "running hatd" in p.err and "stop it" in p.err,
              p.out + p.err)
    rep.eq("and the live database is untouched", t.query("SELECT seq, hash FROM audit_head"),
           head)
    rep.check("hatd still answers", t.healthy(), "")

    # Restore checks what verify checks, rows included: a backup whose chain
    # is intact but one patient's row was edited by hand is refused.
    row_tampered = os.path.join(t.dir, "row-tampered.db")
    copy_db(bk, row_tampered)
    tamper(row_tampered, "UPDATE patients SET family_name = 'Forged' WHERE id ="
                         " (SELECT min(id) FROM patients);")
    target = os.path.join(t.dir, "from-row-tampered.db")
    p = t.hatctl("restore", row_tampered, db=target)
    rep.check("restore refuses a backup with a row changed by hand, naming it",
              p.returncode == 1 and "table patients row" in p.err and not os.path.exists(target),
              p.out + p.err)

    # A backup that does not verify is not kept, and leaves no partial file.
    bad_src = os.path.join(t.dir, "to-tamper.db")
    copy_db(bk, bad_src)
    tamper(bad_src, "DROP TRIGGER audit_events_no_update;"
                    " UPDATE audit_events SET detail = '{}' WHERE seq = 2;")
    bad = os.path.join(t.dir, "backup-of-tampered.db")
    p = t.hatctl("backup", bad, db=bad_src)
    rep.check("a backup of a database that does not verify fails",
              p.returncode == 1 and "does not verify" in p.err, p.out + p.err)
    leftovers = [f for f in os.listdir(t.dir) if "backup-of-tampered" in f]
    rep.check("and leaves no file, partial or whole", leftovers == [], repr(leftovers))
    p = t.hatctl("backup", os.path.join(t.dir, "no-such-dir", "b.db"))
    rep.check("a backup into a folder that does not exist fails", p.returncode == 1,
              p.out + p.err)
    rep.eq("with the busy backup's patients",
           t.scalar("SELECT count(*) FROM patients WHERE family_name LIKE 'Busy%'", path=new),
           n_busy)
    t.vars["restored"] = new
    t.vars["live_count"] = len(live_patients)


def serve_restored(t):
    """hatd starts on the restored database and serves its patients."""
    t.start(db=t.vars["restored"])
    t.freeze_clock_today()
    n = t.scalar("SELECT count(*) FROM patients", path=t.vars["restored"])
    run_steps(t, [
        login("nurse logs in to the restored clinic", "nurse_r", NURSE, NURSE_PW),
        step("the restored clinic lists its patients", "GET", "/api/v1/patients?limit=500",
             as_="nurse_r", status=200,
             expect={"patients": lambda ps: len(ps) == n}),
        step("and takes new ones", "POST", "/api/v1/patients", person("Afterwards"),
             as_="nurse_r", status=201),
    ])
    t.stop("hatd on the restored database stops cleanly")
    p = verify(t, t.vars["restored"])
    t.report.check("the restored database still verifies after use", p.returncode == 0,
                   p.out + p.err)


def body(t):
    activity(t)
    p = verify(t, t.db_path)
    t.report.check("hatctl verify passes on the live database while hatd runs",
                   p.returncode == 0 and p.out.startswith("ok: "), p.out + p.err)
    if t.sqlite_only("hatctl backup and restore, and tampering with copies of the file"):
        return
    backup_restore(t)
    t.stop()
    tampering(t)
    triggers(t)
    serve_restored(t)


if __name__ == "__main__":
    sys.exit(main("test_audit_backup", body))
