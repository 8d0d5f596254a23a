/* fu_calendar: time text, weekly windows, zones, local time, business calendars.
 * Expected values are worked out by hand (and cross-checked against the
 * published DST dates of the zones and the State Council holiday notices). */
#include "fu_test.h"
#include "calendar_internal.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <unicode/ucal.h>
#include <unicode/ustring.h>

/* ------------------------------------------------------------ helpers */

#define T fu_test_time

static fu_date D(const char *s) {
    fu_date d = {0, 0, 0};
    int rc = fu_date_parse(s, strlen(s), &d);
    cr_assert_eq(rc, FU_OK, "parse %s: %s", s, fu_error_last()->message);
    return d;
}

static fu_calendar *cal_new(const char *tz) {
    fu_calendar *c = NULL;
    int rc = fu_calendar_new(&c, tz);
    cr_assert_eq(rc, FU_OK, "%s: %s", tz, fu_error_last()->message);
    cr_assert_not_null(c);
    return c;
}

static void assert_time(int64_t got, const char *want) {
    char buf[FU_TIME_TEXT_SIZE];
    int64_t w = T(want);
    fu_time_format(got, 0, FU_TIME_FORMAT_Z, buf, sizeof buf);
    cr_assert_eq(got, w, "got %s (%lld), want %s", buf, (long long)got, want);
}

static void set_hours(fu_calendar *c, const char *text) {
    int rc = fu_calendar_set_hours_text(c, text, strlen(text));
    cr_assert_eq(rc, FU_OK, "%s: %s", text, fu_error_last()->message);
}

static void holiday(fu_calendar *c, const char *first, const char *last) {
    fu_date a = D(first), b = D(last);
    cr_assert_eq(fu_calendar_add_holiday(c, &a, &b), FU_OK);
}

static void workday(fu_calendar *c, const char *day) {
    fu_date d = D(day);
    cr_assert_eq(fu_calendar_add_workday(c, &d, FU_MONDAY), FU_OK);
}

/* Shanghai office: 09:00-12:00 and 13:00-18:00 on weekdays (8 h a day). */
static fu_calendar *office_cn(void) {
    fu_calendar *c = cal_new("Asia/Shanghai");
    set_hours(c, "Mon-Fri 09:00-12:00,13:00-18:00");
    return c;
}

/* The 2025 State Council arrangements used below. */
static void cn_2025(fu_calendar *c) {
    holiday(c, "2025-01-28", "2025-02-04"); /* Spring Festival */
    workday(c, "2025-01-26");               /* Sunday */
    workday(c, "2025-02-08");               /* Saturday */
    holiday(c, "2025-10-01", "2025-10-08"); /* National Day + Mid-Autumn */
    workday(c, "2025-09-28");               /* Sunday */
    workday(c, "2025-10-11");               /* Saturday */
}

/* ------------------------------------------------------ ISO 8601 text */

struct time_good {
    char text[48];
    long long want;
    int offset;
};

ParameterizedTestParameters(calendar, time_parse_accepts) {
    static struct time_good p[] = {
        {"1970-01-01T00:00:00Z", 0, 0},
        {"1970-01-01T00:00:00+00:00", 0, 0},
        {"1970-01-02T00:00:00z", 86400, 0},
        {"2026-11-23T09:00:00+08:00", 1795395600, 28800},
        {"2026-11-23T01:00:00Z", 1795395600, 0},
        {"2026-11-23T09:00:00+0800", 1795395600, 28800},
        {"2026-11-23T09:00:00+08", 1795395600, 28800},
        {"2026-11-23T09:00:00.987654+08:00", 1795395600, 28800},
        {"2026-11-23T09:00:59,5+08:00", 1795395659, 28800},
        {"2026-11-23 09:00+08:00", 1795395600, 28800},
        {"  2026-11-23T09:00:00+08:00 ", 1795395600, 28800},
        /* 2000 is a leap year; -05:30 is west of UTC */
        {"2000-02-29T12:00:00-05:30", 951845400, -19800},
        {"2025-03-09T02:30:00-05:00", 1741505400, -18000},
        {"1969-12-31T23:59:59Z", -1, 0},
        {"0001-01-01T00:00:00Z", -62135596800LL, 0},
        {"9999-12-31T23:59:59Z", 253402300799LL, 0},
    };
    return cr_make_param_array(struct time_good, p, sizeof p / sizeof p[0]);
}

ParameterizedTest(struct time_good *p, calendar, time_parse_accepts) {
    int64_t t = 0;
    int off = 12345;
    int rc = fu_time_parse_offset(p->text, strlen(p->text), &off, &t);
    cr_assert_eq(rc, FU_OK, "%s: %s", p->text, fu_error_last()->message);
    cr_assert_eq(t, p->want, "%s: got %lld want %lld", p->text, (long long)t, p->want);
    cr_assert_eq(off, p->offset, "%s: offset %d", p->text, off);
}

struct time_bad {
    char text[48];
    int code;
    unsigned long column;
    char needle[40];
};

ParameterizedTestParameters(calendar, time_parse_rejects) {
    static struct time_bad p[] = {
        {"2026-11-23T09:00:00", FU_EPARSE, 20, "offset is required"},
        {"2026-11-23T09:00", FU_EPARSE, 17, "offset is required"},
        {"2026-11-23T09:00:00.5", FU_EPARSE, 22, "offset is required"},
        {"2026-11-23", FU_EPARSE, 11, "time and an offset are required"},
        {"2025-02-30T00:00:00Z", FU_EPARSE, 9, "no such day"},
        {"2023-02-29T00:00:00Z", FU_EPARSE, 9, "no such day"},
        {"2025-13-01T00:00:00Z", FU_EPARSE, 6, "month"},
        {"2025-01-01T25:00:00Z", FU_EPARSE, 12, "hour"},
        {"2025-01-01T24:00:00Z", FU_EPARSE, 12, "hour"},
        {"2025-01-01T10:60:00Z", FU_EPARSE, 15, "minutes"},
        {"2024-12-31T23:59:60Z", FU_EPARSE, 18, "seconds"},
        {"junk", FU_EPARSE, 1, "4-digit year"},
        {"", FU_EPARSE, 1, "4-digit year"},
        {"2025/01/01T00:00:00Z", FU_EPARSE, 5, "'-'"},
        {"2025-01-01X00:00:00Z", FU_EPARSE, 11, "'T'"},
        {"2025-01-01T00:00:00Zjunk", FU_EPARSE, 21, "unexpected text"},
        {"2025-01-01T00:00:00+8:00", FU_EPARSE, 21, "offset hour"},
        {"2025-01-01T00:00:00+08:60", FU_EPARSE, 20, "offset minutes"},
        {"2025-01-01T00:00:00.Z", FU_EPARSE, 21, "decimal point"},
        {"2025-01-01T00:00:00+19:00", FU_ERANGE, 20, "18:00"},
        {"0000-06-01T00:00:00Z", FU_ERANGE, 1, "year 0000"},
        {"0001-01-01T00:00:00+01:00", FU_ERANGE, 1, "outside years"},
    };
    return cr_make_param_array(struct time_bad, p, sizeof p / sizeof p[0]);
}

ParameterizedTest(struct time_bad *p, calendar, time_parse_rejects) {
    int64_t t = 777;
    int rc = fu_time_parse(p->text, strlen(p->text), &t);
    const fu_error *e = fu_error_last();
    cr_assert_eq(rc, p->code, "%s: rc %d (%s)", p->text, rc, e->message);
    cr_assert_eq(e->code, p->code);
    cr_assert_eq(t, 777, "output must be untouched on failure");
    cr_assert_eq(e->column, p->column, "%s: column %lu (%s)", p->text, e->column, e->message);
    cr_assert_str_eq(e->source, "<time>");
    cr_assert(strstr(e->message, p->needle), "%s: message '%s' lacks '%s'", p->text, e->message,
              p->needle);
}

Test(calendar, time_format_writes_offset_or_z) {
    char buf[FU_TIME_TEXT_SIZE];
    cr_assert_eq(fu_time_format(1795395600, 28800, 0, buf, sizeof buf), FU_OK);
    cr_assert_str_eq(buf, "2026-11-23T09:00:00+08:00");
    cr_assert_eq(fu_time_format(1795395600, 0, 0, buf, sizeof buf), FU_OK);
    cr_assert_str_eq(buf, "2026-11-23T01:00:00+00:00");
    cr_assert_eq(fu_time_format(1795395600, 0, FU_TIME_FORMAT_Z, buf, sizeof buf), FU_OK);
    cr_assert_str_eq(buf, "2026-11-23T01:00:00Z");
    cr_assert_eq(fu_time_format(951845400, -19800, FU_TIME_FORMAT_Z, buf, sizeof buf), FU_OK);
    cr_assert_str_eq(buf, "2000-02-29T12:00:00-05:30");
    cr_assert_eq(fu_time_format(-1, 0, FU_TIME_FORMAT_Z, buf, sizeof buf), FU_OK);
    cr_assert_str_eq(buf, "1969-12-31T23:59:59Z");
    cr_assert_eq(fu_time_format(-62135596800LL, 0, 0, buf, sizeof buf), FU_OK);
    cr_assert_str_eq(buf, "0001-01-01T00:00:00+00:00");
    cr_assert_eq(fu_time_format(253402300799LL, 0, 0, buf, sizeof buf), FU_OK);
    cr_assert_str_eq(buf, "9999-12-31T23:59:59+00:00");
}

Test(calendar, time_format_rejects_range_offset_and_small_buffer) {
    char buf[FU_TIME_TEXT_SIZE];
    cr_assert_eq(fu_time_format(253402300800LL, 0, 0, buf, sizeof buf), FU_ERANGE);
    cr_assert_eq(fu_time_format(253402300799LL, 3600, 0, buf, sizeof buf), FU_ERANGE);
    cr_assert_eq(fu_time_format(-62135596801LL, 0, 0, buf, sizeof buf), FU_ERANGE);
    cr_assert_eq(fu_time_format(INT64_MAX, 0, 0, buf, sizeof buf), FU_ERANGE);
    cr_assert_eq(fu_time_format(0, 30, 0, buf, sizeof buf), FU_EINVAL);
    cr_assert_eq(fu_time_format(0, 19 * 3600, 0, buf, sizeof buf), FU_EINVAL);
    cr_assert_eq(fu_time_format(0, 0, 0, buf, 25), FU_EINVAL);
    cr_assert_str_eq(buf, "");
    cr_assert_eq(fu_time_format(0, 0, FU_TIME_FORMAT_Z, buf, 21), FU_OK);
    cr_assert_str_eq(buf, "1970-01-01T00:00:00Z");
    cr_assert_eq(fu_time_format(0, 0, 0, NULL, 0), FU_EINVAL);
}

Test(calendar, time_format_parse_round_trip) {
    static const int offsets[] = {0, 28800, -18000, 19800, -34200, 50400, -43200, 20700};
    uint64_t x = 88172645463325252ULL;
    for (int i = 0; i < 4000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        int64_t t = -62135596800LL + 86400 + (int64_t)(x % (uint64_t)(253402300799LL + 62135596800LL - 2 * 86400));
        int off = offsets[i % 8];
        char buf[FU_TIME_TEXT_SIZE];
        cr_assert_eq(fu_time_format(t, off, FU_TIME_FORMAT_Z, buf, sizeof buf), FU_OK);
        int64_t back;
        int off2;
        cr_assert_eq(fu_time_parse_offset(buf, strlen(buf), &off2, &back), FU_OK, "%s", buf);
        cr_assert_eq(back, t, "%s", buf);
        cr_assert_eq(off2, off);
    }
}

