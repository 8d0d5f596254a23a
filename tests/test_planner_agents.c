/* Who makes the call: agents given to the planner (fu_planner_set_agents()),
 * customers' owners (customers CSV `owner`) and the owner's capacity
 * (capacity.customers_per_vip_agent). A small hand-made book of deliveries;
 * with the built-in policy a delivery plans a phone call
 * (cadences.delivery.first_contact) in [delivery, delivery + 48 h], best at
 * the delivery itself when --no-besttime. Expected agents worked out by hand. */
#include "fu_test.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T fu_test_time
#define teardown fu_test_planner_free
typedef fu_test_planner fx;

/* n customers K001.. delivered at `at`; the first `owned` owned by `owner`. */
static void setup(fx *f, int n, int owned, const char *owner, const char *at, const char *agents) {
    memset(f, 0, sizeof *f);
    size_t cap = 256 + (size_t)n * 160;
    char *c = malloc(cap), *e = malloc(cap);
    cr_assert(c && e);
    size_t lc = (size_t)snprintf(c, cap, "customer_id,tz,annual_spend,consent_phone,consent_sms,consent_email,owner\n");
    size_t le = (size_t)snprintf(e, cap, "customer_id,at,kind,order_id\n");
    for (int i = 1; i <= n; i++) {
        lc += (size_t)snprintf(c + lc, cap - lc, "K%03d,Asia/Shanghai,20000,yes,yes,yes,%s\n", i,
                               i <= owned ? owner : "");
        le += (size_t)snprintf(e + le, cap - le, "K%03d,%s,delivery,O%d\n", i, at, i);
    }
    cr_assert(lc < cap && le < cap);
    f->policy = fu_test_policy(NULL);
    f->book = fu_test_book(c, e);
    cr_assert_eq(fu_book_finalize(f->book), FU_OK);
    free(c);
    free(e);
    cr_assert_eq(fu_planner_new(&f->pl, f->policy, f->book, NULL), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(fu_planner_set_agents(f->pl, agents, strlen(agents), "agents"), FU_OK, "%s",
                 fu_error_last()->message);
}

/* Plan one day from `now`: the planned touchpoints (borrowed from f->plan). */
static const fu_touchpoint *plan_day(fx *f, const char *now, size_t *n) {
    cr_assert_eq(fu_planner_plan(f->pl, T(now), 86400, &f->plan), FU_OK, "%s", fu_error_last()->message);
    return fu_plan_touchpoints(f->plan, FU_TOUCHPOINT_PLANNED, n);
}

static const fu_touchpoint *of(const fu_touchpoint *tp, size_t n, const char *cust) {
    for (size_t i = 0; i < n; i++)
        if (strcmp(tp[i].customer_id, cust) == 0) return &tp[i];
    return NULL;
}

static const char AGENTS[] = "agent_id,team,skills,shift,tz,calls_per_day\n"
                             "A1,care,phone;visit,Mon-Fri 09:00-18:00,Asia/Shanghai,\n"
                             "A2,care,phone,Mon-Fri 09:00-18:00,Asia/Shanghai,\n"
                             "A3,care,phone,Mon-Fri 13:00-18:00,Asia/Shanghai,\n";

/* Monday 2026-03-02 10:00: K001 is A1's; A3 starts at 13:00, so K002..K004
 * go to the least loaded of A1 and A2: A2 (0), A1 (1 vs 1: fewer in the
 * plan... equal, file order), A2. Loads A1 2, A2 2, A3 0. */
Test(agents, owner_first_then_balanced_on_shift) {
    fx f;
    setup(&f, 4, 1, "A1", "2026-03-02T10:00:00+08:00", AGENTS);
    size_t n = 0;
    const fu_touchpoint *tp = plan_day(&f, "2026-03-02T10:00:00+08:00", &n);
    cr_assert_eq(n, 4);
    int load[3] = {0, 0, 0};
    for (size_t i = 0; i < n; i++) {
        cr_expect_eq(tp[i].channel, FU_CHANNEL_PHONE);
        cr_expect_eq(tp[i].best_at, T("2026-03-02T10:00:00+08:00"), "%s moved", tp[i].customer_id);
        cr_assert(tp[i].agent[0] == 'A', "%s has no agent", tp[i].customer_id);
        load[tp[i].agent[1] - '1']++;
    }
    const fu_touchpoint *k1 = of(tp, n, "K001");
    cr_expect_str_eq(k1->agent, "A1");
    cr_expect(strstr(k1->reason, "agent A1 (customer's owner)"), "%s", k1->reason);
    cr_expect_str_eq(of(tp, n, "K002")->agent, "A2");
    cr_expect(strstr(of(tp, n, "K002")->reason, "least loaded on shift"), "%s", of(tp, n, "K002")->reason);
    cr_expect_eq(load[0], 2);
    cr_expect_eq(load[1], 2);
    cr_expect_eq(load[2], 0, "A3 is not on shift at 10:00");
    teardown(&f);
}

/* Saturday 2026-03-07 10:00: nobody works at weekends; the window ends
 * Monday 03-09 10:00, so the call moves to Monday 09:00, A1 (file order). */
Test(agents, weekend_call_moves_to_the_first_shift) {
    fx f;
    setup(&f, 1, 0, "", "2026-03-07T10:00:00+08:00", AGENTS);
    cr_assert_eq(fu_planner_plan(f.pl, T("2026-03-07T10:00:00+08:00"), 3 * 86400, &f.plan), FU_OK, "%s",
                 fu_error_last()->message);
    size_t n = 0;
    const fu_touchpoint *tp = fu_plan_touchpoints(f.plan, FU_TOUCHPOINT_PLANNED, &n);
    cr_assert_eq(n, 1);
    cr_expect_eq(tp[0].best_at, T("2026-03-09T09:00:00+08:00"));
    cr_expect_str_eq(tp[0].agent, "A1");
    cr_expect(strstr(tp[0].reason, "agents.shift"), "%s", tp[0].reason);
    fu_plan_free(f.plan);
    /* a one-day horizon ends Sunday 10:00: Monday's call is for a later run */
    cr_assert_eq(fu_planner_plan(f.pl, T("2026-03-07T10:00:00+08:00"), 86400, &f.plan), FU_OK);
    fu_plan_touchpoints(f.plan, FU_TOUCHPOINT_PLANNED, &n);
    cr_expect_eq(n, 0);
    tp = fu_plan_touchpoints(f.plan, FU_TOUCHPOINT_LATER, &n);
    cr_assert_eq(n, 1);
    cr_expect_eq(tp[0].best_at, T("2026-03-09T09:00:00+08:00"));
    cr_expect_str_eq(tp[0].status_rule, "agents.shift");
    cr_expect_str_eq(tp[0].agent, "");
    teardown(&f);
}

/* Only a Wednesday shift: no agent within [Sat 10:00, Mon 10:00]: the call
 * is made at the first instant one may after the window, Wed 09:00, late
 * (status_rule agents.shift); with a one-day horizon that is a later run's. */
Test(agents, no_shift_in_the_window_makes_it_late) {
    fx f;
    setup(&f, 1, 0, "", "2026-03-07T10:00:00+08:00",
          "agent_id,shift,tz\nW1,Wed 09:00-18:00,Asia/Shanghai\n");
    cr_assert_eq(fu_planner_plan(f.pl, T("2026-03-07T10:00:00+08:00"), 86400, &f.plan), FU_OK, "%s",
                 fu_error_last()->message);
    size_t n = 0;
    fu_plan_touchpoints(f.plan, FU_TOUCHPOINT_PLANNED, &n);
    cr_expect_eq(n, 0);
    const fu_touchpoint *tp = fu_plan_touchpoints(f.plan, FU_TOUCHPOINT_LATER, &n);
    cr_assert_eq(n, 1);
    cr_expect_str_eq(tp[0].status_rule, "agents.shift");
    cr_expect_eq(tp[0].best_at, T("2026-03-11T09:00:00+08:00"));
    cr_expect_str_eq(tp[0].agent, "");
    fu_plan_stats st;
    fu_plan_get_stats(f.plan, &st);
    cr_expect_eq(st.later, 1);
    cr_expect_eq(st.late, 1);
    cr_expect_eq(st.planned, 0);
    cr_expect_eq(st.agent_contacts, 0);
    fu_plan_free(f.plan);
    cr_assert_eq(fu_planner_plan(f.pl, T("2026-03-07T10:00:00+08:00"), 7 * 86400, &f.plan), FU_OK);
    tp = fu_plan_touchpoints(f.plan, FU_TOUCHPOINT_PLANNED, &n);
    cr_assert_eq(n, 1);
    cr_expect_eq(tp[0].due_to, T("2026-03-09T10:00:00+08:00"));
    cr_expect_eq(tp[0].best_at, T("2026-03-11T09:00:00+08:00"));
    cr_expect_str_eq(tp[0].agent, "W1");
    cr_expect_str_eq(tp[0].status_rule, "agents.shift");
    cr_expect(strstr(tp[0].reason, "late: no agent may call within the window (agents.shift)"), "%s", tp[0].reason);
    teardown(&f);
}

/* calls_per_day 1 each: the third call of Monday waits for Tuesday 09:00. */
Test(agents, calls_per_day_moves_the_overflow) {
    fx f;
    setup(&f, 3, 0, "", "2026-03-02T10:00:00+08:00",
          "agent_id,shift,tz,calls_per_day\nB1,Mon-Fri 09:00-18:00,Asia/Shanghai,1\n"
          "B2,Mon-Fri 09:00-18:00,Asia/Shanghai,1\n");
    size_t n = 0;
    const fu_touchpoint *tp = plan_day(&f, "2026-03-02T10:00:00+08:00", &n);
    cr_assert_eq(n, 3);
    cr_expect_str_eq(of(tp, n, "K001")->agent, "B1");
    cr_expect_str_eq(of(tp, n, "K002")->agent, "B2");
    const fu_touchpoint *k3 = of(tp, n, "K003");
    cr_expect_eq(k3->best_at, T("2026-03-03T09:00:00+08:00"));
    cr_expect_str_eq(k3->agent, "B1");
    cr_expect_eq(tp[n - 1].customer, k3->customer, "the plan stays ordered by best_at");
    teardown(&f);
}

/* 81 customers of A1: the 81st in book order is over
 * capacity.customers_per_vip_agent (80) and goes to somebody else. */
Test(agents, owner_capacity_80) {
    fx f;
    setup(&f, 81, 81, "A1", "2026-03-02T10:00:00+08:00",
          "agent_id,shift,tz,calls_per_day\nA1,Mon-Fri 09:00-18:00,Asia/Shanghai,1000\n"
          "A2,Mon-Fri 09:00-18:00,Asia/Shanghai,1000\n");
    size_t n = 0;
    const fu_touchpoint *tp = plan_day(&f, "2026-03-02T10:00:00+08:00", &n);
    cr_assert_eq(n, 81);
    for (size_t i = 0; i < n; i++) {
        const char *want = strcmp(tp[i].customer_id, "K081") == 0 ? "A2" : "A1";
        cr_expect_str_eq(tp[i].agent, want, "%s", tp[i].customer_id);
    }
    const fu_touchpoint *k = of(tp, n, "K081");
    cr_expect(strstr(k->reason, "owner A1 already has capacity.customers_per_vip_agent = 80 customers"), "%s",
              k->reason);
    teardown(&f);
}

Test(agents, without_agents_nobody_is_named) {
    fx f;
    setup(&f, 2, 1, "A1", "2026-03-02T10:00:00+08:00", "");
    cr_assert_eq(fu_planner_plan(f.pl, T("2026-03-02T10:00:00+08:00"), 86400, &f.plan), FU_OK);
    size_t n = 0;
    const fu_touchpoint *tp = fu_plan_touchpoints(f.plan, FU_TOUCHPOINT_PLANNED, &n);
    cr_assert_eq(n, 2);
    for (size_t i = 0; i < n; i++) cr_expect_str_eq(tp[i].agent, "");
    teardown(&f);
}

/* review s6 #4: an agent's calls are spread over its shift hours, not all
 * given at one instant. A1 makes 20 calls a day on a 9-hour shift (09:00 to
 * 18:00): ceil(20 x 60 / 540) = 3 an hour. Eight deliveries at 10:00: 3 at
 * 10:00, 3 at 11:00, and the last 2 at 13:30 (agents.team_hours: lunch
 * 12:00-13:30), in plan order. Before, all 8 were at 10:00. */
Test(agents, calls_per_hour_spread_over_the_shift) {
    fx f;
    setup(&f, 8, 0, "", "2026-03-02T10:00:00+08:00",
          "agent_id,shift,tz,calls_per_day\nA1,Mon-Fri 09:00-18:00,Asia/Shanghai,20\n");
    size_t n = 0;
    const fu_touchpoint *tp = plan_day(&f, "2026-03-02T10:00:00+08:00", &n);
    cr_assert_eq(n, 8);
    int at10 = 0, at11 = 0, at1330 = 0;
    for (size_t i = 0; i < n; i++) {
        cr_expect_str_eq(tp[i].agent, "A1");
        at10 += tp[i].best_at == T("2026-03-02T10:00:00+08:00");
        at11 += tp[i].best_at == T("2026-03-02T11:00:00+08:00");
        at1330 += tp[i].best_at == T("2026-03-02T13:30:00+08:00");
        if (tp[i].best_at != T("2026-03-02T10:00:00+08:00"))
            cr_expect(strstr(tp[i].reason, "moved to the first instant an agent may call"), "%s", tp[i].reason);
    }
    cr_expect_eq(at10, 3);
    cr_expect_eq(at11, 3);
    cr_expect_eq(at1330, 2);
    teardown(&f);
}

Test(agents, bad_agents_csv) {
    fx f;
    setup(&f, 1, 0, "", "2026-03-02T10:00:00+08:00", AGENTS);
    static const char *const bad[] = {
        "agent_id,team\nA1,care\n",                                   /* no shift column */
        "agent_id,shift\nA1,Mon-Fri 09:00-25:00\n",                   /* bad windows */
        "agent_id,shift,skills\nA1,Mon 09:00-10:00,phone;fax\n",      /* unknown channel */
        "agent_id,shift\nA1,Mon 09:00-10:00\nA1,Tue 09:00-10:00\n",   /* twice */
        "agent_id,shift,tz\nA1,Mon 09:00-10:00,Mars/Olympus\n",       /* zone */
        "agent_id,shift,calls_per_day\nA1,Mon 09:00-10:00,lots\n",    /* number */
        "agent_id,shift\n",                                           /* no agent (review s6 #6) */
        "agent_id,shift",                                             /* no agent, no newline */
    };
    static const unsigned long line[] = {1, 2, 2, 3, 2, 2, 2, 2};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = fu_planner_set_agents(f.pl, bad[i], strlen(bad[i]), "agents.csv");
        cr_expect(rc == FU_EPARSE || rc == FU_ETIMEZONE, "case %zu: %d", i, rc);
        const fu_error *e = fu_error_last();
        cr_expect_str_eq(e->source, "agents.csv", "case %zu", i);
        cr_expect_eq(e->line, line[i], "case %zu: %s", i, e->message);
    }
    /* the planner kept its agents */
    cr_assert_eq(fu_planner_plan(f.pl, T("2026-03-02T10:00:00+08:00"), 86400, &f.plan), FU_OK);
    size_t n = 0;
    const fu_touchpoint *tp = fu_plan_touchpoints(f.plan, FU_TOUCHPOINT_PLANNED, &n);
    cr_assert_eq(n, 1);
    cr_expect_str_eq(tp[0].agent, "A1");
    teardown(&f);
}

