"""Review s8 (outside reviewer, session 8): the Python face.

F1: a priority column of Priority members is stored as those priorities;
F2: pandas' nullable dtypes (pd.NA) read as absent values;
F6: ISO times outside pandas' range (placeholders) read as the CSV reader does.
"""
import numpy as np
import pandas as pd
import pytest

import followup
from followup import frames

CUST = pd.DataFrame({"customer_id": ["C1", "C2"], "tz": ["Asia/Shanghai", "Asia/Shanghai"]})


def events(**cols):
    base = {"customer_id": ["C1", "C1", "C2"],
            "at": ["2026-11-23T09:00:00+08:00", "2026-11-23T10:00:00+08:00", "2026-11-23T11:00:00+08:00"],
            "kind": ["contact", "contact", "contact"]}
    base.update(cols)
    return pd.DataFrame(base)


def test_priority_members_in_a_frame_mean_their_priority():
    # pandas stores IntEnum members as plain int64: they are Priority values
    ev = events(priority=[followup.Priority.URGENT, followup.Priority.LOW, followup.PRIORITY_HIGH])
    assert ev["priority"].dtype == np.int64
    book = frames.book_from_frames(CUST, ev)
    got = sorted((book.event(i).at, book.event(i).priority) for i in range(book.event_count()))
    assert [p for _, p in got] == [followup.Priority.URGENT, followup.Priority.LOW, followup.Priority.HIGH]
    # as add_event stores the same member
    b2 = followup.Book()
    b2.add_customer("C1", "Asia/Shanghai")
    b2.add_event("C1", "2026-11-23T09:00:00+08:00", "contact", priority=followup.PRIORITY_URGENT)
    b2.finalize()
    assert b2.event(0).priority == got[0][1]
    # missing values (nullable Int64 with NA, NaN in a float column) are "not given"
    for col in (pd.array([0, None, 3], dtype="Int64"), [0.0, np.nan, 3.0]):
        book = frames.book_from_frames(CUST, events(priority=col))
        stored = sorted((book.event(i).at, int(book.event(i).priority)) for i in range(3))
        assert [v for _, v in stored] == [1, 0, 4]  # the event field: the priority + 1, 0 not given
    with pytest.raises(followup.ParseError, match=r"row 1: column priority: 7 is not a priority"):
        frames.book_from_frames(CUST, events(priority=[0, 7, 1]))


def test_nullable_dtypes_read_as_absent_values():
    ev = events(amount=pd.array([1.5, None, 2.0], dtype="Float64"),
                score=pd.array([5, None, 4], dtype="Int64"),
                channel=pd.array(["phone", pd.NA, "sms"], dtype="string"),
                note=pd.array(["a", pd.NA, "c"], dtype="string"))
    book = frames.book_from_frames(CUST.convert_dtypes(), ev.convert_dtypes())
    rows = sorted((book.event(i).at, book.event(i)) for i in range(3))
    e = [r[1] for r in rows]
    assert e[0].amount == 1.5 and np.isnan(e[1].amount) and e[2].amount == 2.0
    assert e[0].score == 5 and np.isnan(e[1].score)
    assert str(e[0].channel) == "phone" and str(e[1].channel) in ("none", "")
    cust = CUST.assign(is_smb=pd.array([True, pd.NA], dtype="boolean"))
    book = frames.book_from_frames(cust, ev)
    assert book.customer(0).is_smb == followup.TRI_YES
    assert book.customer(1).is_smb == followup.TRI_UNKNOWN
    with pytest.raises(followup.ParseError, match=r"row 1: column amount: 'lots' is not a number"):
        frames.book_from_frames(CUST, events(amount=["1", "lots", "2"]))


