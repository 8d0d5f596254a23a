"""Review s13 (hU, inputs) findings on the Python bindings: I5 integer enum
columns wrapped modulo 2^32, I6 the epoch -2**63 (NaT's integer value) stored
as 1970, I14 Kpi.add_due(frame) dropping rows whose status is not exactly
"planned", I15 Planner.set_clv(dict) errors naming set_clv_values and a book
index, I13 the SWIG repr of BestTimeSlot."""
import pathlib

import numpy as np
import pandas as pd
import pytest

import followup
from fu_helpers import book_of_dir

SAMPLE = pathlib.Path(__file__).resolve().parents[2] / "examples" / "sample" / "data"
CUST = pd.DataFrame({"customer_id": ["C1", "C2"], "tz": ["Asia/Shanghai", "UTC"]})
AT = ["2026-03-02T09:00:00+08:00"] * 2


def events(**cols):
    base = {"customer_id": ["C1", "C2"], "at": AT, "kind": ["purchase", "purchase"]}
    base.update(cols)
    return pd.DataFrame(base)


# ---- I5: integer enum values out of range ----
@pytest.mark.parametrize("column,values", [
    ("kind", [3, 2**32 + 3]), ("kind", [2**40, 0]), ("kind", [2**31, 0]), ("kind", [-1, 0]), ("kind", [99, 0]),
    ("channel", [1, 2**32 + 1]), ("outcome", [0, 2**33 + 1]), ("survey", [0, 2**32 + 1]), ("severity", [0, 2**32]),
    ("kind", pd.array([0, 2**32 + 3], dtype="Int64")), ("kind", np.array([0, 2**64 - 1], dtype=np.uint64)),
])
def test_enum_columns_out_of_range_are_refused(column, values):
    bad_row = 1 if column != "kind" or values[0] in (0, 3) else 0
    with pytest.raises(ValueError, match=rf"row {bad_row}: column {column}: -?\d+ is not an? "):
        followup.book_from_frames(CUST, events(**{column: values}))


def test_enum_columns_out_of_range_in_an_object_column():
    with pytest.raises(ValueError, match=r"row 1: column channel: 4294967297 is not a channel \(0\.\.6 or a name"):
        followup.book_from_frames(CUST, events(channel=pd.Series(["phone", 2**32 + 1], dtype=object)))


def test_enum_columns_in_range_still_read():
    b = followup.book_from_frames(CUST, events(kind=[3, 0], channel=[1, 0]))
    assert b.events_frame()["kind"].astype(str).tolist() == [str(followup.EventKind(3)), "purchase"]


def test_add_event_columns_refuses_values_beyond_int():
    b = followup.Book()
    b.add_customer_columns({"customer_id": ["C1"], "tz": ["UTC"]})
    for col in ("kind", "channel", "outcome", "survey", "severity", "priority"):
        cols = {"customer_id": ["C1"], "at": np.array([1_700_000_000], dtype=np.int64),
                "kind": np.array([0], dtype=np.int64)}
        cols[col] = np.array([2**32 + 1], dtype=np.int64)
        with pytest.raises(ValueError, match=rf"row 0: column {col}: 4294967297 is out of range"):
            b.add_event_columns(cols)
    with pytest.raises(ValueError, match=r"row 0: column consent_sms: 4294967296 is out of range"):
        b.add_customer_columns({"customer_id": ["C2"], "tz": ["UTC"],
                                "consent_sms": np.array([2**32], dtype=np.int64)})
    assert b.event_count() == 0


# ---- I6: epochs outside the library's years, -2**63 above all ----
@pytest.mark.parametrize("at", [[-2**63, 1_700_000_000], [2**62, 1_700_000_000], [-2**63 + 1, 1_700_000_000],
                                [253402300800, 1_700_000_000], [-62135596801, 1_700_000_000]])
def test_event_times_out_of_range_are_refused(at):
    with pytest.raises(ValueError, match=r"row 0: column at: -?\d+ is not a time"):
        followup.book_from_frames(CUST, events(at=at))


def test_nat_integer_named():
    with pytest.raises(ValueError, match=r"NaT's integer value"):
        followup.book_from_frames(CUST, events(at=[-2**63, 1_700_000_000]))
    with pytest.raises(ValueError, match=r"row 1: column at: -9223372036854775808 is not a time"):
        followup.book_from_frames(CUST, events(at=pd.Series([1_700_000_000, -2**63], dtype=object)))


def test_epoch_ints_across_the_years():
    # years pandas cannot hold (after 2262) are read as the library reads them, not refused
    b = followup.book_from_frames(CUST, events(at=[-62135596800, 253402300799]))
    assert sorted(b.event(i).at_epoch for i in range(b.event_count())) == [-62135596800, 253402300799]


