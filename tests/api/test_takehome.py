"""test_takehome.py: take-home injectable doses under the Swiss rule set, and
guest dosing at another premises, over realistic runs of days.

Run by ctest as: python3 test_takehome.py --hatd PATH --hatctl PATH

The test clock lives through six months and more of late 2028 and 2029 (day
0 is 2028-11-01).  One person is dosed every morning from day 0; take-home
is off, then turned on; each criterion is tried at its edge from the record
(six months to the day, the last two screens, a prescriber's assessments, 2
days and 7 with comorbidity, staff contact twice a week), supplies are
posted to the register, a take-home day counts as dosed for the missed-dose
rules, what comes back or is lost is recorded with the balance still right,
and the privilege is withdrawn.  A second person is a guest at a second
premises: refused on a day not authorised, dosed on one that is, and held to
the daily cap across both premises.  Every refusal writes nothing; `hatctl
verify` passes at the end.
"""
import os
import shutil
import sqlite3
import sys

sys.dont_write_bytecode = True  # importing test_dosing_rules leaves no __pycache__

from harness import DEMO_PW, TestFailure, main  # noqa: E402
from test_dosing_rules import CONFIRM, Desk, day, dig  # noqa: E402

SIX_MONTHS = 181  # 2028-11-01 + 6 months = 2029-05-01, day 181


class THDesk(Desk):
    def at(self, n, hms):
        """As Desk.at, logging in again every 6 days (sessions last 7)."""
        if n < self.now_day:
            raise TestFailure("the clock only goes forward (day %d after %d)" % (n, self.now_day))
        self.t.clock(now="%sT%sZ" % (day(n).isoformat(), hms))
        self.now_day = n
        if self.login_at is None or n - self.login_at >= 6:
            self.login_all()

    def th_counts(self):
        return (self.scalar("SELECT count(*) FROM takehome_supplies"),
                self.scalar("SELECT count(*) FROM takehome_returns"),
                self.scalar("SELECT count(*) FROM takehome_assessments"),
                self.scalar("SELECT count(*) FROM register_entries"),
                self.scalar("SELECT count(*) FROM audit_events"))

    def refused(self, label, who, method, path, body, status, code):
        before = self.th_counts()
        r = self.call(label, who, method, path, body, status=status, code=code)
        self.eq(label + " (nothing written)", self.th_counts(), before)
        return r

    def supply(self, pid, first, days, label, status=201, code=None, witness=True):
        body = {"first_date": day(first).isoformat(), "days": days}
        if witness:
            body["witness"] = self.witness("nurse2")
        path = "/api/v1/patients/%d/take-home/supplies" % pid
        if status != 201:
            return self.refused(label, "nurse", "POST", path, body, status, code)
        return self.call(label, "nurse", "POST", path, body, status=201)

    def balance(self, premises, mg):
        return self.scalar("SELECT e.balance_after FROM register_entries e JOIN register_pages p"
                           " ON p.id = e.page_id WHERE p.premises_id = ? AND p.drug = 'diamorphine'"
                           " AND p.strength_ug = ? ORDER BY e.seq DESC LIMIT 1",
                           (premises, mg * 1000))


