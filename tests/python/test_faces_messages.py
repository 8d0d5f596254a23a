"""Python messages in Python words (review of the faces): no SWIG wrapper names
(Redactor_apply, EventBatch_add), arguments named as in Python, a keyword of the
wrong type named as such, a negative number for an unsigned parameter refused;
EventBatch with len(), repr() and kind names."""
import inspect
import math
import re

import numpy as np
import pytest

import followup
from fu_helpers import bgnbd_sample

SWIG_NAME = re.compile(r"\b(new_)?[A-Z][A-Za-z]*_[a-z][a-z0-9_]*\b")
C_WORDS = ("const", "int64_t", "size_t", "fu_", "char *", "not a keyword argument", "4294967")


def check_message(text):
    assert not SWIG_NAME.search(text), text
    for w in C_WORDS:
        assert w not in text, text


def test_event_batch_len_repr_and_kind_names():
    t0 = followup.time_parse("2026-01-05T10:00:00Z")
    b = followup.EventBatch()
    assert len(b) == 0 and repr(b) == "<followup.EventBatch: 0 events>"
    b.add("A", t0, "purchase", order_id="O1")
    b.add("A", t0 + 60, followup.EVENT_CONTACT, channel="phone", outcome="answered", priority="urgent")
    b.add("A", t0 + 120, followup.EventKind.FAULT, severity="urgent")
    assert len(b) == 3 and repr(b) == "<followup.EventBatch: 3 events>"
    book = followup.Book(followup.BOOK_CREATE_CUSTOMERS)
    book.add_event("A", t0 - 60, "inquiry")
    book.finalize()
    book.append_events(b)
    ev = [book.event(j) for j in range(book.event_count())]
    assert [e.kind for e in ev] == [followup.EVENT_INQUIRY, followup.EVENT_PURCHASE, followup.EVENT_CONTACT,
                                    followup.EVENT_FAULT]
    assert ev[2].channel == followup.CHANNEL_PHONE and ev[2].outcome == followup.OUTCOME_ANSWERED
    assert ev[2].priority == followup.PRIORITY_URGENT + 1  # the event field: priority + 1
    assert ev[3].severity == followup.SEVERITY_URGENT
    with pytest.raises(followup.InvalidArgumentError) as e:
        b.add("A", t0, "purchse")
    assert str(e.value).startswith("EventBatch.add(): argument kind:") and "purchse" in str(e.value)
    with pytest.raises(followup.InvalidArgumentError) as e:
        b.add("A", t0, "contact", priority="asap")
    assert "unknown priority 'asap'" in str(e.value) and "urgent" in str(e.value)
    assert len(b) == 3


def test_kpi_and_planner_take_kind_names():
    t0 = followup.time_parse("2026-03-02T10:00:00+08:00")
    k = followup.Kpi(followup.policy_default())
    k.add_customer("V1", 600000)
    k.add_event("V1", t0, "survey", score=5, survey="csat")
    k.add_event("V1", t0 + 1, followup.EVENT_SURVEY, score=3, survey=followup.SURVEY_CSAT)
    k.compute()
    assert k.find("csat").value == 4.0


def test_keyword_of_the_wrong_type_is_named():
    b = followup.EventBatch()
    with pytest.raises(TypeError) as e:
        b.add("A", 0, "purchase", severity=[1])
    assert str(e.value) == "EventBatch.add(): argument 8 (severity) must be int, not list"
    with pytest.raises(TypeError) as e:
        b.add("A", 0, "purchase", unit_price="cheap")
    assert str(e.value) == "EventBatch.add(): argument 6 (unit_price) must be float, not str"
    with pytest.raises(TypeError) as e:
        followup.Book(max_record_bytes="big")
    assert str(e.value) == "Book(): argument 2 (max_record_bytes) must be int, not str"


