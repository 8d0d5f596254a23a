/* fu_commit: deadlines from promised durations and extraction of promises
 * from notes. The SQLite ledger is in commit_store.c. */
#include "followup/commit.h"

#include "commit_internal.h"
#include "internal.h"
#include "policy_commitments.h"
#include "redact_internal.h"
#include "utf8_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *fu_commit_state_name(fu_commit_state state) {
    static const char *const names[] = {"open", "breached", "fulfilled", "cancelled"};
    return state >= 0 && state < 4 ? names[state] : "unknown";
}

const char *fu_commit_event_name(fu_commit_event_kind kind) {
    static const char *const names[] = {"created",   "warned",    "breached",
                                        "escalated", "fulfilled", "cancelled"};
    return kind >= 0 && kind < 6 ? names[kind] : "unknown";
}

/* ------------------------------------------------------------- deadlines */

static int days_in_month(int y, int m) {
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
    return dm[m - 1];
}

/* The local day `delta` days after the local day of `lt`, at `minute`. */
static int local_day_at(const fu_calendar *cal, const fu_local *lt, int64_t delta, int minute,
                        int64_t *out) {
    fu_date d = {lt->year, lt->month, lt->day};
    int64_t days;
    int rc = fu_date_to_days(&d, &days);
    if (rc == FU_OK) rc = fu_date_from_days(days + delta, &d);
    if (rc != FU_OK) return rc;
    fu_local t = {d.year, d.month, d.day, minute / 60, minute % 60, 0, 0, 0, 0};
    return fu_calendar_from_local(cal, &t, 0, out);
}

int fu__commit_deadline_from_duration(const fu_duration *d, const fu_calendar *cal, int64_t at,
                                      int64_t *out) {
    if (d->value < 0) return fu__error_set(FU_EINVAL, "a promised duration is negative");
    if (d->unit != FU_DURATION_SECONDS && !cal)
        return fu__error_set(FU_EINVAL, "a duration in business time or months needs a calendar");
    switch (d->unit) {
    case FU_DURATION_SECONDS:
        if (at > 0 && d->value > INT64_MAX - at) return fu__error_set(FU_ERANGE, "deadline out of range");
        *out = at + d->value;
        return FU_OK;
    case FU_DURATION_BUSINESS_SECONDS:
        return fu_calendar_add_business(cal, at, d->value, out);
    case FU_DURATION_WORKING_DAYS:
        if (d->value > 100000) return fu__error_set(FU_ERANGE, "too many working days: %lld", (long long)d->value);
        return fu_calendar_add_working_days(cal, at, (int)d->value, FU_WORKDAY_END_OF_DAY, out);
    case FU_DURATION_MONTHS: {
        if (d->value > 12 * 9999) return fu__error_set(FU_ERANGE, "too many months");
        fu_local lt;
        int rc = fu_calendar_to_local(cal, at, &lt);
        if (rc != FU_OK) return rc;
        int64_t m = (int64_t)lt.year * 12 + (lt.month - 1) + d->value;
        if (m / 12 > 9999) return fu__error_set(FU_ERANGE, "deadline out of range");
        lt.year = (int)(m / 12);
        lt.month = (int)(m % 12) + 1;
        int dim = days_in_month(lt.year, lt.month);
        if (lt.day > dim) lt.day = dim;
        return fu_calendar_from_local(cal, &lt, 0, out);
    }
    default:
        return fu__error_set(FU_EINVAL, "unknown duration unit %d", (int)d->unit);
    }
}

int fu_deadline_compute(const fu_deadline_rule *rule, int64_t count, const fu_calendar *cal,
                        int64_t at, int64_t *out) {
    if (!rule || !out) return fu__error_set(FU_EINVAL, "fu_deadline_compute: NULL argument");
    if (rule->kind == FU_DEADLINE_IN) {
        fu_duration d = rule->unit;
        if (rule->group > 0) {
            if (count < 0 || (d.value && count > INT64_MAX / d.value))
                return fu__error_set(FU_ERANGE, "promised count out of range");
            d.value *= count;
        }
        return fu__commit_deadline_from_duration(&d, cal, at, out);
    }
    if (!cal) return fu__error_set(FU_EINVAL, "a deadline in local time needs a calendar");
    if (rule->minute_of_day < 0 || rule->minute_of_day >= 1440)
        return fu__error_set(FU_EINVAL, "minute of day %d out of 0..1439", rule->minute_of_day);
    fu_local lt;
    int rc = fu_calendar_to_local(cal, at, &lt);
    if (rc != FU_OK) return rc;
    int w = lt.weekday;
    int wd = (int)rule->weekday; /* the enum may be unsigned: compare as int */
    int64_t t = 0;
    switch (rule->kind) {
    case FU_DEADLINE_TODAY:
        rc = local_day_at(cal, &lt, 0, rule->minute_of_day, &t);
        if (rc == FU_OK && t < at) t = at;
        break;
    case FU_DEADLINE_TOMORROW:
        rc = local_day_at(cal, &lt, 1, rule->minute_of_day, &t);
        break;
    case FU_DEADLINE_WEEKDAY:
        if (wd < 0 || wd > 6) return fu__error_set(FU_EINVAL, "bad weekday %d", wd);
        rc = local_day_at(cal, &lt, (wd - w + 7) % 7, rule->minute_of_day, &t);
        if (rc == FU_OK && t <= at) rc = local_day_at(cal, &lt, (wd - w + 7) % 7 + 7, rule->minute_of_day, &t);
        break;
    case FU_DEADLINE_NEXT_WEEK:
        if (wd < 0 || wd > 6) return fu__error_set(FU_EINVAL, "bad weekday %d", wd);
        rc = local_day_at(cal, &lt, 7 - w + wd, rule->minute_of_day, &t);
        break;
    case FU_DEADLINE_MONTH_END: {
        rc = local_day_at(cal, &lt, days_in_month(lt.year, lt.month) - lt.day, rule->minute_of_day, &t);
        if (rc == FU_OK && t <= at) {
            int ny = lt.month == 12 ? lt.year + 1 : lt.year, nm = lt.month == 12 ? 1 : lt.month + 1;
            rc = local_day_at(cal, &lt, days_in_month(lt.year, lt.month) - lt.day + days_in_month(ny, nm),
                              rule->minute_of_day, &t);
        }
        break;
    }
    default:
        return fu__error_set(FU_EINVAL, "unknown deadline kind %d", rule->kind);
    }
    if (rc == FU_OK) *out = t;
    return rc;
}

/* ------------------------------------------------------------- extraction */

typedef struct ex_pat {
    char *name;
    char *reason;
    pcre2_code *code;
    pcre2_match_data *md;
    fu_deadline_rule rule;
    int jit; /* JIT code was made: matched through pcre2_jit_match() */
    /* A run of characters every match contains (see required_literal()),
     * lower case when `lit_caseless`; lit_len 0: none known. A note without
     * it after the search start is not searched with the pattern. */
    char lit[48];
    size_t lit_len;
    int lit_caseless;
} ex_pat;

/* All patterns of a set (promises, risky phrases) as one alternation. Its
 * leftmost match is the leftmost match of any of them, so no pattern can
 * match before it: each pattern then starts there, and a note where it finds
 * nothing is done after one scan instead of one per pattern. NULL when the
 * patterns cannot be combined safely (see combinable()). */
