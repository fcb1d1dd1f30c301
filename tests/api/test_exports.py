"""test_exports.py: data leaving hat (R5-R7, R22 of the outcomes reference;
items 2, 3 and 5 of the exports issue): the national return as CSV in the
data set's field order with consent gating and named validation errors,
values through configurable code lists; the pseudonymised research rows;
every export in the access log and limited by role; hatctl export.

Run by ctest as: python3 test_exports.py --hatd PATH --hatctl PATH
"""
import csv
import io
import re
import sys

sys.dont_write_bytecode = True

from harness import DEMO_PW, main  # noqa: E402
from test_dosing_rules import Desk, day  # noqa: E402
from test_outcomes import top  # noqa: E402

ORDER = ["FINITIAL", "SINITIAL", "DOB", "SEX", "CONSENT", "PC", "LA", "EPISODID", "REFLD", "RFLS",
         "TRIAGED", "CPLANDT", "DISD", "DISRSN", "MODAL", "MODID", "MODST", "MODEND", "MODEXIT",
         "VALIDATION"]


def person(d, given, family, sex, born="1979-03-14"):
    r = d.call("add %s %s" % (given, family), "nurse", "POST", "/api/v1/patients",
               {"given_name": given, "family_name": family, "birth_date": born, "sex": sex,
                "premises_id": 1, "address": "1 Test Street"}, status=201)
    pid = r.json["id"]
    r = d.call("open %s's episode" % family, "nurse", "POST", "/api/v1/patients/%d/episodes" % pid,
               {"referral_date": day(d.now_day).isoformat(),
                "start_date": day(d.now_day).isoformat()}, status=201)
    return pid, r.json["id"]


def details(d, ep, **over):
    body = {"consent": "Y", "local_authority": "Middlesbrough", "postcode": "TS1 3AB",
            "referral_source": "self", "triage_date": day(0).isoformat(),
            "care_plan_date": day(0).isoformat()}
    body.update(over)
    d.call("the return's details for episode %d" % ep, "kw", "POST", "/api/v1/episodes/%d/ndtms" % ep,
           body, status=201)


def modality(d, ep, **over):
    body = {"modality": "supervised_injectable_opioid", "start_date": day(0).isoformat()}
    body.update(over)
    r = d.call("a modality for episode %d" % ep, "kw", "POST", "/api/v1/episodes/%d/modalities" % ep,
               body, status=201)
    return r.json.get("modality_id")


def lines(r):
    text = r.body.decode("utf-8")
    return text, list(csv.reader(io.StringIO(text)))


