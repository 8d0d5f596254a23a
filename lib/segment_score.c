/* fu_segment, bulk scoring: P(alive), expected purchases and CLV of many
 * customers at once (fu_segment_bgnbd_score, fu_segment_pareto_score), in
 * chunks, with the caches that make it fast (logs, Taylor tables of the
 * BG/NBD expectation, a memo of the distinct (x, T)). Every value is the
 * model's formula of lib/segment_models.c for that row alone. */
#include "segment_internal.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Scoring needs, per customer, the expectation of a customer alive at T at
 * several horizons (the `expected` horizon and the K CLV period ends). For
 * BG/NBD all of them share one 2F1(A, B; C; z) with A = a+b-1-r, B = a-1,
 * C = a+b+x-1 and differ only in z, so the series coefficients are computed
 * once per distinct x (a small cache) and summed for all horizons at once. */

#define SEG_MAXH 64          /* horizons summed together; more go in batches */
#define SEG_CACHE_SLOTS 64
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
    signed char *st; /* [x * SEG_TAB_J + j]: 0 not built, 1 built, 2 built and degree 11 enough, -1 not usable */
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

/* One term u of the sums below: g[n] += u binom(i, n), then bn[] goes from
 * the row i of Pascal's triangle to the row i + 1 (binom(i + 1, n) =
 * binom(i, n) + binom(i, n - 1)). In pairs of lanes under SSE2 (aligned
 * loads and stores only, so no store has to be forwarded to a wider load);
 * the same operations, so the same bits, either way. */
static void taylor_term(double *g, double *bn, double u) {
#if defined(__SSE2__)
    __m128d uv = _mm_set1_pd(u), prev = _mm_setzero_pd();
    for (size_t k = 0; k < SEG_TAB_N; k += 2) {
        __m128d b = _mm_load_pd(bn + k);
        _mm_store_pd(g + k, _mm_add_pd(_mm_load_pd(g + k), _mm_mul_pd(uv, b)));
        _mm_store_pd(bn + k, _mm_add_pd(b, _mm_shuffle_pd(prev, b, 1)));
        prev = b;
    }
#else
    for (size_t n = 0; n < SEG_TAB_N; n++) g[n] += u * bn[n];
    for (size_t n = SEG_TAB_N - 1; n > 0; n--) bn[n] += bn[n - 1];
#endif
}

/* Whether every sum g[n] of tab_taylor_F is settled after its term
 * u binom(i, n) (bn[n]). Later terms of g[n] shrink by at most
 * q_n = qi / (i + 1 - n) a step, so its tail is below |term| q_n / (1 - q_n).
 * The table's value sums f_n w^n = g[n] (w / z0)^n with |w / z0| <= 1 / wt
 * (wt = 2j at the centre j / 64), so the tail of g[n] must be below
 * 1e-19 max(|g[n]|, |g[0]| wt^n) (wtn[n] = wt^n): 1e-19 of F(z0) in the
 * value at most, and the later coefficients, whose terms are multiplied by
 * w^n, need fewer terms of the series. Compared without a division and
 * without a branch; the same operations in pairs of lanes under SSE2. */
static int taylor_settled(const double *g, const double *bn, const double *wtn, double u, double qi, size_t i) {
    int ok = 1;
    size_t n = 0;
    double f0 = 1e-19 * fabs(g[0] + u);
#if defined(__SSE2__)
    const __m128d uv = _mm_set1_pd(u), qv = _mm_set1_pd(qi), tiny = _mm_set1_pd(1e-19), zero = _mm_setzero_pd(),
                  sign = _mm_set1_pd(-0.0), f0v = _mm_set1_pd(f0);
    __m128d acc = _mm_cmpeq_pd(zero, zero);
    for (; n < SEG_TAB_N; n += 2) {
        __m128d room = _mm_sub_pd(_mm_set_pd((double)(i - n), (double)(i + 1 - n)), qv);
        __m128d term = _mm_mul_pd(uv, _mm_load_pd(bn + n)), tot = _mm_add_pd(_mm_load_pd(g + n), term);
        __m128d lhs = _mm_mul_pd(_mm_andnot_pd(sign, term), qv);
        __m128d tol = _mm_max_pd(_mm_mul_pd(tiny, _mm_andnot_pd(sign, tot)), _mm_mul_pd(f0v, _mm_load_pd(wtn + n)));
        acc = _mm_and_pd(acc, _mm_and_pd(_mm_cmpgt_pd(room, zero), _mm_cmple_pd(lhs, _mm_mul_pd(tol, room))));
    }
    ok = _mm_movemask_pd(acc) == 3;
#endif
    for (; n < SEG_TAB_N; n++) {
        double room = (double)(i + 1 - n) - qi, term = u * bn[n], t1 = 1e-19 * fabs(g[n] + term), t2 = f0 * wtn[n];
        ok &= (room > 0) & (fabs(term) * qi <= (t1 > t2 ? t1 : t2) * room);
    }
    return ok;
}