def test_customer_first_purchase_out_of_range():
    c = CUST.assign(first_purchase_at=[-2**63, 1_700_000_000])
    with pytest.raises(ValueError, match=r"row 0: column first_purchase_at: -9223372036854775808 is not a time"):
        followup.book_from_frames(c)
    c = CUST.assign(first_purchase_at=pd.array([None, 1_700_000_000], dtype="Int64"))
    followup.book_from_frames(c)  # a missing value stays missing


def test_add_due_times_out_of_range():
    k = followup.Kpi(followup.policy_default(), as_of="2026-03-01T00:00:00Z", period="month", derived_due=False)
    k.add_book(book_of_dir(SAMPLE))
    with pytest.raises(ValueError, match=r"row 1: column due_to: 4611686018427387904 is not a time"):
        k.add_due(pd.DataFrame({"customer_id": ["C00001", "C00002"], "due_to": [1_770_000_000, 2**62]}))


# ---- I14: add_due's status column ----
@pytest.fixture()
def kpi():
    k = followup.Kpi(followup.policy_default(), as_of="2026-03-01T00:00:00Z", period="month", derived_due=False)
    k.add_book(book_of_dir(SAMPLE))
    return k


def coverage_n(k):
    k.compute()
    f = followup.kpi_frame(k)
    return int(f[(f["kpi"] == "coverage")]["n"].sum())


def test_add_due_status_any_case(kpi):
    kpi.add_due(pd.DataFrame({"customer_id": ["C00001", "C00002", "C00003"],
                              "due_to": pd.to_datetime(["2026-02-10T00:00:00Z"] * 3),
                              "status": ["planned", " Planned", "SUPPRESSED"]}))
    assert coverage_n(kpi) == 2


@pytest.mark.parametrize("status", ["bogus", None, "plan"])
def test_add_due_unknown_status_refused(kpi, status):
    with pytest.raises(ValueError, match=r"Kpi.add_due\(\): row 1: column status: .*planned, suppressed"):
        kpi.add_due(pd.DataFrame({"customer_id": ["C00001", "C00002"],
                                  "due_to": pd.to_datetime(["2026-02-10T00:00:00Z"] * 2),
                                  "status": ["planned", status]}))


def test_add_due_rows_named_in_the_frame_given(kpi):
    with pytest.raises(ValueError, match=r"row 2: column due_to"):
        kpi.add_due(pd.DataFrame({"customer_id": ["C00001", "C00002", "C00003"],
                                  "due_to": [1_770_000_000, 1_770_000_000, 2**62],
                                  "status": ["planned", "deferred", "planned"]}))


# ---- I15: set_clv(dict) errors name the customer ----
@pytest.mark.parametrize("value,shown", [(-1, "-1"), (10**400, "1000"), (True, "True"), ("12", "'12'"),
                                         (float("inf"), "inf")], ids=["neg", "huge", "bool", "text", "inf"])
def test_set_clv_errors_name_the_customer(value, shown):
    p = followup.Planner(followup.policy_default(), book_of_dir(SAMPLE))
    with pytest.raises(ValueError, match=r"^Planner\.set_clv\(\): customer 'C00001': " + shown):
        p.set_clv({"C00002": 5.0, "C00001": value})
    with pytest.raises(ValueError, match=r"^Planner\.set_clv\(\): customer 'C00001': "):
        p.set_clv(pd.Series([5.0, value], index=["C00002", "C00001"], dtype=object))


def test_set_clv_accepts_numbers_and_missing():
    p = followup.Planner(followup.policy_default(), book_of_dir(SAMPLE))
    p.set_clv({"C00001": 3, "C00002": None, "C00003": float("nan"), "C00004": np.float32(2.5)})
    p.set_clv(pd.DataFrame({"customer_id": ["C00001"], "clv": [7.0]}))


# ---- I13: BestTimeSlot's repr ----
def test_besttime_slot_repr():
    b = book_of_dir(SAMPLE)
    m = followup.BestTime(followup.policy_default(), b, as_of="2026-03-01T00:00:00Z")
    slot = m.best(0, "2026-03-02T00:00:00+08:00", "2026-03-03T00:00:00+08:00")[0]
    r = repr(slot)
    assert "Swig" not in r and "proxy" not in r and "fu_" not in r, r
    assert r.startswith("<followup.BestTimeSlot 2026-03-02T01:00:00+00:00..2026-03-02T02:00:00+00:00 p=0.792 ["), r


