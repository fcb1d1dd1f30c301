"""test_premises_roles.py: one provider, two premises, and staff whose roles
are held at one of them only.

Run by ctest as: python3 test_premises_roles.py --hatd PATH --hatctl PATH

The demo clinic is premises A (its staff hold their roles globally, at every
premises); the administrator adds premises B.  New staff are given roles at
one premises (confirmed by a manager, as a global clinical role is):

- a nurse at A only checks in, assesses and doses an A patient, reads A's
  board and register, and is refused at B (403 not_at_premises, nothing
  written); the demo's global nurse doses at both;
- a pharmacist at A only receives stock at A and is refused at B, and a
  nurse at A only may witness a dose at A but not at B;
- a prescriber at A only, licensed at A, signs for an A patient, cannot sign
  for a B one, and cannot be given a licence at B; the demo's global
  prescriber, licensed at A only, cannot sign for a B patient until licensed
  there;
- the provider-wide attendance and evaluation report (premises_id=all) add
  up to the two premises' own, for counts that add; a manager at B only
  reads B's report and is refused the provider's (not_provider_wide) and A's;
- grants and revocations are audit events, bad input is refused with a
  stable code and writes nothing, and `hatctl verify` passes at the end.
"""
import json
import sys

sys.dont_write_bytecode = True  # importing test_dosing_rules leaves no __pycache__

from harness import TestFailure, main  # noqa: E402
from test_dosing_rules import CONFIRM, Desk, day, dig  # noqa: E402

PW = "a-long-enough-pass-1"


class PDesk(Desk):
    def user(self, name, username, grants):
        """A new account given grants [(premises, role)], then left with no
        global role, and logged in as name."""
        r = self.call("admin adds %s (a keyworker, for now)" % username, "admin", "POST",
                      "/api/v1/users", {"username": username, "display_name": username.title(),
                                        "password": PW, "roles": ["keyworker"]}, status=201)
        uid = r.json["id"]
        for premises, role in grants:
            self.call("admin gives %s the %s role at premises %d" % (username, role, premises),
                      "admin", "POST", "/api/v1/users/%d/premises-roles" % uid,
                      {"premises_id": premises, "role": role, "confirmer": CONFIRM}, status=200,
                      expect={"premises_roles": lambda v, p=premises, ro=role: any(
                          g["premises_id"] == p and g["role"] == ro for g in v or [])})
        self.call("admin leaves %s no global role" % username, "admin", "PATCH",
                  "/api/v1/users/%d" % uid, {"roles": []}, status=200,
                  expect={"roles": []})
        self.users[name] = (username, PW)
        sess, r = self.t.login(username, PW)
        if sess is None:
            raise TestFailure("%s cannot log in: %d %s" % (username, r.status, r.short()))
        self.s[name] = sess
        return uid

    def writes(self):
        return (self.scalar("SELECT count(*) FROM administrations"),
                self.scalar("SELECT count(*) FROM visit_events"),
                self.scalar("SELECT count(*) FROM assessments"),
                self.scalar("SELECT count(*) FROM register_entries"),
                self.scalar("SELECT count(*) FROM prescriptions"),
                self.scalar("SELECT count(*) FROM prescriber_licences"),
                self.scalar("SELECT count(*) FROM user_premises_roles"),
                self.scalar("SELECT count(*) FROM audit_events"))

    def refused(self, label, who, method, path, body, status, code):
        before = self.writes()
        r = self.call(label, who, method, path, body, status=status, code=code)
        self.eq(label + " (nothing written)", self.writes(), before)
        return r

    def get(self, label, who, path, status=200, code=None, expect=None):
        return self.call(label, who, "GET", path, status=status, code=code, expect=expect)


