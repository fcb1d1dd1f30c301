"""test_dosing_workflow.py: the dosing board, missed doses across days, the
oral component, history, attendance and idempotent doses.

Run by ctest as: python3 test_dosing_workflow.py --hatd PATH --hatctl PATH

Like test_dosing_rules.py (whose Desk this uses), the test clock lives
through days of late 2028 (London time = UTC) with fresh patients, and one
day of British Summer Time in June 2029.
"""
import sys

sys.dont_write_bytecode = True  # importing test_dosing_rules leaves no __pycache__

from harness import main  # noqa: E402
from test_dosing_rules import Desk, day, local_date  # noqa: E402

# A manager confirms clinical roles and licences (separation of duties).
CONFIRM = {"username": "mgr.hughes", "password": "demo-manager-pass"}


def setup(d):
    d.stock()
    d.call("admin renews dr.okafor's licence for the test years", "admin", "POST",
           "/api/v1/users/%d/licences" % d.s["dr"].user_id,
           {"licence_number": "HO-DIA-2028-0001", "premises_id": 1,
            "expires_on": day(400).isoformat(), "confirmer": CONFIRM}, status=201)


def states(d, pids):
    """The board's state for each of pids, and the board itself."""
    r = d.call("the board reads", "nurse", "GET", "/api/v1/board", status=200)
    rows = {row["patient_id"]: row for row in (r.json or {}).get("patients", [])}
    return {name: rows.get(pid, {}).get("state") for name, pid in pids.items()}, rows, r.json


