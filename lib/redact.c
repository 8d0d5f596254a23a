/* fu_redact: masking personal data with PCRE2 (JIT, bounded matching). */
#include "followup/redact.h"

#include "internal.h"
#include "policy_redaction.h"
#include "redact_internal.h"
#include "redact_shapes.h"
#include "utf8_internal.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* ------------------------------------------------------------ PCRE2 helpers */

static void *re_malloc(size_t size, void *ud) {
    void *p = fu__malloc(size);
    if (!p) ((fu__re *)ud)->alloc_failed = 1;
    return p;
}

static void re_free(void *p, void *ud) {
    (void)ud;
    fu__free(p);
}

int fu__re_init(fu__re *re, uint32_t match_limit, uint32_t depth_limit, int use_jit) {
    memset(re, 0, sizeof *re);
    re->use_jit = use_jit;
    re->gen = pcre2_general_context_create(re_malloc, re_free, re);
    if (!re->gen) return fu__error_nomem();
    re->comp = pcre2_compile_context_create(re->gen);
    re->match = pcre2_match_context_create(re->gen);
    if (!re->comp || !re->match) {
        fu__re_fini(re);
        return fu__error_nomem();
    }
    pcre2_set_match_limit(re->match, match_limit ? match_limit : FU__RE_DEFAULT_MATCH_LIMIT);
    pcre2_set_depth_limit(re->match, depth_limit ? depth_limit : FU__RE_DEFAULT_DEPTH_LIMIT);
    pcre2_set_heap_limit(re->match, FU__RE_HEAP_LIMIT_KIB);
    /* Bound what one caller pattern can ask of the compiler as well. */
    pcre2_set_max_pattern_length(re->comp, 64 * 1024);
    pcre2_set_parens_nest_limit(re->comp, 64);
    return FU_OK;
}

void fu__re_fini(fu__re *re) {
    if (!re) return;
    pcre2_match_context_free(re->match);
    pcre2_compile_context_free(re->comp);
    pcre2_general_context_free(re->gen);
    re->match = NULL;
    re->comp = NULL;
    re->gen = NULL;
}

int fu__re_compile(fu__re *re, const char *pattern, uint32_t options, const char *what,
                   pcre2_code **out) {
    int err = 0;
    PCRE2_SIZE off = 0;
    *out = NULL;
    re->alloc_failed = 0;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, options, &err, &off,
                                     re->comp);
    if (!code) {
        if (re->alloc_failed || err == PCRE2_ERROR_HEAP_FAILED) return fu__error_nomem();
        PCRE2_UCHAR msg[160];
        if (pcre2_get_error_message(err, msg, sizeof msg) < 0) strcpy((char *)msg, "invalid pattern");
        return fu__error_set(FU_EPARSE, "%s: %s at offset %zu", what, (const char *)msg, (size_t)off);
    }
    if (re->use_jit) {
        re->alloc_failed = 0;
        int rc = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
        if (rc < 0 && re->alloc_failed) {
            pcre2_code_free(code);
            return fu__error_nomem();
        }
        /* Any other JIT failure (no JIT on this platform, no executable
         * memory) leaves the interpreter, which obeys the same limits. */
    }
    *out = code;
    return FU_OK;
}

int fu__re_match_data(fu__re *re, const pcre2_code *code, pcre2_match_data **out) {
    *out = pcre2_match_data_create_from_pattern(code, re->gen);
    return *out ? FU_OK : fu__error_nomem();
}

int fu__re_is_jit(const pcre2_code *code) {
    size_t size = 0;
    return code && pcre2_pattern_info(code, PCRE2_INFO_JITSIZE, &size) == 0 && size > 0;
}

int fu__re_exec(fu__re *re, const pcre2_code *code, const char *subject, size_t len, size_t start,
                uint32_t options, pcre2_match_data *md, const char *what_kind, const char *name) {
    re->alloc_failed = 0;
    int rc = pcre2_match(code, (PCRE2_SPTR)(subject ? subject : ""), len, start, options, md,
                         re->match);
    if (rc >= 0) return 1;
    if (rc == PCRE2_ERROR_NOMATCH) return 0;
    /* Only now, on the error path, is the pattern's name formatted. */
    char what[200];
    if (name) snprintf(what, sizeof what, "%s '%s'", what_kind, name);
    else snprintf(what, sizeof what, "%s", what_kind);
    switch (rc) {
    case PCRE2_ERROR_NOMATCH:
        return 0;
    case PCRE2_ERROR_MATCHLIMIT:
    case PCRE2_ERROR_DEPTHLIMIT:
    case PCRE2_ERROR_HEAPLIMIT:
    case PCRE2_ERROR_JIT_STACKLIMIT:
        return fu__error_set(FU_ELIMIT, "%s: matching stopped at a limit near byte %zu (%s)", what,
                             start, rc == PCRE2_ERROR_MATCHLIMIT   ? "match limit"
                                    : rc == PCRE2_ERROR_HEAPLIMIT ? "heap limit"
                                                                  : "depth limit");
    case PCRE2_ERROR_NOMEMORY:
        if (re->alloc_failed) return fu__error_nomem();
        return fu__error_set(FU_ELIMIT, "%s: matching ran out of its memory", what);
    default: {
        PCRE2_UCHAR msg[160];
        if (pcre2_get_error_message(rc, msg, sizeof msg) < 0) strcpy((char *)msg, "match error");
        return fu__error_set(FU_ERROR, "%s: %s", what, (const char *)msg);
    }
    }
}

/* --------------------------------------------------------------- validators */

int fu_redact_id_cn_valid(const char *s, size_t len) {
    static const int weight[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    static const char check[11] = {'1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'};
    if (!s || len != 18) return 0;
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        if (s[i] < '0' || s[i] > '9') return 0;
        sum += (s[i] - '0') * weight[i];
    }
    char c = s[17] == 'x' ? 'X' : s[17];
    return c == check[sum % 11];
}

int fu_redact_luhn_valid(const char *s, size_t len) {
    if (!s) return 0;
    int sum = 0, n = 0;
    for (size_t i = len; i-- > 0;) {
        char c = s[i];
        if (c == ' ' || c == '-') continue;
        if (c < '0' || c > '9') return 0;
        int d = c - '0';
        if (n++ & 1) {
            d *= 2;
            if (d > 9) d -= 9;
        }
        sum += d;
    }
    return n >= 2 && sum % 10 == 0;
}

/* ----------------------------------------------------------- the redactor */

/* Capture group i+1 of the built-in pattern holds a match of kind
 * k_group_kind[i]; the order is the priority when several could match. */
static const int k_group_kind[] = {FU_REDACT_ID_CN,        FU_REDACT_MOBILE_CN,   FU_REDACT_BANK_CARD,
                                   FU_REDACT_LANDLINE_CN,  FU_REDACT_E164,        FU_REDACT_PASSPORT_CN,
                                   FU_REDACT_BANK_ACCOUNT, FU_REDACT_ID_CN,       FU_REDACT_EMAIL};
#define N_GROUPS (sizeof k_group_kind / sizeof k_group_kind[0])

/* A separator between the digit groups of a number (in the normalised
 * text): 1-3 spaces or tabs, or one '-', '.' or line break with at most one
 * space or tab on each side. Never empty, so that the ways to split a run of
 * digits stay few. */
#define SEP "(?:[ \\t]{1,3}|[ \\t]?(?:[-.\\n]|\\r\\n?)[ \\t]?)"
/* Province (and municipality / SAR) codes: the first two digits of an ID. */
#define PROV "(?:1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-5]|71|8[1-3])"
#define MMDD "(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"

/* Callout 1 checks the ID check character, callout 2 a card's issuer
 * prefix, length, Luhn sum and context, callout 3 a bank account's length
 * and keyword, callout 4 that a landline number does not follow an order
 * keyword, callout 5 a foreign number's digit count and context, callout 6
 * an ID in free grouping (18 characters, birth date, check character),
 * callout 7 that a malformed ID follows an ID keyword, callout 8 that a
 * travel permit follows a permit keyword (a permit typed in lower case is
 * found by find_digit_runs()); a non-zero return
 * makes PCRE2 backtrack and try the next branch. */
/* The Chinese-script top-level domains (IANA's root zone) an address may end
 * in after "。", the dot a Chinese IME types: "zhang@公司。中国". After "。" any
 * other Han word ends a sentence, not a domain: "@王经理。请跟进" is an
 * @-mention (review r2 M6). After an ASCII dot every script's top-level
 * domain is read by its bytes (.中国, .世界, .みんな, .рф). "。" is matched by
 * the pattern itself, not normalised in every note (that made Chinese notes,
 * which all hold "。", take the normalising path: 26% slower masking). */
#define CJK_TLD \
    "(?:\xe4\xb8\xad\xe5\x9b\xbd|\xe4\xb8\xad\xe5\x9c\x8b|\xe5\x85\xac\xe5\x8f\xb8|" \
    "\xe7\xbd\x91\xe7\xbb\x9c|\xe7\xb6\xb2\xe7\xb5\xa1|\xe9\xa6\x99\xe6\xb8\xaf|" \
    "\xe5\x8f\xb0\xe6\xb9\xbe|\xe5\x8f\xb0\xe7\x81\xa3|\xe6\x96\xb0\xe5\x8a\xa0\xe5\x9d\xa1|" \
    "\xe6\xbe\xb3\xe9\x97\xa8|\xe5\x9c\xa8\xe7\xba\xbf|\xe5\x95\x86\xe5\x9f\x8e|" \
    "\xe9\x9b\x86\xe5\x9b\xa2|\xe6\x94\xbf\xe5\x8a\xa1|\xe5\x85\xac\xe7\x9b\x8a|" \
    "\xe6\x89\x8b\xe6\x9c\xba|\xe7\xbd\x91\xe5\x9d\x80|\xe7\xbd\x91\xe5\xba\x97|" \
    "\xe4\xb8\xad\xe6\x96\x87\xe7\xbd\x91|\xe5\x95\x86\xe6\xa0\x87|\xe7\xbd\x91\xe7\xab\x99|" \
    "\xe6\x88\x91\xe7\x88\xb1\xe4\xbd\xa0|\xe6\x97\xb6\xe5\xb0\x9a|\xe6\xb8\xb8\xe6\x88\x8f|" \
    "\xe5\xa8\xb1\xe4\xb9\x90|\xe8\xb4\xad\xe7\x89\xa9|\xe4\xbf\xa1\xe6\x81\xaf|" \
    "\xe4\xbc\x81\xe4\xb8\x9a|\xe6\x96\xb0\xe9\x97\xbb|\xe5\x81\xa5\xe5\xba\xb7|" \
    "\xe5\x85\xab\xe5\x8d\xa6|\xe4\xbd\x9b\xe5\xb1\xb1|\xe5\xb9\xbf\xe4\xb8\x9c)"

