/* fu_planner: cadence windows, quiet hours across zones, consent, merging,
 * caps, suppressions, capacity, cycles, win-back, the incremental API, the
 * simulation's independent cap check, bad input and out-of-memory. Expected
 * values are worked out by hand from the built-in policy
 * (lib/data/default_policy.yaml) in the comments. */
#include "fu_test.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define H INT64_C(3600)
#define D INT64_C(86400)
#define DATA FU_TEST_SRCDIR "/data/planner/"

static const char CUST_HDR[] = "customer_id,tz,annual_spend,first_purchase_at,industry,is_smb,preferred_windows,"
                               "dnd_windows,consent_phone,consent_sms,consent_email\n";
static const char EV_HDR[] = "customer_id,at,kind,order_id,product_class,unit_price,amount,severity,channel,"
                             "agent_id,outcome\n";

static int64_t T(const char *iso) {
    int64_t t = 0;
    cr_assert_eq(fu_time_parse(iso, strlen(iso), &t), FU_OK, "%s", iso);
    return t;
}

typedef struct fx {
    fu_policy *policy;
    fu_book *book;
    fu_planner *pl;
    fu_plan *plan;
} fx;

static char *cat2(const char *a, const char *b) {
    size_t n = strlen(a), m = strlen(b);
    char *s = malloc(n + m + 1);
    cr_assert_not_null(s);
    memcpy(s, a, n);
    memcpy(s + n, b, m + 1);
    return s;
}

/* Build policy (built-in or YAML text), book and planner from CSV rows (no header). */
static void setup(fx *f, const char *customers, const char *events, const char *policy_yaml,
                  const fu_planner_options *opts) {
    memset(f, 0, sizeof *f);
    if (policy_yaml)
        cr_assert_eq(fu_policy_load_string(&f->policy, policy_yaml, strlen(policy_yaml), "p", NULL), FU_OK, "%s",
                     fu_error_last()->message);
    else
        cr_assert_eq(fu_policy_default(&f->policy), FU_OK);
    cr_assert_eq(fu_book_new(&f->book, NULL), FU_OK);
    char *c = cat2(CUST_HDR, customers), *e = cat2(EV_HDR, events);
    cr_assert_eq(fu_book_read_customers_csv_from_string(f->book, c, strlen(c), "c"), FU_OK, "%s",
                 fu_error_last()->message);
    cr_assert_eq(fu_book_read_events_csv_from_string(f->book, e, strlen(e), "e"), FU_OK, "%s",
                 fu_error_last()->message);
    free(c);
    free(e);
    cr_assert_eq(fu_planner_new(&f->pl, f->policy, f->book, opts), FU_OK, "%s", fu_error_last()->message);
}

static void teardown(fx *f) {
    fu_plan_free(f->plan);
    fu_planner_free(f->pl);
    fu_book_free(f->book);
    fu_policy_free(f->policy);
}

static void plan(fx *f, int64_t now, int64_t horizon) {
    fu_plan_free(f->plan);
    f->plan = NULL;
    cr_assert_eq(fu_planner_plan(f->pl, now, horizon, &f->plan), FU_OK, "%s", fu_error_last()->message);
}

/* The touchpoint of `status` for customer `id` whose rule contains `rule`. */
static const fu_touchpoint *find(const fu_plan *p, fu_touchpoint_status status, const char *id, const char *rule) {
    size_t n = 0;
    const fu_touchpoint *t = fu_plan_touchpoints(p, status, &n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(t[i].customer_id, id) == 0 && strstr(t[i].rule, rule)) return &t[i];
    return NULL;
}

static size_t count(const fu_plan *p, fu_touchpoint_status status) {
    size_t n = 0;
    fu_plan_touchpoints(p, status, &n);
    return n;
}

/* ------------------------------------------------------------------ cadences */

/* Delivery Mon 2026-03-02 10:00 +08:00: first contact due [10:00, +48h] and
 * made at once (10:00 is inside 08:00-21:00); second contact at 7 d within
 * 8 d: [03-09 10:00, 03-17 10:00], made at its start (min gap 24 h and the
 * new-customer cap of 2 in 72 h are kept: 7 days apart). */
Test(planner, delivery_first_within_48h_second_at_7_to_15_days) {
    fx f;
    setup(&f, "C1,Asia/Shanghai,20000,2026-02-25T10:00:00+08:00,,,,,yes,yes,yes\n",
          "C1,2026-02-25T10:00:00+08:00,purchase,O1,,5000,5000,,,,\n"
          "C1,2026-03-02T10:00:00+08:00,delivery,O1,,5000,,,,,\n",
          NULL, NULL);
    int64_t t0 = T("2026-03-02T10:00:00+08:00");
    plan(&f, t0, 20 * D);
    const fu_touchpoint *a = find(f.plan, FU_TOUCHPOINT_PLANNED, "C1", "cadences.delivery.first_contact");
    const fu_touchpoint *b = find(f.plan, FU_TOUCHPOINT_PLANNED, "C1", "cadences.delivery.second_contact");
    cr_assert_not_null(a);
    cr_assert_not_null(b);
    cr_assert_eq(a->due_from, t0);
    cr_assert_eq(a->due_to, t0 + 48 * H);
    cr_assert_eq(a->best_at, t0);
    cr_assert_eq(a->priority, FU_PRIORITY_HIGH);
    cr_assert_eq(a->channel, FU_CHANNEL_PHONE);
    cr_assert_str_eq(a->order_id, "O1");
    cr_assert_eq(b->due_from, t0 + 7 * D);
    cr_assert_eq(b->due_to, t0 + 15 * D);
    cr_assert_eq(b->best_at, t0 + 7 * D);
    cr_assert_eq(b->priority, FU_PRIORITY_NORMAL);
    cr_assert(strstr(a->reason, "delivery on 2026-03-02 10:00 (order O1)"), "%s", a->reason);
    teardown(&f);
}

/* Quiet hours are local: a delivery at 22:30 in New York (03:30Z) is first
 * called at 08:00 EST the next morning (13:00Z); one at 06:00 in Shanghai
 * at 08:00 CST the same day (00:00Z). */
Test(planner, quiet_hours_in_new_york_and_shanghai) {
    fx f;
    setup(&f,
          "NY,America/New_York,20000,2026-02-25T10:00:00-05:00,,,,,yes,yes,yes\n"
          "SH,Asia/Shanghai,20000,2026-02-25T10:00:00+08:00,,,,,yes,yes,yes\n",
          "NY,2026-03-02T22:30:00-05:00,delivery,O1,,5000,,,,,\n"
          "SH,2026-03-03T06:00:00+08:00,delivery,O2,,5000,,,,,\n",
          NULL, NULL);
    /* each planned when its delivery happened */
    plan(&f, T("2026-03-02T22:00:00Z"), 2 * D);
    const fu_touchpoint *sh = find(f.plan, FU_TOUCHPOINT_PLANNED, "SH", "first_contact");
    cr_assert_not_null(sh);
    cr_assert_eq(sh->best_at, T("2026-03-03T00:00:00Z"));
    cr_assert_null(find(f.plan, FU_TOUCHPOINT_PLANNED, "NY", "first_contact")); /* not delivered yet */
    plan(&f, T("2026-03-03T03:30:00Z"), 2 * D);
    const fu_touchpoint *ny = find(f.plan, FU_TOUCHPOINT_PLANNED, "NY", "first_contact");
    cr_assert_not_null(ny);
    cr_assert_eq(ny->best_at, T("2026-03-03T13:00:00Z"));
    /* the CSV shows local offsets */
    char *csv = NULL;
    cr_assert_eq(fu_plan_write_csv_to_string(f.plan, 1u << FU_TOUCHPOINT_PLANNED, 0, NULL, &csv), FU_OK);
    /* docs/formats.md: writers end records with LF */
    cr_assert(strncmp(csv, "customer_id,due_from,due_to,best_at,purpose,channel,priority,rule,reason\n", 73) == 0,
              "%s", csv);
    cr_assert_null(strchr(csv, '\r'), "%s", csv);
    cr_assert(strstr(csv, "NY,2026-03-02T22:30:00-05:00,2026-03-04T22:30:00-05:00,2026-03-03T08:00:00-05:00,"), "%s",
              csv);
    cr_assert(strstr(csv, "SH,2026-03-03T06:00:00+08:00,2026-03-05T06:00:00+08:00,2026-03-03T11:30:00+08:00,"), "%s",
              csv); /* planned at 03:30Z: 11:30 local is the first instant not in the past */
    fu_free(csv);
    teardown(&f);
}