def board(d):
    """One of every state a patient can be in on the board, through a day."""
    d.at(1, "08:00:00")
    names = ["Due", "Checked", "Assessed", "Observing", "Left", "Withheld", "Declined"]
    p = {n: d.patient(n) for n in names}
    for n in names:
        d.rx(p[n], "prescription for %s" % n)
    d.call("an administrator sees no board (no clinical data)", "admin", "GET", "/api/v1/board",
           status=403, code="forbidden")
    got, rows, b = states(d, p)
    d.eq("before the morning window everyone is due", got, {n: "due" for n in names})
    d.eq("the board shows the morning window, not yet open", b.get("window"),
         {"index": 0, "name": "morning", "start": "08:30", "end": "11:00", "open": False})
    d.eq("the board's date", b.get("date"), day(1).isoformat())

    d.session(p["Left"], 100, "08:30:00", "Left")
    d.at(1, "08:45:00")
    d.postdose(p["Left"])
    d.leave(p["Left"])
    d.at(1, "08:50:00")
    d.check_in(p["Checked"])
    d.check_in(p["Assessed"])
    d.assess(p["Assessed"])
    d.check_in(p["Withheld"])
    d.assess(p["Withheld"], "not_fit", reason="unwell")
    d.check_in(p["Declined"])
    d.step("the patient declines", p["Declined"], "decline", expect={"state": "declined"})
    d.session(p["Observing"], 100, "08:50:00", "Observing")
    d.at(1, "09:00:00")
    got, rows, b = states(d, p)
    d.eq("at 09:00 the board shows every state",
         got, {"Due": "due", "Checked": "checked_in", "Assessed": "assessed",
               "Observing": "observing", "Left": "left", "Withheld": "withheld",
               "Declined": "declined"})
    d.ok("the morning window is open", (b.get("window") or {}).get("open") is True, repr(b))
    o = rows.get(p["Observing"], {})
    d.eq("observation has 5 minutes to run", o.get("observation_remaining_s"), 300)
    d.ok("the observing patient is flagged", "observing" in o.get("flags", []), repr(o))
    d.eq("the observing patient's last dose and day total",
         (o.get("last_dose_at"), o.get("last_dose_ug"), o.get("day_injected_ug"),
          o.get("sessions_today"), o.get("sessions_per_day")),
         ("%sT08:50:00Z" % day(1).isoformat(), 100000, 100000, 1, 2))
    left = rows.get(p["Left"], {})
    d.eq("the patient who left shows no observation", (left.get("observation_remaining_s"),
                                                      left.get("flags")), (0, []))
    d.eq("a patient never dosed shows no last dose",
         (rows.get(p["Due"], {}).get("last_dose_at"), rows.get(p["Due"], {}).get("flags")),
         (None, []))
    d.step("declining is not possible after a dose", p["Observing"], "decline", status=422,
           code="wrong_session_state")
    d.step("withholding is not possible after leaving", p["Left"], "withhold",
           {"reason": "other"}, status=422, code="wrong_session_state")
    d.step("a post-dose check needs a dose", p["Assessed"], "postdose-checks",
           {"sedation_level": 0, "respiratory_rate": 14, "breathing": "normal"}, status=422,
           code="wrong_session_state")
    d.step("a post-dose check off the clinic's scale", p["Observing"], "postdose-checks",
           {"sedation_level": 5, "respiratory_rate": 14, "breathing": "normal"}, status=400, code="out_of_range")
    d.step("the nurse withholds after check-in", p["Checked"], "withhold",
           {"reason": "intoxicated_other"}, expect={"state": "withheld"})

    d.at(1, "11:00:00")
    got, rows, b = states(d, p)
    # Someone dosed in the morning who has not yet been seen out stays on the
    # board as they are, so the nurse is prompted to finish their visit.
    want = {n: "due" for n in names}
    want["Observing"] = "observing"
    d.eq("at 11:00 the board turns to the afternoon: everyone else is due again", got, want)
    d.eq("the patient still in after-care is shown in the morning's window",
         rows[p["Observing"]]["window"], 0)
    d.eq("the afternoon window, not yet open", b.get("window"),
         {"index": 1, "name": "afternoon", "start": "15:00", "end": "17:30", "open": False})

    d.session(p["Left"], 100, "15:00:00", "Left, afternoon")
    d.at(1, "15:15:00")
    d.postdose(p["Left"])
    d.leave(p["Left"])
    d.at(1, "17:30:00")
    got, rows, b = states(d, p)
    want = {n: "did_not_attend" for n in names}
    want["Left"] = "left"
    want["Observing"] = "observing"
    d.eq("when the afternoon window closes, those who did not come did not attend", got, want)
    d.eq("the day's totals on the board", (rows[p["Left"]]["sessions_today"],
                                            rows[p["Left"]]["day_injected_ug"]), (2, 200000))

    d.at(2, "08:00:00")
    got, rows, b = states(d, p)
    d.eq("the next morning everyone is due again", got, {n: "due" for n in names})
    flagged = {n: ("missed_dose_alert" in rows[p[n]]["flags"], rows[p[n]]["days_missed"])
               for n in names}
    d.eq("a day without a dose is flagged; a day with one is not", flagged,
         {"Due": (True, 1), "Checked": (True, 1), "Assessed": (True, 1),
          "Observing": (False, 0), "Left": (False, 0), "Withheld": (True, 1),
          "Declined": (True, 1)})

    # Attendance over the day: two sessions due each, as prescribed.
    for n, attended in (("Left", 2), ("Observing", 1), ("Due", 0)):
        d.call("attendance for %s on day 1" % n, "nurse", "GET",
               "/api/v1/attendance?from=%s&to=%s&patient_id=%d" % (
                   day(1).isoformat(), day(1).isoformat(), p[n]),
               status=200, expect={"patients.0.sessions_due": 2,
                                   "patients.0.sessions_attended": attended,
                                   "patients.0.attendance_rate": attended / 2})
    d.call("at 08:00 on day 2 nothing of day 2 or later is due yet", "nurse", "GET",
           "/api/v1/attendance?from=%s&to=%s&patient_id=%d" % (
               day(1).isoformat(), day(5).isoformat(), p["Left"]),
           status=200, expect={"patients.0.sessions_due": 2,
                               "patients.0.sessions_attended": 2})
    d.call("attendance with the dates the wrong way round", "nurse", "GET",
           "/api/v1/attendance?from=%s&to=%s" % (day(2).isoformat(), day(1).isoformat()),
           status=422, code="date_order")
    # Discharged on day 2: no session is due from then on.
    r = d.call("the Due patient's record", "nurse", "GET", "/api/v1/patients/%d" % p["Due"],
               status=200)
    ep = r.json["episodes"][0]
    d.call("the Due patient is discharged on day 2", "nurse", "PATCH",
           "/api/v1/episodes/%d" % ep["id"],
           {"discharge_date": day(2).isoformat(), "discharge_reason": "incomplete_dropped_out",
            "version": ep["version"]}, status=200, expect={"status": "discharged"})
    d.call("attendance over days 1 to 4 counts only the day before the discharge", "nurse",
           "GET", "/api/v1/attendance?from=%s&to=%s&patient_id=%d" % (
               day(1).isoformat(), day(4).isoformat(), p["Due"]),
           status=200, expect={"patients.0.sessions_due": 2,
                               "patients.0.sessions_attended": 0})
    return p


