/* fu_segment: summaries from raw events, BG/NBD, Pareto/NBD, Gamma-Gamma
 * against the published CDNOW fits, numerical hard cases, scoring and CLV,
 * RFM and the rule-based segments. */
#include "fu_test.h"
#include "segment_internal.h"
#include "stats_internal.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CDNOW FU_TEST_DATADIR "/cdnow/"
#define NCD 2357

/* ------------------------------------------------------------- data loading */

typedef struct cd_summary {
    size_t n;
    double x[NCD], t_x[NCD], T[NCD], zbar[NCD];
} cd_summary;

/* cdnow_customers_summary_with_transactions.csv: ID,x,t_x,T,zbar (CRLF) */
static void load_summary(cd_summary *s) {
    FILE *f = fopen(CDNOW "cdnow_customers_summary_with_transactions.csv", "r");
    cr_assert_not_null(f);
    char line[256];
    cr_assert_not_null(fgets(line, sizeof line, f));
    size_t n = 0;
    while (fgets(line, sizeof line, f)) {
        int id;
        double x, tx, T, z;
        if (sscanf(line, "%d,%lf,%lf,%lf,%lf", &id, &x, &tx, &T, &z) != 5) continue;
        cr_assert_lt(n, NCD);
        cr_assert_eq(id, (int)n + 1);
        s->x[n] = x;
        s->t_x[n] = tx;
        s->T[n] = T;
        s->zbar[n] = z;
        n++;
    }
    fclose(f);
    s->n = n;
    cr_assert_eq(n, NCD);
}

