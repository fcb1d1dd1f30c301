"""test_auth.py: log in and out, expiry, lockout, roles, CSRF, witnesses.

Run by ctest as: python3 test_auth.py --hatd PATH --hatctl PATH
"""
import sys
import threading

from harness import (ADMIN, ADMIN_PW, DEMO_PW, Ref, clock, db_is, do, login, main, note, run_steps,
                     step)

NURSE, NURSE_PW = "nurse.patel", DEMO_PW["nurse.patel"]
NURSE2, NURSE2_PW = "nurse.byrne", DEMO_PW["nurse.byrne"]
KW, KW_PW = "kw.mensah", DEMO_PW["kw.mensah"]
AUDITOR, AUDITOR_PW = "audit.silva", DEMO_PW["audit.silva"]
CDAO, CDAO_PW = "cdao.fraser", DEMO_PW["cdao.fraser"]

IDLE_S = 30 * 60
ABSOLUTE_S = 12 * 3600


def cookie_flags(r, t):
    sc = " ".join(r.header_all("Set-Cookie"))
    for flag in ("HttpOnly", "SameSite=Strict", "Path=/"):
        if flag not in sc:
            return "Set-Cookie lacks %s: %r" % (flag, sc)
    if "token" in (r.json or {}):
        return "a cookie login must not put the session token in the body"
    if not (r.json or {}).get("csrf_token"):
        return "no csrf_token in the answer"
    return None


def patient(family, premises=1):
    return {"given_name": "Test", "family_name": family, "birth_date": "1980-01-01",
            "sex": "female", "premises_id": premises}


def login_and_logout(t):
    run_steps(t, [
        login("admin logs in with a bearer token", "admin", ADMIN, ADMIN_PW,
              expect={"user.username": ADMIN, "user.roles": ["admin"],
                      "token": lambda v: isinstance(v, str) and len(v) >= 40,
                      "witness_token": lambda v: isinstance(v, str) and len(v) >= 40}),
        step("who am I (bearer)", "GET", "/api/v1/session", as_="admin", status=200,
             expect={"user.username": ADMIN, "token_kind": "bearer",
                     "idle_timeout_s": IDLE_S, "csrf_token": None}),
        login("a wrong password is refused", "x", ADMIN, "not-the-password",
              status=401, code="bad_credentials"),
        login("an unknown username gets the same refusal", "x", "nobody.here", "whatever-123",
              status=401, code="bad_credentials"),
        step("a login without a password is refused", "POST", "/api/v1/session",
             {"username": ADMIN}, status=400, code="missing_field",
             expect={"error.field": "password"}),
        step("a login with an unknown token kind is refused", "POST", "/api/v1/session",
             {"username": ADMIN, "password": ADMIN_PW, "token_kind": "jwt"},
             status=400, code="invalid_value", expect={"error.field": "token_kind"}),
        db_is("the refused logins made no session",
              "SELECT count(*) FROM sessions WHERE user_id = ?", [Ref("admin_id")], 1),
        login("nurse logs in with a cookie", "nurse_c", NURSE, NURSE_PW, kind="cookie",
              check=cookie_flags),
        step("who am I (cookie) gives the CSRF token again", "GET", "/api/v1/session",
             as_="nurse_c", status=200,
             expect={"token_kind": "cookie", "user.username": NURSE,
                     "csrf_token": lambda v: isinstance(v, str) and len(v) >= 40}),
        step("no session: 401", "GET", "/api/v1/patients", status=401, code="unauthenticated"),
        step("no session on who-am-I: 401", "GET", "/api/v1/session", status=401,
             code="unauthenticated"),
        step("a made-up bearer token: 401", "GET", "/api/v1/patients",
             headers={"Authorization": "Bearer " + "A" * 43}, status=401,
             code="unauthenticated"),
        step("an over-long bearer token: 401", "GET", "/api/v1/patients",
             headers={"Authorization": "Bearer " + "A" * 5000}, status=401,
             code="unauthenticated"),
        step("a made-up cookie: 401", "GET", "/api/v1/session",
             headers={"Cookie": "hat_session=nonsense"}, status=401, code="unauthenticated"),
    ])
    nurse_c = t.sessions["nurse_c"]
    run_steps(t, [
        step("a cookie session's token sent as a bearer token is refused", "GET",
             "/api/v1/session", headers={"Authorization": "Bearer " + nurse_c.cookie},
             status=401, code="unauthenticated"),
        step("a cookie write without the CSRF token is refused", "POST", "/api/v1/patients",
             patient("Csrfless"), as_="nurse_c", csrf=False, status=403,
             code="csrf_token_missing"),
        step("a cookie write with a wrong CSRF token is refused", "POST", "/api/v1/patients",
             patient("Csrfwrong"), as_="nurse_c", csrf=False,
             headers={"X-CSRF-Token": "x" * 43}, status=403, code="csrf_token_missing"),
        step("a cookie write with a truncated CSRF token is refused", "POST",
             "/api/v1/patients", patient("Csrfother"), as_="nurse_c", csrf=False,
             headers={"X-CSRF-Token": nurse_c.csrf[:-1]}, status=403,
             code="csrf_token_missing"),
        db_is("nothing was written by the refused writes",
              "SELECT count(*) FROM patients WHERE family_name LIKE 'Csrf%'", [], 0),
        step("the same write with the CSRF token succeeds", "POST", "/api/v1/patients",
             patient("Csrfok"), as_="nurse_c", status=201,
             expect={"family_name": "Csrfok"}, save={"csrf_pid": "id"}),
        db_is("and is in the database once",
              "SELECT count(*) FROM patients WHERE family_name = 'Csrfok'", [], 1),
        step("a cookie logout without the CSRF token is refused", "DELETE", "/api/v1/session",
             as_="nurse_c", csrf=False, status=403, code="csrf_token_missing"),
        step("the cookie session logs out", "DELETE", "/api/v1/session", as_="nurse_c",
             status=200, expect={"logged_out": True},
             check=lambda r, t: None if any("Max-Age=0" in v for v in
                                             r.header_all("Set-Cookie"))
             else "the logout did not clear the cookie"),
        step("the cookie no longer works", "GET", "/api/v1/session", as_="nurse_c",
             status=401, code="unauthenticated"),
        step("admin logs out (bearer)", "DELETE", "/api/v1/session", as_="admin", status=200,
             expect={"logged_out": True}),
        step("the bearer token no longer works", "GET", "/api/v1/session", as_="admin",
             status=401, code="unauthenticated"),
        db_is("both sessions are revoked in the database",
              "SELECT count(*), count(revoked_at) FROM sessions WHERE user_id IN (?, ?)",
              [Ref("admin_id"), Ref("nurse_c_id")], [(2, 2)]),
        db_is("the logouts are audited",
              "SELECT count(*) FROM audit_events WHERE action = 'session.close'"
              " AND actor_id IN (?, ?)", [Ref("admin_id"), Ref("nurse_c_id")], 2),
    ])


