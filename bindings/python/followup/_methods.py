"""Per-customer columns of the result objects and the Calendar bulk calls as
numpy arrays.

The SWIG layer returns Python lists. After :func:`install`:

- ``Summary``: ``x()``, ``t_x()``, ``T()``, ``zbar()``, ``total()`` are
  float64 arrays; ``first_at()`` is a ``datetime64[ns]`` array of UTC instants
  (NaT without a purchase), ``first_at_epoch()`` the int64 UTC epoch seconds
  (``followup.BOOK_NO_TIME`` without a purchase).
- ``BookSummary``: the same columns plus ``recency()``, ``frequency()``,
  ``monetary()`` (float64), ``rfm_codes()`` (int64, 0 without a purchase) and
  ``rfm_groups()`` (object array of ``str``, None where no group applies).
- ``Assignments``: the name and rule columns (``tiers()``, ``segments()``,
  ...) are object arrays of ``str`` (None where absent); ``human()``,
  ``churn_risk()``, ``deep_care()`` int64 arrays of 0/1.
- ``SegmentRun`` (the scores): ``p_alive()``, ``expected()``, ``clv()``
  float64 arrays.
- ``Calendar.hour_of_week_bulk(times)`` takes an array of instants
  (``datetime64``, a pandas Series of naive-UTC or tz-aware datetimes,
  datetimes, ISO 8601 strings or int UTC epoch seconds) and returns an int64
  array; ``Calendar.add_business_bulk(times, seconds)`` returns the shifted
  instants as ``datetime64[ns]`` (UTC) and ``add_business_bulk_epoch`` as
  int64 epoch seconds.

The values are those of the list versions (``followup.core``), element for
element.
"""
from __future__ import annotations

import datetime as _dt
import inspect
from typing import Any

import numpy as np

from . import core as _core
from ._arrays import _invalid, _vector

_KINDS = {
    "float": (np.float64, "a float64 numpy.ndarray, one value per customer"),
    "int": (np.int64, "an int64 numpy.ndarray, one value per customer"),
    "str": (object, "a numpy.ndarray of str (dtype object; None where absent), one value per customer"),
    "flag": (np.int64, "an int64 numpy.ndarray of 0/1, one value per customer"),
}
#: columns of instants (int64 epoch seconds in the SWIG layer): name() is
#: datetime64[ns], name_epoch() int64
_TIME_COLUMNS = {"Notes": {"ats": "the instant of each note"}}

_COLUMNS = {
    "Summary": {"x": ("float", "repeat purchases"), "t_x": ("float", "recency: time of the last repeat purchase"),
                "T": ("float", "age: time from the first purchase to the calibration end"),
                "zbar": ("float", "mean value of the repeat purchases (0 without one)"),
                "total": ("float", "total value of all purchases")},
    "BookSummary": {"x": ("float", "repeat purchases"), "t_x": ("float", "recency: time of the last repeat purchase"),
                    "T": ("float", "age: time from the first purchase to now"),
                    "zbar": ("float", "mean value of the repeat purchases (0 without one)"),
                    "total": ("float", "total value of all purchases"),
                    "recency": ("float", "RFM recency (NaN without a purchase)"),
                    "frequency": ("float", "RFM frequency (NaN without a purchase)"),
                    "monetary": ("float", "RFM monetary value (NaN without a purchase)"),
                    "rfm_codes": ("int", "RFM codes 111..555 (0 without a purchase)"),
                    "rfm_groups": ("str", "RFM group names (None without a purchase or group)")},
    "Assignments": {"tiers": ("str", "tier names"), "tier_rules": ("str", "the rule that set the tier"),
                    "product_classes": ("str", "product class names"),
                    "product_rules": ("str", "the rule that set the product class"),
                    "lifecycles": ("str", "lifecycle stages (new, growing, mature, declining, churned)"),
                    "lifecycle_rules": ("str", "the rule that set the lifecycle stage"),
                    "segments": ("str", "composite segment names"),
                    "segment_rules": ("str", "the rule that set the segment"),
                    "handling_rules": ("str", "the handling rule"), "churn_rules": ("str", "the churn rule"),
                    "deep_care_rules": ("str", "the deep-care rule"),
                    "human": ("flag", "1 where a person handles the customer"),
                    "churn_risk": ("flag", "1 where the customer is at risk of churning"),
                    "deep_care": ("flag", "1 where the customer gets deep care")},
    "Notes": {"customer_ids": ("str", "the customer id of each note"), "texts": ("str", "the text of each note"),
              "lines": ("int", "the line each record starts on")},
    "Planner": {"tier_cycles": ("float", "the follow-up cycle of each tier, in seconds")},
    "SegmentRun": {"p_alive": ("float", "P(alive) per customer (NaN where unknown)"),
                   "expected": ("float", "expected purchases over the horizon (NaN where unknown)"),
                   "clv": ("float", "customer lifetime value (NaN where unknown)")},
}

