/* fu_policy: the YAML policy (libyaml), merged over the built-in policy,
 * validated key by key into the typed fu__policy of policy_internal.h.
 * This file holds the arena, durations, loading, the key-path getters and
 * the table of sections; the tree is in policy_yaml.c, the readers in
 * policy_read.c and each section in policy_<key>.c (see policy_core.h).
 *
 * Memory: a policy owns one arena. The YAML tree, every string and every
 * array of the typed policy live in it, so freeing a policy (or giving up
 * half way on an error) is freeing the arena plus the few outside objects
 * (calendars, windows, compiled regexes) registered in `owned`. */
#include "policy_core.h"
#include "followup/calendar.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const unsigned char fu__data_default_policy_yaml[];
extern const size_t fu__data_default_policy_yaml_len;

#define DEFAULT_MAX_BYTES ((size_t)16 << 20)
#define DEFAULT_MAX_DEPTH 64u
#define DEFAULT_MAX_NODES ((size_t)1000000)
#define BUILTIN_SOURCE "<builtin>"

/* ============================================================ the policy */


static void owned_free_all(owned *o) {
    for (; o; o = o->next) {
        if (!o->ptr) continue;
        switch (o->kind) {
        case 0: fu_calendar_free(o->ptr); break;
        case 1: fu_windows_free(o->ptr); break;
        default: pcre2_code_free(o->ptr); break;
        }
    }
}

void fu_policy_free(fu_policy *p) {
    if (!p) return;
    owned_free_all(p->owned);
    arena a = p->a;
    fu__arena_free(&a); /* p itself lives in its arena */
}

/* ================================================================= durations */

/* A unit and its spellings (space-separated; matched whole, any case). */
typedef struct unit_word {
    const char *words;
    fu_duration_unit unit;
    int64_t mult;
} unit_word;

static const unit_word wall_units[] = {
    {"s sec secs second seconds", FU_DURATION_SECONDS, 1},
    {"m min mins minute minutes", FU_DURATION_SECONDS, 60},
    {"h hr hrs hour hours", FU_DURATION_SECONDS, 3600},
    {"d day days", FU_DURATION_SECONDS, 86400},
    {"w week weeks", FU_DURATION_SECONDS, 604800},
    {"mo month months", FU_DURATION_MONTHS, 1},
    {"y year years", FU_DURATION_MONTHS, 12},
};

/* Second word after "business" / "working" / "work". */
static const unit_word business_units[] = {
    {"day days", FU_DURATION_WORKING_DAYS, 1},
    {"hour hours", FU_DURATION_BUSINESS_SECONDS, 3600},
    {"minute minutes", FU_DURATION_BUSINESS_SECONDS, 60},
    {"second seconds", FU_DURATION_BUSINESS_SECONDS, 1},
};

int fu__pol_word_eq(const char *w, size_t n, const char *lit) {
    size_t m = strlen(lit);
    if (m != n) return 0;
    for (size_t i = 0; i < n; i++)
        if (tolower((unsigned char)w[i]) != lit[i]) return 0;
    return 1;
}

int fu__pol_bool_word(const char *w, size_t n) {
    static const char *const k_true[] = {"true", "yes", "on"}, *const k_false[] = {"false", "no", "off"};
    for (size_t i = 0; i < 3; i++) {
        if (fu__pol_word_eq(w, n, k_true[i])) return 1;
        if (fu__pol_word_eq(w, n, k_false[i])) return 0;
    }
    return -1;
}

static const unit_word *find_unit(const unit_word *tab, size_t ntab, const char *w, size_t n) {
    char word[16];
    for (size_t i = 0; i < ntab; i++)
        for (const char *s = tab[i].words; *s;) {
            size_t l = strcspn(s, " ");
            if (l < sizeof word) {
                memcpy(word, s, l);
                word[l] = '\0';
                if (fu__pol_word_eq(w, n, word)) return &tab[i];
            }
            s += l + (s[l] == ' ');
        }
    return NULL;
}

