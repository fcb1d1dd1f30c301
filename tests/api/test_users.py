"""test_users.py: premises, staff accounts, prescriber licences, the last admin.

Run by ctest as: python3 test_users.py --hatd PATH --hatctl PATH
"""
import json
import sys

from harness import ABSENT, ADMIN, ADMIN_PW, DEMO_PW, Ref, db_is, do, login, main, run_steps, step

NURSE, NURSE_PW = "nurse.patel", DEMO_PW["nurse.patel"]
MANAGER, MANAGER_PW = "mgr.hughes", DEMO_PW["mgr.hughes"]
PRESCRIBER = "dr.okafor"
NEW_PW = "fresh-start-pass-1"


def premises(t):
    run_steps(t, [
        login("admin logs in", "admin", ADMIN, ADMIN_PW),
        login("manager logs in", "manager", MANAGER, MANAGER_PW),
        login("nurse logs in", "nurse", NURSE, NURSE_PW),
        step("admin adds premises", "POST", "/api/v1/premises",
             {"name": "North Site", "address": "4 North Road"}, as_="admin", status=201,
             expect={"name": "North Site", "address": "4 North Road"}, save={"north": "id"}),
        step("a manager adds premises", "POST", "/api/v1/premises",
             {"name": "South Site", "address": "9 South Road"}, as_="manager", status=201,
             save={"south": "id"}),
        step("a nurse may not add premises", "POST", "/api/v1/premises",
             {"name": "Nurse Site", "address": "1 Ward Lane"}, as_="nurse", status=403,
             code="forbidden"),
        step("a nurse may not rename premises", "PATCH", "/api/v1/premises/{north}",
             {"name": "Renamed"}, as_="nurse", status=403, code="forbidden"),
        db_is("the nurse's premises are not there",
              "SELECT count(*) FROM premises WHERE name IN ('Nurse Site', 'Renamed')", [], 0),
        step("premises names are unique", "POST", "/api/v1/premises",
             {"name": "North Site", "address": "elsewhere"}, as_="admin", status=409,
             code="conflict", expect={"error.field": "name"}),
        step("premises need an address", "POST", "/api/v1/premises", {"name": "Lost"},
             as_="admin", status=400, code="missing_field", expect={"error.field": "address"}),
        step("a manager renames premises", "PATCH", "/api/v1/premises/{south}",
             {"name": "South Clinic"}, as_="manager", status=200,
             expect={"name": "South Clinic", "address": "9 South Road"}),
        step("renaming onto another's name is refused", "PATCH", "/api/v1/premises/{south}",
             {"name": "North Site"}, as_="manager", status=409, code="conflict"),
        step("renaming missing premises is 404", "PATCH", "/api/v1/premises/999",
             {"name": "Ghost"}, as_="manager", status=404, code="not_found"),
        step("anyone logged in may list premises", "GET", "/api/v1/premises", as_="nurse",
             status=200,
             expect={"premises": lambda ps: [p["name"] for p in ps][0] == "Main Site"
                     and [p["name"] for p in ps][-2:] == ["North Site", "South Clinic"]}),
        db_is("premises changes are audited",
              "SELECT count(*) FROM audit_events WHERE entity = 'premises'"
              " AND entity_id IN (?, ?)", [Ref("north"), Ref("south")], 3),
    ])


