"""Where the best-time plan of `followup simulate` gains or loses answer rate (issue 18).

An evaluator, not part of any plan: it reads the hidden ground truth of the realistic sample
book (examples/sample/realistic/truth.csv), which the planner never sees. For each
FU_SIM_TRACE file of a policy run (lib/simulate.c writes one per run) it prints, over the
agent calls made (SMS and e-mail left out):

- calls, the answered share, and the mean TRUE answer probability of the calls (the
  expectation of the answered share, without the draw's noise);
- the same by archetype of the truth (morning, lunch, evening, office), and for the first
  call of a due window vs the redials of it;
- the customers' local hours called;
- where the gap to `oracle_day` lies: by the number of the customer's phone contacts with an
  outcome the planner had seen before the call (the book's history plus the run's calls so
  far), and by how far (in hours) the call was from the day's best team half-hour;
- two ceilings for the same calls: the mean true probability had each call been made at
  the best team-open half-hour of its day inside its due window (`oracle_day`), or of its
  window up to 7 days on (`oracle_win7`), and the share of calls already at the day's best.

    FU_SIM_TRACE=/tmp/bt.csv followup simulate --customers ... --compare besttime \\
        --agents 3 --calls-per-agent 40
    /usr/bin/python3 bench/besttime_sim_diag.py /tmp/bt.csv [more traces]

The team is the realistic book's (examples/sample/realistic.py: Shanghai, 09:00-12:00 and
13:30-18:00 on working days of the cn calendar); customers are called 08:00-21:00 local.
"""
from __future__ import annotations

import collections
import csv
import datetime as dt
import os
import statistics as st
import sys
from zoneinfo import ZoneInfo

HERE = os.path.dirname(os.path.abspath(__file__))
BOOK = os.path.join(HERE, "..", "examples", "sample", "realistic")
sys.path.insert(0, os.path.join(HERE, "..", "examples", "sample"))
import realistic  # noqa: E402  (team_open_day: the team's calendar)

SH = ZoneInfo("Asia/Shanghai")
TRUTH = {r["customer_id"]: r for r in csv.DictReader(open(os.path.join(BOOK, "truth.csv"), encoding="utf-8"))}
CUST = {r["customer_id"]: r for r in csv.DictReader(open(os.path.join(BOOK, "customers.csv"), encoding="utf-8"))}


def p_true(cid: str, t: int) -> tuple[float, dt.datetime]:
    """True answer probability of customer cid at UTC instant t, and the local time."""
    local = dt.datetime.fromtimestamp(t, ZoneInfo(CUST[cid]["tz"]))
    p = float(TRUTH[cid]["p%02d" % local.hour])
    if local.weekday() >= 5:
        p *= float(TRUTH[cid]["weekend"])
    return p, local


def team_slots(a: int, b: int) -> list[int]:
    """Team-open half-hour starts in [a, b]."""
    t = dt.datetime.fromtimestamp(a, SH).replace(second=0, microsecond=0)
    t = t.replace(minute=0 if t.minute < 30 else 30)
    out = []
    while t.timestamp() <= b:
        open_ = (9 <= t.hour < 12) or (t.hour == 13 and t.minute >= 30) or (14 <= t.hour < 18)
        if t.timestamp() >= a and open_ and realistic.team_open_day(t.date()):
            out.append(int(t.timestamp()))
        t += dt.timedelta(minutes=30)
    return out


def allowed(cid: str, t: int) -> bool:
    return 8 <= dt.datetime.fromtimestamp(t, ZoneInfo(CUST[cid]["tz"])).hour < 21


def history_counts(start: int) -> collections.Counter:
    """Phone contacts with an outcome (the model's evidence) per customer before `start`."""
    out = collections.Counter()
    for r in csv.DictReader(open(os.path.join(BOOK, "events.csv"), encoding="utf-8")):
        if r["kind"] == "contact" and r["channel"] in ("", "phone") and \
                r["outcome"] in ("answered", "no_answer", "refused", "voicemail") and \
                dt.datetime.fromisoformat(r["at"]).timestamp() < start:
            out[r["customer_id"]] += 1
    return out


