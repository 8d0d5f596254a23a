"""libfollowup for Python: after-sales customer follow-up.

A thin layer over the SWIG module :mod:`followup.core`. Every failing call
raises a subclass of :class:`followup.Error` carrying ``code``, ``message``,
``source``, ``line``, ``column`` and ``path``.
"""
from __future__ import annotations

from . import core as _core
from ._core import (  # noqa: F401  (re-exported; created by the C module)
    Error,
    NoMemoryError,
    InvalidArgumentError,
    ParseError,
    PolicyError,
    NotFoundError,
    InputOutputError,
    RangeError,
    TimeZoneError,
    StateError,
    StorageError,
    ConvergenceError,
    LimitError,
    ExistsError,
)

__all__ = [
    "__version__", "version", "version_number", "strerror",
    "Error", "NoMemoryError", "InvalidArgumentError", "ParseError", "PolicyError",
    "NotFoundError", "InputOutputError", "RangeError", "TimeZoneError", "StateError",
    "StorageError", "ConvergenceError", "LimitError", "ExistsError",
]


def version() -> str:
    """The C library's version string, e.g. ``"0.1.0"``."""
    return _core.version()


def version_number() -> int:
    """The C library's version as MAJOR * 10000 + MINOR * 100 + PATCH."""
    return _core.version_number()


def strerror(code: int) -> str:
    """A short description of a libfollowup result code."""
    return _core.strerror(code)


__version__: str = _core.version()
