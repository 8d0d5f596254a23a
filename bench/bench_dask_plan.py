#!/usr/bin/env python3
"""Plan a book larger than one process on a Dask LocalCluster of worker
processes, with the agents' daily capacity of the whole book (the global
capacity pass, docs/scaling.md); report wall and CPU time per phase, the peak
RSS of every worker process and of the driver, and check the result.

The book is made where it is planned: with --customers N, partition p is
generated inside the worker that plans it from (seed, p) alone, with numpy,
straight into a followup.Book (bench/gen_dask_book.py, no CSV, nothing on
disk); with --book DIR it is read from the partition files gen_dask_book.py
writes (OUT/part-NNNNN/customers.csv, events.csv, book.json). No process
ever holds the whole book; the driver holds only the planned agent contacts
(40 bytes each) and small per-partition results.

    /usr/bin/python3 bench/bench_dask_plan.py --customers 2000000 --partitions 20 --agents 1000 --check
    nohup nice -n 10 /usr/bin/python3 bench/bench_dask_plan.py --customers 20000000 \\
        --partitions 200 --agents 10000 --kpi --repeat 3 > dask20m.log 2>&1 &

Phases:
  cycles  every partition's fallback purchase cycles as exact integer
          parts (Planner.tier_cycle_sums(): whole seconds summed and
          customers counted per tier x class, from its customers and
          purchase events only); combined in the driver by
          followup.combine_tier_cycles(parts): bit for bit the cycles of one
          planner over the whole book (docs/scaling.md)
  items   every partition plans without capacity and returns its planned
          agent contacts (followup.capacity_items, 40 bytes each); with
          --kpi also its KPI partial (Kpi.partial) and totals counted by
          the generator
  pass    followup.capacity_pass over all items, in the driver
  plan    every partition plans again, applies the pass to its own contacts
          (followup.apply_capacity) and returns its row counts, the SHA-256
          of its plan CSV (all statuses, status columns) and its planned
          agent contacts per local day (--out: also writes the CSV)

With --rounds (capacity over several days: the plan of one planner without
daily_capacity, docs/scaling.md "Rounds over several days") the phases after
cycles are:
  open    every partition plans without capacity, keeps its plan open
          (followup.CapacityPart) and returns its planned agent contacts
  rounds  followup.capacity_round over all items in the driver, one day a
          round; after each, the partitions with contacts over the day's cap
          move them with their own planner (CapacityPart.move: all of the
          partition's items there and back)
  close   every partition's plan after the last round (CapacityPart.plan):
          counts, SHA-256 and contacts per day as the plan phase returns
A partition's part is kept in its worker between rounds up to --keep-parts
a worker (0, the default: made again from (seed, p) for each round, so a
worker holds one partition at a time); --check compares with one planner
without daily_capacity. --kpi and --repeat are of the one-round pass.

    nohup nice -n 10 /usr/bin/python3 bench/bench_dask_plan.py --customers 20000000 \\
        --partitions 200 --agents 20000 --horizon-days 3 --rounds > dask20m-rounds.log 2>&1 &

Checks: the planned agent contacts of every day, over all partitions, are
at most agents x calls a day; the plan's counters add up; --kpi: the merged
KPI partials count what the generator made; --repeat K: K partitions
generated and planned again in the driver process (not the worker that
planned them) give the same SHA-256; --check (a
book that fits one process): the whole book planned in the driver with the
same capacity and NO tier cycles given (the planner computes its own over
the whole book, which must equal the combined ones bit for bit), its rows
split by partition, give every partition's SHA-256 (the same rows in the
same order): the same plan as one process.

Peak RSS is ru_maxrss of each worker process (every task reports it; the
largest is the process's peak) and of the driver (which also runs the
scheduler and the pass); CPU time is ru_utime + ru_stime of the same
processes. Times are wall clock on a shared machine: quote them with the
machine, the load and the date (bench/BENCHMARKS.md).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import pathlib
import platform
import resource
import sys
import time

import numpy as np

import followup

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import gen_dask_book as gen  # noqa: E402

ALL_STATUSES = 0x1F
_POLICY = {}


def _policy():
    """One policy per process (immutable, shared by its threads)."""
    if "p" not in _POLICY:
        _POLICY["p"] = followup.policy_default()
    return _POLICY["p"]


def _me() -> tuple[int, float, float]:
    """This process: pid, peak RSS (MiB), CPU seconds so far."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return os.getpid(), r.ru_maxrss / 1024.0, r.ru_utime + r.ru_stime


