/* Error text: messages stay well-formed UTF-8 however they are cut (review s9
 * F19), and a cell of input echoed in a message is quoted safely (F2). */
#include "fu_test.h"

#include "errtext.h"
#include "utf8_internal.h"
#include "followup/book.h"
#include "followup/calendar.h"
#include "followup/kpi.h"
#include "followup/policy.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

static int valid(const char *s) { return fu__utf8_valid(s, strlen(s), NULL); }

/* 30 Chinese characters (3 bytes each): a note in the wrong column. */
static const char k_zh30[] = "客户说明天下午再打过来客户说明天下午再打过来客户说明天下午再";

/* "%.Ns" cuts at byte N: at every N the message is valid UTF-8, keeps every
 * whole character before the cut, and shows the cut as "…". */
Test(errtext, printf_precision_cut_at_every_byte) {
    for (int n = 0; n <= 90; n++) {
        fu_error_set(FU_EPARSE, "kind: unknown event kind '%.*s' (expected purchase, ...)", n, k_zh30);
        const char *m = fu_error_last()->message;
        cr_assert(valid(m), "cut at %d: %s", n, m);
        char want[256];
        int whole = n / 3 * 3;
        snprintf(want, sizeof want, "kind: unknown event kind '%.*s%s' (expected purchase, ...)", whole,
                 k_zh30, n % 3 ? FU_ERRTEXT_ELLIPSIS : "");
        cr_assert_str_eq(m, want, "cut at %d", n);
    }
}

/* A message longer than the error buffer (1024 bytes) ends in "…" at a
 * character boundary, whatever the alignment of its characters. */
Test(errtext, long_message_cut_at_a_boundary) {
    char big[1400];
    for (int pad = 0; pad < 4; pad++) {
        size_t o = 0;
        for (int i = 0; i < pad; i++) big[o++] = 'a';
        while (o + 3 < sizeof big) {
            memcpy(big + o, "错", 3);
            o += 3;
        }
        big[o] = '\0';
        fu_error_set(FU_EPOLICY, "%s", big);
        const char *m = fu_error_last()->message;
        size_t len = strlen(m);
        cr_assert(valid(m), "pad %d", pad);
        cr_assert(len <= 1023 && len >= 1018, "pad %d: %zu bytes", pad, len);
        cr_assert_str_eq(m + len - 3, FU_ERRTEXT_ELLIPSIS, "pad %d", pad);
        cr_assert_eq(memcmp(m, big, len - 3), 0, "pad %d: the kept part is unchanged", pad);
        /* fu_error_prefix keeps it valid too */
        fu_error_prefix("policy %s", "site.yaml");
        cr_assert(valid(fu_error_last()->message));
    }
}

/* fu_error_format into a small buffer: whole characters only, cut as
 * snprintf cuts (no ellipsis; the length returned says it was cut). */
Test(errtext, format_into_small_buffers) {
    fu_error_set_at(FU_EPARSE, "e.csv", 2, 29, "kind", "未知'%s'", "客户");
    char buf[64];
    for (size_t cap = 1; cap <= sizeof buf; cap++) {
        size_t len = fu_error_format(buf, cap);
        cr_assert_eq(len, strlen("e.csv:2:29: kind: 未知'客户'"));
        cr_assert(valid(buf), "cap %zu: %s", cap, buf);
        cr_assert(strlen(buf) < cap);
        cr_assert(strlen(buf) + 3 >= cap || strlen(buf) == len, "cap %zu: at most one character less", cap);
    }
    fu_error_format(buf, sizeof buf);
    cr_assert_str_eq(buf, "e.csv:2:29: kind: 未知'客户'");
}

/* Bytes that are no UTF-8 at all become U+FFFD; text is kept around them. */
Test(errtext, repair_marks_ill_formed_bytes) {
    char out[64];
    fu__errtext_repair(out, sizeof out, "a\xFF" "b\xE5\xAE" "c", 0);
    cr_assert_str_eq(out, "a\xEF\xBF\xBD" "b" FU_ERRTEXT_ELLIPSIS "c");
    fu__errtext_repair(out, 4, "abcdef", 0); /* too small for an ellipsis */
    cr_assert_str_eq(out, "abc");
    fu__errtext_repair(out, 8, "客户客户", 0);
    cr_assert_str_eq(out, "客" FU_ERRTEXT_ELLIPSIS);
    fu__errtext_cut(out, 8, "客户客户");
    cr_assert_str_eq(out, "客户");
}

/* ------------------------------------------------------------------ cells */

