/* Planner regressions from the outside review of session 8 (second part),
 * on small hand-made books and the built-in policy
 * (lib/data/default_policy.yaml: quiet hours 08:00-21:00 local, none exempt;
 * caps.min_gap 24h; caps.limits.new_customer 2 per 72h and first_month 2
 * per 30d (normal/low) while the first purchase is under 90 days old;
 * sms_ceiling 4 SMS per 3d, urgent ones too; redial.callback_requested).
 * Expected values worked out by hand; 2026-03-02 is a Monday.
 * - F1: a call-back the customer asked for after the step's window is
 *   planned from the time asked for (it was dropped: the attempt that
 *   produced it counted as the step's contact).
 * - F6: a placeholder first purchase (0001-01-01, the epoch: what systems
 *   write for "unknown") is no purchase for the caps of new customers
 *   (`tenure_under`) and for the lifecycle.
 * - Late steps merge: urgent steps that quiet hours make late to one instant
 *   are one contact (three urgent SMS at 08:00 were three against
 *   sms_ceiling). */
#include "fu_test.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#define T fu_test_time
#define DAY 86400
typedef fu_test_planner fx;

#define open_fx(f, customers, events) fu_test_planner_open_ok(f, customers, events)
#define plan(f, now, horizon) fu_test_planner_plan_at(f, now, horizon)

#define stats(p) fu_test_plan_stats(p)

static size_t count(const fu_plan *p, fu_touchpoint_status s) {
    size_t n = 0;
    fu_plan_touchpoints(p, s, &n);
    return n;
}

/* ---------------------------------------------------------------- F1 */

/* Delivery Mon 03-02 10:00: first_contact (high, phone) due [03-02 10:00,
 * 03-04 10:00]. A call on Tue 03-03 15:00 reached the customer, who asked to
 * be called back at `note`. */
static const char CB_C[] = "customer_id,tz\nC1,Asia/Shanghai\n";
#define CB_E(note, more)                                                                                   \
    "customer_id,at,kind,order_id,channel,outcome,note\n"                                                  \
    "C1,2026-03-02T10:00:00+08:00,delivery,O1,,,\n"                                                        \
    "C1,2026-03-03T15:00:00+08:00,contact,O1,phone,callback_requested," note "\n" more

/* Call-back asked for Thu 03-05 10:00, after the window. The run of Tue
 * 16:00 (in the window) planned it at 03-05 10:00; the run of Thu 08:00
 * dropped it (0 due). Now: due [03-05 10:00, 03-07 10:00] (the time asked
 * for + the step's 48 h), planned at 10:00; 1 due = 1 planned. At Sun 03-08
 * 11:00, the call-back's own window passed too without a contact: overdue,
 * due from now [03-08 11:00, 03-10 11:00]. */
