/* The closed loop promise -> resolution -> survey -> contact (review s9 F26):
 * a `resolved` event in the book fulfils the promises made about the issues
 * it closes, in the ledger (fu_ledger_fulfill_from_book()) and in the
 * planner's promise snapshot (fu_planner_set_ledger()). Hand-made book and
 * ledger; expected instants worked out by hand in the comments. */
#include "fu_test.h"

#include <criterion/criterion.h>
#include <string.h>

#define T fu_test_time

static const char CUSTOMERS[] = "customer_id,tz,annual_spend,consent_phone,consent_sms\n"
                                "A,Asia/Shanghai,5000,yes,yes\n"
                                "B,Asia/Shanghai,5000,yes,yes\n"
                                "C,Asia/Shanghai,5000,yes,yes\n"
                                "D,Asia/Shanghai,5000,yes,yes\n"
                                "E,Asia/Shanghai,5000,yes,yes\n"
                                "F,Asia/Shanghai,5000,yes,yes\n";
/* A: the review's case: complaint O1, promise at 10:00, resolved O1 11-24.
 * B: two issues open at the promise (O1, O2); O1 resolved 11-24, O2 11-27.
 * C: the issue was resolved before the promise; a later complaint is
 *    resolved after it: the promise was made with nothing open.
 * D: a fault of O4 closed by its repair (11-21 15:00).
 * E: complaint O5; the only later resolution is of another order (O6).
 * F: nothing open at the promise: the promise raised its own issue (the
 *    call it was made in), answered by the next `resolved` that closes no
 *    issue raised since (11-21 09:00; C's closes its later complaint). */
static const char EVENTS[] = "customer_id,at,kind,order_id,severity,channel,outcome\n"
                             "A,2025-06-01T10:00:00+08:00,purchase,O1,,,\n"
                             "A,2026-11-20T09:00:00+08:00,complaint,O1,normal,,\n"
                             "A,2026-11-24T10:00:00+08:00,resolved,O1,,,\n"
                             "B,2026-11-20T08:00:00+08:00,complaint,O1,normal,,\n"
                             "B,2026-11-20T08:30:00+08:00,fault,O2,normal,,\n"
                             "B,2026-11-24T10:00:00+08:00,resolved,O1,,,\n"
                             "B,2026-11-27T11:00:00+08:00,resolved,O2,,,\n"
                             "C,2026-11-19T08:00:00+08:00,complaint,O3,normal,,\n"
                             "C,2026-11-19T09:00:00+08:00,resolved,O3,,,\n"
                             "C,2026-11-22T08:00:00+08:00,complaint,O3,normal,,\n"
                             "C,2026-11-23T08:00:00+08:00,resolved,O3,,,\n"
                             "D,2026-11-20T08:00:00+08:00,fault,O4,normal,,\n"
                             "D,2026-11-21T15:00:00+08:00,repair,O4,,,\n"
                             "E,2026-11-20T08:00:00+08:00,complaint,O5,normal,,\n"
                             "E,2026-11-22T08:00:00+08:00,resolved,O6,,,\n"
                             "F,2026-11-21T09:00:00+08:00,resolved,,,,\n";

static int64_t add(fu_ledger *l, const char *cust, const char *made, const char *due) {
    fu_commit_input in = FU_COMMIT_INPUT_INIT;
    in.customer_id = cust;
    in.text = "承诺3个工作日内解决";
    in.created_at = T(made);
    in.deadline = T(due);
    int64_t id = 0;
    cr_assert_eq(fu_ledger_add(l, &in, &id), FU_OK, "%s", fu_error_last()->message);
    return id;
}

static fu_commitment get(fu_ledger *l, int64_t id, fu_commitment_list **keep) {
    cr_assert_eq(fu_ledger_get(l, id, keep), FU_OK);
    cr_assert_eq(fu_commitment_list_count(*keep), 1);
    return *fu_commitment_list_get(*keep, 0);
}

