"""The Pythonic surface: IntEnums, len/iter/repr on Book and Plan, the namespace."""
import inspect

import followup
from followup import enums


from fu_helpers import sample_book as _book


def test_enums_are_intenums_with_library_names():
    assert followup.Channel.PHONE == followup.CHANNEL_PHONE and str(followup.Channel.PHONE) == "phone"
    assert followup.Channel.parse("sms") is followup.Channel.SMS
    assert followup.EventKind.parse("warranty_end") == followup.EVENT_WARRANTY_END
    assert [str(p) for p in followup.Priority] == ["urgent", "high", "normal", "low"]
    assert str(followup.TouchpointStatus(followup.TOUCHPOINT_DEFERRED)) == "deferred"
    assert "KIND_COUNT" not in followup.EventKind.__members__
    try:
        followup.Tier.parse("gold")
    except ValueError as e:
        assert "ordinary, key, vip" in str(e)
    else:
        raise AssertionError("no error")
    # members go where the SWIG layer takes ints
    assert followup.channel_name(followup.Channel.EMAIL) == "email"


def test_book_and_plan_are_sized_iterable_and_readable(srcdir):
    b = _book(srcdir)
    assert len(b) == b.customer_count() == 300
    ids = [c.id for c in b]
    assert ids[0] == "C00001" and len(ids) == 300
    assert repr(b) == "<followup.Book: 300 customers, 4372 events, finalized>"
    plan = followup.Planner(followup.policy_default(), b, agents=4).plan(
        followup.time_parse("2026-11-23T00:00:00+08:00"))
    tps = list(plan)
    assert len(plan) == len(tps) == plan.count(followup.TOUCHPOINT_PLANNED)
    assert repr(plan).startswith(f"<followup.Plan: {len(plan)} planned, ")
    assert repr(tps[0]).startswith(f"<followup.Touchpoint {tps[0].customer_id} planned ")
    assert "Swig" not in repr(followup.BgNbd(1, 2, 3, 4))


def test_namespace_and_signatures():
    assert "annotations" not in dir(followup)
    for name in ("BetaGeoFitter", "GammaGammaFitter", "summary_from_transactions", "Channel", "Error",
                 "Book", "plotting"):
        assert name in followup.__all__, name
    assert followup.core.Book is followup.Book  # the raw SWIG module stays reachable
    sig = inspect.signature(followup.summary_from_transactions)
    assert list(sig.parameters)[:4] == ["transactions", "customer_id_col", "datetime_col", "monetary_value_col"]
    assert sig.parameters["freq"].default == "D"


def test_type_errors_name_python_types_not_c_ones():
    import pytest
    cases = [
        (lambda: followup.bgnbd_p_alive("x", [1], [1], [1]), "bgnbd_p_alive(): argument 1 (m) must be followup.BgNbd, not str"),
        (lambda: followup.Book().add_customer(3, "UTC"), "Book.add_customer(): argument 1 (id) must be str, not int"),
        (lambda: followup.time_format([1]), "time_format(): argument 1 (t) must be int, not list"),
        (lambda: followup.Planner(1, 2), "Planner(): argument 1 (policy) must be followup.Policy, not int"),
        (lambda: followup.BgNbd("a", 1, 2, 3), "BgNbd(): argument 1 (r) must be float, not str"),
    ]
    for call, text in cases:
        with pytest.raises(TypeError) as e:
            call()
        assert str(e.value) == text
        for c_name in ("const", "*", "int64_t", "size_t", "fu_"):
            assert c_name not in str(e.value)
    with pytest.raises(OverflowError) as e:
        followup.Book().customer(-1)
    assert str(e.value) == "Book.customer(): argument 1 (index) must be an int >= 0, not -1"


def test_signatures_and_docstrings_have_python_types():
    sig = inspect.signature(followup.bgnbd_p_alive)
    assert [str(p) for p in sig.parameters.values()] == ["m: 'BgNbd'", "x: 'ArrayLike'",
                                                          "t_x: 'ArrayLike'", "T: 'ArrayLike'"]
    assert sig.return_annotation == "numpy.ndarray"  # not the C result code's "int", not a list
    assert "const" not in followup.bgnbd_p_alive.__doc__ and "-> int" not in followup.bgnbd_p_alive.__doc__
    sig = inspect.signature(followup.segment_book)
    assert sig.parameters["unit_seconds"].default == 604800.0 and sig.return_annotation == "BookSummary"
    assert inspect.signature(followup.Book).parameters["flags"].default == 0


def test_times_accept_datetimes_strings_and_ints(srcdir):
    import datetime as dt
    np = __import__("pytest").importorskip("numpy")
    b = _book(srcdir)
    iso = "2026-11-23T00:00:00+08:00"
    secs = followup.time_parse(iso)
    aware = dt.datetime(2026, 11, 23, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    naive_utc = dt.datetime(2026, 11, 22, 16, 0)
    planner = followup.Planner(followup.policy_default(), b, agents=4)
    ref = planner.plan(secs).csv()
    for t in (iso, aware, np.datetime64("2026-11-22T16:00:00")):  # datetime64: UTC
        assert planner.plan(t).csv() == ref
        assert planner.plan(now=t).csv() == ref
    # a naive datetime is refused since review s12 U12 (it was read as UTC)
    with __import__("pytest").raises(ValueError, match="now: a time must carry its zone"):
        planner.plan(naive_utc)
    assert planner.plan(naive_utc.replace(tzinfo=dt.timezone.utc)).csv() == ref
    assert followup.time_format(aware) == followup.time_format(secs)
    led = followup.Ledger()
    cid = led.add("C1", "call back", dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc), "2026-11-03T00:00:00Z")
    q = led.get(cid)
    assert q.created_at_epoch(0) == followup.time_parse("2026-11-01T00:00:00Z")
    assert q.deadline_epoch(0) == followup.time_parse("2026-11-03T00:00:00Z")