static const char *const k_branch[N_GROUPS] = {
    /* ID: 18 characters (birth date 18xx-20xx, check character) or the old
     * 15 digits (birth date yymmdd, no check character), groups 6-8-4 /
     * 6-6-3 may be separated */
    "(?<![0-9])(" PROV "[0-9]{4}" SEP "?(?:(?:18|19|20)[0-9]{2}" MMDD SEP "?[0-9]{3}[0-9Xx](?![0-9])(?C1)"
    "|[0-9]{2}" MMDD SEP "?[0-9]{3}(?![0-9Xx]))"
    /* or grouped any other way people type it (4-4-4-4-2, 6-4-4-4) */
    "|" PROV "[0-9]{0,6}+(?:" SEP "[0-9]{1,8}+){1,5}(?:" SEP "?[Xx])?(?![0-9Xx])(?C6))",
    /* mobile: optional +86 / 0086 / 86 / (+86), then 1[3-9]x xxxx xxxx */
    "(?<![0-9])((?:\\(?(?:\\+|00)?86\\)?" SEP "?)?(?:1[3-9][0-9]|\\(1[3-9][0-9]\\))" SEP "?[0-9]{4}" SEP "?[0-9]{4})(?![0-9])",
    /* card: contiguous, or in 2-5 groups as people type them (4-4-4-4,
     * 4-6-5, 6-13, 4-12, 8-8, 6-10, ...): the callout counts 13-19 digits */
    "(?<![0-9])([0-9]{13,19}|[0-9]{4,8}+(?:" SEP "[0-9]{1,13}+){1,4})(?![0-9])(?C2)",
    /* landline: (0xx) / 0xx- / 0xxx xxxx xxxx / contiguous 11-12 digits */
    "(?<![0-9])(\\(0[1-9][0-9]{1,2}\\)" SEP "?[0-9]{3,4}" SEP "?[0-9]{4}|0[1-9][0-9]{1,2}" SEP "[0-9]{3,4}" SEP
    "?[0-9]{4}|0[1-9][0-9]{9,10}"
    /* with the country code: +86 (21) 5555 6666, 0086-10-65529988, 86-10-65529988 */
    "|(?<![A-Za-z])\\(?(?:\\+|00)?86\\)?" SEP "?(?:\\(0?[1-9][0-9]{1,2}\\)|0?[1-9][0-9]{1,2})" SEP "?[0-9]{3,4}" SEP "?[0-9]{4}"
    ")(?![0-9])(?C4)",
    /* E.164: + and 8-15 digits */
    /* E.164 with + or 00, parts in parentheses ("+1 (415) 555-0134",
     * "+44 (0)20 7946 0958", "(+1) 415 555 0134", "0044 20 7946 0958"),
     * North American numbers ("(415) 555-0134", "1-800-555-0199") and national
     * numbers with a trunk 0 in 5-6 groups ("07911 123456") */
    "(?<![0-9])((?:\\+|\\(\\+)[1-9][0-9]{0,2}\\)?(?:" SEP "?(?:\\([0-9]{1,5}\\)|[0-9])){5,18}"
    "|(?<![A-Za-z])00[1-9](?:" SEP "?(?:\\([0-9]{1,5}\\)|[0-9])){6,18}"
    "|(?<![A-Za-z])(?:1" SEP ")?(?:\\([2-9][0-9]{2}\\)" SEP "?|[2-9][0-9]{2}+" SEP ")[2-9][0-9]{2}+" SEP "[0-9]{4}"
    "|(?<![A-Za-z])0[1-9][0-9]{3}+" SEP "[0-9]{6})(?![0-9])(?C5)",
    /* passports (E, E+letter, G); travel permits to Hong Kong / Macau (C
     * + 8 digits) and Home Return Permits (H, M + 8 or 10 digits) only
     * after a permit keyword (callout 8): customer ids look the same */
    "(?<![A-Za-z0-9])(E[0-9]{8}|E[A-HJ-NP-Z][0-9]{7}|G[0-9]{8}"
    "|(?:C[0-9]{8}|[HM][0-9]{8}(?:[0-9]{2})?)(?![A-Za-z0-9])(?C8))(?![A-Za-z0-9])",
    /* bank account after its keyword (checked by the callout) */
    "(?<![0-9])([0-9]{10,30}|[0-9]{3,8}(?:" SEP "[0-9]{2,8}){1,6})(?![0-9])(?C3)",
    /* an ID with a typo (wrong check character, a digit missing or extra)
     * right after its keyword (身份证号, 证件号, ID no.) */
    "(?<![0-9])([0-9]{14,19}+[Xx]?|[0-9]{6}+" SEP "[0-9]{7,9}+" SEP "[0-9]{2,4}+[Xx]?)(?![0-9Xx])(?C7)",
    /* e-mail, also with non-ASCII local part and domain (bytes >= 0x80) */
    "(?<![A-Za-z0-9._%+\\-])([A-Za-z0-9\\x80-\\xff][A-Za-z0-9._%+\\-\\x80-\\xff]{0,63} ?@ ?[A-Za-z0-9\\x80-\\xff]"
    "(?:[A-Za-z0-9\\-\\x80-\\xff]{0,61}[A-Za-z0-9\\x80-\\xff])?(?:(?:\\.|\\xe3\\x80\\x82)[A-Za-z0-9\\x80-\\xff](?:[A-Za-z0-9\\-"
    "\\x80-\\xff]{0,61}[A-Za-z0-9\\x80-\\xff])?)*(?:\\.(?:[A-Za-z]{2,24}|(?:[\\xc0-\\xff][\\x80-\\xbf]+){1,8})"
    "|\\xe3\\x80\\x82(?:[A-Za-z]{2,24}|" CJK_TLD ")))"
    "(?![A-Za-z0-9\\-])",
};

typedef struct extra_pat {
    char *name;
    char *replacement; /* NULL: mask with keep_head / keep_tail */
    size_t replacement_len;
    pcre2_code *code;
    pcre2_match_data *md;
    unsigned int keep_head, keep_tail;
    size_t count;
} extra_pat;

/* A run of digits written (partly) in Chinese numerals, [start, end) in
 * the original text (FU_REDACT_CJK_NUMERALS); `spelled`: its digits stand
 * one or two at a time between separators, which are then left out. */
typedef struct cjk_run {
    size_t start, end;
    int spelled;
} cjk_run;

/* From normalised offset `at` on, the original offset is `at + delta`. */
typedef struct shift {
    size_t at, delta;
} shift;

typedef struct span {
    size_t start, end; /* in the matched (normalised) text */
    int kind;  /* fu_redact_kind */
    int merged; /* mask every character */
    size_t extra; /* index of the extra pattern for FU_REDACT_EXTRA */
} span;

struct fu_redactor {
    fu__re re;
    pcre2_code *builtin; /* the digit kinds, one capture group per kind */
    int builtin_jit;     /* JIT code was made for it */
    /* The bytes a match of the built-in pattern can start with (PCRE2's
     * start bitmap), when all are ASCII and few: the digits and up to 8
     * others. Text before the first such byte is skipped 16 bytes at a time
     * (SSE2) instead of byte by byte in the JIT code. */
    int start_ok, start_digits, start_upper, start_n;
    unsigned char start_other[8]; /* the others, but capitals: start_upper */
    unsigned char start_map[32];
    pcre2_match_data *md;
    int group_kind[N_GROUPS];
    size_t n_groups;
    pcre2_code *email; /* compiled anchored: matched at a local part's start */
    int email_jit;     /* JIT code was made for it */
    pcre2_match_data *email_md;
    extra_pat *extra;
    size_t n_extra;
    char mask;
    size_t counts[FU_REDACT_KIND_COUNT];
    span *spans; /* scratch, reused between calls */
    size_t spans_cap;
    span *spans2; /* the other half of a merge */
    size_t spans2_cap;
    size_t *runs; /* where each source's spans start, beyond 8 sources */
    size_t runs_cap;
    char *norm; /* the normalised text, when a text needs one */
    size_t norm_cap;
    shift *shifts; /* where the normalised text's offsets part from the original */
    size_t n_shifts, shifts_cap;
    char *tmp; /* a digit span masked in the normalised text */
    size_t tmp_cap;
    int cjk;                /* FU_REDACT_CJK_NUMERALS */
    int no_prescan;         /* tests: fu__redactor_set_prescan(r, 0) */
    unsigned int kinds;     /* the built-in kinds asked for (FU_REDACT_BIT) */
    struct cjk_run *runs_cjk; /* this text's runs of digits written in CJK numerals */
    size_t n_cjk, cjk_cap;
};

FU_DEFINE_INIT(fu_redact_options_init, fu_redact_options, FU_REDACT_OPTIONS_INIT)

const char *fu_redact_kind_name(fu_redact_kind kind) {
    static const char *const names[FU_REDACT_KIND_COUNT] = {
        "mobile_cn", "landline_cn", "e164", "id_cn", "bank_card", "email", "extra", "passport_cn", "bank_account"};
    return kind >= 0 && kind < FU_REDACT_KIND_COUNT ? names[kind] : "unknown";
}

/* The digits (and an ID's X) of s[0..n) in buf (at most cap); their count. */
static size_t digits_of(const char *s, size_t n, char *buf, size_t cap) {
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if ((s[i] >= '0' && s[i] <= '9') || s[i] == 'X' || s[i] == 'x') {
            if (k < cap) buf[k] = s[i];
            k++;
        }
    return k;
}

/* Whether the digits `d` (n of them) start like a card of a network and have
 * one of its lengths (also used by the error text's cells, lib/errtext.c). */
int fu__redact_card_issuer_ok(const char *d, size_t n) {
    int p2 = (d[0] - '0') * 10 + (d[1] - '0');
    int p4 = p2 * 100 + (d[2] - '0') * 10 + (d[3] - '0');
    switch (d[0]) {
    case '4': return n == 13 || n == 16 || n == 19;                       /* Visa */
    case '5': return p2 >= 51 && p2 <= 55 && n == 16;                     /* Mastercard */
    case '2': return p4 >= 2221 && p4 <= 2720 && n == 16;                 /* Mastercard */
    case '3':
        if (p2 == 34 || p2 == 37) return n == 15;                         /* Amex */
        if (p2 == 35) return n >= 16;                                     /* JCB */
        return (p2 == 30 || p2 == 36 || p2 == 38 || p2 == 39) && n >= 14; /* Diners */
    case '6': return (p2 == 60 || p2 == 62 || p2 == 64 || p2 == 65) && n >= 16; /* UnionPay, Discover */
    case '8': return p2 == 81 && n >= 16;                                 /* UnionPay */
    case '9': return n >= 16;                                             /* domestic debit cards */
    default: return 0;
    }
}

/* What the nearest keyword before `start` names, read as the error texts
 * read it (fu__keyword_before(), lib/redact_shapes.c: the longest keyword of
 * the shared table): 1 an order (订单, 单号, 订单号码, order, tracking, ...),
 * 2 an account or card (账号, 卡号, account, ...), 3 an identity card
 * (身份证号, 证件号, ID no.), 4 a travel permit or passport (通行证号,
 * 回乡证, permit no., passport), 0 none or a phone. */
