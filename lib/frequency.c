/* Contact frequency: discrete-time hazard curves of a positive outcome by
 * attempt number and spacing, the probability of a negative outcome by
 * contact load, and the cap and spacing where one more contact stops paying.
 * docs/frequency.md has the model and its formulas. */
#include "internal.h"
#include "book_decode.h"
#include "errtext.h"
#include "utf8_internal.h"

#include "followup/besttime.h"
#include "followup/frequency.h"
#include "followup/kpi.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define G_BINS FU_FREQUENCY_GAP_BINS
#define L_BINS FU_FREQUENCY_LOAD_BINS
#define L_CELLS ((L_BINS + 1) * (L_BINS + 1) * (L_BINS + 1)) /* 0 = unknown load */
#define N_NEG_FEAT (1 + 3 * L_BINS)
#define MAX_SEGMENTS 65536u
#define SEG_ADJUST_MAX 64 /* up to this many segments enter the spacing model */
#define DAY 86400.0

/* ------------------------------------------------------------------ bins */

/* Spacing bins: none, unknown, then [edge[i], edge[i+1]) days. */
static const double gap_edges[] = {0, 1, 2, 4, 7, 14, 30, 90, 180};
static const char *const gap_names[G_BINS] = {"none", "unknown", "0-1d", "1-2d",  "2-4d", "4-7d",
                                              "7-14d", "14-30d", "30-90d", "90-180d", "180d+"};
#define N_EDGES ((int)(sizeof gap_edges / sizeof gap_edges[0]))

static int gap_bin(double gap_days) {
    if (gap_days != gap_days) return 1; /* NaN: unknown */
    if (gap_days < 0) return gap_days > -1.5 ? 0 : 1;
    int b = N_EDGES - 1;
    while (b > 0 && gap_days < gap_edges[b]) b--;
    return 2 + b;
}

/* Spacing a cadence in bin b uses: its lower edge (12 h for the first). */
static double gap_bin_days(int b) { return b == 2 ? 0.5 : gap_edges[b - 2]; }

/* Load bins per window: upper bounds of bins 1..L_BINS (the last is open). */
static const unsigned load_upper[3][L_BINS] = {
    {1, 2, 3, 4, 0xFFFFu}, {1, 2, 4, 7, 0xFFFFu}, {2, 4, 8, 15, 0xFFFFu}};
static const char *const load_names[3][L_BINS] = {
    {"1", "2", "3", "4", "5+"}, {"1", "2", "3-4", "5-7", "8+"}, {"1-2", "3-4", "5-8", "9-15", "16+"}};
static const char *const load_curve[3] = {"negative_72h", "negative_7d", "negative_30d"};

static int load_bin(int w, unsigned v) {
    if (v == 0) return 0;
    int b = 0;
    while (b < L_BINS - 1 && v > load_upper[w][b]) b++;
    return b + 1;
}

static int load_cell(unsigned l72, unsigned l7, unsigned l30) {
    return (load_bin(0, l72) * (L_BINS + 1) + load_bin(1, l7)) * (L_BINS + 1) + load_bin(2, l30);
}

const char *fu_frequency_gap_bin_name(int bin) {
    return bin >= 0 && bin < G_BINS ? gap_names[bin] : NULL;
}

/* ----------------------------------------------------------------- model */

typedef struct cell {
    double n, x;
} cell;

struct fu_frequency {
    size_t S;        /* segments */
    uint32_t K;      /* attempt bins */
    double level, z; /* interval level and its normal quantile */
    int monotone;
    double mono_deviance; /* raw vs monotone population curve */
    int mono_df;
    char **names;
    /* hazard: per segment and k bin */
    cell *seg_k;        /* raw counts, S * K */
    double *hz_mean;    /* posterior mean (after PAV), S * K */
    double *hz_strength; /* alpha + beta of the posterior, S * K */
    double *k_strength; /* fitted prior strength per k bin, K */
    cell *pop_k;        /* raw population counts, K */
    cell *pop_kg;       /* population counts per k bin and gap bin, K * G_BINS */
    double gap_coef[G_BINS]; /* logistic spacing coefficients */
    double gap_se[G_BINS];
    cell *seg_kg;       /* per segment, k bin and gap bin (S <= SEG_ADJUST_MAX), or NULL */
    double *gap_mean_sk; /* mean spacing coefficient of a segment's attempts at each k bin, S * K */
    double rate_all;    /* overall positive rate (constant baseline) */
    double *pop_mu;     /* population curve (prior mean of the segments), K */
    /* negative outcomes */
    double neg_coef[N_NEG_FEAT];
    double neg_cov[N_NEG_FEAT * N_NEG_FEAT];
    double neg_mix[3];  /* mean load coefficient per window (unknown loads) */
    cell load_count[3][L_BINS + 1];
    uint32_t *seg_max_k; /* longest series (largest k) seen per segment */
    cell *seg_neg;      /* per segment n, x */
    double *seg_neg_offset; /* shrunk segment level on the logit scale */
    double neg_strength;
};

FU_DEFINE_INIT(fu_frequency_options_init, fu_frequency_options, FU_FREQUENCY_OPTIONS_INIT)

FU_DEFINE_INIT(fu_frequency_recommend_options_init, fu_frequency_recommend_options, FU_FREQUENCY_RECOMMEND_OPTIONS_INIT)

void fu_frequency_free(fu_frequency *m) {
    if (!m) return;
    if (m->names)
        for (size_t s = 0; s < m->S; s++) fu__free(m->names[s]);
    FU_FREE_ALL(m->names, m->seg_k, m->hz_mean, m->hz_strength, m->k_strength, m->pop_k, m->pop_kg, m->seg_kg,
                m->gap_mean_sk, m->pop_mu, m->seg_max_k, m->seg_neg, m->seg_neg_offset, m);
}

static double logit(double p) { return log(p / (1.0 - p)); }
static double expit(double x) {
    return x >= 0 ? 1.0 / (1.0 + exp(-x)) : exp(x) / (1.0 + exp(x));
}
static double clamp01(double p) { return p < 1e-12 ? 1e-12 : p > 1 - 1e-12 ? 1 - 1e-12 : p; }

/* --------------------------------------------- penalized logistic on cells */

/* A cell of a logistic design: up to 4 active binary features besides the
 * intercept (feature 0), -1 for none. */
typedef struct lcell {
    double n, x;
    int f[4];
} lcell;

/* Cholesky factorisation of the p x p matrix a (in place, lower); 0 or -1. */
static int cholesky(double *a, int p) {
    for (int j = 0; j < p; j++) {
        double d = a[j * p + j];
        for (int k = 0; k < j; k++) d -= a[j * p + k] * a[j * p + k];
        if (!(d > 0)) return -1;
        d = sqrt(d);
        a[j * p + j] = d;
        for (int i = j + 1; i < p; i++) {
            double v = a[i * p + j];
            for (int k = 0; k < j; k++) v -= a[i * p + k] * a[j * p + k];
            a[i * p + j] = v / d;
        }
    }
    return 0;
}

/* Solve L L' x = b in place. */
static void chol_solve(const double *l, int p, double *b) {
    for (int i = 0; i < p; i++) {
        double v = b[i];
        for (int k = 0; k < i; k++) v -= l[i * p + k] * b[k];
        b[i] = v / l[i * p + i];
    }
    for (int i = p - 1; i >= 0; i--) {
        double v = b[i];
        for (int k = i + 1; k < p; k++) v -= l[k * p + i] * b[k];
        b[i] = v / l[i * p + i];
    }
}

static double lcell_eta(const lcell *c, const double *beta) {
    double eta = beta[0];
    for (int j = 0; j < 4 && c->f[j] >= 0; j++) eta += beta[c->f[j]];
    return eta;
}

/* Newton's method for the ridge-penalized binomial likelihood (no penalty on
 * the intercept). `cov` (p x p) receives the inverse Hessian at the optimum.
 * `work` holds 2 p^2 + 2 p doubles. */
/* Penalized log likelihood of the cells at beta. */
static double logistic_objective(const lcell *cells, size_t nc, int p, double ridge,
                                 const double *beta) {
    double f = 0;
    for (size_t c = 0; c < nc; c++) {
        if (cells[c].n <= 0) continue;
        double eta = lcell_eta(&cells[c], beta);
        double log1pe = eta > 0 ? eta + log1p(exp(-eta)) : log1p(exp(eta));
        f += cells[c].x * eta - cells[c].n * log1pe;
    }
    for (int j = 1; j < p; j++) f -= 0.5 * ridge * beta[j] * beta[j];
    return f;
}

/* Gradient g and information matrix h of the penalized likelihood. */
static void logistic_derivatives(const lcell *cells, size_t nc, int p, double ridge,
                                 const double *beta, double *g, double *h) {
    memset(h, 0, sizeof(double) * (size_t)(p * p));
    for (int j = 0; j < p; j++) g[j] = j ? -ridge * beta[j] : 0.0;
    for (int j = 1; j < p; j++) h[j * p + j] = ridge;
    h[0] += 1e-9;
    for (size_t c = 0; c < nc; c++) {
        if (cells[c].n <= 0) continue;
        double pr = expit(lcell_eta(&cells[c], beta));
        double r = cells[c].x - cells[c].n * pr, w = cells[c].n * pr * (1 - pr);
        int idx[5] = {0, -1, -1, -1, -1}, ni = 1;
        for (int j = 0; j < 4 && cells[c].f[j] >= 0; j++) idx[ni++] = cells[c].f[j];
        for (int a = 0; a < ni; a++) {
            g[idx[a]] += r;
            for (int b = 0; b < ni; b++) h[idx[a] * p + idx[b]] += w;
        }
    }
}

/* Newton's method with step halving for the ridge-penalized binomial
 * likelihood (no penalty on the intercept): the objective is strictly
 * concave, so it converges from any start. `cov` (p x p) receives the
 * inverse information at the optimum. `work` holds 2 p^2 + 3 p doubles. */
