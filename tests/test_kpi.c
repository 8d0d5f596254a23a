/* KPIs: statistics against published values, RAG, every KPI against small
 * fixtures computed by hand (the computation is written next to each), the
 * scorecard, periods across DST and ISO-week boundaries, bulk = incremental,
 * the output formats and the out-of-memory harness.
 *
 * Unless a test says otherwise the policy is the built-in one: periods in
 * Asia/Shanghai (+08:00, no DST), SLAs vip 2h / key 24h / ordinary 24h and
 * urgent 2h / standard 24h / routine 72h (wall time), caps min_gap 24h,
 * new_customer 2 per 72h, first_month 2 per 30d, weekly 3 per 7d, sms 2 per
 * 3d, per_order 1 per 72h; targets coverage 90% (red 65%), csat 4.5 (red
 * 3.8, vip 4.8), nps 50 (red 35), follow_up_complaints 5% lower is better
 * (red 5% + 10% = 15%). Week 2026-W10 is Mon 2026-03-02 .. Sun 2026-03-08. */
#include "fu_test.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DATA FU_TEST_SRCDIR "/data/kpi/"
#define EPS 1e-9

/* ------------------------------------------------------------ helpers */

typedef struct E {
    const char *cust, *at, *kind;
    const char *order, *agent, *channel, *outcome, *severity, *survey;
    double score, amount;
} E;
#define NO NAN

#define T fu_test_time

/* The event of fixture row e (the one conversion of the file's E rows). */
static void event_of(const E *e, fu_event_in *in) {
    fu_event_in_init(in);
    in->customer_id = e->cust;
    in->at = T(e->at);
    cr_assert_eq(fu_event_kind_from_string(e->kind, strlen(e->kind), &in->kind), FU_OK);
    in->order_id = e->order;
    in->agent_id = e->agent;
    if (e->channel) cr_assert_eq(fu_channel_from_string(e->channel, strlen(e->channel), &in->channel), FU_OK);
    if (e->outcome) cr_assert_eq(fu_outcome_from_string(e->outcome, strlen(e->outcome), &in->outcome), FU_OK);
    if (e->severity) cr_assert_eq(fu_severity_from_string(e->severity, strlen(e->severity), &in->severity), FU_OK);
    if (e->survey) cr_assert_eq(fu_survey_from_string(e->survey, strlen(e->survey), &in->survey), FU_OK);
    in->score = e->score;
    in->amount = e->amount;
}

/* The events of rows e[0, n) (free()). */
static fu_event_in *events_of(const E *e, size_t n) {
    fu_event_in *in = calloc(n, sizeof *in);
    cr_assert_not_null(in);
    for (size_t i = 0; i < n; i++) event_of(&e[i], &in[i]);
    return in;
}

static void add_events(fu_kpi *k, const E *e, size_t n) {
    fu_event_in *in = events_of(e, n);
    cr_assert_eq(fu_kpi_add_events(k, in, n), FU_OK, "%s", fu_error_last()->message);
    free(in);
}

typedef struct C {
    const char *id;
    double spend;
    const char *first_purchase;
} C;

static void add_customers(fu_kpi *k, const C *c, size_t n) {
    fu_customer *in = calloc(n, sizeof *in);
    for (size_t i = 0; i < n; i++) {
        fu_customer_init(&in[i]);
        in[i].id = c[i].id;
        in[i].tz = "Asia/Shanghai";
        in[i].annual_spend = c[i].spend;
        if (c[i].first_purchase) in[i].first_purchase_at = T(c[i].first_purchase);
    }
    cr_assert_eq(fu_kpi_add_customers(k, in, n), FU_OK, "%s", fu_error_last()->message);
    free(in);
}

static fu_policy *builtin(void) {
    fu_policy *p = NULL;
    cr_assert_eq(fu_policy_default(&p), FU_OK);
    return p;
}

static fu_kpi *engine(const fu_policy *p, fu_kpi_period period, unsigned by, const char *as_of) {
    fu_kpi_options o = FU_KPI_OPTIONS_INIT;
    o.period = period;
    o.by = by;
    if (as_of) o.as_of = T(as_of);
    fu_kpi *k = NULL;
    cr_assert_eq(fu_kpi_new(&k, p, &o), FU_OK, "%s", fu_error_last()->message);
    return k;
}

static const fu_kpi_figure *fig(fu_kpi *k, fu_kpi_id id, const char *period, const char *group) {
    size_t n = 0;
    cr_assert_eq(fu_kpi_compute(k, &n), FU_OK, "%s", fu_error_last()->message);
    const fu_kpi_figure *f = fu_kpi_find(k, id, period, group);
    cr_assert_not_null(f, "no figure %s %s %s", fu_kpi_name(id), period ? period : "(latest)", group ? group : "all");
    return f;
}

static void expect_prop(fu_kpi *k, fu_kpi_id id, const char *period, const char *group, double x, double n) {
    const fu_kpi_figure *f = fig(k, id, period, group);
    cr_expect_float_eq(f->n, n, EPS, "%s %s: n %g, expected %g", fu_kpi_name(id), period, f->n, n);
    cr_expect_float_eq(f->successes, x, EPS, "%s %s: x %g, expected %g", fu_kpi_name(id), period, f->successes, x);
    cr_expect_float_eq(f->value, x / n, EPS, "%s: value", fu_kpi_name(id));
}

/* ------------------------------------------------------------ statistics */

Test(kpi, normal_and_t_quantiles_match_published_tables) {
    double q;
    cr_assert_eq(fu_kpi_normal_quantile(0.975, &q), FU_OK);
    cr_expect_float_eq(q, 1.959963984540054, 1e-12);
    fu_kpi_normal_quantile(0.5, &q);
    cr_expect_float_eq(q, 0.0, 1e-15);
    fu_kpi_normal_quantile(1e-10, &q);
    cr_expect_float_eq(q, -6.361340902404056, 1e-9);
    /* Student t: t(0.975, 9) = 2.2622 (every textbook table) */
    struct {
        double p, df, t;
    } tab[] = {{0.975, 9, 2.262157163}, {0.975, 1, 12.70620474}, {0.975, 2, 4.30265273}, {0.975, 4, 2.776445105},
               {0.975, 30, 2.042272456}, {0.995, 5, 4.032142984}, {0.95, 120, 1.657650899}, {0.025, 9, -2.262157163},
               {0.9, 3, 1.637744354}, {0.975, 1000, 1.962339125}};
    for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++) {
        cr_assert_eq(fu_kpi_t_quantile(tab[i].p, tab[i].df, &q), FU_OK);
        cr_expect_float_eq(q, tab[i].t, 1e-7, "t(%g, %g) = %.10f, expected %.10f", tab[i].p, tab[i].df, q, tab[i].t);
    }
    cr_expect_eq(fu_kpi_t_quantile(1.0, 5, &q), FU_EINVAL);
    cr_expect_eq(fu_kpi_t_quantile(0.5, 0, &q), FU_EINVAL);
    cr_expect_eq(fu_kpi_normal_quantile(0, &q), FU_EINVAL);
}

Test(kpi, wilson_interval_known_values) {
    double lo, hi;
    /* 8/10 at 95%: [0.4902, 0.9433] (Wilson 1927; Newcombe 1998) */
    cr_assert_eq(fu_kpi_wilson(8, 10, 0.95, &lo, &hi), FU_OK);
    cr_expect_float_eq(lo, 0.4901624, 1e-6);
    cr_expect_float_eq(hi, 0.9433178, 1e-6);
    /* 0/10: lower bound 0, upper z^2/(n+z^2) = 3.8415/13.8415 = 0.2775 */
    fu_kpi_wilson(0, 10, 0.95, &lo, &hi);
    cr_expect_float_eq(lo, 0.0, 1e-12);
    cr_expect_float_eq(hi, 0.2775328, 1e-6);
    /* 2/4: symmetric around 0.5, half-width 0.34997 */
    fu_kpi_wilson(2, 4, 0.95, &lo, &hi);
    cr_expect_float_eq(lo, 0.1500, 1e-4);
    cr_expect_float_eq(hi, 0.8500, 1e-4);
    cr_expect_eq(fu_kpi_wilson(11, 10, 0.95, &lo, &hi), FU_EINVAL);
    cr_expect_eq(fu_kpi_wilson(1, 0, 0.95, &lo, &hi), FU_EINVAL);
}

Test(kpi, t_interval_of_a_mean) {
    /* {4,5,3,5,4}: mean 4.2, s^2 = (0.04+0.64+1.44+0.64+0.04)/4 = 0.7,
     * se = sqrt(0.7/5) = 0.374166, t(0.975,4) = 2.776445 -> half 1.038849 */
    double m, lo, hi;
    cr_assert_eq(fu_stats_mean_interval(5, 21, 91, 0.95, &m, &lo, &hi), FU_OK);
    cr_expect_float_eq(m, 4.2, 1e-12);
    cr_expect_float_eq(lo, 4.2 - 1.038849, 1e-5);
    cr_expect_float_eq(hi, 4.2 + 1.038849, 1e-5);
    cr_expect_eq(fu_stats_mean_interval(1, 4, 16, 0.95, &m, &lo, &hi), FU_EINVAL);
}

Test(kpi, nps_interval_uses_the_variance_of_the_difference) {
    /* 5 promoters, 2 detractors of 10: NPS 30; pP = .5, pD = .2,
     * var = (.5 + .2 - .3^2)/10 = 0.061, half = 1.959964 * 100 * sqrt(0.061) = 48.4075 */
    double v, lo, hi;
    cr_assert_eq(fu_stats_nps_interval(5, 2, 10, 0.95, &v, &lo, &hi), FU_OK);
    cr_expect_float_eq(v, 30.0, 1e-12);
    cr_expect_float_eq(lo, 30.0 - 48.40748, 1e-4);
    cr_expect_float_eq(hi, 30.0 + 48.40748, 1e-4);
    /* all promoters: variance 0, interval collapses, clamped to 100 */
    fu_stats_nps_interval(4, 0, 4, 0.95, &v, &lo, &hi);
    cr_expect_float_eq(v, 100.0, 1e-12);
    cr_expect_float_eq(lo, 100.0, 1e-12);
    cr_expect_eq(fu_stats_nps_interval(6, 6, 10, 0.95, &v, &lo, &hi), FU_EINVAL);
}

/* ------------------------------------------------------------ RAG */

/* fu_kpi_rag() gives `want` for value v of kpi (tier or NULL). */
static void expect_rag(const fu_policy *p, fu_kpi_id kpi, const char *tier, double v, fu_kpi_status want) {
    fu_kpi_status s = FU_KPI_STATUS_NONE;
    fu_kpi_rag(p, kpi, tier, v, &s, NULL, NULL);
    cr_expect_eq(s, want, "KPI %d tier %s value %g: status %d, want %d", (int)kpi, tier ? tier : "-", v, (int)s,
                 (int)want);
}

Test(kpi, rag_bands_including_lower_is_better_and_tier_targets) {
    fu_policy *p = builtin();
    fu_kpi_status s;
    double target;
    const char *rule;
    /* coverage: target 0.90, red at the baseline 0.65 */
    fu_kpi_rag(p, FU_KPI_COVERAGE, NULL, 0.95, &s, &target, &rule);
    cr_expect_eq(s, FU_KPI_STATUS_GREEN);
    cr_expect_float_eq(target, 0.90, EPS);
    cr_expect_str_eq(rule, "kpis.coverage");
    expect_rag(p, FU_KPI_COVERAGE, NULL, 0.90, FU_KPI_STATUS_GREEN);
    expect_rag(p, FU_KPI_COVERAGE, NULL, 0.80, FU_KPI_STATUS_YELLOW);
    expect_rag(p, FU_KPI_COVERAGE, NULL, 0.65, FU_KPI_STATUS_RED);
    /* follow-up complaints: lower is better, target 5%, red 15% */
    expect_rag(p, FU_KPI_FOLLOW_UP_COMPLAINTS, NULL, 0.04, FU_KPI_STATUS_GREEN);
    expect_rag(p, FU_KPI_FOLLOW_UP_COMPLAINTS, NULL, 0.10, FU_KPI_STATUS_YELLOW);
    expect_rag(p, FU_KPI_FOLLOW_UP_COMPLAINTS, NULL, 0.15, FU_KPI_STATUS_RED);
    /* csat 4.5 is green for key (no override) and ordinary (target 4.2, 000 §3.2),
     * yellow for vip (target 4.8, red 3.8 + 0.3 = 4.1) */
    fu_kpi_rag(p, FU_KPI_CSAT, "key", 4.5, &s, &target, NULL);
    cr_expect_eq(s, FU_KPI_STATUS_GREEN);
    cr_expect_float_eq(target, 4.5, EPS);
    fu_kpi_rag(p, FU_KPI_CSAT, "ordinary", 4.3, &s, &target, NULL);
    cr_expect_eq(s, FU_KPI_STATUS_GREEN);
    cr_expect_float_eq(target, 4.2, EPS);
    fu_kpi_rag(p, FU_KPI_CSAT, "vip", 4.5, &s, &target, NULL);
    cr_expect_eq(s, FU_KPI_STATUS_YELLOW);
    cr_expect_float_eq(target, 4.8, EPS);
    expect_rag(p, FU_KPI_CSAT, "vip", 4.1, FU_KPI_STATUS_RED);
    /* a KPI without a target, and NaN */
    fu_kpi_rag(p, FU_KPI_CES, NULL, 3.0, &s, &target, &rule);
    cr_expect_eq(s, FU_KPI_STATUS_NONE);
    cr_expect(isnan(target));
    cr_expect_str_eq(rule, "");
    expect_rag(p, FU_KPI_COVERAGE, NULL, NAN, FU_KPI_STATUS_NONE);
    /* a site policy: NPS red at 40 explicitly, churn with a lower-is-better target */
    const char *yaml = "name: site\nkpis:\n  nps: {target: 50, red: 40}\n  follow_up_complaints: {target: 2%, red: 4%}\n";
    fu_policy *q = NULL;
    cr_assert_eq(fu_policy_load_string(&q, yaml, strlen(yaml), NULL, NULL), FU_OK, "%s", fu_error_last()->message);
    expect_rag(q, FU_KPI_NPS, NULL, 45, FU_KPI_STATUS_YELLOW);
    expect_rag(q, FU_KPI_NPS, NULL, 40, FU_KPI_STATUS_RED);
    expect_rag(q, FU_KPI_FOLLOW_UP_COMPLAINTS, NULL, 0.03, FU_KPI_STATUS_YELLOW);
    expect_rag(q, FU_KPI_FOLLOW_UP_COMPLAINTS, NULL, 0.041, FU_KPI_STATUS_RED);
    fu_policy_free(q);
    fu_policy_free(p);
}

