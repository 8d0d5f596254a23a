/* fu_policy: the YAML policy (libyaml), merged over the built-in policy,
 * validated key by key into the typed fu__policy of policy_internal.h.
 *
 * Memory: a policy owns one arena. The YAML tree, every string and every
 * array of the typed policy live in it, so freeing a policy (or giving up
 * half way on an error) is freeing the arena plus the few outside objects
 * (calendars, windows, compiled regexes) registered in `owned`. */
#include "policy_internal.h"
#include "followup/book.h"
#include "followup/calendar.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

extern const unsigned char fu__data_default_policy_yaml[];
extern const size_t fu__data_default_policy_yaml_len;

#define DEFAULT_MAX_BYTES ((size_t)16 << 20)
#define DEFAULT_MAX_DEPTH 64u
#define DEFAULT_MAX_NODES ((size_t)1000000)
#define BUILTIN_SOURCE "<builtin>"

/* ==================================================================== arena */

typedef struct arena_chunk {
    struct arena_chunk *next;
    size_t cap, used;
    max_align_t data[];
} arena_chunk;

typedef struct arena {
    arena_chunk *head;
} arena;

#define ARENA_CHUNK_SIZE ((size_t)32768)

static void *arena_alloc(arena *a, size_t n) {
    const size_t al = sizeof(max_align_t);
    if (n == 0) n = 1;
    if (n > SIZE_MAX - al) return NULL;
    n = (n + al - 1) / al * al;
    arena_chunk *c = a->head;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > ARENA_CHUNK_SIZE / 4 ? n : ARENA_CHUNK_SIZE;
        if (cap > SIZE_MAX - sizeof(arena_chunk)) return NULL;
        arena_chunk *nc = fu__malloc(sizeof(arena_chunk) + cap);
        if (!nc) return NULL;
        nc->cap = cap;
        nc->used = 0;
        if (c && n > ARENA_CHUNK_SIZE / 4) {
            /* a big block: keep filling the current chunk afterwards */
            nc->next = c->next;
            c->next = nc;
        } else {
            nc->next = c;
            a->head = nc;
        }
        c = nc;
    }
    void *p = (char *)c->data + c->used;
    c->used += n;
    return p;
}

static void *arena_calloc(arena *a, size_t count, size_t size) {
    if (size && count > SIZE_MAX / size) return NULL;
    size_t total = count * size;
    void *p = arena_alloc(a, total);
    if (p) memset(p, 0, total ? total : 1);
    return p;
}

static char *arena_strndup(arena *a, const char *s, size_t n) {
    char *d = arena_alloc(a, n + 1);
    if (!d) return NULL;
    if (n) memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

static void arena_free(arena *a) {
    arena_chunk *c = a->head;
    while (c) {
        arena_chunk *n = c->next;
        fu__free(c);
        c = n;
    }
    a->head = NULL;
}

/* ===================================================================== tree */

enum { YN_SCALAR = 0, YN_MAP = 1, YN_SEQ = 2 };

typedef struct ynode ynode;
typedef struct yent {
    ynode *key; /* always a scalar */
    ynode *val;
} yent;

struct ynode {
    unsigned char kind;
    unsigned char plain;   /* scalar written without quotes or block style */
    unsigned char is_null; /* plain ~, null, or empty */
    unsigned char single_line;
    unsigned char done;    /* collection complete (alias targets) */
    unsigned long line, col;
    const char *src;
    const char *text; /* scalar, NUL-terminated */
    size_t len;
    size_t n;        /* entries / items */
    yent *ents;      /* YN_MAP */
    ynode **items;   /* YN_SEQ */
    size_t weight;   /* nodes in this subtree, aliases counted expanded */
};

/* ============================================================ the policy */

/* Objects outside the arena that the policy owns. */
typedef struct owned {
    struct owned *next;
    int kind; /* 0 calendar, 1 windows, 2 pcre2 code */
    void *ptr;
} owned;

struct fu_policy {
    arena a;
    owned *owned;
    const ynode *root;
    const char *source;
    fu__policy t;
};

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
    arena_free(&a); /* p itself lives in its arena */
}

/* ================================================================= durations */

typedef struct unit_word {
    const char *word;
    fu_duration_unit unit;
    int64_t mult;
} unit_word;

/* Single-word units; the longest match is taken by exact word comparison. */
static const unit_word wall_units[] = {
    {"s", FU_DURATION_SECONDS, 1}, {"sec", FU_DURATION_SECONDS, 1},
    {"secs", FU_DURATION_SECONDS, 1}, {"second", FU_DURATION_SECONDS, 1},
    {"seconds", FU_DURATION_SECONDS, 1}, {"m", FU_DURATION_SECONDS, 60},
    {"min", FU_DURATION_SECONDS, 60}, {"mins", FU_DURATION_SECONDS, 60},
    {"minute", FU_DURATION_SECONDS, 60}, {"minutes", FU_DURATION_SECONDS, 60},
    {"h", FU_DURATION_SECONDS, 3600}, {"hr", FU_DURATION_SECONDS, 3600},
    {"hrs", FU_DURATION_SECONDS, 3600}, {"hour", FU_DURATION_SECONDS, 3600},
    {"hours", FU_DURATION_SECONDS, 3600}, {"d", FU_DURATION_SECONDS, 86400},
    {"day", FU_DURATION_SECONDS, 86400}, {"days", FU_DURATION_SECONDS, 86400},
    {"w", FU_DURATION_SECONDS, 604800}, {"week", FU_DURATION_SECONDS, 604800},
    {"weeks", FU_DURATION_SECONDS, 604800}, {"mo", FU_DURATION_MONTHS, 1},
    {"month", FU_DURATION_MONTHS, 1}, {"months", FU_DURATION_MONTHS, 1},
    {"y", FU_DURATION_MONTHS, 12}, {"year", FU_DURATION_MONTHS, 12},
    {"years", FU_DURATION_MONTHS, 12},
};

/* Second word after "business" / "working" / "work". */
static const unit_word business_units[] = {
    {"day", FU_DURATION_WORKING_DAYS, 1}, {"days", FU_DURATION_WORKING_DAYS, 1},
    {"hour", FU_DURATION_BUSINESS_SECONDS, 3600}, {"hours", FU_DURATION_BUSINESS_SECONDS, 3600},
    {"minute", FU_DURATION_BUSINESS_SECONDS, 60}, {"minutes", FU_DURATION_BUSINESS_SECONDS, 60},
    {"second", FU_DURATION_BUSINESS_SECONDS, 1}, {"seconds", FU_DURATION_BUSINESS_SECONDS, 1},
};

static int word_eq(const char *w, size_t n, const char *lit) {
    size_t m = strlen(lit);
    if (m != n) return 0;
    for (size_t i = 0; i < n; i++)
        if (tolower((unsigned char)w[i]) != lit[i]) return 0;
    return 1;
}

static const unit_word *find_unit(const unit_word *tab, size_t ntab, const char *w, size_t n) {
    for (size_t i = 0; i < ntab; i++)
        if (word_eq(w, n, tab[i].word)) return &tab[i];
    return NULL;
}

/* Parse without touching the error state. On failure returns the code, sets
 * *errcol (1-based) and writes a message into msg. */
static int dur_parse(const char *s, size_t len, fu_duration *out, size_t *errcol, char *msg,
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
        if (k - j == 8 && word_eq(s + j, 4, "same") && s[j + 4] == ' ' && word_eq(s + j + 5, 3, "day")) {
            out->value = 0;
            out->unit = FU_DURATION_WORKING_DAYS;
            return FU_OK;
        }
    }
    for (;;) {
        while (i < len && s[i] == ' ') i++;
        if (i >= len) break;
        if (!isdigit((unsigned char)s[i])) {
            if (nterms == 0) DFAIL(FU_EPARSE, i + 1, "expected a number at column %zu of duration", i + 1);
            DFAIL(FU_EPARSE, i + 1, "unexpected '%c' at column %zu of duration", s[i], i + 1);
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
        if (i == ws) DFAIL(FU_EPARSE, ws + 1, "missing unit at column %zu of duration (use s, m, h, d, w, months, working days, business hours)", ws + 1);
        const unit_word *u = NULL;
        if (word_eq(s + ws, i - ws, "business") || word_eq(s + ws, i - ws, "working") ||
            word_eq(s + ws, i - ws, "work")) {
            int is_business = word_eq(s + ws, i - ws, "business");
            size_t j = i;
            while (j < len && s[j] == ' ') j++;
            size_t w2 = j;
            while (j < len && isalpha((unsigned char)s[j])) j++;
            u = find_unit(business_units, sizeof business_units / sizeof business_units[0], s + w2, j - w2);
            if (!u || (!is_business && u->unit != FU_DURATION_WORKING_DAYS))
                DFAIL(FU_EPARSE, w2 + 1, "unknown unit '%.*s %.*s' at column %zu of duration",
                      (int)(i - ws), s + ws, (int)(j - w2), s + w2, ws + 1);
            i = j;
        } else {
            u = find_unit(wall_units, sizeof wall_units / sizeof wall_units[0], s + ws, i - ws);
            if (!u)
                DFAIL(FU_EPARSE, ws + 1, "unknown unit '%.*s' at column %zu of duration", (int)(i - ws),
                      s + ws, ws + 1);
        }
        if (have_unit && u->unit != unit)
            DFAIL(FU_EPARSE, ws + 1, "duration mixes units of different kinds at column %zu", ws + 1);
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
    if (!text || !out) return fu__error_set(FU_EINVAL, "fu_duration_parse: NULL argument");
    char msg[160];
    size_t col = 0;
    fu_duration d;
    int rc = dur_parse(text, len, &d, &col, msg, sizeof msg);
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

/* ================================================================= parsing */

typedef struct limits {
    size_t max_bytes;
    unsigned int max_depth;
    size_t max_nodes;
} limits;

typedef struct pframe {
    ynode *node;
    yent *ents;     /* temporary, heap */
    ynode **items;  /* temporary, heap */
    size_t n, cap_e, cap_i;
    ynode *key;     /* mapping: key waiting for its value */
} pframe;

typedef struct anchor {
    const char *name;
    ynode *node;
} anchor;

typedef struct parser {
    arena *a;
    const char *src;
    const char *text;
    size_t len;
    limits lim;
    pframe *frames; /* max_depth + 1 */
    size_t depth;
    anchor *anchors;
    size_t n_anchors, cap_anchors;
    size_t nodes; /* nodes created, aliases counted expanded */
    ynode *root;
    int ndocs;
} parser;

/* 1-based line and column of a byte offset in the text. */
static void offset_pos(const char *text, size_t len, size_t off, unsigned long *line,
                       unsigned long *col) {
    unsigned long l = 1, c = 1;
    if (off > len) off = len;
    for (size_t i = 0; i < off; i++) {
        if (text[i] == '\n') {
            l++;
            c = 1;
        } else {
            c++;
        }
    }
    *line = l;
    *col = c;
}

static int yaml_fail(parser *ps, yaml_parser_t *yp) {
    switch (yp->error) {
    case YAML_MEMORY_ERROR: return fu__error_nomem();
    case YAML_READER_ERROR: {
        unsigned long line, col;
        offset_pos(ps->text, ps->len, yp->problem_offset, &line, &col);
        const char *prob = yp->problem ? yp->problem : "unreadable input";
        if (strstr(prob, "UTF") || strstr(prob, "utf") || strstr(prob, "octet") ||
            strstr(prob, "character"))
            return fu__error_set_at(FU_EPARSE, ps->src, line, col, "",
                                    "input is not valid UTF-8 text: %s (byte 0x%02X at offset %zu)", prob,
                                    (unsigned)(yp->problem_value & 0xFF), yp->problem_offset);
        return fu__error_set_at(FU_EPARSE, ps->src, line, col, "", "cannot read input: %s", prob);
    }
    default: {
        const char *prob = yp->problem ? yp->problem : "syntax error";
        if (yp->context)
            return fu__error_set_at(FU_EPARSE, ps->src, yp->problem_mark.line + 1,
                                    yp->problem_mark.column + 1, "", "YAML syntax error: %s %s", prob,
                                    yp->context);
        return fu__error_set_at(FU_EPARSE, ps->src, yp->problem_mark.line + 1,
                                yp->problem_mark.column + 1, "", "YAML syntax error: %s", prob);
    }
    }
}

static ynode *node_new(parser *ps, int kind, const yaml_mark_t *m) {
    ynode *n = arena_calloc(ps->a, 1, sizeof *n);
    if (!n) return NULL;
    n->kind = (unsigned char)kind;
    n->line = m->line + 1;
    n->col = m->column + 1;
    n->src = ps->src;
    n->weight = 1;
    return n;
}

static int count_node(parser *ps, size_t w, const yaml_mark_t *m) {
    if (w > ps->lim.max_nodes || ps->nodes > ps->lim.max_nodes - w)
        return fu__error_set_at(FU_ELIMIT, ps->src, m->line + 1, m->column + 1, "",
                                "more than %zu YAML nodes (after expanding aliases); "
                                "refusing a possible alias bomb", ps->lim.max_nodes);
    ps->nodes += w;
    return FU_OK;
}

static int register_anchor(parser *ps, const yaml_char_t *name, ynode *node) {
    if (!name) return FU_OK;
    if (FU_GROW(ps->anchors, ps->cap_anchors, ps->n_anchors + 1) != FU_OK) return FU_ENOMEM;
    const char *nm = arena_strndup(ps->a, (const char *)name, strlen((const char *)name));
    if (!nm) return fu__error_nomem();
    /* a later anchor of the same name shadows the earlier one */
    ps->anchors[ps->n_anchors].name = nm;
    ps->anchors[ps->n_anchors].node = node;
    ps->n_anchors++;
    return FU_OK;
}

/* Attach a finished node to the enclosing collection (or make it the root). */
static int attach(parser *ps, ynode *n, const yaml_mark_t *m) {
    if (ps->depth == 0) {
        ps->root = n;
        return FU_OK;
    }
    pframe *f = &ps->frames[ps->depth - 1];
    if (f->node->kind == YN_SEQ) {
        if (FU_GROW(f->items, f->cap_i, f->n + 1) != FU_OK) return FU_ENOMEM;
        f->items[f->n++] = n;
        f->node->weight += n->weight;
        return FU_OK;
    }
    if (!f->key) {
        if (n->kind != YN_SCALAR)
            return fu__error_set_at(FU_EPOLICY, ps->src, m->line + 1, m->column + 1, "",
                                    "mapping keys must be plain text, not a %s",
                                    n->kind == YN_MAP ? "mapping" : "sequence");
        f->key = n;
        return FU_OK;
    }
    if (FU_GROW(f->ents, f->cap_e, f->n + 1) != FU_OK) return FU_ENOMEM;
    f->ents[f->n].key = f->key;
    f->ents[f->n].val = n;
    f->n++;
    f->key = NULL;
    f->node->weight += n->weight + 1;
    return FU_OK;
}

typedef struct key_idx {
    const ynode *key;
    size_t idx;
} key_idx;

static int cmp_key_idx(const void *a, const void *b) {
    const key_idx *x = a, *y = b;
    size_t n = x->key->len < y->key->len ? x->key->len : y->key->len;
    int c = memcmp(x->key->text, y->key->text, n);
    if (c) return c;
    if (x->key->len != y->key->len) return x->key->len < y->key->len ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* The key path of the collection being closed (frames 0 .. depth-2 hold its
 * ancestors; the last frame is the mapping itself), plus `key`. */
static void parse_path(const parser *ps, const char *key, char *buf, size_t size) {
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i + 1 < ps->depth && n < size; i++) {
        const pframe *f = &ps->frames[i];
        int k;
        if (f->node->kind == YN_MAP)
            k = snprintf(buf + n, size - n, "%s%s", n ? "." : "", f->key ? f->key->text : "?");
        else
            k = snprintf(buf + n, size - n, "[%zu]", f->n);
        if (k < 0) return;
        n += (size_t)k;
    }
    if (n < size) snprintf(buf + n, size - n, "%s%s", n ? "." : "", key);
}

/* Reject duplicate keys: O(n log n) so that a huge mapping stays cheap. */
static int check_duplicates(parser *ps, const ynode *map) {
    char path[256];
    if (map->n < 2) return FU_OK;
    if (map->n <= 16) {
        for (size_t i = 1; i < map->n; i++)
            for (size_t j = 0; j < i; j++)
                if (map->ents[i].key->len == map->ents[j].key->len &&
                    memcmp(map->ents[i].key->text, map->ents[j].key->text, map->ents[i].key->len) == 0) {
                    parse_path(ps, map->ents[i].key->text, path, sizeof path);
                    return fu__error_set_at(FU_EPOLICY, ps->src, map->ents[i].key->line,
                                            map->ents[i].key->col, path,
                                            "duplicate key '%s' (first at line %lu)",
                                            map->ents[i].key->text, map->ents[j].key->line);
                }
        return FU_OK;
    }
    key_idx *ki = fu__calloc(map->n, sizeof *ki);
    if (!ki) return fu__error_nomem();
    for (size_t i = 0; i < map->n; i++) {
        ki[i].key = map->ents[i].key;
        ki[i].idx = i;
    }
    qsort(ki, map->n, sizeof *ki, cmp_key_idx);
    int rc = FU_OK;
    for (size_t i = 1; i < map->n; i++) {
        if (ki[i].key->len == ki[i - 1].key->len &&
            memcmp(ki[i].key->text, ki[i - 1].key->text, ki[i].key->len) == 0) {
            parse_path(ps, ki[i].key->text, path, sizeof path);
            rc = fu__error_set_at(FU_EPOLICY, ps->src, ki[i].key->line, ki[i].key->col, path,
                                  "duplicate key '%s' (first at line %lu)", ki[i].key->text,
                                  ki[i - 1].key->line);
            break;
        }
    }
    fu__free(ki);
    return rc;
}

static int handle_event(parser *ps, const yaml_event_t *ev) {
    const yaml_mark_t *m = &ev->start_mark;
    switch (ev->type) {
    case YAML_DOCUMENT_START_EVENT:
        if (++ps->ndocs > 1)
            return fu__error_set_at(FU_EPOLICY, ps->src, m->line + 1, m->column + 1, "",
                                    "a policy is one YAML document; found a second one");
        return FU_OK;
    case YAML_SCALAR_EVENT: {
        int rc = count_node(ps, 1, m);
        if (rc) return rc;
        ynode *n = node_new(ps, YN_SCALAR, m);
        if (!n) return fu__error_nomem();
        const char *v = (const char *)ev->data.scalar.value;
        size_t len = ev->data.scalar.length;
        if (memchr(v, '\0', len))
            return fu__error_set_at(FU_EPOLICY, ps->src, n->line, n->col, "",
                                    "text contains a NUL character");
        n->text = arena_strndup(ps->a, v, len);
        if (!n->text) return fu__error_nomem();
        n->len = len;
        n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        n->single_line = ev->start_mark.line == ev->end_mark.line &&
                         (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE ||
                          ev->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
                          ev->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE);
        n->is_null = n->plain && (len == 0 || strcmp(n->text, "~") == 0 || strcmp(n->text, "null") == 0 ||
                                  strcmp(n->text, "Null") == 0 || strcmp(n->text, "NULL") == 0);
        n->done = 1;
        rc = register_anchor(ps, ev->data.scalar.anchor, n);
        if (rc) return rc;
        return attach(ps, n, m);
    }
    case YAML_ALIAS_EVENT: {
        const char *name = (const char *)ev->data.alias.anchor;
        ynode *target = NULL;
        for (size_t i = ps->n_anchors; i-- > 0;)
            if (strcmp(ps->anchors[i].name, name) == 0) {
                target = ps->anchors[i].node;
                break;
            }
        if (!target)
            return fu__error_set_at(FU_EPOLICY, ps->src, m->line + 1, m->column + 1, "",
                                    "unknown alias '*%s'", name);
        if (!target->done)
            return fu__error_set_at(FU_EPOLICY, ps->src, m->line + 1, m->column + 1, "",
                                    "alias '*%s' refers to a node that contains it", name);
        int rc = count_node(ps, target->weight, m);
        if (rc) return rc;
        /* Nodes are never changed after parsing, so the alias shares them. */
        return attach(ps, target, m);
    }
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT: {
        int is_map = ev->type == YAML_MAPPING_START_EVENT;
        if (ps->depth >= ps->lim.max_depth)
            return fu__error_set_at(FU_ELIMIT, ps->src, m->line + 1, m->column + 1, "",
                                    "nesting deeper than %u levels", ps->lim.max_depth);
        int rc = count_node(ps, 1, m);
        if (rc) return rc;
        if (!is_map && ps->depth > 0) {
            pframe *pf = &ps->frames[ps->depth - 1];
            if (pf->node->kind == YN_MAP && !pf->key)
                return fu__error_set_at(FU_EPOLICY, ps->src, m->line + 1, m->column + 1, "",
                                        "mapping keys must be plain text, not a sequence");
        }
        if (is_map && ps->depth > 0) {
            pframe *pf = &ps->frames[ps->depth - 1];
            if (pf->node->kind == YN_MAP && !pf->key)
                return fu__error_set_at(FU_EPOLICY, ps->src, m->line + 1, m->column + 1, "",
                                        "mapping keys must be plain text, not a mapping");
        }
        ynode *n = node_new(ps, is_map ? YN_MAP : YN_SEQ, m);
        if (!n) return fu__error_nomem();
        const yaml_char_t *anc = is_map ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor;
        rc = register_anchor(ps, anc, n);
        if (rc) return rc;
        pframe *f = &ps->frames[ps->depth++];
        f->node = n;
        f->n = 0;
        f->key = NULL;
        return FU_OK;
    }
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT: {
        pframe *f = &ps->frames[ps->depth - 1];
        ynode *n = f->node;
        n->n = f->n;
        if (n->kind == YN_MAP && f->n) {
            n->ents = arena_alloc(ps->a, f->n * sizeof(yent));
            if (!n->ents) return fu__error_nomem();
            memcpy(n->ents, f->ents, f->n * sizeof(yent));
            int rc = check_duplicates(ps, n);
            if (rc) return rc;
        } else if (n->kind == YN_SEQ && f->n) {
            n->items = arena_alloc(ps->a, f->n * sizeof(ynode *));
            if (!n->items) return fu__error_nomem();
            memcpy(n->items, f->items, f->n * sizeof(ynode *));
        }
        n->done = 1;
        f->n = 0;
        ps->depth--;
        return attach(ps, n, m);
    }
    default: return FU_OK;
    }
}

/* Parse YAML text into a tree in `a`. An empty document gives *out = NULL. */
static int parse_tree(arena *a, const char *src, const char *text, size_t len, const limits *lim,
                      ynode **out) {
    *out = NULL;
    if (len > lim->max_bytes)
        return fu__error_set_at(FU_ELIMIT, src, 0, 0, "", "policy is %zu bytes, more than the limit of %zu",
                                len, lim->max_bytes);
    parser ps;
    memset(&ps, 0, sizeof ps);
    ps.a = a;
    ps.src = src;
    ps.text = text;
    ps.len = len;
    ps.lim = *lim;
    ps.frames = fu__calloc((size_t)lim->max_depth + 1, sizeof(pframe));
    if (!ps.frames) return fu__error_nomem();
    yaml_parser_t yp;
    int rc = FU_OK;
    if (!yaml_parser_initialize(&yp)) {
        fu__free(ps.frames);
        return fu__error_nomem();
    }
    yaml_parser_set_input_string(&yp, (const unsigned char *)text, len);
    yaml_parser_set_encoding(&yp, YAML_UTF8_ENCODING);
    for (;;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&yp, &ev)) {
            rc = yaml_fail(&ps, &yp);
            break;
        }
        int done = ev.type == YAML_STREAM_END_EVENT;
        rc = handle_event(&ps, &ev);
        yaml_event_delete(&ev);
        if (rc || done) break;
    }
    yaml_parser_delete(&yp);
    for (size_t i = 0; i <= lim->max_depth; i++) {
        fu__free(ps.frames[i].ents);
        fu__free(ps.frames[i].items);
    }
    fu__free(ps.frames);
    fu__free(ps.anchors);
    if (rc == FU_OK) *out = ps.root;
    return rc;
}

