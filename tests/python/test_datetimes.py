"""Datetimes at the boundary (issue 17, item 5): every time attribute keeps
its UTC epoch seconds and has a `<name>_dt` twin, a timezone-aware datetime
(UTC; None where the library says "no time"). Expected values by hand."""
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
    assert c1.first_purchase_at_dt == dt.datetime(2025, 1, 10, 2, 0, tzinfo=UTC)
    assert c1.first_purchase_at == int(c1.first_purchase_at_dt.timestamp())  # the epoch stays
    assert c2.first_purchase_at_dt is None
    ev = b.event(b.events_begin(0))
    assert ev.at_dt == dt.datetime(2026, 2, 20, 2, 0, tzinfo=UTC)



def test_touchpoint_datetimes(srcdir):
    b = sample_book(srcdir)
    now = dt.datetime(2026, 11, 23, tzinfo=ZoneInfo("Asia/Shanghai"))  # a datetime in
    tps = list(followup.Planner(followup.policy_default(), b, agents=4).plan(now))
    assert tps
    for tp in tps:
        assert tp.best_at_dt.tzinfo is UTC and tp.best_at_dt.timestamp() == tp.best_at
        assert tp.due_from_dt <= tp.due_to_dt
        assert tp.due_from_dt.astimezone(ZoneInfo("Asia/Shanghai")).utcoffset() == dt.timedelta(hours=8)


def test_commitment_datetimes():
    led = followup.Ledger()
    at = dt.datetime(2026, 3, 1, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
    cid = led.add("C1", "refund", at, at + dt.timedelta(days=2))  # datetimes in
    rows = led.get(cid)
    assert rows.created_at_dt(0) == dt.datetime(2026, 3, 1, 2, tzinfo=UTC)
    assert rows.deadline_dt(0) == dt.datetime(2026, 3, 3, 2, tzinfo=UTC)
    assert rows.closed_at_dt(0) is None  # still open
    led.fulfill(cid, dt.datetime(2026, 3, 2, tzinfo=UTC))
    rows = led.query(events=True)
    assert rows.closed_at_dt(0) == dt.datetime(2026, 3, 2, tzinfo=UTC)
    assert rows.event_at_dt(0, 0) == dt.datetime(2026, 3, 1, 2, tzinfo=UTC)  # created
    led.close()