def setup(d):
    d.start()
    d.stock()
    d.call("admin renews dr.okafor's licence at A for the test years", "admin", "POST",
           "/api/v1/users/%d/licences" % d.s["dr"].user_id,
           {"licence_number": "HO-DIA-2028-0001", "premises_id": 1,
            "expires_on": day(500).isoformat(), "confirmer": CONFIRM}, status=201)
    r = d.call("the administrator adds premises B", "admin", "POST", "/api/v1/premises",
               {"name": "North Site", "address": "2 North Road, Testtown"}, status=201)
    b = dig(r.json, "premises.id") or dig(r.json, "id")
    sid = d.scalar("SELECT max(id) FROM suppliers")
    for mg in (100, 30, 10):
        d.call("the (global) pharmacist receives %d mg ampoules at B" % mg, "pharm", "POST",
               "/api/v1/register/receipts",
               {"premises_id": b, "supplier_id": sid, "drug": "diamorphine", "strength_mg": mg,
                "form": "powder_for_injection", "quantity": 40, "batch": "B%d" % mg,
                "expiry_date": day(600).isoformat(), "invoice_ref": "INV-B%d" % mg,
                "witness": d.witness("nurse2")}, status=201)
    return b, sid


def patient_at(d, family, premises):
    d.serial += 1
    r = d.call("add patient %s at premises %d" % (family, premises), "nurse", "POST",
               "/api/v1/patients",
               {"given_name": "Test%d" % d.serial, "family_name": family,
                "birth_date": "1980-01-01", "sex": "other", "premises_id": premises,
                "address": "%d Test Street, Testtown" % d.serial}, status=201)
    pid = r.json["id"]
    d.call("open %s's episode" % family, "nurse", "POST", "/api/v1/patients/%d/episodes" % pid,
           {"referral_date": day(d.now_day).isoformat(),
            "start_date": day(d.now_day).isoformat()}, status=201)
    return pid


def grants_and_bad_input(d, b):
    """Bad input gets a stable code and writes nothing."""
    nid = d.scalar("SELECT id FROM users WHERE username = 'nurse.a'")
    admin_id = d.s["admin"].user_id
    path = "/api/v1/users/%d/premises-roles" % nid
    d.refused("a grant at unknown premises", "admin", "POST", path,
              {"premises_id": 999, "role": "nurse", "confirmer": CONFIRM}, 422, "unknown_premises")
    d.refused("a grant of an unknown role", "admin", "POST", path,
              {"premises_id": b, "role": "wizard", "confirmer": CONFIRM}, 422, "unknown_role")
    d.refused("administrator is never a role at one premises", "admin", "POST", path,
              {"premises_id": b, "role": "admin", "confirmer": CONFIRM}, 422,
              "role_not_per_premises")
    d.refused("nor is auditor", "admin", "POST", path,
              {"premises_id": b, "role": "auditor"}, 422, "role_not_per_premises")
    d.refused("a clinical role at one premises needs a confirmer", "admin", "POST", path,
              {"premises_id": b, "role": "nurse"}, 422, "confirmation_required")
    d.refused("a role already held there is a conflict", "admin", "POST", path,
              {"premises_id": 1, "role": "nurse", "confirmer": CONFIRM}, 409, "role_already_held")
    d.refused("so is one held globally", "admin", "POST",
              "/api/v1/users/%d/premises-roles" % d.s["nurse"].user_id,
              {"premises_id": b, "role": "nurse", "confirmer": CONFIRM}, 409, "role_already_held")
    d.refused("a grant to no one", "admin", "POST", "/api/v1/users/99999/premises-roles",
              {"premises_id": b, "role": "keyworker"}, 404, "not_found")
    d.refused("a grant without a premises", "admin", "POST", path, {"role": "keyworker"}, 400,
              "missing_field")
    d.refused("the administrator cannot give herself prescribing at one premises", "admin",
              "POST", "/api/v1/users/%d/premises-roles" % admin_id,
              {"premises_id": b, "role": "prescriber", "confirmer": CONFIRM}, 403, "self_grant")
    d.refused("nor even a keyworker's role", "admin", "POST",
              "/api/v1/users/%d/premises-roles" % admin_id,
              {"premises_id": b, "role": "keyworker"}, 403, "self_grant")
    d.refused("a nurse cannot give roles", "nurse", "POST", path,
              {"premises_id": b, "role": "keyworker"}, 403, "forbidden")
    r = d.call("admin adds an account to disable", "admin", "POST", "/api/v1/users",
               {"username": "gone.soon", "display_name": "Gone Soon", "password": PW,
                "roles": ["keyworker"]}, status=201)
    gone = r.json["id"]
    d.call("and disables it", "admin", "PATCH", "/api/v1/users/%d" % gone, {"disabled": True},
           status=200)
    d.refused("a grant to a disabled account", "admin", "POST",
              "/api/v1/users/%d/premises-roles" % gone,
              {"premises_id": b, "role": "keyworker"}, 422, "user_disabled")
    d.refused("no global role is left to someone with no role at any premises", "admin",
              "PATCH", "/api/v1/users/%d" % gone, {"roles": []}, 400, "missing_field")
    d.refused("a revocation of a role not held", "admin", "POST", path + "/revocations",
              {"premises_id": b, "role": "nurse"}, 422, "role_not_held")
    d.refused("a revocation of an unknown role", "admin", "POST", path + "/revocations",
              {"premises_id": b, "role": "wizard"}, 422, "unknown_role")


