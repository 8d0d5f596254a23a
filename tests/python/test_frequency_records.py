"""followup.frequency_records(df) checks every value (review s12 U6): a
negative, huge or fractional k, an outcome coded -1, a NaN where a number is
needed, a customer beyond uint32, a misspelt column are refused naming the row,
the column, the value and what is expected, rather than wrapped (-1 -> 255 = a
yes) into data FrequencyModel then fits. And FrequencyModel.policy_yaml()'s
default writes a fragment the policy loader takes (review s12 U11)."""
import pathlib

import numpy as np
import pandas as pd
import pytest

import followup
from fu_helpers import book_of_dir

SAMPLE = pathlib.Path(__file__).resolve().parents[2] / "examples" / "sample" / "data"
DT = np.dtype(followup.FREQUENCY_RECORD_DTYPE)


def good(**over):
    cols = {"customer": [0, 1, 2, 3], "segment": [0, 0, 0, 0], "k": [1, 2, 1, 3], "positive": [1, 0, 0, 1],
            "gap_days": [np.nan, 2.0, 0.0, 3.5]}
    cols.update(over)
    return pd.DataFrame(cols)


def refused(df, *words):
    with pytest.raises(followup.InvalidArgumentError) as e:
        followup.frequency_records(df)
    for w in words:
        assert w in str(e.value), (w, str(e.value))
    return str(e.value)


def test_good_rows_pack_as_given():
    rec = np.frombuffer(followup.frequency_records(good(load_7d=[1, 2, 3, 65535], negative=[False, True, 0, 1])), DT)
    assert rec["k"].tolist() == [1, 2, 1, 3]
    assert rec["positive"].tolist() == [1, 0, 0, 1]
    assert rec["negative"].tolist() == [0, 1, 0, 1]
    assert rec["load_7d"].tolist() == [1, 2, 3, 65535]
    # NaN gap: unknown (the documented FREQUENCY_GAP_UNKNOWN), the rest as given
    assert rec["gap_days"].tolist() == [followup.FREQUENCY_GAP_UNKNOWN, 2.0, 0.0, 3.5]
    # whole floats, bools, nullable ints and a dict of lists are numbers too
    d = {"k": [1.0, 2.0], "positive": [True, False], "customer": pd.array([5, 6], dtype="Int64")}
    rec = np.frombuffer(followup.frequency_records(d), DT)
    assert rec["k"].tolist() == [1, 2] and rec["positive"].tolist() == [1, 0] and rec["customer"].tolist() == [5, 6]
    # the constants are taken as gaps
    rec = np.frombuffer(followup.frequency_records(good(gap_days=[followup.FREQUENCY_GAP_NONE, 1, 2, 3])), DT)
    assert rec["gap_days"][0] == followup.FREQUENCY_GAP_NONE


def test_the_reviewers_frame_is_refused_at_its_first_bad_value():
    df = pd.DataFrame({"customer": [0, 1, 2, 3], "segment": [0, 0, 0, 0], "k": [-1, 2**32 + 1, 1.9, 2],
                       "positive": [1, 7, -1, 0], "gap_days": [1.0, 2.0, float("nan"), 3.0]})
    refused(df, "row 0", "column k", "-1", "an integer >= 1")


@pytest.mark.parametrize("column,values,row,shown,expect", [
    ("k", [1, -1, 1, 1], 1, "-1", "an integer >= 1"),
    ("k", [1, 2, 2**32 + 1, 1], 2, "4294967297", "an integer >= 1"),
    ("k", [1, 2, 1.9, 1], 2, "1.9", "an integer >= 1"),
    ("k", [1, 0, 1, 1], 1, "0", "an integer >= 1"),
    ("k", [1, 2, np.nan, 1], 2, "nan", "a missing value"),
    ("k", [1, 2, None, 1], 2, "None", "a missing value"),
    ("k", [1, "two", 1, 1], 1, "'two'", "a number"),
    ("positive", [1, 0, -1, 1], 2, "-1", "0 or 1"),
    ("positive", [1, 7, 0, 1], 1, "7", "0 or 1"),
    ("positive", [1, 0, 0.5, 1], 2, "0.5", "0 or 1"),
    ("negative", [0, 0, 0, 2], 3, "2", "0 or 1"),
    ("customer", [0, -5, 1, 2], 1, "-5", "0..4294967295"),
    ("customer", [0, 1, 2, 2**32], 3, "4294967296", "0..4294967295"),
    ("segment", [0, 0, -1, 0], 2, "-1", "0..4294967295"),
    ("load_72h", [0, 70000, 0, 0], 1, "70000", "0..65535"),
    ("load_30d", [0, 0, 0, 1.5], 3, "1.5", "0..65535"),
    ("gap_days", [1.0, -3.0, 0.0, 1.0], 1, "-3.0", "a number of days >= 0"),
    ("gap_days", [1.0, np.inf, 0.0, 1.0], 1, "inf", "a number of days >= 0"),
    ("gap_days", [1.0, 2.0, "soon", 1.0], 2, "'soon'", "a number"),
])
def test_each_bad_value_names_row_column_value_and_rule(column, values, row, shown, expect):
    df = good(**{column: pd.Series(values, dtype=object) if any(isinstance(v, str) or v is None for v in values)
                 else values})
    refused(df, f"row {row}", f"column {column}", shown, expect)