def test_negative_number_for_an_unsigned_parameter_is_refused():
    with pytest.raises(OverflowError) as e:
        followup.Book(max_record_bytes=-3)
    assert str(e.value) == "Book(): argument 2 (max_record_bytes) must be an int >= 0, not -3"
    with pytest.raises(OverflowError) as e:
        followup.Book().customer(-1)
    assert str(e.value) == "Book.customer(): argument 1 (index) must be an int >= 0, not -1"
    with pytest.raises(OverflowError) as e:
        followup.Book().customer(2**70)
    assert str(e.value) == "Book.customer(): argument 1 (index) is out of range for int"
    # time=-3 reached C as 4294967293 periods before
    x, tx, T = (np.asarray(v) for v in bgnbd_sample(1000))
    rng = np.random.default_rng(7)
    z = np.where(x > 0, rng.gamma(4.0, 25.0, len(x)) * rng.gamma(6.0, 1 / 6.0, len(x)) + 1, 0.0)
    bg = followup.BetaGeoFitter().fit(x, tx, T)
    gg = followup.GammaGammaFitter().fit(x, z)
    for bad in (-3, 0, 2.5, math.nan):
        with pytest.raises(followup.InvalidArgumentError) as e:
            gg.customer_lifetime_value(bg, x, tx, T, z, time=bad)
        assert "GammaGammaFitter.customer_lifetime_value(): argument time must be a whole number of periods" \
            in str(e.value)
    with pytest.raises(TypeError) as e:
        gg.customer_lifetime_value(bg, x, tx, T, z, time="12")
    assert "argument time must be int, not str" in str(e.value)
    with pytest.raises(followup.InvalidArgumentError):
        bg.score(x, tx, T, z, spend_model=gg, time=-3)
    assert np.isfinite(gg.customer_lifetime_value(bg, x, tx, T, z, time=3)).all()


def test_nul_messages_name_the_python_method_and_argument():
    r = followup.Redactor()
    with pytest.raises(followup.InvalidArgumentError) as e:
        r.apply("phone 13800000000\0secret")
    text = str(e.value)
    assert text.startswith("Redactor.apply(): argument 1 (text) contains a NUL"), text
    check_message(text)
    with pytest.raises(followup.InvalidArgumentError) as e:
        followup.EventBatch().add("A\0B", 0, "purchase")
    assert str(e.value).startswith("EventBatch.add(): argument 1 (customer_id) contains a NUL"), str(e.value)
    with pytest.raises(followup.InvalidArgumentError) as e:
        followup.Calendar("Asia/Shang\0hai")
    assert str(e.value).startswith("Calendar(): argument 1 (tzid) contains a NUL"), str(e.value)


def _instances():
    pol = followup.policy_default()
    book = followup.Book(followup.BOOK_CREATE_CUSTOMERS)
    book.add_event("A", 1_700_000_000, "purchase", order_id="O1", amount=10.0)
    book.finalize()
    return {"Book": followup.Book(), "EventBatch": followup.EventBatch(), "Redactor": followup.Redactor(),
            "Kpi": followup.Kpi(pol), "Calendar": followup.Calendar("UTC"), "Policy": pol,
            "Planner": followup.Planner(pol, book), "Extractor": followup.Extractor(),
            "Plan": followup.Planner(pol, book).plan(1_700_000_000, 86400 * 30),
            "SegmentRules": followup.segment_rules_from_policy(pol)}


def test_every_method_speaks_python_on_bad_arguments():
    # every public method of the main handles, called with an object of no
    # accepted type, a negative number and an unknown keyword: the message
    # names no SWIG wrapper, no C type and never says "keyword argument"
    # where the argument was a keyword
    seen = 0
    for cls, obj in _instances().items():
        for name in dir(type(obj)):
            if name.startswith("_") or name in ("close", "this", "thisown"):
                continue
            fn = getattr(obj, name)
            if not callable(fn):
                continue
            try:
                params = [p for p in inspect.signature(fn).parameters.values() if p.name != "self"]
            except (TypeError, ValueError):
                params = []
            calls = [((object(),), {}), ((-3,), {}), ((), {"no_such_argument": 1})]
            calls += [((), {p.name: object()}) for p in params]  # each keyword of the wrong type
            calls += [((), {p.name: -3}) for p in params]
            for args, kwargs in calls:
                try:
                    fn(*args, **kwargs)
                except Exception as e:  # noqa: BLE001 - every message is checked
                    check_message(str(e))
                    seen += 1
    assert seen > 100


def test_every_function_speaks_python_on_bad_arguments():
    seen = 0
    for name in followup.__all__:
        fn = getattr(followup, name)
        if not callable(fn) or isinstance(fn, type) or name == "set_cancel_hook":
            continue
        for args, kwargs in [((object(),), {}), ((-3,), {}), ((), {"no_such_argument": 1})]:
            try:
                fn(*args, **kwargs)
            except Exception as e:  # noqa: BLE001
                check_message(str(e))
                seen += 1
    assert seen > 200
