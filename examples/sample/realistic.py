"""The realistic book of `generate.py --realistic`: a team with the source documents' baseline habits.

Writes customers.csv, events.csv, notes.csv and truth.csv into --out. The history runs
from FROM (a year before the simulation) to TO (the end of a 12-week simulation span that
contains the National Day week); the contacts in it are the *baseline team's* calls, the
other events (purchases, deliveries, installations, faults, repairs, complaints, inquiries,
surveys) are what the customers did. truth.csv is the per-customer ground truth of answer
probabilities by local hour, for a simulator only (a planner must never read it).

How each figure is set (README.md repeats this, with the measured values):
- answer rate by local hour: ANSWER_BY_HOUR, the Anonymous Bank call-centre log
  (Technion SEE Center, August 1999, 26,011 queued calls; share served by hour of queue
  start divided by the overall share 0.7071), times MEAN_ANSWER = 0.60: the population's
  mean in the team's hours is 0.60 so that the baseline team's calls are answered 55% of
  the time (its redials go to the customers who are hard to reach);
- each customer's own curve: that profile times an archetype factor (morning, lunch,
  evening, office: x1.35 in the archetype's hours, x0.8 elsewhere) times a customer
  factor drawn from Beta(6, 6) * 2 (mean 1), weekends x0.8 (x0.3 for office people);
- baseline coverage about 65%: the team follows the due windows the KPI engine counts
  (docs/kpi.md "Coverage": the first step of every event-triggered cadence of the built-in
  policy, lib/data/default_policy.yaml), listed by hand where the events are made:
  delivery 0-48 h; installation +7 d within 2 d; high-price installation 0-3 d; fault
  urgent 0-2 h (else 0-24 h); urgent repair 0-2 h, then 2-24 h; inquiry the same day;
  complaint 0-24 h; resolved +72 h within 24 h. Each window is tried with probability
  P_TRY at the team's first open half-hour in it, then redialled two hours apart while it
  lasts (at most REDIALS times, each with probability REDIAL_P). What is missed is what
  the team's hours leave out (weekends, holidays, evenings; 10% of events at night);
- resolution about 78%: a problem (fault, complaint, inquiry) gets its own `resolved`
  event with probability P_RESOLVED = 0.59; promises add resolutions; the team resolves
  in its own hours;
- CSAT about 3.8: 35% of answered calls get a CSAT survey, score round(N(3.85, 1.0)) in 1..5;
- promises kept about 62%: 25% of answered calls carry a note with a promise; the
  matching `resolved` event comes within a day (before any of the notes' deadlines) with
  probability PROMISE_KEPT = 0.62, else 2-9 days later;
  in a simulated policy run (followup simulate), an answered contact between a promise and
  its deadline keeps a promise this book records as broken with probability 0.5
  (fu_simulation_options.promise_contact_keep, docs/simulate.md "Promises kept");
- complaints: 5% of customers complain spontaneously a year; each answered contact causes
  a complaint within 40 h with probability 0.002, times 1.23 when it is the third or later
  contact within 72 h (the source documents' "+23% complaints above 2 contacts in 72 h");
- holidays: the cn calendar of the built-in policy (National Day 2026-10-01..07 included);
  the team makes no call on holidays, weekends or outside 09:00-12:00, 13:30-18:00 Shanghai.
"""
from __future__ import annotations

import csv
import datetime as dt
import math
import os
import random

# Anonymous Bank call-centre log (Technion SEE Center, "Call Center Data", August 1999,
# Guedj & Mandelbaum; Brown et al., JASA 2005), free for research and teaching use.
# Share of queued calls served by hour of q_start, divided by the month's share 0.7071.
# Hours 0-6 had under 30 calls each; they are set to 0.3 (the centre was nearly closed).
ANSWER_BY_HOUR = [0.30, 0.30, 0.30, 0.30, 0.30, 0.30, 0.30, 1.134, 1.052, 1.013, 0.993, 0.982,
                  1.007, 1.078, 1.031, 0.962, 0.945, 0.946, 0.963, 0.941, 1.065, 1.029, 1.020, 1.058]
MEAN_ANSWER = 0.60  # the baseline team's calls are then answered 55% of the time
ARCH_HOURS = {"morning": range(8, 12), "lunch": range(12, 14), "evening": range(18, 21),
              "office": range(9, 18)}
TZS = [("Asia/Shanghai", 8, 0.78), ("Asia/Hong_Kong", 8, 0.06), ("Asia/Singapore", 8, 0.06),
       ("Europe/Berlin", None, 0.05), ("America/New_York", None, 0.05)]
