"""test_evaluation.py: the service evaluation report (R5-R7, R19, R20 of the
outcomes reference) over a fixture cohort with known answers: ten episodes
over 400 days of the test clock, four of them ending and six still in
treatment when the period closes; retention worked by hand (Kaplan-Meier,
the censored counted until their end, not dropped); the TOP's domains moved
by the threshold; counts of 1-4 people suppressed; JSON and CSV; who may
read it; the access log; bad input; hatctl report.

Run by ctest as: python3 test_evaluation.py --hatd PATH --hatctl PATH
"""
import sys

sys.dont_write_bytecode = True

from harness import DEMO_PW, main  # noqa: E402
from test_dosing_rules import Desk, day  # noqa: E402
from test_outcomes import top  # noqa: E402

R = "/api/v1/reports/evaluation"


def episode(d, pid):
    return d.t.scalar("SELECT max(id) FROM episodes WHERE patient_id = ?", (pid,))


def discharge(d, pid, reason):
    d.call("discharge on day %d (%s)" % (d.now_day, reason), "nurse", "PATCH",
           "/api/v1/episodes/%d" % episode(d, pid),
           {"discharge_date": day(d.now_day).isoformat(), "discharge_reason": reason,
            "version": d.t.scalar("SELECT version FROM episodes WHERE id = ?",
                                  (episode(d, pid),))},
           status=200)


def report(d, label, who="manager", frm=0, to=400, status=200, extra="", **kw):
    return d.call(label, who, "GET", "%s?from=%s&to=%s%s" % (
        R, day(frm).isoformat(), day(to).isoformat(), extra), status=status, **kw)


def near(a, b):
    return a is not None and abs(a - b) < 1e-9


