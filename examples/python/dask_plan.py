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
  video, chat and visit): partitions plan without capacity and keep their
  plan open (followup.CapacityPart); their planned agent contacts (40 bytes
  each) go through the rounds (followup.capacity_round: one day at a time,
  most pressing first; the contacts over the day's cap go back to their
  partitions, which move them to the first instant their own planner allows
  on a later day of the horizon, or defer them: CapacityPart.move), and each
  partition then writes its plan (CapacityPart.plan). The result is the
  plan of one planner over the whole book with the same agents, for any
  horizon (a contact over a day's cap rolls over to the next day with room,
  as one planner does). A partition's open plan is kept in its worker
  between rounds when it can be (--keep-parts per worker process); a task
  that lands elsewhere makes it again and goes on from the items alone, so
  every task stays a pure function of its inputs.
  --daily-capacity plans by the one-day rule instead (one global
  followup.capacity_pass and followup.apply_capacity, as
  Planner(..., daily_capacity=True)); --per-partition-capacity shows what
  happens without a global capacity (each partition gets the whole day's
  capacity: too many contacts are planned).

    /usr/bin/python3 examples/python/dask_plan.py --customers 20000 --partitions 8 --agents 2

The plans of the partitions are merged in the plan's own order (status,
best_at, customer in book order, priority, position) into one CSV with the
status columns. docs/scaling.md explains how a site runs this on a real
cluster.

