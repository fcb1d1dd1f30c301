"""test_outcomes.py: outcome forms (TOP, BARC-10, SWEMWBS, an instrument
added as data), their rules and history, reviews due, goals, drug screens
read right for diamorphine, progress in every domain, the service report
and its pseudonymised rows, over a year of the test clock (requirements R1-
R4, R8-R22 of the outcomes reference, each at its edges).

Run by ctest as: python3 test_outcomes.py --hatd PATH --hatctl PATH
"""
import re
import sqlite3
import sys

sys.dont_write_bytecode = True

from harness import DEMO_PW, MISSING, main  # noqa: E402
from test_dosing_rules import Desk, day  # noqa: E402

P = "/api/v1/patients"


def top(**over):
    """A complete TOP: every required item answered."""
    a = {k: 0 for k in (
        "alcohol_days", "opiates_days", "crack_days", "cocaine_days", "amphetamines_days",
        "cannabis_days", "other_days", "tobacco_days", "injected_days", "shoplifting_days",
        "drug_selling_days", "paid_work_days", "education_days")}
    a.update({"vehicle_theft": "no", "property_theft": "no", "fraud": "no", "assault": "no",
              "acute_housing": "no", "eviction_risk": "no",
              "psych_health": 10, "physical_health": 10, "quality_of_life": 10})
    a.update(over)
    return a


def form(d, label, who, pid, instrument, answers, status=201, code=None, expect=None, **kw):
    body = {"instrument": instrument, "answers": answers}
    body.update(kw)
    return d.call(label, who, "POST", "%s/%d/outcomes" % (P, pid), body, status=status,
                  code=code, expect=expect)


def count_forms(d):
    return d.scalar("SELECT count(*) FROM outcome_forms")


def setup(d):
    d.users["auditor"] = ("audit.silva", DEMO_PW["audit.silva"])
    d.login_all()
    d.call("admin renews dr.okafor's licence for the test years", "admin", "POST",
           "/api/v1/users/%d/licences" % d.s["dr"].user_id,
           {"licence_number": "HO-DIA-2028-0001", "premises_id": 1,
            "expires_on": day(500).isoformat(),
            "confirmer": {"username": "mgr.hughes", "password": DEMO_PW["mgr.hughes"]}},
           status=201)


def recording(d, a, b):
    """R1: ranges, weeks, NA; R4: stages; nothing half-written."""
    before = count_forms(d)
    form(d, "29 days of use is refused", "kw", a, "top", top(opiates_days=29),
         stage="start", status=400, code="out_of_range")
    r = form(d, "a rating of 21 is refused, naming the item", "kw", a, "top",
             top(psych_health=21), stage="start", status=400, code="out_of_range",
             expect={"error.field": "psych_health"})
    form(d, "a rating of -1 is refused", "kw", a, "top", top(quality_of_life=-1),
         stage="start", status=400, code="out_of_range")
    form(d, "weeks that do not add up to the total are refused", "kw", a, "top",
         top(opiates_days={"total": 20, "weeks": [5, 5, 5, 6]}), stage="start", status=400,
         code="weeks_do_not_add_up", expect={"error.field": "opiates_days"})
    form(d, "a week of 8 days is refused", "kw", a, "top",
         top(opiates_days={"total": 8, "weeks": [8, 0, 0, 0]}), stage="start", status=400,
         code="out_of_range")
    form(d, "weeks on a rating are the wrong shape", "kw", a, "top",
         top(psych_health={"total": 8, "weeks": [2, 2, 2, 2]}), stage="start", status=400,
         code="wrong_type")
    missing = top()
    del missing["quality_of_life"]
    form(d, "a required item left out is refused (NA must be said)", "kw", a, "top", missing,
         stage="start", status=400, code="missing_field")
    form(d, "an item the form does not have is refused", "kw", a, "top", top(gambling_days=3),
         stage="start", status=400, code="unknown_field", expect={"error.field": "gambling_days"})
    form(d, "a yes/no item takes yes or no", "kw", a, "top", top(assault="maybe"),
         stage="start", status=400, code="wrong_type")
    form(d, "the TOP needs its stage", "kw", a, "top", top(), status=400, code="missing_field",
         expect={"error.field": "stage"})
    form(d, "a form dated tomorrow is refused", "kw", a, "top", top(), stage="start",
         form_date=day(d.now_day + 1).isoformat(), status=422, code="date_order")
    form(d, "a pharmacist may not record a TOP", "pharm", a, "top", top(), stage="start",
         status=403, code="forbidden")
    d.eq("no refused form was written", count_forms(d), before)

    # A's Start: heroin 20 days (by week), psych 6, QoL 8, physical health NA.
    r = form(d, "A's Start TOP with weeks, a 28 and NA is recorded", "kw", a, "top",
             top(opiates_days={"total": 20, "weeks": [5, 5, 5, 5]}, tobacco_days=28,
                 psych_health=6, quality_of_life=8, physical_health="na", opiates_amount=0.25),
             stage="start", status=201, expect={"instrument": "top", "version": 1,
                                                "total": None})
    d.vars["a_start"] = r.json.get("form_id")
    r = d.call("A's forms read back", "kw", "GET", "%s/%d/outcomes" % (P, a), status=200)
    f = (r.json or {}).get("forms", [{}])[0]
    d.eq("NA round-trips unchanged, apart from zero", f.get("answers", {}).get("physical_health"), "na")
    d.eq("the weeks round-trip", f.get("answers", {}).get("opiates_days"),
         {"total": 20, "weeks": [5, 5, 5, 5]})
    d.eq("a zero stays a zero", f.get("answers", {}).get("crack_days"), 0)
    d.eq("the amount round-trips", f.get("answers", {}).get("opiates_amount"), 0.25)
    d.eq("who entered it and when are kept",
         (f.get("recorded_by"), f.get("keyworker"), bool(f.get("recorded_at"))),
         (d.s["kw"].user_id, "Kwame Mensah", True))
    d.eq("the read is in the access log",
         d.scalar("SELECT count(*) FROM access_log WHERE patient_id = ? AND what = 'outcomes'",
                  (a,)), 1)

    # R4 on B.
    form(d, "B's Start TOP", "kw", b, "top", top(psych_health=10), stage="start", status=201)
    form(d, "a second Start in the same episode is refused", "kw", b, "top", top(),
         stage="start", status=409, code="top_start_exists")
    r = form(d, "B's Review the same day is fine", "kw", b, "top", top(psych_health=7),
             stage="review", status=201)
    d.vars["b_review"] = r.json.get("form_id")
    form(d, "a post-treatment exit before discharge is refused", "kw", b, "top", top(),
         stage="post_exit", status=422, code="top_post_exit_needs_discharge")


