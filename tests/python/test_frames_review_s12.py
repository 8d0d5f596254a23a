"""Review s12 (hU) findings on the frames and small Python calls:
U3 segments(book, NaT / None) says "a time is required"; U10: warnings point
at the caller's line, Planner.set_agents(DataFrame) errors name the row and the
column (and a misspelt column raises), to_datetime() of an instant no datetime
holds raises, Ledger.add_promised(unit=) takes names and says what a unit is,
summary_from_transactions warns about rows without a customer id."""
import pathlib
import warnings

import numpy as np
import pandas as pd
import pytest

import followup
from fu_helpers import book_of_dir

SAMPLE = pathlib.Path(__file__).resolve().parents[2] / "examples" / "sample" / "data"
PLAN_NOW = "2026-12-20T00:00:00+08:00"  # a 30-day plan reaches past the built-in calendar's data (2026)


@pytest.fixture(scope="module")
def book():
    return book_of_dir(SAMPLE)


# ---- U3 ----
def test_segments_needs_a_time(book):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning about the data either
        with pytest.raises(ValueError, match=r"segments\(\): now: a time is required, not NaT"):
            followup.segments(book, pd.NaT)
        with pytest.raises(ValueError, match=r"a time is required, not NaT"):
            followup.segments(book, np.datetime64("NaT"))
        with pytest.raises(TypeError, match=r"segments\(\): now: a time is required, not None"):
            followup.segments(book, None)
        with pytest.raises(ValueError, match=r"besttime_frame\(\): now: a time is required, not NaT"):
            followup.besttime_frame(followup.BestTime(followup.policy_default(), book), 0, pd.NaT)


# ---- U10: warnings attributed to the caller ----
def test_warnings_point_at_the_callers_line(book):
    small = followup.Book()
    small.read_customers_text("customer_id,tz\nA,Asia/Shanghai\nB,Asia/Shanghai\n")
    small.read_events_text("customer_id,at,kind,amount\nA,2026-01-05T10:00:00+08:00,purchase,10\n")
    small.finalize()
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        followup.segments(small, "2026-02-01T00:00:00+08:00")
    mine = [x for x in w if issubclass(x.category, followup.FollowupWarning)]
    assert mine and all(x.filename == __file__ for x in mine), [(x.filename, x.lineno) for x in mine]
    # the planner's warning comes from inside the SWIG layer and its wrappers
    p = followup.Planner(followup.policy_default(), book)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        p.plan(PLAN_NOW, 30 * 86400)
    mine = [x for x in w if issubclass(x.category, followup.FollowupWarning)]
    assert mine and "past the official holidays" in str(mine[0].message)
    assert all(x.filename == __file__ for x in mine), [(x.filename, x.lineno) for x in mine]
    # summary_from_transactions: a row without a customer id is left out with a warning
    tx = pd.DataFrame({"id": ["a", "a", None, "a", np.nan], "at": pd.to_datetime(
        ["2026-01-01", "2026-01-03", "2026-01-04", "2026-01-05", "2026-01-06"]).tz_localize("UTC")})
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        s = followup.summary_from_transactions(tx, "id", "at")
    assert s.loc["a", "frequency"] == 2
    msg = [str(x.message) for x in w if issubclass(x.category, followup.FollowupWarning)]
    assert len(msg) == 1 and "2 of 5 rows have no customer id in 'id'" in msg[0] and "first: row 2" in msg[0]
    assert w[0].filename == __file__


# ---- U10: Planner.set_agents(DataFrame) ----
def test_set_agents_frame_errors_name_row_and_column(book):
    p = followup.Planner(followup.policy_default(), book)
    df = pd.DataFrame({"agent_id": ["A1", "A2"], "shift": ["Mon-Fri 09:00-18:00", "Mon-Fri 09:00-18:00"],
                       "calls_per_day": [40, 0]})
    with pytest.raises(followup.ParseError) as e:
        p.set_agents(df)
    msg = str(e.value)
    assert msg.startswith("Planner.set_agents(): row 1: column calls_per_day: "), msg
    assert "<agents>" not in msg and msg.count("calls_per_day") == 1, msg
    with pytest.raises(followup.InvalidArgumentError, match=r"'shfit' is not a column of the format but looks "
                                                             r"like 'shift'"):
        p.set_agents(pd.DataFrame({"agent_id": ["A1"], "shfit": ["Mon-Fri 09:00-18:00"]}))
    with pytest.raises(followup.InvalidArgumentError, match=r"'days_of' is not a column of the format but looks "
                                                             r"like 'days_off'"):
        p.set_agents(pd.DataFrame({"agent_id": ["A1"], "shift": ["Mon-Fri 09:00-18:00"], "days_of": ["Sat"]}))
    p.set_agents(df.iloc[:1])  # the good row is taken


# ---- U10: to_datetime ----
def test_to_datetime_refuses_an_instant_no_datetime_holds():
    with pytest.raises(ValueError, match=r"to_datetime\(\): 4611686018427387904 epoch seconds lies outside years "
                                         r"1\.\.9999"):
        followup.to_datetime(2**62)
    assert followup.to_datetime(None) is None
    assert followup.to_datetime(followup.BOOK_NO_TIME) is None
    assert followup.to_datetime(0).year == 1970


# ---- U10: Ledger.add_promised(unit=) ----
def test_add_promised_unit_names_and_message():
    cal = followup.policy_default().calendar_in_zone("Asia/Shanghai")
    led = followup.Ledger()
    at = "2025-09-26T16:00:00+08:00"
    a = led.add_promised("C1", "3个工作日内", at, 3, followup.DURATION_WORKING_DAYS, cal)
    b = led.add_promised("C1", "3个工作日内", at, 3, "working_days", cal)
    c = led.add_promised("C1", "3个工作日内", at, 3, unit="WORKING_DAYS", calendar=cal)
    d = led.add_promised("C1", "soon", at, 3600, "seconds")
    dl = [led.get(i).deadline_epoch(0) for i in (a, b, c)]
    assert dl[0] == dl[1] == dl[2] == followup.time_parse("2025-09-30T18:00:00+08:00")
    assert led.get(d).deadline_epoch(0) == followup.time_parse(at) + 3600
    for unit in (99, -1):
        with pytest.raises(followup.InvalidArgumentError, match=rf"argument unit: {unit} is not a duration unit "
                                                                r"\(expected DURATION_SECONDS \(0\)"):
            led.add_promised("C1", "x", at, 3, unit)
    with pytest.raises(followup.InvalidArgumentError, match=r"unknown unit 'weeks' \(expected seconds, "
                                                            r"business_seconds, working_days, months"):
        led.add_promised("C1", "x", at, 3, unit="weeks", calendar=cal)
    assert led.count() == 4
