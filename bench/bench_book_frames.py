"""Loading events from a pandas DataFrame into a followup.Book, three ways:

- bulk:     followup.book_from_frames (one Book.add_event_columns call)
- csv_text: DataFrame.to_csv + Book.read_events_text (an in-memory CSV round trip)
- per_row:  a Python loop calling Book.add_event per row

Data: examples/sample/data (300 customers, 4,372 events) with the events repeated
BOOK_FRAMES_REPEAT times (default 40: 174,880 events), each row a distinct order id.
Run: PYTHONPATH=build/test/python /usr/bin/python3 bench/bench_book_frames.py
Prints the median, min and max of BOOK_FRAMES_RUNS runs (default 5) and the ratios.
"""
import os
import pathlib
import statistics
import time

import pandas as pd

import followup
from followup import frames

SRC = pathlib.Path(__file__).resolve().parent.parent / "examples" / "sample" / "data"
REPEAT = int(os.environ.get("BOOK_FRAMES_REPEAT", "40"))
RUNS = int(os.environ.get("BOOK_FRAMES_RUNS", "5"))

cust = pd.read_csv(SRC / "customers.csv")
ev = pd.read_csv(SRC / "events.csv")
big = pd.concat([ev] * REPEAT, ignore_index=True)
big["order_id"] = ["O%d" % i for i in range(len(big))]
big["note"] = None
cust_text = cust.to_csv(index=False)


def bulk():
    return frames.book_from_frames(cust, big, finalize=False)


def csv_text():
    b = followup.Book()
    b.read_customers_text(cust_text)
    b.read_events_text(big.to_csv(index=False))
    return b


def per_row():
    b = followup.Book()
    b.read_customers_text(cust_text)
    at = frames._seconds(big["at"], "at", True)
    kinds = {k: followup.event_kind_from_string(k) for k in big["kind"].unique()}
    for cid, t, k, o, a in zip(big["customer_id"], at, big["kind"], big["order_id"], big["amount"]):
        b.add_event(cid, int(t), kinds[k], order_id=o, amount=float(a))
    return b


medians = {}
for name, fn in (("bulk", bulk), ("csv_text", csv_text), ("per_row", per_row)):
    ts = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    medians[name] = statistics.median(ts)
    print(f"{name:9} {len(big)} events: median {medians[name]:.3f} s (min {min(ts):.3f}, max {max(ts):.3f})")
print(f"csv_text / bulk {medians['csv_text'] / medians['bulk']:.2f}, per_row / bulk "
      f"{medians['per_row'] / medians['bulk']:.2f}")