/* Parse without touching the error state. On failure returns the code, sets
 * *errcol (1-based) and writes a message into msg; a place in the text is
 * written "(character N of the value)", as times and dates write it (review
 * s11 L4/hR L3): the caller's position is a file's column or none. */
int fu__pol_dur_parse(const char *s, size_t len, fu_duration *out, size_t *errcol, char *msg,
                     size_t msgsz) {
    size_t i = 0;
    int neg = 0, have_unit = 0, nterms = 0;
    fu_duration_unit unit = FU_DURATION_SECONDS;
    int64_t total = 0;
#define DFAIL(code, col, ...) \
    do { *errcol = (col); snprintf(msg, msgsz, __VA_ARGS__); return (code); } while (0)
    while (i < len && s[i] == ' ') i++;
    if (i < len && (s[i] == '-' || s[i] == '+')) {
        neg = s[i] == '-';
        i++;
        while (i < len && s[i] == ' ') i++;
    }
    /* the phrase "same day" */
    {
        size_t j = i, k = len;
        while (k > j && s[k - 1] == ' ') k--;
        if (k - j == 8 && fu__pol_word_eq(s + j, 4, "same") && s[j + 4] == ' ' && fu__pol_word_eq(s + j + 5, 3, "day")) {
            out->value = 0;
            out->unit = FU_DURATION_WORKING_DAYS;
            return FU_OK;
        }
    }
    for (;;) {
        while (i < len && s[i] == ' ') i++;
        if (i >= len) break;
        if (!isdigit((unsigned char)s[i])) {
            if (nterms == 0) DFAIL(FU_EPARSE, i + 1, "expected a number (character %zu of the value)", i + 1);
            DFAIL(FU_EPARSE, i + 1, "unexpected '%c' (character %zu of the value)", s[i], i + 1);
        }
        size_t numcol = i + 1;
        int64_t v = 0;
        while (i < len && isdigit((unsigned char)s[i])) {
            int d = s[i] - '0';
            if (v > (INT64_MAX - d) / 10) DFAIL(FU_ERANGE, numcol, "duration too large");
            v = v * 10 + d;
            i++;
        }
        while (i < len && s[i] == ' ') i++;
        size_t ws = i;
        while (i < len && isalpha((unsigned char)s[i])) i++;
        if (i == ws)
            DFAIL(FU_EPARSE, ws + 1,
                  "missing unit (character %zu of the value): use s, m, h, d, w, months, working days, business hours",
                  ws + 1);
        const unit_word *u = NULL;
        if (fu__pol_word_eq(s + ws, i - ws, "business") || fu__pol_word_eq(s + ws, i - ws, "working") ||
            fu__pol_word_eq(s + ws, i - ws, "work")) {
            int is_business = fu__pol_word_eq(s + ws, i - ws, "business");
            size_t j = i;
            while (j < len && s[j] == ' ') j++;
            size_t w2 = j;
            while (j < len && isalpha((unsigned char)s[j])) j++;
            u = find_unit(business_units, sizeof business_units / sizeof business_units[0], s + w2, j - w2);
            if (!u || (!is_business && u->unit != FU_DURATION_WORKING_DAYS))
                DFAIL(FU_EPARSE, w2 + 1, "unknown unit '%.*s %.*s' (character %zu of the value)",
                      (int)(i - ws), s + ws, (int)(j - w2), s + w2, ws + 1);
            i = j;
        } else {
            u = find_unit(wall_units, sizeof wall_units / sizeof wall_units[0], s + ws, i - ws);
            if (!u)
                DFAIL(FU_EPARSE, ws + 1, "unknown unit '%.*s' (character %zu of the value)", (int)(i - ws),
                      s + ws, ws + 1);
        }
        if (have_unit && u->unit != unit)
            DFAIL(FU_EPARSE, ws + 1, "duration mixes units of different kinds (character %zu of the value)", ws + 1);
        unit = u->unit;
        have_unit = 1;
        if (v > INT64_MAX / u->mult || total > INT64_MAX - v * u->mult)
            DFAIL(FU_ERANGE, numcol, "duration too large");
        total += v * u->mult;
        nterms++;
    }
    if (nterms == 0) DFAIL(FU_EPARSE, i + 1, "empty duration");
#undef DFAIL
    out->value = neg ? -total : total;
    out->unit = unit;
    return FU_OK;
}

