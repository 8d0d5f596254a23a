"""Datetimes at the boundary (issue 17, item 5): every time attribute and time
method of the core objects returns a timezone-aware datetime (UTC; None where
the library says "no time"); the UTC epoch seconds are `<name>_epoch`, and
`<name>_dt` stays as an alias of the datetime. Expected values by hand."""
import datetime as dt
from zoneinfo import ZoneInfo

import followup
from fu_helpers import sample_book

UTC = dt.timezone.utc
CUST = "customer_id,tz,annual_spend,first_purchase_at,industry,is_smb,consent_phone,consent_sms,consent_email\n"
EV = "customer_id,at,kind,order_id,product_class,unit_price,amount,severity,channel,outcome\n"


def test_to_datetime():
    assert followup.to_datetime(0) == dt.datetime(1970, 1, 1, tzinfo=UTC)
    d = followup.to_datetime(1772330400)  # 2026-03-01T10:00:00+08:00
    assert d == dt.datetime(2026, 3, 1, 2, 0, tzinfo=UTC) and d.tzinfo is UTC
    sh = followup.to_datetime(1772330400, "Asia/Shanghai")
    assert (sh.hour, sh.utcoffset()) == (10, dt.timedelta(hours=8)) and sh == d
    assert followup.to_datetime(followup.BOOK_NO_TIME) is None
    assert followup.to_datetime(followup.COMMIT_NO_TIME) is None
    assert followup.to_datetime(None) is None


def test_customer_event_touchpoint_datetimes():
    b = followup.Book()
    b.read_customers_text(CUST + "C1,Asia/Shanghai,20000,2025-01-10T10:00:00+08:00,,,yes,yes,yes\n"
                          "C2,Asia/Shanghai,,,,,yes,yes,yes\n", "c.csv")
    b.read_events_text(EV + "C1,2026-02-20T10:00:00+08:00,contact,,,,,,phone,answered\n", "e.csv")
    b.finalize()
    c1, c2 = b.customer(0), b.customer(1)
    assert c1.first_purchase_at == dt.datetime(2025, 1, 10, 2, 0, tzinfo=UTC)
    assert c1.first_purchase_at_dt == c1.first_purchase_at  # the old name stays
    assert c1.first_purchase_at_epoch == 1736474400  # the epoch under an explicit name
    assert c2.first_purchase_at is None and c2.first_purchase_at_epoch == followup.BOOK_NO_TIME
    ev = b.event(b.events_begin(0))
    assert ev.at == dt.datetime(2026, 2, 20, 2, 0, tzinfo=UTC) and ev.at_epoch == 1771552800



def test_touchpoint_datetimes(srcdir):
    b = sample_book(srcdir)
    now = dt.datetime(2026, 11, 23, tzinfo=ZoneInfo("Asia/Shanghai"))  # a datetime in
    tps = list(followup.Planner(followup.policy_default(), b, agents=4).plan(now))
    assert tps
    for tp in tps:
        assert tp.best_at.tzinfo is UTC and tp.best_at.timestamp() == tp.best_at_epoch
        assert tp.due_from <= tp.best_at <= tp.due_to or tp.status_rule
        assert tp.due_from.astimezone(ZoneInfo("Asia/Shanghai")).utcoffset() == dt.timedelta(hours=8)
        assert type(tp.trigger_at) is dt.datetime and tp.best_at_dt == tp.best_at


