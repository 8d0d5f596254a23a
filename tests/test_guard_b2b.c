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

#include <criterion/criterion.h>
#include <string.h>

#define T fu_test_time

typedef struct bfx {
    fu_policy *policy;
    fu_book *book;
    fu_guard *guard;
} bfx;

/* P private, S a small business and I a manufacturer in Shanghai; N a small
 * business in New York, U one in Urumqi (China, UTC+6); each a customer
 * since mid-2025, calls allowed. */
static void bsetup(bfx *f) {
    memset(f, 0, sizeof *f);
    cr_assert_eq(fu_policy_default(&f->policy), FU_OK);
    cr_assert_eq(fu_book_new(&f->book, NULL), FU_OK);
    static const struct {
        const char *id, *tz, *industry;
        fu_tristate smb;
    } cs[] = {{"P", "Asia/Shanghai", NULL, FU_TRI_NO},
              {"S", "Asia/Shanghai", NULL, FU_TRI_YES},
              {"I", "Asia/Shanghai", "manufacturing", FU_TRI_UNKNOWN},
              {"N", "America/New_York", NULL, FU_TRI_YES},
              {"U", "Asia/Urumqi", NULL, FU_TRI_YES}};
    for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++) {
        fu_customer c;
        fu_customer_init(&c);
        c.id = cs[i].id;
        c.tz = cs[i].tz;
        c.industry = cs[i].industry;
        c.is_smb = cs[i].smb;
        c.first_purchase_at = T("2025-06-01T10:00:00+08:00");
        c.consent_phone = FU_TRI_YES;
        c.consent_sms = FU_TRI_YES;
        cr_assert_eq(fu_book_add_customer(f->book, &c, NULL), FU_OK, "%s", fu_error_last()->message);
        fu_event_in e;
        fu_event_in_init(&e);
        e.customer_id = cs[i].id;
        e.at = T("2026-02-01T10:00:00+08:00");
        e.kind = FU_EVENT_PURCHASE;
        e.amount = 300;
        cr_assert_eq(fu_book_add_event(f->book, &e), FU_OK);
    }
    cr_assert_eq(fu_book_finalize(f->book), FU_OK);
    cr_assert_eq(fu_guard_new(&f->guard, f->policy, f->book, NULL, NULL), FU_OK, "%s", fu_error_last()->message);
}

static void bteardown(bfx *f) {
    fu_guard_free(f->guard);
    fu_book_free(f->book);
    fu_policy_free(f->policy);
}

/* Ask for a phone call of `prio`; expect `rule` (NULL: allowed) with the
 * next allowed instant `next`, and that `next` itself is allowed. */
static void expect_p(bfx *f, const char *cust, const char *iso, fu_priority prio, const char *rule, const char *next) {
    fu_guard_request r = FU_GUARD_REQUEST_INIT;
    r.customer_id = cust;
    r.channel = FU_CHANNEL_PHONE;
    r.at = T(iso);
    r.priority = prio;
    fu_guard_decision d;
    cr_assert_eq(fu_guard_check_request(f->guard, &r, &d), FU_OK, "%s", fu_error_last()->message);
    if (!rule) {
        cr_assert_eq(d.allowed, 1, "%s at %s: denied by %s (%s)", cust, iso, d.rule, d.reason);
        return;
    }
    cr_assert_eq(d.allowed, 0, "%s at %s: allowed, expected %s", cust, iso, rule);
    cr_assert_str_eq(d.rule, rule, "%s at %s: %s", cust, iso, d.reason);
    cr_assert(strstr(d.reason, rule), "%s", d.reason);
    cr_assert_eq(d.next_allowed, T(next), "%s at %s: %s", cust, iso, d.reason);
    r.at = d.next_allowed;
    cr_assert_eq(fu_guard_check_request(f->guard, &r, &d), FU_OK);
    cr_assert_eq(d.allowed, 1, "%s: next allowed %s is denied by %s", cust, next, d.rule);
}

static void expect(bfx *f, const char *cust, const char *iso, const char *rule, const char *next) {
    expect_p(f, cust, iso, FU_PRIORITY_NORMAL, rule, next);
}

/* Tue 2026-03-10, a working day: lunch (12:00-13:30) and the edges of the
 * day are closed to business customers, not to a private one. */