Test(review_s8b, callback_after_the_window_is_planned) {
    fx f;
    open_fx(&f, CB_C, CB_E("2026-03-05T10:00:00+08:00", ""));
    plan(&f, "2026-03-03T16:00:00+08:00", 2 * DAY);
    const fu_touchpoint *t = fu_test_find_touchpoint(f.plan, FU_TOUCHPOINT_PLANNED, "C1", "delivery.first_contact");
    cr_assert(t, "in the window: the redial at the time asked for");
    cr_expect_eq(t->best_at, T("2026-03-05T10:00:00+08:00"));

    plan(&f, "2026-03-05T08:00:00+08:00", DAY);
    t = fu_test_find_touchpoint(f.plan, FU_TOUCHPOINT_PLANNED, "C1", "delivery.first_contact");
    cr_assert(t, "after the window: still planned");
    cr_expect_eq(t->due_from, T("2026-03-05T10:00:00+08:00"));
    cr_expect_eq(t->due_to, T("2026-03-07T10:00:00+08:00"));
    cr_expect_eq(t->best_at, T("2026-03-05T10:00:00+08:00"));
    cr_expect_eq(t->priority, FU_PRIORITY_HIGH);
    cr_expect_str_eq(t->status_rule, "");
    cr_expect(strstr(t->reason, "the call-back the customer asked for after the step's window"), "%s", t->reason);
    cr_expect(strstr(t->reason, "redial after callback_requested on 2026-03-03 15:00 (redial.callback_requested, "
                                "at the requested time)"),
              "%s", t->reason);
    fu_plan_stats st = stats(f.plan);
    cr_expect_eq(st.due, 1);
    cr_expect_eq(st.planned, 1);

    plan(&f, "2026-03-08T11:00:00+08:00", DAY);
    t = fu_test_find_touchpoint(f.plan, FU_TOUCHPOINT_PLANNED, "C1", "delivery.first_contact");
    cr_assert(t, "the call-back not made in its own window: overdue");
    cr_expect_eq(t->due_from, T("2026-03-08T11:00:00+08:00"));
    cr_expect_eq(t->due_to, T("2026-03-10T11:00:00+08:00"));
    cr_expect_eq(t->best_at, T("2026-03-08T11:00:00+08:00"));
    cr_expect(strstr(t->reason, "the call-back the customer asked for, overdue: due from now"), "%s", t->reason);
    fu_test_planner_free(&f);
}

/* A call-back is a contact like any: quiet hours and caps hold it.
 * - Asked for Wed 03-04 22:30 (quiet hours), run at 22:00: due [22:30, 03-06
 *   22:30], planned at the first allowed instant, Thu 08:00 (in its window,
 *   not late).
 * - Asked for Thu 10:00, and a complaint on Thu 09:00, run at 09:00 (no
 *   best-time model): the complaint's urgent response (exempt) at 09:00. The
 *   customer has no purchase: new, caps.limits.new_customer (2 per 72 h)
 *   holds. Counted: the call on 03-03 15:00 and the response at 03-05 09:00;
 *   a third needs 03-03 15:00 out of (t - 72h, t]: t = 03-06 15:00:01 (in
 *   the call-back's window, up to 03-07 10:00). caps.min_gap from 09:00
 *   (03-06 09:00) is met then. */
Test(review_s8b, callback_after_the_window_keeps_quiet_hours_and_caps) {
    fx f;
    open_fx(&f, CB_C, CB_E("2026-03-04T22:30:00+08:00", ""));
    plan(&f, "2026-03-04T22:00:00+08:00", DAY);
    const fu_touchpoint *t = fu_test_find_touchpoint(f.plan, FU_TOUCHPOINT_PLANNED, "C1", "delivery.first_contact");
    cr_assert(t);
    cr_expect_eq(t->due_from, T("2026-03-04T22:30:00+08:00"));
    cr_expect_eq(t->best_at, T("2026-03-05T08:00:00+08:00"));
    cr_expect_str_eq(t->status_rule, "");
    fu_test_planner_free(&f);

    open_fx(&f, CB_C, CB_E("2026-03-05T10:00:00+08:00", "C1,2026-03-05T09:00:00+08:00,complaint,,,,\n"));
    plan(&f, "2026-03-05T09:00:00+08:00", 2 * DAY);
    t = fu_test_find_touchpoint(f.plan, FU_TOUCHPOINT_PLANNED, "C1", "complaint.immediate");
    cr_assert(t);
    cr_expect_eq(t->best_at, T("2026-03-05T09:00:00+08:00"));
    t = fu_test_find_touchpoint(f.plan, FU_TOUCHPOINT_PLANNED, "C1", "delivery.first_contact");
    cr_assert(t, "the call-back is held back, not dropped");
    cr_expect_eq(t->best_at, T("2026-03-06T15:00:01+08:00"));
    cr_expect(strstr(t->reason, "held back by caps.new_customer"), "%s", t->reason);
    fu_plan_stats st = stats(f.plan);
    cr_expect_eq(st.due, 2);
    cr_expect_eq(st.planned, 2);
    fu_test_planner_free(&f);
}

