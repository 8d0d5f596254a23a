/* fu_stats: the statistics of the library in one place — log Gamma and
 * digamma, the normal, Student t and Beta distributions (quantiles, the
 * incomplete beta), Wilson, t and NPS intervals, the Gauss hypergeometric
 * function 2F1 (with its parameter derivatives) and the quasi-Newton
 * optimizer of the model fits. The public part is followup/stats.h; the
 * rest (stats_internal.h) serves fu_segment, fu_besttime and fu_kpi.
 *
 * Every function is reentrant: no global state (lgamma(3) writes signgam,
 * hence fu__stats_lgamma). */
#include "stats_internal.h"

#include <float.h>
#include <math.h>
#include <string.h>

#define STATS_PI 3.14159265358979323846

/* ================================================================ Gamma */

/* Stirling series for x >= 10; smaller x are shifted up by recurrence, the
 * product renormalised so that tiny x cannot underflow it (thread-safe,
 * unlike lgamma(3) and its signgam). */
double fu__stats_lgamma(double x) {
    double shift = 0.0;
    if (x < 10.0) {
        double prod = 1.0;
        while (x < 10.0) {
            prod *= x;
            x += 1.0;
            if (prod < 1e-250 || prod > 1e250) {
                shift += log(prod);
                prod = 1.0;
            }
        }
        shift += log(prod);
    }
    double xi = 1.0 / x, xi2 = xi * xi;
    double series = xi * (1.0 / 12 - xi2 * (1.0 / 360 - xi2 * (1.0 / 1260 - xi2 * (1.0 / 1680 - xi2 / 1188))));
    return (x - 0.5) * log(x) - x + 0.91893853320467274178 + series - shift;
}

double fu__stats_digamma(double x) {
    double acc = 0.0;
    while (x < 10.0) {
        acc -= 1.0 / x;
        x += 1.0;
    }
    double xi2 = 1.0 / (x * x);
    return acc + log(x) - 0.5 / x -
           xi2 * (1.0 / 12 - xi2 * (1.0 / 120 - xi2 * (1.0 / 252 - xi2 * (1.0 / 240 - xi2 / 132))));
}

/* ================================================================ normal, t, Beta */

double fu__stats_lbeta(double a, double b) {
    return fu__stats_lgamma(a) + fu__stats_lgamma(b) - fu__stats_lgamma(a + b);
}

/* The continued fraction of I_x(a, b) (modified Lentz), good for
 * x < (a + 1) / (a + b + 2):
 *   I_x(a,b) = x^a (1-x)^b / (a B(a,b)) * 1 / (1 + d1 / (1 + d2 / (1 + ...)))
 *   d_{2m+1} = -(a+m)(a+b+m) x / ((a+2m)(a+2m+1)),
 *   d_{2m}   = m (b-m) x / ((a+2m-1)(a+2m)). */
static double stats_betacf(double x, double a, double b) {
    const double tiny = 1e-300;
    double c = 1.0, d = 1.0 - (a + b) * x / (a + 1.0);
    if (fabs(d) < tiny) d = tiny;
    d = 1.0 / d;
    double f = d;
    for (int m = 1; m <= 5000; m++) {
        double m2 = 2.0 * m;
        double num = m * (b - m) * x / ((a + m2 - 1.0) * (a + m2));
        d = 1.0 + num * d;
        if (fabs(d) < tiny) d = tiny;
        c = 1.0 + num / c;
        if (fabs(c) < tiny) c = tiny;
        d = 1.0 / d;
        f *= d * c;
        num = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0));
        d = 1.0 + num * d;
        if (fabs(d) < tiny) d = tiny;
        c = 1.0 + num / c;
        if (fabs(c) < tiny) c = tiny;
        d = 1.0 / d;
        double delta = d * c;
        f *= delta;
        if (fabs(delta - 1.0) < 1e-16) break;
    }
    return f;
}

/* I_x(a, b) with a precomputed log B(a, b). */
double fu__stats_ibeta(double x, double a, double b, double lb) {
    if (x <= 0.0) return 0.0;
    if (x >= 1.0) return 1.0;
    double front = exp(a * log(x) + b * log1p(-x) - lb);
    if (x < (a + 1.0) / (a + b + 2.0)) return front * stats_betacf(x, a, b) / a;
    return 1.0 - front * stats_betacf(1.0 - x, b, a) / b;
}

