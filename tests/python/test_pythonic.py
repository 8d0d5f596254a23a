"""The Pythonic surface: IntEnums, len/iter/repr on Book and Plan, the namespace."""
import inspect

import followup
from followup import enums


def _book(srcdir):
    d = srcdir / "examples" / "sample" / "data"
    b = followup.Book()
    b.read_customers_csv(str(d / "customers.csv"))
    b.read_events_csv(str(d / "events.csv"))
    b.finalize()
    return b


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
