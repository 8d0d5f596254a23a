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


def _time(t: int) -> str:
    if t is None or t == _core.BOOK_NO_TIME:
        return "-"
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
    return (f"<followup.Touchpoint {self.customer_id} {_core.touchpoint_status_name(self.status)} "
            f"{_core.channel_name(self.channel)} {_core.priority_name(self.priority)} at {_time(self.best_at)}: "
            f"{self.purpose}>")


def _customer_repr(self) -> str:
    return f"<followup.Customer {self.id} tz={self.tz}>"


def _model_repr(names):
    def r(self) -> str:
        return f"<followup.{type(self).__name__} " + " ".join(f"{k}={getattr(self, k):.6g}" for k in names) + ">"
    return r


def install() -> None:
    _core.Book.__len__ = lambda self: self.customer_count()
    _core.Book.__iter__ = _book_iter
    _core.Book.__repr__ = _book_repr
    _core.Plan.__len__ = lambda self: self.count(_core.TOUCHPOINT_PLANNED)
    _core.Plan.__iter__ = _plan_iter
    _core.Plan.__repr__ = _plan_repr
    _core.Touchpoint.__repr__ = _tp_repr
    _core.Customer.__repr__ = _customer_repr
    _core.BgNbd.__repr__ = _model_repr(("r", "alpha", "a", "b"))
    _core.ParetoNbd.__repr__ = _model_repr(("r", "alpha", "s", "beta"))
    _core.GammaGamma.__repr__ = _model_repr(("p", "q", "gamma"))