Test(agents, owner_column_round_trips) {
    fx f;
    setup(&f, 2, 1, "A1", "2026-03-02T10:00:00+08:00", "");
    cr_expect_str_eq(fu_book_customer(f.book, 0)->owner, "A1");
    cr_expect_null(fu_book_customer(f.book, 1)->owner);
    char *s = NULL;
    cr_assert_eq(fu_book_write_customers_csv_to_string(f.book, NULL, &s), FU_OK);
    cr_expect(strstr(s, ",consent_email,owner\n"), "%s", s);
    cr_expect(strstr(s, ",yes,yes,yes,A1\n"), "%s", s);
    fu_free(s);
    teardown(&f);
}

static int oom_op(void *ctx) {
    (void)ctx;
    fx f;
    static const char C[] = "customer_id,tz,owner\nK1,Asia/Shanghai,A1\nK2,Asia/Shanghai,\n";
    static const char E[] = "customer_id,at,kind\nK1,2026-03-07T10:00:00+08:00,delivery\n"
                            "K2,2026-03-02T10:00:00+08:00,delivery\n";
    int rc = fu_test_planner_open(&f, C, E, AGENTS);
    if (!rc) rc = fu_planner_plan(f.pl, T("2026-03-02T00:00:00+08:00"), 7 * 86400, &f.plan);
    fu_test_planner_free(&f);
    return rc;
}