def body(t):
    d = Desk(t)
    d.start()
    d.users["auditor"] = ("audit.silva", DEMO_PW["audit.silva"])
    d.login_all()

    a, ea = person(d, "daniel", "Whitfield", "male")       # complete, consent Y
    b, eb = person(d, "Bella", "Norton", "female")         # consent N
    c, ec = person(d, "Carl", "Oakes", "male")             # consent Y, no postcode
    e, ee = person(d, "Erin", "Price", "other")            # consent Y, sex without a code
    f, ef = person(d, "Frank", "Quinn", "male")            # never asked
    details(d, ea)
    details(d, eb, consent="N")
    details(d, ec, postcode="")
    details(d, ee)
    m1 = modality(d, ea)
    r = d.call("Daniel's Start TOP", "kw", "POST", "/api/v1/patients/%d/outcomes" % a,
               {"instrument": "top", "stage": "start",
                "answers": top(opiates_days=20, shared_needle="no", shared_paraphernalia="yes",
                               fraud="yes", psych_health="na")}, status=201)
    top_a = r.json.get("form_id")
    d.call("Bella's Start TOP (no consent)", "kw", "POST", "/api/v1/patients/%d/outcomes" % b,
           {"instrument": "top", "stage": "start", "answers": top()}, status=201)
    modality(d, ec)
    modality(d, ee)
    d.at(40, "10:00:00")
    modality(d, ea, start_date=day(0).isoformat(), end_date=day(40).isoformat(),
             exit_status="moved_on", supersedes_id=m1)
    modality(d, ea, modality="oral_methadone", start_date=day(40).isoformat())
    d.call("Daniel moves to oral treatment", "nurse", "PATCH", "/api/v1/episodes/%d" % ea,
           {"discharge_date": day(40).isoformat(), "discharge_reason": "moved_to_oral_oat",
            "version": d.t.scalar("SELECT version FROM episodes WHERE id = ?", (ea,))},
           status=200)

    d.call("a keyworker may not take the return", "kw", "GET", "/api/v1/exports/ndtms?format=csv",
           status=403, code="forbidden")
    d.call("nor may an auditor", "auditor", "GET", "/api/v1/exports/ndtms?format=csv", status=403,
           code="forbidden")
    logged = d.t.scalar("SELECT count(*) FROM access_log WHERE what = 'ndtms_export'")
    r = d.call("the manager takes the return as CSV", "manager", "GET",
               "/api/v1/exports/ndtms?format=csv", status=200)
    text, rows = lines(r)
    d.t.report.check("CSV content type", (r.header("Content-Type") or "").startswith("text/csv"))
    d.t.report.eq("the header is the data set's field order", rows[0] if rows else None, ORDER)
    by = {}
    for x in rows[1:]:
        by.setdefault(int(x[7]), []).append(dict(zip(ORDER, x)))
    d.t.report.eq("only the consented episodes, one line per current modality",
                  sorted((k, len(v)) for k, v in by.items()), [(ea, 2), (ec, 1), (ee, 1)])
    d.t.report.check("Bella (consent N) and Frank (never asked) are left out",
                     eb not in by and ef not in by and "Norton" not in text and "Quinn" not in text)
    lines_a = sorted(by.get(ea, []), key=lambda x: x["MODID"])
    la = lines_a[0] if lines_a else {}
    d.t.report.eq("Daniel's line: initials, date of birth, sex and dates as the data set has them",
                  {k: la.get(k) for k in ("FINITIAL", "SINITIAL", "DOB", "SEX", "CONSENT", "PC", "LA",
                                          "REFLD", "RFLS", "DISD")},
                  {"FINITIAL": "D", "SINITIAL": "W", "DOB": "1979-03-14", "SEX": "M",
                   "CONSENT": "Y", "PC": "TS1 3AB", "LA": "Middlesbrough",
                   "REFLD": day(0).isoformat(), "RFLS": "self", "DISD": day(40).isoformat()})
    d.t.report.eq("the ended modality and the new one",
                  [(x["MODAL"], x["MODST"], x["MODEND"], x["MODEXIT"]) for x in lines_a],
                  [("supervised_injectable_opioid", day(0).isoformat(), day(40).isoformat(), "moved_on"),
                   ("oral_methadone", day(40).isoformat(), "", "")])
    d.t.report.eq("leaving to oral treatment has no code yet: a named error",
                  [(x["DISRSN"], x["VALIDATION"]) for x in lines_a], [("", "DISRSN")] * 2)
    d.t.report.eq("Carl's missing postcode is named", [x["VALIDATION"] for x in by.get(ec, [])], ["PC"])
    d.t.report.eq("Erin's sex has no code: named", [(x["SEX"], x["VALIDATION"]) for x in by.get(ee, [])],
                  [("", "SEX")])
    d.t.report.check("the export is in the access log",
                     d.t.scalar("SELECT count(*) FROM access_log WHERE what = 'ndtms_export'")
                     == logged + 1)

    # The code lists are data: the manager sets codes, and the lines follow.
    d.call("a keyworker may not set a code", "kw", "POST", "/api/v1/ndtms-codes",
           {"list": "DISRSN", "local_value": "moved_to_oral_oat", "code": "83"}, status=403,
           code="forbidden")
    d.call("a list the return does not have", "manager", "POST", "/api/v1/ndtms-codes",
           {"list": "ETHNIC", "local_value": "x", "code": "1"}, status=400, code="invalid_value")
    d.call("a code too long", "manager", "POST", "/api/v1/ndtms-codes",
           {"list": "SEX", "local_value": "other", "code": "x" * 21}, status=400)
    n = d.t.scalar("SELECT count(*) FROM ndtms_codes")
    d.call("the manager codes leaving to oral treatment as a transfer", "manager", "POST",
           "/api/v1/ndtms-codes", {"list": "DISRSN", "local_value": "moved_to_oral_oat", "code": "83"},
           status=201)
    d.call("and codes the modalities", "manager", "POST", "/api/v1/ndtms-codes",
           {"list": "MODAL", "local_value": "supervised_injectable_opioid", "code": "HAT"}, status=201)
    d.call("and a sex of other", "manager", "POST", "/api/v1/ndtms-codes",
           {"list": "SEX", "local_value": "other", "code": "X"}, status=201)
    d.t.report.eq("three new rows, nothing changed in place",
                  d.t.scalar("SELECT count(*) FROM ndtms_codes"), n + 3)
    r = d.call("the lists read back", "kw", "GET", "/api/v1/ndtms-codes", status=200)
    codes = {(x["list"], x["local_value"]): x["code"] for x in (r.json or {}).get("codes", [])}
    d.t.report.eq("the newest mapping of each value",
                  (codes.get(("DISRSN", "moved_to_oral_oat")), codes.get(("DISRSN", "completed_drug_free"))),
                  ("83", "80"))
    r = d.call("the return again", "manager", "GET", "/api/v1/exports/ndtms?format=csv", status=200)
    text, rows = lines(r)
    by = {}
    for x in rows[1:]:
        by.setdefault(int(x[7]), []).append(dict(zip(ORDER, x)))
    lines_a = sorted(by.get(ea, []), key=lambda x: x["MODID"])
    d.t.report.eq("Daniel's lines now carry code 83 and no error, the modality coded",
                  [(x["DISRSN"], x["VALIDATION"], x["MODAL"]) for x in lines_a],
                  [("83", "", "HAT"), ("83", "", "oral_methadone")])
    d.t.report.eq("Erin's sex is coded", [(x["SEX"], x["VALIDATION"]) for x in by.get(ee, [])],
                  [("X", "")])
    d.call("a mapping withdrawn (an empty code)", "manager", "POST", "/api/v1/ndtms-codes",
           {"list": "SEX", "local_value": "other", "code": ""}, status=201)
    r = d.call("the return once more", "manager", "GET", "/api/v1/exports/ndtms?format=csv", status=200)
    text, rows = lines(r)
    d.t.report.check("Erin's sex is an error again",
                     any(int(x[7]) == ee and x[19] == "SEX" for x in rows[1:]), text[:500])

    # The TOP returns: one line per TOP of a consented episode.
    d.call("the TOP returns are CSV only", "manager", "GET", "/api/v1/exports/ndtms?part=top",
           status=400, code="invalid_query")
    d.call("a part the return does not have", "manager", "GET",
           "/api/v1/exports/ndtms?format=csv&part=drugs", status=400, code="invalid_query")
    d.call("Daniel's TOP revised (the opiate days were 18)", "kw", "POST",
           "/api/v1/outcomes/%d/revisions" % top_a,
           {"answers": top(opiates_days=18, shared_needle="no", shared_paraphernalia="yes",
                           fraud="yes", psych_health="na"), "reason": "misread the week sheet"},
           status=201)
    r = d.call("the TOP returns", "manager", "GET", "/api/v1/exports/ndtms?format=csv&part=top",
               status=200)
    text, rows = lines(r)
    hdr = rows[0] if rows else []
    d.t.report.eq("the header: attributor, ids, stage, then the TOP's codes in its order",
                  hdr[:12], ["FINITIAL", "SINITIAL", "DOB", "SEX", "EPISODID", "TOPID", "TOPDATE",
                             "TRSTAGE", "ALCUSE", "OPIUSE", "CRAUSE", "COCAUSE"])
    d.t.report.check("each code once; VALIDATION last",
                     len(hdr) == len(set(hdr)) and hdr[-1] == "VALIDATION" and "SHARING" in hdr
                     and "QUALLIFE" in hdr, str(hdr))
    tops = [dict(zip(hdr, x)) for x in rows[1:]]
    d.t.report.eq("only Daniel's TOP: Bella did not consent", [x["EPISODID"] for x in tops],
                  [str(ea)])
    ta = tops[0] if tops else {}
    d.t.report.eq("the revised values under the first form's id",
                  {k: ta.get(k) for k in ("TOPID", "TRSTAGE", "OPIUSE", "SHARING", "OTHTHEFT",
                                          "ASSAULT", "PSYHSTAT", "SEX", "VALIDATION")},
                  {"TOPID": str(top_a), "TRSTAGE": "start", "OPIUSE": "18", "SHARING": "Y",
                   "OTHTHEFT": "Y", "ASSAULT": "N", "PSYHSTAT": "NA", "SEX": "M", "VALIDATION": ""})
    d.call("the clinic codes the stages", "manager", "POST", "/api/v1/ndtms-codes",
           {"list": "TRSTAGE", "local_value": "start", "code": "S"}, status=201)
    r = d.call("the TOP returns again", "manager", "GET", "/api/v1/exports/ndtms?format=csv&part=top",
               status=200)
    text, rows = lines(r)
    d.t.report.eq("the stage through its code list", [x[7] for x in rows[1:]], ["S"])

    # A period: episodes in treatment at some time between from and to.
    r = d.call("the return for days 41-60 (Daniel discharged on day 40)", "manager", "GET",
               "/api/v1/exports/ndtms?format=csv&from=%s&to=%s" % (day(41).isoformat(),
                                                                   day(60).isoformat()), status=200)
    text, rows = lines(r)
    d.t.report.eq("Daniel is not in it; Carl and Erin are",
                  sorted({int(x[7]) for x in rows[1:]}), sorted([ec, ee]))
    d.call("from after to is refused", "manager", "GET",
           "/api/v1/exports/ndtms?format=csv&from=%s&to=%s" % (day(9).isoformat(), day(5).isoformat()),
           status=422, code="date_order")
    r = d.call("the JSON form of the same export", "manager", "GET", "/api/v1/exports/ndtms", status=200)
    d.t.report.check("it counts those left out without consent",
                     (r.json or {}).get("excluded_without_consent", 0) >= 2)

    # Research rows: pseudonyms, never names, initials or dates of birth.
    d.call("a keyworker may not take research rows", "kw", "GET", "/api/v1/exports/research",
           status=403, code="forbidden")
    logged = d.t.scalar("SELECT count(*) FROM access_log WHERE what = 'research_export'")
    r = d.call("the auditor takes the research rows as CSV", "auditor", "GET",
               "/api/v1/exports/research?format=csv", status=200)
    text, rows = lines(r)
    d.t.report.eq("one line per episode", len(rows) - 1, 5)
    hdr = rows[0] if rows else []
    d.t.report.check("the first column is a 32-hex pseudonym",
                     all(re.fullmatch(r"[0-9a-f]{32}", x[0]) for x in rows[1:]), text[:300])
    d.t.report.check("no names, initials, dates of birth or record numbers",
                     not any(s in text for s in ("Whitfield", "daniel", "Norton", "1979", "DW",
                                                  day(0).isoformat()))
                     and "episode_id" not in hdr and "patient_id" not in hdr, text[:400])
    rr = {x[0]: dict(zip(hdr, x)) for x in rows[1:]}
    dan = [x for x in rr.values() if x["discharge_reason"] == "moved_to_oral_oat"]
    d.t.report.eq("Daniel's row: an age band, spans in days, not a date",
                  [(x["age_band_at_referral"], x["days_in_treatment"], x["in_treatment_at_end"],
                    x["successful_completion"]) for x in dan], [("45-54", "40", "N", "N")])
    d.t.report.check("the research export is in the access log",
                     d.t.scalar("SELECT count(*) FROM access_log WHERE what = 'research_export'")
                     == logged + 1)
    r2 = d.call("the same rows as JSON", "manager", "GET", "/api/v1/exports/research", status=200)
    d.t.report.eq("the same pseudonyms each time",
                  sorted(x["pseudonym"] for x in (r2.json or {}).get("rows", [])), sorted(rr))

    # hatctl export: a named user, their roles, the access log.
    before_id = d.t.scalar("SELECT max(id) FROM access_log")
    p = t.hatctl("export", "ndtms", "--as", "mgr.hughes")
    d.t.report.check("hatctl export ndtms as the manager", p.returncode == 0 and
                     p.out.startswith(",".join(ORDER)), p.out[:200] + p.err)
    d.t.report.check("hatctl names the lines with errors", "with a validation error" in p.err, p.err)
    p = t.hatctl("export", "ndtms", "--as", "kw.mensah")
    d.t.report.check("a keyworker is refused by hatctl too", p.returncode == 1 and
                     "forbidden" in p.err and not p.out, p.err)
    p = t.hatctl("export", "ndtms")
    d.t.report.eq("without --as: a usage error", p.returncode, 2)
    p = t.hatctl("export", "ndtms", "--top", "--as", "mgr.hughes")
    d.t.report.check("hatctl export ndtms --top", p.returncode == 0 and
                     p.out.startswith("FINITIAL,SINITIAL,DOB,SEX,EPISODID,TOPID") and
                     len(p.out.strip().splitlines()) == 2, p.out[:300] + p.err)
    p = t.hatctl("export", "research", "--as", "audit.silva", "--from", day(41).isoformat(),
                 "--to", day(60).isoformat())
    d.t.report.check("hatctl export research for a period", p.returncode == 0 and
                     len(p.out.strip().splitlines()) == 1 + 4, p.out + p.err)
    d.t.report.eq("the hatctl exports taken (not the refused one) are in the access log",
                  d.t.query("SELECT what FROM access_log WHERE id > ? AND why = 'hatctl export'"
                            " ORDER BY id", (before_id,)),
                  [("ndtms_export",), ("ndtms_export",), ("research_export",)])
    p = t.hatctl("verify")
    d.t.report.check("the chain still verifies after the exports", p.returncode == 0, p.out + p.err)


if __name__ == "__main__":
    sys.exit(main("test_exports", body, demo="staff", start=False))
