/* Planner regressions from the outside review r3 and the session-10 planner
 * leftovers, on small hand-made books and the built-in policy
 * (lib/data/default_policy.yaml: quiet hours 08:00-21:00 local, none exempt;
 * agents: team hours of calendar cn 09:00-12:00 and 13:30-18:00 Beijing, no
 * weekends, no holidays, [urgent] exempt; a business customer's hours are
 * cn's weekly hours in its own zone; delivery.first_contact high, phone,
 * within 48 h). Expected values worked out by hand.
 * - L6: a business customer whose hours never meet the team's is reported
 *   unplaceable (suppressed, counted), not deferred every day.
 * - L7: the agent step knows a call-back at a named time by a flag of the
 *   planned contact, not by its reason text. */
#include "fu_test.h"
#include "planner_internal.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#define T fu_test_time

typedef fu_test_planner fx;

#define open_fx(f, customers, events) fu_test_planner_open_ok(f, customers, events)
#define plan(f, now, horizon) fu_test_planner_plan_at(f, now, horizon)

#define for_agents(f, agents) fu_test_planner_for_agents(f, agents)
#define stats(p) fu_test_plan_stats(p)

/* ---------------------------------------------------------------- L6 */

/* N1 and N2 (industry, New York, UTC-5 until 03-08) and P (private, New
 * York): deliveries Mon 2026-03-02 10:00 New York. The team's hours are
 * 20:00-23:00 and 00:30-05:00 New York time, never within the companies'
 * 09:00-12:00/13:30-18:00 New York: no instant in the window nor in the 62
 * days after it. Their first contacts are suppressed as unplaceable
 * (status_rule calendars.hours), counted: 2 contacts of 2 customers; before,
 * deferred (and deferred again by every daily run), counted nowhere else. P
 * is called at 20:00 New York (Beijing 09:00 Tue), inside its quiet hours.
 * With a named agent in Beijing (Mon-Fri 09:00-18:00) the same. */
static const char L6_C[] = "customer_id,tz,industry\nN1,America/New_York,education\nN2,America/New_York,retail\n"
                           "P,America/New_York,\n";
static const char L6_E[] = "customer_id,at,kind,order_id\n"
                           "N1,2026-03-02T10:00:00-05:00,delivery,O1\n"
                           "N2,2026-03-02T10:00:00-05:00,delivery,O2\n"
                           "P,2026-03-02T10:00:00-05:00,delivery,O3\n";

static void expect_unplaceable(const fu_plan *p) {
    for (int k = 0; k < 2; k++) {
        const char *id = k ? "N2" : "N1";
        const fu_touchpoint *t = fu_test_find_touchpoint(p, FU_TOUCHPOINT_SUPPRESSED, id, "delivery.first_contact");
        cr_assert(t, "%s", id);
        cr_expect_str_eq(t->status_rule, "calendars.hours", "%s", t->reason);
        cr_expect(strstr(t->reason, "unplaceable, suppressed by calendars.hours: no agent may call within the "
                                    "window or 62 days after it"),
                  "%s", t->reason);
        cr_expect_null(fu_test_find_touchpoint(p, FU_TOUCHPOINT_DEFERRED, id, "delivery.first_contact"));
    }
    const fu_touchpoint *tp = fu_test_find_touchpoint(p, FU_TOUCHPOINT_PLANNED, "P", "delivery.first_contact");
    cr_assert(tp);
    cr_expect_eq(tp->best_at, T("2026-03-02T20:00:00-05:00"), "%s", tp->reason);
    fu_plan_stats st = stats(p);
    cr_expect_eq(st.unplaceable, 2);
    cr_expect_eq(st.unplaceable_customers, 2);
    cr_expect_eq(st.deferred, 0);
    cr_expect_eq(st.suppressed, 2);
    cr_expect_eq(st.due, st.planned + st.merged + st.suppressed + st.deferred + st.later + st.done);
}

