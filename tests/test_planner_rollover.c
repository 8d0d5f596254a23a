/* Numeric capacity over a horizon of several days (review s11 M1,
 * lib/planner_rollover.c): a contact over a day's cap moves to the next day
 * of the horizon with room, at the first instant placement allows there;
 * deferred only when no day of the horizon within its window takes it, at
 * an allowed instant. Built-in policy (lib/data/default_policy.yaml): quiet
 * hours 08:00-21:00 local; agents: team hours of calendar cn 09:00-12:00,
 * 13:30-18:00 Beijing, no weekends, no holidays (2026-10-01..10-07), urgent
 * exempt; delivery.first_contact high, phone, within 48 h; second_contact
 * normal, phone, at 7 d within 8 d. 2026-11-23 is a Monday. Expected
 * instants worked out by hand. */
#include "fu_test.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#define T fu_test_time
#define DAY 86400
typedef fu_test_planner fx;

static const char CUST5[] = "customer_id,tz,consent_phone\nC1,Asia/Shanghai,yes\nC2,Asia/Shanghai,yes\n"
                            "C3,Asia/Shanghai,yes\nC4,Asia/Shanghai,yes\nC5,Asia/Shanghai,yes\n";

/* Deliveries of customers C1..Cn at `at` (ISO). */
static char *deliveries(int n, const char *at) {
    static char buf[1024];
    int len = snprintf(buf, sizeof buf, "customer_id,at,kind,order_id\n");
    for (int i = 1; i <= n; i++) len += snprintf(buf + len, sizeof buf - (size_t)len, "C%d,%s,delivery,O%d\n", i, at, i);
    return buf;
}

/* *f with `yaml` (NULL: the built-in policy), the book, and a planner for
 * `agents` agents of `calls` calls a day each. */
static void open_cap_flags(fx *f, const char *yaml, const char *customers, const char *events, unsigned agents,
                           unsigned calls, unsigned flags) {
    memset(f, 0, sizeof *f);
    f->policy = fu_test_policy(yaml);
    cr_assert(f->policy);
    cr_assert_eq(fu_book_new(&f->book, NULL), FU_OK);
    cr_assert_eq(fu_book_read_customers_csv_from_string(f->book, customers, strlen(customers), "c"), FU_OK, "%s",
                 fu_error_last()->message);
    cr_assert_eq(fu_book_read_events_csv_from_string(f->book, events, strlen(events), "e"), FU_OK, "%s",
                 fu_error_last()->message);
    fu_planner_options o = FU_PLANNER_OPTIONS_INIT;
    o.agents = agents;
    o.calls_per_agent = calls;
    o.flags = flags;
    cr_assert_eq(fu_planner_new(&f->pl, f->policy, f->book, &o), FU_OK, "%s", fu_error_last()->message);
}

static void open_cap(fx *f, const char *yaml, const char *customers, const char *events, unsigned agents,
                     unsigned calls) {
    open_cap_flags(f, yaml, customers, events, agents, calls, 0u);
}

static const fu_touchpoint *find(const fx *f, fu_touchpoint_status s, const char *id) {
    return fu_test_find_touchpoint(f->plan, s, id, "delivery.");
}

/* Every due touchpoint in one state; the capacity counters agree with the rows. */
static void expect_consistent(const fx *f, size_t cap) {
    fu_plan_stats st = fu_test_plan_stats(f->plan);
    cr_expect_eq(st.due, st.planned + st.merged + st.suppressed + st.deferred + st.later + st.done);
    cr_expect_eq(st.capacity_per_day, cap);
    size_t n = 0, agent = 0;
    const fu_touchpoint *t = fu_plan_touchpoints(f->plan, FU_TOUCHPOINT_PLANNED, &n);
    for (size_t i = 0; i < n; i++)
        agent += t[i].channel == FU_CHANNEL_PHONE || t[i].channel == FU_CHANNEL_VIDEO ||
                 t[i].channel == FU_CHANNEL_CHAT || t[i].channel == FU_CHANNEL_VISIT;
    cr_expect_eq(st.agent_contacts, agent);
    fu_touchpoint_status s[] = {FU_TOUCHPOINT_PLANNED, FU_TOUCHPOINT_DEFERRED};
    size_t want[] = {st.planned, st.deferred};
    for (int k = 0; k < 2; k++) {
        fu_plan_touchpoints(f->plan, s[k], &n);
        cr_expect_eq(n, want[k]);
    }
}

