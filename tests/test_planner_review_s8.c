/* Planner regressions from the outside review of session 8 (findings F16,
 * F8, F14, F17), on small hand-made books and the built-in policy
 * (lib/data/default_policy.yaml; quiet hours 08:00-21:00 local, none
 * exempt). Expected values worked out by hand; 2026-12-07 is a Monday.
 * - F16: a step before its trigger (cadences.course_end.before_end -2w /
 *   3d, seed 003: 结课前2周收集改进建议; cadences.warranty.renewal_reminder
 *   -30d / 16d, seed 000: 保修到期前...续保提醒回访) is planned from an end
 *   date the book holds ahead; the future event changes nothing else.
 * - F8: an urgent fault reported at 22:30 (cadences.fault.urgent_response,
 *   within 2 h: all in quiet hours) is made late at 08:00, not suppressed
 *   (seed 000: 紧急问题回访需优先处理, 非紧急问题避开客户休息时间; a bank's
 *   call at 23:00 angered its customer, so quiet hours stay).
 * - F14: a window that opened and closed between two daily runs (an inquiry
 *   at 17:20, reply the same day: seed 003 / DOMAIN.md "Non-urgent
 *   consultation: reply the same day") is planned overdue by the next run.
 * - F17: a `resolved` without an order id that answers an inquiry without
 *   one does not close a fault of an order: the 48 h expert-team escalation
 *   (seed 000: 对48小时内未解决的问题自动转交技术专家团队) stays. */
#include "fu_test.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T fu_test_time
typedef fu_test_planner fx;

#define open_fx(f, customers, events) fu_test_planner_open_ok(f, customers, events)
#define plan(f, now, horizon) fu_test_planner_plan_at(f, now, horizon)

/* A touchpoint of customer `id` whose rules name `rule`, whatever its
 * status; NULL when there is none. */
static const fu_touchpoint *any_status(const fu_plan *p, const char *id, const char *rule) {
    const fu_touchpoint *found = NULL;
    for (int s = FU_TOUCHPOINT_STATUS_COUNT; !found && s-- > 0;)
        found = fu_test_find_touchpoint(p, (fu_touchpoint_status)s, id, rule);
    return found;
}

static size_t count_all(const fu_plan *p) {
    size_t total = 0;
    for (int s = 0; s < FU_TOUCHPOINT_STATUS_COUNT; s++) {
        size_t n = 0;
        fu_plan_touchpoints(p, (fu_touchpoint_status)s, &n);
        total += n;
    }
    return total;
}

#define DAY 86400

/* ---------------------------------------------------------------- F16 */

static const char ENDS_C[] = "customer_id,tz\nE1,Asia/Shanghai\nW1,Asia/Shanghai\n";
static const char ENDS_E[] = "customer_id,at,kind\n"
                             "E1,2026-12-20T18:00:00+08:00,course_end\n"
                             "W1,2026-12-31T00:00:00+08:00,warranty_end\n";

/* Plan Mon 12-07 09:00, 3 days. Course end 12-20 18:00: before_end due
 * [12-06 18:00, 12-09 18:00]; warranty end 12-31 00:00: renewal_reminder
 * due [12-01 00:00, 12-17 00:00]. Both planned at the first allowed
 * instant, 12-07 09:00. The old planner dropped both events ("has not
 * happened yet") and planned nothing. */