/* =================================================================== merge */

static const ynode *map_get(const ynode *map, const char *key) {
    if (!map || map->kind != YN_MAP) return NULL;
    size_t kl = strlen(key);
    for (size_t i = 0; i < map->n; i++)
        if (map->ents[i].key->len == kl && memcmp(map->ents[i].key->text, key, kl) == 0)
            return map->ents[i].val;
    return NULL;
}

static const ynode *map_get_n(const ynode *map, const char *key, size_t kl) {
    for (size_t i = 0; i < map->n; i++)
        if (map->ents[i].key->len == kl && memcmp(map->ents[i].key->text, key, kl) == 0)
            return map->ents[i].val;
    return NULL;
}

/* Deep merge: mappings merge key by key, anything else in `over` replaces
 * `base`; a null value in `over` removes the key. Nodes are shared, never
 * changed; new mapping nodes are made for merged mappings. */
static int merge_nodes(arena *a, const ynode *base, const ynode *over, const ynode **out) {
    if (!base || base->kind != YN_MAP || over->kind != YN_MAP) {
        *out = over;
        return FU_OK;
    }
    ynode *m = arena_alloc(a, sizeof *m);
    if (!m) return fu__error_nomem();
    *m = *over;
    m->n = 0;
    size_t cap = base->n + over->n;
    m->ents = arena_alloc(a, (cap ? cap : 1) * sizeof(yent));
    if (!m->ents) return fu__error_nomem();
    for (size_t i = 0; i < base->n; i++) {
        const yent *be = &base->ents[i];
        const ynode *ov = map_get_n(over, be->key->text, be->key->len);
        if (!ov) {
            m->ents[m->n++] = *be;
            continue;
        }
        if (ov->kind == YN_SCALAR && ov->is_null) continue; /* removed */
        const ynode *mv;
        int rc = merge_nodes(a, be->val, ov, &mv);
        if (rc) return rc;
        /* the key keeps the site's position: errors point at the site file */
        const ynode *okey = NULL;
        for (size_t j = 0; j < over->n; j++)
            if (over->ents[j].val == ov) okey = over->ents[j].key;
        m->ents[m->n].key = (ynode *)(okey ? okey : be->key);
        m->ents[m->n].val = (ynode *)mv;
        m->n++;
    }
    for (size_t j = 0; j < over->n; j++) {
        const yent *oe = &over->ents[j];
        if (map_get_n(base, oe->key->text, oe->key->len)) continue;
        if (oe->val->kind == YN_SCALAR && oe->val->is_null) continue;
        m->ents[m->n++] = *oe;
    }
    *out = m;
    return FU_OK;
}

/* ============================================================= validation */

typedef struct vctx {
    fu_policy *p;
    arena *a;
    char path[256];
    size_t plen;
    pcre2_general_context *gctx;
    pcre2_compile_context *cctx;
} vctx;

static size_t path_push(vctx *c, const char *key) {
    size_t old = c->plen;
    int n = snprintf(c->path + old, sizeof c->path - old, "%s%s", old ? "." : "", key);
    if (n > 0) c->plen = old + (size_t)n < sizeof c->path ? old + (size_t)n : sizeof c->path - 1;
    return old;
}

static size_t path_push_idx(vctx *c, size_t i) {
    size_t old = c->plen;
    int n = snprintf(c->path + old, sizeof c->path - old, "[%zu]", i);
    if (n > 0) c->plen = old + (size_t)n < sizeof c->path ? old + (size_t)n : sizeof c->path - 1;
    return old;
}

static void path_pop(vctx *c, size_t old) {
    c->plen = old;
    c->path[old] = '\0';
}

static int verr(vctx *c, const ynode *n, int code, const char *fmt, ...) FU_PRINTF(4, 5);
static int verr(vctx *c, const ynode *n, int code, const char *fmt, ...) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return fu__error_set_at(code, n ? n->src : "", n ? n->line : 0, n ? n->col : 0, c->path, "%s", msg);
}