/* The reviewer's case: 3 deliveries Mon 11-23 10:00, windows to Wed 11-25
 * 10:00, 1 agent x 1 call, 5 days. C1 Mon 10:00; C2 and C3 (same key but
 * the row) roll to Tue: C2 wins it at 09:00 (quiet hours end 08:00, the team
 * starts 09:00); C3 rolls on to Wed 09:00, within its window. Before: C2 and
 * C3 deferred to Tue 00:00 (quiet hours), Tue and Wed empty. */
Test(rollover, reviewer_case_plans_one_a_day) {
    fx f;
    open_cap(&f, NULL, CUST5, deliveries(3, "2026-11-23T10:00:00+08:00"), 1, 1);
    fu_test_planner_plan_at(&f, "2026-11-23T10:00:00+08:00", 5 * DAY);
    static const char *const who[] = {"C1", "C2", "C3"};
    static const char *const at[] = {"2026-11-23T10:00:00+08:00", "2026-11-24T09:00:00+08:00",
                                     "2026-11-25T09:00:00+08:00"};
    for (int i = 0; i < 3; i++) {
        const fu_touchpoint *t = find(&f, FU_TOUCHPOINT_PLANNED, who[i]);
        cr_assert(t, "%s", who[i]);
        cr_expect_eq(t->best_at, T(at[i]), "%s: %s", who[i], t->reason);
        cr_expect_str_eq(t->status_rule, "");
        cr_expect_eq(strstr(t->reason, "next day with room") != NULL, i > 0, "%s: %s", who[i], t->reason);
    }
    fu_plan_stats st = fu_test_plan_stats(f.plan);
    cr_expect_eq(st.planned, 3);
    cr_expect_eq(st.deferred, 0);
    cr_expect_eq(st.agent_contacts, 3);
    expect_consistent(&f, 1);
    fu_test_planner_free(&f);
}

/* Five such deliveries: C4 and C5 find no day with room in their windows
 * (Wed's call is C3's, the windows close Wed 10:00): deferred
 * (capacity.calls_per_agent_day) at the first instant they may be made
 * after the last day tried, Thu 11-26 09:00 (an allowed instant: not
 * midnight in quiet hours). */
Test(rollover, window_end_defers_at_an_allowed_instant) {
    fx f;
    open_cap(&f, NULL, CUST5, deliveries(5, "2026-11-23T10:00:00+08:00"), 1, 1);
    fu_test_planner_plan_at(&f, "2026-11-23T10:00:00+08:00", 5 * DAY);
    for (int i = 4; i <= 5; i++) {
        char id[8];
        snprintf(id, sizeof id, "C%d", i);
        const fu_touchpoint *t = find(&f, FU_TOUCHPOINT_DEFERRED, id);
        cr_assert(t, "%s", id);
        cr_expect_str_eq(t->status_rule, "capacity.calls_per_agent_day");
        cr_expect_eq(t->best_at, T("2026-11-26T09:00:00+08:00"), "%s: %s", id, t->reason);
    }
    fu_plan_stats st = fu_test_plan_stats(f.plan);
    cr_expect_eq(st.planned, 3);
    cr_expect_eq(st.deferred, 2);
    cr_expect_eq(st.agent_contacts, 3);
    expect_consistent(&f, 1);
    fu_test_planner_free(&f);
}

/* FU_PLANNER_DAILY_CAPACITY: the reviewer's case over 5 days by the one-day
 * rule of the global capacity pass, as before review s11 M1: C1 Mon 10:00;
 * C2 and C3 deferred (capacity.calls_per_agent_day) to Tue 00:00, the next
 * day's start; Tue and Wed stay empty. */
