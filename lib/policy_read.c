/* Validation of the merged YAML tree: the key path of the value being read,
 * errors with file:line:column and "did you mean", typed readers of scalars
 * (numbers, shares, whole numbers, booleans, durations, names) and of
 * conditions (`when:`), shared by every section builder. */
#include "policy_core.h"
#include "errtext.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t fu__pol_path_push(vctx *c, const char *key) {
    size_t old = c->plen;
    int n = snprintf(c->path + old, sizeof c->path - old, "%s%s", old ? "." : "", key);
    if (n > 0) c->plen = old + (size_t)n < sizeof c->path ? old + (size_t)n : sizeof c->path - 1;
    return old;
}

size_t fu__pol_path_push_idx(vctx *c, size_t i) {
    size_t old = c->plen;
    int n = snprintf(c->path + old, sizeof c->path - old, "[%zu]", i);
    if (n > 0) c->plen = old + (size_t)n < sizeof c->path ? old + (size_t)n : sizeof c->path - 1;
    return old;
}

void fu__pol_path_pop(vctx *c, size_t old) {
    c->plen = old;
    c->path[old] = '\0';
}

int fu__pol_verr(vctx *c, const ynode *n, int code, const char *fmt, ...) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return fu__error_set_at(code, n ? n->src : "", n ? n->line : 0, n ? n->col : 0, c->path, "%s", msg);
}

int fu__pol_key_err(vctx *c, const ynode *map, const char *key, const char *fmt, ...) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    size_t old = fu__pol_path_push(c, key);
    int rc = fu__pol_verr(c, fu__pol_map_get(map, key), FU_EPOLICY, "%s", msg);
    fu__pol_path_pop(c, old);
    return rc;
}

/* A short description of a node for "expected X, got Y" messages. */
const char *fu__pol_node_desc(const ynode *n, char *buf, size_t size) {
    if (n->kind == YN_MAP) return "a mapping";
    if (n->kind == YN_SEQ) return "a sequence";
    if (n->is_null) return "nothing (null)";
    snprintf(buf, size, "'%.40s%s'", n->text, n->len > 40 ? "..." : "");
    return buf;
}

/* Optimal string alignment distance: insertions, deletions, substitutions
 * and transpositions of neighbours ("vpi" -> "vip") cost 1. */
static size_t edit_distance(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63) return 64;
    size_t d[64][64];
    for (size_t i = 0; i <= la; i++) d[i][0] = i;
    for (size_t j = 0; j <= lb; j++) d[0][j] = j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < best) best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best) best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[la][lb];
}

/* The closest candidate within a small edit distance, or NULL. */
static const char *suggest(const char *word, const char *const *cands, size_t n) {
    const char *best = NULL;
    size_t bd = (size_t)-1;
    size_t wl = strlen(word);
    size_t limit = wl <= 4 ? 1 : (wl <= 8 ? 2 : 3);
    for (size_t i = 0; i < n; i++) {
        size_t d = edit_distance(word, cands[i]);
        if (d < bd) {
            bd = d;
            best = cands[i];
        }
    }
    return bd <= limit ? best : NULL;
}

static size_t count_names(const char *const *names) {
    size_t n = 0;
    while (names[n]) n++;
    return n;
}

/* "unknown X 'w' (did you mean 'y'?)" or "...; expected one of: a, b". */
int fu__pol_unknown_name(vctx *c, const ynode *at, const char *what, const char *word,
                        const char *const *cands, size_t n) {
    const char *s = suggest(word, cands, n);
    char q[FU_ERRTEXT_CELL_CAP]; /* the word as echoed (review s9 F2) */
    fu__errtext_cell_str(q, sizeof q, word);
    if (s) return fu__pol_verr(c, at, FU_EPOLICY, "unknown %s '%s' (did you mean '%s'?)", what, q, s);
    char list[300];
    size_t used = 0;
    list[0] = '\0';
    for (size_t i = 0; i < n && used + 4 < sizeof list; i++) {
        int k = snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", cands[i]);
        if (k < 0 || (size_t)k >= sizeof list - used) {
            used = sizeof list - 1;
            break;
        }
        used += (size_t)k;
    }
    if (n == 0) return fu__pol_verr(c, at, FU_EPOLICY, "unknown %s '%s'", what, q);
    return fu__pol_verr(c, at, FU_EPOLICY, "unknown %s '%s'; expected one of: %s", what, q, list);
}

