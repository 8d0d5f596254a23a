/* Errors of the book's CSV readers that misled (review s13): a bad time in
 * the agents file's shift was placed at the field's start (I16); a UTF-8
 * character cut at the end of a cell was blamed on GB18030 (I19); invisible
 * characters made ids that no other file names (I20); a score was echoed
 * rounded (I21); and a capacity record's `deferred` out of range was taken
 * as 1 (I18). */
#include "fu_test.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
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

/* ------------------------------------------------------------------ I16 */

Test(book_csv_errors, window_time_in_customers_and_agents_points_at_the_token) {
    customers_fail("customer_id,tz,preferred_windows\nC1,UTC,Mon-Fri 09:00-18:0\n", FU_EPARSE,
                   "expected a time HH:MM, got '18:0'", 2, 22, "preferred_windows");
    fu_policy *pol = NULL;
    cr_assert_eq(fu_policy_default(&pol), FU_OK);
    fu_book *b = customers("customer_id,tz\nC1,UTC\n");
    cr_assert_eq(fu_book_finalize(b), FU_OK);
    fu_planner *pl = NULL;
    cr_assert_eq(fu_planner_new(&pl, pol, b, NULL), FU_OK, "%s", fu_error_last()->message);
    static const struct {
        const char *csv;
        unsigned long col;
    } cases[] = {
        {"agent_id,shift\nA1,Mon-Fri 09:00-18:0\n", 18},      /* A1, then the '1' of 18:0 */
        {"agent_id,shift\nA1,\"Mon-Fri 09:00-18:0\"\n", 19},  /* one more: the quote */
        {"agent_id,shift\nA1,  Mon-Fri 09:00-18:0\n", 20},    /* blanks before the text */
        {"agent_id,tz,shift\nA1,UTC,Mon-Fri 09:00-18:0\n", 22},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cr_assert_eq(fu_planner_set_agents(pl, cases[i].csv, strlen(cases[i].csv), "wa.csv"), FU_EPARSE);
        fu_test_expect_error(FU_EPARSE, "expected a time HH:MM, got '18:0'", "wa.csv", 2, cases[i].col, "shift");
    }
    const char *day = "agent_id,shift\nA1,Mon-Fxi 09:00-18:00\n";
    cr_assert_eq(fu_planner_set_agents(pl, day, strlen(day), "wa.csv"), FU_EPARSE);
    fu_test_expect_error(FU_EPARSE, "expected a day name (Mon..Sun), got 'Fxi'", "wa.csv", 2, 8, "shift");
    fu_planner_free(pl);
    fu_book_free(b);
    fu_policy_free(pol);
}

/* ------------------------------------------------------------------ I19 */

