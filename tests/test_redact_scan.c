/* fu_redact: the pre-scan in front of the combined digit pattern
 * (lib/redact_scan.c) changes no result. Each kind at the bounds the scan
 * relies on (7 digits, 6 bytes between two digits, 2 bytes before the
 * first), and random notes of every shape, masked with and without it. */
#include "fu_test.h"
#include "redact_internal.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* in masked by a (the pre-scan on) and b (off): the same text and the same
 * counts; the masked text of a in out (cap bytes). */
static void same_both_ways(fu_redactor *a, fu_redactor *b, const char *in, char *out, size_t cap) {
    char other[4096];
    size_t wa = 0, wb = 0;
    fu_redact_stats ca, cb;
    int na = fu_redactor_apply_into(a, in, strlen(in), out, cap, &wa);
    int nb = fu_redactor_apply_into(b, in, strlen(in), other, sizeof other, &wb);
    cr_assert_geq(na, 0, "%s: %s", in, fu_error_last()->message);
    cr_assert_eq(na, nb, "spans of \"%s\": %d with the pre-scan, %d without", in, na, nb);
    cr_assert_eq(wa, wb, "%s", in);
    cr_assert_eq(memcmp(out, other, wa), 0, "\"%s\": \"%s\" with the pre-scan, \"%s\" without", in, out, other);
    fu_redactor_get_stats(a, &ca);
    fu_redactor_get_stats(b, &cb);
    cr_assert_eq(memcmp(ca.by_kind, cb.by_kind, sizeof ca.by_kind), 0, "counts differ after \"%s\"", in);
}

static void pair(fu_redactor **a, fu_redactor **b, int cjk) {
    fu_redact_options o = FU_REDACT_OPTIONS_INIT;
    if (cjk) o.flags |= FU_REDACT_CJK_NUMERALS;
    cr_assert_eq(fu_redactor_new(a, &o), FU_OK);
    cr_assert_eq(fu_redactor_new(b, &o), FU_OK);
    fu__redactor_set_prescan(*b, 0);
}

/* One case per kind and form at the scan's bounds: the widest separator
 * between two digits (" \r\n " with ')' before and '(' after: 6 bytes),
 * the longest lead ("(+", "EA"), the fewest digits (7); each is masked
 * (hand-checked masks), with and without the pre-scan. */
Test(redact_scan, every_kind_at_the_bounds_of_the_scan_is_masked) {
    static const char *const cases[][3] = {
        /* kind, text, masked */
        {"mobile", "电话(+86) \r\n (138)1234 5678。", "电话(+86) \r\n (138)**** 5678。"},
        {"mobile", "x (+8613812345678", "x (+86138****5678"},
        {"mobile", "1 2 3 4 (138) \r\n 1234 \r\n 5678", "1 2 3 4 (138) \r\n **** \r\n 5678"},
        {"landline", "(+86) \r\n (21) 5555 6666", "(+86) \r\n (**) **** 6666"},
        {"landline", "(0755) \r\n 1234567", "(0755) \r\n ***4567"},
        {"e164", "+44 \r\n (0) \r\n (20) 7946 0958", "+44 \r\n (*) \r\n (**) **** 0958"},
        {"e164", "(+1) \r\n 415 555 0134", "(+1) \r\n 4** *** 0134"},
        {"e164", "1 \r\n (415) \r\n 555 \r\n 0134", "1 \r\n (4**) \r\n *** \r\n 0134"},
        {"passport", "护照EA1234567", "护照EA****567"},
        {"passport", "12 EA1234567 34", "12 EA****567 34"},
        {"id", "110105 \r\n 19900307 \r\n 1239", "110*** \r\n ******** \r\n 1239"},
        {"id", "1101 \r\n 0519 9003 0712 39", "110* \r\n **** **** **12 39"},
        {"card", "6222 \r\n 0212 \r\n 3456 \r\n 7894", "6222 \r\n **** \r\n **** \r\n 7894"},
        {"account", "账号 123 \r\n 45 \r\n 67 \r\n 89 \r\n 01", "账号 123 \r\n 4* \r\n ** \r\n 89 \r\n 01"},
        {"id typo", "身份证号110105 \r\n 1990010 \r\n 1123", "身份证号110*** \r\n ******* \r\n 1123"},
        {"fullwidth", "手机１３８ １２３４ ５６７８", "手机１３８ **** ５６７８"},
    };
    fu_redactor *a = NULL, *b = NULL;
    pair(&a, &b, 0);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[512];
        same_both_ways(a, b, cases[i][1], out, sizeof out);
        cr_assert_str_eq(out, cases[i][2], "%s: \"%s\" -> \"%s\"", cases[i][0], cases[i][1], out);
    }
    fu_redactor_free(a);
    fu_redactor_free(b);
}

