"""pandas in, pandas out.

- :func:`summary_from_transactions`: the lifetimes-style RFM summary
  (frequency, recency, T, monetary_value) of a transaction log, vectorised.
- :func:`plan_frame`: a :class:`followup.Plan` as a DataFrame with
  ``datetime64[ns, UTC]`` times and categorical channel, priority and status.
- :func:`segments`: the segmentation pipeline of ``followup segment`` on a
  book: one row per customer, P(alive), expected purchases and CLV from fitted
  BG/NBD (or Pareto/NBD) and Gamma-Gamma models. When Gamma-Gamma is not
  identified the segments are still returned, with CLV missing, and a
  :class:`FollowupWarning` says so.
"""
from __future__ import annotations

import datetime as _dt
import re
import warnings
from typing import TYPE_CHECKING, Optional, Union

import numpy as np

if TYPE_CHECKING:  # annotations only (pandas is imported where it is used)
    import pandas
    from numpy.typing import ArrayLike

    from .core import BestTime, Book, CommitmentList, ContactLog, Kpi, Plan, SegmentRules

from . import core as _core
from .models import BetaGeoFitter, GammaGammaFitter, ModelNotIdentifiedError, ParetoNBDFitter

__all__ = ["summary_from_transactions", "book_from_frames", "plan_frame", "segments", "besttime_frame",
           "kpi_frame", "commitments_frame", "book_events_frame", "book_customers_frame", "contact_log_frame",
           "to_utc", "FollowupWarning",
           "CHANNELS", "PRIORITIES", "STATUSES"]

#: Category orders of the typed columns (the library's names).
CHANNELS = ("phone", "sms", "email", "chat", "video", "visit")
PRIORITIES = ("urgent", "high", "normal", "low")
STATUSES = ("planned", "suppressed", "deferred", "cancelled", "later")

_TimeLike = Union[str, int, float, _dt.datetime, np.datetime64, "pd.Timestamp"]  # noqa: F821


class FollowupWarning(UserWarning):
    """Something was left out (e.g. CLV without an identified spend model)."""


def _warn(message: str, category=FollowupWarning) -> None:
    """warnings.warn attributed to the user's line: the first frame outside
    the followup package (its wrappers, core.py and these modules), so
    notebook tracebacks and warnings.filterwarnings(module=...) see the
    caller, however deep in the package the warning is raised."""
    import os
    import sys
    package = os.path.dirname(os.path.abspath(__file__))
    level, f = 2, sys._getframe(1)
    while f is not None and os.path.dirname(os.path.abspath(f.f_code.co_filename)) == package:
        f, level = f.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)


def _warn_calendar_expired(plan) -> None:
    """The warning of a plan with touchpoints past a calendar's data_until,
    as `followup plan` warns (review s8 F13 g): Planner.plan() and
    CapacityPart.plan() (review s12 L3) give the same."""
    expired = plan.stats().calendar_expired
    if expired:
        _warn(f"{expired} touchpoints reach past the official holidays of a calendar "
              "(calendars.<name>.data_until); their reasons name it. Add the next year's notice to the "
              "policy (docs/calendar.md) or plan with strict_calendar=True to refuse")


def to_utc(values: pandas.Series | ArrayLike) -> pandas.Series:
    """Datetimes as a ``datetime64[ns, UTC]`` Series.

    Parameters
    ----------
    values : pandas.Series or array-like
        Naive (taken as UTC) or tz-aware datetime64, Timestamps, ISO 8601
        strings with offsets, or epoch seconds (numbers).

    Returns
    -------
    pandas.Series
        dtype ``datetime64[ns, UTC]``, the index of ``values`` when it is a
        Series.
    """
    import pandas as pd
    s = values if isinstance(values, pd.Series) else pd.Series(values)
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        return pd.to_datetime(s, unit="s", utc=True)
    if pd.api.types.is_datetime64_any_dtype(s):
        return s.dt.tz_localize("UTC") if s.dt.tz is None else s.dt.tz_convert("UTC")
    return pd.to_datetime(s, utc=True)