def setup(d):
    d.start()
    d.stock()
    d.call("admin renews dr.okafor's licence for the test years", "admin", "POST",
           "/api/v1/users/%d/licences" % d.s["dr"].user_id,
           {"licence_number": "HO-DIA-2028-0001", "premises_id": 1,
            "expires_on": day(500).isoformat(), "confirmer": CONFIRM}, status=201)
    sid = d.scalar("SELECT max(id) FROM suppliers")
    d.call("the pharmacist receives 800 more 100 mg ampoules for six months", "pharm", "POST",
           "/api/v1/register/receipts",
           {"premises_id": 1, "supplier_id": sid, "drug": "diamorphine", "strength_mg": 100,
            "form": "powder_for_injection", "quantity": 800, "batch": "TH100",
            "expiry_date": day(600).isoformat(), "invoice_ref": "INV-TH",
            "witness": d.witness("nurse2")}, status=201)
    r = d.call("the administrator adds a second premises", "admin", "POST", "/api/v1/premises",
               {"name": "North Site", "address": "2 North Road, Testtown"}, status=201)
    north = dig(r.json, "premises.id") or dig(r.json, "id")
    d.call("dr.okafor's licence names the second premises too", "admin", "POST",
           "/api/v1/users/%d/licences" % d.s["dr"].user_id,
           {"licence_number": "HO-DIA-2028-0002", "premises_id": north,
            "expires_on": day(500).isoformat(), "confirmer": CONFIRM}, status=201)
    d.call("the pharmacist receives 100 mg ampoules at the second premises", "pharm", "POST",
           "/api/v1/register/receipts",
           {"premises_id": north, "supplier_id": sid, "drug": "diamorphine", "strength_mg": 100,
            "form": "powder_for_injection", "quantity": 20, "batch": "N100",
            "expiry_date": day(600).isoformat(), "invoice_ref": "INV-N",
            "witness": d.witness("nurse2")}, status=201)
    d.call("... and 10 mg ampoules there", "pharm", "POST", "/api/v1/register/receipts",
           {"premises_id": north, "supplier_id": sid, "drug": "diamorphine", "strength_mg": 10,
            "form": "powder_for_injection", "quantity": 20, "batch": "N10",
            "expiry_date": day(600).isoformat(), "invoice_ref": "INV-N10",
            "witness": d.witness("nurse2")}, status=201)
    return north


def morning(d, pid, n, mg=100, **kw):
    d.at(n, "08:30:00")
    d.check_in(pid, label="day %d: check in" % n)
    d.assess(pid, label="day %d: assessed" % n)
    return d.dose(pid, mg, label="day %d: %s mg" % (n, mg), **kw)


def screen(d, pid, n, positives=(), label="a drug screen"):
    results = [{"analyte": "morphine", "result": "positive"},
               {"analyte": "6mam", "result": "positive"},
               {"analyte": "cocaine", "result": "cocaine" in positives and "positive" or "negative"},
               {"analyte": "acetylcodeine", "result": "negative"}]
    d.call(label, "kw", "POST", "/api/v1/patients/%d/drug-screens" % pid,
           {"sample_type": "urine", "collected_at": "%sT08:00:00Z" % day(n).isoformat(),
            "supervised": True, "collection": "random", "method": "point_of_care",
            "results": results}, status=201)


def status(d, pid):
    r = d.t.request("GET", "/api/v1/patients/%d/take-home" % pid, session=d.s["nurse"])
    return r.json or {}


def criterion(st, name):
    for c in st.get("criteria", []):
        if c["criterion"] == name:
            return c
    return {}


