#!/usr/bin/python3
"""Answer rate of the best-time arm against the first-allowed-hour plan over fixed seeds.

Runs `followup simulate --compare ARMS --format csv` on the realistic sample book (the
"simulate" section's span and team, bench/BENCHMARKS.md) once per seed, and prints per
arm the mean answer rate with its 95% t-interval over the seeds, the relative lift
of every arm over `policy` (per-seed ratio, mean and t-interval), the mean strict
coverage (t-interval) and the total cap violations over the seeds. The `oracle` arm
(evaluation only, FU_SIMULATION_ORACLE) ranks hours by the simulator's ground truth. Reads only the CSV
outputs: the ground truth is the simulator's, never this script's.

    /usr/bin/python3 bench/besttime_sim_seeds.py BUILD/examples/followup [--seeds 1-10 | 1,3,5-7]
        [--arms policy,besttime] [--save DIR] [--policy FILE] [--agents 3] [--calls-per-agent 40]

--save DIR keeps each seed's CSV (DIR/seed_N.csv) so that runs can be compared byte for
byte (the policy and baseline arms must not move when only the best-time model changes).
"""
import argparse
import csv
import io
import os
import subprocess
import sys

from besttime_sim_util import add_seeds_option, tint

HERE = os.path.dirname(os.path.abspath(__file__))
BOOK = os.path.join(HERE, "..", "examples", "sample", "realistic")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("followup")
    add_seeds_option(ap)
    ap.add_argument("--arms", default="policy,besttime")
    ap.add_argument("--save")
    ap.add_argument("--policy")
    ap.add_argument("--agents", default="3")
    ap.add_argument("--calls-per-agent", default="40")
    a = ap.parse_args()
    arms = a.arms.split(",")
    rates = {arm: [] for arm in arms}
    cover = {arm: [] for arm in arms}
    caps = {arm: [] for arm in arms}
    for seed in a.seeds:
        cmd = [a.followup, "simulate", "--customers", os.path.join(BOOK, "customers.csv"),
               "--events", os.path.join(BOOK, "events.csv"), "--truth", os.path.join(BOOK, "truth.csv"),
               "--from", "2026-09-21T00:00:00+08:00", "--to", "2026-12-14T00:00:00+08:00",
               "--compare", a.arms, "--agents", a.agents, "--calls-per-agent", a.calls_per_agent, "--seed", str(seed),
               "--format", "csv"]
        if a.policy:
            cmd[2:2] = ["--policy", a.policy]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        if a.save:
            os.makedirs(a.save, exist_ok=True)
            with open(os.path.join(a.save, f"seed_{seed}.csv"), "w") as f:
                f.write(out)
        rows = {r["measure"]: r for r in csv.DictReader(io.StringIO(out))}
        for arm in arms:
            rates[arm].append(float(rows["answer_rate"][arm]))
            cover[arm].append(float(rows["coverage"][arm]))
            caps[arm].append(float(rows["cap_violations"][arm]))
        print(f"seed {seed}: " + "  ".join(f"{arm} {rates[arm][-1]:.4f}/{cover[arm][-1]:.4f}/{caps[arm][-1]:.0f}"
                                          for arm in arms), file=sys.stderr)
    for arm in arms:
        m, lo, hi = tint(rates[arm])
        line = f"{arm:12s} answer rate {m:.4f} [{lo:.4f}, {hi:.4f}]"
        if arm != "policy" and "policy" in rates:
            g = [100 * (x / p - 1) for x, p in zip(rates[arm], rates["policy"])]
            gm, glo, ghi = tint(g)
            line += f"  lift over policy {gm:+.2f}% [{glo:+.2f}, {ghi:+.2f}]"
        m, lo, hi = tint(cover[arm])
        line += f"  strict coverage {m:.4f} [{lo:.4f}, {hi:.4f}]  cap violations {sum(caps[arm]):.0f}"
        print(line)


if __name__ == "__main__":
    main()
