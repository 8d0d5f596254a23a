/* fu_segment, numerical half: BG/NBD, Pareto/NBD and Gamma-Gamma
 * likelihoods, fits, scoring and CLV. The special functions (log Gamma,
 * digamma, 2F1) and the quasi-Newton optimizer are fu_stats' (lib/stats.c).
 *
 * Formulas: Fader, Hardie & Lee (2005) "Counting your customers the easy way"
 * (BG/NBD likelihood eq. 6, P(alive), conditional expectation eq. 10, E[X(t)]
 * eq. 7); Fader & Hardie, "The Gamma-Gamma model of monetary value" (2013
 * note); Fader & Hardie, "A note on deriving the Pareto/NBD model and related
 * expressions" (2005) for the Pareto/NBD likelihood with its 2F1 branches. */
#include "segment_internal.h"
#include "stats_internal.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* ================================================================ helpers */

static int is_nonpos_int(double c) { return c <= 0.0 && c == floor(c); }

/* log(exp(p) + exp(q)) */
static double logaddexp(double p, double q) {
    if (p == -INFINITY) return q;
    if (q == -INFINITY) return p;
    return p > q ? p + log1p(exp(q - p)) : q + log1p(exp(p - q));
}

/* 1 / (1 + exp(L)) without overflow */
static double inv1p_exp(double L) {
    if (L > 0) {
        double e = exp(-L);
        return e / (1.0 + e);
    }
    return 1.0 / (1.0 + exp(L));
}

/* ================================================================ optimizer */

/* The fits minimize the negative log-likelihood over the log-parameters with
 * fu__stats_minimize (lib/stats.c). */
typedef fu__stats_objective seg_objective;
#define SEG_MAXDIM FU__STATS_MAXDIM

/* ================================================================ data */

typedef struct seg_row {
    double x, u, v, w; /* x, t_x (or zbar), T, weight */
    uint32_t iu, iv;   /* ranks of u and v among the distinct values (seg_set) */
} seg_row;

/* The validated rows with identical ones merged, sorted by (x, u, v), and the
 * distinct u and v values in increasing order, which the rows index: an
 * evaluation takes a log per distinct value, not per row. */
typedef struct seg_set {
    seg_row *rows;
    size_t m, used;      /* distinct rows; customers used */
    double *uval, *vval; /* distinct u and v values, increasing */
    size_t nu, nv;
} seg_set;

static void set_free(seg_set *s) {
    FU_FREE_ALL(s->rows, s->uval, s->vval);
    memset(s, 0, sizeof *s);
}

static int check_x(const double *x, size_t i) {
    if (!isfinite(x[i]) || x[i] < 0 || x[i] != floor(x[i]) || x[i] > 1e15)
        return fu__error_set(FU_EINVAL, "x[%zu] = %g: must be a non-negative integer", i, x[i]);
    return FU_OK;
}

static int check_rfm(const double *x, const double *t_x, const double *T, size_t i) {
    int rc = check_x(x, i);
    if (rc) return rc;
    if (!isfinite(T[i]) || T[i] < 0) return fu__error_set(FU_EINVAL, "T[%zu] = %g: must be finite and >= 0", i, T[i]);
    if (!isfinite(t_x[i]) || t_x[i] < 0)
        return fu__error_set(FU_EINVAL, "t_x[%zu] = %g: must be finite and >= 0", i, t_x[i]);
    if (t_x[i] > T[i]) return fu__error_set(FU_EINVAL, "t_x[%zu] = %g is after T = %g", i, t_x[i], T[i]);
    return FU_OK;
}

static uint64_t mix64(uint64_t h) {
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    return h ^ (h >> 33);
}

static uint64_t dbl_bits(double d) {
    uint64_t b;
    d += 0.0; /* -0 and +0 are one value */
    memcpy(&b, &d, sizeof b);
    return b;
}

/* Open-addressing hash set of the distinct values of one column; ids in
 * order of first appearance. slot[i] is id + 1, 0 when empty. */
typedef struct seg_vtab {
    double *val;
    uint32_t *slot;
    size_t n, cap;
} seg_vtab;

/* First capacity of the hash tables: room for n rows up to 2^16 slots, so
 * that a small fit allocates each table once. */
static size_t first_cap(size_t n) {
    size_t cap = 64;
    while (cap < 2 * n && cap < ((size_t)1 << 16)) cap *= 2;
    return cap;
}

static int vtab_grow(seg_vtab *t, size_t n) {
    size_t cap = t->cap ? 2 * t->cap : first_cap(n);
    uint32_t *slot = fu__calloc(cap, sizeof *slot);
    double *val = slot ? fu__realloc(t->val, cap / 2 * sizeof *val) : NULL;
    if (!val) {
        fu__free(slot);
        return fu__error_nomem();
    }
    for (size_t k = 0; k < t->n; k++) {
        size_t i = mix64(dbl_bits(val[k])) & (cap - 1);
        while (slot[i]) i = (i + 1) & (cap - 1);
        slot[i] = (uint32_t)(k + 1);
    }
    fu__free(t->slot);
    t->slot = slot;
    t->val = val;
    t->cap = cap;
    return FU_OK;
}

/* Slot of d: its entry, or the empty slot where it goes. */
static size_t vtab_slot(const seg_vtab *t, double d) {
    uint64_t b = dbl_bits(d);
    size_t mask = t->cap - 1, i = mix64(b) & mask;
    while (t->slot[i] && dbl_bits(t->val[t->slot[i] - 1]) != b) i = (i + 1) & mask;
    return i;
}

static int vtab_id(seg_vtab *t, double d, size_t hint, uint32_t *id) {
    if (2 * (t->n + 1) > t->cap) {
        int rc = vtab_grow(t, hint);
        if (rc) return rc;
    }
    size_t i = vtab_slot(t, d);
    if (t->slot[i]) {
        *id = t->slot[i] - 1;
        return FU_OK;
    }
    t->val[t->n] = d + 0.0;
    t->slot[i] = (uint32_t)(t->n + 1);
    *id = (uint32_t)t->n++;
    return FU_OK;
}

/* Distinct (x, u, v) id triples and their counts: open addressing with the
 * entries in the slots, so that a row touches one cache line; count 0 marks
 * an empty slot. ktab_compact() then lists them densely in key[] and w[]. */
typedef struct seg_kent {
    uint32_t k[3];
    uint32_t count;
} seg_kent;

typedef struct seg_ktab {
    seg_kent *e;
    size_t n, cap;
    uint32_t *key; /* 3 per entry, after ktab_compact */
    double *w;
} seg_ktab;

static uint64_t key_hash(const uint32_t *k) {
    return mix64(((uint64_t)k[0] << 32 | k[1]) ^ mix64((uint64_t)k[2] + 0x9e3779b97f4a7c15ULL));
}

static int ktab_grow(seg_ktab *t, size_t n) {
    size_t cap = t->cap ? 2 * t->cap : first_cap(n);
    seg_kent *e = fu__calloc(cap, sizeof *e);
    if (!e) return fu__error_nomem();
    for (size_t i = 0; i < t->cap; i++) {
        if (!t->e[i].count) continue;
        size_t j = key_hash(t->e[i].k) & (cap - 1);
        while (e[j].count) j = (j + 1) & (cap - 1);
        e[j] = t->e[i];
    }
    fu__free(t->e);
    t->e = e;
    t->cap = cap;
    return FU_OK;
}

/* Count key k (hash h); the table has room. */
static void ktab_put(seg_ktab *t, const uint32_t *k, uint64_t h) {
    size_t mask = t->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        seg_kent *E = &t->e[i];
        if (!E->count) {
            memcpy(E->k, k, sizeof E->k);
            E->count = 1;
            t->n++;
            return;
        }
        if (E->k[0] == k[0] && E->k[1] == k[1] && E->k[2] == k[2]) {
            E->count++;
            return;
        }
    }
}

static int ktab_compact(seg_ktab *t) {
    t->key = fu__malloc((t->n ? t->n : 1) * 3 * sizeof *t->key);
    t->w = t->key ? fu__malloc((t->n ? t->n : 1) * sizeof *t->w) : NULL;
    if (!t->w) return fu__error_nomem();
    size_t o = 0;
    for (size_t i = 0; i < t->cap; i++) {
        if (!t->e[i].count) continue;
        memcpy(&t->key[3 * o], t->e[i].k, 3 * sizeof *t->key);
        t->w[o++] = (double)t->e[i].count;
    }
    return FU_OK;
}

#if defined(__GNUC__)
#define SEG_PREFETCH(p) __builtin_prefetch(p)
#else
#define SEG_PREFETCH(p) ((void)(p))
#endif

/* Hash every row's values to ids and count the id triples, SEG_HASH_BLOCK
 * rows at a time: the block's slots are prefetched before they are used. */
#define SEG_HASH_BLOCK 16

static int rows_count(const double *x, const double *u, const double *v, size_t n, int kind, seg_vtab *vt,
                      seg_ktab *kt) {
    int rc = FU_OK;
    for (size_t i0 = 0; i0 < n && !rc; i0 += SEG_HASH_BLOCK) {
        if (2 * (kt->n + SEG_HASH_BLOCK) > kt->cap && (rc = ktab_grow(kt, n)) != FU_OK) break;
        uint32_t kb[SEG_HASH_BLOCK][3];
        uint64_t hb[SEG_HASH_BLOCK];
        int nb = 0;
        size_t i1 = n - i0 > SEG_HASH_BLOCK ? i0 + SEG_HASH_BLOCK : n;
        for (size_t i = i0; i < i1 && !rc; i++) {
            if (kind == 1 && x[i] == 0) continue;
            double c[3] = {x[i], (kind == 0 && x[i] == 0) ? 0.0 : u[i], kind == 0 ? v[i] : 0.0};
            for (int f = 0; f < 3 && !rc; f++) rc = vtab_id(&vt[f], c[f], n, &kb[nb][f]);
            hb[nb] = key_hash(kb[nb]);
            SEG_PREFETCH(&kt->e[hb[nb] & (kt->cap - 1)]);
            nb++;
        }
        for (int k = 0; k < nb && !rc; k++) ktab_put(kt, kb[k], hb[k]);
    }
    return rc ? rc : ktab_compact(kt);
}

