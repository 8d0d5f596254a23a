"""fu_segment from Python: CDNOW fits, scoring, summaries, RFM and error translation."""
import csv
import math

import numpy as np
import pytest
from numpy.testing import assert_array_equal

import followup


@pytest.fixture(scope="module")
def cdnow(datadir):
    with open(datadir / "cdnow" / "cdnow_customers_summary_with_transactions.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    cols = {k: [float(r[k]) for r in rows] for k in ("x", "t_x", "T", "zbar")}
    assert len(cols["x"]) == 2357
    return cols


def test_bgnbd_fit_reproduces_published_cdnow_estimates(cdnow):
    m = followup.bgnbd_fit(cdnow["x"], cdnow["t_x"], cdnow["T"])
    assert isinstance(m, followup.BgNbd)
    assert abs(m.r - 0.243) < 0.002 and abs(m.alpha - 4.414) < 0.002
    assert abs(m.a - 0.793) < 0.002 and abs(m.b - 2.426) < 0.002
    ll = followup.bgnbd_loglik(m, cdnow["x"], cdnow["t_x"], cdnow["T"])
    assert abs(ll + 9582.4) < 0.1


def test_pareto_and_gammagamma_fits(cdnow):
    p = followup.pareto_fit(cdnow["x"], cdnow["t_x"], cdnow["T"])
    assert abs(p.r - 0.553) < 0.002 and abs(p.beta - 11.669) < 0.002
    g = followup.gammagamma_fit(cdnow["x"], cdnow["zbar"])
    assert abs(g.p - 6.25) < 0.02 and abs(g.q - 3.74) < 0.02 and abs(g.gamma - 15.44) < 0.02
    assert abs(followup.gammagamma_loglik(g, cdnow["x"], cdnow["zbar"]) + 4055.9) < 0.1


def test_scoring_lists_and_clv():
    m = followup.BgNbd(0.242593, 4.413532, 0.792886, 2.425753)
    x, tx, T = [2, 0, 5000], [30.43, 0, 38.9], [38.86, 38.86, 39]
    pa = followup.bgnbd_p_alive(m, x, tx, T)
    assert isinstance(pa, np.ndarray) and pa.dtype == np.float64
    assert len(pa) == 3 and pa[1] == 1.0 and all(0 <= p <= 1 for p in pa)
    e = followup.bgnbd_expected(m, x, tx, T, 39)
    assert abs(e[0] - 1.226) < 0.0005  # Fader, Hardie & Lee (2005)
    assert all(math.isfinite(v) for v in e)
    assert abs(followup.bgnbd_expected_new(m, 39) - 1.1950) < 1e-4
    # one period by hand: value * E(P) / (1 + d)
    clv = followup.bgnbd_clv(m, None, x[:1], tx[:1], T[:1], [22.35], 52 / 12, periods=1, discount=0.01)
    e1 = followup.bgnbd_expected(m, x[:1], tx[:1], T[:1], 52 / 12)[0]
    assert clv[0] == pytest.approx(22.35 * e1 / 1.01, rel=1e-12)
    g = followup.GammaGamma(6.25, 3.74, 15.44)
    assert followup.bgnbd_clv(m, g, x, tx, T, [22.35, 0, 30], 52 / 12)[1] > 0


def test_numpy_arrays_are_accepted():
    m = followup.BgNbd(0.242593, 4.413532, 0.792886, 2.425753)
    x = np.array([2.0, 0.0]), np.array([30.43, 0.0]), np.array([38.86, 10.0])
    assert_array_equal(followup.bgnbd_p_alive(m, *x), followup.bgnbd_p_alive(m, [2, 0], [30.43, 0], [38.86, 10]))
    # the list results of the SWIG layer, bit for bit
    assert_array_equal(followup.bgnbd_p_alive(m, *x), followup.core.bgnbd_p_alive(m, *x))


def test_errors_raise_the_right_classes():
    m = followup.BgNbd(0.24, 4.4, 0.79, 2.4)
    with pytest.raises(followup.ConvergenceError):
        followup.bgnbd_fit([0, 0, 0], [0, 0, 0], [5, 6, 7])
    with pytest.raises(followup.InvalidArgumentError) as info:
        followup.bgnbd_p_alive(m, [1, 1], [1, 3], [2, 2])
    assert "t_x[1]" in info.value.message
    with pytest.raises(followup.InvalidArgumentError):
        followup.bgnbd_p_alive(m, [1], [1, 2], [2])
    with pytest.raises(followup.RangeError):  # q < 1: the population mean does not exist
        followup.gammagamma_expected(followup.GammaGamma(1, 0.5, 10), [0], [0])
    assert isinstance(followup.ConvergenceError("x"), ArithmeticError)


def test_summarize_from_events():
    day = 86400
    s = followup.summarize([0, 0, 0, 1], [0, 3 * day, 3 * day + 60, 5 * day], [10.0, 20.0, 5.0, 7.0],
                           3, 10 * day, float(day))
    assert s.n == 3
    assert s.x().tolist() == [1.0, 0.0, 0.0]
    assert s.t_x().tolist() == [3.0, 0.0, 0.0]
    assert s.T().tolist() == [10.0, 5.0, 0.0]
    assert s.zbar().tolist() == [25.0, 0.0, 0.0]
    assert s.total().tolist() == [35.0, 7.0, 0.0]
    assert np.isnat(s.first_at()[2])
    with pytest.raises(followup.InvalidArgumentError) as info:
        followup.summarize([0, 9], [0, 0], [1.0, 1.0], 2, day, float(day))
    assert "event 1" in info.value.message


def test_rfm_codes_and_groups():
    rec = [5, 5, 10, 20, 20, 20, 40, 80, 160, 365]
    freq = [10, 1, 3, 3, 8, 1, 2, 5, 1, 20]
    mon = [500, 20, 100, 100, 300, 10, 50, 200, 5, 1000]
    codes = followup.rfm_codes(rec, freq, mon)
    assert codes.dtype == np.int64
    assert_array_equal(codes, [555, 512, 433, 333, 344, 311, 222, 244, 111, 155])
    groups = followup.rfm_groups(rec, freq, mon)
    assert isinstance(groups, np.ndarray) and groups.tolist() == followup.core.rfm_groups(rec, freq, mon)
    assert groups[0] == "champions" and groups[9] == "cant_lose"
    assert followup.tier_name(followup.TIER_VIP) == "vip"
    assert followup.lifecycle_name(followup.LIFECYCLE_CHURNED) == "churned"


BOOK_CUSTOMERS = ("customer_id,tz,annual_spend,first_purchase_at\n"
                  "A,Asia/Shanghai,,\n"
                  "B,America/New_York,600000,2020-01-01T00:00:00Z\n"
                  "C,UTC,,\n")
BOOK_EVENTS = ("customer_id,at,kind,order_id,unit_price,amount\n"
               "A,2026-01-01T10:00:00+08:00,purchase,o1,,100\n"
               "A,2026-01-01T23:30:00+08:00,purchase,o2,,50\n"
               "A,2026-01-02T07:00:00+08:00,purchase,o3,,30\n"
               "A,2026-01-15T12:00:00+08:00,purchase,o4,12000,70\n"
               "A,2026-02-20T10:00:00+08:00,complaint,,,\n"
               "C,2026-02-27T12:00:00Z,purchase,o5,,10\n")
BOOK_NOW = 1772294400  # 2026-03-01T00:00:00+08:00


def small_book():
    b = followup.Book()
    b.read_customers_text(BOOK_CUSTOMERS)
    b.read_events_text(BOOK_EVENTS)
    return b


def test_rules_from_policy_and_assign_columns():
    rules = followup.segment_rules_from_policy(followup.policy_default())  # the policy is kept alive
    assert rules.flags & followup.SEGMENT_RULES_POLICY
    assert rules.n_tiers == 3 and rules.rfm_bins == 5 and rules.n_composite == 6
    assert rules.human_from_quantile == pytest.approx(0.8)
    nan = float("nan")
    now = BOOK_NOW
    a = followup.segment_assign(now, [500000, 500001, 100000, 99999.99], [20000, 500, 5000, nan],
                                [now - 400 * 86400] * 3 + [nan], [now - 10 * 86400] * 3 + [nan],
                                [0, 0, 1, 0], [], [], rules)
    assert a.n == 4
    assert a.tiers().tolist() == ["key", "vip", "key", "ordinary"]
    assert a.tier_rules().tolist() == ["segments.value_tiers.key", "segments.value_tiers.vip",
                              "segments.value_tiers.key", "segments.value_tiers.ordinary"]
    assert a.product_classes().tolist() == ["high_price", "low_price", "mid_price", "unknown"]
    assert a.lifecycles().tolist() == ["growing", "growing", "declining", "new"]
    assert a.lifecycle_rules()[2] == "segments.lifecycle.declining.complaint_within"
    assert a.segments().tolist() == ["standard", "vip", "high_value_at_risk", "new_customer"]
    assert a.human().tolist() == [0, 1, 1, 1]
    assert a.churn_risk().tolist() == [0, 0, 1, 0]
    assert a.churn_rules()[0] is None
    # without rules: the built-in thresholds and names, no composite segments
    d = followup.segment_assign(now, [600000], [1], [now - 86400], [now - 86400], [0], [], [])
    assert d.tier_rules().tolist() == ["segments.tiers.vip"] and d.segments().tolist() == [None]
    with pytest.raises(followup.InvalidArgumentError):
        followup.segment_assign(now, [1, 2], [1], [now], [now], [0, 0], [], [], rules)
    with pytest.raises(followup.InvalidArgumentError):
        followup.segment_assign(now, [1], [1], [now], [now], [0], [0.5, 0.5], [], rules)


def test_segment_book_hand_computed_and_assign_book():
    rules = followup.segment_rules_from_policy(followup.policy_default())
    s = followup.segment_book(small_book(), BOOK_NOW, rules)  # book kept alive by s
    assert s.n == 3
    assert s.x()[0] == 2.0 and s.zbar()[0] == 50.0 and s.total()[0] == 250.0
    assert s.t_x()[0] == pytest.approx(2.0) and s.T()[0] == pytest.approx(59 / 7)
    assert math.isnan(s.recency()[1]) and s.recency()[0] == pytest.approx(45 / 7)
    assert s.frequency().tolist() == [3.0, 0.0, 1.0] and s.monetary().tolist() == [250.0, 0.0, 10.0]
    assert s.rfm_codes().tolist() == [133, 0, 311]
    assert s.rfm_groups().tolist() == ["churn_risk", None, "other"]  # 311: no policy group
    a = followup.segment_assign_book(s, BOOK_NOW, [0.9, 0.5, 0.5], [100.0, float("nan"), 5.0], rules)
    assert a.lifecycle_rules()[0] == "segments.lifecycle.declining.complaint_within"
    assert a.segments().tolist() == ["at_risk", "deep_care", "new_customer"]
    # the higher of two known CLVs is at the 80% quantile: human
    assert a.handling_rules()[0] == "segments.clv.human_from_quantile"
    days = followup.segment_book(small_book(), BOOK_NOW, None, 86400.0, False, 0)
    assert days.x()[0] == 1.0 and days.zbar()[0] == 70.0
    with pytest.raises(followup.InvalidArgumentError):
        followup.segment_book(small_book(), BOOK_NOW, None, 0.0)


def test_segment_objects_outlive_their_parents():
    import gc
    s = followup.segment_book(small_book(), BOOK_NOW,
                              followup.segment_rules_from_policy(followup.policy_default()))
    gc.collect()
    a = followup.segment_assign_book(s, BOOK_NOW, [], [])
    del s
    gc.collect()
    assert a.tiers().tolist() == ["ordinary", "vip", "ordinary"]
    assert a.segments().tolist() == [None, None, None]


def test_bgnbd_fit_converges_on_a_simulated_sample():
    """Regression: a seeded BG/NBD sample (1,000 customers, continuous t_x and
    T) on which the per-value likelihood tables stopped short of convergence
    ("no convergence in 400 iterations"). Reference: the row-by-row objective
    of release 0.1 (same optimum to 1e-9)."""
    from fu_helpers import bgnbd_sample
    x, t_x, T = bgnbd_sample(1000)
    m = followup.bgnbd_fit(x, t_x, T)
    ref = (0.24768805667453406, 4.364821263793854, 0.6563987099169902, 1.8056012578610228)
    for got, want in zip((m.r, m.alpha, m.a, m.b), ref):
        assert abs(got - want) <= 1e-9 * abs(want)
