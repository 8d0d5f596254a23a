"""fu_besttime from Python: the model, the dialer's question, best hours,
the 7 x 24 matrices, B2B calendars. Values are worked out by hand with a
fixed prior Beta(1.5, 3.5) (strength 5, rate 0.3) and no decay."""
import gc

import pytest

import followup as fu

T = fu.time_parse
CST = 8 * 3600  # Asia/Shanghai, no DST

CUSTOMERS = (
    "customer_id,tz,industry,is_smb\n"
    "evening,Asia/Shanghai,,\n"       # answers only at 19:00 on Tuesdays
    "newbie,Asia/Shanghai,,\n"        # no evidence
    "nyb2b,America/New_York,retail,\n"  # B2B by industry, New York
    "nysmb,America/New_York,,yes\n"   # B2B by is_smb yes
)
# four answered calls, Tuesdays 19:00 local (2025-02-25 is a Tuesday)
EVENTS = "customer_id,at,kind,channel,outcome\n" + "".join(
    f"evening,2025-{d}T19:00:00+08:00,contact,phone,answered\n"
    for d in ("02-25", "03-04", "03-11", "03-18")
)


def make_book():
    b = fu.Book()
    b.read_customers_text(CUSTOMERS)
    b.read_events_text(EVENTS)
    b.finalize()
    return b


def fixed_model(**kw):
    return fu.BestTime(fu.policy_default(), make_book(), prior_method=fu.BESTTIME_PRIOR_FIXED,
                       prior_strength=5, prior_answer_rate=0.3, half_life_seconds=-1, **kw)


def test_counts_and_prior():
    m = fixed_model()
    assert m.customer_count() == 4
    assert m.slot_count() == 168
    assert m.segment_count() == 1
    assert m.slot_of_hour(43) == 43
    a, b = m.prior(0, 43)
    assert a == pytest.approx(1.5) and b == pytest.approx(3.5)


def test_posterior_by_hand():
    m = fixed_model()
    now = T("2025-03-24T00:00:00+08:00")
    e = m.posterior(0, 1 * 24 + 19, now)  # Tuesday 19h: 4 of 4
    assert (e.alpha, e.beta, e.successes, e.trials) == pytest.approx((5.5, 3.5, 4, 4))
    assert e.p == pytest.approx(5.5 / 9)
    assert e.lo == pytest.approx(fu.beta_quantile(0.05, 5.5, 3.5), abs=1e-9)
    assert e.hi == pytest.approx(fu.beta_quantile(0.95, 5.5, 3.5), abs=1e-9)
    # Wednesday 19h: the same time on another weekday counts half (share_day 0.5)
    assert m.posterior(0, 2 * 24 + 19, now).p == pytest.approx(3.5 / 7)
    # Tuesday 18h: the neighbouring hour counts a quarter (share_hour 0.25)
    assert m.posterior(0, 1 * 24 + 18, now).p == pytest.approx(2.5 / 6)
    with pytest.raises(fu.InvalidArgumentError):
        m.posterior(0, 168, now)


def test_answers_only_at_19_make_19_the_best_hour():
    m = fixed_model()
    tue = T("2025-03-25T00:00:00+08:00")
    slots = m.best(0, tue, tue + 86400, k=3)
    assert len(slots) == 3
    best = slots[0]
    assert best.at_epoch == T("2025-03-25T19:00:00+08:00")
    assert best.until_epoch == T("2025-03-25T20:00:00+08:00")
    assert best.hour_of_week == 1 * 24 + 19
    assert best.p == pytest.approx(5.5 / 9)
    assert best.lo == pytest.approx(fu.beta_quantile(0.05, 5.5, 3.5), abs=1e-9)
    assert best.hi == pytest.approx(fu.beta_quantile(0.95, 5.5, 3.5), abs=1e-9)
    assert best.rule is None and best.next_allowed_epoch == best.at_epoch
    # then 18h and 20h (a quarter of the evidence each), earlier first
    assert [s.hour_of_week for s in slots[1:]] == [42, 44]
    assert slots[1].p == pytest.approx(2.5 / 6)
    # no interval on request
    s = m.best(0, tue, tue + 86400, query_flags=fu.BESTTIME_NO_INTERVAL)[0]
    assert s.lo != s.lo and s.hi != s.hi  # NaN


