"""test_register_verify.py: a week of dosing against the register, hatctl
verify and tampering, and the register as an inspector reads it.

Run by ctest as: python3 test_register_verify.py --hatd PATH --hatctl PATH

A simulated week at the test's own premises: four patients, both sessions,
five days, doses of many sizes.  Every dose's ampoules are checked against
an independent search for the least waste and then the fewest ampoules, the
stock is tallied from the dose answers, and at the end two people count
every page: each count matches the register (no discrepancy) and
`hatctl verify` passes.  Then the database's triggers refuse UPDATE and
DELETE on the register, and copies of the database are tampered with by
hand (triggers dropped): verify exits 1 naming the entry, the page or the
administration.  Last, the printable HTML, the CSV and `hatctl register
print` (text, CSV, HTML) are read back against the JSON view.
"""
import csv
import html.parser
import io
import itertools
import os
import re
import sqlite3
import sys

from harness import dig, main
from test_register import Clinic, dstr

# Received on day 0: strength mg -> [(batch, count, expiry day)].
STOCK = {
    100: [("W100-A", 25, 200), ("W100-B", 25, 300)],
    30: [("W30", 40, 300)],
    10: [("W10", 40, 300)],
    5: [("W5", 30, 300)],
}

# Each patient's doses through the week, morning and afternoon in turn.
AMOUNTS = [
    [230, 175, 120, 85, 200, 145, 65, 250, 95, 40],
    [100, 100, 150, 150, 200, 200, 180, 180, 210, 210],
    [55, 70, 135, 240, 12, 105, 160, 125, 90, 37],
    [250, 250, 225, 225, 190, 190, 45, 45, 90.001, 142.5],
]
DAYS = 5