static int keyword_before(const char *subject, size_t start) {
    switch (fu__keyword_before(subject, start)) {
    case FU__KW_ORDER: return 1;
    case FU__KW_ACCOUNT: return 2;
    case FU__KW_ID: return 3;
    case FU__KW_PERMIT: return 4;
    default: return 0;
    }
}

/* Whether a phone keyword (手机, 电话, 联系方式, tel, phone, ...) is the
 * one right before `start`. */
static int phone_keyword_before(const char *subject, size_t start) {
    return fu__keyword_before(subject, start) == FU__KW_PHONE;
}

/* Whether an 18-digit ID's digits 7-14 are a birth date 1800-2099. */
static int id_date_ok(const char *d) {
    int m = (d[10] - '0') * 10 + (d[11] - '0');
    int day = (d[12] - '0') * 10 + (d[13] - '0');
    for (int i = 6; i < 14; i++)
        if (d[i] < '0' || d[i] > '9') return 0;
    return fu__shape_century_ok(d + 6) && m >= 1 && m <= 12 && day >= 1 && day <= 31;
}

static int callout(pcre2_callout_block *cb, void *ud) {
    (void)ud;
    const char *subject = (const char *)cb->subject;
    const char *s = subject + cb->start_match;
    size_t n = cb->current_position - cb->start_match;
    char d[40];
    size_t nd = digits_of(s, n, d, sizeof d);
    switch (cb->callout_number) {
    case 1: return nd == FU__SHAPE_ID_DIGITS && fu_redact_id_cn_valid(d, nd) ? 0 : 1;
    case 2:
        if (nd < FU__SHAPE_CARD_MIN || nd > FU__SHAPE_CARD_MAX || !fu__redact_card_issuer_ok(d, nd) ||
            !fu_redact_luhn_valid(d, nd))
            return 1;
        return keyword_before(subject, cb->start_match) == 1 ? 1 : 0; /* an order number */
    case 3:
        return nd >= FU__SHAPE_ACCOUNT_MIN && nd <= FU__SHAPE_ACCOUNT_MAX && keyword_before(subject, cb->start_match) == 2
                   ? 0
                   : 1;
    case 4: return keyword_before(subject, cb->start_match) == 1 ? 1 : 0; /* an invoice or order number */
    case 5:
        return nd >= FU__SHAPE_INTL_MIN && nd <= FU__SHAPE_INTL_MAX && keyword_before(subject, cb->start_match) != 1
                   ? 0
                   : 1;
    case 6: return nd == FU__SHAPE_ID_DIGITS && id_date_ok(d) && fu_redact_id_cn_valid(d, nd) ? 0 : 1;
    case 7: return keyword_before(subject, cb->start_match) == 3 ? 0 : 1;
    case 8: return keyword_before(subject, cb->start_match) == 4 ? 0 : 1;
    default: return 0;
    }
}

void fu_redactor_free(fu_redactor *r) {
    if (!r) return;
    for (size_t i = 0; i < r->n_extra; i++) {
        pcre2_match_data_free(r->extra[i].md);
        pcre2_code_free(r->extra[i].code);
        fu__free(r->extra[i].name);
        fu__free(r->extra[i].replacement);
    }
    fu__free(r->extra);
    pcre2_match_data_free(r->md);
    pcre2_code_free(r->builtin);
    pcre2_match_data_free(r->email_md);
    pcre2_code_free(r->email);
    FU_FREE_ALL(r->spans, r->spans2, r->runs, r->norm, r->shifts, r->tmp, r->runs_cjk);
    fu__re_fini(&r->re);
    fu__free(r);
}

/* r->start_*: from the built-in pattern's start bitmap (none when PCRE2 has
 * none, e.g. a pattern with a single first character, which the JIT code
 * finds quickly itself). */
static void start_set_init(fu_redactor *r) {
    const uint8_t *bm = NULL;
    r->start_ok = 0;
    if (pcre2_pattern_info(r->builtin, PCRE2_INFO_FIRSTBITMAP, &bm) != 0 || !bm) return;
    memcpy(r->start_map, bm, 32);
    int digits = 0, n = 0, upper = 0;
    for (int c = '0'; c <= '9'; c++) digits += (bm[c >> 3] >> (c & 7)) & 1;
    if (digits != 0 && digits != 10) return;
    for (int c = 0; c < 256; c++) {
        if (!((bm[c >> 3] >> (c & 7)) & 1) || (digits && c >= '0' && c <= '9')) continue;
        if (c >= 'A' && c <= 'Z') { /* the passport letters: one range test, next_start() sorts them out */
            upper = 1;
            continue;
        }
        if (c >= 0x80 || n == (int)sizeof r->start_other) return;
        r->start_other[n++] = (unsigned char)c;
    }
    r->start_digits = digits != 0;
    r->start_upper = upper;
    r->start_n = n;
    r->start_ok = 1;
}

/* The first offset >= pos whose byte is in the start bitmap (or, in
 * 16-byte steps, a capital letter when some are), or len. */
static size_t next_start_byte(const fu_redactor *r, const char *t, size_t len, size_t pos) {
#ifdef __SSE2__
    const __m128i lo = _mm_set1_epi8('0' - 1), hi = _mm_set1_epi8('9' + 1);
    const __m128i ulo = _mm_set1_epi8('A' - 1), uhi = _mm_set1_epi8('Z' + 1);
    while (len - pos >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(t + pos)), m = _mm_setzero_si128();
        if (r->start_digits) m = _mm_and_si128(_mm_cmpgt_epi8(v, lo), _mm_cmplt_epi8(v, hi));
        if (r->start_upper) m = _mm_or_si128(m, _mm_and_si128(_mm_cmpgt_epi8(v, ulo), _mm_cmplt_epi8(v, uhi)));
        for (int k = 0; k < r->start_n; k++)
            m = _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_set1_epi8((char)r->start_other[k])));
        unsigned bits = (unsigned)_mm_movemask_epi8(m);
        if (bits) return pos + (size_t)__builtin_ctz(bits);
        pos += 16;
    }
#endif
    for (; pos < len; pos++) {
        unsigned char c = (unsigned char)t[pos];
        if ((r->start_map[c >> 3] >> (c & 7)) & 1) return pos;
    }
    return len;
}

/* The first offset >= pos where a match of the built-in pattern can start,
 * or len: its first byte is in the start bitmap, and a letter (the passport
 * and permit branches: E, G, C, H, M) is followed by a digit or a capital
 * letter and not preceded by a letter or digit (so that "Customer" or
 * "CSAT" do not send the text to the JIT code, which then scans on byte
 * by byte). Starting the match there finds the same match as starting at
 * pos. */
static size_t next_start(const fu_redactor *r, const char *t, size_t len, size_t pos) {
    for (;;) {
        pos = next_start_byte(r, t, len, pos);
        if (pos >= len) return len;
        unsigned char c = (unsigned char)t[pos], n = pos + 1 < len ? (unsigned char)t[pos + 1] : 0;
        unsigned char p = pos ? (unsigned char)t[pos - 1] : 0;
        if (c < 'A' || c > 'Z') return pos;
        if (((r->start_map[c >> 3] >> (c & 7)) & 1) && ((n >= '0' && n <= '9') || (n >= 'A' && n <= 'Z')) &&
            !((p >= '0' && p <= '9') || (p >= 'A' && p <= 'Z') || (p >= 'a' && p <= 'z')))
            return pos;
        pos++;
    }
}

/* The digit kinds share one pattern (one pass over the text); only the
 * enabled branches are compiled, since a placeholder branch would cost PCRE2
 * its start-of-match optimisation. E-mail addresses are found from their '@'
 * (see find_emails). */
static int build_builtin(fu_redactor *r, unsigned int kinds) {
    fu__buf b = FU__BUF_INIT;
    int rc = FU_OK;
    r->n_groups = 0;
    /* The digit kinds share their "no digit before" test: one lookbehind
     * per start position instead of one per branch. */
    static const char k_nodigit[] = "(?<![0-9])";
    int open = 0;
    for (size_t i = 0; i < N_GROUPS && rc == FU_OK; i++) {
        int kind = k_group_kind[i];
        if (kind == FU_REDACT_EMAIL || !(kinds & FU_REDACT_BIT(kind))) continue;
        const char *branch = k_branch[i];
        int digit = strncmp(branch, k_nodigit, sizeof k_nodigit - 1) == 0;
        if (digit) branch += sizeof k_nodigit - 1;
        if (open && !digit) {
            rc = fu__buf_puts(&b, ")");
            open = 0;
        }
        if (rc == FU_OK && r->n_groups) rc = fu__buf_puts(&b, "|");
        if (rc == FU_OK && digit && !open) {
            rc = fu__buf_puts(&b, "(?<![0-9])(?:");
            open = 1;
        }
        if (rc == FU_OK) rc = fu__buf_puts(&b, branch);
        r->group_kind[r->n_groups++] = kind;
    }
    if (rc == FU_OK && open) rc = fu__buf_puts(&b, ")");
    if (rc == FU_OK && r->n_groups)
        rc = fu__re_compile(&r->re, b.data, 0, "built-in redaction patterns", &r->builtin);
    fu__buf_free(&b);
    if (rc == FU_OK && r->builtin) rc = fu__re_match_data(&r->re, r->builtin, &r->md);
    if (rc == FU_OK && r->builtin) r->builtin_jit = fu__re_is_jit(r->builtin);
    if (rc == FU_OK && r->builtin) start_set_init(r);
    if (rc == FU_OK && (kinds & FU_REDACT_BIT(FU_REDACT_EMAIL))) {
        /* anchored when compiled, not at match time: PCRE2's JIT code does
         * not take PCRE2_ANCHORED as a match option (pcre2_match() would
         * fall back to the interpreter for every '@') */
        rc = fu__re_compile(&r->re, k_branch[N_GROUPS - 1], PCRE2_ANCHORED, "built-in e-mail pattern", &r->email);
        if (rc == FU_OK) rc = fu__re_match_data(&r->re, r->email, &r->email_md);
        if (rc == FU_OK) r->email_jit = fu__re_is_jit(r->email);
    }
    return rc;
}

