/* The KPI pass on two threads (lib/kpi_threads.c) gives what one thread
 * gives, byte for byte: the CSV and JSON of the figures, the scorecards and
 * the partial blob (groups and cells in the same order, the same sums, the
 * response times in the same order), on a generated book with many groups,
 * agents (some whose ids mask alike), surveys, issues with response times,
 * purchases with amounts in cents, due items, commitments and segments, for
 * several groupings and periods. FU_KPI_THREADS forces the count; the test
 * also checks that two threads were used. */
#define _GNU_SOURCE /* RTLD_NEXT */
#include "fu_test.h"

#include <criterion/criterion.h>
#include <dlfcn.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int fu__kpi_threads_used(const fu_kpi *k);      /* lib/kpi_threads.c */
size_t fu__kpi_figures_first(const fu_kpi *k); /* lib/kpi_threads.c */

#define NCU 2500
#define NEV 50000
#define NAG 120

static uint64_t rs;
static uint64_t rnd(void) {
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return rs;
}

static char cid[NCU][12], agent[NAG][16], order[400][8];

/* A book of NCU customers and NEV events over 18 months; shared: purchases
 * share their attribute records (amounts from a few values), else each has
 * its own (the label cache is then filled for every record before the pass). */
static fu_book *make_book(int shared) {
    rs = 0x9E3779B97F4A7C15u;
    for (int a = 0; a < NAG; a++)
        snprintf(agent[a], sizeof agent[a], a % 4 == 0 ? "1380000%04d" : "A%03d", a); /* 138****0xxx: alike */
    for (int i = 0; i < 400; i++) snprintf(order[i], sizeof order[i], "O%d", i);
    fu_book_options bo = FU_BOOK_OPTIONS_INIT;
    bo.flags = FU_BOOK_KEEP_DUPLICATES;
    fu_book *b = NULL;
    cr_assert_eq(fu_book_new(&b, &bo), FU_OK);
    for (int i = 0; i < NCU; i++) {
        snprintf(cid[i], sizeof cid[i], "C%05d", i);
        fu_customer c;
        fu_customer_init(&c);
        c.id = cid[i];
        c.tz = "Asia/Shanghai";
        uint64_t r = rnd() % 100;
        c.annual_spend = r < 5 ? 800000.0 : r < 20 ? 200000.0 : r < 95 ? 20000.0 : NAN;
        cr_assert_eq(fu_book_add_customer(b, &c, NULL), FU_OK, "%s", fu_error_last()->message);
    }
    static const char *const cls[] = {"", "electronics", "apparel", "nonsense"};
    const int64_t t0 = 1735660800; /* 2025-01-01T00:00:00+08:00 */
    fu_event_in *in = calloc(NEV, sizeof *in);
    for (int j = 0; j < NEV; j++) {
        fu_event_in *e = &in[j];
        fu_event_in_init(e);
        e->customer_id = cid[rnd() % NCU];
        e->at = t0 + (int64_t)(rnd() % (540u * 86400u));
        uint64_t r = rnd() % 100;
        if (rnd() % 3) e->order_id = order[rnd() % 400];
        if (r < 40) {
            e->kind = FU_EVENT_CONTACT;
            static const fu_channel ch[] = {FU_CHANNEL_PHONE, FU_CHANNEL_PHONE, FU_CHANNEL_SMS, FU_CHANNEL_EMAIL,
                                            FU_CHANNEL_CHAT};
            e->channel = ch[rnd() % 5];
            e->outcome = rnd() % 3 ? FU_OUTCOME_ANSWERED : FU_OUTCOME_NO_ANSWER;
            e->priority = (int)(rnd() % 5);
        } else if (r < 55) {
            e->kind = FU_EVENT_PURCHASE;
            e->amount = shared ? (double)(100 * (1 + rnd() % 4)) : (double)(10000 + rnd() % 500000) / 100.0;
            if (rnd() % 2) e->product_class = cls[rnd() % 4];
            else if (!shared) e->unit_price = (double)(rnd() % 20000) / 10.0;
        } else if (r < 70) {
            e->kind = FU_EVENT_SURVEY;
            uint64_t s = rnd() % 3;
            e->survey = s == 0 ? FU_SURVEY_CSAT : s == 1 ? FU_SURVEY_NPS : FU_SURVEY_CES;
            e->score = (double)(s == 0 ? 1 + rnd() % 5 : s == 1 ? rnd() % 11 : 1 + rnd() % 7);
        } else if (r < 76) {
            e->kind = FU_EVENT_FAULT;
            e->severity = rnd() % 4 ? FU_SEVERITY_NORMAL : FU_SEVERITY_URGENT;
        } else if (r < 80) {
            e->kind = FU_EVENT_COMPLAINT;
        } else if (r < 85) {
            e->kind = FU_EVENT_INQUIRY;
        } else if (r < 87) {
            e->kind = FU_EVENT_FEEDBACK;
        } else if (r < 95) {
            e->kind = FU_EVENT_RESOLVED;
        } else {
            e->kind = FU_EVENT_DELIVERY;
        }
        if ((e->kind == FU_EVENT_CONTACT || e->kind == FU_EVENT_SURVEY || e->kind == FU_EVENT_RESOLVED) && rnd() % 8)
            e->agent_id = agent[rnd() % NAG];
    }
    cr_assert_eq(fu_book_add_events(b, in, NEV), FU_OK, "%s", fu_error_last()->message);
    free(in);
    cr_assert_eq(fu_book_finalize(b), FU_OK);
    return b;
}

typedef struct out {
    char *csv, *json, *sc;
    void *blob;
    size_t csv_len, json_len, blob_len;
    int threads;
} out;

static void out_free(out *o) {
    fu_free(o->csv);
    fu_free(o->json);
    fu_free(o->blob);
    free(o->sc);
}

