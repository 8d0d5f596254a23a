"""The flat model functions over arrays: numpy in, numpy out.

The SWIG layer (:mod:`followup.core`) takes and returns Python lists. The
package-level functions defined here take anything array-like of numbers
(numpy arrays, pandas Series, lists, tuples) and return numpy arrays:
float64 for scores, int64 for RFM codes, an object array of ``str`` for RFM
group names. P(alive), expected purchases and CLV of BG/NBD and Pareto/NBD go
through the in-place buffer path ``followup.core._score`` (float64 inputs are
read without a copy, the result is filled by C with the GIL released; the
values are bit for bit those of the list functions). Each function has a real
``inspect.signature`` with Python annotations.

Bad input raises in Python words: a ``str``, ``bytes``, ``None``, a mapping or
non-numeric values where an array is expected raise ``TypeError``; a 2-D
array, arrays of different lengths or values the model refuses (NaN counts,
``t_x > T``, ...) raise :class:`followup.InvalidArgumentError` (a
``ValueError``).
"""
from __future__ import annotations

import functools
import importlib
from typing import Any, Optional

import numpy as np
from numpy.typing import ArrayLike

from . import core as _core

_ext = importlib.import_module("followup._core")  # the C extension: the exception classes

__all__: list = []  # installed into the package namespace by install()


def _invalid(message: str):
    e = _ext.InvalidArgumentError(message)
    e.code, e.message, e.source, e.line, e.column, e.path = _core.EINVAL, message, "", 0, 0, ""
    return e


def unmasked(where: str, v: Any) -> Any:
    """``v``, or the data of a numpy masked array without masked elements; a
    masked element is an InvalidArgumentError naming it (np.asarray would
    drop the mask and use the hidden values: review s13 I13)."""
    if isinstance(v, np.ma.MaskedArray):
        masked = np.ma.getmaskarray(v)
        if masked.any():
            i = int(np.flatnonzero(masked.ravel())[0])
            raise _invalid(f"{where}: element {i} is masked; a masked array's hidden values are not used: "
                           "drop them (.compressed()) or fill them (.filled(x))")
        return np.ma.getdata(v)
    return v


def refuse_inexact_ints(where: str, a: np.ndarray) -> None:
    """An integer array bound for float64: a value a float64 cannot hold
    exactly (some integers beyond 2**53 in magnitude; 2**54 and 10**16 it
    holds) is an InvalidArgumentError naming it and the value it would be
    read as (review s13 I13: C's message showed the rounded float,
    9.0072e+15; R2: exactly held integers are taken)."""
    if a.dtype.kind not in "iu" or not a.size:
        return
    flat = a.ravel()
    lim = 2 ** 53
    big = flat > np.uint64(lim) if a.dtype.kind == "u" else (flat > lim) | (flat < -lim)
    if not big.any():
        return
    idx = np.flatnonzero(big)
    v = flat[idx]
    f = v.astype(np.float64)
    top = 2.0 ** 64 if a.dtype.kind == "u" else 2.0 ** 63
    inside = np.abs(f) < top  # a value rounded up to 2**63 (2**64) is not held exactly
    back = np.where(inside, f, 0.0).astype(v.dtype)
    inexact = ~inside | (back != v)
    if inexact.any():
        k = int(np.flatnonzero(inexact)[0])
        raise _invalid(f"{where}: element {int(idx[k])} = {int(v[k])} cannot be held exactly by a float64 "
                       f"(it would be read as {int(f[k])})")


