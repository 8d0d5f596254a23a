"""fu_book from Python: CSV reading with positioned errors, records, round trip."""
import math

import pytest

import followup


def fixture_book(srcdir, flags=0):
    b = followup.Book(flags=flags)
    b.read_customers_csv(str(srcdir / "tests/data/book/customers.csv"))
    b.read_events_csv(str(srcdir / "tests/data/book/events.csv"))
    return b


def test_fixture_customers_and_sorted_events(srcdir):
    b = fixture_book(srcdir)
    assert b.customer_count() == 4
    assert b.event_count() == 7
    assert b.stats().duplicates_dropped == 1
    c = b.customer(b.find_customer("C002"))
    assert (c.id, c.tz, c.annual_spend, c.industry) == ("C002", "Europe/Berlin", 12000.5, "retail")
    assert c.first_purchase_at_epoch == followup.BOOK_NO_TIME
    assert c.dnd_windows == "Mon-Sun 12:00-14:00" and c.preferred_windows is None
    assert (c.is_smb, c.consent_phone, c.consent_sms) == (followup.TRI_YES, followup.TRI_NO, followup.TRI_UNKNOWN)
    assert math.isnan(b.customer(2).annual_spend)
    i = b.find_customer("C001")
    events = [b.event(j) for j in range(b.events_begin(i), b.events_end(i))]
    assert [followup.event_kind_name(e.kind) for e in events] == ["purchase", "delivery", "contact", "contact"]
    assert events[0].at_epoch == 1767596400  # 2026-01-05T15:00:00+08:00
    assert events[0].note == b.string(events[0].note_sid) == "first order, CNC machine"
    assert events[1].note is None and events[1].note_sid == 0 and b.string(events[1].note_sid) is None
    assert [e.outcome for e in events[2:]] == [followup.OUTCOME_NO_ANSWER, followup.OUTCOME_ANSWERED]


def test_bad_value_raises_with_line_column_and_column_name():
    b = followup.Book()
    b.read_customers_text("customer_id,tz\nC1,UTC\n")
    with pytest.raises(followup.ParseError) as info:
        b.read_events_text("customer_id,at,kind\nC1,2026-01-05T10:00:00Z,sale\n", source_name="ev.csv")
    e = info.value
    assert (e.source, e.line, e.column, e.path) == ("ev.csv", 2, 25, "kind")
    assert "unknown event kind 'sale'" in e.message
    assert b.event_count() == 0  # nothing of the failed file was kept
    with pytest.raises(followup.RangeError) as info:
        b.read_customers_text("customer_id,tz,annual_spend\nC2,UTC,1e999\n")
    assert (info.value.line, info.value.column, info.value.path) == (2, 8, "annual_spend")
    with pytest.raises(followup.TimeZoneError):
        b.add_customer("C3", "Mars/Olympus")
    with pytest.raises(followup.NotFoundError):
        b.find_customer("C3")


def test_api_records_and_round_trip():
    b = followup.Book(flags=followup.BOOK_CREATE_CUSTOMERS)
    assert b.add_customer("A", "Asia/Shanghai", annual_spend=600000.0, consent_sms=followup.TRI_NO) == 0
    b.add_event("A", 2000, followup.EVENT_CONTACT, channel=followup.CHANNEL_PHONE,
                agent_id="A7", outcome=followup.OUTCOME_ANSWERED)
    b.add_event("A", 1000, followup.EVENT_PURCHASE, order_id="O1", amount=99.5)
    b.add_event("B", 1500, followup.EVENT_SURVEY, score=9, survey=followup.SURVEY_NPS)
    assert not b.is_finalized()
    with pytest.raises(followup.StateError):
        b.events_begin(0)
    b.finalize()
    assert b.customer(1).tz is None  # created by its event
    assert b.stats().customers_created == 1
    assert b.event(b.events_begin(0)).at_epoch == 1000
    with pytest.raises(followup.RangeError):
        b.add_event("A", 3000, followup.EVENT_SURVEY, score=11, survey=followup.SURVEY_NPS)
    text = b.events_csv()
    assert text.splitlines()[1] == "A,1970-01-01T00:16:40Z,purchase,O1,,,99.5,,,,,,,"
    c = followup.Book(flags=followup.BOOK_CREATE_CUSTOMERS)
    c.read_events_text(text)
    assert c.events_csv() == text


def test_enum_helpers():
    assert followup.event_kind_from_string("Course_Start") == followup.EVENT_COURSE_START
    assert followup.channel_name(followup.CHANNEL_VISIT) == "visit"
    assert followup.tristate_from_string("TRUE") == followup.TRI_YES
    with pytest.raises(followup.ParseError):
        followup.outcome_from_string("engaged")  # busy is an outcome since issue 15
    with pytest.raises(followup.InvalidArgumentError):
        followup.survey_name(9)
