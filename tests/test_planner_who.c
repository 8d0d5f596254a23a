/* Who makes the call, part two (issue 15 item 6): when agents may be given a
 * call (the policy's `agents` section: team hours, weekends, public holidays
 * of the team calendar, exempt priorities), agents' days off, and CLV
 * deciding human vs automated (`channels.by_clv`). Small hand-made books of
 * deliveries (cadences.delivery.first_contact: phone, high, [delivery,
 * delivery + 48 h]; second_contact: phone, normal, [+7 d, +15 d]) and
 * complaints (cadences.complaint.immediate: phone, urgent, 24 h); the
 * expected instants, agents and rules are worked out by hand from the
 * built-in policy (agents: calendar cn 09:00-12:00 and 13:30-18:00 Mon-Fri,
 * weekends false, holidays false, exempt [urgent]). */
#include "fu_test.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>

#define T fu_test_time

typedef fu_test_planner fx;

/* customers: "id,tz,owner;..."-free form CSV rows after the header; events likewise. */
static void setup(fx *f, const char *policy_yaml, const char *customers, const char *events, const char *agents) {
    memset(f, 0, sizeof *f);
    char c[4096], e[4096];
    snprintf(c, sizeof c, "customer_id,tz,annual_spend,consent_phone,consent_sms,consent_email,owner\n%s", customers);
    snprintf(e, sizeof e, "customer_id,at,kind,order_id\n%s", events);
    f->policy = fu_test_policy(policy_yaml);
    f->book = fu_test_book(c, e);
    cr_assert_eq(fu_book_finalize(f->book), FU_OK);
    cr_assert_eq(fu_planner_new(&f->pl, f->policy, f->book, NULL), FU_OK, "%s", fu_error_last()->message);
    if (agents)
        cr_assert_eq(fu_planner_set_agents(f->pl, agents, strlen(agents), "agents"), FU_OK, "%s",
                     fu_error_last()->message);
}

static const fu_touchpoint *one(fx *f, const char *now, int64_t horizon, fu_touchpoint_status st, const char *rule) {
    fu_plan_free(f->plan);
    f->plan = NULL;
    cr_assert_eq(fu_planner_plan(f->pl, T(now), horizon, &f->plan), FU_OK, "%s", fu_error_last()->message);
    size_t n = 0;
    const fu_touchpoint *tp = fu_plan_touchpoints(f->plan, st, &n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(tp[i].rule, rule) == 0) return &tp[i];
    cr_assert_fail("no %s touchpoint of %s (status %d)", rule, now, (int)st);
    return NULL;
}

static const char FIRST[] = "cadences.delivery.first_contact";
static const char ALL_WEEK[] = "agent_id,team,skills,shift,tz\nA1,care,phone,Mon-Sun 09:00-18:00,Asia/Shanghai\n";

/* Monday 2026-03-02 12:30 is the team's lunch break (12:00-13:30): the
 * agent on shift may not be given the call before 13:30. */
Test(who, team_hours_move_the_call) {
    fx f;
    setup(&f, NULL, "K1,Asia/Shanghai,20000,yes,yes,yes,\n", "K1,2026-03-02T12:30:00+08:00,delivery,O1\n", ALL_WEEK);
    const fu_touchpoint *t = one(&f, "2026-03-02T12:30:00+08:00", 86400, FU_TOUCHPOINT_PLANNED, FIRST);
    cr_expect_eq(t->best_at, T("2026-03-02T13:30:00+08:00"));
    cr_expect_eq(t->due_to, T("2026-03-04T12:30:00+08:00"));
    cr_expect_str_eq(t->agent, "A1");
    cr_expect_str_eq(t->status_rule, "");
    cr_expect(strstr(t->reason, "moved to the first instant an agent may call (agents.shift, agents.team_hours)"),
              "%s", t->reason);
    fu_test_planner_free(&f);
}

/* National Day: 2026-10-01..07 are holidays of the team calendar. The
 * customer lives in Singapore (no policy calendar there, so the customer's
 * own holiday rule does not move it); the agent's shift covers every day.
 * The 48 h window [10-01 10:00, 10-03 10:00] has no instant an agent may
 * call: made late, status_rule agents.holidays. Over ten days the second
 * contact (usage check, [10-08 10:00, 10-16 10:00]) is planned at 10-08
 * 10:00, so the first call, which agents may make from Thursday 10-08 09:00,
 * keeps caps.min_gap (24 h) to it: 10-09 10:00 (before session 10 the agent
 * step put it at 10-08 09:00, one hour before the second call). With a
 * one-day horizon there is no second call: 10-08 09:00. */
