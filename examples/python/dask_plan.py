#!/usr/bin/env python3
"""Tomorrow's follow-up plan for a large book, split over Dask partitions.

The customers are split into partitions by customer id; each partition's
events go with them. A Dask distributed cluster of worker *processes*, each
running several *threads*, plans every partition with its own Book and
Planner under one policy per process (a loaded policy is immutable and is
shared by that process's threads; the binding releases the GIL while C runs).
The partitions' plans are concatenated and checked against a plan made in one
piece in this process: the same touchpoints, whatever the split.

One thing in a plan depends on the whole book: the fallback purchase cycle of
a customer with too few purchases is the mean cycle of its value tier over
all customers. They are computed once on the whole book (one pass:
Planner(...).tier_cycles()) and handed to every partition's planner
(Planner(..., tier_cycles=...)); --local-cycles shows what happens without
that (partitions plan with their own tier means and the plans may differ).

    /usr/bin/python3 examples/python/dask_plan.py --customers 20000 --partitions 8

Capacity limits are per partition in a split plan, so the example plans
without an agent limit (the default) to make the comparison exact.
"""
from __future__ import annotations

import argparse
import csv
import io
import os
import pathlib
import subprocess
import sys
import tempfile
import threading
import time

import followup

NOW = "2026-11-23T00:00:00+08:00"
_local = threading.local()


def _policy():
    """One policy per worker process, shared by its threads."""
    p = getattr(_policy, "shared", None)
    if p is None:
        p = _policy.shared = followup.policy_default()
    return p


def plan_partition(customers_csv: str, events_csv: str, now: int,
                   tier_cycles: list[float] | None) -> tuple[str, int, str]:
    """Plan one partition with the whole book's tier cycles (None: the
    partition's own); returns (plan CSV, touchpoint count, worker thread)."""
    book = followup.Book(flags=followup.BOOK_CREATE_CUSTOMERS)
    book.read_customers_text(customers_csv, source_name="partition-customers.csv")
    book.read_events_text(events_csv, source_name="partition-events.csv")
    planner = followup.Planner(_policy(), book, tier_cycles=tier_cycles)
    plan = planner.plan(now, 86400)
    return plan.csv(), plan.count(), f"{os.getpid()}/{threading.current_thread().name}"


def split(customers_path: pathlib.Path, events_path: pathlib.Path, parts: int):
    """Partition the CSVs by a stable hash of the customer id."""
    def part_of(cid: str) -> int:
        return sum(cid.encode()) % parts

    chunks = []
    for path in (customers_path, events_path):
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
        header, body = rows[0], rows[1:]
        outs = [io.StringIO() for _ in range(parts)]
        writers = [csv.writer(o, lineterminator="\n") for o in outs]
        for w in writers:
            w.writerow(header)
        for row in body:
            writers[part_of(row[0])].writerow(row)
        chunks.append([o.getvalue() for o in outs])
    return list(zip(*chunks))


def rows_of(plan_csv: str) -> list[tuple]:
    return sorted(tuple(r) for r in list(csv.reader(io.StringIO(plan_csv)))[1:])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=20000)
    ap.add_argument("--partitions", type=int, default=8)
    ap.add_argument("--workers", type=int, default=2, help="worker processes")
    ap.add_argument("--threads", type=int, default=2, help="threads per worker")
    ap.add_argument("--sample", help="a directory with customers.csv and events.csv "
                    "(default: generate one)")
    ap.add_argument("--local-cycles", action="store_true",
                    help="let each partition compute its own tier cycles (plans may differ)")
    args = ap.parse_args()

    from dask.distributed import Client, LocalCluster

    with tempfile.TemporaryDirectory() as tmp:
        sample = pathlib.Path(args.sample) if args.sample else pathlib.Path(tmp)
        if not args.sample:
            gen = pathlib.Path(__file__).resolve().parents[1] / "sample" / "generate.py"
            subprocess.run([sys.executable, str(gen), "--customers", str(args.customers),
                            "--out", str(sample)], check=True, stdout=subprocess.DEVNULL)
        now = followup.time_parse(NOW)
        parts = split(sample / "customers.csv", sample / "events.csv", args.partitions)

        t0 = time.perf_counter()
        whole = followup.Book(flags=followup.BOOK_CREATE_CUSTOMERS)
        whole.read_customers_csv(str(sample / "customers.csv"))
        whole.read_events_csv(str(sample / "events.csv"))
        planner = followup.Planner(followup.policy_default(), whole)
        reference = planner.plan(now, 86400).csv()
        t_single = time.perf_counter() - t0
        # the whole book's fallback cycles, for every partition
        cycles = None if args.local_cycles else planner.tier_cycles()

        with LocalCluster(n_workers=args.workers, threads_per_worker=args.threads,
                          processes=True, dashboard_address=None) as cluster, Client(cluster) as client:
            t0 = time.perf_counter()
            futures = [client.submit(plan_partition, c, e, now, cycles, pure=False) for c, e in parts]
            results = client.gather(futures)
            t_dask = time.perf_counter() - t0

        combined = [row for csv_text, _, _ in results for row in rows_of(csv_text)]
        combined.sort()
        workers = sorted({w for _, _, w in results})
        same = combined == rows_of(reference)
        print(f"book: {args.customers} customers in {args.partitions} partitions")
        print("tier cycles:", "each partition's own" if cycles is None else
              "the whole book's (" + ", ".join(f"{c:.1f}" for c in cycles) + " days)")
        print(f"single process: {len(rows_of(reference))} touchpoints in {t_single:.2f} s")
        print(f"dask: {len(combined)} touchpoints in {t_dask:.2f} s on "
              f"{len({w.split('/')[0] for w in workers})} processes, {len(workers)} threads")
        print("same plan as in one piece:", "yes" if same else "NO")
        return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
