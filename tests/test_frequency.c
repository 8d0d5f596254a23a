/* fu_frequency: the hazard table against hand-computed shrinkage, monotone
 * smoothing and its test, empty and one-contact segments, the book's contact
 * history (episodes, gaps, loads, outcomes, errors), the UCI bank data
 * (counts, hold-out against a constant and a per-k table), caps and
 * spacing, the policy fragment loaded over the built-in policy, OOM. */
#include "fu_test.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BANK FU_TEST_BINDIR "/data/bank-marketing/bank-full.csv"

static fu_frequency_attempt att(uint32_t cust, uint32_t seg, uint32_t k, float gap, int pos) {
    fu_frequency_attempt a;
    memset(&a, 0, sizeof a);
    a.customer = cust;
    a.segment = seg;
    a.k = k;
    a.gap_days = gap;
    a.positive = (uint8_t)pos;
    return a;
}

/* n attempts at (seg, k) with x positives, appended to a. */
static size_t add_cell(fu_frequency_attempt *a, size_t at, uint32_t seg, uint32_t k, int n, int x) {
    for (int i = 0; i < n; i++, at++)
        a[at] = att((uint32_t)at, seg, k, k == 1 ? FU_FREQUENCY_GAP_NONE : FU_FREQUENCY_GAP_UNKNOWN, i < x);
    return at;
}

static fu_frequency *fit(const fu_frequency_attempt *a, size_t n, size_t S, const char *const *names,
                         const fu_frequency_options *o) {
    fu_frequency *m = NULL;
    int rc = fu_frequency_fit(&m, a, n, NULL, names, S, o);
    cr_assert_eq(rc, FU_OK, "fit: %s", fu_error_last()->message);
    return m;
}

/* Cells of attempts (segment, k, attempts, positives) of one segment or
 * several, fitted with at most `max_k` bins (0: the default) and `flags`. */
typedef struct cell {
    uint32_t seg, k;
    int n, x;
} cell;

static fu_frequency *fit_cells(const cell *c, size_t nc, size_t S, const char *const *names, uint32_t max_k,
                               unsigned flags) {
    size_t total = 0;
    for (size_t i = 0; i < nc; i++) total += (size_t)c[i].n;
    fu_frequency_attempt *a = malloc(total * sizeof *a);
    cr_assert_not_null(a);
    size_t n = 0;
    for (size_t i = 0; i < nc; i++) n = add_cell(a, n, c[i].seg, c[i].k, c[i].n, c[i].x);
    fu_frequency_options o = FU_FREQUENCY_OPTIONS_INIT;
    if (max_k) o.max_k = max_k;
    o.flags = flags;
    fu_frequency *m = fit(a, n, S, names, &o);
    free(a);
    return m;
}

/* The recommendations of `m` at `value` per positive outcome and `phone_cost`
 * per call, into *r (n of them). */
static void recommend(const fu_frequency *m, fu_frequency_recommend_options *ro, double value, double phone_cost,
                      fu_frequency_recommendation **r, size_t *n) {
    ro->value = value;
    ro->contact_cost[FU_CHANNEL_PHONE] = phone_cost;
    cr_assert_eq(fu_frequency_recommend(m, ro, r, n), FU_OK, "%s", fu_error_last()->message);
}

static void assert_finite(const fu_frequency_estimate *e) {
    cr_assert(isfinite(e->p) && isfinite(e->lo) && isfinite(e->hi), "%g %g %g", e->p, e->lo, e->hi);
    cr_assert(e->lo <= e->p + 1e-15 && e->p <= e->hi + 1e-15 && e->lo >= 0 && e->hi <= 1);
}

/* Two segments, K = 3, no monotone step. Expected values from the formulas
 * of docs/frequency.md worked by hand (r = 5.5/33; mu_k = (X_k + r/2) /
 * (N_k + 1/2); pooled strength 43.68, capped at N_k + 1). */
Test(frequency, shrinkage_matches_hand_computation) {
    fu_frequency_attempt a[64];
    size_t n = 0;
    n = add_cell(a, n, 0, 1, 10, 3);
    n = add_cell(a, n, 0, 2, 5, 1);
    n = add_cell(a, n, 0, 3, 2, 0);
    n = add_cell(a, n, 1, 1, 10, 1);
    n = add_cell(a, n, 1, 2, 5, 0);
    fu_frequency_options o = FU_FREQUENCY_OPTIONS_INIT;
    o.max_k = 3;
    o.flags = FU_FREQUENCY_NO_MONOTONE;
    fu_frequency *m = fit(a, n, 2, NULL, &o);
    static const double want[2][3] = {{0.231707317073, 0.133432539683, 0.020000000000},
                                      {0.167191188041, 0.070932539683, 0.033333333333}};
    for (size_t s = 0; s < 2; s++)
        for (uint32_t k = 1; k <= 3; k++) {
            fu_frequency_estimate e;
            cr_assert_eq(fu_frequency_hazard(m, s, k, NAN, &e), FU_OK);
            cr_assert_float_eq(e.p, want[s][k - 1], 1e-10, "segment %zu k %u: %.12f", s, k, e.p);
            assert_finite(&e);
        }
    /* k beyond the last bin shares it */
    fu_frequency_estimate e3, e9;
    fu_frequency_hazard(m, 0, 3, NAN, &e3);
    fu_frequency_hazard(m, 0, 9, NAN, &e9);
    cr_assert_eq(e3.p, e9.p);
    /* the interval is the Beta(mean * 31, (1 - mean) * 31) 90% interval */
    fu_frequency_estimate e;
    fu_frequency_hazard(m, 0, 1, NAN, &e);
    double lo, hi;
    fu_besttime_beta_quantile(0.05, want[0][0] * 31, (1 - want[0][0]) * 31, &lo);
    fu_besttime_beta_quantile(0.95, want[0][0] * 31, (1 - want[0][0]) * 31, &hi);
    cr_assert_float_eq(e.lo, lo, 1e-12);
    cr_assert_float_eq(e.hi, hi, 1e-12);
    cr_assert_str_eq(fu_frequency_segment_name(m, 1), "1");
    cr_assert_eq(fu_frequency_is_monotone(m), 0);
    fu_frequency_free(m);
}

