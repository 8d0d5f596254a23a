"""fu_planner from Python: plans with hand-checked windows, quiet hours, the
incremental API, simulation, best time, parents kept alive, threads."""
import gc
import threading

import pytest

import followup
from fu_helpers import CUST_HDR, D, EV_HDR, H, T, make_book  # noqa: F401


def find(plan, customer_id, rule, status=followup.TOUCHPOINT_PLANNED):
    for t in plan.touchpoints(status):
        if t.customer_id == customer_id and rule in t.rule:
            return t
    return None


def test_delivery_first_contact_within_48h_second_at_7_to_15_days():
    book = make_book("C1,Asia/Shanghai,20000,2026-02-25T10:00:00+08:00,,,yes,yes,yes\n",
                     "C1,2026-02-25T10:00:00+08:00,purchase,O1,,5000,5000,,,\n"
                     "C1,2026-03-02T10:00:00+08:00,delivery,O1,,5000,,,,\n")
    pl = followup.Planner(followup.policy_default(), book)
    t0 = T("2026-03-02T10:00:00+08:00")
    plan = pl.plan(t0, 20 * D)
    a = find(plan, "C1", "cadences.delivery.first_contact")
    b = find(plan, "C1", "cadences.delivery.second_contact")
    assert (a.due_from_epoch, a.due_to_epoch, a.best_at_epoch) == (t0, t0 + 48 * H, t0)
    assert (a.priority, a.channel, a.status) == (followup.PRIORITY_HIGH, followup.CHANNEL_PHONE,
                                                 followup.TOUCHPOINT_PLANNED)
    assert a.order_id == "O1" and a.purposes == 1 and a.status_rule == ""
    assert "delivery on 2026-03-02 10:00 (order O1)" in a.reason
    assert (b.due_from_epoch, b.due_to_epoch, b.best_at_epoch) == (t0 + 7 * D, t0 + 15 * D, t0 + 7 * D)
    assert followup.priority_name(b.priority) == "normal"
    st = plan.stats()
    assert (st.customers, st.planned, st.suppressed, st.deferred) == (1, 2, 0, 0)
    assert len(plan) == 2 == plan.count()



def test_holiday_closed_window_is_late_and_beyond_horizon_is_reported():
    # delivery on the eve of National Day 2026, Shanghai: the 48 h window has no
    # allowed instant (night, then holidays): made Thu 10-08 08:00, late
    book = make_book("H1,Asia/Shanghai,20000,2026-09-20T10:00:00+08:00,,,yes,yes,yes\n",
                     "H1,2026-09-30T21:30:00+08:00,delivery,O1,,5000,,,,\n")
    pl = followup.Planner(followup.policy_default(), book)
    t0 = T("2026-09-30T21:30:00+08:00")
    plan = pl.plan(t0, 10 * D)
    a = find(plan, "H1", "cadences.delivery.first_contact")
    assert a.best_at_epoch == T("2026-10-08T08:00:00+08:00") and a.best_at_epoch > a.due_to_epoch
    assert a.status_rule == "calendars.cn.holidays" and "late: holidays" in a.reason
    st = plan.stats()
    assert st.late == 1
    assert st.due == st.planned + st.merged + st.suppressed + st.deferred + st.later + st.done
    plan = pl.plan(t0, D)  # the first allowed instant is after the horizon
    l = find(plan, "H1", "cadences.delivery.first_contact", followup.TOUCHPOINT_LATER)
    assert l.status_rule == "calendars.cn.holidays"
    assert followup.touchpoint_status_name(l.status) == "later"
    st = plan.stats()
    assert (st.due, st.later, st.planned) == (1, 1, 0)

def test_quiet_hours_are_local_and_csv_has_local_offsets():
    # a delivery at 22:30 in New York: first call at 08:00 EST the next morning
    book = make_book("NY,America/New_York,20000,2026-02-25T10:00:00-05:00,,,yes,yes,yes\n",
                     "NY,2026-03-02T22:30:00-05:00,delivery,O1,,5000,,,,\n")
    pl = followup.Planner(followup.policy_default(), book)
    plan = pl.plan(T("2026-03-03T03:30:00Z"), 2 * D)
    ny = find(plan, "NY", "first_contact")
    assert ny.best_at_epoch == T("2026-03-03T13:00:00Z")
    csv = plan.csv()
    assert "\r" not in csv  # docs/formats.md: writers end records with LF
    lines = csv.splitlines()
    assert lines[0] == "customer_id,due_from,due_to,best_at,purpose,channel,priority,rule,reason"
    assert lines[1].startswith("NY,2026-03-02T22:30:00-05:00,2026-03-04T22:30:00-05:00,2026-03-03T08:00:00-05:00,")
    with_status = plan.csv(0xF, with_status=True).splitlines()
    assert with_status[0].endswith(",status,status_rule")
    assert with_status[1].endswith(",planned,")


