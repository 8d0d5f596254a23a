/* The CLV reader (`plan --clv FILE`, fu_planner_set_clv; docs/formats.md,
 * "CLV"): a column named twice is refused naming both fields, as the other
 * readers refuse it (which of the two is meant cannot be told), and the
 * duplicate-customer error quotes the id through the error-text masking
 * (lib/errtext.h) like every other reader's (review s13 leftovers). */
#include "fu_test.h"

#include <criterion/criterion.h>
#include <string.h>

static const char CUSTOMERS[] = "customer_id,tz\nK1,Asia/Shanghai\n13812345678,Asia/Shanghai\n";
static const char EVENTS[] = "customer_id,at,kind,order_id\nK1,2026-03-02T10:00:00+08:00,delivery,O1\n";

static void refused(fu_test_planner *f, const char *csv, unsigned long line, unsigned long column,
                    const char *message) {
    cr_assert_eq(fu_planner_set_clv(f->pl, csv, strlen(csv), "clv.csv"), FU_EPARSE, "%s", csv);
    const fu_error *e = fu_error_last();
    cr_expect_str_eq(e->source, "clv.csv");
    cr_expect_eq(e->line, line, "%s", e->message);
    cr_expect_eq(e->column, column, "%s", e->message);
    cr_expect(strstr(e->message, message), "%s", e->message);
}

Test(planner_clv, duplicate_columns_are_refused_naming_both_fields) {
    fu_test_planner f;
    fu_test_planner_open_ok(&f, CUSTOMERS, EVENTS);
    refused(&f, "customer_id,clv,clv\nK1,1,2\n", 1, 17, "column 'clv' appears twice (fields 2 and 3)");
    refused(&f, "customer_id,clv,segment,Customer_ID\nK1,1,a,K2\n", 1, 25,
            "column 'customer_id' appears twice (fields 1 and 4)");
    /* a header of one of each is read as before */
    static const char ok[] = "segment,clv,customer_id\na,5,K1\n";
    cr_expect_eq(fu_planner_set_clv(f.pl, ok, strlen(ok), "clv.csv"), FU_OK, "%s", fu_error_last()->message);
    fu_test_planner_free(&f);
}

Test(planner_clv, duplicate_customer_is_quoted_masked) {
    fu_test_planner f;
    fu_test_planner_open_ok(&f, CUSTOMERS, EVENTS);
    refused(&f, "customer_id,clv\n13812345678,1\n13812345678,2\n", 3, 1, "customer '138****5678' appears twice");
    cr_expect_null(strstr(fu_error_last()->message, "13812345678"), "%s", fu_error_last()->message);
    fu_test_planner_free(&f);
}