def history(d, b):
    """R21: a revision keeps the old value; entered in error, never deleted."""
    rid = d.vars["b_review"]
    r = d.call("the keyworker corrects B's review rating 7 to 9", "kw", "POST",
               "/api/v1/outcomes/%d/revisions" % rid,
               {"answers": top(psych_health=9), "reason": "typed 7 for 9"}, status=201,
               expect={"supersedes_id": rid})
    new = r.json.get("form_id")
    d.vars["b_review2"] = new
    r = d.call("the history shows both revisions, oldest first", "kw",
               "GET", "/api/v1/outcomes/%d" % new, status=200)
    revs = (r.json or {}).get("revisions", [])
    d.eq("the previous value is kept in history",
         [x.get("answers", {}).get("psych_health") for x in revs], [7, 9])
    d.eq("the revision says why", revs[-1].get("change_reason") if revs else None, "typed 7 for 9")
    d.call("the old revision cannot be changed again", "kw", "POST",
           "/api/v1/outcomes/%d/revisions" % rid, {"answers": top(), "reason": "x"},
           status=409, code="record_superseded")
    d.call("a revision keeps the Start rule: not a second Start", "kw", "POST",
           "/api/v1/outcomes/%d/revisions" % new, {"answers": top(), "reason": "x",
                                                  "stage": "start"},
           status=409, code="top_start_exists")
    d.eq("the revision's audit event holds the value before",
         d.scalar("SELECT CAST(json_extract(detail, '$.before.answers.psych_health') AS INTEGER)"
                  " FROM audit_events"
                  " WHERE action = 'outcome.revise' AND entity_id = ?", (new,)), 7)
    d.call("marking it entered in error needs a reason", "kw", "POST",
           "/api/v1/outcomes/%d/entered-in-error" % new, {}, status=400, code="missing_field")
    d.call("the review is marked entered in error", "kw", "POST",
           "/api/v1/outcomes/%d/entered-in-error" % new, {"reason": "wrong patient"}, status=201)
    d.call("a form in error cannot be revised", "kw", "POST",
           "/api/v1/outcomes/%d/revisions" % new, {"answers": top(), "reason": "x"},
           status=409, code="entered_in_error")
    d.call("nor marked twice", "kw", "POST", "/api/v1/outcomes/%d/entered-in-error" % new,
           {"reason": "again"}, status=409, code="entered_in_error")
    r = d.call("B's list leaves it out", "kw", "GET", "%s/%d/outcomes" % (P, b), status=200)
    d.eq("only the Start is current", [f["stage"] for f in r.json["forms"]], ["start"])
    r = d.call("with all=1 it is there, marked", "kw", "GET", "%s/%d/outcomes?all=1" % (P, b),
               status=200)
    d.eq("marked in error with its reason",
         [(f["stage"], f["entered_in_error"], f["error_reason"]) for f in r.json["forms"]],
         [("review", True, "wrong patient"), ("start", False, None)])
    d.eq("all three rows are still in the database",
         d.scalar("SELECT count(*) FROM outcome_forms WHERE patient_id = ?", (b,)), 3)
    c = d.t.connect_rw()
    try:
        c.execute("UPDATE outcome_forms SET answers = '{}' WHERE id = ?", (new,))
        d.ok("the database refuses to update a form", False, "the update went through")
    except sqlite3.DatabaseError as e:
        d.ok("the database refuses to update a form", "append-only" in str(e), str(e))
    try:
        c.execute("DELETE FROM outcome_form_errors")
        d.ok("the database refuses to delete an error mark", False, "the delete went through")
    except sqlite3.DatabaseError as e:
        d.ok("the database refuses to delete an error mark", "append-only" in str(e), str(e))
    c.close()


FIXTURE = {
    "code": "mood3", "version": 1, "title": "Three-question mood check (test fixture)",
    "scoring": "sum", "recall_days": 7, "copyright": "Test fixture, no licence.",
    "items": [{"key": "m%d" % i, "label": "Question %d" % i, "type": "scale", "min": 0,
               "max": 4, "scored": True, "better": "higher", "domain": "wellbeing"}
              for i in (1, 2, 3)],
}