/* A short description of a node for "expected X, got Y" messages. */
static const char *node_desc(const ynode *n, char *buf, size_t size) {
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
static int unknown_name(vctx *c, const ynode *at, const char *what, const char *word,
                        const char *const *cands, size_t n) {
    const char *s = suggest(word, cands, n);
    if (s) return verr(c, at, FU_EPOLICY, "unknown %s '%s' (did you mean '%s'?)", what, word, s);
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
    if (n == 0) return verr(c, at, FU_EPOLICY, "unknown %s '%s'", what, word);
    return verr(c, at, FU_EPOLICY, "unknown %s '%s'; expected one of: %s", what, word, list);
}

static int want_map(vctx *c, const ynode *n) {
    char b[64];
    if (n->kind != YN_MAP) return verr(c, n, FU_EPOLICY, "expected a mapping, got %s", node_desc(n, b, sizeof b));
    return FU_OK;
}

static int want_seq(vctx *c, const ynode *n) {
    char b[64];
    if (n->kind != YN_SEQ) return verr(c, n, FU_EPOLICY, "expected a sequence, got %s", node_desc(n, b, sizeof b));
    return FU_OK;
}

/* A mapping whose keys are all in `allowed` (NULL-terminated). */
static int check_keys(vctx *c, const ynode *map, const char *const *allowed) {
    int rc = want_map(c, map);
    if (rc) return rc;
    size_t na = count_names(allowed);
    for (size_t i = 0; i < map->n; i++) {
        const char *k = map->ents[i].key->text;
        size_t j;
        for (j = 0; j < na; j++)
            if (strcmp(k, allowed[j]) == 0) break;
        if (j == na) {
            size_t old = path_push(c, k);
            rc = unknown_name(c, map->ents[i].key, "key", k, allowed, na);
            path_pop(c, old);
            return rc;
        }
    }
    return FU_OK;
}

/* The value of `key`, NULL when absent or null; an error when required. */
static int field(vctx *c, const ynode *map, const char *key, int required, const ynode **out) {
    const ynode *v = map_get(map, key);
    if (v && v->kind == YN_SCALAR && v->is_null) v = NULL;
    *out = v;
    if (!v && required) {
        size_t old = path_push(c, key);
        int rc = verr(c, map, FU_EPOLICY, "missing required key '%s'", key);
        path_pop(c, old);
        return rc;
    }
    return FU_OK;
}

static int want_scalar(vctx *c, const ynode *n, const char *what) {
    char b[64];
    if (n->kind != YN_SCALAR || n->is_null)
        return verr(c, n, FU_EPOLICY, "expected %s, got %s", what, node_desc(n, b, sizeof b));
    return FU_OK;
}

/* Numbers: decimal, optional sign, fraction, exponent, '_' separators, and a
 * trailing '%' (divides by 100). */
static int parse_number(const char *s, size_t len, double *out, int *pct) {
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

static int num_of(vctx *c, const ynode *n, double lo, double hi, double *out) {
    int rc = want_scalar(c, n, "a number");
    if (rc) return rc;
    double v;
    int pct;
    if (parse_number(n->text, n->len, &v, &pct) != 0)
        return verr(c, n, FU_EPOLICY, "expected a number, got '%.40s'", n->text);
    if (v < lo || v > hi) {
        if (v < 0 && lo >= 0) return verr(c, n, FU_EPOLICY, "must not be negative, got %s", n->text);
        return verr(c, n, FU_EPOLICY, "%s is out of range [%g, %g]", n->text, lo, hi);
    }
    *out = v;
    return FU_OK;
}

/* A share in [lo, hi] (within [0,1]): 0.75 or 75%. */
static int share_of(vctx *c, const ynode *n, double lo, double hi, double *out) {
    int rc = want_scalar(c, n, "a share (0.75 or 75%)");
    if (rc) return rc;
    double v;
    int pct;
    if (parse_number(n->text, n->len, &v, &pct) != 0)
        return verr(c, n, FU_EPOLICY, "expected a share like 0.75 or 75%%, got '%.40s'", n->text);
    if (v < lo || v > hi)
        return verr(c, n, FU_EPOLICY, "a share must lie in [%g, %g] (%g%% to %g%%), got %s", lo, hi, lo * 100,
                    hi * 100, n->text);
    *out = v;
    return FU_OK;
}

static int int_of(vctx *c, const ynode *n, long lo, long hi, int *out) {
    double v;
    int rc = want_scalar(c, n, "a whole number");
    if (rc) return rc;
    int pct;
    if (parse_number(n->text, n->len, &v, &pct) != 0 || pct || v != floor(v))
        return verr(c, n, FU_EPOLICY, "expected a whole number, got '%.40s'", n->text);
    if (v < (double)lo || v > (double)hi) {
        if (v < 0 && lo >= 0) return verr(c, n, FU_EPOLICY, "must not be negative, got %s", n->text);
        return verr(c, n, FU_EPOLICY, "%s is out of range [%ld, %ld]", n->text, lo, hi);
    }
    *out = (int)v;
    return FU_OK;
}

static int str_of(vctx *c, const ynode *n, const char **out) {
    int rc = want_scalar(c, n, "text");
    if (rc) return rc;
    *out = n->text;
    return FU_OK;
}

static int bool_of(vctx *c, const ynode *n, int *out) {
    int rc = want_scalar(c, n, "true or false");
    if (rc) return rc;
    if (word_eq(n->text, n->len, "true")) *out = 1;
    else if (word_eq(n->text, n->len, "false")) *out = 0;
    else return verr(c, n, FU_EPOLICY, "expected true or false, got '%.40s'", n->text);
    return FU_OK;
}

enum {
    DUR_NEG = 1u << 0,  /* negative allowed */
    DUR_ZERO = 1u << 1, /* zero allowed */
    DUR_WALL = 1u << 2, /* units allowed: */
    DUR_BUSINESS = 1u << 3,
    DUR_WORKDAYS = 1u << 4,
    DUR_MONTHS = 1u << 5,
    DUR_ANY = DUR_WALL | DUR_BUSINESS | DUR_WORKDAYS | DUR_MONTHS
};

static int dur_of(vctx *c, const ynode *n, unsigned flags, fu_duration *out) {
    int rc = want_scalar(c, n, "a duration (48h, 7d, 1 month, 7 working days)");
    if (rc) return rc;
    char msg[160];
    size_t col;
    fu_duration d;
    rc = dur_parse(n->text, n->len, &d, &col, msg, sizeof msg);
    if (rc) {
        unsigned long ecol = n->col;
        if (n->single_line) ecol = n->col + (n->plain ? 0 : 1) + (col ? col - 1 : 0);
        return fu__error_set_at(rc == FU_ERANGE ? FU_EPOLICY : FU_EPOLICY, n->src, n->line, ecol, c->path,
                                "bad duration '%.40s': %s", n->text, msg);
    }
    unsigned ubit = d.unit == FU_DURATION_SECONDS ? DUR_WALL
                  : d.unit == FU_DURATION_BUSINESS_SECONDS ? DUR_BUSINESS
                  : d.unit == FU_DURATION_WORKING_DAYS ? DUR_WORKDAYS : DUR_MONTHS;
    if (!(flags & ubit)) {
        const char *what = ubit == DUR_WALL ? "wall-clock time" : ubit == DUR_BUSINESS ? "business time"
                         : ubit == DUR_WORKDAYS ? "working days" : "calendar months";
        return verr(c, n, FU_EPOLICY, "a duration in %s is not allowed here (got '%s')", what, n->text);
    }
    if (d.value < 0 && !(flags & DUR_NEG))
        return verr(c, n, FU_EPOLICY, "duration must not be negative, got '%s'", n->text);
    if (d.value == 0 && !(flags & DUR_ZERO))
        return verr(c, n, FU_EPOLICY, "duration must be longer than zero, got '%s'", n->text);
    /* absurd: more than 100 years */
    int64_t a = d.value < 0 ? -d.value : d.value;
    int64_t cap = d.unit == FU_DURATION_MONTHS ? 1200
                : d.unit == FU_DURATION_WORKING_DAYS ? 36500 : (int64_t)100 * 366 * 86400;
    if (a > cap) return verr(c, n, FU_EPOLICY, "duration '%s' is longer than 100 years", n->text);
    *out = d;
    return FU_OK;
}

/* An index into `names` (NULL-terminated). */
static int enum_of(vctx *c, const ynode *n, const char *what, const char *const *names, int *out) {
    char buf[80];
    snprintf(buf, sizeof buf, "a %s", what);
    int rc = want_scalar(c, n, buf);
    if (rc) return rc;
    for (int i = 0; names[i]; i++)
        if (strcmp(n->text, names[i]) == 0) {
            *out = i;
            return FU_OK;
        }
    return unknown_name(c, n, what, n->text, names, count_names(names));
}

/* ---- field readers: look up `key` in `map`, push it on the path ---- */

#define FIELD_BEGIN(req)                                   \
    const ynode *v_;                                       \
    int rc_ = field(c, map, key, (req), &v_);              \
    if (rc_ || !v_) return rc_;                            \
    size_t old_ = path_push(c, key);
#define FIELD_END(expr) \
    rc_ = (expr);       \
    path_pop(c, old_);  \
    return rc_;

static int rd_num(vctx *c, const ynode *map, const char *key, int req, double lo, double hi, double *out) {
    FIELD_BEGIN(req)
    FIELD_END(num_of(c, v_, lo, hi, out))
}
static int rd_share(vctx *c, const ynode *map, const char *key, int req, double lo, double hi, double *out) {
    FIELD_BEGIN(req)
    FIELD_END(share_of(c, v_, lo, hi, out))
}
static int rd_int(vctx *c, const ynode *map, const char *key, int req, long lo, long hi, int *out) {
    FIELD_BEGIN(req)
    FIELD_END(int_of(c, v_, lo, hi, out))
}
static int rd_str(vctx *c, const ynode *map, const char *key, int req, const char **out) {
    FIELD_BEGIN(req)
    FIELD_END(str_of(c, v_, out))
}
static int rd_bool(vctx *c, const ynode *map, const char *key, int req, int *out) {
    FIELD_BEGIN(req)
    FIELD_END(bool_of(c, v_, out))
}
static int rd_dur(vctx *c, const ynode *map, const char *key, int req, unsigned flags, fu_duration *out) {
    FIELD_BEGIN(req)
    FIELD_END(dur_of(c, v_, flags, out))
}
static int rd_enum(vctx *c, const ynode *map, const char *key, int req, const char *what,
                   const char *const *names, int *out) {
    FIELD_BEGIN(req)
    FIELD_END(enum_of(c, v_, what, names, out))
}

static char *rule_name(vctx *c, const char *a, const char *b, const char *d) {
    size_t n = strlen(a) + strlen(b) + (d ? strlen(d) + 1 : 0) + 2;
    char *s = arena_alloc(c->a, n);
    if (!s) return NULL;
    if (d) snprintf(s, n, "%s.%s.%s", a, b, d);
    else snprintf(s, n, "%s.%s", a, b);
    return s;
}

/* ================================================================ builders */

static const char *const lifecycle_names[] = {"new", "growing", "mature", "declining", "churned", NULL};
static const char *const promise_state_names[] = {"at_risk", "breached", "fulfilled", NULL};

const char *fu__pol_promise_state_name(int state) {
    return state >= 0 && state < 3 ? promise_state_names[state] : "?";
}
static const char *const channel_names[] = {"phone", "sms", "email", "chat", "video", "visit", NULL};
static const char *const priority_names[] = {"urgent", "high", "normal", "low", NULL};
static const char *const action_names[] = {"skip_routine", "defer", "service_recovery", NULL};
static const char *const weekday_keys[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun", NULL};

const char *fu__pol_lifecycle_name(int s) { return s >= 0 && s < FU__LC_COUNT ? lifecycle_names[s] : NULL; }
const char *fu__pol_channel_name(int ch) { return ch >= 0 && ch < FU__CH_COUNT ? channel_names[ch] : NULL; }
const char *fu__pol_priority_name(int p) { return p >= 0 && p < FU__PRIO_COUNT ? priority_names[p] : NULL; }
const char *fu__pol_action_name(int a) { return a >= 0 && a <= FU__ACTION_SERVICE_RECOVERY ? action_names[a] : NULL; }

static int register_owned(vctx *c, int kind, owned **out) {
    owned *o = arena_calloc(c->a, 1, sizeof *o);
    if (!o) return fu__error_nomem();
    o->kind = kind;
    o->next = c->p->owned;
    c->p->owned = o;
    *out = o;
    return FU_OK;
}

/* Candidate names for references (tiers, classes, RFM groups). */
typedef struct namelist {
    const char *v[FU__POL_MAX_TIERS];
    size_t n;
} namelist;


typedef struct bctx {
    vctx *c;
    namelist tiers, classes, rfm;
} bctx;

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
        int rc = want_seq(c, n);
        if (rc) return rc;
        items = (const ynode *const *)n->items;
        cnt = n->n;
    }
    for (size_t i = 0; i < cnt; i++) {
        size_t old = n->kind == YN_SEQ ? path_push_idx(c, i) : c->plen;
        char b[80];
        snprintf(b, sizeof b, "a %s name", what);
        int rc = want_scalar(c, items[i], b);
        size_t j = 0;
        if (!rc) {
            for (j = 0; j < nc; j++)
                if (strcmp(items[i]->text, cands[j]) == 0) break;
            if (j == nc) rc = unknown_name(c, items[i], what, items[i]->text, cands, nc);
        }
        path_pop(c, old);
        if (rc) return rc;
        *out |= 1u << j;
    }
    return FU_OK;
}

static int rd_mask(vctx *c, const ynode *map, const char *key, const char *what, const char *const *cands,
                   size_t nc, uint32_t *out) {
    *out = 0;
    FIELD_BEGIN(0)
    FIELD_END(names_mask(c, v_, what, cands, nc, out))
}

static int strs_of(vctx *c, const ynode *n, fu__pol_strs *out) {
    out->v = NULL;
    out->n = 0;
    if (n->kind == YN_SCALAR && !n->is_null) {
        const char **v = arena_alloc(c->a, sizeof *v);
        if (!v) return fu__error_nomem();
        v[0] = n->text;
        out->v = v;
        out->n = 1;
        return FU_OK;
    }
    int rc = want_seq(c, n);
    if (rc) return rc;
    const char **v = arena_alloc(c->a, (n->n ? n->n : 1) * sizeof *v);
    if (!v) return fu__error_nomem();
    for (size_t i = 0; i < n->n; i++) {
        size_t old = path_push_idx(c, i);
        rc = str_of(c, n->items[i], &v[i]);
        path_pop(c, old);
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
    FIELD_END(strs_of(c, v_, out))
}

static const char *const when_keys[] = {"tier", "product_class", "lifecycle", "rfm_group", "severity",
                                        "industry", "risk", "is_smb", "min_tenure", "survey", "score_at_most",
                                        "unresolved", NULL};
static const char *const survey_scale_names[] = {"none", "csat", "nps", "ces", NULL};

static int rd_when(bctx *b, const ynode *map, const char *key, fu__pol_when *out) {
    vctx *c = b->c;
    memset(out, 0, sizeof *out);
    out->is_smb = -1;
    const ynode *w;
    int rc = field(c, map, key, 0, &w);
    if (rc || !w) return rc;
    size_t old = path_push(c, key);
    rc = check_keys(c, w, when_keys);
    if (!rc) rc = rd_mask(c, w, "tier", "value tier", b->tiers.v, b->tiers.n, &out->tiers);
    if (!rc) rc = rd_mask(c, w, "product_class", "product class", b->classes.v, b->classes.n, &out->product_classes);
    if (!rc) rc = rd_mask(c, w, "lifecycle", "lifecycle stage", lifecycle_names, FU__LC_COUNT, &out->lifecycles);
    if (!rc) rc = rd_mask(c, w, "rfm_group", "RFM group", b->rfm.v, b->rfm.n, &out->rfm_groups);
    if (!rc) rc = rd_strs(c, w, "severity", &out->severities);
    if (!rc) rc = rd_strs(c, w, "industry", &out->industries);
    if (!rc) rc = rd_strs(c, w, "risk", &out->risks);
    if (!rc && map_get(w, "is_smb")) rc = rd_bool(c, w, "is_smb", 0, &out->is_smb);
    if (!rc && map_get(w, "min_tenure")) {
        rc = rd_dur(c, w, "min_tenure", 0, DUR_WALL | DUR_MONTHS | DUR_ZERO, &out->min_tenure.d);
        out->min_tenure.set = 1;
    }
    /* survey answers: the scale (csat, nps, ces) and a score at most this */
    if (!rc) rc = rd_mask(c, w, "survey", "survey scale", survey_scale_names, 4, &out->surveys);
    if (!rc && map_get(w, "score_at_most")) {
        rc = rd_num(c, w, "score_at_most", 0, -1000, 1000, &out->score_max);
        out->has_score_max = 1;
    }
    if (!rc) rc = rd_bool(c, w, "unresolved", 0, &out->unresolved);
    path_pop(c, old);
    return rc;
}

/* ---------------------------------------------------------------- calendars */

static int parse_hhmm(const char *s, size_t len, int *out) {
    /* H:MM or HH:MM, 00:00..24:00 */
    if (len < 4 || len > 5) return -1;
    size_t colon = len - 3;
    if (s[colon] != ':') return -1;
    int h = 0;
    for (size_t i = 0; i < colon; i++) {
        if (!isdigit((unsigned char)s[i])) return -1;
        h = h * 10 + (s[i] - '0');
    }
    if (!isdigit((unsigned char)s[colon + 1]) || !isdigit((unsigned char)s[colon + 2])) return -1;
    int m = (s[colon + 1] - '0') * 10 + (s[colon + 2] - '0');
    if (h > 24 || m > 59 || (h == 24 && m != 0)) return -1;
    *out = h * 60 + m;
    return 0;
}

static void fmt_hhmm(int m, char *buf) {
    if (m < 0 || m > 99 * 60) m = 0;
    snprintf(buf, 8, "%02d:%02d", (m / 60) % 100, m % 60);
}

static int parse_interval(vctx *c, const ynode *n, fu__pol_interval *iv) {
    int rc = want_scalar(c, n, "a time range like 09:00-12:00");
    if (rc) return rc;
    const char *dash = memchr(n->text, '-', n->len);
    const char *s = n->text;
    size_t a = dash ? (size_t)(dash - s) : 0;
    while (a > 0 && s[a - 1] == ' ') a--;
    size_t bstart = dash ? (size_t)(dash - s) + 1 : 0;
    while (dash && bstart < n->len && s[bstart] == ' ') bstart++;
    size_t blen = n->len - bstart;
    while (blen > 0 && s[bstart + blen - 1] == ' ') blen--;
    if (!dash || parse_hhmm(s, a, &iv->start_min) || parse_hhmm(s + bstart, blen, &iv->end_min))
        return verr(c, n, FU_EPOLICY, "expected a time range like 09:00-12:00, got '%.40s'", n->text);
    if (iv->start_min >= iv->end_min)
        return verr(c, n, FU_EPOLICY, "time range '%s' ends before it starts", n->text);
    return FU_OK;
}

static int cmp_iv(const void *a, const void *b) {
    const fu__pol_interval *x = a, *y = b;
    return (x->start_min > y->start_min) - (x->start_min < y->start_min);
}

/* One weekday's intervals: sorted, non-overlapping. */
static int parse_day_hours(vctx *c, const ynode *n, fu__pol_interval *ivs, int *count) {
    int rc = want_seq(c, n);
    if (rc) return rc;
    if (n->n > FU__POL_MAX_INTERVALS)
        return verr(c, n, FU_EPOLICY, "more than %d intervals in one day", FU__POL_MAX_INTERVALS);
    const ynode *src[FU__POL_MAX_INTERVALS];
    for (size_t i = 0; i < n->n; i++) {
        size_t old = path_push_idx(c, i);
        rc = parse_interval(c, n->items[i], &ivs[i]);
        path_pop(c, old);
        if (rc) return rc;
        src[i] = n->items[i];
    }
    for (size_t i = 0; i < n->n; i++)
        for (size_t j = 0; j < i; j++)
            if (ivs[i].start_min < ivs[j].end_min && ivs[j].start_min < ivs[i].end_min) {
                size_t old = path_push_idx(c, i);
                rc = verr(c, src[i], FU_EPOLICY, "business hours '%s' overlap '%s'", src[i]->text, src[j]->text);
                path_pop(c, old);
                return rc;
            }
    qsort(ivs, n->n, sizeof *ivs, cmp_iv);
    *count = (int)n->n;
    return FU_OK;
}

typedef struct datevec {
    fu__pol_date *v;
    size_t n, cap;
} datevec;

#define MAX_CAL_DATES 100000

static int datevec_push(vctx *c, const ynode *at, datevec *dv, const fu__pol_date *d) {
    if (dv->n >= MAX_CAL_DATES)
        return verr(c, at, FU_ELIMIT, "more than %d dates in one calendar", MAX_CAL_DATES);
    if (FU_GROW(dv->v, dv->cap, dv->n + 1) != FU_OK) return FU_ENOMEM;
    dv->v[dv->n++] = *d;
    return FU_OK;
}

static int parse_date_at(vctx *c, const ynode *n, const char *s, size_t len, size_t off, fu__pol_date *out) {
    fu_date d;
    int rc = fu_date_parse(s, len, &d);
    if (rc == FU_ENOMEM) return rc;
    if (rc != FU_OK) {
        unsigned long col = n->col + (n->single_line && !n->plain ? 1 : 0) + (n->single_line ? off : 0);
        return fu__error_set_at(FU_EPOLICY, n->src, n->line, col, c->path,
                                "expected a date YYYY-MM-DD or a range YYYY-MM-DD..YYYY-MM-DD, got '%.40s'", n->text);
    }
    out->year = d.year;
    out->month = d.month;
    out->day = d.day;
    if (fu_date_to_days(&d, &out->days) != FU_OK)
        return verr(c, n, FU_EPOLICY, "invalid date '%.40s'", n->text);
    return FU_OK;
}

/* A sequence of dates and date ranges, expanded into `dv`. */
static int parse_dates(vctx *c, const ynode *n, datevec *dv) {
    int rc = want_seq(c, n);
    if (rc) return rc;
    for (size_t i = 0; i < n->n && !rc; i++) {
        size_t old = path_push_idx(c, i);
        const ynode *it = n->items[i];
        rc = want_scalar(c, it, "a date YYYY-MM-DD or a range YYYY-MM-DD..YYYY-MM-DD");
        if (!rc) {
            const char *dots = strstr(it->text, "..");
            fu__pol_date a, z;
            if (dots) {
                size_t al = (size_t)(dots - it->text);
                rc = parse_date_at(c, it, it->text, al, 0, &a);
                if (!rc) rc = parse_date_at(c, it, dots + 2, it->len - al - 2, al + 2, &z);
                if (!rc && z.days < a.days)
                    rc = verr(c, it, FU_EPOLICY, "date range '%s' ends before it starts", it->text);
                if (!rc && z.days - a.days > 366)
                    rc = verr(c, it, FU_EPOLICY, "date range '%s' is longer than a year", it->text);
                for (int64_t d = a.days; !rc && d <= z.days; d++) {
                    fu_date fd;
                    fu__pol_date pd;
                    if (fu_date_from_days(d, &fd) != FU_OK) {
                        rc = verr(c, it, FU_EPOLICY, "invalid date in '%s'", it->text);
                        break;
                    }
                    pd.year = fd.year;
                    pd.month = fd.month;
                    pd.day = fd.day;
                    pd.days = d;
                    rc = datevec_push(c, it, dv, &pd);
                }
            } else {
                rc = parse_date_at(c, it, it->text, it->len, 0, &a);
                if (!rc) rc = datevec_push(c, it, dv, &a);
            }
        }
        path_pop(c, old);
    }
    return rc;
}

static int cmp_date(const void *a, const void *b) {
    const fu__pol_date *x = a, *y = b;
    return (x->days > y->days) - (x->days < y->days);
}

static size_t sort_unique(fu__pol_date *v, size_t n) {
    if (n == 0) return 0;
    qsort(v, n, sizeof *v, cmp_date);
    size_t k = 1;
    for (size_t i = 1; i < n; i++)
        if (v[i].days != v[k - 1].days) v[k++] = v[i];
    return k;
}

static int date_in(const fu__pol_date *v, size_t n, int64_t days) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (v[mid].days < days) lo = mid + 1;
        else hi = mid;
    }
    return lo < n && v[lo].days == days;
}

/* Keep the dates of `v` not in `drop`. */
static size_t remove_dates(fu__pol_date *v, size_t n, const fu__pol_date *drop, size_t nd) {
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!date_in(drop, nd, v[i].days)) v[k++] = v[i];
    return k;
}

typedef struct calb {
    int state; /* 0 todo, 1 building, 2 done */
    const ynode *tz_node;
} calb;

static int build_calendar(vctx *c, const ynode *cals, fu__pol_calendar *out, calb *st, size_t i);

static const char *const calendar_keys[] = {"extends", "tz", "hours", "holidays", "workdays", "data_until", NULL};

