"""test_dosing_rules.py: every rule that releases or refuses a dose, at its edge.

Run by ctest as: python3 test_dosing_rules.py --hatd PATH --hatctl PATH

The test clock lives through days of sessions in late 2028 (November and
December, when London time is UTC, so "08:30" below is both).  Each rule gets
fresh patients whose prescriptions start on the day the rule is tried; the
clinic holds the demo's staff only (no demo patients' history, no stock until
the pharmacist receives it here).  For every rule the dose is allowed
exactly at its limit and refused one step past it (one microgram, one
second), with the rule's own error code; every refused dose is checked to have
written nothing (no administration, no visit event, no audit event).

The Desk class here is shared with test_dosing_workflow.py.
"""
import datetime
import sqlite3
import sys

from harness import ADMIN, ADMIN_PW, DEMO_PW, TestFailure, main

# A manager confirms clinical roles and licences (separation of duties).
CONFIRM = {"username": "mgr.hughes", "password": "demo-manager-pass"}

# Base date: day 0 of the test timeline (a Wednesday; GMT in force).
BASE = datetime.date(2028, 11, 1)
EPOCH = datetime.date(1970, 1, 1)

# hatd is started with sessions that survive the clock's jumps between days.
HATD_EXTRA = ["--set", "session_idle_s=604800", "--set", "session_absolute_s=2678400"]

DEFAULT_WINDOWS = [{"name": "morning", "start": "08:30", "end": "11:00"},
                   {"name": "afternoon", "start": "15:00", "end": "17:30"}]

USERS = {
    "admin": (ADMIN, ADMIN_PW),
    "dr": ("dr.okafor", DEMO_PW["dr.okafor"]),
    "nurse": ("nurse.patel", DEMO_PW["nurse.patel"]),
    "nurse2": ("nurse.byrne", DEMO_PW["nurse.byrne"]),
    "manager": ("mgr.hughes", DEMO_PW["mgr.hughes"]),
    "kw": ("kw.mensah", DEMO_PW["kw.mensah"]),
    "pharm": ("pharm.lindqvist", DEMO_PW["pharm.lindqvist"]),
}

# Diamorphine ampoules received for the timeline: strength mg -> count.
STOCK = {5: 400, 10: 400, 30: 400, 100: 400}


def day(n):
    return BASE + datetime.timedelta(days=n)


def local_date(n):
    """Day n of the timeline as the database stores it (days since 1970)."""
    return (day(n) - EPOCH).days


