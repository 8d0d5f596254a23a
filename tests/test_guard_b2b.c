/* fu_guard: the business calendar of business (B2B) customers (review s9
 * F3). Hand-worked cases of the built-in policy (lib/data/default_policy.yaml):
 * quiet hours 08:00-21:00 local; calendar `cn` (Asia/Shanghai) open Mon-Fri
 * 09:00-12:00 and 13:30-18:00, holidays 2026-10-01..07, make-up working days
 * Sun 2026-09-20 and Sat 2026-10-10; `quiet_hours.on_holidays: [urgent]`.
 *
 * A customer with an industry or `is_smb` yes is B2B (as fu_besttime's
 * default reads it): the calendar's weekly hours hold in the customer's own
 * zone, its holidays and make-up days only in the calendar's zone. Urgent
 * contacts skip it (the source: urgent problems first, non-urgent contacts
 * avoid the customer's rest time). */
#include "fu_test.h"
#include "fu_test_fixtures.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#define T fu_test_time

/* The guard of the built-in policy over P, a private customer, S a small
 * business and I a manufacturer in Shanghai; N a small business in New York,
 * U one in Urumqi (China, UTC+6) (fu_test_contact_book: customers since
 * mid-2025, calls allowed); set up before each test (.init), freed after. */
static fu_test_guard f;

static void bsetup(void) {
    static const fu_test_customer cs[] = {{"P", "Asia/Shanghai", NULL, FU_TRI_NO},
                                          {"S", "Asia/Shanghai", NULL, FU_TRI_YES},
                                          {"I", "Asia/Shanghai", "manufacturing", FU_TRI_UNKNOWN},
                                          {"N", "America/New_York", NULL, FU_TRI_YES},
                                          {"U", "Asia/Urumqi", NULL, FU_TRI_YES}};
    fu_test_guard_open(&f, fu_test_contact_book(cs, sizeof cs / sizeof cs[0], NULL), NULL);
}

static void bteardown(void) { fu_test_guard_free(&f); }

/* Ask for a phone call of `prio`; expect `rule` (NULL: allowed) with the
 * next allowed instant `next`, named in the reason, and that `next` itself
 * is allowed. */
static void expect_p(const char *cust, const char *iso, fu_priority prio, const char *rule, const char *next) {
    fu_guard_request r = fu_test_phone_request(cust, T(iso), NULL);
    r.priority = prio;
    fu_guard_decision d;
    cr_assert_eq(fu_guard_check_request(f.guard, &r, &d), FU_OK, "%s", fu_error_last()->message);
    char what[96];
    snprintf(what, sizeof what, "%s at %s", cust, iso);
    fu_test_expect_decision(&d, rule, next, what);
    if (!rule) return;
    cr_assert(strstr(d.reason, rule), "%s", d.reason);
    r.at = d.next_allowed;
    cr_assert_eq(fu_guard_check_request(f.guard, &r, &d), FU_OK);
    cr_assert_eq(d.allowed, 1, "%s: next allowed %s is denied by %s", cust, next, d.rule);
}

static void expect(const char *cust, const char *iso, const char *rule, const char *next) {
    expect_p(cust, iso, FU_PRIORITY_NORMAL, rule, next);
}

/* Tue 2026-03-10, a working day: lunch (12:00-13:30) and the edges of the
 * day are closed to business customers, not to a private one. */