/* Lower-tail standard normal quantile, Abramowitz & Stegun 26.2.23 (error
 * < 4.5e-4): only a starting point for the Beta quantile iteration. */
double fu__stats_norm_quantile_rough(double q) {
    double p = q < 0.5 ? q : 1.0 - q;
    double t = sqrt(-2.0 * log(p));
    double z = t - (2.515517 + t * (0.802853 + t * 0.010328)) /
                       (1.0 + t * (1.432788 + t * (0.189269 + t * 0.001308)));
    return q < 0.5 ? -z : z;
}

/* Quantile of Beta(a, b): Halley's method on I_x(a,b) - q from a closed-form
 * start, kept inside a bracket that bisection falls back to. Upper quantiles
 * are found as 1 - Q(1 - q; b, a) so that the iteration works on the small
 * distance from 1, where doubles are dense.
 *
 * The lower-tail core takes log B(a, b), the upper-tail normal deviate y of
 * q for the start, and when to stop: `tol` 0 iterates until a step is below
 * 1e-15 relative (fu_stats_beta_quantile()); `tol` > 0 returns after a
 * Halley step smaller than tol (a Newton step smaller than tol^2) times the
 * local scale min(x, 1 - x, sd), whose result is then accurate to about
 * tol^3 of that scale (credible intervals, docs/besttime.md). */

static double stats_beta_quantile(double q, double a, double b) {
    if (q <= 0.0) return 0.0;
    if (q >= 1.0) return 1.0;
    double lb = fu__stats_lbeta(a, b);
    if (q > 0.5)
        return 1.0 - fu__stats_beta_quantile_lower(1.0 - q, b, a, lb, -fu__stats_norm_quantile_rough(1.0 - q), 0.0);
    return fu__stats_beta_quantile_lower(q, a, b, lb, -fu__stats_norm_quantile_rough(q), 0.0);
}

double fu__stats_beta_quantile_lower(double q, double a, double b, double lb, double y, double tol) {
    double x;
    if (a >= 1.0 && b >= 1.0) {
        /* Abramowitz & Stegun 26.5.22 (y is the upper-tail normal deviate). */
        double lam = (y * y - 3.0) / 6.0;
        double h = 2.0 / (1.0 / (2.0 * a - 1.0 + 1e-300) + 1.0 / (2.0 * b - 1.0 + 1e-300));
        double w = y * sqrt(h + lam) / h -
                   (1.0 / (2.0 * b - 1.0 + 1e-300) - 1.0 / (2.0 * a - 1.0 + 1e-300)) *
                       (lam + 5.0 / 6.0 - 2.0 / (3.0 * h));
        if (!isfinite(w) || a < 1.5 || b < 1.5) {
            /* the formula is poor near a or b = 1: start from the mean instead */
            x = a / (a + b);
        } else {
            x = a / (a + b * exp(2.0 * w));
        }
    } else {
        /* Approximate the density by x^(a-1) below and (1-x)^(b-1) above the
         * mode area: the two tails carry mass t and u. */
        double lab = log(a + b);
        double t = exp(a * (log(a) - lab)) / a, u = exp(b * (log(b) - lab)) / b, s = t + u;
        if (q < t / s) x = pow(a * s * q, 1.0 / a);
        else x = 1.0 - pow(b * s * (1.0 - q), 1.0 / b);
    }
    if (!(x > 0.0 && x < 1.0)) x = a / (a + b);
    double lo = 0.0, hi = 1.0;
    double sd = sqrt(a * b / ((a + b) * (a + b) * (a + b + 1.0)));
    for (int it = 0; it < 300; it++) {
        double f = fu__stats_ibeta(x, a, b, lb) - q;
        if (f == 0.0) return x;
        if (f < 0.0) lo = x;
        else hi = x;
        double logpdf = (a - 1.0) * log(x) + (b - 1.0) * log1p(-x) - lb;
        double pdf = exp(logpdf);
        double xn;
        int halley = 0;
        if (pdf > 0.0 && isfinite(pdf)) {
            double step = f / pdf;
            double curv = (a - 1.0) / x - (b - 1.0) / (1.0 - x);
            double den = 1.0 - 0.5 * step * curv;
            if (den > 0.5 && den < 2.0) { /* Halley, when it is tame */
                step /= den;
                halley = 1;
            }
            xn = x - step;
        } else {
            xn = 0.5 * (lo + hi);
        }
        int bisected = !(xn > lo && xn < hi);
        if (bisected) xn = 0.5 * (lo + hi);
        double ax = x < 1e-300 ? 1e-300 : x;
        if (fabs(xn - x) <= 1e-15 * ax || hi - lo <= 4 * DBL_EPSILON * hi) return xn;
        if (tol > 0.0 && !bisected) {
            /* The error after a step of size s is about s^3 / scale^2
             * (Halley) or s^2 / scale (Newton), the scale being the smallest
             * of the distances to the ends (near 1 a step small against x can
             * be large against 1 - x) and the standard deviation. */
            double scale = fmin(fmin(ax, 1.0 - x), sd);
            if (fabs(xn - x) <= (halley ? tol : tol * tol) * scale) return xn;
        }
        x = xn;
    }
    return x;
}