def _vector(fname: str, pos: int, name: str, v: Any, dtype=np.float64) -> np.ndarray:
    """A 1-D C-contiguous array of ``dtype`` from an array-like (a float64
    ndarray or Series comes back without a copy)."""
    if v is None:
        raise TypeError(f"{fname}(): argument {pos} ({name}) must be an array of numbers "
                        "(numpy array, pandas Series or sequence), not None")
    if isinstance(v, (str, bytes, bytearray, dict)) or np.isscalar(v):
        raise TypeError(f"{fname}(): argument {pos} ({name}) must be an array of numbers "
                        f"(numpy array, pandas Series or sequence), not {type(v).__name__}")
    if hasattr(v, "to_numpy"):  # pandas Series / Index
        v = pandas_numbers(f"{fname}(): argument {pos} ({name})", v)
    v = unmasked(f"{fname}(): argument {pos} ({name})", v)
    try:
        a = np.asarray(v)
    except (TypeError, ValueError) as err:  # ragged nesting
        raise _invalid(f"{fname}(): argument {pos} ({name}) is not a 1-D array of numbers: {err}") from None
    if a.dtype.kind not in "biuf":
        kind = {"U": "str", "S": "bytes", "O": "object", "b": "bool", "M": "datetime", "m": "timedelta"}
        raise TypeError(f"{fname}(): argument {pos} ({name}) must hold numbers, not "
                        f"{kind.get(a.dtype.kind, str(a.dtype))} values")
    if a.ndim != 1:
        raise _invalid(f"{fname}(): argument {pos} ({name}) must be 1-D, got shape {a.shape}")
    if np.dtype(dtype) == np.float64:
        refuse_inexact_ints(f"{fname}(): argument {pos} ({name})", a)
    if np.dtype(dtype).kind == "i" and a.dtype.kind == "f":
        if not np.all(np.isfinite(a)) or np.any(a != np.floor(a)):
            raise _invalid(f"{fname}(): argument {pos} ({name}) must hold whole numbers")
    big = np.uint64(np.iinfo(np.int64).max)
    if np.dtype(dtype) == np.int64 and a.dtype == np.uint64 and a.size and a.max() > big:
        # (the cast would wrap 2**63 to a negative number and the message name that; review s12 U10)
        i = int(np.argmax(a > big))
        raise _invalid(f"{fname}(): argument {pos} ({name}): element {i} = {int(a[i])} is too large "
                       f"(at most {np.iinfo(np.int64).max})")
    return np.ascontiguousarray(a, dtype=dtype)


def _is_series(v: Any) -> bool:
    return hasattr(v, "index") and hasattr(v, "to_numpy") and not hasattr(v, "columns")


def pandas_numbers(where: str, v: Any) -> np.ndarray:
    """The numbers of a pandas Series / Index as a numpy array (a float64
    Series without a copy). Nullable dtypes (``Int64``, ``Float64``,
    ``convert_dtypes()``) become int64 / float64, a missing value
    (``pandas.NA``) raises naming ``where`` and its row; tz-aware datetimes,
    categoricals and other non-numbers raise ``TypeError`` naming the dtype."""
    dtype = v.dtype
    if isinstance(dtype, np.dtype):
        if dtype.kind in "Mm":
            raise TypeError(f"{where} must hold numbers, not {dtype} values")
        return v.to_numpy()
    kind = getattr(dtype, "kind", "O")
    if kind in "iuf" and getattr(dtype, "na_value", None) is not None:  # Int64, UInt8, Float64, ...
        na = np.asarray(v.isna())
        if na.any():
            i = int(np.argmax(na))
            label = f" (index {v.index[i]!r})" if hasattr(v, "index") and v.index[i] != i else ""
            raise _invalid(f"{where}[{i}]{label} is <NA>: a missing value where a number is needed "
                           "(drop the row or fill the value first)")
        return v.to_numpy(dtype=np.float64 if kind == "f" else np.int64)
    raise TypeError(f"{where} must hold numbers, not {dtype} values")