/* Preferred windows are used when the due window has one; do-not-disturb
 * windows are never used. Delivery Mon 09:00, preferred Mon-Fri 14:00-16:00:
 * 14:00. With do-not-disturb Mon-Sun 08:00-20:00 and no preference: 20:00. */
Test(planner, preferred_and_do_not_disturb_windows) {
    fx f;
    setup(&f,
          "P,Asia/Shanghai,20000,2026-02-25T10:00:00+08:00,,,Mon-Fri 14:00-16:00,,yes,yes,yes\n"
          "Q,Asia/Shanghai,20000,2026-02-25T10:00:00+08:00,,,,Mon-Sun 08:00-20:00,yes,yes,yes\n",
          "P,2026-03-02T09:00:00+08:00,delivery,O1,,5000,,,,,\n"
          "Q,2026-03-02T09:00:00+08:00,delivery,O2,,5000,,,,,\n",
          NULL, NULL);
    plan(&f, T("2026-03-02T09:00:00+08:00"), 2 * D);
    const fu_touchpoint *p = find(f.plan, FU_TOUCHPOINT_PLANNED, "P", "first_contact");
    const fu_touchpoint *q = find(f.plan, FU_TOUCHPOINT_PLANNED, "Q", "first_contact");
    cr_assert_not_null(p);
    cr_assert_not_null(q);
    cr_assert_eq(p->best_at, T("2026-03-02T14:00:00+08:00"));
    cr_assert_eq(q->best_at, T("2026-03-02T20:00:00+08:00"));
    teardown(&f);
}

/* A score provider (the best-time hook) picks the best allowed hour. */
static double prefer_17h(void *ud, size_t customer, int channel, int hour_of_week) {
    (void)ud;
    (void)customer;
    (void)channel;
    return hour_of_week % 24 == 17 ? 1.0 : 0.0;
}

Test(planner, score_provider_picks_the_hour) {
    fx f;
    fu_planner_options o = FU_PLANNER_OPTIONS_INIT;
    o.score = prefer_17h;
    setup(&f, "C,Asia/Shanghai,20000,2026-02-25T10:00:00+08:00,,,,,yes,yes,yes\n",
          "C,2026-03-02T09:00:00+08:00,delivery,O1,,5000,,,,,\n", NULL, &o);
    plan(&f, T("2026-03-02T09:00:00+08:00"), 2 * D);
    const fu_touchpoint *c = find(f.plan, FU_TOUCHPOINT_PLANNED, "C", "first_contact");
    cr_assert_not_null(c);
    cr_assert_eq(c->best_at, T("2026-03-02T17:00:00+08:00"));
    teardown(&f);
}

/* ------------------------------------------------------------------ consent */

/* Urgent repair 2026-03-02 09:00: first check due 11:00-12:00 (urgent). No
 * consent at all: suppressed by customer.consent_phone although urgent. SMS
 * consent only: the call becomes an SMS. */
Test(planner, consent_no_means_no_phone_even_for_urgent) {
    fx f;
    setup(&f,
          "NONE,Asia/Shanghai,20000,2026-02-25T10:00:00+08:00,,,,,no,no,no\n"
          "SMS,Asia/Shanghai,20000,2026-02-25T10:00:00+08:00,,,,,no,yes,no\n",
          "NONE,2026-03-02T09:00:00+08:00,repair,O1,,,,urgent,,,\n"
          "SMS,2026-03-02T09:00:00+08:00,repair,O2,,,,urgent,,,\n",
          NULL, NULL);
    plan(&f, T("2026-03-02T09:00:00+08:00"), 12 * H);
    cr_assert_null(find(f.plan, FU_TOUCHPOINT_PLANNED, "NONE", "urgent_fault"));
    const fu_touchpoint *s = find(f.plan, FU_TOUCHPOINT_SUPPRESSED, "NONE", "urgent_fault.first_check");
    cr_assert_not_null(s);
    cr_assert_str_eq(s->status_rule, "customer.consent_phone");
    cr_assert_eq(s->priority, FU_PRIORITY_URGENT);
    const fu_touchpoint *m = find(f.plan, FU_TOUCHPOINT_PLANNED, "SMS", "urgent_fault.first_check");
    cr_assert_not_null(m);
    cr_assert_eq(m->channel, FU_CHANNEL_SMS);
    cr_assert_eq(m->best_at, T("2026-03-02T11:00:00+08:00"));
    cr_assert(strstr(m->reason, "sms instead of phone (customer.consent_phone)"), "%s", m->reason);
    teardown(&f);
}

/* ------------------------------------------------------------------ merging, caps */

/* Delivery and installation of one order on Mon 03-02 10:00: second contact
 * [03-09 10:00, 03-17 10:00] and usage guidance [03-09 10:00, 03-11 10:00]
 * overlap: one contact with both purposes, window the intersection. */
Test(planner, colliding_touchpoints_merge_into_one_contact) {
    fx f;
    setup(&f, "C,Asia/Shanghai,20000,2026-02-25T10:00:00+08:00,,,,,yes,yes,yes\n",
          "C,2026-03-02T10:00:00+08:00,delivery,O1,,5000,,,,,\n"
          "C,2026-03-02T10:00:00+08:00,installation,O1,,5000,,,,,\n"
          "C,2026-03-02T12:00:00+08:00,contact,O1,,,,,phone,,answered\n",
          NULL, NULL);
    int64_t t0 = T("2026-03-02T10:00:00+08:00");
    plan(&f, t0 + 7 * D, 3 * D);
    size_t n = 0;
    const fu_touchpoint *t = fu_plan_touchpoints(f.plan, FU_TOUCHPOINT_PLANNED, &n);
    cr_assert_eq(n, 1);
    cr_assert_eq(t->purposes, 2);
    cr_assert_str_eq(t->purpose, "usage guidance; usage check");
    cr_assert_str_eq(t->rule, "cadences.installation.usage_guidance; cadences.delivery.second_contact");
    cr_assert_eq(t->due_from, t0 + 7 * D);
    cr_assert_eq(t->due_to, t0 + 9 * D);
    cr_assert_eq(t->best_at, t0 + 7 * D);
    fu_plan_stats st;
    fu_plan_get_stats(f.plan, &st);
    cr_assert_eq(st.merged, 1);
    /* the first contact's window closed before now: neither due nor done */
    cr_assert_null(find(f.plan, FU_TOUCHPOINT_PLANNED, "C", "first_contact"));
    teardown(&f);
}

/* Three unanswered calls at t-6d, t-5d, t-4d fill `caps.weekly` (3 in 7 d).
 * A delivery at t (10:00) gives a first contact due [t, t+48h]: held until
 * the call of t-6d leaves the window, t+1d+1s. With the calls at t-5d, t-4d,
 * t-3d it would have to wait until t+2d+1s, past the window: suppressed. */
Test(planner, weekly_cap_holds_back_then_suppresses) {
    fx f;
    setup(&f,
          "A,Asia/Shanghai,20000,2025-02-25T10:00:00+08:00,,,,,yes,yes,yes\n"
          "B,Asia/Shanghai,20000,2025-02-25T10:00:00+08:00,,,,,yes,yes,yes\n",
          "A,2026-02-24T10:00:00+08:00,contact,,,,,,phone,,no_answer\n"
          "A,2026-02-25T10:00:00+08:00,contact,,,,,,phone,,no_answer\n"
          "A,2026-02-26T10:00:00+08:00,contact,,,,,,phone,,no_answer\n"
          "A,2026-03-02T10:00:00+08:00,delivery,O1,,5000,,,,,\n"
          "B,2026-02-25T10:00:00+08:00,contact,,,,,,phone,,no_answer\n"
          "B,2026-02-26T10:00:00+08:00,contact,,,,,,phone,,no_answer\n"
          "B,2026-02-27T10:00:00+08:00,contact,,,,,,phone,,no_answer\n"
          "B,2026-03-02T10:00:00+08:00,delivery,O2,,5000,,,,,\n",
          NULL, NULL);
    int64_t t0 = T("2026-03-02T10:00:00+08:00");
    plan(&f, t0, 3 * D);
    const fu_touchpoint *a = find(f.plan, FU_TOUCHPOINT_PLANNED, "A", "first_contact");
    cr_assert_not_null(a);
    cr_assert_eq(a->best_at, t0 + D + 1);
    cr_assert(strstr(a->reason, "held back by caps.weekly"), "%s", a->reason);
    const fu_touchpoint *b = find(f.plan, FU_TOUCHPOINT_SUPPRESSED, "B", "first_contact");
    cr_assert_not_null(b);
    cr_assert_str_eq(b->status_rule, "caps.weekly");
    cr_assert_null(find(f.plan, FU_TOUCHPOINT_PLANNED, "B", "first_contact"));
    teardown(&f);
}