Test(book_csv_errors, utf8_cut_short_is_not_blamed_on_gb18030) {
    fu_book *b = customers("customer_id,tz\nC1,Asia/Shanghai\n");
    /* 客户已回访 then the first two bytes of 问 (E9 97 AE) */
    events_fail(b, "customer_id,at,kind,note\nC1,2026-03-02T09:00:00+08:00,purchase,\xE5\xAE\xA2\xE6\x88\xB7\xE5\xB7"
                   "\xB2\xE5\x9B\x9E\xE8\xAE\xBF\xE9\x97\n",
                FU_EPARSE,
                "invalid UTF-8: a UTF-8 character is cut at byte 3 (2 of its 3 bytes are there: a text cut at a byte "
                "limit?)", 2, 54, "note");
    /* quoted, and a 4-byte character with 2 bytes, before a separator */
    events_fail(b, "customer_id,at,kind,note,order_id\nC1,2026-03-02T09:00:00+08:00,purchase,\"ab\xF0\x9F\",O1\n",
                FU_EPARSE,
                "invalid UTF-8: a UTF-8 character is cut at byte 3 (2 of its 4 bytes are there: a text cut at a byte "
                "limit?)", 2, 42, "note");
    events_fail(b, "customer_id,at,kind,note,order_id\nC1,2026-03-02T09:00:00+08:00,purchase,ab\xF0\x9F\x98,O1\n",
                FU_EPARSE,
                "invalid UTF-8: a UTF-8 character is cut at byte 4 (3 of its 4 bytes are there: a text cut at a byte "
                "limit?)", 2, 41, "note");
    /* at the end of the data */
    events_fail(b, "customer_id,at,kind,note\nC1,2026-03-02T09:00:00+08:00,purchase,ab\xE4\xB8", FU_EPARSE,
                "invalid UTF-8: a UTF-8 character is cut at byte 3 (2 of its 3 bytes are there: a text cut at a byte "
                "limit?)", 2, 41, "note");
    /* inside the field: no cut (E4 B8 is a GBK character), a lone lead byte: no proof of one */
    events_fail(b, "customer_id,at,kind,note\nC1,2026-03-02T09:00:00+08:00,purchase,ab\xE4\xB8x\n", FU_EPARSE,
                "invalid UTF-8 (the bytes look like GB18030/GBK: save the file as UTF-8)", 2, 41, "note");
    /* GBK text (制造业: D6 C6 D4 EC D2 B5) keeps its hint */
    events_fail(b, "customer_id,at,kind,note\nC1,2026-03-02T09:00:00+08:00,purchase,\xD6\xC6\xD4\xEC\xD2\xB5\n",
                FU_EPARSE, "invalid UTF-8 (the bytes look like GB18030/GBK: save the file as UTF-8)", 2, 39, "note");
    /* E0 80 is no UTF-8 character cut short (an overlong form): not called one */
    events_fail(b, "customer_id,at,kind,note\nC1,2026-03-02T09:00:00+08:00,purchase,\xE0\x80,\n", FU_EPARSE,
                "invalid UTF-8 (the bytes look like GB18030/GBK: save the file as UTF-8)", 2, 39, "note");
    events_fail(b, "customer_id,at,kind,note\nC1,2026-03-02T09:00:00+08:00,purchase,\xC3\n", FU_EPARSE,
                "invalid UTF-8", 2, 39, "note");
    fu_book_free(b);
    /* a byte order mark cut short at the start */
    customers_fail("\xEF\xBB" "customer_id,tz\nC1,UTC\n", FU_EPARSE, "invalid UTF-8 (a UTF-8 byte order mark cut short)", 1,
                   1, NULL);
}

static int count_note(const fu_note *note, void *ud) {
    (void)note;
    (void)ud;
    return FU_OK;
}

Test(book_csv_errors, notes_reader_says_the_same) {
    const char *csv = "customer_id,at,note\nC1,2026-03-02T09:00:00+08:00,3\xE4\xB8\n";
    cr_assert_eq(fu_notes_read_csv_from_string(csv, strlen(csv), "n.csv", count_note, NULL), FU_EPARSE);
    cr_assert(strstr(fu_error_last()->message, "a UTF-8 character is cut at byte 3") != NULL, "%s",
              fu_error_last()->message);
    cr_assert(strstr(fu_error_last()->message, "GB18030") == NULL, "%s", fu_error_last()->message);
}

/* ------------------------------------------------------------------ I20 */

Test(book_csv_errors, invisible_characters_in_customer_ids_are_refused) {
    /* two exports joined: the second one's byte order mark starts line 3 */
    customers_fail("customer_id,tz\nC1,Asia/Shanghai\n\xEF\xBB\xBF" "C2,UTC\n", FU_EPARSE,
                   "an invisible character U+FEFF (byte order mark) at byte 0 of the id: ids are compared byte for "
                   "byte, and this one would differ from the same id without it (a byte order mark inside the file: "
                   "two files joined?)", 3, 1, "customer_id");
    customers_fail("customer_id,tz\nC1\xE2\x80\x8B,UTC\n", FU_EPARSE,
                   "an invisible character U+200B (zero width space) at byte 2 of the id: ids are compared byte for "
                   "byte, and this one would differ from the same id without it", 2, 3, "customer_id");
    customers_fail("customer_id,tz\n\"C\xE2\x80\x8F" "1\",UTC\n", FU_EPARSE,
                   "an invisible character U+200F (right-to-left mark) at byte 1 of the id: ids are compared byte for "
                   "byte, and this one would differ from the same id without it", 2, 3, "customer_id");
    customers_fail("customer_id,tz\nC\xE2\x81\xA6" "1,UTC\n", FU_EPARSE,
                   "an invisible character U+2066 (left-to-right isolate) at byte 1 of the id: ids are compared byte "
                   "for byte, and this one would differ from the same id without it", 2, 2, "customer_id");
    /* other characters of several bytes are ids as before */
    fu_book *b = customers("customer_id,tz\n\xE5\xAE\xA2\xE6\x88\xB7" "1,UTC\nC\xC2\xA0" "1,UTC\nCaf\xC3\xA9,UTC\n");
    cr_assert_eq(fu_book_customer_count(b), 3);
    fu_book_free(b);
}

