/* The planner's session-13 fast paths (issue 19: the plan of 1 M customers
 * with CPU to spare) at the edges where a wrong fast path would show:
 * - a `dates` suppression's periods cached per calendar and local year
 *   (promotion_blackout: 11-11 and 06-18, a month before each, ecommerce):
 *   whole plans with the cache and without it (fu__pl_supp_dates_cache(0))
 *   field by field, in zones whose offsets change inside the periods, at
 *   instants on both sides of the periods' local-midnight edges and across
 *   the new year; and by hand, two customers on either side of the same UTC
 *   instant (Shanghai already in the period, Berlin not yet);
 * - the contact events listed once per customer (the loops that read only
 *   contacts): a survey answer or a purchase inside a step's window does not
 *   fulfil it, contacts between other events at the same instants count for
 *   the redial limits;
 * - a minimum tenure refused without the month arithmetic when it cannot
 *   have passed: deep_care (min_tenure 36 months) a day either side, and
 *   the bound it uses against the month arithmetic around every month end
 *   of 40 years in six zones;
 * - purchase days per class made once for both cycle cadences: the
 *   replenishment reminder and the mid-cycle check of two classes;
 * - merged contacts' counts written without printf (2-9) and with it (10+). */
#include "calendar_internal.h"
#include "fu_test.h"
#include "planner_internal.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#define T fu_test_time
#define D INT64_C(86400)
#define find fu_test_find_touchpoint

static const char CUST_HDR[] = "customer_id,tz,annual_spend,first_purchase_at,industry,is_smb,preferred_windows,"
                               "dnd_windows,consent_phone,consent_sms,consent_email\n";
static const char EV_HDR[] = "customer_id,at,kind,order_id,product_class,unit_price,amount,severity,channel,"
                             "agent_id,outcome\n";

static void open_fx(fu_test_planner *f, const char *customers, const char *events) {
    char *c = fu_test_cat(CUST_HDR, customers), *e = fu_test_cat(EV_HDR, events);
    fu_test_planner_open_ok(f, c, e);
    free(c);
    free(e);
}

static fu_plan *plan_now(fu_test_planner *f, const char *now, int64_t horizon) {
    fu_plan *p = NULL;
    cr_assert_eq(fu_planner_plan(f->pl, T(now), horizon, &p), FU_OK, "%s: %s", now, fu_error_last()->message);
    return p;
}

/* ---------------------------------------------------------------- dates suppression */

/* Ecommerce customers in zones with and without offset changes in October,
 * November, May and June, deliveries every few days from September 2026 to
 * June 2027 so that routine steps (second_contact: 7 d after, 8 d long) meet
 * the periods' edges. */
static char *blackout_customers(void) {
    static const char *zones[] = {"Asia/Shanghai", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe",
                                  "Asia/Kathmandu", "Pacific/Auckland"};
    char *s = fu_test_cat("", "");
    for (size_t z = 0; z < sizeof zones / sizeof *zones; z++)
        for (int k = 0; k < 3; k++) {
            char line[256];
            snprintf(line, sizeof line, "E%zu_%d,%s,20000,2024-01-10T10:00:00Z,ecommerce,,,,yes,yes,yes\n", z, k,
                     zones[z]);
            char *n = fu_test_cat(s, line);
            free(s);
            s = n;
        }
    return s;
}

static char *blackout_events(void) {
    char *s = fu_test_cat("", "");
    int64_t t0 = T("2026-09-20T01:30:00Z");
    for (int z = 0; z < 6; z++)
        for (int k = 0; k < 3; k++)
            for (int64_t t = t0 + (z * 3 + k) * 7 * 3600; t < T("2027-06-30T00:00:00Z"); t += (5 + k) * D + 3 * 3600) {
                char at[40], line[256];
                fu_time_format(t, 0, FU_TIME_FORMAT_Z, at, sizeof at);
                snprintf(line, sizeof line, "E%d_%d,%s,delivery,O%d%d%lld,,,,,,,\n", z, k, at, z, k,
                         (long long)(t / D));
                char *n = fu_test_cat(s, line);
                free(s);
                s = n;
            }
    return s;
}