Test(calendar, dates_parse_format_and_count_days) {
    fu_date d = D("2025-09-28");
    cr_assert_eq(d.year, 2025);
    cr_assert_eq(d.month, 9);
    cr_assert_eq(d.day, 28);
    cr_assert_eq(fu_date_weekday(&d), FU_SUNDAY);
    fu_date epoch = D("1970-01-01");
    cr_assert_eq(fu_date_weekday(&epoch), FU_THURSDAY);
    int64_t n;
    cr_assert_eq(fu_date_to_days(&epoch, &n), FU_OK);
    cr_assert_eq(n, 0);
    fu_date m = D("2000-03-01"); /* 30 years incl. 7 leap days + Jan, Feb 2000 */
    cr_assert_eq(fu_date_to_days(&m, &n), FU_OK);
    cr_assert_eq(n, 30 * 365 + 7 + 31 + 29);
    fu_date back;
    cr_assert_eq(fu_date_from_days(n, &back), FU_OK);
    cr_assert_eq(back.year, 2000);
    cr_assert_eq(back.month, 3);
    cr_assert_eq(back.day, 1);
    cr_assert_eq(fu_date_from_days(-719162, &back), FU_OK); /* 0001-01-01 */
    cr_assert_eq(back.year, 1);
    cr_assert_eq(fu_date_from_days(-719163, &back), FU_ERANGE);
    cr_assert_eq(fu_date_from_days(2932897, &back), FU_ERANGE); /* 10000-01-01 */
    char buf[FU_DATE_TEXT_SIZE];
    cr_assert_eq(fu_date_format(&d, buf, sizeof buf), FU_OK);
    cr_assert_str_eq(buf, "2025-09-28");
    cr_assert_eq(fu_date_format(&d, buf, 10), FU_EINVAL);

    static const char *bad[] = {"2025-02-29", "2024-02-30", "2025-1-01", "2025-01-01T00:00",
                                "0000-01-01", "2025-04-31", "20250101"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        fu_date x = {7, 7, 7};
        cr_assert_eq(fu_date_parse(bad[i], strlen(bad[i]), &x), FU_EPARSE, "%s", bad[i]);
        cr_assert_eq(x.year, 7);
    }
    fu_date nope = {2025, 2, 29};
    cr_assert_eq(fu_date_weekday(&nope), FU_EINVAL);
    cr_assert_eq(fu_date_to_days(&nope, &n), FU_EINVAL);
}

/* ------------------------------------------------------ weekly windows */

#define MOW(wd, h, m) ((wd) * 1440 + (h) * 60 + (m))

struct win_good {
    char text[64];
    int nspans;
    int in[4];  /* minutes of week inside (-1 = unused) */
    int out[4]; /* minutes of week outside */
};

ParameterizedTestParameters(calendar, windows_parse_accepts) {
    static struct win_good p[] = {
        {"Mon-Fri 09:00-12:00;Sat 10:00-12:00", 6,
         {MOW(0, 9, 0), MOW(4, 11, 59), MOW(5, 10, 0), -1},
         {MOW(0, 12, 0), MOW(0, 8, 59), MOW(6, 10, 0), MOW(5, 12, 0)}},
        {"Mon-Sun 08:00-21:00", 7,
         {MOW(6, 20, 59), MOW(0, 8, 0), MOW(3, 12, 0), -1},
         {MOW(6, 21, 0), MOW(0, 7, 59), MOW(3, 23, 0), -1}},
        /* crosses midnight into Saturday */
        {"Fri 22:00-02:00", 1,
         {MOW(4, 22, 0), MOW(5, 1, 59), MOW(4, 23, 59), -1},
         {MOW(5, 2, 0), MOW(4, 21, 59), MOW(3, 23, 0), MOW(4, 1, 0)}},
        /* crosses midnight and the end of the week into Monday */
        {"Sun 22:00-02:00", 1,
         {MOW(6, 22, 0), MOW(0, 0, 0), MOW(0, 1, 59), -1},
         {MOW(0, 2, 0), MOW(6, 21, 59), MOW(6, 1, 0), -1}},
        {"Mon 00:00-24:00", 1, {MOW(0, 0, 0), MOW(0, 23, 59), -1, -1}, {MOW(1, 0, 0), MOW(6, 23, 59), -1, -1}},
        {"Mon-Sun 00:00-24:00", 1, {0, 10079, MOW(3, 3, 3), -1}, {-1, -1, -1, -1}},
        {"mon,WED 09:00-10:00, 14:00-15:00", 4,
         {MOW(2, 14, 30), MOW(0, 9, 0), -1, -1},
         {MOW(1, 9, 30), MOW(2, 10, 0), MOW(0, 15, 0), -1}},
        {"Sat-Mon 10:00-11:00", 3,
         {MOW(5, 10, 0), MOW(6, 10, 30), MOW(0, 10, 59), -1},
         {MOW(1, 10, 0), MOW(4, 10, 0), -1, -1}},
        {"Monday 09:00-10:00 ; tuesday 9:00 - 10:00;", 2,
         {MOW(1, 9, 0), MOW(0, 9, 59), -1, -1}, {MOW(1, 10, 0), -1, -1, -1}},
        /* overlapping items are merged */
        {"Mon 09:00-12:00;Mon 11:00-13:00", 1, {MOW(0, 12, 30), -1, -1, -1}, {MOW(0, 13, 0), -1, -1, -1}},
        {"", 0, {-1, -1, -1, -1}, {0, 10079, -1, -1}},
        {"   ", 0, {-1, -1, -1, -1}, {0, -1, -1, -1}},
    };
    return cr_make_param_array(struct win_good, p, sizeof p / sizeof p[0]);
}

ParameterizedTest(struct win_good *p, calendar, windows_parse_accepts) {
    fu_windows *w = NULL;
    int rc = fu_windows_parse(p->text, strlen(p->text), &w);
    cr_assert_eq(rc, FU_OK, "'%s': %s", p->text, fu_error_last()->message);
    cr_assert_eq((int)fu_windows_count(w), p->nspans, "'%s': %zu spans", p->text,
                 fu_windows_count(w));
    cr_assert_eq(fu_windows_is_empty(w), p->nspans == 0);
    for (int i = 0; i < 4; i++) {
        if (p->in[i] >= 0)
            cr_assert_eq(fu_windows_contains(w, p->in[i]), 1, "'%s': %d should be in", p->text,
                         p->in[i]);
        if (p->out[i] >= 0)
            cr_assert_eq(fu_windows_contains(w, p->out[i]), 0, "'%s': %d should be out",
                         p->text, p->out[i]);
    }
    fu_windows_free(w);
}

struct win_bad {
    char text[64];
    unsigned long column;
    char needle[32];
};

ParameterizedTestParameters(calendar, windows_parse_rejects_with_column) {
    static struct win_bad p[] = {
        {"Mon-Fry 09:00-12:00", 5, "day name"},
        {"Xyz 09:00-12:00", 1, "day name"},
        {"09:00-10:00", 1, "day name"},
        {"Mon 9-12", 5, "HH:MM"},
        {"Mon", 4, "HH:MM"},
        {"Mon 09:00-25:00", 11, "out of range"},
        {"Mon 24:00-01:00", 5, "out of range"},
        {"Mon 09:60-10:00", 5, "out of range"},
        {"Mon 09:00-24:01", 11, "out of range"},
        {"Mon 09:00-09:00", 5, "empty range"},
        {"Mon 09:00 12:00", 11, "'-'"},
        {"Mon-Fri 09:00-12:00 Sat 10:00-12:00", 21, "';'"},
        {"Mon-Fri 09:00-12:00;Sat 10:00-1200", 31, "HH:MM"},
        {"Mon-Fri 09:00-12:00,", 21, "HH:MM"},
        {"Mon, 09:00-10:00", 6, "day name"},
        {"Mon 09:000-10:00", 5, "HH:MM"},
        /* a time where the days belong: the time is checked first */
        {"25:00-26:00", 1, "hour 25 out of range (00..24)"},
        {"09:00-18:00", 1, "day name (Mon..Sun) before"},
        {"Mon 09:00-18:00;8:75-9:00", 17, "minute 75 out of range (00..59)"},
    };
    return cr_make_param_array(struct win_bad, p, sizeof p / sizeof p[0]);
}

ParameterizedTest(struct win_bad *p, calendar, windows_parse_rejects_with_column) {
    fu_windows *w = (fu_windows *)0x1;
    int rc = fu_windows_parse(p->text, strlen(p->text), &w);
    const fu_error *e = fu_error_last();
    cr_assert_eq(rc, FU_EPARSE, "'%s': rc %d", p->text, rc);
    cr_assert_eq(w, (fu_windows *)0x1, "output must be untouched");
    cr_assert_str_eq(e->source, "<windows>");
    cr_assert_eq(e->line, 1);
    cr_assert_eq(e->column, p->column, "'%s': column %lu (%s)", p->text, e->column, e->message);
    cr_assert(strstr(e->message, p->needle), "'%s': '%s' lacks '%s'", p->text, e->message,
              p->needle);
}

Test(calendar, windows_spans_next_start_and_hour_mask) {
    fu_windows *w;
    const char *txt = "Mon-Fri 09:00-12:00;Sun 22:00-02:00";
    cr_assert_eq(fu_windows_parse(txt, strlen(txt), &w), FU_OK);
    /* five mornings, and Mon 00:00-02:00 joins Sunday's 22:00-24:00 into one
     * run wrapping the week */
    cr_assert_eq(fu_windows_count(w), 6);
    fu_window_span s;
    cr_assert_eq(fu_windows_get(w, 0, &s), FU_OK);
    cr_assert_eq(s.start, MOW(0, 9, 0));
    cr_assert_eq(s.end, MOW(0, 12, 0));
    cr_assert_eq(fu_windows_get(w, 5, &s), FU_OK);
    cr_assert_eq(s.start, MOW(6, 22, 0));
    cr_assert_eq(s.end, 10080 + 120);
    cr_assert_eq(fu_windows_get(w, 6, &s), FU_EINVAL);

    int m;
    cr_assert_eq(fu_windows_next_start(w, MOW(0, 3, 0), &m), FU_OK);
    cr_assert_eq(m, MOW(0, 9, 0));
    cr_assert_eq(fu_windows_next_start(w, MOW(0, 10, 0), &m), FU_OK);
    cr_assert_eq(m, MOW(0, 10, 0)); /* inside: itself */
    cr_assert_eq(fu_windows_next_start(w, MOW(0, 12, 0), &m), FU_OK);
    cr_assert_eq(m, MOW(1, 9, 0));
    cr_assert_eq(fu_windows_next_start(w, MOW(4, 13, 0), &m), FU_OK);
    cr_assert_eq(m, MOW(6, 22, 0));
    cr_assert_eq(fu_windows_next_start(w, MOW(0, 1, 0), &m), FU_OK);
    cr_assert_eq(m, MOW(0, 1, 0));
    cr_assert_eq(fu_windows_contains(w, 10080), FU_EINVAL);
    cr_assert_eq(fu_windows_contains(w, -1), FU_EINVAL);
    fu_windows_free(w);

    /* hour mask: 09:30-11:00 fully covers hour 10, touches hour 9 */
    cr_assert_eq(fu_windows_parse("Tue 09:30-11:00", 15, &w), FU_OK);
    uint8_t all[21], any[21];
    fu_windows_hour_mask(w, 0, all);
    fu_windows_hour_mask(w, FU_WINDOWS_HOUR_ANY, any);
    for (int h = 0; h < 168; h++) {
        int a = (all[h / 8] >> (h % 8)) & 1, y = (any[h / 8] >> (h % 8)) & 1;
        cr_assert_eq(a, h == 24 + 10, "all: hour %d", h);
        cr_assert_eq(y, h == 24 + 9 || h == 24 + 10, "any: hour %d", h);
    }
    cr_assert_eq(fu_windows_next_start(w, MOW(1, 11, 0), &m), FU_OK);
    cr_assert_eq(m, MOW(1, 9, 30)); /* wraps round to next week */
    fu_windows *c;
    cr_assert_eq(fu_windows_clone(&c, w), FU_OK);
    fu_windows_free(w);
    cr_assert_eq(fu_windows_contains(c, MOW(1, 9, 30)), 1);
    fu_windows_free(c);

    cr_assert_eq(fu_windows_parse("", 0, &w), FU_OK);
    cr_assert_eq(fu_windows_next_start(w, 0, &m), FU_ENOTFOUND);
    fu_windows_free(w);
    fu_windows_free(NULL);
}

