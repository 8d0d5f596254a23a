"""The public surface in Python words (issue 17 item 5): every public callable
has an inspect.signature and a help() text free of C type names; the flat
model functions take array-likes and return numpy arrays equal to the list
results of the SWIG layer (followup.core); bad input raises TypeError /
ValueError that say what was expected."""
import inspect
import math
import pathlib
import pydoc
import re

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_array_equal

import followup
from followup import core

C_NAMES = re.compile(r"int \*|double \*|char \*|\bp\.\w|\bsize_t\b|\bfu_\w+|SWIGTYPE|PyObject|\bint64_t\b|\buint\d+_t\b|"
                     r"\bunsigned (?:int|long)\b|\bconst\b \w|Proxy of C")

BG = followup.BgNbd(0.242593, 4.413532, 0.792886, 2.425753)
PN = followup.ParetoNbd(0.553, 10.58, 0.606, 11.669)
GG = followup.GammaGamma(6.25, 3.74, 15.44)
X, TX, T, Z = [2.0, 0.0, 7.0, 1.0], [30.43, 0.0, 35.0, 2.0], [38.86, 38.86, 39.0, 20.0], [22.35, 0.0, 30.0, 12.5]


def _public_callables():
    for name in followup.__all__:
        obj = getattr(followup, name)
        if callable(obj):
            yield name, obj


def test_every_public_callable_has_a_signature_and_python_help():
    names = dict(_public_callables())
    assert len(names) > 100
    bad = {}
    for name, obj in names.items():
        inspect.signature(obj)  # raises when there is none
        text = pydoc.render_doc(obj, renderer=pydoc.plaintext)
        hits = sorted(set(C_NAMES.findall(text)))
        if hits:
            bad[name] = hits
    assert bad == {}


def test_the_c_name_pattern_would_catch_swig_text():
    # the old texts of help(followup.bgnbd_p_alive), a SWIG class and an attribute
    for old in ("bgnbd_p_alive(fu_segment_bgnbd const * m, double const * x, size_t nx) -> int",
                "Proxy of C fu_segment_rules struct.", "n_classes : size_t", "clv_horizon : int64_t",
                "flags : unsigned int", "seed: uint64_t = 0", "customer_id : p.char"):
        assert C_NAMES.search(old), old


ARRAY_CALLS = {  # name: (args) as lists; the same with numpy / pandas inputs must agree
    "bgnbd_p_alive": (BG, X, TX, T),
    "bgnbd_expected": (BG, X, TX, T, 39.0),
    "bgnbd_clv": (BG, GG, X, TX, T, Z, 52 / 12),
    "pareto_p_alive": (PN, X, TX, T),
    "pareto_expected": (PN, X, TX, T, 39.0),
    "pareto_clv": (PN, None, X, TX, T, Z, 52 / 12),
    "gammagamma_expected": (GG, X, Z),
    "rfm_codes": ([5, 20, 40, 365], [10, 3, 2, 1], [500, 100, 50, 5]),
    "rfm_groups": ([5, 20, 40, 365], [10, 3, 2, 1], [500, 100, 50, 5]),
}


@pytest.mark.parametrize("name", sorted(ARRAY_CALLS))
def test_array_functions_return_numpy_equal_to_the_list_results(name):
    args = ARRAY_CALLS[name]
    old = getattr(core, name)(*args)  # the SWIG layer: lists
    assert isinstance(old, list)
    new = getattr(followup, name)(*args)
    assert isinstance(new, np.ndarray) and new.ndim == 1
    assert new.dtype == (object if name == "rfm_groups" else np.int64 if name == "rfm_codes" else np.float64)
    assert new.tolist() == old or all(a == b or (math.isnan(a) and math.isnan(b)) for a, b in zip(new, old))
    # numpy arrays, pandas Series and tuples in: the same
    as_np = tuple(np.asarray(a, dtype=float) if isinstance(a, list) else a for a in args)
    as_pd = tuple(pd.Series(a) if isinstance(a, list) else a for a in args)
    as_tuple = tuple(tuple(a) if isinstance(a, list) else a for a in args)
    for variant in (as_np, as_pd, as_tuple):
        assert_array_equal(getattr(followup, name)(*variant), new)
    sig = inspect.signature(getattr(followup, name))
    assert sig.return_annotation == "numpy.ndarray"
    assert "ArrayLike" in {p.annotation for p in sig.parameters.values()}


