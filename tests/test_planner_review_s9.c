/* Planner regressions from the outside review of session 9 and the issue-18
 * acceptance audit, on small hand-made books and the built-in policy
 * (lib/data/default_policy.yaml: quiet hours 08:00-21:00 local, none exempt;
 * agents: team hours of calendar cn 09:00-12:00 and 13:30-18:00 Beijing, no
 * weekends, no holidays, [urgent] exempt; delivery.first_contact high, phone,
 * within 48 h). Expected values worked out by hand; 2026-03-02 is a Monday.
 * - F4: an overdue urgent check and the next check of one repair, planned by
 *   the nightly run, are one call (they were two calls at 08:00).
 * - Issue 18 audit: a plan for agents given as a number keeps the policy's
 *   `agents` rules (calls were planned at 00:00, 12:00, 18:00 Beijing). */
#include "fu_test.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#define T fu_test_time
#define DAY 86400
typedef fu_test_planner fx;

#define open_fx(f, customers, events) fu_test_planner_open_ok(f, customers, events)
#define plan(f, now, horizon) fu_test_planner_plan_at(f, now, horizon)

#define for_agents(f, agents) fu_test_planner_for_agents(f, agents)
#define stats(p) fu_test_plan_stats(p)

/* ---------------------------------------------------------------- F4 */

/* An urgent repair on Mon 11-23 09:10 (+08:00), no contact since. The
 * urgent_fault cadence: first_check within 2 h (window passed: overdue, due
 * from now [00:00, 02:00], quiet hours: made late at 08:00), second_check
 * [11-23 11:10, 11-24 09:10] (first allowed instant 08:00). Both alone at
 * 08:00: one urgent call at 08:00 carrying both. Main planned two calls at
 * 08:00 (the windows' intersection, 00:00-02:00, is quiet hours). */
Test(review_s9, nightly_overdue_check_and_next_check_are_one_call) {
    fx f;
    open_fx(&f, "customer_id,tz,annual_spend\nC2,Asia/Shanghai,45000\n",
            "customer_id,at,kind,order_id,severity\nC2,2026-11-23T09:10:00+08:00,repair,RO-12,urgent\n");
    plan(&f, "2026-11-24T00:00:00+08:00", DAY);
    size_t n = 0;
    const fu_touchpoint *t = fu_plan_touchpoints(f.plan, FU_TOUCHPOINT_PLANNED, &n);
    cr_assert_eq(n, 1);
    cr_expect_eq(t->purposes, 2, "%s", t->reason);
    cr_expect_eq(t->best_at, T("2026-11-24T08:00:00+08:00"));
    cr_expect_eq(t->priority, FU_PRIORITY_URGENT);
    fu_plan_stats st = stats(f.plan);
    cr_expect_eq(st.due, 2);
    cr_expect_eq(st.merged, 1);
    fu_test_planner_free(&f);
}

/* ---------------------------------------------------------------- agents as a number */

/* Deliveries (first_contact high, phone, within 48 h; second_contact due
 * later): B1 Mon 03-02 07:00 Beijing, planned at 07:00: first allowed
 * instant 08:00 (quiet hours), the team starts at 09:00. B2 Mon 12:10: lunch
 * until 13:30. B3 Sat 03-07 10:00, window to Mon 03-09 10:00: no weekends,
 * Mon 09:00. B4 in Berlin (UTC+1), delivery Mon 03-02 19:00 Berlin = Tue
 * 02:00 Beijing, window to Wed 19:00 Berlin: Berlin may be called 08:00-21:00
 * (Beijing 15:00-04:00), the team 13:30-18:00 Beijing: first both allow, Tue
 * 15:00 Beijing = 08:00 Berlin. Without agents (no agent rules): 08:00,
 * 12:10, Sat 10:00, Tue 02:00 Beijing (19:00 Berlin). */