def instruments(d, a):
    """R2, R10: instruments are data: a new one end to end, a new TOP version."""
    d.call("a keyworker cannot define instruments", "kw", "POST", "/api/v1/instruments",
           {"definition": FIXTURE}, status=403, code="forbidden")
    bad = dict(FIXTURE, items=[dict(FIXTURE["items"][0], max=-1)])
    d.call("a definition whose item has max below min is refused", "manager", "POST",
           "/api/v1/instruments", {"definition": bad}, status=422,
           code="instrument_definition_invalid")
    d.call("a definition at version 2 with no version 1 is refused", "manager", "POST",
           "/api/v1/instruments", {"definition": dict(FIXTURE, version=2)}, status=409,
           code="conflict")
    d.call("the manager adds the fixture instrument", "manager", "POST", "/api/v1/instruments",
           {"definition": FIXTURE}, status=201, expect={"code": "mood3", "version": 1})
    form(d, "it cannot be used until switched on", "kw", a, "mood3", {"m1": 1}, status=422,
         code="instrument_not_enabled")
    d.call("the manager switches it on", "manager", "POST", "/api/v1/instruments/switches",
           {"code": "mood3", "enabled": True}, status=201)
    form(d, "a fixture form is recorded and summed: 3+4+2 = 9", "kw", a, "mood3",
         {"m1": 3, "m2": 4, "m3": 2}, status=201, expect={"total": 9})
    form(d, "its range comes from the data: 5 is refused", "kw", a, "mood3",
         {"m1": 5, "m2": 4, "m3": 2}, status=400, code="out_of_range")
    form(d, "a stage on an instrument without stages is refused", "kw", a, "mood3",
         {"m1": 1}, stage="review", status=400, code="invalid_value")

    # A new TOP version with one more item, as the data set grows.
    r = d.call("the instruments list", "kw", "GET", "/api/v1/instruments", status=200)
    topdef = [i for i in r.json["instruments"] if i["code"] == "top"][0]["definition"]
    v2 = dict(topdef, version=2)
    v2["items"] = topdef["items"] + [{"key": "gambling_days", "label": "Gambling: days",
                                      "type": "days", "weeks": True, "required": False,
                                      "better": "lower", "domain": "substance_use"}]
    schema_before = d.scalar("PRAGMA user_version")
    d.call("the manager adds TOP version 2 with a gambling item", "manager", "POST",
           "/api/v1/instruments", {"definition": v2}, status=201, expect={"version": 2})
    d.eq("no schema migration was needed", d.scalar("PRAGMA user_version"), schema_before)
    r = d.call("A's Start still renders under version 1", "kw", "GET",
               "/api/v1/outcomes/%d" % d.vars["a_start"], status=200)
    d.eq("the old form keeps its version", dig0(r.json, "revisions", "version"), 1)


def dig0(j, key, field):
    try:
        return j[key][0][field]
    except (KeyError, IndexError, TypeError):
        return MISSING


def scored(d, a):
    """R8, R9: BARC-10 and SWEMWBS scoring, licence gating, copyright."""
    form(d, "BARC-10 hand-worked: 6+5+4+3+2+1+6+5+4+3 = 39", "kw", a, "barc10",
         {"barc%d" % (i + 1): v for i, v in enumerate([6, 5, 4, 3, 2, 1, 6, 5, 4, 3])},
         status=201, expect={"total": 39})
    form(d, "BARC-10 with one item missing has no total", "kw", a, "barc10",
         {"barc%d" % (i + 1): 6 for i in range(9)}, status=201, expect={"total": None})
    form(d, "BARC-10 items are 1-6: 0 is refused", "kw", a, "barc10", {"barc1": 0},
         status=400, code="out_of_range")
    r = d.call("SWEMWBS is listed, off, needing a licence", "kw", "GET", "/api/v1/instruments",
               status=200)
    sw = [i for i in r.json["instruments"] if i["code"] == "swemwbs"][0]
    d.eq("SWEMWBS is off and unlicensed", (sw["enabled"], sw["licensed"], sw["licence_required"]),
         (False, False, True))
    form(d, "SWEMWBS cannot be recorded while off", "kw", a, "swemwbs", {"sw1": 3},
         status=422, code="instrument_not_enabled")
    d.call("SWEMWBS cannot be switched on without a licence record", "manager", "POST",
           "/api/v1/instruments/switches", {"code": "swemwbs", "enabled": True}, status=422,
           code="instrument_licence_required")
    d.call("an expired registration does not count", "manager", "POST",
           "/api/v1/instruments/licences",
           {"code": "swemwbs", "holder": "Test Clinic NHS", "reference": "WV-OLD",
            "registered_on": day(-400).isoformat(), "expires_on": day(-1).isoformat()},
           status=201)
    d.call("still refused with only an expired licence", "manager", "POST",
           "/api/v1/instruments/switches", {"code": "swemwbs", "enabled": True}, status=422,
           code="instrument_licence_required")
    d.call("the manager records the registration", "manager", "POST",
           "/api/v1/instruments/licences",
           {"code": "swemwbs", "holder": "Test Clinic NHS", "reference": "WV-12345",
            "registered_on": day(d.now_day).isoformat()}, status=201)
    d.call("now SWEMWBS switches on", "manager", "POST", "/api/v1/instruments/switches",
           {"code": "swemwbs", "enabled": True}, status=201)
    r = d.call("the list shows it on, with its copyright line", "kw", "GET",
               "/api/v1/instruments", status=200)
    sw = [i for i in r.json["instruments"] if i["code"] == "swemwbs"][0]
    d.ok("the copyright line is there to show on the form",
         "NHS Health Scotland, University of Warwick and University of Edinburgh"
         in sw["definition"].get("copyright", ""), sw["definition"].get("copyright"))
    form(d, "SWEMWBS raw 7 is metric 7.00", "kw", a, "swemwbs",
         {"sw%d" % (i + 1): 1 for i in range(7)}, status=201, expect={"total": 7, "metric": 7.0})
    form(d, "SWEMWBS raw 21 is metric 19.25 (from the table)", "kw", a, "swemwbs",
         {"sw%d" % (i + 1): 3 for i in range(7)}, status=201,
         expect={"total": 21, "metric": 19.25})
    form(d, "SWEMWBS raw 35 is metric 35.00", "kw", a, "swemwbs",
         {"sw%d" % (i + 1): 5 for i in range(7)}, status=201, expect={"metric": 35.0})
    form(d, "SWEMWBS with an NA item has no total and no metric", "kw", a, "swemwbs",
         dict({"sw%d" % (i + 1): 5 for i in range(6)}, sw7="na"), status=201,
         expect={"total": None, "metric": None})


