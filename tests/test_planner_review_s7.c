/* Planner regressions from the outside review of session 7 (findings F15,
 * F2, F16, F1), on small hand-made books and the built-in policy:
 * - F15: a touchpoint made late (holidays, agents) stays due in later runs
 *   after its window, overdue and due from now, until a contact is made or
 *   62 days have passed; with agents a holiday-late call goes to the first
 *   instant an agent is on shift, not deferred.
 * - F2: the per-hour agent limit spreads calls_per_day over the minutes the
 *   agent may call (shift within the team hours), so calls_per_day is
 *   reached; capacity-late calls name agents.calls_per_day.
 * - F16: fu_planner_short_agents() names agents whose shift meets the team
 *   hours for fewer minutes than their calls_per_day take.
 * - F1: a repair of the fault's order resolves it for
 *   `when: {unresolved: true}`: no "unresolved 48 h" escalation, and the
 *   72 h survey of the urgent fault series is planned.
 * National Day 2026: Thu 10-01 .. Wed 10-07 (calendar cn, built-in policy);
 * a delivery's first contact (cadences.delivery.first_contact, high) is due
 * within 48 h, high is not made on holidays (quiet_hours.on_holidays:
 * [urgent]), allowed hours 08:00-21:00. Expected values worked out by hand. */
#include "fu_test.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T fu_test_time
#define FIRST "delivery.first_contact"
typedef fu_test_planner fx;

static void open_fx(fx *f, const char *customers, const char *events, const char *agents) {
    int rc = fu_test_planner_open(f, customers, events, agents);
    cr_assert_eq(rc, FU_OK, "%s", fu_error_last()->message);
}

static void plan(fx *f, const char *now, int64_t horizon) {
    fu_plan_free(f->plan);
    f->plan = NULL;
    cr_assert_eq(fu_planner_plan(f->pl, T(now), horizon, &f->plan), FU_OK, "%s", fu_error_last()->message);
}

/* The touchpoint of `rule` for customer `id` in any status, NULL when none. */
static const fu_touchpoint *any_status(const fu_plan *p, const char *id, const char *rule) {
    for (int s = 0; s < FU_TOUCHPOINT_STATUS_COUNT; s++) {
        const fu_touchpoint *t = fu_test_find_touchpoint(p, (fu_touchpoint_status)s, id, rule);
        if (t) return t;
    }
    return NULL;
}

static const char C2[] = "customer_id,tz\nC2,Asia/Shanghai\n";
static const char NATIONAL_DAY[] = "customer_id,at,kind,order_id,product_class\n"
                                   "C2,2026-10-02T10:00:00+08:00,delivery,O2,mid_price\n";

/* ---------------------------------------------------------------- F15 */

/* Daily runs (horizon 1 day) over National Day: the first contact's window
 * (10-02 10:00 .. 10-04 10:00) is all holiday. Every run from 10-05 on, its
 * window gone, still has it: after the horizon until 10-07, planned at the
 * first allowed instant Thu 10-08 08:00 by the 10-08 run, overdue. The old
 * planner reported "0 touchpoints due" from 10-05 on. */
Test(review_s7, holiday_late_contact_stays_due_in_daily_runs) {
    fx f;
    open_fx(&f, C2, NATIONAL_DAY, NULL);
    static const char *const days[] = {"2026-10-05T00:00:00+08:00", "2026-10-06T00:00:00+08:00",
                                       "2026-10-07T00:00:00+08:00"};
    for (size_t i = 0; i < 3; i++) {
        plan(&f, days[i], 86400);
        const fu_touchpoint *t = fu_test_find_touchpoint(f.plan, FU_TOUCHPOINT_LATER, "C2", FIRST);
        cr_assert(t, "%s: the first contact is still due", days[i]);
        cr_expect_eq(t->best_at, T("2026-10-08T08:00:00+08:00"), "%s", days[i]);
        cr_expect_eq(t->due_from, T(days[i]), "due from now");
        cr_expect(strstr(t->reason, "overdue"), "%s", t->reason);
        if (i < 2) /* due for 48 h from now: 10-08 08:00 is after that until the 10-07 run */
            cr_expect(strstr(t->reason, "late: holidays close the window"), "%s", t->reason);
    }
    plan(&f, "2026-10-08T00:00:00+08:00", 86400);
    const fu_touchpoint *t = fu_test_find_touchpoint(f.plan, FU_TOUCHPOINT_PLANNED, "C2", FIRST);
    cr_assert(t, "planned by the 10-08 run");
    cr_expect_eq(t->best_at, T("2026-10-08T08:00:00+08:00"));
    cr_expect(strstr(t->reason, "overdue: its window passed without a contact, due from now"), "%s", t->reason);
    fu_test_planner_free(&f);
}