Test(review_r3, business_hours_abroad_that_never_meet_the_team_are_unplaceable) {
    fx f;
    open_fx(&f, L6_C, L6_E);
    plan(&f, "2026-03-02T10:00:00-05:00", 3 * DAY);
    cr_expect_eq(stats(f.plan).unplaceable, 0); /* no agents: nobody's hours to meet */
    for_agents(&f, 3);
    plan(&f, "2026-03-02T10:00:00-05:00", 3 * DAY);
    expect_unplaceable(f.plan);
    /* the next daily run says the same, it does not defer them again */
    plan(&f, "2026-03-03T10:00:00-05:00", DAY);
    cr_expect_eq(stats(f.plan).unplaceable, 2);
    cr_expect_eq(stats(f.plan).deferred, 0);
    fu_test_planner_free(&f);
    cr_assert_eq(fu_test_planner_open(&f, L6_C, L6_E,
                                      "agent_id,tz,shift,calls_per_day\nA1,Asia/Shanghai,Mon-Fri 09:00-18:00,40\n"),
                 FU_OK, "%s", fu_error_last()->message);
    plan(&f, "2026-03-02T10:00:00-05:00", 3 * DAY);
    expect_unplaceable(f.plan);
    fu_test_planner_free(&f);
}

/* ---------------------------------------------------------------- L7 */

/* B (industry, Berlin, UTC+1) asked on Tue 12-15 10:00 Berlin to be called
 * back at 11:30 (18:30 Beijing: the team has closed). A1 (Berlin, Mon-Fri
 * 08:00-17:00) next may call Wed 08:00 Berlin (15:00 Beijing). A call-back at
 * a time the customer named skips business hours (review r2 M5), so 08:00,
 * not 09:00 (B's hours open). The agent step knew it from the reason text
 * ", at the requested time)": a reason translated or edited between planning
 * and the agent step lost it (09:00). Now a flag of the planned contact. */
static const char L7_C[] = "customer_id,tz,first_purchase_at,industry\n"
                           "B,Europe/Berlin,2024-01-10T10:00:00+01:00,manufacturing\n";
static const char L7_E[] = "customer_id,at,kind,order_id,channel,outcome,note\n"
                           "B,2026-12-14T10:00:00+01:00,delivery,O1,,,\n"
                           "B,2026-12-15T10:00:00+01:00,contact,O1,phone,callback_requested,2026-12-15T11:30:00+01:00\n";
static const char L7_A[] = "agent_id,tz,shift,calls_per_day\nA1,Europe/Berlin,Mon-Fri 08:00-17:00,20\n";

static const fu_touchpoint *callback_of(const fu_plan *p) {
    size_t n = 0;
    const fu_touchpoint *t = fu_plan_touchpoints(p, FU_TOUCHPOINT_PLANNED, &n);
    cr_assert_eq(n, 1);
    return t;
}

Test(review_r3, timed_call_back_is_known_by_its_flag_not_its_reason) {
    fx f;
    cr_assert_eq(fu_test_planner_open(&f, L7_C, L7_E, L7_A), FU_OK, "%s", fu_error_last()->message);
    plan(&f, "2026-12-15T10:05:00+01:00", 2 * DAY);
    const fu_touchpoint *t = callback_of(f.plan);
    cr_expect(strstr(t->reason, "at the requested time"), "%s", t->reason);
    cr_expect_eq(t->best_at, T("2026-12-16T08:00:00+01:00"), "%s", t->reason);
    cr_expect_str_eq(t->agent, "A1");
    /* the same plan with the reason reworded before the agent step */
    int64_t now = T("2026-12-15T10:05:00+01:00");
    fu_plan *p = NULL;
    cr_assert_eq(fu__pl_plan_range(f.pl, 0, fu_book_customer_count(f.book), now, 2 * DAY, 1, &p), FU_OK);
    fu_touchpoint *w = (fu_touchpoint *)callback_of(p);
    cr_expect_eq(w->best_at, T("2026-12-15T11:30:00+01:00"), "%s", w->reason);
    w->reason = "回拨: 客户约定的时间 (redial.callback_requested)";
    cr_assert_eq(fu__plan_assign_agents(f.pl, p, now, now + 2 * DAY), FU_OK);
    w = (fu_touchpoint *)callback_of(p);
    cr_expect_eq(w->best_at, T("2026-12-16T08:00:00+01:00"), "%s", w->reason);
    fu_plan_free(p);
    fu_test_planner_free(&f);
}