def screen(d, pid, at, results, label, status=201, code=None, expect=None, **over):
    body = {"sample_type": "urine", "collected_at": at, "supervised": True,
            "collection": "random", "method": "point_of_care", "results": results}
    body.update(over)
    return d.call(label, "nurse", "POST", "%s/%d/drug-screens" % (P, pid), body,
                  status=status, code=code, expect=expect)


def res(**kv):
    return [{"analyte": k, "result": v, "cutoff_ng_ml": 300} for k, v in kv.items()]


def screens_rules(d, c, h):
    """R11, R12: what a screen records and how it reads for diamorphine."""
    now = "%sT10:00:00Z" % day(d.now_day).isoformat()
    r = screen(d, c, now, res(morphine="positive", **{"6mam": "positive"},
                              papaverine_metabolites="negative"),
               "morphine+ and 6-MAM+ with papaverine metabolites negative, on diamorphine",
               expect={"street_heroin": "no_evidence", "reading": "no evidence of street heroin"},
               lab_ref="LAB-1")
    exp = {x["analyte"]: x["expected"] for x in (r.json or {}).get("results", [])}
    d.eq("morphine and 6-MAM are expected from the prescription",
         exp, {"morphine": True, "6mam": True, "papaverine_metabolites": False})
    d.eq("the screen's details are stored",
         d.query("SELECT sample_type, supervised, collection, method, lab_ref FROM drug_screens"
                 " WHERE id = ?", (r.json.get("screen_id"),)),
         [("urine", 1, "random", "point_of_care", "LAB-1")])
    d.eq("each analyte with its result and cut-off",
         d.query("SELECT analyte, result, cutoff_ng_ml FROM drug_screen_results WHERE screen_id = ?"
                 " ORDER BY id", (r.json.get("screen_id"),)),
         [("morphine", "positive", 300), ("6mam", "positive", 300),
          ("papaverine_metabolites", "negative", 300)])
    screen(d, c, now, res(morphine="positive", acetylcodeine="positive"),
           "acetylcodeine positive is street heroin", expect={"street_heroin": "evidence"})
    screen(d, c, now, res(morphine="positive", **{"6mam": "positive"}),
           "without a marker tested it cannot tell", expect={"street_heroin": "undetermined"})
    screen(d, c, now, res(papaverine_metabolites="negative"), "the person's own word counts",
           self_report="yes", expect={"street_heroin": "evidence"})
    screen(d, h, now, res(hydromorphone="positive", **{"6mam": "positive"}),
           "on hydromorphone, 6-MAM positive is street heroin",
           expect={"street_heroin": "evidence"})
    screen(d, h, now, res(morphine="positive", **{"6mam": "negative"}),
           "on hydromorphone, 6-MAM negative tells: no evidence",
           expect={"street_heroin": "no_evidence"})
    before = d.scalar("SELECT count(*) FROM drug_screens")
    screen(d, c, now, res(unobtainium="positive"), "an analyte not on the list is refused",
           status=422, code="unknown_analyte")
    screen(d, c, now, res(morphine="maybe"), "a result not on the list is refused",
           status=400, code="invalid_value")
    screen(d, c, now, [], "a screen with no results is refused", status=400, code="out_of_range")
    screen(d, c, now, res(morphine="positive") + res(morphine="negative"),
           "the same analyte twice is refused", status=409, code="conflict")
    screen(d, c, "%sT10:00:00Z" % day(d.now_day + 1).isoformat(), res(morphine="positive"),
           "a sample collected tomorrow is refused", status=422, code="date_order")
    screen(d, c, now, res(morphine="positive"), "an unknown sample type is refused",
           sample_type="hair", status=400, code="invalid_value")
    d.eq("nothing of the refusals was written", d.scalar("SELECT count(*) FROM drug_screens"), before)


def screens_share(d, c2):
    """R13: 13 weekly screens, 7 negative: 53.8%, meets 50%."""
    for w in range(13):
        neg = w % 2 == 0  # weeks 0, 2, ..., 12: seven negatives
        screen(d, c2, "%sT09:00:00Z" % day(d.now_day - 7 * w).isoformat(),
               res(morphine="positive", papaverine_metabolites="negative" if neg else "positive"),
               "weekly screen %d" % (w + 1))
    r = d.call("the share over the window", "kw", "GET", "%s/%d/drug-screens" % (P, c2),
               status=200)
    s = (r.json or {}).get("summary", {})
    d.eq("7 of 13 negative is 53.8% and meets 50%",
         (s.get("screens"), s.get("negative_for_street_heroin"), s.get("negative_pct"),
          s.get("meets_threshold")), (13, 7, 53.8, True))
    d.call("the manager sets the threshold to 54%", "manager", "PUT", "/api/v1/outcome-settings",
           {"screen_negative_pct": 54}, status=200, expect={"screen_negative_pct": 54})
    r = d.call("the share against 54%", "kw", "GET", "%s/%d/drug-screens" % (P, c2), status=200)
    d.eq("53.8% does not meet 54%", r.json["summary"]["meets_threshold"], False)
    d.call("a threshold of 101% is refused", "manager", "PUT", "/api/v1/outcome-settings",
           {"screen_negative_pct": 101}, status=400, code="out_of_range")
    d.call("back to 50%", "manager", "PUT", "/api/v1/outcome-settings",
           {"screen_negative_pct": 50}, status=200)
    sid = d.scalar("SELECT max(id) FROM drug_screens WHERE patient_id = ?", (c2,))
    d.call("the newest screen is marked entered in error", "nurse", "POST",
           "/api/v1/drug-screens/%d/entered-in-error" % sid, {"reason": "wrong label"},
           status=201)
    r = d.call("the share without it", "kw", "GET", "%s/%d/drug-screens" % (P, c2), status=200)
    d.eq("12 screens left, 6 negative: 50.0% meets 50% exactly",
         (r.json["summary"]["screens"], r.json["summary"]["negative_pct"],
          r.json["summary"]["meets_threshold"]), (12, 50.0, True))