Test(review_s8, steps_before_an_end_known_ahead_are_planned) {
    fx f;
    open_fx(&f, ENDS_C, ENDS_E);
    plan(&f, "2026-12-07T09:00:00+08:00", 3 * DAY);
    const fu_touchpoint *t = fu_test_find_touchpoint(f.plan, FU_TOUCHPOINT_PLANNED, "E1", "course_end.before_end");
    cr_assert(t, "the course end's before_end step is planned");
    cr_expect_eq(t->due_from, T("2026-12-06T18:00:00+08:00"));
    cr_expect_eq(t->due_to, T("2026-12-09T18:00:00+08:00"));
    cr_expect_eq(t->best_at, T("2026-12-07T09:00:00+08:00"));
    t = fu_test_find_touchpoint(f.plan, FU_TOUCHPOINT_PLANNED, "W1", "warranty.renewal_reminder");
    cr_assert(t, "the warranty's renewal reminder is planned");
    cr_expect_eq(t->due_from, T("2026-12-01T00:00:00+08:00"));
    cr_expect_eq(t->due_to, T("2026-12-17T00:00:00+08:00"));
    cr_expect_eq(t->best_at, T("2026-12-07T09:00:00+08:00"));
    cr_expect_eq(count_all(f.plan), 2, "nothing else: a future end is no first event of a quarterly call");
    /* before the window meets the horizon (12-01 .. 12-04 for the course):
     * nothing for E1 */
    plan(&f, "2026-12-01T09:00:00+08:00", 3 * DAY);
    cr_expect_null(any_status(f.plan, "E1", "before_end"));
    cr_expect(fu_test_find_touchpoint(f.plan, FU_TOUCHPOINT_PLANNED, "W1", "renewal_reminder"));
    fu_test_planner_free(&f);
}

/* Future events change nothing but the steps before an end: a future
 * answered contact in the reply window of an inquiry does not make the reply
 * done, and a warranty end far ahead (2027-06-30: reminder from 05-31) adds
 * nothing; the plan of C1 is the same with and without them. */
Test(review_s8, future_events_change_nothing_else) {
    static const char C[] = "customer_id,tz\nC1,Asia/Shanghai\n";
    static const char BASE[] = "customer_id,at,kind,channel,outcome\n"
                               "C1,2026-12-07T10:00:00+08:00,inquiry,,\n";
    static const char MORE[] = "customer_id,at,kind,channel,outcome\n"
                               "C1,2026-12-07T10:00:00+08:00,inquiry,,\n"
                               "C1,2026-12-07T15:00:00+08:00,contact,phone,answered\n"
                               "C1,2027-06-30T00:00:00+08:00,warranty_end,,\n";
    fx a, b;
    open_fx(&a, C, BASE);
    open_fx(&b, C, MORE);
    plan(&a, "2026-12-07T11:00:00+08:00", 7 * DAY);
    plan(&b, "2026-12-07T11:00:00+08:00", 7 * DAY);
    cr_assert_eq(count_all(a.plan), count_all(b.plan));
    const fu_touchpoint *ta = fu_test_find_touchpoint(a.plan, FU_TOUCHPOINT_PLANNED, "C1", "consultation.reply");
    const fu_touchpoint *tb = fu_test_find_touchpoint(b.plan, FU_TOUCHPOINT_PLANNED, "C1", "consultation.reply");
    cr_assert(ta && tb, "the reply is planned: a contact after now has not happened");
    cr_expect_eq(ta->best_at, T("2026-12-07T11:00:00+08:00"));
    cr_expect_eq(tb->best_at, ta->best_at);
    cr_expect_null(any_status(b.plan, "C1", "renewal_reminder"));
    fu_test_planner_free(&a);
    fu_test_planner_free(&b);
}

/* ---------------------------------------------------------------- F8 */

/* Fault at Mon 11-23 22:30 (Shanghai), plan at 22:35 for 3 days. URG's
 * urgent fault: urgent_response due [22:30, 00:30], all in quiet hours:
 * planned late at Tue 11-24 08:00, rule quiet_hours.allowed, counted late.
 * NRM's normal fault: response due [22:30, 11-24 22:30], 08:00 in its
 * window. The old planner suppressed URG's response (quiet_hours.allowed). */