TIMES_ANNOTATION = "ArrayLike"
_NS = np.int64(1_000_000_000)


def _column_method(cls_name: str, name: str, raw, kind: str, what: str):
    dtype, returns = _KINDS[kind]

    def method(self) -> np.ndarray:
        return np.asarray(raw(self), dtype=dtype)
    method.__name__ = name
    method.__qualname__ = f"{cls_name}.{name}"
    method.__signature__ = inspect.Signature([inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)],
                                             return_annotation="numpy.ndarray")
    method.__doc__ = f"{name}(self) -> numpy.ndarray\n\n{what[0].upper() + what[1:]}: {returns}."
    method.__followup_numpy__ = True
    method.__followup_list__ = raw  # the SWIG list version (tests compare with it)
    return method


def epoch_to_datetime64(seconds: np.ndarray, missing=None) -> np.ndarray:
    """int64 UTC epoch seconds as ``datetime64[ns]`` (``missing``: NaT)."""
    s = np.asarray(seconds, dtype=np.int64)
    gone = s == missing if missing is not None else np.zeros(s.shape, dtype=bool)
    out = (np.where(gone, 0, s) * _NS).view("datetime64[ns]")
    out[gone] = np.datetime64("NaT", "ns")
    return out


def _time_column(cls_name: str, name: str, raw, what: str):
    def epoch(self) -> np.ndarray:
        return np.asarray(raw(self), dtype=np.int64)

    def times(self) -> np.ndarray:
        return epoch_to_datetime64(epoch(self), _core.BOOK_NO_TIME)
    sig = inspect.Signature([inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)],
                            return_annotation="numpy.ndarray")
    epoch.__name__, times.__name__ = name + "_epoch", name
    for fn in (epoch, times):
        fn.__qualname__ = f"{cls_name}.{fn.__name__}"
        fn.__signature__ = sig
        fn.__followup_numpy__ = True
        fn.__followup_list__ = raw
    times.__doc__ = (f"{name}(self) -> numpy.ndarray\n\n{what[0].upper() + what[1:]}: a datetime64[ns] "
                     f"numpy.ndarray of UTC instants; the epoch seconds are {name}_epoch().")
    epoch.__doc__ = f"{name}_epoch(self) -> numpy.ndarray\n\n{what[0].upper() + what[1:]} as int64 UTC epoch seconds."
    return times, epoch


def _summary_first_at(raw):
    def first_at_epoch(self) -> np.ndarray:
        v = np.asarray(raw(self), dtype=np.float64)
        out = np.full(v.shape, _core.BOOK_NO_TIME, dtype=np.int64)
        has = ~np.isnan(v)
        out[has] = v[has].astype(np.int64)
        return out

    def first_at(self) -> np.ndarray:
        return epoch_to_datetime64(first_at_epoch(self), _core.BOOK_NO_TIME)
    sig = inspect.Signature([inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)],
                            return_annotation="numpy.ndarray")
    for fn in (first_at_epoch, first_at):
        fn.__qualname__ = f"Summary.{fn.__name__}"
        fn.__signature__ = sig
        fn.__followup_numpy__ = True
        fn.__followup_list__ = raw
    first_at.__doc__ = ("first_at(self) -> numpy.ndarray\n\nStart of the first purchase day of each customer: a "
                        "datetime64[ns] numpy.ndarray of UTC instants (NaT without a purchase); the epoch "
                        "seconds are first_at_epoch().")
    first_at_epoch.__doc__ = ("first_at_epoch(self) -> numpy.ndarray\n\nStart of the first purchase day of each "
                              "customer as int64 UTC epoch seconds (followup.BOOK_NO_TIME, INT64_MIN, without a "
                              "purchase).")
    return first_at, first_at_epoch


