/* Section `commitments`: promise-extraction and risky-phrase patterns
 * (PCRE2), deadlines, warning and breach thresholds. Read by lib/commit.c
 * and lib/commit_store.c. The pattern lists are shared with `redaction`. */
#include "policy_core.h"

#include "errtext.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *pcre_malloc(PCRE2_SIZE size, void *ud) {
    (void)ud;
    return fu__malloc(size);
}
static void pcre_free(void *p, void *ud) {
    (void)ud;
    fu__free(p);
}

static int compile_regex(vctx *c, const ynode *n, int ignore_case, pcre2_code **out) {
    int rc = fu__pol_want_scalar(c, n, "a regular expression");
    if (rc) return rc;
    if (!c->gctx) {
        c->gctx = pcre2_general_context_create(pcre_malloc, pcre_free, NULL);
        if (!c->gctx) return fu__error_nomem();
        c->cctx = pcre2_compile_context_create(c->gctx);
        if (!c->cctx) return fu__error_nomem();
    }
    owned *o = NULL;
    rc = fu__pol_register_owned(c, 2, &o);
    if (rc) return rc;
    int err = 0;
    PCRE2_SIZE off = 0;
    uint32_t opts = PCRE2_UTF | PCRE2_UCP | (ignore_case ? PCRE2_CASELESS : 0);
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)n->text, n->len, opts, &err, &off, c->cctx);
    if (!code) {
        if (err == PCRE2_ERROR_HEAP_FAILED) return fu__error_nomem();
        PCRE2_UCHAR buf[200];
        if (pcre2_get_error_message(err, buf, sizeof buf) < 0) snprintf((char *)buf, sizeof buf, "error %d", err);
        unsigned long col = n->col;
        /* exact for a plain or quoted scalar on one line without escapes */
        if (n->single_line) col = n->col + (n->plain ? 0 : 1) + (unsigned long)off;
        return fu__error_set_at(FU_EPOLICY, n->src, n->line, col, c->path,
                                "bad regular expression at offset %zu: %s", (size_t)off, (const char *)buf);
    }
    o->ptr = code;
    *out = code;
    return FU_OK;
}

static int parse_weekday(const char *s, size_t n) {
    static const char *const full[] = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"};
    for (int d = 0; d < 7; d++)
        if (fu__pol_word_eq(s, n, fu__pol_weekday_keys[d]) || fu__pol_word_eq(s, n, full[d])) return d;
    return -1;
}

/* A weekday of a deadline: a name ("fri", "friday") or "$N", the capture
 * group of the regex naming it (N <= captures). 1 when read. */
static int weekday_token(const char *t, size_t len, uint32_t captures, fu__pol_deadline *out) {
    if (len == 2 && t[0] == '$' && t[1] >= '1' && t[1] <= '9') {
        out->group = t[1] - '0';
        out->weekday = 0;
        return out->group <= (int)captures;
    }
    out->weekday = parse_weekday(t, len);
    return out->weekday >= 0;
}

/* Deadline forms: "in <duration>" ($N for a capture group instead of the
 * number), "today HH:MM", "close", "tomorrow HH:MM", "<weekday> HH:MM",
 * "next_week <weekday> HH:MM", "week_end <weekday> HH:MM", "month_end HH:MM"
 * (a weekday may be "$N"). */
