"""Issue 13, items 1 and 7 (bindings part).

1. A book changed under a live planner: 2,000 add_customer calls, finalize,
   then feed wrote past the planner's per-customer arrays (heap overflow in
   overlay_add). A book held by a planner now refuses every change with a
   StateError naming the planner; lookups by index are bounds-checked.
7. A str holding a NUL reached C cut short ("ID\\0SECRET" created "ID", the
   redactor masked only the part before the NUL); now every text argument
   with a NUL raises InvalidArgumentError (a ValueError).
"""
import gc

import pytest

import followup

NOW = followup.time_parse("2026-03-02T10:00:00+08:00")
D = 86400


def test_the_crash_of_the_issue_is_a_clear_error():
    b = followup.Book()
    b.add_customer("Z0", "Asia/Shanghai", consent_phone=followup.TRI_YES)
    b.finalize()
    pl = followup.Planner(followup.policy_default(), b)
    pl.plan(NOW)
    for i in range(2000):
        with pytest.raises(followup.StateError) as e:
            b.add_customer(f"N{i}", "Asia/Shanghai")
    assert "Book.add_customer(): the book is in use by 1 planner or KPI engine (Planner(), Kpi.add_book())" in str(e.value)
    assert e.value.code == followup.ESTATE
    b.finalize()
    assert b.customer_count() == 1
    changes = pl.feed("Z0", NOW, followup.EVENT_DELIVERY)
    assert [t.customer_id for t in changes.touchpoints()] == ["Z0"]
    # every other way to change the book is refused too
    with pytest.raises(followup.StateError):
        b.add_event("Z0", NOW, followup.EVENT_PURCHASE)
    with pytest.raises(followup.StateError):
        b.read_customers_text("customer_id,tz\nX,UTC\n")
    with pytest.raises(followup.StateError):
        b.read_events_text("customer_id,at,kind\nZ0,2026-03-01T00:00:00Z,purchase\n")
    # a plan keeps policy and book alive, not the planner: dropping the
    # planner releases the book
    plan = pl.plan(NOW)
    del pl, changes
    gc.collect()
    assert b.add_customer("N0", "Asia/Shanghai") == 1
    assert len(plan) == 1 and plan.touchpoints()[0].customer_id == "Z0"


def test_two_planners_and_a_best_time_model():
    b = followup.Book()
    b.add_customer("A", "Asia/Shanghai")
    b.finalize()
    p = followup.policy_default()
    p1, p2 = followup.Planner(p, b), followup.Planner(p, b)
    with pytest.raises(followup.StateError, match="in use by 2 planners"):
        b.add_customer("B", "UTC")
    del p1
    gc.collect()
    with pytest.raises(followup.StateError, match="in use by 1 planner"):
        b.add_customer("B", "UTC")
    del p2
    gc.collect()
    b.add_customer("B", "UTC")
    # a best-time model copies what it needs: no borrow; a KPI engine
    # borrows the book it computes from until it is freed (issue 14 item 1)
    b.finalize()
    m = followup.BestTime(p, b)
    k = followup.Kpi(p)
    k.add_book(b)
    with pytest.raises(followup.StateError, match="in use by 1"):
        b.add_customer("C", "UTC")
    del k
    gc.collect()
    b.add_customer("C", "UTC")
    assert m.customer_count() == 2 and b.customer_count() == 3


def test_lookups_by_index_are_bounds_checked():
    b = followup.Book()
    b.add_customer("A", "Asia/Shanghai")
    b.add_event("A", NOW - D, followup.EVENT_PURCHASE)
    b.finalize()
    for bad in (1, 2**31, 2**63):
        with pytest.raises((followup.InvalidArgumentError, OverflowError)):
            b.customer(bad)
        with pytest.raises((followup.InvalidArgumentError, OverflowError)):
            b.event(bad)
        with pytest.raises((followup.InvalidArgumentError, OverflowError)):
            b.events_begin(bad)
    with pytest.raises((OverflowError, TypeError, ValueError)):
        b.customer(-1)
    pl = followup.Planner(followup.policy_default(), b)
    with pytest.raises(followup.InvalidArgumentError):
        pl.plan_customer(1, NOW)
    with pytest.raises(followup.NotFoundError):
        pl.feed("B", NOW, followup.EVENT_PURCHASE)
    m = followup.BestTime(followup.policy_default(), b)
    with pytest.raises(followup.InvalidArgumentError):
        m.posterior(1, 0, NOW)
    with pytest.raises(followup.InvalidArgumentError):
        m.record(1, NOW, followup.OUTCOME_ANSWERED)


def test_nul_in_a_string_is_an_error_not_a_cut():
    red = followup.Redactor()
    with pytest.raises(ValueError) as e:
        red.apply("call 13812345678\0 then 13912345678")
    assert isinstance(e.value, followup.InvalidArgumentError)
    assert "NUL character at byte 16" in str(e.value)
    with pytest.raises(followup.InvalidArgumentError):
        red.apply(b"call 13812345678\0 then 13912345678")
    assert red.apply("call 13812345678 then") == "call 138****5678 then"

    b = followup.Book()
    with pytest.raises(ValueError, match=r"Book.add_customer\(\): argument 1 \(id\) contains a NUL character at byte 2"):
        b.add_customer("ID\0SECRET", "Asia/Shanghai")
    with pytest.raises(ValueError):
        b.add_customer("ID", "Asia/Shanghai", industry="retail\0x")
    assert b.customer_count() == 0
    with pytest.raises(ValueError):
        b.read_customers_text("customer_id,tz\nA\0B,UTC\n")
    assert b.customer_count() == 0
    with pytest.raises(ValueError):
        followup.Calendar("Asia/Shanghai\0junk")
    with pytest.raises(ValueError):
        followup.time_parse("2026-03-02T10:00:00+08:00\0")
    led = followup.Ledger()
    with pytest.raises(ValueError):
        led.add("C1", "call back\0 13812345678", 0, 100)
    with pytest.raises(ValueError):
        led.add("C1\0C2", "call back", 0, 100)
    assert led.count() == 0
    # None is still "absent" where an argument is optional
    assert b.add_customer("ID", "Asia/Shanghai", industry=None) == 0
