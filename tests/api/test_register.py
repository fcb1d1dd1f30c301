"""test_register.py: the controlled-drug register through the API.

Run by ctest as: python3 test_register.py --hatd PATH --hatctl PATH

Ampoule choice through real doses (least waste, fewest ampoules, earliest
expiry, the last ampoules of a strength, expired stock passed over, no stock
refused with nothing written), receipts and every refusal with its code,
destruction, corrections and late entries, stock checks and discrepancy
cases to their close (a correcting entry, or escalation to the CDAO with an
incident and its CSV), the overdue flag at 7 and 8 days, and the returns log.

The test clock lives through days in November 2028 (London time = UTC).  The
test makes its own premises and receives exactly the stock it wants there, so
the demo's own stock and history (at the demo's premises) never take part in a
choice.  test_register_verify.py (which imports Clinic from here) covers a
week of dosing, hatctl verify and tampering, and the printed register.
"""
import csv
import datetime
import io
import sqlite3
import sys

from harness import ADMIN, ADMIN_PW, DEMO_PW, TestFailure, dig, main

# A manager confirms clinical roles and licences (separation of duties).
CONFIRM = {"username": "mgr.hughes", "password": "demo-manager-pass"}

# Day 0 of the timeline: a Monday, GMT in force.
BASE = datetime.date(2028, 11, 6)

# Sessions that survive the clock's jumps between days.
HATD_EXTRA = ["--set", "session_idle_s=604800", "--set", "session_absolute_s=2678400"]

USERS = {
    "admin": (ADMIN, ADMIN_PW),
    "dr": ("dr.okafor", DEMO_PW["dr.okafor"]),
    "nurse": ("nurse.patel", DEMO_PW["nurse.patel"]),
    "nurse2": ("nurse.byrne", DEMO_PW["nurse.byrne"]),
    "pharm": ("pharm.lindqvist", DEMO_PW["pharm.lindqvist"]),
    "cdao": ("cdao.fraser", DEMO_PW["cdao.fraser"]),
    "auditor": ("audit.silva", DEMO_PW["audit.silva"]),
    "manager": ("mgr.hughes", DEMO_PW["mgr.hughes"]),
    "kw": ("kw.mensah", DEMO_PW["kw.mensah"]),
}

COUNTED_TABLES = ("administrations", "register_entries", "audit_events", "visit_events",
                  "stock_lots", "register_pages", "returns_log", "discrepancies",
                  "incidents")


def day(n):
    return BASE + datetime.timedelta(days=n)


def dstr(n):
    return day(n).isoformat()


