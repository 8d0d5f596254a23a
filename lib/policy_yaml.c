/* The YAML tree of a policy: libyaml events turned into ynode trees in the
 * policy's arena, with limits on size, depth and node count, anchors and
 * aliases, duplicate-key errors; and the deep merge of a site policy over the
 * built-in one. */
#include "policy_core.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

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

/* Where a syntax error is reported. libyaml puts an error found at the end of
 * the input (an open bracket, a key without ':' on the last line) on the
 * line after the last one, which the file does not have (review s11 L9):
 * such an error is placed just after the last character instead, and
 * *at_end says so. */
static void syntax_error_pos(const parser *ps, const yaml_mark_t *m, unsigned long *line, unsigned long *col,
                             int *at_end) {
    size_t end = ps->len;
    while (end > 0 && (ps->text[end - 1] == '\n' || ps->text[end - 1] == '\r')) end--;
    unsigned long last_line, last_col;
    offset_pos(ps->text, ps->len, end, &last_line, &last_col);
    *at_end = m->line + 1 > last_line || (m->line + 1 == last_line && m->column + 1 > last_col);
    if (*at_end) {
        *line = last_line;
        *col = last_col;
    } else {
        *line = m->line + 1;
        *col = m->column + 1;
    }
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
        unsigned long line, col;
        int at_end;
        syntax_error_pos(ps, &yp->problem_mark, &line, &col, &at_end);
        return fu__error_set_at(FU_EPARSE, ps->src, line, col, "", "YAML syntax error: %s%s%s%s", prob,
                                yp->context ? " " : "", yp->context ? yp->context : "",
                                at_end ? " (at the end of the file)" : "");
    }
    }
}

static ynode *node_new(parser *ps, int kind, const yaml_mark_t *m) {
    ynode *n = fu__arena_calloc(ps->a, 1, sizeof *n);
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
    const char *nm = fu__arena_strndup(ps->a, (const char *)name, strlen((const char *)name));
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
        n->text = fu__arena_strndup(ps->a, v, len);
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
            n->ents = fu__arena_alloc(ps->a, f->n * sizeof(yent));
            if (!n->ents) return fu__error_nomem();
            memcpy(n->ents, f->ents, f->n * sizeof(yent));
            int rc = check_duplicates(ps, n);
            if (rc) return rc;
        } else if (n->kind == YN_SEQ && f->n) {
            n->items = fu__arena_alloc(ps->a, f->n * sizeof(ynode *));
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
int fu__pol_parse_tree(arena *a, const char *src, const char *text, size_t len, const limits *lim,
                      ynode **out) {
    *out = NULL;
    if (len > lim->max_bytes)
        return fu__error_set_at(FU_ELIMIT, src, 0, 0, "", "policy is %zu bytes, more than the limit of %zu",
                                len, lim->max_bytes);
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) { /* a UTF-8 byte order mark (Notepad) */
        text += 3;
        len -= 3;
    }
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

const ynode *fu__pol_map_get(const ynode *map, const char *key) {
    if (!map || map->kind != YN_MAP) return NULL;
    size_t kl = strlen(key);
    for (size_t i = 0; i < map->n; i++)
        if (map->ents[i].key->len == kl && memcmp(map->ents[i].key->text, key, kl) == 0)
            return map->ents[i].val;
    return NULL;
}

const ynode *fu__pol_map_get_n(const ynode *map, const char *key, size_t kl) {
    for (size_t i = 0; i < map->n; i++)
        if (map->ents[i].key->len == kl && memcmp(map->ents[i].key->text, key, kl) == 0)
            return map->ents[i].val;
    return NULL;
}

/* Deep merge: mappings merge key by key, anything else in `over` replaces
 * `base`; a null value in `over` removes the key. Nodes are shared, never
 * changed; new mapping nodes are made for merged mappings. */
int fu__pol_merge_nodes(arena *a, const ynode *base, const ynode *over, const ynode **out) {
    if (!base || base->kind != YN_MAP || over->kind != YN_MAP) {
        *out = over;
        return FU_OK;
    }
    ynode *m = fu__arena_alloc(a, sizeof *m);
    if (!m) return fu__error_nomem();
    *m = *over;
    m->n = 0;
    size_t cap = base->n + over->n;
    m->ents = fu__arena_alloc(a, (cap ? cap : 1) * sizeof(yent));
    if (!m->ents) return fu__error_nomem();
    for (size_t i = 0; i < base->n; i++) {
        const yent *be = &base->ents[i];
        const ynode *ov = fu__pol_map_get_n(over, be->key->text, be->key->len);
        if (!ov) {
            m->ents[m->n++] = *be;
            continue;
        }
        if (ov->kind == YN_SCALAR && ov->is_null) continue; /* removed */
        const ynode *mv;
        int rc = fu__pol_merge_nodes(a, be->val, ov, &mv);
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
        if (fu__pol_map_get_n(base, oe->key->text, oe->key->len)) continue;
        if (oe->val->kind == YN_SCALAR && oe->val->is_null) continue;
        m->ents[m->n++] = *oe;
    }
    *out = m;
    return FU_OK;
}

