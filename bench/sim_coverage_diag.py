#!/usr/bin/env python3
"""Which due windows does a policy run miss that the baseline team reaches?

Reads the book (events.csv) and the trace of a policy run written by
`FU_SIM_TRACE=path followup simulate ... --compare policy` (lib/simulate.c), and
breaks the coverage units down by cadence step (docs/kpi.md: the first step of
every event-triggered cadence whose `when` the KPI engine can see, window
[event + at, event + at + within]). Windows are recomputed here in wall time
for the built-in policy's steps that the realistic book triggers; "same day" is
18:00 team time (Asia/Shanghai). Approximate by design: a diagnostic, not a KPI.

With `rota` the team works 08:00-24:00 every day, holidays included
(examples/policies/coverage.yaml); otherwise the built-in calendar cn. With
customers.csv next to EVENTS.csv a window the team could work but the
customer's quiet hours (08:00-21:00 local) or holidays (cn dates; non-urgent
steps) close all along is reported as "closed all along (customer hours)".

usage: sim_coverage_diag.py EVENTS.csv TRACE.csv FROM_ISO TO_ISO [rota]
"""
import os
import csv
import re
import sys
from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone

H = 3600
D = 86400
TEAM = timezone(timedelta(hours=8))
# the built-in policy's calendar `cn` (lib/data/default_policy.yaml) over the span:
# Mid-Autumn 09-25..27 and National Day 10-01..07; make-up working days (调休)
HOLIDAYS = {datetime(2026, 9, d).date() for d in (25, 26, 27)} | {datetime(2026, 10, d).date() for d in range(1, 8)}
WORKDAYS = {datetime(2026, 9, 20).date(), datetime(2026, 10, 10).date()}


def ts(s):
    return int(datetime.fromisoformat(s).timestamp())


def same_day_close(t):
    loc = datetime.fromtimestamp(t, TEAM)
    close = loc.replace(hour=18, minute=0, second=0, microsecond=0)
    if loc >= close:
        close += timedelta(days=1)
    return int(close.timestamp())


ROTA = False
TZ = {}  # customer -> ZoneInfo, from customers.csv next to the events
URGENT_STEPS = ("fault.urgent_response", "urgent_fault.first_check")


def team_open(t):
    loc = datetime.fromtimestamp(t, TEAM)
    if ROTA:
        return loc.hour >= 8
    if (loc.weekday() >= 5 and loc.date() not in WORKDAYS) or loc.date() in HOLIDAYS:
        return False
    m = loc.hour * 60 + loc.minute
    return 9 * 60 <= m < 12 * 60 or 13 * 60 + 30 <= m < 18 * 60


def customer_open(c, t, name):
    z = TZ.get(c)
    if z is None:
        return True
    loc = datetime.fromtimestamp(t, z)
    if name not in URGENT_STEPS and loc.date() in HOLIDAYS:
        return False
    return 8 <= loc.hour < 21


def open_minutes(a, b, c=None, name=None):
    n, t = 0, a - a % 900
    while t < b:
        if t >= a and team_open(t) and (c is None or customer_open(c, t, name)):
            n += 15
        t += 900
    return n


def windows(ev):
    """(cadence.step, customer, ws, we) of the KPI's derived due items."""
    k, t, c = ev["kind"], ev["t"], ev["customer_id"]
    price = float(ev["unit_price"] or 0)
    pclass = ev["product_class"] or ("high_price" if price > 10000 else "")
    out = []
    if k == "delivery":
        out.append(("delivery.first_contact", t, t + 48 * H))
    elif k == "installation":
        out.append(("installation.usage_guidance", t + 7 * D, t + 9 * D))
        if pclass == "high_price":
            out.append(("high_price_equipment.status_check", t, t + 3 * D))
    elif k == "fault" and ev["severity"] == "urgent":
        out.append(("fault.urgent_response", t, t + 2 * H))
    elif k == "repair" and ev["severity"] == "urgent":
        out.append(("urgent_fault.first_check", t, t + 2 * H))
    elif k == "inquiry":
        out.append(("consultation.reply", t, same_day_close(t)))
    elif k == "complaint":
        out.append(("complaint.immediate", t, t + 24 * H))
    elif k == "resolved":
        out.append(("resolution.solved_72h", t + 72 * H, t + 96 * H))
    elif k == "survey" and ev["survey"] == "nps" and ev["score"] and float(ev["score"]) <= 6:
        out.append(("detractor.nps_recovery", t, t + 24 * H))
    return [(name, c, a, b) for name, a, b in out]