def test_may_contact_at_23_says_quiet_hours_until_8_next_morning():
    m = fixed_model()
    allowed, rule, nxt = m.may_contact(0, T("2025-03-25T23:00:00+08:00"))
    assert allowed is False
    assert rule == "quiet_hours.allowed"
    assert nxt == T("2025-03-26T08:00:00+08:00")
    assert fu.time_format(nxt, CST) == "2025-03-26T08:00:00+08:00"
    assert m.may_contact(0, T("2025-03-25T10:00:00+08:00")) == (True, None, T("2025-03-25T10:00:00+08:00"))
    # urgent contacts still respect quiet hours
    assert m.may_contact(0, T("2025-03-25T23:00:00+08:00"), flags=fu.BESTTIME_URGENT)[1] == "quiet_hours.allowed"


def test_window_without_an_allowed_hour_explains_why():
    m = fixed_model()
    night = T("2025-03-25T22:00:00+08:00")
    slots = m.best(0, night, night + 4 * 3600)
    assert len(slots) == 1
    assert slots[0].at_epoch == fu.BESTTIME_NONE
    assert slots[0].rule == "quiet_hours.allowed"
    assert slots[0].next_allowed_epoch == T("2025-03-26T08:00:00+08:00")


def test_matrix_is_7_by_24_monday_first():
    m = fixed_model()
    now = T("2025-03-24T00:00:00+08:00")
    mx = m.customer_matrix(0, now)
    rows = [list(r) for r in mx]
    assert len(rows) == 7 and all(len(r) == 24 for r in rows)
    assert rows[1][19] == pytest.approx(5.5 / 9)   # Tuesday 19h
    assert rows[2][19] == pytest.approx(3.5 / 7)   # Wednesday 19h
    assert rows[6][19] == pytest.approx(0.3)       # Sunday: another day type
    best = max((v, d, h) for d, r in enumerate(rows) for h, v in enumerate(r))
    assert best[1:] == (1, 19)
    lo = m.customer_matrix(0, now, part="lo", level=0.9)
    assert lo[1][19] == pytest.approx(fu.beta_quantile(0.05, 5.5, 3.5), abs=1e-9)
    seg = m.segment_matrix(0)
    assert all(v == pytest.approx(0.3) for r in seg for v in r)
    with pytest.raises(fu.InvalidArgumentError):
        m.customer_matrix(0, now, part="median")


def test_matrix_is_a_numpy_array_when_numpy_is_there():
    np = pytest.importorskip("numpy")
    m = fixed_model()
    mx = m.customer_matrix(0, T("2025-03-24T00:00:00+08:00"))
    assert isinstance(mx, np.ndarray)
    assert mx.shape == (7, 24) and mx.dtype == np.float64
    assert np.unravel_index(np.argmax(mx), mx.shape) == (1, 19)


def test_segments_give_segment_matrices():
    m = fu.BestTime(fu.policy_default(), make_book(), segments=[1, 0, 0, 0], half_life_seconds=-1)
    assert m.segment_count() == 2
    assert m.segment_matrix(1)[1][19] > m.segment_matrix(0)[1][19]
    with pytest.raises(fu.InvalidArgumentError):
        fu.BestTime(fu.policy_default(), make_book(), segments=[0, 1])  # 2 values, 4 customers
    with pytest.raises(fu.InvalidArgumentError):
        fu.BestTime(fu.policy_default(), make_book(), segments=[0, 0, 0, -1])


def test_record_updates_online_and_fit_prior_refits():
    m = fixed_model()
    now = T("2025-03-31T00:00:00+08:00")
    before = m.posterior(1, 10, now).p  # newbie, Monday 10h
    assert before == pytest.approx(0.3)
    m.record(1, T("2025-03-24T10:00:00+08:00"), fu.OUTCOME_ANSWERED)
    assert m.posterior(1, 10, now).p == pytest.approx(2.5 / 6)
    m.fit_prior()
    with pytest.raises(fu.InvalidArgumentError):
        m.record(99, now, fu.OUTCOME_ANSWERED)


