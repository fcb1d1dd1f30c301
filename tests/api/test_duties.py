"""test_duties.py: separation of duties, as an attacker with an admin
account would try it, and as the clinic works day to day.

- Nobody grants a role or a licence to themselves.
- A clinical role (prescriber, nurse, pharmacist, CDAO, and the manager's)
  or a licence needs a manager or CDAO to confirm it, recorded as such;
  the confirmer is a third person, active, in role, with the right password.
- Admin sees no clinical data; the register roles keep to the register.
- The auditor's reads of the audit log and the access log are themselves
  written to the access log.

Run by ctest as: python3 test_duties.py --hatd PATH --hatctl PATH
"""
import json
import sys

from harness import ADMIN, ADMIN_PW, DEMO_PW, Ref, db_is, do, login, main, run_steps, step

MGR = {"username": "mgr.hughes", "password": DEMO_PW["mgr.hughes"]}
CDAO = {"username": "cdao.fraser", "password": DEMO_PW["cdao.fraser"]}
PW = "a-long-enough-pass-1"


def uid(t, username):
    return t.scalar("SELECT id FROM users WHERE username = ?", (username,))


def users_count(t):
    return t.scalar("SELECT count(*) FROM users")


def audit_of(t, action, entity_id):
    row = t.query("SELECT detail FROM audit_events WHERE action = ? AND entity_id = ?"
                  " ORDER BY seq DESC LIMIT 1", (action, entity_id))
    return json.loads(row[0][0]) if row else None