def roles(t):
    run_steps(t, [
        login("admin logs in", "admin", ADMIN, ADMIN_PW),
        login("nurse logs in", "nurse", NURSE, NURSE_PW),
        login("auditor logs in", "auditor", AUDITOR, AUDITOR_PW),
        step("a nurse cannot add a user", "POST", "/api/v1/users",
             {"username": "sneaky", "display_name": "Sneaky", "password": "sneaky-pass-1",
              "roles": ["admin"]}, as_="nurse", status=403, code="forbidden"),
        db_is("no user was added", "SELECT count(*) FROM users WHERE username = 'sneaky'", [], 0),
        step("a nurse cannot list users", "GET", "/api/v1/users", as_="nurse", status=403,
             code="forbidden"),
        step("a nurse cannot change a user", "PATCH", "/api/v1/users/{nurse_id}",
             {"roles": ["admin"]}, as_="nurse", status=403, code="forbidden"),
        step("a nurse cannot read the audit chain", "GET", "/api/v1/audit", as_="nurse",
             status=403, code="forbidden"),
        step("a nurse cannot read the access log", "GET", "/api/v1/access-log", as_="nurse",
             status=403, code="forbidden"),
        step("an admin cannot read patient records", "GET", "/api/v1/patients", as_="admin",
             status=403, code="forbidden"),
        step("an auditor cannot read patient records", "GET", "/api/v1/patients",
             as_="auditor", status=403, code="forbidden"),
        step("a nurse cannot set someone else's password", "POST",
             "/api/v1/users/{admin_id}/password", {"password": "taken-over-123"},
             as_="nurse", status=403, code="forbidden"),
        step("a nurse may change her own password", "POST",
             "/api/v1/users/{nurse_id}/password",
             {"password": "nurse-new-pass-1", "current_password": NURSE_PW},
             as_="nurse", status=200, expect={"password_changed": True}),
        login("the old password no longer works", "x", NURSE, NURSE_PW, status=401,
              code="bad_credentials"),
        login("the new one does", "nurse", NURSE, "nurse-new-pass-1"),
        step("admin resets it back", "POST", "/api/v1/users/{nurse_id}/password",
             {"password": NURSE_PW}, as_="admin", status=200),
        step("a too-short password is refused", "POST", "/api/v1/users/{nurse_id}/password",
             {"password": "short"}, as_="admin", status=400, code="weak_password",
             expect={"error.field": "password"}),
        login("nurse logs in again", "nurse", NURSE, NURSE_PW),
    ])


