"""test_cli.py: hatctl's user commands and its refusals, beside a running
hatd: what the operator does at the command line goes through the same
commands, and into the same audit chain, as the API.

Run by ctest as: python3 test_cli.py --hatd PATH --hatctl PATH
"""
import os
import subprocess
import sys

import pgstore
from harness import ADMIN, ADMIN_PW, DEMO_PW, Ref, db_is, do, login, main, note, run_steps, step

NEW_PW = "a-new-password-1"


def cli(t, *argv, stdin=None, db=None):
    """Runs hatctl with argv (and --db), feeding stdin; returns the result."""
    cmd = [t.hatctl_path] + list(argv) + ["--db", db or t.db_path]
    p = subprocess.run(cmd, input=(stdin or "").encode(), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=60, cwd=t.dir)
    p.out = p.stdout.decode("utf-8", "replace")
    p.err = p.stderr.decode("utf-8", "replace")
    return p


def expect_cli(label, argv, code, out=None, err=None, stdin=None, db=None):
    def fn(t):
        p = cli(t, *argv, stdin=stdin, db=db)
        if p.returncode != code:
            return "exit %d, want %d: %s%s" % (p.returncode, code, p.out, p.err)
        if out and out not in p.out:
            return "no %r in the output: %s" % (out, p.out)
        if err and err not in p.err:
            return "no %r in the errors: %s" % (err, p.err)
        return None
    return do(label, fn)


def body(t):
    run_steps(t, [
        note("note the chain head", lambda t: t.vars.update(
            seq0=t.scalar("SELECT max(seq) FROM audit_events"))),
        expect_cli("user list shows the staff and their roles", ["user", "list"], 0,
                   out="nurse.patel"),
        expect_cli("user add reads the password from standard input",
                   ["user", "add", "kw.new", "--name", "New Keyworker", "--roles", "keyworker"],
                   0, stdin=NEW_PW + "\n", out="added user 'kw.new'"),
        login("the new keyworker logs in with that password", "kw", "kw.new", NEW_PW),
        expect_cli("a taken username is refused with its code",
                   ["user", "add", "kw.new", "--roles", "nurse", "--password", NEW_PW], 1,
                   err="username_taken"),
        expect_cli("an unknown role is refused", ["user", "add", "x.y", "--roles", "wizard",
                                                   "--password", NEW_PW], 1,
                   err="invalid_value"),
        expect_cli("a weak password is refused", ["user", "add", "x.z", "--roles", "nurse",
                                                   "--password", "short"], 1,
                   err="weak_password"),
        expect_cli("passwd sets a new password", ["user", "passwd", "kw.new"], 0,
                   stdin="another-password-2\n", out="password changed"),
        login("the old password no longer works", "old", "kw.new", NEW_PW, status=401,
              code="bad_credentials"),
        login("the new one does", "kw", "kw.new", "another-password-2"),
        expect_cli("disable ends the account's sessions", ["user", "disable", "kw.new"], 0,
                   out="disabled 'kw.new'"),
        step("the disabled keyworker's session has ended", "GET", "/api/v1/session",
             as_="kw", status=401, code="unauthenticated"),
        login("nor can she log in again", "kw2", "kw.new", "another-password-2", status=401,
              code="account_disabled"),
        expect_cli("one of the two administrators may be disabled",
                   ["user", "disable", "admin.demo"], 0),
        expect_cli("but not the last one", ["user", "disable", ADMIN], 1, err="last_admin"),
        expect_cli("an unknown user", ["user", "passwd", "nobody"], 1, err="no user 'nobody'"),
        expect_cli("a bare group prints its usage", ["user"], 2, err="usage:"),
        db_is("each hatctl change is in the chain, naming the operator",
              "SELECT group_concat(action) FROM audit_events WHERE seq > ? AND"
              " detail LIKE '%\"via\":\"hatctl\"%'", [Ref("seq0")],
              "user.create,user.set_password,user.update,user.update"),
        expect_cli("init refuses a database that exists",
                   ["init", "--clinic", "Again", "--admin", "a2", "--password", NEW_PW], 1,
                   err="exists already"),
        # On PostgreSQL, restore is PostgreSQL's own (pg_restore).
        expect_cli("restore refuses to replace a database without --force"
                   if not pgstore.enabled() else "restore points to pg_restore",
                   ["restore", os.devnull], 1,
                   err="pg_restore" if pgstore.enabled() else "add --force"),
        expect_cli("verify passes with hatd running", ["verify"], 0, out="ok:"),
        login("an administrator still logs in", "admin", ADMIN, ADMIN_PW),
    ])


if __name__ == "__main__":
    sys.exit(main("test_cli", body, demo="staff"))
