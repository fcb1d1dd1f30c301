"""test_credentials.py: passwords and the limits on guessing them.

- Changing one's own password needs the current one; a wrong one is
  counted like a wrong witness password.
- An admin's reset makes the person choose a new password at the next
  login: until then their session may only change it (or log out).
- A change, a reset or a disable ends every other session of that person.
- The witness check honours the login lock, and the witness throttle
  survives a restart.
- Failed logins are limited per client address and in total: an address
  over its limit is refused before its guesses count against (and lock)
  the accounts it names.

Run by ctest as: python3 test_credentials.py --hatd PATH --hatctl PATH
"""
import http.client
import json
import sys

from harness import ADMIN, ADMIN_PW, DEMO_PW, Ref, clock, db_is, do, login, main, run_steps, step

NURSE, NURSE_PW = "nurse.patel", DEMO_PW["nurse.patel"]
NURSE2, NURSE2_PW = "nurse.byrne", DEMO_PW["nurse.byrne"]
KW, KW_PW = "kw.mensah", DEMO_PW["kw.mensah"]
NEW_PW = "brand-new-pass-01"


def restart(t, extra=()):
    """Stops and starts hatd, its test clock where it was."""
    now = t.clock(advance_s=0)
    t.stop()
    t.start(extra=extra)
    t.clock(now=now)


def login_from(t, source, username, password):
    """A login from another loopback address (127.0.0.x): the server sees
    each as its own client."""
    conn = http.client.HTTPConnection("127.0.0.1", t.port, timeout=30,
                                      source_address=(source, 0))
    try:
        conn.request("POST", "/api/v1/session",
                     json.dumps({"username": username, "password": password,
                                 "token_kind": "bearer"}),
                     {"Content-Type": "application/json"})
        r = conn.getresponse()
        body = json.loads(r.read() or b"null")
        return r.status, (body or {}).get("error", {}).get("code")
    finally:
        conn.close()


def expect_login(label, source, username, password, status, code=None):
    def fn(t):
        got, got_code = login_from(t, source, username, password)
        if got != status or (code and got_code != code):
            return "got %d %s, want %d %s" % (got, got_code, status, code)
        return None
    return do(label, fn)


def own_change(t):
    run_steps(t, [
        login("admin logs in", "admin", ADMIN, ADMIN_PW),
        login("the nurse logs in at the station", "nurse", NURSE, NURSE_PW),
        login("and on a tablet", "tablet", NURSE, NURSE_PW),
        step("changing her own password without the current one is refused", "POST",
             "/api/v1/users/{nurse_id}/password", {"password": NEW_PW}, as_="nurse",
             status=400, code="missing_field", expect={"error.field": "current_password"}),
        step("with a wrong current one too", "POST", "/api/v1/users/{nurse_id}/password",
             {"password": NEW_PW, "current_password": "not-my-password"}, as_="nurse",
             status=422, code="current_password_wrong",
             expect={"error.field": "current_password"}),
        login("the old password still works", "x", NURSE, NURSE_PW),
        step("with the current one it changes", "POST", "/api/v1/users/{nurse_id}/password",
             {"password": NEW_PW, "current_password": NURSE_PW}, as_="nurse", status=200),
        step("the session that changed it goes on", "GET", "/api/v1/session", as_="nurse",
             status=200),
        step("her other sessions have ended", "GET", "/api/v1/session", as_="tablet",
             status=401, code="unauthenticated"),
        step("and the one opened on the old password", "GET", "/api/v1/session", as_="x",
             status=401),
        step("a current password in the wrong type is refused", "POST",
             "/api/v1/users/{nurse_id}/password", {"password": NURSE_PW, "current_password": 5},
             as_="nurse", status=400),
        step("she changes it back", "POST", "/api/v1/users/{nurse_id}/password",
             {"password": NURSE_PW, "current_password": NEW_PW}, as_="nurse", status=200),
    ])


def reset(t):
    run_steps(t, [
        login("the keyworker logs in", "kw", KW, KW_PW),
        login("and elsewhere", "kw2", KW, KW_PW),
        step("a keyworker cannot reset another's password", "POST",
             "/api/v1/users/{nurse_id}/password", {"password": NEW_PW}, as_="kw",
             status=403, code="forbidden"),
        step("the admin resets the keyworker's password", "POST",
             "/api/v1/users/{kw_id}/password", {"password": NEW_PW}, as_="admin", status=200),
        step("every session of his has ended", "GET", "/api/v1/session", as_="kw",
             status=401),
        step("the other one too", "GET", "/api/v1/session", as_="kw2", status=401),
        login("the old password no longer works", "x", KW, KW_PW, status=401,
              code="bad_credentials"),
        login("he logs in with the reset one", "kw", KW, NEW_PW,
              expect={"user.must_change_password": True}),
        step("his session says who he is", "GET", "/api/v1/session", as_="kw", status=200,
             expect={"user.must_change_password": True}),
        step("but reads no patient until he chooses a password", "GET", "/api/v1/patients",
             as_="kw", status=403, code="password_change_required"),
        step("nor writes anything", "POST", "/api/v1/patients", {}, as_="kw", status=403,
             code="password_change_required"),
        step("he chooses his own", "POST", "/api/v1/users/{kw_id}/password",
             {"password": KW_PW, "current_password": NEW_PW}, as_="kw", status=200),
        step("and may work again", "GET", "/api/v1/patients", as_="kw", status=200),
        db_is("the flag is down", "SELECT must_change_password FROM users WHERE id = ?",
              [Ref("kw_id")], 0),
        db_is("the chain says which was a reset and which a change",
              "SELECT group_concat(json_extract(detail, '$.kind')) FROM audit_events"
              " WHERE action = 'user.set_password' AND entity_id = ?", [Ref("kw_id")],
              "reset,change"),
        login("he logs in again elsewhere", "kw2", KW, KW_PW),
        step("a disable ends his sessions", "PATCH", "/api/v1/users/{kw_id}",
             {"disabled": True}, as_="admin", status=200),
        step("all of them", "GET", "/api/v1/session", as_="kw2", status=401),
        step("he is enabled again", "PATCH", "/api/v1/users/{kw_id}", {"disabled": False},
             as_="admin", status=200),
    ])


