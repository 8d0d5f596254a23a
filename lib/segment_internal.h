/* Private to fu_segment: shared between lib/segment.c (summaries, RFM, rules)
 * and lib/segment_models.c (special functions, fitting, scoring). */
#ifndef FU_SEGMENT_INTERNAL_H
#define FU_SEGMENT_INTERNAL_H

#include "followup/segment.h"
#include "internal.h"

/* For the tests: log-likelihood of model 0 (BG/NBD: params r, alpha, a, b;
 * data x, t_x, T), 1 (Pareto/NBD: r, alpha, s, beta) or 2 (Gamma-Gamma: p,
 * q, gamma; data x, zbar, v unused) and, when grad != NULL, its analytic
 * gradient in the log-parameters, as the fits use it. */
int fu__seg_loglik_grad(int model, const double *params, const double *x, const double *u, const double *v,
                        size_t n, double *out, double *grad);

#endif /* FU_SEGMENT_INTERNAL_H */
