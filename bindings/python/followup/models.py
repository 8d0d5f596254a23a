"""Customer-base models as fitted estimators (lifetimes / scikit-learn style).

>>> bgf = BetaGeoFitter().fit(summary["frequency"], summary["recency"], summary["T"])
>>> bgf.summary                     # estimate, standard error, 95% interval
>>> bgf.conditional_probability_alive(summary["frequency"], summary["recency"], summary["T"])

``fit`` returns the estimator; fitted attributes end in ``_`` (``params_``,
``log_likelihood_``, ``iterations_``, ``converged_``, ``n_``). The fitting and
scoring run in C (:mod:`followup.core`); this module adds the standard errors
(the inverse of the numerical Hessian of the log-likelihood at the estimate,
by central differences) and pandas/numpy in and out.

Inputs are array-likes of equal length (lists, numpy arrays, pandas Series),
or one DataFrame with the columns ``frequency``, ``recency``, ``T`` (and
``monetary_value``), as :func:`followup.frames.summary_from_transactions`
makes them. Series are matched by index label, as pandas arithmetic does
(all Series arguments of a call must hold the same labels: a Series in
another order is reindexed to the first one, different labels raise
InvalidArgumentError); numpy arrays and lists are positional. Outputs are
numpy arrays, or Series with the first Series's index when a Series or
DataFrame came in.
"""
from __future__ import annotations

import math
from typing import Any, Callable, Optional, Sequence, Tuple

import numpy as np

from . import core as _core
from ._arrays import align_series, pandas_numbers, refuse_inexact_ints, refuse_negative_values, unmasked
import importlib
_ext = importlib.import_module("followup._core")  # the C extension: the exception classes

__all__ = ["BetaGeoFitter", "ParetoNBDFitter", "GammaGammaFitter", "ModelNotIdentifiedError",
           "NotFittedError"]

_Z95 = 1.959963984540054


class ModelNotIdentifiedError(_ext.ConvergenceError):
    """The data do not identify the model (the fit runs off to a boundary or
    infinity, or too few customers have the needed variation)."""


class NotFittedError(_ext.StateError):
    """The estimator is used before :meth:`fit`."""


def _make_error(cls, message: str, code: int):
    e = cls(message)
    e.code, e.message, e.source, e.line, e.column, e.path = code, message, "", 0, 0, ""
    return e


def _column(v: Any, name: str, fname: str = "") -> np.ndarray:
    where = f"{fname}(): {name}" if fname else name
    if v is None or isinstance(v, (str, bytes, bytearray, dict)):
        raise TypeError(f"{where} must be an array of numbers (numpy array, pandas Series or sequence), "
                        f"not {type(v).__name__}")
    if hasattr(v, "to_numpy") and hasattr(v, "dtype"):  # pandas Series / Index: nullable and datetime dtypes
        v = pandas_numbers(where, v)
    v = unmasked(where, v)
    if isinstance(getattr(v, "dtype", None), np.dtype) and v.dtype.kind in "MmSU":  # datetimes, text
        raise TypeError(f"{where} must hold numbers, not {v.dtype} values")
    try:
        refuse_inexact_ints(where, np.asarray(v))
    except (TypeError, ValueError) as e:
        if isinstance(e, _ext.Error):
            raise
    try:
        a = np.asarray(v, dtype=np.float64)
    except (TypeError, ValueError):
        raise _make_error(_ext.InvalidArgumentError,
                          f"{where}: expected an array of numbers, got {type(v).__name__}", _core.EINVAL) from None
    if a.ndim != 1:
        a = a.reshape(-1) if a.ndim == 0 else a
        if a.ndim != 1:
            raise _make_error(_ext.InvalidArgumentError, f"{where}: expected a 1-D array, got shape {a.shape}",
                              _core.EINVAL)
    return np.ascontiguousarray(a)


