/* fu_stats: the public statistics against closed forms and published
 * tables, their domain errors, and the deprecated names of fu_kpi and
 * fu_besttime giving exactly the same results. */
#include "fu_test.h"
#include "stats_internal.h"

#include <criterion/criterion.h>
#include <math.h>

Test(stats, quantiles_match_tables_and_closed_forms) {
    double v;
    cr_assert_eq(fu_stats_normal_quantile(0.975, &v), FU_OK);
    cr_assert_float_eq(v, 1.959963984540054, 1e-14);
    cr_assert_eq(fu_stats_normal_quantile(1e-10, &v), FU_OK);
    cr_assert_float_eq(v, -6.361340902404056, 1e-12);
    cr_assert_eq(fu_stats_t_quantile(0.975, 10, &v), FU_OK);
    cr_assert_float_eq(v, 2.228138851986274, 1e-12);
    cr_assert_eq(fu_stats_t_quantile(0.975, 1, &v), FU_OK); /* Cauchy: tan(0.475 pi) */
    cr_assert_float_eq(v, tan(0.475 * 3.14159265358979323846), 1e-12);
    /* Beta(2, 3) at 1/2: sum_{j=2..4} C(4, j) / 16 = 11/16 */
    cr_assert_eq(fu_stats_beta_cdf(0.5, 2, 3, &v), FU_OK);
    cr_assert_float_eq(v, 0.6875, 1e-14);
    cr_assert_eq(fu_stats_beta_quantile(0.6875, 2, 3, &v), FU_OK);
    cr_assert_float_eq(v, 0.5, 1e-13);
    cr_assert_eq(fu_stats_beta_cdf(0.3, 1, 1, &v), FU_OK); /* uniform */
    cr_assert_float_eq(v, 0.3, 1e-14);
}

Test(stats, intervals_match_hand_computed_values) {
    double lo, hi, m;
    /* Wilson, 5 of 10 at 95%: (p + z^2/2n +- z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n) */
    cr_assert_eq(fu_stats_wilson(5, 10, 0.95, &lo, &hi), FU_OK);
    double z = 1.959963984540054, z2 = z * z, half = z * sqrt(0.025 + z2 / 400) / (1 + z2 / 10);
    cr_assert_float_eq(lo, 0.5 - half, 1e-13);
    cr_assert_float_eq(hi, 0.5 + half, 1e-13);
    /* t interval of 1, 3, 4, 5, 8: mean 4.2, s^2 = 7.7/... from n=5, sum 21, sumsq 115 */
    cr_assert_eq(fu_stats_mean_interval(5, 21, 115, 0.95, &m, &lo, &hi), FU_OK);
    double s2 = (115 - 5 * 4.2 * 4.2) / 4, t = 2.776445105197793;
    cr_assert_float_eq(m, 4.2, 1e-15);
    cr_assert_float_eq(hi - m, t * sqrt(s2 / 5), 1e-11);
    cr_assert_float_eq(m - lo, t * sqrt(s2 / 5), 1e-11);
    /* NPS: 5 promoters, 2 detractors of 10 */
    cr_assert_eq(fu_stats_nps_interval(5, 2, 10, 0.95, &m, &lo, &hi), FU_OK);
    cr_assert_float_eq(m, 30.0, 1e-12);
    cr_assert_float_eq(hi - m, 100 * z * sqrt(0.061), 1e-11);
    cr_assert_float_eq(lo, 30.0 - 100 * z * sqrt(0.061), 1e-11);
}