Test(guard_b2b, business_hours_on_a_working_day) {
    bfx f;
    bsetup(&f);
    expect(&f, "S", "2026-03-10T12:30:00+08:00", "calendars.hours", "2026-03-10T13:30:00+08:00");
    expect(&f, "I", "2026-03-10T12:30:00+08:00", "calendars.hours", "2026-03-10T13:30:00+08:00");
    expect(&f, "P", "2026-03-10T12:30:00+08:00", NULL, NULL);
    expect(&f, "S", "2026-03-10T14:00:00+08:00", NULL, NULL);
    expect(&f, "S", "2026-03-10T09:00:00+08:00", NULL, NULL);
    expect(&f, "S", "2026-03-10T11:59:59+08:00", NULL, NULL);
    expect(&f, "S", "2026-03-10T12:00:00+08:00", "calendars.hours", "2026-03-10T13:30:00+08:00");
    /* 08:30: the quiet hours allow it, the business day starts at 09:00 */
    expect(&f, "S", "2026-03-10T08:30:00+08:00", "calendars.hours", "2026-03-10T09:00:00+08:00");
    expect(&f, "P", "2026-03-10T08:30:00+08:00", NULL, NULL);
    /* 18:00 closes it: the next morning at 09:00 */
    expect(&f, "S", "2026-03-10T18:00:00+08:00", "calendars.hours", "2026-03-11T09:00:00+08:00");
    /* quiet hours come first: 22:00 is quiet_hours.allowed, next 09:00 (both hold) */
    expect(&f, "S", "2026-03-10T22:00:00+08:00", "quiet_hours.allowed", "2026-03-11T09:00:00+08:00");
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
    bteardown(&f);
}

/* Weekends, a public holiday and the make-up working days of 2026. */
Test(guard_b2b, weekends_holidays_and_make_up_days) {
    bfx f;
    bsetup(&f);
    /* Sat 2026-03-14: closed to S until Mon 09:00; open to P */
    expect(&f, "S", "2026-03-14T10:00:00+08:00", "calendars.hours", "2026-03-16T09:00:00+08:00");
    expect(&f, "P", "2026-03-14T10:00:00+08:00", NULL, NULL);
    /* Sun 2026-09-13, an ordinary Sunday: next Mon 09-14 09:00 */
    expect(&f, "S", "2026-09-13T10:00:00+08:00", "calendars.hours", "2026-09-14T09:00:00+08:00");
    /* Sun 2026-09-20 is a make-up working day with Monday's hours */
    expect(&f, "S", "2026-09-20T10:00:00+08:00", NULL, NULL);
    expect(&f, "S", "2026-09-20T12:30:00+08:00", "calendars.hours", "2026-09-20T13:30:00+08:00");
    /* Sat 2026-10-10 too */
    expect(&f, "I", "2026-10-10T15:00:00+08:00", NULL, NULL);
    /* National Day (Thu 10-01 .. Wed 10-07): the holiday rule says no for
     * everyone; a business customer's next allowed instant is Thu 10-08
     * 09:00, a private customer's 08:00 */
    expect(&f, "S", "2026-10-02T10:00:00+08:00", "calendars.holidays", "2026-10-08T09:00:00+08:00");
    expect(&f, "P", "2026-10-02T10:00:00+08:00", "calendars.holidays", "2026-10-08T08:00:00+08:00");
    bteardown(&f);
}

/* Urgent contacts skip the business calendar, as they skip the holidays
 * (`quiet_hours.on_holidays`), never the quiet hours. */
Test(guard_b2b, urgent_contacts_may_call_outside_business_hours) {
    bfx f;
    bsetup(&f);
    expect_p(&f, "S", "2026-03-10T12:30:00+08:00", FU_PRIORITY_URGENT, NULL, NULL);
    expect_p(&f, "S", "2026-03-14T10:00:00+08:00", FU_PRIORITY_URGENT, NULL, NULL);
    expect_p(&f, "S", "2026-10-02T10:00:00+08:00", FU_PRIORITY_URGENT, NULL, NULL);
    expect_p(&f, "S", "2026-03-10T08:30:00+08:00", FU_PRIORITY_URGENT, NULL, NULL);
    expect_p(&f, "S", "2026-03-10T22:00:00+08:00", FU_PRIORITY_URGENT, "quiet_hours.allowed",
             "2026-03-11T08:00:00+08:00");
    /* high priority is not urgent */
    expect_p(&f, "S", "2026-03-10T12:30:00+08:00", FU_PRIORITY_HIGH, "calendars.hours",
             "2026-03-10T13:30:00+08:00");
    bteardown(&f);
}

/* A business customer in New York: the calendar's hours in New York time
 * (EDT, -04:00, from 2026-03-08), no Chinese holidays, no make-up Sundays. */
