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
- ``Calendar.hour_of_week_bulk(times)`` takes an array of instants (int64
  UTC epoch seconds, read in place; a numpy datetime64 array (UTC, as
  these calls return); a tz-aware pandas Series or DatetimeIndex; tz-aware
  datetimes, ISO 8601 strings with an offset; naive pandas columns and naive
  datetimes are refused) and returns an int64 array;
  ``Calendar.add_business_bulk(times, seconds)`` and
  ``add_working_days_bulk(times, n, mode)`` return the shifted instants as
  ``datetime64[ns]`` (UTC), their ``_epoch`` forms as int64 epoch seconds.
  Each is one C call (``core._calendar_bulk``) with the GIL released.

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
    "Planner": {"tier_cycles": ("float", "the fallback purchase cycle of each value tier x product class "
                                         "(tier-major: 3 tiers x 3 classes = 9 values with the built-in policy), "
                                         "in days; 0 where no customer of that tier has a cycle for that class. "
                                         "It goes back into Planner(..., tier_cycles=); to combine the cycles of "
                                         "partitions exactly use Planner.tier_cycle_sums() and "
                                         "followup.combine_tier_cycles()")},
    "SegmentRun": {"p_alive": ("float", "P(alive) per customer (NaN where unknown)"),
                   "expected": ("float", "expected purchases over the horizon (NaN where unknown)"),
                   "clv": ("float", "customer lifetime value (NaN where unknown)")},
}

TIMES_ANNOTATION = "ArrayLike"


_INT64_MAX = np.iinfo(np.int64).max
_UINT64_MAX = np.iinfo(np.uint64).max


def _tier_cycle_sums(self) -> "tuple[numpy.ndarray, numpy.ndarray]":
    """tier_cycle_sums(self) -> tuple[numpy.ndarray, numpy.ndarray]

    The exact parts of ``tier_cycles()``:
    ``(sums, counts)``, an int64 array of whole seconds summed (each
    customer's cycle rounded to the nearest second) and a uint64 array of the
    customers counted, one value per value tier x product class in the order
    of ``tier_cycles()``. Integers: the parts of a book's partitions add up,
    in any order, to those of the whole book, and
    ``followup.combine_tier_cycles(parts)`` turns them into exactly the
    cycles a planner over the whole book computes (docs/scaling.md). Raises
    StateError for a planner given ``tier_cycles=`` (it has no parts)."""
    n = len(self.tier_cycles())
    sums = np.array([self._tier_cycle_sum(i) for i in range(n)], dtype=np.int64)
    counts = np.array([self._tier_cycle_count(i) for i in range(n)], dtype=np.uint64)
    return sums, counts


def _ext_range_error(message: str):
    """followup.RangeError (C: FU_ERANGE) with the fields of the C errors."""
    import importlib
    e = importlib.import_module("followup._core").RangeError(message)
    e.code, e.message, e.source, e.line, e.column, e.path = _core.ERANGE, message, "", 0, 0, ""
    return e


