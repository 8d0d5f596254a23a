"""Naive times (review s12 U12, U14).

U12: a naive datetime / pandas.Timestamp given as a single time used to be
read as UTC, so `Guard.check(..., datetime.now())` on a Beijing host asked
about 8 hours later and let a 01:00 call through. It is refused now, saying
how to give the zone. numpy datetime64 values (no zone concept) stay UTC.

U14: the Calendar bulk calls return datetime64[ns] arrays of UTC instants;
they refused that array back and advised tz_localize('Asia/Shanghai'),
which shifts the times by 8 hours. A numpy datetime64 array is read as UTC
now (a round trip works) and the advice for a naive pandas column puts UTC
first.
"""
import datetime as dt
import pathlib

import numpy as np
import pandas as pd
import pytest

import followup
from fu_helpers import sample_book

BEIJING = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(scope="module")
def book(srcdir):
    return sample_book(pathlib.Path(srcdir))


NAIVE = [dt.datetime(2026, 11, 24, 1, 0), pd.Timestamp("2026-11-24 01:00")]


@pytest.mark.parametrize("naive", NAIVE)
def test_guard_check_refuses_a_naive_time(book, naive):
    g = followup.Guard(followup.policy_default(), book)
    with pytest.raises(ValueError, match=r"at: a time must carry its zone: 2026-11-24 01:00:00 is a naive "
                       r".*datetime.now\(\).astimezone\(\)"):
        g.check("C00005", "phone", naive)
    # the aware form answers for 01:00 Beijing: quiet hours
    aware = dt.datetime(2026, 11, 24, 1, 0, tzinfo=BEIJING)
    assert not g.check("C00005", "phone", aware).allowed
    assert not g.check("C00005", "phone", pd.Timestamp("2026-11-24 01:00", tz="Asia/Shanghai")).allowed


@pytest.mark.parametrize("naive", NAIVE)
def test_other_single_time_arguments_refuse_naive_times(book, naive):
    pol = followup.policy_default()
    with pytest.raises(ValueError, match=r"now: a time must carry its zone"):
        followup.Planner(pol, book).plan(naive)
    with pytest.raises(ValueError, match=r"now: a time must carry its zone"):
        followup.Ledger().tick(naive)
    with pytest.raises(ValueError, match=r"a time must carry its zone"):
        followup.segments(book, naive)
    with pytest.raises(ValueError, match=r"a time must carry its zone"):
        followup.Kpi(pol, as_of=naive)


def test_datetime64_and_aware_values_are_instants(book):
    g = followup.Guard(followup.policy_default(), book)
    utc = np.datetime64("2026-11-23T17:00:00")  # = 01:00 Beijing
    aware = dt.datetime(2026, 11, 24, 1, 0, tzinfo=BEIJING)
    assert followup.to_datetime(followup.time_parse("2026-11-24T01:00:00+08:00")) == aware
    d1, d2 = g.check("C00005", "phone", utc), g.check("C00005", "phone", aware)
    assert (d1.allowed, d1.rule) == (d2.allowed, d2.rule) == (False, d2.rule)
    assert g.check("C00005", "phone", dt.datetime.now().astimezone()) is not None  # the advised fix works


def test_bulk_results_go_back_in(book):
    cal = followup.policy_default().calendar_in_zone("Asia/Shanghai")
    s = pd.Series(pd.to_datetime(["2025-09-26 16:00"]).tz_localize("Asia/Shanghai"))
    d = cal.add_working_days_bulk(s, 3)
    assert d.dtype == np.dtype("datetime64[ns]")
    chained = cal.add_business_bulk(d, 3600)  # used to raise: "it holds naive datetimes"
    want = cal.add_business_bulk(pd.Series(d).dt.tz_localize("UTC"), 3600)
    assert (chained == want).all()
    # one by one, the same instants
    e = cal.add_working_days_bulk_epoch(s, 3)
    assert [cal.add_business(int(t), 3600) for t in e] == list(cal.add_business_bulk_epoch(d, 3600))
    assert list(cal.hour_of_week_bulk(d)) == [cal.hour_of_week(int(t)) for t in e]
    # datetime64 values in a sequence: UTC too
    assert list(cal.hour_of_week_bulk(list(d))) == list(cal.hour_of_week_bulk(d))


def test_naive_pandas_column_advice_is_utc_first(book):
    cal = followup.policy_default().calendar_in_zone("Asia/Shanghai")
    d = cal.add_working_days_bulk(pd.Series(pd.to_datetime(["2025-09-26 16:00"]).tz_localize("Asia/Shanghai")), 3)
    with pytest.raises(followup.InvalidArgumentError) as e:
        cal.add_business_bulk(pd.Series(d), 3600)
    msg = str(e.value)
    assert msg.index("tz_localize('UTC')") < msg.index("tz_localize('Asia/Shanghai')")
    assert "*_bulk calls" in msg
    with pytest.raises(followup.InvalidArgumentError, match="naive datetime"):
        cal.add_business_bulk([dt.datetime(2025, 9, 26, 16)], 3600)
