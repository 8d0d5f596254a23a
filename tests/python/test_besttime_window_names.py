"""One keyword for the start of a time window (review s12 U7): from_ in every
call (BestTime.best, simulation_csv, sensitivity_csv, Calendar.business_between,
Calendar.working_days_between, as in Kpi(), Ledger.on_time, Planner.simulate,
the frames), _from still taken where it was public; BestTime's "argument out
of range" names the argument and the range (review s12 U10)."""
import inspect

import pytest

import followup as fu

CUSTOMERS = "customer_id,tz\nC1,Asia/Shanghai\nC2,Asia/Shanghai\n"
EVENTS = "customer_id,at,kind,channel,outcome\nC1,2026-11-17T19:00:00+08:00,contact,phone,answered\n"
F, TO = "2026-11-24T00:00:00+08:00", "2026-11-26T00:00:00+08:00"


@pytest.fixture(scope="module")
def book():
    b = fu.Book()
    b.read_customers_text(CUSTOMERS)
    b.read_events_text(EVENTS)
    b.finalize()
    return b


def slots(r):
    return [(s.at_epoch, s.p) for s in r]


def test_besttime_best_takes_from_and_the_old_name(book):
    bt = fu.BestTime(fu.policy_default(), book)
    a = bt.best(0, F, TO)
    assert slots(bt.best(0, from_=F, to=TO)) == slots(a)
    assert slots(bt.best(0, _from=F, to=TO)) == slots(a)
    assert "from_" in inspect.signature(bt.best).parameters
    assert "_from" not in inspect.signature(bt.best).parameters
    with pytest.raises(TypeError, match="from_ given twice"):
        bt.best(0, from_=F, _from=F, to=TO)


def test_every_window_start_is_from_(book):
    pol = fu.policy_default()
    cal = pol.calendar_in_zone("Asia/Shanghai")
    for fn in (fu.BestTime.best, fu.simulation_csv, fu.sensitivity_csv, fu.simulation_frame, fu.sensitivity_frame,
               fu.Calendar.business_between, fu.Calendar.working_days_between, fu.Ledger.on_time,
               fu.Ledger.query, fu.Planner.simulate):
        params = inspect.signature(fn).parameters
        assert "from_" in params and "_from" not in params, fn
    # (the Calendar calls take their arguments by position only)
    assert cal.business_between(F, TO) == 2 * 9 * 3600 - 2 * 5400  # two working days, lunch breaks out
    a = fu.simulation_csv(pol, book, "policy", from_=F, to=TO)
    assert a == fu.simulation_csv(pol, book, "policy", _from=F, to=TO) == fu.simulation_csv(pol, book, "policy", F, TO)
    b = fu.sensitivity_csv(pol, book, "1", "5", from_=F, to=TO)
    assert b == fu.sensitivity_csv(pol, book, "1", "5", _from=F, to=TO)


def test_out_of_range_names_the_argument_and_the_range(book):
    bt = fu.BestTime(fu.policy_default(), book)
    with pytest.raises(fu.InvalidArgumentError, match=r"segment 99 out of range \(0\.\.0: the model has 1 segment\)"):
        bt.segment_matrix(99)
    with pytest.raises(fu.InvalidArgumentError, match=r"customer 300 out of range \(0\.\.1: the model has 2 "
                                                      r"customers\)"):
        bt.best(300, F, TO)
    with pytest.raises(fu.InvalidArgumentError, match=r"customer 2 out of range"):
        bt.customer_matrix(2, F)
    with pytest.raises(fu.InvalidArgumentError, match=r"customer 5 out of range"):
        bt.may_contact(5, F)
    with pytest.raises(fu.InvalidArgumentError, match=r"customer 7 out of range"):
        bt.posterior(7, 0, F)
