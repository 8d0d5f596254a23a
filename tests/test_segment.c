/* fu_segment: summaries from raw events, BG/NBD, Pareto/NBD, Gamma-Gamma
 * against the published CDNOW fits, numerical hard cases, scoring and CLV,
 * RFM and the rule-based segments. */
#include "fu_test.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <math.h>
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

Test(segment, bgnbd_fit_reproduces_published_cdnow_estimates) {
    static cd_summary d;
    load_summary(&d);
    fu_segment_bgnbd m;
    fu_segment_fit_info info;
    int rc = fu_segment_bgnbd_fit(d.x, d.t_x, d.T, d.n, NULL, &info, &m);
    cr_assert_eq(rc, FU_OK, "%s", fu_error_last()->message);
    cr_assert_lt(fabs(m.r - 0.243), 0.002, "r = %.6f", m.r);
    cr_assert_lt(fabs(m.alpha - 4.414), 0.002, "alpha = %.6f", m.alpha);
    cr_assert_lt(fabs(m.a - 0.793), 0.002, "a = %.6f", m.a);
    cr_assert_lt(fabs(m.b - 2.426), 0.002, "b = %.6f", m.b);
    cr_assert_lt(fabs(info.loglik + 9582.4), 0.1, "LL = %.4f", info.loglik);
    cr_assert_eq(info.n, NCD);
    cr_assert_lt(info.distinct, NCD);
    double ll;
    cr_assert_eq(fu_segment_bgnbd_loglik(&m, d.x, d.t_x, d.T, d.n, &ll), FU_OK);
    cr_assert_float_eq(ll, info.loglik, 1e-8);
}

Test(segment, pareto_fit_reproduces_published_cdnow_estimates) {
    static cd_summary d;
    load_summary(&d);
    fu_segment_pareto m;
    fu_segment_fit_info info;
    int rc = fu_segment_pareto_fit(d.x, d.t_x, d.T, d.n, NULL, &info, &m);
    cr_assert_eq(rc, FU_OK, "%s", fu_error_last()->message);
    cr_assert_lt(fabs(m.r - 0.553), 0.002, "r = %.6f", m.r);
    cr_assert_lt(fabs(m.alpha - 10.578), 0.002, "alpha = %.6f", m.alpha);
    cr_assert_lt(fabs(m.s - 0.606), 0.002, "s = %.6f", m.s);
    cr_assert_lt(fabs(m.beta - 11.669), 0.002, "beta = %.6f", m.beta);
    cr_assert_lt(fabs(info.loglik + 9595.0), 0.1, "LL = %.4f", info.loglik);
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