/* FU_OK, or FU_EINVAL unless a and b are finite and > 0 and `v` (the
 * argument named `name`) is in [0, 1]. */
static int check_beta(double a, double b, const char *name, double v) {
    if (!(a > 0.0) || !(b > 0.0) || !isfinite(a) || !isfinite(b))
        return fu__error_set(FU_EINVAL, "Beta parameters must be finite and > 0 (a=%g, b=%g)", a, b);
    if (!(v >= 0.0 && v <= 1.0)) return fu__error_set(FU_EINVAL, "%s must be in [0,1] (%s=%g)", name, name, v);
    return FU_OK;
}

int fu_stats_beta_cdf(double x, double a, double b, double *out) {
    if (!out) return fu__error_set(FU_EINVAL, "beta cdf: NULL out");
    int rc = check_beta(a, b, "x", x);
    if (rc == FU_OK) *out = fu__stats_ibeta(x, a, b, fu__stats_lbeta(a, b));
    return rc;
}

int fu_stats_beta_quantile(double q, double a, double b, double *out) {
    if (!out) return fu__error_set(FU_EINVAL, "beta quantile: NULL out");
    int rc = check_beta(a, b, "q", q);
    if (rc == FU_OK) *out = stats_beta_quantile(q, a, b);
    return rc;
}

static double norm_cdf(double x) { return 0.5 * erfc(-x / sqrt(2.0)); }

/* Start from Abramowitz & Stegun 26.2.23 (error < 4.5e-4), then polish
 * with Newton steps on the exact CDF (erfc keeps relative accuracy in the
 * lower tail); 0 < p < 1. */
double fu__stats_norm_quantile(double p) {
    if (p > 0.5) return -fu__stats_norm_quantile(1.0 - p);
    double x = fu__stats_norm_quantile_rough(p);
    for (int i = 0; i < 6; i++) {
        double pdf = exp(-0.5 * x * x) / sqrt(2.0 * STATS_PI);
        if (pdf <= 0) break;
        double step = (norm_cdf(x) - p) / pdf;
        x -= step;
        if (fabs(step) < 1e-15 * (1.0 + fabs(x))) break;
    }
    return x;
}

int fu_stats_normal_quantile(double p, double *out) {
    if (!out || !(p > 0.0 && p < 1.0))
        return fu__error_set(FU_EINVAL, "normal quantile: p must lie in (0, 1)");
    *out = fu__stats_norm_quantile(p);
    return FU_OK;
}

/* Regularized incomplete beta I_x(a, b) for a, b > 0. */
static double ibeta(double a, double b, double x) {
    if (!(x >= 0.0 && x <= 1.0)) return 0.0;
    return fu__stats_ibeta(x, a, b, fu__stats_lbeta(a, b));
}

/* P(T <= t) for Student's t with df degrees of freedom. */
static double t_cdf(double t, double df) {
    double x = df / (df + t * t);
    double tail = 0.5 * ibeta(df / 2.0, 0.5, x);
    return t >= 0 ? 1.0 - tail : tail;
}