/* The call-back made: a contact after the request that reached the customer
 * (Thu 10:02, answered) meets the step: 1 due = 1 done, nothing planned. One
 * tried after its own window without an answer (Thu 10:00, no answer; run
 * Sun 03-08 11:00) is not due again (never a second call, as any overdue
 * step). A best-time model does not move the call-back off the time asked
 * for. */
Test(review_s8b, callback_made_or_tried_is_not_planned_again) {
    fx f;
    open_fx(&f, CB_C,
            CB_E("2026-03-05T10:00:00+08:00", "C1,2026-03-05T10:02:00+08:00,contact,O1,phone,answered,\n"));
    plan(&f, "2026-03-05T12:00:00+08:00", DAY);
    fu_plan_stats st = stats(f.plan);
    cr_expect_eq(st.due, 1);
    cr_expect_eq(st.done, 1);
    cr_expect_eq(count(f.plan, FU_TOUCHPOINT_PLANNED), 0);
    fu_test_planner_free(&f);

    open_fx(&f, CB_C,
            CB_E("2026-03-05T10:00:00+08:00", "C1,2026-03-05T10:00:00+08:00,contact,O1,phone,no_answer,\n"));
    plan(&f, "2026-03-08T11:00:00+08:00", DAY);
    cr_expect_null(fu_test_find_touchpoint(f.plan, FU_TOUCHPOINT_PLANNED, "C1", "delivery.first_contact"));
    fu_test_planner_free(&f);

    fu_policy *pol = NULL;
    fu_book *book = fu_test_book(CB_C, CB_E("2026-03-05T10:00:00+08:00", ""));
    cr_assert_eq(fu_policy_default(&pol), FU_OK);
    fu_planner_options o = FU_PLANNER_OPTIONS_INIT;
    o.flags = FU_PLANNER_BESTTIME;
    fu_planner *pl = NULL;
    cr_assert_eq(fu_planner_new(&pl, pol, book, &o), FU_OK, "%s", fu_error_last()->message);
    fu_plan *p = NULL;
    cr_assert_eq(fu_planner_plan(pl, T("2026-03-05T08:00:00+08:00"), DAY, &p), FU_OK);
    const fu_touchpoint *t = fu_test_find_touchpoint(p, FU_TOUCHPOINT_PLANNED, "C1", "delivery.first_contact");
    cr_assert(t);
    cr_expect_eq(t->best_at, T("2026-03-05T10:00:00+08:00"), "%s", t->reason);
    fu_plan_free(p);
    fu_planner_free(pl);
    fu_book_free(book);
    fu_policy_free(pol);
}

/* In the window too a best-time model leaves a call-back at the time the
 * customer named: a call on Mon 03-02 15:00 asks for Tue 09:00 (the window
 * runs to 03-04 10:00); with the model (the book's own answers: the one at
 * 15:00) it is planned at 09:00, not at the model's best hour, 15:00, where
 * it went before while the reason said "at the requested time". */
Test(review_s8b, callback_in_the_window_keeps_the_time_asked_for) {
    fu_policy *pol = NULL;
    fu_book *book = fu_test_book(CB_C, "customer_id,at,kind,order_id,channel,outcome,note\n"
                                       "C1,2026-03-02T10:00:00+08:00,delivery,O1,,,\n"
                                       "C1,2026-03-02T15:00:00+08:00,contact,O1,phone,callback_requested,"
                                       "2026-03-03T09:00:00+08:00\n");
    cr_assert_eq(fu_policy_default(&pol), FU_OK);
    fu_planner_options o = FU_PLANNER_OPTIONS_INIT;
    o.flags = FU_PLANNER_BESTTIME;
    fu_planner *pl = NULL;
    cr_assert_eq(fu_planner_new(&pl, pol, book, &o), FU_OK, "%s", fu_error_last()->message);
    fu_plan *p = NULL;
    cr_assert_eq(fu_planner_plan(pl, T("2026-03-02T16:00:00+08:00"), 2 * DAY, &p), FU_OK);
    const fu_touchpoint *t = fu_test_find_touchpoint(p, FU_TOUCHPOINT_PLANNED, "C1", "delivery.first_contact");
    cr_assert(t);
    cr_expect_eq(t->best_at, T("2026-03-03T09:00:00+08:00"), "%s", t->reason);
    cr_expect(strstr(t->reason, "at the requested time") && !strstr(t->reason, "best hour"), "%s", t->reason);
    fu_plan_free(p);
    fu_planner_free(pl);
    fu_book_free(book);
    fu_policy_free(pol);
}

