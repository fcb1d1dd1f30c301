"""test_flexibility.py: planned absences, oral cover, session choice and the
report of the schedule's burden, over realistic runs of days.

Run by ctest as: python3 test_flexibility.py --hatd PATH --hatctl PATH

Like test_dosing_safety.py it uses test_dosing_rules.py's Desk: the test
clock lives through days of late 2028 (London time = UTC; day 0 is Wednesday
1 November).  Each rule is tried at its edge on both sides, and every
refusal is checked to have written nothing.
"""
import sys

sys.dont_write_bytecode = True  # importing test_dosing_rules leaves no __pycache__

from harness import DEMO_PW  # noqa: E402
from harness import main  # noqa: E402
from test_dosing_rules import Desk, day, dig  # noqa: E402


def counts(d):
    return tuple(d.scalar("SELECT count(*) FROM %s" % t) for t in (
        "planned_absences", "oral_covers", "oral_cover_events", "session_preferences",
        "session_changes", "flex_settings", "administrations", "register_entries",
        "returns_log", "audit_events"))


def refused(d, label, who, method, path, body, status, code):
    """A refusal with its code that writes nothing at all."""
    before = counts(d)
    r = d.call(label, who, method, path, body, status=status, code=code)
    d.eq(label + " (nothing written)", counts(d), before)
    return r


def absence(d, pid, first, last, reason="work", who="kw", sessions=None, **kw):
    body = {"from_date": day(first).isoformat(), "to_date": day(last).isoformat(),
            "reason": reason}
    if sessions is not None:
        body["sessions"] = sessions
    label = kw.pop("label", "planned absence days %d-%d (%s)" % (first, last, reason))
    if kw.get("status", 201) != 201:
        return refused(d, label, who, "POST", "/api/v1/patients/%d/planned-absences" % pid,
                       body, kw["status"], kw.get("code"))
    return d.call(label, who, "POST", "/api/v1/patients/%d/planned-absences" % pid, body,
                  status=201, **kw)


def flex(d, label, body, status=200, code=None, expect=None):
    return d.call(label, "manager", "PUT", "/api/v1/premises/1/flex-settings", body,
                  status=status, code=code, expect=expect)


def dose_at(d, pid, n, hms, mg, label, **kw):
    d.at(n, hms)
    d.check_in(pid, label="%s: check in" % label)
    d.assess(pid, label="%s: assessed fit" % label)
    return d.dose(pid, mg, label="%s: %s mg" % (label, mg), **kw)


def setup(d):
    d.stock()
    d.call("admin renews dr.okafor's licence for the test years", "admin", "POST",
           "/api/v1/users/%d/licences" % d.s["dr"].user_id,
           {"licence_number": "HO-DIA-2028-0001", "premises_id": 1,
            "expires_on": day(400).isoformat(),
            "confirmer": {"username": "mgr.hughes", "password": DEMO_PW["mgr.hughes"]}},
           status=201)
    d.call("the defaults: absences and oral cover on, take-home oral off", "nurse", "GET",
           "/api/v1/premises/1/flex-settings", status=200,
           expect={"planned_absence_enabled": True, "oral_cover_enabled": True,
                   "oral_take_home_enabled": False, "cover_bridge_days": 2,
                   "absence_max_days": 14, "version": 0})