Test(who, holidays_make_the_call_late_not_lost) {
    fx f;
    setup(&f, NULL, "K1,Asia/Singapore,20000,yes,yes,yes,\n", "K1,2026-10-01T10:00:00+08:00,delivery,O1\n", ALL_WEEK);
    const fu_touchpoint *t = one(&f, "2026-10-01T10:00:00+08:00", 10 * 86400, FU_TOUCHPOINT_PLANNED, FIRST);
    cr_expect_eq(t->best_at, T("2026-10-09T10:00:00+08:00"), "%s", t->reason);
    cr_expect_eq(t->due_to, T("2026-10-03T10:00:00+08:00"));
    cr_expect_str_eq(t->agent, "A1");
    cr_expect_str_eq(t->status_rule, "agents.holidays");
    cr_expect(strstr(t->reason, "late: no agent may call within the window (agents.holidays), made at the first "
                                "instant one may; held back by caps.min_gap"),
              "%s", t->reason);
    const fu_touchpoint *t2 =
        fu_test_find_touchpoint(f.plan, FU_TOUCHPOINT_PLANNED, "K1", "cadences.delivery.second_contact");
    cr_assert(t2);
    cr_expect_eq(t2->best_at, T("2026-10-08T10:00:00+08:00"));
    fu_plan_stats st;
    fu_plan_get_stats(f.plan, &st);
    cr_expect_eq(st.late, 1);
    /* a one-day horizon: the call is a later run's, with the rule */
    t = one(&f, "2026-10-01T10:00:00+08:00", 86400, FU_TOUCHPOINT_LATER, FIRST);
    cr_expect_eq(t->best_at, T("2026-10-08T09:00:00+08:00"));
    cr_expect_str_eq(t->status_rule, "agents.holidays");
    fu_test_planner_free(&f);
}

/* Saturday 2026-10-10 is a make-up working day (调休): a working day, calls
 * at 10:00; Sunday 10-11 is a weekend: the call moves to Monday 09:00. */
Test(who, weekends_but_not_make_up_days) {
    fx f;
    setup(&f, NULL, "K1,Asia/Singapore,20000,yes,yes,yes,\nK2,Asia/Singapore,20000,yes,yes,yes,\n",
          "K1,2026-10-10T10:00:00+08:00,delivery,O1\nK2,2026-10-11T10:00:00+08:00,delivery,O2\n", ALL_WEEK);
    const fu_touchpoint *t = one(&f, "2026-10-10T10:00:00+08:00", 86400, FU_TOUCHPOINT_PLANNED, FIRST);
    cr_expect_str_eq(t->customer_id, "K1");
    cr_expect_eq(t->best_at, T("2026-10-10T10:00:00+08:00"));
    cr_expect_str_eq(t->agent, "A1");
    one(&f, "2026-10-11T10:00:00+08:00", 2 * 86400, FU_TOUCHPOINT_PLANNED, FIRST);
    size_t n = 0;
    t = fu_plan_touchpoints(f.plan, FU_TOUCHPOINT_PLANNED, &n);
    while (n && strcmp(t->customer_id, "K2") != 0) t++, n--;
    cr_assert(n);
    cr_expect_str_eq(t->rule, FIRST);
    cr_expect_eq(t->best_at, T("2026-10-12T09:00:00+08:00"));
    cr_expect_str_eq(t->status_rule, "");
    cr_expect(strstr(t->reason, "(agents.shift, agents.weekends)"), "%s", t->reason);
    fu_test_planner_free(&f);
}

/* A site policy that allows weekend calls keeps Sunday 10:00. */
Test(who, policy_may_allow_weekends) {
    fx f;
    static const char Y[] = "extends: builtin\nagents:\n  weekends: true\n";
    setup(&f, Y, "K2,Asia/Singapore,20000,yes,yes,yes,\n", "K2,2026-10-11T10:00:00+08:00,delivery,O2\n", ALL_WEEK);
    const fu_touchpoint *t = one(&f, "2026-10-11T10:00:00+08:00", 86400, FU_TOUCHPOINT_PLANNED, FIRST);
    cr_expect_eq(t->best_at, T("2026-10-11T10:00:00+08:00"));
    cr_expect_str_eq(t->agent, "A1");
    fu_test_planner_free(&f);
    /* and without the section only the shifts count: 12:30 on a Monday stays */
    static const char Y2[] = "extends: builtin\nagents: ~\n";
    setup(&f, Y2, "K1,Asia/Shanghai,20000,yes,yes,yes,\n", "K1,2026-03-02T12:30:00+08:00,delivery,O1\n", ALL_WEEK);
    t = one(&f, "2026-03-02T12:30:00+08:00", 86400, FU_TOUCHPOINT_PLANNED, FIRST);
    cr_expect_eq(t->best_at, T("2026-03-02T12:30:00+08:00"));
    fu_test_planner_free(&f);
}