def guest(d, north):
    """Item 5: guest dosing at the second premises."""
    morning(d, d.th, 10)
    g = d.guest = d.patient("Guest")
    d.rx(g, session_dose_mg=150, daily_max_mg=200)
    d.check_in(g, label="guest: morning at home")
    d.assess(g, label="guest: assessed at home")
    d.dose(g, 150, "guest: 150 mg at home")
    d.at(10, "15:00:00")
    before = d.counts()
    d.step("guest: check-in at the second premises on a day not authorised", g, "check-in",
           {"premises_id": north}, status=422, code="guest_not_authorised")
    d.eq("guest: the refused check-in wrote nothing", d.counts(), before)
    d.call("guest: a nurse may not authorise", "nurse", "POST",
           "/api/v1/patients/%d/guest-authorisations" % g,
           {"premises_id": north, "dates": [day(11).isoformat()]}, status=403, code="forbidden")
    d.call("guest: a past day cannot be authorised", "dr", "POST",
           "/api/v1/patients/%d/guest-authorisations" % g,
           {"premises_id": north, "dates": [day(9).isoformat()]}, status=422, code="date_order")
    d.call("guest: the home premises is not a guest premises", "dr", "POST",
           "/api/v1/patients/%d/guest-authorisations" % g,
           {"premises_id": 1, "dates": [day(11).isoformat()]}, status=400, code="invalid_value")
    d.call("guest: the home prescriber authorises day 11 at the second premises", "dr", "POST",
           "/api/v1/patients/%d/guest-authorisations" % g,
           {"premises_id": north, "dates": [day(11).isoformat()],
            "notes": "Working in the north of town that day."}, status=201)
    d.call("guest: the same day twice is a conflict", "dr", "POST",
           "/api/v1/patients/%d/guest-authorisations" % g,
           {"premises_id": north, "dates": [day(11).isoformat()]}, status=409, code="conflict")
    d.step("guest: still refused today (only day 11 is authorised)", g, "check-in",
           {"premises_id": north}, status=422, code="guest_not_authorised")

    morning(d, d.th, 11)
    d.check_in(g, label="guest day: morning at home")
    d.assess(g, label="guest day: assessed at home")
    d.dose(g, 150, "guest day: 150 mg at home (daily max 200)")
    d.at(11, "15:00:00")
    r = d.t.request("GET", "/api/v1/guests?premises_id=%d&date=%s" % (north, day(11).isoformat()),
                    session=d.s["nurse"])
    row = (r.json or {}).get("guests", [{}])[0] if (r.json or {}).get("guests") else {}
    d.eq("guest: the second premises sees the guest", row.get("patient_id"), g)
    d.eq("guest: ... with the prescription's daily max",
         dig(row, "prescription.daily_max_mg"), 200.0)
    d.eq("guest: ... and the day's dose at home",
         [(x["amount_ug"], x["premises_id"]) for x in row.get("doses_today", [])], [(150000, 1)])
    r = d.t.request("GET", "/api/v1/board?premises_id=%d" % north, session=d.s["nurse"])
    ids = [p["patient_id"] for p in (r.json or {}).get("patients", [])]
    d.ok("guest: the guest is on the second premises' board", g in ids, repr(r.json)[:300])
    d.eq("guest: ... marked with their home premises",
         [p["home_premises_id"] for p in (r.json or {}).get("patients", []) if p["patient_id"] == g],
         [1])
    d.step("guest: check-in at the second premises", g, "check-in", {"premises_id": north})
    d.step("guest: assessed at the second premises", g, "assessments",
           {"sedation_level": 0, "breath_alcohol_ug": 0, "decision": "fit", "premises_id": north})
    before = d.counts()
    d.step("guest: 50.001 mg more would pass the daily max across both premises", g,
           "administrations", {"amount_mg": 50.001, "route": "iv", "site": "arm_left",
                               "identity_confirmed": True, "witness": d.witness(),
                               "premises_id": north}, status=422, code="dose_exceeds_daily_max")
    d.eq("guest: the refused dose wrote nothing", d.counts(), before)
    north_before = d.balance(north, 10)
    home_before = d.balance(1, 10)
    d.step("guest: 50 mg, exactly the daily max across both premises", g, "administrations",
           {"amount_mg": 50, "route": "iv", "site": "arm_left", "identity_confirmed": True,
            "witness": d.witness(), "premises_id": north},
           expect={"detail.day_total_ug": 200000})
    d.eq("guest: the second premises' register gave the ampoules",
         d.balance(north, 10), north_before - 5)
    d.eq("guest: the home register did not", d.balance(1, 10), home_before)
    d.eq("guest: the dose is recorded at the second premises",
         d.scalar("SELECT premises_id FROM administrations WHERE patient_id = ?"
                  " ORDER BY id DESC LIMIT 1", (g,)), north)
    d.step("guest: post-dose check at the second premises", g, "postdose-checks",
           {"sedation_level": 0, "respiratory_rate": 14, "breathing": "normal",
            "premises_id": north})
    d.at(11, "15:20:00")
    d.step("guest: leaves the second premises", g, "leave", {"premises_id": north})
    d.at(11, "15:30:00")
    d.step("guest: back at home the same afternoon: both of today's sessions are used,"
           " across the two premises", g, "check-in", {}, status=422, code="sessions_used_up")