int fu_redactor_new(fu_redactor **out, const fu_redact_options *opts) {
    if (!out) return fu__error_set(FU_EINVAL, "out is NULL");
    *out = NULL;
    fu_redact_options def = FU_REDACT_OPTIONS_INIT;
    if (!opts) opts = &def;
    if (opts->version != FU_REDACT_OPTIONS_VERSION)
        return fu__error_set(FU_EINVAL, "fu_redact_options: unknown version %u", opts->version);
    if (opts->n_extra && !opts->extra)
        return fu__error_set(FU_EINVAL, "fu_redact_options: n_extra is %zu but extra is NULL", opts->n_extra);
    if (opts->kinds & ~FU_REDACT_ALL_BUILTIN)
        return fu__error_set(FU_EINVAL, "fu_redact_options: unknown kind bits 0x%x",
                             opts->kinds & ~FU_REDACT_ALL_BUILTIN);
    if (opts->flags & ~(FU_REDACT_NO_JIT | FU_REDACT_CJK_NUMERALS))
        return fu__error_set(FU_EINVAL, "fu_redact_options: unknown flag bits 0x%x",
                             opts->flags & ~(FU_REDACT_NO_JIT | FU_REDACT_CJK_NUMERALS));
    if ((unsigned char)opts->mask_char >= 0x80 || (opts->mask_char && opts->mask_char < 0x20))
        return fu__error_set(FU_EINVAL, "fu_redact_options: the mask character must be printable ASCII");
    for (size_t i = 0; i < opts->n_extra; i++)
        if (!opts->extra[i].pattern)
            return fu__error_set(FU_EINVAL, "fu_redact_options: extra[%zu] has no pattern", i);

    fu_redactor *r = fu__calloc(1, sizeof *r);
    if (!r) return fu__error_nomem();
    r->mask = opts->mask_char ? opts->mask_char : '*';
    r->cjk = (opts->flags & FU_REDACT_CJK_NUMERALS) != 0;
    r->kinds = opts->kinds;
    int rc = fu__re_init(&r->re, opts->match_limit, opts->depth_limit, !(opts->flags & FU_REDACT_NO_JIT));
    if (rc != FU_OK) {
        fu__free(r);
        return rc;
    }
    if (opts->kinds) rc = build_builtin(r, opts->kinds);
    if (rc == FU_OK) {
        pcre2_set_callout(r->re.match, callout, r);
        if (opts->n_extra) {
            r->extra = fu__calloc(opts->n_extra, sizeof *r->extra);
            if (!r->extra) rc = fu__error_nomem();
        }
    }
    for (size_t i = 0; rc == FU_OK && i < opts->n_extra; i++) {
        const fu_redact_pattern *p = &opts->extra[i];
        extra_pat *e = &r->extra[i];
        r->n_extra = i + 1;
        char fallback[32];
        snprintf(fallback, sizeof fallback, "extra[%zu]", i);
        e->name = fu__strdup(p->name ? p->name : fallback);
        if (!e->name) {
            rc = fu__error_nomem();
            break;
        }
        e->keep_head = p->keep_head;
        e->keep_tail = p->keep_tail;
        if (p->replacement) {
            e->replacement = fu__strdup(p->replacement);
            if (!e->replacement) {
                rc = fu__error_nomem();
                break;
            }
            e->replacement_len = strlen(p->replacement);
        }
        char what[160];
        snprintf(what, sizeof what, "redaction pattern '%s'", e->name);
        rc = fu__re_compile(&r->re, p->pattern,
                            PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | (p->ignore_case ? PCRE2_CASELESS : 0), what,
                            &e->code);
        if (rc == FU_OK) rc = fu__re_match_data(&r->re, e->code, &e->md);
    }
    if (rc != FU_OK) {
        fu_redactor_free(r);
        return rc;
    }
    *out = r;
    return FU_OK;
}

int fu_redactor_new_from_policy(fu_redactor **out, const struct fu_policy *policy) {
    if (out) *out = NULL;
    if (!out || !policy) return fu__error_set(FU_EINVAL, "fu_redactor_new_from_policy: NULL argument");
    const fu__pol_redaction *pr = fu__policy_redaction(policy);
    fu_redact_options o = FU_REDACT_OPTIONS_INIT;
    o.kinds = 0;
    if (!pr->enabled) return fu_redactor_new(out, &o);
    if (pr->phone)
        o.kinds |= FU_REDACT_BIT(FU_REDACT_MOBILE_CN) | FU_REDACT_BIT(FU_REDACT_LANDLINE_CN) |
                   FU_REDACT_BIT(FU_REDACT_E164);
    if (pr->id_number) o.kinds |= FU_REDACT_BIT(FU_REDACT_ID_CN) | FU_REDACT_BIT(FU_REDACT_PASSPORT_CN);
    if (pr->bank_card) o.kinds |= FU_REDACT_BIT(FU_REDACT_BANK_CARD) | FU_REDACT_BIT(FU_REDACT_BANK_ACCOUNT);
    if (pr->email) o.kinds |= FU_REDACT_BIT(FU_REDACT_EMAIL);
    if (pr->cjk_numerals) o.flags |= FU_REDACT_CJK_NUMERALS;
    fu_redact_pattern *pats = NULL;
    if (pr->n_extra) {
        pats = fu__calloc(pr->n_extra, sizeof *pats);
        if (!pats) return fu__error_nomem();
        for (size_t i = 0; i < pr->n_extra; i++) {
            const fu__pol_pattern *pp = &pr->extra[i];
            uint32_t opts = 0;
            if (pp->code) pcre2_pattern_info(pp->code, PCRE2_INFO_ARGOPTIONS, &opts);
            pats[i].name = pp->rule;
            pats[i].pattern = pp->regex;
            pats[i].replacement = pp->reason ? pp->reason : "***";
            pats[i].ignore_case = (opts & PCRE2_CASELESS) != 0;
        }
    }
    o.extra = pats;
    o.n_extra = pr->n_extra;
    int rc = fu_redactor_new(out, &o);
    fu__free(pats);
    return rc;
}

int fu_redactor_uses_jit(const fu_redactor *r) {
    if (!r) return 0;
    if (r->builtin) return fu__re_is_jit(r->builtin);
    if (r->email) return fu__re_is_jit(r->email);
    return r->n_extra ? fu__re_is_jit(r->extra[0].code) : 0;
}

void fu_redactor_get_stats(const fu_redactor *r, fu_redact_stats *out) {
    if (!out) return;
    memset(out, 0, sizeof *out);
    if (!r) return;
    for (int k = 0; k < FU_REDACT_KIND_COUNT; k++) {
        out->by_kind[k] = r->counts[k];
        out->total += r->counts[k];
    }
}

void fu_redactor_counts(const fu_redactor *r, fu_redact_stats *counts) { fu_redactor_get_stats(r, counts); }

size_t fu_redactor_extra_count(const fu_redactor *r, size_t index) {
    return r && index < r->n_extra ? r->extra[index].count : 0;
}

void fu_redactor_reset_stats(fu_redactor *r) {
    if (!r) return;
    memset(r->counts, 0, sizeof r->counts);
    for (size_t i = 0; i < r->n_extra; i++) r->extra[i].count = 0;
}

void fu_redactor_reset_counts(fu_redactor *r) { fu_redactor_reset_stats(r); }

void fu__redactor_set_prescan(fu_redactor *r, int on) { r->no_prescan = !on; }

/* ------------------------------------------------------------- finding */

static int push_span(fu_redactor *r, size_t *n, size_t start, size_t end, int kind, size_t extra) {
    if (FU_GROW(r->spans, r->spans_cap, *n + 1) != FU_OK) return FU_ENOMEM;
    span *s = &r->spans[(*n)++];
    s->start = start;
    s->end = end;
    s->kind = kind;
    s->merged = 0;
    s->extra = extra;
    return FU_OK;
}

static int span_cmp(const void *a, const void *b) {
    const span *x = a, *y = b;
    if (x->start != y->start) return x->start < y->start ? -1 : 1;
    if (x->end != y->end) return x->end > y->end ? -1 : 1; /* longer first */
    return x->kind - y->kind;
}

/* Skip UTF-8 continuation bytes so that a start offset is at a character. */
static size_t next_char(const char *t, size_t len, size_t pos) {
    pos++;
    while (pos < len && ((unsigned char)t[pos] & 0xC0) == 0x80) pos++;
    return pos;
}

static int is_local_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '%' || c == '+' || c == '-';
}