def test_consent_no_suppresses_with_the_rule():
    book = make_book("C,Asia/Shanghai,20000,2026-02-25T10:00:00+08:00,,,no,no,no\n",
                     "C,2026-03-02T10:00:00+08:00,delivery,O1,,5000,,,,\n")
    plan = followup.Planner(followup.policy_default(), book).plan(T("2026-03-02T10:00:00+08:00"), D)
    assert plan.count() == 0
    s = find(plan, "C", "first_contact", followup.TOUCHPOINT_SUPPRESSED)
    # phone refused, and no sms or e-mail to fall back to: the step's channel names the rule
    assert s.status_rule == "customer.consent_phone"
    assert "suppressed by customer.consent_phone" in s.reason


def test_feed_creates_and_cancels():
    book = make_book("C,Asia/Shanghai,20000,2026-02-25T10:00:00+08:00,,,yes,yes,yes\n", "")
    pl = followup.Planner(followup.policy_default(), book)
    t0 = T("2026-03-02T10:00:00+08:00")
    d = pl.feed("C", t0, followup.EVENT_DELIVERY, order_id="O9", horizon=20 * D)
    created = sorted(t.rule for t in d.created())
    assert created == ["cadences.delivery.first_contact", "cadences.delivery.second_contact"]
    assert d.cancelled() == []
    # an answered call an hour later does the first contact: it is cancelled
    d2 = pl.feed("C", t0 + H, followup.EVENT_CONTACT, horizon=20 * D, channel=followup.CHANNEL_PHONE,
                 outcome=followup.OUTCOME_ANSWERED)
    assert [t.rule for t in d2.cancelled()] == ["cadences.delivery.first_contact"]
    assert d2.cancelled()[0].status == followup.TOUCHPOINT_CANCELLED
    with pytest.raises(followup.NotFoundError):
        pl.feed("nobody", t0, followup.EVENT_DELIVERY)
    with pytest.raises(followup.InvalidArgumentError):  # older than the last fed event
        pl.feed("C", t0 - D, followup.EVENT_DELIVERY)


def test_simulation_reports_and_has_no_cap_violations():
    book = make_book("C1,Asia/Shanghai,20000,2026-02-25T10:00:00+08:00,,,yes,yes,yes\n"
                     "C2,Europe/Berlin,900000,2020-02-25T10:00:00+01:00,,,yes,yes,yes\n",
                     "C1,2026-03-02T10:00:00+08:00,delivery,O1,,5000,,,,\n"
                     "C1,2026-03-03T10:00:00+08:00,complaint,O1,,,,normal,,\n"
                     "C2,2026-03-05T10:00:00+01:00,fault,O2,,,,urgent,,\n")
    pl = followup.Planner(followup.policy_default(), book)
    r = pl.simulate(T("2026-03-01T00:00:00Z"), T("2026-04-01T00:00:00Z"))
    # Cap violations are the KPI engine's over_contact, given each contact's
    # priority (issue 18): C1's third high-priority contact in its first 30
    # days (03-03, 03-10, 03-17) is allowed past `first_month` (normal/low
    # only), as the planner allowed it (1 when the KPI saw every contact as normal).
    assert r.cap_violations == 0
    assert r.from_epoch == T("2026-03-01T00:00:00Z") and r.to_epoch == T("2026-04-01T00:00:00Z")
    assert r.steps == 31 and r.customers == 2 and r.customers_due >= 2
    assert r.contacts >= 2 and 0 < r.coverage <= 1
    assert r.n_days in (31, 32)
    assert sum(r.day(i).contacts for i in range(r.n_days)) == r.contacts
    with pytest.raises(followup.InvalidArgumentError):
        r.day(r.n_days)


def test_bank_second_confirmation_follows_purchase_severity():
    book = make_book("K1,Asia/Shanghai,20000,2025-02-25T10:00:00+08:00,bank,,yes,yes,yes\n"
                     "K2,Asia/Shanghai,20000,2025-02-25T10:00:00+08:00,bank,,yes,yes,yes\n",
                     "K1,2026-02-20T10:00:00+08:00,contact,,,,,,phone,answered\n"
                     "K2,2026-02-20T10:00:00+08:00,contact,,,,,,phone,answered\n"
                     "K1,2026-03-02T10:00:00+08:00,purchase,O1,,52000,52000,urgent,,\n"
                     "K2,2026-03-02T10:00:00+08:00,purchase,O2,,52000,52000,low,,\n")
    plan = followup.Planner(followup.policy_default(), book).plan(T("2026-03-02T10:00:00+08:00"), 10 * D)
    # high risk: the second confirmation is a second call after the first (24 h gap)
    k1 = find(plan, "K1", "bank_large_sale.follow_up")
    c1 = find(plan, "K1", "bank_large_sale.second_confirmation")
    k2 = find(plan, "K2", "bank_large_sale")
    assert k1.rule == "cadences.bank_large_sale.follow_up"
    assert c1.rule == "cadences.bank_large_sale.second_confirmation"
    assert c1.best_at_epoch == k1.best_at_epoch + D
    assert k2.rule == "cadences.bank_large_sale.follow_up"
    assert find(plan, "K2", "second_confirmation") is None