def align_series(fname: str, named: list) -> tuple:
    """Match pandas Series arguments by index, as pandas arithmetic does.

    ``named``: (argument name, value) pairs. When two or more values are
    Series, they must hold the same labels: a Series whose index is the
    first Series's index in another order is reindexed to it (no copy when
    the indexes are equal); different labels or duplicate labels in
    unequal indexes raise InvalidArgumentError naming the two arguments.
    Numpy arrays and sequences stay positional (in the first Series's
    order). Returns (values, index of the first Series or None)."""
    first = None
    out = []
    for name, v in named:
        if v is not None and _is_series(v):
            if first is None:
                first = (name, v.index)
            elif not v.index.equals(first[1]):
                idx = first[1]
                if (len(v.index) != len(idx) or not idx.is_unique or not v.index.is_unique
                        or not v.index.isin(idx).all()):
                    missing = (~v.index.isin(idx)).sum() if v.index.is_unique and idx.is_unique else None
                    why = (f"{missing} of its labels are not in {first[0]}'s index" if missing
                           else f"{len(v.index)} and {len(idx)} labels" if len(v.index) != len(idx)
                           else "duplicate labels")
                    raise _invalid(f"{fname}(): the Series {name} and {first[0]} have different indexes ({why}): "
                                   "Series arguments are matched by index label; "
                                   + _alignment_hint(name, first[0], idx.is_unique and v.index.is_unique))
                v = v.reindex(idx)
        out.append(v)
    return out, (first[1] if first is not None else None)


def _alignment_hint(name: str, first: str, unique: bool) -> str:
    """What to do about Series that cannot be matched by label. With unique
    labels, reindexing to the first Series's index matches them; with
    duplicate labels no label says which row is which (reindex raises on
    them too), so the rows can only be matched by position."""
    if unique:
        return f"give Series with the same labels (e.g. {name}.reindex({first}.index)) or numpy arrays"
    return (f"duplicate labels cannot be matched, so match the rows by position: give {name}.to_numpy() "
            f"(rows in {first}'s order), or first make the labels unique (e.g. .reset_index(drop=True) on "
            "each Series in the same row order)")


def refuse_negative_values(fname: str, name: str, z: np.ndarray) -> None:
    """Mean values used as they are (no spend model): a negative one would
    give a negative CLV without a word, so it is refused naming its row
    (0 and NaN, unknown, are fine)."""
    neg = z < 0
    if neg.any():
        i = int(np.argmax(neg))
        raise _invalid(f"{fname}(): {name}[{i}] = {z[i]!r}: a negative mean value would give a negative CLV; "
                       "values are spend per purchase (>= 0; NaN = unknown)")


def _labelled(values: np.ndarray, index, name: str):
    if index is None:
        return values
    import pandas as pd
    return pd.Series(values, index=index, name=name)


def _model(fname: str, pos: int, name: str, m: Any, cls: type, optional: bool = False):
    if m is None and optional:
        return None
    if not isinstance(m, cls):
        raise TypeError(f"{fname}(): argument {pos} ({name}) must be followup.{cls.__name__}"
                        f"{' or None' if optional else ''}, not {'None' if m is None else type(m).__name__}")
    return m


def _number(fname: str, pos: int, name: str, v: Any, kind=float):
    if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
        raise TypeError(f"{fname}(): argument {pos} ({name}) must be {kind.__name__}, not {type(v).__name__}")
    if kind is int:
        if isinstance(v, (float, np.floating)) and v != int(v):
            raise TypeError(f"{fname}(): argument {pos} ({name}) must be int, not float")
        if int(v) < 0 or int(v) > 0xFFFFFFFF:
            raise _invalid(f"{fname}(): argument {pos} ({name}) is out of range: {int(v)}")
        return int(v)
    return float(v)


def _same_length(fname: str, arrays: dict) -> int:
    n = None
    for name, a in arrays.items():
        if n is None:
            n, first = len(a), name
        elif len(a) != n:
            raise _invalid(f"{fname}(): {name} has {len(a)} values, {first} has {n}")
    return n or 0


def _public(fn):
    """Mark ``fn`` as a package-level function (module followup)."""
    fn.__module__ = "followup"
    __all__.append(fn.__name__)
    return fn


