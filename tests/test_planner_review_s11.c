/* Planner leftovers of session 11:
 * - review s10 hR2 L2: a contact whose hours never meet the agents' is
 *   unplaceable whether the agent step's caches answer (lib/planner_hours.c)
 *   or not (off, a window past their 2,048 days): before, the search without
 *   them gave up at its step budget and deferred it; */
#include "fu_test.h"
#include "planner_agents.h"
#include "planner_intern.h"

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

/* ---------------------------------------------------------------- review s10 hR2 L2 */

/* N, a school in New York (business hours 09:00-18:00 New York), under the
 * team's hours in Beijing (09:00-12:00, 13:30-18:00 = 20:00-05:00 New York):
 * they never meet. Its delivery's first contact has a window of 1,200 days
 * (searched to 1,262 days: more than the 16,000 steps of the search without
 * the caches reach; 600 days they still did) or 2,100 days (past the caches'
 * 2,048 days: they cannot answer either). With the caches and without: unplaceable, counted, the
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
        fu_test_same_plans(p[0], p[1], WITHIN[w]);
        fu_plan_free(p[0]);
        fu_plan_free(p[1]);
        fu_test_planner_free(&f);
    }
}

/* ---------------------------------------------------------------- review s9 F12: the same team */

/* The book of review_s9::hourly_runs_make_one_escalation_call_per_order: a
 * fault (03-04 09:00) and a complaint (11:00) about order O1, unresolved:
 * fault_escalation.expert_team due [03-06 09:00, 03-07 09:00],
 * complaint_escalation.expert_team [03-06 11:00, 03-07 11:00], both by the
 * team `expert`. An urgent call about O1 answered at 03-06 09:00 by agent
 * `who`: the 11:00 run counts the complaint's escalation served early only
 * when that call was the expert team's (E1), or when the book cannot tell
 * (no agent, an agent the agents file does not name, no agents file); a
 * call of the care team (U1: an urgent repair check of the same order) does
 * not hand the problem to the experts: their escalation is still made. */
static const char F12_C[] = "customer_id,tz,annual_spend,first_purchase_at,consent_phone,consent_sms\n"
                            "N,Asia/Shanghai,20000,2026-03-02T10:00:00+08:00,yes,yes\n";
static const char F12_E[] = "customer_id,at,kind,order_id,unit_price,severity,channel,outcome,priority,agent_id\n"
                            "N,2026-03-02T10:00:00+08:00,purchase,O1,15000,,,,,\n"
                            "N,2026-03-02T16:00:00+08:00,delivery,O1,,,,,,\n"
                            "N,2026-03-03T10:00:00+08:00,installation,O1,,,,,,\n"
                            "N,2026-03-03T15:00:00+08:00,inquiry,O1,,normal,,,,\n"
                            "N,2026-03-04T09:00:00+08:00,fault,O1,,normal,,,,\n"
                            "N,2026-03-04T11:00:00+08:00,complaint,O1,,normal,,,,\n"
                            "N,2026-03-02T16:00:00+08:00,contact,O1,,,phone,answered,high,\n"
                            "N,2026-03-03T16:00:00+08:00,contact,O1,,,phone,answered,high,\n"
                            "N,2026-03-04T11:00:00+08:00,contact,O1,,,phone,answered,urgent,\n";
static const char F12_AGENTS[] = "agent_id,team,skills,shift,tz,calls_per_day\n"
                                 "E1,expert,phone,Mon-Sun 00:00-24:00,Asia/Shanghai,\n"
                                 "U1,care,phone,Mon-Sun 00:00-24:00,Asia/Shanghai,\n";

/* Escalation calls of the 11:00 run after the 09:00 call by `who`, with
 * the agents file or without. */
static size_t escalations_after_call_by(const char *who, int agents_file) {
    char ev[2048];
    snprintf(ev, sizeof ev, "%sN,2026-03-06T09:00:00+08:00,contact,O1,,,phone,answered,urgent,%s\n", F12_E, who);
    fu_test_planner f;
    cr_assert_eq(fu_test_planner_open(&f, F12_C, ev, agents_file ? F12_AGENTS : NULL), FU_OK, "%s",
                 fu_error_last()->message);
    fu_plan *p = plan_now(&f, "2026-03-06T11:00:00+08:00", 3600);
    size_t n = 0, k = 0;
    for (int s = 0; s <= FU_TOUCHPOINT_LATER; s++) {
        const fu_touchpoint *t = fu_plan_touchpoints(p, (fu_touchpoint_status)s, &n);
        for (size_t i = 0; i < n; i++) k += strstr(t[i].rule, "complaint_escalation.expert_team") != NULL;
    }
    fu_plan_free(p);
    fu_test_planner_free(&f);
    return k;
}