HOLIDAYS = set()
for a, b in [("2025-10-01", "2025-10-08"), ("2026-01-01", "2026-01-03"), ("2026-02-15", "2026-02-23"),
             ("2026-04-04", "2026-04-06"), ("2026-05-01", "2026-05-05"), ("2026-06-19", "2026-06-21"),
             ("2026-09-25", "2026-09-27"), ("2026-10-01", "2026-10-07")]:
    d = dt.date.fromisoformat(a)
    while d <= dt.date.fromisoformat(b):
        HOLIDAYS.add(d)
        d += dt.timedelta(days=1)
WORKDAYS = {dt.date(2025, 9, 28), dt.date(2025, 10, 11), dt.date(2026, 1, 4), dt.date(2026, 2, 14),
            dt.date(2026, 2, 28), dt.date(2026, 5, 9), dt.date(2026, 9, 20), dt.date(2026, 10, 10)}
TEAM_SLOTS = [(9, 0), (9, 30), (10, 0), (10, 30), (11, 0), (11, 30), (13, 30), (14, 0), (14, 30),
              (15, 0), (15, 30), (16, 0), (16, 30), (17, 0), (17, 30)]
# The due windows the team follows: (cadence, step) of the built-in policy
# (lib/data/default_policy.yaml) -> (at, within) in hours, the first step of every
# event-triggered cadence the KPI engine counts for coverage (docs/kpi.md), plus the
# later steps the team also makes. consultation.reply ("same day", the close of
# business) is computed where inquiries are made. tests/python/test_sample_realistic.py
# checks this list against the policy.
DUE_WINDOWS = {
    ("delivery", "first_contact"): (0, 48),
    ("installation", "usage_guidance"): (7 * 24, 48),
    ("high_price_equipment", "status_check"): (0, 72),
    ("fault", "urgent_response"): (0, 2),
    ("fault", "response"): (0, 24),
    ("urgent_fault", "first_check"): (0, 2),
    ("urgent_fault", "second_check"): (2, 22),
    ("complaint", "immediate"): (0, 24),
    ("resolution", "solved_72h"): (72, 24),
}
P_TRY = 0.97      # a due follow-up is tried at all with this probability
REDIALS = 6       # then redialled two hours apart while its window lasts, at most this often,
REDIAL_P = 0.97   # each redial made with this probability
P_RESOLVED = 0.59  # a fault, complaint or inquiry gets its own `resolved` event
PROMISE_KEPT = 0.62  # share of promises the team keeps
DAYTIME = 0.9     # share of deliveries, installations, faults, repairs and issues in local 08:00-20:00
AGENTS = [f"A{i:02d}" for i in range(1, 7)]
SH = dt.timedelta(hours=8)


def team_open_day(d: dt.date) -> bool:
    if d in WORKDAYS:
        return True
    return d.weekday() < 5 and d not in HOLIDAYS


def next_team_slot(t: dt.datetime, rng: random.Random) -> dt.datetime:
    """The first team slot (Shanghai, UTC+8 all year) at or after UTC instant t, jittered."""
    local = t + SH
    for _ in range(40):
        if team_open_day(local.date()):
            for h, m in TEAM_SLOTS:
                slot = dt.datetime(local.year, local.month, local.day, h, m)
                if slot >= local:
                    return slot - SH + dt.timedelta(minutes=rng.randint(0, 25))
        local = dt.datetime(local.year, local.month, local.day) + dt.timedelta(days=1)
    return t


def answer_probs(rng: random.Random, archetype: str) -> tuple[list[float], float]:
    scale = 2.0 * rng.betavariate(6, 6)
    probs = []
    for h in range(24):
        f = 1.35 if h in ARCH_HOURS[archetype] else 0.8
        probs.append(min(0.97, MEAN_ANSWER * ANSWER_BY_HOUR[h] * f * scale))
    weekend = 0.3 if archetype == "office" else 0.8
    return probs, weekend


