"""Python protocols on the SWIG classes: len(), iteration and readable reprs.

- ``len(book)`` is the number of customers, ``for c in book`` yields
  :class:`followup.Customer` copies in book order.
- ``len(plan)`` is the number of planned touchpoints, ``for tp in plan``
  yields them (:class:`followup.Touchpoint`).
- ``repr()`` of Book, Plan, Touchpoint, Customer and the fitted models says
  what they hold instead of SWIG's pointer text.
"""
from __future__ import annotations

from typing import Iterator

from . import core as _core
from .enums import Priority as _Priority
from .enums import Tristate as _Tristate
import importlib as _importlib  # noqa: E402
_ext = _importlib.import_module("followup._core")  # the C extension: the exception classes


def _time(t) -> str:
    if t is None or t == _core.BOOK_NO_TIME:
        return "-"
    if hasattr(t, "isoformat"):
        return t.isoformat().replace("+00:00", "Z")
    try:
        return _core.time_format(t)
    except Exception:
        return str(t)


def _book_iter(self) -> Iterator:
    for i in range(self.customer_count()):
        yield self.customer(i)


def _book_repr(self) -> str:
    state = "finalized" if self.is_finalized() else "open"
    return f"<followup.Book: {self.customer_count()} customers, {self.event_count()} events, {state}>"


def _plan_iter(self) -> Iterator:
    return iter(self.touchpoints())


def _plan_repr(self) -> str:
    counts = ", ".join(f"{self.count(s)} {_core.touchpoint_status_name(s)}"
                       for s in (_core.TOUCHPOINT_PLANNED, _core.TOUCHPOINT_SUPPRESSED, _core.TOUCHPOINT_DEFERRED))
    return f"<followup.Plan: {counts}>"


def _tp_repr(self) -> str:
    return (f"<followup.Touchpoint {self.customer_id} {self.status} {self.channel} {self.priority} "
            f"at {_time(self.best_at_epoch)}: {self.purpose}>")


def _bt_slot_repr(self) -> str:
    """A best-time slot in the words of docs/besttime.md (review s13 I13: it
    was SWIG's proxy text)."""
    rule = _safe(lambda: self.rule)
    return (f"<followup.BestTimeSlot {_time(_safe(lambda: self.at_epoch))}..{_time(_safe(lambda: self.until_epoch))} "
            f"p={self.p:.3g} [{self.lo:.3g}, {self.hi:.3g}] score={self.score:.3g}" +
            (f" rule={rule!r}" if rule else "") + ">")


def _customer_repr(self) -> str:
    return f"<followup.Customer {self.id} tz={self.tz}>"


def _model_repr(names):
    def r(self) -> str:
        return f"<followup.{type(self).__name__} " + " ".join(f"{k}={getattr(self, k):.6g}" for k in names) + ">"
    return r


def _batch_len(self) -> int:
    return self.count()


def _batch_repr(self) -> str:
    n = self.count()
    return f"<followup.EventBatch: {n} event{'' if n == 1 else 's'}>"


# ---- short reprs of the other handles and records (no SWIG proxy text) ----
def _safe(fn, default="?"):
    try:
        return fn()
    except Exception:
        return default


def _kpi_repr(self) -> str:
    period, by = getattr(self, "_options", ("?", "?"))
    n = _safe(self.count, 0)
    state = f"{n} figure{'' if n == 1 else 's'}" if n else "not computed"
    return f"<followup.Kpi period={period} by={by}: {state}>"


def _num(x) -> str:
    return "nan" if x != x else f"{x:.6g}"


def _kpi_figure_repr(self) -> str:
    interval = "" if self.ci_low != self.ci_low else f" [{_num(self.ci_low)}, {_num(self.ci_high)}]"
    group = "" if self.group in ("", "all", None) else f" {self.group}"
    status = f" {self.status}" if self.status and self.status != "none" else ""
    return (f"<followup.KpiFigure {self.kpi} {self.period}{group}: {_num(self.value)}{interval} "
            f"n={_num(self.n)}{status}>")


def _planner_repr(self) -> str:
    policy, book = getattr(self, "_parents", (None, None))
    n = _safe(book.customer_count) if book is not None else "?"
    name = _safe(policy.name) if policy is not None else "?"
    return f"<followup.Planner customers={n} policy={name}>"


def _policy_repr(self) -> str:
    return f"<followup.Policy {_safe(self.name)} version={_safe(self.version)}>"


def _sim_report_repr(self) -> str:
    return (f"<followup.SimReport {_time(self.from_epoch)} .. {_time(self.to_epoch)}: {self.customers} customers, "
            f"{self.contacts} contacts, coverage={_num(self.coverage)}>")


def _freq_data_repr(self) -> str:
    return (f"<followup.FrequencyData {_safe(self.count)} attempts, {_safe(self.segment_count)} "
            f"segment{'' if _safe(self.segment_count) == 1 else 's'}>")


def _freq_model_repr(self) -> str:
    return f"<followup.FrequencyModel {_safe(self.segment_count)} segments, max_k={_safe(self.max_k)}>"


def _segment_rules_repr(self) -> str:
    return (f"<followup.SegmentRules tiers={self.n_tiers} classes={self.n_classes} "
            f"composite={self.n_composite} rfm_bins={self.rfm_bins}>")


def _handle_repr(describe):
    """A repr for a handle that can be closed: "<followup.X what>", or
    "<followup.X (closed)>" once close() freed it (its calls raise StateError)."""
    def r(self) -> str:
        try:
            what = describe(self)
        except _ext.StateError:
            what = "(closed)"
        except Exception:
            what = "?"
        return f"<followup.{type(self).__name__} {what}>"
    return r


def _guard_what(self) -> str:
    policy, book, log = (getattr(self, "_parents", ((None, None, None),))[0] + (None, None, None))[:3]
    parts = [f"policy={_safe(policy.name) if policy is not None else '?'}",
             f"customers={_safe(book.customer_count) if book is not None else '?'}"]
    if getattr(self, "_followup_closed", False):
        return "(closed)"
    if log is not None:
        parts.append(f"log_records={_safe(log.count)}")
    return " ".join(parts)


def _marking_close(close):
    """Guard.close that also notes the guard closed (the C guard has no
    query for it), for its repr."""
    @_functools.wraps(close)
    def wrapped(self, *args, **kwargs):
        r = close(self, *args, **kwargs)
        self._followup_closed = True
        return r
    wrapped.__followup_marks_close__ = True
    return wrapped


def install_reprs() -> None:
    reprs = {"Kpi": _kpi_repr, "KpiFigure": _kpi_figure_repr, "Planner": _planner_repr, "Policy": _policy_repr,
             "SimReport": _sim_report_repr, "FrequencyData": _freq_data_repr,
             "FrequencyModel": _freq_model_repr, "SegmentRules": _segment_rules_repr,
             "Guard": _handle_repr(_guard_what),
             "ContactLog": _handle_repr(lambda self: f"records={self.count()}"),
             "Ledger": _handle_repr(lambda self: "(closed)" if self.closed else f"commitments={self.count()}"),
             "Redactor": _handle_repr(lambda self: f"masked={self.total()} jit={bool(self.uses_jit())}")}
    for cls, fn in reprs.items():
        klass = getattr(_core, cls, None)
        if klass is not None:
            klass.__repr__ = fn
    if not getattr(_core.Guard.close, "__followup_marks_close__", False):
        _core.Guard.close = _marking_close(_core.Guard.close)
    if hasattr(_core, "GuardDecision"):  # the guard's answer, the most printed object of a dialer
        _core.GuardDecision.__repr__ = _guard_decision_repr


def _guard_decision_repr(self) -> str:
    nxt = _safe(lambda: self.next_allowed)
    return (f"<followup.GuardDecision allowed={_safe(lambda: self.allowed)!r} rule={_safe(lambda: self.rule)!r} "
            f"reason={_safe(lambda: self.reason)!r} next_allowed={nxt}>")


# ---- enum names in: "purchase", "phone", "urgent", ... where C takes the enum ----
# The event fields of Book.add_event, EventBatch.add, Kpi.add_event and
# Planner.feed take the enum constants (followup.EVENT_PURCHASE or
# followup.EventKind.PURCHASE) or their names, as the rest of the Python API
# (Kpi(period="week"), the frames' categoricals). A priority name is the
# event field's value: the priority + 1 (0 not given).
_PRIORITIES = {"urgent": 0, "high": 1, "normal": 2, "low": 3}  # fu_priority


def _arg_error(cls, message: str):
    e = cls(message)
    e.code, e.message, e.source, e.line, e.column, e.path = _core.EINVAL, message, "", 0, 0, ""
    return e


def _priority_from_string(qualname: str, text: str) -> int:
    if text not in _PRIORITIES:
        raise _arg_error(_ext.InvalidArgumentError, f"{qualname}(): argument priority: unknown priority "
                         f"'{text}' (expected urgent, high, normal or low)")
    return _PRIORITIES[text] + 1


