"""fu_calendar from Python: ISO text, windows, zones with DST, business time."""
import pytest

import followup

# 2025-03-09 is the US spring-forward day; 2025-11-02 the fall-back day.
NY = "America/New_York"


def t(text):
    return followup.time_parse(text)


def test_time_parse_and_format_round_trip():
    assert t("1970-01-01T00:00:00Z") == 0
    assert t("2026-11-23T09:00:00+08:00") == 1795395600
    assert followup.time_format(1795395600, 8 * 3600) == "2026-11-23T09:00:00+08:00"


def test_time_without_offset_is_a_parse_error_with_column():
    with pytest.raises(followup.ParseError) as info:
        t("2026-11-23T09:00:00")
    assert info.value.code == followup.core.EPARSE
    assert "offset" in info.value.message
    assert info.value.column > 0


def test_unknown_zone_raises_timezone_error():
    with pytest.raises(followup.TimeZoneError) as info:
        followup.Calendar("Mars/Olympus_Mons")
    assert "Mars/Olympus_Mons" in str(info.value)


def test_local_time_across_dst_in_new_york():
    cal = followup.Calendar(NY)
    assert cal.tzid() == NY
    # 2025-03-09 07:00Z is 03:00 EDT (02:00-03:00 does not exist)
    assert cal.utc_offset(t("2025-03-09T06:59:59Z")) == -5 * 3600
    assert cal.utc_offset(t("2025-03-09T07:00:00Z")) == -4 * 3600
    loc = cal.to_local(t("2025-11-02T05:30:00Z"))  # first 01:30, still EDT
    assert (loc.year, loc.month, loc.day, loc.hour, loc.minute) == (2025, 11, 2, 1, 30)
    # The gap: 02:30 local on 2025-03-09 moves forward by the gap, to 03:30 EDT
    gap = followup.Local(2025, 3, 9, 2, 30)
    assert cal.from_local(gap) == t("2025-03-09T03:30:00-04:00")
    # The overlap: 01:30 local on 2025-11-02 is the earlier instant by default
    overlap = followup.Local(2025, 11, 2, 1, 30)
    assert cal.from_local(overlap) == t("2025-11-02T01:30:00-04:00")


def test_hour_of_week_single_and_bulk():
    cal = followup.Calendar("Asia/Shanghai")
    monday_9 = t("2026-11-23T09:00:00+08:00")  # a Monday
    assert cal.hour_of_week(monday_9) == 9
    assert cal.hour_of_week_bulk([monday_9, monday_9 + 86400 * 6 + 3600 * 14]).tolist() == [9, 6 * 24 + 23]


def test_cn_working_days_2025_national_day():
    cal = followup.Calendar("Asia/Shanghai")
    cal.set_hours_text("Mon-Fri 09:00-12:00;Mon-Fri 13:30-18:00")
    cal.add_holiday(followup.date_parse("2025-10-01"), followup.date_parse("2025-10-08"))
    cal.add_workday(followup.date_parse("2025-09-28"))
    cal.add_workday(followup.date_parse("2025-10-11"))
    assert cal.is_working_day(followup.date_parse("2025-09-28"))      # Sunday, make-up day
    assert not cal.is_working_day(followup.date_parse("2025-10-03"))  # holiday
    assert cal.is_working_day(followup.date_parse("2025-10-11"))      # Saturday, make-up day
    # Friday 2025-09-26 16:00 + 3 working days: Sun 09-28, Mon 09-29, Tue 09-30 -> close of 09-30
    start = t("2025-09-26T16:00:00+08:00")
    end = cal.add_working_days(start, 3, followup.WORKDAY_END_OF_DAY)
    assert end == t("2025-09-30T18:00:00+08:00")
    # 2 business hours from Tue 09-30 17:00: 1 h that day, then the next open hour is
    # Thu 10-09 09:00 (holidays to 10-08) -> 10:00
    assert cal.add_business(t("2025-09-30T17:00:00+08:00"), 7200) == t("2025-10-09T10:00:00+08:00")
    assert cal.business_between(t("2025-09-30T17:00:00+08:00"), t("2025-10-09T10:00:00+08:00")) == 7200


def test_windows_parse_and_query():
    w = followup.Windows("Mon-Fri 09:00-12:00;Sat 10:00-12:00")
    assert w.count() >= 2
    assert w.contains(9 * 60)           # Monday 09:00
    assert not w.contains(12 * 60)      # Monday 12:00 is the end, excluded
    assert w.contains(5 * 1440 + 10 * 60 + 30)  # Saturday 10:30
    assert w.next_start(12 * 60) == 1440 + 9 * 60  # Tuesday 09:00
    with pytest.raises(followup.ParseError) as info:
        followup.Windows("Mon-Fri 09:00-25:00")
    assert info.value.column > 1


def test_bulk_add_business_matches_single_calls():
    cal = followup.Calendar("Europe/Berlin")
    cal.set_hours_text("Mon-Fri 08:00-17:00")
    base = t("2025-10-24T15:00:00+02:00")
    starts = [base + i * 3571 for i in range(200)]
    bulk = cal.add_business_bulk_epoch(starts, 4 * 3600)
    assert bulk.tolist() == [cal.add_business(s, 4 * 3600) for s in starts]


def test_many_calendars_do_not_leak():
    from conftest import rss_kib
    for _ in range(300):
        followup.Calendar("Europe/Berlin")
    before = rss_kib()
    for _ in range(3000):
        c = followup.Calendar("Europe/Berlin")
        c.set_hours_text("Mon-Fri 09:00-17:00")
        del c
    assert rss_kib() - before < 4096
