"""test_fhir.py: Patient/$everything over the demo clinic: every person's
Bundle and every resource in it checked against HL7's FHIR R4 JSON schema
(tests/api/fhir_validate.mjs; the suite fails on any error); the NHS number
as the official identifier; a MedicationAdministration per dose with its
SNOMED CT route; who may read it and the access log.

This covers the part of the FHIR export that is built (Patient,
EpisodeOfCare, MedicationRequest, MedicationAdministration).  The schema is
structural: HL7's full validator (invariants, terminology) is not run.

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


def body(t):
    rep = t.report
    s = {}
    for u in ("nurse.patel", "kw.mensah", "audit.silva"):
        s[u], r = t.login(u, DEMO_PW[u])
        if not s[u]:
            raise TestFailure("%s cannot log in: %d %s" % (u, r.status, r.short()))
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
        doses = t.scalar("SELECT count(*) FROM administrations WHERE patient_id = ?", (pid,))
        rxs = t.scalar("SELECT count(*) FROM prescriptions WHERE patient_id = ?", (pid,))
        eps = t.scalar("SELECT count(*) FROM episodes WHERE patient_id = ?", (pid,))
        rep.eq("Patient/%d: one Patient, an EpisodeOfCare per episode, a request per"
               " prescription, an administration per dose" % pid,
               (kinds.count("Patient"), kinds.count("EpisodeOfCare"),
                kinds.count("MedicationRequest"), kinds.count("MedicationAdministration")),
               (1, eps, rxs, doses))
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
        rep.check("every resource is valid under the FHIR R4 schema (%d checked)"
                  % res.get("checked", 0), p.returncode == 0 and not res.get("errors")
                  and res.get("checked", 0) > len(files), json.dumps(res.get("errors"))[:3000])

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
           ["EpisodeOfCare.ndjson", "MedicationAdministration.ndjson", "MedicationRequest.ndjson",
            "Patient.ndjson"])

    def count(name):
        with open(os.path.join(out, name)) as fh:
            return sum(1 for line in fh if line.strip())
    if len(names) == 4:
        rep.eq("a line per person, episode, prescription and dose",
               tuple(count(n) for n in names),
               (t.scalar("SELECT count(*) FROM episodes"), t.scalar("SELECT count(*) FROM administrations"),
                t.scalar("SELECT count(*) FROM prescriptions"), t.scalar("SELECT count(*) FROM patients")))
        if node:
            p2 = subprocess.run([node, os.path.join(HERE, "fhir_validate.mjs")] +
                                [os.path.join(out, n) for n in names],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
            res = json.loads(p2.stdout.decode() or "{}")
            rep.check("every NDJSON line is valid under the FHIR R4 schema (%d checked)"
                      % res.get("checked", 0), p2.returncode == 0 and not res.get("errors"),
                      json.dumps(res.get("errors"))[:3000])
    p = t.hatctl("export", "fhir", "--as", "mgr.hughes", "--out", out)
    rep.check("an existing directory is never overwritten", p.returncode == 1, p.err)
    rep.eq("the clinic's export is in the access log once (the refusals read nothing)",
           t.scalar("SELECT count(*) FROM access_log WHERE what = 'fhir_export'"), 1)


if __name__ == "__main__":
    sys.exit(main("test_fhir", body))