Test(book_csv_errors, unknown_customer_says_what_differs) {
    fu_book *b = customers("customer_id,tz\nC1,Asia/Shanghai\n");
    events_fail(b, "customer_id,at,kind\nC1\xE2\x80\x8B,2026-03-02T09:00:00+08:00,purchase\n", FU_ENOTFOUND,
                "unknown customer 'C1\xE2\x80\x8B' (the id holds an invisible character U+200B (zero width space) at "
                "byte 2)", 2, 1, "customer_id");
    events_fail(b, "customer_id,at,kind\nC2,2026-03-02T09:00:00+08:00,purchase\n", FU_ENOTFOUND,
                "unknown customer 'C2'", 2, 1, "customer_id");
    /* the API refuses such an id too now (tests/test_book_api_ids.c), so no
     * customer of the book is a near one */
    fu_customer c;
    fu_customer_init(&c);
    c.id = "\xEF\xBB\xBF" "C2";
    c.tz = "UTC";
    cr_assert_eq(fu_book_add_customer(b, &c, NULL), FU_EINVAL);
    fu_book_free(b);
}

/* An events file that makes its customers (FU_BOOK_CREATE_CUSTOMERS) refuses
 * them as the customers file does, in blocks or not. */
Test(book_csv_errors, invisible_characters_in_created_customer_ids_are_refused) {
    fu_book_options o = FU_BOOK_OPTIONS_INIT;
    o.flags = FU_BOOK_CREATE_CUSTOMERS;
    fu_book *b = NULL;
    cr_assert_eq(fu_book_new(&b, &o), FU_OK);
    events_fail(b, "customer_id,at,kind\nC1,2026-03-02T09:00:00+08:00,purchase\n\xEF\xBB\xBF" "C2,2026-03-02T09:00:00Z,"
                   "purchase\n", FU_EPARSE,
                "an invisible character U+FEFF (byte order mark) at byte 0 of the id: ids are compared byte for byte, "
                "and this one would differ from the same id without it (a byte order mark inside the file: two "
                "files joined?)", 3, 1, "customer_id");
    cr_assert_eq(fu_book_customer_count(b), 0);
    /* 2 MiB of rows, the bad one near the end: read in blocks, then again serially for the error */
    const char *row = "C1,2026-03-02T09:00:00+08:00,purchase\n";
    size_t rows = ((size_t)2 << 20) / strlen(row), len = 0;
    char *csv = malloc(rows * strlen(row) + 200);
    cr_assert_not_null(csv);
    len += (size_t)sprintf(csv, "customer_id,at,kind\n");
    for (size_t i = 0; i < rows; i++) len += (size_t)sprintf(csv + len, "%s", row);
    len += (size_t)sprintf(csv + len, "C\xE2\x80\x8B" "9,2026-03-02T09:00:00Z,purchase\n");
    cr_assert_eq(fu_book_read_events_csv_from_string(b, csv, len, "e.csv"), FU_EPARSE, "%s", fu_error_last()->message);
    fu_test_expect_error(FU_EPARSE, "an invisible character U+200B (zero width space) at byte 1 of the id: ids are "
                         "compared byte for byte, and this one would differ from the same id without it", "e.csv",
                         rows + 2, 2, "customer_id");
    /* the same rows without it are read */
    len -= strlen("C\xE2\x80\x8B" "9,2026-03-02T09:00:00Z,purchase\n");
    cr_assert_eq(fu_book_read_events_csv_from_string(b, csv, len, "e.csv"), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(fu_book_customer_count(b), 1);
    free(csv);
    fu_book_free(b);
}

/* ------------------------------------------------------------------ I21 */

Test(book_csv_errors, score_out_of_range_quotes_the_cell) {
    fu_book *b = customers("customer_id,tz\nC1,UTC\n");
    events_fail(b, "customer_id,at,kind,survey,score\nC1,2026-03-02T09:00:00Z,survey,csat, 5.0000000001\n",
                FU_ERANGE, "csat score must be an integer 1..5, got '5.0000000001'", 2, 37, "score");
    events_fail(b, "customer_id,at,kind,unit_price\nC1,2026-03-02T09:00:00Z,purchase,-1e-9\n", FU_ERANGE,
                "unit_price must be a finite number >= 0, got '-1e-9'", 2, 34, "unit_price");
    fu_book_free(b);
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
