/* fu_redact: masks, validators, caller patterns, limits and out-of-memory. */
#include "fu_test.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *redact(fu_redactor *r, const char *in) {
    char *out = NULL;
    size_t n = 0;
    int rc = fu_redactor_apply(r, in, strlen(in), &n, &out);
    cr_assert_eq(rc, FU_OK, "apply(%s): %s", in, fu_error_last()->message);
    cr_assert_eq(n, strlen(out));
    return out;
}

/* ---------------------------------------------------------- masking table */

struct mask_case {
    char in[96];
    char want[96];
    int kind; /* the one kind counted, -1: nothing masked */
};

ParameterizedTestParameters(redact, masks_keep_a_hint) {
    static struct mask_case cases[] = {
        /* mobiles, next to Chinese, with country prefixes and separators */
        {"电话13812345678请回电", "电话138****5678请回电", FU_REDACT_MOBILE_CN},
        {"+86 138-1234-5678", "+86 138-****-5678", FU_REDACT_MOBILE_CN},
        {"008613812345678", "0086138****5678", FU_REDACT_MOBILE_CN},
        {"+8619912345678。", "+86199****5678。", FU_REDACT_MOBILE_CN},
        {"call 138 1234 5678 now", "call 138 **** 5678 now", FU_REDACT_MOBILE_CN},
        {"x13812345678y", "x138****5678y", FU_REDACT_MOBILE_CN},
        /* review s9 F5: the first group in parentheses, ASCII or full-width */
        {"电话(138)1234-5678", "电话(138)****-5678", FU_REDACT_MOBILE_CN},
        {"手机（138）1234 5678", "手机（138）**** 5678", FU_REDACT_MOBILE_CN},
        {"(138)1234-5678", "(138)****-5678", FU_REDACT_MOBILE_CN},
        {"(138) 1234 5678", "(138) **** 5678", FU_REDACT_MOBILE_CN},
        /* review s9 F5: e-mail typed with a Chinese IME: 。 for the dot, a
         * space (ASCII or ideographic) on either side of @, full-width ＠ */
        {"邮箱：zhangsan@qq。com", "邮箱：z***@qq。com", FU_REDACT_EMAIL},
        {"邮箱 zhang.san@example。com。cn", "邮箱 z***@example。com。cn", FU_REDACT_EMAIL},
        {"邮箱 zhangsan @ qq.com", "邮箱 z***@ qq.com", FU_REDACT_EMAIL},
        {"邮箱 zhangsan@ qq.com", "邮箱 z***@ qq.com", FU_REDACT_EMAIL},
        {"邮箱 zhangsan ＠ qq.com", "邮箱 z***＠ qq.com", FU_REDACT_EMAIL},
        {"邮箱 zhangsan　@　qq.com", "邮箱 z***@　qq.com", FU_REDACT_EMAIL},
        {"邮箱是zhangsan@qq.com。谢谢", "邮箱是z***@qq.com。谢谢", FU_REDACT_EMAIL},
        /* not an address: a sentence ends with 。, a lone @ between words */
        {"我们会联系您。好的", "我们会联系您。好的", -1},
        {"price @ 5 yuan", "price @ 5 yuan", -1},
        /* nor an @-mention ending a sentence with 。 (review r2 M6): a
         * Chinese top-level domain is one of the root zone's (.中国, .公司) */
        {"已转给 @王经理。请跟进", "已转给 @王经理。请跟进", -1},
        {"售后 @ 技术部。已处理", "售后 @ 技术部。已处理", -1},
        {"邮箱 王伟@例子.中国", "邮箱 王***@例子.中国", FU_REDACT_EMAIL},
        {"联系 张三@公司。中国", "联系 张***@公司。中国", FU_REDACT_EMAIL},
        /* after an ASCII dot any script's top-level domain (review r3 M2) */
        {"邮箱 a@例子.世界", "邮箱 a***@例子.世界", FU_REDACT_EMAIL},
        {"c@test.コム", "c***@test.コム", FU_REDACT_EMAIL},
        /* not a mobile: 12x prefix, inside a longer digit run */
        {"12345678901", "12345678901", -1},
        {"订单号2025138123456789012345", "订单号2025138123456789012345", -1},
        {"1381234567", "1381234567", -1},
        /* resident IDs: check digit verified, X accepted */
        {"身份证110105199001011232。", "身份证110***********1232。", FU_REDACT_ID_CN},
        {"ID 11010519900101103X ok", "ID 110***********103X ok", FU_REDACT_ID_CN},
        {"ID 11010519900101103x", "ID 110***********103x", FU_REDACT_ID_CN},
        /* wrong check digit, Luhn also wrong: left alone */
        {"110105199001011233", "110105199001011233", -1},
        /* wrong check digit and a valid Luhn sum, but no card network
         * starts with 11: neither an ID nor a card */
        {"110105199001011239", "110105199001011239", -1},
        /* bank cards */
        {"卡号6222021234567894", "卡号6222********7894", FU_REDACT_BANK_CARD},
        {"6222 0212 3456 7894", "6222 **** **** 7894", FU_REDACT_BANK_CARD},
        {"4111-1111-1111-1111", "4111-****-****-1111", FU_REDACT_BANK_CARD},
        {"622848001234567894", "6228**********7894", FU_REDACT_BANK_CARD},
        {"4111111111111112", "4111111111111112", -1},
        /* landlines */
        {"座机010-12345678", "座机010-****5678", FU_REDACT_LANDLINE_CN},
        {"(0755) 1234567", "(0755) ***4567", FU_REDACT_LANDLINE_CN},
        {"02112345678", "021****5678", FU_REDACT_LANDLINE_CN},
        {"075512345678", "0755****5678", FU_REDACT_LANDLINE_CN},
        /* E.164 */
        {"+44 20 7946 0958", "+44 ** **** 0958", FU_REDACT_E164},
        {"+14155552671", "+14*****2671", FU_REDACT_E164},
        /* foreign numbers as people type them (all missed before) */
        {"(415) 555-0134", "(41*) ***-0134", FU_REDACT_E164},
        {"call 415.555.0134", "call 41*.***.0134", FU_REDACT_E164},
        {"1-800-555-0199", "1-8**-***-0199", FU_REDACT_E164},
        {"+1 (415) 555-0134", "+1 (4**) ***-0134", FU_REDACT_E164},
        {"(+1) 415 555 0134", "(+1) 4** *** 0134", FU_REDACT_E164},
        {"+44 (0)20 7946 0958", "+44 (*)** **** 0958", FU_REDACT_E164},
        {"0044 20 7946 0958", "00** ** **** 0958", FU_REDACT_E164},
        {"UK 07911 123456", "UK 07*** **3456", FU_REDACT_E164},
        {"+86 (21) 5555 6666", "+86 (**) **** 6666", FU_REDACT_LANDLINE_CN},
        {"0086-10-65529988", "0086-**-****9988", FU_REDACT_LANDLINE_CN},
        {"86-10-65529988", "86-**-****9988", FU_REDACT_LANDLINE_CN},
        /* ... but not after an order keyword or glued to letters */
        {"Order 415-555-0134", "Order 415-555-0134", -1},
        {"SF0012345678901", "SF0012345678901", -1},
        /* cards and IDs in other groupings (6222 0212... was read as a 021
         * landline and 11 of 16 digits showed) */
        {"4111 111111111111", "4111 ********1111", FU_REDACT_BANK_CARD},
        {"41111111 11111111", "4111**** ****1111", FU_REDACT_BANK_CARD},
        {"622202 1234567894", "6222** ******7894", FU_REDACT_BANK_CARD},
        {"6222 021234567894", "6222 ********7894", FU_REDACT_BANK_CARD},
        {"订单 4111 111111111111", "订单 4111 111111111111", -1},
        {"1101 0519 9003 0712 39", "110* **** **** **12 39", FU_REDACT_ID_CN},
        {"110105 1990 0307 1239", "110*** **** **** 1239", FU_REDACT_ID_CN},
        /* an ID with a typo right after its keyword: masked; without one, left */
        {"身份证号110105199001011233", "身份证号110***********1233", FU_REDACT_ID_CN},
        {"身份证号11010519900101123", "身份证号110**********1123", FU_REDACT_ID_CN},
        {"ID no. 11010519900101123", "ID no. 110**********1123", FU_REDACT_ID_CN},
        /* e-mail */
        {"联系zhang.san@example.com谢谢", "联系z***@example.com谢谢", FU_REDACT_EMAIL},
        {"a@b.co", "a***@b.co", FU_REDACT_EMAIL},
        {"mail: Li.Wei+crm@mail.corp.example.cn.", "mail: L***@mail.corp.example.cn.", FU_REDACT_EMAIL},
        {"not@an-address", "not@an-address", -1},
        /* a QQ-style address: the e-mail holds the mobile number and wins */
        {"邮箱13812345678@qq.com。", "邮箱1***@qq.com。", FU_REDACT_EMAIL},
        {"a.b@x.com.c@y.com", "a***@x.com.c@y.com", FU_REDACT_EMAIL},
        /* things that look a little like numbers */
        {"2025-09-26T16:00+08:00 回访", "2025-09-26T16:00+08:00 回访", -1},
        {"", "", -1},
    };
    return cr_make_param_array(struct mask_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct mask_case *c, redact, masks_keep_a_hint) {
    fu_redactor *r = NULL;
    cr_assert_eq(fu_redactor_new(&r, NULL), FU_OK);
    char *out = redact(r, c->in);
    cr_expect_str_eq(out, c->want, "in: %s", c->in);
    fu_redact_stats counts;
    fu_redactor_get_stats(r, &counts);
    if (c->kind < 0) {
        cr_expect_eq(counts.total, 0, "in: %s", c->in);
    } else {
        cr_expect_eq(counts.total, 1, "in: %s", c->in);
        cr_expect_eq(counts.by_kind[c->kind], 1, "in: %s: kind %s", c->in, fu_redact_kind_name(c->kind));
    }
    fu_free(out);
    fu_redactor_free(r);
}

Test(redact, several_kinds_in_one_note_are_counted_by_kind) {
    fu_redactor *r = NULL;
    cr_assert_eq(fu_redactor_new(&r, NULL), FU_OK);
    const char *in = "客户王先生，手机13812345678，备用13998765432，邮箱wang@example.com，"
                     "卡号6222021234567894，身份证110105199001011232。";
    char *out = redact(r, in);
    cr_assert_str_eq(out, "客户王先生，手机138****5678，备用139****5432，邮箱w***@example.com，"
                          "卡号6222********7894，身份证110***********1232。");
    fu_redact_stats c;
    fu_redactor_get_stats(r, &c);
    cr_assert_eq(c.by_kind[FU_REDACT_MOBILE_CN], 2);
    cr_assert_eq(c.by_kind[FU_REDACT_EMAIL], 1);
    cr_assert_eq(c.by_kind[FU_REDACT_BANK_CARD], 1);
    cr_assert_eq(c.by_kind[FU_REDACT_ID_CN], 1);
    cr_assert_eq(c.total, 5);
    fu_redact_counts old; /* the deprecated names give the same */
    memset(&old, 0xab, sizeof old);
    fu_redactor_counts(r, &old);
    cr_assert_eq(memcmp(&old, &c, sizeof c), 0);
    fu_redactor_reset_stats(r);
    fu_redactor_get_stats(r, &c);
    cr_assert_eq(c.total, 0);
    fu_free(out);
    out = redact(r, in);
    fu_redactor_get_stats(r, &c);
    cr_assert_eq(c.total, 5);
    fu_redactor_reset_counts(r); /* deprecated name of fu_redactor_reset_stats */
    fu_redactor_get_stats(r, &c);
    cr_assert_eq(c.total, 0);
    fu_free(out);
    fu_redactor_free(r);
}

/* The start scan (16 bytes at a time up to a byte a match can start with)
 * and the e-mail pattern compiled anchored find every match wherever it
 * falls against the 16-byte blocks, behind look-alike starts (a digit run,
 * 'E', 'G', 'H', 'M', '(' and '+' that start nothing), with JIT and without. */
Test(redact, matches_are_found_at_every_offset_behind_false_starts) {
    static const char *const fill[] = {"客", "a", "，", "E", "2025年", " ", "G(", "+x", "Mo", "H"};
    static const char *const pii[][2] = {{"13812345678", "138****5678"},
                                         {"+86 138-1234-5678", "+86 138-****-5678"},
                                         {"6222021234567894", "6222********7894"},
                                         {"wang@example.com", "w***@example.com"}};
    for (int jit = 0; jit < 2; jit++) {
        fu_redact_options o = FU_REDACT_OPTIONS_INIT;
        o.flags = jit ? 0 : FU_REDACT_NO_JIT;
        fu_redactor *r = NULL;
        cr_assert_eq(fu_redactor_new(&r, &o), FU_OK);
        for (size_t k = 0; k < 4; k++) {
            for (int off = 0; off < 40; off++) {
                char in[256] = "", want[256] = "";
                for (int i = 0; i < off; i++) strcat(in, fill[(i + (int)k) % 10]);
                strcat(in, off % 3 ? "，" : " ");
                strcpy(want, in);
                strcat(in, pii[k][0]);
                strcat(want, pii[k][1]);
                strcat(in, "。E1 @x 5");
                strcat(want, "。E1 @x 5");
                char *out = redact(r, in);
                cr_assert_str_eq(out, want, "jit %d case %zu offset %d", jit, k, off);
                fu_free(out);
            }
        }
        fu_redact_stats c;
        fu_redactor_get_stats(r, &c);
        cr_assert_eq(c.total, 4 * 40);
        fu_redactor_free(r);
    }
}

Test(redact, text_with_nul_bytes_is_masked_by_length_and_invalid_utf8_is_refused) {
    fu_redactor *r = NULL;
    cr_assert_eq(fu_redactor_new(&r, NULL), FU_OK);
    const char in[] = "13812345678\0" "13912345678";
    char *out = NULL;
    size_t n = 0;
    cr_assert_eq(fu_redactor_apply(r, in, sizeof in - 1, &n, &out), FU_OK);
    cr_assert_eq(n, sizeof in - 1);
    cr_assert_eq(memcmp(out, "138****5678\0" "139****5678", n), 0);
    fu_free(out);
    /* ill-formed UTF-8: refused with its offset, nothing handed out */
    const char bad[] = "call 13812345678 \xe5\xae then";
    cr_assert_eq(fu_redactor_apply(r, bad, sizeof bad - 1, &n, &out), FU_EINVAL);
    cr_assert_null(out);
    cr_assert(strstr(fu_error_last()->message, "byte offset 17 (line 1, column 18)") != NULL, "%s",
              fu_error_last()->message);
    const char *texts[2] = {"ok 13812345678", "\xff"};
    size_t offsets[3];
    cr_assert_eq(fu_redactor_apply_bulk(r, texts, NULL, 2, offsets, &out), FU_EINVAL);
    cr_assert_null(out);
    cr_assert(strstr(fu_error_last()->message, "text 1 to mask") != NULL, "%s", fu_error_last()->message);
    fu_redact_stats c;
    fu_redactor_get_stats(r, &c);
    cr_assert_eq(c.total, 2, "the failed bulk call counts nothing");
    fu_redactor_free(r);
}

/* ------------------------------------------------------------- validators */

struct check_case {
    char s[32];
    int valid;
};

ParameterizedTestParameters(redact, id_check_digit_iso7064_mod11_2) {
    static struct check_case cases[] = {
        {"110105199001011232", 1}, {"440304198506152010", 1}, {"320106199512310029", 1},
        {"11010519900101103X", 1}, {"11010519900101103x", 1}, {"110105199001011233", 0},
        {"110105199001011230", 0}, {"11010519900101123X", 0}, {"11010519900101123", 0},
        {"1101051990010112321", 0}, {"11010519900101123A", 0}, {"", 0},
    };
    return cr_make_param_array(struct check_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct check_case *c, redact, id_check_digit_iso7064_mod11_2) {
    cr_assert_eq(fu_redact_id_cn_valid(c->s, strlen(c->s)), c->valid, "%s", c->s);
}

ParameterizedTestParameters(redact, luhn) {
    static struct check_case cases[] = {
        {"4111111111111111", 1}, {"4111 1111 1111 1111", 1}, {"79927398713", 1},
        {"6222021234567894", 1}, {"4111111111111112", 0},    {"79927398710", 0},
        {"0", 0},                {"00", 1},                  {"4111a111", 0},
    };
    return cr_make_param_array(struct check_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct check_case *c, redact, luhn) {
    cr_assert_eq(fu_redact_luhn_valid(c->s, strlen(c->s)), c->valid, "%s", c->s);
}

/* --------------------------------------------------------- caller patterns */

Test(redact, extra_patterns_keep_head_and_tail_characters) {
    fu_redact_pattern pats[] = {
        {"ticket", "工单号[A-Z]{2}[0-9]{6}", 3, 2, NULL, 0},
        {"plate", "[京沪粤][A-Z][0-9A-Z]{5}", 1, 0, NULL, 0},
    };
    fu_redact_options o = FU_REDACT_OPTIONS_INIT;
    o.extra = pats;
    o.n_extra = 2;
    fu_redactor *r = NULL;
    cr_assert_eq(fu_redactor_new(&r, &o), FU_OK);
    char *out = redact(r, "工单号AB123456，车牌沪A12345，手机13812345678");
    cr_assert_str_eq(out, "工单号******56，车牌沪******，手机138****5678");
    cr_assert_eq(fu_redactor_extra_count(r, 0), 1);
    cr_assert_eq(fu_redactor_extra_count(r, 1), 1);
    cr_assert_eq(fu_redactor_extra_count(r, 2), 0);
    fu_redact_stats c;
    fu_redactor_get_stats(r, &c);
    cr_assert_eq(c.by_kind[FU_REDACT_EXTRA], 2);
    cr_assert_eq(c.by_kind[FU_REDACT_MOBILE_CN], 1);
    fu_free(out);
    fu_redactor_free(r);
}

/* One redactor built from options and one text: the options a case changes
 * from FU_REDACT_OPTIONS_INIT and the text it must give. */
struct option_case {
    char name[64];
    int kinds;          /* -1: the default (every built-in kind) */
    char mask_char;     /* 0: the default */
    char regex[32];     /* "": no caller pattern; else one named after the case */
    unsigned keep_head, keep_tail;
    char replacement[16]; /* "": none */
    int ignore_case;
    char in[64];
    char want[64];
};

ParameterizedTestParameters(redact, options_shape_the_mask) {
    static struct option_case cases[] = {
        {"kinds can be switched off, mask char changed", FU_REDACT_BIT(FU_REDACT_EMAIL), '#', "", 0, 0, "", 0,
         "13812345678 zhao@example.com", "13812345678 z###@example.com"},
        {"no kind and no pattern copies the text", 0, 0, "", 0, 0, "", 0, "13812345678", "13812345678"},
        {"partly overlapping matches are merged and fully masked", -1, 0, "ABC-138", 4, 0, "", 0,
         "号ABC-13812345678。", "号***************。"},
        /* "VIP-13812345678" overlaps the mobile number */
        {"a match inside another takes the outer mask", -1, 0, "VIP-[0-9]+", 0, 0, "", 0, "号VIP-13812345678。",
         "号***************。"},
        {"short extra matches are masked entirely", 0, 0, "K[0-9]", 2, 2, "", 0, "K1 K2", "** **"},
        {"empty matches of a caller pattern mask nothing", 0, 0, "x*", 0, 0, "", 0, "中ax文xx", "中a*文**"},
        {"replacement text and ignore case", 0, 0, "ord-[0-9]{8}", 0, 0, "ORD-########", 1,
         "单号ORD-20250926，ord-1", "单号ORD-########，ord-1"},
    };
    return cr_make_param_array(struct option_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct option_case *c, redact, options_shape_the_mask) {
    fu_redact_pattern pat = {c->name, c->regex, c->keep_head, c->keep_tail, c->replacement[0] ? c->replacement : NULL,
                             c->ignore_case};
    fu_redact_options o = FU_REDACT_OPTIONS_INIT;
    if (c->kinds >= 0) o.kinds = (unsigned)c->kinds;
    if (c->mask_char) o.mask_char = c->mask_char;
    if (c->regex[0]) {
        o.extra = &pat;
        o.n_extra = 1;
    }
    fu_redactor *r = NULL;
    cr_assert_eq(fu_redactor_new(&r, &o), FU_OK, "%s: %s", c->name, fu_error_last()->message);
    char *out = redact(r, c->in);
    cr_assert_str_eq(out, c->want, "%s: in: %s", c->name, c->in);
    fu_free(out);
    fu_redactor_free(r);
}

Test(redact, a_bad_pattern_is_a_parse_error_naming_it) {
    fu_redact_pattern pats[] = {{"broken", "([a-z", 0, 0, NULL, 0}};
    fu_redact_options o = FU_REDACT_OPTIONS_INIT;
    o.extra = pats;
    o.n_extra = 1;
    fu_redactor *r = (fu_redactor *)&o; /* must be reset to NULL */
    cr_assert_eq(fu_redactor_new(&r, &o), FU_EPARSE);
    cr_assert_null(r);
    cr_assert(strstr(fu_error_last()->message, "'broken'") != NULL, "%s", fu_error_last()->message);
    cr_assert(strstr(fu_error_last()->message, "offset") != NULL, "%s", fu_error_last()->message);
}

Test(redact, bad_arguments_are_rejected) {
    fu_redactor *r = NULL;
    fu_redact_options o = FU_REDACT_OPTIONS_INIT;
    o.version = 99;
    cr_assert_eq(fu_redactor_new(&r, &o), FU_EINVAL);
    cr_assert_eq(fu_redactor_new(NULL, NULL), FU_EINVAL);
    o.version = FU_REDACT_OPTIONS_VERSION;
    o.n_extra = 1;
    cr_assert_eq(fu_redactor_new(&r, &o), FU_EINVAL);
    o.n_extra = 0;
    o.kinds = 1u << 20;
    cr_assert_eq(fu_redactor_new(&r, &o), FU_EINVAL);
    cr_assert_eq(fu_redactor_new(&r, NULL), FU_OK);
    char *out = (char *)"x";
    cr_assert_eq(fu_redactor_apply(r, NULL, 3, NULL, &out), FU_EINVAL);
    cr_assert_null(out);
    cr_assert_eq(fu_redactor_apply(r, NULL, 0, NULL, &out), FU_OK);
    cr_assert_str_eq(out, "");
    fu_free(out);
    fu_redactor_free(r);
    fu_redactor_free(NULL);
}

/* ------------------------------------------------------------ from a policy */

Test(redact, the_default_policy_masks_every_builtin_kind) {
    fu_policy *p = fu_test_policy(NULL);
    fu_redactor *r = NULL;
    cr_assert_eq(fu_redactor_new_from_policy(&r, p), FU_OK, "%s", fu_error_last()->message);
    char *out = redact(r, "13812345678 010-12345678 a@b.co 6222021234567894 110105199001011232");
    cr_assert_str_eq(out, "138****5678 010-****5678 a***@b.co 6222********7894 110***********1232");
    fu_free(out);
    fu_redactor_free(r);
    fu_policy_free(p);
}

Test(redact, policy_extra_patterns_replace_and_disabled_masks_nothing) {
    const char *yaml = "redaction:\n"
                       "  builtin: {phone: true, id_number: false, bank_card: false, email: false}\n"
                       "  extra:\n"
                       "    order_no: {regex: 'ORD-\\d{8}', replacement: 'ORD-########'}\n";
    fu_policy *p = fu_test_policy(yaml);
    fu_redactor *r = NULL;
    cr_assert_eq(fu_redactor_new_from_policy(&r, p), FU_OK, "%s", fu_error_last()->message);
    char *out = redact(r, "ORD-20250926 13812345678 a@b.co");
    cr_assert_str_eq(out, "ORD-######## 138****5678 a@b.co");
    fu_free(out);
    fu_redactor_free(r);
    fu_policy_free(p);

    const char *off = "redaction:\n  enabled: false\n";
    cr_assert_eq(fu_policy_load_string(&p, off, strlen(off), NULL, NULL), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(fu_redactor_new_from_policy(&r, p), FU_OK);
    out = redact(r, "13812345678");
    cr_assert_str_eq(out, "13812345678");
    fu_free(out);
    fu_redactor_free(r);
    fu_policy_free(p);
}

/* ------------------------------------------------------- runaway patterns */

/* A runaway caller pattern stops at the match limit with FU_ELIMIT, hands
 * nothing out and names the pattern. */
struct limit_case {
    char name[16];
    char regex[24];
    int kinds;      /* -1: the default */
    unsigned flags; /* FU_REDACT_NO_JIT or 0 */
    unsigned match_limit; /* 0: the default */
    char in[160];
};

ParameterizedTestParameters(redact, runaway_patterns_stop_at_the_limit) {
    static struct limit_case cases[] = {
        /* catastrophic backtracking, interpreter and JIT */
        {"evil", "(a+)+$", -1, FU_REDACT_NO_JIT, 0, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!"},
        {"evil", "(a+)+$", -1, 0, 0, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!"},
        /* a nested quantifier on a long input: 150 characters, a space every 7th, then '#' */
        {"evil2", "^(\\w+\\s?)*$", -1, 0, 0,
         "wwwwww wwwwww wwwwww wwwwww wwwwww wwwwww wwwwww wwwwww wwwwww wwwwww wwwwww wwwwww wwwwww wwwwww "
         "wwwwww wwwwww wwwwww wwwwww wwwwww wwwwww wwwwww www#"},
        /* a lower match limit is honoured */
        {"slow", "(x|x|x)*\\d", 0, FU_REDACT_NO_JIT, 100, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxz"},
    };
    return cr_make_param_array(struct limit_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct limit_case *c, redact, runaway_patterns_stop_at_the_limit) {
    fu_redact_pattern pat = {c->name, c->regex, 0, 0, NULL, 0};
    fu_redact_options o = FU_REDACT_OPTIONS_INIT;
    o.extra = &pat;
    o.n_extra = 1;
    if (c->kinds >= 0) o.kinds = (unsigned)c->kinds;
    o.flags = c->flags;
    if (c->match_limit) o.match_limit = c->match_limit;
    fu_redactor *r = NULL;
    cr_assert_eq(fu_redactor_new(&r, &o), FU_OK, "%s: %s", c->name, fu_error_last()->message);
    char *out = (char *)"untouched";
    int rc = fu_redactor_apply(r, c->in, strlen(c->in), NULL, &out);
    cr_assert_eq(rc, FU_ELIMIT, "%s (flags %u) rc=%d %s", c->name, c->flags, rc, fu_error_last()->message);
    cr_assert_null(out, "%s: nothing is handed out when a limit stops the call", c->name);
    char quoted[24];
    snprintf(quoted, sizeof quoted, "'%s'", c->name);
    cr_assert(strstr(fu_error_last()->message, quoted) != NULL, "%s: %s", c->name, fu_error_last()->message);
    fu_redactor_free(r);
}

/* The built-in patterns stay linear on hostile but harmless text: each of
 * these must complete with FU_OK (a limit would make them fail). */
Test(redact, builtin_patterns_do_not_hit_limits_on_hostile_text) {
    fu_redactor *r = NULL;
    cr_assert_eq(fu_redactor_new(&r, NULL), FU_OK);
    size_t n = 1 << 20;
    char *in = malloc(n + 1);
    const char *fills[] = {"1", "a", "a@", "1 ", "+1", "a.", "0-", "@a."};
    for (size_t f = 0; f < sizeof fills / sizeof fills[0]; f++) {
        size_t k = strlen(fills[f]);
        for (size_t i = 0; i < n; i++) in[i] = fills[f][i % k];
        in[n] = '\0';
        char *out = NULL;
        size_t on = 0;
        int rc = fu_redactor_apply(r, in, n, &on, &out);
        cr_assert_eq(rc, FU_OK, "fill '%s': %s", fills[f], fu_error_last()->message);
        cr_assert_eq(on, n);
        if (strcmp(fills[f], "a@") == 0) cr_assert(memcmp(out, in, n) == 0, "'a@a@...' holds no address");
        fu_free(out);
    }
    free(in);
    fu_redactor_free(r);
}

/* An e-mail address is matched only up to the next '@' (issue: quadratic
 * masking of "a@a@..."): the addresses right behind, between and before
 * runs of '@' are still found, and the lookahead at their end still reads
 * the '@' or '-' after them. */
Test(redact, email_addresses_between_at_signs_are_masked) {
    fu_redactor *r = NULL;
    cr_assert_eq(fu_redactor_new(&r, NULL), FU_OK);
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"a@a@a@x@b.co", "a@a@a@x***@b.co"},
        {"x@b.co@a@a@", "x***@b.co@a@a@"},
        {"a@x@b.co@y@c.org@", "a@x***@b.co@y***@c.org@"},
        {"x@b.co-y@c.org", "x@b***@c.org"},
        {"@@x@b.co", "@@x***@b.co"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *out = NULL;
        cr_assert_eq(fu_redactor_apply(r, cases[i].in, strlen(cases[i].in), NULL, &out), FU_OK);
        cr_assert_str_eq(out, cases[i].want, "%s", cases[i].in);
        fu_free(out);
    }
    fu_redactor_free(r);
}

/* ------------------------------------------------------------------ bulk */

Test(redact, bulk_masks_each_text_into_one_buffer) {
    fu_redactor *r = NULL;
    cr_assert_eq(fu_redactor_new(&r, NULL), FU_OK);
    const char *texts[] = {"13812345678", "", "mail a@b.co", "no data"};
    size_t offsets[5];
    char *buf = NULL;
    cr_assert_eq(fu_redactor_apply_bulk(r, texts, NULL, 4, offsets, &buf), FU_OK);
    cr_assert_str_eq(buf + offsets[0], "138****5678");
    cr_assert_str_eq(buf + offsets[1], "");
    cr_assert_str_eq(buf + offsets[2], "mail a***@b.co");
    cr_assert_str_eq(buf + offsets[3], "no data");
    cr_assert_eq(offsets[3] - offsets[2] - 1, strlen("mail a***@b.co"));
    cr_assert_eq(offsets[4] - offsets[3] - 1, strlen("no data"));
    fu_redact_stats c;
    fu_redactor_get_stats(r, &c);
    cr_assert_eq(c.total, 2);
    fu_free(buf);

    size_t lens[] = {3, 0};
    const char *two[] = {"138xxxx", NULL};
    cr_assert_eq(fu_redactor_apply_bulk(r, two, lens, 2, offsets, &buf), FU_OK);
    cr_assert_str_eq(buf + offsets[0], "138");
    cr_assert_str_eq(buf + offsets[1], "");
    fu_free(buf);
    fu_redactor_free(r);
}

/* fu_redactor_apply_into: the same text and counts as fu_redactor_apply,
 * the number of spans, FU_ERANGE with the size needed and nothing counted
 * when the buffer is short. */
Test(redact, apply_into_a_caller_buffer_gives_what_apply_gives) {
    fu_redactor *a = NULL, *b = NULL;
    cr_assert_eq(fu_redactor_new(&a, NULL), FU_OK);
    cr_assert_eq(fu_redactor_new(&b, NULL), FU_OK);
    static const char *const texts[] = {
        "", "no data", "电话13812345678请回电", "mail a@b.co and c@d.ee", "6222 0212 3456 7894 卡",
        "护照EA1234567", "E12345678", "1234", "12345 6789", "2025-12-03 3个工作日内", "１３８１２３４５６７８",
        "+1 (415) 555-0134", "ID 11010519900101103X ok", "x\0 13812345678", "日期2025年12月3日，订单12"};
    static const size_t spans[] = {0, 0, 1, 2, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 0};
    char buf[256];
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        size_t len = i == 13 ? 14 : strlen(texts[i]), want_len = 0, got_len = 0;
        char *want = NULL;
        cr_assert_eq(fu_redactor_apply(a, texts[i], len, &want_len, &want), FU_OK);
        int n = fu_redactor_apply_into(b, texts[i], len, buf, sizeof buf, &got_len);
        cr_assert_eq(n, (int)spans[i], "text %zu: %d spans", i, n);
        cr_assert_eq(got_len, want_len, "text %zu", i);
        cr_assert_eq(memcmp(buf, want, want_len + 1), 0, "text %zu: %s vs %s", i, buf, want);
        if (n == 0) cr_assert_eq(memcmp(buf, texts[i], len), 0);
        fu_free(want);
    }
    fu_redact_stats ca, cb;
    fu_redactor_get_stats(a, &ca);
    fu_redactor_get_stats(b, &cb);
    cr_assert_eq(memcmp(&ca, &cb, sizeof ca), 0);
    cr_assert_eq(cb.total, 10);
    /* short buffer: the size needed (the bound: + 3 an e-mail), nothing counted or written */
    size_t need = 0;
    memset(buf, 'z', sizeof buf);
    cr_assert_eq(fu_redactor_apply_into(b, "a@b.co", 6, buf, 9, &need), FU_ERANGE);
    cr_assert_eq(need, 10);
    cr_assert_eq(buf[0], 'z');
    cr_assert(strstr(fu_error_last()->message, "10 needed"));
    fu_redactor_get_stats(b, &ca);
    cr_assert_eq(ca.total, cb.total);
    cr_assert_eq(fu_redactor_apply_into(b, "a@b.co", 6, buf, need, &need), 1);
    cr_assert_str_eq(buf, "a***@b.co");
    cr_assert_eq(need, 9);
    /* an unchanged text needs len + 1 */
    cr_assert_eq(fu_redactor_apply_into(b, "abc", 3, buf, 3, &need), FU_ERANGE);
    cr_assert_eq(need, 4);
    cr_assert_eq(fu_redactor_apply_into(b, "", 0, buf, 1, &need), 0);
    cr_assert_eq(buf[0], '\0');
    /* bad arguments */
    cr_assert_eq(fu_redactor_apply_into(NULL, "a", 1, buf, sizeof buf, &need), FU_EINVAL);
    cr_assert_eq(fu_redactor_apply_into(b, "a", 1, buf, sizeof buf, NULL), FU_EINVAL);
    cr_assert_eq(fu_redactor_apply_into(b, NULL, 1, buf, sizeof buf, &need), FU_EINVAL);
    cr_assert_eq(fu_redactor_apply_into(b, "a", 1, NULL, 4, &need), FU_EINVAL);
    cr_assert_eq(fu_redactor_apply_into(b, "a\xff", 2, buf, sizeof buf, &need), FU_EINVAL);
    fu_redactor_free(a);
    fu_redactor_free(b);
}

/* The built-in pattern is skipped for texts with fewer than 5 ASCII digits
 * (every kind needs 7 or more): the shortest numbers of each kind are still
 * masked, also when their digits are spread (full-width, separated), and
 * texts of 4 digits or fewer come back as they are. */
Test(redact, the_shortest_numbers_of_each_kind_are_still_masked) {
    fu_redactor *r = NULL;
    cr_assert_eq(fu_redactor_new(&r, NULL), FU_OK);
    static const char *const cases[][2] = {
        {"护照EA1234567", "护照EA****567"},
        {"护照E12345678", "护照E*****678"},
        {"x EA1234567 y", "x EA****567 y"},
        {"+1 (415) 555-0134", "+1 (4**) ***-0134"},
        {"13812345678", "138****5678"},
        {"１３８１２３４５６７８", "１３８****５６７８"},
        {"(0755) 1234567", "(0755) ***4567"},
        {"2025", "2025"},
        {"12 34 56 78", "12 34 56 78"},
        {"NPS 9, 3个工作日内", "NPS 9, 3个工作日内"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = redact(r, cases[i][0]);
        cr_assert_str_eq(got, cases[i][1], "%s -> %s", cases[i][0], got);
        fu_free(got);
    }
    /* long texts: the digits counted past 255 blocks of 16 bytes, a mobile
     * at every offset modulo 16 after 4,500 bytes of text without digits */
    static char big[6000];
    for (size_t shift = 0; shift < 16; shift++) {
        memset(big, 'x', sizeof big);
        memcpy(big + 4500 + shift, " 13812345678 ", 13);
        big[4600] = '\0';
        char *got = redact(r, big);
        cr_assert_eq(memcmp(got + 4500 + shift, " 138****5678 ", 13), 0, "shift %zu", shift);
        fu_free(got);
    }
    memset(big, 'x', sizeof big);
    for (size_t k = 0; k < 4; k++) big[1000 * k + 7] = '9'; /* 4 digits: nothing to mask */
    big[5999] = '\0';
    char *got = redact(r, big);
    cr_assert_str_eq(got, big);
    fu_free(got);
    fu_redactor_free(r);
}

Test(redact, bulk_failure_hands_out_nothing_and_keeps_counts) {
    fu_redact_pattern pats[] = {{"evil", "(a+)+$", 0, 0, NULL, 0}};
    fu_redact_options o = FU_REDACT_OPTIONS_INIT;
    o.extra = pats;
    o.n_extra = 1;
    fu_redactor *r = NULL;
    cr_assert_eq(fu_redactor_new(&r, &o), FU_OK);
    const char *texts[] = {"13812345678 aaa", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!"};
    size_t offsets[3];
    char *buf = (char *)"x";
    cr_assert_eq(fu_redactor_apply_bulk(r, texts, NULL, 2, offsets, &buf), FU_ELIMIT);
    cr_assert_null(buf);
    fu_redact_stats c;
    fu_redactor_get_stats(r, &c);
    cr_assert_eq(c.total, 0);
    cr_assert_eq(fu_redactor_extra_count(r, 0), 0);
    fu_redactor_free(r);
}

/* ------------------------------------------------------------ out of memory */

static int oom_op(void *ctx) {
    int jit = *(int *)ctx;
    fu_redact_pattern pats[] = {{"ticket", "工单号[A-Z]{2}[0-9]{6}", 3, 2, NULL, 0}};
    fu_redact_options o = FU_REDACT_OPTIONS_INIT;
    o.extra = pats;
    o.n_extra = 1;
    o.flags = (jit ? 0 : FU_REDACT_NO_JIT) | FU_REDACT_CJK_NUMERALS;
    fu_redactor *r = NULL;
    int rc = fu_redactor_new(&r, &o);
    if (rc != FU_OK) return rc;
    const char *in = "工单号AB123456 手机13812345678 邮箱a@b.co 卡6222021234567894";
    char *out = NULL;
    rc = fu_redactor_apply(r, in, strlen(in), NULL, &out);
    if (rc == FU_OK && strcmp(out, "工单号******56 手机138****5678 邮箱a***@b.co 卡6222********7894") != 0)
        rc = FU_ERROR;
    fu_free(out);
    if (rc == FU_OK) {
        const char *texts[] = {in, "13912345678"};
        size_t off[3];
        char *buf = NULL;
        rc = fu_redactor_apply_bulk(r, texts, NULL, 2, off, &buf);
        if (rc == FU_OK && strcmp(buf + off[1], "139****5678") != 0) rc = FU_ERROR;
        fu_free(buf);
    }
    if (rc == FU_OK) { /* the normalised path: copy, offset map, merged sources */
        const char *typed = "１３８１２３４５６７８＠ｑｑ．ｃｏｍ 和 139　1234　5678";
        rc = fu_redactor_apply(r, typed, strlen(typed), NULL, &out);
        if (rc == FU_OK && strcmp(out, "１***＠ｑｑ．ｃｏｍ 和 139　****　5678") != 0) rc = FU_ERROR;
        fu_free(out);
    }
    if (rc == FU_OK) { /* Chinese numerals: the runs, then the normalised copy */
        const char *spoken = "一三八一二三四五六七八 和 幺 三 九 一 二 三 四 五 六 七 八";
        rc = fu_redactor_apply(r, spoken, strlen(spoken), NULL, &out);
        if (rc == FU_OK && strcmp(out, "一三八****五六七八 和 幺 三 九 ****五 六 七 八") != 0) rc = FU_ERROR;
        fu_free(out);
    }
    fu_redactor_free(r);
    return rc;
}

Test(redact, out_of_memory_in_new_and_apply_leaks_nothing) {
    int jit = 0;
    unsigned long n = fu_test_oom("redactor (interpreter)", oom_op, &jit, 10000);
    cr_assert_gt(n, 5);
    jit = 1;
    fu_test_oom("redactor (jit)", oom_op, &jit, 10000);
}

/* --------------------------------------- what people type (issue 13, item 5) */

struct typed_case {
    char in[96];
    char out[96];
};

ParameterizedTestParameters(redact, typed_variants_are_normalised_and_the_rest_is_kept) {
    static struct typed_case cases[] = {
        /* full-width digits: visible digits stay as written */
        {"电话１３８１２３４５６７８谢谢", "电话１３８****５６７８谢谢"},
        /* doubled, ideographic and no-break spaces, dots, dashes, line breaks */
        {"call 138  1234  5678", "call 138  ****  5678"},
        {"138\xe3\x80\x80" "1234\xe3\x80\x80" "5678", "138\xe3\x80\x80****\xe3\x80\x80" "5678"},
        {"138\xc2\xa0" "1234\xc2\xa0" "5678", "138\xc2\xa0****\xc2\xa0" "5678"},
        {"138.1234.5678", "138.****.5678"},
        {"138\xe2\x80\x94" "1234\xe2\x80\x94" "5678", "138\xe2\x80\x94****\xe2\x80\x94" "5678"},
        {"138\n1234\n5678 ok", "138\n****\n5678 ok"},
        {"138\r\n1234\r\n5678", "138\r\n****\r\n5678"},
        {"1\xe2\x80\x8b" "3812345678", "1\xe2\x80\x8b" "38****5678"}, /* a zero-width space inside */
        {"+８６ １３８ １２３４ ５６７８", "+８６ １３８ **** ５６７８"},
        {"（+86）13812345678", "（+86）138****5678"},
        /* the old 15-digit ID, and an 18-digit one in groups */
        {"身份证 110105900101123", "身份证 110********1123"},
        {"110105 19900101 1232", "110*** ******** 1232"},
        /* internationalised e-mail */
        {"邮箱张三@例子.中国", "邮***@例子.中国"},
        {"联系邮箱zhang.san@qq.com谢谢", "联系邮箱z***@qq.com谢谢"},
        {"josé.müller@exämple.de", "j***@exämple.de"},
        {"小李.2026@163.com", "小***@163.com"},
        {"用户＠ｑｑ．ｃｏｍ", "用***＠ｑｑ．ｃｏｍ"},
        /* cards with double spaces, passports, bank accounts */
        {"卡号 6222 0212  3456 7894", "卡号 6222 ****  **** 7894"},
        {"护照 E12345678", "护照 E*****678"},
        {"账号：1100 1234 5678 9012 345", "账号：1100 **** **** ***2 345"},
        /* precision: order numbers, amounts, dates and times are kept */
        {"订单号 6123456789012347 已发货", "订单号 6123456789012347 已发货"},
        {"发票编号 044031900111", "发票编号 044031900111"},
        {"金额 13,800.00 元 2026-11-23 10:30", "金额 13,800.00 元 2026-11-23 10:30"},
        {"2026.11.23 1767225600 v13.1.2", "2026.11.23 1767225600 v13.1.2"},
    };
    return cr_make_param_array(struct typed_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct typed_case *c, redact, typed_variants_are_normalised_and_the_rest_is_kept) {
    fu_redactor *r = NULL;
    cr_assert_eq(fu_redactor_new(&r, NULL), FU_OK);
    char *out = redact(r, c->in);
    cr_assert_str_eq(out, c->out, "in: %s", c->in);
    fu_free(out);
    fu_redactor_free(r);
}

/* Numbers written in Chinese numerals (voice transcripts), with
 * FU_REDACT_CJK_NUMERALS: found and masked as written; amounts, dates and
 * counts in numerals are kept. Without the flag nothing changes. */
struct cjk_case {
    char in[160];
    char out[160];
};

ParameterizedTestParameters(redact, chinese_numerals_are_read_as_digits_when_asked) {
    static struct cjk_case cases[] = {
        {"电话一三八一二三四五六七八谢谢", "电话一三八****五六七八谢谢"},
        {"幺三八幺二三四五六七八", "幺三八****五六七八"},
        {"手机号一三八 一二三四 五六七八", "手机号一三八 **** 五六七八"},
        {"一三八-一二三四-五六七八", "一三八-****-五六七八"},
        {"一三八\xe3\x80\x80一二三四\xe3\x80\x80五六七八", "一三八\xe3\x80\x80****\xe3\x80\x80五六七八"},
        {"号码１３８一二三四五六七八", "号码１３８****五六七八"},
        {"幺三八 1234 五六七八", "幺三八 **** 五六七八"},
        {"1381234五678", "138****五678"}, /* one numeral between digits */
        {"一三九〇〇〇〇五六七八", "一三九****五六七八"},
        {"一三九零零零零五六七八", "一三九****五六七八"},
        {"一三九○○○○五六七八", "一三九****五六七八"},
        {"一五两一二三四五六七八", "一五两****五六七八"},
        /* read out one digit at a time: the spaces are left out of the match */
        {"一 三 八 一 二 三 四 五 六 七 八", "一 三 八 ****五 六 七 八"},
        /* a landline and an ID read out */
        {"座机零一零 六五五二九九八八", "座机零一零 ****九九八八"},
        /* speech-to-text writes one group a line (review s7) */
        {"一三八\n一二三四\n五六七八", "一三八\n****\n五六七八"},
        {"一三八\r\n一二三四\r\n五六七八", "一三八\r\n****\r\n五六七八"},
        /* financial numerals (大写), simplified and traditional, and mixed */
        {"手机幺叁捌壹贰叁肆伍陆柒捌", "手机幺叁捌****伍陆柒捌"},
        {"手机壹叁捌一二三四五六七八", "手机壹叁捌****五六七八"},
        {"電話壹叄捌壹貳叄肆伍陸柒捌", "電話壹叄捌****伍陸柒捌"},
        {"一三九两兩零零玖玖捌捌", "一三九****玖玖捌捌"},
        /* kept: amounts, dates, counts, a numeral next to a number, short runs */
        {"人民币壹万叁仟元整", "人民币壹万叁仟元整"},
        {"订单一二三\n四五六七 好", "订单一二三\n四五六七 好"},
        {"一万三千八百元", "一万三千八百元"},
        {"二〇二六年十二月七日", "二〇二六年十二月七日"},
        {"订单共三件，一二三四五六七八九十", "订单共三件，一二三四五六七八九十"},
        {"第一13812345678", "第一138****5678"}, /* one numeral at the edge: a word */
        {"13812345678八", "138****5678八"},
        {"一三八一二三四", "一三八一二三四"},
        {"一九九八年 二〇〇一年", "一九九八年 二〇〇一年"},
    };
    return cr_make_param_array(struct cjk_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct cjk_case *c, redact, chinese_numerals_are_read_as_digits_when_asked) {
    fu_redact_options o = FU_REDACT_OPTIONS_INIT;
    o.flags = FU_REDACT_CJK_NUMERALS;
    fu_redactor *r = NULL;
    cr_assert_eq(fu_redactor_new(&r, &o), FU_OK);
    char *out = redact(r, c->in);
    cr_assert_str_eq(out, c->out, "in: %s", c->in);
    fu_free(out);
    fu_redactor_free(r);
    /* the default leaves numerals alone */
    cr_assert_eq(fu_redactor_new(&r, NULL), FU_OK);
    out = redact(r, c->in);
    if (strstr(c->in, "13812345678")) cr_assert_str_eq(out, c->out);
    else cr_assert_str_eq(out, c->in, "default mode changed %s", c->in);
    fu_free(out);
    fu_redactor_free(r);
}

/* Travel permits to Hong Kong and Macau (C + 8 digits) and Home Return
 * Permits (H, M + 8 or 10 digits) look like customer ids: masked after a
 * permit keyword only. */
Test(redact, travel_permits_are_masked_after_their_keyword_only) {
    static const char *const cases[][2] = {
        {"港澳通行证 C12345678", "港澳通行证 C*****678"},
        {"往来港澳通行证号：C87654321", "往来港澳通行证号：C*****321"},
        {"通行证号C12345678", "通行证号C*****678"},
        {"回乡证 H12345678", "回乡证 H*****678"},
        {"回鄉證號 M1234567890", "回鄉證號 M*******890"},
        {"travel permit C12345678", "travel permit C*****678"},
        {"Permit No. H12345678", "Permit No. H*****678"},
        {"护照号H10996606", "护照号H*****606"},
        {"客户编号 C12345678", "客户编号 C12345678"},
        {"会员 H12345678 已回访", "会员 H12345678 已回访"},
        {"M1234567890", "M1234567890"},
        {"customer C12345678", "customer C12345678"},
        {"港澳通行证 C123456789", "港澳通行证 C123456789"}, /* 9 digits: no permit */
        {"护照 E12345678", "护照 E*****678"},            /* passports need no keyword */
        {"E12345678", "E*****678"},
    };
    fu_redactor *r = NULL;
    cr_assert_eq(fu_redactor_new(&r, NULL), FU_OK);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *out = redact(r, cases[i][0]);
        cr_assert_str_eq(out, cases[i][1], "in: %s", cases[i][0]);
        fu_free(out);
    }
    fu_redactor_free(r);
}

/* A permit typed in lower case after its keyword (c12345678, as an ID
 * takes x and X) is masked like one in capitals, also right after another
 * match, after digits elsewhere in the text, without the JIT and with the
 * passport kind alone; without the keyword it stays (customer ids). */
Test(redact, permits_typed_in_lower_case_are_masked_after_their_keyword) {
    static const char *const cases[][2] = {
        {"通行证: c12345678", "通行证: c*****678"},
        {"港澳通行证c12345678", "港澳通行证c*****678"},
        {"往来港澳通行证号：c87654321，已核验", "往来港澳通行证号：c*****321，已核验"},
        {"回乡证 h12345678", "回乡证 h*****678"},
        {"回鄉證號 m1234567890", "回鄉證號 m*******890"},
        {"permit no. h12345678 verified", "permit no. h*****678 verified"},
        {"护照号 e12345678", "护照号 e*****678"},
        {"passport g12345678", "passport g*****678"},
        {"通行证: C12345678，回乡证：h87654321", "通行证: C*****678，回乡证：h*****321"},
        {"订单20261123，通行证c12345678", "订单20261123，通行证c*****678"},
        {"客户编号 c12345678", "客户编号 c12345678"},
        {"会员 h12345678 已回访", "会员 h12345678 已回访"},
        {"m1234567890", "m1234567890"},
        {"c12345678", "c12345678"},
        {"e12345678 型号", "e12345678 型号"},
        {"通行证: xc12345678", "通行证: xc12345678"},
        {"通行证: c123456789", "通行证: c123456789"}, /* 9 digits: no permit */
    };
    fu_redact_options o[3] = {FU_REDACT_OPTIONS_INIT, FU_REDACT_OPTIONS_INIT, FU_REDACT_OPTIONS_INIT};
    o[1].flags = FU_REDACT_NO_JIT;
    o[2].kinds = FU_REDACT_BIT(FU_REDACT_PASSPORT_CN);
    for (size_t k = 0; k < 3; k++) {
        fu_redactor *r = NULL;
        cr_assert_eq(fu_redactor_new(&r, &o[k]), FU_OK);
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            if (k == 2 && i == 9) continue; /* the order number is masked by no kind of this redactor anyway */
            char *out = redact(r, cases[i][0]);
            cr_assert_str_eq(out, cases[i][1], "redactor %zu, in: %s", k, cases[i][0]);
            fu_free(out);
        }
        fu_redactor_free(r);
    }
}

/* Review s8 F3: a number typed digit by digit or in other groupings (one
 * space or '-' between any digits) is masked after a phone, ID or card
 * keyword when its digits make a mobile number, an ID (birth date, check
 * character) or a card (issuer, Luhn); without a keyword, after an order
 * keyword, or when the digits make no number, it stays. */
Test(redact, numbers_typed_digit_by_digit_are_masked_after_their_keyword) {
    static const char *const cases[][2] = {
        {"手机 1 3 8 1 2 3 4 5 6 7 8", "手机 1 3 8 * * * * 5 6 7 8"},
        {"手机 １ ３ ８ １ ２ ３ ４ ５ ６ ７ ８", "手机 １ ３ ８ * * * * ５ ６ ７ ８"},
        {"手机 13 81 23 45 678", "手机 13 8* ** *5 678"},
        {"电话：138 12 34 56 78，请回电", "电话：138 ** ** 56 78，请回电"},
        {"手机号码是1381 234 5678", "手机号码是138* *** 5678"},
        {"tel 1-3-8-1-2-3-4-5-6-7-8", "tel 1-3-8-*-*-*-*-5-6-7-8"},
        {"联系方式 1 3 8 1 2 3 4 5 6 7 8 12-07 回访", "联系方式 1 3 8 * * * * 5 6 7 8 12-07 回访"},
        {"卡号 6 2 2 2 0 2 1 2 3 4 5 6 7 8 9 4", "卡号 6 2 2 2 * * * * * * * * 7 8 9 4"},
        {"身份证 1 1 0 1 0 5 1 9 9 0 0 1 0 1 1 2 3 2", "身份证 1 1 0 * * * * * * * * * * * 1 2 3 2"},
        {"身份证 11 01 05 19 90 01 01 12 32", "身份证 11 0* ** ** ** ** ** 12 32"},
        {"1 3 8 1 2 3 4 5 6 7 8", "1 3 8 1 2 3 4 5 6 7 8"},             /* no keyword */
        {"订单 1 3 8 1 2 3 4 5 6 7 8", "订单 1 3 8 1 2 3 4 5 6 7 8"},   /* an order */
        {"手机 1 2 3 4 5 6 7 8 9 0 1", "手机 1 2 3 4 5 6 7 8 9 0 1"},   /* not 1[3-9] */
        {"卡号 6 2 2 2 0 2 1 2 3 4 5 6 7 8 9 5", "卡号 6 2 2 2 0 2 1 2 3 4 5 6 7 8 9 5"}, /* Luhn */
        {"电话 1 3 8 1 2 3 4", "电话 1 3 8 1 2 3 4"},
        {"tel 1.3.8.1.2.3.4.5.6.7.8", "tel 1.3.8.1.2.3.4.5.6.7.8"},     /* dots: versions, addresses */
    };
    fu_redact_options o[2] = {FU_REDACT_OPTIONS_INIT, FU_REDACT_OPTIONS_INIT};
    o[1].flags = FU_REDACT_CJK_NUMERALS;
    for (size_t k = 0; k < 2; k++) {
        fu_redactor *r = NULL;
        cr_assert_eq(fu_redactor_new(&r, &o[k]), FU_OK);
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            char *out = redact(r, cases[i][0]);
            cr_assert_str_eq(out, cases[i][1], "redactor %zu, in: %s", k, cases[i][0]);
            fu_free(out);
        }
        fu_redactor_free(r);
    }
    /* only the kinds asked for */
    fu_redact_options c = FU_REDACT_OPTIONS_INIT;
    c.kinds = FU_REDACT_BIT(FU_REDACT_BANK_CARD);
    fu_redactor *r = NULL;
    cr_assert_eq(fu_redactor_new(&r, &c), FU_OK);
    char *out = redact(r, "手机 1 3 8 1 2 3 4 5 6 7 8");
    cr_assert_str_eq(out, "手机 1 3 8 1 2 3 4 5 6 7 8");
    fu_free(out);
    fu_redactor_free(r);
}

static void unescape(char *s) {
    char *w = s;
    for (char *p = s; *p; p++) {
        if (p[0] == '\\' && p[1]) {
            p++;
            *w++ = *p == 'n' ? '\n' : *p == 'r' ? '\r' : *p == 't' ? '\t' : *p;
        } else {
            *w++ = *p;
        }
    }
    *w = '\0';
}

/* One pass over tests/data/redact/corpus.tsv with a redactor of `flags`:
 * the variants of kinds cjk_* (numbers in Chinese numerals) count only
 * with FU_REDACT_CJK_NUMERALS; every look-alike must come back unchanged. */
static void corpus_pass(unsigned flags, size_t *pos, size_t *caught, size_t *neg, size_t *fp) {
    FILE *f = fopen(FU_TEST_SRCDIR "/data/redact/corpus.tsv", "r");
    cr_assert_not_null(f);
    fu_redact_options o = FU_REDACT_OPTIONS_INIT;
    o.flags = flags;
    fu_redactor *r = NULL;
    cr_assert_eq(fu_redactor_new(&r, &o), FU_OK);
    *pos = *caught = *neg = *fp = 0;
    char line[4096];
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#') continue;
        line[strcspn(line, "\n")] = '\0';
        char *expect = strtok(line, "\t"), *kind = strtok(NULL, "\t"), *text = strtok(NULL, "\t");
        char *secret = strtok(NULL, "\t");
        cr_assert(expect && kind && text);
        if (strncmp(kind, "cjk_", 4) == 0 && !(flags & FU_REDACT_CJK_NUMERALS)) continue;
        unescape(text);
        char *out = redact(r, text);
        if (strcmp(expect, "keep") == 0) {
            (*neg)++;
            if (strcmp(out, text) != 0) {
                (*fp)++;
                cr_log_error("false positive (flags %u): %s -> %s", flags, text, out);
            }
        } else {
            cr_assert_not_null(secret);
            unescape(secret);
            (*pos)++;
            if (!strstr(out, secret)) (*caught)++;
            else cr_log_error("missed (%s, flags %u): %s -> %s", kind, flags, text, out);
        }
        fu_free(out);
    }
    fclose(f);
    fu_redactor_free(r);
}

/* tests/data/redact/corpus.tsv (made by make_corpus.py next to it): at least
 * 300 labelled variants; recall >= 99% and no false positive, by default and
 * with Chinese numerals read as digits. */
Test(redact, labelled_corpus_recall_and_precision) {
    size_t pos, caught, neg, fp;
    corpus_pass(0, &pos, &caught, &neg, &fp);
    cr_assert_geq(pos + neg, 300);
    cr_assert_geq(neg, 100);
    cr_assert_geq(caught * 100, pos * 99, "recall %zu of %zu", caught, pos);
    cr_assert_eq(fp, 0, "%zu false positives of %zu", fp, neg);
    size_t pos2, caught2, neg2, fp2;
    corpus_pass(FU_REDACT_CJK_NUMERALS, &pos2, &caught2, &neg2, &fp2);
    cr_assert_geq(pos2, pos + 40, "the variants in Chinese numerals");
    cr_assert_geq(caught2 * 100, pos2 * 99, "recall %zu of %zu with Chinese numerals", caught2, pos2);
    cr_assert_eq(neg2, neg);
    cr_assert_eq(fp2, 0, "%zu false positives of %zu with Chinese numerals", fp2, neg2);
}

/* The policy key redaction.cjk_numerals switches FU_REDACT_CJK_NUMERALS on;
 * unknown option flags are refused. */
Test(redact, the_policy_reads_chinese_numerals_when_asked) {
    const char *in = "电话一三八一二三四五六七八";
    fu_policy *p = NULL;
    fu_redactor *r = NULL;
    cr_assert_eq(fu_policy_default(&p), FU_OK);
    cr_assert_eq(fu_redactor_new_from_policy(&r, p), FU_OK);
    char *out = redact(r, in);
    cr_assert_str_eq(out, in); /* off by default */
    fu_free(out);
    fu_redactor_free(r);
    fu_policy_free(p);
    const char *yaml = "version: \"2026.1\"\nredaction:\n  cjk_numerals: true\n";
    cr_assert_eq(fu_policy_load_string(&p, yaml, strlen(yaml), "t", NULL), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(fu_redactor_new_from_policy(&r, p), FU_OK);
    out = redact(r, in);
    cr_assert_str_eq(out, "电话一三八****五六七八");
    fu_free(out);
    fu_redactor_free(r);
    fu_policy_free(p);
    const char *bad = "version: \"2026.1\"\nredaction:\n  cjk_numerals: sometimes\n";
    cr_assert_eq(fu_policy_load_string(&p, bad, strlen(bad), "t", NULL), FU_EPOLICY);
    cr_assert_eq(fu_error_last()->line, 3);
    fu_redact_options o = FU_REDACT_OPTIONS_INIT;
    o.flags = 0x80u;
    cr_assert_eq(fu_redactor_new(&r, &o), FU_EINVAL);
    cr_assert(strstr(fu_error_last()->message, "flag"), "%s", fu_error_last()->message);
    cr_assert_null(r);
}

Test(redact, new_kinds_are_counted_and_follow_the_policy_switches) {
    fu_redactor *r = NULL;
    cr_assert_eq(fu_redactor_new(&r, NULL), FU_OK);
    char *out = redact(r, "护照 E12345678，账号：1100 1234 5678 9012 345");
    fu_free(out);
    fu_redact_stats c;
    fu_redactor_get_stats(r, &c);
    cr_assert_eq(c.by_kind[FU_REDACT_PASSPORT_CN], 1);
    cr_assert_eq(c.by_kind[FU_REDACT_BANK_ACCOUNT], 1);
    cr_assert_str_eq(fu_redact_kind_name(FU_REDACT_PASSPORT_CN), "passport_cn");
    cr_assert_str_eq(fu_redact_kind_name(FU_REDACT_BANK_ACCOUNT), "bank_account");
    fu_redactor_free(r);
    /* a policy with id_number and bank_card off leaves both */
    const char *yaml = "version: \"2026.1\"\nredaction:\n  builtin: {phone: true, id_number: false, bank_card: false, email: true}\n";
    fu_policy *p = NULL;
    cr_assert_eq(fu_policy_load_string(&p, yaml, strlen(yaml), "t", NULL), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(fu_redactor_new_from_policy(&r, p), FU_OK);
    out = redact(r, "护照 E12345678 电话13812345678");
    cr_assert_str_eq(out, "护照 E12345678 电话138****5678");
    fu_free(out);
    fu_redactor_free(r);
    fu_policy_free(p);
}