class Desk:
    """The dosing room as a test drives it: logins, the clock, patients,
    prescriptions and each step of a session.  Every call is one check."""

    def __init__(self, t):
        self.t = t
        self.rep = t.report
        self.s = {}
        self.users = dict(USERS)
        self.login_at = None
        self.now_day = 0
        self.serial = 0

    # -- set-up ----------------------------------------------------------

    def start(self):
        self.t.start(extra=HATD_EXTRA)
        self.at(0, "07:00:00")

    def login_all(self):
        for name, (user, pw) in self.users.items():
            sess, r = self.t.login(user, pw)
            if sess is None:
                raise TestFailure("%s cannot log in: %d %s" % (user, r.status, r.short()))
            self.s[name] = sess
        self.login_at = self.now_day

    def at(self, n, hms):
        """Sets the clock to day n at hms (London time, = UTC here).  Logins
        are renewed every few days, so that no token goes idle."""
        if n < self.now_day:
            raise TestFailure("the clock only goes forward (day %d after %d)" % (n, self.now_day))
        self.t.clock(now="%sT%sZ" % (day(n).isoformat(), hms))
        self.now_day = n
        if self.login_at is None or n - self.login_at >= 4:
            self.login_all()

    # -- requests ----------------------------------------------------------

    def call(self, label, who, method, path, body=None, status=None, code=None,
             headers=None, expect=None):
        r = self.t.request(method, path, body, headers=headers, session=self.s[who])
        problems = []
        if status is not None and r.status != status:
            problems.append("status %d, want %d" % (r.status, status))
        if code is not None and r.code != code:
            problems.append("error code %r, want %r" % (r.code, code))
        for k, want in (expect or {}).items():
            got = dig(r.json, k)
            ok = want(got) if callable(want) else got == want
            if not ok:
                problems.append("%s = %r, want %r" % (k, got, want))
        if status is not None:
            where = "day %d: %s" % (self.now_day, label)
            if problems:
                self.rep.fail(where, "%s %s\n%s\nanswer: %d %s" % (
                    method, path, "; ".join(problems), r.status, r.short()))
            else:
                self.rep.ok(where)
        return r

    def ok(self, label, cond, detail=""):
        return self.rep.check("day %d: %s" % (self.now_day, label), cond, detail)

    def eq(self, label, got, want):
        return self.ok(label, got == want, "got  %r\nwant %r" % (got, want))

    def scalar(self, sql, params=()):
        return self.t.scalar(sql, params)

    def counts(self):
        return (self.scalar("SELECT count(*) FROM administrations"),
                self.scalar("SELECT count(*) FROM visit_events"),
                self.scalar("SELECT count(*) FROM audit_events"),
                self.scalar("SELECT count(*) FROM register_entries"))

    def stock(self):
        """The pharmacist receives diamorphine for the whole timeline,
        witnessed by a nurse: every dose draws its ampoules from it."""
        r = self.call("the pharmacist adds a supplier", "pharm", "POST", "/api/v1/suppliers",
                      {"name": "Test Wholesale %s" % day(self.now_day).isoformat(),
                       "address": "1 Depot Road, Testtown"}, status=201)
        sid = dig(r.json, "id") or dig(r.json, "0.id")
        if not sid:
            sid = self.scalar("SELECT max(id) FROM suppliers")
        for mg, n in sorted(STOCK.items()):
            self.call("the pharmacist receives %d x %d mg diamorphine" % (n, mg), "pharm",
                      "POST", "/api/v1/register/receipts",
                      {"premises_id": 1, "supplier_id": sid, "drug": "diamorphine",
                       "strength_mg": mg, "form": "powder_for_injection", "quantity": n,
                       "batch": "T%d-%d" % (mg, self.now_day),
                       "expiry_date": day(600).isoformat(),
                       "invoice_ref": "INV-%d-%d" % (mg, self.now_day),
                       "witness": self.witness("nurse2")}, status=201)
        # The oral component is Schedule 2 too: methadone mixture in mL,
        # slow-release morphine in capsules, each on pages of its own.
        for drug, form, mg, n in (("methadone", "oral_solution", 1, 20000),
                                  ("morphine", "modified_release_capsule", 200, 400),
                                  ("morphine", "modified_release_capsule", 30, 400)):
            self.call("the pharmacist receives %d %s of %s %s" % (n, form, drug, mg), "pharm",
                      "POST", "/api/v1/register/receipts",
                      {"premises_id": 1, "supplier_id": sid, "drug": drug, "strength_mg": mg,
                       "form": form, "quantity": n, "batch": "O%s%d-%d" % (drug[:3], mg,
                                                                           self.now_day),
                       "expiry_date": day(600).isoformat(),
                       "invoice_ref": "INV-O%d-%d" % (mg, self.now_day),
                       "witness": self.witness("nurse2")}, status=201)

    # -- patients and prescriptions ------------------------------------------

    def patient(self, family, start_day=None):
        """A new patient with an active episode from start_day (today)."""
        self.serial += 1
        today = day(self.now_day).isoformat()
        r = self.call("add patient %s" % family, "nurse", "POST", "/api/v1/patients",
                      {"given_name": "Test%d" % self.serial, "family_name": family,
                       "birth_date": "1980-01-01", "sex": "other", "premises_id": 1,
                       "address": "%d Test Street, Testtown" % self.serial},
                      status=201)
        if r.status != 201:
            raise TestFailure("cannot add a patient: %s" % r.short())
        pid = r.json["id"]
        start = day(self.now_day if start_day is None else start_day).isoformat()
        r = self.call("open %s's episode" % family, "nurse", "POST",
                      "/api/v1/patients/%d/episodes" % pid,
                      {"referral_date": today, "start_date": start}, status=201)
        if r.status != 201:
            raise TestFailure("cannot open an episode: %s" % r.short())
        return pid

    def rx_body(self, **over):
        b = {"drug": "diamorphine", "routes": ["iv", "im"], "session_dose_mg": 200,
             "sessions_per_day": 2, "daily_max_mg": 400, "topup_allowed": False,
             "start_date": day(self.now_day).isoformat()}
        b.update(over)
        return b

    def rx(self, pid, label="prescriber signs a prescription", who="dr", status=201,
           code=None, **over):
        r = self.call(label, who, "POST", "/api/v1/patients/%d/prescriptions" % pid,
                      self.rx_body(**over), status=status, code=code)
        if status == 201 and r.status != 201:
            raise TestFailure("cannot sign a prescription: %s" % r.short())
        return r.json.get("id") if r.status == 201 else None

    # -- the session's steps -------------------------------------------------

    def witness(self, who="nurse2"):
        return {"token": self.s[who].witness_token}

    def step(self, label, pid, what, body=None, who="nurse", status=201, code=None,
             expect=None, headers=None):
        return self.call(label, who, "POST", "/api/v1/patients/%d/%s" % (pid, what),
                         body if body is not None else {}, status=status, code=code,
                         expect=expect, headers=headers)

    def check_in(self, pid, label="check in", **kw):
        return self.step(label, pid, "check-in", **kw)

    def assess(self, pid, decision="fit", sedation=0, alcohol=0, reason=None,
               label=None, **kw):
        body = {"sedation_level": sedation, "breath_alcohol_ug": alcohol, "decision": decision}
        if reason:
            body["reason"] = reason
        return self.step(label or "assessed %s" % decision, pid, "assessments", body, **kw)

    def dose(self, pid, mg, label=None, route="iv", site="arm_left", witness=None,
             status=201, code=None, who="nurse", expect=None, headers=None, body=None):
        """An injection; a refusal must leave the database as it was."""
        if body is None:
            body = {"amount_mg": mg, "route": route, "site": site, "identity_confirmed": True,
                    "witness": witness if witness is not None else self.witness()}
        label = label or ("%s mg %s %s %s" % (mg, route, site, "given" if status == 201
                                             else "refused: %s" % code))
        before = self.counts() if status != 201 else None
        r = self.step(label, pid, "administrations", body, who=who, status=status, code=code,
                      expect=expect, headers=headers)
        if before is not None:
            self.eq(label + " (nothing written)", self.counts(), before)
        return r

    def session(self, pid, mg, hms, label="", **kw):
        """Check-in, a fit assessment and a dose at hms today."""
        self.at(self.now_day, hms)
        self.check_in(pid, label="%s check in" % label)
        self.assess(pid, label="%s assessed fit" % label)
        return self.dose(pid, mg, label="%s %s mg given" % (label, mg), **kw)

    def postdose(self, pid, label="post-dose check", **kw):
        return self.step(label, pid, "postdose-checks",
                         {"sedation_level": 0, "respiratory_rate": 14, "breathing": "normal"}, **kw)

    def leave(self, pid, label="leaves", **kw):
        return self.step(label, pid, "leave", **kw)

    def settings(self, label, body, status=200, code=None, who="manager", expect=None):
        return self.call(label, who, "PUT", "/api/v1/premises/1/settings", body,
                         status=status, code=code, expect=expect)

    def board_row(self, pid):
        r = self.t.request("GET", "/api/v1/board", session=self.s["nurse"])
        if r.status != 200 or not isinstance((r.json or {}).get("patients"), list):
            raise TestFailure("the board did not read: %d %s" % (r.status, r.short()))
        for row in r.json["patients"]:
            if row.get("patient_id") == pid:
                return row, r.json
        return None, r.json


def dig(obj, path):
    for part in path.split("."):
        if isinstance(obj, list):
            try:
                obj = obj[int(part)]
            except (ValueError, IndexError):
                return None
        elif isinstance(obj, dict):
            obj = obj.get(part)
        else:
            return None
    return obj


# ---------------------------------------------------------------------------
# The rules