def _to_timestamp(t: _TimeLike):
    import pandas as pd
    if isinstance(t, (int, float, np.integer, np.floating)) and not isinstance(t, bool):
        return pd.Timestamp(int(t), unit="s", tz="UTC")
    ts = pd.Timestamp(t)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def _epoch_seconds(t: _TimeLike) -> int:
    return int(_to_timestamp(t).value // 1_000_000_000)


def _is_nat(t) -> bool:
    """pandas.NaT, numpy's NaT (datetime64 or timedelta64)."""
    return type(t).__name__ == "NaTType" or (type(t).__name__ in ("datetime64", "timedelta64") and t != t)


def _instant(t: _TimeLike, what: str) -> int:
    """A scalar time argument as every core call reads it: a text needs an
    offset (the library's parser), a naive datetime is refused, int epoch
    seconds, numpy datetime64 UTC. None and NaT are refused ("a time is
    required") as by every core call, not read as "no time"."""
    if t is None:
        raise TypeError(f"{what}: a time is required, not None")
    if _is_nat(t):
        raise ValueError(f"{what}: a time is required, not NaT (a missing time)")
    if isinstance(t, str):
        try:
            return _core.time_parse(t.strip())
        except ValueError as e:  # followup.Error is a ValueError
            raise _core_error("ParseError", f"{what}: {t!r} is not a time (ISO 8601 with a UTC offset, "
                              f"a datetime or epoch seconds): {e}") from None
    if isinstance(t, _dt.datetime) and (t.tzinfo is None or t.utcoffset() is None) \
            and type(t).__name__ != "NaTType":  # naive: refused as by every core call (review s12 U12)
        from ._pythonic import naive_time_message
        raise ValueError(f"{what}: {naive_time_message(t)}")
    return _epoch_seconds(t)


def summary_from_transactions(transactions: pandas.DataFrame, customer_id_col: str, datetime_col: str,
                              monetary_value_col: Optional[str] = None,
                              observation_period_end: Optional[_TimeLike] = None, freq: str = "D",
                              freq_multiplier: float = 1) -> pandas.DataFrame:
    """The RFM summary of a transaction log, as lifetimes' function of the same name.

    Transactions in the same ``freq`` period by the same customer count as
    one, with their values summed. Periods are cut on the wall clock of a
    tz-aware column's zone (a Beijing day runs from 00:00 Beijing time, as
    in lifetimes and ``Series.dt.to_period``); naive datetime64, texts and
    epoch seconds are cut in UTC. Rows after ``observation_period_end`` are
    left out.

    Parameters
    ----------
    transactions : pandas.DataFrame
        One row per transaction.
    customer_id_col : str
        Column of customer ids (any hashable values).
    datetime_col : str
        Column of times: datetime64 (naive = UTC), tz-aware, ISO 8601 strings
        or epoch seconds.
    monetary_value_col : str, optional
        Column of transaction values (numbers); without it there is no
        ``monetary_value`` column.
    observation_period_end : datetime, str, int or pandas.Timestamp, optional
        The end of the observation (default: the last transaction). An
        instant (tz-aware, a text with an offset, epoch seconds) is taken in
        the times' zone; a naive value is a wall-clock time of that zone.
    freq : str, default "D"
        The period: "D" day, "W" week, "H" hour, "M" month.
    freq_multiplier : float, default 1
        recency and T are divided by it (7 with "D": weeks counted in days).

    Returns
    -------
    pandas.DataFrame
        Indexed by customer id (sorted, named ``customer_id_col``), columns:

        - ``frequency`` (float64): repeat periods with a purchase (distinct
          periods - 1)
        - ``recency`` (float64): last purchase period - first purchase period
        - ``T`` (float64): observation end period - first purchase period
        - ``monetary_value`` (float64, with ``monetary_value_col``): the mean
          value of the repeat periods (the first purchase excluded), 0 when
          frequency is 0

    Raises
    ------
    followup.InvalidArgumentError
        A named column is missing.
    followup.ParseError
        A time cannot be read (the row is named).

    Warns
    -----
    followup.FollowupWarning
        Rows without a customer id (None, NaN) are left out, with a warning
        that counts them and names the first.
    """
    import pandas as pd
    for c in (customer_id_col, datetime_col) + ((monetary_value_col,) if monetary_value_col else ()):
        if c not in transactions.columns:
            raise _core_error("InvalidArgumentError", f"summary_from_transactions: no column {c!r} "
                              f"(columns: {', '.join(map(str, transactions.columns))})")
    times, zone = _wall_clock(transactions[datetime_col])
    if times.isna().any():
        bad = int(np.flatnonzero(times.isna().to_numpy())[0])
        raise _core_error("ParseError", f"summary_from_transactions: row {bad}: {datetime_col!r} is not a time")
    ordinal = times.dt.to_period(freq).array.asi8
    end = times.max() if observation_period_end is None else _wall_clock_end(observation_period_end, zone)
    end_ord = pd.Period(end, freq=freq).ordinal
    d = pd.DataFrame({"customer": transactions[customer_id_col].to_numpy(), "period": ordinal})
    d["value"] = (pd.to_numeric(transactions[monetary_value_col], errors="raise").to_numpy(dtype=np.float64)
                  if monetary_value_col else 0.0)
    no_id = d["customer"].isna().to_numpy()
    if no_id.any():  # groupby would leave them out without a word
        _warn(f"summary_from_transactions: {int(no_id.sum())} of {len(d)} rows have no customer id in "
              f"{customer_id_col!r} (None / NaN; first: row {int(np.flatnonzero(no_id)[0])}): left out of the summary")
        d = d[~no_id]
    d = d[d["period"] <= end_ord]
    per = d.groupby(["customer", "period"], sort=True)["value"].sum().reset_index()
    g = per.groupby("customer", sort=True)
    first, last = g["period"].min(), g["period"].max()
    count = g["period"].size()
    out = pd.DataFrame(index=first.index)
    out.index.name = customer_id_col
    out["frequency"] = (count - 1).astype(np.float64)
    out["recency"] = (last - first).astype(np.float64) / freq_multiplier
    out["T"] = (end_ord - first).astype(np.float64) / freq_multiplier
    if monetary_value_col:
        first_value = per.drop_duplicates("customer", keep="first").set_index("customer")["value"]
        total = g["value"].sum()
        repeat = (total - first_value).astype(np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            mv = np.where(out["frequency"] > 0, repeat / out["frequency"].where(out["frequency"] > 0, 1), 0.0)
        out["monetary_value"] = mv
    return out


def _wall_clock(values):
    """Naive wall-clock datetimes whose periods are those of the times' own
    zone, and that zone: a tz-aware column keeps its zone (a day is a local
    day, as in lifetimes and pandas' to_period); anything else is UTC."""
    import pandas as pd
    if pd.api.types.is_datetime64_any_dtype(values) and getattr(values.dt, "tz", None) is not None:
        return values.dt.tz_localize(None), values.dt.tz
    return to_utc(values).dt.tz_localize(None), "UTC"


def _wall_clock_end(t: _TimeLike, zone):
    """observation_period_end on the wall clock of ``zone``: an instant
    (tz-aware, a text with an offset, epoch seconds) is converted to it, a
    naive value is already a wall-clock time there."""
    import pandas as pd
    if isinstance(t, (int, float, np.integer, np.floating)) and not isinstance(t, bool):
        return _to_timestamp(t).tz_convert(zone).tz_localize(None)
    ts = pd.Timestamp(t)
    return ts if ts.tzinfo is None else ts.tz_convert(zone).tz_localize(None)


def _core_error(name: str, message: str):
    import importlib
    cls = getattr(importlib.import_module("followup._core"), name)
    e = cls(message)
    e.code, e.message, e.source, e.line, e.column, e.path = -1, message, "", 0, 0, ""
    return e


def _category(series, categories):
    import pandas as pd
    return pd.Categorical(series.fillna("").replace("", np.nan), categories=list(categories))


def _times(values, none_value: int = None):
    """int64 UTC seconds (a bytearray or array; ``none_value`` = NaT) as a
    ``datetime64[ns, UTC]`` Series, without a Python loop."""
    import pandas as pd
    a = np.frombuffer(values, dtype=np.int64) if isinstance(values, (bytes, bytearray)) else \
        np.asarray(values, dtype=np.int64)
    none = _core.BOOK_NO_TIME if none_value is None else none_value
    missing = a == none
    ns = np.where(missing, 0, a).astype("datetime64[s]").astype("datetime64[ns]")
    if missing.any():
        ns[missing] = np.datetime64("NaT")
    return pd.Series(pd.DatetimeIndex(ns).tz_localize("UTC"))


def _codes_to_category(values, names, offset: int = 0):
    """int8 enum codes (a bytearray; code ``offset`` is the first name) as a
    Categorical with the library's names; codes outside are missing."""
    import pandas as pd
    c = np.frombuffer(values, dtype=np.int8).astype(np.int64) - offset
    c = np.where((c >= 0) & (c < len(names)), c, -1)
    return pd.Categorical.from_codes(c, categories=list(names))


def plan_frame(plan: Plan, status: str = "all") -> pandas.DataFrame:
    """The touchpoints of a :class:`followup.Plan` as a DataFrame.

    Built from columns the C side fills in one pass (``core._plan_columns``):
    no CSV, no Python loop per touchpoint; rows in the order of the plan CSV
    (by status, then as planned).

    Parameters
    ----------
    plan : followup.Plan
        The result of ``Planner.plan()``.
    status : str, default "all"
        "all" (planned, suppressed and deferred), or one status name:
        "planned", "suppressed", "deferred", "cancelled", "later".

    Returns
    -------
    pandas.DataFrame
        One row per touchpoint (RangeIndex), columns:

        - ``customer_id`` (object: str)
        - ``due_from``, ``due_to``, ``best_at`` (datetime64[ns, UTC]; NaT when none)
        - ``purpose`` (object: str)
        - ``channel`` (category: phone, sms, email, chat, video, visit)
        - ``priority`` (category: urgent, high, normal, low)
        - ``rule``, ``reason`` (object: str or None)
        - ``status`` (category: planned, suppressed, deferred, cancelled, later)
        - ``status_rule`` (object: str or None)
        - ``trigger_at`` (datetime64[ns, UTC])
        - ``order_id``, ``owner``, ``agent`` (object: str, None when empty)
        - ``customer`` (int64: the index of the customer in the book)
        - ``purposes`` (int64: the purpose bit set)
        - ``tz`` (object: the customer's IANA zone from the book; None
          when the customer has none)
        - ``best_at_local`` (object: best_at as ISO 8601 text in the
          customer's zone with its offset, "2026-03-10T10:00:00+08:00", as
          the CLI writes it; UTC when the customer has no zone; None when
          best_at is NaT)

    Raises
    ------
    followup.InvalidArgumentError
        ``status`` is not one of the names above.
    """
    import pandas as pd
    mask = {"all": 0b111, "planned": 1 << _core.TOUCHPOINT_PLANNED,
            "suppressed": 1 << _core.TOUCHPOINT_SUPPRESSED, "deferred": 1 << _core.TOUCHPOINT_DEFERRED,
            "cancelled": 1 << _core.TOUCHPOINT_CANCELLED, "later": 1 << _core.TOUCHPOINT_LATER}
    if status not in mask:
        raise _core_error("InvalidArgumentError", f"plan_frame: status must be one of {', '.join(mask)}, "
                          f"not {status!r}")
    if status == "all":
        m = (1 << _core.TOUCHPOINT_PLANNED) | (1 << _core.TOUCHPOINT_SUPPRESSED) | (1 << _core.TOUCHPOINT_DEFERRED)
    else:
        m = mask[status]
    c = _core._plan_columns(plan, m)
    df = pd.DataFrame({
        "customer_id": pd.Series(c["customer_id"], dtype=object),
        "due_from": _times(c["due_from"]), "due_to": _times(c["due_to"]), "best_at": _times(c["best_at"]),
        "purpose": pd.Series(c["purpose"], dtype=object),
        "channel": _codes_to_category(c["channel"], CHANNELS, offset=1),
        "priority": _codes_to_category(c["priority"], PRIORITIES),
        "rule": pd.Series(c["rule"], dtype=object), "reason": pd.Series(c["reason"], dtype=object),
        "status": _codes_to_category(c["status"], STATUSES),
        "status_rule": pd.Series(c["status_rule"], dtype=object),
        "trigger_at": _times(c["trigger_at"]),
        "order_id": pd.Series(c["order_id"], dtype=object), "owner": pd.Series(c["owner"], dtype=object),
        "agent": pd.Series(c["agent"], dtype=object),
        "customer": np.frombuffer(c["customer"], dtype=np.int64),
        "purposes": np.frombuffer(c["purposes"], dtype=np.int64),
    })
    _add_local_times(df, plan)
    return df


def _offset_text(seconds: int) -> str:
    sign = "-" if seconds < 0 else "+"
    m = abs(int(seconds)) // 60
    return f"{sign}{m // 60:02d}:{m % 60:02d}"


def _local_text(times, zones):
    """ISO 8601 texts of UTC ``times`` in each row's zone (None: UTC), with
    the local offset ("2026-03-10T10:00:00+08:00"); None where NaT. One
    conversion per distinct zone and one text per distinct offset, the rest
    numpy: no Python loop per row but the joining of two texts."""
    import pandas as pd
    utc = times.dt.tz_localize(None).to_numpy(dtype="datetime64[ns]")
    missing = np.isnat(utc)
    secs = np.where(missing, 0, utc.astype("datetime64[s]").astype(np.int64))
    off = np.zeros(len(secs), dtype=np.int64)
    codes, uniq = pd.factorize(pd.Series(zones, dtype=object).fillna("UTC"))
    for k, zone in enumerate(uniq):
        rows = codes == k
        utc_wall = pd.DatetimeIndex(secs[rows].astype("datetime64[s]"))
        local_wall = utc_wall.tz_localize("UTC").tz_convert(zone).tz_localize(None)
        off[rows] = np.asarray((local_wall - utc_wall).total_seconds(), dtype=np.int64)
    text = np.datetime_as_string((secs + off).astype("datetime64[s]"), unit="s").astype(object)
    ocodes, ouniq = pd.factorize(off)
    out = text + np.array([_offset_text(o) for o in ouniq], dtype=object)[ocodes]
    out[missing] = None
    return pd.Series(out, index=times.index, dtype=object)


def _add_local_times(df, plan) -> None:
    """The customer's zone (``tz``) and ``best_at_local`` (best_at in that
    zone as ISO text), from the book the plan was made from."""
    parents = getattr(plan, "_parents", None)
    book = parents[1] if parents and len(parents) > 1 else None
    if book is None:
        zones = [None] * len(df)
    else:
        tz_of = np.asarray(_core._book_customer_zones(book) + [None], dtype=object)
        cust = df["customer"].to_numpy()
        zones = tz_of[np.where((cust >= 0) & (cust < len(tz_of) - 1), cust, len(tz_of) - 1)]
    df["tz"] = zones
    df["best_at_local"] = _local_text(df["best_at"], df["tz"])


def segments(book: Book, now: _TimeLike, rules: Optional[SegmentRules] = None, model: str = "bgnbd",
             unit: str = "week", horizon: Optional[float] = None,
             discount: Optional[float] = None) -> pandas.DataFrame:
    """Segment every customer of ``book`` as of ``now`` (the pipeline of
    ``followup segment``).

    Parameters
    ----------
    book : followup.Book
        A finalized book.
    now : datetime, str, int or pandas.Timestamp
        The calibration end: a text needs a UTC offset (as in every call; a
        text without one raises ParseError), a naive datetime raises
        ValueError, int epoch seconds.
    rules : followup.SegmentRules, optional
        Default: the rules of the default policy.
    model : str, default "bgnbd"
        The purchase model: "bgnbd" or "pareto".
    unit : str, default "week"
        The model time unit: "week" or "day".
    horizon : float, optional
        The CLV horizon in units (default: the rules' CLV horizon).
    discount : float, optional
        The annual discount rate (default: the rules' CLV discount).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``customer_id`` (book order), columns:

        - ``frequency``, ``recency``, ``T``, ``monetary_value`` (float64; in units)
        - ``p_alive``, ``expected_purchases``, ``clv`` (float64; NaN where unknown)
        - ``tier`` (category: the rules' tier names)
        - ``lifecycle`` (category: new, growing, mature, declining, churned)
        - ``segment`` (category: composite segment names; NaN where none)
        - ``human`` (bool)

        ``attrs["purchase_model"]`` and ``attrs["spend_model"]`` hold the
        fitted models (None when not fitted).

    Raises
    ------
    followup.InvalidArgumentError
        Unknown ``model`` or ``unit``.

    Warns
    -----
    followup.FollowupWarning
        The purchase model is not identified by the data (a small or new
        book): ``p_alive``, ``expected_purchases`` and ``clv`` are NaN, the
        tiers, lifecycle stages and segments are still given. Gamma-Gamma is
        not identified: ``clv`` is NaN for everyone.
    """
    import pandas as pd
    unit_seconds = {"week": 604800.0, "day": 86400.0}.get(unit)
    if unit_seconds is None:
        raise _core_error("InvalidArgumentError", f"segments: unit must be 'week' or 'day', not {unit!r}")
    fitter_cls = {"bgnbd": BetaGeoFitter, "pareto": ParetoNBDFitter}.get(model)
    if fitter_cls is None:
        raise _core_error("InvalidArgumentError", f"segments: model must be 'bgnbd' or 'pareto', not {model!r}")
    t_now = _instant(now, "segments(): now")
    if rules is None:
        rules = _core.segment_rules_from_policy(_core.policy_default())
    bs = _core.segment_book(book, t_now, rules, unit_seconds)
    x, tx, T, zbar = (np.asarray(getattr(bs, k)(), dtype=np.float64) for k in ("x", "t_x", "T", "zbar"))
    has = ~np.isnan(x)
    ids = _core._book_customer_ids(book)
    try:
        fitter = fitter_cls().fit(x[has], tx[has], T[has])
    except ModelNotIdentifiedError as e:  # a small or new book: tiers and segments without the model
        fitter = None
        _warn(f"no purchase model, p_alive, expected_purchases and clv are NaN: {e}")
    # the figures and the verdict on the spend model are the library's run
    # (lib/segment_run.c), as for `followup segment`: one rule for both
    run = _core.segment_run(book, rules, t_now, _core.SEGMENT_MODEL_PARETO if model == "pareto" else
                            _core.SEGMENT_MODEL_BGNBD, unit_seconds, -1.0 if horizon is None else float(horizon),
                            -1.0 if discount is None else float(discount))
    p_alive = np.asarray(run.p_alive(), dtype=np.float64)
    expected = np.asarray(run.expected(), dtype=np.float64)
    clv = np.asarray(run.clv(), dtype=np.float64)
    gg = None
    if fitter is None:
        pass
    elif run.has_clv():
        gg = GammaGammaFitter().fit(x[has], zbar[has])
    else:
        _warn(f"no CLV: {run.clv_error()}")
    a = _core.segment_assign_book(bs, t_now, np.ascontiguousarray(np.where(has, p_alive, -1.0)),
                                  np.ascontiguousarray(clv), rules)
    df = pd.DataFrame({"frequency": x, "recency": tx, "T": T, "monetary_value": zbar, "p_alive": p_alive,
                       "expected_purchases": expected, "clv": clv},
                      index=pd.Index(ids, name="customer_id"))
    df["tier"] = pd.Categorical(a.tiers())
    df["lifecycle"] = pd.Categorical(a.lifecycles(), categories=["new", "growing", "mature", "declining", "churned"])
    df["segment"] = pd.Categorical(a.segments())
    df["human"] = np.asarray(a.human(), dtype=bool)
    df.attrs["purchase_model"] = fitter
    df.attrs["spend_model"] = gg
    return df


WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def besttime_frame(model: BestTime, customer: Optional[int] = None, now: Optional[_TimeLike] = None,
                   segment: Optional[int] = None, part: str = "mean", level: float = 0.9) -> pandas.DataFrame:
    """The 7 x 24 best-time matrix of a :class:`followup.BestTime` model for one
    customer (as of ``now``) or one segment.

    Parameters
    ----------
    model : followup.BestTime
        A best-time model.
    customer : int, optional
        The customer's index in the book (give ``now`` with it).
    now : datetime, str, int or pandas.Timestamp, optional
        The instant of a customer's matrix.
    segment : int, optional
        A segment index (instead of ``customer``).
    part : str, default "mean"
        "mean", "lo" or "hi" (the interval bounds at ``level``).
    level : float, default 0.9
        The credible level of "lo" / "hi".

    Returns
    -------
    pandas.DataFrame
        Index ``weekday`` (ordered category Mon..Sun), columns ``hour``
        (RangeIndex 0..23, local hours), float64 answer probabilities.

    Raises
    ------
    followup.InvalidArgumentError
        Neither or both of ``customer`` and ``segment``, or a customer
        without ``now``.
    """
    import pandas as pd
    if (customer is None) == (segment is None):
        raise _core_error("InvalidArgumentError", "besttime_frame: give customer (and now) or segment")
    if customer is not None:
        if now is None:
            raise _core_error("InvalidArgumentError", "besttime_frame: a customer's matrix needs now")
        m = model.customer_matrix(int(customer), _instant(now, "besttime_frame(): now"), part, level)
    else:
        m = model.segment_matrix(int(segment), part, level)
    idx = pd.CategoricalIndex(WEEKDAYS, categories=WEEKDAYS, ordered=True, name="weekday")
    return pd.DataFrame(np.asarray(m, dtype=np.float64), index=idx, columns=pd.RangeIndex(24, name="hour"))


_EVENT_ENUMS = {"kind": "event_kind", "severity": "severity", "channel": "channel", "outcome": "outcome",
                "survey": "survey"}
_TRISTATES = ("is_smb", "consent_phone", "consent_sms", "consent_email")


def _check_enum_values(values, rows, enum_name: str, column: str) -> None:
    """Every integer of ``values`` (Python ints of any size; ``rows`` their
    row numbers, None: 0, 1, ...) is a value of the enumeration; the first
    other one is a ParseError naming the row, the column and the values
    (never wrapped modulo 2^32 into another value: review s13 I5)."""
    from . import enums
    cls = {"event_kind": enums.EventKind, "severity": enums.Severity, "channel": enums.Channel,
           "outcome": enums.Outcome, "survey": enums.Survey}.get(enum_name)
    if cls is None or len(values) == 0:
        return
    valid = sorted(int(m) for m in cls)
    bad = [i for i, v in enumerate(values.tolist()) if int(v) not in valid] \
        if values.dtype == object else np.flatnonzero(~np.isin(values, valid)).tolist()
    if bad:
        i = bad[0]
        row = i if rows is None else int(rows[i])
        raise _core_error("ParseError", f"row {row}: column {column}: {int(values[i])} is not "
                          f"{'an' if enum_name[0] in 'aeiou' else 'a'} {enum_name.replace('_', ' ')} "
                          f"({valid[0]}..{valid[-1]} or a name: {', '.join(str(m) for m in cls if m.name != 'NONE')})")


def _codes(series, enum_name: str, column: str, default: Optional[int]):
    """Enum column (names, IntEnum members or ints; missing = default) as int64.
    Names are looked up once per distinct value (pandas.factorize), not per row."""
    import pandas as pd
    s = series
    if pd.api.types.is_bool_dtype(s) and enum_name == "tristate":  # bool, or pandas "boolean" with NA
        missing = s.isna().to_numpy()
        yes = s.to_numpy(dtype=object, na_value=False).astype(bool)
        return np.where(missing, _core.TRI_UNKNOWN if default is None else default,
                        np.where(yes, _core.TRI_YES, _core.TRI_NO)).astype(np.int64)
    if pd.api.types.is_integer_dtype(s):
        if s.isna().any():  # nullable Int64 with NA
            if default is None:
                bad = int(np.flatnonzero(s.isna().to_numpy())[0])
                raise _core_error("InvalidArgumentError", f"row {bad}: column {column} is required")
            given = ~s.isna().to_numpy()
            _check_enum_values(s.to_numpy(dtype=object)[given], np.flatnonzero(given), enum_name, column)
            return np.where(given, s.fillna(0).to_numpy(dtype=np.int64), default).astype(np.int64)
        _check_enum_values(s.to_numpy(), None, enum_name, column)
        return s.to_numpy(dtype=np.int64)
    codes, uniques = pd.factorize(s)
    from_string = getattr(_core, enum_name + "_from_string")
    table = np.empty(len(uniques) + 1, dtype=np.int64)
    for k, u in enumerate(uniques):  # per distinct value, not per row
        if isinstance(u, (int, np.integer)) and not isinstance(u, bool):
            _check_enum_values(np.array([u], dtype=object), np.flatnonzero(codes == k)[:1], enum_name, column)
            table[k] = int(u)
            continue
        text = str(u).strip().lower()
        if enum_name == "tristate" and text in ("true", "false", "1", "0"):
            table[k] = _core.TRI_YES if text in ("true", "1") else _core.TRI_NO
            continue
        if text == "" and default is not None:
            table[k] = default
            continue
        try:
            table[k] = int(from_string(text))
        except Exception:
            bad = int(np.flatnonzero(codes == k)[0])
            raise _core_error("ParseError", f"row {bad}: column {column}: {series.iloc[bad]!r} is not "
                              f"{'an' if enum_name[0] in 'aeiou' else 'a'} {enum_name.replace('_', ' ')} name") from None
    if default is None:
        if (codes < 0).any():
            bad = int(np.flatnonzero(codes < 0)[0])
            raise _core_error("InvalidArgumentError", f"row {bad}: column {column} is required")
        table[-1] = 0
    else:
        table[-1] = default
    return table[codes]  # code -1 (missing) picks the last entry


def _tristate_codes(series, column: str):
    """A tristate column (is_smb, consent_*) as int64 fu_tristate values, by
    the one rule of the Python API (followup._pythonic.tristate_code): bool
    yes / no; numbers 0 / 1 (any int or float dtype) no / yes as in a CSV
    file; None / NaN / NA unknown; the names; Tristate members themselves in
    an object column. Anything else is refused naming the first such row."""
    import pandas as pd
    from ._pythonic import tristate_code
    s = series
    yes, no, unknown = int(_core.TRI_YES), int(_core.TRI_NO), int(_core.TRI_UNKNOWN)
    if pd.api.types.is_bool_dtype(s):  # bool, or pandas "boolean" with NA
        missing = s.isna().to_numpy()
        truth = s.to_numpy(dtype=object, na_value=False).astype(bool)
        return np.where(missing, unknown, np.where(truth, yes, no)).astype(np.int64)
    if pd.api.types.is_numeric_dtype(s):  # int8..uint64, float, nullable Int64 / Float64
        v = s.to_numpy(dtype=np.float64, na_value=np.nan)
        bad = ~(np.isnan(v) | (v == 0.0) | (v == 1.0))
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            tristate_code(s.iloc[row], f"row {row}: column {column}")  # raises, naming the value
        return np.where(np.isnan(v), unknown, np.where(v == 1.0, yes, no)).astype(np.int64)
    with warnings.catch_warnings():  # (pandas' FutureWarning about inferring the uniques' dtype: not used)
        warnings.simplefilter("ignore", FutureWarning)
        codes, uniques = pd.factorize(s)  # names, members, mixed objects: per distinct value
    table = np.empty(len(uniques) + 1, dtype=np.int64)
    # each value as given (factorize's uniques turn Tristate members into plain ints)
    seen, first = np.unique(codes, return_index=True)
    given = {int(c): s.iloc[int(i)] for c, i in zip(seen, first) if c >= 0}
    for k in range(len(uniques)):
        u = given[k]
        if isinstance(u, float) and u != u:
            table[k] = unknown
            continue
        try:
            table[k] = tristate_code(u, "")
        except (ValueError, TypeError):
            row = int(np.flatnonzero(codes == k)[0])
            tristate_code(series.iloc[row], f"row {row}: column {column}")
            raise
    table[-1] = unknown  # code -1: missing
    return table[codes]


_OFFSET = re.compile(r"^(Z|([+-])(\d\d):?(\d\d))$")


def _priority_codes(series):
    """The priority column as the event field: the priority + 1, 0 not given.
    Numbers are :class:`followup.Priority` values (0 urgent .. 3 low), as the
    ``PRIORITY_*`` constants and ``Priority`` members are: pandas stores such
    members as plain int64, so a number cannot mean the stored field value."""
    import pandas as pd
    if pd.api.types.is_bool_dtype(series):
        raise _core_error("ParseError", "column priority: booleans are not priorities (urgent, high, normal, low)")
    if pd.api.types.is_numeric_dtype(series):
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)
        given = ~np.isnan(values)
        bad = given & ~np.isin(values, (0.0, 1.0, 2.0, 3.0))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise _core_error("ParseError", f"row {i}: column priority: {series.iloc[i]!r} is not a priority "
                              "(0..3: followup.Priority members, or the names urgent, high, normal, low)")
        return np.where(given, np.nan_to_num(values) + 1, 0).astype(np.int64)
    codes, uniques = pd.factorize(series)
    table = np.zeros(len(uniques) + 1, dtype=np.int64)  # code -1 (missing): not given
    names = ("", "urgent", "high", "normal", "low")
    for k, u in enumerate(uniques):
        text = str(u).strip().lower()
        if isinstance(u, (int, np.integer)) and not isinstance(u, bool) and 0 <= int(u) <= 3:
            table[k] = int(u) + 1  # a Priority member or its number, in a column of mixed values
        elif text in names:
            table[k] = names.index(text)
        else:
            bad = int(np.flatnonzero(codes == k)[0])
            raise _core_error("ParseError", f"row {bad}: column priority: {series.iloc[bad]!r} is not a "
                              "priority name (urgent, high, normal, low or empty)")
    return table[codes]


def _iso_seconds(series):
    """ISO 8601 strings "YYYY-MM-DDTHH:MM:SS" + offset (Z or +HH:MM) as UTC
    epoch seconds, vectorised (the offsets are parsed once per distinct
    value); None when some value has another shape (the caller falls back)."""
    import pandas as pd
    if not (series.str.len() >= 20).all():
        return None
    local = pd.to_datetime(series.str[:19], format="%Y-%m-%dT%H:%M:%S", errors="coerce")
    if local.isna().any():
        return None
    codes, uniques = pd.factorize(series.str[19:])
    table = np.empty(len(uniques), dtype=np.int64)
    for k, u in enumerate(uniques):
        m = _OFFSET.match(u)
        if not m:
            return None
        table[k] = 0 if m.group(1) == "Z" else (1 if m.group(2) == "+" else -1) * (
            int(m.group(3)) * 3600 + int(m.group(4)) * 60)
    return local.to_numpy(dtype="datetime64[s]").astype(np.int64) - table[codes]


_DATE_TEXT = re.compile(r"\s*[+-]?\d{4,}-\d\d-\d\d")
_HAS_OFFSET = re.compile(r"\d\d:\d\d(?::\d\d(?:[.,]\d+)?)?\s*(?:[Zz]|[+-]\d\d(?::?\d\d)?)\s*$")


def _naive_error(column: str, row: int, value, what: str):
    return _core_error("ParseError", f"row {row}: column {column}: {value!r} is {what} without a UTC offset; "
                       "the library never guesses a zone: give an offset (+08:00, Z), tz-aware datetimes, "
                       "or book_from_frames(..., tz='Asia/Shanghai') to read naive times in that zone")


def _is_naive(v) -> bool:
    """A text without an offset, or a datetime / datetime64 without a zone."""
    if isinstance(v, str):  # a text that is no date at all is left to the reader's "is not a time"
        return bool(_DATE_TEXT.match(v)) and not _HAS_OFFSET.search(v)
    if isinstance(v, _dt.datetime):
        return v.tzinfo is None
    return isinstance(v, (np.datetime64, _dt.date)) and not (isinstance(v, np.datetime64) and np.isnat(v))


def _localized(series, column: str, tz: Optional[str]):
    """A naive datetime64 Series as tz-aware in ``tz``; without ``tz`` a
    ParseError naming the first row (naive values are never taken as UTC)."""
    import pandas as pd
    given = series.notna().to_numpy()
    if not given.any():
        return series.dt.tz_localize("UTC")
    if tz is None:
        bad = int(np.flatnonzero(given)[0])
        raise _naive_error(column, bad, str(series.iloc[bad]), "a datetime64")
    try:
        return series.dt.tz_localize(tz, ambiguous="raise", nonexistent="raise")
    except Exception:  # a DST gap or overlap, or an unknown zone: name the row one value at a time
        for i, v in enumerate(series.tolist()):
            if v is not pd.NaT and v is not None:
                _local_seconds(v, column, i, tz)
        raise


def _local_seconds(v, column: str, row: int, tz: str) -> int:
    """One naive value read in ``tz`` as UTC epoch seconds."""
    import pandas as pd
    try:
        ts = pd.Timestamp(v.strip() if isinstance(v, str) else v)
        ts = ts.tz_localize(tz, ambiguous="raise", nonexistent="raise")
    except Exception as e:  # pandas raises ValueError, pytz errors, zoneinfo errors ...
        raise _core_error("ParseError", f"row {row}: column {column}: {v!r} is not a time in {tz} ({e})") from None
    return int(ts.value // 1_000_000_000)


def _ns_datetimes(series):
    """A datetime64 column of another unit (``datetime64[ms, UTC]``, ``[s]``)
    in nanoseconds, which pandas' ``.dt`` accessor needs (pandas 1.5 fails
    inside it with a bare AssertionError otherwise)."""
    dtype = series.dtype
    unit = getattr(dtype, "unit", None) or (np.datetime_data(dtype)[0] if isinstance(dtype, np.dtype)
                                            and dtype.kind == "M" else None)
    if unit is None or unit == "ns":
        return series
    import pandas as pd
    tz = getattr(dtype, "tz", None)
    values = np.asarray(series.array.asi8 if tz is not None and hasattr(series.array, "asi8") else series.to_numpy())
    if tz is not None:
        values = values.view(f"datetime64[{unit}]")
        idx = pd.DatetimeIndex(values.astype("datetime64[ns]")).tz_localize("UTC").tz_convert(tz)
    else:
        idx = pd.DatetimeIndex(values.astype("datetime64[ns]"))
    return pd.Series(idx, index=series.index, name=series.name)


_TIME_MIN, _TIME_MAX = -62135596800, 253402300799  # 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59Z


def _epoch_range_error(column: str, row: int, value) -> Exception:
    nat = " (-2**63 is NaT's integer value: give a missing time as None / NaN / NaT)" \
        if value == -2 ** 63 else ""
    return _core_error("ParseError", f"row {row}: column {column}: {value!r} is not a time (epoch seconds outside "
                       f"years 1..9999){nat}")


def _epoch_ints(series, column: str, required: bool):
    """An integer column of epoch seconds as int64, read as given (not through
    pandas' nanoseconds, where -2**63 is NaT and years after 2262 overflow):
    each value in years 1..9999, NA of a nullable column missing (review s13
    I6: -2**63, NaT's integer value, was stored as 1970-01-01)."""
    missing = series.isna().to_numpy()
    if required and missing.any():
        raise _core_error("ParseError", f"row {int(np.flatnonzero(missing)[0])}: column {column}: "
                          "a time is required")
    v = series.to_numpy(dtype=object if missing.any() else None)
    if missing.any():
        v = np.where(missing, 0, v)
    bad = np.flatnonzero(~missing & ((v < _TIME_MIN) | (v > _TIME_MAX)))
    if len(bad):
        raise _epoch_range_error(column, int(bad[0]), int(v[bad[0]]))
    return np.where(missing, _core.BOOK_NO_TIME, v.astype(np.int64)).astype(np.int64)


def _seconds(series, column: str, required: bool, tz: Optional[str] = None):
    import pandas as pd
    if pd.api.types.is_integer_dtype(series) and not pd.api.types.is_bool_dtype(series):
        return _epoch_ints(series, column, required)
    out = _seconds_any(series, column, required, tz)
    bad = np.flatnonzero((out != _core.BOOK_NO_TIME) & ((out < _TIME_MIN) | (out > _TIME_MAX)))
    if len(bad):  # float epochs (and objects) beyond the library's years
        raise _epoch_range_error(column, int(bad[0]), series.iloc[int(bad[0])])
    return out


def _seconds_any(series, column: str, required: bool, tz: Optional[str] = None):
    import pandas as pd
    if pd.api.types.is_object_dtype(series) and series.notna().all():
        try:
            fast = _iso_seconds(series.astype(str))
        except (ValueError, TypeError):
            fast = None
        if fast is not None:
            return fast.astype(np.int64)
    series = _ns_datetimes(series)
    if pd.api.types.is_datetime64_any_dtype(series) and getattr(series.dtype, "tz", None) is None:
        series = _localized(series, column, tz)
    elif pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series):
        naive = [_is_naive(v) for v in series.tolist()]
        if any(naive):
            if tz is None:
                bad = naive.index(True)
                v = series.iloc[bad]
                raise _naive_error(column, bad, v, "a text" if isinstance(v, str) else "a datetime")
            return _seconds_each(series, column, required, tz)
    try:
        t = to_utc(series)
    except (ValueError, TypeError, OverflowError):
        return _seconds_each(series, column, required)
    if t.isna().any() and (series.notna().to_numpy() & t.isna().to_numpy()).any():
        return _seconds_each(series, column, required)  # texts pandas cannot hold (years before 1677, after 2262)
    if required and t.isna().any():
        bad = int(np.flatnonzero(t.isna().to_numpy())[0])
        raise _core_error("ParseError", f"row {bad}: column {column}: {series.iloc[bad]!r} is not a time")
    ns = t.dt.tz_localize(None).to_numpy(dtype="datetime64[ns]").astype(np.int64)
    secs = np.floor_divide(ns, 1_000_000_000)
    return np.where(t.isna().to_numpy(), _core.BOOK_NO_TIME, secs).astype(np.int64)


def _seconds_each(series, column: str, required: bool, tz: Optional[str] = None):
    """The slow path of _seconds, one value at a time: ISO 8601 texts go
    through the library's own parser (years 1..9999, as the CSV readers),
    other values through pandas; the first bad value is named with its row."""
    import pandas as pd
    out = np.empty(len(series), dtype=np.int64)
    for i, v in enumerate(series.tolist()):
        if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and np.isnan(v)):
            if required:
                raise _core_error("ParseError", f"row {i}: column {column}: a time is required")
            out[i] = _core.BOOK_NO_TIME
            continue
        if tz is not None and _is_naive(v):
            out[i] = _local_seconds(v, column, i, tz)
            continue
        if isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)):
            if not _TIME_MIN <= int(v) <= _TIME_MAX:  # -2**63 would be NaT to pandas (review s13 I6)
                raise _epoch_range_error(column, i, int(v))
            out[i] = int(v)
            continue
        try:
            if isinstance(v, str):
                out[i] = _core.time_parse(v.strip())
            else:
                out[i] = int(np.floor_divide(to_utc(pd.Series([v])).dt.tz_localize(None)
                                             .to_numpy(dtype="datetime64[ns]").astype(np.int64)[0], 1_000_000_000))
        except (ValueError, TypeError, OverflowError) as e:  # followup.Error is a ValueError
            raise _core_error("ParseError", f"row {i}: column {column}: {v!r} is not a time "
                              f"(ISO 8601 with an offset, datetime64 or epoch seconds: {e})") from None
    return out


