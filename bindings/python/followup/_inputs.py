"""pandas in: DataFrames, Series and dicts as inputs of the planner and the
KPI engine (docs/python.md, "DataFrames in: planner and KPI inputs").

After :func:`install`:

- ``Planner.set_clv(data)``: CSV text or None as before, or a DataFrame with
  a ``clv`` column and the customer ids in a ``customer_id`` column or the
  index (the frame of :func:`followup.segments`), a Series of CLVs indexed by
  customer id, or a dict ``{customer_id: clv}``; ids the book does not hold
  are skipped, NaN is unknown. ``Planner.set_clv_values(values)`` takes one
  value per book customer in book order (a float64 array: no copy per row).
- ``Planner.set_agents(data)``: CSV text or None as before, or a DataFrame of
  the agents CSV's columns (``agent_id``, ``shift``, ...).
- ``Kpi.set_segments(data, labels=None)``: segment labels of many customers
  in one C call: a DataFrame with a ``segment`` column (ids as above), a
  Series indexed by id, a dict, or two sequences (ids, labels). A missing
  label (None / NaN) leaves the customer "unknown".
- ``Kpi.add_due(data)``: a :class:`followup.Plan` (its planned touchpoints)
  or a DataFrame with ``customer_id``, ``due_to`` and optionally
  ``due_from`` and ``agent`` / ``agent_id`` (the frame of
  :func:`followup.plan_frame`; with a ``status`` column only its
  ``planned`` rows, as with a Plan) in one C call, all or nothing; the one-item
  form ``add_due(customer_id, due_to, due_from=..., agent_id=...)`` is
  unchanged.
"""
from __future__ import annotations

import functools
import inspect
from typing import Any

import numpy as np

from . import core as _core
from ._arrays import _ext, _invalid


def _is_frame(x) -> bool:
    return hasattr(x, "columns") and hasattr(x, "index") and hasattr(x, "iloc")


def _is_series(x) -> bool:
    return hasattr(x, "index") and hasattr(x, "iloc") and not hasattr(x, "columns")


def _ids_of(fname: str, frame) -> list:
    """The customer ids of a DataFrame: its customer_id column, else its index
    when it is named customer_id or holds text."""
    if "customer_id" in frame.columns:
        return frame["customer_id"].tolist()
    index = frame.index
    if index.name == "customer_id" or index.dtype == object:
        return index.tolist()
    raise _invalid(f"{fname}(): the DataFrame needs a customer_id column or an index of customer ids "
                   f"(it has columns {', '.join(map(str, frame.columns))})")


def _column(fname: str, frame, name: str):
    if name not in frame.columns:
        raise _invalid(f"{fname}(): the DataFrame has no {name} column (it has "
                       f"{', '.join(map(str, frame.columns)) or 'none'})")
    return frame[name]


def _missing(v) -> bool:
    """None, NaN, pandas.NA or NaT: a missing value."""
    return v is None or (isinstance(v, float) and v != v) or type(v).__name__ in ("NAType", "NaTType")


def _texts(values) -> list:
    """A list of str / None from a column (categoricals, NaN, pandas.NA and
    the nullable string dtype included)."""
    if hasattr(values, "dtype") and str(values.dtype) == "category":
        values = values.astype(object)
    out = values.tolist() if hasattr(values, "tolist") else list(values)
    return [None if _missing(v) else v for v in out]


def _floats(fname: str, what: str, values) -> np.ndarray:
    """float64 values, missing ones (None, NaN, pandas.NA) NaN: nullable
    dtypes (Float64, Int64, convert_dtypes()) included."""
    try:
        return np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        pass
    items = values.tolist() if hasattr(values, "tolist") else list(values)
    try:
        return np.array([np.nan if _missing(v) else float(v) for v in items], dtype=np.float64)
    except (TypeError, ValueError):
        raise _invalid(f"{fname}(): {what} must be numbers") from None