static int logistic_fit(const lcell *cells, size_t nc, int p, double ridge, double *beta,
                        double *cov, double *work) {
    double *h = work, *l = work + p * p, *g = work + 2 * p * p, *col = g + p, *trial = col + p;
    double f = logistic_objective(cells, nc, p, ridge, beta);
    for (int it = 0; it < 200; it++) {
        logistic_derivatives(cells, nc, p, ridge, beta, g, h);
        memcpy(l, h, sizeof(double) * (size_t)(p * p));
        if (cholesky(l, p)) return fu__error_set(FU_ECONVERGE, "logistic fit: singular information matrix");
        chol_solve(l, p, g);
        double t = 1, ft = f, step = 0;
        for (int half = 0; half < 60; half++, t *= 0.5) {
            for (int j = 0; j < p; j++) trial[j] = beta[j] + t * g[j];
            ft = logistic_objective(cells, nc, p, ridge, trial);
            if (ft >= f - 1e-12 * fabs(f)) break;
        }
        for (int j = 0; j < p; j++) {
            if (fabs(trial[j] - beta[j]) > step) step = fabs(trial[j] - beta[j]);
            beta[j] = trial[j];
        }
        f = ft;
        if (step < 1e-8) {
            for (int j = 0; j < p; j++) {
                memset(col, 0, sizeof(double) * (size_t)p);
                col[j] = 1;
                chol_solve(l, p, col);
                for (int i = 0; i < p; i++) cov[i * p + j] = col[i];
            }
            return FU_OK;
        }
    }
    return fu__error_set(FU_ECONVERGE, "logistic fit: no convergence in 200 Newton steps");
}

/* ------------------------------------------------------ monotone smoothing */

/* Pool-adjacent-violators: the non-increasing sequence closest to y in
 * weighted least squares, in place. `wk` holds 3 n doubles. */
static void pav_decreasing(double *y, const double *w, size_t n, double *wk) {
    double *bv = wk, *bw = wk + n, *bl = wk + 2 * n; /* block value, weight, length */
    size_t nb = 0;
    for (size_t i = 0; i < n; i++) {
        bv[nb] = y[i];
        bw[nb] = w[i] > 0 ? w[i] : 1e-12;
        bl[nb] = 1;
        nb++;
        while (nb > 1 && bv[nb - 2] < bv[nb - 1]) {
            double ww = bw[nb - 2] + bw[nb - 1];
            bv[nb - 2] = (bv[nb - 2] * bw[nb - 2] + bv[nb - 1] * bw[nb - 1]) / ww;
            bw[nb - 2] = ww;
            bl[nb - 2] += bl[nb - 1];
            nb--;
        }
    }
    size_t i = 0;
    for (size_t b = 0; b < nb; b++)
        for (size_t j = 0; j < (size_t)bl[b]; j++) y[i++] = bv[b];
}

static double binom_dev(double x, double n, double p) {
    double d = 0;
    if (x > 0) d += x * log(x / (n * p));
    if (n - x > 0) d += (n - x) * log((n - x) / (n * (1 - p)));
    return 2 * d;
}

/* Upper 95% point of chi-square with df degrees of freedom (Wilson-Hilferty). */
static double chi2_95(int df) {
    double a = 2.0 / (9.0 * df), t = 1 - a + 1.6448536269514722 * sqrt(a);
    return df * t * t * t;
}

/* Decide whether the population curve is non-increasing in k: the deviance
 * of the pooled-adjacent-violators fit against the raw rates stays below the
 * chi-square 95% point with (bins - blocks) degrees of freedom. `mu`
 * receives the population curve used as the prior mean. */
static void decide_monotone(fu_frequency *m, unsigned flags, double *mu, double *wk) {
    uint32_t K = m->K;
    double *w = wk + 3 * K;
    for (uint32_t k = 0; k < K; k++) {
        mu[k] = (m->pop_k[k].x + 0.5 * m->rate_all) / (m->pop_k[k].n + 0.5);
        w[k] = m->pop_k[k].n;
    }
    double *pv = w + K;
    memcpy(pv, mu, sizeof(double) * K);
    pav_decreasing(pv, w, K, wk);
    double dev = 0;
    int blocks = 0, used = 0;
    for (uint32_t k = 0; k < K; k++) {
        if (m->pop_k[k].n <= 0) continue;
        used++;
        if (k == 0 || pv[k] != pv[k - 1]) blocks++;
        dev += binom_dev(m->pop_k[k].x, m->pop_k[k].n, clamp01(pv[k])) -
               binom_dev(m->pop_k[k].x, m->pop_k[k].n, clamp01(mu[k]));
    }
    m->mono_df = used - blocks;
    m->mono_deviance = dev > 0 ? dev : 0;
    if (flags & FU_FREQUENCY_NO_MONOTONE) m->monotone = 0;
    else if (flags & FU_FREQUENCY_FORCE_MONOTONE) m->monotone = 1;
    else m->monotone = m->mono_df == 0 || m->mono_deviance <= chi2_95(m->mono_df);
    if (m->monotone) memcpy(mu, pv, sizeof(double) * K);
}

/* ---------------------------------------------------- empirical Bayes step */

/* Beta-binomial prior strength by the method of moments over the groups
 * (x[i] successes of n[i]) around the mean mu: the between-group variance
 * tau^2 = (sum n (p - mu)^2 - (g - 1) mu (1 - mu)) / (N - sum n^2 / N),
 * strength = mu (1 - mu) / tau^2 - 1, clamped; fewer than two groups or no
 * excess variance: the largest strength (pool fully). */
static double mom_strength(const cell *c, size_t g, size_t stride, double mu, double lo,
                           double hi) {
    double N = 0, N2 = 0, ss = 0;
    size_t used = 0;
    for (size_t i = 0; i < g; i++) {
        const cell *ci = &c[i * stride];
        if (ci->n <= 0) continue;
        double p = ci->x / ci->n;
        N += ci->n;
        N2 += ci->n * ci->n;
        ss += ci->n * (p - mu) * (p - mu);
        used++;
    }
    if (used < 2 || mu <= 0 || mu >= 1) return hi;
    double tau2 = (ss - (double)(used - 1) * mu * (1 - mu)) / (N - N2 / N);
    if (!(tau2 > 0)) return hi;
    double s = mu * (1 - mu) / tau2 - 1;
    return s < lo ? lo : s > hi ? hi : s;
}

/* One prior strength for the whole hazard table by the method of moments,
 * pooled over the k bins (a bin alone has too few segments): with
 * standardized squares z = n (p - mu_k)^2 / (mu_k (1 - mu_k)), E[sum z] =
 * sum_k (g_k - 1) + sum_k (N_k - sum n^2 / N_k) / (strength + 1). */
static double pooled_strength(const fu_frequency *m, const double *mu, double lo, double hi) {
    double zs = 0, df = 0, den = 0;
    for (uint32_t k = 0; k < m->K; k++) {
        double N = 0, N2 = 0, z = 0, g = 0;
        if (!(mu[k] > 0 && mu[k] < 1)) continue;
        for (size_t s = 0; s < m->S; s++) {
            const cell *c = &m->seg_k[s * m->K + k];
            if (c->n <= 0) continue;
            double p = c->x / c->n;
            N += c->n;
            N2 += c->n * c->n;
            z += c->n * (p - mu[k]) * (p - mu[k]) / (mu[k] * (1 - mu[k]));
            g++;
        }
        if (g < 2) continue;
        zs += z;
        df += g - 1;
        den += N - N2 / N;
    }
    if (!(den > 0) || zs <= df) return hi;
    double st = den / (zs - df) - 1;
    return st < lo ? lo : st > hi ? hi : st;
}

/* Per-segment hazard tables: shrink each segment's k bin to the population
 * curve mu (a prior never stronger than the population bin it comes from),
 * then make each segment non-increasing when the model is. */
static void shrink_hazards(fu_frequency *m, const double *mu, double lo, double hi, double *wk) {
    size_t S = m->S;
    uint32_t K = m->K;
    double *y = wk + 3 * K, *w = y + K;
    double pooled = pooled_strength(m, mu, lo, hi);
    for (uint32_t k = 0; k < K; k++) {
        double st = pooled < m->pop_k[k].n + 1 ? pooled : m->pop_k[k].n + 1;
        m->k_strength[k] = st;
        for (size_t s = 0; s < S; s++) {
            const cell *c = &m->seg_k[s * K + k];
            m->hz_mean[s * K + k] = (c->x + st * mu[k]) / (c->n + st);
            m->hz_strength[s * K + k] = c->n + st;
        }
    }
    if (!m->monotone) return;
    for (size_t s = 0; s < S; s++) {
        memcpy(y, m->hz_mean + s * K, sizeof(double) * K);
        memcpy(w, m->hz_strength + s * K, sizeof(double) * K);
        pav_decreasing(y, w, K, wk);
        memcpy(m->hz_mean + s * K, y, sizeof(double) * K);
    }
}

/* --------------------------------------------------------------- fitting */

static int validate_options(const fu_frequency_options *o) {
    if (o->version < 1 || o->version > FU_FREQUENCY_OPTIONS_VERSION)
        return fu__error_set(FU_EINVAL, "frequency options: unknown version %u", o->version);
    if (o->flags & ~7u) return fu__error_set(FU_EINVAL, "frequency options: unknown flags 0x%x", o->flags);
    if (o->max_k > 64) return fu__error_set(FU_EINVAL, "frequency options: max_k %u is above 64", o->max_k);
    if (!(o->level >= 0 && o->level < 1))
        return fu__error_set(FU_EINVAL, "frequency options: level must lie in (0, 1), or 0 for 0.9");
    if (!(o->min_strength >= 0) || !(o->max_strength >= 0) ||
        (o->max_strength > 0 && o->max_strength < o->min_strength))
        return fu__error_set(FU_EINVAL, "frequency options: bad strength bounds");
    if (o->ridge != o->ridge) return fu__error_set(FU_EINVAL, "frequency options: ridge is NaN");
    if ((unsigned)o->positive > FU_FREQUENCY_RESOLVED)
        return fu__error_set(FU_EINVAL, "frequency options: unknown positive outcome %d", (int)o->positive);
    if (o->outcome_window < 0 || o->negative_window < 0 || o->episode_gap < 0)
        return fu__error_set(FU_EINVAL, "frequency options: windows must be >= 0");
    return FU_OK;
}

