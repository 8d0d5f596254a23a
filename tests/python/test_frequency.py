"""fu_frequency from Python: the UCI bank data (the shipped copy) turned into a
hazard table by pandas and by the C reader, the hold-out against a constant and
a per-k table, DataFrame outputs, the policy fragment, the plot, the CLI."""
import io
import json
import math
import os
import subprocess
import tarfile

import numpy as np
import pandas as pd
import pytest

import followup

CLI = os.environ.get("FU_CLI", "")
SEED = 20261206


@pytest.fixture(scope="module")
def bank_csv(srcdir, tmp_path_factory):
    """bank-full.csv unpacked from the tarball shipped in tests/data."""
    out = tmp_path_factory.mktemp("bank")
    with tarfile.open(srcdir / "tests/data/bank-marketing/bank-full.tar.gz") as t:
        t.extract("bank-full.csv", out)
    return out / "bank-full.csv"


def hazard_records(path):
    """The per-attempt table built with pandas alone: a client with
    campaign = c gives attempts 1..c, the last positive when y = yes."""
    df = pd.read_csv(path, sep=";")
    seg = df["poutcome"].map({"unknown": 0, "failure": 1, "other": 2, "success": 3}).to_numpy()
    c = df["campaign"].to_numpy()
    cust = np.repeat(np.arange(len(df)), c)
    k = np.concatenate([np.arange(1, n + 1) for n in c])
    last = k == np.repeat(c, c)
    pdays = np.repeat(df["pdays"].to_numpy(), c)
    gap = np.where(k > 1, np.nan, np.where(pdays < 0, followup.FREQUENCY_GAP_NONE, pdays))
    return pd.DataFrame({"customer": cust, "segment": np.repeat(seg, c), "k": k, "gap_days": gap,
                         "positive": (last & np.repeat(df["y"].to_numpy() == "yes", c)).astype("u1")})


def test_pandas_and_c_reader_build_the_same_hazard_table(bank_csv):
    recs = hazard_records(bank_csv)
    mine = followup.FrequencyData(followup.frequency_records(recs), 4)
    theirs = followup.frequency_read_bank(str(bank_csv))
    assert mine.count() == theirs.count() == 124956
    assert mine.positives() == theirs.positives() == 5289
    a = followup.FrequencyModel(mine).curves_frame()
    b = followup.FrequencyModel(theirs).curves_frame()
    cols = ["curve", "bin", "attempts", "events", "estimate"]
    pd.testing.assert_frame_equal(a[cols], b[cols])
    # the naive rate by campaign (survivors) differs from the hazard
    pop = b[(b.curve == "hazard") & (b.segment == "*")].set_index("bin")
    assert pop.loc["1", "attempts"] == 45211 and pop.loc["1", "events"] == 2561
    assert pop.loc["2", "attempts"] == 45211 - 17544 and pop.loc["2", "events"] == 1401


def test_holdout_beats_constant_and_per_k_table(bank_csv):
    d = followup.frequency_read_bank(str(bank_csv))
    d.split(SEED, 0.3)
    assert 0.25 < d.held_out() / d.count() < 0.35
    m = followup.FrequencyModel(d)
    s = m.evaluate(d)
    assert s.attempts == d.held_out()
    assert s.log_loss < s.log_loss_per_k < s.log_loss_constant
    assert s.brier < s.brier_per_k < s.brier_constant
    assert m.is_monotone()
    assert [m.segment_name(i) for i in range(m.segment_count())] == ["none", "failure", "other", "success"]
    e = m.hazard(3, 1)
    assert e.lo < e.p < e.hi
    assert m.hazard(3, 1).p > m.hazard(0, 1).p  # previous success vs never contacted