Test(planner_s13, dates_suppression_cached_gives_the_same_plans) {
    char *c = blackout_customers(), *e = blackout_events();
    fu_test_planner f;
    open_fx(&f, c, e);
    /* both sides of the local-midnight edges of 2026-10-11 (the period's
     * start) and 2026-11-11 (its end) in several zones, the offset changes
     * of 10-25 (Berlin), 11-01 (New York), 2027-04-04 (Lord Howe, Auckland),
     * the new year (2027's periods) and 2027-05-18 / 06-18 */
    static const char *nows[] = {"2026-10-10T15:59:59Z", "2026-10-10T16:00:00Z", "2026-10-10T21:59:59Z",
                                 "2026-10-10T22:00:00Z", "2026-10-11T03:59:59Z", "2026-10-11T04:00:00Z",
                                 "2026-10-24T12:00:00Z", "2026-10-31T23:00:00Z", "2026-11-10T15:59:59Z",
                                 "2026-11-10T16:00:00Z", "2026-11-10T22:59:59Z", "2026-11-10T23:00:00Z",
                                 "2026-11-11T04:59:59Z", "2026-11-11T05:00:00Z", "2026-12-31T20:00:00Z",
                                 "2027-04-03T12:00:00Z", "2027-05-17T15:59:59Z", "2027-05-17T16:00:00Z",
                                 "2027-06-17T12:00:00Z", "2027-06-18T12:00:00Z"};
    unsigned blackout = 0;
    for (size_t i = 0; i < sizeof nows / sizeof *nows; i++) {
        fu__pl_supp_dates_cache(1);
        fu_plan *a = plan_now(&f, nows[i], 3 * D);
        fu__pl_supp_dates_cache(0);
        fu_plan *b = plan_now(&f, nows[i], 3 * D);
        fu__pl_supp_dates_cache(1);
        fu_test_same_plans(a, b, nows[i]);
        for (int s = 0; s < FU_TOUCHPOINT_STATUS_COUNT; s++) {
            size_t n;
            const fu_touchpoint *tp = fu_plan_touchpoints(a, (fu_touchpoint_status)s, &n);
            for (size_t k = 0; k < n; k++)
                blackout += strstr(tp[k].status_rule, "promotion_blackout") || strstr(tp[k].reason, "promotion_blackout");
        }
        fu_plan_free(a);
        fu_plan_free(b);
    }
    cr_assert_gt(blackout, 100, "the periods were met (%u touchpoints)", blackout);
    fu_test_planner_free(&f);
    free(c);
    free(e);
}

/* 2026-11-10T17:00Z is 11-11 01:00 in Shanghai (past the period, which
 * ends at its local midnight) and 11-10 18:00 in Berlin (still in it): the
 * Berlin customer's routine step is trimmed to start at the period's end,
 * 11-11 00:00 +01:00, the Shanghai customer's is not. A cache keyed
 * without the calendar would give both the same; each order of the
 * customers fills it from the other zone first. */
