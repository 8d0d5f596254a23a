#!/usr/bin/python3
"""fu_segment fits side by side with lifetimes (MIT), in interleaved pairs.

Each round runs our fit (bench_segment_fit, a C program, timing only the library
call on data already in memory) and then the same fit with lifetimes in this
process, so that both sides see the same machine load. Reports per task the
median time of each side, the ratio of the medians and the spread of the
per-pair ratios (min..max), in wall time and in CPU time of the process (the
figure that does not depend on the neighbours on a shared machine), plus the
estimates of both sides on stderr.

lifetimes and autograd are not part of this repository: pass the folder that
holds them (default ../shared/peers next to the repository). Without it the
script prints a message and exits 0. The Debian packages it needs (numpy,
pandas, scipy, dill for lifetimes) are installed by bench/setup.sh.

    /usr/bin/python3 bench/peers_lifetimes.py --bin build/test/bench/bench_segment_fit \
        [--peers DIR] [--cdnow CSV] [--rounds 11] [--big-rounds 3] [--sizes 1000000,10000000]
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import pandas as pd

from peers_util import import_lifetimes

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def ours(binary, model, path, reps=2):
    """Last of `reps` fits in one process (the first warms the allocator)."""
    out = subprocess.run([binary, model, path, str(reps)], check=True, capture_output=True, text=True).stdout
    times = [(float(l.split()[1]) / 1e3, float(l.split()[2]) / 1e3)
             for l in out.splitlines() if l.startswith("time_ms")]
    params = [l for l in out.splitlines() if l.startswith("params")][0]
    return times[-1], params


def load(path):
    c = np.fromfile(path, dtype=np.float64)
    n = c.size // 4
    return pd.DataFrame({"x": c[:n], "t_x": c[n:2 * n], "T": c[2 * n:3 * n], "zbar": c[3 * n:]})


def peer_fit(lt, model, df, grouped):
    t0, c0 = time.perf_counter(), time.process_time()
    if model == "bgnbd" or model == "pareto":
        cls = lt.BetaGeoFitter if model == "bgnbd" else lt.ParetoNBDFitter
        if grouped:
            g = df.groupby(["x", "t_x", "T"]).size().reset_index(name="w")
            f = cls().fit(g["x"], g["t_x"], g["T"], weights=g["w"])
        else:
            f = cls().fit(df["x"], df["t_x"], df["T"])
    else:
        d = df[df["x"] > 0]
        f = lt.GammaGammaFitter().fit(d["x"], d["zbar"])
    dt = (time.perf_counter() - t0, time.process_time() - c0)
    p = " ".join("%.6g" % v for v in f.params_.values)
    ll = getattr(f, "_negative_log_likelihood_", float("nan"))
    return dt, "%s  -LL/n %.6g" % (p, ll)


def run(lt, binary, title, model, path, rounds, grouped):
    df = load(path)
    us, them = [], []
    for _ in range(rounds):
        a, pa = ours(binary, model, path)
        b, pb = peer_fit(lt, model, df, grouped)
        us.append(a)
        them.append(b)
    cells = []
    for k in (0, 1):  # wall, CPU
        mu = statistics.median(u[k] for u in us)
        mt = statistics.median(t[k] for t in them)
        ratio = [t[k] / u[k] for u, t in zip(us, them)]
        cells.append("%.3f ms | %.1f ms | **%.1fx** | %.1fx..%.1fx" % (1e3 * mu, 1e3 * mt, mt / mu, min(ratio), max(ratio)))
    print("| %s | %s | %s | %d |" % (title, cells[0], cells[1], rounds))
    print("  ours: %s\n  lifetimes: %s" % (pa.replace("params ", ""), pb), file=sys.stderr)
    sys.stdout.flush()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(ROOT, "build/test/bench/bench_segment_fit"))
    ap.add_argument("--peers", default=os.environ.get("FU_PEERS", os.path.join(ROOT, "..", "shared", "peers")))
    ap.add_argument("--cdnow", default=os.path.join(ROOT, "..", "shared", "data", "cdnow",
                                                    "cdnow_customers_summary_with_transactions.csv"))
    ap.add_argument("--rounds", type=int, default=11)
    ap.add_argument("--big-rounds", type=int, default=3)
    ap.add_argument("--sizes", default="1000000,10000000")
    ap.add_argument("--only", default="", help="comma list of tasks: bgnbd,pareto,gg,big")
    a = ap.parse_args()
    lt = import_lifetimes(a.peers, "peers_lifetimes")
    if lt is None:
        return 0
    if not os.access(a.bin, os.X_OK):
        print("peers_lifetimes: %s is not built; skipped" % a.bin)
        return 0
    only = set(filter(None, a.only.split(",")))
    print("| task | ours wall | lifetimes wall | ratio | per-pair min..max | ours CPU | lifetimes CPU | ratio | "
          "per-pair min..max | pairs |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        cd = os.path.join(tmp, "cdnow.f64")
        if not os.path.exists(a.cdnow):
            print("peers_lifetimes: %s not found; CDNOW rows skipped" % a.cdnow)
        else:
            subprocess.run([a.bin, "csv", a.cdnow, cd], check=True)
            for model, title in (("bgnbd", "BG/NBD fit, CDNOW"), ("pareto", "Pareto/NBD fit, CDNOW"),
                                 ("gg", "Gamma-Gamma fit, CDNOW")):
                if not only or model in only:
                    run(lt, a.bin, title, model, cd, a.rounds, False)
        if only and "big" not in only:
            return 0
        for n in (int(s) for s in a.sizes.split(",") if s):
            p = os.path.join(tmp, "sim%d.f64" % n)
            subprocess.run([a.bin, "gen", str(n), p], check=True)
            run(lt, a.bin, "BG/NBD fit, %d summaries (lifetimes: groupby + weights)" % n, "bgnbd", p,
                a.big_rounds, True)
            os.unlink(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