/* Taylor coefficients f[0..SEG_TAB_N) of F = 2F1(A, B; C; .) about z0 > 0
 * from its series (coefficients c_i of slot sl): f_n z0^n = sum_i u_i
 * binom(i, n) with u_i = c_i z0^i (the 16 sums independent of each other,
 * no chain of products a term), summed until the tail of every f_n is below
 * 1e-19 of it. Returns 0, or -1 when the series does not settle within
 * SEG_CACHE_TERMS terms. */
static int tab_taylor_F(seg_coef *sl, double A, double B, double Cc, double z0, double *f, double *f0m1) {
    _Alignas(16) double bn[SEG_TAB_N] = {1}, g[SEG_TAB_N] = {0}, wtn[SEG_TAB_N];
    double zi = 1, excess = A + B - Cc - 1, wt = z0 * (2 * SEG_TAB_STEP);
    if (excess < 0) excess = 0;
    wtn[0] = 1;
    for (size_t n = 1; n < SEG_TAB_N; n++) wtn[n] = wtn[n - 1] * wt;
    for (size_t i = 0;; i++) {
        if (i + 1 >= sl->len) {
            coef_extend(sl, A, B, Cc, i + 65);
            if (sl->bad || i + 1 >= sl->len) return -1;
        }
        double u = sl->c[i] * zi;
        if (i > 0) *f0m1 += u; /* F(z0) - 1, without the rounding of 1 + ... */
        int settled = 0;
        if (i >= 2 * SEG_TAB_N && (i & 3) == 3) { /* every 4th term */
            double cr = sl->c[i] != 0 ? fabs(sl->c[i + 1] / sl->c[i]) : 0, e1 = 1 + excess / (double)(i + 1);
            settled = taylor_settled(g, bn, wtn, u, z0 * (cr > e1 ? cr : e1) * (double)(i + 1), i);
        }
        taylor_term(g, bn, u);
        if (settled) break;
        zi *= z0;
    }
    double zn = 1, zinv = 1 / z0;
    for (size_t n = 0; n < SEG_TAB_N; n++, zn *= zinv) f[n] = g[n] * zn;
    return 0;
}

/* Coefficients q[0..SEG_TAB_N) of 1 - G(z0 + w), G(z) = (1-z)^(a-1) F(z),
 * about z0 = j / SEG_TAB_STEP. At j = 0, q[0] = 0 exactly, so 1 - G keeps
 * its relative precision near z = 0. Returns 1, 2 when the terms of degree
 * 12 and up are negligible, or -1 when the table cannot be trusted (series
 * not settled, overflow, or a truncation error over 1e-18 at the edge of the
 * interval). */
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
    double fac[SEG_TAB_N]; /* p[k + 1] / p[k]: divisions independent of each other, then one chain of products */
    for (int k = 0; k + 1 < SEG_TAB_N; k++) fac[k] = ((double)k + 1 - a) / (((double)k + 1) * (1 - z0));
    for (int k = 0; k + 1 < SEG_TAB_N; k++) p[k + 1] = p[k] * fac[k];
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
    if (!(tail <= 1e-18)) return -1;
    /* the terms of degree 12..15 at |w| <= hw below 1e-19 of 1 - G(z0) (which
     * is not 0 off the centre 0): the table is evaluated to degree 11 */
    double t12 = 0, hn = pow(hw, 12);
    for (int n = 12; n < SEG_TAB_N; n++, hn *= hw) t12 += fabs(q[n]) * hn;
    return j > 0 && t12 <= 1e-19 * fabs(q[0]) ? 2 : 1;
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