Test(planner_s13, dates_suppression_period_is_the_zones_own) {
    fu_test_planner f = {0};
    static const char sh[] = "SH,Asia/Shanghai,20000,2024-01-10T10:00:00Z,ecommerce,,,,yes,yes,yes\n",
                      be[] = "BE,Europe/Berlin,20000,2024-01-10T10:00:00Z,ecommerce,,,,yes,yes,yes\n";
    for (int pass = 0; pass < 2; pass++) {
        char *c = pass ? fu_test_cat(sh, be) : fu_test_cat(be, sh);
        fu_test_planner_free(&f); /* a new planner: an empty cache */
        open_fx(&f, c,
                "SH,2026-11-03T02:00:00Z,delivery,O1,,,,,,,\n"
                "SH,2026-11-03T04:00:00Z,contact,,,,,,phone,,answered\n"
                "BE,2026-11-03T08:00:00Z,delivery,O2,,,,,,,\n"
                "BE,2026-11-03T09:00:00Z,contact,,,,,,phone,,answered\n");
        free(c);
        fu_plan *p = plan_now(&f, "2026-11-10T17:00:00Z", D);
        const fu_touchpoint *s = find(p, FU_TOUCHPOINT_PLANNED, "SH", "delivery.second_contact");
        cr_assert(s, "pass %d: Shanghai's second contact is planned", pass);
        cr_assert_eq(s->due_from, T("2026-11-10T10:00:00+08:00"), "untrimmed: %s", s->reason);
        cr_assert_null(strstr(s->reason, "promotion_blackout"), "%s", s->reason);
        const fu_touchpoint *b = find(p, FU_TOUCHPOINT_PLANNED, "BE", "delivery.second_contact");
        cr_assert(b, "pass %d: Berlin's second contact is planned", pass);
        cr_assert_eq(b->due_from, T("2026-11-11T00:00:00+01:00"), "trimmed to the period's end: %s", b->reason);
        cr_assert(strstr(b->reason, "window trimmed (suppressions.promotion_blackout)"), "%s", b->reason);
        fu_plan_free(p);
    }
    fu_test_planner_free(&f);
}

/* ---------------------------------------------------------------- contacts only */

/* A delivery on 10-01; in second_contact's window [10-08, 10-16] a survey
 * answer and a purchase (neither a contact: the step stays due) at the
 * instants of five unanswered calls (the fifth reaches
 * redial.attempts_per_touchpoint: suppressed). R2 has the survey answer and
 * the purchase only: planned. */
Test(planner_s13, only_contacts_fulfil_a_step_and_count_as_attempts) {
    fu_test_planner f;
    static const char ev[] = "R1,2026-10-01T02:00:00Z,delivery,O1,,,,,,,\n"
                             "R1,2026-10-01T03:00:00Z,contact,,,,,,phone,,answered\n"
                             "R1,2026-10-08T03:00:00Z,survey,,,,,,,,\n"
                             "R1,2026-10-08T03:00:00Z,contact,,,,,,phone,,no_answer\n"
                             "R1,2026-10-08T03:00:00Z,purchase,O7,,50,50,,,,\n"
                             "R1,2026-10-09T03:00:00Z,contact,,,,,,phone,,no_answer\n"
                             "R1,2026-10-09T03:00:00Z,survey,,,,,,,,\n"
                             "R1,2026-10-10T03:00:00Z,contact,,,,,,phone,,busy\n"
                             "R1,2026-10-11T03:00:00Z,purchase,O8,,50,50,,,,\n"
                             "R1,2026-10-11T03:00:00Z,contact,,,,,,phone,,no_answer\n"
                             "R1,2026-10-12T03:00:00Z,survey,,,,,,,,\n"
                             "R1,2026-10-12T03:00:00Z,contact,,,,,,phone,,voicemail\n"
                             "R2,2026-10-01T02:00:00Z,delivery,O2,,,,,,,\n"
                             "R2,2026-10-01T03:00:00Z,contact,,,,,,phone,,answered\n"
                             "R2,2026-10-08T03:00:00Z,survey,,,,,,,,\n"
                             "R2,2026-10-09T03:00:00Z,purchase,O9,,50,50,,,,\n";
    open_fx(&f,
            "R1,Asia/Shanghai,20000,2024-01-10T10:00:00Z,,,,,yes,yes,yes\n"
            "R2,Asia/Shanghai,20000,2024-01-10T10:00:00Z,,,,,yes,yes,yes\n",
            ev);
    fu_plan *p = plan_now(&f, "2026-10-13T01:00:00Z", D);
    const fu_touchpoint *r1 = find(p, FU_TOUCHPOINT_SUPPRESSED, "R1", "delivery.second_contact");
    cr_assert(r1, "R1: five attempts in the window");
    cr_assert_str_eq(r1->status_rule, "redial.attempts_per_touchpoint");
    cr_assert(find(p, FU_TOUCHPOINT_PLANNED, "R2", "delivery.second_contact"), "R2: neither fulfils the step");
    fu_plan_free(p);
    fu_test_planner_free(&f);
}

