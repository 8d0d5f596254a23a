/* fu_besttime: the prior fit (docs/besttime.md, "Fitting the prior").
 *
 * Per segment and slot a Beta prior: the strength nu = alpha + beta by the
 * method of moments, the mean by a hierarchy population -> time of day ->
 * slot -> segment slot, each level's rate adjusted for who was called there
 * (the customers' answer propensities, estimated jointly with the slot rates). */
#include "besttime_internal.h"

#include <math.h>
#include <string.h>

typedef struct bt_acc {
    double S, N;        /* sums of decayed successes and of propensity-weighted trials */
    double M, M2;       /* sums of effective trials m = n^2 / w2 and of m^2 */
    double MY, MY2;     /* sums of m y and m y^2, y = s / n */
    double C;           /* number of cells */
} bt_acc;

/* Pooled method-of-moments strength nu = alpha + beta of one level (a
 * segment, or the population), or -1 when the level cannot identify it. */
static double bt_mom_strength(const fu_besttime *m, const bt_acc *acc, size_t customers) {
    if (customers < m->min_customers) return -1.0;
    double num = 0.0, den = 0.0;
    for (int k = 0; k < m->n_slots; k++) {
        const bt_acc *a = &acc[k];
        if (a->C < 2.0 || !(a->MY > 0.0) || !(a->MY < a->M)) continue;
        double mu = a->MY / a->M;
        double dev = a->MY2 - a->MY * a->MY / a->M; /* sum m_i (y_i - mu)^2 */
        num += dev / (mu * (1.0 - mu)) - (a->C - 1.0);
        den += a->M - a->M2 / a->M - (a->C - 1.0);
    }
    if (!(den > 1e-12)) return -1.0;
    double rho = num / den;
    double nu = rho <= 0.0 ? m->max_strength : 1.0 / rho - 1.0;
    if (nu < m->min_strength) nu = m->min_strength;
    if (nu > m->max_strength) nu = m->max_strength;
    return nu;
}

static double bt_clamp_mean(double mu) {
    if (mu < 1e-6) return 1e-6;
    if (mu > 1.0 - 1e-6) return 1.0 - 1e-6;
    return mu;
}

/* The latest evidence of the model (the default fit instant). */
static int64_t bt_latest(const fu_besttime *m) {
    int64_t as_of = INT64_MIN;
    for (size_t c = 0; c < m->n_cust; c++)
        if (m->cust[c].n_cells && m->cust[c].t_ref > as_of) as_of = m->cust[c].t_ref;
    return as_of;
}

/* Sum every customer's cells (decayed to as_of) into the segment level
 * acc[seg * K + k] and the population level acc[G * K + k]; `with` counts
 * the customers with evidence per level. A cell's trials count with weight
 * theta[c] / tbar[seg] in its segment and theta[c] in the population
 * (theta NULL: 1). The first pass (theta NULL) polls the cancel hook, the
 * second, after the propensities, does not: one poll per 1,024 customers per
 * fit, as tests/test_cancel_borrow.c counts. */
static int bt_accumulate(const fu_besttime *m, int64_t as_of, const double *theta, const double *tbar,
                         bt_acc *acc, size_t *with) {
    size_t G = m->n_seg, K = (size_t)m->n_slots;
    memset(acc, 0, (G + 1) * K * sizeof *acc);
    memset(with, 0, (G + 1) * sizeof *with);
    for (size_t c = 0; c < m->n_cust; c++) {
        if (!theta && FU_CANCEL_POLL(c, 1024)) return FU_ECANCELED;
        const bt_cust *bc = &m->cust[c];
        if (!bc->n_cells) continue;
        double f = bt_decay(m, as_of - bc->t_ref);
        double wt[2] = {1.0, 1.0};
        if (theta) {
            wt[0] = theta[c] / tbar[bc->seg];
            wt[1] = theta[c];
        }
        int any = 0;
        for (size_t j = 0; j < bc->n_cells; j++) {
            double n = f * bc->cells[j].n, s = f * bc->cells[j].s;
            if (!(n > 0.0) || !(bc->cells[j].w2 > 0.0)) continue;
            double me = bc->cells[j].n * bc->cells[j].n / bc->cells[j].w2, y = s / n;
            size_t k = bc->cells[j].slot;
            bt_acc *lv[2] = {&acc[bc->seg * K + k], &acc[G * K + k]};
            for (int l = 0; l < 2; l++) {
                lv[l]->S += s;
                lv[l]->N += wt[l] * n;
                lv[l]->M += me;
                lv[l]->M2 += me * me;
                lv[l]->MY += me * y;
                lv[l]->MY2 += me * y * y;
                lv[l]->C += 1.0;
            }
            any = 1;
        }
        if (any) {
            with[bc->seg]++;
            with[G]++;
        }
    }
    return FU_OK;
}