/* Urgent problems first (agents.exempt: [urgent]): a complaint on Sunday
 * 2026-10-11 at 10:00 is answered at once. */
Test(who, urgent_calls_are_exempt) {
    fx f;
    setup(&f, NULL, "K1,Asia/Singapore,20000,yes,yes,yes,\n", "K1,2026-10-11T10:00:00+08:00,complaint,O1\n",
          ALL_WEEK);
    const fu_touchpoint *t =
        one(&f, "2026-10-11T10:00:00+08:00", 86400, FU_TOUCHPOINT_PLANNED, "cadences.complaint.immediate");
    cr_expect_eq(t->priority, FU_PRIORITY_URGENT);
    cr_expect_eq(t->best_at, T("2026-10-11T10:00:00+08:00"));
    cr_expect_str_eq(t->agent, "A1");
    fu_test_planner_free(&f);
}

/* Days off: the owner A1 is off on Monday 2026-03-02, A2 takes the call;
 * alone and off Monday and Tuesday, A1 calls on Wednesday 09:00 (the window
 * ends Wednesday 10:00). */
Test(who, days_off) {
    fx f;
    setup(&f, NULL, "K1,Asia/Shanghai,20000,yes,yes,yes,A1\n", "K1,2026-03-02T10:00:00+08:00,delivery,O1\n",
          "agent_id,shift,tz,days_off\nA1,Mon-Fri 09:00-18:00,Asia/Shanghai,2026-03-02\n"
          "A2,Mon-Fri 09:00-18:00,Asia/Shanghai,\n");
    const fu_touchpoint *t = one(&f, "2026-03-02T10:00:00+08:00", 86400, FU_TOUCHPOINT_PLANNED, FIRST);
    cr_expect_str_eq(t->agent, "A2");
    cr_expect_eq(t->best_at, T("2026-03-02T10:00:00+08:00"));
    cr_expect(strstr(t->reason, "customer's owner A1 off shift, off duty or at calls_per_day"), "%s", t->reason);
    static const char A[] = "agent_id,shift,tz,days_off\nA1,Mon-Fri 09:00-18:00,Asia/Shanghai,"
                            "2026-02-27; 2026-03-02..2026-03-03\n";
    cr_assert_eq(fu_planner_set_agents(f.pl, A, strlen(A), "agents"), FU_OK, "%s", fu_error_last()->message);
    t = one(&f, "2026-03-02T10:00:00+08:00", 3 * 86400, FU_TOUCHPOINT_PLANNED, FIRST);
    cr_expect_str_eq(t->agent, "A1");
    cr_expect_eq(t->best_at, T("2026-03-04T09:00:00+08:00"));
    static const char *const bad[] = {
        "agent_id,shift,days_off\nA1,Mon 09:00-10:00,2026-02-30\n",
        "agent_id,shift,days_off\nA1,Mon 09:00-10:00,2026-03-05..2026-03-01\n",
        "agent_id,shift,days_off\nA1,Mon 09:00-10:00,monday\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_expect_eq(fu_planner_set_agents(f.pl, bad[i], strlen(bad[i]), "agents.csv"), FU_EPARSE, "case %zu", i);
        cr_expect_eq(fu_error_last()->line, 2, "case %zu", i);
        cr_expect(strcmp(fu_error_last()->path, "days_off") == 0 || strstr(fu_error_last()->message, "days_off"),
                  "case %zu: %s", i, fu_error_last()->message); /* the column, named once */
    }
    fu_test_planner_free(&f);
}

static const char FIVE_C[] = "K1,Asia/Shanghai,20000,yes,yes,yes,\nK2,Asia/Shanghai,20000,yes,yes,yes,\n"
                             "K3,Asia/Shanghai,20000,yes,yes,yes,\nK4,Asia/Shanghai,20000,yes,yes,yes,\n"
                             "K5,Asia/Shanghai,20000,yes,yes,yes,\n";
/* the first contacts made on 03-03 (answered): since review s8 F14 a first
 * contact without one is still due, overdue, in the 03-09 plans */