Test(stats, arguments_outside_the_domain_are_rejected) {
    double v, lo, hi, m;
    cr_assert_eq(fu_stats_normal_quantile(0, &v), FU_EINVAL);
    cr_assert_eq(fu_stats_normal_quantile(NAN, &v), FU_EINVAL);
    cr_assert_eq(fu_stats_t_quantile(0.5, 0, &v), FU_EINVAL);
    cr_assert_eq(fu_stats_t_quantile(1.0, 3, &v), FU_EINVAL);
    cr_assert_eq(fu_stats_beta_cdf(0.5, 0, 1, &v), FU_EINVAL);
    cr_assert_eq(fu_stats_beta_cdf(1.5, 1, 1, &v), FU_EINVAL);
    cr_assert_eq(fu_stats_beta_quantile(-0.1, 1, 1, &v), FU_EINVAL);
    cr_assert_eq(fu_stats_wilson(11, 10, 0.95, &lo, &hi), FU_EINVAL);
    cr_assert_eq(fu_stats_wilson(1, 10, 1.0, &lo, &hi), FU_EINVAL);
    cr_assert_eq(fu_stats_mean_interval(1, 1, 1, 0.95, &m, &lo, &hi), FU_EINVAL);
    cr_assert_eq(fu_stats_nps_interval(6, 6, 10, 0.95, &m, &lo, &hi), FU_EINVAL);
    cr_assert_eq(fu_error_last()->code, FU_EINVAL);
    cr_assert_eq(fu__stats_log_hyp2f1_checked(1, 1, 2, 1.0, NULL, &v), FU_EINVAL);
}

/* The old public names are thin wrappers: the same numbers, bit for bit. */
Test(stats, deprecated_names_give_the_same_results) {
    for (double p = 0.01; p < 1; p += 0.07) {
        double a, b;
        cr_assert_eq(fu_kpi_normal_quantile(p, &a), FU_OK);
        cr_assert_eq(fu_stats_normal_quantile(p, &b), FU_OK);
        cr_assert_eq(a, b);
        cr_assert_eq(fu_kpi_t_quantile(p, 3.5, &a), FU_OK);
        cr_assert_eq(fu_stats_t_quantile(p, 3.5, &b), FU_OK);
        cr_assert_eq(a, b);
        cr_assert_eq(fu_besttime_beta_cdf(p, 0.7, 2.5, &a), FU_OK);
        cr_assert_eq(fu_stats_beta_cdf(p, 0.7, 2.5, &b), FU_OK);
        cr_assert_eq(a, b);
        cr_assert_eq(fu_besttime_beta_quantile(p, 0.7, 2.5, &a), FU_OK);
        cr_assert_eq(fu_stats_beta_quantile(p, 0.7, 2.5, &b), FU_OK);
        cr_assert_eq(a, b);
        double l1, h1, l2, h2;
        cr_assert_eq(fu_kpi_wilson(p * 40, 40, 0.9, &l1, &h1), FU_OK);
        cr_assert_eq(fu_stats_wilson(p * 40, 40, 0.9, &l2, &h2), FU_OK);
        cr_assert(l1 == l2 && h1 == h2);
    }
}

/* Review s6 #16: at 0 successes the lower bound is 0 exactly and at n the
 * upper bound 1 exactly (mid - half left 5.55e-17 and 1.39e-17 in the KPI
 * CSV: 0 of 31 at 95% and 0 of 24 at 90%); the other bound is the
 * closed form z^2 / (n + z^2) (resp. n / (n + z^2)). */
Test(stats, wilson_bounds_are_exact_at_zero_and_all_successes) {
    static const double ns[] = {1, 3, 7, 24, 31, 1000};
    static const double conf[] = {0.8, 0.9, 0.95, 0.99};
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++)
        for (size_t j = 0; j < sizeof conf / sizeof conf[0]; j++) {
            double lo, hi, z, n = ns[i];
            cr_assert_eq(fu_stats_normal_quantile(0.5 + conf[j] / 2, &z), FU_OK);
            cr_assert_eq(fu_stats_wilson(0, n, conf[j], &lo, &hi), FU_OK);
            cr_assert(lo == 0.0, "0 of %g at %g: low %.17g", n, conf[j], lo);
            cr_assert_float_eq(hi, z * z / (n + z * z), 1e-13);
            cr_assert_eq(fu_stats_wilson(n, n, conf[j], &lo, &hi), FU_OK);
            cr_assert(hi == 1.0, "%g of %g at %g: high %.17g", n, n, conf[j], hi);
            cr_assert_float_eq(lo, n / (n + z * z), 1e-13);
        }
}