Test(rollover, daily_capacity_flag_defers_to_the_next_day) {
    fx f;
    open_cap_flags(&f, NULL, CUST5, deliveries(3, "2026-11-23T10:00:00+08:00"), 1, 1, FU_PLANNER_DAILY_CAPACITY);
    fu_test_planner_plan_at(&f, "2026-11-23T10:00:00+08:00", 5 * DAY);
    const fu_touchpoint *t = find(&f, FU_TOUCHPOINT_PLANNED, "C1");
    cr_assert(t);
    cr_expect_eq(t->best_at, T("2026-11-23T10:00:00+08:00"));
    for (int i = 2; i <= 3; i++) {
        char id[8];
        snprintf(id, sizeof id, "C%d", i);
        t = find(&f, FU_TOUCHPOINT_DEFERRED, id);
        cr_assert(t, "%s", id);
        cr_expect_str_eq(t->status_rule, "capacity.calls_per_agent_day");
        cr_expect_eq(t->best_at, T("2026-11-24T00:00:00+08:00"), "%s: %s", id, t->reason);
        cr_expect_null(strstr(t->reason, "next day with room"), "%s: %s", id, t->reason);
    }
    fu_plan_stats st = fu_test_plan_stats(f.plan);
    cr_expect_eq(st.planned, 1);
    cr_expect_eq(st.deferred, 2);
    cr_expect_eq(st.agent_contacts, 1);
    expect_consistent(&f, 1);
    fu_test_planner_free(&f);
}

/* Over one day the flag changes nothing: both rules defer to the next day's
 * start, so the plans are the same byte for byte (the plan CSV with status). */
Test(rollover, daily_capacity_flag_one_day_horizon_same_plan) {
    char *csv[2] = {NULL, NULL};
    for (int k = 0; k < 2; k++) {
        fx f;
        open_cap_flags(&f, NULL, CUST5, deliveries(5, "2026-11-23T10:00:00+08:00"), 1, 2,
                       k ? FU_PLANNER_DAILY_CAPACITY : 0u);
        fu_test_planner_plan_at(&f, "2026-11-23T10:00:00+08:00", DAY);
        size_t len = 0;
        cr_assert_eq(fu_plan_write_csv_to_string(f.plan, 0x1Fu, FU_PLAN_CSV_STATUS, &len, &csv[k]), FU_OK);
        fu_plan_stats st = fu_test_plan_stats(f.plan);
        cr_expect_eq(st.deferred, 3);
        fu_test_planner_free(&f);
    }
    cr_expect_str_eq(csv[0], csv[1]);
    fu_free(csv[0]);
    fu_free(csv[1]);
}

/* An unknown flag bit past FU_PLANNER_DAILY_CAPACITY is refused. */
Test(rollover, daily_capacity_flag_is_known_the_next_bit_is_not) {
    fx f;
    open_cap_flags(&f, NULL, CUST5, deliveries(1, "2026-11-23T10:00:00+08:00"), 1, 1, FU_PLANNER_DAILY_CAPACITY);
    fu_planner_options o = FU_PLANNER_OPTIONS_INIT;
    o.flags = FU_PLANNER_DAILY_CAPACITY << 1;
    fu_planner *pl = NULL;
    cr_expect_eq(fu_planner_new(&pl, f.policy, f.book, &o), FU_EINVAL);
    cr_expect_null(pl);
    fu_test_planner_free(&f);
}

/* A one-day horizon (the default of `followup plan`) is as before: the
 * contacts over the cap are deferred to the next day's start. */
Test(rollover, one_day_horizon_is_unchanged) {
    fx f;
    open_cap(&f, NULL, CUST5, deliveries(3, "2026-11-23T10:00:00+08:00"), 1, 1);
    fu_test_planner_plan_at(&f, "2026-11-23T10:00:00+08:00", DAY);
    for (int i = 2; i <= 3; i++) {
        char id[8];
        snprintf(id, sizeof id, "C%d", i);
        const fu_touchpoint *t = find(&f, FU_TOUCHPOINT_DEFERRED, id);
        cr_assert(t, "%s", id);
        cr_expect_eq(t->best_at, T("2026-11-24T00:00:00+08:00"));
    }
    expect_consistent(&f, 1);
    fu_test_planner_free(&f);
}

