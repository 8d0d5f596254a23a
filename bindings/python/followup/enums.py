"""The library's enumerations as :class:`enum.IntEnum` classes.

Members compare equal to the flat integer constants (``Channel.PHONE ==
followup.CHANNEL_PHONE``), so they can be passed wherever the SWIG layer takes
an int, and to the library's name (``Channel.PHONE == "phone"``);
``str(member)`` and ``f"{member}"`` are that name, as in CSV files, and
``Channel.parse("phone")`` goes the other way. The enum-valued attributes of
the records (``Touchpoint.channel``, ``Event.kind``, ``Customer.consent_sms``
...) are members, so ``tp.channel == "phone"`` holds. A member hashes as its
int: as a dict key or set item it matches the int, not the name (use
``str(member)`` for name-keyed dicts).
"""
from __future__ import annotations

import enum
from typing import Callable, Optional

from . import core as _core

__all__ = ["Channel", "EventKind", "Severity", "Outcome", "Survey", "Tristate", "Priority",
           "TouchpointStatus", "Tier", "Lifecycle", "EventPriority", "CommitState", "CommitEvent"]


class _NamedEnum(enum.IntEnum):
    """An IntEnum whose str() is the library's name of the value."""

    @classmethod
    def _name_of(cls, value: int) -> Optional[str]:  # overridden per class
        return None

    def __str__(self) -> str:
        name = type(self)._name_of(int(self))
        return name if name else self.name.lower()

    def __format__(self, spec: str) -> str:
        """The name, as str(), with any string format spec (f"{ch:>8}")."""
        return format(str(self), spec)

    def __eq__(self, other) -> bool:
        if isinstance(other, str):
            return other == str(self)
        return int.__eq__(self, other)

    def __ne__(self, other) -> bool:
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    __hash__ = int.__hash__

    @classmethod
    def of(cls, value):
        """The member of ``value`` (an int), or ``value`` itself when it is no
        member (a value the library added after this binding)."""
        try:
            return cls._value2member_map_[value]
        except (KeyError, TypeError):
            return value

    @classmethod
    def parse(cls, text: str) -> "_NamedEnum":
        """The member named ``text`` (the library's name, e.g. ``"phone"``) or
        its Python name (``"PHONE"``); ValueError otherwise."""
        for m in cls:
            if str(m) == text or m.name == text.upper():
                return m
        raise ValueError(f"{text!r} is not a {cls.__name__} (expected one of {', '.join(str(m) for m in cls)})")


def _make(name: str, prefix: str, namer: Optional[Callable[[int], str]], skip=("COUNT",)) -> type:
    members = {k[len(prefix):]: getattr(_core, k) for k in dir(_core)
               if k.startswith(prefix) and k[len(prefix):] not in skip and isinstance(getattr(_core, k), int)}
    cls = _NamedEnum(name, sorted(members.items(), key=lambda kv: kv[1]), module=__name__)

    def _name_of(c, value, _n=namer):
        if _n is None:
            return None
        try:
            return _n(value)
        except Exception:
            return None
    cls._name_of = classmethod(_name_of)
    return cls


Channel = _make("Channel", "CHANNEL_", _core.channel_name)
EventKind = _make("EventKind", "EVENT_", _core.event_kind_name, skip=("KIND_COUNT",))
Severity = _make("Severity", "SEVERITY_", _core.severity_name)
Outcome = _make("Outcome", "OUTCOME_", _core.outcome_name)
Survey = _make("Survey", "SURVEY_", _core.survey_name)
Tristate = _make("Tristate", "TRI_", _core.tristate_name)
Priority = _make("Priority", "PRIORITY_", _core.priority_name, skip=("COUNT",))
TouchpointStatus = _make("TouchpointStatus", "TOUCHPOINT_", _core.touchpoint_status_name, skip=("COUNT",))
Tier = _make("Tier", "TIER_", _core.tier_name, skip=("COUNT",))
Lifecycle = _make("Lifecycle", "LIFECYCLE_", _core.lifecycle_name, skip=("COUNT",))
CommitState = _make("CommitState", "COMMIT_", _core.commit_state_name, skip=("NO_TIME",) + tuple(
    k[len("COMMIT_"):] for k in dir(_core) if k.startswith("COMMIT_EV_")))
CommitEvent = _make("CommitEvent", "COMMIT_EV_", _core.commit_event_name)


def _event_priority_name(value: int) -> str:
    return "none" if value == 0 else _core.priority_name(value - 1)


# An event's priority field (Event.priority, the `priority` argument of
# Book.add_event / EventBatch.add): the priority + 1, 0 when not given.
class _EventPriorityBase(_NamedEnum):
    """An event's priority field; a member also equals the Priority member
    (and so the flat PRIORITY_* constant) of the same name."""

    def __eq__(self, other) -> bool:
        if isinstance(other, Priority):
            return str(other) == str(self)
        return _NamedEnum.__eq__(self, other)

    def __ne__(self, other) -> bool:
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    __hash__ = int.__hash__


EventPriority = _EventPriorityBase("EventPriority", [("NONE", 0)] + [(m.name, int(m) + 1) for m in Priority],
                                   module=__name__)
EventPriority._name_of = classmethod(lambda c, value: _event_priority_name(value))