static int model_alloc(fu_frequency **out, size_t S, uint32_t K, const char *const *names) {
    fu_frequency *m = fu__calloc(1, sizeof *m);
    if (!m) return fu__error_nomem();
    m->S = S;
    m->K = K;
    m->names = fu__calloc(S, sizeof(char *));
    m->seg_k = fu__calloc(S * K, sizeof(cell));
    m->hz_mean = fu__calloc(S * K, sizeof(double));
    m->hz_strength = fu__calloc(S * K, sizeof(double));
    m->k_strength = fu__calloc(K, sizeof(double));
    m->pop_k = fu__calloc(K, sizeof(cell));
    m->pop_kg = fu__calloc((size_t)K * G_BINS, sizeof(cell));
    m->gap_mean_sk = fu__calloc(S * K, sizeof(double));
    if (S <= SEG_ADJUST_MAX) m->seg_kg = fu__calloc(S * K * G_BINS, sizeof(cell));
    m->pop_mu = fu__calloc(K, sizeof(double));
    m->seg_max_k = fu__calloc(S, sizeof(uint32_t));
    m->seg_neg = fu__calloc(S, sizeof(cell));
    m->seg_neg_offset = fu__calloc(S, sizeof(double));
    int bad = !m->names || !m->seg_k || !m->hz_mean || !m->hz_strength || !m->k_strength ||
              !m->pop_k || !m->pop_kg || !m->gap_mean_sk || (S <= SEG_ADJUST_MAX && !m->seg_kg) || !m->pop_mu || !m->seg_max_k || !m->seg_neg || !m->seg_neg_offset;
    for (size_t s = 0; s < S && !bad; s++) {
        char num[32];
        const char *nm = names ? names[s] : NULL;
        if (!nm) {
            snprintf(num, sizeof num, "%zu", s);
            nm = num;
        }
        m->names[s] = fu__strdup(nm);
        bad = !m->names[s];
    }
    if (bad) {
        fu_frequency_free(m);
        return fu__error_nomem();
    }
    *out = m;
    return FU_OK;
}

/* One pass over the attempts: the count tables. */
static int count_attempts(fu_frequency *m, const fu_frequency_attempt *a, size_t n,
                          const uint8_t *test, cell *neg_cells) {
    uint32_t K = m->K;
    size_t used = 0;
    for (size_t i = 0; i < n; i++) {
        if (test && test[i]) continue;
        const fu_frequency_attempt *t = &a[i];
        if (t->segment >= m->S)
            return fu__error_set(FU_EINVAL, "attempt %zu: segment %u is not below the segment count %zu", i,
                                 t->segment, m->S);
        if (t->k == 0) return fu__error_set(FU_EINVAL, "attempt %zu: k must be >= 1", i);
        uint32_t kb = (t->k < K ? t->k : K) - 1;
        if (t->k > m->seg_max_k[t->segment]) m->seg_max_k[t->segment] = t->k;
        double pos = t->positive ? 1.0 : 0.0, neg = t->negative ? 1.0 : 0.0;
        cell *c = &m->seg_k[(size_t)t->segment * K + kb];
        c->n += 1;
        c->x += pos;
        size_t gb = (size_t)gap_bin(t->gap_days);
        c = &m->pop_kg[(size_t)kb * G_BINS + gb];
        c->n += 1;
        c->x += pos;
        if (m->seg_kg) {
            c = &m->seg_kg[((size_t)t->segment * K + kb) * G_BINS + gb];
            c->n += 1;
            c->x += pos;
        }
        c = &neg_cells[load_cell(t->load_72h, t->load_7d, t->load_30d)];
        c->n += 1;
        c->x += neg;
        m->seg_neg[t->segment].n += 1;
        m->seg_neg[t->segment].x += neg;
        used++;
    }
    if (used == 0)
        return fu__error_set(FU_EINVAL, "no contact attempt to fit (%zu given, all held out or none)", n);
    return FU_OK;
}

/* Mean spacing coefficient of the attempts of each segment at each k bin
 * (the population's when the segments are not counted by spacing). */
static void gap_means(fu_frequency *m) {
    for (size_t sg = 0; sg < m->S; sg++)
        for (uint32_t k = 0; k < m->K; k++) {
            const cell *c = m->seg_kg ? &m->seg_kg[(sg * m->K + k) * G_BINS] : &m->pop_kg[k * G_BINS];
            double sw = 0, sc = 0;
            for (int g = 0; g < G_BINS; g++) {
                sw += c[g].n;
                sc += c[g].n * m->gap_coef[g];
            }
            if (sw <= 0) { /* no attempt of the segment here: the population's mix */
                c = &m->pop_kg[k * G_BINS];
                for (int g = 0; g < G_BINS; g++) {
                    sw += c[g].n;
                    sc += c[g].n * m->gap_coef[g];
                }
            }
            m->gap_mean_sk[sg * m->K + k] = sw > 0 ? sc / sw : 0;
        }
}

/* Logistic model of the hazard in k bins and spacing bins, with a level per
 * segment when there are at most SEG_ADJUST_MAX of them (so the spacing
 * effect is not the segments' difference in disguise); keeps the spacing
 * coefficients. */
static int fit_gap_effects(fu_frequency *m, double ridge) {
    uint32_t K = m->K;
    size_t S = m->seg_kg && m->S > 1 ? m->S : 1;
    int p = 1 + (int)K + G_BINS + (S > 1 ? (int)S : 0);
    size_t nc = S * K * G_BINS + 1;
    lcell *cells = fu__calloc(nc, sizeof(lcell));
    double *beta = fu__calloc((size_t)p * (size_t)p + (size_t)p, sizeof(double));
    double *work = fu__calloc(2 * (size_t)p * (size_t)p + 3 * (size_t)p, sizeof(double));
    if (!cells || !beta || !work) {
        FU_FREE_ALL(cells, beta, work);
        return fu__error_nomem();
    }
    double *cov = beta + p;
    for (size_t sg = 0; sg < S; sg++)
        for (uint32_t k = 0; k < K; k++)
            for (int g = 0; g < G_BINS; g++) {
                size_t i = (sg * K + k) * G_BINS + (size_t)g;
                const cell *src = S > 1 ? &m->seg_kg[i] : &m->pop_kg[k * G_BINS + (uint32_t)g];
                lcell *c = &cells[i];
                c->n = src->n;
                c->x = src->x;
                c->f[0] = 1 + (int)k;
                c->f[1] = 1 + (int)K + g;
                c->f[2] = S > 1 ? 1 + (int)K + G_BINS + (int)sg : -1;
                c->f[3] = -1;
            }
    /* half a pseudo-attempt at the overall rate keeps an all-zero table finite */
    lcell *ps = &cells[nc - 1];
    ps->n = 1;
    ps->x = 0.5;
    ps->f[0] = ps->f[1] = ps->f[2] = ps->f[3] = -1;
    beta[0] = logit(clamp01(m->rate_all));
    int rc = logistic_fit(cells, nc, p, ridge, beta, cov, work);
    if (rc == FU_OK) {
        for (int g = 0; g < G_BINS; g++) {
            int j = 1 + (int)K + g;
            m->gap_coef[g] = beta[j];
            m->gap_se[g] = sqrt(cov[j * p + j]);
        }
        gap_means(m);
    }
    FU_FREE_ALL(cells, beta, work);
    return rc;
}

/* Negative outcomes: additive logistic model in the three load bins on the
 * population, then a per-segment level shrunk to it. */
static int fit_negative(fu_frequency *m, const cell *pop_cells, const fu_frequency_attempt *a,
                        size_t n, const uint8_t *test, double ridge, double lo, double hi, double *work) {
    const int p = N_NEG_FEAT;
    lcell cells[L_CELLS + 1];
    memset(cells, 0, sizeof cells);
    double N = 0, X = 0;
    for (int c = 0; c < L_CELLS; c++) {
        int b[3] = {c / ((L_BINS + 1) * (L_BINS + 1)), (c / (L_BINS + 1)) % (L_BINS + 1), c % (L_BINS + 1)};
        for (int w = 0; w < 3; w++) cells[c].f[w] = b[w] ? 1 + w * L_BINS + (b[w] - 1) : -1;
        cells[c].f[3] = -1;
        cells[c].n = pop_cells[c].n;
        cells[c].x = pop_cells[c].x;
        for (int w = 0; w < 3; w++) {
            m->load_count[w][b[w]].n += cells[c].n;
            m->load_count[w][b[w]].x += cells[c].x;
        }
        N += cells[c].n;
        X += cells[c].x;
    }
    cells[L_CELLS].n = 1;
    cells[L_CELLS].x = 0.5;
    cells[L_CELLS].f[0] = cells[L_CELLS].f[1] = cells[L_CELLS].f[2] = cells[L_CELLS].f[3] = -1;
    memset(m->neg_coef, 0, sizeof m->neg_coef);
    m->neg_coef[0] = logit(clamp01((X + 0.5) / (N + 1)));
    int rc = logistic_fit(cells, L_CELLS + 1, p, ridge, m->neg_coef, m->neg_cov, work);
    if (rc) return rc;
    for (int w = 0; w < 3; w++) {
        double sw = 0, sc = 0;
        for (int b = 1; b <= L_BINS; b++) {
            sw += m->load_count[w][b].n;
            sc += m->load_count[w][b].n * m->neg_coef[1 + w * L_BINS + b - 1];
        }
        m->neg_mix[w] = sw > 0 ? sc / sw : 0;
    }
    /* Segment levels: observed negatives against those the population model
     * expects for the segment's own loads (a second pass over the attempts,
     * summing the offsets' slot first), shrunk by a beta-binomial prior. */
    double mu = (X + 0.5) / (N + 1), pc[L_CELLS];
    for (int c = 0; c < L_CELLS; c++) pc[c] = expit(lcell_eta(&cells[c], m->neg_coef));
    m->neg_strength = mom_strength(m->seg_neg, m->S, 1, mu, lo, hi);
    double *e = m->seg_neg_offset;
    for (size_t i = 0; i < n; i++)
        if (!test || !test[i]) e[a[i].segment] += pc[load_cell(a[i].load_72h, a[i].load_7d, a[i].load_30d)];
    for (size_t s = 0; s < m->S; s++) {
        double ns = m->seg_neg[s].n;
        if (ns <= 0) {
            e[s] = 0;
            continue;
        }
        double es = e[s] / ns;
        double r = (m->seg_neg[s].x + m->neg_strength * es) / (ns + m->neg_strength);
        e[s] = logit(clamp01(r)) - logit(clamp01(es));
    }
    return FU_OK;
}

