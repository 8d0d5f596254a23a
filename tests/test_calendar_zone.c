/* A policy calendar in another zone (fu_policy_calendar_in_zone) and
 * fu_calendar_copy_hours: the calendar a customer's promise is dated in. */
#include "fu_test.h"
#include "followup.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

static int64_t at(const char *iso) {
    int64_t t = 0;
    cr_assert_eq(fu_time_parse(iso, strlen(iso), &t), FU_OK, "%s", iso);
    return t;
}

static fu_policy *site(const char *yaml) {
    fu_policy *p = NULL;
    cr_assert_eq(fu_policy_load_string(&p, yaml, strlen(yaml), "site.yaml", NULL), FU_OK, "%s",
                 fu_error_last()->message);
    return p;
}

Test(calendar_zone, same_zone_is_a_copy_with_the_holidays) {
    fu_policy *p = NULL;
    cr_assert_eq(fu_policy_default(&p), FU_OK);
    fu_calendar *c = NULL;
    cr_assert_eq(fu_policy_calendar_in_zone(p, "cn", "Asia/Shanghai", &c), FU_OK);
    cr_assert_neq((const void *)c, (const void *)fu_policy_calendar(p, "cn")); /* the caller's own */
    cr_assert_str_eq(fu_calendar_tzid(c), "Asia/Shanghai");
    cr_assert_eq(fu_calendar_is_open(c, at("2026-10-01T10:00:00+08:00")), 0); /* National Day */
    cr_assert_eq(fu_calendar_is_open(c, at("2026-10-12T10:00:00+08:00")), 1); /* a Monday */
    fu_calendar_free(c);
    fu_policy_free(p);
}

Test(calendar_zone, another_zone_keeps_the_hours_not_the_holidays) {
    fu_policy *p = NULL;
    cr_assert_eq(fu_policy_default(&p), FU_OK);
    fu_calendar *c = NULL;
    cr_assert_eq(fu_policy_calendar_in_zone(p, NULL, "Europe/Berlin", &c), FU_OK);
    cr_assert_str_eq(fu_calendar_tzid(c), "Europe/Berlin");
    cr_assert_eq(fu_calendar_is_open(c, at("2026-10-01T10:00:00+02:00")), 1);  /* no Chinese holiday */
    cr_assert_eq(fu_calendar_is_open(c, at("2026-10-01T12:30:00+02:00")), 0);  /* lunch, Berlin time */
    cr_assert_eq(fu_calendar_is_open(c, at("2026-10-01T17:59:00+02:00")), 1);
    cr_assert_eq(fu_calendar_is_open(c, at("2026-10-03T10:00:00+02:00")), 0);  /* Saturday */
    fu_calendar_free(c);
    fu_policy_free(p);
}

/* Another zone of the calendar's country (a link such as PRC, or Xinjiang's
 * Asia/Urumqi): hours in its local time and the country's holidays
 * (review s9 F25); Hong Kong is another region. */
Test(calendar_zone, a_zone_of_the_same_country_keeps_the_holidays) {
    fu_policy *p = NULL;
    cr_assert_eq(fu_policy_default(&p), FU_OK);
    static const char *const cn[] = {"PRC", "Asia/Chongqing", "Asia/Harbin", "Asia/Urumqi"};
    for (size_t i = 0; i < sizeof cn / sizeof *cn; i++) {
        fu_calendar *c = NULL;
        cr_assert_eq(fu_policy_calendar_in_zone(p, "cn", cn[i], &c), FU_OK, "%s", cn[i]);
        cr_assert_str_eq(fu_calendar_tzid(c), cn[i]);
        int off = 0;
        cr_assert_eq(fu_calendar_utc_offset(c, at("2026-10-12T10:00:00+08:00"), &off), FU_OK);
        int h = strcmp(cn[i], "Asia/Urumqi") == 0 ? 6 : 8;
        cr_assert_eq(off, h * 3600, "%s", cn[i]);
        char iso[40];
        snprintf(iso, sizeof iso, "2026-10-01T10:00:00+0%d:00", h);
        cr_assert_eq(fu_calendar_is_open(c, at(iso)), 0, "%s: National Day", cn[i]);
        snprintf(iso, sizeof iso, "2026-10-12T10:00:00+0%d:00", h);
        cr_assert_eq(fu_calendar_is_open(c, at(iso)), 1, "%s: a Monday, local 10:00", cn[i]);
        snprintf(iso, sizeof iso, "2026-10-10T10:00:00+0%d:00", h);
        cr_assert_eq(fu_calendar_is_open(c, at(iso)), 1, "%s: the make-up Saturday", cn[i]);
        fu_calendar_free(c);
    }
    fu_calendar *hk = NULL;
    cr_assert_eq(fu_policy_calendar_in_zone(p, "cn", "Asia/Hong_Kong", &hk), FU_OK);
    cr_assert_eq(fu_calendar_is_open(hk, at("2026-10-01T10:00:00+08:00")), 1); /* hours only */
    fu_calendar_free(hk);
    fu_policy_free(p);
}

