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
    if (!rule || !out) return fu__error_set(FU_EINVAL, "fu_deadline_compute: %s is NULL", !rule ? "rule" : "out");
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
    if (rule->kind == FU_DEADLINE_CLOSE) {
        /* the close of the note's day, or of the next working day */
        int64_t t = 0;
        int rc = fu_calendar_add_working_days(cal, at, 0, FU_WORKDAY_END_OF_DAY, &t);
        if (rc == FU_OK) *out = t < at ? at : t;
        return rc;
    }
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
    case FU_DEADLINE_WEEK_END:
        if (wd < 0 || wd > 6) return fu__error_set(FU_EINVAL, "bad weekday %d", wd);
        rc = local_day_at(cal, &lt, wd - w, rule->minute_of_day, &t);
        if (rc == FU_OK && t < at) t = at;
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

#define EX_ALT_MAX 16 /* strings of one requirement */
#define EX_REQ_MAX 3  /* requirements a pattern keeps */
#define EX_KEYS 64    /* strings looked for, both sets */

typedef struct ex_key {
    char s[48];
    unsigned char len, caseless;
} ex_key;

typedef struct ex_pat {
    char *name;
    char *reason;
    pcre2_code *code;
    pcre2_match_data *md;
    fu_deadline_rule rule;
    int jit; /* JIT code was made: matched through pcre2_jit_match() */
    unsigned n_req; /* requirements known (ex_scan.sat) */
    int lit_caseless; /* the pattern is caseless: so are its keys */
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
    /* The requirements of the set's first 64 patterns (see pattern_reqs()),
     * by key: sat[k][r] has bit p when key k (fu_extractor.keys) meets
     * pattern p's requirement r; base[r] the patterns without an r-th. A
     * note holding the keys K can match the patterns of
     * AND_r (base[r] | OR_{k in K} sat[k][r]) (set_maybe()). */
    uint64_t sat[EX_KEYS][EX_REQ_MAX];
    uint64_t base[EX_REQ_MAX];
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
    /* The strings the patterns' requirements name (keys, both sets), and the
     * last two bytes of each, hashed (EX_PAIR): bit k for key k (every byte
     * before a 1-byte key, which is also in `one_byte`). One load a byte of
     * the note finds where a key may end. */
    ex_key keys[EX_KEYS];
    unsigned n_keys;
    uint64_t all_keys, one_byte;
    uint64_t pair[4096];
};
#define EX_PAIR(prev, last) ((((unsigned)(prev) << 4) ^ (unsigned)(last)) & 4095u)

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
#define SUN 6
/* a week: 周, 週, 星期, 礼拜, 禮拜 */
#define WEEK_WORD "(?:[周週]|星期|礼拜|禮拜)"
/* the verbs a "N hours / days later" promise names (72小时后回访) */
#define LATER_VERB "(?:回访|回訪|回电|回電|回复|回覆|答复|答覆|联系|聯繫|处理|處理|上门|上門)"
static const fu_extract_pattern k_builtin[] = {
    {"commitments.patterns.zh_working_days", NUM "\\s*[个個]?工作日(?:之|以)?[内內]",
     {FU_DEADLINE_IN, {1, FU_DURATION_WORKING_DAYS}, 1, 0, 0}},
    {"commitments.patterns.zh_days", NUM "\\s*天(?:之|以)?[内內]", {FU_DEADLINE_IN, {86400, FU_DURATION_SECONDS}, 1, 0, 0}},
    {"commitments.patterns.zh_weeks", NUM "\\s*[个個]?(?:星期|礼拜|禮拜|[周週])(?:之|以)?[内內]",
     {FU_DEADLINE_IN, {604800, FU_DURATION_SECONDS}, 1, 0, 0}},
    {"commitments.patterns.zh_hours", NUM "\\s*(?:[个個])?小[时時](?:之|以)?[内內]",
     {FU_DEADLINE_IN, {3600, FU_DURATION_SECONDS}, 1, 0, 0}},
    {"commitments.patterns.zh_half_hour", "(?<![一二两三四五六七八九十\\d０-９个個])半\\s*[个個]?小[时時](?:之|以)?[内內]",
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
    /* review s9 F13; after the older patterns, whose requirements are assigned first */
    {"commitments.patterns.zh_close", "(?:今天|今日|当天|當天)?下班(?:之|以)?前", {FU_DEADLINE_CLOSE, {0, FU_DURATION_SECONDS}, 0, 0, 0}},
    {"commitments.patterns.zh_today", "(?:今天|今日|当天|當天)(?:之|以)?[内內]", {FU_DEADLINE_CLOSE, {0, FU_DURATION_SECONDS}, 0, 0, 0}},
    {"commitments.patterns.zh_this_week", "(?:本|这|這)[个個]?" WEEK_WORD "(?:之|以)?[内內]",
     {FU_DEADLINE_WEEK_END, {0, FU_DURATION_SECONDS}, 0, SUN, 18 * 60}},
    {"commitments.patterns.zh_next_weekday", "下[个個]?" WEEK_WORD "([一二三四五六日天])(?:之|以)?前",
     {FU_DEADLINE_NEXT_WEEK, {0, FU_DURATION_SECONDS}, 1, 0, 18 * 60}},
    {"commitments.patterns.zh_weekday", "(?<![上下])(?<![上下][个個])(?:(?:本|这|這)[个個]?)?" WEEK_WORD "([一二三四五六日天])(?:之|以)?前",
     {FU_DEADLINE_WEEKDAY, {0, FU_DURATION_SECONDS}, 1, 0, 18 * 60}},
    {"commitments.patterns.en_close", "\\b(?:by|before) (?:the )?(?:end of (?:the )?(?:business )?day|eod|close of business|cob)\\b",
     {FU_DEADLINE_CLOSE, {0, FU_DURATION_SECONDS}, 0, 0, 0}},
    {"commitments.patterns.en_today", "(?:\\bwill\\b[^.;!?\\n]{0,40}?\\b|\\bby |\\blater )today\\b",
     {FU_DEADLINE_CLOSE, {0, FU_DURATION_SECONDS}, 0, 0, 0}},
    {"commitments.patterns.en_this_week", "(?:\\bwill\\b[^.;!?\\n]{0,40}?\\b|\\b(?:within|later|by the end of|before the end of|by end of) )(?:this|the) week\\b",
     {FU_DEADLINE_WEEK_END, {0, FU_DURATION_SECONDS}, 0, SUN, 18 * 60}},
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

/* What every match of a pattern contains, read conservatively from its
 * text: *requirements*, each a set of strings of which every match holds at
 * least one. A run of characters that no quantifier applies to (with no
 * alternation around it) is a requirement of one string; a class of plain
 * characters ([周週]) one of each character; a group of alternatives one of
 * the best requirement of each alternative ((?:星期|礼拜|[周週]) gives 星期,
 * 礼拜, 周, 週), when every alternative has one. Groups and classes under a
 * quantifier that allows zero, lookarounds and escapes with letters give
 * none. Characters: ASCII other than letters, ASCII letters (lower-cased
 * when caseless) except k and s (which fold to U+212A and U+017F), and
 * U+3000-U+9FFF (CJK punctuation, kana, ideographs: no case). Anything the
 * reader does not know (escapes with arguments, \Q, inline options, named
 * groups, verbs, extended mode) gives no requirement for the whole
 * pattern. */
#define LIT_LEN 48
typedef struct lit_req {
    unsigned n;
    unsigned char len[EX_ALT_MAX];
    char s[EX_ALT_MAX][LIT_LEN];
} lit_req;

#define LIT_REQS 6
typedef struct lit_reqs { /* all of them hold */
    lit_req r[LIT_REQS];
    unsigned n;
} lit_reqs;

typedef struct lit_seq {
    char cur[LIT_LEN];
    size_t nc;
    lit_reqs *out;
} lit_seq;

static void reqs_push(lit_reqs *out, const lit_req *q) {
    if (q->n && out->n < LIT_REQS) out->r[out->n++] = *q;
}

static void seq_end(lit_seq *S) {
    if (S->nc && S->out->n < LIT_REQS) {
        lit_req *q = &S->out->r[S->out->n++];
        q->n = 1;
        q->len[0] = (unsigned char)S->nc;
        memcpy(q->s[0], S->cur, S->nc);
    }
    S->nc = 0;
}

static void seq_add(lit_seq *S, const char *c, size_t k) {
    if (S->nc + k > LIT_LEN) seq_end(S);
    memcpy(S->cur + S->nc, c, k);
    S->nc += k;
}

/* Drop the last character of the current run (a quantifier follows it). */
static void seq_drop_last(lit_seq *S) {
    while (S->nc > 0 && ((unsigned char)S->cur[S->nc - 1] & 0xC0) == 0x80) S->nc--;
    if (S->nc > 0) S->nc--;
    seq_end(S);
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

/* The length of the character at c (< end) the reader knows (ASCII letters
 * lower-cased into *fold when caseless), 0 when it is not one. */
static size_t lit_char(const char *c, const char *end, int caseless, char *fold) {
    unsigned char u = (unsigned char)*c;
    if (u < 0x80) {
        int letter = (u | 0x20) >= 'a' && (u | 0x20) <= 'z';
        if (letter && caseless && ((u | 0x20) == 'k' || (u | 0x20) == 's')) return 0;
        *fold = letter && caseless ? (char)(u | 0x20) : (char)u;
        return 1;
    }
    size_t k = u >= 0xF0 ? 4 : u >= 0xE0 ? 3 : 2;
    if ((size_t)(end - c) < k || u < 0xE3 || u > 0xE9) return 0;
    return k;
}

/* The requirement of the class [c, e] (e its ']'): one string a character
 * when all of them are plain characters; 0 otherwise. */
static int class_req(const char *c, const char *e, int caseless, lit_req *q) {
    q->n = 0;
    for (c++; c < e;) {
        char f;
        if (*c == '^' || *c == '-' || *c == '\\' || *c == '[' || q->n == EX_ALT_MAX) return 0;
        size_t k = lit_char(c, e, caseless, &f);
        if (!k) return 0;
        q->len[q->n] = (unsigned char)k;
        memcpy(q->s[q->n++], k == 1 ? &f : c, k);
        c += k;
    }
    return q->n > 0;
}

/* The best requirement of a list: its shortest string the longest, then
 * the fewest strings. NULL when the list is empty. */
static unsigned req_min_len(const lit_req *q) {
    unsigned m = LIT_LEN;
    for (unsigned i = 0; i < q->n; i++)
        if (q->len[i] < m) m = q->len[i];
    return m;
}

static int req_better(const lit_req *a, const lit_req *b) {
    unsigned la = req_min_len(a), lb = req_min_len(b);
    return la != lb ? la > lb : a->n < b->n;
}

static void reqs_sort(lit_reqs *L) {
    for (unsigned i = 1; i < L->n; i++)
        for (unsigned j = i; j > 0 && req_better(&L->r[j], &L->r[j - 1]); j--) {
            lit_req t = L->r[j];
            L->r[j] = L->r[j - 1];
            L->r[j - 1] = t;
        }
}

static int reqs_alt(const char *r, const char *end, int caseless, int depth, lit_reqs *out);

/* A quantifier at *c: its minimum, *c moved past it (and past a lazy or
 * possessive sign); -1 when it is none the reader knows. */
static int quantifier(const char **c, const char *end) {
    const char *q = *c;
    int min = *q == '+';
    if (*q == '{') {
        const char *e = q + 1;
        min = 0;
        for (; e < end && *e >= '0' && *e <= '9'; e++)
            if (min < 1000) min = min * 10 + (*e - '0');
        while (e < end && ((*e >= '0' && *e <= '9') || *e == ',')) e++;
        if (e >= end || *e != '}' || e == q + 1) return -1;
        q = e;
    }
    q++;
    if (q < end && (*q == '?' || *q == '+')) q++;
    *c = q;
    return min;
}

/* The requirements of the sequence [r, end) (no alternation at its top
 * level) appended to out; -1 when the pattern holds something unknown. */
static int reqs_seq(const char *r, const char *end, int caseless, int depth, lit_reqs *out) {
    lit_seq S = {{0}, 0, out};
    unsigned mark = 0;
    int item = 0; /* 1: a character of the run, 2: a group or class (requirements from mark) */
    for (const char *c = r; c < end;) {
        unsigned char u = (unsigned char)*c;
        if (u == '(' || u == '[') {
            const char *e = skip_bracket(c);
            if (!e || e >= end) return -1;
            seq_end(&S);
            mark = out->n;
            item = 2;
            if (u == '[') {
                lit_req q;
                if (class_req(c, e, caseless, &q)) reqs_push(out, &q);
            } else if (c[1] == '?' && (c[2] == '=' || c[2] == '!' || (c[2] == '<' && (c[3] == '=' || c[3] == '!')))) {
                item = 0; /* a lookaround: nothing required */
            } else if (c[1] == '*' || (c[1] == '?' && c[2] != ':')) {
                return -1;
            } else if (depth < 3) {
                lit_reqs in;
                in.n = 0;
                if (reqs_alt(c + (c[1] == '?' ? 3 : 1), e, caseless, depth + 1, &in) < 0) return -1;
                for (unsigned i = 0; i < in.n; i++) reqs_push(out, &in.r[i]);
            }
            c = e + 1;
        } else if (u == '?' || u == '*' || u == '+' || u == '{') {
            int min = quantifier(&c, end);
            if (min < 0) return -1;
            if (item == 1) seq_drop_last(&S);
            else if (item == 2 && min == 0) out->n = mark;
            item = 0;
        } else if (u == '\\') {
            unsigned char n = c + 1 < end ? (unsigned char)c[1] : 0;
            if (!n || n >= 0x80) return -1;
            if ((n >= '0' && n <= '9') || strchr("xoNpPgkcuQEKG", n)) return -1;
            item = 0;
            if ((n >= 'a' && n <= 'z') || (n >= 'A' && n <= 'Z')) {
                seq_end(&S);
            } else {
                seq_add(&S, c + 1, 1);
                item = 1;
            }
            c += 2;
        } else if (u == '|' || u == ')') {
            return -1;
        } else if (u == '.' || u == '^' || u == '$') {
            seq_end(&S);
            item = 0;
            c++;
        } else {
            char f;
            size_t k = lit_char(c, end, caseless, &f);
            item = k ? 1 : 0;
            if (k) seq_add(&S, k == 1 ? &f : c, k);
            else seq_end(&S);
            c += k ? k : u >= 0xF0 ? 4 : u >= 0xE0 ? 3 : u >= 0xC0 ? 2 : 1;
        }
    }
    seq_end(&S);
    return 0;
}

/* The requirements of [r, end), alternatives allowed: a single sequence's
 * own, or one requirement holding the best one of every alternative (none
 * when an alternative has none). */
static int reqs_alt(const char *r, const char *end, int caseless, int depth, lit_reqs *out) {
    lit_req any;
    any.n = 0;
    int alts = 0, none = 0;
    for (const char *a = r, *c = r;;) {
        if (c < end && *c != '|') {
            if (*c == '\\') {
                if (c + 1 >= end) return -1;
                c += 2;
            } else if (*c == '(' || *c == '[') {
                const char *e = skip_bracket(c);
                if (!e || e >= end) return -1;
                c = e + 1;
            } else {
                c++;
            }
            continue;
        }
        if (c == end && alts == 0) return reqs_seq(a, c, caseless, depth, out);
        lit_reqs in;
        in.n = 0;
        if (reqs_seq(a, c, caseless, depth, &in) < 0) return -1;
        reqs_sort(&in);
        if (!in.n || any.n + in.r[0].n > EX_ALT_MAX) none = 1;
        for (unsigned i = 0; !none && i < in.r[0].n; i++) {
            any.len[any.n] = in.r[0].len[i];
            memcpy(any.s[any.n++], in.r[0].s[i], in.r[0].len[i]);
        }
        alts++;
        if (c == end) break;
        a = ++c;
    }
    if (!none) reqs_push(out, &any);
    return 0;
}

/* The requirements of a pattern, best first (at most EX_REQ_MAX; only the
 * first may have a string of one byte): their count. */
static unsigned pattern_reqs(const char *regex, uint32_t flags, lit_req *out) {
    if (flags & (PCRE2_EXTENDED | PCRE2_EXTENDED_MORE | PCRE2_LITERAL)) return 0;
    lit_reqs L;
    L.n = 0;
    if (reqs_alt(regex, regex + strlen(regex), (flags & PCRE2_CASELESS) != 0, 0, &L) < 0) return 0;
    reqs_sort(&L);
    unsigned n = 0;
    for (unsigned i = 0; i < L.n && n < EX_REQ_MAX; i++)
        if (n == 0 || req_min_len(&L.r[i]) >= 2) out[n++] = L.r[i];
    return n;
}

/* The key of string s (n bytes): its index in ex->keys, added if new;
 * -1 when the table is full. */
static int key_of(fu_extractor *ex, const char *s, size_t n, int caseless) {
    for (unsigned k = 0; k < ex->n_keys; k++)
        if (ex->keys[k].len == n && ex->keys[k].caseless == caseless && memcmp(ex->keys[k].s, s, n) == 0)
            return (int)k;
    if (ex->n_keys == EX_KEYS) return -1;
    ex_key *k = &ex->keys[ex->n_keys];
    memcpy(k->s, s, n);
    k->len = (unsigned char)n;
    k->caseless = (unsigned char)caseless;
    return (int)ex->n_keys++;
}

/* Both cases of a caseless ASCII letter, else the byte itself: the count. */
static int byte_cases(unsigned char b, int fold, unsigned char *out) {
    out[0] = b;
    if (!fold || b < 'a' || b > 'z') return 1;
    out[1] = (unsigned char)(b - 'a' + 'A');
    return 2;
}

/* Key k's bit in the hashed table of byte pairs (its last two bytes; every
 * byte before a key of one byte). */
static void key_pairs(fu_extractor *ex, unsigned k) {
    const ex_key *y = &ex->keys[k];
    uint64_t bit = UINT64_C(1) << k;
    unsigned char last[2], prev[2];
    int nl = byte_cases((unsigned char)y->s[y->len - 1], y->caseless, last), np = 0;
    if (y->len >= 2) np = byte_cases((unsigned char)y->s[y->len - 2], y->caseless, prev);
    for (int l = 0; l < nl; l++) {
        if (y->len == 1) {
            for (unsigned c = 0; c < 256; c++) ex->pair[EX_PAIR(c, last[l])] |= bit;
            ex->one_byte |= bit;
            continue;
        }
        for (int q = 0; q < np; q++) ex->pair[EX_PAIR(prev[q], last[l])] |= bit;
    }
    ex->all_keys |= bit;
}

/* Give the first 64 patterns of each set their requirements as key masks:
 * every pattern's best requirement first, then the second ones, ..., while
 * the key table has room (a requirement whose keys do not all fit is left
 * out: the pattern is run more often, never less). reqs[i] holds the
 * n_req[i] requirements of pattern i, promises then risky ones. */
static void assign_keys(fu_extractor *ex, const lit_req (*reqs)[EX_REQ_MAX], const unsigned *n_req) {
    for (unsigned round = 0; round < EX_REQ_MAX; round++) {
        for (size_t i = 0; i < ex->n_pats + ex->n_risky; i++) {
            int risky = i >= ex->n_pats;
            size_t p = risky ? i - ex->n_pats : i;
            ex_pat *pat = risky ? &ex->risky[p] : &ex->pats[p];
            if (p >= 64 || round >= n_req[i]) continue;
            const lit_req *q = &reqs[i][round];
            unsigned fresh = 0;
            for (unsigned a = 0; a < q->n; a++) {
                unsigned k = 0;
                while (k < ex->n_keys && !(ex->keys[k].len == q->len[a] && ex->keys[k].caseless == pat->lit_caseless &&
                                           memcmp(ex->keys[k].s, q->s[a], q->len[a]) == 0))
                    k++;
                fresh += k == ex->n_keys;
            }
            if (ex->n_keys + fresh > EX_KEYS) continue;
            uint64_t mask = 0;
            for (unsigned a = 0; a < q->n && mask != ~UINT64_C(0); a++) {
                int k = key_of(ex, q->s[a], q->len[a], pat->lit_caseless);
                if (k < 0) mask = ~UINT64_C(0); /* cannot happen: room was counted */
                else if (!(ex->all_keys >> k & 1)) key_pairs(ex, (unsigned)k);
                if (k >= 0) mask |= UINT64_C(1) << k;
            }
            if (mask == ~UINT64_C(0)) continue;
            ex_scan *sc = risky ? &ex->scan_risky : &ex->scan_pats;
            for (uint64_t m = mask; m; m &= m - 1) sc->sat[__builtin_ctzll(m)][pat->n_req] |= UINT64_C(1) << p;
            pat->n_req++;
        }
    }
    for (unsigned r = 0; r < EX_REQ_MAX; r++)
        for (size_t p = 0; p < 64; p++) {
            if (p < ex->n_pats && ex->pats[p].n_req <= r) ex->scan_pats.base[r] |= UINT64_C(1) << p;
            if (p < ex->n_risky && ex->risky[p].n_req <= r) ex->scan_risky.base[r] |= UINT64_C(1) << p;
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

/* Whether key y ends at note[i] (i + 1 >= its length). */
static int key_ends_at(const ex_key *y, const char *note, size_t i) {
    size_t n = y->len;
    if (i + 1 < n) return 0;
    const char *b = note + i + 1 - n;
    if (!y->caseless) return memcmp(b, y->s, n) == 0;
    for (size_t j = 0; j < n; j++) {
        unsigned char d = (unsigned char)b[j];
        if ((d >= 'A' && d <= 'Z' ? d | 0x20 : d) != (unsigned char)y->s[j]) return 0;
    }
    return 1;
}

/* The keys the note holds (a bit each), in one pass for both sets: a key
 * ending at byte 0 has one byte; past it, the hashed pair of the byte and
 * the one before tells which keys may end there. */
static uint64_t find_keys(const fu_extractor *ex, const char *note, size_t len) {
    const unsigned char *s = (const unsigned char *)note;
    uint64_t need = ex->all_keys, got = 0;
    if (!len || !need) return 0;
    for (uint64_t m = ex->one_byte; m; m &= m - 1) {
        unsigned k = (unsigned)__builtin_ctzll(m);
        if (key_ends_at(&ex->keys[k], note, 0)) got |= UINT64_C(1) << k;
    }
    need &= ~got;
    for (size_t i = 1; i < len && need; i++) {
        uint64_t m = ex->pair[EX_PAIR(s[i - 1], s[i])] & need;
        while (m) {
            unsigned k = (unsigned)__builtin_ctzll(m);
            m &= m - 1;
            if (key_ends_at(&ex->keys[k], note, i)) {
                got |= UINT64_C(1) << k;
                need &= ~(UINT64_C(1) << k);
            }
        }
    }
    return got;
}

/* Which of the first 64 patterns of a set can match a note holding the keys
 * `found` (a bit each; every pattern past the 64th may): those all of whose
 * requirements hold. */
static uint64_t set_maybe(const ex_scan *sc, uint64_t found) {
    uint64_t ok[EX_REQ_MAX];
    memcpy(ok, sc->base, sizeof ok);
    for (uint64_t m = found; m; m &= m - 1) {
        const uint64_t *s = sc->sat[__builtin_ctzll(m)];
        for (unsigned r = 0; r < EX_REQ_MAX; r++) ok[r] |= s[r];
    }
    uint64_t maybe = ok[0];
    for (unsigned r = 1; r < EX_REQ_MAX; r++) maybe &= ok[r];
    return maybe;
}

/* Where to start the patterns of a set that can match (maybe, see
 * set_maybe()): `len` when none can; 0 (no combined scan) when at most
 * EX_ALONE can, since running them alone costs less than the scan; else the
 * combined scan's start. Starting a pattern at 0 or at the scan's start
 * finds the same matches: no pattern matches before the scan's start. */
#define EX_MAYBE(maybe, p) ((p) >= 64 || ((maybe) >> (p) & 1))
#define EX_ALONE 4
static size_t set_start(fu_extractor *ex, const ex_scan *sc, size_t n, const char *note, size_t len,
                        uint64_t maybe) {
    if (n > 64) return scan_from(ex, sc, note, len);
    if (maybe == 0) return len;
    if (__builtin_popcountll(maybe) <= EX_ALONE) return 0;
    return scan_from(ex, sc, note, len);
}

/* The requirements of every pattern as keys (assign_keys()). */
static int extractor_keys(fu_extractor *ex, const fu_extract_pattern *pats, const uint32_t *pat_flags,
                          const fu_risky_pattern *risky, const uint32_t *risky_flags) {
    size_t n = ex->n_pats + ex->n_risky;
    if (!n) return FU_OK;
    lit_req(*reqs)[EX_REQ_MAX] = fu__calloc(n, sizeof *reqs);
    unsigned *n_req = fu__calloc(n, sizeof *n_req);
    if (!reqs || !n_req) {
        FU_FREE_ALL(reqs, n_req);
        return fu__error_nomem();
    }
    for (size_t i = 0; i < ex->n_pats; i++)
        n_req[i] = pattern_reqs(pats[i].regex, pat_flags ? pat_flags[i] : k_ex_flags, reqs[i]);
    for (size_t i = 0; i < ex->n_risky; i++)
        n_req[ex->n_pats + i] =
            pattern_reqs(risky[i].regex, risky_flags ? risky_flags[i] : k_ex_flags, reqs[ex->n_pats + i]);
    assign_keys(ex, (const lit_req(*)[EX_REQ_MAX])reqs, n_req);
    FU_FREE_ALL(reqs, n_req);
    return FU_OK;
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
        rc = extractor_keys(ex, pats, pat_flags, risky, risky_flags);
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
/* The weekday a match names (0 = Monday .. 6 = Sunday), -1 if none: 一 …
 * 六, 日 / 天 (Sunday), 1 … 7, an English name or its first three letters. */
static int parse_weekday(const char *s, size_t n) {
    static const char *const zh[] = {"一", "二", "三", "四", "五", "六", "日", "天", "七"};
    static const char *const en[] = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"};
    for (int d = 0; d < 9; d++)
        if (n == strlen(zh[d]) && memcmp(s, zh[d], n) == 0) return d < 6 ? d : 6;
    if (n == 1 && s[0] >= '1' && s[0] <= '7') return s[0] - '1';
    for (int d = 0; d < 7; d++) {
        size_t m = strlen(en[d]);
        if ((n == 3 || n == m) && n <= m) {
            size_t i = 0;
            while (i < n && (s[i] | 0x20) == en[d][i]) i++;
            if (i == n) return d;
        }
    }
    return -1;
}

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
    uint64_t found = find_keys(ex, note, len), maybe = set_maybe(&ex->scan_pats, found);
    size_t from = set_start(ex, &ex->scan_pats, ex->n_pats, note, len, maybe);
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
            } else if (rule.group > 0 && (rule.kind == FU_DEADLINE_WEEKDAY || rule.kind == FU_DEADLINE_NEXT_WEEK ||
                                          rule.kind == FU_DEADLINE_WEEK_END)) {
                PCRE2_SIZE *ov = pcre2_get_ovector_pointer(pat->md);
                uint32_t ng = pcre2_get_ovector_count(pat->md);
                size_t g = (size_t)rule.group;
                int wd = g < ng && ov[2 * g] != PCRE2_UNSET ? parse_weekday(note + ov[2 * g], ov[2 * g + 1] - ov[2 * g]) : -1;
                if (wd < 0) continue; /* no weekday we can read: not a promise we can date */
                rule.weekday = (fu_weekday)wd;
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
    maybe = set_maybe(&ex->scan_risky, found);
    from = set_start(ex, &ex->scan_risky, ex->n_risky, note, len, maybe);
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
        return fu__error_set(FU_EINVAL, "fu_extractor_run: %s is NULL",
                             !ex ? "ex" : !out ? "out" : !cal ? "calendar" : "note");
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
    if (!policy || !opts)
        return fu__error_set(FU_EINVAL, "fu_ledger_options_from_policy: %s is NULL", !policy ? "policy" : "opts");
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
    case FU__DEADLINE_TODAY: out->kind = FU_DEADLINE_TODAY; break;
    case FU__DEADLINE_CLOSE: out->kind = FU_DEADLINE_CLOSE; break;
    case FU__DEADLINE_WEEK_END: out->kind = FU_DEADLINE_WEEK_END; break;
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
    if (!out || !policy)
        return fu__error_set(FU_EINVAL, "fu_extractor_new_from_policy: %s is NULL", !out ? "out" : "policy");
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