/* ------------------------------------------------------------- zones */

Test(calendar, new_validates_zone_ids) {
    fu_calendar *c = (fu_calendar *)0x1;
    cr_assert_eq(fu_calendar_new(&c, "Mars/Olympus_Mons"), FU_ETIMEZONE);
    cr_assert(strstr(fu_error_last()->message, "Mars/Olympus_Mons"));
    cr_assert_eq(c, (fu_calendar *)0x1);
    cr_assert_eq(fu_calendar_new(&c, "Etc/Unknown"), FU_ETIMEZONE);
    cr_assert_eq(fu_calendar_new(&c, "GMT+08:00"), FU_ETIMEZONE);
    cr_assert_eq(fu_calendar_new(&c, ""), FU_ETIMEZONE);
    cr_assert_eq(fu_calendar_new(&c, "Asia/Shang hai"), FU_ETIMEZONE);
    cr_assert_eq(fu_calendar_new(&c, NULL), FU_EINVAL);
    c = cal_new("UTC");
    cr_assert_str_eq(fu_calendar_tzid(c), "UTC");
    fu_calendar_free(c);
    c = cal_new("Asia/Calcutta"); /* a link: accepted, spelling kept */
    cr_assert_str_eq(fu_calendar_tzid(c), "Asia/Calcutta");
    int off;
    cr_assert_eq(fu_calendar_utc_offset(c, T("2025-06-01T00:00:00Z"), &off), FU_OK);
    cr_assert_eq(off, 19800);
    fu_calendar_free(c);
    fu_calendar_free(NULL);
}

Test(calendar, new_york_offsets_switch_at_the_published_instants) {
    fu_calendar *c = cal_new("America/New_York");
    static const struct {
        const char *at;
        int hours;
    } want[] = {
        /* 2025-03-09 02:00 EST -> 03:00 EDT, i.e. at 07:00 UTC */
        {"2025-03-09T06:59:59Z", -5},
        {"2025-03-09T07:00:00Z", -4},
        /* 2025-11-02 02:00 EDT -> 01:00 EST, i.e. at 06:00 UTC */
        {"2025-11-02T05:59:59Z", -4},
        {"2025-11-02T06:00:00Z", -5},
        /* beyond the table (2500): rules repeat every 400 years */
        {"2600-07-01T12:00:00Z", -4},
        {"2600-01-15T12:00:00Z", -5},
        {"9999-07-01T12:00:00Z", -4},
    };
    int off;
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        fu_calendar_utc_offset(c, T(want[i].at), &off);
        cr_assert_eq(off, want[i].hours * 3600, "%s", want[i].at);
    }
    /* absurd instants get the offset at the nearest end of years 1..9999 */
    cr_assert_eq(fu_calendar_utc_offset(c, INT64_MAX, &off), FU_OK);
    cr_assert_eq(off, -5 * 3600);
    cr_assert_eq(fu_calendar_utc_offset(c, INT64_MIN, &off), FU_OK);
    fu_calendar_free(c);
}

/* fu_calendar_from_local() of l with flags succeeds with `want`. */
static int64_t from_local(const fu_calendar *c, const fu_local *l, unsigned int flags, const char *want) {
    int64_t t = 0;
    cr_assert_eq(fu_calendar_from_local(c, l, flags, &t), FU_OK, "%s", want);
    assert_time(t, want);
    return t;
}

Test(calendar, new_york_gap_and_overlap) {
    fu_calendar *c = cal_new("America/New_York");
    int64_t t;
    fu_local gap = {2025, 3, 9, 2, 30, 0, 0, 0, 0};
    from_local(c, &gap, 0, "2025-03-09T03:30:00-04:00"); /* moved forward by the 1 h gap */
    from_local(c, &gap, FU_LOCAL_LATER, "2025-03-09T03:30:00-04:00");
    int64_t keep = 42;
    cr_assert_eq(fu_calendar_from_local(c, &gap, FU_LOCAL_REJECT_GAP, &keep), FU_ERANGE);
    cr_assert_eq(keep, 42);
    cr_assert(strstr(fu_error_last()->message, "does not exist"));

    fu_local ovl = {2025, 11, 2, 1, 30, 0, 0, 0, 0};
    from_local(c, &ovl, 0, "2025-11-02T01:30:00-04:00"); /* earlier: still EDT */
    from_local(c, &ovl, FU_LOCAL_LATER, "2025-11-02T01:30:00-05:00");
    cr_assert_eq(fu_calendar_from_local(c, &ovl, FU_LOCAL_REJECT_GAP, &t), FU_OK);

    fu_local l;
    cr_assert_eq(fu_calendar_to_local(c, T("2025-03-09T07:30:00Z"), &l), FU_OK);
    cr_assert_eq(l.hour, 3);
    cr_assert_eq(l.minute, 30);
    cr_assert_eq(l.utc_offset, -14400);
    cr_assert_eq(l.weekday, FU_SUNDAY);
    cr_assert_eq(l.day_of_year, 31 + 28 + 9);
    /* both passes of 01:30 on 2025-11-02 read back as 01:30 */
    cr_assert_eq(fu_calendar_to_local(c, T("2025-11-02T06:30:00Z"), &l), FU_OK);
    cr_assert_eq(l.hour, 1);
    cr_assert_eq(l.utc_offset, -18000);
    fu_local bad = {2025, 2, 29, 1, 0, 0, 0, 0, 0};
    cr_assert_eq(fu_calendar_from_local(c, &bad, 0, &t), FU_EINVAL);
    bad = (fu_local){2025, 2, 28, 24, 0, 0, 0, 0, 0};
    cr_assert_eq(fu_calendar_from_local(c, &bad, 0, &t), FU_EINVAL);
    fu_calendar_free(c);
}

Test(calendar, berlin_gap_and_overlap) {
    fu_calendar *c = cal_new("Europe/Berlin");
    int64_t t;
    fu_local gap = {2025, 3, 30, 2, 30, 0, 0, 0, 0};
    t = from_local(c, &gap, 0, "2025-03-30T03:30:00+02:00");
    assert_time(t, "2025-03-30T01:30:00Z");
    fu_local ovl = {2025, 10, 26, 2, 30, 0, 0, 0, 0};
    from_local(c, &ovl, 0, "2025-10-26T00:30:00Z"); /* CEST */
    from_local(c, &ovl, FU_LOCAL_LATER, "2025-10-26T01:30:00Z"); /* CET */
    /* next to the changes nothing is ambiguous */
    fu_local before = {2025, 3, 30, 1, 59, 59, 0, 0, 0};
    from_local(c, &before, FU_LOCAL_REJECT_GAP, "2025-03-30T00:59:59Z");
    fu_local after = {2025, 3, 30, 3, 0, 0, 0, 0, 0};
    from_local(c, &after, FU_LOCAL_REJECT_GAP, "2025-03-30T01:00:00Z");
    fu_calendar_free(c);
}

Test(calendar, shanghai_is_plus_eight_all_year) {
    fu_calendar *c = cal_new("Asia/Shanghai");
    static const char *when[] = {"2024-01-15T12:00:00Z", "2024-07-15T12:00:00Z",
                                 "2025-01-15T12:00:00Z", "2025-07-15T12:00:00Z",
                                 "2026-01-15T12:00:00Z", "2026-07-15T12:00:00Z",
                                 "2026-03-29T02:30:00Z", "2026-10-25T01:30:00Z"};
    for (size_t i = 0; i < sizeof when / sizeof when[0]; i++) {
        int off;
        cr_assert_eq(fu_calendar_utc_offset(c, T(when[i]), &off), FU_OK);
        cr_assert_eq(off, 8 * 3600, "%s", when[i]);
    }
    /* China did observe summer time 1986-1991 (ICU knows) */
    int off;
    fu_calendar_utc_offset(c, T("1988-07-15T12:00:00Z"), &off);
    cr_assert_eq(off, 9 * 3600);
    fu_local l;
    cr_assert_eq(fu_calendar_to_local(c, T("2025-09-28T10:00:00+08:00"), &l), FU_OK);
    cr_assert_eq(l.year, 2025);
    cr_assert_eq(l.month, 9);
    cr_assert_eq(l.day, 28);
    cr_assert_eq(l.hour, 10);
    cr_assert_eq(l.weekday, FU_SUNDAY);
    cr_assert_eq(l.day_of_year, 271);
    cr_assert_eq(l.utc_offset, 28800);
    fu_local in = {2025, 9, 28, 10, 0, 0, 0, 0, 0};
    int64_t t;
    cr_assert_eq(fu_calendar_from_local(c, &in, FU_LOCAL_REJECT_GAP, &t), FU_OK);
    cr_assert_eq(t, 1759024800);
    cr_assert_eq(fu_calendar_to_local(c, T("9999-12-31T20:00:00Z"), &l), FU_ERANGE);
    fu_calendar_free(c);
}

/* The table must agree with ICU itself, second for second, at random instants. */
Test(calendar, zone_table_agrees_with_icu) {
    static const char *zones[] = {"America/New_York", "Europe/Berlin", "Asia/Shanghai",
                                  "Australia/Lord_Howe", "America/Santiago", "Africa/Casablanca",
                                  "Pacific/Apia", "Asia/Kolkata"};
    for (size_t z = 0; z < sizeof zones / sizeof zones[0]; z++) {
        fu_calendar *c = cal_new(zones[z]);
        UChar uid[64];
        u_uastrcpy(uid, zones[z]);
        UErrorCode st = U_ZERO_ERROR;
        UCalendar *uc = ucal_open(uid, -1, "en_US_POSIX", UCAL_GREGORIAN, &st);
        cr_assert(U_SUCCESS(st));
        uint64_t x = 0x9E3779B97F4A7C15ULL + z;
        for (int i = 0; i < 3000; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            /* 1901-01-01 .. 2099-12-31 */
            int64_t t = -2177452800LL + (int64_t)(x % 6279897600ULL);
            ucal_setMillis(uc, (UDate)t * 1000.0, &st);
            int want = (ucal_get(uc, UCAL_ZONE_OFFSET, &st) + ucal_get(uc, UCAL_DST_OFFSET, &st)) / 1000;
            int got;
            fu_calendar_utc_offset(c, t, &got);
            cr_assert_eq(got, want, "%s at %lld: %d vs ICU %d", zones[z], (long long)t, got, want);
            /* and local time goes back to the same instant */
            fu_local l;
            cr_assert_eq(fu_calendar_to_local(c, t, &l), FU_OK);
            int64_t a, b;
            fu_calendar_from_local(c, &l, 0, &a);
            fu_calendar_from_local(c, &l, FU_LOCAL_LATER, &b);
            cr_assert(a == t || b == t, "%s round trip at %lld", zones[z], (long long)t);
        }
        ucal_close(uc);
        fu_calendar_free(c);
    }
}

