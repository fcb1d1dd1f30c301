"""test_role_matrix.py: every role against every route, generated from the
policy table.

hatd --routes lists each route with its policy row and the roles that row
lets in (from src/auth/policy.def, the one table).  For each route this
test sends a request as someone holding each single role, and as no one:
the roles the table names must get past the role check (any answer but
401 or 403 forbidden), every other role must get 403 forbidden, and no
one logged out gets in where a login is needed.  A route added without a
row fails here (its action is "(none)"), and the refused requests write
nothing.

Run by ctest as: python3 test_role_matrix.py --hatd PATH --hatctl PATH
"""
import re
import subprocess
import sys

from harness import ADMIN, ADMIN_PW, DEMO_STAFF, DEMO_PW, main

ROLES = ["prescriber", "nurse", "pharmacist", "keyworker", "manager", "cdao", "auditor", "admin"]
# Routes the sweep does not call: the test clock would move time under the
# other tests' feet (it is public and in test builds only).
SKIP = {("POST", "/api/v1/test/clock")}


def routes(t):
    out = subprocess.run([t.hatd_path, "--routes"], stdout=subprocess.PIPE, check=True,
                         timeout=30).stdout.decode()
    rows = []
    for line in out.splitlines():
        method, pattern, action, roles = line.split(" ")
        rows.append((method, pattern, action, roles))
    return rows


def path_of(pattern):
    # An id that names nothing: an allowed role then meets 404 or a 4xx of
    # the input's, never a change, while a refused one meets 403 first.
    return re.sub(r"\{id\}", "999999", pattern)


def body(t):
    rep = t.report
    rows = routes(t)
    rep.check("hatd lists its routes", len(rows) > 50, "only %d routes" % len(rows))
    for method, pattern, action, roles in rows:
        rep.check("%s %s names a policy row" % (method, pattern), action != "(none)",
                  "no row in the policy")
    people = {}
    for username, _, role in DEMO_STAFF:
        if role not in people:
            s, r = t.login(username, DEMO_PW[username])
            if not s:
                rep.fail("log in as %s" % username, r.short())
                return
            people[role] = (username, s)

    def send(method, pattern, session):
        b = None if method in ("GET", "DELETE") else {}
        return t.request(method, path_of(pattern), b, session=session)

    audit0 = t.scalar("SELECT max(seq) FROM audit_events")
    allowed_calls = []
    for method, pattern, action, roles in rows:
        if (method, pattern) in SKIP:
            continue
        open_ = roles == "anyone"
        let_in = set(ROLES) if open_ else set(r for r in roles.split(",") if r in ROLES)
        label = "%s %s (%s)" % (method, pattern, action)
        if not open_:
            r = send(method, pattern, None)
            rep.check("%s: no one logged in gets 401" % label, r.status == 401,
                      "%d %s" % (r.status, r.short()))
        for role in ROLES:
            if role in let_in:
                allowed_calls.append((method, pattern, label, role))
                continue
            r = send(method, pattern, people[role][1])
            rep.check("%s: %s is refused" % (label, role),
                      r.status == 403 and r.code == "forbidden",
                      "%d %s" % (r.status, r.short()))
    rep.check("the refused requests wrote nothing to the audit log",
              t.scalar("SELECT max(seq) FROM audit_events") == audit0,
              "the chain grew from %s to %s" % (audit0,
                                                t.scalar("SELECT max(seq) FROM audit_events")))
    for method, pattern, label, role in allowed_calls:
        username, session = people[role]
        r = send(method, pattern, session)
        rep.check("%s: %s gets past the role check" % (label, role),
                  r.status not in (401, 403) or (r.status == 403 and r.code != "forbidden"),
                  "%d %s" % (r.status, r.short()))
        if method == "DELETE" and pattern == "/api/v1/session":
            s, _ = t.login(username, DEMO_PW[username])
            people[role] = (username, s)


if __name__ == "__main__":
    sys.exit(main("test_role_matrix", body, demo="staff"))
