#!/usr/bin/python3
"""Paired comparison of two arms saved by bench/besttime_sim_seeds.py --save.

    /usr/bin/python3 bench/besttime_sim_pair.py DIR_A:ARM_A DIR_B:ARM_B [--seeds 1-10]

For every seed present in both directories (DIR/seed_N.csv), the per-seed difference
B - A of the answer rate, strict coverage and response timeliness (points, i.e. x100)
and of the relative lift over each run's own `policy` column (when present), with the
mean and the 95% t-interval over the seeds; cap violations are summed per arm. ARM is the
column name as written by `followup simulate --compare` (e.g. `besttime`, `oracle`, or
the path of a policy YAML). Reads only the CSVs."""
import argparse
import csv
import math
import os
import sys

T975 = {2: 12.706, 3: 4.303, 4: 3.182, 5: 2.776, 6: 2.571, 7: 2.447, 8: 2.365, 9: 2.306, 10: 2.262,
        11: 2.228, 12: 2.201, 15: 2.145, 20: 2.093}


def tint(xs):
    n = len(xs)
    m = sum(xs) / n
    if n < 2:
        return m, float("nan"), float("nan")
    sd = math.sqrt(sum((x - m) ** 2 for x in xs) / (n - 1))
    h = T975.get(n, 1.96) * sd / math.sqrt(n)
    return m, m - h, m + h


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
    ap.add_argument("--seeds", default="1-10")
    a = ap.parse_args()
    lo, _, hi = a.seeds.partition("-")
    diffs = {k: [] for k in ("answer_rate", "coverage", "response_timeliness", "lift")}
    caps = [0.0, 0.0]
    seeds = []
    for seed in range(int(lo), int(hi or lo) + 1):
        x, y = load(a.a, seed), load(a.b, seed)
        if x is None or y is None:
            continue
        seeds.append(seed)
        for k in ("answer_rate", "coverage", "response_timeliness"):
            diffs[k].append(100 * (y[k][0] - x[k][0]))
        diffs["lift"].append(100 * (y["answer_rate"][0] / y["answer_rate"][1] - x["answer_rate"][0] / x["answer_rate"][1]))
        caps[0] += x["cap_violations"][0]
        caps[1] += y["cap_violations"][0]
    print(f"B - A over seeds {seeds}:")
    for k, v in diffs.items():
        m, l, h = tint(v)
        print(f"  {k:20s} {m:+.2f} points [{l:+.2f}, {h:+.2f}]")
    print(f"  cap violations      A {caps[0]:.0f}  B {caps[1]:.0f}")


if __name__ == "__main__":
    main()
