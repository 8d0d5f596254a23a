/**
 * @file followup/stats.h
 * @brief Statistics: normal, Student t and Beta quantiles, the Beta CDF, and
 *        the Wilson, t and NPS intervals that the KPI figures use.
 *
 * These are the library's own implementations (the KPI engine and the
 * best-time model call the same code), offered to users who want to put an
 * interval on their own counts the way the figures do. Every function is
 * reentrant and thread-safe (no global state; no lgamma(3) and its signgam)
 * and returns #FU_OK, or #FU_EINVAL for an argument outside its domain (with
 * fu_error_last() naming it). Results are written only on success.
 */
#ifndef FOLLOWUP_STATS_H
#define FOLLOWUP_STATS_H

#include "followup/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Standard normal quantile: the x with P(Z <= x) = p, 0 < p < 1 (about
 *  1e-15 relative; Newton steps on erfc from Abramowitz & Stegun 26.2.23). */
FU_EXTERN int fu_stats_normal_quantile(double p, double *out);

/** Student t quantile for 0 < p < 1 and a finite `df` > 0 (df may be
 *  fractional): the t with P(T <= t) = p. */
FU_EXTERN int fu_stats_t_quantile(double p, double df, double *out);

/** Regularized incomplete beta function I_x(a, b), the Beta(a, b) CDF at x:
 *  a, b finite and > 0, 0 <= x <= 1. */
FU_EXTERN int fu_stats_beta_cdf(double x, double a, double b, double *out);

/** Quantile of Beta(a, b): the x with I_x(a, b) = q, 0 <= q <= 1, to about
 *  1e-12 relative accuracy. */
FU_EXTERN int fu_stats_beta_quantile(double q, double a, double b, double *out);

/**
 * Wilson score interval of `x` successes in `n` trials (0 <= x <= n, n > 0)
 * at level `confidence` (0 < c < 1), clamped to [0, 1].
 */
FU_EXTERN int fu_stats_wilson(double x, double n, double confidence, double *low, double *high);

/** Student t interval of a mean from n (>= 2) values given as their count,
 *  sum and sum of squares, at level `confidence` (0 < c < 1). */
FU_EXTERN int fu_stats_mean_interval(double n, double sum, double sumsq, double confidence, double *mean,
                                     double *low, double *high);

/**
 * NPS from counts of promoters (9-10) and detractors (0-6) among n answers:
 * value 100 (P - D) / n, interval value ± z * 100 * sqrt((pP + pD - (pP - pD)^2) / n),
 * clamped to [-100, 100].
 */
FU_EXTERN int fu_stats_nps_interval(double promoters, double detractors, double n, double confidence,
                                    double *value, double *low, double *high);

#ifdef __cplusplus
}
#endif

#endif /* FOLLOWUP_STATS_H */
