"""The per-customer columns of Summary, BookSummary, Assignments and
SegmentRun, and the Calendar bulk calls, as numpy arrays (issue 17 items 2
and 5): values identical to the SWIG list versions, datetime64 for times
(int64 epoch seconds under *_epoch), array-likes of instants accepted, and
Python types in inspect.signature / help()."""
import datetime as dt
import inspect
import math
import pydoc

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_array_equal

import followup
from test_segment import BOOK_NOW, small_book

DAY = 86400


def _as_list(obj, name):
    """The SWIG list version of obj.name()."""
    return getattr(type(obj), name).__followup_list__(obj)


def _same(arr, lst):
    """arr equals the list lst element for element (NaN == NaN, None == None)."""
    assert isinstance(arr, np.ndarray) and arr.ndim == 1 and len(arr) == len(lst)
    for a, b in zip(arr.tolist(), lst):
        if isinstance(b, float) and math.isnan(b):
            assert math.isnan(a)
        else:
            assert a == b and type(a) is type(b), (a, b)


def test_summary_columns_are_numpy_and_equal_the_lists():
    s = followup.summarize([0, 0, 0, 1], [0, 3 * DAY, 3 * DAY + 60, 5 * DAY], [10.0, 20.0, 5.0, 7.0],
                           3, 10 * DAY, float(DAY))
    for name in ("x", "t_x", "T", "zbar", "total"):
        col = getattr(s, name)()
        assert col.dtype == np.float64
        _same(col, _as_list(s, name))
    assert_array_equal(s.x(), [1.0, 0.0, 0.0])
    assert_array_equal(s.total(), [35.0, 7.0, 0.0])
    first = s.first_at()
    assert first.dtype == np.dtype("datetime64[ns]")
    assert_array_equal(first[:2], np.array([0, 5 * DAY], dtype="datetime64[s]").astype("datetime64[ns]"))
    assert np.isnat(first[2])
    epoch = s.first_at_epoch()
    assert epoch.dtype == np.int64
    assert epoch.tolist() == [0, 5 * DAY, followup.BOOK_NO_TIME]
    raw = _as_list(s, "first_at")
    assert raw[:2] == [0.0, 5.0 * DAY] and math.isnan(raw[2])


def test_book_summary_and_assignments_columns():
    rules = followup.segment_rules_from_policy(followup.policy_default())
    s = followup.segment_book(small_book(), BOOK_NOW, rules)
    for name in ("x", "t_x", "T", "zbar", "total", "recency", "frequency", "monetary"):
        assert getattr(s, name)().dtype == np.float64
        _same(getattr(s, name)(), _as_list(s, name))
    codes = s.rfm_codes()
    assert codes.dtype == np.int64 and codes.tolist() == [133, 0, 311] == _as_list(s, "rfm_codes")
    groups = s.rfm_groups()
    assert groups.dtype == object and groups.tolist() == ["churn_risk", None, "other"] == _as_list(s, "rfm_groups")
    a = followup.segment_assign_book(s, BOOK_NOW, np.array([0.9, 0.5, 0.5]), pd.Series([100.0, np.nan, 5.0]),
                                     rules)
    for name in ("tiers", "tier_rules", "product_classes", "product_rules", "lifecycles", "lifecycle_rules",
                 "segments", "segment_rules", "handling_rules", "churn_rules", "deep_care_rules"):
        col = getattr(a, name)()
        assert col.dtype == object
        _same(col, _as_list(a, name))
    assert a.segments().tolist() == ["at_risk", "deep_care", "new_customer"]
    for name in ("human", "churn_risk", "deep_care"):
        col = getattr(a, name)()
        assert col.dtype == np.int64 and set(col.tolist()) <= {0, 1}
        _same(col, _as_list(a, name))


def test_segment_run_scores_are_float_arrays(srcdir):
    from fu_helpers import sample_book
    book = sample_book(srcdir)
    run = followup.segment_run(book, followup.segment_rules_from_policy(followup.policy_default()))
    assert run.count() == len(book)
    for name in ("p_alive", "expected", "clv"):
        col = getattr(run, name)()
        assert col.dtype == np.float64 and len(col) == len(book)
        _same(col, _as_list(run, name))