/* The late contact made (an answered call on 10-08 09:00): no later run plans
 * it again; without it, 62 days after the window (10-04 10:00 + 62 d =
 * 12-05 10:00) it is no longer due. */
Test(review_s7, late_contact_made_or_too_old_is_not_due) {
    fx f;
    const char *made = "customer_id,at,kind,order_id,product_class,channel,outcome\n"
                       "C2,2026-10-02T10:00:00+08:00,delivery,O2,mid_price,,\n"
                       "C2,2026-10-08T09:00:00+08:00,contact,,,phone,answered\n";
    open_fx(&f, C2, made, NULL);
    plan(&f, "2026-10-09T00:00:00+08:00", 86400);
    cr_expect_null(any_status(f.plan, "C2", FIRST), "made on 10-08: not due again");
    fu_test_planner_free(&f);

    open_fx(&f, C2, NATIONAL_DAY, NULL);
    plan(&f, "2026-12-05T09:00:00+08:00", 86400);
    cr_expect(any_status(f.plan, "C2", FIRST), "61 days after the window: still due");
    plan(&f, "2026-12-05T11:00:00+08:00", 86400);
    cr_expect_null(any_status(f.plan, "C2", FIRST), "more than 62 days after the window");
    fu_test_planner_free(&f);
}

/* A window that no holiday closed and that passed without a contact: not
 * brought back before review s8 F14; now still due, overdue, from now for
 * its 48 h, like a late one (nothing tells a window no run met from one
 * nobody called in). Delivery Mon 2026-11-02 10:00 (first contact due by
 * 11-04 10:00), run Tue 11-10 00:00: planned at 08:00. */
Test(review_s7, ordinary_missed_window_is_overdue) {
    fx f;
    open_fx(&f, C2,
            "customer_id,at,kind,order_id,product_class\n"
            "C2,2026-11-02T10:00:00+08:00,delivery,O2,mid_price\n",
            NULL);
    plan(&f, "2026-11-10T00:00:00+08:00", 86400);
    const fu_touchpoint *t = fu_test_find_touchpoint(f.plan, FU_TOUCHPOINT_PLANNED, "C2", FIRST);
    cr_assert(t, "the missed first contact is still due");
    cr_expect_eq(t->due_from, T("2026-11-10T00:00:00+08:00"));
    cr_expect_eq(t->best_at, T("2026-11-10T08:00:00+08:00"));
    cr_expect(strstr(t->reason, "overdue: its window passed without a contact, due from now"), "%s", t->reason);
    fu_test_planner_free(&f);
}

/* With an agent on shift every day 09:00-18:00: the holiday-late contact
 * (first allowed instant Thu 10-08 08:00) goes to A1 at 09:00, still late by
 * the holidays (status_rule the holiday rule), not deferred by agents.shift. */
Test(review_s7, holiday_late_contact_moves_to_the_first_agent_instant) {
    fx f;
    open_fx(&f, C2, NATIONAL_DAY, "agent_id,shift,tz\nA1,Mon-Sun 09:00-18:00,Asia/Shanghai\n");
    plan(&f, "2026-10-02T12:00:00+08:00", 10 * 86400);
    cr_expect_null(fu_test_find_touchpoint(f.plan, FU_TOUCHPOINT_DEFERRED, "C2", FIRST));
    const fu_touchpoint *t = fu_test_find_touchpoint(f.plan, FU_TOUCHPOINT_PLANNED, "C2", FIRST);
    cr_assert(t, "planned, not deferred");
    cr_expect_eq(t->best_at, T("2026-10-08T09:00:00+08:00"));
    cr_expect_str_eq(t->agent, "A1");
    cr_expect_str_eq(t->status_rule, "calendars.cn.holidays");
    cr_expect(strstr(t->reason, "moved to the first instant an agent may call"), "%s", t->reason);
    fu_test_planner_free(&f);
}

/* n customers K001.. delivered at `at` (text of the customers and events CSV). */
static void deliveries(int n, const char *at, char **c, char **e) {
    size_t cap = 128 + (size_t)n * 96;
    *c = malloc(cap);
    *e = malloc(cap);
    cr_assert(*c && *e);
    size_t lc = (size_t)snprintf(*c, cap, "customer_id,tz\n");
    size_t le = (size_t)snprintf(*e, cap, "customer_id,at,kind,order_id,product_class\n");
    for (int i = 1; i <= n; i++) {
        lc += (size_t)snprintf(*c + lc, cap - lc, "K%03d,Asia/Shanghai\n", i);
        le += (size_t)snprintf(*e + le, cap - le, "K%03d,%s,delivery,O%d,mid_price\n", i, at, i);
    }
    cr_assert(lc < cap && le < cap);
}

