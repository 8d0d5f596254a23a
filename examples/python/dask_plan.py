#!/usr/bin/env python3
"""Tomorrow's follow-up plan for a large book, split over Dask partitions, with
the agents' daily capacity of the whole book.

The customers are split into partitions by customer id; each partition's
events go with them. A Dask distributed cluster of worker *processes*, each
running several *threads*, plans every partition with its own Book and
Planner under one policy per process (a loaded policy is immutable and is
shared by that process's threads; the binding releases the GIL while C runs).

Two things in a plan depend on the whole book, and both are handled so that
the partitions' plans together are the plan of one planner over the whole
book, byte for byte (checked here against a plan made in one piece):

* the fallback purchase cycle of a customer with too few purchases is the
  mean cycle of its value tier over all customers: every partition reports
  its exact integer parts (Planner(...).tier_cycle_sums(): whole seconds
  summed and customers counted), the driver combines them
  (followup.combine_tier_cycles(parts): bit for bit the cycles of a planner
  over the whole book, checked here) and hands them to every partition's
  planner (Planner(..., tier_cycles=...)); --local-cycles shows what happens
  without that (partitions plan with their own tier means);
* agent capacity (--agents x --calls-per-agent contacts a day on phone,
  video, chat and visit): partitions plan without capacity and send their
  planned agent contacts (followup.capacity_items, 40 bytes each) to one
  global pass (followup.capacity_pass: most pressing first per day, the rest
  deferred to the next day, exactly as one planner with
  Planner(..., daily_capacity=True) does); each partition then plans again
  and applies the pass to its own contacts (followup.apply_capacity). The
  one-piece plan compared with is made with daily_capacity=True: without it
  one planner over a horizon of several days moves a contact over a day's
  cap to a later day with room, which the pass does not (that needs each
  partition's planner, one round a day; docs/scaling.md); over one day the
  two agree.
  --per-partition-capacity shows what happens without the global pass (each
  partition gets the whole day's capacity: too many contacts are planned).

    /usr/bin/python3 examples/python/dask_plan.py --customers 20000 --partitions 8 --agents 2

The plans of the partitions are merged in the plan's own order (status,
best_at, customer in book order, priority, position) into one CSV with the
status columns. docs/scaling.md explains how a site runs this on a real
cluster.
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

import numpy as np

import followup

NOW = "2026-11-23T00:00:00+08:00"
ALL_STATUSES = 0x1F  # planned, suppressed, deferred, cancelled, later


def _policy():
    """One policy per worker process, shared by its threads."""
    p = getattr(_policy, "shared", None)
    if p is None:
        p = _policy.shared = followup.policy_default()
    return p


def _book(part: dict):
    """The Book of one partition."""
    book = followup.Book(flags=followup.BOOK_CREATE_CUSTOMERS)
    book.read_customers_text(part["customers"], source_name=f"part{part['id']}-customers.csv")
    book.read_events_text(part["events"], source_name=f"part{part['id']}-events.csv")
    if book.customer_count() != len(part["index"]):
        raise ValueError(f"partition {part['id']}: events name customers that customers.csv lacks "
                         "(partitioned planning needs every customer in customers.csv)")
    return book


def partition_cycle_sums(part: dict):
    """The exact parts of the partition's tier cycles: (sums, counts)."""
    return followup.Planner(_policy(), _book(part)).tier_cycle_sums()


def _plan(part: dict, now: int, horizon: int, tier_cycles, agents: int, calls: int, capacity_pass: bool = False):
    """Book, planner and plan of one partition; `agents` 0: without capacity
    (capacity_pass: the global pass applies it, so windows it may have pushed
    a call past stay due in later runs, as with one planner's `agents`)."""
    book = _book(part)
    planner = followup.Planner(_policy(), book, agents=agents, calls_per_agent=calls, tier_cycles=tier_cycles,
                               capacity_pass=capacity_pass, daily_capacity=True)
    return book, planner, planner.plan(now, horizon)


