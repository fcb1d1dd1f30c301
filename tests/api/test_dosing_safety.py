"""test_dosing_safety.py: lost tolerance, binding reviews, discharge, the oral
component's missed doses and the post-dose check, over realistic runs of days.

Run by ctest as: python3 test_dosing_safety.py --hatd PATH --hatctl PATH

Like test_dosing_rules.py (whose Desk this uses), the test clock lives through
days of late 2028 (London time = UTC) with fresh patients.  Each rule is tried
at its edge on both sides; every refusal is checked to have written nothing.
"""
import base64
import os
import sqlite3
import struct
import sys
import zlib

sys.dont_write_bytecode = True  # importing test_dosing_rules leaves no __pycache__

from harness import DEMO_PW, main  # noqa: E402
from test_dosing_rules import Desk, day, dig  # noqa: E402


def setup(d):
    d.stock()
    d.call("admin renews dr.okafor's licence for the test years", "admin", "POST",
           "/api/v1/users/%d/licences" % d.s["dr"].user_id,
           {"licence_number": "HO-DIA-2028-0001", "premises_id": 1,
            "expires_on": day(400).isoformat(),
            "confirmer": {"username": "mgr.hughes", "password": DEMO_PW["mgr.hughes"]}},
           status=201)


def dose_at(d, pid, n, hms, mg, label, **kw):
    """Check-in, a fit assessment and an injection on day n at hms."""
    d.at(n, hms)
    d.check_in(pid, label="%s: check in" % label)
    d.assess(pid, label="%s: assessed fit" % label)
    return d.dose(pid, mg, label="%s: %s mg" % (label, mg), **kw)


def induction_missed_day(d):
    """Rule 1: induction advances by dosed days.  Day 1 dosed, a day missed,
    then the next dosed day repeats day 2's caps (not calendar day 3's)."""
    p = d.patient("InductionGap")
    d.rx(p, session_dose_mg=200, daily_max_mg=400, use_induction_template=True)
    q = d.patient("InductionSteady")
    d.rx(q, session_dose_mg=200, daily_max_mg=400, use_induction_template=True)
    dose_at(d, p, 1, "08:30:00", 90, "induction day 1, session 1")
    dose_at(d, q, 1, "08:31:00", 90, "steady patient day 1, session 1")
    dose_at(d, p, 1, "15:00:00", 150, "induction day 1, session 2")
    dose_at(d, q, 1, "15:01:00", 150, "steady patient day 1, session 2")
    # Calendar day 2: p does not come; q does.
    dose_at(d, q, 2, "08:30:00", 160, "steady patient day 2, session 1")
    dose_at(d, q, 2, "15:00:00", 160, "steady patient day 2, session 2")
    # Calendar day 3: q has finished the template; p is held at day 2.
    dose_at(d, q, 3, "08:30:00", 200, "steady patient after the template: the prescription's 200 mg",
            expect={"detail.session_total_ug": 200000})
    d.at(3, "08:35:00")
    d.check_in(p, label="after a missed day: check in")
    d.assess(p, label="after a missed day: assessed")
    d.dose(p, 200, "calendar day 3 but only one day dosed: 200 mg is over day 2's cap",
           status=422, code="dose_exceeds_induction_cap")
    d.dose(p, 160.001, "day 2's cap is 160 mg: 160.001 refused", status=422,
           code="dose_exceeds_induction_cap")
    d.dose(p, 160, "day 2 repeated: exactly 160 mg", expect={"detail.warnings": ["missed_doses"]})
    dose_at(d, p, 3, "15:00:00", 160, "day 2 repeated, session 2")
    dose_at(d, p, 4, "08:30:00", 200, "the template's two dosed days are done: 200 mg")


def induction_restart_gap(d):
    """Rule 1: a gap that reaches the restart threshold restarts induction."""
    p = d.patient("InductionRestart")
    d.rx(p, session_dose_mg=200, daily_max_mg=400, use_induction_template=True)
    dose_at(d, p, 5, "08:30:00", 90, "day 1 of induction")
    # Days 6..10 missed: five full days, the restart threshold.
    d.at(11, "08:30:00")
    d.check_in(p, label="after five days away: check in")
    d.assess(p, label="after five days away: assessed")
    d.dose(p, 90, "five full days missed mid-induction", status=422,
           code="induction_restart_required")
    d.step("the prescriber reviews: restart induction", p, "reviews",
           {"outcome": "restart_induction"}, who="dr")
    d.dose(p, 90.001, "induction restarts at day 1: 90.001 mg refused", status=422,
           code="dose_exceeds_induction_cap")
    d.dose(p, 90, "day 1 again: exactly 90 mg")