#define BT_PROP_ITER 200
#define BT_PROP_TOL 1e-10

/* Answer propensities (docs/besttime.md, "Who was called when"): the
 * multiplicative model p_ik = theta_i phi_k fitted by alternating (until no
 * phi moves by more than BT_PROP_TOL, at most BT_PROP_ITER rounds)
 *   phi_k   = S_k / sum_i theta_i n_ik,
 *   theta_i = (s_i + kappa) / (sum_k phi_k n_ik + kappa),  then theta / mean(theta)
 * over the customers with evidence (kappa = nu, the population's strength: a
 * customer's overall rate shrinks toward the population as a slot's does).
 * theta[c] is 1 for customers without evidence; tbar[g] is the mean theta
 * of segment g's customers with evidence (1 when none); tbar has G + 1
 * entries, tbar[G] = 1 (the population). */
static int bt_propensity(const fu_besttime *m, int64_t as_of, double kappa, const bt_acc *pop, double *theta,
                         double *tbar) {
    size_t G = m->n_seg, K = (size_t)m->n_slots;
    double phi[FU_HOURS_PER_WEEK];
    for (size_t k = 0; k < K; k++) phi[k] = pop[k].N > 0.0 ? pop[k].S / pop[k].N : 0.0;
    for (size_t c = 0; c < m->n_cust; c++) theta[c] = 1.0;
    for (int it = 0; it < BT_PROP_ITER; it++) {
        double sum = 0.0;
        size_t nw = 0;
        for (size_t c = 0; c < m->n_cust; c++) {
            const bt_cust *bc = &m->cust[c];
            if (!bc->n_cells) continue;
            double f = bt_decay(m, as_of - bc->t_ref), o = 0.0, e = 0.0;
            for (size_t j = 0; j < bc->n_cells; j++) {
                o += f * bc->cells[j].s;
                e += f * bc->cells[j].n * phi[bc->cells[j].slot];
            }
            double t = e + kappa > 0.0 ? (o + kappa) / (e + kappa) : 1.0;
            theta[c] = t;
            sum += t;
            nw++;
        }
        if (!nw) break;
        double mean = sum / (double)nw, nk[FU_HOURS_PER_WEEK] = {0};
        for (size_t c = 0; c < m->n_cust; c++) {
            const bt_cust *bc = &m->cust[c];
            if (!bc->n_cells) continue;
            theta[c] /= mean;
            double f = bt_decay(m, as_of - bc->t_ref);
            for (size_t j = 0; j < bc->n_cells; j++) nk[bc->cells[j].slot] += theta[c] * f * bc->cells[j].n;
        }
        double moved = 0.0;
        for (size_t k = 0; k < K; k++) {
            double v = nk[k] > 0.0 ? pop[k].S / nk[k] : 0.0;
            moved = fmax(moved, fabs(v - phi[k]));
            phi[k] = v;
        }
        if (moved <= BT_PROP_TOL) break; /* phi determines theta: a fixed point */
    }
    for (size_t g = 0; g <= G; g++) tbar[g] = 0.0;
    size_t *ng = fu__calloc(G + 1, sizeof *ng);
    if (!ng) return fu__error_nomem();
    for (size_t c = 0; c < m->n_cust; c++)
        if (m->cust[c].n_cells) {
            tbar[m->cust[c].seg] += theta[c];
            ng[m->cust[c].seg]++;
        }
    for (size_t g = 0; g < G; g++) tbar[g] = ng[g] ? tbar[g] / (double)ng[g] : 1.0;
    tbar[G] = 1.0;
    fu__free(ng);
    return FU_OK;
}

/* Slot means of one segment's prior, into mu[0..K): population mu_p -> time
 * of day (the slots at the same time on days of the same type, Mon-Fri or
 * Sat-Sun; only when slots tile days) -> population slot -> segment slot,
 * each shrunk toward the level above with `smoothing` pseudo-contacts. */