def witness_by_token(t, status, code):
    r = t.request("POST", "/api/v1/session/witness",
                  {"token": t.sessions["nurse2"].witness_token}, session=t.sessions["nurse"])
    if r.status != status or r.code != code:
        return "got %d %s" % (r.status, r.short())
    return None


def witness(t):
    wrong = {"username": NURSE2, "password": "wrong-wrong-1"}
    run_steps(t, [
        login("the nurse logs in", "nurse", NURSE, NURSE_PW),
        login("the second nurse logs in", "nurse2", NURSE2, NURSE2_PW),
    ] + sum([[clock("a minute passes", advance_s=60),
              login("a wrong password for the second nurse (%d)" % i, "x", NURSE2,
                    "wrong-%d-pass" % i, status=401, code="bad_credentials")]
             for i in range(1, 6)], []) + [
        login("her account is locked", "x", NURSE2, NURSE2_PW, status=429,
              code="account_locked"),
        step("so she cannot witness with her password", "POST", "/api/v1/session/witness",
             {"username": NURSE2, "password": NURSE2_PW}, as_="nurse", status=429,
             code="account_locked"),
        do("nor with her witness token", lambda t: witness_by_token(t, 429, "account_locked")),
        clock("the lock runs out", advance_s=15 * 60 + 1),
        login("the second nurse logs in again", "nurse2", NURSE2, NURSE2_PW),
        step("and witnesses again", "POST", "/api/v1/session/witness",
             {"username": NURSE2, "password": NURSE2_PW}, as_="nurse", status=200),
    ] + [step("a wrong witness password (%d)" % i, "POST", "/api/v1/session/witness", wrong,
              as_="nurse", status=422, code="witness_bad_credentials") for i in range(1, 6)] + [
        step("the sixth is refused without a check", "POST", "/api/v1/session/witness",
             {"username": NURSE2, "password": NURSE2_PW}, as_="nurse", status=429,
             code="witness_attempts_exceeded"),
        do("hatd restarts", lambda t: restart(t)),
        step("the count survives the restart", "POST", "/api/v1/session/witness",
             {"username": NURSE2, "password": NURSE2_PW}, as_="nurse", status=429,
             code="witness_attempts_exceeded"),
        clock("15 minutes pass", advance_s=15 * 60),
        login("the nurse logs in again (her session was idle)", "nurse", NURSE, NURSE_PW),
        step("and the witness is checked again", "POST", "/api/v1/session/witness",
             {"username": NURSE2, "password": NURSE2_PW}, as_="nurse", status=200),
    ])


def addresses(t):
    """With 6 failures allowed per address and 9 in all."""
    nurses = [NURSE, NURSE2, KW, "dr.okafor", "pharm.lindqvist", "mgr.hughes"]
    run_steps(t, [
        do("hatd restarts with small limits", lambda t: restart(t, (
            "--set", "login_address_limit=6", "--set", "login_total_limit=9"))),
        clock("a fresh window", advance_s=3600),
    ] + [expect_login("127.0.0.2 guesses at %s" % n, "127.0.0.2", n, "guess-pass-1", 401,
                      "bad_credentials") for n in nurses] + [
        expect_login("its seventh guess is refused before any check", "127.0.0.2", NURSE,
                     "guess-pass-1", 429, "login_throttled"),
        expect_login("even with the right password", "127.0.0.2", NURSE, NURSE_PW, 429,
                     "login_throttled"),
        db_is("the refused guesses did not count against the account",
              "SELECT failed_logins FROM users WHERE username = ?", [NURSE], 1),
        expect_login("another address is not held up", "127.0.0.3", NURSE, NURSE_PW, 201),
        expect_login("127.0.0.3 guesses", "127.0.0.3", NURSE2, "guess-pass-2", 401),
        expect_login("and again", "127.0.0.3", "dr.okafor", "guess-pass-3", 401),
        expect_login("127.0.0.4 makes the ninth failure in all", "127.0.0.4",
                     "pharm.lindqvist", "guess-pass-4", 401),
        expect_login("now every address is slowed", "127.0.0.5", KW, KW_PW, 429,
                     "login_throttled"),
        db_is("no account was locked", "SELECT count(*) FROM users WHERE failed_logins >= 5",
              [], 0),
        clock("the window passes", advance_s=15 * 60),
        expect_login("logins go through again", "127.0.0.2", NURSE, NURSE_PW, 201),
        expect_login("from anywhere", "127.0.0.5", KW, KW_PW, 201),
    ])


def body(t):
    own_change(t)
    reset(t)
    witness(t)
    addresses(t)


if __name__ == "__main__":
    sys.exit(main("test_credentials", body, demo="staff"))