def renewal_while_away(d):
    """Rule 2: a renewal signed while the patient is away does not reset the
    missed-day count.  Three full days block; two only flag."""
    away3 = d.patient("RenewedAway3")
    rx3 = d.rx(away3, start_date=day(12).isoformat())
    away2 = d.patient("RenewedAway2")
    rx2 = d.rx(away2, start_date=day(12).isoformat())
    dose_at(d, away3, 12, "09:00:00", 100, "last dose before three days away")
    dose_at(d, away2, 13, "09:00:00", 100, "last dose before two days away")
    d.at(14, "10:00:00")
    d.rx(away3, "a renewal is signed while the patient is away", start_date=day(14).isoformat(),
         supersedes_id=rx3, session_dose_mg=200, daily_max_mg=400)
    d.rx(away2, "a renewal is signed while the other patient is away",
         start_date=day(14).isoformat(), supersedes_id=rx2)
    d.at(16, "08:30:00")
    d.check_in(away3, label="back after days 13, 14, 15 missed")
    d.assess(away3)
    d.dose(away3, 100, "three full days missed: the renewal does not reset the count",
           status=422, code="patient_blocked")
    d.check_in(away2, label="back after days 14, 15 missed")
    d.assess(away2)
    d.dose(away2, 100, "two full days missed: flagged, given",
           expect={"detail.warnings": ["missed_doses"]})


def discharge(d, pid, n):
    eid = d.scalar("SELECT id FROM episodes WHERE patient_id = ? AND status = 'active'", (pid,))
    ver = d.scalar("SELECT version FROM episodes WHERE id = ?", (eid,))
    d.call("the patient is discharged", "nurse", "PATCH", "/api/v1/episodes/%d" % eid,
           {"version": ver, "discharge_date": day(n).isoformat(),
            "discharge_reason": "transferred_not_in_custody"}, status=200,
           expect={"status": "discharged"})
    return eid


def readmit(d, pid, n):
    d.call("the patient is readmitted", "nurse", "POST", "/api/v1/patients/%d/episodes" % pid,
           {"referral_date": day(n).isoformat(), "start_date": day(n).isoformat()}, status=201)


def discharge_and_readmission(d):
    """Rule 3: discharge ends the prescriptions; a readmitted patient needs one
    signed in the new episode, under induction unless the prescriber says why
    not; and (rule 2) the new episode does not reset the missed-day count."""
    p = d.patient("Readmitted")
    old = d.rx(p, oral_drug="methadone_oral", oral_dose_mg=30, oral_daily_max_mg=60)
    w = d.patient("ReadmittedWaived")
    d.rx(w)
    dose_at(d, p, 17, "08:30:00", 200, "last dose before discharge")
    dose_at(d, w, 17, "08:31:00", 200, "the other patient's last dose before discharge")
    d.at(17, "12:00:00")
    eid = discharge(d, p, 17)
    discharge(d, w, 17)
    d.call("the discharge stopped the prescription, with its reason", "nurse", "GET",
           "/api/v1/prescriptions/%d" % old, status=200,
           expect={"status": "stopped",
                   "ended_reason": "ended by discharge (transferred_not_in_custody)"})
    d.eq("the stop names the discharged episode",
         d.scalar("SELECT episode_id FROM prescription_events WHERE prescription_id = ?", (old,)),
         eid)
    d.ok("the stop is in the audit log",
         d.scalar("SELECT count(*) FROM audit_events WHERE entity = 'prescription'"
                  " AND entity_id = ? AND detail LIKE '%discharge%'", (old,)) == 1)
    d.at(17, "15:00:00")
    d.check_in(p, "check-in after discharge", status=422, code="no_active_episode")

    d.at(18, "09:00:00")
    readmit(d, w, 18)
    d.check_in(w, "readmitted: the old episode's prescription does not apply", status=422,
               code="no_current_prescription")
    d.rx(w, "a readmitted patient's first prescription without induction or a reason",
         status=422, code="induction_required")
    d.eq("the refused prescription was not stored",
         d.scalar("SELECT count(*) FROM prescriptions WHERE patient_id = ?", (w,)), 1)
    d.rx(w, "with the reason recorded, no induction", induction_waived_reason=(
        "readmitted the next day after an administrative discharge; dosed yesterday"))
    d.check_in(w, label="readmitted next day: check in")
    d.assess(w)
    d.dose(w, 200, "dosed yesterday, induction waived with a reason: 200 mg",
           expect={"detail.warnings": []})

    d.at(21, "08:30:00")
    readmit(d, p, 21)
    d.rx(p, "the readmitted patient's prescription under the induction template",
         use_induction_template=True)
    d.rx(p, "a second prescription in the episode needs no induction of its own",
         status=409, code="conflict")
    d.check_in(p, label="readmitted after days 18, 19, 20 missed: check in")
    d.assess(p)
    d.dose(p, 90, "the new episode does not reset the count: blocked", status=422,
           code="patient_blocked")
    d.step("the prescriber reviews: continue", p, "reviews", {"outcome": "continue"}, who="dr")
    d.dose(p, 90.001, "under induction: day 1's 90 mg cap", status=422,
           code="dose_exceeds_induction_cap")
    d.dose(p, 90, "day 1 of induction: exactly 90 mg")