Agents by name (an agents file: --agents-file) cannot be planned in
partitions: the library refuses them with its reason and this exits 2
(docs/scaling.md, "Agents by name"); give capacity as a number (--agents,
--calls-per-agent) and name the agents afterwards, or plan in one process.
"""
from __future__ import annotations

import argparse
import collections
import csv
import io
import os
import pathlib
import subprocess
import sys
import tempfile
import threading
import time
import uuid

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
    """Book, planner and plan of one partition by the one-day rule; `agents`
    0: without capacity (capacity_pass: the global pass applies it, so
    windows it may have pushed a call past stay due in later runs, as with
    one planner's `agents`)."""
    book = _book(part)
    planner = followup.Planner(_policy(), book, agents=agents, calls_per_agent=calls, tier_cycles=tier_cycles,
                               capacity_pass=capacity_pass, daily_capacity=True)
    return book, planner, planner.plan(now, horizon)


def _mine(part: dict, items: np.ndarray) -> np.ndarray:
    """The whole book's customer index and the partition in the records."""
    items["customer"] = np.asarray(part["index"], dtype=np.uint64)[items["customer"]]
    items["part"] = part["id"]
    return items


def partition_items(part: dict, now: int, horizon: int, tier_cycles) -> bytes:
    """--daily-capacity, phase 1: plan without capacity; the planned agent
    contacts with the whole book's customer index (capacity_items records)."""
    _, _, plan = _plan(part, now, horizon, tier_cycles, 0, 0, capacity_pass=True)
    return _mine(part, np.frombuffer(followup.capacity_items(plan), dtype=followup.CAPACITY_DTYPE).copy()).tobytes()


def _keys(part: dict, plan, applied: bool = False) -> list:
    """The merge keys of a partition's plan rows, in the order of its CSV.
    applied: a plan sorted again by apply_capacity(), which lost the order
    one planner emits a customer's rows in: it emits the contacts deferred
    by capacity after those deferred by other rules, in the order of their
    window ends (docs/scaling.md, "What is not exact")."""
    keys = []
    for s in range(5):
        for t in plan.touchpoints(s):
            cap = applied and s == followup.TOUCHPOINT_DEFERRED and t.status_rule == "capacity.calls_per_agent_day"
            keys.append((s, t.best_at, part["index"][t.customer], t.priority, int(cap), t.due_to if cap else 0))
    return keys


def partition_plan(part: dict, now: int, horizon: int, tier_cycles, deferred: bytes | None,
                   agents: int, calls: int) -> tuple[list, str, str]:
    """--daily-capacity, phase 3 (or --per-partition-capacity / no agents):
    plan again (same plan as phase 1) and apply the global pass (deferred:
    this partition's deferred records; None: the partition's own capacity).
    Returns the merge keys of the rows and the CSV with status."""
    _, _, plan = _plan(part, now, horizon, tier_cycles, 0 if deferred is not None else agents, calls,
                       capacity_pass=deferred is not None)
    if deferred:
        followup.apply_capacity(plan, deferred)
    return _keys(part, plan, bool(deferred)), plan.csv(status_mask=ALL_STATUSES, with_status=True), _where()


def _where() -> str:
    return f"{os.getpid()}/{threading.current_thread().name}"


# ---- the rounds: a partition's open plan, kept in its worker when it can be ----
def _kept() -> dict:
    """This worker's open partition plans ((run, partition) -> CapacityPart,
    most recent last), their lock, and how many it made per run; outside a
    worker, this process's."""
    try:
        from dask.distributed import get_worker
        owner = get_worker()
    except (ImportError, ValueError):
        owner = _kept
    return owner.__dict__.setdefault("_followup_parts", {"parts": collections.OrderedDict(),
                                                         "lock": threading.Lock(), "made": collections.Counter()})


def _part(part: dict, now: int, horizon: int, tier_cycles, run: str, keep: int):
    """The partition's CapacityPart: this worker's, or made again (the items
    say where the rounds are: a part made again goes on from them)."""
    kept, key = _kept(), (run, part["id"])
    with kept["lock"]:
        cp = kept["parts"].pop(key, None)
    if cp is None:
        planner = followup.Planner(_policy(), _book(part), tier_cycles=tier_cycles, capacity_pass=True)
        cp = followup.CapacityPart(planner, now, horizon)
        with kept["lock"]:
            kept["made"][run] += 1
    with kept["lock"]:
        kept["parts"][key] = cp
        while len(kept["parts"]) > keep:
            kept["parts"].popitem(last=False)
    return cp


def partition_open(part: dict, now: int, horizon: int, tier_cycles, run: str, keep: int) -> bytes:
    """Rounds, phase 1: plan without capacity, keep the plan open; the
    planned agent contacts with the whole book's customer index."""
    cp = _part(part, now, horizon, tier_cycles, run, keep)
    return _mine(part, np.frombuffer(cp.items(), dtype=followup.CAPACITY_DTYPE).copy()).tobytes()


def partition_move(part: dict, now: int, horizon: int, tier_cycles, run: str, keep: int, items: bytes,
                   day: int) -> bytes:
    """Rounds, phase 2 (a round): this partition's records over the day's
    cap moved by its own planner (CapacityPart.move)."""
    return _part(part, now, horizon, tier_cycles, run, keep).move(items, day)


def partition_close(part: dict, now: int, horizon: int, tier_cycles, run: str, keep: int,
                    items: bytes) -> tuple[list, str, str]:
    """Rounds, phase 3: the partition's plan after the last round; the merge
    keys of its rows and its CSV with status."""
    cp, kept = _part(part, now, horizon, tier_cycles, run, keep), _kept()
    with kept["lock"]:
        kept["parts"].pop((run, part["id"]), None)
    plan = cp.plan(items)
    return _keys(part, plan), plan.csv(status_mask=ALL_STATUSES, with_status=True), _where()


def peak_rss_mib() -> float:
    """This process's peak resident memory (MiB)."""
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def cpu_seconds() -> float:
    """This process's CPU time so far (user + system, s)."""
    import resource
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def parts_made(run: str) -> int:
    return _kept()["made"][run]


def capacity_rounds(client, parts: list, now: int, horizon: int, cycles, agents: int, calls: int,
                    keep: int, policy) -> tuple[list, int, int, int, int]:
    """The rounds on the cluster: the partitions' results, the number of
    rounds, of deferred and of moved agent contacts, and how many partition
    plans the workers made (one a partition when each stayed where it was)."""
    run = uuid.uuid4().hex
    args = (now, horizon, cycles, run, keep)
    data = client.scatter(parts)  # each partition's text once, on the worker that will hold its part
    futures = [client.submit(partition_open, d, *args, pure=False) for d in data]
    opened = client.gather(futures)
    # where each partition's open plan is: its rounds go there when they can (else made again elsewhere)
    where = {k: sorted(a) for k, a in client.who_has(futures).items()}
    at = [dict(workers=where.get(f.key) or None, allow_other_workers=True) for f in futures]
    items = np.frombuffer(b"".join(opened), dtype=followup.CAPACITY_DTYPE).copy()
    day, rounds = None, 0
    while True:
        blob, day, over = followup.capacity_round(policy, items, agents, calls, day)
        items = np.frombuffer(blob, dtype=followup.CAPACITY_DTYPE).copy()
        if not over:
            break
        rounds += 1
        busy = np.unique(items["part"][items["deferred"] == followup.CAPACITY_OVER])
        futures = {int(k): client.submit(partition_move, data[k], *args, items[items["part"] == k].tobytes(), day,
                                         pure=False, **at[k]) for k in busy}
        for k, f in futures.items():
            items[items["part"] == k] = np.frombuffer(f.result(), dtype=followup.CAPACITY_DTYPE)
    results = client.gather([client.submit(partition_close, data[p["id"]], *args,
                                           items[items["part"] == p["id"]].tobytes(), pure=False, **at[p["id"]])
                             for p in parts])
    state = items["deferred"]
    made = sum(client.run(parts_made, run).values())
    return (results, rounds, int((state == followup.CAPACITY_DEFERRED).sum()),
            int((state == followup.CAPACITY_MOVED).sum()), made)


def merge(results) -> str:
    """One CSV from the partitions', in the order of the whole plan: status,
    best_at, the customer's index in the whole book, priority, then the
    position in the partition's plan (a customer's rows keep their order)."""
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


def named_agents_refused(path: str) -> int:
    """--agents-file: who makes each call is decided over the whole plan in
    one sequence (each agent's calls so far, shifts, owners), which
    partitions cannot reproduce; the library refuses a partition's planner
    with named agents (CapacityPart, capacity_items, apply_capacity), and
    partitions that each named their own agents would give every agent its
    calls_per_day once per partition. Shows that refusal (or the agents
    file's own error) and exits 2."""
    book = followup.Book(flags=followup.BOOK_CREATE_CUSTOMERS)
    book.finalize()
    planner = followup.Planner(followup.policy_default(), book, capacity_pass=True)
    try:
        planner.read_agents(path)
        followup.CapacityPart(planner, followup.time_parse(NOW))
    except followup.Error as e:
        print(f"dask_plan.py: --agents-file {path}: {e}", file=sys.stderr)
        return 2
    raise AssertionError("a planner with named agents was accepted for partitions")


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
    ap.add_argument("--daily-capacity", action="store_true",
                    help="capacity by the one-day rule: one global pass (capacity_pass), compared with "
                    "Planner(..., daily_capacity=True)")
    ap.add_argument("--per-partition-capacity", action="store_true",
                    help="apply capacity in each partition instead of the global pass (plans differ)")
    ap.add_argument("--keep-parts", type=int, default=64,
                    help="open partition plans a worker process keeps between rounds (others are made again)")
    ap.add_argument("--agents-file", metavar="FILE",
                    help="agents by name (the agents CSV of followup plan --agents FILE): refused across "
                    "partitions with the library's reason (docs/scaling.md, \"Agents by name\"); exit 2")
    ap.add_argument("--out", help="write the merged plan CSV here")
    args = ap.parse_args()
    if args.agents_file:
        return named_agents_refused(args.agents_file)

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
        # one planner over the whole book: its own rule (a contact over a day's cap rolls over to the
        # next day of the horizon with room), or with --daily-capacity the one-day rule of the pass
        planner = followup.Planner(policy, whole, agents=args.agents, calls_per_agent=args.calls_per_agent,
                                   daily_capacity=args.daily_capacity)
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
            n_deferred = n_moved = rounds = made = 0
            if args.agents and not args.per_partition_capacity and not args.daily_capacity:
                results, rounds, n_deferred, n_moved, made = capacity_rounds(
                    client, parts, now, horizon, cycles, args.agents, args.calls_per_agent, args.keep_parts, policy)
            else:
                per_part = [None] * len(parts)
                if args.agents and not args.per_partition_capacity:
                    futures = [client.submit(partition_items, p, now, horizon, cycles, pure=False) for p in parts]
                    items = np.frombuffer(b"".join(client.gather(futures)), dtype=followup.CAPACITY_DTYPE)
                    decided = np.frombuffer(followup.capacity_pass(policy, items.tobytes(), args.agents,
                                                                   args.calls_per_agent),
                                            dtype=followup.CAPACITY_DTYPE)
                    n_deferred = int(decided["deferred"].sum())
                    per_part = [decided[(decided["part"] == p["id"]) & (decided["deferred"] == 1)].tobytes()
                                for p in parts]
                futures = [client.submit(partition_plan, p, now, horizon, cycles, d, args.agents,
                                         args.calls_per_agent, pure=False) for p, d in zip(parts, per_part)]
                results = client.gather(futures)
            t_dask = time.perf_counter() - t0
            peaks = sorted(client.run(peak_rss_mib).values())
            worker_cpu = sum(client.run(cpu_seconds).values())

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
               f"global pass ({n_deferred} deferred)" if args.daily_capacity else
               f"rounds ({n_deferred} deferred, {n_moved} moved to a later day, {rounds} rounds)"))
        print(f"single process: {stats.planned} planned, {stats.deferred} deferred, "
              f"{len(reference.splitlines()) - 1} rows in {t_single:.2f} s")
        if made:
            print(f"partition plans made: {made} for {len(parts)} partitions")
        print(f"dask: {len(combined.splitlines()) - 1} rows in {t_dask:.2f} s on "
              f"{len({w.split('/')[0] for w in workers})} processes, {len(workers)} threads")
        print("peak RSS per worker: " + ", ".join(f"{p:.0f}" for p in peaks) + f" MiB; worker CPU {worker_cpu:.1f} s")
        print("same plan as in one piece:", "yes" if same else "NO")
        return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
