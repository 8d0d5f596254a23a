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
    "version", "version_number", "strerror",
    "Error", "NoMemoryError", "InvalidArgumentError", "ParseError", "PolicyError",
    "NotFoundError", "InputOutputError", "RangeError", "TimeZoneError", "StateError",
    "StorageError", "ConvergenceError", "LimitError", "ExistsError",
]


def version() -> str:
    """The C library's version string, e.g. ``"0.2.0"``."""
    return _core.version()


def version_number() -> int:
    """The C library's version as MAJOR * 10000 + MINOR * 100 + PATCH."""
    return _core.version_number()


def strerror(code: int) -> str:
    """A short description of a libfollowup result code."""
    return _core.strerror(code)


__version__: str = _core.version()


def _export_module_api() -> None:
    """Re-export the public names of the SWIG module (classes such as Calendar,
    Policy, Book, and module functions such as time_parse) at package level."""
    skip = {"version", "version_number", "strerror"}
    for name in dir(_core):
        if name.startswith("_") or name.startswith("SWIG") or name in skip:
            continue
        if name in globals():
            continue
        globals()[name] = getattr(_core, name)
        __all__.append(name)


_export_module_api()
del _export_module_api

# ---- the Pythonic layer (pure Python over the SWIG module) ----
from . import _pythonic  # noqa: E402
from . import enums  # noqa: E402
from .enums import (  # noqa: E402,F401
    Channel, EventKind, Severity, Outcome, Survey, Tristate, Priority, TouchpointStatus, Tier, Lifecycle,
    EventPriority, CommitState, CommitEvent,
)

# The flat PRIORITY_* constants are the Priority members (equal ints), so an
# event's priority argument can tell followup.PRIORITY_URGENT (urgent) from
# the event field's plain number (the priority + 1, 0 not given).
for _m in Priority:
    globals()["PRIORITY_" + _m.name] = _m
# The flat TRI_* constants are the Tristate members: a plain number 0 / 1 given
# as a tristate means no / yes (as in CSV files), a member means itself.
for _m in Tristate:
    globals()["TRI_" + _m.name] = _m
del _m

_pythonic.install()
_pythonic.install_error_messages()  # C function names in messages as Python names
to_datetime = _pythonic.to_datetime
_pythonic.install_type_errors(globals())
_pythonic.install_signatures(globals())
_pythonic.install_frequency_keywords(globals())  # frequency_from_book(segments=...; bytes= deprecated)
_pythonic.install_enum_signatures()
_pythonic.install_class_docs(globals())
_pythonic.install_return_types(globals())
_pythonic.install_customer_ids()  # Planner.plan_customer(customer id or index)
_pythonic.install_guard_order()  # Guard.check / record / check_and_record: swapped at and channel
_pythonic.install_event_texts()  # Event.note / order_id / agent_id / product_class: the text
from . import _extraction  # noqa: E402
_extraction.install()  # Extraction.promise_start ...: str indices into the note (byte offsets: *_byte)
_extraction.install_reprs()  # Extraction, Notes, OnTime
from . import _ledger_units  # noqa: E402
_ledger_units.install()  # Ledger.add_promised(unit="working_days")
__all__ += list(enums.__all__) + ["to_datetime"]
try:  # numpy and pandas: the estimators, DataFrames and plots
    from . import frames, models, plotting  # noqa: E402,F401
    from .models import (  # noqa: E402,F401
        BetaGeoFitter, ParetoNBDFitter, GammaGammaFitter, ModelNotIdentifiedError, NotFittedError,
    )
    from .frames import (  # noqa: E402,F401
        summary_from_transactions, book_from_frames, plan_frame, segments, besttime_frame, kpi_frame,
        commitments_frame, book_events_frame, book_customers_frame, contact_log_frame, FollowupWarning,
    )
    from . import _arrays  # noqa: E402
    _arrays.install(globals())  # the flat model functions: array-likes in, numpy arrays out
    from . import _methods  # noqa: E402
    _methods.install()  # per-customer columns of the results and Calendar bulk calls: numpy arrays
    combine_tier_cycles = _methods.combine_tier_cycles
    _methods.install_capacity(globals())  # capacity_pass / apply_capacity: Python argument names
    from . import _inputs  # noqa: E402
    _inputs.install()  # DataFrames in: Planner.set_clv / set_agents, Kpi.set_segments / add_due
    simulation_frame = frames._typed_categoricals(simulation_frame, ("measure",))  # noqa: F821,F811
    __all__ += list(models.__all__) + ["summary_from_transactions", "book_from_frames", "plan_frame", "segments",
                                       "besttime_frame", "kpi_frame", "commitments_frame", "book_events_frame",
                                       "book_customers_frame", "contact_log_frame", "FollowupWarning",
                                       "frames", "models", "plotting", "combine_tier_cycles"]
except ImportError:  # numpy missing: the core API still works
    pass
__all__ += ["enums"]
_pythonic.install_exception_signatures(globals(), __all__)
_pythonic.install_fast_methods()  # Redactor.apply, Extractor.run ...: the common call straight in C
del annotations

# The public API is __all__ (plus __version__). The SWIG layer stays reachable
# as followup.core (followup._core is its C part) for code that needs the raw
# wrappers, but dir(followup) and tab completion show only the public names.
_DUNDERS = ("__all__", "__doc__", "__file__", "__name__", "__path__", "__spec__", "__version__")


def __dir__() -> list:
    return sorted(set(__all__) | set(_DUNDERS))
