#!/usr/bin/python3
"""Paired comparison of two arms saved by bench/besttime_sim_seeds.py --save.

    /usr/bin/python3 bench/besttime_sim_pair.py DIR_A:ARM_A DIR_B:ARM_B [--seeds 1-10]

--seeds takes seeds and ranges (1-10, 1,3,5-7: bench/besttime_sim_util.py, as
besttime_sim_seeds.py).
For every seed present in both directories (DIR/seed_N.csv), the per-seed difference
B - A of the answer rate, strict coverage and response timeliness (points, i.e. x100)
and of the relative lift over each run's own `policy` column (when present), with the
mean and the 95% t-interval over the seeds; cap violations are summed per arm. ARM is the
column name as written by `followup simulate --compare` (e.g. `besttime`, `oracle`, or
the path of a policy YAML). Reads only the CSVs."""
import argparse
import csv
import os
import sys

from besttime_sim_util import add_seeds_option, tint


def load(spec, seed):
    d, _, arm = spec.partition(":")
    path = os.path.join(d, f"seed_{seed}.csv")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        rows = {r["measure"]: r for r in csv.DictReader(f)}
    if arm not in rows["answer_rate"]:
        sys.exit(f"{path}: no column {arm!r}")
    return {k: (float(rows[k][arm]) if rows[k][arm] else float("nan"),
                float(rows[k]["policy"]) if "policy" in rows[k] and rows[k]["policy"] else float("nan"))
            for k in ("answer_rate", "coverage", "response_timeliness", "cap_violations")}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("a")
    ap.add_argument("b")
    add_seeds_option(ap)
    a = ap.parse_args()
    diffs = {k: [] for k in ("answer_rate", "coverage", "response_timeliness", "lift")}
    caps = [0.0, 0.0]
    seeds = []
    for seed in a.seeds:
        x, y = load(a.a, seed), load(a.b, seed)
        if x is None or y is None:
            continue
        seeds.append(seed)
        for k in ("answer_rate", "coverage", "response_timeliness"):
            diffs[k].append(100 * (y[k][0] - x[k][0]))
        diffs["lift"].append(100 * (y["answer_rate"][0] / y["answer_rate"][1] - x["answer_rate"][0] / x["answer_rate"][1]))
        caps[0] += x["cap_violations"][0]
        caps[1] += y["cap_violations"][0]
    if not seeds:
        sys.exit(f"no seed of {a.seeds} has a seed_N.csv in both {a.a.partition(':')[0]} and "
                 f"{a.b.partition(':')[0]}")
    print(f"B - A over seeds {seeds}:")
    for k, v in diffs.items():
        m, l, h = tint(v)
        print(f"  {k:20s} {m:+.2f} points [{l:+.2f}, {h:+.2f}]")
    print(f"  cap violations      A {caps[0]:.0f}  B {caps[1]:.0f}")


if __name__ == "__main__":
    main()