Test(commit_loop, resolutions_in_the_book_fulfil_the_promises_they_answer) {
    fu_book *book = fu_test_book(CUSTOMERS, EVENTS);
    fu_ledger *l = NULL;
    cr_assert_eq(fu_ledger_open(&l, NULL, NULL), FU_OK);
    /* promises at 11-20 10:00 due in 3 working days: Wed 11-25 18:00 */
    int64_t a = add(l, "A", "2026-11-20T10:00:00+08:00", "2026-11-25T18:00:00+08:00");
    int64_t b = add(l, "B", "2026-11-20T10:00:00+08:00", "2026-11-25T18:00:00+08:00");
    int64_t c = add(l, "C", "2026-11-20T10:00:00+08:00", "2026-11-25T18:00:00+08:00");
    int64_t d = add(l, "D", "2026-11-20T10:00:00+08:00", "2026-11-25T18:00:00+08:00");
    int64_t e = add(l, "E", "2026-11-20T10:00:00+08:00", "2026-11-25T18:00:00+08:00");
    int64_t x = add(l, "NOBODY", "2026-11-20T10:00:00+08:00", "2026-11-25T18:00:00+08:00");
    int64_t f = add(l, "F", "2026-11-20T10:00:00+08:00", "2026-11-25T18:00:00+08:00");
    size_t n = 99;
    /* as of 11-24 09:00 nothing is answered yet but D's repair (11-21 15:00)
     * and F's own resolution (11-21 09:00) */
    cr_assert_eq(fu_ledger_fulfill_from_book(l, book, T("2026-11-24T09:00:00+08:00"), NULL, &n), FU_OK,
                 "%s", fu_error_last()->message);
    cr_assert_eq(n, 2);
    fu_commitment_list *keep = NULL;
    fu_commitment fg = get(l, f, &keep);
    cr_assert_eq(fg.state, FU_COMMIT_FULFILLED);
    cr_assert_eq(fg.closed_at, T("2026-11-21T09:00:00+08:00"));
    fu_commitment_list_free(keep);
    fu_commitment got = get(l, d, &keep);
    cr_assert_eq(got.state, FU_COMMIT_FULFILLED);
    cr_assert_eq(got.closed_at, T("2026-11-21T15:00:00+08:00"));
    fu_commitment_list_free(keep);
    got = get(l, a, &keep);
    cr_assert_eq(got.state, FU_COMMIT_OPEN);
    fu_commitment_list_free(keep);
    /* a tick at 11-26 breaches B (deadline 11-25 18:00, its O2 still open) */
    size_t changed = 0;
    cr_assert_eq(fu_ledger_tick(l, T("2026-11-26T00:00:00+08:00"), &changed), FU_OK);
    /* as of 11-28: A resolved on time (11-24 10:00) but the tick of 11-26
     * recorded its breach (11-25 18:00) first: the history stays and the
     * fulfilment follows it; B late (11-27 11:00, when O2 was resolved: the
     * last issue open at the promise); C and E not answered */
    cr_assert_eq(fu_ledger_fulfill_from_book(l, book, T("2026-11-28T00:00:00+08:00"), "crm", &n), FU_OK, "%s",
                 fu_error_last()->message);
    cr_assert_eq(n, 2);
    got = get(l, a, &keep);
    cr_assert_eq(got.state, FU_COMMIT_FULFILLED);
    cr_assert_eq(got.closed_at, T("2026-11-25T18:00:00+08:00"));
    fu_commitment_list_free(keep);
    got = get(l, b, &keep);
    cr_assert_eq(got.state, FU_COMMIT_FULFILLED);
    cr_assert_eq(got.closed_at, T("2026-11-27T11:00:00+08:00"));
    cr_assert_eq(got.breach_at, T("2026-11-25T18:00:00+08:00"), "the recorded breach stays");
    fu_commitment_list_free(keep);
    got = get(l, c, &keep);
    cr_assert_eq(got.state, FU_COMMIT_BREACHED, "C's only later resolution closes its later complaint");
    fu_commitment_list_free(keep);
    got = get(l, e, &keep);
    cr_assert_eq(got.state, FU_COMMIT_BREACHED, "another order's resolution does not answer E");
    fu_commitment_list_free(keep);
    got = get(l, x, &keep);
    cr_assert_eq(got.state, FU_COMMIT_BREACHED, "a customer the book lacks is left alone");
    fu_commitment_list_free(keep);
    /* again: nothing more to do */
    cr_assert_eq(fu_ledger_fulfill_from_book(l, book, T("2026-11-28T00:00:00+08:00"), NULL, &n), FU_OK);
    cr_assert_eq(n, 0);
    cr_assert_eq(fu_ledger_fulfill_from_book(NULL, book, 0, NULL, &n), FU_EINVAL);
    fu_ledger_close(l);
    fu_book_free(book);
}

/* An orderless resolution closes an orderless inquiry raised since the
 * previous resolution, not the complaint of an order (the planner's rule). */