/* ---------------------------------------------------------------- F6 */

/* Four customers, each: delivery Mon 03-02 10:00, answered calls 03-02 12:00
 * and 03-03 12:00 (first_contact done). second_contact (normal) due [03-09
 * 10:00, 03-17 10:00]. Recorded first purchase: P1 0001-01-01, E1 1970-01-01
 * 00:00 +08:00 (the epoch written locally), N1 none, R1 2020-01-01. For N1
 * (no purchase) caps.limits.first_month (2 per 30 d, normal/low, tenure
 * under 90 d) holds: the two calls stay in (t - 30d, t] until 04-01 12:00,
 * after the window: suppressed by caps.first_month. P1 and E1 are N1's
 * case; before, their placeholders made them 2,000 and 56 years old
 * customers, the caps lifted, and they were called at 03-09 10:00 like R1
 * (a customer since 2020, whom the cap does not hold). */
Test(review_s8b, placeholder_first_purchase_is_no_purchase_for_the_caps) {
    static const char C[] = "customer_id,tz,first_purchase_at\n"
                            "P1,Asia/Shanghai,0001-01-01T00:00:00Z\n"
                            "E1,Asia/Shanghai,1970-01-01T00:00:00+08:00\n"
                            "N1,Asia/Shanghai,\n"
                            "R1,Asia/Shanghai,2020-01-01T10:00:00+08:00\n";
#define F6_E(id)                                                                                           \
    id ",2026-03-02T10:00:00+08:00,delivery,O" id ",,\n" id ",2026-03-02T12:00:00+08:00,contact,O" id      \
       ",phone,answered\n" id ",2026-03-03T12:00:00+08:00,contact,O" id ",phone,answered\n"
    static const char E[] = "customer_id,at,kind,order_id,channel,outcome\n" F6_E("P1") F6_E("E1") F6_E("N1")
        F6_E("R1");
    fx f;
    open_fx(&f, C, E);
    plan(&f, "2026-03-04T09:00:00+08:00", 30 * DAY);
    static const char *const held[] = {"P1", "E1", "N1"};
    for (int i = 0; i < 3; i++) {
        const fu_touchpoint *t =
            fu_test_find_touchpoint(f.plan, FU_TOUCHPOINT_SUPPRESSED, held[i], "delivery.second_contact");
        cr_assert(t, "%s: held by the cap of new customers", held[i]);
        cr_expect_str_eq(t->status_rule, "caps.first_month", "%s", held[i]);
    }
    const fu_touchpoint *t = fu_test_find_touchpoint(f.plan, FU_TOUCHPOINT_PLANNED, "R1", "delivery.second_contact");
    cr_assert(t, "a real first purchase in 2020: the cap does not hold");
    cr_expect_eq(t->best_at, T("2026-03-09T10:00:00+08:00"));
    fu_test_planner_free(&f);
}

/* The lifecycle of the book summaries (followup segment) reads the same
 * rule: P1's placeholder and one purchase on 02-20 give tenure from 02-20
 * (8 days at 02-28): new. Before, tenure from year 1: mature. */