def test_dataframes_and_policy_fragment(bank_csv):
    m = followup.FrequencyModel(followup.frequency_read_bank(str(bank_csv)))
    c = m.curves_frame()
    assert list(c.columns) == ["curve", "segment", "bin", "attempts", "events", "raw", "estimate",
                               "lo", "hi", "strength"]
    hz = c[c.curve == "hazard"]
    assert len(hz) == 5 * 10
    assert np.isfinite(hz[["estimate", "lo", "hi"]].to_numpy()).all()
    assert ((hz.lo <= hz.estimate) & (hz.estimate <= hz.hi)).all()
    r = m.recommendations_frame(100, "phone=3")
    assert list(r.segment) == ["none", "failure", "other", "success"]
    assert (r.cap_low <= r.cap).all() and (r.cap <= r.cap_high).all()
    assert r.set_index("segment").loc["success", "cap"] > r.set_index("segment").loc["none", "cap"]
    v = m.recommendations_frame(100, "phone=3", values={"none": 1000}).set_index("segment")
    assert v.loc["none", "value"] == 1000 and v.loc["failure", "value"] == 100
    assert v.loc["none", "cap"] > r.set_index("segment").loc["none", "cap"]
    with pytest.raises(followup.InvalidArgumentError, match="values"):
        m.recommend(100, "phone=3", "phone", 0, 90, None, "csv", "nobody=5")
    # a fragment over tier names loads over the built-in policy
    d2 = followup.FrequencyData(followup.frequency_records(hazard_records(bank_csv).assign(
        segment=lambda x: np.where(x.segment == 3, 0, 1))), 2)
    d2.set_segment_name(0, "vip")
    d2.set_segment_name(1, "ordinary")
    yaml = followup.FrequencyModel(d2).policy_yaml(100, "phone=3", when="tier")
    p = followup.policy_load_string(yaml, "<fragment>")
    assert p.get_number("caps.limits.frequency_vip.max") >= p.get_number("caps.limits.frequency_ordinary.max")
    assert p.get_number("caps.limits.weekly.max") == 3  # built-in limits kept
    assert "# attempt " in yaml


def test_plot_each_curve_with_intervals(bank_csv, tmp_path):
    m = followup.FrequencyModel(followup.frequency_read_bank(str(bank_csv)))
    path = tmp_path / "hazard.png"
    fig = m.plot(str(path))
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert path.stat().st_size > 10000
    ax = fig.axes[0]
    assert len(ax.lines) == 5  # population + 4 segments
    assert len(ax.collections) == 5  # one interval band each


def test_book_history_and_errors(tmp_path):
    b = followup.Book()
    b.read_customers_text("customer_id,tz\nc1,Asia/Shanghai\n")
    b.read_events_text("customer_id,at,kind,channel,outcome\n"
                                  "c1,2026-03-01T10:00:00+08:00,contact,phone,\n")
    with pytest.raises(followup.InvalidArgumentError, match="no outcomes"):
        followup.frequency_from_book(b)
    b = _two_customer_book()
    d = followup.frequency_from_book(b, "answered", np.array([0, 1], dtype="<u4").tobytes(), 2)
    assert (d.count(), d.positives(), d.negatives()) == (3, 1, 1)
    m = followup.FrequencyModel(d)
    for s in range(2):
        for k in range(1, 12):
            e = m.hazard(s, k, 3.0)
            assert all(math.isfinite(v) for v in (e.p, e.lo, e.hi))
        q = m.negative(s, 2, 2, 2)
        assert 0 <= q.lo <= q.p <= q.hi <= 1
    with pytest.raises(followup.InvalidArgumentError):
        m.recommend(100, "phone=-1")
    with pytest.raises(followup.InvalidArgumentError):
        m.curves("xml")
    with pytest.raises(followup.InvalidArgumentError):
        followup.FrequencyData(b"x" * 23, 1)
    with pytest.raises(followup.InputOutputError):
        followup.frequency_read_bank(str(tmp_path / "missing.csv"))


