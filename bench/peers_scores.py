#!/usr/bin/python3
"""Scoring 1 M customers through Python, side by side with lifetimes (MIT), in
interleaved pairs (issue 19, rows "P(alive) for 1 M customers through Python"
and "P(alive)+E[X]+CLV, 1 M, through Python").

Both sides get the same pandas Series (float64) of 1,000,000 simulated
CDNOW-like customers (weeks: T 27-39, purchase days, repeat values) and the
same parameters (the CDNOW BG/NBD and Gamma-Gamma estimates), and score them
the way a user of each package would:

- P(alive): ``BetaGeoFitter.conditional_probability_alive(x, t_x, T)``;
- P(alive) + expected purchases in 52 weeks + 12-month CLV at 1% a month:
  the three calls of each package (lifetimes' ``customer_lifetime_value(...,
  freq="W")`` uses months of 4.345 weeks: ours gets ``period=4.345``); ours
  also in one call (``BetaGeoFitter.score``).

Each round times our side and then lifetimes' in this process; reported per
task: median wall and process-CPU time of each side, the ratio of the medians
and the spread (min..max) of the per-pair ratios. The largest differences
between the two sides' results go to stderr.

lifetimes and autograd are not part of this repository: pass the folder that
holds them (default ../shared/peers next to the repository). Without it the
script prints a message and exits 0. The followup package is taken from
PYTHONPATH (e.g. build/test/python).

With ``--old DIR`` (the Python folder of another build of followup, e.g. a
reference build of main; may be given several times), a worker process
imports that build on the same data and each round times it between ours and
lifetimes: the rows "old build" (numbered when there are several) give its
figures, stderr the largest relative differences between the two builds'
results and the ratio old / ours with the spread of the per-round ratios.

    PYTHONPATH=build/test/python /usr/bin/python3 bench/peers_scores.py [--peers DIR] \\
        [--n 1000000] [--rounds 7] [--big-rounds 3] [--continuous-T] [--old DIR]
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
BG = {"r": 0.2426, "alpha": 4.4135, "a": 0.7929, "b": 2.4258}
GG = {"p": 6.2498, "q": 3.7448, "v": 15.4475}


def simulate(n, seed=2026, continuous=False):
    rng = np.random.default_rng(seed)
    T = rng.integers(27 * 7, 39 * 7 + 1, n) / 7.0
    if continuous:  # every T distinct: no two customers share (x, T)
        T = rng.uniform(27.0, 39.0, n)
    lam = rng.gamma(BG["r"], 1.0 / BG["alpha"], n)
    p = rng.beta(BG["a"], BG["b"], n)
    x = np.minimum(rng.poisson(lam * T * (1 - p) + 1e-12), 60).astype(np.float64)
    tx = np.where(x > 0, np.floor(rng.uniform(0, 1, n) * T * 7) / 7.0, 0.0)
    tx = np.where(x > 0, np.maximum(tx, 1.0 / 7), 0.0)
    z = np.where(x > 0, rng.gamma(GG["p"], 1.0, n) * rng.gamma(GG["q"], 1.0 / GG["v"], n) ** -1 / 3, 0.0)
    return pd.DataFrame({"x": x, "t_x": tx, "T": T, "zbar": z})


def timed(fn):
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return (time.perf_counter() - t0, time.process_time() - c0), out


def row(title, us, them, rounds):
    cells = []
    for k in (0, 1):  # wall, CPU
        mu = statistics.median(u[k] for u in us)
        mt = statistics.median(t[k] for t in them)
        ratio = [t[k] / u[k] for u, t in zip(us, them)]
        cells.append("%.1f ms | %.1f ms | **%.1fx** | %.1fx..%.1fx" % (1e3 * mu, 1e3 * mt, mt / mu, min(ratio),
                                                                       max(ratio)))
    print("| %s | %s | %s | %d |" % (title, cells[0], cells[1], rounds))
    sys.stdout.flush()


def our_side(d):
    """Our three ways of scoring d, with the followup on sys.path."""
    from followup import core, models
    x, tx, T, z = d["x"], d["t_x"], d["T"], d["zbar"]
    ours = models.BetaGeoFitter()
    ours._model = core.BgNbd(BG["r"], BG["alpha"], BG["a"], BG["b"])
    ours.params_ = pd.Series(BG)
    ogg = models.GammaGammaFitter()
    ogg._model = core.GammaGamma(GG["p"], GG["q"], GG["v"])
    ogg.params_ = pd.Series(GG)

    def three():
        p = ours.conditional_probability_alive(x, tx, T)
        e = ours.conditional_expected_number_of_purchases_up_to_time(52, x, tx, T)
        c = ogg.customer_lifetime_value(ours, x, tx, T, z, time=12, discount_rate=0.01, period=4.345)
        return p, e, c

    def one_call():
        s = ours.score(x, tx, T, z, t=52, spend_model=ogg, time=12, discount_rate=0.01, period=4.345)
        return s["p_alive"], s["expected_purchases"], s["clv"]

    return {"p": lambda: ours.conditional_probability_alive(x, tx, T), "three": three, "one": one_call}


def worker(a):
    """--worker: time our side on request (one word a line on stdin: p,
    three, one; "save PATH" writes the one-call results), answer "wall cpu"."""
    side = our_side(simulate(a.n, continuous=a.continuous_T))
    for line in sys.stdin:
        cmd = line.split()
        if cmd[0] == "save":
            np.savez(cmd[1], *[np.asarray(v, dtype=float) for v in side["one"]()])
            print("ok", flush=True)
            continue
        (w, c), _ = timed(side[cmd[0]])
        print("%r %r" % (w, c), flush=True)
    return 0


class OldBuild:
    """The worker of another build (--old), in a process of its own."""

    def __init__(self, path, a):
        env = dict(os.environ, PYTHONPATH=path)
        args = [sys.executable, os.path.abspath(__file__), "--worker", "--n", str(a.n)]
        self.p = subprocess.Popen(args + (["--continuous-T"] if a.continuous_T else []), env=env,
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def ask(self, cmd):
        self.p.stdin.write(cmd + "\n")
        self.p.stdin.flush()
        return self.p.stdout.readline().split()

    def time(self, what):
        return tuple(float(v) for v in self.ask(what))

    def results(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "old.npz")
            self.ask("save " + path)
            r = np.load(path)
            return [r["arr_%d" % i] for i in range(3)]

    def close(self):
        self.p.stdin.close()
        self.p.wait()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--peers", default=os.environ.get("FU_PEERS", os.path.join(ROOT, "..", "shared", "peers")))
    ap.add_argument("--n", type=int, default=1000000)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--big-rounds", type=int, default=3)
    ap.add_argument("--continuous-T", action="store_true",
                    help="T uniform in [27, 39) weeks instead of whole days: all (x, T) pairs distinct "
                         "(the worst case of the per-(x, T) memo)")
    ap.add_argument("--old", action="append", default=[],
                    help="Python folder of another followup build, timed in a worker between ours and lifetimes "
                         "(may be repeated)")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.worker:
        return worker(a)
    lt = import_lifetimes(a.peers, "peers_scores")
    if lt is None:
        return 0
    import followup

    d = simulate(a.n, continuous=a.continuous_T)
    x, tx, T, z = d["x"], d["t_x"], d["T"], d["zbar"]
    side = our_side(d)
    olds_b = [OldBuild(path, a) for path in a.old]
    ratios = {}
    bgf = lt.BetaGeoFitter()
    bgf.params_ = pd.Series(BG)
    bgf.predict = bgf.conditional_expected_number_of_purchases_up_to_time  # as fit() sets it
    ggf = lt.GammaGammaFitter()
    ggf.params_ = pd.Series(GG)

    def theirs_three():
        p = bgf.conditional_probability_alive(x, tx, T)
        e = bgf.conditional_expected_number_of_purchases_up_to_time(52, x, tx, T)
        c = ggf.customer_lifetime_value(bgf, x, tx, T, z, time=12, discount_rate=0.01, freq="W")
        return p, e, c

    print("followup %s, lifetimes %s, %d customers (%d distinct (x, T), %d with x = 0), numpy %s, pandas %s; "
          "load %.2f %.2f %.2f" % ((followup.__version__, getattr(lt, "__version__", "?"), a.n,
                                   len(d[["x", "T"]].drop_duplicates()), int((d["x"] == 0).sum()), np.__version__,
                                   pd.__version__) + os.getloadavg()))
    print("| task | ours wall | lifetimes wall | ratio | per-pair min..max | ours CPU | lifetimes CPU | ratio | "
          "per-pair min..max | pairs |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    def old_name(k):
        return "old build" if len(olds_b) == 1 else "old build %d (%s)" % (k + 1, a.old[k])

    us, them = [], []
    olds = [[] for _ in olds_b]
    for _ in range(a.rounds):
        u, p_ours = timed(side["p"])
        for k, old in enumerate(olds_b):
            olds[k].append(old.time("p"))
        t, p_lt = timed(lambda: bgf.conditional_probability_alive(x, tx, T))
        us.append(u)
        them.append(t)
    row("P(alive), %d customers" % a.n, us, them, a.rounds)
    for k in range(len(olds_b)):
        row("P(alive), %d customers, %s" % (a.n, old_name(k)), olds[k], them, a.rounds)
        ratios[("P(alive)", k)] = (us, olds[k])
    print("  max |P(alive) ours - lifetimes| = %.3g" % float(np.max(np.abs(np.asarray(p_ours) - np.asarray(p_lt)))),
          file=sys.stderr)
    us, them, one = [], [], []
    old3, old1 = [[] for _ in olds_b], [[] for _ in olds_b]
    for _ in range(a.big_rounds):
        u, r_ours = timed(side["three"])
        for k, old in enumerate(olds_b):
            old3[k].append(old.time("three"))
        o, r_one = timed(side["one"])
        for k, old in enumerate(olds_b):
            old1[k].append(old.time("one"))
        t, r_lt = timed(theirs_three)
        us.append(u)
        one.append(o)
        them.append(t)
    row("P(alive) + E[X] + CLV, %d customers, three calls" % a.n, us, them, a.big_rounds)
    row("P(alive) + E[X] + CLV, %d customers, ours in one call (score)" % a.n, one, them, a.big_rounds)
    for k in range(len(olds_b)):
        row("P(alive) + E[X] + CLV, %d customers, three calls, %s" % (a.n, old_name(k)), old3[k], them,
            a.big_rounds)
        row("P(alive) + E[X] + CLV, %d customers, one call, %s" % (a.n, old_name(k)), old1[k], them, a.big_rounds)
        ratios[("three calls", k)], ratios[("one call", k)] = (us, old3[k]), (one, old1[k])
    for name, u, v in zip(("P(alive)", "E[X]", "CLV"), r_ours, r_lt):
        u, v = np.asarray(u, dtype=float), np.asarray(v, dtype=float)
        rel = np.max(np.abs(u - v) / np.maximum(np.abs(v), 1e-12))
        print("  %s: max relative difference ours vs lifetimes %.3g" % (name, rel), file=sys.stderr)
    for k, old in enumerate(olds_b):
        for name, u, v in zip(("P(alive)", "E[X]", "CLV"), r_one, old.results()):
            u = np.asarray(u, dtype=float)
            rel = np.max(np.abs(u - v) / np.maximum(np.abs(v), 1e-300))
            print("  %s: max relative difference ours vs %s %.3g (%d of %d bit for bit)" % (
                name, old_name(k), rel, int(np.sum(u == v)), len(v)), file=sys.stderr)
    for (name, k), (u, o) in ratios.items():
        per = [b[1] / c[1] for c, b in zip(u, o)]
        print("  %s: %s / ours, CPU %.3fx (median; per round %.3fx..%.3fx), wall %.2fx" % (
            name, old_name(k), statistics.median(v[1] for v in o) / statistics.median(v[1] for v in u), min(per),
            max(per), statistics.median(v[0] for v in o) / statistics.median(v[0] for v in u)), file=sys.stderr)
    for old in olds_b:
        old.close()
    print("load at the end %.2f %.2f %.2f" % os.getloadavg())
    return 0


if __name__ == "__main__":
    sys.exit(main())