int fu_duration_parse(const char *text, size_t len, fu_duration *out) {
    if (!text || !out) return fu__error_set(FU_EINVAL, "fu_duration_parse: %s is NULL", !text ? "text" : "out");
    char msg[160];
    size_t col = 0;
    fu_duration d;
    int rc = fu__pol_dur_parse(text, len, &d, &col, msg, sizeof msg);
    if (rc != FU_OK) return fu__error_set_at(rc, "<duration>", 1, col, "", "%s", msg);
    *out = d;
    return FU_OK;
}

size_t fu_duration_format(const fu_duration *d, char *buf, size_t size) {
    char tmp[64];
    if (!d) {
        tmp[0] = '\0';
    } else {
        int64_t v = d->value;
        const char *sign = v < 0 ? "-" : "";
        uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
        unsigned long long u = (unsigned long long)a;
        switch (d->unit) {
        case FU_DURATION_SECONDS:
            if (a == 0) snprintf(tmp, sizeof tmp, "0h");
            else if (a < 4 * 86400 && a % 3600 == 0) snprintf(tmp, sizeof tmp, "%s%lluh", sign, u / 3600);
            else if (a % 604800 == 0) snprintf(tmp, sizeof tmp, "%s%lluw", sign, u / 604800);
            else if (a % 86400 == 0) snprintf(tmp, sizeof tmp, "%s%llud", sign, u / 86400);
            else if (a % 3600 == 0) snprintf(tmp, sizeof tmp, "%s%lluh", sign, u / 3600);
            else if (a % 60 == 0) snprintf(tmp, sizeof tmp, "%s%llum", sign, u / 60);
            else snprintf(tmp, sizeof tmp, "%s%llus", sign, u);
            break;
        case FU_DURATION_BUSINESS_SECONDS:
            if (a % 3600 == 0) snprintf(tmp, sizeof tmp, "%s%llu business hour%s", sign, u / 3600, u == 3600 ? "" : "s");
            else if (a % 60 == 0) snprintf(tmp, sizeof tmp, "%s%llu business minute%s", sign, u / 60, u == 60 ? "" : "s");
            else snprintf(tmp, sizeof tmp, "%s%llu business second%s", sign, u, u == 1 ? "" : "s");
            break;
        case FU_DURATION_WORKING_DAYS:
            if (a == 0) snprintf(tmp, sizeof tmp, "same day");
            else snprintf(tmp, sizeof tmp, "%s%llu working day%s", sign, u, u == 1 ? "" : "s");
            break;
        case FU_DURATION_MONTHS:
            snprintf(tmp, sizeof tmp, "%s%llu month%s", sign, u, u == 1 ? "" : "s");
            break;
        default: snprintf(tmp, sizeof tmp, "?"); break;
        }
    }
    size_t n = strlen(tmp);
    if (buf && size) {
        size_t c = n < size - 1 ? n : size - 1;
        memcpy(buf, tmp, c);
        buf[c] = '\0';
    }
    return n;
}

/* ---------------------------------------------------------------- top level */

/* The sections in build order, which is also the order of the summary
 * (a section may read the sections built before it: the calendars first,
 * the segments' names before any `when:`). */