/* ---------------------------------------------------------------- min_tenure */

/* deep_care (tier key, min_tenure 36 months) replaces ordinary_quarterly:
 * a first purchase 36 months and a day before now qualifies, 36 months less
 * a day does not, nor one a year ago (refused before the month
 * arithmetic). Every customer's last answered contact is 100 days ago, so
 * the recurring contact is overdue and due now. */
Test(planner_s13, min_tenure_either_side_of_the_day) {
    fu_test_planner f;
    open_fx(&f,
            "OLD,Asia/Shanghai,200000,2023-10-08T09:00:00+08:00,,,,,yes,yes,yes\n"
            "NEW,Asia/Shanghai,200000,2023-10-10T09:00:00+08:00,,,,,yes,yes,yes\n"
            "YR,Asia/Shanghai,200000,2025-10-09T09:00:00+08:00,,,,,yes,yes,yes\n",
            "OLD,2026-07-01T09:00:00+08:00,contact,,,,,,phone,,answered\n"
            "NEW,2026-07-01T09:00:00+08:00,contact,,,,,,phone,,answered\n"
            "YR,2026-07-01T09:00:00+08:00,contact,,,,,,phone,,answered\n");
    fu_plan *p = plan_now(&f, "2026-10-09T10:00:00+08:00", 30 * D);
    size_t n;
    const fu_touchpoint *tp = fu_plan_touchpoints(p, FU_TOUCHPOINT_PLANNED, &n);
    int old_deep = 0, new_deep = 0, yr_deep = 0, new_q = 0, yr_q = 0;
    for (size_t i = 0; i < n; i++) {
        int deep = strstr(tp[i].rule, "cadences.deep_care.") != NULL,
            q = strstr(tp[i].rule, "cadences.ordinary_quarterly.") != NULL;
        if (!strcmp(tp[i].customer_id, "OLD")) old_deep += deep;
        if (!strcmp(tp[i].customer_id, "NEW")) new_deep += deep, new_q += q;
        if (!strcmp(tp[i].customer_id, "YR")) yr_deep += deep, yr_q += q;
    }
    cr_assert_eq(old_deep, 1, "36 months and a day: deep care");
    cr_assert_eq(new_deep, 0, "36 months less a day: not yet");
    cr_assert_eq(new_q, 1, "the quarterly contact instead");
    cr_assert_eq(yr_deep, 0);
    cr_assert_eq(yr_q, 1);
    fu_plan_free(p);
    fu_test_planner_free(&f);
}

/* ---------------------------------------------------------------- cycles */

/* Mid-price purchases on 01-01 (twice: one day), 01-31 and 03-02 (own
 * cycle 30 d; consumables: cycle 100%, the reminder 3 days before:
 * [03-29 10:00, 04-01 10:00]) and low-price ones on 02-01, 02-21 and 03-13
 * (own cycle 20 d; fast_moving: cycle 50%, mid_cycle from 03-23 10:00), the
 * classes' purchases interleaved. Counting the same-day repeat would make
 * the mid-price cycle 20 days; mixing the classes, other cycles. */