def users(t):
    new_user = {"username": "nurse.new", "display_name": "New Nurse", "password": NEW_PW,
                "roles": ["nurse"],
                "confirmer": {"username": "mgr.hughes", "password": "demo-manager-pass"}}
    run_steps(t, [
        step("admin adds a nurse", "POST", "/api/v1/users", new_user, as_="admin", status=201,
             expect={"username": "nurse.new", "roles": ["nurse"], "is_disabled": False,
                     "password": ABSENT, "password_hash": ABSENT},
             save={"uid": "id"}),
        db_is("the password is stored as an Argon2id hash",
              "SELECT substr(password_hash, 1, 10) FROM users WHERE id = ?", [Ref("uid")],
              "$argon2id$"),
        do("the audit event does not hold the password", lambda t: no_password_in_audit(t)),
        step("a taken username is refused", "POST", "/api/v1/users", new_user, as_="admin",
             status=409, code="username_taken"),
        step("a username with capitals and spaces is refused", "POST", "/api/v1/users",
             dict(new_user, username="New Nurse"), as_="admin", status=400,
             code="invalid_value", expect={"error.field": "username"}),
        step("a short password is refused", "POST", "/api/v1/users",
             dict(new_user, username="nurse.short", password="short"), as_="admin",
             status=400, code="weak_password", expect={"error.field": "password"}),
        step("an unknown role is refused", "POST", "/api/v1/users",
             dict(new_user, username="nurse.wiz", roles=["wizard"]), as_="admin", status=400,
             code="invalid_value", expect={"error.field": "roles"}),
        step("a user needs a role", "POST", "/api/v1/users",
             dict(new_user, username="nurse.none", roles=[]), as_="admin", status=400,
             code="missing_field", expect={"error.field": "roles"}),
        step("a role twice is refused", "POST", "/api/v1/users",
             dict(new_user, username="nurse.twice", roles=["nurse", "nurse"]), as_="admin",
             status=400, code="invalid_value"),
        db_is("none of the refused users exists",
              "SELECT count(*) FROM users WHERE username LIKE 'nurse.%'"
              " AND username NOT IN ('nurse.new', 'nurse.patel', 'nurse.byrne')", [], 0),
        step("admin reads the user", "GET", "/api/v1/users/{uid}", as_="admin", status=200,
             expect={"display_name": "New Nurse", "licences": []}),
        step("admin lists users", "GET", "/api/v1/users", as_="admin", status=200,
             expect={"users": lambda us: "nurse.new" in [u["username"] for u in us]}),
        step("admin renames the user and adds a role", "PATCH", "/api/v1/users/{uid}",
             {"display_name": "Nurse Newton", "roles": ["nurse", "keyworker"]}, as_="admin",
             status=200, expect={"display_name": "Nurse Newton",
                                 "roles": ["nurse", "keyworker"]}),
        step("a missing user is 404", "PATCH", "/api/v1/users/9999", {"display_name": "X"},
             as_="admin", status=404, code="not_found"),
        login("the new nurse logs in (bearer)", "newb", "nurse.new", NEW_PW),
        login("and on a second device (cookie)", "newc", "nurse.new", NEW_PW, kind="cookie"),
        step("her session works", "GET", "/api/v1/patients?limit=1", as_="newb", status=200),
        step("admin disables her", "PATCH", "/api/v1/users/{uid}", {"disabled": True},
             as_="admin", status=200, expect={"is_disabled": True}),
        step("her bearer session has ended", "GET", "/api/v1/session", as_="newb", status=401,
             code="unauthenticated"),
        step("her cookie session has ended", "GET", "/api/v1/session", as_="newc", status=401,
             code="unauthenticated"),
        db_is("both sessions are revoked in the database",
              "SELECT count(*), count(revoked_at) FROM sessions WHERE user_id = ?",
              [Ref("uid")], [(2, 2)]),
        login("a disabled account cannot log in", "x", "nurse.new", NEW_PW, status=401,
              code="account_disabled"),
        login("a disabled account with a wrong password is just refused", "x", "nurse.new",
              "wrong-password-9", status=401, code="bad_credentials"),
        step("a disabled account cannot witness", "POST", "/api/v1/session/witness",
             {"username": "nurse.new", "password": NEW_PW}, as_="nurse", status=422,
             code="witness_bad_credentials"),
        step("admin enables her again", "PATCH", "/api/v1/users/{uid}", {"disabled": False},
             as_="admin", status=200, expect={"is_disabled": False}),
        login("she logs in again", "newb", "nurse.new", NEW_PW),
        step("the old sessions stay ended", "GET", "/api/v1/session", as_="newc", status=401,
             code="unauthenticated"),
    ])


def no_password_in_audit(t):
    rows = t.query("SELECT detail FROM audit_events WHERE action = 'user.create'"
                   " AND entity_id = ?", (t.vars["uid"],))
    if len(rows) != 1:
        return "%d user.create events, want 1" % len(rows)
    if NEW_PW in rows[0][0] or "argon2" in rows[0][0]:
        return "the audit detail holds the password: %s" % rows[0][0]
    d = json.loads(rows[0][0])
    return None if d.get("username") == "nurse.new" else "detail %r" % d