def planned_absence(d):
    """Item 1: a planned absence shows as planned, never as did-not-attend,
    does not count against attendance, and still counts for the missed-dose
    rules: three full days away block the next dose until a review."""
    away = d.patient("AwayThree")
    noshow = d.patient("NoShow")
    for pid in (away, noshow):
        d.rx(pid, start_date=day(0).isoformat())
    dose_at(d, away, 1, "08:30:00", 200, "day 1 morning")
    dose_at(d, noshow, 1, "08:35:00", 200, "day 1 morning, the other patient")
    d.at(1, "10:00:00")
    r = absence(d, away, 2, 4, reason="holiday")
    aid = (r.json or {}).get("id")
    d.eq("the absence reads back as planned, every session",
         ((r.json or {}).get("status"), (r.json or {}).get("sessions"),
          (r.json or {}).get("reason")), ("planned", "all", "holiday"))
    d.at(2, "09:00:00")
    row, _ = d.board_row(away)
    d.eq("day 2 morning: the board shows the absence as planned, with its reason",
         ((row or {}).get("state"), dig(row, "planned_absence.reason")),
         ("planned_absence", "holiday"))
    d.at(2, "18:00:00")
    row, _ = d.board_row(away)
    d.eq("after the last session: still planned, never did_not_attend",
         (row or {}).get("state"), "planned_absence")
    row, _ = d.board_row(noshow)
    d.eq("the patient with no absence who did not come: did_not_attend",
         (row or {}).get("state"), "did_not_attend")
    d.at(5, "08:40:00")
    row, _ = d.board_row(away)
    d.ok("day 5: three full days away: the board blocks until review",
         "blocked_until_review" in ((row or {}).get("flags") or []), repr(row))
    d.check_in(away, label="back on day 5: check in")
    d.assess(away, label="back on day 5: assessed fit")
    d.dose(away, 200, "three full days missed, planned or not: blocked", status=422,
           code="patient_blocked")
    r = d.call("attendance days 1-4: the planned sessions are excused", "manager", "GET",
               "/api/v1/attendance?premises_id=1&patient_id=%d&from=%s&to=%s"
               % (away, day(1).isoformat(), day(4).isoformat()), status=200)
    me = dig(r.json, "patients.0") or {}
    d.eq("due 2 (day 1), attended 1, 6 sessions planned absent",
         (me.get("sessions_due"), me.get("sessions_attended"), me.get("sessions_planned_absent")),
         (2, 1, 6))
    r = d.call("the other patient's attendance counts every session", "manager", "GET",
               "/api/v1/attendance?premises_id=1&patient_id=%d&from=%s&to=%s"
               % (noshow, day(1).isoformat(), day(4).isoformat()), status=200)
    me = dig(r.json, "patients.0") or {}
    d.eq("due 8, attended 1, none excused",
         (me.get("sessions_due"), me.get("sessions_attended"), me.get("sessions_planned_absent")),
         (8, 1, 0))
    d.step("the prescriber reviews the patient back from holiday", away, "reviews",
           {"outcome": "continue"}, who="dr")
    d.dose(away, 200, "after the review: given")
    return aid


def absence_edges(d):
    """Item 1's edges: in advance only (a day late, or a session begun, is
    refused), at most absence_max_days, no two absences for one session, the
    reason from the list, the keyworker's or nurse's to record, the
    clinic's to switch off; a cancellation is a new row."""
    p = d.patient("AbsenceEdges")
    d.rx(p)
    d.at(6, "09:00:00")
    absence(d, p, 5, 5, label="recorded a day late: refused", status=422, code="not_in_advance")
    absence(d, p, 6, 6, label="today, with the morning session begun: refused", status=422,
            code="not_in_advance")
    absence(d, p, 6, 6, sessions=["afternoon"], reason="court",
            label="today's afternoon, not yet begun: recorded")
    absence(d, p, 6, 7, sessions=["afternoon"], label="overlapping the afternoon already planned",
            status=409,
            code="already_planned")
    absence(d, p, 7, 21, label="15 days: one over the 14 allowed", status=422,
            code="absence_too_long")
    r = absence(d, p, 7, 20, label="14 days: at the limit", who="nurse")
    long_id = (r.json or {}).get("id")
    absence(d, p, 30, 30, reason="dentist", label="a reason not on the list", status=400,
            code="invalid_value")
    absence(d, p, 30, 30, sessions=["night"], label="a session the clinic lacks", status=400,
            code="invalid_value")
    absence(d, p, 30, 30, who="dr", label="a prescriber does not record absences", status=403,
            code="forbidden")
    absence(d, p, 30, 29, label="dates in the wrong order", status=422, code="date_order")
    d.call("the keyworker cancels the 14-day absence", "kw", "POST",
           "/api/v1/planned-absences/%d/cancel" % long_id, {"notes": "plans changed"},
           status=200, expect={"status": "cancelled"})
    d.eq("the cancellation is a new row; the absence itself is unchanged",
         d.t.query("SELECT count(*), sum(CASE WHEN cancels_id IS NOT NULL THEN 1 ELSE 0 END) FROM planned_absences"
                   " WHERE patient_id = ?", (p,)), [(3, 1)])
    refused(d, "cancelling it again", "kw", "POST", "/api/v1/planned-absences/%d/cancel" % long_id,
            {}, 409, "absence_cancelled")
    absence(d, p, 7, 20, label="the days are free again once cancelled")
    flex(d, "the manager switches planned absences off", {"planned_absence_enabled": False},
         expect={"planned_absence_enabled": False, "version": 1})
    absence(d, p, 30, 30, label="switched off: refused", status=422,
            code="flexibility_not_enabled")
    flex(d, "and on again", {"planned_absence_enabled": True})
    flex(d, "an absence limit of 61 days is refused", {"absence_max_days": 61}, status=400,
         code="out_of_range")
    flex(d, "an unknown setting is refused", {"take_home_days": 3}, status=400,
         code="unknown_field")