def review_outcomes(d):
    """Rule 4: a review binds its outcome.  Four patients, each dosed on day
    22 and away for days 23, 24, 25 (blocked), each reviewed differently."""
    names = ["Continue", "Reduce", "ReduceCarried", "Restart"]
    p, rx = {}, {}
    for n in names:
        p[n] = d.patient("Review" + n)
        rx[n] = d.rx(p[n])
    for i, n in enumerate(names):
        dose_at(d, p[n], 22, "08:3%d:00" % i, 200, "%s: last dose before three days away" % n)
    d.at(26, "08:30:00")
    row, _ = d.board_row(p["Continue"])
    d.eq("the board says which review is pending and why",
         (row or {}).get("review_pending"),
         {"reason": "missed_days",
          "message": "3 full days without a dose (the clinic blocks at 3): a prescriber must"
                     " review before the next dose."})
    for n in names:
        d.check_in(p[n], label="%s: back after three days" % n)
        d.assess(p[n], label="%s: assessed" % n)
        d.dose(p[n], 100, "%s: blocked before the review" % n, status=422, code="patient_blocked")

    d.step("continue: the prescriber reviews", p["Continue"], "reviews", {"outcome": "continue"},
           who="dr")
    row, _ = d.board_row(p["Continue"])
    d.eq("after 'continue' nothing is pending", (row or {}).get("review_pending"), None)
    d.dose(p["Continue"], 200, "continue: the block is lifted as it is, 200 mg")

    d.step("reduce: the prescriber reviews", p["Reduce"], "reviews", {"outcome": "reduce"},
           who="dr")
    d.dose(p["Reduce"], 100, "reduce: still held until a lower prescription", status=422,
           code="review_reduce_pending")
    row, _ = d.board_row(p["Reduce"])
    d.eq("the board says the reduce review waits for its prescription",
         ((row or {}).get("review_pending") or {}).get("reason"), "reduce")
    r = d.call("the chart says so too", "nurse", "GET",
               "/api/v1/patients/%d/dosing-history" % p["Reduce"], status=200)
    d.ok("the chart names the pending reduce review and the dose to go below",
         "below 200 mg" in ((r.json or {}).get("review_pending") or {}).get("message", ""),
         repr((r.json or {}).get("review_pending")))
    same = d.rx(p["Reduce"], "a renewal at the same 200 mg", supersedes_id=rx["Reduce"])
    d.dose(p["Reduce"], 100, "reduce: a renewal at the reviewed dose does not release",
           status=422, code="review_reduce_pending")
    d.rx(p["Reduce"], "a prescription at 199.999 mg a session", supersedes_id=same,
         session_dose_mg=199.999, daily_max_mg=399.998)
    d.dose(p["Reduce"], 100, "reduce: one microgram below the reviewed dose releases")

    before = d.counts()
    reviews = d.scalar("SELECT count(*) FROM reviews")
    d.step("reduce carrying a prescription at the same dose is refused", p["ReduceCarried"],
           "reviews", {"outcome": "reduce",
                       "prescription": d.rx_body(supersedes_id=rx["ReduceCarried"])},
           who="dr", status=422, code="review_reduce_not_lower")
    d.eq("nothing of the refused review was written",
         (d.counts(), d.scalar("SELECT count(*) FROM reviews"),
          d.scalar("SELECT count(*) FROM prescriptions WHERE patient_id = ?",
                   (p["ReduceCarried"],))), (before, reviews, 1))
    d.step("continue cannot carry a prescription", p["ReduceCarried"], "reviews",
           {"outcome": "continue", "prescription": d.rx_body(session_dose_mg=100)}, who="dr",
           status=400, code="invalid_value")
    r = d.step("reduce carrying a 150 mg prescription in the same command", p["ReduceCarried"],
               "reviews", {"outcome": "reduce",
                           "prescription": d.rx_body(session_dose_mg=150, daily_max_mg=300,
                                                     supersedes_id=rx["ReduceCarried"])},
               who="dr")
    d.eq("the review names the prescription it reviewed and the one it signed",
         (dig(r.json, "reviewed_prescription_id"), dig(r.json, "prescription.session_dose_mg")),
         (rx["ReduceCarried"], 150.0))
    d.dose(p["ReduceCarried"], 150.001, "reduce carried: the new 150 mg session dose binds",
           status=422, code="dose_exceeds_session_max")
    d.dose(p["ReduceCarried"], 150, "reduce carried: exactly 150 mg")

    d.step("restart induction: the prescriber reviews", p["Restart"], "reviews",
           {"outcome": "restart_induction"}, who="dr")
    d.dose(p["Restart"], 90.001, "restart: the induction caps apply from the next dose",
           status=422, code="dose_exceeds_induction_cap")
    d.dose(p["Restart"], 90, "restart: day 1's 90 mg")