/* The scan itself: no start before the first cluster of 7 digits less 2
 * bytes; digits 7 bytes apart are two clusters. */
Test(redact_scan, the_scan_starts_at_the_first_dense_cluster) {
    static const struct {
        const char *text;
        size_t pos, want;
    } cases[] = {
        {"", 0, 0},
        {"no digits at all", 0, 16},
        {"c00079@example.com", 0, 18},           /* 5 digits */
        {"24小时内回复,电话17665423158。", 0, 22}, /* 2 digits, then 11 at 24 */
        {"1234567", 0, 0},
        {"x1234567", 0, 0},                       /* lead 2 from 1, clamped to pos */
        {"xyz1234567", 0, 1},
        {"123 \r\n (456) \r\n 7", 0, 0},          /* gaps of 6 bytes: one cluster */
        {"123 \r\n (456)  \r\n  7", 0, 99},      /* a gap of 7 bytes: 6 + 1, none */
        {"12345678", 3, 99},                      /* from pos: 5 digits only ... */
        {"12345678", 2, 99},                      /* ... 6 ... */
        {"12345678", 1, 1},                       /* ... 7 */
        {"12345678", 4, 8},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len = strlen(cases[i].text);
        size_t got = fu__redact_dense_start(cases[i].text, len, cases[i].pos);
        size_t want = cases[i].want > len ? len : cases[i].want;
        cr_assert_eq(got, want, "\"%s\" from %zu: %zu, want %zu", cases[i].text, cases[i].pos, got, want);
    }
}

static uint64_t rng = 0x243F6A8885A308D3ULL;
static unsigned next_rand(unsigned n) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng >> 33) % n;
}

/* A random note: pieces of digits of every length, every separator the
 * pattern reads (and longer ones), parentheses, '+', the passport letters,
 * keywords, Chinese text, full-width digits and Chinese numerals. */
static void random_note(char *buf, size_t cap) {
    static const char *const piece[] = {
        " ", "  ", "   ", "    ", "-", ".", "\n", "\r\n", " \r\n ", "\t", "(", ")", ") (", "+", "00", "86", "(+86)",
        "E", "EA", "G", "C", "H", "M", "e", "X", "x", "@", "a@b.cn", "电话", "手机号", "身份证号", "账号", "卡号",
        "订单", "护照", "通行证", "tel ", "account no. ", "ID no. ", "，", "。", "客户", "回访", "Call back on ",
        "１", "３８", "－", "　", "一", "三八", "零", "2025-12-03", "24小时", "13812345678", "6222021234567894",
        "110105199001011232", "+44 20 7946 0958", "415-555-0134", "E12345678", "0755", "1234", "5678", "9",
        /* characters read as others (normalised): no-break, ideographic and thin spaces, zero-width, dashes,
         * dots, full-width forms; and look-alikes of their lead bytes that are not */
        "\xc2\xa0", "\xc2\xb7", "\xc2\xa9", "\xe2\x80\x8b", "\xe2\x80\x93", "\xe2\x80\x89", "\xe2\x88\x92", "\xe2\x82\xac",
        "\xe3\x80\x80", "\xe3\x83\xbb", "\xe3\x80\x82", "\xef\xbc\x8b", "\xef\xbc\x88", "\xef\xbc\xa0", "\xef\xbb\xbf",
        "\xef\xbd\x81", "\xef\xbf\xbd", "\xf0\x9d\x94\x98"};
    size_t o = 0;
    unsigned n = 1 + next_rand(14);
    for (unsigned i = 0; i < n; i++) {
        char tmp[32];
        const char *p;
        if (next_rand(3) == 0) { /* a run of 1-20 random digits */
            unsigned k = 1 + next_rand(20);
            for (unsigned j = 0; j < k; j++) tmp[j] = (char)('0' + next_rand(10));
            tmp[k] = '\0';
            p = tmp;
        } else {
            p = piece[next_rand(sizeof piece / sizeof piece[0])];
        }
        size_t k = strlen(p);
        if (o + k + 1 > cap) break;
        memcpy(buf + o, p, k);
        o += k;
    }
    buf[o] = '\0';
}

