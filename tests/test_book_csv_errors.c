/* Errors of the book's CSV readers that misled (review s13): a bad time in
 * the agents file's shift was placed at the field's start (I16); a UTF-8
 * character cut at the end of a cell was blamed on GB18030 (I19); invisible
 * characters made ids that no other file names (I20); a score was echoed
 * rounded (I21); and a capacity record's `deferred` out of range was taken
 * as 1 (I18). */
#include "fu_test.h"

#include <criterion/criterion.h>
#include <string.h>

static void customers_fail(const char *csv, int code, const char *msg, unsigned long line, unsigned long col,
                           const char *path) {
    fu_book *b = NULL;
    cr_assert_eq(fu_book_new(&b, NULL), FU_OK);
    cr_assert_eq(fu_book_read_customers_csv_from_string(b, csv, strlen(csv), "c.csv"), code, "%s",
                 fu_error_last()->message);
    fu_test_expect_error(code, msg, "c.csv", line, col, path ? path : "");
    cr_assert_eq(fu_book_customer_count(b), 0);
    fu_book_free(b);
}

static fu_book *customers(const char *csv) {
    fu_book *b = NULL;
    cr_assert_eq(fu_book_new(&b, NULL), FU_OK);
    cr_assert_eq(fu_book_read_customers_csv_from_string(b, csv, strlen(csv), "c.csv"), FU_OK, "%s",
                 fu_error_last()->message);
    return b;
}

static void events_fail(fu_book *b, const char *csv, int code, const char *msg, unsigned long line,
                        unsigned long col, const char *path) {
    cr_assert_eq(fu_book_read_events_csv_from_string(b, csv, strlen(csv), "e.csv"), code, "%s",
                 fu_error_last()->message);
    fu_test_expect_error(code, msg, "e.csv", line, col, path);
}

/* ------------------------------------------------------------------ I18 */

Test(book_csv_errors, capacity_deferred_out_of_range_is_refused) {
    fu_policy *pol = NULL;
    cr_assert_eq(fu_policy_default(&pol), FU_OK);
    const char *cust = "customer_id,tz,annual_spend,consent_phone,consent_sms,consent_email\n"
                       "K001,Asia/Shanghai,20000,yes,yes,yes\nK002,Asia/Shanghai,20000,yes,yes,yes\n";
    const char *ev = "customer_id,at,kind,order_id\nK001,2026-11-23T10:01:00+08:00,delivery,O1\n"
                     "K002,2026-11-23T10:02:00+08:00,delivery,O2\n";
    fu_book *b = customers(cust);
    cr_assert_eq(fu_book_read_events_csv_from_string(b, ev, strlen(ev), "e.csv"), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(fu_book_finalize(b), FU_OK);
    fu_planner *pl = NULL;
    fu_plan *p = NULL;
    cr_assert_eq(fu_planner_new(&pl, pol, b, NULL), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(fu_planner_plan(pl, fu_test_time("2026-11-23T11:00:00+08:00"), 86400, &p), FU_OK, "%s",
                 fu_error_last()->message);
    fu_capacity_item *v = NULL;
    size_t n = 0;
    cr_assert_eq(fu_plan_capacity_items(p, &v, &n), FU_OK);
    cr_assert_eq(n, 2u);
    size_t deferred = 99, planned = 0;
    fu_plan_touchpoints(p, FU_TOUCHPOINT_PLANNED, &planned);
    v[1].deferred = 12345;
    cr_assert_eq(fu_plan_apply_capacity(p, v, n), FU_EINVAL);
    char want[200];
    snprintf(want, sizeof want, "fu_plan_apply_capacity: item 1 (row %u): deferred 12345 out of range (0 not deferred, "
             "1 deferred)", (unsigned)v[1].row);
    fu_test_expect_error(FU_EINVAL, want, "", 0, 0, "");
    fu_plan_touchpoints(p, FU_TOUCHPOINT_DEFERRED, &deferred);
    cr_assert_eq(deferred, 0u);
    v[0].deferred = 2; /* out of range even before an item that is fine */
    v[1].deferred = 1;
    cr_assert_eq(fu_plan_apply_capacity(p, v, n), FU_EINVAL);
    cr_assert(strstr(fu_error_last()->message, "item 0 ") != NULL, "%s", fu_error_last()->message);
    v[0].deferred = 0;
    cr_assert_eq(fu_plan_apply_capacity(p, v, n), FU_OK, "%s", fu_error_last()->message);
    fu_plan_touchpoints(p, FU_TOUCHPOINT_DEFERRED, &deferred);
    cr_assert_eq(deferred, 1u);
    fu_free(v);
    fu_plan_free(p);
    fu_planner_free(pl);
    fu_book_free(b);
    fu_policy_free(pol);
}