Test(review_s9, numeric_agents_keep_the_team_hours) {
    static const char C[] = "customer_id,tz\nB1,Asia/Shanghai\nB2,Asia/Shanghai\nB3,Asia/Shanghai\n"
                            "B4,Europe/Berlin\n";
    static const char E[] = "customer_id,at,kind,order_id\n"
                            "B1,2026-03-02T07:00:00+08:00,delivery,O1\n"
                            "B2,2026-03-02T12:10:00+08:00,delivery,O2\n"
                            "B3,2026-03-07T10:00:00+08:00,delivery,O3\n"
                            "B4,2026-03-02T19:00:00+01:00,delivery,O4\n";
    static const char *const who[] = {"B1", "B2", "B3", "B4"};
    static const char *const now[] = {"2026-03-02T07:00:00+08:00", "2026-03-02T12:10:00+08:00",
                                      "2026-03-07T10:00:00+08:00", "2026-03-02T19:00:00+01:00"};
    static const char *const plain[] = {"2026-03-02T08:00:00+08:00", "2026-03-02T12:10:00+08:00",
                                        "2026-03-07T10:00:00+08:00", "2026-03-03T02:00:00+08:00"};
    static const char *const team[] = {"2026-03-02T09:00:00+08:00", "2026-03-02T13:30:00+08:00",
                                       "2026-03-09T09:00:00+08:00", "2026-03-03T15:00:00+08:00"};
    fx f;
    open_fx(&f, C, E);
    for (int k = 0; k < 2; k++) {
        if (k) for_agents(&f, 3);
        for (int i = 0; i < 4; i++) {
            plan(&f, now[i], 3 * DAY);
            const fu_touchpoint *t =
                fu_test_find_touchpoint(f.plan, FU_TOUCHPOINT_PLANNED, who[i], "delivery.first_contact");
            cr_assert(t, "%s %d", who[i], k);
            cr_expect_eq(t->best_at, T(k ? team[i] : plain[i]), "%s %d: %s", who[i], k, t->reason);
            if (k)
                cr_expect(strstr(t->reason, "an agent may call"), "%s: %s", who[i], t->reason);
        }
    }
    fu_test_planner_free(&f);
}

/* Late when the window has no team hour: a consumables-style short window is
 * not in the built-in cadences, so an overdue step due from now serves: B1's
 * delivery of Fri 03-06 20:00 Beijing planned Sat 03-07 00:00, window [Fri
 * 20:00, Sun 03-08 20:00], no weekday in it: late, Mon 03-09 09:00,
 * status_rule agents.weekends. */
Test(review_s9, numeric_agents_late_past_the_weekend) {
    fx f;
    open_fx(&f, "customer_id,tz\nB1,Asia/Shanghai\n",
            "customer_id,at,kind,order_id\nB1,2026-03-06T20:00:00+08:00,delivery,O1\n");
    for_agents(&f, 3);
    plan(&f, "2026-03-07T00:00:00+08:00", 3 * DAY);
    const fu_touchpoint *t = fu_test_find_touchpoint(f.plan, FU_TOUCHPOINT_PLANNED, "B1", "delivery.first_contact");
    cr_assert(t);
    cr_expect_eq(t->best_at, T("2026-03-09T09:00:00+08:00"), "%s", t->reason);
    cr_expect_str_eq(t->status_rule, "agents.weekends");
    cr_expect(strstr(t->reason, "late: no agent may call within the window (agents.weekends)"), "%s", t->reason);
    cr_expect_eq(stats(f.plan).late, 1);
    fu_test_planner_free(&f);
}

/* ---------------------------------------------------------------- F27 */

/* What meets a step: customer A (a 2024 buyer, phone and SMS consent), an
 * urgent repair R1 on Fri 11-20 09:00 Beijing: urgent_fault.first_check
 * (phone, urgent) [09:00, 11:00], second_check [11:00, 11-21 09:00]; the
 * quarterly satisfaction call counts from the last answered contact (long
 * ago: due). Planned 11-21 00:00 for 2 days: the first check is overdue,
 * due from now, and all that is due is one call at 08:00 (quiet hours).
 * One contact at 09:30 in the first check's window:
 * - none: due 3, one call carrying 3;
 * - an SMS (low, no order) or an e-mail: no call, the check is still due
 *   (it was "made" and in no count: due 1): due 2 (the quarterly counts
 *   from the SMS), one call carrying both checks;
 * - an unanswered call about another order O9: neither a meeting nor an
 *   attempt of this step (it was "tried": due 2): due 3, one call of 3;
 * - an answered call about R1: the first check was made (its window has
 *   passed: no longer due), the second (its window opens at 11:00) is not:
 *   due 1, one call of 1;
 * - an unanswered call about R1: the first check was tried in its window,
 *   no call after it (not due); due 2, one call of 2 (the second check and
 *   the quarterly, which an unanswered call does not reset). */
