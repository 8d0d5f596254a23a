"""Review s12 of the session's changes (hR), the Python lows:

L2  capacity_round() refuses agents 0 (no limit): the parts' planners
    (capacity_pass=True) keep agent contacts in the agents' hours, a plain
    agents-0 planner does not, so the rounds could not give its plan;
L3  CapacityPart.plan() warns about touchpoints past a calendar's
    data_until, as Planner.plan() does (a Dask run lost the warning);
L4  a tristate given as text takes what the CSV reader takes ("1" / "0",
    "true" / "false": what pd.read_csv(dtype=str) gives), not only the names;
L5  the error of a naive pandas column does not suggest its .to_numpy(),
    which is read as UTC (8 hours off for Beijing wall-clock times);
L7  capacity_round()'s `over` is the C count (Lua returns it too now).
"""
import io
import os
import pathlib
import warnings

import numpy as np
import pandas as pd
import pytest

import followup

SRC = pathlib.Path(os.environ.get("FU_SOURCE_DIR", "."))
SAMPLE = SRC / "examples" / "sample" / "data"
DT = followup.CAPACITY_DTYPE
NOW = followup.time_parse("2026-11-23T00:00:00+08:00")


def _sample_book():
    book = followup.Book(flags=followup.BOOK_CREATE_CUSTOMERS)
    book.read_customers_csv(str(SAMPLE / "customers.csv"))
    book.read_events_csv(str(SAMPLE / "events.csv"))
    return book


def _expired_warnings(record):
    return [str(w.message) for w in record if issubclass(w.category, followup.FollowupWarning)
            and "data_until" in str(w.message)]


# ---- L3
def test_capacity_part_plan_warns_as_planner_plan_does():
    pol = followup.policy_default()
    part = followup.CapacityPart(followup.Planner(pol, _sample_book(), capacity_pass=True), NOW, 3 * 86400)
    a, day, over = np.frombuffer(part.items(), dtype=DT).copy(), None, 1
    while True:
        blob, day, over = followup.capacity_round(pol, a, 1, 1, day)
        a = np.frombuffer(blob, dtype=DT).copy()
        if not over:
            break
        a = np.frombuffer(part.move(a, day), dtype=DT).copy()
    with warnings.catch_warnings(record=True) as rounds:
        warnings.simplefilter("always")
        plan = part.plan(a)
    with warnings.catch_warnings(record=True) as plain:
        warnings.simplefilter("always")
        whole = followup.Planner(pol, _sample_book(), agents=1, calls_per_agent=1).plan(NOW, 3 * 86400)
    assert plan.stats().calendar_expired == whole.stats().calendar_expired == 2
    assert _expired_warnings(rounds) == _expired_warnings(plain)
    assert _expired_warnings(rounds) == ["2 touchpoints reach past the official holidays of a calendar "
                                         "(calendars.<name>.data_until); their reasons name it. Add the next "
                                         "year's notice to the policy (docs/calendar.md) or plan with "
                                         "strict_calendar=True to refuse"]
    # attributed to this file (the caller), not the package
    assert [w.filename for w in rounds if issubclass(w.category, followup.FollowupWarning)] == [__file__]


# ---- L2, L7
def test_rounds_refuse_agents_0_and_over_is_the_count_of_over_records():
    pol = followup.policy_default()
    part = followup.CapacityPart(followup.Planner(pol, _sample_book(), capacity_pass=True), NOW, 3 * 86400)
    a = np.frombuffer(part.items(), dtype=DT).copy()
    with pytest.raises(followup.InvalidArgumentError, match=r"agents 0 \(no limit\): there is no capacity to "
                       r"share; plan each partition with a planner of agents 0 without FU_PLANNER_CAPACITY_PASS"):
        followup.capacity_round(pol, a, 0, 3)
    blob, day, over = followup.capacity_round(pol, a, 1, 3)
    b = np.frombuffer(blob, dtype=DT)
    assert isinstance(over, int) and over > 0
    assert over == int((b["deferred"] == followup.CAPACITY_OVER).sum())


# ---- L4
def test_tristate_texts_are_read_as_the_csv_reader_reads_them():
    csv = ("customer_id,tz,consent_phone,consent_sms\nA,Asia/Shanghai,1,true\nB,Asia/Shanghai,0,FALSE\n"
           "C,Asia/Shanghai,,n\n")
    b = followup.Book()
    b.read_customers_text(csv)
    want = [(str(c.consent_phone), str(c.consent_sms)) for c in b]
    assert want == [("yes", "yes"), ("no", "no"), ("unknown", "no")]
    frame = pd.read_csv(io.StringIO(csv), dtype=str, keep_default_na=False)
    fb = followup.book_from_frames(frame, None)
    assert [(str(c.consent_phone), str(c.consent_sms)) for c in fb] == want
    a = followup.Book()
    for cid, phone, sms in (("A", "1", "true"), ("B", "0", "FALSE"), ("C", "", "n")):
        a.add_customer(cid, "Asia/Shanghai", consent_phone=phone, consent_sms=sms)
    assert [(str(c.consent_phone), str(c.consent_sms)) for c in a] == want
    for bad in ("2", "maybe", "1.0"):
        with pytest.raises(followup.InvalidArgumentError, match=r"is not a tristate name"):
            followup.Book().add_customer("X", "UTC", consent_sms=bad)


# ---- L5
def test_the_naive_column_error_does_not_suggest_its_numpy_array():
    cal = followup.policy_default().calendar()
    s = pd.Series(pd.to_datetime(["2026-11-23 09:00"]))  # Beijing wall clock
    with pytest.raises(followup.InvalidArgumentError) as e:
        cal.hour_of_week_bulk(s)
    msg = str(e.value)
    assert "Or give a numpy datetime64" not in msg
    assert "series.dt.tz_localize('Asia/Shanghai')" in msg
    assert ("Not its .to_numpy() / .values: a numpy datetime64 array has no zone and is read as UTC, so Beijing "
            "wall-clock times would be 8 hours off") in msg
    # what the message says: localized, 09:00 Beijing is hour 9 of Monday; its numpy array is read as UTC
    assert list(cal.hour_of_week_bulk(s.dt.tz_localize("Asia/Shanghai"))) == [9]
    assert list(cal.hour_of_week_bulk(s.to_numpy())) == [17]