def setup(d):
    """Day 0: stock and licences for the timeline, and a prescriber whose
    licence lapses after day 2."""
    d.stock()
    d.call("admin renews dr.okafor's licence for the test years", "admin", "POST",
           "/api/v1/users/%d/licences" % d.s["dr"].user_id,
           {"licence_number": "HO-DIA-2028-0001", "premises_id": 1,
            "expires_on": day(400).isoformat(), "confirmer": CONFIRM}, status=201)
    r = d.call("admin adds a second prescriber", "admin", "POST", "/api/v1/users",
               {"username": "dr.lapse", "display_name": "Dr Lapse", "password": "lapse-pass-0001",
                "roles": ["prescriber"], "confirmer": CONFIRM}, status=201)
    d.call("a manager adds dr.lapse's licence, expiring on day 2", "manager", "POST",
           "/api/v1/users/%d/licences" % r.json["id"],
           {"licence_number": "HO-DIA-2028-0002", "premises_id": 1,
            "expires_on": day(2).isoformat(),
            "confirmer": {"username": "cdao.fraser", "password": DEMO_PW["cdao.fraser"]}},
           status=201)
    d.users["lapse"] = ("dr.lapse", "lapse-pass-0001")
    d.login_all()


def signing(d):
    """Day 0: who may sign, the ceilings, supersede and stop."""
    d.at(0, "08:00:00")
    p = d.patient("Signing")
    d.rx(p, "a nurse cannot sign a prescription", who="nurse", status=403, code="forbidden")
    d.rx(p, "a keyworker cannot sign either", who="kw", status=403, code="forbidden")
    d.rx(p, "daily max 1000.001 mg is above the 1000 mg ceiling", status=422,
         code="prescription_exceeds_ceiling", session_dose_mg=500, daily_max_mg=1000.001)
    d.rx(p, "hydromorphone daily max 500.001 mg is above its 500 mg ceiling", status=422,
         code="prescription_exceeds_ceiling", drug="hydromorphone", session_dose_mg=250,
         daily_max_mg=500.001)
    d.rx(p, "oral methadone daily max 150.001 mg is above its 150 mg ceiling", status=422,
         code="prescription_exceeds_ceiling", oral_drug="methadone_oral", oral_dose_mg=60,
         oral_daily_max_mg=150.001)
    hyd = d.rx(p, "hydromorphone daily max exactly 500 mg is signed", drug="hydromorphone",
               session_dose_mg=250, daily_max_mg=500)
    d.rx(p, "a second current prescription must say what it supersedes", status=409,
         code="conflict", session_dose_mg=500, daily_max_mg=1000)
    old = d.rx(p, "daily max exactly at the 1000 mg ceiling is signed", session_dose_mg=500,
               daily_max_mg=1000, supersedes_id=hyd)
    d.eq("no refused prescription was stored",
         d.scalar("SELECT count(*) FROM prescriptions WHERE patient_id = ?", (p,)), 2)
    new = d.rx(p, "a new prescription supersedes it", session_dose_mg=300, daily_max_mg=600,
               supersedes_id=old)
    d.call("the old one now reads as superseded", "nurse", "GET", "/api/v1/prescriptions/%d" % old,
           status=200, expect={"status": "superseded"})
    d.rx(p, "it cannot be superseded twice", status=409, code="conflict", supersedes_id=old)
    d.call("a prescription is never edited in place", "dr", "PATCH",
           "/api/v1/prescriptions/%d" % new, {"daily_max_mg": 700}, status=405,
           code="method_not_allowed")
    d.call("a nurse cannot stop it", "nurse", "POST", "/api/v1/prescriptions/%d/stop" % new,
           {"reason": "no"}, status=403, code="forbidden")
    d.call("a stop needs a reason", "dr", "POST", "/api/v1/prescriptions/%d/stop" % new, {},
           status=400, code="missing_field")
    d.call("the prescriber stops the current prescription with a reason", "dr", "POST",
           "/api/v1/prescriptions/%d/stop" % new, {"reason": "treatment plan changed"},
           status=200, expect={"status": "stopped", "ended_reason": "treatment plan changed"})
    d.call("a stopped prescription cannot be stopped again", "dr", "POST",
           "/api/v1/prescriptions/%d/stop" % new, {"reason": "again"}, status=409,
           code="conflict")
    d.at(0, "09:00:00")
    d.check_in(p, "with every prescription stopped or superseded, check-in is refused",
               status=422, code="no_current_prescription")
    d.dose(p, 10, status=422, code="no_current_prescription")

    q = d.patient("Norx")
    d.check_in(q, "a patient never prescribed for cannot check in", status=422,
               code="no_current_prescription")
    d.dose(q, 10, status=422, code="no_current_prescription")
    d.rx(q, "a prescription starting tomorrow", start_date=day(1).isoformat())
    d.check_in(q, "is not current today", status=422, code="no_current_prescription")

    # An end date is the last day that may be dosed.
    e = d.patient("Ending")
    d.rx(e, "a prescription that ends today", end_date=day(0).isoformat())
    d.session(e, 100, "09:05:00", "on its last day")
    d.at(1, "09:00:00")
    d.check_in(e, "the day after its end it is not current", status=422,
               code="no_current_prescription")


def licence(d):
    """dr.lapse's licence runs to day 2 inclusive: doses are allowed that day
    and refused from day 3, and dr.lapse can no longer sign."""
    d.at(1, "09:30:00")
    p = d.patient("Lapse")
    d.rx(p, "dr.lapse signs while licensed", who="lapse")
    d.at(2, "08:00:00")
    d.session(p, 100, "09:00:00", "on the licence's last day")
    d.at(3, "09:00:00")
    d.check_in(p)
    d.assess(p)
    d.dose(p, 100, "the day after the licence expires, the dose is refused", status=422,
           code="prescriber_licence_lapsed")
    d.rx(p, "dr.lapse cannot sign with a lapsed licence", who="lapse", status=422,
         code="prescriber_licence_lapsed")
    d.rx(p, "a licensed prescriber re-signs, superseding it",
         supersedes_id=d.scalar("SELECT max(id) FROM prescriptions WHERE patient_id = ?", (p,)))
    d.dose(p, 100, "under the new prescription the dose is given")


