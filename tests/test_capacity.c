/* The global capacity pass (include/followup/capacity.h): a book split into
 * two partitions planned without capacity, the pass over both partitions'
 * agent contacts, applied back, gives the touchpoints of one planner over the
 * whole book with the same capacity. A hand-made book: customer K00i has a
 * delivery at 10:00 + i minutes (+08:00) on 2026-11-23; planned at 11:00 the
 * built-in policy gives each a phone call at priority high
 * (cadences.delivery.first_contact), due within 48 h of the delivery, best
 * at 11:00. With 1 agent x 3 calls a day the three most pressing stay: the
 * same priority, so the earliest window end (K001..K003); the rest wait for
 * the next local midnight, 2026-11-24T00:00+08:00 (hand-checked against
 * the one-process plan). */
#include "fu_test.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NCUST 10

static int64_t T(const char *iso) {
    int64_t t = 0;
    cr_assert_eq(fu_time_parse(iso, strlen(iso), &t), FU_OK, "%s", iso);
    return t;
}

/* The customers i with i % parts == part (parts 1: all), in order. */
static fu_book *book_of(int part, int parts) {
    char c[4096], e[4096];
    size_t lc = (size_t)snprintf(c, sizeof c, "customer_id,tz,annual_spend,consent_phone,consent_sms,consent_email\n");
    size_t le = (size_t)snprintf(e, sizeof e, "customer_id,at,kind,order_id\n");
    for (int i = 1; i <= NCUST; i++) {
        if (i % parts != part) continue;
        lc += (size_t)snprintf(c + lc, sizeof c - lc, "K%03d,Asia/Shanghai,20000,yes,yes,yes\n", i);
        le += (size_t)snprintf(e + le, sizeof e - le, "K%03d,2026-11-23T10:%02d:00+08:00,delivery,O%d\n", i, i, i);
    }
    fu_book *b = NULL;
    cr_assert_eq(fu_book_new(&b, NULL), FU_OK);
    cr_assert_eq(fu_book_read_customers_csv_from_string(b, c, lc, "c"), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(fu_book_read_events_csv_from_string(b, e, le, "e"), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(fu_book_finalize(b), FU_OK);
    return b;
}

static fu_plan *plan_of(const fu_policy *pol, const fu_book *b, unsigned agents, unsigned calls) {
    fu_planner_options o = FU_PLANNER_OPTIONS_INIT;
    o.agents = agents;
    o.calls_per_agent = calls;
    fu_planner *pl = NULL;
    fu_plan *p = NULL;
    cr_assert_eq(fu_planner_new(&pl, pol, b, &o), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(fu_planner_plan(pl, T("2026-11-23T11:00:00+08:00"), 86400, &p), FU_OK, "%s",
                 fu_error_last()->message);
    fu_planner_free(pl);
    return p;
}

static char *csv_of(const fu_plan *p) {
    char *s = NULL;
    cr_assert_eq(fu_plan_write_csv_to_string(p, 0x1Fu, FU_PLAN_CSV_STATUS, NULL, &s), FU_OK);
    return s;
}

Test(capacity, two_partitions_give_the_whole_books_plan) {
    fu_policy *pol = NULL;
    cr_assert_eq(fu_policy_default(&pol), FU_OK);
    fu_book *whole = book_of(0, 1), *part[2] = {book_of(0, 2), book_of(1, 2)};
    fu_plan *ref = plan_of(pol, whole, 1, 3), *pp[2] = {plan_of(pol, part[0], 0, 0), plan_of(pol, part[1], 0, 0)};
    fu_plan_stats st;
    fu_plan_get_stats(ref, &st);
    cr_assert_eq(st.deferred, NCUST - 3);

    fu_capacity_item all[NCUST];
    size_t n = 0;
    for (int k = 0; k < 2; k++) {
        fu_capacity_item *v = NULL;
        size_t m = 0;
        cr_assert_eq(fu_plan_capacity_items(pp[k], &v, &m), FU_OK);
        cr_assert_eq(m, NCUST / 2);
        for (size_t i = 0; i < m; i++) {
            /* partition 0 holds K002, K004, ... (whole-book index 2j + 1), partition 1 K001, K003, ... (2j) */
            v[i].customer = 2 * v[i].customer + (k ? 0 : 1);
            v[i].part = (uint32_t)k;
            all[n++] = v[i];
        }
        fu_free(v);
    }
    size_t nd = 0;
    cr_assert_eq(fu_capacity_pass(pol, 1, 3, all, n, &nd), FU_OK);
    cr_assert_eq(nd, NCUST - 3);
    for (size_t i = 0; i < n; i++) {
        int stays = all[i].customer < 3; /* K001..K003 */
        cr_assert_eq(all[i].deferred, (uint32_t)!stays, "item %zu customer %llu", i,
                     (unsigned long long)all[i].customer);
        if (!stays) cr_assert_eq(all[i].best_at, T("2026-11-24T00:00:00+08:00"));
    }
    for (int k = 0; k < 2; k++) {
        fu_capacity_item mine[NCUST];
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (all[i].part == (uint32_t)k) mine[m++] = all[i];
        cr_assert_eq(fu_plan_apply_capacity(pp[k], mine, m), FU_OK, "%s", fu_error_last()->message);
    }
    /* each partition's rows are exactly the whole plan's rows of its customers */
    char *r = csv_of(ref), *a = csv_of(pp[0]), *b = csv_of(pp[1]);
    size_t lines = 0;
    for (char *line = strtok(r + strcspn(r, "\n") + 1, "\n"); line; line = strtok(NULL, "\n"), lines++) {
        int id = atoi(line + 1);
        cr_assert(strstr(id % 2 ? b : a, line) != NULL, "%s", line);
    }
    cr_assert_eq(lines, (size_t)NCUST);
    fu_plan_get_stats(pp[0], &st);
    size_t d0 = st.deferred;
    fu_plan_get_stats(pp[1], &st);
    cr_assert_eq(d0 + st.deferred, NCUST - 3);
    fu_free(r);
    fu_free(a);
    fu_free(b);
    for (int k = 0; k < 2; k++) {
        fu_plan_free(pp[k]);
        fu_book_free(part[k]);
    }
    fu_plan_free(ref);
    fu_book_free(whole);
    fu_policy_free(pol);
}

Test(capacity, bad_input_is_refused_and_changes_nothing) {
    fu_policy *pol = NULL;
    cr_assert_eq(fu_policy_default(&pol), FU_OK);
    fu_book *b = book_of(0, 1);
    fu_plan *p = plan_of(pol, b, 0, 0);
    fu_capacity_item *v = NULL;
    size_t n = 0;
    cr_assert_eq(fu_plan_capacity_items(NULL, &v, &n), FU_EINVAL);
    cr_assert_eq(fu_capacity_pass(NULL, 1, 1, NULL, 0, NULL), FU_EINVAL);
    cr_assert_eq(fu_plan_capacity_items(p, &v, &n), FU_OK);
    cr_assert_eq(n, (size_t)NCUST);
    char *before = csv_of(p);
    v[0].priority = 9;
    cr_assert_eq(fu_capacity_pass(pol, 1, 1, v, n, NULL), FU_EINVAL);
    cr_assert_eq(v[1].deferred, 0u);
    v[0].priority = v[1].priority;
    v[0].deferred = v[1].deferred = 1;
    v[1].row = 99; /* not a row of this plan */
    cr_assert_eq(fu_plan_apply_capacity(p, v, n), FU_EINVAL);
    v[1].row = v[0].row; /* the same row twice */
    cr_assert_eq(fu_plan_apply_capacity(p, v, n), FU_EINVAL);
    char *after = csv_of(p);
    cr_assert_str_eq(after, before);
    fu_free(after);
    fu_free(before);
    fu_free(v);
    fu_plan_free(p);
    fu_book_free(b);
    fu_policy_free(pol);
}

typedef struct oom_ctx {
    const fu_policy *pol;
    const fu_book *book;
} oom_ctx;

static int oom_op(void *vctx) {
    oom_ctx *x = vctx;
    fu_planner *pl = NULL;
    fu_plan *p = NULL;
    fu_capacity_item *v = NULL;
    size_t n = 0;
    int rc = fu_planner_new(&pl, x->pol, x->book, NULL);
    if (!rc) rc = fu_planner_plan(pl, T("2026-11-23T11:00:00+08:00"), 86400, &p);
    if (!rc) rc = fu_plan_capacity_items(p, &v, &n);
    if (!rc) rc = fu_capacity_pass(x->pol, 1, 3, v, n, NULL);
    if (!rc) rc = fu_plan_apply_capacity(p, v, n);
    fu_free(v);
    fu_plan_free(p);
    fu_planner_free(pl);
    return rc;
}

Test(capacity, every_allocation_failure_is_enomem_without_leaks) {
    fu_policy *pol = NULL;
    cr_assert_eq(fu_policy_default(&pol), FU_OK);
    fu_book *b = book_of(0, 1);
    oom_ctx x = {pol, b};
    fu_test_oom("capacity pass", oom_op, &x, 20000);
    fu_book_free(b);
    fu_policy_free(pol);
}

/* ---------------------------------------------------------------- review s7 F15, numeric capacity */

/* Daily runs (horizon 1 day, 11:00 each day) of the NCUST deliveries with a
 * numeric capacity of 1 agent x 3 calls (fu_planner_options.agents), each
 * day's planned first contacts fed back as answered contacts at their
 * best_at. Windows: 11-23 10:0i .. 11-25 10:0i. Hand count: 11-23 plans
 * K001..K003, 11-24 K004..K006 (the rest deferred to the next day), 11-25
 * 11:00 finds the windows of K007..K010 passed: the old planner dropped them
 * ("0 due", 6 of 10 ever planned); now they stay due, overdue, and 11-25
 * plans K007..K009, 11-26 K010: all 10, none twice. */
static fu_book *book_with(const char *contacts) {
    char c[4096], e[8192];
    size_t lc = (size_t)snprintf(c, sizeof c, "customer_id,tz,annual_spend,consent_phone,consent_sms,consent_email\n");
    size_t le = (size_t)snprintf(e, sizeof e, "customer_id,at,kind,order_id,channel,outcome\n");
    for (int i = 1; i <= NCUST; i++) {
        lc += (size_t)snprintf(c + lc, sizeof c - lc, "K%03d,Asia/Shanghai,20000,yes,yes,yes\n", i);
        le += (size_t)snprintf(e + le, sizeof e - le, "K%03d,2026-11-23T10:%02d:00+08:00,delivery,O%d,,\n", i, i, i);
    }
    le += (size_t)snprintf(e + le, sizeof e - le, "%s", contacts);
    cr_assert(lc < sizeof c && le < sizeof e);
    fu_book *b = NULL;
    cr_assert_eq(fu_book_new(&b, NULL), FU_OK);
    cr_assert_eq(fu_book_read_customers_csv_from_string(b, c, lc, "c"), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(fu_book_read_events_csv_from_string(b, e, le, "e"), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(fu_book_finalize(b), FU_OK);
    return b;
}

/* One day's run; its planned first contacts appended to `contacts` as
 * answered calls; returns how many, and counts them per customer. */
static int daily_run(const fu_policy *pol, const char *now, unsigned flags, char *contacts, size_t size,
                     int made[NCUST + 1]) {
    fu_book *b = book_with(contacts);
    fu_planner_options o = FU_PLANNER_OPTIONS_INIT;
    o.agents = flags ? 0 : 1;
    o.calls_per_agent = flags ? 0 : 3;
    o.flags = flags;
    fu_planner *pl = NULL;
    fu_plan *p = NULL;
    cr_assert_eq(fu_planner_new(&pl, pol, b, &o), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(fu_planner_plan(pl, T(now), 86400, &p), FU_OK, "%s", fu_error_last()->message);
    if (flags) { /* the global pass over the plan's agent contacts (one partition) */
        fu_capacity_item *v = NULL;
        size_t n = 0;
        cr_assert_eq(fu_plan_capacity_items(p, &v, &n), FU_OK);
        cr_assert_eq(fu_capacity_pass(pol, 1, 3, v, n, NULL), FU_OK);
        cr_assert_eq(fu_plan_apply_capacity(p, v, n), FU_OK, "%s", fu_error_last()->message);
        fu_free(v);
    }
    size_t n = 0;
    const fu_touchpoint *tp = fu_plan_touchpoints(p, FU_TOUCHPOINT_PLANNED, &n);
    int k = 0;
    for (size_t i = 0; i < n; i++) {
        if (!strstr(tp[i].rule, "first_contact")) continue;
        char at[FU_TIME_TEXT_SIZE];
        cr_assert_eq(fu_time_format(tp[i].best_at, 8 * 3600, 0, at, sizeof at), FU_OK);
        size_t len = strlen(contacts);
        snprintf(contacts + len, size - len, "%s,%s,contact,,phone,answered\n", tp[i].customer_id, at);
        made[atoi(tp[i].customer_id + 1)]++;
        k++;
    }
    fu_plan_free(p);
    fu_planner_free(pl);
    fu_book_free(b);
    return k;
}

static void daily_runs(unsigned flags) {
    fu_policy *pol = NULL;
    cr_assert_eq(fu_policy_default(&pol), FU_OK);
    static const char *const days[] = {"2026-11-23T11:00:00+08:00", "2026-11-24T11:00:00+08:00",
                                       "2026-11-25T11:00:00+08:00", "2026-11-26T11:00:00+08:00",
                                       "2026-11-27T11:00:00+08:00"};
    static const int want[] = {3, 3, 3, 1, 0};
    char contacts[4096] = "";
    int made[NCUST + 1] = {0};
    for (int d = 0; d < 5; d++)
        cr_expect_eq(daily_run(pol, days[d], flags, contacts, sizeof contacts, made), want[d], "day %s", days[d]);
    for (int i = 1; i <= NCUST; i++) cr_expect_eq(made[i], 1, "K%03d planned %d times", i, made[i]);
    fu_policy_free(pol);
}

Test(capacity, numeric_capacity_deferrals_are_planned_by_later_daily_runs) { daily_runs(0); }

/* The same with the partitions' path: planners without capacity but
 * FU_PLANNER_CAPACITY_PASS, the capacity applied by fu_capacity_pass(). */
Test(capacity, capacity_pass_deferrals_are_planned_by_later_daily_runs) { daily_runs(FU_PLANNER_CAPACITY_PASS); }

/* Without any capacity a window that passed without a contact stays due,
 * overdue, as every missed window does since review s8 F14 (docs/planner.md
 * "Time" 4; before, only holiday- or capacity-late ones): the 10 first
 * contacts are planned. */
Test(capacity, without_capacity_a_missed_window_is_planned_overdue) {
    fu_policy *pol = NULL;
    cr_assert_eq(fu_policy_default(&pol), FU_OK);
    fu_book *b = book_with("");
    fu_planner *pl = NULL;
    fu_plan *p = NULL;
    cr_assert_eq(fu_planner_new(&pl, pol, b, NULL), FU_OK);
    cr_assert_eq(fu_planner_plan(pl, T("2026-11-26T11:00:00+08:00"), 86400, &p), FU_OK);
    fu_plan_stats st;
    fu_plan_get_stats(p, &st);
    cr_expect_eq(st.due, 10);
    cr_expect_eq(st.planned, 10);
    fu_plan_free(p);
    fu_planner_free(pl);
    fu_book_free(b);
    fu_policy_free(pol);
}