def missed(d):
    """Missed doses are counted from the record: 1 day flags, 3 days block
    until a review, 5 days require induction to restart."""
    d.at(3, "08:00:00")
    m = d.patient("Missing")
    d.rx(m, session_dose_mg=200, daily_max_mg=400)
    d.session(m, 100, "09:00:00", "day 3")

    def board_flags(label, days, flags):
        row, _ = d.board_row(m)
        d.eq(label, (row or {}).get("days_missed"), days)
        d.eq(label + " (flags)", sorted((row or {}).get("flags", [])), sorted(flags))

    d.at(4, "08:00:00")
    board_flags("dosed yesterday: nothing missed", 0, [])
    d.at(5, "08:00:00")
    board_flags("one day missed: a missed-dose alert", 1, ["missed_dose_alert"])
    d.session(m, 100, "08:30:00", "one day missed")
    d.eq("the dose after a missed day carries the warning",
         d.scalar("SELECT warnings FROM administrations WHERE patient_id = ? ORDER BY id DESC"
                  " LIMIT 1", (m,)), '["missed_doses"]')
    d.at(8, "08:00:00")
    board_flags("two days missed: still only an alert", 2, ["missed_dose_alert"])
    d.at(9, "08:30:00")
    board_flags("three days missed: blocked until review", 3,
                ["missed_dose_alert", "blocked_until_review"])
    d.check_in(m)
    d.assess(m)
    d.dose(m, 100, "a dose after three missed days", status=422, code="patient_blocked")
    d.at(9, "08:40:00")
    d.step("the prescriber reviews", m, "reviews", {"outcome": "continue"}, who="dr")
    board_flags("after the review the block is lifted", 3, ["missed_dose_alert"])
    d.dose(m, 100, "after the review the dose is given",
           expect={"detail.warnings": ["missed_doses"]})

    d.at(14, "08:30:00")
    board_flags("four days missed: blocked", 4, ["missed_dose_alert", "blocked_until_review"])
    d.at(15, "08:30:00")
    board_flags("five days missed: induction must restart", 5,
                ["missed_dose_alert", "blocked_until_review", "restart_induction"])
    d.check_in(m)
    d.assess(m)
    d.dose(m, 100, "a dose after five missed days", status=422,
           code="induction_restart_required")
    d.step("a review to continue does not lift a restart", m, "reviews",
           {"outcome": "continue"}, who="dr")
    d.dose(m, 100, "still refused", status=422, code="induction_restart_required")
    d.step("the prescriber restarts induction", m, "reviews",
           {"outcome": "restart_induction"}, who="dr")
    d.dose(m, 90.001, "restarted: the template's day 1 caps session 1 at 90 mg", status=422,
           code="dose_exceeds_induction_cap")
    d.dose(m, 90, "restarted: 90 mg is given")
    d.at(15, "15:00:00")
    d.check_in(m)
    d.assess(m)
    d.dose(m, 150.001, "restarted day 1, session 2: 150.001 mg", status=422,
           code="dose_exceeds_induction_cap")
    d.dose(m, 150, "restarted day 1, session 2: 150 mg")
    d.at(16, "08:30:00")
    d.check_in(m)
    d.assess(m)
    d.dose(m, 160.001, "restarted day 2, session 1: 160.001 mg", status=422,
           code="dose_exceeds_induction_cap")
    d.dose(m, 160, "restarted day 2, session 1: 160 mg")
    d.at(17, "08:30:00")
    d.check_in(m)
    d.assess(m)
    d.dose(m, 200, "after the restarted template, the prescription's 200 mg again")

    r = d.call("the dosing history, day by day", "nurse", "GET",
               "/api/v1/patients/%d/dosing-history?from=%s&to=%s" % (
                   m, day(3).isoformat(), day(17).isoformat()), status=200)
    days = (r.json or {}).get("days", [])
    d.eq("every day of the range, newest first",
         [x["date"] for x in days], [day(n).isoformat() for n in range(17, 2, -1)])
    by = {x["date"]: x for x in days}
    d.eq("injected per day",
         [(by[day(n).isoformat()]["sessions_attended"], by[day(n).isoformat()]["injectable_ug"])
          for n in (3, 4, 5, 9, 15, 16)],
         [(1, 100000), (0, 0), (1, 100000), (1, 100000), (2, 240000), (1, 160000)])
    d.eq("the reviews do not appear as doses",
         len(by[day(15).isoformat()]["administrations"]), 2)
    d.call("attendance over the fortnight", "nurse", "GET",
           "/api/v1/attendance?from=%s&to=%s&patient_id=%d" % (
               day(3).isoformat(), day(16).isoformat(), m),
           status=200, expect={"patients.0.sessions_due": 28,
                               "patients.0.sessions_attended": 6})