class Clinic:
    """The test's own premises, its people and its calls.  Every call with
    a status is one check."""

    def __init__(self, t):
        self.t = t
        self.rep = t.report
        self.s = {}
        self.now_day = None
        self.login_day = None
        self.serial = 0
        self.premises = None
        self.supplier = None

    # -- the clock and logins ----------------------------------------------

    def start(self):
        self.t.start(extra=HATD_EXTRA)
        self.at(0, "07:00:00")

    def login_all(self):
        for name, (user, pw) in USERS.items():
            sess, r = self.t.login(user, pw)
            if sess is None:
                raise TestFailure("%s cannot log in: %d %s" % (user, r.status, r.short()))
            self.s[name] = sess
        self.login_day = self.now_day

    def at(self, n, hms):
        """Day n at hms (London = UTC); logins are renewed every few days."""
        if self.now_day is not None and n < self.now_day:
            raise TestFailure("the clock only goes forward (day %d after %d)" % (n, self.now_day))
        self.t.clock(now="%sT%sZ" % (dstr(n), hms))
        self.now_day = n
        if self.login_day is None or n - self.login_day >= 4:
            self.login_all()

    # -- requests and checks -------------------------------------------------

    def call(self, label, who, method, path, body=None, status=None, code=None, expect=None,
             check=None):
        r = self.t.request(method, path, body, session=self.s[who] if who else None)
        problems = []
        if status is not None and r.status != status:
            problems.append("status %d, want %d" % (r.status, status))
        if code is not None and r.code != code:
            problems.append("error code %r, want %r" % (r.code, code))
        if not problems:
            for k, want in (expect or {}).items():
                got = dig(r.json, k)
                ok = want(got) if callable(want) else got == want
                if not ok:
                    problems.append("%s = %r, want %r" % (k, got, want))
        if not problems and check:
            c = check(r)
            if c:
                problems.append(c)
        if status is not None:
            where = "day %s: %s" % (self.now_day, label)
            if problems:
                self.rep.fail(where, "%s %s\n%s\nanswer: %d %s" % (
                    method, path, "; ".join(problems), r.status, r.short(800)))
            else:
                self.rep.ok(where)
        return r

    def ok(self, label, cond, detail=""):
        return self.rep.check("day %s: %s" % (self.now_day, label), cond, detail)

    def eq(self, label, got, want):
        return self.ok(label, got == want, "got  %r\nwant %r" % (got, want))

    def scalar(self, sql, params=()):
        return self.t.scalar(sql, params)

    def query(self, sql, params=()):
        return self.t.query(sql, params)

    def counts(self):
        return {tb: self.scalar("SELECT count(*) FROM %s" % tb) for tb in COUNTED_TABLES}

    def wit(self, who="nurse2"):
        return {"token": self.s[who].witness_token}

    def must(self, r, what):
        if r.status not in (200, 201):
            raise TestFailure("%s failed: %d %s" % (what, r.status, r.short()))
        return r.json

    # -- set-up ------------------------------------------------------------

    def setup(self, name="Register Test Clinic"):
        """Own premises, a licence there for dr.okafor, and a supplier."""
        r = self.call("the administrator adds premises %s" % name, "admin", "POST",
                      "/api/v1/premises", {"name": name, "address": "9 Dispensary Lane, Testtown"},
                      status=201)
        self.premises = self.must(r, "premises")["id"]
        r = self.call("dr.okafor gets a Home Office licence for the new premises", "admin",
                      "POST", "/api/v1/users/%d/licences" % self.s["dr"].user_id,
                      {"licence_number": "HO-DIA-REG-%d" % self.premises,
                       "premises_id": self.premises, "expires_on": dstr(500),
                       "confirmer": CONFIRM}, status=201)
        self.must(r, "licence")
        r = self.call("the pharmacist adds a supplier to the list", "pharm", "POST",
                      "/api/v1/suppliers",
                      {"name": "Register Test Wholesale %s" % name,
                       "address": "Unit 7, Depot Road, Testtown TT1 7DR"}, status=201,
                      expect={"is_active": True})
        self.supplier = self.must(r, "supplier")["id"]

    def receipt_body(self, mg, qty, batch, expiry_day, **over):
        b = {"premises_id": self.premises, "supplier_id": self.supplier, "drug": "diamorphine",
             "strength_mg": mg, "form": "powder_for_injection", "quantity": qty,
             "batch": batch, "expiry_date": dstr(expiry_day),
             "invoice_ref": "INV-%s" % batch, "witness": self.wit("nurse")}
        b.update(over)
        return b

    def receive(self, mg, qty, batch, expiry_day, label=None, **kw):
        r = self.call(label or "receive %d x %d mg, batch %s" % (qty, mg, batch), "pharm",
                      "POST", "/api/v1/register/receipts",
                      self.receipt_body(mg, qty, batch, expiry_day), status=201, **kw)
        return self.must(r, "receipt")

    def patient(self, family, address="12 Harbour Row, Testtown TT2 3AB"):
        self.serial += 1
        body = {"given_name": "Reg%d" % self.serial, "family_name": family,
                "birth_date": "1979-05-0%d" % (1 + self.serial % 9), "sex": "other",
                "premises_id": self.premises}
        if address is not None:
            body["address"] = address
        r = self.call("add patient %s" % family, "nurse", "POST", "/api/v1/patients", body,
                      status=201)
        pid = self.must(r, "patient")["id"]
        r = self.call("open %s's episode" % family, "nurse", "POST",
                      "/api/v1/patients/%d/episodes" % pid,
                      {"referral_date": dstr(self.now_day), "start_date": dstr(self.now_day)},
                      status=201)
        self.must(r, "episode")
        return pid

    def rx(self, pid, session_mg=250, daily_mg=500):
        r = self.call("dr.okafor signs a prescription", "dr", "POST",
                      "/api/v1/patients/%d/prescriptions" % pid,
                      {"drug": "diamorphine", "routes": ["iv"], "session_dose_mg": session_mg,
                       "sessions_per_day": 2, "daily_max_mg": daily_mg,
                       "start_date": dstr(self.now_day)}, status=201)
        return self.must(r, "prescription")["id"]

    def ready(self, pid, label):
        """Check-in and a fit assessment."""
        self.call("%s: check in" % label, "nurse", "POST", "/api/v1/patients/%d/check-in" % pid,
                  {}, status=201)
        self.call("%s: assessed fit" % label, "nurse", "POST",
                  "/api/v1/patients/%d/assessments" % pid,
                  {"sedation_level": 0, "breath_alcohol_ug": 0, "decision": "fit"}, status=201)

    def dose(self, pid, mg, label, status=201, code=None, expect=None):
        """An injection; a refusal must leave every table as it was."""
        before = self.counts() if status != 201 else None
        r = self.call(label, "nurse", "POST", "/api/v1/patients/%d/administrations" % pid,
                      {"amount_mg": mg, "route": "iv", "site": "arm_left", "identity_confirmed": True,
                       "witness": self.wit("nurse2")}, status=status, code=code, expect=expect)
        if before is not None:
            self.eq(label + ": nothing was written", self.counts(), before)
        return r

    # -- reading the register ----------------------------------------------

    def read(self, who, path):
        """A read the test relies on: anything but a 200 with a JSON object
        fails the test, so that no loop runs over an empty stand-in."""
        r = self.t.request("GET", path, session=self.s[who])
        if r.status != 200 or not isinstance(r.json, dict):
            raise TestFailure("day %s: GET %s as %s: %d %s" % (self.now_day, path, who, r.status,
                                                               r.short()))
        return r.json

    def pages(self, who="pharm", premises=None):
        a = self.read(who, "/api/v1/register/pages?premises_id=%d" % (premises or self.premises))
        if not isinstance(a.get("pages"), list):
            raise TestFailure("the register's pages are not a list: %r" % a)
        return {p["strength_ug"] // 1000: p for p in a["pages"]}

    def balances(self):
        return {mg: p["balance"] for mg, p in self.pages().items()}

    def view(self, from_day, to_day, who="pharm", page_id=None):
        path = "/api/v1/register?premises_id=%d&from=%s&to=%s" % (
            self.premises, dstr(from_day), dstr(to_day))
        if page_id:
            path += "&page_id=%d" % page_id
        return self.read(who, path)

    def entries_of(self, administration_id):
        return self.query(
            "SELECT p.strength_ug / 1000, e.qty, e.lot_id, e.given_ug, e.wasted_ug, e.kind,"
            " e.balance_after, e.patient_name, e.patient_address, e.prescriber_name,"
            " e.licence_number, e.witness_name FROM register_entries e"
            " JOIN register_pages p ON p.id = e.page_id WHERE e.administration_id = ?"
            " ORDER BY e.id", (administration_id,))


# ---------------------------------------------------------------------------
# Receipts and their refusals


def receipts(c):
    c.at(0, "07:00:00")
    c.setup()
    P = c.premises
    c.call("a supplier needs an address", "pharm", "POST", "/api/v1/suppliers",
           {"name": "No Address Ltd"}, status=400, code="missing_field",
           expect={"error.field": "address"})
    c.call("a keyworker cannot add a supplier", "kw", "POST", "/api/v1/suppliers",
           {"name": "Someone", "address": "Somewhere"}, status=403, code="forbidden")
    c.call("the supplier is on the list", "nurse", "GET", "/api/v1/suppliers", status=200,
           expect={"suppliers": lambda s: any(x.get("id") == c.supplier and x.get("address")
                                              for x in s or [])})

    # Each part a receipt must have (reg 19(1)(d)).
    for missing in ("batch", "expiry_date", "invoice_ref", "quantity", "supplier_id"):
        b = c.receipt_body(100, 1, "MISSING", 400)
        del b[missing]
        c.call("a receipt without %s is refused" % missing, "pharm", "POST",
               "/api/v1/register/receipts", b, status=400, code="missing_field",
               expect={"error.field": missing})
    before = c.counts()
    c.call("a supplier not on the list", "pharm", "POST", "/api/v1/register/receipts",
           c.receipt_body(100, 1, "NOSUP", 400, supplier_id=999999), status=422,
           code="unknown_supplier")
    c.call("expired stock cannot be received", "pharm", "POST", "/api/v1/register/receipts",
           c.receipt_body(100, 1, "OLD", -1), status=422, code="stock_expired",
           expect={"error.field": "expiry_date"})
    c.call("a strength there is no page for (20 mg)", "pharm", "POST",
           "/api/v1/register/receipts", c.receipt_body(20, 1, "S20", 400), status=400,
           code="invalid_value")
    c.call("a receipt without a witness", "pharm", "POST", "/api/v1/register/receipts",
           {k: v for k, v in c.receipt_body(100, 1, "NOWIT", 400).items() if k != "witness"},
           status=422, code="witness_required")
    c.call("the receiver cannot witness their own receipt (token)", "pharm", "POST",
           "/api/v1/register/receipts", c.receipt_body(100, 1, "SELF", 400, witness=c.wit("pharm")),
           status=422, code="witness_same_person")
    c.call("the receiver cannot witness their own receipt (password)", "pharm", "POST",
           "/api/v1/register/receipts",
           c.receipt_body(100, 1, "SELF", 400, witness={"username": "pharm.lindqvist",
                                                       "password": DEMO_PW["pharm.lindqvist"]}),
           status=422, code="witness_same_person")
    c.call("a witness with a wrong password", "pharm", "POST", "/api/v1/register/receipts",
           c.receipt_body(100, 1, "BADPW", 400, witness={"username": "nurse.patel",
                                                        "password": "not-the-password"}),
           status=422, code="witness_bad_credentials")
    c.call("a keyworker cannot witness a receipt", "pharm", "POST", "/api/v1/register/receipts",
           c.receipt_body(100, 1, "KW", 400, witness=c.wit("kw")), status=422,
           code="witness_role")
    c.call("a keyworker cannot receive stock", "kw", "POST", "/api/v1/register/receipts",
           c.receipt_body(100, 1, "KWR", 400), status=403, code="forbidden")
    c.call("receipts at unknown premises", "pharm", "POST", "/api/v1/register/receipts",
           c.receipt_body(100, 1, "NOPREM", 400, premises_id=999999), status=422,
           code="unknown_premises")
    c.call("a receipt dated tomorrow", "pharm", "POST", "/api/v1/register/receipts",
           c.receipt_body(100, 1, "TOMORROW", 400, received_date=dstr(1)), status=422,
           code="date_order")
    c.eq("no refused receipt wrote anything", c.counts(), before)

    c.call("the register of unknown premises", "pharm", "GET",
           "/api/v1/register/pages?premises_id=999999", status=422, code="unknown_premises")
    # Stock at other premises (the init's premises 1), which no dose here may take.
    c.call("100 mg received at other premises", "pharm", "POST", "/api/v1/register/receipts",
           c.receipt_body(100, 10, "ELSEWHERE", 400, premises_id=1), status=201,
           expect={"balance_after": 10})

    # The day-0 stock.  The short-dated 100 mg lot is usable on day 1 only.
    short = c.receive(100, 1, "H-SHORT", 1, expect={
        "kind": "opening", "qty": 1, "balance_after": 1, "is_late": False,
        "supplier_name": "Register Test Wholesale Register Test Clinic",
        "supplier_address": "Unit 7, Depot Road, Testtown TT1 7DR",
        "invoice_ref": "INV-H-SHORT", "batch": "H-SHORT", "expiry_date": dstr(1),
        "event_date": dstr(0), "witness_name": lambda v: bool(v),
        "witness_id": c.s["nurse"].user_id, "made_by": c.s["pharm"].user_id})
    c.ok("the receipt names who received and who witnessed",
         short.get("made_by_name") and short.get("witness_role") == "nurse", repr(short))
    long_ = c.receive(100, 2, "H-LONG", 400, expect={"kind": "receipt", "balance_after": 3})
    c.eq("a second receipt of 100 mg goes on the same page", long_.get("page_id"),
         short.get("page_id"))
    t30 = c.receive(30, 2, "T30", 400, expect={"kind": "opening", "balance_after": 2})
    x10 = c.receive(10, 5, "X10", 400, expect={"kind": "opening", "balance_after": 5})
    c.ok("each strength has its own page",
         len({short.get("page_id"), t30.get("page_id"), x10.get("page_id")}) == 3)
    r = c.call("a nurse may receive, witnessed by the pharmacist", "nurse", "POST",
               "/api/v1/register/receipts",
               dict(c.receipt_body(10, 1, "X10", 400), witness=c.wit("pharm")), status=201,
               expect={"kind": "receipt", "balance_after": 6, "lot_id": x10.get("lot_id")})
    c.eq("the same batch and expiry is the same lot", dig(r.json, "lot_id"), x10.get("lot_id"))
    c.eq("the register pages' balances", c.balances(), {100: 3, 30: 2, 10: 6})
    pages = c.pages()
    c.eq("the 100 mg page's heading", pages.get(100, {}).get("heading"),
         "Schedule 2 controlled drug: diamorphine hydrochloride 100 mg"
         " powder for solution for injection")
    c.call("a keyworker cannot read the register", "kw", "GET",
           "/api/v1/register/pages?premises_id=%d" % P, status=403, code="forbidden")
    c.call("an auditor can read the register", "auditor", "GET",
           "/api/v1/register?premises_id=%d" % P, status=200,
           expect={"pages": lambda p: len(p or []) == 3})
    return {"short": short, "long": long_, "t30": t30, "x10": x10}


# ---------------------------------------------------------------------------
# Ampoule choice through real doses


def choice(c, lots):
    c.at(0, "07:30:00")
    a = c.patient("Choice")
    c.rx(a)
    wastep = c.patient("Waste")
    c.rx(wastep)

    # Day 1 morning: 230 mg from 100 x3 (one short-dated), 30 x2, 10 x6:
    # 2 x 100 + 1 x 30, no waste; the short-dated 100 goes first.
    c.at(1, "08:30:00")
    c.ready(a, "230 mg")
    r = c.dose(a, 230, "230 mg is given", expect={"detail.amount_ug": 230000})
    adm = dig(r.json, "detail.administration_id")
    got = sorted((e["strength_ug"] // 1000, e["lot_id"], e["ampoules"], e["given_ug"],
                  e["wasted_ug"]) for e in dig(r.json, "detail.register_entries") or [])
    c.eq("the dose's register entries in its answer", got, sorted([
        (100, lots["short"]["lot_id"], 1, 100000, 0),
        (100, lots["long"]["lot_id"], 1, 100000, 0),
        (30, lots["t30"]["lot_id"], 1, 30000, 0)]))
    rows = c.entries_of(adm)
    per_page = {}
    for mg, qty, _lot, given, wasted, kind, _bal, *_ in rows:
        g = per_page.setdefault(mg, [0, 0, 0])
        g[0] += qty
        g[1] += given
        g[2] += wasted
    c.eq("the register holds 2 x 100 mg and 1 x 30 mg, all given, none wasted", per_page,
         {100: [2, 200000, 0], 30: [1, 30000, 0]})
    c.eq("the entries are administrations", {row[5] for row in rows}, {"administration"})
    first = rows[0] if rows else [None] * 12
    c.eq("an administration entry names the patient, address, prescriber, licence, witness",
         tuple(first[7:12]), ("Reg1 Choice", "12 Harbour Row, Testtown TT2 3AB",
                              c.s["dr"].user.get("display_name"), "HO-DIA-REG-%d" % c.premises,
                              c.s["nurse2"].user.get("display_name")))
    c.eq("the balances fall by whole ampoules", c.balances(), {100: 1, 30: 1, 10: 6})

    # Day 1 afternoon: 130 mg takes the last 100 and the last 30.
    c.at(1, "15:00:00")
    c.ready(a, "130 mg")
    r = c.dose(a, 130, "130 mg takes the last 100 mg and the last 30 mg")
    c.eq("the last ampoules of two strengths", sorted(
        (e["strength_ug"] // 1000, e["ampoules"], e["wasted_ug"])
        for e in dig(r.json, "detail.register_entries") or []), [(30, 1, 0), (100, 1, 0)])
    c.eq("the 100 mg and 30 mg pages are empty", c.balances(), {100: 0, 30: 0, 10: 6})

    # Least waste before fewest ampoules: 25 mg as 10 x 3 (5 mg waste).
    c.at(1, "15:20:00")
    c.ready(wastep, "25 mg")
    r = c.dose(wastep, 25, "25 mg from 10 mg ampoules only: 3 ampoules, 5 mg wasted")
    c.eq("part-used ampoule: given + wasted = the ampoules' content", [
        (e["strength_ug"] // 1000, e["ampoules"], e["given_ug"], e["wasted_ug"])
        for e in dig(r.json, "detail.register_entries") or []], [(10, 3, 25000, 5000)])
    c.eq("balance after the part-used dose", c.balances(), {100: 0, 30: 0, 10: 3})

    # Day 2: one 100 mg lot received that expires the same day.
    c.at(2, "07:00:00")
    soon = c.receive(100, 1, "H-SOON", 2, expect={"balance_after": 1})
    # Day 3: it has expired: it stays in the balance but is never chosen.
    c.at(3, "08:30:00")
    nodose = c.patient("Nostock")
    c.rx(nodose)
    c.ready(nodose, "no stock")
    c.dose(nodose, 100, "100 mg with only an expired 100 mg and 3 x 10 mg: refused",
           status=422, code="insufficient_stock")
    c.dose(nodose, 40, "40 mg with 3 x 10 mg usable: refused", status=422,
           code="insufficient_stock")
    # Rule 4: a supply entry needs the patient's address.
    homeless = c.patient("Noaddress", address=None)
    c.rx(homeless)
    c.ready(homeless, "no address")
    c.dose(homeless, 30, "a patient with no address on record: refused", status=422,
           code="patient_address_missing")
    c.eq("the expired ampoule is still in the balance", c.balances(), {100: 1, 30: 0, 10: 3})
    c.eq("the other premises' stock was not touched",
         [p["balance"] for p in c.pages(premises=1).values()], [10])
    c.dose(nodose, 30, "30 mg from the last three 10 mg ampoules",
           expect={"detail.register_entries": lambda es: [
               (e["strength_ug"], e["ampoules"], e["wasted_ug"]) for e in es or []] ==
               [(10000, 3, 0)]})
    c.at(3, "08:40:00")
    new = c.receive(100, 2, "H-NEW", 400, expect={"balance_after": 3})
    c.ready(a, "after new stock")
    r = c.dose(a, 95, "95 mg: one 100 mg from the new lot, never the expired one")
    c.eq("the new lot, 5 mg wasted", [(e["lot_id"], e["ampoules"], e["given_ug"], e["wasted_ug"])
                                      for e in dig(r.json, "detail.register_entries") or []],
         [(new["lot_id"], 1, 95000, 5000)])
    c.eq("the expired lot was never taken", c.scalar(
        "SELECT count(*) FROM register_entries WHERE lot_id = ? AND kind = 'administration'",
        (soon["lot_id"],)), 0)
    c.eq("balances: the expired ampoule waits for destruction", c.balances(),
         {100: 2, 30: 0, 10: 0})
    return {"soon": soon, "new": new, "a": a, "wastep": wastep}


# ---------------------------------------------------------------------------
# Destruction


def destruction(c, lots, more):
    c.at(3, "09:00:00")
    pages = c.pages()
    p100, p10 = pages[100]["id"], pages[10]["id"]
    path = "/api/v1/register/pages/%d/destructions" % p100
    body = {"lot_id": more["soon"]["lot_id"], "quantity": 1, "reason": "expired",
            "witness_authority": "CDAO nominated witness, letter ref W-17 valid to 2029-01-31",
            "witness": c.wit("cdao")}
    before = c.counts()
    c.call("a lot of another page cannot be destroyed here", "pharm", "POST",
           "/api/v1/register/pages/%d/destructions" % p10, body, status=422,
           code="register_page_mismatch")
    c.call("no such lot", "pharm", "POST", path, dict(body, lot_id=999999), status=422,
           code="register_page_mismatch")
    c.call("more than the lot holds", "pharm", "POST", path, dict(body, quantity=2), status=422,
           code="balance_would_go_negative")
    c.call("the destroyer cannot be the witness", "pharm", "POST", path,
           dict(body, witness=c.wit("pharm")), status=422, code="witness_same_person")
    c.call("a destruction needs a witness", "pharm", "POST", path,
           {k: v for k, v in body.items() if k != "witness"}, status=422,
           code="witness_required")
    c.call("a destruction needs the witness's authority", "pharm", "POST", path,
           {k: v for k, v in body.items() if k != "witness_authority"}, status=400,
           code="missing_field")
    c.call("a nurse cannot destroy stock", "nurse", "POST", path,
           dict(body, witness=c.wit("pharm")), status=403, code="forbidden")
    c.eq("no refused destruction wrote anything", c.counts(), before)
    c.call("the pharmacist destroys the expired ampoule, witnessed by the CDAO", "pharm",
           "POST", path, body, status=201,
           expect={"kind": "destruction", "qty": 1, "balance_after": 1,
                   "witness_id": c.s["cdao"].user_id, "witness_role": "cdao",
                   "witness_authority": body["witness_authority"], "reason": "expired",
                   "lot_id": more["soon"]["lot_id"]})
    c.eq("the destroyed ampoule has left the balance", c.balances()[100], 1)
    c.call("the lot is now empty", "pharm", "POST", path, body, status=422,
           code="balance_would_go_negative")


# ---------------------------------------------------------------------------
# Corrections and late entries


def corrections(c, lots):
    c.at(4, "10:00:00")
    pages = c.pages()
    p30, p10 = pages[30]["id"], pages[10]["id"]
    # The 30 mg page's opening receipt was for 2; the invoice said 3.
    target = lots["t30"]["id"]
    path = "/api/v1/register/pages/%d/corrections" % p30
    before = c.counts()
    c.call("a correction must name an entry on its own page", "pharm", "POST",
           "/api/v1/register/pages/%d/corrections" % p10,
           {"corrects_entry_id": target, "quantity": 1, "reason": "wrong page"},
           status=422, code="correction_target_invalid")
    c.call("a correction must name an entry that exists", "pharm", "POST", path,
           {"corrects_entry_id": 99999999, "quantity": 1, "reason": "no such entry"},
           status=422, code="correction_target_invalid")
    c.call("a correction of zero", "pharm", "POST", path,
           {"corrects_entry_id": target, "quantity": 0, "reason": "nothing"},
           status=400, code="out_of_range")
    c.call("a correction that would take the balance below zero", "pharm", "POST", path,
           {"corrects_entry_id": target, "quantity": -1, "reason": "too many"},
           status=422, code="balance_would_go_negative")
    c.call("a correction dated tomorrow", "pharm", "POST", path,
           {"corrects_entry_id": target, "quantity": 1, "reason": "future",
            "event_date": dstr(5)}, status=422, code="date_order")
    c.call("a correction needs a reason", "pharm", "POST", path,
           {"corrects_entry_id": target, "quantity": 1}, status=400, code="missing_field")
    c.call("a correction may not name a lot from another page (a 100 mg lot)", "pharm",
           "POST", path,
           {"corrects_entry_id": target, "quantity": 1, "reason": "x",
            "lot_id": lots["long"]["lot_id"]},
           status=422, code="register_page_mismatch")
    c.call("a nurse cannot correct the register", "nurse", "POST", path,
           {"corrects_entry_id": target, "quantity": 1, "reason": "x"}, status=403,
           code="forbidden")
    c.eq("no refused correction wrote anything", c.counts(), before)
    r = c.call("a correction made the day after its event is on time", "pharm", "POST", path,
               {"corrects_entry_id": target, "quantity": 1, "event_date": dstr(3),
                "reason": "invoice INV-T30 was for 3 ampoules; one was left uncounted"},
               status=201, expect={"kind": "correction", "qty": 1, "corrects_entry_id": target,
                                   "is_late": False, "event_date": dstr(3),
                                   "balance_after": 1, "made_by": c.s["pharm"].user_id,
                                   "lot_id": lots["t30"]["lot_id"]})
    fix1 = dig(r.json, "id")
    r = c.call("a correction made two days after its event is marked late", "pharm", "POST",
               path, {"corrects_entry_id": fix1, "quantity": -1, "event_date": dstr(2),
                      "reason": "recount: the extra ampoule was on the 10 mg shelf"},
               status=201, expect={"is_late": True, "event_date": dstr(2),
                                   "balance_after": 0})
    fix2 = dig(r.json, "id")
    c.call("a correction of today is not late", "pharm", "POST", path,
           {"corrects_entry_id": target, "quantity": 1, "reason": "found in the safe"},
           status=201, expect={"is_late": False, "event_date": dstr(4), "balance_after": 1})
    c.call("a receipt entered two days late is marked late", "pharm", "POST",
           "/api/v1/register/receipts",
           c.receipt_body(30, 2, "T30-LATE", 400, received_date=dstr(2)), status=201,
           expect={"is_late": True, "event_date": dstr(2), "balance_after": 3})
    # The CSV keeps a negative correction a number, and a formula inert.
    r = c.call("a correction whose reason looks like a formula", "pharm", "POST", path,
               {"corrects_entry_id": target, "quantity": 1, "reason": "=HYPERLINK(\"x\")"},
               status=201, expect={"balance_after": 4})
    r = c.call("the page as CSV", "auditor", "GET", "/api/v1/register?format=csv&premises_id="
               "%d&page_id=%d&from=%s&to=%s" % (c.premises, p30, dstr(0), dstr(4)), status=200)
    rows = list(csv.reader(io.StringIO(r.body.decode("utf-8"))))
    fixes = [(row[5], row[6], row[19]) for row in rows[1:] if row[3] == "correction"]
    c.eq("the CSV's corrections: signed quantities, reasons (a formula neutralised)", fixes,
         [("1", "1", "invoice INV-T30 was for 3 ampoules; one was left uncounted"),
          ("-1", "0", "recount: the extra ampoule was on the 10 mg shelf"),
          ("1", "1", "found in the safe"), ("1", "4", "'=HYPERLINK(\"x\")")])
    c.ok("the late receipt is marked late in the CSV",
         any(row[3] == "receipt" and row[4] == "late" and row[7] == "T30-LATE"
             for row in rows[1:]), repr(rows))

    # A range is every entry dated in it, the late ones too, and nothing
    # entered between them on another date (the read is bounded by the
    # range's first and last seq, then filtered by date).
    whole = [e for p in c.view(0, 4).get("pages", []) if p["id"] == p30 for e in p["entries"]]
    day2 = [e for p in c.view(2, 2, page_id=p30).get("pages", []) for e in p["entries"]]
    c.eq("day 2's entries are the whole range's entries dated day 2, in seq order",
         [e["seq"] for e in day2], [e["seq"] for e in whole if e["event_date"] == dstr(2)])
    seqs = [e["seq"] for e in day2]
    c.ok("the late ones are among them, and entries of other days lie between them in seq",
         fix2 in [e["id"] for e in day2] and any(
             e["event_date"] != dstr(2) and min(seqs) < e["seq"] < max(seqs) for e in whole),
         repr([(e["seq"], e["event_date"]) for e in whole]))
    r = c.call("day 2 as CSV", "auditor", "GET", "/api/v1/register?format=csv&premises_id="
               "%d&page_id=%d&from=%s&to=%s" % (c.premises, p30, dstr(2), dstr(2)), status=200)
    c.eq("the CSV has the same entries",
         [int(row[1]) for row in list(csv.reader(io.StringIO(r.body.decode("utf-8"))))[1:]],
         seqs)

    # Both the corrected entry and its corrections stay on the page, in order.
    v = c.view(0, 4)
    page = [p for p in v.get("pages", []) if p["id"] == p30]
    ents = page[0]["entries"] if page else []
    ids = [e["id"] for e in ents]
    c.ok("the corrected entry is still on the page", target in ids, repr(ids))
    c.ok("the corrections follow it, in page order", ids.index(target) < ids.index(fix1)
         < ids.index(fix2) if fix1 in ids and fix2 in ids and target in ids else False,
         repr(ids))
    c.eq("the page's entries are in sequence", [e["seq"] for e in ents],
         list(range(1, len(ents) + 1)))
    c.eq("the corrected entry is unchanged", [(e["qty"], e["balance_after"], e["kind"])
                                              for e in ents if e["id"] == target],
         [(2, 2, "opening")])
    c.eq("each correction names its entry", [(e["corrects_entry_id"], e["is_late"])
                                             for e in ents if e["kind"] == "correction"],
         [(target, False), (fix1, True), (target, False), (target, False)])
    # Rule 6: an entry dated before the page's newest is back-dated: it goes
    # at the end of the page, marked late, even when made the next day.
    r = c.call("a correction dated yesterday, after today's entries: back-dated, late",
               "pharm", "POST", path,
               {"corrects_entry_id": target, "quantity": 1, "event_date": dstr(3),
                "reason": "yesterday's count, written up late"}, status=201,
               expect={"is_late": True, "event_date": dstr(3)})
    c.call("and its reversal, the same", "pharm", "POST", path,
           {"corrects_entry_id": dig(r.json, "id"), "quantity": -1, "event_date": dstr(3),
            "reason": "entered in error"}, status=201, expect={"is_late": True})


# ---------------------------------------------------------------------------
# Stock checks and discrepancy cases


def stock_checks(c):
    c.at(5, "17:45:00")
    pages = c.pages()
    p10, p30, p100 = pages[10]["id"], pages[30]["id"], pages[100]["id"]
    bal = c.balances()
    path30 = "/api/v1/register/pages/%d/stock-checks" % p30
    c.call("a stock check by one person alone", "pharm", "POST", path30,
           {"counted": bal[30], "witness": c.wit("pharm")}, status=422,
           code="witness_same_person")
    c.call("a stock check needs a second person", "pharm", "POST", path30,
           {"counted": bal[30]}, status=422, code="witness_required")
    c.call("a stock check of a page that does not exist", "pharm", "POST",
           "/api/v1/register/pages/999999/stock-checks",
           {"counted": 1, "witness": c.wit("nurse")}, status=404, code="not_found")
    c.call("a keyworker cannot check stock", "kw", "POST", path30,
           {"counted": bal[30], "witness": c.wit("nurse")}, status=403, code="forbidden")
    c.call("a negative count", "pharm", "POST", path30,
           {"counted": -1, "witness": c.wit("nurse")}, status=400, code="out_of_range")
    cases = c.counts()["discrepancies"]
    c.call("two people count the 30 mg page and it matches", "pharm", "POST", path30,
           {"counted": bal[30], "witness": c.wit("nurse")}, status=201,
           expect={"expected": bal[30], "counted": bal[30], "difference": 0,
                   "discrepancy_id": 0, "second_checker_id": c.s["nurse"].user_id})
    c.call("two nurses count the 100 mg page and it matches", "nurse", "POST",
           "/api/v1/register/pages/%d/stock-checks" % p100,
           {"counted": bal[100], "witness": c.wit("nurse2")}, status=201,
           expect={"discrepancy_id": 0})
    c.eq("a matching count opens no case", c.counts()["discrepancies"], cases)
    c.eq("the stock checks record both checkers", c.query(
        "SELECT checked_by, second_by, expected, counted, difference FROM stock_checks"
        " WHERE page_id = ? ORDER BY id DESC LIMIT 1", (p30,)),
        [(c.s["pharm"].user_id, c.s["nurse"].user_id, bal[30], bal[30], 0)])

    # One 30 mg ampoule short: a case opens; the balance is not touched.
    r = c.call("the count is one short: a discrepancy case opens", "pharm", "POST", path30,
               {"counted": bal[30] - 1, "witness": c.wit("nurse")}, status=201,
               expect={"difference": -1, "discrepancy_id": lambda v: isinstance(v, int) and v > 0})
    case1 = dig(r.json, "discrepancy_id")
    c.eq("the balance is never edited to match the count", c.balances()[30], bal[30])
    c.call("the case is listed, open", "cdao", "GET", "/api/v1/discrepancies", status=200,
           check=lambda r: None if any(d.get("id") == case1 and d.get("status") == "open"
                                       and d.get("difference") == -1 and d.get("page_id") == p30
                                       for d in (r.json or {}).get("discrepancies", []))
           else "case %r not open in the list" % case1)
    c.eq("the page shows an open discrepancy", c.pages()[30].get("open_discrepancies"), 1)
    cpath = "/api/v1/discrepancies/%d" % case1
    c.call("an item not on the checklist", "pharm", "POST", cpath + "/checks",
           {"item": "guesswork", "finding": "no"}, status=400, code="invalid_value")
    c.call("a nurse cannot work a case", "nurse", "POST", cpath + "/checks",
           {"item": "arithmetic", "finding": "x"}, status=403, code="forbidden")
    findings = {
        "arithmetic": "Balances re-added from the last correct check: they hold.",
        "recount": "Recounted with a second person: one ampoule short.",
        "other_pages": "The 10 mg and 100 mg pages checked: nothing misfiled.",
        "charts_against_entries": "Administration charts against entries: found a dose"
                                  " drawn up and spoiled, not recorded.",
        "staff_on_duty": "Asked nurse Patel: confirmed the spoiled ampoule.",
    }
    for item, finding in findings.items():
        c.call("checklist: %s" % item, "pharm", "POST", cpath + "/checks",
               {"item": item, "finding": finding}, status=201,
               expect={"kind": "check", "item": item, "finding": finding})
    last30 = c.scalar("SELECT max(id) FROM register_entries WHERE page_id = ?", (p30,))
    c.call("a resolving entry must be on the case's page", "pharm", "POST", cpath + "/resolve",
           {"corrects_entry_id": c.scalar("SELECT max(id) FROM register_entries"
                                          " WHERE page_id = ?", (p10,)),
            "quantity": -1, "reason": "x"}, status=422, code="correction_target_invalid")
    r = c.call("the case closes with a correcting entry", "pharm", "POST", cpath + "/resolve",
               {"corrects_entry_id": last30, "quantity": -1,
                "reason": "One ampoule spoiled while drawing up, not recorded (case %d)" % case1},
               status=201, expect={"kind": "resolved",
                                   "entry_id": lambda v: isinstance(v, int) and v > 0})
    fix = dig(r.json, "entry_id")
    c.eq("the correcting entry is on the page", c.query(
        "SELECT kind, qty, corrects_entry_id, balance_after FROM register_entries WHERE id = ?",
        (fix,)), [("correction", -1, last30, bal[30] - 1)])
    c.call("the recount now matches the balance: no new case", "pharm", "POST", path30,
           {"counted": bal[30] - 1, "witness": c.wit("nurse")}, status=201,
           expect={"difference": 0, "discrepancy_id": 0})
    c.call("a second resolve of the closed case", "pharm", "POST", cpath + "/resolve",
           {"corrects_entry_id": last30, "quantity": -1, "reason": "again"}, status=409,
           code="conflict")
    c.call("no checklist items on a closed case", "pharm", "POST", cpath + "/checks",
           {"item": "recount", "finding": "late"}, status=409, code="conflict")
    c.call("no escalation of a closed case", "cdao", "POST", cpath + "/escalate",
           {"description": "late"}, status=409, code="conflict")
    c.call("the unknown case", "pharm", "POST", "/api/v1/discrepancies/999999/checks",
           {"item": "recount", "finding": "x"}, status=404, code="not_found")

    def case_of(r, cid):
        for d in (r.json or {}).get("discrepancies", []):
            if d.get("id") == cid:
                return d
        return {}
    r = c.call("the closed case in the list", "auditor", "GET", "/api/v1/discrepancies",
               status=200)
    d1 = case_of(r, case1)
    c.eq("its events: the five checks, then the correcting entry",
         [(e.get("kind"), e.get("item")) for e in d1.get("events", [])],
         [("check", i) for i in findings] + [("resolved", None)])
    c.eq("its status", d1.get("status"), "resolved")

    # An unexplained surplus on the 100 mg page: escalated to the CDAO.
    bal = c.balances()
    r = c.call("the 100 mg count is one over: a second case", "nurse", "POST",
               "/api/v1/register/pages/%d/stock-checks" % p100,
               {"counted": bal[100] + 1, "witness": c.wit("pharm")}, status=201,
               expect={"difference": 1})
    case2 = dig(r.json, "discrepancy_id")
    c.call("checklist: recount", "pharm", "POST", "/api/v1/discrepancies/%d/checks" % case2,
           {"item": "recount", "finding": "Still one over."}, status=201)
    incidents_before = c.counts()["incidents"]
    r = c.call("the pharmacist escalates it to the CDAO", "pharm", "POST",
               "/api/v1/discrepancies/%d/escalate" % case2,
               {"description": "One 100 mg ampoule more than the register: untraced."},
               status=201, expect={"kind": "escalated",
                                   "incident_id": lambda v: isinstance(v, int) and v > 0})
    inc = dig(r.json, "incident_id")
    c.eq("escalation wrote one incident", c.counts()["incidents"], incidents_before + 1)
    c.call("a second escalation is refused", "pharm", "POST",
           "/api/v1/discrepancies/%d/escalate" % case2, {"description": "again"}, status=409,
           code="conflict")
    c.eq("no page has an open case", {mg: p.get("open_discrepancies")
                                      for mg, p in c.pages().items()}, {100: 0, 30: 0, 10: 0})
    r = c.call("the CDAO sees the incident", "cdao", "GET",
               "/api/v1/incidents?from=%s&to=%s" % (dstr(0), dstr(5)), status=200)
    mine = [i for i in (r.json or {}).get("incidents", []) if i.get("id") == inc]
    c.eq("the incident: kind, case, premises", [(i.get("kind"), i.get("discrepancy_id"),
                                                i.get("premises_id")) for i in mine],
         [("discrepancy", case2, c.premises)])
    c.call("a nurse reports a concern", "nurse", "POST", "/api/v1/incidents",
           {"premises_id": c.premises, "kind": "concern",
            "description": "Safe door found unlocked at 17:40, \"checked\", nothing missing",
            "action_taken": "Locked; keys reissued"}, status=201,
           expect={"kind": "concern"})
    c.call("an incident in the future", "nurse", "POST", "/api/v1/incidents",
           {"premises_id": c.premises, "kind": "loss", "description": "x",
            "occurred_at": "%sT12:00:00Z" % dstr(9)}, status=422, code="date_order")
    c.call("a nurse cannot read the incident log", "nurse", "GET", "/api/v1/incidents",
           status=403, code="forbidden")
    r = c.call("the incident log as CSV", "cdao", "GET",
               "/api/v1/incidents?format=csv&from=%s&to=%s" % (dstr(0), dstr(5)), status=200)
    text = r.body.decode("utf-8", "replace")
    rows = list(csv.reader(io.StringIO(text)))
    c.eq("the CSV's content type", (r.header("Content-Type") or "").split(";")[0], "text/csv")
    c.eq("the CSV's header row", rows[0] if rows else None,
         ["id", "premises_id", "kind", "occurred_at", "description", "action_taken",
          "discrepancy_id", "reported_by", "reported_at"])
    byid = {row[0]: row for row in rows[1:]}
    c.ok("the escalated incident is in the CSV", str(inc) in byid and
         byid[str(inc)][2] == "discrepancy" and byid[str(inc)][6] == str(case2), text)
    concern = [row for row in rows[1:] if row[2] == "concern"]
    c.eq("the reported concern in the CSV: description (quotes kept), action, no case",
         [(row[4], row[5], row[6]) for row in concern],
         [('Safe door found unlocked at 17:40, "checked", nothing missing',
           "Locked; keys reissued", "")])
    r = c.call("an empty range in the CSV", "cdao", "GET",
               "/api/v1/incidents?format=csv&from=%s&to=%s" % (dstr(-30), dstr(-20)),
               status=200)
    c.eq("it holds only the header", len(list(csv.reader(io.StringIO(
        r.body.decode("utf-8", "replace"))))), 1)
    return {"p30": p30, "p100": p100, "p10": p10}


# ---------------------------------------------------------------------------
# The returns log


def returns(c, more):
    c.at(5, "17:50:00")
    before = c.counts()
    bal = c.balances()
    body = {"premises_id": c.premises, "patient_id": more["a"],
            "description": "Diamorphine 100 mg ampoule brought back unopened",
            "quantity": "1 ampoule", "witness": c.wit("nurse2")}
    c.call("a return needs a witness", "nurse", "POST", "/api/v1/returns",
           {k: v for k, v in body.items() if k != "witness"}, status=422,
           code="witness_required")
    c.call("a return cannot be witnessed by the receiver", "nurse", "POST", "/api/v1/returns",
           dict(body, witness=c.wit("nurse")), status=422, code="witness_same_person")
    c.call("a keyworker cannot take a return", "kw", "POST", "/api/v1/returns", body,
           status=403, code="forbidden")
    r = c.call("the nurse records a patient's return", "nurse", "POST", "/api/v1/returns",
               body, status=201, expect={"patient_id": more["a"], "quantity": "1 ampoule",
                                         "received_by": c.s["nurse"].user_id,
                                         "witness_id": c.s["nurse2"].user_id})
    rid = dig(r.json, "id")
    c.call("the returns log lists it", "pharm", "GET", "/api/v1/returns", status=200,
           check=lambda r: None if any(x.get("id") == rid for x in
                                       (r.json or {}).get("returns", [])) else "not listed")
    after = c.counts()
    c.eq("a return is one row in the returns log", after["returns_log"],
         before["returns_log"] + 1)
    c.eq("a return writes no register entry and no lot",
         (after["register_entries"], after["stock_lots"]),
         (before["register_entries"], before["stock_lots"]))
    c.eq("no page's balance changed", c.balances(), bal)


# ---------------------------------------------------------------------------
# The overdue stock check


def overdue(c, ids):
    # The 30 mg and 100 mg pages were checked on day 5; the 10 mg page never.
    c.at(5, "18:00:00")
    pg = c.pages()
    c.eq("after the checks: overdue only where never checked",
         {mg: (p["stock_check_overdue"], p["last_check_date"]) for mg, p in pg.items()},
         {10: (True, None), 30: (False, dstr(5)), 100: (False, dstr(5))})
    c.at(12, "23:30:00")
    c.eq("7 days after the check: not overdue",
         {mg: p["stock_check_overdue"] for mg, p in c.pages().items()},
         {10: True, 30: False, 100: False})
    c.at(13, "00:30:00")
    c.eq("8 days after the check: overdue",
         {mg: p["stock_check_overdue"] for mg, p in c.pages().items()},
         {10: True, 30: True, 100: True})
    c.call("a check on day 13 clears it", "pharm", "POST",
           "/api/v1/register/pages/%d/stock-checks" % ids["p30"],
           {"counted": c.balances()[30], "witness": c.wit("nurse")}, status=201,
           expect={"discrepancy_id": 0})
    c.eq("checked today: not overdue", c.pages()[30]["stock_check_overdue"], False)


def alerts(c):
    """The CDAO's alerts: late entries, overdue checks, open cases, licences
    close to expiry, each matching the record."""
    r = c.call("the CDAO reads the alerts", "cdao", "GET",
               "/api/v1/alerts?premises_id=%d" % c.premises, status=200)
    a = r.json or {}
    c.eq("every late entry is listed for the CDAO",
         sorted(e["id"] for e in a.get("late_entries", [])),
         sorted(row[0] for row in c.query(
             "SELECT e.id FROM register_entries e JOIN register_pages p ON p.id = e.page_id"
             " WHERE p.premises_id = ? AND e.late = 1", (c.premises,))))
    c.ok("(there are late entries to list)", len(a.get("late_entries", [])) >= 3, repr(a))
    c.eq("overdue stock checks: the pages the register page shows overdue",
         sorted(x["page_id"] for x in a.get("stock_checks_overdue", [])),
         sorted(p["id"] for p in c.pages().values() if p["stock_check_overdue"]))
    c.eq("open discrepancy cases", sorted(x["id"] for x in a.get("open_discrepancies", [])),
         sorted(row[0] for row in c.query(
             "SELECT d.id FROM discrepancies d JOIN register_pages p ON p.id = d.page_id"
             " WHERE p.premises_id = ? AND NOT EXISTS (SELECT 1 FROM discrepancy_events x"
             " WHERE x.discrepancy_id = d.id AND x.kind IN ('resolved', 'escalated'))",
             (c.premises,))))
    c.eq("no licence here expires within 28 days yet", a.get("licences_expiring"), [])
    c.call("a licence that runs out in 28 days", "admin", "POST",
           "/api/v1/users/%d/licences" % c.s["dr"].user_id,
           {"licence_number": "HO-SHORT", "premises_id": c.premises, "expires_on": dstr(13 + 28),
            "confirmer": CONFIRM},
           status=201)
    c.call("is not flagged while a later licence covers the prescriber", "cdao", "GET",
           "/api/v1/alerts?premises_id=%d" % c.premises, status=200,
           expect={"licences_expiring": []})
    r = c.call("a second prescriber", "admin", "POST", "/api/v1/users",
               {"username": "dr.short", "display_name": "Dr Short", "password": "short-term-pass",
                "roles": ["prescriber"], "confirmer": CONFIRM}, status=201)
    short = dig(r.json, "id")
    c.call("whose only licence here runs out in 10 days", "admin", "POST",
           "/api/v1/users/%d/licences" % short,
           {"licence_number": "HO-10D", "premises_id": c.premises, "expires_on": dstr(23),
            "confirmer": CONFIRM},
           status=201)
    c.call("is flagged for the CDAO, not yet expired", "cdao", "GET",
           "/api/v1/alerts?premises_id=%d" % c.premises, status=200,
           expect={"licences_expiring": lambda ls: [(x["prescriber"], x["expires_on"],
                                                     x["is_expired"]) for x in ls] ==
                   [("Dr Short", dstr(23), False)]})
    c.call("a nurse does not read the CDAO's alerts", "nurse", "GET",
           "/api/v1/alerts?premises_id=%d" % c.premises, status=403, code="forbidden")


def body(t):
    c = Clinic(t)
    c.start()
    lots = receipts(c)
    more = choice(c, lots)
    destruction(c, lots, more)
    corrections(c, lots)
    ids = stock_checks(c)
    returns(c, more)
    overdue(c, ids)
    alerts(c)
    reads(c)
    p = t.hatctl("verify")
    c.ok("hatctl verify passes after all of it", p.returncode == 0, p.out + p.err)
    append_only(c)


def reads(c):
    """What a page holds lot by lot, and its stock checks, agree with the
    database and add up to the page's balance."""
    for strength, page in c.pages().items():
        r = c.call("the lots of the %d mg page" % strength, "pharm", "GET",
                   "/api/v1/register/pages/%d/lots" % page["id"], status=200)
        lots = dig(r.json, "lots") or []
        c.eq("the %d mg page's lots add up to its balance" % strength,
             sum(l["ampoules"] for l in lots), page["balance"])
        c.eq("each lot holds what its newest entry says (%d mg)" % strength,
             [(l["id"], l["ampoules"]) for l in lots],
             [(lid, held) for lid, held in c.query(
                 "SELECT l.id, coalesce((SELECT e.lot_after FROM register_entries e WHERE"
                 " e.lot_id = l.id ORDER BY e.id DESC LIMIT 1), 0) FROM stock_lots l"
                 " WHERE l.page_id = ? ORDER BY l.expiry_date, l.id", (page["id"],))])
        r = c.call("the stock checks of the %d mg page" % strength, "auditor", "GET",
                   "/api/v1/register/pages/%d/stock-checks" % page["id"], status=200)
        checks = dig(r.json, "stock_checks") or []
        c.eq("every stock check of the %d mg page is listed, newest first" % strength,
             [x["id"] for x in checks],
             [row[0] for row in c.query("SELECT id FROM stock_checks WHERE page_id = ?"
                                        " ORDER BY id DESC", (page["id"],))])
        c.ok("each names both checkers (%d mg)" % strength,
             all(x["checked_by"] and x["second_checker"] for x in checks), repr(checks))
    c.call("a keyworker cannot read the lots", "kw", "GET",
           "/api/v1/register/pages/%d/lots" % list(c.pages().values())[0]["id"],
           status=403, code="forbidden")


def append_only(c):
    """Every register table refuses UPDATE and DELETE in the database itself
    (each holds rows by now, so each trigger has a row to fire on)."""
    conn = c.t.connect_rw(timeout=5)
    try:
        for table in ("register_entries", "stock_checks", "discrepancies",
                      "discrepancy_events", "incidents", "returns_log"):
            n = c.scalar("SELECT count(*) FROM %s" % table)
            for sql in ("UPDATE %s SET id = id" % table, "DELETE FROM %s" % table):
                try:
                    conn.execute(sql)
                    conn.commit()
                    c.ok("the database refuses: %s" % sql, False, "it was allowed")
                except sqlite3.DatabaseError as e:
                    conn.rollback()
                    c.ok("the database refuses: %s (%d rows)" % (sql, n),
                         n > 0 and "append-only" in str(e), str(e))
    finally:
        conn.close()


if __name__ == "__main__":
    sys.exit(main("test_register", body, start=False))