_ID_COLUMNS = ("customer_id", "order_id", "agent_id")


def _texts(series, column: str = ""):
    """A text column as a list of str (None where missing). A float column
    (pandas makes an id column float as soon as one value is missing) gives
    whole numbers without ".0" (1.0 -> "1"); a fractional value in an id
    column is a ParseError naming the row."""
    import pandas as pd
    if pd.api.types.is_float_dtype(series):
        v = series.to_numpy(dtype=np.float64, na_value=np.nan)
        given = ~np.isnan(v)
        whole = given & np.isfinite(v) & (v == np.floor(v)) & (np.abs(v) < 2.0 ** 53)
        if column in _ID_COLUMNS and (given & ~whole).any():
            bad = int(np.flatnonzero(given & ~whole)[0])
            raise _core_error("ParseError", f"row {bad}: column {column}: {series.iloc[bad]!r} is not an id "
                              "(a float that is not a whole number; give ids as text or integers)")
        return [None if not g else (str(int(x)) if w else str(x)) for x, g, w in zip(v.tolist(), given, whole)]
    s = series.astype(object).where(series.notna(), None)
    if not pd.api.types.is_string_dtype(series):
        return [None if v is None else str(v) for v in s.tolist()]
    # an object column: integers are ids as in an int64 column, of any size (a Python int beyond
    # 64 bits used to be refused as "expected str, got int"; review s12 U10)
    return [str(v) if isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)) else v
            for v in s.tolist()]


