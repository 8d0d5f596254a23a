#!/usr/bin/env python3
"""Plan a book larger than one process on a Dask LocalCluster of worker
processes, with the agents' daily capacity of the whole book (the global
capacity pass, docs/scaling.md), and report wall time per phase and the peak
RSS of every worker process and in total.

The book is a directory of partitions by customer (bench/gen_dask_book.py:
OUT/part-NNNNN/customers.csv, events.csv, book.json); a worker reads one
partition per task from disk, so no process ever holds the whole book.

    /usr/bin/python3 bench/gen_dask_book.py --customers 2000000 --partitions 20 --out /tmp/book2m
    /usr/bin/python3 bench/bench_dask_plan.py --book /tmp/book2m --workers 2 --agents 2000

Phases:
  cycles  every partition's fallback purchase cycles (tier_cycles) and its
          customer count; combined as the mean weighted by customers
          (docs/scaling.md: exact only with per-tier counts, see there)
  items   every partition plans without capacity and returns its planned
          agent contacts (followup.capacity_items, 40 bytes each)
  pass    followup.capacity_pass over all items, in this process
  plan    every partition plans again, applies the pass to its own contacts
          (followup.apply_capacity) and writes OUT/plan/part-NNNNN.csv

Peak RSS is ru_maxrss of each worker process (every task reports it; the
largest is the process's peak), of this process (the driver, which also runs
the scheduler) and their sum. Times are wall clock on a shared machine: quote
them with the machine and the date (bench/BENCHMARKS.md).
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import platform
import resource
import sys
import time

import numpy as np

import followup

_POLICY = {}


def _policy():
    if "p" not in _POLICY:
        _POLICY["p"] = followup.policy_default()
    return _POLICY["p"]


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _planner(book_dir: str, p: int, cycles, agents: int = 0, calls: int = 0):
    d = pathlib.Path(book_dir) / f"part-{p:05d}"
    book = followup.Book(flags=followup.BOOK_CREATE_CUSTOMERS)
    book.read_customers_csv(str(d / "customers.csv"))
    book.read_events_csv(str(d / "events.csv"))
    return book, followup.Planner(_policy(), book, agents=agents, calls_per_agent=calls, tier_cycles=cycles)


def task_cycles(book_dir: str, p: int):
    book, planner = _planner(book_dir, p, None)
    return p, book.customer_count(), planner.tier_cycles(), os.getpid(), _rss_mib()


def task_items(book_dir: str, p: int, parts: int, cycles, now: int, horizon: int):
    _, planner = _planner(book_dir, p, cycles)
    plan = planner.plan(now, horizon)
    items = np.frombuffer(followup.capacity_items(plan), dtype=followup.CAPACITY_DTYPE).copy()
    items["customer"] = p + items["customer"] * parts  # the whole book's index (gen_dask_book.py)
    items["part"] = p
    return items.tobytes(), os.getpid(), _rss_mib()


def task_plan(book_dir: str, out_dir: str, p: int, cycles, now: int, horizon: int, deferred: bytes):
    _, planner = _planner(book_dir, p, cycles)
    plan = planner.plan(now, horizon)
    if deferred:
        followup.apply_capacity(plan, deferred)
    plan.write_csv(str(pathlib.Path(out_dir) / f"part-{p:05d}.csv"), status_mask=0x1F, with_status=True)
    s = plan.stats()
    return (s.planned, s.deferred, s.agent_contacts), os.getpid(), _rss_mib()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--book", required=True, help="a directory made by bench/gen_dask_book.py")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=1, help="threads per worker")
    ap.add_argument("--agents", type=int, default=2000)
    ap.add_argument("--calls-per-agent", type=int, default=0)
    ap.add_argument("--horizon-days", type=int, default=1)
    ap.add_argument("--out", help="plan directory (default BOOK/plan)")
    ap.add_argument("--memory-limit", default="auto", help="Dask worker memory limit")
    ap.add_argument("--check", action="store_true",
                    help="for a book that fits: plan it in this process too (same tier cycles and "
                         "capacity) and compare the rows")
    a = ap.parse_args()

    from dask.distributed import Client, LocalCluster

    meta = json.loads((pathlib.Path(a.book) / "book.json").read_text())
    parts = meta["partitions"]
    out = pathlib.Path(a.out or pathlib.Path(a.book) / "plan")
    out.mkdir(parents=True, exist_ok=True)
    now = followup.time_parse(meta["now"])
    horizon = a.horizon_days * 86400
    peak: dict[int, float] = {}

    def note(pid, rss):
        peak[pid] = max(peak.get(pid, 0.0), rss)

    times = {}
    t_all = time.perf_counter()
    with LocalCluster(n_workers=a.workers, threads_per_worker=a.threads, processes=True,
                      dashboard_address=None, memory_limit=a.memory_limit) as cluster, Client(cluster) as client:
        t0 = time.perf_counter()
        res = client.gather([client.submit(task_cycles, a.book, p, pure=False) for p in range(parts)])
        n = np.array([r[1] for r in res], dtype=float)
        cyc = np.array([r[2] for r in res], dtype=float)
        have = cyc > 0  # a partition without a cycle for a tier/class does not count for it
        w = (n[:, None] * have).sum(axis=0)
        cycles = [float(x) for x in np.where(w > 0, (cyc * n[:, None]).sum(axis=0) / np.maximum(w, 1), 0.0)]
        for r in res:
            note(r[3], r[4])
        times["cycles"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        res = client.gather([client.submit(task_items, a.book, p, parts, cycles, now, horizon, pure=False)
                             for p in range(parts)])
        blob = b"".join(r[0] for r in res)
        for r in res:
            note(r[1], r[2])
        times["items"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        decided = np.frombuffer(followup.capacity_pass(followup.policy_default(), blob, a.agents, a.calls_per_agent),
                                dtype=followup.CAPACITY_DTYPE)
        mine = decided[decided["deferred"] == 1]
        order = np.argsort(mine["part"], kind="stable")
        mine = mine[order]
        bounds = np.searchsorted(mine["part"], np.arange(parts + 1))
        per_part = [mine[bounds[p]:bounds[p + 1]].tobytes() for p in range(parts)]
        times["pass"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        res = client.gather([client.submit(task_plan, a.book, str(out), p, cycles, now, horizon, per_part[p],
                                           pure=False) for p in range(parts)])
        for r in res:
            note(r[1], r[2])
        times["plan"] = time.perf_counter() - t0
        worker_pids = sorted(peak)
    wall = time.perf_counter() - t_all
    planned = sum(r[0][0] for r in res)
    deferred = sum(r[0][1] for r in res)
    agent = sum(r[0][2] for r in res)
    driver = _rss_mib()
    print(f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} cores; "
          f"dask {__import__('dask').__version__}, distributed {__import__('distributed').__version__}")
    print(f"book: {meta['customers']} customers, {meta['events']} events, {meta['bytes'] / 1e9:.2f} GB CSV, "
          f"{parts} partitions of ~{meta['customers'] // parts} customers")
    print(f"cluster: {a.workers} worker processes x {a.threads} threads")
    print(f"capacity: {a.agents} agents x {a.calls_per_agent or 'policy max'} calls a day; "
          f"{len(decided)} agent contacts before the pass, {int(decided['deferred'].sum())} deferred")
    print(f"plan: {planned} planned ({agent} on agent channels), {deferred} deferred; CSV in {out}")
    print("wall: " + ", ".join(f"{k} {v:.1f} s" for k, v in times.items()) + f"; total {wall:.1f} s")
    print("peak RSS per worker: " + ", ".join(f"{peak[p]:.0f} MiB" for p in worker_pids) +
          f"; driver+scheduler {driver:.0f} MiB; total {sum(peak.values()) + driver:.0f} MiB")
    if a.check:
        return check(a, meta, out, cycles, now, horizon)
    return 0


def check(a, meta, out: pathlib.Path, cycles, now: int, horizon: int) -> int:
    """The whole book in this process, customers in the order of their index
    (k), planned with the same tier cycles and capacity: the same rows as the
    partitions' plans together (compared as sorted lines: the partitions'
    files are not merged here)."""
    import pandas as pd
    parts = meta["partitions"]
    t0 = time.perf_counter()
    cust = pd.concat([pd.read_csv(pathlib.Path(a.book) / f"part-{p:05d}" / "customers.csv", dtype=str,
                                  keep_default_na=False) for p in range(parts)])
    cust = cust.sort_values("customer_id", kind="stable")  # zero-padded ids: the order of k
    whole = followup.Book(flags=followup.BOOK_CREATE_CUSTOMERS)
    whole.read_customers_text(cust.to_csv(index=False), source_name="customers (all partitions)")
    del cust
    for p in range(parts):
        whole.read_events_csv(str(pathlib.Path(a.book) / f"part-{p:05d}" / "events.csv"))
    planner = followup.Planner(followup.policy_default(), whole, agents=a.agents,
                               calls_per_agent=a.calls_per_agent, tier_cycles=cycles)
    ref = planner.plan(now, horizon).csv(status_mask=0x1F, with_status=True).splitlines()
    got = []
    for p in range(parts):
        got.extend((out / f"part-{p:05d}.csv").read_text(encoding="utf-8").splitlines()[1:])
    same = sorted(ref[1:]) == sorted(got)
    print(f"check: one process ({time.perf_counter() - t0:.1f} s, peak RSS {_rss_mib():.0f} MiB): "
          f"{len(ref) - 1} rows; partitions {len(got)} rows; same rows: {'yes' if same else 'NO'}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