/* min_gap 24 h: an answered call at t-2h pushes a new first contact to t+22h. */
Test(planner, minimum_gap_between_contacts) {
    fx f;
    setup(&f, "A,Asia/Shanghai,20000,2025-02-25T10:00:00+08:00,,,,,yes,yes,yes\n",
          "A,2026-03-02T08:00:00+08:00,contact,,,,,,phone,,answered\n"
          "A,2026-03-02T10:00:00+08:00,delivery,O1,,5000,,,,,\n",
          NULL, NULL);
    int64_t t0 = T("2026-03-02T10:00:00+08:00");
    plan(&f, t0, 3 * D);
    const fu_touchpoint *a = find(f.plan, FU_TOUCHPOINT_PLANNED, "A", "first_contact");
    cr_assert_not_null(a);
    cr_assert_eq(a->best_at, t0 + 22 * H);
    cr_assert(strstr(a->reason, "caps.min_gap"), "%s", a->reason);
    teardown(&f);
}

/* ------------------------------------------------------------------ suppressions */

/* Installation 03-02 10:00 (usage guidance, normal, due [03-09 10:00,
 * 03-11 10:00]) and an inquiry 03-06 10:00: the active inquiry (30 d) skips
 * the routine usage guidance; the inquiry's own follow-up [03-09 10:00,
 * 03-11 10:00] is kept. A complaint instead turns it into service recovery
 * (priority high). */
Test(planner, active_inquiry_skips_routine_and_complaint_recovers) {
    fx f;
    setup(&f,
          "I,Asia/Shanghai,20000,2025-02-25T10:00:00+08:00,,,,,yes,yes,yes\n"
          "K,Asia/Shanghai,20000,2025-02-25T10:00:00+08:00,,,,,yes,yes,yes\n",
          "I,2026-03-02T10:00:00+08:00,installation,O1,,5000,,,,,\n"
          "I,2026-03-06T10:00:00+08:00,inquiry,,,,,,,,\n"
          "I,2026-03-06T11:00:00+08:00,contact,,,,,,phone,,answered\n"
          "K,2026-03-02T10:00:00+08:00,installation,O2,,5000,,,,,\n"
          "K,2026-03-05T10:00:00+08:00,complaint,,,,,,,,\n"
          "K,2026-03-05T11:00:00+08:00,contact,,,,,,phone,,answered\n",
          NULL, NULL);
    plan(&f, T("2026-03-09T10:00:00+08:00"), D);
    const fu_touchpoint *s = find(f.plan, FU_TOUCHPOINT_SUPPRESSED, "I", "installation.usage_guidance");
    cr_assert_not_null(s);
    cr_assert_str_eq(s->status_rule, "suppressions.active_inquiry");
    const fu_touchpoint *k = find(f.plan, FU_TOUCHPOINT_PLANNED, "I", "consultation.follow_up");
    cr_assert_not_null(k);
    const fu_touchpoint *r = find(f.plan, FU_TOUCHPOINT_PLANNED, "K", "installation.usage_guidance");
    cr_assert_not_null(r);
    cr_assert_eq(r->priority, FU_PRIORITY_HIGH);
    cr_assert(strstr(r->reason, "service recovery (suppressions.recent_complaint)"), "%s", r->reason);
    teardown(&f);
}

/* A small business at month end: a routine contact due on 2026-03-30 (last 3
 * days: 03-29 .. 03-31) is deferred to 04-01 00:00 local. */
Test(planner, smb_month_end_defers) {
    fx f;
    setup(&f, "S,Asia/Shanghai,20000,2025-02-25T10:00:00+08:00,,yes,,,yes,yes,yes\n",
          "S,2026-03-23T10:00:00+08:00,installation,O1,,5000,,,,,\n"
          "S,2026-03-23T11:00:00+08:00,contact,,,,,,phone,,answered\n",
          NULL, NULL);
    plan(&f, T("2026-03-30T09:00:00+08:00"), D);
    const fu_touchpoint *d = find(f.plan, FU_TOUCHPOINT_DEFERRED, "S", "usage_guidance");
    cr_assert_not_null(d);
    cr_assert_str_eq(d->status_rule, "suppressions.smb_month_end");
    cr_assert_eq(d->due_from, T("2026-04-01T00:00:00+08:00"));
    teardown(&f);
}

/* ------------------------------------------------------------------ capacity */

/* Five deliveries at 10:00, one agent making 3 calls a day: 3 planned, 2
 * deferred with the capacity rule (the one due first are kept). */
Test(planner, capacity_overflow_is_deferred_with_reason) {
    fx f;
    fu_planner_options o = FU_PLANNER_OPTIONS_INIT;
    o.agents = 1;
    o.calls_per_agent = 3;
    char cust[1024] = "", ev[2048] = "";
    for (int i = 0; i < 5; i++) {
        char line[256];
        snprintf(line, sizeof line, "C%d,Asia/Shanghai,20000,2025-02-25T10:00:00+08:00,,,,,yes,yes,yes\n", i);
        strcat(cust, line);
        snprintf(line, sizeof line, "C%d,2026-03-02T%02d:00:00+08:00,delivery,O%d,,5000,,,,,\n", i, 10 + i, i);
        strcat(ev, line);
    }
    setup(&f, cust, ev, NULL, &o);
    plan(&f, T("2026-03-02T15:00:00+08:00"), 6 * H);
    cr_assert_eq(count(f.plan, FU_TOUCHPOINT_PLANNED), 3);
    cr_assert_eq(count(f.plan, FU_TOUCHPOINT_DEFERRED), 2);
    size_t n;
    const fu_touchpoint *d = fu_plan_touchpoints(f.plan, FU_TOUCHPOINT_DEFERRED, &n);
    for (size_t i = 0; i < n; i++) {
        cr_assert_str_eq(d[i].status_rule, "capacity.calls_per_agent_day");
        cr_assert(strstr(d[i].reason, "delivery on 2026-03-02"), "%s", d[i].reason);
        /* the last due are deferred: C3 and C4 */
        cr_assert(strcmp(d[i].customer_id, "C3") == 0 || strcmp(d[i].customer_id, "C4") == 0, "%s",
                  d[i].customer_id);
        cr_assert_eq(d[i].best_at, T("2026-03-03T00:00:00+08:00"));
    }
    fu_plan_stats st;
    fu_plan_get_stats(f.plan, &st);
    cr_assert_eq(st.capacity_per_day, 3);
    cr_assert_eq(st.agent_contacts, 3);
    teardown(&f);
}

/* ------------------------------------------------------------------ cycles, lifecycle, recurring */

/* Mid-price purchases on 01-01, 01-31, 03-02 (30-day cycle, 3 purchases =
 * min_purchases): the reminder is due 3 days before 04-01: [03-29, 04-01]. */
Test(planner, consumables_cycle_from_own_purchases) {
    fx f;
    setup(&f, "C,Asia/Shanghai,20000,2025-02-25T10:00:00+08:00,,,,,yes,yes,yes\n",
          "C,2026-01-01T10:00:00+08:00,purchase,O1,,2000,2000,,,,\n"
          "C,2026-01-31T10:00:00+08:00,purchase,O2,,2000,2000,,,,\n"
          "C,2026-03-02T10:00:00+08:00,purchase,O3,,2000,2000,,,,\n"
          "C,2026-03-02T12:00:00+08:00,contact,,,,,,phone,,answered\n",
          NULL, NULL);
    plan(&f, T("2026-03-29T09:00:00+08:00"), D);
    const fu_touchpoint *r = find(f.plan, FU_TOUCHPOINT_PLANNED, "C", "cadences.consumables.reminder");
    cr_assert_not_null(r);
    cr_assert_eq(r->due_from, T("2026-03-29T10:00:00+08:00"));
    cr_assert_eq(r->due_to, T("2026-04-01T10:00:00+08:00"));
    cr_assert_eq(r->channel, FU_CHANNEL_SMS);
    cr_assert(strstr(r->reason, "30.0-day cycle (own purchases)"), "%s", r->reason);
    teardown(&f);
}

/* Last purchase 2025-06-01 10:00 (tenure > 90 d, idle 180 d on 2025-11-28):
 * declining since 2025-11-28 10:00: the win-back call is due [11-28 10:00,
 * 12-01 10:00]. */