static int dbl_cmp_asc(const void *pa, const void *pb) {
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

/* Sort a column's distinct values in place and return rank[id] (the
 * position of id's value in the sorted order). */
static int vtab_rank(seg_vtab *t, uint32_t **rank) {
    uint32_t *rk = fu__malloc((t->n ? t->n : 1) * sizeof *rk);
    double *sorted = fu__malloc((t->n ? t->n : 1) * sizeof *sorted);
    if (!rk || !sorted) {
        fu__free(rk);
        fu__free(sorted);
        return fu__error_nomem();
    }
    memcpy(sorted, t->val, t->n * sizeof *sorted);
    qsort(sorted, t->n, sizeof *sorted, dbl_cmp_asc);
    /* the id table still maps values to ids: look each sorted value up */
    for (size_t k = 0; k < t->n; k++) rk[t->slot[vtab_slot(t, sorted[k])] - 1] = (uint32_t)k;
    fu__free(t->val);
    t->val = sorted;
    *rank = rk;
    return FU_OK;
}

static unsigned bits_for(size_t n) {
    unsigned b = 0;
    while (n > 1 && ((size_t)1 << b) < n) b++;
    return b;
}

/* LSD radix sort of the entries by (key[0], key[1], key[2]) (already ranks),
 * 11 bits a pass, into order[]. */
static int radix_order(const seg_ktab *t, const unsigned *bits, uint32_t **order) {
    size_t n = t->n;
    uint32_t *a = fu__malloc((n ? n : 1) * sizeof *a), *b = fu__malloc((n ? n : 1) * sizeof *b);
    size_t *cnt = fu__malloc(2048 * sizeof *cnt);
    if (!a || !b || !cnt) {
        fu__free(a), fu__free(b), fu__free(cnt);
        return fu__error_nomem();
    }
    for (size_t i = 0; i < n; i++) a[i] = (uint32_t)i;
    for (int f = 2; f >= 0; f--)
        for (unsigned sh = 0; sh < bits[f]; sh += 11) {
            memset(cnt, 0, 2048 * sizeof *cnt);
            for (size_t i = 0; i < n; i++) cnt[(t->key[3 * a[i] + f] >> sh) & 2047]++;
            size_t sum = 0;
            for (size_t d = 0; d < 2048; d++) {
                size_t c = cnt[d];
                cnt[d] = sum;
                sum += c;
            }
            for (size_t i = 0; i < n; i++) b[cnt[(t->key[3 * a[i] + f] >> sh) & 2047]++] = a[i];
            uint32_t *s = a;
            a = b;
            b = s;
        }
    fu__free(b);
    fu__free(cnt);
    *order = a;
    return FU_OK;
}

static int rows_validate(const double *x, const double *u, const double *v, size_t n, int kind, size_t *used) {
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        int rc = kind == 0 ? check_rfm(x, u, v, i) : check_x(x, i);
        if (rc) return rc;
        if (kind == 1 && x[i] > 0 && !(isfinite(u[i]) && u[i] > 0))
            return fu__error_set(FU_EINVAL, "zbar[%zu] = %g: must be > 0 when x > 0", i, u[i]);
        if (kind == 0 || x[i] > 0) m++;
    }
    *used = m;
    return FU_OK;
}

/* Hash the rows' values and (x, u, v) triples, rank the values, radix-sort
 * the distinct triples: the result equals sorting all rows by (x, u, v) and
 * merging equal neighbours, in time linear in n. */
static int rows_merge(const double *x, const double *u, const double *v, size_t n, int kind, seg_set *S) {
    seg_vtab vt[3] = {{0}};
    seg_ktab kt = {0};
    uint32_t *rank[3] = {NULL, NULL, NULL}, *order = NULL;
    int rc = rows_count(x, u, v, n, kind, vt, &kt);
    for (int f = 0; f < 3 && !rc; f++) rc = vtab_rank(&vt[f], &rank[f]);
    if (!rc) {
        unsigned bits[3];
        for (size_t e = 0; e < kt.n; e++)
            for (int f = 0; f < 3; f++) kt.key[3 * e + f] = rank[f][kt.key[3 * e + f]];
        for (int f = 0; f < 3; f++) bits[f] = bits_for(vt[f].n);
        rc = radix_order(&kt, bits, &order);
    }
    if (!rc && !(S->rows = fu__malloc((kt.n ? kt.n : 1) * sizeof *S->rows))) rc = fu__error_nomem();
    if (!rc) {
        for (size_t e = 0; e < kt.n; e++) {
            const uint32_t *k = &kt.key[3 * order[e]];
            seg_row *R = &S->rows[e];
            R->x = vt[0].val[k[0]];
            R->u = vt[1].val[k[1]];
            R->v = vt[2].val[k[2]];
            R->w = kt.w[order[e]];
            R->iu = k[1];
            R->iv = k[2];
        }
        S->m = kt.n;
        S->uval = vt[1].val, S->nu = vt[1].n, vt[1].val = NULL;
        S->vval = vt[2].val, S->nv = vt[2].n, vt[2].val = NULL;
    }
    for (int f = 0; f < 3; f++) FU_FREE_ALL(vt[f].val, vt[f].slot, rank[f]);
    FU_FREE_ALL(kt.key, kt.w, kt.e, order);
    return rc;
}

/* Validate and merge identical rows (weights count them). kind 0: (x, t_x, T)
 * with t_x ignored when x = 0; kind 1: (x, zbar), rows with x = 0 skipped. */
static int seg_rows(const double *x, const double *u, const double *v, size_t n, int kind, seg_set *S) {
    memset(S, 0, sizeof *S);
    if (!x || !u || (kind == 0 && !v)) return fu__error_set(FU_EINVAL, "data arrays must not be NULL");
    if (n >= UINT32_MAX / 2)
        return fu__error_set(FU_ERANGE, "%zu customers: at most %u in one call", n, UINT32_MAX / 2 - 1);
    int rc = rows_validate(x, u, v, n, kind, &S->used);
    if (!rc) rc = rows_merge(x, u, v, n, kind, S);
    if (rc) set_free(S);
    return rc;
}

static int check_params(const double *p, int n, const char *const *names) {
    for (int i = 0; i < n; i++)
        if (!isfinite(p[i]) || !(p[i] > 0))
            return fu__error_set(FU_EINVAL, "parameter %s = %g: must be finite and > 0", names[i], p[i]);
    return FU_OK;
}

static const char *const bg_names[] = {"r", "alpha", "a", "b"};
static const char *const pn_names[] = {"r", "alpha", "s", "beta"};
static const char *const gg_names[] = {"p", "q", "gamma"};

static int check_bg(const fu_segment_bgnbd *m) {
    double p[4] = {m->r, m->alpha, m->a, m->b};
    return check_params(p, 4, bg_names);
}
static int check_pn(const fu_segment_pareto *m) {
    double p[4] = {m->r, m->alpha, m->s, m->beta};
    return check_params(p, 4, pn_names);
}
static int check_gg(const fu_segment_gammagamma *m) {
    double p[3] = {m->p, m->q, m->gamma};
    return check_params(p, 3, gg_names);
}

FU_DEFINE_INIT(fu_segment_fit_options_init, fu_segment_fit_options, FU_SEGMENT_FIT_OPTIONS_INIT)

FU_DEFINE_INIT(fu_segment_score_options_init, fu_segment_score_options, FU_SEGMENT_SCORE_OPTIONS_INIT)

/* ================================================================ BG/NBD */

typedef struct seg_data {
    const seg_row *rows;
    size_t m;
    const double *uval, *vval; /* distinct u and v values (seg_set) */
    size_t nu, nv;
    double *su, *sv; /* per-evaluation tables: SEG_PER_VALUE doubles per distinct value */
    int poll;     /* a fit: poll the cancel hook every 4,096 rows */
    int canceled; /* the hook asked to stop: the objective returns +INFINITY */
} seg_data;

/* In an objective's row loop: stop when the cancel hook asks to. */
#define SEG_POLL(D, i)                                                                  \
    do {                                                                                \
        if ((D)->canceled ||                                                            \
            ((D)->poll && ((i) & 4095) == 4095 && fu__cancel_check() == FU_ECANCELED)) { \
            (D)->canceled = 1;                                                          \
            return INFINITY;                                                            \
        }                                                                               \
    } while (0)

#define SEG_PER_VALUE 12

static int data_init(seg_data *D, const seg_set *S) {
    D->rows = S->rows;
    D->m = S->m;
    D->uval = S->uval;
    D->vval = S->vval;
    D->nu = S->nu;
    D->nv = S->nv;
    D->su = fu__malloc((S->nu + S->nv + 1) * SEG_PER_VALUE * sizeof(double));
    if (!D->su) return fu__error_nomem();
    D->sv = D->su + S->nu * SEG_PER_VALUE;
    D->poll = 1;
    D->canceled = 0;
    return FU_OK;
}

/* log(p + val[j]) and 1 / (p + val[j]) into tab[SEG_PER_VALUE j + k], + k + 1. */
static void value_logs(const double *val, size_t n, double p, double *tab, int k) {
    for (size_t j = 0; j < n; j++) {
        double s = p + val[j];
        tab[SEG_PER_VALUE * j + k] = log(s);
        tab[SEG_PER_VALUE * j + k + 1] = 1.0 / s;
    }
}

/* Fit driver shared by the models: tries the starts in order and keeps the
 * first that converges. */
static int seg_fit(seg_objective f, int analytic, void *ctx, int dim, const double (*starts)[SEG_MAXDIM],
                   int n_starts, const fu_segment_fit_options *opts, double *est, double *ll,
                   unsigned int *iters, unsigned int *evals) {
    fu_segment_fit_options o = FU_SEGMENT_FIT_OPTIONS_INIT;
    int rc = FU_OPTIONS_COPY(&o, opts, FU_SEGMENT_FIT_OPTIONS_VERSION, "fit options");
    if (rc) return rc;
    if (!(o.tolerance > 0) || o.max_iter == 0)
        return fu__error_set(FU_EINVAL, "fit options: tolerance and max_iter must be > 0");
    fu__stats_min mm = {f, ctx, dim, analytic, 0};
    rc = FU_ECONVERGE;
    double th[SEG_MAXDIM];
    int ns = o.start ? 1 : n_starts;
    for (int k = 0; k < ns; k++) {
        for (int i = 0; i < dim; i++) {
            double p = o.start ? o.start[i] : starts[k][i];
            if (!isfinite(p) || !(p > 0))
                return fu__error_set(FU_EINVAL, "start[%d] = %g: must be finite and > 0", i, p);
            th[i] = log(p);
        }
        double fv = 0;
        unsigned int it = 0;
        rc = fu__stats_minimize(&mm, th, o.max_iter, o.tolerance, &it, &fv);
        if (((seg_data *)ctx)->canceled) return fu__error_set(FU_ECANCELED, "canceled by the cancel hook");
        if (rc == FU_ECANCELED) return rc;
        if (rc == FU_OK) {
            for (int i = 0; i < dim; i++) est[i] = exp(th[i]);
            *ll = -fv;
            *iters = it;
            fu_error_clear(); /* a start that failed before leaves no error behind a success */
            break;
        }
    }
    *evals = mm.evals;
    if (rc != FU_OK) fu__error_prefix("no starting point converged (last: start %d)", ns);
    return rc;
}

static void mean_of(const seg_row *rows, size_t m, double *mx, double *mv) {
    double sw = 0, sx = 0, sv = 0;
    for (size_t i = 0; i < m; i++) {
        sw += rows[i].w;
        sx += rows[i].w * rows[i].x;
        sv += rows[i].w * rows[i].v;
    }
    *mx = sw > 0 ? sx / sw : 0;
    *mv = sw > 0 ? sv / sw : 0;
}

static void fill_info(fu_segment_fit_info *info, double ll, unsigned int it, unsigned int ev, size_t n,
                      size_t m) {
    if (!info) return;
    info->loglik = ll;
    info->iterations = it;
    info->evaluations = ev;
    info->n = n;
    info->distinct = m;
}

