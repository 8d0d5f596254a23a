/*
 * Thread safety (issue 10): one loaded policy shared by several threads that
 * plan, pick best call times, score customers and compute KPIs at the same
 * time. Every thread's results must equal a single-threaded run. Built and run
 * under ThreadSanitizer by tests/run.sh (FU_TSAN=ON) as well as normally.
 *
 * A plain program, not a Criterion test: Criterion's process arena cannot be
 * set up under ThreadSanitizer. It prints "N passed, N failed".
 */
#include "followup.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NTHREADS 4
#define ROUNDS 2

static fu_policy *shared_policy;

typedef struct result {
    char *plan_csv;
    char *kpi_csv;
    int64_t best_at[64];
    double p_alive[64], clv[64];
    int rc;
    char where[64];
} result;

static const char *sample_path(char *buf, size_t size, const char *name) {
    snprintf(buf, size, "%s/../examples/sample/data/%s", FU_TEST_SRCDIR, name);
    return buf;
}

#define CHECK(call, what)                                          \
    do {                                                           \
        if ((r->rc = (call)) != FU_OK) {                           \
            snprintf(r->where, sizeof r->where, "%s", what);       \
            goto out;                                              \
        }                                                          \
    } while (0)

/* Everything one worker does, from loading its book to its outputs. */
static void work(result *r) {
    fu_book *book = NULL;
    fu_planner *planner = NULL;
    fu_plan *plan = NULL;
    fu_besttime *bt = NULL;
    fu_kpi *kpi = NULL;
    int64_t now = 0;
    size_t len = 0, n = 0;
    char path[1024];
    memset(r, 0, sizeof *r);

    CHECK(fu_time_parse("2026-11-23T00:00:00+08:00", 25, &now), "time");
    CHECK(fu_book_new(&book, NULL), "book");
    CHECK(fu_book_read_customers_csv(book, sample_path(path, sizeof path, "customers.csv")), "customers");
    CHECK(fu_book_read_events_csv(book, sample_path(path, sizeof path, "events.csv")), "events");

    /* planning */
    CHECK(fu_planner_new(&planner, shared_policy, book, NULL), "planner");
    CHECK(fu_planner_plan(planner, now, 86400, &plan), "plan");
    CHECK(fu_plan_write_csv_to_string(plan, ~0u, FU_PLAN_CSV_STATUS, &len, &r->plan_csv), "plan csv");

    /* best time to call tomorrow for the first 64 customers */
    CHECK(fu_besttime_new(&bt, shared_policy, book, NULL, 0, NULL), "besttime");
    {
        fu_besttime_slot slots[64];
        CHECK(fu_besttime_best_day(bt, NULL, now, NULL, 64, FU_CHANNEL_PHONE, 0, NULL, slots), "best day");
        for (int i = 0; i < 64; i++) r->best_at[i] = slots[i].at;
    }

    /* customer-base scoring with the published CDNOW parameters */
    {
        fu_segment_bgnbd m = {0.243, 4.414, 0.793, 2.426};
        fu_segment_gammagamma gg = {6.25, 3.74, 15.44};
        double x[64], tx[64], T[64], z[64];
        for (int i = 0; i < 64; i++) {
            x[i] = i % 9;
            tx[i] = x[i] ? 1.5 * i / 2.0 : 0.0;
            T[i] = 39.0;
            if (tx[i] > T[i]) tx[i] = T[i];
            z[i] = x[i] ? 10.0 + i : 0.0;
        }
        fu_segment_score_options so = FU_SEGMENT_SCORE_OPTIONS_INIT;
        so.horizon = 52;
        so.period = 52.0 / 12;
        CHECK(fu_segment_bgnbd_score(&m, &gg, x, tx, T, z, 64, &so, r->p_alive, NULL, r->clv), "score");
    }

    /* KPIs by week and tier */
    {
        fu_kpi_options ko = FU_KPI_OPTIONS_INIT;
        ko.by = FU_KPI_BY_TIER;
        CHECK(fu_kpi_new(&kpi, shared_policy, &ko), "kpi");
        CHECK(fu_kpi_add_book(kpi, book), "kpi book");
        CHECK(fu_kpi_compute(kpi, &n), "kpi compute");
        CHECK(fu_kpi_write_csv_to_string(kpi, &len, &r->kpi_csv), "kpi csv");
    }
out:
    fu_kpi_free(kpi);
    fu_besttime_free(bt);
    fu_plan_free(plan);
    fu_planner_free(planner);
    fu_book_free(book);
}

static void *thread_main(void *arg) {
    result *rs = arg;
    for (int round = 0; round < ROUNDS; round++) {
        if (round) {
            fu_free(rs->plan_csv);
            fu_free(rs->kpi_csv);
        }
        work(rs);
        if (rs->rc) break;
    }
    return NULL;
}

static void result_free(result *r) {
    fu_free(r->plan_csv);
    fu_free(r->kpi_csv);
}

static int failures;
#define EXPECT(cond, ...)                                      \
    do {                                                       \
        if (!(cond)) {                                         \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
            fprintf(stderr, __VA_ARGS__);                      \
            fputc('\n', stderr);                               \
            failures++;                                        \
            goto done;                                         \
        }                                                      \
    } while (0)

int main(void) {
    result ref, rs[NTHREADS];
    pthread_t th[NTHREADS];
    memset(&ref, 0, sizeof ref);
    memset(rs, 0, sizeof rs);
    EXPECT(fu_policy_default(&shared_policy) == FU_OK, "policy: %s", fu_error_last()->message);
    work(&ref);
    EXPECT(ref.rc == FU_OK, "single-threaded %s: %s", ref.where, fu_error_last()->message);
    EXPECT(strlen(ref.plan_csv) > 100, "the plan is empty");
    EXPECT(strlen(ref.kpi_csv) > 100, "the KPIs are empty");

    for (int i = 0; i < NTHREADS; i++)
        EXPECT(pthread_create(&th[i], NULL, thread_main, &rs[i]) == 0, "pthread_create");
    for (int i = 0; i < NTHREADS; i++) pthread_join(th[i], NULL);

    for (int i = 0; i < NTHREADS; i++) {
        EXPECT(rs[i].rc == FU_OK, "thread %d failed at %s", i, rs[i].where);
        EXPECT(strcmp(rs[i].plan_csv, ref.plan_csv) == 0, "thread %d: plan differs", i);
        EXPECT(strcmp(rs[i].kpi_csv, ref.kpi_csv) == 0, "thread %d: KPIs differ", i);
        for (int k = 0; k < 64; k++) {
            EXPECT(rs[i].best_at[k] == ref.best_at[k], "thread %d customer %d: best time differs", i, k);
            EXPECT(rs[i].p_alive[k] == ref.p_alive[k] && rs[i].clv[k] == ref.clv[k],
                   "thread %d customer %d: scores differ", i, k);
            EXPECT(isfinite(ref.clv[k]) && ref.p_alive[k] >= 0 && ref.p_alive[k] <= 1,
                   "customer %d: score out of range", k);
        }
    }
done:
    for (int i = 0; i < NTHREADS; i++) result_free(&rs[i]);
    result_free(&ref);
    fu_policy_free(shared_policy);
    printf("%d passed, %d failed\n", failures ? 0 : 1, failures ? 1 : 0);
    return failures ? 1 : 0;
}