/* A small violation (k = 3 above k = 2 by noise) is pooled; a strong rise is
 * kept unless forced. */
Test(frequency, monotone_where_the_data_say_so) {
    static const cell c[] = {{0, 1, 1000, 200}, {0, 2, 1000, 100}, {0, 3, 1000, 104}};
    fu_frequency *m = fit_cells(c, 3, 1, NULL, 3, 0);
    cr_assert_eq(fu_frequency_is_monotone(m), 1);
    fu_frequency_estimate e2, e3;
    fu_frequency_hazard(m, 0, 2, NAN, &e2);
    fu_frequency_hazard(m, 0, 3, NAN, &e3);
    cr_assert_float_eq(e2.p, e3.p, 1e-12, "pooled block: %g %g", e2.p, e3.p);
    cr_assert_float_eq(e2.p, 0.102, 2e-4);
    fu_frequency_free(m);

    static const cell rise[] = {{0, 1, 1000, 50}, {0, 2, 1000, 150}, {0, 3, 1000, 300}};
    m = fit_cells(rise, 3, 1, NULL, 3, 0);
    cr_assert_eq(fu_frequency_is_monotone(m), 0, "a clear rise is not forced down");
    fu_frequency_hazard(m, 0, 3, NAN, &e3);
    cr_assert_float_eq(e3.p, 0.3, 1e-3);
    fu_frequency_free(m);
    m = fit_cells(rise, 3, 1, NULL, 3, FU_FREQUENCY_FORCE_MONOTONE);
    cr_assert_eq(fu_frequency_is_monotone(m), 1);
    fu_frequency_hazard(m, 0, 1, NAN, &e2);
    fu_frequency_hazard(m, 0, 3, NAN, &e3);
    cr_assert_float_eq(e2.p, e3.p, 1e-12);
    fu_frequency_free(m);
}

/* Segment 1 has no attempt, segment 2 one; nothing is NaN or infinite. */
Test(frequency, empty_and_one_contact_segments_stay_finite) {
    fu_frequency_attempt a[3] = {att(1, 0, 1, FU_FREQUENCY_GAP_NONE, 0), att(1, 0, 2, 2.0f, 1),
                                 att(2, 2, 1, FU_FREQUENCY_GAP_NONE, 0)};
    const char *names[] = {"vip", "key", "ordinary"};
    fu_frequency *m = fit(a, 3, 3, names, NULL);
    for (size_t s = 0; s < 3; s++) {
        for (uint32_t k = 1; k <= 12; k++) {
            fu_frequency_estimate e;
            cr_assert_eq(fu_frequency_hazard(m, s, k, (double)k, &e), FU_OK);
            assert_finite(&e);
        }
        fu_frequency_estimate q;
        cr_assert_eq(fu_frequency_negative(m, s, 3, 5, 9, &q), FU_OK);
        assert_finite(&q);
    }
    char *csv = NULL;
    size_t clen = 0;
    cr_assert_eq(fu_frequency_write_curves(m, FU_FREQUENCY_CSV, &clen, &csv), FU_OK);
    cr_assert_eq(clen, strlen(csv));
    cr_assert_null(strstr(csv, "nan"));
    cr_assert_null(strstr(csv, "inf"));
    fu_free(csv);
    fu_frequency_recommend_options ro = FU_FREQUENCY_RECOMMEND_OPTIONS_INIT;
    fu_frequency_recommendation *r = NULL;
    size_t nr = 0;
    recommend(m, &ro, 100, 1, &r, &nr);
    cr_assert_eq(nr, 3);
    for (size_t i = 0; i < nr; i++) cr_assert(isfinite(r[i].expected_net) && isfinite(r[i].break_even));
    /* the empty segment has no series: no cap beyond its data */
    cr_assert_eq(r[1].cap, 0);
    fu_free(r);
    fu_frequency_free(m);
}

Test(frequency, bad_input_is_an_error) {
    fu_frequency *m = (fu_frequency *)1;
    cr_assert_eq(fu_frequency_fit(&m, NULL, 0, NULL, NULL, 1, NULL), FU_EINVAL);
    cr_assert_null(m);
    cr_assert(strstr(fu_error_last()->message, "no contact attempt"));
    fu_frequency_attempt a[2] = {att(0, 0, 1, 0, 1), att(0, 5, 2, 1, 0)};
    cr_assert_eq(fu_frequency_fit(&m, a, 2, NULL, NULL, 2, NULL), FU_EINVAL);
    cr_assert(strstr(fu_error_last()->message, "attempt 1: segment 5"), "%s", fu_error_last()->message);
    a[1].segment = 0;
    a[1].k = 0;
    cr_assert_eq(fu_frequency_fit(&m, a, 2, NULL, NULL, 2, NULL), FU_EINVAL);
    uint8_t all[2] = {1, 1};
    a[1].k = 2;
    cr_assert_eq(fu_frequency_fit(&m, a, 2, all, NULL, 1, NULL), FU_EINVAL, "all held out");
    fu_frequency_options o = FU_FREQUENCY_OPTIONS_INIT;
    o.level = 1.5;
    cr_assert_eq(fu_frequency_fit(&m, a, 2, NULL, NULL, 1, &o), FU_EINVAL);
    m = fit(a, 2, 1, NULL, NULL);
    fu_frequency_recommend_options ro = FU_FREQUENCY_RECOMMEND_OPTIONS_INIT;
    fu_frequency_recommendation *r = NULL;
    size_t nr;
    cr_assert_eq(fu_frequency_recommend(m, &ro, &r, &nr), FU_EINVAL, "value 0");
    ro.value = 10;
    ro.contact_cost[FU_CHANNEL_SMS] = -1;
    cr_assert_eq(fu_frequency_recommend(m, &ro, &r, &nr), FU_EINVAL, "negative cost");
    fu_frequency_estimate e;
    cr_assert_eq(fu_frequency_hazard(m, 1, 1, NAN, &e), FU_EINVAL);
    cr_assert_eq(fu_frequency_hazard(m, 0, 0, NAN, &e), FU_EINVAL);
    fu_frequency_free(m);
}