/* log1p(t) for t >= 0 from log(1 + t), corrected for the rounding of 1 + t
 * (a few ulps, like log1p; glibc's log1p costs about four logs). */
static double log1p_pos(double t) {
    double u = 1.0 + t;
    if (u == 1.0) return t;
    return log(u) * (t / (u - 1.0));
}

/* log(exp(e1) + exp(e2)) and the weights exp(e1 - ls), exp(e2 - ls) with one
 * exp and one log (the larger term is factored out, so nothing overflows). */
static double logsum_weights(double e1, double e2, double *w1, double *w2) {
    double d = e2 - e1;
    if (d <= 0) {
        double t = exp(d), q = 1.0 / (1.0 + t);
        *w1 = q;
        *w2 = t * q;
        return e1 + log1p_pos(t);
    }
    double t = exp(-d), q = 1.0 / (1.0 + t);
    *w2 = q;
    *w1 = t * q;
    return e2 + log1p_pos(t);
}

/* hi + lo += v, exactly (Knuth's two-sum): the log-likelihood is summed in
 * double-double so that, near the optimum, the line search compares values
 * whose difference is not lost in the rounding of a sum of ~10^4. */
static void dd_add(double *hi, double *lo, double v) {
    double s = *hi + v, bp = s - *hi;
    *lo += (*hi - (s - bp)) + (v - bp);
    *hi = s;
}

/* BG/NBD negative log-likelihood and analytic gradient, row by row over the
 * merged rows. The logs and reciprocals of alpha + t_x and alpha + T are taken
 * once per distinct value (the same numbers a row would compute), and each row
 * with x > 0 takes one exp and one log1p for its log-sum and both weights. The
 * fit and the log-likelihood use it. (An earlier objective that also batched
 * the log1p of many rows into one log of a product stopped short of
 * convergence on some samples: see tests/python/test_segment.py.) */
static double bg_nll_rows(const double *th, double *grad, void *vctx) {
    seg_data *D = vctx;
    double r = exp(th[0]), al = exp(th[1]), a = exp(th[2]), b = exp(th[3]);
    if (!isfinite(r) || !isfinite(al) || !isfinite(a) || !isfinite(b) || r == 0 || al == 0 || a == 0 || b == 0)
        return INFINITY;
    double lg_r = fu__stats_lgamma(r), lg_b = fu__stats_lgamma(b), lg_ab = fu__stats_lgamma(a + b);
    double ps_r = 0, ps_b = 0, ps_ab = 0;
    if (grad) {
        ps_r = fu__stats_digamma(r);
        ps_b = fu__stats_digamma(b);
        ps_ab = fu__stats_digamma(a + b);
    }
    value_logs(D->uval, D->nu, al, D->su, 0);
    value_logs(D->vval, D->nv, al, D->sv, 0);
    const double *su = D->su, *sv = D->sv;
    double log_al = log(al), log_a = log(a);
    double ll = 0, ll_lo = 0, gr = 0, gal = 0, ga = 0, gb = 0;
    double cx = -1, K = 0, c1 = 0, c2 = 0, dK = 0, dc1a = 0, dc2a = 0, dc1b = 0, dc2b = 0;
    for (size_t i = 0; i < D->m; i++) {
        SEG_POLL(D, i);
        const seg_row *R = &D->rows[i];
        double x = R->x;
        if (x != cx) {
            cx = x;
            double lg_abx = fu__stats_lgamma(a + b + x);
            K = fu__stats_lgamma(r + x) - lg_r + r * log_al;
            c1 = fu__stats_lgamma(b + x) - lg_abx - lg_b + lg_ab;
            c2 = x > 0 ? log_a + fu__stats_lgamma(b + x - 1) - lg_abx - lg_b + lg_ab : 0;
            if (grad) {
                double ps_abx = fu__stats_digamma(a + b + x);
                dK = fu__stats_digamma(r + x) - ps_r;
                dc1a = ps_ab - ps_abx;
                dc2a = 1.0 / a + ps_ab - ps_abx;
                dc1b = fu__stats_digamma(b + x) - ps_abx - ps_b + ps_ab;
                dc2b = x > 0 ? fu__stats_digamma(b + x - 1) - ps_abx - ps_b + ps_ab : 0;
            }
        }
        const double *A = sv + SEG_PER_VALUE * (size_t)R->iv;
        double lA = A[0];
        double e1 = c1 - (r + x) * lA, ls, w1 = 1, w2 = 0, lB = 0, iB = 0;
        if (x > 0) {
            const double *B = su + SEG_PER_VALUE * (size_t)R->iu;
            lB = B[0];
            iB = B[1];
            ls = logsum_weights(e1, c2 - (r + x) * lB, &w1, &w2);
        } else {
            ls = e1;
        }
        dd_add(&ll, &ll_lo, R->w * (K + ls));
        if (grad) {
            gr += R->w * (dK + log_al - w1 * lA - w2 * lB);
            gal += R->w * (r / al - (r + x) * (w1 * A[1] + w2 * iB));
            ga += R->w * (w1 * dc1a + w2 * dc2a);
            gb += R->w * (w1 * dc1b + w2 * dc2b);
        }
    }
    if (grad) {
        grad[0] = -gr * r;
        grad[1] = -gal * al;
        grad[2] = -ga * a;
        grad[3] = -gb * b;
    }
    return -(ll + ll_lo);
}

/* Fit a four-parameter purchase model (r, alpha, third, fourth) of the
 * customers' (x, t_x, T) by minimising f from four starts; the starts of the
 * fourth parameter are last[] (times the mean T when last_by_T). */
static int fit_rfm(const double *x, const double *t_x, const double *T, size_t n, const char *name, seg_objective f,
                   const double last[4], int last_by_T, const fu_segment_fit_options *opts, fu_segment_fit_info *info,
                   double est[SEG_MAXDIM]) {
    if (n == 0) return fu__error_set(FU_EINVAL, "no customers to fit");
    seg_set S;
    int rc = seg_rows(x, t_x, T, n, 0, &S);
    if (rc) return rc;
    double mx, mT;
    mean_of(S.rows, S.m, &mx, &mT);
    double scale = mT > 0 ? mT / (mx + 1.0) : 1.0, ls = last_by_T && mT > 0 ? mT : 1.0;
    const double starts[][SEG_MAXDIM] = {{1.0, scale, 1.0, last[0] * ls},
                                         {0.5, 0.5 * scale, 0.5, last[1] * ls},
                                         {2.0, 2 * scale, 2.0, last[2] * ls},
                                         {0.1, 0.1 * scale, 0.1, last[3] * ls}};
    if (mx == 0) {
        set_free(&S);
        return fu__error_set(FU_ECONVERGE, "%s fit: nobody made a repeat purchase, the model is not identified", name);
    }
    seg_data D;
    double ll = 0;
    unsigned int it = 0, ev = 0;
    rc = data_init(&D, &S);
    if (!rc) rc = seg_fit(f, 1, &D, 4, starts, 4, opts, est, &ll, &it, &ev);
    size_t used = S.used, m = S.m;
    fu__free(D.su);
    set_free(&S);
    if (rc) {
        fu__error_prefix("%s fit", name);
        return rc;
    }
    fill_info(info, ll, it, ev, used, m);
    return FU_OK;
}

int fu_segment_bgnbd_fit(const double *x, const double *t_x, const double *T, size_t n,
                         const fu_segment_fit_options *opts, fu_segment_fit_info *info, fu_segment_bgnbd *out) {
    static const double b_starts[4] = {1.0, 2.0, 4.0, 0.1};
    double est[SEG_MAXDIM];
    if (!out) return fu__error_set(FU_EINVAL, "out is NULL");
    int rc = fit_rfm(x, t_x, T, n, "BG/NBD", bg_nll_rows, b_starts, 0, opts, info, est);
    if (rc) return rc;
    out->r = est[0];
    out->alpha = est[1];
    out->a = est[2];
    out->b = est[3];
    return FU_OK;
}

/* The log-likelihood at `params`, and when grad != NULL its gradient in the
 * log-parameters (the objective's, negated). */
static int loglik_generic(seg_objective f, const double *params, int dim, const char *const *names,
                          const double *x, const double *u, const double *v, size_t n, int kind, double *out,
                          double *grad) {
    if (!params || !out) return fu__error_set(FU_EINVAL, "model or out is NULL");
    int rc = check_params(params, dim, names);
    if (rc) return rc;
    seg_set S;
    rc = seg_rows(x, u, v, n, kind, &S);
    if (rc) return rc;
    double th[SEG_MAXDIM];
    for (int i = 0; i < dim; i++) th[i] = log(params[i]);
    seg_data D;
    rc = data_init(&D, &S);
    D.poll = 0;
    double nll = rc ? 0 : f(th, grad, &D);
    if (!rc) fu__free(D.su);
    set_free(&S);
    if (rc) return rc;
    if (!isfinite(nll)) return fu__error_set(FU_ERANGE, "the log-likelihood is not finite");
    *out = -nll;
    for (int i = 0; grad && i < dim; i++) grad[i] = -grad[i];
    return FU_OK;
}

int fu_segment_bgnbd_loglik(const fu_segment_bgnbd *m, const double *x, const double *t_x, const double *T,
                            size_t n, double *out) {
    double p[4] = {m ? m->r : 0, m ? m->alpha : 0, m ? m->a : 0, m ? m->b : 0};
    return loglik_generic(bg_nll_rows, m ? p : NULL, 4, bg_names, x, t_x, T, n, 0, out, NULL);
}

static int check_one(double x, double t_x, double T) {
    return check_rfm(&x, &t_x, &T, 0);
}

/* The arguments of a one-customer query of a BG/NBD (pareto 0) or a
 * Pareto/NBD model: the model, the customer's (x, t_x, T) and a horizon t
 * (0 where there is none). */
static int check_query(const void *m, int pareto, const double *out, double x, double t_x, double T, double t) {
    if (!m || !out) return fu__error_set(FU_EINVAL, "model or out is NULL");
    int rc = pareto ? check_pn(m) : check_bg(m);
    if (!rc) rc = check_one(x, t_x, T);
    if (rc) return rc;
    if (!isfinite(t) || t < 0) return fu__error_set(FU_EINVAL, "t = %g: must be finite and >= 0", t);
    return FU_OK;
}

/* log of a / (b + x - 1) ((alpha+T)/(alpha+t_x))^(r+x): P(alive) = 1 / (1 + exp(L)) */
static double bg_alive_L(const fu_segment_bgnbd *m, double x, double t_x, double T) {
    return log(m->a) - log(m->b + x - 1) + (m->r + x) * log1p((T - t_x) / (m->alpha + t_x));
}

static double bg_p_alive(const fu_segment_bgnbd *m, double x, double t_x, double T) {
    if (x == 0) return 1.0;
    return inv1p_exp(bg_alive_L(m, x, t_x, T));
}