Test(kpi, names_and_parsers) {
    for (int i = 0; i < FU_KPI_COUNT; i++) {
        fu_kpi_id id;
        cr_assert_eq(fu_kpi_from_string(fu_kpi_name(i), strlen(fu_kpi_name(i)), &id), FU_OK);
        cr_expect_eq((int)id, i);
    }
    cr_expect_null(fu_kpi_name(FU_KPI_COUNT));
    unsigned by = 99;
    cr_expect_eq(fu_kpi_by_from_string("none", 4, &by), FU_OK);
    cr_expect_eq(by, 0u);
    cr_expect_eq(fu_kpi_by_from_string("tier,agent", 10, &by), FU_OK);
    cr_expect_eq(by, FU_KPI_BY_TIER | FU_KPI_BY_AGENT);
    cr_expect_eq(fu_kpi_by_from_string("tier x product_class", 20, &by), FU_OK);
    cr_expect_eq(by, FU_KPI_BY_TIER | FU_KPI_BY_PRODUCT_CLASS);
    cr_expect_eq(fu_kpi_by_from_string("tier,planet", 11, &by), FU_EPARSE);
    fu_kpi_period per;
    cr_expect_eq(fu_kpi_period_from_string("month", 5, &per), FU_OK);
    cr_expect_eq(per, FU_KPI_MONTH);
    cr_expect_eq(fu_kpi_period_from_string("year", 4, &per), FU_EPARSE);
}

Test(kpi, options_are_checked) {
    fu_policy *p = builtin();
    fu_kpi *k = NULL;
    fu_kpi_options o = FU_KPI_OPTIONS_INIT;
    o.fcr_window = 0;
    cr_expect_eq(fu_kpi_new(&k, p, &o), FU_EINVAL);
    fu_kpi_options_init(&o);
    o.contact_cost[1] = -1;
    cr_expect_eq(fu_kpi_new(&k, p, &o), FU_EINVAL);
    fu_kpi_options_init(&o);
    o.by = 0x100;
    cr_expect_eq(fu_kpi_new(&k, p, &o), FU_EINVAL);
    fu_kpi_options_init(&o);
    o.version = 99;
    cr_expect_eq(fu_kpi_new(&k, p, &o), FU_EINVAL);
    cr_expect_null(k);
    fu_policy_free(p);
}

/* ------------------------------------------------------------ issues and coverage */

/* Customers: V1 vip (spend 600k), O1, O2, O3 ordinary (5k). as_of 2026-04-30.
 *
 * Coverage (derived due items, first step of each event cadence):
 *   V1 delivery Mon 03-02 10:00 -> due [10:00, +48h = Wed 03-04 10:00];
 *      reached Tue 03-03 09:00 -> met. V1 inquiry Wed 03-04 14:00 ->
 *      consultation "same day": [14:00, 18:00 close of business] -> reached
 *      15:00, met. V1 counts once in W10: contacted.
 *   O1 delivery Mon 03-02 12:00 -> due by Wed 03-04 12:00; the 03-03 call was
 *      not answered, the answered one came Thu 03-05 10:00: not contacted.
 *   O2 complaint Tue 03-03 09:00 -> complaint "immediate" within 24h; reached
 *      03-03 15:00: contacted.
 *   O3 delivery Fri 03-06 20:00 -> due Sun 03-08 20:00 (still W10); no
 *      contact: not contacted.
 *   V1's inquiry and O2's complaint were resolved (03-04 15:30, 10:00): the
 *      resolution cadence's 72 h follow-up is due [03-07 15:30, +24h] and
 *      [03-07 10:00, +24h]; reached 03-07 16:00 and 11:00: met.
 *   coverage W10 = 2/4 = 0.5, Wilson [0.1500, 0.8500], red (<= 0.65).
 * Response timeliness (SLA = min(tier, severity)):
 *   O2 complaint normal: min(24h, 24h); answered after 6h -> within.
 *   O1 fault urgent Wed 03-04 09:00: min(24h, 2h) = 2h; answered 03-05 10:00
 *      = 25h -> late.
 *   V1 inquiry (no severity = standard 24h, vip 2h) = 2h; answered after 1h -> within.
 *   O3 feedback Fri 03-06 10:00: 24h, never answered, deadline passed -> late.
 *   timeliness = 2/4. Response times 6h, 25h, 1h: p50 = 6, p90 (linear):
 *   h = 2 * 0.9 = 1.8 -> 6 + 0.8 * (25 - 6) = 21.2.
 * Resolution (fault, complaint, inquiry): O2 complaint resolved 03-04 10:00,
 *   V1 inquiry resolved 15:30, O1 fault never -> 2/3.
 * FCR (7 days after the first contact; resolved by then, no second reached
 *   contact before the resolution, no repeat issue): O2 yes (first contact
 *   03-03 15:00, resolved 03-04 10:00; the 03-05 call comes after the
 *   resolution), V1 yes, O1 no -> 2/3.
 * Feedback closure (feedback + complaints, resolved and reported back): O2
 *   complaint resolved 03-04 10:00 and reached again 03-05 11:00 -> closed;
 *   O3 feedback never resolved -> 1/2.
 * Repeat complaints: O2's complaint has no other within 30 days -> 0/1.
 * Follow-up complaints: no contact in the 48 h before O2's complaint -> 0/1. */
static const C cust_a[] = {{"V1", 600000, NULL}, {"O1", 5000, NULL}, {"O2", 5000, NULL}, {"O3", 5000, NULL}};
static const E ev_a[] = {
    {"V1", "2026-03-02T10:00:00+08:00", "delivery", "X1", NULL, NULL, NULL, NULL, NULL, NO, NO},
    {"V1", "2026-03-03T09:00:00+08:00", "contact", "X1", "A1", "phone", "answered", NULL, NULL, NO, NO},
    {"V1", "2026-03-04T14:00:00+08:00", "inquiry", NULL, NULL, NULL, NULL, NULL, NULL, NO, NO},
    {"V1", "2026-03-04T15:00:00+08:00", "contact", NULL, "A1", "phone", "answered", NULL, NULL, NO, NO},
    {"V1", "2026-03-04T15:30:00+08:00", "resolved", NULL, "A1", NULL, NULL, NULL, NULL, NO, NO},
    {"V1", "2026-03-07T16:00:00+08:00", "contact", NULL, "A1", "phone", "answered", NULL, NULL, NO, NO},
    {"O1", "2026-03-02T12:00:00+08:00", "delivery", "X2", NULL, NULL, NULL, NULL, NULL, NO, NO},
    {"O1", "2026-03-03T10:00:00+08:00", "contact", "X2", "A2", "phone", "no_answer", NULL, NULL, NO, NO},
    {"O1", "2026-03-04T09:00:00+08:00", "fault", "X2", NULL, NULL, NULL, "urgent", NULL, NO, NO},
    {"O1", "2026-03-05T10:00:00+08:00", "contact", "X2", "A2", "phone", "answered", NULL, NULL, NO, NO},
    {"O2", "2026-03-03T09:00:00+08:00", "complaint", NULL, NULL, NULL, NULL, "normal", NULL, NO, NO},
    {"O2", "2026-03-03T15:00:00+08:00", "contact", NULL, "A2", "phone", "answered", NULL, NULL, NO, NO},
    {"O2", "2026-03-04T10:00:00+08:00", "resolved", NULL, "A2", NULL, NULL, NULL, NULL, NO, NO},
    {"O2", "2026-03-05T11:00:00+08:00", "contact", NULL, "A2", "phone", "answered", NULL, NULL, NO, NO},
    {"O2", "2026-03-07T11:00:00+08:00", "contact", NULL, "A2", "phone", "answered", NULL, NULL, NO, NO},
    {"O3", "2026-03-06T20:00:00+08:00", "delivery", "X3", NULL, NULL, NULL, NULL, NULL, NO, NO},
    {"O3", "2026-03-06T10:00:00+08:00", "feedback", NULL, NULL, NULL, NULL, NULL, NULL, NO, NO},
};
#define N(a) (sizeof(a) / sizeof((a)[0]))

static fu_kpi *scenario_a(const fu_policy *p, unsigned by) {
    fu_kpi *k = engine(p, FU_KPI_WEEK, by, "2026-04-30T00:00:00+08:00");
    add_customers(k, cust_a, N(cust_a));
    add_events(k, ev_a, N(ev_a));
    return k;
}

Test(kpi, coverage_from_cadence_due_items) {
    fu_policy *p = builtin();
    fu_kpi *k = scenario_a(p, 0);
    expect_prop(k, FU_KPI_COVERAGE, "2026-W10", NULL, 2, 4);
    const fu_kpi_figure *f = fig(k, FU_KPI_COVERAGE, "2026-W10", NULL);
    cr_expect_float_eq(f->ci_low, 0.1500, 1e-4);
    cr_expect_float_eq(f->ci_high, 0.8500, 1e-4);
    cr_expect_float_eq(f->target, 0.90, EPS);
    cr_expect_eq(f->status, FU_KPI_STATUS_RED);
    cr_expect_str_eq(f->rule, "kpis.coverage");
    cr_expect_eq(f->period_start, T("2026-03-02T00:00:00+08:00"));
    cr_expect_eq(f->period_end, T("2026-03-09T00:00:00+08:00"));
    fu_kpi_free(k);
    fu_policy_free(p);
}

Test(kpi, timeliness_response_times_resolution_fcr_feedback_complaints) {
    fu_policy *p = builtin();
    fu_kpi *k = scenario_a(p, 0);
    expect_prop(k, FU_KPI_RESPONSE_TIMELINESS, "2026-W10", NULL, 2, 4);
    const fu_kpi_figure *f = fig(k, FU_KPI_RESPONSE_P50, "2026-W10", NULL);
    cr_expect_float_eq(f->value, 6.0, 1e-6);
    cr_expect_float_eq(f->n, 3, EPS);
    f = fig(k, FU_KPI_RESPONSE_P90, "2026-W10", NULL);
    cr_expect_float_eq(f->value, 21.2, 1e-5);
    expect_prop(k, FU_KPI_RESOLUTION, "2026-W10", NULL, 2, 3);
    expect_prop(k, FU_KPI_FIRST_CONTACT_RESOLUTION, "2026-W10", NULL, 2, 3);
    expect_prop(k, FU_KPI_FEEDBACK_CLOSURE, "2026-W10", NULL, 1, 2);
    expect_prop(k, FU_KPI_REPEAT_COMPLAINTS, "2026-W10", NULL, 0, 1);
    expect_prop(k, FU_KPI_FOLLOW_UP_COMPLAINTS, "2026-W10", NULL, 0, 1);
    f = fig(k, FU_KPI_FOLLOW_UP_COMPLAINTS, "2026-W10", NULL);
    cr_expect_eq(f->status, FU_KPI_STATUS_GREEN); /* 0 <= 5%, lower is better */
    fu_kpi_free(k);
    fu_policy_free(p);
}

Test(kpi, groups_by_tier_and_agent) {
    fu_policy *p = builtin();
    fu_kpi *k = scenario_a(p, FU_KPI_BY_TIER);
    /* coverage: vip V1 1/1; ordinary O1, O2, O3 -> 1/3 */
    expect_prop(k, FU_KPI_COVERAGE, "2026-W10", "vip", 1, 1);
    expect_prop(k, FU_KPI_COVERAGE, "2026-W10", "ordinary", 1, 3);
    fu_kpi_free(k);
    k = scenario_a(p, FU_KPI_BY_AGENT);
    /* timeliness by the responding agent: A1 answered V1's inquiry in time
     * (1/1); A2 answered O2 in time and O1 late (1/2); O3's unanswered
     * feedback has no agent (0/1) */
    expect_prop(k, FU_KPI_RESPONSE_TIMELINESS, "2026-W10", "A1", 1, 1);
    expect_prop(k, FU_KPI_RESPONSE_TIMELINESS, "2026-W10", "A2", 1, 2);
    expect_prop(k, FU_KPI_RESPONSE_TIMELINESS, "2026-W10", "unassigned", 0, 1);
    fu_kpi_free(k);
    fu_policy_free(p);
}

Test(kpi, repeat_and_follow_up_complaints) {
    /* R1: complaint 03-02 09:00, another 03-20 (18 days) -> repeat; the
     *     second has none within 30 days -> not a repeat. R1's first
     *     complaint stays open (never resolved), so the second one is not
     *     blamed on a follow-up even though a call came 03-19 20:00.
     * R2: called 03-02 10:00 (no open issue), complains 03-03 09:00 (23 h
     *     later, within 48 h) -> a complaint about the follow-up itself.
     * W10 (03-02..08): repeat 1/2 (R1's first and R2's), follow-up 1/2.
     * W12 (03-16..22): repeat 0/1, follow-up 0/1. as_of 2026-05-31. */
    static const E ev[] = {
        {"R1", "2026-03-02T09:00:00+08:00", "complaint", NULL, NULL, NULL, NULL, NULL, NULL, NO, NO},
        {"R1", "2026-03-19T20:00:00+08:00", "contact", NULL, "A1", "phone", "answered", NULL, NULL, NO, NO},
        {"R1", "2026-03-20T09:00:00+08:00", "complaint", NULL, NULL, NULL, NULL, NULL, NULL, NO, NO},
        {"R2", "2026-03-02T10:00:00+08:00", "contact", NULL, "A2", "phone", "answered", NULL, NULL, NO, NO},
        {"R2", "2026-03-03T09:00:00+08:00", "complaint", NULL, NULL, NULL, NULL, NULL, NULL, NO, NO},
    };
    fu_policy *p = builtin();
    fu_kpi *k = engine(p, FU_KPI_WEEK, 0, "2026-05-31T00:00:00+08:00");
    add_events(k, ev, N(ev));
    expect_prop(k, FU_KPI_REPEAT_COMPLAINTS, "2026-W10", NULL, 1, 2);
    expect_prop(k, FU_KPI_FOLLOW_UP_COMPLAINTS, "2026-W10", NULL, 1, 2);
    expect_prop(k, FU_KPI_REPEAT_COMPLAINTS, "2026-W12", NULL, 0, 1);
    expect_prop(k, FU_KPI_FOLLOW_UP_COMPLAINTS, "2026-W12", NULL, 0, 1);
    const fu_kpi_figure *f = fig(k, FU_KPI_FOLLOW_UP_COMPLAINTS, "2026-W10", NULL);
    cr_expect_eq(f->status, FU_KPI_STATUS_RED); /* 50% >= 15% */
    fu_kpi_free(k);
    fu_policy_free(p);
}

Test(kpi, explicit_due_list_replaces_derived_coverage) {
    /* Plan: V1 due [03-02 00:00, 03-02 23:59] (reached 03-03: missed),
     * O2 due [03-03 00:00, 03-03 18:00] (reached 15:00: met),
     * Z9 (no events at all) due 03-04 -> 1/3 in W10. */
    fu_policy *p = builtin();
    fu_kpi *k = scenario_a(p, 0);
    fu_kpi_due due[] = {
        {"V1", T("2026-03-02T00:00:00+08:00"), T("2026-03-02T23:59:00+08:00"), NULL},
        {"O2", T("2026-03-03T00:00:00+08:00"), T("2026-03-03T18:00:00+08:00"), "A2"},
        {"Z9", FU_KPI_NO_TIME, T("2026-03-04T12:00:00+08:00"), NULL},
    };
    cr_assert_eq(fu_kpi_add_due(k, due, 3), FU_OK);
    expect_prop(k, FU_KPI_COVERAGE, "2026-W10", NULL, 1, 3);
    fu_kpi_due bad = {"V1", T("2026-03-03T00:00:00+08:00"), T("2026-03-02T00:00:00+08:00"), NULL};
    cr_expect_eq(fu_kpi_add_due(k, &bad, 1), FU_EINVAL);
    fu_kpi_free(k);
    fu_policy_free(p);
}

