/*
 * Allocation failure inside an operation on a live handle (issue 10): the
 * call returns FU_ENOMEM, nothing is leaked, and the same handle then does
 * the same operation correctly. The handle is made under the counting
 * allocator with no failure armed; then the Nth allocation of the operation
 * fails, for every N until the operation no longer allocates that often.
 * (Creation and one-shot calls are covered by fu_test_oom in each module's
 * tests.)
 */
#include "fu_test.h"
#include "internal.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <string.h>

static fu_policy *policy;
static fu_book *book;
static int64_t now;

static void load(void) {
    char c[512], e[512];
    snprintf(c, sizeof c, "%s/data/planner/customers.csv", FU_TEST_SRCDIR);
    snprintf(e, sizeof e, "%s/data/planner/events.csv", FU_TEST_SRCDIR);
    cr_assert_eq(fu_policy_default(&policy), FU_OK);
    cr_assert_eq(fu_book_new(&book, NULL), FU_OK);
    cr_assert_eq(fu_book_read_customers_csv(book, c), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(fu_book_read_events_csv(book, e), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(fu_time_parse("2026-01-12T00:00:00+08:00", 25, &now), FU_OK);
}

static void unload(void) {
    fu_book_free(book);
    fu_policy_free(policy);
}

typedef struct reuse_case {
    const char *what;
    int (*setup)(void **h);
    int (*op)(void *h, char **result); /* result: a text to compare, or NULL */
    void (*teardown)(void *h);
} reuse_case;

static void run_case(const reuse_case *rc) {
    /* the reference result, on a handle of its own */
    void *h = NULL;
    char *ref = NULL, *got = NULL;
    fu_test_alloc_install(0);
    cr_assert_eq(rc->setup(&h), FU_OK, "%s setup: %s", rc->what, fu_error_last()->message);
    cr_assert_eq(rc->op(h, &ref), FU_OK, "%s: %s", rc->what, fu_error_last()->message);
    rc->teardown(h);
    size_t base_live = fu_test_alloc_live() - (ref ? 1 : 0);

    for (unsigned long n = 1; n < 100000; n++) {
        fu_test_alloc_install(0);
        cr_assert_eq(rc->setup(&h), FU_OK, "%s setup: %s", rc->what, fu_error_last()->message);
        fu_test_alloc_install(n); /* arm: the nth allocation from here fails */
        int r = rc->op(h, &got);
        int fired = fu_test_alloc_failed();
        fu_test_alloc_install(0);
        if (!fired) {
            cr_assert_eq(r, FU_OK);
            fu_free(got);
            got = NULL;
            rc->teardown(h);
            cr_assert_gt(n, 1, "%s made no allocation: nothing tested", rc->what);
            cr_log_info("%s: failed each of %lu allocations", rc->what, n - 1);
            break;
        }
        cr_assert_eq(r, FU_ENOMEM, "%s: allocation %lu failed but the call returned %d (%s)", rc->what,
                     n, r, fu_error_last()->message);
        cr_assert_null(got, "%s: allocation %lu: a result was handed out on failure", rc->what, n);
        /* the same handle still works and gives the reference result */
        r = rc->op(h, &got);
        cr_assert_eq(r, FU_OK, "%s after failing allocation %lu: %s", rc->what, n, fu_error_last()->message);
        if (ref) cr_assert_str_eq(got, ref, "%s after failing allocation %lu: result differs", rc->what, n);
        fu_free(got);
        got = NULL;
        rc->teardown(h);
        cr_assert_eq(fu_test_alloc_live(), base_live + (ref ? 1 : 0),
                     "%s: failing allocation %lu leaked", rc->what, n);
    }
    fu_free(ref);
    fu_test_alloc_uninstall();
}

/* ---- planner: plan() on a live planner ---- */
static int planner_setup(void **h) { return fu_planner_new((fu_planner **)h, policy, book, NULL); }
static int planner_op(void *h, char **out) {
    fu_plan *plan = NULL;
    *out = NULL;
    int rc = fu_planner_plan(h, now, 7 * 86400, &plan);
    if (rc == FU_OK) rc = fu_plan_write_csv_to_string(plan, ~0u, FU_PLAN_CSV_STATUS, NULL, out);
    fu_plan_free(plan);
    return rc;
}
static void planner_teardown(void *h) { fu_planner_free(h); }

/* ---- KPI engine: compute() after more data ---- */
static int kpi_setup(void **h) {
    int rc = fu_kpi_new((fu_kpi **)h, policy, NULL);
    if (rc == FU_OK) rc = fu_kpi_add_book(*h, book);
    return rc;
}
static int kpi_op(void *h, char **out) {
    size_t n = 0;
    *out = NULL;
    int rc = fu_kpi_compute(h, &n);
    if (rc == FU_OK) rc = fu_kpi_write_csv_to_string(h, NULL, out);
    return rc;
}
static void kpi_teardown(void *h) { fu_kpi_free(h); }

/* ---- best-time model: the best hours of a day ---- */
static int bt_setup(void **h) { return fu_besttime_new((fu_besttime **)h, policy, book, NULL, 0, NULL); }
static int bt_op(void *h, char **out) {
    fu_besttime_slot slots[4];
    size_t n = 0;
    *out = NULL;
    int rc = fu_besttime_best(h, 0, now, now + 86400, FU_CHANNEL_PHONE, 0, 4, NULL, slots, &n);
    if (rc != FU_OK) return rc;
    fu__buf b = FU__BUF_INIT;
    for (size_t i = 0; i < n; i++) fu__buf_printf(&b, "%lld %.12f\n", (long long)slots[i].at, slots[i].p);
    if (b.failed) {
        fu__buf_free(&b);
        return FU_ENOMEM;
    }
    *out = fu__buf_detach(&b);
    return *out ? FU_OK : fu__error_nomem();
}
static void bt_teardown(void *h) { fu_besttime_free(h); }

/* ---- redactor: masking a note ---- */
static int red_setup(void **h) { return fu_redactor_new((fu_redactor **)h, NULL); }
static int red_op(void *h, char **out) {
    static const char note[] = "客户13812345678投诉, mail zhang.san@example.com, card 6222021234567890123";
    return fu_redactor_apply(h, note, sizeof note - 1, NULL, out);
}
static void red_teardown(void *h) { fu_redactor_free(h); }

/* ---- extractor: promises in a note ---- */
static int ex_setup(void **h) { return fu_extractor_new_from_policy((fu_extractor **)h, policy); }
static int ex_op(void *h, char **out) {
    static const char note[] = "已致歉, 承诺3个工作日内解决, 明天下午前回电; will call back by Friday";
    fu_extraction *x = NULL;
    *out = NULL;
    int rc = fu_extractor_run(h, fu_policy_calendar(policy, NULL), note, sizeof note - 1, now, &x);
    if (rc != FU_OK) return rc;
    fu__buf b = FU__BUF_INIT;
    for (size_t i = 0; i < fu_extraction_promise_count(x); i++)
        fu__buf_printf(&b, "%s\n", fu_extraction_promise(x, i)->rule);
    fu_extraction_free(x);
    if (b.failed) {
        fu__buf_free(&b);
        return FU_ENOMEM;
    }
    *out = fu__buf_detach(&b);
    return *out ? FU_OK : fu__error_nomem();
}
static void ex_teardown(void *h) { fu_extractor_free(h); }

TestSuite(oom_reuse, .init = load, .fini = unload);

/* Each handle: the name in messages, then setup, operation and teardown. */
static const reuse_case k_cases[] = {
    {"planner plan", planner_setup, planner_op, planner_teardown},
    {"kpi compute", kpi_setup, kpi_op, kpi_teardown},
    {"besttime best", bt_setup, bt_op, bt_teardown},
    {"redactor apply", red_setup, red_op, red_teardown},
    {"extractor run", ex_setup, ex_op, ex_teardown},
};
#define N_CASES (sizeof k_cases / sizeof k_cases[0])

/* The parameter is an index into k_cases (parameters are copied: no pointers). */
ParameterizedTestParameters(oom_reuse, a_handle_works_again_after_a_failed_call) {
    static size_t index[N_CASES];
    for (size_t i = 0; i < N_CASES; i++) index[i] = i;
    return cr_make_param_array(size_t, index, N_CASES);
}

ParameterizedTest(size_t *i, oom_reuse, a_handle_works_again_after_a_failed_call) { run_case(&k_cases[*i]); }