/* (a+b+x-1)/(a-1) [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; z)],
 * the expected purchases in (T, T+t] of a customer alive at T. The 2F1 is
 * taken in its Euler form (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z), whose
 * parameters stay small however large x is. Removable singularities at a = 1
 * and a + b + x = 1 are bridged by symmetric evaluation. */
static int bg_alive_expect(double r, double alpha, double a, double b, double x, double T, double t, double *out) {
    if (t == 0) {
        *out = 0;
        return FU_OK;
    }
    double c = a + b + x - 1;
    const double h = 1e-6;
    if (fabs(a - 1) < h || fabs(c) < h || is_nonpos_int(c)) {
        double lo = 0, hi = 0;
        double da = fabs(a - 1) < h ? (1 + 2 * h) - a : 2 * h;
        int rc = bg_alive_expect(r, alpha, a + da, b, x, T, t, &hi);
        if (rc == FU_OK) rc = bg_alive_expect(r, alpha, a - da > 0 ? a - da : a / 2, b, x, T, t, &lo);
        if (rc) return rc;
        *out = 0.5 * (lo + hi);
        return FU_OK;
    }
    double z = t / (alpha + T + t);
    double lf;
    int sg;
    int rc = fu__stats_log_hyp2f1(a + b - 1 - r, a - 1, c, z, &lf, &sg);
    if (rc) return rc;
    double logG = (a - 1) * log1p(-z) + lf;
    double one_minus_G = sg > 0 ? -expm1(logG) : 1.0 + exp(logG);
    double v = c / (a - 1) * one_minus_G;
    if (!isfinite(v)) return fu__error_set(FU_ERANGE, "expected purchases overflow");
    *out = v > 0 ? v : 0.0;
    return FU_OK;
}

int fu_segment_bgnbd_p_alive(const fu_segment_bgnbd *m, double x, double t_x, double T, double *out) {
    int rc = check_query(m, 0, out, x, t_x, T, 0);
    if (rc) return rc;
    *out = bg_p_alive(m, x, t_x, T);
    return FU_OK;
}

static int bg_expected(const fu_segment_bgnbd *m, double x, double t_x, double T, double t, double *out) {
    double e;
    int rc = bg_alive_expect(m->r, m->alpha, m->a, m->b, x, T, t, &e);
    if (rc) return rc;
    *out = bg_p_alive(m, x, t_x, T) * e;
    return FU_OK;
}

int fu_segment_bgnbd_expected(const fu_segment_bgnbd *m, double x, double t_x, double T, double t, double *out) {
    int rc = check_query(m, 0, out, x, t_x, T, t);
    if (rc) return rc;
    return bg_expected(m, x, t_x, T, t, out);
}

int fu_segment_bgnbd_expected_new(const fu_segment_bgnbd *m, double t, double *out) {
    return fu_segment_bgnbd_expected(m, 0, 0, 0, t, out);
}

/* ================================================================ Pareto/NBD */

/* log A0 of the Pareto/NBD likelihood; the branch on alpha >= beta keeps the
 * 2F1 argument in [0, 1). */
static int pn_log_A0(double r, double al, double s, double be, double x, double t_x, double T, double *out) {
    double k = r + s + x, mm, b2, d;
    if (al >= be) {
        mm = al;
        b2 = s + 1;
        d = al - be;
    } else {
        mm = be;
        b2 = r + x;
        d = be - al;
    }
    double f1, f2;
    int s1, s2, rc;
    rc = fu__stats_log_hyp2f1(k, b2, k + 1, d / (mm + t_x), &f1, &s1);
    if (!rc) rc = fu__stats_log_hyp2f1(k, b2, k + 1, d / (mm + T), &f2, &s2);
    if (rc) return rc;
    double l1 = f1 - k * log(mm + t_x), l2 = f2 - k * log(mm + T);
    if (!(l2 < l1)) {
        *out = -INFINITY;
        return FU_OK;
    }
    *out = l1 + log1p(-exp(l2 - l1));
    return FU_OK;
}

/* log L = lgamma(r+x) - lgamma(r) + r log alpha + s log beta + log(L1 + L2),
 * returning also log L1 - log(L1 + L2) = log P(alive). */
static int pn_loglik_one(double r, double al, double s, double be, double x, double t_x, double T,
                         double *ll_rest, double *log_palive) {
    double lA0;
    int rc = pn_log_A0(r, al, s, be, x, t_x, T, &lA0);
    if (rc) return rc;
    double l1 = -(r + x) * log(al + T) - s * log(be + T);
    double l2 = log(s / (r + s + x)) + lA0;
    double ls = logaddexp(l1, l2);
    *ll_rest = ls;
    if (log_palive) *log_palive = l1 - ls;
    return FU_OK;
}

/* The two sides of A0 of the Pareto/NBD likelihood for one row, side j at
 * t_j (t_x, then T): P_j = log 2F1(k, b2; k+1; z_j) - k L_j with
 * z_j = d / (mm + t_j), L_j = log(mm + t_j), and dP_j in (r, alpha, s, beta).
 * tab[j] is the per-value table of t_j: the log and reciprocal of mm + t_j
 * in [0], [1], and a memo of P_j and dP_j for the current x in [6..11] (rows
 * come sorted by x; the stamps [11] are reset every evaluation). Both series
 * run in one loop when neither side is memoised and both take one branch. */
typedef struct pn_eval {
    double r, al, s, be, mm, dd;
    int ge; /* alpha >= beta */
} pn_eval;

static int pn_sides(const pn_eval *P, double x, const double *t, double *const *tab, double *out, double *dP) {
    double k = P->r + P->s + x, b2 = P->ge ? P->s + 1 : P->r + x;
    double z[2] = {0, 0}, f[2] = {0, 0}, F[8];
    int todo[2] = {0, 0}, n = 0;
    for (int j = 0; j < 2; j++) {
        if (tab[j][11] == x) {
            out[j] = tab[j][6];
            memcpy(&dP[4 * j], &tab[j][7], 4 * sizeof *dP);
            continue;
        }
        z[j] = P->dd / (P->mm + t[j]);
        todo[n++] = j;
    }
    if (n == 2 && (z[0] >= 0.5) != (z[1] >= 0.5)) { /* different branches: one at a time */
        int rc = fu__stats_log_hyp2f1_dn(k, b2, k + 1, &z[0], 1, &f[0], &F[0]);
        if (!rc) rc = fu__stats_log_hyp2f1_dn(k, b2, k + 1, &z[1], 1, &f[1], &F[4]);
        if (rc) return rc;
    } else if (n > 0) {
        double zz[2] = {z[todo[0]], z[todo[1]]}, ff[2], FF[8];
        int rc = fu__stats_log_hyp2f1_dn(k, b2, k + 1, zz, n, ff, FF);
        if (rc) return rc;
        for (int i = 0; i < n; i++) {
            f[todo[i]] = ff[i];
            memcpy(&F[4 * todo[i]], &FF[4 * i], 4 * sizeof *F);
        }
    }
    for (int i = 0; i < n; i++) {
        int j = todo[i];
        double L = tab[j][0], inv = tab[j][1], *G = &F[4 * j], *o = &tab[j][7];
        out[j] = f[j] - k * L;
        double fk = G[0] + G[2], dz_mm = (1.0 - z[j]) * inv, dz_other = -inv;
        o[0] = fk + (P->ge ? 0 : G[1]) - L;
        o[2] = fk + (P->ge ? G[1] : 0) - L;
        o[1] = G[3] * (P->ge ? dz_mm : dz_other) - (P->ge ? k * inv : 0);
        o[3] = G[3] * (P->ge ? dz_other : dz_mm) - (P->ge ? 0 : k * inv);
        memcpy(&dP[4 * j], o, 4 * sizeof *dP);
        tab[j][6] = out[j];
        tab[j][11] = x;
    }
    return FU_OK;
}

/* Negative log-likelihood of Pareto/NBD and its analytic gradient in the
 * log-parameters. The value is computed as pn_loglik_one does, with the logs
 * of mm + t_x, mm + T, alpha + T and beta + T taken once per distinct value. */
static double pn_nll(const double *th, double *grad, void *vctx) {
    seg_data *D = vctx;
    pn_eval P = {exp(th[0]), exp(th[1]), exp(th[2]), exp(th[3]), 0, 0, 0};
    double r = P.r, al = P.al, s = P.s, be = P.be;
    if (!isfinite(r) || !isfinite(al) || !isfinite(s) || !isfinite(be) || r == 0 || al == 0 || s == 0 || be == 0)
        return INFINITY;
    P.ge = al >= be;
    P.mm = P.ge ? al : be;
    P.dd = P.ge ? al - be : be - al;
    value_logs(D->uval, D->nu, P.mm, D->su, 0);
    value_logs(D->vval, D->nv, P.mm, D->sv, 0);
    value_logs(D->vval, D->nv, al, D->sv, 2);
    value_logs(D->vval, D->nv, be, D->sv, 4);
    for (size_t j = 0; j < D->nu; j++) D->su[SEG_PER_VALUE * j + 11] = -1;
    for (size_t j = 0; j < D->nv; j++) D->sv[SEG_PER_VALUE * j + 11] = -1;
    double lg_r = fu__stats_lgamma(r), ps_r = grad ? fu__stats_digamma(r) : 0, cx = -1, K = 0, dK = 0, lsk = 0;
    double ll = 0, log_al = log(al), log_be = log(be), base = r * log_al + s * log_be, g[4] = {0, 0, 0, 0};
    for (size_t i = 0; i < D->m; i++) {
        SEG_POLL(D, i);
        const seg_row *R = &D->rows[i];
        double x = R->x, k = r + s + x;
        if (x != cx) {
            cx = x;
            K = fu__stats_lgamma(r + cx) - lg_r;
            lsk = log(s / (r + s + x));
            if (grad) dK = fu__stats_digamma(r + cx) - ps_r;
        }
        double *tu = &D->su[SEG_PER_VALUE * R->iu], *tv = &D->sv[SEG_PER_VALUE * R->iv];
        double *tabs[2] = {tu, tv}, t2[2] = {R->u, R->v}, pp[2], dd[8], lA0, q = 0;
        if (pn_sides(&P, x, t2, tabs, pp, dd) != FU_OK) return INFINITY;
        double p1 = pp[0], p2 = pp[1], *d1 = dd, *d2 = dd + 4;
        if (!(p2 < p1)) {
            lA0 = -INFINITY;
        } else {
            q = exp(p2 - p1);
            lA0 = p1 + log1p(-q);
        }
        double l1 = -(r + x) * tv[2] - s * tv[4];
        double l2 = lsk + lA0;
        /* logaddexp(l1, l2), its exp shared by the weights of the two terms */
        double ls, w1 = 1.0, w2 = 0.0;
        if (l1 == -INFINITY) {
            ls = l2, w1 = 0.0, w2 = 1.0;
        } else if (l2 == -INFINITY) {
            ls = l1;
        } else {
            double E = exp(-fabs(l1 - l2)), wb = 1.0 / (1.0 + E), ws = E * wb;
            ls = (l1 > l2 ? l1 : l2) + log1p(E);
            w1 = l1 > l2 ? wb : ws;
            w2 = l1 > l2 ? ws : wb;
        }
        ll += R->w * (K + base + ls);
        if (grad) {
            double iq = 1.0 / (1.0 - q);
            double e1[4] = {-tv[2], -(r + x) * tv[3], -tv[4], -s * tv[5]};
            double e2[4] = {-1.0 / k, 0, 1.0 / s - 1.0 / k, 0};
            double own[4] = {dK + log_al, r / al, log_be, s / be};
            for (int j = 0; j < 4; j++) {
                double dA0 = w2 > 0 ? (d1[j] - q * d2[j]) * iq : 0.0;
                g[j] += R->w * (own[j] + w1 * e1[j] + w2 * (e2[j] + dA0));
            }
        }
    }
    if (grad)
        for (int j = 0; j < 4; j++) grad[j] = -g[j] * exp(th[j]);
    return -ll;
}