def test_iso_times_outside_pandas_range_read_as_the_csv_reader_does(tmp_path):
    at = ["0001-01-01T00:00:00Z", "9999-12-31T00:00:00+00:00", "2262-04-12T00:00:00Z"]
    ev = events(at=at, kind=["purchase"] * 3)
    book = frames.book_from_frames(CUST, ev)
    p = tmp_path / "e.csv"
    ev.to_csv(p, index=False)
    ref = followup.Book()
    ref.read_customers_csv(str(_write(tmp_path / "c.csv", CUST)))
    ref.read_events_csv(str(p))
    ref.finalize()
    assert sorted(book.event(i).at for i in range(3)) == sorted(ref.event(i).at for i in range(3))
    with pytest.raises(followup.ParseError, match=r"row 1: column at: 'soon' is not a time"):
        frames.book_from_frames(CUST, events(at=["2026-11-23T09:00:00Z", "soon", "2026-11-23T09:00:00Z"]))


def _write(path, df):
    df.to_csv(path, index=False)
    return path


def test_segments_of_a_small_book_keep_tiers_without_the_model():
    cust = pd.DataFrame({"customer_id": ["A", "B", "C"], "tz": ["Asia/Shanghai"] * 3,
                         "annual_spend": [500000.01, 100000, 99999.99],
                         "first_purchase_at": ["2024-01-01T10:00:00+08:00", "2024-01-01T10:00:00+08:00",
                                               "2026-10-01T10:00:00+08:00"]})
    ev = pd.DataFrame({"customer_id": ["A", "B", "C"], "kind": ["purchase"] * 3, "amount": [100.0] * 3,
                       "at": ["2026-06-01T10:00:00+08:00", "2026-06-01T10:00:00+08:00", "2026-10-01T10:00:00+08:00"]})
    book = frames.book_from_frames(cust, ev)
    with pytest.warns(followup.FollowupWarning, match="no purchase model"):
        df = followup.segments(book, "2026-11-23T00:00:00+08:00")
    assert list(df["tier"].astype(str)) == ["vip", "key", "ordinary"]
    assert df["p_alive"].isna().all() and df["clv"].isna().all()
    assert df.attrs["purchase_model"] is None


def test_touchpoint_statuses_by_name_and_times_that_are_no_times():
    book = followup.Book()
    book.add_customer("C1", "Asia/Shanghai")
    book.add_event("C1", "2026-11-20T10:00:00+08:00", "delivery", order_id="O1")
    book.finalize()
    plan = followup.Planner(followup.policy_default(), book).plan("2026-11-20T12:00:00+08:00", 7 * 86400)
    assert plan.count("planned") == plan.count(followup.TOUCHPOINT_PLANNED) > 0
    assert [t.rule for t in plan.touchpoints("planned")] == [t.rule for t in plan.touchpoints()]
    with pytest.raises(followup.InvalidArgumentError, match="unknown touchpoint status 'done'"):
        plan.count("done")
    g = followup.Guard(followup.policy_default(), book)
    with pytest.raises(TypeError, match="bool"):
        g.check("C1", "phone", True)
    with pytest.raises(ValueError, match="NaT"):
        g.check("C1", "phone", pd.NaT)


def test_a_plan_past_the_calendar_data_warns_as_the_cli_does():
    book = followup.Book()
    book.add_customer("C1", "Asia/Shanghai")
    book.add_event("C1", "2027-03-01T10:00:00+08:00", "delivery", order_id="O1")
    book.finalize()
    pl = followup.Planner(followup.policy_default(), book)
    with pytest.warns(followup.FollowupWarning, match="reach past the official holidays"):
        plan = pl.plan("2027-03-01T12:00:00+08:00", 7 * 86400)
    assert plan.stats().calendar_expired > 0


def test_segment_labels_of_ids_not_in_the_book_warn():
    book = frames.book_from_frames(CUST, events())
    k = followup.Kpi(followup.policy_default(), "month", "segment")
    k.add_book(book)
    with pytest.warns(followup.FollowupWarning, match=r"2 of 3 labelled customer ids are not in the book \(first: 'c1'\)"):
        k.set_segments({"c1": "vip", "C2": "standard", "c3": "vip"})
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        k2 = followup.Kpi(followup.policy_default(), "month", "segment")
        k2.add_book(book)
        k2.set_segments({"C1": "vip", "C2": "standard"})