/* ------------------------------------------------------------ surveys, scorecard */

Test(kpi, csat_top2_nps_ces) {
    /* CSAT 5,4,3,5,5: mean 4.4, s^2 = (0.36+0.16+1.96+0.36+0.36)/4 = 0.8,
     * se = 0.4, t(0.975,4) = 2.776445 -> [3.289422, 5.510578], high clamped
     * to 5; yellow (3.8 < 4.4 < 4.5). Top-2-box 4/5.
     * NPS 9,10,9,10,9 / 3,6 / 7,8,7: 5 promoters, 2 detractors of 10 -> 30,
     * [-18.4075, 78.4075], red (< 35). CES 2,3,4 -> mean 3. */
    static const double csat[] = {5, 4, 3, 5, 5}, nps[] = {9, 10, 9, 10, 9, 3, 6, 7, 8, 7}, ces[] = {2, 3, 4};
    E ev[18];
    size_t n = 0;
    for (size_t i = 0; i < 5; i++)
        ev[n++] = (E){"S1", "2026-03-03T10:00:00+08:00", "survey", NULL, "A1", "sms", NULL, NULL, "csat", csat[i], NO};
    for (size_t i = 0; i < 10; i++)
        ev[n++] = (E){"S2", "2026-03-04T10:00:00+08:00", "survey", NULL, "A1", "sms", NULL, NULL, "nps", nps[i], NO};
    for (size_t i = 0; i < 3; i++)
        ev[n++] = (E){"S3", "2026-03-05T10:00:00+08:00", "survey", NULL, "A1", "sms", NULL, NULL, "ces", ces[i], NO};
    fu_policy *p = builtin();
    fu_kpi_options o = FU_KPI_OPTIONS_INIT;
    fu_kpi *k = NULL;
    cr_assert_eq(fu_kpi_new(&k, p, &o), FU_OK);
    /* survey answers are not exact duplicates for the engine: it keeps them all */
    add_events(k, ev, n);
    const fu_kpi_figure *f = fig(k, FU_KPI_CSAT, "2026-W10", NULL);
    cr_expect_float_eq(f->value, 4.4, 1e-9);
    cr_expect_float_eq(f->ci_low, 3.289422, 1e-5);
    cr_expect_float_eq(f->ci_high, 5.0, 1e-12);
    cr_expect_eq(f->status, FU_KPI_STATUS_YELLOW);
    expect_prop(k, FU_KPI_CSAT_TOP2, "2026-W10", NULL, 4, 5);
    f = fig(k, FU_KPI_NPS, "2026-W10", NULL);
    cr_expect_float_eq(f->value, 30.0, 1e-9);
    cr_expect_float_eq(f->ci_low, -18.40748, 1e-4);
    cr_expect_float_eq(f->ci_high, 78.40748, 1e-4);
    cr_expect_float_eq(f->n, 10, EPS);
    cr_expect_eq(f->status, FU_KPI_STATUS_RED);
    f = fig(k, FU_KPI_CES, "2026-W10", NULL);
    cr_expect_float_eq(f->value, 3.0, 1e-12);
    cr_expect_eq(f->status, FU_KPI_STATUS_NONE);
    fu_kpi_free(k);
    fu_policy_free(p);
}

Test(kpi, scorecard_uses_policy_weights) {
    /* Agent A9 in W10:
     *   satisfaction: CSAT 5 and 3 -> mean 4 -> (4 - 1)/4 = 0.75
     *   resolution: F1 fault resolved, K1 complaint resolved, F2 fault not -> 2/3
     *   feedback conversion: K1's complaint resolved and reported back -> 1/1
     *   efficiency: 5 contacts on 2 local days -> 2.5 a day / 150 = 1/60
     *   score = 0.4 * 0.75 + 0.3 * 2/3 + 0.2 * 1 + 0.1 / 60 = 0.7016667
     * With weights 0.25 each (site policy): (0.75 + 2/3 + 1 + 1/60) / 4 = 0.6083333 */
    static const E ev[] = {
        {"F1", "2026-03-02T09:00:00+08:00", "fault", NULL, NULL, NULL, NULL, "normal", NULL, NO, NO},
        {"F1", "2026-03-02T10:00:00+08:00", "contact", NULL, "A9", "phone", "answered", NULL, NULL, NO, NO},
        {"F1", "2026-03-02T11:00:00+08:00", "resolved", NULL, "A9", NULL, NULL, NULL, NULL, NO, NO},
        {"F1", "2026-03-02T12:00:00+08:00", "survey", NULL, "A9", "phone", NULL, NULL, "csat", 5, NO},
        {"K1", "2026-03-02T09:30:00+08:00", "complaint", NULL, NULL, NULL, NULL, NULL, NULL, NO, NO},
        {"K1", "2026-03-02T10:30:00+08:00", "contact", NULL, "A9", "phone", "answered", NULL, NULL, NO, NO},
        {"K1", "2026-03-03T10:30:00+08:00", "resolved", NULL, "A9", NULL, NULL, NULL, NULL, NO, NO},
        {"K1", "2026-03-03T11:30:00+08:00", "contact", NULL, "A9", "phone", "answered", NULL, NULL, NO, NO},
        {"K1", "2026-03-03T12:00:00+08:00", "survey", NULL, "A9", "phone", NULL, NULL, "csat", 3, NO},
        {"F2", "2026-03-03T09:00:00+08:00", "fault", NULL, NULL, NULL, NULL, "normal", NULL, NO, NO},
        {"F2", "2026-03-03T09:30:00+08:00", "contact", NULL, "A9", "phone", "answered", NULL, NULL, NO, NO},
    };
    fu_policy *p = builtin();
    fu_kpi *k = engine(p, FU_KPI_WEEK, FU_KPI_BY_AGENT, "2026-04-30T00:00:00+08:00");
    add_events(k, ev, N(ev));
    /* 4 contacts so far; a fifth on Tuesday */
    static const E more[] = {
        {"F2", "2026-03-03T16:30:00+08:00", "contact", NULL, "A9", "phone", "no_answer", NULL, NULL, NO, NO}};
    add_events(k, more, 1);
    const fu_kpi_figure *f = fig(k, FU_KPI_SCORECARD, "2026-W10", "A9");
    cr_expect_float_eq(f->value, 0.4 * 0.75 + 0.3 * 2.0 / 3.0 + 0.2 * 1.0 + 0.1 / 60.0, 1e-9);
    const fu_kpi_scorecard *rows;
    size_t n;
    cr_assert_eq(fu_kpi_scorecards(k, &rows, &n), FU_OK);
    cr_assert_eq(n, 1);
    cr_expect_str_eq(rows[0].agent, "A9");
    cr_expect_float_eq(rows[0].satisfaction, 0.75, 1e-12);
    cr_expect_float_eq(rows[0].resolution, 2.0 / 3.0, 1e-12);
    cr_expect_float_eq(rows[0].feedback_conversion, 1.0, 1e-12);
    cr_expect_float_eq(rows[0].efficiency, 1.0 / 60.0, 1e-12);
    cr_expect(rows[0].ci_low <= rows[0].score && rows[0].score <= rows[0].ci_high);
    fu_kpi_free(k);
    const char *yaml = "name: equal\nscorecard:\n  weights: {satisfaction: 0.25, resolution: 0.25, "
                       "feedback_conversion: 0.25, efficiency: 0.25}\n";
    fu_policy *q = NULL;
    cr_assert_eq(fu_policy_load_string(&q, yaml, strlen(yaml), NULL, NULL), FU_OK, "%s", fu_error_last()->message);
    k = engine(q, FU_KPI_WEEK, FU_KPI_BY_AGENT, "2026-04-30T00:00:00+08:00");
    add_events(k, ev, N(ev));
    add_events(k, more, 1);
    f = fig(k, FU_KPI_SCORECARD, "2026-W10", "A9");
    cr_expect_float_eq(f->value, (0.75 + 2.0 / 3.0 + 1.0 + 1.0 / 60.0) / 4, 1e-9);
    fu_kpi_free(k);
    fu_policy_free(q);
    /* without the agent dimension there is no scorecard */
    k = engine(p, FU_KPI_WEEK, 0, NULL);
    add_events(k, ev, N(ev));
    cr_assert_eq(fu_kpi_compute(k, &n), FU_OK);
    cr_expect_eq(fu_kpi_scorecards(k, &rows, &n), FU_ESTATE);
    cr_expect_null(fu_kpi_find(k, FU_KPI_SCORECARD, "2026-W10", NULL));
    fu_kpi_free(k);
    fu_policy_free(p);
}

/* ------------------------------------------------------------ contacts */

/* The over-contact scenario: N1, a new customer (first purchase 03-01), and
 * O9 (no purchase: not new), with their phone calls (see the first test). */
static const C k_caps_cu[] = {{"N1", 5000, "2026-03-01T09:00:00+08:00"}, {"O9", 5000, NULL}};
static const E k_caps_ev[] = {
    {"N1", "2026-03-02T10:00:00+08:00", "contact", NULL, "A1", "phone", "answered", NULL, NULL, NO, NO},
    {"N1", "2026-03-02T11:00:00+08:00", "contact", NULL, "A1", "phone", "no_answer", NULL, NULL, NO, NO},
    {"N1", "2026-03-03T12:00:00+08:00", "contact", NULL, "A1", "phone", "answered", NULL, NULL, NO, NO},
    {"N1", "2026-03-10T12:00:00+08:00", "contact", NULL, "A1", "phone", "answered", NULL, NULL, NO, NO},
    {"O9", "2026-03-02T10:00:00+08:00", "contact", NULL, "A2", "phone", "answered", NULL, NULL, NO, NO},
    {"O9", "2026-03-03T11:00:00+08:00", "contact", NULL, "A2", "phone", "answered", NULL, NULL, NO, NO},
    {"O9", "2026-03-04T12:00:00+08:00", "contact", NULL, "A2", "phone", "answered", NULL, NULL, NO, NO},
    {"O9", "2026-03-05T13:00:00+08:00", "contact", NULL, "A2", "phone", "answered", NULL, NULL, NO, NO},
};

Test(kpi, over_contact_against_the_caps) {
    /* N1, a new customer (first purchase 03-01): phone calls
     *   c1 Mon 03-02 10:00  ok
     *   c2 Mon 03-02 11:00  1 h after c1 < min_gap 24 h          -> over
     *   c3 Tue 03-03 12:00  3 in 72 h > new_customer max 2        -> over
     *   c4 Tue 03-10 12:00  4 in 30 days > first_month max 2      -> over
     * O9 (no purchase: not new): calls Mon..Thu 10:00,11:00,12:00,13:00 a
     *   day apart (>= 24 h): the 4th is the 4th in 7 days > weekly 3 -> over.
     * W10: N1 c1..c3 + O9 4 -> 3 over of 7; W11: c4 -> 1/1. */
    fu_policy *p = builtin();
    fu_kpi *k = engine(p, FU_KPI_WEEK, 0, NULL);
    add_customers(k, k_caps_cu, N(k_caps_cu));
    add_events(k, k_caps_ev, N(k_caps_ev));
    expect_prop(k, FU_KPI_OVER_CONTACT, "2026-W10", NULL, 3, 7);
    expect_prop(k, FU_KPI_OVER_CONTACT, "2026-W11", NULL, 1, 1);
    fu_kpi_free(k);
    fu_policy_free(p);
}

/* A placeholder first purchase (0001-01-01, written for "unknown") is no
 * purchase, as the planner reads it (review s8b F6): P0's first real
 * purchase is 03-01, so P0 is a new customer like N1 and its calls break the
 * same caps (c2 min_gap, c3 new_customer, c4 first_month). Read as a
 * purchase in year 1, P0 was no new customer: 1 over of 3 in W10, 0 of 1 in
 * W11. */
Test(kpi, placeholder_first_purchase_is_none) {
    static const C cu[] = {{"P0", 5000, "0001-01-01T00:00:00+00:00"}};
    static const E ev[] = {
        {"P0", "2026-03-01T09:00:00+08:00", "purchase", "X1", NULL, NULL, NULL, NULL, NULL, NO, 100},
        {"P0", "2026-03-02T10:00:00+08:00", "contact", NULL, "A1", "phone", "answered", NULL, NULL, NO, NO},
        {"P0", "2026-03-02T11:00:00+08:00", "contact", NULL, "A1", "phone", "no_answer", NULL, NULL, NO, NO},
        {"P0", "2026-03-03T12:00:00+08:00", "contact", NULL, "A1", "phone", "answered", NULL, NULL, NO, NO},
        {"P0", "2026-03-10T12:00:00+08:00", "contact", NULL, "A1", "phone", "answered", NULL, NULL, NO, NO},
    };
    fu_policy *p = builtin();
    fu_kpi *k = engine(p, FU_KPI_WEEK, 0, NULL);
    add_customers(k, cu, N(cu));
    add_events(k, ev, N(ev));
    expect_prop(k, FU_KPI_OVER_CONTACT, "2026-W10", NULL, 2, 3);
    expect_prop(k, FU_KPI_OVER_CONTACT, "2026-W11", NULL, 1, 1);
    fu_kpi_free(k);
    fu_policy_free(p);
}

Test(kpi, unanswered_attempts_count_toward_caps_not_the_gap) {
    /* The one definition the planner, the KPI and the simulation share
     * (docs/kpi.md "Reached contact"): every attempt counts toward
     * caps.limits, only a reached contact starts caps.min_gap. O8 (not new),
     * phone calls nobody answered: Mon 03-02 10:00, 12:00 (2 h apart: no
     * reached contact, so within min_gap is fine), Tue 03-03 10:00 (3 in
     * 7 days: ok), Tue 12:00 (the 4th in 7 days > weekly 3) -> 1 over of 4. */
    static const C cu[] = {{"O8", 5000, NULL}};
    static const E ev[] = {
        {"O8", "2026-03-02T10:00:00+08:00", "contact", NULL, "A1", "phone", "no_answer", NULL, NULL, NO, NO},
        {"O8", "2026-03-02T12:00:00+08:00", "contact", NULL, "A1", "phone", "no_answer", NULL, NULL, NO, NO},
        {"O8", "2026-03-03T10:00:00+08:00", "contact", NULL, "A1", "phone", "no_answer", NULL, NULL, NO, NO},
        {"O8", "2026-03-03T12:00:00+08:00", "contact", NULL, "A1", "phone", "no_answer", NULL, NULL, NO, NO},
    };
    fu_policy *p = builtin();
    fu_kpi *k = engine(p, FU_KPI_WEEK, 0, NULL);
    add_customers(k, cu, N(cu));
    add_events(k, ev, N(ev));
    expect_prop(k, FU_KPI_OVER_CONTACT, "2026-W10", NULL, 1, 4);
    fu_kpi_free(k);
    fu_policy_free(p);
}