SPAN_START = int(dt.datetime(2026, 9, 21, tzinfo=SH).timestamp())
HIST = None


def bucket(n: int) -> str:
    for hi, name in ((0, "0"), (1, "1"), (2, "2"), (4, "3-4"), (9, "5-9"), (19, "10-19")):
        if n <= hi:
            return name
    return "20+"


def report(path: str) -> None:
    global HIST
    if HIST is None:
        HIST = history_counts(SPAN_START)
    seen_n = collections.Counter()
    gap_b, gap_d = collections.defaultdict(list), collections.defaultdict(list)
    calls = [r for r in csv.reader(open(path, encoding="utf-8")) if r[0] == "call" and r[6] != "sent"]
    if not calls:
        print(path, "no agent calls")
        return
    hours, arch, kind, seen = collections.Counter(), collections.defaultdict(list), collections.defaultdict(list), set()
    made, o_day, o_win, at_best, answered = [], [], [], 0, 0
    for r in calls:
        cid, t, due_from, due_to = r[1], int(r[5]), int(r[3]), int(r[4])
        p, local = p_true(cid, t)
        ok = r[6] == "answered"
        answered += ok
        hours[local.hour] += 1
        arch[TRUTH[cid]["archetype"]].append((p, ok))
        kind["redial" if (cid, due_from) in seen else "first"].append(p)
        seen.add((cid, due_from))
        d0 = int(dt.datetime.fromtimestamp(t, SH).replace(hour=0, minute=0, second=0).timestamp())
        day = [p_true(cid, x)[0] for x in team_slots(max(due_from, d0), min(due_to, d0 + 86399)) if allowed(cid, x)]
        win = [p_true(cid, x)[0] for x in team_slots(max(due_from, d0), min(due_to, d0 + 7 * 86400)) if allowed(cid, x)]
        made.append(p)
        o_day.append(max([p] + day))
        slots = [x for x in team_slots(max(due_from, d0), min(due_to, d0 + 86399)) if allowed(cid, x)]
        best_t = max(slots, key=lambda x: p_true(cid, x)[0]) if slots else t
        gap_b[bucket(HIST[cid] + seen_n[cid])].append(o_day[-1] - p)
        gap_d[min(abs(t - best_t) // 3600, 5)].append(o_day[-1] - p)
        seen_n[cid] += 1
        o_win.append(max([p] + win))
        at_best += o_day[-1] - p < 1e-9
    n = len(calls)
    print(f"{path}: {n} calls, answered {answered / n:.4f}, mean true p {st.mean(made):.4f}")
    print(f"  ceilings: oracle_day {st.mean(o_day):.4f}, oracle_win7 {st.mean(o_win):.4f}, "
          f"calls at the day's best {at_best / n:.3f}")
    for a, v in sorted(arch.items()):
        print(f"  {a:8s} {len(v):5d} calls, true p {st.mean(x[0] for x in v):.3f}, answered {st.mean(x[1] for x in v):.3f}")
    for k, v in sorted(kind.items()):
        print(f"  {k:8s} {len(v):5d} calls, true p {st.mean(v):.3f}")
    print("  local hours:", ", ".join(f"{h:02d}h {c}" for h, c in sorted(hours.items())))
    total = sum(o_day) - sum(made)
    order = ["0", "1", "2", "3-4", "5-9", "10-19", "20+"]
    print(f"  gap to oracle_day {total / n:.4f} per call; by contacts seen before the call "
          "(calls, mean gap, share of the gap):")
    for b in order:
        v = gap_b.get(b)
        if v:
            print(f"    {b:>5s}: {len(v):5d} calls, gap {st.mean(v):.3f}, share {sum(v) / total:.2f}")
    print("  by hours from the day's best team half-hour (5 = 5 or more):")
    for d, v in sorted(gap_d.items()):
        print(f"    {d}h: {len(v):5d} calls, gap {st.mean(v):.3f}, share {sum(v) / total:.2f}")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for p in sys.argv[1:]:
        report(p)