/* ------------------------------------------------------------ the book */

static fu_book *book_of(const char *events) {
    static const char customers[] = "customer_id,tz\nc1,Asia/Shanghai\nc2,Asia/Shanghai\n";
    fu_book *b = NULL;
    cr_assert_eq(fu_book_new(&b, NULL), FU_OK);
    cr_assert_eq(fu_book_read_customers_csv_from_string(b, customers, strlen(customers), "<c>"), FU_OK);
    cr_assert_eq(fu_book_read_events_csv_from_string(b, events, strlen(events), "<e>"), FU_OK, "%s",
                 fu_error_last()->message);
    return b;
}

Test(frequency, book_history_gives_episodes_gaps_loads_and_outcomes) {
    static const char ev[] =
        "customer_id,at,kind,channel,outcome\n"
        "c1,2026-03-01T10:00:00+08:00,contact,phone,no_answer\n"
        "c1,2026-03-02T10:00:00+08:00,contact,phone,refused\n"
        "c1,2026-03-03T10:00:00+08:00,contact,phone,answered\n"
        "c1,2026-03-03T12:00:00+08:00,complaint,,\n"
        "c1,2026-03-05T10:00:00+08:00,contact,phone,no_answer\n"
        "c1,2026-03-06T10:00:00+08:00,contact,sms,\n"
        "c1,2026-08-01T10:00:00+08:00,contact,phone,no_answer\n"
        "c2,2026-03-01T10:00:00+08:00,contact,phone,voicemail\n";
    fu_book *b = book_of(ev);
    fu_frequency_attempt *a = NULL;
    size_t n = 0;
    cr_assert_eq(fu_frequency_attempts_from_book(&a, &n, b, NULL, NULL), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(n, 6, "the sms contact without an outcome is no attempt");
    /* k, gap, loads (72h, 7d, 30d), positive, negative */
    static const struct { uint32_t cust, k; float gap; unsigned l72, l7, l30; int pos, neg; } want[] = {
        {0, 1, -1, 1, 1, 1, 0, 0}, {0, 2, 1, 2, 2, 2, 0, 1}, {0, 3, 1, 3, 3, 3, 1, 1},
        {0, 1, 2, 2, 4, 4, 0, 0},  {0, 1, 148, 1, 1, 1, 0, 0}, {1, 1, -1, 1, 1, 1, 0, 0}};
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(a[i].customer, want[i].cust, "row %zu", i);
        cr_assert_eq(a[i].k, want[i].k, "row %zu k %u", i, a[i].k);
        cr_assert_float_eq(a[i].gap_days, want[i].gap, 1e-4, "row %zu gap %g", i, a[i].gap_days);
        cr_assert_eq(a[i].load_72h, want[i].l72, "row %zu l72 %u", i, a[i].load_72h);
        cr_assert_eq(a[i].load_7d, want[i].l7, "row %zu", i);
        cr_assert_eq(a[i].load_30d, want[i].l30, "row %zu", i);
        cr_assert_eq(a[i].positive, want[i].pos, "row %zu", i);
        cr_assert_eq(a[i].negative, want[i].neg, "row %zu", i);
    }
    fu_free(a);
    fu_book_free(b);
}

Test(frequency, histories_without_outcomes_are_errors) {
    fu_frequency_attempt *a = NULL;
    size_t n = 0;
    fu_book *b = book_of("customer_id,at,kind,channel,outcome\n"
                         "c1,2026-03-01T10:00:00+08:00,contact,phone,\n"
                         "c1,2026-03-02T10:00:00+08:00,contact,phone,\n");
    cr_assert_eq(fu_frequency_attempts_from_book(&a, &n, b, NULL, NULL), FU_EINVAL);
    cr_assert(strstr(fu_error_last()->message, "no outcomes"), "%s", fu_error_last()->message);
    fu_frequency_options o = FU_FREQUENCY_OPTIONS_INIT;
    o.positive = FU_FREQUENCY_PURCHASE;
    cr_assert_eq(fu_frequency_attempts_from_book(&a, &n, b, NULL, &o), FU_EINVAL);
    cr_assert(strstr(fu_error_last()->message, "no purchase event"), "%s", fu_error_last()->message);
    fu_book_free(b);
    b = book_of("customer_id,at,kind\nc1,2026-03-01T10:00:00+08:00,purchase\n");
    cr_assert_eq(fu_frequency_attempts_from_book(&a, &n, b, NULL, NULL), FU_EINVAL);
    cr_assert(strstr(fu_error_last()->message, "no contact events"), "%s", fu_error_last()->message);
    cr_assert_null(a);
    fu_book_free(b);
}