static int parse_deadline(vctx *c, const ynode *n, uint32_t captures, fu__pol_deadline *out) {
    int rc = fu__pol_want_scalar(c, n, "a deadline");
    if (rc) return rc;
    memset(out, 0, sizeof *out);
    const char *s = n->text;
    const char *tok[4];
    size_t tl[4], nt = 0;
    for (size_t i = 0; i < n->len;) {
        while (i < n->len && s[i] == ' ') i++;
        if (i >= n->len) break;
        if (nt == 4) {
            nt = 5;
            break;
        }
        tok[nt] = s + i;
        while (i < n->len && s[i] != ' ') i++;
        tl[nt] = (size_t)(s + i - tok[nt]);
        nt++;
    }
    if (nt >= 1 && fu__pol_word_eq(tok[0], tl[0], "in")) {
        char buf[128];
        const char *rest = tok[0] + tl[0];
        size_t rl = n->len - (size_t)(rest - s), k = 0;
        if (rl >= sizeof buf - 1) return fu__pol_verr(c, n, FU_EPOLICY, "deadline too long");
        for (size_t i = 0; i < rl; i++) {
            if (rest[i] == '$' && i + 1 < rl && isdigit((unsigned char)rest[i + 1])) {
                out->group = rest[i + 1] - '0';
                i++;
                buf[k++] = '1';
            } else {
                buf[k++] = rest[i];
            }
        }
        buf[k] = '\0';
        char msg[160];
        size_t col;
        char cell[FU_ERRTEXT_CELL_CAP];
        if (fu__pol_dur_parse(buf, k, &out->dur, &col, msg, sizeof msg) != FU_OK || out->dur.value < 0)
            return fu__pol_verr(c, n, FU_EPOLICY, "bad deadline '%s': expected 'in <duration>', e.g. 'in $1 working days'",
                                fu__errtext_cell(cell, sizeof cell, s, n->len));
        if (out->group > (int)captures)
            return fu__pol_verr(c, n, FU_EPOLICY, "deadline '%s' uses $%d but the regex has %u capture group%s",
                                fu__errtext_cell(cell, sizeof cell, s, n->len), out->group, captures,
                                captures == 1 ? "" : "s");
        out->kind = FU__DEADLINE_IN;
        return FU_OK;
    }
    int ok = 0, minute = 0;
    if (nt == 1 && fu__pol_word_eq(tok[0], tl[0], "close")) {
        out->kind = FU__DEADLINE_CLOSE;
        ok = 1;
    } else if (nt == 2 && fu__pol_word_eq(tok[0], tl[0], "today")) {
        out->kind = FU__DEADLINE_TODAY;
        ok = fu__pol_parse_hhmm(tok[1], tl[1], &minute) == 0;
    } else if (nt == 2 && fu__pol_word_eq(tok[0], tl[0], "tomorrow")) {
        out->kind = FU__DEADLINE_TOMORROW;
        ok = fu__pol_parse_hhmm(tok[1], tl[1], &minute) == 0;
    } else if (nt == 2 && fu__pol_word_eq(tok[0], tl[0], "month_end")) {
        out->kind = FU__DEADLINE_MONTH_END;
        ok = fu__pol_parse_hhmm(tok[1], tl[1], &minute) == 0;
    } else if (nt == 3 && (fu__pol_word_eq(tok[0], tl[0], "next_week") || fu__pol_word_eq(tok[0], tl[0], "week_end"))) {
        out->kind = tok[0][0] == 'n' ? FU__DEADLINE_NEXT_WEEK : FU__DEADLINE_WEEK_END;
        ok = weekday_token(tok[1], tl[1], captures, out) && fu__pol_parse_hhmm(tok[2], tl[2], &minute) == 0;
    } else if (nt == 2) {
        out->kind = FU__DEADLINE_WEEKDAY;
        ok = weekday_token(tok[0], tl[0], captures, out) && fu__pol_parse_hhmm(tok[1], tl[1], &minute) == 0;
    }
    if (!ok || minute >= 1440) {
        char cell[FU_ERRTEXT_CELL_CAP];
        return fu__pol_verr(c, n, FU_EPOLICY,
                    "bad deadline '%s': expected 'in <duration>', 'today HH:MM', 'close', 'tomorrow HH:MM', "
                    "'<weekday> HH:MM', 'next_week <weekday> HH:MM', 'week_end <weekday> HH:MM' or "
                    "'month_end HH:MM' (a weekday may be $N: the capture group naming it)",
                    fu__errtext_cell(cell, sizeof cell, s, n->len));
    }
    out->minute_of_day = minute;
    return FU_OK;
}


static int read_pattern(bctx *b, const ynode *e, fu__pol_pattern *pt, int kind) {
    static const char *const dl_keys[] = {"regex", "deadline", "ignore_case", NULL};
    static const char *const rs_keys[] = {"regex", "reason", "ignore_case", NULL};
    static const char *const rp_keys[] = {"regex", "replacement", "ignore_case", NULL};
    vctx *c = b->c;
    const ynode *rx = NULL, *dl = NULL;
    int icase = 1, rc = FU_OK;
    if (!rc) rc = fu__pol_check_keys(c, e, kind == PAT_DEADLINE ? dl_keys : kind == PAT_REASON ? rs_keys : rp_keys);
    if (!rc) rc = fu__pol_rd_bool(c, e, "ignore_case", 0, &icase);
    if (!rc) rc = fu__pol_field(c, e, "regex", 1, &rx);
    if (!rc) {
        size_t o3 = fu__pol_path_push(c, "regex");
        rc = compile_regex(c, rx, icase, &pt->code);
        pt->regex = rx->text;
        fu__pol_path_pop(c, o3);
    }
    if (!rc && kind == PAT_DEADLINE) {
        rc = fu__pol_field(c, e, "deadline", 1, &dl);
        if (!rc) {
            uint32_t caps = 0;
            pcre2_pattern_info(pt->code, PCRE2_INFO_CAPTURECOUNT, &caps);
            size_t o3 = fu__pol_path_push(c, "deadline");
            rc = parse_deadline(c, dl, caps, &pt->deadline);
            fu__pol_path_pop(c, o3);
        }
    } else if (!rc && kind == PAT_REASON) {
        rc = fu__pol_rd_str(c, e, "reason", 1, &pt->reason);
    } else if (!rc) {
        pt->reason = "***";
        rc = fu__pol_rd_str(c, e, "replacement", 0, &pt->reason);
    }
    return rc;
}