def cover_take_home(d):
    """Item 2: oral cover for a whole-day absence is a take-home supply; off
    by default.  The supply is posted to the register, returns go to the
    returns log, and the missed-dose rules see the cover taken as dosed for
    at most cover_bridge_days days."""
    p = d.patient("CoveredAway")
    q = d.patient("CoveredFour")
    for pid in (p, q):
        d.rx(pid, start_date=day(7).isoformat())
    dose_at(d, p, 8, "08:30:00", 200, "day 8 morning")
    dose_at(d, q, 8, "08:35:00", 200, "day 8 morning, the other patient")
    d.at(8, "10:00:00")
    aid = (absence(d, p, 9, 11, reason="family").json or {}).get("id")
    aid4 = (absence(d, q, 9, 12, reason="work").json or {}).get("id")
    path = "/api/v1/planned-absences/%d/oral-cover" % aid
    body = {"drug": "methadone_oral", "daily_dose_mg": 60, "mode": "take_home"}
    refused(d, "take-home oral cover with the clinic's take-home off", "dr", "POST", path, body,
            422, "take_home_not_allowed")
    refused(d, "a nurse does not prescribe cover", "nurse", "POST", path, body, 403, "forbidden")
    flex(d, "the manager allows take-home oral cover", {"oral_take_home_enabled": True})
    refused(d, "four days take-home: one over the 3 allowed", "dr", "POST",
            "/api/v1/planned-absences/%d/oral-cover" % aid4, body, 422, "take_home_too_many_days")
    refused(d, "cover past the absence's days", "dr", "POST", path,
            dict(body, to_date=day(12).isoformat()), 422, "cover_outside_absence")
    refused(d, "methadone above the clinic's 150 mg ceiling", "dr", "POST", path,
            dict(body, daily_dose_mg=151), 422, "dose_exceeds_system_ceiling")
    r = d.call("three days take-home methadone 60 mg: at the limit", "dr", "POST", path, body,
               status=201, expect={"mode": "take_home", "daily_dose_ug": 60000})
    cid = (r.json or {}).get("id")
    refused(d, "a second cover for the same absence", "dr", "POST", path, body, 409,
            "already_planned")
    supply = "/api/v1/oral-covers/%d/supplies" % cid
    refused(d, "the supply without a witness", "nurse", "POST", supply, {}, 422,
            "witness_required")
    page = d.scalar("SELECT id FROM register_pages WHERE drug = 'methadone'"
                    " AND form = 'oral_solution'")
    bal = lambda: d.scalar("SELECT balance_after FROM register_entries WHERE page_id = ?"
                           " ORDER BY seq DESC LIMIT 1", (page,))
    before = bal()
    d.at(8, "16:00:00")
    r = d.call("the last visit before the absence: three days handed over", "nurse", "POST",
               supply, {"witness": d.witness()}, status=201,
               expect={"days": 3, "amount_ug": 180000, "from_date": day(9).isoformat()})
    d.eq("the register's methadone page fell by 180 mL", before - bal(), 180)
    d.eq("the supply's entry names the patient and no administration",
         d.t.query("SELECT patient_id, administration_id IS NULL, kind FROM register_entries"
                   " WHERE page_id = ? ORDER BY seq DESC LIMIT 1", (page,)),
         [(p, 1, "administration")])
    refused(d, "a second supply", "nurse", "POST", supply, {"witness": d.witness()}, 422,
            "cover_not_due")
    refused(d, "a supervised dose under a take-home cover", "nurse", "POST",
            "/api/v1/oral-covers/%d/doses" % cid, {"amount_mg": 60, "witness": d.witness()},
            422, "cover_not_due")
    d.at(12, "08:00:00")
    row, _ = d.board_row(p)
    d.eq("day 12: three days away, two bridged by cover taken: one missed day, flagged",
         ((row or {}).get("days_missed"), "missed_dose_alert" in ((row or {}).get("flags") or []),
          "blocked_until_review" in ((row or {}).get("flags") or [])), (1, True, False))
    flex(d, "the clinic lets cover bridge no days", {"cover_bridge_days": 0})
    row, _ = d.board_row(p)
    d.eq("bridging nothing: three missed days, blocked",
         ((row or {}).get("days_missed"), "blocked_until_review" in ((row or {}).get("flags") or [])),
         (3, True))
    flex(d, "bridging 2 days again", {"cover_bridge_days": 2})
    ret = "/api/v1/oral-covers/%d/returns" % cid
    refused(d, "returning more than was handed over", "nurse", "POST", ret,
            {"amount_mg": 180.001, "witness": d.witness()}, 422, "return_over_supply")
    r = d.call("two days' methadone comes back unused", "nurse", "POST", ret,
               {"amount_mg": 120, "witness": d.witness(), "notes": "stayed with family"},
               status=201, expect={"days_taken": 1, "returned_total_ug": 120000})
    d.eq("the return is in the returns log, for destruction, not back in stock",
         d.t.query("SELECT patient_id, quantity FROM returns_log WHERE id = ?",
                   ((r.json or {}).get("returns_log_id"),)), [(p, "120.000 mg")])
    d.eq("the register balance is unchanged by a return", before - bal(), 180)
    row, _ = d.board_row(p)
    d.eq("one day taken: only day 9 bridged, two missed days", (row or {}).get("days_missed"), 2)
    d.at(12, "08:40:00")
    d.check_in(p, label="back on day 12")
    d.assess(p, label="back on day 12: fit")
    d.dose(p, 200, "two missed days after cover: flagged, given",
           expect={"detail.warnings": ["missed_doses"]})
    p2 = d.t.hatctl("verify")
    d.ok("hatctl verify passes with the supply's and the return's records", p2.returncode == 0,
         p2.out + p2.err)


