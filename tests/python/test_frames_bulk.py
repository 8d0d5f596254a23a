"""The DataFrames of followup.frames are built from C columns (no CSV round
trip, no Python loop per row) and equal what the CSV / per-cell accessors give:
plans (every status), ledger queries, segments; every returned frame has typed
columns (datetime64[ns, UTC], categoricals, not raw ints)."""
import io

import pytest

np = pytest.importorskip("numpy")
pd = pytest.importorskip("pandas")

import followup  # noqa: E402
from followup import core, frames  # noqa: E402
from fu_helpers import sample_book  # noqa: E402

NOW = "2026-11-23T00:00:00+08:00"


@pytest.fixture(scope="module")
def book(srcdir):
    return sample_book(srcdir)


@pytest.fixture(scope="module")
def plan(book):
    return followup.Planner(followup.policy_default(), book, agents=4).plan(followup.time_parse(NOW))


def _csv_frame(plan, mask):
    """The frame the old plan_frame made: the plan CSV parsed by pandas."""
    df = pd.read_csv(io.StringIO(plan.csv(mask, True)), dtype=str, keep_default_na=False)
    for c in ("due_from", "due_to", "best_at"):
        df[c] = pd.to_datetime(df[c].replace("", None), utc=True)
    for c, cats in (("channel", frames.CHANNELS), ("priority", frames.PRIORITIES), ("status", frames.STATUSES)):
        df[c] = pd.Categorical(df[c].replace("", np.nan), categories=list(cats))
    for c in ("rule", "reason", "status_rule", "purpose"):
        df[c] = df[c].replace("", None)
    return df


@pytest.fixture(scope="module")
def tight_plan(book):
    """One agent with 3 calls a day: deferred touchpoints."""
    return followup.Planner(followup.policy_default(), book, agents=1, calls_per_agent=3).plan(
        followup.time_parse(NOW), 7 * 86400)


@pytest.mark.parametrize("status", ["all", "planned", "suppressed", "deferred", "later"])
def test_plan_frame_equals_the_csv_frame(plan, tight_plan, status):
    bit = {"planned": 0, "suppressed": 1, "deferred": 2, "later": 4}
    mask = 0b111 if status == "all" else 1 << bit[status]
    p = tight_plan if status == "deferred" else plan
    new = frames.plan_frame(p, status)
    old = _csv_frame(p, mask)
    assert len(new) == len(old) and len(new) > 0
    # CSV cells that a spreadsheet would read as formulas are written with a ' in front: compare the rest
    formula = old["reason"].fillna("").str.startswith("'") | old["purpose"].fillna("").str.startswith("'")
    assert not formula.any()
    pd.testing.assert_frame_equal(new[list(old.columns)], old, check_dtype=True)