def test_hand_computed_values():
    # x = 0: P(alive) is 1 under BG/NBD; one period of CLV without a spend model: zbar * E / (1 + d)
    assert followup.bgnbd_p_alive(BG, [0], [0], [38.86])[0] == 1.0
    e = followup.bgnbd_expected(BG, [2], [30.43], [38.86], 52 / 12)[0]
    clv = followup.bgnbd_clv(BG, None, [2], [30.43], [38.86], [22.35], 52 / 12, periods=1, discount=0.01)
    assert clv[0] == pytest.approx(22.35 * e / 1.01, rel=1e-12)
    # Gamma-Gamma with x = 0: the population mean gamma p / (q - 1)
    assert followup.gammagamma_expected(GG, [0], [0])[0] == pytest.approx(15.44 * 6.25 / 2.74, rel=1e-12)


def test_float64_inputs_are_not_copied_and_other_dtypes_work():
    x = np.array(X)
    assert_array_equal(followup.bgnbd_p_alive(BG, x.astype(np.int32), TX, T), followup.bgnbd_p_alive(BG, x, TX, T))
    strided = np.array([[v, 0.0] for v in X])[:, 0]  # not contiguous: converted once
    assert_array_equal(followup.bgnbd_p_alive(BG, strided, TX, T), followup.bgnbd_p_alive(BG, X, TX, T))


@pytest.mark.parametrize("bad, exc, words", [
    ("2,0,7,1", TypeError, "argument 2 (x) must be an array of numbers"),
    (None, TypeError, "argument 2 (x) must be an array of numbers (numpy array, pandas Series or sequence), not None"),
    (5.0, TypeError, "not float"),
    (["a", "b", "c", "d"], TypeError, "must hold numbers, not str values"),
    (np.ones((2, 2)), ValueError, "argument 2 (x) must be 1-D, got shape (2, 2)"),
    ([1.0, 2.0], ValueError, "t_x has 4 values, x has 2"),
    ([float("nan"), 0.0, 7.0, 1.0], ValueError, "x[0] = nan"),
])
@pytest.mark.parametrize("name", ["bgnbd_p_alive", "bgnbd_expected", "bgnbd_loglik", "pareto_p_alive"])
def test_bad_input_says_what_was_expected(name, bad, exc, words):
    extra = (39.0,) if name.endswith("expected") else ()
    model = PN if name.startswith("pareto") else BG
    with pytest.raises(exc) as info:
        getattr(followup, name)(model, bad, TX, T, *extra)
    msg = str(info.value)
    assert words in msg
    assert not C_NAMES.search(msg) and "_score" not in msg, msg
    if exc is ValueError:
        assert isinstance(info.value, followup.InvalidArgumentError)


def test_bad_models_and_scalars():
    with pytest.raises(TypeError, match=r"^bgnbd_p_alive\(\): argument 1 \(m\) must be followup.BgNbd, not ParetoNbd$"):
        followup.bgnbd_p_alive(PN, X, TX, T)
    with pytest.raises(TypeError, match=r"^bgnbd_clv\(\): argument 2 \(gg\) must be followup.GammaGamma or None, not str$"):
        followup.bgnbd_clv(BG, "gg", X, TX, T, Z, 4.0)
    with pytest.raises(TypeError, match=r"argument 5 \(horizon\) must be float, not str"):
        followup.bgnbd_expected(BG, X, TX, T, "39")
    with pytest.raises(TypeError, match=r"argument 8 \(periods\) must be int, not float"):
        followup.bgnbd_clv(BG, GG, X, TX, T, Z, 4.0, periods=1.5)
    with pytest.raises(ValueError, match=r"argument 8 \(periods\) is out of range: -1"):
        followup.bgnbd_clv(BG, GG, X, TX, T, Z, 4.0, periods=-1)
    with pytest.raises(TypeError, match=r"argument 1 \(recency\) must hold numbers, not object values"):
        followup.rfm_codes([None, 1], [1, 2], [1, 2])
    with pytest.raises(followup.InvalidArgumentError, match=r"frequency has 1 values, recency has 2"):
        followup.rfm_codes([1, 2], [1], [1, 2])


def test_fits_take_arrays_and_keywords(datadir):
    cd = pd.read_csv(datadir / "cdnow" / "cdnow_customers_summary_with_transactions.csv")
    x, tx, t = cd["x"].to_numpy(float), cd["t_x"].to_numpy(float), cd["T"].to_numpy(float)
    a = followup.bgnbd_fit(cd["x"], tx, t)
    b = followup.bgnbd_fit(x=x.tolist(), t_x=tx.tolist(), T=t.tolist())
    assert (a.r, a.alpha, a.a, a.b) == (b.r, b.alpha, b.a, b.b)
    assert abs(a.r - 0.243) < 0.002  # the published CDNOW estimate
    ll = followup.bgnbd_loglik(a, x, tx, t)
    assert isinstance(ll, float) and ll == core.bgnbd_loglik(a, x.tolist(), tx.tolist(), t.tolist())
    with pytest.raises(TypeError):
        followup.bgnbd_fit(x, tx)


