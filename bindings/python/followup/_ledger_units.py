"""Ledger.add_promised(unit=...): the DURATION_* constants or their names.

After :func:`install`, ``unit`` takes ``followup.DURATION_WORKING_DAYS`` or
``"working_days"`` (``"seconds"``, ``"business_seconds"``, ``"working_days"``,
``"months"``, any case), as the other enum arguments take names; any other
value raises InvalidArgumentError naming the argument and the choices (the C
library would say that the unknown unit "needs a calendar").
"""
from __future__ import annotations

import functools
import inspect

from . import core as _core

_UNITS = ("seconds", "business_seconds", "working_days", "months")  # fu_duration_unit, in order
_UNIT_POS = 4  # customer_id, text, created_at, value, unit (after self)


def _unit(value):
    from ._arrays import _invalid
    choices = ", ".join(f"DURATION_{u.upper()} ({i})" for i, u in enumerate(_UNITS))
    if isinstance(value, str):
        key = value.strip().lower()
        if key.startswith("duration_"):
            key = key[len("duration_"):]
        if key in _UNITS:
            return _UNITS.index(key)
        raise _invalid(f"Ledger.add_promised(): argument unit: unknown unit {value!r} (expected "
                       f"{', '.join(_UNITS)} or {choices})")
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"Ledger.add_promised(): argument unit must be int or str, not {type(value).__name__}")
    if not 0 <= value < len(_UNITS):
        raise _invalid(f"Ledger.add_promised(): argument unit: {value} is not a duration unit (expected {choices}, "
                       f"or the names {', '.join(_UNITS)})")
    return int(value)


def install() -> None:
    ledger = getattr(_core, "Ledger", None)
    raw = vars(ledger).get("add_promised") if ledger is not None else None
    if raw is None or getattr(raw, "__followup_units__", False):
        return

    @functools.wraps(raw)
    def add_promised(self, *args, **kwargs):
        if len(args) > _UNIT_POS:
            args = args[:_UNIT_POS] + (_unit(args[_UNIT_POS]),) + args[_UNIT_POS + 1:]
        elif "unit" in kwargs:
            kwargs["unit"] = _unit(kwargs["unit"])
        return raw(self, *args, **kwargs)
    add_promised.__followup_units__ = True
    try:
        sig = inspect.signature(raw)
        add_promised.__signature__ = sig.replace(parameters=[
            p.replace(annotation="int | str") if p.name == "unit" else p for p in sig.parameters.values()])
    except (TypeError, ValueError):
        pass
    ledger.add_promised = add_promised