/* Agent capacity: three deliveries Mon 11-23 08:00 whose 48 h windows
 * passed without a contact (the agent was full). With agents the run of
 * Thu 11-26 08:00 still plans them (overdue); without agents too since
 * review s8 F14 (any missed window stays due; before: 0 due). */
Test(review_s7, capacity_late_contacts_stay_due_with_agents) {
    char *c, *e;
    deliveries(3, "2026-11-23T08:00:00+08:00", &c, &e);
    fx f;
    open_fx(&f, c, e, "agent_id,shift,tz,calls_per_day\nA1,Mon-Fri 09:00-18:00,Asia/Shanghai,9\n");
    plan(&f, "2026-11-26T08:00:00+08:00", 86400);
    size_t n = 0;
    const fu_touchpoint *tp = fu_plan_touchpoints(f.plan, FU_TOUCHPOINT_PLANNED, &n);
    cr_expect_eq(n, 3);
    for (size_t i = 0; i < n; i++) {
        cr_expect_str_eq(tp[i].agent, "A1");
        cr_expect(strstr(tp[i].reason, "overdue"), "%s", tp[i].reason);
    }
    fu_test_planner_free(&f);
    open_fx(&f, c, e, NULL);
    plan(&f, "2026-11-26T08:00:00+08:00", 86400);
    fu_plan_stats st;
    fu_plan_get_stats(f.plan, &st);
    cr_expect_eq(st.due, 3);
    cr_expect_eq(st.planned, 3);
    fu_test_planner_free(&f);
    free(c);
    free(e);
}

/* ---------------------------------------------------------------- F2 */

/* One agent, calls_per_day 9, Mon-Fri 09:00-18:00; 30 deliveries Mon 11-23
 * 08:00 (window to Wed 11-25 08:00), planned for 3 days. The team hours
 * (09:00-12:00, 13:30-18:00) leave 450 minutes: ceil(9 x 60 / 450) = 2 calls
 * an hour, so 9 calls a day (the old limit from the 540-minute shift, 1 an
 * hour, gave 8). The 12 that wait for Wed are late by capacity. */
Test(review_s7, calls_per_day_is_reached_within_the_team_hours) {
    char *c, *e;
    deliveries(30, "2026-11-23T08:00:00+08:00", &c, &e);
    fx f;
    open_fx(&f, c, e, "agent_id,shift,tz,calls_per_day\nA1,Mon-Fri 09:00-18:00,Asia/Shanghai,9\n");
    plan(&f, "2026-11-23T08:00:00+08:00", 3 * 86400);
    size_t n = 0, per_day[3] = {0}, late = 0;
    const fu_touchpoint *tp = fu_plan_touchpoints(f.plan, FU_TOUCHPOINT_PLANNED, &n);
    int64_t d0 = T("2026-11-23T00:00:00+08:00");
    for (size_t i = 0; i < n; i++) {
        int64_t d = (tp[i].best_at - d0) / 86400;
        cr_assert(d >= 0 && d < 3);
        per_day[d]++;
        if (tp[i].best_at > tp[i].due_to) {
            late++;
            cr_expect_str_eq(tp[i].status_rule, "agents.calls_per_day");
            cr_expect(strstr(tp[i].reason, "late: no agent has a call left within the window (agents.calls_per_day)"),
                      "%s", tp[i].reason);
        }
    }
    cr_expect_eq(per_day[0], 9);
    cr_expect_eq(per_day[1], 9);
    cr_expect_eq(per_day[2], 9);
    cr_expect_eq(late, 9, "Wed's 9 calls are after the window (Wed 08:00)");
    fu_test_planner_free(&f);
    free(c);
    free(e);
}

/* The default agent (no calls_per_day: capacity.calls_per_agent_day.max 200)
 * makes 200 calls on Mon 11-23 (the old limit ceil(200 x 60 / 540) = 23 an
 * hour over 8 usable hours gave 184). */
