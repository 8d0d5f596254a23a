"""Book.append_events / Book.generation from Python, and Planner.feed appending to the book."""
import math

import pytest

import followup

CUST = "customer_id,tz\nA,Asia/Shanghai\nB,UTC\n"
EV = ("customer_id,at,kind,order_id,note\n"
      "A,2026-01-05T10:00:00Z,purchase,O1,\n"
      "A,2026-01-07T10:00:00Z,delivery,O1,\n"
      "B,2026-01-06T10:00:00Z,inquiry,,hello\n")


def book(flags=0):
    b = followup.Book(flags=flags)
    b.read_customers_text(CUST)
    b.read_events_text(EV)
    return b


def kinds(b, cust):
    i = b.find_customer(cust)
    return [(followup.event_kind_name(b.event(j).kind), b.event(j).at_epoch) for j in range(b.events_begin(i), b.events_end(i))]


def test_append_merges_in_time_order_and_drops_duplicates():
    b = book()
    g = b.generation()
    batch = followup.EventBatch()
    t = followup.time_parse
    batch.add("A", t("2026-01-06T10:00:00Z"), followup.EVENT_FAULT, order_id="O1", severity=followup.SEVERITY_URGENT)
    batch.add("A", t("2026-01-05T10:00:00Z"), followup.EVENT_PURCHASE, order_id="O1")  # exact duplicate
    batch.add("B", t("2026-01-06T10:00:00Z"), followup.EVENT_RESOLVED, note="done")  # same time: after the inquiry
    assert batch.count() == 3
    b.append_events(batch)
    assert b.generation() != g
    assert b.is_finalized()
    assert b.event_count() == 5
    assert b.stats().duplicates_dropped == 1
    A = t("2026-01-05T10:00:00Z")
    assert kinds(b, "A") == [("purchase", A), ("fault", A + 86400), ("delivery", A + 2 * 86400)]
    assert [k for k, _ in kinds(b, "B")] == ["inquiry", "resolved"]
    # the same book built in one go writes the same CSV
    whole = followup.Book()
    whole.read_customers_text(CUST)
    whole.read_events_text(EV + "A,2026-01-06T10:00:00Z,fault,O1,\nA,2026-01-05T10:00:00Z,purchase,O1,\n"
                           "B,2026-01-06T10:00:00Z,resolved,,done\n")
    assert b.events_csv().replace(",urgent,", ",,") == whole.events_csv()
    assert b.events_csv().count(",urgent,") == 1


def test_append_is_all_or_nothing():
    b = book()
    before, g = b.events_csv(), b.generation()
    batch = followup.EventBatch()
    batch.add("A", followup.time_parse("2026-02-01T00:00:00Z"), followup.EVENT_REPAIR)
    batch.add("nobody", followup.time_parse("2026-02-01T00:00:00Z"), followup.EVENT_REPAIR)
    with pytest.raises(followup.NotFoundError) as info:
        b.append_events(batch)
    assert "event 1" in str(info.value)
    assert b.events_csv() == before and b.generation() == g
    batch.clear()
    assert batch.count() == 0
    b.append_events(batch)  # nothing to append
    assert b.events_csv() == before


def test_feed_is_visible_in_the_book_and_borrowed_book_takes_appends():
    b = book()
    pl = followup.Planner(followup.policy_default(), b)
    n0 = b.event_count()
    t0 = followup.time_parse("2026-01-08T10:00:00Z")
    pl.feed("A", t0, followup.EVENT_COMPLAINT, order_id="O1", horizon=86400)
    assert b.event_count() == n0 + 1
    assert kinds(b, "A")[-1] == ("complaint", t0)
    i = b.find_customer("A")
    assert b.event(b.events_end(i) - 1).order_id == "O1"
    # a borrowed book: add_event is refused, append_events accepted
    with pytest.raises(followup.StateError):
        b.add_event("B", t0, followup.EVENT_INQUIRY)
    batch = followup.EventBatch()
    batch.add("B", t0, followup.EVENT_INQUIRY, score=math.nan)
    b.append_events(batch)
    assert b.event_count() == n0 + 2


def test_feed_locks_the_book_against_readers_in_other_threads():
    """Planner.feed writes the book: Book calls from other threads wait for it."""
    import threading

    b = book()
    pl = followup.Planner(followup.policy_default(), b)
    t0 = followup.time_parse("2026-01-08T10:00:00Z")
    stop = threading.Event()
    seen = []

    def reader():
        while not stop.is_set():
            seen.append(len(b.events_csv()))  # a whole CSV of some generation of the book

    threads = [threading.Thread(target=reader) for _ in range(3)]
    for t in threads:
        t.start()
    try:
        for k in range(200):
            pl.feed("A" if k % 2 else "B", t0 + k, followup.EVENT_CONTACT, channel=followup.CHANNEL_PHONE,
                    outcome=followup.OUTCOME_NO_ANSWER, horizon=86400)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert b.event_count() == 3 + 200
    assert seen