def partition_items(part: dict, now: int, horizon: int, tier_cycles) -> bytes:
    """Phase 1: plan without capacity; the planned agent contacts with the
    whole book's customer index (capacity_items records)."""
    _, _, plan = _plan(part, now, horizon, tier_cycles, 0, 0, capacity_pass=True)
    items = np.frombuffer(followup.capacity_items(plan), dtype=followup.CAPACITY_DTYPE).copy()
    items["customer"] = np.asarray(part["index"], dtype=np.uint64)[items["customer"]]
    items["part"] = part["id"]
    return items.tobytes()


def partition_plan(part: dict, now: int, horizon: int, tier_cycles, deferred: bytes | None,
                   agents: int, calls: int) -> tuple[list, str, str]:
    """Phase 3: plan again (same plan as phase 1) and apply the global pass
    (deferred: this partition's deferred records; None: the partition's own
    capacity). Returns the merge keys of the rows and the CSV with status."""
    _, _, plan = _plan(part, now, horizon, tier_cycles, 0 if deferred is not None else agents, calls,
                       capacity_pass=deferred is not None)
    if deferred:
        followup.apply_capacity(plan, deferred)
    text = plan.csv(status_mask=ALL_STATUSES, with_status=True)
    keys = []
    for s in range(5):
        for t in plan.touchpoints(s):
            # one planner emits a customer's contacts deferred by capacity after
            # those deferred by other rules, in the order of their window ends
            cap = s == followup.TOUCHPOINT_DEFERRED and t.status_rule == "capacity.calls_per_agent_day"
            keys.append((s, t.best_at, part["index"][t.customer], t.priority, int(cap), t.due_to if cap else 0))
    return keys, text, f"{os.getpid()}/{threading.current_thread().name}"


def merge(results) -> str:
    """One CSV from the partitions', in the order of the whole plan: status,
    best_at, the customer's index in the whole book, priority, then (rows
    deferred by capacity after the others, by window end) the position in
    the partition's plan."""
    rows = []
    header = None
    for keys, text, _ in results:
        lines = [line + "\n" for line in text.split("\n")[:-1]]  # rows end with \n, cells may hold \r
        header = lines[0]
        if len(lines) - 1 != len(keys):
            raise ValueError("a plan row spans several lines")
        rows.extend((k, pos, line) for pos, (k, line) in enumerate(zip(keys, lines[1:])))
    rows.sort(key=lambda r: (r[0], r[1]))
    return (header or "") + "".join(line for _, _, line in rows)