static int build_calendar_body(vctx *c, const ynode *cals, fu__pol_calendar *out, calb *st, size_t i,
                               datevec *hol, datevec *wrk) {
    const ynode *cn = cals->ents[i].val;
    fu__pol_calendar *cal = &out[i];
    int rc = check_keys(c, cn, calendar_keys);
    if (rc) return rc;
    const fu__pol_calendar *parent = NULL;
    const ynode *ext;
    if ((rc = field(c, cn, "extends", 0, &ext))) return rc;
    if (ext) {
        size_t old = path_push(c, "extends");
        rc = want_scalar(c, ext, "a calendar name");
        size_t j = 0;
        if (!rc) {
            for (j = 0; j < cals->n; j++)
                if (strcmp(cals->ents[j].key->text, ext->text) == 0) break;
            if (j == cals->n) {
                const char *names[64];
                size_t nn = 0;
                for (size_t k = 0; k < cals->n && nn < 64; k++) names[nn++] = cals->ents[k].key->text;
                rc = unknown_name(c, ext, "calendar", ext->text, names, nn);
            } else if (st[j].state == 1) {
                rc = verr(c, ext, FU_EPOLICY, "calendar '%s' extends itself (through '%s')", cal->name, ext->text);
            }
        }
        if (!rc && st[j].state == 0) {
            char saved[sizeof c->path];
            size_t slen = c->plen;
            memcpy(saved, c->path, sizeof saved);
            path_pop(c, 0);
            path_push(c, "calendars");
            path_push(c, cals->ents[j].key->text);
            rc = build_calendar(c, cals, out, st, j);
            memcpy(c->path, saved, sizeof saved);
            c->plen = slen;
        }
        path_pop(c, old);
        if (rc) return rc;
        parent = &out[j];
        st[i].tz_node = st[j].tz_node;
        cal->tz = parent->tz;
        memcpy(cal->hours, parent->hours, sizeof cal->hours);
        memcpy(cal->n_hours, parent->n_hours, sizeof cal->n_hours);
        cal->has_hours = parent->has_hours;
    }
    const ynode *tz;
    if ((rc = field(c, cn, "tz", parent == NULL, &tz))) return rc;
    if (tz) {
        size_t old = path_push(c, "tz");
        rc = str_of(c, tz, &cal->tz);
        path_pop(c, old);
        if (rc) return rc;
        st[i].tz_node = tz;
    }
    const ynode *hours;
    if ((rc = field(c, cn, "hours", 0, &hours))) return rc;
    if (hours) {
        size_t old = path_push(c, "hours");
        rc = check_keys(c, hours, weekday_keys);
        for (int d = 0; d < 7 && !rc; d++) {
            const ynode *dn = map_get(hours, weekday_keys[d]);
            if (!dn) {
                if (!parent) cal->n_hours[d] = 0;
                continue;
            }
            size_t o2 = path_push(c, weekday_keys[d]);
            if (dn->kind == YN_SCALAR && dn->is_null) cal->n_hours[d] = 0;
            else rc = parse_day_hours(c, dn, cal->hours[d], &cal->n_hours[d]);
            path_pop(c, o2);
        }
        path_pop(c, old);
        if (rc) return rc;
        cal->has_hours = 1;
    }
    /* own holidays and workdays */
    const ynode *hn, *wn;
    if ((rc = field(c, cn, "holidays", 0, &hn))) return rc;
    if ((rc = field(c, cn, "workdays", 0, &wn))) return rc;
    if (hn) {
        size_t old = path_push(c, "holidays");
        rc = parse_dates(c, hn, hol);
        path_pop(c, old);
        if (rc) return rc;
    }
    if (wn) {
        size_t old = path_push(c, "workdays");
        rc = parse_dates(c, wn, wrk);
        path_pop(c, old);
        if (rc) return rc;
    }
    hol->n = sort_unique(hol->v, hol->n);
    wrk->n = sort_unique(wrk->v, wrk->n);
    for (size_t k = 0; k < wrk->n; k++)
        if (date_in(hol->v, hol->n, wrk->v[k].days)) {
            size_t old = path_push(c, "workdays");
            rc = verr(c, wn, FU_EPOLICY, "%04d-%02d-%02d is both a holiday and a workday", wrk->v[k].year,
                      wrk->v[k].month, wrk->v[k].day);
            path_pop(c, old);
            return rc;
        }
    /* combine with the parent: own declarations win over inherited ones */
    size_t nh = hol->n, nw = wrk->n;
    size_t ph = parent ? parent->n_holidays : 0, pw = parent ? parent->n_workdays : 0;
    fu__pol_date *H = arena_alloc(c->a, (nh + ph + 1) * sizeof *H);
    fu__pol_date *W = arena_alloc(c->a, (nw + pw + 1) * sizeof *W);
    if (!H || !W) return fu__error_nomem();
    if (ph) memcpy(H, parent->holidays, ph * sizeof *H);
    if (pw) memcpy(W, parent->workdays, pw * sizeof *W);
    ph = remove_dates(H, ph, wrk->v, nw);
    pw = remove_dates(W, pw, hol->v, nh);
    if (nh) memcpy(H + ph, hol->v, nh * sizeof *H);
    if (nw) memcpy(W + pw, wrk->v, nw * sizeof *W);
    cal->holidays = H;
    cal->n_holidays = sort_unique(H, ph + nh);
    cal->workdays = W;
    cal->n_workdays = sort_unique(W, pw + nw);
    /* the data's end: `data_until`, else the end of the latest year listed
     * (own or inherited) */
    int last_year = 0;
    if (cal->n_holidays) last_year = cal->holidays[cal->n_holidays - 1].year;
    if (cal->n_workdays && cal->workdays[cal->n_workdays - 1].year > last_year)
        last_year = cal->workdays[cal->n_workdays - 1].year;
    cal->data_until = INT64_MAX;
    if (last_year) {
        fu_date end = {last_year, 12, 31};
        if (fu_date_to_days(&end, &cal->data_until) != FU_OK) cal->data_until = INT64_MAX;
    }
    if (parent && parent->data_until != INT64_MAX && (cal->data_until == INT64_MAX || parent->data_until > cal->data_until))
        cal->data_until = parent->data_until;
    const ynode *du;
    if ((rc = field(c, cn, "data_until", 0, &du))) return rc;
    if (du) {
        size_t old = path_push(c, "data_until");
        fu__pol_date d;
        rc = want_scalar(c, du, "a date YYYY-MM-DD");
        if (!rc) rc = parse_date_at(c, du, du->text, du->len, 0, &d);
        if (!rc) cal->data_until = d.days;
        path_pop(c, old);
    }
    return rc;
}

static int make_fu_calendar(vctx *c, fu__pol_calendar *cal, const ynode *tz_node) {
    owned *o = NULL;
    int rc = register_owned(c, 0, &o);
    if (rc) return rc;
    fu_calendar *fc = NULL;
    rc = fu_calendar_new(&fc, cal->tz);
    if (rc == FU_ENOMEM) return rc;
    if (rc != FU_OK) {
        size_t old = c->plen;
        if (tz_node) path_push(c, "tz");
        rc = verr(c, tz_node, FU_ETIMEZONE, "unknown time zone '%s'", cal->tz);
        path_pop(c, old);
        return rc;
    }
    o->ptr = fc;
    cal->cal = fc;
    if (cal->has_hours) {
        for (int d = 0; d < 7; d++) {
            fu_day_interval iv[FU__POL_MAX_INTERVALS];
            for (int k = 0; k < cal->n_hours[d]; k++) {
                iv[k].start_minute = cal->hours[d][k].start_min;
                iv[k].end_minute = cal->hours[d][k].end_min;
            }
            rc = fu_calendar_set_hours(fc, d, iv, (size_t)cal->n_hours[d]);
            if (rc) return rc == FU_ENOMEM ? rc : verr(c, tz_node, rc, "calendar '%s': %s", cal->name, fu_error_last()->message);
        }
    }
    for (size_t k = 0; k < cal->n_holidays; k++) {
        fu_date d = {cal->holidays[k].year, cal->holidays[k].month, cal->holidays[k].day};
        rc = fu_calendar_add_holiday(fc, &d, NULL);
        if (rc) return rc;
    }
    for (size_t k = 0; k < cal->n_workdays; k++) {
        fu_date d = {cal->workdays[k].year, cal->workdays[k].month, cal->workdays[k].day};
        rc = fu_calendar_add_workday(fc, &d, FU_MONDAY);
        if (rc) return rc;
    }
    return FU_OK;
}

static int build_calendar(vctx *c, const ynode *cals, fu__pol_calendar *out, calb *st, size_t i) {
    st[i].state = 1;
    out[i].name = cals->ents[i].key->text;
    datevec hol = {NULL, 0, 0}, wrk = {NULL, 0, 0};
    int rc = build_calendar_body(c, cals, out, st, i, &hol, &wrk);
    fu__free(hol.v);
    fu__free(wrk.v);
    if (!rc) rc = make_fu_calendar(c, &out[i], st[i].tz_node);
    st[i].state = 2;
    return rc;
}

static int build_calendars(vctx *c, const ynode *root) {
    fu__policy *t = &c->p->t;
    const ynode *cals;
    int rc = field(c, root, "calendars", 1, &cals);
    if (rc) return rc;
    size_t old = path_push(c, "calendars");
    rc = want_map(c, cals);
    if (rc) goto out;
    if (cals->n == 0) {
        rc = verr(c, cals, FU_EPOLICY, "at least one calendar is needed");
        goto out;
    }
    fu__pol_calendar *cv = arena_calloc(c->a, cals->n, sizeof *cv);
    calb *st = fu__calloc(cals->n, sizeof *st);
    if (!cv || !st) {
        fu__free(st);
        rc = fu__error_nomem();
        goto out;
    }
    for (size_t i = 0; i < cals->n && !rc; i++) {
        if (st[i].state) continue;
        size_t o2 = path_push(c, cals->ents[i].key->text);
        rc = build_calendar(c, cals, cv, st, i);
        path_pop(c, o2);
    }
    fu__free(st);
    t->calendars = cv;
    t->n_calendars = cals->n;
out:
    path_pop(c, old);
    if (rc) return rc;
    /* the default calendar */
    const ynode *dn;
    if ((rc = field(c, root, "calendar", 1, &dn))) return rc;
    old = path_push(c, "calendar");
    rc = want_scalar(c, dn, "a calendar name");
    if (!rc) {
        for (size_t i = 0; i < t->n_calendars; i++)
            if (strcmp(t->calendars[i].name, dn->text) == 0) t->calendar = &t->calendars[i];
        if (!t->calendar) {
            const char *names[64];
            size_t nn = 0;
            for (size_t k = 0; k < t->n_calendars && nn < 64; k++) names[nn++] = t->calendars[k].name;
            rc = unknown_name(c, dn, "calendar", dn->text, names, nn);
        }
    }
    path_pop(c, old);
    return rc;
}

static const fu__pol_calendar *find_calendar(const fu__policy *t, const char *name) {
    for (size_t i = 0; i < t->n_calendars; i++)
        if (strcmp(t->calendars[i].name, name) == 0) return &t->calendars[i];
    return NULL;
}

/* ---------------------------------------------------------------- segments */

static int cmp_band(const void *a, const void *b) {
    const fu__pol_band *x = a, *y = b;
    if (x->min != y->min) return x->min < y->min ? 1 : -1; /* descending */
    return y->min_exclusive - x->min_exclusive;           /* `above` first */
}

static int build_bands(bctx *b, const ynode *seg, const char *key, int with_kind, fu__pol_band *out,
                       size_t *count, namelist *names) {
    vctx *c = b->c;
    static const char *const band_keys[] = {"above", "at_least", NULL};
    static const char *const class_keys[] = {"above", "at_least", "kind", NULL};
    const ynode *m;
    int rc = field(c, seg, key, 1, &m);
    if (rc) return rc;
    size_t old = path_push(c, key);
    rc = want_map(c, m);
    if (!rc && m->n == 0) rc = verr(c, m, FU_EPOLICY, "at least one entry is needed");
    if (!rc && m->n > FU__POL_MAX_TIERS) rc = verr(c, m, FU_EPOLICY, "more than %d entries", FU__POL_MAX_TIERS);
    for (size_t i = 0; i < (rc ? 0 : m->n); i++) {
        const char *name = m->ents[i].key->text;
        const ynode *e = m->ents[i].val;
        size_t o2 = path_push(c, name);
        fu__pol_band *bd = &out[i];
        bd->name = name;
        bd->rule = rule_name(c, "segments", key, name);
        if (!bd->rule) rc = fu__error_nomem();
        if (!rc) rc = check_keys(c, e, with_kind ? class_keys : band_keys);
        if (!rc) {
            int has_above = map_get(e, "above") != NULL, has_least = map_get(e, "at_least") != NULL;
            if (has_above == has_least)
                rc = verr(c, e, FU_EPOLICY, "give exactly one of 'above' or 'at_least'");
            else if (has_above) {
                rc = rd_num(c, e, "above", 1, 0, 1e15, &bd->min);
                bd->min_exclusive = 1;
            } else {
                rc = rd_num(c, e, "at_least", 1, 0, 1e15, &bd->min);
            }
        }
        if (!rc && with_kind) rc = rd_str(c, e, "kind", 0, &bd->kind);
        path_pop(c, o2);
        if (rc) break;
        names->v[i] = name;
    }
    if (!rc) {
        names->n = m->n;
        qsort(out, m->n, sizeof *out, cmp_band);
        /* `when:` masks index the sorted bands: bit i is out[i] */
        for (size_t i = 0; i < m->n; i++) names->v[i] = out[i].name;
        for (size_t i = 1; i < m->n && !rc; i++)
            if (out[i].min == out[i - 1].min && out[i].min_exclusive == out[i - 1].min_exclusive)
                rc = verr(c, m, FU_EPOLICY, "'%s' and '%s' have the same threshold", out[i - 1].name, out[i].name);
        if (!rc && !(out[m->n - 1].min == 0 && !out[m->n - 1].min_exclusive))
            rc = verr(c, m, FU_EPOLICY, "no entry covers 0: add one with 'at_least: 0'");
        *count = m->n;
    }
    path_pop(c, old);
    return rc;
}

static int parse_range(vctx *c, const ynode *n, int bins, fu__pol_range *r) {
    int rc = want_scalar(c, n, "a score or a range like 4-5");
    if (rc) return rc;
    int lo = 0, hi = 0;
    char tail = 0;
    int k = sscanf(n->text, "%d-%d%c", &lo, &hi, &tail);
    if (k == 1) {
        if (strchr(n->text, '-')) k = 0;
        hi = lo;
    }
    if (k != 1 && k != 2) return verr(c, n, FU_EPOLICY, "expected a score or a range like 4-5, got '%.40s'", n->text);
    if (lo < 1 || hi > bins || lo > hi)
        return verr(c, n, FU_EPOLICY, "score range '%s' must lie within 1-%d", n->text, bins);
    r->lo = lo;
    r->hi = hi;
    return FU_OK;
}

static int build_segments(bctx *b, const ynode *root) {
    vctx *c = b->c;
    fu__pol_segments *s = &c->p->t.segments;
    static const char *const seg_keys[] = {"value_tiers", "product_classes", "lifecycle", "rfm", "clv", "composite", NULL};
    static const char *const lc_keys[] = {"new_within", "mature_after", "declining", "churned_after", NULL};
    static const char *const decl_keys[] = {"inactive_for", "spend_drop", "complaint_within", NULL};
    static const char *const rfm_keys[] = {"window", "bins", "groups", NULL};
    static const char *const rfmg_keys[] = {"r", "f", "m", NULL};
    static const char *const clv_keys[] = {"horizon", "annual_discount_rate", "human_from_quantile", NULL};
    static const char *const comp_keys[] = {"when", "handling", NULL};
    static const char *const handling_names[] = {"human", "automated", NULL};
    const ynode *seg, *n;
    int rc = field(c, root, "segments", 1, &seg);
    if (rc) return rc;
    size_t old = path_push(c, "segments");
    rc = check_keys(c, seg, seg_keys);
    if (!rc) rc = build_bands(b, seg, "value_tiers", 0, s->tiers, &s->n_tiers, &b->tiers);
    if (!rc) rc = build_bands(b, seg, "product_classes", 1, s->classes, &s->n_classes, &b->classes);
    /* lifecycle */
    if (!rc) rc = field(c, seg, "lifecycle", 1, &n);
    if (!rc) {
        size_t o2 = path_push(c, "lifecycle");
        const unsigned D = DUR_WALL | DUR_MONTHS;
        const ynode *dn = NULL;
        rc = check_keys(c, n, lc_keys);
        if (!rc) rc = rd_dur(c, n, "new_within", 1, D, &s->new_within);
        if (!rc) rc = rd_dur(c, n, "mature_after", 1, D, &s->mature_after);
        if (!rc) rc = rd_dur(c, n, "churned_after", 1, D, &s->churned_after);
        if (!rc) rc = field(c, n, "declining", 1, &dn);
        if (!rc) {
            size_t o3 = path_push(c, "declining");
            rc = check_keys(c, dn, decl_keys);
            if (!rc) rc = rd_dur(c, dn, "inactive_for", 1, D, &s->declining_inactive_for);
            if (!rc) rc = rd_share(c, dn, "spend_drop", 1, 0, 1, &s->declining_spend_drop);
            if (!rc) rc = rd_dur(c, dn, "complaint_within", 1, D, &s->declining_complaint_within);
            path_pop(c, o3);
        }
        if (!rc && s->churned_after.unit == s->declining_inactive_for.unit &&
            s->churned_after.value <= s->declining_inactive_for.value) {
            size_t o3 = path_push(c, "churned_after");
            rc = verr(c, map_get(n, "churned_after"), FU_EPOLICY,
                      "churned_after must be longer than declining.inactive_for");
            path_pop(c, o3);
        }
        path_pop(c, o2);
    }
    /* rfm */
    if (!rc) rc = field(c, seg, "rfm", 1, &n);
    if (!rc) {
        size_t o2 = path_push(c, "rfm");
        const ynode *g = NULL;
        rc = check_keys(c, n, rfm_keys);
        if (!rc) rc = rd_dur(c, n, "window", 1, DUR_WALL | DUR_MONTHS, &s->rfm_window);
        if (!rc) rc = rd_int(c, n, "bins", 1, 2, 10, &s->rfm_bins);
        if (!rc) rc = field(c, n, "groups", 1, &g);
        if (!rc) {
            size_t o3 = path_push(c, "groups");
            rc = want_map(c, g);
            if (!rc && g->n > FU__POL_MAX_TIERS) rc = verr(c, g, FU_EPOLICY, "more than %d groups", FU__POL_MAX_TIERS);
            for (size_t i = 0; i < (rc ? 0 : g->n); i++) {
                fu__pol_rfm_group *rg = &s->rfm_groups[i];
                const ynode *e = g->ents[i].val, *x;
                size_t o4 = path_push(c, g->ents[i].key->text);
                rg->name = g->ents[i].key->text;
                rg->rule = rule_name(c, "segments.rfm", rg->name, NULL);
                if (!rg->rule) rc = fu__error_nomem();
                if (!rc) rc = check_keys(c, e, rfmg_keys);
                fu__pol_range *rr[3] = {&rg->r, &rg->f, &rg->m};
                for (int k = 0; k < 3 && !rc; k++) {
                    x = map_get(e, rfmg_keys[k]);
                    if (!x || (x->kind == YN_SCALAR && x->is_null)) continue;
                    size_t o5 = path_push(c, rfmg_keys[k]);
                    rc = parse_range(c, x, s->rfm_bins, rr[k]);
                    path_pop(c, o5);
                }
                path_pop(c, o4);
                if (rc) break;
                b->rfm.v[i] = rg->name;
            }
            if (!rc) {
                s->n_rfm_groups = g->n;
                b->rfm.n = g->n;
            }
            path_pop(c, o3);
        }
        path_pop(c, o2);
    }
    /* clv */
    if (!rc) rc = field(c, seg, "clv", 1, &n);
    if (!rc) {
        size_t o2 = path_push(c, "clv");
        rc = check_keys(c, n, clv_keys);
        if (!rc) rc = rd_dur(c, n, "horizon", 1, DUR_WALL | DUR_MONTHS, &s->clv_horizon);
        if (!rc) rc = rd_share(c, n, "annual_discount_rate", 1, 0, 0.99, &s->clv_annual_discount_rate);
        if (!rc) rc = rd_share(c, n, "human_from_quantile", 1, 0, 1, &s->clv_human_from_quantile);
        path_pop(c, o2);
    }
    /* composite */
    if (!rc) rc = field(c, seg, "composite", 0, &n);
    if (!rc && n) {
        size_t o2 = path_push(c, "composite");
        rc = want_map(c, n);
        fu__pol_composite *cv = rc ? NULL : arena_calloc(c->a, n->n ? n->n : 1, sizeof *cv);
        if (!rc && !cv) rc = fu__error_nomem();
        for (size_t i = 0; i < (rc ? 0 : n->n); i++) {
            const ynode *e = n->ents[i].val;
            size_t o3 = path_push(c, n->ents[i].key->text);
            cv[i].name = n->ents[i].key->text;
            cv[i].rule = rule_name(c, "segments.composite", cv[i].name, NULL);
            int h = 0;
            if (!cv[i].rule) rc = fu__error_nomem();
            if (!rc) rc = check_keys(c, e, comp_keys);
            if (!rc) rc = rd_when(b, e, "when", &cv[i].when);
            if (!rc) rc = rd_enum(c, e, "handling", 1, "handling", handling_names, &h);
            cv[i].handling = (fu__pol_handling)h;
            path_pop(c, o3);
            if (rc) break;
        }
        if (!rc) {
            s->composite = cv;
            s->n_composite = n->n;
        }
        path_pop(c, o2);
    }
    path_pop(c, old);
    return rc;
}

