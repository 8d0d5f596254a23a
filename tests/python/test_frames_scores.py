"""P(alive), expected purchases and CLV over numpy arrays and pandas Series
(issue 19): the estimators read float64 inputs in place through the buffer
protocol (core._score) and return numpy arrays / Series, with results
identical (bit for bit) to the list path of the SWIG layer."""
import pathlib

import pytest

np = pytest.importorskip("numpy")
pd = pytest.importorskip("pandas")

import followup  # noqa: E402
from followup import core, models  # noqa: E402

DATA = pathlib.Path(__file__).resolve().parent.parent / "data" / "cdnow"


@pytest.fixture(scope="module")
def cdnow():
    d = pd.read_csv(DATA / "cdnow_customers_summary_with_transactions.csv").set_index("ID")
    return d


@pytest.fixture(scope="module")
def fitted(cdnow):
    bg = models.BetaGeoFitter().fit(cdnow["x"], cdnow["t_x"], cdnow["T"])
    pn = models.ParetoNBDFitter().fit(cdnow["x"], cdnow["t_x"], cdnow["T"])
    gg = models.GammaGammaFitter().fit(cdnow["x"], cdnow["zbar"])
    return bg, pn, gg


def _lists(d):
    return [d[c].tolist() for c in ("x", "t_x", "T")]


@pytest.mark.parametrize("which", ["bgnbd", "pareto"])
def test_numpy_path_equals_the_list_path(cdnow, fitted, which):
    bg, pn, gg = fitted
    f = bg if which == "bgnbd" else pn
    x, tx, T = _lists(cdnow)
    z = cdnow["zbar"].tolist()
    p_list = getattr(core, which + "_p_alive")(f.model, x, tx, T)
    e_list = getattr(core, which + "_expected")(f.model, x, tx, T, 39.0)
    c_list = getattr(core, which + "_clv")(f.model, gg.model, x, tx, T, z, 52 / 12, periods=12, discount=0.01)
    xa, txa, Ta = (cdnow[c].to_numpy() for c in ("x", "t_x", "T"))
    p = f.conditional_probability_alive(xa, txa, Ta)
    e = f.conditional_expected_number_of_purchases_up_to_time(39.0, xa, txa, Ta)
    c = gg.customer_lifetime_value(f, xa, txa, Ta, cdnow["zbar"].to_numpy(), time=12, discount_rate=0.01)
    assert type(p) is np.ndarray and p.dtype == np.float64
    assert np.array_equal(p, np.array(p_list)) and np.array_equal(e, np.array(e_list))
    assert np.array_equal(c, np.array(c_list))
    # one pass for all three: the C scorer shares its series between the horizons
    # (expected and CLV together), so the last bits may differ from separate calls
    s = f.score(xa, txa, Ta, cdnow["zbar"].to_numpy(), t=39.0, spend_model=gg)
    assert np.array_equal(s["p_alive"], p)
    np.testing.assert_allclose(s["expected_purchases"], e, rtol=1e-12, atol=0)
    np.testing.assert_allclose(s["clv"], c, rtol=1e-12, atol=0)
    assert np.array_equal(f.score(xa, txa, Ta, t=39.0)["expected_purchases"], e)


def test_series_in_series_out_and_inputs_untouched(cdnow, fitted):
    bg = fitted[0]
    x, tx, T = cdnow["x"], cdnow["t_x"], cdnow["T"]
    before = x.copy()
    p = bg.conditional_probability_alive(x, tx, T)
    assert isinstance(p, pd.Series) and p.index.equals(cdnow.index) and p.name == "p_alive"
    assert x.equals(before)
    ro = cdnow["x"].to_numpy().copy()
    ro.flags.writeable = False  # read-only input: read in place, not written
    assert np.array_equal(bg.conditional_probability_alive(ro, tx.to_numpy(), T.to_numpy()), p.to_numpy())
    strided = np.repeat(cdnow["x"].to_numpy(), 2)[::2]  # not contiguous: copied once, same answer
    assert np.array_equal(bg.conditional_probability_alive(strided, tx.to_numpy(), T.to_numpy()), p.to_numpy())
    ints = cdnow["x"].astype(np.int64)  # another dtype: converted, same answer
    assert np.array_equal(bg.conditional_probability_alive(ints, tx, T).to_numpy(), p.to_numpy())


def test_score_uses_the_buffers_in_place(fitted):
    bg = fitted[0]
    x = np.array([0.0, 2.0, 5.0])
    tx = np.array([0.0, 30.43, 35.0])
    T = np.array([10.0, 38.86, 38.0])
    out = np.full(3, -1.0)
    core._score(bg.model, None, x, tx, T, None, out, None, None, 0.0, 0.0, 12, 0.01, 1.0)
    assert out[0] == 1.0 and 0 < out[1] < 1  # written in place, no result object
    assert np.array_equal(out, np.array(core.bgnbd_p_alive(bg.model, x.tolist(), tx.tolist(), T.tolist())))


def test_bad_arrays_raise(fitted):
    bg = fitted[0]
    x = np.zeros(3)
    with pytest.raises(followup.InvalidArgumentError, match="t_x has 2 values, expected 3"):
        core._score(bg.model, None, x, np.zeros(2), x, None, np.empty(3), None, None, 0.0, 0.0, 12, 0.01, 1.0)
    with pytest.raises(followup.InvalidArgumentError, match="x: expected a 1-D float64 array"):
        core._score(bg.model, None, x.astype(np.float32), x, x, None, np.empty(3), None, None, 0.0, 0.0, 12, 0.0,
                    1.0)
    ro = np.empty(3)
    ro.flags.writeable = False
    with pytest.raises(followup.InvalidArgumentError, match="p_alive: expected a writable"):
        core._score(bg.model, None, x, x, x, None, ro, None, None, 0.0, 0.0, 12, 0.01, 1.0)
    with pytest.raises(TypeError, match="BgNbd or ParetoNbd"):
        core._score("m", None, x, x, x, None, np.empty(3), None, None, 0.0, 0.0, 12, 0.01, 1.0)
    with pytest.raises(followup.InvalidArgumentError, match="different lengths|expected 3"):
        bg.conditional_probability_alive(x, np.zeros(2), x)