def body(t):
    d = Desk(t)
    d.start()
    d.users["auditor"] = ("audit.silva", DEMO_PW["audit.silva"])
    d.login_all()
    d.call("admin renews dr.okafor's licence for the test years", "admin", "POST",
           "/api/v1/users/%d/licences" % d.s["dr"].user_id,
           {"licence_number": "HO-DIA-2028-0001", "premises_id": 1,
            "expires_on": day(500).isoformat(),
            "confirmer": {"username": "mgr.hughes", "password": DEMO_PW["mgr.hughes"]}},
           status=201)

    # Day 0: eight people start.  L30, L60a, L60b leave early; C (completes
    # on day 200 and comes back on day 300); S1-S4 stay to the end.
    names = ["L30", "L60a", "L60b", "C", "S1", "S2", "S3", "S4"]
    p = {n: d.patient(n) for n in names}
    stayers = ["C", "S1", "S2", "S3", "S4"]
    for n in stayers:
        d.call("%s's Start TOP" % n, "kw", "POST", "/api/v1/patients/%d/outcomes" % p[n],
               {"instrument": "top", "stage": "start",
                "answers": top(opiates_days=20, psych_health=10)}, status=201)
    d.at(30, "10:00:00")
    discharge(d, p["L30"], "incomplete_dropped_out")
    d.at(60, "10:00:00")
    discharge(d, p["L60a"], "incomplete_dropped_out")
    discharge(d, p["L60b"], "incomplete_prison")
    d.at(150, "10:00:00")
    for n in stayers:
        # Opiates 20 -> 0 days: improved.  Psychological health 10 -> 11:
        # about the same under the default threshold of 3.
        d.call("%s's Review TOP" % n, "kw", "POST", "/api/v1/patients/%d/outcomes" % p[n],
               {"instrument": "top", "stage": "review",
                "answers": top(opiates_days=0, psych_health=11)}, status=201)
    d.at(200, "10:00:00")
    discharge(d, p["C"], "completed_drug_free")
    d.at(300, "10:00:00")
    d.call("C comes back: a new episode 100 days after completing", "nurse", "POST",
           "/api/v1/patients/%d/episodes" % p["C"],
           {"referral_date": day(300).isoformat(), "start_date": day(300).isoformat()},
           status=201)
    d.at(355, "10:00:00")
    p["N"] = d.patient("N")
    d.at(400, "10:00:00")

    r = report(d, "the manager reads the evaluation for days 0-400")
    j = r.json or {}
    ret = j.get("retention", {})
    # Durations 30, 60, 60, 200 (left); 100, 45, 400 x4 (censored).
    #   day 30: 1 of 10 leaves -> 0.9; day 60: 2 of 8 -> 0.675;
    #   day 200: 1 of 5 -> 0.54.  Dropping the censored would say 6/10.
    d.t.report.check("ten episodes began in the period", ret.get("episodes_started") == 10,
                     str(ret))
    d.t.report.check("retention at 3 months is 0.675 (censored people kept)",
                     near(ret.get("3_months", {}).get("rate"), 0.675), str(ret.get("3_months")))
    d.t.report.check("retention at 6 months is still 0.675",
                     near(ret.get("6_months", {}).get("rate"), 0.675), str(ret.get("6_months")))
    d.t.report.check("retention at 12 months is 0.54",
                     near(ret.get("12_months", {}).get("rate"), 0.54), str(ret.get("12_months")))
    d.t.report.eq("followed to 3 months: 6", ret.get("3_months", {}).get("followed"), 6)
    d.t.report.eq("followed to 12 months: 4, suppressed", ret.get("12_months", {}).get("followed"),
                  "<5")
    d.t.report.eq("ten referrals", j.get("referrals", {}).get("referrals"), 10)
    d.t.report.eq("nobody was dosed, so no median wait",
                  j.get("referrals", {}).get("median_days_to_first_dose"), None)
    d.t.report.eq("nine people in treatment during the period, six at its end",
                  (j.get("in_treatment", {}).get("during_period"),
                   j.get("in_treatment", {}).get("at_end")), (9, 6))
    dis = j.get("discharges", {})
    d.t.report.eq("four discharges: shown as <5", dis.get("total"), "<5")
    d.t.report.eq("completions and re-presentations are suppressed, not zero",
                  (dis.get("successful_completions"), dis.get("re_presented_within_6_months"),
                   dis.get("re_presentation_rate")), ("<5", "<5", None))
    d.t.report.eq("discharges by reason, each suppressed",
                  sorted((x["code"], x["count"]) for x in dis.get("by_reason", [])),
                  [("completed_drug_free", "<5"), ("incomplete_dropped_out", "<5"),
                   ("incomplete_prison", "<5")])
    dom = {x["key"]: x for x in j.get("top", {}).get("domains", [])}
    d.t.report.eq("five people compared", j.get("top", {}).get("people_compared"), 5)
    d.t.report.eq("opiates: five improved", dom.get("opiates_days", {}).get("improved"), 5)
    d.t.report.eq("psychological health +1: five about the same at threshold 3",
                  (dom.get("psych_health", {}).get("improved"),
                   dom.get("psych_health", {}).get("same")), (0, 5))
    d.t.report.check("the thresholds are labelled local definitions",
                     "local definitions" in j.get("top", {}).get("thresholds", {}).get("note", ""))

    d.call("the manager lowers the rating threshold to 1", "manager", "PUT",
           "/api/v1/outcome-settings", {"change_threshold_rating": 1}, status=200)
    r = report(d, "the evaluation again")
    dom = {x["key"]: x for x in (r.json or {}).get("top", {}).get("domains", [])}
    d.t.report.eq("with threshold 1, the five now improved",
                  (dom.get("psych_health", {}).get("improved"),
                   dom.get("psych_health", {}).get("same")), (5, 0))
    d.call("back to 3", "manager", "PUT", "/api/v1/outcome-settings",
           {"change_threshold_rating": 3}, status=200)

    # A period with only two starts: everything about them is suppressed.
    r = report(d, "days 300-400 only", frm=300)
    ret = (r.json or {}).get("retention", {})
    d.t.report.eq("two episodes began: <5, and no rate is given",
                  (ret.get("episodes_started"), ret.get("3_months", {}).get("rate"),
                   ret.get("3_months", {}).get("suppressed")), ("<5", None, True))
    r = report(d, "days 0-149: reviews not yet held", to=149)
    d.t.report.eq("before the reviews nobody is compared",
                  (r.json or {}).get("top", {}).get("people_compared"), 0)

    r = report(d, "the report as CSV", extra="&format=csv")
    text = r.body.decode("utf-8") if isinstance(r.body, bytes) else str(r.body)
    d.t.report.check("CSV content type", (r.header("Content-Type") or "").startswith("text/csv"))
    d.t.report.check("the CSV starts with its header", text.startswith("section,measure,value\r\n"),
                     text[:80])
    d.t.report.check("the CSV holds the 3-month rate",
                     '"retention","3_months.rate","0.6750"' in text, text[:600])
    d.t.report.check("the CSV holds suppressed counts as <5",
                     '"discharges","total","<5"' in text)
    d.t.report.check("no names in the report", not any(n in text for n in ("Test1", "L60a", "S4")))

    report(d, "the auditor may read it", who="auditor")
    report(d, "a keyworker may not", who="kw", status=403, code="forbidden")
    report(d, "a nurse may not", who="nurse", status=403, code="forbidden")
    d.t.report.check("each read is in the access log",
                     d.t.scalar("SELECT count(*) FROM access_log WHERE what = 'evaluation_report'")
                     >= 6)
    d.call("a date that is not a date", "manager", "GET", R + "?from=2028-13-01", status=400,
           code="invalid_date")
    report(d, "from after to", frm=10, to=5, status=422, code="date_order")
    report(d, "an unknown premises", extra="&premises_id=999", status=422,
           code="unknown_premises")
    report(d, "premises 1 alone gives the same referrals", extra="&premises_id=1",
           expect={"referrals.referrals": 10, "period.premises_id": 1})
    report(d, "a format the route does not give", extra="&format=xml", status=400)

    drug_cost(d, p["S1"])

    p2 = t.hatctl("report", "--from", day(0).isoformat(), "--to", day(400).isoformat(),
                  "--format", "csv")
    d.t.report.check("hatctl report --format csv exits 0", p2.returncode == 0, p2.err)
    d.t.report.check("hatctl counts the same ten referrals",
                     '"referrals","referrals","10"' in p2.out, p2.out[:400])
    p3 = t.hatctl("report")
    d.t.report.check("hatctl report prints text", p3.returncode == 0 and
                     "retention" in p3.out and "Kaplan-Meier" in p3.out, p3.out[:300] + p3.err)
    p4 = t.hatctl("report", "--format", "xml")
    d.t.report.eq("an unknown format is a usage error", p4.returncode, 2)


