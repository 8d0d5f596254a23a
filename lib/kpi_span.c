/* The range of a compute's data (fu_kpi_compute(), before the periods are
 * built): the earliest and latest event of the book's customers, the due
 * items and the commitments. When the pass will run on two threads
 * (kpi_threads.c), the book's span is found on both: the second half of the
 * customers by a side job while the calling thread does the first half
 * (the minimum and maximum of the halves are those of the whole). */
#include "kpi_internal.h"
#include "book_internal.h"

/* The earliest first and the latest last event of the customers [c0, c1)
 * (each customer's events are in time order), asking for the rows a few
 * customers ahead and for their attributes (where the high bits of the
 * times are) a few less (perf: the rows' loads stalled the loop). */
static void book_span(const fu_book *b, size_t c0, size_t c1, int64_t *tmin_out, int64_t *tmax_out) {
    enum { AHEAD = 8, ROWS_AHEAD = 32 };
    int64_t tmin = INT64_MAX, tmax = INT64_MIN;
    const fu__eattr *A = b->attrs.v;
    for (size_t i = c0; i < c1; i++) {
        size_t n;
#if defined(__GNUC__)
        if (i + ROWS_AHEAD < c1) {
            const fu__erow *rr = fu__book_customer_rows(b, i + ROWS_AHEAD, &n);
            __builtin_prefetch(rr), __builtin_prefetch(rr + (n ? n - 1 : 0));
        }
        if (i + AHEAD < c1) {
            const fu__erow *ra = fu__book_customer_rows(b, i + AHEAD, &n);
            if (n) __builtin_prefetch(&A[ra[0].attr]), __builtin_prefetch(&A[ra[n - 1].attr]);
        }
#endif
        const fu__erow *r = fu__book_customer_rows(b, i, &n);
        if (!n) continue;
        int64_t t0 = fu__erow_at(A, &r[0]), t1 = fu__erow_at(A, &r[n - 1]);
        if (t0 < tmin) tmin = t0;
        if (t1 > tmax) tmax = t1;
    }
    *tmin_out = tmin;
    *tmax_out = tmax;
}

typedef struct span_job {
    const fu_book *b;
    size_t c0, c1;
    int64_t tmin, tmax;
} span_job;

static int span_run(void *arg) {
    span_job *j = arg;
    book_span(j->b, j->c0, j->c1, &j->tmin, &j->tmax);
    return FU_OK;
}

/* The span of all ncu customers: on two threads when the pass will be (the
 * second half a side job; on this thread when no thread starts). */
static void book_span_all(const fu_kpi *k, size_t ncu, int64_t *tmin, int64_t *tmax) {
    if (fu__kpi_threads_for(k, ncu) < 2) {
        book_span(k->bk, 0, ncu, tmin, tmax);
        return;
    }
    span_job j = {k->bk, ncu / 2, ncu, INT64_MAX, INT64_MIN};
    fu__kpi_side side;
    fu__kpi_side_start(&side, span_run, &j);
    book_span(k->bk, 0, ncu / 2, tmin, tmax);
    (void)fu__kpi_side_join(&side, FU_OK); /* span_run cannot fail */
    if (j.tmin < *tmin) *tmin = j.tmin;
    if (j.tmax > *tmax) *tmax = j.tmax;
}

/* as_of and the range the periods cover (kpi_internal.h). */
void fu__kpi_data_range(const fu_kpi *k, int64_t *as_of_out, int64_t *tmin_out, int64_t *tmax_out) {
    int64_t as_of = k->o.as_of, tmin = INT64_MAX, tmax = INT64_MIN;
    size_t ncu = fu__kpi_customer_count(k);
    int64_t bmin = INT64_MAX, bmax = INT64_MIN;
    if (ncu) {
        (void)fu_book_event_offsets(k->bk); /* settles appended events (before any side job reads) */
        book_span_all(k, ncu, &bmin, &bmax);
    }
    if (as_of == FU_KPI_NO_TIME) {
        tmax = bmax;
        for (size_t i = 0; i < k->n_due; i++)
            if (k->due[i].to > tmax) tmax = k->due[i].to;
        for (size_t i = 0; i < k->n_com; i++)
            if (k->com[i].closed_at != FU_COMMIT_NO_TIME && k->com[i].closed_at > tmax) tmax = k->com[i].closed_at;
        as_of = tmax;
    }
    tmax = as_of;
    tmin = bmin;
    for (size_t i = 0; i < k->n_due; i++)
        if (k->due[i].to < tmin) tmin = k->due[i].to;
    for (size_t i = 0; i < k->n_com; i++) {
        const kcom *m = &k->com[i];
        if (m->deadline == FU_COMMIT_NO_TIME || m->state == FU_COMMIT_CANCELLED) continue;
        if (m->deadline < tmin) tmin = m->deadline;
        if (m->state == FU_COMMIT_FULFILLED && m->closed_at != FU_COMMIT_NO_TIME && m->closed_at <= as_of &&
            m->deadline > tmax)
            tmax = m->deadline;
    }
    *as_of_out = as_of;
    *tmin_out = tmin;
    *tmax_out = tmax;
}
