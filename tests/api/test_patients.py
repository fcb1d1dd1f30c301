"""test_patients.py: patients, the access log, episodes, and idempotent replay.

Run by ctest as: python3 test_patients.py --hatd PATH --hatctl PATH
"""
import json
import sys
import threading

from harness import (ABSENT, DEMO_PW, NHS_BAD_CHECK, NHS_VALID, NHS_VALID_GROUPED, Ref, db_is, do,
                     login, main, run_steps, step)

NURSE, NURSE_PW = "nurse.patel", DEMO_PW["nurse.patel"]
NURSE2, NURSE2_PW = "nurse.byrne", DEMO_PW["nurse.byrne"]
AUDITOR, AUDITOR_PW = "audit.silva", DEMO_PW["audit.silva"]
P = "/api/v1/patients"


def person(family, **over):
    p = {"given_name": "Alex", "family_name": family, "birth_date": "1984-05-06",
         "sex": "other", "premises_id": 1}
    p.update(over)
    return p


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def patients(t):
    run_steps(t, [
        login("nurse logs in", "nurse", NURSE, NURSE_PW),
        login("second nurse logs in", "nurse2", NURSE2, NURSE2_PW),
        login("auditor logs in", "auditor", AUDITOR, AUDITOR_PW),
        step("an NHS number with a wrong check digit is refused", "POST", P,
             person("Nhsbad", nhs_number=NHS_BAD_CHECK), as_="nurse", status=400,
             code="invalid_nhs_number", expect={"error.field": "nhs_number"}),
        step("an NHS number of 9 digits is refused", "POST", P,
             person("Nhsbad", nhs_number="943476591"), as_="nurse", status=400,
             code="invalid_nhs_number"),
        step("an NHS number grouped oddly is refused", "POST", P,
             person("Nhsbad", nhs_number="9434 765 919"), as_="nurse", status=400,
             code="invalid_nhs_number"),
        db_is("the refused patients are not in the database",
              "SELECT count(*) FROM patients WHERE family_name = 'Nhsbad'", [], 0),
        step("a patient with a grouped NHS number is added", "POST", P,
             person("Rivers", nhs_number=NHS_VALID_GROUPED, alerts="",
                    address="2 Quay Street", contact="07700 900123"),
             as_="nurse", status=201,
             expect={"nhs_number": NHS_VALID, "version": 1, "episodes": [],
                     "family_name": "Rivers", "birth_date": "1984-05-06", "id": is_int},
             save={"pid": "id"}),
        db_is("the NHS number is stored as ten digits",
              "SELECT nhs_number FROM patients WHERE id = ?", [Ref("pid")], NHS_VALID),
        db_is("the creation is audited once, by the nurse",
              "SELECT count(*), min(actor_id) FROM audit_events"
              " WHERE action = 'patient.create' AND entity_id = ?", [Ref("pid")],
              [(1, Ref("nurse_id"))]),
        step("the same NHS number in its dashed form is a second patient: refused", "POST", P,
             person("Twin", nhs_number="943-476-5919"), as_="nurse", status=409,
             code="conflict", expect={"error.field": "nhs_number"}),
        step("a date of birth in the future is refused", "POST", P,
             person("Future", birth_date=t.day(1)), as_="nurse", status=422,
             code="date_order", expect={"error.field": "birth_date"}),
        step("unknown premises are refused", "POST", P, person("Nowhere", premises_id=999),
             as_="nurse", status=422, code="unknown_premises"),
        db_is("nothing of the refusals was written",
              "SELECT count(*) FROM patients WHERE family_name IN ('Twin', 'Future', 'Nowhere')",
              [], 0),
    ])
    reads_before = t.scalar("SELECT count(*) FROM access_log")
    t.vars["npatients"] = t.scalar("SELECT count(*) FROM patients")
    run_steps(t, [
        step("the nurse reads the record, giving a reason", "GET", P + "/{pid}?reason=review",
             as_="nurse", status=200,
             expect={"id": Ref("pid"), "nhs_number": NHS_VALID, "address": "2 Quay Street",
                     "contact": "07700 900123", "premises_id": 1}),
        db_is("the read is in the access log",
              "SELECT user_id, patient_id, what, why FROM access_log ORDER BY id DESC LIMIT 1",
              [], [(Ref("nurse_id"), Ref("pid"), "patient_record", "review")]),
        step("the nurse searches by name", "GET", P + "?q=Rivers", as_="nurse", status=200,
             expect={"patients": lambda ps: [p["id"] for p in ps] == [t.vars["pid"]],
                     "limit": 50, "offset": 0}),
        step("and by NHS number", "GET", P + "?q=" + NHS_VALID, as_="nurse", status=200,
             expect={"patients.0.id": Ref("pid")}),
        step("a search for a wildcard matches only the wildcard", "GET", P + "?q=%25",
             as_="nurse", status=200, expect={"patients": []}),
        step("the full list is paged", "GET", P + "?limit=5&offset=0", as_="nurse",
             status=200, expect={"patients": lambda ps: len(ps) == 5, "limit": 5}),
        step("the last page holds what is left", "GET",
             P + "?limit=5&offset=%d" % (t.vars["npatients"] - 3), as_="nurse",
             status=200, expect={"patients": lambda ps: len(ps) == 3,
                                 "offset": t.vars["npatients"] - 3}),
        db_is("each list is in the access log, with no patient named",
              "SELECT count(*) FROM access_log WHERE what = 'patient_list'"
              " AND patient_id IS NULL AND user_id = ?", [Ref("nurse_id")], 5),
        db_is("six reads, six access-log entries", "SELECT count(*) FROM access_log", [],
              reads_before + 6),
        step("a reason past 200 characters is refused, naming the query parameter", "GET",
             P + "/{pid}?reason=" + "r" * 201, as_="nurse", status=400,
             code="invalid_query", expect={"error.field": "reason", "id": ABSENT}),
        step("a missing patient is 404 and is not logged", "GET", P + "/999999", as_="nurse",
             status=404, code="not_found"),
        db_is("still six", "SELECT count(*) FROM access_log", [], reads_before + 6),
        step("the auditor sees the reads", "GET", "/api/v1/access-log?limit=500",
             as_="auditor", status=200,
             check=lambda r, t: None if any(
                 e["patient_id"] == t.vars["pid"] and e["username"] == NURSE
                 and e["what"] == "patient_record" and e["why"] == "review"
                 for e in r.json["access_log"]) else "the record read is not listed"),
        step("the access log pages with after=", "GET",
             "/api/v1/access-log?after=%d&limit=2" % reads_before, as_="auditor", status=200,
             expect={"access_log": lambda es: len(es) == 2
                     and es[0]["id"] == reads_before + 1}),
    ])
    run_steps(t, [
        step("the nurse updates the alerts", "PATCH", P + "/{pid}",
             {"version": 1, "alerts": "Penicillin allergy"}, as_="nurse", status=200,
             expect={"version": 2, "alerts": "Penicillin allergy", "family_name": "Rivers",
                     "nhs_number": NHS_VALID, "address": "2 Quay Street"}),
        step("a second update from the old version is stale", "PATCH", P + "/{pid}",
             {"version": 1, "alerts": "Nothing"}, as_="nurse2", status=409,
             code="stale_version", expect={"error.field": "version"}),
        db_is("the stale update changed nothing",
              "SELECT alerts, version FROM patients WHERE id = ?", [Ref("pid")],
              [("Penicillin allergy", 2)]),
        step("an update from a future version is stale too", "PATCH", P + "/{pid}",
             {"version": 3, "alerts": "Nothing"}, as_="nurse2", status=409,
             code="stale_version"),
        step("an update needs the version", "PATCH", P + "/{pid}", {"alerts": "Nothing"},
             as_="nurse2", status=400, code="missing_field", expect={"error.field": "version"}),
        step("an update to unknown premises is refused", "PATCH", P + "/{pid}",
             {"version": 2, "premises_id": 999}, as_="nurse2", status=422,
             code="unknown_premises"),
        step("an update of a missing patient is 404", "PATCH", P + "/999999",
             {"version": 1, "alerts": "x"}, as_="nurse2", status=404, code="not_found"),
        step("the NHS number can be cleared", "PATCH", P + "/{pid}",
             {"version": 2, "nhs_number": None}, as_="nurse2", status=200,
             expect={"version": 3, "nhs_number": None, "alerts": "Penicillin allergy"}),
        step("and set again, grouped", "PATCH", P + "/{pid}",
             {"version": 3, "nhs_number": NHS_VALID_GROUPED, "birth_date": "1984-05-07"},
             as_="nurse2", status=200,
             expect={"version": 4, "nhs_number": NHS_VALID, "birth_date": "1984-05-07"}),
        do("each update is audited with its before and after", lambda t: update_audit(t)),
    ])