/* ------------------------------------------------------ hour of week */

Test(calendar, hour_of_week_starts_monday_midnight) {
    fu_calendar *c = cal_new("Asia/Shanghai");
    cr_assert_eq(fu_calendar_hour_of_week(c, T("2025-09-29T00:00:00+08:00")), 0);
    cr_assert_eq(fu_calendar_hour_of_week(c, T("2025-09-29T00:59:59+08:00")), 0);
    cr_assert_eq(fu_calendar_hour_of_week(c, T("2025-09-28T23:30:00+08:00")), 167);
    cr_assert_eq(fu_calendar_hour_of_week(c, T("2025-10-01T21:00:00+08:00")), 2 * 24 + 21);
    /* the same instant is Sunday evening in New York */
    fu_calendar *ny = cal_new("America/New_York");
    cr_assert_eq(fu_calendar_hour_of_week(ny, T("2025-09-29T00:00:00+08:00")), 6 * 24 + 12);
    cr_assert_eq(fu_calendar_hour_of_week(ny, T("2025-07-16T15:00:00-04:00")), 2 * 24 + 15);
    cr_assert_eq(fu_calendar_minute_of_week(ny, T("2025-07-16T15:07:00-04:00")), MOW(2, 15, 7));
    cr_assert_eq(fu_calendar_hour_of_week(ny, T("1901-01-07T10:00:00-05:00")), 10); /* a Monday */
    cr_assert_eq(fu_calendar_hour_of_week(ny, INT64_MAX), FU_ERANGE);
    cr_assert_eq(fu_calendar_hour_of_week(NULL, 0), FU_EINVAL);
    fu_calendar_free(ny);
    fu_calendar_free(c);
}

Test(calendar, hour_of_week_bulk_matches_single_calls) {
    static const char *zones[] = {"Asia/Shanghai", "America/New_York", "Europe/Berlin",
                                  "Australia/Lord_Howe"};
    enum { N = 20000 };
    static int64_t t[N];
    static uint8_t h[N];
    for (size_t z = 0; z < 4; z++) {
        fu_calendar *c = cal_new(zones[z]);
        uint64_t x = 1234567 + z;
        for (int i = 0; i < N; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            /* half sorted (a walk), half random over 1800..2700 */
            if (i < N / 2) t[i] = T("2025-01-01T00:00:00Z") + (int64_t)i * 1789;
            else t[i] = -5364662400LL + (int64_t)(x % 28401436800ULL);
        }
        cr_assert_eq(fu_calendar_hour_of_week_bulk(c, t, N, h), FU_OK);
        for (int i = 0; i < N; i++) {
            fu_local l;
            fu_calendar_to_local(c, t[i], &l);
            cr_assert_eq(h[i], l.weekday * 24 + l.hour, "%s t=%lld", zones[z], (long long)t[i]);
            cr_assert_eq(h[i], fu_calendar_hour_of_week(c, t[i]));
        }
        t[7] = INT64_MIN;
        cr_assert_eq(fu_calendar_hour_of_week_bulk(c, t, N, h), FU_ERANGE);
        cr_assert(strstr(fu_error_last()->message, "t[7]"));
        cr_assert_eq(fu_calendar_hour_of_week_bulk(c, NULL, 0, NULL), FU_OK);
        fu_calendar_free(c);
    }
}

/* ------------------------------------------------ business: configuration */

Test(calendar, hours_reject_overlap_and_midnight_crossing) {
    fu_calendar *c = cal_new("Asia/Shanghai");
    const char *ov = "Mon-Fri 09:00-12:00,11:00-13:00";
    cr_assert_eq(fu_calendar_set_hours_text(c, ov, strlen(ov)), FU_EINVAL);
    cr_assert(strstr(fu_error_last()->message, "overlap"), "%s", fu_error_last()->message);
    cr_assert(strstr(fu_error_last()->message, "Mon: 09:00-12:00 and 11:00-13:00"), "%s",
              fu_error_last()->message);
    /* unchanged: still open all the time */
    cr_assert_eq(fu_calendar_is_open(c, T("2025-09-28T03:00:00+08:00")), 1);
    const char *cross = "Mon-Fri 09:00-18:00;Sat 22:00-02:00";
    cr_assert_eq(fu_calendar_set_hours_text(c, cross, strlen(cross)), FU_EINVAL);
    cr_assert_eq(fu_error_last()->column, 25);
    cr_assert_str_eq(fu_error_last()->source, "<hours>");
    const char *junk = "Mon-Fri 09:00-18:00;Sat 10";
    cr_assert_eq(fu_calendar_set_hours_text(c, junk, strlen(junk)), FU_EPARSE);
    cr_assert_eq(fu_error_last()->column, 25);
    cr_assert_eq(fu_calendar_is_open(c, T("2025-09-28T03:00:00+08:00")), 1);

    fu_day_interval iv[2] = {{13 * 60, 18 * 60}, {9 * 60, 13 * 60 + 1}};
    cr_assert_eq(fu_calendar_set_hours(c, FU_MONDAY, iv, 2), FU_EINVAL);
    cr_assert(strstr(fu_error_last()->message, "overlap"));
    fu_day_interval e[1] = {{600, 600}};
    cr_assert_eq(fu_calendar_set_hours(c, FU_MONDAY, e, 1), FU_EINVAL);
    fu_day_interval big[1] = {{0, 1441}};
    cr_assert_eq(fu_calendar_set_hours(c, FU_MONDAY, big, 1), FU_EINVAL);
    cr_assert_eq(fu_calendar_set_hours(c, 7, iv, 1), FU_EINVAL);
    fu_day_interval many[FU_CALENDAR_MAX_INTERVALS + 1];
    for (int i = 0; i <= FU_CALENDAR_MAX_INTERVALS; i++) many[i] = (fu_day_interval){i * 60, i * 60 + 30};
    cr_assert_eq(fu_calendar_set_hours(c, FU_MONDAY, many, FU_CALENDAR_MAX_INTERVALS + 1), FU_ELIMIT);
    cr_assert_eq(fu_calendar_is_open(c, T("2025-09-28T03:00:00+08:00")), 1);

    /* touching intervals are fine */
    fu_day_interval touch[2] = {{13 * 60, 18 * 60}, {9 * 60, 13 * 60}};
    cr_assert_eq(fu_calendar_set_hours(c, FU_MONDAY, touch, 2), FU_OK);
    cr_assert_eq(fu_calendar_is_open(c, T("2025-09-29T13:00:00+08:00")), 1);
    cr_assert_eq(fu_calendar_is_open(c, T("2025-09-29T08:59:59+08:00")), 0);
    /* other weekdays are now closed */
    cr_assert_eq(fu_calendar_is_open(c, T("2025-09-30T10:00:00+08:00")), 0);
    fu_calendar_clear_hours(c);
    cr_assert_eq(fu_calendar_is_open(c, T("2025-09-30T10:00:00+08:00")), 1);
    fu_calendar_free(c);
}

Test(calendar, empty_calendar_is_open_all_the_time) {
    fu_calendar *c = cal_new("America/New_York");
    int64_t t = T("2025-03-08T12:00:00-05:00"), r;
    cr_assert_eq(fu_calendar_is_open(c, t), 1);
    cr_assert_eq(fu_calendar_next_open(c, t, &r), FU_OK);
    cr_assert_eq(r, t);
    /* 24 business hours are 24 real hours, across the spring-forward night */
    cr_assert_eq(fu_calendar_add_business(c, t, 86400, &r), FU_OK);
    cr_assert_eq(r, t + 86400);
    assert_time(r, "2025-03-09T13:00:00-04:00");
    /* the 2025-03-09 local day is 23 hours long, 2025-11-02 is 25 */
    int64_t b;
    cr_assert_eq(fu_calendar_business_between(c, T("2025-03-09T00:00:00-05:00"),
                                              T("2025-03-10T00:00:00-04:00"), &b), FU_OK);
    cr_assert_eq(b, 23 * 3600);
    cr_assert_eq(fu_calendar_business_between(c, T("2025-11-02T00:00:00-04:00"),
                                              T("2025-11-03T00:00:00-05:00"), &b), FU_OK);
    cr_assert_eq(b, 25 * 3600);
    /* every day is a working day; END_OF_DAY is the next local midnight */
    cr_assert_eq(fu_calendar_add_working_days(c, t, 1, FU_WORKDAY_END_OF_DAY, &r), FU_OK);
    assert_time(r, "2025-03-10T00:00:00-04:00");
    cr_assert_eq(fu_calendar_add_working_days(c, t, 0, FU_WORKDAY_END_OF_DAY, &r), FU_OK);
    assert_time(r, "2025-03-09T00:00:00-05:00");
    fu_date sun = D("2025-03-09");
    cr_assert_eq(fu_calendar_is_working_day(c, &sun), 1);
    /* holidays still close whole days */
    holiday(c, "2025-03-09", "2025-03-09");
    cr_assert_eq(fu_calendar_is_working_day(c, &sun), 0);
    cr_assert_eq(fu_calendar_is_open(c, T("2025-03-09T12:00:00-04:00")), 0);
    cr_assert_eq(fu_calendar_add_business(c, t, 86400, &r), FU_OK);
    assert_time(r, "2025-03-10T12:00:00-04:00");
    fu_calendar_free(c);
}

/* ------------------------------------------------------ business: queries */

/* One question to the Shanghai office calendar (office_cn, with the 2025
 * arrangements when `cn2025`): the answer worked out by hand. */
enum office_op {
    OP_IS_OPEN,      /* is_open(at) == n */
    OP_NEXT_OPEN,    /* next_open(at) == want */
    OP_ADD_BUSINESS, /* add_business(at, n seconds) == want */
    OP_BETWEEN,      /* business_between(at, want) == n seconds */
    OP_WORKING_DAYS, /* add_working_days(at, n, mode) == want */
    OP_DAYS_BETWEEN, /* working_days_between(date at, date want) == n */
};

struct office_case {
    char name[72];
    int cn2025;
    int op;
    char at[32];
    long long n;
    int mode;
    char want[32];
};

