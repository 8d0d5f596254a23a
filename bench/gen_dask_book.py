#!/usr/bin/env python3
"""A large synthetic book for bench/bench_dask_plan.py, partitioned by
customer and deterministic for a seed: any partition can be made on its own,
from (seed, partition) alone, in the process that plans it.

Two ways to use it:

* in a worker (bench_dask_plan.py --customers N): `partition_book(...)`
  builds partition p as a followup.Book straight from numpy columns
  (Book.add_customer_columns / add_event_columns), no CSV, nothing on disk;
* on disk (this script): OUT/part-NNNNN/customers.csv and events.csv
  (docs/formats.md), the same rows, written partition by partition (one
  partition in memory at a time, several in parallel with --jobs), never
  the whole book; for a site that wants to try the file layout.

Customer k (0 <= k < N) is C<k, 10 digits> and lives in partition k mod P;
a partition lists its customers in increasing k, so the whole book's
customer index of the i-th customer of partition p is p + i * P (the order
of a book made by adding the partitions' customers interleaved by k).

Each customer has a value tier (annual_spend), purchases (Poisson, mean
--purchases, at least 1) of the policy's product classes over the year before
NOW, each with its delivery 1-3 days later, one answered phone contact, and
with some probability an inquiry or a fault: about 2 * purchases + 1.35
events a customer (purchases 4.3 gives 10 events a customer).

    /usr/bin/python3 bench/gen_dask_book.py --customers 2000000 --partitions 20 --out /tmp/book2m

Needs numpy (and pandas for the CSV files). Do not commit the output.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import pathlib
import time

import numpy as np

NOW = "2026-11-23T00:00:00+08:00"  # the planning instant
NOW_UTC = 1795363200  # NOW in UTC seconds (followup.time_parse(NOW))
YEAR = 365 * 86400
CLASSES = [("high_price", 12000.0, 40000.0), ("mid_price", 1000.0, 9000.0), ("low_price", 20.0, 900.0)]
KINDS = ("purchase", "delivery", "contact", "inquiry", "fault")


def check_now(followup) -> None:
    """NOW_UTC is followup's reading of NOW."""
    if followup.time_parse(NOW) != NOW_UTC:
        raise RuntimeError(f"gen_dask_book.py: NOW_UTC is not {NOW}")


def _enums():
    """followup's enum values (include/followup/book.h), read from the module."""
    import followup
    return ({k: getattr(followup, "EVENT_" + k.upper()) for k in KINDS},
            followup.SEVERITY_LOW, followup.SEVERITY_NORMAL, followup.CHANNEL_PHONE, followup.CHANNEL_CHAT,
            followup.OUTCOME_ANSWERED, followup.TRI_YES, followup.TRI_NO)


