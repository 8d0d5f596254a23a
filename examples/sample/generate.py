#!/usr/bin/env python3
"""Generate a realistic, deterministic sample book for libfollowup.

Writes customers.csv, events.csv and notes.csv (docs/formats.md) into --out:
a book of customers in several value tiers, industries and time zones, and a
year of events — purchases with per-customer cycles, deliveries and
installations, faults and repairs, complaints, inquiries, follow-up calls
whose answers follow each customer's hour-of-day pattern, surveys (CSAT, NPS),
courses for education customers, and agents' notes in Chinese and English with
promises ("3个工作日内解决", "within 2 business days") and personal data to mask.

The same --seed always gives the same files. Standard library only.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import math
import os
import random

TZ_CHOICES = [  # (zone, fixed offset used for timestamps in the files, weight)
    ("Asia/Shanghai", 8, 0.80),
    ("Asia/Hong_Kong", 8, 0.06),
    ("Asia/Singapore", 8, 0.05),
    ("Europe/Berlin", None, 0.05),
    ("America/New_York", None, 0.04),
]
INDUSTRIES = [("manufacturing", 0.25), ("retail", 0.2), ("ecommerce", 0.15), ("education", 0.12),
              ("bank", 0.08), ("healthcare", 0.1), ("logistics", 0.1)]
ARCHETYPES = {  # local hours with a high answer rate
    "morning": range(9, 12),
    "lunch": range(12, 14),
    "evening": range(18, 21),
    "office": range(9, 18),
}
PREFERRED = ["Mon-Fri 09:00-12:00", "Mon-Fri 18:00-20:30", "Sat-Sun 10:00-12:00",
             "Mon-Fri 12:00-13:30;Sat 10:00-12:00", "Mon-Fri 14:00-17:00"]
DND = ["Mon-Sun 12:00-14:00", "Mon-Fri 09:00-10:00", "Sat-Sun 08:00-21:00"]
AGENTS = [f"A{i:02d}" for i in range(1, 13)]
VIP_AGENTS = AGENTS[:2]

NOTES_ZH = [
    "客户反映{issue},已致歉,承诺3个工作日内解决。",
    "已电话回访,客户满意。下周五前寄出配件。",
    "客户投诉{issue},答应24小时内回复处理方案,联系电话{phone}。",
    "约定明天下午前上门检修{issue}。",
    "客户咨询续保,月底前发送报价,邮箱{email}。",
    "回访正常,无新需求。",
    "保证今天修好{issue}。",
    "客户要求退款,已登记,2个工作日内答复。",
]
NOTES_EN = [
    "Customer reported {issue_en}; promised a fix within 2 business days.",
    "Follow-up call done, customer happy. Will send the manual by Friday.",
    "Complaint about {issue_en}; engineer visit tomorrow morning. Call back on {phone}.",
    "Quote for renewal by end of month, mail {email}.",
    "We guarantee it will be fixed today.",
    "Routine check, no new needs.",
]
ISSUES = [("打印机卡纸", "paper jams"), ("设备无法启动", "the machine not starting"),
          ("配送延迟", "a late delivery"), ("安装不规范", "a sloppy installation"),
          ("噪音过大", "excessive noise")]


def weighted(rng: random.Random, items):
    r = rng.random() * sum(w for _, w in items)
    for item, w in items:
        r -= w
        if r <= 0:
            return item
    return items[-1][0]


def utc_offset_hours(zone_fixed, t: dt.datetime, zone: str) -> int:
    """Offset of `zone` at UTC instant t (fixed zones, or the EU/US DST rules)."""
    if zone_fixed is not None:
        return zone_fixed
    y = t.year

    def last_sunday(month):
        d = dt.datetime(y, month + 1, 1) - dt.timedelta(days=1) if month < 12 else dt.datetime(y, 12, 31)
        return d - dt.timedelta(days=(d.weekday() + 1) % 7)

    def nth_sunday(month, n):
        d = dt.datetime(y, month, 1)
        d += dt.timedelta(days=(6 - d.weekday()) % 7)
        return d + dt.timedelta(weeks=n - 1)

    naive = t.replace(tzinfo=None)
    if zone == "Europe/Berlin":  # CET/CEST, switching at 01:00 UTC
        start = last_sunday(3).replace(hour=1)
        end = last_sunday(10).replace(hour=1)
        return 2 if start <= naive < end else 1
    # America/New_York: EST/EDT, 2nd Sunday of March 07:00 UTC to 1st Sunday of November 06:00 UTC
    start = nth_sunday(3, 2).replace(hour=7)
    end = nth_sunday(11, 1).replace(hour=6)
    return -4 if start <= naive < end else -5


class Clock:
    def __init__(self, zone, fixed):
        self.zone, self.fixed = zone, fixed

    def local(self, t_utc: dt.datetime) -> dt.datetime:
        return t_utc + dt.timedelta(hours=utc_offset_hours(self.fixed, t_utc, self.zone))

    def at_local(self, day: dt.date, hour: int, minute: int) -> dt.datetime:
        """UTC instant of a local wall time (first guess, corrected once)."""
        naive = dt.datetime(day.year, day.month, day.day, hour, minute)
        t = naive - dt.timedelta(hours=utc_offset_hours(self.fixed, naive, self.zone))
        return naive - dt.timedelta(hours=utc_offset_hours(self.fixed, t, self.zone))

    def iso(self, t_utc: dt.datetime) -> str:
        off = utc_offset_hours(self.fixed, t_utc, self.zone)
        local = t_utc + dt.timedelta(hours=off)
        sign = "+" if off >= 0 else "-"
        return local.strftime("%Y-%m-%dT%H:%M:%S") + f"{sign}{abs(off):02d}:00"


def phone(rng):
    return "1" + rng.choice("3456789") + "".join(rng.choice("0123456789") for _ in range(9))


def generate(n: int, seed: int, now: dt.datetime, days: int, out: str) -> dict:
    rng = random.Random(seed)
    start = now - dt.timedelta(days=days)
    customers, events, notes = [], [], []
    order_no = 0

    def ev(cid, clock, t, kind, **kw):
        if start <= t < now:
            row = {"customer_id": cid, "at": clock.iso(t), "kind": kind}
            row.update({k: v for k, v in kw.items() if v is not None})
            events.append((t, row))

    for i in range(1, n + 1):
        cid = f"C{i:05d}"
        zone, fixed = weighted(rng, [((z, f), w) for z, f, w in TZ_CHOICES])
        clock = Clock(zone, fixed)
        u = rng.random()
        if u < 0.03:
            spend = round(rng.uniform(500_001, 3_000_000), 2)
        elif u < 0.18:
            spend = round(rng.uniform(100_000, 500_000), 2)
        else:
            spend = round(math.exp(rng.uniform(math.log(800), math.log(99_000))), 2)
        tier = "vip" if spend > 500_000 else ("key" if spend >= 100_000 else "ordinary")
        industry = weighted(rng, INDUSTRIES)
        smb = "yes" if rng.random() < 0.4 else "no"
        tenure_days = int(rng.triangular(0, 6 * 365, 365))
        first = now - dt.timedelta(days=tenure_days, hours=rng.randint(0, 23))
        archetype = rng.choice(list(ARCHETYPES))
        pref = rng.choice(PREFERRED) if rng.random() < 0.3 else ""
        dnd = rng.choice(DND) if rng.random() < 0.1 else ""
        cp = weighted(rng, [("yes", 0.9), ("no", 0.05), ("", 0.05)])
        cs = weighted(rng, [("yes", 0.8), ("no", 0.1), ("", 0.1)])
        ce = weighted(rng, [("yes", 0.6), ("no", 0.2), ("", 0.2)])
        customers.append({
            "customer_id": cid, "tz": zone, "annual_spend": f"{spend:.2f}",
            "first_purchase_at": clock.iso(first), "industry": industry, "is_smb": smb,
            "preferred_windows": pref, "dnd_windows": dnd, "consent_phone": cp,
            "consent_sms": cs, "consent_email": ce,
        })
        agent = rng.choice(VIP_AGENTS) if tier == "vip" else rng.choice(AGENTS[2:])
        good_hours = ARCHETYPES[archetype]

        def call(t_day: dt.date, purpose_note=None, survey=True):
            hour = rng.choice(list(good_hours)) if rng.random() < 0.5 else rng.randint(9, 20)
            t = clock.at_local(t_day, hour, rng.randint(0, 59))
            local = clock.local(t)
            p_answer = 0.75 if local.hour in good_hours else 0.25
            if archetype == "office" and local.weekday() >= 5:
                p_answer = 0.1
            u2 = rng.random()
            outcome = ("answered" if u2 < p_answer else
                       "refused" if u2 < p_answer + 0.04 else
                       "voicemail" if u2 < p_answer + 0.2 else "no_answer")
            note = None
            if outcome == "answered" and rng.random() < 0.25:
                issue = rng.choice(ISSUES)
                tmpl = rng.choice(NOTES_ZH if zone.startswith("Asia") and rng.random() < 0.8 else NOTES_EN)
                note = tmpl.format(issue=issue[0], issue_en=issue[1], phone=phone(rng),
                                   email=f"{cid.lower()}@example.com")
                if start <= t < now:
                    notes.append({"customer_id": cid, "at": clock.iso(t), "note": note})
            ev(cid, clock, t, "contact", channel="phone", agent_id=agent, outcome=outcome, note=note)
            if outcome == "answered" and survey and rng.random() < 0.35:
                ts = t + dt.timedelta(minutes=rng.randint(5, 120))
                if rng.random() < 0.6:
                    base = 4.6 if tier == "vip" else 4.0
                    score = max(1, min(5, round(rng.gauss(base, 0.8))))
                    ev(cid, clock, ts, "survey", channel="sms", agent_id=agent, survey="csat", score=str(score))
                else:
                    score = max(0, min(10, round(rng.gauss(8.0 if tier != "ordinary" else 7.0, 2.0))))
                    ev(cid, clock, ts, "survey", channel="sms", agent_id=agent, survey="nps", score=str(score))
            return t

        # purchases
        klass = weighted(rng, [("high_price", 0.2), ("mid_price", 0.4), ("low_price", 0.4)])
        if klass == "high_price":
            price = round(rng.uniform(10_001, 80_000), 2)
            n_orders = rng.choice([1, 1, 2])
            for _ in range(n_orders):
                order_no += 1
                oid = f"O{order_no:06d}"
                t0 = start + dt.timedelta(days=rng.uniform(0, days), hours=rng.uniform(0, 10))
                t0 = clock.at_local(clock.local(t0).date(), rng.randint(9, 19), rng.randint(0, 59))
                ev(cid, clock, t0, "purchase", order_id=oid, product_class=klass, unit_price=f"{price:.2f}", amount=f"{price:.2f}")
                td = t0 + dt.timedelta(days=rng.randint(1, 4), hours=rng.randint(0, 5))
                ev(cid, clock, td, "delivery", order_id=oid, product_class=klass)
                ti = td + dt.timedelta(days=rng.randint(1, 3))
                ev(cid, clock, ti, "installation", order_id=oid, product_class=klass)
                if rng.random() < 0.75:
                    call((ti + dt.timedelta(days=rng.choice([1, 2, 3, 7]))).date())
                ev(cid, clock, ti + dt.timedelta(days=365), "warranty_end", order_id=oid, product_class=klass)
                if rng.random() < 0.3:
                    tf = ti + dt.timedelta(days=rng.randint(5, 90), hours=rng.randint(0, 8))
                    sev = "urgent" if rng.random() < 0.4 else "normal"
                    ev(cid, clock, tf, "fault", order_id=oid, severity=sev, product_class=klass)
                    tr = tf + dt.timedelta(hours=rng.randint(4, 72))
                    ev(cid, clock, tr, "repair", order_id=oid, severity=sev, product_class=klass, agent_id=agent)
                    if rng.random() < 0.85:
                        ev(cid, clock, tr + dt.timedelta(hours=rng.randint(1, 48)), "resolved", order_id=oid)
                    if rng.random() < 0.7:
                        call((tr + dt.timedelta(days=rng.choice([0, 1, 3]))).date())
        else:
            price = round(rng.uniform(1_000, 9_999), 2) if klass == "mid_price" else round(rng.uniform(20, 999), 2)
            cycle = rng.randint(20, 60)
            t = first if first > start else start + dt.timedelta(days=rng.uniform(0, cycle))
            while t < now:
                order_no += 1
                qty = rng.randint(1, 5)
                tl = clock.at_local(clock.local(t).date(), rng.randint(8, 21), rng.randint(0, 59))
                ev(cid, clock, tl, "purchase", order_id=f"O{order_no:06d}", product_class=klass,
                   unit_price=f"{price:.2f}", amount=f"{price * qty:.2f}")
                if rng.random() < 0.5:
                    ev(cid, clock, tl + dt.timedelta(days=rng.randint(1, 3)), "delivery",
                       order_id=f"O{order_no:06d}", product_class=klass)
                t += dt.timedelta(days=max(3.0, rng.gauss(cycle, cycle * 0.15)))
                if rng.random() < 0.03:  # some customers drift away
                    break
        # complaints and inquiries
        if rng.random() < 0.06:
            tc = start + dt.timedelta(days=rng.uniform(0, days))
            ev(cid, clock, tc, "complaint", severity=rng.choice(["urgent", "normal"]), channel="phone")
            if rng.random() < 0.8:
                ev(cid, clock, tc + dt.timedelta(days=rng.randint(1, 10)), "resolved")
            call((tc + dt.timedelta(days=1)).date())
        for _ in range(rng.choice([0, 0, 0, 1, 1, 2])):
            tq = start + dt.timedelta(days=rng.uniform(0, days))
            ev(cid, clock, tq, "inquiry", severity="low", channel=rng.choice(["phone", "chat", "email"]))
            if rng.random() < 0.9:
                ev(cid, clock, tq + dt.timedelta(hours=rng.randint(1, 96)), "resolved")
        # education
        if industry == "education" and rng.random() < 0.6:
            te = start + dt.timedelta(days=rng.uniform(0, days - 30))
            ev(cid, clock, te, "enrollment", order_id=f"E{i:05d}")
            ev(cid, clock, te + dt.timedelta(days=7), "course_start", order_id=f"E{i:05d}")
            ev(cid, clock, te + dt.timedelta(days=97), "course_end", order_id=f"E{i:05d}")
        # routine follow-ups over the year (more for VIPs)
        for _ in range({"vip": 8, "key": 4, "ordinary": 2}[tier]):
            if rng.random() < 0.8:
                call((start + dt.timedelta(days=rng.uniform(0, days))).date())

    return write_book(out, customers, events, notes)


CUSTOMER_COLUMNS = ["customer_id", "tz", "annual_spend", "first_purchase_at", "industry", "is_smb",
                    "preferred_windows", "dnd_windows", "consent_phone", "consent_sms", "consent_email"]
EVENT_COLUMNS = ["customer_id", "at", "kind", "order_id", "product_class", "unit_price", "amount",
                 "severity", "channel", "agent_id", "outcome", "score", "survey", "note"]


def write_book(out: str, customers: list, events: list, notes: list) -> dict:
    """Write customers.csv, events.csv and notes.csv into `out`: events are
    (instant, row) pairs, written sorted by instant, customer and kind; notes
    sorted by time and customer. The counts of each."""
    events.sort(key=lambda e: (e[0], e[1]["customer_id"], e[1]["kind"]))
    notes.sort(key=lambda r: (r["at"], r["customer_id"]))
    os.makedirs(out, exist_ok=True)
    for name, cols, rows in [("customers.csv", CUSTOMER_COLUMNS, customers),
                             ("events.csv", EVENT_COLUMNS, [r for _, r in events]),
                             ("notes.csv", ["customer_id", "at", "note"], notes)]:
        with open(os.path.join(out, name), "w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, cols, lineterminator="\n")
            w.writeheader()
            w.writerows(rows)
    return {"customers": len(customers), "events": len(events), "notes": len(notes)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=2000, help="number of customers (default 2000)")
    ap.add_argument("--seed", type=int, default=20261123, help="random seed (default 20261123)")
    ap.add_argument("--now", default="2026-11-23T00:00:00+08:00",
                    help="end of the history, ISO 8601 with offset (default 2026-11-23T00:00:00+08:00)")
    ap.add_argument("--days", type=int, default=365, help="length of the history in days (default 365)")
    ap.add_argument("--out", required=True, help="output directory")
    ap.add_argument("--realistic", action="store_true",
                    help="the realistic book of realistic.py instead (baseline team habits, ground truth "
                         "truth.csv; history 2025-09-21..2026-12-14 +08:00; default 1000 customers, seed 2026)")
    args = ap.parse_args()
    if args.realistic:
        import sys
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from realistic import generate_realistic
        n = args.customers if args.customers != 2000 else 1000
        seed = args.seed if args.seed != 20261123 else 2026
        start = dt.datetime(2025, 9, 20, 16, 0)  # 2025-09-21T00:00+08:00 in UTC
        end = dt.datetime(2026, 12, 13, 16, 0)   # 2026-12-14T00:00+08:00
        counts = generate_realistic(n, seed, start, end, args.out, Clock, weighted, write_book)
        print(f"wrote {counts['customers']} customers, {counts['events']} events, "
              f"{counts['notes']} notes and truth.csv to {args.out}")
        return
    now = dt.datetime.fromisoformat(args.now).astimezone(dt.timezone.utc).replace(tzinfo=None)
    counts = generate(args.customers, args.seed, now, args.days, args.out)
    print(f"wrote {counts['customers']} customers, {counts['events']} events, "
          f"{counts['notes']} notes to {args.out}")


if __name__ == "__main__":
    main()