def oral(d, pid, mg, label, **kw):
    body = {"amount_mg": mg, "witness": d.witness()}
    before = d.counts() if kw.get("status", 201) != 201 else None
    r = d.step(label, pid, "oral-doses", body, **kw)
    if before is not None:
        d.eq(label + " (nothing written)", d.counts(), before)
    return r


def oral_missed_run(d):
    """Rule 5: after 3 consecutive days without the oral component (a
    setting), its next dose needs a prescriber's review.  The patient keeps
    coming for injections but refuses the methadone."""
    p = d.patient("OralSkipper")
    q = d.patient("OralSetting")
    for pid in (p, q):
        d.rx(pid, oral_drug="methadone_oral", oral_dose_mg=30, oral_daily_max_mg=60)
    dose_at(d, p, 27, "08:30:00", 200, "day 27 injection")
    oral(d, p, 30, "day 27: oral methadone 30 mg")
    oral(d, q, 30, "day 27: the other patient's oral methadone")
    for n in (28, 29):
        dose_at(d, p, n, "08:30:00", 200, "day %d injection, oral refused by the patient" % n)
    d.at(30, "08:40:00")
    oral(d, p, 30, "two full days without methadone: given")
    oral(d, q, 30, "day 30: the other patient's oral methadone")
    for n in (31, 32, 33):
        dose_at(d, p, n, "08:30:00", 200, "day %d injection, no methadone" % n)
    dose_at(d, p, 34, "08:30:00", 200,
            "day 34: the injection is not held by the oral component's gap")
    row, _ = d.board_row(p)
    d.eq("the board shows the oral review needed and the days",
         ((row or {}).get("oral_review_required"), (row or {}).get("oral_days_missed")),
         (True, 3))
    oral(d, p, 30, "three full days without methadone: the next oral dose needs a review",
         status=422, code="oral_review_required")
    d.step("the prescriber reviews", p, "reviews", {"outcome": "continue"}, who="dr")
    oral(d, p, 30, "after the review: given")

    d.settings("the manager sets the oral review at 4 days", {"oral_missed_review_days": 4})
    d.call("the setting is versioned and readable", "manager", "GET",
           "/api/v1/premises/1/settings", status=200, expect={"oral_missed_review_days": 4})
    oral(d, q, 30, "three full days without methadone, the threshold at 4: given")
    d.settings("the manager restores 3 days", {"oral_missed_review_days": 3})
    d.settings("0 days is refused, naming the field", {"oral_missed_review_days": 0},
               status=400, code="out_of_range")


def check(d, pid, label, sedation=0, rate=14, spo2=None, pupils=None, **kw):
    b = {"sedation_level": sedation, "respiratory_rate": rate}
    if spo2 is not None:
        b["spo2"] = spo2
    if pupils is not None:
        b["pupils"] = pupils
    return d.step(label, pid, "postdose-checks", b, **kw)