def idle_expiry(t):
    run_steps(t, [
        login("keyworker logs in", "kw", KW, KW_PW),
        clock("29 minutes pass", advance_s=IDLE_S - 60),
        step("the session is alive after 29 idle minutes", "GET", "/api/v1/session", as_="kw",
             status=200),
        clock("another 29 minutes pass", advance_s=IDLE_S - 60),
        step("using it reset the idle timer", "GET", "/api/v1/patients", as_="kw",
             status=200),
        clock("exactly the idle timeout passes", advance_s=IDLE_S),
        step("the idle session has expired", "GET", "/api/v1/session", as_="kw", status=401,
             code="session_expired"),
        step("and cannot write either", "POST", "/api/v1/patients", patient("Idle"), as_="kw",
             status=401, code="session_expired"),
        login("a new login works", "kw", KW, KW_PW),
    ])
    # Absolute expiry: keep the session busy every 25 minutes for 12 hours.
    steps = [login("nurse logs in for a long day", "day", NURSE2, NURSE2_PW)]
    elapsed = 0
    while elapsed + 25 * 60 < ABSOLUTE_S:
        elapsed += 25 * 60
        steps.append(clock("%d minutes into the day" % (elapsed // 60), advance_s=25 * 60))
        steps.append(step("still logged in after %d minutes" % (elapsed // 60), "GET",
                          "/api/v1/session", as_="day", status=200))
    steps += [
        clock("up to one second before 12 hours", advance_s=ABSOLUTE_S - elapsed - 1),
        step("still logged in at 11:59:59", "GET", "/api/v1/session", as_="day", status=200),
        clock("12 hours since login", advance_s=1),
        step("the busy session ends at 12 hours", "GET", "/api/v1/session", as_="day",
             status=401, code="session_expired"),
    ]
    run_steps(t, steps)


def lockout(t):
    run_steps(t, [
        login("failure 1", "x", KW, "wrong-password-1", status=401, code="bad_credentials"),
        login("failure 2", "x", KW, "wrong-password-2", status=401, code="bad_credentials"),
        login("failure 3", "x", KW, "wrong-password-3", status=401, code="bad_credentials"),
        db_is("three failures are counted", "SELECT failed_logins FROM users WHERE username = ?",
              [KW], 3),
        login("after 3 failures even the right password waits", "x", KW, KW_PW, status=429,
              code="login_throttled",
              check=lambda r, t: None if r.header("Retry-After") else "no Retry-After header"),
        clock("4 seconds pass", advance_s=4),
        login("still throttled before the wait is over", "x", KW, KW_PW, status=429,
              code="login_throttled"),
        clock("the 5-second wait passes", advance_s=2),
        login("failure 4 is allowed and counted", "x", KW, "wrong-password-4", status=401,
              code="bad_credentials"),
        login("the wait doubles", "x", KW, KW_PW, status=429, code="login_throttled"),
        clock("6 seconds pass: not yet 10", advance_s=6),
        login("still throttled", "x", KW, KW_PW, status=429, code="login_throttled"),
        clock("the 10-second wait passes", advance_s=5),
        login("failure 5 locks the account", "x", KW, "wrong-password-5", status=401,
              code="bad_credentials"),
        db_is("the lock is recorded", "SELECT failed_logins, locked_until - last_failed_at"
              " FROM users WHERE username = ?", [KW], [(5, 15 * 60)]),
        login("the right password is refused while locked", "x", KW, KW_PW, status=429,
              code="account_locked"),
        clock("14 minutes pass", advance_s=14 * 60),
        login("still locked", "x", KW, KW_PW, status=429, code="account_locked"),
        clock("the 15-minute lock passes", advance_s=61),
        login("the right password works again", "kw", KW, KW_PW),
        db_is("the failure count is reset", "SELECT failed_logins, locked_until FROM users"
              " WHERE username = ?", [KW], [(0, None)]),
        db_is("each failure is audited",
              "SELECT count(*) FROM audit_events WHERE action = 'session.login_failed'"
              " AND entity_id = (SELECT id FROM users WHERE username = ?)", [KW], 5),
        step("the new session works", "GET", "/api/v1/session", as_="kw", status=200),
    ])


def lockout_race(t):
    """Guesses sent together are checked one at a time, so they are throttled
    exactly as the same guesses one after another: three reach the password
    check, the rest are turned away before it."""
    results = []

    def guess(i):
        r = t.request("POST", "/api/v1/session",
                      {"username": CDAO, "password": "wrong-guess-%02d" % i,
                       "token_kind": "bearer"})
        results.append(r.status)

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    failures = t.scalar("SELECT failed_logins FROM users WHERE username = ?", [CDAO])
    t.report.check("three of eight parallel guesses reach the password check",
                   sorted(results) == [401] * 3 + [429] * 5 and failures == 3,
                   "failed_logins %r, statuses %r" % (failures, results))
    run_steps(t, [
        login("the right password is held back by the throttle too", "x", CDAO, CDAO_PW,
              status=429, code="login_throttled"),
    ])


def witness(t):
    run_steps(t, [
        login("nurse 1 logs in", "n1", NURSE, NURSE_PW),
        login("nurse 2 logs in on another tablet", "n2", NURSE2, NURSE2_PW),
        note("note the chain head", lambda t: t.vars.update(
            seq0=t.scalar("SELECT max(seq) FROM audit_events"))),
        step("nurse 2 witnesses with her password", "POST", "/api/v1/session/witness",
             {"username": NURSE2, "password": NURSE2_PW}, as_="n1", status=200,
             expect={"witness.username": NURSE2, "by_token": False}),
    ])
    n1, n2 = t.sessions["n1"], t.sessions["n2"]
    t.vars["n1_wt"] = n1.witness_token
    t.vars["n2_wt"] = n2.witness_token
    run_steps(t, [
        step("nurse 2 witnesses with her witness token", "POST", "/api/v1/session/witness",
             {"token": Ref("n2_wt")}, as_="n1", status=200,
             expect={"witness.username": NURSE2, "by_token": True}),
        step("a nurse cannot witness herself by password", "POST", "/api/v1/session/witness",
             {"username": NURSE, "password": NURSE_PW}, as_="n1", status=422,
             code="witness_same_person"),
        step("a nurse cannot witness herself by token", "POST", "/api/v1/session/witness",
             {"token": Ref("n1_wt")}, as_="n1", status=422, code="witness_same_person"),
        step("a wrong witness password is refused", "POST", "/api/v1/session/witness",
             {"username": NURSE2, "password": "not-her-password"}, as_="n1", status=422,
             code="witness_bad_credentials"),
        step("an unknown witness is refused", "POST", "/api/v1/session/witness",
             {"username": "nobody.here", "password": "whatever-123"}, as_="n1", status=422,
             code="witness_bad_credentials"),
        step("a made-up witness token is refused", "POST", "/api/v1/session/witness",
             {"token": "B" * 43}, as_="n1", status=422, code="witness_bad_credentials"),
        step("the session token is not a witness token", "POST", "/api/v1/session/witness",
             {"token": n2.token}, as_="n1", status=422, code="witness_bad_credentials"),
        step("no witness at all", "POST", "/api/v1/session/witness", {}, as_="n1",
             status=422, code="witness_required"),
        step("nurse 2 logs out", "DELETE", "/api/v1/session", as_="n2", status=200),
        step("her witness token ends with her session", "POST", "/api/v1/session/witness",
             {"token": Ref("n2_wt")}, as_="n1", status=422, code="witness_bad_credentials"),
        step("her password still witnesses", "POST", "/api/v1/session/witness",
             {"username": NURSE2, "password": NURSE2_PW}, as_="n1", status=200),
        db_is("no witness check wrote to the chain (only the logout did)",
              "SELECT group_concat(action) FROM audit_events WHERE seq > ?", [Ref("seq0")],
              "session.close"),
        # Two wrong passwords so far from nurse 1; three more reach the limit.
    ] + [
        step("wrong witness password %d of 5" % n, "POST", "/api/v1/session/witness",
             {"username": NURSE2, "password": "guess-%d-xxxxx" % n}, as_="n1", status=422,
             code="witness_bad_credentials") for n in (3, 4, 5)
    ] + [
        step("a sixth guess is not even tried", "POST", "/api/v1/session/witness",
             {"username": NURSE2, "password": "guess-6-xxxxx"}, as_="n1", status=429,
             code="witness_attempts_exceeded"),
        step("nor is the right password, from that login, for now", "POST",
             "/api/v1/session/witness", {"username": NURSE2, "password": NURSE2_PW}, as_="n1",
             status=429, code="witness_attempts_exceeded"),
        step("the witness's own login is not locked by a colleague's typing", "POST",
             "/api/v1/session", {"username": NURSE2, "password": NURSE2_PW,
                                 "token_kind": "bearer"}, status=201),
        clock("the 15 minutes pass", advance_s=15 * 60),
        step("after them the right password witnesses again", "POST",
             "/api/v1/session/witness", {"username": NURSE2, "password": NURSE2_PW},
             as_="n1", status=200),
    ])


def body(t):
    login_and_logout(t)
    roles(t)
    lockout(t)
    lockout_race(t)
    witness(t)
    idle_expiry(t)


if __name__ == "__main__":
    sys.exit(main("test_auth", body, demo="staff"))