# ---- arrays of instants ----
def times_to_epoch(fname: str, pos: int, name: str, v: Any) -> np.ndarray:
    """A 1-D int64 array of UTC epoch seconds from an array of instants:
    datetime64 (naive = UTC), a pandas Series / DatetimeIndex (naive = UTC or
    tz-aware), datetimes, ISO 8601 strings with an offset, or int epoch
    seconds. Raises TypeError for a non-array, InvalidArgumentError (a
    ValueError) for NaT, 2-D input or text that is not a time."""
    if v is None or isinstance(v, (str, bytes, bytearray, dict, _dt.datetime, _dt.date)) or np.isscalar(v):
        raise TypeError(f"{fname}(): argument {pos} ({name}) must be an array of times (numpy datetime64 "
                        "array, pandas Series, sequence of datetimes / ISO strings / int epoch seconds), "
                        f"not {'None' if v is None else type(v).__name__}")
    dtype = getattr(v, "dtype", None)
    if getattr(dtype, "tz", None) is not None:  # tz-aware pandas Series / Index
        import pandas as pd
        v = pd.DatetimeIndex(v).tz_convert("UTC").tz_localize(None).to_numpy()
    elif hasattr(v, "to_numpy"):
        v = v.to_numpy()
    try:
        a = np.asarray(v)
    except (TypeError, ValueError) as err:
        raise _invalid(f"{fname}(): argument {pos} ({name}) is not a 1-D array of times: {err}") from None
    if a.ndim != 1:
        raise _invalid(f"{fname}(): argument {pos} ({name}) must be 1-D, got shape {a.shape}")
    if a.dtype.kind in "OUS":  # datetimes, Timestamps, strings, ints mixed: one by one in C's parser
        from ._pythonic import to_seconds
        out = np.empty(len(a), dtype=np.int64)
        for i, t in enumerate(a):
            s = to_seconds(t.decode() if isinstance(t, bytes) else t)
            if isinstance(s, bool) or not isinstance(s, (int, np.integer)):
                raise TypeError(f"{fname}(): argument {pos} ({name}) value {i} is not a time: "
                                f"{type(t).__name__}")
            out[i] = s
        return out
    if a.dtype.kind == "M":
        if np.isnat(a).any():
            raise _invalid(f"{fname}(): argument {pos} ({name}) holds NaT")
        return np.ascontiguousarray(a.astype("datetime64[s]").astype(np.int64))
    if a.dtype.kind == "b":
        raise TypeError(f"{fname}(): argument {pos} ({name}) must hold times, not bool values")
    return _vector(fname, pos, name, a, np.int64)


def _seconds_arg(fname: str, pos: int, v: Any) -> int:
    if isinstance(v, _dt.timedelta):
        return int(v.total_seconds())
    if isinstance(v, np.timedelta64):
        return int(v.astype("timedelta64[s]").astype(np.int64))
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
        raise TypeError(f"{fname}(): argument {pos} (seconds) must be int or datetime.timedelta, "
                        f"not {type(v).__name__}")
    return int(v)