static double t_pdf(double t, double df) {
    /* fu__stats_lgamma, not lgamma(3): lgamma writes the global signgam */
    double l = fu__stats_lgamma((df + 1.0) / 2.0) - fu__stats_lgamma(df / 2.0) - 0.5 * log(df * STATS_PI) -
               (df + 1.0) / 2.0 * log1p(t * t / df);
    return exp(l);
}

int fu_stats_t_quantile(double p, double df, double *out) {
    if (!out || !(p > 0.0 && p < 1.0) || !(df > 0.0) || isinf(df))
        return fu__error_set(FU_EINVAL, "t quantile: need 0 < p < 1 and a finite df > 0");
    if (p < 0.5) {
        double q;
        fu_stats_t_quantile(1.0 - p, df, &q);
        *out = -q;
        return FU_OK;
    }
    if (p == 0.5) {
        *out = 0;
        return FU_OK;
    }
    if (df == 1.0) {
        *out = tan(STATS_PI * (p - 0.5));
        return FU_OK;
    }
    if (df == 2.0) {
        *out = (2.0 * p - 1.0) / sqrt(2.0 * p * (1.0 - p));
        return FU_OK;
    }
    double z = fu__stats_norm_quantile(p);
    /* Cornish-Fisher expansion as the start, then Newton steps kept inside a
     * bracket [lo, hi] that always contains the root. */
    double z3 = z * z * z, z5 = z3 * z * z;
    double x = z + (z3 + z) / (4 * df) + (5 * z5 + 16 * z3 + 3 * z) / (96 * df * df);
    if (df > 1e7) {
        *out = x;
        return FU_OK;
    }
    double lo = 0, hi = x > 1 ? 2 * x : 2;
    while (t_cdf(hi, df) < p && hi < 1e300) hi *= 2;
    if (!(x > lo && x < hi)) x = 0.5 * (lo + hi);
    for (int i = 0; i < 200; i++) {
        double f = t_cdf(x, df) - p;
        if (f > 0) hi = x;
        else lo = x;
        double d = t_pdf(x, df);
        double nx = d > 0 ? x - f / d : 0.5 * (lo + hi);
        if (!(nx > lo && nx < hi)) nx = 0.5 * (lo + hi);
        if (fabs(nx - x) <= 1e-14 * (1.0 + fabs(x))) {
            x = nx;
            break;
        }
        x = nx;
    }
    *out = x;
    return FU_OK;
}

static int check_conf(double c) { return c > 0.0 && c < 1.0; }

void fu__stats_wilson_z(double x, double n, double z, double *lo, double *hi) {
    double p = x / n, z2 = z * z;
    double den = 1.0 + z2 / n;
    double mid = (p + z2 / (2 * n)) / den;
    double half = z * sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / den;
    /* at x = 0 (x = n) the bound is 0 (1) exactly; mid - half would leave
     * rounding noise such as 5.55e-17 */
    *lo = x <= 0 ? 0.0 : fmax(0.0, mid - half);
    *hi = x >= n ? 1.0 : fmin(1.0, mid + half);
}

int fu_stats_wilson(double x, double n, double confidence, double *low, double *high) {
    if (!low || !high || !(n > 0) || !(x >= 0) || x > n || !check_conf(confidence))
        return fu__error_set(FU_EINVAL, "Wilson interval: need 0 <= x <= n, n > 0, 0 < confidence < 1");
    fu__stats_wilson_z(x, n, fu__stats_norm_quantile(0.5 + confidence / 2.0), low, high);
    return FU_OK;
}

int fu_stats_mean_interval(double n, double sum, double sumsq, double confidence, double *mean,
                           double *low, double *high) {
    if (!mean || !low || !high || !(n >= 2) || !check_conf(confidence) || !isfinite(sum) ||
        !isfinite(sumsq))
        return fu__error_set(FU_EINVAL, "t interval: need n >= 2 and 0 < confidence < 1");
    double m = sum / n;
    double var = (sumsq - n * m * m) / (n - 1);
    if (var < 0) var = 0;
    double t;
    int rc = fu_stats_t_quantile(0.5 + confidence / 2.0, n - 1, &t);
    if (rc) return rc;
    double half = t * sqrt(var / n);
    *mean = m;
    *low = m - half;
    *high = m + half;
    return FU_OK;
}