int fu_frequency_fit(fu_frequency **out, const fu_frequency_attempt *a, size_t n,
                     const uint8_t *test, const char *const *names, size_t n_segments,
                     const fu_frequency_options *opts) {
    fu_frequency_options o = FU_FREQUENCY_OPTIONS_INIT;
    if (out) *out = NULL;
    if (!out || (!a && n)) return fu__error_set(FU_EINVAL, "fu_frequency_fit: %s is NULL", !out ? "out" : "a");
    if (opts) o = *opts;
    int rc = validate_options(&o);
    if (rc) return rc;
    if (n_segments == 0 || n_segments > MAX_SEGMENTS)
        return fu__error_set(FU_EINVAL, "frequency fit: segment count %zu must lie in 1..%u", n_segments,
                             MAX_SEGMENTS);
    uint32_t K = o.max_k ? o.max_k : 10;
    double lo = o.min_strength > 0 ? o.min_strength : 2, hi = o.max_strength > 0 ? o.max_strength : 1e5;
    double ridge = o.ridge >= 0 ? o.ridge : 1.0;
    fu_frequency *m = NULL;
    if ((rc = model_alloc(&m, n_segments, K, names))) return rc;
    m->level = o.level > 0 ? o.level : 0.9;
    fu_kpi_normal_quantile(0.5 + m->level / 2, &m->z);
    size_t p = N_NEG_FEAT; /* the spacing model allocates its own */
    size_t nwork = 2 * p * p + 3 * p + 8 * (size_t)K;
    cell *neg_cells = fu__calloc(L_CELLS, sizeof(cell));
    double *work = fu__calloc(nwork, sizeof(double)), *mu = fu__calloc(K, sizeof(double));
    if (!neg_cells || !work || !mu) rc = fu__error_nomem();
    if (!rc) rc = count_attempts(m, a, n, test, neg_cells);
    if (!rc) {
        double N = 0, X = 0;
        for (uint32_t k = 0; k < K; k++) {
            for (int g = 0; g < G_BINS; g++) {
                m->pop_k[k].n += m->pop_kg[k * G_BINS + (uint32_t)g].n;
                m->pop_k[k].x += m->pop_kg[k * G_BINS + (uint32_t)g].x;
            }
            N += m->pop_k[k].n;
            X += m->pop_k[k].x;
        }
        m->rate_all = (X + 0.5) / (N + 1);
        decide_monotone(m, o.flags, mu, work);
        memcpy(m->pop_mu, mu, sizeof(double) * K);
        shrink_hazards(m, mu, lo, hi, work);
        rc = fit_gap_effects(m, ridge);
    }
    if (!rc) rc = fit_negative(m, neg_cells, a, n, test, ridge, lo, hi, work);
    FU_FREE_ALL(neg_cells, work, mu);
    if (rc) {
        fu_frequency_free(m);
        return rc;
    }
    *out = m;
    return FU_OK;
}

/* --------------------------------------------------------------- queries */

size_t fu_frequency_segment_count(const fu_frequency *m) { return m ? m->S : 0; }
const char *fu_frequency_segment_name(const fu_frequency *m, size_t s) {
    return m && s < m->S ? m->names[s] : NULL;
}
uint32_t fu_frequency_max_k(const fu_frequency *m) { return m ? m->K : 0; }
int fu_frequency_is_monotone(const fu_frequency *m) { return m ? m->monotone : 0; }

/* Equal-tailed interval of Beta(mean s, (1 - mean) s). */
static void beta_interval(double mean, double s, double level, double *lo, double *hi) {
    double a = mean * s, b = (1 - mean) * s;
    if (!(a > 0) || !(b > 0)) {
        *lo = *hi = mean;
        return;
    }
    if (fu_besttime_beta_quantile((1 - level) / 2, a, b, lo)) *lo = mean;
    if (fu_besttime_beta_quantile((1 + level) / 2, a, b, hi)) *hi = mean;
}

static double hazard_shift(const fu_frequency *m, size_t segment, uint32_t kb, double gap_days) {
    if (gap_days != gap_days) return 0;
    return m->gap_coef[gap_bin(gap_days)] - m->gap_mean_sk[segment * m->K + kb];
}

int fu_frequency_hazard(const fu_frequency *m, size_t segment, uint32_t k, double gap_days,
                        fu_frequency_estimate *out) {
    if (!m || !out || segment >= m->S || k == 0)
        return fu__error_set(FU_EINVAL, "frequency hazard: bad model, segment, k or output");
    uint32_t kb = (k < m->K ? k : m->K) - 1;
    double mean = m->hz_mean[segment * m->K + kb], lo, hi;
    beta_interval(mean, m->hz_strength[segment * m->K + kb], m->level, &lo, &hi);
    double sh = hazard_shift(m, segment, kb, gap_days);
    out->p = expit(logit(clamp01(mean)) + sh);
    out->lo = expit(logit(clamp01(lo)) + sh);
    out->hi = expit(logit(clamp01(hi)) + sh);
    return FU_OK;
}

/* Linear predictor of a negative outcome and its standard error (the
 * population model's; the segment level is taken as known). */
static void negative_eta(const fu_frequency *m, size_t segment, unsigned l72, unsigned l7,
                         unsigned l30, double *eta, double *se) {
    const unsigned v[3] = {l72, l7, l30};
    double z[N_NEG_FEAT] = {1};
    double e = m->neg_coef[0] + m->seg_neg_offset[segment];
    for (int w = 0; w < 3; w++) {
        int b = load_bin(w, v[w]);
        if (b == 0) {
            e += m->neg_mix[w];
            continue;
        }
        z[1 + w * L_BINS + b - 1] = 1;
        e += m->neg_coef[1 + w * L_BINS + b - 1];
    }
    double var = 0;
    for (int i = 0; i < N_NEG_FEAT; i++)
        for (int j = 0; j < N_NEG_FEAT; j++) var += z[i] * z[j] * m->neg_cov[i * N_NEG_FEAT + j];
    *eta = e;
    *se = var > 0 ? sqrt(var) : 0;
}

int fu_frequency_negative(const fu_frequency *m, size_t segment, unsigned int load_72h,
                          unsigned int load_7d, unsigned int load_30d, fu_frequency_estimate *out) {
    if (!m || !out || segment >= m->S)
        return fu__error_set(FU_EINVAL, "frequency negative: bad model, segment or output");
    double eta, se;
    negative_eta(m, segment, load_72h, load_7d, load_30d, &eta, &se);
    out->p = expit(eta);
    out->lo = expit(eta - m->z * se);
    out->hi = expit(eta + m->z * se);
    return FU_OK;
}

int fu_frequency_predict(const fu_frequency *m, const fu_frequency_attempt *a, size_t n,
                         double *pos, double *neg) {
    if (!m || (!a && n)) return fu__error_set(FU_EINVAL, "fu_frequency_predict: %s is NULL", !m ? "m" : "a");
    for (size_t i = 0; i < n; i++) {
        const fu_frequency_attempt *t = &a[i];
        if (t->segment >= m->S || t->k == 0)
            return fu__error_set(FU_EINVAL, "attempt %zu: segment %u out of range or k = 0", i, t->segment);
        if (pos) {
            uint32_t kb = (t->k < m->K ? t->k : m->K) - 1;
            double mean = m->hz_mean[(size_t)t->segment * m->K + kb];
            pos[i] = expit(logit(clamp01(mean)) + hazard_shift(m, t->segment, kb, t->gap_days));
        }
        if (neg) {
            double eta, se;
            negative_eta(m, t->segment, t->load_72h, t->load_7d, t->load_30d, &eta, &se);
            neg[i] = expit(eta);
        }
    }
    return FU_OK;
}

int fu_frequency_contact_odds(const fu_frequency *m, size_t segment, const int64_t *history, size_t n,
                              int64_t last_positive, int64_t at, int64_t episode_gap,
                              fu_frequency_odds *out) {
    if (!m || !out || (!history && n) || segment >= m->S || episode_gap < 0)
        return fu__error_set(FU_EINVAL, "frequency contact odds: bad model, segment, history or output");
    for (size_t i = 0; i < n; i++)
        if (history[i] > at || (i && history[i] < history[i - 1]))
            return fu__error_set(FU_EINVAL, "frequency contact odds: history[%zu] is out of order or after the contact", i);
    int64_t gap_max = episode_gap ? episode_gap : 90 * 86400;
    static const int64_t window[3] = {3 * 86400, 7 * 86400, 30 * 86400};
    unsigned load[3] = {1, 1, 1};
    uint32_t k = 1;
    /* walk back over the episode: contacts after the last positive with no
     * pause longer than the episode gap */
    int64_t next = at;
    for (size_t i = n; i-- > 0;) {
        if (next - history[i] > gap_max) break;
        if (last_positive != FU_BOOK_NO_TIME && history[i] <= last_positive) break;
        k++;
        next = history[i];
    }
    for (size_t i = n; i-- > 0;)
        for (int w = 0; w < 3; w++)
            if (history[i] > at - window[w] && load[w] < 0xFFFFu) load[w]++;
    memset(out, 0, sizeof *out);
    out->k = k;
    out->gap_days = n ? (double)(at - history[n - 1]) / DAY : FU_FREQUENCY_GAP_NONE;
    out->load_72h = load[0];
    out->load_7d = load[1];
    out->load_30d = load[2];
    int rc = fu_frequency_hazard(m, segment, k, out->gap_days, &out->positive);
    if (!rc) rc = fu_frequency_negative(m, segment, load[0], load[1], load[2], &out->negative);
    return rc;
}

static double ll_term(double p, int y) {
    p = p < 1e-9 ? 1e-9 : p > 1 - 1e-9 ? 1 - 1e-9 : p;
    return -(y ? log(p) : log(1 - p));
}

int fu_frequency_evaluate(const fu_frequency *m, const fu_frequency_attempt *a, size_t n,
                          const uint8_t *test, fu_frequency_scores *out) {
    if (!m || !out || (!a && n))
        return fu__error_set(FU_EINVAL, "fu_frequency_evaluate: %s is NULL", !m ? "m" : !out ? "out" : "a");
    memset(out, 0, sizeof *out);
    double s[6] = {0};
    for (size_t i = 0; i < n; i++) {
        if (test && !test[i]) continue;
        double p;
        int rc = fu_frequency_predict(m, &a[i], 1, &p, NULL);
        if (rc) return fu__error_set(rc, "attempt %zu: segment %u out of range or k = 0", i, a[i].segment);
        int y = a[i].positive != 0;
        uint32_t kb = (a[i].k < m->K ? a[i].k : m->K) - 1;
        double pk = (m->pop_k[kb].x + 0.5 * m->rate_all) / (m->pop_k[kb].n + 0.5), pc = m->rate_all;
        s[0] += ll_term(p, y);
        s[1] += (p - y) * (p - y);
        s[2] += ll_term(pc, y);
        s[3] += (pc - y) * (pc - y);
        s[4] += ll_term(pk, y);
        s[5] += (pk - y) * (pk - y);
        out->attempts++;
        out->positives += (size_t)y;
    }
    if (out->attempts == 0) return fu__error_set(FU_EINVAL, "frequency evaluate: no attempt to score");
    double d = (double)out->attempts;
    out->log_loss = s[0] / d;
    out->brier = s[1] / d;
    out->log_loss_constant = s[2] / d;
    out->brier_constant = s[3] / d;
    out->log_loss_per_k = s[4] / d;
    out->brier_per_k = s[5] / d;
    return FU_OK;
}