/* ---------------------------------------------------------------- the agent step: holidays and caps */

static void open_policy(fx *f, const char *yaml, const char *customers, const char *events, const char *agents) {
    memset(f, 0, sizeof *f);
    f->policy = fu_test_policy(yaml);
    f->book = fu_test_book(customers, events);
    cr_assert_eq(fu_book_finalize(f->book), FU_OK);
    cr_assert_eq(fu_planner_new(&f->pl, f->policy, f->book, NULL), FU_OK, "%s", fu_error_last()->message);
    if (agents)
        cr_assert_eq(fu_planner_set_agents(f->pl, agents, strlen(agents), "agents"), FU_OK, "%s",
                     fu_error_last()->message);
}

/* A team that works on public holidays (agents.holidays: true) does not
 * make the customer's calls on them: H (Shanghai) gets a delivery on Wed
 * 2026-09-30 20:00, first contact (high) due until 10-02 20:00, placed at
 * 20:00 (quiet hours until 21:00, not yet National Day, 10-01..10-07). The
 * team has closed; its next hours are 10-01 09:00, a public holiday of the
 * customer's country, which quiet_hours.on_holidays ([urgent]) does not open
 * for a high contact. Made late at Thu 10-08 09:00 (after the one-day
 * horizon: later), status_rule calendars.cn.holidays; before, the agent
 * step moved it onto 10-01 09:00. Agents as a number and named alike. */
Test(review_r3, the_agent_step_keeps_the_customers_holidays) {
    static const char Y[] = "extends: builtin\nagents:\n  holidays: true\n";
    static const char C[] = "customer_id,tz\nH,Asia/Shanghai\n";
    static const char E[] = "customer_id,at,kind,order_id\nH,2026-09-30T20:00:00+08:00,delivery,O1\n";
    for (int named = 0; named < 2; named++) {
        fx f;
        open_policy(&f, Y, C, E, named ? "agent_id,tz,shift\nA1,Asia/Shanghai,Mon-Sun 09:00-18:00\n" : NULL);
        if (!named) {
            fu_planner_options o = FU_PLANNER_OPTIONS_INIT;
            o.agents = 3;
            fu_planner_free(f.pl);
            cr_assert_eq(fu_planner_new(&f.pl, f.policy, f.book, &o), FU_OK);
        }
        plan(&f, "2026-09-30T20:00:00+08:00", DAY);
        cr_expect_null(fu_test_find_touchpoint(f.plan, FU_TOUCHPOINT_PLANNED, "H", "delivery.first_contact"), "%d",
                       named);
        const fu_touchpoint *t = fu_test_find_touchpoint(f.plan, FU_TOUCHPOINT_LATER, "H", "delivery.first_contact");
        cr_assert(t, "%d", named);
        cr_expect_eq(t->best_at, T("2026-10-08T09:00:00+08:00"), "%d: %s", named, t->reason);
        cr_expect_str_eq(t->status_rule, "calendars.cn.holidays", "%d: %s", named, t->reason);
        fu_test_planner_free(&f);
    }
}

/* The agent step keeps caps.min_gap (24 h) with the customer's other
 * planned contacts: K (Singapore, no policy calendar) gets a delivery on
 * National Day, 10-01 10:00: first contact due until 10-03 10:00, second
 * contact [10-08 10:00, 10-16 10:00], planned at 10-08 10:00 (the team's
 * first hour free of holidays is 10-08 09:00). The first contact, which the
 * team's holidays (agents.holidays) make late, cannot go to 10-08 09:00, one
 * hour before the second call: it goes to 10-09 10:00, the reason naming the
 * cap. Before, both calls were made on 10-08, at 09:00 and 10:00. Agents as
 * a number and named alike (tests/test_planner_who.c has the named case). */
