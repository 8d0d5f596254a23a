/* The mixture of hour profiles of fu_besttime (opt-in: `besttime.model:
 * mixture`, fu_besttime_options.types; docs/besttime.md, "The mixture of hour
 * profiles").
 *
 * A customer is one of K types; type k answers at time of day j (the slot of
 * the day, Mon-Fri and Sat-Sun apart) with probability lambda * pi[k][j],
 * lambda the customer's level on a fixed grid. The profiles pi, the type
 * weights and the level weights are fitted by EM on the customers' own
 * evidence (its effective number of trials, see mix_cell); each customer keeps, per type, the
 * posterior mass times the posterior mean level, so its predictive answer
 * probability at j is sum_k mix_m[k] * pi[k][j]. */
#include "besttime_internal.h"

#include <string.h>

#define MIX_PMIN 0.01
#define MIX_PMAX 0.97
#define MIX_ITERS 300
#define MIX_TOL 1e-5
#define MIX_SAMPLE 20000 /* customers with evidence the profiles are fitted on (every k-th) */
#define MIX_SMOOTH 2.0   /* pseudo-trials pulling a profile to the population's */

static double mix_level(int g) { return 0.2 + 0.08 * g; }

int fu__bt_mix_index(const fu_besttime *m, int slot) {
    int spd = m->slots_per_day;
    return (slot / spd >= 5 ? spd : 0) + slot % spd;
}

/* One customer's evidence by time of day: the used indices js, S and N (each
 * m->mix_p long, zero outside js). */
typedef struct mix_ev {
    double S[FU__BT_MIX_P], N[FU__BT_MIX_P];
    int js[FU__BT_MIX_P];
    unsigned char used[FU__BT_MIX_P];
    int nj;
} mix_ev;

/* A cell's evidence for the mixture: its effective number of trials
 * n^2 / sum w^2 (the contacts made, whatever their age, when the weights are
 * alike) at its decayed rate s / n. The decay then weighs a cell's rate by
 * recency but does not shrink the evidence: the mixture's posterior of a
 * customer's type needs all of its few calls (bench/BENCHMARKS.md: a
 * 180-day half-life on the raw sums cost 2.3 points). */
static void mix_cell(const bt_cell *x, double *s, double *n) {
    if (!(x->n > 0.0) || !(x->w2 > 0.0)) {
        *s = *n = 0.0;
        return;
    }
    *n = x->n * x->n / x->w2;
    *s = x->s / x->n * *n;
}

static void mix_gather(const fu_besttime *m, const bt_cust *c, mix_ev *e) {
    for (int i = 0; i < e->nj; i++) {
        int j = e->js[i];
        e->S[j] = e->N[j] = 0.0;
        e->used[j] = 0;
    }
    e->nj = 0;
    for (size_t i = 0; i < c->n_cells; i++) {
        int j = fu__bt_mix_index(m, c->cells[i].slot);
        if (!e->used[j]) {
            e->used[j] = 1;
            e->js[e->nj++] = j;
        }
        double cs, cn;
        mix_cell(&c->cells[i], &cs, &cn);
        e->S[j] += cs;
        e->N[j] += cn;
    }
}

/* Posterior over (type, level) of one customer: r[k * MIX_L + g], normalised. */
static void mix_post(const fu_besttime *m, const double *lp, const double *lq, const mix_ev *e, double *r) {
    int K = m->mix_k, P = m->mix_p;
    double mx = -HUGE_VAL, t = 0.0;
    for (int k = 0; k < K; k++)
        for (int g = 0; g < FU__BT_MIX_L; g++) {
            const double *a = lp + ((size_t)k * FU__BT_MIX_L + (size_t)g) * (size_t)P;
            const double *b = lq + ((size_t)k * FU__BT_MIX_L + (size_t)g) * (size_t)P;
            double l = m->mix_lw[k * FU__BT_MIX_L + g];
            for (int i = 0; i < e->nj; i++) {
                int j = e->js[i];
                l += e->S[j] * a[j] + (e->N[j] - e->S[j]) * b[j];
            }
            r[k * FU__BT_MIX_L + g] = l;
            if (l > mx) mx = l;
        }
    for (int i = 0; i < K * FU__BT_MIX_L; i++) t += r[i] = exp(r[i] - mx);
    for (int i = 0; i < K * FU__BT_MIX_L; i++) r[i] /= t;
}

/* log p and log (1 - p) of every (type, level, time of day), and the log
 * prior weight of every (type, level) in m->mix_lw. */
static void mix_tables(fu_besttime *m, const double *tw, const double *lw, double *lp, double *lq) {
    int K = m->mix_k, P = m->mix_p;
    for (int k = 0; k < K; k++)
        for (int g = 0; g < FU__BT_MIX_L; g++) {
            m->mix_lw[k * FU__BT_MIX_L + g] = log(tw[k]) + log(lw[g]);
            for (int j = 0; j < P; j++) {
                double p = mix_level(g) * m->mix_prof[k * P + j];
                p = p < MIX_PMIN ? MIX_PMIN : p > MIX_PMAX ? MIX_PMAX : p;
                size_t i = ((size_t)k * FU__BT_MIX_L + (size_t)g) * (size_t)P + (size_t)j;
                lp[i] = log(p);
                lq[i] = log1p(-p);
            }
        }
}

