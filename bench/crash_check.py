#!/usr/bin/env python3
"""crash_check.py: kill -9 hatd while stations are dosing; nothing answered
201 may be lost, and nothing may be half-written.

Each round: hatd (a TEST-CLOCK build) runs on a database seeded through the
API; the test clock is put into the round's session window; stations (one
thread and one kept-alive connection each) take their patients through
check-in, assessment and a witnessed administration; a moment into it hatd
is killed with SIGKILL.  Every administration whose POST got a 2xx answer is
remembered (its id and patient).  hatd is then started again on the same
database (SQLite recovers the WAL), and the check is that:

  - every acknowledged dose is in `administrations`, with the same patient;
  - no administration is half-written: each has its 'dosed' visit event
    (visit_events.ref_id = the administration id) and its audit event
    (action 'visit.administer', detail.administration_id = the id);
  - no 'dosed' event or audit event points at a missing administration;
  - `hatctl verify --db DB` exits 0 (the audit chain and the register).

Prints PASS or FAIL and exits 0 or 1 (2 when the check could not run).
"""

import argparse
import os
import random
import sqlite3
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402


def stations_until_killed(srv, clinic, rnd, acked, stats, lock):
    """Starts one thread per station; returns them (they stop when the
    server goes away or their patients are done)."""
    threads = []

    def station(i):
        st = clinic.stations[i]
        conn = common.Conn(srv.port, st["token"], timeout=10)
        mine = []
        n_req = 0
        refused = {}
        try:
            for k, pid in enumerate(st["patients"]):
                for step in ("check_in", "assess", "administer"):
                    n_req += 1
                    try:
                        if step == "check_in":
                            s, j = common.check_in(conn, pid)
                        elif step == "assess":
                            s, j = common.assess(conn, pid)
                        else:
                            s, j = common.administer(conn, pid, st["witness_token"], rnd + k)
                    except Exception:
                        return  # the server is gone: this request has no answer
                    if 200 <= s < 300:
                        if step == "administer":
                            mine.append((j["id"], pid, j.get("patient_id")))
                    else:
                        key = "%s %d %s" % (step, s, (j or {}).get("error", {}).get("code"))
                        refused[key] = refused.get(key, 0) + 1
                        break  # this patient's visit cannot go on
        finally:
            conn.close()
            with lock:
                acked.extend(mine)
                stats["requests"] += n_req
                for key, v in refused.items():
                    stats["refused"][key] = stats["refused"].get(key, 0) + v

    for i in range(len(clinic.stations)):
        t = threading.Thread(target=station, args=(i,), daemon=True)
        t.start()
        threads.append(t)
    return threads