Test(review_s8b, placeholder_first_purchase_leaves_the_stage_new) {
    fu_book *b = fu_test_book("customer_id,tz,first_purchase_at\nP1,Asia/Shanghai,0001-01-01T00:00:00Z\n",
                              "customer_id,at,kind,order_id,amount\nP1,2026-02-20T10:00:00+08:00,purchase,O1,99\n");
    cr_assert_eq(fu_book_finalize(b), FU_OK);
    fu_policy *pol = NULL;
    fu_segment_rules *r = NULL;
    cr_assert_eq(fu_policy_default(&pol), FU_OK);
    cr_assert_eq(fu_segment_rules_new_from_policy(&r, pol), FU_OK);
    fu_segment_book_summary *s = NULL;
    int64_t now = T("2026-02-28T10:00:00+08:00");
    cr_assert_eq(fu_segment_book_summarize(b, now, r, NULL, &s), FU_OK, "%s", fu_error_last()->message);
    cr_expect_eq(s->customers[0].first_purchase_at, T("2026-02-20T10:00:00+08:00"));
    cr_expect_eq(s->customers[0].purchases, 1);
    fu_segment_assignment a;
    cr_assert_eq(fu_segment_assign(&s->customers[0], 1, now, r, &a), FU_OK);
    cr_expect_eq(a.lifecycle, FU_LIFECYCLE_NEW, "%s", a.lifecycle_rule);
    fu_segment_book_summary_free(s);
    fu_segment_rules_free(r);
    fu_policy_free(pol);
    fu_book_free(b);
}

/* ---------------------------------------------------------------- late steps merge */

/* Z1 takes no calls (consent_phone no): the urgent responses to three faults
 * of Wed 03-04 22:00, 22:30, 23:00 (fault.urgent_response, within 2 h, all
 * in quiet hours) go by SMS, each made late at the first allowed instant,
 * Thu 08:00. Two SMS on 03-03 10:00 and 03-04 10:00. Now one SMS at 08:00
 * carries the three (due [23:00, 00:00], the windows' intersection): 1
 * planned + 2 merged, late; 3 SMS in 3 days. Before: three SMS at 08:00,
 * the third the fifth in 3 days, held back by sms_ceiling to 03-06 10:00:01
 * (after the horizon). With phone consent (Z2) the three calls likewise
 * become one at 08:00. */
Test(review_s8b, urgent_steps_made_late_to_one_instant_merge) {
    static const char C[] = "customer_id,tz,consent_phone,consent_sms\nZ1,Asia/Shanghai,no,yes\n"
                            "Z2,Asia/Shanghai,yes,yes\n";
    static const char E[] = "customer_id,at,kind,order_id,severity,channel,outcome\n"
                            "Z1,2026-03-03T10:00:00+08:00,contact,,,sms,answered\n"
                            "Z1,2026-03-04T10:00:00+08:00,contact,,,sms,answered\n"
                            "Z1,2026-03-04T22:00:00+08:00,fault,O1,urgent,,\n"
                            "Z1,2026-03-04T22:30:00+08:00,fault,O2,urgent,,\n"
                            "Z1,2026-03-04T23:00:00+08:00,fault,O3,urgent,,\n"
                            "Z2,2026-03-04T22:00:00+08:00,fault,O4,urgent,,\n"
                            "Z2,2026-03-04T22:30:00+08:00,fault,O5,urgent,,\n"
                            "Z2,2026-03-04T23:00:00+08:00,fault,O6,urgent,,\n";
    fx f;
    open_fx(&f, C, E);
    plan(&f, "2026-03-04T23:05:00+08:00", DAY);
    static const char *const who[] = {"Z1", "Z2"};
    for (int i = 0; i < 2; i++) {
        const fu_touchpoint *t =
            fu_test_find_touchpoint(f.plan, FU_TOUCHPOINT_PLANNED, who[i], "fault.urgent_response");
        cr_assert(t, "%s", who[i]);
        cr_expect_eq(t->purposes, 3, "%s: %s", who[i], t->reason);
        cr_expect_eq(t->channel, i ? FU_CHANNEL_PHONE : FU_CHANNEL_SMS);
        cr_expect_eq(t->due_from, T("2026-03-04T23:00:00+08:00"));
        cr_expect_eq(t->due_to, T("2026-03-05T00:00:00+08:00"));
        cr_expect_eq(t->best_at, T("2026-03-05T08:00:00+08:00"));
        cr_expect_str_eq(t->status_rule, "quiet_hours.allowed");
    }
    cr_expect_null(fu_test_find_touchpoint(f.plan, FU_TOUCHPOINT_LATER, "Z1", "fault"));
    fu_plan_stats st = stats(f.plan);
    cr_expect_eq(st.due, 6);
    cr_expect_eq(st.planned, 2);
    cr_expect_eq(st.merged, 4);
    cr_expect_eq(st.late, 2);
    fu_test_planner_free(&f);
}