/* splitmix64: the customer's hash for the hold-out split. */
static uint64_t mix64(uint64_t x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

int fu_frequency_split(const fu_frequency_attempt *a, size_t n, uint64_t seed, double fraction,
                       uint8_t *test) {
    if ((!a || !test) && n) return fu__error_set(FU_EINVAL, "fu_frequency_split: %s is NULL", !a ? "a" : "test");
    if (!(fraction >= 0 && fraction <= 1))
        return fu__error_set(FU_EINVAL, "frequency split: fraction must lie in [0, 1]");
    for (size_t i = 0; i < n; i++) {
        double u = (double)(mix64(mix64(seed) ^ a[i].customer) >> 11) * 0x1.0p-53;
        test[i] = u < fraction;
    }
    return FU_OK;
}

/* ----------------------------------------------------------- book input */

typedef struct book_scan {
    const fu_frequency_options *o;
    int64_t outcome_window, negative_window, episode_gap;
    int positive_kind; /* event kind of a positive, or -1: the answered outcome */
    size_t contacts, with_outcome, positive_events;
} book_scan;

static int counted_contact(const book_scan *bs, const fu_event *e) {
    if (e->kind != FU_EVENT_CONTACT) return 0;
    return bs->o->channels == 0 || (bs->o->channels & (1u << e->channel)) != 0;
}

/* Whether an event of `kind` follows contact i (at index `from` in ev) within
 * `window` seconds and before the next counted contact. */
static int followed_by(const book_scan *bs, const fu_event *ev, size_t from, size_t end, int kind,
                       int64_t window) {
    int64_t t = ev[from].at;
    for (size_t j = from + 1; j < end; j++) {
        if (ev[j].at - t > window) return 0;
        if (counted_contact(bs, &ev[j])) return 0;
        if (ev[j].kind == kind) return 1;
    }
    return 0;
}

static uint16_t load_count(const int64_t *times, size_t i, size_t *lo, int64_t window) {
    while (times[*lo] <= times[i] - window) (*lo)++;
    size_t c = i - *lo + 1;
    return (uint16_t)(c > 0xFFFFu ? 0xFFFFu : c);
}

/* The attempts of one customer (events ev[begin, end)). */
static int scan_customer(book_scan *bs, const fu_event *ev, size_t begin, size_t end, uint32_t cust,
                         uint32_t seg, int64_t **times, size_t *tcap, fu_frequency_attempt **out,
                         size_t *n, size_t *cap) {
    size_t nt = 0;
    for (size_t j = begin; j < end; j++) {
        if (bs->positive_kind >= 0 && ev[j].kind == bs->positive_kind) bs->positive_events++;
        if (!counted_contact(bs, &ev[j])) continue;
        if (FU_GROW(*times, *tcap, nt + 1)) return FU_ENOMEM;
        (*times)[nt++] = ev[j].at;
    }
    size_t ci = 0, lo[3] = {0, 0, 0};
    uint32_t k = 0;
    for (size_t j = begin; j < end; j++) {
        if (!counted_contact(bs, &ev[j])) continue;
        const fu_event *e = &ev[j];
        bs->contacts++;
        double gap = ci ? (double)(e->at - (*times)[ci - 1]) / DAY : FU_FREQUENCY_GAP_NONE;
        if (ci == 0 || e->at - (*times)[ci - 1] > bs->episode_gap) k = 0;
        k++;
        fu_frequency_attempt t;
        memset(&t, 0, sizeof t);
        t.customer = cust;
        t.segment = seg;
        t.k = k;
        t.gap_days = (float)gap;
        t.load_72h = load_count(*times, ci, &lo[0], 3 * 86400);
        t.load_7d = load_count(*times, ci, &lo[1], 7 * 86400);
        t.load_30d = load_count(*times, ci, &lo[2], 30 * 86400);
        ci++;
        int known = 1;
        if (bs->positive_kind < 0) {
            known = e->outcome != FU_OUTCOME_NONE;
            t.positive = e->outcome == FU_OUTCOME_ANSWERED;
        } else {
            t.positive = (uint8_t)followed_by(bs, ev, j, end, bs->positive_kind, bs->outcome_window);
        }
        t.negative = (uint8_t)((e->outcome == FU_OUTCOME_REFUSED &&
                                !(bs->o->flags & FU_FREQUENCY_REFUSAL_NOT_NEGATIVE)) ||
                               followed_by(bs, ev, j, end, FU_EVENT_COMPLAINT, bs->negative_window));
        if (t.positive) k = 0; /* the episode ends: the next contact is a first attempt */
        if (!known) continue;  /* no outcome: a contact for the loads, not an attempt */
        bs->with_outcome++;
        if (FU_GROW(*out, *cap, *n + 1)) return FU_ENOMEM;
        (*out)[(*n)++] = t;
    }
    return FU_OK;
}

int fu_frequency_attempts_from_book(fu_frequency_attempt **out, size_t *n, const fu_book *book,
                                    const uint32_t *segment, const fu_frequency_options *opts) {
    fu_frequency_options o = FU_FREQUENCY_OPTIONS_INIT;
    if (out) *out = NULL;
    if (n) *n = 0;
    if (!out || !n || !book)
        return fu__error_set(FU_EINVAL, "fu_frequency_attempts_from_book: %s is NULL",
                             !out ? "out" : !n ? "n" : "book");
    if (opts) o = *opts;
    int rc = validate_options(&o);
    if (rc) return rc;
    const size_t *off = fu_book_event_offsets(book);
    if (!off) return fu__error_set(FU_ESTATE, "frequency attempts: the book is not finalized");
    static const int kinds[] = {-1, FU_EVENT_PURCHASE, FU_EVENT_RESOLVED};
    book_scan bs = {&o, o.outcome_window ? o.outcome_window : 7 * 86400,
                    o.negative_window ? o.negative_window : 3 * 86400,
                    o.episode_gap ? o.episode_gap : 90 * 86400, kinds[o.positive], 0, 0, 0};
    fu__evbuf buf = {NULL, 0};
    const fu_event *ev;
    size_t nev;
    rc = fu__book_events_decode(book, &buf, &ev, &nev);
    size_t nc = fu_book_customer_count(book), cap = 0, tcap = 0;
    int64_t *times = NULL;
    fu_frequency_attempt *arr = NULL;
    for (size_t c = 0; c < nc && !rc; c++)
        rc = scan_customer(&bs, ev, off[c], off[c + 1], (uint32_t)c, segment ? segment[c] : 0, &times,
                           &tcap, &arr, n, &cap);
    fu__free(times);
    fu__evbuf_free(&buf);
    if (!rc && bs.contacts == 0)
        rc = fu__error_set(FU_EINVAL, "the history holds no contact events (kind contact%s)",
                           o.channels ? " on the chosen channels" : "");
    else if (!rc && bs.with_outcome == 0)
        rc = fu__error_set(FU_EINVAL,
                           "the history holds no outcomes: none of its %zu contacts has an outcome "
                           "(answered, no_answer, refused, voicemail)", bs.contacts);
    else if (!rc && bs.positive_kind >= 0 && bs.positive_events == 0)
        rc = fu__error_set(FU_EINVAL, "the history holds no outcomes: no %s event follows any contact",
                           fu_event_kind_name(bs.positive_kind));
    if (rc) {
        fu__free(arr);
        *n = 0;
        return rc;
    }
    *out = arr;
    return FU_OK;
}

/* ------------------------------------------------------ UCI bank data input */

static const char *const bank_segments[FU_FREQUENCY_BANK_SEGMENTS] = {"none", "failure", "other",
                                                                      "success"};

const char *fu_frequency_bank_segment_name(uint32_t s) {
    return s < FU_FREQUENCY_BANK_SEGMENTS ? bank_segments[s] : NULL;
}

typedef struct bank_reader {
    const char *path;
    unsigned long line;
    int col[4]; /* campaign, pdays, poutcome, y */
} bank_reader;

static const char *const bank_cols[4] = {"campaign", "pdays", "poutcome", "y"};

/* Split a ';' line into at most 64 fields (quotes stripped, in place). */
static int bank_split(char *line, char **f, size_t *start, int max) {
    int n = 0;
    char *p = line;
    for (;;) {
        if (n == max) return -1;
        start[n] = (size_t)(p - line);
        char *e = strchr(p, ';');
        if (e) *e = '\0';
        size_t len = strlen(p);
        if (len >= 2 && p[0] == '"' && p[len - 1] == '"') {
            p[len - 1] = '\0';
            p++;
        }
        f[n++] = p;
        if (!e) return n;
        p = e + 1;
    }
}

static int bank_header(bank_reader *br, char *line) {
    char *f[64];
    size_t st[64];
    int nf = bank_split(line, f, st, 64);
    /* a column named twice: which one is meant cannot be told (review s13 I12) */
    for (int i = 1; i < nf; i++)
        for (int j = 0; j < i; j++)
            if (strcmp(f[i], f[j]) == 0) {
                char q[FU_ERRTEXT_CELL_CAP];
                return fu__error_set_at(FU_EPARSE, br->path, 1, st[i] + 1, "",
                                        "column '%s' appears twice (fields %d and %d)",
                                        fu__errtext_cell_str(q, sizeof q, f[i]), j + 1, i + 1);
            }
    for (int c = 0; c < 4; c++) {
        br->col[c] = -1;
        for (int i = 0; i < nf; i++)
            if (strcmp(f[i], bank_cols[c]) == 0) br->col[c] = i;
        if (br->col[c] < 0)
            return fu__error_set_at(FU_EPARSE, br->path, 1, 1, bank_cols[c],
                                    "the header has no column '%s' (want the UCI bank-marketing "
                                    "layout: ';'-separated, campaign, pdays, poutcome, y)", bank_cols[c]);
    }
    return FU_OK;
}

static int bank_int(const bank_reader *br, const char *s, size_t col, int c, long lo, long hi,
                    long *out) {
    char *end = NULL;
    long v = strtol(s, &end, 10);
    char q[FU_ERRTEXT_CELL_CAP];
    if (!*s || *end || v < lo || v > hi)
        return fu__error_set_at(FU_EPARSE, br->path, br->line, col + 1, bank_cols[c],
                                "'%s' is not an integer in %ld..%ld", fu__errtext_cell_str(q, sizeof q, s), lo, hi);
    *out = v;
    return FU_OK;
}

static int bank_row(bank_reader *br, char *line, uint32_t cust, fu_frequency_attempt **out, size_t *n,
                    size_t *cap) {
    char *f[64];
    size_t st[64];
    size_t end = strlen(line); /* before bank_split cuts the line at each ';' */
    int nf = bank_split(line, f, st, 64);
    for (int c = 0; c < 4; c++)
        if (br->col[c] >= nf)
            return fu__error_set_at(FU_EPARSE, br->path, br->line, end + 1, bank_cols[c],
                                    "the row has %d fields, the column is number %d", nf, br->col[c] + 1);
    for (int c = 2; c < 4; c++) { /* the texts compared: name invalid UTF-8 by its byte */
        const char *t = f[br->col[c]];
        size_t bad = 0;
        if (!fu__utf8_valid(t, strlen(t), &bad))
            return fu__error_set_at(FU_EPARSE, br->path, br->line, (size_t)(t - line) + bad + 1, bank_cols[c],
                                    "invalid UTF-8 (byte 0x%02X)", (unsigned)(unsigned char)t[bad]);
    }
    long campaign = 0, pdays = 0; /* set by bank_int on success; initialised for -O3 -Wmaybe-uninitialized */
    int rc = bank_int(br, f[br->col[0]], st[br->col[0]], 0, 1, 10000, &campaign);
    if (!rc) rc = bank_int(br, f[br->col[1]], st[br->col[1]], 1, -1, 100000, &pdays);
    if (rc) return rc;
    const char *po = f[br->col[2]], *y = f[br->col[3]];
    char q[FU_ERRTEXT_CELL_CAP];
    uint32_t seg = 0;
    for (uint32_t s = 1; s < FU_FREQUENCY_BANK_SEGMENTS; s++)
        if (strcmp(po, bank_segments[s]) == 0) seg = s;
    if (seg == 0 && strcmp(po, "unknown") != 0 && strcmp(po, "nonexistent") != 0)
        return fu__error_set_at(FU_EPARSE, br->path, br->line, st[br->col[2]] + 1, "poutcome",
                                "'%s' is not one of unknown, nonexistent, failure, other, success",
                                fu__errtext_cell_str(q, sizeof q, po));
    int yes = strcmp(y, "yes") == 0;
    if (!yes && strcmp(y, "no") != 0)
        return fu__error_set_at(FU_EPARSE, br->path, br->line, st[br->col[3]] + 1, "y",
                                "'%s' is not yes or no", fu__errtext_cell_str(q, sizeof q, y));
    if (FU_GROW(*out, *cap, *n + (size_t)campaign)) return FU_ENOMEM;
    for (long k = 1; k <= campaign; k++) {
        fu_frequency_attempt *t = &(*out)[(*n)++];
        memset(t, 0, sizeof *t);
        t->customer = cust;
        t->segment = seg;
        t->k = (uint32_t)k;
        t->gap_days = k > 1 ? FU_FREQUENCY_GAP_UNKNOWN
                            : (pdays < 0 || pdays == 999) ? FU_FREQUENCY_GAP_NONE : (float)pdays;
        t->positive = (uint8_t)(yes && k == campaign);
    }
    return FU_OK;
}

/* Read the file in chunks, one line at a time (lines up to 64 KiB). */
int fu_frequency_read_bank_csv(fu_frequency_attempt **out, size_t *n, const char *path) {
    if (out) *out = NULL;
    if (n) *n = 0;
    if (!out || !n || !path)
        return fu__error_set(FU_EINVAL, "fu_frequency_read_bank_csv: %s is NULL", !out ? "out" : !n ? "n" : "path");
    FILE *fp = fopen(path, "rb");
    if (!fp) return fu__error_set_at(FU_EIO, path, 0, 0, "", "cannot open the file");
    enum { BUF = 1 << 16 };
    char *buf = fu__malloc(BUF + 1);
    if (!buf) {
        fclose(fp);
        return fu__error_nomem();
    }
    bank_reader br = {path, 0, {0, 0, 0, 0}};
    fu_frequency_attempt *arr = NULL;
    size_t have = 0, cap = 0;
    int rc = FU_OK, eof = 0;
    uint32_t cust = 0;
    while (!rc) {
        char *nl = memchr(buf, '\n', have);
        if (!nl && !eof) {
            if (have == BUF) {
                rc = fu__error_set_at(FU_ELIMIT, path, br.line + 1, 1, "", "a line is longer than 64 KiB");
                break;
            }
            size_t got = fread(buf + have, 1, BUF - have, fp);
            if (got == 0) {
                if (ferror(fp)) rc = fu__error_set_at(FU_EIO, path, br.line + 1, 1, "", "read failed");
                eof = 1;
            }
            have += got;
            continue;
        }
        if (!nl && have == 0) break;
        size_t len = nl ? (size_t)(nl - buf) : have;
        size_t real = len && buf[len - 1] == '\r' ? len - 1 : len;
        buf[real] = '\0';
        br.line++;
        if (strlen(buf) != real)
            rc = fu__error_set_at(FU_EPARSE, path, br.line, strlen(buf) + 1, "", "NUL byte in the line");
        else if (br.line == 1) rc = bank_header(&br, buf);
        else if (buf[0]) rc = bank_row(&br, buf, cust++, &arr, n, &cap);
        size_t used = nl ? len + 1 : have;
        memmove(buf, buf + used, have - used);
        have -= used;
    }
    fclose(fp);
    fu__free(buf);
    if (!rc && *n == 0) rc = fu__error_set_at(FU_EPARSE, path, br.line, 1, "", "no data row");
    if (rc) {
        fu__free(arr);
        *n = 0;
        return rc;
    }
    *out = arr;
    return FU_OK;
}

/* -------------------------------------------------------- recommendations */

typedef struct rec_ctx {
    double value, cost, complaint_cost, horizon_days;
    uint32_t max_cap;
} rec_ctx;

typedef struct cadence_eval {
    uint32_t cap, limit;
    int horizon_bound;
    double ev, h_last, h_next, m_last, m_next, q_next;
} cadence_eval;

/* Contacts in a window of w days ending at attempt k of a cadence with
 * spacing d (this one included): 1 + min(k - 1, ceil(w / d) - 1). */
static unsigned cadence_load(uint32_t k, double d, double w) {
    double c = ceil(w / d) - 1;
    double v = 1 + ((double)(k - 1) < c ? (double)(k - 1) : c);
    return v > 65535 ? 65535u : (unsigned)v;
}

/* The cap and expected net value of the cadence with spacing d (NaN: the
 * observed mix) in segment s; `end` picks the hazard: 0 estimate, 1 low, 2 high. */
static void eval_cadence(const fu_frequency *m, size_t s, double d, int end, const rec_ctx *c,
                         cadence_eval *pe) {
    memset(pe, 0, sizeof *pe);
    pe->limit = c->max_cap;
    if (d == d && ceil(c->horizon_days / d) < (double)pe->limit)
        pe->limit = (uint32_t)ceil(c->horizon_days / d);
    if (m->seg_max_k[s] < pe->limit) pe->limit = m->seg_max_k[s]; /* no extrapolation */
    pe->h_last = pe->m_last = NAN;
    double surv = 1;
    for (uint32_t k = 1;; k++) {
        fu_frequency_estimate h, q;
        if (end == 0) { /* the estimate alone: no interval to compute */
            uint32_t kb = (k < m->K ? k : m->K) - 1;
            h.p = expit(logit(clamp01(m->hz_mean[s * m->K + kb])) + hazard_shift(m, s, kb, k == 1 ? NAN : d));
            h.lo = h.hi = h.p;
        } else {
            fu_frequency_hazard(m, s, k, k == 1 ? NAN : d, &h);
        }
        unsigned l[3] = {0, 0, 0};
        if (d == d) {
            l[0] = cadence_load(k, d, 3);
            l[1] = cadence_load(k, d, 7);
            l[2] = cadence_load(k, d, 30);
        }
        fu_frequency_negative(m, s, l[0], l[1], l[2], &q);
        double hp = end == 0 ? h.p : end == 1 ? h.lo : h.hi;
        double margin = c->value * hp - c->cost - c->complaint_cost * q.p;
        if (k > pe->limit || margin <= 0) {
            pe->h_next = hp;
            pe->m_next = margin;
            pe->q_next = q.p;
            pe->horizon_bound = margin > 0;
            return;
        }
        pe->cap = k;
        pe->h_last = hp;
        pe->m_last = margin;
        pe->ev += surv * margin;
        surv *= 1 - hp;
    }
}

static int spacing_supported(const fu_frequency *m, int g, size_t min_support) {
    double n = 0;
    for (uint32_t kb = 1; kb < m->K; kb++) n += m->pop_kg[kb * G_BINS + (uint32_t)g].n;
    return n >= (double)min_support;
}

static int validate_recommend(const fu_frequency *m, const fu_frequency_recommend_options *o) {
    if (o->version < 1 || o->version > FU_FREQUENCY_RECOMMEND_OPTIONS_VERSION)
        return fu__error_set(FU_EINVAL, "recommend options: unknown version %u", o->version);
    if (!o->segment_values && (!(o->value > 0) || !isfinite(o->value)))
        return fu__error_set(FU_EINVAL, "recommend options: the value of a positive outcome must be > 0");
    for (size_t s = 0; o->segment_values && s < m->S; s++)
        if (!(o->segment_values[s] > 0) || !isfinite(o->segment_values[s]))
            return fu__error_set(FU_EINVAL, "recommend options: the value of segment %s must be > 0",
                                 m->names[s]);
    if ((unsigned)o->channel >= FU_CHANNEL_COUNT)
        return fu__error_set(FU_EINVAL, "recommend options: unknown channel %d", (int)o->channel);
    for (int c = 0; c < FU_CHANNEL_COUNT; c++)
        if (!(o->contact_cost[c] >= 0) || !isfinite(o->contact_cost[c]))
            return fu__error_set(FU_EINVAL, "recommend options: the contact cost of %s must be >= 0",
                                 c ? fu_channel_name(c) : "phone");
    if (!(o->complaint_cost >= 0) || !isfinite(o->complaint_cost))
        return fu__error_set(FU_EINVAL, "recommend options: the complaint cost must be >= 0");
    if (o->horizon < 0) return fu__error_set(FU_EINVAL, "recommend options: horizon must be >= 0");
    if (o->max_cap > 10000) return fu__error_set(FU_EINVAL, "recommend options: max_cap above 10000");
    return FU_OK;
}

int fu_frequency_recommend(const fu_frequency *m, const fu_frequency_recommend_options *opts,
                           fu_frequency_recommendation **out, size_t *n) {
    if (out) *out = NULL;
    if (n) *n = 0;
    if (!m || !opts || !out || !n)
        return fu__error_set(FU_EINVAL, "fu_frequency_recommend: %s is NULL",
                             !m ? "m" : !opts ? "opts" : !out ? "out" : "n");
    int rc = validate_recommend(m, opts);
    if (rc) return rc;
    fu_channel ch = opts->channel == FU_CHANNEL_NONE ? FU_CHANNEL_PHONE : opts->channel;
    rec_ctx c = {opts->value, opts->contact_cost[ch], opts->complaint_cost,
                 (double)(opts->horizon ? opts->horizon : 90 * 86400) / DAY,
                 opts->max_cap ? opts->max_cap : 20};
    size_t min_support = opts->min_support ? opts->min_support : 200;
    fu_frequency_recommendation *r = fu__calloc(m->S, sizeof *r);
    if (!r) return fu__error_nomem();
    for (size_t s = 0; s < m->S; s++) {
        cadence_eval best, e;
        double best_d = NAN;
        c.value = opts->segment_values ? opts->segment_values[s] : opts->value;
        eval_cadence(m, s, NAN, 0, &c, &best);
        int any = 0;
        for (int g = 2; g < G_BINS; g++) {
            if (!spacing_supported(m, g, min_support)) continue;
            double d = gap_bin_days(g);
            eval_cadence(m, s, d, 0, &c, &e);
            if (!any || e.ev >= best.ev - 1e-12 * fabs(best.ev)) {
                best = e;
                best_d = d;
            }
            any = 1;
        }
        fu_frequency_recommendation *o = &r[s];
        o->segment = s;
        o->name = m->names[s];
        o->cap = best.cap;
        o->horizon_bound = best.horizon_bound;
        o->spacing_days = best.cap >= 2 ? best_d : NAN;
        o->expected_net = best.ev;
        o->hazard_last = best.h_last;
        o->hazard_next = best.h_next;
        o->margin_last = best.m_last;
        o->margin_next = best.m_next;
        o->negative_next = best.q_next;
        o->break_even = (c.cost + c.complaint_cost * best.q_next) / c.value;
        eval_cadence(m, s, best_d, 1, &c, &e);
        o->cap_low = e.cap;
        eval_cadence(m, s, best_d, 2, &c, &e);
        o->cap_high = e.cap;
        for (uint32_t k = 0; k < m->K; k++) {
            o->attempts += (uint64_t)m->seg_k[s * m->K + k].n;
            o->positives += (uint64_t)m->seg_k[s * m->K + k].x;
        }
        o->negatives = (uint64_t)m->seg_neg[s].x;
        o->value = c.value;
    }
    *out = r;
    *n = m->S;
    return FU_OK;
}

/* ---------------------------------------------------------------- writers */

#define CELL 256
typedef void (*row_fn)(const void *ctx, size_t row, char (*cells)[CELL]);

static void num_cell(char *dst, double v) {
    if (v != v) dst[0] = 0;
    else snprintf(dst, CELL, "%.6g", v);
}

static void json_string(fu__buf *b, const char *s) {
    fu__buf_puts(b, "\"");
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') fu__buf_printf(b, "\\%c", ch);
        else if (ch < 0x20) fu__buf_printf(b, "\\u%04x", ch);
        else fu__buf_append(b, s, 1);
    }
    fu__buf_puts(b, "\"");
}