@pytest.mark.skipif(not CLI, reason="the CLI was not built")
def test_cli_fit_and_recommend(bank_csv, tmp_path):
    r = subprocess.run([CLI, "frequency", "fit", "--bank", str(bank_csv), "--holdout", "0.3", "--seed",
                        str(SEED), "--format", "csv"], capture_output=True, text=True, check=True)
    df = pd.read_csv(io.StringIO(r.stdout))
    assert set(df.curve) >= {"hazard", "gap_odds", "negative_level"}
    assert "log loss" in r.stderr and "per-k table" in r.stderr
    r = subprocess.run([CLI, "frequency", "recommend", "--bank", str(bank_csv), "--value", "100",
                        "--cost", "phone=3", "--format", "json"], capture_output=True, text=True, check=True)
    rows = json.loads(r.stdout)
    assert [x["segment"] for x in rows] == ["none", "failure", "other", "success"]
    assert all(x["cap"] >= 1 for x in rows)
    r = subprocess.run([CLI, "frequency", "recommend", "--bank", str(tmp_path / "no.csv"), "--value", "1"],
                       capture_output=True, text=True)
    assert r.returncode == 3 and "no.csv" in r.stderr
    r = subprocess.run([CLI, "frequency", "recommend", "--bank", str(bank_csv)], capture_output=True, text=True)
    assert r.returncode == 2 and "--value" in r.stderr


def _two_customer_book():
    b = followup.Book()
    b.read_customers_text("customer_id,tz\nc1,Asia/Shanghai\nc2,Asia/Shanghai\n")
    b.read_events_text("customer_id,at,kind,channel,outcome\n"
                       "c1,2026-03-01T10:00:00+08:00,contact,phone,no_answer\n"
                       "c1,2026-03-02T10:00:00+08:00,contact,phone,answered\n"
                       "c2,2026-03-01T10:00:00+08:00,contact,phone,refused\n")
    return b


def test_frequency_from_book_takes_segments_by_keyword():
    """The segment codes' keyword is segments= (bytes= shadowed the builtin):
    no warning; the codes are read (two segments, c2's attempt in segment 1)."""
    import inspect
    import warnings
    b = _two_customer_book()
    codes = np.array([0, 1], dtype="<u4")
    assert "segments" in inspect.signature(followup.frequency_from_book).parameters
    assert "bytes" not in inspect.signature(followup.frequency_from_book).parameters
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        d = followup.frequency_from_book(b, "answered", segments=codes.tobytes(), n_segments=2)
        d2 = followup.frequency_from_book(b, "answered", segments=codes.view(np.uint8), n_segments=2)
        one = followup.frequency_from_book(b, positive="answered")  # no segments: one
    assert (d.count(), d.positives(), d.negatives(), d.segment_count()) == (3, 1, 1, 2)
    assert (d2.count(), d2.segment_count()) == (3, 2)
    assert (one.count(), one.segment_count()) == (3, 1)
    with pytest.raises(TypeError, match="unexpected keyword argument 'segment'"):
        followup.frequency_from_book(b, segment=codes.tobytes())
    with pytest.raises(followup.InvalidArgumentError, match="want 8 bytes"):
        followup.frequency_from_book(b, "answered", segments=b"\0\0\0\0", n_segments=2)


def test_frequency_from_book_bytes_keyword_is_deprecated_at_the_callers_line():
    b = _two_customer_book()
    codes = np.array([0, 1], dtype="<u4").tobytes()
    with pytest.warns(DeprecationWarning, match=r"frequency_from_book\(\): the keyword bytes= is deprecated.*"
                                                r"use segments=") as rec:
        d = followup.frequency_from_book(b, "answered", bytes=codes, n_segments=2)  # the warning's line
    assert (d.count(), d.positives(), d.negatives(), d.segment_count()) == (3, 1, 1, 2)
    assert len(rec) == 1
    assert rec[0].filename == __file__  # the user's line, not the package's
    import inspect
    src = inspect.getsource(test_frequency_from_book_bytes_keyword_is_deprecated_at_the_callers_line)
    first = test_frequency_from_book_bytes_keyword_is_deprecated_at_the_callers_line.__code__.co_firstlineno
    line = first + next(i for i, s in enumerate(src.splitlines()) if "# the warning's line" in s)
    assert rec[0].lineno == line
    with pytest.raises(TypeError, match="segments given twice"):
        followup.frequency_from_book(b, "answered", segments=codes, bytes=codes, n_segments=2)