/* Late to different instants: no merge. National Day 2026 (10-01..10-07):
 * delivery 10-01 10:00, first_contact (high) due [10-01 10:00, 10-03 10:00],
 * all holidays: late, 10-08 08:00. An urgent fault on 10-02 22:00: its
 * response due [22:00, 10-03 00:00] in quiet hours, late at 10-03 08:00
 * (urgent is made on holidays). The windows overlap, the instants differ:
 * two contacts, the urgent one not put off to 10-08. */
Test(review_s8b, steps_late_to_different_instants_do_not_merge) {
    fx f;
    open_fx(&f, "customer_id,tz\nH1,Asia/Shanghai\n",
            "customer_id,at,kind,order_id,severity\n"
            "H1,2026-10-01T10:00:00+08:00,delivery,O1,\n"
            "H1,2026-10-02T22:00:00+08:00,fault,O2,urgent\n");
    plan(&f, "2026-10-02T22:05:00+08:00", 10 * DAY);
    const fu_touchpoint *t = fu_test_find_touchpoint(f.plan, FU_TOUCHPOINT_PLANNED, "H1", "fault.urgent_response");
    cr_assert(t);
    cr_expect_eq(t->purposes, 1, "%s", t->reason);
    cr_expect_eq(t->best_at, T("2026-10-03T08:00:00+08:00"));
    t = fu_test_find_touchpoint(f.plan, FU_TOUCHPOINT_PLANNED, "H1", "delivery.first_contact");
    cr_assert(t);
    cr_expect_eq(t->purposes, 1, "%s", t->reason);
    cr_expect_eq(t->best_at, T("2026-10-08T08:00:00+08:00"));
    fu_test_planner_free(&f);
}

/* ---------------------------------------------------------------- accounting */

static const char AGENTS_CSV[] = "agent_id,name,tz,shift,team,skills,calls_per_day,days_off\n"
                                 "A1,Ann,Asia/Shanghai,Mon-Fri 09:00-18:00,,,20,\n"
                                 "A2,Bo,Asia/Shanghai,Mon-Sat 08:00-17:00,,phone;visit,15,\n"
                                 "A3,Cy,Europe/Berlin,Mon-Fri 09:00-17:00,expert,,10,2026-03-03\n";

/* Every due step of the two sample books ends in exactly one state, under
 * several instants (before National Day, the 11-23 demo instant), horizons,
 * numeric and named agents and the best-time model: due = candidates +
 * done; candidates = planned + suppressed + deferred + later + merged (and
 * no cancelled in a plan); the contacts' purposes add up to the candidates
 * (each merged step is a purpose of the contact it joined); planned ones
 * lie in the horizon, later ones after it. */
