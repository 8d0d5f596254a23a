"""Issue 13, item 2: one handle used by several threads.

The binding releases the GIL in every call, so eight Python threads calling
one Ledger.add, one Planner.plan or one Redactor.apply used to run the C code
of one handle at the same time (segfaults, "double free", a ledger where add
returned 21 times but one row existed). Each call now locks the handles it is
given. For every handle type, eight threads call it at once (started together
by a barrier, several rounds) and must get exactly what a serial run gets; the
ledger must keep every acknowledged write and stay a sound SQLite file.
"""
import math
import pathlib
import sqlite3
import threading

import numpy as np
import pytest

import followup
from fu_helpers import book_of_dir

NTHREADS = 8
ROUNDS = 3
SAMPLE = pathlib.Path(__file__).resolve().parents[2] / "examples" / "sample" / "data"
NOW = followup.time_parse("2026-11-23T00:00:00+08:00")
D = 86400


def sample_book():
    return book_of_dir(SAMPLE)


def hammer(fn, nthreads=NTHREADS, rounds=ROUNDS):
    """Run fn(thread_index, round) in nthreads threads at once, `rounds`
    times each; return the results by thread, raising the first error."""
    barrier = threading.Barrier(nthreads)
    results = [[] for _ in range(nthreads)]
    errors = []

    def run(i):
        try:
            for r in range(rounds):
                barrier.wait()
                results[i].append(fn(i, r))
        except BaseException as e:  # noqa: B902 - reported below
            errors.append(e)
            barrier.abort()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(nthreads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return results


def same_as_serial(fn):
    """fn(i, r) run serially for every (i, r), then by 8 threads: equal
    (compared as text, so that NaN equals NaN)."""
    serial = [[fn(i, r) for r in range(ROUNDS)] for i in range(NTHREADS)]
    parallel = hammer(fn)
    assert repr(parallel) == repr(serial)


@pytest.fixture(scope="module")
def policy():
    return followup.policy_default()


@pytest.fixture(scope="module")
def book():
    return sample_book()


def test_policy_and_calendar(policy):
    cal = policy.calendar()

    def work(i, r):
        t = NOW + 3600 * (i * 7 + r)
        return (policy.summary(), policy.get_number("capacity.calls_per_agent_day.max"),
                cal.next_open(t), cal.add_business(t, 3600 * (1 + i)), cal.is_open(t),
                cal.add_working_days(t, 1 + r))

    same_as_serial(work)


def test_book_read_by_eight_threads(book):
    def work(i, r):
        k = (i * 37 + r) % book.customer_count()
        c = book.customer(k)
        j = book.events_begin(k)
        e = book.event(j)
        return (c.id, c.tz, book.find_customer(c.id), e.at, e.kind, book.stats().events,
                len(book.customers_csv()) if r == 0 else None)

    same_as_serial(work)


def test_book_written_by_eight_threads_keeps_every_customer():
    b = followup.Book()
    n = 200

    def work(i, r):
        return [b.add_customer(f"T{i}-{r}-{k}", "Asia/Shanghai") for k in range(n)]

    got = hammer(work)
    indexes = sorted(x for per_thread in got for batch in per_thread for x in batch)
    assert indexes == list(range(NTHREADS * ROUNDS * n))
    assert b.customer_count() == NTHREADS * ROUNDS * n
    ids = {b.customer(k).id for k in range(b.customer_count())}
    assert ids == {f"T{i}-{r}-{k}" for i in range(NTHREADS) for r in range(ROUNDS) for k in range(n)}


def test_planner_and_plan(policy, book):
    pl = followup.Planner(policy, book)
    shared_plan = pl.plan(NOW)

    def work(i, r):
        whole = pl.plan(NOW + r * D).csv()
        one = pl.plan_customer((i * 13 + r) % book.customer_count(), NOW).csv()
        tp = shared_plan.touchpoint(followup.TOUCHPOINT_PLANNED, (i + r) % len(shared_plan))
        return whole, one, shared_plan.csv(), (tp.customer_id, tp.best_at, tp.rule)

    same_as_serial(work)


def test_planner_feed_from_eight_threads(policy, book):
    """Each thread feeds its own customers; the planner's book keeps every
    event (fed events are appended to the book, so each run has its own)."""
    ids = [book.customer(k).id for k in range(NTHREADS * ROUNDS)]

    def fed_plan():
        b = sample_book()
        return followup.Planner(policy, b), b

    def work_on(pl):
        def work(i, r):
            return pl.feed(ids[i * ROUNDS + r], NOW, followup.EVENT_DELIVERY, order_id=f"F{i}-{r}").csv()
        return work

    serial_pl, serial_book = fed_plan()
    serial = [[work_on(serial_pl)(i, r) for r in range(ROUNDS)] for i in range(NTHREADS)]
    shared, shared_book = fed_plan()
    assert hammer(work_on(shared)) == serial
    assert shared.plan(NOW).csv() == serial_pl.plan(NOW).csv()
    assert shared_book.event_count() == book.event_count() + NTHREADS * ROUNDS
    assert shared_book.events_csv() == serial_book.events_csv()


def test_besttime(policy, book):
    m = followup.BestTime(policy, book)

    def work(i, r):
        c = (i * 11 + r) % m.customer_count()
        e = m.posterior(c, (i + r) % m.slot_count(), NOW)
        slots = m.best(c, NOW, NOW + 3 * D)
        mat = m.customer_matrix(c, NOW)
        mat = mat.tolist() if hasattr(mat, "tolist") else mat
        m.fit_prior()
        return e.p, e.lo, e.hi, [(s.at, s.p) for s in slots], mat

    same_as_serial(work)


def test_segment_objects(policy, book):
    rules = followup.segment_rules_from_policy(policy)
    summary = followup.segment_book(book, NOW, rules)
    x, t_x, T, zbar = summary.x(), summary.t_x(), summary.T(), summary.zbar()
    rep = [k for k in range(len(x)) if x[k] > 0]
    bg = followup.bgnbd_fit(x, t_x, T)
    gg = followup.gammagamma_fit([x[k] for k in rep], [zbar[k] for k in rep])

    def work(i, r):
        s = followup.segment_book(book, NOW - r * D, rules)
        p_alive = followup.bgnbd_p_alive(bg, x, t_x, T)
        clv = followup.bgnbd_clv(bg, gg, x, t_x, T, zbar, 4.0)
        fit = followup.bgnbd_fit(x, t_x, T) if (i + r) % 4 == 0 else None
        assert isinstance(p_alive, np.ndarray) and isinstance(clv, np.ndarray)
        # compared in full (repr of a long array elides the middle)
        return (summary.rfm_codes().tolist(), summary.rfm_groups().tolist(), s.x().tolist(), p_alive.tolist(),
                [v if math.isfinite(v) else None for v in clv.tolist()],
                None if fit is None else (fit.r, fit.alpha, fit.a, fit.b))

    same_as_serial(work)


def test_kpi(policy, book):
    k = followup.Kpi(policy, "week", "tier")
    k.add_book(book)

    def work(i, r):
        n = k.compute()
        return n, k.csv(), k.figure((i + r) % n).value, k.records()[0]

    same_as_serial(work)


def test_redactor_counts_every_call():
    red = followup.Redactor()
    text = "call 13812345678 or mail li.lei@example.com, card 6222 0212 3456 7890 123"
    ref = red.apply(text)
    red.reset_counts()
    per_text = None

    def work(i, r):
        return [red.apply(text) for _ in range(50)]

    for batch in hammer(work):
        for masked in batch:
            assert masked == [ref] * 50
    per_text = followup.Redactor()
    per_text.apply(text)
    assert red.total() == per_text.total() * NTHREADS * ROUNDS * 50


def test_extractor(policy):
    ex = followup.extractor_from_policy(policy)
    cal = policy.calendar()
    notes = ["承诺3个工作日内解决，2小时内到场", "we will call back within 2 business days",
             "promised a fix within 24 hours", "回访正常,无新需求。"]

    def work(i, r):
        x = ex.run(cal, notes[(i + r) % len(notes)], NOW)
        return ([(x.promise_text(k), x.promise_deadline(k)) for k in range(x.promise_count())],
                [x.risk_rule(k) for k in range(x.risk_count())])

    same_as_serial(work)


def test_ledger_keeps_every_acknowledged_write(tmp_path, policy):
    path = tmp_path / "shared.db"
    led = followup.ledger_from_policy(policy, str(path))
    n = 25

    def work(i, r):
        ids = [led.add(f"C{i}-{r}-{k}", "will call back", NOW, NOW + D, owner="repair") for k in range(n)]
        led.tick(NOW + 2 * D)
        return ids

    got = hammer(work)
    ids = [x for per_thread in got for batch in per_thread for x in batch]
    assert len(ids) == len(set(ids)) == NTHREADS * ROUNDS * n
    assert led.count() == NTHREADS * ROUNDS * n
    lst = led.query()
    assert {lst.customer_id(k) for k in range(lst.count())} == {
        f"C{i}-{r}-{k}" for i in range(NTHREADS) for r in range(ROUNDS) for k in range(n)}
    del lst, led
    with sqlite3.connect(path) as db:
        assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
    again = followup.Ledger(str(path))
    assert again.count() == NTHREADS * ROUNDS * n