Test(agents, out_of_memory) {
    unsigned long n = fu_test_oom("planner with agents", oom_op, NULL, 40000);
    cr_expect_gt(n, 0);
}

/* ------------------------------------------------------------ best time */

/* January history (the Mondays 01-05 .. 01-26, Shanghai, more than 30 days
 * before the delivery: the caps do not see it; Mondays only, so that the
 * best hour of the week is a Monday's), one phone attempt at each hour:10 of
 * `hours` ("0910": 09:10 and 10:10), answered at those of `answered`. */
static size_t bt_history(char *e, size_t cap, size_t le, const char *id, const char *hours, const char *answered) {
    for (int day = 5; day <= 30; day += 7) {
        for (const char *h = hours; *h; h += 2) {
            int hour = (h[0] - '0') * 10 + (h[1] - '0');
            int ans = 0;
            for (const char *a = answered; *a; a += 2) ans |= a[0] == h[0] && a[1] == h[1];
            le += (size_t)snprintf(e + le, cap - le, "%s,2026-01-%02dT%02d:10:00+08:00,contact,,phone,%s\n", id, day,
                                   hour, ans ? "answered" : "no_answer");
        }
    }
    cr_assert(le < cap);
    return le;
}

/* K001..K003 (below), delivered on Mon 2026-03-02 09:00, planned with
 * planner flags `flags` and one agent that makes one call an hour (7 calls
 * in the 450 minutes its 9-hour shift meets the team hours: ceil(7 x 60 /
 * 450) = 1). */