def due(d, e, phase):
    r = d.call("the caseload (%s)" % phase, "kw", "GET", "/api/v1/caseload", status=200)
    rows = [x for x in (r.json or {}).get("patients", []) if x["patient_id"] == e]
    return rows[0] if rows else {}


def progress(d, a):
    """R14-R17: three TOPs, three points each in date order; words; gaps."""
    r = d.call("A's progress", "kw", "GET", "%s/%d/progress" % (P, a), status=200)
    p = r.json or {}
    series = {s["key"]: s for dom in p.get("domains", []) for s in dom["series"]}
    psych = series.get("psych_health", {})
    d.eq("psychological health has 3 points in date order",
         [(x["date"], x["value"]) for x in psych.get("points", [])],
         [(day(0).isoformat(), 6), (day(182).isoformat(), 10), (day(364).isoformat(), 14)])
    d.eq("every TOP series has 3 points",
         sorted({len(s["points"]) for k, s in series.items() if k not in ("barc10", "swemwbs",
                                                                          "mood3")}), [3])
    d.eq("psychological health 6 -> 14 says +8, improved",
         (psych.get("change"), psych.get("direction")), (8, "improved"))
    d.ok("and says it in words", "6 \u2192 14 (+8), improved" in psych.get("words", ""),
         psych.get("words"))
    heroin = series.get("opiates_days", {})
    d.eq("street heroin days unchanged", (heroin.get("change"), heroin.get("direction")),
         (0, "same"))
    qol = series.get("quality_of_life", {})
    d.eq("quality of life up 6", (qol.get("change"), qol.get("direction")), (6, "improved"))
    d.eq("retained and improving in a domain: progressing", p.get("progressing"), True)
    d.ok("there is no recovered flag anywhere", "recovered" not in str(p).lower())
    phys = series.get("physical_health", {})
    d.eq("an NA point is a gap, never a zero",
         [(x["value"], x.get("gap")) for x in phys.get("points", [])][0], (None, "not_answered"))
    d.eq("the change in physical health counts from the first answer", phys.get("first"), 9)
    d.eq("work days: more is better", series.get("paid_work_days", {}).get("better"), "higher")
    d.ok("the injecting, crime and housing domains are there",
         {"injecting", "crime", "housing", "work_education"} <=
         {dom["key"] for dom in p.get("domains", [])})
    d.ok("recovery capital and wellbeing totals are there",
         "barc10" in series and "swemwbs" in series)
    d.ok("screens and attendance sit beside the outcomes",
         isinstance(p.get("screens"), dict) and "attendance" in p)
    d.ok("the SWEMWBS series carries its copyright line",
         "Warwick" in (series.get("swemwbs", {}).get("copyright") or ""))


def goals(d, a, b):
    """R18: goals per domain, achieved, on the timeline."""
    r = d.call("A and the keyworker set a housing goal", "kw", "POST", "%s/%d/goals" % (P, a),
               {"domain": "housing", "text": "Get my own flat",
                "target_date": day(d.now_day + 90).isoformat()}, status=201,
               expect={"status": "open"})
    g = r.json.get("goal_id")
    d.call("an own-domain goal needs its name", "kw", "POST", "%s/%d/goals" % (P, a),
           {"domain": "own", "text": "Play guitar again"}, status=400, code="missing_field")
    d.call("an own-domain goal with its name", "kw", "POST", "%s/%d/goals" % (P, a),
           {"domain": "own", "own_domain": "music", "text": "Play guitar again"}, status=201)
    d.call("a domain not on the list is refused", "kw", "POST", "%s/%d/goals" % (P, a),
           {"domain": "abstinence", "text": "x"}, status=400, code="invalid_value")
    d.call("the goal is reviewed", "kw", "POST", "/api/v1/goals/%d/events" % g,
           {"kind": "review", "note": "viewing on Friday"}, status=201, expect={"status": "open"})
    d.call("the goal is marked achieved", "kw", "POST", "/api/v1/goals/%d/events" % g,
           {"kind": "achieved", "note": "keys today"}, status=201, expect={"status": "achieved"})
    d.call("an achieved goal cannot be achieved again", "kw", "POST",
           "/api/v1/goals/%d/events" % g, {"kind": "achieved"}, status=409, code="goal_closed")
    d.call("an open goal cannot be reopened", "kw", "POST",
           "/api/v1/goals/%d/events" % (g + 1), {"kind": "reopen"}, status=409, code="goal_open")
    r = d.call("the goals read back", "kw", "GET", "%s/%d/goals" % (P, a), status=200)
    gl = [x for x in r.json["goals"] if x["id"] == g][0]
    d.eq("the achieved goal is on the timeline with its events",
         (gl["status"], [e["kind"] for e in gl["events"]]), ("achieved", ["review", "achieved"]))
    r = d.call("A's progress shows the goal", "kw", "GET", "%s/%d/progress" % (P, a), status=200)
    d.ok("the progress timeline holds the achieved goal",
         any(x["id"] == g and x["status"] == "achieved" for x in r.json.get("goals", [])))
    d.vars["a_goal"] = g