/* ---------------------------------------------------------------- cadences */

/* Step k of a cadence's `steps` mapping (the path names the step). */
static int build_step(bctx *b, const fu__pol_cadence *cd, const ynode *steps, size_t k, fu__pol_step *st) {
    static const char *const step_keys[] = {"at",   "within", "purpose", "channel", "priority",
                                            "when", "survey", "after",   "team", NULL};
    vctx *c = b->c;
    const ynode *se = steps->ents[k].val;
    int ch = FU__CH_PHONE, pr = FU__PRIO_NORMAL, rc = FU_OK;
    st->name = steps->ents[k].key->text;
    st->rule = rule_name(c, "cadences", cd->name, st->name);
    if (!st->rule) rc = fu__error_nomem();
    if (!rc) rc = check_keys(c, se, step_keys);
    if (!rc) rc = rd_dur(c, se, "at", 1, DUR_ANY | DUR_NEG | DUR_ZERO, &st->at);
    if (!rc) rc = rd_dur(c, se, "within", 1, DUR_ANY | DUR_ZERO, &st->within);
    if (!rc) rc = rd_str(c, se, "purpose", 1, &st->purpose);
    if (!rc) rc = rd_enum(c, se, "channel", 0, "channel", channel_names, &ch);
    if (!rc) rc = rd_enum(c, se, "priority", 0, "priority", priority_names, &pr);
    if (!rc) rc = rd_when(b, se, "when", &st->when);
    if (!rc) rc = rd_bool(c, se, "survey", 0, &st->survey);
    if (!rc) rc = rd_str(c, se, "team", 0, &st->team);
    st->after = -1;
    const ynode *af = NULL;
    if (!rc) rc = field(c, se, "after", 0, &af);
    if (!rc && af) { /* an earlier step of this cadence */
        size_t o5 = path_push(c, "after");
        rc = want_scalar(c, af, "the name of an earlier step of this cadence");
        for (size_t q = 0; !rc && q < k && st->after < 0; q++)
            if (strcmp(steps->ents[q].key->text, af->text) == 0) st->after = (int)q;
        if (!rc && st->after < 0)
            rc = verr(c, af, FU_EPOLICY, "'%.40s' is not an earlier step of this cadence", af->text);
        path_pop(c, o5);
    }
    st->channel = (fu__pol_channel)ch;
    st->priority = (fu__pol_priority)pr;
    return rc;
}

static int build_cadences(bctx *b, const ynode *root) {
    vctx *c = b->c;
    fu__policy *t = &c->p->t;
    static const char *const cad_keys[] = {"trigger", "when", "steps", "replaces", "min_purchases", NULL};
    static const char *const trig_keys[] = {"event", "lifecycle", "cycle", "every", "promise", NULL};
    const ynode *cads;
    int rc = field(c, root, "cadences", 1, &cads);
    if (rc) return rc;
    size_t old = path_push(c, "cadences");
    rc = want_map(c, cads);
    fu__pol_cadence *cv = rc ? NULL : arena_calloc(c->a, cads->n ? cads->n : 1, sizeof *cv);
    if (!rc && !cv) rc = fu__error_nomem();
    for (size_t i = 0; i < (rc ? 0 : cads->n); i++) {
        fu__pol_cadence *cd = &cv[i];
        const ynode *e = cads->ents[i].val, *tr = NULL, *steps = NULL;
        size_t o2 = path_push(c, cads->ents[i].key->text);
        cd->name = cads->ents[i].key->text;
        cd->rule = rule_name(c, "cadences", cd->name, NULL);
        cd->min_purchases = 2;
        if (!cd->rule) rc = fu__error_nomem();
        if (!rc) rc = check_keys(c, e, cad_keys);
        if (!rc) rc = field(c, e, "trigger", 1, &tr);
        if (!rc) {
            size_t o3 = path_push(c, "trigger");
            rc = check_keys(c, tr, trig_keys);
            int nk = 0;
            for (int k = 0; trig_keys[k]; k++) nk += map_get(tr, trig_keys[k]) != NULL;
            if (!rc && nk != 1)
                rc = verr(c, tr, FU_EPOLICY, "give exactly one of 'event', 'lifecycle', 'cycle', 'every' or 'promise'");
            if (!rc && map_get(tr, "event")) {
                cd->trigger = FU__TRIGGER_EVENT;
                rc = rd_str(c, tr, "event", 1, &cd->event);
            } else if (!rc && map_get(tr, "lifecycle")) {
                int lc = 0;
                cd->trigger = FU__TRIGGER_LIFECYCLE;
                rc = rd_enum(c, tr, "lifecycle", 1, "lifecycle stage", lifecycle_names, &lc);
                cd->lifecycle = (fu__pol_lifecycle)lc;
            } else if (!rc && map_get(tr, "promise")) {
                int ps = 0;
                cd->trigger = FU__TRIGGER_PROMISE;
                rc = rd_enum(c, tr, "promise", 1, "promise state", promise_state_names, &ps);
                cd->promise = (fu__pol_promise_state)ps;
            } else if (!rc && map_get(tr, "cycle")) {
                cd->trigger = FU__TRIGGER_CYCLE;
                rc = rd_share(c, tr, "cycle", 1, 0.01, 1, &cd->cycle);
            } else if (!rc) {
                cd->trigger = FU__TRIGGER_EVERY;
                rc = rd_dur(c, tr, "every", 1, DUR_WALL | DUR_MONTHS | DUR_WORKDAYS, &cd->every);
            }
            path_pop(c, o3);
        }
        if (!rc) rc = rd_when(b, e, "when", &cd->when);
        if (!rc) rc = rd_int(c, e, "min_purchases", 0, 2, 1000, &cd->min_purchases);
        if (!rc) rc = field(c, e, "steps", 1, &steps);
        if (!rc) {
            size_t o3 = path_push(c, "steps");
            rc = want_map(c, steps);
            if (!rc && steps->n == 0) rc = verr(c, steps, FU_EPOLICY, "a cadence needs at least one step");
            fu__pol_step *sv = rc ? NULL : arena_calloc(c->a, steps->n, sizeof *sv);
            if (!rc && !sv) rc = fu__error_nomem();
            for (size_t k = 0; k < (rc ? 0 : steps->n); k++) {
                size_t o4 = path_push(c, steps->ents[k].key->text);
                rc = build_step(b, cd, steps, k, &sv[k]);
                path_pop(c, o4);
                if (rc) break;
            }
            if (!rc) {
                cd->steps = sv;
                cd->n_steps = steps->n;
            }
            path_pop(c, o3);
        }
        path_pop(c, o2);
        if (rc) break;
    }
    /* second pass: `replaces` names other cadences */
    for (size_t i = 0; i < (rc ? 0 : cads->n); i++) {
        const ynode *rp;
        size_t o2 = path_push(c, cads->ents[i].key->text);
        rc = field(c, cads->ents[i].val, "replaces", 0, &rp);
        if (!rc && rp) {
            size_t o3 = path_push(c, "replaces");
            fu__pol_strs names;
            rc = strs_of(c, rp, &names);
            size_t *idx = rc ? NULL : arena_calloc(c->a, names.n ? names.n : 1, sizeof *idx);
            if (!rc && !idx) rc = fu__error_nomem();
            for (size_t k = 0; k < (rc ? 0 : names.n); k++) {
                size_t j;
                for (j = 0; j < cads->n; j++)
                    if (strcmp(cv[j].name, names.v[k]) == 0) break;
                const ynode *at = rp->kind == YN_SEQ ? rp->items[k] : rp;
                size_t o4 = rp->kind == YN_SEQ ? path_push_idx(c, k) : c->plen;
                if (j == cads->n) {
                    const char **cn = fu__calloc(cads->n ? cads->n : 1, sizeof *cn);
                    if (!cn) {
                        rc = fu__error_nomem();
                    } else {
                        for (size_t q = 0; q < cads->n; q++) cn[q] = cv[q].name;
                        rc = unknown_name(c, at, "cadence", names.v[k], cn, cads->n);
                        fu__free(cn);
                    }
                } else if (j == i) {
                    rc = verr(c, at, FU_EPOLICY, "a cadence cannot replace itself");
                }
                path_pop(c, o4);
                idx[k] = j;
            }
            if (!rc) {
                cv[i].replaces = idx;
                cv[i].n_replaces = names.n;
            }
            path_pop(c, o3);
        }
        path_pop(c, o2);
    }
    if (!rc) {
        t->cadences = cv;
        t->n_cadences = cads->n;
    }
    path_pop(c, old);
    return rc;
}

/* ---------------------------------------------------------------- caps, quiet hours */

static int build_caps(bctx *b, const ynode *root) {
    vctx *c = b->c;
    fu__policy *t = &c->p->t;
    static const char *const caps_keys[] = {"min_gap", "exempt", "limits", NULL};
    static const char *const lim_keys[] = {"max", "per", "scope", "channels", "priorities", "when", NULL};
    static const char *const scope_names[] = {"customer", "order", "survey", NULL};
    const ynode *caps, *lims = NULL;
    int rc = field(c, root, "caps", 1, &caps);
    if (rc) return rc;
    size_t old = path_push(c, "caps");
    rc = check_keys(c, caps, caps_keys);
    if (!rc) rc = rd_dur(c, caps, "min_gap", 1, DUR_WALL | DUR_ZERO, &t->min_gap);
    if (!rc) rc = rd_mask(c, caps, "exempt", "priority", priority_names, FU__PRIO_COUNT, &t->cap_exempt);
    if (!rc) rc = field(c, caps, "limits", 1, &lims);
    if (!rc) {
        size_t o2 = path_push(c, "limits");
        rc = want_map(c, lims);
        fu__pol_cap *cv = rc ? NULL : arena_calloc(c->a, lims->n ? lims->n : 1, sizeof *cv);
        if (!rc && !cv) rc = fu__error_nomem();
        for (size_t i = 0; i < (rc ? 0 : lims->n); i++) {
            fu__pol_cap *cp = &cv[i];
            const ynode *e = lims->ents[i].val;
            int scope = 0;
            size_t o3 = path_push(c, lims->ents[i].key->text);
            cp->name = lims->ents[i].key->text;
            cp->rule = rule_name(c, "caps", cp->name, NULL);
            if (!cp->rule) rc = fu__error_nomem();
            if (!rc) rc = check_keys(c, e, lim_keys);
            if (!rc) rc = rd_int(c, e, "max", 1, 1, 10000, &cp->max);
            if (!rc) rc = rd_dur(c, e, "per", 1, DUR_WALL | DUR_MONTHS | DUR_WORKDAYS, &cp->per);
            if (!rc) rc = rd_enum(c, e, "scope", 0, "scope", scope_names, &scope);
            if (!rc) rc = rd_mask(c, e, "channels", "channel", channel_names, FU__CH_COUNT, &cp->channels);
            if (!rc) rc = rd_mask(c, e, "priorities", "priority", priority_names, FU__PRIO_COUNT, &cp->priorities);
            if (!rc) rc = rd_when(b, e, "when", &cp->when);
            cp->scope = (fu__pol_scope)scope;
            path_pop(c, o3);
            if (rc) break;
        }
        if (!rc) {
            t->caps = cv;
            t->n_caps = lims->n;
        }
        path_pop(c, o2);
    }
    path_pop(c, old);
    return rc;
}

static int build_quiet_hours(vctx *c, const ynode *root) {
    fu__policy *t = &c->p->t;
    static const char *const q_keys[] = {"allowed", "exempt", "on_holidays", NULL};
    const ynode *q, *al = NULL;
    int rc = field(c, root, "quiet_hours", 1, &q);
    if (rc) return rc;
    size_t old = path_push(c, "quiet_hours");
    rc = check_keys(c, q, q_keys);
    if (!rc) rc = rd_mask(c, q, "exempt", "priority", priority_names, FU__PRIO_COUNT, &t->quiet_exempt);
    if (!rc) rc = rd_mask(c, q, "on_holidays", "priority", priority_names, FU__PRIO_COUNT, &t->quiet_holidays);
    if (!rc) rc = field(c, q, "allowed", 1, &al);
    if (!rc) {
        size_t o2 = path_push(c, "allowed");
        rc = want_scalar(c, al, "windows like 'Mon-Sun 08:00-21:00'");
        owned *o = NULL;
        if (!rc) rc = register_owned(c, 1, &o);
        if (!rc) {
            fu_windows *w = NULL;
            rc = fu_windows_parse(al->text, al->len, &w);
            if (rc == FU_OK) {
                o->ptr = w;
                t->quiet_allowed = w;
                if (fu_windows_is_empty(w)) rc = verr(c, al, FU_EPOLICY, "no time of the week is allowed");
            } else if (rc != FU_ENOMEM) {
                char msg[300];
                unsigned long col = fu_error_last()->column;
                snprintf(msg, sizeof msg, "%s", fu_error_last()->message);
                unsigned long ecol = al->col;
                if (al->single_line && col) ecol = al->col + (al->plain ? 0 : 1) + col - 1;
                rc = fu__error_set_at(FU_EPOLICY, al->src, al->line, ecol, c->path,
                                      "bad windows '%.60s': %s", al->text, msg);
            }
        }
        path_pop(c, o2);
    }
    path_pop(c, old);
    return rc;
}

/* ---------------------------------------------------------------- suppressions */

static int parse_month_day(const char *s, int *out) {
    int m, d;
    char tail;
    if (strlen(s) != 5 || sscanf(s, "%2d-%2d%c", &m, &d, &tail) != 2 || s[2] != '-') return -1;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1]) return -1;
    *out = m * 100 + d;
    return 0;
}