Test(review_s9, what_meets_a_step) {
    static const char C[] = "customer_id,tz,annual_spend,first_purchase_at,consent_phone,consent_sms\n"
                            "A,Asia/Shanghai,5000,2024-01-01T10:00:00+08:00,yes,yes\n";
    static const char *const extra[] = {"",
                                        "A,2026-11-20T09:30:00+08:00,contact,,,sms,,low\n",
                                        "A,2026-11-20T09:30:00+08:00,contact,,,email,,low\n",
                                        "A,2026-11-20T09:30:00+08:00,contact,O9,,phone,no_answer,\n",
                                        "A,2026-11-20T09:30:00+08:00,contact,R1,,phone,answered,\n",
                                        "A,2026-11-20T09:30:00+08:00,contact,R1,,phone,no_answer,\n"};
    static const size_t due[] = {3, 2, 2, 3, 1, 2}, done[] = {0, 0, 0, 0, 0, 0}, purposes[] = {3, 2, 2, 3, 1, 2};
    for (size_t k = 0; k < 6; k++) {
        char e[1024];
        snprintf(e, sizeof e,
                 "customer_id,at,kind,order_id,severity,channel,outcome,priority\n"
                 "A,2024-01-01T10:00:00+08:00,purchase,O0,,,,\n"
                 "A,2026-11-20T09:00:00+08:00,repair,R1,urgent,,,\n%s",
                 extra[k]);
        fx f;
        open_fx(&f, C, e);
        plan(&f, "2026-11-21T00:00:00+08:00", 2 * DAY);
        fu_plan_stats st = stats(f.plan);
        cr_expect_eq(st.due, due[k], "%zu: due %zu", k, st.due);
        cr_expect_eq(st.done, done[k], "%zu: done %zu", k, st.done);
        cr_expect_eq(st.planned, 1, "%zu", k);
        size_t n = 0;
        const fu_touchpoint *t = fu_plan_touchpoints(f.plan, FU_TOUCHPOINT_PLANNED, &n);
        cr_assert_eq(n, 1, "%zu", k);
        cr_expect_eq(t->purposes, purposes[k], "%zu: %s", k, t->rule);
        cr_expect_eq(t->best_at, T("2026-11-21T08:00:00+08:00"), "%zu: %s", k, t->reason);
        cr_expect_eq(t->channel, FU_CHANNEL_PHONE);
        cr_expect_eq(t->priority, FU_PRIORITY_URGENT);
        fu_test_planner_free(&f);
    }
}

/* ---------------------------------------------------------------- F23 */

/* A cap that moves a contact into a suppression period: the period holds it
 * too. S, a small business (is_smb; smb_month_end: the last 3 days of a
 * month, defer): delivery 09-18 10:00 (order O1), its first contact made at
 * 11:00; answered calls 09-21, 09-22, 09-23 10:00. delivery.second_contact
 * (normal) [09-25 10:00, 10-03 10:00]; caps.weekly (3 in 7 d) holds it to
 * 09-28 10:00:01, in the month end (09-28 to 09-30): deferred past it to
 * 10-01 00:00 (window 8 d from there), then National Day (10-01..10-07, no
 * normal contact on holidays): 10-08 09:00 (business hours). Main planned it
 * at 09-28 10:00:01 and the guard denied it. */