def check_db(srv, acked, problems):
    """The database after the crash, read-only beside the restarted hatd."""
    db = sqlite3.connect("file:%s?mode=ro" % srv.db, uri=True, timeout=10)
    try:
        have = dict(db.execute("SELECT id, patient_id FROM administrations").fetchall())
        lost = [(a, p) for a, p, _ in acked if a not in have]
        wrong = [(a, p, have[a]) for a, p, _ in acked if a in have and have[a] != p]
        answered_wrong = [(a, p, q) for a, p, q in acked if q != p]
        if lost:
            problems.append("%d acknowledged dose(s) missing after restart, e.g. %r"
                            % (len(lost), lost[:5]))
        if wrong:
            problems.append("%d acknowledged dose(s) under another patient, e.g. %r"
                            % (len(wrong), wrong[:5]))
        if answered_wrong:
            problems.append("%d answer(s) named another patient, e.g. %r"
                            % (len(answered_wrong), answered_wrong[:5]))
        no_event = db.execute(
            "SELECT a.id FROM administrations a WHERE a.kind = 'injection' AND NOT EXISTS"
            " (SELECT 1 FROM visit_events v WHERE v.kind = 'dosed' AND v.ref_id = a.id"
            "  AND v.patient_id = a.patient_id)").fetchall()
        no_audit = db.execute(
            "SELECT a.id FROM administrations a WHERE NOT EXISTS"
            " (SELECT 1 FROM audit_events e WHERE e.action = 'visit.administer'"
            "  AND json_extract(e.detail, '$.administration_id') = a.id"
            "  AND e.entity = 'patient' AND e.entity_id = a.patient_id)"
            " AND a.kind = 'injection'").fetchall()
        orphan_event = db.execute(
            "SELECT v.id FROM visit_events v WHERE v.kind = 'dosed' AND NOT EXISTS"
            " (SELECT 1 FROM administrations a WHERE a.id = v.ref_id)").fetchall()
        orphan_audit = db.execute(
            "SELECT e.seq FROM audit_events e WHERE e.action = 'visit.administer' AND NOT EXISTS"
            " (SELECT 1 FROM administrations a"
            "  WHERE a.id = json_extract(e.detail, '$.administration_id'))").fetchall()
        for what, rows in (("administration(s) without their 'dosed' visit event", no_event),
                           ("administration(s) without their audit event", no_audit),
                           ("'dosed' event(s) naming no administration", orphan_event),
                           ("audit event(s) naming no administration", orphan_audit)):
            if rows:
                problems.append("%d %s, e.g. %r" % (len(rows), what, [r[0] for r in rows[:5]]))
        return len(have)
    finally:
        db.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=3, help="kills")
    ap.add_argument("--stations", type=int, default=16)
    ap.add_argument("--per-station", type=int, default=120,
                    help="patients per station (more than can be dosed before the kill)")
    ap.add_argument("--kill-after", type=float, default=0.0,
                    help="seconds into dosing to kill (default: random 0.3-1.2s)")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--build", default=common.BUILD)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    rng = random.Random(args.seed)

    print("crash check: %d kill -9 rounds, %d stations; hatd is a TEST-CLOCK build (the clock"
          " is set into each round's session window; not for clinical use)"
          % (args.rounds, args.stations))
    srv = common.Server(build=args.build, keep=args.keep)
    problems = []
    acked = []              # (administration id, patient id, patient id in the answer)
    try:
        srv.init()
        srv.start()
        print("database: %s" % srv.db)
        clinic = common.seed(srv, args.stations, args.per_station)
        for rnd in range(args.rounds):
            srv.set_clock(common.round_time(rnd))
            lock = threading.Lock()
            stats = {"requests": 0, "refused": {}}
            this_round = []
            delay = args.kill_after or rng.uniform(0.3, 1.2)
            threads = stations_until_killed(srv, clinic, rnd, this_round, stats, lock)
            time.sleep(delay)
            srv.kill9()
            for t in threads:
                t.join(timeout=30)
            if any(t.is_alive() for t in threads):
                problems.append("round %d: a station hung after the kill" % (rnd + 1))
                break
            acked.extend(this_round)
            srv.start()         # recovery happens here, on open
            n = check_db(srv, acked, problems)
            vrc, vout = srv.hatctl_run("verify", check=False)
            if vrc != 0:
                problems.append("round %d: hatctl verify failed (%d):\n%s" % (rnd + 1, vrc, vout))
            print("  round %d: killed hatd after %.2fs; %d doses acknowledged this round"
                  " (%d in all); %d in the table after restart (%d in all committed without an answer: in"
                  " flight at the kill, allowed); verify exit %d; %d requests%s"
                  % (rnd + 1, delay, len(this_round), len(acked), n, n - len(acked), vrc,
                     stats["requests"],
                     "; refused: %r" % stats["refused"] if stats["refused"] else ""))
            if not this_round:
                problems.append("round %d: no dose was acknowledged before the kill" % (rnd + 1))
            sys.stdout.flush()
        rc = srv.stop()
        if rc != 0:
            problems.append("hatd exited %r on SIGTERM after the last restart" % rc)
        vrc, vout = srv.hatctl_run("verify", check=False)
        print("hatctl verify: exit %d: %s" % (vrc, vout.strip().splitlines()[-1] if vout.strip()
                                              else ""))
        if vrc != 0:
            problems.append("hatctl verify failed (%d):\n%s" % (vrc, vout))
    except common.BenchError as e:
        print("ERROR: %s" % e)
        print(srv.log_tail())
        srv.keep = True
        srv.cleanup()
        return 2
    if problems:
        srv.keep = True
    srv.cleanup()
    print()
    for p in problems:
        print("problem: " + p)
    print("crash check: %s (%d acknowledged doses over %d kills)"
          % ("FAIL" if problems else "PASS", len(acked), args.rounds))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
