/* What the tool used to compute itself from a plan: the local offset of a
 * touchpoint (fu_plan_utc_offset, any number of zones) and the owner and
 * agent columns of the plan CSV (FU_PLAN_CSV_OWNER, FU_PLAN_CSV_AGENT). */
#include "fu_test.h"
#include "followup.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef fu_test_planner fx;

static void setup_plan(fx *f, const char *customers, const char *events, int64_t now) {
    memset(f, 0, sizeof *f);
    f->policy = fu_test_policy(NULL);
    f->book = fu_test_book(customers, events);
    cr_assert_eq(fu_planner_new(&f->pl, f->policy, f->book, NULL), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(fu_planner_plan(f->pl, now, 10 * 86400, &f->plan), FU_OK, "%s", fu_error_last()->message);
}

/* 2026-03-02T12:00:00Z, a Monday */
#define NOW 1772452800

Test(plan_output, utc_offset_is_the_customers_zone) {
    fx f;
    setup_plan(&f,
               "customer_id,tz,consent_phone\nK1,Asia/Shanghai,yes\nK2,America/New_York,yes\n"
               "K3,Asia/Kolkata,yes\nK4,UTC,yes\n",
               "customer_id,at,kind\nK1,2026-03-02T12:00:00Z,delivery\nK2,2026-03-02T12:00:00Z,delivery\n"
               "K3,2026-03-02T12:00:00Z,delivery\nK4,2026-03-02T12:00:00Z,delivery\n",
               NOW);
    size_t n = 0;
    const fu_touchpoint *tp = fu_plan_touchpoints(f.plan, FU_TOUCHPOINT_PLANNED, &n);
    cr_assert_gt(n, 3);
    int seen = 0;
    for (size_t i = 0; i < n; i++) {
        int off = 12345;
        cr_assert_eq(fu_plan_utc_offset(f.plan, &tp[i], tp[i].best_at, &off), FU_OK);
        int want = strcmp(tp[i].customer_id, "K1") == 0   ? 8 * 3600
                   : strcmp(tp[i].customer_id, "K2") == 0 ? -5 * 3600 /* EST until 2026-03-08 */
                   : strcmp(tp[i].customer_id, "K3") == 0 ? 5 * 3600 + 1800
                                                          : 0;
        if (tp[i].best_at >= 1772953200 && strcmp(tp[i].customer_id, "K2") == 0) want = -4 * 3600; /* EDT */
        cr_assert_eq(off, want, "%s at %lld: %d", tp[i].customer_id, (long long)tp[i].best_at, off);
        seen |= 1 << (tp[i].customer_id[1] - '1');
    }
    cr_assert_eq(seen, 0xF);
    fu_touchpoint copy = tp[0];
    int off = 7;
    cr_assert_eq(fu_plan_utc_offset(f.plan, &copy, NOW, &off), FU_EINVAL); /* not one of the plan's */
    cr_assert_eq(off, 0);
    cr_assert_eq(fu_plan_utc_offset(NULL, tp, NOW, &off), FU_EINVAL);
    fu_test_planner_free(&f);
}

Test(plan_output, csv_owner_and_agent_columns_come_last) {
    fx f;
    setup_plan(&f, "customer_id,tz,consent_phone\nK1,Asia/Shanghai,yes\n",
               "customer_id,at,kind\nK1,2026-03-02T12:00:00Z,delivery\n", NOW);
    char *csv = NULL;
    unsigned all = 1u << FU_TOUCHPOINT_PLANNED;
    cr_assert_eq(fu_plan_write_csv_to_string(f.plan, all, FU_PLAN_CSV_OWNER | FU_PLAN_CSV_AGENT, NULL, &csv), FU_OK);
    const char *hdr = "customer_id,due_from,due_to,best_at,purpose,channel,priority,rule,reason,owner,agent\n";
    cr_assert(strncmp(csv, hdr, strlen(hdr)) == 0, "%s", csv);
    char *row = csv + strlen(hdr);
    cr_assert(strlen(row) > 0);
    /* without a ledger or an agents file both cells are empty */
    size_t len = strlen(row);
    cr_assert(len > 3 && strcmp(row + len - 3, ",,\n") == 0, "%s", row);
    fu_free(csv);
    cr_assert_eq(fu_plan_write_csv_to_string(f.plan, all, FU_PLAN_CSV_STATUS | FU_PLAN_CSV_AGENT | FU_PLAN_CSV_RAW,
                                             NULL, &csv),
                 FU_OK);
    const char *hdr2 = "customer_id,due_from,due_to,best_at,purpose,channel,priority,rule,reason,status,"
                       "status_rule,agent\n";
    cr_assert(strncmp(csv, hdr2, strlen(hdr2)) == 0, "%s", csv);
    fu_free(csv);
    cr_assert_eq(fu_plan_write_csv_to_string(f.plan, all, 0x100u, NULL, &csv), FU_EINVAL);
    fu_test_planner_free(&f);
}