Test(review_s11, an_escalation_is_served_early_only_by_its_team) {
    cr_expect_eq(escalations_after_call_by("E1", 1), 0, "the expert team's call serves it");
    cr_expect_eq(escalations_after_call_by("U1", 1), 1, "the care team's call does not");
    cr_expect_eq(escalations_after_call_by("", 1), 0, "no agent: cannot tell, served");
    cr_expect_eq(escalations_after_call_by("X9", 1), 0, "an agent not in the file: cannot tell, served");
    cr_expect_eq(escalations_after_call_by("U1", 0), 0, "no agents file: cannot tell, served");
}

/* ---------------------------------------------------------------- a customer without a time zone */

/* S (Asia/Shanghai) and Z (no zone: created by its event; planning reads it
 * in the policy calendar's zone, cn's Asia/Shanghai) have a delivery at Mon
 * 03-02 12:10 Beijing, in the team's lunch: their first contacts move to
 * 13:30, with agents as a number and with named agents. Before, the agent
 * step read Z's hours in UTC (12:10 Beijing is 04:10 UTC, before quiet
 * hours' 08:00): 16:00 Beijing, 08:00 UTC. */
Test(review_s11, a_customer_without_a_zone_is_placed_in_the_policy_calendars_zone) {
    static const char C[] = "customer_id,tz\nS,Asia/Shanghai\n";
    static const char E[] = "customer_id,at,kind,order_id\nS,2026-03-02T12:10:00+08:00,delivery,O1\n"
                            "Z,2026-03-02T12:10:00+08:00,delivery,O2\n";
    static const char AG[] = "agent_id,team,skills,shift,tz,calls_per_day\n"
                             "A1,,phone,Mon-Fri 09:00-18:00,Asia/Shanghai,\n";
    for (int named = 0; named < 2; named++) {
        fu_test_planner f;
        memset(&f, 0, sizeof f);
        cr_assert_eq(fu_policy_default(&f.policy), FU_OK);
        fu_book_options bo = FU_BOOK_OPTIONS_INIT;
        bo.flags = FU_BOOK_CREATE_CUSTOMERS;
        cr_assert_eq(fu_book_new(&f.book, &bo), FU_OK);
        cr_assert_eq(fu_book_read_customers_csv_from_string(f.book, C, strlen(C), "c"), FU_OK);
        cr_assert_eq(fu_book_read_events_csv_from_string(f.book, E, strlen(E), "e"), FU_OK, "%s",
                     fu_error_last()->message);
        fu_planner_options o = FU_PLANNER_OPTIONS_INIT;
        o.agents = named ? 0 : 3;
        cr_assert_eq(fu_planner_new(&f.pl, f.policy, f.book, &o), FU_OK, "%s", fu_error_last()->message);
        if (named) cr_assert_eq(fu_planner_set_agents(f.pl, AG, strlen(AG), "agents"), FU_OK);
        for (int c = 0; c < 2; c++) {
            fu__plan_agent_caches(!c);
            fu_plan *p = plan_now(&f, "2026-03-02T12:10:00+08:00", 3 * DAY);
            fu__plan_agent_caches(1);
            const fu_touchpoint *ts = fu_test_find_touchpoint(p, FU_TOUCHPOINT_PLANNED, "S", "first_contact");
            const fu_touchpoint *tz = fu_test_find_touchpoint(p, FU_TOUCHPOINT_PLANNED, "Z", "first_contact");
            cr_assert(ts && tz, "named %d caches %d", named, !c);
            cr_expect_eq(ts->best_at, T("2026-03-02T13:30:00+08:00"), "named %d: %s", named, ts->reason);
            cr_expect_eq(tz->best_at, ts->best_at, "named %d caches %d: %s", named, !c, tz->reason);
            fu_plan_free(p);
        }
        fu_test_planner_free(&f);
    }
}

/* ---------------------------------------------------------------- one copy of a merged text */

/* fu__pl_intern(): equal texts one copy (across the table's growth),
 * different ones apart, none kept after a reset. */
Test(review_s11, merged_texts_are_kept_once_per_plan) {
    fu__pl_texts T;
    memset(&T, 0, sizeof T);
    fu__arena a;
    memset(&a, 0, sizeof a);
    const char *first[1000];
    char s[32];
    for (int round = 0; round < 2; round++)
        for (int i = 0; i < 1000; i++) {
            int n = snprintf(s, sizeof s, "purpose %d; other", i);
            const char *c = fu__pl_intern(&T, &a, s, (size_t)n - (i % 2 ? 7 : 0)); /* odd: "purpose i" */
            cr_assert_not_null(c);
            cr_assert_eq(strlen(c), (size_t)n - (i % 2 ? 7 : 0));
            cr_assert_eq(strncmp(c, s, strlen(c)), 0);
            if (!round) first[i] = c;
            else cr_assert_eq(c, first[i], "%s", c);
        }
    cr_assert_eq(T.n, 1000);
    fu__pl_intern_reset(&T);
    cr_assert_eq(T.n, 0);
    const char *c = fu__pl_intern(&T, &a, "purpose 0; other", 16);
    cr_assert_neq(c, first[0]);
    cr_assert_str_eq(c, "purpose 0; other");
    fu__pl_intern_free(&T);
    fu__arena_free(&a);
}