void fu__stats_nps_z(double promoters, double detractors, double n, double z, double *value, double *low,
                     double *high) {
    double pp = promoters / n, pd = detractors / n, d = pp - pd;
    double var = (pp + pd - d * d) / n;
    if (var < 0) var = 0;
    double half = 100.0 * z * sqrt(var);
    *value = 100.0 * d;
    *low = fmax(-100.0, *value - half);
    *high = fmin(100.0, *value + half);
}

int fu_stats_nps_interval(double promoters, double detractors, double n, double confidence, double *value,
                          double *low, double *high) {
    if (!value || !low || !high || !(n > 0) || !(promoters >= 0) || !(detractors >= 0) ||
        promoters + detractors > n || !check_conf(confidence))
        return fu__error_set(FU_EINVAL, "NPS interval: need counts within n > 0 and 0 < confidence < 1");
    fu__stats_nps_z(promoters, detractors, n, fu__stats_norm_quantile(0.5 + confidence / 2.0), value, low, high);
    return FU_OK;
}

/* ================================================================ 2F1 */

#define STATS_LN_SCALE 575.64627324851142 /* log(1e250) */

static int is_nonpos_int(double c) { return c <= 0.0 && c == floor(c); }

/* Power series of 2F1 for |z| < 1 with rescaling, returning log|F| and sign. */
static int hyp2f1_series(double a, double b, double c, double z, double *logabs, int *sign) {
    double term = 1.0, rest = 0.0, logscale = 0.0, one = 1.0;
    double excess = a + b - c - 1.0;
    if (excess < 0.0) excess = 0.0;
    unsigned long n;
    for (n = 0; n < FU__STATS_HYP_MAXTERMS; n++) {
        double dn = (double)n;
        double ratio = (a + dn) * (b + dn) / ((c + dn) * (dn + 1.0)) * z;
        term *= ratio;
        if (term == 0.0) break; /* a or b is a non-positive integer: a polynomial */
        rest += term;
        if (fabs(rest) > 1e250 || fabs(term) > 1e250) {
            rest *= 1e-250;
            term *= 1e-250;
            one *= 1e-250;
            logscale += STATS_LN_SCALE;
        }
        double q = fabs(ratio);
        double zb = fabs(z) * (1.0 + excess / (dn + 2.0));
        if (zb > q) q = zb;
        if (q < 1.0 && fabs(term) * q / (1.0 - q) <= 1e-17 * fabs(one + rest)) break;
    }
    if (n == FU__STATS_HYP_MAXTERMS)
        return fu__error_set(FU_ECONVERGE, "2F1(%g, %g; %g; %g): series did not converge", a, b, c, z);
    double sum = one + rest;
    if (!isfinite(sum) || sum == 0.0) {
        *logabs = -INFINITY;
        *sign = 0;
        if (!isfinite(sum))
            return fu__error_set(FU_ERANGE, "2F1(%g, %g; %g; %g) is not representable", a, b, c, z);
        return FU_OK;
    }
    *sign = sum > 0 ? 1 : -1;
    if (logscale == 0.0 && rest > -0.5 && rest < 0.5)
        *logabs = log1p(rest); /* keeps precision when F is close to 1 */
    else
        *logabs = log(fabs(sum)) + logscale;
    return FU_OK;
}

/* log|2F1(a,b;c;z)| for real z < 1 via Pfaff (z < 0) and Euler (z near 1)
 * transformations onto the series. */