Test(commit_loop, an_orderless_resolution_closes_only_its_own_issue) {
    static const char ev[] = "customer_id,at,kind,order_id,severity,channel,outcome\n"
                             "A,2026-11-20T08:00:00+08:00,complaint,O1,normal,,\n"
                             "A,2026-11-20T08:30:00+08:00,inquiry,,,,\n"
                             "A,2026-11-21T08:00:00+08:00,resolved,,,,\n"
                             "A,2026-11-23T08:00:00+08:00,resolved,,,,\n";
    fu_book *book = fu_test_book(CUSTOMERS, ev);
    fu_ledger *l = NULL;
    cr_assert_eq(fu_ledger_open(&l, NULL, NULL), FU_OK);
    int64_t a = add(l, "A", "2026-11-20T10:00:00+08:00", "2026-11-25T18:00:00+08:00");
    size_t n = 0;
    /* 11-21's resolution answers the inquiry only; 11-23's (no orderless
     * issue since 11-21) closes the complaint of O1: fulfilled 11-23 08:00 */
    cr_assert_eq(fu_ledger_fulfill_from_book(l, book, T("2026-11-22T00:00:00+08:00"), NULL, &n), FU_OK);
    cr_assert_eq(n, 0);
    cr_assert_eq(fu_ledger_fulfill_from_book(l, book, T("2026-11-24T00:00:00+08:00"), NULL, &n), FU_OK);
    cr_assert_eq(n, 1);
    fu_commitment_list *keep = NULL;
    fu_commitment got = get(l, a, &keep);
    cr_assert_eq(got.closed_at, T("2026-11-23T08:00:00+08:00"));
    fu_commitment_list_free(keep);
    fu_ledger_close(l);
    fu_book_free(book);
}

/* The planner reads the same answer from a read-only snapshot: the review's
 * case plans no "missed promise" remedy, and the satisfaction check 72 h
 * after the resolution (11-24 10:00 + 72 h = 11-27 10:00). */
Test(commit_loop, the_planner_counts_a_resolved_promise_as_kept) {
    fu_policy *policy = fu_test_policy(NULL);
    fu_book *book = fu_test_book(CUSTOMERS, EVENTS);
    fu_ledger *l = NULL;
    cr_assert_eq(fu_ledger_open(&l, NULL, NULL), FU_OK);
    add(l, "A", "2026-11-20T10:00:00+08:00", "2026-11-25T18:00:00+08:00");
    add(l, "E", "2026-11-20T10:00:00+08:00", "2026-11-25T18:00:00+08:00");
    size_t changed = 0;
    cr_assert_eq(fu_ledger_tick(l, T("2026-11-26T00:00:00+08:00"), &changed), FU_OK);
    fu_planner *pl = NULL;
    fu_plan *plan = NULL;
    cr_assert_eq(fu_planner_new(&pl, policy, book, NULL), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(fu_planner_set_ledger(pl, l), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(fu_planner_plan(pl, T("2026-11-26T00:00:00+08:00"), 3 * 86400, &plan), FU_OK);
    cr_assert_null(fu_test_find_touchpoint(plan, FU_TOUCHPOINT_PLANNED, "A", "promise_breached"));
    const fu_touchpoint *s = fu_test_find_touchpoint(plan, FU_TOUCHPOINT_PLANNED, "A", "promise_fulfilled");
    cr_assert_not_null(s);
    cr_assert_eq(s->due_from, T("2026-11-27T10:00:00+08:00"));
    /* E's promise is still broken: the remedy is planned */
    cr_assert_not_null(fu_test_find_touchpoint(plan, FU_TOUCHPOINT_PLANNED, "E", "promise_breached"));
    fu_plan_free(plan);
    fu_planner_free(pl);
    fu_ledger_close(l);
    fu_book_free(book);
    fu_policy_free(policy);
}

/* Read before the tick, a resolution on time is a promise kept on time. */
Test(commit_loop, read_before_the_tick_a_resolution_is_on_time) {
    fu_book *book = fu_test_book(CUSTOMERS, EVENTS);
    fu_ledger *l = NULL;
    cr_assert_eq(fu_ledger_open(&l, NULL, NULL), FU_OK);
    int64_t a = add(l, "A", "2026-11-20T10:00:00+08:00", "2026-11-25T18:00:00+08:00");
    size_t n = 0, changed = 0;
    cr_assert_eq(fu_ledger_fulfill_from_book(l, book, T("2026-11-26T00:00:00+08:00"), NULL, &n), FU_OK);
    cr_assert_eq(n, 1);
    cr_assert_eq(fu_ledger_tick(l, T("2026-11-26T00:00:00+08:00"), &changed), FU_OK);
    fu_commitment_list *keep = NULL;
    fu_commitment got = get(l, a, &keep);
    cr_assert_eq(got.state, FU_COMMIT_FULFILLED);
    cr_assert_eq(got.closed_at, T("2026-11-24T10:00:00+08:00"));
    fu_commitment_list_free(keep);
    fu_ledger_close(l);
    fu_book_free(book);
}