static void bt_slot_means(const fu_besttime *m, const bt_acc *seg, const bt_acc *pop, double mu_p, double *mu) {
    int K = m->n_slots, spd = m->slots_per_day;
    double sm = m->smoothing;
    for (int k = 0; k < K; k++) {
        double mu_t = mu_p;
        if (spd) {
            double S = 0.0, N = 0.0;
            int h = k % spd, we = k / spd >= 5;
            for (int d = 0; d < 7; d++)
                if ((d >= 5) == we) {
                    S += pop[d * spd + h].S;
                    N += pop[d * spd + h].N;
                }
            if (N + sm > 0) mu_t = (S + sm * mu_p) / (N + sm);
        }
        double mu_pk = pop[k].N + sm > 0 ? (pop[k].S + sm * mu_t) / (pop[k].N + sm) : mu_t;
        mu[k] = seg[k].N + sm > 0 ? (seg[k].S + sm * mu_pk) / (seg[k].N + sm) : mu_pk;
    }
}

/* The fitted prior into na, nb (G x K). */
static int bt_fit_moments(fu_besttime *m, int64_t as_of, double fb_strength, double *na, double *nb) {
    size_t G = m->n_seg, K = (size_t)m->n_slots;
    bt_acc *acc = fu__calloc((G + 1) * K, sizeof *acc);
    size_t *with = fu__calloc(G + 1, sizeof *with);
    double *theta = NULL, *tbar = NULL;
    int rc = FU_OK;
    if (!acc || !with) {
        rc = fu__error_nomem();
        goto done;
    }
    if (as_of == FU_BOOK_NO_TIME) as_of = bt_latest(m);
    if ((rc = bt_accumulate(m, as_of, NULL, NULL, acc, with))) goto done;
    const bt_acc *pop = &acc[G * K];
    double nu_p = bt_mom_strength(m, pop, with[G]);
    if (nu_p < 0) nu_p = fb_strength;
    if (m->propensity && with[G]) {
        theta = fu__malloc((m->n_cust ? m->n_cust : 1) * sizeof *theta);
        tbar = fu__malloc((G + 1) * sizeof *tbar);
        if (!theta || !tbar) {
            rc = fu__error_nomem();
            goto done;
        }
        if ((rc = bt_propensity(m, as_of, nu_p, pop, theta, tbar))) goto done;
        if ((rc = bt_accumulate(m, as_of, theta, tbar, acc, with))) goto done;
    }
    double SP = 0.0, NP = 0.0;
    for (size_t k = 0; k < K; k++) {
        SP += pop[k].S;
        NP += pop[k].N;
    }
    double mu_p = NP + fb_strength > 0 ? (SP + fb_strength * m->prior_rate) / (NP + fb_strength) : m->prior_rate;
    double mu[FU_HOURS_PER_WEEK];
    for (size_t g = 0; g < G; g++) {
        double nu = bt_mom_strength(m, &acc[g * K], with[g]);
        if (nu < 0) nu = nu_p;
        bt_slot_means(m, &acc[g * K], pop, mu_p, mu);
        for (size_t k = 0; k < K; k++) {
            double u = bt_clamp_mean(mu[k]);
            na[g * K + k] = u * nu;
            nb[g * K + k] = (1.0 - u) * nu;
        }
    }
done:
    FU_FREE_ALL(acc, with, theta, tbar);
    return rc;
}

int fu__bt_fit(fu_besttime *m, int64_t as_of) {
    size_t G = m->n_seg, K = (size_t)m->n_slots;
    double *na = fu__calloc(G * K, sizeof *na), *nb = fu__calloc(G * K, sizeof *nb);
    if (!na || !nb) {
        fu__free(na);
        fu__free(nb);
        return fu__error_nomem();
    }
    double fb_strength = m->prior_strength > 0 ? m->prior_strength : m->min_strength;
    if (m->method == FU_BESTTIME_PRIOR_FIXED) {
        double mu = bt_clamp_mean(m->prior_rate);
        for (size_t i = 0; i < G * K; i++) {
            na[i] = mu * fb_strength;
            nb[i] = (1.0 - mu) * fb_strength;
        }
    } else {
        int rc = bt_fit_moments(m, as_of, fb_strength, na, nb);
        if (rc) {
            fu__free(na);
            fu__free(nb);
            return rc;
        }
    }
    fu__free(m->alpha);
    fu__free(m->beta);
    m->alpha = na;
    m->beta = nb;
    return fu__bt_mix_fit(m);
}