static const fu__pol_section sections[] = {
    {"calendars", fu__pol_build_calendars, fu__pol_summary_calendars},
    {"segments", fu__pol_build_segments, fu__pol_summary_segments},
    {"cadences", fu__pol_build_cadences, fu__pol_summary_cadences},
    {"caps", fu__pol_build_caps, fu__pol_summary_caps},
    {"quiet_hours", fu__pol_build_quiet_hours, fu__pol_summary_quiet_hours},
    {"suppressions", fu__pol_build_suppressions, fu__pol_summary_suppressions},
    {"capacity", fu__pol_build_capacity, fu__pol_summary_capacity},
    {"sla", fu__pol_build_sla, fu__pol_summary_sla},
    {"commitments", fu__pol_build_commitments, fu__pol_summary_commitments},
    {"kpis", fu__pol_build_kpis, fu__pol_summary_kpis},
    {"scorecard", fu__pol_build_scorecard, fu__pol_summary_scorecard},
    {"redaction", fu__pol_build_redaction, fu__pol_summary_redaction},
    {"besttime", fu__pol_build_besttime, fu__pol_summary_besttime},
    {"redial", fu__pol_build_redial, NULL},
    {"guard", fu__pol_build_guard, NULL},
    {"agents", fu__pol_build_agents, NULL},
    {"channels", fu__pol_build_channels, NULL},
};
#define N_SECTIONS (sizeof sections / sizeof sections[0])

/* Top-level keys that are not sections of their own. */
static const char *const top_scalars[] = {"name", "version", "extends", "currency", "calendar"};
#define N_TOP_SCALARS (sizeof top_scalars / sizeof top_scalars[0])

static int build_policy(vctx *c, const ynode *root) {
    fu__policy *t = &c->p->t;
    const char *top_keys[N_TOP_SCALARS + N_SECTIONS + 1];
    size_t nk = 0;
    for (size_t i = 0; i < N_TOP_SCALARS; i++) top_keys[nk++] = top_scalars[i];
    for (size_t i = 0; i < N_SECTIONS; i++) top_keys[nk++] = sections[i].key;
    top_keys[nk] = NULL;
    bctx b;
    memset(&b, 0, sizeof b);
    b.c = c;
    int rc = fu__pol_check_keys(c, root, top_keys);
    t->name = "";
    t->version = "";
    t->currency = "CNY";
    if (!rc) rc = fu__pol_rd_str(c, root, "name", 0, &t->name);
    if (!rc) rc = fu__pol_rd_str(c, root, "version", 0, &t->version);
    if (!rc) rc = fu__pol_rd_str(c, root, "currency", 0, &t->currency);
    for (size_t i = 0; !rc && i < N_SECTIONS; i++) rc = sections[i].build(&b, root);
    return rc;
}

/* ================================================================ loading */

FU_DEFINE_INIT(fu_policy_load_options_init, fu_policy_load_options, FU_POLICY_LOAD_OPTIONS_INIT)

const char *fu_policy_default_yaml(size_t *len) {
    if (len) *len = fu__data_default_policy_yaml_len;
    return (const char *)fu__data_default_policy_yaml;
}

static int get_extends(const ynode *root, const char *src, int *use_builtin) {
    const ynode *e = fu__pol_map_get(root, "extends");
    if (!e || (e->kind == YN_SCALAR && e->is_null)) return FU_OK;
    if (e->kind == YN_SCALAR && strcmp(e->text, "builtin") == 0) *use_builtin = 1;
    else if (e->kind == YN_SCALAR && strcmp(e->text, "none") == 0) *use_builtin = 0;
    else
        return fu__error_set_at(FU_EPOLICY, src, e->line, e->col, "extends",
                                "extends must be 'builtin' or 'none', got '%.40s'",
                                e->kind == YN_SCALAR ? e->text : "(not text)");
    return FU_OK;
}