typedef struct ex_scan {
    pcre2_code *code;
    pcre2_match_data *md;
    int jit;
    /* Required literals of the set's first EX_LIT_MAX patterns (ex_pat.lit):
     * last_byte[b] has bit p when pattern p's literal ends with byte b (both
     * cases of a caseless letter); `with_lit` the patterns that have one. One
     * pass over a note finds which literals it holds. */
    uint64_t last_byte[256];
    uint64_t prev_byte[256]; /* the same for the byte before the last (every byte for a 1-byte literal) */
    uint64_t with_lit, one_byte;
} ex_scan;

struct fu_extractor {
    fu__re re;
    ex_pat *pats;
    size_t n_pats;
    ex_pat *risky;
    size_t n_risky;
    int64_t min_lead;
    ex_scan scan_pats, scan_risky;
    int trusted_utf8; /* FU_EXTRACT_VALID_UTF8: the caller checked the notes */
    /* Scratch of fu_extractor_run(): its arrays are reused from note to note;
     * texts point into the note, reasons at the patterns' (min_lead: NULL).
     * The result handed out is one copy of it in one block. */
    struct fu_extraction *work;
    /* The last two bytes of the required literals of both sets, hashed
     * (EX_PAIR): bit p for promise pattern p, bit 32 + p for risky pattern
     * p (the first 32 of each set; every byte before a 1-byte literal). One
     * load a byte of the note finds where a literal may end. */
    uint64_t pair[4096];
};
#define EX_PAIR(prev, last) ((((unsigned)(prev) << 4) ^ (unsigned)(last)) & 4095u)
#define EX_LIT_MAX 32 /* patterns of a set whose literal is looked for */

struct fu_extraction {
    fu_promise *promises;
    size_t n_promises, cap_promises;
    fu_risk *risks;
    size_t n_risks, cap_risks;
};

/* A count: ASCII or full-width digits with an optional decimal part ("1.5",
 * "０.５"), or Chinese numerals. */
#define NUM "((?:\\d|[０-９])+(?:[.．](?:\\d|[０-９])+)?|[一二两三四五六七八九十]+)"
#define FRI 4
/* the verbs a "N hours / days later" promise names (72小时后回访) */
#define LATER_VERB "(?:回访|回訪|回电|回電|回复|回覆|答复|答覆|联系|聯繫|处理|處理|上门|上門)"
static const fu_extract_pattern k_builtin[] = {
    {"commitments.patterns.zh_working_days", NUM "\\s*[个個]?工作日(?:之)?[内內]",
     {FU_DEADLINE_IN, {1, FU_DURATION_WORKING_DAYS}, 1, 0, 0}},
    {"commitments.patterns.zh_days", NUM "\\s*天(?:之)?[内內]", {FU_DEADLINE_IN, {86400, FU_DURATION_SECONDS}, 1, 0, 0}},
    {"commitments.patterns.zh_weeks", NUM "\\s*[个個]?(?:星期|礼拜|禮拜|[周週])(?:之)?[内內]",
     {FU_DEADLINE_IN, {604800, FU_DURATION_SECONDS}, 1, 0, 0}},
    {"commitments.patterns.zh_hours", NUM "\\s*(?:[个個])?小[时時](?:之)?[内內]",
     {FU_DEADLINE_IN, {3600, FU_DURATION_SECONDS}, 1, 0, 0}},
    {"commitments.patterns.zh_half_hour", "(?<![一二两三四五六七八九十\\d０-９个個])半\\s*[个個]?小[时時](?:之)?[内內]",
     {FU_DEADLINE_IN, {1800, FU_DURATION_SECONDS}, 0, 0, 0}},
    {"commitments.patterns.zh_hours_later", NUM "\\s*(?:[个個])?小[时時][后後]\\s*再?" LATER_VERB,
     {FU_DEADLINE_IN, {3600, FU_DURATION_SECONDS}, 1, 0, 0}},
    {"commitments.patterns.zh_days_later", NUM "\\s*天[后後]\\s*再?" LATER_VERB,
     {FU_DEADLINE_IN, {86400, FU_DURATION_SECONDS}, 1, 0, 0}},
    {"commitments.patterns.zh_tomorrow_pm", "明天下午前", {FU_DEADLINE_TOMORROW, {0, FU_DURATION_SECONDS}, 0, 0, 12 * 60}},
    {"commitments.patterns.zh_tomorrow_am", "明天上午", {FU_DEADLINE_TOMORROW, {0, FU_DURATION_SECONDS}, 0, 0, 12 * 60}},
    {"commitments.patterns.zh_tomorrow", "明天", {FU_DEADLINE_TOMORROW, {0, FU_DURATION_SECONDS}, 0, 0, 18 * 60}},
    {"commitments.patterns.zh_this_friday", "(?:本|这|這)[周週]五前",
     {FU_DEADLINE_WEEKDAY, {0, FU_DURATION_SECONDS}, 0, FRI, 18 * 60}},
    {"commitments.patterns.zh_next_friday", "下[周週]五前", {FU_DEADLINE_NEXT_WEEK, {0, FU_DURATION_SECONDS}, 0, FRI, 18 * 60}},
    {"commitments.patterns.zh_month_end", "月底前", {FU_DEADLINE_MONTH_END, {0, FU_DURATION_SECONDS}, 0, 0, 18 * 60}},
    {"commitments.patterns.en_business_days", "within (\\d+) (?:business|working) days?",
     {FU_DEADLINE_IN, {1, FU_DURATION_WORKING_DAYS}, 1, 0, 0}},
    {"commitments.patterns.en_hours", "within (\\d+(?:\\.\\d+)?) hours?", {FU_DEADLINE_IN, {3600, FU_DURATION_SECONDS}, 1, 0, 0}},
    {"commitments.patterns.en_days", "(?:within|in) (\\d+) days?\\b", {FU_DEADLINE_IN, {86400, FU_DURATION_SECONDS}, 1, 0, 0}},
    {"commitments.patterns.en_monday", "by monday", {FU_DEADLINE_WEEKDAY, {0, FU_DURATION_SECONDS}, 0, 0, 18 * 60}},
    {"commitments.patterns.en_tuesday", "by tuesday", {FU_DEADLINE_WEEKDAY, {0, FU_DURATION_SECONDS}, 0, 1, 18 * 60}},
    {"commitments.patterns.en_wednesday", "by wednesday", {FU_DEADLINE_WEEKDAY, {0, FU_DURATION_SECONDS}, 0, 2, 18 * 60}},
    {"commitments.patterns.en_thursday", "by thursday", {FU_DEADLINE_WEEKDAY, {0, FU_DURATION_SECONDS}, 0, 3, 18 * 60}},
    {"commitments.patterns.en_friday", "by friday", {FU_DEADLINE_WEEKDAY, {0, FU_DURATION_SECONDS}, 0, FRI, 18 * 60}},
    {"commitments.patterns.en_tomorrow_am", "tomorrow morning", {FU_DEADLINE_TOMORROW, {0, FU_DURATION_SECONDS}, 0, 0, 12 * 60}},
    {"commitments.patterns.en_month_end", "end of (?:the )?month", {FU_DEADLINE_MONTH_END, {0, FU_DURATION_SECONDS}, 0, 0, 18 * 60}},
};
static const fu_risky_pattern k_builtin_risky[] = {
    {"commitments.risky.zh_guarantee_now", "保证.*(马上|立即|今天)", "guarantees an immediate result"},
    {"commitments.risky.zh_absolute", "绝对(没问题|不会)", "absolute promise"},
    {"commitments.risky.en_guarantee", "\\bguarantee", "guarantee"},
    {"commitments.risky.en_hundred", "100\\s*%", "promises certainty"},
};
#define N_BUILTIN (sizeof k_builtin / sizeof k_builtin[0])
#define N_BUILTIN_RISKY (sizeof k_builtin_risky / sizeof k_builtin_risky[0])