/* The code point of the (well-formed) UTF-8 sequence at s. */
static uint32_t decode(const unsigned char *s) {
    if (s[0] < 0xE0) return ((uint32_t)(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
    if (s[0] < 0xF0) return ((uint32_t)(s[0] & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
    return ((uint32_t)(s[0] & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) | ((uint32_t)(s[2] & 0x3F) << 6) |
           (s[3] & 0x3F);
}

static int is_cjk(uint32_t c) {
    return (c >= 0x2E80 && c <= 0x9FFF) || (c >= 0xAC00 && c <= 0xD7AF) || (c >= 0xF900 && c <= 0xFAFF) ||
           (c >= 0x20000 && c <= 0x3FFFF);
}

/* A non-ASCII letter that may stand in an internationalised local part
 * (RFC 6531): not punctuation, symbols, spaces or full-width forms. */
static int is_intl_letter(uint32_t c) {
    if (c < 0xC0 || c == 0xD7 || c == 0xF7) return 0;
    if ((c >= 0x2000 && c <= 0x2BFF) || (c >= 0x3000 && c <= 0x303F) || (c >= 0xFE30 && c <= 0xFE6F) ||
        (c >= 0xFF00 && c <= 0xFFEF))
        return 0;
    return c < 0x1F000 || (c >= 0x20000 && c <= 0x3FFFF);
}

/* Where the local part before the '@' at `a` starts (`a` when there is
 * none, SIZE_MAX when it is longer than 64 bytes): ASCII local characters
 * and non-ASCII letters; Chinese (or Japanese, Korean) characters directly
 * before an ASCII local part are text, not address ("邮箱zhang@qq.com"). */
static size_t local_start(const char *text, size_t lo, size_t a) {
    const unsigned char *t = (const unsigned char *)text;
    size_t s = a;
    int seen_ascii = 0;
    while (s > lo) {
        size_t cs = s - 1;
        if (t[cs] < 0x80) {
            if (!is_local_char((char)t[cs])) break;
            seen_ascii = 1;
        } else {
            while (cs > lo && (t[cs] & 0xC0) == 0x80) cs--;
            uint32_t cp = decode(t + cs);
            /* "邮箱zhang@": the text runs into the address; "小李.2026@": one local part */
            if (!is_intl_letter(cp) || (seen_ascii && is_cjk(cp) && is_local_char((char)t[s]) &&
                                        t[s] != '.' && t[s] != '_' && t[s] != '-' && t[s] != '+'))
                break;
        }
        if (a - cs > 64) return SIZE_MAX;
        s = cs;
    }
    return s;
}

/* E-mail addresses: from each '@', walk back over the local part (at most
 * 64 bytes, starting right after a character that cannot be in one, as the
 * pattern's lookbehind demands) and match the pattern anchored there. Same
 * matches as scanning with the pattern, without trying it at every letter
 * of the text. */
static int find_emails(fu_redactor *r, const char *text, size_t len, size_t *n) {
    size_t pos = 0;
    const char *at;
    while (pos < len && (at = memchr(text + pos, '@', len - pos)) != NULL) {
        /* one space may stand on each side of the '@' (chat, speech to
         * text: "zhangsan @ qq.com"; an ideographic space reads as one) */
        size_t a = (size_t)(at - text), le = a > pos && text[a - 1] == ' ' ? a - 1 : a;
        size_t s = local_start(text, pos, le);
        if (s == le || s == SIZE_MAX || (s == pos && s > 0 && is_local_char(text[s - 1]))) {
            pos = a + 1;
            continue;
        }
        /* The subject ends at the next '@': no address runs over it, and
         * the closing lookahead reads it as it reads the end. Without the
         * cut, PCRE2 looks for the pattern's required '.' up to the end of
         * the text at every '@' (quadratic on "a@a@a@..."). */
        const char *next = a + 1 < len ? memchr(text + a + 1, '@', len - a - 1) : NULL;
        size_t end = next ? (size_t)(next - text) : len;
        int rc = r->email_jit ? pcre2_jit_match(r->email, (PCRE2_SPTR)text, end, s, 0, r->email_md, r->re.match)
                              : PCRE2_ERROR_JIT_BADOPTION;
        if (rc >= 0) rc = 1;
        else if (rc == PCRE2_ERROR_NOMATCH) rc = 0;
        else rc = fu__re_exec(&r->re, r->email, text, end, s, 0, r->email_md, "built-in e-mail pattern", NULL);
        if (rc < 0) return rc;
        if (rc == 0) {
            pos = a + 1;
            continue;
        }
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(r->email_md);
        if (push_span(r, n, ov[0], ov[1], FU_REDACT_EMAIL, 0) != FU_OK) return FU_ENOMEM;
        pos = ov[1];
    }
    return FU_OK;
}

/* Sort r->spans[0..n), made of n_runs sorted runs starting at runs[i], by
 * merging neighbouring runs (linear in n per level, no qsort). */
static int merge_runs(fu_redactor *r, size_t *runs, size_t n_runs, size_t n) {
    if (FU_GROW(r->spans2, r->spans2_cap, n ? n : 1) != FU_OK) return FU_ENOMEM;
    while (n_runs > 1) {
        size_t w = 0;
        for (size_t i = 0; i < n_runs; i += 2) {
            size_t a = runs[i], mid = i + 1 < n_runs ? runs[i + 1] : n, end = i + 2 < n_runs ? runs[i + 2] : n;
            size_t x = a, y = mid, o = a;
            while (x < mid && y < end)
                r->spans2[o++] = span_cmp(&r->spans[y], &r->spans[x]) < 0 ? r->spans[y++] : r->spans[x++];
            while (x < mid) r->spans2[o++] = r->spans[x++];
            while (y < end) r->spans2[o++] = r->spans[y++];
            runs[w++] = a;
        }
        span *t = r->spans;
        size_t tc = r->spans_cap;
        r->spans = r->spans2;
        r->spans_cap = r->spans2_cap;
        r->spans2 = t;
        r->spans2_cap = tc;
        n_runs = w;
    }
    return FU_OK;
}

/* Every match of the built-in pattern holds at least BUILTIN_MIN_DIGITS
 * ASCII digits of the (normalised) text: each branch needs 7 or more (an
 * 18- or 15-digit ID, 11-digit mobile, 13-19-digit card, landline 10+,
 * E.164 8+ by its callout, passport E + letter + 7, bank account 10+ by its
 * callout, an ID with a typo 14+). 5 leaves a margin below the least of
 * them. A text with fewer digits skips the built-in pattern: most notes
 * hold a date, a count or nothing, and the JIT code would otherwise scan
 * them byte by byte from their first digit. */
#define BUILTIN_MIN_DIGITS 5
/* find_digit_runs() looks for 8 digits or more (a permit; a spaced number 11) */
#define RUNS_MIN_DIGITS 8
/* The number of ASCII digits in t[0..len), counted no further than `need`. */
static size_t count_digits(const char *t, size_t len, size_t need) {
    size_t i = 0, seen = 0;
#ifdef __SSE2__
    /* a digit's lane of the compare is -1: subtracting it counts it (at most
     * 255 blocks a round, so no lane overflows); _mm_sad_epu8 sums the lanes */
    const __m128i lo = _mm_set1_epi8('0' - 1), hi = _mm_set1_epi8('9' + 1), zero = _mm_setzero_si128();
    while (len - i >= 16 && seen < need) {
        __m128i acc = zero;
        for (int k = 0; k < 255 && len - i >= 16; k++, i += 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(t + i));
            acc = _mm_sub_epi8(acc, _mm_and_si128(_mm_cmpgt_epi8(v, lo), _mm_cmplt_epi8(v, hi)));
        }
        __m128i sum = _mm_sad_epu8(acc, zero);
        seen += (size_t)_mm_cvtsi128_si32(sum) + (size_t)_mm_cvtsi128_si32(_mm_srli_si128(sum, 8));
    }
#endif
    for (; i < len && seen < need; i++) seen += t[i] >= '0' && t[i] <= '9';
    return seen;
}

static int ascii_digit(char c) { return c >= '0' && c <= '9'; }
static int ascii_alnum(char c) {
    return ascii_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* Digits typed one by one or in any grouping, one space or '-' between
 * groups ("1 3 8 1 2 3 4 5 6 7 8", "13 81 23 45 678"), from t[s]: when
 * they are 11 or more and a phone, ID or card keyword stands before them
 * (the keywords are looked for only then), the number their digits make
 * up to the end of a group of at least the second: an 18-character ID
 * (birth date, check character), a mobile number 1[3-9] + 9 digits or a card
 * number (issuer, length, Luhn; the longest), the card first after a card
 * keyword. Returns the kind (-1: none; FU_REDACT_MOBILE_CN is 0) and its end in *end; *end is also
 * where the digits walked end. */
static int spaced_number(const fu_redactor *r, const char *t, size_t len, size_t s, size_t *end) {
    char d[20];
    size_t gend[20] = {0}, nd = 0, j = s;
    for (;;) {
        while (j < len && ascii_digit(t[j]) && nd < 19) d[nd++] = t[j++];
        if (nd == 17 && j < len && (t[j] == 'X' || t[j] == 'x')) d[nd++] = 'X', j++;
        else if (nd == 17 && j + 1 < len && (t[j] == ' ' || t[j] == '-') && (t[j + 1] == 'X' || t[j + 1] == 'x'))
            d[nd++] = 'X', j += 2;
        if (j < len && ascii_alnum(t[j])) break; /* 20 digits or more, or letters: no number */
        gend[nd] = j;
        if (d[nd - 1] == 'X' || j + 1 >= len || (t[j] != ' ' && t[j] != '-') || !ascii_digit(t[j + 1])) break;
        j++;
    }
    *end = j;
    if (nd < 11) return -1; /* dates, times, counts: no keyword looked for */
    int kw = keyword_before(t, s), card = kw == 2;
    if (kw != 2 && kw != 3 && (kw != 0 || !phone_keyword_before(t, s))) return -1;
    unsigned k = r->kinds;
    if ((k & FU_REDACT_BIT(FU_REDACT_ID_CN)) && nd >= 18 && gend[18] && id_date_ok(d) && fu_redact_id_cn_valid(d, 18)) {
        *end = gend[18];
        return FU_REDACT_ID_CN;
    }
    int mobile = (k & FU_REDACT_BIT(FU_REDACT_MOBILE_CN)) && nd >= 11 && gend[11] && d[0] == '1' && d[1] >= '3';
    if (mobile && !card) {
        *end = gend[11];
        return FU_REDACT_MOBILE_CN;
    }
    for (size_t m = nd; (k & FU_REDACT_BIT(FU_REDACT_BANK_CARD)) && m >= 13; m--)
        if (gend[m] && d[m - 1] != 'X' && fu__redact_card_issuer_ok(d, m) && fu_redact_luhn_valid(d, m)) {
            *end = gend[m];
            return FU_REDACT_BANK_CARD;
        }
    if (mobile) *end = gend[11];
    return mobile ? FU_REDACT_MOBILE_CN : -1;
}

/* Numbers the combined pattern does not take, from each run of digits:
 * a number typed digit by digit or in any grouping right after a phone, ID
 * or card keyword (spaced_number()), and a permit typed in lower case after
 * a permit keyword (c + 8 digits, h or m + 8 or 10, passports e or g + 8,
 * as IDs take x and X; without the keyword these look like customer ids).
 * Matching these in C, only where such a run of digits is, keeps lower-case
 * letters out of the pattern's start bytes and its branches few. The
 * spans found so far, r->spans[0..n_found), are skipped. */
static int find_digit_runs(fu_redactor *r, const char *t, size_t len, size_t n_found, size_t *n) {
    size_t i = 0, f = 0;
    while ((i = fu__re_next_digit(t, len, i)) < len) {
        /* the digits of a number the pattern found (r->spans[0..n_found),
         * in order) are not looked at again */
        while (f < n_found && r->spans[f].end <= i) f++;
        if (f < n_found && r->spans[f].start <= i) {
            i = r->spans[f].end;
            continue;
        }
        size_t e = i;
        while (e < len && ascii_digit(t[e])) e++;
        char c = i ? t[i - 1] : 0;
        if ((e - i == 8 || (e - i == 10 && (c == 'h' || c == 'm'))) &&
            (c == 'c' || c == 'e' || c == 'g' || c == 'h' || c == 'm') && !(i >= 2 && ascii_alnum(t[i - 2])) &&
            !(e < len && ascii_alnum(t[e])) && (r->kinds & FU_REDACT_BIT(FU_REDACT_PASSPORT_CN)) &&
            keyword_before(t, i - 1) == 4 && push_span(r, n, i - 1, e, FU_REDACT_PASSPORT_CN, 0) != FU_OK)
            return FU_ENOMEM;
        if (e + 1 < len && (t[e] == ' ' || t[e] == '-') && ascii_digit(t[e + 1]) && !(i && ascii_alnum(c))) {
            int kind = spaced_number(r, t, len, i, &e);
            if (kind >= 0 && push_span(r, n, i, e, kind, 0) != FU_OK) return FU_ENOMEM;
        }
        i = e;
    }
    return FU_OK;
}

/* Collect the spans to mask in r->spans, sorted and without overlaps: a
 * span inside another is dropped (the outer mask hides it); spans that
 * overlap partly are merged and masked character by character. */
static int find_spans(fu_redactor *r, const char *text, size_t len, size_t *n_out) {
    size_t n = 0;
    int rc;
    int sources = 0;
    /* each source yields its spans in order: runs[i] is where run i starts */
    size_t runs_small[8], *runs = runs_small, n_runs = 0;
    if (r->n_extra + 3 > 8) {
        if (FU_GROW(r->runs, r->runs_cap, r->n_extra + 3) != FU_OK) return FU_ENOMEM;
        runs = r->runs;
    }
    size_t digits = r->builtin ? count_digits(text, len, RUNS_MIN_DIGITS) : 0;
    if (r->builtin) {
        size_t pos = digits >= BUILTIN_MIN_DIGITS ? 0 : len;
        runs[n_runs++] = n;
        while (pos < len) {
            if (!r->no_prescan && (pos = fu__redact_dense_start(text, len, pos)) >= len) break;
            if (r->start_ok && (pos = next_start(r, text, len, pos)) >= len) break;
            /* JIT code is entered directly (same limits and callouts): per
             * short note the setup of pcre2_match() costs as much as the
             * matching. Errors are worded by a second run through
             * fu__re_exec(). */
            rc = r->builtin_jit ? pcre2_jit_match(r->builtin, (PCRE2_SPTR)text, len, pos, 0, r->md, r->re.match)
                                : PCRE2_ERROR_JIT_BADOPTION;
            if (rc >= 0) rc = 1;
            else if (rc == PCRE2_ERROR_NOMATCH) rc = 0;
            else rc = fu__re_exec(&r->re, r->builtin, text, len, pos, 0, r->md, "built-in redaction patterns", NULL);
            if (rc < 0) return rc;
            if (rc == 0) break;
            PCRE2_SIZE *ov = pcre2_get_ovector_pointer(r->md);
            int kind = FU_REDACT_EXTRA;
            for (size_t g = 0; g < r->n_groups; g++)
                if (ov[2 * (g + 1)] != PCRE2_UNSET) {
                    kind = r->group_kind[g];
                    break;
                }
            if (push_span(r, &n, ov[0], ov[1], kind, 0) != FU_OK) return FU_ENOMEM;
            pos = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
        }
        sources += n > 0;
    }
    if (digits >= RUNS_MIN_DIGITS) {
        size_t before = n;
        runs[n_runs++] = n;
        if (find_digit_runs(r, text, len, before, &n) != FU_OK) return FU_ENOMEM;
        sources += n > before;
    }
    if (r->email) {
        size_t before = n;
        runs[n_runs++] = n;
        rc = find_emails(r, text, len, &n);
        if (rc != FU_OK) return rc;
        sources += n > before;
    }
    for (size_t i = 0; i < r->n_extra; i++) {
        extra_pat *e = &r->extra[i];
        size_t pos = 0, before = n;
        runs[n_runs++] = n;
        while (pos <= len) {
            rc = fu__re_exec(&r->re, e->code, text, len, pos, 0, e->md, "redaction pattern", e->name);
            if (rc < 0) return rc;
            if (rc == 0) break;
            PCRE2_SIZE *ov = pcre2_get_ovector_pointer(e->md);
            if (ov[1] > ov[0]) {
                if (push_span(r, &n, ov[0], ov[1], FU_REDACT_EXTRA, i) != FU_OK) return FU_ENOMEM;
                pos = ov[1];
            } else {
                if (ov[0] >= len) break;
                pos = next_char(text, len, ov[0]);
            }
        }
        sources += n > before;
    }
    if (sources > 1) {
        rc = merge_runs(r, runs, n_runs, n);
        if (rc != FU_OK) return rc;
        size_t w = 0;
        for (size_t i = 0; i < n; i++) {
            if (w && r->spans[i].start < r->spans[w - 1].end) {
                span *prev = &r->spans[w - 1];
                if (r->spans[i].end > prev->end) {
                    prev->end = r->spans[i].end;
                    prev->merged = 1;
                }
                continue;
            }
            r->spans[w++] = r->spans[i];
        }
        n = w;
    }
    *n_out = n;
    return FU_OK;
}

/* --------------------------------------------------------- normalising */

/* norm_of(): a zero-width character, left out of the matched text. */
#define NORM_DELETE '\x01'

/* The ASCII character the UTF-8 sequence p[0..k) (k = 2 or 3, well-formed)
 * reads as when matching, NORM_DELETE when it is left out, or 0 when it
 * reads as itself. */
static char norm_of(const unsigned char *p, size_t k) {
    if (k == 2) {
        if (p[0] != 0xC2) return 0;
        return p[1] == 0xA0 ? ' ' : p[1] == 0xB7 ? '.' : p[1] == 0x85 ? '\n' : 0;
    }
    switch (p[0]) {
    case 0xE2:
        if (p[1] == 0x80) {
            unsigned c = p[2];
            if (c <= 0x8A || c == 0xAF) return ' ';       /* U+2000-200A spaces, U+202F */
            if (c <= 0x8D) return NORM_DELETE;            /* zero-width space, (non-)joiner */
            if (c >= 0x90 && c <= 0x95) return '-';       /* dashes */
            if (c == 0xA4 || c == 0xA7) return '.';       /* one-dot leader, hyphenation point */
            if (c == 0xA8 || c == 0xA9) return '\n';      /* line / paragraph separator */
            return 0;
        }
        if (p[1] == 0x81 && p[2] == 0x9F) return ' ';                    /* medium mathematical space */
        if (p[1] == 0x81 && p[2] == 0xA0) return NORM_DELETE;            /* word joiner */
        if (p[1] == 0x88 && p[2] == 0x92) return '-';                    /* minus sign */
        return 0;
    case 0xE3:
        if (p[1] == 0x80 && p[2] == 0x80) return ' ';                    /* ideographic space */
        if (p[1] == 0x83 && p[2] == 0xBB) return '.';                    /* katakana middle dot */
        if (p[1] == 0x83 && p[2] == 0xBC) return '-';                    /* prolonged sound mark */
        return 0;
    case 0xEF:
        if (p[1] == 0xBC) {
            unsigned c = p[2];
            if (c >= 0x90 && c <= 0x99) return (char)('0' + (c - 0x90)); /* full-width digits */
            if (c >= 0xA1 && c <= 0xBA) return (char)('A' + (c - 0xA1)); /* full-width capitals */
            switch (c) {
            case 0x88: return '(';
            case 0x89: return ')';
            case 0x8B: return '+';
            case 0x8D: return '-';
            case 0x8E: return '.';
            case 0xA0: return '@';
            case 0xBF: return '_';
            default: return 0;
            }
        }
        if (p[1] == 0xBD && p[2] >= 0x81 && p[2] <= 0x9A) return (char)(p[2] - 0x81 + 'a');
        if (p[1] == 0xB9 && (p[2] == 0x98 || p[2] == 0xA3)) return '-'; /* small em dash, small hyphen-minus */
        if (p[1] == 0xBB && p[2] == 0xBF) return NORM_DELETE;            /* zero-width no-break space */
        return 0;
    default:
        return 0;
    }
}

/* One pass over the text: whether it is well-formed UTF-8 (-1 when not, the
 * offset of the bad byte in *bad), and whether any character needs
 * normalising (1) or none (0). ASCII goes 8 bytes at a time. */
static int scan_text(const char *text, size_t n, size_t *bad) {
    const unsigned char *s = (const unsigned char *)text;
    int needs = 0;
    size_t i = 0;
    while (i < n) {
        if (fu__ascii8(s + i, n - i)) {
            i += 8;
            continue;
        }
        unsigned c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        /* a run of CJK ideographs (leads E4-E9): the bulk of Chinese text */
        if (c - 0xE4u <= 5u) {
            while (n - i >= 3 && s[i] - 0xE4u <= 5u && ((s[i + 1] & 0xC0) | ((s[i + 2] & 0xC0) >> 2)) == 0xA0) i += 3;
            if (i >= n || s[i] < 0x80) continue;
            c = s[i];
        }
        /* three-byte characters other than the leads E0 and ED (whose
         * second byte has a narrower range): CJK ideographs and
         * punctuation, full-width forms */
        if (c >= 0xE1 && c != 0xED && c <= 0xEF && n - i >= 3 && (s[i + 1] & 0xC0) == 0x80 &&
            (s[i + 2] & 0xC0) == 0x80) {
            if (!needs && (c == 0xE2 || c == 0xE3 || c == 0xEF)) needs = norm_of(s + i, 3) != 0;
            i += 3;
            continue;
        }
        size_t k;
        unsigned lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) k = 2;
        else if (c >= 0xE0 && c <= 0xEF) {
            k = 3;
            if (c == 0xE0) lo = 0xA0;
            if (c == 0xED) hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            k = 4;
            if (c == 0xF0) lo = 0x90;
            if (c == 0xF4) hi = 0x8F;
        } else {
            *bad = i;
            return -1;
        }
        int ok = n - i >= k && s[i + 1] >= lo && s[i + 1] <= hi;
        for (size_t j = 2; ok && j < k; j++) ok = (s[i + j] & 0xC0) == 0x80;
        if (!ok) {
            *bad = i;
            return -1;
        }
        if (!needs && k < 4 && (c == 0xC2 || c == 0xE2 || c == 0xE3 || c == 0xEF)) needs = norm_of(s + i, k) != 0;
        i += k;
    }
    return needs;
}

/* ------------------------------------------------ Chinese numerals (opt-in) */

/* The digit a Chinese numeral (3 UTF-8 bytes at p, well-formed) stands for
 * in a number read out: 〇 零 ○ 0, 一 幺 1, 二 两 兩 2, 三 ... 九, and the
 * financial forms (大写) 壹 贰 貳 叁 叄 肆 伍 陆 陸 柒 捌 玖; 0 otherwise. */
static char cjk_digit(const unsigned char *p) {
    switch (p[0]) {
    case 0xE2: return p[1] == 0x97 && p[2] == 0x8B ? '0' : 0;  /* ○ */
    case 0xE3: return p[1] == 0x80 && p[2] == 0x87 ? '0' : 0;  /* 〇 */
    case 0xE9:
        if (p[1] == 0x9B) return p[2] == 0xB6 ? '0' : 0;                      /* 零 */
        if (p[1] == 0x99) return p[2] == 0x86 || p[2] == 0xB8 ? '6' : 0;      /* 陆 陸 */
        return 0;
    case 0xE4:
        if (p[1] == 0xB8) return p[2] == 0x80 ? '1' : p[2] == 0xA4 ? '2' : p[2] == 0x89 ? '3' : p[2] == 0x83 ? '7' : 0;
        if (p[1] == 0xBA) return p[2] == 0x8C ? '2' : p[2] == 0x94 ? '5' : 0; /* 二 五 */
        if (p[1] == 0xB9) return p[2] == 0x9D ? '9' : 0;                      /* 九 */
        if (p[1] == 0xBC) return p[2] == 0x8D ? '5' : 0;                      /* 伍 */
        return 0;
    case 0xE5:
        if (p[1] == 0xB9) return p[2] == 0xBA ? '1' : 0;                      /* 幺 */
        if (p[1] == 0x9B) return p[2] == 0x9B ? '4' : 0;                      /* 四 */
        if (p[1] == 0x85) return p[2] == 0xAD ? '6' : p[2] == 0xAB ? '8' : p[2] == 0xA9 ? '2' : 0; /* 六 八 兩 */
        if (p[1] == 0xA3) return p[2] == 0xB9 ? '1' : 0;                      /* 壹 */
        if (p[1] == 0x8F) return p[2] == 0x81 || p[2] == 0x84 ? '3' : 0;      /* 叁 叄 */
        return 0;
    case 0xE8:
        if (p[1] == 0xB4) return p[2] == 0xB0 ? '2' : 0;                      /* 贰 */
        if (p[1] == 0xB2) return p[2] == 0xB3 ? '2' : 0;                      /* 貳 */
        if (p[1] == 0x82) return p[2] == 0x86 ? '4' : 0;                      /* 肆 */
        return 0;
    case 0xE6:
        if (p[1] == 0x9F) return p[2] == 0x92 ? '7' : 0;                      /* 柒 */
        if (p[1] == 0x8D) return p[2] == 0x8C ? '8' : 0;                      /* 捌 */
        return 0;
    case 0xE7: return p[1] == 0x8E && p[2] == 0x96 ? '9' : 0;  /* 玖 */
    default: return 0;
    }
}

/* What the character at s[i] (k bytes) is in a run of digits: 1 a digit
 * (ASCII or full-width), 2 a Chinese numeral, 3 a separator (space, tab,
 * ideographic or no-break space, a dash, a line break: speech-to-text
 * writes a number read out in groups, one a line), 0 anything else. */
static int cjk_class(const unsigned char *s, size_t k) {
    if (k == 1)
        return s[0] >= '0' && s[0] <= '9' ? 1
               : (s[0] == ' ' || s[0] == '\t' || s[0] == '-' || s[0] == '\n' || s[0] == '\r') ? 3 : 0;
    if (k == 2) return s[0] == 0xC2 && s[1] == 0xA0 ? 3 : 0;
    if (k != 3) return 0;
    if (cjk_digit(s)) return 2;
    if (s[0] == 0xEF && s[1] == 0xBC) return s[2] >= 0x90 && s[2] <= 0x99 ? 1 : s[2] == 0x8D ? 3 : 0;
    if (s[0] == 0xE3) return s[1] == 0x80 && s[2] == 0x80 ? 3 : 0;
    if (s[0] == 0xE2) return (s[1] == 0x80 && s[2] >= 0x90 && s[2] <= 0x95) || (s[1] == 0x88 && s[2] == 0x92) ? 3 : 0;
    return 0;
}

/* A run being read: where it starts, its last digit's end, its digits,
 * Chinese numerals, separators since the last digit, and group lengths. */
typedef struct cjk_scan {
    size_t start, end;
    int digits, numerals, seps, group, min_group;
    int first_numeral, last_numeral; /* the run starts, ends with a numeral */
} cjk_scan;

/* Close run `c`: kept (r->runs_cjk) when it has at least 7 digits of which
 * at least 2 are Chinese numerals, or one between other digits (a number
 * read out; not 一 right before a number, nor a year like 二〇二六). */
static int cjk_close(fu_redactor *r, cjk_scan *c) {
    if (c->group && c->group < c->min_group) c->min_group = c->group;
    if (c->start != SIZE_MAX && c->digits >= 7 &&
        (c->numerals >= 2 || (c->numerals == 1 && !c->first_numeral && !c->last_numeral))) {
        if (FU_GROW(r->runs_cjk, r->cjk_cap, r->n_cjk + 1) != FU_OK) return FU_ENOMEM;
        cjk_run *run = &r->runs_cjk[r->n_cjk++];
        run->start = c->start;
        run->end = c->end;
        run->spelled = c->min_group <= 2;
    }
    c->start = SIZE_MAX;
    c->digits = c->numerals = c->seps = c->group = 0;
    c->min_group = INT32_MAX;
    return FU_OK;
}

/* Out of line: the opt-in pass stays out of the default path's code. */
#if defined(__GNUC__)
#define CJK_NOINLINE __attribute__((noinline))
#else
#define CJK_NOINLINE
#endif

/* Find the runs of digits written (partly) in Chinese numerals in
 * text[0..len) (well-formed UTF-8): r->runs_cjk, r->n_cjk. A run is digits
 * and numerals with up to 3 separators between them. */
static CJK_NOINLINE int find_cjk_runs(fu_redactor *r, const char *text, size_t len) {
    const unsigned char *s = (const unsigned char *)text;
    cjk_scan c = {SIZE_MAX, 0, 0, 0, 0, 0, INT32_MAX, 0, 0};
    r->n_cjk = 0;
    for (size_t i = 0; i < len;) {
        if (c.start == SIZE_MAX && s[i] < 0x80) { /* no run open: skip ASCII without digits */
#ifdef __SSE2__
            const __m128i lo = _mm_set1_epi8('0' - 1), hi = _mm_set1_epi8('9' + 1), zero = _mm_setzero_si128();
            while (len - i >= 16) {
                __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
                __m128i m = _mm_or_si128(_mm_and_si128(_mm_cmpgt_epi8(v, lo), _mm_cmplt_epi8(v, hi)),
                                         _mm_cmplt_epi8(v, zero)); /* a digit, or a byte >= 0x80 */
                unsigned bits = (unsigned)_mm_movemask_epi8(m);
                if (bits) {
                    i += (size_t)__builtin_ctz(bits);
                    break;
                }
                i += 16;
            }
            if (i >= len) break;
#endif
            if (s[i] < 0x80 && (s[i] < '0' || s[i] > '9')) {
                i++;
                continue;
            }
        }
        unsigned b = s[i];
        size_t k = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
        int cl = cjk_class(s + i, k);
        if (cl == 1 || cl == 2) {
            if (c.start == SIZE_MAX) {
                c.start = i;
                c.first_numeral = cl == 2;
            }
            c.last_numeral = cl == 2;
            if (c.seps) {
                if (c.group < c.min_group) c.min_group = c.group;
                c.group = 0;
            }
            c.seps = 0;
            c.digits++;
            c.numerals += cl == 2;
            c.group++;
            c.end = i + k;
        } else if (cl == 3 && c.start != SIZE_MAX && ++c.seps <= 3) {
            /* a separator inside a run */
        } else if (c.start != SIZE_MAX && cjk_close(r, &c) != FU_OK) {
            return FU_ENOMEM;
        }
        i += k;
    }
    return cjk_close(r, &c);
}

/* The normalised copy of the text in r->norm (NUL-terminated) and the
 * shifts back to the original offsets in r->shifts. */
static int normalise(fu_redactor *r, const char *text, size_t len, size_t *out_len) {
    /* 16 spare bytes: PCRE2's JIT loads the subject in vectors and may read
     * (never use) bytes past its end (valgrind reports them otherwise) */
    if (len > SIZE_MAX - 17 || FU_GROW(r->norm, r->norm_cap, len + 17) != FU_OK) return FU_ENOMEM;
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0, w = 0, delta = 0, ri = 0;
    r->n_shifts = 0;
    while (i < len) {
        unsigned c = s[i];
        size_t k = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        char a = (k == 2 || k == 3) ? norm_of(s + i, k) : 0;
        if (ri < r->n_cjk) { /* Chinese numerals in a run read as digits */
            while (ri < r->n_cjk && i >= r->runs_cjk[ri].end) ri++;
            if (ri < r->n_cjk && i >= r->runs_cjk[ri].start) {
                int cl = cjk_class(s + i, k);
                if (cl == 2) a = cjk_digit(s + i);
                else if (cl == 3 && r->runs_cjk[ri].spelled) a = NORM_DELETE;
            }
        }
        if (!a) {
            memcpy(r->norm + w, text + i, k);
            w += k;
            i += k;
            continue;
        }
        if (a != NORM_DELETE) r->norm[w++] = a;
        i += k;
        delta += a != NORM_DELETE ? k - 1 : k;
        if (FU_GROW(r->shifts, r->shifts_cap, r->n_shifts + 1) != FU_OK) return FU_ENOMEM;
        r->shifts[r->n_shifts].at = w;
        r->shifts[r->n_shifts].delta = delta;
        r->n_shifts++;
    }
    memset(r->norm + w, 0, 17);
    *out_len = w;
    return FU_OK;
}

/* The original offset of normalised offset q (identity without shifts). */
static size_t to_orig(const fu_redactor *r, size_t q) {
    size_t lo = 0, hi = r->n_shifts; /* first shift with at > q */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->shifts[mid].at <= q) lo = mid + 1;
        else hi = mid;
    }
    return q + (lo ? r->shifts[lo - 1].delta : 0);
}

/* ------------------------------------------------------------- masking */

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* Copy s[0..n) to o, hiding the digits (and an ID's X) outside the first
 * `head` and the last `tail` of them. Returns bytes written (== n). */
static size_t mask_digits(char *o, const char *s, size_t n, size_t head, size_t tail, char mask) {
    size_t d = 0, total = 0;
    for (size_t i = 0; i < n; i++) total += is_digit(s[i]) || s[i] == 'X' || s[i] == 'x';
    if (head + tail >= total) head = tail = 0; /* never show everything */
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (is_digit(c) || c == 'X' || c == 'x') {
            o[i] = (d >= head && d < total - tail) ? mask : c;
            d++;
        } else {
            o[i] = c;
        }
    }
    return n;
}

/* Mask by characters (code points), keeping `head` and `tail` of them. */
static size_t mask_chars(char *o, const char *s, size_t n, size_t head, size_t tail, char mask) {
    size_t total = 0;
    for (size_t i = 0; i < n; i++) total += ((unsigned char)s[i] & 0xC0) != 0x80;
    if (head + tail >= total) head = tail = 0;
    size_t w = 0, ci = 0;
    for (size_t i = 0; i < n;) {
        size_t j = next_char(s, n, i);
        if (ci >= head && ci < total - tail) {
            o[w++] = mask;
        } else {
            memcpy(o + w, s + i, j - i);
            w += j - i;
        }
        ci++;
        i = j;
    }
    return w;
}

static size_t landline_area_digits(const char *s, size_t n) {
    size_t d = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == ')' || s[i] == ' ' || s[i] == '-') return d;
        d += is_digit(s[i]);
    }
    /* contiguous: 010 and 02x are three-digit area codes, the rest four */
    return n > 1 && (s[1] == '1' || s[1] == '2') ? 3 : 4;
}

