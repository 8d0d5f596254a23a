/*
 * Issue 13, items 1 and 8.
 *
 * Borrowed books: a planner borrows its book; while it lives every call that
 * would change the book fails with FU_ESTATE naming the planner (before, the
 * book grew under the planner and fu_planner_feed() wrote past the planner's
 * per-customer arrays); once the planner is freed the book changes again.
 *
 * Cancellation: a cancel hook (fu_set_cancel_hook, per thread) that asks to
 * stop makes the long calls return FU_ECANCELED with nothing leaked, and the
 * same handle then gives the reference result. Each long call is canceled at
 * its 1st, 2nd, ... poll until it completes.
 */
#include "fu_test.h"
#include "internal.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define NCUST 3000 /* enough for several polls of every loop (every 256 or 1,024) */

static fu_policy *policy;
static fu_book *book;
static int64_t now;

static void add_customer(fu_book *b, const char *id) {
    fu_customer c;
    fu_customer_init(&c);
    c.id = id;
    c.tz = "Asia/Shanghai";
    c.consent_phone = FU_TRI_YES;
    cr_assert_eq(fu_book_add_customer(b, &c, NULL), FU_OK, "%s", fu_error_last()->message);
}

/* NCUST customers, each with a purchase, a delivery and two contacts. */
static void load(void) {
    char id[32], order[32];
    cr_assert_eq(fu_policy_default(&policy), FU_OK);
    cr_assert_eq(fu_book_new(&book, NULL), FU_OK);
    cr_assert_eq(fu_time_parse("2026-03-02T10:00:00+08:00", 25, &now), FU_OK);
    for (int i = 0; i < NCUST; i++) {
        snprintf(id, sizeof id, "C%04d", i);
        snprintf(order, sizeof order, "O%04d", i);
        add_customer(book, id);
        fu_event_in e;
        fu_event_in_init(&e);
        e.customer_id = id;
        e.order_id = order;
        e.at = now - 86400 * (int64_t)(3 + i % 20);
        e.kind = FU_EVENT_PURCHASE;
        e.amount = e.unit_price = 100 + i % 50;
        cr_assert_eq(fu_book_add_event(book, &e), FU_OK, "%s", fu_error_last()->message);
        e.at += 86400 * 2;
        e.kind = FU_EVENT_DELIVERY;
        e.amount = e.unit_price = NAN;
        cr_assert_eq(fu_book_add_event(book, &e), FU_OK, "%s", fu_error_last()->message);
        for (int k = 0; k < 2; k++) {
            e.at = now - 86400 * (int64_t)(30 + 7 * k) + 3600 * (i % 10);
            e.kind = FU_EVENT_CONTACT;
            e.channel = FU_CHANNEL_PHONE;
            e.outcome = (i + k) % 3 ? FU_OUTCOME_ANSWERED : FU_OUTCOME_NO_ANSWER;
            e.order_id = NULL;
            cr_assert_eq(fu_book_add_event(book, &e), FU_OK, "%s", fu_error_last()->message);
        }
    }
    cr_assert_eq(fu_book_finalize(book), FU_OK);
}

static void unload(void) {
    fu_book_free(book);
    fu_policy_free(policy);
}

TestSuite(borrow, .init = load, .fini = unload);
TestSuite(cancel, .init = load, .fini = unload);

/* ------------------------------------------------------------ borrowing */