Test(frequency, purchase_within_the_window_converts) {
    fu_book *b = book_of("customer_id,at,kind,channel,outcome\n"
                         "c1,2026-03-01T10:00:00+08:00,contact,phone,answered\n"
                         "c1,2026-03-20T10:00:00+08:00,purchase,,\n"
                         "c1,2026-04-01T10:00:00+08:00,contact,phone,answered\n"
                         "c1,2026-04-03T10:00:00+08:00,purchase,,\n"
                         "c1,2026-04-10T10:00:00+08:00,contact,phone,answered\n");
    fu_frequency_options o = FU_FREQUENCY_OPTIONS_INIT;
    o.positive = FU_FREQUENCY_PURCHASE;
    fu_frequency_attempt *a = NULL;
    size_t n = 0;
    cr_assert_eq(fu_frequency_attempts_from_book(&a, &n, b, NULL, &o), FU_OK);
    cr_assert_eq(n, 3);
    cr_assert_eq(a[0].positive, 0, "19 days later is outside the 7-day window");
    cr_assert_eq(a[1].positive, 1);
    cr_assert_eq(a[1].k, 2);
    cr_assert_eq(a[2].k, 1, "a conversion ends the episode");
    fu_free(a);
    fu_book_free(b);
}

/* ---------------------------------------------------------- the bank data */

static fu_frequency_attempt *bank(size_t *n) {
    fu_frequency_attempt *a = NULL;
    int rc = fu_frequency_read_bank_csv(&a, n, BANK);
    cr_assert_eq(rc, FU_OK, "%s", fu_error_last()->message);
    return a;
}

/* Reference counts of the data's README: 45,211 clients; campaign = 1 for
 * 17,544 (2,561 yes), = 2 for 12,505 (1,401 yes). */
Test(frequency, bank_data_becomes_a_hazard_table) {
    size_t n = 0, k1 = 0, k1pos = 0, k2 = 0, k2pos = 0, pos = 0;
    fu_frequency_attempt *a = bank(&n);
    for (size_t i = 0; i < n; i++) {
        if (a[i].k == 1) k1++, k1pos += a[i].positive;
        if (a[i].k == 2) k2++, k2pos += a[i].positive;
        pos += a[i].positive;
    }
    cr_assert_eq(k1, 45211);
    cr_assert_eq(k1pos, 2561);
    cr_assert_eq(k2, 45211 - 17544);
    cr_assert_eq(k2pos, 1401);
    cr_assert_eq(pos, 5289);
    cr_assert_eq(n, 124956, "sum of campaign");
    cr_assert_eq(a[0].gap_days, FU_FREQUENCY_GAP_NONE);
    fu_free(a);
}

/* Hold-out by customer (30%, seed 20261206): the model beats a constant and
 * the per-k empirical table in log loss and Brier score. The figures are in
 * docs/frequency.md and bench/BENCHMARKS.md. */
Test(frequency, bank_holdout_beats_constant_and_per_k_table) {
    size_t n = 0;
    fu_frequency_attempt *a = bank(&n);
    uint8_t *test = malloc(n);
    cr_assert_eq(fu_frequency_split(a, n, 20261206u, 0.3, test), FU_OK);
    const char *names[FU_FREQUENCY_BANK_SEGMENTS];
    for (uint32_t s = 0; s < FU_FREQUENCY_BANK_SEGMENTS; s++) names[s] = fu_frequency_bank_segment_name(s);
    fu_frequency *m = NULL;
    cr_assert_eq(fu_frequency_fit(&m, a, n, test, names, FU_FREQUENCY_BANK_SEGMENTS, NULL), FU_OK);
    fu_frequency_scores sc;
    cr_assert_eq(fu_frequency_evaluate(m, a, n, test, &sc), FU_OK);
    printf("bank hold-out: %zu attempts, %zu positive; log loss %.5f (constant %.5f, per-k %.5f); "
           "Brier %.6f (constant %.6f, per-k %.6f)\n",
           sc.attempts, sc.positives, sc.log_loss, sc.log_loss_constant, sc.log_loss_per_k, sc.brier,
           sc.brier_constant, sc.brier_per_k);
    cr_assert_gt(sc.attempts, 30000);
    cr_assert_lt(sc.log_loss, sc.log_loss_per_k);
    cr_assert_lt(sc.log_loss_per_k, sc.log_loss_constant);
    cr_assert_lt(sc.brier, sc.brier_per_k);
    cr_assert_lt(sc.brier, sc.brier_constant);
    cr_assert_eq(fu_frequency_is_monotone(m), 1, "the per-attempt conversion falls with k");
    /* the first call converts more than the fifth, in every segment */
    for (size_t s = 0; s < FU_FREQUENCY_BANK_SEGMENTS; s++) {
        fu_frequency_estimate e1, e5;
        fu_frequency_hazard(m, s, 1, NAN, &e1);
        fu_frequency_hazard(m, s, 5, NAN, &e5);
        cr_assert_gt(e1.p, e5.p, "segment %zu", s);
    }
    fu_frequency_free(m);
    free(test);
    fu_free(a);
}