Test(kpi, site_policy_targets_for_kpis_without_a_builtin_target) {
    /* The over-contact scenario above (W10: 3 of 7, W11: 1 of 1) under a
     * site policy with over_contact target 10%, red 50% (lower is better):
     * 3/7 = 0.43 -> yellow, 1/1 -> red; churn gets a target too but has no
     * units here; CES keeps status none (no target). */
    static const E survey[] = {
        {"O9", "2026-03-05T14:00:00+08:00", "survey", NULL, "A2", "sms", NULL, NULL, "ces", 6, NO},
    };
    const char *yaml = "name: site\nkpis:\n  over_contact: {target: 10%, red: 50%}\n  churn: {target: 5%}\n";
    fu_policy *q = NULL;
    cr_assert_eq(fu_policy_load_string(&q, yaml, strlen(yaml), NULL, NULL), FU_OK, "%s", fu_error_last()->message);
    double target = 0;
    cr_assert_eq(fu_policy_get_number(q, "kpis.over_contact.target", &target), FU_OK);
    cr_expect_float_eq(target, 0.10, 1e-12);
    fu_kpi *k = engine(q, FU_KPI_WEEK, 0, NULL);
    add_customers(k, k_caps_cu, N(k_caps_cu));
    add_events(k, k_caps_ev, N(k_caps_ev));
    add_events(k, survey, N(survey));
    const fu_kpi_figure *f = fig(k, FU_KPI_OVER_CONTACT, "2026-W10", NULL);
    cr_expect_float_eq(f->value, 3.0 / 7.0, 1e-12);
    cr_expect_float_eq(f->target, 0.10, 1e-12);
    cr_expect_eq(f->status, FU_KPI_STATUS_YELLOW);
    cr_expect_str_eq(f->rule, "kpis.over_contact");
    f = fig(k, FU_KPI_OVER_CONTACT, "2026-W11", NULL);
    cr_expect_eq(f->status, FU_KPI_STATUS_RED);
    f = fig(k, FU_KPI_CES, "2026-W10", NULL);
    cr_expect_float_eq(f->value, 6, 1e-12);
    cr_expect_eq(f->status, FU_KPI_STATUS_NONE);
    cr_expect_str_eq(f->rule, "");
    fu_kpi_status st;
    cr_assert_eq(fu_kpi_rag(q, FU_KPI_CHURN, NULL, 0.04, &st, &target, NULL), FU_OK);
    cr_expect_eq(st, FU_KPI_STATUS_GREEN);
    cr_assert_eq(fu_kpi_rag(q, FU_KPI_CHURN, NULL, 0.20, &st, &target, NULL), FU_OK);
    cr_expect_eq(st, FU_KPI_STATUS_RED); /* red at target + amber_margin 10 points */
    fu_kpi_free(k);
    fu_policy_free(q);
}

/* ------------------------------------------------------------ purchases */

/* Monthly periods, as_of 2026-12-31, contact cost phone 10.
 * P1 purchases 2025-01-10 (X1), 2025-02-15 (X2), 2025-12-01 (X3, 700).
 * P2 purchase 2025-01-20 (Y1).
 * Repurchase (the built-in policy's year, kpis.repurchase.window 365d):
 *   2025-01: P1 bought again 02-15 (36 d) yes, P2 no -> 1/2; 2025-02: P1's
 *   next is 289 days later, within the year -> 1/1.
 * Churn (365 days without a purchase): P2 churns 2026-01-20, P1 2026-12-01
 *   10:00. Active at the start of 2026-01: P1 and P2 -> 1/2; 2026-02: P1
 *   only -> 0/1; 2026-12: P1 (until 12-01 10:00) -> 1/1.
 * Win-back (at risk after 180 days; success = purchase within 90 days of the
 *   first reached contact while at risk): P1 at risk from 2025-08-14,
 *   reached 2025-10-01, bought 2025-12-01 (61 d) -> 1/1 in 2025-10; P2 at
 *   risk from 2025-07-19, reached 2025-09-01, never bought -> 0/1 in 2025-09.
 * ROI (30 days): P1's 2025-11-20 call is the last reached contact before
 *   the 700 purchase 11 days later -> 2025-11: 700 / 10 = 70; 2025-10: 0.
 *   The built-in policy sets no ROI target (the 1:7 is roi_incremental's). */
static const E ev_d[] = {
    {"P1", "2025-01-10T10:00:00+08:00", "purchase", "X1", "S1", NULL, NULL, NULL, NULL, NO, 100},
    {"P1", "2025-02-15T10:00:00+08:00", "purchase", "X2", "S1", NULL, NULL, NULL, NULL, NO, 100},
    {"P1", "2025-10-01T10:00:00+08:00", "contact", NULL, "A1", "phone", "answered", NULL, NULL, NO, NO},
    {"P1", "2025-11-20T10:00:00+08:00", "contact", NULL, "A1", "phone", "answered", NULL, NULL, NO, NO},
    {"P1", "2025-12-01T10:00:00+08:00", "purchase", "X3", "S1", NULL, NULL, NULL, NULL, NO, 700},
    {"P2", "2025-01-20T10:00:00+08:00", "purchase", "Y1", "S1", NULL, NULL, NULL, NULL, NO, 50},
    {"P2", "2025-09-01T10:00:00+08:00", "contact", NULL, "A2", "phone", "answered", NULL, NULL, NO, NO},
};

Test(kpi, repurchase_churn_win_back_roi) {
    fu_policy *p = builtin();
    fu_kpi_options o = FU_KPI_OPTIONS_INIT;
    o.period = FU_KPI_MONTH;
    o.as_of = T("2026-12-31T00:00:00+08:00");
    o.contact_cost[FU_CHANNEL_PHONE] = 10;
    fu_kpi *k = NULL;
    cr_assert_eq(fu_kpi_new(&k, p, &o), FU_OK);
    add_events(k, ev_d, N(ev_d));
    expect_prop(k, FU_KPI_REPURCHASE, "2025-01", NULL, 1, 2);
    expect_prop(k, FU_KPI_REPURCHASE, "2025-02", NULL, 1, 1);
    expect_prop(k, FU_KPI_CHURN, "2026-01", NULL, 1, 2);
    expect_prop(k, FU_KPI_CHURN, "2026-02", NULL, 0, 1);
    expect_prop(k, FU_KPI_CHURN, "2026-12", NULL, 1, 1);
    expect_prop(k, FU_KPI_WIN_BACK, "2025-10", NULL, 1, 1);
    expect_prop(k, FU_KPI_WIN_BACK, "2025-09", NULL, 0, 1);
    const fu_kpi_figure *f = fig(k, FU_KPI_ROI, "2025-11", NULL);
    cr_expect_float_eq(f->value, 70.0, 1e-9);
    cr_expect_float_eq(f->n, 1, EPS);
    cr_expect_eq(f->status, FU_KPI_STATUS_NONE);
    f = fig(k, FU_KPI_ROI, "2025-10", NULL);
    cr_expect_float_eq(f->value, 0.0, 1e-12);
    cr_expect_eq(f->status, FU_KPI_STATUS_NONE);
    fu_kpi_free(k);
    /* without costs there is no ROI */
    k = engine(p, FU_KPI_MONTH, 0, "2026-12-31T00:00:00+08:00");
    add_events(k, ev_d, N(ev_d));
    size_t n;
    cr_assert_eq(fu_kpi_compute(k, &n), FU_OK);
    cr_expect_null(fu_kpi_find(k, FU_KPI_ROI, "2025-11", NULL));
    fu_kpi_free(k);
    fu_policy_free(p);
}

/* ------------------------------------------------------------ commitments */

Test(kpi, commitment_on_time_rate_matches_the_ledger) {
    /* Deadlines in W10: c1 fulfilled before (on time), c2 fulfilled after
     * (late), c3 still open past its deadline (late), c4 cancelled (not
     * counted), c5 deadline in W12 but after as_of and open (not counted)
     * -> 1/3 as of 03-10. The ledger's fu_ledger_on_time agrees. */
    fu_ledger *led = NULL;
    cr_assert_eq(fu_ledger_open(&led, NULL, NULL), FU_OK, "%s", fu_error_last()->message);
    const char *dl[] = {"2026-03-03T18:00:00+08:00", "2026-03-04T18:00:00+08:00", "2026-03-05T18:00:00+08:00",
                        "2026-03-06T18:00:00+08:00", "2026-03-20T18:00:00+08:00"};
    int64_t ids[5];
    for (int i = 0; i < 5; i++) {
        fu_commit_input in = FU_COMMIT_INPUT_INIT;
        in.customer_id = "V1";
        in.text = "fix it";
        in.created_by = "A1";
        in.created_at = T("2026-03-02T09:00:00+08:00");
        in.deadline = T(dl[i]);
        cr_assert_eq(fu_ledger_add(led, &in, &ids[i]), FU_OK, "%s", fu_error_last()->message);
    }
    cr_assert_eq(fu_ledger_fulfill(led, ids[0], T("2026-03-03T12:00:00+08:00"), "A1"), FU_OK);
    cr_assert_eq(fu_ledger_fulfill(led, ids[1], T("2026-03-06T12:00:00+08:00"), "A1"), FU_OK);
    cr_assert_eq(fu_ledger_cancel(led, ids[3], T("2026-03-04T12:00:00+08:00"), "A1"), FU_OK);
    int64_t now = T("2026-03-10T00:00:00+08:00");
    fu_on_time ot;
    cr_assert_eq(fu_ledger_on_time(led, T("2026-03-02T00:00:00+08:00"), T("2026-03-09T00:00:00+08:00"), now, &ot),
                 FU_OK);
    fu_policy *p = builtin();
    fu_kpi *k = engine(p, FU_KPI_WEEK, FU_KPI_BY_AGENT, "2026-03-10T00:00:00+08:00");
    cr_assert_eq(fu_kpi_add_ledger(k, led), FU_OK, "%s", fu_error_last()->message);
    expect_prop(k, FU_KPI_COMMITMENT_ON_TIME, "2026-W10", "A1", 1, 3);
    cr_expect_eq(ot.due, 3);
    cr_expect_eq(ot.on_time, 1);
    cr_expect_null(fu_kpi_find(k, FU_KPI_COMMITMENT_ON_TIME, "2026-W12", "A1"));
    fu_kpi_free(k);
    fu_policy_free(p);
    fu_ledger_close(led);
}

/* ------------------------------------------------------------ periods */

Test(kpi, week_and_month_boundaries_in_the_policy_zone) {
    /* Shanghai: Sun 2026-01-04 23:30 local (15:30Z) is in 2026-W01 (which
     * starts Mon 2025-12-29: ISO week-year 2026); Mon 00:30 local (16:30Z)
     * is in 2026-W02. Months: 2026-01-31T16:30Z is Feb 1st 00:30 local. */
    static const E ev[] = {
        {"S", "2026-01-04T15:30:00Z", "survey", NULL, NULL, NULL, NULL, NULL, "csat", 5, NO},
        {"S", "2026-01-04T16:30:00Z", "survey", NULL, NULL, NULL, NULL, NULL, "csat", 3, NO},
        {"S", "2026-01-31T16:30:00Z", "survey", NULL, NULL, NULL, NULL, NULL, "csat", 4, NO},
    };
    fu_policy *p = builtin();
    fu_kpi *k = engine(p, FU_KPI_WEEK, 0, NULL);
    add_events(k, ev, N(ev));
    const fu_kpi_figure *f = fig(k, FU_KPI_CSAT, "2026-W01", NULL);
    cr_expect_float_eq(f->value, 5, EPS);
    cr_expect_eq(f->period_start, T("2025-12-29T00:00:00+08:00"));
    f = fig(k, FU_KPI_CSAT, "2026-W02", NULL);
    cr_expect_float_eq(f->value, 3, EPS);
    fu_kpi_free(k);
    k = engine(p, FU_KPI_MONTH, 0, NULL);
    add_events(k, ev, N(ev));
    f = fig(k, FU_KPI_CSAT, "2026-01", NULL);
    cr_expect_float_eq(f->value, 4, EPS);
    cr_expect_float_eq(f->n, 2, EPS);
    f = fig(k, FU_KPI_CSAT, "2026-02", NULL);
    cr_expect_float_eq(f->value, 4, EPS);
    cr_expect_eq(f->period_start, T("2026-02-01T00:00:00+08:00"));
    cr_expect_eq(f->period_end, T("2026-03-01T00:00:00+08:00"));
    fu_kpi_free(k);
    fu_policy_free(p);
}

Test(kpi, periods_across_dst_in_new_york) {
    /* Policy zone America/New_York. DST starts Sun 2025-03-09 02:00.
     * Week 2025-W10 = Mon 03-03 00:00 EST (05:00Z) .. Mon 03-10 00:00 EDT
     * (04:00Z): 167 hours. Sun 03-09 23:30 EDT (03-10T03:30Z) is still in
     * W10; 03-10T04:30Z is Mon 00:30 EDT, W11. Days: 2025-03-09 has 23 h. */
    const char *yaml = "name: ny\ncalendar: ny\ncalendars:\n  ny:\n    tz: America/New_York\n";
    fu_policy *p = NULL;
    cr_assert_eq(fu_policy_load_string(&p, yaml, strlen(yaml), NULL, NULL), FU_OK, "%s", fu_error_last()->message);
    static const E ev[] = {
        {"S", "2025-03-03T05:00:00Z", "survey", NULL, NULL, NULL, NULL, NULL, "csat", 2, NO},
        {"S", "2025-03-10T03:30:00Z", "survey", NULL, NULL, NULL, NULL, NULL, "csat", 4, NO},
        {"S", "2025-03-10T04:30:00Z", "survey", NULL, NULL, NULL, NULL, NULL, "csat", 5, NO},
    };
    fu_kpi *k = engine(p, FU_KPI_WEEK, 0, NULL);
    add_events(k, ev, N(ev));
    const fu_kpi_figure *f = fig(k, FU_KPI_CSAT, "2025-W10", NULL);
    cr_expect_float_eq(f->value, 3, EPS);
    cr_expect_eq(f->period_start, T("2025-03-03T05:00:00Z"));
    cr_expect_eq(f->period_end, T("2025-03-10T04:00:00Z"));
    cr_expect_eq(f->period_end - f->period_start, 167 * 3600);
    f = fig(k, FU_KPI_CSAT, "2025-W11", NULL);
    cr_expect_float_eq(f->value, 5, EPS);
    fu_kpi_free(k);
    k = engine(p, FU_KPI_DAY, 0, NULL);
    add_events(k, ev, N(ev));
    f = fig(k, FU_KPI_CSAT, "2025-03-09", NULL);
    cr_expect_eq(f->period_end - f->period_start, 23 * 3600);
    fu_kpi_free(k);
    fu_policy_free(p);
}