def amounts_and_windows(d):
    """Session max, daily max, the window edges, route, witness, assessment
    validity, top-up not allowed, the post-dose check and leaving."""
    d.at(4, "08:29:59")
    p = d.patient("Amounts")
    d.rx(p, session_dose_mg=200, daily_max_mg=300, routes=["iv", "im"])
    d.check_in(p, "check-in at 08:29:59 is before the window", status=422,
               code="outside_session_window")
    d.at(4, "08:30:00")
    d.check_in(p, "check-in at 08:30:00 opens the visit", expect={"state": "checked_in"})
    d.dose(p, 100, "a dose before any assessment", status=422, code="assessment_missing")
    d.assess(p, label="assessed fit at 08:30:00", expect={"state": "assessed"})
    d.at(4, "08:40:00")
    d.dose(p, 100, route="sc", status=422, code="route_not_prescribed")
    d.dose(p, 100, site="elbow_left", status=400, code="invalid_value")
    d.dose(p, 200.001, status=422, code="dose_exceeds_session_max")
    # Witnesses: missing, the nurse themself, wrong password, a bad token, a role
    # that may not witness; then by password instead of a token.
    body = {"amount_mg": 200, "route": "iv", "site": "arm_left", "identity_confirmed": True}
    d.dose(p, 200, "no witness", body=body, status=422, code="witness_required")
    d.dose(p, 200, "an empty witness", body=dict(body, witness={}), status=422,
           code="witness_required")
    d.dose(p, 200, "the nurse witnessing their own dose (token)", status=422,
           code="witness_same_person", witness=d.witness("nurse"))
    d.dose(p, 200, "the nurse witnessing their own dose (password)", status=422,
           code="witness_same_person",
           witness={"username": "nurse.patel", "password": DEMO_PW["nurse.patel"]})
    d.dose(p, 200, "a witness with the wrong password", status=422,
           code="witness_bad_credentials",
           witness={"username": "nurse.byrne", "password": "not-her-password"})
    d.dose(p, 200, "a made-up witness token", status=422, code="witness_bad_credentials",
           witness={"token": "A" * 43})
    d.dose(p, 200, "the session token is not a witness token", status=422,
           code="witness_bad_credentials", witness={"token": d.s["nurse2"].token})
    d.dose(p, 200, "a keyworker may not witness a dose", status=422, code="witness_role",
           witness=d.witness("kw"))
    d.at(4, "09:00:00")
    r = d.dose(p, 200, "exactly the session max, 30 min after the assessment (still valid)",
               witness={"username": "nurse.byrne", "password": DEMO_PW["nurse.byrne"]},
               expect={"state": "observing", "detail.session_total_ug": 200000,
                       "detail.witness_id": d.s["nurse2"].user_id,
                       "detail.observation_until": "%sT09:15:00Z" % day(4).isoformat()})
    d.leave(p, "leaving before the post-dose check", status=422, code="postdose_check_missing")
    d.at(4, "09:10:00")
    d.assess(p, label="assessed again after the dose")
    d.dose(p, 10, "a further injection on a prescription without top-ups", status=422,
           code="topup_not_allowed")
    # The afternoon: the daily max, and leaving early.
    d.at(4, "15:00:00")
    d.check_in(p, "afternoon check-in")
    d.assess(p, label="afternoon assessed fit at 15:00:00")
    d.at(4, "15:30:01")
    d.dose(p, 100, "30 min and 1 s after the assessment it is stale", status=422,
           code="assessment_stale")
    d.assess(p, label="assessed again at 15:30:01")
    d.dose(p, 100.001, status=422, code="dose_exceeds_daily_max")
    d.dose(p, 100, "exactly the daily max (300 mg)",
           expect={"detail.day_total_ug": 300000, "detail.session_no": 2})
    d.at(4, "15:40:00")
    d.postdose(p)
    d.leave(p, "leaving 10 min after the dose is against advice",
            expect={"state": "left", "detail.left_against_advice": True})
    d.eq("the administrations hold both doses",
         d.t.query("SELECT amount_ug, session_no, topup, witness_id FROM administrations"
                   " WHERE patient_id = ? ORDER BY id", (p,)),
         [(200000, 1, 0, d.s["nurse2"].user_id), (100000, 2, 0, d.s["nurse2"].user_id)])

    # The morning visit after its window: the state it was left in still
    # needs a post-dose check and a leave; here the morning patient left on
    # time, so check the on-time leave with another patient.
    q = d.patient("OnTime")
    d.rx(q)
    d.session(q, 100, "15:45:00", "on-time leaver")
    d.at(4, "16:00:00")
    d.postdose(q)
    d.leave(q, "leaving exactly 15 min after the dose is not against advice",
            expect={"detail.left_against_advice": False})
    d.check_in(q, "the visit is over: no second check-in in the window", status=422,
               code="wrong_session_state")

    # Window edges for a dose: 10:59:59 is inside, 11:00:00 is not.
    d.at(5, "10:30:00")
    a = d.patient("Edge")
    b = d.patient("Late")
    d.rx(a)
    d.rx(b)
    for x in (a, b):
        d.check_in(x)
        d.assess(x)
    d.at(5, "10:59:59")
    d.dose(a, 100, "a dose at 10:59:59 (the window is half-open)")
    d.at(5, "11:00:00")
    d.dose(b, 100, "a dose at 11:00:00, when the window has closed", status=422,
           code="outside_session_window")
    d.assess(b, label="an assessment at 11:00:00", status=422, code="outside_session_window")
    # Observation runs on past the window's end: the post-dose check and the
    # leaving of a dose given at 10:59:59 are recorded after 11:00.
    d.postdose(b, "after the window, a post-dose check for a patient never dosed", status=422,
               code="wrong_session_state")
    d.at(5, "11:05:00")
    d.postdose(q, "after the window, a post-dose check for a patient not seen today",
               status=422, code="outside_session_window")
    d.at(5, "11:10:00")
    d.postdose(a, "the post-dose check at 11:10 for the dose at 10:59:59")
    d.at(5, "11:14:59")
    d.leave(a, "leaving at 11:14:59, 15 min after the dose at 10:59:59",
            expect={"state": "left", "detail.left_against_advice": False})
    d.at(5, "17:29:00")
    d.check_in(b, "afternoon check-in at 17:29")
    d.assess(b)
    d.at(5, "17:29:59")
    d.dose(b, 100, "a dose at 17:29:59")
    d.at(5, "17:30:00")
    d.check_in(a, "a check-in at 17:30:00 is outside the window", status=422,
               code="outside_session_window")
    d.postdose(b, "a post-dose check at 17:30:00, after the window closed")
    d.at(5, "17:44:58")
    d.leave(b, "leaving at 17:44:58 is against advice", status=201,
            expect={"detail.left_against_advice": True})
    d.eq("the morning and afternoon visits each hold their own events",
         d.t.query("SELECT window_no, kind FROM visit_events WHERE patient_id = ? AND kind IN"
                   " ('postdose_check', 'left') ORDER BY id", (b,)),
         [(1, "postdose_check"), (1, "left")])