def split(customers_path: pathlib.Path, events_path: pathlib.Path, parts: int) -> list[dict]:
    """Partition the CSVs by a stable hash of the customer id; each partition
    keeps its customers in book order with their index in the whole book."""
    def part_of(cid: str) -> int:
        return sum(cid.encode()) % parts

    out = [{"id": p, "index": [], "customers": io.StringIO(), "events": io.StringIO()} for p in range(parts)]
    for key, path in (("customers", customers_path), ("events", events_path)):
        with open(path, newline="", encoding="utf-8") as f:
            rows = csv.reader(f)
            header = next(rows)
            writers = [csv.writer(o[key], lineterminator="\n") for o in out]
            for w in writers:
                w.writerow(header)
            for i, row in enumerate(rows):
                p = part_of(row[0])
                writers[p].writerow(row)
                if key == "customers":
                    out[p]["index"].append(i)
    for o in out:
        o["customers"] = o["customers"].getvalue()
        o["events"] = o["events"].getvalue()
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=20000)
    ap.add_argument("--partitions", type=int, default=8)
    ap.add_argument("--workers", type=int, default=2, help="worker processes")
    ap.add_argument("--threads", type=int, default=2, help="threads per worker")
    ap.add_argument("--sample", help="a directory with customers.csv and events.csv "
                    "(default: generate one)")
    ap.add_argument("--agents", type=int, default=0, help="agents on duty a day (0: no capacity limit)")
    ap.add_argument("--calls-per-agent", type=int, default=0,
                    help="calls per agent a day (0: the policy's capacity.calls_per_agent_day.max)")
    ap.add_argument("--horizon-days", type=int, default=1)
    ap.add_argument("--local-cycles", action="store_true",
                    help="let each partition compute its own tier cycles (plans may differ)")
    ap.add_argument("--per-partition-capacity", action="store_true",
                    help="apply capacity in each partition instead of the global pass (plans differ)")
    ap.add_argument("--out", help="write the merged plan CSV here")
    args = ap.parse_args()

    from dask.distributed import Client, LocalCluster

    with tempfile.TemporaryDirectory() as tmp:
        sample = pathlib.Path(args.sample) if args.sample else pathlib.Path(tmp)
        if not args.sample:
            gen = pathlib.Path(__file__).resolve().parents[1] / "sample" / "generate.py"
            subprocess.run([sys.executable, str(gen), "--customers", str(args.customers),
                            "--out", str(sample)], check=True, stdout=subprocess.DEVNULL)
        now = followup.time_parse(NOW)
        horizon = args.horizon_days * 86400
        parts = split(sample / "customers.csv", sample / "events.csv", args.partitions)

        t0 = time.perf_counter()
        whole = followup.Book(flags=followup.BOOK_CREATE_CUSTOMERS)
        whole.read_customers_csv(str(sample / "customers.csv"))
        whole.read_events_csv(str(sample / "events.csv"))
        policy = followup.policy_default()  # the driver's own (the workers' is _policy())
        # the one-day rule of the global pass (a contact over a day's cap waits for the next day)
        planner = followup.Planner(policy, whole, agents=args.agents,
                                   calls_per_agent=args.calls_per_agent, daily_capacity=True)
        ref_plan = planner.plan(now, horizon)
        reference = ref_plan.csv(status_mask=ALL_STATUSES, with_status=True)
        t_single = time.perf_counter() - t0

        with LocalCluster(n_workers=args.workers, threads_per_worker=args.threads,
                          processes=True, dashboard_address=None) as cluster, Client(cluster) as client:
            t0 = time.perf_counter()
            # the whole book's fallback cycles, from the partitions' exact parts, for every partition
            cycles = None
            if not args.local_cycles:
                parts_sums = client.gather([client.submit(partition_cycle_sums, p, pure=False) for p in parts])
                cycles = followup.combine_tier_cycles(parts_sums).tolist()
            per_part = [None] * len(parts)
            n_deferred = 0
            if args.agents and not args.per_partition_capacity:
                futures = [client.submit(partition_items, p, now, horizon, cycles, pure=False) for p in parts]
                items = np.frombuffer(b"".join(client.gather(futures)), dtype=followup.CAPACITY_DTYPE)
                decided = np.frombuffer(followup.capacity_pass(policy, items.tobytes(), args.agents,
                                                               args.calls_per_agent), dtype=followup.CAPACITY_DTYPE)
                n_deferred = int(decided["deferred"].sum())
                per_part = [decided[(decided["part"] == p["id"]) & (decided["deferred"] == 1)].tobytes()
                            for p in parts]
            futures = [client.submit(partition_plan, p, now, horizon, cycles, d, args.agents,
                                     args.calls_per_agent, pure=False) for p, d in zip(parts, per_part)]
            results = client.gather(futures)
            t_dask = time.perf_counter() - t0

        combined = merge(results)
        if args.out:
            pathlib.Path(args.out).write_text(combined, encoding="utf-8")
        workers = sorted({w for _, _, w in results})
        own = planner.tier_cycles()  # the one-piece planner's, computed over the whole book
        same_cycles = cycles is None or np.array_equal(np.asarray(cycles).view(np.int64), own.view(np.int64))
        same = combined == reference and same_cycles
        stats = ref_plan.stats()
        print(f"book: {whole.customer_count()} customers in {args.partitions} partitions")
        print("tier cycles:", "each partition's own" if cycles is None else
              "combined from the partitions' parts (" + ", ".join(f"{c:.1f}" for c in cycles) + " days); "
              "bit for bit the whole book's: " + ("yes" if same_cycles else "NO"))
        print("capacity:", "none" if not args.agents else
              f"{stats.capacity_per_day} agent contacts a day, " +
              ("per partition" if args.per_partition_capacity else
               f"global pass ({n_deferred} deferred)"))
        print(f"single process: {stats.planned} planned, {stats.deferred} deferred, "
              f"{len(reference.splitlines()) - 1} rows in {t_single:.2f} s")
        print(f"dask: {len(combined.splitlines()) - 1} rows in {t_dask:.2f} s on "
              f"{len({w.split('/')[0] for w in workers})} processes, {len(workers)} threads")
        print("same plan as in one piece:", "yes" if same else "NO")
        return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