def test_planner_tier_cycles_and_notes(srcdir):
    from fu_helpers import sample_book
    planner = followup.Planner(followup.policy_default(), sample_book(srcdir))
    cycles = planner.tier_cycles()
    assert cycles.dtype == np.float64 and cycles.tolist() == _as_list(planner, "tier_cycles")
    again = followup.Planner(followup.policy_default(), sample_book(srcdir), tier_cycles=cycles)
    assert again.tier_cycles().tolist() == cycles.tolist()  # an array goes back in as it came out
    notes = followup.notes_read_csv_text("customer_id,at,note\nC1,2026-01-01T10:00:00+08:00,hi\n")
    assert notes.customer_ids().dtype == object and notes.customer_ids().tolist() == ["C1"]
    assert notes.ats_epoch().tolist() == [1767232800] == _as_list(notes, "ats")
    assert notes.ats()[0] == np.datetime64("2026-01-01T02:00:00", "ns")
    assert notes.lines().dtype == np.int64


def test_calendar_bulk_takes_datetime64_series_and_returns_arrays():
    cal = followup.Calendar("Europe/Berlin")
    cal.set_hours_text("Mon-Fri 08:00-17:00")
    base = followup.time_parse("2025-10-24T15:00:00+02:00")
    starts = [base + i * 3571 for i in range(200)]
    single = [cal.add_business(s, 4 * 3600) for s in starts]
    epoch = cal.add_business_bulk_epoch(starts, 4 * 3600)
    assert epoch.dtype == np.int64 and epoch.tolist() == single
    assert type(cal).add_business_bulk.__followup_list__(cal, starts, 4 * 3600) == single
    as_dt = cal.add_business_bulk(np.array(starts, dtype=np.int64), dt.timedelta(hours=4))
    assert as_dt.dtype == np.dtype("datetime64[ns]")
    assert_array_equal(as_dt, np.array(single, dtype="datetime64[s]").astype("datetime64[ns]"))
    # tz-aware and naive pandas Series, datetimes, ISO strings: the same instants
    aware = pd.Series(pd.to_datetime(starts, unit="s", utc=True)).dt.tz_convert("Asia/Shanghai")
    naive = pd.Series(pd.to_datetime(starts, unit="s"))
    texts = [followup.time_format(s) for s in starts[:5]]
    datetimes = [dt.datetime.fromtimestamp(s, dt.timezone.utc) for s in starts[:5]]
    assert cal.add_business_bulk_epoch(aware, 4 * 3600).tolist() == single
    # a naive Series is refused since review s10 F12, as in book_from_frames: localized, they
    # are the same instants; a numpy datetime64 array is UTC (review s12 U14: what the bulk calls return)
    with pytest.raises(followup.InvalidArgumentError, match="naive datetimes"):
        cal.add_business_bulk_epoch(naive, 4 * 3600)
    assert cal.add_business_bulk_epoch(np.array(starts, dtype="datetime64[s]"), 4 * 3600).tolist() == single
    assert cal.add_business_bulk_epoch(naive.dt.tz_localize("UTC"), 4 * 3600).tolist() == single
    assert cal.add_business_bulk_epoch(texts, 4 * 3600).tolist() == single[:5]
    assert cal.add_business_bulk_epoch(datetimes, np.timedelta64(4, "h")).tolist() == single[:5]
    hours = cal.hour_of_week_bulk(aware)
    assert hours.dtype == np.int64
    assert hours.tolist() == type(cal).hour_of_week_bulk.__followup_list__(cal, starts) \
        == [cal.hour_of_week(s) for s in starts]
    assert cal.hour_of_week_bulk(np.array([], dtype="datetime64[ns]")).tolist() == []