#define SH(x) x "+08:00"
ParameterizedTestParameters(calendar, office_hours_arithmetic) {
    static struct office_case cases[] = {
        {"open at 09:00", 0, OP_IS_OPEN, SH("2025-09-22T09:00:00"), 1, 0, ""},
        {"closed before 09:00", 0, OP_IS_OPEN, SH("2025-09-22T08:59:59"), 0, 0, ""},
        {"open before lunch", 0, OP_IS_OPEN, SH("2025-09-22T11:59:59"), 1, 0, ""},
        {"closed at lunch", 0, OP_IS_OPEN, SH("2025-09-22T12:30:00"), 0, 0, ""},
        {"open before 18:00", 0, OP_IS_OPEN, SH("2025-09-22T17:59:59"), 1, 0, ""},
        {"closed at 18:00", 0, OP_IS_OPEN, SH("2025-09-22T18:00:00"), 0, 0, ""},
        {"closed on Saturday", 0, OP_IS_OPEN, SH("2025-09-27T10:00:00"), 0, 0, ""},
        {"Friday evening opens Monday", 0, OP_NEXT_OPEN, SH("2025-09-19T18:30:00"), 0, 0, SH("2025-09-22T09:00:00")},
        {"lunch opens at 13:00", 0, OP_NEXT_OPEN, SH("2025-09-22T12:30:00"), 0, 0, SH("2025-09-22T13:00:00")},
        {"open is the instant itself", 0, OP_NEXT_OPEN, SH("2025-09-22T10:11:12"), 0, 0, SH("2025-09-22T10:11:12")},
        /* UTC midnight is 08:00 in Shanghai: local days are what count */
        {"local days count, not UTC", 0, OP_NEXT_OPEN, "2025-09-21T23:30:00Z", 0, 0, SH("2025-09-22T09:00:00")},
        {"Friday 17:00 + 2 h: 1 h Friday, 1 h Monday", 0, OP_ADD_BUSINESS, SH("2025-09-19T17:00:00"), 7200, 0,
         SH("2025-09-22T10:00:00")},
        {"ends exactly at closing: the closing instant", 0, OP_ADD_BUSINESS, SH("2025-09-22T11:00:00"), 3600, 0,
         SH("2025-09-22T12:00:00")},
        {"one second past closing", 0, OP_ADD_BUSINESS, SH("2025-09-22T11:00:00"), 3601, 0, SH("2025-09-22T13:00:01")},
        {"a whole day", 0, OP_ADD_BUSINESS, SH("2025-09-22T09:00:00"), 8 * 3600, 0, SH("2025-09-22T18:00:00")},
        {"a whole week", 0, OP_ADD_BUSINESS, SH("2025-09-22T09:00:00"), 40 * 3600, 0, SH("2025-09-26T18:00:00")},
        {"a week and a second", 0, OP_ADD_BUSINESS, SH("2025-09-22T09:00:00"), 40 * 3600 + 1, 0,
         SH("2025-09-29T09:00:01")},
        {"from a closed instant the clock starts at the next opening", 0, OP_ADD_BUSINESS, SH("2025-09-20T03:00:00"),
         1800, 0, SH("2025-09-22T09:30:00")},
        {"zero is the instant itself, even when closed", 0, OP_ADD_BUSINESS, SH("2025-09-20T03:00:00"), 0, 0,
         SH("2025-09-20T03:00:00")},
        /* 2 h Wednesday, 8 h Thursday, 3 + 2 h Friday */
        {"15 business hours from Wednesday 16:00", 0, OP_ADD_BUSINESS, SH("2025-09-24T16:00:00"), 15 * 3600, 0,
         SH("2025-09-26T15:00:00")},
        {"between Friday 17:00 and Monday 10:00", 0, OP_BETWEEN, SH("2025-09-19T17:00:00"), 7200, 0,
         SH("2025-09-22T10:00:00")},
        {"between, backwards", 0, OP_BETWEEN, SH("2025-09-22T10:00:00"), -7200, 0, SH("2025-09-19T17:00:00")},
        {"between, a week", 0, OP_BETWEEN, SH("2025-09-22T00:00:00"), 40 * 3600, 0, SH("2025-09-29T00:00:00")},
        {"between, a Saturday", 0, OP_BETWEEN, SH("2025-09-27T00:00:00"), 0, 0, SH("2025-09-28T00:00:00")},
        /* National Day 2025 */
        {"Fri 09-26 + 3 working days: Sun 28, Mon 29, Tue 30", 1, OP_WORKING_DAYS, SH("2025-09-26T15:00:00"), 3,
         FU_WORKDAY_END_OF_DAY, SH("2025-09-30T18:00:00")},
        {"the make-up Sunday is open with Monday's hours", 1, OP_IS_OPEN, SH("2025-09-28T10:00:00"), 1, 0, ""},
        {"the make-up Sunday has Monday's lunch", 1, OP_IS_OPEN, SH("2025-09-28T12:30:00"), 0, 0, ""},
        {"2 business hours from 09-30 17:00 run over the holiday", 1, OP_ADD_BUSINESS, SH("2025-09-30T17:00:00"), 7200,
         0, SH("2025-10-09T10:00:00")},
        {"business between over the holiday", 1, OP_BETWEEN, SH("2025-09-30T17:00:00"), 7200, 0,
         SH("2025-10-09T10:00:00")},
        {"1 working day, same time, over the holiday", 1, OP_WORKING_DAYS, SH("2025-09-30T10:00:00"), 1,
         FU_WORKDAY_SAME_TIME, SH("2025-10-09T10:00:00")},
        {"same clock time in the lunch break: the next opening", 1, OP_WORKING_DAYS, SH("2025-09-30T12:30:00"), 1,
         FU_WORKDAY_SAME_TIME, SH("2025-10-09T13:00:00")},
        {"n = 0 on a holiday: the next working day", 1, OP_WORKING_DAYS, SH("2025-10-03T10:00:00"), 0,
         FU_WORKDAY_END_OF_DAY, SH("2025-10-09T18:00:00")},
        {"n = 0 on a working day: that day", 1, OP_WORKING_DAYS, SH("2025-10-11T08:00:00"), 0, FU_WORKDAY_END_OF_DAY,
         SH("2025-10-11T18:00:00")},
        /* 26, 28, 29, 30, 10-09, 10-10, 10-11 */
        {"7 working days (the bank rule) from Thursday 09-25", 1, OP_WORKING_DAYS, SH("2025-09-25T11:00:00"), 7,
         FU_WORKDAY_END_OF_DAY, SH("2025-10-11T18:00:00")},
        {"working days 09-26 to 10-13", 1, OP_DAYS_BETWEEN, "2025-09-26", 7, 0, "2025-10-13"},
        {"working days 10-13 to 09-26", 1, OP_DAYS_BETWEEN, "2025-10-13", -7, 0, "2025-09-26"},
        {"working days 09-26 to 09-26", 1, OP_DAYS_BETWEEN, "2025-09-26", 0, 0, "2025-09-26"},
        /* Spring Festival 2025 */
        {"Fri 01-24 + 2: Sun 26 (make-up) and Mon 27", 1, OP_WORKING_DAYS, SH("2025-01-24T15:00:00"), 2,
         FU_WORKDAY_END_OF_DAY, SH("2025-01-27T18:00:00")},
        {"Fri 01-24 + 5: 26, 27, then 02-05, 06, 07 after the holiday", 1, OP_WORKING_DAYS,
         SH("2025-01-24T15:00:00"), 5, FU_WORKDAY_END_OF_DAY, SH("2025-02-07T18:00:00")},
        {"Fri 01-24 + 6, same time: the make-up Saturday 02-08", 1, OP_WORKING_DAYS, SH("2025-01-24T15:00:00"), 6,
         FU_WORKDAY_SAME_TIME, SH("2025-02-08T15:00:00")},
        /* 20-24, 26, 27, 02-05, 06, 07, 08 */
        {"working days 01-20 to 02-10", 1, OP_DAYS_BETWEEN, "2025-01-20", 11, 0, "2025-02-10"},
        {"16 business hours from Mon 01-27 09:00: 8 that day, 8 on 02-05", 1, OP_ADD_BUSINESS,
         SH("2025-01-27T09:00:00"), 16 * 3600, 0, SH("2025-02-05T18:00:00")},
    };
    return cr_make_param_array(struct office_case, cases, sizeof cases / sizeof cases[0]);
}
#undef SH

ParameterizedTest(struct office_case *c, calendar, office_hours_arithmetic) {
    fu_calendar *cal = office_cn();
    if (c->cn2025) cn_2025(cal);
    int64_t r = 0;
    int rc = FU_OK;
    switch (c->op) {
    case OP_IS_OPEN:
        cr_assert_eq(fu_calendar_is_open(cal, T(c->at)), c->n, "%s: is_open(%s)", c->name, c->at);
        break;
    case OP_NEXT_OPEN: rc = fu_calendar_next_open(cal, T(c->at), &r); break;
    case OP_ADD_BUSINESS: rc = fu_calendar_add_business(cal, T(c->at), c->n, &r); break;
    case OP_BETWEEN:
        rc = fu_calendar_business_between(cal, T(c->at), T(c->want), &r);
        cr_assert_eq(r, c->n, "%s: business_between(%s, %s) = %lld", c->name, c->at, c->want, (long long)r);
        break;
    case OP_WORKING_DAYS:
        rc = fu_calendar_add_working_days(cal, T(c->at), (int)c->n, (fu_workday_mode)c->mode, &r);
        break;
    default: {
        fu_date a = D(c->at), z = D(c->want);
        rc = fu_calendar_working_days_between(cal, &a, &z, &r);
        cr_assert_eq(r, c->n, "%s: working_days_between(%s, %s) = %lld", c->name, c->at, c->want, (long long)r);
    }
    }
    cr_assert_eq(rc, FU_OK, "%s: %s", c->name, fu_error_last()->message);
    if (c->op == OP_NEXT_OPEN || c->op == OP_ADD_BUSINESS || c->op == OP_WORKING_DAYS) {
        char got[FU_TIME_TEXT_SIZE];
        fu_time_format(r, 8 * 3600, 0, got, sizeof got);
        cr_assert_eq(r, T(c->want), "%s: got %s, want %s", c->name, got, c->want);
    }
    fu_calendar_free(cal);
}

Test(calendar, add_business_rejects_negative_and_overflow) {
    fu_calendar *c = office_cn();
    int64_t r;
    cr_assert_eq(fu_calendar_add_business(c, 0, -1, &r), FU_EINVAL);
    cr_assert_eq(fu_calendar_add_business(c, INT64_MAX, 1, &r), FU_ERANGE);
    fu_calendar_free(c);
}

Test(calendar, business_between_is_inverse_of_add_business) {
    fu_calendar *c = office_cn();
    int64_t b;
    uint64_t x = 99;
    for (int i = 0; i < 500; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        int64_t t = T("2025-01-01T00:00:00Z") + (int64_t)(x % (366 * 86400ULL));
        int64_t s = (int64_t)((x >> 20) % (200 * 3600ULL)), r;
        cr_assert_eq(fu_calendar_add_business(c, t, s, &r), FU_OK);
        cr_assert_eq(fu_calendar_business_between(c, t, r, &b), FU_OK);
        cr_assert_eq(b, s, "t=%lld s=%lld", (long long)t, (long long)s);
        if (s > 0) cr_assert_eq(fu_calendar_is_open(c, r - 1), 1);
    }
    fu_calendar_free(c);
}

Test(calendar, add_business_bulk_matches_single_calls) {
    fu_calendar *c = office_cn();
    cn_2025(c);
    enum { N = 5000 };
    static int64_t t[N], out[N], again[N];
    uint64_t x = 4242;
    for (int i = 0; i < N; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        t[i] = T("2025-01-01T00:00:00Z") + (int64_t)(x % (366 * 86400ULL));
    }
    cr_assert_eq(fu_calendar_add_business_bulk(c, t, N, 24 * 3600, out), FU_OK);
    for (int i = 0; i < N; i++) {
        int64_t r;
        cr_assert_eq(fu_calendar_add_business(c, t[i], 24 * 3600, &r), FU_OK);
        cr_assert_eq(out[i], r, "i=%d", i);
    }
    memcpy(again, t, sizeof t);
    cr_assert_eq(fu_calendar_add_business_bulk(c, again, N, 24 * 3600, again), FU_OK);
    cr_assert_eq(memcmp(again, out, sizeof out), 0);
    t[3] = INT64_MAX;
    cr_assert_eq(fu_calendar_add_business_bulk(c, t, N, 60, out), FU_ERANGE);
    cr_assert(strstr(fu_error_last()->message, "t[3]"), "%s", fu_error_last()->message);
    cr_assert_eq(fu_calendar_add_business_bulk(c, t, N, -1, out), FU_EINVAL);
    fu_calendar_free(c);
}