/* `fn`: the public function asked, named in a NULL-argument message. */
static int load_impl(const char *fn, fu_policy **out, const char *text, size_t len, const char *source,
                     const fu_policy_load_options *opts, int is_builtin) {
    if (!out) return fu__error_set(FU_EINVAL, "%s: out is NULL", fn);
    *out = NULL;
    if (!text && len) return fu__error_set(FU_EINVAL, "%s: text is NULL", fn);
    if (!text) text = "";
    if (opts && opts->version != FU_POLICY_LOAD_OPTIONS_VERSION)
        return fu__error_set(FU_EINVAL, "fu_policy_load_options: unknown version %u", opts->version);
    limits lim = {DEFAULT_MAX_BYTES, DEFAULT_MAX_DEPTH, DEFAULT_MAX_NODES};
    unsigned flags = 0;
    if (opts) {
        if (opts->max_bytes) lim.max_bytes = opts->max_bytes;
        if (opts->max_depth) lim.max_depth = opts->max_depth > 10000 ? 10000 : opts->max_depth;
        if (opts->max_nodes) lim.max_nodes = opts->max_nodes;
        flags = opts->flags;
    }
    if (!source) source = "<string>";

    arena a = {NULL};
    fu_policy *p = fu__arena_calloc(&a, 1, sizeof *p);
    char *src = p ? fu__arena_strndup(&a, source, strlen(source)) : NULL;
    if (!p || !src) {
        fu__arena_free(&a);
        return fu__error_nomem();
    }
    p->source = src;
    vctx c;
    memset(&c, 0, sizeof c);
    c.p = p;
    c.a = &a;
    ynode *site = NULL;
    const ynode *root = NULL;
    int rc = fu__pol_parse_tree(&a, src, text, len, &lim, &site);
    if (rc == FU_OK && (!site || (site->kind == YN_SCALAR && site->is_null)))
        rc = fu__error_set_at(FU_EPOLICY, src, 1, 1, "", "the policy is empty (expected a mapping of sections)");
    if (rc == FU_OK && site->kind != YN_MAP) {
        char b[64];
        rc = fu__error_set_at(FU_EPOLICY, src, site->line, site->col, "",
                              "a policy is a mapping of sections, got %s", fu__pol_node_desc(site, b, sizeof b));
    }
    int use_builtin = !is_builtin && !(flags & FU_POLICY_STANDALONE);
    if (rc == FU_OK) rc = get_extends(site, src, &use_builtin);
    root = site;
    if (rc == FU_OK && use_builtin) {
        ynode *base = NULL;
        limits blim = {DEFAULT_MAX_BYTES, DEFAULT_MAX_DEPTH, DEFAULT_MAX_NODES};
        rc = fu__pol_parse_tree(&a, BUILTIN_SOURCE, (const char *)fu__data_default_policy_yaml,
                        fu__data_default_policy_yaml_len, &blim, &base);
        if (rc == FU_OK) rc = fu__pol_merge_nodes(&a, base, site, &root);
    }
    if (rc == FU_OK) {
        p->root = root;
        rc = build_policy(&c, root);
    }
    pcre2_compile_context_free(c.cctx);
    pcre2_general_context_free(c.gctx);
    if (rc != FU_OK) {
        p->a = a;
        fu_policy_free(p);
        return rc;
    }
    p->a = a;
    *out = p;
    return FU_OK;
}

int fu_policy_load_string(fu_policy **out, const char *text, size_t len, const char *source_name,
                          const fu_policy_load_options *opts) {
    return load_impl("fu_policy_load_string", out, text, len, source_name, opts, 0);
}

int fu_policy_default(fu_policy **out) {
    return load_impl("fu_policy_default", out, (const char *)fu__data_default_policy_yaml,
                     fu__data_default_policy_yaml_len, BUILTIN_SOURCE, NULL, 1);
}

int fu_policy_load_file(fu_policy **out, const char *path, const fu_policy_load_options *opts) {
    if (!out) return fu__error_set(FU_EINVAL, "fu_policy_load_file: out is NULL");
    *out = NULL;
    if (!path) return fu__error_set(FU_EINVAL, "fu_policy_load_file: path is NULL");
    size_t max = opts && opts->max_bytes ? opts->max_bytes : DEFAULT_MAX_BYTES;
    FILE *f = fopen(path, "rb");
    if (!f) return fu__error_set_at(FU_EIO, path, 0, 0, "", "cannot open: %s", strerror(errno));
    fu__buf b = FU__BUF_INIT;
    char chunk[8192];
    int rc = FU_OK;
    for (;;) {
        size_t n = fread(chunk, 1, sizeof chunk, f);
        if (n && (rc = fu__buf_append(&b, chunk, n)) != FU_OK) break;
        if (b.len > max) {
            rc = fu__error_set_at(FU_ELIMIT, path, 0, 0, "", "policy file is larger than the limit of %zu bytes", max);
            break;
        }
        if (n < sizeof chunk) {
            if (ferror(f)) rc = fu__error_set_at(FU_EIO, path, 0, 0, "", "read error: %s", strerror(errno));
            break;
        }
    }
    fclose(f);
    if (rc == FU_OK) rc = load_impl("fu_policy_load_file", out, b.data ? b.data : "", b.len, path, opts, 0);
    fu__buf_free(&b);
    return rc;
}