def test_columns_required_misspelt_and_uneven():
    refused(pd.DataFrame({"k": [1], "customer": [0]}), "no positive column")
    refused(pd.DataFrame({"positive": [1], "customer": [0]}), "no k column")
    refused(pd.DataFrame({"k": [1], "positive": [1], "gap day": [2.0]}), "'gap day'", "looks like 'gap_days'")
    refused(pd.DataFrame({"k": [1], "positve": [1]}), "'positve'", "looks like 'positive'")
    # customer_id beside customer is another column (kept out), alone it is a misspelt customer
    followup.frequency_records(pd.DataFrame({"k": [1], "positive": [1], "customer": [3], "customer_id": ["C1"]}))
    refused(pd.DataFrame({"k": [1], "positive": [1], "customer_id": ["C1"]}), "looks like 'customer'")
    refused({"k": [1, 2], "positive": [1]}, "column positive has 1 values, column k 2")


def test_plus_minus_one_outcomes_no_longer_fit_as_all_yes():
    """The reviewer's check: outcomes coded +1/-1 gave hazard 0.99999983
    (every -1 stored as 255, a yes); now they are refused, and 1/0 fit."""
    rng = np.random.default_rng(1)
    n = 2000
    k = rng.integers(1, 6, n)
    pos = rng.integers(0, 2, n)
    df = pd.DataFrame({"customer": np.arange(n), "segment": 0, "k": k, "positive": pos})
    m = followup.FrequencyModel(followup.FrequencyData(followup.frequency_records(df), 1))
    p = m.hazard(0, 1).p
    assert 0.3 < p < 0.7
    refused(df.assign(positive=np.where(pos == 1, 1, -1)), "column positive", "-1", "0 or 1")


# ---- U11: policy_yaml ----
def sample_book():
    return book_of_dir(SAMPLE)


def test_policy_yaml_default_loads_on_the_docs_path():
    """docs/frequency.md's Python path (frequency_from_book, one segment):
    the default fragment loads with the policy loader (it was when="tier"
    with tier '0': PolicyError)."""
    m = followup.FrequencyModel(followup.frequency_from_book(sample_book()))
    y = m.policy_yaml(100, "phone=3")
    assert "tier" not in y
    pol = followup.policy_load_string(y)
    assert pol is not None


def test_policy_yaml_refuses_a_key_the_segment_names_are_not_values_of():
    m = followup.FrequencyModel(followup.frequency_from_book(sample_book()))
    with pytest.raises(followup.InvalidArgumentError) as e:
        m.policy_yaml(100, "phone=3", when="tier")
    msg = str(e.value)
    assert "when='tier'" in msg and "'0'" in msg and "set_segment_name" in msg and "when=None" in msg
    assert "vip" in msg  # the loader's reason: the values tier takes


def test_policy_yaml_by_tier_with_tier_names_loads():
    recs = pd.DataFrame({"customer": np.arange(400), "segment": np.arange(400) % 3,
                         "k": 1 + np.arange(400) % 4, "positive": (np.arange(400) % 5 == 0).astype(int)})
    d = followup.FrequencyData(followup.frequency_records(recs), 3)
    for i, name in enumerate(("vip", "key", "ordinary")):
        d.set_segment_name(i, name)
    y = followup.FrequencyModel(d).policy_yaml(500, "phone=1", when="tier")
    followup.policy_load_string(y)


def test_policy_yaml_by_tier_from_a_book_as_the_docs_say():
    """docs/frequency.md: tier segments from segments(), named, when="tier"."""
    import warnings
    book = sample_book()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", followup.FollowupWarning)
        s = followup.segments(book, "2026-12-07T00:00:00+08:00")
    tiers = list(s["tier"].cat.categories)
    codes = s["tier"].cat.codes.to_numpy().astype("<u4")
    d = followup.frequency_from_book(book, "answered", codes.tobytes(), len(tiers))
    for i, name in enumerate(tiers):
        d.set_segment_name(i, name)
    y = followup.FrequencyModel(d).policy_yaml(100, "phone=3", when="tier")
    assert "when: {tier:" in y
    followup.policy_load_string(y)