Test(frequency, bank_reader_errors_name_line_and_column) {
    char path[] = "/tmp/fu_bank_XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    FILE *f = fdopen(fd, "w");
    fputs("\"age\";\"campaign\";\"pdays\";\"poutcome\";\"y\"\n30;2;-1;\"unknown\";\"no\"\n31;x;-1;\"unknown\";\"no\"\n", f);
    fclose(f);
    fu_frequency_attempt *a = NULL;
    size_t n = 0;
    cr_assert_eq(fu_frequency_read_bank_csv(&a, &n, path), FU_EPARSE);
    cr_assert_eq(fu_error_last()->line, 3);
    cr_assert_eq(fu_error_last()->column, 4);
    cr_assert_str_eq(fu_error_last()->path, "campaign");
    f = fopen(path, "w");
    fputs("\"age\";\"campaign\";\"y\"\n30;2;\"no\"\n", f);
    fclose(f);
    cr_assert_eq(fu_frequency_read_bank_csv(&a, &n, path), FU_EPARSE);
    cr_assert(strstr(fu_error_last()->message, "no column 'pdays'"), "%s", fu_error_last()->message);
    f = fopen(path, "w");
    fputs("\"age\";\"campaign\";\"pdays\";\"poutcome\";\"y\"\n30;2;-1;\"unknown\";\"maybe\"\n", f);
    fclose(f);
    cr_assert_eq(fu_frequency_read_bank_csv(&a, &n, path), FU_EPARSE);
    cr_assert_str_eq(fu_error_last()->path, "y");
    cr_assert_null(a);
    remove(path);
    cr_assert_eq(fu_frequency_read_bank_csv(&a, &n, path), FU_EIO);
}

/* Review s13 I12: a column named twice (the last one was used silently), a
 * short row's column (after its last field, not inside the first), invalid
 * UTF-8 named by its byte. */
static void bank_refused(const char *text, unsigned long line, unsigned long column, const char *field,
                         const char *message) {
    char path[] = "/tmp/fu_bank_XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
    fu_frequency_attempt *a = NULL;
    size_t n = 0;
    cr_assert_eq(fu_frequency_read_bank_csv(&a, &n, path), FU_EPARSE, "%s", text);
    fu_test_expect_error(FU_EPARSE, message, path, line, column, field);
    cr_assert_null(a);
    remove(path);
}

Test(frequency, bank_reader_refuses_a_column_named_twice) {
    bank_refused("\"campaign\";\"pdays\";\"poutcome\";\"y\";\"y\"\n1;999;\"nonexistent\";\"no\";\"yes\"\n", 1, 35, "",
                 "column 'y' appears twice (fields 4 and 5)");
    bank_refused("age;campaign;pdays;age;poutcome;y\n30;1;999;31;nonexistent;no\n", 1, 20, "",
                 "column 'age' appears twice (fields 1 and 4)");
    bank_refused("campaign;pdays;poutcome;y\n1;999;nonexistent\n", 2, 18, "y",
                 "the row has 3 fields, the column is number 4");
    bank_refused("campaign;pdays;poutcome;y\n1;999;\"\xff\";no\n", 2, 8, "poutcome", "invalid UTF-8 (byte 0xFF)");
}

/* ------------------------------------------------------ recommendations */

/* Hazards 0.20, 0.10, 0.05, 0.02 (one segment, 2000 attempts per k); value
 * 100, cost 6 per call: margins +14, +4, -1 -> cap 2. */
Test(frequency, cap_is_where_one_more_contact_stops_paying) {
    static const cell c[] = {{0, 1, 2000, 400}, {0, 2, 2000, 200}, {0, 3, 2000, 100}, {0, 4, 2000, 40}};
    fu_frequency *m = fit_cells(c, 4, 1, NULL, 4, 0);
    fu_frequency_recommend_options ro = FU_FREQUENCY_RECOMMEND_OPTIONS_INIT;
    fu_frequency_recommendation *r = NULL;
    size_t nr = 0;
    recommend(m, &ro, 100, 6, &r, &nr);
    cr_assert_eq(r[0].cap, 2);
    cr_assert_float_eq(r[0].hazard_last, 0.10, 1e-3);
    cr_assert_float_eq(r[0].margin_last, 4.0, 0.1);
    cr_assert_float_eq(r[0].margin_next, -1.0, 0.1);
    cr_assert_float_eq(r[0].break_even, 0.06, 1e-6);
    /* expected net: 14 + 0.8 * 4 */
    cr_assert_float_eq(r[0].expected_net, 17.2, 0.1);
    cr_assert(r[0].spacing_days != r[0].spacing_days, "no spacing evidence, no spacing rule");
    cr_assert_eq(r[0].horizon_bound, 0);
    fu_free(r);
    /* a value per segment (e.g. its CLV) replaces the common value: at 300,
     * 300 h - 6 > 0 down to h = 0.02 -> all 4 attempts pay */
    double sv[1] = {300};
    ro.segment_values = sv;
    cr_assert_eq(fu_frequency_recommend(m, &ro, &r, &nr), FU_OK);
    cr_assert_eq(r[0].cap, 4);
    cr_assert_eq(r[0].value, 300);
    cr_assert_float_eq(r[0].break_even, 0.02, 1e-9);
    fu_free(r);
    sv[0] = 0;
    cr_assert_eq(fu_frequency_recommend(m, &ro, &r, &nr), FU_EINVAL);
    ro.segment_values = NULL;
    /* dearer calls: nothing pays */
    ro.contact_cost[FU_CHANNEL_PHONE] = 25;
    cr_assert_eq(fu_frequency_recommend(m, &ro, &r, &nr), FU_OK);
    cr_assert_eq(r[0].cap, 0);
    char *y = NULL;
    cr_assert_eq(fu_frequency_write_recommendations(m, r, nr, &ro, FU_FREQUENCY_YAML, NULL, &y), FU_OK);
    cr_assert(strstr(y, "limits: {}"), "%s", y);
    fu_policy *p = NULL;
    cr_assert_eq(fu_policy_load_string(&p, y, strlen(y), "<fragment>", NULL), FU_OK, "%s", fu_error_last()->message);
    double v = 0;
    cr_assert_eq(fu_policy_get_number(p, "caps.limits.weekly.max", &v), FU_OK, "built-in limits kept");
    fu_policy_free(p);
    fu_free(y);
    fu_free(r);
    fu_frequency_free(m);
}

