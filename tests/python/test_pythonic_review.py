"""Outside-review findings on the Python face: Redactor keywords and mask_char,
float epoch times, char-array fields shown as str, texts UTF-8 cannot encode."""
import inspect
import math
import os
import re

import pytest

import followup


# ---- 1. Redactor(kinds=..., mask_char=...) ----
def test_redactor_takes_its_arguments_by_keyword():
    r = followup.Redactor(kinds=1 << followup.REDACT_ID_CN, mask_char="#")
    assert r.apply("110105199001011232 13812345678") == "110###########1232 13812345678"
    assert followup.Redactor(mask_char="#").apply("13812345678") == "138####5678"
    assert followup.Redactor(kinds=1 << followup.REDACT_EMAIL).apply("13812345678") == "13812345678"
    assert list(inspect.signature(followup.Redactor).parameters) == ["kinds", "mask_char", "cjk_numerals"]


@pytest.mark.parametrize("bad", ["", "ab", "é", "\t", "\x7f"])
def test_redactor_refuses_a_mask_that_is_not_one_printable_ascii_character(bad):
    with pytest.raises(ValueError, match="mask_char must be one printable ASCII character"):
        followup.Redactor(mask_char=bad)
    with pytest.raises(ValueError, match="mask_char must be one printable ASCII character"):
        followup.Redactor(followup.REDACT_ALL_BUILTIN, bad)


def test_redactor_mask_none_and_space_still_work():
    assert followup.Redactor(mask_char=None).apply("13812345678") == "138****5678"
    assert followup.Redactor(mask_char=" ").apply("13812345678") == "138    5678"


# ---- 2. float epoch times (time.time()) ----
def test_float_times_are_floored_to_the_second():
    # 1795395600 is 2026-11-23T01:00:00Z (hand-computed: 20,779 days + 3,600 s)
    assert followup.time_format(1795395600.0, 8 * 3600) == "2026-11-23T09:00:00+08:00"
    assert followup.time_format(1795395600.999, 8 * 3600) == "2026-11-23T09:00:00+08:00"
    # toward negative infinity, as datetime does: -0.5 s is 1969-12-31T23:59:59Z
    assert followup._pythonic.to_seconds(-0.5) == -1
    assert followup._pythonic.to_seconds(2.75) == 2
    assert followup.time_format(-0.5, 0) == followup.time_format(-1, 0)


def test_numpy_float_times_are_floored_too():
    np = pytest.importorskip("numpy")
    assert followup._pythonic.to_seconds(np.float64(10.9)) == 10
    assert followup._pythonic.to_seconds(np.float32(-1.5)) == -2
    assert followup.time_format(np.float64(1795395600.7), 0) == followup.time_format(1795395600, 0)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_nan_and_infinite_times_are_refused(bad):
    with pytest.raises(ValueError, match=r"t: a time in epoch seconds must be finite, not (nan|inf|-inf)"):
        followup.time_format(bad, 0)
    with pytest.raises(ValueError, match="must be finite"):
        followup._pythonic.to_seconds(bad)


def _one_customer():
    """A policy and a book of one customer reachable by phone (as in test_guard.py)."""
    book = followup.Book()
    book.read_customers_text("customer_id,tz,consent_phone\nA,Asia/Shanghai,yes\n")
    book.finalize()
    return followup.policy_default(), book


def test_a_float_time_in_a_method(tmp_path):
    policy, book = _one_customer()
    at = followup.time_parse("2026-03-10T10:00:00+08:00")
    with followup.ContactLog(str(tmp_path / "c.db")) as log, followup.Guard(policy, book, log) as guard:
        assert guard.check("A", "phone", at + 0.25).allowed == guard.check("A", "phone", at).allowed


# ---- 3. char-array fields read as str ----
def test_guard_decision_fields_show_as_str():
    for name in ("rule", "reason", "past_calendar_data"):
        assert getattr(followup.GuardDecision, name).__doc__ == f"{name} : str"


def test_no_field_of_any_class_shows_a_c_type():
    seen = 0
    for cname in dir(followup):
        cls = getattr(followup, cname)
        if not isinstance(cls, type):
            continue
        for attr, v in vars(cls).items():
            m = re.match(r"^\w+ : (.+)$", v.__doc__ or "") if isinstance(v, property) else None
            if m:
                seen += 1
                assert not re.search(r"char|\ba\(\d|\bp\.|_t\b|\[\d", m.group(1)), f"{cname}.{attr}: {v.__doc__}"
    assert seen > 50


def test_stub_shows_char_arrays_as_str():
    stub = os.path.join(os.path.dirname(followup.__file__), "__init__.pyi")
    text = open(stub, encoding="utf-8").read()
    assert not re.search(r"char \[|\ba\(\d", text)
    cls = text[text.index("class GuardDecision"):]
    cls = cls[:cls.index("\nclass ", 1)]
    for name in ("rule", "reason", "past_calendar_data"):
        assert f"def {name}(self) -> str: ..." in cls


# ---- 4. a lone surrogate names the argument ----
def test_lone_surrogate_says_not_utf8_and_names_the_argument():
    r = followup.Redactor()
    with pytest.raises(UnicodeEncodeError, match=r"Redactor.apply\(\): argument 1 \(text\) is not encodable as UTF-8"):
        r.apply("ok \ud800 13812345678")
    with pytest.raises(UnicodeEncodeError, match=r"time_parse\(\): argument 1 \(\w+\) is not encodable as UTF-8"):
        followup.time_parse("2026-01-01\udc80")
    with pytest.raises(UnicodeEncodeError, match=r"Redactor\(\): argument mask_char is not encodable as UTF-8"):
        followup.Redactor(mask_char="\ud800")
    try:
        followup.time_parse("\ud800")
    except UnicodeEncodeError as e:
        assert "must be str, not str" not in str(e)
        assert (e.start, e.end) == (0, 1)


def test_callback_at_is_a_time_argument_too():
    # Guard.record(callback_at=) took only int epoch seconds: a float or a datetime raised TypeError
    import datetime as dt
    policy, book = _one_customer()
    at = followup.time_parse("2026-03-10T10:00:00+08:00")
    back = followup.time_parse("2026-03-10T15:00:00+08:00")
    for callback in (back + 0.9, dt.datetime(2026, 3, 10, 7, 0, tzinfo=dt.timezone.utc)):
        with followup.Guard(policy, book) as guard:
            guard.record("A", at, "phone", "callback_requested", rule="r", callback_at=callback)
            d = guard.check("A", "phone", at + 3600, rule="r")
            assert (d.rule, d.next_allowed_epoch) == ("redial.callback", back)
    assert "callback_at: 'datetime | str | int'" in str(inspect.signature(followup.Guard.record))