static void bt_setup(fx *f, unsigned flags) {
    memset(f, 0, sizeof *f);
    size_t cap = 64 * 1024;
    char *e = malloc(cap);
    cr_assert_not_null(e);
    size_t le = (size_t)snprintf(e, cap, "customer_id,at,kind,order_id,channel,outcome\n");
    le = bt_history(e, cap, le, "K001", "1015", "1015");
    le = bt_history(e, cap, le, "K002", "1011", "1011");
    le = bt_history(e, cap, le, "K003", "0910111314151617", "10");
    for (int i = 1; i <= 3; i++)
        le += (size_t)snprintf(e + le, cap - le, "K%03d,2026-03-02T09:00:00+08:00,delivery,O%d,,\n", i, i);
    cr_assert(le < cap);
    f->policy = fu_test_policy(NULL);
    f->book = fu_test_book("customer_id,tz,annual_spend,consent_phone,consent_sms,consent_email\n"
                           "K001,Asia/Shanghai,20000,yes,yes,yes\n"
                           "K002,Asia/Shanghai,20000,yes,yes,yes\n"
                           "K003,Asia/Shanghai,20000,yes,yes,yes\n",
                           e);
    free(e);
    cr_assert_eq(fu_book_finalize(f->book), FU_OK);
    fu_planner_options o = FU_PLANNER_OPTIONS_INIT;
    o.flags = flags;
    cr_assert_eq(fu_planner_new(&f->pl, f->policy, f->book, &o), FU_OK, "%s", fu_error_last()->message);
    static const char one[] = "agent_id,shift,tz,calls_per_day\nA1,Mon-Fri 09:00-18:00,Asia/Shanghai,7\n";
    cr_assert_eq(fu_planner_set_agents(f->pl, one, strlen(one), "agents"), FU_OK, "%s", fu_error_last()->message);
}