def postdose_alarm(d):
    """Rule 7: the post-dose check's readings at each threshold's edge; an
    abnormal check raises the alarm on the board, keeps the patient under
    observation and lets them leave only against advice with a reason."""
    a = d.patient("AlarmBreathing")
    b = d.patient("AlarmSedation")
    c = d.patient("AlarmSaturation")
    for pid in (a, b, c):
        d.rx(pid)
    for i, pid in enumerate((a, b, c)):
        dose_at(d, pid, 35, "08:3%d:00" % i, 100, "dose %d before the checks" % i)
    d.at(35, "08:45:00")
    check(d, a, "10 breaths a minute, sedation 2, saturation 94: normal", sedation=2, rate=10,
          spo2=94, pupils="pinpoint", expect={"detail.abnormal": False, "detail.alarms": []})
    check(d, b, "sedation 3 (hard to rouse) is abnormal", sedation=3,
          expect={"detail.abnormal": True, "detail.alarms": ["sedation"],
                  "detail.offer_adverse_event": True})
    check(d, c, "saturation 93% is abnormal", spo2=93,
          expect={"detail.alarms": ["oxygen_saturation"]})
    check(d, a, "9 breaths a minute is abnormal", rate=9,
          expect={"detail.alarms": ["respiratory_rate"]})
    for what, body in (("a rate of 81", {"sedation_level": 0, "respiratory_rate": 81}),
                       ("a saturation of 101", {"sedation_level": 0, "respiratory_rate": 12,
                                                "spo2": 101}),
                       ("no respiratory rate", {"sedation_level": 0}),
                       ("unknown pupils", {"sedation_level": 0, "respiratory_rate": 12,
                                           "pupils": "wide"})):
        before = d.counts()
        r = d.step("a check with %s is refused" % what, a, "postdose-checks", body, status=400)
        d.ok("the refusal names its field (%s)" % what,
             (r.json or {}).get("error", {}).get("field") in ("respiratory_rate", "spo2", "pupils"),
             r.short())
        d.eq("nothing written for %s" % what, d.counts(), before)

    d.at(35, "09:10:00")
    _, board = d.board_row(a)
    d.eq("every station's board lists the three alarms",
         sorted(x["patient_id"] for x in (board or {}).get("alarms", [])), sorted([a, b, c]))
    r = d.t.request("GET", "/api/v1/board", session=d.s["nurse2"])
    d.eq("a second station sees the same alarms",
         sorted(x["patient_id"] for x in (r.json or {}).get("alarms", [])), sorted([a, b, c]))
    row, _ = d.board_row(b)
    d.ok("the card carries the alarm and stays in observation past its 15 minutes",
         row and "postdose_alarm" in row["flags"] and "observing" in row["flags"]
         and row["observation_remaining_s"] == 0 and row["state"] == "observing", repr(row))
    d.leave(b, "leaving after an abnormal check without a reason", status=422,
            code="against_advice_reason_required")
    d.step("leaving against advice with the reason", b, "leave",
           {"against_advice_reason": "insisted on leaving; naloxone kit given, friend present"},
           expect={"detail.left_against_advice": True, "detail.after_abnormal_check": True})
    row, _ = d.board_row(b)
    d.ok("the card shows the leaving against advice",
         row and row["state"] == "left" and "left_against_advice" in row["flags"]
         and row["alarm"] is None, repr(row))
    d.step("the adverse event is recorded", c, "adverse-events",
           {"kind": "over_sedation", "action_taken": "oxygen, observed", "outcome": "settled"})
    check(d, c, "a normal check after it ends the observation", spo2=97,
          expect={"detail.abnormal": False})
    d.leave(c, "leaves after the normal check, not against advice",
            expect={"detail.left_against_advice": False})
    row, _ = d.board_row(c)
    d.eq("the alarm is gone once a normal check is recorded", (row or {}).get("alarm"), None)
    d.settings("the manager lowers the breathing threshold to 8", {"postdose_resp_rate_min": 8})
    check(d, a, "with the threshold at 8, 8 breaths a minute is normal", rate=8,
          expect={"detail.abnormal": False})
    d.settings("and restores 10", {"postdose_resp_rate_min": 10})
    d.leave(a, "the breathing patient leaves after the normal check",
            expect={"detail.left_against_advice": False})
    return [a, b, c]


def oral_register(d):
    """Rule 6: the oral controlled drugs are in the register.  Each oral dose
    posts its entries in its own transaction, on the pages of its drug (mL of
    methadone mixture, capsules of slow-release morphine), and verify checks
    that every dose has its entries."""
    m = d.patient("OralRegisterMethadone")
    d.rx(m, oral_drug="methadone_oral", oral_dose_mg=60, oral_daily_max_mg=120)
    s = d.patient("OralRegisterSrom")
    d.rx(s, oral_drug="srom", oral_dose_mg=460, oral_daily_max_mg=460)
    d.at(36, "09:00:00")
    page = d.scalar("SELECT id FROM register_pages WHERE drug = 'methadone'"
                    " AND form = 'oral_solution' AND strength_ug = 1000")
    bal = lambda pid: d.scalar("SELECT balance_after FROM register_entries WHERE page_id = ?"
                               " ORDER BY seq DESC LIMIT 1", (pid,))
    before = bal(page)
    r = oral(d, m, 45, "oral methadone 45 mg")
    entries = (r.json or {}).get("register_entries") or []
    d.eq("one entry: 45 mL of the 1 mg/mL mixture, all given, none wasted",
         [(e["strength_ug"], e["ampoules"], e["given_ug"], e["wasted_ug"]) for e in entries],
         [(1000, 45, 45000, 0)])
    d.eq("the methadone page's balance fell by 45 mL", before - bal(page), 45)
    adm = (r.json or {}).get("administration_id")
    d.eq("the entry names the patient, the dose and the witness",
         d.t.query("SELECT patient_id, administration_id, witness_id IS NOT NULL, kind"
                   " FROM register_entries WHERE administration_id = ?", (adm,)),
         [(m, adm, 1, "administration")])
    r = oral(d, s, 230, "slow-release morphine 230 mg: a 200 and a 30 mg capsule")
    d.eq("two entries, one per capsule strength",
         sorted((e["strength_ug"], e["ampoules"]) for e in (r.json or {}).get("register_entries", [])),
         [(30000, 1), (200000, 1)])
    r = d.call("the register lists the oral pages with their unit", "pharm", "GET",
               "/api/v1/register/pages?premises_id=1", status=200)
    pages = r.json if isinstance(r.json, list) else (r.json or {}).get("pages", [])
    units = {(p.get("drug"), p.get("form")): (p.get("unit"), p.get("heading")) for p in pages}
    d.eq("the methadone mixture is kept in mL with its strength",
         units.get(("methadone", "oral_solution")),
         ("mL", "Schedule 2 controlled drug: methadone hydrochloride 1 mg/mL oral solution"))
    d.eq("slow-release morphine is kept in capsules",
         (units.get(("morphine", "modified_release_capsule")) or (None,))[0], "capsules")
    p = d.t.hatctl("verify")
    d.ok("hatctl verify passes with the oral doses' entries", p.returncode == 0, p.out + p.err)
    # A copy of the database with an oral dose written behind hat's back,
    # without its entries: verify names it.
    if d.t.sqlite_only("an oral dose written into a copy of the file"):
        return
    path = os.path.join(d.t.dir, "oral_orphan.db")
    src = d.t.db()
    dst = sqlite3.connect(path)
    try:
        src.backup(dst)
        dst.execute("INSERT INTO administrations (patient_id, premises_id, prescription_id,"
                    " kind, drug, route, amount_ug, at, local_date, local_minute, window_no,"
                    " session_no, topup, nurse_id, witness_id) SELECT patient_id, premises_id,"
                    " prescription_id, 'oral', drug, 'oral', 30000, at + 60, local_date,"
                    " local_minute, window_no, 0, 0, nurse_id, witness_id FROM administrations"
                    " WHERE id = ?", (adm,))
        orphan = dst.execute("SELECT max(id) FROM administrations").fetchone()[0]
        dst.commit()
    finally:
        src.close()
        dst.close()
    p = d.t.hatctl("verify", db=path)
    d.ok("an oral dose without its entries: verify exits 1 naming it",
         p.returncode == 1 and "administration %d has no register entry" % orphan in p.out,
         p.out + p.err)


