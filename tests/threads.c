/*
 * Thread safety (issue 10): one loaded policy shared by several threads that
 * plan, pick best call times, score customers and compute KPIs at the same
 * time. Every thread's results must equal a single-threaded run. Built and run
 * under ThreadSanitizer by tests/run.sh (FU_TSAN=ON) as well as normally.
 *
 * Issue 13: eight threads share one book (each borrows it for its own
 * planner: the borrow count is atomic and the book refuses changes until the
 * last planner is gone), and share one planner, redactor and ledger under a
 * mutex per handle (the rule of followup/common.h, the one the Python binding
 * applies): results equal a serial run and the ledger keeps every write. The
 * cancel hook is per thread: a thread whose hook cancels gets FU_ECANCELED,
 * the others do not notice, and the canceled planner then gives the reference
 * plan.
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

/* r: the worker's result (result or sresult): its rc and where. */
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

/* ------------------------------------------------ issue 13: shared handles */
#define NSHARED 8
#define LEDGER_ADDS 25

typedef struct shared {
    fu_book *book;            /* finalized; read by every thread, no mutex */
    fu_planner *planner;      /* one planner for all, under planner_mu */
    pthread_mutex_t planner_mu;
    fu_redactor *redactor;    /* under redactor_mu */
    pthread_mutex_t redactor_mu;
    fu_ledger *ledger;        /* under ledger_mu */
    pthread_mutex_t ledger_mu;
    int64_t now;
    const char *ref_plan;     /* the serial results */
    const char *ref_masked;
} shared;

typedef struct sresult {
    shared *sh;
    int index;
    int rc;
    char where[64];
    int own_ok, shared_ok, masked_ok, canceled, after_cancel_ok, adds;
} sresult;

static int cancel_after(void *ud) {
    int *left = ud;
    return --*left <= 0;
}

static int plan_csv(fu_planner *pl, int64_t now, char **csv) {
    fu_plan *plan = NULL;
    size_t len = 0;
    int rc = fu_planner_plan(pl, now, 86400, &plan);
    if (!rc) rc = fu_plan_write_csv_to_string(plan, ~0u, FU_PLAN_CSV_STATUS, &len, csv);
    fu_plan_free(plan);
    return rc;
}