def _calendar_methods(cal):
    hour_raw, add_raw = vars(cal)["hour_of_week_bulk"], vars(cal)["add_business_bulk"]
    P = inspect.Parameter
    me = P("self", P.POSITIONAL_OR_KEYWORD)

    def hour_of_week_bulk(self, times) -> np.ndarray:
        t = times_to_epoch("Calendar.hour_of_week_bulk", 1, "times", times)
        return np.asarray(hour_raw(self, t.tolist()), dtype=np.int64)

    def add_business_bulk_epoch(self, times, seconds) -> np.ndarray:
        fname = "Calendar.add_business_bulk_epoch"
        t = times_to_epoch(fname, 1, "times", times)
        return np.asarray(add_raw(self, t.tolist(), _seconds_arg(fname, 2, seconds)), dtype=np.int64)

    def add_business_bulk(self, times, seconds) -> np.ndarray:
        fname = "Calendar.add_business_bulk"
        t = times_to_epoch(fname, 1, "times", times)
        return epoch_to_datetime64(np.asarray(add_raw(self, t.tolist(), _seconds_arg(fname, 2, seconds)),
                                              dtype=np.int64))
    times = P("times", P.POSITIONAL_OR_KEYWORD, annotation=TIMES_ANNOTATION)
    secs = P("seconds", P.POSITIONAL_OR_KEYWORD, annotation="int | datetime.timedelta")
    hour_of_week_bulk.__signature__ = inspect.Signature([me, times], return_annotation="numpy.ndarray")
    add_business_bulk.__signature__ = inspect.Signature([me, times, secs], return_annotation="numpy.ndarray")
    add_business_bulk_epoch.__signature__ = add_business_bulk.__signature__
    times_doc = ("times: an array of instants (numpy datetime64, naive = UTC; a pandas Series or "
                 "DatetimeIndex, naive = UTC or tz-aware; a sequence of datetimes, ISO 8601 strings with an "
                 "offset or int UTC epoch seconds).")
    hour_of_week_bulk.__doc__ = ("hour_of_week_bulk(self, times: ArrayLike) -> numpy.ndarray\n\nThe local hour "
                                 "of the week (0 = Monday 00:00 .. 167) of each instant in the calendar's time "
                                 "zone: an int64 numpy.ndarray.\n" + times_doc)
    add_business_bulk.__doc__ = ("add_business_bulk(self, times: ArrayLike, seconds: int | datetime.timedelta) "
                                 "-> numpy.ndarray\n\nEach instant moved forward by `seconds` of business "
                                 "(opening) time: a datetime64[ns] numpy.ndarray of UTC instants; the epoch "
                                 "seconds are add_business_bulk_epoch().\n" + times_doc)
    add_business_bulk_epoch.__doc__ = ("add_business_bulk_epoch(self, times: ArrayLike, seconds: int | "
                                       "datetime.timedelta) -> numpy.ndarray\n\nAs add_business_bulk, as int64 "
                                       "UTC epoch seconds.\n" + times_doc)
    out = (hour_of_week_bulk, add_business_bulk, add_business_bulk_epoch)
    for fn, raw in zip(out, (hour_raw, add_raw, add_raw)):
        fn.__qualname__ = f"Calendar.{fn.__name__}"
        fn.__followup_numpy__ = True
        fn.__followup_list__ = raw
    return out


def install() -> None:
    for cls_name, columns in _COLUMNS.items():
        cls = getattr(_core, cls_name, None)
        if cls is None:
            continue
        for name, (kind, what) in columns.items():
            raw = vars(cls).get(name)
            if raw is None or getattr(raw, "__followup_numpy__", False):
                continue
            setattr(cls, name, _column_method(cls_name, name, raw, kind, what))
    for cls_name, columns in _TIME_COLUMNS.items():
        cls = getattr(_core, cls_name, None)
        for name, what in (columns.items() if cls is not None else ()):
            raw = vars(cls).get(name)
            if raw is None or getattr(raw, "__followup_numpy__", False):
                continue
            for fn in _time_column(cls_name, name, raw, what):
                setattr(cls, fn.__name__, fn)
    raw = vars(_core.Summary).get("first_at")
    if raw is not None and not getattr(raw, "__followup_numpy__", False):
        first_at, first_at_epoch = _summary_first_at(raw)
        _core.Summary.first_at, _core.Summary.first_at_epoch = first_at, first_at_epoch
    if not getattr(vars(_core.Calendar).get("hour_of_week_bulk"), "__followup_numpy__", False):
        for fn in _calendar_methods(_core.Calendar):
            setattr(_core.Calendar, fn.__name__, fn)