int fu_segment_pareto_fit(const double *x, const double *t_x, const double *T, size_t n,
                          const fu_segment_fit_options *opts, fu_segment_fit_info *info, fu_segment_pareto *out) {
    static const double beta_starts[4] = {1.0, 0.5, 2.0, 0.1};
    double est[SEG_MAXDIM];
    if (!out) return fu__error_set(FU_EINVAL, "out is NULL");
    int rc = fit_rfm(x, t_x, T, n, "Pareto/NBD", pn_nll, beta_starts, 1, opts, info, est);
    if (rc) return rc;
    out->r = est[0];
    out->alpha = est[1];
    out->s = est[2];
    out->beta = est[3];
    return FU_OK;
}

int fu_segment_pareto_loglik(const fu_segment_pareto *m, const double *x, const double *t_x, const double *T,
                             size_t n, double *out) {
    double p[4] = {m ? m->r : 0, m ? m->alpha : 0, m ? m->s : 0, m ? m->beta : 0};
    return loglik_generic(pn_nll, m ? p : NULL, 4, pn_names, x, t_x, T, n, 0, out, NULL);
}

static int pn_p_alive(const fu_segment_pareto *m, double x, double t_x, double T, double *out) {
    double rest, lp;
    int rc = pn_loglik_one(m->r, m->alpha, m->s, m->beta, x, t_x, T, &rest, &lp);
    if (rc) return rc;
    *out = exp(lp);
    return FU_OK;
}

int fu_segment_pareto_p_alive(const fu_segment_pareto *m, double x, double t_x, double T, double *out) {
    int rc = check_query(m, 1, out, x, t_x, T, 0);
    if (rc) return rc;
    return pn_p_alive(m, x, t_x, T, out);
}

/* (r+x)(beta+T)/((alpha+T)(s-1)) [1 - ((beta+T)/(beta+T+t))^(s-1)]: expected
 * purchases in (T, T+t] of a customer alive at T, with the s -> 1 limit. */
static double pn_alive_expect(const fu_segment_pareto *m, double x, double T, double t) {
    double L = log1p(t / (m->beta + T));
    double u = (m->s - 1) * L, f;
    if (fabs(u) < 1e-8)
        f = L * (1 - 0.5 * u);
    else
        f = -expm1(-u) / (m->s - 1);
    return (m->r + x) * (m->beta + T) / (m->alpha + T) * f;
}

static int pn_expected(const fu_segment_pareto *m, double x, double t_x, double T, double t, double *out) {
    double pa;
    int rc = pn_p_alive(m, x, t_x, T, &pa);
    if (rc) return rc;
    *out = pa * pn_alive_expect(m, x, T, t);
    return FU_OK;
}

int fu_segment_pareto_expected(const fu_segment_pareto *m, double x, double t_x, double T, double t, double *out) {
    int rc = check_query(m, 1, out, x, t_x, T, t);
    if (rc) return rc;
    return pn_expected(m, x, t_x, T, t, out);
}

int fu_segment_pareto_expected_new(const fu_segment_pareto *m, double t, double *out) {
    int rc = check_query(m, 1, out, 0, 0, 0, t);
    if (rc) return rc;
    *out = pn_alive_expect(m, 0, 0, t);
    return FU_OK;
}

/* ================================================================ Gamma-Gamma */

static double gg_nll(const double *th, double *grad, void *vctx) {
    seg_data *D = vctx;
    double p = exp(th[0]), q = exp(th[1]), g = exp(th[2]);
    if (!isfinite(p) || !isfinite(q) || !isfinite(g) || p == 0 || q == 0 || g == 0) return INFINITY;
    double lg_q = fu__stats_lgamma(q), ps_q = grad ? fu__stats_digamma(q) : 0, lgam = log(g);
    double cx = -1, K = 0, dp = 0, dq = 0, lx = 0;
    double ll = 0, gp = 0, gq = 0, gg = 0;
    for (size_t i = 0; i < D->m; i++) {
        SEG_POLL(D, i);
        const seg_row *R = &D->rows[i];
        double x = R->x;
        if (x != cx) {
            cx = x;
            lx = log(x);
            K = fu__stats_lgamma(p * x + q) - fu__stats_lgamma(p * x) - lg_q;
            if (grad) {
                double psq = fu__stats_digamma(p * x + q);
                dp = psq - fu__stats_digamma(p * x);
                dq = psq - ps_q;
            }
        }
        double z = R->u, lz = log(z), lgz = log(g + x * z);
        ll += R->w * (K + q * lgam + (p * x - 1) * lz + p * x * lx - (p * x + q) * lgz);
        if (grad) {
            gp += R->w * x * (dp + lz + lx - lgz);
            gq += R->w * (dq + lgam - lgz);
            gg += R->w * (q / g - (p * x + q) / (g + x * z));
        }
    }
    if (grad) {
        grad[0] = -gp * p;
        grad[1] = -gq * q;
        grad[2] = -gg * g;
    }
    return -ll;
}

int fu_segment_gammagamma_fit(const double *x, const double *zbar, size_t n, const fu_segment_fit_options *opts,
                              fu_segment_fit_info *info, fu_segment_gammagamma *out) {
    if (!out) return fu__error_set(FU_EINVAL, "out is NULL");
    seg_set S;
    int rc = seg_rows(x, zbar, NULL, n, 1, &S);
    if (rc) return rc;
    const seg_row *rows = S.rows;
    size_t m = S.m, used = S.used;
    if (used < 2) {
        set_free(&S);
        return fu__error_set(FU_ECONVERGE, "Gamma-Gamma fit: %zu customers with x > 0, need at least 2", used);
    }
    double sz = 0, sw = 0;
    for (size_t i = 0; i < m; i++) {
        sz += rows[i].w * rows[i].u;
        sw += rows[i].w;
    }
    double mz = sz / sw;
    const double starts[][SEG_MAXDIM] = {{1.0, 2.0, mz}, {5.0, 3.0, 0.5 * mz}, {0.5, 5.0, 5 * mz}};
    seg_data D = {rows, m, NULL, NULL, 0, 0, NULL, NULL, 1, 0};
    double est[SEG_MAXDIM], ll = 0;
    unsigned int it = 0, ev = 0;
    rc = seg_fit(gg_nll, 1, &D, 3, starts, 3, opts, est, &ll, &it, &ev);
    set_free(&S);
    if (rc) {
        fu__error_prefix("Gamma-Gamma fit");
        return rc;
    }
    out->p = est[0];
    out->q = est[1];
    out->gamma = est[2];
    fill_info(info, ll, it, ev, used, m);
    return FU_OK;
}

int fu_segment_gammagamma_loglik(const fu_segment_gammagamma *m, const double *x, const double *zbar, size_t n,
                                 double *out) {
    double p[3] = {m ? m->p : 0, m ? m->q : 0, m ? m->gamma : 0};
    return loglik_generic(gg_nll, m ? p : NULL, 3, gg_names, x, zbar, NULL, n, 1, out, NULL);
}

static int gg_expected(const fu_segment_gammagamma *m, double x, double zbar, double *out) {
    double den = m->p * x + m->q - 1;
    if (!(den > 0))
        return fu__error_set(FU_ERANGE,
                             "Gamma-Gamma: p x + q = %g <= 1, the expected value does not exist (q = %g)",
                             den + 1, m->q);
    double xz = x > 0 ? x * zbar : 0.0;
    *out = (m->gamma + xz) * m->p / den;
    return FU_OK;
}

int fu_segment_gammagamma_expected(const fu_segment_gammagamma *m, double x, double zbar, double *out) {
    if (!m || !out) return fu__error_set(FU_EINVAL, "model or out is NULL");
    int rc = check_gg(m);
    if (!rc) rc = check_x(&x, 0);
    if (rc) return rc;
    if (x > 0 && !(isfinite(zbar) && zbar >= 0))
        return fu__error_set(FU_EINVAL, "zbar = %g: must be finite and >= 0", zbar);
    return gg_expected(m, x, zbar, out);
}

int fu__seg_loglik_grad(int model, const double *params, const double *x, const double *u, const double *v,
                        size_t n, double *out, double *grad) {
    if (model == 0) return loglik_generic(bg_nll_rows, params, 4, bg_names, x, u, v, n, 0, out, grad);
    if (model == 1) return loglik_generic(pn_nll, params, 4, pn_names, x, u, v, n, 0, out, grad);
    return loglik_generic(gg_nll, params, 3, gg_names, x, u, NULL, n, 1, out, grad);
}

/* ================================================================ scoring */

/* Scoring needs, per customer, the expectation of a customer alive at T at
 * several horizons (the `expected` horizon and the K CLV period ends). For
 * BG/NBD all of them share one 2F1(A, B; C; z) with A = a+b-1-r, B = a-1,
 * C = a+b+x-1 and differ only in z, so the series coefficients are computed
 * once per distinct x (a small cache) and summed for all horizons at once. */

#define SEG_MAXH 64          /* horizons summed together; more go in batches */
#define SEG_CACHE_SLOTS 16
#define SEG_CACHE_TERMS 2048
#define SEG_FAST_ZMAX 0.98

typedef struct seg_coef {
    double x;      /* the x the slot holds, -1 when empty */
    size_t len;    /* coefficients computed so far */
    int bad;       /* coefficients left the safe range: use the general path */
    double *c;     /* SEG_CACHE_TERMS coefficients */
} seg_coef;

/* Taylor tables of G (bg_tab_multi): per integer x < SEG_TAB_XMAX, the
 * SEG_TAB_N coefficients of 1 - G about each centre z = j / SEG_TAB_STEP,
 * j < SEG_TAB_J, built when a horizon first lands in that centre's interval. */
#define SEG_TAB_XMAX 256
#define SEG_TAB_STEP 64.0
#define SEG_TAB_J 57
#define SEG_TAB_N 16 /* tab_poly's degree + 1 */
#define SEG_TAB_ZMAX ((SEG_TAB_J - 0.5) / SEG_TAB_STEP)

typedef struct seg_cache {
    seg_coef slot[SEG_CACHE_SLOTS];
    double *mem;
    double *tab[SEG_TAB_XMAX]; /* SEG_TAB_J x SEG_TAB_N per x, NULL until used */
    signed char *st;           /* [x * SEG_TAB_J + j]: 0 not built, 1 built, -1 not usable */
} seg_cache;