def update_audit(t):
    rows = t.query("SELECT detail FROM audit_events WHERE action = 'patient.update'"
                   " AND entity_id = ? ORDER BY seq", (t.vars["pid"],))
    if len(rows) != 3:
        return "%d patient.update events, want 3" % len(rows)
    d = json.loads(rows[0][0])
    if d["before"]["alerts"] != "" or d["after"]["alerts"] != "Penicillin allergy":
        return "the first update's detail is %r" % d
    if d["before"]["version"] != 1 or d["after"]["version"] != 2:
        return "the first update's versions are wrong: %r" % d
    return None


def episodes(t):
    E = "/api/v1/episodes/{eid}"
    run_steps(t, [
        step("the discharge reasons are listed", "GET", "/api/v1/discharge-reasons",
             as_="nurse", status=200,
             expect={"discharge_reasons": lambda rs: len(rs) >= 5 and all(
                 "code" in r and "label" in r for r in rs)},
             save={"reason": "discharge_reasons.0.code"}),
        step("an episode opens on referral", "POST", P + "/{pid}/episodes",
             {"referral_date": t.day(-30)}, as_="nurse", status=201,
             expect={"status": "referred", "referral_date": t.day(-30), "start_date": None,
                     "patient_id": Ref("pid"), "version": 1},
             save={"eid": "id"}),
        step("a second open episode is refused", "POST", P + "/{pid}/episodes",
             {"referral_date": t.day(-2)}, as_="nurse", status=409,
             code="episode_already_open"),
        db_is("there is one episode", "SELECT count(*) FROM episodes WHERE patient_id = ?",
              [Ref("pid")], 1),
        step("an episode for a missing patient is 404", "POST", P + "/999999/episodes",
             {"referral_date": t.day(-2)}, as_="nurse", status=404, code="not_found"),
        step("an open episode blocks a new one whatever its dates", "POST",
             P + "/{pid}/episodes", {"referral_date": t.day(3)}, as_="nurse", status=409,
             code="episode_already_open"),
        step("treatment cannot start before the referral", "PATCH", E,
             {"version": 1, "start_date": t.day(-31)}, as_="nurse", status=422,
             code="date_order", expect={"error.field": "start_date"}),
        step("treatment starts", "PATCH", E, {"version": 1, "start_date": t.day(-20)},
             as_="nurse", status=200,
             expect={"status": "active", "start_date": t.day(-20), "version": 2}),
        step("a stale episode update is refused", "PATCH", E,
             {"version": 1, "start_date": t.day(-19)}, as_="nurse", status=409,
             code="stale_version"),
        step("a discharge before the start is refused", "PATCH", E,
             {"version": 2, "discharge_date": t.day(-21), "discharge_reason": Ref("reason")},
             as_="nurse", status=422, code="date_order",
             expect={"error.field": "discharge_date"}),
        step("a discharge in the future is refused", "PATCH", E,
             {"version": 2, "discharge_date": t.day(1), "discharge_reason": Ref("reason")},
             as_="nurse", status=422, code="date_order"),
        step("a reason not on the list is refused", "PATCH", E,
             {"version": 2, "discharge_date": t.day(-1), "discharge_reason": "got_bored"},
             as_="nurse", status=422, code="unknown_discharge_reason",
             expect={"error.field": "discharge_reason"}),
        step("a discharge date needs a reason", "PATCH", E,
             {"version": 2, "discharge_date": t.day(-1)}, as_="nurse", status=400,
             code="missing_field", expect={"error.field": "discharge_reason"}),
        db_is("the refusals left the episode active",
              "SELECT status, version, discharge_date FROM episodes WHERE id = ?", [Ref("eid")],
              [("active", 2, None)]),
        step("the patient is discharged", "PATCH", E,
             {"version": 2, "discharge_date": t.day(-1), "discharge_reason": Ref("reason")},
             as_="nurse", status=200,
             expect={"status": "discharged", "discharge_date": t.day(-1),
                     "discharge_reason": Ref("reason"), "version": 3}),
        step("a discharged episode cannot change", "PATCH", E,
             {"version": 3, "start_date": t.day(-10)}, as_="nurse", status=409,
             code="episode_closed"),
        step("a referral in the future is refused", "POST", P + "/{pid}/episodes",
             {"referral_date": t.day(3)}, as_="nurse", status=422, code="date_order"),
        step("a start before the referral is refused at opening", "POST",
             P + "/{pid}/episodes", {"referral_date": t.day(-2), "start_date": t.day(-3)},
             as_="nurse", status=422, code="date_order"),
        step("a new episode opens after the discharge, started at once", "POST",
             P + "/{pid}/episodes", {"referral_date": t.day(0), "start_date": t.day(0)},
             as_="nurse", status=201, expect={"status": "active"}, save={"eid2": "id"}),
        step("the record lists both episodes, newest first", "GET", P + "/{pid}", as_="nurse",
             status=200,
             expect={"episodes": lambda es: [e["id"] for e in es]
                     == [t.vars["eid2"], t.vars["eid"]],
                     "episodes.1.status": "discharged"}),
        db_is("the episode changes are audited",
              "SELECT count(*) FROM audit_events WHERE entity = 'episode' AND entity_id IN (?, ?)",
              [Ref("eid"), Ref("eid2")], 4),
    ])