def too_soon_and_sessions(d):
    """3 h between session starts (with windows moved so that two are less
    than 3 h apart), and sessions used up."""
    d.at(6, "07:00:00")
    d.settings("a nurse cannot change the settings", {"min_between_session_starts_min": 60},
               who="nurse", status=403, code="forbidden")
    d.settings("overlapping windows are refused, at the windows",
               {"windows": [{"name": "morning", "start": "08:30", "end": "12:30"},
                            {"name": "midday", "start": "12:00", "end": "17:30"}]},
               status=422, code="date_order", expect={"error.field": "windows"})
    # What core refuses is refused at its field, with the field named.
    d.settings("a top-up gap of 0 minutes is refused, naming it", {"topup_min_gap_min": 0},
               status=400, code="out_of_range", expect={"error.field": "topup_min_gap_min"})
    d.settings("0 minutes between session starts is refused, naming it",
               {"min_between_session_starts_min": 0}, status=400, code="out_of_range",
               expect={"error.field": "min_between_session_starts_min"})
    d.settings("the missed-dose flag after the block is refused, naming the flag",
               {"missed_flag_days": 4, "missed_block_days": 3}, status=400,
               code="invalid_value", expect={"error.field": "missed_flag_days"})
    d.settings("fit above reduced for breath alcohol is refused, naming the fit limit",
               {"alcohol_fit_max_ug": 23}, status=400, code="invalid_value",
               expect={"error.field": "alcohol_fit_max_ug"})
    d.settings("at the edge: fit equal to reduced is taken",
               {"alcohol_fit_max_ug": 22}, expect={"alcohol_fit_max_ug": 22})
    d.settings("and put back", {"alcohol_fit_max_ug": 9}, expect={"alcohol_fit_max_ug": 9})
    d.settings("the manager moves the second window to 12:00",
               {"windows": [{"name": "morning", "start": "08:30", "end": "11:00"},
                            {"name": "midday", "start": "12:00", "end": "17:30"}]})
    p = d.patient("Soon")
    d.rx(p, session_dose_mg=100, daily_max_mg=200)
    d.session(p, 100, "10:00:00", "morning at 10:00:00")
    d.at(6, "10:15:00")
    d.postdose(p)
    d.leave(p)
    d.at(6, "12:30:00")
    d.check_in(p, "midday check-in")
    d.assess(p, label="assessed at 12:30:00")
    d.at(6, "12:59:59")
    d.dose(p, 100, "2 h 59 min 59 s after the morning dose", status=422,
           code="too_soon_after_previous_session")
    d.at(6, "13:00:00")
    d.dose(p, 100, "exactly 3 h after the morning dose (and 30 min after the assessment)",
           expect={"detail.session_no": 2})
    d.settings("the manager restores the default windows", {"windows": DEFAULT_WINDOWS})
    d.call("the settings read back as the defaults", "nurse", "GET", "/api/v1/premises/1/settings",
           status=200, expect={"windows": DEFAULT_WINDOWS, "min_between_session_starts_min": 180,
                               "topup_min_gap_min": 15, "assessment_valid_min": 30,
                               "observation_min": 15, "ceiling_diamorphine_mg": 1000,
                               "ceiling_hydromorphone_mg": 500})

    # One session a day: the afternoon is refused at check-in.
    d.at(7, "08:30:00")
    one = d.patient("OneAday")
    d.rx(one, sessions_per_day=1)
    # Two a day, cut to one after the afternoon check-in: the dose itself is refused.
    two = d.patient("Cut")
    d.rx(two, sessions_per_day=2)
    d.session(one, 100, "09:00:00", "the day's one session")
    d.session(two, 100, "09:05:00", "morning")
    d.at(7, "15:00:00")
    d.check_in(one, "a second session on a one-a-day prescription", status=422,
               code="sessions_used_up")
    d.step("her morning post-dose check", one, "postdose-checks",
           {"sedation_level": 0, "respiratory_rate": 14, "breathing": "normal"})
    d.step("she is seen out of the morning session", one, "leave")
    row, board = d.board_row(one)
    d.ok("the afternoon board leaves out the patient whose one session is used up",
         row is None and board.get("window", {}).get("index") == 1, repr(row))
    d.check_in(two, "afternoon check-in on two a day")
    d.assess(two)
    d.rx(two, "the prescriber cuts it to one a day",
         sessions_per_day=1, supersedes_id=d.scalar(
             "SELECT max(id) FROM prescriptions WHERE patient_id = ?", (two,)))
    d.dose(two, 100, "the afternoon dose after the cut", status=422, code="sessions_used_up")