/* ------------------------------------------------------------ bulk, incremental, outputs */

static char *csv_of(fu_kpi *k) {
    size_t n;
    cr_assert_eq(fu_kpi_compute(k, &n), FU_OK);
    char *s = NULL;
    cr_assert_eq(fu_kpi_write_csv_to_string(k, NULL, &s), FU_OK);
    return s;
}

Test(kpi, incremental_batches_in_any_order_equal_bulk) {
    fu_policy *p = builtin();
    fu_kpi *bulk = scenario_a(p, FU_KPI_BY_TIER | FU_KPI_BY_AGENT);
    char *a = csv_of(bulk);
    fu_kpi *inc = engine(p, FU_KPI_WEEK, FU_KPI_BY_TIER | FU_KPI_BY_AGENT, "2026-04-30T00:00:00+08:00");
    add_customers(inc, cust_a, N(cust_a));
    /* reversed, in three batches, computing in between */
    E rev[N(ev_a)];
    for (size_t i = 0; i < N(ev_a); i++) rev[i] = ev_a[N(ev_a) - 1 - i];
    size_t n;
    add_events(inc, rev, 5);
    cr_assert_eq(fu_kpi_compute(inc, &n), FU_OK);
    add_events(inc, rev + 5, 4);
    cr_assert_eq(fu_kpi_compute(inc, &n), FU_OK);
    add_events(inc, rev + 9, N(ev_a) - 9);
    char *b = csv_of(inc);
    cr_expect_str_eq(a, b);
    fu_free(a);
    fu_free(b);
    fu_kpi_free(bulk);
    fu_kpi_free(inc);
    fu_policy_free(p);
}

