"""Extraction offsets as str indices (docs/python.md, "Promises in notes").

The C extractor reports where a promise or a risk sits in the note as UTF-8
byte offsets. A Python note is a ``str``, so after :func:`install`
``Extraction.promise_start(i)`` / ``promise_end(i)`` / ``risk_start(i)`` /
``risk_end(i)`` are code point indices into the ``str`` given to
``Extractor.run``: ``note[x.promise_start(i):x.promise_end(i)] ==
x.promise_text(i)`` for Chinese notes too. The byte offsets stay available as
``promise_start_byte(i)`` ... (``note.encode()[start:end]``).
"""
from __future__ import annotations

import functools

from . import core as _core

_FIELDS = ("promise_start", "promise_end", "risk_start", "risk_end")


def _code_points(note, offset: int) -> int:
    """The str index of UTF-8 byte ``offset`` of ``note`` (bytes: unchanged)."""
    if not isinstance(note, str) or note.isascii():
        return offset
    return len(note.encode("utf-8")[:offset].decode("utf-8"))


def _index_method(name: str, raw):
    def method(self, i: int) -> int:
        return _code_points(getattr(self, "_note", None), raw(self, i))
    method.__name__ = method.__qualname__ = name
    method.__doc__ = (f"{name}(self, i: int) -> int\n\nThe {'start' if name.endswith('start') else 'end'} of "
                      f"{name.split('_')[0]} i as an index into the note str given to Extractor.run (code points: "
                      f"note[{name.split('_')[0]}_start(i):{name.split('_')[0]}_end(i)] is its text). "
                      f"{name}_byte(i) gives the UTF-8 byte offset (into note.encode()).")
    return method


def _byte_method(name: str, raw):
    @functools.wraps(raw)
    def method(self, i: int) -> int:
        return raw(self, i)
    method.__name__ = method.__qualname__ = name + "_byte"
    method.__doc__ = (f"{name}_byte(self, i: int) -> int\n\nThe UTF-8 byte offset of {name}(i) in the note: "
                      "an index into note.encode(), not into the str.")
    return method


def _run_keeping_note(raw):
    @functools.wraps(raw)
    def run(self, *args, **kwargs):
        x = raw(self, *args, **kwargs)
        if x is not None:  # the str the offsets index (Extraction.promise_start ...)
            x._note = args[1] if len(args) > 1 else kwargs.get("text")
        return x
    return run


def install() -> None:
    x, ex = getattr(_core, "Extraction", None), getattr(_core, "Extractor", None)
    if x is None or ex is None or "promise_start_byte" in vars(x):
        return
    for name in _FIELDS:
        raw = vars(x)[name]
        setattr(x, name + "_byte", _byte_method(name, raw))
        setattr(x, name, _index_method(name, raw))
    ex.run = _run_keeping_note(vars(ex)["run"])


# ---- reprs of the small result objects a notebook prints ----
def _extraction_repr(self) -> str:
    try:
        promises = [self.promise_text(i) for i in range(self.promise_count())]
        risks = [self.risk_text(i) for i in range(self.risk_count())]
    except Exception:
        return "<followup.Extraction ?>"
    return f"<followup.Extraction promises={promises!r} risks={risks!r}>"


def _notes_repr(self) -> str:
    try:
        n = self.count()
    except Exception:
        return "<followup.Notes ?>"
    return f"<followup.Notes {n} note{'' if n == 1 else 's'}>"


def _on_time_repr(self) -> str:
    try:
        return f"<followup.OnTime due={self.due} on_time={self.on_time} rate={self.rate:.4g}>"
    except Exception:
        return "<followup.OnTime ?>"


def install_reprs() -> None:
    for name, fn in (("Extraction", _extraction_repr), ("Notes", _notes_repr), ("OnTime", _on_time_repr)):
        klass = getattr(_core, name, None)
        if klass is not None:
            klass.__repr__ = fn