int fu__stats_log_hyp2f1(double a, double b, double c, double z, double *logabs, int *sign) {
    double pre = 0.0;
    if (z < 0.0) {
        /* Pfaff: (1-z)^-a F(a, c-b; c; z/(z-1)) or (1-z)^-b F(c-a, b; c; z/(z-1)).
         * Prefer the one whose new parameter is not negative (no cancelling
         * terms; a zero parameter ends the series at once), then the one with
         * the smaller a+b and so the faster tail. The result needs no Euler step:
         * that would only swap the two forms. */
        double w = z / (z - 1.0), l1z = log1p(-z);
        int first = (c - b >= 0) != (c - a >= 0) ? (c - b >= 0) : (a <= b);
        if (first) {
            pre = -a * l1z;
            b = c - b;
        } else {
            pre = -b * l1z;
            a = c - a;
        }
        z = w;
    } else if (z >= 0.5 && c < a + b) {
        /* Euler: (1-z)^(c-a-b) F(c-a, c-b; c; z) has the smaller parameters. */
        pre += (c - a - b) * log1p(-z);
        double na = c - a, nb = c - b;
        a = na;
        b = nb;
    }
    int rc = hyp2f1_series(a, b, c, z, logabs, sign);
    if (rc == FU_OK) *logabs += pre;
    return rc;
}

int fu__stats_log_hyp2f1_checked(double a, double b, double c, double z, int *sign, double *out) {
    if (!out) return fu__error_set(FU_EINVAL, "out is NULL");
    if (!isfinite(a) || !isfinite(b) || !isfinite(c) || !isfinite(z))
        return fu__error_set(FU_EINVAL, "2F1 arguments must be finite");
    if (!(z < 1.0)) return fu__error_set(FU_EINVAL, "2F1: z = %g, must be < 1", z);
    if (is_nonpos_int(c)) return fu__error_set(FU_EINVAL, "2F1: c = %g is a non-positive integer", c);
    int s = 1;
    double v = 0.0;
    int rc = fu__stats_log_hyp2f1(a, b, c, z, &v, &s);
    if (rc != FU_OK) return rc;
    if (sign) *sign = s;
    *out = v;
    return FU_OK;
}

/* log 2F1(a, b; c; z_k) and its derivatives d[4k..4k+3] in a, b, c and z_k
 * for nz (1 or 2) arguments z_k at once, for a, b, c > 0 and 0 <= z_k < 1
 * (every term positive). Each z_k takes the series of hyp2f1_series term for
 * term (the same value, bit for bit, stopping at the same term), with the
 * term-wise derivatives summed alongside (d t_n / da = t_n sum_{j<n} 1/(a+j));
 * the coefficients and reciprocals are shared by the arguments. */
typedef struct hyp_acc {
    double z, term, rest, one, logscale, sa, sb, sc, sz;
    int done;
} hyp_acc;

static int hyp2f1_series_dn(double a, double b, double c, const double *z, int nz, double *logabs, double *d) {
    hyp_acc A[2];
    double ha = 0, hb = 0, hc = 0;
    double excess = a + b - c - 1.0;
    if (excess < 0.0) excess = 0.0;
    for (int k = 0; k < nz; k++) {
        memset(&A[k], 0, sizeof A[k]);
        A[k].z = z[k];
        A[k].term = A[k].one = 1.0;
    }
    int left = nz;
    for (unsigned long n = 0; left > 0; n++) {
        if (n == FU__STATS_HYP_MAXTERMS) return FU_ERANGE;
        double dn = (double)n, pa = a + dn, pb = b + dn, pc = c + dn;
        double r0 = pa * pb / (pc * (dn + 1.0)), inv = 1.0 / (pa * pb * pc);
        ha += pb * pc * inv;
        hb += pa * pc * inv;
        hc += pa * pb * inv;
        for (int k = 0; k < nz; k++) {
            hyp_acc *S = &A[k];
            if (S->done) continue;
            double ratio = r0 * S->z;
            S->term *= ratio;
            if (S->term == 0.0) {
                S->done = 1, left--;
                continue;
            }
            S->rest += S->term;
            S->sa += S->term * ha;
            S->sb += S->term * hb;
            S->sc += S->term * hc;
            S->sz += S->term * (dn + 1.0);
            if (fabs(S->rest) > 1e250 || fabs(S->term) > 1e250) {
                S->rest *= 1e-250, S->term *= 1e-250, S->one *= 1e-250;
                S->sa *= 1e-250, S->sb *= 1e-250, S->sc *= 1e-250, S->sz *= 1e-250;
                S->logscale += STATS_LN_SCALE;
            }
            double q = fabs(ratio);
            double zb = fabs(S->z) * (1.0 + excess / (dn + 2.0));
            if (zb > q) q = zb;
            if (q < 1.0 && fabs(S->term) * q / (1.0 - q) <= 1e-17 * fabs(S->one + S->rest)) S->done = 1, left--;
        }
    }
    for (int k = 0; k < nz; k++) {
        const hyp_acc *S = &A[k];
        double sum = S->one + S->rest;
        if (!isfinite(sum) || !(sum > 0)) return FU_ERANGE;
        if (S->logscale == 0.0 && S->rest > -0.5 && S->rest < 0.5)
            logabs[k] = log1p(S->rest);
        else
            logabs[k] = log(sum) + S->logscale;
        d[4 * k] = S->sa / sum;
        d[4 * k + 1] = S->sb / sum;
        d[4 * k + 2] = -S->sc / sum;
        d[4 * k + 3] = S->z > 0 ? S->sz / (S->z * sum) : a * b / c;
    }
    return FU_OK;
}