def last_admin(t):
    t.vars["demo_admin"] = t.scalar("SELECT id FROM users WHERE username = 'admin.demo'")
    run_steps(t, [
        step("admin disables the other admin", "PATCH", "/api/v1/users/{demo_admin}",
             {"disabled": True}, as_="admin", status=200),
        step("the last admin cannot disable herself", "PATCH", "/api/v1/users/{admin_id}",
             {"disabled": True}, as_="admin", status=422, code="last_admin"),
        step("the last admin cannot swap her admin role for another (a grant to herself)",
             "PATCH", "/api/v1/users/{admin_id}", {"roles": ["manager"]}, as_="admin",
             status=403, code="self_grant", expect={"error.field": "roles"}),
        db_is("she is still an active admin",
              "SELECT u.disabled, group_concat(r.role) FROM users u"
              " JOIN user_roles r ON r.user_id = u.id WHERE u.id = ? GROUP BY u.disabled",
              [Ref("admin_id")], [(0, "admin")]),
        step("her session still works", "GET", "/api/v1/users", as_="admin", status=200),
        step("the other admin is enabled again", "PATCH", "/api/v1/users/{demo_admin}",
             {"disabled": False}, as_="admin", status=200),
        step("now the other admin's role can become manager", "PATCH",
             "/api/v1/users/{demo_admin}",
             {"roles": ["manager"],
              "confirmer": {"username": "cdao.fraser", "password": "demo-cdao-pass"}},
             as_="admin", status=200,
             expect={"roles": ["manager"]}),
        step("and admin still cannot leave the clinic without one", "PATCH",
             "/api/v1/users/{admin_id}", {"disabled": True}, as_="admin", status=422,
             code="last_admin"),
        step("a second admin is made", "PATCH", "/api/v1/users/{demo_admin}",
             {"roles": ["admin"]}, as_="admin", status=200),
        db_is("the refused changes were not audited",
              "SELECT count(*) FROM audit_events WHERE action = 'user.update'"
              " AND entity_id = ?", [Ref("admin_id")], 0),
    ])


def licences(t):
    t.vars["dr"] = t.scalar("SELECT id FROM users WHERE username = ?", (PRESCRIBER,))
    t.vars["dr_lic"] = t.scalar("SELECT count(*) FROM prescriber_licences WHERE user_id = ?",
                                (t.vars["dr"],))
    L = "/api/v1/users/{dr}/licences"
    lic = {"licence_number": "HO-DIA-2027-0001", "premises_id": Ref("north"),
           "expires_on": t.day(365),
           "confirmer": {"username": "mgr.hughes", "password": "demo-manager-pass"}}
    run_steps(t, [
        step("admin adds a prescriber's licence for new premises", "POST", L, lic,
             as_="admin", status=201,
             expect={"username": PRESCRIBER,
                     "licences": lambda ls: any(
                         x["licence_number"] == "HO-DIA-2027-0001"
                         and x["premises"] == "North Site" and x["expires_on"] == t.day(365)
                         for x in ls)}),
        step("a manager adds one too", "POST", L,
             dict(lic, licence_number="HO-DIA-2027-0002", premises_id=Ref("south"),
                  confirmer={"username": "cdao.fraser", "password": "demo-cdao-pass"}),
             as_="manager", status=201,
             expect={"licences": lambda ls: len(ls) == t.vars["dr_lic"] + 2}),
        step("a nurse may not add a licence", "POST", L,
             dict(lic, licence_number="HO-FAKE"), as_="nurse", status=403, code="forbidden"),
        step("a licence belongs to a prescriber only", "POST",
             "/api/v1/users/{uid}/licences", lic, as_="admin", status=422,
             code="not_a_prescriber"),
        step("a licence needs known premises", "POST", L, dict(lic, premises_id=999),
             as_="admin", status=422, code="unknown_premises"),
        step("a licence needs a real expiry date", "POST", L,
             dict(lic, expires_on="2027-02-30"), as_="admin", status=400,
             code="invalid_date", expect={"error.field": "expires_on"}),
        step("a licence for a missing user is 404", "POST", "/api/v1/users/9999/licences",
             lic, as_="admin", status=404, code="not_found"),
        do("the prescriber holds two more licences than before",
           lambda t: None if t.scalar("SELECT count(*) FROM prescriber_licences"
                                      " WHERE user_id = ?", (t.vars["dr"],))
           == t.vars["dr_lic"] + 2 else "the licence count is wrong"),
        db_is("nothing was added for the nurse",
              "SELECT count(*) FROM prescriber_licences WHERE licence_number = 'HO-FAKE'"
              " OR user_id = ?", [Ref("uid")], 0),
        db_is("licences are audited",
              "SELECT count(*) FROM audit_events WHERE action = 'user.add_licence'"
              " AND actor_id IN (?, ?)", [Ref("admin_id"), Ref("manager_id")], 2),
    ])


def body(t):
    premises(t)
    users(t)
    last_admin(t)
    licences(t)


if __name__ == "__main__":
    sys.exit(main("test_users", body, demo="staff"))
