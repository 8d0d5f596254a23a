#!/usr/bin/env python3
"""Generate a large synthetic book for bench/bench_dask_plan.py, already
partitioned by customer: OUT/part-NNNNN/customers.csv and events.csv
(docs/formats.md), written partition by partition (one partition in memory
at a time, several partitions in parallel with --jobs), never the whole book.

Customer k (0 <= k < N) is C<k, 10 digits> and lives in partition k mod P;
a partition lists its customers in increasing k, so the whole book's
customer index of the i-th customer of partition p is p + i * P (the order
of a book made by reading the partitions' customers interleaved by k).

Each customer has a value tier (annual_spend), purchases (Poisson, mean
--purchases) of the policy's product classes over the year before NOW, each
with its delivery 1-3 days later, one answered phone contact, and with some
probability an inquiry or a fault: about 2 * purchases + 1.35 events a
customer (purchases 4.3 gives 10 events a customer).

    /usr/bin/python3 bench/gen_dask_book.py --customers 20000000 --partitions 200 --out /tmp/book20m

Deterministic for a seed. Needs numpy and pandas (Debian python3-numpy,
python3-pandas). Do not commit the output.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import pathlib
import time

import numpy as np
import pandas as pd

NOW = np.datetime64("2026-11-23T00:00:00")  # local (+08:00) wall time of the planning instant
YEAR = 365 * 86400
CLASSES = [("high_price", 12000.0, 40000.0), ("mid_price", 1000.0, 9000.0), ("low_price", 20.0, 900.0)]


def local_text(sec: np.ndarray) -> np.ndarray:
    """Seconds since NOW-local-midnight (can be negative) as +08:00 timestamps."""
    t = NOW + sec.astype("timedelta64[s]")
    return np.char.add(np.datetime_as_string(t, unit="s"), "+08:00")


def write_part(args: tuple) -> tuple[int, int, int]:
    p, n_total, parts, purchases, out, seed = args
    rng = np.random.default_rng([seed, p])
    k = np.arange(p, n_total, parts, dtype=np.int64)
    n = len(k)
    ids = np.char.add("C", np.char.zfill(k.astype(str), 10))
    spend = np.round(np.exp(rng.normal(10.0, 1.4, n)), 2)  # ordinary, key and a few VIP
    first = -rng.integers(400 * 86400, 5 * YEAR, n)
    d = pathlib.Path(out) / f"part-{p:05d}"
    d.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({
        "customer_id": ids, "tz": "Asia/Shanghai", "annual_spend": spend,
        "first_purchase_at": local_text(first), "industry": "retail", "is_smb": "no",
        "preferred_windows": "", "dnd_windows": "", "consent_phone": "yes", "consent_sms": "yes",
        "consent_email": "yes",
    }).to_csv(d / "customers.csv", index=False)

    npur = np.maximum(rng.poisson(purchases, n), 1)
    cust = np.repeat(np.arange(n), npur)
    m = len(cust)
    at = -rng.integers(60, YEAR, m)
    cls = rng.integers(0, len(CLASSES), m)
    lo = np.array([c[1] for c in CLASSES])[cls]
    hi = np.array([c[2] for c in CLASSES])[cls]
    price = np.round(lo + (hi - lo) * rng.random(m), 2)
    qty = rng.integers(1, 4, m)
    order = np.char.add(np.char.add("O", k[cust].astype(str)), np.char.add("-", np.arange(m).astype(str)))
    cname = np.array([c[0] for c in CLASSES])[cls]
    deliv = np.minimum(at + rng.integers(86400, 3 * 86400, m), -60)
    extra_c = np.arange(n)
    contact_at = -rng.integers(3600, 90 * 86400, n)
    inq = rng.random(n) < 0.30
    fault = rng.random(n) < 0.05
    frames = [
        pd.DataFrame({"customer_id": ids[cust], "at": local_text(at), "kind": "purchase", "order_id": order,
                      "product_class": cname, "unit_price": price, "amount": np.round(price * qty, 2)}),
        pd.DataFrame({"customer_id": ids[cust], "at": local_text(deliv), "kind": "delivery", "order_id": order,
                      "product_class": cname}),
        pd.DataFrame({"customer_id": ids[extra_c], "at": local_text(contact_at), "kind": "contact",
                      "channel": "phone", "agent_id": "A01", "outcome": "answered"}),
        pd.DataFrame({"customer_id": ids[inq], "at": local_text(-rng.integers(60, 20 * 86400, int(inq.sum()))),
                      "kind": "inquiry", "severity": "low", "channel": "chat"}),
        pd.DataFrame({"customer_id": ids[fault], "at": local_text(-rng.integers(60, 10 * 86400, int(fault.sum()))),
                      "kind": "fault", "severity": "normal"}),
    ]
    cols = ["customer_id", "at", "kind", "order_id", "product_class", "unit_price", "amount", "severity",
            "channel", "agent_id", "outcome", "score", "survey", "note"]
    ev = pd.concat(frames, ignore_index=True).reindex(columns=cols)
    ev.to_csv(d / "events.csv", index=False)
    return p, n, len(ev)


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
            "bytes": size, "now": "2026-11-23T00:00:00+08:00"}
    (pathlib.Path(a.out) / "book.json").write_text(json.dumps(meta, indent=1) + "\n")
    print(f"{cust} customers, {events} events ({events / max(cust, 1):.1f} a customer), "
          f"{size / 1e9:.2f} GB in {a.partitions} partitions, {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