def oral(d):
    """The oral component: its own dose and daily caps and ceiling, counted
    apart from the injectable totals, and witnessed."""
    d.at(18, "08:00:00")
    o = d.patient("Oral")
    d.rx(o, oral_drug="methadone_oral", oral_dose_mg=60, oral_daily_max_mg=100)
    n = d.patient("NoOral")
    d.rx(n)
    d.session(o, 100, "09:00:00", "injection")
    d.at(18, "12:00:00")

    def oral_dose(pid, mg, label, status=201, code=None, witness=True, expect=None):
        body = {"amount_mg": mg}
        if witness:
            body["witness"] = d.witness()
        before = d.counts() if status != 201 else None
        r = d.step(label, pid, "oral-doses", body, status=status, code=code, expect=expect)
        if before is not None:
            d.eq(label + " (nothing written)", d.counts(), before)
        return r

    oral_dose(n, 30, "no oral component on the prescription", 422, "no_current_prescription")
    oral_dose(o, 60, "an oral dose needs a witness", 422, "witness_required", witness=False)
    oral_dose(o, 60.001, "60.001 mg is above the 60 mg oral dose", 422,
              "dose_exceeds_session_max")
    oral_dose(o, 60, "60 mg at noon (oral doses keep no session window)",
              expect={"day_oral_total_ug": 60000, "drug": "methadone_oral"})
    oral_dose(o, 40.001, "100.001 mg in the day is above the 100 mg oral daily max", 422,
              "dose_exceeds_daily_max")
    oral_dose(o, 40, "exactly the oral daily max", expect={"day_oral_total_ug": 100000})
    row, _ = d.board_row(o)
    d.eq("the board keeps injectable and oral totals apart",
         ((row or {}).get("day_injected_ug"), (row or {}).get("day_oral_ug")), (100000, 100000))
    d.at(18, "15:00:00")
    d.check_in(o)
    d.assess(o)
    d.dose(o, 100, "the afternoon injection is not reduced by the oral doses")
    r = d.call("history keeps the totals apart", "nurse", "GET",
               "/api/v1/patients/%d/dosing-history?from=%s&to=%s" % (
                   o, day(18).isoformat(), day(18).isoformat()), status=200)
    x = ((r.json or {}).get("days") or [{}])[0]
    d.eq("injectable, oral, sessions",
         (x.get("injectable_ug"), x.get("oral_ug"), x.get("sessions_attended"),
          sorted(a["kind"] for a in x.get("administrations", []))),
         (200000, 100000, 2, ["injection", "injection", "oral", "oral"]))

    # The oral ceiling binds below the prescription's own maximum.
    d.at(19, "09:00:00")
    oral_dose(o, 60, "60 mg the next day")
    d.settings("the manager lowers the methadone ceiling to 90 mg",
               {"ceiling_methadone_oral_mg": 90})
    oral_dose(o, 30.001, "90.001 mg is past the 90 mg ceiling (daily max 100)", 422,
              "dose_exceeds_system_ceiling")
    oral_dose(o, 30, "exactly the 90 mg ceiling")
    d.settings("the manager restores the methadone ceiling", {"ceiling_methadone_oral_mg": 150})

    # Not fit in this window, or blocked: no oral dose either.
    d.at(20, "08:30:00")
    d.check_in(o)
    d.assess(o, "not_fit", sedation=2, reason="sedated")
    oral_dose(o, 30, "an oral dose after a not-fit assessment", 422, "assessment_not_fit")
    d.at(20, "15:00:00")
    d.step("naloxone given", o, "adverse-events",
           {"kind": "naloxone", "action_taken": "naloxone", "outcome": "recovered",
            "naloxone_dose_mg": 0.4, "naloxone_route": "intranasal"})
    oral_dose(o, 30, "an oral dose after naloxone, before review", 422, "patient_blocked")