/* The same for log_hyp2f1 with its Euler step (z_k >= 0.5 and c < a + b),
 * which all the z_k must share. */
int fu__stats_log_hyp2f1_dn(double a, double b, double c, const double *z, int nz, double *logabs, double *d) {
    if (z[0] >= 0.5 && c < a + b) {
        double e = c - a - b, g[8];
        int rc = hyp2f1_series_dn(c - a, c - b, c, z, nz, logabs, g);
        if (rc) return rc;
        for (int k = 0; k < nz; k++) {
            double l1z = log1p(-z[k]);
            const double *G = &g[4 * k];
            logabs[k] += e * l1z;
            d[4 * k] = -l1z - G[0];
            d[4 * k + 1] = -l1z - G[1];
            d[4 * k + 2] = l1z + G[0] + G[1] + G[2];
            d[4 * k + 3] = -e / (1.0 - z[k]) + G[3];
        }
        return FU_OK;
    }
    return hyp2f1_series_dn(a, b, c, z, nz, logabs, d);
}

/* ================================================================ optimizer */

#define STATS_THETA_LIMIT 25.0 /* |log parameter| beyond this: running off to 0 / infinity */


static double stats_eval(fu__stats_min *m, const double *th, double *g) {
    m->evals++;
    if (m->analytic || !g) {
        double v = m->f(th, g, m->ctx);
        return isnan(v) ? INFINITY : v;
    }
    double v = m->f(th, NULL, m->ctx);
    if (!isfinite(v)) return INFINITY;
    double t[FU__STATS_MAXDIM];
    memcpy(t, th, sizeof(double) * (size_t)m->dim);
    for (int i = 0; i < m->dim; i++) {
        const double h = 1e-5;
        t[i] = th[i] + h;
        double fp = m->f(t, NULL, m->ctx);
        t[i] = th[i] - h;
        double fm = m->f(t, NULL, m->ctx);
        t[i] = th[i];
        m->evals += 2;
        g[i] = (fp - fm) / (2 * h);
        if (!isfinite(g[i])) return INFINITY;
    }
    return v;
}

static double maxabs(const double *v, int n) {
    double r = 0;
    for (int i = 0; i < n; i++)
        if (fabs(v[i]) > r || isnan(v[i])) r = isnan(v[i]) ? INFINITY : fabs(v[i]);
    return r;
}

/* BFGS with a backtracking (Armijo) line search on the log-parameters.
 * Returns FU_OK with theta at a stationary point, or FU_ECONVERGE. */