def drug_cost(d, pid):
    """Ampoules used, at the price in force when each was given."""
    d.at(401, "08:00:00")
    d.stock()
    pages = [x[0] for x in d.t.query("SELECT id FROM register_pages ORDER BY id")]
    d.call("a nurse may not set a price", "nurse", "POST",
           "/api/v1/register/pages/%d/prices" % pages[0], {"price_pence": 1}, status=403,
           code="forbidden")
    d.call("a price for a page that does not exist", "pharm", "POST",
           "/api/v1/register/pages/999/prices", {"price_pence": 1}, status=404, code="not_found")
    d.call("a negative price", "pharm", "POST", "/api/v1/register/pages/%d/prices" % pages[0],
           {"price_pence": -1}, status=400, code="out_of_range")
    for pg in pages:
        d.call("the pharmacist prices page %d at 1000p an ampoule" % pg, "pharm", "POST",
               "/api/v1/register/pages/%d/prices" % pg, {"price_pence": 1000}, status=201)
    d.rx(pid)
    d.session(pid, 30, "09:00:00", label="day 401")
    day1 = d.t.scalar("SELECT coalesce(sum(qty), 0) FROM register_entries WHERE kind = 'administration'")
    d.at(402, "08:00:00")
    for pg in pages:
        d.call("the price of page %d rises to 2000p" % pg, "pharm", "POST",
               "/api/v1/register/pages/%d/prices" % pg, {"price_pence": 2000}, status=201)
    d.session(pid, 30, "09:00:00", label="day 402")
    both = d.t.scalar("SELECT coalesce(sum(qty), 0) FROM register_entries WHERE kind = 'administration'")
    d.t.report.check("two doses drew ampoules", day1 >= 1 and both > day1, "%d %d" % (day1, both))
    r = report(d, "the evaluation with the drug cost", to=402)
    cost = (r.json or {}).get("drug_cost", {})
    d.t.report.eq("each ampoule at the price in force when given",
                  (cost.get("ampoules"), cost.get("priced_ampoules"), cost.get("cost_pence")),
                  (both, both, day1 * 1000 + (both - day1) * 2000))
    d.t.report.eq("two doses given", (r.json or {}).get("doses", {}).get("given"), 2)
    r = report(d, "the evaluation up to day 401 only", to=401)
    d.t.report.eq("the second day's ampoules are outside it",
                  (r.json or {}).get("drug_cost", {}).get("cost_pence"), day1 * 1000)


if __name__ == "__main__":
    sys.exit(main("test_evaluation", body, demo="staff", start=False))