def acts(d, b, pa, pb):
    """The nurse at A only, the global nurse, the witness and the register."""
    d.at(1, "08:40:00")
    d.check_in(pa, label="the nurse at A checks in an A patient", who="nurse_a")
    d.assess(pa, label="and assesses them", who="nurse_a")
    d.dose(pa, 100, label="and doses them (witnessed by a global nurse)", who="nurse_a")
    d.refused("the nurse at A cannot check in a B patient", "nurse_a", "POST",
              "/api/v1/patients/%d/check-in" % pb, {}, 403, "not_at_premises")
    d.refused("nor assess one", "nurse_a", "POST", "/api/v1/patients/%d/assessments" % pb,
              {"sedation_level": 0, "breath_alcohol_ug": 0, "decision": "fit"}, 403,
              "not_at_premises")
    d.check_in(pb, label="the global nurse checks in the B patient")
    d.assess(pb, label="and assesses them")
    d.refused("the nurse at A cannot dose the B patient", "nurse_a", "POST",
              "/api/v1/patients/%d/administrations" % pb,
              {"amount_mg": 100, "route": "iv", "site": "arm_left", "identity_confirmed": True,
               "witness": d.witness("nurse2")}, 403, "not_at_premises")
    d.refused("nor may she witness a dose at B", "nurse", "POST",
              "/api/v1/patients/%d/administrations" % pb,
              {"amount_mg": 100, "route": "iv", "site": "arm_left", "identity_confirmed": True,
               "witness": d.witness("nurse_a")}, 422, "witness_role")
    d.dose(pb, 100, label="the global nurse doses the B patient at B")
    d.refused("the nurse at A cannot read a B patient's chart", "nurse_a", "GET",
              "/api/v1/patients/%d" % pb, None, 403, "not_at_premises")
    d.get("but reads an A patient's", "nurse_a", "/api/v1/patients/%d" % pa)
    ids = lambda v: sorted(p["id"] for p in v or [])  # noqa: E731
    d.get("the nurse at A's patient list is A's patients", "nurse_a", "/api/v1/patients",
          expect={"patients": lambda v: pa in ids(v) and pb not in ids(v)})
    d.get("the global nurse's list holds both premises' patients", "nurse", "/api/v1/patients",
          expect={"patients": lambda v: pa in ids(v) and pb in ids(v)})
    d.get("a list not yet kept per premises is for provider-wide staff only", "nurse_a",
          "/api/v1/caseload", status=403, code="not_provider_wide")
    d.get("the global nurse reads it", "nurse", "/api/v1/caseload")

    d.get("the nurse at A reads A's board", "nurse_a", "/api/v1/board?premises_id=1",
          expect={"patients": lambda v: any(p.get("patient_id") == pa for p in v or [])})
    d.get("and the default board (the first premises, A)", "nurse_a", "/api/v1/board")
    d.get("but not B's", "nurse_a", "/api/v1/board?premises_id=%d" % b, status=403,
          code="not_at_premises")
    d.get("the global nurse reads B's board", "nurse", "/api/v1/board?premises_id=%d" % b,
          expect={"patients": lambda v: any(p.get("patient_id") == pb for p in v or [])})
    d.get("the nurse at A reads A's register", "nurse_a", "/api/v1/register?premises_id=1")
    d.get("but not B's", "nurse_a", "/api/v1/register?premises_id=%d" % b, status=403,
          code="not_at_premises")
    d.get("the board of unknown premises", "nurse", "/api/v1/board?premises_id=999", status=422,
          code="unknown_premises")