Test(guard_b2b, business_hours_on_a_working_day, .init = bsetup, .fini = bteardown) {
    expect("S", "2026-03-10T12:30:00+08:00", "calendars.hours", "2026-03-10T13:30:00+08:00");
    expect("I", "2026-03-10T12:30:00+08:00", "calendars.hours", "2026-03-10T13:30:00+08:00");
    expect("P", "2026-03-10T12:30:00+08:00", NULL, NULL);
    expect("S", "2026-03-10T14:00:00+08:00", NULL, NULL);
    expect("S", "2026-03-10T09:00:00+08:00", NULL, NULL);
    expect("S", "2026-03-10T11:59:59+08:00", NULL, NULL);
    expect("S", "2026-03-10T12:00:00+08:00", "calendars.hours", "2026-03-10T13:30:00+08:00");
    /* 08:30: the quiet hours allow it, the business day starts at 09:00 */
    expect("S", "2026-03-10T08:30:00+08:00", "calendars.hours", "2026-03-10T09:00:00+08:00");
    expect("P", "2026-03-10T08:30:00+08:00", NULL, NULL);
    /* 18:00 closes it: the next morning at 09:00 */
    expect("S", "2026-03-10T18:00:00+08:00", "calendars.hours", "2026-03-11T09:00:00+08:00");
    /* quiet hours come first: 22:00 is quiet_hours.allowed, next 09:00 (both hold) */
    expect("S", "2026-03-10T22:00:00+08:00", "quiet_hours.allowed", "2026-03-11T09:00:00+08:00");
    /* the reason says what and why */
    fu_guard_decision d;
    cr_assert_eq(fu_guard_check(f.guard, "S", FU_CHANNEL_PHONE, T("2026-03-10T12:30:00+08:00"), &d), FU_OK);
    cr_assert_str_eq(d.reason, "outside the business hours of a business (B2B) customer in its time zone "
                               "(calendars.hours); next allowed: 2026-03-10T13:30:00+08:00");
    /* the rule is static: it outlives the guard (the CLI prints it after
     * freeing the guard) */
    fu_guard *g2 = NULL;
    cr_assert_eq(fu_guard_new(&g2, f.policy, f.book, NULL, NULL), FU_OK);
    cr_assert_eq(fu_guard_check(g2, "I", FU_CHANNEL_PHONE, T("2026-03-10T12:30:00+08:00"), &d), FU_OK);
    fu_guard_free(g2);
    cr_assert_str_eq(d.rule, "calendars.hours");
    /* every channel: a text at lunch too */
    cr_assert_eq(fu_guard_check(f.guard, "S", FU_CHANNEL_SMS, T("2026-03-10T12:30:00+08:00"), &d), FU_OK);
    cr_assert_str_eq(d.rule, "calendars.hours");
}

/* Weekends, a public holiday and the make-up working days of 2026. */
Test(guard_b2b, weekends_holidays_and_make_up_days, .init = bsetup, .fini = bteardown) {
    /* Sat 2026-03-14: closed to S until Mon 09:00; open to P */
    expect("S", "2026-03-14T10:00:00+08:00", "calendars.hours", "2026-03-16T09:00:00+08:00");
    expect("P", "2026-03-14T10:00:00+08:00", NULL, NULL);
    /* Sun 2026-09-13, an ordinary Sunday: next Mon 09-14 09:00 */
    expect("S", "2026-09-13T10:00:00+08:00", "calendars.hours", "2026-09-14T09:00:00+08:00");
    /* Sun 2026-09-20 is a make-up working day with Monday's hours */
    expect("S", "2026-09-20T10:00:00+08:00", NULL, NULL);
    expect("S", "2026-09-20T12:30:00+08:00", "calendars.hours", "2026-09-20T13:30:00+08:00");
    /* Sat 2026-10-10 too */
    expect("I", "2026-10-10T15:00:00+08:00", NULL, NULL);
    /* National Day (Thu 10-01 .. Wed 10-07): the holiday rule says no for
     * everyone; a business customer's next allowed instant is Thu 10-08
     * 09:00, a private customer's 08:00 */
    expect("S", "2026-10-02T10:00:00+08:00", "calendars.holidays", "2026-10-08T09:00:00+08:00");
    expect("P", "2026-10-02T10:00:00+08:00", "calendars.holidays", "2026-10-08T08:00:00+08:00");
}

/* Urgent contacts skip the business calendar, as they skip the holidays
 * (`quiet_hours.on_holidays`), never the quiet hours. */
Test(guard_b2b, urgent_contacts_may_call_outside_business_hours, .init = bsetup, .fini = bteardown) {
    expect_p("S", "2026-03-10T12:30:00+08:00", FU_PRIORITY_URGENT, NULL, NULL);
    expect_p("S", "2026-03-14T10:00:00+08:00", FU_PRIORITY_URGENT, NULL, NULL);
    expect_p("S", "2026-10-02T10:00:00+08:00", FU_PRIORITY_URGENT, NULL, NULL);
    expect_p("S", "2026-03-10T08:30:00+08:00", FU_PRIORITY_URGENT, NULL, NULL);
    expect_p("S", "2026-03-10T22:00:00+08:00", FU_PRIORITY_URGENT, "quiet_hours.allowed",
             "2026-03-11T08:00:00+08:00");
    /* high priority is not urgent */
    expect_p("S", "2026-03-10T12:30:00+08:00", FU_PRIORITY_HIGH, "calendars.hours",
             "2026-03-10T13:30:00+08:00");
}

/* A business customer in New York: the calendar's hours in New York time
 * (EDT, -04:00, from 2026-03-08), no Chinese holidays, no make-up Sundays. */
