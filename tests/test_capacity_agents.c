/* Agents by name across partitions (docs/scaling.md, "Agents by name"):
 * who makes each call (fu_planner_set_agents()) is decided over the whole
 * plan in one sequence, with every agent's running load, so capacity across
 * partitions refuses a planner or a plan with named agents (FU_EINVAL, the
 * reason and the way out in the message) instead of planning what one
 * planner would not. Worked by hand: agent A1 makes one call a day; four
 * customers with a delivery each on Mon 2026-11-23 10:00 (+08:00) are due a
 * phone follow-up that day. One planner over the four names A1 for one call
 * a day (the others wait for later days); two partitions of two customers,
 * each naming its own A1, would give A1 two calls on Monday — what the
 * partitioned path did before it refused. */
#include "fu_test.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOW "2026-11-23T10:00:00+08:00"
#define AGENTS "agent_id,shift,tz,calls_per_day\nA1,Mon-Sun 09:00-18:00,Asia/Shanghai,1\n"

/* Customers C<first>, C<first + step>, ... up to C4, each with a delivery at NOW. */
static fu_book *book_of(int first, int step) {
    char c[512], e[512];
    size_t lc = (size_t)snprintf(c, sizeof c, "customer_id,tz,consent_phone\n");
    size_t le = (size_t)snprintf(e, sizeof e, "customer_id,at,kind,order_id\n");
    for (int i = first; i <= 4; i += step) {
        lc += (size_t)snprintf(c + lc, sizeof c - lc, "C%d,Asia/Shanghai,yes\n", i);
        le += (size_t)snprintf(e + le, sizeof e - le, "C%d,%s,delivery,O%d\n", i, NOW, i);
    }
    fu_book_options bo = FU_BOOK_OPTIONS_INIT;
    bo.flags = FU_BOOK_CREATE_CUSTOMERS;
    fu_book *b = NULL;
    cr_assert_eq(fu_book_new(&b, &bo), FU_OK);
    cr_assert_eq(fu_book_read_customers_csv_from_string(b, c, lc, "c"), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(fu_book_read_events_csv_from_string(b, e, le, "e"), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(fu_book_finalize(b), FU_OK);
    return b;
}

static fu_planner *planner_of(const fu_policy *pol, const fu_book *b, unsigned flags, int named) {
    fu_planner_options o = FU_PLANNER_OPTIONS_INIT;
    o.flags = flags;
    fu_planner *pl = NULL;
    cr_assert_eq(fu_planner_new(&pl, pol, b, &o), FU_OK, "%s", fu_error_last()->message);
    if (named) cr_assert_eq(fu_planner_set_agents(pl, AGENTS, strlen(AGENTS), "agents.csv"), FU_OK);
    return pl;
}

/* Planned phone contacts named A1 on Monday (local) in the plan. */
static size_t a1_monday(const fu_plan *p) {
    size_t n = 0, m = 0;
    const fu_touchpoint *t = fu_plan_touchpoints(p, FU_TOUCHPOINT_PLANNED, &n);
    int64_t mon = (fu_test_time(NOW) + 8 * 3600) / 86400;
    for (size_t i = 0; i < n; i++)
        m += t[i].agent && !strcmp(t[i].agent, "A1") && (t[i].best_at + 8 * 3600) / 86400 == mon;
    return m;
}

static void refused(const char *fn) {
    const char *msg = fu_error_last()->message;
    cr_assert(strncmp(msg, fn, strlen(fn)) == 0, "%s", msg);
    cr_assert(strstr(msg, "decided over the whole plan in one sequence"), "%s", msg);
    cr_assert(strstr(msg, "agents x calls_per_agent"), "%s", msg);
    cr_assert(strstr(msg, "docs/scaling.md, \"Agents by name\""), "%s", msg);
}

Test(capacity_agents, one_planner_names_a1_once_a_day_two_partitions_would_twice) {
    fu_policy *pol = NULL;
    cr_assert_eq(fu_policy_default(&pol), FU_OK);
    fu_book *whole = book_of(1, 1), *half[2] = {book_of(1, 2), book_of(2, 2)};
    fu_planner *pl = planner_of(pol, whole, 0, 1);
    fu_plan *p = NULL;
    cr_assert_eq(fu_planner_plan(pl, fu_test_time(NOW), 3 * 86400, &p), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(a1_monday(p), 1u);
    fu_plan_free(p);
    size_t monday = 0;
    for (int k = 0; k < 2; k++) { /* each partition's planner knows only its own calls */
        fu_planner *q = planner_of(pol, half[k], 0, 1);
        cr_assert_eq(fu_planner_plan(q, fu_test_time(NOW), 3 * 86400, &p), FU_OK);
        monday += a1_monday(p);
        fu_plan_free(p);
        fu_planner_free(q);
    }
    cr_assert_eq(monday, 2u); /* over A1's calls_per_day: why the capacity path refuses */
    fu_planner_free(pl);
    fu_book_free(whole);
    fu_book_free(half[0]);
    fu_book_free(half[1]);
    fu_policy_free(pol);
}

Test(capacity_agents, part_new_refuses_a_planner_with_named_agents) {
    fu_policy *pol = NULL;
    cr_assert_eq(fu_policy_default(&pol), FU_OK);
    fu_book *b = book_of(1, 2);
    fu_planner *pl = planner_of(pol, b, FU_PLANNER_CAPACITY_PASS, 1);
    fu_capacity_part *cp = (fu_capacity_part *)pl; /* must come back NULL */
    cr_assert_eq(fu_capacity_part_new(pl, fu_test_time(NOW), 3 * 86400, &cp), FU_EINVAL);
    cr_assert_null(cp);
    refused("fu_capacity_part_new");
    cr_assert(strstr(fu_error_last()->message, "the planner has 1 named agents"), "%s", fu_error_last()->message);
    /* the agents removed: the part is made, and its items name nobody */
    cr_assert_eq(fu_planner_set_agents(pl, "", 0, NULL), FU_OK);
    cr_assert_eq(fu_capacity_part_new(pl, fu_test_time(NOW), 3 * 86400, &cp), FU_OK, "%s", fu_error_last()->message);
    fu_capacity_item *v = NULL;
    size_t n = 0;
    cr_assert_eq(fu_capacity_part_items(cp, &v, &n), FU_OK);
    cr_assert_eq(n, 2u);
    fu_free(v);
    fu_capacity_part_free(cp);
    fu_planner_free(pl);
    fu_book_free(b);
    fu_policy_free(pol);
}

Test(capacity_agents, the_pass_refuses_a_plan_that_names_its_agents) {
    fu_policy *pol = NULL;
    cr_assert_eq(fu_policy_default(&pol), FU_OK);
    fu_book *b = book_of(1, 1);
    fu_planner *plain = planner_of(pol, b, FU_PLANNER_CAPACITY_PASS, 0);
    fu_plan *p = NULL;
    cr_assert_eq(fu_planner_plan(plain, fu_test_time(NOW), 86400, &p), FU_OK);
    fu_capacity_item *v = NULL;
    size_t n = 0;
    cr_assert_eq(fu_plan_capacity_items(p, &v, &n), FU_OK);
    cr_assert_eq(n, 4u);
    fu_plan_free(p);

    fu_planner *named = planner_of(pol, b, FU_PLANNER_CAPACITY_PASS, 1);
    cr_assert_eq(fu_planner_plan(named, fu_test_time(NOW), 86400, &p), FU_OK);
    fu_capacity_item *w = (fu_capacity_item *)p;
    size_t m = 99;
    cr_assert_eq(fu_plan_capacity_items(p, &w, &m), FU_EINVAL);
    cr_assert(w == NULL && m == 0);
    refused("fu_plan_capacity_items");
    cr_assert(strstr(fu_error_last()->message, "names agent A1 for row 0"), "%s", fu_error_last()->message);
    char *before = NULL, *after = NULL;
    cr_assert_eq(fu_plan_write_csv_to_string(p, 0x1Fu, FU_PLAN_CSV_STATUS, NULL, &before), FU_OK);
    v[0].deferred = 1; /* the plain plan's rows: the named plan's rows 0.. are its planned contacts too */
    cr_assert_eq(fu_plan_apply_capacity(p, v, n), FU_EINVAL);
    refused("fu_plan_apply_capacity");
    cr_assert_eq(fu_plan_write_csv_to_string(p, 0x1Fu, FU_PLAN_CSV_STATUS, NULL, &after), FU_OK);
    cr_assert_str_eq(after, before); /* unchanged */
    cr_assert_eq(fu_plan_apply_capacity(p, v, 0), FU_OK); /* nothing to apply: nothing refused */
    fu_free(before);
    fu_free(after);
    fu_free(v);
    fu_plan_free(p);
    fu_planner_free(named);
    fu_planner_free(plain);
    fu_book_free(b);
    fu_policy_free(pol);
}