def _periods(time: Any, where: str) -> int:
    """``time`` (a number of CLV periods) as an int >= 1: a bool, a float
    with a fraction, a negative number (which C would read as 4294967293
    periods) or a non-number is refused, naming the method and argument."""
    if isinstance(time, (bool, np.bool_)) or not isinstance(time, (int, np.integer, float, np.floating)):
        raise TypeError(f"{where}(): argument time must be int, not {type(time).__name__}")
    if time != time or int(time) != time or not 1 <= time <= 0xFFFFFFFF:
        raise _make_error(_ext.InvalidArgumentError,
                          f"{where}(): argument time must be a whole number of periods >= 1, not {time!r}",
                          _core.EINVAL)
    return int(time)


def _horizon(t: Any, where: str) -> float:
    """The horizon ``t`` as a float: one number for all customers."""
    if isinstance(t, (bool, np.bool_)) or not isinstance(t, (int, float, np.integer, np.floating)):
        if isinstance(t, np.ndarray) and t.ndim == 0 and t.dtype.kind in "iuf":
            t = t.item()
        else:
            raise TypeError(f"{where}(): t (the horizon) must be a number, not {type(t).__name__}")
    return float(t)


def _out(values: Sequence[float], index, name: str):
    a = np.asarray(values, dtype=np.float64)
    if index is None:
        return a
    import pandas as pd
    return pd.Series(a, index=index, name=name)


def _frt(frequency, recency, T, fname: str = "", extra: Optional[tuple] = None
         ) -> Tuple[np.ndarray, np.ndarray, np.ndarray, Any]:
    """frequency/recency/T as arrays, from three array-likes or one DataFrame.
    Series are matched by index (followup._arrays.align_series), with
    ``extra`` (name, value) too: its aligned value is returned fifth."""
    if recency is None and T is None and hasattr(frequency, "columns"):
        df = frequency
        missing = [c for c in ("frequency", "recency", "T") if c not in df.columns]
        if missing:
            raise _make_error(_ext.InvalidArgumentError,
                              f"the DataFrame has no column {', '.join(missing)} (expected frequency, recency, T)",
                              _core.EINVAL)
        frequency, recency, T = df["frequency"], df["recency"], df["T"]
    if recency is None or T is None:
        raise _make_error(_ext.InvalidArgumentError, "give frequency, recency and T (or one DataFrame)",
                          _core.EINVAL)
    named = [("frequency", frequency), ("recency", recency), ("T", T)] + ([extra] if extra else [])
    values, idx = align_series(fname or "fit", named)
    x, tx, t = (_column(v, k, fname) for (k, _), v in zip(named[:3], values[:3]))
    if not (len(x) == len(tx) == len(t)):
        raise _make_error(_ext.InvalidArgumentError,
                          f"frequency, recency and T have different lengths ({len(x)}, {len(tx)}, {len(t)})",
                          _core.EINVAL)
    if extra:
        return x, tx, t, idx, values[3]
    return x, tx, t, idx


def numerical_hessian(f: Callable[[np.ndarray], float], theta: np.ndarray, rel_step: float = 1e-4) -> np.ndarray:
    """The Hessian of ``f`` at ``theta`` by central differences (step
    ``rel_step * |theta_i|``)."""
    theta = np.asarray(theta, dtype=np.float64)
    k = len(theta)
    h = rel_step * np.maximum(np.abs(theta), 1e-3)
    H = np.empty((k, k))
    f0 = f(theta)
    for i in range(k):
        e_i = np.zeros(k)
        e_i[i] = h[i]
        H[i, i] = (f(theta + e_i) - 2 * f0 + f(theta - e_i)) / h[i] ** 2
        for j in range(i):
            e_j = np.zeros(k)
            e_j[j] = h[j]
            H[i, j] = H[j, i] = (f(theta + e_i + e_j) - f(theta + e_i - e_j) - f(theta - e_i + e_j)
                                 + f(theta - e_i - e_j)) / (4 * h[i] * h[j])
    return H