Test(review_s8b, every_due_step_is_accounted_for_on_the_sample_books, .timeout = 120) {
    static const char *const books[] = {"data", "realistic"};
    static const char *const nows[] = {"2026-03-02T09:00:00+08:00", "2026-09-30T00:00:00+08:00",
                                       "2026-11-23T10:00:00+08:00"};
    struct cfg {
        unsigned flags, agents;
        int agents_csv;
        int64_t horizon;
    } cfgs[] = {{0, 0, 0, DAY}, {FU_PLANNER_BESTTIME, 0, 0, DAY}, {0, 3, 0, 7 * DAY},
                {FU_PLANNER_BESTTIME, 0, 1, 7 * DAY}, {0, 5, 0, 30 * DAY}};
    fu_policy *pol = NULL;
    cr_assert_eq(fu_policy_default(&pol), FU_OK);
    for (size_t b = 0; b < 2; b++) {
        char cpath[512], epath[512];
        snprintf(cpath, sizeof cpath, "%s/../examples/sample/%s/customers.csv", FU_TEST_SRCDIR, books[b]);
        snprintf(epath, sizeof epath, "%s/../examples/sample/%s/events.csv", FU_TEST_SRCDIR, books[b]);
        fu_book *book = NULL;
        cr_assert_eq(fu_book_new(&book, NULL), FU_OK);
        cr_assert_eq(fu_book_read_customers_csv(book, cpath), FU_OK, "%s", fu_error_last()->message);
        cr_assert_eq(fu_book_read_events_csv(book, epath), FU_OK, "%s", fu_error_last()->message);
        for (size_t k = 0; k < sizeof cfgs / sizeof cfgs[0]; k++) {
            fu_planner_options o = FU_PLANNER_OPTIONS_INIT;
            o.flags = cfgs[k].flags;
            o.agents = cfgs[k].agents;
            fu_planner *pl = NULL;
            cr_assert_eq(fu_planner_new(&pl, pol, book, &o), FU_OK, "%s", fu_error_last()->message);
            if (cfgs[k].agents_csv)
                cr_assert_eq(fu_planner_set_agents(pl, AGENTS_CSV, strlen(AGENTS_CSV), "agents"), FU_OK);
            for (size_t w = 0; w < sizeof nows / sizeof nows[0]; w++) {
                int64_t now = T(nows[w]), end = now + cfgs[k].horizon;
                fu_plan *p = NULL;
                cr_assert_eq(fu_planner_plan(pl, now, cfgs[k].horizon, &p), FU_OK, "%s", fu_error_last()->message);
                fu_plan_stats st = stats(p);
                const char *what = books[b];
                cr_expect_eq(st.due, st.candidates + st.done, "%s %zu %s", what, k, nows[w]);
                cr_expect_eq(st.candidates, st.planned + st.suppressed + st.deferred + st.later + st.merged,
                             "%s %zu %s: %zu candidates, %zu planned, %zu suppressed, %zu deferred, %zu later, "
                             "%zu merged",
                             what, k, nows[w], st.candidates, st.planned, st.suppressed, st.deferred, st.later,
                             st.merged);
                cr_expect_eq(count(p, FU_TOUCHPOINT_CANCELLED), 0);
                size_t purposes = 0;
                for (int s = 0; s < FU_TOUCHPOINT_STATUS_COUNT; s++) {
                    size_t n = 0;
                    const fu_touchpoint *t = fu_plan_touchpoints(p, (fu_touchpoint_status)s, &n);
                    for (size_t i = 0; i < n; i++) {
                        purposes += t[i].purposes;
                        if (s == FU_TOUCHPOINT_PLANNED)
                            cr_expect(t[i].best_at >= now && t[i].best_at < end, "%s %zu %s: %s %s", what, k,
                                      nows[w], t[i].customer_id, t[i].rule);
                        if (s == FU_TOUCHPOINT_LATER)
                            cr_expect(t[i].best_at >= end, "%s %zu %s: %s %s", what, k, nows[w], t[i].customer_id,
                                      t[i].rule);
                    }
                }
                cr_expect_eq(purposes, st.candidates, "%s %zu %s", what, k, nows[w]);
                cr_expect_gt(st.due, 0);
                fu_plan_free(p);
            }
            fu_planner_free(pl);
        }
        fu_book_free(book);
    }
    fu_policy_free(pol);
}