def cover_supervised(d):
    """Item 2: cover for an afternoon away is taken at the clinic in the
    morning, witnessed, with its register entries; once a day, within the
    daily cover dose; the board shows it."""
    p = d.patient("CourtAfternoon")
    d.rx(p, start_date=day(12).isoformat())
    d.at(13, "08:20:00")
    aid = (absence(d, p, 13, 13, sessions=["afternoon"], reason="court").json or {}).get("id")
    r = d.call("the prescriber gives supervised SROM 400 mg for the afternoon", "dr", "POST",
               "/api/v1/planned-absences/%d/oral-cover" % aid,
               {"drug": "srom", "daily_dose_mg": 400, "mode": "supervised"}, status=201)
    cid = (r.json or {}).get("id")
    give = "/api/v1/oral-covers/%d/doses" % cid
    dose_at(d, p, 13, "08:40:00", 200, "day 13 morning injection")
    d.postdose(p, label="day 13 morning: post-dose check")
    d.at(13, "09:00:00")
    d.leave(p, label="day 13 morning: leaves")
    refused(d, "401 mg: one over the cover's daily dose", "nurse", "POST", give,
            {"amount_mg": 401, "witness": d.witness()}, 422, "dose_exceeds_session_max")
    r = d.call("400 mg SROM supervised: given, with its register entries", "nurse", "POST", give,
               {"amount_mg": 400, "witness": d.witness()}, status=201)
    d.eq("two 200 mg capsules booked to the patient",
         sorted((e["strength_ug"], e["ampoules"]) for e in (r.json or {}).get("register_entries", [])),
         [(200000, 2)])
    d.eq("an oral administration is on record",
         d.t.query("SELECT kind, drug, amount_ug FROM administrations WHERE id = ?",
                   ((r.json or {}).get("administration_id"),)), [("oral", "srom", 400000)])
    refused(d, "a second cover dose the same day", "nurse", "POST", give,
            {"amount_mg": 100, "witness": d.witness()}, 422, "cover_not_due")
    refused(d, "take-home from a supervised cover", "nurse", "POST",
            "/api/v1/oral-covers/%d/supplies" % cid, {"witness": d.witness()}, 422, "cover_not_due")
    d.at(13, "16:00:00")
    row, _ = d.board_row(p)
    d.eq("the afternoon board: planned, with oral cover today",
         ((row or {}).get("state"), (row or {}).get("oral_cover_today")),
         ("planned_absence", True))
    d.at(13, "17:45:00")
    r = d.call("the afternoon's handover", "nurse", "GET",
               "/api/v1/session-summary?date=%s&window=1" % day(13).isoformat(), status=200)
    groups = (r.json or {}).get("patients") or {}
    d.eq("the handover lists the court absence as planned, not as undone or did-not-attend",
         (p in [x.get("patient_id") for x in groups.get("planned_absence", [])],
          p in [x.get("patient_id") for x in groups.get("undone", []) + groups.get("did_not_attend", [])]),
         (True, False))
    d.call("the chart lists the absence and its cover", "nurse", "GET",
           "/api/v1/patients/%d/flexibility" % p, status=200,
           expect={"absences.0.reason": "court", "absences.0.oral_cover.0.supervised_ug": 400000,
                   "absences.0.sessions": ["afternoon"]})
    d.at(14, "08:00:00")
    refused(d, "the next day the cover is over", "nurse", "POST", give,
            {"amount_mg": 400, "witness": d.witness()}, 422, "cover_not_due")


