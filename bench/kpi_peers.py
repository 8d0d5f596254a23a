"""KPIs side by side with pandas, interleaved, with the ratio's spread.

    /usr/bin/python3 bench/kpi_peers.py BUILD [--events N] [--customers N]
                                             [--rounds R] [--dir DIR]

Each round runs our side once (BUILD/bench/bench_kpi with KPI_RUNS=1: the book
is generated, then fu_kpi_new + fu_kpi_add_book + fu_kpi_compute is timed)
and then pandas once on the columns that run wrote (bench/kpi_pandas.py DIR 1),
so that both sides of a round see the same load. The rounds alternate which
side goes first. Prints every round's CPU and wall times and ratio (pandas /
ours), then the median ratio with its min..max over the rounds, and checks
that both sides printed the same check sums (CSAT answers, NPS answers,
issues with an SLA and within it); a round whose sums differ fails the run.

bench_kpi alone (its KPI_RUNS runs, then pandas' runs) gives one ratio of two
medians without a spread; this script is the measurement issue 19 asks for.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))

OURS = re.compile(r"fu_kpi book -> all KPI figures: median ([0-9.]+) s wall, ([0-9.]+) s CPU")
PANDAS = re.compile(r"pandas median ([0-9.]+) s wall, ([0-9.]+) s CPU")
CHECK = re.compile(r"check: csat answers (\d+) \(mean ([0-9.]+)\), nps answers (\d+), "
                   r"issues with an SLA (\d+) \(within (\d+)\)")


def run(cmd, env=None):
    p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode != 0:
        sys.exit("kpi_peers: %s failed (exit %d):\n%s" % (" ".join(cmd), p.returncode, p.stdout))
    return p.stdout


def ours(build, events, customers, d):
    env = dict(os.environ, KPI_RUNS="1")
    out = run([os.path.join(build, "bench", "bench_kpi"), str(events), str(customers), d], env)
    m, c = OURS.search(out), CHECK.search(out)
    if not m or not c:
        sys.exit("kpi_peers: bench_kpi printed no timing or check line:\n" + out)
    return float(m.group(1)), float(m.group(2)), c.groups()


def pandas(d):
    out = run(["/usr/bin/python3", os.path.join(HERE, "kpi_pandas.py"), d, "1"])
    m, c = PANDAS.search(out), CHECK.search(out)
    if not m or not c:
        sys.exit("kpi_peers: kpi_pandas.py printed no timing or check line:\n" + out)
    return float(m.group(1)), float(m.group(2)), c.groups()


def spread(xs):
    return "%.1fx (%.1fx..%.1fx)" % (statistics.median(xs), min(xs), max(xs))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("build", help="the CMake build directory holding bench/bench_kpi")
    ap.add_argument("--events", type=int, default=10000000)
    ap.add_argument("--customers", type=int, default=500000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--dir", help="where bench_kpi writes the columns (default: a temporary directory)")
    a = ap.parse_args()
    if a.rounds < 1:
        ap.error("--rounds must be at least 1")
    with open("/proc/loadavg") as f:
        print("load at start:", f.read().split()[:3])
    tmp = None
    d = a.dir
    if not d:
        tmp = tempfile.TemporaryDirectory(prefix="kpi_peers_")
        d = tmp.name
    cpu, wall = [], []
    for r in range(a.rounds):
        # the columns must exist before pandas can go first: our side writes them
        if r % 2 == 0:
            ow, oc, ock = ours(a.build, a.events, a.customers, d)
            pw, pc, pck = pandas(d)
        else:
            if r == 0:
                ours(a.build, a.events, a.customers, d)
            pw, pc, pck = pandas(d)
            ow, oc, ock = ours(a.build, a.events, a.customers, d)
        if ock != pck:
            sys.exit("kpi_peers: round %d: check sums differ: ours %s, pandas %s" % (r + 1, ock, pck))
        cpu.append(pc / oc)
        wall.append(pw / ow)
        print("round %d: ours %.3f s CPU (%.3f wall), pandas %.3f s CPU (%.3f wall): %.1fx CPU, %.1fx wall"
              % (r + 1, oc, ow, pc, pw, cpu[-1], wall[-1]), flush=True)
    with open("/proc/loadavg") as f:
        print("load at end:", f.read().split()[:3])
    print("check sums agree in every round:", ", ".join(ock))
    print("ratio pandas / ours, %d rounds: CPU %s, wall %s" % (a.rounds, spread(cpu), spread(wall)))
    if tmp:
        tmp.cleanup()


if __name__ == "__main__":
    main()