/* ================================================================ access */

const fu__policy *fu__policy_typed(const fu_policy *p) { return p ? &p->t : NULL; }
const char *fu_policy_name(const fu_policy *p) { return p ? p->t.name : ""; }
const char *fu_policy_version(const fu_policy *p) { return p ? p->t.version : ""; }
const char *fu_policy_source(const fu_policy *p) { return p ? p->source : ""; }

const struct fu_calendar *fu_policy_calendar(const fu_policy *p, const char *name) {
    if (!p) {
        fu__error_set(FU_EINVAL, "fu_policy_calendar: p is NULL");
        return NULL;
    }
    const fu__pol_calendar *c = (!name || !*name) ? p->t.calendar : fu__pol_find_calendar(&p->t, name);
    if (!c) {
        fu__error_set(FU_ENOTFOUND, "no calendar '%s' in the policy", name);
        return NULL;
    }
    return c->cal;
}

int fu_policy_calendar_data_until(const fu_policy *p, const char *name, fu_date *out) {
    if (!p || !out) return fu__error_set(FU_EINVAL, "fu_policy_calendar_data_until: %s is NULL", !p ? "p" : "out");
    const fu__pol_calendar *c = (!name || !*name) ? p->t.calendar : fu__pol_find_calendar(&p->t, name);
    if (!c) return fu__error_set(FU_ENOTFOUND, "no calendar '%s' in the policy", name);
    if (c->data_until == INT64_MAX) {
        memset(out, 0, sizeof *out);
        return FU_OK;
    }
    return fu_date_from_days(c->data_until, out);
}


/* Walk a path "a.b[2].c" in the merged tree. */
/* `fn`: the public function asked, named in a NULL-argument message. */
static int lookup(const char *fn, const fu_policy *p, const char *path, const ynode **out) {
    if (!p || !path) return fu__error_set(FU_EINVAL, "%s: %s is NULL", fn, !p ? "p" : "path");
    const ynode *n = p->root;
    const char *s = path;
    while (*s) {
        if (*s == '[') {
            char *end;
            errno = 0;
            unsigned long long i = strtoull(s + 1, &end, 10);
            if (end == s + 1 || *end != ']' || errno)
                return fu__error_set(FU_EINVAL, "bad index in path '%s'", path);
            if (n->kind != YN_SEQ || i >= n->n) return fu__error_set(FU_ENOTFOUND, "no '%s' in the policy", path);
            n = n->items[i];
            s = end + 1;
            if (*s == '.') s++;
            continue;
        }
        size_t k = strcspn(s, ".[");
        if (k == 0) return fu__error_set(FU_EINVAL, "empty key in path '%s'", path);
        const ynode *v = n->kind == YN_MAP ? fu__pol_map_get_n(n, s, k) : NULL;
        if (!v || (v->kind == YN_SCALAR && v->is_null))
            return fu__error_set(FU_ENOTFOUND, "no '%s' in the policy", path);
        n = v;
        s += k;
        if (*s == '.') s++;
    }
    *out = n;
    return FU_OK;
}

static int lookup_scalar(const char *fn, const fu_policy *p, const char *path, const ynode **out) {
    int rc = lookup(fn, p, path, out);
    if (rc) return rc;
    if ((*out)->kind != YN_SCALAR)
        return fu__error_set(FU_EPOLICY, "'%s' is a %s, not a single value", path,
                             (*out)->kind == YN_MAP ? "mapping" : "sequence");
    return FU_OK;
}

