"""test_fhir.py: Patient/$everything over the demo clinic: every person's
Bundle and every resource in it checked against HL7's FHIR R4
StructureDefinitions and HL7's R4 JSON schema (tests/api/fhir_validate.mjs;
the suite fails on any error); the NHS number as the official identifier;
the medicine as SNOMED CT and ATC codes; a MedicationAdministration per
dose with its SNOMED CT route; an
Observation per pre-dose assessment, post-dose check (LOINC respiratory
rate and oxygen saturation, abnormal as such) and drug screen; a
QuestionnaireResponse per outcome form with its Questionnaire; Flags for
the alerts, a blocking adverse event and the review waited for; a Goal per
goal; who may read it and the access log; hatctl export fhir as NDJSON.

Neither validator asks a terminology server whether a code exists.

Run by ctest as: python3 test_fhir.py --hatd PATH --hatctl PATH
"""
import json
import os
import shutil
import subprocess
import sys

sys.dont_write_bytecode = True

from harness import DEMO_PW, TestFailure, main  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


SHANNON = 2   # dosed this morning, with an abnormal post-dose check
GARY = 9      # naloxone given: blocked until a prescriber reviews him


def scene(t, s):
    """This morning's session: a dose and an abnormal post-dose check for
    one person, an adverse event that blocks another."""
    rep = t.report
    t.clock(now=t.day() + "T09:00:00Z")
    nurse = s["nurse.patel"]

    def post(label, path, body, status=201):
        r = t.request("POST", "/api/v1" + path, body, session=nurse)
        rep.check(label, r.status == status, "%d %s" % (r.status, r.short()))
        return r
    post("check in", "/patients/%d/check-in" % SHANNON, {})
    post("assessed fit", "/patients/%d/assessments" % SHANNON,
         {"sedation_level": 0, "breath_alcohol_ug": 0, "decision": "fit"})
    due = t.request("GET", "/api/v1/patients/%d/dose-due" % SHANNON, session=nurse).json or {}
    post("the dose due is given", "/patients/%d/administrations" % SHANNON,
         {"amount_mg": due.get("amount_mg"), "route": "iv", "site": "arm_left",
          "identity_confirmed": True, "witness": {"token": s["nurse.byrne"].witness_token}})
    t.clock(now=t.day() + "T09:10:00Z")
    post("an abnormal post-dose check", "/patients/%d/postdose-checks" % SHANNON,
         {"sedation_level": 1, "respiratory_rate": 9, "spo2": 93, "pupils": "pinpoint",
          "breathing": "slow"})
    post("naloxone given to another", "/patients/%d/adverse-events" % GARY,
         {"kind": "naloxone", "naloxone_dose_mg": 0.4, "naloxone_route": "im",
          "action_taken": "Naloxone IM, oxygen.", "outcome": "Roused within 3 minutes."})


def of(bundle, kind):
    return [e["resource"] for e in bundle.get("entry", []) if e["resource"]["resourceType"] == kind]


