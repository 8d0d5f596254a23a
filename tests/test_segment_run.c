/* The segmentation pipeline in one call (followup/segment_run.h): the same
 * figures as the steps called one by one, the segment CSV, and its errors. */
#include "fu_test.h"
#include "followup.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SAMPLE FU_TEST_SRCDIR "/../examples/sample/data/"

typedef struct fx {
    fu_policy *policy;
    fu_segment_rules *rules;
    fu_book *book;
} fx;

/* files: read the sample book, then `customers_csv` / `events_csv` (extra
 * rows with their header, may be NULL) from text. */
static void load(fx *f, const char *customers_csv, const char *events_csv, int files) {
    memset(f, 0, sizeof *f);
    cr_assert_eq(fu_policy_default(&f->policy), FU_OK);
    cr_assert_eq(fu_segment_rules_new_from_policy(&f->rules, f->policy), FU_OK);
    cr_assert_eq(fu_book_new(&f->book, NULL), FU_OK);
    if (files) {
        cr_assert_eq(fu_book_read_customers_csv(f->book, SAMPLE "customers.csv"), FU_OK, "%s", fu_error_last()->message);
        cr_assert_eq(fu_book_read_events_csv(f->book, SAMPLE "events.csv"), FU_OK, "%s", fu_error_last()->message);
    }
    if (customers_csv) {
        cr_assert_eq(fu_book_read_customers_csv_from_string(f->book, customers_csv, strlen(customers_csv), "c"), FU_OK);
        cr_assert_eq(fu_book_read_events_csv_from_string(f->book, events_csv, strlen(events_csv), "e"), FU_OK);
    }
    fu_book_finalize(f->book);
}

static void unload(fx *f) {
    fu_book_free(f->book);
    fu_segment_rules_free(f->rules);
    fu_policy_free(f->policy);
}

/* The oracle: the steps one by one, as the tool made them before. */
Test(segment_run, same_figures_as_the_steps_one_by_one) {
    fx f;
    load(&f, NULL, NULL, 1);
    int64_t now = 0;
    const char *iso = "2026-11-23T00:00:00+08:00";
    cr_assert_eq(fu_time_parse(iso, strlen(iso), &now), FU_OK);
    fu_segment_run *run = NULL;
    cr_assert_eq(fu_segment_run_new(&run, f.book, now, f.rules, NULL), FU_OK, "%s", fu_error_last()->message);
    const fu_segment_run_fit *fit = fu_segment_run_fit_result(run);
    size_t n = fu_segment_run_count(run);
    cr_assert_eq(n, fu_book_customer_count(f.book));
    cr_assert_eq(fit->now, now);
    cr_assert_float_eq(fit->horizon, (double)f.rules->clv_horizon / 604800.0, 1e-12);

    fu_segment_book_options bo = FU_SEGMENT_BOOK_OPTIONS_INIT;
    fu_segment_book_summary *bs = NULL;
    cr_assert_eq(fu_segment_book_summarize(f.book, now, f.rules, &bo, &bs), FU_OK);
    const fu_segment_summary *s = bs->summary;
    double *x = calloc(n, sizeof *x), *tx = calloc(n, sizeof *tx), *T = calloc(n, sizeof *T),
           *z = calloc(n, sizeof *z), *pa = calloc(n, sizeof *pa);
    size_t m = 0, with = 0;
    for (size_t i = 0; i < n; i++) {
        if (s->first_at[i] == FU_SEGMENT_NO_PURCHASE) continue;
        x[m] = s->x[i], tx[m] = s->t_x[i], T[m] = s->T[i], z[m] = s->zbar[i];
        m++;
    }
    fu_segment_bgnbd bg;
    fu_segment_fit_info info;
    cr_assert_eq(fu_segment_bgnbd_fit(x, tx, T, m, NULL, &info, &bg), FU_OK);
    cr_assert_float_eq(fit->bgnbd.r, bg.r, 1e-12);
    cr_assert_float_eq(fit->bgnbd.alpha, bg.alpha, 1e-12);
    cr_assert_eq(fit->info.n, m);
    cr_assert_eq(fu_segment_bgnbd_score(&bg, NULL, x, tx, T, z, m, NULL, pa, NULL, NULL), FU_OK);
    const double *rp = fu_segment_run_p_alive(run), *rc = fu_segment_run_clv(run);
    for (size_t i = 0, k = 0; i < n; i++) {
        if (s->first_at[i] == FU_SEGMENT_NO_PURCHASE) {
            cr_assert(isnan(rp[i]) && isnan(rc[i]), "customer %zu has no purchase", i);
            continue;
        }
        cr_assert_float_eq(rp[i], pa[k], 1e-12, "p_alive of %zu", i);
        with++;
        k++;
    }
    cr_assert_eq(with, m);
    cr_assert(fit->has_gammagamma);
    /* assignments: the same as fu_segment_assign on the filled facts */
    for (size_t i = 0; i < n; i++) {
        bs->customers[i].p_alive = isnan(rp[i]) ? -1 : rp[i];
        bs->customers[i].clv = rc[i];
    }
    fu_segment_assignment *as = calloc(n, sizeof *as);
    cr_assert_eq(fu_segment_assign(bs->customers, n, now, f.rules, as), FU_OK);
    const fu_segment_assignment *ra = fu_segment_run_assignments(run);
    for (size_t i = 0; i < n; i++) {
        cr_assert_str_eq(ra[i].tier_name, as[i].tier_name);
        cr_assert_eq(ra[i].lifecycle, as[i].lifecycle);
        cr_assert_eq(ra[i].human, as[i].human);
    }
    free(as);
    free(x), free(tx), free(T), free(z), free(pa);
    fu_segment_book_summary_free(bs);
    fu_segment_run_free(run);
    unload(&f);
}