def _one_argument(fn, name: str, annotation: str, doc: str):
    """fn(self, name=None) with its signature and help text."""
    P = inspect.Parameter
    fn.__signature__ = inspect.Signature(
        [P("self", P.POSITIONAL_OR_KEYWORD), P(name, P.POSITIONAL_OR_KEYWORD, default=None, annotation=annotation)],
        return_annotation=None)
    fn.__doc__ = f"{fn.__name__}(self, {name}: {annotation} = None) -> None\n\n{doc}"
    return fn


# ---- Planner.set_clv, set_clv_values, set_agents ----
def _clv_by_book_order(fname: str, book, ids: list, values: np.ndarray) -> np.ndarray:
    """values[k] of ids[k] in book order (NaN where not given; ids the book
    does not hold are skipped, as set_clv's CSV does)."""
    if len(ids) != len(values):
        raise _invalid(f"{fname}(): {len(ids)} customer ids but {len(values)} values")
    book_ids = _core._book_customer_ids(book)
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is there wherever the frames are
        pd = None
    if pd is not None:
        s = pd.Series(values, index=pd.Index(ids, dtype=object))
        if s.index.has_duplicates:
            raise _invalid(f"{fname}(): duplicate customer id {s.index[s.index.duplicated()][0]!r}")
        return np.ascontiguousarray(s.reindex(pd.Index(book_ids, dtype=object)).to_numpy(np.float64))
    pos = {cid: i for i, cid in enumerate(book_ids)}
    out = np.full(len(book_ids), np.nan)
    seen = set()
    for cid, v in zip(ids, values):
        if cid in seen:
            raise _invalid(f"{fname}(): duplicate customer id {cid!r}")
        seen.add(cid)
        if cid in pos:
            out[pos[cid]] = v
    return out


def _clv_numbers(fname: str, ids: list, values) -> np.ndarray:
    """The CLVs of ``ids`` as float64 (missing: NaN, unknown); a value that is
    not a number >= 0 (a bool, a text, a negative, infinite or too large
    number) is an InvalidArgumentError naming the customer id (review s13
    I15: the error named set_clv_values and a book index)."""
    dtype = getattr(values, "dtype", None)
    items = None if dtype is not None and getattr(dtype, "kind", "O") in "iuf" else \
        (values.tolist() if hasattr(values, "tolist") else list(values))
    if items is None:
        a = _floats(fname, "the values", values)
    else:
        a = np.empty(len(items), dtype=np.float64)
        for k, v in enumerate(items):
            ok = not isinstance(v, (bool, np.bool_, str, bytes)) and (
                _missing(v) or isinstance(v, (int, float, np.integer, np.floating)))
            try:
                a[k] = np.nan if ok and _missing(v) else float(v) if ok else np.nan
            except OverflowError:
                ok = False
            if not ok:
                raise _invalid(f"{fname}(): customer {ids[k]!r}: {v!r} is not a CLV (a number >= 0; "
                               "NaN / None: unknown)")
    bad = np.flatnonzero(~np.isnan(a) & ~(np.isfinite(a) & (a >= 0)))
    if len(bad):
        k = int(bad[0])
        raise _invalid(f"{fname}(): customer {ids[k]!r}: {a[k]!r} is not a CLV (a number >= 0; "
                       "NaN / None: unknown)")
    return a


