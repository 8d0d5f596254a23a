/* Planner leftovers of session 11:
 * - review s10 hR2 L2: a contact whose hours never meet the agents' is
 *   unplaceable whether the agent step's caches answer (lib/planner_hours.c)
 *   or not (off, a window past their 2,048 days): before, the search without
 *   them gave up at its step budget and deferred it; */
#include "fu_test.h"
#include "planner_agents.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#define T fu_test_time
#define DAY INT64_C(86400)

/* *f over `policy_yaml` (built-in when NULL), the customers and events CSV
 * texts and `agents` agents (a number). */
static void open_policy(fu_test_planner *f, const char *policy_yaml, const char *customers, const char *events,
                        unsigned agents) {
    memset(f, 0, sizeof *f);
    if (policy_yaml)
        cr_assert_eq(fu_policy_load_string(&f->policy, policy_yaml, strlen(policy_yaml), "policy", NULL), FU_OK, "%s",
                     fu_error_last()->message);
    else cr_assert_eq(fu_policy_default(&f->policy), FU_OK);
    f->book = fu_test_book(customers, events);
    cr_assert_not_null(f->book);
    fu_planner_options o = FU_PLANNER_OPTIONS_INIT;
    o.agents = agents;
    cr_assert_eq(fu_planner_new(&f->pl, f->policy, f->book, &o), FU_OK, "%s", fu_error_last()->message);
}

static fu_plan *plan_now(fu_test_planner *f, const char *now, int64_t horizon) {
    fu_plan *p = NULL;
    cr_assert_eq(fu_planner_plan(f->pl, T(now), horizon, &p), FU_OK, "%s", fu_error_last()->message);
    return p;
}

/* The two plans' touchpoints and counters are the same. */
static void same_plans(const fu_plan *a, const fu_plan *b, const char *what) {
    for (int s = 0; s <= FU_TOUCHPOINT_LATER; s++) {
        size_t na = 0, nb = 0;
        const fu_touchpoint *x = fu_plan_touchpoints(a, (fu_touchpoint_status)s, &na);
        const fu_touchpoint *y = fu_plan_touchpoints(b, (fu_touchpoint_status)s, &nb);
        cr_assert_eq(na, nb, "%s: status %d: %zu vs %zu", what, s, na, nb);
        for (size_t i = 0; i < na; i++) {
            cr_expect_str_eq(x[i].customer_id, y[i].customer_id, "%s", what);
            cr_expect_str_eq(x[i].rule, y[i].rule, "%s", what);
            cr_expect_eq(x[i].best_at, y[i].best_at, "%s %s", what, x[i].customer_id);
            cr_expect_str_eq(x[i].reason, y[i].reason, "%s %s", what, x[i].customer_id);
            cr_expect_str_eq(x[i].status_rule, y[i].status_rule, "%s %s", what, x[i].customer_id);
            cr_expect_str_eq(x[i].agent, y[i].agent, "%s %s", what, x[i].customer_id);
        }
    }
    fu_plan_stats sa = fu_test_plan_stats(a), sb = fu_test_plan_stats(b);
    cr_expect_eq(memcmp(&sa, &sb, sizeof sa), 0, "%s: stats differ", what);
}

/* ---------------------------------------------------------------- review s10 hR2 L2 */

/* N, a school in New York (business hours 09:00-18:00 New York), under the
 * team's hours in Beijing (09:00-12:00, 13:30-18:00 = 20:00-05:00 New York):
 * they never meet. Its delivery's first contact has a window of 600 days
 * (searched to 662 days: more than the 16,000 steps of the search without
 * the caches reach) or 2,100 days (past the caches' 2,048 days: they cannot
 * answer either). With the caches and without: unplaceable, counted, the
 * same plan; P (private, Beijing) is planned. */
Test(review_s11, never_meeting_hours_unplaceable_with_and_without_caches) {
    static const char C[] = "customer_id,tz,industry\nN,America/New_York,education\nP,Asia/Shanghai,\n";
    static const char E[] = "customer_id,at,kind,order_id\nN,2026-03-02T10:00:00-05:00,delivery,O1\n"
                            "P,2026-03-02T10:00:00+08:00,delivery,O2\n";
    static const char *const WITHIN[] = {"1200d", "2100d"};
    for (int w = 0; w < 2; w++) {
        char pol[512];
        snprintf(pol, sizeof pol,
                 "cadences:\n  delivery:\n    steps:\n"
                 "      first_contact: {at: 0h, within: %s, purpose: first call, channel: phone}\n",
                 WITHIN[w]);
        fu_test_planner f;
        open_policy(&f, pol, C, E, 3);
        fu_plan *p[2];
        for (int c = 0; c < 2; c++) {
            fu__plan_agent_caches(!c);
            p[c] = plan_now(&f, "2026-03-02T10:00:00-05:00", 3 * DAY);
            fu__plan_agent_caches(1);
            const fu_touchpoint *tn = fu_test_find_touchpoint(p[c], FU_TOUCHPOINT_SUPPRESSED, "N", "first_contact");
            cr_assert_not_null(tn, "%s, caches %s: N not suppressed", WITHIN[w], c ? "off" : "on");
            cr_expect_str_eq(tn->status_rule, "calendars.hours", "%s", tn->reason);
            cr_expect(strstr(tn->reason, "unplaceable, suppressed by calendars.hours"), "%s", tn->reason);
            fu_plan_stats st = fu_test_plan_stats(p[c]);
            cr_expect_eq(st.unplaceable, 1, "%s, caches %s", WITHIN[w], c ? "off" : "on");
            cr_expect_eq(st.unplaceable_customers, 1);
            cr_expect_eq(st.deferred, 0, "%s, caches %s", WITHIN[w], c ? "off" : "on");
            cr_expect_not_null(fu_test_find_touchpoint(p[c], FU_TOUCHPOINT_PLANNED, "P", "first_contact"));
        }
        same_plans(p[0], p[1], WITHIN[w]);
        fu_plan_free(p[0]);
        fu_plan_free(p[1]);
        fu_test_planner_free(&f);
    }
}