static int pattern_deadline(bctx *b, const char *name, const ynode *e, void *elem) {
    (void)name;
    return read_pattern(b, e, elem, PAT_DEADLINE);
}
static int pattern_reason(bctx *b, const char *name, const ynode *e, void *elem) {
    (void)name;
    return read_pattern(b, e, elem, PAT_REASON);
}
static int pattern_replacement(bctx *b, const char *name, const ynode *e, void *elem) {
    (void)name;
    return read_pattern(b, e, elem, PAT_REPLACEMENT);
}

/* By kind (PAT_*): the rule names of the patterns and how each is read. */
const fu__pol_entries fu__pol_pattern_entries[] = {
    {sizeof(fu__pol_pattern), "commitments.patterns", NULL, pattern_deadline},
    {sizeof(fu__pol_pattern), "commitments.risky", NULL, pattern_reason},
    {sizeof(fu__pol_pattern), "redaction.extra", NULL, pattern_replacement},
};

static int read_calendar(bctx *b, const fu__pol_key *k, const ynode *val, void *base) {
    fu__pol_commitments *cm = base;
    (void)k;
    return fu__pol_calendar_ref(b->c, val, &cm->calendar);
}

static int read_breach_at(bctx *b, const fu__pol_key *k, const ynode *val, void *base) {
    fu__pol_commitments *cm = base;
    (void)k;
    return fu__pol_share_of(b->c, val, cm->warn_at, 1, &cm->breach_at);
}

static const fu__pol_key commitments_rows[] = {
    FU__KEY_FN("calendar", 0, read_calendar),
    FU__KEY_SHARE(fu__pol_commitments, warn_at, "warn_at", 1, 0.01, 1),
    {FU__KEY_("breach_at", FU__K_FN, fu__pol_commitments, breach_at, 0), .has_def = 1, .def = 1.0,
     .read = read_breach_at},
    FU__KEY_DUR(fu__pol_commitments, escalate_after, "escalate_after", 1, DUR_WALL | DUR_BUSINESS | DUR_WORKDAYS),
    FU__KEY_DUR(fu__pol_commitments, default_deadline, "default_deadline", 1, DUR_ANY | DUR_ZERO),
    FU__KEY_LIST(fu__pol_commitments, patterns, n_patterns, "patterns", 0, &fu__pol_pattern_entries[PAT_DEADLINE]),
    FU__KEY_LIST(fu__pol_commitments, risky, n_risky, "risky", 0, &fu__pol_pattern_entries[PAT_REASON]),
};
static const fu__pol_keys commitments_keys = FU__KEYS(commitments_rows, NULL, NULL);

int fu__pol_build_commitments(bctx *b, const ynode *root) {
    fu__policy *t = &b->c->p->t;
    t->commitments.calendar = t->calendar;
    return fu__pol_read_map(b, root, "commitments", 1, &commitments_keys, &t->commitments);
}


void fu__pol_summary_commitments(fu__buf *b, const fu__policy *t) {
    const fu__pol_commitments *cm = &t->commitments;
    fu__buf_printf(b, "commitments: warn at %.0f%%, breach at %.0f%% of the allowed time, escalate after ",
                   cm->warn_at * 100, cm->breach_at * 100);
    fu__pol_put_dur(b, &cm->escalate_after);
    fu__buf_printf(b, "; %zu promise patterns, %zu risky-phrase patterns (calendar %s)\n", cm->n_patterns,
                   cm->n_risky, cm->calendar->name);
}

const fu__pol_commitments *fu__policy_commitments(const fu_policy *p) { return p ? &p->t.commitments : NULL; }
