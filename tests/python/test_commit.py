"""fu_commit from Python: ledger, escalation history, queries, extraction."""
import math

import pytest

import followup
from fu_helpers import cn2025


def t(text):
    return followup.time_parse(text)


NOTE_AT = t("2025-09-26T16:00:00+08:00")


def test_three_working_days_escalate_and_mask():
    cal = cn2025()
    led = followup.Ledger()
    cid = led.add_promised("C1", "客户13812345678：3个工作日内上门", NOTE_AT, 3,
                           followup.DURATION_WORKING_DAYS, cal, owner="repair")
    one = led.get(cid)
    assert one.count() == 1
    assert one.deadline_epoch(0) == t("2025-09-30T18:00:00+08:00")
    assert one.warn_at_epoch(0) == t("2025-09-29T17:30:00+08:00")
    assert one.text(0) == "客户138****5678：3个工作日内上门"
    assert led.tick(t("2025-10-02T18:00:00+08:00")) == 3  # warned, breached, escalated
    assert led.count(followup.QUERY_OVERDUE, now=t("2025-10-03T00:00:00Z"), owner="repair") == 1
    led.fulfill(cid, t("2025-10-03T09:00:00+08:00"), "tech3")
    one = led.get(cid)
    assert one.state(0) == followup.COMMIT_FULFILLED
    assert one.level(0) == 1
    kinds = [one.event_kind(0, k) for k in range(one.event_count(0))]
    assert kinds == [followup.COMMIT_EV_CREATED, followup.COMMIT_EV_WARNED, followup.COMMIT_EV_BREACHED,
                     followup.COMMIT_EV_ESCALATED, followup.COMMIT_EV_FULFILLED]
    assert one.event_rule(0, 2) == "commitments.breach_at"
    assert one.event_by(0, 4) == "tech3"
    ot = led.on_time(0, t("2026-01-01T00:00:00Z"), t("2026-01-01T00:00:00Z"))
    assert (ot.due, ot.on_time) == (1, 0)
    with pytest.raises(followup.StateError):
        led.fulfill(cid, t("2025-10-04T09:00:00+08:00"))
    with pytest.raises(followup.NotFoundError):
        led.get(12345)


def test_queries_and_empty_on_time_rate():
    led = followup.Ledger()
    a = led.add("C1", "x", 0, 100, owner="repair")
    b = led.add("C2", "y", 0, 300, owner="billing")
    due = led.query(followup.QUERY_DUE, from_=50, to=200)
    assert due.count() == 1 and due.id(0) == a
    risk = led.query(followup.QUERY_AT_RISK, now=250)
    assert risk.count() == 1 and risk.id(0) == b
    with pytest.raises(followup.InvalidArgumentError):
        risk.id(5)
    assert math.isnan(led.on_time(1000, 2000, 2000).rate)


def test_file_ledger_schema(tmp_path):
    path = str(tmp_path / "ledger.db")
    led = followup.Ledger(path)
    led.add("C1", "x", 0, 100)
    assert led.schema_version() == followup.LEDGER_SCHEMA_VERSION
    del led
    ro = followup.Ledger(path, followup.LEDGER_READONLY)
    assert ro.count() == 1
    with pytest.raises(followup.StateError):
        ro.add("C2", "y", 0, 100)


def test_extraction_in_the_cn_calendar():
    cal = cn2025()
    ex = followup.Extractor(4 * 3600)
    note = "承诺3个工作日内解决，保证今天修好，2小时内到场"
    x = ex.run(cal, note, NOTE_AT)
    assert x.promise_count() == 2
    assert x.promise_rule(0) == "commitments.patterns.zh_working_days"
    assert x.promise_text(0) == "3个工作日内"
    assert x.promise_deadline_epoch(0) == t("2025-09-30T18:00:00+08:00")
    start = x.promise_start_byte(0)  # UTF-8 byte offsets; promise_start(0) is the str index
    assert note.encode()[start:x.promise_end_byte(0)].decode() == "3个工作日内"
    assert note[x.promise_start(0):x.promise_end(0)] == "3个工作日内"
    assert x.promise_risky(1)
    rules = [x.risk_rule(i) for i in range(x.risk_count())]
    assert rules == ["commitments.risky.zh_guarantee_now", "min_lead"]


def test_extractor_and_ledger_from_policy():
    p = followup.policy_default()
    ex = followup.extractor_from_policy(p)
    x = ex.run(cn2025(), "within 2 business days", NOTE_AT)
    assert x.promise_deadline_epoch(0) == t("2025-09-29T18:00:00+08:00")
    led = followup.ledger_from_policy(p)
    cid = led.add("C1", "call 13812345678", 0, 400)
    assert led.get(cid).warn_at_epoch(0) == 300
    assert led.get(cid).text(0) == "call 138****5678"


def test_resolutions_in_the_book_fulfil_promises():
    """Ledger.fulfill_from_book (review s9 F26, the closed loop): A's promise was
    made about complaint O1, answered by `resolved O1` on 11-24; F's promise was
    made with nothing open and is answered by its own next resolution (11-21);
    E's complaint O5 is answered by no resolution (another order's)."""
    import fu_helpers
    b = fu_helpers.make_book(
        "A,Asia/Shanghai,5000,,,,yes,yes,yes\nE,Asia/Shanghai,5000,,,,yes,yes,yes\n"
        "F,Asia/Shanghai,5000,,,,yes,yes,yes\n",
        "A,2026-11-20T09:00:00+08:00,complaint,O1,,,,normal,,\n"
        "A,2026-11-24T10:00:00+08:00,resolved,O1,,,,,,\n"
        "E,2026-11-20T08:00:00+08:00,complaint,O5,,,,normal,,\n"
        "E,2026-11-22T08:00:00+08:00,resolved,O6,,,,,,\n"
        "F,2026-11-21T09:00:00+08:00,resolved,,,,,,,\n")
    led = followup.Ledger()
    ids = {c: led.add(c, "承诺3个工作日内解决", t("2026-11-20T10:00:00+08:00"), t("2026-11-25T18:00:00+08:00"))
           for c in "AEF"}
    assert led.fulfill_from_book(b, t("2026-11-28T00:00:00+08:00")) == 2
    assert led.get(ids["A"]).state(0) == followup.COMMIT_FULFILLED
    assert led.get(ids["F"]).state(0) == followup.COMMIT_FULFILLED
    assert led.get(ids["E"]).state(0) == followup.COMMIT_OPEN
    assert led.fulfill_from_book(b, t("2026-11-28T00:00:00+08:00")) == 0


def test_promise_deadline_is_a_timezone_aware_datetime():
    """promise_deadline(i) returns a datetime in UTC like every other time
    the Python API returns (an epoch int until 0.2.0; CHANGES.md): the
    epoch seconds are promise_deadline_epoch(i), the datetime also
    promise_deadline_dt(i)."""
    import datetime as dt
    x = followup.Extractor(4 * 3600).run(cn2025(), "承诺3个工作日内解决", NOTE_AT)
    d = x.promise_deadline(0)
    # the deadline 2025-09-30 18:00 +08:00 (test above) is 10:00 UTC
    assert isinstance(d, dt.datetime)
    assert d.utcoffset() == dt.timedelta(0)
    assert d == dt.datetime(2025, 9, 30, 10, 0, tzinfo=dt.timezone.utc)
    assert x.promise_deadline_dt(0) == d
    assert x.promise_deadline_epoch(0) == 1759226400 == int(d.timestamp())
    assert followup.to_datetime(x.promise_deadline_epoch(0)) == d
    with pytest.raises(followup.InvalidArgumentError):
        x.promise_deadline(5)  # out of range still raises