def register(d, b, sid):
    """A pharmacist at A only keeps A's register, not B's."""
    receipt = {"supplier_id": sid, "drug": "diamorphine", "strength_mg": 10,
               "form": "powder_for_injection", "quantity": 5, "batch": "PA10",
               "expiry_date": day(600).isoformat(), "invoice_ref": "INV-PA"}
    d.call("the pharmacist at A receives stock at A, a nurse at A witnessing", "pharm_a", "POST",
           "/api/v1/register/receipts",
           dict(receipt, premises_id=1, witness=d.witness("nurse_a")), status=201)
    d.refused("the pharmacist at A cannot receive stock at B", "pharm_a", "POST",
              "/api/v1/register/receipts",
              dict(receipt, premises_id=b, invoice_ref="INV-PB", witness=d.witness("nurse2")),
              403, "not_at_premises")
    page_b = d.scalar("SELECT id FROM register_pages WHERE premises_id = ? ORDER BY id LIMIT 1",
                      (b,))
    bal = d.scalar("SELECT balance_after FROM register_entries WHERE page_id = ?"
                   " ORDER BY seq DESC LIMIT 1", (page_b,))
    d.refused("nor check B's stock", "pharm_a", "POST",
              "/api/v1/register/pages/%d/stock-checks" % page_b,
              {"counted": bal, "witness": d.witness("nurse2")}, 403, "not_at_premises")
    d.refused("a receipt at B witnessed by the nurse at A is refused", "pharm", "POST",
              "/api/v1/register/receipts",
              dict(receipt, premises_id=b, invoice_ref="INV-PB2", witness=d.witness("nurse_a")),
              422, "witness_role")


def prescribing(d, b, pa, pb):
    d.call("the prescriber at A only is licensed at A", "admin", "POST",
           "/api/v1/users/%d/licences" % d.s["dr_a"].user_id,
           {"licence_number": "HO-DIA-2028-0100", "premises_id": 1,
            "expires_on": day(500).isoformat(), "confirmer": CONFIRM}, status=201)
    d.refused("but cannot be licensed at B, where she is no prescriber", "admin", "POST",
              "/api/v1/users/%d/licences" % d.s["dr_a"].user_id,
              {"licence_number": "HO-DIA-2028-0101", "premises_id": b,
               "expires_on": day(500).isoformat(), "confirmer": CONFIRM}, 422, "not_a_prescriber")
    d.rx(pa, label="the prescriber at A signs for an A patient", who="dr_a")
    before = d.writes()
    d.rx(pb, label="the prescriber at A cannot sign for a B patient", who="dr_a", status=403,
         code="not_at_premises")
    d.eq("the refused signature wrote nothing", d.writes(), before)
    before = d.writes()
    d.rx(pb, label="the global prescriber, licensed at A only, cannot sign for a B patient",
         status=422, code="prescriber_licence_lapsed")
    d.eq("that refusal wrote nothing", d.writes(), before)
    d.call("admin records dr.okafor's licence at B", "admin", "POST",
           "/api/v1/users/%d/licences" % d.s["dr"].user_id,
           {"licence_number": "HO-DIA-2028-0002", "premises_id": b,
            "expires_on": day(500).isoformat(), "confirmer": CONFIRM}, status=201)
    d.rx(pb, label="now she signs for the B patient")