Test(planner, win_back_for_declining_customers) {
    fx f;
    setup(&f, "W,Asia/Shanghai,20000,2024-01-10T10:00:00+08:00,,,,,yes,yes,yes\n",
          "W,2024-01-10T10:00:00+08:00,purchase,O1,,500,500,,,,\n"
          "W,2025-06-01T10:00:00+08:00,purchase,O2,,500,500,,,,\n"
          "W,2025-11-20T10:00:00+08:00,contact,,,,,,phone,,answered\n",
          NULL, NULL);
    plan(&f, T("2025-11-29T09:00:00+08:00"), D);
    const fu_touchpoint *w = find(f.plan, FU_TOUCHPOINT_PLANNED, "W", "cadences.win_back.personal_call");
    cr_assert_not_null(w);
    cr_assert_eq(w->due_from, T("2025-11-28T10:00:00+08:00"));
    cr_assert_eq(w->due_to, T("2025-12-01T10:00:00+08:00"));
    cr_assert_eq(w->best_at, T("2025-11-29T09:00:00+08:00"));
    cr_assert(strstr(w->reason, "declining since 2025-11-28 10:00 (segments.lifecycle.declining.inactive_for)"), "%s",
              w->reason);
    teardown(&f);
}

/* A touchpoint of any status for customer `id` whose rule contains `rule`. */
static const fu_touchpoint *find_any(const fu_plan *p, const char *id, const char *rule) {
    for (int s = FU_TOUCHPOINT_PLANNED; s <= FU_TOUCHPOINT_DEFERRED; s++) {
        const fu_touchpoint *t = find(p, (fu_touchpoint_status)s, id, rule);
        if (t) return t;
    }
    return NULL;
}

/* The planner's lifecycle stages and rule names are those of `followup
 * segment` (fu_segment_rules_new_from_policy()). Now 2026-03-02 10:00:
 * W idle 181 d (>= 180 d): declining.inactive_for;
 * S spent 10,000 in the year before last and 3,000 in the last (<= 70%):
 *   declining.spend_drop, since its last purchase 03-01 10:00;
 * K and N complained on 03-01 10:00 (within 30 d): declining.complaint_within,
 *   N although its tenure (10 d) is below new_within (the policy checks
 *   decline before newness);
 * G has a tenure of 21 months: growing (mature only after 36 months, not
 *   365 d), no win-back.
 * Every declining customer gets the win-back call naming the stage's rule;
 * nobody else does. */
Test(planner, lifecycle_stages_and_rules_agree_with_segmentation) {
    fx f;
    setup(&f,
          "W,Asia/Shanghai,20000,2024-01-10T10:00:00+08:00,,,,,yes,yes,yes\n"
          "S,Asia/Shanghai,20000,2024-01-10T10:00:00+08:00,,,,,yes,yes,yes\n"
          "K,Asia/Shanghai,20000,2024-01-10T10:00:00+08:00,,,,,yes,yes,yes\n"
          "N,Asia/Shanghai,20000,2026-02-20T10:00:00+08:00,,,,,yes,yes,yes\n"
          "G,Asia/Shanghai,20000,2024-06-01T10:00:00+08:00,,,,,yes,yes,yes\n",
          "W,2024-01-10T10:00:00+08:00,purchase,O1,,20000,20000,,,,\n"
          "W,2025-09-02T10:00:00+08:00,purchase,O2,,20000,20000,,,,\n"
          "S,2024-06-01T10:00:00+08:00,purchase,O3,,20000,10000,,,,\n"
          "S,2026-03-01T10:00:00+08:00,purchase,O4,,20000,3000,,,,\n"
          "K,2025-12-01T10:00:00+08:00,purchase,O5,,20000,5000,,,,\n"
          "K,2026-03-01T10:00:00+08:00,complaint,O5,,,,,,,\n"
          "N,2026-02-20T10:00:00+08:00,purchase,O6,,20000,5000,,,,\n"
          "N,2026-03-01T10:00:00+08:00,complaint,O6,,,,,,,\n"
          "G,2024-06-01T10:00:00+08:00,purchase,O7,,20000,5000,,,,\n"
          "G,2026-02-01T10:00:00+08:00,purchase,O8,,20000,5000,,,,\n",
          NULL, NULL);
    int64_t now = T("2026-03-02T10:00:00+08:00");
    plan(&f, now, 3 * D);
    static const struct {
        const char *id, *rule, *since;
    } want[] = {{"W", "segments.lifecycle.declining.inactive_for", "2026-03-01 10:00"},
                {"S", "segments.lifecycle.declining.spend_drop", "2026-03-01 10:00"},
                {"K", "segments.lifecycle.declining.complaint_within", "2026-03-01 10:00"},
                {"N", "segments.lifecycle.declining.complaint_within", "2026-03-01 10:00"},
                {"G", NULL, NULL}};
    fu_segment_rules *rules = NULL;
    fu_segment_book_summary *sum = NULL;
    cr_assert_eq(fu_segment_rules_new_from_policy(&rules, f.policy), FU_OK);
    cr_assert_eq(fu_segment_book_summarize(f.book, now, rules, NULL, &sum), FU_OK, "%s", fu_error_last()->message);
    fu_segment_assignment as[5];
    cr_assert_eq(fu_segment_assign(sum->customers, sum->n, now, rules, as), FU_OK);
    for (size_t i = 0; i < 5; i++) {
        size_t ci;
        cr_assert_eq(fu_book_find_customer(f.book, want[i].id, 1, &ci), FU_OK);
        const fu_touchpoint *w = find_any(f.plan, want[i].id, "cadences.win_back.personal_call");
        if (!want[i].rule) {
            cr_assert_eq(as[ci].lifecycle, FU_LIFECYCLE_GROWING, "%s", as[ci].lifecycle_rule);
            cr_assert_null(w, "%s: %s", want[i].id, w ? w->reason : "");
            continue;
        }
        cr_assert_eq(as[ci].lifecycle, FU_LIFECYCLE_DECLINING, "%s: %s", want[i].id, as[ci].lifecycle_rule);
        cr_assert_str_eq(as[ci].lifecycle_rule, want[i].rule);
        cr_assert_not_null(w, "%s", want[i].id);
        char expect[160];
        snprintf(expect, sizeof expect, "declining since %s (%s)", want[i].since, want[i].rule);
        cr_assert(strstr(w->reason, expect), "%s: %s", want[i].id, w->reason);
    }
    fu_segment_book_summary_free(sum);
    fu_segment_rules_free(rules);
    teardown(&f);
}

/* An ordinary customer last reached 2026-01-05 10:00: quarterly satisfaction
 * due 2026-04-05 10:00 within 14 d; a VIP with tenure >= 36 months gets deep
 * care instead of the monthly call (replaces). */
Test(planner, recurring_cadences_per_segment) {
    fx f;
    setup(&f,
          "O,Asia/Shanghai,20000,2025-02-25T10:00:00+08:00,,,,,yes,yes,yes\n"
          "V,Asia/Shanghai,900000,2020-02-25T10:00:00+08:00,,,,,yes,yes,yes\n",
          "O,2026-01-05T10:00:00+08:00,contact,,,,,,phone,,answered\n"
          "V,2026-01-05T10:00:00+08:00,contact,,,,,,phone,,answered\n",
          NULL, NULL);
    plan(&f, T("2026-04-06T09:00:00+08:00"), D);
    const fu_touchpoint *o = find(f.plan, FU_TOUCHPOINT_PLANNED, "O", "cadences.ordinary_quarterly.satisfaction");
    cr_assert_not_null(o);
    cr_assert_eq(o->due_from, T("2026-04-05T10:00:00+08:00"));
    cr_assert_eq(o->due_to, T("2026-04-19T10:00:00+08:00"));
    const fu_touchpoint *v = find(f.plan, FU_TOUCHPOINT_PLANNED, "V", "cadences.deep_care.deep_care");
    cr_assert_not_null(v);
    cr_assert_eq(v->channel, FU_CHANNEL_VISIT);
    cr_assert_null(find(f.plan, FU_TOUCHPOINT_PLANNED, "V", "vip_monthly"));
    teardown(&f);
}

/* ------------------------------------------------------------------ risk */

/* The built-in bank_large_sale cadence asks for a second confirmation call
 * when the product sold is high-risk: the purchase event's severity
 * (urgent = high risk). Both steps share the window [sale, +7 working days]
 * and merge into one contact. A normal-risk sale, a sale without severity
 * and the old "high_risk" product_class text get the follow-up only. */