def _exact_tier_cycles(parts) -> "numpy.ndarray":
    """combine_tier_cycles(parts): sums in Python integers (never wrap), then
    the cycles by the formula of fu_planner_tier_cycles_from_sums()."""
    if isinstance(parts, tuple) and len(parts) == 2 and np.ndim(parts[0]) == 1:
        raise _invalid("combine_tier_cycles(): expected a sequence of (sums, counts) pairs, one per partition "
                       "(Planner.tier_cycle_sums() of each), got one pair: wrap it in a list")
    rows = []
    for p, part in enumerate(parts):
        if not (isinstance(part, (tuple, list)) and len(part) == 2):
            raise _invalid(f"combine_tier_cycles(): partition {p}: expected a (sums, counts) pair as "
                           "Planner.tier_cycle_sums() returns it")
        s, c = (np.asarray(x) for x in part)
        if s.ndim != 1 or c.shape != s.shape or (len(rows) and s.shape != rows[0][0].shape):
            raise _invalid(f"combine_tier_cycles(): partition {p}: sums and counts must be 1-D and of one length "
                           f"for every partition, got shapes {s.shape} and {c.shape}")
        if s.size and (s.dtype.kind not in "iu" or c.dtype.kind not in "iu"):
            raise _invalid(f"combine_tier_cycles(): partition {p}: sums and counts must be integers "
                           f"(got {s.dtype} and {c.dtype})")
        rows.append((s, c))
    if not rows:
        raise _invalid("combine_tier_cycles(): no partitions")
    n = rows[0][0].size
    total_s, total_c = [0] * n, [0] * n
    for p, (s, c) in enumerate(rows):
        for i in range(n):
            si, ci = int(s[i]), int(c[i])
            if si < 0 or ci < 0 or (si > 0 and ci == 0):
                raise _invalid(f"combine_tier_cycles(): partition {p}, value {i}: {si} seconds over {ci} customers "
                               "(expected seconds >= 0, and customers where seconds > 0)")
            total_s[i] += si
            total_c[i] += ci
    for i in range(n):
        if total_s[i] > _INT64_MAX or total_c[i] > _UINT64_MAX:
            msg = (f"combine_tier_cycles(): value {i} adds up to {total_s[i]} seconds over {total_c[i]} customers, "
                   "past int64 / uint64")
            raise _ext_range_error(msg)
    sums = np.array(total_s, dtype=np.int64)
    counts = np.array(total_c, dtype=np.uint64)
    # the formula of fu_planner_tier_cycles_from_sums(): (double)sum / (double)count / 86400.0
    have = counts > 0
    out = np.zeros(n, dtype=np.float64)
    out[have] = sums[have].astype(np.float64) / counts[have].astype(np.float64) / 86400.0
    return out


def combine_tier_cycles(parts: "Any", customers: "Optional[ArrayLike]" = None) -> "numpy.ndarray":
    """Combine the tier cycles of a book's partitions into one set for every
    partition's planner (``Planner(..., tier_cycles=)``); docs/scaling.md.

    Exact: ``combine_tier_cycles(parts)`` with ``parts`` one
    ``Planner.tier_cycle_sums()`` pair ``(sums, counts)`` per partition. The
    integer parts are added (in Python integers: an int64 overflow raises,
    never wraps) and each cycle is ``sum / count / 86400`` in float64 (0
    where no customer has one): bit for bit the ``tier_cycles()`` of one
    planner over the whole book, whatever the split and the order of the
    partitions.

    Approximate (the form before session 10, kept for old callers):
    ``combine_tier_cycles(cycles, customers)`` with one row of
    ``Planner.tier_cycles()`` (days) per partition and the partitions'
    customer counts. A 0 is left out: each value is the mean of the non-zero
    values weighted by the customers of the partitions that have one. The
    exact figure is a mean over the customers of the tier who have a cycle,
    which these rows do not carry: within 11% on the sample book, not equal.

    Returns a float64 numpy.ndarray."""
    if customers is None:
        return _exact_tier_cycles(parts)
    c = np.asarray(parts, dtype=np.float64)
    n = np.asarray(customers, dtype=np.float64)
    if c.ndim != 2 or n.ndim != 1 or len(n) != len(c):
        raise _invalid(f"combine_tier_cycles(): expected one row of cycles per partition and one customer count "
                       f"per partition, got shapes {c.shape} and {n.shape}")
    if not np.all(np.isfinite(c)) or (c < 0).any() or not np.all(np.isfinite(n)) or (n < 0).any():
        raise _invalid("combine_tier_cycles(): cycles and customer counts must be finite and >= 0")
    have = c > 0
    w = (n[:, None] * have).sum(axis=0)
    total = (c * n[:, None]).sum(axis=0)
    return np.where(w > 0, total / np.where(w > 0, w, 1.0), 0.0)