def report(d, names):
    """R19, R20, R22: the service report; thresholds move it; pseudonyms."""
    r = d.call("the auditor may read the report", "auditor", "GET", "/api/v1/reports/outcomes",
               status=200)
    d.call("a keyworker may not", "kw", "GET", "/api/v1/reports/outcomes", status=403,
           code="forbidden")
    r = d.call("the manager reads the service report", "manager", "GET",
               "/api/v1/reports/outcomes", status=200)
    rep = r.json or {}
    dom = {x["key"]: x for x in rep.get("domains", [])}
    # Compared: A (start -> review day 364: psych 6 -> 14) and B (start psych
    # 10 -> exit psych 11).  E has only a Start.
    d.eq("two people are compared (a Start and a later Review or Exit)",
         rep.get("people_compared"), 2)
    d.eq("psychological health: A improved, B about the same",
         (dom["psych_health"]["improved"], dom["psych_health"]["same"],
          dom["psych_health"]["worse"]), (1, 1, 0))
    d.eq("the thresholds are labelled local definitions",
         "local definitions" in rep.get("thresholds", {}).get("note", ""), True)
    d.ok("retention at 3, 6 and 12 months",
         all(k in rep.get("retention", {}) for k in ("3_months", "6_months", "12_months")))
    d.eq("completions and re-presentations",
         (rep["discharges"]["successful_completions"],
          rep["discharges"]["re_presented_within_6_months"]), (1, 1))
    d.call("the manager lowers the rating threshold to 1", "manager", "PUT",
           "/api/v1/outcome-settings", {"change_threshold_rating": 1}, status=200)
    r = d.call("the report again", "manager", "GET", "/api/v1/reports/outcomes", status=200)
    dom = {x["key"]: x for x in r.json.get("domains", [])}
    d.eq("with threshold 1, B's +1 counts as improved",
         (dom["psych_health"]["improved"], dom["psych_health"]["same"]), (2, 0))
    text = r.short(10 ** 7)
    d.ok("the rows carry pseudonyms only",
         all(re.fullmatch(r"[0-9a-f]{32}", row.get("pseudonym", "")) for row in r.json["rows"])
         and len(r.json["rows"]) == 2)
    d.ok("no initials, names or dates of birth in the aggregate export",
         "1980-01-01" not in text and "birth" not in text and not any(
             n in text for n in names), text[:300])
    d.call("back to 3", "manager", "PUT", "/api/v1/outcome-settings",
           {"change_threshold_rating": 3}, status=200)


def service_user(d, a, b):
    """The person's own view: only their own record, in plain words."""
    body = {"username": "a.person", "display_name": "A Person", "password": "own-pass-0001",
            "consent": "Agreed at review, in person"}
    d.call("a nurse cannot make a service-user account", "nurse", "POST",
           "%s/%d/service-user-accounts" % (P, a), body, status=403, code="forbidden")
    d.call("the password must be long enough", "kw", "POST",
           "%s/%d/service-user-accounts" % (P, a), dict(body, password="short"), status=400,
           code="weak_password")
    r = d.call("the keyworker makes A's account with consent", "kw", "POST",
               "%s/%d/service-user-accounts" % (P, a), body, status=201)
    acct = r.json.get("account_id")
    d.call("a second open account for A is refused", "kw", "POST",
           "%s/%d/service-user-accounts" % (P, a), dict(body, username="a.person2"),
           status=409, code="patient_has_account")
    sess, r = d.t.login("a.person", "own-pass-0001")
    d.ok("A logs in", sess is not None, r.short())
    if sess is None:
        return
    d.s["self"] = sess
    d.eq("the login holds the service-user role only", r.json["user"].get("roles"),
         ["service_user"])
    r = d.call("A reads their own progress", "self", "GET", "/api/v1/me/progress", status=200)
    p = r.json or {}
    d.ok("in plain words, without clinical codes",
         "PSYHSTAT" not in r.short(10 ** 7) and "OPIUSE" not in r.short(10 ** 7)
         and "screen_list" not in p and "How you feel in yourself" in r.short(10 ** 7),
         r.short(300))
    d.eq("their own record, nobody else's", p.get("patient", {}).get("patient_id"), a)
    for path in ("%s/%d" % (P, a), "%s/%d/progress" % (P, b), "%s/%d/progress" % (P, a),
                 "%s/%d/goals" % (P, b), "/api/v1/register", "/api/v1/board", "/api/v1/caseload",
                 "/api/v1/patients", "/api/v1/premises", "/api/v1/audit", "/api/v1/instruments"):
        d.call("A cannot read %s" % path, "self", "GET", path, status=403, code="forbidden")
    d.call("A cannot record a TOP", "self", "POST", "%s/%d/outcomes" % (P, a),
           {"instrument": "top", "answers": top(), "stage": "review"}, status=403,
           code="forbidden")
    r = d.call("A adds a goal of their own", "self", "POST", "/api/v1/me/goals",
               {"domain": "social", "text": "See my sister every month"}, status=201,
               expect={"by_self": True})
    own = r.json.get("goal_id")
    d.call("A marks their own goal achieved", "self", "POST", "/api/v1/goals/%d/events" % own,
           {"kind": "achieved"}, status=201)
    bg = d.call("the keyworker sets B a goal", "kw", "POST", "%s/%d/goals" % (P, b),
                {"domain": "housing", "text": "B's goal"}, status=201).json.get("goal_id")
    d.call("A cannot touch B's goal: it does not exist for them", "self", "POST",
           "/api/v1/goals/%d/events" % bg, {"kind": "achieved"}, status=404, code="not_found")
    d.call("A writes how they are doing", "self", "POST", "/api/v1/me/notes",
           {"feeling": 4, "text": "Better week, slept well"}, status=201)
    d.call("a feeling of 6 is refused", "self", "POST", "/api/v1/me/notes",
           {"feeling": 6, "text": "x"}, status=400, code="out_of_range")
    r = d.call("A reads their notes and goals", "self", "GET", "/api/v1/me/goals", status=200)
    d.ok("their goals include the one they set and the keyworker's",
         {own, d.vars["a_goal"]} <= {x["id"] for x in r.json["goals"]})
    d.eq("A's reads are in the access log",
         d.scalar("SELECT count(*) FROM access_log WHERE user_id = ? AND patient_id = ?"
                  " AND what IN ('own_progress', 'own_goals')", (sess.user_id, a)), 2)
    d.call("the keyworker closes the account", "kw", "POST",
           "/api/v1/service-user-accounts/%d/close" % acct, {"reason": "asked to stop"},
           status=200)
    d.call("A's session has ended", "self", "GET", "/api/v1/me/progress", status=401)
    sess, r = d.t.login("a.person", "own-pass-0001")
    d.ok("and A can no longer log in", sess is None and r.status == 401, r.short())
    d.call("closing twice is refused", "kw", "POST",
           "/api/v1/service-user-accounts/%d/close" % acct, {"reason": "again"}, status=409,
           code="conflict")


