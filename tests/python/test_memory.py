"""Create/free loops over every handle type: memory must not grow (issue 2)."""
import gc

import pytest

import followup
from conftest import rss_kib


def growth_kib(make, warmup=200, rounds=2000):
    for _ in range(warmup):
        make()
    gc.collect()
    before = rss_kib()
    for _ in range(rounds):
        make()
    gc.collect()
    return rss_kib() - before


def test_policy_load_free_does_not_grow():
    def make():
        p = followup.policy_default()
        assert p.name() == "builtin"
    assert growth_kib(make, warmup=20, rounds=300) < 4096


def test_policy_errors_do_not_grow():
    def make():
        with pytest.raises(followup.PolicyError):
            followup.policy_load_string("name: x\ncaps:\n  limits:\n    a: {max: -1, per: 1d}\n")
    assert growth_kib(make, warmup=20, rounds=300) < 4096


def test_book_read_free_does_not_grow(srcdir):
    customers = (srcdir / "tests/data/book/customers.csv").read_text()
    events = (srcdir / "tests/data/book/events.csv").read_text()

    def make():
        b = followup.Book()
        b.read_customers_text(customers)
        b.read_events_text(events)
        assert b.event_count() == 7
    assert growth_kib(make) < 4096


def test_windows_and_dates_do_not_grow():
    def make():
        w = followup.Windows("Mon-Fri 09:00-12:00;Sat 10:00-12:00")
        assert w.contains(600)
        d = followup.date_parse("2025-10-01")
        assert followup.date_format(d) == "2025-10-01"
    assert growth_kib(make, rounds=20000) < 2048