class _Fitter:
    """Shared machinery: parameters, summary table, repr."""

    _names: Tuple[str, ...] = ()
    _label = ""

    def __init__(self) -> None:
        self.params_ = None
        self.log_likelihood_: Optional[float] = None
        self.iterations_: Optional[int] = None
        self.converged_: Optional[bool] = None
        self.n_: Optional[int] = None
        self.standard_errors_ = None
        self.variance_matrix_ = None
        self._model = None

    # scikit-learn style aliases without the underscore
    @property
    def iterations(self) -> Optional[int]:
        """Quasi-Newton iterations of the successful start (None before fit)."""
        return self.iterations_

    @property
    def converged(self) -> Optional[bool]:
        """True after a successful fit (a fit that does not converge raises)."""
        return self.converged_

    @property
    def log_likelihood(self) -> Optional[float]:
        return self.log_likelihood_

    def _check_fitted(self) -> None:
        if self._model is None:
            raise _make_error(NotFittedError, f"{type(self).__name__} is not fitted: call fit() first", _core.ESTATE)

    def _finish(self, model, iterations: int, loglik_of: Callable[[np.ndarray], float], n: int) -> None:
        import pandas as pd
        theta = np.array([getattr(model, k) for k in self._names])
        self._model = model
        self.iterations_ = int(iterations)
        self.converged_ = True
        self.n_ = int(n)
        self.log_likelihood_ = float(loglik_of(theta))
        self.params_ = pd.Series(theta, index=list(self._names), name="coef")
        H = numerical_hessian(loglik_of, theta)
        try:
            cov = np.linalg.inv(-H)
            se = np.sqrt(np.where(np.diag(cov) >= 0, np.diag(cov), np.nan))
        except np.linalg.LinAlgError:
            cov = np.full_like(H, np.nan)
            se = np.full(len(theta), np.nan)
        self.variance_matrix_ = pd.DataFrame(cov, index=list(self._names), columns=list(self._names))
        self.standard_errors_ = pd.Series(se, index=list(self._names), name="se(coef)")

    @property
    def summary(self):
        """DataFrame: coef, se(coef), lower 95% bound, upper 95% bound per parameter."""
        self._check_fitted()
        import pandas as pd
        p, se = self.params_, self.standard_errors_
        return pd.DataFrame({"coef": p, "se(coef)": se, "lower 95% bound": p - _Z95 * se,
                             "upper 95% bound": p + _Z95 * se})

    def __repr__(self) -> str:
        if self._model is None:
            return f"<followup.{type(self).__name__}: not fitted>"
        ps = ", ".join(f"{k}: {v:.4g}" for k, v in self.params_.items())
        return (f"<followup.{type(self).__name__}: fitted with {self.n_} subjects, {ps}, "
                f"log-likelihood {self.log_likelihood_:.2f}>")

    def _fit_call(self, fn, *args):
        try:
            return fn(*args)
        except _ext.ConvergenceError as e:
            raise _make_error(ModelNotIdentifiedError,
                              f"{self._label}: the data do not identify the model "
                              f"({len(args[0])} customers): {e.message}", _core.ECONVERGE) from None
        except _ext.InvalidArgumentError as e:
            raise _make_error(ModelNotIdentifiedError if "identif" in e.message else _ext.InvalidArgumentError,
                              f"{self._label}: {e.message}", e.code) from None


