"""The core of the Python binding: version, error translation, GIL release."""
import re
import threading

import pytest

import followup
from followup import core

from conftest import rss_kib


def test_version_matches_the_c_library():
    assert followup.__version__ == followup.version() == core.VERSION_STRING
    major, minor, patch = (int(x) for x in followup.__version__.split("."))
    assert (major, minor, patch) == (core.VERSION_MAJOR, core.VERSION_MINOR, core.VERSION_PATCH)
    assert followup.version_number() == major * 10000 + minor * 100 + patch


def test_strerror_names_codes():
    assert followup.strerror(core.ENOMEM) == "out of memory"
    assert followup.strerror(core.EPARSE) == "parse error"
    assert followup.strerror(12345) == "unknown error"


@pytest.mark.parametrize("code,cls,builtin", [
    (core.ENOMEM, followup.NoMemoryError, MemoryError),
    (core.EINVAL, followup.InvalidArgumentError, ValueError),
    (core.EPARSE, followup.ParseError, ValueError),
    (core.EPOLICY, followup.PolicyError, ValueError),
    (core.ENOTFOUND, followup.NotFoundError, LookupError),
    (core.EIO, followup.InputOutputError, followup.Error),
    (core.ERANGE, followup.RangeError, ValueError),
    (core.ETIMEZONE, followup.TimeZoneError, ValueError),
    (core.ESTATE, followup.StateError, followup.Error),
    (core.EDB, followup.StorageError, followup.Error),
    (core.ECONVERGE, followup.ConvergenceError, ArithmeticError),
    (core.ELIMIT, followup.LimitError, ValueError),
    (core.EEXISTS, followup.ExistsError, followup.Error),
    (core.ERROR, followup.Error, Exception),
])
def test_each_code_raises_its_exception_with_detail(code, cls, builtin):
    with pytest.raises(cls) as info:
        core._selftest_raise(code, "expected a number", "policy.yaml", 12, 7, "caps.max")
    e = info.value
    assert isinstance(e, followup.Error)
    assert isinstance(e, builtin)
    assert e.code == code
    assert e.message == "expected a number"
    assert e.source == "policy.yaml"
    assert (e.line, e.column) == (12, 7)
    assert e.path == "caps.max"
    assert str(e) == "policy.yaml:12:7: caps.max: expected a number"


def test_success_returns_none():
    assert core._selftest_raise(core.OK, "", "", 0, 0, "") is None


def test_non_ascii_messages_survive():
    with pytest.raises(followup.ParseError) as info:
        core._selftest_raise(core.EPARSE, "无法解析 '3个工作日内'", "笔记.csv", 2, 5, "note")
    assert info.value.message == "无法解析 '3个工作日内'"
    assert info.value.source == "笔记.csv"


def test_raising_many_times_does_not_grow_memory():
    def burst(n):
        for _ in range(n):
            try:
                core._selftest_raise(core.EPARSE, "x" * 200, "f", 1, 1, "p")
            except followup.ParseError:
                pass
    burst(20000)
    before = rss_kib()
    burst(100000)
    assert rss_kib() - before < 2048


def test_calls_from_threads():
    errors = []

    def work():
        try:
            for _ in range(2000):
                with pytest.raises(followup.RangeError):
                    core._selftest_raise(core.ERANGE, "r", "", 0, 0, "")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_package_has_docstrings():
    assert followup.__doc__ and "followup.Error" in followup.__doc__
    assert re.match(r"\d+\.\d+\.\d+$", followup.version())