def provider_wide(d, b):
    d.at(2, "18:00:00")
    span = "from=%s&to=%s" % (day(0).isoformat(), day(2).isoformat())
    ids = [row[0] for row in d.t.query("SELECT id FROM premises ORDER BY id")]
    d.eq("the provider has two premises", ids, [1, b])
    att = {}
    for key, q in (("a", "premises_id=1"), ("b", "premises_id=%d" % b), ("all", "premises_id=all")):
        r = d.get("the manager reads attendance (%s)" % q, "manager",
                  "/api/v1/attendance?%s&%s" % (q, span))
        att[key] = (r.json or {}).get("clinic", {})
    for k in ("sessions_due", "sessions_attended"):
        d.eq("the provider's %s is the sum of the premises'" % k, att["all"].get(k),
             att["a"].get(k, 0) + att["b"].get(k, 0))
    d.ok("some sessions were attended at each premises",
         att["a"].get("sessions_attended", 0) > 0 and att["b"].get("sessions_attended", 0) > 0,
         json.dumps(att))
    ev = {}
    for key, q in (("a", "premises_id=1&"), ("b", "premises_id=%d&" % b),
                   ("all", "premises_id=all&"), ("none", "")):
        r = d.get("the manager reads the evaluation report (%s)" % (q or "no premises_id"),
                  "manager", "/api/v1/reports/evaluation?%s%s" % (q, span))
        ev[key] = r.json or {}
    d.eq("without premises_id the report is the provider's, as before",
         dig(ev["none"], "doses"), dig(ev["all"], "doses"))
    doses = {k: dig(v, "doses") or {} for k, v in ev.items()}
    counted = [k for k, v in doses["all"].items() if isinstance(v, int)]
    d.ok("the report counts doses", len(counted) > 0, json.dumps(doses["all"]))
    for k in counted:
        if isinstance(doses["a"].get(k), int) and isinstance(doses["b"].get(k), int):
            d.eq("the provider's doses.%s is the sum of the premises'" % k, doses["all"][k],
                 doses["a"][k] + doses["b"][k])
    d.get("the B manager reads B's evaluation report", "mgr_b",
          "/api/v1/reports/evaluation?premises_id=%d&%s" % (b, span))
    d.get("but not the provider's", "mgr_b", "/api/v1/reports/evaluation?premises_id=all&" + span,
          status=403, code="not_provider_wide")
    d.get("nor the provider's by default", "mgr_b", "/api/v1/reports/evaluation?" + span,
          status=403, code="not_provider_wide")
    d.get("nor A's", "mgr_b", "/api/v1/reports/evaluation?premises_id=1&" + span, status=403,
          code="not_at_premises")
    d.get("nor the provider's attendance", "mgr_b", "/api/v1/attendance?premises_id=all",
          status=403, code="not_provider_wide")
    d.get("nor the outcomes report, which is the provider's only", "mgr_b",
          "/api/v1/reports/outcomes", status=403, code="not_provider_wide")
    d.get("nor the national return", "mgr_b", "/api/v1/exports/ndtms", status=403,
          code="not_provider_wide")
    d.get("the provider's outcomes report asked for one premises", "manager",
          "/api/v1/reports/outcomes?premises_id=1", status=400, code="invalid_query")
    d.get("the global manager reads the provider's flexibility report", "manager",
          "/api/v1/reports/flexibility?premises_id=all",
          expect={"by_premises": lambda v: isinstance(v, list) and len(v) == 2})
    d.get("the B manager reads B's flexibility report", "mgr_b",
          "/api/v1/reports/flexibility?premises_id=%d" % b)
    d.get("a premises_id that is no number", "manager", "/api/v1/attendance?premises_id=north",
          status=400, code="invalid_query")
    d.call("the B manager changes B's settings", "mgr_b", "PUT",
           "/api/v1/premises/%d/settings" % b, {"min_between_session_starts_min": 170},
           status=200)
    d.refused("but not A's", "mgr_b", "PUT", "/api/v1/premises/1/settings",
              {"min_between_session_starts_min": 170}, 403, "not_at_premises")
    d.refused("nor the provider's discharge reasons", "mgr_b", "POST",
              "/api/v1/discharge-reasons", {"code": "moved", "label": "Moved away"}, 403,
              "not_provider_wide")
    d.refused("nor add premises", "mgr_b", "POST", "/api/v1/premises",
              {"name": "South Site", "address": "3 South Road"}, 403, "not_provider_wide")