/* days since 1970-01-01 of a proleptic Gregorian date */
static int64_t days_from_civil(int y, int m, int d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

typedef struct cd_events {
    size_t n;
    size_t *cust;
    int64_t *at;
    double *value;
} cd_events;

/* CDNOW_sample.txt: master id, sample id, YYYYMMDD, cds, dollars (CRLF) */
static void load_events(cd_events *e, int64_t time_of_day) {
    FILE *f = fopen(CDNOW "CDNOW_sample.txt", "r");
    cr_assert_not_null(f);
    size_t cap = 8000;
    e->cust = malloc(cap * sizeof *e->cust);
    e->at = malloc(cap * sizeof *e->at);
    e->value = malloc(cap * sizeof *e->value);
    e->n = 0;
    long master, sid, date, cds;
    double dollars;
    while (fscanf(f, "%ld %ld %ld %ld %lf", &master, &sid, &date, &cds, &dollars) == 5) {
        cr_assert_lt(e->n, cap);
        int y = (int)(date / 10000), m = (int)(date / 100 % 100), d = (int)(date % 100);
        e->cust[e->n] = (size_t)(sid - 1);
        e->at[e->n] = days_from_civil(y, m, d) * 86400 + time_of_day;
        e->value[e->n] = dollars;
        e->n++;
    }
    fclose(f);
    cr_assert_eq(e->n, 6919);
}

static void free_events(cd_events *e) {
    free(e->cust);
    free(e->at);
    free(e->value);
}

static int64_t cdnow_calibration_end(void) { return days_from_civil(1997, 9, 30) * 86400; }

/* ------------------------------------------------------------- summaries */

static void check_cdnow_summary(const fu_segment_summary *s, const cd_summary *ref) {
    cr_assert_eq(s->n, NCD);
    double sum_x = 0;
    size_t repeaters = 0;
    for (size_t i = 0; i < NCD; i++) {
        cr_assert_float_eq(s->x[i], ref->x[i], 1e-9, "x of customer %zu: %g vs %g", i + 1, s->x[i], ref->x[i]);
        cr_assert_float_eq(s->t_x[i], ref->t_x[i], 0.005 + 1e-9, "t_x of customer %zu: %g vs %g", i + 1, s->t_x[i],
                           ref->t_x[i]);
        cr_assert_float_eq(s->T[i], ref->T[i], 0.005 + 1e-9, "T of customer %zu: %g vs %g", i + 1, s->T[i], ref->T[i]);
        cr_assert_float_eq(s->zbar[i], ref->zbar[i], 0.005 + 1e-9, "zbar of customer %zu: %g vs %g", i + 1, s->zbar[i],
                           ref->zbar[i]);
        cr_assert_neq(s->first_at[i], FU_SEGMENT_NO_PURCHASE);
        sum_x += s->x[i];
        repeaters += s->x[i] > 0;
    }
    cr_assert_eq(sum_x, 2457);
    cr_assert_eq(repeaters, 946);
}

Test(segment, summaries_from_cdnow_sample_equal_the_published_file) {
    static cd_summary ref;
    load_summary(&ref);
    cd_events e;
    load_events(&e, 0);
    fu_segment_summary *s = NULL;
    int rc = fu_segment_summarize(e.cust, e.at, e.value, e.n, NCD, cdnow_calibration_end(), 604800.0, NULL, &s);
    cr_assert_eq(rc, FU_OK, "%s", fu_error_last()->message);
    check_cdnow_summary(s, &ref);
    fu_segment_summary_free(s);
    free_events(&e);
}

Test(segment, summaries_use_the_day_offset_for_same_day_purchases) {
    /* The same purchases stamped at 20:00 in UTC+08:00 (12:00 UTC) summarize
     * identically when days are cut at 00:00 UTC+08:00. */
    static cd_summary ref;
    load_summary(&ref);
    cd_events e;
    load_events(&e, 12 * 3600);
    fu_segment_summary_options o = FU_SEGMENT_SUMMARY_OPTIONS_INIT;
    o.day_offset = 8 * 3600;
    fu_segment_summary *s = NULL;
    /* calibration end: 1997-09-30 00:00 UTC+08:00 */
    int rc = fu_segment_summarize(e.cust, e.at, e.value, e.n, NCD, cdnow_calibration_end() - 8 * 3600, 604800.0, &o,
                                  &s);
    cr_assert_eq(rc, FU_OK, "%s", fu_error_last()->message);
    check_cdnow_summary(s, &ref);
    fu_segment_summary_free(s);
    free_events(&e);
}

Test(segment, summaries_hand_computed_in_days_with_merging_off) {
    /* customer 0: three purchases; customer 1: none; customer 2: one purchase
     * twice at the same second; events after the end are ignored. */
    size_t c[] = {0, 0, 0, 2, 2, 0};
    int64_t at[] = {1000, 1000 + 86400, 1000 + 3 * 86400, 5000, 5000, 1000 + 30 * 86400};
    double v[] = {10, 20, 40, 1, 2, 99};
    fu_segment_summary_options o = FU_SEGMENT_SUMMARY_OPTIONS_INIT;
    o.day_seconds = 0;
    fu_segment_summary *s = NULL;
    cr_assert_eq(fu_segment_summarize(c, at, v, 6, 3, 1000 + 10 * 86400, 86400.0, &o, &s), FU_OK);
    cr_assert_eq(s->x[0], 2);
    cr_assert_float_eq(s->t_x[0], 3.0, 1e-12);
    cr_assert_float_eq(s->T[0], 10.0, 1e-12);
    cr_assert_float_eq(s->zbar[0], 30.0, 1e-12);
    cr_assert_float_eq(s->total[0], 70.0, 1e-12);
    cr_assert_eq(s->first_at[0], 1000);
    cr_assert_eq(s->first_at[1], FU_SEGMENT_NO_PURCHASE);
    cr_assert_eq(s->x[1], 0);
    cr_assert_eq(s->T[1], 0);
    cr_assert_eq(s->x[2], 0);
    cr_assert_float_eq(s->total[2], 3.0, 1e-12);
    cr_assert_eq(s->zbar[2], 0);
    fu_segment_summary_free(s);
}

Test(segment, summaries_reject_bad_input_naming_the_event) {
    size_t c[] = {0, 5};
    int64_t at[] = {0, 0};
    double v[] = {1, 1};
    fu_segment_summary *s = NULL;
    cr_assert_eq(fu_segment_summarize(c, at, v, 2, 2, 100, 86400.0, NULL, &s), FU_EINVAL);
    cr_assert_not_null(strstr(fu_error_last()->message, "event 1"), "%s", fu_error_last()->message);
    cr_assert_null(s);
    size_t c2[] = {0, 1};
    double neg[] = {1, -3};
    cr_assert_eq(fu_segment_summarize(c2, at, neg, 2, 2, 100, 86400.0, NULL, &s), FU_EINVAL);
    cr_assert_not_null(strstr(fu_error_last()->message, "event 1"));
    cr_assert_eq(fu_segment_summarize(c2, at, v, 2, 2, 100, 0.0, NULL, &s), FU_EINVAL);
    cr_assert_eq(fu_segment_summarize(c2, at, v, 2, 2, 100, 86400.0, NULL, NULL), FU_EINVAL);
    fu_segment_summary_free(NULL);
}

static int summarize_op(void *ctx) {
    const cd_events *e = ctx;
    fu_segment_summary *s = NULL;
    int rc = fu_segment_summarize(e->cust, e->at, e->value, 200, NCD, cdnow_calibration_end(), 604800.0, NULL, &s);
    fu_segment_summary_free(s);
    return rc;
}

Test(segment, summarize_survives_every_allocation_failure) {
    cd_events e;
    load_events(&e, 0);
    fu_test_oom("summarize", summarize_op, &e, 1000);
    free_events(&e);
}

/* ------------------------------------------------------------- BG/NBD */

/* Fit BG/NBD (model 0) or Pareto/NBD (1) to d with options o (NULL:
 * defaults): the parameters in p as (r, alpha, a, b) or (r, alpha, s, beta). */
static int fit_rfm(int model, const cd_summary *d, const fu_segment_fit_options *o, fu_segment_fit_info *info,
                   double p[4]) {
    int rc;
    if (model == 0) {
        fu_segment_bgnbd m;
        rc = fu_segment_bgnbd_fit(d->x, d->t_x, d->T, d->n, o, info, &m);
        if (!rc) p[0] = m.r, p[1] = m.alpha, p[2] = m.a, p[3] = m.b;
    } else {
        fu_segment_pareto m;
        rc = fu_segment_pareto_fit(d->x, d->t_x, d->T, d->n, o, info, &m);
        if (!rc) p[0] = m.r, p[1] = m.alpha, p[2] = m.s, p[3] = m.beta;
    }
    return rc;
}

typedef struct published_fit {
    fu_segment_fit_info info;
    double p[4];
} published_fit;

/* The default fit of `model` to CDNOW (loaded into d) reproduces the
 * published estimates `want` (to 0.002) and log-likelihood `want_ll` (to 0.1). */
static published_fit assert_published_fit(cd_summary *d, int model, const double want[4], double want_ll) {
    static const char *const names[2][4] = {{"r", "alpha", "a", "b"}, {"r", "alpha", "s", "beta"}};
    published_fit f;
    load_summary(d);
    int rc = fit_rfm(model, d, NULL, &f.info, f.p);
    cr_assert_eq(rc, FU_OK, "%s", fu_error_last()->message);
    for (int j = 0; j < 4; j++) cr_assert_lt(fabs(f.p[j] - want[j]), 0.002, "%s = %.6f", names[model][j], f.p[j]);
    cr_assert_lt(fabs(f.info.loglik - want_ll), 0.1, "LL = %.4f", f.info.loglik);
    return f;
}

Test(segment, bgnbd_fit_reproduces_published_cdnow_estimates) {
    static cd_summary d;
    static const double want[4] = {0.243, 4.414, 0.793, 2.426};
    published_fit f = assert_published_fit(&d, 0, want, -9582.4);
    cr_assert_eq(f.info.n, NCD);
    cr_assert_lt(f.info.distinct, NCD);
    fu_segment_bgnbd m = {f.p[0], f.p[1], f.p[2], f.p[3]};
    double ll;
    cr_assert_eq(fu_segment_bgnbd_loglik(&m, d.x, d.t_x, d.T, d.n, &ll), FU_OK);
    cr_assert_float_eq(ll, f.info.loglik, 1e-8);
}

Test(segment, pareto_fit_reproduces_published_cdnow_estimates) {
    static cd_summary d;
    static const double want[4] = {0.553, 10.578, 0.606, 11.669};
    assert_published_fit(&d, 1, want, -9595.0);
}

Test(segment, gammagamma_fit_reproduces_published_cdnow_estimates) {
    static cd_summary d;
    load_summary(&d);
    fu_segment_gammagamma m;
    fu_segment_fit_info info;
    int rc = fu_segment_gammagamma_fit(d.x, d.zbar, d.n, NULL, &info, &m);
    cr_assert_eq(rc, FU_OK, "%s", fu_error_last()->message);
    cr_assert_lt(fabs(m.p - 6.25), 0.02, "p = %.6f", m.p);
    cr_assert_lt(fabs(m.q - 3.74), 0.02, "q = %.6f", m.q);
    cr_assert_lt(fabs(m.gamma - 15.44), 0.02, "gamma = %.6f", m.gamma);
    cr_assert_lt(fabs(info.loglik + 4055.9), 0.1, "LL = %.4f", info.loglik);
    cr_assert_eq(info.n, 946);
}

/* ------------------------------------------------------------- 2F1 */

struct hyp_case {
    double a, b, c, z, expect;
};

ParameterizedTestParameters(segment, hyp2f1_matches_closed_forms) {
    static struct hyp_case cases[] = {
        {1, 1, 2, 0.3, 1.1889164797957748},        /* -log(1-z)/z */
        {1, 1, 2, -3.0, 0.46209812037329684},      /* log(4)/3 (Pfaff) */
        {1, 1, 2, 0.9999, 9.2112},                 /* -log(1e-4)/0.9999, slow series */
        {2.5, 0.7, 0.7, 0.6, 9.882117688026186},   /* (1-z)^-a */
        {2.5, 0.7, 0.7, -40.0, 0.00009168582510},  /* (1-z)^-a, far negative */
        {0.5, 1, 1.5, -0.25, 0.9272952180016122},  /* atan(sqrt(-z))/sqrt(-z) */
        {0.5, 0.5, 1.5, 0.25, 1.0471975511965976}, /* asin(sqrt z)/sqrt z */
        {-3, 2, 4, 0.5, 0.3875},                   /* a polynomial: 1 - 3/4 + 3/10*... */
        {3000, 3000, 3000, 0.4, 0},                /* (1-z)^-3000: only the log is representable */
    };
    cases[2].expect = -log(1e-4) / 0.9999;
    cases[4].expect = pow(41.0, -2.5);
    cases[7].expect = 1 - 3.0 * 2 / 4 * 0.5 + 3.0 * 2 * 3 / (4 * 5) * 0.25 - 1.0 * 2 * 3 * 4 / (4 * 5 * 6) * 0.125;
    cases[8].expect = -3000 * log(0.6); /* compared as a log */
    return cr_make_param_array(struct hyp_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct hyp_case *k, segment, hyp2f1_matches_closed_forms) {
    double lf;
    int sg = 0;
    int rc = fu__stats_log_hyp2f1_checked(k->a, k->b, k->c, k->z, &sg, &lf);
    cr_assert_eq(rc, FU_OK, "%s", fu_error_last()->message);
    if (k->a == 3000) {
        cr_assert_float_eq(lf, k->expect, 1e-9 * k->expect, "log 2F1 = %.15g, want %.15g", lf, k->expect);
        return;
    }
    double v = sg * exp(lf);
    cr_assert_float_eq(v, k->expect, 1e-12 * fabs(k->expect) + 1e-300, "2F1(%g,%g;%g;%g) = %.17g, want %.17g", k->a,
                       k->b, k->c, k->z, v, k->expect);
}

Test(segment, hyp2f1_rejects_outside_its_domain) {
    double v;
    cr_assert_eq(fu__stats_log_hyp2f1_checked(1, 1, 2, 1.0, NULL, &v), FU_EINVAL);
    cr_assert_eq(fu__stats_log_hyp2f1_checked(1, 1, -2, 0.5, NULL, &v), FU_EINVAL);
    cr_assert_eq(fu__stats_log_hyp2f1_checked(1, 1, 2, NAN, NULL, &v), FU_EINVAL);
}

/* ------------------------------------------------------------- BG/NBD values */

static const fu_segment_bgnbd CD_BG = {0.242593, 4.413532, 0.792886, 2.425753};

/* E over p ~ Beta(a, b) of g(p), by the midpoint rule after substitutions
 * that remove the endpoint singularities: an independent check of the 2F1
 * formulas. */
static double beta_expect(double (*g)(double p, const void *ctx), const void *ctx, double a, double b) {
    const int N = 200000;
    double s = 0, ua = pow(0.5, a), vb = pow(0.5, b);
    for (int i = 0; i < N; i++) { /* [0, 1/2]: p = u^(1/a) */
        double u = (i + 0.5) * ua / N, p = pow(u, 1 / a);
        s += pow(1 - p, b - 1) * g(p, ctx) / a * (ua / N);
    }
    for (int i = 0; i < N; i++) { /* [1/2, 1]: 1 - p = v^(1/b) */
        double v = (i + 0.5) * vb / N, q = pow(v, 1 / b), p = 1 - q;
        s += pow(p, a - 1) * g(p, ctx) / b * (vb / N);
    }
    return s / exp(lgamma(a) + lgamma(b) - lgamma(a + b));
}

struct bg_t {
    double r, alpha, t;
};

/* E[X(t) | p] = E_lambda[(1 - exp(-lambda p t)) / p] = (1 - (alpha/(alpha + p t))^r) / p */
static double bg_given_p(double p, const void *vctx) {
    const struct bg_t *c = vctx;
    return -expm1(-c->r * log1p(p * c->t / c->alpha)) / p;
}

Test(segment, bgnbd_expected_new_matches_quadrature_and_published_value) {
    double v;
    cr_assert_eq(fu_segment_bgnbd_expected_new(&CD_BG, 39, &v), FU_OK);
    struct bg_t c = {CD_BG.r, CD_BG.alpha, 39};
    double q = beta_expect(bg_given_p, &c, CD_BG.a, CD_BG.b);
    cr_assert_float_eq(v, q, 1e-6, "E[X(39)] = %.10f, quadrature %.10f", v, q);
    /* FHL 2005: a customer with x=2, t_x=30.43, T=38.86 expects 1.226 in the next 39 weeks */
    cr_assert_eq(fu_segment_bgnbd_expected(&CD_BG, 2, 30.43, 38.86, 39, &v), FU_OK);
    cr_assert_float_eq(v, 1.226, 0.0005, "E = %.6f", v);
    cr_assert_eq(fu_segment_bgnbd_p_alive(&CD_BG, 0, 0, 30, &v), FU_OK);
    cr_assert_eq(v, 1.0);
}

Test(segment, bgnbd_a_plus_b_below_one_stays_finite_and_matches_quadrature) {
    fu_segment_bgnbd m = {0.5, 2.0, 0.3, 0.4};
    double prev = 0;
    for (double t = 0.5; t <= 200; t *= 2) {
        double v;
        cr_assert_eq(fu_segment_bgnbd_expected_new(&m, t, &v), FU_OK, "%s", fu_error_last()->message);
        struct bg_t c = {m.r, m.alpha, t};
        double q = beta_expect(bg_given_p, &c, m.a, m.b);
        cr_assert(isfinite(v) && v > prev, "E[X(%g)] = %g", t, v);
        cr_assert_float_eq(v, q, 1e-5 * (1 + q), "E[X(%g)] = %.10f, quadrature %.10f", t, v, q);
        cr_assert_leq(v, m.r * t / m.alpha);
        prev = v;
        double e;
        cr_assert_eq(fu_segment_bgnbd_expected(&m, 0, 0, 10, t, &e), FU_OK);
        cr_assert(isfinite(e) && e > 0);
    }
}

Test(segment, bgnbd_a_equal_one_is_bridged) {
    fu_segment_bgnbd lo = {0.5, 2.0, 0.999, 2.0}, one = {0.5, 2.0, 1.0, 2.0}, hi = {0.5, 2.0, 1.001, 2.0};
    double vl, v1, vh;
    cr_assert_eq(fu_segment_bgnbd_expected(&lo, 3, 5, 10, 20, &vl), FU_OK);
    cr_assert_eq(fu_segment_bgnbd_expected(&one, 3, 5, 10, 20, &v1), FU_OK);
    cr_assert_eq(fu_segment_bgnbd_expected(&hi, 3, 5, 10, 20, &vh), FU_OK);
    cr_assert(isfinite(v1));
    cr_assert(v1 <= fmax(vl, vh) + 1e-9 && v1 >= fmin(vl, vh) - 1e-9, "%g %g %g", vl, v1, vh);
}

Test(segment, zero_summaries_give_finite_values) {
    double v;
    double x0 = 0, t0 = 0;
    cr_assert_eq(fu_segment_bgnbd_p_alive(&CD_BG, 0, 0, 0, &v), FU_OK);
    cr_assert_eq(v, 1.0);
    cr_assert_eq(fu_segment_bgnbd_expected(&CD_BG, 0, 0, 0, 10, &v), FU_OK);
    double u;
    cr_assert_eq(fu_segment_bgnbd_expected_new(&CD_BG, 10, &u), FU_OK);
    cr_assert_float_eq(v, u, 1e-14);
    cr_assert_eq(fu_segment_bgnbd_expected(&CD_BG, 3, 0, 0, 10, &v), FU_OK); /* t_x = T = 0 with x > 0 */
    cr_assert(isfinite(v) && v > 0);
    cr_assert_eq(fu_segment_bgnbd_loglik(&CD_BG, &x0, &t0, &t0, 1, &v), FU_OK);
    cr_assert_float_eq(v, 0.0, 1e-12); /* nothing observed: probability 1 */
    fu_segment_pareto pm = {0.553, 10.578, 0.606, 11.669};
    cr_assert_eq(fu_segment_pareto_p_alive(&pm, 0, 0, 0, &v), FU_OK);
    cr_assert_float_eq(v, 1.0, 1e-14);
    cr_assert_eq(fu_segment_pareto_loglik(&pm, &x0, &t0, &t0, 1, &v), FU_OK);
    cr_assert_float_eq(v, 0.0, 1e-12);
    cr_assert_eq(fu_segment_pareto_expected(&pm, 0, 0, 0, 10, &v), FU_OK);
    cr_assert_eq(fu_segment_pareto_expected_new(&pm, 10, &u), FU_OK);
    cr_assert_float_eq(v, u, 1e-12);
}

struct big_case {
    double x, t_x, T;
};

ParameterizedTestParameters(segment, large_frequencies_stay_finite) {
    static struct big_case cases[] = {
        {301, 38, 39}, {350, 20, 39}, {1000, 38.9, 39}, {5000, 38.99, 39}, {5000, 1, 39}, {5000, 39, 39},
    };
    return cr_make_param_array(struct big_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct big_case *k, segment, large_frequencies_stay_finite) {
    double pa, e, ll;
    cr_assert_eq(fu_segment_bgnbd_p_alive(&CD_BG, k->x, k->t_x, k->T, &pa), FU_OK);
    cr_assert(isfinite(pa) && pa >= 0 && pa <= 1, "P(alive) = %g", pa);
    cr_assert_eq(fu_segment_bgnbd_expected(&CD_BG, k->x, k->t_x, k->T, 39, &e), FU_OK, "%s",
                 fu_error_last()->message);
    cr_assert(isfinite(e) && e >= 0, "E = %g", e);
    if (k->t_x == k->T) { /* certainly alive: about x/T purchases per week */
        cr_assert_float_eq(pa, 1.0 / (1 + CD_BG.a / (CD_BG.b + k->x - 1)), 1e-12);
        cr_assert_gt(e, 0.5 * k->x * pa);
    }
    cr_assert_eq(fu_segment_bgnbd_loglik(&CD_BG, &k->x, &k->t_x, &k->T, 1, &ll), FU_OK);
    cr_assert(isfinite(ll));
    fu_segment_pareto pm = {0.553, 10.578, 0.606, 11.669};
    cr_assert_eq(fu_segment_pareto_p_alive(&pm, k->x, k->t_x, k->T, &pa), FU_OK, "%s", fu_error_last()->message);
    cr_assert(isfinite(pa) && pa >= 0 && pa <= 1, "Pareto P(alive) = %g", pa);
    cr_assert_eq(fu_segment_pareto_expected(&pm, k->x, k->t_x, k->T, 39, &e), FU_OK);
    cr_assert(isfinite(e) && e >= 0);
    cr_assert_eq(fu_segment_pareto_loglik(&pm, &k->x, &k->t_x, &k->T, 1, &ll), FU_OK);
    cr_assert(isfinite(ll));
    /* beta much smaller than alpha: the other 2F1 branch, z close to 1 */
    fu_segment_pareto pb = {0.553, 10.578, 0.606, 0.01};
    cr_assert_eq(fu_segment_pareto_p_alive(&pb, k->x, k->t_x, k->T, &pa), FU_OK, "%s", fu_error_last()->message);
    cr_assert(isfinite(pa) && pa >= 0 && pa <= 1);
}

/* Pareto/NBD P(alive) against direct quadrature of its defining integral:
 * L2 / L1 = (integral over tau in (t_x, T] of s beta^s (beta+tau)^-(s+1)
 * ((alpha+T)/(alpha+tau))^(r+x) dtau) / (beta/(beta+T))^s. */
Test(segment, pareto_p_alive_matches_quadrature_in_both_branches) {
    fu_segment_pareto ms[] = {{0.553, 10.578, 0.606, 11.669}, {0.553, 10.578, 0.606, 2.0}, {1.5, 1.0, 2.0, 8.0}};
    double xs[] = {0, 1, 4, 30}, txs[] = {0, 5, 20, 30};
    for (size_t k = 0; k < 3; k++)
        for (size_t j = 0; j < 4; j++) {
            const fu_segment_pareto *m = &ms[k];
            double x = xs[j], tx = txs[j], T = 38.0;
            const int N = 200000;
            double h = (T - tx) / N, s = 0;
            for (int i = 0; i < N; i++) {
                double tau = tx + (i + 0.5) * h;
                s += m->s * pow(m->beta + tau, -(m->s + 1)) * pow((m->alpha + T) / (m->alpha + tau), m->r + x) * h;
            }
            double ratio = s / pow(m->beta + T, -m->s);
            double want = 1 / (1 + ratio), got;
            cr_assert_eq(fu_segment_pareto_p_alive(m, x, tx, T, &got), FU_OK);
            cr_assert_float_eq(got, want, 1e-7, "model %zu x=%g: %.10f vs %.10f", k, x, got, want);
        }
}

/* ------------------------------------------------------------- Gamma-Gamma values */

Test(segment, gammagamma_expected_value_and_q_below_one) {
    fu_segment_gammagamma g = {6.25, 3.74, 15.44};
    double v;
    cr_assert_eq(fu_segment_gammagamma_expected(&g, 2, 22.35, &v), FU_OK);
    cr_assert_float_eq(v, (15.44 + 2 * 22.35) * 6.25 / (6.25 * 2 + 3.74 - 1), 1e-12);
    cr_assert_eq(fu_segment_gammagamma_expected(&g, 0, 0, &v), FU_OK);
    cr_assert_float_eq(v, 6.25 * 15.44 / 2.74, 1e-12);
    fu_segment_gammagamma low = {1.0, 0.5, 10.0};
    cr_assert_eq(fu_segment_gammagamma_expected(&low, 3, 20, &v), FU_OK);
    cr_assert(v > 0 && isfinite(v));
    cr_assert_float_eq(v, (10 + 60) * 1.0 / 2.5, 1e-12);
    cr_assert_eq(fu_segment_gammagamma_expected(&low, 0, 0, &v), FU_ERANGE); /* population mean is infinite */
    fu_segment_gammagamma tiny = {0.2, 0.5, 10.0};
    cr_assert_eq(fu_segment_gammagamma_expected(&tiny, 2, 20, &v), FU_ERANGE); /* p x + q = 0.9 */
    cr_assert_not_null(strstr(fu_error_last()->message, "q = 0.5"));
}

/* ------------------------------------------------------------- failures */

Test(segment, fit_that_cannot_converge_says_so) {
    static cd_summary d;
    load_summary(&d);
    fu_segment_fit_options o = FU_SEGMENT_FIT_OPTIONS_INIT;
    o.max_iter = 2;
    fu_segment_bgnbd m = {-1, -1, -1, -1};
    cr_assert_eq(fu_segment_bgnbd_fit(d.x, d.t_x, d.T, d.n, &o, NULL, &m), FU_ECONVERGE);
    cr_assert_eq(m.r, -1); /* untouched */
    cr_assert_eq(fu_error_last()->code, FU_ECONVERGE);
    /* nobody repeats: the likelihood increases without bound towards r -> 0 */
    double zero[50], T[50];
    for (int i = 0; i < 50; i++) zero[i] = 0, T[i] = 10 + i;
    cr_assert_eq(fu_segment_bgnbd_fit(zero, zero, T, 50, NULL, NULL, &m), FU_ECONVERGE);
    fu_segment_pareto pm;
    cr_assert_eq(fu_segment_pareto_fit(zero, zero, T, 50, NULL, NULL, &pm), FU_ECONVERGE);
    fu_segment_gammagamma g;
    double one[2] = {1, 0}, z[2] = {5, 0};
    cr_assert_eq(fu_segment_gammagamma_fit(one, z, 2, NULL, NULL, &g), FU_ECONVERGE);
}

struct bad_case {
    double x, t_x, T;
    char msg[32];
};

ParameterizedTestParameters(segment, invalid_data_names_the_index) {
    static struct bad_case cases[] = {
        {1, 12, 10, "t_x[2]"}, {-1, 0, 10, "x[2]"}, {1.5, 1, 10, "x[2]"},
        {1, -1, 10, "t_x[2]"}, {1, 1, NAN, "T[2]"}, {1, 1, -5, "T[2]"},
    };
    return cr_make_param_array(struct bad_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct bad_case *k, segment, invalid_data_names_the_index) {
    double x[3] = {1, 2, k->x}, tx[3] = {1, 2, k->t_x}, T[3] = {5, 5, k->T};
    fu_segment_bgnbd m;
    cr_assert_eq(fu_segment_bgnbd_fit(x, tx, T, 3, NULL, NULL, &m), FU_EINVAL);
    cr_assert_not_null(strstr(fu_error_last()->message, k->msg), "%s", fu_error_last()->message);
    fu_segment_pareto pm;
    cr_assert_eq(fu_segment_pareto_fit(x, tx, T, 3, NULL, NULL, &pm), FU_EINVAL);
    double p[3];
    cr_assert_eq(fu_segment_bgnbd_score(&CD_BG, NULL, x, tx, T, NULL, 3, NULL, p, NULL, NULL), FU_EINVAL);
    cr_assert_not_null(strstr(fu_error_last()->message, k->msg), "%s", fu_error_last()->message);
    double v;
    cr_assert_eq(fu_segment_bgnbd_p_alive(&CD_BG, k->x, k->t_x, k->T, &v), FU_EINVAL);
}

Test(segment, invalid_parameters_are_rejected) {
    fu_segment_bgnbd m = {0.2, 0, 1, 1};
    double v;
    cr_assert_eq(fu_segment_bgnbd_p_alive(&m, 1, 1, 2, &v), FU_EINVAL);
    cr_assert_not_null(strstr(fu_error_last()->message, "alpha"));
    fu_segment_gammagamma g = {1, NAN, 1};
    cr_assert_eq(fu_segment_gammagamma_expected(&g, 1, 1, &v), FU_EINVAL);
    fu_segment_pareto pm = {1, 1, -1, 1};
    cr_assert_eq(fu_segment_pareto_expected_new(&pm, 1, &v), FU_EINVAL);
    cr_assert_eq(fu_segment_bgnbd_expected_new(&CD_BG, -1, &v), FU_EINVAL);
}

/* ------------------------------------------------------------- simulation */

typedef struct rng {
    unsigned long long s;
} rng;

static double unif(rng *g) { /* xorshift64*, in (0, 1) */
    g->s ^= g->s >> 12;
    g->s ^= g->s << 25;
    g->s ^= g->s >> 27;
    return ((double)((g->s * 2685821657736338717ULL) >> 11) + 0.5) / 9007199254740992.0;
}

static double normal(rng *g) { return sqrt(-2 * log(unif(g))) * cos(6.283185307179586 * unif(g)); }

static double gamma_draw(rng *g, double shape) { /* Marsaglia & Tsang */
    if (shape < 1) return gamma_draw(g, shape + 1) * pow(unif(g), 1 / shape);
    double d = shape - 1.0 / 3, c = 1 / sqrt(9 * d);
    for (;;) {
        double z = normal(g), v = 1 + c * z;
        if (v <= 0) continue;
        v = v * v * v;
        if (log(unif(g)) < 0.5 * z * z + d - d * v + d * log(v)) return d * v;
    }
}

/* one BG/NBD customer observed for T after the first purchase */
static void bg_simulate(rng *g, const fu_segment_bgnbd *m, double T, double *x, double *t_x) {
    double lam = gamma_draw(g, m->r) / m->alpha;
    double ga = gamma_draw(g, m->a), p = ga / (ga + gamma_draw(g, m->b));
    double t = 0;
    *x = 0;
    *t_x = 0;
    for (;;) {
        t += -log(unif(g)) / lam;
        if (t > T) break;
        *x += 1;
        *t_x = t;
        if (unif(g) < p) break;
    }
}

Test(segment, bgnbd_fit_recovers_parameters_with_frequencies_above_300) {
    enum { N = 4000 };
    static double x[N], tx[N], T[N];
    fu_segment_bgnbd truth = {2.0, 0.2, 0.3, 20.0}; /* ~10 purchases per week */
    rng g = {88172645463325252ULL};
    double maxx = 0;
    size_t over300 = 0;
    for (int i = 0; i < N; i++) {
        T[i] = 20 + 19 * unif(&g);
        bg_simulate(&g, &truth, T[i], &x[i], &tx[i]);
        if (x[i] > maxx) maxx = x[i];
        over300 += x[i] > 300;
    }
    cr_assert_gt(over300, 100, "only %zu customers above 300", over300);
    fu_segment_bgnbd m;
    fu_segment_fit_info info;
    cr_assert_eq(fu_segment_bgnbd_fit(x, tx, T, N, NULL, &info, &m), FU_OK, "%s", fu_error_last()->message);
    cr_assert(isfinite(info.loglik));
    cr_assert_lt(fabs(log(m.r / truth.r)), 0.15, "r = %g", m.r);
    cr_assert_lt(fabs(log(m.alpha / truth.alpha)), 0.2, "alpha = %g", m.alpha);
    cr_assert_lt(fabs(log(m.a / truth.a)), 0.3, "a = %g", m.a);
    cr_assert_lt(fabs(log(m.b / truth.b)), 0.5, "b = %g", m.b);
    double pa[N], e[N];
    fu_segment_score_options o = FU_SEGMENT_SCORE_OPTIONS_INIT;
    o.horizon = 52;
    cr_assert_eq(fu_segment_bgnbd_score(&m, NULL, x, tx, T, NULL, N, &o, pa, e, NULL), FU_OK);
    for (int i = 0; i < N; i++) cr_assert(isfinite(pa[i]) && isfinite(e[i]) && e[i] >= 0, "customer %d", i);
}

/* ------------------------------------------------------------- scoring and CLV */

Test(segment, bulk_scores_equal_single_calls_and_clv_is_the_discounted_sum) {
    static cd_summary d;
    load_summary(&d);
    static double pa[NCD], e[NCD], clv[NCD];
    fu_segment_gammagamma gg = {6.248803, 3.744588, 15.447748};
    fu_segment_score_options o = FU_SEGMENT_SCORE_OPTIONS_INIT;
    o.horizon = 39;
    o.period = 52.0 / 12; /* months, the model time being weeks */
    o.periods = 6;
    o.discount = 0.01;
    o.margin = 0.2;
    cr_assert_eq(fu_segment_bgnbd_score(&CD_BG, &gg, d.x, d.t_x, d.T, d.zbar, NCD, &o, pa, e, clv), FU_OK, "%s",
                 fu_error_last()->message);
    for (size_t i = 0; i < NCD; i += 97) {
        double v, value;
        cr_assert_eq(fu_segment_bgnbd_p_alive(&CD_BG, d.x[i], d.t_x[i], d.T[i], &v), FU_OK);
        /* bulk P(alive) takes a difference of two cached logs for log1p of their ratio */
        cr_assert_float_eq(pa[i], v, 1e-13 * v, "customer %zu: %.17g vs %.17g", i, pa[i], v);
        cr_assert_eq(fu_segment_bgnbd_expected(&CD_BG, d.x[i], d.t_x[i], d.T[i], 39, &v), FU_OK);
        /* the bulk path sums the 2F1 series of all horizons together: same value to rounding */
        cr_assert_float_eq(e[i], v, 1e-13 * (1 + v), "customer %zu: %.17g vs %.17g", i, e[i], v);
        cr_assert_eq(fu_segment_gammagamma_expected(&gg, d.x[i], d.zbar[i], &value), FU_OK);
        double sum = 0, prev = 0;
        for (int k = 1; k <= 6; k++) {
            cr_assert_eq(fu_segment_bgnbd_expected(&CD_BG, d.x[i], d.t_x[i], d.T[i], k * 52.0 / 12, &v), FU_OK);
            sum += (v - prev) / pow(1.01, k);
            prev = v;
        }
        cr_assert_float_eq(clv[i], 0.2 * value * sum, 1e-12 * (1 + clv[i]), "customer %zu", i);
        cr_assert_gt(clv[i], 0);
    }
    /* customer 1 by hand with one period: value * E(P) / (1 + d) */
    o.periods = 1;
    o.margin = 1;
    double c1, e1, v1;
    cr_assert_eq(fu_segment_bgnbd_score(&CD_BG, NULL, d.x, d.t_x, d.T, d.zbar, 1, &o, NULL, NULL, &c1), FU_OK);
    cr_assert_eq(fu_segment_bgnbd_expected(&CD_BG, 2, 30.43, 38.86, 52.0 / 12, &e1), FU_OK);
    v1 = 22.35 * e1 / 1.01;
    cr_assert_float_eq(c1, v1, 1e-12);
}

Test(segment, pareto_bulk_scores_equal_single_calls) {
    static cd_summary d;
    load_summary(&d);
    fu_segment_pareto m = {0.553275, 10.577612, 0.606214, 11.667911};
    static double pa[NCD], e[NCD], clv[NCD];
    fu_segment_score_options o = FU_SEGMENT_SCORE_OPTIONS_INIT;
    o.horizon = 39;
    o.period = 13;
    o.periods = 4;
    cr_assert_eq(fu_segment_pareto_score(&m, NULL, d.x, d.t_x, d.T, d.zbar, NCD, &o, pa, e, clv), FU_OK);
    for (size_t i = 0; i < NCD; i += 101) {
        double v;
        cr_assert_eq(fu_segment_pareto_p_alive(&m, d.x[i], d.t_x[i], d.T[i], &v), FU_OK);
        cr_assert_eq(pa[i], v);
        cr_assert_eq(fu_segment_pareto_expected(&m, d.x[i], d.t_x[i], d.T[i], 39, &v), FU_OK);
        cr_assert_eq(e[i], v);
        cr_assert(clv[i] >= 0 && isfinite(clv[i]));
    }
}

Test(segment, scoring_rejects_missing_period_and_reports_q_below_one) {
    double x[2] = {0, 3}, tx[2] = {0, 5}, T[2] = {10, 10}, z[2] = {0, 20}, out[2];
    fu_segment_score_options o = FU_SEGMENT_SCORE_OPTIONS_INIT;
    cr_assert_eq(fu_segment_bgnbd_score(&CD_BG, NULL, x, tx, T, z, 2, &o, NULL, NULL, out), FU_EINVAL);
    cr_assert_not_null(strstr(fu_error_last()->message, "period"));
    cr_assert_eq(fu_segment_bgnbd_score(&CD_BG, NULL, x, tx, T, z, 2, &o, NULL, out, NULL), FU_EINVAL);
    cr_assert_not_null(strstr(fu_error_last()->message, "horizon"));
    o.period = 4;
    fu_segment_gammagamma low = {1.0, 0.5, 10.0};
    cr_assert_eq(fu_segment_bgnbd_score(&CD_BG, &low, x, tx, T, z, 2, &o, NULL, NULL, out), FU_ERANGE);
    cr_assert_not_null(strstr(fu_error_last()->message, "customer 0"), "%s", fu_error_last()->message);
    /* without the x = 0 customer the value exists and CLV is positive */
    cr_assert_eq(fu_segment_bgnbd_score(&CD_BG, &low, x + 1, tx + 1, T + 1, z + 1, 1, &o, NULL, NULL, out), FU_OK);
    cr_assert(out[0] > 0 && isfinite(out[0]));
    o.version = 99;
    cr_assert_eq(fu_segment_bgnbd_score(&CD_BG, NULL, x, tx, T, z, 2, &o, out, NULL, NULL), FU_EINVAL);
}

/* ------------------------------------------------------------- OOM */

static int fit_op(void *ctx) {
    const cd_summary *d = ctx;
    fu_segment_bgnbd m;
    fu_segment_gammagamma g;
    fu_segment_pareto p;
    int rc = fu_segment_bgnbd_fit(d->x, d->t_x, d->T, 300, NULL, NULL, &m);
    if (rc == FU_OK) rc = fu_segment_gammagamma_fit(d->x, d->zbar, 300, NULL, NULL, &g);
    if (rc == FU_OK) rc = fu_segment_pareto_fit(d->x, d->t_x, d->T, 300, NULL, NULL, &p);
    double ll;
    if (rc == FU_OK) rc = fu_segment_bgnbd_loglik(&m, d->x, d->t_x, d->T, 300, &ll);
    return rc;
}

Test(segment, fits_survive_every_allocation_failure) {
    static cd_summary d;
    load_summary(&d);
    unsigned long n = fu_test_oom("fits", fit_op, &d, 400);
    cr_assert_eq(n, 79, "n = %lu", n); /* 20 a fit: hash tables, ranks, radix sort, rows, per-value tables */
}

/* ------------------------------------------------------------- merging and gradients */

static unsigned long long xs_next(unsigned long long *s) {
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ULL;
}

Test(segment, fits_ignore_row_order_and_merge_identical_rows) {
    static cd_summary d, o;
    load_summary(&d);
    o = d;
    unsigned long long st = 0x9e3779b97f4a7c15ULL;
    for (size_t i = NCD - 1; i > 0; i--) { /* Fisher-Yates */
        size_t j = (size_t)(xs_next(&st) % (i + 1));
        double t;
        t = o.x[i], o.x[i] = o.x[j], o.x[j] = t;
        t = o.t_x[i], o.t_x[i] = o.t_x[j], o.t_x[j] = t;
        t = o.T[i], o.T[i] = o.T[j], o.T[j] = t;
        t = o.zbar[i], o.zbar[i] = o.zbar[j], o.zbar[j] = t;
    }
    for (size_t i = 0; i < NCD; i++) /* t_x is ignored when x = 0; -0 is 0 */
        if (o.x[i] == 0) o.t_x[i] = (i % 2) ? -0.0 : o.T[i] / 2;
    fu_segment_bgnbd a, b;
    fu_segment_fit_info ia, ib;
    cr_assert_eq(fu_segment_bgnbd_fit(d.x, d.t_x, d.T, NCD, NULL, &ia, &a), FU_OK);
    cr_assert_eq(fu_segment_bgnbd_fit(o.x, o.t_x, o.T, NCD, NULL, &ib, &b), FU_OK);
    cr_assert(a.r == b.r && a.alpha == b.alpha && a.a == b.a && a.b == b.b, "the row order changed the fit");
    cr_assert_eq(ia.loglik, ib.loglik);
    cr_assert_eq(ia.distinct, 1016);
    cr_assert_eq(ib.distinct, 1016);
    fu_segment_pareto pa, pb;
    cr_assert_eq(fu_segment_pareto_fit(d.x, d.t_x, d.T, NCD, NULL, &ia, &pa), FU_OK);
    cr_assert_eq(fu_segment_pareto_fit(o.x, o.t_x, o.T, NCD, NULL, &ib, &pb), FU_OK);
    cr_assert(pa.r == pb.r && pa.alpha == pb.alpha && pa.s == pb.s && pa.beta == pb.beta);
    fu_segment_gammagamma ga, gb;
    cr_assert_eq(fu_segment_gammagamma_fit(d.x, d.zbar, NCD, NULL, &ia, &ga), FU_OK);
    cr_assert_eq(fu_segment_gammagamma_fit(o.x, o.zbar, NCD, NULL, &ib, &gb), FU_OK);
    cr_assert(ga.p == gb.p && ga.q == gb.q && ga.gamma == gb.gamma);
    cr_assert_eq(ia.distinct, ib.distinct);
    /* every row three times: three times the log-likelihood, no new distinct row */
    double *x3 = malloc(3 * NCD * sizeof *x3), *t3 = malloc(3 * NCD * sizeof *t3), *T3 = malloc(3 * NCD * sizeof *T3);
    cr_assert(x3 && t3 && T3);
    for (size_t i = 0; i < 3 * NCD; i++) x3[i] = o.x[i % NCD], t3[i] = o.t_x[i % NCD], T3[i] = o.T[i % NCD];
    double l1, l3;
    cr_assert_eq(fu_segment_bgnbd_loglik(&a, d.x, d.t_x, d.T, NCD, &l1), FU_OK);
    cr_assert_eq(fu_segment_bgnbd_loglik(&a, x3, t3, T3, 3 * NCD, &l3), FU_OK);
    cr_assert_float_eq(l3, 3 * l1, 1e-9 * fabs(l1));
    cr_assert_eq(fu_segment_bgnbd_fit(x3, t3, T3, 3 * NCD, NULL, &ib, &b), FU_OK);
    cr_assert_eq(ib.distinct, 1016);
    cr_assert_eq(ib.n, 3 * NCD);
    free(x3), free(t3), free(T3);
}

static int row3_cmp(const void *pa, const void *pb) {
    const double *a = pa, *b = pb;
    for (int k = 0; k < 3; k++)
        if (a[k] != b[k]) return a[k] < b[k] ? -1 : 1;
    return 0;
}

/* 70,000 rows, most distinct: the hash tables grow past their first size and
 * the radix sort takes two passes a column. The merged log-likelihood equals
 * the sum of the rows' own. */
Test(segment, merging_many_distinct_rows_equals_the_row_by_row_sum) {
    enum { N = 70000 };
    double *x = malloc(N * sizeof *x), *tx = malloc(N * sizeof *tx), *T = malloc(N * sizeof *T);
    double *r3 = malloc(3 * N * sizeof *r3);
    cr_assert(x && tx && T && r3);
    unsigned long long st = 12345;
    for (size_t i = 0; i < N; i++) {
        x[i] = (double)(xs_next(&st) % 6);
        T[i] = 20 + (double)(xs_next(&st) % 20000) * 1e-3;
        tx[i] = x[i] > 0 ? T[i] * (double)(xs_next(&st) % 4096) / 4096 : 0;
        r3[3 * i] = x[i], r3[3 * i + 1] = tx[i], r3[3 * i + 2] = T[i];
    }
    qsort(r3, N, 3 * sizeof *r3, row3_cmp);
    size_t distinct = 0;
    for (size_t i = 0; i < N; i++) distinct += i == 0 || row3_cmp(&r3[3 * i], &r3[3 * (i - 1)]) != 0;
    const fu_segment_bgnbd bg = {0.5, 6.0, 0.8, 2.5};
    const fu_segment_pareto pn = {0.5, 8.0, 0.7, 12.0};
    double all, sum = 0, pall, psum = 0;
    cr_assert_eq(fu_segment_bgnbd_loglik(&bg, x, tx, T, N, &all), FU_OK);
    cr_assert_eq(fu_segment_pareto_loglik(&pn, x, tx, T, N, &pall), FU_OK);
    for (size_t i = 0; i < N; i++) {
        double v;
        cr_assert_eq(fu_segment_bgnbd_loglik(&bg, &x[i], &tx[i], &T[i], 1, &v), FU_OK);
        sum += v;
        if (i % 7 == 0) { /* a sample of the Pareto/NBD rows is enough */
            cr_assert_eq(fu_segment_pareto_loglik(&pn, &x[i], &tx[i], &T[i], 1, &v), FU_OK);
            psum += v;
        }
    }
    cr_assert_float_eq(all, sum, 1e-10 * fabs(sum), "%.15g vs %.15g", all, sum);
    (void)pall;
    double psub = 0;
    {
        /* the same sample through one call */
        size_t m = (N + 6) / 7;
        double *sx = malloc(m * sizeof *sx), *st_ = malloc(m * sizeof *st_), *sT = malloc(m * sizeof *sT);
        cr_assert(sx && st_ && sT);
        for (size_t i = 0, k = 0; i < N; i += 7, k++) sx[k] = x[i], st_[k] = tx[i], sT[k] = T[i];
        cr_assert_eq(fu_segment_pareto_loglik(&pn, sx, st_, sT, m, &psub), FU_OK);
        free(sx), free(st_), free(sT);
    }
    cr_assert_float_eq(psub, psum, 1e-10 * fabs(psum), "%.15g vs %.15g", psub, psum);
    cr_assert_gt(distinct, 60000);
    free(x), free(tx), free(T), free(r3);
}

/* BG/NBD log-likelihood written out per row with libm (Fader, Hardie & Lee
 * 2005, eq. 6), no merging, no shared exp, no batched logs. */
Test(segment, bgnbd_loglik_equals_the_textbook_formula_row_by_row) {
    static cd_summary d;
    load_summary(&d);
    const double r = 0.2426, al = 4.4135, a = 0.7929, b = 2.4258;
    double ref = 0;
    for (size_t i = 0; i < NCD; i++) {
        double x = d.x[i];
        double l = lgamma(r + x) - lgamma(r) + r * log(al) + lgamma(a + b) + lgamma(b + x) - lgamma(b) -
                   lgamma(a + b + x) - (r + x) * log(al + d.T[i]);
        if (x > 0) l += log1p(a / (b + x - 1) * exp((r + x) * log((al + d.T[i]) / (al + d.t_x[i]))));
        ref += l;
    }
    fu_segment_bgnbd m = {r, al, a, b};
    double ll;
    cr_assert_eq(fu_segment_bgnbd_loglik(&m, d.x, d.t_x, d.T, NCD, &ll), FU_OK);
    cr_assert_float_eq(ll, ref, 1e-11 * fabs(ref), "%.15g vs %.15g", ll, ref);
    cr_assert_float_eq(ll, -9582.4, 0.05);
}

struct grad_case {
    int model;
    double p[4];
};

ParameterizedTestParameters(segment, analytic_gradients_match_central_differences) {
    static struct grad_case cases[] = {
        {0, {0.2426, 4.4135, 0.7929, 2.4258}}, /* BG/NBD at the CDNOW optimum */
        {0, {1.0, 15.0, 1.0, 1.0}},            /* BG/NBD at its first start */
        {1, {0.5533, 10.578, 0.6062, 11.668}}, /* Pareto/NBD, alpha < beta */
        {1, {0.55, 12.0, 0.6, 10.0}},          /* alpha > beta */
        {1, {0.5, 40.0, 0.8, 5.0}},            /* alpha >> beta: Euler step, mixed branches in a row */
        {1, {0.5, 5.0, 0.8, 40.0}},            /* beta >> alpha: Euler step on the other side */
        {1, {1.0, 15.5, 1.0, 31.9}},           /* Pareto/NBD at its first start */
        {1, {0.9, 7.0, 1.3, 7.0}},             /* alpha = beta: z = 0 */
        {2, {6.25, 3.74, 15.44, 0}},           /* Gamma-Gamma */
    };
    return cr_make_param_array(struct grad_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct grad_case *k, segment, analytic_gradients_match_central_differences) {
    static cd_summary d;
    load_summary(&d);
    int dim = k->model == 2 ? 3 : 4;
    const double *u = k->model == 2 ? d.zbar : d.t_x;
    double ll, g[4];
    cr_assert_eq(fu__seg_loglik_grad(k->model, k->p, d.x, u, d.T, NCD, &ll, g), FU_OK, "%s",
                 fu_error_last()->message);
    for (int j = 0; j < dim; j++) {
        const double h = 1e-4;
        double pp[4], pm[4], fp, fm;
        memcpy(pp, k->p, sizeof pp);
        memcpy(pm, k->p, sizeof pm);
        pp[j] *= exp(h);
        pm[j] *= exp(-h);
        cr_assert_eq(fu__seg_loglik_grad(k->model, pp, d.x, u, d.T, NCD, &fp, NULL), FU_OK);
        cr_assert_eq(fu__seg_loglik_grad(k->model, pm, d.x, u, d.T, NCD, &fm, NULL), FU_OK);
        double num = (fp - fm) / (2 * h);
        cr_assert_float_eq(g[j], num, 1e-7 * fabs(ll) + 1e-5 * fabs(num),
                           "model %d d/dlog p%d: analytic %.10g, numerical %.10g", k->model, j, g[j], num);
    }
}

/* The default fits stop at the optimum a tightly converged fit finds (the
 * analytic gradients let the tolerance go down to 1e-12), and the gradient
 * there is zero at the tolerance asked for. */
Test(segment, default_fits_reach_the_tightly_converged_optimum) {
    static cd_summary d;
    load_summary(&d);
    fu_segment_fit_options tight = FU_SEGMENT_FIT_OPTIONS_INIT;
    tight.tolerance = 1e-12;
    for (int model = 0; model < 2; model++) {
        double p[4], q[4], ll, g[4];
        fu_segment_fit_info info;
        cr_assert_eq(fit_rfm(model, &d, NULL, NULL, p), FU_OK);
        cr_assert_eq(fit_rfm(model, &d, &tight, &info, q), FU_OK, "%s", fu_error_last()->message);
        for (int j = 0; j < 4; j++)
            cr_assert_lt(fabs(p[j] / q[j] - 1), 1e-6, "model %d parameter %d: %.12g vs %.12g", model, j, p[j], q[j]);
        cr_assert_eq(fu__seg_loglik_grad(model, q, d.x, d.t_x, d.T, NCD, &ll, g), FU_OK);
        cr_assert_float_eq(ll, info.loglik, 1e-9 * fabs(ll));
        for (int j = 0; j < 4; j++)
            cr_assert_lt(fabs(g[j]), 1e-12 * (1 + fabs(ll)), "model %d gradient %d = %g", model, j, g[j]);
    }
}

/* The BG/NBD objective (per-value log tables, one exp and one log a row,
 * double-double sum) gives the log-likelihood of the plain formula, computed
 * here customer by customer with libm's lgamma, exp, log and log1p, at
 * points where either term of a row's log-sum dominates. */
static double bg_ll_plain(const double *p, const cd_summary *d) {
    double r = p[0], al = p[1], a = p[2], b = p[3], ll = 0;
    for (int i = 0; i < NCD; i++) {
        double x = d->x[i];
        double lbeta = lgamma(b + x) + lgamma(a + b) - lgamma(b) - lgamma(a + b + x);
        double e1 = lbeta - (r + x) * log(al + d->T[i]), ls = e1;
        if (x > 0) {
            double e2 = log(a) + lgamma(b + x - 1) + lgamma(a + b) - lgamma(b) - lgamma(a + b + x) -
                        (r + x) * log(al + d->t_x[i]);
            double hi = e1 > e2 ? e1 : e2, lo = e1 > e2 ? e2 : e1;
            ls = hi + log1p(exp(lo - hi));
        }
        ll += lgamma(r + x) - lgamma(r) + r * log(al) + ls;
    }
    return ll;
}

Test(segment, bgnbd_loglik_matches_the_plain_formula) {
    static cd_summary d;
    load_summary(&d);
    const double pts[][4] = {{0.2426, 4.4135, 0.7929, 2.4258}, {1.0, 15.0, 1.0, 1.0}, {0.05, 0.3, 3.0, 0.2},
                             {5.0, 80.0, 0.1, 30.0}, {0.7, 1e-3, 20.0, 40.0}};
    for (size_t k = 0; k < sizeof pts / sizeof pts[0]; k++) {
        double ll, g[4];
        cr_assert_eq(fu__seg_loglik_grad(0, pts[k], d.x, d.t_x, d.T, NCD, &ll, g), FU_OK, "%s",
                     fu_error_last()->message);
        double want = bg_ll_plain(pts[k], &d);
        cr_assert_lt(fabs(ll - want), 1e-9 * fabs(want), "point %zu: %.15g vs %.15g", k, ll, want);
    }
}

/* The double-double sum lets the line search see decreases below the
 * rounding of a sum of ~10^4: a fit to 1e-12 needs a few more evaluations
 * than the default. (The same objective with a plain sum halved its step up
 * to 60 times an iteration at the noise floor: 50 evaluations by default,
 * 11,295 at 1e-10, 19,912 at 1e-12.) */
Test(segment, bgnbd_tight_fit_does_not_stall_at_the_noise_floor) {
    static cd_summary d;
    load_summary(&d);
    fu_segment_fit_options o = FU_SEGMENT_FIT_OPTIONS_INIT;
    fu_segment_fit_info a, b;
    fu_segment_bgnbd ma, mb;
    cr_assert_eq(fu_segment_bgnbd_fit(d.x, d.t_x, d.T, NCD, &o, &a, &ma), FU_OK);
    o.tolerance = 1e-12;
    cr_assert_eq(fu_segment_bgnbd_fit(d.x, d.t_x, d.T, NCD, &o, &b, &mb), FU_OK, "%s", fu_error_last()->message);
    cr_assert_lt(a.evaluations, 60, "default fit: %u evaluations", a.evaluations);
    cr_assert_lt(b.evaluations, 80, "tight fit: %u evaluations", b.evaluations);
    /* the optimum of the code before this objective, fitted to 1e-12 */
    const double ref[4] = {0.24259290720445453, 4.4135315612056329, 0.79288614809879288, 2.425753436493896};
    const double got[4] = {mb.r, mb.alpha, mb.a, mb.b};
    for (int j = 0; j < 4; j++) cr_assert_lt(fabs(got[j] / ref[j] - 1), 1e-9, "%d: %.17g", j, got[j]);
}

/* ------------------------------------------------------------- RFM */

Test(segment, rfm_scores_match_hand_computed_quintiles) {
    /* worked through in docs/segmentation.md */
    double rec[10] = {5, 5, 10, 20, 20, 20, 40, 80, 160, 365};
    double freq[10] = {10, 1, 3, 3, 8, 1, 2, 5, 1, 20};
    double mon[10] = {500, 20, 100, 100, 300, 10, 50, 200, 5, 1000};
    unsigned short code[10] = {555, 512, 433, 333, 344, 311, 222, 244, 111, 155};
    const char *group[10] = {"champions", "new",         "loyal",      "loyal",       "loyal",
                             "about_to_sleep", "hibernating", "cant_lose", "hibernating", "cant_lose"};
    fu_segment_rfm out[10];
    cr_assert_eq(fu_segment_rfm_score(rec, freq, mon, 10, NULL, out), FU_OK);
    for (int i = 0; i < 10; i++) {
        cr_assert_eq(out[i].code, code[i], "customer %d: %u, want %u", i, out[i].code, code[i]);
        cr_assert_eq(out[i].code, 100 * out[i].r + 10 * out[i].f + out[i].m);
        cr_assert_str_eq(out[i].group, group[i], "customer %d", i);
        char rule[64];
        snprintf(rule, sizeof rule, "segments.rfm.%s", group[i]);
        cr_assert_str_eq(out[i].rule, rule);
    }
}

Test(segment, rfm_ties_stay_in_one_bin) {
    double rec[7] = {3, 3, 3, 3, 3, 3, 1}, freq[7] = {2, 2, 2, 2, 2, 2, 2}, mon[7] = {1, 2, 3, 4, 5, 6, 7};
    fu_segment_rfm out[7];
    cr_assert_eq(fu_segment_rfm_score(rec, freq, mon, 7, NULL, out), FU_OK);
    for (int i = 0; i < 6; i++) cr_assert_eq(out[i].r, 1); /* nobody is less recent than 3 */
    cr_assert_eq(out[6].r, 1 + 5 * 6 / 7);                  /* 6 worse of 7: 5 */
    for (int i = 0; i < 7; i++) cr_assert_eq(out[i].f, 1);
    unsigned char m[7] = {1, 1, 2, 3, 3, 4, 5}; /* 1 + floor(5 L / 7), L = 0..6 */
    for (int i = 0; i < 7; i++) cr_assert_eq(out[i].m, m[i], "m of %d = %u", i, out[i].m);
}

Test(segment, rfm_custom_rule_table_and_errors) {
    fu_segment_rfm_rule rules[1] = {{"best", "policy.rfm.best", 3, 5, 1, 5, 1, 5}};
    fu_segment_rfm_options o = FU_SEGMENT_RFM_OPTIONS_INIT;
    o.rules = rules;
    o.n_rules = 1;
    double rec[2] = {1, 2}, f[2] = {1, 1}, m[2] = {1, 1};
    fu_segment_rfm out[2];
    cr_assert_eq(fu_segment_rfm_score(rec, f, m, 2, &o, out), FU_OK);
    cr_assert_eq(out[0].r, 3); /* 1 + floor(5 * 1 / 2): with two customers the top score is 3 */
    cr_assert_str_eq(out[0].group, "best");
    cr_assert_str_eq(out[0].rule, "policy.rfm.best");
    cr_assert_str_eq(out[1].group, "other");
    cr_assert_str_eq(out[1].rule, "segments.rfm.other");
    rules[0].r_min = 0;
    cr_assert_eq(fu_segment_rfm_score(rec, f, m, 2, &o, out), FU_EINVAL);
    m[1] = NAN;
    cr_assert_eq(fu_segment_rfm_score(rec, f, m, 2, NULL, out), FU_EINVAL);
    cr_assert_not_null(strstr(fu_error_last()->message, "monetary[1]"));
    size_t n = 0;
    cr_assert_not_null(fu_segment_rfm_default_rules(&n));
    cr_assert_eq(n, 10);
}

static int rfm_op(void *ctx) {
    const cd_summary *d = ctx;
    fu_segment_rfm *out = malloc(NCD * sizeof *out);
    int rc = fu_segment_rfm_score(d->T, d->x, d->zbar, NCD, NULL, out);
    free(out);
    return rc;
}

Test(segment, rfm_survives_allocation_failure) {
    static cd_summary d;
    load_summary(&d);
    fu_test_oom("rfm", rfm_op, &d, 10);
}

/* ------------------------------------------------------------- rules */

#define DAY INT64_C(86400)
#define NOW (INT64_C(1767225600)) /* 2026-01-01T00:00:00Z */

static fu_segment_customer cust(double spend, double price, int64_t first_days_ago, int64_t last_days_ago) {
    fu_segment_customer c;
    memset(&c, 0, sizeof c);
    c.annual_spend = spend;
    c.unit_price = price;
    c.first_purchase_at = first_days_ago < 0 ? FU_SEGMENT_NO_PURCHASE : NOW - first_days_ago * DAY;
    c.last_purchase_at = last_days_ago < 0 ? FU_SEGMENT_NO_PURCHASE : NOW - last_days_ago * DAY;
    c.purchases = 3;
    c.p_alive = -1;
    return c;
}

Test(segment, tiers_and_product_classes_follow_domain_thresholds) {
    fu_segment_customer c[6] = {cust(500001, 10001, 500, 10), cust(500000, 10000, 500, 10),
                                cust(100000, 1000, 500, 10),  cust(99999.99, 999.99, 500, 10),
                                cust(-1, -1, 500, 10),        cust(0, 0, 500, 10)};
    fu_segment_assignment a[6];
    cr_assert_eq(fu_segment_assign(c, 6, NOW, NULL, a), FU_OK);
    fu_segment_tier tiers[6] = {FU_TIER_VIP, FU_TIER_KEY, FU_TIER_KEY, FU_TIER_ORDINARY, FU_TIER_ORDINARY,
                                FU_TIER_ORDINARY};
    fu_segment_product_class pc[6] = {FU_PRODUCT_DURABLE,     FU_PRODUCT_MID,     FU_PRODUCT_MID,
                                      FU_PRODUCT_FAST_MOVING, FU_PRODUCT_UNKNOWN, FU_PRODUCT_FAST_MOVING};
    for (int i = 0; i < 6; i++) {
        cr_assert_eq(a[i].tier, tiers[i], "customer %d", i);
        cr_assert_eq(a[i].product_class, pc[i], "customer %d", i);
        char want[64];
        snprintf(want, sizeof want, "segments.tiers.%s", fu_segment_tier_name(tiers[i]));
        cr_assert_str_eq(a[i].tier_rule, want);
        snprintf(want, sizeof want, "segments.product_classes.%s", fu_segment_product_class_name(pc[i]));
        cr_assert_str_eq(a[i].product_rule, want);
    }
    fu_segment_rules r = FU_SEGMENT_RULES_INIT;
    r.vip_above = 1e6;
    cr_assert_eq(fu_segment_assign(c, 1, NOW, &r, a), FU_OK);
    cr_assert_eq(a[0].tier, FU_TIER_KEY);
    r.key_from = 2e6;
    cr_assert_eq(fu_segment_assign(c, 1, NOW, &r, a), FU_EINVAL);
}

struct life_case {
    double spend;
    int64_t first_days, last_days;
    unsigned int last_year, prev_year, complaints;
    double p_alive;
    fu_segment_lifecycle stage;
    char rule[48];
    int churn_risk;
    char churn_rule[48];
    int deep_care;
};

ParameterizedTestParameters(segment, lifecycle_churn_risk_and_deep_care) {
    static struct life_case cases[] = {
        {0, -1, -1, 0, 0, 0, -1, FU_LIFECYCLE_NEW, "segments.lifecycle.new", 0, "", 0},
        {0, 30, 30, 1, 0, 0, -1, FU_LIFECYCLE_NEW, "segments.lifecycle.new", 0, "", 0},
        {0, 900, 400, 0, 2, 0, -1, FU_LIFECYCLE_CHURNED, "segments.lifecycle.churned", 0, "", 0},
        {0, 900, 10, 3, 3, 0, 0.05, FU_LIFECYCLE_CHURNED, "segments.lifecycle.churned_p_alive", 0, "", 0},
        {0, 700, 200, 1, 3, 0, -1, FU_LIFECYCLE_DECLINING, "segments.lifecycle.declining", 1,
         "segments.churn_risk.declining", 0},
        {0, 700, 20, 3, 3, 0, 0.3, FU_LIFECYCLE_DECLINING, "segments.lifecycle.declining_p_alive", 1,
         "segments.churn_risk.declining", 0},
        {0, 700, 20, 1, 4, 0, -1, FU_LIFECYCLE_DECLINING, "segments.lifecycle.declining_drop", 1,
         "segments.churn_risk.declining", 0},
        {0, 200, 20, 3, 0, 0, -1, FU_LIFECYCLE_GROWING, "segments.lifecycle.growing", 0, "", 0},
        {0, 700, 20, 3, 3, 0, 0.9, FU_LIFECYCLE_MATURE, "segments.lifecycle.mature", 0, "", 0},
        {0, 700, 20, 3, 3, 2, -1, FU_LIFECYCLE_MATURE, "segments.lifecycle.mature", 1,
         "segments.churn_risk.complaints", 0},
        {200000, 1500, 20, 3, 3, 0, -1, FU_LIFECYCLE_MATURE, "segments.lifecycle.mature", 0, "", 1},
        {200000, 1095, 20, 3, 3, 0, -1, FU_LIFECYCLE_MATURE, "segments.lifecycle.mature", 0, "", 1},
        {200000, 1094, 20, 3, 3, 0, -1, FU_LIFECYCLE_MATURE, "segments.lifecycle.mature", 0, "", 0},
        {90000, 1500, 20, 3, 3, 0, -1, FU_LIFECYCLE_MATURE, "segments.lifecycle.mature", 0, "", 0},
        {900000, 1500, 500, 0, 3, 0, -1, FU_LIFECYCLE_CHURNED, "segments.lifecycle.churned", 0, "", 0},
    };
    return cr_make_param_array(struct life_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct life_case *k, segment, lifecycle_churn_risk_and_deep_care) {
    fu_segment_customer c = cust(k->spend, 500, k->first_days, k->last_days);
    c.purchases_last_year = k->last_year;
    c.purchases_previous_year = k->prev_year;
    c.recent_complaints = k->complaints;
    c.p_alive = k->p_alive;
    fu_segment_assignment a;
    cr_assert_eq(fu_segment_assign(&c, 1, NOW, NULL, &a), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(a.lifecycle, k->stage, "stage %s, want %s", fu_segment_lifecycle_name(a.lifecycle),
                 fu_segment_lifecycle_name(k->stage));
    cr_assert_str_eq(a.lifecycle_rule, k->rule);
    cr_assert_eq(a.churn_risk, k->churn_risk);
    if (k->churn_risk)
        cr_assert_str_eq(a.churn_rule, k->churn_rule);
    else
        cr_assert_null(a.churn_rule);
    cr_assert_eq(a.deep_care, k->deep_care);
    if (k->deep_care) cr_assert_str_eq(a.deep_care_rule, "segments.deep_care");
}

Test(segment, assign_rejects_inconsistent_dates_naming_the_customer) {
    fu_segment_customer c[2] = {cust(0, 0, 10, 5), cust(0, 0, 10, 20)};
    fu_segment_assignment a[2];
    cr_assert_eq(fu_segment_assign(c, 2, NOW, NULL, a), FU_EINVAL);
    cr_assert_not_null(strstr(fu_error_last()->message, "customer 1"));
    cr_assert_str_eq(fu_segment_lifecycle_name(FU_LIFECYCLE_DECLINING), "declining");
    cr_assert_str_eq(fu_segment_tier_name((fu_segment_tier)7), "?");
}

/* The bulk path (series of all horizons summed together, coefficient cache,
 * batches of 64 horizons) agrees with one-at-a-time evaluation everywhere,
 * including where it falls back (z near 1, a = 1, a + b < 1). */
Test(segment, bulk_clv_agrees_with_single_calls_on_a_grid) {
    const fu_segment_bgnbd models[] = {CD_BG, {0.5, 2.0, 0.3, 0.4}, {0.5, 2.0, 1.0, 2.0}, {3.0, 0.5, 2.5, 30.0}};
    const double xs[] = {0, 1, 2, 5, 20, 300, 5000}, Ts[] = {0, 1, 39};
    enum { NC = 7 * 3 };
    double x[NC], tx[NC], T[NC], z[NC], clv[NC], e[NC];
    size_t k = 0;
    for (size_t i = 0; i < 7; i++)
        for (size_t j = 0; j < 3; j++, k++) x[k] = xs[i], T[k] = Ts[j], tx[k] = xs[i] > 0 ? Ts[j] / 2 : 0, z[k] = 10;
    fu_segment_score_options o = FU_SEGMENT_SCORE_OPTIONS_INIT;
    o.period = 52.0 / 12;
    o.periods = 70;
    o.horizon = 260;
    o.discount = 0.005;
    for (size_t mi = 0; mi < 4; mi++) {
        const fu_segment_bgnbd *m = &models[mi];
        cr_assert_eq(fu_segment_bgnbd_score(m, NULL, x, tx, T, z, NC, &o, NULL, e, clv), FU_OK, "%s",
                     fu_error_last()->message);
        for (size_t c = 0; c < NC; c++) {
            double sum = 0, prev = 0, v;
            for (int p = 1; p <= 70; p++) {
                cr_assert_eq(fu_segment_bgnbd_expected(m, x[c], tx[c], T[c], p * o.period, &v), FU_OK);
                sum += (v - prev) / pow(1.005, p);
                prev = v;
            }
            cr_assert(isfinite(clv[c]) && clv[c] >= 0);
            cr_assert_float_eq(clv[c], 10 * sum, 1e-10 * (1 + 10 * sum), "model %zu customer %zu: %.15g vs %.15g", mi,
                               c, clv[c], 10 * sum);
            cr_assert_eq(fu_segment_bgnbd_expected(m, x[c], tx[c], T[c], 260, &v), FU_OK);
            cr_assert_float_eq(e[c], v, 1e-10 * (1 + v));
        }
    }
}

static int score_op(void *ctx) {
    const cd_summary *d = ctx;
    double clv[50];
    fu_segment_score_options o = FU_SEGMENT_SCORE_OPTIONS_INIT;
    o.period = 4;
    return fu_segment_bgnbd_score(&CD_BG, NULL, d->x, d->t_x, d->T, d->zbar, 50, &o, NULL, NULL, clv);
}

Test(segment, scoring_survives_allocation_failure) {
    static cd_summary d;
    load_summary(&d);
    fu_test_oom("score", score_op, &d, 10);
}

/* ------------------------------------------------------------- rules from a policy */

static fu_segment_rules *policy_rules(const char *yaml, fu_policy **pol) {
    int rc = yaml ? fu_policy_load_string(pol, yaml, strlen(yaml), "site.yaml", NULL) : fu_policy_default(pol);
    cr_assert_eq(rc, FU_OK, "%s", fu_error_last()->message);
    fu_segment_rules *r = NULL;
    cr_assert_eq(fu_segment_rules_new_from_policy(&r, *pol), FU_OK);
    return r;
}

Test(segment, builtin_policy_gives_domain_tiers_with_policy_rule_names) {
    fu_policy *pol = NULL;
    fu_segment_rules *r = policy_rules(NULL, &pol);
    cr_assert(r->flags & FU_SEGMENT_RULES_POLICY);
    cr_assert_eq(r->n_tiers, 3);
    cr_assert_eq(r->n_classes, 3);
    fu_segment_customer c[6] = {cust(500000, 10001, 500, 10), cust(500001, 10000, 500, 10),
                                cust(100000, 1000, 500, 10),  cust(99999.99, 999.99, 500, 10),
                                cust(-1, -1, 500, 10),        cust(1e9, 0, 500, 10)};
    for (int i = 0; i < 6; i++) {
        fu_segment_customer d = c[i];
        fu_segment_customer_init(&c[i]);
        memcpy(&c[i], &d, offsetof(fu_segment_customer, spend_last_year));
    }
    fu_segment_assignment a[6];
    cr_assert_eq(fu_segment_assign(c, 6, NOW, r, a), FU_OK, "%s", fu_error_last()->message);
    static const char *const tier[6] = {"key", "vip", "key", "ordinary", "ordinary", "vip"};
    static const fu_segment_tier te[6] = {FU_TIER_KEY, FU_TIER_VIP, FU_TIER_KEY, FU_TIER_ORDINARY, FU_TIER_ORDINARY,
                                          FU_TIER_VIP};
    static const char *const cls[6] = {"high_price", "mid_price", "mid_price", "low_price", "unknown", "low_price"};
    static const fu_segment_product_class ce[6] = {FU_PRODUCT_DURABLE, FU_PRODUCT_MID,         FU_PRODUCT_MID,
                                                   FU_PRODUCT_FAST_MOVING, FU_PRODUCT_UNKNOWN, FU_PRODUCT_FAST_MOVING};
    for (int i = 0; i < 6; i++) {
        char want[64];
        cr_assert_str_eq(a[i].tier_name, tier[i], "customer %d", i);
        cr_assert_eq(a[i].tier, te[i], "customer %d", i);
        snprintf(want, sizeof want, "segments.value_tiers.%s", tier[i]);
        cr_assert_str_eq(a[i].tier_rule, want);
        cr_assert_str_eq(a[i].product_class_name, cls[i]);
        cr_assert_eq(a[i].product_class, ce[i], "customer %d", i);
        if (i != 4) {
            snprintf(want, sizeof want, "segments.product_classes.%s", cls[i]);
            cr_assert_str_eq(a[i].product_rule, want);
        }
    }
    /* RFM table, windows and CLV numbers of the policy */
    cr_assert_eq(r->n_rfm_rules, 4);
    cr_assert_str_eq(r->rfm_rules[1].rule, "segments.rfm.growth_potential");
    cr_assert_eq(r->rfm_rules[1].m_min, 1);
    cr_assert_eq(r->rfm_rules[1].m_max, 5);
    cr_assert_eq(r->rfm_rules[1].f_max, 3);
    cr_assert_eq(r->rfm_bins, 5);
    cr_assert_eq(r->rfm_window, 12 * INT64_C(2629746));
    cr_assert_eq(r->complaint_within, 30 * DAY);
    cr_assert_float_eq(r->human_from_quantile, 0.8, 1e-12);
    cr_assert_float_eq(r->clv_annual_discount, 0.1, 1e-12);
    cr_assert_eq(r->n_composite, 6);
    cr_assert_str_eq(r->composite[0].rule, "segments.composite.deep_care");
    fu_segment_rules_free(r);
    fu_policy_free(pol);
}

Test(segment, site_policy_threshold_changes_assignment_and_rule) {
    fu_policy *pol = NULL;
    fu_segment_rules *r = policy_rules("name: site\n"
                                       "segments:\n"
                                       "  value_tiers:\n"
                                       "    vip: {above: 1000000}\n"
                                       "    key: {at_least: 50000}\n"
                                       "    ordinary: {at_least: 0}\n",
                                       &pol);
    fu_segment_customer c[3];
    for (int i = 0; i < 3; i++) fu_segment_customer_init(&c[i]);
    c[0].annual_spend = 500001;
    c[1].annual_spend = 60000;
    c[2].annual_spend = 1000000.01;
    fu_segment_assignment a[3];
    cr_assert_eq(fu_segment_assign(c, 3, NOW, r, a), FU_OK);
    cr_assert_str_eq(a[0].tier_name, "key");
    cr_assert_str_eq(a[0].tier_rule, "segments.value_tiers.key");
    cr_assert_str_eq(a[1].tier_name, "key");
    cr_assert_str_eq(a[2].tier_name, "vip");
    fu_segment_rules_free(r);
    fu_policy_free(pol);
    /* a policy with a tier of its own: rank from the bottom gives the enum,
     * composite segments go by the tier's name */
    r = policy_rules("name: site\n"
                     "segments:\n"
                     "  value_tiers: {platinum: {above: 2000000}}\n",
                     &pol);
    cr_assert_eq(r->n_tiers, 4);
    c[0].annual_spend = 2000000.5;
    c[1].annual_spend = 2000000;
    c[2].annual_spend = 99;
    cr_assert_eq(fu_segment_assign(c, 3, NOW, r, a), FU_OK, "%s", fu_error_last()->message);
    cr_assert_str_eq(a[0].tier_name, "platinum");
    cr_assert_str_eq(a[0].tier_rule, "segments.value_tiers.platinum");
    cr_assert_eq(a[0].tier, FU_TIER_VIP);
    cr_assert_str_eq(a[0].segment, "new_customer"); /* not tier vip; no purchase yet: new */
    cr_assert_str_eq(a[1].tier_name, "vip");
    cr_assert_str_eq(a[1].segment, "vip");
    cr_assert_eq(a[1].human, 1);
    cr_assert_str_eq(a[2].tier_name, "ordinary");
    cr_assert_eq(a[2].tier, FU_TIER_ORDINARY);
    fu_segment_rules_free(r);
    fu_policy_free(pol);
}

struct policy_life_case {
    double spend;
    int64_t first_days, last_days;
    double spend_ly, spend_py;
    unsigned complaints;
    fu_segment_lifecycle stage;
    char rule[56];
    char segment[24];
    int human;
    int deep_care;
};

/* The built-in policy: churned 365 d idle, declining 180 d idle / spend
 * -30% / a complaint, new below 90 d, mature from 36 months (1095.7 d). */
ParameterizedTestParameters(segment, policy_lifecycle_and_composite_segments) {
    static struct policy_life_case cases[] = {
        {0, -1, -1, NAN, NAN, 0, FU_LIFECYCLE_NEW, "segments.lifecycle.new_within", "new_customer", 1, 0},
        {0, 30, 30, 10, 0, 0, FU_LIFECYCLE_NEW, "segments.lifecycle.new_within", "new_customer", 1, 0},
        {0, 30, 30, 10, 0, 1, FU_LIFECYCLE_DECLINING, "segments.lifecycle.declining.complaint_within", "at_risk", 0,
         0},
        {0, 900, 365, 0, 10, 0, FU_LIFECYCLE_CHURNED, "segments.lifecycle.churned_after", "at_risk", 0, 0},
        {0, 900, 364, 0, 10, 0, FU_LIFECYCLE_DECLINING, "segments.lifecycle.declining.inactive_for", "at_risk", 0, 0},
        {0, 900, 180, 0, 10, 0, FU_LIFECYCLE_DECLINING, "segments.lifecycle.declining.inactive_for", "at_risk", 0, 0},
        {0, 900, 10, 70, 100, 0, FU_LIFECYCLE_DECLINING, "segments.lifecycle.declining.spend_drop", "at_risk", 0, 0},
        {0, 900, 10, 70.01, 100, 0, FU_LIFECYCLE_GROWING, "segments.lifecycle.mature_after", "standard", 0, 0},
        {0, 1096, 10, 100, 100, 0, FU_LIFECYCLE_MATURE, "segments.lifecycle.mature_after", "standard", 0, 0},
        {0, 90, 10, 100, 0, 0, FU_LIFECYCLE_GROWING, "segments.lifecycle.mature_after", "standard", 0, 0},
        {200000, 1096, 10, 100, 100, 0, FU_LIFECYCLE_MATURE, "segments.lifecycle.mature_after", "deep_care", 1, 1},
        {200000, 1095, 10, 100, 100, 0, FU_LIFECYCLE_GROWING, "segments.lifecycle.mature_after", "standard", 0, 0},
        {600000, 1095, 10, 100, 100, 0, FU_LIFECYCLE_GROWING, "segments.lifecycle.mature_after", "vip", 1, 0},
        {200000, 500, 200, 100, 100, 0, FU_LIFECYCLE_DECLINING, "segments.lifecycle.declining.inactive_for",
         "high_value_at_risk", 1, 0},
    };
    return cr_make_param_array(struct policy_life_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct policy_life_case *k, segment, policy_lifecycle_and_composite_segments) {
    fu_policy *pol = NULL;
    fu_segment_rules *r = policy_rules(NULL, &pol);
    fu_segment_customer c;
    fu_segment_customer_init(&c);
    c.annual_spend = k->spend;
    c.unit_price = 500;
    c.first_purchase_at = k->first_days < 0 ? FU_SEGMENT_NO_PURCHASE : NOW - k->first_days * DAY;
    c.last_purchase_at = k->last_days < 0 ? FU_SEGMENT_NO_PURCHASE : NOW - k->last_days * DAY;
    c.spend_last_year = k->spend_ly;
    c.spend_previous_year = k->spend_py;
    c.recent_complaints = k->complaints;
    c.p_alive = 0.01; /* not read by the policy's lifecycle */
    fu_segment_assignment a;
    cr_assert_eq(fu_segment_assign(&c, 1, NOW, r, &a), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(a.lifecycle, k->stage, "stage %s, want %s", fu_segment_lifecycle_name(a.lifecycle),
                 fu_segment_lifecycle_name(k->stage));
    cr_assert_str_eq(a.lifecycle_rule, k->rule);
    cr_assert_eq(a.churn_risk, k->stage == FU_LIFECYCLE_DECLINING);
    if (a.churn_risk) cr_assert_str_eq(a.churn_rule, k->rule);
    cr_assert_str_eq(a.segment, k->segment);
    char want[64];
    snprintf(want, sizeof want, "segments.composite.%s", k->segment);
    cr_assert_str_eq(a.segment_rule, want);
    cr_assert_eq(a.human, k->human);
    cr_assert_eq(a.deep_care, k->deep_care);
    if (a.deep_care) cr_assert_str_eq(a.deep_care_rule, "segments.composite.deep_care");
    fu_segment_rules_free(r);
    fu_policy_free(pol);
}

Test(segment, clv_quantile_raises_automated_segments_to_human) {
    fu_policy *pol = NULL;
    fu_segment_rules *r = policy_rules(NULL, &pol);
    enum { N = 10 };
    fu_segment_customer c[N];
    for (int i = 0; i < N; i++) {
        fu_segment_customer_init(&c[i]);
        c[i].annual_spend = 1000;
        c[i].first_purchase_at = NOW - 400 * DAY;
        c[i].last_purchase_at = NOW - 10 * DAY;
        c[i].clv = 100.0 * (i + 1); /* 100 .. 1000: the 80% quantile is 900 */
    }
    c[3].clv = NAN; /* unknown: neither counted nor raised */
    fu_segment_assignment a[N];
    cr_assert_eq(fu_segment_assign(c, N, NOW, r, a), FU_OK);
    /* 9 known CLVs 100,200,300,500..1000: ceil(0.8 * 9) = 8th (0-based) = 1000 */
    for (int i = 0; i < N; i++) {
        cr_assert_str_eq(a[i].segment, "standard");
        if (i == 9) {
            cr_assert_eq(a[i].human, 1);
            cr_assert_str_eq(a[i].handling_rule, "segments.clv.human_from_quantile");
        } else {
            cr_assert_eq(a[i].human, 0, "customer %d", i);
            cr_assert_str_eq(a[i].handling_rule, "segments.composite.standard");
        }
    }
    c[3].clv = 400; /* 10 known: ceil(8) = 8 -> 900; customers 8 and 9 */
    cr_assert_eq(fu_segment_assign(c, N, NOW, r, a), FU_OK);
    for (int i = 0; i < N; i++) cr_assert_eq(a[i].human, i >= 8, "customer %d", i);
    fu_segment_rules_free(r);
    fu_policy_free(pol);
}

Test(segment, version_one_rules_still_work_and_bad_v2_fields_are_rejected) {
    fu_segment_customer c = cust(600000, 500, 500, 10);
    fu_segment_rules r = FU_SEGMENT_RULES_INIT;
    r.version = 1;
    r.flags = 99; /* not read in version 1 */
    fu_segment_assignment a;
    cr_assert_eq(fu_segment_assign(&c, 1, NOW, &r, &a), FU_OK);
    cr_assert_str_eq(a.tier_rule, "segments.tiers.vip");
    cr_assert_str_eq(a.tier_name, "vip");
    cr_assert_null(a.segment);
    r.version = FU_SEGMENT_RULES_VERSION;
    cr_assert_eq(fu_segment_assign(&c, 1, NOW, &r, &a), FU_EINVAL);
    r.flags = 0;
    fu_segment_band bands[2] = {{"low", "x.low", 0, 0}, {"high", "x.high", 10, 1}}; /* not sorted */
    r.tiers = bands;
    r.n_tiers = 2;
    cr_assert_eq(fu_segment_assign(&c, 1, NOW, &r, &a), FU_EINVAL);
    fu_segment_rules *none = NULL;
    cr_assert_eq(fu_segment_rules_new_from_policy(&none, NULL), FU_EINVAL);
    cr_assert_null(none);
}

static int rules_op(void *ctx) {
    fu_segment_rules *r = NULL;
    int rc = fu_segment_rules_new_from_policy(&r, ctx);
    fu_segment_rules_free(r);
    return rc;
}

Test(segment, rules_from_policy_survive_allocation_failure) {
    fu_test_oom_builtin_policy("rules_from_policy", rules_op, 100);
}

/* ------------------------------------------------------------- a whole book */

static const char BOOK_CUSTOMERS[] = "customer_id,tz,annual_spend,first_purchase_at\n"
                                     "A,Asia/Shanghai,,\n"
                                     "B,America/New_York,600000,2020-01-01T00:00:00Z\n"
                                     "C,UTC,,\n";
static const char BOOK_EVENTS[] = "customer_id,at,kind,order_id,unit_price,amount\n"
                                  "A,2026-01-01T10:00:00+08:00,purchase,o1,,100\n"
                                  "A,2026-01-01T23:30:00+08:00,purchase,o2,,50\n"
                                  "A,2026-01-02T07:00:00+08:00,purchase,o3,,30\n"
                                  "A,2026-01-15T12:00:00+08:00,purchase,o4,12000,70\n"
                                  "A,2026-01-15T13:00:00+08:00,purchase,o4,,-70\n"
                                  "A,2026-02-20T10:00:00+08:00,complaint,,,\n"
                                  "B,2026-02-01T10:00:00-05:00,inquiry,,,\n"
                                  "C,2026-02-27T12:00:00Z,purchase,o5,,10\n"
                                  "C,2026-03-05T12:00:00Z,purchase,o6,,99\n";

static fu_book *small_book(void) {
    fu_book *b = NULL;
    cr_assert_eq(fu_book_new(&b, NULL), FU_OK);
    cr_assert_eq(fu_book_read_customers_csv_from_string(b, BOOK_CUSTOMERS, strlen(BOOK_CUSTOMERS), "c"), FU_OK,
                 "%s", fu_error_last()->message);
    cr_assert_eq(fu_book_read_events_csv_from_string(b, BOOK_EVENTS, strlen(BOOK_EVENTS), "e"), FU_OK, "%s",
                 fu_error_last()->message);
    return b;
}

#define BOOK_NOW INT64_C(1772294400) /* 2026-03-01T00:00:00+08:00 = 2026-02-28T16:00:00Z */
#define JAN1_CN INT64_C(1767196800)  /* 2025-12-31T16:00:00Z: 2026-01-01 starts in Shanghai */

Test(segment, book_summary_hand_computed_local_days) {
    fu_book *b = small_book();
    fu_policy *pol = NULL;
    fu_segment_rules *r = policy_rules(NULL, &pol);
    fu_segment_book_summary *s = NULL;
    cr_assert_eq(fu_segment_book_summarize(b, BOOK_NOW, r, NULL, &s), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(s->n, 3);
    const double W = 7.0;
    /* A: local days Jan 1 (100 + 50), Jan 2 (30), Jan 15 (70; the refund left out) */
    cr_assert_float_eq(s->summary->x[0], 2.0, 1e-12);
    cr_assert_float_eq(s->summary->t_x[0], 14.0 / W, 1e-12);
    cr_assert_float_eq(s->summary->T[0], 59.0 / W, 1e-12);
    cr_assert_float_eq(s->summary->zbar[0], 50.0, 1e-12);
    cr_assert_float_eq(s->summary->total[0], 250.0, 1e-12);
    cr_assert_eq(s->summary->first_at[0], JAN1_CN);
    cr_assert_eq(s->last_at[0], JAN1_CN + 14 * DAY);
    cr_assert_float_eq(s->recency[0], 45.0 / W, 1e-12);
    cr_assert_float_eq(s->frequency[0], 3.0, 1e-12);
    cr_assert_float_eq(s->monetary[0], 250.0, 1e-12);
    const fu_segment_customer *a = &s->customers[0];
    cr_assert_float_eq(a->annual_spend, 250.0, 1e-12); /* no annual_spend: the last 365 days */
    cr_assert_float_eq(a->unit_price, 12000.0, 1e-12);
    cr_assert_eq(a->purchases, 4);
    cr_assert_eq(a->purchases_last_year, 4);
    cr_assert_eq(a->recent_complaints, 1);
    cr_assert_eq(a->first_purchase_at, JAN1_CN + 10 * 3600);
    cr_assert_eq(a->last_purchase_at, JAN1_CN + 14 * DAY + 12 * 3600);
    /* B: no purchase event; the recorded first purchase sets the tenure only */
    cr_assert_eq(s->summary->first_at[1], FU_SEGMENT_NO_PURCHASE);
    cr_assert(isnan(s->recency[1]));
    cr_assert_eq(s->rfm[1].r, 0);
    cr_assert_null(s->customers[1].rfm_group);
    cr_assert_eq(s->customers[1].first_purchase_at, INT64_C(1577836800));
    cr_assert_float_eq(s->customers[1].annual_spend, 600000.0, 1e-9);
    /* C: one purchase 40 h before now; the one after now is ignored */
    cr_assert_float_eq(s->summary->x[2], 0.0, 1e-12);
    cr_assert_float_eq(s->summary->T[2], 40.0 / 168.0, 1e-12);
    cr_assert_float_eq(s->summary->total[2], 10.0, 1e-12);
    cr_assert_float_eq(s->monetary[2], 10.0, 1e-12);
    /* RFM over A and C: score = 1 + floor(5 L / 2) */
    cr_assert_eq(s->rfm[0].r, 1);
    cr_assert_eq(s->rfm[0].f, 3);
    cr_assert_eq(s->rfm[0].m, 3);
    cr_assert_eq(s->rfm[2].r, 3);
    cr_assert_eq(s->rfm[2].f, 1);
    cr_assert_eq(s->rfm[2].m, 1);
    cr_assert_str_eq(s->customers[0].rfm_group, "churn_risk"); /* r 1-2, f 3-5 */
    /* assignment: A's complaint makes it declining, which comes before new */
    fu_segment_assignment as[3];
    cr_assert_eq(fu_segment_assign(s->customers, 3, BOOK_NOW, r, as), FU_OK);
    cr_assert_str_eq(as[0].lifecycle_rule, "segments.lifecycle.declining.complaint_within");
    cr_assert_str_eq(as[0].product_class_name, "high_price");
    cr_assert_str_eq(as[0].segment, "at_risk");
    cr_assert_str_eq(as[1].tier_name, "vip");
    cr_assert_str_eq(as[1].segment, "deep_care"); /* since 2020 */
    cr_assert_str_eq(as[2].lifecycle_rule, "segments.lifecycle.new_within");
    fu_segment_book_summary_free(s);

    /* UTC days: A's Jan 1 02:00Z, 15:30Z and 23:00Z purchases are one day */
    fu_segment_book_options o = FU_SEGMENT_BOOK_OPTIONS_INIT;
    o.local_days = 0;
    o.unit_seconds = 86400;
    cr_assert_eq(fu_segment_book_summarize(b, BOOK_NOW, NULL, &o, &s), FU_OK);
    cr_assert_float_eq(s->summary->x[0], 1.0, 1e-12);
    cr_assert_float_eq(s->summary->t_x[0], 14.0, 1e-12);
    cr_assert_float_eq(s->summary->T[0], 58.0 + 16.0 / 24, 1e-12);
    cr_assert_float_eq(s->summary->zbar[0], 70.0, 1e-12);
    cr_assert_str_eq(s->customers[0].rfm_group, "at_risk"); /* the built-in table */
    fu_segment_book_summary_free(s);
    fu_segment_rules_free(r);
    fu_policy_free(pol);
    fu_book_free(b);
}

Test(segment, book_summary_rejects_bad_options_and_an_unfinalized_book) {
    fu_book *b = small_book();
    fu_segment_book_summary *s = NULL;
    fu_segment_book_options o = FU_SEGMENT_BOOK_OPTIONS_INIT;
    o.unit_seconds = 0;
    cr_assert_eq(fu_segment_book_summarize(b, BOOK_NOW, NULL, &o, &s), FU_EINVAL);
    cr_assert_null(s);
    fu_event_in e;
    fu_event_in_init(&e);
    e.customer_id = "C";
    e.at = BOOK_NOW - DAY;
    cr_assert_eq(fu_book_add_event(b, &e), FU_OK);
    cr_assert_eq(fu_segment_book_summarize(b, BOOK_NOW, NULL, NULL, &s), FU_ESTATE);
    fu_book_free(b);
}

typedef struct book_ctx {
    fu_book *book;
    const fu_segment_rules *rules;
} book_ctx;

static int book_op(void *vctx) {
    book_ctx *c = vctx;
    fu_segment_book_summary *s = NULL;
    int rc = fu_segment_book_summarize(c->book, BOOK_NOW, c->rules, NULL, &s);
    fu_segment_book_summary_free(s);
    return rc;
}

Test(segment, book_summary_survives_allocation_failure) {
    fu_policy *pol = NULL;
    fu_segment_rules *r = policy_rules(NULL, &pol);
    book_ctx c = {small_book(), r};
    fu_test_oom("book_summarize", book_op, &c, 10000);
    fu_book_free(c.book);
    fu_segment_rules_free(r);
    fu_policy_free(pol);
}

/* ------------------------------------------------- bulk scoring (issue 19) */

/* Bulk P(alive) against the one-customer function (the formula before the
 * bulk path, log1p of the ratio) on CDNOW and on edge rows: x = 0 is exactly 1,
 * t_x = T (also T = 0 with purchases), x >= 256 and large (r + x) log(alpha + T)
 * take the one-customer formula itself, alpha + t_x < 1 (negative logs), -0. */
Test(segment, bulk_p_alive_matches_single_calls_on_cdnow_and_edges) {
    static cd_summary d;
    load_summary(&d);
    static double x[NCD + 16], tx[NCD + 16], T[NCD + 16], pa[NCD + 16];
    memcpy(x, d.x, sizeof d.x);
    memcpy(tx, d.t_x, sizeof d.t_x);
    memcpy(T, d.T, sizeof d.T);
    static const double edge[16][3] = {{0, 0, 0},     {0, 0, 38},      {3, 38, 38},    {1, 0, 0},
                                       {2, 5, 5},     {255, 10, 39},   {256, 10, 39},  {1000, 30, 39},
                                       {70, 1, 39},   {60, 0.5, 1e6},  {5, 0, 0.25},   {-0.0, -0.0, 3},
                                       {1, -0.0, 2},  {40, 39, 39.01}, {1, 1e-300, 1}, {7, 3, 1e300}};
    for (int k = 0; k < 16; k++) x[NCD + k] = edge[k][0], tx[NCD + k] = edge[k][1], T[NCD + k] = edge[k][2];
    const fu_segment_bgnbd small_alpha = {0.2426, 0.01, 0.7929, 2.4258};
    const fu_segment_bgnbd *models[2] = {&CD_BG, &small_alpha};
    for (int mi = 0; mi < 2; mi++) {
        cr_assert_eq(fu_segment_bgnbd_score(models[mi], NULL, x, tx, T, NULL, NCD + 16, NULL, pa, NULL, NULL), FU_OK,
                     "%s", fu_error_last()->message);
        for (size_t i = 0; i < NCD + 16; i++) {
            double v;
            cr_assert_eq(fu_segment_bgnbd_p_alive(models[mi], x[i], tx[i], T[i], &v), FU_OK);
            if (x[i] == 0 || x[i] >= 256) cr_assert_eq(pa[i], v, "model %d row %zu", mi, i);
            else cr_assert_float_eq(pa[i], v, 1e-13 * v, "model %d row %zu: %.17g vs %.17g", mi, i, pa[i], v);
        }
        for (size_t i = 0; i < NCD; i++)
            if (x[i] == 0) cr_assert_eq(pa[i], 1.0);
    }
}

/* Every result depends on its own row only: each customer scored alone (a
 * fresh memo and log cache) gives the bulk call's values bit for bit, and so
 * do the rows in reverse order (the memo filled in another order). */
Test(segment, bulk_scores_do_not_depend_on_the_other_rows) {
    static cd_summary d;
    load_summary(&d);
    static double pa[NCD], e[NCD], clv[NCD], rx[NCD], rtx[NCD], rT[NCD], rz[NCD], rpa[NCD], re[NCD], rclv[NCD];
    fu_segment_gammagamma gg = {6.248803, 3.744588, 15.447748};
    fu_segment_score_options o = FU_SEGMENT_SCORE_OPTIONS_INIT;
    o.horizon = 52;
    o.period = 4.345;
    o.periods = 12;
    for (size_t i = 0; i < NCD; i++)
        rx[i] = d.x[NCD - 1 - i], rtx[i] = d.t_x[NCD - 1 - i], rT[i] = d.T[NCD - 1 - i], rz[i] = d.zbar[NCD - 1 - i];
    for (int pareto = 0; pareto < 2; pareto++) {
        fu_segment_pareto pn = {0.553275, 10.577612, 0.606214, 11.667911};
#define SCORE(X, TX, TT, Z, N, P, E, C)                                                                        \
    (pareto ? fu_segment_pareto_score(&pn, &gg, X, TX, TT, Z, N, &o, P, E, C)                                  \
            : fu_segment_bgnbd_score(&CD_BG, &gg, X, TX, TT, Z, N, &o, P, E, C))
        cr_assert_eq(SCORE(d.x, d.t_x, d.T, d.zbar, NCD, pa, e, clv), FU_OK);
        cr_assert_eq(SCORE(rx, rtx, rT, rz, NCD, rpa, re, rclv), FU_OK);
        for (size_t i = 0; i < NCD; i++) {
            size_t j = NCD - 1 - i;
            cr_assert(pa[i] == rpa[j] && e[i] == re[j] && clv[i] == rclv[j], "customer %zu", i);
            if (i % 7) continue;
            double p1, e1, c1;
            cr_assert_eq(SCORE(d.x + i, d.t_x + i, d.T + i, d.zbar + i, 1, &p1, &e1, &c1), FU_OK);
            cr_assert(pa[i] == p1 && e[i] == e1 && clv[i] == c1, "customer %zu: %.17g %.17g", i, clv[i], c1);
        }
#undef SCORE
    }
}

/* A bad row in a later chunk (chunks of 1024) is named; rows of an earlier
 * chunk may have been written, none of the bad chunk's. */
Test(segment, bulk_scores_name_a_bad_row_in_a_later_chunk) {
    static double x[3000], tx[3000], T[3000], pa[3000];
    for (int i = 0; i < 3000; i++) x[i] = i % 4, tx[i] = 1, T[i] = 10;
    x[2500] = 1.5;
    cr_assert_eq(fu_segment_bgnbd_score(&CD_BG, NULL, x, tx, T, NULL, 3000, NULL, pa, NULL, NULL), FU_EINVAL);
    cr_assert(strstr(fu_error_last()->message, "x[2500] = 1.5"), "%s", fu_error_last()->message);
    x[2500] = 1;
    tx[2999] = 11;
    cr_assert_eq(fu_segment_bgnbd_score(&CD_BG, NULL, x, tx, T, NULL, 3000, NULL, pa, NULL, NULL), FU_EINVAL);
    cr_assert(strstr(fu_error_last()->message, "t_x[2999] = 11 is after T = 10"), "%s", fu_error_last()->message);
    tx[2999] = 1;
    T[1024] = NAN;
    cr_assert_eq(fu_segment_bgnbd_score(&CD_BG, NULL, x, tx, T, NULL, 3000, NULL, pa, NULL, NULL), FU_EINVAL);
    cr_assert(strstr(fu_error_last()->message, "T[1024] = nan"), "%s", fu_error_last()->message);
}

/* A spend refused in a later chunk (zbar < 0 with x > 0, not finite without
 * a spend model, p x + q <= 1) is named with its row; the rows before it,
 * in its chunk too, are written as one-row calls give them, the row itself
 * and the ones after it are not. */
Test(segment, bulk_scores_name_a_refused_spend_and_keep_the_rows_before) {
    static double x[3000], tx[3000], T[3000], z[3000], e[3000], clv[3000];
    fu_segment_gammagamma gg = {6.25, 3.74, 15.44};
    fu_segment_score_options o = FU_SEGMENT_SCORE_OPTIONS_INIT;
    o.horizon = 52;
    o.period = 4.345;
    o.periods = 12;
    for (int i = 0; i < 3000; i++) x[i] = i % 5, tx[i] = x[i] > 0 ? 3 + i % 7 : 0, T[i] = 30 + i % 11, z[i] = 20 + i % 3;
    for (int bad = 0; bad < 3; bad++) {
        fu_segment_gammagamma g = gg;
        const fu_segment_gammagamma *gp = &g;
        size_t at = 2101; /* x[2100] = 0: any zbar is accepted there */
        const char *want = "customer 2101: zbar[2101] = -1: must be finite and >= 0";
        if (bad == 0) {
            z[2100] = -1, z[2101] = -1;
        } else if (bad == 1) {
            z[2100] = 20;
            z[2101] = 20, z[2102] = NAN, gp = NULL, at = 2102, want = "customer 2102: zbar[2102] is not finite";
        } else {
            z[2102] = 20, g.q = 0.5, at = 2100, want = "customer 2100: Gamma-Gamma: p x + q = 0.5 <= 1";
            for (int i = 0; i < 2100; i++) x[i] = x[i] == 0 ? 1 : x[i]; /* the first x = 0 is row 2100 */
        }
        for (int i = 0; i < 3000; i++) e[i] = clv[i] = -7;
        cr_assert_neq(fu_segment_bgnbd_score(&CD_BG, gp, x, tx, T, z, 3000, &o, NULL, e, clv), FU_OK);
        cr_assert(strstr(fu_error_last()->message, want), "case %d: %s", bad, fu_error_last()->message);
        for (size_t i = 2048; i < 3000; i++) {
            if (i >= at) {
                cr_assert(e[i] == -7 && clv[i] == -7, "case %d row %zu written", bad, i);
                continue;
            }
            double e1, c1;
            cr_assert_eq(fu_segment_bgnbd_score(&CD_BG, gp, x + i, tx + i, T + i, z + i, 1, &o, NULL, &e1, &c1), FU_OK);
            cr_assert(e[i] == e1 && clv[i] == c1, "case %d row %zu: %.17g %.17g", bad, i, clv[i], c1);
        }
    }
}

/* Many distinct (x, T) pairs: the memo grows several times, and every
 * allocation failure on the way is reported with nothing leaked. */
#define NMEMO 5000
typedef struct memo_data {
    double x[NMEMO], tx[NMEMO], T[NMEMO], z[NMEMO], clv[NMEMO];
} memo_data;

static int memo_op(void *ctx) {
    memo_data *m = ctx;
    fu_segment_score_options o = FU_SEGMENT_SCORE_OPTIONS_INIT;
    o.period = 4;
    o.periods = 2;
    return fu_segment_bgnbd_score(&CD_BG, NULL, m->x, m->tx, m->T, m->z, NMEMO, &o, NULL, NULL, m->clv);
}

Test(segment, bulk_score_memo_survives_allocation_failure) {
    static memo_data m;
    for (int i = 0; i < NMEMO; i++) m.x[i] = i % 50, m.T[i] = 20 + (i / 50) * 0.25, m.tx[i] = 1, m.z[i] = 10;
    cr_assert_eq(memo_op(&m), FU_OK);
    for (int i = 0; i < NMEMO; i += 499) {
        double c;
        cr_assert_eq(fu_segment_bgnbd_score(&CD_BG, NULL, m.x + i, m.tx + i, m.T + i, m.z + i, 1,
                                            &(fu_segment_score_options){FU_SEGMENT_SCORE_OPTIONS_VERSION, 0, 4, 2,
                                                                         0.01, 1},
                                            NULL, NULL, &c),
                     FU_OK);
        cr_assert_eq(m.clv[i], c, "customer %d", i);
    }
    fu_test_oom("score_memo", memo_op, &m, 20);
}

/* ------------------------------------- E_alive from Taylor tables (issue 19) */

/* Expected purchases in (T, T + t] and 12-month CLV (4.345 weeks, 1% a
 * month, value 1) of the bulk path (Taylor polynomials of 1 - G about
 * centres 1/64 apart) against values computed with mpmath at 50 digits from
 * the closed form P(alive) (a+b+x-1)/(a-1) [1 - ((alpha+T)/(alpha+T+t))^(r+x)
 * 2F1(r+x, b+x; a+b+x-1; t/(alpha+T+t))]. x = 0 with T = 1e9 was 9.8e-8 off
 * before (1 - G rounded near z = 0: 1 - 0.99999997...); the tables keep the
 * relative precision there. Tiny and large parameters, t_x = T, x = 60. */
typedef struct {
    fu_segment_bgnbd m;
    double x, t_x, T, t, want, tol; /* tol 0: 2e-14 */
} expect_fixture;

Test(segment, bulk_expected_and_clv_match_hand_computed_values) {
    static const expect_fixture ef[] = {
        {{0.242593, 4.413532, 0.792886, 2.425753}, 0, 0, 38.86, 52, 0.25166580421986711, 0},
        {{0.242593, 4.413532, 0.792886, 2.425753}, 2, 30.43, 38.86, 52, 1.5585838860298181, 0},
        {{0.242593, 4.413532, 0.792886, 2.425753}, 0, 0, 1e6, 52, 1.2614679929437261e-5, 0},
        {{0.242593, 4.413532, 0.792886, 2.425753}, 0, 0, 1e9, 52, 1.261483584392665e-8, 0},
        {{0.242593, 4.413532, 0.792886, 2.425753}, 1, 0.001, 1e6, 52, 4.3825804537376355e-11, 0},
        {{0.242593, 4.413532, 0.792886, 2.425753}, 3, 1e5, 1e5, 52, 0.0014297018050163739, 0},
        {{0.242593, 4.413532, 0.792886, 2.425753}, 60, 38, 39, 52, 49.34193648069421, 0},
        {{0.242593, 4.413532, 0.792886, 2.425753}, 5, 30, 30, 4.345, 0.56805585778448677, 0},
        {{0.242593, 4.413532, 0.792886, 2.425753}, 7, 0.5, 0.6, 1, 1.2269775081313688, 0},
        {{0.242593, 4.413532, 0.792886, 2.425753}, 200, 30, 39, 13, 8.5752826811350329e-17, 0},
        /* a + b + x - 1 < 0: the one-customer 2F1 (fu_stats), as before */
        {{0.001, 0.01, 0.05, 0.02}, 0, 0, 30, 52, 0.0012060312070760955, 1e-12},
        /* a - 1 = 2e-6: C / (a - 1) = 1.2e6 times 1 - G = 3.2e-9 (the
         * one-customer function is 1.3e-9 off here) */
        {{0.5, 2.0, 1.000002, 2.0}, 0, 0, 33.3, 0.27795272004741767, 0.0039292826642578711, 0},
        {{0.001, 0.01, 0.05, 0.02}, 4, 10, 30, 52, 2.8650145271747433, 0},
        {{3.0, 0.5, 2.5, 30.0}, 1, 5, 40, 52, 0.016893637249582571, 0},
        {{3.0, 0.5, 2.5, 30.0}, 10, 39, 39, 52, 10.382813664215655, 0},
        {{0.242593, 4.413532, 0.792886, 2.425753}, 1, 10, 20.3, 52, 1.1758520002255584, 0},
    };
    static const expect_fixture cf[] = { /* t unused, want: the CLV */
        {{0.242593, 4.413532, 0.792886, 2.425753}, 0, 0, 1e9, 0, 1.186360093122377e-8, 0},
        {{0.242593, 4.413532, 0.792886, 2.425753}, 2, 30.43, 38.86, 0, 1.4712301117261723, 0},
        {{0.242593, 4.413532, 0.792886, 2.425753}, 0, 0, 33.3, 0, 0.2675980051113303, 0},
        {{0.001, 0.01, 0.05, 0.02}, 4, 10, 30, 0, 2.6957077587447612, 0},
        {{3.0, 0.5, 2.5, 30.0}, 1, 5, 40, 0, 0.015945605476549102, 0},
    };
    fu_segment_score_options o = FU_SEGMENT_SCORE_OPTIONS_INIT;
    double one = 1, e, c;
    for (size_t i = 0; i < sizeof ef / sizeof ef[0]; i++) {
        const expect_fixture *f = &ef[i];
        o.horizon = f->t;
        cr_assert_eq(fu_segment_bgnbd_score(&f->m, NULL, &f->x, &f->t_x, &f->T, &one, 1, &o, NULL, &e, NULL), FU_OK);
        cr_assert_float_eq(e, f->want, (f->tol > 0 ? f->tol : 2e-14) * f->want, "fixture %zu: %.17g vs %.17g (%.2g)", i, e, f->want,
                           fabs(e / f->want - 1));
    }
    o.period = 4.345;
    o.periods = 12;
    o.discount = 0.01;
    for (size_t i = 0; i < sizeof cf / sizeof cf[0]; i++) {
        const expect_fixture *f = &cf[i];
        cr_assert_eq(fu_segment_bgnbd_score(&f->m, NULL, &f->x, &f->t_x, &f->T, &one, 1, &o, NULL, NULL, &c), FU_OK);
        cr_assert_float_eq(c, f->want, 2e-14 * f->want, "CLV fixture %zu: %.17g vs %.17g (%.2g)", i, c, f->want,
                           fabs(c / f->want - 1));
    }
}

/* Horizons on both sides of every boundary between two centres of the
 * tables (z = (j + 1/2) / 64), of the last centre's edge (the bulk path
 * then takes the series), for several x and models (tiny parameters, a = 1.01,
 * a + b < 1): the bulk values equal the one-customer function (the 2F1 of
 * fu_stats, one horizon at a time) to 1e-13 relative. (Nearer a = 1 the
 * one-customer function loses digits: the fixture above, a - 1 = 2e-6.) */
Test(segment, bulk_expected_agrees_with_single_calls_at_table_boundaries) {
    const fu_segment_bgnbd models[] = {CD_BG, {0.001, 0.01, 0.05, 0.02}, {0.5, 2.0, 0.3, 0.4}, {3.0, 0.5, 2.5, 30.0},
                                       {0.5, 2.0, 1.01, 2.0}};
    const double xs[] = {0, 1, 2, 7, 30, 255}, T = 33.3;
    fu_segment_score_options o = FU_SEGMENT_SCORE_OPTIONS_INIT;
    for (size_t mi = 0; mi < sizeof models / sizeof models[0]; mi++) {
        const fu_segment_bgnbd *m = &models[mi];
        double u = m->alpha + T;
        for (int j = 0; j <= 57; j++)
            for (int side = -1; side <= 1; side += 2)
                for (size_t xi = 0; xi < sizeof xs / sizeof xs[0]; xi++) {
                    double z = (j + 0.5) / 64 + side * 1e-9, t = z * u / (1 - z), tx = xs[xi] > 0 ? 20 : 0, e, v;
                    o.horizon = t;
                    cr_assert_eq(fu_segment_bgnbd_score(m, NULL, &xs[xi], &tx, &T, NULL, 1, &o, NULL, &e, NULL), FU_OK);
                    cr_assert_eq(fu_segment_bgnbd_expected(m, xs[xi], tx, T, t, &v), FU_OK);
                    /* past the last centre: the series of all horizons, as before */
                    double tol = z < 56.5 / 64 ? 1e-13 : 1e-12;
                    cr_assert_float_eq(e, v, tol * v + 1e-300, "model %zu x %g z %.12g: %.17g vs %.17g", mi,
                                       xs[xi], z, e, v);
                }
    }
}
