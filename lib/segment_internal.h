/* Private to fu_segment: shared between lib/segment.c (summaries, RFM, rules)
 * lib/segment_models.c (models, fitting, one customer) and lib/segment_score.c
 * (scoring many customers). */
#ifndef FU_SEGMENT_INTERNAL_H
#define FU_SEGMENT_INTERNAL_H

#include "followup/segment.h"
#include "internal.h"

#include <stdint.h>
#include <string.h>

/* For the tests: log-likelihood of model 0 (BG/NBD: params r, alpha, a, b;
 * data x, t_x, T), 1 (Pareto/NBD: r, alpha, s, beta) or 2 (Gamma-Gamma: p,
 * q, gamma; data x, zbar, v unused) and, when grad != NULL, its analytic
 * gradient in the log-parameters, as the fits use it. */
int fu__seg_loglik_grad(int model, const double *params, const double *x, const double *u, const double *v,
                        size_t n, double *out, double *grad);

/* lib/segment_models.c for lib/segment_score.c (bulk scoring): the checks
 * of the arguments and the one-customer formulas, see there. */
int fu__seg_check_rfm(const double *x, const double *t_x, const double *T, size_t i);
int fu__seg_check_bg(const fu_segment_bgnbd *m);
int fu__seg_check_pn(const fu_segment_pareto *m);
int fu__seg_check_gg(const fu_segment_gammagamma *m);
double fu__seg_bg_alive_L(const fu_segment_bgnbd *m, double x, double t_x, double T);
int fu__seg_bg_alive_expect(double r, double alpha, double a, double b, double x, double T, double t, double *out);
int fu__seg_pn_p_alive(const fu_segment_pareto *m, double x, double t_x, double T, double *out);
double fu__seg_pn_alive_expect(const fu_segment_pareto *m, double x, double T, double t);
int fu__seg_gg_expected(const fu_segment_gammagamma *m, double x, double zbar, double *out);

/* lib/segment_score.c for lib/segment_run.c: fu_segment_bgnbd_score()
 * (pareto 0, m a fu_segment_bgnbd) or fu_segment_pareto_score() (pareto 1),
 * the row that failed in *bad_row (SIZE_MAX: none, or the arguments) instead
 * of "customer <row>" in the message: the caller names the customer. */
int fu__segment_score_rows(int pareto, const void *m, const fu_segment_gammagamma *gg, const double *x,
                           const double *t_x, const double *T, const double *zbar, size_t n,
                           const fu_segment_score_options *opts, double *p_alive, double *expected, double *clv,
                           size_t *bad_row);

/* lib/segment.c for lib/planner.c: the lifecycle stage and rule of
 * fu_segment_assign() for one customer, under rules of version
 * FU_SEGMENT_RULES_VERSION that fu_segment_assign() accepted. */
int fu__segment_lifecycle(const fu_segment_customer *c, int64_t now, const fu_segment_rules *R,
                          fu_segment_assignment *o);

/* lib/segment.c for the book summaries and lib/planner.c: a recorded first
 * purchase, or FU_SEGMENT_NO_PURCHASE when absent or a null placeholder
 * (before 1970-01-02 00:00 UTC: 0001-01-01, 1900-01-01, the epoch). */
int64_t fu__segment_known_purchase(int64_t t);

static inline uint64_t fu__seg_mix64(uint64_t h) {
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    return h ^ (h >> 33);
}

/* The bits of d, one key for -0 and +0. */
static inline uint64_t fu__seg_dbl_bits(double d) {
    uint64_t b;
    d += 0.0;
    memcpy(&b, &d, sizeof b);
    return b;
}

#endif /* FU_SEGMENT_INTERNAL_H */