def _set_clv(raw_csv, raw_values):
    @functools.wraps(raw_csv)
    def set_clv(self, csv=None):
        fname = "Planner.set_clv"
        if csv is None or isinstance(csv, (str, bytes)):
            return raw_csv(self, csv)
        book = self._parents[1]
        if _is_frame(csv):
            ids = _ids_of(fname, csv)
            values = _clv_numbers(fname, ids, _column(fname, csv, "clv"))
        elif _is_series(csv):
            ids = csv.index.tolist()
            values = _clv_numbers(fname, ids, csv)
        elif isinstance(csv, dict):
            ids = list(csv.keys())
            values = _clv_numbers(fname, ids, list(csv.values()))
        else:
            raise TypeError(f"{fname}(): argument 1 (csv) must be str, a pandas DataFrame or Series, a dict "
                            f"or None, not {type(csv).__name__} (one value per book customer: set_clv_values)")
        bad = [i for i in ids if not isinstance(i, str)][:1]
        if bad:
            raise _invalid(f"{fname}(): customer ids must be str, not {type(bad[0]).__name__} ({bad[0]!r})")
        return raw_values(self, _clv_by_book_order(fname, book, ids, values))
    set_clv.__name__ = "set_clv"
    return _one_argument(set_clv, "csv", "str | pandas.DataFrame | pandas.Series | dict",
                         "The customers' CLV for channels.by_clv: CSV text (customer_id, clv), a DataFrame with a "
                       "clv column and the ids in a customer_id column or the index (followup.segments()), a "
                       "Series indexed by id or a dict {id: clv}; NaN unknown, ids not in the book skipped; "
                         "None removes them.")


def _set_clv_values(raw):
    @functools.wraps(raw)
    def set_clv_values(self, clv=None):
        if clv is None:
            return raw(self, None)
        if _is_series(clv) or _is_frame(clv) or isinstance(clv, (dict, str, bytes)):
            raise TypeError("Planner.set_clv_values(): argument 1 (clv) must be one number per book customer "
                            f"(an array or sequence in book order), not {type(clv).__name__} (by id: set_clv)")
        return raw(self, np.ascontiguousarray(_floats("Planner.set_clv_values", "clv", clv)))
    set_clv_values.__name__ = "set_clv_values"
    return _one_argument(set_clv_values, "clv", "ArrayLike", "The customers' CLV for channels.by_clv, one value "
                         "per book customer in book order (NaN unknown); None removes them.")


def _integral_floats_as_ints(frame):
    """The frame with float columns whose values are all whole numbers or
    missing as nullable ints: pandas makes calls_per_day float64 as soon as
    one value is missing, and would write 40 as "40.0" (missing: empty)."""
    out = frame
    for name in frame.columns:
        col = frame[name]
        if col.dtype.kind == "f":
            v = col.to_numpy()
            ok = np.isnan(v) | (np.isfinite(v) & (np.floor(v) == v) & (np.abs(v) < 2**53))
            if ok.all():
                if out is frame:
                    out = frame.copy()
                out[name] = col.astype("Int64")
    return out


AGENT_COLUMNS = ("agent_id", "team", "skills", "shift", "tz", "calls_per_day", "days_off")


def _agents_frame_error(e):
    """The reader's error on the CSV made from a DataFrame ("<agents>:2:10:
    calls_per_day: ...") in the frame's words: row 0, the column once."""
    from .frames import _core_error
    msg = getattr(e, "message", "") or str(e)
    line = getattr(e, "line", 0) or 0
    col = next((c for c in AGENT_COLUMNS if msg.startswith(c + ": ")), None)
    while col and msg.startswith(col + ": "):
        msg = msg[len(col) + 2:]
    where = (f"row {line - 2}: " if line >= 2 else "") + (f"column {col}: " if col else "")
    return _core_error(type(e).__name__, f"Planner.set_agents(): {where}{msg}")


def _set_agents(raw):
    @functools.wraps(raw)
    def set_agents(self, csv=None):
        if _is_frame(csv):
            from .frames import _frame_columns
            frame = csv
            if "agent_id" not in frame.columns and frame.index.name == "agent_id":
                frame = frame.reset_index()
            # a misspelt column (shfit) raises rather than being left out, as in book_from_frames
            _frame_columns(frame, AGENT_COLUMNS, "agents", "Planner.set_agents")
            try:
                return raw(self, _integral_floats_as_ints(frame).to_csv(index=False))
            except _ext.Error as e:
                raise _agents_frame_error(e) from None
        return raw(self, csv)
    set_agents.__name__ = "set_agents"
    return _one_argument(set_agents, "csv", "str | pandas.DataFrame", "The planner's agents: the agents CSV as "
                         "text or a DataFrame of its columns (agent_id, team, skills, shift, tz, calls_per_day, "
                         "days_off); None or \"\" removes them.")


