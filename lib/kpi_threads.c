/* The KPI pass on two threads (docs/kpi.md, "Bulk and incremental"): the
 * customers split in two parts (49% and 51% of the events), the first
 * passed by the calling thread into the compute's context, the second by a
 * worker into a context of its own (its groups, cells, unit log, response
 * times and per-customer scratch; the periods, days, rules and the labels of
 * the attribute records shared, read only). The worker's groups and cells
 * are then added to the first's in the order the worker made them, which is
 * the order one thread would have made them after the first half's (groups
 * and cells are numbered as first met); each cell's counters are added,
 * its sums of money merged in double-double (exact, as partials merge) and
 * its survey sums are sums of integers (exact); the response times follow
 * the first half's. The figures and the partial blob are the same, byte for
 * byte, as on one thread (tests/test_kpi_threads.c).
 *
 * FU_KPI_THREADS=1 in the environment forces one thread, =2 two (also for
 * small books, as the tests do); by default two when the machine has two
 * CPUs or more and the book at least THREADS_MIN_EVENTS events.
 *
 * fu__kpi_side_start()/_join(): a job on a second thread for the tail of a
 * compute whose pass ran on two (kpi_figures.c: the response times grouped
 * while the calling thread orders the cells, then the second part of the
 * figures). */
#include "kpi_internal.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#define THREADS_MIN_EVENTS ((size_t)200000)

int fu__kpi_stop_poll(fu__kpi_stop *s) {
    if (*s->flag) return FU__KPI_STOPPED;
    int rc = s->poll ? fu__cancel_check() : FU_OK;
    if (rc) *s->flag = 1;
    return rc;
}

/* 1 or 2: FU_KPI_THREADS when set to 1 or 2, else by the CPUs and the size;
 * one thread under a host's allocator (fu_set_allocator(): the worker
 * allocates, and a host's allocator need not be thread-safe) unless
 * FU_KPI_THREADS=2 says it is. */
int fu__kpi_threads_for(const fu_kpi *k, size_t ncu) {
    const char *env = getenv("FU_KPI_THREADS");
    if (ncu < 2) return 1;
    if (env && env[0] == '1' && !env[1]) return 1;
    if (env && env[0] == '2' && !env[1]) return 2;
    if (fu_book_event_count(k->bk) < THREADS_MIN_EVENTS || !fu__allocator_is_default()) return 1;
    return sysconf(_SC_NPROCESSORS_ONLN) > 1 ? 2 : 1;
}

typedef struct worker {
    ctx c;
    size_t c0, c1, dp;
    fu__kpi_stop stop; /* poll 0: the cancel hook is the calling thread's */
    pthread_mutex_t mu;
    pthread_cond_t ended; /* signalled when done is set */
    int done;             /* worker_run() has returned its result (under mu) */
    int rc;
    char msg[512]; /* the worker's error message (errors are per thread) */
} worker;

/* The worker's context: the compute's, before its pass, with the buffers
 * the pass writes its own (ctx_worker_free frees only those). */
static int ctx_worker(const ctx *m, ctx *w) {
    *w = *m;
    w->rc = FU_OK;
    w->b = KPASS_EMPTY;
    w->cur = &w->curv;
    /* the caps' scratch (the walk over earlier contacts) */
    w->kc = m->nkc ? fu__malloc(m->nkc * sizeof *w->kc) : NULL;
    if (m->nkc && !w->kc) return fu__error_nomem();
    if (m->nkc) memcpy(w->kc, m->kc, m->nkc * sizeof *w->kc);
    w->b.ulog = fu__malloc(m->cap_u * sizeof *w->b.ulog);
    w->b.ulog2 = fu__malloc(m->cap_u * sizeof *w->b.ulog2);
    return w->b.ulog && w->b.ulog2 ? FU_OK : fu__error_nomem();
}

static void ctx_worker_free(ctx *w) {
    fu__kpass_free(&w->b);
    fu__free(w->kc);
}

static void *worker_run(void *arg) {
    worker *t = arg;
    t->rc = fu__kpi_pass_range(&t->c, t->c0, t->c1, t->dp, &t->stop);
    if (!t->rc) t->rc = fu__kpi_pass_flush(&t->c);
    if (t->rc && t->rc != FU__KPI_STOPPED) {
        *t->stop.flag = 1;
        const fu_error *e = fu_error_last();
        snprintf(t->msg, sizeof t->msg, "%s", e && e->message ? e->message : "");
    }
    pthread_mutex_lock(&t->mu);
    t->done = 1;
    pthread_cond_signal(&t->ended);
    pthread_mutex_unlock(&t->mu);
    return NULL;
}