/* The book of the KPI fixture files (customers.csv, events.csv). */
static fu_book *fixture_book(void) {
    fu_book *book = NULL;
    cr_assert_eq(fu_book_new(&book, NULL), FU_OK);
    cr_assert_eq(fu_book_read_customers_csv(book, DATA "customers.csv"), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(fu_book_read_events_csv(book, DATA "events.csv"), FU_OK, "%s", fu_error_last()->message);
    return book;
}

Test(kpi, book_path_equals_record_path_and_csv_format) {
    fu_policy *p = builtin();
    fu_book *book = fixture_book();
    fu_kpi *k = engine(p, FU_KPI_WEEK, 0, "2026-04-30T00:00:00+08:00");
    cr_assert_eq(fu_kpi_add_book(k, book), FU_OK, "%s", fu_error_last()->message);
    /* the fixture files hold scenario A */
    expect_prop(k, FU_KPI_COVERAGE, "2026-W10", NULL, 2, 4);
    expect_prop(k, FU_KPI_RESPONSE_TIMELINESS, "2026-W10", NULL, 2, 4);
    char *from_book = csv_of(k);
    fu_kpi *r = scenario_a(p, 0);
    char *from_records = csv_of(r);
    cr_expect_str_eq(from_book, from_records);
    cr_expect_eq(strncmp(from_book, "kpi,group,period,value,ci_low,ci_high,n,target,status,rule\n", 59), 0);
    cr_expect_not_null(strstr(from_book, "\ncoverage,all,2026-W10,0.5,0.150039,0.849961,4,0.9,red,kpis.coverage\n"),
                       "%s", from_book);
    char *json = NULL;
    cr_assert_eq(fu_kpi_write_json_to_string(k, NULL, &json), FU_OK);
    cr_expect_not_null(strstr(json, "\"kpi\": \"coverage\", \"group\": \"all\", \"period\": \"2026-W10\""), "%s", json);
    char *dash = NULL;
    cr_assert_eq(fu_kpi_write_dashboard_to_string(k, NULL, &dash), FU_OK);
    cr_expect_not_null(strstr(dash, "== 2026-W10"), "%s", dash);
    cr_expect_not_null(strstr(dash, "[R] red"), "%s", dash);
    fu_free(json);
    fu_free(dash);
    fu_free(from_book);
    fu_free(from_records);
    fu_kpi_free(r);
    fu_kpi_free(k);
    fu_book_free(book);
    fu_policy_free(p);
}

/* Scenario A from the fixture files through the book, then the remaining
 * events of scenario D by record (existing and new customers): the same
 * figures as every event by record in one batch; and a book added to an
 * engine that holds events already (the pending path). */
Test(kpi, book_then_records_merge_like_one_batch) {
    fu_policy *p = builtin();
    fu_book *book = fixture_book();
    unsigned by = FU_KPI_BY_TIER | FU_KPI_BY_AGENT;
    const char *as_of = "2026-12-31T00:00:00+08:00";
    E late[] = {
        {"O1", "2026-03-05T11:00:00+08:00", "survey", NULL, "A2", "sms", NULL, NULL, "csat", 4, NO},
        {"V1", "2026-03-01T08:00:00+08:00", "purchase", "X1", NULL, NULL, NULL, NULL, NULL, NO, 900},
    };
    fu_kpi *a = engine(p, FU_KPI_MONTH, by, as_of);
    add_customers(a, cust_a, N(cust_a));
    add_events(a, ev_a, N(ev_a));
    add_events(a, late, N(late));
    add_events(a, ev_d, N(ev_d));
    char *want = csv_of(a);
    fu_kpi *b = engine(p, FU_KPI_MONTH, by, as_of);
    cr_assert_eq(fu_kpi_add_book(b, book), FU_OK, "%s", fu_error_last()->message);
    size_t n;
    cr_assert_eq(fu_kpi_compute(b, &n), FU_OK);
    add_events(b, late, N(late));
    add_events(b, ev_d, N(ev_d));
    char *got = csv_of(b);
    cr_expect_str_eq(got, want);
    fu_kpi *c = engine(p, FU_KPI_MONTH, by, as_of);
    add_events(c, ev_d, N(ev_d));
    add_events(c, late + 1, 1);
    cr_assert_eq(fu_kpi_compute(c, &n), FU_OK);
    cr_assert_eq(fu_kpi_add_book(c, book), FU_OK, "%s", fu_error_last()->message);
    add_events(c, late, 1);
    char *got2 = csv_of(c);
    /* same events; ties at equal times keep the order they were added in,
     * and no two events of one customer share a time here */
    cr_expect_str_eq(got2, want);
    fu_free(want);
    fu_free(got);
    fu_free(got2);
    fu_kpi_free(a);
    fu_kpi_free(b);
    fu_kpi_free(c);
    fu_book_free(book);
    fu_policy_free(p);
}

Test(kpi, from_and_to_restrict_the_reported_periods) {
    fu_policy *p = builtin();
    fu_kpi_options o = FU_KPI_OPTIONS_INIT;
    o.period = FU_KPI_MONTH;
    o.as_of = T("2026-12-31T00:00:00+08:00");
    o.from = T("2026-01-01T00:00:00+08:00");
    o.to = T("2026-02-01T00:00:00+08:00");
    fu_kpi *k = NULL;
    cr_assert_eq(fu_kpi_new(&k, p, &o), FU_OK);
    add_events(k, ev_d, N(ev_d));
    size_t n;
    cr_assert_eq(fu_kpi_compute(k, &n), FU_OK);
    cr_assert_gt(n, 0);
    for (size_t i = 0; i < n; i++) cr_expect_str_eq(fu_kpi_figure_get(k, i)->period, "2026-01");
    /* events before `from` still count as context: January's churn is 1/2 */
    expect_prop(k, FU_KPI_CHURN, "2026-01", NULL, 1, 2);
    fu_kpi_free(k);
    fu_policy_free(p);
}

Test(kpi, empty_engine_and_errors) {
    fu_policy *p = builtin();
    fu_kpi *k = engine(p, FU_KPI_WEEK, 0, NULL);
    char *s = NULL;
    cr_expect_eq(fu_kpi_write_csv_to_string(k, NULL, &s), FU_ESTATE);
    size_t n = 9;
    cr_assert_eq(fu_kpi_compute(k, &n), FU_OK);
    cr_expect_eq(n, 0);
    cr_assert_eq(fu_kpi_write_csv_to_string(k, NULL, &s), FU_OK);
    cr_expect_str_eq(s, "kpi,group,period,value,ci_low,ci_high,n,target,status,rule\n");
    fu_free(s);
    fu_event_in e;
    fu_event_in_init(&e);
    e.customer_id = "X";
    cr_expect_eq(fu_kpi_add_events(k, &e, 1), FU_EINVAL); /* no time */
    e.at = 0;
    e.kind = (fu_event_kind)99;
    cr_expect_eq(fu_kpi_add_events(k, &e, 1), FU_EINVAL);
    fu_kpi_free(k);
    fu_kpi_free(NULL);
    cr_expect_eq(fu_kpi_new(NULL, p, NULL), FU_EINVAL);
    fu_policy_free(p);
}

/* ------------------------------------------------------------ out of memory */

typedef struct oom_ctx {
    const fu_policy *p;
    fu_event_in *ev;
    size_t n;
} oom_ctx;

static int oom_op(void *vp) {
    oom_ctx *c = vp;
    fu_kpi_options o = FU_KPI_OPTIONS_INIT;
    o.by = FU_KPI_BY_TIER | FU_KPI_BY_AGENT;
    o.as_of = T("2026-04-30T00:00:00+08:00");
    o.contact_cost[FU_CHANNEL_PHONE] = 5;
    fu_kpi *k = NULL;
    int rc = fu_kpi_new(&k, c->p, &o);
    if (rc) return rc;
    fu_customer cu;
    fu_customer_init(&cu);
    cu.id = "V1";
    cu.annual_spend = 600000;
    size_t n;
    char *s = NULL;
    const char *ids[] = {"V1"}, *labels[] = {"gold"};
    fu_kpi_due due = {"O2", FU_KPI_NO_TIME, T("2026-03-03T18:00:00+08:00"), "A2"};
    if (!rc) rc = fu_kpi_add_customers(k, &cu, 1);
    if (!rc) rc = fu_kpi_add_events(k, c->ev, c->n / 2);
    if (!rc) rc = fu_kpi_compute(k, &n);
    if (!rc) rc = fu_kpi_add_events(k, c->ev + c->n / 2, c->n - c->n / 2);
    if (!rc) rc = fu_kpi_set_segments(k, ids, labels, 1);
    if (!rc) rc = fu_kpi_add_due(k, &due, 1);
    if (!rc) rc = fu_kpi_compute(k, &n);
    if (!rc) rc = fu_kpi_write_csv_to_string(k, NULL, &s);
    fu_free(s);
    s = NULL;
    if (!rc) rc = fu_kpi_write_json_to_string(k, NULL, &s);
    fu_free(s);
    s = NULL;
    if (!rc) rc = fu_kpi_write_dashboard_to_string(k, NULL, &s);
    fu_free(s);
    fu_kpi_free(k);
    return rc;
}

static int oom_book_op(void *vp) {
    const oom_ctx *c = vp;
    fu_book *book = NULL;
    int rc = fu_book_new(&book, NULL);
    if (!rc) rc = fu_book_read_customers_csv(book, DATA "customers.csv");
    if (!rc) rc = fu_book_read_events_csv(book, DATA "events.csv");
    fu_kpi_options o = FU_KPI_OPTIONS_INIT;
    o.by = FU_KPI_BY_AGENT;
    fu_kpi *k = NULL;
    size_t n;
    if (!rc) rc = fu_kpi_new(&k, c->p, &o);
    if (!rc) rc = fu_kpi_add_book(k, book);
    if (!rc) rc = fu_kpi_add_book(k, book); /* again: pending, merged by compute */
    if (!rc) rc = fu_kpi_compute(k, &n);
    if (!rc) rc = fu_kpi_add_events(k, c->ev, c->n);
    if (!rc) rc = fu_kpi_compute(k, &n);
    fu_kpi_free(k);
    fu_book_free(book);
    return rc;
}

Test(kpi, out_of_memory_leaks_nothing) {
    fu_policy *p = builtin();
    oom_ctx c = {p, calloc(N(ev_a) + N(ev_d), sizeof(fu_event_in)), 0};
    const E *src[2] = {ev_a, ev_d};
    size_t ns[2] = {N(ev_a), N(ev_d)};
    for (int s = 0; s < 2; s++)
        for (size_t i = 0; i < ns[s]; i++) event_of(&src[s][i], &c.ev[c.n++]);
    fu_test_oom("kpi", oom_op, &c, 100000);
    fu_test_oom("kpi book", oom_book_op, &c, 100000);
    free(c.ev);
    fu_policy_free(p);
}

/* ------------------------------------------------------------ targets as written (issue 15 item 8) */

Test(kpi, builtin_targets_follow_the_source_documents) {
    fu_policy *p = builtin();
    fu_kpi_status s;
    double target;
    const char *rule;
    /* immediate response 100% (000 §3.2): 99% is no longer green */
    fu_kpi_rag(p, FU_KPI_RESPONSE_TIMELINESS, NULL, 0.99, &s, &target, NULL);
    cr_expect_float_eq(target, 1.0, EPS);
    cr_expect_eq(s, FU_KPI_STATUS_YELLOW);
    /* VIP resolution 100% (000 §3.2, §9.1); others 95% */
    fu_kpi_rag(p, FU_KPI_RESOLUTION, "vip", 0.97, &s, &target, NULL);
    cr_expect_float_eq(target, 1.0, EPS);
    cr_expect_eq(s, FU_KPI_STATUS_YELLOW);
    fu_kpi_rag(p, FU_KPI_RESOLUTION, NULL, 0.97, &s, &target, NULL);
    cr_expect_eq(s, FU_KPI_STATUS_GREEN);
    /* VIP annual repurchase 85%, no target for the others (red 85% - 10 points) */
    fu_kpi_rag(p, FU_KPI_REPURCHASE, "vip", 0.80, &s, &target, NULL);
    cr_expect_float_eq(target, 0.85, EPS);
    cr_expect_eq(s, FU_KPI_STATUS_YELLOW);
    fu_kpi_rag(p, FU_KPI_REPURCHASE, "vip", 0.75, &s, NULL, NULL);
    cr_expect_eq(s, FU_KPI_STATUS_RED);
    fu_kpi_rag(p, FU_KPI_REPURCHASE, "ordinary", 0.10, &s, &target, &rule);
    cr_expect_eq(s, FU_KPI_STATUS_NONE);
    cr_expect(isnan(target));
    cr_expect_str_eq(rule, "");
    /* quality problems closed within 7 days: 100% */
    fu_kpi_rag(p, FU_KPI_QUALITY_CLOSURE, NULL, 1.0, &s, &target, &rule);
    cr_expect_eq(s, FU_KPI_STATUS_GREEN);
    cr_expect_str_eq(rule, "kpis.quality_closure");
    /* budget overrun: green on budget, yellow up to 10%, red at 10% (000 §7.3) */
    fu_kpi_rag(p, FU_KPI_BUDGET_OVERRUN, NULL, -0.2, &s, NULL, NULL);
    cr_expect_eq(s, FU_KPI_STATUS_GREEN);
    fu_kpi_rag(p, FU_KPI_BUDGET_OVERRUN, NULL, 0.05, &s, NULL, NULL);
    cr_expect_eq(s, FU_KPI_STATUS_YELLOW);
    fu_kpi_rag(p, FU_KPI_BUDGET_OVERRUN, NULL, 0.10, &s, NULL, NULL);
    cr_expect_eq(s, FU_KPI_STATUS_RED);
    /* 1:7 (002 §1.3.3) on the incremental ROI; gross ROI has no target */
    fu_kpi_rag(p, FU_KPI_ROI_INCREMENTAL, NULL, 7.0, &s, &target, NULL);
    cr_expect_eq(s, FU_KPI_STATUS_GREEN);
    fu_kpi_rag(p, FU_KPI_ROI_INCREMENTAL, NULL, 5.0, &s, NULL, NULL);
    cr_expect_eq(s, FU_KPI_STATUS_RED);
    fu_kpi_rag(p, FU_KPI_ROI, NULL, 400.0, &s, &target, NULL);
    cr_expect_eq(s, FU_KPI_STATUS_NONE);
    fu_policy_free(p);
}

/* Week 2026-W10 (Mon 03-02 .. Mon 03-09, Shanghai), as_of 2026-06-01, phone 10.
 * Quality closure (7 days): Q1 fault 03-02 resolved 03-06 (4 d) yes; Q2 fault
 *   03-03 resolved 03-12 (9 d) no; Q3 fault 03-04 never resolved -> 1/3.
 * Uplift (30 days): U1..U5 bought in February (known before the week).
 *   Contacted in W10: U1 (answered 03-03, buys 300 on 03-10: 7 d) and U2
 *   (answered 03-04, buys nothing) -> rate 1/2, revenue per customer 150.
 *   Not contacted: U3 (buys 100 on 03-20, within 30 d of 03-02), U4 (its
 *   attempt is in W11; buys 70 on 03-11), U5 (nothing) -> rate 2/3, revenue
 *   170/3 per customer.
 *   repurchase_uplift = 1/2 - 2/3 = -1/6; value_uplift = 150 / (170/3) - 1 =
 *   1.6471; roi_incremental = (150 - 170/3) x 2 / (2 contacts x 10) = 9.3333.
 * Gross ROI: U1's 300 is credited to its 03-03 call; its 200 on 04-10 (38 d)
 *   is outside the 30-day window -> 300 / 20 = 15 (with kpis.roi.window 40d:
 *   500 / 20 = 25). U4's no-answer attempt in W11 earns nothing.
 * Budget 100 a week: spend 20 -> -80%; 18 -> 20/18 - 1 = 11.1% (red). */
static const E ev_up[] = {
    {"Q1", "2026-03-02T10:00:00+08:00", "fault", "F1", NULL, NULL, NULL, NULL, NULL, NO, NO},
    {"Q1", "2026-03-06T10:00:00+08:00", "resolved", "F1", NULL, NULL, NULL, NULL, NULL, NO, NO},
    {"Q2", "2026-03-03T10:00:00+08:00", "fault", "F2", NULL, NULL, NULL, NULL, NULL, NO, NO},
    {"Q2", "2026-03-12T10:00:00+08:00", "resolved", "F2", NULL, NULL, NULL, NULL, NULL, NO, NO},
    {"Q3", "2026-03-04T10:00:00+08:00", "fault", "F3", NULL, NULL, NULL, NULL, NULL, NO, NO},
    {"U1", "2026-02-01T10:00:00+08:00", "purchase", "O1", NULL, NULL, NULL, NULL, NULL, NO, 100},
    {"U1", "2026-03-03T10:00:00+08:00", "contact", NULL, "A1", "phone", "answered", NULL, NULL, NO, NO},
    {"U1", "2026-03-10T10:00:00+08:00", "purchase", "O2", NULL, NULL, NULL, NULL, NULL, NO, 300},
    {"U1", "2026-04-10T10:00:00+08:00", "purchase", "O3", NULL, NULL, NULL, NULL, NULL, NO, 200},
    {"U2", "2026-02-02T10:00:00+08:00", "purchase", "O4", NULL, NULL, NULL, NULL, NULL, NO, 50},
    {"U2", "2026-03-04T10:00:00+08:00", "contact", NULL, "A1", "phone", "answered", NULL, NULL, NO, NO},
    {"U3", "2026-02-03T10:00:00+08:00", "purchase", "O5", NULL, NULL, NULL, NULL, NULL, NO, 80},
    {"U3", "2026-03-20T10:00:00+08:00", "purchase", "O6", NULL, NULL, NULL, NULL, NULL, NO, 100},
    {"U4", "2026-02-04T10:00:00+08:00", "purchase", "O7", NULL, NULL, NULL, NULL, NULL, NO, 60},
    {"U4", "2026-03-10T10:00:00+08:00", "contact", NULL, "A1", "phone", "no_answer", NULL, NULL, NO, NO},
    {"U4", "2026-03-11T10:00:00+08:00", "purchase", "O8", NULL, NULL, NULL, NULL, NULL, NO, 70},
    {"U5", "2026-02-05T10:00:00+08:00", "purchase", "O9", NULL, NULL, NULL, NULL, NULL, NO, 40},
};

static fu_kpi *uplift_engine(const fu_policy *p, double budget) {
    fu_kpi_options o = FU_KPI_OPTIONS_INIT;
    o.as_of = T("2026-06-01T00:00:00+08:00");
    o.contact_cost[FU_CHANNEL_PHONE] = 10;
    o.budget = budget;
    fu_kpi *k = NULL;
    cr_assert_eq(fu_kpi_new(&k, p, &o), FU_OK, "%s", fu_error_last()->message);
    add_events(k, ev_up, N(ev_up));
    return k;
}

Test(kpi, quality_closure_uplift_incremental_roi_and_budget) {
    fu_policy *p = builtin();
    fu_kpi *k = uplift_engine(p, 100);
    expect_prop(k, FU_KPI_QUALITY_CLOSURE, "2026-W10", NULL, 1, 3);
    const fu_kpi_figure *f = fig(k, FU_KPI_REPURCHASE_UPLIFT, "2026-W10", NULL);
    cr_expect_float_eq(f->value, -1.0 / 6.0, 1e-12);
    cr_expect_float_eq(f->n, 5, EPS);
    cr_expect_float_eq(f->target, 0.20, 1e-12);
    f = fig(k, FU_KPI_VALUE_UPLIFT, "2026-W10", NULL);
    cr_expect_float_eq(f->value, 150.0 / (170.0 / 3.0) - 1, 1e-12);
    f = fig(k, FU_KPI_ROI_INCREMENTAL, "2026-W10", NULL);
    cr_expect_float_eq(f->value, (150.0 - 170.0 / 3.0) * 2 / 20, 1e-9);
    cr_expect_eq(f->status, FU_KPI_STATUS_GREEN);
    cr_expect_str_eq(f->rule, "kpis.roi_incremental");
    f = fig(k, FU_KPI_ROI, "2026-W10", NULL);
    cr_expect_float_eq(f->value, 15.0, 1e-12);
    f = fig(k, FU_KPI_ROI, "2026-W11", NULL); /* the no-answer attempt earns nothing */
    cr_expect_float_eq(f->value, 0.0, 1e-12);
    f = fig(k, FU_KPI_BUDGET_OVERRUN, "2026-W10", NULL);
    cr_expect_float_eq(f->value, -0.8, 1e-12);
    cr_expect_eq(f->status, FU_KPI_STATUS_GREEN);
    fu_kpi_free(k);
    k = uplift_engine(p, 18);
    f = fig(k, FU_KPI_BUDGET_OVERRUN, "2026-W10", NULL);
    cr_expect_float_eq(f->value, 20.0 / 18.0 - 1, 1e-12);
    cr_expect_eq(f->status, FU_KPI_STATUS_RED);
    fu_kpi_free(k);
    /* grouped by agent: no uplift (the not-contacted customers have no agent) */
    k = engine(p, FU_KPI_WEEK, FU_KPI_BY_AGENT, "2026-06-01T00:00:00+08:00");
    add_events(k, ev_up, N(ev_up));
    size_t nfa;
    cr_assert_eq(fu_kpi_compute(k, &nfa), FU_OK);
    for (size_t i = 0; i < nfa; i++) cr_expect_neq(fu_kpi_figure_get(k, i)->kpi, FU_KPI_REPURCHASE_UPLIFT);
    fu_kpi_free(k);
    /* no budget: no figure (no data), never a green one */
    k = uplift_engine(p, 0);
    size_t n;
    cr_assert_eq(fu_kpi_compute(k, &n), FU_OK);
    cr_expect_null(fu_kpi_find(k, FU_KPI_BUDGET_OVERRUN, "2026-W10", NULL));
    fu_kpi_free(k);
    fu_policy_free(p);
    /* the attribution window is the policy's kpis.roi.window */
    static const char yaml[] = "extends: builtin\nkpis:\n  roi: {window: 40d}\n";
    fu_policy *q = NULL;
    cr_assert_eq(fu_policy_load_string(&q, yaml, strlen(yaml), NULL, NULL), FU_OK, "%s", fu_error_last()->message);
    k = uplift_engine(q, 0);
    f = fig(k, FU_KPI_ROI, "2026-W10", NULL);
    cr_expect_float_eq(f->value, 25.0, 1e-12);
    fu_kpi_free(k);
    fu_policy_free(q);
}

Test(kpi, budget_of_the_running_period_is_prorated) {
    /* as_of Wednesday 03-04 12:00 of W10: 2.5 of 7 days elapsed; spend 20
     * (U1's call; U2's is at 10:00 the same day: both before as_of) ->
     * budget 70 x 2.5 / 7 = 25, overrun 20 / 25 - 1 = -20% */
    fu_policy *p = builtin();
    fu_kpi_options o = FU_KPI_OPTIONS_INIT;
    o.as_of = T("2026-03-04T12:00:00+08:00");
    o.contact_cost[FU_CHANNEL_PHONE] = 10;
    o.budget = 70;
    fu_kpi *k = NULL;
    cr_assert_eq(fu_kpi_new(&k, p, &o), FU_OK);
    add_events(k, ev_up, N(ev_up));
    const fu_kpi_figure *f = fig(k, FU_KPI_BUDGET_OVERRUN, "2026-W10", NULL);
    cr_expect_float_eq(f->value, 20.0 / 25.0 - 1, 1e-12);
    fu_kpi_free(k);
    fu_policy_free(p);
}

/* ------------------------------------------------------------ caps as the planner applies them (issue 18) */

/* Built-in caps: min_gap 24h, exempt [urgent], weekly 3 per 7d, per_order 1
 * per 72h for priorities normal and low. Week 2026-W10.
 * K1: a 03-02 10:00 answered, order O1, normal     -> within every cap
 *     b 03-03 12:00 answered, order O1, high       -> per_order holds only normal/low: ok
 *                                                     (as normal: 2 calls of O1 in 72h)
 *     c 03-03 13:00 answered, urgent               -> exempt: ok (as normal: 1 h after b)
 *     d 03-05 14:00 no answer, normal              -> weekly: a, b, c (the urgent one
 *                                                     counts) and d = 4 > 3: over
 * K2: r1 03-02 10:00 no answer, normal; r2 03-02 12:00 answered, normal ->
 *     the gap runs from the last reached contact (none): ok.
 * With priorities: 1 of 6 over. Without (all normal): b, c, d -> 3 of 6. */
static const E ev_prio[] = {
    {"K1", "2026-03-02T10:00:00+08:00", "contact", "O1", "A1", "phone", "answered", NULL, NULL, NO, NO},
    {"K1", "2026-03-03T12:00:00+08:00", "contact", "O1", "A1", "phone", "answered", NULL, NULL, NO, NO},
    {"K1", "2026-03-03T13:00:00+08:00", "contact", NULL, "A1", "phone", "answered", NULL, NULL, NO, NO},
    {"K1", "2026-03-05T14:00:00+08:00", "contact", NULL, "A1", "phone", "no_answer", NULL, NULL, NO, NO},
    {"K2", "2026-03-02T10:00:00+08:00", "contact", NULL, "A1", "phone", "no_answer", NULL, NULL, NO, NO},
    {"K2", "2026-03-02T12:00:00+08:00", "contact", NULL, "A1", "phone", "answered", NULL, NULL, NO, NO},
};

/* One walk back over a contact's predecessors serves every cap
 * (kpi_pass.c, over_contact): each cap counts only the contacts in its own
 * window, and the walk goes as far back as the longest window. Built-in
 * policy (weekly 3 in 7 d, sms 2 in 3 d, per_order 1 in 72 h for one order,
 * min_gap 24 h; these customers have no purchase, so the new-customer caps
 * do not hold them), every contact answered, 2026-W10:
 *   O6 sms Mon 09:00, Tue 10:00, Thu 12:00: the 3 d window of Thursday's
 *      starts Mon 12:00, so Monday's is outside it: 2 sms (ok), 3 in 7 d (ok);
 *   O5 phone Mon 10:00, Tue 11:00, Wed 12:00, then sms Sun 09:00: no sms in
 *      its 3 d, but the 4th contact in 7 d -> over;
 *   O4 phone Mon 10:00 order X, Tue 11:00 order Y, Wed 12:00 order X: the
 *      per_order cap skips Y and finds Monday's X within 72 h -> over.
 * -> 2 over of 10. */
Test(kpi, one_walk_serves_caps_of_different_windows) {
    static const C cu[] = {{"O4", 5000, NULL}, {"O5", 5000, NULL}, {"O6", 5000, NULL}};
    static const E ev[] = {
        {"O6", "2026-03-02T09:00:00+08:00", "contact", NULL, "A1", "sms", "answered", NULL, NULL, NO, NO},
        {"O6", "2026-03-03T10:00:00+08:00", "contact", NULL, "A1", "sms", "answered", NULL, NULL, NO, NO},
        {"O6", "2026-03-05T12:00:00+08:00", "contact", NULL, "A1", "sms", "answered", NULL, NULL, NO, NO},
        {"O5", "2026-03-02T10:00:00+08:00", "contact", NULL, "A1", "phone", "answered", NULL, NULL, NO, NO},
        {"O5", "2026-03-03T11:00:00+08:00", "contact", NULL, "A1", "phone", "answered", NULL, NULL, NO, NO},
        {"O5", "2026-03-04T12:00:00+08:00", "contact", NULL, "A1", "phone", "answered", NULL, NULL, NO, NO},
        {"O5", "2026-03-08T09:00:00+08:00", "contact", NULL, "A1", "sms", "answered", NULL, NULL, NO, NO},
        {"O4", "2026-03-02T10:00:00+08:00", "contact", "X", "A1", "phone", "answered", NULL, NULL, NO, NO},
        {"O4", "2026-03-03T11:00:00+08:00", "contact", "Y", "A1", "phone", "answered", NULL, NULL, NO, NO},
        {"O4", "2026-03-04T12:00:00+08:00", "contact", "X", "A1", "phone", "answered", NULL, NULL, NO, NO},
    };
    fu_policy *p = builtin();
    fu_kpi *k = engine(p, FU_KPI_WEEK, 0, NULL);
    add_customers(k, cu, N(cu));
    add_events(k, ev, N(ev));
    expect_prop(k, FU_KPI_OVER_CONTACT, "2026-W10", NULL, 2, 10);
    fu_kpi_free(k);
    fu_policy_free(p);
}

/* A book whose events share their attribute records (here 8 contacts, 2
 * records: agent A1 or A2, phone, unanswered) has each record's agent label
 * found once per compute (kpi_store.c, fu__kpi_decode's cache): the
 * contacts still reach their own agents' cells, A1 5 and A2 3, alternating
 * within one customer. */
Test(kpi, labels_found_once_per_shared_record) {
    static const C cu[] = {{"O3", 5000, NULL}};
    static const char *const at[] = {"2026-03-02T10:00:00+08:00", "2026-03-02T12:00:00+08:00",
                                     "2026-03-03T10:00:00+08:00", "2026-03-03T12:00:00+08:00",
                                     "2026-03-04T10:00:00+08:00", "2026-03-04T12:00:00+08:00",
                                     "2026-03-05T10:00:00+08:00", "2026-03-06T10:00:00+08:00"};
    static const char *const agent[] = {"A1", "A2", "A1", "A2", "A1", "A2", "A1", "A1"};
    E ev[8];
    for (size_t i = 0; i < 8; i++) {
        E e = {"O3", at[i], "contact", NULL, agent[i], "phone", "no_answer", NULL, NULL, NO, NO};
        ev[i] = e;
    }
    fu_policy *p = builtin();
    fu_kpi *k = engine(p, FU_KPI_WEEK, FU_KPI_BY_AGENT, NULL);
    add_customers(k, cu, N(cu));
    add_events(k, ev, N(ev));
    cr_expect_float_eq(fig(k, FU_KPI_OVER_CONTACT, "2026-W10", "A1")->n, 5, EPS);
    cr_expect_float_eq(fig(k, FU_KPI_OVER_CONTACT, "2026-W10", "A2")->n, 3, EPS);
    fu_kpi_free(k);
    fu_policy_free(p);
}

Test(kpi, over_contact_follows_the_planners_cap_rules_by_priority) {
    static const fu_priority prio[] = {FU_PRIORITY_NORMAL, FU_PRIORITY_HIGH, FU_PRIORITY_URGENT,
                                       FU_PRIORITY_NORMAL, FU_PRIORITY_NORMAL, FU_PRIORITY_NORMAL};
    fu_policy *p = builtin();
    size_t n = N(ev_prio);
    fu_event_in *in = events_of(ev_prio, n);
    fu_kpi *k = engine(p, FU_KPI_WEEK, 0, "2026-04-01T00:00:00+08:00");
    cr_assert_eq(fu_kpi_add_events_priority(k, in, prio, n), FU_OK, "%s", fu_error_last()->message);
    expect_prop(k, FU_KPI_OVER_CONTACT, "2026-W10", NULL, 1, 6);
    fu_kpi_free(k);
    k = engine(p, FU_KPI_WEEK, 0, "2026-04-01T00:00:00+08:00");
    cr_assert_eq(fu_kpi_add_events_priority(k, in, NULL, n), FU_OK);
    expect_prop(k, FU_KPI_OVER_CONTACT, "2026-W10", NULL, 3, 6);
    fu_kpi_free(k);
    /* a priority out of range is refused, nothing added */
    k = engine(p, FU_KPI_WEEK, 0, "2026-04-01T00:00:00+08:00");
    fu_priority bad[] = {FU_PRIORITY_NORMAL, (fu_priority)7};
    cr_expect_eq(fu_kpi_add_events_priority(k, in, bad, 2), FU_EINVAL);
    cr_expect(strstr(fu_error_last()->message, "event 1") != NULL);
    size_t nf;
    cr_assert_eq(fu_kpi_compute(k, &nf), FU_OK);
    cr_expect_eq(nf, 0);
    fu_kpi_free(k);
    free(in);
    fu_policy_free(p);
}

/* ------------------------------------------------------------ conditions per customer */

/* Policy conditions on the customer (industry, tier SLA) and on the event
 * (severity) are resolved once per condition and customer (kpi_pass.c,
 * when_cached / sla_tmask): customers of different industries, tiers and
 * severities interleaved must each get their own verdict. Built-in policy,
 * weeks, as_of 2026-04-30.
 * Coverage: bank_large_sale (purchase, industry bank, high_price; follow-up
 *   within 7 working days) holds for B1 and B2 only, not R1 / R2 / V1: B1
 *   reached 03-03 (covered), B2 never -> 1/2 in the week of the window end
 *   (2026-W11). The fault cadence's first step is for urgent faults only: R1's
 *   urgent fault 03-04 09:00 with a reached contact 10:00 is due and covered;
 *   R2's and V1's normal faults are not due -> 1/1 in 2026-W10.
 * Timeliness (earlier of the tier's and the severity's SLA): R1 urgent 2h,
 *   reached after 1 h -> yes; R2 ordinary normal 24h, after 5 h -> yes; V1 vip
 *   2h, normal 24h -> 2h, after 5 h -> no: 2/3. */
Test(kpi, conditions_resolved_per_customer_and_event) {
    static const struct {
        const char *id, *industry;
        double spend;
    } cu[] = {{"B1", "bank", 5000}, {"R1", "retail", 5000}, {"B2", "bank", 5000}, {"R2", "retail", 5000},
              {"V1", "retail", 600000}};
    static const struct {
        const char *cust, *at;
        fu_event_kind kind;
        fu_severity sev;
    } ev[] = {
        {"B1", "2026-03-02T10:00:00+08:00", FU_EVENT_PURCHASE, FU_SEVERITY_NONE},
        {"B1", "2026-03-03T10:00:00+08:00", FU_EVENT_CONTACT, FU_SEVERITY_NONE},
        {"R1", "2026-03-02T10:00:00+08:00", FU_EVENT_PURCHASE, FU_SEVERITY_NONE},
        {"R1", "2026-03-04T09:00:00+08:00", FU_EVENT_FAULT, FU_SEVERITY_URGENT},
        {"R1", "2026-03-04T10:00:00+08:00", FU_EVENT_CONTACT, FU_SEVERITY_NONE},
        {"B2", "2026-03-02T10:00:00+08:00", FU_EVENT_PURCHASE, FU_SEVERITY_NONE},
        {"R2", "2026-03-02T10:00:00+08:00", FU_EVENT_PURCHASE, FU_SEVERITY_NONE},
        {"R2", "2026-03-04T09:00:00+08:00", FU_EVENT_FAULT, FU_SEVERITY_NORMAL},
        {"R2", "2026-03-04T14:00:00+08:00", FU_EVENT_CONTACT, FU_SEVERITY_NONE},
        {"V1", "2026-03-02T10:00:00+08:00", FU_EVENT_PURCHASE, FU_SEVERITY_NONE},
        {"V1", "2026-03-05T09:00:00+08:00", FU_EVENT_FAULT, FU_SEVERITY_NORMAL},
        {"V1", "2026-03-05T14:00:00+08:00", FU_EVENT_CONTACT, FU_SEVERITY_NONE},
    };
    fu_policy *p = builtin();
    fu_kpi *k = engine(p, FU_KPI_WEEK, 0, "2026-04-30T00:00:00+08:00");
    fu_customer c[N(cu)];
    for (size_t i = 0; i < N(cu); i++) {
        fu_customer_init(&c[i]);
        c[i].id = cu[i].id;
        c[i].tz = "Asia/Shanghai";
        c[i].annual_spend = cu[i].spend;
        c[i].industry = cu[i].industry;
    }
    cr_assert_eq(fu_kpi_add_customers(k, c, N(c)), FU_OK, "%s", fu_error_last()->message);
    fu_event_in in[N(ev)];
    for (size_t i = 0; i < N(ev); i++) {
        fu_event_in_init(&in[i]);
        in[i].customer_id = ev[i].cust;
        in[i].at = T(ev[i].at);
        in[i].kind = ev[i].kind;
        in[i].severity = ev[i].sev;
        if (ev[i].kind == FU_EVENT_PURCHASE) {
            in[i].product_class = "high_price";
            in[i].amount = 100;
        }
        if (ev[i].kind == FU_EVENT_CONTACT) {
            in[i].channel = FU_CHANNEL_PHONE;
            in[i].outcome = FU_OUTCOME_ANSWERED;
            in[i].agent_id = "A1";
        }
    }
    cr_assert_eq(fu_kpi_add_events(k, in, N(in)), FU_OK, "%s", fu_error_last()->message);
    expect_prop(k, FU_KPI_COVERAGE, "2026-W11", NULL, 1, 2);
    expect_prop(k, FU_KPI_COVERAGE, "2026-W10", NULL, 1, 1);
    expect_prop(k, FU_KPI_RESPONSE_TIMELINESS, "2026-W10", NULL, 2, 3);
    fu_kpi_free(k);
    fu_policy_free(p);
}

/* Groups are found through a direct index (agent or segment label x tier x
 * channel x product class) in front of the hashed group table, unless
 * grouped by both agent and segment. 300 agents (the index grows several
 * times), customer i answering i % 4 + 1 CSAT surveys (score 1 + i % 5) for
 * agent A<i> and one NPS answer for agent A<299 - i> (agents met in another
 * order): each agent's counts and means as written, and the totals the same
 * under every grouping, direct or hashed. */
Test(kpi, many_agents_through_the_direct_group_index) {
    enum { NA = 300 };
    static char cid[NA][8], aid[NA][8], at[4][32];
    E *ev = calloc(NA * 5, sizeof *ev);
    size_t n = 0;
    for (int d = 0; d < 4; d++) snprintf(at[d], sizeof at[d], "2026-03-0%dT10:00:00+08:00", d + 2);
    for (int i = 0; i < NA; i++) {
        snprintf(cid[i], sizeof cid[i], "X%d", i);
        snprintf(aid[i], sizeof aid[i], "A%d", i);
    }
    for (int i = 0; i < NA; i++) {
        for (int j = 0; j <= i % 4; j++)
            ev[n++] = (E){cid[i], at[j], "survey", NULL, aid[i], "phone", NULL, NULL, "csat", 1 + i % 5, NO};
        ev[n++] = (E){cid[i], at[3], "survey", NULL, aid[NA - 1 - i], "sms", NULL, NULL, "nps", 10, NO};
    }
    static const unsigned bys[] = {FU_KPI_BY_AGENT, FU_KPI_BY_AGENT | FU_KPI_BY_TIER,
                                   FU_KPI_BY_AGENT | FU_KPI_BY_CHANNEL | FU_KPI_BY_PRODUCT_CLASS,
                                   FU_KPI_BY_AGENT | FU_KPI_BY_SEGMENT, FU_KPI_BY_CHANNEL, 0};
    fu_policy *p = builtin();
    for (size_t b = 0; b < N(bys); b++) {
        fu_kpi *k = engine(p, FU_KPI_WEEK, bys[b], "2026-05-31T00:00:00+08:00");
        add_events(k, ev, n);
        size_t nf = 0;
        cr_assert_eq(fu_kpi_compute(k, &nf), FU_OK);
        const fu_kpi_figure *f = fu_kpi_figures(k, &nf);
        double csat_n = 0, csat_s = 0, nps_n = 0;
        size_t csat_groups = 0, by_n[5] = {0};
        for (size_t i = 0; i < nf; i++) {
            if (strcmp(f[i].period, "2026-W10") != 0) continue;
            if (f[i].kpi == FU_KPI_CSAT) {
                csat_n += f[i].n, csat_s += f[i].n * f[i].value;
                csat_groups++;
                if (f[i].n <= 4) by_n[(int)f[i].n]++;
            }
            if (f[i].kpi == FU_KPI_NPS) nps_n += f[i].n;
        }
        /* 75 customers each answering 1, 2, 3 and 4 times: 750 answers;
         * scores 1 + i % 5 */
        double want_s = 0;
        for (int i = 0; i < NA; i++) want_s += (i % 4 + 1) * (1 + i % 5);
        cr_assert_float_eq(csat_n, 750, EPS, "by %u", bys[b]);
        cr_assert_float_eq(csat_s, want_s, 1e-6, "by %u", bys[b]);
        cr_assert_float_eq(nps_n, NA, EPS, "by %u", bys[b]);
        if (bys[b] & FU_KPI_BY_AGENT) { /* one group an agent: 75 agents with each count */
            cr_assert_eq(csat_groups, NA, "by %u", bys[b]);
            for (int c = 1; c <= 4; c++) cr_assert_eq(by_n[c], NA / 4, "by %u: %zu groups of %d", bys[b], by_n[c], c);
        } else {
            cr_assert_eq(csat_groups, 1, "by %u", bys[b]);
        }
        if (bys[b] == FU_KPI_BY_AGENT)
            for (int i = 0; i < NA; i += 37) {
                const fu_kpi_figure *g = fig(k, FU_KPI_CSAT, "2026-W10", aid[i]);
                cr_assert_float_eq(g->n, i % 4 + 1, EPS, "agent %s", aid[i]);
                cr_assert_float_eq(g->value, 1 + i % 5, EPS, "agent %s", aid[i]);
                cr_assert_float_eq(fig(k, FU_KPI_NPS, "2026-W10", aid[i])->n, 1, EPS);
            }
        fu_kpi_free(k);
    }
    free(ev);
    fu_policy_free(p);
}

/* An issue's proportions reach its cell as one unit (lib/kpi_pass.c,
 * U_ISSUE); a complaint blamed on a follow-up by another agent puts that
 * proportion in the other agent's cell. By agent, week 2026-W10, as_of far
 * after every window:
 *   Q1 fault 03-02 09:00, A1 answers 10:00, resolved by A1 12:00: cell A1
 *      (the reaching contact's): resolution 1/1, quality closure 1/1 (3 h
 *      < 7 d), FCR 1/1 (resolved in the window, no other issue), timeliness
 *      counted once.
 *   Q2 A2 answers 03-03 09:00, complaint 11:00, resolved by A3 15:00, no
 *      later contact: cell A3 (the resolver's): resolution 1/1, feedback
 *      closure 0/1 (no contact after the resolution), repeat 0/1, no FCR
 *      (never reached after the complaint), timeliness 0/1 (no response);
 *      the complaint came 2 h after A2's call: follow-up complaint 1/1 in A2.
 *   Q3 A4 answers 03-04 09:00, complaint 11:00, A4 answers 16:00, never
 *      resolved: cell A4, the follow-up complaint in the same cell 1/1,
 *      resolution 0/1, FCR 0/1, feedback closure 0/1, repeat 0/1. */
Test(kpi, proportions_of_one_issue_reach_their_cells_together) {
    static const E ev[] = {
        {"Q1", "2026-03-02T09:00:00+08:00", "fault", NULL, NULL, NULL, NULL, "normal", NULL, NO, NO},
        {"Q1", "2026-03-02T10:00:00+08:00", "contact", NULL, "A1", "phone", "answered", NULL, NULL, NO, NO},
        {"Q1", "2026-03-02T12:00:00+08:00", "resolved", NULL, "A1", NULL, NULL, NULL, NULL, NO, NO},
        {"Q2", "2026-03-03T09:00:00+08:00", "contact", NULL, "A2", "phone", "answered", NULL, NULL, NO, NO},
        {"Q2", "2026-03-03T11:00:00+08:00", "complaint", NULL, NULL, NULL, NULL, NULL, NULL, NO, NO},
        {"Q2", "2026-03-03T15:00:00+08:00", "resolved", NULL, "A3", NULL, NULL, NULL, NULL, NO, NO},
        {"Q3", "2026-03-04T09:00:00+08:00", "contact", NULL, "A4", "phone", "answered", NULL, NULL, NO, NO},
        {"Q3", "2026-03-04T11:00:00+08:00", "complaint", NULL, NULL, NULL, NULL, NULL, NULL, NO, NO},
        {"Q3", "2026-03-04T16:00:00+08:00", "contact", NULL, "A4", "phone", "answered", NULL, NULL, NO, NO},
    };
    fu_policy *p = builtin();
    fu_kpi *k = engine(p, FU_KPI_WEEK, FU_KPI_BY_AGENT, "2026-05-31T00:00:00+08:00");
    add_events(k, ev, N(ev));
    const char *w = "2026-W10";
    expect_prop(k, FU_KPI_RESOLUTION, w, "A1", 1, 1);
    expect_prop(k, FU_KPI_QUALITY_CLOSURE, w, "A1", 1, 1);
    expect_prop(k, FU_KPI_FIRST_CONTACT_RESOLUTION, w, "A1", 1, 1);
    cr_expect_float_eq(fig(k, FU_KPI_RESPONSE_TIMELINESS, w, "A1")->n, 1, EPS);
    expect_prop(k, FU_KPI_RESOLUTION, w, "A3", 1, 1);
    expect_prop(k, FU_KPI_FEEDBACK_CLOSURE, w, "A3", 0, 1);
    expect_prop(k, FU_KPI_REPEAT_COMPLAINTS, w, "A3", 0, 1);
    expect_prop(k, FU_KPI_RESPONSE_TIMELINESS, w, "A3", 0, 1);
    expect_prop(k, FU_KPI_FOLLOW_UP_COMPLAINTS, w, "A2", 1, 1);
    expect_prop(k, FU_KPI_FOLLOW_UP_COMPLAINTS, w, "A4", 1, 1);
    expect_prop(k, FU_KPI_RESOLUTION, w, "A4", 0, 1);
    expect_prop(k, FU_KPI_FIRST_CONTACT_RESOLUTION, w, "A4", 0, 1);
    expect_prop(k, FU_KPI_FEEDBACK_CLOSURE, w, "A4", 0, 1);
    expect_prop(k, FU_KPI_REPEAT_COMPLAINTS, w, "A4", 0, 1);
    /* nothing of the issues elsewhere */
    const fu_kpi_figure *f = fu_kpi_find(k, FU_KPI_FIRST_CONTACT_RESOLUTION, w, "A3");
    cr_expect(!f || f->n == 0);
    f = fu_kpi_find(k, FU_KPI_RESOLUTION, w, "A2");
    cr_expect(!f || f->n == 0);
    f = fu_kpi_find(k, FU_KPI_FOLLOW_UP_COMPLAINTS, w, "A3");
    cr_expect(!f || f->n == 0);
    f = fu_kpi_find(k, FU_KPI_QUALITY_CLOSURE, w, "A3");
    cr_expect(!f || f->n == 0);
    fu_kpi_free(k);
    fu_policy_free(p);
}

/* Churn ranges of one customer that meet (lib/kpi_pass.c, add_churn_range:
 * the -1 of a range and the +1 of the next in the same cell are both left
 * out) give the same active counts. By month, as_of 2026-06-30, churn after
 * 365 days without a purchase:
 *   P1 buys 2025-01-10, 03-10, 05-10: active from February 2025 (the first
 *      period start after its first purchase) to May 2026, churns
 *      2026-05-10.
 *   P2 buys 2025-01-20 and 01-25 (no period start between them): active
 *      February 2025 to January 2026, churns 2026-01-25.
 * Feb 2025 0/2, Apr 2025 0/2 (where P1's first two ranges meet), Jun 2025
 * 0/2, Jan 2026 1/2, Feb 2026 0/1, May 2026 1/1, nobody active in June 2026. */
Test(kpi, churn_ranges_that_meet_count_each_customer_once) {
    static const E ev[] = {
        {"P1", "2025-01-10T10:00:00+08:00", "purchase", NULL, NULL, NULL, NULL, NULL, NULL, NO, 100},
        {"P1", "2025-03-10T10:00:00+08:00", "purchase", NULL, NULL, NULL, NULL, NULL, NULL, NO, 100},
        {"P1", "2025-05-10T10:00:00+08:00", "purchase", NULL, NULL, NULL, NULL, NULL, NULL, NO, 100},
        {"P2", "2025-01-20T10:00:00+08:00", "purchase", NULL, NULL, NULL, NULL, NULL, NULL, NO, 100},
        {"P2", "2025-01-25T10:00:00+08:00", "purchase", NULL, NULL, NULL, NULL, NULL, NULL, NO, 100},
    };
    fu_policy *p = builtin();
    fu_kpi *k = engine(p, FU_KPI_MONTH, 0, "2026-06-30T00:00:00+08:00");
    add_events(k, ev, N(ev));
    expect_prop(k, FU_KPI_CHURN, "2025-02", NULL, 0, 2);
    expect_prop(k, FU_KPI_CHURN, "2025-04", NULL, 0, 2);
    expect_prop(k, FU_KPI_CHURN, "2025-06", NULL, 0, 2);
    expect_prop(k, FU_KPI_CHURN, "2026-01", NULL, 1, 2);
    expect_prop(k, FU_KPI_CHURN, "2026-02", NULL, 0, 1);
    expect_prop(k, FU_KPI_CHURN, "2026-05", NULL, 1, 1);
    const fu_kpi_figure *f = fu_kpi_find(k, FU_KPI_CHURN, "2025-01", NULL);
    cr_expect(!f || f->n == 0);
    f = fu_kpi_find(k, FU_KPI_CHURN, "2026-06", NULL);
    cr_expect(!f || f->n == 0);
    fu_kpi_free(k);
    fu_policy_free(p);
}

/* Churn's active counts run along each group's periods (lib/kpi_figures.c,
 * cells_by_group: the cells in (group, period) order by two counting
 * sorts), though the cells were made in another order: by tier, the
 * ordinary P1 and P2 of the test above (P2's cells come after P1's later
 * ones) and the vip V1, buying 2025-03-10: active April 2025 to March 2026,
 * churns 2026-03-10. Ordinary as above; vip Apr 2025 0/1, Feb 2026 0/1,
 * Mar 2026 1/1, nobody active in March 2025 or April 2026. Fails when the
 * cells are ordered by period alone (the groups' counts mix) or by group
 * alone (P2's counts are added out of turn). */
Test(kpi, churn_counts_along_each_groups_periods) {
    static const C cu[] = {{"P1", 5000, NULL}, {"P2", 5000, NULL}, {"V1", 600000, NULL}};
    static const E ev[] = {
        {"P1", "2025-01-10T10:00:00+08:00", "purchase", NULL, NULL, NULL, NULL, NULL, NULL, NO, 100},
        {"P1", "2025-03-10T10:00:00+08:00", "purchase", NULL, NULL, NULL, NULL, NULL, NULL, NO, 100},
        {"P1", "2025-05-10T10:00:00+08:00", "purchase", NULL, NULL, NULL, NULL, NULL, NULL, NO, 100},
        {"P2", "2025-01-20T10:00:00+08:00", "purchase", NULL, NULL, NULL, NULL, NULL, NULL, NO, 100},
        {"P2", "2025-01-25T10:00:00+08:00", "purchase", NULL, NULL, NULL, NULL, NULL, NULL, NO, 100},
        {"V1", "2025-03-10T10:00:00+08:00", "purchase", NULL, NULL, NULL, NULL, NULL, NULL, NO, 100},
    };
    fu_policy *p = builtin();
    fu_kpi *k = engine(p, FU_KPI_MONTH, FU_KPI_BY_TIER, "2026-06-30T00:00:00+08:00");
    add_customers(k, cu, N(cu));
    add_events(k, ev, N(ev));
    expect_prop(k, FU_KPI_CHURN, "2025-02", "ordinary", 0, 2);
    expect_prop(k, FU_KPI_CHURN, "2025-04", "ordinary", 0, 2);
    expect_prop(k, FU_KPI_CHURN, "2025-06", "ordinary", 0, 2);
    expect_prop(k, FU_KPI_CHURN, "2026-01", "ordinary", 1, 2);
    expect_prop(k, FU_KPI_CHURN, "2026-02", "ordinary", 0, 1);
    expect_prop(k, FU_KPI_CHURN, "2026-05", "ordinary", 1, 1);
    expect_prop(k, FU_KPI_CHURN, "2025-04", "vip", 0, 1);
    expect_prop(k, FU_KPI_CHURN, "2026-02", "vip", 0, 1);
    expect_prop(k, FU_KPI_CHURN, "2026-03", "vip", 1, 1);
    const fu_kpi_figure *f = fu_kpi_find(k, FU_KPI_CHURN, "2025-03", "vip");
    cr_expect(!f || f->n == 0);
    f = fu_kpi_find(k, FU_KPI_CHURN, "2026-04", "vip");
    cr_expect(!f || f->n == 0);
    fu_kpi_free(k);
    fu_policy_free(p);
}

/* In the dense mode the pass names a cell by its key (group x period) and
 * an existence bit, not by the dense index (lib/kpi_pass.c, cell_pg); past
 * 2^25 index entries the cells move to a hash table, and the keys handed
 * out before must still name their cells. Daily periods from 2016-01-04 to
 * as_of 2026-06-01 (3,802 days), by agent: X0..X8191 each one answered
 * call from agent A<i> on 2025-06-02 (8,192 groups), X0 also one on
 * 2016-01-04. XS (last): a call not answered from A0 on 2025-06-02 08:00
 * (a key: before the move), then planned items due that day at 10:00 (A0),
 * 11:00 (NEW: the 8,193rd group, so the move) and 12:00 (A0 again: an
 * index now). Coverage of XS in (2025-06-02, A0): one customer, not met,
 * although its two items were found under a key and an index; A0's calls
 * that day: 2 (X0's and XS's). */
Test(kpi, cells_named_by_key_survive_the_move_to_the_hash_table) {
    enum { NA = 8192 };
    static char cid[NA][8], aid[NA][8];
    E *ev = calloc(NA + 2, sizeof *ev);
    size_t n = 0;
    ev[n++] = (E){"X0", "2016-01-04T10:00:00+08:00", "contact", NULL, "A0", "phone", "answered", NULL, NULL, NO, NO};
    for (int i = 0; i < NA; i++) {
        snprintf(cid[i], sizeof cid[i], "X%d", i);
        snprintf(aid[i], sizeof aid[i], "A%d", i);
        ev[n++] = (E){cid[i], "2025-06-02T09:00:00+08:00", "contact", NULL, aid[i], "phone", "answered", NULL, NULL, NO, NO};
    }
    ev[n++] = (E){"XS", "2025-06-02T08:00:00+08:00", "contact", NULL, "A0", "phone", "no_answer", NULL, NULL, NO, NO};
    fu_policy *p = builtin();
    fu_kpi *k = engine(p, FU_KPI_DAY, FU_KPI_BY_AGENT, "2026-06-01T00:00:00+08:00");
    add_events(k, ev, n);
    fu_kpi_due due[] = {
        {"XS", FU_KPI_NO_TIME, T("2025-06-02T10:00:00+08:00"), "A0"},
        {"XS", FU_KPI_NO_TIME, T("2025-06-02T11:00:00+08:00"), "NEW"},
        {"XS", FU_KPI_NO_TIME, T("2025-06-02T12:00:00+08:00"), "A0"},
    };
    cr_assert_eq(fu_kpi_add_due(k, due, 3), FU_OK);
    expect_prop(k, FU_KPI_COVERAGE, "2025-06-02", "A0", 0, 1);
    expect_prop(k, FU_KPI_COVERAGE, "2025-06-02", "NEW", 0, 1);
    cr_expect_float_eq(fig(k, FU_KPI_OVER_CONTACT, "2025-06-02", "A0")->n, 2, EPS);
    cr_expect_float_eq(fig(k, FU_KPI_OVER_CONTACT, "2016-01-04", "A0")->n, 1, EPS);
    for (int i = 1; i < NA; i += 1023) cr_expect_float_eq(fig(k, FU_KPI_OVER_CONTACT, "2025-06-02", aid[i])->n, 1, EPS);
    fu_kpi_free(k);
    free(ev);
    fu_policy_free(p);
}

/* Cadences whose condition or first step names what the engine cannot see
 * are left out of coverage once, when the trigger lists are made (not per
 * event). Built-in policy, week 2026-W10, as_of 2026-04-30:
 *   D1 NPS answer 3 on 03-02 10:00, never called: the detractor cadence
 *      (its steps name survey answers) gives no due item, so no coverage
 *      figure for D1's tier at all;
 *   F1 fault (urgent) 03-03 09:00, answered 10:30, never resolved: the
 *      fault cadence's "urgent_response" [09:00, +2h] is met; fault_escalation
 *      (when: unresolved) would add [+48h, +72h], never reached: 1/1. */
Test(kpi, cadences_the_engine_cannot_see_give_no_due_items) {
    static const C cu[] = {{"D1", 600000, NULL}, {"F1", 5000, NULL}};
    static const E ev[] = {
        {"D1", "2026-03-02T10:00:00+08:00", "survey", NULL, NULL, NULL, NULL, NULL, "nps", 3, NO},
        {"F1", "2026-03-03T09:00:00+08:00", "fault", NULL, NULL, NULL, NULL, "urgent", NULL, NO, NO},
        {"F1", "2026-03-03T10:30:00+08:00", "contact", NULL, "A1", "phone", "answered", NULL, NULL, NO, NO},
    };
    fu_policy *p = builtin();
    fu_kpi *k = engine(p, FU_KPI_WEEK, FU_KPI_BY_TIER, "2026-04-30T00:00:00+08:00");
    add_customers(k, cu, N(cu));
    add_events(k, ev, N(ev));
    expect_prop(k, FU_KPI_COVERAGE, "2026-W10", "ordinary", 1, 1);
    cr_expect_null(fu_kpi_find(k, FU_KPI_COVERAGE, "2026-W10", "vip"));
    cr_expect_not_null(fu_kpi_find(k, FU_KPI_NPS, "2026-W10", "vip"));
    fu_kpi_free(k);
    fu_policy_free(p);
}
