"""test_integrity.py: every hand edit of every table is caught by `hatctl verify`.

A demo clinic (90 days of sessions) is topped up through the API with the
records the demo does not make (a settings change, a stopped prescription, a
risk discussion, a return, a stock-check discrepancy worked and escalated to
an incident, patient reads in the access log).  Then, for every table of the
schema, enumerated from the database itself and not from a hand list, on a
fresh copy each time with every trigger dropped, as an intruder with the
sqlite3 tool would:
  - each column of one row is changed,
  - one row is deleted,
  - one row is copied under a new id;
and `hatctl verify` must exit 1 and name the table.  The tables the
declaration calls ephemeral (`hatctl verify --tables`) are the only
exception, and the declaration must name every table in the schema.

Run by ctest as: python3 test_integrity.py --hatd PATH --hatctl PATH
"""
import base64
import os
import re
import shutil
import sqlite3
import struct
import zlib

import harness
from harness import ADMIN, ADMIN_PW, DEMO_PW, TestFailure, main

harness.TEST_TIMEOUT = 900  # hundreds of verifies, slower under the sanitizers


def must(r, what):
    if r.status not in (200, 201):
        raise TestFailure("%s failed: %d %s" % (what, r.status, r.short()))
    return r.json


def top_up(t):
    """Writes, through the API, the kinds of record the demo does not."""
    s = {}
    for u in ("dr.okafor", "nurse.patel", "nurse.byrne", "pharm.lindqvist", "mgr.hughes",
              "kw.mensah"):
        s[u], r = t.login(u, DEMO_PW[u])
        if not s[u]:
            raise TestFailure("%s cannot log in: %d %s" % (u, r.status, r.short()))

    def wit(u):
        return {"username": u, "password": DEMO_PW[u]}

    def call(method, path, body, who, what):
        return must(t.request(method, path, body, session=s[who]), what)

    patients = call("GET", "/api/v1/patients", None, "nurse.patel", "listing patients")
    pids = [p["id"] for p in patients["patients"]]
    for pid in pids[:3]:
        call("GET", "/api/v1/patients/%d" % pid, None, "nurse.patel", "reading a patient")
    call("PUT", "/api/v1/premises/1/settings", {"min_between_session_starts_min": 170},
         "mgr.hughes", "a settings change")
    call("POST", "/api/v1/patients/%d/risk-discussions" % pids[0],
         {"notes": "Discussed overdose risk and naloxone."}, "nurse.patel", "a risk discussion")
    call("POST", "/api/v1/returns",
         {"premises_id": 1, "patient_id": pids[1], "quantity": "1 ampoule",
          "description": "Ampoule brought back unopened", "witness": wit("nurse.byrne")},
         "nurse.patel", "a return")
    rx = t.scalar("SELECT id FROM prescriptions p WHERE patient_id = ? AND NOT EXISTS"
                  " (SELECT 1 FROM prescriptions q WHERE q.supersedes_id = p.id)"
                  " ORDER BY id DESC LIMIT 1", (pids[-2],))
    call("POST", "/api/v1/prescriptions/%d/stop" % rx, {"reason": "treatment plan changed"},
         "dr.okafor", "a prescription stopped")
    page, balance = t.query("SELECT page_id, balance_after FROM register_entries"
                            " ORDER BY id DESC LIMIT 1")[0]
    case = call("POST", "/api/v1/register/pages/%d/stock-checks" % page,
                {"counted": balance - 1, "witness": wit("nurse.patel")}, "pharm.lindqvist",
                "a stock check one short")["discrepancy_id"]
    call("POST", "/api/v1/discrepancies/%d/checks" % case,
         {"item": "recount", "finding": "Still one short."}, "pharm.lindqvist", "a checklist item")
    call("POST", "/api/v1/discrepancies/%d/escalate" % case,
         {"description": "One ampoule untraced."}, "pharm.lindqvist", "an escalation")
    call("POST", "/api/v1/register/pages/%d/prices" % page, {"price_pence": 1250},
         "pharm.lindqvist", "an ampoule's price")

    # Outcomes: corrections, a licence, settings, the person's own account.
    form = t.scalar("SELECT max(id) FROM outcome_forms")
    call("POST", "/api/v1/outcomes/%d/entered-in-error" % form, {"reason": "wrong patient"},
         "kw.mensah", "an outcome form entered in error")
    screen = t.scalar("SELECT max(id) FROM drug_screens")
    call("POST", "/api/v1/drug-screens/%d/entered-in-error" % screen, {"reason": "wrong label"},
         "kw.mensah", "a drug screen entered in error")
    call("POST", "/api/v1/instruments/licences",
         {"code": "swemwbs", "holder": "Riverside HAT Clinic", "reference": "WV-0001",
          "registered_on": "2026-01-01", "expires_on": "2030-01-01"}, "mgr.hughes",
         "an instrument licence")
    call("PUT", "/api/v1/outcome-settings", {"screen_negative_pct": 55}, "mgr.hughes",
         "an outcome setting")
    acct = call("POST", "/api/v1/patients/%d/service-user-accounts" % pids[2],
                {"username": "own.person", "display_name": "Own Person",
                 "password": "own-pass-0001", "consent": "Agreed at review, in person"},
                "kw.mensah", "a service-user account")["account_id"]
    me, r = t.login("own.person", "own-pass-0001")
    if not me:
        raise TestFailure("the service user cannot log in: %d %s" % (r.status, r.short()))
    must(t.request("POST", "/api/v1/me/notes", {"feeling": 4, "text": "A better week"},
                   session=me), "a note of the person's own")
    call("POST", "/api/v1/service-user-accounts/%d/close" % acct, {"reason": "asked to stop"},
         "kw.mensah", "an account closed")

    # The national return's details and a modality for one episode.
    ep = t.scalar("SELECT min(id) FROM episodes WHERE patient_id = ?", (pids[3],))
    start = t.scalar("SELECT date(referral_date * 86400, 'unixepoch') FROM episodes WHERE id = ?",
                     (ep,))
    call("POST", "/api/v1/episodes/%d/ndtms" % ep,
         {"consent": "Y", "local_authority": "Middlesbrough", "postcode": "TS1 3AB",
          "referral_source": "self", "triage_date": start, "care_plan_date": start},
         "kw.mensah", "the national return's details")
    call("POST", "/api/v1/episodes/%d/modalities" % ep,
         {"modality": "supervised_injectable_opioid", "start_date": start}, "kw.mensah",
         "a modality")

    # Flexibility: the settings, a planned absence for tomorrow with take-home
    # oral cover handed over and partly returned, a preferred window and
    # travel time, and a changed session for tomorrow.
    home = t.scalar("SELECT premises_id FROM patients WHERE id = ?", (pids[6],))
    call("PUT", "/api/v1/premises/%d/flex-settings" % home, {"oral_take_home_enabled": True},
         "mgr.hughes", "a flexibility setting")
    tomorrow = t.scalar("SELECT date(? + 86400, 'unixepoch')",
                        (t.scalar("SELECT max(at) FROM audit_events"),))
    away = call("POST", "/api/v1/patients/%d/planned-absences" % pids[6],
                {"from_date": tomorrow, "to_date": tomorrow, "reason": "court"}, "kw.mensah",
                "a planned absence")["id"]
    cover = call("POST", "/api/v1/planned-absences/%d/oral-cover" % away,
                 {"drug": "methadone_oral", "daily_dose_mg": 30, "mode": "take_home"},
                 "dr.okafor", "oral cover")["id"]
    call("POST", "/api/v1/oral-covers/%d/supplies" % cover, {"witness": wit("nurse.byrne")},
         "nurse.patel", "a take-home supply")
    call("POST", "/api/v1/oral-covers/%d/returns" % cover,
         {"amount_mg": 10, "witness": wit("nurse.byrne")}, "nurse.patel", "a return of cover")
    call("POST", "/api/v1/patients/%d/session-preferences" % pids[7],
         {"windows": ["morning"], "travel_min": 25}, "kw.mensah", "a session preference")
    call("POST", "/api/v1/patients/%d/session-changes" % pids[7],
         {"date": tomorrow, "from_window": "afternoon", "to_window": "morning"}, "kw.mensah",
         "a changed session")

    # Two identity photographs, one withdrawn (a deletion the chain records).
    png = base64.b64encode(tiny_png()).decode()
    for pid in pids[4:6]:
        call("PUT", "/api/v1/patients/%d/photo" % pid,
             {"content_type": "image/png", "image_base64": png}, "nurse.patel", "a photograph")
    call("POST", "/api/v1/patients/%d/photo/withdraw" % pids[5],
         {"reason": "consent withdrawn"}, "nurse.patel", "a photograph withdrawn")

    # Take-home (turned on, a prescriber's assessment, a staff contact) and a
    # guest day at a second premises.  No demo patient has the six months a
    # take-home supply needs, so supplies and their returns stay empty here
    # (test_takehome.py tampers with nothing but writes them).
    call("PUT", "/api/v1/premises/1/take-home-settings",
         {"enabled": True, "jurisdiction_basis": "Test: a jurisdiction that allows it"},
         "mgr.hughes", "take-home turned on")
    call("POST", "/api/v1/patients/%d/take-home/assessments" % pids[0],
         {"kind": "stability", "outcome": "stable"}, "dr.okafor", "a stability assessment")
    call("POST", "/api/v1/patients/%d/contacts" % pids[0],
         {"kind": "phone", "at": t.clock()}, "kw.mensah", "a staff contact")
    north = call("POST", "/api/v1/premises", {"name": "North Site", "address": "2 North Road"},
                 "mgr.hughes", "a second premises")
    north_id = (north.get("premises") or north).get("id")
    call("POST", "/api/v1/patients/%d/guest-authorisations" % pids[0],
         {"premises_id": north_id, "dates": [t.clock()[:10]]}, "dr.okafor", "a guest day")

    # A role held at one premises only (user_premises_roles).
    s["admin"], r = t.login(ADMIN, ADMIN_PW)
    if not s["admin"]:
        raise TestFailure("admin cannot log in: %d %s" % (r.status, r.short()))
    call("POST", "/api/v1/users/%d/premises-roles" % s["nurse.patel"].user_id,
         {"premises_id": north_id, "role": "keyworker"}, "admin", "a role at one premises")