/* The scorecards as text, %a for the doubles (every bit). */
static char *scorecards_text(fu_kpi *k) {
    const fu_kpi_scorecard *sc = NULL;
    size_t n = 0;
    if (fu_kpi_scorecards(k, &sc, &n) != FU_OK) return NULL;
    size_t cap = 256 * (n + 1), len = 0;
    char *s = malloc(cap);
    s[0] = '\0';
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(s + len, cap - len, "%s|%s|%s|%a|%a|%a|%a|%a|%a|%a\n", sc[i].agent, sc[i].group,
                                sc[i].period, sc[i].score, sc[i].ci_low, sc[i].ci_high, sc[i].satisfaction,
                                sc[i].resolution, sc[i].feedback_conversion, sc[i].efficiency);
    return s;
}

static void run(const fu_policy *p, const fu_kpi_options *o, const fu_book *b, int extra, const char *threads,
                out *r) {
    cr_assert_eq(setenv("FU_KPI_THREADS", threads, 1), 0);
    fu_kpi *k = NULL;
    cr_assert_eq(fu_kpi_new(&k, p, o), FU_OK);
    cr_assert_eq(fu_kpi_add_book(k, b), FU_OK, "%s", fu_error_last()->message);
    if (extra) { /* due items, commitments, segments */
        fu_kpi_due due[300];
        for (int i = 0; i < 300; i++) {
            due[i].customer_id = cid[(i * 7919) % NCU];
            due[i].due_to = 1735660800 + (int64_t)i * 150000;
            due[i].due_from = due[i].due_to - 3 * 86400;
            due[i].agent_id = i % 3 ? agent[i % NAG] : NULL;
        }
        cr_assert_eq(fu_kpi_add_due(k, due, 300), FU_OK, "%s", fu_error_last()->message);
        fu_commitment com[50];
        memset(com, 0, sizeof com);
        for (int i = 0; i < 50; i++) {
            com[i].customer_id = cid[(i * 104729) % NCU];
            com[i].created_by = agent[(i * 3) % NAG];
            com[i].deadline = 1735660800 + (int64_t)i * 900000;
            com[i].state = i % 3 ? FU_COMMIT_FULFILLED : FU_COMMIT_OPEN;
            com[i].closed_at = i % 3 ? com[i].deadline - (i % 2 ? 3600 : -3600) : FU_COMMIT_NO_TIME;
        }
        cr_assert_eq(fu_kpi_add_commitments(k, com, 50), FU_OK, "%s", fu_error_last()->message);
        const char *ids[NCU / 2], *lab[NCU / 2];
        static const char *const segs[] = {"", "loyal", "at_risk", "new"};
        for (int i = 0; i < NCU / 2; i++) ids[i] = cid[2 * i], lab[i] = segs[i % 4];
        cr_assert_eq(fu_kpi_set_segments(k, ids, lab, NCU / 2), FU_OK, "%s", fu_error_last()->message);
    }
    size_t n = 0;
    cr_assert_eq(fu_kpi_compute(k, &n), FU_OK, "%s", fu_error_last()->message);
    cr_assert_gt(n, 100);
    r->threads = fu__kpi_threads_used(k);
    cr_assert_eq(fu_kpi_write_csv_to_string(k, &r->csv_len, &r->csv), FU_OK);
    cr_assert_eq(fu_kpi_write_json_to_string(k, &r->json_len, &r->json), FU_OK);
    cr_assert_eq(fu_kpi_partial_write(k, &r->blob_len, &r->blob), FU_OK, "%s", fu_error_last()->message);
    r->sc = scorecards_text(k);
    fu_kpi_free(k);
    unsetenv("FU_KPI_THREADS");
}

static void expect_same(const fu_policy *p, const fu_kpi_options *o, const fu_book *b, int extra, const char *what) {
    out one, two;
    memset(&one, 0, sizeof one);
    memset(&two, 0, sizeof two);
    run(p, o, b, extra, "1", &one);
    run(p, o, b, extra, "2", &two);
    cr_assert_eq(one.threads, 1, "%s", what);
    cr_assert_eq(two.threads, 2, "%s: the pass ran on two threads", what);
    cr_expect(one.csv_len == two.csv_len && memcmp(one.csv, two.csv, one.csv_len) == 0, "%s: CSV differs", what);
    cr_expect(one.json_len == two.json_len && memcmp(one.json, two.json, one.json_len) == 0, "%s: JSON differs", what);
    cr_expect(one.blob_len == two.blob_len && memcmp(one.blob, two.blob, one.blob_len) == 0,
              "%s: partial blob differs (%zu / %zu bytes)", what, one.blob_len, two.blob_len);
    cr_expect((!one.sc && !two.sc) || (one.sc && two.sc && strcmp(one.sc, two.sc) == 0), "%s: scorecards differ", what);
    out_free(&one);
    out_free(&two);
}

static fu_kpi_options opts(unsigned by, fu_kpi_period period) {
    fu_kpi_options o = FU_KPI_OPTIONS_INIT;
    o.by = by;
    o.period = period;
    cr_assert_eq(fu_time_parse("2026-06-01T00:00:00+08:00", 25, &o.as_of), FU_OK);
    o.contact_cost[FU_CHANNEL_PHONE] = 8;
    o.contact_cost[FU_CHANNEL_SMS] = 0.1;
    o.contact_cost[FU_CHANNEL_EMAIL] = 0.05;
    o.contact_cost[FU_CHANNEL_CHAT] = 1.5;
    return o;
}