/* Repeat contacts 1 day apart convert at half the rate of those 7 days apart
 * (tier segments): the recommendation spaces contacts 7 days, and the policy
 * fragment loads over the built-in policy. */
Test(frequency, spacing_and_policy_fragment) {
    size_t cap = 200000, n = 0;
    fu_frequency_attempt *a = malloc(cap * sizeof *a);
    uint64_t st = 42;
    const char *names[] = {"vip", "key", "ordinary"};
    for (uint32_t c = 0; c < 30000; c++) {
        uint32_t seg = c % 3;
        float gap = (c / 3) % 2 ? 7.0f : 1.0f;
        for (uint32_t k = 1; k <= 6; k++) {
            double h = (seg == 0 ? 0.30 : 0.15) / k * (k > 1 && gap < 2 ? 0.5 : 1.0);
            st = st * 6364136223846793005ull + 1442695040888963407ull;
            int pos = (double)(st >> 11) * 0x1.0p-53 < h;
            a[n] = att(c, seg, k, k == 1 ? FU_FREQUENCY_GAP_NONE : gap, pos);
            a[n].load_72h = (uint16_t)(gap < 2 ? (k < 3 ? k : 3) : 1);
            a[n].load_7d = (uint16_t)(gap < 2 ? (k < 7 ? k : 7) : 1);
            a[n].load_30d = (uint16_t)(gap < 2 ? k : (k < 5 ? k : 5));
            a[n].negative = (uint8_t)(pos == 0 && a[n].load_72h >= 3 && (st >> 20) % 10 == 0);
            n++;
            if (pos) break;
        }
    }
    fu_frequency_options o = FU_FREQUENCY_OPTIONS_INIT;
    o.max_k = 6;
    fu_frequency *m = fit(a, n, 3, names, &o);
    fu_frequency_estimate q1, q3;
    fu_frequency_negative(m, 2, 1, 1, 1, &q1);
    fu_frequency_negative(m, 2, 3, 3, 3, &q3);
    cr_assert_gt(q3.p, q1.p, "more load, more complaints: %g %g", q1.p, q3.p);
    fu_frequency_recommend_options ro = FU_FREQUENCY_RECOMMEND_OPTIONS_INIT;
    ro.value = 100;
    ro.contact_cost[FU_CHANNEL_PHONE] = 4;
    ro.complaint_cost = 50;
    ro.when_key = "tier";
    fu_frequency_recommendation *r = NULL;
    size_t nr = 0;
    cr_assert_eq(fu_frequency_recommend(m, &ro, &r, &nr), FU_OK);
    for (size_t s = 0; s < 3; s++) {
        cr_assert_eq(r[s].spacing_days, 7.0, "segment %zu: %g", s, r[s].spacing_days);
        cr_assert_geq(r[s].cap, 2);
        cr_assert_leq(r[s].cap_low, r[s].cap);
        cr_assert_geq(r[s].cap_high, r[s].cap);
    }
    cr_assert_gt(r[0].cap, r[2].cap, "the better segment earns more attempts");
    char *y = NULL;
    cr_assert_eq(fu_frequency_write_recommendations(m, r, nr, &ro, FU_FREQUENCY_YAML, NULL, &y), FU_OK);
    fu_policy *p = NULL;
    int rc = fu_policy_load_string(&p, y, strlen(y), "<fragment>", NULL);
    cr_assert_eq(rc, FU_OK, "%s\n%s", fu_error_last()->message, y);
    double v = 0;
    cr_assert_eq(fu_policy_get_number(p, "caps.limits.frequency_vip.max", &v), FU_OK);
    cr_assert_eq(v, (double)r[0].cap);
    cr_assert_eq(fu_policy_get_number(p, "caps.limits.frequency_ordinary_spacing.max", &v), FU_OK);
    cr_assert_eq(v, 1.0);
    fu_duration d;
    cr_assert_eq(fu_policy_get_duration(p, "caps.limits.frequency_key_spacing.per", &d), FU_OK);
    cr_assert_eq(d.value, 7 * 86400);
    cr_assert_eq(fu_policy_get_number(p, "caps.limits.weekly.max", &v), FU_OK, "built-in limits kept");
    cr_assert(strstr(y, "# attempt "), "reasons are written: %s", y);
    fu_policy_free(p);
    fu_free(y);
    char *t = NULL;
    size_t tlen = 1;
    cr_assert_eq(fu_frequency_write_recommendations(m, r, nr, &ro, FU_FREQUENCY_JSON, &tlen, &t), FU_OK);
    cr_assert_eq(tlen, strlen(t));
    cr_assert(strstr(t, "\"segment\": \"vip\""), "%s", t);
    fu_free(t);
    cr_assert_eq(fu_frequency_write_recommendations(m, r, nr, &ro, FU_FREQUENCY_CSV, NULL, &t), FU_OK);
    cr_assert(strncmp(t, "segment,cap,cap_low,cap_high,spacing_days", 41) == 0, "%s", t);
    fu_free(t);
    ro.when_key = "colour";
    cr_assert_eq(fu_frequency_write_recommendations(m, r, nr, &ro, FU_FREQUENCY_YAML, NULL, &t), FU_EINVAL);
    fu_free(r);
    fu_frequency_free(m);
    free(a);
}

