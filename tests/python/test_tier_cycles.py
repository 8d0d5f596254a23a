"""Tier cycles combined across a book's partitions (review s10 F7, audit D4):
Planner.tier_cycle_sums() gives integer parts; combine_tier_cycles(parts)
adds them and gives bit for bit the cycles of one planner over the whole
book, whatever the split and the order of the partitions."""
import pathlib

import pytest

np = pytest.importorskip("numpy")
pd = pytest.importorskip("pandas")

import followup  # noqa: E402

SAMPLE = pathlib.Path(__file__).resolve().parents[2] / "examples" / "sample" / "data"


def _frames():
    c = pd.read_csv(SAMPLE / "customers.csv", dtype=str, keep_default_na=False)
    e = pd.read_csv(SAMPLE / "events.csv", dtype=str, keep_default_na=False)
    return c, e


def _book(c, e):
    b = followup.Book()
    b.read_customers_text(c.to_csv(index=False))
    b.read_events_text(e[e["customer_id"].isin(c["customer_id"])].to_csv(index=False))
    b.finalize()
    return b


def _bits(a):
    return np.asarray(a, dtype=np.float64).view(np.int64).tolist()


def _splits(c):
    n = len(c)
    rng = np.random.default_rng(19)
    shuffled = c.iloc[rng.permutation(n)]
    return {
        "every third": [c.iloc[p::3] for p in range(3)],
        "runs": [c.iloc[: n // 3], c.iloc[n // 3: 2 * n // 3], c.iloc[2 * n // 3:]],
        "shuffled, uneven, reversed": [shuffled.iloc[n // 2:], shuffled.iloc[7: n // 2], shuffled.iloc[:7]][::-1],
    }


def test_partitions_combine_to_the_whole_books_cycles_bit_for_bit():
    c, e = _frames()
    pol = followup.policy_default()
    whole = followup.Planner(pol, _book(c, e))
    want = whole.tier_cycles()
    wsum, wcnt = whole.tier_cycle_sums()
    assert wsum.dtype == np.int64 and wcnt.dtype == np.uint64 and len(wsum) == len(want) == 9
    assert (want > 0).all()
    # the mean of whole seconds per customer, in days
    np.testing.assert_array_equal(want, wsum / wcnt.astype(np.float64) / 86400.0)
    old_way_differs = 0
    for name, parts in _splits(c).items():
        planners = [followup.Planner(pol, _book(p, e)) for p in parts]
        got = followup.combine_tier_cycles([pl.tier_cycle_sums() for pl in planners])
        assert got.dtype == np.float64
        assert _bits(got) == _bits(want), name
        got_rev = followup.combine_tier_cycles([pl.tier_cycle_sums() for pl in planners[::-1]])
        assert _bits(got_rev) == _bits(want), name
        s = sum(pl.tier_cycle_sums()[0].astype(object) for pl in planners)
        assert s.tolist() == wsum.tolist(), name
        # the approximate form weights partition means by customers: not the same
        approx = followup.combine_tier_cycles([pl.tier_cycles() for pl in planners], [len(p) for p in parts])
        old_way_differs += _bits(approx) != _bits(want)
    assert old_way_differs > 0


def test_a_partition_plans_as_in_the_whole_book_with_the_combined_cycles():
    c, e = _frames()
    pol = followup.policy_default()
    whole_book = _book(c, e)
    parts = [c.iloc[p::3] for p in range(3)]
    cycles = followup.combine_tier_cycles([followup.Planner(pol, _book(p, e)).tier_cycle_sums() for p in parts])
    now = 1797177600 - 200 * 86400  # 200 days before 2026-12-14T00:00:00+08:00, the end of the book's history
    horizon = 90 * 86400
    whole = followup.Planner(pol, whole_book).plan(now, horizon)
    rows = {(t.customer_id, t.rule, t.best_at, t.due_from, t.due_to, t.reason) for t in whole.touchpoints()}
    assert sum("tier mean" in r[-1] for r in rows) >= 5  # contacts from the fallback cycles
    mine = set()
    for p in parts:
        plan = followup.Planner(pol, _book(p, e), tier_cycles=cycles).plan(now, horizon)
        mine |= {(t.customer_id, t.rule, t.best_at, t.due_from, t.due_to, t.reason) for t in plan.touchpoints()}
    assert rows and mine == rows


def test_bad_parts_are_refused():
    s = np.array([10, 0], dtype=np.int64)
    n = np.array([1, 0], dtype=np.uint64)
    with pytest.raises(followup.InvalidArgumentError, match="wrap it in a list"):
        followup.combine_tier_cycles((s, n))
    with pytest.raises(followup.InvalidArgumentError, match="one length"):
        followup.combine_tier_cycles([(s, n), (s[:1], n[:1])])
    with pytest.raises(followup.InvalidArgumentError, match="integers"):
        followup.combine_tier_cycles([(s.astype(float), n)])
    with pytest.raises(followup.InvalidArgumentError, match="seconds over 0 customers"):
        followup.combine_tier_cycles([(s, np.zeros(2, np.uint64))])
    with pytest.raises(followup.InvalidArgumentError, match="seconds >= 0"):
        followup.combine_tier_cycles([(np.array([-1, 0]), n)])
    with pytest.raises(followup.InvalidArgumentError, match="no partitions"):
        followup.combine_tier_cycles([])
    assert followup.combine_tier_cycles([(s, n), (s, n)]).tolist() == [20 / 2 / 86400.0, 0.0]


def test_overflow_raises_never_wraps():
    big = np.array([np.iinfo(np.int64).max - 1], dtype=np.int64)
    one = np.array([1], dtype=np.uint64)
    assert followup.combine_tier_cycles([(big, one)])[0] == float(big[0]) / 86400.0
    with pytest.raises(followup.RangeError, match="past int64"):
        followup.combine_tier_cycles([(big, one), (np.array([2], dtype=np.int64), one)])
    with pytest.raises(followup.RangeError, match="past int64"):
        followup.combine_tier_cycles([(np.zeros(1, np.int64), np.array([np.iinfo(np.uint64).max], np.uint64)),
                                      (np.zeros(1, np.int64), one)])


def test_a_planner_given_its_cycles_has_no_parts():
    c, e = _frames()
    pol = followup.policy_default()
    b = _book(c, e)
    cycles = followup.Planner(pol, b).tier_cycles()
    with pytest.raises(followup.StateError, match="given its tier cycles"):
        followup.Planner(pol, b, tier_cycles=cycles).tier_cycle_sums()