int fu__pol_want_map(vctx *c, const ynode *n) {
    char b[64];
    if (n->kind != YN_MAP) return fu__pol_verr(c, n, FU_EPOLICY, "expected a mapping, got %s", fu__pol_node_desc(n, b, sizeof b));
    return FU_OK;
}

int fu__pol_want_seq(vctx *c, const ynode *n) {
    char b[64];
    if (n->kind != YN_SEQ) return fu__pol_verr(c, n, FU_EPOLICY, "expected a sequence, got %s", fu__pol_node_desc(n, b, sizeof b));
    return FU_OK;
}

/* A mapping whose keys are all in `allowed` (NULL-terminated). */
int fu__pol_check_keys(vctx *c, const ynode *map, const char *const *allowed) {
    int rc = fu__pol_want_map(c, map);
    if (rc) return rc;
    size_t na = count_names(allowed);
    for (size_t i = 0; i < map->n; i++) {
        const char *k = map->ents[i].key->text;
        size_t j;
        for (j = 0; j < na; j++)
            if (strcmp(k, allowed[j]) == 0) break;
        if (j == na) {
            size_t old = fu__pol_path_push(c, k);
            rc = fu__pol_unknown_name(c, map->ents[i].key, "key", k, allowed, na);
            fu__pol_path_pop(c, old);
            return rc;
        }
    }
    return FU_OK;
}

/* The value of `key`, NULL when absent or null; an error when required. */
int fu__pol_field(vctx *c, const ynode *map, const char *key, int required, const ynode **out) {
    const ynode *v = fu__pol_map_get(map, key);
    if (v && v->kind == YN_SCALAR && v->is_null) v = NULL;
    *out = v;
    if (!v && required) {
        size_t old = fu__pol_path_push(c, key);
        int rc = fu__pol_verr(c, map, FU_EPOLICY, "missing required key '%s'", key);
        fu__pol_path_pop(c, old);
        return rc;
    }
    return FU_OK;
}

int fu__pol_want_scalar(vctx *c, const ynode *n, const char *what) {
    char b[64];
    if (n->kind != YN_SCALAR || n->is_null)
        return fu__pol_verr(c, n, FU_EPOLICY, "expected %s, got %s", what, fu__pol_node_desc(n, b, sizeof b));
    return FU_OK;
}

/* Numbers: decimal, optional sign, fraction, exponent, '_' separators, and a
 * trailing '%' (divides by 100). */
int fu__pol_parse_number(const char *s, size_t len, double *out, int *pct) {
    char buf[64];
    size_t k = 0;
    *pct = 0;
    if (len && s[len - 1] == '%') {
        *pct = 1;
        len--;
        while (len && s[len - 1] == ' ') len--;
    }
    if (len == 0 || len >= sizeof buf) return -1;
    for (size_t i = 0; i < len; i++) {
        char ch = s[i];
        if (ch == '_' && i > 0 && isdigit((unsigned char)s[i - 1]) && i + 1 < len &&
            isdigit((unsigned char)s[i + 1]))
            continue;
        if (!(isdigit((unsigned char)ch) || ch == '.' || ch == '-' || ch == '+' || ch == 'e' || ch == 'E'))
            return -1;
        buf[k++] = ch;
    }
    buf[k] = '\0';
    int digits = 0;
    for (size_t i = 0; i < k; i++) digits += isdigit((unsigned char)buf[i]) != 0;
    if (!digits) return -1;
    char *end;
    errno = 0;
    double v = strtod(buf, &end);
    if (*end != '\0' || errno == ERANGE || !isfinite(v)) return -1;
    *out = *pct ? v / 100.0 : v;
    return 0;
}

/* The number in the scalar `n`, or an error "expected <what>, got ...". */
static int number_at(vctx *c, const ynode *n, const char *want, const char *what, double *v, int *pct) {
    int rc = fu__pol_want_scalar(c, n, want);
    if (rc) return rc;
    if (fu__pol_parse_number(n->text, n->len, v, pct) != 0)
        return fu__pol_verr(c, n, FU_EPOLICY, "expected %s, got '%.40s'", what, n->text);
    return FU_OK;
}