static int build_suppressions(bctx *b, const ynode *root) {
    vctx *c = b->c;
    fu__policy *t = &c->p->t;
    static const char *const s_keys[] = {"event", "within", "dates", "before", "last_days", "when", "action", NULL};
    const ynode *sup;
    int rc = field(c, root, "suppressions", 1, &sup);
    if (rc) return rc;
    size_t old = path_push(c, "suppressions");
    rc = want_map(c, sup);
    fu__pol_suppression *sv = rc ? NULL : arena_calloc(c->a, sup->n ? sup->n : 1, sizeof *sv);
    if (!rc && !sv) rc = fu__error_nomem();
    for (size_t i = 0; i < (rc ? 0 : sup->n); i++) {
        fu__pol_suppression *s = &sv[i];
        const ynode *e = sup->ents[i].val;
        size_t o2 = path_push(c, sup->ents[i].key->text);
        s->name = sup->ents[i].key->text;
        s->rule = rule_name(c, "suppressions", s->name, NULL);
        if (!s->rule) rc = fu__error_nomem();
        if (!rc) rc = check_keys(c, e, s_keys);
        if (!rc) {
            int k_recent = map_get(e, "within") || map_get(e, "event");
            int k_dates = map_get(e, "dates") || map_get(e, "before");
            int k_month = map_get(e, "last_days") != NULL;
            if (k_recent + k_dates + k_month != 1)
                rc = verr(c, e, FU_EPOLICY, "give one of 'event' + 'within', 'dates' + 'before', or 'last_days'");
            else if (k_recent) {
                s->kind = FU__SUPP_RECENT_EVENT;
                rc = rd_str(c, e, "event", 1, &s->event);
                if (!rc) rc = rd_dur(c, e, "within", 1, DUR_WALL | DUR_MONTHS | DUR_WORKDAYS, &s->within);
            } else if (k_dates) {
                const ynode *dn = NULL;
                s->kind = FU__SUPP_DATES;
                rc = rd_dur(c, e, "before", 1, DUR_WALL | DUR_MONTHS | DUR_WORKDAYS, &s->before);
                if (!rc) rc = field(c, e, "dates", 1, &dn);
                if (!rc) {
                    size_t o3 = path_push(c, "dates");
                    fu__pol_strs ds;
                    rc = strs_of(c, dn, &ds);
                    int *md = rc ? NULL : arena_calloc(c->a, ds.n ? ds.n : 1, sizeof *md);
                    if (!rc && !md) rc = fu__error_nomem();
                    for (size_t k = 0; k < (rc ? 0 : ds.n); k++) {
                        if (parse_month_day(ds.v[k], &md[k]) != 0) {
                            size_t o4 = dn->kind == YN_SEQ ? path_push_idx(c, k) : c->plen;
                            rc = verr(c, dn->kind == YN_SEQ ? dn->items[k] : dn, FU_EPOLICY,
                                      "expected a month and day like 11-11, got '%.40s'", ds.v[k]);
                            path_pop(c, o4);
                        }
                    }
                    if (!rc) {
                        s->month_days = md;
                        s->n_month_days = ds.n;
                    }
                    path_pop(c, o3);
                }
            } else {
                s->kind = FU__SUPP_MONTH_END;
                rc = rd_int(c, e, "last_days", 1, 1, 28, &s->last_days);
            }
        }
        int act = 0;
        if (!rc) rc = rd_enum(c, e, "action", 1, "action", action_names, &act);
        s->action = (fu__pol_action)act;
        if (!rc) rc = rd_when(b, e, "when", &s->when);
        path_pop(c, o2);
        if (rc) break;
    }
    if (!rc) {
        t->suppressions = sv;
        t->n_suppressions = sup->n;
    }
    path_pop(c, old);
    return rc;
}

/* ---------------------------------------------------------------- capacity, sla */

static int build_capacity(vctx *c, const ynode *root) {
    fu__pol_capacity *cp = &c->p->t.capacity;
    static const char *const cap_keys[] = {"calls_per_agent_day", "customers_per_vip_agent", NULL};
    static const char *const mm_keys[] = {"min", "max", NULL};
    const ynode *n, *d = NULL;
    int rc = field(c, root, "capacity", 1, &n);
    if (rc) return rc;
    size_t old = path_push(c, "capacity");
    rc = check_keys(c, n, cap_keys);
    if (!rc) rc = rd_int(c, n, "customers_per_vip_agent", 1, 1, 100000, &cp->customers_per_vip_agent);
    if (!rc) rc = field(c, n, "calls_per_agent_day", 1, &d);
    if (!rc) {
        size_t o2 = path_push(c, "calls_per_agent_day");
        rc = check_keys(c, d, mm_keys);
        if (!rc) rc = rd_int(c, d, "min", 1, 1, 10000, &cp->calls_per_agent_day_min);
        if (!rc) rc = rd_int(c, d, "max", 1, 1, 10000, &cp->calls_per_agent_day_max);
        if (!rc && cp->calls_per_agent_day_min > cp->calls_per_agent_day_max) {
            size_t o3 = path_push(c, "min");
            rc = verr(c, map_get(d, "min"), FU_EPOLICY, "min %d is above max %d", cp->calls_per_agent_day_min,
                      cp->calls_per_agent_day_max);
            path_pop(c, o3);
        }
        path_pop(c, o2);
    }
    path_pop(c, old);
    return rc;
}

static int build_sla_map(bctx *b, const ynode *sla, const char *key, int tiers_only, const fu__pol_sla **out,
                         size_t *count) {
    vctx *c = b->c;
    const ynode *m;
    int rc = field(c, sla, key, 1, &m);
    if (rc) return rc;
    size_t old = path_push(c, key);
    rc = want_map(c, m);
    fu__pol_sla *v = rc ? NULL : arena_calloc(c->a, m->n ? m->n : 1, sizeof *v);
    if (!rc && !v) rc = fu__error_nomem();
    for (size_t i = 0; i < (rc ? 0 : m->n); i++) {
        const char *name = m->ents[i].key->text;
        if (tiers_only) {
            size_t j;
            for (j = 0; j < b->tiers.n; j++)
                if (strcmp(b->tiers.v[j], name) == 0) break;
            if (j == b->tiers.n) {
                size_t o2 = path_push(c, name);
                rc = unknown_name(c, m->ents[i].key, "value tier", name, b->tiers.v, b->tiers.n);
                path_pop(c, o2);
                break;
            }
        }
        v[i].name = name;
        v[i].rule = rule_name(c, "sla", key, name);
        if (!v[i].rule) rc = fu__error_nomem();
        if (!rc) rc = rd_dur(c, m, name, 1, DUR_WALL | DUR_BUSINESS | DUR_WORKDAYS, &v[i].d);
        if (rc) break;
    }
    if (!rc) {
        *out = v;
        *count = m->n;
    }
    path_pop(c, old);
    return rc;
}

static int build_sla(bctx *b, const ynode *root) {
    vctx *c = b->c;
    fu__policy *t = &c->p->t;
    static const char *const sla_keys[] = {"response", "tier_response", "regulatory", NULL};
    const ynode *n;
    int rc = field(c, root, "sla", 1, &n);
    if (rc) return rc;
    size_t old = path_push(c, "sla");
    rc = check_keys(c, n, sla_keys);
    if (!rc) rc = build_sla_map(b, n, "response", 0, &t->sla_response, &t->n_sla_response);
    if (!rc) rc = build_sla_map(b, n, "tier_response", 1, &t->sla_tier, &t->n_sla_tier);
    if (!rc) rc = build_sla_map(b, n, "regulatory", 0, &t->sla_regulatory, &t->n_sla_regulatory);
    path_pop(c, old);
    return rc;
}

/* ---------------------------------------------------------------- regexes */

static void *pcre_malloc(PCRE2_SIZE size, void *ud) {
    (void)ud;
    return fu__malloc(size);
}
static void pcre_free(void *p, void *ud) {
    (void)ud;
    fu__free(p);
}

static int compile_regex(vctx *c, const ynode *n, int ignore_case, pcre2_code **out) {
    int rc = want_scalar(c, n, "a regular expression");
    if (rc) return rc;
    if (!c->gctx) {
        c->gctx = pcre2_general_context_create(pcre_malloc, pcre_free, NULL);
        if (!c->gctx) return fu__error_nomem();
        c->cctx = pcre2_compile_context_create(c->gctx);
        if (!c->cctx) return fu__error_nomem();
    }
    owned *o = NULL;
    rc = register_owned(c, 2, &o);
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
        if (word_eq(s, n, weekday_keys[d]) || word_eq(s, n, full[d])) return d;
    return -1;
}

/* Deadline forms: "in <duration>" ($N for a capture group instead of the
 * number), "tomorrow HH:MM", "<weekday> HH:MM", "next_week <weekday> HH:MM",
 * "month_end HH:MM". */
static int parse_deadline(vctx *c, const ynode *n, uint32_t captures, fu__pol_deadline *out) {
    int rc = want_scalar(c, n, "a deadline");
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
    if (nt >= 1 && word_eq(tok[0], tl[0], "in")) {
        char buf[128];
        const char *rest = tok[0] + tl[0];
        size_t rl = n->len - (size_t)(rest - s), k = 0;
        if (rl >= sizeof buf - 1) return verr(c, n, FU_EPOLICY, "deadline too long");
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
        if (dur_parse(buf, k, &out->dur, &col, msg, sizeof msg) != FU_OK || out->dur.value < 0)
            return verr(c, n, FU_EPOLICY, "bad deadline '%s': expected 'in <duration>', e.g. 'in $1 working days'", s);
        if (out->group > (int)captures)
            return verr(c, n, FU_EPOLICY, "deadline '%s' uses $%d but the regex has %u capture group%s", s,
                        out->group, captures, captures == 1 ? "" : "s");
        out->kind = FU__DEADLINE_IN;
        return FU_OK;
    }
    int ok = 0, minute = 0;
    if (nt == 2 && word_eq(tok[0], tl[0], "tomorrow")) {
        out->kind = FU__DEADLINE_TOMORROW;
        ok = parse_hhmm(tok[1], tl[1], &minute) == 0;
    } else if (nt == 2 && word_eq(tok[0], tl[0], "month_end")) {
        out->kind = FU__DEADLINE_MONTH_END;
        ok = parse_hhmm(tok[1], tl[1], &minute) == 0;
    } else if (nt == 3 && word_eq(tok[0], tl[0], "next_week")) {
        out->kind = FU__DEADLINE_NEXT_WEEK;
        out->weekday = parse_weekday(tok[1], tl[1]);
        ok = out->weekday >= 0 && parse_hhmm(tok[2], tl[2], &minute) == 0;
    } else if (nt == 2) {
        out->kind = FU__DEADLINE_WEEKDAY;
        out->weekday = parse_weekday(tok[0], tl[0]);
        ok = out->weekday >= 0 && parse_hhmm(tok[1], tl[1], &minute) == 0;
    }
    if (!ok || minute >= 1440)
        return verr(c, n, FU_EPOLICY,
                    "bad deadline '%.60s': expected 'in <duration>', 'tomorrow HH:MM', '<weekday> HH:MM', "
                    "'next_week <weekday> HH:MM' or 'month_end HH:MM'", s);
    out->minute_of_day = minute;
    return FU_OK;
}

enum { PAT_DEADLINE, PAT_REASON, PAT_REPLACEMENT };

static int build_patterns(vctx *c, const ynode *parent, const char *key, const char *section, int kind,
                          const fu__pol_pattern **out, size_t *count) {
    static const char *const dl_keys[] = {"regex", "deadline", "ignore_case", NULL};
    static const char *const rs_keys[] = {"regex", "reason", "ignore_case", NULL};
    static const char *const rp_keys[] = {"regex", "replacement", "ignore_case", NULL};
    const ynode *m;
    *out = NULL;
    *count = 0;
    int rc = field(c, parent, key, 0, &m);
    if (rc || !m) return rc;
    size_t old = path_push(c, key);
    rc = want_map(c, m);
    fu__pol_pattern *pv = rc ? NULL : arena_calloc(c->a, m->n ? m->n : 1, sizeof *pv);
    if (!rc && !pv) rc = fu__error_nomem();
    for (size_t i = 0; i < (rc ? 0 : m->n); i++) {
        fu__pol_pattern *pt = &pv[i];
        const ynode *e = m->ents[i].val, *rx = NULL, *dl = NULL;
        int icase = 1;
        size_t o2 = path_push(c, m->ents[i].key->text);
        pt->name = m->ents[i].key->text;
        pt->rule = rule_name(c, section, pt->name, NULL);
        if (!pt->rule) rc = fu__error_nomem();
        if (!rc) rc = check_keys(c, e, kind == PAT_DEADLINE ? dl_keys : kind == PAT_REASON ? rs_keys : rp_keys);
        if (!rc) rc = rd_bool(c, e, "ignore_case", 0, &icase);
        if (!rc) rc = field(c, e, "regex", 1, &rx);
        if (!rc) {
            size_t o3 = path_push(c, "regex");
            rc = compile_regex(c, rx, icase, &pt->code);
            pt->regex = rx->text;
            path_pop(c, o3);
        }
        if (!rc && kind == PAT_DEADLINE) {
            rc = field(c, e, "deadline", 1, &dl);
            if (!rc) {
                uint32_t caps = 0;
                pcre2_pattern_info(pt->code, PCRE2_INFO_CAPTURECOUNT, &caps);
                size_t o3 = path_push(c, "deadline");
                rc = parse_deadline(c, dl, caps, &pt->deadline);
                path_pop(c, o3);
            }
        } else if (!rc && kind == PAT_REASON) {
            rc = rd_str(c, e, "reason", 1, &pt->reason);
        } else if (!rc) {
            pt->reason = "***";
            rc = rd_str(c, e, "replacement", 0, &pt->reason);
        }
        path_pop(c, o2);
        if (rc) break;
    }
    if (!rc) {
        *out = pv;
        *count = m->n;
    }
    path_pop(c, old);
    return rc;
}

static int build_commitments(vctx *c, const ynode *root) {
    fu__policy *t = &c->p->t;
    fu__pol_commitments *cm = &t->commitments;
    static const char *const cm_keys[] = {"calendar", "warn_at", "breach_at", "escalate_after", "default_deadline",
                                          "patterns", "risky", NULL};
    const ynode *n, *cal = NULL;
    int rc = field(c, root, "commitments", 1, &n);
    if (rc) return rc;
    size_t old = path_push(c, "commitments");
    rc = check_keys(c, n, cm_keys);
    cm->calendar = t->calendar;
    if (!rc) rc = field(c, n, "calendar", 0, &cal);
    if (!rc && cal) {
        size_t o2 = path_push(c, "calendar");
        rc = want_scalar(c, cal, "a calendar name");
        if (!rc && !(cm->calendar = find_calendar(t, cal->text))) {
            const char *names[64];
            size_t nn = 0;
            for (size_t k = 0; k < t->n_calendars && nn < 64; k++) names[nn++] = t->calendars[k].name;
            rc = unknown_name(c, cal, "calendar", cal->text, names, nn);
        }
        path_pop(c, o2);
    }
    if (!rc) rc = rd_share(c, n, "warn_at", 1, 0.01, 1, &cm->warn_at);
    cm->breach_at = 1.0;
    if (!rc) rc = rd_share(c, n, "breach_at", 0, cm->warn_at, 1, &cm->breach_at);
    if (!rc) rc = rd_dur(c, n, "escalate_after", 1, DUR_WALL | DUR_BUSINESS | DUR_WORKDAYS, &cm->escalate_after);
    if (!rc) rc = rd_dur(c, n, "default_deadline", 1, DUR_ANY | DUR_ZERO, &cm->default_deadline);
    if (!rc) rc = build_patterns(c, n, "patterns", "commitments.patterns", PAT_DEADLINE, &cm->patterns, &cm->n_patterns);
    if (!rc) rc = build_patterns(c, n, "risky", "commitments.risky", PAT_REASON, &cm->risky, &cm->n_risky);
    path_pop(c, old);
    return rc;
}

/* ---------------------------------------------------------------- kpis */

typedef struct kpi_def {
    const char *name;
    double min, max;
    int is_rate;
    int lower_is_better;
} kpi_def;

static const kpi_def kpi_defs[] = {
    {"coverage", 0, 1, 1, 0},
    {"resolution", 0, 1, 1, 0},
    {"feedback_closure", 0, 1, 1, 0},
    {"csat", 1, 5, 0, 0},
    {"nps", -100, 100, 0, 0},
    {"follow_up_complaints", 0, 1, 1, 1},
    {"response_timeliness", 0, 1, 1, 0},
    {"win_back", 0, 1, 1, 0},
    {"repurchase_uplift", -1, 1, 1, 0},
    {"churn_reduction", -1, 1, 1, 0},
    {"value_uplift", -1, 1, 1, 0},
    {"roi", 0, 1000, 0, 0},
    {"budget_overrun", 0, 1, 1, 1},
    {"quality_closure", 0, 1, 1, 0},
    {"roi_incremental", -1000, 1000, 0, 0},
    /* KPIs that fu_kpi computes and the built-in policy sets no target for */
    {"first_contact_resolution", 0, 1, 1, 0},
    {"repeat_complaints", 0, 1, 1, 1},
    {"csat_top2", 0, 1, 1, 0},
    {"ces", 1, 7, 0, 0},
    {"commitment_on_time", 0, 1, 1, 0},
    {"over_contact", 0, 1, 1, 1},
    {"repurchase", 0, 1, 1, 0},
    {"churn", 0, 1, 1, 1},
    {"response_time_p50", 0, 100000, 0, 1},
    {"response_time_p90", 0, 100000, 0, 1},
    {"scorecard", 0, 1, 1, 0},
};
#define N_KPI_DEFS (sizeof kpi_defs / sizeof kpi_defs[0])

static int kpi_value(vctx *c, const ynode *e, const char *key, int req, const kpi_def *d, double *out) {
    if (d->is_rate && d->min >= 0) return rd_share(c, e, key, req, d->min, d->max, out);
    return rd_num(c, e, key, req, d->min, d->max, out);
}