static void *shared_main(void *arg) {
    sresult *r = arg;
    shared *sh = r->sh;
    fu_planner *own = NULL;
    char *csv = NULL, *masked = NULL;
    static const char note[] = "call 13812345678 or mail li.lei@example.com";
    /* an own planner over the shared book: borrows it from this thread */
    CHECK(fu_planner_new(&own, shared_policy, sh->book, NULL), "own planner");
    if (r->index % 2) { /* odd threads: a hook that cancels at its 1st poll */
        int left = 1;
        fu_set_cancel_hook(cancel_after, &left);
        r->canceled = fu_planner_plan(own, sh->now, 86400, &(fu_plan *){NULL}) == FU_ECANCELED &&
                      fu_error_last()->code == FU_ECANCELED;
        fu_set_cancel_hook(NULL, NULL);
    }
    CHECK(plan_csv(own, sh->now, &csv), "own plan");
    r->own_ok = strcmp(csv, sh->ref_plan) == 0;
    fu_free(csv);
    csv = NULL;
    /* the shared planner, redactor and ledger, one thread at a time */
    pthread_mutex_lock(&sh->planner_mu);
    r->rc = plan_csv(sh->planner, sh->now, &csv);
    pthread_mutex_unlock(&sh->planner_mu);
    CHECK(r->rc, "shared plan");
    r->shared_ok = strcmp(csv, sh->ref_plan) == 0;
    pthread_mutex_lock(&sh->redactor_mu);
    r->rc = fu_redactor_apply(sh->redactor, note, sizeof note - 1, NULL, &masked);
    pthread_mutex_unlock(&sh->redactor_mu);
    CHECK(r->rc, "redact");
    r->masked_ok = strcmp(masked, sh->ref_masked) == 0;
    for (int i = 0; i < LEDGER_ADDS; i++) {
        fu_commit_input in = FU_COMMIT_INPUT_INIT;
        char cust[32];
        int64_t id = 0;
        snprintf(cust, sizeof cust, "T%d-%d", r->index, i);
        in.customer_id = cust;
        in.text = "will call back tomorrow";
        in.created_at = sh->now;
        in.deadline = sh->now + 86400;
        pthread_mutex_lock(&sh->ledger_mu);
        r->rc = fu_ledger_add(sh->ledger, &in, &id);
        pthread_mutex_unlock(&sh->ledger_mu);
        CHECK(r->rc, "ledger add");
        r->adds += id > 0;
    }
out:
    fu_free(csv);
    fu_free(masked);
    fu_planner_free(own);
    return NULL;
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

/* Issue 13: the shared-handle run. 0 when everything matched. */
static int shared_handles(const result *ref) {
    shared sh;
    sresult rs[NSHARED];
    pthread_t th[NSHARED];
    char path[1024], *masked = NULL;
    const char *ledger_path = "threads-ledger.db";
    size_t rows = 0;
    fu_planner *probe = NULL;
    memset(&sh, 0, sizeof sh);
    memset(rs, 0, sizeof rs);
    remove(ledger_path);
    pthread_mutex_init(&sh.planner_mu, NULL);
    pthread_mutex_init(&sh.redactor_mu, NULL);
    pthread_mutex_init(&sh.ledger_mu, NULL);
    static const char note[] = "call 13812345678 or mail li.lei@example.com";
    fu_customer late;
    fu_customer_init(&late);
    late.id = "LATE";
    late.tz = "Asia/Shanghai";
    EXPECT(fu_time_parse("2026-11-23T00:00:00+08:00", 25, &sh.now) == FU_OK, "time");
    EXPECT(fu_book_new(&sh.book, NULL) == FU_OK, "book");
    EXPECT(fu_book_read_customers_csv(sh.book, sample_path(path, sizeof path, "customers.csv")) == FU_OK, "c");
    EXPECT(fu_book_read_events_csv(sh.book, sample_path(path, sizeof path, "events.csv")) == FU_OK, "e");
    EXPECT(fu_book_finalize(sh.book) == FU_OK, "finalize");
    EXPECT(fu_planner_new(&sh.planner, shared_policy, sh.book, NULL) == FU_OK, "planner");
    EXPECT(fu_redactor_new(&sh.redactor, NULL) == FU_OK, "redactor");
    EXPECT(fu_redactor_apply(sh.redactor, note, sizeof note - 1, NULL, &masked) == FU_OK, "mask");
    EXPECT(fu_ledger_open(&sh.ledger, ledger_path, NULL) == FU_OK, "ledger: %s", fu_error_last()->message);
    sh.ref_plan = ref->plan_csv;
    sh.ref_masked = masked;
    for (int i = 0; i < NSHARED; i++) {
        rs[i].sh = &sh;
        rs[i].index = i;
        EXPECT(pthread_create(&th[i], NULL, shared_main, &rs[i]) == 0, "pthread_create");
    }
    for (int i = 0; i < NSHARED; i++) pthread_join(th[i], NULL);
    for (int i = 0; i < NSHARED; i++) {
        EXPECT(rs[i].rc == FU_OK, "shared thread %d failed at %s", i, rs[i].where);
        EXPECT(rs[i].own_ok && rs[i].shared_ok, "shared thread %d: plan differs", i);
        EXPECT(rs[i].masked_ok, "shared thread %d: masked text differs", i);
        EXPECT(rs[i].canceled == (i % 2), "shared thread %d: cancel hook not per thread", i);
        EXPECT(rs[i].adds == LEDGER_ADDS, "shared thread %d: %d adds", i, rs[i].adds);
    }
    fu_commit_query all = FU_COMMIT_QUERY_INIT;
    EXPECT(fu_ledger_count(sh.ledger, &all, &rows) == FU_OK && rows == NSHARED * LEDGER_ADDS,
           "the ledger holds %zu rows, %d acknowledged", rows, NSHARED * LEDGER_ADDS);
    /* the own planners are gone, the shared one still borrows the book */
    EXPECT(fu_book_add_customer(sh.book, &late, NULL) == FU_ESTATE, "a borrowed book changed");
    fu_planner_free(sh.planner);
    sh.planner = NULL;
    EXPECT(fu_book_add_customer(sh.book, &late, NULL) == FU_OK, "the book stayed borrowed: %s",
           fu_error_last()->message);
    EXPECT(fu_book_finalize(sh.book) == FU_OK && fu_planner_new(&probe, shared_policy, sh.book, NULL) == FU_OK,
           "planner over the grown book");
done:
    fu_planner_free(probe);
    fu_planner_free(sh.planner);
    fu_redactor_free(sh.redactor);
    fu_ledger_close(sh.ledger);
    fu_book_free(sh.book);
    fu_free(masked);
    remove(ledger_path);
    pthread_mutex_destroy(&sh.planner_mu);
    pthread_mutex_destroy(&sh.redactor_mu);
    pthread_mutex_destroy(&sh.ledger_mu);
    return failures;
}

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
    EXPECT(shared_handles(&ref) == 0, "shared handles");
done:
    for (int i = 0; i < NTHREADS; i++) result_free(&rs[i]);
    result_free(&ref);
    fu_policy_free(shared_policy);
    printf("%d passed, %d failed\n", failures ? 0 : 1, failures ? 1 : 0);
    return failures ? 1 : 0;
}