Test(guard_b2b, the_customers_own_zone, .init = bsetup, .fini = bteardown) {
    expect("N", "2026-03-10T12:30:00-04:00", "calendars.hours", "2026-03-10T13:30:00-04:00");
    expect("N", "2026-03-10T10:00:00-04:00", NULL, NULL);
    expect("N", "2026-03-10T18:30:00-04:00", "calendars.hours", "2026-03-11T09:00:00-04:00");
    /* Fri 2026-10-02 is a working day in New York */
    expect("N", "2026-10-02T10:00:00-04:00", NULL, NULL);
    /* Sun 2026-09-20 is a make-up day in China only */
    expect("N", "2026-09-20T10:00:00-04:00", "calendars.hours", "2026-09-21T09:00:00-04:00");
    /* Fri 17:30 New York (Sat 05:30 in Beijing) is open; Fri 18:30 waits for Monday */
    expect("N", "2026-03-13T17:30:00-04:00", NULL, NULL);
    expect("N", "2026-03-13T18:30:00-04:00", "calendars.hours", "2026-03-16T09:00:00-04:00");
}

/* Another zone of the calendar's country (Xinjiang, Asia/Urumqi, UTC+6;
 * review s9 F25): the calendar's hours in Urumqi time with China's holidays
 * and make-up days. */
Test(guard_b2b, a_zone_of_the_calendars_country, .init = bsetup, .fini = bteardown) {
    expect("U", "2026-03-10T12:30:00+06:00", "calendars.hours", "2026-03-10T13:30:00+06:00");
    expect("U", "2026-10-02T10:00:00+06:00", "calendars.holidays", "2026-10-08T09:00:00+06:00");
    expect("U", "2026-09-20T10:00:00+06:00", NULL, NULL);
}

/* A call-back the customer asked for at lunchtime is made then: the
 * customer chose the time (as it skips the gap and the caps). */
Test(guard_b2b, a_requested_call_back_at_lunch_is_allowed, .init = bsetup, .fini = bteardown) {
    fu_contact_record r = fu_test_contact("S", T("2026-03-10T10:00:00+08:00"), FU_CHANNEL_PHONE, FU_GUARD_CALLBACK);
    r.callback_at = T("2026-03-10T12:30:00+08:00");
    cr_assert_eq(fu_guard_record(f.guard, &r, 1), FU_OK, "%s", fu_error_last()->message);
    expect("S", "2026-03-10T12:30:00+08:00", NULL, NULL);
    expect("S", "2026-03-10T12:00:00+08:00", "redial.callback", "2026-03-10T12:30:00+08:00");
    expect("I", "2026-03-10T12:30:00+08:00", "calendars.hours", "2026-03-10T13:30:00+08:00");
}

/* The policy's default calendar (`calendar:`) decides: a site calendar's
 * own hours. */
Test(guard_b2b, the_policy_calendar_decides, .init = bsetup, .fini = bteardown) {
    static const char *yaml = "calendar: site\n"
                              "calendars:\n"
                              "  site:\n"
                              "    extends: cn\n"
                              "    hours: {mon: [\"10:00-16:00\"]}\n";
    fu_policy *p = fu_test_policy(yaml);
    fu_guard *g = NULL;
    cr_assert_eq(fu_guard_new(&g, p, f.book, NULL, NULL), FU_OK, "%s", fu_error_last()->message);
    fu_guard_decision d;
    /* Mon 2026-03-09 09:30: before the site's Monday hours */
    cr_assert_eq(fu_guard_check(g, "S", FU_CHANNEL_PHONE, T("2026-03-09T09:30:00+08:00"), &d), FU_OK);
    fu_test_expect_decision(&d, "calendars.hours", "2026-03-09T10:00:00+08:00", "Mon 09:30");
    /* Mon 12:30 is open (10:00-16:00 without lunch); Tue keeps cn's hours */
    cr_assert_eq(fu_guard_check(g, "S", FU_CHANNEL_PHONE, T("2026-03-09T12:30:00+08:00"), &d), FU_OK);
    fu_test_expect_decision(&d, NULL, NULL, "Mon 12:30");
    cr_assert_eq(fu_guard_check(g, "S", FU_CHANNEL_PHONE, T("2026-03-10T12:30:00+08:00"), &d), FU_OK);
    cr_assert_str_eq(d.rule, "calendars.hours", "%s", d.reason);
    fu_guard_free(g);
    fu_policy_free(p);
}