def idempotency(d):
    """The same dose sent twice under one Idempotency-Key is given once."""
    d.at(21, "08:30:00")
    p = d.patient("Replay")
    d.rx(p)
    key = {"Idempotency-Key": "dose-%d-1" % p}
    d.check_in(p, headers={"Idempotency-Key": "checkin-%d" % p})
    d.check_in(p, "the check-in replayed under its key answers the same",
               headers={"Idempotency-Key": "checkin-%d" % p}, expect={"state": "checked_in"})
    d.assess(p)
    first = d.dose(p, 100, "a dose under an Idempotency-Key", headers=key)
    n_admin = d.scalar("SELECT count(*) FROM administrations WHERE patient_id = ?", (p,))
    n_audit = d.scalar("SELECT count(*) FROM audit_events")
    again = d.dose(p, 100, "the same request again", headers=key)
    d.eq("the replay gets the first answer", again.json, first.json)
    d.eq("one administration is recorded",
         (n_admin, d.scalar("SELECT count(*) FROM administrations WHERE patient_id = ?", (p,))),
         (1, 1))
    d.eq("and no second audit event", d.scalar("SELECT count(*) FROM audit_events"), n_audit)
    d.eq("and the register holds the dose's entries once",
         d.scalar("SELECT sum(given_ug) FROM register_entries WHERE administration_id IN"
                  " (SELECT id FROM administrations WHERE patient_id = ?)", (p,)), 100000)
    d.dose(p, 90, "a different dose under the same key", headers=key, status=409,
           code="idempotency_key_reused")
    d.dose(p, 100, "the same dose without the key is a second injection: the assessment"
           " made before the first does not cover it", status=422, code="assessment_stale")
    d.at(21, "08:31:00")
    d.assess(p, label="assessed again after the injection", expect={"state": "observing"})
    d.dose(p, 100, "and then it is refused as a top-up (the prescription allows none)",
           status=422, code="topup_not_allowed")
    d.eq("still one administration",
         d.scalar("SELECT count(*) FROM administrations WHERE patient_id = ?", (p,)), 1)


def summer_time(d):
    """In British Summer Time the 08:30 window opens at 07:30 UTC."""
    d.at(230, "06:00:00")  # 2029-06-19
    p = d.patient("Summer")
    d.rx(p)
    d.at(230, "07:29:59")
    d.check_in(p, "07:29:59 UTC is 08:29:59 in London: before the window", status=422,
               code="outside_session_window")
    d.at(230, "07:30:00")
    d.check_in(p, "07:30:00 UTC is 08:30 in London: open")
    d.assess(p)
    d.dose(p, 100, "a dose at 08:30 London time")
    d.eq("the dose is stored at local minute 510 of its London date",
         d.t.query("SELECT local_minute, local_date FROM administrations WHERE patient_id = ?",
                   (p,)), [(510, local_date(230))])
    d.at(230, "09:59:59")
    d.check_in(p, "the visit is open until 10:59:59 London time",
               status=422, code="wrong_session_state")


def body(t):
    d = Desk(t)
    d.start()
    setup(d)
    board(d)
    missed(d)
    oral(d)
    idempotency(d)
    summer_time(d)


if __name__ == "__main__":
    sys.exit(main("test_dosing_workflow", body, demo="staff", start=False))