class _PurchaseFitter(_Fitter):
    _fit_ex: Callable = None  # type: ignore[assignment]
    _loglik: Callable = None  # type: ignore[assignment]
    _cls: Any = None
    _p_alive: Callable = None  # type: ignore[assignment]
    _expected: Callable = None  # type: ignore[assignment]
    _expected_new: Callable = None  # type: ignore[assignment]
    _clv: Callable = None  # type: ignore[assignment]

    def __init_subclass__(cls, prefix: str = "", model: Any = None, **kwargs):
        """A purchase model's C functions by its prefix: followup.core.<prefix>_fit_ex, _loglik, ..."""
        super().__init_subclass__(**kwargs)
        for attr in ("fit_ex", "loglik", "p_alive", "expected", "expected_new", "clv"):
            setattr(cls, "_" + attr, staticmethod(getattr(_core, f"{prefix}_{attr}")))
        cls._cls = model

    def fit(self, frequency, recency=None, T=None):
        """Fit on the customers' repeat purchases ``frequency`` (x), ``recency``
        (t_x) and age ``T``, all in one time unit; returns ``self``.

        Raises :class:`ModelNotIdentifiedError` (a :class:`followup.ConvergenceError`)
        when the data do not identify the model."""
        x, tx, t, _ = _frt(frequency, recency, T, f"{type(self).__name__}.fit")
        if len(x) == 0 or not np.any(x > 0):
            raise _make_error(ModelNotIdentifiedError,
                              f"{self._label}: the data do not identify the model: "
                              f"{len(x)} customers, none with a repeat purchase", _core.ECONVERGE)
        model, iterations = self._fit_call(type(self)._fit_ex, x, tx, t)
        cls = type(self)._cls
        ll = type(self)._loglik
        self._finish(model, iterations, lambda th: ll(cls(*th), x, tx, t), len(x))
        return self

    def conditional_probability_alive(self, frequency, recency=None, T=None):
        """P(alive | frequency, recency, T) per customer: numpy array or Series.
        float64 numpy arrays and Series are read in place (no copy) and the
        result is a new numpy array filled by C."""
        self._check_fitted()
        x, tx, t, idx = _frt(frequency, recency, T, f"{type(self).__name__}.conditional_probability_alive")
        p = np.empty(len(x))
        _core._score(self._model, None, x, tx, t, None, p, None, None, 0.0, 0.0, 12, 0.01, 1.0)
        return _out(p, idx, "p_alive")

    def conditional_expected_number_of_purchases_up_to_time(self, t: float, frequency, recency=None, T=None):
        """Expected purchases in (T, T + t] per customer: numpy array or Series."""
        self._check_fitted()
        fname = f"{type(self).__name__}.conditional_expected_number_of_purchases_up_to_time"
        if np.ndim(t) == 1 and not isinstance(t, (str, bytes)):  # one horizon per customer, as lifetimes allows
            x, tx, age, idx, t = _frt(frequency, recency, T, fname, ("t", t))
            return _out(self._expected_each(fname, _column(t, "t", fname), x, tx, age), idx, "expected_purchases")
        t = _horizon(t, fname)
        x, tx, age, idx = _frt(frequency, recency, T, fname)
        e = np.empty(len(x))
        _core._score(self._model, None, x, tx, age, None, None, e, None, t, 0.0, 12, 0.01, 1.0)
        return _out(e, idx, "expected_purchases")

    def _expected_each(self, fname: str, t: np.ndarray, x, tx, age) -> np.ndarray:
        """Expected purchases with a horizon per customer: one C call per
        distinct horizon (each row's value depends on its own row only).
        The rows are sorted by horizon and gathered in that order once, so
        each call reads a contiguous slice in place: O(n log n) work however
        many distinct horizons there are (the old test of every row against
        every horizon was O(n x horizons))."""
        if len(t) != len(x):
            raise _make_error(_ext.InvalidArgumentError, f"{fname}(): t has {len(t)} values, expected one "
                              f"number or {len(x)} (one per customer)", _core.EINVAL)
        if np.isnan(t).any():
            i = int(np.flatnonzero(np.isnan(t))[0])
            raise _make_error(_ext.InvalidArgumentError, f"{fname}(): t[{i}] is NaN: a horizon is needed",
                              _core.EINVAL)
        if not len(t):
            return np.empty(0)
        order = np.argsort(t, kind="stable")
        ts = t[order]
        x, tx, age = x[order], tx[order], age[order]
        bits = ts.view(np.int64)  # groups of one value bit for bit (-0.0 and 0.0 apart, as per row)
        starts = np.concatenate(([0], np.flatnonzero(bits[1:] != bits[:-1]) + 1))
        ends = np.append(starts[1:], len(ts))
        sorted_e = np.empty(len(ts))
        for a, b in zip(starts.tolist(), ends.tolist()):
            _core._score(self._model, None, x[a:b], tx[a:b], age[a:b], None, None, sorted_e[a:b], None,
                         float(ts[a]), 0.0, 12, 0.01, 1.0)
        e = np.empty(len(ts))
        e[order] = sorted_e
        return e

    def score(self, frequency, recency=None, T=None, monetary_value=None, t: Optional[float] = None,
              spend_model: Optional["GammaGammaFitter"] = None, time: int = 12, discount_rate: float = 0.01,
              period: float = 52 / 12, margin: float = 1.0):
        """P(alive), expected purchases in (T, T + ``t``] and CLV (as
        :meth:`GammaGammaFitter.customer_lifetime_value`, with ``spend_model``
        or the mean values themselves) in one pass over the customers: a
        DataFrame (index of the input Series, if any) with the columns asked
        for: p_alive always, expected_purchases with ``t``, clv with
        ``monetary_value``. Inputs are read in place; no per-row Python."""
        import pandas as pd
        self._check_fitted()
        fname = f"{type(self).__name__}.score"
        x, tx, age, idx, monetary_value = _frt(frequency, recency, T, fname, ("monetary_value", monetary_value))
        n = len(x)
        z = _column(monetary_value, "monetary_value", fname) if monetary_value is not None else None
        if t is not None:
            t = _horizon(t, fname)
        if z is not None and len(z) != n:
            raise _make_error(_ext.InvalidArgumentError, f"monetary_value has {len(z)} values, expected {n}",
                              _core.EINVAL)
        gg = None
        if spend_model is not None:
            spend_model._check_fitted()
            gg = spend_model._model
        elif z is not None:
            refuse_negative_values(fname, "monetary_value", z)
        p = np.empty(n)
        e = np.empty(n) if t is not None else None
        c = np.empty(n) if z is not None else None
        _core._score(self._model, gg, x, tx, age, z, p, e, c, t if t is not None else 0.0, float(period),
                     _periods(time, f"{type(self).__name__}.score"), float(discount_rate), float(margin))
        cols = {"p_alive": p}
        if e is not None:
            cols["expected_purchases"] = e
        if c is not None:
            cols["clv"] = c
        return pd.DataFrame(cols, index=idx)

    predict = conditional_expected_number_of_purchases_up_to_time
    conditional_expected_purchases = conditional_expected_number_of_purchases_up_to_time
    p_alive = conditional_probability_alive

    def expected_number_of_purchases_up_to_time(self, t) -> np.ndarray:
        """Expected purchases in (0, t] of a new customer, for each t."""
        self._check_fitted()
        ts = np.atleast_1d(np.asarray(t, dtype=np.float64))
        f = type(self)._expected_new
        return np.array([f(self._model, float(v)) for v in ts])

    @property
    def model(self):
        """The fitted C model (followup.core.BgNbd / ParetoNbd)."""
        self._check_fitted()
        return self._model