def tiny_png(w=32, h=32):
    """A small real PNG, made here: the photo check reads its header and
    wants more than a token's worth of bytes."""
    raw = b"".join(b"\x00" + b"".join(bytes(((x * y) % 256, (x * 7) % 256, (y * 13) % 256))
                                       for x in range(w)) for y in range(h))

    def chunk(kind, data):
        c = struct.pack(">I", len(data)) + kind + data
        return c + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def declaration(t):
    p = t.hatctl("verify", "--tables", check=True)
    out = {}
    for line in p.out.splitlines():
        name, kind, ignored = (line.split("\t") + ["", ""])[:3]
        out[name] = (kind, [c for c in ignored.split(",") if c])
    return out


def allowed(table_sql, col):
    """The values a CHECK (col IN (...)) allows, read from the schema."""
    m = re.search(r"CHECK \(\s*%s\s+IN \(([^)]*)\)" % re.escape(col), table_sql or "")
    return re.findall(r"'([^']*)'", m.group(1)) if m else []


def candidates(v, others, top=None):
    """New values for a column now holding v, the likeliest to pass its
    constraints first: the column's own other values (or those its CHECK
    allows), a value not yet taken, then small changes."""
    out = [o for o in others if o != v]
    if isinstance(v, int):
        out += ([top + 1] if isinstance(top, int) else []) + \
            [v + 1, v - 1, 1 - v if v in (0, 1) else v + 7, None]
    elif isinstance(v, float):
        out += [v + 0.5, None]
    elif isinstance(v, str):
        out += [v + "x", "x", None]
    elif isinstance(v, bytes):
        out += [bytes([v[0] ^ 1]) + v[1:] if v else b"x", None]
    else:
        out += [1, "x"]
    return out