Test(review_s8, urgent_fault_at_night_is_made_late_not_dropped) {
    static const char C[] = "customer_id,tz\nURG,Asia/Shanghai\nNRM,Asia/Shanghai\n";
    static const char E[] = "customer_id,at,kind,order_id,severity\n"
                            "URG,2026-11-23T22:30:00+08:00,fault,O1,urgent\n"
                            "NRM,2026-11-23T22:30:00+08:00,fault,O2,normal\n";
    fx f;
    open_fx(&f, C, E);
    plan(&f, "2026-11-23T22:35:00+08:00", 3 * DAY);
    cr_expect_null(fu_test_find_touchpoint(f.plan, FU_TOUCHPOINT_SUPPRESSED, "URG", "fault.urgent_response"));
    const fu_touchpoint *t = fu_test_find_touchpoint(f.plan, FU_TOUCHPOINT_PLANNED, "URG", "fault.urgent_response");
    cr_assert(t, "the urgent response is planned");
    cr_expect_eq(t->due_to, T("2026-11-24T00:30:00+08:00"));
    cr_expect_eq(t->best_at, T("2026-11-24T08:00:00+08:00"));
    cr_expect_str_eq(t->status_rule, "quiet_hours.allowed");
    cr_expect(strstr(t->reason, "late: quiet hours close the window (quiet_hours.allowed)"), "%s", t->reason);
    cr_expect_eq(t->priority, FU_PRIORITY_URGENT);
    fu_plan_stats st;
    fu_plan_get_stats(f.plan, &st);
    cr_expect_eq(st.late, 1, "URG's response is counted late");
    t = fu_test_find_touchpoint(f.plan, FU_TOUCHPOINT_PLANNED, "NRM", "fault.response");
    cr_assert(t);
    cr_expect_eq(t->best_at, T("2026-11-24T08:00:00+08:00"));
    /* a horizon ending before 08:00: after the horizon, with the rule */
    plan(&f, "2026-11-23T22:35:00+08:00", 3600);
    t = fu_test_find_touchpoint(f.plan, FU_TOUCHPOINT_LATER, "URG", "fault.urgent_response");
    cr_assert(t, "later, not suppressed");
    cr_expect_str_eq(t->status_rule, "quiet_hours.allowed");
    fu_test_planner_free(&f);
}

/* ---------------------------------------------------------------- F14 */

/* Daily runs at 08:00. Q1's inquiry at Tue 11-24 17:20: reply due the same
 * day (close of business, 18:00). The 11-24 run did not know it; the 11-25
 * 08:00 run plans it overdue, due from now, at 08:00. With a call attempt
 * since the inquiry (11-24 17:50, no answer), it is not due again. The old
 * planner reported nothing for it. */
Test(review_s8, window_between_two_runs_is_planned_overdue) {
    static const char C[] = "customer_id,tz\nQ1,Asia/Shanghai\n";
    static const char E[] = "customer_id,at,kind,severity\n"
                            "Q1,2026-11-24T17:20:00+08:00,inquiry,low\n";
    fx f;
    open_fx(&f, C, E);
    plan(&f, "2026-11-25T08:00:00+08:00", DAY);
    const fu_touchpoint *t = fu_test_find_touchpoint(f.plan, FU_TOUCHPOINT_PLANNED, "Q1", "consultation.reply");
    cr_assert(t, "the missed same-day reply is planned");
    cr_expect_eq(t->due_from, T("2026-11-25T08:00:00+08:00"));
    cr_expect_eq(t->best_at, T("2026-11-25T08:00:00+08:00"));
    cr_expect(strstr(t->reason, "overdue: its window passed without a contact, due from now"), "%s", t->reason);
    fu_test_planner_free(&f);

    open_fx(&f, C,
            "customer_id,at,kind,severity,channel,outcome\n"
            "Q1,2026-11-24T17:20:00+08:00,inquiry,low,,\n"
            "Q1,2026-11-24T17:50:00+08:00,contact,,phone,no_answer\n");
    plan(&f, "2026-11-25T08:00:00+08:00", DAY);
    cr_expect_null(any_status(f.plan, "Q1", "consultation.reply"), "a call was made in the window");
    fu_test_planner_free(&f);
}

