/* fu_besttime: Beta helpers against published values, posteriors, decay,
 * the method-of-moments prior, contact constraints with exact next allowed
 * instants, best hours, Thompson reproducibility, online update, OOM. */
#include "fu_test.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define T fu_test_time

static fu_policy *default_policy(void) {
    fu_policy *p = NULL;
    cr_assert_eq(fu_policy_default(&p), FU_OK);
    return p;
}

static fu_book *make_book(const char *customers, const char *events) {
    fu_book *b = NULL;
    cr_assert_eq(fu_book_new(&b, NULL), FU_OK);
    cr_assert_eq(fu_book_read_customers_csv_from_string(b, customers, strlen(customers), "<c>"), FU_OK,
                 "%s", fu_error_last()->message);
    const char *ev = events ? events : "customer_id,at,kind,channel,outcome\n";
    cr_assert_eq(fu_book_read_events_csv_from_string(b, ev, strlen(ev), "<e>"), FU_OK, "%s",
                 fu_error_last()->message);
    return b;
}

static fu_besttime *make_model(const fu_policy *p, const fu_book *b, const fu_besttime_options *o) {
    fu_besttime *m = NULL;
    int rc = fu_besttime_new(&m, p, b, NULL, 0, o);
    cr_assert_eq(rc, FU_OK, "fu_besttime_new: %s", fu_error_last()->message);
    return m;
}

/* Options of a plain model: a fixed prior, decay with the given half-life
 * (-1: none) and no sharing across days and hours. */
static fu_besttime_options fixed_options(int64_t half_life_seconds) {
    fu_besttime_options o = FU_BESTTIME_OPTIONS_INIT;
    o.prior_method = FU_BESTTIME_PRIOR_FIXED;
    o.half_life_seconds = half_life_seconds;
    o.share_day = o.share_hour = 0;
    return o;
}

#define CLOSE(a, b, tol) cr_assert(fabs((a) - (b)) <= (tol), "%s = %.15g, want %.15g", #a, (double)(a), (double)(b))

/* ================================================================ Beta */

typedef struct qcase {
    double q, a, b, want; /* scipy.stats.beta.ppf(q, a, b), scipy 1.10.1 */
} qcase;