class Tamper:
    def __init__(self, t, base):
        self.t = t
        self.base = base
        self.n = 0

    def attempt(self, what, edit):
        """Copies the base, drops the triggers, runs edit(db) (which returns
        False when no edit could be made), then verifies.  Returns the
        verify run, or None when the edit was impossible."""
        self.n += 1
        path = os.path.join(self.t.dir, "tamper.db")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.unlink(path + suffix)
        shutil.copyfile(self.base, path)
        db = sqlite3.connect(path, isolation_level=None)
        try:
            for (name,) in db.execute("SELECT name FROM sqlite_schema WHERE type = 'trigger'")\
                    .fetchall():
                db.execute('DROP TRIGGER "%s"' % name)
            made = edit(db)
        finally:
            db.close()
        if not made:
            return None
        return self.t.hatctl("verify", db=path)


def rows_of(db, table, limit=20):
    return db.execute('SELECT * FROM "%s" LIMIT %d' % (table, limit)).fetchall()


def try_update(db, table, col, key_sql, key, values):
    for v in values:
        try:
            db.execute('UPDATE "%s" SET "%s" = ? WHERE %s' % (table, col, key_sql), (v,) + key)
            if db.total_changes:
                return True
        except sqlite3.DatabaseError:
            continue
    return False


def tampering(t):
    t.stop("hatd stops before its database is copied")
    base = os.path.join(t.dir, "base.db")
    src = sqlite3.connect(t.db_path)
    dst = sqlite3.connect(base)
    src.backup(dst)
    dst.close()
    src.close()
    decl = declaration(t)
    db = sqlite3.connect(base)
    tables = [r[0] for r in db.execute(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " ORDER BY name")]
    undeclared = [n for n in tables if n not in decl]
    t.report.check("the declaration names every table in the schema (%d)" % len(tables),
                   not undeclared, "undeclared: %r" % undeclared)
    gone = [n for n in decl if n not in tables]
    t.report.check("and nothing the schema lacks", not gone, "declared but missing: %r" % gone)
    tm = Tamper(t, base)
    empty = []
    for table in tables:
        kind, ignored = decl.get(table, ("", []))
        if kind == "ephemeral":
            continue
        info = db.execute('SELECT name, pk FROM pragma_table_info("%s")' % table).fetchall()
        table_sql = db.execute("SELECT sql FROM sqlite_schema WHERE name = ?",
                               (table,)).fetchone()[0]
        uniques = []
        for (iname, origin) in db.execute(
                'SELECT name, origin FROM pragma_index_list("%s") WHERE "unique"' % table):
            uniques.append([r[0] for r in db.execute(
                'SELECT name FROM pragma_index_info("%s")' % iname)])
        pk_cols = [c for c, pk in info if pk]
        int_pk = pk_cols[0] if len(pk_cols) == 1 and re.search(
            r"\b%s\s+INTEGER PRIMARY KEY" % pk_cols[0], table_sql) else None
        cols = [c for c, _ in info]
        pks = [c for c, pk in sorted(info, key=lambda x: x[1]) if pk]
        without_rowid = db.execute("SELECT sql LIKE '%WITHOUT ROWID%' FROM sqlite_schema"
                                   " WHERE name = ?", (table,)).fetchone()[0]
        if without_rowid:
            key_cols = pks
        else:
            key_cols = ["rowid"]
        sample = db.execute('SELECT %s, * FROM "%s" ORDER BY %s LIMIT 1 OFFSET'
                            ' (SELECT count(*) / 2 FROM "%s")' % (
                                ", ".join('"%s"' % k if k != "rowid" else "rowid"
                                          for k in key_cols), table,
                                ", ".join(key_cols), table)).fetchone()
        if not sample:
            empty.append(table)
            continue
        key = tuple(sample[:len(key_cols)])
        row = dict(zip(cols, sample[len(key_cols):]))
        key_sql = " AND ".join(('"%s" = ?' % k) if k != "rowid" else "rowid = ?"
                               for k in key_cols)

        def expect_caught(what, p):
            if p is None:
                t.report.fail("%s.%s: no edit could be made" % (table, what))
                return
            t.report.check("%s: %s changed by hand is caught and the table named" % (table, what),
                           p.returncode == 1 and table in p.out,
                           "exit %d\n%s%s" % (p.returncode, p.out[-1500:], p.err[-500:]))

        for col in cols:
            if col in ignored:
                continue
            others = [r[0] for r in db.execute(
                'SELECT DISTINCT "%s" FROM "%s" LIMIT 12' % (col, table))] + \
                allowed(table_sql, col)
            top = db.execute('SELECT max("%s") FROM "%s"' % (col, table)).fetchone()[0]
            if table == "audit_head" and col == "id":
                t.report.ok("audit_head.id: pinned to 1 by its own CHECK; nothing to change")
                continue
            values = candidates(row[col], others, top)
            expect_caught("column %s" % col, tm.attempt(
                "%s.%s" % (table, col),
                lambda d, col=col, values=values: try_update(d, table, col, key_sql, key,
                                                             values)))

        def delete(d):
            d.execute('DELETE FROM "%s" WHERE %s' % (table, key_sql), key)
            return d.total_changes > 0
        expect_caught("one row deleted", tm.attempt("%s delete" % table, delete))

        def duplicate(d):
            """The row again under a new id (max + 1), with one column of each
            unique key moved to a value not yet taken."""
            copy = dict(row)
            if int_pk:
                copy[int_pk] = d.execute('SELECT max("%s") FROM "%s"' % (
                    int_pk, table)).fetchone()[0] + 1
            for key_cols in uniques:
                col = ([c for c in key_cols if isinstance(copy[c], str) and
                        not allowed(table_sql, c)] + key_cols)[0]
                if isinstance(copy[col], str):
                    copy[col] = copy[col] + " (copy)"
                elif isinstance(copy[col], int):
                    copy[col] = copy[col] + 1000000
            names = ", ".join('"%s"' % x for x in cols)
            vals = ", ".join("?" * len(cols))
            try:
                d.execute('INSERT INTO "%s" (%s) VALUES (%s)' % (table, names, vals),
                          tuple(copy[x] for x in cols))
            except sqlite3.DatabaseError as e:
                t.report.fail("%s: the copy was refused: %s" % (table, e))
                return False
            return True
        if table == "audit_head":
            t.report.ok("audit_head: a second head is refused by its own constraint (id = 1)")
        else:
            expect_caught("one row copied under a new id", tm.attempt("%s dup" % table,
                                                                      duplicate))
    db.close()
    t.report.check("the clinic exercised every table but a few (%d empty: %s)" % (
        len(empty), ", ".join(empty)), len(empty) <= 3, "empty: %r" % empty)
    t.report.check("hundreds of edits were tried (%d)" % tm.n, tm.n >= 200)
    p = t.hatctl("verify", db=base)
    t.report.check("the untouched copy still verifies", p.returncode == 0, p.out + p.err)
    t.start()