def session_choice(d):
    """Item 3: an evening window on weekdays, by choice; a person who
    prefers it is due there and not in the afternoon; a changed session for
    one day moves the board; on Saturday the evening does not open."""
    chooser = d.patient("EveningChooser")
    standard = d.patient("StandardTimes")
    for pid in (chooser, standard):
        d.rx(pid, start_date=day(14).isoformat())
    d.at(14, "12:00:00")
    d.settings("the manager adds an evening window",
               {"windows": [{"name": "morning", "start": "08:30", "end": "11:00"},
                            {"name": "afternoon", "start": "15:00", "end": "17:30"},
                            {"name": "evening", "start": "18:00", "end": "20:00"}]})
    flex(d, "the evening opens on weekdays, by choice",
         {"windows": [{"name": "evening", "weekdays": ["mon", "tue", "wed", "thu", "fri"],
                       "choice_only": True}]},
         expect={"windows.2.choice_only": True, "windows.2.weekdays.4": "fri"})
    flex(d, "a window on no day is refused", {"windows": [{"name": "evening", "weekdays": []}]},
         status=400, code="invalid_value")
    flex(d, "a window the clinic lacks is refused", {"windows": [{"name": "night"}]},
         status=400, code="invalid_value")
    d.call("the keyworker records the evening and morning preference and 40 min travel", "kw",
           "POST", "/api/v1/patients/%d/session-preferences" % chooser,
           {"windows": ["morning", "evening"], "travel_min": 40}, status=201,
           expect={"windows": ["morning", "evening"], "travel_min": 40})
    refused(d, "a preferred window the clinic lacks", "kw", "POST",
            "/api/v1/patients/%d/session-preferences" % chooser, {"windows": ["night"]}, 400,
            "invalid_value")
    d.call("travel time alone for the other patient", "kw", "POST",
           "/api/v1/patients/%d/session-preferences" % standard, {"travel_min": 15}, status=201)
    d.call("the other patient's chart: travel 15 min, no preferred window", "kw", "GET",
           "/api/v1/patients/%d/flexibility" % standard, status=200,
           expect={"preference.windows": [], "preference.travel_min": 15})
    # Day 16 is a Friday, day 17 Saturday.
    d.at(16, "15:30:00")
    _, board = d.board_row(chooser)
    ids = [r.get("patient_id") for r in (board or {}).get("patients", [])]
    d.eq("Friday afternoon: the standard patient is due, the evening chooser is not",
         (standard in ids, chooser in ids), (True, False))
    d.check_in(standard, label="the standard patient checks in in the afternoon")
    d.assess(standard, label="the standard patient assessed fit")
    d.dose(standard, 200, "the standard patient's afternoon dose")
    d.postdose(standard, label="the standard patient's post-dose check")
    d.at(16, "16:00:00")
    d.leave(standard, label="the standard patient leaves")
    d.at(16, "18:10:00")
    _, board = d.board_row(chooser)
    ids = [r.get("patient_id") for r in (board or {}).get("patients", [])]
    d.eq("Friday evening: the evening window, the chooser due, the standard patient not",
         (dig(board, "window.name"), chooser in ids, standard in ids), ("evening", True, False))
    d.check_in(chooser, label="the chooser checks in in the evening")
    d.assess(chooser, label="the chooser assessed fit")
    d.dose(chooser, 200, "the evening dose is given")
    d.at(17, "18:10:00")
    _, board = d.board_row(chooser)
    d.eq("Saturday evening: the evening does not open; the board stays on the afternoon",
         dig(board, "window.name"), "afternoon")
    d.check_in(chooser, label="Saturday 18:10: no session open", status=422,
               code="outside_session_window")
    changes = "/api/v1/patients/%d/session-changes" % standard
    refused(d, "moving Saturday's afternoon to the evening, which does not open", "kw", "POST",
            changes, {"date": day(18).isoformat(), "from_window": "afternoon",
                      "to_window": "evening"}, 422, "outside_session_window")
    refused(d, "a change for yesterday", "kw", "POST", changes,
            {"date": day(16).isoformat(), "from_window": "afternoon", "to_window": "evening"},
            422, "not_in_advance")
    dose_at(d, standard, 18, "08:40:00", 200, "Sunday morning, the standard patient")
    # Day 19 is a Monday.
    r = d.call("Monday's afternoon moved to the evening (a hospital appointment)", "kw", "POST",
               changes, {"date": day(19).isoformat(), "from_window": "afternoon",
                         "to_window": "evening", "reason": "hospital appointment"}, status=201)
    chid = (r.json or {}).get("id")
    refused(d, "the same session moved twice", "kw", "POST", changes,
            {"date": day(19).isoformat(), "from_window": "afternoon", "to_window": "morning"},
            409, "already_planned")
    dose_at(d, standard, 19, "08:30:00", 200, "Monday morning")
    d.postdose(standard, label="Monday morning: post-dose check")
    d.at(19, "09:00:00")
    d.leave(standard, label="Monday morning: leaves")
    d.at(19, "15:30:00")
    _, board = d.board_row(standard)
    ids = [r.get("patient_id") for r in (board or {}).get("patients", [])]
    d.ok("Monday afternoon: the moved session is not on the afternoon board",
         standard not in ids, repr(ids))
    d.at(19, "18:05:00")
    row, board = d.board_row(standard)
    d.eq("Monday evening: on the evening board, moved here",
         ((row or {}).get("state"), (row or {}).get("session_moved_here")), ("due", True))
    d.check_in(standard, label="the moved session: check in")
    d.assess(standard, label="the moved session: fit")
    d.dose(standard, 200, "the moved session: given")
    r = d.call("Monday's attendance: both sessions attended", "manager", "GET",
               "/api/v1/attendance?premises_id=1&patient_id=%d&from=%s&to=%s"
               % (standard, day(19).isoformat(), day(19).isoformat()), status=200)
    d.eq("due 2, attended 2", (dig(r.json, "patients.0.sessions_due"),
                                dig(r.json, "patients.0.sessions_attended")), (2, 2))
    refused(d, "cancelling a change whose day is past", "kw", "POST",
            "/api/v1/session-changes/%d/cancel" % chid, {}, 422, "not_in_advance")
    flex(d, "the manager switches session choice off", {"session_choice_enabled": False})
    refused(d, "switched off: a change is refused", "kw", "POST", changes,
            {"date": day(21).isoformat(), "from_window": "afternoon", "to_window": "morning"},
            422, "flexibility_not_enabled")
    flex(d, "and on again", {"session_choice_enabled": True})
    return chooser, standard