def main(argv):
    global ROTA
    if len(argv) not in (5, 6) or (len(argv) == 6 and argv[5] != "rota"):
        sys.exit(__doc__)
    ROTA = len(argv) == 6
    cpath = os.path.join(os.path.dirname(argv[1]), "customers.csv")
    if os.path.exists(cpath):
        from zoneinfo import ZoneInfo
        with open(cpath, newline="") as f:
            for row in csv.DictReader(f):
                if row.get("tz"):
                    TZ[row["customer_id"]] = ZoneInfo(row["tz"])
    frm, to = ts(argv[3]), ts(argv[4])
    base = defaultdict(list)   # reached contacts of the baseline (the book)
    hist = defaultdict(list)   # reached contacts before `from` (both runs)
    wins = []
    with open(argv[1], newline="") as f:
        for ev in csv.DictReader(f):
            ev["t"] = t = ts(ev["at"])
            if t >= to:
                continue
            if ev["kind"] == "contact" and ev["outcome"] in ("answered", ""):
                (hist if t < frm else base)[ev["customer_id"]].append(t)
            wins.extend(windows(ev))
    calls = defaultdict(list)
    drops = defaultdict(list)
    queued = defaultdict(list)
    held = defaultdict(list)   # touchpoints the planner suppressed or deferred
    refused = 0
    with open(argv[2], newline="") as f:
        for row in csv.reader(f):
            what, c, rule, dfrom, dto, at, detail = row[0], row[1], row[2], int(row[3]), int(row[4]), int(row[5]), row[6]
            if what == "call":
                calls[c].append((at, detail, rule))
            elif what == "drop":
                drops[c].append((at, detail, rule, dfrom, dto))
            elif what == "queue":
                queued[c].append((at, rule, dfrom, dto))
            elif what in ("suppressed", "deferred"):
                held[c].append((at, what + " by " + (detail or "?"), rule, dfrom, dto))
            elif what == "refused":
                refused += 1
    # a window counts once its end is in the span (the KPI's weekly periods)
    wins = [w for w in wins if frm <= w[3] < to]

    def hit(ts_list, a, b):
        return any(a <= x <= b for x in ts_list)

    table = defaultdict(Counter)
    why = defaultdict(Counter)
    lost = Counter()  # windows the baseline reached and the policy run missed, by reason
    for name, c, a, b in wins:
        bc = hit(hist[c], a, b) or hit(base[c], a, b)
        pc = hit(hist[c], a, b) or any(a <= t <= b and d in ("answered", "sent") for t, d, _ in calls[c])
        row = table[name]
        row["n"] += 1
        row["baseline"] += bc
        row["policy"] += pc
        row["closed_window"] += open_minutes(a, b) == 0
        if pc:
            continue
        tried = [d for t, d, _ in calls[c] if a <= t <= b]
        dropped = [d for t, d, *_ in drops[c] if a <= t <= b]
        q_in = [r for t, r, *_ in queued[c] if a <= t <= b]
        q_any = [r for t, r, f_, t_ in queued[c] if f_ <= b and t_ >= a]
        # the step itself held back (its own rule in the touchpoint's rules);
        # another step of the cadence may still be planned later (the 72 h
        # follow-up suppressed, the short-term one planned after the cap)
        hs = [d for t, d, r, f_, t_ in held[c] if f_ <= b and t_ >= a and name in r]
        if open_minutes(a, b) == 0:
            reason = "window closed all along (team hours)"
        elif TZ and open_minutes(a, b, c, name) == 0:
            reason = "window closed all along (customer hours)"
        elif tried:
            reason = "called, not answered (%d attempts)" % min(len(tried), 3)
        elif dropped:
            reason = "dropped: " + Counter(dropped).most_common(1)[0][0]
        elif q_in:
            reason = "queued in window, never made"
        elif hs:
            reason = "held back: " + Counter(hs).most_common(1)[0][0]
        elif q_any:
            reason = "planned outside the window"
        else:
            reason = "never planned"
        why[name][reason] += 1
        if bc:
            lost[re.sub(r" \(\d attempts\)", "", reason)] += 1
    print("planner refused %d fed events (out of order)\n" % refused)
    print("%-36s %5s %8s %8s %7s" % ("cadence.step (KPI window)", "n", "baseline", "policy", "closed"))
    tot = Counter()
    for name in sorted(table, key=lambda k: -table[k]["n"]):
        r = table[name]
        tot.update(r)
        print("%-36s %5d %8.3f %8.3f %7d" % (name, r["n"], r["baseline"] / r["n"], r["policy"] / r["n"], r["closed_window"]))
    print("%-36s %5d %8.3f %8.3f %7d\n" % ("all", tot["n"], tot["baseline"] / tot["n"], tot["policy"] / tot["n"], tot["closed_window"]))
    print("policy misses by reason")
    for name in sorted(why, key=lambda k: -sum(why[k].values())):
        for reason, n in why[name].most_common():
            print("  %-36s %-44s %5d" % (name, reason, n))
    print("\nwindows the baseline reached and the policy run missed (%d)" % sum(lost.values()))
    for reason, n in lost.most_common():
        print("  %-60s %5d" % (reason, n))
    ncalls = Counter(r.split(";")[0].split(".")[1] if r.startswith("cadences.") else (r or "?") for cs in calls.values() for _, _, r in cs)
    print("\npolicy calls by cadence (first rule)")
    for k, n in ncalls.most_common():
        print("  %-36s %5d" % (k, n))


if __name__ == "__main__":
    main(sys.argv)