/* The same to degree 11, for a table whose terms 12..15 are negligible. */
static double tab_poly11(const double *q, double w) {
    double w2 = w * w, w4 = w2 * w2, w8 = w4 * w4;
    double p0 = q[0] + q[1] * w, p1 = q[2] + q[3] * w, p2 = q[4] + q[5] * w, p3 = q[6] + q[7] * w;
    double p4 = q[8] + q[9] * w, p5 = q[10] + q[11] * w;
    return ((p0 + p1 * w2) + (p2 + p3 * w2) * w4) + (p4 + p5 * w2) * w8;
}

/* E_alive(t) of BG/NBD for nt horizons from the Taylor tables of x:
 * (C / (a-1)) (1 - G(z)) with 1 - G a polynomial of degree SEG_TAB_N - 1 (or
 * 11, tab_build) in w = z - z0 about the nearest centre z0, |w| <= 1/128 (no series, log or
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
        const double *q = C->tab[ix] + (size_t)jj[k] * SEG_TAB_N;
        double w = z[k] - jj[k] / SEG_TAB_STEP;
        double v = scale * (C->st[ix * SEG_TAB_J + (size_t)jj[k]] == 2 ? tab_poly11(q, w) : tab_poly(q, w));
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
    uint32_t pos[SEG_CHUNK]; /* the rows of the chunk with x != 0 (rows_check) */
    size_t npos;
    double pa[SEG_CHUNK];
    double lT[SEG_CHUNK], lt[SEG_CHUNK]; /* log(alpha + T), log(alpha + t_x) of the rows pos[] */
    uint64_t hs[SEG_CHUNK];              /* memo hash of each row of the chunk */
    double me[SEG_CHUNK], ma[SEG_CHUNK]; /* its memo values: expectation, CLV sum */
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

/* Whether rows [i0, i1) are valid (else the error of the first that is
 * not), and pos[0..*npos) = the rows with x != 0, counted from i0: both in
 * the one pass that reads the rows from memory, where the compaction costs
 * nothing beside the loads. */
static int rows_check(const double *x, const double *t_x, const double *T, size_t i0, size_t i1, uint32_t *pos,
                      size_t *npos) {
    int ok = 1;
    size_t i = i0, k = 0;
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
        int nz = _mm_movemask_pd(_mm_cmpneq_pd(xv, zero));
        pos[k] = (uint32_t)(i - i0);
        k += (size_t)(nz & 1);
        pos[k] = (uint32_t)(i + 1 - i0);
        k += (size_t)(nz >> 1);
    }
    ok = _mm_movemask_pd(acc) == 3;
#endif
    for (; i < i1; i++) {
        ok &= SEG_ROW_OK(x[i], t_x[i], T[i]);
        pos[k] = (uint32_t)(i - i0);
        k += x[i] != 0;
    }
    *npos = k;
    for (i = i0; !ok && i < i1; i++) {
        int rc = fu__seg_check_rfm(x, t_x, T, i);
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
        uint64_t key = fu__seg_dbl_bits(d);
        size_t h = (size_t)((key * 0x9E3779B97F4A7C15ULL) >> (64 - SEG_LOGC_BITS));
        hits += F->key[h] == key;
        out[j] = F->key[h] == key ? F->lv[h] : (F->key[h] = key, F->lv[h] = log(alpha + d));
    }
    return hits;
}

/* BG/NBD P(alive) of n <= SEG_CHUNK valid rows: 1 for x = 0, else (the
 * rows F->pos[0..F->npos) rows_check found) inv1p_exp(L) with L as
 * bg_alive_L (see SEG_FAST_WMAX). The logs of
 * alpha + T and alpha + t_x go through the cache when the first
 * SEG_LOGC_PROBE rows of the chunk find at least half of theirs in it. */