static void cache_free(seg_cache *C) {
    for (size_t i = 0; i < SEG_TAB_XMAX; i++) fu__free(C->tab[i]);
    FU_FREE_ALL(C->st, C->mem);
}

static int cache_init(seg_cache *C) {
    C->mem = fu__malloc(sizeof(double) * SEG_CACHE_SLOTS * SEG_CACHE_TERMS);
    C->st = fu__calloc(SEG_TAB_XMAX * SEG_TAB_J, 1);
    if (!C->mem || !C->st) return fu__error_nomem();
    for (int i = 0; i < SEG_CACHE_SLOTS; i++) {
        C->slot[i].x = -1;
        C->slot[i].len = 0;
        C->slot[i].bad = 0;
        C->slot[i].c = C->mem + (size_t)i * SEG_CACHE_TERMS;
    }
    return FU_OK;
}

/* Make sure slot `s` holds at least `need` coefficients of 2F1(A, B; C; .). */
static void coef_extend(seg_coef *s, double A, double B, double Cc, size_t need) {
    if (need > SEG_CACHE_TERMS) need = SEG_CACHE_TERMS;
    if (s->len == 0) {
        s->c[0] = 1.0;
        s->len = 1;
    }
    while (s->len < need && !s->bad) {
        double n = (double)(s->len - 1);
        double v = s->c[s->len - 1] * (A + n) * (B + n) / ((Cc + n) * (n + 1));
        if (!isfinite(v) || fabs(v) > 1e200) s->bad = 1;
        s->c[s->len++] = v;
    }
}

/* The coefficient slot of x (emptied when it held another x). */
static seg_coef *coef_slot(seg_cache *C, double x) {
    seg_coef *sl = &C->slot[(unsigned)x % SEG_CACHE_SLOTS];
    if (sl->x != x) {
        sl->x = x;
        sl->len = 0;
        sl->bad = 0;
    }
    return sl;
}

/* E_alive(t) of BG/NBD for nt horizons ts[] (all > 0): (C/(a-1)) (1 - G(z)),
 * G(z) = (1-z)^(a-1) 2F1(A, B; C; z). Returns FU_OK, or 1 when the fast path
 * does not apply (the caller then uses bg_alive_expect one horizon at a time). */
static int bg_fast_multi(const fu_segment_bgnbd *m, seg_cache *C, double x, double T, const double *ts, int nt,
                         double *out) {
    double a = m->a, Cc = a + m->b + x - 1;
    if (fabs(a - 1) < 1e-6 || fabs(Cc) < 1e-6 || Cc <= 0) return 1;
    double A = a + m->b - 1 - m->r, B = a - 1, u = m->alpha + T;
    /* columns padded to a multiple of 4 (z = 0) so the inner loop vectorizes */
    double z[SEG_MAXH + 4], s[SEG_MAXH + 4], zp[SEG_MAXH + 4];
    double zmax = 0;
    int kmax = 0, ntp = (nt + 3) & ~3;
    for (int k = 0; k < ntp; k++) {
        z[k] = k < nt ? ts[k] / (u + ts[k]) : 0.0;
        s[k] = 0;
        zp[k] = 1;
        if (z[k] > zmax) zmax = z[k], kmax = k;
    }
    if (zmax > SEG_FAST_ZMAX) return 1;
    seg_coef *sl = coef_slot(C, x);
    double excess = A + B - Cc - 1;
    if (excess < 0) excess = 0;
    size_t n = 0;
    for (;;) {
        if (n + 8 > sl->len) {
            coef_extend(sl, A, B, Cc, n + 64);
            if (sl->bad || n + 8 > sl->len) return 1;
        }
        for (size_t j = n; j < n + 8; j++) {
            double c = sl->c[j];
            for (int k = 0; k < ntp; k += 4) {
                s[k] += c * zp[k];
                s[k + 1] += c * zp[k + 1];
                s[k + 2] += c * zp[k + 2];
                s[k + 3] += c * zp[k + 3];
                zp[k] *= z[k];
                zp[k + 1] *= z[k + 1];
                zp[k + 2] *= z[k + 2];
                zp[k + 3] *= z[k + 3];
            }
        }
        n += 8;
        /* tail of the slowest column after term n-1 */
        double last = fabs(sl->c[n - 1]) * zp[kmax] / zmax;
        double ratio = sl->c[n - 2] != 0 ? fabs(sl->c[n - 1] / sl->c[n - 2]) : 0;
        double q = ratio * zmax, zb = zmax * (1.0 + excess / (double)(n + 1));
        if (zb > q) q = zb;
        if (last == 0 || (q < 1 && last * q / (1 - q) <= 1e-15 * fabs(s[kmax]))) break;
    }
    for (int k = 0; k < nt; k++) {
        double logG = -(a - 1) * log1p(ts[k] / u);
        double G = exp(logG) * s[k];
        double v = Cc / (a - 1) * (1.0 - G);
        if (!isfinite(v)) return 1;
        out[k] = v > 0 ? v : 0.0;
    }
    return FU_OK;
}

/* Taylor coefficients f[0..SEG_TAB_N) of F = 2F1(A, B; C; .) about z0 > 0
 * from its series (coefficients c_i of slot sl): f_n = sum_i c_i binom(i, n)
 * z0^(i-n), summed until the tail of every f_n is below 1e-19 of it. Returns
 * 0, or -1 when the series does not settle within SEG_CACHE_TERMS terms. */
static int tab_taylor_F(seg_coef *sl, double A, double B, double Cc, double z0, double *f, double *f0m1) {
    double zi = 1, excess = A + B - Cc - 1;
    if (excess < 0) excess = 0;
    for (size_t i = 0;; i++) {
        if (i + 1 >= sl->len) {
            coef_extend(sl, A, B, Cc, i + 65);
            if (sl->bad || i + 1 >= sl->len) return -1;
        }
        double t = sl->c[i] * zi, cr = sl->c[i] != 0 ? fabs(sl->c[i + 1] / sl->c[i]) : 0;
        int settled = i >= 2 * SEG_TAB_N;
        if (i > 0) *f0m1 += t; /* F(z0) - 1, without the rounding of 1 + ... */
        for (size_t n = 0; n < SEG_TAB_N && n <= i; n++) {
            f[n] += t;
            /* later terms of f_n shrink by at most q a step */
            double q = z0 * (cr > 1 + excess / (double)(i + 1) ? cr : 1 + excess / (double)(i + 1)) *
                       (double)(i + 1) / (double)(i + 1 - n);
            if (!(q < 1 && fabs(t) * q / (1 - q) <= 1e-19 * fabs(f[n]))) settled = 0;
            t *= (double)(i - n) / ((double)(n + 1) * z0);
        }
        if (settled) return 0;
        zi *= z0;
    }
}

/* Coefficients q[0..SEG_TAB_N) of 1 - G(z0 + w), G(z) = (1-z)^(a-1) F(z),
 * about z0 = j / SEG_TAB_STEP. At j = 0, q[0] = 0 exactly, so 1 - G keeps
 * its relative precision near z = 0. Returns 1, or -1 when the table cannot
 * be trusted (series not settled, overflow, or a truncation error over 1e-18
 * at the edge of the interval). */
static int tab_build(seg_coef *sl, double a, double A, double B, double Cc, int j, double *q) {
    double z0 = j / SEG_TAB_STEP, f[SEG_TAB_N] = {0}, p[SEG_TAB_N], f0m1 = 0;
    if (j == 0) {
        coef_extend(sl, A, B, Cc, SEG_TAB_N);
        if (sl->bad || sl->len < SEG_TAB_N) return -1;
        memcpy(f, sl->c, sizeof f);
    } else if (tab_taylor_F(sl, A, B, Cc, z0, f, &f0m1) || !(f0m1 > -1)) {
        return -1;
    }
    /* (1 - z0 - w)^(a-1) = (1 - z0)^(a-1) sum_k (1-a)_k / k! (w / (1 - z0))^k */
    p[0] = j == 0 ? 1.0 : exp((a - 1) * log1p(-z0));
    for (int k = 0; k + 1 < SEG_TAB_N; k++) p[k + 1] = p[k] * ((double)k + 1 - a) / (((double)k + 1) * (1 - z0));
    for (int n = 0; n < SEG_TAB_N; n++) {
        double d = 0;
        for (int i = 0; i <= n; i++) d += f[i] * p[n - i];
        q[n] = -d;
        if (!isfinite(q[n])) return -1;
    }
    /* 1 - G(z0) from F(z0) - 1 and expm1 (G(z0) is near 1 for small z0:
     * 1 - f[0] p[0] would lose the digits of the difference) */
    q[0] = j == 0 ? 0.0 : -expm1((a - 1) * log1p(-z0) + log1p(f0m1));
    /* |w| <= hw: the terms after q[SEG_TAB_N - 1] must be negligible */
    const double hw = 0.5 / SEG_TAB_STEP;
    double tail = fabs(q[SEG_TAB_N - 1]) * pow(hw, SEG_TAB_N - 1) + fabs(q[SEG_TAB_N - 2]) * pow(hw, SEG_TAB_N - 2);
    return tail <= 1e-18 ? 1 : -1;
}

/* q[0] + q[1] w + ... + q[15] w^15 in Estrin's scheme: the products are
 * independent of each other (a depth of 4 multiply-adds, not Horner's 15),
 * so the horizons of a customer overlap in the pipeline. */
static double tab_poly(const double *q, double w) {
    double w2 = w * w, w4 = w2 * w2, w8 = w4 * w4;
    double p0 = q[0] + q[1] * w, p1 = q[2] + q[3] * w, p2 = q[4] + q[5] * w, p3 = q[6] + q[7] * w;
    double p4 = q[8] + q[9] * w, p5 = q[10] + q[11] * w, p6 = q[12] + q[13] * w, p7 = q[14] + q[15] * w;
    double lo = (p0 + p1 * w2) + (p2 + p3 * w2) * w4, hi = (p4 + p5 * w2) + (p6 + p7 * w2) * w4;
    return lo + hi * w8;
}

/* E_alive(t) of BG/NBD for nt horizons from the Taylor tables of x:
 * (C / (a-1)) (1 - G(z)) with 1 - G a polynomial of degree SEG_TAB_N - 1 in
 * w = z - z0 about the nearest centre z0, |w| <= 1/128 (no series, log or
 * exp per horizon). Returns FU_OK, 1 when the tables do not apply (x too
 * large, z >= SEG_TAB_ZMAX, a table not usable, the same cases as
 * bg_fast_multi), or FU_ENOMEM. Which case applies depends on (x, T, ts)
 * only, and a table on (model, x, centre) only: no result depends on the
 * other rows. */