# ---- I5 sweep: segment_assign's count and time columns reach C fields of their range only ----
@pytest.mark.parametrize("column,value,match", [
    ("recent_complaints", 2.0**32 + 1, r"recent_complaints\[1\] = 4294967297 is not a count"),
    ("recent_complaints", -1.0, r"recent_complaints\[1\] = -1 is not a count"),
    ("recent_complaints", 1.5, r"recent_complaints\[1\] = 1.5 is not a count"),
    ("first_purchase_at", 1e30, r"first_purchase_at\[1\] = 1e\+30 is not a time"),
    ("last_purchase_at", float("inf"), r"last_purchase_at\[1\] = inf is not a time"),
])
def test_segment_assign_refuses_values_beyond_its_fields(column, value, match):
    cols = {"annual_spend": [100.0, 200.0], "unit_price": [10.0, 20.0],
            "first_purchase_at": [1.7e9, 1.7e9], "last_purchase_at": [1.71e9, 1.71e9],
            "recent_complaints": [0.0, 1.0], "p_alive": [0.5, 0.5], "clv": [1.0, 2.0]}
    ok = followup.segment_assign(1_720_000_000, **cols)
    assert len(ok.tiers()) == 2
    cols[column] = [cols[column][0], value]
    with pytest.raises(ValueError, match=match):
        followup.segment_assign(1_720_000_000, **cols)


# ---- I13: a masked array's mask is not ignored ----
def test_masked_arrays_refused_naming_the_element():
    bg = followup.BgNbd(0.243, 4.414, 0.793, 2.426)
    x = np.ma.array([1.0, 999.0, 3.0], mask=[0, 1, 0])
    with pytest.raises(ValueError, match=r"bgnbd_p_alive.*x.*: element 1 is masked"):
        followup.bgnbd_p_alive(bg, x, [1.0, 1.0, 1.0], [2.0, 2.0, 2.0])
    unmasked = np.ma.array([1.0, 0.0, 3.0], mask=[0, 0, 0])
    np.testing.assert_array_equal(followup.bgnbd_p_alive(bg, unmasked, [1.0, 0.0, 1.0], [2.0, 2.0, 2.0]),
                                  followup.bgnbd_p_alive(bg, [1.0, 0.0, 3.0], [1.0, 0.0, 1.0], [2.0, 2.0, 2.0]))


def test_add_due_nat_integer_refused_in_both_columns(kpi):
    for col in ("due_to", "due_from"):
        df = pd.DataFrame({"customer_id": ["C00001", "C00002"], "due_to": [1_770_000_000, 1_770_000_000]})
        df[col] = [1_760_000_000 if col == "due_from" else 1_770_000_000, -2**63]
        with pytest.raises(ValueError, match=rf"Kpi.add_due\(\): row 1: column {col}: -9223372036854775808 is "
                                             r"not a time .*NaT's integer value"):
            kpi.add_due(df)


# ---- I13: an integer a float64 cannot hold is named as such ----
@pytest.mark.parametrize("x", [np.array([1, 2**53 + 1], dtype=np.int64), [1, 2**53 + 1],
                               np.array([1, 2**63 + 5], dtype=np.uint64)], ids=["int64", "list", "uint64"])
def test_model_columns_refuse_ints_beyond_2_53(x):
    bg = followup.BgNbd(0.243, 4.414, 0.793, 2.426)
    with pytest.raises(ValueError, match=r"element 1 = \d+ cannot be held exactly by a float64 \(it would be read as \d+\)"):
        followup.bgnbd_p_alive(bg, x, [1.0, 1.0], [2.0, 2.0])
    followup.bgnbd_p_alive(bg, np.array([1, 3], dtype=np.int64), [1.0, 1.0], [2.0, 2.0])  # ints in range still read


@pytest.mark.parametrize("x", [np.array([1, 2**54], dtype=np.int64), [1, 10**16], np.array([1, 10**18], dtype=np.int64),
                               np.array([1, 2**63], dtype=np.uint64), np.array([1, -2**62], dtype=np.int64)],
                         ids=["2**54", "10**16 list", "10**18", "uint64 2**63", "-2**62"])
def test_model_columns_take_large_ints_a_float64_holds_exactly(x):
    """review s13 R2: an integer beyond 2**53 that a float64 holds exactly
    reads as that float, as the same value given as a float does."""
    from followup._arrays import refuse_inexact_ints
    refuse_inexact_ints("x", np.asarray(x))  # no error
    bg = followup.BgNbd(0.243, 4.414, 0.793, 2.426)
    as_float = np.asarray(x).astype(np.float64)

    def outcome(v):
        try:
            return list(followup.bgnbd_p_alive(bg, [1.0, 1.0], v, [2e19, 2e19]))
        except followup.InvalidArgumentError as e:
            return str(e)
    assert outcome(x) == outcome(as_float)  # as the C side reads the float


def test_an_int64_rounded_up_to_2_63_is_inexact():
    bg = followup.BgNbd(0.243, 4.414, 0.793, 2.426)
    with pytest.raises(ValueError, match=r"element 0 = 9223372036854775807 cannot be held exactly"):
        followup.bgnbd_p_alive(bg, np.array([2**63 - 1, 1], dtype=np.int64), [1.0, 1.0], [2.0, 2.0])
