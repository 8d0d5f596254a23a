/* Private to the library: the statistics of fu_stats (lib/stats.c) that the
 * models use without argument checks. Public part: followup/stats.h. */
#ifndef FU_STATS_INTERNAL_H
#define FU_STATS_INTERNAL_H

#include "followup/stats.h"
#include "internal.h"

/* log Gamma and digamma for x > 0 (thread-safe, unlike lgamma's signgam). */
double fu__stats_lgamma(double x);
double fu__stats_digamma(double x);

/* Standard normal quantile, 0 < p < 1, to about 1e-15 (fu_stats_normal_quantile),
 * and the Abramowitz & Stegun 26.2.23 start it polishes (error < 4.5e-4). */
double fu__stats_norm_quantile(double p);
double fu__stats_norm_quantile_rough(double q);

/* log B(a, b); I_x(a, b) given log B(a, b). */
double fu__stats_lbeta(double a, double b);
double fu__stats_ibeta(double x, double a, double b, double lb);

/* Lower-tail Beta quantile for q <= 1/2 given log B(a, b) and the
 * upper-tail normal deviate y of q; tol 0 iterates to 1e-15 relative, tol > 0
 * stops after a step below tol times the local scale (about tol^3 accurate). */
double fu__stats_beta_quantile_lower(double q, double a, double b, double lb, double y, double tol);

/* Wilson and NPS intervals with a given normal deviate z (no checks). */
void fu__stats_wilson_z(double x, double n, double z, double *lo, double *hi);
void fu__stats_nps_z(double promoters, double detractors, double n, double z, double *value, double *low,
                     double *high);

/* log|2F1(a, b; c; z)| and its sign for real z < 1 (no argument checks;
 * c not a non-positive integer). FU_ECONVERGE / FU_ERANGE with the error set. */
#define FU__STATS_HYP_MAXTERMS 10000000UL
int fu__stats_log_hyp2f1(double a, double b, double c, double z, double *logabs, int *sign);
/* The same with the argument checks (FU_EINVAL for z >= 1, c a non-positive
 * integer, non-finite arguments); sign may be NULL. */
int fu__stats_log_hyp2f1_checked(double a, double b, double c, double z, int *sign, double *out);
/* log 2F1(a, b; c; z_k) and its derivatives d[4k..4k+3] in a, b, c, z_k for
 * nz (1 or 2) arguments z_k that share the branch (z_k >= 1/2 or not), for
 * a, b, c > 0 and 0 <= z_k < 1: the values equal fu__stats_log_hyp2f1's bit
 * for bit. Returns FU_ERANGE (error not set) when a sum is not representable. */
int fu__stats_log_hyp2f1_dn(double a, double b, double c, const double *z, int nz, double *logabs, double *d);

/* The quasi-Newton optimizer (BFGS, Armijo backtracking, steps limited to a
 * factor e^2 per parameter) of the model fits. The objective returns f at
 * theta (+INFINITY or NaN outside the domain) and fills grad when grad !=
 * NULL; with analytic = 0 the gradient is taken by central differences. */
#define FU__STATS_MAXDIM 4
typedef double (*fu__stats_objective)(const double *theta, double *grad, void *ctx);

typedef struct fu__stats_min {
    fu__stats_objective f;
    void *ctx;
    int dim;
    int analytic;       /* f fills grad itself */
    unsigned int evals; /* evaluations so far (counted by the optimizer) */
} fu__stats_min;

/* Minimize from theta (updated in place) until the largest gradient
 * component is below tol (1 + |f|). FU_ECONVERGE when the start is not
 * finite, the line search fails, a |theta_i| passes 25 (a parameter runs
 * off to 0 or infinity on the log scale) or max_iter is reached. */
int fu__stats_minimize(fu__stats_min *m, double *theta, unsigned int max_iter, double tol, unsigned int *iters,
                       double *fout);

#endif /* FU_STATS_INTERNAL_H */