/* Mask a digit kind in s[0..n) (matched text, ASCII) into o. */
static size_t mask_digit_kind(const fu_redactor *r, int kind, const char *s, size_t n, char *o) {
    const size_t tail = FU__SHAPE_KEEP_TAIL;
    switch (kind) {
    case FU_REDACT_ID_CN:
        return mask_digits(o, s, n, FU__SHAPE_ID_KEEP_HEAD, tail, r->mask);
    case FU_REDACT_MOBILE_CN: { /* a prefix (86, 0086) and 3 digits */
        size_t d = 0;
        for (size_t i = 0; i < n; i++) d += is_digit(s[i]);
        return mask_digits(o, s, n, d - (FU__SHAPE_MOBILE_DIGITS - FU__SHAPE_MOBILE_KEEP_HEAD), tail, r->mask);
    }
    case FU_REDACT_BANK_CARD:
    case FU_REDACT_BANK_ACCOUNT:
        return mask_digits(o, s, n, FU__SHAPE_CARD_KEEP_HEAD, tail, r->mask);
    case FU_REDACT_LANDLINE_CN:
        return mask_digits(o, s, n, landline_area_digits(s, n), tail, r->mask);
    case FU_REDACT_PASSPORT_CN:
        return mask_digits(o, s, n, 0, FU__SHAPE_PASSPORT_KEEP_TAIL, r->mask);
    default: /* FU_REDACT_E164 */
        return mask_digits(o, s, n, FU__SHAPE_INTL_KEEP_HEAD, tail, r->mask);
    }
}