combine_tier_cycles.__module__ = "followup"
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
    """A 1-D int64 array of UTC epoch seconds from an array of instants: a
    tz-aware pandas Series / DatetimeIndex, a numpy datetime64 array or
    datetime64 values (UTC: what the bulk calls return), tz-aware
    datetimes, ISO 8601 strings with an offset, or int epoch seconds. Naive
    pandas columns (Series / DatetimeIndex) and naive datetimes are refused:
    they need a zone and the library never guesses one. Raises TypeError for a
    non-array, InvalidArgumentError (a ValueError) for naive datetimes, NaT,
    2-D input or text that is not a time."""
    if v is None or isinstance(v, (str, bytes, bytearray, dict, _dt.datetime, _dt.date)) or np.isscalar(v):
        raise TypeError(f"{fname}(): argument {pos} ({name}) must be an array of times (numpy datetime64 "
                        "array, pandas Series, sequence of datetimes / ISO strings / int epoch seconds), "
                        f"not {'None' if v is None else type(v).__name__}")
    dtype = getattr(v, "dtype", None)
    aware = getattr(dtype, "tz", None) is not None
    # a numpy datetime64 array has no zone concept: UTC instants, as the bulk
    # calls and Notes.ats() return them (review s12 U14); a naive pandas
    # Series / DatetimeIndex (which could hold a zone) is refused
    utc_numpy = not hasattr(v, "to_numpy")  # numpy arrays, sequences of datetime64 values
    if aware:  # tz-aware pandas Series / Index
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
            if isinstance(t, _dt.datetime) and t.tzinfo is None:
                raise _naive_times(fname, pos, name, f"value {i} ({t!s}) is a naive datetime")
            if isinstance(t, np.datetime64) and np.isnat(t):
                raise _invalid(f"{fname}(): argument {pos} ({name}) holds NaT")
            s = to_seconds(t.decode() if isinstance(t, bytes) else t)
            if isinstance(s, bool) or not isinstance(s, (int, np.integer)):
                raise TypeError(f"{fname}(): argument {pos} ({name}) value {i} is not a time: "
                                f"{type(t).__name__}")
            out[i] = s
        return out
    if a.dtype.kind == "M":
        if np.isnat(a).any():
            raise _invalid(f"{fname}(): argument {pos} ({name}) holds NaT")
        if not aware and not utc_numpy and len(a):
            raise _naive_times(fname, pos, name, f"it holds naive datetimes ({a.dtype})")
        return np.ascontiguousarray(a.astype("datetime64[s]").astype(np.int64))
    if a.dtype.kind == "b":
        raise TypeError(f"{fname}(): argument {pos} ({name}) must hold times, not bool values")
    return _vector(fname, pos, name, a, np.int64)


def _naive_times(fname: str, pos: int, name: str, what: str):
    """The error for naive datetimes in an array of instants: refused, as
    book_from_frames refuses them (the library never guesses a zone)."""
    from .frames import _core_error
    where = f"argument {pos} ({name})" if pos else f"column {name}"  # pos 0: a frame's column (Kpi.add_due)
    return _core_error("InvalidArgumentError", f"{fname}(): {where}: {what}; a pandas column of "
                       "instants needs a zone, the library never guesses one: localize it first. UTC times "
                       "(what the library's *_bulk calls and Notes.ats() return, and pandas.Series(that)): "
                       "series.dt.tz_localize('UTC'); wall-clock times of a zone: "
                       "series.dt.tz_localize('Asia/Shanghai') (the zone the times were written in). "
                       "Not its .to_numpy() / .values: a numpy datetime64 array has no zone and is read as "
                       "UTC, so Beijing wall-clock times would be 8 hours off. Tz-aware datetimes, ISO texts "
                       "with an offset and epoch seconds are taken too")


def _seconds_arg(fname: str, pos: int, v: Any) -> int:
    if isinstance(v, _dt.timedelta):
        us = (v.days * 86400 + v.seconds) * 1_000_000 + v.microseconds
        if us % 1_000_000:
            raise _invalid(f"{fname}(): argument {pos} (seconds) is {v.total_seconds()!r} s: the library counts "
                           "whole seconds; round the duration first")
        return us // 1_000_000
    if isinstance(v, np.timedelta64):
        if np.isnat(v):
            raise _invalid(f"{fname}(): argument {pos} (seconds) is NaT")
        whole = v.astype("timedelta64[s]")
        if whole != v:
            raise _invalid(f"{fname}(): argument {pos} (seconds) is {v}: the library counts whole seconds; "
                           "round the duration first")
        return int(whole.astype(np.int64))
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
        raise TypeError(f"{fname}(): argument {pos} (seconds) must be int or datetime.timedelta, "
                        f"not {type(v).__name__}")
    return int(v)