Test(planner, bank_second_confirmation_from_purchase_severity) {
    fx f;
    setup(&f,
          "K1,Asia/Shanghai,20000,2025-02-25T10:00:00+08:00,bank,,,,yes,yes,yes\n"
          "K2,Asia/Shanghai,20000,2025-02-25T10:00:00+08:00,bank,,,,yes,yes,yes\n"
          "K3,Asia/Shanghai,20000,2025-02-25T10:00:00+08:00,bank,,,,yes,yes,yes\n"
          "K4,Asia/Shanghai,20000,2025-02-25T10:00:00+08:00,bank,,,,yes,yes,yes\n",
          "K1,2026-02-20T10:00:00+08:00,contact,,,,,,phone,,answered\n" /* quarterly call not due */
          "K2,2026-02-20T10:00:00+08:00,contact,,,,,,phone,,answered\n"
          "K3,2026-02-20T10:00:00+08:00,contact,,,,,,phone,,answered\n"
          "K4,2026-02-20T10:00:00+08:00,contact,,,,,,phone,,answered\n"
          "K1,2026-03-02T10:00:00+08:00,purchase,O1,,52000,52000,urgent,,,\n"
          "K2,2026-03-02T10:00:00+08:00,purchase,O2,,52000,52000,normal,,,\n"
          "K3,2026-03-02T10:00:00+08:00,purchase,O3,,52000,52000,,,,\n"
          "K4,2026-03-02T10:00:00+08:00,purchase,O4,high_risk,52000,52000,,,,\n",
          NULL, NULL);
    plan(&f, T("2026-03-02T10:00:00+08:00"), D);
    const fu_touchpoint *k1 = find(f.plan, FU_TOUCHPOINT_PLANNED, "K1", "cadences.bank_large_sale.second_confirmation");
    cr_assert_not_null(k1);
    cr_assert(strstr(k1->rule, "cadences.bank_large_sale.follow_up"), "%s", k1->rule);
    cr_assert_eq(k1->purposes, 2, "%u %s | %s", k1->purposes, k1->rule, k1->reason);
    cr_assert_eq(k1->priority, FU_PRIORITY_HIGH);
    cr_assert_eq(k1->due_from, T("2026-03-02T10:00:00+08:00"));
    for (int i = 2; i <= 4; i++) {
        char id[4];
        snprintf(id, sizeof id, "K%d", i);
        const fu_touchpoint *k = find(f.plan, FU_TOUCHPOINT_PLANNED, id, "cadences.bank_large_sale.follow_up");
        cr_assert_not_null(k, "%s", id);
        cr_assert_null(strstr(k->rule, "second_confirmation"), "%s: %s", id, k->rule);
        cr_assert_eq(k->purposes, 1);
    }
    teardown(&f);
}

/* ------------------------------------------------------------------ best time */

/* Contact history in January 2026 (weekdays 01-05 .. 01-30, Shanghai): an
 * attempt at 10:10, 15:10 and `hour`:10 every day; only the last one is
 * answered. January is more than 30 days before the delivery (caps do not
 * see it). */
static void history(char **buf, size_t *len, size_t *cap, const char *id, int hour) {
    for (int day = 5; day <= 30; day++) {
        if ((day - 5) % 7 >= 5) continue; /* 01-05 is a Monday */
        const int hours[3] = {10, 15, hour};
        for (int k = 0; k < 3; k++) {
            char row[160];
            int n = snprintf(row, sizeof row, "%s,2026-01-%02dT%02d:10:00+08:00,contact,,,,,,phone,,%s\n", id, day,
                             hours[k], k == 2 ? "answered" : "no_answer");
            while (*len + (size_t)n + 1 > *cap) {
                *cap = *cap ? *cap * 2 : 4096;
                *buf = realloc(*buf, *cap);
                cr_assert_not_null(*buf);
            }
            memcpy(*buf + *len, row, (size_t)n + 1);
            *len += (size_t)n;
        }
    }
}

/* Twelve "evening" customers E00..E11 answer only at 19:10; L answers only
 * at 22:10 (outside quiet hours); N has no history. Each gets a delivery on
 * Mon 2026-03-02 09:00: the first contact is due [09:00, Wed 09:00]. */
static void setup_besttime(fx *f, const fu_planner_options *o) {
    char *ev = NULL;
    size_t len = 0, cap = 0;
    char cust[2048] = "";
    for (int i = 0; i < 12; i++) {
        char id[8], row[128];
        snprintf(id, sizeof id, "E%02d", i);
        snprintf(row, sizeof row, "%s,Asia/Shanghai,20000,2025-02-25T10:00:00+08:00,,,,,yes,yes,yes\n", id);
        strcat(cust, row);
        history(&ev, &len, &cap, id, 19);
    }
    strcat(cust, "L,Asia/Shanghai,20000,2025-02-25T10:00:00+08:00,,,,,yes,yes,yes\n"
                 "N,Asia/Shanghai,20000,2025-02-25T10:00:00+08:00,,,,,yes,yes,yes\n");
    history(&ev, &len, &cap, "L", 22);
    const char *ids[] = {"E00", "E05", "L", "N"};
    for (int i = 0; i < 4; i++) {
        char row[128];
        snprintf(row, sizeof row, "%s,2026-03-02T09:00:00+08:00,delivery,O%d,,5000,,,,,\n", ids[i], i);
        size_t n = strlen(row);
        while (len + n + 1 > cap) {
            cap *= 2;
            ev = realloc(ev, cap);
            cr_assert_not_null(ev);
        }
        memcpy(ev + len, row, n + 1);
        len += n;
    }
    setup(f, cust, ev, NULL, o);
    free(ev);
}

static int local_hour(int64_t t) { return (int)(((t + 8 * H) % D) / H); } /* Shanghai, UTC+8 all year */

Test(planner, besttime_picks_the_answering_hour) {
    fx f;
    fu_planner_options o = FU_PLANNER_OPTIONS_INIT;
    o.flags = FU_PLANNER_BESTTIME;
    setup_besttime(&f, &o);
    int64_t t0 = T("2026-03-02T09:00:00+08:00");
    plan(&f, t0, 2 * D);
    /* own history: 19:xx, inside the window and the quiet hours */
    const fu_touchpoint *e = find(f.plan, FU_TOUCHPOINT_PLANNED, "E00", "first_contact");
    cr_assert_not_null(e);
    cr_assert_eq(local_hour(e->best_at), 19, "%s", e->reason);
    cr_assert(e->best_at >= e->due_from && e->best_at <= e->due_to);
    cr_assert(strstr(e->reason, "best hour by answer rate"), "%s", e->reason);
    /* no history: the segment prior (everybody of the tier answers at 19) */
    const fu_touchpoint *n = find(f.plan, FU_TOUCHPOINT_PLANNED, "N", "first_contact");
    cr_assert_not_null(n);
    cr_assert_eq(local_hour(n->best_at), 19, "%s", n->reason);
    /* answers only at 22:10: quiet hours (08:00-21:00) still hold */
    const fu_touchpoint *l = find(f.plan, FU_TOUCHPOINT_PLANNED, "L", "first_contact");
    cr_assert_not_null(l);
    int lh = local_hour(l->best_at);
    cr_assert(lh >= 8 && lh < 21, "%d", lh);
    cr_assert(l->best_at >= l->due_from && l->best_at <= l->due_to);
    teardown(&f);
}

/* Without a model best_at is the first allowed instant (09:00); a model
 * passed in (fu_besttime_new()) gives the same plan as the planner's own,
 * and two runs give the same CSV. */
Test(planner, besttime_off_model_given_and_deterministic) {
    fx a, b, c;
    setup_besttime(&a, NULL);
    int64_t t0 = T("2026-03-02T09:00:00+08:00");
    plan(&a, t0, 2 * D);
    const fu_touchpoint *n = find(a.plan, FU_TOUCHPOINT_PLANNED, "N", "first_contact");
    cr_assert_not_null(n);
    cr_assert_eq(n->best_at, t0);
    cr_assert_null(strstr(n->reason, "best hour"), "%s", n->reason);

    fu_planner_options o = FU_PLANNER_OPTIONS_INIT;
    o.flags = FU_PLANNER_BESTTIME;
    setup_besttime(&b, &o);
    plan(&b, t0, 2 * D);
    /* a model built by the caller with the same segments (tier ordinary = 3) */
    setup_besttime(&c, NULL);
    size_t nc = fu_book_customer_count(c.book);
    uint32_t *seg = calloc(nc, sizeof *seg);
    cr_assert_not_null(seg);
    for (size_t i = 0; i < nc; i++) seg[i] = 3;
    fu_besttime *m = NULL;
    cr_assert_eq(fu_besttime_new(&m, c.policy, c.book, seg, 4, NULL), FU_OK, "%s", fu_error_last()->message);
    free(seg);
    fu_planner_free(c.pl);
    o.flags = 0;
    o.besttime = m;
    cr_assert_eq(fu_planner_new(&c.pl, c.policy, c.book, &o), FU_OK);
    plan(&c, t0, 2 * D);
    char *x = NULL, *y = NULL, *z = NULL;
    cr_assert_eq(fu_plan_write_csv_to_string(b.plan, 0xf, FU_PLAN_CSV_STATUS, NULL, &x), FU_OK);
    plan(&b, t0, 2 * D);
    cr_assert_eq(fu_plan_write_csv_to_string(b.plan, 0xf, FU_PLAN_CSV_STATUS, NULL, &y), FU_OK);
    cr_assert_eq(fu_plan_write_csv_to_string(c.plan, 0xf, FU_PLAN_CSV_STATUS, NULL, &z), FU_OK);
    cr_assert_str_eq(x, y);
    cr_assert_str_eq(x, z);
    fu_free(x);
    fu_free(y);
    fu_free(z);
    /* a model of a book with another number of customers is refused */
    fx d;
    setup(&d, "C,Asia/Shanghai,20000,2026-02-25T10:00:00+08:00,,,,,yes,yes,yes\n", "", NULL, NULL);
    fu_planner *bad = NULL;
    o.besttime = m;
    cr_assert_eq(fu_planner_new(&bad, d.policy, d.book, &o), FU_EINVAL);
    cr_assert_null(bad);
    teardown(&d);
    teardown(&a);
    teardown(&b);
    teardown(&c);
    fu_besttime_free(m);
}

