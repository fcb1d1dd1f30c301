"""test_register_drugs.py: the register's other pages: hydromorphone and
injectable methadone have pages of their own (solution for injection), a
hydromorphone dose takes its ampoules from them, and strengths a drug does
not come in are refused.

Run by ctest as: python3 test_register_drugs.py --hatd PATH --hatctl PATH
"""
import sys

from harness import (ADMIN, ADMIN_PW, DEMO_PW, Ref, clock, db_is, do, login, main, run_steps,
                     step)

# A manager confirms clinical roles and licences (separation of duties).
CONFIRM = {"username": "mgr.hughes", "password": "demo-manager-pass"}

PHARM, NURSE, NURSE2, DR = "pharm.lindqvist", "nurse.patel", "nurse.byrne", "dr.okafor"


def receipt(label, drug, mg, form, qty, status=201, code=None, **kw):
    return step(label, "POST", "/api/v1/register/receipts",
                {"premises_id": 1, "supplier_id": Ref("supplier"), "drug": drug,
                 "strength_mg": mg, "form": form, "quantity": qty, "batch": "B-%s-%s" % (drug, mg),
                 "expiry_date": "2028-12-31", "invoice_ref": "INV-1",
                 "witness": {"username": NURSE, "password": DEMO_PW[NURSE]}},
                as_="pharm", status=status, code=code, **kw)


def body(t):
    run_steps(t, [
        clock("a Monday morning in a window", now="2026-12-07T09:00:00Z"),
        login("admin logs in", "admin", ADMIN, ADMIN_PW),
        login("the pharmacist logs in", "pharm", PHARM, DEMO_PW[PHARM]),
        login("the prescriber logs in", "dr", DR, DEMO_PW[DR]),
        login("the nurse logs in", "nurse", NURSE, DEMO_PW[NURSE]),
        login("the witness logs in", "nurse2", NURSE2, DEMO_PW[NURSE2]),
        step("the prescriber's id", "GET", "/api/v1/users", as_="admin", status=200,
             save={"dr_id": lambda r: [u["id"] for u in r.json["users"]
                                       if u["username"] == DR][0]}),
        step("a licence for these premises", "POST", "/api/v1/users/{dr_id}/licences",
             {"licence_number": "HO-T-1", "premises_id": 1, "expires_on": "2027-12-31",
              "confirmer": CONFIRM},
             as_="admin", status=201),
        step("a supplier", "POST", "/api/v1/suppliers",
             {"name": "Wholesale Ltd", "address": "2 Depot Road"}, as_="pharm", status=201,
             save={"supplier": "id"}),
        receipt("hydromorphone 50 mg solution opens its page", "hydromorphone", 50,
                "solution_for_injection", 4, expect={"kind": "opening", "balance_after": 4}),
        receipt("hydromorphone 10 mg solution opens its page", "hydromorphone", 10,
                "solution_for_injection", 6, expect={"kind": "opening", "balance_after": 6}),
        receipt("injectable methadone 50 mg opens its page", "methadone", 50,
                "solution_for_injection", 3, expect={"kind": "opening"}),
        receipt("diamorphine 500 mg powder opens its page", "diamorphine", 500,
                "powder_for_injection", 2, expect={"kind": "opening"}),
        receipt("hydromorphone does not come in 30 mg ampoules", "hydromorphone", 30,
                "solution_for_injection", 1, status=400, code="invalid_value"),
        receipt("diamorphine does not come as a 250 mg ampoule", "diamorphine", 250,
                "powder_for_injection", 1, status=400, code="invalid_value"),
        step("each page is headed with its class, drug, strength and form", "GET",
             "/api/v1/register/pages", as_="pharm", status=200,
             expect={"pages": lambda ps: sorted(p["heading"] for p in ps) == sorted([
                 "Schedule 2 controlled drug: diamorphine hydrochloride 500 mg powder for"
                 " solution for injection",
                 "Schedule 2 controlled drug: hydromorphone hydrochloride 10 mg solution for"
                 " injection",
                 "Schedule 2 controlled drug: hydromorphone hydrochloride 50 mg solution for"
                 " injection",
                 "Schedule 2 controlled drug: methadone hydrochloride 50 mg solution for"
                 " injection"])}),
        step("a patient", "POST", "/api/v1/patients",
             {"given_name": "Hydro", "family_name": "Morphone", "birth_date": "1981-02-03",
              "sex": "male", "premises_id": 1, "address": "3 Canal Street, Testtown"},
             as_="nurse", status=201, save={"pid": "id"}),
        step("in treatment", "POST", "/api/v1/patients/{pid}/episodes",
             {"referral_date": "2026-12-01", "start_date": "2026-12-07"}, as_="nurse",
             status=201),
        step("a hydromorphone prescription", "POST", "/api/v1/patients/{pid}/prescriptions",
             {"drug": "hydromorphone", "routes": ["iv"], "session_dose_mg": 100,
              "sessions_per_day": 2, "daily_max_mg": 200, "start_date": "2026-12-07"},
             as_="dr", status=201),
        step("check in", "POST", "/api/v1/patients/{pid}/check-in", {}, as_="nurse", status=201),
        step("assessed fit", "POST", "/api/v1/patients/{pid}/assessments",
             {"sedation_level": 0, "breath_alcohol_ug": 0, "decision": "fit"}, as_="nurse",
             status=201),
        step("70 mg of hydromorphone: one 50 and two 10 mg ampoules, nothing wasted", "POST",
             "/api/v1/patients/{pid}/administrations",
             {"amount_mg": 70, "route": "iv", "site": "arm_left", "identity_confirmed": True,
              "witness": {"username": NURSE2, "password": DEMO_PW[NURSE2]}},
             as_="nurse", status=201,
             expect={"detail.register_entries": lambda es: sorted(
                 (e["strength_ug"], e["ampoules"], e["wasted_ug"]) for e in es) ==
                 [(10000, 2, 0), (50000, 1, 0)]}),
        db_is("the diamorphine and methadone pages are untouched",
              "SELECT group_concat(balance_after) FROM (SELECT e.balance_after FROM"
              " register_entries e JOIN register_pages p ON p.id = e.page_id"
              " WHERE p.drug IN ('diamorphine', 'methadone') ORDER BY e.id)", [], "3,2"),
        db_is("the hydromorphone pages fell by whole ampoules",
              "SELECT group_concat(b) FROM (SELECT p.strength_ug || ':' || (SELECT balance_after"
              " FROM register_entries x WHERE x.page_id = p.id ORDER BY x.seq DESC LIMIT 1) AS b"
              " FROM register_pages p WHERE p.drug = 'hydromorphone' ORDER BY p.strength_ug)",
              [], "10000:4,50000:3"),
        do("hatctl verify passes", lambda t: None if t.hatctl("verify").returncode == 0
           else "verify failed"),
    ])


if __name__ == "__main__":
    sys.exit(main("test_register_drugs", body, demo="staff"))