/* No PCRE2_MATCH_INVALID_UTF: its JIT code checks every character and ran
 * about 9% slower (bench_commit, CPU time). Notes are checked once instead
 * (fu__utf8_check(); ill-formed ones are refused) and matched with
 * PCRE2_NO_UTF_CHECK.
 * No PCRE2_UCP: Unicode-aware \d \s \w \b make every pattern about three
 * times slower on Chinese text (bench_commit), and the counts we read are
 * ASCII digits or Chinese numerals, never other scripts' digits. */
static const uint32_t k_ex_flags = PCRE2_UTF | PCRE2_CASELESS;

/* ---------------------------------------------------- required literals */

/* The longest run of characters that every match of `regex` contains, read
 * conservatively: only characters at the top level of the pattern (outside
 * groups, classes and lookarounds) that no quantifier applies to, with no
 * top-level alternation; ASCII characters other than letters, ASCII letters
 * (lower-cased when caseless) except k and s (which fold to U+212A and
 * U+017F), and characters U+3000-U+9FFF (CJK punctuation, kana, ideographs:
 * no case). Anything the reader does not know (escapes with arguments, \Q,
 * inline options, verbs, extended mode) gives no literal. */
typedef struct lit_run {
    char best[48], cur[48];
    size_t nb, nc;
} lit_run;

static void lit_end(lit_run *L) {
    if (L->nc > L->nb) {
        memcpy(L->best, L->cur, L->nc);
        L->nb = L->nc;
    }
    L->nc = 0;
}

static void lit_add(lit_run *L, const char *c, size_t k) {
    if (L->nc + k > sizeof L->cur) lit_end(L);
    memcpy(L->cur + L->nc, c, k);
    L->nc += k;
}

/* Drop the last character of the current run (a quantifier follows it). */
static void lit_drop_last(lit_run *L) {
    while (L->nc > 0 && ((unsigned char)L->cur[L->nc - 1] & 0xC0) == 0x80) L->nc--;
    if (L->nc > 0) L->nc--;
    lit_end(L);
}

/* End of the group or class starting at r[0] ('(' or '['), or NULL. */
static const char *skip_bracket(const char *r) {
    int depth = 0;
    for (const char *c = r; *c; c++) {
        if (*c == '\\') {
            if (!c[1] || c[1] == 'Q') return NULL;
            c++;
        } else if (*c == '[') {
            const char *e = c + 1;
            if (*e == '^') e++;
            if (*e == ']') e++;
            for (; *e && *e != ']'; e++) {
                if (*e == '\\') {
                    if (!e[1] || e[1] == 'Q') return NULL;
                    e++;
                } else if (*e == '[' && e[1] == ':') {
                    return NULL;
                }
            }
            if (!*e) return NULL;
            if (depth == 0) return e;
            c = e;
        } else if (*c == '(') {
            depth++;
        } else if (*c == ')') {
            if (--depth == 0) return c;
        }
    }
    return NULL;
}

static size_t required_literal(const char *regex, uint32_t flags, char *out, size_t cap) {
    if (flags & (PCRE2_EXTENDED | PCRE2_EXTENDED_MORE | PCRE2_LITERAL)) return 0;
    int caseless = (flags & PCRE2_CASELESS) != 0;
    lit_run L = {{0}, {0}, 0, 0};
    for (const char *c = regex; *c;) {
        unsigned char u = (unsigned char)*c;
        if (u == '|' || u == ')') return 0;
        if (u == '(') {
            if (c[1] == '*' || (c[1] == '?' && !strchr(":=!<", c[2]))) return 0;
            if (c[1] == '?' && c[2] == '<' && c[3] != '=' && c[3] != '!') return 0; /* named group */
            const char *e = skip_bracket(c);
            if (!e) return 0;
            lit_end(&L);
            c = e + 1;
        } else if (u == '[') {
            const char *e = skip_bracket(c);
            if (!e) return 0;
            lit_end(&L);
            c = e + 1;
        } else if (u == '?' || u == '*' || u == '+') {
            lit_drop_last(&L);
            c++;
        } else if (u == '{') {
            const char *e = c + 1;
            while ((*e >= '0' && *e <= '9') || *e == ',') e++;
            if (*e != '}' || e == c + 1) return 0;
            lit_drop_last(&L);
            c = e + 1;
        } else if (u == '\\') {
            unsigned char n = (unsigned char)c[1];
            if (!n || n >= 0x80) return 0;
            if ((n >= '0' && n <= '9') || strchr("xoNpPgkcuQEKG", n)) return 0;
            if ((n >= 'a' && n <= 'z') || (n >= 'A' && n <= 'Z')) lit_end(&L);
            else lit_add(&L, c + 1, 1);
            c += 2;
        } else if (u == '.' || u == '^' || u == '$') {
            lit_end(&L);
            c++;
        } else if (u < 0x80) {
            char ch = (char)u;
            int letter = (u | 0x20) >= 'a' && (u | 0x20) <= 'z';
            if (letter && caseless && ((u | 0x20) == 'k' || (u | 0x20) == 's')) lit_end(&L);
            else lit_add(&L, letter && caseless ? (ch = (char)(u | 0x20), &ch) : &ch, 1);
            c++;
        } else {
            size_t k = u >= 0xF0 ? 4 : u >= 0xE0 ? 3 : 2;
            for (size_t j = 1; j < k; j++)
                if (!c[j]) return 0;
            if (u >= 0xE3 && u <= 0xE9) lit_add(&L, c, k);
            else lit_end(&L);
            c += k;
        }
    }
    lit_end(&L);
    if (L.nb > cap) L.nb = cap;
    memcpy(out, L.best, L.nb);
    return L.nb;
}

/* Whether the pattern's literal ends at note[i] (i + 1 >= its length). */
static int lit_ends_at(const ex_pat *p, const char *note, size_t i) {
    size_t n = p->lit_len;
    if (i + 1 < n) return 0;
    const char *b = note + i + 1 - n;
    if (!p->lit_caseless) return memcmp(b, p->lit, n) == 0;
    for (size_t j = 0; j < n; j++) {
        unsigned char d = (unsigned char)b[j];
        if ((d >= 'A' && d <= 'Z' ? d | 0x20 : d) != (unsigned char)p->lit[j]) return 0;
    }
    return 1;
}

/* Both cases of a caseless ASCII letter, else the byte itself: the count. */
static int byte_cases(unsigned char b, int fold, unsigned char *out) {
    out[0] = b;
    if (!fold || b < 'a' || b > 'z') return 1;
    out[1] = (unsigned char)(b - 'a' + 'A');
    return 2;
}