/* v within [lo, hi], or an error (whole: the bounds are written as integers). */
static int in_range(vctx *c, const ynode *n, double v, double lo, double hi, int whole) {
    if (v >= lo && v <= hi) return FU_OK;
    if (v < 0 && lo >= 0) return fu__pol_verr(c, n, FU_EPOLICY, "must not be negative, got %s", n->text);
    if (whole) return fu__pol_verr(c, n, FU_EPOLICY, "%s is out of range [%ld, %ld]", n->text, (long)lo, (long)hi);
    return fu__pol_verr(c, n, FU_EPOLICY, "%s is out of range [%g, %g]", n->text, lo, hi);
}

static int num_of(vctx *c, const ynode *n, double lo, double hi, double *out) {
    double v;
    int pct;
    int rc = number_at(c, n, "a number", "a number", &v, &pct);
    if (!rc) rc = in_range(c, n, v, lo, hi, 0);
    if (!rc) *out = v;
    return rc;
}

/* A share in [lo, hi] (within [0,1]): 0.75 or 75%. */
int fu__pol_share_of(vctx *c, const ynode *n, double lo, double hi, double *out) {
    double v;
    int pct;
    int rc = number_at(c, n, "a share (0.75 or 75%)", "a share like 0.75 or 75%", &v, &pct);
    if (!rc && (v < lo || v > hi))
        rc = fu__pol_verr(c, n, FU_EPOLICY, "a share must lie in [%g, %g] (%g%% to %g%%), got %s", lo, hi, lo * 100,
                          hi * 100, n->text);
    if (!rc) *out = v;
    return rc;
}

static int int_of(vctx *c, const ynode *n, long lo, long hi, int *out) {
    double v;
    int pct;
    int rc = number_at(c, n, "a whole number", "a whole number", &v, &pct);
    if (!rc && (pct || v != floor(v)))
        rc = fu__pol_verr(c, n, FU_EPOLICY, "expected a whole number, got '%.40s'", n->text);
    if (!rc) rc = in_range(c, n, v, (double)lo, (double)hi, 1);
    if (!rc) *out = (int)v;
    return rc;
}

int fu__pol_str_of(vctx *c, const ynode *n, const char **out) {
    int rc = fu__pol_want_scalar(c, n, "text");
    if (rc) return rc;
    *out = n->text;
    return FU_OK;
}

static int bool_of(vctx *c, const ynode *n, int *out) {
    int rc = fu__pol_want_scalar(c, n, "true or false");
    if (rc) return rc;
    int b = fu__pol_bool_word(n->text, n->len);
    if (b < 0) {
        char q[FU_ERRTEXT_CELL_CAP];
        return fu__pol_verr(c, n, FU_EPOLICY, "expected true or false (yes/no, on/off), got '%s'",
                            fu__errtext_cell_str(q, sizeof q, n->text));
    }
    *out = b;
    return FU_OK;
}


static int dur_of(vctx *c, const ynode *n, unsigned flags, fu_duration *out) {
    int rc = fu__pol_want_scalar(c, n, "a duration (48h, 7d, 1 month, 7 working days)");
    if (rc) return rc;
    char msg[160], q[FU_ERRTEXT_CELL_CAP]; /* q: the text as echoed (review s9 F2) */
    size_t col;
    fu_duration d;
    rc = fu__pol_dur_parse(n->text, n->len, &d, &col, msg, sizeof msg);
    if (rc) {
        unsigned long ecol = n->col;
        if (n->single_line) ecol = n->col + (n->plain ? 0 : 1) + (col ? col - 1 : 0);
        return fu__error_set_at(rc == FU_ERANGE ? FU_EPOLICY : FU_EPOLICY, n->src, n->line, ecol, c->path,
                                "bad duration '%s': %s", fu__errtext_cell_str(q, sizeof q, n->text), msg);
    }
    unsigned ubit = d.unit == FU_DURATION_SECONDS ? DUR_WALL
                  : d.unit == FU_DURATION_BUSINESS_SECONDS ? DUR_BUSINESS
                  : d.unit == FU_DURATION_WORKING_DAYS ? DUR_WORKDAYS : DUR_MONTHS;
    if (!(flags & ubit)) {
        const char *what = ubit == DUR_WALL ? "wall-clock time" : ubit == DUR_BUSINESS ? "business time"
                         : ubit == DUR_WORKDAYS ? "working days" : "calendar months";
        return fu__pol_verr(c, n, FU_EPOLICY, "a duration in %s is not allowed here (got '%s')", what,
                            fu__errtext_cell_str(q, sizeof q, n->text));
    }
    if (d.value < 0 && !(flags & DUR_NEG))
        return fu__pol_verr(c, n, FU_EPOLICY, "duration must not be negative, got '%s'",
                            fu__errtext_cell_str(q, sizeof q, n->text));
    if (d.value == 0 && !(flags & DUR_ZERO))
        return fu__pol_verr(c, n, FU_EPOLICY, "duration must be longer than zero, got '%s'",
                            fu__errtext_cell_str(q, sizeof q, n->text));
    /* absurd: more than 100 years */
    int64_t a = d.value < 0 ? -d.value : d.value;
    int64_t cap = d.unit == FU_DURATION_MONTHS ? 1200
                : d.unit == FU_DURATION_WORKING_DAYS ? 36500 : (int64_t)100 * 366 * 86400;
    if (a > cap) return fu__pol_verr(c, n, FU_EPOLICY, "duration '%s' is longer than 100 years",
                                   fu__errtext_cell_str(q, sizeof q, n->text));
    *out = d;
    return FU_OK;
}