/* A plan outlives its planner: its CSV times use the plan's own calendars. */
Test(planner, plan_outlives_planner) {
    fx f;
    setup(&f, "NY,America/New_York,20000,2026-02-25T10:00:00-05:00,,,,,yes,yes,yes\n",
          "NY,2026-03-02T10:00:00-05:00,delivery,O1,,5000,,,,,\n", NULL, NULL);
    plan(&f, T("2026-03-02T10:00:00-05:00"), D);
    fu_planner_free(f.pl);
    f.pl = NULL;
    char *csv = NULL;
    cr_assert_eq(fu_plan_write_csv_to_string(f.plan, 1u << FU_TOUCHPOINT_PLANNED, 0, NULL, &csv), FU_OK);
    cr_assert(strstr(csv, "NY,2026-03-02T10:00:00-05:00,2026-03-04T10:00:00-05:00,2026-03-02T10:00:00-05:00,"), "%s",
              csv);
    fu_free(csv);
    teardown(&f);
}

/* Version 1 options (without flags and besttime) are still read. */
Test(planner, options_version_1) {
    fx f;
    setup(&f, "C,Asia/Shanghai,20000,2026-02-25T10:00:00+08:00,,,,,yes,yes,yes\n", "", NULL, NULL);
    fu_planner_options o = FU_PLANNER_OPTIONS_INIT;
    o.version = 1;
    o.flags = 0xdead; /* not read in version 1 */
    fu_planner *p = NULL;
    cr_assert_eq(fu_planner_new(&p, f.policy, f.book, &o), FU_OK, "%s", fu_error_last()->message);
    fu_planner_free(p);
    o.version = 2;
    cr_assert_eq(fu_planner_new(&p, f.policy, f.book, &o), FU_EINVAL);
    /* version 2 (without tier_cycles) is still read */
    o.flags = 0;
    o.n_tier_cycles = 5; /* not read in version 2; refused in version 3 (no array) */
    cr_assert_eq(fu_planner_new(&p, f.policy, f.book, &o), FU_OK, "%s", fu_error_last()->message);
    fu_planner_free(p);
    o.version = 3;
    cr_assert_eq(fu_planner_new(&p, f.policy, f.book, &o), FU_EINVAL);
    o.version = 4;
    o.n_tier_cycles = 0;
    cr_assert_eq(fu_planner_new(&p, f.policy, f.book, &o), FU_EINVAL);
    teardown(&f);
}

/* Tier cycles computed on the whole book and handed to a partition's
 * planner. A (ordinary tier) bought mid-price goods on 01-10, 01-30 and
 * 02-19: a 20-day cycle, the tier's mean. B (same tier) bought once, on
 * 03-01 10:00: fewer than min_purchases (3), so its cycle is the tier mean.
 * With the whole book: next purchase 03-21 10:00, the consumables reminder
 * due [03-18 10:00, 03-21 10:00]. A partition holding B alone has no tier
 * mean (default 30 days: due from 03-28) unless it is given the whole
 * book's cycles. */
Test(planner, tier_cycles_of_the_whole_book_for_a_partition) {
    static const char B_ROW[] = "B,Asia/Shanghai,20000,2025-02-25T10:00:00+08:00,,,,,yes,yes,yes\n";
    static const char B_EV[] = "B,2026-03-01T10:00:00+08:00,purchase,O4,,2000,2000,,,,\n"
                               "B,2026-03-01T12:00:00+08:00,contact,,,,,,phone,,answered\n";
    char cust[512], ev[1024];
    snprintf(cust, sizeof cust, "A,Asia/Shanghai,20000,2025-02-25T10:00:00+08:00,,,,,yes,yes,yes\n%s", B_ROW);
    snprintf(ev, sizeof ev,
             "A,2026-01-10T10:00:00+08:00,purchase,O1,,2000,2000,,,,\n"
             "A,2026-01-30T10:00:00+08:00,purchase,O2,,2000,2000,,,,\n"
             "A,2026-02-19T10:00:00+08:00,purchase,O3,,2000,2000,,,,\n%s",
             B_EV);
    fx whole, part;
    setup(&whole, cust, ev, NULL, NULL);
    size_t n = 0;
    cr_assert_eq(fu_planner_tier_cycles(whole.pl, NULL, 0, &n), FU_OK);
    cr_assert_eq(n, 9); /* 3 tiers (vip, key, ordinary) x 3 classes (high, mid, low price) */
    double cyc[9];
    cr_assert_eq(fu_planner_tier_cycles(whole.pl, cyc, 9, &n), FU_OK);
    for (size_t i = 0; i < 9; i++) cr_assert_float_eq(cyc[i], i == 2 * 3 + 1 ? 20.0 : 0.0, 1e-12, "%zu", i);
    int64_t now = T("2026-03-18T09:00:00+08:00");
    plan(&whole, now, D);
    const fu_touchpoint *w = find(whole.plan, FU_TOUCHPOINT_PLANNED, "B", "cadences.consumables.reminder");
    cr_assert_not_null(w);
    cr_assert_eq(w->due_from, T("2026-03-18T10:00:00+08:00"));
    cr_assert(strstr(w->reason, "20.0-day cycle (tier mean)"), "%s", w->reason);

    setup(&part, B_ROW, B_EV, NULL, NULL);
    plan(&part, now, D);
    cr_assert_null(find(part.plan, FU_TOUCHPOINT_PLANNED, "B", "consumables")); /* 30-day default */
    fu_planner_options o = FU_PLANNER_OPTIONS_INIT;
    o.tier_cycles = cyc;
    o.n_tier_cycles = 9;
    fu_planner_free(part.pl);
    cr_assert_eq(fu_planner_new(&part.pl, part.policy, part.book, &o), FU_OK, "%s", fu_error_last()->message);
    cyc[7] = 99; /* copied by fu_planner_new */
    plan(&part, now, D);
    const fu_touchpoint *p = find(part.plan, FU_TOUCHPOINT_PLANNED, "B", "cadences.consumables.reminder");
    cr_assert_not_null(p);
    cr_assert_eq(p->due_from, w->due_from);
    cr_assert_eq(p->due_to, w->due_to);
    cr_assert_eq(p->best_at, w->best_at);
    cr_assert_str_eq(p->reason, w->reason);
    double back[9];
    cr_assert_eq(fu_planner_tier_cycles(part.pl, back, 9, &n), FU_OK);
    cr_assert_float_eq(back[7], 20.0, 1e-12);
    /* wrong count, negative, NaN, and a count without values are refused */
    fu_planner *bad = NULL;
    o.n_tier_cycles = 8;
    cr_assert_eq(fu_planner_new(&bad, part.policy, part.book, &o), FU_EINVAL);
    o.n_tier_cycles = 9;
    cyc[0] = -1;
    cr_assert_eq(fu_planner_new(&bad, part.policy, part.book, &o), FU_EINVAL);
    cyc[0] = NAN;
    cr_assert_eq(fu_planner_new(&bad, part.policy, part.book, &o), FU_EINVAL);
    o.tier_cycles = NULL;
    cr_assert_eq(fu_planner_new(&bad, part.policy, part.book, &o), FU_EINVAL);
    cr_assert_null(bad);
    cr_assert_eq(fu_planner_tier_cycles(part.pl, NULL, 3, &n), FU_EINVAL);
    cr_assert_eq(fu_planner_tier_cycles(NULL, back, 9, &n), FU_EINVAL);
    teardown(&whole);
    teardown(&part);
}