def _score_functions(prefix: str, cls: type, label: str):
    def p_alive(m: Any, x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> np.ndarray:
        fname = f"{prefix}_p_alive"
        m = _model(fname, 1, "m", m, cls)
        (x, t_x, T), idx = align_series(fname, [("x", x), ("t_x", t_x), ("T", T)])
        cols = {k: _vector(fname, i + 2, k, v) for i, (k, v) in enumerate((("x", x), ("t_x", t_x), ("T", T)))}
        out = np.empty(_same_length(fname, cols))
        _core._score(m, None, cols["x"], cols["t_x"], cols["T"], None, out, None, None, 0.0, 0.0, 12, 0.01, 1.0)
        return _labelled(out, idx, "p_alive")

    def expected(m: Any, x: ArrayLike, t_x: ArrayLike, T: ArrayLike, horizon: float) -> np.ndarray:
        fname = f"{prefix}_expected"
        m = _model(fname, 1, "m", m, cls)
        (x, t_x, T), idx = align_series(fname, [("x", x), ("t_x", t_x), ("T", T)])
        cols = {k: _vector(fname, i + 2, k, v) for i, (k, v) in enumerate((("x", x), ("t_x", t_x), ("T", T)))}
        h = _number(fname, 5, "horizon", horizon)
        out = np.empty(_same_length(fname, cols))
        _core._score(m, None, cols["x"], cols["t_x"], cols["T"], None, None, out, None, h, 0.0, 12, 0.01, 1.0)
        return _labelled(out, idx, "expected_purchases")

    def clv(m: Any, gg: Any, x: ArrayLike, t_x: ArrayLike, T: ArrayLike, zbar: ArrayLike, period: float,
            periods: int = 12, discount: float = 0.01, margin: float = 1.0) -> np.ndarray:
        fname = f"{prefix}_clv"
        m = _model(fname, 1, "m", m, cls)
        gg = _model(fname, 2, "gg", gg, _core.GammaGamma, optional=True)
        (x, t_x, T, zbar), idx = align_series(fname, [("x", x), ("t_x", t_x), ("T", T), ("zbar", zbar)])
        cols = {k: _vector(fname, i + 3, k, v)
                for i, (k, v) in enumerate((("x", x), ("t_x", t_x), ("T", T), ("zbar", zbar)))}
        args = (_number(fname, 7, "period", period), _number(fname, 8, "periods", periods, int),
                _number(fname, 9, "discount", discount), _number(fname, 10, "margin", margin))
        out = np.empty(_same_length(fname, cols))
        if gg is None:
            refuse_negative_values(fname, "zbar", cols["zbar"])
        _core._score(m, gg, cols["x"], cols["t_x"], cols["T"], cols["zbar"], None, None, out, 0.0, *args)
        return _labelled(out, idx, "clv")

    p_alive.__doc__ = f"""P(alive | x, t_x, T) per customer under a fitted {label} model.

    m: followup.{cls.__name__}; x (repeat purchases), t_x (recency) and T
    (age), in model time units: array-likes of one length (numpy arrays,
    pandas Series, sequences). Returns a float64 numpy.ndarray of that length,
    or a Series with the index of the first Series argument: Series are
    matched by index label (they must hold the same labels).
    Raises TypeError for a non-array argument, InvalidArgumentError (a
    ValueError) for 2-D input, unequal lengths or values the model refuses."""
    expected.__doc__ = f"""Expected purchases in (T, T + horizon] per customer under a fitted
    {label} model (conditional on x, t_x, T; array-likes of one length).
    Returns a float64 numpy.ndarray. Errors as for {prefix}_p_alive."""
    clv.__doc__ = f"""Customer lifetime value per customer under a fitted {label} model:
    the sum over ``periods`` periods of ``period`` model time units of
    margin x value x expected purchases / (1 + discount)^k, the value being
    the Gamma-Gamma expectation (gg: followup.GammaGamma) or, with gg None,
    zbar itself. x, t_x, T, zbar: array-likes of one length. Returns a
    float64 numpy.ndarray (NaN where the value is unknown). Errors as for
    {prefix}_p_alive."""
    for fn, suffix in ((p_alive, "p_alive"), (expected, "expected"), (clv, "clv")):
        fn.__name__ = fn.__qualname__ = f"{prefix}_{suffix}"
        fn.__annotations__["m"] = cls.__name__
        fn.__annotations__["return"] = "numpy.ndarray"
        if suffix == "clv":
            fn.__annotations__["gg"] = "Optional[GammaGamma]"
        _public(fn)
    return p_alive, expected, clv


def _columns_call(raw, fname: str, names: tuple, model_cls: Optional[type] = None):
    """A wrapper of a SWIG function (model first when model_cls) whose array
    arguments are ``names``: they are checked and converted to float64
    (Series matched by index, see align_series); ``call.run`` also returns
    the first Series's index."""
    def run(*args, **kwargs):
        bound = call.__signature__.bind(*args, **kwargs)
        a = bound.arguments
        shift = 1 if model_cls is not None else 0
        if model_cls is not None:
            _model(fname, 1, "m", a["m"], model_cls)
        values, index = align_series(fname, [(k, a.get(k)) for k in names])
        cols = {k: _vector(fname, i + 1 + shift, k, v) for i, (k, v) in enumerate(zip(names, values))}
        _same_length(fname, cols)
        rest = [a[k] for k in list(call.__signature__.parameters)[shift + len(names):] if k in a]
        lead = [a["m"]] if model_cls is not None else []
        return raw(*lead, *[cols[k] for k in names], *rest), index

    def call(*args, **kwargs):
        return run(*args, **kwargs)[0]
    call.run = run
    call.__name__ = call.__qualname__ = fname
    return call


def install(namespace: dict) -> None:
    """Put the array functions in the package namespace (followup)."""
    import inspect
    P = inspect.Parameter
    arr = [P(k, P.POSITIONAL_OR_KEYWORD, annotation="ArrayLike") for k in ("x", "t_x", "T")]
    for prefix, cls, label in (("bgnbd", _core.BgNbd, "BG/NBD"), ("pareto", _core.ParetoNbd, "Pareto/NBD")):
        for fn in _score_functions(prefix, cls, label):
            namespace[fn.__name__] = fn
            fn.__signature__ = inspect.signature(fn)  # evaluated once: annotations as written
        model = P("m", P.POSITIONAL_OR_KEYWORD, annotation=cls.__name__)
        for suffix, doc, params, ret in (
                ("loglik", f"The {label} log-likelihood of the data (x, t_x, T: array-likes of one length) "
                           "at the model's parameters: a float.", [model] + arr, "float"),
                ("fit", f"Fit a {label} model by maximum likelihood to x, t_x, T (array-likes of one "
                        f"length): a followup.{cls.__name__}. Raises ConvergenceError when the "
                        "optimiser does not converge.", arr, cls.__name__),
                ("fit_ex", f"As {prefix}_fit, with the optimiser's diagnostics on the result: a "
                           f"followup.{cls.__name__}.", arr, cls.__name__)):
            _wrap(namespace, f"{prefix}_{suffix}", ("x", "t_x", "T"), cls if suffix == "loglik" else None,
                  params, ret, doc)
    gg = P("m", P.POSITIONAL_OR_KEYWORD, annotation="GammaGamma")
    xz = [P(k, P.POSITIONAL_OR_KEYWORD, annotation="ArrayLike") for k in ("x", "zbar")]
    _wrap(namespace, "gammagamma_fit", ("x", "zbar"), None, xz, "GammaGamma",
          "Fit the Gamma-Gamma spend model to x (repeat purchases) and zbar (mean spend per repeat "
          "purchase), array-likes of one length: a followup.GammaGamma.")
    _wrap(namespace, "gammagamma_fit_ex", ("x", "zbar"), None, xz, "GammaGamma",
          "As gammagamma_fit, with the optimiser's diagnostics: a followup.GammaGamma.")
    _wrap(namespace, "gammagamma_loglik", ("x", "zbar"), _core.GammaGamma, [gg] + xz, "float",
          "The Gamma-Gamma log-likelihood of x, zbar (array-likes of one length): a float.")
    _wrap(namespace, "gammagamma_expected", ("x", "zbar"), _core.GammaGamma, [gg] + xz, "numpy.ndarray",
          "The expected mean spend per transaction of each customer given x and zbar (array-likes "
          "of one length): a float64 numpy.ndarray.", out=np.float64)
    rfm = [P(k, P.POSITIONAL_OR_KEYWORD, annotation="ArrayLike") for k in ("recency", "frequency", "monetary")]
    _wrap(namespace, "rfm_codes", ("recency", "frequency", "monetary"), None, rfm, "numpy.ndarray",
          "RFM codes (111..555: recency, frequency and monetary quintile scores, 5 best) per customer "
          "from three array-likes of one length: an int64 numpy.ndarray.", out=np.int64)
    install_sequences(namespace)
    _wrap(namespace, "rfm_groups", ("recency", "frequency", "monetary"), None, rfm, "numpy.ndarray",
          "RFM group names (champions, loyal, ..., cant_lose) per customer from three array-likes of "
          "one length: a numpy.ndarray of str (dtype object).", out=object)


def _seconds(a: np.ndarray) -> np.ndarray:
    """datetime64 values as UTC epoch seconds (naive = UTC)."""
    if a.dtype.kind == "M":
        if np.isnat(a).any():
            raise _invalid("a time column holds NaT")
        return a.astype("datetime64[s]").astype(np.int64)
    return a


def install_sequences(namespace: dict) -> None:
    """The other flat functions with array arguments (summarize,
    segment_assign, segment_assign_book): the arrays are checked as above
    (and datetime64 accepted for times), the rest goes to the wrapped call
    (datetimes, None checks)."""
    import inspect
    for name in ("summarize", "segment_assign", "segment_assign_book"):
        inner = namespace.get(name)
        if inner is None or getattr(inner, "__followup_arrays__", False):
            continue
        sig = inspect.signature(inner)
        kinds = {k: (np.int64 if p.annotation == "Sequence[int]" else np.float64)
                 for k, p in sig.parameters.items() if str(p.annotation).startswith("Sequence[")}
        pos = {k: i + 1 for i, k in enumerate(sig.parameters)}

        def make(inner, name, sig, kinds, pos):
            def call(*args, **kwargs):
                try:
                    bound = sig.bind(*args, **kwargs)
                except TypeError as e:
                    raise TypeError(f"{name}(): {e}") from None
                given = [k for k in kinds if k in bound.arguments]
                values, _ = align_series(name, [(k, bound.arguments[k]) for k in given])
                bound.arguments.update(zip(given, values))  # Series matched by index label
                for k, dtype in kinds.items():
                    if k in bound.arguments:
                        v = bound.arguments[k]
                        if dtype is np.int64 and not isinstance(v, (str, bytes)) and v is not None:
                            v = _seconds(np.asarray(v.to_numpy() if hasattr(v, "to_numpy") else v))
                        bound.arguments[k] = _vector(name, pos[k], k, v, dtype)
                return inner(*bound.args, **bound.kwargs)
            call.__name__ = call.__qualname__ = name
            call.__module__ = "followup"
            call.__doc__ = inner.__doc__.split("\n\n", 1)[-1] if "\n\n" in (inner.__doc__ or "") else ""
            ints = [k for k, d in kinds.items() if d is np.int64]
            call.__doc__ = (call.__doc__ + "\n\nArray arguments (" + ", ".join(kinds) + "): numpy arrays, pandas "
                            "Series or sequences of one length, of numbers"
                            + (f" (whole numbers for {', '.join(ints)}; times may be datetime64, naive = UTC)"
                               if ints else "") + ".").strip()
            call.__signature__ = sig.replace(parameters=[
                p.replace(annotation="ArrayLike") if k in kinds else p for k, p in sig.parameters.items()])
            call.__followup_arrays__ = True
            return call
        namespace[name] = make(inner, name, sig, kinds, pos)


def _wrap(namespace: dict, fname: str, names: tuple, model_cls, params, ret: str, doc: str, out=None) -> None:
    import inspect
    label = {"gammagamma_expected": "expected_average_profit"}.get(fname, fname)
    raw = getattr(_core, fname)
    call = _columns_call(raw, fname, names, model_cls)
    call.__signature__ = inspect.Signature(params, return_annotation=ret)
    if out is None:
        fn = call
    else:
        @functools.wraps(call)
        def fn(*args, **kwargs):
            result, index = call.run(*args, **kwargs)
            return _labelled(np.asarray(result, dtype=out), index, label)
        fn.__signature__ = call.__signature__
        del fn.__wrapped__
    fn.__doc__ = doc
    fn.__module__ = "followup"
    namespace[fname] = fn
    __all__.append(fname)