/* An index into `names` (NULL-terminated). */
static int enum_of(vctx *c, const ynode *n, const char *what, const char *const *names, int *out) {
    char buf[80];
    snprintf(buf, sizeof buf, "a %s", what);
    int rc = fu__pol_want_scalar(c, n, buf);
    if (rc) return rc;
    for (int i = 0; names[i]; i++)
        if (strcmp(n->text, names[i]) == 0) {
            *out = i;
            return FU_OK;
        }
    return fu__pol_unknown_name(c, n, what, n->text, names, count_names(names));
}


/* ---- field readers: look up `key` in `map`, push it on the path ---- */

#define FIELD_BEGIN(req)                                   \
    const ynode *v_;                                       \
    int rc_ = fu__pol_field(c, map, key, (req), &v_);              \
    if (rc_ || !v_) return rc_;                            \
    size_t old_ = fu__pol_path_push(c, key);
#define FIELD_END(expr) \
    rc_ = (expr);       \
    fu__pol_path_pop(c, old_);  \
    return rc_;

int fu__pol_rd_num(vctx *c, const ynode *map, const char *key, int req, double lo, double hi, double *out) {
    FIELD_BEGIN(req)
    FIELD_END(num_of(c, v_, lo, hi, out))
}
int fu__pol_rd_share(vctx *c, const ynode *map, const char *key, int req, double lo, double hi, double *out) {
    FIELD_BEGIN(req)
    FIELD_END(fu__pol_share_of(c, v_, lo, hi, out))
}
int fu__pol_rd_int(vctx *c, const ynode *map, const char *key, int req, long lo, long hi, int *out) {
    FIELD_BEGIN(req)
    FIELD_END(int_of(c, v_, lo, hi, out))
}
int fu__pol_rd_str(vctx *c, const ynode *map, const char *key, int req, const char **out) {
    FIELD_BEGIN(req)
    FIELD_END(fu__pol_str_of(c, v_, out))
}
int fu__pol_rd_bool(vctx *c, const ynode *map, const char *key, int req, int *out) {
    FIELD_BEGIN(req)
    FIELD_END(bool_of(c, v_, out))
}
int fu__pol_rd_dur(vctx *c, const ynode *map, const char *key, int req, unsigned flags, fu_duration *out) {
    FIELD_BEGIN(req)
    FIELD_END(dur_of(c, v_, flags, out))
}
int fu__pol_rd_enum(vctx *c, const ynode *map, const char *key, int req, const char *what,
                   const char *const *names, int *out) {
    FIELD_BEGIN(req)
    FIELD_END(enum_of(c, v_, what, names, out))
}

char *fu__pol_rule_name(vctx *c, const char *a, const char *b, const char *d) {
    size_t n = strlen(a) + strlen(b) + (d ? strlen(d) + 1 : 0) + 2;
    char *s = fu__arena_alloc(c->a, n);
    if (!s) return NULL;
    if (d) snprintf(s, n, "%s.%s.%s", a, b, d);
    else snprintf(s, n, "%s.%s", a, b);
    return s;
}

/* ================================================================ builders */