Test(kpi_threads, two_threads_give_one_threads_bytes) {
    fu_policy *p = NULL;
    cr_assert_eq(fu_policy_default(&p), FU_OK);
    const unsigned bys[] = {FU_KPI_BY_TIER | FU_KPI_BY_AGENT,
                            0,
                            FU_KPI_BY_TIER | FU_KPI_BY_CHANNEL | FU_KPI_BY_PRODUCT_CLASS,
                            FU_KPI_BY_AGENT | FU_KPI_BY_SEGMENT | FU_KPI_BY_CHANNEL,
                            FU_KPI_BY_SEGMENT | FU_KPI_BY_TIER};
    for (int shared = 1; shared >= 0; shared--) {
        fu_book *b = make_book(shared);
        for (size_t i = 0; i < sizeof bys / sizeof *bys; i++)
            for (int per = 0; per < 3; per++) {
                if (per != FU_KPI_WEEK && i > 1) continue;
                fu_kpi_options o = opts(bys[i], (fu_kpi_period)per);
                char what[96];
                snprintf(what, sizeof what, "shared %d, by 0x%x, period %d", shared, bys[i], per);
                expect_same(p, &o, b, i % 2 == 1 || i == 3, what);
            }
        fu_book_free(b);
    }
    fu_policy_free(p);
}

/* The figures on two threads (lib/kpi_figures.c): the calling thread writes
 * the first periods' figures, the second thread counts them and writes the
 * rest right after. The cut is at a period boundary with response-time
 * quantiles and scorecard figures on both sides (so a miscount of either
 * kind shifts the second part: the bytes then differ from one thread's), and
 * a range of one period (nothing to cut) and of two give one thread's bytes. */
/* k computed over b with FU_KPI_THREADS set to threads (unset again after);
 * *n its figure count. */
static fu_kpi *computed_with(const fu_policy *p, const fu_kpi_options *o, const fu_book *b, const char *threads,
                             size_t *n) {
    cr_assert_eq(setenv("FU_KPI_THREADS", threads, 1), 0);
    fu_kpi *k = NULL;
    cr_assert_eq(fu_kpi_new(&k, p, o), FU_OK);
    cr_assert_eq(fu_kpi_add_book(k, b), FU_OK);
    cr_assert_eq(fu_kpi_compute(k, n), FU_OK, "%s", fu_error_last()->message);
    unsetenv("FU_KPI_THREADS");
    return k;
}

static void fig_kinds(const fu_kpi_figure *f, size_t i0, size_t i1, size_t *p50, size_t *score) {
    *p50 = *score = 0;
    for (size_t i = i0; i < i1; i++) {
        *p50 += f[i].kpi == FU_KPI_RESPONSE_P50;
        *score += f[i].kpi == FU_KPI_SCORECARD;
    }
}

Test(kpi_threads, the_figures_in_two_parts_in_place) {
    fu_policy *p = NULL;
    cr_assert_eq(fu_policy_default(&p), FU_OK);
    fu_book *b = make_book(1);
    fu_kpi_options o = opts(FU_KPI_BY_TIER | FU_KPI_BY_AGENT, FU_KPI_WEEK);
    size_t n = 0;
    fu_kpi *k = computed_with(p, &o, b, "2", &n);
    const fu_kpi_figure *f = fu_kpi_figures(k, &n);
    size_t h = fu__kpi_figures_first(k), p50a, sca, p50b, scb;
    cr_assert(h > 0 && h < n, "the second thread wrote figures (%zu of %zu first)", h, n);
    cr_expect_lt(f[h - 1].period_index, f[h].period_index, "the cut is at a period boundary");
    cr_expect_gt(h, n / 2, "the first part is the larger");
    fig_kinds(f, 0, h, &p50a, &sca);
    fig_kinds(f, h, n, &p50b, &scb);
    cr_expect(p50a && p50b && sca && scb, "quantiles %zu / %zu and scorecards %zu / %zu on both sides", p50a, p50b,
              sca, scb);
    fu_kpi_free(k);
    expect_same(p, &o, b, 0, "by tier x agent, weeks");
    static const char *const ranges[][2] = {{"2025-09-01T00:00:00+08:00", "2025-09-08T00:00:00+08:00"},
                                            {"2025-09-01T00:00:00+08:00", "2025-09-15T00:00:00+08:00"}};
    for (int r = 0; r < 2; r++) {
        cr_assert_eq(fu_time_parse(ranges[r][0], 25, &o.from), FU_OK);
        cr_assert_eq(fu_time_parse(ranges[r][1], 25, &o.to), FU_OK);
        expect_same(p, &o, b, 0, r ? "two weeks" : "one week");
    }
    fu_book_free(b);
    fu_policy_free(p);
}

/* The book's span (the first and the last event, before the periods are
 * built) is found on two threads when the pass is (lib/kpi_span.c): the
 * second half of the customers by a side job. A book of four customers
 * whose earliest event is in one half and the latest in the other, both
 * ways round, without as_of (the latest event is as_of): the first and last
 * periods are those of these events on two threads as on one (a half's span
 * dropped moves one of them), and the bytes are one thread's. */