/* Plan bt_setup(flags)'s book on Monday 09:00 for one day: K001..K003
 * planned at `at[0..2]`, all by A1; *k their touchpoints (borrowed from f). */
static void bt_plan(fx *f, unsigned flags, const char *const at[3], const fu_touchpoint *k[3]) {
    bt_setup(f, flags);
    size_t n = 0;
    const fu_touchpoint *tp = plan_day(f, "2026-03-02T09:00:00+08:00", &n);
    for (int i = 0; i < 3; i++) {
        char id[8];
        snprintf(id, sizeof id, "K%03d", i + 1);
        k[i] = of(tp, n, id);
        cr_assert_not_null(k[i], "%s not planned (%zu planned)", id, n);
        cr_expect_eq(k[i]->best_at, T(at[i]), "%s: %s", id, k[i]->reason);
        cr_expect_str_eq(k[i]->agent, "A1");
    }
}

/* The overflow of a full best hour goes to the customer's best hour with an
 * agent free, not to the next free hour, and the contacts that lose most by
 * moving take their hours first. All three are best at Monday 10:00 by the
 * model (first contact due [09:00, Wed 09:00], the horizon one day): K001
 * answers at 10 and 15 (its second best: 15:00); K002 at 10 and 11
 * (11:00); K003 only at 10 (every other hour tried, never answered: the
 * sharpest best hour, so it takes its hour first and keeps 10:00). Before,
 * in plan order: K001 10:00, K002 11:00 (the next free hour), K003 13:30
 * (after lunch, agents.team_hours). */