/* Priority across days. C1 and C2: deliveries Mon 11-23 10:00 (high). C3: a
 * delivery Mon 11-16 10:00 answered on 11-16 (first contact done), its
 * second_contact (normal) due [Mon 11-23 10:00, Tue 12-01 10:00]: planned
 * Mon 10:00 too. Cap 1: Mon goes to C1 (high, then row), C2 (high) beats C3
 * (normal) on Tue at 09:00, C3 rolls on to Wed 09:00. Moved contacts compete
 * on their new day by the same key: C3 does not keep Tue by arriving first. */
Test(rollover, priority_order_holds_across_days) {
    static const char E[] = "customer_id,at,kind,order_id,channel,outcome\n"
                            "C1,2026-11-23T10:00:00+08:00,delivery,O1,,\n"
                            "C2,2026-11-23T10:00:00+08:00,delivery,O2,,\n"
                            "C3,2026-11-16T10:00:00+08:00,delivery,O3,,\n"
                            "C3,2026-11-16T11:00:00+08:00,contact,O3,phone,answered\n";
    fx f;
    open_cap(&f, NULL, CUST5, E, 1, 1);
    fu_test_planner_plan_at(&f, "2026-11-23T10:00:00+08:00", 5 * DAY);
    const fu_touchpoint *c1 = find(&f, FU_TOUCHPOINT_PLANNED, "C1"), *c2 = find(&f, FU_TOUCHPOINT_PLANNED, "C2");
    const fu_touchpoint *c3 = fu_test_find_touchpoint(f.plan, FU_TOUCHPOINT_PLANNED, "C3", "second_contact");
    cr_assert(c1 && c2 && c3);
    cr_expect_eq(c3->priority, FU_PRIORITY_NORMAL);
    cr_expect_eq(c1->best_at, T("2026-11-23T10:00:00+08:00"), "%s", c1->reason);
    cr_expect_eq(c2->best_at, T("2026-11-24T09:00:00+08:00"), "%s", c2->reason);
    cr_expect_eq(c3->best_at, T("2026-11-25T09:00:00+08:00"), "%s", c3->reason);
    expect_consistent(&f, 1);
    fu_test_planner_free(&f);
}

/* A site policy without the deliveries' second contact (due 10-07 10:00,
 * it would take the days after the holidays), the first contact's window
 * `within` long. */
static const char *no_second(const char *within) {
    static char y[512];
    snprintf(y, sizeof y,
             "extends: builtin\ncadences:\n  delivery:\n    steps:\n      second_contact: ~\n      first_contact: "
             "{at: 0h, within: %s, purpose: confirm receipt and first use, channel: phone, priority: high}\n",
             within);
    return y;
}

/* Holidays are skipped: deliveries Wed 09-30 10:00, windows of 10 days,
 * National Day 10-01..10-07 (no agent call, the customers' holidays): C2
 * rolls from Wed to Thu 10-08 09:00, the first day after them. */
Test(rollover, holidays_are_skipped) {
    fx f;
    open_cap(&f, no_second("10d"), CUST5, deliveries(2, "2026-09-30T10:00:00+08:00"), 1, 1);
    fu_test_planner_plan_at(&f, "2026-09-30T10:00:00+08:00", 10 * DAY);
    const fu_touchpoint *c1 = find(&f, FU_TOUCHPOINT_PLANNED, "C1"), *c2 = find(&f, FU_TOUCHPOINT_PLANNED, "C2");
    cr_assert(c1 && c2);
    cr_expect_eq(c1->best_at, T("2026-09-30T10:00:00+08:00"));
    cr_expect_eq(c2->best_at, T("2026-10-08T09:00:00+08:00"), "%s", c2->reason);
    expect_consistent(&f, 1);
    fu_test_planner_free(&f);

    /* the built-in 48 h window closes on 10-02, inside the holidays: deferred
     * at the first instant after them an agent may call */
    open_cap(&f, no_second("48h"), CUST5, deliveries(2, "2026-09-30T10:00:00+08:00"), 1, 1);
    fu_test_planner_plan_at(&f, "2026-09-30T10:00:00+08:00", 10 * DAY);
    c2 = find(&f, FU_TOUCHPOINT_DEFERRED, "C2");
    cr_assert(c2);
    cr_expect_eq(c2->best_at, T("2026-10-08T09:00:00+08:00"), "%s", c2->reason);
    cr_expect_str_eq(c2->status_rule, "capacity.calls_per_agent_day");
    expect_consistent(&f, 1);
    fu_test_planner_free(&f);
}