def evening_book():
    """Twelve customers who answer only at 19:10 local (January 2026), one
    without history; each gets a delivery on Mon 2026-03-02 09:00."""
    cust, ev = [], []
    for i in range(13):
        cid = f"E{i:02d}"
        cust.append(f"{cid},Asia/Shanghai,20000,2025-02-25T10:00:00+08:00,,,yes,yes,yes\n")
        if i < 12:
            for day in range(5, 31):
                if (day - 5) % 7 >= 5:
                    continue
                for hour, outcome in ((10, "no_answer"), (15, "no_answer"), (19, "answered")):
                    ev.append(f"{cid},2026-01-{day:02d}T{hour:02d}:10:00+08:00,contact,,,,,,phone,{outcome}\n")
        ev.append(f"{cid},2026-03-02T09:00:00+08:00,delivery,O{i},,5000,,,,\n")
    return make_book("".join(cust), "".join(ev))


def local_hour_shanghai(t):
    return (t + 8 * H) % D // H


def test_besttime_takes_the_hour_the_customer_answers():
    book = evening_book()
    t0 = T("2026-03-02T09:00:00+08:00")
    with_model = followup.Planner(followup.policy_default(), book, besttime=True).plan(t0, 2 * D)
    without = followup.Planner(followup.policy_default(), book).plan(t0, 2 * D)
    for cid in ("E00", "E12"):  # own history; no history (the tier's prior)
        t = find(with_model, cid, "first_contact")
        assert local_hour_shanghai(t.best_at_epoch) == 19, t.reason
        assert t.due_from_epoch <= t.best_at_epoch <= t.due_to_epoch
        assert "best hour by answer rate" in t.reason
        assert find(without, cid, "first_contact").best_at_epoch == t0
    again = followup.Planner(followup.policy_default(), book, besttime=True).plan(t0, 2 * D)
    assert again.csv(0xF, True) == with_model.csv(0xF, True)


def test_parents_and_planner_may_go_out_of_scope():
    def build():
        book = make_book("NY,America/New_York,20000,2026-02-25T10:00:00-05:00,,,yes,yes,yes\n",
                         "NY,2026-03-02T10:00:00-05:00,delivery,O1,,5000,,,,\n")
        return followup.Planner(followup.policy_default(), book)  # policy and book only referenced by it

    pl = build()
    gc.collect()
    plan = pl.plan(T("2026-03-02T10:00:00-05:00"), D)
    del pl
    gc.collect()
    # the plan keeps its planner (and so policy and book) alive
    assert plan.touchpoints()[0].customer_id == "NY"
    assert "NY,2026-03-02T10:00:00-05:00,2026-03-04T10:00:00-05:00," in plan.csv()


def test_errors_raise():
    p = followup.policy_default()
    b = followup.Book()
    b.read_customers_text("customer_id,tz\nC,UTC\n")
    with pytest.raises(followup.StateError):
        followup.Planner(p, b)  # not finalized
    b.finalize()
    pl = followup.Planner(p, b)
    with pytest.raises(followup.InvalidArgumentError):
        pl.plan(T("2026-03-02T10:00:00Z"), 0)
    with pytest.raises(followup.InvalidArgumentError):
        pl.plan_customer(5, T("2026-03-02T10:00:00Z"))
    with pytest.raises(followup.InvalidArgumentError):
        pl.plan(T("2026-03-02T10:00:00Z")).touchpoint(followup.TOUCHPOINT_PLANNED, 0)
    with pytest.raises(followup.InvalidArgumentError):
        followup.priority_name(9)


def test_one_policy_shared_by_four_threads(srcdir):
    """Each thread plans its own book with the one policy; the binding
    releases the GIL, so the planners really run at the same time."""
    policy = followup.policy_default()
    data = srcdir / "examples/sample/data"
    now = T("2026-11-23T00:00:00+08:00")

    def run():
        book = followup.Book()
        book.read_customers_csv(str(data / "customers.csv"))
        book.read_events_csv(str(data / "events.csv"))
        book.finalize()
        pl = followup.Planner(policy, book, agents=1, besttime=True)
        return [pl.plan(now + k * D, 7 * D).csv(0xF, True) for k in range(3)]

    single = run()
    assert single[0].count("\n") > 100
    results = [None] * 4
    errors = []

    def worker(i):
        try:
            results[i] = run()
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert all(r == single for r in results)