Test(agents, besttime_overflow_goes_to_the_customers_next_best_hour) {
    fx f;
    static const char *const at[3] = {"2026-03-02T15:00:00+08:00", "2026-03-02T11:00:00+08:00",
                                      "2026-03-02T10:00:00+08:00"};
    const fu_touchpoint *k[3];
    bt_plan(&f, FU_PLANNER_BESTTIME, at, k);
    cr_expect(strstr(k[0]->reason, "moved to the customer's best hour with an agent free"), "%s", k[0]->reason);
    cr_expect(!strstr(k[2]->reason, "moved"), "%s", k[2]->reason);
    teardown(&f);
}

/* Without the model the same book keeps the first-free-hour rule in plan
 * order: K001 09:00 (the first allowed instant), K002 10:00, K003 11:00. */
Test(agents, without_besttime_overflow_goes_to_the_next_free_hour) {
    fx f;
    static const char *const at[3] = {"2026-03-02T09:00:00+08:00", "2026-03-02T10:00:00+08:00",
                                      "2026-03-02T11:00:00+08:00"};
    const fu_touchpoint *k[3];
    bt_plan(&f, 0u, at, k);
    cr_expect(strstr(k[2]->reason, "moved to the first instant an agent may call"), "%s", k[2]->reason);
    teardown(&f);
}