def partition_columns(p: int, n_total: int, parts: int, purchases: float = 4.3, seed: int = 19):
    """Partition p's customers and events as columns (docs/formats.md names):
    times in UTC seconds, enums as followup's values, texts as lists of str
    or None. Depends on (p, n_total, parts, purchases, seed) only."""
    KIND, SEV_LOW, SEV_NORMAL, CH_PHONE, CH_CHAT, OUT_ANSWERED, YES, NO = _enums()
    rng = np.random.default_rng([seed, p])
    k = np.arange(p, n_total, parts, dtype=np.int64)
    n = len(k)
    ids = [f"C{v:010d}" for v in k.tolist()]
    spend = np.round(np.exp(rng.normal(10.0, 1.4, n)), 2)  # ordinary, key and a few VIP
    first = NOW_UTC - rng.integers(400 * 86400, 5 * YEAR, n)
    customers = {"customer_id": ids, "tz": ["Asia/Shanghai"] * n, "annual_spend": spend,
                 "first_purchase_at": first.astype(np.int64), "industry": ["retail"] * n,
                 "is_smb": np.full(n, NO, np.int64),
                 "consent_phone": np.full(n, YES, np.int64), "consent_sms": np.full(n, YES, np.int64),
                 "consent_email": np.full(n, YES, np.int64)}

    npur = np.maximum(rng.poisson(purchases, n), 1)
    cust = np.repeat(np.arange(n), npur)
    m = len(cust)
    at = -rng.integers(60, YEAR, m)
    cls = rng.integers(0, len(CLASSES), m)
    lo = np.array([c[1] for c in CLASSES])[cls]
    hi = np.array([c[2] for c in CLASSES])[cls]
    price = np.round(lo + (hi - lo) * rng.random(m), 2)
    qty = rng.integers(1, 4, m)
    kc = k[cust].tolist()
    order = [f"O{a}-{b}" for a, b in zip(kc, range(m))]
    names = [c[0] for c in CLASSES]
    cname = [names[c] for c in cls.tolist()]
    deliv = np.minimum(at + rng.integers(86400, 3 * 86400, m), -60)
    contact_at = -rng.integers(3600, 90 * 86400, n)
    inq = rng.random(n) < 0.30
    fault = rng.random(n) < 0.05
    ninq, nfault = int(inq.sum()), int(fault.sum())
    inq_at = -rng.integers(60, 20 * 86400, ninq)
    fault_at = -rng.integers(60, 10 * 86400, nfault)
    rest = n + ninq + nfault
    cid = [ids[i] for i in cust.tolist()]
    events = {
        "customer_id": cid + cid + ids + [ids[i] for i in np.flatnonzero(inq).tolist()]
        + [ids[i] for i in np.flatnonzero(fault).tolist()],
        "at": NOW_UTC + np.concatenate([at, deliv, contact_at, inq_at, fault_at]).astype(np.int64),
        "kind": np.concatenate([np.full(m, KIND["purchase"]), np.full(m, KIND["delivery"]),
                                np.full(n, KIND["contact"]), np.full(ninq, KIND["inquiry"]),
                                np.full(nfault, KIND["fault"])]).astype(np.int64),
        "order_id": order + order + [None] * rest,
        "product_class": cname + cname + [None] * rest,
        "unit_price": np.concatenate([price, np.full(m + rest, np.nan)]),
        "amount": np.concatenate([np.round(price * qty, 2), np.full(m + rest, np.nan)]),
        "severity": np.concatenate([np.zeros(2 * m + n, np.int64), np.full(ninq, SEV_LOW, np.int64),
                                    np.full(nfault, SEV_NORMAL, np.int64)]),
        "channel": np.concatenate([np.zeros(2 * m, np.int64), np.full(n, CH_PHONE, np.int64),
                                   np.full(ninq, CH_CHAT, np.int64), np.zeros(nfault, np.int64)]),
        "agent_id": [None] * (2 * m) + ["A01"] * n + [None] * (ninq + nfault),
        "outcome": np.concatenate([np.zeros(2 * m, np.int64), np.full(n, OUT_ANSWERED, np.int64),
                                   np.zeros(ninq + nfault, np.int64)]),
    }
    return customers, events


def partition_book(followup, p: int, n_total: int, parts: int, purchases: float = 4.3, seed: int = 19,
                   only_purchases: bool = False):
    """Partition p as a finalized followup.Book (customers in increasing k)
    and its totals counted here, independently of the library (customers,
    events, purchases, faults, inquiries, purchase amount). only_purchases:
    the customers and their purchase events only (enough for the planner's
    tier cycles when every customer has its annual_spend)."""
    customers, events = partition_columns(p, n_total, parts, purchases, seed)
    kinds, _, _, _, _, _, _, _ = _enums()
    kind = events["kind"]
    totals = {"customers": len(customers["customer_id"]), "events": len(kind),
              "purchases": int((kind == kinds["purchase"]).sum()), "faults": int((kind == kinds["fault"]).sum()),
              "inquiries": int((kind == kinds["inquiry"]).sum()),
              "amount": float(np.nansum(events["amount"]))}
    if only_purchases:
        m = totals["purchases"]  # the purchases come first
        events = {c: v[:m] for c, v in events.items()}
    book = followup.Book()
    book.add_customer_columns(customers)
    del customers
    book.add_event_columns(events)
    del events
    book.finalize()
    return book, totals


