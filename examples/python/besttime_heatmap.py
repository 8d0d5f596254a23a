#!/usr/bin/python3
"""Draw the best-time model's 7 x 24 answer-probability matrix as heatmaps.

Loads the sample customers and events (examples/sample/data), builds a
followup.BestTime model with the built-in policy and one segment per
industry, and writes two PNG files into --out:

  besttime_customer_<ID>.png    one customer's posterior answer probability
  besttime_segment_<NAME>.png   the prior of that customer's segment

Rows are Monday..Sunday, columns local hours 00..23 (the customer's own
time zone); the best hour is framed, and hours outside the policy's quiet
hours are hatched.

    /usr/bin/python3 examples/python/besttime_heatmap.py --out /tmp/heat
    /usr/bin/python3 examples/python/besttime_heatmap.py --customer C00012 --out /tmp/heat

Needs the followup package on PYTHONPATH (the build puts it in
<build>/python), numpy and matplotlib (Debian: python3-numpy,
python3-matplotlib).
"""
import argparse
import csv
import os
import pathlib
import sys

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import followup as fu  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent
DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def load(data_dir):
    """The book, the customers' rows and the instant of the latest event."""
    book = fu.Book()
    book.read_customers_csv(str(data_dir / "customers.csv"))
    book.read_events_csv(str(data_dir / "events.csv"))
    book.finalize()
    with open(data_dir / "customers.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    with open(data_dir / "events.csv", newline="", encoding="utf-8") as f:
        events = list(csv.DictReader(f))
    now = max(fu.time_parse(e["at"]) for e in events)
    contacts = {}
    for e in events:
        if e["kind"] == "contact" and e["outcome"]:
            contacts.setdefault(e["customer_id"], []).append(e)
    return book, rows, now, contacts


def quiet_mask(policy):
    """7 x 24 booleans: True where the local hour is (partly) outside quiet hours."""
    allowed = fu.Windows(policy.get_string("quiet_hours.allowed"))
    mask = np.zeros((7, 24), dtype=bool)
    for d in range(7):
        for h in range(24):
            start = (d * 24 + h) * 60
            mask[d, h] = not all(allowed.contains(start + m) for m in range(0, 60, 15))
    return mask


def draw(matrix, title, subtitle, path, forbidden, contacts=()):
    """One heatmap PNG: weekday rows, hour columns, colour bar, best hour
    framed; `contacts` are (hour_of_week, answered) marks."""
    matrix = np.asarray(matrix, dtype=float)
    fig, ax = plt.subplots(figsize=(13, 4.8), dpi=110)
    # colour range in 5-point steps around the values (the colour bar says which)
    vmin = float(np.floor(matrix.min() * 20) / 20)
    vmax = max(vmin + 0.05, float(np.ceil(matrix.max() * 20) / 20))
    im = ax.imshow(matrix, cmap="viridis", vmin=vmin, vmax=vmax, aspect="auto")
    ax.set_xticks(range(24))
    ax.set_xticklabels([f"{h:02d}" for h in range(24)])
    ax.set_yticks(range(7))
    ax.set_yticklabels(DAYS)
    ax.set_xlabel("local hour of day")
    ax.set_ylabel("weekday")
    ax.set_title(f"{title}\n{subtitle}", fontsize=11)
    # values in the cells, dark text on light cells
    for d in range(7):
        for h in range(24):
            v = matrix[d, h]
            ax.text(h, d, f"{100 * v:.0f}", ha="center", va="center", fontsize=7,
                    color="black" if v > vmin + 0.6 * (vmax - vmin) else "white")
    # hours the policy's quiet hours forbid (wholly or partly)
    for d, h in zip(*np.nonzero(forbidden)):
        ax.add_patch(plt.Rectangle((h - 0.5, d - 0.5), 1, 1, fill=False, hatch="///",
                                   edgecolor=(1, 1, 1, 0.35), linewidth=0))
    # the best allowed hour
    allowed = np.where(forbidden, -1.0, matrix)
    d, h = np.unravel_index(int(np.argmax(allowed)), matrix.shape)
    ax.add_patch(plt.Rectangle((h - 0.5, d - 0.5), 1, 1, fill=False, edgecolor="red", linewidth=2.2))
    # the customer's own contacts, in the cell's upper left corner
    for k, (how, ok) in enumerate(contacts):
        d_, h_ = divmod(how, 24)
        dx = -0.32 + 0.16 * (sum(1 for how2, _ in contacts[:k] if how2 == how))
        ax.plot(h_ + dx, d_ - 0.3, marker="o" if ok else "x", markersize=5,
                color="white" if ok else "red", markeredgewidth=1.5, linestyle="none")
    cbar = fig.colorbar(im, ax=ax, pad=0.01)
    cbar.set_label("P(answer), posterior mean")
    legend = (f"cell text: answer probability in %; red frame: best allowed hour "
              f"({DAYS[d]} {h:02d}:00, {100 * matrix[d, h]:.1f}%); hatched: outside quiet hours")
    if contacts:
        legend += "; past calls: o answered, x not answered"
    fig.text(0.01, 0.01, legend, fontsize=8, color="0.3")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    fig.savefig(path)
    plt.close(fig)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=".", help="directory for the PNG files (created)")
    ap.add_argument("--data", default=str(HERE.parent / "sample" / "data"),
                    help="directory with customers.csv and events.csv")
    ap.add_argument("--customer", help="customer id (default: the one with the most contacts)")
    args = ap.parse_args(argv)

    data = pathlib.Path(args.data)
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    book, rows, now, contacts = load(data)
    policy = fu.policy_default()

    # one segment per industry (customers without one share segment 0)
    names = ["(none)"] + sorted({r["industry"] for r in rows if r["industry"]})
    seg_of = {n: i for i, n in enumerate(names)}
    segments = [0] * book.customer_count()
    for r in rows:
        segments[book.find_customer(r["customer_id"])] = seg_of[r["industry"] or "(none)"]
    model = fu.BestTime(policy, book, segments=segments, n_segments=len(names))

    cid = args.customer or max(sorted(contacts), key=lambda c: len(contacts[c]))
    ci = book.find_customer(cid)
    cust = book.customer(ci)
    seg = segments[ci]
    mine = contacts.get(cid, [])
    answered = sum(1 for e in mine if e["outcome"] == "answered")
    local = fu.Calendar(cust.tz)
    marks = [(local.hour_of_week(fu.time_parse(e["at"])), e["outcome"] == "answered") for e in mine]
    forbidden = quiet_mask(policy)
    asof = fu.time_format(now, 0, fu.TIME_FORMAT_Z)

    cpath = out / f"besttime_customer_{cid}.png"
    draw(model.customer_matrix(ci, now),
         f"Customer {cid} ({cust.tz}, {cust.industry or 'no industry'}): answer probability by local hour",
         f"{len(mine)} calls, {answered} answered; shrunk toward the prior of segment '{names[seg]}'; as of {asof}",
         cpath, forbidden, marks)
    spath = out / f"besttime_segment_{names[seg]}.png"
    n_in = sum(1 for s in segments if s == seg)
    draw(model.segment_matrix(seg),
         f"Segment '{names[seg]}': prior answer probability by local hour",
         f"{n_in} customers; method-of-moments prior, built-in policy; as of {asof}",
         spath, forbidden)
    print(cpath)
    print(spath)
    return 0


if __name__ == "__main__":
    sys.exit(main())