int fu__stats_minimize(fu__stats_min *m, double *theta, unsigned int max_iter, double tol, unsigned int *iters,
                        double *fout) {
    const int d = m->dim;
    double H[FU__STATS_MAXDIM][FU__STATS_MAXDIM], g[FU__STATS_MAXDIM], gn[FU__STATS_MAXDIM];
    double dir[FU__STATS_MAXDIM], tn[FU__STATS_MAXDIM];
    double s[FU__STATS_MAXDIM], y[FU__STATS_MAXDIM];
    int fresh = 1;
    double f = stats_eval(m, theta, g);
    if (!isfinite(f) || !isfinite(maxabs(g, d)))
        return fu__error_set(FU_ECONVERGE, "the likelihood is not finite at the starting point");
    for (int i = 0; i < d; i++)
        for (int j = 0; j < d; j++) H[i][j] = i == j;
    unsigned int it;
    for (it = 0; it < max_iter; it++) {
        if (maxabs(g, d) <= tol * (1.0 + fabs(f))) break;
        int crc = FU_CANCEL_POLL(it, 1);
        if (crc) return crc;
        double gd = 0;
        for (int i = 0; i < d; i++) {
            dir[i] = 0;
            for (int j = 0; j < d; j++) dir[i] -= H[i][j] * g[j];
            gd += dir[i] * g[i];
        }
        if (!(gd < 0)) { /* not a descent direction: restart from steepest descent */
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) H[i][j] = i == j;
                dir[i] = -g[i];
            }
            gd = 0;
            for (int i = 0; i < d; i++) gd += dir[i] * g[i];
            fresh = 1;
        }
        double big = maxabs(dir, d);
        if (big > 2.0) { /* limit a step to a factor e^2 per parameter */
            gd = 0;
            for (int i = 0; i < d; i++) {
                dir[i] *= 2.0 / big;
                gd += dir[i] * g[i];
            }
        }
        double step = 1.0, fn = INFINITY;
        int ok = 0;
        for (int k = 0; k < 60; k++) {
            for (int i = 0; i < d; i++) tn[i] = theta[i] + step * dir[i];
            fn = stats_eval(m, tn, m->analytic ? gn : NULL); /* an analytic gradient comes with f */
            if (isfinite(fn) && fn <= f + 1e-4 * step * gd) {
                ok = 1;
                break;
            }
            step *= 0.5;
        }
        if (!ok) {
            if (!fresh) { /* a stale Hessian approximation: try steepest descent once */
                for (int i = 0; i < d; i++)
                    for (int j = 0; j < d; j++) H[i][j] = i == j;
                fresh = 1;
                continue;
            }
            /* no decrease possible: accept when the gradient is at noise level */
            if (maxabs(g, d) <= 1e-6 * (1.0 + fabs(f))) break;
            return fu__error_set(FU_ECONVERGE, "line search failed after %u iterations", it);
        }
        double fcheck = m->analytic ? fn : stats_eval(m, tn, gn);
        if (!isfinite(fcheck) || !isfinite(maxabs(gn, d)))
            return fu__error_set(FU_ECONVERGE, "gradient is not finite after %u iterations", it);
        double sy = 0, yy = 0;
        for (int i = 0; i < d; i++) {
            s[i] = tn[i] - theta[i];
            y[i] = gn[i] - g[i];
            sy += s[i] * y[i];
            yy += y[i] * y[i];
        }
        memcpy(theta, tn, sizeof(double) * (size_t)d);
        memcpy(g, gn, sizeof(double) * (size_t)d);
        f = fcheck;
        for (int i = 0; i < d; i++)
            if (fabs(theta[i]) > STATS_THETA_LIMIT)
                return fu__error_set(FU_ECONVERGE,
                                     "parameter %d runs off to %s: the data do not identify the model", i + 1,
                                     theta[i] > 0 ? "infinity" : "zero");
        if (sy > 1e-12 * sqrt(yy) * maxabs(s, d)) {
            if (fresh) { /* scale the first approximation */
                for (int i = 0; i < d; i++)
                    for (int j = 0; j < d; j++) H[i][j] = (i == j) ? sy / yy : 0.0;
                fresh = 0;
            }
            double rho = 1.0 / sy, Hy[FU__STATS_MAXDIM], yHy = 0;
            for (int i = 0; i < d; i++) {
                Hy[i] = 0;
                for (int j = 0; j < d; j++) Hy[i] += H[i][j] * y[j];
                yHy += y[i] * Hy[i];
            }
            for (int i = 0; i < d; i++)
                for (int j = 0; j < d; j++)
                    H[i][j] += (1.0 + rho * yHy) * rho * s[i] * s[j] - rho * (Hy[i] * s[j] + s[i] * Hy[j]);
        }
    }
    if (it == max_iter) return fu__error_set(FU_ECONVERGE, "no convergence in %u iterations", max_iter);
    *iters = it;
    *fout = f;
    return FU_OK;
}