def _local_text(utc: np.ndarray) -> np.ndarray:
    """UTC seconds as +08:00 local timestamps (the zone of every customer)."""
    t = (utc + 8 * 3600).astype("datetime64[s]")
    return np.char.add(np.datetime_as_string(t, unit="s"), "+08:00")


def write_part(args: tuple) -> tuple[int, int, int]:
    import pandas as pd
    p, n_total, parts, purchases, out, seed = args
    c, e = partition_columns(p, n_total, parts, purchases, seed)
    d = pathlib.Path(out) / f"part-{p:05d}"
    d.mkdir(parents=True, exist_ok=True)
    KIND, SEV_LOW, SEV_NORMAL, CH_PHONE, CH_CHAT, OUT_ANSWERED, YES, NO = _enums()
    tri = {0: "unknown", YES: "yes", NO: "no"}
    pd.DataFrame({
        "customer_id": c["customer_id"], "tz": c["tz"], "annual_spend": c["annual_spend"],
        "first_purchase_at": _local_text(c["first_purchase_at"]), "industry": c["industry"],
        "is_smb": pd.Series(c["is_smb"]).map(tri), "preferred_windows": "", "dnd_windows": "",
        "consent_phone": pd.Series(c["consent_phone"]).map(tri), "consent_sms": pd.Series(c["consent_sms"]).map(tri),
        "consent_email": pd.Series(c["consent_email"]).map(tri),
    }).to_csv(d / "customers.csv", index=False)
    kinds = {v: k for k, v in KIND.items()}
    sev = {0: "", SEV_LOW: "low", SEV_NORMAL: "normal"}
    ch = {0: "", CH_PHONE: "phone", CH_CHAT: "chat"}
    oc = {0: "", OUT_ANSWERED: "answered"}
    ev = pd.DataFrame({
        "customer_id": e["customer_id"], "at": _local_text(e["at"]),
        "kind": pd.Series(e["kind"]).map(kinds), "order_id": e["order_id"], "product_class": e["product_class"],
        "unit_price": e["unit_price"], "amount": e["amount"], "severity": pd.Series(e["severity"]).map(sev),
        "channel": pd.Series(e["channel"]).map(ch), "agent_id": e["agent_id"],
        "outcome": pd.Series(e["outcome"]).map(oc), "score": "", "survey": "", "note": ""})
    ev.to_csv(d / "events.csv", index=False)
    return p, len(c["customer_id"]), len(ev)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, required=True)
    ap.add_argument("--partitions", type=int, required=True)
    ap.add_argument("--purchases", type=float, default=4.3, help="mean purchases a customer")
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=19)
    ap.add_argument("--jobs", type=int, default=2)
    a = ap.parse_args()
    t0 = time.perf_counter()
    work = [(p, a.customers, a.partitions, a.purchases, a.out, a.seed) for p in range(a.partitions)]
    with mp.Pool(a.jobs) as pool:
        done = list(pool.imap_unordered(write_part, work))
    cust = sum(c for _, c, _ in done)
    events = sum(e for _, _, e in done)
    size = sum(f.stat().st_size for f in pathlib.Path(a.out).glob("part-*/*.csv"))
    meta = {"customers": cust, "events": events, "partitions": a.partitions, "seed": a.seed,
            "purchases": a.purchases, "bytes": size, "now": NOW}
    (pathlib.Path(a.out) / "book.json").write_text(json.dumps(meta, indent=1) + "\n")
    print(f"{cust} customers, {events} events ({events / max(cust, 1):.1f} a customer), "
          f"{size / 1e9:.2f} GB in {a.partitions} partitions, {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