def revocation(d, b):
    nid = d.s["nurse_a"].user_id
    d.call("admin gives the nurse at A the keyworker's role at B (no confirmer needed)", "admin",
           "POST", "/api/v1/users/%d/premises-roles" % nid, {"premises_id": b, "role": "keyworker"},
           status=200)
    d.call("and takes away her nurse's role at A", "admin", "POST",
           "/api/v1/users/%d/premises-roles/revocations" % nid, {"premises_id": 1, "role": "nurse"},
           status=200, expect={"premises_roles": lambda v: [(g["premises_id"], g["role"])
                                                            for g in v or []] == [(b, "keyworker")]})
    d.get("she no longer reads A's board", "nurse_a", "/api/v1/board?premises_id=1", status=403,
          code="not_at_premises")
    d.get("a keyworker at B, she reads B's", "nurse_a", "/api/v1/board?premises_id=%d" % b)
    pb = d.scalar("SELECT id FROM patients WHERE family_name = 'Bravo'")
    d.get("and the board she is shown with no premises named is B's, where she works",
          "nurse_a", "/api/v1/board",
          expect={"patients": lambda v: [p.get("patient_id") for p in v or []] == [pb]})
    d.refused("nor doses at A", "nurse_a", "POST", "/api/v1/patients/1/check-in", {}, 403,
              "forbidden")
    rows = d.t.query("SELECT action, detail FROM audit_events WHERE entity = 'user'"
                     " AND entity_id = ? AND action LIKE 'user.%premises_role' ORDER BY seq",
                     (nid,))
    got = [(a, json.loads(x).get("premises_id"), json.loads(x).get("role")) for a, x in rows]
    d.eq("the grants and the revocation are in the audit chain, in order", got,
         [("user.grant_premises_role", 1, "nurse"), ("user.grant_premises_role", b, "keyworker"),
          ("user.revoke_premises_role", 1, "nurse")])
    first = d.t.query("SELECT detail FROM audit_events WHERE action = 'user.grant_premises_role'"
                      " AND entity_id = ? ORDER BY seq LIMIT 1", (nid,))
    d.ok("the first grant names its confirmer",
         bool(first) and json.loads(first[0][0]).get("confirmed_by") ==
         d.scalar("SELECT id FROM users WHERE username = 'mgr.hughes'"), repr(first))


def body(t):
    d = PDesk(t)
    b, sid = setup(d)
    d.user("nurse_a", "nurse.a", [(1, "nurse")])
    d.user("pharm_a", "pharm.a", [(1, "pharmacist")])
    d.user("dr_a", "dr.a", [(1, "prescriber")])
    d.user("mgr_b", "mgr.b", [(b, "manager")])
    d.get("the nurse at A says who she is: a nurse, held at A", "nurse_a", "/api/v1/session")
    grants_and_bad_input(d, b)
    pa = patient_at(d, "Alpha", 1)
    pb = patient_at(d, "Bravo", b)
    d.refused("the nurse at A cannot register a patient at B", "nurse_a", "POST",
              "/api/v1/patients", {"given_name": "X", "family_name": "Nope",
                                   "birth_date": "1980-01-01", "sex": "other", "premises_id": b,
                                   "address": "1 Nowhere"}, 403, "not_at_premises")
    prescribing(d, b, pa, pb)
    acts(d, b, pa, pb)
    register(d, b, sid)
    provider_wide(d, b)
    revocation(d, b)
    t.stop(label="hatd stops before the verify")
    p = t.hatctl("verify")
    t.report.check("hatctl verify passes with the grants and revocations in the chain",
                   p.returncode == 0, p.stdout + p.stderr)
    t.start(extra=["--set", "session_idle_s=604800"])


if __name__ == "__main__":
    sys.exit(main("test_premises_roles", body, demo="staff", start=False))