def dose_due(d):
    """Item 10: the dose due now is the rule's own number, and says which
    limit is in force and why; an amount refusal names the limit and its
    numbers."""
    p = d.patient("DueInduction")
    d.rx(p, session_dose_mg=200, daily_max_mg=400, use_induction_template=True,
         topup_allowed=True, topup_max_mg=60)
    q = d.patient("DueBlocked")
    d.rx(q)
    dose_at(d, p, 37, "08:30:00", 90, "induction day 1, session 1")
    dose_at(d, p, 37, "15:00:00", 150, "induction day 1, session 2")
    d.at(38, "08:30:00")
    d.check_in(p)
    d.assess(p)
    due = d.call("the dose due on induction day 2", "nurse", "GET",
                 "/api/v1/patients/%d/dose-due" % p, status=200,
                 expect={"amount_mg": 160.0, "limit": "dose_exceeds_induction_cap",
                         "induction_day": 2, "induction_days": 2, "refusal": None,
                         "message": "induction day 2 of 2: up to 320 mg today, 160 mg this"
                                    " session (0 mg given today)"})
    r = d.dose(p, 160.001, "one microgram over the amount due", status=422,
               code="dose_exceeds_induction_cap")
    d.eq("the refusal names the limit, its numbers and the field",
         ((r.json or {}).get("error", {}).get("message"),
          (r.json or {}).get("error", {}).get("field")),
         ("At most 160 mg can be given now: induction day 2 of 2: up to 320 mg today, 160 mg"
          " this session (0 mg given today).", "amount_mg"))
    d.dose(p, (due.json or {}).get("amount_mg"), "exactly the amount due")
    d.call("before a top-up is assessed, the refusal says why", "nurse", "GET",
           "/api/v1/patients/%d/dose-due" % p, status=200,
           expect={"amount_mg": 0.0, "refusal": "assessment_stale"})
    d.at(38, "08:50:00")
    d.assess(p, label="assessed for a top-up")
    d.call("after the dose the session's cap is reached", "nurse", "GET",
           "/api/v1/patients/%d/dose-due" % p, status=200,
           expect={"amount_mg": 0.0, "topup": True, "limit": "dose_exceeds_induction_cap"})
    d.step("naloxone for the other patient", q, "adverse-events",
           {"kind": "naloxone", "action_taken": "naloxone IM", "outcome": "recovered",
            "naloxone_dose_mg": 0.4, "naloxone_route": "im"})
    d.call("a blocked patient has nothing due, and the reason", "nurse", "GET",
           "/api/v1/patients/%d/dose-due" % q, status=200,
           expect={"amount_mg": 0.0, "refusal": "patient_blocked"})
    d.call("dose-due for no such patient", "nurse", "GET", "/api/v1/patients/999999/dose-due",
           status=404, code="not_found")
    d.call("an administrator sees no dose due", "admin", "GET",
           "/api/v1/patients/%d/dose-due" % p, status=403, code="forbidden")