static const char *cell(const char *s) {
    static char buf[FU_ERRTEXT_CELL_CAP];
    return fu__errtext_cell_str(buf, sizeof buf, s);
}

Test(errtext, cell_masks_numbers_like_the_redactor) {
    cr_assert_str_eq(cell("客户手机13812345678"), "客户手机138****5678");
    cr_assert_str_eq(cell("身份证110105199001011232"), "身份证110***********1232");
    cr_assert_str_eq(cell("11010519900101123X"), "110***********123X");
    cr_assert_str_eq(cell("138 1234 5678"), "138 **** 5678");
    cr_assert_str_eq(cell("138-1234-5678"), "138-****-5678");
    cr_assert_str_eq(cell("１３８１２３４５６７８"), "１３８****５６７８");
    cr_assert_str_eq(cell("1234567"), "***4567");
    cr_assert_str_eq(cell("010-12345678"), "010-****5678");
    /* short numbers are kept: amounts, times, codes */
    cr_assert_str_eq(cell("一百元 2026-11-20 123456"), "一百元 2026-11-20 123456");
    cr_assert_str_eq(cell("Asia/Shanghai"), "Asia/Shanghai");
}

/* e-mail addresses as the redactor masks them (review s9 F2) */
Test(errtext, cell_masks_email_addresses) {
    cr_assert_str_eq(cell("邮箱zhang.san@example.com"), "邮箱z***@example.com");
    cr_assert_str_eq(cell("zhangsan＠qq.com 电话13812345678"), "z***＠qq.com 电话138****5678");
    cr_assert_str_eq(cell("a@b.cn,x"), "a***@b.cn,x");
    /* no address: kept */
    cr_assert_str_eq(cell("@ops"), "@ops");
    cr_assert_str_eq(cell("x@"), "x@");
    cr_assert_str_eq(cell("x@ y"), "x@ y");
    cr_assert_str_eq(cell("Asia/Shanghai"), "Asia/Shanghai");
}

Test(errtext, cell_escapes_control_characters) {
    cr_assert_str_eq(cell("A\033[31mRED"), "A\\x1B[31mRED");
    cr_assert_str_eq(cell("a\nb\tc\rd\\e"), "a\\nb\\tc\\rd\\\\e");
    cr_assert_str_eq(cell("x\xC2\x85y"), "x\\u0085y");
    cr_assert_str_eq(cell("x\xFFy"), "x\\xFFy");
    char buf[FU_ERRTEXT_CELL_CAP];
    cr_assert_str_eq(fu__errtext_cell(buf, sizeof buf, "a\0b", 3), "a\\x00b");
}

/* At most 40 characters, cut at a character boundary, at every length. */
Test(errtext, cell_is_bounded) {
    char in[200], want[200];
    for (int n = 0; n <= 60; n++) {
        size_t o = 0;
        for (int i = 0; i < n; i++) {
            memcpy(in + o, "话", 3);
            o += 3;
        }
        in[o] = '\0';
        const char *got = cell(in);
        cr_assert(valid(got));
        int keep = n > FU_ERRTEXT_CELL_CHARS ? FU_ERRTEXT_CELL_CHARS : n;
        snprintf(want, sizeof want, "%.*s%s", keep * 3, in, n > FU_ERRTEXT_CELL_CHARS ? FU_ERRTEXT_ELLIPSIS : "");
        cr_assert_str_eq(got, want, "n = %d", n);
    }
    /* escapes count as one character and are never split */
    char esc[100];
    memset(esc, '\033', 60);
    esc[60] = '\0';
    const char *got = cell(esc);
    cr_assert_eq(strlen(got), 40 * 4 + 3);
    cr_assert(valid(got));
}

/* Every message: control characters escaped, whatever the call site echoes
 * (review s9 F2: an ANSI escape in a customer id reached the terminal). */
Test(errtext, messages_never_carry_control_characters) {
    fu_error_set(FU_ENOTFOUND, "unknown customer '%s'", "A\033[31mRED\nB\tC\r\x7f\xc2\x9b");
    cr_assert_str_eq(fu_error_last()->message, "unknown customer 'A\\x1B[31mRED\\nB\\tC\\r\\x7F\\u009B'");
    fu_error_set_at(FU_EPARSE, "e\033.csv", 2, 3, "k\nind", "x");
    char buf[128];
    fu_error_format(buf, sizeof buf);
    cr_assert_str_eq(buf, "e\\x1B.csv:2:3: k\\nind: x");
    /* a prefix keeps the escapes as they are */
    fu_error_set(FU_EPARSE, "bad '%s'", "\033");
    fu_error_prefix("policy %s", "p.yaml");
    cr_assert_str_eq(fu_error_last()->message, "policy p.yaml: bad '\\x1B'");
}