/* Two calls a day: 5 deliveries Mon 10:00 take Mon (C1, C2), Tue (C3, C4 at
 * 09:00: one agent call each, the cap counts calls, not instants) and C5
 * Wed 09:00. */
Test(rollover, two_calls_a_day) {
    fx f;
    open_cap(&f, NULL, CUST5, deliveries(5, "2026-11-23T10:00:00+08:00"), 1, 2);
    fu_test_planner_plan_at(&f, "2026-11-23T10:00:00+08:00", 5 * DAY);
    static const char *const at[] = {"2026-11-23T10:00:00+08:00", "2026-11-23T10:00:00+08:00",
                                     "2026-11-24T09:00:00+08:00", "2026-11-24T09:00:00+08:00",
                                     "2026-11-25T09:00:00+08:00"};
    for (int i = 0; i < 5; i++) {
        char id[8];
        snprintf(id, sizeof id, "C%d", i + 1);
        const fu_touchpoint *t = find(&f, FU_TOUCHPOINT_PLANNED, id);
        cr_assert(t, "%s", id);
        cr_expect_eq(t->best_at, T(at[i]), "%s: %s", id, t->reason);
    }
    expect_consistent(&f, 2);
    fu_test_planner_free(&f);
}

/* The local minute of the day in Beijing and whether it is a weekday. */
static int beijing_minute(int64_t t, int *weekday) {
    int64_t l = t + 8 * 3600, day = l / DAY;
    *weekday = (int)((day + 3) % 7) < 5; /* 1970-01-01 was a Thursday; Monday 0 */
    return (int)(l % DAY) / 60;
}

/* A real book under the rules, checked independently: the realistic sample
 * (1,000 customers), 1 agent x 20 calls, 7 days from Mon 12-14 09:00
 * Beijing. Every day of the policy calendar holds at most 20 agent calls;
 * contacts were moved; each moved one and each contact deferred by the
 * capacity is at an instant the contact guard (the planner's rules over the
 * history, docs/guard.md) allows, within the team hours (Mon-Fri 09:00-12:00,
 * 13:30-18:00 Beijing, no holiday in that week) unless urgent, and 24 h
 * (caps.min_gap) from the customer's other planned contacts unless urgent. */