def _working_days_arg(fname: str, pos: int, n: Any, count: int) -> np.ndarray:
    """``n``: one int for every instant or an array of ints of the times'
    length, each in 0..2**31-1, as a contiguous int32 array."""
    if isinstance(n, (int, np.integer)) and not isinstance(n, (bool, np.bool_)):
        if not 0 <= int(n) <= 0x7FFFFFFF:
            raise _invalid(f"{fname}(): argument {pos} (n) = {int(n)}: working days to add must be >= 0")
        return np.full(count, int(n), dtype=np.int32)
    if isinstance(n, np.ndarray) and n.dtype.kind in "iu" and n.ndim == 1:
        a = n  # an integer array: checked as it is, converted (or passed, int32) once
    else:
        a = _vector(fname, pos, "n", n, np.int64)
    if len(a) != count:
        raise _invalid(f"{fname}(): argument {pos} (n) has {len(a)} values, times has {count}")
    if len(a) and (a.min() < 0 or int(a.max()) > 0x7FFFFFFF):
        i = int(np.flatnonzero((a < 0) | (a > 0x7FFFFFFF))[0])
        raise _invalid(f"{fname}(): n[{i}] = {a[i]}: working days to add must be >= 0")
    return np.ascontiguousarray(a, dtype=np.int32)  # no copy for a contiguous int32 array


