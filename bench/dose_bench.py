#!/usr/bin/env python3
"""dose_bench.py: dose commits through HTTP from concurrent stations,
against the disk's own single-transaction commit rate.

docs/design.md, "Performance": dose commits through HTTP with 16 concurrent
stations at least 2x the disk's single-transaction fsync rate, and p99 dose
latency under 20 ms at that load, measured in one run on one machine.

What it does:
  1. a fresh clinic (hatctl init) in a temp dir, hatd (a TEST-CLOCK build)
     on 127.0.0.1; nurses, a prescriber, and stations x per-station patients
     with episodes and prescriptions, all made through the API;
  2. each station is a thread with its own kept-alive HTTP/1.1 connection,
     its nurse's login, and a witness token from a second nurse's login (a
     token, so no dose waits on a password hash);
  3. per round the server's test clock is moved into the next session
     window (morning, afternoon, next day...); the stations check in and
     assess their patients (not timed), wait for each other, then post the
     administrations, and only those are timed;
  4. on the same disk (the database's directory) it times single-row SQLite
     commits with journal_mode=WAL and synchronous=FULL, and prints the
     ratio.

It measures; it is not a gate: it exits 0 whether the targets are met or
not, and 2 when something broke (a dose refused, a server error, a hang).
"""

import argparse
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--stations", type=int, default=16)
    ap.add_argument("--per-station", type=int, default=32,
                    help="patients per station (doses per station per round)")
    ap.add_argument("--rounds", type=int, default=12, help="session windows to dose in")
    ap.add_argument("--budget", type=float, default=40.0,
                    help="start no new round after this many seconds of dosing rounds")
    ap.add_argument("--fsync-seconds", type=float, default=3.0)
    ap.add_argument("--batch-cap", type=int, default=0, help="hatd batch_cap (0: its default)")
    ap.add_argument("--fsync-delay-ms", type=float, default=0.0,
                    help="simulate a slower disk: sleep this long after every fsync, in hatd"
                         " and in the commit probe alike (LD_PRELOAD shim)")
    ap.add_argument("--client", choices=("c", "python"), default="c",
                    help="who posts the timed doses: bench/dose_load (C, the default: the"
                         " client is not what is measured) or this script's threads")
    ap.add_argument("--build", default=common.BUILD, help="build dir holding hatd and hatctl")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir (db and logs)")
    ap.add_argument("--store", choices=("sqlite", "postgresql", "both"), default="sqlite",
                    help="the store under test: PostgreSQL on a throwaway cluster (a Unix"
                    " socket in a temp dir), or both, one after the other, in one run")
    args = ap.parse_args()
    if args.rounds > 60:
        common.die("at most 60 rounds (sessions last 31 days of test-clock time)")

    print("dose benchmark: %d stations x %d patients, up to %d rounds; hatd is a TEST-CLOCK"
          " build (the clock is moved between rounds; not for clinical use)"
          % (args.stations, args.per_station, args.rounds))
    stores = ("sqlite", "postgresql") if args.store == "both" else (args.store,)
    broke = False
    summary = []
    for store in stores:
        print("\n== store: %s" % store)
        b, line = run_store(store, args)
        broke = broke or b
        summary.append((store, line))
    if len(stores) > 1:
        print("\n== the two stores (same clinic, same load, same machine)")
        for store, line in summary:
            print("%-11s %s" % (store, line))
    return 2 if broke else 0


def run_store(store, args):
    """One store's run: (broke, one-line summary)."""
    srv = common.Server(build=args.build, keep=args.keep)
    cluster = None
    broke = False
    line = "(broke)"
    try:
        if store == "postgresql":
            sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                            "..", "tests", "api"))
            import pgstore
            cluster = pgstore.Cluster()
            cluster.start()
            pgstore.psql(cluster.host, "postgres", "CREATE DATABASE hat_bench")
            srv.db = "postgresql:///hat_bench?host=%s&user=%s" % (cluster.host, pgstore.USER)
        broke, line = run(srv, args)
    except common.BenchError as e:
        print("ERROR: %s" % e)
        print(srv.log_tail())
        broke = True
    finally:
        rc = srv.stop()
        if rc not in (0, None) and not broke:
            print("ERROR: hatd exited %r on SIGTERM" % rc)
            broke = True
        srv.cleanup()
        if cluster:
            cluster.stop()
    return broke, line