/* Write the mask of span `sp` to o; returns the bytes written. `text` is
 * the original, `m` the matched (normalised) text: the same pointer when no
 * character needed normalising. Characters left visible are copied as
 * written; each hidden one becomes one mask character. */
static size_t mask_span(fu_redactor *r, const span *sp, const char *text, const char *m, char *o) {
    size_t os = to_orig(r, sp->start), oe = to_orig(r, sp->end);
    const char *s = text + os;
    size_t n = oe - os;
    if (sp->merged) return mask_chars(o, s, n, 0, 0, r->mask);
    if (sp->kind == FU_REDACT_EMAIL) {
        const char *at_m = memchr(m + sp->start, '@', sp->end - sp->start);
        size_t at = to_orig(r, (size_t)(at_m - m)), first = next_char(s, n, 0);
        memcpy(o, s, first);
        memset(o + first, r->mask, 3);
        memcpy(o + first + 3, text + at, oe - at);
        return first + 3 + (oe - at);
    }
    if (sp->kind == FU_REDACT_EXTRA) {
        const extra_pat *e = &r->extra[sp->extra];
        if (e->replacement) {
            memcpy(o, e->replacement, e->replacement_len);
            return e->replacement_len;
        }
        return mask_chars(o, s, n, e->keep_head, e->keep_tail, r->mask);
    }
    if (m == text) return mask_digit_kind(r, sp->kind, s, n, o);
    /* a digit kind in normalised text: decide on the ASCII form, copy the
     * visible characters from the original */
    size_t mn = sp->end - sp->start, w = 0;
    mask_digit_kind(r, sp->kind, m + sp->start, mn, r->tmp);
    for (size_t i = 0; i < mn; i++) {
        size_t a = to_orig(r, sp->start + i), b = to_orig(r, sp->start + i + 1);
        if (r->tmp[i] != m[sp->start + i]) {
            o[w++] = r->mask;
        } else {
            memcpy(o + w, text + a, b - a);
            w += b - a;
        }
    }
    return w;
}