def best_choice(avail, dose_ug):
    """The least waste (ug), then the fewest ampoules, by brute force over
    the counts of each strength (avail: mg -> ampoules usable)."""
    strengths = sorted(avail, reverse=True)
    best = None
    ranges = [range(0, min(avail[s], -(-dose_ug // (s * 1000))) + 1) for s in strengths]
    for counts in itertools.product(*ranges):
        content = sum(n * s * 1000 for n, s in zip(counts, strengths))
        if content < dose_ug:
            continue
        key = (content - dose_ug, sum(counts))
        if best is None or key < best:
            best = key
    return best


def mg_text(ug):
    """Micrograms as mg, exactly: 4999 -> "4.999", 90000 -> "90"."""
    return ("%d.%03d" % (ug // 1000, ug % 1000)).rstrip("0").rstrip(".")


class TextOf(html.parser.HTMLParser):
    """Each page section's heading and its table rows, as text."""

    def __init__(self):
        super().__init__()
        self.sections = []
        self.h1 = ""
        self.where = None
        self.cell = None
        self.row = None
        self.paras = []

    def handle_starttag(self, tag, attrs):
        if tag == "section":
            self.sections.append({"heading": "", "rows": [], "head": [], "paras": []})
        elif tag in ("h1", "h2", "p"):
            self.where = tag
            if tag == "p":
                self.paras.append("")
        elif tag == "tr":
            self.row = []
        elif tag in ("td", "th"):
            self.cell = ""

    def handle_endtag(self, tag):
        if tag in ("h1", "h2", "p"):
            if tag == "p" and self.sections:
                self.sections[-1]["paras"].append(self.paras[-1])
            self.where = None
        elif tag in ("td", "th") and self.row is not None:
            self.row.append((tag, self.cell))
            self.cell = None
        elif tag == "tr" and self.row is not None and self.sections:
            if all(k == "th" for k, _ in self.row):
                self.sections[-1]["head"] = [v for _, v in self.row]
            else:
                self.sections[-1]["rows"].append([v for _, v in self.row])
            self.row = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data
        elif self.where == "h1":
            self.h1 += data
        elif self.where == "h2" and self.sections:
            self.sections[-1]["heading"] += data
        elif self.where == "p":
            self.paras[-1] += data


# ---------------------------------------------------------------------------
# A week of dosing


def week(c):
    c.at(0, "07:00:00")
    c.setup("Week Clinic")
    lots = {}
    received = {}
    for mg, batches in sorted(STOCK.items()):
        for batch, n, exp in batches:
            e = c.receive(mg, n, batch, exp)
            lots[e.get("lot_id")] = mg
            received[mg] = received.get(mg, 0) + n
    families = ["Ashdown", "Brennan", "Cartwright", "Dunmore"]
    pids = []
    for fam in families:
        pid = c.patient(fam, address="%d Canal Street, Testtown TT4 1AA" % (len(pids) + 1))
        c.rx(pid, session_mg=250, daily_mg=500)
        pids.append(pid)
    avail = dict(received)
    taken = {mg: 0 for mg in received}
    given_total = 0
    optimal = []
    last_adm = None
    for d in range(1, DAYS + 1):
        for session, hms in ((0, "08:30:00"), (1, "15:00:00")):
            c.at(d, hms)
            for i, pid in enumerate(pids):
                mg = AMOUNTS[i][(d - 1) * 2 + session]
                ug = int(round(mg * 1000))
                want = best_choice({s: n for s, n in avail.items() if n > 0}, ug)
                c.ready(pid, "day %d %s, %s" % (d, hms[:5], families[i]))
                r = c.dose(pid, mg, "day %d %s: %s is given %s mg" % (
                    d, hms[:5], families[i], mg))
                es = dig(r.json, "detail.register_entries") or []
                waste = sum(e["wasted_ug"] for e in es)
                count = sum(e["ampoules"] for e in es)
                given = sum(e["given_ug"] for e in es)
                content = sum(e["ampoules"] * e["strength_ug"] for e in es)
                ok = (want is not None and (waste, count) == want
                      and given == ug and content == given + waste
                      and all(lots.get(e["lot_id"]) == e["strength_ug"] // 1000 for e in es))
                optimal.append(ok or (mg, want, [(e["strength_ug"], e["ampoules"],
                                                  e["wasted_ug"]) for e in es]))
                for e in es:
                    avail[e["strength_ug"] // 1000] -= e["ampoules"]
                    taken[e["strength_ug"] // 1000] += e["ampoules"]
                given_total += given
                last_adm = dig(r.json, "detail.administration_id")
        if d == 3:
            # A mid-week check of every page, by a nurse and a pharmacist.
            c.at(d, "17:45:00")
            for mg, p in sorted(c.pages().items()):
                c.call("mid-week count of the %d mg page matches" % mg, "nurse", "POST",
                       "/api/v1/register/pages/%d/stock-checks" % p["id"],
                       {"counted": received[mg] - taken[mg], "witness": c.wit("pharm")},
                       status=201, expect={"difference": 0, "discrepancy_id": 0})
    c.eq("every dose of the week took the least waste, then the fewest ampoules",
         [x for x in optimal if x is not True], [])
    c.eq("doses given", len(optimal), DAYS * 2 * len(pids))

    # A replayed dose (same Idempotency-Key) takes no second ampoule.
    c.at(DAYS + 1, "08:30:00")
    c.ready(pids[0], "replay")
    body = {"amount_mg": 60, "route": "iv", "site": "arm_left", "identity_confirmed": True,
            "witness": c.wit("nurse2")}
    key = {"Idempotency-Key": "register-replay-1"}
    r1 = c.t.request("POST", "/api/v1/patients/%d/administrations" % pids[0], body,
                     headers=key, session=c.s["nurse"])
    n = c.scalar("SELECT count(*) FROM register_entries")
    r2 = c.t.request("POST", "/api/v1/patients/%d/administrations" % pids[0], body,
                     headers=key, session=c.s["nurse"])
    c.eq("the replay answers the first dose", (r1.status, r2.status,
                                               dig(r2.json, "detail.administration_id")),
         (201, 201, dig(r1.json, "detail.administration_id")))
    c.eq("the replay wrote no register entry", c.scalar("SELECT count(*) FROM register_entries"),
         n)
    for e in dig(r1.json, "detail.register_entries") or []:
        avail[e["strength_ug"] // 1000] -= e["ampoules"]
        taken[e["strength_ug"] // 1000] += e["ampoules"]
    given_total += 60000
    last_adm = dig(r1.json, "detail.administration_id")

    # The end of the week: two people count every page.
    c.at(DAYS + 1, "18:00:00")
    bal = c.balances()
    c.eq("each page's balance = received - the ampoules the doses took",
         bal, {mg: received[mg] - taken[mg] for mg in received})
    cases = c.counts()["discrepancies"]
    for mg, p in sorted(c.pages().items()):
        c.call("the week's count of the %d mg page matches the register" % mg, "pharm", "POST",
               "/api/v1/register/pages/%d/stock-checks" % p["id"],
               {"counted": received[mg] - taken[mg], "witness": c.wit("nurse")}, status=201,
               expect={"expected": received[mg] - taken[mg], "difference": 0,
                       "discrepancy_id": 0})
    c.eq("no discrepancy was opened", c.counts()["discrepancies"], cases)
    c.eq("the register's mg given = the administrations' mg", c.query(
        "SELECT (SELECT sum(e.given_ug) FROM register_entries e JOIN register_pages p"
        " ON p.id = e.page_id WHERE p.premises_id = ?1),"
        " (SELECT sum(amount_ug) FROM administrations WHERE premises_id = ?1"
        " AND kind = 'injection')", (c.premises,)), [(given_total, given_total)])
    c.eq("every administration has its register entries", c.scalar(
        "SELECT count(*) FROM administrations a WHERE a.premises_id = ? AND NOT EXISTS"
        " (SELECT 1 FROM register_entries e WHERE e.administration_id = a.id)",
        (c.premises,)), 0)
    p = c.t.hatctl("verify")
    c.ok("hatctl verify passes after the week", p.returncode == 0 and "ok:" in p.out,
         p.out + p.err)
    return {"pids": pids, "last_adm": last_adm}


# ---------------------------------------------------------------------------
# Append-only and tampering


def copy_db(t, name):
    """A consistent copy of the live database (hatd keeps running)."""
    path = os.path.join(t.dir, name)
    src = t.db()
    dst = sqlite3.connect(path)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    return path


def tamper(c, w):
    t = c.t
    conn = t.connect_rw(timeout=5)
    try:
        for table in ("register_entries", "stock_checks"):
            for sql in ("UPDATE %s SET id = id" % table, "DELETE FROM %s" % table):
                try:
                    conn.execute(sql)
                    conn.commit()
                    c.ok("the database refuses: %s" % sql, False, "it was allowed")
                except sqlite3.DatabaseError as e:
                    conn.rollback()
                    c.ok("the database refuses: %s" % sql, "append-only" in str(e), str(e))
    finally:
        conn.close()
    c.ok("the live register is intact", t.hatctl("verify").returncode == 0)

    def edit(name, *sqls):
        path = copy_db(t, name)
        db = sqlite3.connect(path)
        try:
            db.execute("DROP TRIGGER register_entries_no_update")
            db.execute("DROP TRIGGER register_entries_no_delete")
            for sql, params in sqls:
                db.execute(sql, params)
            db.commit()
        finally:
            db.close()
        return t.hatctl("verify", db=path)

    p = edit("control.db")
    c.ok("a copy with the triggers dropped but nothing changed still verifies",
         p.returncode == 0, p.out + p.err)

    # An administration entry in the middle of a page: its quantity.
    row = c.query("SELECT e.id, e.page_id FROM register_entries e JOIN register_pages p"
                  " ON p.id = e.page_id WHERE p.premises_id = ? AND e.kind = 'administration'"
                  " ORDER BY e.id LIMIT 1 OFFSET 10", (c.premises,))
    eid, page = row[0]
    p = edit("qty.db", ("UPDATE register_entries SET qty = qty + 1 WHERE id = ?", (eid,)))
    c.eq("one entry's quantity changed: verify exits 1", p.returncode, 1)
    c.ok("and names the page and the entry",
         "register page %d: entry %d " % (page, eid) in p.out, p.out + p.err)

    row = c.query("SELECT e.id, e.page_id FROM register_entries e JOIN register_pages p"
                  " ON p.id = e.page_id WHERE p.premises_id = ? AND e.kind = 'receipt'"
                  " ORDER BY e.id LIMIT 1", (c.premises,))
    eid, page = row[0]
    p = edit("balance.db",
             ("UPDATE register_entries SET balance_after = balance_after + 1 WHERE id = ?",
              (eid,)))
    c.eq("one entry's balance changed: verify exits 1", p.returncode, 1)
    c.ok("and names the page and the entry",
         "register page %d: entry %d " % (page, eid) in p.out, p.out + p.err)

    # Both the quantity and the balance of the page's last entry, so the
    # arithmetic of the last step alone still has to catch it.
    row = c.query("SELECT e.id, e.page_id FROM register_entries e JOIN register_pages p"
                  " ON p.id = e.page_id WHERE p.premises_id = ? ORDER BY e.id DESC LIMIT 1",
                  (c.premises,))
    eid, page = row[0]
    p = edit("last.db", ("UPDATE register_entries SET qty = qty + 1 WHERE id = ?", (eid,)))
    c.ok("the last entry's quantity changed: verify names it",
         p.returncode == 1 and "entry %d " % eid in p.out, p.out + p.err)

    # The waste arithmetic of one administration entry (rule 14).
    row = c.query("SELECT e.id, e.page_id FROM register_entries e JOIN register_pages p"
                  " ON p.id = e.page_id WHERE p.premises_id = ? AND e.kind = 'administration'"
                  " AND e.wasted_ug > 0 ORDER BY e.id LIMIT 1", (c.premises,))
    eid, page = row[0]
    p = edit("waste.db", ("UPDATE register_entries SET wasted_ug = wasted_ug - 1000"
                          " WHERE id = ?", (eid,)))
    c.ok("an entry's mg wasted changed: verify names the entry", p.returncode == 1 and
         "register page %d: entry %d: given and wasted" % (page, eid) in p.out, p.out + p.err)

    # A lot's contents after an entry.
    row = c.query("SELECT e.id, e.lot_id FROM register_entries e JOIN register_pages p"
                  " ON p.id = e.page_id WHERE p.premises_id = ? AND e.kind = 'administration'"
                  " ORDER BY e.id LIMIT 1 OFFSET 3", (c.premises,))
    eid, lot = row[0]
    p = edit("lot.db", ("UPDATE register_entries SET lot_after = lot_after + 1 WHERE id = ?",
                        (eid,)))
    c.ok("an entry's lot contents changed: verify names the entry and the lot",
         p.returncode == 1 and "register entry %d: lot %d " % (eid, lot) in p.out,
         p.out + p.err)

    # A consistent rewrite: one entry's quantity changed and every later
    # balance on its page moved to match, so the page's arithmetic holds.
    # Only the audit chain's fingerprint of the entry can catch it.
    row = c.query("SELECT e.id, e.page_id, e.seq FROM register_entries e JOIN register_pages p"
                  " ON p.id = e.page_id WHERE p.premises_id = ? AND e.kind = 'receipt'"
                  " ORDER BY e.id LIMIT 1", (c.premises,))
    eid, page, seq = row[0]
    p = edit("consistent.db",
             ("UPDATE register_entries SET qty = qty + 1 WHERE id = ?", (eid,)),
             ("UPDATE register_entries SET balance_after = balance_after + 1"
              " WHERE page_id = ? AND seq >= ?", (page, seq)),
             ("UPDATE register_entries SET lot_after = lot_after + 1 WHERE lot_id ="
              " (SELECT lot_id FROM register_entries WHERE id = ?) AND id >= ?", (eid, eid)))
    c.eq("a consistent rewrite of a page: verify exits 1", p.returncode, 1)
    c.ok("and names the entry whose fingerprint no longer matches the chain",
         "table register_entries row %d: row_changed" % eid in p.out,
         p.out + p.err)

    # The amount an administration records, against its register entries.
    adm = c.scalar("SELECT id FROM administrations WHERE premises_id = ? AND kind = 'injection'"
                   " ORDER BY id LIMIT 1 OFFSET 7", (c.premises,))
    p = edit("amount.db", ("DROP TRIGGER administrations_no_update", ()),
             ("UPDATE administrations SET amount_ug = amount_ug + 10000 WHERE id = ?", (adm,)))
    c.ok("a dose's amount changed by hand: verify names the administration",
         p.returncode == 1 and "administration %d does not match" % adm in p.out, p.out + p.err)

    # The last dose's entries, which are the last on their pages.
    adm = w["last_adm"]
    last_on_pages = c.scalar(
        "SELECT count(*) FROM register_entries e WHERE e.administration_id = ? AND e.seq <"
        " (SELECT max(seq) FROM register_entries x WHERE x.page_id = e.page_id)", (adm,))
    c.eq("(the last dose's entries end their pages)", last_on_pages, 0)
    p = edit("orphan.db", ("DELETE FROM register_entries WHERE administration_id = ?", (adm,)))
    c.eq("a dose without its register entries: verify exits 1", p.returncode, 1)
    c.ok("and names the administration", "administration %d has no register entry" % adm
         in p.out, p.out + p.err)

    # A dose earlier in the week: removing its entries breaks its pages too.
    row = c.query("SELECT a.id, min(e.page_id) FROM administrations a JOIN register_entries e"
                  " ON e.administration_id = a.id WHERE a.premises_id = ?"
                  " GROUP BY a.id ORDER BY a.id LIMIT 1 OFFSET 5", (c.premises,))
    adm, page = row[0]
    p = edit("gap.db", ("DELETE FROM register_entries WHERE administration_id = ?", (adm,)))
    c.eq("an earlier dose's entries removed: verify exits 1", p.returncode, 1)
    c.ok("and names a page the entries were removed from",
         "register page %d:" % page in p.out or "administration %d" % adm in p.out,
         p.out + p.err)

    # The open lots a dose chooses from are state the commands keep: a lot
    # left out (as if emptied) or an emptied one put back is found by the
    # derived check, named by lot, even when the row check is satisfied.
    lot = c.scalar("SELECT o.lot_id FROM open_lots o JOIN register_pages p ON p.id = o.page_id"
                   " WHERE p.premises_id = ? ORDER BY o.lot_id LIMIT 1", (c.premises,))
    c.ok("the premises has open lots", lot is not None)
    p = edit("open_lot_gone.db", ("DELETE FROM open_lots WHERE lot_id = ?", (lot,)))
    c.eq("an open lot removed: verify exits 1", p.returncode, 1)
    c.ok("and names the lot", "stock lot %d: the open lots" % lot in p.out, p.out + p.err)
    empty = c.scalar("SELECT l.id FROM stock_lots l WHERE NOT EXISTS"
                     " (SELECT 1 FROM open_lots o WHERE o.lot_id = l.id) ORDER BY l.id LIMIT 1")
    if empty is not None:
        p = edit("open_lot_back.db",
                 ("INSERT INTO open_lots (lot_id, page_id, expiry_date) SELECT id, page_id,"
                  " expiry_date FROM stock_lots WHERE id = ?", (empty,)))
        c.eq("an emptied lot put back among the open: verify exits 1", p.returncode, 1)
        c.ok("and names the lot", "stock lot %d: the open lots" % empty in p.out,
             p.out + p.err)
    p = edit("open_lot_expiry.db",
             ("UPDATE open_lots SET expiry_date = expiry_date + 365 WHERE lot_id = ?", (lot,)))
    c.eq("an open lot's expiry moved: verify exits 1", p.returncode, 1)


# ---------------------------------------------------------------------------
# The register as an inspector reads it


def printed(c):
    t = c.t
    rng = "premises_id=%d&from=%s&to=%s" % (c.premises, dstr(0), dstr(c.now_day))
    access = c.scalar("SELECT count(*) FROM access_log")
    view = c.call("the auditor reads the register", "auditor", "GET", "/api/v1/register?" + rng,
                  status=200).json or {}
    c.ok("reading the register is in the access log",
         c.scalar("SELECT count(*) FROM access_log") > access)
    pages = view.get("pages", [])
    c.eq("one page per strength, each with its heading",
         sorted((p["strength_ug"] // 1000, p["heading"]) for p in pages),
         sorted((mg, "Schedule 2 controlled drug: diamorphine hydrochloride %d mg powder for"
                 " solution for injection" % mg) for mg in STOCK))
    total = sum(len(p["entries"]) for p in pages)
    c.eq("the view holds every entry of the premises", total, c.scalar(
        "SELECT count(*) FROM register_entries e JOIN register_pages p ON p.id = e.page_id"
        " WHERE p.premises_id = ?", (c.premises,)))
    for p in pages:
        c.eq("page %d's entries are in order with a running balance" % p["id"],
             [(e["seq"], e["balance_after"]) for e in p["entries"]][-1:],
             [(len(p["entries"]), p["balance"])])
    c.call("a bad format", "auditor", "GET", "/api/v1/register?format=pdf&" + rng,
           status=400, code="invalid_query")

    # A long period is read in pages: limit entries a page, then after_seq.
    big = max(pages, key=lambda p: len(p["entries"])) if pages else {"id": 0, "entries": []}
    got, after, rounds = [], 0, 0
    while after is not None and rounds < 100:
        part = c.call("the register a page at a time", "auditor", "GET",
                      "/api/v1/register?%s&page_id=%d&limit=7&after_seq=%d"
                      % (rng, big["id"], after), status=200).json or {}
        entries = (part.get("pages") or [{}])[0].get("entries") or []
        c.ok("each part holds at most the limit", len(entries) <= 7, len(entries))
        got += [e["seq"] for e in entries]
        after = (part.get("pages") or [{}])[0].get("next_after_seq")
        rounds += 1
    c.eq("the parts together are the page, in order, once each", got,
         [e["seq"] for e in big["entries"]])
    c.ok("the page took more than one part", rounds > 1, rounds)
    for bad in ("limit=0", "limit=5001", "limit=x", "after_seq=-1"):
        c.call("a bad %s" % bad, "auditor", "GET", "/api/v1/register?%s&%s" % (rng, bad),
               status=400, code="invalid_query")

    # Printable HTML.
    r = c.call("the printable register", "auditor", "GET", "/api/v1/register?format=html&" + rng,
               status=200)
    c.eq("it is HTML", (r.header("Content-Type") or "").split(";")[0], "text/html")
    doc = TextOf()
    doc.feed(r.body.decode("utf-8", "replace"))
    c.eq("the HTML's title", doc.h1, "Controlled drugs register")
    html = r.body.decode("utf-8", "replace")
    m = re.search(r"Audit chain head when printed: <code>(\d+:[0-9a-f]{64})</code>", html)
    c.ok("the printout carries the chain head, as an anchor kept off the file", bool(m), html[-600:])
    if m:
        p = c.t.hatctl("verify", "--since", m.group(1))
        c.ok("and verify --since that head passes", p.returncode == 0, p.out + p.err)
    c.eq("each page's heading at the top of its section", [s["heading"] for s in doc.sections],
         [p["heading"] for p in pages])
    c.eq("each section holds one row per entry", [len(s["rows"]) for s in doc.sections],
         [len(p["entries"]) for p in pages])
    c.eq("each section states the balance", [s["paras"][:1] for s in doc.sections],
         [["Balance now: %d ampoules" % p["balance"]] for p in pages])
    sec = {s["heading"]: s for s in doc.sections}
    p100 = [p for p in pages if p["strength_ug"] == 100000][0]
    rows = sec.get(p100["heading"], {}).get("rows", [])
    c.eq("the HTML's columns", sec.get(p100["heading"], {}).get("head"),
         ["Date", "Entry", "Supplier / patient and authority", "Quantity (ampoules)",
          "Given / wasted", "Batch, expiry", "Made by / witness", "Balance"])
    c.ok("the opening receipt row: supplier, address, invoice, quantity in words",
         rows and rows[0][1] == "opening" and "Unit 7, Depot Road" in rows[0][2]
         and "invoice INV-W100-A" in rows[0][2] and rows[0][3] == "twenty-five (25)"
         and rows[0][7] == "25", repr(rows[:1]))
    adm = [row for row in rows if row[1] == "administration"]
    c.ok("an administration row: patient, address, prescriber and licence",
         adm and "Ashdown" in adm[0][2] and "Canal Street" in adm[0][2]
         and "licence HO-DIA-REG-%d" % c.premises in adm[0][2] and "given" in adm[0][4],
         repr(adm[:1]))
    c.eq("every HTML row's mg given and wasted, exactly (to the microgram)",
         [[row[4] for row in s["rows"]] for s in doc.sections],
         [["%s mg given, %s mg wasted" % (mg_text(e["given_ug"]), mg_text(e["wasted_ug"]))
           if e["given_ug"] is not None else "" for e in p["entries"]] for p in pages])
    c.eq("every HTML row's balance is the entry's",
         [[row[7] for row in s["rows"]] for s in doc.sections],
         [[str(e["balance_after"]) for e in p["entries"]] for p in pages])

    # CSV.
    r = c.call("the register as CSV", "auditor", "GET", "/api/v1/register?format=csv&" + rng,
               status=200)
    c.eq("it is CSV", (r.header("Content-Type") or "").split(";")[0], "text/csv")
    api_csv = r.body
    rows = list(csv.reader(io.StringIO(api_csv.decode("utf-8"))))
    head = ["page", "seq", "event_date", "kind", "late", "qty", "balance_after", "batch",
            "expiry_date", "supplier", "invoice_ref", "patient", "prescriber", "licence",
            "given_mg", "wasted_mg", "made_by", "witness", "witness_authority", "reason",
            "corrects_entry_id"]
    c.eq("the CSV's header row", rows[0] if rows else None, head)
    c.eq("one CSV row per entry", len(rows) - 1, total)
    want = [[p["heading"], str(e["seq"]), e["event_date"], e["kind"], str(e["qty"]),
             str(e["balance_after"]), e["batch"] or ""]
            for p in pages for e in p["entries"]]
    got = [[x[0], x[1], x[2], x[3], x[5], x[6], x[7]] for x in rows[1:]]
    c.eq("the CSV rows are the entries, page by page, in order", got, want)
    adm = [dict(zip(head, x)) for x in rows[1:] if x[3] == "administration"]
    c.ok("a CSV administration row carries mg given and wasted",
         adm and all(float(a["given_mg"]) > 0 and a["wasted_mg"] != "" and a["patient"]
                     and a["licence"] for a in adm), repr(adm[:1]))

    # hatctl register print, beside the running hatd.
    common = ["register", "print", "--premises", c.premises, "--from", dstr(0),
              "--to", dstr(c.now_day)]
    p = t.hatctl(*common, "--format", "csv")
    c.ok("hatctl register print --format csv runs", p.returncode == 0, p.err)
    c.eq("it prints the same CSV as the API", p.stdout, api_csv)
    p = t.hatctl(*common, "--format", "html")
    c.ok("hatctl register print --format html runs", p.returncode == 0, p.err)
    doc2 = TextOf()
    doc2.feed(p.out)
    c.eq("its HTML has each page's heading and entries",
         [(s["heading"], len(s["rows"])) for s in doc2.sections],
         [(p_["heading"], len(p_["entries"])) for p_ in pages])
    p = t.hatctl(*common, "--format", "text")
    c.ok("hatctl register print --format text runs", p.returncode == 0, p.err)
    lines = p.out.splitlines()
    for pg in pages:
        head_line = "== %s (page %d) == balance now %d ampoules" % (pg["heading"], pg["id"],
                                                                      pg["balance"])
        c.ok("the text has the %d mg page's heading" % (pg["strength_ug"] // 1000),
             head_line in lines, p.out[:2000])
    entry_lines = [ln for ln in lines if ln[:5].strip().isdigit()]
    c.eq("the text has one line per entry", len(entry_lines), total)
    p = t.hatctl("register", "print", "--premises", c.premises, "--format", "pdf")
    c.eq("an unknown format is a usage error", p.returncode, 2)
    p = t.hatctl("register", "print", "--premises", c.premises, "--from", "yesterday")
    c.eq("a bad date is a usage error", p.returncode, 2)


def body(t):
    c = Clinic(t)
    c.start()
    w = week(c)
    printed(c)
    if not t.sqlite_only("tampering with copies of the file"):
        tamper(c, w)


if __name__ == "__main__":
    sys.exit(main("test_register_verify", body, start=False))