Test(planner_s13, purchase_days_per_class_serve_both_cycle_cadences) {
    fu_test_planner f;
    open_fx(&f, "C,Asia/Shanghai,20000,2025-02-25T10:00:00+08:00,,,,,yes,yes,yes\n",
            "C,2026-01-01T10:00:00+08:00,purchase,O1,,2000,2000,,,,\n"
            "C,2026-01-01T15:00:00+08:00,purchase,O1b,,2000,2000,,,,\n"
            "C,2026-01-31T10:00:00+08:00,purchase,O2,,2000,2000,,,,\n"
            "C,2026-02-01T10:00:00+08:00,purchase,L1,,50,50,,,,\n"
            "C,2026-02-21T10:00:00+08:00,purchase,L2,,50,50,,,,\n"
            "C,2026-03-02T10:00:00+08:00,purchase,O3,,2000,2000,,,,\n"
            "C,2026-03-13T10:00:00+08:00,purchase,L3,,50,50,,,,\n"
            "C,2026-03-13T11:00:00+08:00,contact,,,,,,phone,,answered\n");
    fu_plan *p = plan_now(&f, "2026-03-16T09:00:00+08:00", 20 * D);
    size_t n;
    const fu_touchpoint *tp = fu_plan_touchpoints(p, FU_TOUCHPOINT_PLANNED, &n);
    int rem = 0, mid = 0;
    for (size_t i = 0; i < n; i++) {
        if (strstr(tp[i].rule, "cadences.consumables.reminder")) {
            rem++;
            cr_assert(strstr(tp[i].reason, "100% of a 30.0-day cycle (own purchases)"), "%s", tp[i].reason);
            cr_assert_eq(tp[i].due_from, T("2026-03-29T10:00:00+08:00"), "%s", tp[i].reason);
        }
        if (strstr(tp[i].rule, "cadences.fast_moving.mid_cycle")) {
            mid++;
            cr_assert(strstr(tp[i].reason, "50% of a 20.0-day cycle (own purchases)"), "%s", tp[i].reason);
            cr_assert_eq(tp[i].due_from, T("2026-03-23T10:00:00+08:00"), "%s", tp[i].reason);
        }
    }
    cr_assert_eq(rem, 1, "the mid-price reminder");
    cr_assert_eq(mid, 1, "the low-price mid-cycle check");
    fu_plan_free(p);
    fu_test_planner_free(&f);
}

/* The lower bound the tenure check uses, against the month arithmetic it
 * stands for: t + floor(m months) <= t + m months for instants every 7 h 13
 * min from 1995 to 2035 (month ends, where months clip, included) in zones with
 * daylight saving either side of the equator, a half-hour change (Lord
 * Howe) and Samoa's skipped day (2011-12-30). */
Test(planner_s13, month_floor_never_passes_the_month_arithmetic) {
    static const char *zones[] = {"Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Pacific/Apia",
                                  "Asia/Kathmandu", "UTC"};
    static const int64_t months[] = {1, 2, 3, 6, 11, 12, 13, 36, 120};
    for (size_t z = 0; z < sizeof zones / sizeof *zones; z++) {
        fu_calendar *c = NULL;
        cr_assert_eq(fu_calendar_new(&c, zones[z]), FU_OK, "%s", zones[z]);
        unsigned checked = 0;
        for (int64_t t = T("1995-01-01T00:00:00Z"); t < T("2035-01-01T00:00:00Z"); t += 7 * 3600 + 13 * 60) {
            for (size_t k = 0; k < sizeof months / sizeof *months; k++) {
                fu_duration d = {months[k], FU_DURATION_MONTHS};
                int64_t r;
                cr_assert_eq(fu__calendar_add_months(c, t, months[k], &r), FU_OK);
                cr_assert_leq(t + fu__pl_dur_floor(&d), r, "%s: %lld + %lld months", zones[z], (long long)t,
                              (long long)months[k]);
                checked++;
            }
        }
        cr_assert_gt(checked, 400000, "%u", checked);
        fu_calendar_free(c);
    }
    fu_duration s = {3600, FU_DURATION_SECONDS}, w = {5, FU_DURATION_WORKING_DAYS}, neg = {-2, FU_DURATION_MONTHS};
    cr_assert_eq(fu__pl_dur_floor(&s), 3600);
    cr_assert_eq(fu__pl_dur_floor(&w), 0, "no bound known");
    cr_assert_eq(fu__pl_dur_floor(&neg), 0);
}