static void csv_cell(fu__buf *b, const char *s) {
    size_t len = strlen(s);
    if (strpbrk(s, ",\"\r\n") || (len && (s[0] == ' ' || s[len - 1] == ' '))) {
        fu__buf_puts(b, "\"");
        for (; *s; s++) fu__buf_append(b, *s == '"' ? "\"\"" : s, *s == '"' ? 2 : 1);
        fu__buf_puts(b, "\"");
    } else {
        fu__buf_append(b, s, len);
    }
}

/* Write rows as CSV, JSON (numeric columns as numbers, empty as null) or
 * an aligned table. */
static int write_rows(fu_frequency_format f, const char *const *hdr, const char *numeric, int nc,
                      size_t nrows, row_fn fn, const void *ctx, char **out) {
    fu__buf b = FU__BUF_INIT;
    char (*cells)[CELL] = fu__malloc(sizeof(char[CELL]) * (size_t)nc);
    size_t *width = fu__calloc((size_t)nc, sizeof(size_t));
    if (!cells || !width) {
        fu__free(cells);
        fu__free(width);
        return fu__error_nomem();
    }
    for (int j = 0; j < nc; j++) width[j] = strlen(hdr[j]);
    if (f == FU_FREQUENCY_TABLE)
        for (size_t i = 0; i < nrows; i++) {
            fn(ctx, i, cells);
            for (int j = 0; j < nc; j++)
                if (strlen(cells[j]) > width[j]) width[j] = strlen(cells[j]);
        }
    if (f == FU_FREQUENCY_JSON) fu__buf_puts(&b, "[");
    for (int j = 0; j < nc && f != FU_FREQUENCY_JSON; j++) {
        if (f == FU_FREQUENCY_CSV) fu__buf_printf(&b, "%s%s", j ? "," : "", hdr[j]);
        else fu__buf_printf(&b, "%s%-*s", j ? "  " : "", (int)width[j], hdr[j]);
    }
    if (f != FU_FREQUENCY_JSON) fu__buf_puts(&b, "\n");
    for (size_t i = 0; i < nrows; i++) {
        fn(ctx, i, cells);
        if (f == FU_FREQUENCY_JSON) fu__buf_puts(&b, i ? ",\n {" : "\n {");
        for (int j = 0; j < nc; j++) {
            if (f == FU_FREQUENCY_CSV) {
                if (j) fu__buf_puts(&b, ",");
                csv_cell(&b, cells[j]);
            } else if (f == FU_FREQUENCY_TABLE) {
                fu__buf_printf(&b, "%s%*s", j ? "  " : "", numeric[j] ? (int)width[j] : -(int)width[j],
                               cells[j]);
            } else {
                fu__buf_printf(&b, "%s\"%s\": ", j ? ", " : "", hdr[j]);
                if (!numeric[j]) json_string(&b, cells[j]);
                else fu__buf_puts(&b, cells[j][0] ? cells[j] : "null");
            }
        }
        fu__buf_puts(&b, f == FU_FREQUENCY_JSON ? "}" : "\n");
    }
    if (f == FU_FREQUENCY_JSON) fu__buf_puts(&b, "\n]\n");
    fu__free(cells);
    fu__free(width);
    if (b.failed || !b.data) {
        fu__buf_free(&b);
        return fu__error_nomem();
    }
    *out = fu__buf_detach(&b);
    return FU_OK;
}