/* ------------------------------------------------------------------ OOM */

static int oom_fit_and_write(void *ctx) {
    (void)ctx;
    fu_frequency_attempt a[40];
    size_t n = 0;
    n = add_cell(a, n, 0, 1, 10, 3);
    n = add_cell(a, n, 1, 2, 10, 1);
    n = add_cell(a, n, 1, 1, 10, 2);
    const char *names[] = {"vip", "key"};
    fu_frequency *m = NULL;
    int rc = fu_frequency_fit(&m, a, n, NULL, names, 2, NULL);
    if (rc) return rc;
    char *t = NULL;
    rc = fu_frequency_write_curves(m, FU_FREQUENCY_JSON, NULL, &t);
    fu_free(t);
    t = NULL;
    fu_frequency_recommendation *r = NULL;
    size_t nr = 0;
    fu_frequency_recommend_options ro = FU_FREQUENCY_RECOMMEND_OPTIONS_INIT;
    ro.value = 10;
    ro.when_key = "tier";
    if (!rc) rc = fu_frequency_recommend(m, &ro, &r, &nr);
    if (!rc) rc = fu_frequency_write_recommendations(m, r, nr, &ro, FU_FREQUENCY_YAML, NULL, &t);
    fu_free(t);
    fu_free(r);
    fu_frequency_free(m);
    return rc;
}

static int oom_book(void *ctx) {
    fu_frequency_attempt *a = NULL;
    size_t n = 0;
    int rc = fu_frequency_attempts_from_book(&a, &n, ctx, NULL, NULL);
    fu_free(a);
    return rc;
}

Test(frequency, out_of_memory_leaks_nothing) {
    fu_test_oom("frequency fit and write", oom_fit_and_write, NULL, 500);
    fu_book *b = book_of("customer_id,at,kind,channel,outcome\n"
                         "c1,2026-03-01T10:00:00+08:00,contact,phone,no_answer\n"
                         "c2,2026-03-01T10:00:00+08:00,contact,phone,answered\n");
    fu_test_oom("frequency attempts from book", oom_book, b, 100);
    fu_book_free(b);
}

/* Industry names in Chinese: rule keys stay distinct (index appended) and the
 * fragment loads. */
Test(frequency, non_ascii_segment_names_give_distinct_rules) {
    static const cell c[] = {{0, 1, 1000, 200}, {0, 2, 800, 100}, {1, 1, 1000, 150}, {1, 2, 850, 60}};
    const char *names[] = {"银行", "保险"};
    fu_frequency *m = fit_cells(c, 4, 2, names, 0, 0);
    fu_frequency_recommend_options ro = FU_FREQUENCY_RECOMMEND_OPTIONS_INIT;
    ro.when_key = "industry";
    fu_frequency_recommendation *r = NULL;
    size_t nr = 0;
    char *y = NULL;
    recommend(m, &ro, 100, 1, &r, &nr);
    cr_assert_eq(fu_frequency_write_recommendations(m, r, nr, &ro, FU_FREQUENCY_YAML, NULL, &y), FU_OK);
    cr_assert(strstr(y, "frequency________0: {max: 2, per: 90d, when: {industry: [\"银行\"]}}"), "%s", y);
    cr_assert(strstr(y, "frequency________1: {max: 2"), "%s", y);
    fu_policy *p = NULL;
    cr_assert_eq(fu_policy_load_string(&p, y, strlen(y), "<fragment>", NULL), FU_OK, "%s\n%s",
                 fu_error_last()->message, y);
    fu_policy_free(p);
    fu_free(y);
    fu_free(r);
    fu_frequency_free(m);
}

static const char bank_additional[] =
    "\"age\";\"campaign\";\"pdays\";\"previous\";\"poutcome\";\"y\"\r\n"
    "56;1;999;0;\"nonexistent\";\"no\"\r\n"
    "\r\n"
    "41;3;6;2;\"success\";\"yes\"\r\n";

static char *write_temp(const char *text) {
    static char path[64];
    snprintf(path, sizeof path, "/tmp/fu_bank_add_XXXXXX");
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    FILE *f = fdopen(fd, "wb");
    fputs(text, f);
    fclose(f);
    return path;
}

