/* Error text: messages stay well-formed UTF-8 however they are cut (review s9
 * F19), and a cell of input echoed in a message is quoted safely (F2). */
#include "fu_test.h"

#include "errtext.h"
#include "utf8_internal.h"

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