ParameterizedTestParameters(besttime, beta_quantile_matches_scipy) {
    static qcase cases[] = {
        {0.05, 4.5, 4.5, 0.2392978176285834},    {0.95, 4.5, 4.5, 0.7607021823714165},
        {0.05, 0.5, 0.5, 0.0061558297024311365}, {0.3, 0.1, 2.0, 2.276599281479219e-06},
        {0.975, 2.0, 0.3, 0.9999980945853891},   {0.05, 1500.5, 498.5, 0.7345704881772268},
        {0.5, 3.0, 7.0, 0.2862366680227827},     {1e-6, 2.5, 3.5, 0.0015348460460181976},
        {0.999, 60.0, 2.0, 0.9992498089419614},  {0.05, 2.0, 3.0, 0.09761146288641434},
    };
    return cr_make_param_array(qcase, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(qcase *c, besttime, beta_quantile_matches_scipy) {
    double x = -1;
    cr_assert_eq(fu_besttime_beta_quantile(c->q, c->a, c->b, &x), FU_OK);
    cr_assert(fabs(x - c->want) <= 1e-11 * c->want + 1e-300, "Q(%g; %g, %g) = %.17g, want %.17g", c->q,
              c->a, c->b, x, c->want);
}

Test(besttime, beta_cdf_matches_scipy_and_binomial_identity) {
    static const double cases[][4] = {
        {0.3, 2, 3, 0.34829999999999994},   {0.01, 0.5, 0.5, 0.06376856085851985},
        {0.9, 10, 2, 0.6973568802000002},   {0.5, 200, 210, 0.6894852134274168},
        {0.25, 0.1, 2.0, 0.9358418555433333},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double v;
        cr_assert_eq(fu_besttime_beta_cdf(cases[i][0], cases[i][1], cases[i][2], &v), FU_OK);
        CLOSE(v, cases[i][3], 1e-12);
    }
    /* integer a, b: I_x(a, b) = P(Binomial(a + b - 1, x) >= a) */
    for (int a = 1; a <= 12; a += 3) {
        for (int b = 1; b <= 12; b += 4) {
            for (double x = 0.05; x < 1.0; x += 0.15) {
                int n = a + b - 1;
                double sum = 0.0, c = 1.0; /* c = C(n, j) */
                for (int j = 0; j <= n; j++) {
                    if (j >= a) sum += c * pow(x, j) * pow(1 - x, n - j);
                    c = c * (n - j) / (j + 1);
                }
                double v;
                cr_assert_eq(fu_besttime_beta_cdf(x, a, b, &v), FU_OK);
                CLOSE(v, sum, 1e-13);
                double q, back;
                cr_assert_eq(fu_besttime_beta_quantile(sum, a, b, &q), FU_OK);
                cr_assert_eq(fu_besttime_beta_cdf(q, a, b, &back), FU_OK);
                CLOSE(back, sum, 1e-12);
                if (sum < 0.999) CLOSE(q, x, 1e-11); /* near 1, q holds too few digits */
            }
        }
    }
    double v;
    cr_assert_eq(fu_besttime_beta_quantile(0.5, 0.0, 1.0, &v), FU_EINVAL);
    cr_assert_eq(fu_besttime_beta_quantile(1.5, 1.0, 1.0, &v), FU_EINVAL);
    cr_assert_eq(fu_besttime_beta_cdf(NAN, 1.0, 1.0, &v), FU_EINVAL);
    cr_assert_eq(fu_besttime_beta_quantile(0.0, 2.0, 2.0, &v), FU_OK);
    cr_assert_eq(v, 0.0);
    cr_assert_eq(fu_besttime_beta_quantile(1.0, 2.0, 2.0, &v), FU_OK);
    cr_assert_eq(v, 1.0);
}

Test(besttime, beta_quantile_round_trips_over_a_grid) {
    static const double ab[] = {0.05, 0.3, 1.0, 2.5, 17.0, 300.0, 20000.0};
    static const double qs[] = {1e-9, 0.001, 0.05, 0.5, 0.95, 0.999};
    for (size_t i = 0; i < 7; i++)
        for (size_t j = 0; j < 7; j++)
            for (size_t k = 0; k < 6; k++) {
                double x, v;
                cr_assert_eq(fu_besttime_beta_quantile(qs[k], ab[i], ab[j], &x), FU_OK);
                cr_assert(x >= 0.0 && x <= 1.0);
                cr_assert_eq(fu_besttime_beta_cdf(x, ab[i], ab[j], &v), FU_OK);
                /* relative in the smaller tail */
                double tail = qs[k] < 0.5 ? qs[k] : 1 - qs[k];
                double got = qs[k] < 0.5 ? v : 1 - v;
                if (x > 0.0 && 1.0 - x > 1e-6) /* nearer to 1 doubles are too coarse */
                    cr_assert(fabs(got - tail) <= 1e-8 * tail, "a=%g b=%g q=%g: x=%.17g cdf=%.17g", ab[i],
                              ab[j], qs[k], x, v);
            }
}

/* ================================================================ posteriors */

static const char *CUST_ONE = "customer_id,tz\nA,Asia/Shanghai\n";

Test(besttime, posterior_mean_and_interval_with_known_counts_and_prior) {
    /* 3 answered + 1 no answer on Wednesday 10:00 local; fixed prior
     * Beta(0.3 * 5, 0.7 * 5) = Beta(1.5, 3.5); no decay:
     * posterior Beta(4.5, 4.5), mean 0.5, 90% interval from scipy. */
    const char *ev = "customer_id,at,kind,channel,outcome\n"
                     "A,2025-03-05T10:05:00+08:00,contact,phone,answered\n"
                     "A,2025-03-12T10:10:00+08:00,contact,phone,answered\n"
                     "A,2025-03-19T10:59:00+08:00,contact,,answered\n"
                     "A,2025-03-26T10:00:00+08:00,contact,phone,no_answer\n"
                     "A,2025-03-26T11:00:00+08:00,contact,sms,no_answer\n"  /* other channel */
                     "A,2025-03-26T12:00:00+08:00,delivery,,\n";
    fu_policy *p = default_policy();
    fu_book *b = make_book(CUST_ONE, ev);
    fu_besttime_options o = fixed_options(-1);
    fu_besttime *m = make_model(p, b, &o);
    cr_assert_eq(fu_besttime_slot_count(m), 168);
    int slot = 2 * 24 + 10; /* Wednesday 10h */
    fu_besttime_estimate e;
    cr_assert_eq(fu_besttime_posterior(m, 0, slot, T("2026-01-01T00:00:00Z"), 0.9, &e), FU_OK);
    CLOSE(e.successes, 3.0, 0);
    CLOSE(e.trials, 4.0, 0);
    CLOSE(e.alpha, 4.5, 1e-12);
    CLOSE(e.beta, 4.5, 1e-12);
    CLOSE(e.p, 0.5, 1e-12);
    CLOSE(e.lo, 0.2392978176285834, 1e-11);
    CLOSE(e.hi, 0.7607021823714165, 1e-11);
    /* an empty slot is the prior */
    cr_assert_eq(fu_besttime_posterior(m, 0, slot + 1, T("2026-01-01T00:00:00Z"), 0, &e), FU_OK);
    CLOSE(e.p, 0.3, 1e-12);
    cr_assert(isnan(e.lo));
    /* the matrix repeats it per hour */
    double mean[168];
    cr_assert_eq(fu_besttime_customer_matrix(m, 0, T("2026-01-01T00:00:00Z"), 0.9, mean, NULL, NULL), FU_OK);
    CLOSE(mean[slot], 0.5, 1e-12);
    CLOSE(mean[0], 0.3, 1e-12);
    fu_besttime_free(m);
    fu_book_free(b);
    fu_policy_free(p);
}

Test(besttime, decay_weights_halve_per_half_life) {
    /* half-life 10 days: an answer 10 days old weighs 1/2, a miss 20 days
     * old 1/4: s = 0.5, n = 0.75; with Beta(1.5, 3.5) the mean is
     * (1.5 + 0.5) / (5 + 0.75). */
    const char *ev = "customer_id,at,kind,channel,outcome\n"
                     "A,2025-03-01T10:30:00+08:00,contact,phone,no_answer\n"
                     "A,2025-03-11T10:30:00+08:00,contact,phone,answered\n";
    fu_policy *p = default_policy();
    fu_book *b = make_book(CUST_ONE, ev);
    fu_besttime_options o = fixed_options(10 * 86400);
    fu_besttime *m = make_model(p, b, &o);
    int slot = 5 * 24 + 10; /* 2025-03-01 and 03-11: Saturday and Tuesday! */
    (void)slot;
    fu_besttime_estimate e;
    int64_t now = T("2025-03-21T10:30:00+08:00");
    /* the two contacts fall on different weekdays: check each slot */
    cr_assert_eq(fu_besttime_posterior(m, 0, 5 * 24 + 10, now, 0, &e), FU_OK); /* Sat: the miss */
    CLOSE(e.trials, 0.25, 1e-15);
    CLOSE(e.successes, 0.0, 0);
    cr_assert_eq(fu_besttime_posterior(m, 0, 1 * 24 + 10, now, 0, &e), FU_OK); /* Tue: the answer */
    CLOSE(e.trials, 0.5, 1e-15);
    CLOSE(e.successes, 0.5, 1e-15);
    CLOSE(e.p, (1.5 + 0.5) / (5 + 0.5), 1e-14);
    /* asking before the last evidence does not inflate it */
    cr_assert_eq(fu_besttime_posterior(m, 0, 1 * 24 + 10, T("2025-03-01T00:00:00Z"), 0, &e), FU_OK);
    CLOSE(e.trials, 1.0, 1e-15);
    fu_besttime_free(m);

    /* the same slot: both on Tuesdays 2025-03-04 and 03-14 is a Friday, so use weeks */
    const char *ev2 = "customer_id,at,kind,channel,outcome\n"
                      "A,2025-02-25T10:30:00+08:00,contact,phone,no_answer\n"
                      "A,2025-03-07T10:30:00+08:00,contact,phone,answered\n";
    fu_book_free(b);
    b = make_book(CUST_ONE, ev2);
    o.half_life_seconds = 5 * 86400; /* 02-25 Tue and 03-07 Fri are 10 days apart: two half-lives */
    m = make_model(p, b, &o);
    cr_assert_eq(fu_besttime_posterior(m, 0, 4 * 24 + 10, T("2025-03-12T10:30:00+08:00"), 0, &e), FU_OK);
    CLOSE(e.trials, 0.5, 1e-15); /* 5 days old */
    cr_assert_eq(fu_besttime_posterior(m, 0, 1 * 24 + 10, T("2025-03-12T10:30:00+08:00"), 0, &e), FU_OK);
    CLOSE(e.trials, 0.125, 1e-15); /* 15 days old: 2^-3 */
    fu_besttime_free(m);
    fu_book_free(b);
    fu_policy_free(p);
}

Test(besttime, evidence_is_shared_with_the_same_hour_and_neighbouring_hours) {
    /* One answer on Wednesday 10h; prior Beta(1.5, 3.5); share_day 0.5,
     * share_hour 0.25 (the defaults). */
    const char *ev = "customer_id,at,kind,channel,outcome\n"
                     "A,2025-03-05T10:30:00+08:00,contact,phone,answered\n";
    fu_policy *p = default_policy();
    fu_book *b = make_book(CUST_ONE, ev);
    fu_besttime_options o = FU_BESTTIME_OPTIONS_INIT;
    o.prior_method = FU_BESTTIME_PRIOR_FIXED;
    o.half_life_seconds = -1;
    fu_besttime *m = make_model(p, b, &o);
    static const struct {
        int how;
        double s, n;
    } want[] = {
        {2 * 24 + 10, 1, 1},      /* the slot itself */
        {3 * 24 + 10, 0.5, 0.5},  /* Thursday 10h: same hour, another weekday */
        {0 * 24 + 10, 0.5, 0.5},  /* Monday 10h */
        {2 * 24 + 11, 0.25, 0.25}, /* Wednesday 11h: the next hour */
        {2 * 24 + 9, 0.25, 0.25}, /* Wednesday 9h */
        {5 * 24 + 10, 0, 0},      /* Saturday 10h: another day type */
        {3 * 24 + 11, 0, 0},      /* Thursday 11h */
        {2 * 24 + 12, 0, 0},      /* two hours away */
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        fu_besttime_estimate e;
        cr_assert_eq(fu_besttime_posterior(m, 0, want[i].how, T("2025-04-01T00:00:00Z"), 0, &e), FU_OK);
        CLOSE(e.successes, want[i].s, 1e-15);
        CLOSE(e.trials, want[i].n, 1e-15);
        CLOSE(e.p, (1.5 + want[i].s) / (5 + want[i].n), 1e-14);
    }
    fu_besttime_free(m);
    o.share_day = 2;
    cr_assert_eq(fu_besttime_new(&m, p, b, NULL, 0, &o), FU_EINVAL);
    fu_book_free(b);
    fu_policy_free(p);
}

/* Four customers with 10 contacts each on Monday 10h, answered 1, 3, 5, 7
 * times. Pooled mean 0.4; sum n (y - mu)^2 = 2.0; mu (1 - mu) = 0.24;
 * numerator 2.0 / 0.24 - (4 - 1) = 16/3; denominator N - sum n^2 / N -
 * (k - 1) = 40 - 10 - 3 = 27; rho = 16/81; nu = 1/rho - 1 = 65/16 = 4.0625. */
static fu_book *mom_book(void) {
    char ev[8192];
    size_t len = (size_t)snprintf(ev, sizeof ev, "customer_id,at,kind,channel,outcome\n");
    static const int answered[4] = {1, 3, 5, 7};
    for (int c = 0; c < 4; c++)
        for (int j = 0; j < 10; j++)
            len += (size_t)snprintf(ev + len, sizeof ev - len,
                                    "C%d,2025-03-%02dT10:%02d:00+08:00,contact,phone,%s\n", c,
                                    3 + 7 * (j % 4), j, j < answered[c] ? "answered" : "no_answer");
    return make_book("customer_id,tz\nC0,Asia/Shanghai\nC1,Asia/Shanghai\nC2,Asia/Shanghai\n"
                     "C3,Asia/Shanghai\n",
                     ev);
}

Test(besttime, method_of_moments_prior_on_a_crafted_population) {
    fu_policy *p = default_policy();
    fu_book *b = mom_book();
    fu_besttime_options o = FU_BESTTIME_OPTIONS_INIT;
    o.half_life_seconds = -1;
    o.prior_answer_rate = 0.4;
    o.prior_strength = 5;
    o.min_customers = 2;
    fu_besttime *m = make_model(p, b, &o);
    double a, be;
    cr_assert_eq(fu_besttime_prior(m, 0, 10, &a, &be), FU_OK); /* Monday 10h */
    CLOSE(a, 0.4 * 65.0 / 16.0, 1e-12);
    CLOSE(be, 0.6 * 65.0 / 16.0, 1e-12);
    cr_assert_eq(fu_besttime_prior(m, 0, 100, &a, &be), FU_OK); /* empty slot: same mean, same nu */
    CLOSE(a, 1.625, 1e-12);
    CLOSE(be, 2.4375, 1e-12);
    fu_besttime_free(m);

    /* With rate 0.3 the slot means shrink: population mean (16 + 5 * 0.3) /
     * (40 + 5); the weekdays' 10h (only Monday 10h has calls) (16 + 10 mu_p)
     * / 50; population slot (16 + 10 mu_t) / 50; segment slot (16 + 10
     * mu_pk) / 50; an empty slot at 10h on another weekday takes mu_t, one
     * at another hour mu_p. (Before the time-of-day level, 2026-12-06, the
     * population slot shrank toward mu_p directly.) */
    o.prior_answer_rate = 0.3;
    m = make_model(p, b, &o);
    double mu_p = 17.5 / 45.0, mu_t = (16 + 10 * mu_p) / 50, mu_pk = (16 + 10 * mu_t) / 50,
           mu_gk = (16 + 10 * mu_pk) / 50;
    cr_assert_eq(fu_besttime_prior(m, 0, 10, &a, &be), FU_OK);
    CLOSE(a / (a + be), mu_gk, 1e-12);
    CLOSE(a + be, 65.0 / 16.0, 1e-12);
    cr_assert_eq(fu_besttime_prior(m, 0, 11, &a, &be), FU_OK);
    CLOSE(a / (a + be), mu_p, 1e-12);
    cr_assert_eq(fu_besttime_prior(m, 0, 24 + 10, &a, &be), FU_OK); /* Tuesday 10h */
    CLOSE(a / (a + be), mu_t, 1e-12);
    cr_assert_eq(fu_besttime_prior(m, 0, 5 * 24 + 10, &a, &be), FU_OK); /* Saturday 10h: another day type */
    CLOSE(a / (a + be), mu_p, 1e-12);
    fu_besttime_free(m);

    /* Too few customers (default min 10): the strength falls back to
     * prior_strength = 5. */
    o.min_customers = 0;
    o.prior_answer_rate = 0.4;
    m = make_model(p, b, &o);
    cr_assert_eq(fu_besttime_prior(m, 0, 10, &a, &be), FU_OK);
    CLOSE(a, 2.0, 1e-12);
    CLOSE(be, 3.0, 1e-12);
    fu_besttime_free(m);

    /* Two segments: {C0, C1} and {C2, C3}, two customers each. Segment 0:
     * n = 10, 10; s = 1, 3; mu = 0.2; dev = 10 (0.01 + 0.01) = 0.2;
     * num = 0.2 / 0.16 - 1 = 0.25; den = 20 - 10 - 1 = 9; rho = 1/36,
     * nu = 35. Segment 1: s = 5, 7; mu = 0.6; dev 0.2; num = 0.2 / 0.24 - 1
     * < 0: nu = max_strength (1000). Slot means with smoothing 0. */
    uint32_t seg[4] = {0, 0, 1, 1};
    o.min_customers = 2;
    o.slot_smoothing = 0;
    fu_besttime *m2 = NULL;
    cr_assert_eq(fu_besttime_new(&m2, p, b, seg, 2, &o), FU_OK);
    cr_assert_eq(fu_besttime_segment_count(m2), 2);
    cr_assert_eq(fu_besttime_prior(m2, 0, 10, &a, &be), FU_OK);
    CLOSE(a, 0.2 * 35, 1e-10);
    CLOSE(be, 0.8 * 35, 1e-10);
    cr_assert_eq(fu_besttime_prior(m2, 1, 10, &a, &be), FU_OK);
    CLOSE(a, 0.6 * 1000, 1e-9);
    double mat[168];
    cr_assert_eq(fu_besttime_segment_matrix(m2, 1, 0.9, mat, NULL, NULL), FU_OK);
    CLOSE(mat[10], 0.6, 1e-12);
    fu_besttime_free(m2);
    seg[3] = 2;
    cr_assert_eq(fu_besttime_new(&m2, p, b, seg, 2, &o), FU_EINVAL);
    cr_assert_null(m2);
    fu_book_free(b);
    fu_policy_free(p);
}

/* ================================================================ constraints */

/* Customers for the constraint cases (default policy: quiet hours
 * 08:00-21:00, calendar cn Mon-Fri 09:00-12:00 and 13:30-18:00 with the
 * holidays, SMB month end = last 3 days). */
static const char *CUSTS =
    "customer_id,tz,industry,is_smb,preferred_windows,dnd_windows,consent_phone,consent_sms\n"
    "plain,Asia/Shanghai,,,,,,\n"
    "dnd,Asia/Shanghai,,,,Mon-Fri 12:00-14:00,,\n"
    "noconsent,Asia/Shanghai,,,,,no,yes\n"
    "b2b,Asia/Shanghai,manufacturing,no,,,yes,\n"
    "smb,Asia/Shanghai,,yes,,,,\n"
    "pref,Asia/Shanghai,,,Sat 10:00-12:00,,,\n"
    "badpref,Asia/Shanghai,,,Mon-Sun 22:00-23:00,,,\n"
    "ny,America/New_York,,,,,,\n"
    "dndnight,Europe/Berlin,,,,Fri 20:00-10:00,,\n";

typedef struct mcase {
    char customer[16];
    char now[32];
    int channel;
    unsigned int flags;
    int allowed;
    char rule[40];
    char next[32]; /* "" = never */
} mcase;

ParameterizedTestParameters(besttime, may_contact_rule_and_next_allowed) {
    static mcase cases[] = {
        {"plain", "2025-03-05T10:00:00+08:00", 0, 0, 1, "", "2025-03-05T10:00:00+08:00"},
        {"plain", "2025-03-04T22:30:00+08:00", 0, 0, 0, "quiet_hours.allowed", "2025-03-05T08:00:00+08:00"},
        {"plain", "2025-03-04T22:30:00+08:00", 0, 1, 0, "quiet_hours.allowed", "2025-03-05T08:00:00+08:00"},
        {"plain", "2025-03-05T07:59:59+08:00", 0, 0, 0, "quiet_hours.allowed", "2025-03-05T08:00:00+08:00"},
        {"plain", "2025-03-05T21:00:00+08:00", 0, 0, 0, "quiet_hours.allowed", "2025-03-06T08:00:00+08:00"},
        {"dnd", "2025-03-05T12:30:00+08:00", 0, 0, 0, "customer.dnd_windows", "2025-03-05T14:00:00+08:00"},
        {"dnd", "2025-03-05T12:30:00+08:00", 0, 1, 1, "", "2025-03-05T12:30:00+08:00"},
        {"dnd", "2025-03-08T12:30:00+08:00", 0, 0, 1, "", "2025-03-08T12:30:00+08:00"},
        {"noconsent", "2025-03-05T10:00:00+08:00", 1, 0, 0, "customer.consent_phone", ""},
        {"noconsent", "2025-03-05T10:00:00+08:00", 1, 1, 0, "customer.consent_phone", ""},
        {"noconsent", "2025-03-05T10:00:00+08:00", 2, 0, 1, "", "2025-03-05T10:00:00+08:00"},
        {"b2b", "2025-10-01T10:00:00+08:00", 1, 0, 0, "calendars.cn.holidays", "2025-10-09T09:00:00+08:00"},
        {"b2b", "2025-10-01T10:00:00+08:00", 1, 1, 0, "calendars.cn.holidays", "2025-10-09T09:00:00+08:00"},
        {"b2b", "2025-03-08T10:00:00+08:00", 1, 0, 0, "calendars.cn.hours", "2025-03-10T09:00:00+08:00"},
        {"b2b", "2025-03-05T12:30:00+08:00", 1, 0, 0, "calendars.cn.hours", "2025-03-05T13:30:00+08:00"},
        {"b2b", "2025-09-28T10:00:00+08:00", 1, 0, 1, "", "2025-09-28T10:00:00+08:00"}, /* make-up Sunday */
        {"smb", "2025-03-31T10:00:00+08:00", 0, 0, 0, "suppressions.smb_month_end", "2025-04-01T09:00:00+08:00"},
        {"smb", "2025-03-31T10:00:00+08:00", 0, 1, 1, "", "2025-03-31T10:00:00+08:00"},
        {"smb", "2025-03-28T10:00:00+08:00", 0, 0, 1, "", "2025-03-28T10:00:00+08:00"},
        {"pref", "2025-03-05T10:00:00+08:00", 0, 0, 0, "customer.preferred_windows", "2025-03-08T10:00:00+08:00"},
        {"pref", "2025-03-05T10:00:00+08:00", 0, 1, 1, "", "2025-03-05T10:00:00+08:00"},
        {"pref", "2025-03-08T11:59:00+08:00", 0, 0, 1, "", "2025-03-08T11:59:00+08:00"},
        {"badpref", "2025-03-05T10:00:00+08:00", 0, 0, 1, "", "2025-03-05T10:00:00+08:00"},
        /* New York on the day DST starts: 08:00 EDT is 12:00Z */
        {"ny", "2025-03-09T06:30:00-04:00", 0, 0, 0, "quiet_hours.allowed", "2025-03-09T08:00:00-04:00"},
        /* Berlin, DND across the night into Saturday morning, then allowed */
        {"dndnight", "2025-03-07T20:30:00+01:00", 0, 0, 0, "customer.dnd_windows", "2025-03-08T10:00:00+01:00"},
    };
    return cr_make_param_array(mcase, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(mcase *c, besttime, may_contact_rule_and_next_allowed) {
    fu_policy *p = default_policy();
    fu_book *b = make_book(CUSTS, NULL);
    fu_besttime *m = make_model(p, b, NULL);
    size_t idx;
    cr_assert_eq(fu_book_find_customer(b, c->customer, strlen(c->customer), &idx), FU_OK);
    fu_besttime_decision d;
    int rc = fu_besttime_may_contact(m, idx, T(c->now), (fu_channel)c->channel, c->flags, &d);
    cr_assert_eq(rc, FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(d.allowed, c->allowed, "%s at %s: allowed %d (rule %s)", c->customer, c->now, d.allowed,
                 d.rule ? d.rule : "-");
    if (c->rule[0]) cr_assert_str_eq(d.rule ? d.rule : "(null)", c->rule);
    else cr_assert_null(d.rule);
    if (c->next[0]) {
        char got[FU_TIME_TEXT_SIZE] = "never";
        if (d.next_allowed != FU_BESTTIME_NEVER) fu_time_format(d.next_allowed, 0, FU_TIME_FORMAT_Z, got, sizeof got);
        cr_assert_eq(d.next_allowed, T(c->next), "%s at %s: next %s, want %s", c->customer, c->now, got, c->next);
    } else {
        cr_assert_eq(d.next_allowed, FU_BESTTIME_NEVER);
    }
    fu_besttime_free(m);
    fu_book_free(b);
    fu_policy_free(p);
}

/* Who was called when: C0 answers both of its Monday-09h calls; C1 misses
 * both of its 09h calls and is redialled twice at 11h, answering once. The
 * raw 11h rate (1/2) is that of a hard-to-reach customer. With kappa = 2
 * (the fallback strength: too few customers for a moments fit) the fixed
 * point of theta_i = (s_i + 2) / (sum_k phi_k n_ik + 2), theta / mean(theta),
 * phi_k = S_k / sum_i theta_i n_ik is (hand-solved):
 *   phi_9 = 2 / (2 theta_0 + 2 theta_1) = 1/2 (mean theta = 1),
 *   theta_0' = 4 / 3, theta_1' = 3 / (3 + 2 phi_11), phi_11 = 1 / (2 theta_1)
 *   => phi_11 = (21 + 8 phi_11) / 36 => phi_11 = 3/4, theta = (4/3, 2/3).
 * Slot smoothing 0: the prior means are phi; strength 2. */
Test(besttime, slot_rates_are_adjusted_for_who_was_called) {
    fu_policy *p = default_policy();
    fu_book *b = make_book("customer_id,tz\nC0,Asia/Shanghai\nC1,Asia/Shanghai\nC2,Asia/Shanghai\n",
                           "customer_id,at,kind,channel,outcome\n"
                           "C0,2025-03-03T09:00:00+08:00,contact,phone,answered\n"
                           "C0,2025-03-10T09:00:00+08:00,contact,phone,answered\n"
                           "C1,2025-03-03T09:05:00+08:00,contact,phone,no_answer\n"
                           "C1,2025-03-03T11:05:00+08:00,contact,phone,no_answer\n"
                           "C1,2025-03-10T09:05:00+08:00,contact,phone,no_answer\n"
                           "C1,2025-03-10T11:05:00+08:00,contact,phone,answered\n");
    fu_besttime_options o = FU_BESTTIME_OPTIONS_INIT;
    o.half_life_seconds = -1;
    o.prior_strength = 2;
    o.slot_smoothing = 0;
    o.share_day = o.share_hour = 0;
    fu_besttime *m = make_model(p, b, &o);
    double a, be;
    cr_assert_eq(fu_besttime_prior(m, 0, 9, &a, &be), FU_OK);
    CLOSE(a, 1.0, 1e-9);
    CLOSE(be, 1.0, 1e-9);
    cr_assert_eq(fu_besttime_prior(m, 0, 11, &a, &be), FU_OK);
    CLOSE(a, 1.5, 1e-9);
    CLOSE(be, 0.5, 1e-9);
    /* C2, without calls, is now expected to answer at 11h (0.75) more than
     * at 09h (0.5); the raw rates are a tie */
    fu_besttime_estimate e9, e11;
    cr_assert_eq(fu_besttime_posterior(m, 2, 11, 0, 0.0, &e11), FU_OK);
    cr_assert_eq(fu_besttime_posterior(m, 2, 9, 0, 0.0, &e9), FU_OK);
    CLOSE(e11.p, 0.75, 1e-9);
    CLOSE(e9.p, 0.5, 1e-9);
    fu_besttime_free(m);
    /* one customer per segment: theta_i / mean theta of the segment is 1, so
     * a segment keeps its own level: C1's segment 11h = 1/2, not 3/4 */
    uint32_t seg[3] = {0, 1, 2};
    fu_besttime *ms = NULL;
    cr_assert_eq(fu_besttime_new(&ms, p, b, seg, 3, &o), FU_OK);
    cr_assert_eq(fu_besttime_prior(ms, 1, 11, &a, &be), FU_OK);
    CLOSE(a / (a + be), 0.5, 1e-12);
    cr_assert_eq(fu_besttime_prior(ms, 0, 9, &a, &be), FU_OK);
    CLOSE(a / (a + be), 1.0 - 1e-6, 1e-12);
    cr_assert_eq(fu_besttime_prior(ms, 2, 11, &a, &be), FU_OK); /* no evidence: the population's */
    CLOSE(a / (a + be), 0.75, 1e-9);
    fu_besttime_free(ms);
    /* without the adjustment: the raw rates, 2/4 and 1/2 */
    o.propensity = 0;
    m = make_model(p, b, &o);
    cr_assert_eq(fu_besttime_prior(m, 0, 11, &a, &be), FU_OK);
    CLOSE(a, 1.0, 1e-12);
    CLOSE(be, 1.0, 1e-12);
    fu_besttime_free(m);
    /* options of version 2 (no `propensity` field) get the adjustment */
    o.version = 2;
    m = make_model(p, b, &o);
    cr_assert_eq(fu_besttime_prior(m, 0, 11, &a, &be), FU_OK);
    CLOSE(a, 1.5, 1e-9);
    fu_besttime_free(m);
    fu_book_free(b);
    fu_policy_free(p);
}

Test(besttime, explicit_consent_flag_forbids_unknown_consent) {
    fu_policy *p = default_policy();
    fu_book *b = make_book(CUSTS, NULL);
    fu_besttime_options o = FU_BESTTIME_OPTIONS_INIT;
    o.flags = FU_BESTTIME_EXPLICIT_CONSENT;
    fu_besttime *m = make_model(p, b, &o);
    fu_besttime_decision d;
    cr_assert_eq(fu_besttime_may_contact(m, 0, T("2025-03-05T10:00:00+08:00"), FU_CHANNEL_PHONE, 0, &d), FU_OK);
    cr_assert_eq(d.allowed, 0);
    cr_assert_str_eq(d.rule, "customer.consent_phone");
    cr_assert_eq(fu_besttime_may_contact(m, 3, T("2025-03-05T10:00:00+08:00"), FU_CHANNEL_PHONE, 0, &d), FU_OK);
    cr_assert_eq(d.allowed, 1); /* b2b said yes */
    cr_assert_eq(fu_besttime_may_contact(m, 0, T("2025-03-05T10:00:00+08:00"), FU_CHANNEL_CHAT, 0, &d), FU_OK);
    cr_assert_eq(d.allowed, 1); /* no consent field for chat */
    fu_besttime_free(m);
    fu_book_free(b);
    fu_policy_free(p);
}

/* B2B customers get the policy calendar's weekly hours (cn: Mon-Fri
 * 09:00-12:00, 13:30-18:00) in their own zone; its holidays and make-up days
 * only in its own zone (Asia/Shanghai). */
static const char *CUSTS_B2B = "customer_id,tz,industry,is_smb\n"
                               "nyb2b,America/New_York,retail,\n"
                               "nysmb,America/New_York,,yes\n"
                               "cnb2b,Asia/Shanghai,retail,\n"
                               "berlin,Europe/Berlin,,\n";

Test(besttime, b2b_customers_get_business_hours_in_their_own_zone) {
    fu_policy *p = default_policy();
    fu_book *b = make_book(CUSTS_B2B, NULL);
    fu_besttime *m = make_model(p, b, NULL);
    fu_besttime_slot s;
    size_t n;
    /* a Wednesday in New York: the first business minute is 09:00 EDT */
    int64_t from = T("2025-03-26T00:00:00-04:00");
    cr_assert_eq(fu_besttime_best(m, 0, from, from + 86400, FU_CHANNEL_PHONE, 0, 1, NULL, &s, &n), FU_OK);
    cr_assert_eq(n, 1);
    cr_assert_eq(s.at, T("2025-03-26T09:00:00-04:00"));
    cr_assert_eq(s.hour_of_week, 2 * 24 + 9);
    /* 12:30 in New York is the lunch break of the business hours */
    fu_besttime_decision d;
    cr_assert_eq(fu_besttime_may_contact(m, 0, T("2025-03-26T12:30:00-04:00"), FU_CHANNEL_PHONE, 0, &d), FU_OK);
    cr_assert_eq(d.allowed, 0);
    cr_assert_str_eq(d.rule, "calendars.cn.hours");
    cr_assert_eq(d.next_allowed, T("2025-03-26T13:30:00-04:00"));
    /* Saturday in New York: closed until Monday 09:00 New York time */
    cr_assert_eq(fu_besttime_may_contact(m, 0, T("2025-03-29T10:00:00-04:00"), FU_CHANNEL_PHONE, 0, &d), FU_OK);
    cr_assert_str_eq(d.rule, "calendars.cn.hours");
    cr_assert_eq(d.next_allowed, T("2025-03-31T09:00:00-04:00"));
    /* Chinese National Day is no holiday in New York; it is in Shanghai */
    cr_assert_eq(fu_besttime_may_contact(m, 0, T("2025-10-01T10:00:00-04:00"), FU_CHANNEL_PHONE, 0, &d), FU_OK);
    cr_assert_eq(d.allowed, 1);
    cr_assert_eq(fu_besttime_may_contact(m, 2, T("2025-10-01T10:00:00+08:00"), FU_CHANNEL_PHONE, 0, &d), FU_OK);
    cr_assert_str_eq(d.rule, "calendars.cn.holidays");
    /* nor is the make-up Sunday 2025-09-28 a working day in New York */
    cr_assert_eq(fu_besttime_may_contact(m, 0, T("2025-09-28T10:00:00-04:00"), FU_CHANNEL_PHONE, 0, &d), FU_OK);
    cr_assert_eq(d.allowed, 0);
    cr_assert_eq(d.next_allowed, T("2025-09-29T09:00:00-04:00"));
    /* is_smb yes counts by default */
    cr_assert_eq(fu_besttime_best(m, 1, from, from + 86400, FU_CHANNEL_PHONE, 0, 1, NULL, &s, &n), FU_OK);
    cr_assert_eq(s.at, T("2025-03-26T09:00:00-04:00"));
    /* the Berlin consumer has no business calendar: quiet hours from 08:00 */
    cr_assert_eq(fu_besttime_may_contact(m, 3, T("2025-03-29T08:30:00+01:00"), FU_CHANNEL_PHONE, 0, &d), FU_OK);
    cr_assert_eq(d.allowed, 1);
    fu_besttime_free(m);

    /* who is B2B is explicit: industry only, nobody */
    fu_besttime_options o = FU_BESTTIME_OPTIONS_INIT;
    cr_assert_eq(o.b2b, FU_BESTTIME_B2B_INDUSTRY | FU_BESTTIME_B2B_SMB);
    o.b2b = FU_BESTTIME_B2B_INDUSTRY;
    m = make_model(p, b, &o);
    cr_assert_eq(fu_besttime_best(m, 1, from, from + 86400, FU_CHANNEL_PHONE, 0, 1, NULL, &s, &n), FU_OK);
    cr_assert_eq(s.at, T("2025-03-26T08:00:00-04:00"));
    cr_assert_eq(fu_besttime_best(m, 0, from, from + 86400, FU_CHANNEL_PHONE, 0, 1, NULL, &s, &n), FU_OK);
    cr_assert_eq(s.at, T("2025-03-26T09:00:00-04:00"));
    fu_besttime_free(m);
    o.b2b = 0;
    m = make_model(p, b, &o);
    cr_assert_eq(fu_besttime_best(m, 0, from, from + 86400, FU_CHANNEL_PHONE, 0, 1, NULL, &s, &n), FU_OK);
    cr_assert_eq(s.at, T("2025-03-26T08:00:00-04:00"));
    fu_besttime_free(m);
    /* version-1 options (no b2b field) keep the old rule: industry or SMB */
    o.version = 1;
    o.b2b = 0; /* not read */
    m = make_model(p, b, &o);
    cr_assert_eq(fu_besttime_best(m, 1, from, from + 86400, FU_CHANNEL_PHONE, 0, 1, NULL, &s, &n), FU_OK);
    cr_assert_eq(s.at, T("2025-03-26T09:00:00-04:00"));
    fu_besttime_free(m);
    o.version = FU_BESTTIME_OPTIONS_VERSION;
    o.b2b = 0x10;
    fu_besttime *bad = NULL;
    cr_assert_eq(fu_besttime_new(&bad, p, b, NULL, 0, &o), FU_EINVAL);
    cr_assert_null(bad);
    fu_book_free(b);
    fu_policy_free(p);
}

/* Credible intervals stop iterating once a Halley step is below 1e-6
 * relative (bench/BENCHMARKS.md): they must stay within 1e-10 of the fully
 * iterated quantiles of fu_besttime_beta_quantile(), over small and large,
 * balanced and lopsided Beta parameters and several levels. */

/* Another zone of the calendar's country (review s9 F25): a link (PRC) and
 * Xinjiang's Asia/Urumqi (UTC+6) keep cn's holidays and make-up days, in
 * their own local time; Hong Kong (another region) has the hours only. */
static const char *CUSTS_CN_ZONES = "customer_id,tz,industry,is_smb\n"
                                    "prc,PRC,retail,\n"
                                    "urumqi,Asia/Urumqi,retail,\n"
                                    "hk,Asia/Hong_Kong,retail,\n";

Test(besttime, b2b_holidays_hold_in_every_zone_of_the_country) {
    fu_policy *p = default_policy();
    fu_book *b = make_book(CUSTS_CN_ZONES, NULL);
    fu_besttime *m = make_model(p, b, NULL);
    fu_besttime_decision d;
    cr_assert_eq(fu_besttime_may_contact(m, 0, T("2025-10-02T10:00:00+08:00"), FU_CHANNEL_PHONE, 0, &d), FU_OK);
    cr_assert_eq(d.allowed, 0);
    cr_assert_str_eq(d.rule, "calendars.cn.holidays");
    cr_assert_eq(fu_besttime_may_contact(m, 1, T("2025-10-02T10:00:00+06:00"), FU_CHANNEL_PHONE, 0, &d), FU_OK);
    cr_assert_eq(d.allowed, 0);
    cr_assert_str_eq(d.rule, "calendars.cn.holidays");
    cr_assert_eq(d.next_allowed, T("2025-10-09T09:00:00+06:00"), "%lld", (long long)d.next_allowed);
    /* the make-up Sunday 2025-09-28 is a working day in Urumqi, 10:00 local */
    cr_assert_eq(fu_besttime_may_contact(m, 1, T("2025-09-28T10:00:00+06:00"), FU_CHANNEL_PHONE, 0, &d), FU_OK);
    cr_assert_eq(d.allowed, 1);
    cr_assert_eq(fu_besttime_may_contact(m, 2, T("2025-10-02T10:00:00+08:00"), FU_CHANNEL_PHONE, 0, &d), FU_OK);
    cr_assert_eq(d.allowed, 1);
    fu_besttime_free(m);
    fu_book_free(b);
    fu_policy_free(p);
}
Test(besttime, interval_quantiles_match_the_full_iteration) {
    static const double strengths[] = {0.3, 0.8, 1.0, 1.2, 1.6, 2.0, 3.7, 10.0, 55.0, 300.0, 1000.0, 5000.0};
    static const double rates[] = {0.001, 0.01, 0.05, 0.2, 0.3, 0.5, 0.7, 0.95, 0.999};
    static const double levels[] = {0.5, 0.8, 0.9, 0.95, 0.99};
    fu_policy *p = default_policy();
    fu_book *b = make_book(CUST_ONE, NULL);
    double worst = 0.0;
    for (size_t i = 0; i < sizeof strengths / sizeof *strengths; i++) {
        for (size_t j = 0; j < sizeof rates / sizeof *rates; j++) {
            fu_besttime_options o = FU_BESTTIME_OPTIONS_INIT;
            o.prior_method = FU_BESTTIME_PRIOR_FIXED;
            o.prior_strength = strengths[i];
            o.prior_answer_rate = rates[j];
            fu_besttime *m = make_model(p, b, &o);
            for (size_t l = 0; l < sizeof levels / sizeof *levels; l++) {
                fu_besttime_estimate e;
                cr_assert_eq(fu_besttime_posterior(m, 0, 0, 0, levels[l], &e), FU_OK);
                double lo, hi, tail = 0.5 * (1.0 - levels[l]);
                cr_assert_eq(fu_besttime_beta_quantile(tail, e.alpha, e.beta, &lo), FU_OK);
                cr_assert_eq(fu_besttime_beta_quantile(1.0 - tail, e.alpha, e.beta, &hi), FU_OK);
                double d = fmax(fabs(e.lo - lo), fabs(e.hi - hi));
                if (d > worst) worst = d;
                cr_assert(d <= 1e-10, "Beta(%g, %g) level %g: [%.17g, %.17g] vs [%.17g, %.17g]", e.alpha, e.beta,
                          levels[l], e.lo, e.hi, lo, hi);
            }
            fu_besttime_free(m);
        }
    }
    cr_log_info("largest difference %g", worst);
    fu_book_free(b);
    fu_policy_free(p);
}

/* best_day's intervals (prior-only slots from the per-call cache, others
 * computed) equal the posterior's and the fully iterated quantiles. */
Test(besttime, bulk_intervals_equal_posterior_intervals) {
    char cust[4096] = "customer_id,tz\n", ev[65536] = "customer_id,at,kind,channel,outcome\n";
    static const char *zones[3] = {"Asia/Shanghai", "Europe/Berlin", "America/New_York"};
    uint64_t st = 11;
    for (int i = 0; i < 60; i++) {
        char line[128];
        snprintf(line, sizeof line, "C%d,%s\n", i, zones[i % 3]);
        strcat(cust, line);
        int k = i % 7; /* 0..6 calls */
        for (int j = 0; j < k; j++) {
            st = st * 6364136223846793005ull + 1442695040888963407ull;
            int day = 1 + (int)((st >> 33) % 28), hour = 8 + (int)((st >> 40) % 13);
            snprintf(line, sizeof line, "C%d,2025-02-%02dT%02d:00:00Z,contact,phone,%s\n", i, day, hour,
                     ((st >> 50) % 10) < 3 ? "answered" : "no_answer");
            strcat(ev, line);
        }
    }
    fu_policy *p = default_policy();
    fu_book *b = make_book(cust, ev);
    uint32_t seg[60];
    for (int i = 0; i < 60; i++) seg[i] = (uint32_t)(i % 2);
    fu_besttime *m = NULL;
    cr_assert_eq(fu_besttime_new(&m, p, b, seg, 2, NULL), FU_OK, "%s", fu_error_last()->message);
    int64_t now = T("2025-03-04T00:00:00Z");
    fu_besttime_slot day[60];
    fu_besttime_query_options q = FU_BESTTIME_QUERY_OPTIONS_INIT;
    q.level = 0.8;
    cr_assert_eq(fu_besttime_best_day(m, NULL, now, NULL, 60, FU_CHANNEL_PHONE, 0, &q, day), FU_OK);
    int prior_only = 0;
    for (int i = 0; i < 60; i++) {
        cr_assert_neq(day[i].at, FU_BESTTIME_NONE);
        fu_besttime_estimate e;
        cr_assert_eq(fu_besttime_posterior(m, (size_t)i, day[i].slot, now, 0.8, &e), FU_OK);
        cr_assert_eq(day[i].p, e.p, "customer %d", i);
        cr_assert_eq(day[i].lo, e.lo, "customer %d", i);
        cr_assert_eq(day[i].hi, e.hi, "customer %d", i);
        double lo, hi;
        fu_besttime_beta_quantile(0.1, e.alpha, e.beta, &lo);
        fu_besttime_beta_quantile(0.9, e.alpha, e.beta, &hi);
        CLOSE(day[i].lo, lo, 1e-10);
        CLOSE(day[i].hi, hi, 1e-10);
        prior_only += e.trials == 0.0;
    }
    cr_assert_gt(prior_only, 5); /* the cache was used */
    fu_besttime_free(m);
    fu_book_free(b);
    fu_policy_free(p);
}

/* ================================================================ best hours */

/* Customer `plain` answers on Wednesdays at 10h and 19h, never at 15h. */
static const char *EV_BEST = "customer_id,at,kind,channel,outcome\n"
                             "plain,2025-02-19T10:00:00+08:00,contact,phone,answered\n"
                             "plain,2025-02-26T10:00:00+08:00,contact,phone,answered\n"
                             "plain,2025-02-19T19:00:00+08:00,contact,phone,answered\n"
                             "plain,2025-02-26T19:00:00+08:00,contact,phone,no_answer\n"
                             "plain,2025-02-19T15:00:00+08:00,contact,phone,no_answer\n"
                             "plain,2025-02-26T15:00:00+08:00,contact,phone,no_answer\n"
                             "dnd,2025-02-19T12:00:00+08:00,contact,phone,answered\n"
                             "dnd,2025-02-26T13:00:00+08:00,contact,phone,answered\n"
                             "pref,2025-02-19T10:00:00+08:00,contact,phone,answered\n";

static fu_besttime *best_model(fu_policy *p, fu_book **b) {
    *b = make_book(CUSTS, EV_BEST);
    fu_besttime_options o = fixed_options(-1);
    return make_model(p, *b, &o);
}

Test(besttime, best_k_hours_ranked_with_probability_and_interval) {
    fu_policy *p = default_policy();
    fu_book *b;
    fu_besttime *m = best_model(p, &b);
    fu_besttime_slot s[4];
    size_t n = 0;
    int64_t from = T("2025-03-05T00:00:00+08:00"), to = T("2025-03-06T00:00:00+08:00");
    cr_assert_eq(fu_besttime_best(m, 0, from, to, FU_CHANNEL_PHONE, 0, 4, NULL, s, &n), FU_OK);
    cr_assert_eq(n, 4);
    cr_assert_eq(s[0].at, T("2025-03-05T10:00:00+08:00"));
    CLOSE(s[0].p, 3.5 / 7.0, 1e-12); /* Beta(1.5 + 2, 3.5 + 0) */
    cr_assert_eq(s[0].hour_of_week, 2 * 24 + 10);
    cr_assert_eq(s[0].until, T("2025-03-05T11:00:00+08:00"));
    double lo, hi;
    fu_besttime_beta_quantile(0.05, 3.5, 3.5, &lo);
    fu_besttime_beta_quantile(0.95, 3.5, 3.5, &hi);
    CLOSE(s[0].lo, lo, 1e-10); /* intervals iterate less (see interval_quantiles_...) */
    CLOSE(s[0].hi, hi, 1e-10);
    cr_assert_eq(s[1].at, T("2025-03-05T19:00:00+08:00")); /* Beta(2.5, 4.5): 0.357 > 0.3 */
    CLOSE(s[1].p, 2.5 / 7.0, 1e-12);
    /* then the earliest hours with the prior 0.3: 08h, 09h */
    cr_assert_eq(s[2].at, T("2025-03-05T08:00:00+08:00"));
    cr_assert_eq(s[3].at, T("2025-03-05T09:00:00+08:00"));
    CLOSE(s[3].p, 0.3, 1e-12);
    /* no interval when asked not to */
    fu_besttime_query_options q = FU_BESTTIME_QUERY_OPTIONS_INIT;
    q.flags = FU_BESTTIME_NO_INTERVAL;
    cr_assert_eq(fu_besttime_best(m, 0, from, to, FU_CHANNEL_PHONE, 0, 1, &q, s, &n), FU_OK);
    cr_assert(isnan(s[0].lo) && isnan(s[0].hi));

    /* a window wholly in quiet hours: nothing, with the reason and the next instant */
    cr_assert_eq(fu_besttime_best(m, 0, T("2025-03-05T22:00:00+08:00"), T("2025-03-06T07:00:00+08:00"),
                                  FU_CHANNEL_PHONE, 0, 2, NULL, s, &n),
                 FU_OK);
    cr_assert_eq(n, 0);
    cr_assert_eq(s[0].at, FU_BESTTIME_NONE);
    cr_assert_str_eq(s[0].rule, "quiet_hours.allowed");
    cr_assert_eq(s[0].next_allowed, T("2025-03-06T08:00:00+08:00"));

    /* a window starting mid-hour: the first candidate starts at `from` */
    cr_assert_eq(fu_besttime_best(m, 0, T("2025-03-05T10:25:00+08:00"), T("2025-03-05T12:00:00+08:00"),
                                  FU_CHANNEL_PHONE, 0, 1, NULL, s, &n),
                 FU_OK);
    cr_assert_eq(s[0].at, T("2025-03-05T10:25:00+08:00"));
    fu_besttime_free(m);
    fu_book_free(b);
    fu_policy_free(p);
}

Test(besttime, dnd_cuts_an_hour_and_preferred_window_wins) {
    fu_policy *p = default_policy();
    fu_book *b;
    fu_besttime *m = best_model(p, &b);
    fu_besttime_slot s[2];
    size_t n;
    /* `dnd` (Mon-Fri 12:00-14:00) answered at 12h and 13h on Wednesdays; on
     * a Wednesday both hours are blocked: the best are prior-only hours. */
    cr_assert_eq(fu_besttime_best(m, 1, T("2025-03-05T00:00:00+08:00"), T("2025-03-06T00:00:00+08:00"),
                                  FU_CHANNEL_PHONE, 0, 1, NULL, s, &n),
                 FU_OK);
    cr_assert_eq(s[0].at, T("2025-03-05T08:00:00+08:00"));
    /* urgent may ignore DND: then 12h wins */
    cr_assert_eq(fu_besttime_best(m, 1, T("2025-03-05T00:00:00+08:00"), T("2025-03-06T00:00:00+08:00"),
                                  FU_CHANNEL_PHONE, FU_BESTTIME_URGENT, 1, NULL, s, &n),
                 FU_OK);
    cr_assert_eq(s[0].at, T("2025-03-05T12:00:00+08:00"));
    /* `pref` answered on Wednesday 10h, but states Sat 10:00-12:00: over a
     * week the preferred Saturday hour wins; over Wednesday alone (no
     * preferred hour inside) the model picks 10h. */
    size_t pi;
    cr_assert_eq(fu_book_find_customer(b, "pref", 4, &pi), FU_OK);
    cr_assert_eq(fu_besttime_best(m, pi, T("2025-03-03T00:00:00+08:00"), T("2025-03-10T00:00:00+08:00"),
                                  FU_CHANNEL_PHONE, 0, 2, NULL, s, &n),
                 FU_OK);
    cr_assert_eq(s[0].at, T("2025-03-08T10:00:00+08:00"));
    cr_assert(s[0].flags & FU_BESTTIME_SLOT_PREFERRED);
    cr_assert_eq(s[1].at, T("2025-03-08T11:00:00+08:00"));
    cr_assert_eq(fu_besttime_best(m, pi, T("2025-03-05T00:00:00+08:00"), T("2025-03-06T00:00:00+08:00"),
                                  FU_CHANNEL_PHONE, 0, 1, NULL, s, &n),
                 FU_OK);
    cr_assert_eq(s[0].at, T("2025-03-05T10:00:00+08:00"));
    cr_assert_eq(s[0].flags, 0);
    fu_besttime_free(m);

    /* A DND window ending at 12:30 cuts the 12h hour: its contact instant
     * is 12:30 exactly. */
    fu_book *b2 = make_book("customer_id,tz,dnd_windows\nX,Asia/Shanghai,Mon-Sun 00:00-12:30\n",
                            "customer_id,at,kind,channel,outcome\n"
                            "X,2025-02-26T12:40:00+08:00,contact,phone,answered\n");
    fu_besttime_options o = FU_BESTTIME_OPTIONS_INIT;
    o.prior_method = FU_BESTTIME_PRIOR_FIXED;
    m = make_model(p, b2, &o);
    cr_assert_eq(fu_besttime_best(m, 0, T("2025-03-05T00:00:00+08:00"), T("2025-03-06T00:00:00+08:00"),
                                  FU_CHANNEL_PHONE, 0, 1, NULL, s, &n),
                 FU_OK);
    cr_assert_eq(s[0].at, T("2025-03-05T12:30:00+08:00"));
    cr_assert_eq(s[0].hour_of_week, 2 * 24 + 12);
    fu_besttime_free(m);
    fu_book_free(b2);
    fu_book_free(b);
    fu_policy_free(p);
}

Test(besttime, bulk_and_day_queries_agree_with_single_queries) {
    fu_policy *p = default_policy();
    fu_book *b;
    fu_besttime *m = best_model(p, &b);
    size_t nc = fu_besttime_customer_count(m);
    int64_t now = T("2025-03-04T15:00:00+08:00");
    fu_besttime_slot day[16], bulk[16], one;
    fu_besttime_request req[16];
    cr_assert_eq(fu_besttime_best_day(m, NULL, now, NULL, nc, FU_CHANNEL_PHONE, 0, NULL, day), FU_OK);
    for (size_t i = 0; i < nc; i++) {
        /* tomorrow in the customer's zone */
        const fu_customer *c = fu_book_customer(b, i);
        fu_calendar *cal;
        cr_assert_eq(fu_calendar_new(&cal, c->tz), FU_OK);
        fu_local L;
        fu_calendar_to_local(cal, now, &L);
        fu_date d = {L.year, L.month, L.day}, d2;
        int64_t dn;
        fu_date_to_days(&d, &dn);
        fu_date_from_days(dn + 1, &d);
        fu_date_from_days(dn + 2, &d2);
        fu_local a = {d.year, d.month, d.day, 0, 0, 0, 0, 0, 0}, z = {d2.year, d2.month, d2.day, 0, 0, 0, 0, 0, 0};
        fu_calendar_from_local(cal, &a, 0, &req[i].from);
        fu_calendar_from_local(cal, &z, 0, &req[i].to);
        fu_calendar_free(cal);
        req[i].customer = i;
        req[i].channel = FU_CHANNEL_PHONE;
        req[i].flags = 0;
        fu_besttime_query_options q = FU_BESTTIME_QUERY_OPTIONS_INIT;
        q.now = now;
        size_t n;
        cr_assert_eq(fu_besttime_best(m, i, req[i].from, req[i].to, FU_CHANNEL_PHONE, 0, 1, &q, &one, &n), FU_OK);
        cr_assert_eq(day[i].at, one.at, "customer %zu", i);
        if (n) {
            cr_assert_eq(day[i].p, one.p);
            cr_assert_eq(day[i].lo, one.lo);
        } else {
            cr_assert_str_eq(day[i].rule, one.rule);
            cr_assert_eq(day[i].next_allowed, one.next_allowed);
        }
    }
    fu_besttime_query_options q = FU_BESTTIME_QUERY_OPTIONS_INIT;
    q.now = now;
    cr_assert_eq(fu_besttime_best_bulk(m, req, nc, &q, bulk), FU_OK);
    for (size_t i = 0; i < nc; i++) cr_assert_eq(bulk[i].at, day[i].at);
    /* an explicit date */
    fu_date d = {2025, 3, 5};
    cr_assert_eq(fu_besttime_best_day(m, &d, now, NULL, 1, FU_CHANNEL_PHONE, 0, NULL, day), FU_OK);
    cr_assert_eq(day[0].at, T("2025-03-05T10:00:00+08:00"));
    /* the consent-less customer gets nothing, and why */
    cr_assert_eq(day[0].rule, NULL);
    size_t nci = 2;
    cr_assert_eq(fu_besttime_best_day(m, &d, now, &nci, 1, FU_CHANNEL_PHONE, 0, NULL, day), FU_OK);
    cr_assert_eq(day[0].at, FU_BESTTIME_NONE);
    cr_assert_str_eq(day[0].rule, "customer.consent_phone");
    /* errors name the request */
    req[0].customer = 999;
    cr_assert_eq(fu_besttime_best_bulk(m, req, nc, NULL, bulk), FU_EINVAL);
    cr_assert(strstr(fu_error_last()->message, "request 0") != NULL);
    fu_besttime_free(m);
    fu_book_free(b);
    fu_policy_free(p);
}

Test(besttime, thompson_sampling_is_reproducible_by_seed) {
    fu_policy *p = default_policy();
    fu_book *b = make_book(CUST_ONE, NULL);
    fu_besttime *m = make_model(p, b, NULL);
    int64_t from = T("2025-03-05T00:00:00+08:00"), to = T("2025-03-12T00:00:00+08:00");
    fu_besttime_query_options q = FU_BESTTIME_QUERY_OPTIONS_INIT;
    q.flags = FU_BESTTIME_THOMPSON;
    int64_t first[8];
    int differs = 0;
    for (uint64_t seed = 1; seed <= 8; seed++) {
        fu_besttime_slot s1, s2;
        size_t n;
        q.seed = seed;
        cr_assert_eq(fu_besttime_best(m, 0, from, to, FU_CHANNEL_PHONE, 0, 1, &q, &s1, &n), FU_OK);
        cr_assert_eq(fu_besttime_best(m, 0, from, to, FU_CHANNEL_PHONE, 0, 1, &q, &s2, &n), FU_OK);
        cr_assert_eq(s1.at, s2.at);
        cr_assert_eq(s1.score, s2.score);
        cr_assert(s1.score >= 0 && s1.score <= 1);
        first[seed - 1] = s1.at;
        if (seed > 1 && first[seed - 1] != first[0]) differs = 1;
    }
    /* the prior is flat over 91 allowed hours: 8 seeds agreeing would be a broken sampler */
    cr_assert(differs);
    /* without Thompson the flat prior picks the earliest allowed hour */
    fu_besttime_slot s;
    size_t n;
    cr_assert_eq(fu_besttime_best(m, 0, from, to, FU_CHANNEL_PHONE, 0, 1, NULL, &s, &n), FU_OK);
    cr_assert_eq(s.at, T("2025-03-05T08:00:00+08:00"));
    fu_besttime_free(m);
    fu_book_free(b);
    fu_policy_free(p);
}

Test(besttime, thompson_draws_follow_the_posterior) {
    /* Over many seeds, the share of draws from Beta(a, b) in one slot that
     * beat a fixed 0.3 must match 1 - I_0.3(a, b). One customer with
     * evidence in one slot only; the window has exactly that slot and one
     * prior-only slot whose Beta(1.5, 3.5) draw competes. Check the mean of
     * the winning draws is inside the unit interval and the choice rate of
     * the strong slot is high. */
    const char *ev = "customer_id,at,kind,channel,outcome\n"
                     "A,2025-02-26T10:00:00+08:00,contact,phone,answered\n"
                     "A,2025-02-19T10:00:00+08:00,contact,phone,answered\n"
                     "A,2025-02-12T10:00:00+08:00,contact,phone,answered\n"
                     "A,2025-02-05T10:00:00+08:00,contact,phone,answered\n";
    fu_policy *p = default_policy();
    fu_book *b = make_book(CUST_ONE, ev);
    fu_besttime_options o = fixed_options(-1);
    fu_besttime *m = make_model(p, b, &o);
    fu_besttime_query_options q = FU_BESTTIME_QUERY_OPTIONS_INIT;
    q.flags = FU_BESTTIME_THOMPSON;
    int wins = 0, N = 4000;
    for (int i = 0; i < N; i++) {
        q.seed = (uint64_t)i * 7919u + 3u;
        fu_besttime_slot s;
        size_t n;
        cr_assert_eq(fu_besttime_best(m, 0, T("2025-03-05T09:00:00+08:00"), T("2025-03-05T11:00:00+08:00"),
                                      FU_CHANNEL_PHONE, 0, 1, &q, &s, &n),
                     FU_OK);
        if (s.hour_of_week == 2 * 24 + 10) wins++;
    }
    /* P(X > Y), X ~ Beta(5.5, 3.5), Y ~ Beta(1.5, 3.5): by numerical
     * integration (scipy) 0.8894. 4000 draws: sd 0.005. */
    double rate = (double)wins / N;
    cr_assert(fabs(rate - 0.8894) < 0.02, "win rate %g", rate);
    fu_besttime_free(m);
    fu_book_free(b);
    fu_policy_free(p);
}

/* ================================================================ online update */

Test(besttime, online_update_equals_refit_on_the_same_data) {
    const char *head = "customer_id,at,kind,channel,outcome\n";
    const char *lines[] = {
        "plain,2025-02-03T10:00:00+08:00,contact,phone,answered\n",
        "plain,2025-02-10T10:20:00+08:00,contact,phone,no_answer\n",
        "plain,2025-02-12T19:00:00+08:00,contact,phone,answered\n",
        "dnd,2025-02-12T19:00:00+08:00,contact,phone,voicemail\n",
        "plain,2025-02-20T09:00:00+08:00,contact,phone,refused\n",
        "dnd,2025-02-21T11:00:00+08:00,contact,phone,answered\n",
        "plain,2025-03-01T10:00:00+08:00,contact,phone,answered\n",
        "ny,2025-03-09T09:30:00-04:00,contact,phone,answered\n",
    };
    size_t nl = sizeof lines / sizeof lines[0], split = 3;
    char all[4096], part[4096];
    strcpy(all, head);
    strcpy(part, head);
    for (size_t i = 0; i < nl; i++) {
        strcat(all, lines[i]);
        if (i < split) strcat(part, lines[i]);
    }
    fu_policy *p = default_policy();
    fu_book *ba = make_book(CUSTS, all), *bb = make_book(CUSTS, part);
    fu_besttime_options o = FU_BESTTIME_OPTIONS_INIT;
    o.half_life_seconds = 14 * 86400;
    o.min_customers = 1;
    o.as_of = T("2025-03-10T00:00:00Z");
    fu_besttime *ma = make_model(p, ba, &o), *mb = make_model(p, bb, &o);
    /* record the rest, one by one (out of order for one of them) */
    for (size_t i = nl; i-- > split;) {
        char id[16];
        const char *comma = strchr(lines[i], ',');
        memcpy(id, lines[i], (size_t)(comma - lines[i]));
        id[comma - lines[i]] = '\0';
        char when[32];
        memcpy(when, comma + 1, 25);
        when[25] = '\0';
        size_t ci;
        cr_assert_eq(fu_book_find_customer(bb, id, strlen(id), &ci), FU_OK);
        fu_outcome oc;
        const char *last = strrchr(lines[i], ',') + 1;
        cr_assert_eq(fu_outcome_from_string(last, strlen(last) - 1, &oc), FU_OK);
        cr_assert_eq(fu_besttime_record(mb, ci, T(when), oc), FU_OK);
    }
    cr_assert_eq(fu_besttime_record(mb, 0, T("2025-03-01T10:00:00Z"), FU_OUTCOME_NONE), FU_OK); /* ignored */
    cr_assert_eq(fu_besttime_fit_prior(mb, o.as_of), FU_OK);
    int64_t now = T("2025-03-12T00:00:00Z");
    for (size_t c = 0; c < fu_besttime_customer_count(ma); c++)
        for (int k = 0; k < 168; k++) {
            fu_besttime_estimate ea, eb;
            cr_assert_eq(fu_besttime_posterior(ma, c, k, now, 0, &ea), FU_OK);
            cr_assert_eq(fu_besttime_posterior(mb, c, k, now, 0, &eb), FU_OK);
            CLOSE(eb.trials, ea.trials, 1e-12);
            CLOSE(eb.successes, ea.successes, 1e-12);
            CLOSE(eb.alpha, ea.alpha, 1e-10);
            CLOSE(eb.beta, ea.beta, 1e-10);
        }
    /* the update changes the answer at once, without a refit */
    fu_besttime_estimate e0, e1;
    cr_assert_eq(fu_besttime_posterior(mb, 0, 2 * 24 + 15, now, 0, &e0), FU_OK);
    cr_assert_eq(fu_besttime_record(mb, 0, T("2025-03-05T15:10:00+08:00"), FU_OUTCOME_ANSWERED), FU_OK);
    cr_assert_eq(fu_besttime_posterior(mb, 0, 2 * 24 + 15, now, 0, &e1), FU_OK);
    cr_assert_gt(e1.p, e0.p);
    cr_assert_eq(fu_besttime_record(mb, 99, now, FU_OUTCOME_ANSWERED), FU_EINVAL);
    fu_besttime_free(ma);
    fu_besttime_free(mb);
    fu_book_free(ba);
    fu_book_free(bb);
    fu_policy_free(p);
}

/* ================================================================ errors */

Test(besttime, invalid_arguments) {
    fu_policy *p = default_policy();
    fu_book *b = make_book(CUST_ONE, NULL);
    fu_besttime *m = NULL;
    fu_besttime_options o = FU_BESTTIME_OPTIONS_INIT;
    o.slot_seconds = 5400;
    cr_assert_eq(fu_besttime_new(&m, p, b, NULL, 0, &o), FU_EINVAL);
    o.slot_seconds = 7 * 3600; /* 24 slots of 7 hours */
    cr_assert_eq(fu_besttime_new(&m, p, b, NULL, 0, &o), FU_OK);
    cr_assert_eq(fu_besttime_slot_count(m), 24);
    cr_assert_eq(fu_besttime_slot_of_hour(m, 13), 1);
    fu_besttime_free(m);
    o = (fu_besttime_options)FU_BESTTIME_OPTIONS_INIT;
    o.b2b_calendar = "nope";
    cr_assert_eq(fu_besttime_new(&m, p, b, NULL, 0, &o), FU_ENOTFOUND);
    o.b2b_calendar = NULL;
    o.version = 99;
    cr_assert_eq(fu_besttime_new(&m, p, b, NULL, 0, &o), FU_EINVAL);
    /* a book with unfinalized events */
    fu_event_in ev;
    fu_event_in_init(&ev);
    ev.customer_id = "A", ev.at = 0, ev.kind = FU_EVENT_CONTACT;
    cr_assert_eq(fu_book_add_event(b, &ev), FU_OK);
    cr_assert_eq(fu_besttime_new(&m, p, b, NULL, 0, NULL), FU_ESTATE);
    cr_assert_eq(fu_book_finalize(b), FU_OK);
    m = make_model(p, b, NULL);
    fu_besttime_slot s;
    size_t n;
    cr_assert_eq(fu_besttime_best(m, 0, 10, 10, FU_CHANNEL_PHONE, 0, 1, NULL, &s, &n), FU_EINVAL);
    cr_assert_eq(fu_besttime_best(m, 0, 0, 500LL * 86400, FU_CHANNEL_PHONE, 0, 1, NULL, &s, &n), FU_ELIMIT);
    cr_assert_eq(fu_besttime_best(m, 1, 0, 10, FU_CHANNEL_PHONE, 0, 1, NULL, &s, &n), FU_EINVAL);
    fu_besttime_query_options q = FU_BESTTIME_QUERY_OPTIONS_INIT;
    q.level = 1.5;
    cr_assert_eq(fu_besttime_best(m, 0, 0, 86400, FU_CHANNEL_PHONE, 0, 1, &q, &s, &n), FU_EINVAL);
    fu_besttime_decision d;
    cr_assert_eq(fu_besttime_may_contact(m, 5, 0, FU_CHANNEL_PHONE, 0, &d), FU_EINVAL);
    cr_assert_eq(fu_besttime_posterior(m, 0, 168, 0, 0, NULL), FU_EINVAL);
    fu_besttime_free(m);
    fu_besttime_free(NULL);
    fu_book_free(b);
    fu_policy_free(p);
}

/* ================================================================ OOM */

typedef struct oom_ctx {
    fu_policy *p;
    fu_book *b;
} oom_ctx;

static int oom_op(void *vctx) {
    oom_ctx *c = vctx;
    fu_besttime *m = NULL;
    uint32_t seg[9] = {0, 1, 0, 1, 0, 1, 0, 1, 0};
    int rc = fu_besttime_new(&m, c->p, c->b, seg, 2, NULL);
    if (rc) return rc;
    fu_besttime_slot s[3];
    size_t n;
    rc = fu_besttime_best(m, 0, 1741104000, 1741104000 + 3 * 86400, FU_CHANNEL_PHONE, 0, 3, NULL, s, &n);
    fu_besttime_slot day[9];
    if (!rc) rc = fu_besttime_best_day(m, NULL, 1741104000, NULL, 9, FU_CHANNEL_PHONE, 0, NULL, day);
    if (!rc) {
        fu_besttime_request r[2] = {{0, 1741104000, 1741190400, FU_CHANNEL_PHONE, 0},
                                    {1, 1741104000, 1741190400, FU_CHANNEL_PHONE, 0}};
        rc = fu_besttime_best_bulk(m, r, 2, NULL, s);
    }
    for (int i = 0; i < 12 && !rc; i++)
        rc = fu_besttime_record(m, (size_t)(i % 9), 1741104000 + i * 3600, FU_OUTCOME_ANSWERED);
    if (!rc) rc = fu_besttime_fit_prior(m, FU_BOOK_NO_TIME);
    fu_besttime_free(m);
    return rc;
}

Test(besttime, out_of_memory_leaks_nothing) {
    oom_ctx c;
    c.p = default_policy();
    c.b = make_book(CUSTS, EV_BEST);
    unsigned long n = fu_test_oom("besttime", oom_op, &c, 100000);
    cr_assert_gt(n, 5);
    fu_book_free(c.b);
    fu_policy_free(c.p);
}