def body(t):
    rep = t.report
    s = {}
    for u in ("nurse.patel", "nurse.byrne", "kw.mensah", "audit.silva"):
        s[u], r = t.login(u, DEMO_PW[u])
        if not s[u]:
            raise TestFailure("%s cannot log in: %d %s" % (u, r.status, r.short()))
    scene(t, s)
    pids = [x[0] for x in t.query("SELECT id FROM patients ORDER BY id")]
    rep.check("the demo has people", len(pids) >= 10, str(pids))
    files = []
    for pid in pids:
        r = t.request("GET", "/api/v1/fhir/Patient/%d/$everything" % pid, session=s["nurse.patel"])
        if r.status != 200:
            rep.fail("Patient/%d/$everything" % pid, "%d %s" % (r.status, r.short()))
            continue
        b = r.json
        f = os.path.join(t.dir, "bundle-%d.json" % pid)
        with open(f, "w") as fh:
            json.dump(b, fh)
        files.append(f)
        kinds = [e["resource"]["resourceType"] for e in b.get("entry", [])]
        rep.eq("Patient/%d: a searchset Bundle whose total counts its entries" % pid,
               (b.get("resourceType"), b.get("type"), b.get("total")),
               ("Bundle", "searchset", len(kinds)))
        doses = t.scalar("SELECT count(*) FROM administrations WHERE patient_id = ?", (pid,))
        rxs = t.scalar("SELECT count(*) FROM prescriptions WHERE patient_id = ?", (pid,))
        eps = t.scalar("SELECT count(*) FROM episodes WHERE patient_id = ?", (pid,))
        rep.eq("Patient/%d: one Patient, an EpisodeOfCare per episode, a request per"
               " prescription, an administration per dose" % pid,
               (kinds.count("Patient"), kinds.count("EpisodeOfCare"),
                kinds.count("MedicationRequest"), kinds.count("MedicationAdministration")),
               (1, eps, rxs, doses))
        q = lambda sql: t.scalar(sql, (pid,))  # noqa: E731
        obs = (q("SELECT count(*) FROM assessments WHERE patient_id = ?")
               + q("SELECT count(*) FROM visit_events WHERE patient_id = ? AND kind = 'postdose_check'")
               + q("SELECT count(*) FROM drug_screens WHERE patient_id = ?"))
        flags = (q("SELECT count(*) FROM patients WHERE id = ? AND alerts <> ''")
                 + q("SELECT count(*) FROM adverse_events WHERE patient_id = ? AND blocks = 1"))
        rep.eq("Patient/%d: an Observation per assessment, check and screen, a response per"
               " form, its instruments' Questionnaires, a Goal per goal" % pid,
               (kinds.count("Observation"), kinds.count("QuestionnaireResponse"),
                kinds.count("Questionnaire"), kinds.count("Goal")),
               (obs, q("SELECT count(*) FROM outcome_forms WHERE patient_id = ?"),
                q("SELECT count(DISTINCT instrument_id) FROM outcome_forms WHERE patient_id = ?"),
                q("SELECT count(*) FROM goals WHERE patient_id = ?")))
        rep.check("Patient/%d: a Flag for the alerts and each blocking event (and the block"
                  " in force)" % pid, kinds.count("Flag") - flags in (0, 1),
                  "%d flags, %d alerts and events" % (kinds.count("Flag"), flags))
    node = shutil.which("node")
    if not node:
        rep.fail("the FHIR validator needs node", "install Node.js (scripts/deps.sh)")
    else:
        p = subprocess.run([node, os.path.join(HERE, "fhir_validate.mjs")] + files,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
        try:
            res = json.loads(p.stdout.decode() or "{}")
        except ValueError:
            res = {"errors": [p.stdout.decode()[:500] + p.stderr.decode()[:500]]}
        rep.check("every resource is valid under HL7's R4 definitions and schema (%d checked)"
                  % res.get("checked", 0), p.returncode == 0 and not res.get("errors")
                  and res.get("checked", 0) > len(files), json.dumps(res.get("errors"))[:3000])
        rep.eq("the validators saw every type hat exports",
               sorted(k for k in res.get("types", {}) if k != "Bundle"),
               ["EpisodeOfCare", "Flag", "Goal", "MedicationAdministration", "MedicationRequest",
                "Observation", "Patient", "Questionnaire", "QuestionnaireResponse"])

    with_nhs = t.scalar("SELECT min(id) FROM patients WHERE nhs_number IS NOT NULL")
    if with_nhs:
        r = t.request("GET", "/api/v1/fhir/Patient/%d/$everything" % with_nhs,
                      session=s["kw.mensah"])
        pat = [e["resource"] for e in r.json["entry"] if e["resource"]["resourceType"] == "Patient"][0]
        nhs = t.scalar("SELECT nhs_number FROM patients WHERE id = ?", (with_nhs,))
        rep.eq("the NHS number is the official identifier with its system",
               pat.get("identifier"), [{"use": "official", "system": "https://fhir.nhs.uk/Id/nhs-number",
                                        "value": nhs}])
    dosed = t.scalar("SELECT patient_id FROM administrations WHERE route = 'iv' LIMIT 1")
    r = t.request("GET", "/api/v1/fhir/Patient/%d/$everything" % dosed, session=s["nurse.patel"])
    ma = [e["resource"] for e in r.json["entry"]
          if e["resource"]["resourceType"] == "MedicationAdministration"]
    iv = [m for m in ma if m["dosage"].get("route", {}).get("coding", [{}])[0].get("code") == "47625008"]
    rep.check("an intravenous dose carries SNOMED CT 47625008 and a UCUM mg dose",
              iv and iv[0]["dosage"]["route"]["coding"][0]["system"] == "http://snomed.info/sct"
              and iv[0]["dosage"]["dose"]["code"] == "mg", json.dumps(ma[:1]))
    r = t.request("GET", "/api/v1/fhir/Patient/%d/$everything" % SHANNON, session=s["nurse.patel"])
    checks = [o for o in of(r.json, "Observation") if o["id"].startswith("postdose-")]
    last = checks[-1] if checks else {}
    codes = {c["code"]["coding"][0]["system"] + "|" + c["code"]["coding"][0]["code"]:
             c.get("valueQuantity", {}).get("value") for c in last.get("component", [])}
    rep.eq("the abnormal check: respiratory rate (LOINC 9279-1) and oxygen saturation"
           " (LOINC 59408-5) in UCUM, marked abnormal",
           (codes.get("http://loinc.org|9279-1"), codes.get("http://loinc.org|59408-5"),
            [c["unit"] for c in (x.get("valueQuantity") for x in last.get("component", [])) if c],
            last.get("interpretation", [{}])[0].get("coding", [{}])[0].get("code"),
            last.get("category", [{}])[0].get("coding", [{}])[0].get("code")),
           (9.0, 93.0, ["/min", "%"], "A", "vital-signs"))
    comps = {c["code"]["coding"][0]["code"]: c for c in last.get("component", [])}
    rep.eq("... with the pupils and breathing in words", (
        comps.get("pupils", {}).get("valueCodeableConcept", {}).get("text"),
        comps.get("breathing", {}).get("valueCodeableConcept", {}).get("text")), ("pinpoint", "slow"))
    screened = t.scalar("SELECT patient_id FROM drug_screens ORDER BY id LIMIT 1")
    r = t.request("GET", "/api/v1/fhir/Patient/%d/$everything" % screened, session=s["nurse.patel"])
    sc = [o for o in of(r.json, "Observation") if o["id"].startswith("screen-")]
    first = t.query("SELECT r.analyte, r.result FROM drug_screen_results r JOIN drug_screens d"
                    " ON d.id = r.screen_id WHERE d.patient_id = ? ORDER BY d.id, r.id LIMIT 1",
                    (screened,))[0]
    c0 = sc[0]["component"][0] if sc and sc[0].get("component") else {}
    rep.eq("a drug screen's first result: its analyte and the interpretation",
           (c0.get("code", {}).get("coding", [{}])[0].get("code"),
            (c0.get("interpretation") or [{"coding": [{}]}])[0]["coding"][0].get("code")),
           (first[0], {"positive": "POS", "negative": "NEG"}.get(first[1])))
    formed = t.scalar("SELECT patient_id FROM outcome_forms ORDER BY id LIMIT 1")
    r = t.request("GET", "/api/v1/fhir/Patient/%d/$everything" % formed, session=s["kw.mensah"])
    qs = {q["url"] + "|" + q["version"]: q for q in of(r.json, "Questionnaire")}
    qrs = of(r.json, "QuestionnaireResponse")
    rep.ok("each response names a Questionnaire in the Bundle, and answers only its items") \
        if qrs and all(x["questionnaire"] in qs and {i["linkId"] for i in x.get("item", [])}
                       <= {i["linkId"] for i in qs[x["questionnaire"]].get("item", [])}
                       for x in qrs) \
        else rep.fail("each response names a Questionnaire in the Bundle", json.dumps(qrs[:1])[:800])
    form = t.query("SELECT answers FROM outcome_forms WHERE patient_id = ? ORDER BY id LIMIT 1",
                   (formed,))[0][0]
    answers = json.loads(form)
    got = {i["linkId"]: list(i["answer"][0].values())[0] for i in qrs[0].get("item", [])} if qrs else {}
    want = {k: (v == "yes") if v in ("yes", "no") else v for k, v in answers.items()
            if k in got or not isinstance(v, str)}
    rep.eq("the first form's answers, yes/no as booleans", got, want)
    goals = t.query("SELECT g.id, (SELECT kind FROM goal_events e WHERE e.goal_id = g.id"
                    " ORDER BY e.at DESC, e.id DESC LIMIT 1) FROM goals g WHERE patient_id = ?",
                    (formed,))
    gl = {g["id"]: g["lifecycleStatus"] for g in of(r.json, "Goal")}
    rep.eq("each goal's status from its latest event", gl,
           {str(i): {"achieved": "completed", "let_go": "cancelled"}.get(k, "active")
            for i, k in goals})
    r = t.request("GET", "/api/v1/fhir/Patient/%d/$everything" % GARY, session=s["nurse.patel"])
    fl = {f["id"].split("-")[0]: f for f in of(r.json, "Flag")}
    rep.eq("the naloxone's Flag is active, and the review waited for is a Flag with its reason",
           (fl.get("ae", {}).get("status"), fl.get("block", {}).get("status"),
            fl.get("block", {}).get("code", {}).get("coding", [{}])[0].get("code"),
            "prescriber must review" in fl.get("block", {}).get("code", {}).get("text", "")),
           ("active", "active", "adverse_event", True))
    rx = of(r.json, "MedicationRequest")
    codings = [[(c["system"], c["code"]) for c in m["medicationCodeableConcept"]["coding"]]
               for m in rx]
    rep.eq("the medicine is SNOMED CT's diamorphine, its ATC code, then hat's own code",
           codings[0] if codings else None,
           [("http://snomed.info/sct", "387341002"), ("http://www.whocc.no/atc", "N07BC06"),
            ("urn:hat:fhir:medicine", "diamorphine")])
    ma = of(r.json, "MedicationAdministration")
    rep.eq("every administration names the same standard medicine",
           {m["medicationCodeableConcept"]["coding"][0]["code"] for m in ma} if ma else None,
           {"387341002"})
    before = t.scalar("SELECT count(*) FROM access_log WHERE what = 'fhir_everything' AND patient_id = ?",
                      (dosed,))
    t.request("GET", "/api/v1/fhir/Patient/%d/$everything" % dosed, session=s["nurse.patel"])
    rep.eq("each read is in the access log, naming the person",
           t.scalar("SELECT count(*) FROM access_log WHERE what = 'fhir_everything' AND patient_id = ?",
                    (dosed,)), before + 1)
    r = t.request("GET", "/api/v1/fhir/Patient/%d/$everything" % dosed, session=s["audit.silva"])
    rep.eq("an auditor may not read a person's record", (r.status, r.code), (403, "forbidden"))
    r = t.request("GET", "/api/v1/fhir/Patient/99999/$everything", session=s["nurse.patel"])
    rep.eq("an unknown person", (r.status, r.code), (404, "not_found"))

    # The whole clinic as NDJSON, one file per resource type.
    out = os.path.join(t.dir, "fhir-out")
    p = t.hatctl("export", "fhir", "--as", "kw.mensah", "--out", out)
    rep.check("a keyworker may not export the clinic", p.returncode == 1 and "forbidden" in p.err
              and not os.path.exists(out), p.err)
    p = t.hatctl("export", "fhir", "--as", "mgr.hughes")
    rep.eq("fhir needs --out", p.returncode, 2)
    p = t.hatctl("export", "fhir", "--as", "mgr.hughes", "--out", out)
    rep.check("hatctl export fhir writes the clinic", p.returncode == 0, p.err)
    names = sorted(os.listdir(out)) if os.path.isdir(out) else []
    rep.eq("one file per resource type", names,
           ["EpisodeOfCare.ndjson", "Flag.ndjson", "Goal.ndjson", "MedicationAdministration.ndjson",
            "MedicationRequest.ndjson", "Observation.ndjson", "Patient.ndjson",
            "Questionnaire.ndjson", "QuestionnaireResponse.ndjson"])

    def count(name):
        with open(os.path.join(out, name)) as fh:
            return sum(1 for line in fh if line.strip())
    if len(names) == 9:
        n = {x[:-len(".ndjson")]: count(x) for x in names}
        rep.eq("a line per person, episode, prescription, dose, reading, form, goal; each"
               " instrument answered once",
               (n["Patient"], n["EpisodeOfCare"], n["MedicationRequest"],
                n["MedicationAdministration"], n["Observation"], n["QuestionnaireResponse"],
                n["Questionnaire"], n["Goal"]),
               (t.scalar("SELECT count(*) FROM patients"), t.scalar("SELECT count(*) FROM episodes"),
                t.scalar("SELECT count(*) FROM prescriptions"),
                t.scalar("SELECT count(*) FROM administrations"),
                t.scalar("SELECT (SELECT count(*) FROM assessments) + (SELECT count(*) FROM"
                         " visit_events WHERE kind = 'postdose_check') + (SELECT count(*) FROM"
                         " drug_screens)"),
                t.scalar("SELECT count(*) FROM outcome_forms"),
                t.scalar("SELECT count(DISTINCT instrument_id) FROM outcome_forms"),
                t.scalar("SELECT count(*) FROM goals")))
        if node:
            p2 = subprocess.run([node, os.path.join(HERE, "fhir_validate.mjs")] +
                                [os.path.join(out, n) for n in names],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
            res = json.loads(p2.stdout.decode() or "{}")
            rep.check("every NDJSON line is valid under HL7's R4 definitions and schema (%d checked)"
                      % res.get("checked", 0), p2.returncode == 0 and not res.get("errors"),
                      json.dumps(res.get("errors"))[:3000])
    p = t.hatctl("export", "fhir", "--as", "mgr.hughes", "--out", out)
    rep.check("an existing directory is never overwritten", p.returncode == 1, p.err)
    rep.eq("the clinic's export is in the access log once (the refusals read nothing)",
           t.scalar("SELECT count(*) FROM access_log WHERE what = 'fhir_export'"), 1)


if __name__ == "__main__":
    sys.exit(main("test_fhir", body))
