/* fu_besttime_save() / fu_besttime_load() (followup/guard.h): a best-time
 * model's evidence and priors as a versioned text file
 * (model_file_internal.h; docs/formats.md, "Model files"; docs/besttime.md,
 * "Saving and loading").
 *
 * Version 2 (written since 2026-12-07) records each customer's id hash
 * (fu__bt_id_hash) on its line, and a load gives each line's evidence to the
 * model's customer with that id, whatever its position in the model's book.
 * Version 1 files hold positions only and are loaded by position, as before. */
#include "besttime_internal.h"
#include "followup/guard.h"
#include "model_file_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BT_FILE_VERSION 2 /* the newest this library reads; the one it writes */

int fu_besttime_save(const fu_besttime *m, const char *path) {
    if (!m || !path) return fu__error_set(FU_EINVAL, "fu_besttime_save: %s is NULL", !m ? "model" : "path");
    fu__buf b = FU__BUF_INIT;
    fu__mfile_begin(&b, "besttime", BT_FILE_VERSION);
    fu__buf_printf(&b, "shape %zu %d %zu\n", m->n_cust, m->n_slots, m->n_seg);
    for (size_t g = 0; g < m->n_seg && !b.failed; g++) {
        fu__buf_printf(&b, "prior %zu", g);
        for (int k = 0; k < m->n_slots; k++)
            fu__buf_printf(&b, " %a %a", m->alpha[g * (size_t)m->n_slots + (size_t)k],
                           m->beta[g * (size_t)m->n_slots + (size_t)k]);
        fu__buf_puts(&b, "\n");
    }
    for (size_t i = 0; i < m->n_cust && !b.failed; i++) {
        const bt_cust *c = &m->cust[i];
        if (!c->n_cells) continue;
        fu__buf_printf(&b, "customer %zu %016" PRIx64 " %lld %u", i, m->id_hash[i], (long long)c->t_ref,
                       (unsigned)c->n_cells);
        for (size_t j = 0; j < c->n_cells; j++)
            fu__buf_printf(&b, " %u %a %a %a", (unsigned)c->cells[j].slot, c->cells[j].s, c->cells[j].n,
                           c->cells[j].w2);
        fu__buf_puts(&b, "\n");
    }
    if (b.failed) {
        fu__buf_free(&b);
        return fu__error_nomem();
    }
    return fu__mfile_commit(&b, path);
}

/* The model's customers by id hash (open addressing), built at the first
 * line whose customer is not at its saved position. */
typedef struct bt_idmap {
    uint64_t *hash;
    size_t *index; /* customer + 1; 0 empty; SIZE_MAX: two customers share the hash */
    size_t mask;
} bt_idmap;

static void bt_idmap_free(bt_idmap *mp) { FU_FREE_ALL(mp->hash, mp->index); }

static int bt_idmap_build(const fu_besttime *m, bt_idmap *mp) {
    size_t cap = 16;
    while (cap < 2 * m->n_cust) cap *= 2;
    mp->hash = fu__calloc(cap, sizeof *mp->hash);
    mp->index = fu__calloc(cap, sizeof *mp->index);
    if (!mp->hash || !mp->index) return fu__error_nomem();
    mp->mask = cap - 1;
    for (size_t i = 0; i < m->n_cust; i++) {
        uint64_t h = m->id_hash[i];
        size_t s = (size_t)(h ^ h >> 32) & mp->mask;
        while (mp->index[s] && mp->hash[s] != h) s = (s + 1) & mp->mask;
        mp->index[s] = mp->index[s] ? SIZE_MAX : i + 1;
        mp->hash[s] = h;
    }
    return FU_OK;
}

/* The model customer of id hash h: its index, SIZE_MAX none, SIZE_MAX - 1 ambiguous. */
static size_t bt_idmap_find(const bt_idmap *mp, uint64_t h) {
    size_t s = (size_t)(h ^ h >> 32) & mp->mask;
    while (mp->index[s]) {
        if (mp->hash[s] == h) return mp->index[s] == SIZE_MAX ? SIZE_MAX - 1 : mp->index[s] - 1;
        s = (s + 1) & mp->mask;
    }
    return SIZE_MAX;
}

/* What a file holds, parsed before anything in the model changes. */
typedef struct bt_loaded {
    double *alpha, *beta;
    bt_cell **cells; /* per model customer, NULL when none */
    uint16_t *n_cells;
    int64_t *t_ref;
    bt_idmap ids;
} bt_loaded;