def ndtms(d, a, b, c, e):
    """R5-R7: the return's fields, consent, completion and re-presentation."""
    ep = lambda pid: d.scalar("SELECT min(id) FROM episodes WHERE patient_id = ?", (pid,))
    r = d.call("B is referred again, 5 months after completing", "kw", "POST",
               "%s/%d/episodes" % (P, b), {"referral_date": day(d.now_day).isoformat(),
                                            "start_date": day(d.now_day).isoformat()}, status=201)
    b2 = r.json.get("id")
    full = {"consent": "Y", "local_authority": "Middlesbrough", "postcode": "TS1 3AB",
            "referral_source": "self", "triage_date": day(0).isoformat(),
            "care_plan_date": day(0).isoformat()}
    d.call("a postcode typed oddly is refused", "kw", "POST", "/api/v1/episodes/%d/ndtms" % ep(b),
           dict(full, postcode="ts1 3ab"), status=400, code="invalid_value")
    d.call("a triage before the referral is refused", "kw", "POST",
           "/api/v1/episodes/%d/ndtms" % ep(b), dict(full, triage_date=day(-1).isoformat()),
           status=422, code="date_order")
    d.call("a care plan before the triage is refused", "kw", "POST",
           "/api/v1/episodes/%d/ndtms" % ep(b),
           dict(full, triage_date=day(1).isoformat(), care_plan_date=day(0).isoformat()),
           status=422, code="date_order")
    d.call("consent is Y or N", "kw", "POST", "/api/v1/episodes/%d/ndtms" % ep(b),
           dict(full, consent="maybe"), status=400, code="invalid_value")
    d.call("a nurse may not record the return's details", "nurse", "POST",
           "/api/v1/episodes/%d/ndtms" % ep(b), full, status=403, code="forbidden")
    d.call("B's first episode: every field, consent Y", "kw", "POST",
           "/api/v1/episodes/%d/ndtms" % ep(b), full, status=201)
    d.call("B's new episode: triaged today", "kw", "POST", "/api/v1/episodes/%d/ndtms" % b2,
           dict(full, triage_date=day(d.now_day).isoformat(),
                care_plan_date=day(d.now_day).isoformat()), status=201)
    d.call("A said no to the return", "kw", "POST", "/api/v1/episodes/%d/ndtms" % ep(a),
           dict(full, consent="N"), status=201)
    d.call("E consented but has no postcode yet", "kw", "POST", "/api/v1/episodes/%d/ndtms" % ep(e),
           dict(full, postcode="", triage_date=day(61).isoformat(),
                care_plan_date=day(61).isoformat()), status=201)
    r = d.call("B's first episode: HAT from the start", "kw", "POST",
               "/api/v1/episodes/%d/modalities" % ep(b),
               {"modality": "supervised_injectable_opioid", "start_date": day(0).isoformat()},
               status=201)
    m1 = r.json.get("modality_id")
    d.call("a modality before the referral is refused", "kw", "POST",
           "/api/v1/episodes/%d/modalities" % ep(b),
           {"modality": "x", "start_date": day(-1).isoformat()}, status=422, code="date_order")
    d.call("a modality ending before it starts is refused", "kw", "POST",
           "/api/v1/episodes/%d/modalities" % ep(b),
           {"modality": "x", "start_date": day(1).isoformat(), "end_date": day(0).isoformat()},
           status=422, code="date_order", expect={"error.field": "end_date"})
    d.call("the modality ends at the discharge (a new row replacing it)", "kw", "POST",
           "/api/v1/episodes/%d/modalities" % ep(b),
           {"modality": "supervised_injectable_opioid", "start_date": day(0).isoformat(),
            "end_date": day(0).isoformat(), "exit_status": "completed", "supersedes_id": m1},
           status=201)
    d.call("the replaced row cannot be replaced again", "kw", "POST",
           "/api/v1/episodes/%d/modalities" % ep(b),
           {"modality": "x", "start_date": day(0).isoformat(), "supersedes_id": m1},
           status=409, code="record_superseded")
    d.call("B's new episode: HAT again", "kw", "POST", "/api/v1/episodes/%d/modalities" % b2,
           {"modality": "supervised_injectable_opioid", "start_date": day(d.now_day).isoformat()},
           status=201)
    r = d.call("B's first episode's return details read back", "kw", "GET",
               "/api/v1/episodes/%d/ndtms" % ep(b), status=200)
    d.eq("one current modality, ended, with its exit",
         [(m["MODST"], m["MODEND"], m["MODEXIT"]) for m in r.json.get("modalities", [])],
         [(day(0).isoformat(), day(0).isoformat(), "completed")])
    d.eq("the newest details", (r.json.get("details") or {}).get("postcode"), "TS1 3AB")
    d.call("a keyworker may not export", "kw", "GET", "/api/v1/reports/ndtms", status=403,
           code="forbidden")
    r = d.call("the manager exports the return", "manager", "GET", "/api/v1/reports/ndtms",
               status=200)
    rows = {x["episode_id"]: x for x in (r.json or {}).get("rows", [])}
    d.eq("only consented episodes are exported", sorted(rows), sorted([ep(b), b2, ep(e)]))
    d.ok("A (consent N) and those never asked are left out and counted",
         ep(a) not in rows and ep(c) not in rows and r.json["excluded_without_consent"] >= 2)
    d.eq("B's row has every mandatory field",
         {k: rows[ep(b)].get(k) for k in ("FINITIAL", "SEX", "DOB", "LA", "PC", "RFLS", "DISRSN",
                                         "validation_error")},
         {"FINITIAL": "T", "SEX": "O", "DOB": "1980-01-01", "LA": "Middlesbrough",
          "PC": "TS1 3AB", "RFLS": "self", "DISRSN": "completed_drug_free",
          "validation_error": None})
    d.eq("a completion re-triaged 5 months later is a re-presentation",
         (rows[ep(b)]["successful_completion"], rows[ep(b)]["re_presented_within_6_months"]),
         (True, True))
    d.eq("a missing postcode is a named validation error", rows[ep(e)]["validation_error"], "PC")
    d.eq("the rows carry their modalities", [m["MODAL"] for m in rows[b2]["modalities"]],
         ["supervised_injectable_opioid"])
    d.eq("one row has an error", r.json["rows_with_errors"], 1)