Test(calendar, business_hours_across_new_york_dst) {
    fu_calendar *c = cal_new("America/New_York");
    set_hours(c, "Mon-Fri 09:00-17:00");
    int64_t r;
    /* Friday 16:00 EST + 2 h = Monday 10:00 EDT (the weekend changed the offset) */
    cr_assert_eq(fu_calendar_add_business(c, T("2025-03-07T16:00:00-05:00"), 7200, &r), FU_OK);
    assert_time(r, "2025-03-10T10:00:00-04:00");
    cr_assert_eq(fu_calendar_next_open(c, T("2025-03-08T00:00:00-05:00"), &r), FU_OK);
    assert_time(r, "2025-03-10T09:00:00-04:00");
    /* a Sunday window at 01:00-03:00 on the spring-forward night opens for 1 real hour */
    set_hours(c, "Sun 01:00-03:00");
    int64_t b;
    cr_assert_eq(fu_calendar_business_between(c, T("2025-03-09T00:00:00-05:00"),
                                              T("2025-03-09T12:00:00-04:00"), &b), FU_OK);
    cr_assert_eq(b, 3600);
    /* hours inside the gap 02:00-03:00 begin when the gap ends */
    set_hours(c, "Sun 02:30-04:00");
    cr_assert_eq(fu_calendar_next_open(c, T("2025-03-09T00:00:00-05:00"), &r), FU_OK);
    assert_time(r, "2025-03-09T03:00:00-04:00");
    fu_calendar_free(c);
}

Test(calendar, cn_2025_national_day_and_makeup_weekends) {
    fu_calendar *c = office_cn();
    cn_2025(c);
    static const struct {
        const char *day;
        int working;
    } days[] = {{"2025-09-26", 1}, {"2025-09-27", 0}, {"2025-09-28", 1}, {"2025-09-30", 1},
                {"2025-10-01", 0}, {"2025-10-04", 0}, {"2025-10-08", 0}, {"2025-10-09", 1},
                {"2025-10-10", 1}, {"2025-10-11", 1}, {"2025-10-12", 0}, {"2025-01-26", 1},
                {"2025-01-27", 1}, {"2025-01-28", 0}, {"2025-02-04", 0}, {"2025-02-05", 1},
                {"2025-02-08", 1}, {"2025-02-09", 0}};
    for (size_t i = 0; i < sizeof days / sizeof days[0]; i++) {
        fu_date d = D(days[i].day);
        cr_assert_eq(fu_calendar_is_working_day(c, &d), days[i].working, "%s", days[i].day);
    }
    fu_calendar_free(c);
}

Test(calendar, makeup_day_takes_the_stated_weekday_hours) {
    fu_calendar *c = cal_new("Asia/Shanghai");
    set_hours(c, "Mon-Fri 09:00-18:00;Sat 10:00-12:00");
    fu_date sun = D("2025-09-28");
    cr_assert_eq(fu_calendar_add_workday(c, &sun, FU_SATURDAY), FU_OK);
    cr_assert_eq(fu_calendar_is_open(c, T("2025-09-28T11:00:00+08:00")), 1);
    cr_assert_eq(fu_calendar_is_open(c, T("2025-09-28T13:00:00+08:00")), 0);
    cr_assert_eq(fu_calendar_add_workday(c, &sun, -1), FU_OK); /* default: Monday */
    cr_assert_eq(fu_calendar_is_open(c, T("2025-09-28T13:00:00+08:00")), 1);
    /* the latest declaration wins */
    cr_assert_eq(fu_calendar_add_holiday(c, &sun, NULL), FU_OK);
    cr_assert_eq(fu_calendar_is_working_day(c, &sun), 0);
    cr_assert_eq(fu_calendar_add_workday(c, &sun, 7), FU_EINVAL);
    fu_date late = D("2025-09-01"), early = D("2025-08-01");
    cr_assert_eq(fu_calendar_add_holiday(c, &late, &early), FU_EINVAL);
    fu_calendar_clear_exceptions(c);
    cr_assert_eq(fu_calendar_is_working_day(c, &sun), 0); /* plain Sunday */
    fu_date mon = D("2025-09-29");
    cr_assert_eq(fu_calendar_is_working_day(c, &mon), 1);
    fu_calendar_free(c);
}

Test(calendar, clone_is_independent) {
    fu_calendar *c = office_cn();
    fu_calendar *d;
    cr_assert_eq(fu_calendar_clone(&d, c), FU_OK);
    cn_2025(d);
    fu_date nd = D("2025-10-01");
    cr_assert_eq(fu_calendar_is_working_day(c, &nd), 1);
    cr_assert_eq(fu_calendar_is_working_day(d, &nd), 0);
    cr_assert_str_eq(fu_calendar_tzid(d), "Asia/Shanghai");
    fu_calendar_free(c);
    fu_calendar *e;
    cr_assert_eq(fu_calendar_clone(&e, d), FU_OK);
    fu_calendar_free(d);
    cr_assert_eq(fu_calendar_is_working_day(e, &nd), 0);
    cr_assert_eq(fu_calendar_hour_of_week(e, T("2025-09-29T00:00:00+08:00")), 0);
    fu_calendar_free(e);
}

Test(calendar, closed_calendar_never_loops_forever) {
    fu_calendar *c = cal_new("Asia/Shanghai");
    cr_assert_eq(fu_calendar_set_hours(c, FU_MONDAY, NULL, 0), FU_OK); /* closed every day */
    int64_t r = 5, t = T("2025-01-01T00:00:00Z");
    cr_assert_eq(fu_calendar_add_business(c, t, 60, &r), FU_ERANGE);
    cr_assert(strstr(fu_error_last()->message, "no open time"), "%s", fu_error_last()->message);
    cr_assert_eq(r, 5);
    cr_assert_eq(fu_calendar_next_open(c, t, &r), FU_ERANGE);
    cr_assert_eq(fu_calendar_add_working_days(c, t, 1, FU_WORKDAY_END_OF_DAY, &r), FU_ERANGE);
    cr_assert_eq(fu_calendar_add_working_days(c, t, 0, FU_WORKDAY_SAME_TIME, &r), FU_ERANGE);
    cr_assert_eq(fu_calendar_is_open(c, t), 0);
    int64_t b;
    cr_assert_eq(fu_calendar_business_between(c, t, t + 86400 * 30, &b), FU_OK);
    cr_assert_eq(b, 0);
    /* a calendar that opens after a two-year closure still answers */
    set_hours(c, "Mon-Fri 09:00-18:00");
    holiday(c, "2025-01-01", "2026-12-31");
    cr_assert_eq(fu_calendar_next_open(c, t, &r), FU_OK);
    assert_time(r, "2027-01-01T09:00:00+08:00");
    /* near the end of year 9999 */
    cr_assert_eq(fu_calendar_add_business(c, T("9999-12-31T17:00:00+08:00"), 7200, &r), FU_ERANGE);
    cr_assert_eq(fu_calendar_add_working_days(c, t, -1, FU_WORKDAY_END_OF_DAY, &r), FU_EINVAL);
    cr_assert_eq(fu_calendar_add_working_days(c, t, 1, (fu_workday_mode)9, &r), FU_EINVAL);
    fu_calendar_free(c);
}

Test(calendar, windows_in_local_time) {
    fu_calendar *c = cal_new("Asia/Shanghai");
    fu_windows *w;
    const char *txt = "Mon-Fri 09:00-12:00";
    cr_assert_eq(fu_windows_parse(txt, strlen(txt), &w), FU_OK);
    int64_t r;
    cr_assert_eq(fu_windows_contains_time(w, c, T("2025-09-29T09:30:00+08:00")), 1);
    cr_assert_eq(fu_windows_contains_time(w, c, T("2025-09-29T09:30:00Z")), 0); /* 17:30 local */
    cr_assert_eq(fu_windows_next_time(w, c, T("2025-09-27T10:00:00+08:00"), &r), FU_OK);
    assert_time(r, "2025-09-29T09:00:00+08:00");
    cr_assert_eq(fu_windows_next_time(w, c, T("2025-09-29T10:15:30+08:00"), &r), FU_OK);
    assert_time(r, "2025-09-29T10:15:30+08:00");
    cr_assert_eq(fu_windows_next_time(w, c, T("2025-09-29T12:00:00+08:00"), &r), FU_OK);
    assert_time(r, "2025-09-30T09:00:00+08:00");
    fu_windows_free(w);
    fu_calendar_free(c);

    /* a window that starts inside New York's spring gap opens when the gap ends */
    c = cal_new("America/New_York");
    txt = "Sun 02:30-04:00";
    cr_assert_eq(fu_windows_parse(txt, strlen(txt), &w), FU_OK);
    cr_assert_eq(fu_windows_next_time(w, c, T("2025-03-09T00:00:00-05:00"), &r), FU_OK);
    assert_time(r, "2025-03-09T03:00:00-04:00");
    fu_windows_free(w);
    /* a window wholly inside the gap is skipped to the next week */
    txt = "Sun 02:00-02:30";
    cr_assert_eq(fu_windows_parse(txt, strlen(txt), &w), FU_OK);
    cr_assert_eq(fu_windows_next_time(w, c, T("2025-03-09T00:00:00-05:00"), &r), FU_OK);
    assert_time(r, "2025-03-16T02:00:00-04:00");
    fu_windows_free(w);
    cr_assert_eq(fu_windows_parse("", 0, &w), FU_OK);
    cr_assert_eq(fu_windows_next_time(w, c, 0, &r), FU_ENOTFOUND);
    fu_windows_free(w);
    fu_calendar_free(c);
}

/* ------------------------------------------------------ threads */

enum { TN = 4000 };
struct shared_query {
    const fu_calendar *cal;
    const int64_t *t;
    int64_t out[TN];
    uint8_t how[TN];
    int rc;
};

static void *query_thread(void *arg) {
    struct shared_query *q = arg;
    q->rc = fu_calendar_add_business_bulk(q->cal, q->t, TN, 24 * 3600, q->out);
    if (q->rc == FU_OK) q->rc = fu_calendar_hour_of_week_bulk(q->cal, q->t, TN, q->how);
    return NULL;
}