_ENUM_PARSERS = {"kind": "event_kind_from_string", "severity": "severity_from_string",
                 "channel": "channel_from_string", "outcome": "outcome_from_string",
                 "survey": "survey_from_string"}
# position (after self) of each enum argument
_EVENT_ARGS = {"kind": 2, "severity": 7, "channel": 8, "outcome": 10, "survey": 12, "priority": 14}
_ENUM_ARGS = {("Book", "add_event"): _EVENT_ARGS, ("EventBatch", "add"): _EVENT_ARGS,
              ("Kpi", "add_event"): {k: v for k, v in _EVENT_ARGS.items() if k != "priority"},
              ("Planner", "feed"): {"kind": 2, "severity": 9, "channel": 10, "outcome": 12, "survey": 14},
              ("Plan", "count"): {"status": 0}, ("Plan", "touchpoint"): {"status": 0}}
_STATUSES = ("planned", "suppressed", "deferred", "later", "cancelled")


def _map_arguments(qualname: str, positions: dict, args, kwargs, convert):
    """Apply convert(qualname, name, value) to the arguments named in positions
    ({name: position}), given by position or by keyword; (args list, kwargs)."""
    args = list(args)
    for name, pos in positions.items():
        if pos < len(args):
            args[pos] = convert(qualname, name, args[pos])
        elif name in kwargs:
            kwargs[name] = convert(qualname, name, kwargs[name])
    return args, kwargs


def _enum_value(qualname: str, name: str, value):
    if name == "priority" and isinstance(value, _Priority):
        # followup.Priority.URGENT and the flat PRIORITY_* constants (members
        # of Priority) mean that priority, as in Lua; a plain int is the
        # event field's number (the priority + 1, 0 not given)
        return int(value) + 1
    if not isinstance(value, str):
        return value
    if name == "priority":
        return _priority_from_string(qualname, value)
    if name == "status":
        if value not in _STATUSES:
            raise _arg_error(_ext.InvalidArgumentError, f"{qualname}(): argument status: unknown touchpoint status "
                             f"'{value}' (expected {', '.join(_STATUSES)})")
        return getattr(_core, "TOUCHPOINT_" + value.upper())
    try:
        return getattr(_core, _ENUM_PARSERS[name])(value)
    except _ext.Error as e:
        raise _arg_error(_ext.InvalidArgumentError, f"{qualname}(): argument {name}: {getattr(e, 'message', e)}") \
            from None


# the argument values _enum_value converts: names, and Priority members
_CONVERTED = (str, _Priority)


def _with_enum_names(fn, qualname: str, positions: dict):
    first = min(positions.values())

    @_functools.wraps(fn)
    def call(self, *args, **kwargs):
        if any(isinstance(a, _CONVERTED) for a in args[first:]) or \
                any(isinstance(kwargs.get(k), _CONVERTED) for k in positions):
            args, kwargs = _map_arguments(qualname, positions, args, kwargs, _enum_value)
        return fn(self, *args, **kwargs)
    return call


def install_enum_signatures() -> None:
    """The enum arguments of _ENUM_ARGS annotated ``int | str`` (after
    install_signatures, which gives them the C type's ``int``)."""
    for (cls, meth), positions in _ENUM_ARGS.items():
        fn = getattr(getattr(_core, cls), meth)
        sig = _inspect.signature(fn)
        params = [p.replace(annotation="int | str") if p.name in positions else p for p in sig.parameters.values()]
        fn.__signature__ = sig.replace(parameters=params)
    for (cls, meth), positions in _TRISTATE_ARGS.items():
        fn = getattr(getattr(_core, cls), meth)
        sig = _inspect.signature(fn)
        params = [p.replace(annotation="Tristate | bool | int | str | None", default=None) if p.name in positions else p
                  for p in sig.parameters.values()]
        fn.__signature__ = sig.replace(parameters=params)
        fn.__doc__ = f"{meth}{fn.__signature__}".replace("'", "") + doc_body(fn.__doc__ or "") + \
            "\n\nTristates (is_smb, consent_*): " + TRISTATE_ACCEPTS + "."


# ---- tristates in: Book.add_customer(consent_phone=False), book_from_frames ----
# One rule for every tristate the Python API takes (review s12 U1): a
# Tristate member (and the flat TRI_* constants, which are its members) means
# itself; a bool means yes / no; a plain number 0 / 1 (any int or float type,
# 1.0 / 0.0) means no / yes, as the CSV reader reads "0" / "1"; None, NaN and
# pandas.NA mean unknown; the names "yes", "no", "unknown" (any case; "" is
# unknown) too, and the other texts the CSV reader takes for yes / no
# ("1" / "0", "true" / "false", "y" / "n": what pd.read_csv(dtype=str) gives for a
# 1/0 column, review s12 L4). Anything else (2, -1, 0.5, "maybe") is refused: the enum value
# 2 of a plain int used to be read as TRI_NO and 0 as TRI_UNKNOWN, so a 0/1
# consent column lost every "no".
TRISTATE_ACCEPTS = ("a followup.Tristate, True / False, 1 / 0 (yes / no), 'yes' / 'no' / 'unknown' "
                    "(or '1' / '0', 'true' / 'false' as in a CSV file), or None / NaN (unknown)")
# fu_tristate (FU_TRI_YES 1, FU_TRI_NO 2, FU_TRI_UNKNOWN 0) of the texts fu_tristate_from_string() reads
_TRISTATE_NAMES = {"yes": 1, "y": 1, "true": 1, "1": 1, "no": 2, "n": 2, "false": 2, "0": 2, "unknown": 0, "": 0}


def tristate_code(value, where: str) -> int:
    """The fu_tristate value of ``value`` by the rule above; ``where`` names
    the argument or the row for the error (InvalidArgumentError, or TypeError
    for a value of no accepted type)."""
    if isinstance(value, _Tristate):
        return int(value)
    if value is None or type(value).__name__ in ("NAType", "NaTType"):
        return int(_Tristate.UNKNOWN)
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return int(_Tristate.YES if value else _Tristate.NO)
    if isinstance(value, str):
        code = _TRISTATE_NAMES.get(value.strip().lower())
        if code is None:
            raise _arg_error(_ext.InvalidArgumentError, f"{where}: {value!r} is not a tristate name "
                             f"(expected {TRISTATE_ACCEPTS})")
        return code
    if isinstance(value, (int, float)) or (type(value).__name__.startswith(("int", "uint", "float"))
                                           and getattr(value, "ndim", 0) == 0 and hasattr(value, "__float__")):
        f = float(value)
        if f != f:
            return int(_Tristate.UNKNOWN)
        if f in (0.0, 1.0):
            return int(_Tristate.YES if f == 1.0 else _Tristate.NO)
        raise _arg_error(_ext.InvalidArgumentError, f"{where}: {value!r} is not a tristate: a number must be "
                         f"1 (yes) or 0 (no) (expected {TRISTATE_ACCEPTS})")
    raise TypeError(f"{where} must be a tristate ({TRISTATE_ACCEPTS}), not {type(value).__name__}")


_TRISTATE_ARGS = {("Book", "add_customer"): {"is_smb": 5, "consent_phone": 8, "consent_sms": 9, "consent_email": 10}}


def _with_tristates(fn, qualname: str, positions: dict):
    @_functools.wraps(fn)
    def call(self, *args, **kwargs):
        args = list(args)
        for name, pos in positions.items():
            if pos < len(args):
                args[pos] = tristate_code(args[pos], f"{qualname}(): argument {pos + 1} ({name})")
            elif name in kwargs:
                kwargs[name] = tristate_code(kwargs[name], f"{qualname}(): argument {name}")
        return fn(self, *args, **kwargs)
    return call


def install() -> None:
    for (cls, meth), positions in _ENUM_ARGS.items():
        c = getattr(_core, cls)
        setattr(c, meth, _with_enum_names(getattr(c, meth), f"{cls}.{meth}", positions))
    for (cls, meth), positions in _TRISTATE_ARGS.items():
        c = getattr(_core, cls)
        setattr(c, meth, _with_tristates(getattr(c, meth), f"{cls}.{meth}", positions))
    _core.EventBatch.__len__ = _batch_len
    _core.EventBatch.__repr__ = _batch_repr
    _core.Book.__len__ = lambda self: self.customer_count()
    _core.Book.__iter__ = _book_iter
    _core.Book.__repr__ = _book_repr
    _core.Plan.__len__ = lambda self: self.count(_core.TOUCHPOINT_PLANNED)
    _core.Plan.__iter__ = _plan_iter
    _core.Plan.__repr__ = _plan_repr
    _core.Touchpoint.__repr__ = _tp_repr
    _core.BestTimeSlot.__repr__ = _bt_slot_repr
    _core.Customer.__repr__ = _customer_repr
    _core.BgNbd.__repr__ = _model_repr(("r", "alpha", "a", "b"))
    _core.ParetoNbd.__repr__ = _model_repr(("r", "alpha", "s", "beta"))
    _core.GammaGamma.__repr__ = _model_repr(("p", "q", "gamma"))
    install_datetimes()
    install_enum_attributes()
    install_reprs()