def _book(src: dict, p: int, only_purchases: bool = False):
    """Partition p as a finalized Book, and the generator's totals (None
    when read from files)."""
    if src["kind"] == "gen":
        return gen.partition_book(followup, p, src["customers"], src["partitions"], src["purchases"], src["seed"],
                                  only_purchases=only_purchases)
    d = pathlib.Path(src["dir"]) / f"part-{p:05d}"
    book = followup.Book(flags=followup.BOOK_CREATE_CUSTOMERS)
    book.read_customers_csv(str(d / "customers.csv"))
    book.read_events_csv(str(d / "events.csv"))
    book.finalize()
    return book, None


def task_cycles(src: dict, p: int):
    book, _ = _book(src, p, only_purchases=True)
    planner = followup.Planner(_policy(), book)
    return p, book.customer_count(), planner.tier_cycle_sums(), _me()


def _kpi(src: dict, policy):
    return followup.Kpi(policy, period="month", as_of=src["now"])


def task_items(src: dict, p: int, cycles, horizon: int, kpi: bool):
    book, totals = _book(src, p)
    plan = followup.Planner(_policy(), book, tier_cycles=cycles, capacity_pass=True).plan(src["now"], horizon)
    items = np.frombuffer(followup.capacity_items(plan), dtype=followup.CAPACITY_DTYPE).copy()
    parts = src["partitions"]
    items["customer"] = p + items["customer"] * parts  # the whole book's index (gen_dask_book.py)
    items["part"] = p
    blob = None
    if kpi:
        k = _kpi(src, _policy())
        k.add_book(book)
        blob = k.partial()
    return items.tobytes(), blob, totals, _me()