static int build_kpis(bctx *b, const ynode *root) {
    vctx *c = b->c;
    fu__pol_kpis *k = &c->p->t.kpis;
    static const char *const kpi_keys[] = {"target", "baseline", "red", "better", "by_tier", "window", NULL};
    static const char *const better_names[] = {"higher", "lower", NULL};
    const char *allowed[N_KPI_DEFS + 4];
    size_t na = 0;
    allowed[na++] = "period";
    allowed[na++] = "confidence";
    allowed[na++] = "amber_margin";
    for (size_t i = 0; i < N_KPI_DEFS; i++) allowed[na++] = kpi_defs[i].name;
    allowed[na] = NULL;
    const ynode *n;
    int rc = field(c, root, "kpis", 1, &n);
    if (rc) return rc;
    size_t old = path_push(c, "kpis");
    rc = check_keys(c, n, allowed);
    if (!rc) rc = rd_dur(c, n, "period", 1, DUR_WALL | DUR_MONTHS, &k->period);
    if (!rc) rc = rd_share(c, n, "confidence", 1, 0.5, 0.999, &k->confidence);
    if (!rc) rc = rd_share(c, n, "amber_margin", 1, 0, 1, &k->amber_margin);
    fu__pol_kpi *kv = rc ? NULL : arena_calloc(c->a, N_KPI_DEFS, sizeof *kv);
    if (!rc && !kv) rc = fu__error_nomem();
    size_t nk = 0;
    for (size_t i = 0; i < (rc ? 0 : n->n); i++) {
        const char *name = n->ents[i].key->text;
        const kpi_def *d = NULL;
        for (size_t j = 0; j < N_KPI_DEFS; j++)
            if (strcmp(kpi_defs[j].name, name) == 0) d = &kpi_defs[j];
        if (!d) continue; /* period, confidence, amber_margin */
        const ynode *e = n->ents[i].val, *bt = NULL;
        fu__pol_kpi *kp = &kv[nk];
        size_t o2 = path_push(c, name);
        int better = d->lower_is_better;
        kp->name = name;
        kp->rule = rule_name(c, "kpis", name, NULL);
        kp->min = d->min;
        kp->max = d->max;
        kp->is_rate = d->is_rate;
        kp->target = NAN; /* optional: without it the KPI has no RAG status (a by_tier target may still set one) */
        kp->baseline = NAN;
        kp->red = NAN;
        if (!kp->rule) rc = fu__error_nomem();
        if (!rc) rc = check_keys(c, e, kpi_keys);
        if (!rc) rc = kpi_value(c, e, "target", 0, d, &kp->target);
        if (!rc) rc = rd_dur(c, e, "window", 0, DUR_WALL, &kp->window); /* the KPI's window (docs/kpi.md) */
        if (!rc) rc = kpi_value(c, e, "baseline", 0, d, &kp->baseline);
        if (!rc) rc = kpi_value(c, e, "red", 0, d, &kp->red);
        if (!rc) rc = rd_enum(c, e, "better", 0, "direction", better_names, &better);
        kp->lower_is_better = better;
        if (!rc && !isnan(kp->baseline) &&
            (better ? kp->baseline < kp->target : kp->baseline > kp->target)) {
            size_t o3 = path_push(c, "baseline");
            rc = verr(c, map_get(e, "baseline"), FU_EPOLICY, "baseline %g is %s than the target %g", kp->baseline,
                      better ? "better (lower)" : "better (higher)", kp->target);
            path_pop(c, o3);
        }
        if (!rc && isnan(kp->red)) {
            double m = kp->is_rate ? k->amber_margin : k->amber_margin * fabs(kp->target);
            kp->red = !isnan(kp->baseline) ? kp->baseline : (better ? kp->target + m : kp->target - m);
        } else if (!rc && (better ? kp->red < kp->target : kp->red > kp->target)) {
            size_t o3 = path_push(c, "red");
            rc = verr(c, map_get(e, "red"), FU_EPOLICY, "red threshold %g is on the good side of the target %g",
                      kp->red, kp->target);
            path_pop(c, o3);
        }
        if (!rc) rc = field(c, e, "by_tier", 0, &bt);
        if (!rc && bt) {
            size_t o3 = path_push(c, "by_tier");
            rc = want_map(c, bt);
            fu__pol_kpi_override *ov = rc ? NULL : arena_calloc(c->a, bt->n ? bt->n : 1, sizeof *ov);
            if (!rc && !ov) rc = fu__error_nomem();
            for (size_t q = 0; q < (rc ? 0 : bt->n); q++) {
                const char *tn = bt->ents[q].key->text;
                size_t j;
                for (j = 0; j < b->tiers.n; j++)
                    if (strcmp(b->tiers.v[j], tn) == 0) break;
                if (j == b->tiers.n) {
                    size_t o4 = path_push(c, tn);
                    rc = unknown_name(c, bt->ents[q].key, "value tier", tn, b->tiers.v, b->tiers.n);
                    path_pop(c, o4);
                    break;
                }
                ov[q].tier = tn;
                rc = kpi_value(c, bt, tn, 1, d, &ov[q].target);
            }
            if (!rc) {
                kp->by_tier = ov;
                kp->n_by_tier = bt->n;
            }
            path_pop(c, o3);
        }
        path_pop(c, o2);
        if (rc) break;
        nk++;
    }
    if (!rc) {
        k->v = kv;
        k->n = nk;
    }
    path_pop(c, old);
    return rc;
}

static int build_scorecard(vctx *c, const ynode *root) {
    fu__pol_scorecard *s = &c->p->t.scorecard;
    static const char *const sc_keys[] = {"weights", NULL};
    static const char *const w_keys[] = {"satisfaction", "resolution", "feedback_conversion", "efficiency", NULL};
    const ynode *n, *w = NULL;
    int rc = field(c, root, "scorecard", 1, &n);
    if (rc) return rc;
    size_t old = path_push(c, "scorecard");
    rc = check_keys(c, n, sc_keys);
    if (!rc) rc = field(c, n, "weights", 1, &w);
    if (!rc) {
        size_t o2 = path_push(c, "weights");
        rc = check_keys(c, w, w_keys);
        if (!rc) rc = rd_share(c, w, "satisfaction", 1, 0, 1, &s->satisfaction);
        if (!rc) rc = rd_share(c, w, "resolution", 1, 0, 1, &s->resolution);
        if (!rc) rc = rd_share(c, w, "feedback_conversion", 1, 0, 1, &s->feedback_conversion);
        if (!rc) rc = rd_share(c, w, "efficiency", 1, 0, 1, &s->efficiency);
        if (!rc) {
            double sum = s->satisfaction + s->resolution + s->feedback_conversion + s->efficiency;
            if (fabs(sum - 1.0) > 1e-6) rc = verr(c, w, FU_EPOLICY, "weights must sum to 1, they sum to %g", sum);
        }
        path_pop(c, o2);
    }
    path_pop(c, old);
    return rc;
}

static int build_redaction(vctx *c, const ynode *root) {
    fu__pol_redaction *r = &c->p->t.redaction;
    static const char *const r_keys[] = {"enabled", "builtin", "extra", NULL};
    static const char *const b_keys[] = {"phone", "id_number", "bank_card", "email", NULL};
    const ynode *n, *bn = NULL;
    int rc = field(c, root, "redaction", 1, &n);
    if (rc) return rc;
    size_t old = path_push(c, "redaction");
    r->enabled = r->phone = r->id_number = r->bank_card = r->email = 1;
    rc = check_keys(c, n, r_keys);
    if (!rc) rc = rd_bool(c, n, "enabled", 0, &r->enabled);
    if (!rc) rc = field(c, n, "builtin", 0, &bn);
    if (!rc && bn) {
        size_t o2 = path_push(c, "builtin");
        rc = check_keys(c, bn, b_keys);
        if (!rc) rc = rd_bool(c, bn, "phone", 0, &r->phone);
        if (!rc) rc = rd_bool(c, bn, "id_number", 0, &r->id_number);
        if (!rc) rc = rd_bool(c, bn, "bank_card", 0, &r->bank_card);
        if (!rc) rc = rd_bool(c, bn, "email", 0, &r->email);
        path_pop(c, o2);
    }
    if (!rc) rc = build_patterns(c, n, "extra", "redaction.extra", PAT_REPLACEMENT, &r->extra, &r->n_extra);
    path_pop(c, old);
    return rc;
}

static int build_besttime(vctx *c, const ynode *root) {
    fu__pol_besttime *bt = &c->p->t.besttime;
    static const char *const b_keys[] = {"slot", "half_life", "prior_strength", "prior_answer_rate", NULL};
    const ynode *n;
    int rc = field(c, root, "besttime", 1, &n);
    if (rc) return rc;
    size_t old = path_push(c, "besttime");
    rc = check_keys(c, n, b_keys);
    if (!rc) rc = rd_dur(c, n, "slot", 1, DUR_WALL, &bt->slot);
    if (!rc && (bt->slot.value < 300 || bt->slot.value > 86400 || 604800 % bt->slot.value != 0)) {
        size_t o2 = path_push(c, "slot");
        rc = verr(c, map_get(n, "slot"), FU_EPOLICY, "slot must divide a week and lie between 5m and 1d");
        path_pop(c, o2);
    }
    if (!rc) rc = rd_dur(c, n, "half_life", 1, DUR_WALL | DUR_MONTHS, &bt->half_life);
    if (!rc) rc = rd_num(c, n, "prior_strength", 1, 0, 1e6, &bt->prior_strength);
    if (!rc) rc = rd_share(c, n, "prior_answer_rate", 1, 0, 1, &bt->prior_answer_rate);
    path_pop(c, old);
    return rc;
}

/* ---------------------------------------------------------------- redial */

/* `redial`: attempts per day, per touchpoint and in a row, and per outcome
 * of a call attempt a retry delay or a stop. Optional (a policy without it
 * limits nothing and retries at once). */
static int build_redial(vctx *c, const ynode *root) {
    fu__pol_redial *r = &c->p->t.redial;
    static const char *const keys[] = {"attempts_per_day", "attempts_per_touchpoint", "attempts_lifetime",
                                        "no_answer", "refused", "voicemail", "busy", "wrong_number",
                                        "callback_requested", NULL};
    static const char *const okeys[] = {"retry_after", "stop", NULL};
    memset(r, 0, sizeof *r);
    const ynode *n;
    int rc = field(c, root, "redial", 0, &n);
    if (rc || !n) return rc;
    size_t old = path_push(c, "redial");
    rc = check_keys(c, n, keys);
    if (!rc) rc = rd_int(c, n, "attempts_per_day", 0, 0, 1000, &r->per_day);
    if (!rc) rc = rd_int(c, n, "attempts_per_touchpoint", 0, 0, 1000, &r->per_touchpoint);
    if (!rc) rc = rd_int(c, n, "attempts_lifetime", 0, 0, 100000, &r->lifetime);
    for (int o = FU_OUTCOME_NO_ANSWER; !rc && o < FU_OUTCOME_COUNT; o++) {
        const char *name = fu_outcome_name(o);
        const ynode *e;
        rc = field(c, n, name, 0, &e);
        if (rc || !e) continue;
        fu__pol_redial_outcome *ro = &r->outcome[o];
        size_t o2 = path_push(c, name);
        rc = check_keys(c, e, okeys);
        if (!rc) rc = rd_dur(c, e, "retry_after", 0, DUR_WALL | DUR_WORKDAYS | DUR_BUSINESS | DUR_ZERO, &ro->retry);
        if (!rc) rc = rd_bool(c, e, "stop", 0, &ro->stop);
        ro->rule = rule_name(c, "redial", name, NULL);
        if (!rc && !ro->rule) rc = fu__error_nomem();
        ro->set = 1;
        path_pop(c, o2);
    }
    path_pop(c, old);
    return rc;
}

/* guard: what the contact guard (guard.c) does beyond the planner's rules */
static int build_guard(vctx *c, const ynode *root) {
    static const char *const g_keys[] = {"unknown_customer", NULL};
    static const char *const unknown_names[] = {"deny", "allow", NULL};
    const ynode *n;
    int rc = field(c, root, "guard", 0, &n);
    if (rc || !n) return rc;
    size_t old = path_push(c, "guard");
    rc = check_keys(c, n, g_keys);
    int u = 0;
    if (!rc) rc = rd_enum(c, n, "unknown_customer", 0, "unknown_customer", unknown_names, &u);
    if (!rc) c->p->t.guard_unknown_allow = u;
    path_pop(c, old);
    return rc;
}

/* ---------------------------------------------------------------- top level */

static const char *const top_keys[] = {"name", "version", "extends", "currency", "calendar", "calendars",
                                       "segments", "cadences", "caps", "quiet_hours", "suppressions",
                                       "capacity", "sla", "commitments", "kpis", "scorecard", "redaction",
                                       "besttime", "redial", "guard", NULL};

static int build_policy(vctx *c, const ynode *root) {
    fu__policy *t = &c->p->t;
    bctx b;
    memset(&b, 0, sizeof b);
    b.c = c;
    int rc = check_keys(c, root, top_keys);
    t->name = "";
    t->version = "";
    t->currency = "CNY";
    if (!rc) rc = rd_str(c, root, "name", 0, &t->name);
    if (!rc) rc = rd_str(c, root, "version", 0, &t->version);
    if (!rc) rc = rd_str(c, root, "currency", 0, &t->currency);
    if (!rc) rc = build_calendars(c, root);
    if (!rc) rc = build_segments(&b, root);
    if (!rc) rc = build_cadences(&b, root);
    if (!rc) rc = build_caps(&b, root);
    if (!rc) rc = build_quiet_hours(c, root);
    if (!rc) rc = build_suppressions(&b, root);
    if (!rc) rc = build_capacity(c, root);
    if (!rc) rc = build_sla(&b, root);
    if (!rc) rc = build_commitments(c, root);
    if (!rc) rc = build_kpis(&b, root);
    if (!rc) rc = build_scorecard(c, root);
    if (!rc) rc = build_redaction(c, root);
    if (!rc) rc = build_besttime(c, root);
    if (!rc) rc = build_redial(c, root);
    if (!rc) rc = build_guard(c, root);
    return rc;
}

/* ================================================================ loading */

void fu_policy_load_options_init(fu_policy_load_options *opts) {
    if (!opts) return;
    fu_policy_load_options d = FU_POLICY_LOAD_OPTIONS_INIT;
    *opts = d;
}

const char *fu_policy_default_yaml(size_t *len) {
    if (len) *len = fu__data_default_policy_yaml_len;
    return (const char *)fu__data_default_policy_yaml;
}

static int get_extends(const ynode *root, const char *src, int *use_builtin) {
    const ynode *e = map_get(root, "extends");
    if (!e || (e->kind == YN_SCALAR && e->is_null)) return FU_OK;
    if (e->kind == YN_SCALAR && strcmp(e->text, "builtin") == 0) *use_builtin = 1;
    else if (e->kind == YN_SCALAR && strcmp(e->text, "none") == 0) *use_builtin = 0;
    else
        return fu__error_set_at(FU_EPOLICY, src, e->line, e->col, "extends",
                                "extends must be 'builtin' or 'none', got '%.40s'",
                                e->kind == YN_SCALAR ? e->text : "(not text)");
    return FU_OK;
}

static int load_impl(fu_policy **out, const char *text, size_t len, const char *source,
                     const fu_policy_load_options *opts, int is_builtin) {
    if (!out) return fu__error_set(FU_EINVAL, "fu_policy_load: out is NULL");
    *out = NULL;
    if (!text && len) return fu__error_set(FU_EINVAL, "fu_policy_load: text is NULL");
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
    fu_policy *p = arena_calloc(&a, 1, sizeof *p);
    char *src = p ? arena_strndup(&a, source, strlen(source)) : NULL;
    if (!p || !src) {
        arena_free(&a);
        return fu__error_nomem();
    }
    p->source = src;
    vctx c;
    memset(&c, 0, sizeof c);
    c.p = p;
    c.a = &a;
    ynode *site = NULL;
    const ynode *root = NULL;
    int rc = parse_tree(&a, src, text, len, &lim, &site);
    if (rc == FU_OK && (!site || (site->kind == YN_SCALAR && site->is_null)))
        rc = fu__error_set_at(FU_EPOLICY, src, 1, 1, "", "the policy is empty (expected a mapping of sections)");
    if (rc == FU_OK && site->kind != YN_MAP) {
        char b[64];
        rc = fu__error_set_at(FU_EPOLICY, src, site->line, site->col, "",
                              "a policy is a mapping of sections, got %s", node_desc(site, b, sizeof b));
    }
    int use_builtin = !is_builtin && !(flags & FU_POLICY_STANDALONE);
    if (rc == FU_OK) rc = get_extends(site, src, &use_builtin);
    root = site;
    if (rc == FU_OK && use_builtin) {
        ynode *base = NULL;
        limits blim = {DEFAULT_MAX_BYTES, DEFAULT_MAX_DEPTH, DEFAULT_MAX_NODES};
        rc = parse_tree(&a, BUILTIN_SOURCE, (const char *)fu__data_default_policy_yaml,
                        fu__data_default_policy_yaml_len, &blim, &base);
        if (rc == FU_OK) rc = merge_nodes(&a, base, site, &root);
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
    return load_impl(out, text, len, source_name, opts, 0);
}

int fu_policy_default(fu_policy **out) {
    return load_impl(out, (const char *)fu__data_default_policy_yaml, fu__data_default_policy_yaml_len,
                     BUILTIN_SOURCE, NULL, 1);
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
    if (rc == FU_OK) rc = load_impl(out, b.data ? b.data : "", b.len, path, opts, 0);
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
        fu__error_set(FU_EINVAL, "fu_policy_calendar: policy is NULL");
        return NULL;
    }
    const fu__pol_calendar *c = (!name || !*name) ? p->t.calendar : find_calendar(&p->t, name);
    if (!c) {
        fu__error_set(FU_ENOTFOUND, "no calendar '%s' in the policy", name);
        return NULL;
    }
    return c->cal;
}

int fu_policy_calendar_data_until(const fu_policy *p, const char *name, fu_date *out) {
    if (!p || !out) return fu__error_set(FU_EINVAL, "fu_policy_calendar_data_until: NULL argument");
    const fu__pol_calendar *c = (!name || !*name) ? p->t.calendar : find_calendar(&p->t, name);
    if (!c) return fu__error_set(FU_ENOTFOUND, "no calendar '%s' in the policy", name);
    if (c->data_until == INT64_MAX) {
        memset(out, 0, sizeof *out);
        return FU_OK;
    }
    return fu_date_from_days(c->data_until, out);
}

const fu__pol_cadence *fu__policy_cadence(const fu__policy *t, const char *name) {
    for (size_t i = 0; i < t->n_cadences; i++)
        if (strcmp(t->cadences[i].name, name) == 0) return &t->cadences[i];
    return NULL;
}

const fu__pol_kpi *fu__policy_kpi(const fu__policy *t, const char *name) {
    for (size_t i = 0; i < t->kpis.n; i++)
        if (strcmp(t->kpis.v[i].name, name) == 0) return &t->kpis.v[i];
    return NULL;
}

static int band_index(const fu__pol_band *b, size_t n, const char *name) {
    for (size_t i = 0; i < n; i++)
        if (strcmp(b[i].name, name) == 0) return (int)i;
    return -1;
}

static int band_of(const fu__pol_band *b, size_t n, double v) {
    if (isnan(v) || v < 0) return -1;
    for (size_t i = 0; i < n; i++)
        if (b[i].min_exclusive ? v > b[i].min : v >= b[i].min) return (int)i;
    return -1;
}