def takehome(d):
    p = d.th
    base = "/api/v1/patients/%d/take-home" % p
    # Days 0..180: dosed every morning (one session a day; two are allowed).
    for n in range(1, SIX_MONTHS):
        if n == 10:
            guest(d, d.north)  # days 10 and 11, the take-home person's mornings too
        if n in (10, 11):
            continue
        morning(d, p, n)
        if n == 165:
            screen(d, p, n, label="day 165: a screen clear of drugs not prescribed")
        if n == 172:
            screen(d, p, n, label="day 172: another clear screen")
        if n == 175:
            d.call("day 175: the prescriber records the person stable", "dr", "POST",
                   base + "/assessments", {"kind": "stability", "outcome": "stable",
                                           "notes": "Housed, working, no incidents."},
                   status=201)
            d.call("day 175: ... and a very low risk of misuse", "dr", "POST",
                   base + "/assessments", {"kind": "misuse_risk", "outcome": "very_low"},
                   status=201)
            d.call("a nurse cannot record a prescriber's assessment", "nurse", "POST",
                   base + "/assessments", {"kind": "stability", "outcome": "stable"},
                   status=403, code="forbidden")
            d.call("an outcome that is not one of the kind's", "dr", "POST",
                   base + "/assessments", {"kind": "stability", "outcome": "very_low"},
                   status=400, code="invalid_value")
    n = SIX_MONTHS - 1
    d.at(n, "09:30:00")
    d.refused("day 180: take-home is off by default: no grant", "dr", "POST", base + "/grant",
              {}, 422, "takehome_disabled")
    d.call("the manager cannot enable it without naming the law", "manager", "PUT",
           "/api/v1/premises/1/take-home-settings", {"enabled": True}, status=400,
           code="missing_field")
    d.call("a nurse cannot enable it", "nurse", "PUT", "/api/v1/premises/1/take-home-settings",
           {"enabled": True, "jurisdiction_basis": "x"}, status=403, code="forbidden")
    d.call("the manager enables take-home under the Swiss rule set", "manager", "PUT",
           "/api/v1/premises/1/take-home-settings",
           {"enabled": True, "rule_set": "swiss_2020",
            "jurisdiction_basis": "Swiss ordinance on diacetylmorphine treatment, art. 10"},
           status=200, expect={"enabled": True, "version": 1})
    st = status(d, p)
    d.eq("day 180: the check screen says the treatment is one day short",
         (criterion(st, "treatment").get("met"), st.get("eligible_from")),
         (False, day(SIX_MONTHS).isoformat()))
    d.refused("day 180: one day before six months: refused", "dr", "POST", base + "/grant", {},
              422, "takehome_treatment_too_short")

    n = SIX_MONTHS
    morning(d, p, n)
    d.at(n, "09:30:00")
    d.refused("day 181: no privilege yet: no supply", "nurse", "POST", base + "/supplies",
              {"first_date": day(n + 1).isoformat(), "days": 2, "witness": d.witness("nurse2")},
              422, "takehome_not_granted")
    d.call("day 181: six months to the day: the prescriber grants the privilege", "dr", "POST",
           base + "/grant", {"notes": "All criteria met."}, status=201,
           expect={"review_by": day(n + 90).isoformat()})
    st = status(d, p)
    d.eq("day 181: every criterion is met on the check screen",
         [c["criterion"] for c in st.get("criteria", []) if not c["met"]], [])
    d.supply(p, n + 1, 3, "day 181: three daily doses without comorbidity: refused", 422,
             "takehome_too_many_days")
    d.supply(p, n + 2, 1, "a supply starting the day after tomorrow: refused", 422, "date_order")
    d.supply(p, n + 1, 2, "a supply without a witness: refused", 422, "witness_required",
             witness=False)
    d.call("a keyworker cannot hand over a supply", "kw", "POST", base + "/supplies",
           {"first_date": day(n + 1).isoformat(), "days": 2}, status=403, code="forbidden")
    d.supply(p, n + 1, 0, "zero days: bad input", 400, "out_of_range")
    bal = d.balance(1, 100)
    r = d.supply(p, n + 1, 2, "day 181: two daily doses (days 182, 183): supplied")
    first = r.json or {}
    d.eq("the supply is 2 days x 2 doses x 100 mg in 4 whole ampoules",
         (first.get("total_ug"), first.get("ampoules")), (400000, 4))
    d.eq("the register's 100 mg balance fell by 4 in the same transaction",
         d.balance(1, 100), bal - 4)
    d.eq("the register entries name the patient and the take-home supply",
         d.scalar("SELECT count(*) FROM register_entries WHERE patient_id = ? AND"
                  " administration_id IS NULL AND reason LIKE 'take-home supply%'", (p,)), 1)
    d.supply(p, n + 1, 1, "a second supply for a covered day: refused", 422,
             "takehome_day_covered")
    d.supply(p, n, 1, "a supply for today, already dosed: refused", 422, "takehome_day_covered")

    d.at(n + 1, "08:30:00")
    d.check_in(p, "day 182 is a take-home day: no supervised dose", status=422,
               code="takehome_day_covered")
    d.at(n + 1, "12:00:00")
    d.call("day 182: a keyworker phones the person", "kw", "POST",
           "/api/v1/patients/%d/contacts" % p,
           {"kind": "phone", "at": "%sT11:00:00Z" % day(n + 1).isoformat()}, status=201)
    d.call("a contact cannot be recorded ahead of time", "kw", "POST",
           "/api/v1/patients/%d/contacts" % p,
           {"kind": "phone", "at": "%sT13:00:00Z" % day(n + 1).isoformat()}, status=422,
           code="date_order")
    d.at(n + 1, "17:45:00")
    row, _ = d.board_row(p)
    d.eq("day 182: after the last window the take-home day is not on the board"
         " (never 'did not attend')", row, None)
    # Day 184: back after two take-home days: they count as dosed.
    morning(d, p, n + 3, expect={"detail.warnings": []})
    d.at(n + 3, "09:30:00")
    d.call("day 184: the prescriber records comorbidity", "dr", "POST", base + "/assessments",
           {"kind": "comorbidity", "outcome": "present", "notes": "COPD; hospital clinic weekly."},
           status=201)
    d.supply(p, n + 4, 8, "day 184: eight daily doses even with comorbidity: refused", 422,
             "takehome_too_many_days")
    bal = d.balance(1, 100)
    d.supply(p, n + 4, 7, "day 184: seven daily doses with comorbidity (days 185..191)")
    d.eq("the register fell by 14 ampoules (7 days x 2 doses)", d.balance(1, 100), bal - 14)
    d.at(n + 6, "10:00:00")
    d.call("day 187: a nurse phones the person (their one contact this week)", "nurse", "POST",
           "/api/v1/patients/%d/contacts" % p,
           {"kind": "phone", "at": "%sT09:55:00Z" % day(n + 6).isoformat()}, status=201)
    # Day 192: seven take-home days then the clinic: no missed-dose block.
    d.at(n + 11, "08:00:00")
    d.supply(p, n + 12, 2, "day 192 before the dose: one contact day in the last seven: refused",
             422, "takehome_contact_too_rare")
    morning(d, p, n + 11, expect={"detail.warnings": []})
    d.at(n + 11, "09:30:00")
    odd = d.rx(p, "a prescription of 102.5 mg a session supersedes the 100 mg one",
               supersedes_id=d.th_rx, session_dose_mg=102.5, daily_max_mg=205)
    d.supply(p, n + 12, 2, "102.5 mg cannot be made of whole ampoules: no supply", 422,
             "takehome_part_ampoule")
    d.th_rx = d.rx(p, "back to 100 mg a session", supersedes_id=odd, session_dose_mg=100,
                   daily_max_mg=200)
    bal = d.balance(1, 100)
    r = d.supply(p, n + 12, 2, "day 192 after the dose: two contact days: supplied (193, 194)")
    last = (r.json or {}).get("id")
    d.eq("the register fell by 4 ampoules", d.balance(1, 100), bal - 4)
    d.call("day 192: the prescriber reviews the privilege: criteria still met", "dr", "POST",
           base + "/review", {"review_by": day(n + 11 + 60).isoformat()}, status=201,
           expect={"review_by": day(n + 11 + 60).isoformat()})
    d.call("a review date past the premises' 90 days is refused", "dr", "POST", base + "/review",
           {"review_by": day(n + 11 + 91).isoformat()}, status=400, code="out_of_range")

    # Day 195: one day's doses come back unused; one ampoule was lost.
    d.at(n + 14, "08:15:00")
    ret = "/api/v1/take-home-supplies/%d/returns" % (last or 0)
    d.refused("a return with no witness: refused", "nurse", "POST", ret,
              {"kind": "returned", "ampoules": 2, "days_unused": 1}, 422, "witness_required")
    d.refused("more ampoules back than were supplied: refused", "nurse", "POST", ret,
              {"kind": "returned", "ampoules": 5, "days_unused": 1, "witness": d.witness("nurse2")},
              422, "takehome_return_exceeds_supply")
    bal = d.balance(1, 100)
    d.call("day 195: two ampoules (day 194's doses) returned unused, witnessed", "nurse", "POST",
           ret, {"kind": "returned", "ampoules": 2, "days_unused": 1,
                 "notes": "Unopened; denatured in front of the witness.",
                 "witness": d.witness("nurse2")}, status=201)
    d.call("day 195: one ampoule reported lost", "nurse", "POST", ret,
           {"kind": "lost", "ampoules": 1, "notes": "Dropped and broken at home, says the person."},
           status=201, expect={"incident_id": lambda v: isinstance(v, int)})
    d.refused("then two more would be more than is out: refused", "nurse", "POST", ret,
              {"kind": "lost", "ampoules": 2}, 422, "takehome_return_exceeds_supply")
    d.eq("returns never go back into stock: the balance is unchanged", d.balance(1, 100), bal)
    d.eq("the loss is an incident for the CDAO",
         d.scalar("SELECT kind FROM incidents ORDER BY id DESC LIMIT 1"), "loss")
    # Day 193 dosed at home, 194 returned unused: one missed day, flagged.
    morning(d, p, n + 14, expect={"detail.warnings": ["missed_doses"]})
    d.at(n + 14, "09:40:00")
    screen(d, p, n + 14, positives=("cocaine",), label="day 195: a screen positive for cocaine")
    st = status(d, p)
    d.eq("the check screen shows the screens criterion failing",
         (criterion(st, "screens").get("met"), criterion(st, "screens").get("value")), (False, 1))
    d.supply(p, n + 15, 1, "one positive among the last two screens: refused", 422,
             "takehome_screens_not_clear")
    d.refused("the review is refused on the same screens", "dr", "POST", base + "/review", {},
              422, "takehome_screens_not_clear")
    d.call("a withdrawal needs a reason", "dr", "POST", base + "/withdraw", {}, status=400,
           code="missing_field")
    d.call("the prescriber withdraws the privilege", "dr", "POST", base + "/withdraw",
           {"notes": "Cocaine on the last screen; supervised dosing again."}, status=201)
    d.refused("no second withdrawal", "dr", "POST", base + "/withdraw", {"notes": "again"}, 422,
              "takehome_not_granted")
    screen(d, p, n + 14, label="day 195: a later screen, clear")
    d.supply(p, n + 15, 1, "withdrawn: no supply even with clear screens again", 422,
             "takehome_not_granted")
    st = status(d, p)
    d.eq("the check screen lists the privilege's decisions, newest first",
         [x["kind"] for x in st.get("decisions", [])][:4],
         ["withdraw", "review", "comorbidity", "grant"])
    d.eq("three supplies and two returns on the check screen",
         (len(st.get("supplies", [])), len(st.get("returns", []))), (3, 2))