/* ------------------------------------------------------------------ incremental */

Test(planner, feed_creates_and_cancels_touchpoints) {
    fx f;
    setup(&f, "C,Asia/Shanghai,20000,2026-02-25T10:00:00+08:00,,,,,yes,yes,yes\n", "", NULL, NULL);
    int64_t t0 = T("2026-03-02T10:00:00+08:00");
    fu_event_in e;
    fu_event_in_init(&e);
    e.customer_id = "C";
    e.at = t0;
    e.kind = FU_EVENT_DELIVERY;
    e.order_id = "O9";
    fu_plan *d = NULL;
    cr_assert_eq(fu_planner_feed(f.pl, &e, t0, 20 * D, &d), FU_OK, "%s", fu_error_last()->message);
    cr_assert_not_null(find(d, FU_TOUCHPOINT_PLANNED, "C", "delivery.first_contact"));
    cr_assert_not_null(find(d, FU_TOUCHPOINT_PLANNED, "C", "delivery.second_contact"));
    cr_assert_eq(count(d, FU_TOUCHPOINT_CANCELLED), 0);
    cr_assert_str_eq(find(d, FU_TOUCHPOINT_PLANNED, "C", "first_contact")->order_id, "O9");
    fu_plan_free(d);
    /* the same event again: nothing changes */
    cr_assert_eq(fu_planner_feed(f.pl, &e, t0, 20 * D, &d), FU_OK);
    cr_assert_eq(count(d, FU_TOUCHPOINT_PLANNED) + count(d, FU_TOUCHPOINT_CANCELLED), 0);
    fu_plan_free(d);
    /* the first contact is answered an hour later: it is cancelled (done) */
    fu_event_in c;
    fu_event_in_init(&c);
    c.customer_id = "C";
    c.at = t0 + H;
    c.kind = FU_EVENT_CONTACT;
    c.channel = FU_CHANNEL_PHONE;
    c.outcome = FU_OUTCOME_ANSWERED;
    cr_assert_eq(fu_planner_feed(f.pl, &c, t0 + H, 20 * D, &d), FU_OK);
    cr_assert_not_null(find(d, FU_TOUCHPOINT_CANCELLED, "C", "delivery.first_contact"));
    fu_plan_free(d);
    /* out of order and unknown customers */
    e.at = t0;
    e.kind = FU_EVENT_INQUIRY;
    cr_assert_eq(fu_planner_feed(f.pl, &e, t0 + 2 * H, D, &d), FU_EINVAL);
    e.customer_id = "nobody";
    e.at = t0 + 3 * H;
    cr_assert_eq(fu_planner_feed(f.pl, &e, t0 + 3 * H, D, &d), FU_ENOTFOUND);
    teardown(&f);
}

/* ------------------------------------------------------------------ bad input */

Test(planner, bad_arguments) {
    fx f;
    setup(&f, "C,Asia/Shanghai,20000,2026-02-25T10:00:00+08:00,,,,,yes,yes,yes\n", "", NULL, NULL);
    fu_plan *p = NULL;
    cr_assert_eq(fu_planner_plan(f.pl, 0, 0, &p), FU_EINVAL);
    cr_assert_eq(fu_planner_plan(f.pl, 0, -5, &p), FU_EINVAL);
    cr_assert_eq(fu_planner_plan(NULL, 0, D, &p), FU_EINVAL);
    cr_assert_eq(fu_planner_plan_customer(f.pl, 7, 0, D, &p), FU_EINVAL);
    fu_planner_options o = FU_PLANNER_OPTIONS_INIT;
    o.version = 99;
    fu_planner *x = NULL;
    cr_assert_eq(fu_planner_new(&x, f.policy, f.book, &o), FU_EINVAL);
    /* a book with events added and not finalized (the book refuses changes
     * while a planner holds it: issue 13) */
    fu_event_in e;
    fu_event_in_init(&e);
    e.customer_id = "C";
    e.at = 1000;
    e.kind = FU_EVENT_PURCHASE;
    cr_assert_eq(fu_book_add_event(f.book, &e), FU_ESTATE);
    fu_planner_free(f.pl);
    f.pl = NULL;
    cr_assert_eq(fu_book_add_event(f.book, &e), FU_OK);
    cr_assert_eq(fu_planner_new(&x, f.policy, f.book, NULL), FU_ESTATE);
    cr_assert_null(x);
    cr_assert_null(fu_plan_touchpoints(NULL, FU_TOUCHPOINT_PLANNED, NULL));
    fu_plan_free(NULL);
    fu_planner_free(NULL);
    fu_sim_report_free(NULL);
    cr_assert_str_eq(fu_priority_name(FU_PRIORITY_LOW), "low");
    cr_assert_null(fu_priority_name(9));
    cr_assert_str_eq(fu_touchpoint_status_name(FU_TOUCHPOINT_DEFERRED), "deferred");
    teardown(&f);
}

/* The fixture files (events out of order) read and plan; events after `now`
 * are ignored. */