/* A scalar of the merged tree read as `type` (NUM, STR, BOOL, DUR). */
static int get_scalar(const char *fn, const fu_policy *p, const char *path, fu__pol_ktype type, void *out) {
    const ynode *n;
    int rc = lookup_scalar(fn, p, path, &n);
    if (rc) return rc;
    double num;
    int pct, b;
    fu_duration d;
    char msg[160];
    size_t col;
    switch (type) {
    case FU__K_NUM:
        if (fu__pol_parse_number(n->text, n->len, &num, &pct) != 0)
            return fu__error_set(FU_EPOLICY, "'%s' is '%.40s', not a number", path, n->text);
        if (out) *(double *)out = num;
        break;
    case FU__K_BOOL:
        if ((b = fu__pol_bool_word(n->text, n->len)) < 0)
            return fu__error_set(FU_EPOLICY, "'%s' is '%.40s', not true or false (yes/no, on/off)", path, n->text);
        if (out) *(int *)out = b;
        break;
    case FU__K_DUR:
        if (fu__pol_dur_parse(n->text, n->len, &d, &col, msg, sizeof msg) != FU_OK)
            return fu__error_set(FU_EPOLICY, "'%s' is '%.40s', not a duration: %s", path, n->text, msg);
        if (out) *(fu_duration *)out = d;
        break;
    default:
        if (out) *(const char **)out = n->text;
        break;
    }
    return FU_OK;
}

int fu_policy_get_number(const fu_policy *p, const char *path, double *out) {
    return get_scalar("fu_policy_get_number", p, path, FU__K_NUM, out);
}
int fu_policy_get_string(const fu_policy *p, const char *path, const char **out) {
    return get_scalar("fu_policy_get_string", p, path, FU__K_STR, out);
}
int fu_policy_get_bool(const fu_policy *p, const char *path, int *out) {
    return get_scalar("fu_policy_get_bool", p, path, FU__K_BOOL, out);
}
int fu_policy_get_duration(const fu_policy *p, const char *path, fu_duration *out) {
    return get_scalar("fu_policy_get_duration", p, path, FU__K_DUR, out);
}

int fu_policy_get_length(const fu_policy *p, const char *path, size_t *out) {
    const ynode *n;
    int rc = lookup("fu_policy_get_length", p, path, &n);
    if (rc) return rc;
    if (n->kind == YN_SCALAR) return fu__error_set(FU_EPOLICY, "'%s' is a single value, not a mapping or sequence", path);
    if (out) *out = n->n;
    return FU_OK;
}

int fu_policy_get_key(const fu_policy *p, const char *path, size_t index, const char **out) {
    const ynode *n;
    int rc = lookup("fu_policy_get_key", p, path, &n);
    if (rc) return rc;
    if (n->kind != YN_MAP) return fu__error_set(FU_EPOLICY, "'%s' is not a mapping", path);
    if (index >= n->n) return fu__error_set(FU_ENOTFOUND, "'%s' has %zu keys, no key %zu", path, n->n, index);
    if (out) *out = n->ents[index].key->text;
    return FU_OK;
}

/* ================================================================ summary */

int fu_policy_summary(const fu_policy *p, size_t *len, char **out) {
    if (len) *len = 0;
    if (!p || !out) return fu__error_set(FU_EINVAL, "fu_policy_summary: %s is NULL", !p ? "p" : "out");
    *out = NULL;
    const fu__policy *t = &p->t;
    fu__buf b = FU__BUF_INIT;
    fu__buf_printf(&b, "policy %s version %s (from %s), currency %s\n", t->name[0] ? t->name : "(unnamed)",
                   t->version[0] ? t->version : "-", p->source, t->currency);
    for (size_t i = 0; i < N_SECTIONS; i++)
        if (sections[i].summary) sections[i].summary(&b, t);
    if (b.failed) {
        fu__buf_free(&b);
        return fu__error_nomem();
    }
    size_t n = b.len;
    *out = fu__buf_detach(&b);
    if (!*out) return fu__error_nomem();
    if (len) *len = n;
    return FU_OK;
}