static void set_pairs(uint64_t *pair, const ex_pat *pats, size_t n, unsigned shift) {
    for (size_t p = 0; p < n && p < EX_LIT_MAX; p++) {
        size_t k = pats[p].lit_len;
        if (!k) continue;
        uint64_t bit = UINT64_C(1) << (p + shift);
        unsigned char last[2], prev[2];
        int nl = byte_cases((unsigned char)pats[p].lit[k - 1], pats[p].lit_caseless, last), np = 0;
        if (k >= 2) np = byte_cases((unsigned char)pats[p].lit[k - 2], pats[p].lit_caseless, prev);
        for (int l = 0; l < nl; l++) {
            if (k == 1) {
                for (unsigned c = 0; c < 256; c++) pair[EX_PAIR(c, last[l])] |= bit;
                continue;
            }
            for (int q = 0; q < np; q++) pair[EX_PAIR(prev[q], last[l])] |= bit;
        }
    }
}

static void set_literals(ex_scan *sc, const ex_pat *pats, size_t n) {
    memset(sc->last_byte, 0, sizeof sc->last_byte);
    memset(sc->prev_byte, 0, sizeof sc->prev_byte);
    sc->with_lit = sc->one_byte = 0;
    for (size_t p = 0; p < n && p < EX_LIT_MAX; p++) {
        size_t k = pats[p].lit_len;
        if (!k) continue;
        uint64_t bit = UINT64_C(1) << p;
        int fold = pats[p].lit_caseless;
        unsigned char b = (unsigned char)pats[p].lit[k - 1];
        sc->last_byte[b] |= bit;
        if (fold && b >= 'a' && b <= 'z') sc->last_byte[b - 'a' + 'A'] |= bit;
        if (k == 1) {
            for (int c = 0; c < 256; c++) sc->prev_byte[c] |= bit;
            sc->one_byte |= bit;
        } else {
            unsigned char a = (unsigned char)pats[p].lit[k - 2];
            sc->prev_byte[a] |= bit;
            if (fold && a >= 'a' && a <= 'z') sc->prev_byte[a - 'a' + 'A'] |= bit;
        }
        sc->with_lit |= bit;
    }
}

static void ex_pat_fini(ex_pat *p) {
    pcre2_match_data_free(p->md);
    pcre2_code_free(p->code);
    fu__free(p->name);
    fu__free(p->reason);
}

static void ex_scan_fini(ex_scan *sc) {
    pcre2_match_data_free(sc->md);
    pcre2_code_free(sc->code);
}

void fu_extractor_free(fu_extractor *ex) {
    if (!ex) return;
    ex_scan_fini(&ex->scan_pats);
    ex_scan_fini(&ex->scan_risky);
    for (size_t i = 0; i < ex->n_pats; i++) ex_pat_fini(&ex->pats[i]);
    for (size_t i = 0; i < ex->n_risky; i++) ex_pat_fini(&ex->risky[i]);
    fu__re_fini(&ex->re);
    if (ex->work) FU_FREE_ALL(ex->work->promises, ex->work->risks, ex->work);
    FU_FREE_ALL(ex->pats, ex->risky, ex);
}

static int ex_pat_init(fu_extractor *ex, ex_pat *p, const char *name, const char *regex,
                       uint32_t flags, const char *reason) {
    if (!regex) return fu__error_set(FU_EINVAL, "extraction pattern '%s' has no regex", name ? name : "");
    p->name = fu__strdup(name ? name : "");
    if (!p->name) return fu__error_nomem();
    if (reason) {
        p->reason = fu__strdup(reason);
        if (!p->reason) return fu__error_nomem();
    }
    char what[200];
    snprintf(what, sizeof what, "commitment pattern '%s'", p->name);
    int rc = fu__re_compile(&ex->re, regex, flags, what, &p->code);
    if (rc == FU_OK) rc = fu__re_match_data(&ex->re, p->code, &p->md);
    if (rc == FU_OK) p->jit = fu__re_is_jit(p->code);
    if (rc == FU_OK) {
        p->lit_len = required_literal(regex, flags, p->lit, sizeof p->lit);
        p->lit_caseless = (flags & PCRE2_CASELESS) != 0;
    }
    return rc;
}

/* One match of `pat` from `pos`: 1, 0 or a negative FU_ code. Most of the
 * extraction's calls find nothing in a short note, so the checks and setup
 * of pcre2_match() cost as much as the matching: JIT code is entered
 * directly (pcre2_jit_match(), same limits). Errors are reported by a second
 * run through fu__re_exec(), which words them. */
static int ex_exec(fu_extractor *ex, ex_pat *pat, const char *note, size_t len, size_t pos, const char *kind) {
    if (pat->jit) {
        int rc = pcre2_jit_match(pat->code, (PCRE2_SPTR)note, len, pos, PCRE2_NO_UTF_CHECK, pat->md, ex->re.match);
        if (rc >= 0) return 1;
        if (rc == PCRE2_ERROR_NOMATCH) return 0;
    }
    return fu__re_exec(&ex->re, pat->code, note, len, pos, PCRE2_NO_UTF_CHECK, pat->md, kind, pat->name);
}

/* The next non-empty match of pat at or after *pos: 1 with it in [*s, *e)
 * and *pos moved past it, 0 when there is none, or a negative error. */
static int next_match(fu_extractor *ex, ex_pat *pat, const char *note, size_t len, size_t *pos, size_t *s,
                      size_t *e, const char *kind) {
    while (*pos < len) {
        int rc = ex_exec(ex, pat, note, len, *pos, kind);
        if (rc <= 0) return rc;
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(pat->md);
        *s = ov[0];
        *e = ov[1];
        *pos = *e > *s ? *e : *s + 1;
        if (*e > *s) return 1;
    }
    return 0;
}

/* Whether `regex` means the same inside "(?:...)|..." as alone: no back
 * references or subroutine calls (their numbers would change), no \G or
 * \K (they tie a match to where the search starts), no \Q...\E, no
 * comments or verbs that must stand first. */
static int combinable(const ex_pat *p, const char *regex) {
    uint32_t backrefs = 1;
    if (pcre2_pattern_info(p->code, PCRE2_INFO_BACKREFMAX, &backrefs) != 0 || backrefs) return 0;
    for (const char *c = regex; *c; c++) {
        if (c[0] == '\\' && c[1]) {
            if (strchr("QEgkGK", c[1])) return 0;
            c++;
        } else if (c[0] == '#') {
            return 0;
        } else if (c[0] == '(' && (c[1] == '*' || (c[1] == '?' && (c[2] == 'R' || c[2] == '&' || c[2] == 'P' ||
                                                                 c[2] == '+' || c[2] == '|' || c[2] == '#' ||
                                                                 (c[2] >= '0' && c[2] <= '9') ||
                                                                 (c[2] == '-' && c[3] >= '0' && c[3] <= '9'))))) {
            return 0;
        }
    }
    return 1;
}

/* Compile the alternation of a set; leaves sc->code NULL when it cannot be
 * used (the patterns are then run from the start of the note, as before). */