def report(d, chooser, standard, away):
    """Item 6: the schedule's burden: hours a week, flexibility used, and
    the comparison with small numbers suppressed."""
    q = "/api/v1/reports/flexibility?premises_id=1&from=%s&to=%s" % (day(0).isoformat(),
                                                                      day(19).isoformat())
    r = d.call("the manager reads the flexibility report", "manager", "GET", q, status=200)
    rows = {p.get("patient_id"): p for p in (r.json or {}).get("people", [])}
    c = rows.get(chooser) or {}
    d.eq("the chooser: 40 min travel recorded, one chosen-window session",
         (c.get("travel_min"), dig(c, "flexibility.chosen_window_sessions"),
          c.get("used_flexibility")), (40, 1, True))
    visit = c.get("visit_min") or 0
    want = 1 * 7.0 / 20 * (80 + visit) / 60.0
    d.ok("the chooser's hours a week: 1 session in 20 days, 80 min travel plus the visit",
         abs((c.get("hours_per_week") or 0) - want) < 0.01, repr(c))
    a = rows.get(away) or {}
    d.eq("the holiday absence: 6 planned-absence sessions",
         dig(a, "flexibility.planned_absence_sessions"), 6)
    s = rows.get(standard) or {}
    d.eq("the moved session counts as a session change", dig(s, "flexibility.session_changes"), 1)
    d.eq("the comparison suppresses groups under 5",
         dig(r.json, "compared.used_flexibility.suppressed"),
         sum(1 for p in rows.values() if p.get("used_flexibility")) < 5)
    d.call("a nurse does not read the report", "nurse", "GET", q, status=403, code="forbidden")
    p = d.t.hatctl("report", "--kind", "flexibility", "--from", day(0).isoformat(), "--to",
                   day(19).isoformat(), "--format", "json")
    d.ok("hatctl report --kind flexibility prints the same report",
         p.returncode == 0 and '"planned_absence_sessions"' in p.out, p.out[-400:] + p.err)


def body(t):
    d = Desk(t)
    d.start()
    setup(d)
    d.at(0, "08:00:00")
    away = planned_absence(d) and None
    away = d.scalar("SELECT id FROM patients WHERE family_name = 'AwayThree'")
    absence_edges(d)
    cover_take_home(d)
    cover_supervised(d)
    chooser, standard = session_choice(d)
    report(d, chooser, standard, away)
    p = d.t.hatctl("verify")
    d.ok("hatctl verify passes at the end", p.returncode == 0, p.out + p.err)


if __name__ == "__main__":
    sys.exit(main("test_flexibility", body, demo="staff", start=False))