int fu__policy_tier_index(const fu__policy *t, const char *name) {
    return band_index(t->segments.tiers, t->segments.n_tiers, name);
}
int fu__policy_class_index(const fu__policy *t, const char *name) {
    return band_index(t->segments.classes, t->segments.n_classes, name);
}
int fu__policy_tier_of(const fu__policy *t, double v) { return band_of(t->segments.tiers, t->segments.n_tiers, v); }
int fu__policy_class_of(const fu__policy *t, double v) {
    return band_of(t->segments.classes, t->segments.n_classes, v);
}

/* Walk a path "a.b[2].c" in the merged tree. */
static int lookup(const fu_policy *p, const char *path, const ynode **out) {
    if (!p || !path) return fu__error_set(FU_EINVAL, "policy lookup: NULL argument");
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
        const ynode *v = n->kind == YN_MAP ? map_get_n(n, s, k) : NULL;
        if (!v || (v->kind == YN_SCALAR && v->is_null))
            return fu__error_set(FU_ENOTFOUND, "no '%s' in the policy", path);
        n = v;
        s += k;
        if (*s == '.') s++;
    }
    *out = n;
    return FU_OK;
}

static int lookup_scalar(const fu_policy *p, const char *path, const ynode **out) {
    int rc = lookup(p, path, out);
    if (rc) return rc;
    if ((*out)->kind != YN_SCALAR)
        return fu__error_set(FU_EPOLICY, "'%s' is a %s, not a single value", path,
                             (*out)->kind == YN_MAP ? "mapping" : "sequence");
    return FU_OK;
}

int fu_policy_get_number(const fu_policy *p, const char *path, double *out) {
    const ynode *n;
    int rc = lookup_scalar(p, path, &n);
    if (rc) return rc;
    double v;
    int pct;
    if (parse_number(n->text, n->len, &v, &pct) != 0)
        return fu__error_set(FU_EPOLICY, "'%s' is '%.40s', not a number", path, n->text);
    if (out) *out = v;
    return FU_OK;
}

int fu_policy_get_string(const fu_policy *p, const char *path, const char **out) {
    const ynode *n;
    int rc = lookup_scalar(p, path, &n);
    if (rc) return rc;
    if (out) *out = n->text;
    return FU_OK;
}

int fu_policy_get_bool(const fu_policy *p, const char *path, int *out) {
    const ynode *n;
    int rc = lookup_scalar(p, path, &n);
    if (rc) return rc;
    int v;
    if (word_eq(n->text, n->len, "true")) v = 1;
    else if (word_eq(n->text, n->len, "false")) v = 0;
    else return fu__error_set(FU_EPOLICY, "'%s' is '%.40s', not true or false", path, n->text);
    if (out) *out = v;
    return FU_OK;
}

int fu_policy_get_duration(const fu_policy *p, const char *path, fu_duration *out) {
    const ynode *n;
    int rc = lookup_scalar(p, path, &n);
    if (rc) return rc;
    fu_duration d;
    char msg[160];
    size_t col;
    if (dur_parse(n->text, n->len, &d, &col, msg, sizeof msg) != FU_OK)
        return fu__error_set(FU_EPOLICY, "'%s' is '%.40s', not a duration: %s", path, n->text, msg);
    if (out) *out = d;
    return FU_OK;
}

int fu_policy_get_length(const fu_policy *p, const char *path, size_t *out) {
    const ynode *n;
    int rc = lookup(p, path, &n);
    if (rc) return rc;
    if (n->kind == YN_SCALAR) return fu__error_set(FU_EPOLICY, "'%s' is a single value, not a mapping or sequence", path);
    if (out) *out = n->n;
    return FU_OK;
}

int fu_policy_get_key(const fu_policy *p, const char *path, size_t index, const char **out) {
    const ynode *n;
    int rc = lookup(p, path, &n);
    if (rc) return rc;
    if (n->kind != YN_MAP) return fu__error_set(FU_EPOLICY, "'%s' is not a mapping", path);
    if (index >= n->n) return fu__error_set(FU_ENOTFOUND, "'%s' has %zu keys, no key %zu", path, n->n, index);
    if (out) *out = n->ents[index].key->text;
    return FU_OK;
}

/* ================================================================ summary */

static void put_dur(fu__buf *b, const fu_duration *d) {
    char tmp[64];
    fu_duration_format(d, tmp, sizeof tmp);
    fu__buf_puts(b, tmp);
}

static void put_mask(fu__buf *b, uint32_t mask, const char *const *names, size_t n) {
    int first = 1;
    for (size_t i = 0; i < n; i++)
        if (mask & (1u << i)) {
            fu__buf_printf(b, "%s%s", first ? "" : "/", names[i]);
            first = 0;
        }
}

static void put_when(fu__buf *b, const fu__policy *t, const fu__pol_when *w) {
    const char *tn[FU__POL_MAX_TIERS], *cn[FU__POL_MAX_TIERS], *rn[FU__POL_MAX_TIERS];
    for (size_t i = 0; i < t->segments.n_tiers; i++) tn[i] = t->segments.tiers[i].name;
    for (size_t i = 0; i < t->segments.n_classes; i++) cn[i] = t->segments.classes[i].name;
    for (size_t i = 0; i < t->segments.n_rfm_groups; i++) rn[i] = t->segments.rfm_groups[i].name;
    if (w->tiers) { fu__buf_puts(b, " tier="); put_mask(b, w->tiers, tn, t->segments.n_tiers); }
    if (w->product_classes) { fu__buf_puts(b, " class="); put_mask(b, w->product_classes, cn, t->segments.n_classes); }
    if (w->lifecycles) { fu__buf_puts(b, " lifecycle="); put_mask(b, w->lifecycles, lifecycle_names, FU__LC_COUNT); }
    if (w->rfm_groups) { fu__buf_puts(b, " rfm="); put_mask(b, w->rfm_groups, rn, t->segments.n_rfm_groups); }
    const fu__pol_strs *lists[3] = {&w->severities, &w->industries, &w->risks};
    const char *lnames[3] = {"severity", "industry", "risk"};
    for (int k = 0; k < 3; k++)
        if (lists[k]->n) {
            fu__buf_printf(b, " %s=", lnames[k]);
            for (size_t i = 0; i < lists[k]->n; i++) fu__buf_printf(b, "%s%s", i ? "/" : "", lists[k]->v[i]);
        }
    if (w->is_smb >= 0) fu__buf_printf(b, " smb=%s", w->is_smb ? "yes" : "no");
    if (w->min_tenure.set) { fu__buf_puts(b, " tenure>="); put_dur(b, &w->min_tenure.d); }
}

static void put_money(fu__buf *b, double v) { fu__buf_printf(b, "%.0f", v); }

int fu_policy_summary(const fu_policy *p, char **out) {
    if (!p || !out) return fu__error_set(FU_EINVAL, "fu_policy_summary: NULL argument");
    *out = NULL;
    const fu__policy *t = &p->t;
    fu__buf b = FU__BUF_INIT;
    fu__buf_printf(&b, "policy %s version %s (from %s), currency %s\n", t->name[0] ? t->name : "(unnamed)",
                   t->version[0] ? t->version : "-", p->source, t->currency);
    fu__buf_printf(&b, "calendars: %zu (default %s)\n", t->n_calendars, t->calendar->name);
    for (size_t i = 0; i < t->n_calendars; i++) {
        const fu__pol_calendar *c = &t->calendars[i];
        fu__buf_printf(&b, "  %s: %s, ", c->name, c->tz);
        if (!c->has_hours) {
            fu__buf_puts(&b, "open all the time");
        } else {
            static const char *const dn[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
            int first = 1;
            for (int d = 0; d < 7;) {
                int e = d + 1;
                while (e < 7 && c->n_hours[e] == c->n_hours[d] &&
                       memcmp(c->hours[e], c->hours[d], sizeof(fu__pol_interval) * (size_t)c->n_hours[d]) == 0)
                    e++;
                if (c->n_hours[d]) {
                    if (e - d > 1) fu__buf_printf(&b, "%s%s-%s ", first ? "" : "; ", dn[d], dn[e - 1]);
                    else fu__buf_printf(&b, "%s%s ", first ? "" : "; ", dn[d]);
                    first = 0;
                    for (int k = 0; k < c->n_hours[d]; k++) {
                        char s1[8], s2[8];
                        fmt_hhmm(c->hours[d][k].start_min, s1);
                        fmt_hhmm(c->hours[d][k].end_min, s2);
                        fu__buf_printf(&b, "%s%s-%s", k ? "," : "", s1, s2);
                    }
                }
                d = e;
            }
            if (first) fu__buf_puts(&b, "never open");
        }
        fu__buf_printf(&b, "; %zu holidays, %zu make-up workdays", c->n_holidays, c->n_workdays);
        if (c->n_holidays)
            fu__buf_printf(&b, " (%d..%d)", c->holidays[0].year, c->holidays[c->n_holidays - 1].year);
        fu__buf_puts(&b, "\n");
    }
    const fu__pol_segments *s = &t->segments;
    fu__buf_puts(&b, "value tiers (annual spend):");
    for (size_t i = 0; i < s->n_tiers; i++) {
        fu__buf_printf(&b, " %s %s ", s->tiers[i].name, s->tiers[i].min_exclusive ? ">" : ">=");
        put_money(&b, s->tiers[i].min);
        fu__buf_puts(&b, i + 1 < s->n_tiers ? ";" : "\n");
    }
    fu__buf_puts(&b, "product classes (unit price):");
    for (size_t i = 0; i < s->n_classes; i++) {
        fu__buf_printf(&b, " %s %s ", s->classes[i].name, s->classes[i].min_exclusive ? ">" : ">=");
        put_money(&b, s->classes[i].min);
        fu__buf_puts(&b, i + 1 < s->n_classes ? ";" : "\n");
    }
    fu__buf_puts(&b, "lifecycle: new < ");
    put_dur(&b, &s->new_within);
    fu__buf_puts(&b, ", mature >= ");
    put_dur(&b, &s->mature_after);
    fu__buf_puts(&b, ", declining after ");
    put_dur(&b, &s->declining_inactive_for);
    fu__buf_printf(&b, " inactive or spend -%.0f%% or a complaint within ", s->declining_spend_drop * 100);
    put_dur(&b, &s->declining_complaint_within);
    fu__buf_puts(&b, ", churned after ");
    put_dur(&b, &s->churned_after);
    fu__buf_printf(&b, "\nRFM groups: %zu (%d bins); composite segments: %zu\n", s->n_rfm_groups, s->rfm_bins,
                   s->n_composite);
    fu__buf_printf(&b, "cadences: %zu\n", t->n_cadences);
    for (size_t i = 0; i < t->n_cadences; i++) {
        const fu__pol_cadence *cd = &t->cadences[i];
        fu__buf_printf(&b, "  %s: ", cd->name);
        switch (cd->trigger) {
        case FU__TRIGGER_EVENT: fu__buf_printf(&b, "on event %s", cd->event); break;
        case FU__TRIGGER_LIFECYCLE: fu__buf_printf(&b, "on becoming %s", lifecycle_names[cd->lifecycle]); break;
        case FU__TRIGGER_CYCLE: fu__buf_printf(&b, "at %.0f%% of the purchase cycle", cd->cycle * 100); break;
        case FU__TRIGGER_EVERY: fu__buf_puts(&b, "every "); put_dur(&b, &cd->every); break;
        case FU__TRIGGER_PROMISE: fu__buf_printf(&b, "on a promise %s", promise_state_names[cd->promise]); break;
        }
        put_when(&b, t, &cd->when);
        fu__buf_puts(&b, ":");
        for (size_t k = 0; k < cd->n_steps; k++) {
            const fu__pol_step *st = &cd->steps[k];
            fu__buf_printf(&b, "%s %s at ", k ? ";" : "", st->name);
            put_dur(&b, &st->at);
            fu__buf_puts(&b, " within ");
            put_dur(&b, &st->within);
            fu__buf_printf(&b, " (%s)", channel_names[st->channel]);
        }
        fu__buf_puts(&b, "\n");
    }
    fu__buf_puts(&b, "caps: min gap ");
    put_dur(&b, &t->min_gap);
    fu__buf_puts(&b, ", exempt ");
    put_mask(&b, t->cap_exempt, priority_names, FU__PRIO_COUNT);
    fu__buf_puts(&b, "\n");
    for (size_t i = 0; i < t->n_caps; i++) {
        fu__buf_printf(&b, "  %s: at most %d per ", t->caps[i].name, t->caps[i].max);
        put_dur(&b, &t->caps[i].per);
        if (t->caps[i].scope == FU__SCOPE_ORDER) fu__buf_puts(&b, " per order");
        if (t->caps[i].channels) { fu__buf_puts(&b, " channel="); put_mask(&b, t->caps[i].channels, channel_names, FU__CH_COUNT); }
        put_when(&b, t, &t->caps[i].when);
        fu__buf_puts(&b, "\n");
    }
    fu__buf_puts(&b, "quiet hours: contacts allowed ");
    {
        const fu_windows *w = t->quiet_allowed;
        size_t nw = fu_windows_count(w);
        static const char *const dn[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
        fu_window_span ws[14];
        size_t ns = 0;
        for (size_t i = 0; i < nw && ns < 14; i++)
            if (fu_windows_get(w, i, &ws[ns]) == FU_OK) ns++;
        int daily = ns == 7;
        for (size_t i = 0; daily && i < ns; i++)
            daily = ws[i].start % 1440 == ws[0].start % 1440 && ws[i].end - ws[i].start == ws[0].end - ws[0].start &&
                    ws[i].end - ws[i].start < 1440;
        for (size_t i = 0; i < (daily ? 1 : ns); i++) {
            char s1[8], s2[8];
            fmt_hhmm(ws[i].start % 1440, s1);
            fmt_hhmm((ws[i].end - (ws[i].start / 1440) * 1440) % 1441, s2);
            fu__buf_printf(&b, "%s%s %s-%s", i ? ", " : "", daily ? "daily" : dn[(ws[i].start / 1440) % 7], s1, s2);
        }
        if (nw > 14) fu__buf_puts(&b, ", ...");
    }
    fu__buf_puts(&b, " local time\n");
    fu__buf_printf(&b, "suppressions: %zu\n", t->n_suppressions);
    for (size_t i = 0; i < t->n_suppressions; i++) {
        const fu__pol_suppression *sp = &t->suppressions[i];
        fu__buf_printf(&b, "  %s: %s", sp->name, action_names[sp->action]);
        if (sp->kind == FU__SUPP_RECENT_EVENT) {
            fu__buf_printf(&b, " after %s within ", sp->event);
            put_dur(&b, &sp->within);
        } else if (sp->kind == FU__SUPP_DATES) {
            fu__buf_puts(&b, " ");
            put_dur(&b, &sp->before);
            fu__buf_puts(&b, " before");
            for (size_t k = 0; k < sp->n_month_days; k++)
                fu__buf_printf(&b, " %02d-%02d", sp->month_days[k] / 100, sp->month_days[k] % 100);
        } else {
            fu__buf_printf(&b, " in the last %d days of a month", sp->last_days);
        }
        put_when(&b, t, &sp->when);
        fu__buf_puts(&b, "\n");
    }
    fu__buf_printf(&b, "capacity: %d-%d calls per agent per day, at most %d customers per VIP agent\n",
                   t->capacity.calls_per_agent_day_min, t->capacity.calls_per_agent_day_max,
                   t->capacity.customers_per_vip_agent);
    fu__buf_puts(&b, "sla:");
    const fu__pol_sla *sl[3] = {t->sla_response, t->sla_tier, t->sla_regulatory};
    size_t sn[3] = {t->n_sla_response, t->n_sla_tier, t->n_sla_regulatory};
    for (int k = 0; k < 3; k++)
        for (size_t i = 0; i < sn[k]; i++) {
            fu__buf_printf(&b, " %s ", sl[k][i].name);
            put_dur(&b, &sl[k][i].d);
            fu__buf_puts(&b, ";");
        }
    fu__buf_puts(&b, "\n");
    const fu__pol_commitments *cm = &t->commitments;
    fu__buf_printf(&b, "commitments: warn at %.0f%%, breach at %.0f%% of the allowed time, escalate after ",
                   cm->warn_at * 100, cm->breach_at * 100);
    put_dur(&b, &cm->escalate_after);
    fu__buf_printf(&b, "; %zu promise patterns, %zu risky-phrase patterns (calendar %s)\n", cm->n_patterns,
                   cm->n_risky, cm->calendar->name);
    fu__buf_puts(&b, "kpis (target / baseline):");
    for (size_t i = 0; i < t->kpis.n; i++) {
        const fu__pol_kpi *k = &t->kpis.v[i];
        if (isnan(k->target)) fu__buf_printf(&b, " %s (no target)", k->name);
        else if (k->is_rate) fu__buf_printf(&b, " %s %s%g%%", k->name, k->lower_is_better ? "<=" : "", k->target * 100);
        else fu__buf_printf(&b, " %s %g", k->name, k->target);
        if (!isnan(k->baseline)) {
            if (k->is_rate) fu__buf_printf(&b, " / %g%%", k->baseline * 100);
            else fu__buf_printf(&b, " / %g", k->baseline);
        }
        fu__buf_puts(&b, i + 1 < t->kpis.n ? ";" : "");
    }
    fu__buf_printf(&b, "\nscorecard: satisfaction %.2f, resolution %.2f, feedback conversion %.2f, efficiency %.2f\n",
                   t->scorecard.satisfaction, t->scorecard.resolution, t->scorecard.feedback_conversion,
                   t->scorecard.efficiency);
    fu__buf_printf(&b, "redaction: %s, %zu extra patterns\n", t->redaction.enabled ? "on" : "off", t->redaction.n_extra);
    fu__buf_puts(&b, "best time: slot ");
    put_dur(&b, &t->besttime.slot);
    fu__buf_puts(&b, ", half-life ");
    put_dur(&b, &t->besttime.half_life);
    fu__buf_printf(&b, ", prior %g contacts at %.0f%% answered\n", t->besttime.prior_strength,
                   t->besttime.prior_answer_rate * 100);
    if (b.failed) {
        fu__buf_free(&b);
        return fu__error_nomem();
    }
    *out = fu__buf_detach(&b);
    if (!*out) return fu__error_nomem();
    return FU_OK;
}
