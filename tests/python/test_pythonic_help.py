"""Review s8 F13 (d): help() titles, "no time" defaults by name and readable
repr() of Guard, ContactLog, Ledger and Redactor (docs/python.md)."""
import inspect
import pydoc

import followup

from fu_helpers import sample_book as _book

AT = "2026-11-24T10:00:00+08:00"


def _title(fn) -> str:
    return pydoc.render_doc(fn, renderer=pydoc.plaintext).splitlines()[0]


def test_methods_are_titled_by_their_python_name():
    for cls, name in (("Guard", "check"), ("Ledger", "add"), ("Redactor", "apply"), ("Book", "add_event"),
                      ("ContactLog", "append"), ("Planner", "plan"), ("Kpi", "__init__")):
        fn = getattr(getattr(followup, cls), name)
        assert fn.__name__ == name, (cls, fn.__name__)
        assert fn.__qualname__ == f"{cls}.{name}", fn.__qualname__
        doc = pydoc.render_doc(fn, renderer=pydoc.plaintext)
        assert f"{cls}_{name}" not in doc and "followup._core" not in doc, doc
        assert f"\n{name}(self" in doc, doc
        if type(fn).__name__ != "fast_method":  # (Redactor.apply: pydoc titles it by its C type)
            assert f"function {name} in module followup." in _title(fn), _title(fn)
    assert followup.time_parse.__name__ == "time_parse"


def test_no_time_defaults_are_shown_by_name():
    for cls, names, const in ((followup.Kpi, ("from_", "to", "as_of"), "KPI_NO_TIME"),
                              (followup.BestTime, ("as_of",), "BOOK_NO_TIME")):
        sig = inspect.signature(cls)
        for n in names:
            d = sig.parameters[n].default
            assert d == getattr(followup, const) and repr(d) == const, (n, d)
        assert "-9223372036854775808" not in str(sig)
        assert "-9223372036854775808" not in pydoc.render_doc(cls, renderer=pydoc.plaintext)


def test_handles_have_readable_reprs(srcdir):
    book = _book(srcdir)
    policy = followup.policy_default()
    log = followup.ContactLog(None)
    log.append("C00002", AT, "phone")
    guard = followup.Guard(policy, book, log)
    assert repr(guard) == "<followup.Guard policy=builtin customers=300 log_records=1>"
    assert repr(followup.Guard(policy, book)) == "<followup.Guard policy=builtin customers=300>"
    assert repr(log) == "<followup.ContactLog records=1>"
    guard.close()
    assert repr(guard) == "<followup.Guard (closed)>"
    log.close()
    assert repr(log) == "<followup.ContactLog (closed)>"
    with followup.Guard(policy, book) as g:
        pass
    assert repr(g) == "<followup.Guard (closed)>"

    ledger = followup.Ledger(None)
    ledger.add("C00002", "refund within 24 hours", AT, "2026-11-25T10:00:00+08:00")
    assert repr(ledger) == "<followup.Ledger commitments=1>"
    ledger.close()
    assert repr(ledger) == "<followup.Ledger (closed)>"

    red = followup.Redactor()
    red.apply("call 13812345678")
    assert repr(red) == f"<followup.Redactor masked=1 jit={bool(red.uses_jit())}>"
    for obj in (guard, log, ledger, red):
        assert "Swig" not in repr(obj) and "proxy" not in repr(obj)
