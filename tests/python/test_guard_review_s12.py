"""The guard, the contact log and the best-time model take the values a plan
hands out (review s12 U2), and the small messages of U10 on the guard.

A dialer that plans, then asks the guard before dialling, holds a
touchpoint's channel and priority as Channel / Priority members; the guard
and ContactLog.append took only names, BestTime.best only the number and a
book index. Now every one takes the names, the members and the flat
constants (and BestTime a customer id), as the rest of the Python API does.
"""
import pathlib

import pytest

import followup
from fu_helpers import sample_book

AT = "2026-11-24T10:00:00+08:00"
NOW = "2026-11-23T00:00:00+08:00"


@pytest.fixture(scope="module")
def book(srcdir):
    return sample_book(pathlib.Path(srcdir))


def _decision(d):
    return (d.allowed, d.rule, d.reason, d.next_allowed_epoch)


@pytest.mark.parametrize("channel", ["phone", "PHONE", followup.Channel.PHONE, followup.CHANNEL_PHONE])
@pytest.mark.parametrize("priority", ["urgent", followup.Priority.URGENT, followup.PRIORITY_URGENT])
def test_check_takes_names_members_and_constants(book, channel, priority):
    g = followup.Guard(followup.policy_default(), book)
    want = _decision(g.check("C00001", "phone", AT, priority="urgent"))
    assert _decision(g.check("C00001", channel, AT, priority=priority)) == want
    assert _decision(g.check("C00001", channel, AT, priority)) == want


def test_a_plans_touchpoint_goes_straight_to_the_guard(book):
    pol = followup.policy_default()
    plan = followup.Planner(pol, book).plan(NOW, 3 * 86400)
    g = followup.Guard(pol, book)
    tps = list(plan)[:20]
    assert tps
    for tp in tps:
        assert isinstance(tp.channel, followup.Channel) and isinstance(tp.priority, followup.Priority)
        got = g.check(tp.customer_id, tp.channel, tp.best_at, priority=tp.priority)
        assert _decision(got) == _decision(g.check(tp.customer_id, str(tp.channel), tp.best_at,
                                                   priority=str(tp.priority)))


def test_record_and_log_take_outcome_members_and_constants(book):
    log = followup.ContactLog()
    g = followup.Guard(followup.policy_default(), book, log)
    g.record("C00001", AT, followup.Channel.PHONE, followup.Outcome.ANSWERED, followup.Priority.HIGH)
    g.record("C00002", AT, followup.CHANNEL_SMS, outcome=followup.OUTCOME_NO_ANSWER)
    d = g.check_and_record("C00003", AT, followup.Channel.PHONE, outcome=followup.Outcome.BUSY,
                           priority=followup.PRIORITY_LOW)
    g2 = followup.Guard(followup.policy_default(), book, followup.ContactLog())
    d2 = g2.check_and_record("C00003", AT, "phone", outcome="busy", priority="low")
    assert _decision(d) == _decision(d2)
    log.append("C00004", AT, followup.Channel.EMAIL, followup.Outcome.REFUSED, followup.Priority.NORMAL)
    csv = log.csv()
    for row in ("C00001", "phone", "answered", "high"), ("C00002", "sms", "no_answer"), \
               ("C00004", "email", "refused", "normal"):
        line = [ln for ln in csv.splitlines() if row[0] in ln]
        assert line and all(f in line[0].split(",") for f in row), (row, csv)


def test_ints_that_are_no_member_are_refused_by_name(book):
    g = followup.Guard(followup.policy_default(), book)
    with pytest.raises(followup.InvalidArgumentError, match=r"Guard.check\(\): argument channel: 99 is no Channel"):
        g.check("C00001", 99, AT)
    with pytest.raises(followup.InvalidArgumentError, match=r"argument outcome: 42 is no Outcome"):
        g.record("C00001", AT, "phone", 42)
    with pytest.raises(followup.Error, match=r"unknown outcome 'none'"):
        g.record("C00001", AT, "phone", followup.Outcome.NONE)  # a book outcome the guard has no use for


def test_priority_none_is_the_default_not_null(book):
    g = followup.Guard(followup.policy_default(), book)
    assert _decision(g.check("C00001", "phone", AT, priority=None)) == _decision(g.check("C00001", "phone", AT))
    with pytest.raises(followup.InvalidArgumentError) as e:
        g.check("C00001", "phone", AT, priority="soon")
    assert "(null)" not in str(e.value) and "'soon'" in str(e.value)


def test_besttime_best_takes_channel_names_and_customer_ids(book):
    bt = followup.BestTime(followup.policy_default(), book)
    i = book.find_customer("C00001")
    t0, t1 = "2026-11-24T00:00:00+08:00", "2026-11-26T00:00:00+08:00"

    def slots(*a, **k):
        return [(s.at_epoch, s.until_epoch, s.p) for s in bt.best(*a, **k)]
    want = slots(i, t0, t1, followup.CHANNEL_SMS)
    assert slots("C00001", t0, t1, "sms") == want
    assert slots("C00001", t0, t1, channel="SMS") == want
    assert slots(i, t0, t1, channel=followup.Channel.SMS) == want
    assert slots(customer="C00001", _from=t0, to=t1, channel="sms") == want
    assert bt.may_contact("C00001", t0, "sms") == bt.may_contact(i, t0, followup.CHANNEL_SMS)
    with pytest.raises(followup.NotFoundError, match=r"BestTime.best\(\): argument 1 \(customer\)"):
        bt.best("nobody", t0, t1)
    with pytest.raises(followup.InvalidArgumentError, match=r"BestTime.best\(\): argument channel"):
        bt.best(i, t0, t1, "pigeon")


def test_guard_decision_repr_says_what_it_holds(book):
    d = followup.Guard(followup.policy_default(), book).check("C00001", "phone", AT)
    r = repr(d)
    assert "Swig" not in r and "proxy" not in r
    assert r.startswith("<followup.GuardDecision allowed=") and repr(d.allowed) in r