static void bt_loaded_free(bt_loaded *L, size_t n) {
    if (L->cells)
        for (size_t i = 0; i < n; i++) fu__free(L->cells[i]);
    FU_FREE_ALL(L->cells, L->n_cells, L->t_ref, L->alpha, L->beta);
    bt_idmap_free(&L->ids);
}

static int bt_parse_prior(const fu_besttime *m, fu__mfile *f, char *s, bt_loaded *L) {
    char *e;
    unsigned long long g = strtoull(s + 6, &e, 10);
    if (e == s + 6 || g >= m->n_seg) return fu__mfile_error(f, "prior: segment out of 0..%zu", m->n_seg - 1);
    for (int k = 0; k < 2 * m->n_slots; k++) {
        char *p = e;
        double v = strtod(p, &e);
        if (e == p || !(v > 0) || !isfinite(v)) return fu__mfile_error(f, "prior: value %d is not a positive number", k + 1);
        (k % 2 ? L->beta : L->alpha)[g * (size_t)m->n_slots + (size_t)(k / 2)] = v;
    }
    if (*e) return fu__mfile_error(f, "prior: trailing text");
    return FU_OK;
}

/* Which model customer the line of saved customer `i` (id hash `*e`, version
 * 2) is for: the customer at the same position when its id is the same, else
 * the model's customer of that id. Version 1: position i. */
static int bt_line_customer(const fu_besttime *m, fu__mfile *f, unsigned long long i, char **e, bt_loaded *L,
                            size_t *out) {
    if (f->version < 2) {
        if (i >= m->n_cust) return fu__mfile_error(f, "customer: index out of 0..%zu", m->n_cust - 1);
        *out = (size_t)i;
        return FU_OK;
    }
    char *p = *e;
    while (*p == ' ') p++;
    uint64_t h = strtoull(p, e, 16);
    if (*e - p != 16) return fu__mfile_error(f, "customer %llu: expected the id hash (16 hex digits)", i);
    if (i < m->n_cust && m->id_hash[i] == h) {
        *out = (size_t)i;
        return FU_OK;
    }
    if (!L->ids.mask) {
        int rc = bt_idmap_build(m, &L->ids);
        if (rc) return rc;
    }
    size_t c = bt_idmap_find(&L->ids, h);
    if (c == SIZE_MAX)
        return fu__mfile_error(f, "customer %llu of the saved model (id hash %016" PRIx64 ") is not a customer of "
                                  "the model's book: the file was saved over other customers", i, h);
    if (c == SIZE_MAX - 1)
        return fu__mfile_error(f, "customer %llu: two customers of the model's book have its id hash %016" PRIx64
                                  "; the file cannot be mapped to them", i, h);
    *out = c;
    return FU_OK;
}

static int bt_parse_customer(const fu_besttime *m, fu__mfile *f, char *s, bt_loaded *L) {
    char *e;
    unsigned long long i = strtoull(s + 9, &e, 10);
    if (e == s + 9) return fu__mfile_error(f, "customer: expected its index");
    size_t ci = 0;
    int rc = bt_line_customer(m, f, i, &e, L, &ci);
    if (rc) return rc;
    char *p = e;
    long long t = strtoll(p, &e, 10);
    p = e;
    unsigned long nc = strtoul(p, &e, 10);
    if (e == p || nc == 0 || nc > (unsigned long)m->n_slots || L->cells[ci])
        return fu__mfile_error(f, "customer %llu: bad cell count or a second line", i);
    bt_cell *cells = fu__calloc(nc, sizeof *cells);
    if (!cells) return fu__error_nomem();
    L->cells[ci] = cells;
    L->n_cells[ci] = (uint16_t)nc;
    L->t_ref[ci] = t;
    for (unsigned long j = 0; j < nc; j++) {
        p = e;
        unsigned long slot = strtoul(p, &e, 10);
        if (e == p || slot >= (unsigned long)m->n_slots || (j && slot <= cells[j - 1].slot))
            return fu__mfile_error(f, "customer %llu: slots must rise within 0..%d", i, m->n_slots - 1);
        cells[j].slot = (uint16_t)slot;
        double v[3];
        for (int k = 0; k < 3; k++) {
            p = e;
            v[k] = strtod(p, &e);
            if (e == p || !(v[k] >= 0) || !isfinite(v[k]))
                return fu__mfile_error(f, "customer %llu: counts must be finite and >= 0", i);
        }
        if (v[0] > v[1] * (1 + 1e-12)) return fu__mfile_error(f, "customer %llu: more successes than trials", i);
        cells[j].s = v[0];
        cells[j].n = v[1];
        cells[j].w2 = v[2];
    }
    if (*e) return fu__mfile_error(f, "customer %llu: trailing text", i);
    return FU_OK;
}