def errors_to_act_on(d):
    """Item 15: every refusal names the field and the rule with its numbers."""
    p = d.patient("Errors")
    d.rx(p)
    dose_at(d, p, 39, "08:30:00", 100, "a morning dose")
    d.at(39, "11:10:00")
    r = d.dose(p, 100, "between the windows", status=422, code="outside_session_window")
    d.eq("the refusal names the time and the windows", (r.json or {}).get("error", {}).get("message"),
         "No session window is open at 11:10: the windows are morning 08:30-11:00,"
         " afternoon 15:00-17:30.")
    d.settings("the manager moves the afternoon window to 10:00", {"windows": [
        {"name": "morning", "start": "08:30", "end": "09:30"},
        {"name": "afternoon", "start": "10:00", "end": "17:30"}]})
    d.at(39, "11:15:00")
    d.check_in(p, label="check-in for the second session")
    d.assess(p, label="assessed")
    r = d.dose(p, 100, "under 3 hours after the morning's start", status=422,
               code="too_soon_after_previous_session")
    d.eq("the refusal gives the times and the rule's minutes",
         (r.json or {}).get("error", {}).get("message"),
         "The previous session began at 08:30, 165 min ago; the clinic needs 180 min between"
         " session starts (the next from 11:30).")
    d.settings("the windows go back", {"windows": [
        {"name": "morning", "start": "08:30", "end": "11:00"},
        {"name": "afternoon", "start": "15:00", "end": "17:30"}]})
    r = d.settings("settings that contradict each other name the field and the numbers",
                   {"missed_flag_days": 4}, status=400, code="invalid_value")
    d.eq("which setting, and why", ((r.json or {}).get("error", {}).get("field"),
                                   (r.json or {}).get("error", {}).get("message")),
         ("missed_flag_days", "The alert (4 days) cannot come after the block (3 days)."))
    r = d.settings("a number out of range names its range", {"observation_min": 500},
                   status=400, code="out_of_range")
    d.eq("the range", (r.json or {}).get("error", {}).get("message"),
         "observation_min must be 1 to 240.")
    r = d.step("a dose amount out of range names its range", p, "administrations",
               {"amount_mg": 5000, "route": "iv", "site": "arm_left", "witness": d.witness(),
                "identity_confirmed": True},
               status=400, code="out_of_range")
    d.eq("the field and the range", ((r.json or {}).get("error", {}).get("field"),
                                    (r.json or {}).get("error", {}).get("message")),
         ("amount_mg", "amount_mg must be 0 to 2000 mg, with at most 3 decimals."))
    r = d.step("a route not on the list names the choices", p, "administrations",
               {"amount_mg": 50, "route": "oral", "site": "arm_left", "witness": d.witness(),
                "identity_confirmed": True},
               status=400, code="invalid_value")
    d.eq("the choices", (r.json or {}).get("error", {}).get("message"),
         "route must be one of: iv, im, sc.")


def session_summary(d, alarm_pids):
    """Item 14: the handover of a past session: who was dosed, the alarms,
    and the ampoules per register page against the page's own entries."""
    r = d.call("the handover of day 35's morning", "nurse", "GET",
               "/api/v1/session-summary?date=%s&window=0" % day(35).isoformat(), status=200)
    j = r.json or {}
    dosed = {x["patient_id"] for x in j.get("patients", {}).get("dosed", [])}
    d.ok("the three patients dosed that morning are listed as dosed",
         set(alarm_pids) <= dosed, repr(j.get("patients")))
    d.eq("every abnormal check of the session is listed, resolved or not",
         sorted((x["patient_id"], tuple(x["alarms"])) for x in j.get("alarms", [])),
         sorted([(alarm_pids[0], ("respiratory_rate",)), (alarm_pids[1], ("sedation",)),
                 (alarm_pids[2], ("oxygen_saturation",))]))
    lac = [x["patient_id"] for x in j.get("patients", {}).get("dosed", [])
           if x.get("left_against_advice")]
    d.eq("the one who left against advice is marked", lac, [alarm_pids[1]])
    pages = j.get("ampoules", [])
    d.ok("the ampoules booked by the doses match the register's own entries, page by page",
         pages and all(p["is_matched"] and p["booked_by_doses"] > 0 for p in pages), repr(pages))
    d.eq("the doses of the session are listed with who gave and witnessed them",
         sorted(x["patient_id"] for x in j.get("doses", []) if x["patient_id"] in alarm_pids),
         sorted(alarm_pids))
    d.call("a window the clinic does not have", "nurse", "GET",
           "/api/v1/session-summary?window=7", status=400, code="invalid_query")
    d.call("a date that is not one", "nurse", "GET", "/api/v1/session-summary?date=35-12",
           status=400, code="invalid_date")


