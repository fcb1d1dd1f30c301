"""test_cli_options.py: hatctl's --db before the command works as well as
after it (as with git and sqlite3), the command's own wins when both are
given, and a stray option before the command is a usage error.

Run by ctest as: python3 test_cli_options.py --hatd PATH --hatctl PATH
"""
import os
import subprocess
import sys

from harness import do, main, run_steps


def run(t, argv, env_db=None):
    env = dict(os.environ)
    env.pop("HAT_DB", None)
    if env_db:
        env["HAT_DB"] = env_db
    p = subprocess.run([t.hatctl_path] + argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=60, cwd=t.dir, env=env)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def expect(label, argv, code, out=None, err=None, env_db=None):
    def fn(t):
        real = t.db_path
        missing = os.path.join(t.dir, "missing.db")
        args = [a.replace("REAL", real).replace("MISSING", missing) for a in argv]
        rc, o, e = run(t, args, env_db=env_db and env_db.replace("MISSING", missing))
        if rc != code:
            return "exit %d, want %d: %s%s" % (rc, code, o, e)
        if out and out not in o:
            return "no %r in the output: %s" % (out, o)
        if err and err not in e:
            return "no %r in the errors: %s" % (err, e)
        return None
    return do(label, fn)


def body(t):
    run_steps(t, [
        expect("--db before the command", ["--db", "REAL", "user", "list"], 0, out="nurse.patel"),
        expect("--db=PATH before the command", ["--db=REAL", "user", "list"], 0,
               out="nurse.patel"),
        expect("--db after the command, as before", ["user", "list", "--db", "REAL"], 0,
               out="nurse.patel"),
        expect("the command's own --db wins over the one before it",
               ["--db", "MISSING", "user", "list", "--db", "REAL"], 0, out="nurse.patel"),
        expect("and the other way round it names the missing one",
               ["--db", "REAL", "user", "list", "--db", "MISSING"], 1, err="missing.db"),
        expect("--db before the command wins over $HAT_DB", ["--db", "REAL", "verify"], 0,
               env_db="MISSING"),
        expect("a missing database named before the command is refused",
               ["--db", "MISSING", "verify"], 1, err="missing.db"),
        expect("--db with no path is a usage error", ["--db"], 2, err="needs a path"),
        expect("an unknown option before the command is a usage error",
               ["--frobnicate", "user", "list"], 2, err="is not an option"),
        expect("options with no command print the usage", ["--db", "REAL"], 2, err="usage:"),
        expect("--help before the command prints the usage", ["--help"], 0,
               out="hatctl [--db PATH] COMMAND"),
    ])


if __name__ == "__main__":
    sys.exit(main("test_cli_options", body, start=False))
