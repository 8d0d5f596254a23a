"""Issue 19 through Python: the bulk scoring path (P(alive) from cached logs,
expected purchases and CLV once per distinct (x, T)) against the formula
before it, and Redactor.apply_many against apply() one note at a time."""
import csv
import math
import pathlib

import pytest

np = pytest.importorskip("numpy")
pd = pytest.importorskip("pandas")

import followup  # noqa: E402
from followup import core, models  # noqa: E402

DATA = pathlib.Path(__file__).resolve().parent.parent / "data" / "cdnow"
NOTES = pathlib.Path(__file__).resolve().parents[2] / "examples" / "sample" / "data" / "notes.csv"
BG = dict(r=0.2426, alpha=4.4135, a=0.7929, b=2.4258)  # the CDNOW estimates
GG = dict(p=6.2498, q=3.7448, v=15.4475)


def old_p_alive(x, tx, T, r, alpha, a, b):
    """P(alive) as the code before the bulk path computed it (log1p of the ratio)."""
    if x == 0:
        return 1.0
    L = math.log(a) - math.log(b + x - 1) + (r + x) * math.log1p((T - tx) / (alpha + tx))
    if L > 0:
        e = math.exp(-L)
        return e / (1.0 + e)
    return 1.0 / (1.0 + math.exp(L))


def cdnow_like(n, seed=19):
    """CDNOW-like summaries (weeks, T 27-39 in days, purchase days, repeats):
    the shape bench/peers_scores.py scores, plus the edge rows."""
    rng = np.random.default_rng(seed)
    T = rng.integers(27 * 7, 39 * 7 + 1, n) / 7.0
    x = np.minimum(rng.poisson(rng.gamma(BG["r"], 1.0 / BG["alpha"], n) * T), 300).astype(np.float64)
    tx = np.where(x > 0, np.maximum(np.floor(rng.uniform(0, 1, n) * T * 7) / 7.0, 1.0 / 7), 0.0)
    edges = np.array([[0, 0, 0], [0, 0, 38], [3, 38, 38], [1, 0, 0], [2, 5, 5], [255, 10, 39], [256, 10, 39],
                      [1000, 30, 39], [70, 1, 39], [60, 0.5, 1e6], [5, 0, 0.25], [-0.0, -0.0, 3], [40, 39, 39.01]])
    return (np.concatenate([x, edges[:, 0]]), np.concatenate([tx, edges[:, 1]]), np.concatenate([T, edges[:, 2]]))


@pytest.fixture(scope="module")
def bg():
    f = models.BetaGeoFitter()
    f._model = core.BgNbd(BG["r"], BG["alpha"], BG["a"], BG["b"])
    f.params_ = pd.Series(BG)
    return f


@pytest.fixture(scope="module")
def gg():
    f = models.GammaGammaFitter()
    f._model = core.GammaGamma(GG["p"], GG["q"], GG["v"])
    f.params_ = pd.Series(GG)
    return f


def test_p_alive_equals_the_old_formula_on_cdnow_and_edges(bg):
    d = pd.read_csv(DATA / "cdnow_customers_summary_with_transactions.csv")
    x, tx, T = cdnow_like(20000)
    x = np.concatenate([d["x"].to_numpy(float), x])
    tx = np.concatenate([d["t_x"].to_numpy(float), tx])
    T = np.concatenate([d["T"].to_numpy(float), T])
    p = bg.conditional_probability_alive(x, tx, T)
    ref = np.array([old_p_alive(*v, **BG) for v in zip(x, tx, T)])
    assert np.all(p[x == 0] == 1.0)
    np.testing.assert_allclose(p, ref, rtol=1e-12, atol=0)
    big = x >= 256  # these take the old formula itself
    assert big.sum() >= 2 and np.array_equal(p[big], ref[big])


def test_expected_and_clv_do_not_depend_on_the_other_rows(bg, gg):
    x, tx, T = cdnow_like(5000, seed=7)
    z = np.where(x > 0, 20.0 + x, 0.0)
    s = bg.score(x, tx, T, z, t=52, spend_model=gg, time=12, discount_rate=0.01, period=4.345)
    perm = np.random.default_rng(1).permutation(len(x))
    sp = bg.score(x[perm], tx[perm], T[perm], z[perm], t=52, spend_model=gg, time=12, discount_rate=0.01,
                  period=4.345)
    for col in ("p_alive", "expected_purchases", "clv"):
        assert np.array_equal(s[col].to_numpy()[perm], sp[col].to_numpy()), col
    for i in range(0, len(x), 97):  # one customer a call: a fresh memo, the same bits
        one = bg.score(x[i:i + 1], tx[i:i + 1], T[i:i + 1], z[i:i + 1], t=52, spend_model=gg, time=12,
                       discount_rate=0.01, period=4.345)
        assert one.iloc[0].tolist() == s.iloc[i].tolist(), i


