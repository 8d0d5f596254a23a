"""followup.frames and followup.models: the lifetimes-style summary against the C
summaries and the published CDNOW files, the estimators' estimates and Hessian
standard errors against an independent numpy computation, typed DataFrames."""
import math
import pathlib

import pytest

np = pytest.importorskip("numpy")
pd = pytest.importorskip("pandas")

import followup  # noqa: E402
from followup import frames, models  # noqa: E402
from fu_helpers import book_of_dir, sample_book  # noqa: E402

DATA = pathlib.Path(__file__).resolve().parent.parent / "data" / "cdnow"


@pytest.fixture(scope="module")
def cdnow_tx():
    """CDNOW_sample.txt (tests/data/cdnow, see its README) as a transaction DataFrame."""
    df = pd.read_csv(DATA / "CDNOW_sample.txt", sep=r"\s+", header=None,
                     names=["master", "id", "date", "cds", "value"], dtype={"date": str})
    df["date"] = pd.to_datetime(df["date"], format="%Y%m%d")
    return df


@pytest.fixture(scope="module")
def cdnow_summary():
    return pd.read_csv(DATA / "cdnow_customers_summary_with_transactions.csv").set_index("ID")


def test_summary_by_hand():
    tx = pd.DataFrame({"c": ["a", "a", "a", "b", "a", "c"],
                       "at": ["2024-01-01T10:00:00Z", "2024-01-01T18:00:00+02:00", "2024-01-04T00:00:00Z",
                              "2024-01-02T00:00:00Z", "2024-01-08T12:00:00Z", "2024-02-01T00:00:00Z"],
                       "v": [10.0, 5.0, 20.0, 7.0, 40.0, 1.0]})
    s = frames.summary_from_transactions(tx, "c", "at", "v", observation_period_end="2024-01-11")
    # a: days 1 (10 + 5), 4 (20), 8 (40): 2 repeats, recency 7, T 10, mean repeat 30
    assert s.loc["a"].tolist() == [2.0, 7.0, 10.0, 30.0]
    assert s.loc["b"].tolist() == [0.0, 0.0, 9.0, 0.0]
    assert "c" not in s.index  # after the observation end
    assert list(s.columns) == ["frequency", "recency", "T", "monetary_value"]
    assert s.dtypes.eq("float64").all()


def test_summary_accepts_datetime64_tz_aware_and_iso_strings():
    naive = pd.Series(pd.to_datetime(["2024-01-01 10:00", "2024-01-05 10:00"]))
    aware = naive.dt.tz_localize("UTC").dt.tz_convert("Asia/Shanghai")
    iso = ["2024-01-01T18:00:00+08:00", "2024-01-05T10:00:00Z"]
    ref = None
    for times in (naive, aware, iso, [pd.Timestamp(t) for t in iso]):
        s = frames.summary_from_transactions(pd.DataFrame({"c": [1, 1], "t": times}), "c", "t")
        assert s.loc[1, "frequency"] == 1 and s.loc[1, "recency"] == 4
        ref = s if ref is None else ref
        pd.testing.assert_frame_equal(s, ref)


def test_summary_reproduces_the_published_cdnow_file(cdnow_tx, cdnow_summary):
    s = frames.summary_from_transactions(cdnow_tx, "id", "date", "value", observation_period_end="1997-09-30",
                                         freq="D", freq_multiplier=7)
    assert len(s) == 2357
    ref = cdnow_summary.loc[s.index]
    for mine, theirs in (("frequency", "x"), ("recency", "t_x"), ("T", "T"), ("monetary_value", "zbar")):
        assert np.abs(s[mine].to_numpy() - ref[theirs].to_numpy()).max() < 0.0051, mine
    assert s["frequency"].sum() == 2457 and (s["frequency"] > 0).sum() == 946


