"""A book appended to in one thread while a Planner plans from it, or a Kpi
computes from it, in another (docs/bindings.md "Threads": calls on handles
are serialised; a planner's and a KPI engine's calls lock the book they read).
Before the fix, plan() crashed (segfault in the planner's per-customer pass)
or raised a wrong StateError within seconds. Also the misuses a user review
found: append_events(None) crashed, apply_many(str) masked nothing."""
import pathlib
import threading

import pytest

import followup

from fu_helpers import book_of_dir  # noqa: E402

SAMPLE = pathlib.Path(__file__).resolve().parents[2] / "examples" / "sample" / "data"
ROUNDS = 60


def sample_book():
    return book_of_dir(SAMPLE)


def batch(book, k):
    eb = followup.EventBatch()
    for i in range(50):
        eb.add(book.customer(i % 300).id, 1764000000 + k * 1000 + i, followup.EVENT_CONTACT,
               channel=followup.CHANNEL_PHONE)
    return eb


def append_while(book, read):
    """`read()` in a second thread while this one appends ROUNDS batches and
    writes the book; returns the reads made and the first error."""
    stop = threading.Event()
    errors, reads = [], [0]

    def reader():
        while not stop.is_set():
            try:
                read()
                reads[0] += 1
            except BaseException as e:  # noqa: B902 - reported below
                errors.append(e)
                return

    th = threading.Thread(target=reader)
    th.start()
    try:
        for k in range(ROUNDS):
            book.append_events(batch(book, k))
            if k % 5 == 0:
                book.events_csv()
    finally:
        stop.set()
        th.join()
    return reads[0], errors


def test_plan_while_the_book_grows():
    b = sample_book()
    n0 = b.event_count()
    p = followup.Planner(followup.policy_default(), b)
    reads, errors = append_while(b, lambda: p.plan("2026-12-01T00:00:00Z"))
    assert errors == []
    assert reads > 0
    assert b.event_count() == n0 + ROUNDS * 50


def test_kpi_compute_while_the_book_grows():
    b = sample_book()
    k = followup.Kpi(followup.policy_default(), period="month")
    k.add_book(b)
    reads, errors = append_while(b, k.compute)
    assert errors == []
    assert reads > 0
    # the last compute sees every appended contact: same figures as a fresh engine
    k.compute()
    fresh = followup.Kpi(followup.policy_default(), period="month")
    fresh.add_book(b)
    fresh.compute()
    assert k.csv() == fresh.csv()


def test_append_events_none_is_a_type_error_not_a_crash():
    b = sample_book()
    with pytest.raises(followup.Error, match="expected an event batch"):
        b.append_events(None)
    assert b.generation() == b.generation()


def test_apply_many_refuses_a_lone_text():
    r = followup.Redactor()
    with pytest.raises(TypeError, match="use apply"):
        r.apply_many("13812345678")
    with pytest.raises(TypeError):
        r.apply_many(b"13812345678")
    assert r.apply_many(["13812345678"])[0] != "13812345678"