def topups(d):
    """A top-up: allowed by the prescription, at least 15 min after the last
    injection, a fresh assessment, at most topup_max, within the session max."""
    d.at(8, "08:30:00")
    p = d.patient("Topup")
    d.rx(p, session_dose_mg=200, daily_max_mg=400, topup_allowed=True, topup_max_mg=60)
    d.check_in(p)
    d.assess(p)
    d.at(8, "08:31:00")
    d.dose(p, 100, "first injection at 08:31:00")
    d.at(8, "08:35:00")
    d.dose(p, 50, "a top-up with only the assessment from before the injection", status=422,
           code="assessment_stale")
    d.at(8, "08:40:00")
    d.assess(p, label="a fresh assessment after the injection", expect={"state": "observing"})
    d.at(8, "08:45:59")
    d.dose(p, 50, "a top-up 14 min 59 s after the injection", status=422, code="topup_too_soon")
    d.at(8, "08:46:00")
    d.dose(p, 60.001, "a top-up of 60.001 mg (max 60)", status=422, code="topup_exceeds_max")
    d.dose(p, 60, "a top-up of exactly 60 mg at exactly 15 min",
           expect={"detail.topup": True, "detail.session_total_ug": 160000,
                   "detail.session_no": 1})
    d.at(8, "09:01:00")
    d.assess(p, label="assessed again")
    d.dose(p, 40.001, "a second top-up past the 200 mg session max", status=422,
           code="dose_exceeds_session_max")
    d.dose(p, 40, "a second top-up to exactly the session max",
           expect={"detail.session_total_ug": 200000})
    d.eq("the top-ups are recorded as such, in session 1",
         d.t.query("SELECT amount_ug, topup, session_no FROM administrations WHERE patient_id = ?"
                   " ORDER BY id", (p,)),
         [(100000, 0, 1), (60000, 1, 1), (40000, 1, 1)])
    d.at(8, "09:15:59")
    d.postdose(p)
    d.leave(p, "observation runs from the last injection: 14 min 59 s is early",
            expect={"detail.left_against_advice": True})

    # The clock counts whole seconds: an assessment in the same second as
    # the injection is the one made before it, and cannot clear a top-up.
    q = d.patient("TopupSecond")
    d.rx(q, session_dose_mg=200, daily_max_mg=400, topup_allowed=True, topup_max_mg=60)
    d.session(q, 100, "09:30:00", "assessed and dosed in the same second:")
    d.at(8, "09:45:00")
    d.dose(q, 50, "a top-up on the assessment from the injection's own second", status=422,
           code="assessment_stale")
    d.assess(q, label="assessed after the injection", expect={"state": "observing"})
    d.dose(q, 50, "the top-up after a fresh assessment", expect={"detail.topup": True})


def induction(d):
    """The diamorphine induction template: day 1 sessions up to 90 and 150 mg,
    day 2 up to 160 and 160; from day 3 the prescription's own doses."""
    d.at(9, "08:30:00")
    p = d.patient("Induction")
    d.rx(p, session_dose_mg=200, daily_max_mg=400, topup_allowed=True, topup_max_mg=60,
         use_induction_template=True)
    late = d.patient("LateStart")
    d.rx(late, session_dose_mg=200, daily_max_mg=400, use_induction_template=True)
    d.check_in(p)
    d.assess(p)
    d.dose(p, 90.001, "induction day 1 session 1: 90.001 mg", status=422,
           code="dose_exceeds_induction_cap")
    d.dose(p, 30, "induction day 1 session 1: 30 mg first")
    d.at(9, "08:45:00")
    d.assess(p)
    d.dose(p, 60, "a 60 mg top-up brings session 1 to exactly 90 mg",
           expect={"detail.session_total_ug": 90000})
    d.at(9, "09:00:00")
    d.assess(p)
    d.dose(p, 0.001, "one microgram more is over the cap", status=422,
           code="dose_exceeds_induction_cap")
    d.at(9, "15:00:00")
    d.check_in(p)
    d.assess(p)
    d.dose(p, 150.001, "induction day 1 session 2: 150.001 mg", status=422,
           code="dose_exceeds_induction_cap")
    d.dose(p, 150, "induction day 1 session 2: exactly 150 mg",
           expect={"detail.day_total_ug": 240000})
    d.at(10, "08:30:00")
    d.check_in(p)
    d.assess(p)
    d.dose(p, 160.001, "induction day 2 session 1: 160.001 mg", status=422,
           code="dose_exceeds_induction_cap")
    d.dose(p, 160, "induction day 2 session 1: exactly 160 mg")
    d.at(10, "15:00:00")
    d.check_in(p)
    d.assess(p)
    d.dose(p, 160.001, "induction day 2 session 2: 160.001 mg", status=422,
           code="dose_exceeds_induction_cap")
    d.dose(p, 160, "induction day 2 session 2: exactly 160 mg")
    d.at(11, "08:30:00")
    d.check_in(p)
    d.assess(p)
    d.dose(p, 200, "after the template's two days, the prescription's 200 mg applies")
    # Day 1 is the first day a dose is given, not the day the prescription
    # was written: a patient first dosed two days later starts at day 1's caps.
    d.check_in(late)
    d.assess(late)
    d.dose(late, 90.001, "first dose two days after the prescription began: day 1's cap",
           status=422, code="dose_exceeds_induction_cap")
    d.dose(late, 90, "exactly day 1's 90 mg")


def ceiling(d):
    """The clinic ceiling binds even a prescription signed above it later."""
    d.at(12, "08:00:00")
    p = d.patient("Ceiling")
    d.rx(p, session_dose_mg=300, daily_max_mg=600)
    d.settings("the manager lowers the diamorphine ceiling to 500 mg",
               {"ceiling_diamorphine_mg": 500})
    d.rx(p, "a new 600 mg prescription is now above the ceiling", status=422,
         code="prescription_exceeds_ceiling", session_dose_mg=300, daily_max_mg=600)
    d.session(p, 300, "09:00:00", "morning 300 mg")
    d.at(12, "15:00:00")
    d.check_in(p)
    d.assess(p)
    d.dose(p, 200.001, "500.001 mg in the day is past the 500 mg ceiling (daily max 600)",
           status=422, code="dose_exceeds_system_ceiling")
    d.dose(p, 200, "exactly 500 mg in the day", expect={"detail.day_total_ug": 500000})
    d.settings("the manager restores the 1000 mg ceiling", {"ceiling_diamorphine_mg": 1000})


