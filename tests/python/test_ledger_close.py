"""Ledger.close() and `with Ledger(...) as led:` (issue 17, item 5): the C
ledger is freed at once (its file can be reopened read-write), any later use
raises followup.StateError instead of touching freed memory, and what was
taken from the ledger (a CommitmentList, a planner's snapshot) stays usable."""
import gc

import pytest

import followup

T0 = 1772330400  # 2026-03-01T10:00:00+08:00
D = 86400


def test_with_closes_the_file_and_later_use_raises(tmp_path):
    path = str(tmp_path / "led.db")
    with followup.Ledger(path) as led:
        cid = led.add("C1", "call back", T0, T0 + 2 * D, owner="repair")
        rows = led.query()
        assert not led.closed
    assert led.closed
    # what was read before stays valid: a list owns its rows
    assert rows.count() == 1 and rows.text(0) == "call back" and rows.id(0) == cid
    for call in (lambda: led.count(), lambda: led.add("C2", "x", T0, T0 + D), lambda: led.query(),
                 lambda: led.tick(T0), lambda: led.get(cid)):
        with pytest.raises(followup.StateError) as e:
            call()
        assert "the ledger is closed" in str(e.value)
        assert e.value.code == followup.ESTATE
    led.close()  # twice is fine
    gc.collect()  # the collector does not free it again
    # the database was closed at once: it opens again and holds the row
    with followup.Ledger(path) as again:
        assert again.count() == 1
    with pytest.raises(followup.StateError):
        with led:
            pass


def test_close_without_with_and_in_memory():
    led = followup.Ledger()
    led.add("C1", "x", T0, T0 + D)
    led.close()
    assert led.closed
    with pytest.raises(followup.StateError):
        led.schema_version()


def test_a_closed_ledger_is_refused_as_an_argument():
    pol = followup.policy_default()
    led = followup.ledger_from_policy(pol)
    led.close()
    b = followup.Book()
    b.finalize()
    pl = followup.Planner(pol, b)
    with pytest.raises(followup.StateError):
        pl.set_ledger(led)
    pl.set_ledger(None)  # None still means "no ledger"
    with pytest.raises(followup.StateError):
        followup.Kpi(pol).add_ledger(led)


def test_a_planner_keeps_its_snapshot_after_close():
    b = followup.Book()
    b.read_customers_text("customer_id,tz\nC1,Asia/Shanghai\n", "c.csv")
    b.finalize()
    pl = followup.Planner(followup.policy_default(), b)
    with followup.Ledger() as led:
        led.add("C1", "refund", T0, T0 + 2 * D, owner="billing")
        pl.set_ledger(led)
    plan = pl.plan(T0 + 3 * D, 2 * D)  # after close: the planner read a snapshot
    assert any("promise" in tp.rule for tp in plan.touchpoints())