def test_plan_frame_types_and_extra_columns(plan):
    df = frames.plan_frame(plan)
    for c in ("due_from", "due_to", "best_at", "trigger_at"):
        assert str(df[c].dtype) == "datetime64[ns, UTC]", c
    for c, cats in (("channel", frames.CHANNELS), ("priority", frames.PRIORITIES), ("status", frames.STATUSES)):
        assert isinstance(df[c].dtype, pd.CategoricalDtype) and list(df[c].cat.categories) == list(cats)
    assert df["customer"].dtype == np.int64 and df["purposes"].dtype == np.int64
    tps = plan.touchpoints()
    planned = df[df["status"] == "planned"].reset_index(drop=True)
    for k in (0, len(tps) // 2, len(tps) - 1):  # spot checks against the per-touchpoint accessor
        tp = tps[k]
        assert planned["customer"].iloc[k] == tp.customer
        assert planned["trigger_at"].iloc[k] == pd.Timestamp(tp.trigger_at_epoch, unit="s", tz="UTC") \
            if hasattr(tp, "trigger_at_epoch") else pd.Timestamp(tp.trigger_at, unit="s", tz="UTC")
        assert (planned["agent"].iloc[k] or "") == tp.agent
        assert (planned["order_id"].iloc[k] or "") == tp.order_id
    assert df.equals(plan.to_dataframe())


def test_plan_frame_builds_no_csv(plan, monkeypatch):
    def no_csv(*a, **k):
        raise AssertionError("plan_frame must not go through CSV")
    monkeypatch.setattr(core.Plan, "csv", no_csv)
    assert len(frames.plan_frame(plan)) > 0


def test_plan_columns_rejects_other_objects():
    with pytest.raises(TypeError, match="expected a followup.Plan"):
        core._plan_columns("plan", 1)
    with pytest.raises(TypeError, match="expected a followup.CommitmentList"):
        core._commitment_columns(None)


def _ledger():
    led = followup.Ledger()
    t = followup.time_parse
    led.add("C1", "call back", t("2026-11-01T00:00:00Z"), t("2026-11-03T00:00:00Z"))
    cid = led.add("C2", "send quote", t("2026-11-01T00:00:00Z"), t("2026-11-05T00:00:00Z"))
    led.fulfill(cid, t("2026-11-02T08:00:00Z"))
    led.add("C3", "=SUM(A1) 报价", t("2026-11-01T00:00:00Z"), t("2026-11-09T00:00:00Z"))
    return led


def test_commitments_frame_equals_the_per_cell_frame():
    lst = _ledger().query()
    new = frames.commitments_frame(lst)
    n = lst.count()
    rows = range(n)
    old = pd.DataFrame({"id": np.array([lst.id(i) for i in rows], dtype=np.int64)})
    for c in ("customer_id", "text", "category", "owner", "created_by", "rule"):
        old[c] = pd.Series([getattr(lst, c)(i) for i in rows], dtype=object)
    old["state"] = pd.Categorical([core.commit_state_name(lst.state(i)) for i in rows],
                                  categories=list(frames.COMMIT_STATES))
    old["level"] = np.array([lst.level(i) for i in rows], dtype=np.int64)
    for c in ("created_at", "deadline", "warn_at", "breach_at", "closed_at"):
        v = [getattr(lst, c + "_epoch" if hasattr(lst, c + "_epoch") else c)(i) for i in rows]
        old[c] = pd.Series([pd.NaT if x == core.COMMIT_NO_TIME else pd.Timestamp(x, unit="s", tz="UTC")
                            for x in v], dtype="datetime64[ns, UTC]")
    pd.testing.assert_frame_equal(new[list(old.columns)], old)
    assert list(new["state"].astype(str)) == ["open", "fulfilled", "open"]
    assert new["text"].iloc[2] == "=SUM(A1) 报价"  # raw text, no CSV quoting
    assert new["n_events"].dtype == np.int64 and new["warned"].dtype == bool
    assert new.equals(lst.to_dataframe())


def test_empty_frames_keep_their_types():
    lst = followup.Ledger().query()
    d = frames.commitments_frame(lst)
    assert len(d) == 0 and str(d["deadline"].dtype) == "datetime64[ns, UTC]"
    assert isinstance(d["state"].dtype, pd.CategoricalDtype)


def test_segments_ids_in_book_order(book):
    ids = core._book_customer_ids(book)
    assert ids == [book.customer(i).id for i in range(len(book))]
    with _quiet():
        s = frames.segments(book, NOW)
    assert list(s.index) == ids
    assert isinstance(s["tier"].dtype, pd.CategoricalDtype) and isinstance(s["segment"].dtype, pd.CategoricalDtype)
    assert s["human"].dtype == bool and s["p_alive"].dtype == np.float64


class _quiet:
    def __enter__(self):
        import warnings
        self._w = warnings.catch_warnings()
        self._w.__enter__()
        warnings.simplefilter("ignore")

    def __exit__(self, *a):
        return self._w.__exit__(*a)


def test_kpi_to_dataframe_is_typed(book):
    k = followup.Kpi(followup.policy_default(), as_of=followup.time_parse(NOW))
    k.add_book(book)
    k.compute()
    d = k.to_dataframe()
    assert isinstance(d["kpi"].dtype, pd.CategoricalDtype) and isinstance(d["status"].dtype, pd.CategoricalDtype)
    assert str(d["period_start"].dtype) == "datetime64[ns, UTC]" and str(d["n"].dtype) == "Int64"


def test_besttime_frame_is_typed(book):
    m = followup.BestTime(followup.policy_default(), book)
    d = frames.besttime_frame(m, segment=0)
    assert d.shape == (7, 24) and isinstance(d.index, pd.CategoricalIndex)
    assert all(t == np.float64 for t in d.dtypes)