/* fu_planner_short_agents() is worked out once per local day of the agents
 * (the plans of a day reuse it), and again for another day: agents read in
 * UTC (shift 09:00-18:00 UTC = 17:00-02:00 Beijing) meet the team hours 60
 * minutes a weekday, less than their 40 calls need (90 minutes: review s7
 * F16). Over National Day (Thu 10-01 .. Wed 10-07 2026, the built-in cn
 * calendar) the team works no day of the week ahead, nobody is short; on the
 * Monday after, both are again. */
Test(agents, short_agents_follow_the_plan_day) {
    fu_test_planner f;
    int rc = fu_test_planner_open(&f, "customer_id,tz\nC1,Asia/Shanghai\n",
                                  "customer_id,at,kind,order_id,product_class\n"
                                  "C1,2026-09-28T10:00:00+08:00,delivery,O1,mid_price\n",
                                  "agent_id,shift,calls_per_day\n"
                                  "A1,Mon-Fri 09:00-18:00,40\nA2,Mon-Fri 09:00-18:00,40\n");
    cr_assert_eq(rc, FU_OK, "%s", fu_error_last()->message);
    static const struct {
        const char *now;
        size_t want;
    } runs[] = {{"2026-09-28T08:00:00+08:00", 2}, {"2026-09-28T15:00:00+08:00", 2},
                {"2026-10-01T08:00:00+08:00", 0}, {"2026-10-01T20:00:00+08:00", 0},
                {"2026-10-12T08:00:00+08:00", 2}};
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        fu_plan_free(f.plan);
        f.plan = NULL;
        cr_assert_eq(fu_planner_plan(f.pl, fu_test_time(runs[i].now), 86400, &f.plan), FU_OK, "%s",
                     fu_error_last()->message);
        size_t k = 9;
        int minutes = -1, need = -1;
        cr_assert_eq(fu_planner_short_agents(f.pl, &k, NULL, &minutes, &need), FU_OK);
        cr_expect_eq(k, runs[i].want, "plan at %s: %zu short agents, want %zu", runs[i].now, k, runs[i].want);
        if (k) cr_expect(minutes == 60 && need == 90, "minutes %d need %d", minutes, need);
    }
    fu_test_planner_free(&f);
}

/* A plan names its agents with its own copies of their ids: it may outlive
 * the planner's agents file (a new one, or none) and the planner itself, as
 * planner.h says a plan may (before, it pointed into the planner's agents:
 * freed memory then). */
Test(agents, the_plan_keeps_its_agents_names_past_the_planner) {
    fx f;
    setup(&f, 4, 1, "A1", "2026-03-02T10:00:00+08:00", AGENTS);
    size_t n = 0;
    const fu_touchpoint *tp = plan_day(&f, "2026-03-02T10:00:00+08:00", &n);
    cr_assert_eq(n, 4);
    cr_assert_str_eq(of(tp, n, "K001")->agent, "A1");
    static const char other[] = "agent_id,shift,tz\nZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ,Mon-Sun 00:00-24:00,UTC\n";
    cr_assert_eq(fu_planner_set_agents(f.pl, other, strlen(other), "agents"), FU_OK);
    cr_assert_eq(fu_planner_set_agents(f.pl, "", 0, NULL), FU_OK);
    fu_planner_free(f.pl);
    f.pl = NULL;
    cr_assert_str_eq(of(tp, n, "K001")->agent, "A1");
    for (size_t i = 0; i < n; i++)
        cr_assert(!strcmp(tp[i].agent, "A1") || !strcmp(tp[i].agent, "A2"), "%s", tp[i].agent);
    teardown(&f);
}