# ---- enum-valued attributes as enum members ----
# Touchpoint.channel, Event.kind, Customer.consent_sms ... return members of
# followup.enums (IntEnums equal to their int and to their name: tp.channel
# == "phone", == followup.CHANNEL_PHONE, str() "phone"); a value that is no
# member stays an int.
_ENUM_ATTRIBUTES = {
    "Touchpoint": {"channel": "Channel", "priority": "Priority", "status": "TouchpointStatus"},
    "Event": {"kind": "EventKind", "severity": "Severity", "channel": "Channel", "outcome": "Outcome",
              "survey": "Survey", "priority": "EventPriority"},
    "Customer": {"is_smb": "Tristate", "consent_phone": "Tristate", "consent_sms": "Tristate",
                 "consent_email": "Tristate"},
}
_ENUM_METHODS = {"CommitmentList": {"state": "CommitState", "event_kind": "CommitEvent"}}


def _enum_property(name: str, raw: property, enum_cls) -> property:
    of = enum_cls.of

    def get(self):
        return of(raw.fget(self))
    get.__name__ = name
    get.__annotations__ = {"return": enum_cls.__name__}
    get.__followup_enum__ = True
    doc = (f"{name} : {enum_cls.__name__}\n\nA followup.{enum_cls.__name__} member: equal to its int "
           f"(followup constant) and to its name (str(), e.g. {str(next(iter(enum_cls)))!r}).")
    return property(get, None, None, doc)


def _enum_method(cls: str, name: str, raw, enum_cls):
    of = enum_cls.of

    @_functools.wraps(raw)
    def get(self, *args, **kwargs):
        return of(raw(self, *args, **kwargs))
    get.__followup_enum__ = True
    get.__name__, get.__qualname__ = name, f"{cls}.{name}"
    try:
        get.__signature__ = _inspect.signature(raw).replace(return_annotation=enum_cls.__name__)
    except (TypeError, ValueError):
        pass
    return get


def install_enum_attributes() -> None:
    from . import enums
    for cls, names in _ENUM_ATTRIBUTES.items():
        klass = getattr(_core, cls)
        for name, enum_name in names.items():
            raw = vars(klass).get(name)
            if isinstance(raw, property) and not getattr(raw.fget, "__followup_enum__", False):
                setattr(klass, name, _enum_property(name, raw, getattr(enums, enum_name)))
    for cls, names in _ENUM_METHODS.items():
        klass = getattr(_core, cls)
        for name, enum_name in names.items():
            raw = vars(klass).get(name)
            if raw is not None and not getattr(raw, "__followup_enum__", False):
                setattr(klass, name, _enum_method(cls, name, raw, getattr(enums, enum_name)))


# ---- datetimes at the boundary ----
# Every time attribute and time method of the core objects returns a
# timezone-aware datetime in UTC (None where the library says "no time").
# The UTC epoch seconds stay available under an explicit name,
# ``<name>_epoch`` (``SimReport.from_epoch`` for ``from_``), for code that
# computes with them; ``<name>_dt`` is kept as an alias of the datetime.
_NO_TIMES = {v for v in (getattr(_core, n, None) for n in ("BOOK_NO_TIME", "COMMIT_NO_TIME", "KPI_NO_TIME",
                                                            "BESTTIME_NONE", "BESTTIME_NEVER")) if v is not None}


def to_datetime(seconds, tz=None):
    """A timezone-aware :class:`datetime.datetime` for UTC epoch seconds
    (UTC, or ``tz``: a tzinfo or an IANA name); None for None and the "no
    time" values BOOK_NO_TIME, COMMIT_NO_TIME, KPI_NO_TIME, BESTTIME_NONE and
    BESTTIME_NEVER. An instant outside years 1..9999 (no datetime can hold
    it) raises ValueError."""
    when = _datetime_or_none(seconds, tz)
    if when is None and seconds is not None and seconds not in _NO_TIMES:
        raise ValueError(f"to_datetime(): {seconds!r} epoch seconds lies outside years 1..9999 (no datetime "
                         "holds it)")
    return when


def _datetime_or_none(seconds, tz=None):
    """to_datetime, but None for an instant outside years 1..9999 (the
    datetime attributes: a placeholder date in the data reads None, its
    *_epoch twin keeps the value)."""
    import datetime as dt
    if seconds is None or seconds in _NO_TIMES:
        return None
    if isinstance(seconds, dt.datetime):
        when = seconds if seconds.tzinfo is not None else seconds.replace(tzinfo=dt.timezone.utc)
    else:
        try:
            when = dt.datetime.fromtimestamp(int(seconds), dt.timezone.utc)
        except (OverflowError, ValueError, OSError):  # outside years 1..9999: no datetime for it
            return None
    if tz is None:
        return when
    if isinstance(tz, str):
        from zoneinfo import ZoneInfo
        tz = ZoneInfo(tz)
    return when.astimezone(tz)


def _dt_property(name: str, epoch: property) -> property:
    def get(self):
        return _datetime_or_none(epoch.fget(self))
    get.__name__ = name
    get.__annotations__ = {"return": "Optional[datetime.datetime]"}
    get.__doc__ = (f"``{name}`` as a timezone-aware datetime in UTC (None when absent); the UTC epoch "
                   f"seconds are ``{name.rstrip('_')}_epoch``.")
    fset = None
    if epoch.fset is not None:
        def fset(self, value):
            none = value is None
            epoch.fset(self, _core.BOOK_NO_TIME if none else to_seconds(value))
    return property(get, fset, None, get.__doc__)


def _dt_method(cls: str, name: str, epoch, nargs: int):
    if nargs == 1:
        def get(self, i: int):
            return _datetime_or_none(epoch(self, i))
    else:
        def get(self, i: int, k: int):
            return _datetime_or_none(epoch(self, i, k))
    get.__name__ = name
    get.__annotations__ = {"i": "int", "return": "Optional[datetime.datetime]"}
    if nargs == 2:
        get.__annotations__["k"] = "int"
    get.__qualname__ = f"{cls}.{name}"
    get.__doc__ = (f"``{name}(...)`` as a timezone-aware datetime in UTC (None when absent); the UTC epoch "
                   f"seconds are ``{name}_epoch(...)``.")
    return get


_DT_ATTRIBUTES = {
    "Touchpoint": ("due_from", "due_to", "best_at", "trigger_at"),
    "Customer": ("first_purchase_at",),
    "Event": ("at",),
    "SimDay": ("start",),
    "SimReport": ("from_", "to"),
    "BestTimeSlot": ("at", "until", "next_allowed"),
    "GuardDecision": ("next_allowed",),
    "KpiFigure": ("period_start", "period_end"),
}
_DT_METHODS = {"CommitmentList": {"created_at": 1, "deadline": 1, "warn_at": 1, "breach_at": 1, "closed_at": 1,
                                  "event_at": 2},
               "Extraction": {"promise_deadline": 1}}  # an epoch int until 0.2.0 (CHANGES.md)


def install_datetimes() -> None:
    for cls, names in _DT_ATTRIBUTES.items():
        klass = getattr(_core, cls, None)
        for name in names if klass is not None else ():
            epoch = vars(klass).get(name)
            if not isinstance(epoch, property) or getattr(epoch.fget, "__followup_dt__", False):
                continue
            base = name.rstrip("_")
            setattr(klass, base + "_epoch", epoch)
            prop = _dt_property(name, epoch)
            prop.fget.__followup_dt__ = True
            setattr(klass, name, prop)
            setattr(klass, base + "_dt", prop)
    for cls, methods in _DT_METHODS.items():
        klass = getattr(_core, cls, None)
        for name, nargs in methods.items() if klass is not None else ():
            epoch = vars(klass).get(name)
            if epoch is None or getattr(epoch, "__followup_dt__", False):
                continue
            setattr(klass, name + "_epoch", epoch)
            m = _dt_method(cls, name, epoch, nargs)
            m.__followup_dt__ = True
            setattr(klass, name, m)
            setattr(klass, name + "_dt", m)


# ---- SWIG's C type names out of error messages ----
import functools as _functools  # noqa: E402
import re as _re  # noqa: E402