def test_expected_and_clv_equal_the_one_customer_functions(bg, gg):
    d = pd.read_csv(DATA / "cdnow_customers_summary_with_transactions.csv")
    x, tx, T, z = (d[c].to_numpy(float) for c in ("x", "t_x", "T", "zbar"))
    e = bg.conditional_expected_number_of_purchases_up_to_time(39.0, x, tx, T)
    c = gg.customer_lifetime_value(bg, x, tx, T, z, time=6, discount_rate=0.01, period=52 / 12)
    for i in range(0, len(x), 61):
        e1 = core.bgnbd_expected(bg.model, [x[i]], [tx[i]], [T[i]], 39.0)[0]
        assert e[i] == pytest.approx(e1, rel=1e-12, abs=0)
        value = core.gammagamma_expected(gg.model, [x[i]], [z[i]])[0]
        ks = [0.0] + [core.bgnbd_expected(bg.model, [x[i]], [tx[i]], [T[i]], k * 52 / 12)[0] for k in range(1, 7)]
        want = value * sum((ks[k] - ks[k - 1]) / 1.01 ** k for k in range(1, 7))
        assert c[i] == pytest.approx(want, rel=1e-12, abs=1e-300)


def test_bad_row_in_a_later_chunk_is_named(bg):
    x, tx, T = np.zeros(3000), np.zeros(3000), np.full(3000, 10.0)
    tx[2999] = 11
    with pytest.raises(followup.InvalidArgumentError, match=r"t_x\[2999\] = 11 is after T = 10"):
        bg.conditional_probability_alive(x, tx, T)


@pytest.fixture(scope="module")
def notes():
    with open(NOTES, newline="", encoding="utf-8") as f:
        base = [row[-1] for row in csv.reader(f)][1:]
    return base * 30  # > 1024: several batches


def test_apply_many_equals_apply_and_counts_the_same(notes):
    one, many = followup.Redactor(), followup.Redactor()
    want = [one.apply(n) for n in notes]
    got = many.apply_many(notes)
    assert type(got) is list and got == want
    assert many.total() == one.total() > 0
    for k in (followup.REDACT_MOBILE_CN, followup.REDACT_EMAIL, followup.REDACT_ID_CN):
        assert many.count(k) == one.count(k)
    for n, g in zip(notes, got):  # unchanged notes come back as the same object
        if g == n:
            assert g is n


def test_apply_many_takes_arrays_series_iterables_and_missing_values(notes):
    red = followup.Redactor()
    texts = ["call 13812345678 now", None, "plain", float("nan"), "邮箱 a.b@example.com 手机13912345678", "",
             "𝔘 13812345678"]
    want = [red.apply(t) if isinstance(t, str) else t for t in texts]
    got = red.apply_many(texts)
    assert got[0] == "call 138****5678 now" and got[1] is None and math.isnan(got[3])
    assert got[:3] == want[:3] and got[4:] == want[4:]
    arr = red.apply_many(np.array(texts, dtype=object))
    assert isinstance(arr, np.ndarray) and arr.dtype == object and arr.tolist()[4:] == want[4:]
    s = pd.Series(texts, index=list("abcdefg"), name="note")
    out = red.apply_many(s)
    assert isinstance(out, pd.Series) and out.name == "note" and list(out.index) == list("abcdefg")
    assert out["a"] == want[0] and out["b"] is None and out["e"] == want[4]
    assert red.apply_many(t for t in texts[:1]) == want[:1]
    st = red.apply_many(pd.Series(["x 13812345678", pd.NA], dtype="string"))
    assert st.iloc[0] == "x 138****5678" and st.iloc[1] is pd.NA
    assert red.apply_many([]) == []
    assert red.apply_many(pd.Series(notes[:2000])).tolist() == [red.apply(n) for n in notes[:2000]]


def test_apply_many_rejects_bad_items():
    red = followup.Redactor()
    with pytest.raises(TypeError, match=r"texts\[1\]: expected str or None, not int"):
        red.apply_many(["ok", 5])
    with pytest.raises(ValueError, match=r"texts\[2\] cannot be encoded as UTF-8"):
        red.apply_many(["a", "b", "x\ud800y"])
    with pytest.raises(ValueError, match="1-D"):
        red.apply_many(np.array([["a"]], dtype=object))
    assert red.total() == 0


def test_clv_refuses_a_spend_the_spend_model_refuses(bg, gg):
    """A negative (or NaN) mean spend of a repeat buyer is refused by the
    Gamma-Gamma functions; CLV through the spend model refuses it too (it
    returned a positive CLV for a spend of -20, found by a user review)."""
    one = [np.array([v]) for v in (1.0, 5.0, 40.0)]
    with pytest.raises(followup.Error, match=r"zbar\[0\] = -20: must be finite and >= 0"):
        gg.customer_lifetime_value(bg, *one, np.array([-20.0]))
    with pytest.raises(followup.Error, match=r"zbar\[0\] = nan"):
        gg.customer_lifetime_value(bg, *one, np.array([np.nan]))
    # a customer without repeat purchases takes the population mean: any spend is ignored
    zero = [np.array([v]) for v in (0.0, 0.0, 40.0)]
    assert gg.customer_lifetime_value(bg, *zero, np.array([-20.0]))[0] > 0