static int bg_tab_multi(const fu_segment_bgnbd *m, seg_cache *C, double x, double T, const double *ts, int nt,
                        double *out) {
    double a = m->a, Cc = a + m->b + x - 1, u = m->alpha + T, z[SEG_MAXH];
    int jj[SEG_MAXH];
    if (!(x < SEG_TAB_XMAX) || fabs(a - 1) < 1e-6 || fabs(Cc) < 1e-6 || Cc <= 0) return 1;
    size_t ix = (size_t)x;
    for (int k = 0; k < nt; k++) {
        z[k] = ts[k] / (u + ts[k]);
        if (!(z[k] < SEG_TAB_ZMAX)) return 1;
        jj[k] = (int)(z[k] * SEG_TAB_STEP + 0.5);
    }
    for (int k = 0; k < nt; k++) {
        signed char *st = &C->st[ix * SEG_TAB_J + (size_t)jj[k]];
        if (*st == 0) {
            if (!C->tab[ix] && !(C->tab[ix] = fu__malloc(sizeof(double) * SEG_TAB_J * SEG_TAB_N)))
                return fu__error_nomem();
            *st = (signed char)tab_build(coef_slot(C, x), a, a + m->b - 1 - m->r, a - 1, Cc, jj[k],
                                         C->tab[ix] + (size_t)jj[k] * SEG_TAB_N);
        }
        if (*st < 0) return 1;
    }
    double scale = Cc / (a - 1);
    for (int k = 0; k < nt; k++) {
        double v = scale * tab_poly(C->tab[ix] + (size_t)jj[k] * SEG_TAB_N, z[k] - jj[k] / SEG_TAB_STEP);
        if (!isfinite(v)) return 1;
        out[k] = v > 0 ? v : 0.0;
    }
    return FU_OK;
}

/* ---------------------------------------------------------------- rows in bulk
 * Scoring runs over chunks of SEG_CHUNK customers: a chunk is validated, its
 * P(alive) filled, then each customer's expected purchases and CLV are read
 * from a memo of the distinct (x, T) pairs. The expectation of a customer
 * alive at T depends on (x, T) and the options only, so each pair is computed
 * once, by the same code as one customer at a time, and no result depends on
 * the order of the rows or on what the memo already held. */

#define SEG_CHUNK 1024
#define SEG_LOGC_BITS 11
#define SEG_XTAB 256
#define SEG_LOGC_PROBE 32
/* BG/NBD P(alive) takes log(alpha + T) - log(alpha + t_x) for log1p of their
 * ratio when (r + x) (|log(alpha + T)| + |log(alpha + t_x)|) <= this: the
 * exponent then moves by at most ~2.2e-16 of it (one rounding of each log), so
 * P(alive) by at most 6e-14 relative. */
#define SEG_FAST_WMAX 256.0

/* Scratch of one scoring call: log(alpha + v) per distinct v in a
 * direct-mapped cache (key: the bits of v, all ones when empty, a NaN no valid
 * input has), log(a) - log(b + x - 1) per integer x < SEG_XTAB (NaN until
 * used), the positions of a chunk's customers with x > 0, and P(alive) of a
 * chunk when the caller did not ask for it. */
typedef struct seg_fast {
    uint64_t key[1u << SEG_LOGC_BITS];
    double lv[1u << SEG_LOGC_BITS];
    double lab[SEG_XTAB];
    uint32_t pos[SEG_CHUNK];
    double pa[SEG_CHUNK];
    double lT[SEG_CHUNK], lt[SEG_CHUNK]; /* log(alpha + T), log(alpha + t_x) of the rows pos[] */
} seg_fast;

static void fast_init(seg_fast *F) {
    memset(F->key, 0xff, sizeof F->key);
    for (size_t i = 0; i < SEG_XTAB; i++) F->lab[i] = NAN;
}

/* Whether a row is valid, without branches (x integer: for 0 <= x <= 1e15,
 * (x + 2^52) - 2^52 rounds x to an integer and gives x back only when it is
 * one); check_rfm says why a row is not. */
#define SEG_ROW_OK(x, t, T)                                                                                     \
    (((x) >= 0) & ((x) <= 1e15) & (((x) + 0x1p52) - 0x1p52 == (x)) & ((T) <= DBL_MAX) & ((t) >= 0) & ((t) <= (T)))

static int rows_check(const double *x, const double *t_x, const double *T, size_t i0, size_t i1) {
    int ok = 1;
    size_t i = i0;
#if defined(__SSE2__)
    const __m128d zero = _mm_setzero_pd(), xmax = _mm_set1_pd(1e15), big = _mm_set1_pd(0x1p52),
                  tmax = _mm_set1_pd(DBL_MAX);
    __m128d acc = _mm_cmpeq_pd(zero, zero);
    for (; i + 2 <= i1; i += 2) {
        __m128d xv = _mm_loadu_pd(x + i), tv = _mm_loadu_pd(t_x + i), Tv = _mm_loadu_pd(T + i);
        __m128d m = _mm_and_pd(_mm_cmpge_pd(xv, zero), _mm_cmple_pd(xv, xmax));
        m = _mm_and_pd(m, _mm_cmpeq_pd(_mm_sub_pd(_mm_add_pd(xv, big), big), xv));
        m = _mm_and_pd(m, _mm_and_pd(_mm_cmple_pd(Tv, tmax), _mm_cmpge_pd(tv, zero)));
        acc = _mm_and_pd(acc, _mm_and_pd(m, _mm_cmple_pd(tv, Tv)));
    }
    ok = _mm_movemask_pd(acc) == 3;
#endif
    for (; i < i1; i++) ok &= SEG_ROW_OK(x[i], t_x[i], T[i]);
    for (i = i0; !ok && i < i1; i++) {
        int rc = check_rfm(x, t_x, T, i);
        if (rc) return rc;
    }
    return FU_OK;
}

/* log(alpha + v) of the rows pos[j0..j1) through the cache when `cached`,
 * else directly: the same value either way. Returns the cache hits. */
static size_t fast_logs(seg_fast *F, double alpha, const double *v, size_t j0, size_t j1, int cached, double *out) {
    size_t hits = 0;
    for (size_t j = j0; j < j1; j++) {
        double d = v[F->pos[j]];
        if (!cached) {
            out[j] = log(alpha + d);
            continue;
        }
        uint64_t key = dbl_bits(d);
        size_t h = (size_t)((key * 0x9E3779B97F4A7C15ULL) >> (64 - SEG_LOGC_BITS));
        hits += F->key[h] == key;
        out[j] = F->key[h] == key ? F->lv[h] : (F->key[h] = key, F->lv[h] = log(alpha + d));
    }
    return hits;
}

/* BG/NBD P(alive) of n <= SEG_CHUNK valid rows: 1 for x = 0, else
 * inv1p_exp(L) with L as bg_alive_L (see SEG_FAST_WMAX). The logs of
 * alpha + T and alpha + t_x go through the cache when the first
 * SEG_LOGC_PROBE rows of the chunk find at least half of theirs in it. */
static int bg_alive_rows(const void *vm, seg_fast *F, const double *x, const double *t_x, const double *T,
                         size_t n, double *out, size_t *bad) {
    const fu_segment_bgnbd *m = vm;
    size_t k = 0;
    (void)bad;
    for (size_t i = 0; i < n; i++) {
        out[i] = 1.0;
        F->pos[k] = (uint32_t)i;
        k += x[i] != 0;
    }
    size_t k0 = k < SEG_LOGC_PROBE ? k : SEG_LOGC_PROBE;
    double al = m->alpha, *lT = F->lT, *lt = F->lt;
    int cT = 2 * fast_logs(F, al, T, 0, k0, 1, lT) >= k0, ct = 2 * fast_logs(F, al, t_x, 0, k0, 1, lt) >= k0;
    fast_logs(F, al, T, k0, k, cT, lT);
    fast_logs(F, al, t_x, k0, k, ct, lt);
    double la = log(m->a), r = m->r;
    for (size_t j = 0; j < k; j++) {
        size_t i = F->pos[j];
        double xi = x[i], L;
        if (xi < SEG_XTAB) {
            size_t ix = (size_t)xi;
            double lab = F->lab[ix];
            if (lab != lab) lab = F->lab[ix] = la - log(m->b + xi - 1);
            if ((r + xi) * (fabs(lT[j]) + fabs(lt[j])) <= SEG_FAST_WMAX) L = lab + (r + xi) * (lT[j] - lt[j]);
            else L = bg_alive_L(m, xi, t_x[i], T[i]);
        } else {
            L = bg_alive_L(m, xi, t_x[i], T[i]);
        }
        lT[j] = L;
    }
    /* inv1p_exp(L), without its branch: e^-|L| first, in a loop of its own */
    for (size_t j = 0; j < k; j++) lt[j] = exp(-fabs(lT[j]));
    for (size_t j = 0; j < k; j++) out[F->pos[j]] = (lT[j] > 0 ? lt[j] : 1.0) / (1.0 + lt[j]);
    return FU_OK;
}

static int pn_alive_rows(const void *m, seg_fast *F, const double *x, const double *t_x, const double *T,
                         size_t n, double *out, size_t *bad) {
    (void)F;
    for (size_t i = 0; i < n; i++) {
        int rc = pn_p_alive(m, x[i], t_x[i], T[i], &out[i]);
        if (rc) {
            *bad = i;
            return rc;
        }
    }
    return FU_OK;
}

typedef struct seg_model_ops {
    /* P(alive) of n <= SEG_CHUNK valid rows; *bad = the failing row */
    int (*alive_rows)(const void *model, seg_fast *F, const double *x, const double *t_x, const double *T,
                      size_t n, double *out, size_t *bad);
    /* expectation of a customer alive at T at nt horizons */
    int (*alive_expect)(const void *model, seg_cache *C, double x, double T, const double *ts, int nt, double *out);
} seg_model_ops;

static int bg_alive_multi(const void *vm, seg_cache *C, double x, double T, const double *ts, int nt, double *out) {
    const fu_segment_bgnbd *m = vm;
    int rc = bg_tab_multi(m, C, x, T, ts, nt, out);
    if (rc <= FU_OK) return rc;
    if (bg_fast_multi(m, C, x, T, ts, nt, out) == FU_OK) return FU_OK;
    for (int k = 0; k < nt; k++) {
        if ((rc = bg_alive_expect(m->r, m->alpha, m->a, m->b, x, T, ts[k], &out[k])) != FU_OK) return rc;
    }
    return FU_OK;
}

static int pn_alive_multi(const void *m, seg_cache *C, double x, double T, const double *ts, int nt, double *out) {
    (void)C;
    for (int k = 0; k < nt; k++) out[k] = pn_alive_expect(m, x, T, ts[k]);
    return FU_OK;
}

static const seg_model_ops bg_ops = {bg_alive_rows, bg_alive_multi};
static const seg_model_ops pn_ops = {pn_alive_rows, pn_alive_multi};

/* One scoring call. */
typedef struct seg_job {
    const void *model;
    const seg_model_ops *ops;
    const fu_segment_gammagamma *gg;
    const double *x, *t_x, *T, *zbar;
    size_t n;
    fu_segment_score_options o;
    double *p_alive, *expected, *clv;
} seg_job;

/* The memo of distinct (x, T): open addressing, kx all ones when empty. */
typedef struct seg_memo_slot {
    uint64_t kx, kT;
    double e, acc; /* expectation at the horizon, discounted CLV sum (per unit value) */
} seg_memo_slot;