def anchor(t):
    """The outside anchor: a head written down earlier must stay in the chain."""
    p = t.hatctl("verify", check=True)
    head = [ln.split(": ", 1)[1] for ln in p.out.splitlines() if ln.startswith("chain head: ")]
    t.report.check("verify prints the chain head", len(head) == 1, p.out)
    seq, digest = head[0].split(":")
    p = t.hatctl("verify", "--since", head[0])
    t.report.check("--since the current head passes", p.returncode == 0, p.out + p.err)
    wrong = "%s:%s" % (seq, ("0" if digest[0] != "0" else "1") + digest[1:])
    p = t.hatctl("verify", "--since", wrong)
    t.report.check("--since a head the chain does not hold fails",
                   p.returncode == 1 and "was rewritten" in p.out, p.out + p.err)
    p = t.hatctl("verify", "--since", "%d:%s" % (int(seq) + 1000000, digest))
    t.report.check("--since a head past the end fails (the record was replaced)",
                   p.returncode == 1 and "no longer holds event" in p.out, p.out + p.err)
    # The record grows after the head was written down: --since checks
    # only what came after, and catches an edit to it.
    nurse, r = t.login("nurse.patel", DEMO_PW["nurse.patel"])
    pid = t.scalar("SELECT min(id) FROM patients")
    must(t.request("POST", "/api/v1/patients/%d/risk-discussions" % pid,
                   {"notes": "After the head."}, session=nurse), "a risk discussion")
    must(t.request("GET", "/api/v1/patients/%d" % pid, session=nurse), "a read")
    p = t.hatctl("verify", "--since", head[0])
    t.report.check("--since a head, after more was written, passes and says how much it walked",
                   p.returncode == 0 and "ok since event %s" % seq in p.out, p.out + p.err)
    later = t.scalar("SELECT max(id) FROM risk_discussions")
    copy = os.path.join(t.dir, "since.db")
    src = sqlite3.connect(t.db_path)
    dst = sqlite3.connect(copy)
    src.backup(dst)
    dst.close()
    src.close()
    db = sqlite3.connect(copy, isolation_level=None)
    db.execute("DROP TRIGGER risk_discussions_no_update")
    db.execute("UPDATE risk_discussions SET notes = 'changed' WHERE id = ?", (later,))
    db.execute("INSERT INTO premises (name, address, created_at) VALUES ('Ghost', 'x', 1)")
    db.close()
    p = t.hatctl("verify", "--since", head[0], db=copy)
    t.report.check("--since catches a row written after the head and changed by hand",
                   p.returncode == 1 and "table risk_discussions row %d: row_changed" % later
                   in p.out, p.out + p.err)
    t.report.check("and a row inserted behind hat's back since",
                   "table premises row" in p.out and "row_unaccounted" in p.out, p.out)
    p = t.hatctl("verify", "--since", "nonsense")
    t.report.check("--since needs SEQ:HASH", p.returncode == 2, p.out + p.err)
    # A whole rewrite: a fresh clinic verifies on its own, but not against
    # the head written down for this one.
    other = os.path.join(t.dir, "other.db")
    t.hatctl("init", "--clinic", "Forged", "--admin", "mallory", "--password",
             "forged-pass-0001", db=other, check=True)
    p = t.hatctl("verify", db=other)
    t.report.check("a freshly made file verifies on its own", p.returncode == 0, p.out + p.err)
    p = t.hatctl("verify", "--since", head[0], db=other)
    t.report.check("but not against the head written down for the real one",
                   p.returncode == 1, p.out + p.err)


def body(t):
    top_up(t)
    t.report.check("reads reached the access log",
                   t.scalar("SELECT count(*) FROM access_log") >= 3)
    if t.sqlite_only("the anchor and tampering, on copies of the file"):
        return
    anchor(t)
    tampering(t)


if __name__ == "__main__":
    raise SystemExit(main("test_integrity", body))