def body(t):
    t.vars.update(admin_id=uid(t, ADMIN), mgr_id=uid(t, "mgr.hughes"),
                  cdao_id=uid(t, "cdao.fraser"), dr_id=uid(t, "dr.okafor"),
                  kw_id=uid(t, "kw.mensah"), n0=users_count(t))
    new = {"username": "nurse.new", "display_name": "New Nurse", "password": PW,
           "roles": ["nurse"]}
    run_steps(t, [
        login("admin logs in", "admin", ADMIN, ADMIN_PW),
        login("the demo admin logs in", "admin2", "admin.demo", DEMO_PW["admin.demo"]),
        login("the manager logs in", "manager", "mgr.hughes", DEMO_PW["mgr.hughes"]),
        login("the CDAO logs in", "cdao", "cdao.fraser", DEMO_PW["cdao.fraser"]),
        login("the pharmacist logs in", "pharm", "pharm.lindqvist", DEMO_PW["pharm.lindqvist"]),
        login("the auditor logs in", "auditor", "audit.silva", DEMO_PW["audit.silva"]),
        login("the keyworker logs in", "kw", "kw.mensah", DEMO_PW["kw.mensah"]),

        # The attack the issue describes: admin makes herself a prescriber.
        step("admin cannot make herself a prescriber", "PATCH", "/api/v1/users/{admin_id}",
             {"roles": ["admin", "prescriber"], "confirmer": MGR}, as_="admin", status=403,
             code="self_grant", expect={"error.field": "roles"}),
        step("nor add a keyworker's role, which needs no confirmer", "PATCH",
             "/api/v1/users/{admin_id}", {"roles": ["admin", "keyworker"]}, as_="admin",
             status=403, code="self_grant"),
        step("the other admin cannot do it for her without a confirmer", "PATCH",
             "/api/v1/users/{admin_id}", {"roles": ["admin", "prescriber"]}, as_="admin2",
             status=422, code="confirmation_required", expect={"error.field": "confirmer"}),
        db_is("she holds only the admin role", "SELECT group_concat(role) FROM user_roles"
              " WHERE user_id = ?", [Ref("admin_id")], "admin"),
        step("admin cannot read patient records", "GET", "/api/v1/patients", as_="admin",
             status=403, code="forbidden"),
        step("nor a chart", "GET", "/api/v1/patients/1", as_="admin", status=403,
             code="forbidden"),
        step("nor the register", "GET", "/api/v1/register", as_="admin", status=403,
             code="forbidden"),
        step("nor the audit log", "GET", "/api/v1/audit", as_="admin", status=403,
             code="forbidden"),
        step("nor sign a prescription", "POST", "/api/v1/patients/1/prescriptions", {},
             as_="admin", status=403, code="forbidden"),

        # Clinical roles need a confirmer.
        step("a new nurse without a confirmer is refused", "POST", "/api/v1/users", new,
             as_="admin", status=422, code="confirmation_required",
             expect={"error.field": "confirmer"}),
        step("admin cannot confirm her own grant", "POST", "/api/v1/users",
             dict(new, confirmer={"username": ADMIN, "password": ADMIN_PW}), as_="admin",
             status=422, code="confirmer_not_allowed", expect={"error.field": "confirmer"}),
        step("a nurse cannot confirm", "POST", "/api/v1/users",
             dict(new, confirmer={"username": "nurse.patel",
                                  "password": DEMO_PW["nurse.patel"]}),
             as_="admin", status=422, code="confirmer_not_allowed"),
        step("an auditor cannot confirm", "POST", "/api/v1/users",
             dict(new, confirmer={"username": "audit.silva",
                                  "password": DEMO_PW["audit.silva"]}),
             as_="admin", status=422, code="confirmer_not_allowed"),
        step("a wrong confirmer password is refused", "POST", "/api/v1/users",
             dict(new, confirmer={"username": "mgr.hughes", "password": "not-her-password"}),
             as_="admin", status=422, code="witness_bad_credentials",
             expect={"error.field": "confirmer"}),
        step("a confirmer that is not an object is refused", "POST", "/api/v1/users",
             dict(new, confirmer="mgr.hughes"), as_="admin", status=400, code="wrong_type"),
        do("none of the refused users exists", lambda t: None
           if users_count(t) == t.vars["n0"] else "users grew to %d" % users_count(t)),
        step("with the manager confirming, the nurse is added", "POST", "/api/v1/users",
             dict(new, confirmer=MGR), as_="admin", status=201, save={"nurse_id": "id"}),
        do("the audit event names the confirmer, and holds no password",
           lambda t: None if (audit_of(t, "user.create", t.vars["nurse_id"]) or {}).get(
               "confirmed_by") == t.vars["mgr_id"] and PW not in json.dumps(
                   audit_of(t, "user.create", t.vars["nurse_id"]))
           and DEMO_PW["mgr.hughes"] not in json.dumps(
               audit_of(t, "user.create", t.vars["nurse_id"]))
           else "detail %r" % audit_of(t, "user.create", t.vars["nurse_id"])),
        step("a keyworker's role needs no confirmer", "POST", "/api/v1/users",
             {"username": "kw.new", "display_name": "New Keyworker", "password": PW,
              "roles": ["keyworker"]}, as_="admin", status=201, save={"kw_new": "id"}),
        step("making that keyworker a manager does", "PATCH", "/api/v1/users/{kw_new}",
             {"roles": ["keyworker", "manager"]}, as_="admin", status=422,
             code="confirmation_required"),
        step("the person concerned cannot confirm their own grant", "PATCH",
             "/api/v1/users/{mgr_id}", {"roles": ["manager", "nurse"], "confirmer": MGR},
             as_="admin", status=422, code="confirmer_not_allowed"),
        step("a CDAO confirms the manager's role", "PATCH", "/api/v1/users/{kw_new}",
             {"roles": ["keyworker", "manager"], "confirmer": CDAO}, as_="admin",
             status=200, expect={"roles": ["keyworker", "manager"]}),
        step("the new manager disabled", "PATCH", "/api/v1/users/{kw_new}",
             {"disabled": True}, as_="admin", status=200),
        step("a disabled manager cannot confirm", "PATCH", "/api/v1/users/{nurse_id}",
             {"roles": ["nurse", "prescriber"],
              "confirmer": {"username": "kw.new", "password": PW}},
             as_="admin", status=422, code="witness_bad_credentials"),
        step("dropping a role needs no one", "PATCH", "/api/v1/users/{kw_new}",
             {"roles": ["keyworker"]}, as_="admin", status=200),

        # Licences: recorded by an admin or manager, confirmed by another.
        step("a licence without a confirmer is refused", "POST",
             "/api/v1/users/{dr_id}/licences",
             {"licence_number": "HO-X-1", "premises_id": 1, "expires_on": t.day(300)},
             as_="admin", status=422, code="confirmation_required"),
        step("the manager cannot confirm the licence she records", "POST",
             "/api/v1/users/{dr_id}/licences",
             {"licence_number": "HO-X-1", "premises_id": 1, "expires_on": t.day(300),
              "confirmer": MGR}, as_="manager", status=422, code="confirmer_not_allowed"),
        step("with the CDAO confirming it is recorded", "POST",
             "/api/v1/users/{dr_id}/licences",
             {"licence_number": "HO-X-1", "premises_id": 1, "expires_on": t.day(300),
              "confirmer": CDAO}, as_="manager", status=201,
             expect={"licences": lambda ls: any(l["licence_number"] == "HO-X-1"
                                                and l["confirmed_by"] == t.vars["cdao_id"]
                                                for l in ls)}),
        db_is("the licence row names its confirmer",
              "SELECT confirmed_by FROM prescriber_licences WHERE licence_number = 'HO-X-1'",
              [], Ref("cdao_id")),
        step("a prescriber-manager cannot record a licence for herself", "PATCH",
             "/api/v1/users/{dr_id}", {"roles": ["prescriber", "manager"], "confirmer": CDAO},
             as_="admin", status=200),
        login("she logs in", "drmgr", "dr.okafor", DEMO_PW["dr.okafor"]),
        step("and is refused", "POST", "/api/v1/users/{dr_id}/licences",
             {"licence_number": "HO-SELF", "premises_id": 1, "expires_on": t.day(300),
              "confirmer": CDAO}, as_="drmgr", status=403, code="self_grant"),
        db_is("no such licence", "SELECT count(*) FROM prescriber_licences"
              " WHERE licence_number = 'HO-SELF'", [], 0),

        # The register roles keep to the register.
        step("a pharmacist cannot register a patient", "POST", "/api/v1/patients",
             {"family_name": "X"}, as_="pharm", status=403, code="forbidden"),
        step("nor read the patient list", "GET", "/api/v1/patients", as_="pharm",
             status=403, code="forbidden"),
        step("a CDAO cannot close an episode", "PATCH", "/api/v1/episodes/1",
             {"status": "closed"}, as_="cdao", status=403, code="forbidden"),
        step("nor edit a patient", "PATCH", "/api/v1/patients/1", {"family_name": "Y"},
             as_="cdao", status=403, code="forbidden"),
        step("but the pharmacist reads the register", "GET", "/api/v1/register/pages",
             as_="pharm", status=200),
        step("and a keyworker still reads the patient list", "GET", "/api/v1/patients",
             as_="kw", status=200),

        # The auditor's reads of the logs are logged.
        do("note the access log", lambda t: t.vars.update(
            a0=t.scalar("SELECT coalesce(max(id), 0) FROM access_log"),
            auditor_id=uid(t, "audit.silva"))),
        step("the auditor reads the audit log", "GET", "/api/v1/audit?limit=5", as_="auditor",
             status=200),
        step("and the access log", "GET", "/api/v1/access-log?limit=5", as_="auditor",
             status=200),
        db_is("both reads are in the access log, under her name",
              "SELECT group_concat(what, '|') FROM (SELECT what FROM access_log"
              " WHERE id > ? AND user_id = ? ORDER BY id)", [Ref("a0"), Ref("auditor_id")],
              "audit log|access log"),
        step("a refused read of the access log is not one", "GET", "/api/v1/access-log",
             as_="cdao", status=403, code="forbidden"),
        db_is("nothing more was logged", "SELECT count(*) FROM access_log WHERE id > ?",
              [Ref("a0")], 2),
    ])


if __name__ == "__main__":
    sys.exit(main("test_duties", body))