/* The memo takes a new pair only while it pays: until it holds SEG_MEMO_MIN
 * pairs, then while the rows that found their pair in it are at least as many
 * as the pairs it holds, and never more than SEG_MEMO_MAX pairs (16 MiB). A
 * pair it does not take is computed for its row alone, by the same code: the
 * same value. */
#define SEG_MEMO_MIN 4096
#define SEG_MEMO_MAX ((size_t)1 << 18)

typedef struct seg_memo {
    seg_memo_slot *s;
    size_t cap, used, hits;
    seg_memo_slot spare; /* the last pair not taken */
} seg_memo;

static size_t memo_hash(uint64_t kx, uint64_t kT) { return (size_t)mix64(kx * 0x9E3779B97F4A7C15ULL ^ kT); }

static int memo_grow(seg_memo *M) {
    size_t cap = M->cap ? M->cap * 2 : 1024;
    if (cap > SIZE_MAX / sizeof(seg_memo_slot)) return fu__error_nomem();
    seg_memo_slot *s = fu__malloc(cap * sizeof *s);
    if (!s) return fu__error_nomem();
    for (size_t i = 0; i < cap; i++) s[i].kx = UINT64_MAX;
    for (size_t i = 0; i < M->cap; i++) {
        if (M->s[i].kx == UINT64_MAX) continue;
        size_t h = memo_hash(M->s[i].kx, M->s[i].kT) & (cap - 1);
        while (s[h].kx != UINT64_MAX) h = (h + 1) & (cap - 1);
        s[h] = M->s[i];
    }
    fu__free(M->s);
    M->s = s;
    M->cap = cap;
    return FU_OK;
}

/* E_alive at the horizon and the discounted sum of the CLV periods for a
 * customer alive at T with x purchases, as the one-customer code computes them. */
static int memo_fill(const seg_job *J, seg_cache *C, double x, double T, seg_memo_slot *out) {
    const fu_segment_score_options *o = &J->o;
    double ts[SEG_MAXH], ev[SEG_MAXH];
    int with_h = 0, rc; /* the horizon rides along with the first batch of CLV periods */
    out->e = out->acc = 0;
    if (J->expected && !J->clv) {
        if ((rc = J->ops->alive_expect(J->model, C, x, T, &o->horizon, 1, ev)) != FU_OK) return rc;
        out->e = ev[0];
    } else if (J->expected) {
        with_h = 1;
    }
    if (!J->clv) return FU_OK;
    double inv1d = 1.0 / (1.0 + o->discount), prev = 0, acc = 0, disc = 1;
    for (unsigned int k0 = 1; k0 <= o->periods;) {
        int nt = 0, first = 0;
        if (with_h) {
            ts[nt++] = o->horizon;
            first = 1;
        }
        for (; k0 <= o->periods && nt < SEG_MAXH; k0++) ts[nt++] = o->period * k0;
        if ((rc = J->ops->alive_expect(J->model, C, x, T, ts, nt, ev)) != FU_OK) return rc;
        if (with_h) {
            out->e = ev[0];
            with_h = 0;
        }
        for (int k = first; k < nt; k++) {
            disc *= inv1d;
            acc += (ev[k] - prev) * disc;
            prev = ev[k];
        }
    }
    out->acc = acc;
    return FU_OK;
}

static int memo_get(const seg_job *J, seg_memo *M, seg_cache *C, double x, double T, const seg_memo_slot **out) {
    uint64_t kx = dbl_bits(x), kT = dbl_bits(T);
    size_t h = memo_hash(kx, kT) & (M->cap - 1);
    while (M->s[h].kx != UINT64_MAX) {
        if (M->s[h].kx == kx && M->s[h].kT == kT) {
            M->hits++;
            *out = &M->s[h];
            return FU_OK;
        }
        h = (h + 1) & (M->cap - 1);
    }
    seg_memo_slot v;
    int rc = memo_fill(J, C, x, T, &v);
    if (rc) return rc;
    v.kx = kx;
    v.kT = kT;
    if (M->used >= SEG_MEMO_MAX || (M->used >= SEG_MEMO_MIN && M->hits < M->used)) {
        M->spare = v;
        *out = &M->spare;
        return FU_OK;
    }
    if (2 * (M->used + 1) > M->cap) {
        if ((rc = memo_grow(M)) != FU_OK) return rc;
        h = memo_hash(kx, kT) & (M->cap - 1);
        while (M->s[h].kx != UINT64_MAX) h = (h + 1) & (M->cap - 1);
    }
    M->s[h] = v;
    M->used++;
    *out = &M->s[h];
    return FU_OK;
}

/* Expected purchases and CLV of rows [i0, i1) whose P(alive) is pa[]. */
static int chunk_values(const seg_job *J, seg_memo *M, seg_cache *C, size_t i0, size_t i1, const double *pa,
                        size_t *bad) {
    for (size_t i = i0; i < i1; i++) {
        const seg_memo_slot *s;
        int rc = memo_get(J, M, C, J->x[i], J->T[i], &s);
        *bad = i;
        if (rc) return rc;
        double p = pa[i - i0];
        if (J->expected) J->expected[i] = p * s->e;
        if (!J->clv) continue;
        double value = 0;
        if (J->gg) {
            /* as fu_segment_gammagamma_expected(): a spend the model refuses */
            if (J->x[i] > 0 && !(isfinite(J->zbar[i]) && J->zbar[i] >= 0))
                return fu__error_set(FU_EINVAL, "zbar[%zu] = %g: must be finite and >= 0", i, J->zbar[i]);
            if ((rc = gg_expected(J->gg, J->x[i], J->zbar[i], &value)) != FU_OK) return rc;
        } else {
            value = J->zbar[i];
            if (!isfinite(value)) return fu__error_set(FU_EINVAL, "zbar[%zu] is not finite", i);
        }
        J->clv[i] = J->o.margin * value * p * s->acc;
    }
    return FU_OK;
}

/* n doubles to dst, which is not read again here: streaming stores where
 * there are (no read of the destination lines, no eviction of the inputs). */
static void copy_out(double *dst, const double *src, size_t n) {
    size_t i = 0;
#if defined(__SSE2__)
    if (n > 0 && ((uintptr_t)dst & 15) != 0) {
        dst[0] = src[0];
        i = 1;
    }
    if (((uintptr_t)(dst + i) & 15) == 0)
        for (; i + 2 <= n; i += 2) _mm_stream_pd(dst + i, _mm_loadu_pd(src + i));
#endif
    for (; i < n; i++) dst[i] = src[i];
}

static int score_rows(const seg_job *J, seg_fast *F, seg_memo *M, seg_cache *C) {
    int rc = FU_OK;
    for (size_t i0 = 0; i0 < J->n; i0 += SEG_CHUNK) {
        size_t i1 = J->n - i0 < SEG_CHUNK ? J->n : i0 + SEG_CHUNK, bad = 0;
        if ((rc = rows_check(J->x, J->t_x, J->T, i0, i1)) != FU_OK) break;
        rc = J->ops->alive_rows(J->model, F, J->x + i0, J->t_x + i0, J->T + i0, i1 - i0, F->pa, &bad);
        if (rc) {
            bad += i0;
        } else {
            if (J->p_alive) copy_out(J->p_alive + i0, F->pa, i1 - i0);
            if (J->expected || J->clv) rc = chunk_values(J, M, C, i0, i1, F->pa, &bad);
        }
        if (rc) {
            fu__error_prefix("customer %zu", bad);
            break;
        }
    }
#if defined(__SSE2__)
    _mm_sfence(); /* the streaming stores of copy_out, before anyone reads them */
#endif
    return rc;
}

static int score_options(const seg_job *J) {
    const fu_segment_score_options *o = &J->o;
    if (J->n > 0 && (!J->x || !J->t_x || !J->T)) return fu__error_set(FU_EINVAL, "data arrays must not be NULL");
    if (J->expected && !(isfinite(o->horizon) && o->horizon > 0))
        return fu__error_set(FU_EINVAL, "score options: horizon = %g, must be > 0 for expected purchases",
                             o->horizon);
    if (!J->clv) return FU_OK;
    if (!(isfinite(o->period) && o->period > 0))
        return fu__error_set(FU_EINVAL, "score options: period = %g, must be > 0 for CLV", o->period);
    if (o->periods == 0 || o->periods > 100000)
        return fu__error_set(FU_EINVAL, "score options: periods = %u, must be in 1..100000", o->periods);
    if (!(isfinite(o->discount) && o->discount > -1))
        return fu__error_set(FU_EINVAL, "score options: discount = %g, must be > -1", o->discount);
    if (!isfinite(o->margin)) return fu__error_set(FU_EINVAL, "score options: margin must be finite");
    if (J->n > 0 && !J->zbar) return fu__error_set(FU_EINVAL, "zbar is NULL but CLV is wanted");
    return J->gg ? check_gg(J->gg) : FU_OK;
}

static int score_generic(const void *model, const seg_model_ops *ops, const fu_segment_gammagamma *gg,
                         const double *x, const double *t_x, const double *T, const double *zbar, size_t n,
                         const fu_segment_score_options *opts, double *p_alive, double *expected, double *clv) {
    seg_job J = {model, ops, gg, x, t_x, T, zbar, n, FU_SEGMENT_SCORE_OPTIONS_INIT, p_alive, expected, clv};
    int rc = FU_OPTIONS_COPY(&J.o, opts, FU_SEGMENT_SCORE_OPTIONS_VERSION, "score options");
    if (!rc) rc = score_options(&J);
    if (rc || n == 0) return rc;
    seg_fast *F = fu__malloc(sizeof *F);
    seg_memo M = {NULL, 0, 0, 0, {0, 0, 0, 0}};
    seg_cache C = {.mem = NULL};
    if (!F) return fu__error_nomem();
    fast_init(F);
    if (expected || clv) {
        rc = cache_init(&C);
        if (!rc) rc = memo_grow(&M);
    }
    if (!rc) rc = score_rows(&J, F, &M, &C);
    cache_free(&C);
    FU_FREE_ALL(M.s, F);
    return rc;
}

int fu_segment_bgnbd_score(const fu_segment_bgnbd *m, const fu_segment_gammagamma *gg, const double *x,
                           const double *t_x, const double *T, const double *zbar, size_t n,
                           const fu_segment_score_options *opts, double *p_alive, double *expected, double *clv) {
    if (!m) return fu__error_set(FU_EINVAL, "model is NULL");
    int rc = check_bg(m);
    if (rc) return rc;
    return score_generic(m, &bg_ops, gg, x, t_x, T, zbar, n, opts, p_alive, expected, clv);
}

int fu_segment_pareto_score(const fu_segment_pareto *m, const fu_segment_gammagamma *gg, const double *x,
                            const double *t_x, const double *T, const double *zbar, size_t n,
                            const fu_segment_score_options *opts, double *p_alive, double *expected, double *clv) {
    if (!m) return fu__error_set(FU_EINVAL, "model is NULL");
    int rc = check_pn(m);
    if (rc) return rc;
    return score_generic(m, &pn_ops, gg, x, t_x, T, zbar, n, opts, p_alive, expected, clv);
}