/* The bank-additional layout: CRLF, pdays 999 = never, poutcome nonexistent. */
Test(frequency, bank_additional_layout) {
    char *path = write_temp(bank_additional);
    fu_frequency_attempt *a = NULL;
    size_t n = 0;
    cr_assert_eq(fu_frequency_read_bank_csv(&a, &n, path), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(n, 4);
    cr_assert_eq(a[0].gap_days, FU_FREQUENCY_GAP_NONE);
    cr_assert_eq(a[0].segment, 0);
    cr_assert_eq(a[0].positive, 0);
    cr_assert_eq(a[1].customer, 1);
    cr_assert_eq(a[1].segment, 3);
    cr_assert_float_eq(a[1].gap_days, 6.0, 1e-6);
    cr_assert_eq(a[2].gap_days, FU_FREQUENCY_GAP_UNKNOWN);
    cr_assert_eq(a[3].k, 3);
    cr_assert_eq(a[3].positive, 1);
    cr_assert_eq(a[1].positive + a[2].positive, 0);
    fu_free(a);
    /* a one-bin model still fits and recommends */
    fu_frequency_options o = FU_FREQUENCY_OPTIONS_INIT;
    o.max_k = 1;
    fu_frequency *m = NULL;
    cr_assert_eq(fu_frequency_read_bank_csv(&a, &n, path), FU_OK);
    cr_assert_eq(fu_frequency_fit(&m, a, n, NULL, NULL, 4, &o), FU_OK, "%s", fu_error_last()->message);
    fu_frequency_estimate e;
    cr_assert_eq(fu_frequency_hazard(m, 3, 7, 6.0, &e), FU_OK);
    assert_finite(&e);
    fu_frequency_recommend_options ro = FU_FREQUENCY_RECOMMEND_OPTIONS_INIT;
    ro.value = 10;
    fu_frequency_recommendation *r = NULL;
    size_t nr = 0;
    cr_assert_eq(fu_frequency_recommend(m, &ro, &r, &nr), FU_OK);
    cr_assert_eq(r[3].cap, 3, "free calls pay up to the longest series seen");
    cr_assert_eq(r[3].horizon_bound, 1);
    fu_free(r);
    fu_frequency_free(m);
    fu_free(a);
    remove(path);
}

static int oom_bank(void *ctx) {
    fu_frequency_attempt *a = NULL;
    size_t n = 0;
    int rc = fu_frequency_read_bank_csv(&a, &n, ctx);
    fu_free(a);
    return rc;
}

Test(frequency, bank_reader_out_of_memory) {
    char *path = write_temp(bank_additional);
    fu_test_oom("frequency bank reader", oom_bank, path, 100);
    remove(path);
}

/* Negative outcomes by load: 1% of contacts alone in their 72 h, 5% of the
 * third contact in 72 h (the other windows unknown); the fitted
 * probabilities come back within the ridge's pull. */
Test(frequency, negative_outcomes_follow_the_load) {
    static fu_frequency_attempt a[20000];
    for (size_t i = 0; i < 20000; i++) {
        a[i] = att((uint32_t)i, 0, 1, FU_FREQUENCY_GAP_NONE, 0);
        a[i].load_72h = i < 10000 ? 1 : 3;
        a[i].negative = i < 10000 ? (i % 100 == 0) : (i % 20 == 0);
    }
    fu_frequency *m = fit(a, 20000, 1, NULL, NULL);
    fu_frequency_estimate q1, q3, q2;
    cr_assert_eq(fu_frequency_negative(m, 0, 1, 0, 0, &q1), FU_OK);
    cr_assert_eq(fu_frequency_negative(m, 0, 3, 0, 0, &q3), FU_OK);
    cr_assert_eq(fu_frequency_negative(m, 0, 2, 0, 0, &q2), FU_OK);
    cr_assert_float_eq(q1.p, 0.01, 5e-4, "%g", q1.p);
    cr_assert_float_eq(q3.p, 0.05, 1e-3, "%g", q3.p);
    cr_assert(q1.lo < 0.01 && 0.01 < q1.hi, "[%g, %g]", q1.lo, q1.hi);
    cr_assert(q3.lo < 0.05 && 0.05 < q3.hi, "[%g, %g]", q3.lo, q3.hi);
    /* no data at load 2: the ridge keeps it between, with a wide interval */
    cr_assert(q2.p > q1.p && q2.p < q3.p, "%g", q2.p);
    cr_assert_gt(q2.hi - q2.lo, q3.hi - q3.lo);
    fu_frequency_free(m);
}

/* The odds of a planned contact from the customer's history agree with the
 * book's derivation of k, gap and loads (same rules as the book test). */
Test(frequency, contact_odds_for_a_simulator) {
    static const cell c[] = {{0, 1, 2000, 400}, {0, 2, 2000, 200}, {0, 3, 1000, 50}};
    fu_frequency *m = fit_cells(c, 3, 1, NULL, 3, 0);
    const int64_t day = 86400, t0 = 1772330400; /* 2026-03-01 10:00 +08:00 */
    const int64_t h[4] = {t0, t0 + day, t0 + 2 * day, t0 + 4 * day};
    fu_frequency_odds od;
    /* after the positive on day 2: k restarts; (day 2, day 5] holds day 4 and this one */
    cr_assert_eq(fu_frequency_contact_odds(m, 0, h, 4, t0 + 2 * day, t0 + 5 * day, 0, &od), FU_OK);
    cr_assert_eq(od.k, 2);
    cr_assert_float_eq(od.gap_days, 1.0, 1e-12);
    cr_assert_eq(od.load_72h, 2);
    cr_assert_eq(od.load_7d, 5);
    cr_assert_eq(od.load_30d, 5);
    fu_frequency_estimate e;
    fu_frequency_hazard(m, 0, 2, 1.0, &e);
    cr_assert_eq(od.positive.p, e.p);
    /* no positive: k counts the whole series; a long pause restarts it */
    cr_assert_eq(fu_frequency_contact_odds(m, 0, h, 4, FU_BOOK_NO_TIME, t0 + 5 * day, 0, &od), FU_OK);
    cr_assert_eq(od.k, 5);
    cr_assert_eq(fu_frequency_contact_odds(m, 0, h, 4, FU_BOOK_NO_TIME, t0 + 200 * day, 0, &od), FU_OK);
    cr_assert_eq(od.k, 1);
    cr_assert_eq(od.load_30d, 1);
    cr_assert_eq(fu_frequency_contact_odds(m, 0, NULL, 0, FU_BOOK_NO_TIME, t0, 0, &od), FU_OK);
    cr_assert_eq(od.k, 1);
    cr_assert_eq(od.gap_days, FU_FREQUENCY_GAP_NONE);
    cr_assert(isfinite(od.negative.p) && od.negative.p > 0);
    /* a history after the contact is an error */
    cr_assert_eq(fu_frequency_contact_odds(m, 0, h, 4, FU_BOOK_NO_TIME, t0, 0, &od), FU_EINVAL);
    fu_frequency_free(m);
}