def missed_review(d, e):
    """R17: a review missed between two TOPs is a break in the line."""
    form(d, "E's first Review comes 303 days after the Start", "kw", e, "top",
         top(psych_health=12), stage="review", status=201)
    r = d.call("E's progress", "kw", "GET", "%s/%d/progress" % (P, e), status=200)
    psych = [s for dom in r.json["domains"] for s in dom["series"] if s["key"] == "psych_health"][0]
    d.eq("the second point is marked as coming after a missed review",
         [p.get("missed_review_before", False) for p in psych["points"]], [False, True])
    d.eq("and the change is still said from the Start", psych["change"], 2)


def body(t):
    d = Desk(t)
    d.vars = t.vars
    d.query = t.query
    d.start()
    setup(d)
    a = d.patient("Outcome")
    b = d.patient("Bravo")
    c = d.patient("Charlie")
    h = d.patient("Hotel")
    d.rx(c)
    d.rx(h, drug="hydromorphone", session_dose_mg=50, daily_max_mg=100)
    recording(d, a, b)
    history(d, b)
    instruments(d, a)
    scored(d, a)
    d.at(0, "10:30:00")
    screens_rules(d, c, h)
    eid = d.scalar("SELECT id FROM episodes WHERE patient_id = ?", (b,))
    d.call("B completes treatment and is discharged today", "kw", "PATCH",
           "/api/v1/episodes/%d" % eid,
           {"version": d.scalar("SELECT version FROM episodes WHERE id = ?", (eid,)),
            "discharge_date": day(0).isoformat(), "discharge_reason": "completed_drug_free"},
           status=200)
    form(d, "B's Exit dated on the discharge day is fine", "kw", b, "top", top(psych_health=11),
         stage="exit", status=201)

    # R3: a Start TOP on 1 January is due from 2 July.
    d.at(61, "10:00:00")
    d.eq("day 61 is 1 January", day(61).isoformat()[5:], "01-01")
    e = d.patient("Echo")
    form(d, "E's Start TOP on 1 January", "kw", e, "top", top(), stage="start", status=201)
    d.eq("E is not due on 2 January", due(d, e, "2 Jan").get("review_status"), "not_due")
    d.eq("E's review falls due on 2 July", due(d, e, "2 Jan").get("review_due_date"),
         day(61 + 182).isoformat())
    z = d.patient("Zulu")
    d.eq("a person with no TOP yet has a Start due", due(d, z, "no TOP").get("review_status"),
         "start_due")

    d.at(91, "10:00:00")
    c2 = d.patient("Charlie Two")
    d.rx(c2)
    screens_share(d, c2)

    d.at(152, "10:00:00")
    ndtms(d, a, b, c, e)

    d.at(182, "10:00:00")
    form(d, "A's first Review", "kw", a, "top",
         top(opiates_days=20, psych_health=10, quality_of_life=11, physical_health=9,
             tobacco_days=28), stage="review", status=201)
    form(d, "an Exit dated after B's discharge is refused", "kw", b, "top", top(),
         stage="exit", form_date=day(1).isoformat(), status=422, code="top_exit_after_discharge")
    form(d, "a post-treatment exit after discharge is fine", "kw", b, "top", top(),
         stage="post_exit", form_date=day(1).isoformat(), status=201)

    d.at(242, "10:00:00")
    d.eq("1 July: E is still not due", due(d, e, "1 Jul").get("review_status"), "not_due")
    d.at(243, "10:00:00")
    d.eq("2 July: E is due", due(d, e, "2 Jul").get("review_status"), "due")
    d.at(271, "10:00:00")
    d.eq("28 days later: still due", due(d, e, "30 Jul").get("review_status"), "due")
    d.at(272, "10:00:00")
    d.eq("29 days later: overdue", due(d, e, "31 Jul").get("review_status"), "overdue")
    d.call("the manager sets the review interval to 90 days", "manager", "PUT",
           "/api/v1/outcome-settings", {"review_interval_days": 90}, status=200)
    d.call("an interval of 27 days is refused", "manager", "PUT", "/api/v1/outcome-settings",
           {"review_interval_days": 27}, status=400, code="out_of_range")
    d.eq("with 90 days E's review date moves", due(d, e, "90 days").get("review_due_date"),
         day(61 + 90).isoformat())
    d.call("back to 182 days", "manager", "PUT", "/api/v1/outcome-settings",
           {"review_interval_days": 182}, status=200)

    d.at(364, "10:00:00")
    form(d, "A's second Review", "kw", a, "top",
         top(opiates_days=20, psych_health=14, quality_of_life=14, physical_health=12,
             tobacco_days=20, paid_work_days=6), stage="review", status=201)
    progress(d, a)
    goals(d, a, b)
    report(d, ["Outcome", "Bravo", "Test1", "Test2"])
    service_user(d, a, b)
    missed_review(d, e)


if __name__ == "__main__":
    sys.exit(main("test_outcomes", body, demo="staff", start=False))