_SWIG_ARG = _re.compile(r"in method '([\w]+)', argument (\d+) of type '([^']+)'")
_C_TYPES = {"char const *": "str", "char *": "str", "int64_t": "int", "int": "int", "size_t": "int",
            "unsigned int": "int", "unsigned long": "int",
            "unsigned long long": "int", "uint64_t": "int", "uint32_t": "int", "uint8_t": "int", "long": "int", "long long": "int",
            "double": "float", "float": "float", "bool": "bool", "fu_swig_blob": "bytes",
            "fu_swig_text": "str or bytes",
            "fu_swig_blob_in": "bytes, bytearray, memoryview or a uint8 array",  # (bytes, nbytes) typemaps
            "fu_swig_blob_in_text": "bytes (binary data, e.g. Kpi.partial()'s; a file of it is read with "
                                    "open(path, 'rb')), bytearray, memoryview or a uint8 array"}
_STRUCTS = {"fu_segment_bgnbd": "BgNbd", "fu_segment_pareto": "ParetoNbd", "fu_segment_gammagamma": "GammaGamma",
            "fu_segment_summary": "Summary", "fu_segment_book_summary": "BookSummary",
            "fu_segment_rules": "SegmentRules", "fu_besttime": "BestTime", "fu_kpi": "Kpi", "fu_book": "Book",
            "fu_policy": "Policy", "fu_calendar": "Calendar", "fu_ledger": "Ledger", "fu_planner": "Planner",
            "fu_redactor": "Redactor", "fu_plan": "Plan"}


def _python_type(c_type: str) -> str:
    t = c_type.replace("const", "").replace("struct", "").replace("*", "").split()
    base = " ".join(t)
    if c_type.strip() in _C_TYPES:
        return _C_TYPES[c_type.strip()]
    if base in _C_TYPES:
        return _C_TYPES[base]
    if base in _STRUCTS:
        return "followup." + _STRUCTS[base]
    if base.startswith("fu_swig_") or base.startswith("fu_"):
        name = base[len("fu_swig_"):] if base.startswith("fu_swig_") else base[3:]
        return "followup." + "".join(p.capitalize() for p in name.split("_"))
    return "a value of another type"


_SWIG_WRAPPER = _re.compile(r"\b(new_)?[A-Z][A-Za-z]*(?:_[a-z][a-z0-9_]*)?\(\)")
_SWIG_COUNT = _re.compile(r"\b(new_)?[A-Z][A-Za-z]*(?:_[a-z][a-z0-9_]*)? expected (at least |at most )?(\d+) "
                          r"arguments?, got (\d+)")
_SWIG_POS = _re.compile(r"\(pos (\d+)\)")
_NULL_WORDS = _re.compile(r"NULL|None|required")  # (NULL reads None in messages)


def _translate(fn, qualname: str, is_method: bool):
    @_functools.wraps(fn)
    def call(*args, **kwargs):
        if kwargs and call.__followup_from__:
            kwargs = _window_start(qualname, call.__followup_from__, kwargs)
        times = call.__followup_times__
        if times:
            args, kwargs = _convert_times(times, args, kwargs)
        try:
            return fn(*args, **kwargs)
        except _ext.InvalidArgumentError as e:
            # None where C takes no NULL: say which argument, in Python words
            # (the C message names the C function or says NULL)
            if _NULL_WORDS.search(str(e)):
                for pos, (name, want) in call.__followup_handles__.items():
                    if (args[pos] if pos < len(args) else kwargs.get(name, 0)) is None:
                        shown = pos if is_method else pos + 1
                        want = want if want == "str" else "followup." + want
                        raise TypeError(f"{qualname}(): argument {shown} ({name}) must be {want}, "
                                        "not None") from None
            raise
        except UnicodeEncodeError:  # a (text, len) argument: name it
            _raise_not_utf8(call, qualname, is_method, args, kwargs)
            raise
        except (TypeError, OverflowError) as e:
            msg = str(e)
            m = _SWIG_ARG.search(msg)
            if m and _python_type(m.group(3)) == "str":  # "must be str, not str": a lone surrogate
                _raise_not_utf8(call, qualname, is_method, args, kwargs)
            if m:
                k = int(m.group(2))
                # constructors (new_X) take no self: their argument k is args[k]
                at = k if m.group(1).startswith("new_") else k - 1
                shown = k if m.group(1).startswith("new_") else (k - 1 if is_method else k)
                pname = _param_name(call, shown - 1)
                value = args[at] if at < len(args) else kwargs.get(pname) if pname else None
                got = type(value).__name__
                want = _python_type(m.group(3))
                arg = f"argument {shown}" + (f" ({pname})" if pname else "")
                unsigned = any(u in m.group(3) for u in ("unsigned", "size_t", "uint"))
                if unsigned and isinstance(value, int) and value < 0:  # C would read -3 as 4294967293
                    raise OverflowError(f"{qualname}(): {arg} must be an int >= 0, not {value}") from None
                if isinstance(e, OverflowError):
                    raise OverflowError(f"{qualname}(): {arg} is out of range for {want}") from None
                text = f"{qualname}(): {arg} must be {want}, not {got}"
                raise type(e)(text) from None
            c = _SWIG_COUNT.search(msg)
            if c:  # "Kpi_set_segment expected 3 arguments, got 2": SWIG counts self
                d = 0 if c.group(1) or not is_method else 1
                n, g = int(c.group(3)) - d, int(c.group(4)) - d
                raise TypeError(f"{qualname}() takes {c.group(2) or ''}{n} argument{'' if n == 1 else 's'}, "
                                f"{g} given") from None
            w = _SWIG_WRAPPER.search(msg)
            if w:  # "Book_add_customer() missing required argument 'tz' (pos 3)": SWIG counts self
                ctor = bool(w.group(1))
                msg = _SWIG_WRAPPER.sub(f"{qualname}()", msg)
                msg = _SWIG_POS.sub(lambda p: f"(argument {int(p.group(1)) - (0 if ctor or not is_method else 1)})",
                                    msg)
                raise type(e)(msg) from None
            if "Wrong number or type of arguments" in msg or "Possible C/C++ prototypes" in msg:
                raise TypeError(f"{qualname}(): wrong number or type of arguments "
                                f"(see help(followup.{qualname}))") from None
            raise
    call.__followup_translated__ = True
    call.__followup_times__ = {}
    call.__followup_from__ = None  # the C name of a window start (from_ or _from): both are taken
    call.__followup_handles__ = {}  # position -> (name, class) of required handle arguments
    return call


def _window_start(qualname: str, real: str, kwargs: dict) -> dict:
    """kwargs with the start of a time window under the wrapped call's own
    name ``real``: ``from_`` is the documented keyword everywhere, ``_from``
    (the name SWIG gave some calls before) is still taken."""
    alt = "_from" if real == "from_" else "from_"
    if alt in kwargs:
        if real in kwargs:
            raise TypeError(f"{qualname}(): from_ given twice (as from_ and _from)")
        kwargs = dict(kwargs)
        kwargs[real] = kwargs.pop(alt)
    return kwargs


def _raise_not_utf8(call, qualname: str, is_method: bool, args, kwargs) -> None:
    """Raise UnicodeEncodeError naming the first str argument that UTF-8
    cannot encode (a lone surrogate such as "\\ud800"); return if none."""
    named = [(i if is_method else i + 1, None, v) for i, v in enumerate(args)] + \
            [(None, k, v) for k, v in kwargs.items()]
    for shown, name, value in named:
        if not isinstance(value, str) or (is_method and shown == 0):
            continue
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as u:
            name = name or _param_name(call, shown - 1)
            arg = (f"argument {shown}" + (f" ({name})" if name else "")) if shown else f"argument {name}"
            raise UnicodeEncodeError("utf-8", value, u.start, u.end,
                                     f"{qualname}(): {arg} is not encodable as UTF-8 "
                                     "(a lone surrogate; text must be valid Unicode)") from None


_TIME_NAMES = {"t", "now", "at", "callback_at", "from_", "to", "as_of", "created_at", "deadline", "due_to", "due_from", "closed_at",
               "first_purchase_at", "calibration_end", "until", "_from"}


def naive_time_message(value) -> str:
    """The error for a naive datetime / Timestamp given as a time (review s12
    U12: read as UTC, datetime.now() on a Beijing host let a 01:00 call
    through as 09:00). Starts with "a time" (_convert_times names the argument)."""
    return (f"a time must carry its zone: {value!s} is a naive {type(value).__name__} (no tzinfo) and the "
            "library never guesses one; give an aware one: datetime.now().astimezone() (this machine's zone), "
            "datetime(..., tzinfo=ZoneInfo('Asia/Shanghai')), pandas.Timestamp.now(tz='Asia/Shanghai') or "
            "ts.tz_localize('Asia/Shanghai'); tz_localize('UTC') if it holds UTC (numpy datetime64 values "
            "are read as UTC)")