static const char FIVE_E[] = "K1,2026-03-02T10:00:00+08:00,delivery,O1\nK2,2026-03-02T10:00:00+08:00,delivery,O2\n"
                             "K3,2026-03-02T10:00:00+08:00,delivery,O3\nK4,2026-03-02T10:00:00+08:00,delivery,O4\n"
                             "K5,2026-03-02T10:00:00+08:00,delivery,O5\n"
                             "K1,2026-03-03T10:00:00+08:00,contact,O1\nK2,2026-03-03T10:00:00+08:00,contact,O2\n"
                             "K3,2026-03-03T10:00:00+08:00,contact,O3\nK4,2026-03-03T10:00:00+08:00,contact,O4\n"
                             "K5,2026-03-03T10:00:00+08:00,contact,O5\n";
static const char CLV[] = "customer_id,clv\nK1,1000\nK2,2000\nK3,3000\nK4,4000\nK5,5000\nK9,99999\n";

static const fu_touchpoint *of(const fu_plan *p, const char *cust) {
    size_t n = 0;
    const fu_touchpoint *tp = fu_plan_touchpoints(p, FU_TOUCHPOINT_PLANNED, &n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(tp[i].customer_id, cust) == 0) return &tp[i];
    cr_assert_fail("no planned touchpoint of %s", cust);
    return NULL;
}

/* CLV decides human vs automated: the second contact (normal) of five
 * customers with CLV 1000..5000 (K9 is not in the book: skipped). The 80%
 * quantile of five values is the 4th... ceil(0.8 x 5) = 4 -> the 5th
 * smallest (0-based 4): 5000, so K5 is called and K1..K4 get an SMS. */