def _calendar_methods(cal):
    hour_raw, add_raw = vars(cal)["hour_of_week_bulk"], vars(cal)["add_business_bulk"]
    bulk = _core._calendar_bulk
    P = inspect.Parameter
    me = P("self", P.POSITIONAL_OR_KEYWORD)

    def hour_of_week_bulk(self, times) -> np.ndarray:
        t = times_to_epoch("Calendar.hour_of_week_bulk", 1, "times", times)
        out = np.empty(len(t), dtype=np.uint8)
        bulk(self, 0, t, None, 0, 0, out)
        return out.astype(np.int64)

    def add_business_bulk_epoch(self, times, seconds) -> np.ndarray:
        fname = "Calendar.add_business_bulk_epoch"
        t = times_to_epoch(fname, 1, "times", times)
        out = np.empty(len(t), dtype=np.int64)
        bulk(self, 1, t, None, _seconds_arg(fname, 2, seconds), 0, out)
        return out

    def add_business_bulk(self, times, seconds) -> np.ndarray:
        fname = "Calendar.add_business_bulk"
        t = times_to_epoch(fname, 1, "times", times)
        out = np.empty(len(t), dtype=np.int64)
        bulk(self, 1, t, None, _seconds_arg(fname, 2, seconds), 0, out)
        return epoch_to_datetime64(out)

    def add_working_days_bulk_epoch(self, times, n, mode: int = _core.WORKDAY_END_OF_DAY) -> np.ndarray:
        fname = "Calendar.add_working_days_bulk_epoch"
        return _working_days(self, fname, times, n, mode)

    def add_working_days_bulk(self, times, n, mode: int = _core.WORKDAY_END_OF_DAY) -> np.ndarray:
        return epoch_to_datetime64(_working_days(self, "Calendar.add_working_days_bulk", times, n, mode))

    def _working_days(self, fname, times, n, mode):
        t = times_to_epoch(fname, 1, "times", times)
        days = _working_days_arg(fname, 2, n, len(t))
        if isinstance(mode, (bool, np.bool_)) or not isinstance(mode, (int, np.integer)) or \
                int(mode) not in (_core.WORKDAY_END_OF_DAY, _core.WORKDAY_SAME_TIME):
            raise _invalid(f"{fname}(): argument 3 (mode) must be followup.WORKDAY_END_OF_DAY or "
                           f"WORKDAY_SAME_TIME, not {mode!r}")
        out = np.empty(len(t), dtype=np.int64)
        bulk(self, 2, t, days, 0, int(mode), out)
        return out
    times = P("times", P.POSITIONAL_OR_KEYWORD, annotation=TIMES_ANNOTATION)
    secs = P("seconds", P.POSITIONAL_OR_KEYWORD, annotation="int | datetime.timedelta")
    hour_of_week_bulk.__signature__ = inspect.Signature([me, times], return_annotation="numpy.ndarray")
    add_business_bulk.__signature__ = inspect.Signature([me, times, secs], return_annotation="numpy.ndarray")
    add_business_bulk_epoch.__signature__ = add_business_bulk.__signature__
    days_sig = inspect.Signature([me, times, P("n", P.POSITIONAL_OR_KEYWORD, annotation="int | ArrayLike"),
                                  P("mode", P.POSITIONAL_OR_KEYWORD, default=_core.WORKDAY_END_OF_DAY,
                                    annotation="int")], return_annotation="numpy.ndarray")
    add_working_days_bulk.__signature__ = add_working_days_bulk_epoch.__signature__ = days_sig
    times_doc = ("times: an array of instants: int64 UTC epoch seconds (read in place, no copy), a "
                 "tz-aware pandas Series or DatetimeIndex, a sequence of tz-aware datetimes, ISO 8601 strings "
                 "with an offset or int epoch seconds, or a numpy datetime64 array (UTC, as these calls "
                 "return). Naive pandas columns and naive datetimes are refused (localize them first: "
                 "series.dt.tz_localize('UTC') for UTC times such as these calls' results, "
                 "tz_localize('Asia/Shanghai') for Beijing wall-clock times).")
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
    add_working_days_bulk.__doc__ = (
        "add_working_days_bulk(self, times: ArrayLike, n: int | ArrayLike, mode: int = WORKDAY_END_OF_DAY) -> "
        "numpy.ndarray\n\nEach instant plus n (one int, or one per instant, >= 0) working days "
        "(Calendar.add_working_days for many instants: the same values, one C call with the GIL released): "
        "a datetime64[ns] numpy.ndarray of UTC instants; the epoch seconds are "
        "add_working_days_bulk_epoch(). mode: WORKDAY_END_OF_DAY (close of business of the target day) or "
        "WORKDAY_SAME_TIME.\n" + times_doc)
    add_working_days_bulk_epoch.__doc__ = (
        "add_working_days_bulk_epoch(self, times: ArrayLike, n: int | ArrayLike, mode: int = "
        "WORKDAY_END_OF_DAY) -> numpy.ndarray\n\nAs add_working_days_bulk, as int64 UTC epoch seconds.\n"
        + times_doc)
    out = (hour_of_week_bulk, add_business_bulk, add_business_bulk_epoch, add_working_days_bulk,
           add_working_days_bulk_epoch)
    days_raw = vars(cal)["add_working_days"]
    for fn, raw in zip(out, (hour_raw, add_raw, add_raw, days_raw, days_raw)):
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
    if "tier_cycle_sums" not in vars(_core.Planner):
        _tier_cycle_sums.__qualname__ = "Planner.tier_cycle_sums"
        _tier_cycle_sums.__name__ = "tier_cycle_sums"
        _core.Planner.tier_cycle_sums = _tier_cycle_sums
    if not getattr(vars(_core.Calendar).get("hour_of_week_bulk"), "__followup_numpy__", False):
        for fn in _calendar_methods(_core.Calendar):
            setattr(_core.Calendar, fn.__name__, fn)


# ---- the capacity pass (docs/scaling.md): Python words for its arguments ----
def _capacity_bytes(fname: str, pos: int, v: Any) -> bytes:
    """The records argument: bytes (capacity_items(), capacity_pass()) or a
    numpy array of followup.CAPACITY_DTYPE records."""
    if isinstance(v, np.ndarray):
        if v.dtype != _core.CAPACITY_DTYPE or v.ndim != 1:
            raise TypeError(f"{fname}(): argument {pos} (items) must be bytes or a 1-D numpy array of "
                            f"followup.CAPACITY_DTYPE records, not an array of {v.dtype} with shape {v.shape}")
        return v.tobytes()
    if isinstance(v, (bytes, bytearray, memoryview)):
        return bytes(v)
    raise TypeError(f"{fname}(): argument {pos} (items) must be bytes (as capacity_items() returns them) or a "
                    f"numpy array of followup.CAPACITY_DTYPE records, not {'None' if v is None else type(v).__name__}")