Test(borrow, a_book_held_by_a_planner_refuses_every_change) {
    fu_planner *pl = NULL, *pl2 = NULL;
    fu_plan *plan = NULL;
    cr_assert_eq(fu_planner_new(&pl, policy, book, NULL), FU_OK);
    cr_assert_eq(fu_planner_plan(pl, now, 86400, &plan), FU_OK);
    fu_plan_free(plan);
    size_t before = fu_book_customer_count(book), events = fu_book_event_count(book);

    /* the crash of the issue: 2,000 customers added under the planner, then feed */
    fu_customer c;
    fu_customer_init(&c);
    c.tz = "Asia/Shanghai";
    char id[32];
    for (int i = 0; i < 2000; i++) {
        snprintf(id, sizeof id, "Z%d", i);
        c.id = id;
        cr_assert_eq(fu_book_add_customer(book, &c, NULL), FU_ESTATE);
    }
    cr_assert_eq(fu_error_last()->code, FU_ESTATE);
    cr_assert(strstr(fu_error_last()->message, "fu_book_add_customer: the book is in use by 1 planner") != NULL,
              "%s", fu_error_last()->message);
    cr_assert_eq(fu_book_add_customers(book, &c, 1), FU_ESTATE);
    fu_event_in e;
    fu_event_in_init(&e);
    e.customer_id = "C0001";
    e.at = now;
    e.kind = FU_EVENT_PURCHASE;
    cr_assert_eq(fu_book_add_event(book, &e), FU_ESTATE);
    cr_assert_eq(fu_book_add_events(book, &e, 1), FU_ESTATE);
    static const char cust_csv[] = "customer_id,tz\nZZ,Asia/Shanghai\n";
    static const char ev_csv[] = "customer_id,at,kind\nC0001,2026-03-02T10:00:00+08:00,purchase\n";
    cr_assert_eq(fu_book_read_customers_csv_from_string(book, cust_csv, sizeof cust_csv - 1, NULL), FU_ESTATE);
    cr_assert_eq(fu_book_read_events_csv_from_string(book, ev_csv, sizeof ev_csv - 1, NULL), FU_ESTATE);
    cr_assert_eq(fu_book_read_customers_csv(book, "/nonexistent.csv"), FU_ESTATE);
    cr_assert_eq(fu_book_read_events_csv(book, "/nonexistent.csv"), FU_ESTATE);
    cr_assert_eq(fu_book_finalize(book), FU_OK); /* nothing to do: allowed */
    cr_assert_eq(fu_book_customer_count(book), before);
    cr_assert_eq(fu_book_event_count(book), events);

    /* two planners: both must go */
    cr_assert_eq(fu_planner_new(&pl2, policy, book, NULL), FU_OK);
    c.id = "LATE";
    cr_assert_eq(fu_book_add_customer(book, &c, NULL), FU_ESTATE);
    cr_assert(strstr(fu_error_last()->message, "in use by 2 planners") != NULL, "%s", fu_error_last()->message);

    /* feed still works, within the planner's customers */
    e.customer_id = "C0001";
    cr_assert_eq(fu_planner_feed(pl, &e, now, 86400, &plan), FU_OK, "%s", fu_error_last()->message);
    fu_plan_free(plan);
    e.customer_id = "Z0";
    cr_assert_eq(fu_planner_feed(pl, &e, now, 86400, &plan), FU_ENOTFOUND);
    cr_assert_null(plan);

    fu_planner_free(pl);
    cr_assert_eq(fu_book_add_customer(book, &c, NULL), FU_ESTATE);
    fu_planner_free(pl2);
    cr_assert_eq(fu_book_add_customer(book, &c, NULL), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(fu_book_customer_count(book), before + 1);
}

Test(borrow, a_failed_planner_takes_no_borrow) {
    fu_planner *pl = NULL;
    fu_planner_options o = FU_PLANNER_OPTIONS_INIT;
    o.version = 99; /* refused */
    cr_assert_neq(fu_planner_new(&pl, policy, book, &o), FU_OK);
    add_customer(book, "AFTER_FAILED");
    /* an unfinalized book is refused before anything is borrowed */
    cr_assert_eq(fu_planner_new(&pl, policy, book, NULL), FU_ESTATE);
    add_customer(book, "AFTER_UNFINALIZED");
}

/* ---------------------------------------------------------- cancellation */

static int polls_left;
static int cancel_after(void *ud) {
    (void)ud;
    return --polls_left <= 0;
}

Test(cancel, hook_is_per_thread_and_strerror_names_it) {
    fu_cancel_fn fn = NULL;
    void *ud = (void *)&fn;
    fu_get_cancel_hook(&fn, &ud);
    cr_assert_null(fn);
    cr_assert_null(ud);
    fu_set_cancel_hook(cancel_after, &polls_left);
    fu_get_cancel_hook(&fn, &ud);
    cr_assert_eq(fn, cancel_after);
    cr_assert_eq(ud, &polls_left);
    fu_set_cancel_hook(NULL, &polls_left);
    fu_get_cancel_hook(&fn, &ud);
    cr_assert_null(fn);
    cr_assert_null(ud);
    cr_assert_str_eq(fu_strerror(FU_ECANCELED), "canceled");
}

/* An operation on a live handle: returns FU_OK and a text to compare. */
typedef struct cancel_case {
    const char *what;
    int (*setup)(void **h);
    int (*op)(void *h, char **result);
    void (*teardown)(void *h);
} cancel_case;

/* Cancel `op` at its 1st, 2nd, ... poll until it completes; every canceled
 * call returns FU_ECANCELED with nothing leaked, and afterwards the handle
 * gives the reference result. Returns the number of cancels. */
static int run_cancel_case(const cancel_case *cc) {
    void *h = NULL;
    char *ref = NULL, *got = NULL;
    int cancels = 0;
    fu_test_alloc_install(0); /* the handle lives under the counting allocator */
    cr_assert_eq(cc->setup(&h), FU_OK, "%s setup: %s", cc->what, fu_error_last()->message);
    cr_assert_eq(cc->op(h, &ref), FU_OK, "%s: %s", cc->what, fu_error_last()->message);
    cc->teardown(h);
    h = NULL;
    cr_assert_eq(fu_test_alloc_live(), 1, "%s: leak", cc->what); /* ref */
    cr_assert_eq(cc->setup(&h), FU_OK);
    for (int k = 1; k < 1000; k++) {
        polls_left = k;
        fu_set_cancel_hook(cancel_after, NULL);
        int rc = cc->op(h, &got);
        fu_set_cancel_hook(NULL, NULL);
        if (rc == FU_OK) {
            fu_free(got);
            got = NULL;
            break;
        }
        cr_assert_eq(rc, FU_ECANCELED, "%s, cancel at poll %d: %d %s", cc->what, k, rc, fu_error_last()->message);
        cr_assert_eq(fu_error_last()->code, FU_ECANCELED);
        cr_assert_null(got);
        cancels++;
    }
    cr_assert_eq(cc->op(h, &got), FU_OK, "%s after cancels: %s", cc->what, fu_error_last()->message);
    cr_assert_str_eq(got, ref, "%s: the result differs after being canceled", cc->what);
    fu_free(got);
    fu_free(ref);
    cc->teardown(h);
    cr_assert_eq(fu_test_alloc_live(), 0, "%s: %zu allocations leaked", cc->what, fu_test_alloc_live());
    fu_test_alloc_uninstall();
    return cancels;
}

/* planner */
static int planner_setup(void **h) { return fu_planner_new((fu_planner **)h, policy, book, NULL); }
static void planner_teardown(void *h) { fu_planner_free(h); }
static int planner_op(void *h, char **out) {
    fu_plan *plan = NULL;
    *out = NULL;
    int rc = fu_planner_plan(h, now, 7 * 86400, &plan);
    if (!rc) rc = fu_plan_write_csv_to_string(plan, ~0u, FU_PLAN_CSV_STATUS, NULL, out);
    fu_plan_free(plan);
    return rc;
}

/* planner simulation: 3 days, one step a day */
static int sim_op(void *h, char **out) {
    fu_sim_report *r = NULL;
    char buf[256];
    *out = NULL;
    int rc = fu_planner_simulate(h, now, now + 3 * 86400, NULL, &r);
    if (rc) return rc;
    snprintf(buf, sizeof buf, "%zu %zu %zu %zu %zu %.17g", r->steps, r->contacts, r->suppressed, r->deferred,
             r->customers_contacted, r->coverage);
    fu_sim_report_free(r);
    *out = fu__strdup(buf);
    return *out ? FU_OK : FU_ENOMEM;
}

/* KPI engine */
static int kpi_setup(void **h) {
    int rc = fu_kpi_new((fu_kpi **)h, policy, NULL);
    if (!rc) rc = fu_kpi_add_book(*h, book);
    return rc;
}
static void kpi_teardown(void *h) { fu_kpi_free(h); }
static int kpi_op(void *h, char **out) {
    size_t n = 0;
    *out = NULL;
    int rc = fu_kpi_compute(h, &n);
    if (!rc) rc = fu_kpi_write_csv_to_string(h, NULL, out);
    return rc;
}

/* best-time model: refit the prior */
static int bt_setup(void **h) { return fu_besttime_new((fu_besttime **)h, policy, book, NULL, 0, NULL); }
static void bt_teardown(void *h) { fu_besttime_free(h); }
static int bt_op(void *h, char **out) {
    *out = NULL;
    int rc = fu_besttime_fit_prior(h, FU_BOOK_NO_TIME);
    if (rc) return rc;
    char buf[4096];
    size_t len = 0;
    for (int s = 0; s < fu_besttime_slot_count(h) && len + 64 < sizeof buf; s++) {
        double a = 0, b = 0;
        if ((rc = fu_besttime_prior(h, 0, s, &a, &b))) return rc;
        len += (size_t)snprintf(buf + len, sizeof buf - len, "%.17g/%.17g ", a, b);
    }
    *out = fu__strdup(buf);
    return *out ? FU_OK : FU_ENOMEM;
}

/* NCUST / 256 polls in the planner, NCUST / 1,024 in the others */
Test(cancel, planner_plan) {
    cr_assert_eq(run_cancel_case(&(cancel_case){"plan", planner_setup, planner_op, planner_teardown}), NCUST / 256);
}
Test(cancel, planner_simulate) {
    /* each of the 3 steps plans every customer: NCUST / 256 polls a step;
     * then the one KPI engine that measures the run (issues 14 and 18): NCUST / 1,024 */
    cr_assert_eq(run_cancel_case(&(cancel_case){"simulate", planner_setup, sim_op, planner_teardown}),
                 3 * (NCUST / 256) + NCUST / 1024);
}
Test(cancel, kpi_compute) {
    cr_assert_eq(run_cancel_case(&(cancel_case){"kpi", kpi_setup, kpi_op, kpi_teardown}), NCUST / 1024);
}
Test(cancel, besttime_fit_prior) {
    cr_assert_eq(run_cancel_case(&(cancel_case){"besttime", bt_setup, bt_op, bt_teardown}), NCUST / 1024);
}

Test(cancel, besttime_new) {
    fu_besttime *m = NULL;
    polls_left = 1;
    fu_set_cancel_hook(cancel_after, NULL);
    int rc = fu_besttime_new(&m, policy, book, NULL, 0, NULL);
    fu_set_cancel_hook(NULL, NULL);
    cr_assert_eq(rc, FU_ECANCELED);
    cr_assert_null(m);
    cr_assert_eq(fu_besttime_new(&m, policy, book, NULL, 0, NULL), FU_OK);
    fu_besttime_free(m);
}

Test(cancel, segment_fit) {
    enum { N = 240 };
    double x[N], zbar[N];
    for (int i = 0; i < N; i++) {
        x[i] = 1 + i % 5;
        zbar[i] = 20 + (i * 37) % 61 + (i % 7) * 3;
    }
    fu_segment_gammagamma ref, got;
    fu_segment_fit_info info;
    cr_assert_eq(fu_segment_gammagamma_fit(x, zbar, N, NULL, &info, &ref), FU_OK, "%s", fu_error_last()->message);
    cr_assert_gt(info.iterations, 2);
    for (int k = 1; k <= 2; k++) { /* at the 1st and 2nd iteration */
        polls_left = k;
        fu_set_cancel_hook(cancel_after, NULL);
        int rc = fu_segment_gammagamma_fit(x, zbar, N, NULL, NULL, &got);
        fu_set_cancel_hook(NULL, NULL);
        cr_assert_eq(rc, FU_ECANCELED, "poll %d: %s", k, fu_error_last()->message);
        cr_assert_eq(fu_error_last()->code, FU_ECANCELED);
    }
    cr_assert_eq(fu_segment_gammagamma_fit(x, zbar, N, NULL, NULL, &got), FU_OK);
    cr_assert(memcmp(&got, &ref, sizeof got) == 0);
}