Test(who, clv_decides_the_channel_by_quantile) {
    fx f;
    setup(&f, NULL, FIVE_C, FIVE_E, NULL);
    cr_assert_eq(fu_planner_set_clv(f.pl, CLV, strlen(CLV), "clv.csv"), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(fu_planner_plan(f.pl, T("2026-03-09T10:00:00+08:00"), 86400, &f.plan), FU_OK);
    const fu_touchpoint *t = of(f.plan, "K5");
    cr_expect_str_eq(t->rule, "cadences.delivery.second_contact");
    cr_expect_eq(t->channel, FU_CHANNEL_PHONE);
    cr_expect(strstr(t->reason, "one-to-one (channels.by_clv: CLV 5000 at or above 5000, the 80% quantile of the "
                                "known CLVs, segments.clv.human_from_quantile)"),
              "%s", t->reason);
    t = of(f.plan, "K2");
    cr_expect_eq(t->channel, FU_CHANNEL_SMS);
    cr_expect_eq(t->best_at, T("2026-03-09T10:00:00+08:00"));
    cr_expect(strstr(t->reason, "sms instead of phone (channels.by_clv: CLV 2000 below 5000"), "%s", t->reason);
    fu_plan_free(f.plan);
    f.plan = NULL;
    /* the first contact is high priority: by_clv.priorities [normal, low] leave it a call */
    cr_assert_eq(fu_planner_plan(f.pl, T("2026-03-02T10:00:00+08:00"), 86400, &f.plan), FU_OK);
    t = of(f.plan, "K1");
    cr_expect_eq(t->channel, FU_CHANNEL_PHONE);
    cr_expect_null(strstr(t->reason, "by_clv"), "%s", t->reason);
    fu_test_planner_free(&f);
}

/* An amount instead of the quantile, and the automated channel e-mail. */
Test(who, clv_threshold_amount) {
    fx f;
    static const char Y[] = "extends: builtin\nchannels:\n  by_clv:\n    human_at_least: 2500\n    automated: email\n";
    setup(&f, Y, FIVE_C, FIVE_E, NULL);
    cr_assert_eq(fu_planner_set_clv(f.pl, CLV, strlen(CLV), "clv.csv"), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(fu_planner_plan(f.pl, T("2026-03-09T10:00:00+08:00"), 86400, &f.plan), FU_OK);
    cr_expect_eq(of(f.plan, "K2")->channel, FU_CHANNEL_EMAIL);
    cr_expect_eq(of(f.plan, "K3")->channel, FU_CHANNEL_PHONE);
    cr_expect(strstr(of(f.plan, "K3")->reason, "CLV 3000 at or above 2500, channels.by_clv.human_at_least)"), "%s",
              of(f.plan, "K3")->reason);
    fu_plan_free(f.plan);
    f.plan = NULL;
    /* values by book index; NaN unknown: no rule */
    double v[5] = {100, NAN, 3000, 3000, 3000};
    cr_assert_eq(fu_planner_set_clv_values(f.pl, v, 5), FU_OK);
    cr_assert_eq(fu_planner_plan(f.pl, T("2026-03-09T10:00:00+08:00"), 86400, &f.plan), FU_OK);
    cr_expect_eq(of(f.plan, "K1")->channel, FU_CHANNEL_EMAIL);
    cr_expect_eq(of(f.plan, "K2")->channel, FU_CHANNEL_PHONE);
    cr_expect_null(strstr(of(f.plan, "K2")->reason, "by_clv"));
    cr_expect_eq(fu_planner_set_clv_values(f.pl, v, 4), FU_EINVAL);
    fu_test_planner_free(&f);
}

/* Header names without regard to ASCII case and surrounding spaces, lone
 * CR line ends (docs/formats.md, "CSV, the common rules"; review s7). */
Test(who, clv_header_case_and_spaces) {
    fx f;
    setup(&f, NULL, FIVE_C, FIVE_E, NULL);
    static const char csv[] = " Customer_ID ,CLV\rK1,3\rK2,4\r";
    cr_assert_eq(fu_planner_set_clv(f.pl, csv, strlen(csv), "clv.csv"), FU_OK, "%s", fu_error_last()->message);
    fu_test_planner_free(&f);
}

Test(who, bad_clv_input) {
    fx f;
    setup(&f, NULL, FIVE_C, FIVE_E, NULL);
    static const char *const bad[] = {
        "customer_id,value\nK1,3\n",
        "customer_id,clv\nK1,-3\n",
        "customer_id,clv\nK1,3\nK1,4\n",
        "customer_id,clv\nK1,lots\n",
        "customer_id,clv\nK1,3,4\n", /* a row wider than the header (formats.md) */
        "customer_id,clv,note\nK1,3\n",
    };
    static const unsigned long line[] = {1, 2, 3, 2, 2, 2};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_expect_eq(fu_planner_set_clv(f.pl, bad[i], strlen(bad[i]), "clv.csv"), FU_EPARSE, "case %zu", i);
        cr_expect_str_eq(fu_error_last()->source, "clv.csv", "case %zu", i);
        cr_expect_eq(fu_error_last()->line, line[i], "case %zu: %s", i, fu_error_last()->message);
    }
    static const char Y[] = "extends: builtin\nchannels:\n  by_clv:\n    automated: robot\n";
    fu_policy *p = NULL;
    cr_expect_eq(fu_policy_load_string(&p, Y, strlen(Y), "site.yaml", NULL), FU_EPOLICY);
    cr_expect_eq(fu_error_last()->line, 4, "%s", fu_error_last()->message);
    static const char Y2[] = "extends: builtin\nagents:\n  weekend: true\n";
    cr_expect_eq(fu_policy_load_string(&p, Y2, strlen(Y2), "site.yaml", NULL), FU_EPOLICY);
    static const char Y3[] = "extends: builtin\nagents:\n  calendar: mars\n";
    cr_expect_eq(fu_policy_load_string(&p, Y3, strlen(Y3), "site.yaml", NULL), FU_EPOLICY);
    fu_test_planner_free(&f);
}

static int oom_op(void *ctx) {
    (void)ctx;
    fx f;
    static const char C[] = "customer_id,tz\nK1,Asia/Shanghai\nK2,Asia/Singapore\n";
    static const char E[] = "customer_id,at,kind\nK1,2026-10-01T10:00:00+08:00,delivery\n"
                            "K2,2026-10-11T10:00:00+08:00,delivery\n";
    static const char A[] = "agent_id,shift,tz,days_off\nA1,Mon-Sun 09:00-18:00,Asia/Shanghai,2026-10-12\n";
    static const char K[] = "customer_id,clv\nK1,10\nK2,20\n";
    int rc = fu_test_planner_open(&f, C, E, A);
    if (!rc) rc = fu_planner_set_clv(f.pl, K, strlen(K), "clv");
    if (!rc) rc = fu_planner_plan(f.pl, T("2026-09-30T00:00:00+08:00"), 20 * 86400, &f.plan);
    fu_test_planner_free(&f);
    return rc;
}

Test(who, out_of_memory) {
    unsigned long n = fu_test_oom("planner: who makes the call", oom_op, NULL, 60000);
    cr_expect_gt(n, 0);
}
