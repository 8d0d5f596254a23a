/* fu_segment, numerical half: special functions, the quasi-Newton optimizer,
 * BG/NBD, Pareto/NBD and Gamma-Gamma likelihoods, fits, scoring and CLV.
 *
 * Formulas: Fader, Hardie & Lee (2005) "Counting your customers the easy way"
 * (BG/NBD likelihood eq. 6, P(alive), conditional expectation eq. 10, E[X(t)]
 * eq. 7); Fader & Hardie, "The Gamma-Gamma model of monetary value" (2013
 * note); Fader & Hardie, "A note on deriving the Pareto/NBD model and related
 * expressions" (2005) for the Pareto/NBD likelihood with its 2F1 branches. */
#include "segment_internal.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ================================================================ specials */

/* Stirling series for x >= 10; smaller x are shifted up by recurrence, the
 * product renormalised so that tiny x cannot underflow it. Shared by the
 * best-time and KPI modules (thread-safe, unlike lgamma(3) and its signgam). */
double fu__seg_lgamma(double x) {
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

double fu__seg_digamma(double x) {
    double acc = 0.0;
    while (x < 10.0) {
        acc -= 1.0 / x;
        x += 1.0;
    }
    double xi2 = 1.0 / (x * x);
    return acc + log(x) - 0.5 / x -
           xi2 * (1.0 / 12 - xi2 * (1.0 / 120 - xi2 * (1.0 / 252 - xi2 * (1.0 / 240 - xi2 / 132))));
}

#define SEG_LN_SCALE 575.64627324851142 /* log(1e250) */
#define SEG_HYP_MAXTERMS 10000000UL

static int is_nonpos_int(double c) { return c <= 0.0 && c == floor(c); }

/* Power series of 2F1 for |z| < 1 with rescaling, returning log|F| and sign. */
static int hyp2f1_series(double a, double b, double c, double z, double *logabs, int *sign) {
    double term = 1.0, rest = 0.0, logscale = 0.0, one = 1.0;
    double excess = a + b - c - 1.0;
    if (excess < 0.0) excess = 0.0;
    unsigned long n;
    for (n = 0; n < SEG_HYP_MAXTERMS; n++) {
        double dn = (double)n;
        double ratio = (a + dn) * (b + dn) / ((c + dn) * (dn + 1.0)) * z;
        term *= ratio;
        if (term == 0.0) break; /* a or b is a non-positive integer: a polynomial */
        rest += term;
        if (fabs(rest) > 1e250 || fabs(term) > 1e250) {
            rest *= 1e-250;
            term *= 1e-250;
            one *= 1e-250;
            logscale += SEG_LN_SCALE;
        }
        double q = fabs(ratio);
        double zb = fabs(z) * (1.0 + excess / (dn + 2.0));
        if (zb > q) q = zb;
        if (q < 1.0 && fabs(term) * q / (1.0 - q) <= 1e-17 * fabs(one + rest)) break;
    }
    if (n == SEG_HYP_MAXTERMS)
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
static int log_hyp2f1(double a, double b, double c, double z, double *logabs, int *sign) {
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

int fu_segment_log_hyp2f1(double a, double b, double c, double z, int *sign, double *out) {
    if (!out) return fu__error_set(FU_EINVAL, "out is NULL");
    if (!isfinite(a) || !isfinite(b) || !isfinite(c) || !isfinite(z))
        return fu__error_set(FU_EINVAL, "2F1 arguments must be finite");
    if (!(z < 1.0)) return fu__error_set(FU_EINVAL, "2F1: z = %g, must be < 1", z);
    if (is_nonpos_int(c)) return fu__error_set(FU_EINVAL, "2F1: c = %g is a non-positive integer", c);
    int s = 1;
    double v = 0.0;
    int rc = log_hyp2f1(a, b, c, z, &v, &s);
    if (rc != FU_OK) return rc;
    if (sign) *sign = s;
    *out = v;
    return FU_OK;
}

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

/* Objective: negative log-likelihood at log-parameters theta; fills grad
 * (d/dtheta) when grad != NULL. Returns +INFINITY (or NaN) outside the domain. */
typedef double (*seg_objective)(const double *theta, double *grad, void *ctx);

#define SEG_MAXDIM 4
#define SEG_THETA_LIMIT 25.0 /* |log parameter| beyond this: running off to 0 / infinity */

typedef struct seg_min {
    seg_objective f;
    void *ctx;
    int dim;
    int analytic; /* f fills grad itself */
    unsigned int evals;
} seg_min;

static double seg_eval(seg_min *m, const double *th, double *g) {
    m->evals++;
    if (m->analytic || !g) {
        double v = m->f(th, g, m->ctx);
        return isnan(v) ? INFINITY : v;
    }
    double v = m->f(th, NULL, m->ctx);
    if (!isfinite(v)) return INFINITY;
    double t[SEG_MAXDIM];
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
static int seg_minimize(seg_min *m, double *theta, unsigned int max_iter, double tol, unsigned int *iters,
                        double *fout) {
    const int d = m->dim;
    double H[SEG_MAXDIM][SEG_MAXDIM], g[SEG_MAXDIM], gn[SEG_MAXDIM], dir[SEG_MAXDIM], tn[SEG_MAXDIM];
    double s[SEG_MAXDIM], y[SEG_MAXDIM];
    int fresh = 1;
    double f = seg_eval(m, theta, g);
    if (!isfinite(f) || !isfinite(maxabs(g, d)))
        return fu__error_set(FU_ECONVERGE, "the likelihood is not finite at the starting point");
    for (int i = 0; i < d; i++)
        for (int j = 0; j < d; j++) H[i][j] = i == j;
    unsigned int it;
    for (it = 0; it < max_iter; it++) {
        if (maxabs(g, d) <= tol * (1.0 + fabs(f))) break;
        int rc = FU_CANCEL_POLL(it, 1);
        if (rc) return rc;
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
            fn = seg_eval(m, tn, NULL);
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
        double fcheck = seg_eval(m, tn, gn);
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
            if (fabs(theta[i]) > SEG_THETA_LIMIT)
                return fu__error_set(FU_ECONVERGE,
                                     "parameter %d runs off to %s: the data do not identify the model", i + 1,
                                     theta[i] > 0 ? "infinity" : "zero");
        if (sy > 1e-12 * sqrt(yy) * maxabs(s, d)) {
            if (fresh) { /* scale the first approximation */
                for (int i = 0; i < d; i++)
                    for (int j = 0; j < d; j++) H[i][j] = (i == j) ? sy / yy : 0.0;
                fresh = 0;
            }
            double rho = 1.0 / sy, Hy[SEG_MAXDIM], yHy = 0;
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

/* ================================================================ data */

typedef struct seg_row {
    double x, u, v, w; /* x, t_x (or zbar), T, weight */
} seg_row;

static int row_cmp(const void *pa, const void *pb) {
    const seg_row *a = pa, *b = pb;
    if (a->x != b->x) return a->x < b->x ? -1 : 1;
    if (a->u != b->u) return a->u < b->u ? -1 : 1;
    if (a->v != b->v) return a->v < b->v ? -1 : 1;
    return 0;
}

static int check_x(const double *x, size_t i) {
    if (!isfinite(x[i]) || x[i] < 0 || x[i] != floor(x[i]) || x[i] > 1e15)
        return fu__error_set(FU_EINVAL, "x[%zu] = %g: must be a non-negative integer", i, x[i]);
    return FU_OK;
}

static int check_rfm(const double *x, const double *t_x, const double *T, size_t i) {
    int rc = check_x(x, i);
    if (rc) return rc;
    if (!isfinite(T[i]) || T[i] < 0) return fu__error_set(FU_EINVAL, "T[%zu] = %g: must be finite and >= 0", i, T[i]);
    if (!isfinite(t_x[i]) || t_x[i] < 0)
        return fu__error_set(FU_EINVAL, "t_x[%zu] = %g: must be finite and >= 0", i, t_x[i]);
    if (t_x[i] > T[i]) return fu__error_set(FU_EINVAL, "t_x[%zu] = %g is after T = %g", i, t_x[i], T[i]);
    return FU_OK;
}

/* Validate and merge identical rows (weights count them). kind 0: (x, t_x, T)
 * with t_x ignored when x = 0; kind 1: (x, zbar), rows with x = 0 skipped. */
static int seg_rows(const double *x, const double *u, const double *v, size_t n, int kind, seg_row **out,
                    size_t *m_out, size_t *used) {
    if (!x || !u || (kind == 0 && !v)) return fu__error_set(FU_EINVAL, "data arrays must not be NULL");
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        int rc = kind == 0 ? check_rfm(x, u, v, i) : check_x(x, i);
        if (rc) return rc;
        if (kind == 1 && x[i] > 0 && !(isfinite(u[i]) && u[i] > 0))
            return fu__error_set(FU_EINVAL, "zbar[%zu] = %g: must be > 0 when x > 0", i, u[i]);
        if (kind == 0 || x[i] > 0) m++;
    }
    *used = m;
    seg_row *r = fu__malloc(m ? m * sizeof *r : 1);
    if (!r) return fu__error_nomem();
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (kind == 1 && x[i] == 0) continue;
        r[k].x = x[i];
        r[k].u = (kind == 0 && x[i] == 0) ? 0.0 : u[i];
        r[k].v = kind == 0 ? v[i] : 0.0;
        r[k].w = 1.0;
        k++;
    }
    qsort(r, m, sizeof *r, row_cmp);
    size_t o = 0;
    for (size_t i = 0; i < m; i++) {
        if (o > 0 && r[o - 1].x == r[i].x && r[o - 1].u == r[i].u && r[o - 1].v == r[i].v)
            r[o - 1].w += 1.0;
        else
            r[o++] = r[i];
    }
    *out = r;
    *m_out = o;
    return FU_OK;
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

static int check_bg(const fu_segment_bgnbd *m) {
    double p[4] = {m->r, m->alpha, m->a, m->b};
    return check_params(p, 4, bg_names);
}
static int check_pn(const fu_segment_pareto *m) {
    double p[4] = {m->r, m->alpha, m->s, m->beta};
    return check_params(p, 4, pn_names);
}
static int check_gg(const fu_segment_gammagamma *m) {
    double p[3] = {m->p, m->q, m->gamma};
    return check_params(p, 3, gg_names);
}

void fu_segment_fit_options_init(fu_segment_fit_options *opts) {
    if (opts) {
        fu_segment_fit_options d = FU_SEGMENT_FIT_OPTIONS_INIT;
        *opts = d;
    }
}

void fu_segment_score_options_init(fu_segment_score_options *opts) {
    if (opts) {
        fu_segment_score_options d = FU_SEGMENT_SCORE_OPTIONS_INIT;
        *opts = d;
    }
}

/* ================================================================ BG/NBD */

typedef struct seg_data {
    const seg_row *rows;
    size_t m;
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

/* Negative log-likelihood of BG/NBD and its gradient in log-parameters. */
static double bg_nll(const double *th, double *grad, void *vctx) {
    seg_data *D = vctx;
    double r = exp(th[0]), al = exp(th[1]), a = exp(th[2]), b = exp(th[3]);
    if (!isfinite(r) || !isfinite(al) || !isfinite(a) || !isfinite(b) || r == 0 || al == 0 || a == 0 || b == 0)
        return INFINITY;
    double lg_r = fu__seg_lgamma(r), lg_b = fu__seg_lgamma(b), lg_ab = fu__seg_lgamma(a + b);
    double ps_r = 0, ps_b = 0, ps_ab = 0;
    if (grad) {
        ps_r = fu__seg_digamma(r);
        ps_b = fu__seg_digamma(b);
        ps_ab = fu__seg_digamma(a + b);
    }
    double log_al = log(al), log_a = log(a);
    double ll = 0, gr = 0, gal = 0, ga = 0, gb = 0;
    double cx = -1, K = 0, c1 = 0, c2 = 0, dK = 0, dc1a = 0, dc2a = 0, dc1b = 0, dc2b = 0;
    for (size_t i = 0; i < D->m; i++) {
        SEG_POLL(D, i);
        const seg_row *R = &D->rows[i];
        double x = R->x;
        if (x != cx) {
            cx = x;
            double lg_abx = fu__seg_lgamma(a + b + x);
            K = fu__seg_lgamma(r + x) - lg_r;
            c1 = fu__seg_lgamma(b + x) - lg_abx - lg_b + lg_ab;
            c2 = x > 0 ? log_a + fu__seg_lgamma(b + x - 1) - lg_abx - lg_b + lg_ab : 0;
            if (grad) {
                double ps_abx = fu__seg_digamma(a + b + x);
                dK = fu__seg_digamma(r + x) - ps_r;
                dc1a = ps_ab - ps_abx;
                dc2a = 1.0 / a + ps_ab - ps_abx;
                dc1b = fu__seg_digamma(b + x) - ps_abx - ps_b + ps_ab;
                dc2b = x > 0 ? fu__seg_digamma(b + x - 1) - ps_abx - ps_b + ps_ab : 0;
            }
        }
        double lA = log(al + R->v);
        double e1 = c1 - (r + x) * lA, ls, w1 = 1, w2 = 0, lB = 0;
        if (x > 0) {
            lB = log(al + R->u);
            double e2 = c2 - (r + x) * lB;
            ls = logaddexp(e1, e2);
            w1 = exp(e1 - ls);
            w2 = exp(e2 - ls);
        } else {
            ls = e1;
        }
        ll += R->w * (K + r * log_al + ls);
        if (grad) {
            gr += R->w * (dK + log_al - w1 * lA - w2 * lB);
            gal += R->w * (r / al - (r + x) * (w1 / (al + R->v) + w2 / (al + R->u)));
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
    return -ll;
}

/* Fit driver shared by the models: tries the starts in order and keeps the
 * first that converges. */
/* ctx is the objective's seg_data. */
static int seg_fit(seg_objective f, int analytic, void *ctx, int dim, const double (*starts)[SEG_MAXDIM],
                   int n_starts, const fu_segment_fit_options *opts, double *est, double *ll,
                   unsigned int *iters, unsigned int *evals) {
    fu_segment_fit_options o = FU_SEGMENT_FIT_OPTIONS_INIT;
    if (opts) {
        if (opts->version != FU_SEGMENT_FIT_OPTIONS_VERSION)
            return fu__error_set(FU_EINVAL, "fit options version %u, expected %u", opts->version,
                                 FU_SEGMENT_FIT_OPTIONS_VERSION);
        o = *opts;
    }
    if (!(o.tolerance > 0) || o.max_iter == 0)
        return fu__error_set(FU_EINVAL, "fit options: tolerance and max_iter must be > 0");
    seg_min mm = {f, ctx, dim, analytic, 0};
    int rc = FU_ECONVERGE;
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
        rc = seg_minimize(&mm, th, o.max_iter, o.tolerance, &it, &fv);
        if (((seg_data *)ctx)->canceled) return fu__error_set(FU_ECANCELED, "canceled by the cancel hook");
        if (rc == FU_ECANCELED) return rc;
        if (rc == FU_OK) {
            for (int i = 0; i < dim; i++) est[i] = exp(th[i]);
            *ll = -fv;
            *iters = it;
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

int fu_segment_bgnbd_fit(const double *x, const double *t_x, const double *T, size_t n,
                         const fu_segment_fit_options *opts, fu_segment_fit_info *info, fu_segment_bgnbd *out) {
    if (!out) return fu__error_set(FU_EINVAL, "out is NULL");
    if (n == 0) return fu__error_set(FU_EINVAL, "no customers to fit");
    seg_row *rows = NULL;
    size_t m = 0, used = 0;
    int rc = seg_rows(x, t_x, T, n, 0, &rows, &m, &used);
    if (rc) return rc;
    double mx, mT;
    mean_of(rows, m, &mx, &mT);
    double scale = mT > 0 ? mT / (mx + 1.0) : 1.0;
    const double starts[][SEG_MAXDIM] = {
        {1.0, scale, 1.0, 1.0}, {0.5, 0.5 * scale, 0.5, 2.0}, {2.0, 2 * scale, 2.0, 4.0}, {0.1, 0.1 * scale, 0.1, 0.1}};
    if (mx == 0) {
        fu__free(rows);
        return fu__error_set(FU_ECONVERGE, "BG/NBD fit: nobody made a repeat purchase, the model is not identified");
    }
    seg_data D = {rows, m, 1, 0};
    double est[SEG_MAXDIM], ll = 0;
    unsigned int it = 0, ev = 0;
    rc = seg_fit(bg_nll, 1, &D, 4, starts, 4, opts, est, &ll, &it, &ev);
    fu__free(rows);
    if (rc) {
        fu__error_prefix("BG/NBD fit");
        return rc;
    }
    out->r = est[0];
    out->alpha = est[1];
    out->a = est[2];
    out->b = est[3];
    fill_info(info, ll, it, ev, used, m);
    return FU_OK;
}

static int loglik_generic(seg_objective f, const double *params, int dim, const char *const *names,
                          const double *x, const double *u, const double *v, size_t n, int kind, double *out) {
    if (!params || !out) return fu__error_set(FU_EINVAL, "model or out is NULL");
    int rc = check_params(params, dim, names);
    if (rc) return rc;
    seg_row *rows = NULL;
    size_t m = 0, used = 0;
    rc = seg_rows(x, u, v, n, kind, &rows, &m, &used);
    if (rc) return rc;
    double th[SEG_MAXDIM];
    for (int i = 0; i < dim; i++) th[i] = log(params[i]);
    seg_data D = {rows, m, 0, 0};
    double nll = f(th, NULL, &D);
    fu__free(rows);
    if (!isfinite(nll)) return fu__error_set(FU_ERANGE, "the log-likelihood is not finite");
    *out = -nll;
    return FU_OK;
}

int fu_segment_bgnbd_loglik(const fu_segment_bgnbd *m, const double *x, const double *t_x, const double *T,
                            size_t n, double *out) {
    double p[4] = {m ? m->r : 0, m ? m->alpha : 0, m ? m->a : 0, m ? m->b : 0};
    return loglik_generic(bg_nll, m ? p : NULL, 4, bg_names, x, t_x, T, n, 0, out);
}

static int check_one(double x, double t_x, double T) {
    return check_rfm(&x, &t_x, &T, 0);
}

/* log of a / (b + x - 1) ((alpha+T)/(alpha+t_x))^(r+x): P(alive) = 1 / (1 + exp(L)) */
static double bg_alive_L(const fu_segment_bgnbd *m, double x, double t_x, double T) {
    return log(m->a) - log(m->b + x - 1) + (m->r + x) * log1p((T - t_x) / (m->alpha + t_x));
}

static double bg_p_alive(const fu_segment_bgnbd *m, double x, double t_x, double T) {
    if (x == 0) return 1.0;
    return inv1p_exp(bg_alive_L(m, x, t_x, T));
}

/* (a+b+x-1)/(a-1) [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; z)],
 * the expected purchases in (T, T+t] of a customer alive at T. The 2F1 is
 * taken in its Euler form (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z), whose
 * parameters stay small however large x is. Removable singularities at a = 1
 * and a + b + x = 1 are bridged by symmetric evaluation. */
static int bg_alive_expect(double r, double alpha, double a, double b, double x, double T, double t, double *out) {
    if (t == 0) {
        *out = 0;
        return FU_OK;
    }
    double c = a + b + x - 1;
    const double h = 1e-6;
    if (fabs(a - 1) < h || fabs(c) < h || is_nonpos_int(c)) {
        double lo = 0, hi = 0;
        double da = fabs(a - 1) < h ? (1 + 2 * h) - a : 2 * h;
        int rc = bg_alive_expect(r, alpha, a + da, b, x, T, t, &hi);
        if (rc == FU_OK) rc = bg_alive_expect(r, alpha, a - da > 0 ? a - da : a / 2, b, x, T, t, &lo);
        if (rc) return rc;
        *out = 0.5 * (lo + hi);
        return FU_OK;
    }
    double z = t / (alpha + T + t);
    double lf;
    int sg;
    int rc = log_hyp2f1(a + b - 1 - r, a - 1, c, z, &lf, &sg);
    if (rc) return rc;
    double logG = (a - 1) * log1p(-z) + lf;
    double one_minus_G = sg > 0 ? -expm1(logG) : 1.0 + exp(logG);
    double v = c / (a - 1) * one_minus_G;
    if (!isfinite(v)) return fu__error_set(FU_ERANGE, "expected purchases overflow");
    *out = v > 0 ? v : 0.0;
    return FU_OK;
}

int fu_segment_bgnbd_p_alive(const fu_segment_bgnbd *m, double x, double t_x, double T, double *out) {
    if (!m || !out) return fu__error_set(FU_EINVAL, "model or out is NULL");
    int rc = check_bg(m);
    if (!rc) rc = check_one(x, t_x, T);
    if (rc) return rc;
    *out = bg_p_alive(m, x, t_x, T);
    return FU_OK;
}

static int bg_expected(const fu_segment_bgnbd *m, double x, double t_x, double T, double t, double *out) {
    double e;
    int rc = bg_alive_expect(m->r, m->alpha, m->a, m->b, x, T, t, &e);
    if (rc) return rc;
    *out = bg_p_alive(m, x, t_x, T) * e;
    return FU_OK;
}

int fu_segment_bgnbd_expected(const fu_segment_bgnbd *m, double x, double t_x, double T, double t, double *out) {
    if (!m || !out) return fu__error_set(FU_EINVAL, "model or out is NULL");
    int rc = check_bg(m);
    if (!rc) rc = check_one(x, t_x, T);
    if (rc) return rc;
    if (!isfinite(t) || t < 0) return fu__error_set(FU_EINVAL, "t = %g: must be finite and >= 0", t);
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
    rc = log_hyp2f1(k, b2, k + 1, d / (mm + t_x), &f1, &s1);
    if (!rc) rc = log_hyp2f1(k, b2, k + 1, d / (mm + T), &f2, &s2);
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

static double pn_nll(const double *th, double *grad, void *vctx) {
    (void)grad;
    seg_data *D = vctx;
    double r = exp(th[0]), al = exp(th[1]), s = exp(th[2]), be = exp(th[3]);
    if (!isfinite(r) || !isfinite(al) || !isfinite(s) || !isfinite(be) || r == 0 || al == 0 || s == 0 || be == 0)
        return INFINITY;
    double lg_r = fu__seg_lgamma(r), cx = -1, K = 0;
    double ll = 0, base = r * log(al) + s * log(be);
    for (size_t i = 0; i < D->m; i++) {
        SEG_POLL(D, i);
        const seg_row *R = &D->rows[i];
        if (R->x != cx) {
            cx = R->x;
            K = fu__seg_lgamma(r + cx) - lg_r;
        }
        double rest;
        if (pn_loglik_one(r, al, s, be, R->x, R->u, R->v, &rest, NULL) != FU_OK) return INFINITY;
        ll += R->w * (K + base + rest);
    }
    return -ll;
}

int fu_segment_pareto_fit(const double *x, const double *t_x, const double *T, size_t n,
                          const fu_segment_fit_options *opts, fu_segment_fit_info *info, fu_segment_pareto *out) {
    if (!out) return fu__error_set(FU_EINVAL, "out is NULL");
    if (n == 0) return fu__error_set(FU_EINVAL, "no customers to fit");
    seg_row *rows = NULL;
    size_t m = 0, used = 0;
    int rc = seg_rows(x, t_x, T, n, 0, &rows, &m, &used);
    if (rc) return rc;
    double mx, mT;
    mean_of(rows, m, &mx, &mT);
    double scale = mT > 0 ? mT / (mx + 1.0) : 1.0, tscale = mT > 0 ? mT : 1.0;
    const double starts[][SEG_MAXDIM] = {{1.0, scale, 1.0, tscale},
                                         {0.5, 0.5 * scale, 0.5, 0.5 * tscale},
                                         {2.0, 2 * scale, 2.0, 2 * tscale},
                                         {0.1, 0.1 * scale, 0.1, 0.1 * tscale}};
    if (mx == 0) {
        fu__free(rows);
        return fu__error_set(FU_ECONVERGE, "Pareto/NBD fit: nobody made a repeat purchase, the model is not identified");
    }
    seg_data D = {rows, m, 1, 0};
    double est[SEG_MAXDIM], ll = 0;
    unsigned int it = 0, ev = 0;
    /* a numerical gradient carries noise of order 1e-11 |LL|: do not ask for less */
    fu_segment_fit_options o = FU_SEGMENT_FIT_OPTIONS_INIT;
    if (opts) o = *opts;
    if (o.version == FU_SEGMENT_FIT_OPTIONS_VERSION && o.tolerance < 1e-9) o.tolerance = 1e-9;
    rc = seg_fit(pn_nll, 0, &D, 4, starts, 4, &o, est, &ll, &it, &ev);
    fu__free(rows);
    if (rc) {
        fu__error_prefix("Pareto/NBD fit");
        return rc;
    }
    out->r = est[0];
    out->alpha = est[1];
    out->s = est[2];
    out->beta = est[3];
    fill_info(info, ll, it, ev, used, m);
    return FU_OK;
}

int fu_segment_pareto_loglik(const fu_segment_pareto *m, const double *x, const double *t_x, const double *T,
                             size_t n, double *out) {
    double p[4] = {m ? m->r : 0, m ? m->alpha : 0, m ? m->s : 0, m ? m->beta : 0};
    return loglik_generic(pn_nll, m ? p : NULL, 4, pn_names, x, t_x, T, n, 0, out);
}

static int pn_p_alive(const fu_segment_pareto *m, double x, double t_x, double T, double *out) {
    double rest, lp;
    int rc = pn_loglik_one(m->r, m->alpha, m->s, m->beta, x, t_x, T, &rest, &lp);
    if (rc) return rc;
    *out = exp(lp);
    return FU_OK;
}

int fu_segment_pareto_p_alive(const fu_segment_pareto *m, double x, double t_x, double T, double *out) {
    if (!m || !out) return fu__error_set(FU_EINVAL, "model or out is NULL");
    int rc = check_pn(m);
    if (!rc) rc = check_one(x, t_x, T);
    if (rc) return rc;
    return pn_p_alive(m, x, t_x, T, out);
}

/* (r+x)(beta+T)/((alpha+T)(s-1)) [1 - ((beta+T)/(beta+T+t))^(s-1)]: expected
 * purchases in (T, T+t] of a customer alive at T, with the s -> 1 limit. */
static double pn_alive_expect(const fu_segment_pareto *m, double x, double T, double t) {
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
    int rc = pn_p_alive(m, x, t_x, T, &pa);
    if (rc) return rc;
    *out = pa * pn_alive_expect(m, x, T, t);
    return FU_OK;
}

int fu_segment_pareto_expected(const fu_segment_pareto *m, double x, double t_x, double T, double t, double *out) {
    if (!m || !out) return fu__error_set(FU_EINVAL, "model or out is NULL");
    int rc = check_pn(m);
    if (!rc) rc = check_one(x, t_x, T);
    if (rc) return rc;
    if (!isfinite(t) || t < 0) return fu__error_set(FU_EINVAL, "t = %g: must be finite and >= 0", t);
    return pn_expected(m, x, t_x, T, t, out);
}

int fu_segment_pareto_expected_new(const fu_segment_pareto *m, double t, double *out) {
    if (!m || !out) return fu__error_set(FU_EINVAL, "model or out is NULL");
    int rc = check_pn(m);
    if (rc) return rc;
    if (!isfinite(t) || t < 0) return fu__error_set(FU_EINVAL, "t = %g: must be finite and >= 0", t);
    *out = pn_alive_expect(m, 0, 0, t);
    return FU_OK;
}

/* ================================================================ Gamma-Gamma */

static double gg_nll(const double *th, double *grad, void *vctx) {
    seg_data *D = vctx;
    double p = exp(th[0]), q = exp(th[1]), g = exp(th[2]);
    if (!isfinite(p) || !isfinite(q) || !isfinite(g) || p == 0 || q == 0 || g == 0) return INFINITY;
    double lg_q = fu__seg_lgamma(q), ps_q = grad ? fu__seg_digamma(q) : 0, lgam = log(g);
    double cx = -1, K = 0, dp = 0, dq = 0, lx = 0;
    double ll = 0, gp = 0, gq = 0, gg = 0;
    for (size_t i = 0; i < D->m; i++) {
        SEG_POLL(D, i);
        const seg_row *R = &D->rows[i];
        double x = R->x;
        if (x != cx) {
            cx = x;
            lx = log(x);
            K = fu__seg_lgamma(p * x + q) - fu__seg_lgamma(p * x) - lg_q;
            if (grad) {
                double psq = fu__seg_digamma(p * x + q);
                dp = psq - fu__seg_digamma(p * x);
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
    seg_row *rows = NULL;
    size_t m = 0, used = 0;
    int rc = seg_rows(x, zbar, NULL, n, 1, &rows, &m, &used);
    if (rc) return rc;
    if (used < 2) {
        fu__free(rows);
        return fu__error_set(FU_ECONVERGE, "Gamma-Gamma fit: %zu customers with x > 0, need at least 2", used);
    }
    double sz = 0, sw = 0;
    for (size_t i = 0; i < m; i++) {
        sz += rows[i].w * rows[i].u;
        sw += rows[i].w;
    }
    double mz = sz / sw;
    const double starts[][SEG_MAXDIM] = {{1.0, 2.0, mz}, {5.0, 3.0, 0.5 * mz}, {0.5, 5.0, 5 * mz}};
    seg_data D = {rows, m, 1, 0};
    double est[SEG_MAXDIM], ll = 0;
    unsigned int it = 0, ev = 0;
    rc = seg_fit(gg_nll, 1, &D, 3, starts, 3, opts, est, &ll, &it, &ev);
    fu__free(rows);
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
    return loglik_generic(gg_nll, m ? p : NULL, 3, gg_names, x, zbar, NULL, n, 1, out);
}

static int gg_expected(const fu_segment_gammagamma *m, double x, double zbar, double *out) {
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
    int rc = check_gg(m);
    if (!rc) rc = check_x(&x, 0);
    if (rc) return rc;
    if (x > 0 && !(isfinite(zbar) && zbar >= 0))
        return fu__error_set(FU_EINVAL, "zbar = %g: must be finite and >= 0", zbar);
    return gg_expected(m, x, zbar, out);
}

/* ================================================================ scoring */

/* Scoring needs, per customer, the expectation of a customer alive at T at
 * several horizons (the `expected` horizon and the K CLV period ends). For
 * BG/NBD all of them share one 2F1(A, B; C; z) with A = a+b-1-r, B = a-1,
 * C = a+b+x-1 and differ only in z, so the series coefficients are computed
 * once per distinct x (a small cache) and summed for all horizons at once. */

#define SEG_MAXH 64          /* horizons summed together; more go in batches */
#define SEG_CACHE_SLOTS 16
#define SEG_CACHE_TERMS 2048
#define SEG_FAST_ZMAX 0.98

typedef struct seg_coef {
    double x;      /* the x the slot holds, -1 when empty */
    size_t len;    /* coefficients computed so far */
    int bad;       /* coefficients left the safe range: use the general path */
    double *c;     /* SEG_CACHE_TERMS coefficients */
} seg_coef;

typedef struct seg_cache {
    seg_coef slot[SEG_CACHE_SLOTS];
    double *mem;
} seg_cache;

static int cache_init(seg_cache *C) {
    C->mem = fu__malloc(sizeof(double) * SEG_CACHE_SLOTS * SEG_CACHE_TERMS);
    if (!C->mem) return fu__error_nomem();
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
    unsigned h = (unsigned)x % SEG_CACHE_SLOTS;
    seg_coef *sl = &C->slot[h];
    if (sl->x != x) {
        sl->x = x;
        sl->len = 0;
        sl->bad = 0;
    }
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

typedef struct seg_model_ops {
    int (*alive)(const void *model, double x, double t_x, double T, double *out);
    /* expectation of a customer alive at T at nt horizons */
    int (*alive_expect)(const void *model, seg_cache *C, double x, double T, const double *ts, int nt, double *out);
} seg_model_ops;

static int bg_alive(const void *m, double x, double t_x, double T, double *out) {
    *out = bg_p_alive(m, x, t_x, T);
    return FU_OK;
}

static int bg_alive_multi(const void *vm, seg_cache *C, double x, double T, const double *ts, int nt, double *out) {
    const fu_segment_bgnbd *m = vm;
    if (bg_fast_multi(m, C, x, T, ts, nt, out) == FU_OK) return FU_OK;
    for (int k = 0; k < nt; k++) {
        int rc = bg_alive_expect(m->r, m->alpha, m->a, m->b, x, T, ts[k], &out[k]);
        if (rc) return rc;
    }
    return FU_OK;
}

static int pn_alive(const void *m, double x, double t_x, double T, double *out) {
    return pn_p_alive(m, x, t_x, T, out);
}

static int pn_alive_multi(const void *m, seg_cache *C, double x, double T, const double *ts, int nt, double *out) {
    (void)C;
    for (int k = 0; k < nt; k++) out[k] = pn_alive_expect(m, x, T, ts[k]);
    return FU_OK;
}

static const seg_model_ops bg_ops = {bg_alive, bg_alive_multi};
static const seg_model_ops pn_ops = {pn_alive, pn_alive_multi};

static int score_generic(const void *model, const seg_model_ops *ops, const fu_segment_gammagamma *gg,
                         const double *x, const double *t_x, const double *T, const double *zbar, size_t n,
                         const fu_segment_score_options *opts, double *p_alive, double *expected, double *clv) {
    fu_segment_score_options o = FU_SEGMENT_SCORE_OPTIONS_INIT;
    if (opts) {
        if (opts->version != FU_SEGMENT_SCORE_OPTIONS_VERSION)
            return fu__error_set(FU_EINVAL, "score options version %u, expected %u", opts->version,
                                 FU_SEGMENT_SCORE_OPTIONS_VERSION);
        o = *opts;
    }
    if (n > 0 && (!x || !t_x || !T)) return fu__error_set(FU_EINVAL, "data arrays must not be NULL");
    if (expected && !(isfinite(o.horizon) && o.horizon > 0))
        return fu__error_set(FU_EINVAL, "score options: horizon = %g, must be > 0 for expected purchases", o.horizon);
    if (clv) {
        if (!(isfinite(o.period) && o.period > 0))
            return fu__error_set(FU_EINVAL, "score options: period = %g, must be > 0 for CLV", o.period);
        if (o.periods == 0 || o.periods > 100000)
            return fu__error_set(FU_EINVAL, "score options: periods = %u, must be in 1..100000", o.periods);
        if (!(isfinite(o.discount) && o.discount > -1))
            return fu__error_set(FU_EINVAL, "score options: discount = %g, must be > -1", o.discount);
        if (!isfinite(o.margin)) return fu__error_set(FU_EINVAL, "score options: margin must be finite");
        if (n > 0 && !zbar) return fu__error_set(FU_EINVAL, "zbar is NULL but CLV is wanted");
        if (gg) {
            int rc = check_gg(gg);
            if (rc) return rc;
        }
    }
    for (size_t i = 0; i < n; i++) {
        int rc = check_rfm(x, t_x, T, i);
        if (rc) return rc;
    }
    if (!expected && !clv) { /* P(alive) alone needs no scratch */
        for (size_t i = 0; i < n && p_alive; i++) {
            int rc = ops->alive(model, x[i], t_x[i], T[i], &p_alive[i]);
            if (rc) {
                fu__error_prefix("customer %zu", i);
                return rc;
            }
        }
        return FU_OK;
    }
    seg_cache C;
    int rc = cache_init(&C);
    if (rc) return rc;
    double inv1d = 1.0 / (1.0 + o.discount);
    double ts[SEG_MAXH], ev[SEG_MAXH];
    for (size_t i = 0; i < n; i++) {
        double pa;
        if ((rc = ops->alive(model, x[i], t_x[i], T[i], &pa)) != FU_OK) goto fail;
        if (p_alive) p_alive[i] = pa;
        int with_h = 0; /* the horizon rides along with the first batch of CLV periods */
        if (expected && !clv) {
            if ((rc = ops->alive_expect(model, &C, x[i], T[i], &o.horizon, 1, ev)) != FU_OK) goto fail;
            expected[i] = pa * ev[0];
        } else if (expected) {
            with_h = 1;
        }
        if (clv) {
            double value = 0;
            if (gg) {
                if ((rc = gg_expected(gg, x[i], zbar[i], &value)) != FU_OK) goto fail;
            } else {
                value = zbar[i];
                if (!isfinite(value)) {
                    rc = fu__error_set(FU_EINVAL, "zbar[%zu] is not finite", i);
                    goto fail;
                }
            }
            double prev = 0, acc = 0, disc = 1;
            for (unsigned int k0 = 1; k0 <= o.periods;) {
                int nt = 0, first = 0;
                if (with_h) {
                    ts[nt++] = o.horizon;
                    first = 1;
                }
                for (; k0 <= o.periods && nt < SEG_MAXH; k0++) ts[nt++] = o.period * k0;
                if ((rc = ops->alive_expect(model, &C, x[i], T[i], ts, nt, ev)) != FU_OK) goto fail;
                if (with_h) {
                    expected[i] = pa * ev[0];
                    with_h = 0;
                }
                for (int k = first; k < nt; k++) {
                    disc *= inv1d;
                    acc += (ev[k] - prev) * disc;
                    prev = ev[k];
                }
            }
            clv[i] = o.margin * value * pa * acc;
        }
        continue;
    fail:
        fu__free(C.mem);
        fu__error_prefix("customer %zu", i);
        return rc;
    }
    fu__free(C.mem);
    return FU_OK;
}

int fu_segment_bgnbd_score(const fu_segment_bgnbd *m, const fu_segment_gammagamma *gg, const double *x,
                           const double *t_x, const double *T, const double *zbar, size_t n,
                           const fu_segment_score_options *opts, double *p_alive, double *expected, double *clv) {
    if (!m) return fu__error_set(FU_EINVAL, "model is NULL");
    int rc = check_bg(m);
    if (rc) return rc;
    return score_generic(m, &bg_ops, gg, x, t_x, T, zbar, n, opts, p_alive, expected, clv);
}

int fu_segment_pareto_score(const fu_segment_pareto *m, const fu_segment_gammagamma *gg, const double *x,
                            const double *t_x, const double *T, const double *zbar, size_t n,
                            const fu_segment_score_options *opts, double *p_alive, double *expected, double *clv) {
    if (!m) return fu__error_set(FU_EINVAL, "model is NULL");
    int rc = check_pn(m);
    if (rc) return rc;
    return score_generic(m, &pn_ops, gg, x, t_x, T, zbar, n, opts, p_alive, expected, clv);
}