def to_seconds(value):
    """UTC epoch seconds from a tz-aware datetime or pandas Timestamp, a
    numpy datetime64 (UTC), an ISO 8601 string with an offset, an int, or a
    float (time.time(): the sub-second part dropped toward negative
    infinity; NaN and infinities raise ValueError). A naive datetime or
    Timestamp raises ValueError (changed in session 12: it was read as UTC)."""
    import datetime as dt
    if isinstance(value, bool):
        raise TypeError(f"a time must be a datetime, ISO 8601 text or epoch seconds, not the bool {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, float) or (type(value).__name__.startswith("float") and getattr(value, "ndim", 1) == 0):
        # time.time(), numpy floats: the second the instant falls in (floor,
        # as for datetimes: -0.5 is -1); NaN and infinities are no instant
        f = float(value)
        if not _math.isfinite(f):
            raise ValueError(f"a time in epoch seconds must be finite, not {f!r}")
        return _math.floor(f)
    if isinstance(value, str):
        return _core.time_parse(value)
    if type(value).__name__ == "NaTType" or (type(value).__name__ == "datetime64" and value != value):
        raise ValueError("a time is required, not NaT (a missing time)")
    if isinstance(value, dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(naive_time_message(value))
        return int(value.timestamp() // 1)
    if isinstance(value, dt.date):
        return int(dt.datetime(value.year, value.month, value.day, tzinfo=dt.timezone.utc).timestamp())
    if type(value).__name__ == "datetime64":
        return int(value.astype("datetime64[s]").astype("int64"))
    if hasattr(value, "__int__") and not isinstance(value, float):
        return int(value)
    return value


def _convert_times(times, args, kwargs):
    args = list(args)
    try:
        for pos, name in times.items():
            if pos < len(args):
                args[pos] = to_seconds(args[pos])
            elif name in kwargs:
                kwargs[name] = to_seconds(kwargs[name])
    except (ValueError, TypeError) as e:
        if "epoch seconds must be finite" not in str(e) and not str(e).startswith("a time"):
            raise
        raise type(e)(f"{name}: {e}") from None
    return tuple(args), kwargs


def install_type_errors(namespace: dict) -> None:
    """Wrap the SWIG functions in ``namespace`` and the methods of the SWIG
    classes so that a TypeError names Python types, not C ones."""
    for name, obj in list(namespace.items()):
        if name.startswith("_"):
            continue
        if isinstance(obj, type) and getattr(obj, "__module__", "") == _core.__name__:
            for attr, fn in list(vars(obj).items()):
                if (attr == "__init__" or not attr.startswith("_")) and callable(fn) \
                        and not isinstance(fn, (property, type)) and not getattr(fn, "__followup_translated__", 0):
                    w = _translate(fn, f"{name}.{attr}" if attr != "__init__" else name, True)
                    # help() and repr() title: Guard.check, not SWIG's Guard_check in followup._core
                    w.__name__, w.__qualname__, w.__module__ = attr, f"{name}.{attr}", obj.__module__
                    setattr(obj, attr, w)
        elif callable(obj) and getattr(obj, "__module__", None) in (_core.__name__, "followup._core") \
                and not isinstance(obj, type):
            namespace[name] = _translate(obj, name, False)
            namespace[name].__name__ = namespace[name].__qualname__ = name


# ---- signatures and docstrings with Python types ----
import inspect as _inspect  # noqa: E402
import math as _math  # noqa: E402

_HEAD = _re.compile(r"^\s*(\w+)\((.*)\)\s*(?:->\s*(.+?))?\s*$")  # void functions: no "->"
_ARRAY_TYPES = {"double const *": "Sequence[float]", "void const *": "Sequence[int]", "PyObject *": "Any",
                "fu_swig_dvec const *": "Sequence[float]"}


_CHAR_ARRAY = _re.compile(r"^(?:a\(\d+\)\.(?:q\(const\)\.)?char|(?:const )?char(?: const)? ?\[\w*\])$")


def _py_type(c_type: str) -> str:
    c = " ".join(c_type.split())
    if _CHAR_ARRAY.match(c):  # a char[N] member ("a(192).char", "char [192]"): SWIG gives a str
        return "str"
    if c in _ARRAY_TYPES:
        return _ARRAY_TYPES[c]
    t = _python_type(c)
    if t.startswith("a value"):
        return c.replace("const", "").replace("*", "").strip() or "object"
    return t.replace("followup.", "")


def _default(text: str):
    t = text.strip()
    if t in ("NAN", "nan"):
        return _math.nan
    if t == "None":
        return None
    if len(t) >= 2 and t[0] == t[-1] == '"':
        return t[1:-1]
    if t in ("True", "true"):
        return True
    if t in ("False", "false"):
        return False
    try:
        return int(t)
    except ValueError:
        pass
    try:
        return float(t)
    except ValueError:
        pass
    shift = _C_SHIFT.match(t)
    if shift and type(getattr(_core, shift.group(2), None)) is int:  # "1u << FU_TOUCHPOINT_PLANNED": a bit mask
        return _NamedInt(int(shift.group(1)) << getattr(_core, shift.group(2)), f"1 << {shift.group(2)}"
                         if shift.group(1) == "1" else f"{shift.group(1)} << {shift.group(2)}")
    name = t[3:] if t.startswith("FU_") else t
    v = getattr(_core, name, t)
    if name in _NO_TIME_NAMES and type(v) is int:  # "no time": shown by name, not as -9223372036854775808
        return _NamedInt(v, name)
    return v


class _NamedInt(int):
    """An int default shown by its constant's name in signatures and help()
    (``as_of = KPI_NO_TIME``); otherwise the int."""

    def __new__(cls, value: int, name: str):
        self = super().__new__(cls, value)
        self._name = name
        return self

    def __repr__(self) -> str:
        return self._name


_NO_TIME_NAMES = ("BOOK_NO_TIME", "COMMIT_NO_TIME", "KPI_NO_TIME", "BESTTIME_NONE", "BESTTIME_NEVER",
                  "SEGMENT_RUN_LAST_EVENT")
_C_SHIFT = _re.compile(r"^(\d+)[uU]?L?L?\s*<<\s*(?:FU_)?([A-Z_][A-Z0-9_]*)$")


def _split_params(text: str):
    out, depth, cur = [], 0, ""
    for ch in text:
        if ch == "," and depth == 0:
            out.append(cur)
            cur = ""
            continue
        depth += ch in "([" or -(ch in ")]")
        cur += ch
    if cur.strip():
        out.append(cur)
    return out


# Parameters of the (bytes, nbytes) typemaps (frequency.i %applies them to its
# `segments`; BestTime's `segments` is a sequence of integers, uint32_t *).
_BLOB_PARAMS = ("bytes", "segments")


def _signature_and_doc(fn):
    doc = fn.__doc__ or ""
    lines = [line for line in doc.strip().splitlines()]
    if not lines:
        return None, None
    m = _HEAD.match(lines[0])
    if not m:
        return None, None
    params, seen_default = [], False
    for p in _split_params(m.group(2)):
        decl, _, dflt = p.partition("=")
        words = decl.split()
        if not words:
            continue
        name, ctype = words[-1], " ".join(words[:-1])
        if not name.isidentifier():
            return None, None
        kw = {"annotation": _py_type(ctype) if name != "self" else _inspect.Parameter.empty}
        if name in _BLOB_PARAMS and "char" in ctype:  # (bytes, nbytes) typemaps: any buffer of 1-byte items
            kw["annotation"] = "bytes | bytearray | memoryview | numpy.ndarray"
        if dflt:
            kw["default"] = _default(dflt)
            seen_default = True
        elif seen_default:
            return None, None
        params.append(_inspect.Parameter(name, _inspect.Parameter.POSITIONAL_OR_KEYWORD, **kw))
    ret = " ".join((m.group(3) or "void").split())
    ret_ann = _inspect.Signature.empty if ret == "int" else None if ret == "void" else _py_type(ret)
    sig = _inspect.Signature(params, return_annotation=ret_ann)
    # the description (SWIG's Parameters block lists C types: dropped)
    rest = []
    for line in lines[1:]:
        if line.strip() == "Parameters":
            break
        rest.append(line)
    text = f"{m.group(1)}{sig}".replace("'", "")
    body = "\n".join(rest).strip()
    return sig, text + ("\n\n" + body if body else "")


TIME_ANNOTATION = "datetime | str | int"
_HANDLE_NAMES = set(_STRUCTS.values()) | {"Touchpoint", "Customer", "Extractor", "Extraction", "CommitmentList",
                                           "FrequencyData", "FrequencyModel", "Windows", "Guard", "ContactLog"}


def sig_name(doc: str) -> str:
    return doc.split("(", 1)[0]


def doc_body(doc: str) -> str:
    head, _, body = doc.partition("\n\n")
    return "\n\n" + body if body else ""


def install_signatures(namespace: dict) -> None:
    """Give the wrapped SWIG functions and methods a __signature__ and a
    docstring with Python types (from SWIG's autodoc text)."""
    def fix(obj):
        target = getattr(obj, "__wrapped__", None)
        if target is None:
            return
        try:
            sig, doc = _signature_and_doc(target)
        except (ValueError, TypeError):
            return
        if sig is not None:
            obj.__signature__ = sig
            obj.__doc__ = doc
            # positions as called (methods and __init__ list self first, as they are called)
            params = list(sig.parameters.values())
            obj.__followup_times__ = {i: p.name for i, p in enumerate(params)
                                      if p.name in _TIME_NAMES and p.annotation == "int"}
            obj.__followup_handles__ = {i: (p.name, p.annotation) for i, p in enumerate(params)
                                        if p.default is p.empty and (p.annotation in _HANDLE_NAMES
                                                                     or p.annotation == "str")}
            if obj.__followup_times__:  # what a time argument takes (see to_seconds)
                obj.__signature__ = sig.replace(parameters=[
                    p.replace(annotation=TIME_ANNOTATION) if i in obj.__followup_times__ else p
                    for i, p in enumerate(params)])
                obj.__doc__ = f"{sig_name(doc)}{obj.__signature__}".replace("'", "") + doc_body(doc)
            real = next((n for n in ("from_", "_from") if n in sig.parameters), None)
            if real:  # one keyword for a window's start everywhere: from_ (_from still taken)
                obj.__followup_from__ = real
                shown = obj.__signature__
                obj.__signature__ = shown.replace(parameters=[
                    p.replace(name="from_") if p.name == "_from" else p for p in shown.parameters.values()])
                obj.__doc__ = obj.__doc__.replace("_from", "from_")
    for name, obj in list(namespace.items()):
        if name.startswith("_"):
            continue
        if isinstance(obj, type) and getattr(obj, "__module__", "") == _core.__name__:
            for attr, fn in list(vars(obj).items()):
                if getattr(fn, "__followup_translated__", 0):
                    fix(fn)
        elif getattr(obj, "__followup_translated__", 0):
            fix(obj)


# ---- class and attribute docs in Python words ----
_PROXY = _re.compile(r"Proxy of C \w+ struct\.?")
_ATTR_DOC = _re.compile(r"^\s*(\w+)\s*:\s*(.+?)\s*$")


def install_class_docs(namespace: dict) -> None:
    """SWIG's class docs say "Proxy of C fu_x struct." and its attribute docs
    "name : int64_t": rewrite both in Python words (help() shows them)."""
    for name, cls in list(namespace.items()):
        if name.startswith("_") or not isinstance(cls, type) or getattr(cls, "__module__", "") != _core.__name__:
            continue
        doc = cls.__doc__ or ""
        if _PROXY.search(doc):
            try:
                cls.__doc__ = _PROXY.sub(f"A libfollowup {name} (see help() of its methods and docs/python.md).", doc)
            except (AttributeError, TypeError):
                pass
        for attr, v in list(vars(cls).items()):
            if not isinstance(v, property):
                continue
            m = _ATTR_DOC.match(v.__doc__ or "")
            if not m:
                continue
            c = m.group(2)
            t = "str" if c in ("p.char", "p.q(const).char") else _py_type(c[2:] if c.startswith("p.") else c)
            if attr.endswith("_epoch"):
                t = "int (UTC epoch seconds)"
            setattr(cls, attr, property(v.fget, v.fset, v.fdel, f"{attr} : {t}"))


def install_exception_signatures(namespace: dict, names) -> None:
    """inspect.signature() of the exception and warning classes: the message
    (and any further arguments, kept in ``args``)."""
    P = _inspect.Parameter
    sig = _inspect.Signature([P("message", P.POSITIONAL_OR_KEYWORD, default="", annotation="str"),
                              P("args", P.VAR_POSITIONAL, annotation="Any")])
    for name in names:
        cls = namespace.get(name)
        if isinstance(cls, type) and issubclass(cls, (BaseException, Warning)):
            try:
                _inspect.signature(cls)
            except (TypeError, ValueError):
                cls.__signature__ = sig


# Results the SWIG description cannot give (C returns a status code and the
# value through an out parameter, or void with out parameters).
_RETURNS = {"beta_cdf": "float", "beta_quantile": "float", "bgnbd_expected_new": "float",
            "pareto_expected_new": "float", "channel_from_string": "int", "event_kind_from_string": "int",
            "kpi_from_string": "int", "outcome_from_string": "int", "severity_from_string": "int",
            "survey_from_string": "int", "tristate_from_string": "int", "date_weekday": "int",
            "duration_format": "str", "kpi_normal_quantile": "float", "kpi_t_quantile": "float",
            "kpi_wilson": "list[float]", "besttime_load": "None", "besttime_save": "None"}


# Methods whose C helper is void with out parameters (SWIG's text says void):
# what they return in Python.
_METHOD_RETURNS = {"BestTime.best": "list[BestTimeSlot]", "BestTime.best_day": "list[BestTimeSlot]",
                   "BestTime.customer_matrix": "numpy.ndarray", "BestTime.segment_matrix": "numpy.ndarray",
                   "BestTime.may_contact": "tuple[bool, str, int]", "BestTime.prior": "tuple[float, float]",
                   "Policy.get_number": "float", "Policy.get_bool": "int", "Policy.get_length": "int",
                   "Policy.summary": "str", "SegmentRun.csv": "str",
                   "Planner.unknown_classes": "tuple[int, Optional[str]]",
                   "Planner.short_agents": "tuple[int, Optional[str], int, int]",
                   "CommitmentList.state": "CommitState", "CommitmentList.event_kind": "CommitEvent"}


def _annotate_return(fn, name: str, ret: str) -> None:
    """Give a translated callable `ret` as its return annotation, in its
    signature and the first line of its help."""
    if fn is None or not getattr(fn, "__followup_translated__", 0):
        return
    try:
        sig = _inspect.signature(fn)
    except (TypeError, ValueError):
        return
    fn.__signature__ = sig.replace(return_annotation=ret)
    fn.__doc__ = f"{name}{fn.__signature__}".replace("'", "") + doc_body(fn.__doc__ or "")


def install_method_return_types() -> None:
    for qual, ret in _METHOD_RETURNS.items():
        cls_name, name = qual.split(".")
        _annotate_return(vars(getattr(_core, cls_name, object)).get(name), name, ret)


def install_return_types(namespace: dict) -> None:
    install_method_return_types()
    for name, ret in _RETURNS.items():
        _annotate_return(namespace.get(name), name, ret)


# ---- per-call fast paths (bindings/python/followup.i, "_fast_method") ----
# The hot per-note methods run their common call straight in C; any other
# call (keywords, other argument types, an error) goes to the wrapper above,
# kept as the fallback, so results and messages stay the same.
_FAST_METHODS = (("Redactor", "apply", 0), ("Extractor", "run", 1), ("Extraction", "promise_count", 2),
                 ("Extraction", "risk_count", 3))


def install_fast_methods() -> None:
    fast = getattr(_ext, "_fast_method", None)
    if fast is None:
        return
    for cls_name, name, which in _FAST_METHODS:
        cls = getattr(_core, cls_name, None)
        fn = vars(cls).get(name) if cls is not None else None
        if fn is not None and getattr(fn, "__followup_translated__", 0):
            fast(cls, name, which)

# ---- C function names out of error messages ----
# The C library's messages name its functions ("the book is not finalized
# (call fu_book_finalize)", "fu_besttime_best: NULL argument"). Every
# followup.Error shows them under their Python names instead ("call
# Book.finalize()", "BestTime.best(): None argument"): the class of a handle
# from the prefix (fu_book_ -> Book), the method if the class has it, a
# package-level function otherwise; a few names the pattern cannot find are in
# _C_NAMES. The message attribute and str() of the exception both say it.
_C_CLASSES = {"book": "Book", "planner": "Planner", "plan": "Plan", "kpi": "Kpi", "besttime": "BestTime",
              "calendar": "Calendar", "ledger": "Ledger", "policy": "Policy", "redactor": "Redactor",
              "guard": "Guard", "windows": "Windows", "extractor": "Extractor", "frequency_model": "FrequencyModel",
              "segment_run": "SegmentRun", "commitment_list": "CommitmentList", "contact_log": "ContactLog"}
_C_NAMES = {"fu_kpi_partial_write": "Kpi.partial()", "fu_kpi_merge_partial": "Kpi.merge()",
            "fu_segment_book_summarize": "followup.segment_book()", "fu_segment_run_new": "followup.segment_run()",
            "fu_stats_beta_quantile": "followup.beta_quantile()", "fu_error_last": "followup.Error",
            "fu_calendar_add_working_days_bulk": "Calendar.add_working_days_bulk()",
            "fu_calendar_add_business_bulk": "Calendar.add_business_bulk()",
            "fu_calendar_hour_of_week_bulk": "Calendar.hour_of_week_bulk()",
            "fu_plan_apply_capacity": "followup.apply_capacity()",
            "fu_plan_capacity_items": "followup.capacity_items()",
            "fu_kpi_write_html_to_string": "Kpi.to_html()", "fu_extract_options": "Extractor()"}
_C_FUNCTION = _re.compile(r"\bfu_([a-z][a-z0-9_]*)(\(\))?")
_C_NULL = _re.compile(r"\bNULL\b")


def _python_name(c_name: str) -> str | None:
    """The Python spelling of the C function fu_<rest>, or None."""
    if c_name in _C_NAMES:
        return _C_NAMES[c_name]
    rest = c_name[3:]
    for prefix in sorted(_C_CLASSES, key=len, reverse=True):
        if rest.startswith(prefix + "_") or rest == prefix:
            cls, method = _C_CLASSES[prefix], rest[len(prefix) + 1:]
            klass = getattr(_core, cls, None)
            if klass is None:
                continue
            if method in ("new", "open", "", "options"):  # fu_kpi_options: the constructor's options
                return f"{cls}()"
            if method == "free":
                return f"{cls} (freed)"
            if hasattr(klass, method):
                return f"{cls}.{method}()"
    if callable(getattr(_core, rest, None)) and not rest.startswith("_"):
        return f"followup.{rest}()"
    return None


# SWIG's wrapper names in messages of the binding's own checks
# ("Redactor_apply: argument 2 contains a NUL", "new_Book: argument 1"):
# Class_method counts self as argument 1, new_Class does not.
_SWIG_NAME = _re.compile(r"\b(new_)?([A-Z][A-Za-z]*)(?:_([a-z][a-z0-9_]*))?(?:\(\))?(?=:)(?:: argument (\d+))?")


def _param_name(fn, index: int):
    """The name of the Python parameter ``index`` (self excluded) of ``fn``, or None."""
    try:
        params = [p for p in _inspect.signature(fn).parameters if p != "self"]
    except (TypeError, ValueError):
        return None
    return params[index] if 0 <= index < len(params) else None


def _swig_name(m) -> str:
    new, cls, method, num = m.group(1), m.group(2), m.group(3), m.group(4)
    klass = getattr(_core, cls, None)
    if not isinstance(klass, type) or (new and method) or (not new and not method):
        return m.group(0)
    fn = klass.__init__ if new else getattr(klass, method, None)
    if fn is None:
        return m.group(0)
    where = f"{cls}()" if new else f"{cls}.{method}()"
    if num is None:
        return where
    k = int(num) - (0 if new else 1)  # 1-based among the Python arguments
    pname = _param_name(fn, k - 1)
    return f"{where}: argument {k}" + (f" ({pname})" if pname else "")


def pythonize_message(text: str) -> str:
    """``text`` with the C function names (fu_book_finalize, fu_besttime_best()
    ...) and SWIG's wrapper names (Redactor_apply, argument numbers counting
    self) as the Python methods or functions that call them, NULL as None."""
    if not isinstance(text, str):
        return text
    if "options." in text:  # C option fields the Python face sets as keyword arguments
        text = text.replace("set options.as_of", "give Kpi(..., as_of=...)")
    if "_" in text and ":" in text:
        text = _SWIG_NAME.sub(_swig_name, text)
    if "fu_" not in text and "NULL" not in text:
        return text

    def name(m):
        py = _python_name("fu_" + m.group(1))
        return m.group(0) if py is None else py
    return _C_NULL.sub("None", _C_FUNCTION.sub(name, text))


def install_error_messages() -> None:
    """Error.message and str(error) in Python names (see pythonize_message)."""
    err = _ext.Error
    if getattr(err, "__followup_pythonized__", False):
        return

    def get(self) -> str:
        if "_message" in self.__dict__:
            return self.__dict__["_message"]
        return pythonize_message(str(self.args[0])) if self.args else ""

    def put(self, value) -> None:
        self.__dict__["_message"] = pythonize_message(value)

    def text(self) -> str:
        return pythonize_message(Exception.__str__(self))
    err.message = property(get, put, None, "The message, in Python names (str).")
    err.__str__ = text
    err.__followup_pythonized__ = True


# ---- Planner.plan_customer(customer): a book index or a customer id ----
def install_customer_ids() -> None:
    """plan_customer takes a customer id (str) as well as a book index, as
    feed takes an id (the id is looked up in the planner's book)."""
    cls = _core.Planner
    raw = vars(cls).get("plan_customer")
    if raw is None or getattr(raw, "__followup_ids__", False):
        return

    @_functools.wraps(raw)
    def plan_customer(self, customer, *args, **kwargs):
        if isinstance(customer, str):
            try:
                customer = self._parents[1].find_customer(customer)
            except _ext.NotFoundError as e:
                raise _arg_error(_ext.NotFoundError, f"Planner.plan_customer(): argument 1 (customer): "
                                 f"{getattr(e, 'message', e)}") from None
        return raw(self, customer, *args, **kwargs)
    try:
        sig = _inspect.signature(raw)
        params = list(sig.parameters.values())
        params[1] = params[1].replace(annotation="int | str")
        plan_customer.__signature__ = sig.replace(parameters=params)
        plan_customer.__doc__ = f"plan_customer{plan_customer.__signature__}".replace("'", "") + \
            "\n\nPlan one customer (a book index or a customer id), without capacity." + doc_body(raw.__doc__ or "")
    except (TypeError, ValueError):
        pass
    plan_customer.__followup_ids__ = True
    plan_customer.__name__, plan_customer.__qualname__ = "plan_customer", "Planner.plan_customer"
    cls.plan_customer = plan_customer
    _install_besttime_ids()


# BestTime.best / may_contact take a customer id as well as a book index (as
# Planner.plan_customer does) and a channel name as well as the constant or
# member (as the guard does): one value of a plan's touchpoint fits both
# (review s12 U2). The model does not keep its book: the constructor notes it.
def _install_besttime_ids() -> None:
    cls = getattr(_core, "BestTime", None)
    if cls is None or getattr(vars(cls).get("best"), "__followup_ids__", False):
        return
    raw_init = vars(cls)["__init__"]

    @_functools.wraps(raw_init)
    def __init__(self, *args, **kwargs):
        raw_init(self, *args, **kwargs)
        self._book = args[1] if len(args) > 1 else kwargs.get("book")
    cls.__init__ = __init__

    def convert(self, qualname: str, args, kwargs, channel_pos: int):
        args = list(args)
        customer = args[0] if args else kwargs.get("customer")
        if isinstance(customer, str):
            book = getattr(self, "_book", None)
            try:
                index = book.find_customer(customer)
            except _ext.NotFoundError as e:
                raise _arg_error(_ext.NotFoundError, f"{qualname}(): argument 1 (customer): "
                                 f"{getattr(e, 'message', e)}") from None
            if args:
                args[0] = index
            else:
                kwargs["customer"] = index
        channel = args[channel_pos] if channel_pos < len(args) else kwargs.get("channel")
        if isinstance(channel, str):
            try:
                channel = int(_core.channel_from_string(channel.strip().lower()))
            except _ext.Error as e:
                raise _arg_error(_ext.InvalidArgumentError, f"{qualname}(): argument channel: "
                                 f"{getattr(e, 'message', e)}") from None
            if channel_pos < len(args):
                args[channel_pos] = channel
            else:
                kwargs["channel"] = channel
        return args, kwargs

    for meth, channel_pos in (("best", 3), ("may_contact", 2)):
        raw = vars(cls).get(meth)
        if raw is None:
            continue

        def make(raw=raw, meth=meth, channel_pos=channel_pos):
            @_functools.wraps(raw)
            def call(self, *args, **kwargs):
                args, kwargs = convert(self, f"BestTime.{meth}", args, kwargs, channel_pos)
                return raw(self, *args, **kwargs)
            call.__followup_ids__ = True
            call.__name__, call.__qualname__ = meth, f"BestTime.{meth}"
            try:
                sig = _inspect.signature(raw)
                params = [p.replace(annotation="int | str") if p.name in ("customer", "channel") else p
                          for p in sig.parameters.values()]
                call.__signature__ = sig.replace(parameters=params)
                call.__doc__ = f"{meth}{call.__signature__}".replace("'", "") + doc_body(raw.__doc__ or "") + \
                    "\n\ncustomer: a book index or a customer id; channel: a name, constant or Channel member."
            except (TypeError, ValueError):
                pass
            return call
        setattr(cls, meth, make())


# ---- Guard: one order check for the three calls ----
# Guard.check takes (customer_id, channel, at), Guard.record and
# Guard.check_and_record take (customer_id, at, channel) (the C ABI and the
# SWIG layer keep them). Keyword arguments work for all three; a positional
# call in the other method's order (a time where the channel goes, a channel
# name where the time goes) is a TypeError saying so, before any C call.
_CHANNEL_NAMES = frozenset(("phone", "sms", "email", "chat", "video", "visit"))


def _looks_like_time(v) -> bool:
    import datetime as dt
    if isinstance(v, bool):
        return False
    if isinstance(v, (int, float, dt.datetime, dt.date)) or type(v).__name__ in ("datetime64", "Timestamp"):
        return True
    if type(v).__name__.startswith(("int", "float")) and getattr(v, "ndim", 1) == 0:  # numpy scalars
        return True
    return isinstance(v, str) and len(v) >= 10 and v[:4].isdigit() and v[4:5] == "-"


def _looks_like_channel(v) -> bool:
    return isinstance(v, str) and v.strip().lower() in _CHANNEL_NAMES or type(v).__name__ == "Channel"


# The enum arguments the guard and the contact log take as text (channel,
# outcome, priority) also take the enum members a plan hands out
# (tp.channel, tp.priority: Channel / Priority members) and the flat
# constants (CHANNEL_PHONE, PRIORITY_URGENT, OUTCOME_ANSWERED): passed on as
# their names (review s12 U2). Positions after self.
_GUARD_ENUMS = {"check": {"channel": 1, "priority": 3},
                "record": {"channel": 2, "outcome": 3, "priority": 4},
                "check_and_record": {"channel": 2, "outcome": 3, "priority": 4},
                "append": {"channel": 2, "outcome": 3, "priority": 4}}


def _guard_enum_text(qualname: str, name: str, value):
    if isinstance(value, str) or value is None or isinstance(value, bool) or not isinstance(value, int):
        return value  # names as they are (C reads them); None: the default; other types: the type error
    from . import enums
    cls = {"channel": enums.Channel, "outcome": enums.Outcome, "priority": enums.Priority}[name]
    member = cls.of(int(value))
    if not isinstance(member, cls):
        raise _arg_error(_ext.InvalidArgumentError, f"{qualname}(): argument {name}: {int(value)} is no "
                         f"{cls.__name__} (expected a name: {', '.join(str(m) for m in cls)}, a "
                         f"followup.{cls.__name__} member or its constant)")
    return str(member)


def _guard_enums(qualname: str, positions: dict, args, kwargs):
    return _map_arguments(qualname, positions, args, kwargs, _guard_enum_text)


_GUARD_ENUM_TYPES = {"channel": "str | Channel", "outcome": "str | Outcome", "priority": "str | Priority"}


def _enum_annotations(call, raw) -> None:
    """The channel / outcome / priority parameters annotated with the members they take too."""
    try:
        sig = _inspect.signature(raw)
    except (TypeError, ValueError):
        return
    params = [p.replace(annotation=_GUARD_ENUM_TYPES[p.name]) if p.name in _GUARD_ENUM_TYPES else p
              for p in sig.parameters.values()]
    call.__signature__ = sig.replace(parameters=params)


def _guard_order(raw, name: str, channel_first: bool):
    @_functools.wraps(raw)
    def call(self, *args, **kwargs):
        if len(args) >= 3:
            second, third = args[1], args[2]
            time_pos, chan_pos = (3, 2) if channel_first else (2, 3)
            got_time, got_chan = (third, second) if channel_first else (second, third)
            if _looks_like_time(got_chan) and _looks_like_channel(got_time):
                order = "customer_id, channel, at" if channel_first else "customer_id, at, channel"
                other = "record / check_and_record take (customer_id, at, channel)" if channel_first \
                    else "check takes (customer_id, channel, at)"
                raise TypeError(f"Guard.{name}(): argument {chan_pos} (channel) is a time and argument "
                                f"{time_pos} (at) is the channel {got_time!r}: Guard.{name} takes ({order}); "
                                f"{other}. Keywords work for all three: "
                                f"{name}(customer_id, at=..., channel=...)")
        args, kwargs = _guard_enums(f"Guard.{name}", _GUARD_ENUMS[name], args, kwargs)
        return raw(self, *args, **kwargs)
    _enum_annotations(call, raw)
    call.__followup_guard_order__ = True
    call.__name__, call.__qualname__ = name, f"Guard.{name}"
    return call


def install_guard_order() -> None:
    cls = getattr(_core, "Guard", None)
    if cls is None:
        return
    for name, channel_first in (("check", True), ("record", False), ("check_and_record", False)):
        raw = vars(cls).get(name)
        if raw is None or getattr(raw, "__followup_guard_order__", False):
            continue
        setattr(cls, name, _guard_order(raw, name, channel_first))
    log = getattr(_core, "ContactLog", None)
    raw = vars(log).get("append") if log is not None else None
    if raw is not None and not getattr(raw, "__followup_guard_order__", False):
        @_functools.wraps(raw)
        def append(self, *args, **kwargs):
            args, kwargs = _guard_enums("ContactLog.append", _GUARD_ENUMS["append"], args, kwargs)
            return raw(self, *args, **kwargs)
        _enum_annotations(append, raw)
        append.__followup_guard_order__ = True
        append.__name__, append.__qualname__ = "append", "ContactLog.append"
        log.append = append


# ---- Event text fields: the text, not the book's string id ----
# fu_event stores order_id, product_class, agent_id and note as string ids of
# its book (fu_book_string()). Book.event(j) notes the book on the copy it
# returns, so these attributes read the text (None when absent); the ids stay
# reachable as <name>_sid (what the SWIG layer and Lua return).
_EVENT_TEXTS = ("order_id", "product_class", "agent_id", "note")


def _event_text_property(name: str, raw: property) -> property:
    def get(self):
        book = getattr(self, "_book", None)
        if book is None:
            raise _arg_error(_ext.StateError, f"Event.{name}: this Event is not from a Book (Book.event(j)), so "
                             f"its text cannot be read; the string id is Event.{name}_sid")
        return book.string(raw.fget(self))
    get.__annotations__["return"] = "Optional[str]"
    return property(get, doc=f"{name} : str or None (the text; None when absent; the book's string id is "
                             f"{name}_sid)")


def install_event_texts() -> None:
    ev, book = getattr(_core, "Event", None), getattr(_core, "Book", None)
    if ev is None or book is None or getattr(vars(book).get("event"), "__followup_event_book__", False):
        return
    for name in _EVENT_TEXTS:
        raw = vars(ev).get(name)
        if not isinstance(raw, property):
            continue
        setattr(ev, name + "_sid", property(raw.fget, doc=f"{name}_sid : int (the book's string id of {name}, "
                                                          "0 when absent; Book.string(id) is its text)"))
        setattr(ev, name, _event_text_property(name, raw))
    raw_event = vars(book)["event"]

    @_functools.wraps(raw_event)
    def event(self, *args, **kwargs):
        e = raw_event(self, *args, **kwargs)
        if e is not None:
            e._book = self  # the strings live as long as the book (never move)
        return e
    event.__followup_event_book__ = True
    book.event = event
    raw_string = vars(book)["string"]

    @_functools.wraps(raw_string)
    def string(self, id):
        if id is None or isinstance(id, str):  # Event.note is the text now: code of the id form keeps working
            return id
        return raw_string(self, id)
    book.string = string


# ---- keywords renamed (the old name taken for one release, with a DeprecationWarning) ----
def install_frequency_keywords(namespace: dict) -> None:
    """frequency_from_book(book, positive=None, segments=None, n_segments=1):
    every argument also by keyword (SWIG takes none with a (bytes, nbytes)
    typemap); ``bytes=``, the name until 0.2.0 (it shadowed the builtin),
    still taken until 0.3 with a DeprecationWarning at the caller's line."""
    raw = namespace.get("frequency_from_book")
    if raw is None or getattr(raw, "__followup_keywords__", False):
        return

    def frequency_from_book(book, positive=None, segments=None, n_segments=1, **deprecated):
        if deprecated:
            unknown = [k for k in deprecated if k != "bytes"]
            if unknown:
                raise TypeError(f"frequency_from_book() got an unexpected keyword argument {unknown[0]!r}")
            if segments is not None:
                raise TypeError("frequency_from_book(): segments given twice (as segments= and the deprecated "
                                "bytes=)")
            from .frames import _warn  # attributed to the user's line, as every warning of the package
            _warn("frequency_from_book(): the keyword bytes= is deprecated and will be removed in 0.3; use "
                  "segments=", DeprecationWarning)
            segments = deprecated["bytes"]
        return raw(book, positive, b"" if segments is None else segments, n_segments)  # b"": no segments

    frequency_from_book.__signature__ = _inspect.signature(raw)
    frequency_from_book.__doc__ = raw.__doc__
    frequency_from_book.__module__ = raw.__module__
    frequency_from_book.__followup_keywords__ = True
    namespace["frequency_from_book"] = frequency_from_book
