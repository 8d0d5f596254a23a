"""Half-life of the best-time model estimated from a book's own contact history (issue 18).

Prequential (one-step-ahead) evaluation, the standard way to choose a forgetting factor:
the model starts empty and is fed the book's phone contacts with an outcome in time order
(`BestTime.record`); before each contact the model's posterior mean answer probability of
that customer and slot at that instant is the forecast p, and the contact's outcome y
scores it by the log loss -[y log p + (1 - y) log(1 - p)] and the Brier score (p - y)^2.
The priors are refitted every 30 days (`fit_prior`), as the planner refits them. Only the
contacts after a burn-in (the first half of the history) are scored. The half-life with the
smallest mean log loss is the one the data support: a short one when customers' hours
drift, a long one (or none) when they do not. Only the book is read, never a ground truth.

    /usr/bin/python3 bench/besttime_half_life.py [BOOK_DIR] [--before ISO-TIME]

BOOK_DIR defaults to examples/sample/realistic; --before (default 2026-09-21T00:00:00+08:00,
the start of the simulated span in docs/simulate.md) ends the history used.
"""
from __future__ import annotations

import csv
import datetime as dt
import math
import os
import sys
from zoneinfo import ZoneInfo

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "build", "test", "python"))
import followup as fu  # noqa: E402

OUTCOMES = {"answered": fu.OUTCOME_ANSWERED, "no_answer": fu.OUTCOME_NO_ANSWER,
            "refused": fu.OUTCOME_REFUSED, "voicemail": fu.OUTCOME_VOICEMAIL}
DAY = 86400


def main() -> None:
    args = sys.argv[1:]
    before = "2026-09-21T00:00:00+08:00"
    if "--before" in args:
        i = args.index("--before")
        before = args[i + 1]
        del args[i:i + 2]
    book_dir = args[0] if args else os.path.join(HERE, "..", "examples", "sample", "realistic")
    end = dt.datetime.fromisoformat(before).timestamp()
    custs = list(csv.DictReader(open(os.path.join(book_dir, "customers.csv"), encoding="utf-8")))
    index = {c["customer_id"]: i for i, c in enumerate(custs)}
    zone = {c["customer_id"]: ZoneInfo(c["tz"] or "Asia/Shanghai") for c in custs}
    contacts = []
    for r in csv.DictReader(open(os.path.join(book_dir, "events.csv"), encoding="utf-8")):
        if r["kind"] != "contact" or r["channel"] not in ("", "phone") or r["outcome"] not in OUTCOMES:
            continue
        t = dt.datetime.fromisoformat(r["at"])
        if t.timestamp() >= end:
            continue
        local = t.astimezone(zone[r["customer_id"]])
        contacts.append((int(t.timestamp()), index[r["customer_id"]], local.weekday() * 24 + local.hour,
                         r["outcome"]))
    contacts.sort()
    t0, t1 = contacts[0][0], contacts[-1][0]
    burn = t0 + (t1 - t0) // 2
    pol = fu.policy_default()
    book = fu.Book()
    book.read_customers_csv(os.path.join(book_dir, "customers.csv"))
    book.finalize()
    print(f"{len(contacts)} contacts from {dt.datetime.fromtimestamp(t0, dt.timezone.utc):%Y-%m-%d} to "
          f"{dt.datetime.fromtimestamp(t1, dt.timezone.utc):%Y-%m-%d}; scored after "
          f"{dt.datetime.fromtimestamp(burn, dt.timezone.utc):%Y-%m-%d}")
    print("| half-life | contacts scored | log loss | Brier | log loss - that of 90 d (± 2 SE, paired) |")
    print("|---|---|---|---|---|")
    losses = {}
    for days in (90, 30, 60, 180, 365, 730, None):
        m = fu.BestTime(pol, book, half_life_seconds=-1 if days is None else days * DAY)
        next_fit, ll, br, n, per = t0 + 30 * DAY, 0.0, 0.0, 0, []
        for t, c, how, outcome in contacts:
            if t >= next_fit:
                m.fit_prior(t)
                next_fit = t + 30 * DAY
            if t >= burn:
                p = m.posterior(c, m.slot_of_hour(how), t, level=0).p
                y = outcome == "answered"
                p = min(max(p, 1e-9), 1 - 1e-9)
                per.append(-(math.log(p) if y else math.log(1 - p)))
                ll += per[-1]
                br += (p - y) ** 2
                n += 1
            m.record(c, t, OUTCOMES[outcome])
        losses[days] = per
        d = [a - b for a, b in zip(per, losses[90])]
        md = sum(d) / n
        se = math.sqrt(sum((x - md) ** 2 for x in d) / (n - 1) / n) if n > 1 else 0.0
        print(f"| {'none' if days is None else f'{days} d'} | {n} | {ll / n:.5f} | {br / n:.5f} | "
              f"{md:+.5f} ± {2 * se:.5f} |")


if __name__ == "__main__":
    main()