CUSTOMER_COLUMNS = ("customer_id", "tz", "annual_spend", "first_purchase_at", "industry", "is_smb",
                    "preferred_windows", "dnd_windows", "consent_phone", "consent_sms", "consent_email", "owner")
EVENT_COLUMNS = ("customer_id", "at", "kind", "order_id", "product_class", "unit_price", "amount", "severity",
                 "channel", "agent_id", "outcome", "score", "survey", "note", "priority")


def _frame_columns(frame, known: tuple, what: str, fname: str = "book_from_frames") -> dict:
    """The columns of ``frame`` by the format's names, matched as the CSV
    reader matches a header: without regard to ASCII case and surrounding
    spaces. A name given twice is an error; an unknown column is ignored
    unless it looks like a known one (the same letters apart from spaces,
    hyphens, dots and underscores, a near spelling such as ``amounts``, or
    the same letters in another order such as ``shfit``),
    which raises rather than being dropped silently."""
    import difflib
    if not hasattr(frame, "columns") or not hasattr(frame, "__getitem__"):
        raise TypeError(f"{fname}(): argument {what} must be a pandas.DataFrame, "
                        f"not {'None' if frame is None else type(frame).__name__}")
    squashed = {re.sub(r"[\s_.\-]", "", k): k for k in known}
    out, names = {}, {}
    for c in frame.columns:
        key = str(c).strip().lower() if str(c).isascii() else str(c).strip()
        if key in known:
            if key in out:
                raise _core_error("InvalidArgumentError", f"{fname}: {what} has two columns named {key!r}: "
                                  f"{names[key]!r} and {c!r} (names are matched without regard to case and "
                                  "surrounding spaces, as in the CSV reader)")
            out[key], names[key] = frame[c], c
            continue
        near = squashed.get(re.sub(r"[\s_.\-]", "", key)) or next(iter(
            difflib.get_close_matches(key, known, n=1, cutoff=0.85)), None) or next(
            (k for k in known if len(k) > 3 and sorted(k) == sorted(key)), None)  # swapped letters: shfit
        if near is not None:
            raise _core_error("InvalidArgumentError", f"{fname}: {what} column {c!r} is not a column of the "
                              f"format but looks like {near!r}: rename it to {near!r} (or drop it) rather than "
                              "have its values left out")
    return out