/* A customer's summary from its posterior r: mass times mean level per type. */
static void mix_summary(const fu_besttime *m, const double *r, float *out) {
    for (int k = 0; k < m->mix_k; k++) {
        double s = 0.0;
        for (int g = 0; g < FU__BT_MIX_L; g++) s += r[k * FU__BT_MIX_L + g] * mix_level(g);
        out[k] = (float)s;
    }
}

/* Starting profiles: the population's rates times a smooth bump per type,
 * the bumps' centres spread over 08:00-20:00 (deterministic). */
static void mix_start(fu_besttime *m, const double *pop) {
    int K = m->mix_k, P = m->mix_p, spd = m->slots_per_day;
    for (int k = 0; k < K; k++) {
        double ctr = 8.0 + 12.0 * (k + 0.5) / K;
        for (int j = 0; j < P; j++) {
            double h = (j % spd + 0.5) * m->hours_per_slot;
            m->mix_prof[k * P + j] = pop[j] * (1.0 + 0.3 * cos(2.0 * 3.14159265358979323846 * (h - ctr) / 12.0));
        }
    }
}

typedef struct mix_acc {
    double A[FU__BT_MIX_K * FU__BT_MIX_P], B[FU__BT_MIX_K * FU__BT_MIX_P];
    double W[FU__BT_MIX_K], LW[FU__BT_MIX_L];
} mix_acc;

/* One EM round over the sample; returns the largest change of a profile. */
static double mix_round(fu_besttime *m, const size_t *who, size_t n, const double *pop,
                        double *tw, double *lw, double *lp, double *lq, mix_ev *e, mix_acc *acc) {
    int K = m->mix_k, P = m->mix_p;
    double r[FU__BT_MIX_K * FU__BT_MIX_L];
    memset(acc, 0, sizeof *acc);
    mix_tables(m, tw, lw, lp, lq);
    for (size_t i = 0; i < n; i++) {
        mix_gather(m, &m->cust[who[i]], e);
        mix_post(m, lp, lq, e, r);
        for (int k = 0; k < K; k++) {
            double R = 0.0, L = 0.0;
            for (int g = 0; g < FU__BT_MIX_L; g++) {
                double q = r[k * FU__BT_MIX_L + g];
                R += q;
                L += q * mix_level(g);
                acc->LW[g] += q;
            }
            acc->W[k] += R;
            for (int t = 0; t < e->nj; t++) {
                int j = e->js[t];
                acc->A[k * P + j] += R * e->S[j];
                acc->B[k * P + j] += L * e->N[j];
            }
        }
    }
    double moved = 0.0;
    for (int k = 0; k < K; k++) {
        tw[k] = (acc->W[k] + 1.0) / ((double)n + K);
        for (int j = 0; j < P; j++) {
            double v = (acc->A[k * P + j] + MIX_SMOOTH * pop[j]) / (acc->B[k * P + j] + MIX_SMOOTH);
            double d = fabs(v - m->mix_prof[k * P + j]);
            if (d > moved) moved = d;
            m->mix_prof[k * P + j] = v;
        }
    }
    for (int g = 0; g < FU__BT_MIX_L; g++) lw[g] = (acc->LW[g] + 0.1) / ((double)n + 0.1 * FU__BT_MIX_L);
    return moved;
}

/* Every customer's summary from the fitted profiles (no allocation beyond
 * the tables, which the caller passes). */
static void mix_customers(fu_besttime *m, const double *lp, const double *lq, mix_ev *e) {
    double r[FU__BT_MIX_K * FU__BT_MIX_L];
    for (size_t c = 0; c < m->n_cust; c++) {
        const bt_cust *cu = &m->cust[c];
        mix_gather(m, cu, e);
        mix_post(m, lp, lq, e, r);
        mix_summary(m, r, m->mix_m + c * (size_t)m->mix_k);
    }
}

/* The population's rate by time of day (smoothed to the overall rate) and
 * the sample: customers with evidence, every step-th when more than
 * MIX_SAMPLE. */