/* Upper bound of the masked length: only an e-mail mask (by at most 3) and a
 * replacement text can grow. SIZE_MAX when it would overflow. */
static size_t masked_bound(const fu_redactor *r, size_t len, size_t n) {
    size_t extra = 0;
    for (size_t i = 0; i < n; i++) {
        const span *sp = &r->spans[i];
        size_t grow = 0;
        if (sp->merged) continue;
        if (sp->kind == FU_REDACT_EMAIL) grow = 3;
        else if (sp->kind == FU_REDACT_EXTRA && r->extra[sp->extra].replacement) grow = r->extra[sp->extra].replacement_len;
        if (grow > SIZE_MAX - 1 - len - extra) return SIZE_MAX;
        extra += grow;
    }
    return len + extra;
}

static size_t write_masked(fu_redactor *r, const char *text, size_t len, const char *m, size_t n, char *o) {
    size_t w = 0, pos = 0;
    for (size_t i = 0; i < n; i++) {
        const span *sp = &r->spans[i];
        size_t os = to_orig(r, sp->start);
        memcpy(o + w, text + pos, os - pos);
        w += os - pos;
        w += mask_span(r, sp, text, m, o + w);
        pos = to_orig(r, sp->end);
        r->counts[sp->kind]++;
        if (sp->kind == FU_REDACT_EXTRA) r->extra[sp->extra].count++;
    }
    memcpy(o + w, text + pos, len - pos);
    w += len - pos;
    o[w] = '\0';
    return w;
}

/* Check and (when needed) normalise one text, then find its spans: *m is
 * the text the spans refer to. Ill-formed UTF-8 is FU_EINVAL naming the
 * text ("text to mask", or "text N to mask" of a bulk call when index is not
 * SIZE_MAX; formatted only then). */
static int prepare_text(fu_redactor *r, size_t index, const char *text, size_t len, const char **m, size_t *n,
                        int valid) {
    size_t bad = 0, mlen = len;
    r->n_shifts = 0;
    *m = text;
    int needs = valid ? fu__redact_needs_norm(text, len, norm_of) : scan_text(text, len, &bad);
    if (needs < 0) {
        char what[48];
        if (index == SIZE_MAX) snprintf(what, sizeof what, "text to mask");
        else snprintf(what, sizeof what, "text %zu to mask", index);
        return fu__utf8_check(what, text, len);
    }
    r->n_cjk = 0;
    if (r->cjk) {
        if (find_cjk_runs(r, text, len) != FU_OK) return fu__error_nomem();
        if (r->n_cjk) needs = 1;
    }
    if (needs) {
        if (normalise(r, text, len, &mlen) != FU_OK) return fu__error_nomem();
        *m = r->norm;
    }
    int rc = find_spans(r, *m, mlen, n);
    if (rc != FU_OK || *m == text) return rc;
    size_t longest = 0;
    for (size_t i = 0; i < *n; i++)
        if (r->spans[i].end - r->spans[i].start > longest) longest = r->spans[i].end - r->spans[i].start;
    if (FU_GROW(r->tmp, r->tmp_cap, longest + 1) != FU_OK) return FU_ENOMEM;
    return FU_OK;
}

/* One text of a single call: prepared (prepare_text()) and the bound of its
 * masked length in *bound (FU_ELIMIT when it would overflow). */
static int prepare_bounded(fu_redactor *r, const char *text, size_t len, const char **m, size_t *n, size_t *bound,
                           int valid) {
    int rc = prepare_text(r, SIZE_MAX, text, len, m, n, valid);
    if (rc != FU_OK) return rc;
    *bound = masked_bound(r, len, *n);
    return *bound == SIZE_MAX ? fu__error_set(FU_ELIMIT, "text too large") : FU_OK;
}

int fu_redactor_apply(fu_redactor *r, const char *text, size_t len, size_t *out_len, char **out) {
    if (out) *out = NULL;
    if (out_len) *out_len = 0;
    if (!r || !out || (!text && len)) return fu__error_set(FU_EINVAL, "fu_redactor_apply: NULL argument");
    if (!text) text = "";
    size_t n = 0, bound = 0;
    const char *m = text;
    int rc = prepare_bounded(r, text, len, &m, &n, &bound, 0);
    if (rc != FU_OK) return rc;
    char *o = fu__malloc(bound + 1);
    if (!o) return fu__error_nomem();
    size_t w = write_masked(r, text, len, m, n, o);
    *out = o;
    if (out_len) *out_len = w;
    return FU_OK;
}

int fu_redactor_apply_into(fu_redactor *r, const char *text, size_t len, char *buf, size_t cap,
                           size_t *out_len) {
    return fu_redactor_apply_into_flags(r, text, len, 0, buf, cap, out_len);
}

int fu_redactor_apply_into_flags(fu_redactor *r, const char *text, size_t len, unsigned int flags, char *buf,
                                 size_t cap, size_t *out_len) {
    if (out_len) *out_len = 0;
    if (!r || !out_len || (!buf && cap) || (!text && len))
        return fu__error_set(FU_EINVAL, "fu_redactor_apply_into: NULL argument");
    if (flags & ~FU_REDACT_TEXT_VALID_UTF8)
        return fu__error_set(FU_EINVAL, "fu_redactor_apply_into_flags: unknown flags 0x%x", flags);
    if (!text) text = "";
    size_t n = 0, bound = 0;
    const char *m = text;
    int rc = prepare_bounded(r, text, len, &m, &n, &bound, (flags & FU_REDACT_TEXT_VALID_UTF8) != 0);
    if (rc != FU_OK) return rc;
    if (bound >= cap) {
        *out_len = bound + 1;
        return fu__error_set(FU_ERANGE, "fu_redactor_apply_into: the buffer holds %zu bytes, %zu needed", cap,
                             bound + 1);
    }
    *out_len = write_masked(r, text, len, m, n, buf);
    return n > INT_MAX ? INT_MAX : (int)n;
}

int fu_redactor_apply_bulk(fu_redactor *r, const char *const *texts, const size_t *lens, size_t n,
                           size_t *offsets, char **out) {
    if (out) *out = NULL;
    if (!r || !out || !offsets || (n && !texts))
        return fu__error_set(FU_EINVAL, "fu_redactor_apply_bulk: NULL argument");
    /* Counts are only added once every text succeeded. */
    size_t saved[FU_REDACT_KIND_COUNT];
    memcpy(saved, r->counts, sizeof saved);
    size_t *saved_extra = NULL;
    if (r->n_extra) {
        saved_extra = fu__malloc(r->n_extra * sizeof *saved_extra);
        if (!saved_extra) return fu__error_nomem();
        for (size_t i = 0; i < r->n_extra; i++) saved_extra[i] = r->extra[i].count;
    }
    char *buf = NULL;
    size_t cap = 0, used = 0;
    int rc = FU_OK;
    for (size_t i = 0; i < n && rc == FU_OK; i++) {
        const char *t = texts[i];
        size_t len = lens ? lens[i] : (t ? strlen(t) : 0);
        if (!t && len) {
            rc = fu__error_set(FU_EINVAL, "fu_redactor_apply_bulk: text %zu is NULL", i);
            break;
        }
        if (!t) t = "";
        size_t ns = 0;
        const char *m = t;
        rc = prepare_text(r, i, t, len, &m, &ns, 0);
        if (rc != FU_OK) break;
        size_t bound = masked_bound(r, len, ns);
        if (bound > SIZE_MAX - used - 2) {
            rc = fu__error_set(FU_ELIMIT, "texts too large");
            break;
        }
        if (FU_GROW(buf, cap, used + bound + 1) != FU_OK) {
            rc = FU_ENOMEM;
            break;
        }
        offsets[i] = used;
        used += write_masked(r, t, len, m, ns, buf + used) + 1;
    }
    if (rc == FU_OK && !buf) {
        buf = fu__malloc(1);
        if (!buf) rc = fu__error_nomem();
        else buf[0] = '\0';
    }
    if (rc != FU_OK) {
        memcpy(r->counts, saved, sizeof saved);
        for (size_t i = 0; i < r->n_extra; i++) r->extra[i].count = saved_extra[i];
        fu__free(saved_extra);
        fu__free(buf);
        return rc;
    }
    fu__free(saved_extra);
    offsets[n] = used;
    *out = buf;
    return FU_OK;
}