Test(planner, fixture_files) {
    fu_policy *p = NULL;
    fu_book *b = NULL;
    fu_planner *pl = NULL;
    fu_plan *plan = NULL;
    cr_assert_eq(fu_policy_default(&p), FU_OK);
    cr_assert_eq(fu_book_new(&b, NULL), FU_OK);
    cr_assert_eq(fu_book_read_customers_csv(b, DATA "customers.csv"), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(fu_book_read_events_csv(b, DATA "events.csv"), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(fu_planner_new(&pl, p, b, NULL), FU_OK);
    cr_assert_eq(fu_planner_plan(pl, T("2026-03-03T04:00:00Z"), 3 * D, &plan), FU_OK);
    cr_assert_not_null(find(plan, FU_TOUCHPOINT_PLANNED, "NY1", "first_contact"));
    cr_assert_eq(find(plan, FU_TOUCHPOINT_PLANNED, "NY1", "first_contact")->best_at, T("2026-03-03T08:00:00-05:00"));
    cr_assert_eq(find(plan, FU_TOUCHPOINT_PLANNED, "SMSONLY", "first_contact")->channel, FU_CHANNEL_SMS);
    fu_plan_free(plan);
    /* before the deliveries happened there is nothing to plan for them */
    cr_assert_eq(fu_planner_plan(pl, T("2026-03-01T00:00:00Z"), D, &plan), FU_OK);
    cr_assert_null(find(plan, FU_TOUCHPOINT_PLANNED, "NY1", "first_contact"));
    fu_plan_free(plan);
    fu_planner_free(pl);
    fu_book_free(b);
    fu_policy_free(p);
}

/* ------------------------------------------------------------------ simulation */

static uint64_t rng_state = 0x2545F4914F6CDD1Dull;
static unsigned rnd(unsigned n) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (unsigned)((rng_state >> 11) % n);
}

/* A generated history: 150 customers in three zones with purchases,
 * deliveries, installations, repairs, complaints and inquiries over 120 days. */
static void generated_book(fu_book **out) {
    static const char *const zones[] = {"Asia/Shanghai", "America/New_York", "Europe/Berlin"};
    static const fu_event_kind kinds[] = {FU_EVENT_PURCHASE,  FU_EVENT_DELIVERY, FU_EVENT_INSTALLATION,
                                          FU_EVENT_REPAIR,    FU_EVENT_COMPLAINT, FU_EVENT_INQUIRY,
                                          FU_EVENT_WARRANTY_END, FU_EVENT_PURCHASE};
    fu_book *b = NULL;
    cr_assert_eq(fu_book_new(&b, NULL), FU_OK);
    int64_t base = T("2026-01-01T00:00:00Z");
    for (int i = 0; i < 150; i++) {
        char id[16];
        snprintf(id, sizeof id, "G%03d", i);
        fu_customer c;
        fu_customer_init(&c);
        c.id = id;
        c.tz = zones[i % 3];
        c.annual_spend = i % 10 == 0 ? 800000 : (i % 3 == 0 ? 150000 : 20000);
        c.first_purchase_at = base - (int64_t)(rnd(2000)) * D;
        c.is_smb = i % 7 == 0 ? FU_TRI_YES : FU_TRI_NO;
        c.consent_phone = i % 11 == 0 ? FU_TRI_NO : FU_TRI_YES;
        c.dnd_windows = i % 5 == 0 ? "Mon-Sun 12:00-14:00" : NULL;
        cr_assert_eq(fu_book_add_customer(b, &c, NULL), FU_OK, "%s", fu_error_last()->message);
        int n = 3 + (int)rnd(10);
        for (int k = 0; k < n; k++) {
            fu_event_in e;
            fu_event_in_init(&e);
            e.customer_id = id;
            e.at = base + (int64_t)rnd(120 * 24) * H;
            e.kind = kinds[rnd(8)];
            char order[16];
            snprintf(order, sizeof order, "O%d", (int)rnd(4));
            e.order_id = order;
            e.unit_price = e.kind == FU_EVENT_PURCHASE ? (double)(100 + rnd(20000)) : NAN;
            e.amount = e.unit_price;
            if (e.kind == FU_EVENT_REPAIR) e.severity = rnd(2) ? FU_SEVERITY_URGENT : FU_SEVERITY_NORMAL;
            cr_assert_eq(fu_book_add_event(b, &e), FU_OK);
        }
    }
    cr_assert_eq(fu_book_finalize(b), FU_OK);
    *out = b;
}

Test(planner, simulation_has_no_cap_violations) {
    fu_policy *p = NULL;
    fu_book *b = NULL;
    fu_planner *pl = NULL;
    fu_sim_report *r = NULL;
    cr_assert_eq(fu_policy_default(&p), FU_OK);
    generated_book(&b);
    fu_planner_options o = FU_PLANNER_OPTIONS_INIT;
    o.agents = 1;
    o.calls_per_agent = 40;
    cr_assert_eq(fu_planner_new(&pl, p, b, &o), FU_OK);
    fu_sim_options so = FU_SIM_OPTIONS_INIT;
    so.step = 6 * H;
    cr_assert_eq(fu_planner_simulate(pl, T("2026-01-01T00:00:00Z"), T("2026-04-01T00:00:00Z"), &so, &r), FU_OK, "%s",
                 fu_error_last()->message);
    cr_assert_eq(r->cap_violations, 0);
    cr_assert_gt(r->contacts, 100);
    cr_assert_gt(r->customers_due, 100);
    cr_assert_gt(r->coverage, 0.5);
    cr_assert_leq(r->max_contacts_72h, 5); /* 2 routine + urgent ones at most */
    cr_assert_eq(r->n_days, 91);
    cr_assert_leq(r->max_agent_load, 40);
    cr_assert_gt(r->sla_due, 0);
    size_t sum = 0;
    for (size_t i = 0; i < r->n_days; i++) sum += r->days[i].contacts;
    cr_assert_eq(sum, r->contacts);
    fu_sim_report_free(r);
    fu_planner_free(pl);
    fu_book_free(b);
    fu_policy_free(p);
}

/* SLA attainment pinned on a hand-computed case (docs/planner.md, "SLA
 * attainment"). Span 2026-03-01 .. 03-15 (+08:00), ordinary tier (response
 * by tier 24 h), all in Shanghai, first purchase 02-20 (nothing recurring
 * due). An issue is met when the first contact the simulation makes at or
 * after it comes by issue + min(sla.response by severity, sla.tier_response):
 * A inquiry (low = routine 72 h; 24 h) Tue 03-03 10:00: same-day reply at 10:00, met;
 * B inquiry Tue 03-03 22:30, after the close of business: the same-day reply
 *   window closes at the end of the next working day, reply Wed 08:00
 *   (quiet hours), +9.5 h: met;
 * C urgent repair Sun 03-08 01:30 (2 h): the 2 h and 24 h checks fall in the
 *   night (quiet hours: suppressed); first contact the 72 h survey: missed;
 * D fault (normal: 24 h) Wed 03-04 10:00: the built-in policy has no cadence
 *   for faults, no contact: missed;
 * E complaint (urgent: 2 h) Mon 03-09 10:00: immediate response at 10:00, met;
 * F inquiry Sat 03-14 22:00: deadline 03-15 22:00 is after the span: not counted.
 * One-hour steps: 3 of 5. Daily steps see an issue only at the next midnight:
 * A's same-day window has closed (its first contact is the follow-up 3 days
 * later), E is called Tue 08:00 (+22 h): only B is met, 1 of 5. */
Test(planner, sla_attainment_definition) {
    static const char *const ids[] = {"A", "B", "C", "D", "E", "F"};
    char cust[1024] = "";
    for (int i = 0; i < 6; i++) {
        char row[160];
        snprintf(row, sizeof row, "%s,Asia/Shanghai,20000,2026-02-20T10:00:00+08:00,,,,,yes,yes,yes\n", ids[i]);
        strcat(cust, row);
    }
    fx f;
    setup(&f, cust,
          "A,2026-03-03T10:00:00+08:00,inquiry,,,,,low,,,\n"
          "B,2026-03-03T22:30:00+08:00,inquiry,,,,,low,,,\n"
          "C,2026-03-08T01:30:00+08:00,repair,O1,,,,urgent,,,\n"
          "D,2026-03-04T10:00:00+08:00,fault,O2,,,,normal,,,\n"
          "E,2026-03-09T10:00:00+08:00,complaint,,,,,urgent,,,\n"
          "F,2026-03-14T22:00:00+08:00,inquiry,,,,,low,,,\n",
          NULL, NULL);
    int64_t from = T("2026-03-01T00:00:00+08:00"), to = T("2026-03-15T00:00:00+08:00");
    fu_sim_options so = FU_SIM_OPTIONS_INIT;
    so.step = H;
    fu_sim_report *r = NULL;
    cr_assert_eq(fu_planner_simulate(f.pl, from, to, &so, &r), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(r->sla_due, 5);
    cr_assert_eq(r->sla_met, 3);
    cr_assert_float_eq(r->sla_attainment, 0.6, 1e-12);
    cr_assert_eq(r->cap_violations, 0);
    fu_sim_report_free(r);
    so.step = D;
    cr_assert_eq(fu_planner_simulate(f.pl, from, to, &so, &r), FU_OK);
    cr_assert_eq(r->sla_due, 5);
    cr_assert_eq(r->sla_met, 1);
    cr_assert_float_eq(r->sla_attainment, 0.2, 1e-12);
    fu_sim_report_free(r);
    /* B's reply: the window of `within: same day` after the close of business */
    plan(&f, T("2026-03-03T22:30:00+08:00"), D);
    const fu_touchpoint *b = find(f.plan, FU_TOUCHPOINT_PLANNED, "B", "cadences.consultation.reply");
    cr_assert_not_null(b);
    cr_assert_eq(b->due_to, T("2026-03-04T18:00:00+08:00"));
    cr_assert_eq(b->best_at, T("2026-03-04T08:00:00+08:00"));
    teardown(&f);
}

/* ------------------------------------------------------------------ out of memory */

typedef struct oom_ctx {
    const fu_policy *policy;
    const fu_book *book;
} oom_ctx;

static int oom_plan(void *vctx) {
    oom_ctx *c = vctx;
    fu_planner *pl = NULL;
    fu_plan *plan = NULL;
    fu_planner_options o = FU_PLANNER_OPTIONS_INIT;
    o.agents = 1;
    o.calls_per_agent = 2;
    int rc = fu_planner_new(&pl, c->policy, c->book, &o);
    if (!rc) rc = fu_planner_plan(pl, T("2026-03-03T04:00:00Z"), 3 * D, &plan);
    char *csv = NULL;
    if (!rc) rc = fu_plan_write_csv_to_string(plan, 0xfu, FU_PLAN_CSV_STATUS, NULL, &csv);
    fu_free(csv);
    fu_event_in e;
    fu_event_in_init(&e);
    e.customer_id = "SH1";
    e.at = T("2026-03-03T05:00:00Z");
    e.kind = FU_EVENT_COMPLAINT;
    e.order_id = "O-1";
    fu_plan *d = NULL;
    if (!rc) rc = fu_planner_feed(pl, &e, e.at, 3 * D, &d);
    fu_plan_free(d);
    fu_sim_report *r = NULL;
    if (!rc) rc = fu_planner_simulate(pl, T("2026-03-01T00:00:00Z"), T("2026-03-04T00:00:00Z"), NULL, &r);
    fu_sim_report_free(r);
    fu_plan_free(plan);
    fu_planner_free(pl);
    return rc;
}

Test(planner, out_of_memory) {
    oom_ctx c;
    fu_policy *p = NULL;
    fu_book *b = NULL;
    cr_assert_eq(fu_policy_default(&p), FU_OK);
    cr_assert_eq(fu_book_new(&b, NULL), FU_OK);
    cr_assert_eq(fu_book_read_customers_csv(b, DATA "customers.csv"), FU_OK);
    cr_assert_eq(fu_book_read_events_csv(b, DATA "events.csv"), FU_OK);
    c.policy = p;
    c.book = b;
    unsigned long n = fu_test_oom("plan", oom_plan, &c, 5000);
    cr_assert_geq(n, 10);
    fu_book_free(b);
    fu_policy_free(p);
}