def book_from_frames(customers: pandas.DataFrame, events: Optional[pandas.DataFrame] = None, flags: int = 0,
                     finalize: bool = True, tz: Optional[str] = None) -> Book:
    """A :class:`followup.Book` from a customers DataFrame and an events
    DataFrame, without CSV: the rows go to C in one bulk call per frame
    (``Book.add_customer_columns`` / ``add_event_columns``).

    Parameters
    ----------
    customers : pandas.DataFrame
        Columns of docs/formats.md: ``customer_id`` (required), ``tz``,
        ``industry``, ``preferred_windows``, ``dnd_windows``, ``owner`` (str),
        ``annual_spend`` (numbers), ``first_purchase_at`` (times),
        ``is_smb``, ``consent_phone``, ``consent_sms``, ``consent_email``
        (tristates: yes/no/unknown, bool, 1/0 = yes/no). Missing optional columns are
        absent values.
    events : pandas.DataFrame, optional
        ``customer_id``, ``at`` (times) and ``kind`` (required); ``order_id``,
        ``product_class``, ``agent_id``, ``note`` (str); ``unit_price``,
        ``amount``, ``score`` (numbers); ``severity``, ``channel``,
        ``outcome``, ``survey`` (enums); ``priority`` (a contact's priority:
        ``urgent``/``high``/``normal``/``low`` or :class:`followup.Priority`
        members; empty or missing = not given; numbers are ``Priority``
        values, 0 urgent .. 3 low, since pandas stores the members and the
        ``PRIORITY_*`` constants as plain integers).
    flags : int, default 0
        Book flags (``followup.Book(flags)``).
    finalize : bool, default True
        Finalize the book (sort events, build indexes) before returning it.

    tz : str, optional
        An IANA zone ("Asia/Shanghai") in which naive times are read: ISO
        texts without an offset, naive datetime64 columns, naive datetimes.
        Without it a naive time is a ParseError naming the row and column
        (the library never guesses a zone, as the CSV reader).

    Times are tz-aware datetime64, ISO 8601 strings with offsets, epoch
    seconds, or naive values read in ``tz``; enum columns take the library's
    names, IntEnum members or ints.

    Returns
    -------
    followup.Book

    Raises
    ------
    followup.Error
        A bad row (the row and column are named): ``ParseError`` for an
        unreadable time or enum name, ``InvalidArgumentError`` for a missing
        required column or value.
    """
    cf = _frame_columns(customers, CUSTOMER_COLUMNS, "customers")
    ef = _frame_columns(events, EVENT_COLUMNS, "events") if events is not None else None
    book = _core.Book(flags)
    cols = {}
    for c in ("customer_id", "tz", "industry", "preferred_windows", "dnd_windows", "owner"):
        if c in cf:
            cols[c] = _texts(cf[c], c)
    if "customer_id" not in cols:
        raise _core_error("InvalidArgumentError", "book_from_frames: customers has no customer_id column")
    if "annual_spend" in cf:
        cols["annual_spend"] = _numbers(cf["annual_spend"], "annual_spend")
    if "first_purchase_at" in cf:
        cols["first_purchase_at"] = _seconds(cf["first_purchase_at"], "first_purchase_at", False, tz)
    for c in _TRISTATES:
        if c in cf:
            cols[c] = _tristate_codes(cf[c], c)
    book.add_customer_columns(cols)
    if ef is not None:
        ev = {}
        for c in ("customer_id", "order_id", "product_class", "agent_id", "note"):
            if c in ef:
                ev[c] = _texts(ef[c], c)
        for c in ("customer_id", "at", "kind"):
            if c not in ef:
                raise _core_error("InvalidArgumentError", f"book_from_frames: events has no {c} column")
        ev["at"] = _seconds(ef["at"], "at", True, tz)
        for c, enum_name in _EVENT_ENUMS.items():
            if c in ef:
                ev[c] = _codes(ef[c], enum_name, c, None if c == "kind" else 0)
        if "priority" in ef:
            ev["priority"] = _priority_codes(ef["priority"])
        for c in ("unit_price", "amount", "score"):
            if c in ef:
                ev[c] = _numbers(ef[c], c)
        book.add_event_columns(ev)
    if finalize:
        book.finalize()
    return book