/* The additions of the worker's cells [i0, i1) to their cells of the
 * compute (cmap: distinct cells, so two jobs of disjoint ranges write
 * disjoint cells). */
typedef struct merge_job {
    ctx *m;
    const ctx *w;
    const uint32_t *cmap;
    size_t i0, i1;
} merge_job;

static int merge_cells(void *arg) {
    merge_job *j = arg;
    const kpass *b = &j->w->b;
    for (size_t i = j->i0; i < j->i1; i++)
        fu__kpi_cell_merge(j->m, j->cmap[i], &b->ci[i], &b->cs[i], &b->cc[i], &b->cr[i], &b->cm[i], &b->cu[i]);
    return FU_OK;
}

/* The worker's groups, cells and response times added to the compute's,
 * in the order the worker made them: its groups and cells found or made
 * first (this thread), then the cells' additions, the second half of them
 * by a side job while this thread does the first half and the response
 * times (each cell's additions are the same whichever thread makes them). */
static int merge_worker(ctx *m, const ctx *w) {
    uint32_t *gmap = w->b.ng ? fu__malloc(w->b.ng * sizeof *gmap) : NULL;
    uint32_t *cmap = w->b.nc ? fu__malloc(w->b.nc * sizeof *cmap) : NULL;
    int rc = (w->b.ng && !gmap) || (w->b.nc && !cmap) ? fu__error_nomem() : FU_OK;
    for (size_t g = 0; g < w->b.ng && !rc; g++) {
        int64_t r = fu__kpi_group_of(m, &w->b.gk[g]);
        if (r < 0) rc = m->rc ? m->rc : fu__error_nomem();
        else gmap[g] = (uint32_t)r;
    }
    for (size_t i = 0; i < w->b.nc && !rc; i++) {
        int64_t ci = fu__kpi_cell_of(m, w->b.ch[i].period, gmap[w->b.ch[i].group]);
        if (ci < 0) rc = m->rc ? m->rc : fu__error_nomem();
        else cmap[i] = (uint32_t)ci;
    }
    if (!rc) {
        merge_job first = {m, w, cmap, 0, w->b.nc / 2}, second = {m, w, cmap, w->b.nc / 2, w->b.nc};
        fu__kpi_side side;
        fu__kpi_side_start(&side, merge_cells, &second);
        (void)merge_cells(&first);
        for (size_t i = 0; i < w->b.n_rt && !rc; i++) rc = fu__kpi_push_rt(m, cmap[w->b.rt_cell[i]], w->b.rt_val[i]);
        rc = fu__kpi_side_join(&side, rc); /* merge_cells cannot fail */
    }
    fu__free(gmap);
    fu__free(cmap);
    return rc ? (m->rc = rc) : FU_OK;
}

/* The first customer of the second half: where FIRST_SHARE of the events
 * are behind. What stays on one thread (the merge, the percentiles and the
 * figures, about 0.19 s at 10 M events) comes after both halves, so only
 * the setup before the pass (about 0.02 s) is the calling thread's alone:
 * it takes a little less than half. At 0.42 (sized on the calling thread's
 * whole CPU) it waited about 0.14 s for the worker (bench_kpi, 10 M
 * events, thread CPU of each part); at 0.49 the parts end together. */