Test(review_s9, cap_moves_a_contact_into_the_smb_month_end) {
    fx f;
    open_fx(&f,
            "customer_id,tz,annual_spend,first_purchase_at,is_smb,consent_phone,consent_sms\n"
            "S,Asia/Shanghai,5000,2024-01-01T10:00:00+08:00,yes,yes,yes\n",
            "customer_id,at,kind,order_id,channel,outcome\n"
            "S,2024-01-01T10:00:00+08:00,purchase,O0,,\n"
            "S,2026-09-16T10:00:00+08:00,purchase,O1,,\n"
            "S,2026-09-18T10:00:00+08:00,delivery,O1,,\n"
            "S,2026-09-18T11:00:00+08:00,contact,O1,phone,answered\n"
            "S,2026-09-21T10:00:00+08:00,contact,,phone,answered\n"
            "S,2026-09-22T10:00:00+08:00,contact,,phone,answered\n"
            "S,2026-09-23T10:00:00+08:00,contact,,phone,answered\n");
    plan(&f, "2026-09-25T00:00:00+08:00", 14 * DAY);
    const fu_touchpoint *t = fu_test_find_touchpoint(f.plan, FU_TOUCHPOINT_PLANNED, "S", "delivery.second_contact");
    cr_assert(t);
    /* 09:00, not 08:00: a small business is called in business hours */
    cr_expect_eq(t->best_at, T("2026-10-08T09:00:00+08:00"), "%s", t->reason);
    cr_expect(strstr(t->reason, "suppressions.smb_month_end"), "%s", t->reason);
    fu_test_planner_free(&f);
}

/* E, ecommerce (promotion_blackout: the month before 11-11, skip_routine):
 * delivery 10-02 10:00, first contact at 11:00, answered calls 10-05,
 * 10-06, 10-07 10:00. second_contact [10-09 10:00, 10-17 10:00]; caps.weekly
 * holds it to 10-12 10:00:01, in the blackout (10-11 00:00 to 11-11), which
 * outlasts its window: suppressed, suppressions.promotion_blackout (main
 * planned it at 10-12 10:00:01). */
Test(review_s9, cap_moves_a_contact_into_a_promotion_blackout) {
    fx f;
    open_fx(&f,
            "customer_id,tz,annual_spend,first_purchase_at,industry,consent_phone,consent_sms\n"
            "E,Asia/Shanghai,5000,2024-01-01T10:00:00+08:00,ecommerce,yes,yes\n",
            "customer_id,at,kind,order_id,channel,outcome\n"
            "E,2024-01-01T10:00:00+08:00,purchase,O0,,\n"
            "E,2026-10-02T10:00:00+08:00,delivery,O1,,\n"
            "E,2026-10-02T11:00:00+08:00,contact,O1,phone,answered\n"
            "E,2026-10-05T10:00:00+08:00,contact,,phone,answered\n"
            "E,2026-10-06T10:00:00+08:00,contact,,phone,answered\n"
            "E,2026-10-07T10:00:00+08:00,contact,,phone,answered\n");
    plan(&f, "2026-10-08T00:00:00+08:00", 14 * DAY);
    cr_expect_null(fu_test_find_touchpoint(f.plan, FU_TOUCHPOINT_PLANNED, "E", "delivery.second_contact"));
    const fu_touchpoint *t = fu_test_find_touchpoint(f.plan, FU_TOUCHPOINT_SUPPRESSED, "E", "delivery.second_contact");
    cr_assert(t);
    cr_expect_str_eq(t->status_rule, "suppressions.promotion_blackout");
    fu_test_planner_free(&f);
}

/* ---------------------------------------------------------------- F12 */

/* A fault (09:00) and a complaint (11:00) on 03-04 about order O1, both
 * unresolved: fault_escalation.expert_team [03-06 09:00, 03-07 09:00] and
 * complaint_escalation.expert_team [03-06 11:00, 03-07 11:00], urgent
 * phone. Hourly runs: the 09:00 run plans the fault's escalation at 09:00
 * (the complaint's opens after its horizon); that call about O1 answered,
 * the 11:00 run finds the complaint's escalation served by it (a call about
 * the same order reached within caps.min_gap, 24 h, before its window,
 * after the complaint): done, no second urgent call 2 h later. A daily run
 * at 00:00 makes one call too, at 09:00 carrying both (11:00 before session
 * 10: the fault's escalation waited 2 h for the merge). */