def _count_arg(fname: str, pos: int, name: str, v: Any) -> int:
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
        raise TypeError(f"{fname}(): argument {pos} ({name}) must be an int >= 0, not {type(v).__name__}")
    if not 0 <= int(v) <= 0xFFFFFFFF:
        raise OverflowError(f"{fname}(): argument {pos} ({name}) must be an int >= 0, not {int(v)}")
    return int(v)


def install_capacity(namespace: dict) -> None:
    """capacity_pass(policy, items, agents, calls_per_agent=0) and
    apply_capacity(plan, items): items also as a CAPACITY_DTYPE array, the
    arguments checked with their Python positions and names (SWIG counted
    its own hidden arguments: "argument 5" for agents)."""
    pass_raw, apply_raw = namespace.get("capacity_pass"), namespace.get("apply_capacity")
    if pass_raw is None or getattr(pass_raw, "__followup_capacity__", False):
        return
    P = inspect.Parameter

    def capacity_pass(policy, items, agents, calls_per_agent=0) -> bytes:
        fname = "capacity_pass"
        if not isinstance(policy, _core.Policy):
            raise TypeError(f"{fname}(): argument 1 (policy) must be followup.Policy, not "
                            f"{'None' if policy is None else type(policy).__name__}")
        blob = _capacity_bytes(fname, 2, items)
        return pass_raw(policy, blob, _count_arg(fname, 3, "agents", agents),
                        _count_arg(fname, 4, "calls_per_agent", calls_per_agent))

    def apply_capacity(plan, items) -> None:
        fname = "apply_capacity"
        if not isinstance(plan, _core.Plan):
            raise TypeError(f"{fname}(): argument 1 (plan) must be followup.Plan, not "
                            f"{'None' if plan is None else type(plan).__name__}")
        try:
            return apply_raw(plan, _capacity_bytes(fname, 2, items))
        except ValueError as e:  # followup.InvalidArgumentError
            msg = getattr(e, "message", None)
            if not msg or "is not a planned agent contact" not in msg:
                raise
            err = type(e)(msg + " (apply_capacity() takes a plan's records once: a contact it deferred is no "
                          "longer planned, so items applied twice are refused)")
            for k in ("code", "source", "line", "column", "path"):
                setattr(err, k, getattr(e, k, None))
            err.message = str(err)
            raise err from None
    capacity_pass.__signature__ = inspect.Signature(
        [P("policy", P.POSITIONAL_OR_KEYWORD, annotation="Policy"),
         P("items", P.POSITIONAL_OR_KEYWORD, annotation="bytes | numpy.ndarray"),
         P("agents", P.POSITIONAL_OR_KEYWORD, annotation="int"),
         P("calls_per_agent", P.POSITIONAL_OR_KEYWORD, default=0, annotation="int")], return_annotation="bytes")
    apply_capacity.__signature__ = inspect.Signature(
        [P("plan", P.POSITIONAL_OR_KEYWORD, annotation="Plan"),
         P("items", P.POSITIONAL_OR_KEYWORD, annotation="bytes | numpy.ndarray")], return_annotation=None)
    capacity_pass.__doc__ = (
        "capacity_pass(policy: Policy, items: bytes | numpy.ndarray, agents: int, calls_per_agent: int = 0) -> "
        "bytes\n\nThe capacity pass over the planned agent contacts of all partitions (docs/scaling.md): items "
        "are the records of capacity_items() concatenated, as bytes or a numpy array of "
        "followup.CAPACITY_DTYPE (customer set to the whole book's index); returns a copy with deferred and "
        "best_at set, as bytes (np.frombuffer(result, dtype=followup.CAPACITY_DTYPE) reads it).")
    apply_capacity.__doc__ = (
        "apply_capacity(plan: Plan, items: bytes | numpy.ndarray) -> None\n\nApply the pass to a partition's "
        "plan: its own records of capacity_pass()'s result (bytes or a CAPACITY_DTYPE array); the deferred ones "
        "become deferred touchpoints. Once per plan: a second call raises (the contacts are no longer "
        "planned agent contacts).")
    for fn in (capacity_pass, apply_capacity, capacity_round):
        fn.__module__ = "followup"
        fn.__followup_capacity__ = True
        namespace[fn.__name__] = fn
    namespace["CapacityPart"] = CapacityPart
    for name in ("capacity_round", "CapacityPart"):
        if name not in namespace.get("__all__", [name]):
            namespace["__all__"].append(name)