class BetaGeoFitter(_PurchaseFitter, prefix="bgnbd", model=_core.BgNbd):
    """BG/NBD (Fader, Hardie & Lee 2005): parameters r, alpha, a, b."""
    _names = ("r", "alpha", "a", "b")
    _label = "BG/NBD"


class ParetoNBDFitter(_PurchaseFitter, prefix="pareto", model=_core.ParetoNbd):
    """Pareto/NBD (Schmittlein, Morrison & Colombo 1987): parameters r, alpha, s, beta."""
    _names = ("r", "alpha", "s", "beta")
    _label = "Pareto/NBD"


class GammaGammaFitter(_Fitter):
    """Gamma-Gamma spend model (Fader, Hardie & Lee 2005): parameters p, q, gamma
    (lifetimes calls gamma ``v``). Fitted on repeat buyers (frequency > 0)."""
    _names = ("p", "q", "gamma")
    _label = "Gamma-Gamma"

    def fit(self, frequency, monetary_value=None):
        """Fit on ``frequency`` and mean repeat-purchase ``monetary_value``
        (customers with frequency 0 or value <= 0 are left out); returns ``self``."""
        if monetary_value is None and hasattr(frequency, "columns"):
            frequency, monetary_value = frequency["frequency"], frequency["monetary_value"]
        fname = "GammaGammaFitter.fit"
        (frequency, monetary_value), _ = align_series(fname, [("frequency", frequency),
                                                              ("monetary_value", monetary_value)])
        x, z = _column(frequency, "frequency", fname), _column(monetary_value, "monetary_value", fname)
        if len(x) != len(z):
            raise _make_error(_ext.InvalidArgumentError,
                              f"frequency and monetary_value have different lengths ({len(x)}, {len(z)})",
                              _core.EINVAL)
        keep = (x > 0) & (z > 0)
        x, z = np.ascontiguousarray(x[keep]), np.ascontiguousarray(z[keep])
        if len(x) < 2 or np.ptp(z) == 0:
            raise _make_error(ModelNotIdentifiedError,
                              f"Gamma-Gamma: the data do not identify the model: {len(x)} repeat buyers with a "
                              "value" + (", all with the same mean value" if len(x) >= 2 else ""), _core.ECONVERGE)
        model, iterations = self._fit_call(_core.gammagamma_fit_ex, x, z)
        self._finish(model, iterations, lambda th: _core.gammagamma_loglik(_core.GammaGamma(*th), x, z), len(x))
        return self

    def conditional_expected_average_profit(self, frequency, monetary_value):
        """E(spend per transaction | frequency, monetary_value) per customer
        (the population mean where frequency is 0)."""
        self._check_fitted()
        fname = "GammaGammaFitter.conditional_expected_average_profit"
        (frequency, monetary_value), idx = align_series(fname, [("frequency", frequency),
                                                                ("monetary_value", monetary_value)])
        x, z = _column(frequency, "frequency", fname), _column(monetary_value, "monetary_value", fname)
        return _out(_core.gammagamma_expected(self._model, x, z), idx, "expected_average_profit")

    def customer_lifetime_value(self, transaction_prediction_model: _PurchaseFitter, frequency, recency, T,
                                monetary_value, time: int = 12, discount_rate: float = 0.01,
                                period: float = 52 / 12, margin: float = 1.0):
        """Discounted CLV over ``time`` periods of length ``period`` (in the
        purchase model's time unit; default a month in weeks) at
        ``discount_rate`` per period: numpy array or Series."""
        self._check_fitted()
        transaction_prediction_model._check_fitted()
        fname = "GammaGammaFitter.customer_lifetime_value"
        x, tx, t, idx, monetary_value = _frt(frequency, recency, T, fname, ("monetary_value", monetary_value))
        z = _column(monetary_value, "monetary_value", fname)
        if len(z) != len(x):
            raise _make_error(_ext.InvalidArgumentError, f"monetary_value has {len(z)} values, expected {len(x)}",
                              _core.EINVAL)
        c = np.empty(len(x))
        _core._score(transaction_prediction_model._model, self._model, x, tx, t, z, None, None, c, 0.0,
                     float(period), _periods(time, "GammaGammaFitter.customer_lifetime_value"), float(discount_rate),
                     float(margin))
        return _out(c, idx, "clv")

    clv = customer_lifetime_value

    @property
    def model(self):
        """The fitted C model (followup.core.GammaGamma)."""
        self._check_fitted()
        return self._model