Test(review_s7, default_agent_makes_its_200_calls) {
    char *c, *e;
    deliveries(300, "2026-11-23T08:00:00+08:00", &c, &e);
    fx f;
    open_fx(&f, c, e, "agent_id,shift,tz\nA1,Mon-Fri 09:00-18:00,Asia/Shanghai\n");
    plan(&f, "2026-11-23T08:00:00+08:00", 86400);
    size_t n = 0;
    fu_plan_touchpoints(f.plan, FU_TOUCHPOINT_PLANNED, &n);
    cr_expect_eq(n, 200);
    fu_test_planner_free(&f);
    free(c);
    free(e);
}

/* ---------------------------------------------------------------- F16 */

/* Agents without `tz`: shifts 09:00-18:00 UTC meet the team hours (Beijing)
 * 17:00-18:00 local, 60 minutes; 40 calls take 40 x 450 / 200 = 90 minutes
 * at the policy's pace. Named by fu_planner_short_agents(); with the tz, none. */
Test(review_s7, agents_without_tz_are_named) {
    char *c, *e;
    deliveries(4, "2026-11-23T08:00:00+08:00", &c, &e);
    fx f;
    open_fx(&f, c, e, "agent_id,shift,calls_per_day\nA1,Mon-Fri 09:00-18:00,40\nA2,Mon-Fri 09:00-18:00,40\n");
    size_t k = 9;
    cr_expect_eq(fu_planner_short_agents(f.pl, &k, NULL, NULL, NULL), FU_OK);
    cr_expect_eq(k, 0, "before a plan");
    plan(&f, "2026-11-23T08:00:00+08:00", 86400);
    const char *first = NULL;
    int minutes = 0, need = 0;
    cr_assert_eq(fu_planner_short_agents(f.pl, &k, &first, &minutes, &need), FU_OK);
    cr_expect_eq(k, 2);
    cr_expect_str_eq(first, "A1");
    cr_expect_eq(minutes, 60);
    cr_expect_eq(need, 90);
    fu_test_planner_free(&f);
    open_fx(&f, c, e,
            "agent_id,shift,tz,calls_per_day\nA1,Mon-Fri 09:00-18:00,Asia/Shanghai,40\n"
            "A2,Mon-Fri 09:00-18:00,Asia/Shanghai,\n");
    plan(&f, "2026-11-23T08:00:00+08:00", 86400);
    cr_assert_eq(fu_planner_short_agents(f.pl, &k, &first, NULL, NULL), FU_OK);
    cr_expect_eq(k, 0);
    cr_expect_null(first);
    cr_expect_eq(fu_planner_short_agents(NULL, &k, NULL, NULL, NULL), FU_EINVAL);
    fu_test_planner_free(&f);
    free(c);
    free(e);
}

/* ---------------------------------------------------------------- F1 */

static const char VIP[] = "customer_id,tz,annual_spend\nC1,Asia/Shanghai,600000\n";

/* VIP urgent fault Mon 11-23 09:00, repaired 10:00 (same order): no
 * "unresolved 48 h" escalation, and the urgent fault series' 72 h survey
 * (Thu 11-26 10:00 .. Fri 10:00) is planned, not suppressed by caps.weekly.
 * Without the repair the escalation stays. */
Test(review_s7, repair_resolves_the_fault) {
    static const char head[] = "customer_id,at,kind,order_id,product_class,unit_price,amount,severity\n"
                               "C1,2026-10-20T10:00:00+08:00,purchase,O1,high_price,20000,20000,\n"
                               "C1,2026-11-23T09:00:00+08:00,fault,O1,,,,urgent\n";
    char ev[1024];
    snprintf(ev, sizeof ev, "%sC1,2026-11-23T10:00:00+08:00,repair,O1,,,,urgent\n", head);
    fx f;
    open_fx(&f, VIP, ev, NULL);
    plan(&f, "2026-11-23T10:00:00+08:00", 7 * 86400);
    cr_expect_null(any_status(f.plan, "C1", "fault_escalation"));
    const fu_touchpoint *s = fu_test_find_touchpoint(f.plan, FU_TOUCHPOINT_PLANNED, "C1", "urgent_fault.survey");
    cr_assert(s, "the 72 h survey is planned");
    cr_expect_geq(s->best_at, T("2026-11-26T10:00:00+08:00"));
    cr_expect_leq(s->best_at, T("2026-11-27T10:00:00+08:00"));
    fu_test_planner_free(&f);

    open_fx(&f, VIP, head, NULL);
    plan(&f, "2026-11-23T10:00:00+08:00", 7 * 86400);
    cr_expect(fu_test_find_touchpoint(f.plan, FU_TOUCHPOINT_PLANNED, "C1", "fault_escalation.expert_team"),
              "unrepaired: escalated");
    fu_test_planner_free(&f);
}