def test_b2b_in_new_york_gets_new_york_business_hours():
    m = fixed_model()
    wed = T("2025-03-26T00:00:00-04:00")
    slots = m.best(2, wed, wed + 86400)
    assert slots[0].at_epoch == T("2025-03-26T09:00:00-04:00")  # the cn hours, in New York time
    # 12:30 New York is the lunch break of the business hours
    allowed, rule, nxt = m.may_contact(2, T("2025-03-26T12:30:00-04:00"))
    assert (allowed, rule, nxt) == (False, "calendars.cn.hours", T("2025-03-26T13:30:00-04:00"))
    # cn holidays are Chinese dates: not applied in New York (2025-10-01 is National Day)
    assert m.may_contact(2, T("2025-10-01T10:00:00-04:00"))[0] is True
    # a consumer in New York starts at the quiet hours' 08:00
    m2 = fixed_model(b2b=0)
    assert m2.best(2, wed, wed + 86400)[0].at_epoch == T("2025-03-26T08:00:00-04:00")
    # is_smb yes counts by default, not when only industry counts
    assert m.best(3, wed, wed + 86400)[0].at_epoch == T("2025-03-26T09:00:00-04:00")
    m3 = fixed_model(b2b=fu.BESTTIME_B2B_INDUSTRY)
    assert m3.best(3, wed, wed + 86400)[0].at_epoch == T("2025-03-26T08:00:00-04:00")
    with pytest.raises(fu.InvalidArgumentError):
        fixed_model(b2b=0x80)


def test_best_day_for_every_customer():
    m = fixed_model()
    now = T("2025-03-24T12:00:00+08:00")  # Monday; tomorrow is Tuesday everywhere here
    day = m.best_day(now)
    assert len(day) == 4
    assert day[0].at_epoch == T("2025-03-25T19:00:00+08:00")
    assert day[1].at_epoch == T("2025-03-25T08:00:00+08:00")  # prior only: ties go to the earliest
    assert day[2].at_epoch == T("2025-03-25T09:00:00-04:00")
    for i, s in enumerate(day):  # the same as asking one by one for the local tomorrow
        frm, to = _local_tomorrow(i, now)
        one = m.best(i, frm, to, now=now)[0]
        assert (one.at_epoch, one.p, one.lo, one.hi) == (s.at_epoch, s.p, s.lo, s.hi)
    some = m.best_day(now, customers=[3, 0])
    assert [s.at_epoch for s in some] == [day[3].at_epoch, day[0].at_epoch]
    fixed = m.best_day(now, day=fu.Date(2025, 3, 26))
    assert fixed[0].at_epoch == T("2025-03-26T19:00:00+08:00")
    with pytest.raises(fu.InvalidArgumentError):
        m.best_day(now, customers=[7])


def _local_tomorrow(i, now):
    zone = ["Asia/Shanghai", "Asia/Shanghai", "America/New_York", "America/New_York"][i]
    cal = fu.Calendar(zone)
    loc = cal.to_local(now)
    d0 = fu.date_to_days(fu.Date(loc.year, loc.month, loc.day))
    nxt = fu.date_from_days(d0 + 1)
    nxt2 = fu.date_from_days(d0 + 2)
    return (cal.from_local(fu.Local(nxt.year, nxt.month, nxt.day)),
            cal.from_local(fu.Local(nxt2.year, nxt2.month, nxt2.day)))


def test_thompson_is_reproducible_by_seed():
    m = fixed_model()
    tue = T("2025-03-25T00:00:00+08:00")
    a = m.best(1, tue, tue + 86400, k=5, query_flags=fu.BESTTIME_THOMPSON, seed=7)
    b = m.best(1, tue, tue + 86400, k=5, query_flags=fu.BESTTIME_THOMPSON, seed=7)
    assert [s.at_epoch for s in a] == [s.at_epoch for s in b]
    assert [s.score for s in a] == [s.score for s in b]


def test_model_keeps_the_borrowed_policy_alive():
    pol = fu.policy_default()
    m = fu.BestTime(pol, make_book())
    del pol
    gc.collect()
    # the model reads the policy's quiet hours and calendar on every query
    assert m.may_contact(0, T("2025-03-25T23:00:00+08:00"))[1] == "quiet_hours.allowed"
    assert m.best(2, T("2025-03-26T00:00:00-04:00"), T("2025-03-27T00:00:00-04:00"))[0].rule is None


def test_slots_outlive_the_model():
    m = fixed_model()
    night = T("2025-03-25T22:00:00+08:00")
    s = m.best(0, night, night + 3600)[0]
    del m
    gc.collect()
    assert s.rule == "quiet_hours.allowed"


def test_errors_raise():
    m = fixed_model()
    with pytest.raises(fu.InvalidArgumentError):
        m.best(0, 10, 5)
    with pytest.raises(fu.InvalidArgumentError):
        m.may_contact(9, 0)
    with pytest.raises(fu.NotFoundError):
        fu.BestTime(fu.policy_default(), make_book(), b2b_calendar="nope")
    b = fu.Book()
    b.read_customers_text(CUSTOMERS)
    with pytest.raises(fu.StateError):
        fu.BestTime(fu.policy_default(), b)  # not finalized