static int bg_alive_rows(const void *vm, seg_fast *F, const double *x, const double *t_x, const double *T,
                         size_t n, double *out, size_t *bad) {
    const fu_segment_bgnbd *m = vm;
    size_t k = F->npos;
    (void)bad;
    for (size_t i = 0; i < n; i++) out[i] = 1.0;
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
            else L = fu__seg_bg_alive_L(m, xi, t_x[i], T[i]);
        } else {
            L = fu__seg_bg_alive_L(m, xi, t_x[i], T[i]);
        }
        lT[j] = L;
    }
    /* inv1p_exp(L), without its branch: e^-|L| first, in a loop of its own */
    for (size_t j = 0; j < k; j++) lt[j] = exp(-fabs(lT[j]));
    size_t j = 0;
#if defined(__SSE2__)
    const __m128d one = _mm_set1_pd(1.0), zero = _mm_setzero_pd();
    for (; j + 2 <= k; j += 2) { /* the same divisions, two at a time */
        __m128d L = _mm_loadu_pd(lT + j), e = _mm_loadu_pd(lt + j), gt = _mm_cmpgt_pd(L, zero);
        __m128d num = _mm_or_pd(_mm_and_pd(gt, e), _mm_andnot_pd(gt, one));
        _mm_storeu_pd(lt + j, _mm_div_pd(num, _mm_add_pd(one, e)));
    }
#endif
    for (; j < k; j++) lt[j] = (lT[j] > 0 ? lt[j] : 1.0) / (1.0 + lt[j]);
    for (j = 0; j < k; j++) out[F->pos[j]] = lt[j];
    return FU_OK;
}

