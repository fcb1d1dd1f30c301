"""test_shutdown.py: SIGTERM while requests are running.

hatd must exit 0; every request that was answered 2xx must be in the
database with its audit event; nothing may be half-written; the chain must
verify.  A client stalled half-way through its body must not hold the
shutdown past the grace period.

Run by ctest as: python3 test_shutdown.py --hatd PATH --hatctl PATH
"""
import os
import signal
import socket
import subprocess
import sys
import threading
import time

from harness import DEMO_PW, STOP_TIMEOUT, login, main, run_steps

STATIONS = 12
PER_STATION = 400  # an upper bound: stations stop when hatd goes away
GRACE_S = 10       # http_stop's grace in src/hatd/main.c


def person(family):
    return {"given_name": "Stop", "family_name": family, "birth_date": "1975-03-04",
            "sex": "female", "premises_id": 1}


def station(t, n, session, outcomes, lock, started):
    for i in range(PER_STATION):
        family = "Stop%02d%03d" % (n, i)
        try:
            r = t.request("POST", "/api/v1/patients", person(family), session=session,
                          timeout=20)
            out = (family, r.status, r.code, (r.json or {}).get("id"))
        except (ConnectionRefusedError, ConnectionResetError, BrokenPipeError) as e:
            out = (family, 0, type(e).__name__, None)
        except OSError as e:  # a closed socket mid-answer, a timeout
            out = (family, -1, "%s: %s" % (type(e).__name__, e), None)
        with lock:
            outcomes.append(out)
            started[0] += 1
        if out[1] <= 0:
            return


def sigterm_under_load(t):
    rep = t.report
    run_steps(t, [
        login("nurse 1 logs in", "n1", "nurse.patel", DEMO_PW["nurse.patel"]),
        login("nurse 2 logs in", "n2", "nurse.byrne", DEMO_PW["nurse.byrne"]),
    ])
    t.allowed_5xx.add(503)  # shutting_down is a right answer during a stop
    outcomes = []
    lock = threading.Lock()
    started = [0]
    sessions = [t.sessions["n1"], t.sessions["n2"]]
    threads = [threading.Thread(target=station,
                                args=(t, n, sessions[n % 2], outcomes, lock, started))
               for n in range(STATIONS)]
    for th in threads:
        th.start()
    deadline = time.monotonic() + 20
    while started[0] < 60 and time.monotonic() < deadline:
        time.sleep(0.005)
    proc = t.proc
    t.proc = None
    t0 = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    try:
        rc = proc.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)
        rc = None
    took = time.monotonic() - t0
    wal = t.db_path + "-wal"
    wal_left = os.path.exists(wal) and os.path.getsize(wal) > 0
    for th in threads:
        th.join(30)
    rep.check("hatd checkpointed its write-ahead log on the way out", not wal_left,
              "%s holds %d bytes" % (wal, os.path.getsize(wal) if wal_left else 0))
    rep.check("hatd exits 0 on SIGTERM under load (%.2fs)" % took, rc == 0,
              "exit %r\n%s" % (rc, t.log_tail()))
    rep.check("every station stopped", not any(th.is_alive() for th in threads))
    t.check_log()

    ok = [o for o in outcomes if 200 <= o[1] < 300]
    cut = [o for o in outcomes if o[1] <= 0]
    other = [o for o in outcomes if o[1] > 0 and not 200 <= o[1] < 300]
    rep.check("requests were running when the signal came (%d answered 2xx, %d cut off)"
              % (len(ok), len(cut)), len(ok) >= 60 and len(cut) >= 1,
              "%d ok, %d cut, %d other" % (len(ok), len(cut), len(other)))
    rep.check("no request got an error other than 503 shutting_down",
              all(o[1] == 503 and o[2] == "shutting_down" for o in other),
              repr(other[:10]))

    rows = dict(t.query("SELECT family_name, id FROM patients WHERE family_name LIKE 'Stop%'"))
    missing = [o for o in ok if rows.get(o[0]) != o[3]]
    rep.check("every 2xx answer is in the database (%d)" % len(ok), not missing,
              "missing: %r" % missing[:10])
    unacked = len(rows) - len(ok)
    rep.check("nothing is there that was not asked for (%d committed without an answer)"
              % unacked, unacked >= 0 and set(rows) <= {o[0] for o in outcomes},
              "%d rows, %d acknowledged" % (len(rows), len(ok)))
    events = t.scalar("SELECT count(*) FROM audit_events WHERE action = 'patient.create'"
                      " AND entity_id IN (SELECT id FROM patients"
                      " WHERE family_name LIKE 'Stop%')")
    rep.eq("each patient has its audit event, no more and no less", events, len(rows))
    p = t.hatctl("verify")
    rep.check("the chain verifies after the stop", p.returncode == 0, p.out + p.err)


def stalled_client(t):
    """A client that sent half its body holds a request in flight: the stop
    waits for it only as long as the grace period, then exits 0."""
    rep = t.report
    t.start()
    t.freeze_clock_today()
    run_steps(t, [login("nurse logs in", "n3", "nurse.patel", DEMO_PW["nurse.patel"])])
    body = b'{"given_name": "Stalled", '
    s = socket.create_connection(("127.0.0.1", t.port), timeout=5)
    s.sendall(("POST /api/v1/patients HTTP/1.1\r\nHost: x\r\n"
               "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
               "Content-Length: 200\r\n\r\n" % t.sessions["n3"].token).encode() + body)
    time.sleep(0.2)  # let hatd take the head and the first bytes
    proc = t.proc
    t.proc = None
    t0 = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    time.sleep(0.3)
    try:
        c = socket.create_connection(("127.0.0.1", t.port), timeout=2)
        c.close()
        refused = False
    except OSError:
        refused = True
    rep.check("a stopping hatd takes no new connections", refused)
    try:
        rc = proc.wait(timeout=GRACE_S + 10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)
        rc = None
    took = time.monotonic() - t0
    s.close()
    rep.check("a stalled client does not hold the stop past the grace (%.1fs)" % took,
              rc == 0 and took < GRACE_S + 5, "exit %r after %.1fs" % (rc, took))
    t.check_log()
    n = t.scalar("SELECT count(*) FROM patients WHERE given_name = 'Stalled'")
    rep.eq("the stalled request wrote nothing", n, 0)


def body(t):
    sigterm_under_load(t)
    stalled_client(t)


if __name__ == "__main__":
    sys.exit(main("test_shutdown", body, demo="staff"))