#define FIRST_SHARE 0.49
static size_t split_at(const fu_kpi *k, size_t ncu) {
    const size_t *off = fu_book_event_offsets(k->bk);
    size_t half = (size_t)((double)off[ncu] * FIRST_SHARE), lo = 1, hi = ncu - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (off[mid] < half) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

static size_t first_due_of(const fu_kpi *k, size_t cust) {
    size_t lo = 0, hi = k->n_due;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (k->due[mid].cust < cust) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* Until the worker is done, the calling thread keeps asking the cancel hook
 * (every millisecond: a timed wait on the worker's end, so that it wakes as
 * soon as the worker is done), so that a cancel stops the worker's part too
 * when the calling thread's part ended first (review s10 hR2 L1). The hook
 * is asked outside the lock. */
static void wait_worker(worker *t, fu__kpi_stop *stop, int *rc) {
    pthread_mutex_lock(&t->mu);
    while (!t->done) {
        if (!*rc) {
            pthread_mutex_unlock(&t->mu);
            int r = fu__kpi_stop_poll(stop);
            if (r && r != FU__KPI_STOPPED) *rc = r;
            pthread_mutex_lock(&t->mu);
            if (t->done) break;
        }
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_nsec += 1000000;
        if (until.tv_nsec >= 1000000000) until.tv_sec++, until.tv_nsec -= 1000000000;
        pthread_cond_timedwait(&t->ended, &t->mu, &until);
    }
    pthread_mutex_unlock(&t->mu);
}

/* The worker's lock and its condition (on the monotonic clock). */
static int worker_sync_init(worker *t) {
    pthread_condattr_t ca;
    if (pthread_condattr_init(&ca)) return fu__error_nomem();
    int ok = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) == 0 && pthread_cond_init(&t->ended, &ca) == 0;
    pthread_condattr_destroy(&ca);
    if (!ok) return fu__error_nomem();
    if (pthread_mutex_init(&t->mu, NULL) == 0) return FU_OK;
    pthread_cond_destroy(&t->ended);
    return fu__error_nomem();
}

static void worker_sync_free(worker *t) {
    pthread_mutex_destroy(&t->mu);
    pthread_cond_destroy(&t->ended);
}

static int pass_two(ctx *c, size_t ncu) {
    fu_kpi *k = c->k;
    int rc = fu__kpi_decode_prefill(k, &c->dc);
    if (rc) return c->rc = rc;
    _Atomic int flag = 0;
    fu__kpi_stop stop = {&flag, 1};
    worker *t = fu__calloc(1, sizeof *t);
    if (!t) return c->rc = fu__error_nomem();
    if ((rc = worker_sync_init(t))) {
        fu__free(t);
        return c->rc = rc;
    }
    size_t h = split_at(k, ncu);
    t->c0 = h, t->c1 = ncu, t->dp = first_due_of(k, h);
    t->stop.flag = &flag;
    rc = ctx_worker(c, &t->c);
    pthread_t th;
    int started = !rc && pthread_create(&th, NULL, worker_run, t) == 0;
    if (!rc && !started) { /* no thread: the second half on this one, then the first */
        t->stop.poll = 1;
        worker_run(t);
    }
    if (!rc && (started || !t->rc)) rc = fu__kpi_pass_range(c, 0, h, 0, &stop); /* t->rc: after the join */
    if (!rc) rc = fu__kpi_pass_flush(c);
    if (rc) flag = 1;
    if (started) wait_worker(t, &stop, &rc);
    if (started) pthread_join(th, NULL);
    /* an error of this thread is set here; one of the worker is set again */
    if ((!rc || rc == FU__KPI_STOPPED) && t->rc && t->rc != FU__KPI_STOPPED) rc = fu__error_set(t->rc, "%s", t->msg);
    if (!rc) rc = merge_worker(c, &t->c);
    if (!rc) k->threads_used = 2;
    ctx_worker_free(&t->c);
    worker_sync_free(t);
    fu__free(t);
    return rc ? (c->rc = rc) : FU_OK;
}

int fu__kpi_pass_customers(ctx *c, size_t ncu) {
    c->k->threads_used = 1;
    if (fu__kpi_threads_for(c->k, ncu) > 1) return pass_two(c, ncu);
    return fu__kpi_pass_range(c, 0, ncu, 0, NULL);
}

static void side_message(fu__kpi_side *s) {
    const fu_error *e = fu_error_last();
    snprintf(s->msg, sizeof s->msg, "%s", e && e->message ? e->message : "");
}

static void *side_run(void *arg) {
    fu__kpi_side *s = arg;
    s->rc = s->fn(s->arg);
    if (s->rc) side_message(s);
    return NULL;
}

void fu__kpi_side_start(fu__kpi_side *s, int (*fn)(void *), void *arg) {
    s->fn = fn, s->arg = arg, s->rc = FU_OK, s->msg[0] = '\0';
    s->started = pthread_create(&s->th, NULL, side_run, s) == 0;
}

int fu__kpi_side_join(fu__kpi_side *s, int rc) {
    if (!s->started) return rc ? rc : s->fn(s->arg); /* its error is this thread's */
    pthread_join(s->th, NULL);
    s->started = 0;
    if (rc) return rc;
    return s->rc ? fu__error_set(s->rc, "%s", s->msg) : FU_OK;
}

/* For the tests: the threads of the last compute's pass. */
int fu__kpi_threads_used(const fu_kpi *k) { return k ? k->threads_used : 0; }

/* For the tests: the figures the calling thread wrote (the rest: the
 * second thread's part of the figures). */
size_t fu__kpi_figures_first(const fu_kpi *k) { return k ? k->fig_first : 0; }
