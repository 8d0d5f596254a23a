/* Stored rows with values no writer of the library makes (review s13 I3):
 * a damaged or foreign-written ledger or contact log is refused when read,
 * naming the file, the row and the column, never listed with placeholder
 * values. The files are written by the library, then edited with SQLite. */
#include "fu_test.h"

#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void tmp_path(char *buf, size_t size, const char *name) { fu_test_db_path(buf, size, "fu_rows", name); }

/* A ledger at `path` holding commitment 1 (made 2026-03-02, due a day later). */
static void make_ledger(const char *path) {
    fu_ledger *l = NULL;
    cr_assert_eq(fu_ledger_open(&l, path, NULL), FU_OK, "%s", fu_error_last()->message);
    fu_commit_input in = FU_COMMIT_INPUT_INIT;
    in.customer_id = "C1";
    in.text = "call back";
    in.created_at = 1772413200; /* 2026-03-02T01:00:00Z */
    in.deadline = in.created_at + 86400;
    int64_t id = 0;
    cr_assert_eq(fu_ledger_add(l, &in, &id), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(id, 1);
    fu_ledger_close(l);
}

/* After `change` to the commitment row, a query fails with FU_EDB naming
 * the file and `want`. */
static void expect_refused(const char *name, const char *change, const char *want) {
    char path[512], sql[256], expect[800];
    tmp_path(path, sizeof path, name);
    make_ledger(path);
    snprintf(sql, sizeof sql, "UPDATE commitment SET %s", change);
    fu_test_db_exec(path, sql);
    fu_ledger *l = NULL;
    cr_assert_eq(fu_ledger_open(&l, path, NULL), FU_OK, "%s", fu_error_last()->message);
    fu_commit_query q = FU_COMMIT_QUERY_INIT;
    q.kind = FU_QUERY_ALL;
    fu_commitment_list *list = NULL;
    cr_assert_eq(fu_ledger_query(l, &q, &list), FU_EDB, "%s: accepted", change);
    cr_assert_null(list);
    snprintf(expect, sizeof expect, "ledger '%s': commitment 1: %s", path, want);
    cr_assert(strstr(fu_error_last()->message, expect), "%s (expected %s)", fu_error_last()->message, expect);
    cr_assert_eq(fu_ledger_get(l, 1, &list), FU_EDB, "%s: fu_ledger_get accepted it", change);
    if (!strstr(change, "deadline") && !strstr(change, "closed_at") && !strstr(change, "customer_id"))
        /* the columns fulfil reads (the state, flags and times the rules need) */
        cr_assert_eq(fu_ledger_fulfill(l, 1, 1772413200 + 3600, "me"), FU_EDB, "%s: fulfilled", change);
    fu_ledger_close(l);
    fu_test_rm_db(path);
}

Test(commit_store_rows, a_valid_ledger_still_lists) {
    char path[512];
    tmp_path(path, sizeof path, "valid");
    make_ledger(path);
    fu_ledger *l = NULL;
    cr_assert_eq(fu_ledger_open(&l, path, NULL), FU_OK, "%s", fu_error_last()->message);
    fu_commitment_list *list = NULL;
    cr_assert_eq(fu_ledger_get(l, 1, &list), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(fu_commitment_list_count(list), 1);
    cr_assert_str_eq(fu_commitment_list_get(list, 0)->customer_id, "C1");
    fu_commitment_list_free(list);
    fu_ledger_close(l);
    fu_test_rm_db(path);
}

Test(commit_store_rows, times_out_of_range_are_refused) {
    expect_refused("dl", "deadline = 9223372036854775807", "deadline 9223372036854775807 is not a time of years 1..9999");
    expect_refused("ca", "created_at = -9223372036854775808", "created_at -9223372036854775808 is not a time");
    expect_refused("cl", "closed_at = 253402300800", "closed_at 253402300800 is not a time");
}

Test(commit_store_rows, states_levels_and_flags_out_of_range_are_refused) {
    expect_refused("st", "state = 99", "state 99 is outside 0..3");
    expect_refused("lv", "level = -5", "level -5 is outside 0..1000");
    expect_refused("wd", "warned = 2", "warned 2 is outside 0..1");
}

Test(commit_store_rows, text_in_an_integer_column_and_a_nul_in_a_text_are_refused) {
    expect_refused("tx", "created_at = 'yesterday'", "created_at is text, not an integer");
    expect_refused("re", "deadline = 1.5", "deadline is a real, not an integer");
    expect_refused("nul", "customer_id = CAST(x'43005800' AS TEXT)", "customer_id holds a NUL byte at byte 2");
}

static int count_record(void *ud, const fu_contact_record *r) {
    (void)r;
    ++*(int *)ud;
    return 0;
}

Test(commit_store_rows, contact_log_rows_out_of_range_are_refused) {
    static const char *const change[][2] = {
        {"at = 'yesterday'", "record 1: at is text, not an integer"},
        {"at = 9223372036854775807", "record 1: at 9223372036854775807 is not a time of years 1..9999"},
        {"duration = 999999", "record 1: duration 999999 is outside 0..86400"},
        {"customer_id = CAST(x'43005800' AS TEXT)", "record 1: customer_id holds a NUL byte"},
    };
    for (size_t k = 0; k < sizeof change / sizeof change[0]; k++) {
        char path[512], sql[256], expect[800];
        tmp_path(path, sizeof path, "log");
        fu_contact_log *log = NULL;
        cr_assert_eq(fu_contact_log_open(&log, path, NULL), FU_OK, "%s", fu_error_last()->message);
        fu_contact_record r;
        fu_contact_record_init(&r);
        r.customer_id = "C1";
        r.at = 1772413200;
        r.channel = FU_CHANNEL_PHONE;
        r.outcome = FU_GUARD_ANSWERED;
        cr_assert_eq(fu_contact_log_append(log, &r, 1, NULL), FU_OK, "%s", fu_error_last()->message);
        int n = 0;
        cr_assert_eq(fu_contact_log_read(log, 0, NULL, count_record, &n), FU_OK, "%s", fu_error_last()->message);
        cr_assert_eq(n, 1);
        fu_contact_log_close(log);
        snprintf(sql, sizeof sql, "UPDATE contact_log SET %s", change[k][0]);
        fu_test_db_exec(path, sql);
        cr_assert_eq(fu_contact_log_open(&log, path, NULL), FU_OK, "%s", fu_error_last()->message);
        n = 0;
        cr_assert_eq(fu_contact_log_read(log, 0, NULL, count_record, &n), FU_EDB, "%s: accepted", change[k][0]);
        cr_assert_eq(n, 0);
        snprintf(expect, sizeof expect, "contact log '%s': %s", path, change[k][1]);
        cr_assert(strstr(fu_error_last()->message, expect), "%s (expected %s)", fu_error_last()->message, expect);
        fu_contact_log_close(log);
        fu_test_rm_db(path);
    }
}

/* What the ledger stores always passes its own row check (review s13 R5):
 * a breach time past the year 9999 (breach_share 2, the documented maximum,
 * and a deadline late in 9998) or a created_at before the year 1 is refused
 * when added (FU_ERANGE), and the ledger still lists; before, the add
 * succeeded and every later query called the ledger damaged. */
Test(commit_store_rows, an_add_the_reader_would_refuse_is_refused_when_added) {
    char path[512];
    tmp_path(path, sizeof path, "r5");
    make_ledger(path);
    fu_ledger_options o = FU_LEDGER_OPTIONS_INIT;
    o.breach_share = 2.0;
    fu_ledger *l = NULL;
    cr_assert_eq(fu_ledger_open(&l, path, &o), FU_OK, "%s", fu_error_last()->message);
    fu_commit_input in = FU_COMMIT_INPUT_INIT;
    in.customer_id = "C2";
    in.created_at = 1772413200;                    /* 2026-03-02T01:00:00Z */
    in.deadline = INT64_C(253370764800);           /* 9998-12-31T00:00:00Z */
    cr_assert_eq(fu_ledger_add(l, &in, NULL), FU_ERANGE, "added");
    cr_assert(strstr(fu_error_last()->message, "breach time"), "%s", fu_error_last()->message);
    in.created_at = INT64_C(-70000000000);
    in.deadline = 1772413200;
    cr_assert_eq(fu_ledger_add(l, &in, NULL), FU_ERANGE, "added");
    cr_assert(strstr(fu_error_last()->message, "created_at"), "%s", fu_error_last()->message);
    fu_commitment_list *list = NULL;
    fu_commit_query q = FU_COMMIT_QUERY_INIT;
    q.kind = FU_QUERY_ALL;
    cr_assert_eq(fu_ledger_query(l, &q, &list), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(fu_commitment_list_count(list), 1);
    fu_commitment_list_free(list);
    fu_ledger_close(l);
    fu_test_rm_db(path);
}