def png(w=24, h=24, rgb=(200, 120, 80)):
    """A small real PNG, as a camera's upload would be."""
    def chunk(kind, data):
        c = struct.pack(">I", len(data)) + kind + data
        return c + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
    raw = b"".join(b"\x00" + b"".join(bytes(((rgb[0] + x * y) % 256, rgb[1], (rgb[2] + y) % 256))
                                       for x in range(w)) for y in range(h))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def identity_photo(d):
    """Item 8: the photograph is held in the database, read through the
    access log, shown on the board with the age, and deleted when consent is
    withdrawn; the nurse confirms identity as part of each dose."""
    p = d.patient("Photo")
    d.rx(p)
    img = png()
    r = d.call("a keyworker cannot take the photograph", "kw", "PUT", "/api/v1/patients/%d/photo" % p,
               {"content_type": "image/png", "image_base64": base64.b64encode(img).decode()},
               status=403, code="forbidden")
    r = d.call("a JPEG that is really a PNG is refused", "nurse", "PUT",
               "/api/v1/patients/%d/photo" % p,
               {"content_type": "image/jpeg", "image_base64": base64.b64encode(img).decode()},
               status=400, code="invalid_value")
    d.eq("naming the field", (r.json or {}).get("error", {}).get("field"), "image_base64")
    d.call("text that is not base64 is refused", "nurse", "PUT", "/api/v1/patients/%d/photo" % p,
           {"content_type": "image/png", "image_base64": "not base64 at all!"}, status=400,
           code="invalid_value")
    d.eq("nothing was stored", d.scalar("SELECT count(*) FROM patient_photos"), 0)
    d.call("the nurse takes the photograph", "nurse", "PUT", "/api/v1/patients/%d/photo" % p,
           {"content_type": "image/png", "image_base64": base64.b64encode(img).decode()},
           status=201, expect={"bytes": len(img), "content_type": "image/png"})
    logged = d.scalar("SELECT count(*) FROM access_log WHERE patient_id = ? AND what = 'photo'", (p,))
    r = d.t.request("GET", "/api/v1/patients/%d/photo" % p, session=d.s["nurse2"])
    d.ok("the photograph reads back as the image it was",
         r.status == 200 and r.body == img and r.header("Content-Type") == "image/png",
         "%d %s" % (r.status, r.header("Content-Type")))
    d.eq("and its read is in the access log",
         d.scalar("SELECT count(*) FROM access_log WHERE patient_id = ? AND what = 'photo'", (p,)),
         logged + 1)
    d.ok("the audit event keeps the size, never the image",
         d.scalar("SELECT detail FROM audit_events WHERE entity = 'patient_photo' ORDER BY seq DESC"
                  " LIMIT 1").find("image_base64") < 0)
    row, _ = d.board_row(p)
    d.eq("the board card has the photo, the date of birth and the age",
         ((row or {}).get("has_photo"), (row or {}).get("birth_date"), (row or {}).get("age")),
         (True, "1980-01-01", 48))
    d.at(40, "08:30:00")
    d.check_in(p)
    d.assess(p)
    d.dose(p, 100, "the dose without the identity confirmed", status=400, code="missing_field",
           body={"amount_mg": 100, "route": "iv", "site": "arm_left", "witness": d.witness()})
    d.dose(p, 100, "identity not confirmed", status=422, code="identity_not_confirmed",
           body={"amount_mg": 100, "route": "iv", "site": "arm_left", "witness": d.witness(),
                 "identity_confirmed": False})
    d.dose(p, 100, "identity confirmed: given")
    d.step("consent withdrawn needs a reason", p, "photo/withdraw", {}, status=400,
           code="missing_field")
    d.step("consent withdrawn: the photograph is removed", p, "photo/withdraw",
           {"reason": "patient withdrew consent to the photograph"}, status=200)
    d.eq("nothing of it is left in the database",
         d.scalar("SELECT count(*) FROM patient_photos WHERE patient_id = ?", (p,)), 0)
    r = d.t.request("GET", "/api/v1/patients/%d/photo" % p, session=d.s["nurse"])
    d.eq("reading it now finds nothing", (r.status, r.code), (404, "not_found"))
    d.step("withdrawing again finds nothing to remove", p, "photo/withdraw",
           {"reason": "again"}, status=404, code="not_found")
    row, _ = d.board_row(p)
    d.eq("the card no longer has a photo", (row or {}).get("has_photo"), False)


def body(t):
    d = Desk(t)
    d.start()
    setup(d)
    d.at(0, "08:00:00")
    induction_missed_day(d)
    induction_restart_gap(d)
    renewal_while_away(d)
    discharge_and_readmission(d)
    review_outcomes(d)
    oral_missed_run(d)
    alarm_pids = postdose_alarm(d)
    oral_register(d)
    dose_due(d)
    errors_to_act_on(d)
    session_summary(d, alarm_pids)
    identity_photo(d)


if __name__ == "__main__":
    sys.exit(main("test_dosing_safety", body, demo="staff", start=False))