def assessments(d):
    """Not fit withholds; a reduced dose needs a prescriber's authorisation."""
    d.at(13, "08:30:00")
    p = d.patient("Reduced")
    d.rx(p)
    d.check_in(p)
    d.assess(p, "fit", sedation=1, label="'fit' at sedation level 1 is refused", status=400,
             code="invalid_value")
    d.assess(p, "fit", alcohol=10, label="'fit' at 10 ug breath alcohol is refused",
             status=400, code="invalid_value")
    d.assess(p, "fit_reduced", sedation=2, label="'fit reduced' at sedation 2 is refused",
             status=400, code="invalid_value")
    r = d.assess(p, "fit_reduced", sedation=1, alcohol=22,
                 label="fit for a reduced dose at sedation 1 and 22 ug alcohol",
                 expect={"detail.needs_prescriber_authorisation": True})
    aid = (r.json or {}).get("id")
    d.dose(p, 50, "a reduced dose with no authorisation", status=422,
           code="reduced_dose_needs_authorisation")
    d.call("a nurse cannot authorise it", "nurse", "POST",
           "/api/v1/assessments/%d/authorisations" % aid, {"amount_mg": 50}, status=403,
           code="forbidden")
    d.call("the prescriber authorises 50 mg", "dr", "POST",
           "/api/v1/assessments/%d/authorisations" % aid, {"amount_mg": 50}, status=201)
    d.dose(p, 50.001, "50.001 mg against a 50 mg authorisation", status=422,
           code="reduced_dose_needs_authorisation")
    d.dose(p, 50, "exactly the authorised 50 mg")
    d.eq("the dose points at its assessment",
         d.scalar("SELECT assessment_id FROM administrations WHERE patient_id = ?", (p,)), aid)

    d.at(13, "15:00:00")
    d.check_in(p)
    d.assess(p, "not_fit", sedation=0, label="not fit without a reason", status=400,
             code="missing_field")
    r = d.assess(p, "not_fit", sedation=3, reason="sedated", label="not fit: sedated",
                 expect={"state": "withheld", "event": "withheld"})
    d.call("an authorisation only follows a reduced assessment", "dr", "POST",
           "/api/v1/assessments/%d/authorisations" % r.json["id"], {"amount_mg": 10},
           status=422, code="wrong_session_state")
    d.dose(p, 50, "a dose after a not-fit assessment", status=422, code="assessment_not_fit")
    d.assess(p, label="a fresh assessment cannot reopen a withheld visit", status=422,
             code="wrong_session_state")


def blocks(d):
    """After naloxone or a seizure, no dose until a prescriber's review."""
    d.at(14, "08:30:00")
    p = d.patient("Naloxone")
    d.rx(p)
    d.session(p, 100, "08:30:00", "morning")
    d.at(14, "08:40:00")
    d.step("naloxone without its dose is refused", p, "adverse-events",
           {"kind": "naloxone", "action_taken": "naloxone", "outcome": "recovered"},
           status=400, code="missing_field")
    d.step("naloxone given is recorded", p, "adverse-events",
           {"kind": "naloxone", "action_taken": "rescue breaths, naloxone IM",
            "outcome": "recovered", "naloxone_dose_mg": 0.4, "naloxone_route": "im"},
           expect={"blocks_until_review": True})
    row, _ = d.board_row(p)
    d.ok("the board flags the patient as blocked",
         row is not None and "blocked_until_review" in row["flags"], repr(row))
    d.at(14, "15:00:00")
    d.check_in(p)
    d.assess(p)
    d.dose(p, 100, "a dose after naloxone, before review", status=422, code="patient_blocked")
    d.step("a nurse cannot review", p, "reviews", {"outcome": "continue"}, status=403,
           code="forbidden")
    d.step("the prescriber reviews", p, "reviews", {"outcome": "continue"}, who="dr")
    d.dose(p, 100, "after the review the dose is given")

    q = d.patient("Sedation")
    qrx = d.rx(q)
    d.step("over-sedation is recorded; it does not block", q, "adverse-events",
           {"kind": "over_sedation", "action_taken": "observed", "outcome": "settled"},
           expect={"blocks_until_review": False})
    d.session(q, 100, "15:10:00", "after over-sedation")
    d.step("a seizure is recorded", q, "adverse-events",
           {"kind": "seizure", "action_taken": "recovery position", "outcome": "recovered"},
           expect={"blocks_until_review": True})
    d.at(15, "08:30:00")
    d.check_in(q)
    d.assess(q)
    d.dose(q, 100, "the morning after a seizure, before review", status=422,
           code="patient_blocked")
    d.step("the prescriber reviews: reduce, with the lower prescription", q, "reviews",
           {"outcome": "reduce",
            "prescription": d.rx_body(session_dose_mg=150, daily_max_mg=300,
                                      supersedes_id=qrx)}, who="dr")
    d.dose(q, 100, "after the review the dose is given")
    r = d.call("the dosing history of the day", "nurse", "GET",
               "/api/v1/patients/%d/dosing-history?from=%s&to=%s" % (
                   q, day(15).isoformat(), day(15).isoformat()), status=200)
    today = (dig(r.json, "days") or [{}])[0]
    d.eq("the history lists the review with its prescriber",
         [(x["outcome"], x["prescriber"]) for x in today.get("reviews", [])],
         [("reduce", "Dr Adaeze Okafor")])
    d.ok("and names who gave and who witnessed each dose",
         all(a.get("nurse") and a.get("witness") and a["nurse"] != a["witness"]
             for a in today.get("administrations", [])) and today.get("administrations"),
         repr(today.get("administrations")))


def blocks_more(d):
    """Naloxone blocks whatever the event is called, and a review made before
    the event was recorded does not lift it."""
    d.at(15, "08:35:00")
    o = d.patient("OverdoseNaloxone")
    d.rx(o)
    d.session(o, 100, "08:35:00", "before the overdose")
    d.at(15, "08:45:00")
    d.step("an overdose reversed with naloxone is recorded as an overdose", o,
           "adverse-events",
           {"kind": "overdose", "action_taken": "naloxone IM", "outcome": "recovered",
            "naloxone_dose_mg": 0.4, "naloxone_route": "im"},
           expect={"blocks_until_review": True})
    d.step("an overdose without naloxone does not block", o, "adverse-events",
           {"kind": "overdose", "action_taken": "observed", "outcome": "settled"},
           expect={"blocks_until_review": False})

    r = d.patient("LateRecord")
    d.rx(r)
    d.session(r, 100, "08:50:00", "before the late-recorded naloxone")
    d.at(15, "09:00:00")
    d.step("the prescriber reviews the patient for another reason", r, "reviews",
           {"outcome": "continue"}, who="dr")
    d.at(15, "09:10:00")
    d.step("naloxone given at 08:55 is recorded at 09:10, after that review", r,
           "adverse-events",
           {"kind": "naloxone", "occurred_at": "%sT08:55:00Z" % day(15).isoformat(),
            "action_taken": "naloxone IM", "outcome": "recovered",
            "naloxone_dose_mg": 0.4, "naloxone_route": "im"},
           expect={"blocks_until_review": True})
    d.at(15, "15:00:00")
    for pid, who in ((o, "the overdose patient"), (r, "the late-recorded patient")):
        d.check_in(pid)
        d.assess(pid)
        d.dose(pid, 100, "%s, before a review that follows the record" % who, status=422,
               code="patient_blocked")
        d.step("the prescriber reviews %s" % who, pid, "reviews", {"outcome": "continue"},
               who="dr")
        d.dose(pid, 100, "%s after the review" % who)