/* Queries take a const calendar and keep no cache in it: threads may share one. */
Test(calendar, const_queries_run_concurrently) {
    fu_calendar *c = cal_new("Europe/Berlin");
    set_hours(c, "Mon-Fri 08:00-12:30,13:30-17:00");
    holiday(c, "2025-12-24", "2025-12-26");
    static int64_t t[TN];
    for (int i = 0; i < TN; i++) t[i] = T("2025-01-01T00:00:00Z") + (int64_t)i * 7919;
    static struct shared_query q[4];
    pthread_t th[4];
    for (int k = 0; k < 4; k++) {
        q[k].cal = c;
        q[k].t = t;
        cr_assert_eq(pthread_create(&th[k], NULL, query_thread, &q[k]), 0);
    }
    for (int k = 0; k < 4; k++) pthread_join(th[k], NULL);
    for (int k = 0; k < 4; k++) {
        cr_assert_eq(q[k].rc, FU_OK);
        for (int i = 0; i < TN; i += 97) {
            int64_t r;
            cr_assert_eq(fu_calendar_add_business(c, t[i], 24 * 3600, &r), FU_OK);
            cr_assert_eq(q[k].out[i], r);
            cr_assert_eq(q[k].how[i], fu_calendar_hour_of_week(c, t[i]));
        }
    }
    fu_calendar_free(c);
}

/* ------------------------------------------------------ out of memory */

static int oom_calendar(void *ctx) {
    (void)ctx;
    fu_calendar *c = NULL, *d = NULL;
    fu_windows *w = NULL;
    int rc = fu_calendar_new(&c, "Europe/Berlin");
    if (rc) return rc;
    const char *hours = "Mon-Fri 09:00-12:00,13:00-18:00;Sat 10:00-12:00";
    if ((rc = fu_calendar_set_hours_text(c, hours, strlen(hours)))) goto out;
    fu_date a = {2025, 10, 1}, b = {2025, 10, 8}, m = {2025, 9, 28}, s = {2025, 10, 11};
    if ((rc = fu_calendar_add_holiday(c, &a, &b))) goto out;
    if ((rc = fu_calendar_add_workday(c, &m, FU_MONDAY))) goto out;
    if ((rc = fu_calendar_add_workday(c, &s, FU_MONDAY))) goto out;
    for (int i = 0; i < 40; i++) {
        fu_date h = {2026, 1 + i % 12, 1 + i};
        if (h.day > 28) h.day = 28;
        if ((rc = fu_calendar_add_holiday(c, &h, NULL))) goto out;
    }
    if ((rc = fu_calendar_clone(&d, c))) goto out;
    const char *win = "Mon-Fri 09:00-12:00;Sat 10:00-12:00;Sun 22:00-02:00";
    if ((rc = fu_windows_parse(win, strlen(win), &w))) goto out;
    int64_t r;
    rc = fu_calendar_add_business(d, 1759024800, 3600, &r);
out:
    fu_windows_free(w);
    fu_calendar_free(d);
    fu_calendar_free(c);
    return rc;
}

Test(calendar, allocation_failures_are_reported_and_leak_nothing) {
    fu_test_oom_at_least("calendar", oom_calendar, NULL, 500, 6);
}

static int oom_windows_clone(void *ctx) {
    (void)ctx;
    fu_windows *w = NULL, *c = NULL;
    int rc = fu_windows_parse("Mon-Sun 08:00-21:00", 19, &w);
    if (rc == FU_OK) rc = fu_windows_clone(&c, w);
    fu_windows_free(c);
    fu_windows_free(w);
    return rc;
}

Test(calendar, windows_allocation_failures) {
    cr_assert_gt(fu_test_oom("windows", oom_windows_clone, NULL, 100), 2);
}

/* ------------------------------------ working days: table against the walk */

static uint64_t wd_rng = 0x9E3779B97F4A7C15ull;
static uint64_t wd_next(void) {
    wd_rng ^= wd_rng << 13;
    wd_rng ^= wd_rng >> 7;
    wd_rng ^= wd_rng << 17;
    return wd_rng;
}

static int64_t fdiv_days(int64_t t) { return t >= 0 ? t / 86400 : -((-t + 86399) / 86400); }

/* Adding working days from the ordinal table gives the walk's result (value
 * and return code) for random instants in [from, to), n and both modes; and
 * working_days_between gives the day-by-day count of is_working_day. */
static void wd_check(const fu_calendar *c, int64_t from, int64_t to, int count, int max_n) {
    enum { B = 64 };
    int64_t bt[B], bw[B], bo[B];
    int bn[B], nb = 0, ok = 1;
    fu_workday_mode bm = (fu_workday_mode)(wd_next() & 1);
    for (int i = 0; i < count; i++) {
        int64_t t = from + (int64_t)(wd_next() % (uint64_t)(to - from));
        int n = (int)(wd_next() % (uint64_t)(max_n + 1));
        fu_workday_mode mode = (fu_workday_mode)(wd_next() & 1);
        int64_t fast = -1, walk = -1;
        int rf = fu__calendar_add_working_days_at(c, t, n, mode, 0, &fast);
        int rw = fu__calendar_add_working_days_at(c, t, n, mode, 1, &walk);
        cr_assert_eq(rf, rw, "%s t=%lld n=%d mode=%d", fu_calendar_tzid(c), (long long)t, n, mode);
        cr_assert_eq(fast, walk, "%s t=%lld n=%d mode=%d: %lld vs %lld", fu_calendar_tzid(c),
                     (long long)t, n, mode, (long long)fast, (long long)walk);
        /* the bulk call, in batches of B in one mode, gives the single calls' results */
        int64_t one = -1;
        int r1 = fu__calendar_add_working_days_at(c, t, n, bm, 1, &one);
        bt[nb] = t;
        bn[nb] = n;
        bw[nb++] = one;
        ok = ok && r1 == FU_OK;
        if (nb == B || i == count - 1) {
            int rb = fu_calendar_add_working_days_bulk(c, bt, bn, (size_t)nb, bm, bo);
            if (ok) {
                cr_assert_eq(rb, FU_OK);
                for (int j = 0; j < nb; j++) cr_assert_eq(bo[j], bw[j], "bulk %d", j);
            } else {
                cr_assert_neq(rb, FU_OK);
            }
            nb = 0;
            ok = 1;
            bm = (fu_workday_mode)(wd_next() & 1);
        }
    }
    for (int i = 0; i < count / 50; i++) {
        int64_t a = fdiv_days(from + (int64_t)(wd_next() % (uint64_t)(to - from)));
        int64_t b = a + (int64_t)(wd_next() % 800) - 400;
        fu_date da, db;
        fu_date_from_days(a, &da);
        fu_date_from_days(b, &db);
        int64_t got, want = 0;
        cr_assert_eq(fu_calendar_working_days_between(c, &da, &db, &got), FU_OK);
        for (int64_t d = a < b ? a : b; d < (a < b ? b : a); d++) {
            fu_date dd;
            fu_date_from_days(d, &dd);
            want += fu_calendar_is_working_day(c, &dd);
        }
        cr_assert_eq(got, a <= b ? want : -want, "%lld..%lld", (long long)a, (long long)b);
    }
}

/* The close-of-business shortcut (zones whose last offset regime covers
 * the instant and the target day: no zone cursor) gives the walk's answers,
 * also at its edges: just after the last transition of a zone that dropped
 * DST (Sao Paulo, February 2019), a zone with one regime and no hours (UTC:
 * open all day), +14:00 (Kiritimati), and instants near the end of the zone
 * table (2500), where it hands over to the general path. */
Test(calendar, working_days_fixed_zone_shortcut_matches_walk) {
    fu_calendar *sp = cal_new("America/Sao_Paulo");
    set_hours(sp, "Mon-Fri 08:00-12:00, 13:00-17:30; Sat 09:00-13:00");
    holiday(sp, "2019-02-15", "2019-02-19");
    holiday(sp, "2019-03-04", "2019-03-06");
    workday(sp, "2019-02-24");
    wd_check(sp, T("2019-02-01T00:00:00Z"), T("2019-03-20T00:00:00Z"), 20000, 30);
    wd_check(sp, T("2018-10-01T00:00:00Z"), T("2020-01-01T00:00:00Z"), 5000, 300);
    fu_calendar *utc = cal_new("UTC");
    holiday(utc, "2025-12-24", "2026-01-01");
    wd_check(utc, T("2025-12-01T00:00:00Z"), T("2026-01-31T00:00:00Z"), 5000, 40);
    wd_check(utc, T("2499-12-01T00:00:00Z"), T("2500-01-20T00:00:00Z"), 5000, 40);
    fu_calendar *ki = cal_new("Pacific/Kiritimati");
    set_hours(ki, "Mon-Fri 00:00-24:00");
    holiday(ki, "2025-06-02", "2025-06-03");
    wd_check(ki, T("2025-05-01T00:00:00Z"), T("2025-07-01T00:00:00Z"), 5000, 40);
    fu_calendar *cn = office_cn();
    cn_2025(cn);
    wd_check(cn, T("2499-12-01T00:00:00Z"), T("2500-01-20T00:00:00Z"), 5000, 40);
    fu_calendar *all[] = {sp, utc, ki, cn};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) fu_calendar_free(all[i]);
}

Test(calendar, working_days_table_matches_walk) {
    int64_t y2024 = T("2024-01-01T00:00:00Z"), y2027 = T("2027-01-01T00:00:00Z");
    int64_t y1990 = T("1990-01-01T00:00:00Z"), y2060 = T("2060-01-01T00:00:00Z");
    /* CN office with the 2025 调休 and make-up days of several weekdays */
    fu_calendar *cn = office_cn();
    cn_2025(cn);
    fu_date mk = D("2024-02-04"), mk2 = D("2024-02-18"), mk3 = D("2026-01-04");
    cr_assert_eq(fu_calendar_add_workday(cn, &mk, FU_FRIDAY), FU_OK);
    cr_assert_eq(fu_calendar_add_workday(cn, &mk2, FU_SUNDAY), FU_OK); /* closed weekday: not working */
    cr_assert_eq(fu_calendar_add_workday(cn, &mk3, FU_MONDAY), FU_OK);
    holiday(cn, "2024-02-10", "2024-02-17");
    holiday(cn, "2026-02-15", "2026-02-23");
    wd_check(cn, y2024, y2027, 20000, 40);
    wd_check(cn, y1990, y2060, 5000, 3000);
    /* New York: DST days, hours across midnight-adjacent times, open 00:00-24:00
     * on Sundays, 01:00-03:00 on Saturdays (inside the spring gap), holidays */
    fu_calendar *ny = cal_new("America/New_York");
    set_hours(ny, "Mon-Fri 09:00-17:00; Sat 01:00-03:00; Sun 00:00-24:00");
    holiday(ny, "2025-03-08", "2025-03-08");
    holiday(ny, "2025-11-01", "2025-11-03");
    holiday(ny, "2025-12-24", "2026-01-02");
    fu_date sat = D("2025-03-09");
    cr_assert_eq(fu_calendar_add_workday(ny, &sat, FU_SATURDAY), FU_OK);
    wd_check(ny, y2024, y2027, 20000, 40);
    wd_check(ny, y1990, y2060, 3000, 3000);
    /* no hours: every day open except the holidays; Berlin with DST */
    fu_calendar *be = cal_new("Europe/Berlin");
    holiday(be, "2025-03-30", "2025-04-02");
    holiday(be, "2025-10-26", "2025-10-26");
    wd_check(be, y2024, y2027, 10000, 40);
    /* the walk is kept where the table cannot answer as it does: a closed run
     * longer than MAX_CLOSED_RUN (an error from both), exceptions 700 years
     * apart, no working weekday (only make-up days) */
    fu_calendar *lg = office_cn();
    holiday(lg, "2025-01-01", "2028-12-31");
    wd_check(lg, y2024, y2027, 2000, 40);
    fu_calendar *far = office_cn();
    holiday(far, "1700-01-01", "1700-01-05");
    holiday(far, "2400-01-01", "2400-01-05");
    wd_check(far, y2024, y2027, 2000, 40);
    fu_calendar *mo = cal_new("Asia/Shanghai");
    set_hours(mo, "Mon 09:00-10:00");
    cr_assert_eq(fu_calendar_set_hours(mo, FU_MONDAY, NULL, 0), FU_OK);
    workday(mo, "2025-05-05");
    wd_check(mo, y2024, T("2025-05-06T00:00:00Z"), 500, 3);
    /* the table follows every change: clone, clear, set */
    fu_calendar *cl = NULL;
    cr_assert_eq(fu_calendar_clone(&cl, cn), FU_OK);
    wd_check(cl, y2024, y2027, 3000, 40);
    fu_calendar_clear_hours(cl);
    wd_check(cl, y2024, y2027, 3000, 40);
    set_hours(cl, "Tue,Thu 10:00-11:00");
    wd_check(cl, y2024, y2027, 3000, 40);
    fu_calendar_clear_exceptions(cl);
    wd_check(cl, y2024, y2027, 3000, 40);
    /* the end of the range: an error from both */
    int64_t r1, r2;
    int64_t late = T("9999-12-20T12:00:00Z");
    cr_assert_eq(fu__calendar_add_working_days_at(cn, late, 30, FU_WORKDAY_END_OF_DAY, 0, &r1), FU_ERANGE);
    cr_assert_eq(fu__calendar_add_working_days_at(cn, late, 30, FU_WORKDAY_END_OF_DAY, 1, &r2), FU_ERANGE);
    cr_assert_eq(fu__calendar_add_working_days_at(cn, late, 2147483647, FU_WORKDAY_SAME_TIME, 0, &r1),
                 FU_ERANGE);
    fu_calendar *all[] = {cn, ny, be, lg, far, mo, cl};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) fu_calendar_free(all[i]);
}

