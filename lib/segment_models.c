/* fu_segment, numerical half: BG/NBD, Pareto/NBD and Gamma-Gamma
 * likelihoods, fits and the one-customer formulas (scoring many customers at
 * once is lib/segment_score.c's). The special functions (log Gamma,
 * digamma, 2F1) and the quasi-Newton optimizer are fu_stats' (lib/stats.c).
 *
 * Formulas: Fader, Hardie & Lee (2005) "Counting your customers the easy way"
 * (BG/NBD likelihood eq. 6, P(alive), conditional expectation eq. 10, E[X(t)]
 * eq. 7); Fader & Hardie, "The Gamma-Gamma model of monetary value" (2013
 * note); Fader & Hardie, "A note on deriving the Pareto/NBD model and related
 * expressions" (2005) for the Pareto/NBD likelihood with its 2F1 branches. */
#include "segment_internal.h"
#include "stats_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

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

int fu__seg_check_rfm(const double *x, const double *t_x, const double *T, size_t i) {
    int rc = check_x(x, i);
    if (rc) return rc;
    if (!isfinite(T[i]) || T[i] < 0) return fu__error_set(FU_EINVAL, "T[%zu] = %g: must be finite and >= 0", i, T[i]);
    if (!isfinite(t_x[i]) || t_x[i] < 0)
        return fu__error_set(FU_EINVAL, "t_x[%zu] = %g: must be finite and >= 0", i, t_x[i]);
    if (t_x[i] > T[i]) return fu__error_set(FU_EINVAL, "t_x[%zu] = %g is after T = %g", i, t_x[i], T[i]);
    return FU_OK;
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
        size_t i = fu__seg_mix64(fu__seg_dbl_bits(val[k])) & (cap - 1);
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
    uint64_t b = fu__seg_dbl_bits(d);
    size_t mask = t->cap - 1, i = fu__seg_mix64(b) & mask;
    while (t->slot[i] && fu__seg_dbl_bits(t->val[t->slot[i] - 1]) != b) i = (i + 1) & mask;
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
    return fu__seg_mix64(((uint64_t)k[0] << 32 | k[1]) ^ fu__seg_mix64((uint64_t)k[2] + 0x9e3779b97f4a7c15ULL));
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
    if (t->n) memcpy(sorted, t->val, t->n * sizeof *sorted); /* val is NULL when empty */
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
        int rc = kind == 0 ? fu__seg_check_rfm(x, u, v, i) : check_x(x, i);
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

int fu__seg_check_bg(const fu_segment_bgnbd *m) {
    double p[4] = {m->r, m->alpha, m->a, m->b};
    return check_params(p, 4, bg_names);
}
int fu__seg_check_pn(const fu_segment_pareto *m) {
    double p[4] = {m->r, m->alpha, m->s, m->beta};
    return check_params(p, 4, pn_names);
}
int fu__seg_check_gg(const fu_segment_gammagamma *m) {
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
    return fu__seg_check_rfm(&x, &t_x, &T, 0);
}

/* The arguments of a one-customer query of a BG/NBD (pareto 0) or a
 * Pareto/NBD model: the model, the customer's (x, t_x, T) and a horizon t
 * (0 where there is none). */
static int check_query(const void *m, int pareto, const double *out, double x, double t_x, double T, double t) {
    if (!m || !out) return fu__error_set(FU_EINVAL, "model or out is NULL");
    int rc = pareto ? fu__seg_check_pn(m) : fu__seg_check_bg(m);
    if (!rc) rc = check_one(x, t_x, T);
    if (rc) return rc;
    if (!isfinite(t) || t < 0) return fu__error_set(FU_EINVAL, "t = %g: must be finite and >= 0", t);
    return FU_OK;
}

/* log of a / (b + x - 1) ((alpha+T)/(alpha+t_x))^(r+x): P(alive) = 1 / (1 + exp(L)) */
double fu__seg_bg_alive_L(const fu_segment_bgnbd *m, double x, double t_x, double T) {
    return log(m->a) - log(m->b + x - 1) + (m->r + x) * log1p((T - t_x) / (m->alpha + t_x));
}

static double bg_p_alive(const fu_segment_bgnbd *m, double x, double t_x, double T) {
    if (x == 0) return 1.0;
    return inv1p_exp(fu__seg_bg_alive_L(m, x, t_x, T));
}

/* (a+b+x-1)/(a-1) [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; z)],
 * the expected purchases in (T, T+t] of a customer alive at T. The 2F1 is
 * taken in its Euler form (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z), whose
 * parameters stay small however large x is. Removable singularities at a = 1
 * and a + b + x = 1 are bridged by symmetric evaluation. */
int fu__seg_bg_alive_expect(double r, double alpha, double a, double b, double x, double T, double t, double *out) {
    if (t == 0) {
        *out = 0;
        return FU_OK;
    }
    double c = a + b + x - 1;
    const double h = 1e-6;
    if (fabs(a - 1) < h || fabs(c) < h || is_nonpos_int(c)) {
        double lo = 0, hi = 0;
        double da = fabs(a - 1) < h ? (1 + 2 * h) - a : 2 * h;
        int rc = fu__seg_bg_alive_expect(r, alpha, a + da, b, x, T, t, &hi);
        if (rc == FU_OK) rc = fu__seg_bg_alive_expect(r, alpha, a - da > 0 ? a - da : a / 2, b, x, T, t, &lo);
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
    int rc = fu__seg_bg_alive_expect(m->r, m->alpha, m->a, m->b, x, T, t, &e);
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

int fu__seg_pn_p_alive(const fu_segment_pareto *m, double x, double t_x, double T, double *out) {
    double rest, lp;
    int rc = pn_loglik_one(m->r, m->alpha, m->s, m->beta, x, t_x, T, &rest, &lp);
    if (rc) return rc;
    *out = exp(lp);
    return FU_OK;
}

int fu_segment_pareto_p_alive(const fu_segment_pareto *m, double x, double t_x, double T, double *out) {
    int rc = check_query(m, 1, out, x, t_x, T, 0);
    if (rc) return rc;
    return fu__seg_pn_p_alive(m, x, t_x, T, out);
}

/* (r+x)(beta+T)/((alpha+T)(s-1)) [1 - ((beta+T)/(beta+T+t))^(s-1)]: expected
 * purchases in (T, T+t] of a customer alive at T, with the s -> 1 limit. */
double fu__seg_pn_alive_expect(const fu_segment_pareto *m, double x, double T, double t) {
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
    int rc = fu__seg_pn_p_alive(m, x, t_x, T, &pa);
    if (rc) return rc;
    *out = pa * fu__seg_pn_alive_expect(m, x, T, t);
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
    *out = fu__seg_pn_alive_expect(m, 0, 0, t);
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

int fu__seg_gg_expected(const fu_segment_gammagamma *m, double x, double zbar, double *out) {
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
    int rc = fu__seg_check_gg(m);
    if (!rc) rc = check_x(&x, 0);
    if (rc) return rc;
    if (x > 0 && !(isfinite(zbar) && zbar >= 0))
        return fu__error_set(FU_EINVAL, "zbar = %g: must be finite and >= 0", zbar);
    return fu__seg_gg_expected(m, x, zbar, out);
}

int fu__seg_loglik_grad(int model, const double *params, const double *x, const double *u, const double *v,
                        size_t n, double *out, double *grad) {
    if (model == 0) return loglik_generic(bg_nll_rows, params, 4, bg_names, x, u, v, n, 0, out, grad);
    if (model == 1) return loglik_generic(pn_nll, params, 4, pn_names, x, u, v, n, 0, out, grad);
    return loglik_generic(gg_nll, params, 3, gg_names, x, u, NULL, n, 1, out, grad);
}

/* ================================================================ scoring */