def test_commitment_datetimes():
    led = followup.Ledger()
    at = dt.datetime(2026, 3, 1, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
    cid = led.add("C1", "refund", at, at + dt.timedelta(days=2))  # datetimes in
    rows = led.get(cid)
    assert rows.created_at(0) == dt.datetime(2026, 3, 1, 2, tzinfo=UTC)
    assert rows.deadline(0) == dt.datetime(2026, 3, 3, 2, tzinfo=UTC) == rows.deadline_dt(0)
    assert rows.deadline_epoch(0) == 1772503200
    assert rows.closed_at(0) is None and rows.closed_at_epoch(0) == followup.COMMIT_NO_TIME  # still open
    led.fulfill(cid, dt.datetime(2026, 3, 2, tzinfo=UTC))
    rows = led.query(events=True)
    assert rows.closed_at(0) == dt.datetime(2026, 3, 2, tzinfo=UTC)
    assert rows.event_at(0, 0) == dt.datetime(2026, 3, 1, 2, tzinfo=UTC)  # created
    led.close()


def test_kpi_figure_and_sim_report_datetimes(srcdir):
    b = followup.Book()
    b.read_customers_text(CUST + "C1,Asia/Shanghai,20000,2025-01-10T10:00:00+08:00,,,yes,yes,yes\n", "c.csv")
    b.read_events_text(EV + "C1,2026-03-02T10:00:00+08:00,delivery,O1,,,,,,\n", "e.csv")
    b.finalize()
    k = followup.Kpi(followup.policy_default(), as_of=dt.datetime(2026, 3, 9, tzinfo=ZoneInfo("Asia/Shanghai")))
    k.add_book(b)
    k.compute()
    f = k.figure(0)
    assert isinstance(f.period_start, dt.datetime) and f.period_start.tzinfo is UTC
    assert f.period_start.timestamp() == f.period_start_epoch
    r = followup.Planner(followup.policy_default(), b).simulate(dt.datetime(2026, 3, 1, tzinfo=UTC),
                                                                "2026-03-08T00:00:00Z", 86400)
    assert (r.from_, r.to) == (dt.datetime(2026, 3, 1, tzinfo=UTC), dt.datetime(2026, 3, 8, tzinfo=UTC))
    assert r.from_epoch == 1772323200
    assert r.day(0).start == dt.datetime(2026, 2, 28, 16, tzinfo=UTC)  # a local (Shanghai) day


def test_none_and_wrong_types_say_python_types():
    import re
    cases = [(lambda: followup.bgnbd_p_alive(None, [1.0], [1.0], [2.0]),
              "bgnbd_p_alive(): argument 1 (m) must be followup.BgNbd, not None"),
             (lambda: followup.Planner(None, followup.Book()),
              "Planner(): argument 1 (policy) must be followup.Policy, not None"),
             (lambda: followup.segment_book(None, 0), "segment_book(): argument 1 (book) must be followup.Book, not None"),
             (lambda: followup.Calendar(None), "Calendar(): argument 1 (tzid) must be str, not None"),
             (lambda: followup.Book().customer("x"), "Book.customer(): argument 1 (index) must be int, not str")]
    for call, text in cases:
        try:
            call()
        except TypeError as e:
            assert str(e) == text
            assert not re.search(r"fu_\w+|NULL|int64_t|size_t|char const|SWIG", str(e)), str(e)
        else:
            raise AssertionError("no TypeError: " + text)
    # None where C accepts it (no spend model) still works
    m = followup.BgNbd(0.24, 4.41, 0.79, 2.43)
    assert len(followup.bgnbd_clv(m, None, [1.0], [1.0], [2.0], [20.0], 52 / 12, periods=1)) == 1


def test_signatures_show_python_types():
    import inspect
    s = inspect.signature(followup.Planner.plan)
    assert str(s.parameters["now"].annotation) == "datetime | str | int"
    assert "int64_t" not in followup.Planner.plan.__doc__ and "size_t" not in followup.Book.customer.__doc__
    assert inspect.signature(followup.Touchpoint.best_at.fget).return_annotation == "Optional[datetime.datetime]"


def test_never_is_none_and_the_epoch_keeps_it():
    b = followup.Book()
    b.read_customers_text("customer_id,tz,consent_phone,consent_sms,consent_email\nA,Asia/Shanghai,yes,yes,no\n",
                          "c.csv")
    b.finalize()
    with followup.Guard(followup.policy_default(), b) as g:
        d = g.check("A", "email", dt.datetime(2026, 3, 12, 2, tzinfo=UTC))
        assert d.rule == "customer.consent_email"
        assert d.next_allowed is None and d.next_allowed_epoch == followup.BESTTIME_NEVER
        ok = g.check("A", "phone", dt.datetime(2026, 3, 12, 2, tzinfo=UTC))
        assert ok.allowed and ok.next_allowed == dt.datetime(2026, 3, 12, 2, tzinfo=UTC)
    assert followup.to_datetime(followup.BESTTIME_NEVER) is None