static int scan_build(fu_extractor *ex, ex_scan *sc, const ex_pat *pats, const char *const *regex, size_t n) {
    if (n < 2) return FU_OK;
    fu__buf b = FU__BUF_INIT;
    for (size_t i = 0; i < n; i++) {
        if (!combinable(&pats[i], regex[i])) {
            fu__buf_free(&b);
            return FU_OK;
        }
        uint32_t opts = 0;
        pcre2_pattern_info(pats[i].code, PCRE2_INFO_ARGOPTIONS, &opts);
        fu__buf_puts(&b, i ? "|(?:" : "(?:");
        fu__buf_puts(&b, (opts & PCRE2_CASELESS) ? "(?i)" : "(?-i)");
        fu__buf_puts(&b, regex[i]);
        fu__buf_puts(&b, ")");
    }
    if (b.failed || fu__buf_append(&b, "", 1) != FU_OK) {
        fu__buf_free(&b);
        return fu__error_nomem();
    }
    int rc = fu__re_compile(&ex->re, b.data, PCRE2_UTF, "combined patterns", &sc->code);
    fu__buf_free(&b);
    if (rc == FU_EPARSE) { /* e.g. duplicate group names: run them one by one */
        fu_error_clear();
        return FU_OK;
    }
    if (rc == FU_OK) rc = fu__re_match_data(&ex->re, sc->code, &sc->md);
    if (rc == FU_OK) sc->jit = fu__re_is_jit(sc->code);
    return rc;
}

/* Where the first match of any pattern of the set starts: `len` when none
 * does, 0 when unknown (no combined pattern, or it hit a limit). */
static size_t scan_from(fu_extractor *ex, const ex_scan *sc, const char *note, size_t len) {
    if (!sc->code || !len) return 0;
    int rc = sc->jit ? pcre2_jit_match(sc->code, (PCRE2_SPTR)note, len, 0, PCRE2_NO_UTF_CHECK, sc->md, ex->re.match)
                     : pcre2_match(sc->code, (PCRE2_SPTR)note, len, 0, PCRE2_NO_UTF_CHECK, sc->md, ex->re.match);
    if (rc == PCRE2_ERROR_NOMATCH) return len;
    if (rc < 0) return 0; /* the patterns one by one decide, with their own errors */
    return pcre2_get_ovector_pointer(sc->md)[0];
}

/* Which patterns of a set can match the note (*maybe, a bit each for the
 * first 64: those without a required literal and those whose literal the
 * note holds; every pattern past the 64th may) and where to start them:
 * `len` when none can match; 0 (no combined scan) when one can, since
 * running it alone costs less than the scan; else the combined scan's
 * start. Starting a pattern at 0 or at the scan's start finds the same
 * matches: no pattern matches before the scan's start. */
#define EX_MAYBE(maybe, p) ((p) >= 64 || ((maybe) >> (p) & 1))
static uint64_t lit_check(const ex_scan *sc, const ex_pat *pats, const unsigned char *s, size_t i, uint64_t m,
                          uint64_t *need) {
    uint64_t found = 0;
    m &= i ? sc->prev_byte[s[i - 1]] : sc->one_byte;
    while (m) {
        unsigned p = (unsigned)__builtin_ctzll(m);
        m &= m - 1;
        if (lit_ends_at(&pats[p], (const char *)s, i)) {
            found |= UINT64_C(1) << p;
            *need &= ~(UINT64_C(1) << p);
        }
    }
    return found;
}

/* The required literals the note holds, of both sets in one pass: found[0]
 * the promise patterns', found[1] the risky ones'. A literal ending at
 * byte 0 has one byte (lit_check); past it, the hashed pair of the byte and
 * the one before tells which literals may end there. */
static void find_literals(const fu_extractor *ex, const char *note, size_t len, uint64_t *found) {
    const ex_scan *a = &ex->scan_pats, *b = &ex->scan_risky;
    uint64_t na = a->with_lit, nb = b->with_lit;
    const unsigned char *s = (const unsigned char *)note;
    found[0] = found[1] = 0;
    if (!len) return;
    if (a->last_byte[s[0]] & na) found[0] |= lit_check(a, ex->pats, s, 0, a->last_byte[s[0]] & na, &na);
    if (b->last_byte[s[0]] & nb) found[1] |= lit_check(b, ex->risky, s, 0, b->last_byte[s[0]] & nb, &nb);
    uint64_t need = na | nb << 32, got = 0;
    for (size_t i = 1; i < len && need; i++) {
        uint64_t m = ex->pair[EX_PAIR(s[i - 1], s[i])] & need;
        while (m) {
            unsigned p = (unsigned)__builtin_ctzll(m);
            m &= m - 1;
            if (lit_ends_at(p < 32 ? &ex->pats[p] : &ex->risky[p - 32], note, i)) {
                got |= UINT64_C(1) << p;
                need &= ~(UINT64_C(1) << p);
            }
        }
    }
    found[0] |= got & 0xFFFFFFFFu;
    found[1] |= got >> 32;
}

static size_t set_start(fu_extractor *ex, const ex_scan *sc, size_t n, const char *note, size_t len,
                        uint64_t found, uint64_t *maybe) {
    uint64_t all = n >= 64 ? ~UINT64_C(0) : (UINT64_C(1) << n) - 1;
    *maybe = (all & ~sc->with_lit) | found;
    if (n > 64) return scan_from(ex, sc, note, len);
    if (*maybe == 0) return len;
    if ((*maybe & (*maybe - 1)) == 0) return 0;
    return scan_from(ex, sc, note, len);
}

/* Build from explicit arrays; `flags_of` gives each policy pattern's own compile options. */
static int extractor_build(fu_extractor **out, const fu_extract_pattern *pats, size_t n_pats,
                           const uint32_t *pat_flags, const fu_risky_pattern *risky, size_t n_risky,
                           const uint32_t *risky_flags, int64_t min_lead, uint32_t match_limit) {
    fu_extractor *ex = fu__calloc(1, sizeof *ex);
    if (!ex) return fu__error_nomem();
    int rc = fu__re_init(&ex->re, match_limit, 0, 1);
    if (rc != FU_OK) {
        fu__free(ex);
        return rc;
    }
    ex->min_lead = min_lead;
    if (n_pats && !(ex->pats = fu__calloc(n_pats, sizeof *ex->pats))) rc = fu__error_nomem();
    if (rc == FU_OK && n_risky && !(ex->risky = fu__calloc(n_risky, sizeof *ex->risky))) rc = fu__error_nomem();
    for (size_t i = 0; rc == FU_OK && i < n_pats; i++) {
        ex->n_pats = i + 1;
        ex->pats[i].rule = pats[i].deadline;
        rc = ex_pat_init(ex, &ex->pats[i], pats[i].name, pats[i].regex, pat_flags ? pat_flags[i] : k_ex_flags,
                         NULL);
    }
    for (size_t i = 0; rc == FU_OK && i < n_risky; i++) {
        ex->n_risky = i + 1;
        rc = ex_pat_init(ex, &ex->risky[i], risky[i].name, risky[i].regex,
                         risky_flags ? risky_flags[i] : k_ex_flags, risky[i].reason ? risky[i].reason : "");
    }
    if (rc == FU_OK) {
        const char **rx = fu__calloc(n_pats + n_risky + 1, sizeof *rx);
        if (!rx) rc = fu__error_nomem();
        for (size_t i = 0; rc == FU_OK && i < n_pats; i++) rx[i] = pats[i].regex;
        for (size_t i = 0; rc == FU_OK && i < n_risky; i++) rx[n_pats + i] = risky[i].regex;
        if (rc == FU_OK) rc = scan_build(ex, &ex->scan_pats, ex->pats, rx, n_pats);
        if (rc == FU_OK) rc = scan_build(ex, &ex->scan_risky, ex->risky, rx + n_pats, n_risky);
        fu__free(rx);
    }
    if (rc == FU_OK) {
        set_literals(&ex->scan_pats, ex->pats, n_pats);
        set_literals(&ex->scan_risky, ex->risky, n_risky);
        set_pairs(ex->pair, ex->pats, n_pats, 0);
        set_pairs(ex->pair, ex->risky, n_risky, 32);
    }
    if (rc != FU_OK) {
        fu_extractor_free(ex);
        return rc;
    }
    *out = ex;
    return FU_OK;
}