/* ---------------------------------------------------------------- F17 */

/* F1 and F2 report a fault of their order at Mon 11-23 10:00 and an inquiry
 * without an order at 11:00; F1's inquiry is resolved (no order) at 12:00.
 * F3 reports a fault of O3 at 10:00, resolved without an order at 12:00 (its
 * only problem: closed). Plan Wed 11-25 09:00, 2 days: the escalation
 * (48 h after the fault, 11-25 10:00, within 24 h) for F1 and F2, not F3. The
 * old planner closed F1's fault with the inquiry's resolution. */
Test(review_s8, orderless_resolution_closes_only_its_own_issue) {
    static const char C[] = "customer_id,tz\nF1,Asia/Shanghai\nF2,Asia/Shanghai\nF3,Asia/Shanghai\n";
    static const char E[] = "customer_id,at,kind,order_id,severity\n"
                            "F1,2026-11-23T10:00:00+08:00,fault,O1,normal\n"
                            "F1,2026-11-23T11:00:00+08:00,inquiry,,low\n"
                            "F1,2026-11-23T12:00:00+08:00,resolved,,\n"
                            "F2,2026-11-23T10:00:00+08:00,fault,O2,normal\n"
                            "F2,2026-11-23T11:00:00+08:00,inquiry,,low\n"
                            "F3,2026-11-23T10:00:00+08:00,fault,O3,normal\n"
                            "F3,2026-11-23T12:00:00+08:00,resolved,,\n";
    fx f;
    open_fx(&f, C, E);
    plan(&f, "2026-11-25T09:00:00+08:00", 2 * DAY);
    static const char *const ids[] = {"F1", "F2"};
    for (int i = 0; i < 2; i++) {
        const fu_touchpoint *t = any_status(f.plan, ids[i], "fault_escalation.expert_team");
        cr_assert(t, "%s: the fault of its order is unresolved", ids[i]);
        cr_expect_eq(t->due_from, T("2026-11-25T10:00:00+08:00"), "%s", ids[i]);
    }
    cr_expect_null(any_status(f.plan, "F3", "fault_escalation"), "F3's only problem was resolved");
    fu_test_planner_free(&f);
}

/* ------------------------------------------- review s8b F9, F8: overdue */

/* Review s8b F9. R1 asks a question about O1 on Fri 12-04 11:00
 * (consultation.reply: the same day, [12-04 11:00, 12-04 23:59:59]), R2
 * reports an urgent fault of O2 at 11:00 (fault.urgent_response: [11:00,
 * 13:00]); both are `resolved` (their order) at 12:00, in the chat, no
 * contact row. R3 asks the same as R1, unresolved. Plan Sun 12-06 11:00, one
 * day: both windows passed without a contact, but the resolutions answered
 * R1 and R2 since they opened: no reply, no acknowledgement (the F14 rule
 * revived both, overdue). R3's reply stays overdue, due from 11:00. */
Test(review_s8b, resolved_problem_first_response_is_not_revived) {
    static const char C[] = "customer_id,tz\nR1,Asia/Shanghai\nR2,Asia/Shanghai\nR3,Asia/Shanghai\n";
    static const char E[] = "customer_id,at,kind,order_id,severity\n"
                            "R1,2026-12-04T11:00:00+08:00,inquiry,O1,low\n"
                            "R1,2026-12-04T12:00:00+08:00,resolved,O1,\n"
                            "R2,2026-12-04T11:00:00+08:00,fault,O2,urgent\n"
                            "R2,2026-12-04T12:00:00+08:00,resolved,O2,\n"
                            "R3,2026-12-04T11:00:00+08:00,inquiry,O3,low\n";
    fx f;
    open_fx(&f, C, E);
    plan(&f, "2026-12-06T11:00:00+08:00", DAY);
    cr_expect_null(any_status(f.plan, "R1", "consultation.reply"), "R1's question was resolved");
    cr_expect_null(any_status(f.plan, "R2", "fault.urgent_response"), "R2's fault was resolved");
    const fu_touchpoint *t = any_status(f.plan, "R3", "consultation.reply");
    cr_assert(t, "R3's question is unresolved: its reply stays overdue");
    cr_expect_eq(t->due_from, T("2026-12-06T11:00:00+08:00"));
    fu_test_planner_free(&f);
}