static const char F12_C[] = "customer_id,tz,annual_spend,first_purchase_at,consent_phone,consent_sms\n"
                            "N,Asia/Shanghai,20000,2026-03-02T10:00:00+08:00,yes,yes\n";
#define F12_E                                                                                              \
    "customer_id,at,kind,order_id,unit_price,severity,channel,outcome,priority\n"                          \
    "N,2026-03-02T10:00:00+08:00,purchase,O1,15000,,,,\n"                                                  \
    "N,2026-03-02T16:00:00+08:00,delivery,O1,,,,,\n"                                                       \
    "N,2026-03-03T10:00:00+08:00,installation,O1,,,,,\n"                                                   \
    "N,2026-03-03T15:00:00+08:00,inquiry,O1,,normal,,,\n"                                                  \
    "N,2026-03-04T09:00:00+08:00,fault,O1,,normal,,,\n"                                                    \
    "N,2026-03-04T11:00:00+08:00,complaint,O1,,normal,,,\n"                                                \
    "N,2026-03-02T16:00:00+08:00,contact,O1,,,phone,answered,high\n"                                       \
    "N,2026-03-03T16:00:00+08:00,contact,O1,,,phone,answered,high\n"                                       \
    "N,2026-03-04T11:00:00+08:00,contact,O1,,,phone,answered,urgent\n"

static size_t escalation_calls(const fu_plan *p) {
    size_t n = 0, k = 0;
    const fu_touchpoint *t = fu_plan_touchpoints(p, FU_TOUCHPOINT_PLANNED, &n);
    for (size_t i = 0; i < n; i++) k += strstr(t[i].rule, "escalation.expert_team") != NULL;
    return k;
}

Test(review_s9, hourly_runs_make_one_escalation_call_per_order) {
    fx f;
    open_fx(&f, F12_C, F12_E);
    plan(&f, "2026-03-06T09:00:00+08:00", 3600);
    const fu_touchpoint *t = fu_test_find_touchpoint(f.plan, FU_TOUCHPOINT_PLANNED, "N", "fault_escalation");
    cr_assert(t);
    cr_expect_eq(t->best_at, T("2026-03-06T09:00:00+08:00"));
    fu_test_planner_free(&f);
    open_fx(&f, F12_C, F12_E "N,2026-03-06T09:00:00+08:00,contact,O1,,,phone,answered,urgent\n");
    plan(&f, "2026-03-06T11:00:00+08:00", 3600);
    cr_expect_eq(escalation_calls(f.plan), 0);
    cr_expect_null(fu_test_find_touchpoint(f.plan, FU_TOUCHPOINT_PLANNED, "N", "complaint_escalation"));
    fu_test_planner_free(&f);
    /* the same call about another order serves nothing */
    open_fx(&f, F12_C, F12_E "N,2026-03-06T09:00:00+08:00,contact,O2,,,phone,answered,urgent\n");
    plan(&f, "2026-03-06T11:00:00+08:00", 3600);
    cr_expect_eq(escalation_calls(f.plan), 1);
    cr_expect(fu_test_find_touchpoint(f.plan, FU_TOUCHPOINT_PLANNED, "N", "complaint_escalation"));
    fu_test_planner_free(&f);
    open_fx(&f, F12_C, F12_E);
    plan(&f, "2026-03-06T00:00:00+08:00", DAY);
    cr_expect_eq(escalation_calls(f.plan), 1);
    /* at 09:00 like the hourly runs, carrying both (session 10: 11:00 before,
     * the fault's escalation put off 2 h for the merge) */
    t = fu_test_find_touchpoint(f.plan, FU_TOUCHPOINT_PLANNED, "N", "fault_escalation");
    cr_assert(t);
    cr_expect_eq(t->best_at, T("2026-03-06T09:00:00+08:00"), "%s", t->reason);
    cr_expect_eq(t->purposes, 2, "%s", t->rule);
    cr_expect(strstr(t->rule, "complaint_escalation"), "%s", t->rule);
    cr_expect(strstr(t->reason, "due from 2026-03-06 11:00, served early by the urgent call of its order"), "%s",
              t->reason);
    fu_test_planner_free(&f);
}