Test(guard_b2b, the_customers_own_zone) {
    bfx f;
    bsetup(&f);
    expect(&f, "N", "2026-03-10T12:30:00-04:00", "calendars.hours", "2026-03-10T13:30:00-04:00");
    expect(&f, "N", "2026-03-10T10:00:00-04:00", NULL, NULL);
    expect(&f, "N", "2026-03-10T18:30:00-04:00", "calendars.hours", "2026-03-11T09:00:00-04:00");
    /* Fri 2026-10-02 is a working day in New York */
    expect(&f, "N", "2026-10-02T10:00:00-04:00", NULL, NULL);
    /* Sun 2026-09-20 is a make-up day in China only */
    expect(&f, "N", "2026-09-20T10:00:00-04:00", "calendars.hours", "2026-09-21T09:00:00-04:00");
    /* Fri 17:30 New York (Sat 05:30 in Beijing) is open; Fri 18:30 waits for Monday */
    expect(&f, "N", "2026-03-13T17:30:00-04:00", NULL, NULL);
    expect(&f, "N", "2026-03-13T18:30:00-04:00", "calendars.hours", "2026-03-16T09:00:00-04:00");
    bteardown(&f);
}

/* Another zone of the calendar's country (Xinjiang, Asia/Urumqi, UTC+6;
 * review s9 F25): the calendar's hours in Urumqi time with China's holidays
 * and make-up days. */
Test(guard_b2b, a_zone_of_the_calendars_country) {
    bfx f;
    bsetup(&f);
    expect(&f, "U", "2026-03-10T12:30:00+06:00", "calendars.hours", "2026-03-10T13:30:00+06:00");
    expect(&f, "U", "2026-10-02T10:00:00+06:00", "calendars.holidays", "2026-10-08T09:00:00+06:00");
    expect(&f, "U", "2026-09-20T10:00:00+06:00", NULL, NULL);
    bteardown(&f);
}

/* A call-back the customer asked for at lunchtime is made then: the
 * customer chose the time (as it skips the gap and the caps). */
Test(guard_b2b, a_requested_call_back_at_lunch_is_allowed) {
    bfx f;
    bsetup(&f);
    fu_contact_record r;
    fu_contact_record_init(&r);
    r.customer_id = "S";
    r.at = T("2026-03-10T10:00:00+08:00");
    r.channel = FU_CHANNEL_PHONE;
    r.outcome = FU_GUARD_CALLBACK;
    r.callback_at = T("2026-03-10T12:30:00+08:00");
    cr_assert_eq(fu_guard_record(f.guard, &r, 1), FU_OK, "%s", fu_error_last()->message);
    expect(&f, "S", "2026-03-10T12:30:00+08:00", NULL, NULL);
    expect(&f, "S", "2026-03-10T12:00:00+08:00", "redial.callback", "2026-03-10T12:30:00+08:00");
    expect(&f, "I", "2026-03-10T12:30:00+08:00", "calendars.hours", "2026-03-10T13:30:00+08:00");
    bteardown(&f);
}

/* The policy's default calendar (`calendar:`) decides: a site calendar's
 * own hours. */
Test(guard_b2b, the_policy_calendar_decides) {
    static const char *yaml = "calendar: site\n"
                              "calendars:\n"
                              "  site:\n"
                              "    extends: cn\n"
                              "    hours: {mon: [\"10:00-16:00\"]}\n";
    fu_policy *p = fu_test_policy(yaml);
    bfx f;
    bsetup(&f);
    fu_guard *g = NULL;
    cr_assert_eq(fu_guard_new(&g, p, f.book, NULL, NULL), FU_OK, "%s", fu_error_last()->message);
    fu_guard_decision d;
    /* Mon 2026-03-09 09:30: before the site's Monday hours */
    cr_assert_eq(fu_guard_check(g, "S", FU_CHANNEL_PHONE, T("2026-03-09T09:30:00+08:00"), &d), FU_OK);
    cr_assert_str_eq(d.rule, "calendars.hours", "%s", d.reason);
    cr_assert_eq(d.next_allowed, T("2026-03-09T10:00:00+08:00"));
    /* Mon 12:30 is open (10:00-16:00 without lunch); Tue keeps cn's hours */
    cr_assert_eq(fu_guard_check(g, "S", FU_CHANNEL_PHONE, T("2026-03-09T12:30:00+08:00"), &d), FU_OK);
    cr_assert_eq(d.allowed, 1, "%s", d.reason);
    cr_assert_eq(fu_guard_check(g, "S", FU_CHANNEL_PHONE, T("2026-03-10T12:30:00+08:00"), &d), FU_OK);
    cr_assert_str_eq(d.rule, "calendars.hours", "%s", d.reason);
    fu_guard_free(g);
    bteardown(&f);
    fu_policy_free(p);
}