Test(review_r3, the_agent_step_keeps_the_caps) {
    static const char C[] = "customer_id,tz\nK,Asia/Singapore\n";
    static const char E[] = "customer_id,at,kind,order_id\nK,2026-10-01T10:00:00+08:00,delivery,O1\n";
    fx f;
    open_fx(&f, C, E);
    for_agents(&f, 3);
    plan(&f, "2026-10-01T10:00:00+08:00", 10 * DAY);
    const fu_touchpoint *t1 = fu_test_find_touchpoint(f.plan, FU_TOUCHPOINT_PLANNED, "K", "delivery.first_contact");
    const fu_touchpoint *t2 = fu_test_find_touchpoint(f.plan, FU_TOUCHPOINT_PLANNED, "K", "delivery.second_contact");
    cr_assert(t1 && t2);
    cr_expect_eq(t2->best_at, T("2026-10-08T10:00:00+08:00"), "%s", t2->reason);
    cr_expect_eq(t1->best_at, T("2026-10-09T10:00:00+08:00"), "%s", t1->reason);
    cr_expect_str_eq(t1->status_rule, "agents.holidays", "%s", t1->reason);
    cr_expect(strstr(t1->reason, "; held back by caps.min_gap"), "%s", t1->reason);
    fu_test_planner_free(&f);
}

/* ---------------------------------------------------------------- review s10 H2 */

/* Capacity is not "unplaceable": A1 (Shanghai, Mon-Fri 09:00-18:00, one call
 * a day) and 60 urgent faults (F01..F60, Shanghai, Fri 2026-03-06 19:30),
 * whose escalations take A1's days ahead of everything else. X (retail,
 * Shanghai: business hours 09:00-12:00/13:30-18:00, which meet A1's) gets a
 * delivery at the same time: its first contact (high, until Sun 03-08 19:30)
 * is already late when the agent step comes to it (business hours close the
 * weekend), so only the search after the window runs, and finds A1 full on
 * every one of the 62 days. Deferred for the agents' capacity (status_rule
 * agents.calls_per_day), counted nowhere as unplaceable; before, it was
 * suppressed as "unplaceable ... the agents' hours never meet the
 * customer's" because only the window's search was asked whether an agent
 * was full (it never ran). The New York case above stays unplaceable. */
Test(review_s10, agents_full_after_the_window_defer_not_unplaceable) {
    char c[4096] = "customer_id,tz,industry\n", e[8192] = "customer_id,at,kind,order_id\n";
    size_t nc = strlen(c), ne = strlen(e);
    for (int i = 1; i <= 60; i++) {
        nc += (size_t)snprintf(c + nc, sizeof c - nc, "F%02d,Asia/Shanghai,\n", i);
        ne += (size_t)snprintf(e + ne, sizeof e - ne, "F%02d,2026-03-06T19:30:00+08:00,fault,OF%02d\n", i, i);
    }
    snprintf(c + nc, sizeof c - nc, "X,Asia/Shanghai,retail\n");
    snprintf(e + ne, sizeof e - ne, "X,2026-03-06T19:30:00+08:00,delivery,OX\n");
    fx f;
    cr_assert_eq(fu_test_planner_open(&f, c, e, "agent_id,tz,shift,calls_per_day\nA1,Asia/Shanghai,Mon-Fri 09:00-18:00,1\n"),
                 FU_OK, "%s", fu_error_last()->message);
    plan(&f, "2026-03-06T20:00:00+08:00", 120 * DAY);
    const fu_touchpoint *t = fu_test_find_touchpoint(f.plan, FU_TOUCHPOINT_DEFERRED, "X", "delivery.first_contact");
    cr_assert(t);
    cr_expect_str_eq(t->status_rule, "agents.calls_per_day", "%s", t->reason);
    cr_expect_null(strstr(t->reason, "unplaceable"), "%s", t->reason);
    cr_expect_null(fu_test_find_touchpoint(f.plan, FU_TOUCHPOINT_SUPPRESSED, "X", "delivery.first_contact"));
    fu_plan_stats st = stats(f.plan);
    cr_expect_eq(st.unplaceable, 0);
    cr_expect_eq(st.unplaceable_customers, 0);
    cr_expect_eq(st.suppressed, 0);
    cr_expect_eq(st.due, st.planned + st.merged + st.suppressed + st.deferred + st.later + st.done);
    fu_test_planner_free(&f);
}