static int pn_alive_rows(const void *m, seg_fast *F, const double *x, const double *t_x, const double *T,
                         size_t n, double *out, size_t *bad) {
    (void)F;
    for (size_t i = 0; i < n; i++) {
        int rc = fu__seg_pn_p_alive(m, x[i], t_x[i], T[i], &out[i]);
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
    int (*check)(const void *model); /* the parameters */
} seg_model_ops;

static int bg_alive_multi(const void *vm, seg_cache *C, double x, double T, const double *ts, int nt, double *out) {
    const fu_segment_bgnbd *m = vm;
    int rc = bg_tab_multi(m, C, x, T, ts, nt, out);
    if (rc <= FU_OK) return rc;
    if (bg_fast_multi(m, C, x, T, ts, nt, out) == FU_OK) return FU_OK;
    for (int k = 0; k < nt; k++) {
        if ((rc = fu__seg_bg_alive_expect(m->r, m->alpha, m->a, m->b, x, T, ts[k], &out[k])) != FU_OK) return rc;
    }
    return FU_OK;
}

static int pn_alive_multi(const void *m, seg_cache *C, double x, double T, const double *ts, int nt, double *out) {
    (void)C;
    for (int k = 0; k < nt; k++) out[k] = fu__seg_pn_alive_expect(m, x, T, ts[k]);
    return FU_OK;
}

static int bg_check(const void *m) { return fu__seg_check_bg(m); }
static int pn_check(const void *m) { return fu__seg_check_pn(m); }

static const seg_model_ops bg_ops = {bg_alive_rows, bg_alive_multi, bg_check};
static const seg_model_ops pn_ops = {pn_alive_rows, pn_alive_multi, pn_check};

/* One scoring call. */
typedef struct seg_job {
    const void *model;
    const seg_model_ops *ops;
    const fu_segment_gammagamma *gg;
    const double *x, *t_x, *T, *zbar;
    size_t n;
    fu_segment_score_options o;
    double *p_alive, *expected, *clv;
    size_t *bad_row; /* not NULL: the row that failed goes here, not into the message */
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
} seg_memo;

static size_t memo_hash(uint64_t kx, uint64_t kT) { return (size_t)fu__seg_mix64(kx * 0x9E3779B97F4A7C15ULL ^ kT); }

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

static int memo_get(const seg_job *J, seg_memo *M, seg_cache *C, double x, double T, uint64_t hash, double *e,
                    double *acc) {
    uint64_t kx = fu__seg_dbl_bits(x), kT = fu__seg_dbl_bits(T);
    size_t h = (size_t)hash & (M->cap - 1);
    while (M->s[h].kx != UINT64_MAX) {
        if (M->s[h].kx == kx && M->s[h].kT == kT) {
            M->hits++;
            *e = M->s[h].e;
            *acc = M->s[h].acc;
            return FU_OK;
        }
        h = (h + 1) & (M->cap - 1);
    }
    seg_memo_slot v;
    int rc = memo_fill(J, C, x, T, &v);
    if (rc) return rc;
    *e = v.e;
    *acc = v.acc;
    if (M->used >= SEG_MEMO_MAX || (M->used >= SEG_MEMO_MIN && M->hits < M->used)) return FU_OK;
    v.kx = kx;
    v.kT = kT;
    if (2 * (M->used + 1) > M->cap) {
        if ((rc = memo_grow(M)) != FU_OK) return rc;
        h = (size_t)hash & (M->cap - 1);
        while (M->s[h].kx != UINT64_MAX) h = (h + 1) & (M->cap - 1);
    }
    M->s[h] = v;
    M->used++;
    return FU_OK;
}

/* The memo values of rows [i0, i0 + n) into F->me, F->ma: the hashes of the
 * chunk first, then the look-ups, each prefetching the slot of a row
 * SEG_MEMO_AHEAD further (the memo outgrows the first-level cache). Returns
 * FU_OK with *done = n, or the error of row i0 + *done. */
#define SEG_MEMO_AHEAD 16
static int chunk_memo(const seg_job *J, seg_memo *M, seg_cache *C, seg_fast *F, size_t i0, size_t n, size_t *done) {
    const double *x = J->x + i0, *T = J->T + i0;
    for (size_t j = 0; j < n; j++) F->hs[j] = memo_hash(fu__seg_dbl_bits(x[j]), fu__seg_dbl_bits(T[j]));
    for (size_t j = 0; j < n; j++) {
        if (j + SEG_MEMO_AHEAD < n) __builtin_prefetch(&M->s[(size_t)F->hs[j + SEG_MEMO_AHEAD] & (M->cap - 1)]);
        int rc = memo_get(J, M, C, x[j], T[j], F->hs[j], &F->me[j], &F->ma[j]);
        if (rc) {
            *done = j;
            return rc;
        }
    }
    *done = n;
    return FU_OK;
}

/* The first of rows [i0, i0 + n) whose spend the model refuses, with its
 * error (as fu_segment_gammagamma_expected() would say), or FU_OK. */
static int values_error(const seg_job *J, size_t i0, size_t n, size_t *bad) {
    for (size_t i = i0; i < i0 + n; i++) {
        double v, z = J->zbar[i];
        int rc = FU_OK;
        *bad = i;
        if (!J->gg && !isfinite(z)) return fu__error_set(FU_EINVAL, "zbar[%zu] is not finite", i);
        if (!J->gg) continue;
        if (J->x[i] > 0 && !(isfinite(z) && z >= 0))
            return fu__error_set(FU_EINVAL, "zbar[%zu] = %g: must be finite and >= 0", i, z);
        if ((rc = fu__seg_gg_expected(J->gg, J->x[i], z, &v)) != FU_OK) return rc;
    }
    return FU_OK;
}

/* CLV of rows [i0, i0 + n) whose P(alive) is pa[] and memo sums F->ma[]
 * into out[]: margin times the Gamma-Gamma value (fu__seg_gg_expected's
 * formula) or zbar, times P(alive) and the sum. Returns 0, or 1 when a row
 * is refused (values_error says which). */
static int chunk_clv(const seg_job *J, const seg_fast *F, size_t i0, size_t n, const double *pa, double *out) {
    const double *x = J->x + i0, *z = J->zbar + i0, mg = J->o.margin;
    int ok = 1;
    if (!J->gg) {
        for (size_t j = 0; j < n; j++) {
            ok &= isfinite(z[j]) != 0;
            out[j] = mg * z[j] * pa[j] * F->ma[j];
        }
        return !ok;
    }
    const double gp = J->gg->p, gq = J->gg->q, gga = J->gg->gamma;
    for (size_t j = 0; j < n; j++) {
        double den = gp * x[j] + gq - 1, xz = x[j] * (x[j] > 0 ? z[j] : 0.0); /* no branch */
        ok &= (den > 0) & ((x[j] <= 0) | ((isfinite(z[j]) != 0) & (z[j] >= 0)));
        out[j] = mg * ((gga + xz) * gp / den) * pa[j] * F->ma[j];
    }
    return !ok;
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

/* Expected purchases and CLV of rows [i0, i1) whose P(alive) is F->pa[]:
 * the memo values of the chunk, then each output in a loop of its own,
 * streamed out. On an error, the rows before the failing one are written. */
static int chunk_values(const seg_job *J, seg_memo *M, seg_cache *C, seg_fast *F, size_t i0, size_t i1,
                        size_t *bad) {
    size_t n;
    int rc = chunk_memo(J, M, C, F, i0, i1 - i0, &n);
    *bad = i0 + n;
    if (J->clv && chunk_clv(J, F, i0, n, F->pa, F->lt)) {
        int rv = values_error(J, i0, n, bad);
        if (rv) {
            rc = rv;
            n = *bad - i0;
        }
    }
    if (J->expected) {
        for (size_t j = 0; j < n; j++) F->lT[j] = F->pa[j] * F->me[j];
        copy_out(J->expected + i0, F->lT, n);
    }
    if (J->clv) copy_out(J->clv + i0, F->lt, n);
    return rc;
}

static int score_rows(const seg_job *J, seg_fast *F, seg_memo *M, seg_cache *C) {
    int rc = FU_OK;
    for (size_t i0 = 0; i0 < J->n; i0 += SEG_CHUNK) {
        size_t i1 = J->n - i0 < SEG_CHUNK ? J->n : i0 + SEG_CHUNK, bad = 0;
        if ((rc = rows_check(J->x, J->t_x, J->T, i0, i1, F->pos, &F->npos)) != FU_OK) break;
        rc = J->ops->alive_rows(J->model, F, J->x + i0, J->t_x + i0, J->T + i0, i1 - i0, F->pa, &bad);
        if (rc) {
            bad += i0;
        } else {
            if (J->p_alive) copy_out(J->p_alive + i0, F->pa, i1 - i0);
            if (J->expected || J->clv) rc = chunk_values(J, M, C, F, i0, i1, &bad);
        }
        if (rc) {
            if (J->bad_row) *J->bad_row = bad;
            else fu__error_prefix("customer %zu", bad);
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
    return J->gg ? fu__seg_check_gg(J->gg) : FU_OK;
}

static int score_generic(const void *model, const seg_model_ops *ops, const fu_segment_gammagamma *gg,
                         const double *x, const double *t_x, const double *T, const double *zbar, size_t n,
                         const fu_segment_score_options *opts, double *p_alive, double *expected, double *clv,
                         size_t *bad_row) {
    if (!model) return fu__error_set(FU_EINVAL, "model is NULL");
    int rc = ops->check(model);
    if (rc) return rc;
    seg_job J = {model, ops, gg, x, t_x, T, zbar, n, FU_SEGMENT_SCORE_OPTIONS_INIT, p_alive, expected, clv, bad_row};
    rc = FU_OPTIONS_COPY(&J.o, opts, FU_SEGMENT_SCORE_OPTIONS_VERSION, "score options");
    if (!rc) rc = score_options(&J);
    if (rc || n == 0) return rc;
    seg_fast *F = fu__malloc(sizeof *F);
    seg_memo M = {NULL, 0, 0, 0};
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
    return score_generic(m, &bg_ops, gg, x, t_x, T, zbar, n, opts, p_alive, expected, clv, NULL);
}

int fu_segment_pareto_score(const fu_segment_pareto *m, const fu_segment_gammagamma *gg, const double *x,
                            const double *t_x, const double *T, const double *zbar, size_t n,
                            const fu_segment_score_options *opts, double *p_alive, double *expected, double *clv) {
    return score_generic(m, &pn_ops, gg, x, t_x, T, zbar, n, opts, p_alive, expected, clv, NULL);
}

int fu__segment_score_rows(int pareto, const void *m, const fu_segment_gammagamma *gg, const double *x,
                           const double *t_x, const double *T, const double *zbar, size_t n,
                           const fu_segment_score_options *opts, double *p_alive, double *expected, double *clv,
                           size_t *bad_row) {
    *bad_row = SIZE_MAX;
    return score_generic(m, pareto ? &pn_ops : &bg_ops, gg, x, t_x, T, zbar, n, opts, p_alive, expected, clv,
                         bad_row);
}