def body(t):
    d = THDesk(t)
    d.north = setup(d)
    d.th = d.patient("TakeHome")
    d.th_rx = d.rx(d.th, session_dose_mg=100, daily_max_mg=200)
    morning(d, d.th, 0)
    takehome(d)
    t.stop(label="hatd stops")
    p = t.hatctl("verify")
    d.ok("hatctl verify passes: the register balances and the chain holds",
         p.returncode == 0, p.out + p.err)
    # A supply's amount changed by hand (triggers dropped) is caught.
    if not t.sqlite_only("a supply changed by hand in a copy"):
        bad = os.path.join(t.dir, "tampered.db")
        shutil.copyfile(t.db_path, bad)
        c = sqlite3.connect(bad)
        c.execute("DROP TRIGGER takehome_supplies_no_update")
        c.execute("UPDATE takehome_supplies SET total_ug = total_ug - 100000 WHERE id = 1")
        c.commit()
        c.close()
        p = t.hatctl("verify", db=bad)
        d.ok("hatctl verify fails on a supply changed by hand", p.returncode != 0,
             p.out + p.err)
    t.start(extra=["--set", "session_idle_s=604800", "--set", "session_absolute_s=2678400"])


if __name__ == "__main__":
    sys.exit(main("test_takehome", body, demo="staff", start=False))