int fu_extractor_new(fu_extractor **out, const fu_extract_options *opts) {
    if (!out) return fu__error_set(FU_EINVAL, "out is NULL");
    *out = NULL;
    fu_extract_options o = FU_EXTRACT_OPTIONS_INIT;
    int rc = FU_OPTIONS_COPY(&o, opts, FU_EXTRACT_OPTIONS_VERSION, "fu_extract_options");
    if (rc) return rc;
    opts = &o;
    if ((opts->n_patterns && !opts->patterns) || (opts->n_risky && !opts->risky))
        return fu__error_set(FU_EINVAL, "fu_extract_options: a count is set but its array is NULL");
    if (opts->min_lead_seconds < 0) return fu__error_set(FU_EINVAL, "fu_extract_options: min_lead_seconds < 0");
    int builtin = !(opts->flags & FU_EXTRACT_NO_BUILTIN);
    size_t np = opts->n_patterns + (builtin ? N_BUILTIN : 0);
    size_t nr = opts->n_risky + (builtin ? N_BUILTIN_RISKY : 0);
    fu_extract_pattern *pats = np ? fu__calloc(np, sizeof *pats) : NULL;
    fu_risky_pattern *risky = nr ? fu__calloc(nr, sizeof *risky) : NULL;
    rc = FU_OK;
    if ((np && !pats) || (nr && !risky)) {
        rc = fu__error_nomem();
    } else {
        if (opts->n_patterns) memcpy(pats, opts->patterns, opts->n_patterns * sizeof *pats);
        if (builtin) memcpy(pats + opts->n_patterns, k_builtin, sizeof k_builtin);
        if (opts->n_risky) memcpy(risky, opts->risky, opts->n_risky * sizeof *risky);
        if (builtin) memcpy(risky + opts->n_risky, k_builtin_risky, sizeof k_builtin_risky);
        rc = extractor_build(out, pats, np, NULL, risky, nr, NULL, opts->min_lead_seconds, opts->match_limit);
        if (rc == FU_OK) (*out)->trusted_utf8 = (opts->flags & FU_EXTRACT_VALID_UTF8) != 0;
    }
    fu__free(pats);
    fu__free(risky);
    return rc;
}

/* An extraction is one block: the struct, its promises, its risks, then
 * their texts and reasons (extraction_copy()). */
void fu_extraction_free(fu_extraction *x) { fu__free(x); }

size_t fu_extraction_promise_count(const fu_extraction *x) { return x ? x->n_promises : 0; }
const fu_promise *fu_extraction_promise(const fu_extraction *x, size_t i) {
    return x && i < x->n_promises ? &x->promises[i] : NULL;
}
size_t fu_extraction_risk_count(const fu_extraction *x) { return x ? x->n_risks : 0; }
const fu_risk *fu_extraction_risk(const fu_extraction *x, size_t i) {
    return x && i < x->n_risks ? &x->risks[i] : NULL;
}

/* One digit at s[i], ASCII or full-width (U+FF10..U+FF19): its value and
 * length in *len; -1 when none. */
static int digit_at(const char *s, size_t n, size_t i, size_t *len) {
    const unsigned char *u = (const unsigned char *)s + i;
    if (u[0] >= '0' && u[0] <= '9') return *len = 1, u[0] - '0';
    if (n - i >= 3 && u[0] == 0xEF && u[1] == 0xBC && u[2] >= 0x90 && u[2] <= 0x99) return *len = 3, u[2] - 0x90;
    return -1;
}

/* Read a count of digits (ASCII or full-width) with an optional decimal part
 * of up to 3 digits after '.' or '．': *out the whole part, *milli the
 * thousandths. 1: read; 0: not a count; -1: too large to be a promise. */
static int parse_digits(const char *s, size_t n, int64_t *out, int64_t *milli) {
    int64_t v = 0, frac = 0;
    int in_frac = 0, frac_digits = 0;
    for (size_t i = 0, k; i < n; i += k) {
        int d = digit_at(s, n, i, &k);
        if (d < 0) {
            k = s[i] == '.' ? 1 : n - i >= 3 && memcmp(s + i, "．", 3) == 0 ? 3 : 0;
            if (!k || in_frac || i == 0 || i + k == n) return 0;
            in_frac = 1;
            continue;
        }
        if (in_frac) {
            if (++frac_digits > 3) return 0;
            frac = frac * 10 + d;
            continue;
        }
        v = v * 10 + d;
        if (v > 100000) return -1;
    }
    for (; in_frac && frac_digits < 3; frac_digits++) frac *= 10;
    *out = v;
    *milli = frac;
    return 1;
}

/* Read a count: digits as parse_digits() or Chinese numerals up to 99 (十,
 * 十二, 二十四); the same results. */
static int parse_count(const char *s, size_t n, int64_t *out, int64_t *milli) {
    size_t k;
    *milli = 0;
    if (n && digit_at(s, n, 0, &k) >= 0) return parse_digits(s, n, out, milli);
    static const char *const digits[] = {"一", "二", "三", "四", "五", "六", "七", "八", "九"};
    int64_t total = 0, cur = -1;
    int tens_seen = 0;
    for (size_t i = 0; i < n;) {
        if (n - i >= 3 && memcmp(s + i, "十", 3) == 0) {
            if (tens_seen) return 0;
            total += (cur < 0 ? 1 : cur) * 10;
            cur = -1;
            tens_seen = 1;
            i += 3;
            continue;
        }
        int d = -1;
        if (n - i >= 3 && memcmp(s + i, "两", 3) == 0) d = 2;
        for (int j = 0; d < 0 && j < 9; j++)
            if (n - i >= 3 && memcmp(s + i, digits[j], 3) == 0) d = j + 1;
        if (d < 0 || cur >= 0) return 0; /* unknown character or two digits in a row */
        cur = d;
        i += 3;
    }
    if (cur < 0 && !tens_seen) return 0;
    *out = total + (cur < 0 ? 0 : cur);
    return 1;
}

/* A count with a decimal part ("1.5天内"): exact in seconds or business
 * seconds (rounded to the second); working days and months have no
 * fraction. *count becomes 1 and rule->unit the whole duration. */
static int fractional_rule(fu_deadline_rule *rule, int64_t *count, int64_t milli) {
    fu_duration *u = &rule->unit;
    if (u->unit != FU_DURATION_SECONDS && u->unit != FU_DURATION_BUSINESS_SECONDS) return FU_EINVAL;
    int64_t thousandths = *count * 1000 + milli; /* count <= 100000 */
    if (u->value < 0 || (u->value && thousandths > INT64_MAX / u->value)) return FU_ERANGE;
    u->value = (u->value * thousandths + 500) / 1000;
    *count = 1;
    return FU_OK;
}