/* The cell helper at a site this module owns: a policy deadline holding a
 * note with a phone number is echoed masked. */
Test(errtext, a_bad_policy_deadline_is_echoed_masked) {
    fu_policy *p = NULL;
    const char *yaml = "commitments:\n  patterns:\n    x: {regex: 'abc', deadline: '客户手机13812345678'}\n";
    cr_assert_neq(fu_policy_load_string(&p, yaml, strlen(yaml), NULL, NULL), FU_OK);
    const char *m = fu_error_last()->message;
    cr_assert(strstr(m, "'客户手机138****5678'") != NULL, "%s", m);
    cr_assert(strstr(m, "13812345678") == NULL, "%s", m);
}

/* ------------------------------------------- the sites that echo a cell */

/* The whole error as the CLI prints it: "source:line:column: path: message". */
static const char *formatted(void) {
    static char buf[1024];
    fu_error_format(buf, sizeof buf);
    return buf;
}

static const char *k_customers = "customer_id,tz,annual_spend,consent_phone\nA,Asia/Shanghai,100,yes\n";

/* Read the customers above, then `events` (an error expected): its text. */
static const char *events_error(const char *events) {
    fu_book *b = NULL;
    cr_assert_eq(fu_book_new(&b, NULL), FU_OK);
    cr_assert_eq(fu_book_read_customers_csv_from_string(b, k_customers, strlen(k_customers), "c.csv"), FU_OK);
    cr_assert_neq(fu_book_read_events_csv_from_string(b, events, strlen(events), "e.csv"), FU_OK);
    fu_book_free(b);
    return formatted();
}

static const char *customers_error(const char *customers) {
    fu_book *b = NULL;
    cr_assert_eq(fu_book_new(&b, NULL), FU_OK);
    cr_assert_neq(fu_book_read_customers_csv_from_string(b, customers, strlen(customers), "c.csv"), FU_OK);
    fu_book_free(b);
    return formatted();
}

/* review s9 F2: a note with a mobile and an ID number in the kind column
 * (a shifted column) names file, line, column and the column, not the
 * numbers. */
Test(errtext, csv_kind_cell_with_personal_data_is_masked) {
    const char *m = events_error("customer_id,at,kind,note\n"
                                 "A,2026-02-28T10:00:00+08:00,客户手机13812345678 身份证110105199001011232,x\n");
    cr_assert(strstr(m, "13812345678") == NULL && strstr(m, "110105199001011232") == NULL, "%s", m);
    cr_assert(strstr(m, "e.csv:2:29: kind: unknown event kind '客户手机138****5678 身份证110***********1232' "
                        "(expected purchase,") == m, "%s", m);
}

Test(errtext, csv_tz_cell_with_a_phone_number_is_masked) {
    const char *m = customers_error("customer_id,tz\nA,13812345678\n");
    cr_assert_str_eq(m, "c.csv:2:3: tz: unknown time zone '138****5678'");
    m = customers_error("customer_id,tz\nA,手机13812345678\n");
    cr_assert_str_eq(m, "c.csv:2:3: tz: unknown time zone '手机138****5678'");
    /* a zone name is no personal data: echoed as is */
    m = customers_error("customer_id,tz\nA,Mars/Olympus\n");
    cr_assert_str_eq(m, "c.csv:2:3: tz: unknown time zone 'Mars/Olympus'");
}

Test(errtext, csv_number_yes_no_and_priority_cells_are_masked) {
    const char *m = customers_error("customer_id,tz,annual_spend\nA,Asia/Shanghai,电话13812345678\n");
    cr_assert_str_eq(m, "c.csv:2:17: annual_spend: not a number: '电话138****5678' (write 12.5, no separators)");
    m = customers_error("customer_id,tz,consent_phone\nA,Asia/Shanghai,13812345678\n");
    cr_assert(strstr(m, "c.csv:2:17: consent_phone: ") == m && strstr(m, "'138****5678'") && !strstr(m, "13812345678"),
              "%s", m);
    m = events_error("customer_id,at,kind,priority\nA,2026-02-28T10:00:00+08:00,contact,身份证110105199001011232\n");
    cr_assert(strstr(m, "priority: unknown priority '身份证110***********1232'") && !strstr(m, "1990010112"), "%s",
              m);
}

Test(errtext, csv_time_cell_with_a_note_is_masked) {
    const char *m = events_error("customer_id,at,kind\nA,客户手机13812345678,purchase\n");
    cr_assert_str_eq(m, "e.csv:2:3: at: bad time '客户手机138****5678': expected a 4-digit year (column 1)");
}

