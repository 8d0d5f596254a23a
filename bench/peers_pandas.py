#!/usr/bin/python3
"""Reading an events CSV side by side with pandas, in interleaved rounds.

Each round runs our side (bench_csvread: fu_book_read_events_csv on the file,
timed inside the C program: parse, validate, intern strings, drop duplicates,
sort per customer, index) and then pandas in this process: read_csv of the same
file with string columns as object and the timestamps through
pd.to_datetime(utc=True, format="ISO8601" where supported), which is the least
a user needs to get typed events (no validation, no sort, no dedup). Reports
the median of each side in MB/s of the file, the ratio of the medians and the
spread of the per-round ratios, in wall and CPU time.

Our side runs in each round once per reading mode (--modes, bench_csvread's
THREADS: -1 the serial reader, 1 blocks on one thread, 2 blocks on two threads,
0 the library's choice), one table row per mode; MB/s per core is the file's
bytes over the CPU time of all threads.

The files are bench_book's (`bench_book 100000 10 DIR keep` writes
DIR/bench_book_customers.csv and DIR/bench_book_events.csv, 1 M events, 73 MB).

    /usr/bin/python3 bench/peers_pandas.py --dir DIR [--bin build/test/bench/bench_csvread] [--rounds 7] [--modes -1,1,2]
        [--before OTHER_BENCH_CSVREAD]

--before runs a second bench_csvread (say, built from the commit before a
change) in every round too, before ours: before/after and pandas interleaved
in one run, one more table row per mode.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def ours(binary, cust, ev, mode):
    text = subprocess.run([binary, cust, ev, "2", str(mode)], check=True, capture_output=True, text=True).stdout
    f = [l.split() for l in text.splitlines() if l.startswith("time_ms")][-1]
    return (float(f[1]) / 1e3, float(f[2]) / 1e3), int(f[4])


def peer(ev):
    w, c = time.perf_counter(), time.process_time()
    df = pd.read_csv(ev, dtype=str, keep_default_na=False)
    try:
        at = pd.to_datetime(df["at"], utc=True, format="ISO8601")
    except (TypeError, ValueError):
        at = pd.to_datetime(df["at"], utc=True)
    n = len(at)
    return (time.perf_counter() - w, time.process_time() - c), n


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(ROOT, "build/test/bench/bench_csvread"))
    ap.add_argument("--dir", default="/tmp")
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--modes", default="-1,1,2")
    ap.add_argument("--before", default=None, help="another bench_csvread, run in each round before ours")
    a = ap.parse_args()
    cust = os.path.join(a.dir, "bench_book_customers.csv")
    ev = os.path.join(a.dir, "bench_book_events.csv")
    if not os.access(a.bin, os.X_OK) or not os.path.exists(ev):
        print("peers_pandas: %s or %s missing (run bench_book N 10 DIR keep); skipped" % (a.bin, ev))
        return 0
    size = os.path.getsize(ev)
    modes = [int(m) for m in a.modes.split(",")]
    sides = ([("before", a.before)] if a.before else []) + [("", a.bin)]
    keys = [(name, m) for m in modes for name, _ in sides]
    us, them = {k: [] for k in keys}, []
    for _ in range(a.rounds):
        for m in modes:
            for name, binary in sides:
                t, n_ours = ours(binary, cust, ev, m)
                us[(name, m)].append(t)
        t, n_peer = peer(ev)
        them.append(t)
    print("rows: pandas %d, book %d events kept (duplicates dropped)" % (n_peer, n_ours))
    print("| task | ours wall | pandas wall | ratio | per-round min..max | ours CPU (per core) | pandas CPU | "
          "ratio (CPU) | per-round min..max | rounds |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    names = {-1: "serial reader", 0: "library's choice", 1: "blocks, 1 thread", 2: "blocks, 2 threads"}
    for name, m in keys:
        cells = []
        for k in (0, 1):
            mu = statistics.median(u[k] for u in us[(name, m)])
            mt = statistics.median(x[k] for x in them)
            ratio = [x[k] / u[k] for u, x in zip(us[(name, m)], them)]
            cells.append("%.2f s (%.0f MB/s) | %.2f s (%.0f MB/s) | **%.1fx** | %.1fx..%.1fx" % (
                mu, size / mu / 1e6, mt, size / mt / 1e6, mt / mu, min(ratio), max(ratio)))
        label = names.get(m, str(m)) + (", " + name if name else "")
        print("| events CSV -> book, %.0f MB, %s | %s | %s | %d |" % (size / 1e6, label, cells[0], cells[1], a.rounds))
    # our CPU per round as MB/s per core (the file's bytes over the CPU time of all threads)
    for name, m in keys:
        per = sorted(size / u[1] / 1e6 for u in us[(name, m)])
        label = names.get(m, str(m)) + (", " + name if name else "")
        print("%s: MB/s per core median %.0f, per round %.0f..%.0f (%s)" % (
            label, statistics.median(per), per[0], per[-1], " ".join("%.0f" % x for x in per)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