static const char *fraction_reason(int rc) {
    return rc == FU_EINVAL ? "a fractional count of working days or months has no deadline: not dated"
                           : "the promised count is too large to be a deadline: not dated";
}

/* A risk in the scratch extraction: its text points into the note, its
 * reason at a string that outlives the call (NULL: a min_lead reason,
 * worded by extraction_copy()). */
static int add_risk(fu_extraction *x, size_t s, size_t e, const char *text, const char *rule,
                    const char *reason) {
    if (FU_GROW(x->risks, x->cap_risks, x->n_risks + 1) != FU_OK) return FU_ENOMEM;
    fu_risk *r = &x->risks[x->n_risks];
    r->start = s;
    r->end = e;
    r->rule = rule;
    r->text = text + s;
    r->reason = reason;
    x->n_risks++;
    return FU_OK;
}

static int promise_cmp(const void *a, const void *b) {
    const fu_promise *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

static int risk_cmp(const void *a, const void *b) {
    const fu_risk *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

static int run_patterns(fu_extractor *ex, const fu_calendar *cal, const char *note, size_t len,
                        int64_t at, fu_extraction *x) {
    int rc;
    uint64_t maybe = 0, found[2];
    find_literals(ex, note, len, found);
    size_t from = set_start(ex, &ex->scan_pats, ex->n_pats, note, len, found[0], &maybe);
    for (size_t p = 0; p < ex->n_pats && from < len; p++) {
        ex_pat *pat = &ex->pats[p];
        size_t pos = from, s, e;
        if (!EX_MAYBE(maybe, p)) continue;
        while ((rc = next_match(ex, pat, note, len, &pos, &s, &e, "commitment pattern")) > 0) {
            int overlaps = 0;
            int64_t milli = 0;
            for (size_t i = 0; i < x->n_promises && !overlaps; i++)
                overlaps = s < x->promises[i].end && x->promises[i].start < e;
            if (overlaps) continue; /* an earlier pattern took this text */
            fu_deadline_rule rule = pat->rule;
            int64_t count = 0, deadline;
            const char *undated = NULL;
            if (rule.kind == FU_DEADLINE_IN && rule.group > 0) {
                PCRE2_SIZE *ov = pcre2_get_ovector_pointer(pat->md);
                uint32_t ng = pcre2_get_ovector_count(pat->md);
                size_t g = (size_t)rule.group;
                if (g >= ng || ov[2 * g] == PCRE2_UNSET) continue;
                int got = parse_count(note + ov[2 * g], ov[2 * g + 1] - ov[2 * g], &count, &milli);
                if (got == 0) continue; /* no usable count: not a promise we can date */
                if (got < 0) undated = "the promised count is too large to be a deadline: not dated";
                else if (milli && (rc = fractional_rule(&rule, &count, milli)) != FU_OK) undated = fraction_reason(rc);
            }
            if (!undated) {
                rc = fu_deadline_compute(&rule, count, cal, at, &deadline);
                if (rc == FU_ERANGE) undated = "the promised duration runs past the calendar's range: not dated";
                else if (rc != FU_OK) return rc;
            }
            if (undated) {
                /* one odd number is a finding about this note, not a failure of the run */
                fu_error_clear();
                if (add_risk(x, s, e, note, pat->name, undated) != FU_OK) return FU_ENOMEM;
                continue;
            }
            if (FU_GROW(x->promises, x->cap_promises, x->n_promises + 1) != FU_OK) return FU_ENOMEM;
            fu_promise *pr = &x->promises[x->n_promises];
            pr->start = s;
            pr->end = e;
            pr->rule = pat->name;
            pr->deadline = deadline;
            pr->risky = 0;
            pr->text = note + s;
            x->n_promises++;
        }
        if (rc < 0) return rc;
    }
    if (x->n_promises > 1) qsort(x->promises, x->n_promises, sizeof *x->promises, promise_cmp);
    from = set_start(ex, &ex->scan_risky, ex->n_risky, note, len, found[1], &maybe);
    for (size_t p = 0; p < ex->n_risky && from < len; p++) {
        ex_pat *pat = &ex->risky[p];
        size_t pos = from, s, e;
        if (!EX_MAYBE(maybe, p)) continue;
        while ((rc = next_match(ex, pat, note, len, &pos, &s, &e, "risky pattern")) > 0)
            if (add_risk(x, s, e, note, pat->name, pat->reason) != FU_OK) return FU_ENOMEM;
        if (rc < 0) return rc;
    }
    if (x->n_risks > 1) qsort(x->risks, x->n_risks, sizeof *x->risks, risk_cmp);
    if (ex->min_lead > 0) {
        for (size_t i = 0; i < x->n_promises; i++) {
            fu_promise *pr = &x->promises[i];
            if (pr->deadline - at >= ex->min_lead) continue;
            pr->risky = 1;
            if (add_risk(x, pr->start, pr->end, note, "min_lead", NULL) != FU_OK) return FU_ENOMEM;
        }
    }
    return FU_OK;
}

/* The reason of a min_lead risk of a promise due at `deadline`: its length
 * (snprintf: buf may be NULL with cap 0). */
static size_t lead_reason(char *buf, size_t cap, int64_t deadline, int64_t at, int64_t min_lead) {
    int n = snprintf(buf, cap, "deadline %lld min after the note, the process needs at least %lld min",
                     (long long)((deadline - at) / 60), (long long)(min_lead / 60));
    return n > 0 ? (size_t)n : 0;
}

/* Copy `s` (n bytes) and a NUL to *at; the copy. */
static const char *put_text(char **at, const char *s, size_t n) {
    char *d = *at;
    memcpy(d, s, n);
    d[n] = '\0';
    *at = d + n + 1;
    return d;
}

/* The deadline of the next risky promise of w from *j on (*j moved past
 * it): the min_lead risks come in the order of their promises. */
static int64_t next_risky(const fu_extraction *w, size_t *j) {
    while (*j < w->n_promises && !w->promises[*j].risky) ++*j;
    return *j < w->n_promises ? w->promises[(*j)++].deadline : 0;
}

/* The scratch extraction w as one block (fu_extraction_free() frees it):
 * the struct, the promises, the risks, then every text and reason. The k-th
 * min_lead risk (reason NULL) is the k-th risky promise's. */
static int extraction_copy(const fu_extraction *w, int64_t at, int64_t min_lead, fu_extraction **out) {
    size_t head = sizeof(fu_extraction) + w->n_promises * sizeof(fu_promise) + w->n_risks * sizeof(fu_risk);
    size_t bytes = head;
    for (size_t i = 0; i < w->n_promises; i++) bytes += w->promises[i].end - w->promises[i].start + 1;
    for (size_t i = 0, j = 0; i < w->n_risks; i++) {
        const fu_risk *r = &w->risks[i];
        if (r->reason) {
            bytes += strlen(r->reason) + 1;
        } else {
            bytes += lead_reason(NULL, 0, next_risky(w, &j), at, min_lead) + 1;
        }
        bytes += r->end - r->start + 1;
    }
    fu_extraction *x = fu__malloc(bytes);
    if (!x) return fu__error_nomem();
    memset(x, 0, sizeof *x);
    x->promises = w->n_promises ? (fu_promise *)(void *)(x + 1) : NULL;
    x->risks = w->n_risks ? (fu_risk *)(void *)((char *)(x + 1) + w->n_promises * sizeof(fu_promise)) : NULL;
    x->n_promises = x->cap_promises = w->n_promises;
    x->n_risks = x->cap_risks = w->n_risks;
    char *at_text = (char *)x + head;
    for (size_t i = 0; i < w->n_promises; i++) {
        x->promises[i] = w->promises[i];
        x->promises[i].text = put_text(&at_text, w->promises[i].text, w->promises[i].end - w->promises[i].start);
    }
    for (size_t i = 0, j = 0; i < w->n_risks; i++) {
        const fu_risk *r = &w->risks[i];
        x->risks[i] = *r;
        x->risks[i].text = put_text(&at_text, r->text, r->end - r->start);
        if (r->reason) {
            x->risks[i].reason = put_text(&at_text, r->reason, strlen(r->reason));
            continue;
        }
        size_t n = lead_reason(at_text, (size_t)((char *)x + bytes - at_text), next_risky(w, &j), at, min_lead);
        x->risks[i].reason = at_text;
        at_text += n + 1;
    }
    *out = x;
    return FU_OK;
}

int fu_extractor_run(fu_extractor *ex, const fu_calendar *cal, const char *note, size_t len,
                     int64_t at, fu_extraction **out) {
    return fu_extractor_run_flags(ex, cal, note, len, at, 0, out);
}

int fu_extractor_run_flags(fu_extractor *ex, const fu_calendar *cal, const char *note, size_t len,
                           int64_t at, unsigned int flags, fu_extraction **out) {
    if (out) *out = NULL;
    if (!ex || !out || !cal || (!note && len))
        return fu__error_set(FU_EINVAL, "fu_extractor_run: NULL argument");
    if (flags & ~FU_EXTRACT_VALID_UTF8)
        return fu__error_set(FU_EINVAL, "fu_extractor_run_flags: unknown flags 0x%x", flags & ~FU_EXTRACT_VALID_UTF8);
    /* Ill-formed UTF-8 is refused (PCRE2 reads the note unchecked). */
    int rc = ex->trusted_utf8 || (flags & FU_EXTRACT_VALID_UTF8) ? FU_OK : fu__utf8_check("note", note, len);
    if (rc != FU_OK) return rc;
    if (!ex->work && !(ex->work = fu__calloc(1, sizeof *ex->work))) return fu__error_nomem();
    fu_extraction *w = ex->work;
    w->n_promises = w->n_risks = 0;
    rc = run_patterns(ex, cal, note ? note : "", len, at, w);
    if (rc == FU_OK) rc = extraction_copy(w, at, ex->min_lead, out);
    return rc;
}

/* ------------------------------------------------------------- from a policy */

int fu_ledger_options_from_policy(const fu_policy *policy, fu_ledger_options *opts) {
    if (!policy || !opts) return fu__error_set(FU_EINVAL, "fu_ledger_options_from_policy: NULL argument");
    const fu__pol_commitments *cm = fu__policy_commitments(policy);
    if (cm->escalate_after.unit != FU_DURATION_SECONDS)
        return fu__error_set(FU_EPOLICY, "commitments.escalate_after: the ledger needs wall time (hours, days)");
    if (cm->escalate_after.value <= 0)
        return fu__error_set(FU_EPOLICY, "commitments.escalate_after must be positive");
    fu_ledger_options_init(opts);
    opts->warn_share = cm->warn_at;
    opts->breach_share = cm->breach_at;
    opts->escalate_after = cm->escalate_after.value;
    return FU_OK;
}

static int deadline_from_policy(const fu__pol_deadline *d, fu_deadline_rule *out) {
    memset(out, 0, sizeof *out);
    switch (d->kind) {
    case FU__DEADLINE_IN: out->kind = FU_DEADLINE_IN; break;
    case FU__DEADLINE_TOMORROW: out->kind = FU_DEADLINE_TOMORROW; break;
    case FU__DEADLINE_WEEKDAY: out->kind = FU_DEADLINE_WEEKDAY; break;
    case FU__DEADLINE_NEXT_WEEK: out->kind = FU_DEADLINE_NEXT_WEEK; break;
    case FU__DEADLINE_MONTH_END: out->kind = FU_DEADLINE_MONTH_END; break;
    default: return fu__error_set(FU_EPOLICY, "unknown deadline kind %d", (int)d->kind);
    }
    /* The policy reads "in $1h" as one unit ({3600, seconds}) taken $1 times. */
    out->unit = d->dur;
    out->group = d->group;
    out->weekday = d->weekday;
    out->minute_of_day = d->minute_of_day;
    return FU_OK;
}

/* The policy compiles its patterns with PCRE2_UCP; the extractor keeps the
 * policy's case rule but leaves UCP out (see k_ex_flags). */
static uint32_t flags_of(const pcre2_code *code) {
    uint32_t opts = 0;
    if (code) pcre2_pattern_info(code, PCRE2_INFO_ARGOPTIONS, &opts);
    return PCRE2_UTF | (opts & PCRE2_CASELESS);
}

int fu_extractor_new_from_policy(fu_extractor **out, const fu_policy *policy) {
    if (out) *out = NULL;
    if (!out || !policy) return fu__error_set(FU_EINVAL, "fu_extractor_new_from_policy: NULL argument");
    const fu__pol_commitments *cm = fu__policy_commitments(policy);
    size_t np = cm->n_patterns, nr = cm->n_risky;
    fu_extract_pattern *pats = np ? fu__calloc(np, sizeof *pats) : NULL;
    fu_risky_pattern *risky = nr ? fu__calloc(nr, sizeof *risky) : NULL;
    uint32_t *pflags = np ? fu__calloc(np, sizeof *pflags) : NULL;
    uint32_t *rflags = nr ? fu__calloc(nr, sizeof *rflags) : NULL;
    int rc = FU_OK;
    if ((np && (!pats || !pflags)) || (nr && (!risky || !rflags))) rc = fu__error_nomem();
    for (size_t i = 0; rc == FU_OK && i < np; i++) {
        pats[i].name = cm->patterns[i].rule;
        pats[i].regex = cm->patterns[i].regex;
        pflags[i] = flags_of(cm->patterns[i].code);
        rc = deadline_from_policy(&cm->patterns[i].deadline, &pats[i].deadline);
    }
    for (size_t i = 0; rc == FU_OK && i < nr; i++) {
        risky[i].name = cm->risky[i].rule;
        risky[i].regex = cm->risky[i].regex;
        risky[i].reason = cm->risky[i].reason;
        rflags[i] = flags_of(cm->risky[i].code);
    }
    if (rc == FU_OK) rc = extractor_build(out, pats, np, pflags, risky, nr, rflags, 0, 0);
    FU_FREE_ALL(pats, risky, pflags, rflags);
    return rc;
}

FU_DEFINE_INIT(fu_extract_options_init, fu_extract_options, FU_EXTRACT_OPTIONS_INIT)

FU_DEFINE_INIT(fu_commit_input_init, fu_commit_input, FU_COMMIT_INPUT_INIT)

FU_DEFINE_INIT(fu_commit_query_init, fu_commit_query, FU_COMMIT_QUERY_INIT)
