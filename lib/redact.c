/* fu_redact: masking personal data with PCRE2 (JIT, bounded matching). */
#include "followup/redact.h"

#include "internal.h"
#include "policy_internal.h"
#include "redact_internal.h"
#include "utf8_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
static const int k_group_kind[] = {FU_REDACT_ID_CN,     FU_REDACT_MOBILE_CN, FU_REDACT_BANK_CARD,
                                   FU_REDACT_LANDLINE_CN, FU_REDACT_E164,    FU_REDACT_EMAIL};
#define N_GROUPS (sizeof k_group_kind / sizeof k_group_kind[0])

/* Callout 1 checks the ID check digit, callout 2 the card's length and Luhn
 * sum; a non-zero return makes PCRE2 backtrack and try the next branch. */
static const char *const k_branch[N_GROUPS] = {
    /* ID: region, birth date 18xx-20xx, sequence, check character */
    "(?<![0-9])([1-9][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
    "[0-9]{3}[0-9Xx])(?![0-9])(?C1)",
    /* mobile: optional +86 / 0086 / 86, then 1[3-9]x xxxx xxxx */
    "(?<![0-9])((?:(?:\\+|00)?86[ -]?)?1[3-9][0-9](?:[ -]?[0-9]{4}){2})(?![0-9])",
    /* card: contiguous, groups of 4, or 4-6-5 */
    "(?<![0-9])([0-9]{13,19}|[0-9]{4}(?:[ -][0-9]{4}){2,3}(?:[ -][0-9]{1,4})?"
    "|[0-9]{4}[ -][0-9]{6}[ -][0-9]{5})(?![0-9])(?C2)",
    /* landline: (0xx) / 0xx- / contiguous 11-12 digits */
    "(?<![0-9])(\\(0[1-9][0-9]{1,2}\\)[ -]?[0-9]{7,8}|0[1-9][0-9]{1,2}[ -][0-9]{7,8}"
    "|0[1-9][0-9]{9,10})(?![0-9])",
    /* E.164: + and 8-15 digits */
    "(?<![0-9])(\\+[1-9](?:[ -]?[0-9]){7,14})(?![0-9])",
    /* e-mail */
    "(?<![A-Za-z0-9._%+\\-])([A-Za-z0-9][A-Za-z0-9._%+\\-]{0,63}@[A-Za-z0-9](?:[A-Za-z0-9\\-]{0,61}"
    "[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9\\-]{0,61}[A-Za-z0-9])?)*\\.[A-Za-z]{2,24})"
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

typedef struct span {
    size_t start, end;
    int kind;  /* fu_redact_kind */
    int merged; /* mask every character */
    size_t extra; /* index of the extra pattern for FU_REDACT_EXTRA */
} span;

struct fu_redactor {
    fu__re re;
    pcre2_code *builtin; /* the digit kinds, one capture group per kind */
    pcre2_match_data *md;
    int group_kind[N_GROUPS];
    size_t n_groups;
    pcre2_code *email;
    pcre2_match_data *email_md;
    extra_pat *extra;
    size_t n_extra;
    char mask;
    size_t counts[FU_REDACT_KIND_COUNT];
    span *spans; /* scratch, reused between calls */
    size_t spans_cap;
};

void fu_redact_options_init(fu_redact_options *opts) {
    static const fu_redact_options init = FU_REDACT_OPTIONS_INIT;
    if (opts) *opts = init;
}

const char *fu_redact_kind_name(int kind) {
    static const char *const names[FU_REDACT_KIND_COUNT] = {
        "mobile_cn", "landline_cn", "e164", "id_cn", "bank_card", "email", "extra"};
    return kind >= 0 && kind < FU_REDACT_KIND_COUNT ? names[kind] : "unknown";
}

static int callout(pcre2_callout_block *cb, void *ud) {
    (void)ud;
    const char *s = (const char *)cb->subject + cb->start_match;
    size_t n = cb->current_position - cb->start_match;
    if (cb->callout_number == 1) return fu_redact_id_cn_valid(s, n) ? 0 : 1;
    if (cb->callout_number == 2) {
        size_t digits = 0;
        for (size_t i = 0; i < n; i++) digits += s[i] >= '0' && s[i] <= '9';
        return digits >= 13 && digits <= 19 && fu_redact_luhn_valid(s, n) ? 0 : 1;
    }
    return 0;
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
    fu__free(r->spans);
    fu__re_fini(&r->re);
    fu__free(r);
}

/* The digit kinds share one pattern (one pass over the text); only the
 * enabled branches are compiled, since a placeholder branch would cost PCRE2
 * its start-of-match optimisation. E-mail addresses are found from their '@'
 * (see find_emails). */
static int build_builtin(fu_redactor *r, unsigned int kinds) {
    fu__buf b = FU__BUF_INIT;
    int rc = FU_OK;
    r->n_groups = 0;
    for (size_t i = 0; i < N_GROUPS && rc == FU_OK; i++) {
        if (k_group_kind[i] == FU_REDACT_EMAIL || !(kinds & FU_REDACT_BIT(k_group_kind[i]))) continue;
        if (r->n_groups) rc = fu__buf_puts(&b, "|");
        if (rc == FU_OK) rc = fu__buf_puts(&b, k_branch[i]);
        r->group_kind[r->n_groups++] = k_group_kind[i];
    }
    if (rc == FU_OK && r->n_groups)
        rc = fu__re_compile(&r->re, b.data, 0, "built-in redaction patterns", &r->builtin);
    fu__buf_free(&b);
    if (rc == FU_OK && r->builtin) rc = fu__re_match_data(&r->re, r->builtin, &r->md);
    if (rc == FU_OK && (kinds & FU_REDACT_BIT(FU_REDACT_EMAIL))) {
        rc = fu__re_compile(&r->re, k_branch[N_GROUPS - 1], 0, "built-in e-mail pattern", &r->email);
        if (rc == FU_OK) rc = fu__re_match_data(&r->re, r->email, &r->email_md);
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
    if ((unsigned char)opts->mask_char >= 0x80 || (opts->mask_char && opts->mask_char < 0x20))
        return fu__error_set(FU_EINVAL, "fu_redact_options: the mask character must be printable ASCII");
    for (size_t i = 0; i < opts->n_extra; i++)
        if (!opts->extra[i].pattern)
            return fu__error_set(FU_EINVAL, "fu_redact_options: extra[%zu] has no pattern", i);

    fu_redactor *r = fu__calloc(1, sizeof *r);
    if (!r) return fu__error_nomem();
    r->mask = opts->mask_char ? opts->mask_char : '*';
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
    const fu__pol_redaction *pr = &fu__policy_typed(policy)->redaction;
    fu_redact_options o = FU_REDACT_OPTIONS_INIT;
    o.kinds = 0;
    if (!pr->enabled) return fu_redactor_new(out, &o);
    if (pr->phone)
        o.kinds |= FU_REDACT_BIT(FU_REDACT_MOBILE_CN) | FU_REDACT_BIT(FU_REDACT_LANDLINE_CN) |
                   FU_REDACT_BIT(FU_REDACT_E164);
    if (pr->id_number) o.kinds |= FU_REDACT_BIT(FU_REDACT_ID_CN);
    if (pr->bank_card) o.kinds |= FU_REDACT_BIT(FU_REDACT_BANK_CARD);
    if (pr->email) o.kinds |= FU_REDACT_BIT(FU_REDACT_EMAIL);
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

void fu_redactor_counts(const fu_redactor *r, fu_redact_counts *counts) {
    if (!counts) return;
    memset(counts, 0, sizeof *counts);
    if (!r) return;
    for (int k = 0; k < FU_REDACT_KIND_COUNT; k++) {
        counts->by_kind[k] = r->counts[k];
        counts->total += r->counts[k];
    }
}

size_t fu_redactor_extra_count(const fu_redactor *r, size_t index) {
    return r && index < r->n_extra ? r->extra[index].count : 0;
}

void fu_redactor_reset_counts(fu_redactor *r) {
    if (!r) return;
    memset(r->counts, 0, sizeof r->counts);
    for (size_t i = 0; i < r->n_extra; i++) r->extra[i].count = 0;
}

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

/* E-mail addresses: from each '@', walk back over the local part (at most
 * 64 characters, starting right after a character that cannot be in one,
 * as the pattern's lookbehind demands) and match the pattern anchored there.
 * Same matches as scanning with the pattern, without trying it at every
 * letter of the text. */
static int find_emails(fu_redactor *r, const char *text, size_t len, size_t *n) {
    size_t pos = 0;
    const char *at;
    while (pos < len && (at = memchr(text + pos, '@', len - pos)) != NULL) {
        size_t a = (size_t)(at - text), s = a, k = 0;
        while (s > pos && k <= 64 && is_local_char(text[s - 1])) {
            s--;
            k++;
        }
        if (k == 0 || k > 64 || (s == pos && s > 0 && is_local_char(text[s - 1]))) {
            pos = a + 1;
            continue;
        }
        int rc = fu__re_exec(&r->re, r->email, text, len, s, PCRE2_ANCHORED, r->email_md,
                             "built-in e-mail pattern", NULL);
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

/* Collect the spans to mask in r->spans, sorted and without overlaps: a
 * span inside another is dropped (the outer mask hides it); spans that
 * overlap partly are merged and masked character by character. */
static int find_spans(fu_redactor *r, const char *text, size_t len, size_t *n_out) {
    size_t n = 0;
    int rc;
    int sources = 0;
    if (r->builtin) {
        size_t pos = 0;
        while (pos < len) {
            rc = fu__re_exec(&r->re, r->builtin, text, len, pos, 0, r->md, "built-in redaction patterns", NULL);
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
    if (r->email) {
        size_t before = n;
        rc = find_emails(r, text, len, &n);
        if (rc != FU_OK) return rc;
        sources += n > before;
    }
    for (size_t i = 0; i < r->n_extra; i++) {
        extra_pat *e = &r->extra[i];
        size_t pos = 0, before = n;
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
        qsort(r->spans, n, sizeof *r->spans, span_cmp);
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

static size_t mask_span(const fu_redactor *r, const span *sp, const char *text, char *o) {
    const char *s = text + sp->start;
    size_t n = sp->end - sp->start;
    if (sp->merged) return mask_chars(o, s, n, 0, 0, r->mask);
    switch (sp->kind) {
    case FU_REDACT_ID_CN:
        return mask_digits(o, s, n, 3, 4, r->mask);
    case FU_REDACT_MOBILE_CN: {
        size_t d = 0;
        for (size_t i = 0; i < n; i++) d += is_digit(s[i]);
        return mask_digits(o, s, n, d - 8, 4, r->mask);
    }
    case FU_REDACT_BANK_CARD:
        return mask_digits(o, s, n, 4, 4, r->mask);
    case FU_REDACT_LANDLINE_CN:
        return mask_digits(o, s, n, landline_area_digits(s, n), 4, r->mask);
    case FU_REDACT_E164:
        return mask_digits(o, s, n, 2, 4, r->mask);
    case FU_REDACT_EMAIL: {
        const char *at = memchr(s, '@', n);
        size_t tail = (size_t)(s + n - at);
        o[0] = s[0];
        o[1] = o[2] = o[3] = r->mask;
        memcpy(o + 4, at, tail);
        return 4 + tail;
    }
    default: {
        const extra_pat *e = &r->extra[sp->extra];
        if (e->replacement) {
            memcpy(o, e->replacement, e->replacement_len);
            return e->replacement_len;
        }
        return mask_chars(o, s, n, e->keep_head, e->keep_tail, r->mask);
    }
    }
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

static size_t write_masked(fu_redactor *r, const char *text, size_t len, size_t n, char *o) {
    size_t w = 0, pos = 0;
    for (size_t i = 0; i < n; i++) {
        const span *sp = &r->spans[i];
        memcpy(o + w, text + pos, sp->start - pos);
        w += sp->start - pos;
        w += mask_span(r, sp, text, o + w);
        pos = sp->end;
        r->counts[sp->kind]++;
        if (sp->kind == FU_REDACT_EXTRA) r->extra[sp->extra].count++;
    }
    memcpy(o + w, text + pos, len - pos);
    w += len - pos;
    o[w] = '\0';
    return w;
}

int fu_redactor_apply(fu_redactor *r, const char *text, size_t len, char **out, size_t *out_len) {
    if (out) *out = NULL;
    if (out_len) *out_len = 0;
    if (!r || !out || (!text && len)) return fu__error_set(FU_EINVAL, "fu_redactor_apply: NULL argument");
    if (!text) text = "";
    int rc = fu__utf8_check("text to mask", text, len);
    if (rc != FU_OK) return rc;
    size_t n = 0;
    rc = find_spans(r, text, len, &n);
    if (rc != FU_OK) return rc;
    size_t bound = masked_bound(r, len, n);
    if (bound == SIZE_MAX) return fu__error_set(FU_ELIMIT, "text too large");
    char *o = fu__malloc(bound + 1);
    if (!o) return fu__error_nomem();
    size_t w = write_masked(r, text, len, n, o);
    *out = o;
    if (out_len) *out_len = w;
    return FU_OK;
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
        char what[48];
        snprintf(what, sizeof what, "text %zu to mask", i);
        if ((rc = fu__utf8_check(what, t, len)) != FU_OK) break;
        size_t ns = 0;
        rc = find_spans(r, t, len, &ns);
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
        used += write_masked(r, t, len, ns, buf + used) + 1;
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
