/* The shapes of personal data the redactor and the error texts share
 * (lib/redact_shapes.c): every keyword of the table, with a number of its
 * kind after it, and every province code of an ID are read the same way by
 * both: one list, read by both through one function, so that what the
 * error texts would print is masked by the redactor and the other way round. */
#include "fu_test.h"

#include "errtext.h"
#include "redact_shapes.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void masked_by_redactor(fu_redactor *r, const char *in, char *out, size_t cap) {
    size_t w = 0;
    cr_assert_geq(fu_redactor_apply_into(r, in, strlen(in), out, cap, &w), 0, "%s", in);
}

/* A number of the keyword's kind, and what both make of it after the
 * keyword: masked the same way (or, after an order keyword, a card left as
 * it is: an order number). */
Test(redact_shapes, every_keyword_of_both_names_its_number_the_same_way) {
    static const char *const number[] = {
        [FU__KW_PHONE] = "1 3 8 1 2 3 4 5 6 7 8",    /* a mobile typed digit by digit */
        [FU__KW_ID] = "110105199001011233",          /* an ID with a wrong check character */
        [FU__KW_ACCOUNT] = "1234567890123",          /* a bank account */
        [FU__KW_PERMIT] = "C12345678",               /* a travel permit */
        [FU__KW_ORDER] = "6222021234567894",         /* a card's digits: an order number */
    };
    static const char *const want[] = {
        [FU__KW_PHONE] = "1 3 8 * * * * 5 6 7 8",
        [FU__KW_ID] = "110***********1233",
        [FU__KW_ACCOUNT] = "1234*****0123",
        [FU__KW_PERMIT] = "C*****678",
        [FU__KW_ORDER] = "6222021234567894",
    };
    fu_redactor *r = NULL;
    cr_assert_eq(fu_redactor_new(&r, NULL), FU_OK);
    size_t both = 0;
    for (size_t i = 0; i < fu__n_keywords; i++) {
        const fu__keyword *k = &fu__keywords[i];
        char in[96], red[256], err[256], expect[96];
        snprintf(in, sizeof in, "%s %s", k->text, number[k->kind]);
        snprintf(expect, sizeof expect, "%s %s", k->text, want[k->kind]);
        masked_by_redactor(r, in, red, sizeof red);
        fu__errtext_cell(err, sizeof err, in, strlen(in));
        cr_assert_str_eq(red, expect, "redactor: \"%s\" -> \"%s\"", in, red);
        cr_assert_str_eq(err, expect, "error text: \"%s\" -> \"%s\"", in, err);
        both++;
    }
    cr_assert_eq(both, fu__n_keywords);
    cr_assert_gt(both, 80);
    fu_redactor_free(r);
}

/* The keywords the two read differently until 0.2.x (the redactor alone
 * read 聯繫方式, phone no., phone number, id card no. and acct.; the error
 * texts alone 订单号码, 单号码 and 编号码, and the redactor read those as
 * the phone keyword 号码; the error texts did not read an ASCII keyword
 * glued to a letter or digit, "xTel", "1tel", which the redactor did): now
 * both mask a number of every kind after each of them, or neither does. */
