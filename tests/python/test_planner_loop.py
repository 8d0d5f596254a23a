"""The planner's closed loop from Python: a ledger's promises drive contacts
(Planner.set_ledger), Touchpoint.owner, and strict_calendar. Windows worked
out by hand from the built-in policy (tests/test_planner_loop.c)."""
import pytest

import followup
import fu_helpers
from fu_helpers import CUST_HDR, D, EV_HDR, H, T  # noqa: F401


def make_book():
    rows = "".join(f"{c},Asia/Shanghai,20000,2025-01-10T10:00:00+08:00,,,yes,yes,yes\n" for c in ("C1", "C2", "C3"))
    ev = "".join(f"{c},2026-02-20T10:00:00+08:00,contact,,,,,,phone,answered\n" for c in ("C1", "C2", "C3"))
    return fu_helpers.make_book(rows, ev)


def find(plan, customer_id, rule):
    for t in plan.touchpoints():
        if t.customer_id == customer_id and rule in t.rule:
            return t
    return None


def test_promises_drive_contacts():
    book = make_book()
    led = followup.Ledger()
    led.add("C1", "send the replacement part", T("2026-03-02T10:00:00+08:00"), T("2026-03-05T18:00:00+08:00"),
            category="repair", owner="repair")
    p2 = led.add("C2", "refund the fee", T("2026-03-02T10:00:00+08:00"), T("2026-03-04T12:00:00+08:00"),
                 owner="billing")
    p3 = led.add("C3", "fix the router", T("2026-03-01T10:00:00+08:00"), T("2026-03-03T18:00:00+08:00"))
    led.fulfill(p3, T("2026-03-02T09:00:00+08:00"))
    pl = followup.Planner(followup.policy_default(), book)
    now = T("2026-03-04T20:00:00+08:00")
    assert find(pl.plan(now, 2 * D), "C2", "promise_breached") is None  # no ledger yet
    pl.set_ledger(led)
    del led  # a snapshot: the ledger need not outlive the planner
    plan = pl.plan(now, 2 * D)
    a = find(plan, "C1", "cadences.promise_at_risk.progress")
    assert (a.due_from_epoch, a.due_to_epoch, a.best_at_epoch) == (T("2026-03-04T18:00:00+08:00"), T("2026-03-05T18:00:00+08:00"), now)
    assert a.owner == "repair"
    b = find(plan, "C2", "cadences.promise_breached.remedy")
    assert (b.due_from_epoch, b.due_to_epoch) == (T("2026-03-04T12:00:00+08:00"), T("2026-03-05T12:00:00+08:00"))
    assert b.priority == followup.PRIORITY_HIGH and b.owner == "billing"
    assert f"promise #{p2}" in b.reason and "breached on 2026-03-04 12:00" in b.reason
    c = find(plan, "C3", "cadences.promise_fulfilled.satisfaction_check")
    assert (c.due_from_epoch, c.due_to_epoch) == (T("2026-03-05T09:00:00+08:00"), T("2026-03-06T09:00:00+08:00"))
    assert c.owner == ""
    pl.set_ledger(None)
    assert find(pl.plan(now, 2 * D), "C2", "promise_breached") is None


def test_strict_calendar_refuses_past_the_official_holidays():
    b = followup.Book()
    b.read_customers_text(CUST_HDR + "C1,Asia/Shanghai,20000,2026-12-01T10:00:00+08:00,,,yes,yes,yes\n", "c.csv")
    b.read_events_text(EV_HDR + "C1,2027-01-04T10:00:00+08:00,delivery,O1,,500,,,,\n", "e.csv")
    b.finalize()
    now = T("2027-01-04T10:00:00+08:00")
    lax = followup.Planner(followup.policy_default(), b)
    assert lax.plan(now, D).stats().calendar_expired >= 1
    strict = followup.Planner(followup.policy_default(), b, strict_calendar=True)
    with pytest.raises(followup.RangeError, match="calendar cn"):
        strict.plan(now, D)


def test_unresolved_fault_escalates_to_the_expert_team():
    """Fault F1 Mon 03-02 10:00 never resolved: the expert team's touchpoint is
    due [03-04 10:00, 03-05 10:00] (48 h after the fault, within 24 h). The
    24 h response was made at 11:00 (else, since review s8 F14, still due,
    overdue, and merged into the escalation)."""
    b = followup.Book()
    b.read_customers_text(CUST_HDR + "C1,Asia/Shanghai,20000,2025-01-10T10:00:00+08:00,,,yes,yes,yes\n"
                          "C2,Asia/Shanghai,20000,2025-01-10T10:00:00+08:00,,,yes,yes,yes\n", "c.csv")
    b.read_events_text(EV_HDR + "C1,2026-02-20T10:00:00+08:00,contact,,,,,,phone,answered\n"
                       "C2,2026-02-20T10:00:00+08:00,contact,,,,,,phone,answered\n"
                       "C1,2026-03-02T10:00:00+08:00,fault,F1,,,,normal,,\n"
                       "C1,2026-03-02T11:00:00+08:00,contact,F1,,,,,phone,answered\n"
                       "C2,2026-03-02T10:00:00+08:00,fault,F2,,,,normal,,\n"
                       "C2,2026-03-03T10:00:00+08:00,resolved,F2,,,,,,\n", "e.csv")
    b.finalize()
    now = T("2026-03-04T11:00:00+08:00")
    plan = followup.Planner(followup.policy_default(), b).plan(now, D)
    e = find(plan, "C1", "cadences.fault_escalation.expert_team")
    assert (e.due_from_epoch, e.due_to_epoch, e.best_at_epoch) == (T("2026-03-04T10:00:00+08:00"), T("2026-03-05T10:00:00+08:00"), now)
    assert e.owner == "expert" and e.priority == followup.PRIORITY_URGENT
    assert find(plan, "C2", "escalation") is None


def test_escalation_recorded_in_the_ledger_once():
    """The same fault, recorded: a new `escalation` row (no related promise)
    owned by the expert team, its `escalated` event at 03-04 10:00; twice: once."""
    b = followup.Book()
    b.read_customers_text(CUST_HDR + "C1,Asia/Shanghai,20000,2025-01-10T10:00:00+08:00,,,yes,yes,yes\n", "c.csv")
    b.read_events_text(EV_HDR + "C1,2026-02-20T10:00:00+08:00,contact,,,,,,phone,answered\n"
                       "C1,2026-03-02T10:00:00+08:00,fault,F1,,,,normal,,\n", "e.csv")
    b.finalize()
    now = T("2026-03-04T11:00:00+08:00")
    pol = followup.policy_default()
    plan = followup.Planner(pol, b).plan(now, D)
    led = followup.Ledger()
    assert led.record_escalations(pol, plan, now) == 1
    assert led.record_escalations(pol, plan, now) == 0
    rows = led.query(events=True)
    assert rows.count() == 1
    assert (rows.category(0), rows.owner(0)) == ("escalation", "expert")
    assert rows.event_kind(0, 1) == followup.COMMIT_EV_ESCALATED
    assert rows.event_rule(0, 1) == "cadences.fault_escalation.expert_team"
    assert rows.event_by(0, 1) == "expert"