/* A customer id with an ANSI escape and one with a line break (quoted) are
 * printed escaped; an id that is a phone number is masked. */
Test(errtext, unknown_customer_ids_are_escaped_and_masked) {
    const char *m = events_error("customer_id,at,kind\n\"A\033[31mRED\",2026-02-28T10:00:00+08:00,purchase\n");
    cr_assert(strstr(m, "unknown customer 'A\\x1B[31mRED'") != NULL && !strchr(m, '\033'), "%s", m);
    m = events_error("customer_id,at,kind\n\"A\nB\",2026-02-28T10:00:00+08:00,purchase\n");
    cr_assert(strstr(m, "unknown customer 'A\\nB'") != NULL && !strchr(m, '\n'), "%s", m);
    m = events_error("customer_id,at,kind\n13812345678,2026-02-28T10:00:00+08:00,purchase\n");
    cr_assert(strstr(m, "e.csv:2:1: customer_id: unknown customer '138****5678'") == m, "%s", m);
}

/* The API paths: fu_book_add_customer with a phone number as tz (Python's
 * Book.add_customer('A', '手机13812345678')), a duplicate id, a lookup. */
Test(errtext, api_paths_mask_the_echoed_text) {
    fu_book *b = NULL;
    cr_assert_eq(fu_book_new(&b, NULL), FU_OK);
    fu_customer c;
    fu_customer_init(&c);
    c.id = "A";
    c.tz = "手机13812345678";
    cr_assert_eq(fu_book_add_customer(b, &c, NULL), FU_ETIMEZONE);
    cr_assert_str_eq(fu_error_last()->message, "unknown time zone '手机138****5678'");
    c.id = "13812345678";
    c.tz = "Asia/Shanghai";
    cr_assert_eq(fu_book_add_customer(b, &c, NULL), FU_OK);
    cr_assert_eq(fu_book_add_customer(b, &c, NULL), FU_EEXISTS);
    cr_assert_str_eq(fu_error_last()->message, "customer '138****5678' is already in the book (index 0)");
    size_t at;
    cr_assert_eq(fu_book_find_customer(b, "13912345678", 11, &at), FU_ENOTFOUND);
    cr_assert_str_eq(fu_error_last()->message, "no customer '139****5678'");
    fu_book_free(b);
    fu_calendar *cal = NULL;
    cr_assert_eq(fu_calendar_new(&cal, "电话13812345678"), FU_ETIMEZONE);
    cr_assert_str_eq(fu_error_last()->message, "unknown time zone '电话138****5678'");
}

Test(errtext, kpi_names_and_policy_words_are_masked) {
    unsigned int by;
    cr_assert_neq(fu_kpi_by_from_string("agent,13812345678", 17, &by), FU_OK);
    cr_assert_str_eq(fu_error_last()->message,
                     "unknown grouping '138****5678' (none, tier, segment, agent, channel, product_class)");
    fu_kpi_id id;
    cr_assert_neq(fu_kpi_from_string("x13812345678", 12, &id), FU_OK);
    cr_assert_str_eq(fu_error_last()->message, "unknown KPI 'x138****5678'");
    fu_policy *p = NULL;
    const char *yaml = "caps:\n  min_gap: '13812345678 days'\n";
    cr_assert_neq(fu_policy_load_string(&p, yaml, strlen(yaml), NULL, NULL), FU_OK);
    const char *m = fu_error_last()->message;
    cr_assert(strstr(m, "13812345678") == NULL && strstr(m, "138****5678") != NULL, "%s", m);
}

/* The pre-check of the writers and KPI labels that mask free text (F6). */
Test(errtext, may_hold_personal_data) {
    cr_assert(fu__text_may_hold_personal_data("王 13912345678"));
    cr_assert(fu__text_may_hold_personal_data("zhang@example.com"));
    cr_assert(fu__text_may_hold_personal_data("zhang＠qq.com"));
    cr_assert(fu__text_may_hold_personal_data("１３９１２３"));
    cr_assert(fu__text_may_hold_personal_data("一三九一二三四五六七八"));
    cr_assert(fu__text_may_hold_personal_data("12 34 56"));
    cr_assert(!fu__text_may_hold_personal_data("A17"));
    cr_assert(!fu__text_may_hold_personal_data("王经理"));
    cr_assert(!fu__text_may_hold_personal_data("12345"));
    cr_assert(!fu__text_may_hold_personal_data(""));
    cr_assert(!fu__text_may_hold_personal_data(NULL));
}