# ---- Kpi.set_segments, add_due ----
def _set_segments(self, data, labels=None) -> None:
    """Segment labels of many customers in one call (FU_KPI_BY_SEGMENT)."""
    fname = "Kpi.set_segments"
    if labels is not None:
        ids, labs = _texts(data), _texts(labels)
    elif _is_frame(data):
        ids, labs = _ids_of(fname, data), _texts(_column(fname, data, "segment"))
    elif _is_series(data):
        ids, labs = data.index.tolist(), _texts(data)
    elif isinstance(data, dict):
        ids, labs = list(data.keys()), list(data.values())
    else:
        raise TypeError(f"{fname}(): argument 1 (data) must be a pandas DataFrame or Series, a dict, or a "
                        f"sequence of ids with labels=, not {type(data).__name__}")
    if len(ids) != len(labs):
        raise _invalid(f"{fname}(): {len(ids)} customer ids but {len(labs)} labels")
    _warn_unknown_ids(self, fname, ids)
    self.set_segment_columns({"customer_id": ids, "segment": labs})


def _warn_unknown_ids(kpi, fname: str, ids) -> None:
    """A FollowupWarning when labelled ids are not in the books given to
    add_book (another book's file, ids in another case): those customers
    would be created without events and every figure stay `unknown`."""
    books = getattr(kpi, "_books", ())
    if not books:
        return
    known = set()
    for b in books:
        known.update(_core._book_customer_ids(b))
    missing = [i for i in ids if i is not None and str(i) not in known]
    if missing:
        from .frames import _warn
        _warn(f"{fname}(): {len(missing)} of {len(ids)} labelled customer ids are not in the book "
              f"(first: {str(missing[0])!r}); their labels reach no event")


_NO_TIME = _core.KPI_NO_TIME


def _epochs(fname: str, name: str, values) -> np.ndarray:
    """int64 UTC seconds of a column of instants; NaT (and None) -> KPI_NO_TIME."""
    from ._methods import times_to_epoch
    dtype = getattr(values, "dtype", None)
    if dtype is not None and (getattr(dtype, "tz", None) is not None or getattr(dtype, "kind", "") == "M"):
        import pandas as pd
        idx = pd.DatetimeIndex(values)
        if idx.tz is not None:
            idx = idx.tz_convert("UTC").tz_localize(None)
        elif idx.notna().any():  # naive: refused, as book_from_frames and the Calendar bulk calls do
            from .frames import _core_error
            row = int(np.flatnonzero(idx.notna())[0])
            raise _core_error("InvalidArgumentError", f"{fname}(): row {row}: column {name}: '{idx[row]}' is a "
                              "naive datetime (the column has no zone); the library never guesses one: localize "
                              f"it first (df['{name}'].dt.tz_localize('Asia/Shanghai'), or tz_localize('UTC') "
                              "for UTC times) or give epoch seconds")
        a = idx.to_numpy()
        missing = np.isnat(a)
        out = np.where(missing, 0, a.astype("datetime64[s]").astype(np.int64))
        return np.ascontiguousarray(np.where(missing, _NO_TIME, out), dtype=np.int64)
    if dtype is not None and getattr(dtype, "kind", "") in "iu" and getattr(values, "size", 0):
        # epoch seconds: -2**63 is NaT's integer value, not "open" or "missing" (review s13 I6)
        a = np.asarray(values)
        bad = np.flatnonzero((a < -62135596800) | (a > 253402300799))
        if len(bad):
            from .frames import _epoch_range_error
            e = _epoch_range_error(name, int(bad[0]), int(a[bad[0]]))
            e.args = (f"{fname}(): {e.args[0]}",)
            e.message = e.args[0]
            raise e
    try:
        return np.ascontiguousarray(times_to_epoch(fname, 0, name, values), dtype=np.int64)
    except (ValueError, TypeError) as e:  # followup.Error is a ValueError: name the first bad row
        _raise_bad_row(fname, name, values, e)
        raise