def run(srv, args):
    srv.init()
    extra = []
    if args.batch_cap:
        extra += ["--set", "batch_cap=%d" % args.batch_cap]
    env = None
    if args.fsync_delay_ms > 0:
        env = common.shim_env(common.build_shim(args.build), args.fsync_delay_ms * 1000)
        print("SIMULATED DISK: every fsync/fdatasync also sleeps %.2f ms (hatd and the probe)"
              % args.fsync_delay_ms)
    srv.start(extra, env=env)
    print("database: %s" % srv.db)
    clinic = common.seed(srv, args.stations, args.per_station)

    n = args.stations
    barrier = threading.Barrier(n + 1, timeout=120)
    stop = threading.Event()
    lock = threading.Lock()
    latencies = []          # seconds, timed administrations only
    statuses = {}           # status (or exception name) -> count, timed requests
    setup_bad = {}          # untimed check-in/assess failures
    dose_ids = []

    def station(i):
        st = clinic.stations[i]
        conn = common.Conn(srv.port, st["token"])
        wconn = common.Conn(srv.port, st["witness_session"])
        my_lat = []
        my_status = {}
        my_setup = {}
        my_ids = []
        r = 0
        try:
            while True:
                barrier.wait()          # A: the clock is in the round's window
                if stop.is_set():
                    break
                # Untimed: the witness's device is in use (keeps its session
                # fresh), then check-in and assessment for each patient.
                s, _ = wconn.request("GET", "/api/v1/session")
                if s != 200:
                    my_setup["witness session %d" % s] = my_setup.get(
                        "witness session %d" % s, 0) + 1
                for pid in st["patients"]:
                    for step in (common.check_in, common.assess):
                        s, j = step(conn, pid)
                        if s != 201:
                            k = "%s %d %s" % (step.__name__, s,
                                              (j or {}).get("error", {}).get("code"))
                            my_setup[k] = my_setup.get(k, 0) + 1
                barrier.wait()          # B: everyone is ready
                barrier.wait()          # B2: go
                body_n = r
                for pid in (st["patients"] if args.client == "python" else []):
                    body = common.administer_body(st["witness_token"], body_n)
                    path = "/api/v1/patients/%d/administrations" % pid
                    t0 = time.perf_counter()
                    try:
                        s, j = conn.request("POST", path, body)
                    except Exception as e:  # counted, not fatal
                        s, j = type(e).__name__, None
                    my_lat.append(time.perf_counter() - t0)
                    if s == 201:
                        my_ids.append(j.get("id"))
                    else:
                        k = "%s %s" % (s, (j or {}).get("error", {}).get("code"))
                        my_status[k] = my_status.get(k, 0) + 1
                    my_status["201"] = my_status.get("201", 0) + (s == 201)
                barrier.wait()          # C: round done
                r += 1
        except threading.BrokenBarrierError:
            pass
        finally:
            conn.close()
            wconn.close()
            with lock:
                latencies.extend(my_lat)
                dose_ids.extend(my_ids)
                for d, src in ((statuses, my_status), (setup_bad, my_setup)):
                    for k, v in src.items():
                        d[k] = d.get(k, 0) + v

    def station_lines(r):
        return "".join("%s %s %d %s\n" % (st["token"], st["witness_token"], r,
                                          " ".join(str(p) for p in st["patients"]))
                       for st in clinic.stations)

    def c_round(r):
        """The timed doses of round r, posted by bench/dose_load."""
        res = common.run_dose_load(args.build, srv.port, station_lines(r))
        with lock:
            for status, micros, did in res["doses"]:
                latencies.append(micros / 1e6)
                if status == 201:
                    dose_ids.append(did)
                    statuses["201"] = statuses.get("201", 0) + 1
                else:
                    statuses[str(status)] = statuses.get(str(status), 0) + 1
        return res["wall"], res["client_cpu"]

    threads = [threading.Thread(target=station, args=(i,), daemon=True) for i in range(n)]
    for t in threads:
        t.start()

    timed_wall = 0.0
    hatd_cpu = 0.0
    client_cpu = 0.0
    commits = 0
    commands = 0
    have_counts = True
    rounds_done = 0
    busiest = {}            # hatd thread id -> CPU seconds in timed phases
    writer_cpu = [0.0]      # the writer thread's own CPU in timed phases
    began = time.monotonic()
    try:
        for r in range(args.rounds):
            if r and time.monotonic() - began > args.budget:
                break
            srv.set_clock(common.round_time(r))
            barrier.wait()          # A
            barrier.wait()          # B: setup done
            c0 = srv.writer_counts()
            cpu0 = srv.cpu_seconds()
            tc0 = srv.thread_cpu()
            wc0 = srv.writer_thread_cpu()
            pc0 = time.process_time()
            t0 = time.perf_counter()
            barrier.wait()          # B2: go
            if args.client == "c":
                c_wall, c_cpu = c_round(r)
            barrier.wait()          # C
            t1 = time.perf_counter()
            pc1 = time.process_time()
            if args.client == "c":
                t1 = t0 + c_wall
                pc1 = pc0 + c_cpu
            cpu1 = srv.cpu_seconds()
            tc1 = srv.thread_cpu()
            for tid, v in tc1.items():
                busiest[tid] = busiest.get(tid, 0.0) + v - tc0.get(tid, 0.0)
            wc = srv.writer_thread_cpu()
            writer_cpu[0] += (wc or 0.0) - (wc0 or 0.0)
            c1 = srv.writer_counts()
            timed_wall += t1 - t0
            if cpu0 is not None and cpu1 is not None:
                hatd_cpu += cpu1 - cpu0
            client_cpu += pc1 - pc0
            if c0 and c1:
                commits += c1[0] - c0[0]
                commands += c1[1] - c0[1]
            else:
                have_counts = False
            rounds_done += 1
            print("  round %d (%s): %d doses in %.2fs" % (
                r + 1, common.utc(common.round_time(r)), n * args.per_station, t1 - t0))
            sys.stdout.flush()
        stop.set()
        barrier.wait()
    except threading.BrokenBarrierError:
        print("ERROR: a station stopped (barrier broken)")
        return True, "(a station stopped)"
    for t in threads:
        t.join(timeout=30)
    threads_in_hatd = srv.threads()

    # The server's own view of the same requests (its request log).
    server_ms = []
    import re
    for m in re.finditer(r" info POST /api/v1/patients/\d+/administrations (\d{3}) ([\d.]+)ms ",
                         srv._log_text()):
        server_ms.append(float(m.group(2)))
    server_ms.sort()

    rate, n_commits = common.fsync_rate_in(srv.dir, args.fsync_seconds, env)
    bare_rate = None
    if args.client == "c":
        bare_rate = common.bare_rate(args.build, station_lines, rounds_done)

    ok = statuses.get("201", 0)
    total = len(latencies)
    bad = {k: v for k, v in statuses.items() if k != "201"}
    lat = sorted(x * 1000.0 for x in latencies)
    doses_s = ok / timed_wall if timed_wall > 0 else 0.0
    p50 = common.percentile(lat, 50)
    p99 = common.percentile(lat, 99)
    ratio = doses_s / rate if rate else 0.0

    # The board, as a station's screen reads it, on the clinic the doses
    # left behind (not timed with them).
    board_ms = []
    bconn = common.Conn(srv.port, clinic.stations[0]["token"])
    for _ in range(20):
        t0 = time.perf_counter()
        s, _ = bconn.request("GET", "/api/v1/board")
        board_ms.append((time.perf_counter() - t0) * 1000.0)
        if s != 200:
            setup_bad["board %s" % s] = setup_bad.get("board %s" % s, 0) + 1
    board_ms.sort()

    print()
    print("== results (%d rounds, %d stations, TEST-CLOCK build)" % (rounds_done, n))
    print("doses recorded (201):        %d of %d timed requests" % (ok, total))
    print("non-2xx / failed doses:      %d%s" % (sum(bad.values()),
                                                 (" " + repr(bad)) if bad else ""))
    if setup_bad:
        print("untimed setup failures:      %r" % setup_bad)
    print("timed wall time:             %.2f s" % timed_wall)
    print("doses per second:            %.0f" % doses_s)
    print("latency p50 / p99 (client):  %.2f ms / %.2f ms  (max %.2f ms)"
          % (p50, p99, lat[-1] if lat else float("nan")))
    if server_ms:
        print("latency p50 / p99 (hatd log): %.2f ms / %.2f ms"
              % (common.percentile(server_ms, 50), common.percentile(server_ms, 99)))
    if have_counts and commits:
        print("writer during timed phases:  %d commands in %d commits = %.1f per commit"
              " (%.0f commits/s)" % (commands, commits, commands / commits,
                                     commits / timed_wall))
    else:
        print("writer batching:             not reported by this hatd (no SIGUSR1 report)")
    if timed_wall > 0:
        print("CPU during timed phases:     hatd %.0f%%, this client %.0f%% of one core"
              " (%d cores)" % (100 * hatd_cpu / timed_wall, 100 * client_cpu / timed_wall,
                               os.cpu_count() or 0))
    if busiest and timed_wall > 0:
        top = sorted(busiest.values(), reverse=True)[:3]
        print("busiest hatd threads:        %s of one core (the first is the writer when it"
              " is the limit)" % ", ".join("%.0f%%" % (100 * v / timed_wall) for v in top))
    if threads_in_hatd:
        print("hatd threads (at the end):   %d" % threads_in_hatd)
    print("disk: single-row commits/s   %.0f  (SQLite WAL, synchronous=FULL, %d commits"
          " in %.1fs, %s%s)" % (rate, n_commits, args.fsync_seconds, srv.dir,
                               "; SIMULATED +%.2f ms per fsync" % args.fsync_delay_ms
                               if args.fsync_delay_ms > 0 else ""))
    print("ratio doses/s : commits/s    %.2fx" % ratio)
    want = 8.0 if args.fsync_delay_ms >= 2 else 2.0
    print("target throughput >= %.0fx:     %s%s" % (
        want, "PASS" if ratio >= want else "FAIL",
        "  (8x with a 2 ms flush; 2x on the disk as it is)" if want == 8.0 else ""))
    print("target p99 < 10 ms:          %s" % ("PASS" if p99 < 10.0 else "FAIL"))
    if ok and timed_wall > 0:
        w_us = 1e6 * writer_cpu[0] / ok
        h_us = 1e6 * hatd_cpu / ok
        print("writer CPU per dose:         %.0f us (its thread's own clock; target <= 50 us): %s"
              % (w_us, "PASS" if w_us <= 50 else "FAIL"))
        print("hatd CPU per dose:           %.0f us (every thread; target <= 120 us): %s"
              % (h_us, "PASS" if h_us <= 120 else "FAIL"))
    if bare_rate:
        print("bare libmicrohttpd JSON:     %.0f requests/s, same client, same requests"
              % bare_rate)
        print("ratio doses/s : bare         %.2fx (target >= 0.3x): %s"
              % (doses_s / bare_rate, "PASS" if doses_s / bare_rate >= 0.3 else "FAIL"))
    print("board (GET /api/v1/board):   p50 %.2f ms, max %.2f ms over %d reads"
          % (common.percentile(board_ms, 50), board_ms[-1], len(board_ms)))
    sys.stdout.flush()
    line = ("%6.0f doses/s  p50 %6.2f ms  p99 %6.2f ms  board p50 %6.2f ms  (%d doses)"
            % (doses_s, p50, p99, common.percentile(board_ms, 50), ok))
    if bad or setup_bad or ok == 0:
        print("ERROR: not every request succeeded (see above)")
        return True, line
    return False, line


if __name__ == "__main__":
    sys.exit(main())