def test_calendar_bulk_bad_input_in_python_words():
    cal = followup.Calendar("UTC")
    with pytest.raises(TypeError, match=r"^Calendar\.hour_of_week_bulk\(\): argument 1 \(times\) must be an array"):
        cal.hour_of_week_bulk("2025-01-01T00:00:00Z")
    with pytest.raises(TypeError, match=r"not None"):
        cal.add_business_bulk(None, 60)
    with pytest.raises(ValueError, match=r"holds NaT"):
        cal.add_business_bulk(np.array(["2025-01-01", "NaT"], dtype="datetime64[s]"), 60)
    with pytest.raises(ValueError, match=r"must be 1-D"):
        cal.hour_of_week_bulk(np.zeros((2, 2), dtype=np.int64))
    with pytest.raises(TypeError, match=r"argument 2 \(seconds\) must be int or datetime.timedelta, not str"):
        cal.add_business_bulk([0], "60")
    with pytest.raises(followup.ParseError):
        cal.hour_of_week_bulk(["not a time"])


def test_signatures_and_help_name_python_types():
    P = inspect.Parameter
    for cls, names in ((followup.Summary, ("x", "t_x", "T", "zbar", "total", "first_at", "first_at_epoch")),
                       (followup.BookSummary, ("x", "recency", "rfm_codes", "rfm_groups")),
                       (followup.Assignments, ("tiers", "segments", "human")),
                       (followup.SegmentRun, ("p_alive", "expected", "clv")),
                       (followup.Notes, ("customer_ids", "texts", "lines", "ats", "ats_epoch")),
                       (followup.Planner, ("tier_cycles",)),
                       (followup.Calendar, ("hour_of_week_bulk", "add_business_bulk", "add_business_bulk_epoch"))):
        for name in names:
            sig = inspect.signature(getattr(cls, name))
            assert sig.return_annotation == "numpy.ndarray", (cls, name)
            assert list(sig.parameters)[0] == "self"
            text = pydoc.render_doc(getattr(cls, name), renderer=pydoc.plaintext)
            assert "numpy.ndarray" in text and "fu_" not in text and "SWIG" not in text
    sig = inspect.signature(followup.Calendar.add_business_bulk)
    assert sig.parameters["times"].annotation == "ArrayLike"
    assert sig.parameters["seconds"].annotation == "int | datetime.timedelta"
    assert sig.parameters["times"].kind is P.POSITIONAL_OR_KEYWORD
    assert "datetime64[ns]" in followup.Summary.first_at.__doc__


def test_methods_returning_through_out_parameters_are_annotated(srcdir):
    """SWIG's text says void for these (C returns through out parameters):
    the signatures name what Python gets, and the results are of that type."""
    from fu_helpers import sample_book
    book = sample_book(srcdir)
    policy = followup.policy_default()
    m = followup.BestTime(policy, book)
    now = followup.time_parse("2026-11-23T00:00:00+08:00")
    ret = lambda cls, name: inspect.signature(getattr(cls, name)).return_annotation  # noqa: E731
    assert ret(followup.BestTime, "best") == "list[BestTimeSlot]"
    slots = m.best(0, now, now + 3 * DAY)
    assert isinstance(slots, list) and all(isinstance(s, followup.BestTimeSlot) for s in slots)
    assert ret(followup.BestTime, "customer_matrix") == ret(followup.BestTime, "segment_matrix") == "numpy.ndarray"
    assert isinstance(m.segment_matrix(0), np.ndarray)
    ok, rule, nxt = m.may_contact(0, now)
    assert ret(followup.BestTime, "may_contact") == "tuple[bool, str, int]"
    assert isinstance(ok, bool) and isinstance(rule, str) and isinstance(nxt, int)
    assert ret(followup.BestTime, "prior") == "tuple[float, float]"
    assert all(isinstance(v, float) for v in m.prior(0, 0))
    assert ret(followup.Policy, "get_number") == "float"
    assert policy.get_number("segments.clv.human_from_quantile") == pytest.approx(0.8)
    assert ret(followup.Policy, "get_length") == "int" and policy.get_length("segments.value_tiers") == 3
    assert ret(followup.Policy, "summary") == "str" and isinstance(policy.summary(), str)
    assert ret(followup.SegmentRun, "csv") == "str"
    assert "-> list[BestTimeSlot]" in pydoc.render_doc(followup.BestTime.best, renderer=pydoc.plaintext)