/* The regime bucket index the conversions use finds the same regime as the
 * plain binary search: at random instants (years 1890..2520, around and past
 * the index's end), and second by second around every transition of
 * 1960..2100, in zones with DST (Sao Paulo's ended in 2019, Lord Howe's moves
 * by half an hour) and with a fixed offset. */
Test(calendar, zone_bucket_index_matches_binary_search) {
    static const char *const zones[] = {"America/New_York", "Europe/Berlin", "America/Sao_Paulo",
                                        "Australia/Lord_Howe", "Asia/Shanghai", "UTC"};
    uint64_t s = 0x9E3779B97F4A7C15u;
    const int64_t lo = -2524521600 /* 1890 */, hi = 17514144000 /* 2525 */;
    for (size_t z = 0; z < sizeof zones / sizeof zones[0]; z++) {
        fu_calendar *c = NULL;
        cr_assert_eq(fu_calendar_new(&c, zones[z]), FU_OK, "%s", zones[z]);
        for (int i = 0; i < 200000; i++) {
            s ^= s << 13, s ^= s >> 7, s ^= s << 17;
            int64_t t = lo + (int64_t)(s % (uint64_t)(hi - lo));
            size_t a = fu__calendar_zone_index(c, t, 0), b = fu__calendar_zone_index(c, t, 1);
            if (a != b) cr_assert_fail("%s at %lld: index %zu, binary search %zu", zones[z], (long long)t, a, b);
        }
        size_t transitions = 0;
        for (int64_t h = -315619200 /* 1960 */; h < 4102444800 /* 2100 */; h += 3600) {
            if (fu__calendar_zone_index(c, h, 1) == fu__calendar_zone_index(c, h + 3600, 1)) continue;
            transitions++;
            for (int64_t t = h - 1; t <= h + 3601; t++)
                if (fu__calendar_zone_index(c, t, 0) != fu__calendar_zone_index(c, t, 1))
                    cr_assert_fail("%s at %lld: index and binary search differ", zones[z], (long long)t);
        }
        if (z < 4) cr_assert_gt(transitions, 50, "%s: %zu transitions", zones[z], transitions);
        /* conversions over the transitions agree with the offsets */
        for (int i = 0; i < 20000; i++) {
            s ^= s << 13, s ^= s >> 7, s ^= s << 17;
            int64_t t = 946684800 /* 2000 */ + (int64_t)(s % 631152000u);
            int off = 0;
            fu_local l;
            cr_assert_eq(fu_calendar_utc_offset(c, t, &off), FU_OK);
            cr_assert_eq(fu_calendar_to_local(c, t, &l), FU_OK);
            cr_assert_eq(l.utc_offset, off);
            int64_t back = 0;
            cr_assert_eq(fu_calendar_from_local(c, &l, 0, &back), FU_OK);
            int64_t back2 = 0;
            cr_assert_eq(fu_calendar_from_local(c, &l, FU_LOCAL_LATER, &back2), FU_OK);
            cr_assert(back == t || back2 == t, "%s at %lld: round trip %lld/%lld", zones[z], (long long)t,
                      (long long)back, (long long)back2);
        }
        fu_calendar_free(c);
    }
}

/* The month arithmetic without fu_local: the same instant as
 * fu_calendar_to_local, the month shift (day clamped to the month's end) and
 * fu_calendar_from_local(flags 0), at random instants and at every hour
 * around the transitions of 1990..2040 (local times landing in DST gaps and
 * repeats), for shifts of -40..40 months, in zones with and without DST. */
static int add_months_ref(const fu_calendar *c, int64_t t, int64_t months, int64_t *out) {
    fu_local l;
    int rc = fu_calendar_to_local(c, t, &l);
    if (rc) return rc;
    int64_t m = (int64_t)l.year * 12 + (l.month - 1) + months;
    if (m < 12 || m >= (int64_t)10000 * 12) return FU_ERANGE;
    l.year = (int)(m / 12);
    l.month = (int)(m % 12) + 1;
    static const int dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (l.year % 4 == 0 && l.year % 100 != 0) || l.year % 400 == 0;
    int n = l.month == 2 && leap ? 29 : dim[l.month - 1];
    if (l.day > n) l.day = n;
    return fu_calendar_from_local(c, &l, 0, out);
}

Test(calendar, add_months_matches_local_round_trip) {
    static const char *const zones[] = {"America/New_York", "Europe/Berlin", "America/Sao_Paulo",
                                        "Australia/Lord_Howe", "Asia/Shanghai", "UTC"};
    uint64_t s = 0x2545F4914F6CDD1Du;
    for (size_t z = 0; z < sizeof zones / sizeof zones[0]; z++) {
        fu_calendar *c = NULL;
        cr_assert_eq(fu_calendar_new(&c, zones[z]), FU_OK, "%s", zones[z]);
        size_t checked = 0;
        for (int i = 0; i < 100000; i++) {
            s ^= s << 13, s ^= s >> 7, s ^= s << 17;
            int64_t t = -2208988800 /* 1900 */ + (int64_t)(s % 19000000000u); /* to about 2502 */
            int64_t months = (int64_t)(s >> 40) % 81 - 40, a = 0, b = 0;
            int ra = fu__calendar_add_months(c, t, months, &a), rb = add_months_ref(c, t, months, &b);
            cr_assert_eq(ra, rb, "%s at %lld %+lld months", zones[z], (long long)t, (long long)months);
            if (a != b) cr_assert_fail("%s at %lld %+lld months: %lld, reference %lld", zones[z], (long long)t,
                                       (long long)months, (long long)a, (long long)b);
            checked++;
        }
        /* hour by hour across 1990..2040, shifted by 1, 6 and 12 months: the
         * targets of a one-month step fall into gaps and repeats */
        for (int64_t t = 631152000 /* 1990 */; t < 2208988800 /* 2040 */; t += 3600 + 60 * 7) {
            static const int64_t ms[] = {1, -1, 6, 12, 36};
            for (size_t k = 0; k < sizeof ms / sizeof ms[0]; k++) {
                int64_t a = 0, b = 0;
                cr_assert_eq(fu__calendar_add_months(c, t, ms[k], &a), FU_OK);
                cr_assert_eq(add_months_ref(c, t, ms[k], &b), FU_OK);
                if (a != b) cr_assert_fail("%s at %lld %+lld months: %lld, reference %lld", zones[z], (long long)t,
                                           (long long)ms[k], (long long)a, (long long)b);
            }
        }
        cr_assert_gt(checked, 0);
        fu_calendar_free(c);
    }
    /* the ends of years 1..9999 */
    fu_calendar *c = NULL;
    cr_assert_eq(fu_calendar_new(&c, "Europe/Berlin"), FU_OK);
    int64_t out = 0;
    cr_assert_eq(fu__calendar_add_months(c, 253402300799 /* 9999-12-31T23:59:59Z */, 1, &out), FU_ERANGE);
    cr_assert_eq(fu__calendar_add_months(c, -62135596800 /* 0001-01-01 */, -1, &out), FU_ERANGE);
    cr_assert_eq(fu__calendar_add_months(c, INT64_C(300000000000), 1, &out), FU_ERANGE);
    cr_assert_eq(fu__calendar_add_months(c, -62135596800 + 86400 * 40, -1, &out), FU_OK);
    cr_assert_eq(out, -62135596800 + 86400 * 9); /* 0001-02-10T01:00 CET -> 0001-01-10T01:00 */
    fu_calendar_free(c);
}

/* fu__civil_from_days (its 32-bit fast path covers years -32,800..2.7
 * million, the 64-bit formulas the rest) is the inverse of
 * fu__days_from_civil on every day of years -1..10001 and around the ends of
 * the fast path, and gives valid dates in order. */
Test(calendar, civil_from_days_every_day) {
    int64_t py = 0;
    int pm = 0, pd = 0;
    const int64_t lo = fu__days_from_civil(-1, 1, 1), hi = fu__days_from_civil(10002, 1, 1);
    for (int64_t z = lo; z < hi; z++) {
        int64_t y;
        int m, d;
        fu__civil_from_days(z, &y, &m, &d);
        if (fu__days_from_civil(y, m, d) != z || m < 1 || m > 12 || d < 1 || d > 31)
            cr_assert_fail("day %lld: %lld-%d-%d", (long long)z, (long long)y, m, d);
        if (z > lo && !(y > py || (y == py && (m > pm || (m == pm && d == pd + 1)))))
            cr_assert_fail("day %lld: %lld-%d-%d after %lld-%d-%d", (long long)z, (long long)y, m, d, (long long)py,
                           pm, pd);
        py = y, pm = m, pd = d;
    }
    static const int64_t edges[] = {-(719468 + 146097 * 82), 1000000000};
    for (size_t k = 0; k < 2; k++)
        for (int64_t z = edges[k] - 1000; z < edges[k] + 1000; z++) {
            int64_t y;
            int m, d;
            fu__civil_from_days(z, &y, &m, &d);
            if (fu__days_from_civil(y, m, d) != z)
                cr_assert_fail("day %lld: %lld-%d-%d", (long long)z, (long long)y, m, d);
        }
    int64_t y;
    int m, d;
    fu__civil_from_days(0, &y, &m, &d);
    cr_assert(y == 1970 && m == 1 && d == 1);
    fu__civil_from_days(-719162, &y, &m, &d);
    cr_assert(y == 1 && m == 1 && d == 1);
    fu__civil_from_days(20513, &y, &m, &d); /* 2026-03-01 */
    cr_assert(y == 2026 && m == 3 && d == 1);
    fu__civil_from_days(11016, &y, &m, &d); /* 2000-02-29 */
    cr_assert(y == 2000 && m == 2 && d == 29);
}