def _day_arg(fname: str, pos: int, v: Any) -> int:
    if v is None:
        return _core.CAPACITY_DAY_NONE
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
        raise TypeError(f"{fname}(): argument {pos} (day) must be an int (a round's day) or None, not "
                        f"{type(v).__name__}")
    return int(v)


def capacity_round(policy: Policy, items: bytes | numpy.ndarray, agents: int, calls_per_agent: int = 0,
                   day: int | None = None) -> tuple[bytes, int, int]:
    """capacity_round(policy: Policy, items: bytes | numpy.ndarray, agents: int, calls_per_agent: int = 0,
    day: int | None = None) -> tuple[bytes, int, int]

    One round of capacity over several days across partitions (docs/scaling.md, "Rounds over several
    days"): over the items of all partitions (CapacityPart.items() records
    concatenated, customer set to the whole book's index, part to the partition), the days after `day`
    (None before the first round) take their agents x calls_per_agent most pressing items in play, until
    one has more: those become CAPACITY_OVER (the `deferred` field is the item's state). Returns
    (items: a copy, as bytes; day: that day; over: how many are over). over 0: the rounds are done. After
    a round with over > 0, each partition with items over the cap moves them (CapacityPart.move())."""
    fname = "capacity_round"
    if not isinstance(policy, _core.Policy):
        raise TypeError(f"{fname}(): argument 1 (policy) must be followup.Policy, not "
                        f"{'None' if policy is None else type(policy).__name__}")
    blob = _capacity_bytes(fname, 2, items)
    out, new_day, over = _core._capacity_round(policy, blob, _count_arg(fname, 3, "agents", agents),
                                               _count_arg(fname, 4, "calls_per_agent", calls_per_agent),
                                               _day_arg(fname, 5, day))
    return out, int(new_day), int(over)


class CapacityPart:
    """CapacityPart(planner: Planner, now: int, horizon: int = 86400)

    A partition's plan kept open for the rounds of capacity over several days (docs/scaling.md, "Rounds
    over several days"): planned as planner.plan(now, horizon) plans but without
    the capacity step. The planner is made with agents=0 and capacity_pass=True (or the whole book's
    agents) and the whole book's tier_cycles; it must not plan anything else while the part is used.

    items() -> bytes: its planned agent contacts (CAPACITY_DTYPE records; customer is the partition's index:
    map it to the whole book's, set part). move(items, day) -> bytes: a round's moves of this partition's
    items over the cap (all its items, as capacity_round() left them). plan(items) -> Plan: the partition's
    plan after the last round (once)."""

    def __init__(self, planner: Planner, now: int, horizon: int = 86400) -> None:
        if not isinstance(planner, _core.Planner):
            raise TypeError("CapacityPart(): argument 1 (planner) must be followup.Planner, not "
                            f"{'None' if planner is None else type(planner).__name__}")
        self._planner = planner  # the part plans with it: it lives as long as the part
        self._part = _core._capacity_part_new(planner, now, horizon)

    def items(self) -> bytes:
        """The partition's planned agent contacts as CAPACITY_DTYPE records (state CAPACITY_PLANNED)."""
        return _core._capacity_part_items(self._part)

    def move(self, items: bytes | numpy.ndarray, day: int) -> bytes:
        """A round's moves: items are all of this partition's records as capacity_round() returned them;
        those CAPACITY_OVER move to a later day (CAPACITY_ROLLED, best_at) or are deferred
        (CAPACITY_DEFERRED). Returns the records updated, as bytes."""
        return _core._capacity_part_move(self._part, _capacity_bytes("CapacityPart.move", 1, items),
                                         _day_arg("CapacityPart.move", 2, day))

    def plan(self, items: bytes | numpy.ndarray) -> Plan:
        """The partition's plan after the last round (all of its records); once."""
        p = _core._capacity_part_plan(self._part, _capacity_bytes("CapacityPart.plan", 1, items))
        p._parents = self._planner._parents
        from .frames import _warn_calendar_expired  # as Planner.plan() warns (review s12 L3)
        _warn_calendar_expired(p)
        return p


CapacityPart.__module__ = "followup"