Test(segment_run, csv_of_the_sample_book) {
    fx f;
    load(&f, "customer_id,tz,annual_spend\n=X1,UTC,100\nX3,UTC,\n",
         "customer_id,at,kind,amount\n=X1,2026-01-01T10:00:00Z,purchase,10\n=X1,2026-02-01T10:00:00Z,purchase,30\n"
         "X3,2026-12-09T10:00:00Z,contact,\n",
         1);
    fu_segment_run *run = NULL;
    fu_segment_run_options o;
    fu_segment_run_options_init(&o);
    o.unit_seconds = 86400;
    cr_assert_eq(fu_segment_run_new(&run, f.book, FU_SEGMENT_RUN_LAST_EVENT, f.rules, &o), FU_OK, "%s",
                 fu_error_last()->message);
    cr_assert_eq(fu_segment_run_fit_result(run)->now, 1796810400); /* 2026-12-09T10:00:00Z, the last event */
    char *csv = NULL;
    size_t len = 0;
    cr_assert_eq(fu_segment_run_write_csv_to_string(run, f.book, 0, &len, &csv), FU_OK);
    cr_assert_eq(len, strlen(csv));
    const char *hdr = "customer_id,tier,lifecycle,r,f,m,p_alive,expected_purchases,clv,segment,rule,handling\n";
    cr_assert(strncmp(csv, hdr, strlen(hdr)) == 0, "%s", csv);
    char *x1 = strstr(csv, "\n\"'=X1\","), *x3 = strstr(csv, "\nX3,");
    cr_assert_not_null(x1, "%s", csv); /* a formula-like id is neutralised */
    cr_assert_not_null(x3, "%s", csv);
    /* X3 has no purchase: r, f, m and the model figures are empty */
    cr_assert(strncmp(strchr(strchr(strchr(x3 + 1, ',') + 1, ',') + 1, ','), ",,,,,,,", 7) == 0, "%s", x3);
    fu_free(csv);
    cr_assert_eq(fu_segment_run_write_csv_to_string(run, f.book, FU_SEGMENT_CSV_RAW, NULL, &csv), FU_OK);
    cr_assert_not_null(strstr(csv, "\n=X1,"), "%s", csv);
    fu_free(csv);
    fu_segment_run_free(run);
    unload(&f);
}