/* Review s8b F8. W1's warranty ended Fri 11-20 00:00 (renewal_reminder -30d
 * within 16d: [10-21, 11-06]); E1's course ended Tue 12-01 18:00
 * (before_end -2w within 3d: [11-17 18:00, 11-20 18:00]). Plan Mon 12-07
 * 09:00, 3 days: both ends have passed, the steps before them do not come
 * back. W2's warranty ends Thu 12-10 00:00, ahead (reminder window [11-10,
 * 11-26] passed): the reminder comes back overdue, due from now until the
 * end, [12-07 09:00, 12-10 00:00], not 16 days past it. */
Test(review_s8b, step_before_an_end_is_not_revived_after_the_end) {
    static const char C[] = "customer_id,tz\nW1,Asia/Shanghai\nE1,Asia/Shanghai\nW2,Asia/Shanghai\n";
    static const char E[] = "customer_id,at,kind\n"
                            "W1,2026-11-20T00:00:00+08:00,warranty_end\n"
                            "E1,2026-12-01T18:00:00+08:00,course_end\n"
                            "W2,2026-12-10T00:00:00+08:00,warranty_end\n";
    fx f;
    open_fx(&f, C, E);
    plan(&f, "2026-12-07T09:00:00+08:00", 3 * DAY);
    cr_expect_null(any_status(f.plan, "W1", "warranty.renewal_reminder"), "W1's warranty has ended");
    cr_expect_null(any_status(f.plan, "E1", "course_end.before_end"), "E1's course has ended");
    const fu_touchpoint *t = any_status(f.plan, "W2", "warranty.renewal_reminder");
    cr_assert(t, "W2's warranty ends ahead: the reminder is overdue");
    cr_expect_eq(t->due_from, T("2026-12-07T09:00:00+08:00"));
    cr_expect_eq(t->due_to, T("2026-12-10T00:00:00+08:00"));
    fu_test_planner_free(&f);
}

/* Review s8b F4. K1 complains (normal severity) on Sun 12-06 11:00, no
 * contact since. Plan Mon 12-07 12:00, one day: complaint.immediate (0h /
 * 24h, urgent, [12-06 11:00, 12-07 11:00]) passed: overdue, due [12-07
 * 12:00, 12-08 12:00]; the unresolved complaint's expert-team escalation
 * (48h / 24h, urgent) is due [12-08 11:00, 12-09 11:00]. The overdue
 * acknowledgement is made now, at 12-07 12:00, on its own: merged, both were
 * put off 23 h into the 1 h intersection [12-08 11:00, 12:00]. */
Test(review_s8b, overdue_urgent_step_is_not_put_off_by_a_merge) {
    fx f;
    open_fx(&f, "customer_id,tz\nK1,Asia/Shanghai\n",
            "customer_id,at,kind,order_id,severity\nK1,2026-12-06T11:00:00+08:00,complaint,O1,normal\n");
    plan(&f, "2026-12-07T12:00:00+08:00", DAY);
    const fu_touchpoint *t = any_status(f.plan, "K1", "complaint.immediate");
    cr_assert(t, "the overdue acknowledgement is due");
    cr_expect_str_eq(t->rule, "cadences.complaint.immediate", "not merged with the escalation");
    cr_expect_eq(t->due_from, T("2026-12-07T12:00:00+08:00"));
    cr_expect_eq(t->due_to, T("2026-12-08T12:00:00+08:00"));
    cr_expect_eq(t->best_at, T("2026-12-07T12:00:00+08:00"));
    fu_test_planner_free(&f);
}