def test_exceptions_have_signatures_and_stay_exceptions():
    for cls in (followup.Error, followup.InvalidArgumentError, followup.ModelNotIdentifiedError):
        assert list(inspect.signature(cls).parameters) == ["message", "args"]
    assert str(followup.InvalidArgumentError("bad")) == "bad"
    assert issubclass(followup.InvalidArgumentError, ValueError)


def test_class_and_attribute_docs_are_in_python_words():
    doc = pydoc.render_doc(followup.SegmentRules, renderer=pydoc.plaintext)
    assert "n_classes : int" in doc and "clv_annual_discount : float" in doc
    assert "A libfollowup SegmentRules" in doc
    assert "due_from_epoch : int (UTC epoch seconds)" in pydoc.render_doc(followup.Touchpoint,
                                                                        renderer=pydoc.plaintext)


def test_stub_lists_the_array_functions(srcdir):
    stub = (srcdir / "bindings" / "python" / "followup" / "__init__.pyi").read_text(encoding="utf-8")
    assert "def bgnbd_p_alive(m: BgNbd, x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> numpy.ndarray: ..." in stub
    assert not C_NAMES.search(stub.replace("fu_swig", "")), C_NAMES.search(stub)


def test_summarize_and_assign_take_arrays_and_datetime64():
    day = 86400
    ref = followup.summarize([0, 0, 0, 1], [0, 3 * day, 3 * day + 60, 5 * day], [10.0, 20.0, 5.0, 7.0],
                             3, 10 * day, float(day))
    times = np.array([0, 3 * day, 3 * day + 60, 5 * day], dtype="datetime64[s]")
    s = followup.summarize(pd.Series([0, 0, 0, 1]), times, np.array([10.0, 20.0, 5.0, 7.0]), 3,
                           "1970-01-11T00:00:00Z", float(day))
    cols = lambda v: [v.x().tolist(), v.t_x().tolist(), v.T().tolist(), v.zbar().tolist()]  # noqa: E731
    assert cols(s) == cols(ref) == [[1.0, 0.0, 0.0], [3.0, 0.0, 0.0], [10.0, 5.0, 0.0], [25.0, 0.0, 0.0]]
    assert inspect.signature(followup.summarize).parameters["times"].annotation == "ArrayLike"
    with pytest.raises(TypeError, match=r"^summarize\(\): argument 1 \(customers\) must be an array of numbers"):
        followup.summarize("0", [0], [1.0], 1, day, float(day))
    with pytest.raises(ValueError, match=r"argument 1 \(customers\) must hold whole numbers"):
        followup.summarize([0.5], [0], [1.0], 1, day, float(day))
    with pytest.raises(ValueError, match=r"argument 2 \(times\) must be 1-D"):
        followup.summarize([0], np.zeros((1, 1)), [1.0], 1, day, float(day))
    with pytest.raises(TypeError, match=r"argument 3 \(p_alive\) must be an array of numbers .* not None"):
        followup.segment_assign_book(followup.BookSummary(), 0, None, [1.0])


def test_results_through_out_parameters_are_annotated_with_their_python_type():
    b = followup.Book()
    b.finalize()
    calls = {  # the C functions return a status code: the annotation is the value's type, not "int"
        "beta_cdf": (0.5, 2.0, 3.0), "beta_quantile": (0.5, 2.0, 3.0), "bgnbd_expected_new": (BG, 39.0),
        "pareto_expected_new": (PN, 39.0), "channel_from_string": ("sms",), "date_weekday": (followup.date_parse(
            "2026-01-01"),), "duration_format": (followup.duration_parse("1d"),), "kpi_normal_quantile": (0.975,),
        "kpi_t_quantile": (0.975, 10.0), "kpi_wilson": (3.0, 10.0, 0.95),
    }
    kinds = {"float": float, "int": int, "str": str, "list[float]": list}
    for name, args in calls.items():
        fn = getattr(followup, name)
        ann = inspect.signature(fn).return_annotation
        assert isinstance(fn(*args), kinds[ann]), name
        assert f"-> {ann}" in fn.__doc__.splitlines()[0]
    assert followup.kpi_normal_quantile(0.975) == pytest.approx(1.959963984540054, rel=1e-12)
    assert followup.date_weekday(followup.date_parse("2026-01-01")) == 3  # a Thursday (Monday = 0)


def test_committed_stub_matches_the_built_package(srcdir):
    import os
    import subprocess
    import sys
    env = dict(os.environ, PYTHONPATH=str(pathlib.Path(followup.__file__).resolve().parent.parent))
    r = subprocess.run([sys.executable, str(srcdir / "bindings" / "python" / "gen_stub.py"), "--check"],
                       env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