static size_t mix_sample(const fu_besttime *m, size_t *who, double *pop) {
    int P = m->mix_p;
    double S[FU__BT_MIX_P] = {0}, N[FU__BT_MIX_P] = {0}, ts = 0.0, tn = 0.0;
    size_t with = 0, n = 0;
    for (size_t c = 0; c < m->n_cust; c++) with += m->cust[c].n_cells > 0;
    size_t step = with > MIX_SAMPLE ? (with + MIX_SAMPLE - 1) / MIX_SAMPLE : 1, seen = 0;
    for (size_t c = 0; c < m->n_cust; c++) {
        const bt_cust *cu = &m->cust[c];
        if (!cu->n_cells || seen++ % step) continue;
        for (size_t i = 0; i < cu->n_cells; i++) {
            double cs, cn;
            mix_cell(&cu->cells[i], &cs, &cn);
            S[fu__bt_mix_index(m, cu->cells[i].slot)] += cs;
            N[fu__bt_mix_index(m, cu->cells[i].slot)] += cn;
        }
        who[n++] = c;
    }
    for (int j = 0; j < P; j++) ts += S[j], tn += N[j];
    double rate = tn > 0.0 ? ts / tn : m->prior_rate;
    for (int j = 0; j < P; j++) pop[j] = (S[j] + 5.0 * rate) / (N[j] + 5.0);
    return n;
}

int fu__bt_mix_fit(fu_besttime *m) {
    if (!m->mix_k) return FU_OK;
    int K = m->mix_k;
    size_t T = (size_t)K * FU__BT_MIX_L * (size_t)m->mix_p;
    size_t cap = m->n_cust < MIX_SAMPLE ? m->n_cust : MIX_SAMPLE;
    size_t *who = fu__malloc((cap ? cap : 1) * sizeof *who);
    double *lp = m->mix_lp ? m->mix_lp : fu__malloc(2 * T * sizeof *lp);
    float *mm = m->mix_m ? m->mix_m : fu__malloc((m->n_cust ? m->n_cust : 1) * (size_t)K * sizeof *mm);
    mix_ev *e = fu__calloc(1, sizeof *e);
    mix_acc *acc = fu__malloc(sizeof *acc);
    if (lp) m->mix_lp = lp; /* the model's from here on (freed with it) */
    if (mm) m->mix_m = mm;
    if (!who || !lp || !mm || !e || !acc) {
        FU_FREE_ALL(who, e, acc);
        return fu__error_nomem();
    }
    double pop[FU__BT_MIX_P], tw[FU__BT_MIX_K], lw[FU__BT_MIX_L];
    size_t n = mix_sample(m, who, pop);
    int iters = MIX_ITERS;
    if (m->mix_warm) { /* mix_prof holds the previous fit (fu__bt_mix_warm_from) */
        memcpy(tw, m->mix_tw, (size_t)K * sizeof *tw);
        memcpy(lw, m->mix_lv, sizeof lw);
        iters = FU__BT_MIX_WARM_ITERS;
    } else {
        mix_start(m, pop);
        for (int k = 0; k < K; k++) tw[k] = 1.0 / K;
        for (int g = 0; g < FU__BT_MIX_L; g++) lw[g] = 1.0 / FU__BT_MIX_L;
    }
    int it = 0;
    while (it < iters && n) {
        it++;
        if (mix_round(m, who, n, pop, tw, lw, lp, lp + T, e, acc) < MIX_TOL) break;
    }
    m->mix_rounds = it;
    m->mix_warm = 0;
    memcpy(m->mix_tw, tw, (size_t)K * sizeof *tw);
    memcpy(m->mix_lv, lw, sizeof lw);
    mix_tables(m, tw, lw, lp, lp + T);
    mix_customers(m, lp, lp + T, e);
    m->mix_fitted = 1;
    FU_FREE_ALL(who, e, acc);
    return FU_OK;
}

void fu__bt_mix_warm_from(fu_besttime *m, const fu_besttime *prev) {
    if (!prev || !m->mix_k || !prev->mix_fitted || prev->mix_k != m->mix_k || prev->mix_p != m->mix_p) return;
    memcpy(m->mix_prof, prev->mix_prof, sizeof m->mix_prof);
    memcpy(m->mix_tw, prev->mix_tw, sizeof m->mix_tw);
    memcpy(m->mix_lv, prev->mix_lv, sizeof m->mix_lv);
    m->mix_warm = 1;
}

void fu__bt_mix_update(fu_besttime *m, size_t customer) {
    if (!m->mix_fitted) return;
    size_t T = (size_t)m->mix_k * FU__BT_MIX_L * (size_t)m->mix_p;
    double r[FU__BT_MIX_K * FU__BT_MIX_L];
    mix_ev e;
    memset(&e, 0, sizeof e);
    const bt_cust *c = &m->cust[customer];
    mix_gather(m, c, &e);
    mix_post(m, m->mix_lp, m->mix_lp + T, &e, r);
    mix_summary(m, r, m->mix_m + customer * (size_t)m->mix_k);
}

double fu__bt_mix_mean(const fu_besttime *m, size_t customer, int slot) {
    int j = fu__bt_mix_index(m, slot);
    const float *mm = m->mix_m + customer * (size_t)m->mix_k;
    double p = 0.0;
    for (int k = 0; k < m->mix_k; k++) p += (double)mm[k] * m->mix_prof[k * m->mix_p + j];
    return p < 1e-6 ? 1e-6 : p > 1.0 - 1e-6 ? 1.0 - 1e-6 : p;
}