/* Curve rows: the hazard per segment and k bin (population first), the
 * spacing odds ratios, the load odds ratios, the negative level per segment. */
static size_t curve_rows(const fu_frequency *m) {
    return (m->S + 1) * m->K + G_BINS + 3 * L_BINS + m->S;
}

static void curve_hazard_row(const fu_frequency *m, size_t i, char (*c)[CELL]) {
    size_t s = i / m->K;
    uint32_t kb = (uint32_t)(i % m->K);
    const cell *n = s == 0 ? &m->pop_k[kb] : &m->seg_k[(s - 1) * m->K + kb];
    double mean = s == 0 ? m->pop_mu[kb] : m->hz_mean[(s - 1) * m->K + kb], lo = NAN, hi = NAN;
    double st = s == 0 ? n->n + 0.5 : m->hz_strength[(s - 1) * m->K + kb];
    beta_interval(mean, st, m->level, &lo, &hi);
    snprintf(c[0], CELL, "hazard");
    snprintf(c[1], CELL, "%s", s == 0 ? "*" : m->names[s - 1]);
    snprintf(c[2], CELL, kb + 1 == m->K ? "%u+" : "%u", kb + 1);
    num_cell(c[3], n->n);
    num_cell(c[4], n->x);
    num_cell(c[5], n->n > 0 ? n->x / n->n : NAN);
    num_cell(c[6], mean);
    num_cell(c[7], lo);
    num_cell(c[8], hi);
    num_cell(c[9], s == 0 ? NAN : m->k_strength[kb]);
}

static void curve_row(const void *ctx, size_t i, char (*c)[CELL]) {
    const fu_frequency *m = ctx;
    size_t nh = (m->S + 1) * m->K;
    for (int j = 0; j < 10; j++) c[j][0] = '\0';
    if (i < nh) {
        curve_hazard_row(m, i, c);
        return;
    }
    i -= nh;
    double n = 0, x = 0, est = NAN, lo = NAN, hi = NAN;
    if (i < G_BINS) {
        double sw = 0, sg = 0;
        for (int g = 0; g < G_BINS; g++)
            for (uint32_t k = 0; k < m->K; k++) {
                sw += m->pop_kg[k * G_BINS + (uint32_t)g].n;
                sg += m->pop_kg[k * G_BINS + (uint32_t)g].n * m->gap_coef[g];
            }
        for (uint32_t k = 0; k < m->K; k++) {
            n += m->pop_kg[k * G_BINS + i].n;
            x += m->pop_kg[k * G_BINS + i].x;
        }
        double d = m->gap_coef[i] - (sw > 0 ? sg / sw : 0);
        est = exp(d), lo = exp(d - m->z * m->gap_se[i]), hi = exp(d + m->z * m->gap_se[i]);
        snprintf(c[0], CELL, "gap_odds");
        snprintf(c[1], CELL, "*");
        snprintf(c[2], CELL, "%s", gap_names[i]);
    } else if (i < G_BINS + 3 * L_BINS) {
        int w = (int)(i - G_BINS) / L_BINS, b = (int)(i - G_BINS) % L_BINS, j = 1 + w * L_BINS + b;
        n = m->load_count[w][b + 1].n;
        x = m->load_count[w][b + 1].x;
        double d = m->neg_coef[j] - m->neg_mix[w], se = sqrt(m->neg_cov[j * N_NEG_FEAT + j]);
        est = exp(d), lo = exp(d - m->z * se), hi = exp(d + m->z * se);
        snprintf(c[0], CELL, "%s", load_curve[w]);
        snprintf(c[1], CELL, "*");
        snprintf(c[2], CELL, "%s", load_names[w][b]);
    } else {
        size_t s = i - G_BINS - 3 * L_BINS;
        fu_frequency_estimate q;
        fu_frequency_negative(m, s, 0, 0, 0, &q);
        n = m->seg_neg[s].n;
        x = m->seg_neg[s].x;
        est = q.p, lo = q.lo, hi = q.hi;
        snprintf(c[0], CELL, "negative_level");
        snprintf(c[1], CELL, "%s", m->names[s]);
        snprintf(c[2], CELL, "all");
        num_cell(c[9], m->neg_strength);
    }
    num_cell(c[3], n);
    num_cell(c[4], x);
    num_cell(c[5], n > 0 ? x / n : NAN);
    num_cell(c[6], est);
    num_cell(c[7], lo);
    num_cell(c[8], hi);
}