def _raise_bad_row(fname: str, name: str, values, err: Exception) -> None:
    """Raise a ParseError naming the first value of ``values`` that is not a
    time (its position and column); return when none can be found."""
    from ._pythonic import to_seconds
    import datetime as _dt
    seq = values.tolist() if hasattr(values, "tolist") else list(values)
    for i, v in enumerate(seq):
        if isinstance(v, _dt.datetime) and v.tzinfo is None:
            return  # a naive datetime: the caller's own error says how to localize it
        try:
            to_seconds(v.decode() if isinstance(v, bytes) else v)
        except (ValueError, TypeError) as e:
            msg = getattr(e, "message", None) or str(e)
            from .frames import _core_error
            raise _core_error("ParseError", f"{fname}(): row {i}: column {name}: {v!r} is not a time "
                              f"(ISO 8601 with an offset, a datetime or epoch seconds): {msg}") from None


def _planned_rows(fname: str, status) -> np.ndarray:
    """The positions of the rows whose status is ``planned`` (any ASCII case,
    surrounding spaces ignored, as every enum name of the API); the other
    touchpoint statuses (suppressed, deferred, cancelled, later) are skipped;
    anything else, a missing status included, is a ParseError naming the
    row and the names (review s13 I14: "Planned" and typos were dropped
    silently)."""
    import pandas as pd
    from .enums import TouchpointStatus
    names = [str(m) for m in TouchpointStatus]
    codes, uniques = pd.factorize(pd.Series(status).astype(object))
    planned = np.zeros(len(uniques), dtype=bool)
    for k, u in enumerate(uniques):
        text = str(u).strip().lower() if isinstance(u, str) else None
        if text is None or text not in names:
            bad = int(np.flatnonzero(codes == k)[0])
            from .frames import _core_error
            raise _core_error("ParseError", f"{fname}(): row {bad}: column status: {u!r} is not a touchpoint "
                              f"status (one of {', '.join(names)}, any case; only planned rows are due)")
        planned[k] = text == "planned"
    if (codes < 0).any():
        bad = int(np.flatnonzero(codes < 0)[0])
        from .frames import _core_error
        raise _core_error("ParseError", f"{fname}(): row {bad}: column status: a status is required "
                          f"(one of {', '.join(names)})")
    return np.flatnonzero(planned[codes])


def _renumber_rows(err: Exception, rows: np.ndarray) -> None:
    """Rewrite the first "row N" of ``err`` (a position among the planned
    rows) as the row of the frame given."""
    import re
    def fix(text):
        return re.sub(r"\brow (\d+)", lambda m: f"row {int(rows[int(m.group(1))])}"
                      if int(m.group(1)) < len(rows) else m.group(0), text, count=1)
    if err.args and isinstance(err.args[0], str):
        err.args = (fix(err.args[0]),) + err.args[1:]
    if isinstance(getattr(err, "message", None), str):
        try:
            err.message = fix(err.message)
        except AttributeError:
            pass