/* 40,000 random notes (20,000 with Chinese numerals read as digits): the
 * same masked text and counts with and without the pre-scan, and told
 * that the text is well-formed (FU_REDACT_TEXT_VALID_UTF8: its check for
 * characters to normalise is then a scan for their lead bytes). */
Test(redact_scan, random_notes_are_masked_the_same_with_and_without_the_scan) {
    for (int cjk = 0; cjk < 2; cjk++) {
        fu_redactor *a = NULL, *b = NULL, *c = NULL, *unused = NULL;
        pair(&a, &b, cjk);
        pair(&c, &unused, cjk);
        size_t masked = 0;
        for (int i = 0; i < 20000; i++) {
            char in[600], out[1400], valid[1400];
            size_t w = 0;
            random_note(in, sizeof in);
            same_both_ways(a, b, in, out, sizeof out);
            int n = fu_redactor_apply_into_flags(c, in, strlen(in), FU_REDACT_TEXT_VALID_UTF8, valid, sizeof valid, &w);
            cr_assert_geq(n, 0, "%s", in);
            cr_assert_str_eq(valid, out, "\"%s\" told well-formed: \"%s\", checked: \"%s\"", in, valid, out);
            masked += strcmp(in, out) != 0;
        }
        cr_assert_gt(masked, 2000, "only %zu of 20,000 notes masked: the notes test little", masked);
        fu_redact_stats ca, cc;
        fu_redactor_get_stats(a, &ca);
        fu_redactor_get_stats(c, &cc);
        cr_assert_eq(memcmp(&ca, &cc, sizeof ca), 0);
        fu_redactor_free(a);
        fu_redactor_free(b);
        fu_redactor_free(c);
        fu_redactor_free(unused);
    }
}

/* Unknown flags are refused; a text told well-formed that comes back
 * unmasked is written as it is. */
Test(redact_scan, apply_into_flags_refuses_unknown_flags) {
    fu_redactor *r = NULL;
    cr_assert_eq(fu_redactor_new(&r, NULL), FU_OK);
    char out[64];
    size_t w = 0;
    cr_assert_eq(fu_redactor_apply_into_flags(r, "13812345678", 11, 0x2u, out, sizeof out, &w), FU_EINVAL);
    cr_assert_eq(w, 0);
    cr_assert_eq(fu_redactor_apply_into_flags(r, "回访正常。", strlen("回访正常。"), FU_REDACT_TEXT_VALID_UTF8, out,
                                              sizeof out, &w),
                 0);
    cr_assert_str_eq(out, "回访正常。");
    cr_assert_eq(fu_redactor_apply_into_flags(r, "电话13812345678", strlen("电话13812345678"),
                                              FU_REDACT_TEXT_VALID_UTF8, out, sizeof out, &w),
                 1);
    cr_assert_str_eq(out, "电话138****5678");
    fu_redact_stats st;
    fu_redactor_get_stats(r, &st);
    cr_assert_eq(st.total, 1);
    fu_redactor_free(r);
}