Test(rollover, realistic_sample_moves_within_the_rules) {
    fx f;
    memset(&f, 0, sizeof f);
    cr_assert_eq(fu_policy_default(&f.policy), FU_OK);
    cr_assert_eq(fu_book_new(&f.book, NULL), FU_OK);
    cr_assert_eq(fu_book_read_customers_csv(f.book, FU_TEST_SRCDIR "/../examples/sample/realistic/customers.csv"),
                 FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(fu_book_read_events_csv(f.book, FU_TEST_SRCDIR "/../examples/sample/realistic/events.csv"), FU_OK,
                 "%s", fu_error_last()->message);
    cr_assert_eq(fu_book_finalize(f.book), FU_OK);
    fu_planner_options o = FU_PLANNER_OPTIONS_INIT;
    o.agents = 1;
    o.calls_per_agent = 20;
    cr_assert_eq(fu_planner_new(&f.pl, f.policy, f.book, &o), FU_OK, "%s", fu_error_last()->message);
    fu_test_planner_plan_at(&f, "2026-12-14T09:00:00+08:00", 7 * DAY);
    fu_guard *g = NULL;
    cr_assert_eq(fu_guard_new(&g, f.policy, f.book, NULL, NULL), FU_OK, "%s", fu_error_last()->message);
    size_t np = 0, nd = 0, moved = 0, capdef = 0, per_day[10] = {0};
    const fu_touchpoint *p = fu_plan_touchpoints(f.plan, FU_TOUCHPOINT_PLANNED, &np);
    const fu_touchpoint *d = fu_plan_touchpoints(f.plan, FU_TOUCHPOINT_DEFERRED, &nd);
    int64_t day0 = (T("2026-12-14T00:00:00+08:00") + 8 * 3600) / DAY;
    for (size_t i = 0; i < np + nd; i++) {
        const fu_touchpoint *t = i < np ? &p[i] : &d[i - np];
        int agent = t->channel == FU_CHANNEL_PHONE || t->channel == FU_CHANNEL_VIDEO ||
                    t->channel == FU_CHANNEL_CHAT || t->channel == FU_CHANNEL_VISIT;
        if (i < np && agent) {
            int64_t k = (t->best_at + 8 * 3600) / DAY - day0;
            cr_assert(k >= 0 && k < 10);
            per_day[k]++;
        }
        int rolled = i < np ? strstr(t->reason, "next day with room") != NULL
                            : strcmp(t->status_rule, "capacity.calls_per_agent_day") == 0;
        if (!rolled) continue;
        i < np ? moved++ : capdef++;
        fu_guard_request rq = FU_GUARD_REQUEST_INIT;
        rq.customer_id = t->customer_id;
        rq.channel = t->channel;
        rq.at = t->best_at;
        rq.priority = t->priority;
        rq.rule = t->rule;
        rq.order_id = t->order_id;
        fu_guard_decision dec;
        cr_assert_eq(fu_guard_check_request(g, &rq, &dec), FU_OK);
        cr_expect(dec.allowed, "%s %s: %s (%s)", t->customer_id, t->rule, dec.rule, t->reason);
        if (t->priority == FU_PRIORITY_URGENT) continue;
        int wd, m = beijing_minute(t->best_at, &wd);
        cr_expect(wd && ((m >= 540 && m < 720) || (m >= 810 && m < 1080)), "%s: minute %d", t->customer_id, m);
        for (size_t j = 0; j < np && i < np; j++) {
            const fu_touchpoint *o2 = &p[j];
            if (o2 == t || o2->customer != t->customer || o2->priority == FU_PRIORITY_URGENT) continue;
            int64_t gap = o2->best_at > t->best_at ? o2->best_at - t->best_at : t->best_at - o2->best_at;
            cr_expect(gap >= DAY, "%s: %s and %s %lld s apart", t->customer_id, t->rule, o2->rule, (long long)gap);
        }
    }
    for (int k = 0; k < 10; k++) cr_expect_leq(per_day[k], 20, "day %d: %zu", k, per_day[k]);
    cr_expect_gt(moved, 10);
    cr_expect_gt(capdef, 10);
    fu_guard_free(g);
    expect_consistent(&f, 20);
    fu_test_planner_free(&f);
}

/* Out of memory anywhere in a plan that rolls contacts over (five
 * deliveries, 1 x 1, 5 days: moved, deferred in and after their windows):
 * FU_ENOMEM, nothing leaked. */
static int oom_rollover(void *ctx) {
    (void)ctx;
    fu_policy *p = NULL;
    fu_book *b = NULL;
    fu_planner *pl = NULL;
    fu_plan *plan = NULL;
    const char *e = deliveries(5, "2026-11-23T10:00:00+08:00");
    fu_planner_options o = FU_PLANNER_OPTIONS_INIT;
    o.agents = 1;
    o.calls_per_agent = 1;
    int rc = fu_policy_default(&p);
    if (!rc) rc = fu_book_new(&b, NULL);
    if (!rc) rc = fu_book_read_customers_csv_from_string(b, CUST5, strlen(CUST5), "c");
    if (!rc) rc = fu_book_read_events_csv_from_string(b, e, strlen(e), "e");
    if (!rc) rc = fu_planner_new(&pl, p, b, &o);
    if (!rc) rc = fu_planner_plan(pl, T("2026-11-23T10:00:00+08:00"), 5 * DAY, &plan);
    if (!rc) {
        fu_plan_stats st;
        fu_plan_get_stats(plan, &st);
        rc = st.planned == 3 && st.deferred == 2 ? FU_OK : FU_EINVAL;
    }
    fu_plan_free(plan);
    fu_planner_free(pl);
    fu_book_free(b);
    fu_policy_free(p);
    return rc;
}

Test(rollover, out_of_memory_anywhere) {
    fu_test_oom("plan with rollover", oom_rollover, NULL, 100000);
}