const char *const fu__pol_lifecycle_names[] = {"new", "growing", "mature", "declining", "churned", NULL};
const char *const fu__pol_promise_state_names[] = {"at_risk", "breached", "fulfilled", NULL};

const char *fu__pol_promise_state_name(int state) {
    return state >= 0 && state < 3 ? fu__pol_promise_state_names[state] : "?";
}
const char *const fu__pol_channel_names[] = {"phone", "sms", "email", "chat", "video", "visit", NULL};
const char *const fu__pol_priority_names[] = {"urgent", "high", "normal", "low", NULL};
const char *const fu__pol_action_names[] = {"skip_routine", "defer", "service_recovery", NULL};
const char *const fu__pol_weekday_keys[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun", NULL};

const char *fu__pol_lifecycle_name(int s) { return s >= 0 && s < FU__LC_COUNT ? fu__pol_lifecycle_names[s] : NULL; }
const char *fu__pol_channel_name(int ch) { return ch >= 0 && ch < FU__CH_COUNT ? fu__pol_channel_names[ch] : NULL; }
const char *fu__pol_priority_name(int p) { return p >= 0 && p < FU__PRIO_COUNT ? fu__pol_priority_names[p] : NULL; }
const char *fu__pol_action_name(int a) { return a >= 0 && a <= FU__ACTION_SERVICE_RECOVERY ? fu__pol_action_names[a] : NULL; }

int fu__pol_register_owned(vctx *c, int kind, owned **out) {
    owned *o = fu__arena_calloc(c->a, 1, sizeof *o);
    if (!o) return fu__error_nomem();
    o->kind = kind;
    o->next = c->p->owned;
    c->p->owned = o;
    *out = o;
    return FU_OK;
}


/* A sequence of names (or one name) turned into a bit mask over `cands`. */
static int names_mask(vctx *c, const ynode *n, const char *what, const char *const *cands, size_t nc,
                      uint32_t *out) {
    *out = 0;
    const ynode *one[1];
    const ynode *const *items;
    size_t cnt;
    if (n->kind == YN_SCALAR && !n->is_null) {
        one[0] = n;
        items = one;
        cnt = 1;
    } else {
        int rc = fu__pol_want_seq(c, n);
        if (rc) return rc;
        items = (const ynode *const *)n->items;
        cnt = n->n;
    }
    for (size_t i = 0; i < cnt; i++) {
        size_t old = n->kind == YN_SEQ ? fu__pol_path_push_idx(c, i) : c->plen;
        char b[80];
        snprintf(b, sizeof b, "a %s name", what);
        int rc = fu__pol_want_scalar(c, items[i], b);
        size_t j = 0;
        if (!rc) {
            for (j = 0; j < nc; j++)
                if (strcmp(items[i]->text, cands[j]) == 0) break;
            if (j == nc) rc = fu__pol_unknown_name(c, items[i], what, items[i]->text, cands, nc);
        }
        fu__pol_path_pop(c, old);
        if (rc) return rc;
        *out |= 1u << j;
    }
    return FU_OK;
}

int fu__pol_rd_mask(vctx *c, const ynode *map, const char *key, const char *what, const char *const *cands,
                   size_t nc, uint32_t *out) {
    *out = 0;
    FIELD_BEGIN(0)
    FIELD_END(names_mask(c, v_, what, cands, nc, out))
}

int fu__pol_strs_of(vctx *c, const ynode *n, fu__pol_strs *out) {
    out->v = NULL;
    out->n = 0;
    if (n->kind == YN_SCALAR && !n->is_null) {
        const char **v = fu__arena_alloc(c->a, sizeof *v);
        if (!v) return fu__error_nomem();
        v[0] = n->text;
        out->v = v;
        out->n = 1;
        return FU_OK;
    }
    int rc = fu__pol_want_seq(c, n);
    if (rc) return rc;
    const char **v = fu__arena_alloc(c->a, (n->n ? n->n : 1) * sizeof *v);
    if (!v) return fu__error_nomem();
    for (size_t i = 0; i < n->n; i++) {
        size_t old = fu__pol_path_push_idx(c, i);
        rc = fu__pol_str_of(c, n->items[i], &v[i]);
        fu__pol_path_pop(c, old);
        if (rc) return rc;
    }
    out->v = v;
    out->n = n->n;
    return FU_OK;
}

static int rd_strs(vctx *c, const ynode *map, const char *key, fu__pol_strs *out) {
    out->v = NULL;
    out->n = 0;
    FIELD_BEGIN(0)
    FIELD_END(fu__pol_strs_of(c, v_, out))
}

static const char *const when_keys[] = {"tier", "product_class", "lifecycle", "rfm_group", "severity",
                                        "industry", "risk", "is_smb", "min_tenure", "survey", "score_at_most",
                                        "unresolved", NULL};
static const char *const survey_scale_names[] = {"none", "csat", "nps", "ces", NULL};

int fu__pol_rd_when(bctx *b, const ynode *map, const char *key, fu__pol_when *out) {
    vctx *c = b->c;
    memset(out, 0, sizeof *out);
    out->is_smb = -1;
    const ynode *w;
    int rc = fu__pol_field(c, map, key, 0, &w);
    if (rc || !w) return rc;
    size_t old = fu__pol_path_push(c, key);
    rc = fu__pol_check_keys(c, w, when_keys);
    if (!rc) rc = fu__pol_rd_mask(c, w, "tier", "value tier", b->tiers.v, b->tiers.n, &out->tiers);
    if (!rc) rc = fu__pol_rd_mask(c, w, "product_class", "product class", b->classes.v, b->classes.n, &out->product_classes);
    if (!rc) rc = fu__pol_rd_mask(c, w, "lifecycle", "lifecycle stage", fu__pol_lifecycle_names, FU__LC_COUNT, &out->lifecycles);
    if (!rc) rc = fu__pol_rd_mask(c, w, "rfm_group", "RFM group", b->rfm.v, b->rfm.n, &out->rfm_groups);
    if (!rc) rc = rd_strs(c, w, "severity", &out->severities);
    if (!rc) rc = rd_strs(c, w, "industry", &out->industries);
    if (!rc) rc = rd_strs(c, w, "risk", &out->risks);
    if (!rc && fu__pol_map_get(w, "is_smb")) rc = fu__pol_rd_bool(c, w, "is_smb", 0, &out->is_smb);
    if (!rc && fu__pol_map_get(w, "min_tenure")) {
        rc = fu__pol_rd_dur(c, w, "min_tenure", 0, DUR_WALL | DUR_MONTHS | DUR_ZERO, &out->min_tenure.d);
        out->min_tenure.set = 1;
    }
    /* survey answers: the scale (csat, nps, ces) and a score at most this */
    if (!rc) rc = fu__pol_rd_mask(c, w, "survey", "survey scale", survey_scale_names, 4, &out->surveys);
    if (!rc && fu__pol_map_get(w, "score_at_most")) {
        rc = fu__pol_rd_num(c, w, "score_at_most", 0, -1000, 1000, &out->score_max);
        out->has_score_max = 1;
    }
    if (!rc) rc = fu__pol_rd_bool(c, w, "unresolved", 0, &out->unresolved);
    fu__pol_path_pop(c, old);
    return rc;
}


/* ---- summary writers ---- */

void fu__pol_put_dur(fu__buf *b, const fu_duration *d) {
    char tmp[64];
    fu_duration_format(d, tmp, sizeof tmp);
    fu__buf_puts(b, tmp);
}

void fu__pol_put_mask(fu__buf *b, uint32_t mask, const char *const *names, size_t n) {
    int first = 1;
    for (size_t i = 0; i < n; i++)
        if (mask & (1u << i)) {
            fu__buf_printf(b, "%s%s", first ? "" : "/", names[i]);
            first = 0;
        }
}

void fu__pol_put_when(fu__buf *b, const fu__policy *t, const fu__pol_when *w) {
    const char *tn[FU__POL_MAX_TIERS], *cn[FU__POL_MAX_TIERS], *rn[FU__POL_MAX_TIERS];
    for (size_t i = 0; i < t->segments.n_tiers; i++) tn[i] = t->segments.tiers[i].name;
    for (size_t i = 0; i < t->segments.n_classes; i++) cn[i] = t->segments.classes[i].name;
    for (size_t i = 0; i < t->segments.n_rfm_groups; i++) rn[i] = t->segments.rfm_groups[i].name;
    if (w->tiers) { fu__buf_puts(b, " tier="); fu__pol_put_mask(b, w->tiers, tn, t->segments.n_tiers); }
    if (w->product_classes) { fu__buf_puts(b, " class="); fu__pol_put_mask(b, w->product_classes, cn, t->segments.n_classes); }
    if (w->lifecycles) { fu__buf_puts(b, " lifecycle="); fu__pol_put_mask(b, w->lifecycles, fu__pol_lifecycle_names, FU__LC_COUNT); }
    if (w->rfm_groups) { fu__buf_puts(b, " rfm="); fu__pol_put_mask(b, w->rfm_groups, rn, t->segments.n_rfm_groups); }
    const fu__pol_strs *lists[3] = {&w->severities, &w->industries, &w->risks};
    const char *lnames[3] = {"severity", "industry", "risk"};
    for (int k = 0; k < 3; k++)
        if (lists[k]->n) {
            fu__buf_printf(b, " %s=", lnames[k]);
            for (size_t i = 0; i < lists[k]->n; i++) fu__buf_printf(b, "%s%s", i ? "/" : "", lists[k]->v[i]);
        }
    if (w->is_smb >= 0) fu__buf_printf(b, " smb=%s", w->is_smb ? "yes" : "no");
    if (w->min_tenure.set) { fu__buf_puts(b, " tenure>="); fu__pol_put_dur(b, &w->min_tenure.d); }
}

/* ---- key tables ---- */

static void set_defaults(const fu__pol_keys *t, void *base) {
    for (size_t i = 0; i < t->n; i++) {
        const fu__pol_key *k = &t->v[i];
        char *f = (char *)base + k->offset;
        if (k->type == FU__K_MAP && k->sub) set_defaults(k->sub, base);
        if (!k->has_def) continue;
        if (k->type == FU__K_NUM || k->type == FU__K_SHARE || k->type == FU__K_FN) *(double *)(void *)f = k->def;
        else if (k->type == FU__K_INT || k->type == FU__K_BOOL || k->type == FU__K_ENUM) *(int *)(void *)f = (int)k->def;
    }
}

static int read_key(bctx *b, const ynode *map, const fu__pol_key *k, void *base) {
    vctx *c = b->c;
    void *f = (char *)base + k->offset;
    int rc = FU_OK;
    switch (k->type) {
    case FU__K_NUM: rc = fu__pol_rd_num(c, map, k->name, k->required, k->lo, k->hi, f); break;
    case FU__K_SHARE: rc = fu__pol_rd_share(c, map, k->name, k->required, k->lo, k->hi, f); break;
    case FU__K_INT: rc = fu__pol_rd_int(c, map, k->name, k->required, (long)k->lo, (long)k->hi, f); break;
    case FU__K_BOOL: rc = fu__pol_rd_bool(c, map, k->name, k->required, f); break;
    case FU__K_STR: rc = fu__pol_rd_str(c, map, k->name, k->required, f); break;
    case FU__K_DUR: rc = fu__pol_rd_dur(c, map, k->name, k->required, k->units, f); break;
    case FU__K_ENUM: rc = fu__pol_rd_enum(c, map, k->name, k->required, k->what, k->names, f); break;
    case FU__K_MASK: rc = fu__pol_rd_mask(c, map, k->name, k->what, k->names, count_names(k->names), f); break;
    case FU__K_WHEN: rc = fu__pol_rd_when(b, map, k->name, f); break;
    case FU__K_MAP: rc = fu__pol_read_map(b, map, k->name, k->required, k->sub, base); break;
    case FU__K_LIST: {
        void *v = NULL;
        rc = fu__pol_read_named(b, map, k->name, k->required, k->list, &v, (size_t *)(void *)((char *)base + k->count_offset));
        if (!rc && v) memcpy(f, &v, sizeof v); /* the element pointer of the struct */
        break;
    }
    case FU__K_FN: {
        const ynode *v;
        size_t old;
        rc = fu__pol_enter(c, map, k->name, k->required, &v, &old);
        if (rc || !v) break;
        rc = k->read(b, k, v, base);
        fu__pol_path_pop(c, old);
        break;
    }
    }
    if (!rc && k->check) rc = k->check(b, map, base);
    return rc;
}

int fu__pol_read_keys(bctx *b, const ynode *map, const fu__pol_keys *t, void *base) {
    const char *names[48];
    const char *const *allowed = t->allowed;
    set_defaults(t, base);
    if (!allowed) {
        size_t n = 0;
        for (; n < t->n && n + 1 < sizeof names / sizeof names[0]; n++) names[n] = t->v[n].name;
        names[n] = NULL;
        allowed = names;
    }
    int rc = fu__pol_check_keys(b->c, map, allowed);
    for (size_t i = 0; !rc && i < t->n; i++) rc = read_key(b, map, &t->v[i], base);
    if (!rc && t->check) rc = t->check(b, map, base);
    return rc;
}

int fu__pol_read_map(bctx *b, const ynode *map, const char *key, int required, const fu__pol_keys *t, void *base) {
    vctx *c = b->c;
    const ynode *n;
    set_defaults(t, base);
    int rc = fu__pol_field(c, map, key, required, &n);
    if (rc || !n) return rc;
    size_t old = fu__pol_path_push(c, key);
    rc = fu__pol_read_keys(b, n, t, base);
    fu__pol_path_pop(c, old);
    return rc;
}

int fu__pol_read_entries(bctx *b, const ynode *map, const fu__pol_entries *d, void **out, size_t *count) {
    vctx *c = b->c;
    int rc = fu__pol_want_map(c, map);
    char *v = rc ? NULL : fu__arena_calloc(c->a, map->n ? map->n : 1, d->size);
    if (!rc && !v) rc = fu__error_nomem();
    for (size_t i = 0; i < (rc ? 0 : map->n); i++) {
        const char *name = map->ents[i].key->text;
        const char **head = (const char **)(void *)(v + i * d->size); /* name, rule */
        size_t old = fu__pol_path_push(c, name);
        head[0] = name;
        head[1] = fu__pol_rule_name(c, d->rule_prefix, name, NULL);
        if (!head[1]) rc = fu__error_nomem();
        if (!rc && d->keys) rc = fu__pol_read_keys(b, map->ents[i].val, d->keys, head);
        if (!rc && d->fn) rc = d->fn(b, name, map->ents[i].val, head);
        fu__pol_path_pop(c, old);
    }
    if (!rc) {
        *out = v;
        *count = map->n;
    }
    return rc;
}

int fu__pol_read_named(bctx *b, const ynode *map, const char *key, int required, const fu__pol_entries *d,
                       void **out, size_t *count) {
    const ynode *n;
    size_t old;
    int rc = fu__pol_enter(b->c, map, key, required, &n, &old);
    if (rc || !n) return rc;
    rc = fu__pol_read_entries(b, n, d, out, count);
    fu__pol_path_pop(b->c, old);
    return rc;
}

int fu__pol_enter(vctx *c, const ynode *map, const char *key, int required, const ynode **out, size_t *old) {
    int rc = fu__pol_field(c, map, key, required, out);
    if (!rc && *out) *old = fu__pol_path_push(c, key);
    return rc;
}

const void *fu__pol_find(const void *v, size_t n, size_t size, const char *name) {
    for (size_t i = 0; i < n; i++) {
        const char *const *head = (const char *const *)(const void *)((const char *)v + i * size);
        if (strcmp(head[0], name) == 0) return head;
    }
    return NULL;
}

int fu__pol_tier_key(bctx *b, const ynode *map, size_t i) {
    const char *name = map->ents[i].key->text;
    for (size_t j = 0; j < b->tiers.n; j++)
        if (strcmp(b->tiers.v[j], name) == 0) return FU_OK;
    size_t old = fu__pol_path_push(b->c, name);
    int rc = fu__pol_unknown_name(b->c, map->ents[i].key, "value tier", name, b->tiers.v, b->tiers.n);
    fu__pol_path_pop(b->c, old);
    return rc;
}

void *fu__pol_strs_array(vctx *c, const ynode *n, fu__pol_strs *s, size_t size, int *rc) {
    void *arr = NULL;
    *rc = fu__pol_strs_of(c, n, s);
    if (!*rc && !(arr = fu__arena_calloc(c->a, s->n ? s->n : 1, size))) *rc = fu__error_nomem();
    return arr;
}

int fu__pol_want_count(vctx *c, const ynode *m, const char *too_few, size_t max, const char *what) {
    int rc = fu__pol_want_map(c, m);
    if (!rc && too_few && m->n == 0) rc = fu__pol_verr(c, m, FU_EPOLICY, "%s", too_few);
    if (!rc && max && m->n > max) rc = fu__pol_verr(c, m, FU_EPOLICY, "more than %zu %s", max, what);
    return rc;
}