def _add_due(raw):
    @functools.wraps(raw)
    def add_due(self, customer_id, *args, **kwargs):
        fname = "Kpi.add_due"
        if isinstance(customer_id, _core.Plan):
            if args or kwargs:
                raise TypeError(f"{fname}(): a Plan takes no further arguments")
            c = _core._plan_columns(customer_id, 1 << _core.TOUCHPOINT_PLANNED)
            return self.add_due_columns({
                "customer_id": c["customer_id"], "agent_id": c["agent"],
                "due_to": np.frombuffer(c["due_to"], dtype=np.int64),
                "due_from": np.frombuffer(c["due_from"], dtype=np.int64)})
        if _is_frame(customer_id):
            if args or kwargs:
                raise TypeError(f"{fname}(): a DataFrame takes no further arguments")
            df = customer_id
            rows = None
            if "status" in df.columns:  # plan_frame(): only the planned rows are due, as with a Plan
                rows = _planned_rows(fname, df["status"])
                df = df.iloc[rows]
            try:
                cols = {"customer_id": _texts(_column(fname, df, "customer_id")),
                        "due_to": _epochs(fname, "due_to", _column(fname, df, "due_to"))}
                if "due_from" in df.columns:
                    cols["due_from"] = _epochs(fname, "due_from", df["due_from"])
                agent = "agent_id" if "agent_id" in df.columns else "agent" if "agent" in df.columns else None
                if agent:
                    cols["agent_id"] = _texts(df[agent])
                return self.add_due_columns(cols)
            except ValueError as e:  # followup.Error; rows of the frame as given, not of its planned rows
                if rows is None:
                    raise
                _renumber_rows(e, rows)
                raise
        return raw(self, customer_id, *args, **kwargs)
    sig = inspect.signature(raw)
    params = list(sig.parameters.values())
    params[1] = params[1].replace(annotation="str | Plan | pandas.DataFrame")
    params[2:] = [p.replace(default=None) if p.default is p.empty else p for p in params[2:]]
    add_due.__signature__ = sig.replace(parameters=params)
    add_due.__doc__ = (f"add_due{add_due.__signature__}".replace("'", "") +
                       "\n\nDue items for coverage: one (customer_id, due_to, due_from=, agent_id=), or many in one "
                       "call: a Plan (its planned touchpoints) or a DataFrame with customer_id, due_to and "
                       "optionally due_from and agent / agent_id (plan_frame()). All or nothing.")
    return add_due


def install() -> None:
    P, K = _core.Planner, _core.Kpi
    if getattr(vars(P).get("set_clv"), "__followup_inputs__", False):
        return
    raw_values = vars(P)["set_clv_values"]
    fns = {(P, "set_clv"): _set_clv(vars(P)["set_clv"], raw_values),
           (P, "set_clv_values"): _set_clv_values(raw_values),
           (P, "set_agents"): _set_agents(vars(P)["set_agents"]),
           (K, "add_due"): _add_due(vars(K)["add_due"])}
    for (cls, name), fn in fns.items():
        fn.__followup_inputs__ = True
        fn.__name__, fn.__qualname__ = name, f"{cls.__name__}.{name}"
        setattr(cls, name, fn)
    seg = _set_segments
    Pm = inspect.Parameter
    seg.__signature__ = inspect.Signature(
        [Pm("self", Pm.POSITIONAL_OR_KEYWORD),
         Pm("data", Pm.POSITIONAL_OR_KEYWORD, annotation="pandas.DataFrame | pandas.Series | dict | Sequence[str]"),
         Pm("labels", Pm.POSITIONAL_OR_KEYWORD, default=None, annotation="Optional[Sequence[str]]")],
        return_annotation=None)
    seg.__doc__ = ("set_segments(self, data: pandas.DataFrame | pandas.Series | dict | Sequence[str], labels: "
                   "Optional[Sequence[str]] = None) -> None\n\nSegment labels (by=\"segment\") of many customers in "
                   "one call: a DataFrame with a segment column and the ids in a customer_id column or the index "
                   "(followup.segments()), a Series indexed by id, a dict, or ids with labels=. None / NaN: the "
                   "customer stays \"unknown\".")
    seg.__qualname__ = "Kpi.set_segments"
    seg.__followup_inputs__ = True
    K.set_segments = seg