Test(segment_run, errors) {
    fx f;
    load(&f, "customer_id,tz\nK1,UTC\n", "customer_id,at,kind\nK1,2026-01-01T00:00:00Z,contact\n", 0);
    fu_segment_run *run = (fu_segment_run *)1;
    cr_assert_eq(fu_segment_run_new(&run, f.book, FU_SEGMENT_RUN_LAST_EVENT, f.rules, NULL), FU_ERANGE);
    cr_assert_null(run);
    cr_assert(strstr(fu_error_last()->message, "no customer has a purchase") != NULL);
    fu_segment_run_options o = FU_SEGMENT_RUN_OPTIONS_INIT;
    o.unit_seconds = 0;
    cr_assert_eq(fu_segment_run_new(&run, f.book, 0, f.rules, &o), FU_EINVAL);
    o = (fu_segment_run_options)FU_SEGMENT_RUN_OPTIONS_INIT;
    o.model = (fu_segment_model)7;
    cr_assert_eq(fu_segment_run_new(&run, f.book, 0, f.rules, &o), FU_EINVAL);
    cr_assert_eq(fu_segment_run_new(&run, f.book, 0, NULL, NULL), FU_EINVAL);
    unload(&f);
    load(&f, "customer_id,tz\nK1,UTC\n", "customer_id,at,kind\n", 0);
    cr_assert_eq(fu_segment_run_new(&run, f.book, FU_SEGMENT_RUN_LAST_EVENT, f.rules, NULL), FU_EINVAL);
    unload(&f);
    fu_segment_run_free(NULL);
}

static int op_run(void *ctx) {
    fx *f = ctx;
    fu_segment_run *run = NULL;
    int rc = fu_segment_run_new(&run, f->book, FU_SEGMENT_RUN_LAST_EVENT, f->rules, NULL);
    char *csv = NULL;
    if (rc == FU_OK) rc = fu_segment_run_write_csv_to_string(run, f->book, 0, NULL, &csv);
    fu_free(csv);
    fu_segment_run_free(run);
    return rc;
}

Test(segment_run, out_of_memory_leaks_nothing) {
    fx f;
    load(&f, NULL, NULL, 1);
    fu_test_oom("segment run", op_run, &f, 5000);
    unload(&f);
}

/* Review s13 I1: amounts that are each a number but add up past the largest
 * double are bad input named by customer id and purchase (FU_ELIMIT, the CLI's
 * exit 3), not "monetary[0] is not finite"; a scoring failure names the
 * customer's id, not its row among the buyers. */
Test(segment_run, spend_overflow_and_scoring_errors_name_the_customer) {
    static const char cust[] = "customer_id,tz\nC0,UTC\nC1,Asia/Shanghai\n";
    fx f;
    load(&f, cust,
         "customer_id,at,kind,amount\n"
         "C0,2026-03-01T09:00:00+08:00,purchase,5\n"
         "C1,2026-03-02T09:00:00+08:00,purchase,1e308\n"
         "C1,2026-03-03T09:00:00+08:00,purchase,1e308\n",
         0);
    fu_segment_run *run = NULL;
    cr_assert_eq(fu_segment_run_new(&run, f.book, FU_SEGMENT_RUN_LAST_EVENT, f.rules, NULL), FU_ELIMIT);
    cr_assert_null(run);
    fu_test_expect_error(FU_ELIMIT,
                         "customer 'C1': the purchase amounts add up to more than 1.79769e+308 (the largest number) "
                         "at the purchase of 2026-03-03T01:00:00Z",
                         "", 0, 0, "");
    unload(&f);

    /* 1e308 and 1 add up; the one-buyer fit cannot score it: the id, not "customer 0" */
    load(&f, "customer_id,tz\nC1,Asia/Shanghai\n",
         "customer_id,at,kind,amount\n"
         "C1,2026-03-02T09:00:00+08:00,purchase,1e308\n"
         "C1,2026-03-03T09:00:00+08:00,purchase,1\n",
         0);
    cr_assert_eq(fu_segment_run_new(&run, f.book, FU_SEGMENT_RUN_LAST_EVENT, f.rules, NULL), FU_OK, "%s",
                 fu_error_last()->message);
    const fu_segment_run_fit *fit = fu_segment_run_fit_result(run);
    cr_assert(!fit->has_model); /* the fit on one customer is degenerate */
    cr_assert_str_eq(fit->model_error, "cannot score the customers: customer 'C1': expected purchases overflow");
    fu_segment_run_free(run);
    unload(&f);
}