def _day_counts(plan) -> dict:
    """Planned agent contacts per local day (+08:00, the policy's calendar)."""
    it = np.frombuffer(followup.capacity_items(plan), dtype=followup.CAPACITY_DTYPE)
    days, counts = np.unique((it["best_at"] + 8 * 3600) // 86400, return_counts=True)
    return dict(zip(days.tolist(), counts.tolist()))


def task_plan(src: dict, p: int, cycles, horizon: int, deferred: bytes, out: str | None):
    book, _ = _book(src, p)
    plan = followup.Planner(_policy(), book, tier_cycles=cycles, capacity_pass=True).plan(src["now"], horizon)
    if deferred:
        followup.apply_capacity(plan, deferred)
    return _plan_result(p, plan, out)


def _plan_result(p: int, plan, out: str | None):
    """What a partition's final plan reports: its row counts, the SHA-256 of
    its CSV (all statuses, status columns), its planned agent contacts per
    local day."""
    text = plan.csv(status_mask=ALL_STATUSES, with_status=True)
    if out:
        (pathlib.Path(out) / f"part-{p:05d}.csv").write_text(text, encoding="utf-8")
    s = plan.stats()
    rows = text.count("\n") - 1
    digest = hashlib.sha256(text.encode()).hexdigest()
    return p, (s.planned, s.deferred, s.agent_contacts, rows), digest, _day_counts(plan), _me()


# ---- --rounds: capacity over several days across partitions (docs/scaling.md, "Rounds over several days")
def _kept() -> dict:
    """This worker's open parts ((run, p) -> CapacityPart, most recent last)
    and how many it made; outside a worker, this process's."""
    try:
        from dask.distributed import get_worker
        owner = get_worker()
    except (ImportError, ValueError):
        owner = _kept
    import collections
    import threading
    return owner.__dict__.setdefault("_bench_parts", {"parts": collections.OrderedDict(), "lock": threading.Lock(),
                                                      "made": collections.Counter()})


def _part(src: dict, p: int, cycles, horizon: int, run: str, keep: int):
    """Partition p's CapacityPart: kept in this worker, or made again (it
    goes on from the items alone: every task is a pure function of its
    inputs)."""
    kept, key = _kept(), (run, p)
    with kept["lock"]:
        cp = kept["parts"].pop(key, None)
    if cp is None:
        book, _ = _book(src, p)
        cp = followup.CapacityPart(followup.Planner(_policy(), book, tier_cycles=cycles, capacity_pass=True),
                                   src["now"], horizon)
        with kept["lock"]:
            kept["made"][run] += 1
    if keep > 0:
        with kept["lock"]:
            kept["parts"][key] = cp
            while len(kept["parts"]) > keep:
                kept["parts"].popitem(last=False)
    return cp


def task_open(src: dict, p: int, cycles, horizon: int, run: str, keep: int):
    cp = _part(src, p, cycles, horizon, run, keep)
    items = np.frombuffer(cp.items(), dtype=followup.CAPACITY_DTYPE).copy()
    items["customer"] = p + items["customer"] * src["partitions"]  # the whole book's index (gen_dask_book.py)
    items["part"] = p
    return items.tobytes(), None, None, _me()


def task_move(src: dict, p: int, cycles, horizon: int, run: str, keep: int, items: bytes, day: int):
    return _part(src, p, cycles, horizon, run, keep).move(items, day), _me()


def task_close(src: dict, p: int, cycles, horizon: int, run: str, keep: int, items: bytes, out: str | None):
    cp, kept = _part(src, p, cycles, horizon, run, 0), _kept()
    with kept["lock"]:
        kept["parts"].pop((run, p), None)
    return _plan_result(p, cp.plan(items), out)


def parts_made(run: str) -> int:
    return _kept()["made"][run]


_T0 = time.perf_counter()


def _progress(phase: str, i: int, n: int) -> None:
    if n >= 50 and i % (n // 10) == 0:
        print(f"  {phase}: {i}/{n} partitions done, {time.perf_counter() - _T0:.0f} s", flush=True)


class Meter:
    """Peak RSS and CPU per worker process, from what the tasks report."""

    def __init__(self):
        self.rss: dict[int, float] = {}
        self.cpu: dict[int, float] = {}

    def note(self, me):
        pid, rss, cpu = me
        self.rss[pid] = max(self.rss.get(pid, 0.0), rss)
        self.cpu[pid] = max(self.cpu.get(pid, 0.0), cpu)

    def cpu_total(self) -> float:
        return sum(self.cpu.values())


def run_cycles(client, src, meter):
    from dask.distributed import as_completed
    futs = [client.submit(task_cycles, src, p, pure=False) for p in range(src["partitions"])]
    res = []
    for i, fut in enumerate(as_completed(futs)):
        _progress("cycles", i, len(futs))
        res.append(fut.result())
        fut.release()
    res.sort(key=lambda r: r[0])
    for r in res:
        meter.note(r[3])
    # exact: the partitions' integer parts added, then sum / count / 86400 (docs/scaling.md)
    return followup.combine_tier_cycles([r[2] for r in res]).tolist()


def run_items(client, src, cycles, horizon, kpi, meter):
    """The items of all partitions in one array (filled as results arrive:
    no list of copies), the merged KPI and the generator's totals."""
    futs = [client.submit(task_items, src, p, cycles, horizon, kpi, pure=False) for p in range(src["partitions"])]
    chunks, totals = [], {}
    merged = _kpi(src, followup.policy_default()) if kpi else None  # not _policy(): tasks pickle its dict
    from dask.distributed import as_completed
    for i, fut in enumerate(as_completed(futs)):
        _progress("items", i, len(futs))
        blob, part_kpi, tot, me = fut.result()
        fut.release()
        meter.note(me)
        chunks.append(np.frombuffer(blob, dtype=followup.CAPACITY_DTYPE))
        if merged is not None:
            merged.merge(part_kpi)
        for key, v in (tot or {}).items():
            totals[key] = totals.get(key, 0) + v
    items = np.concatenate(chunks) if chunks else np.zeros(0, followup.CAPACITY_DTYPE)
    del chunks
    return items, merged, totals


def run_pass(items, agents, calls, parts):
    decided = np.frombuffer(followup.capacity_pass(followup.policy_default(), items.tobytes(), agents, calls),
                            dtype=followup.CAPACITY_DTYPE)  # not _policy(): the tasks pickle its dict
    mine = decided[decided["deferred"] == 1]
    mine = mine[np.argsort(mine["part"], kind="stable")]
    bounds = np.searchsorted(mine["part"], np.arange(parts + 1))
    return len(mine), [mine[bounds[p]:bounds[p + 1]].tobytes() for p in range(parts)]


def run_plan(client, src, cycles, horizon, per_part, out, meter, which=None):
    which = range(src["partitions"]) if which is None else which
    futs = [client.submit(task_plan, src, p, cycles, horizon, per_part[p], out, pure=False) for p in which]
    res = {}
    from dask.distributed import as_completed
    for i, fut in enumerate(as_completed(futs)):
        _progress("plan", i, len(futs))
        p, counts, digest, days, me = fut.result()
        fut.release()
        meter.note(me)
        res[p] = (counts, digest, days)
    return res


def run_open(client, src, cycles, horizon, run, keep, meter):
    """--rounds, phase 1: every partition's open part and its items, in one
    array sorted by partition (the rounds keep the order), with each
    partition's bounds in it and the workers that hold its part."""
    from dask.distributed import as_completed
    futs = [client.submit(task_open, src, p, cycles, horizon, run, keep, pure=False)
            for p in range(src["partitions"])]
    at = [{} for _ in futs]  # where each partition's part is kept (--keep-parts): its rounds go there
    chunks = [None] * len(futs)
    for i, fut in enumerate(as_completed(futs)):
        _progress("open", i, len(futs))
        blob, _, _, me = fut.result()
        meter.note(me)
        chunks[futs.index(fut)] = np.frombuffer(blob, dtype=followup.CAPACITY_DTYPE)
    if keep > 0:
        where = {k: sorted(a) for k, a in client.who_has(futs).items()}
        at = [dict(workers=where[f.key], allow_other_workers=True) if where.get(f.key) else {} for f in futs]
    for f in futs:
        f.release()
    bounds = np.cumsum([0] + [len(c) for c in chunks])
    items = np.concatenate(chunks) if chunks else np.zeros(0, followup.CAPACITY_DTYPE)
    del chunks
    return items, bounds, at


def run_rounds(client, src, cycles, horizon, items, bounds, at, agents, calls, run, keep, meter):
    """--rounds, phase 2: followup.capacity_round over all items in the
    driver until no day is over its cap; after each, the partitions with
    items over the cap move them (CapacityPart.move). Returns the items, the
    number of rounds and the driver's seconds in capacity_round."""
    from dask.distributed import as_completed
    policy = followup.policy_default()  # not _policy(): the tasks pickle its dict
    day, rounds, t_round = None, 0, 0.0
    while True:
        t0 = time.perf_counter()
        blob, day, over = followup.capacity_round(policy, items, agents, calls, day)
        items = np.frombuffer(blob, dtype=followup.CAPACITY_DTYPE).copy()
        del blob
        t_round += time.perf_counter() - t0
        if not over:
            return items, rounds, t_round
        rounds += 1
        is_over = items["deferred"] == followup.CAPACITY_OVER
        busy = [p for p in range(src["partitions"]) if is_over[bounds[p]:bounds[p + 1]].any()]
        print(f"  round {rounds}: day {day}, {over} over the cap in {len(busy)} partitions, "
              f"{time.perf_counter() - _T0:.0f} s", flush=True)
        futs = {client.submit(task_move, src, p, cycles, horizon, run, keep, items[bounds[p]:bounds[p + 1]].tobytes(),
                              day, pure=False, **at[p]): p for p in busy}
        for fut in as_completed(futs):
            moved, me = fut.result()
            fut.release()
            meter.note(me)
            p = futs[fut]
            items[bounds[p]:bounds[p + 1]] = np.frombuffer(moved, dtype=followup.CAPACITY_DTYPE)


def run_close(client, src, cycles, horizon, items, bounds, at, run, keep, out, meter):
    from dask.distributed import as_completed
    futs = [client.submit(task_close, src, p, cycles, horizon, run, keep, items[bounds[p]:bounds[p + 1]].tobytes(),
                          out, pure=False, **at[p]) for p in range(src["partitions"])]
    res = {}
    for i, fut in enumerate(as_completed(futs)):
        _progress("close", i, len(futs))
        p, counts, digest, days, me = fut.result()
        fut.release()
        meter.note(me)
        res[p] = (counts, digest, days)
    return res


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    src_g = ap.add_mutually_exclusive_group(required=True)
    src_g.add_argument("--customers", type=int, help="generate a book of N customers inside the workers")
    src_g.add_argument("--book", help="a directory made by bench/gen_dask_book.py")
    ap.add_argument("--partitions", type=int, default=20, help="with --customers")
    ap.add_argument("--purchases", type=float, default=4.3, help="with --customers: mean purchases a customer")
    ap.add_argument("--seed", type=int, default=19)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=1, help="threads per worker")
    ap.add_argument("--agents", type=int, default=1000)
    ap.add_argument("--calls-per-agent", type=int, default=0, help="0: the policy's capacity.calls_per_agent_day.max")
    ap.add_argument("--horizon-days", type=int, default=1)
    ap.add_argument("--out", help="also write every partition's plan CSV into this directory")
    ap.add_argument("--memory-limit", default="auto", help="Dask worker memory limit")
    ap.add_argument("--kpi", action="store_true", help="KPI partials per partition, merged in the driver")
    ap.add_argument("--repeat", type=int, default=0, help="plan K partitions again in the driver process, compare")
    ap.add_argument("--check", action="store_true", help="a book that fits: plan it in the driver too, compare")
    ap.add_argument("--rounds", action="store_true",
                    help="capacity over several days by the rounds (capacity_round, CapacityPart) instead of the "
                         "one-day rule's single pass")
    ap.add_argument("--keep-parts", type=int, default=0,
                    help="with --rounds: open parts a worker keeps between rounds (0: made again each time)")
    a = ap.parse_args()
    if a.rounds and (a.kpi or a.repeat):
        ap.error("--rounds: --kpi and --repeat are of the one-round pass (the rounds' runs check with --check)")

    from dask.distributed import Client, LocalCluster

    gen.check_now(followup)
    if a.customers is not None:
        src = {"kind": "gen", "customers": a.customers, "partitions": a.partitions, "purchases": a.purchases,
               "seed": a.seed, "now": gen.NOW_UTC}
        label = f"generated in the workers (seed {a.seed}, {a.purchases} purchases a customer)"
    else:
        meta = json.loads((pathlib.Path(a.book) / "book.json").read_text())
        src = {"kind": "dir", "dir": a.book, "partitions": meta["partitions"], "now": followup.time_parse(meta["now"])}
        label = f"{a.book}: {meta['customers']} customers, {meta['events']} events, {meta['bytes'] / 1e9:.2f} GB CSV"
    parts = src["partitions"]
    if a.out:
        pathlib.Path(a.out).mkdir(parents=True, exist_ok=True)
    horizon = a.horizon_days * 86400
    meter = Meter()
    times, cpu0 = {}, _me()[2]
    os.environ["PYTHONPATH"] = os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")])  # workers import gen
    print(f"start {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}; load {os.getloadavg()}", flush=True)
    t_all = time.perf_counter()
    with LocalCluster(n_workers=a.workers, threads_per_worker=a.threads, processes=True,
                      dashboard_address=None, memory_limit=a.memory_limit) as cluster, Client(cluster) as client:
        t0 = time.perf_counter()
        cycles = run_cycles(client, src, meter)
        times["cycles"] = time.perf_counter() - t0
        print(f"cycles {times['cycles']:.1f} s", flush=True)

        if a.rounds:
            ok = main_rounds(a, client, src, label, cycles, horizon, meter, times, cpu0, t_all)
            if a.check:
                ok = check_whole(a, src, cycles, horizon, ok[1]) and ok[0]
            else:
                ok = ok[0]
            print("result:", "all checks passed" if ok else "CHECK FAILED", flush=True)
            return 0 if ok else 1
        t0 = time.perf_counter()
        items, kpi, totals = run_items(client, src, cycles, horizon, a.kpi, meter)
        times["items"] = time.perf_counter() - t0
        print(f"items {times['items']:.1f} s: {len(items)} agent contacts", flush=True)

        t0 = time.perf_counter()
        n_items = len(items)
        n_deferred, per_part = run_pass(items, a.agents, a.calls_per_agent, parts)
        del items
        times["pass"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        res = run_plan(client, src, cycles, horizon, per_part, a.out, meter)
        times["plan"] = time.perf_counter() - t0
        print(f"plan {times['plan']:.1f} s", flush=True)
        wall = time.perf_counter() - t_all
        # reported before the cluster closes (closing can be slow on a loaded machine)
        _, driver_rss, driver_cpu = _me()
        report(a, src, label, cycles, times, wall, meter, sorted(meter.rss), driver_rss, driver_cpu - cpu0,
               n_items, n_deferred, res)
        ok = checks(a, src, res, n_items, n_deferred, kpi, totals)
        if a.repeat:
            ok = repeat(a, src, cycles, horizon, per_part, res) and ok
    if a.check:
        ok = check_whole(a, src, cycles, horizon, res) and ok
    print("result:", "all checks passed" if ok else "CHECK FAILED", flush=True)
    return 0 if ok else 1


def main_rounds(a, client, src, label, cycles, horizon, meter, times, cpu0, t_all):
    """--rounds: open, rounds, close; report and check as the pass does.
    Returns (ok, res)."""
    import uuid
    run = uuid.uuid4().hex
    t0 = time.perf_counter()
    items, bounds, at = run_open(client, src, cycles, horizon, run, a.keep_parts, meter)
    times["open"] = time.perf_counter() - t0
    n_items = len(items)
    print(f"open {times['open']:.1f} s: {n_items} agent contacts", flush=True)
    t0 = time.perf_counter()
    items, rounds, t_round = run_rounds(client, src, cycles, horizon, items, bounds, at, a.agents,
                                        a.calls_per_agent, run, a.keep_parts, meter)
    times["rounds"] = time.perf_counter() - t0
    state = items["deferred"]
    n_deferred = int((state == followup.CAPACITY_DEFERRED).sum())
    n_moved = int((state == followup.CAPACITY_MOVED).sum())
    print(f"rounds {times['rounds']:.1f} s: {rounds} rounds (capacity_round in the driver {t_round:.1f} s); "
          f"{n_moved} moved to a later day, {n_deferred} deferred", flush=True)
    t0 = time.perf_counter()
    res = run_close(client, src, cycles, horizon, items, bounds, at, run, a.keep_parts, a.out, meter)
    times["close"] = time.perf_counter() - t0
    made = sum(client.run(parts_made, run).values())
    print(f"close {times['close']:.1f} s; partition plans made by the workers: {made} "
          f"({src['partitions']} partitions, {rounds} rounds)", flush=True)
    del items
    wall = time.perf_counter() - t_all
    _, driver_rss, driver_cpu = _me()
    report(a, src, label, cycles, times, wall, meter, sorted(meter.rss), driver_rss, driver_cpu - cpu0,
           n_items, n_deferred, res)
    ok = checks(a, src, res, n_items, n_deferred, None, {}, moved=True)
    return ok, res


def report(a, src, label, cycles, times, wall, meter, worker_pids, driver_rss, driver_cpu, n_items, n_deferred, res):
    parts = src["partitions"]
    planned = sum(r[0][0] for r in res.values())
    deferred = sum(r[0][1] for r in res.values())
    agent = sum(r[0][2] for r in res.values())
    rows = sum(r[0][3] for r in res.values())
    r = os.uname()
    print(f"machine: {platform.node()} {r.machine}, {os.cpu_count()} cores, "
          f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB; Python "
          f"{platform.python_version()}, dask {__import__('dask').__version__}, "
          f"distributed {__import__('distributed').__version__}, numpy {np.__version__}")
    print(f"end {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}; load {os.getloadavg()}")
    print(f"book: {label}; {parts} partitions")
    print(f"cluster: {a.workers} worker processes x {a.threads} threads")
    print("tier cycles (combined exactly): " + ", ".join(f"{c:.2f}" for c in cycles))
    print(f"capacity: {a.agents} agents x {a.calls_per_agent or 'policy max'} calls a day; "
          f"{n_items} agent contacts before the pass, {n_deferred} deferred by it")
    print(f"plan: {rows} rows: {planned} planned ({agent} on agent channels), {deferred} deferred")
    print("wall: " + ", ".join(f"{k} {v:.1f} s" for k, v in times.items()) + f"; total {wall:.1f} s")
    print(f"CPU: workers {meter.cpu_total():.1f} s, driver+scheduler {driver_cpu:.1f} s")
    print("peak RSS per worker: " + ", ".join(f"{meter.rss[p]:.0f} MiB" for p in worker_pids) +
          f"; driver+scheduler {driver_rss:.0f} MiB; total {sum(meter.rss.values()) + driver_rss:.0f} MiB")
    sig = hashlib.sha256("".join(res[p][1] for p in sorted(res)).encode()).hexdigest()
    print(f"plan SHA-256 of the partitions' SHA-256s: {sig}")


def checks(a, src, res, n_items, n_deferred, kpi, totals, moved=False) -> bool:
    ok = True
    cap = a.agents * (a.calls_per_agent or int(_policy_number("capacity.calls_per_agent_day.max")))
    days: dict[int, int] = {}
    for r in res.values():
        for d, c in r[2].items():
            days[d] = days.get(d, 0) + c
    worst = max(days.values()) if days else 0
    good = worst <= cap or not a.agents
    print(f"check: planned agent contacts per day at most {cap}: {'yes' if good else 'NO'} "
          f"(busiest day {worst}, {len(days)} days)")
    ok &= good
    planned_agent = sum(r[0][2] for r in res.values())
    deferred = sum(r[0][1] for r in res.values())
    # the rounds: a contact moved past the horizon's end is `later`, not planned: at most, then
    good = (planned_agent <= n_items - n_deferred if moved else planned_agent == n_items - n_deferred) and \
        deferred >= n_deferred
    print(f"check: agent contacts planned after the pass = before - deferred ({planned_agent} = {n_items} - "
          f"{n_deferred}), deferred rows include them: {'yes' if good else 'NO'}")
    ok &= good
    if kpi is not None and totals:
        kpi.compute()
        df = kpi.to_dataframe()
        n = df.groupby("kpi")["n"].sum()
        want = {"resolution": totals["faults"] + totals["inquiries"], "over_contact": totals["customers"]}
        good = all(int(n.get(k, -1)) == v for k, v in want.items())
        print("check: merged KPI partials: units " +
              ", ".join(f"{k} {int(n.get(k, -1))} (generator {v})" for k, v in want.items()) +
              f": {'yes' if good else 'NO'}; {totals['customers']} customers, {totals['events']} events")
        ok &= good
    return ok


def _policy_number(key: str) -> float:
    return followup.policy_default().get_number(key)  # not _policy(): the tasks pickle its dict


def repeat(a, src, cycles, horizon, per_part, res) -> bool:
    """K partitions generated and planned again in this process (not the
    worker that planned them; after the figures above were taken): the same
    SHA-256."""
    parts = src["partitions"]
    which = sorted({0, parts // 2, parts - 1} | set(range(max(0, a.repeat - 3))))[:a.repeat]
    t0 = time.perf_counter()
    again = {p: task_plan(src, p, cycles, horizon, per_part[p], None)[2] for p in which}
    same = all(again[p] == res[p][1] for p in which)
    print(f"check: partitions {which} generated and planned again in the driver process "
          f"({time.perf_counter() - t0:.1f} s): same SHA-256: {'yes' if same else 'NO'}", flush=True)
    return same


def check_whole(a, src, cycles, horizon, res) -> bool:
    """The whole book in the driver (customers in the order of k), planned
    with the same capacity and no tier cycles given: the planner computes
    its own over the whole book, which must equal the partitions' combined
    cycles bit for bit; its rows of partition p (k mod P), in order, must
    hash to partition p's SHA-256."""
    if src["kind"] != "gen":
        print("check: --check needs --customers")
        return False
    parts, n = src["partitions"], src["customers"]
    t0 = time.perf_counter()
    ids = [f"C{k:010d}" for k in range(n)]
    cols = [gen.partition_columns(p, n, parts, src["purchases"], src["seed"])[0] for p in range(parts)]
    whole = {}
    for key in cols[0]:
        if isinstance(cols[0][key], np.ndarray):
            v = np.empty(n, dtype=cols[0][key].dtype)
            for p in range(parts):
                v[p::parts] = cols[p][key]
            whole[key] = v
        else:
            v = [None] * n
            for p in range(parts):
                v[p::parts] = cols[p][key]
            whole[key] = v
    del cols
    assert whole["customer_id"] == ids
    del ids
    book = followup.Book()
    book.add_customer_columns(whole)
    del whole
    for p in range(parts):
        book.add_event_columns(gen.partition_columns(p, n, parts, src["purchases"], src["seed"])[1])
    book.finalize()
    # the global pass's one-day rule (daily_capacity): the same as rollover for one-day horizons only
    # --rounds: one planner without the flag (rolls over to the next day with room, any horizon)
    planner = followup.Planner(followup.policy_default(), book, agents=a.agents, calls_per_agent=a.calls_per_agent,
                               daily_capacity=not a.rounds)
    own = planner.tier_cycles()
    same_cycles = np.array_equal(own.view(np.int64), np.asarray(cycles, dtype=np.float64).view(np.int64))
    print(f"check: the one-process planner's own tier cycles, bit for bit the partitions' combined ones: "
          f"{'yes' if same_cycles else 'NO (' + ', '.join(f'{c!r}' for c in own) + ')'}")
    plan = planner.plan(src["now"], horizon)
    text = plan.csv(status_mask=ALL_STATUSES, with_status=True)
    del plan, planner, book
    lines = text.split("\n")
    header, body = lines[0] + "\n", lines[1:-1]
    del text, lines
    split = [[header] for _ in range(parts)]
    for line in body:
        split[int(line[1:11]) % parts].append(line + "\n")
    same = [hashlib.sha256("".join(s).encode()).hexdigest() == res[p][1] for p, s in enumerate(split)]
    _, rss, _ = _me()
    print(f"check: one process ({time.perf_counter() - t0:.1f} s, driver peak RSS now {rss:.0f} MiB): "
          f"{len(body)} rows; every partition's rows, in order, as the one-process plan's: "
          f"{'yes' if all(same) else 'NO (partitions ' + str([p for p, s in enumerate(same) if not s]) + ')'}")
    return all(same) and same_cycles


if __name__ == "__main__":
    sys.exit(main())