/* ---------------------------------------------------------------- review r2 H1, M5, L1 */

/* Agents given as a number keep a business customer's hours (review r2 H1):
 * deliveries Mon 03-02 13:30 Berlin (UTC+1; Beijing 20:30, team closed).
 * I (industry) and P (private) in Berlin: placed at 13:30 (inside I's
 * business hours 09:00-12:00/13:30-18:00), the team's next instant Tue
 * 09:00 Beijing = 02:00 Berlin, quiet hours until 08:00 Berlin (15:00
 * Beijing, team open): P at Tue 08:00 Berlin; I waits for its hours, 09:00
 * Berlin (16:00 Beijing). Before the fix I got 08:00 too, which the guard
 * refuses (calendars.hours). N (industry, New York, UTC-5): placed Mon 10:00
 * New York; the team's hours are 20:00-23:00 and 00:30-05:00 New York time
 * (21:00-24:00 and 01:30-06:00 from 03-08, EDT), never in N's business
 * hours: deferred, status_rule calendars.hours (before: Mon 20:00 New York,
 * refused by the guard); since review r3 L6 suppressed as unplaceable. */
Test(review_s9, numeric_agents_keep_business_hours) {
    static const char C[] = "customer_id,tz,industry\nI,Europe/Berlin,retail\nP,Europe/Berlin,\n"
                            "N,America/New_York,education\n";
    static const char E[] = "customer_id,at,kind,order_id\n"
                            "I,2026-03-02T13:30:00+01:00,delivery,O1\n"
                            "P,2026-03-02T13:30:00+01:00,delivery,O2\n"
                            "N,2026-03-02T10:00:00-05:00,delivery,O3\n";
    fx f;
    open_fx(&f, C, E);
    plan(&f, "2026-03-02T10:00:00-05:00", 3 * DAY); /* = 16:00 Berlin: I and P due from 13:30, placed now */
    const fu_touchpoint *ti = fu_test_find_touchpoint(f.plan, FU_TOUCHPOINT_PLANNED, "I", "delivery.first_contact");
    const fu_touchpoint *tn = fu_test_find_touchpoint(f.plan, FU_TOUCHPOINT_PLANNED, "N", "delivery.first_contact");
    cr_assert(ti && tn);
    cr_expect_eq(ti->best_at, T("2026-03-02T16:00:00+01:00"), "%s", ti->reason); /* no agents: now */
    cr_expect_eq(tn->best_at, T("2026-03-02T10:00:00-05:00"), "%s", tn->reason);
    for_agents(&f, 3);
    plan(&f, "2026-03-02T10:00:00-05:00", 3 * DAY);
    ti = fu_test_find_touchpoint(f.plan, FU_TOUCHPOINT_PLANNED, "I", "delivery.first_contact");
    const fu_touchpoint *tp = fu_test_find_touchpoint(f.plan, FU_TOUCHPOINT_PLANNED, "P", "delivery.first_contact");
    tn = fu_test_find_touchpoint(f.plan, FU_TOUCHPOINT_SUPPRESSED, "N", "delivery.first_contact"); /* r3 L6 */
    cr_assert(ti && tp && tn);
    cr_expect_eq(ti->best_at, T("2026-03-03T09:00:00+01:00"), "%s", ti->reason);
    cr_expect_str_eq(ti->status_rule, "");
    cr_expect_eq(tp->best_at, T("2026-03-03T08:00:00+01:00"), "%s", tp->reason);
    cr_expect_str_eq(tn->status_rule, "calendars.hours", "%s", tn->reason);
    cr_expect(strstr(tn->reason, "unplaceable, suppressed by calendars.hours: no agent may call within the window"),
              "%s", tn->reason);
    fu_test_planner_free(&f);
}

/* A call-back at a time the customer named skips business hours, as the
 * guard allows it (review r2 M5): B (industry) and P (private) asked on Tue
 * 12-15 10:00 Beijing to be called back at 12:30 (lunch: outside B's hours
 * 09:00-12:00/13:30-18:00). Both are planned at 12:30, the reason "at the
 * requested time" (B was planned at 13:30). A call-back named at 22:30 keeps
 * quiet hours (08:00-21:00): the next day's 08:00 for both, not 09:00. */