/* The shape line: slots and segments must be the model's; so must the
 * number of customers in a version 1 file (its lines are positions). */
static int bt_parse_shape(const fu_besttime *m, fu__mfile *f) {
    char *s = fu__mfile_next(f);
    size_t nc = 0, ns = 0;
    int nsl = 0, used = 0;
    if (!s || sscanf(s, "shape %zu %d %zu%n", &nc, &nsl, &ns, &used) != 3 || s[used])
        return fu__mfile_error(f, "expected 'shape CUSTOMERS SLOTS SEGMENTS'");
    if ((f->version < 2 && nc != m->n_cust) || nsl != m->n_slots || ns != m->n_seg)
        return fu__mfile_error(f, "the file has %zu customers, %d slots, %zu segments; the model %zu, %d, %zu", nc, nsl,
                               ns, m->n_cust, m->n_slots, m->n_seg);
    return FU_OK;
}

static int bt_parse_file(const fu_besttime *m, fu__mfile *f, bt_loaded *L) {
    int rc = bt_parse_shape(m, f);
    if (rc) return rc;
    size_t np = m->n_seg * (size_t)m->n_slots, nc = m->n_cust;
    L->alpha = fu__calloc(np ? np : 1, sizeof *L->alpha);
    L->beta = fu__calloc(np ? np : 1, sizeof *L->beta);
    L->cells = fu__calloc(nc ? nc : 1, sizeof *L->cells);
    L->n_cells = fu__calloc(nc ? nc : 1, sizeof *L->n_cells);
    L->t_ref = fu__calloc(nc ? nc : 1, sizeof *L->t_ref);
    if (!L->alpha || !L->beta || !L->cells || !L->n_cells || !L->t_ref) return fu__error_nomem();
    size_t priors = 0;
    char *s;
    while (rc == FU_OK && (s = fu__mfile_next(f))) {
        if (strncmp(s, "prior ", 6) == 0) {
            rc = bt_parse_prior(m, f, s, L);
            priors++;
        } else if (strncmp(s, "customer ", 9) == 0) {
            rc = bt_parse_customer(m, f, s, L);
        } else {
            rc = fu__mfile_error(f, "expected a 'prior' or 'customer' line");
        }
    }
    if (rc == FU_OK && priors != m->n_seg) rc = fu__mfile_error(f, "%zu prior lines for %zu segments", priors, m->n_seg);
    return rc;
}

/* The largest file a model of m's shape can load: a header, the prior lines
 * and a line per customer with every slot, each number at its longest
 * ("%a" of a double: 24 characters, an index or time: 20). */
static size_t bt_file_max(const fu_besttime *m) {
    double slots = (double)m->n_slots;
    double most = 4096 + (double)m->n_seg * (32 + 50 * slots) + (double)m->n_cust * (96 + 80 * slots);
    return most >= (double)SIZE_MAX ? SIZE_MAX : (size_t)most;
}

int fu_besttime_load(fu_besttime *m, const char *path) {
    if (!m || !path) return fu__error_set(FU_EINVAL, "fu_besttime_load: %s is NULL", !m ? "model" : "path");
    fu__mfile f;
    int rc = fu__mfile_open(&f, path, "besttime", BT_FILE_VERSION, bt_file_max(m));
    if (rc) return rc;
    bt_loaded L;
    memset(&L, 0, sizeof L);
    rc = bt_parse_file(m, &f, &L);
    fu__mfile_close(&f);
    if (rc == FU_OK) { /* nothing can fail from here on */
        memcpy(m->alpha, L.alpha, m->n_seg * (size_t)m->n_slots * sizeof *m->alpha);
        memcpy(m->beta, L.beta, m->n_seg * (size_t)m->n_slots * sizeof *m->beta);
        for (size_t i = 0; i < m->n_cust; i++) {
            bt_cust *c = &m->cust[i];
            if (c->cap_cells) fu__free(c->cells);
            c->cells = L.cells[i];
            c->n_cells = L.n_cells[i];
            c->cap_cells = L.n_cells[i];
            c->t_ref = L.cells[i] ? L.t_ref[i] : FU_BOOK_NO_TIME;
            L.cells[i] = NULL;
        }
        for (size_t i = 0; i < m->n_cust; i++) fu__bt_mix_update(m, i);
    }
    bt_loaded_free(&L, m->n_cust);
    return rc;
}