static void span_book_compute(const fu_policy *p, const char *threads, const char *const at[4][2], char **csv,
                              size_t *len, char first[16], char last[16]) {
    static const char *const ids[4] = {"S0", "S1", "S2", "S3"};
    fu_book_options bo = FU_BOOK_OPTIONS_INIT;
    fu_book *b = NULL;
    cr_assert_eq(fu_book_new(&b, &bo), FU_OK);
    fu_event_in in[8];
    for (int i = 0; i < 4; i++) {
        fu_customer c;
        fu_customer_init(&c);
        c.id = ids[i];
        c.tz = "Asia/Shanghai";
        cr_assert_eq(fu_book_add_customer(b, &c, NULL), FU_OK, "%s", fu_error_last()->message);
        for (int j = 0; j < 2; j++) {
            fu_event_in *e = &in[2 * i + j];
            fu_event_in_init(e);
            e->customer_id = ids[i];
            e->kind = FU_EVENT_SURVEY;
            e->survey = FU_SURVEY_CSAT;
            e->score = 4;
            cr_assert_eq(fu_time_parse(at[i][j], strlen(at[i][j]), &e->at), FU_OK);
        }
    }
    cr_assert_eq(fu_book_add_events(b, in, 8), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(fu_book_finalize(b), FU_OK);
    fu_kpi_options o = FU_KPI_OPTIONS_INIT;
    o.period = FU_KPI_MONTH;
    size_t n = 0;
    fu_kpi *k = computed_with(p, &o, b, threads, &n);
    cr_assert_eq(fu__kpi_threads_used(k), threads[0] - '0');
    const fu_kpi_figure *f = fu_kpi_figures(k, &n);
    cr_assert_gt(n, 0);
    snprintf(first, 16, "%s", f[0].period);
    snprintf(last, 16, "%s", f[n - 1].period);
    cr_assert_eq(fu_kpi_write_csv_to_string(k, len, csv), FU_OK);
    fu_kpi_free(k);
    fu_book_free(b);
}

Test(kpi_threads, the_books_span_on_two_threads) {
    fu_policy *p = NULL;
    cr_assert_eq(fu_policy_default(&p), FU_OK);
    /* customer x (first, second event); the earliest (January) and the latest
     * (December) are in different halves: S3 and S0, then S0 and S3 */
    static const char *const at[2][4][2] = {
        {{"2025-03-03T10:00:00+08:00", "2025-12-15T10:00:00+08:00"},
         {"2025-05-05T10:00:00+08:00", "2025-06-05T10:00:00+08:00"},
         {"2025-06-10T10:00:00+08:00", "2025-07-10T10:00:00+08:00"},
         {"2025-01-20T10:00:00+08:00", "2025-04-20T10:00:00+08:00"}},
        {{"2025-01-20T10:00:00+08:00", "2025-04-20T10:00:00+08:00"},
         {"2025-05-05T10:00:00+08:00", "2025-06-05T10:00:00+08:00"},
         {"2025-06-10T10:00:00+08:00", "2025-07-10T10:00:00+08:00"},
         {"2025-03-03T10:00:00+08:00", "2025-12-15T10:00:00+08:00"}}};
    for (int w = 0; w < 2; w++) {
        char *c1 = NULL, *c2 = NULL, f1[16], l1[16], f2[16], l2[16];
        size_t n1 = 0, n2 = 0;
        span_book_compute(p, "1", at[w], &c1, &n1, f1, l1);
        span_book_compute(p, "2", at[w], &c2, &n2, f2, l2);
        cr_expect_str_eq(f1, "2025-01", "arrangement %d, one thread", w);
        cr_expect_str_eq(l1, "2025-12", "arrangement %d, one thread", w);
        cr_expect_str_eq(f2, "2025-01", "arrangement %d, two threads: the first period", w);
        cr_expect_str_eq(l2, "2025-12", "arrangement %d, two threads: the last period", w);
        cr_expect(n1 == n2 && memcmp(c1, c2, n1) == 0, "arrangement %d: the CSV differs", w);
        fu_free(c1);
        fu_free(c2);
    }
    fu_policy_free(p);
}

/* Small books stay on one thread unless FU_KPI_THREADS says two; "1" forces one. */
Test(kpi_threads, the_count_follows_fu_kpi_threads) {
    fu_policy *p = NULL;
    cr_assert_eq(fu_policy_default(&p), FU_OK);
    fu_book *b = make_book(1);
    fu_kpi_options o = opts(FU_KPI_BY_TIER, FU_KPI_MONTH);
    fu_kpi *k = NULL;
    unsetenv("FU_KPI_THREADS");
    cr_assert_eq(fu_kpi_new(&k, p, &o), FU_OK);
    cr_assert_eq(fu_kpi_add_book(k, b), FU_OK);
    size_t n = 0;
    cr_assert_eq(fu_kpi_compute(k, &n), FU_OK);
    cr_expect_eq(fu__kpi_threads_used(k), 1, "50,000 events: one thread by default");
    fu_kpi_free(k);
    fu_book_free(b);
    fu_policy_free(p);
}

/* The cancel hook (the calling thread's) stops both threads: FU_ECANCELED,
 * no figures; the next compute without the hook gives the figures again. */
static int cancel_now(void *ud) {
    ++*(int *)ud;
    return 1;
}

Test(kpi_threads, the_cancel_hook_stops_both_threads) {
    fu_policy *p = NULL;
    cr_assert_eq(fu_policy_default(&p), FU_OK);
    fu_book *b = make_book(1);
    fu_kpi_options o = opts(FU_KPI_BY_TIER | FU_KPI_BY_AGENT, FU_KPI_WEEK);
    fu_kpi *k = NULL;
    cr_assert_eq(setenv("FU_KPI_THREADS", "2", 1), 0);
    cr_assert_eq(fu_kpi_new(&k, p, &o), FU_OK);
    cr_assert_eq(fu_kpi_add_book(k, b), FU_OK);
    int calls = 0;
    size_t n = 0;
    fu_set_cancel_hook(cancel_now, &calls);
    cr_assert_eq(fu_kpi_compute(k, &n), FU_ECANCELED);
    fu_set_cancel_hook(NULL, NULL);
    cr_expect_eq(calls, 1, "asked once, by the calling thread");
    cr_expect_eq(n, 0);
    cr_expect_null(fu_kpi_figures(k, &n));
    cr_assert_eq(fu_kpi_compute(k, &n), FU_OK, "%s", fu_error_last()->message);
    cr_expect_gt(n, 100);
    cr_expect_eq(fu__kpi_threads_used(k), 2);
    fu_kpi_free(k);
    unsetenv("FU_KPI_THREADS");
    fu_book_free(b);
    fu_policy_free(p);
}

/* Events appended to the borrowed book after a compute (the book's overflow
 * area, settled by the next compute before the second thread starts): the
 * next compute on two threads gives one thread's bytes. */
static void append_and_compute(const char *threads, out *r) {
    fu_policy *p = NULL;
    cr_assert_eq(fu_policy_default(&p), FU_OK);
    fu_book *b = make_book(1);
    fu_kpi_options o = opts(FU_KPI_BY_TIER | FU_KPI_BY_AGENT, FU_KPI_MONTH);
    cr_assert_eq(setenv("FU_KPI_THREADS", threads, 1), 0);
    fu_kpi *k = NULL;
    cr_assert_eq(fu_kpi_new(&k, p, &o), FU_OK);
    cr_assert_eq(fu_kpi_add_book(k, b), FU_OK);
    size_t n = 0;
    cr_assert_eq(fu_kpi_compute(k, &n), FU_OK);
    fu_event_in in[600];
    for (int j = 0; j < 600; j++) {
        fu_event_in_init(&in[j]);
        in[j].customer_id = cid[(j * 37) % NCU];
        in[j].at = 1735660800 + (int64_t)(j * 70001 % (500 * 86400));
        in[j].kind = j % 3 ? FU_EVENT_CONTACT : FU_EVENT_COMPLAINT;
        in[j].channel = FU_CHANNEL_PHONE;
        in[j].outcome = FU_OUTCOME_ANSWERED;
        in[j].agent_id = agent[j % NAG];
    }
    cr_assert_eq(fu_book_append_events(b, in, 600), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(fu_kpi_compute(k, &n), FU_OK, "%s", fu_error_last()->message);
    r->threads = fu__kpi_threads_used(k);
    cr_assert_eq(fu_kpi_write_csv_to_string(k, &r->csv_len, &r->csv), FU_OK);
    cr_assert_eq(fu_kpi_partial_write(k, &r->blob_len, &r->blob), FU_OK);
    fu_kpi_free(k);
    unsetenv("FU_KPI_THREADS");
    fu_book_free(b);
    fu_policy_free(p);
}

Test(kpi_threads, events_appended_to_the_borrowed_book) {
    out one, two;
    memset(&one, 0, sizeof one);
    memset(&two, 0, sizeof two);
    append_and_compute("1", &one);
    append_and_compute("2", &two);
    cr_assert_eq(two.threads, 2);
    cr_expect(one.csv_len == two.csv_len && memcmp(one.csv, two.csv, one.csv_len) == 0, "CSV differs");
    cr_expect(one.blob_len == two.blob_len && memcmp(one.blob, two.blob, one.blob_len) == 0, "partial blob differs");
    out_free(&one);
    out_free(&two);
}

/* A host's allocator need not be thread-safe (review s10 hR2 M1): under
 * one (fu_set_allocator()) a book big enough for two threads gets one,
 * unless FU_KPI_THREADS=2 says the allocator is safe; the C library's
 * allocator gets two on a machine with two CPUs. */
static fu_book *big_book(void) {
    enum { N = 50000, PER = 5 }; /* 250,000 events: above the two-thread size */
    fu_book_options bo = FU_BOOK_OPTIONS_INIT;
    fu_book *b = NULL;
    cr_assert_eq(fu_book_new(&b, &bo), FU_OK);
    static char ids[N][8];
    fu_event_in *in = calloc((size_t)N * PER, sizeof *in);
    cr_assert_not_null(in);
    for (int i = 0; i < N; i++) {
        snprintf(ids[i], sizeof ids[i], "B%05d", i);
        fu_customer c;
        fu_customer_init(&c);
        c.id = ids[i];
        c.tz = "Asia/Shanghai";
        cr_assert_eq(fu_book_add_customer(b, &c, NULL), FU_OK, "%s", fu_error_last()->message);
        for (int j = 0; j < PER; j++) {
            fu_event_in *e = &in[i * PER + j];
            fu_event_in_init(e);
            e->customer_id = ids[i];
            e->at = 1735660800 + (int64_t)(i % 500) * 3600 + (int64_t)j * 86400;
            e->kind = j == 0 ? FU_EVENT_PURCHASE : FU_EVENT_CONTACT;
            if (j) e->channel = FU_CHANNEL_PHONE, e->outcome = FU_OUTCOME_ANSWERED;
            else e->amount = 100.0;
        }
    }
    cr_assert_eq(fu_book_add_events(b, in, (size_t)N * PER), FU_OK, "%s", fu_error_last()->message);
    free(in);
    cr_assert_eq(fu_book_finalize(b), FU_OK);
    return b;
}

static int threads_of_compute(fu_policy *p, fu_book *b) {
    fu_kpi_options o = opts(FU_KPI_BY_TIER, FU_KPI_MONTH);
    fu_kpi *k = NULL;
    size_t n = 0;
    cr_assert_eq(fu_kpi_new(&k, p, &o), FU_OK);
    cr_assert_eq(fu_kpi_add_book(k, b), FU_OK);
    cr_assert_eq(fu_kpi_compute(k, &n), FU_OK, "%s", fu_error_last()->message);
    int t = fu__kpi_threads_used(k);
    fu_kpi_free(k);
    return t;
}

Test(kpi_threads, a_hosts_allocator_keeps_the_pass_on_one_thread) {
    unsetenv("FU_KPI_THREADS");
    for (int host = 0; host < 2; host++) { /* everything made and freed under one allocator */
        if (host) fu_test_alloc_install(0);
        fu_policy *p = NULL;
        cr_assert_eq(fu_policy_default(&p), FU_OK);
        fu_book *b = big_book();
        if (!host) {
            int cpus = sysconf(_SC_NPROCESSORS_ONLN) > 1;
            cr_expect_eq(threads_of_compute(p, b), cpus ? 2 : 1, "the C library's allocator");
        } else {
            cr_expect_eq(threads_of_compute(p, b), 1, "a host's allocator: one thread");
            cr_assert_eq(setenv("FU_KPI_THREADS", "2", 1), 0);
            cr_expect_eq(threads_of_compute(p, b), 2, "FU_KPI_THREADS=2: the host says its allocator is thread-safe");
            unsetenv("FU_KPI_THREADS");
        }
        fu_book_free(b);
        fu_policy_free(p);
        if (host) {
            cr_expect_eq(fu_test_alloc_live(), 0, "nothing left under the host's allocator");
            fu_test_alloc_uninstall();
        }
    }
}

/* Out of memory while the pass runs on two threads (review s10 hR2 M2): a
 * thread-safe counting allocator (the worker allocates too) makes the Nth
 * allocation of a compute fail, for every N up to the compute's allocations
 * and two past them (the setup, the worker's context, both threads' scratch,
 * the merge, the figures; review s11 hR L4: every N, not a sample). Each
 * compute fails with FU_ENOMEM and a message, or succeeds when the Nth
 * allocation was not made; no figures are left from a failed one; the next
 * compute without the failure gives the same CSV as before; nothing is left
 * allocated (and nothing leaks under ASan). The allocator notes where the
 * failure landed: on the worker thread (not the thread that called the
 * compute), or in the merge: pass_two() joins the worker right before
 * merge_worker(), whose first allocation is then the calling thread's first
 * after the join (the test's pthread_join() below notes the join), so the
 * test knows both were hit. */
static pthread_mutex_t ts_mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned long ts_count, ts_fail_at;
static long ts_live;
static int ts_failed;
static pthread_t ts_main;             /* the thread that calls compute */
static int ts_joined;                 /* the calling thread joined a thread since ts_fail() */
static unsigned long ts_after_join;   /* the calling thread's allocations since then */
static int ts_where;                  /* of the failure: 0 none, 1 worker, 2 first after the join, 3 other */
static unsigned long ts_w0, ts_w1, ts_m; /* allocation numbers: the worker's first and last, the merge's first */
static pthread_t ts_other;            /* the last thread other than ts_main that allocated */
static int ts_other_set;

/* The library's pthread_join() (this executable's definition comes first),
 * noting for ts_take() the join of a thread that allocated (the worker: the
 * side job that finds the book's span before the pass allocates nothing),
 * then glibc's (or a sanitizer's). */
int pthread_join(pthread_t th, void **ret) {
    static int (*real)(pthread_t, void **);
    if (!real) {
        void *sym = dlsym(RTLD_NEXT, "pthread_join");
        cr_assert(sym, "no pthread_join after this one");
        memcpy(&real, &sym, sizeof real);
    }
    int rc = real(th, ret);
    pthread_mutex_lock(&ts_mu);
    if (pthread_equal(pthread_self(), ts_main) && ts_other_set && pthread_equal(th, ts_other)) ts_joined = 1;
    pthread_mutex_unlock(&ts_mu);
    return rc;
}

static int ts_take(int grows) {
    pthread_mutex_lock(&ts_mu);
    int main_thread = pthread_equal(pthread_self(), ts_main);
    int fail = grows && ts_fail_at && ++ts_count == ts_fail_at;
    if (grows && !ts_fail_at) ts_count++;
    int first_after = grows && main_thread && ts_joined && ++ts_after_join == 1;
    if (fail) ts_where = !main_thread ? 1 : first_after ? 2 : 3;
    if (grows && !main_thread) ts_w1 = ts_count, ts_w0 = ts_w0 ? ts_w0 : ts_count;
    if (grows && !main_thread) ts_other = pthread_self(), ts_other_set = 1;
    if (first_after) ts_m = ts_count;
    ts_failed |= fail;
    pthread_mutex_unlock(&ts_mu);
    return fail;
}

static void ts_live_add(long d) {
    pthread_mutex_lock(&ts_mu);
    ts_live += d;
    pthread_mutex_unlock(&ts_mu);
}

static void *ts_malloc(size_t size, void *ud) {
    (void)ud;
    if (ts_take(1)) return NULL;
    void *p = malloc(size ? size : 1);
    if (p) ts_live_add(1);
    return p;
}

static void *ts_realloc(void *p, size_t size, void *ud) {
    (void)ud;
    if (ts_take(1)) return NULL;
    void *q = realloc(p, size ? size : 1);
    if (q && !p) ts_live_add(1);
    return q;
}

static void ts_free(void *p, void *ud) {
    (void)ud;
    if (p) ts_live_add(-1);
    free(p);
}

/* From now on the nth allocation fails (0: none); the count restarts. */
static void ts_fail(unsigned long n) {
    pthread_mutex_lock(&ts_mu);
    ts_count = 0, ts_fail_at = n, ts_failed = 0;
    ts_main = pthread_self(), ts_joined = 0, ts_after_join = 0, ts_where = 0, ts_w0 = ts_w1 = ts_m = 0;
    ts_other_set = 0;
    pthread_mutex_unlock(&ts_mu);
}

/* A compute of a new engine over book b whose allocation `at` fails (0:
 * none): its return code; *csv (fu_free) its CSV when it succeeded, else
 * the CSV of the next compute without the failure. */
static int compute_failing_at(const fu_policy *p, const fu_kpi_options *o, const fu_book *b, unsigned long at,
                              char **csv, size_t *len, unsigned long *count, int *where) {
    fu_kpi *k = NULL;
    size_t n = 0;
    cr_assert_eq(fu_kpi_new(&k, p, o), FU_OK);
    cr_assert_eq(fu_kpi_add_book(k, b), FU_OK);
    ts_fail(at);
    int rc = fu_kpi_compute(k, &n);
    int fired = ts_failed;
    *count = ts_count;
    *where = ts_where;
    unsigned long w0 = ts_w0, w1 = ts_w1, m = ts_m;
    ts_fail(0);
    ts_w0 = w0, ts_w1 = w1, ts_m = m;
    if (rc) {
        cr_expect_eq(rc, FU_ENOMEM, "allocation %lu: %s", at, fu_error_last()->message);
        cr_expect(fired, "allocation %lu: an error without the failure", at);
        cr_expect_neq(fu_error_last()->message[0], '\0', "allocation %lu: a message", at);
        cr_expect_eq(n, 0);
        cr_expect_null(fu_kpi_figures(k, &n), "allocation %lu: no figures after the failure", at);
        cr_assert_eq(fu_kpi_compute(k, &n), FU_OK, "after allocation %lu: %s", at, fu_error_last()->message);
    } else {
        cr_expect_eq(fu__kpi_threads_used(k), 2, "allocation %lu", at);
    }
    cr_assert_eq(fu_kpi_write_csv_to_string(k, len, csv), FU_OK);
    fu_kpi_free(k);
    return rc;
}

/* Which allocation numbers to fail: every one of a compute took 125 s of
 * CPU without sanitizers (1,690 allocations, each N a compute or two), so
 * every N in the setup, at the end, at the start and end of the worker's
 * allocations and around the merge's first (these move a little from run
 * to run: the two threads' allocations interleave), and 24 more spread over
 * the rest: about 80 computes (5.5 s of CPU, 17.6 s under ASan+UBSan; every
 * N would take some 390 s there). */
static int wanted(unsigned long at, unsigned long total, unsigned long w0, unsigned long w1, unsigned long m) {
    if (at <= 24 || at + 4 >= total) return 1;
    if ((at + 2 >= w0 && at < w0 + 6) || (at + 6 > w1 && at <= w1 + 2)) return 1;
    if (at + 3 >= m && at <= m + 8) return 1;
    return at % (total / 24 + 1) == 0;
}

Test(kpi_threads, out_of_memory_on_either_thread) {
    const fu_allocator al = {ts_malloc, ts_realloc, ts_free, NULL};
    cr_assert_eq(fu_set_allocator(&al), FU_OK);
    cr_assert_eq(setenv("FU_KPI_THREADS", "2", 1), 0);
    fu_policy *p = NULL;
    cr_assert_eq(fu_policy_default(&p), FU_OK);
    fu_book *b = make_book(1);
    fu_kpi_options o = opts(FU_KPI_BY_TIER | FU_KPI_BY_AGENT, FU_KPI_WEEK);
    size_t ref_len = 0, len = 0;
    char *ref = NULL, *csv = NULL;
    unsigned long total = 0, count = 0; /* allocations of one compute */
    int where = 0, in_worker = 0, in_merge = 0;
    cr_assert_eq(compute_failing_at(p, &o, b, 0, &ref, &ref_len, &total, &where), FU_OK);
    cr_assert_gt(total, 20);
    const unsigned long w0 = ts_w0, w1 = ts_w1, m = ts_m;
    cr_assert(w0 && w1 >= w0 && m > w0, "the worker's allocations %lu-%lu, the merge's %lu", w0, w1, m);
    unsigned long failures = 0, tried = 0;
    for (unsigned long at = 1; at <= total + 2; at++) {
        if (!wanted(at, total, w0, w1, m)) continue;
        tried++;
        int rc = compute_failing_at(p, &o, b, at, &csv, &len, &count, &where);
        failures += rc != FU_OK;
        in_worker += rc != FU_OK && where == 1;
        in_merge += rc != FU_OK && where == 2;
        cr_expect(len == ref_len && memcmp(csv, ref, len) == 0, "after allocation %lu: the CSV differs", at);
        fu_free(csv);
    }
    cr_expect_geq(failures, tried / 2, "the failures fired (%lu allocations a compute, %lu tried, %lu failed)",
                  total, tried, failures);
    /* the two threads' allocations interleave differently each run: should
     * no N above have landed on the worker or the merge, walk their ranges
     * until one does */
    for (unsigned long at = w0; at <= w1 + 2 && !in_worker; at++) {
        in_worker += compute_failing_at(p, &o, b, at, &csv, &len, &count, &where) != FU_OK && where == 1;
        fu_free(csv);
    }
    for (unsigned long at = m > 8 ? m - 8 : 1; at <= m + 8 && !in_merge; at++) {
        in_merge += compute_failing_at(p, &o, b, at, &csv, &len, &count, &where) != FU_OK && where == 2;
        fu_free(csv);
    }
    cr_log_info("%lu allocations a compute, worker %lu-%lu, merge %lu: %lu tried, %lu failed, %d on the worker, %d in "
                "the merge", total, w0, w1, m, tried, failures, in_worker, in_merge);
    cr_expect_gt(in_worker, 0, "a failure on the worker thread");
    cr_expect_gt(in_merge, 0, "a failure in the merge (the calling thread's first allocation after the join)");
    fu_free(ref);
    fu_book_free(b);
    fu_policy_free(p);
    unsetenv("FU_KPI_THREADS");
    cr_expect_eq(ts_live, 0, "nothing left allocated");
    fu_set_allocator(NULL);
}

/* One customer's contacts in one cell: their revenues are added to the cell
 * one by one in double-double, not summed per customer first (in doubles:
 * 2^53 + 1 rounds to 2^53, and the cell's revenue would be 2^53 + 1 instead
 * of 2^53 + 2). R1 and R2, in the same week (weekly cells, no grouping),
 * each reached by a phone call: R1 buys 2^53 after its first call and 1
 * after its second, R2 buys 1 after its call. ROI = revenue / cost = (2^53 +
 * 2) / 3 (three calls at 1 each), on one thread and on two. */
static double roi_of_week(const char *threads) {
    fu_policy *p = NULL;
    cr_assert_eq(fu_policy_default(&p), FU_OK);
    fu_book *b = NULL;
    cr_assert_eq(fu_book_new(&b, NULL), FU_OK);
    static const char *const ids[] = {"R1", "R2"};
    for (int i = 0; i < 2; i++) {
        fu_customer c;
        fu_customer_init(&c);
        c.id = ids[i];
        c.tz = "Asia/Shanghai";
        cr_assert_eq(fu_book_add_customer(b, &c, NULL), FU_OK, "%s", fu_error_last()->message);
    }
    /* 2025-03-04 (a Tuesday) from 10:00 +08:00 */
    const int64_t t0 = 1741053600, h = 3600;
    struct {
        const char *cust;
        int64_t at;
        double amount; /* NaN: a call */
    } ev[] = {{"R1", t0, NAN}, {"R1", t0 + h, 9007199254740992.0}, {"R1", t0 + 2 * h, NAN},
              {"R1", t0 + 3 * h, 1.0}, {"R2", t0 + h, NAN}, {"R2", t0 + 2 * h, 1.0}};
    fu_event_in in[6];
    for (int j = 0; j < 6; j++) {
        fu_event_in_init(&in[j]);
        in[j].customer_id = ev[j].cust;
        in[j].at = ev[j].at;
        if (isnan(ev[j].amount)) {
            in[j].kind = FU_EVENT_CONTACT;
            in[j].channel = FU_CHANNEL_PHONE;
            in[j].outcome = FU_OUTCOME_ANSWERED;
            in[j].agent_id = "A1";
        } else {
            in[j].kind = FU_EVENT_PURCHASE;
            in[j].amount = ev[j].amount;
        }
    }
    cr_assert_eq(fu_book_add_events(b, in, 6), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(fu_book_finalize(b), FU_OK);
    fu_kpi_options o = FU_KPI_OPTIONS_INIT;
    o.by = 0;
    o.period = FU_KPI_WEEK;
    o.contact_cost[FU_CHANNEL_PHONE] = 1;
    cr_assert_eq(setenv("FU_KPI_THREADS", threads, 1), 0);
    fu_kpi *k = NULL;
    cr_assert_eq(fu_kpi_new(&k, p, &o), FU_OK);
    cr_assert_eq(fu_kpi_add_book(k, b), FU_OK, "%s", fu_error_last()->message);
    size_t n = 0;
    cr_assert_eq(fu_kpi_compute(k, &n), FU_OK, "%s", fu_error_last()->message);
    unsetenv("FU_KPI_THREADS");
    double roi = NAN;
    size_t nf = 0, seen = 0;
    const fu_kpi_figure *f = fu_kpi_figures(k, &nf);
    for (size_t i = 0; i < nf; i++)
        if (f[i].kpi == FU_KPI_ROI) {
            roi = f[i].value;
            cr_expect_eq(f[i].n, 3.0, "three calls in the cell");
            seen++;
        }
    cr_expect_eq(seen, 1, "one week, one ROI figure");
    fu_kpi_free(k);
    fu_book_free(b);
    fu_policy_free(p);
    return roi;
}

Test(kpi_threads, a_cells_revenue_adds_each_contacts_exactly) {
    const double want = 9007199254740994.0 / 3; /* (2^53 + 2) / 3; (2^53 + 1) / 3 rounds apart */
    cr_assert_neq(want, 9007199254740992.0 / 3);
    double one = roi_of_week("1"), two = roi_of_week("2");
    cr_expect_eq(one, want, "one thread: ROI %a, want %a", one, want);
    cr_expect_eq(two, want, "two threads: ROI %a, want %a", two, want);
}

/* The figures come sorted by period, then KPI, then group label (the report
 * order: lib/kpi_figures.c cord_sort, by group rank and then by period),
 * whatever order the cells were made in: the generated book by tier x agent
 * (agents' labels do not sort as their group numbers: "A..." and masked
 * "138****0..." texts met in random order) and by agent alone, every period,
 * on one thread and on two. */
static void expect_report_order(const fu_policy *p, unsigned by, fu_kpi_period per, const char *threads) {
    fu_book *b = make_book(0);
    fu_kpi_options o = opts(by, per);
    cr_assert_eq(setenv("FU_KPI_THREADS", threads, 1), 0);
    fu_kpi *k = NULL;
    cr_assert_eq(fu_kpi_new(&k, p, &o), FU_OK);
    cr_assert_eq(fu_kpi_add_book(k, b), FU_OK, "%s", fu_error_last()->message);
    size_t n = 0, bad = 0;
    cr_assert_eq(fu_kpi_compute(k, &n), FU_OK, "%s", fu_error_last()->message);
    unsetenv("FU_KPI_THREADS");
    const fu_kpi_figure *f = fu_kpi_figures(k, &n);
    cr_assert_gt(n, 1000);
    for (size_t i = 1; i < n; i++) {
        const fu_kpi_figure *a = &f[i - 1], *z = &f[i];
        int ok = a->period_index < z->period_index ||
                 (a->period_index == z->period_index &&
                  (a->kpi < z->kpi || (a->kpi == z->kpi && strcmp(a->group, z->group) < 0)));
        if (!ok && bad++ < 3)
            cr_log_error("by %u period %d threads %s: figure %zu (%s %s %s) after (%s %s %s)", by, (int)per, threads, i,
                         z->period, z->name, z->group, a->period, a->name, a->group);
    }
    cr_expect_eq(bad, 0, "by %u period %d threads %s: %zu figures out of order", by, (int)per, threads, bad);
    fu_kpi_free(k);
    fu_book_free(b);
}

Test(kpi_threads, the_figures_in_report_order) {
    fu_policy *p = NULL;
    cr_assert_eq(fu_policy_default(&p), FU_OK);
    for (int per = FU_KPI_DAY; per <= FU_KPI_MONTH; per++) {
        expect_report_order(p, FU_KPI_BY_TIER | FU_KPI_BY_AGENT, (fu_kpi_period)per, "1");
        expect_report_order(p, FU_KPI_BY_TIER | FU_KPI_BY_AGENT, (fu_kpi_period)per, "2");
        expect_report_order(p, FU_KPI_BY_AGENT, (fu_kpi_period)per, "2");
    }
    fu_policy_free(p);
}