def test_summary_matches_the_c_summaries(cdnow_tx):
    s = frames.summary_from_transactions(cdnow_tx, "id", "date", "value", observation_period_end="1997-09-30",
                                         freq="D", freq_multiplier=7)
    ids = np.sort(cdnow_tx["id"].unique())
    pos = np.searchsorted(ids, cdnow_tx["id"].to_numpy()).astype(np.int64)
    secs = (cdnow_tx["date"].astype("int64") // 10**9).to_numpy(dtype=np.int64)
    end = followup.time_parse("1997-10-01T00:00:00Z") - 1  # the whole of 30 September
    c = followup.summarize(pos, secs, cdnow_tx["value"].to_numpy(dtype=np.float64), len(ids), end, 604800.0)
    has = ~np.isnat(c.first_at())
    assert has.sum() == len(s)
    assert np.allclose(np.asarray(c.x())[has], s["frequency"].to_numpy())
    assert np.allclose(np.asarray(c.t_x())[has], s["recency"].to_numpy(), atol=1e-9)
    # C measures T from the first purchase to the end instant (30 Sept 23:59:59)
    assert np.allclose(np.asarray(c.T())[has], s["T"].to_numpy(), atol=1 / 7)
    assert np.allclose(np.asarray(c.zbar())[has], s["monetary_value"].to_numpy(), atol=1e-9)


# ---- an independent BG/NBD and Gamma-Gamma log-likelihood in numpy ----
_lgamma = np.vectorize(math.lgamma)


def _lbeta(a, b):
    return _lgamma(a) + _lgamma(b) - _lgamma(a + b)


def bgnbd_ll(theta, x, tx, T):
    r, alpha, a, b = theta
    base = _lgamma(r + x) - math.lgamma(r) + r * math.log(alpha)
    a1 = _lbeta(a, b + x) - _lbeta(a, b) + base - (r + x) * np.log(alpha + T)
    with np.errstate(invalid="ignore", divide="ignore"):
        a2 = np.where(x > 0, _lbeta(a + 1, np.maximum(b + x - 1, 1e-12)) - _lbeta(a, b) + base
                      - (r + x) * np.log(alpha + tx), -np.inf)
    return float(np.logaddexp(a1, a2).sum())


def gg_ll(theta, x, z):
    p, q, g = theta
    return float((_lgamma(p * x + q) - _lgamma(p * x) - math.lgamma(q) + q * math.log(g)
                  + (p * x - 1) * np.log(z) + p * x * np.log(x) - (p * x + q) * np.log(g + x * z)).sum())


def _hessian_se(f, theta):
    theta = np.asarray(theta, float)
    k, h = len(theta), 1e-4 * np.abs(theta)
    H = np.empty((k, k))
    for i in range(k):
        for j in range(k):
            ei, ej = np.eye(k)[i] * h[i], np.eye(k)[j] * h[j]
            H[i, j] = (f(theta + ei + ej) - f(theta + ei - ej) - f(theta - ei + ej) + f(theta - ei - ej)) / (
                4 * h[i] * h[j])
    return np.sqrt(np.diag(np.linalg.inv(-H)))


def test_bgnbd_estimator_on_cdnow(cdnow_summary):
    d = cdnow_summary
    bgf = models.BetaGeoFitter()
    assert "not fitted" in repr(bgf)
    assert bgf.fit(d["x"], d["t_x"], d["T"]) is bgf
    p = bgf.params_
    for k, v in {"r": 0.2426, "alpha": 4.4135, "a": 0.7929, "b": 2.4258}.items():
        assert abs(p[k] - v) < 6e-4, k
    x, tx, T = (d[c].to_numpy(float) for c in ("x", "t_x", "T"))
    assert bgf.log_likelihood_ == pytest.approx(bgnbd_ll(p.to_numpy(), x, tx, T), abs=1e-6)
    assert bgf.log_likelihood_ == pytest.approx(-9582.43, abs=0.01)
    se = _hessian_se(lambda th: bgnbd_ll(th, x, tx, T), p.to_numpy())
    sm = bgf.summary
    assert list(sm.columns) == ["coef", "se(coef)", "lower 95% bound", "upper 95% bound"]
    assert np.allclose(sm["se(coef)"].to_numpy(), se, rtol=2e-3)
    # as lifetimes reports them for CDNOW: 0.0126, 0.3782, 0.1857, 0.7053
    assert np.allclose(se, [0.012557, 0.378221, 0.185719, 0.705345], rtol=3e-3)
    assert np.allclose(sm["lower 95% bound"], p - 1.959964 * sm["se(coef)"])
    assert bgf.converged and bgf.iterations_ > 0 and bgf.n_ == 2357
    assert "BetaGeoFitter: fitted with 2357 subjects" in repr(bgf)


def test_gammagamma_estimator_on_cdnow(cdnow_summary):
    d = cdnow_summary[cdnow_summary["x"] > 0]
    ggf = models.GammaGammaFitter().fit(cdnow_summary["x"], cdnow_summary["zbar"])
    p = ggf.params_
    for k, v in {"p": 6.2488, "q": 3.7446, "gamma": 15.448}.items():
        assert abs(p[k] - v) < 2e-3, k
    x, z = d["x"].to_numpy(float), d["zbar"].to_numpy(float)
    assert ggf.log_likelihood_ == pytest.approx(gg_ll(p.to_numpy(), x, z), abs=1e-6)
    se = _hessian_se(lambda th: gg_ll(th, x, z), p.to_numpy())
    assert np.allclose(ggf.summary["se(coef)"].to_numpy(), se, rtol=2e-3)
    assert ggf.n_ == 946


def test_predictions_take_arrays_series_and_frames(cdnow_summary):
    d = cdnow_summary.rename(columns={"x": "frequency", "t_x": "recency", "zbar": "monetary_value"})
    bgf = models.BetaGeoFitter().fit(d)
    pa = bgf.conditional_probability_alive(d)
    assert isinstance(pa, pd.Series) and (pa.index == d.index).all()
    arr = bgf.conditional_probability_alive(d["frequency"].to_numpy(), d["recency"].to_numpy(), d["T"].to_numpy())
    assert isinstance(arr, np.ndarray) and np.array_equal(arr, pa.to_numpy())
    # Fader, Hardie & Lee (2005): customer 1 (x 2, t_x 30.43, T 38.86) buys 1.226 times in 39 weeks
    e = bgf.predict(39, [2], [30.43], [38.86])
    assert abs(e[0] - 1.226) < 0.001
    assert np.allclose(bgf.expected_number_of_purchases_up_to_time([39])[0], 1.195, atol=1e-3)
    assert bgf.conditional_expected_purchases(39, [2], [30.43], [38.86])[0] == e[0]
    assert np.array_equal(bgf.p_alive(d), pa)
    ggf = models.GammaGammaFitter().fit(d)
    clv = ggf.customer_lifetime_value(bgf, d["frequency"], d["recency"], d["T"], d["monetary_value"], time=12)
    assert isinstance(clv, pd.Series) and (clv >= 0).all() and clv.name == "clv"
    assert ggf.clv(bgf, d["frequency"], d["recency"], d["T"], d["monetary_value"], time=12).equals(clv)
    prof = ggf.conditional_expected_average_profit(d["frequency"], d["monetary_value"])
    # by hand: (q - 1) / (p x + q - 1) * gamma p / (q - 1) + p x / (p x + q - 1) * zbar
    p, q, g = ggf.params_
    x1, z1 = d["frequency"].iloc[0], d["monetary_value"].iloc[0]
    assert prof.iloc[0] == pytest.approx((g * p + p * x1 * z1) / (p * x1 + q - 1), rel=1e-9)


def test_unidentified_models_raise_a_followup_error():
    with pytest.raises(models.ModelNotIdentifiedError) as e:
        models.GammaGammaFitter().fit([1, 2, 3], [5.0, 5.0, 5.0])
    assert isinstance(e.value, followup.ConvergenceError) and isinstance(e.value, followup.Error)
    assert "do not identify" in str(e.value)
    with pytest.raises(models.ModelNotIdentifiedError):
        models.BetaGeoFitter().fit([0, 0], [0, 0], [5, 6])
    with pytest.raises(models.NotFittedError):
        models.BetaGeoFitter().conditional_probability_alive([1], [1], [2])
    with pytest.raises(followup.InvalidArgumentError) as e:
        models.BetaGeoFitter().fit([1, 2], [1], [3, 4])
    assert "different lengths" in str(e.value)
    with pytest.raises(followup.InvalidArgumentError) as e:
        models.BetaGeoFitter().fit(["a"], [1], [3])
    assert "frequency" in str(e.value) and "double" not in str(e.value)


def test_segments_frame_matches_the_cli_and_types(srcdir):
    b = sample_book(srcdir)
    s = frames.segments(b, "2026-11-23T00:00:00+08:00")
    assert len(s) == b.customer_count() and s.index.name == "customer_id"
    assert str(s["tier"].dtype) == "category" and str(s["lifecycle"].dtype) == "category"
    assert s["human"].dtype == bool
    scored = s.dropna(subset=["p_alive"])
    assert ((scored["p_alive"] >= 0) & (scored["p_alive"] <= 1)).all() and (scored["clv"] >= 0).all()


def test_segments_without_clv_when_gammagamma_is_not_identified(tmp_path, srcdir):
    import subprocess
    import sys
    out = tmp_path / "book"
    subprocess.run([sys.executable, str(srcdir / "examples" / "sample" / "generate.py"), "--customers", "400",
                    "--now", "2026-11-23T00:00:00+08:00", "--out", str(out)], check=True, capture_output=True)
    b = book_of_dir(out)
    with pytest.warns(frames.FollowupWarning, match="no CLV"):
        s = frames.segments(b, pd.Timestamp("2026-11-23T00:00:00+08:00"))
    assert len(s) == 400 and s["clv"].isna().all() and s["p_alive"].notna().sum() > 300
    assert s["segment"].notna().all()


def test_plan_frame_is_typed(srcdir):
    b = sample_book(srcdir)
    plan = followup.Planner(followup.policy_default(), b, agents=4).plan(
        followup.time_parse("2026-11-23T00:00:00+08:00"))
    df = frames.plan_frame(plan)
    assert str(df["best_at"].dtype) == "datetime64[ns, UTC]"
    assert list(df["channel"].cat.categories) == list(frames.CHANNELS)
    assert list(df["status"].cat.categories) == list(frames.STATUSES)
    assert (df["status"] == "planned").sum() == plan.count(followup.TOUCHPOINT_PLANNED)
    assert (df["status"] == "suppressed").sum() == plan.count(followup.TOUCHPOINT_SUPPRESSED)
    planned = frames.plan_frame(plan, "planned")
    assert len(planned) == plan.count(followup.TOUCHPOINT_PLANNED)
    first = plan.touchpoints()[0]
    assert planned["customer_id"].iloc[0] == first.customer_id
    assert planned["best_at"].iloc[0] == pd.Timestamp(first.best_at_epoch, unit="s", tz="UTC")