def idempotency(t):
    key = {"Idempotency-Key": "create-rivers-2"}
    body = person("Idempotent")
    first = {}

    def same_as_first(r, t):
        if not first:
            first["json"] = r.json
            return None
        return None if r.json == first["json"] else "the replay answered %r, first %r" % (
            r.json, first["json"])

    run_steps(t, [
        step("a create with an Idempotency-Key", "POST", P, body, as_="nurse", headers=key,
             status=201, save={"ipid": "id"}, check=same_as_first),
        step("the same request again gets the same answer", "POST", P, body, as_="nurse",
             headers=key, status=201, check=same_as_first),
        step("and a third time", "POST", P, body, as_="nurse", headers=key, status=201,
             expect={"id": Ref("ipid")}),
        db_is("the patient was recorded once",
              "SELECT count(*) FROM patients WHERE family_name = 'Idempotent'", [], 1),
        db_is("and audited once",
              "SELECT count(*) FROM audit_events WHERE action = 'patient.create'"
              " AND entity_id = ?", [Ref("ipid")], 1),
        step("a different body under the same key is refused", "POST", P,
             dict(body, given_name="Other"), as_="nurse", headers=key, status=409,
             code="idempotency_key_reused"),
        db_is("still one", "SELECT count(*) FROM patients WHERE family_name = 'Idempotent'",
              [], 1),
        step("another person's key is their own", "POST", P, body, as_="nurse2", headers=key,
             status=201, expect={"id": lambda v: v != t.vars["ipid"]}),
        db_is("so now two", "SELECT count(*) FROM patients WHERE family_name = 'Idempotent'",
              [], 2),
        step("a refused request does not use up its key", "POST", P,
             person("Keyreuse", premises_id=999), as_="nurse",
             headers={"Idempotency-Key": "retry-after-fix"}, status=422,
             code="unknown_premises"),
        step("the corrected request under that key succeeds", "POST", P, person("Keyreuse"),
             as_="nurse", headers={"Idempotency-Key": "retry-after-fix"}, status=201),
        step("an update with a key", "PATCH", P + "/{ipid}", {"version": 1, "alerts": "A"},
             as_="nurse", headers={"Idempotency-Key": "upd-1"}, status=200,
             expect={"version": 2}),
        step("the update replayed answers the same and changes nothing", "PATCH",
             P + "/{ipid}", {"version": 1, "alerts": "A"}, as_="nurse",
             headers={"Idempotency-Key": "upd-1"}, status=200, expect={"version": 2}),
        db_is("the update happened once", "SELECT version FROM patients WHERE id = ?",
              [Ref("ipid")], 2),
        step("the same body to another patient under the key is refused", "PATCH",
             P + "/{pid}", {"version": 1, "alerts": "A"}, as_="nurse",
             headers={"Idempotency-Key": "upd-1"}, status=409, code="idempotency_key_reused"),
        do("eight stations replaying one key at once record one patient",
           lambda t: concurrent_replay(t)),
    ])


def concurrent_replay(t):
    body = person("Racer")
    results = []
    lock = threading.Lock()

    def go():
        try:
            r = t.request("POST", P, body, {"Idempotency-Key": "race-1"},
                          t.sessions["nurse"])
            with lock:
                results.append((r.status, r.json))
        except Exception as e:  # reported below
            with lock:
                results.append((0, repr(e)))

    threads = [threading.Thread(target=go) for _ in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(20)
    if len(results) != 8:
        return "%d of 8 requests finished" % len(results)
    statuses = sorted(r[0] for r in results)
    if statuses != [201] * 8:
        return "statuses %r" % statuses
    if len({json.dumps(r[1], sort_keys=True) for r in results}) != 1:
        return "the answers differ: %r" % results
    n = t.scalar("SELECT count(*) FROM patients WHERE family_name = 'Racer'")
    return None if n == 1 else "%d patients recorded, want 1" % n


def body(t):
    patients(t)
    episodes(t)
    idempotency(t)


if __name__ == "__main__":
    sys.exit(main("test_patients", body))