Test(calendar_zone, a_policy_calendar_of_that_zone_wins_with_its_holidays) {
    fu_policy *p = site("calendars:\n"
                        "  de:\n"
                        "    tz: Europe/Berlin\n"
                        "    hours:\n"
                        "      mon: [\"08:00-16:00\"]\n"
                        "    holidays: [2026-10-05]\n");
    fu_calendar *c = NULL;
    cr_assert_eq(fu_policy_calendar_in_zone(p, "cn", "Europe/Berlin", &c), FU_OK);
    cr_assert_eq(fu_calendar_is_open(c, at("2026-10-05T10:00:00+02:00")), 0); /* de's holiday */
    cr_assert_eq(fu_calendar_is_open(c, at("2026-10-12T08:30:00+02:00")), 1); /* de's Monday hours */
    cr_assert_eq(fu_calendar_is_open(c, at("2026-10-13T10:00:00+02:00")), 0); /* de: closed Tuesday */
    fu_calendar_free(c);
    fu_policy_free(p);
}

Test(calendar_zone, errors) {
    fu_policy *p = NULL;
    cr_assert_eq(fu_policy_default(&p), FU_OK);
    fu_calendar *c = (fu_calendar *)1;
    cr_assert_eq(fu_policy_calendar_in_zone(p, "cn", "Mars/Olympus", &c), FU_ETIMEZONE);
    cr_assert_null(c);
    cr_assert_eq(fu_policy_calendar_in_zone(p, "nope", "UTC", &c), FU_ENOTFOUND);
    cr_assert_eq(fu_policy_calendar_in_zone(p, "cn", NULL, &c), FU_EINVAL);
    cr_assert_eq(fu_calendar_copy_hours(NULL, NULL), FU_EINVAL);
    fu_policy_free(p);
}

Test(calendar_zone, copy_hours_of_a_calendar_without_hours_opens_all_day) {
    fu_calendar *a = NULL, *b = NULL;
    cr_assert_eq(fu_calendar_new(&a, "UTC"), FU_OK);
    cr_assert_eq(fu_calendar_new(&b, "Asia/Tokyo"), FU_OK);
    cr_assert_eq(fu_calendar_set_hours_text(b, "Mon 09:00-10:00", 15), FU_OK);
    cr_assert_eq(fu_calendar_copy_hours(b, a), FU_OK);
    cr_assert_eq(fu_calendar_is_open(b, at("2026-10-04T03:00:00+09:00")), 1); /* Sunday night: open */
    cr_assert_eq(fu_calendar_set_hours_text(a, "Tue 09:00-10:00", 15), FU_OK);
    cr_assert_eq(fu_calendar_copy_hours(b, a), FU_OK);
    cr_assert_eq(fu_calendar_is_open(b, at("2026-10-06T09:30:00+09:00")), 1); /* Tuesday, Tokyo time */
    cr_assert_eq(fu_calendar_is_open(b, at("2026-10-05T09:30:00+09:00")), 0);
    fu_calendar_free(a);
    fu_calendar_free(b);
}

static int op_in_zone(void *ctx) {
    const fu_policy *p = ctx;
    fu_calendar *c = NULL;
    int rc = fu_policy_calendar_in_zone(p, "cn", "America/Chicago", &c);
    fu_calendar_free(c);
    return rc;
}

Test(calendar_zone, out_of_memory_leaks_nothing) {
    fu_test_oom_builtin_policy("calendar in zone", op_in_zone, 200);
}