def generate_realistic(n: int, seed: int, start: dt.datetime, end: dt.datetime, out: str, clock_cls,
                       weighted, write_book) -> dict:
    rng = random.Random(seed)
    customers, events, notes, truth = [], [], [], []
    order_no = 0
    for i in range(1, n + 1):
        cid = f"R{i:05d}"
        zone, fixed = weighted(rng, [((z, f), w) for z, f, w in TZS])
        clock = clock_cls(zone, fixed)
        u = rng.random()
        spend = (rng.uniform(500_001, 2_000_000) if u < 0.03 else rng.uniform(100_000, 500_000) if u < 0.18
                 else math.exp(rng.uniform(math.log(800), math.log(99_000))))
        tier = "vip" if spend > 500_000 else ("key" if spend >= 100_000 else "ordinary")
        first = start - dt.timedelta(days=int(rng.triangular(0, 5 * 365, 400)))
        archetype = rng.choice(list(ARCH_HOURS))
        probs, weekend = answer_probs(rng, archetype)
        truth.append([cid, archetype, f"{weekend:.2f}"] + [f"{p:.4f}" for p in probs])
        customers.append({"customer_id": cid, "tz": zone, "annual_spend": f"{spend:.2f}",
                          "first_purchase_at": clock.iso(first),
                          "industry": weighted(rng, [("manufacturing", 0.3), ("retail", 0.25), ("ecommerce", 0.15),
                                                     ("education", 0.1), ("healthcare", 0.1), ("logistics", 0.1)]),
                          "is_smb": "yes" if rng.random() < 0.4 else "no",
                          "preferred_windows": "", "dnd_windows": "",
                          "consent_phone": "yes" if rng.random() < 0.95 else "no",
                          "consent_sms": "yes", "consent_email": "yes" if rng.random() < 0.7 else ""})
        agent = rng.choice(AGENTS[:2] if tier == "vip" else AGENTS[2:])
        contacts = []  # UTC instants of this customer's contacts

        def daytime(t):
            """Customers, couriers and technicians act in the day: with probability DAYTIME the
            event moves to a uniform local time 08:00-20:00 of its local day."""
            if rng.random() >= DAYTIME:
                return t
            h = rng.uniform(8, 20)
            return clock.at_local(clock.local(t).date(), int(h), int(h % 1 * 60))

        def ev(t, kind, **kw):
            if start <= t < end:
                row = {"customer_id": cid, "at": clock.iso(t), "kind": kind}
                row.update({k: v for k, v in kw.items() if v is not None})
                events.append((t, row))

        def attempt(t):
            local = clock.local(t)
            p = probs[local.hour] * (weekend if local.weekday() >= 5 else 1.0)
            answered = rng.random() < p
            contacts.append(t)
            outcome = "answered" if answered else rng.choice(["no_answer", "no_answer", "voicemail", "refused"])
            note = None
            if answered and rng.random() < 0.25:
                note = rng.choice(["客户反映设备异常,承诺3个工作日内解决。", "Promised a fix within 2 business days.",
                                   "约定明天下午前上门检修。", "Will send the quote by Friday."])
                if start <= t < end:
                    notes.append({"customer_id": cid, "at": clock.iso(t), "note": note})
                if rng.random() < PROMISE_KEPT:  # kept: solved within a day, before any of the deadlines
                    resolved(t + dt.timedelta(days=rng.uniform(0.1, 1.0)))
                else:  # late: solved 2-9 days later
                    resolved(t + dt.timedelta(days=rng.uniform(2, 9)))
            ev(t, "contact", channel="phone", agent_id=agent, outcome=outcome, note=note)
            if answered:
                if rng.random() < 0.35:
                    score = max(1, min(5, round(rng.gauss(3.85, 1.0))))
                    ev(t + dt.timedelta(minutes=rng.randint(5, 90)), "survey", channel="sms", agent_id=agent,
                       survey="csat", score=str(score))
                recent = sum(1 for c in contacts if t - dt.timedelta(hours=72) < c <= t)
                if rng.random() < 0.002 * (1.23 if recent > 2 else 1.0):
                    ev(t + dt.timedelta(hours=rng.uniform(1, 40)), "complaint", severity="normal", channel="phone",
                       note="too many calls")
            return answered

        def follow_up(t0, within_h, p_try=P_TRY):
            """The baseline habit for a window [t0, t0 + within_h]: tried with probability p_try at
            the team's first open half-hour in it, then redialled two hours apart (each redial
            with probability REDIAL_P, at most REDIALS) while the window lasts."""
            if rng.random() >= p_try:
                return
            t = next_team_slot(t0, rng)
            if t > t0 + dt.timedelta(hours=within_h):
                return
            for _ in range(REDIALS):
                if attempt(t) or rng.random() >= REDIAL_P:
                    return
                t = next_team_slot(t + dt.timedelta(hours=2), rng)
                if t > t0 + dt.timedelta(hours=within_h):
                    return
            attempt(t)

        def due(t, cadence, step):
            """The follow-up of DUE_WINDOWS[(cadence, step)] for a trigger at t."""
            at_h, within_h = DUE_WINDOWS[(cadence, step)]
            follow_up(t + dt.timedelta(hours=at_h), within_h)

        def resolved(t, oid=None):
            """A problem solved (by the team, in its hours): the resolution cadence's 72 h follow-up,
            window [t + 72 h, t + 96 h]."""
            t = next_team_slot(t, rng)
            ev(t, "resolved", order_id=oid)
            due(t, "resolution", "solved_72h")

        def problem(t, kind, sev, oid=None):
            ev(t, kind, order_id=oid, severity=sev, channel="phone")
            if rng.random() < P_RESOLVED:
                resolved(t + dt.timedelta(hours=rng.uniform(2, 120)), oid)

        klass = weighted(rng, [("high_price", 0.2), ("mid_price", 0.4), ("low_price", 0.4)])
        span = (end - start).days
        if klass == "high_price":
            for _ in range(rng.choice([1, 1, 2])):
                order_no += 1
                oid = f"RO{order_no:06d}"
                t0 = start + dt.timedelta(days=rng.uniform(0, span), hours=rng.uniform(0, 10))
                price = rng.uniform(10_001, 80_000)
                ev(t0, "purchase", order_id=oid, product_class=klass, unit_price=f"{price:.2f}", amount=f"{price:.2f}")
                td = daytime(t0 + dt.timedelta(days=rng.randint(1, 4)))
                ev(td, "delivery", order_id=oid, product_class=klass)
                due(td, "delivery", "first_contact")
                ti = daytime(td + dt.timedelta(days=rng.randint(1, 3)))
                ev(ti, "installation", order_id=oid, product_class=klass)
                due(ti, "high_price_equipment", "status_check")
                due(ti, "installation", "usage_guidance")
                if rng.random() < 0.3:
                    tf = daytime(ti + dt.timedelta(days=rng.randint(5, 90), hours=rng.randint(0, 8)))
                    sev = "urgent" if rng.random() < 0.4 else "normal"
                    problem(tf, "fault", sev, oid)
                    tr = daytime(tf + dt.timedelta(hours=rng.randint(3, 48)))
                    ev(tr, "repair", order_id=oid, severity=sev, product_class=klass, agent_id=agent)
                    due(tf, "fault", "urgent_response" if sev == "urgent" else "response")
                    if sev == "urgent":  # urgent_fault: first check within 2 h, second by 24 h
                        due(tr, "urgent_fault", "first_check")
                        due(tr, "urgent_fault", "second_check")
        else:
            price = rng.uniform(1_000, 9_999) if klass == "mid_price" else rng.uniform(20, 999)
            cycle = rng.randint(20, 60)
            t = start + dt.timedelta(days=rng.uniform(0, cycle))
            while t < end:
                order_no += 1
                oid = f"RO{order_no:06d}"
                qty = rng.randint(1, 5)
                ev(t, "purchase", order_id=oid, product_class=klass, unit_price=f"{price:.2f}",
                   amount=f"{price * qty:.2f}")
                if rng.random() < 0.3:
                    td = daytime(t + dt.timedelta(days=rng.randint(1, 3)))
                    ev(td, "delivery", order_id=oid, product_class=klass)
                    due(td, "delivery", "first_contact")
                t += dt.timedelta(days=max(3.0, rng.gauss(cycle, cycle * 0.15)))
                if rng.random() < 0.02:
                    break
        if rng.random() < 0.05:
            tc = daytime(start + dt.timedelta(days=rng.uniform(0, span)))
            problem(tc, "complaint", rng.choice(["urgent", "normal"]))
            due(tc, "complaint", "immediate")
        for _ in range(rng.choice([0, 0, 1, 1, 2])):
            tq = daytime(start + dt.timedelta(days=rng.uniform(0, span)))
            problem(tq, "inquiry", "low")
            follow_up(tq, max(1.0, 18 - (tq + SH).hour - (tq + SH).minute / 60))  # consultation.reply: same day
        for _ in range({"vip": 10, "key": 4, "ordinary": 2}[tier]):  # routine calls
            if rng.random() < 0.7:
                attempt(next_team_slot(start + dt.timedelta(days=rng.uniform(0, span)), rng))
    counts = write_book(out, customers, events, notes)
    with open(os.path.join(out, "truth.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["customer_id", "archetype", "weekend"] + [f"p{h:02d}" for h in range(24)])
        w.writerows(truth)
    return counts
