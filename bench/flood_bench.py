"""flood_bench.py: seeds a clinic (one station, one patient), starts hatd
with its own defaults for connections, compiles bench/flood.c and runs it:
1,000 idle and 200 slow-header connections, then a dose on a new
connection, timed.  See bench/README.md.

Python 3 standard library only (and the C compiler for flood.c).
"""
import argparse
import os
import subprocess
import sys

import common


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--build", default=common.BUILD)
    ap.add_argument("--idle", type=int, default=1000)
    ap.add_argument("--slow", type=int, default=200)
    ap.add_argument("--addresses", type=int, default=24)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    exe = os.path.join(os.path.abspath(args.build), "flood")
    src = os.path.join(common.HERE, "flood.c")
    if not os.path.exists(exe) or os.path.getmtime(exe) < os.path.getmtime(src):
        subprocess.run(["cc", "-O2", "-Wall", "-Wextra", "-Werror", "-pthread", "-o", exe, src],
                       check=True)
    srv = common.Server(build=args.build, keep=args.keep)
    try:
        srv.init()
        # hatd's own limits, not the dose bench's: the point is its defaults.
        srv.start(extra=("--set", "connection_limit=2048"))
        clinic = common.seed(srv, 2, 1, log=print)
        srv.set_clock(common.DAY0_EPOCH + common.ROUND_TIMES[0])
        st = clinic.stations[0]
        p = subprocess.run([exe, str(srv.port), st["token"], st["witness_token"],
                            str(st["patients"][0]), str(args.idle), str(args.slow),
                            str(args.addresses)], timeout=300)
        srv.stop()
        cut = [l for l in srv._log_text().splitlines() if "were cut off" in l]
        if cut:
            print("hatd: " + cut[-1].split(" http: ", 1)[-1])
        return p.returncode
    except common.BenchError as e:
        print("flood_bench: %s" % e)
        print(srv.log_tail())
        return 2
    finally:
        srv.cleanup()


if __name__ == "__main__":
    sys.exit(main())