Test(review_s9, timed_call_back_skips_business_hours) {
    static const char C[] = "customer_id,tz,first_purchase_at,industry\n"
                            "B,Asia/Shanghai,2024-01-10T10:00:00+08:00,manufacturing\n"
                            "P,Asia/Shanghai,2024-01-10T10:00:00+08:00,\n";
    static const char *const when[] = {"2026-12-15T12:30:00+08:00", "2026-12-15T22:30:00+08:00"};
    static const char *const want[] = {"2026-12-15T12:30:00+08:00", "2026-12-16T08:00:00+08:00"};
    for (int k = 0; k < 2; k++) {
        char E[1024];
        snprintf(E, sizeof E,
                 "customer_id,at,kind,order_id,channel,outcome,note\n"
                 "B,2026-12-14T10:00:00+08:00,delivery,O1,,,\nP,2026-12-14T10:00:00+08:00,delivery,O2,,,\n"
                 "B,2026-12-15T10:00:00+08:00,contact,O1,phone,callback_requested,%s\n"
                 "P,2026-12-15T10:00:00+08:00,contact,O2,phone,callback_requested,%s\n",
                 when[k], when[k]);
        fx f;
        open_fx(&f, C, E);
        plan(&f, "2026-12-15T10:05:00+08:00", 2 * DAY);
        size_t n = 0;
        const fu_touchpoint *t = fu_plan_touchpoints(f.plan, FU_TOUCHPOINT_PLANNED, &n);
        int seen = 0;
        for (size_t i = 0; i < n; i++) {
            if (!strstr(t[i].reason, "redial after callback_requested")) continue;
            seen++;
            cr_expect_eq(t[i].best_at, T(want[k]), "%s %d: %s", t[i].customer_id, k, t[i].reason);
            cr_expect(strstr(t[i].reason, "at the requested time"), "%s", t[i].reason);
        }
        cr_expect_eq(seen, 2, "%d", k);
        fu_test_planner_free(&f);
    }
}

/* The late merge asks each member's own instant on the mask placement uses
 * (review r2 L1): a business customer (industry) in Shanghai reports two
 * normal faults on Saturday 03-07, 10:00 (O1) and 11:00 (O2):
 * fault.response (high, phone) within 24 h, windows [Sat 10:00, Sun 10:00]
 * and [Sat 11:00, Sun 11:00], no business hour in either (weekend). Each
 * alone is made late at Mon 03-09 09:00 (calendars.hours), so they are one
 * call then, carrying both. The check on the mask without business hours
 * put them at Sun 10:00 and Sun 11:00 (just after each window): not one
 * instant, two calls. */
Test(review_s9, business_steps_late_to_one_instant_merge) {
    fx f;
    open_fx(&f, "customer_id,tz,industry\nB,Asia/Shanghai,retail\n",
            "customer_id,at,kind,order_id,severity\nB,2026-03-07T10:00:00+08:00,fault,O1,normal\n"
            "B,2026-03-07T11:00:00+08:00,fault,O2,normal\n");
    plan(&f, "2026-03-07T11:05:00+08:00", 3 * DAY);
    size_t n = 0, calls = 0;
    const fu_touchpoint *t = fu_plan_touchpoints(f.plan, FU_TOUCHPOINT_PLANNED, &n);
    for (size_t i = 0; i < n; i++) {
        if (!strstr(t[i].rule, "cadences.fault.response")) continue;
        calls++;
        cr_expect_eq(t[i].purposes, 2, "%s", t[i].reason);
        cr_expect_eq(t[i].best_at, T("2026-03-09T09:00:00+08:00"), "%s", t[i].reason);
        cr_expect_str_eq(t[i].status_rule, "calendars.hours", "%s", t[i].reason);
        cr_expect(strstr(t[i].reason, "late: business hours close the window (calendars.hours)"), "%s", t[i].reason);
    }
    cr_expect_eq(calls, 1);
    fu_test_planner_free(&f);
}