/* ---------------------------------------------------------------- review s10 M3 */

/* A step served early by the urgent call of its order must not be left in
 * a group whose window closes before its own opens. N (Shanghai; quiet
 * hours until 08:00) at Fri 2026-03-06 06:00, two days: the complaint about
 * O1 (03-05 07:00) is acknowledged in [03-05 07:00, 03-06 07:00]; the fault
 * of O1 (03-04 06:30, unresolved) escalates to the expert team in
 * [03-06 06:30, 03-07 06:30], first allowed 08:00; the complaint's
 * escalation, [03-07 07:00, 03-08 07:00], is within caps.min_gap of that
 * 08:00 and opens there for the merge (serve_early()); an urgent repair of
 * O3 (03-06 05:45) is checked in [05:45, 07:45] and [07:45, 03-07 05:45].
 * The acknowledgement, the first check and the fault's escalation are one
 * contact (their windows close before 08:00: made late at 08:00). The early
 * complaint escalation was not in it (it opens at 08:00, after 07:00), but
 * joined the second check's group, closing 03-07 05:45, without its anchor:
 * restored to 03-07 07:00, that group started after its end, and the
 * contact, two urgent calls, was suppressed with no rule. Now it leaves
 * that group: the second check is made at 03-06 08:00, the escalation at
 * 03-07 08:00, nothing suppressed. */
Test(review_s10, an_early_step_without_its_anchor_keeps_a_valid_group) {
    static const char C[] = "customer_id,tz\nN,Asia/Shanghai\n";
    static const char E[] = "customer_id,at,kind,order_id,severity,channel,outcome,priority\n"
                            "N,2026-03-04T06:30:00+08:00,fault,O1,normal,,,\n"
                            "N,2026-03-04T07:00:00+08:00,contact,O1,,phone,answered,high\n"
                            "N,2026-03-05T07:00:00+08:00,complaint,O1,normal,,,\n"
                            "N,2026-03-06T05:45:00+08:00,repair,O3,urgent,,,\n";
    fx f;
    open_fx(&f, C, E);
    plan(&f, "2026-03-06T06:00:00+08:00", 2 * DAY);
    for (int s = 0; s < FU_TOUCHPOINT_STATUS_COUNT; s++) {
        size_t n = 0;
        const fu_touchpoint *t = fu_plan_touchpoints(f.plan, (fu_touchpoint_status)s, &n);
        for (size_t i = 0; i < n; i++)
            cr_expect_leq(t[i].due_from, t[i].due_to, "%s: %s", t[i].rule, t[i].reason);
    }
    const fu_touchpoint *t = fu_test_find_touchpoint(f.plan, FU_TOUCHPOINT_PLANNED, "N", "complaint_escalation");
    cr_assert(t);
    cr_expect_eq(t->best_at, T("2026-03-07T08:00:00+08:00"), "%s", t->reason);
    cr_expect_eq(t->due_from, T("2026-03-07T07:00:00+08:00"), "%s", t->reason);
    t = fu_test_find_touchpoint(f.plan, FU_TOUCHPOINT_PLANNED, "N", "urgent_fault.second_check");
    cr_assert(t);
    cr_expect_eq(t->best_at, T("2026-03-06T08:00:00+08:00"), "%s", t->reason);
    t = fu_test_find_touchpoint(f.plan, FU_TOUCHPOINT_PLANNED, "N", "fault_escalation");
    cr_assert(t);
    cr_expect_eq(t->best_at, T("2026-03-06T08:00:00+08:00"), "%s", t->reason);
    cr_expect(strstr(t->rule, "complaint.immediate") && strstr(t->rule, "urgent_fault.first_check"), "%s", t->rule);
    fu_plan_stats st = stats(f.plan);
    cr_expect_eq(st.suppressed, 0);
    cr_expect_eq(st.planned, 3);
    fu_test_planner_free(&f);
}