def discharged(d):
    """A discharge ends dosing even if the prescription is left running."""
    d.at(18, "08:30:00")
    p = d.patient("Discharged")
    d.rx(p, oral_drug="methadone_oral", oral_dose_mg=30, oral_daily_max_mg=60)
    d.session(p, 100, "08:30:00", "before discharge")
    eid = d.scalar("SELECT id FROM episodes WHERE patient_id = ?", (p,))
    d.call("the patient is discharged today; the prescription is not stopped", "nurse",
           "PATCH", "/api/v1/episodes/%d" % eid,
           {"version": 1, "discharge_date": day(18).isoformat(),
            "discharge_reason": "transferred_not_in_custody"}, status=200,
           expect={"status": "discharged"})
    d.at(18, "15:00:00")
    d.check_in(p, "check-in after discharge", status=422, code="no_active_episode")
    d.dose(p, 100, "an injection after discharge", status=422, code="no_active_episode")
    d.step("an oral dose after discharge", p, "oral-doses",
           {"amount_mg": 30, "witness": d.witness()}, status=422, code="no_active_episode")


def review_gap(d):
    """A prescriber's review answers for the days up to it: three full days
    missed after it block again."""
    d.at(18, "09:00:00")
    a = d.patient("ReviewGapA")
    d.rx(a)
    b = d.patient("ReviewGapB")
    d.rx(b)
    d.session(a, 100, "09:00:00", "A's last dose")
    d.session(b, 100, "09:01:00", "B's last dose")
    d.at(24, "08:30:00")
    for pid in (a, b):
        d.check_in(pid)
        d.assess(pid)
        d.dose(pid, 100, "five days missed", status=422, code="induction_restart_required")
        d.step("the prescriber reviews: restart induction", pid, "reviews",
               {"outcome": "restart_induction"}, who="dr")
    d.at(27, "08:30:00")
    d.check_in(a)
    d.assess(a)
    d.dose(a, 30, "two full days missed since the review: the review still holds")
    d.at(28, "08:30:00")
    d.check_in(b)
    d.assess(b)
    d.dose(b, 30, "three full days missed since the review: blocked again", status=422,
           code="induction_restart_required")


def sites(d):
    """A lower-limb IV site needs a risk discussion; IM sites rotate."""
    d.at(16, "08:30:00")
    p = d.patient("Sites")
    d.rx(p, routes=["iv", "im"])
    d.check_in(p)
    d.assess(p)
    d.dose(p, 100, route="iv", site="groin_left", status=422,
           code="lower_limb_needs_risk_discussion")
    d.dose(p, 100, route="iv", site="thigh_right", status=422,
           code="lower_limb_needs_risk_discussion")
    d.step("the risk discussion is recorded", p, "risk-discussions",
           {"notes": "femoral risks explained; agreed rotation"})
    d.dose(p, 100, route="iv", site="groin_left", expect={"detail.warnings": []})
    d.at(16, "15:00:00")
    d.check_in(p)
    d.assess(p)
    d.dose(p, 100, route="im", site="deltoid_left", expect={"detail.warnings": []})
    d.at(17, "08:30:00")
    d.check_in(p)
    d.assess(p)
    d.dose(p, 100, "the same IM site as last time: given, with a warning", route="im",
           site="deltoid_left", expect={"detail.warnings": ["im_site_repeat"]})
    d.eq("the warning is stored with the dose",
         d.scalar("SELECT warnings FROM administrations WHERE patient_id = ? ORDER BY id DESC"
                  " LIMIT 1", (p,)), '["im_site_repeat"]')
    d.at(17, "15:00:00")
    d.check_in(p)
    d.assess(p)
    d.dose(p, 100, "the other deltoid: no warning",
           route="im", site="deltoid_right", expect={"detail.warnings": []})

    q = d.patient("ImThigh")
    d.rx(q, routes=["im"])
    d.check_in(q)
    d.assess(q)
    d.dose(q, 100, "an IM thigh injection needs no risk discussion", route="im",
           site="thigh_left")


def append_only(d):
    """The database refuses to change or remove a dose or an assessment."""
    c = d.t.connect_rw(timeout=5, isolation_level=None)
    try:
        for sql in ("UPDATE administrations SET amount_ug = amount_ug + 1",
                    "DELETE FROM administrations",
                    "UPDATE assessments SET decision = 'fit'",
                    "DELETE FROM assessments",
                    "UPDATE prescriptions SET daily_max_ug = 1",
                    "DELETE FROM visit_events",
                    "DELETE FROM reviews"):
            err = None
            try:
                c.execute("BEGIN IMMEDIATE")
                c.execute(sql)
            except sqlite3.DatabaseError as e:
                err = str(e)
            finally:
                try:
                    c.execute("ROLLBACK")
                except sqlite3.DatabaseError:
                    pass
            d.ok("the database refuses: %s" % sql, err is not None and "append-only" in err,
                 "error: %r" % err)
    finally:
        c.close()


def body(t):
    d = Desk(t)
    d.start()
    setup(d)
    signing(d)
    licence(d)
    amounts_and_windows(d)
    too_soon_and_sessions(d)
    topups(d)
    induction(d)
    ceiling(d)
    assessments(d)
    blocks(d)
    blocks_more(d)
    sites(d)
    discharged(d)
    review_gap(d)
    append_only(d)


if __name__ == "__main__":
    sys.exit(main("test_dosing_rules", body, demo="staff", start=False))