def test_tier_cycles_of_the_whole_book_given_to_a_partition():
    """A (ordinary tier) buys mid-price goods every 20 days; B bought once on
    03-01: its cycle is the tier mean of the whole book (20 days), so the
    consumables reminder is due from 03-18 10:00. A partition holding B alone
    plans the same only when given the whole book's tier cycles."""
    b_row = "B,Asia/Shanghai,20000,2025-02-25T10:00:00+08:00,,,yes,yes,yes\n"
    b_ev = "B,2026-03-01T10:00:00+08:00,purchase,O4,,2000,2000,,,\nB,2026-03-01T12:00:00+08:00,contact,,,,,,phone,answered\n"
    whole = make_book("A,Asia/Shanghai,20000,2025-02-25T10:00:00+08:00,,,yes,yes,yes\n" + b_row,
                      "A,2026-01-10T10:00:00+08:00,purchase,O1,,2000,2000,,,\n"
                      "A,2026-01-30T10:00:00+08:00,purchase,O2,,2000,2000,,,\n"
                      "A,2026-02-19T10:00:00+08:00,purchase,O3,,2000,2000,,,\n" + b_ev)
    policy = followup.policy_default()
    cycles = followup.Planner(policy, whole).tier_cycles()
    # 3 tiers (vip, key, ordinary) x 3 classes (high, mid, low price), tier-major
    assert len(cycles) == 9 and cycles[2 * 3 + 1] == pytest.approx(20.0)
    assert sum(cycles) == pytest.approx(20.0)
    now = T("2026-03-18T09:00:00+08:00")
    ref = find(followup.Planner(policy, whole).plan(now, D), "B", "consumables.reminder")
    assert ref.due_from_epoch == T("2026-03-18T10:00:00+08:00") and "20.0-day cycle (tier mean)" in ref.reason

    part = make_book(b_row, b_ev)
    assert find(followup.Planner(policy, part).plan(now, D), "B", "consumables") is None  # 30-day default
    pl = followup.Planner(policy, part, tier_cycles=cycles)
    assert pl.tier_cycles() == pytest.approx(cycles)
    got = find(pl.plan(now, D), "B", "consumables.reminder")
    assert (got.due_from_epoch, got.due_to_epoch, got.best_at_epoch, got.reason) == (ref.due_from_epoch, ref.due_to_epoch, ref.best_at_epoch, ref.reason)
    with pytest.raises(followup.InvalidArgumentError):
        followup.Planner(policy, part, tier_cycles=cycles[:-1])
    with pytest.raises(followup.InvalidArgumentError):
        followup.Planner(policy, part, tier_cycles=[-1.0] + cycles[1:])
    with pytest.raises(TypeError):
        followup.Planner(policy, part, tier_cycles=["x"] * 9)


def test_urgent_fault_windows_end_at_2h_and_24h_and_resolution_stages():
    # repaired Mon 11:30, resolved Wed 10:00 (docs/formats.md, the life of a fault)
    book = make_book("F,Asia/Shanghai,20000,2025-01-01T10:00:00+08:00,,,yes,yes,yes\n",
                     "F,2026-02-01T10:00:00+08:00,purchase,P1,,500,500,,,\n"
                     "F,2026-03-02T11:30:00+08:00,repair,F1,,,,urgent,,\n"
                     "F,2026-03-04T10:00:00+08:00,resolved,F1,,,,,,\n")
    pl = followup.Planner(followup.policy_default(), book)
    rep = T("2026-03-02T11:30:00+08:00")
    plan = pl.plan(rep, D)
    a = find(plan, "F", "cadences.urgent_fault.first_check")
    b = find(plan, "F", "cadences.urgent_fault.second_check")
    assert (a.due_from_epoch, a.due_to_epoch, a.best_at_epoch) == (rep, rep + 2 * H, rep)
    assert (b.due_from_epoch, b.due_to_epoch, b.best_at_epoch) == (rep + 2 * H, rep + 24 * H, rep + 2 * H)
    res = T("2026-03-04T10:00:00+08:00")
    plan = pl.plan(res, 10 * D)
    r = find(plan, "F", "cadences.resolution.short_term")
    assert r.rule == "cadences.resolution.solved_72h; cadences.resolution.short_term"
    assert (r.due_from_epoch, r.due_to_epoch) == (res + 72 * H, res + 96 * H)