/* The length of a text handed out (0 when there is none). */
static int text_len(int rc, char *const *out, size_t *len) {
    if (len) *len = rc == FU_OK && out && *out ? strlen(*out) : 0;
    return rc;
}

static int write_curves(const fu_frequency *m, fu_frequency_format format, char **out) {
    static const char *const hdr[] = {"curve", "segment", "bin", "attempts", "events",
                                      "raw",   "estimate", "lo", "hi",      "strength"};
    static const char numeric[] = {0, 0, 0, 1, 1, 1, 1, 1, 1, 1};
    if (out) *out = NULL;
    if (!m || !out) return fu__error_set(FU_EINVAL, "fu_frequency_write_curves: %s is NULL", !m ? "m" : "out");
    if ((unsigned)format > FU_FREQUENCY_TABLE)
        return fu__error_set(FU_EINVAL, "frequency curves: format must be csv, json or table");
    return write_rows(format, hdr, numeric, 10, curve_rows(m), curve_row, m, out);
}

int fu_frequency_write_curves(const fu_frequency *m, fu_frequency_format format, size_t *len, char **out) {
    return text_len(write_curves(m, format, out), out, len);
}

static void rec_row(const void *ctx, size_t i, char (*c)[CELL]) {
    const fu_frequency_recommendation *r = (const fu_frequency_recommendation *)ctx + i;
    snprintf(c[0], CELL, "%s", r->name);
    snprintf(c[1], CELL, "%u", r->cap);
    snprintf(c[2], CELL, "%u", r->cap_low);
    snprintf(c[3], CELL, "%u", r->cap_high);
    num_cell(c[4], r->spacing_days);
    snprintf(c[5], CELL, "%d", r->horizon_bound);
    num_cell(c[6], r->expected_net);
    num_cell(c[7], r->hazard_last);
    num_cell(c[8], r->hazard_next);
    num_cell(c[9], r->margin_last);
    num_cell(c[10], r->margin_next);
    num_cell(c[11], r->negative_next);
    num_cell(c[12], r->break_even);
    snprintf(c[13], CELL, "%llu", (unsigned long long)r->attempts);
    snprintf(c[14], CELL, "%llu", (unsigned long long)r->positives);
    snprintf(c[15], CELL, "%llu", (unsigned long long)r->negatives);
    num_cell(c[16], r->value);
}

/* A policy key from a segment name: lower-case letters, digits and '_';
 * a name that needed replacements gets its segment index appended, so two
 * names that differ only in other characters (e.g. Chinese) stay distinct. */
static void rule_name(char *dst, size_t size, const char *prefix, const char *name, size_t segment,
                      const char *suffix) {
    size_t n = (size_t)snprintf(dst, size, "%s_", prefix);
    int replaced = 0;
    for (const char *p = name; *p && n + 1 < size; p++) {
        unsigned char ch = (unsigned char)*p;
        int keep = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_';
        dst[n++] = (ch >= 'A' && ch <= 'Z') ? (char)(ch + 32) : keep ? (char)ch : '_';
        replaced |= !keep && !(ch >= 'A' && ch <= 'Z');
    }
    dst[n < size ? n : size - 1] = '\0';
    char tail[64];
    if (replaced) snprintf(tail, sizeof tail, "_%zu%s", segment, suffix);
    else snprintf(tail, sizeof tail, "%s", suffix);
    if (strlen(dst) + strlen(tail) + 1 < size) strcat(dst, tail);
}

static void yaml_duration(char *dst, size_t size, double days) {
    if (days < 1) snprintf(dst, size, "%.0fh", days * 24);
    else snprintf(dst, size, "%.0fd", days);
}

static void yaml_rule(fu__buf *b, const fu_frequency *m, const fu_frequency_recommendation *r,
                      const fu_frequency_recommend_options *o, double horizon_days, int *emitted) {
    const char *prefix = o->rule_prefix ? o->rule_prefix : "frequency";
    fu_channel ch = o->channel == FU_CHANNEL_NONE ? FU_CHANNEL_PHONE : o->channel;
    char name[200], per[32], when[600] = "";
    if (o->when_key) {
        fu__buf w = FU__BUF_INIT;
        fu__buf_printf(&w, ", when: {%s: [", o->when_key);
        json_string(&w, r->name);
        fu__buf_puts(&w, "]}");
        snprintf(when, sizeof when, "%s", w.data ? w.data : "");
        b->failed |= w.failed || !w.data;
        fu__buf_free(&w);
    }
    fu__buf_printf(b, "    # segment %s: %llu attempts, %llu positive, %llu negative; value %.6g per positive"
                      " outcome, %s %.4g per contact\n",
                   r->name, (unsigned long long)r->attempts, (unsigned long long)r->positives,
                   (unsigned long long)r->negatives, r->value, fu_channel_name(ch), o->contact_cost[ch]);
    if (r->cap == 0) {
        fu__buf_printf(b, "    # no rule: the first attempt does not pay (hazard %.4g x value %.4g = %.4g"
                          " <= cost + complaints %.4g)\n",
                       r->hazard_next, r->value, r->hazard_next * r->value,
                       r->hazard_next * r->value - r->margin_next);
        return;
    }
    fu__buf_printf(b, "    # attempt %u pays: hazard %.4g x %.4g - costs = %+.4g; attempt %u: hazard %.4g,"
                      " margin %+.4g (break-even hazard %.4g, complaint risk %.4g)\n",
                   r->cap, r->hazard_last, r->value, r->margin_last, r->cap + 1, r->hazard_next,
                   r->margin_next, r->break_even, r->negative_next);
    fu__buf_printf(b, "    # cap %u (%u..%u over the %.0f%% intervals)%s; expected net %.4g per customer\n",
                   r->cap, r->cap_low, r->cap_high, m->level * 100,
                   r->horizon_bound ? ", bound by the horizon or the longest series in the data: later attempts"
                                        " would still pay" : "",
                   r->expected_net);
    rule_name(name, sizeof name, prefix, r->name, r->segment, "");
    yaml_duration(per, sizeof per, horizon_days);
    (*emitted)++;
    fu__buf_printf(b, "    %s: {max: %u, per: %s%s}\n", name, r->cap, per, when);
    if (r->spacing_days == r->spacing_days) {
        rule_name(name, sizeof name, prefix, r->name, r->segment, "_spacing");
        yaml_duration(per, sizeof per, r->spacing_days);
        fu__buf_printf(b, "    # spacing %s: the cadence with the largest expected net value among the"
                          " spacings the history supports\n", per);
        fu__buf_printf(b, "    %s: {max: 1, per: %s%s}\n", name, per, when);
    } else {
        fu__buf_puts(b, "    # no spacing rule: the history does not show enough repeat contacts"
                        " per spacing bin (min_support)\n");
    }
}

static int write_recommendations(const fu_frequency *m, const fu_frequency_recommendation *r, size_t n,
                                 const fu_frequency_recommend_options *opts, fu_frequency_format format,
                                 char **out) {
    static const char *const hdr[] = {"segment", "cap", "cap_low", "cap_high", "spacing_days",
                                      "horizon_bound", "expected_net", "hazard_last", "hazard_next",
                                      "margin_last", "margin_next", "negative_next", "break_even",
                                      "attempts", "positives", "negatives", "value"};
    static const char numeric[] = {0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    if (out) *out = NULL;
    if (!m || !out || (!r && n) || !opts)
        return fu__error_set(FU_EINVAL, "fu_frequency_write_recommendations: %s is NULL",
                             !m ? "m" : !out ? "out" : !r ? "r" : "opts");
    if ((unsigned)format > FU_FREQUENCY_YAML)
        return fu__error_set(FU_EINVAL, "frequency write: unknown format %d", (int)format);
    if (format != FU_FREQUENCY_YAML) return write_rows(format, hdr, numeric, 17, n, rec_row, r, out);
    int rc = validate_recommend(m, opts);
    if (rc) return rc;
    if (opts->when_key && strcmp(opts->when_key, "tier") && strcmp(opts->when_key, "lifecycle") &&
        strcmp(opts->when_key, "rfm_group") && strcmp(opts->when_key, "industry"))
        return fu__error_set(FU_EINVAL, "frequency write: when_key must be tier, lifecycle, rfm_group or industry");
    double horizon_days = (double)(opts->horizon ? opts->horizon : 90 * 86400) / DAY;
    fu__buf b = FU__BUF_INIT;
    if (opts->segment_values) fu__buf_puts(&b, "# followup frequency recommend: values per segment (below),");
    else fu__buf_printf(&b, "# followup frequency recommend: value %.6g per positive outcome,", opts->value);
    fu__buf_printf(&b, " complaint cost %.6g,"
                       " horizon %.0f days.\n# Hazards and complaint risks are associations in the fitted"
                       " history (docs/frequency.md), not effects.\n",
                   opts->complaint_cost, horizon_days);
    fu__buf body = FU__BUF_INIT;
    size_t rules = opts->when_key ? n : (n ? 1 : 0);
    int emitted = 0;
    if (!opts->when_key && n > 1)
        fu__buf_printf(&body, "    # one rule for everyone, from segment %s: give a when key (tier, lifecycle,"
                              " rfm_group, industry) for one rule per segment\n", r[0].name);
    for (size_t i = 0; i < rules; i++) yaml_rule(&body, m, &r[i], opts, horizon_days, &emitted);
    /* an empty `limits:` would be null, which removes the built-in limits */
    fu__buf_puts(&b, emitted ? "caps:\n  limits:\n" : "caps:\n  limits: {}\n");
    if (body.data) fu__buf_append(&b, body.data, body.len);
    b.failed |= body.failed;
    fu__buf_free(&body);
    if (b.failed || !b.data) {
        fu__buf_free(&b);
        return fu__error_nomem();
    }
    *out = fu__buf_detach(&b);
    return FU_OK;
}

int fu_frequency_write_recommendations(const fu_frequency *m, const fu_frequency_recommendation *r,
                                       size_t n, const fu_frequency_recommend_options *opts,
                                       fu_frequency_format format, size_t *len, char **out) {
    return text_len(write_recommendations(m, r, n, opts, format, out), out, len);
}