def _numbers(series, column: str):
    """A number column as contiguous float64: missing values (None, NaN,
    pandas.NA of the nullable dtypes) are NaN, the library's absent number; a
    value that is not a number is a ParseError naming the row."""
    import pandas as pd
    if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        try:
            series = pd.to_numeric(series, errors="raise")
        except (ValueError, TypeError):
            num = pd.to_numeric(series, errors="coerce")
            bad = int(np.flatnonzero((num.isna() & series.notna()).to_numpy())[0])
            raise _core_error("ParseError", f"row {bad}: column {column}: {series.iloc[bad]!r} is not a number") \
                from None
    return np.ascontiguousarray(series.to_numpy(dtype=np.float64, na_value=np.nan))


KPI_STATUSES = ("green", "yellow", "red", "none")
#: The outcomes of a contact log record (docs/guard.md).
LOG_OUTCOMES = ("attempted", "answered", "no_answer", "busy", "voicemail", "refused", "wrong_number",
                "callback_requested")
COMMIT_STATES = ("open", "breached", "fulfilled", "cancelled")


def _utc_from_seconds(values, none_value: int, what: str = "instants"):
    """UTC datetimes of epoch seconds; none_value -> NaT. Instants pandas
    cannot hold (before 1677 or after 2262: placeholder dates such as
    0001-01-01 or 9999-12-31) become NaT with a FollowupWarning."""
    import pandas as pd
    a = np.asarray(values, dtype=np.int64)
    lo, hi = -9223372036, 9223372035  # datetime64[ns] bounds in whole seconds
    outside = (a != none_value) & ((a < lo) | (a > hi))
    if outside.any():
        first = int(a[outside][0])
        day = (_dt.date(1970, 1, 1) + _dt.timedelta(days=first // 86400)).isoformat() \
            if -62135596800 <= first < 253402300800 else "before year 1" if first < 0 else "after year 9999"
        _warn(f"{int(outside.sum())} of {what} lie outside what pandas can hold (1677..2262; first "
              f"{day}): NaT in the frame (a placeholder date in the data?)")
    keep = (a != none_value) & ~outside
    out = pd.to_datetime(np.where(keep, a, 0), unit="s", utc=True)
    return pd.Series(out).where(keep).astype("datetime64[ns, UTC]")


def kpi_frame(kpi: Kpi, tz: Optional[str] = None) -> pandas.DataFrame:
    """The computed figures of a :class:`followup.Kpi` as a DataFrame.

    Parameters
    ----------
    kpi : followup.Kpi
        A Kpi after ``compute()``.
    tz : str, optional
        An IANA zone: ``period_start`` / ``period_end`` as
        ``datetime64[ns, tz]`` (give the policy's zone to see a week start on
        its Monday 00:00). Default UTC. The instants are the same.

    Returns
    -------
    pandas.DataFrame
        One row per figure (RangeIndex), columns:

        - ``kpi``, ``group`` (category)
        - ``period`` (object: str)
        - ``value``, ``ci_low``, ``ci_high`` (float64)
        - ``n`` (Int64: the sample size)
        - ``target`` (float64)
        - ``status`` (category: green, yellow, red, none)
        - ``rule`` (object: str or None)
        - ``successes`` (float64)
        - ``period_start``, ``period_end`` (datetime64[ns, UTC], or in
          ``tz``; NaT when none)

        Empty (no columns) when nothing was computed.
    """
    import pandas as pd
    d = pd.DataFrame(kpi._columns())
    if d.empty:
        return d
    d["kpi"] = pd.Categorical(d["kpi"])
    d["group"] = pd.Categorical(d["group"])
    d["status"] = pd.Categorical(d["status"], categories=list(KPI_STATUSES))
    d["n"] = d["n"].round().astype("Int64")
    d["rule"] = d["rule"].replace("", None)
    for c in ("period_start", "period_end"):
        d[c] = _in_zone(_utc_from_seconds(d[c].to_numpy(), _core.KPI_NO_TIME, f"the {c} values"), tz)
    return d


def commitments_frame(commitments: CommitmentList) -> pandas.DataFrame:
    """A :class:`followup.CommitmentList` (``Ledger.query()``) as a DataFrame.

    Built from columns the C side fills in one pass
    (``core._commitment_columns``), no Python loop per commitment.

    Parameters
    ----------
    commitments : followup.CommitmentList
        The result of ``Ledger.query()``.

    Returns
    -------
    pandas.DataFrame
        One row per commitment (RangeIndex), columns:

        - ``id`` (int64)
        - ``customer_id``, ``text``, ``category``, ``owner``, ``created_by``,
          ``rule`` (object: str)
        - ``state`` (category: open, breached, fulfilled, cancelled)
        - ``level`` (int64)
        - ``created_at``, ``deadline``, ``warn_at``, ``breach_at``,
          ``closed_at`` (datetime64[ns, UTC]; NaT when none)
        - ``warned`` (bool)
        - ``n_events`` (int64)
    """
    import pandas as pd
    c = _core._commitment_columns(commitments)
    d = pd.DataFrame({"id": np.frombuffer(c["id"], dtype=np.int64)})
    for k in ("customer_id", "text", "category", "owner", "created_by", "rule"):
        d[k] = pd.Series(c[k], dtype=object)
    d["state"] = _codes_to_category(c["state"], COMMIT_STATES)
    d["level"] = np.frombuffer(c["level"], dtype=np.int64)
    for k in ("created_at", "deadline", "warn_at", "breach_at", "closed_at"):
        d[k] = _times(c[k], _core.COMMIT_NO_TIME)
    d["warned"] = np.frombuffer(c["warned"], dtype=np.int8).astype(bool)
    d["n_events"] = np.frombuffer(c["n_events"], dtype=np.int64)
    return d


def _in_zone(series, tz: Optional[str]):
    """A ``datetime64[ns, UTC]`` Series shown in ``tz`` (None: left in UTC)."""
    return series if tz is None else series.dt.tz_convert(tz)


_EVENT_ENUM_CLASSES = {"kind": ("event_kind", "EventKind"), "severity": ("severity", "Severity"),
                       "channel": ("channel", "Channel"), "outcome": ("outcome", "Outcome"),
                       "survey": ("survey", "Survey")}


def _enum_category(values, enum_name: str, class_name: str):
    """int8 enum bytes as a Categorical of the library's names (every name a
    category, in value order); value 0 is missing when its name is empty
    (severity, channel, outcome, survey: not given)."""
    from . import enums
    name = getattr(_core, enum_name + "_name")
    names = [name(int(m)) for m in sorted(getattr(enums, class_name), key=int)]
    offset = 1 if names and names[0] == "" else 0
    return _codes_to_category(values, names[offset:], offset=offset)


def book_events_frame(book: Book, tz: Optional[str] = None) -> pandas.DataFrame:
    """The events of a :class:`followup.Book` as a DataFrame, in book order
    (by customer, then time, once finalized).

    Built from columns the C side fills in one pass
    (``core._book_event_columns``): no CSV, no Python loop per event. The
    columns are those :func:`book_from_frames` reads, so
    ``book_from_frames(book_customers_frame(b), book_events_frame(b))`` is the
    same book.

    Parameters
    ----------
    book : followup.Book
    tz : str, optional
        Show ``at`` in this IANA zone (default UTC); the instants are the same.

    Returns
    -------
    pandas.DataFrame
        One row per event (RangeIndex), columns:

        - ``customer_id`` (object: str, the id as the book holds it)
        - ``at`` (datetime64[ns, UTC], or in ``tz``)
        - ``kind``, ``severity``, ``channel``, ``outcome``, ``survey``
          (category: the library's names; NaN when not given)
        - ``priority`` (category: urgent, high, normal, low; NaN when not given)
        - ``order_id``, ``product_class``, ``agent_id``, ``note`` (object:
          the text, None when absent)
        - ``unit_price``, ``amount``, ``score`` (float64; NaN when absent)
    """
    import pandas as pd
    c = _core._book_event_columns(book)
    d = pd.DataFrame({"customer_id": pd.Series(c["customer_id"], dtype=object)})
    d["at"] = _in_zone(_utc_from_seconds(np.frombuffer(c["at"], dtype=np.int64), _core.BOOK_NO_TIME,
                                         "the event times"), tz)
    for col, (enum_name, class_name) in _EVENT_ENUM_CLASSES.items():
        d[col] = _enum_category(c[col], enum_name, class_name)
    d["priority"] = _codes_to_category(c["priority"], PRIORITIES, offset=1)
    for col in ("order_id", "product_class", "agent_id", "note"):
        d[col] = pd.Series(c[col], dtype=object)
    for col in ("unit_price", "amount", "score"):
        d[col] = np.frombuffer(c[col], dtype=np.float64)
    return d


TRISTATES = ("unknown", "yes", "no")


def book_customers_frame(book: Book) -> pandas.DataFrame:
    """The customers of a :class:`followup.Book` as a DataFrame, in book
    order (the book index is the row number).

    Built from columns the C side fills in one pass
    (``core._book_customer_columns``); the columns are those
    :func:`book_from_frames` reads.

    Parameters
    ----------
    book : followup.Book

    Returns
    -------
    pandas.DataFrame
        One row per customer (RangeIndex = book index), columns:

        - ``customer_id`` (object: str), ``tz``, ``industry``,
          ``preferred_windows``, ``dnd_windows``, ``owner`` (object: str,
          None when absent)
        - ``annual_spend`` (float64; NaN when absent)
        - ``first_purchase_at`` (datetime64[ns, UTC]; NaT when absent)
        - ``is_smb``, ``consent_phone``, ``consent_sms``, ``consent_email``
          (category: unknown, yes, no)
    """
    import pandas as pd
    c = _core._book_customer_columns(book)
    d = pd.DataFrame({k: pd.Series(c[k], dtype=object)
                      for k in ("customer_id", "tz", "industry", "preferred_windows", "dnd_windows", "owner")})
    d["annual_spend"] = np.frombuffer(c["annual_spend"], dtype=np.float64)
    d["first_purchase_at"] = _utc_from_seconds(np.frombuffer(c["first_purchase_at"], dtype=np.int64),
                                               _core.BOOK_NO_TIME, "the first purchase times")
    codes = {_core.TRI_UNKNOWN: 0, _core.TRI_YES: 1, _core.TRI_NO: 2}
    for k in _TRISTATES:
        raw = np.frombuffer(c[k], dtype=np.int8).astype(np.int64)
        d[k] = pd.Categorical.from_codes(np.vectorize(lambda v: codes.get(v, -1), otypes=[np.int64])(raw)
                                         if len(raw) else raw, categories=list(TRISTATES))
    return d


def contact_log_frame(log: ContactLog, after: int = 0, customer_id: Optional[str] = None,
                      tz: Optional[str] = None) -> pandas.DataFrame:
    """The records of a :class:`followup.ContactLog` as a DataFrame.

    Parameters
    ----------
    log : followup.ContactLog
    after : int, default 0
        Only records with a sequence number above it.
    customer_id : str, optional
        Only this customer's records.
    tz : str, optional
        Show ``at`` and ``callback_at`` in this IANA zone (default UTC).

    Returns
    -------
    pandas.DataFrame
        One row per record, in log order, columns:

        - ``seq`` (int64)
        - ``customer_id`` (object: str)
        - ``at`` (datetime64[ns, UTC], or in ``tz``)
        - ``channel``, ``outcome``, ``priority`` (category)
        - ``agent_id``, ``rule``, ``order_id`` (object: str as the log holds
          it, masked unless the log stores raw text; None when empty)
        - ``duration`` (Int64 seconds; NA when not given)
        - ``callback_at`` (datetime64[ns, UTC], or in ``tz``; NaT when none)
    """
    import io

    import pandas as pd
    text = log.csv(after, customer_id)
    texts = ("customer_id", "agent_id", "rule", "order_id")
    d = pd.read_csv(io.StringIO(text), dtype={k: str for k in texts + ("channel", "outcome", "priority")},
                    keep_default_na=False)
    for k in texts:
        d[k] = d[k].astype(object).where(d[k] != "", None)
    d["seq"] = d["seq"].astype(np.int64)
    for k in ("at", "callback_at"):
        secs = pd.to_numeric(d[k].replace("", None) if d[k].dtype == object else d[k], errors="raise")
        vals = secs.fillna(_core.BOOK_NO_TIME).to_numpy(dtype=np.int64) if len(d) else np.empty(0, np.int64)
        d[k] = _in_zone(_utc_from_seconds(vals, _core.BOOK_NO_TIME, f"the {k} values"), tz)
    dur = d["duration"].replace("", None) if d["duration"].dtype == object else d["duration"]
    d["duration"] = pd.to_numeric(dur, errors="raise").astype("Int64")
    for k, names in (("channel", CHANNELS), ("outcome", LOG_OUTCOMES), ("priority", PRIORITIES)):
        extra = [v for v in dict.fromkeys(d[k].tolist()) if v not in names and v != ""]  # never lose a value
        d[k] = pd.Categorical(d[k].where(d[k] != "", None), categories=list(names) + extra)
    return d


def _typed_categoricals(fn, columns):
    """``fn`` (a small summary frame the SWIG layer reads from CSV text) with
    its name ``columns`` as categoricals (categories in order of appearance)."""
    if fn is None or getattr(fn, "__followup_typed__", False):
        return fn

    def typed(*args, **kwargs):
        import pandas as pd
        d = fn(*args, **kwargs)
        for c in columns:
            if c in d.columns:
                v = d[c].astype(str)
                d[c] = pd.Categorical(v, categories=list(dict.fromkeys(v)))
        return d
    typed.__name__, typed.__qualname__, typed.__doc__ = fn.__name__, fn.__qualname__, fn.__doc__
    typed.__wrapped__ = fn
    try:
        import inspect
        typed.__signature__ = inspect.signature(fn).replace(return_annotation="pandas.DataFrame")
    except (TypeError, ValueError):
        pass
    typed.__followup_typed__ = True
    return typed


def _install_methods() -> None:
    """DataFrame methods on the handles: Plan.to_dataframe(status="all"),
    CommitmentList.to_dataframe(), and Kpi.to_dataframe() typed as kpi_frame."""
    def plan_to_dataframe(self, status: str = "all") -> pandas.DataFrame:
        """The touchpoints as a typed DataFrame (:func:`followup.plan_frame`)."""
        return plan_frame(self, status)

    def commitments_to_dataframe(self) -> pandas.DataFrame:
        """The commitments as a typed DataFrame (:func:`followup.commitments_frame`)."""
        return commitments_frame(self)

    def kpi_to_dataframe(self, tz: Optional[str] = None) -> pandas.DataFrame:
        """The figures as a typed DataFrame (:func:`followup.kpi_frame`): kpi,
        group and status categoricals, n Int64, period_start / period_end
        ``datetime64[ns, UTC]`` (or in the zone ``tz``); records() when
        pandas is not importable."""
        try:
            import pandas  # noqa: F401
        except ImportError:
            return self.records()
        return kpi_frame(self, tz)

    def book_events_frame_method(self, tz: Optional[str] = None) -> pandas.DataFrame:
        """The events as a typed DataFrame (:func:`followup.book_events_frame`)."""
        return book_events_frame(self, tz)

    def book_customers_frame_method(self) -> pandas.DataFrame:
        """The customers as a typed DataFrame (:func:`followup.book_customers_frame`)."""
        return book_customers_frame(self)

    def log_to_dataframe(self, after: int = 0, customer_id: Optional[str] = None,
                         tz: Optional[str] = None) -> pandas.DataFrame:
        """The records as a typed DataFrame (:func:`followup.contact_log_frame`)."""
        return contact_log_frame(self, after, customer_id, tz)

    book_events_frame_method.__name__ = book_events_frame_method.__qualname__ = "events_frame"
    book_events_frame_method.__qualname__ = "Book.events_frame"
    book_customers_frame_method.__name__ = "customers_frame"
    book_customers_frame_method.__qualname__ = "Book.customers_frame"
    log_to_dataframe.__name__, log_to_dataframe.__qualname__ = "to_dataframe", "ContactLog.to_dataframe"
    _core.Book.events_frame = book_events_frame_method
    _core.Book.customers_frame = book_customers_frame_method
    if hasattr(_core, "ContactLog"):
        _core.ContactLog.to_dataframe = log_to_dataframe
    _core.Plan.to_dataframe = plan_to_dataframe
    _core.CommitmentList.to_dataframe = commitments_to_dataframe
    _core.Kpi.to_dataframe = kpi_to_dataframe

    if hasattr(_core, "FrequencyModel"):
        fm = _core.FrequencyModel
        fm.curves_frame = _typed_categoricals(fm.curves_frame, ("curve", "segment"))
        fm.recommendations_frame = _typed_categoricals(fm.recommendations_frame, ("segment",))
    if hasattr(_core, "simulation_frame"):
        _core.simulation_frame = _typed_categoricals(_core.simulation_frame, ("measure",))


_install_methods()