Test(redact_shapes, the_keywords_once_read_by_one_side_are_read_the_same_by_both) {
    static const char *const keyword[] = {"聯繫方式", "phone no.", "phone number", "id card no.", "acct.",
                                          "订单号码", "单号码", "编号码", "xtel", "1TEL", "reorder", "xiban", "PHONE NO:"};
    static const char *const number[] = {"1 3 8 1 2 3 4 5 6 7 8", "13812345678", "110105199001011233",
                                         "1234567890123", "C12345678", "6222021234567894", "11010519900101123X"};
    fu_redactor *r = NULL;
    cr_assert_eq(fu_redactor_new(&r, NULL), FU_OK);
    size_t masked = 0;
    for (size_t i = 0; i < sizeof keyword / sizeof *keyword; i++)
        for (size_t j = 0; j < sizeof number / sizeof *number; j++) {
            char in[96], red[256], err[256];
            snprintf(in, sizeof in, "%s %s", keyword[i], number[j]);
            masked_by_redactor(r, in, red, sizeof red);
            fu__errtext_cell(err, sizeof err, in, strlen(in));
            /* masked by both or by neither (how many digits a mask keeps
             * may differ where the kinds' shapes overlap: an account's
             * digits that make a mobile number) */
            cr_expect_eq(strcmp(red, in) != 0, strcmp(err, in) != 0, "\"%s\": redactor \"%s\", error text \"%s\"", in,
                         red, err);
            masked += strcmp(red, in) != 0;
        }
    cr_expect_eq(masked, 38);
    /* what each now names: an order's card stays (an order number), a
     * phone typed digit by digit after 聯繫方式 or a glued "xtel" is masked */
    static const char *const cases[][2] = {
        {"订单号码 6222021234567894", "订单号码 6222021234567894"},
        {"编号码 1 3 8 1 2 3 4 5 6 7 8", "编号码 1 3 8 1 2 3 4 5 6 7 8"},
        {"聯繫方式 1 3 8 1 2 3 4 5 6 7 8", "聯繫方式 1 3 8 * * * * 5 6 7 8"},
        {"phone number: 1 3 8 1 2 3 4 5 6 7 8", "phone number: 1 3 8 * * * * 5 6 7 8"},
        {"xtel 1 3 8 1 2 3 4 5 6 7 8", "xtel 1 3 8 * * * * 5 6 7 8"},
        /* the example of redact_shapes.h: "hotel" ends with a glued "tel" */
        {"hotel 1 3 8 1 2 3 4 5 6 7 8", "hotel 1 3 8 * * * * 5 6 7 8"},
        {"hote 1 3 8 1 2 3 4 5 6 7 8", "hote 1 3 8 1 2 3 4 5 6 7 8"},
        {"单号码 6222021234567894", "单号码 6222021234567894"},
        {"acct. 1234567890123", "acct. 1234*****0123"},
        {"id card no. 110105199001011233", "id card no. 110***********1233"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char red[256], err[256];
        masked_by_redactor(r, cases[i][0], red, sizeof red);
        fu__errtext_cell(err, sizeof err, cases[i][0], strlen(cases[i][0]));
        cr_expect_str_eq(red, cases[i][1], "redactor: %s", cases[i][0]);
        cr_expect_str_eq(err, cases[i][1], "error text: %s", cases[i][0]);
    }
    fu_redactor_free(r);
}

/* ISO 7064 MOD 11-2, computed here independently of the library. */
static char id_check(const char *d17) {
    static const int weight[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    int s = 0;
    for (int i = 0; i < 17; i++) s += (d17[i] - '0') * weight[i];
    return "10X98765432"[s % 11];
}

/* Every two-digit prefix of an otherwise valid 18-character ID: masked as
 * an ID by both exactly when the table names it a province (and the
 * pattern's PROV agrees with the table). */
Test(redact_shapes, both_read_the_province_codes_of_the_table) {
    fu_redactor *r = NULL;
    cr_assert_eq(fu_redactor_new(&r, NULL), FU_OK);
    int provinces = 0;
    for (int p = 0; p < 100; p++) {
        char id[19], in[40], red[64], err[64], as_id[40];
        snprintf(id, sizeof id, "%02d010519900101123", p);
        id[17] = id_check(id);
        id[18] = '\0';
        snprintf(in, sizeof in, "x %s y", id);
        snprintf(as_id, sizeof as_id, "x %.3s***********%s y", id, id + 14);
        masked_by_redactor(r, in, red, sizeof red);
        fu__errtext_cell(err, sizeof err, in, strlen(in));
        int ok = fu__shape_province_ok(id);
        provinces += ok;
        cr_assert_eq(strcmp(red, as_id) == 0, ok, "redactor, province %02d: %s", p, red);
        cr_assert_eq(strcmp(err, as_id) == 0, ok, "error text, province %02d: %s", p, err);
    }
    cr_assert_eq(provinces, 5 + 3 + 7 + 6 + 5 + 5 + 1 + 3);
    fu_redactor_free(r);
}

/* ------------------------------------------------ numbers by their shape */

/* Synthetic texts: every keyword of the table (as written and in upper
 * case), no keyword, glues, numbers of every shape and look-alikes, and what
 * stands before: the redactor's output and the error texts' must be the same
 * text (session 13: they read numbers by the same shapes; docs/redaction.md,
 * "Numbers by their shape"). Returns how many differ; with `show` prints them. */
static const char *const k_glue[] = {"", " ", ": ", "：", "是", " #"};
static const char *const k_prefix[] = {"", "客户", "x", "请回电 ", "备注："};
static const char *const k_number[] = {
    "13812345678",          "138 1234 5678",         "+86 138-1234-5678",   "1 3 8 1 2 3 4 5 6 7 8",
    "110105199001011232",   "110105199001011233",    "110105900101123",     "1 1 0 1 0 5 1 9 9 0 0 1 0 1 1 2 3 2",
    "6222021234567894",     "6222 0212 3456 7894",   "6 2 2 2 0 2 1 2 3 4 5 6 7 8 9 4",
    "1234567890123",        "010-12345678",          "+44 20 7946 0958",    "(415) 555-0134",
    "E12345678",            "C12345678",             "202611230001234",     "2026-11-23",
    "0086-10-65529988",     "044031900111",          "13812345678901",
};
#define N_UPPER 2

static void upper_ascii(char *s) {
    for (; *s; s++)
        if (*s >= 'a' && *s <= 'z') *s = (char)(*s - 'a' + 'A');
}

static size_t shape_differences(int show) {
    fu_redactor *r = NULL;
    cr_assert_eq(fu_redactor_new(&r, NULL), FU_OK);
    size_t differ = 0, texts = 0;
    for (size_t k = 0; k <= fu__n_keywords; k++)
        for (int up = 0; up < N_UPPER; up++)
            for (size_t g = 0; g < sizeof k_glue / sizeof *k_glue; g++)
                for (size_t n = 0; n < sizeof k_number / sizeof *k_number; n++)
                    for (size_t p = 0; p < sizeof k_prefix / sizeof *k_prefix; p++) {
                        char kw[64] = "", in[160], red[400], err[FU_ERRTEXT_CELL_CAP];
                        if (k < fu__n_keywords) snprintf(kw, sizeof kw, "%s", fu__keywords[k].text);
                        if (up) upper_ascii(kw);
                        snprintf(in, sizeof in, "%s%s%s%s", k_prefix[p], kw, k < fu__n_keywords ? k_glue[g] : "",
                                 k_number[n]);
                        if (k == fu__n_keywords && (g || up)) continue; /* no keyword: once */
                        texts++;
                        masked_by_redactor(r, in, red, sizeof red);
                        fu__errtext_cell(err, sizeof err, in, strlen(in));
                        if (strstr(err, FU_ERRTEXT_ELLIPSIS)) continue; /* cut: only its first 40 characters */
                        if (strcmp(red, err) != 0) {
                            differ++;
                            if (show) printf("%s\t%s\t%s\n", in, red, err);
                        }
                    }
    if (show) printf("%zu of %zu texts differ\n", differ, texts);
    fu_redactor_free(r);
    return differ;
}

Test(redact_shapes, numbers_are_read_by_the_same_shapes) {
    size_t differ = shape_differences(getenv("FU_SHAPES_SHOW") != NULL);
    cr_expect_eq(differ, 0, "%zu texts read differently", differ);
}

/* Random regroupings of numbers of every kind (and of look-alikes), with
 * random separators, lead-ins and keywords: the redactor's output and the
 * error texts' compared. Returns how many of `n` differ (printed with
 * `show`). A fixed seed: the same texts every run. */
static unsigned long long k_rng = 88172645463325252ULL;
static unsigned rnd(unsigned n) {
    k_rng ^= k_rng << 13;
    k_rng ^= k_rng >> 7;
    k_rng ^= k_rng << 17;
    return (unsigned)(k_rng % n);
}

static size_t random_differences(size_t n_texts, int show) {
    static const char *const digits[] = {"13812345678",      "8613812345678",      "008613812345678",
                                         "110105199001011232", "11010519900101123X", "110105900101123",
                                         "6222021234567894", "4111111111111111",   "378282246310005",
                                         "01012345678",      "861065529988",       "4155550134",
                                         "18005550199",      "442079460958",       "1234567890123",
                                         "202611230001234",  "20261123",           "044031900111",
                                         "0079111234567",    "07911123456"};
    static const char *const seps[] = {" ", "-", ".", "  ", " - ", "\n", "　", "-\n"};
    static const char *const leads[] = {"", "", "", "+", "(", "(+", "00", "＋"};
    static const char *const glues[] = {"", " ", ": ", "：", "是", "#"};
    static const char *const prefixes[] = {"", "客户", "x", "备注 ", "A1"};
    fu_redactor *r = NULL;
    cr_assert_eq(fu_redactor_new(&r, NULL), FU_OK);
    size_t differ = 0;
    k_rng = 88172645463325252ULL;
    for (size_t t = 0; t < n_texts; t++) {
        char in[200], red[600], err[FU_ERRTEXT_CELL_CAP];
        size_t o = 0;
        o += (size_t)snprintf(in + o, sizeof in - o, "%s", prefixes[rnd(5)]);
        if (rnd(3)) {
            const fu__keyword *k = &fu__keywords[rnd((unsigned)fu__n_keywords)];
            o += (size_t)snprintf(in + o, sizeof in - o, "%s%s", k->text, glues[rnd(6)]);
        }
        const char *lead = leads[rnd(8)], *d = digits[rnd(20)];
        o += (size_t)snprintf(in + o, sizeof in - o, "%s", lead);
        size_t nd = strlen(d), j = 0;
        int paren = lead[0] == '(' && lead[1] == 0;
        while (j < nd) {
            size_t len = 1 + rnd(rnd(2) ? 8 : 3);
            if (len > nd - j) len = nd - j;
            o += (size_t)snprintf(in + o, sizeof in - o, "%.*s", (int)len, d + j);
            j += len;
            if (paren) in[o++] = ')', paren = 0;
            if (j < nd) o += (size_t)snprintf(in + o, sizeof in - o, "%s", rnd(2) ? seps[0] : seps[rnd(8)]);
        }
        in[o] = '\0';
        masked_by_redactor(r, in, red, sizeof red);
        fu__errtext_cell(err, sizeof err, in, strlen(in));
        if (strstr(err, FU_ERRTEXT_ELLIPSIS) || strchr(in, '\n')) continue; /* cut, or escaped by the error text */
        if (strcmp(red, err) != 0) {
            differ++;
            if (show) printf("%s\t%s\t%s\n", in, red, err);
        }
    }
    if (show) printf("%zu of %zu random texts differ\n", differ, n_texts);
    fu_redactor_free(r);
    return differ;
}

Test(redact_shapes, random_numbers_are_read_by_the_same_shapes) {
    size_t differ = random_differences(200000, getenv("FU_SHAPES_SHOW") != NULL);
    /* the remainder docs/redaction.md names ("Numbers by their shape"):
     * 15,946 before session 13 */
    cr_expect_leq(differ, 643, "%zu texts read differently", differ);
}
