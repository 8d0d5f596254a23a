/* Benchmark of fu_kpi: 10,000,000 events of 500,000 customers over two
 * years to every KPI by week x tier x agent, and the same data through
 * bench/kpi_pandas.py in the same run.
 *
 *   bench_kpi [events] [customers] [tmpdir] [path/to/kpi_pandas.py]
 *
 * The data are generated here (fixed seed), put into a fu_book (not timed)
 * and written as raw little-endian columns to tmpdir for pandas. Timed, as
 * the median of KPI_RUNS runs (environment, default 5): fu_kpi_new +
 * fu_kpi_add_book + fu_kpi_compute
 * ("book to figures") and, separately, fu_kpi_compute alone after adding a
 * change (the incremental path). KPI_BY=bits sets the grouping (default
 * tier | agent), KPI_PERIOD=0|1|2 the period (day, week: default, month);
 * KPI_CSV=path writes the figures of the first run as CSV
 * (to diff engine versions). Also printed: the CPU of the calling thread
 * alone (with the pass on two threads, about the wall time on an idle
 * machine; FU_KPI_THREADS=1 or 2 sets the threads). Then the pandas script runs on the same
 * columns and prints its own median; the ratio is printed at the end. */
#include "followup.h"
#include "bench_util.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RUNS_MAX 15
#define AGENTS 200

/* CPU time of the process: on a shared machine the wall time also counts
 * the time other processes held the cores. */
static uint64_t rng_state = 0x9E3779B97F4A7C15u;

/* CPU time of the calling thread alone: with the pass on two threads
 * (lib/kpi_threads.c) the process CPU counts both, while the wall time on an
 * idle machine is about the calling thread's (its half of the pass and
 * everything before and after it) when the halves balance. */
static double thread_cpu(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}
static uint64_t rnd(void) { return bu_xorshift64(&rng_state); }

static FILE *col(const char *dir, const char *name) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s.bin", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "bench_kpi: cannot write %s\n", path);
        exit(1);
    }
    return f;
}

int main(int argc, char **argv) {
    size_t n_ev = argc > 1 ? strtoull(argv[1], NULL, 10) : 10000000;
    size_t n_cu = argc > 2 ? strtoull(argv[2], NULL, 10) : 500000;
    const char *dir = argc > 3 ? argv[3] : "/tmp";
    const char *script = argc > 4 ? argv[4] : NULL;

    fu_policy *p = NULL;
    if (fu_policy_default(&p)) bu_die("policy");
    fu_book_options bo = FU_BOOK_OPTIONS_INIT;
    bo.flags = FU_BOOK_KEEP_DUPLICATES;
    fu_book *book = NULL;
    if (fu_book_new(&book, &bo)) bu_die("book");

    /* customers: 2% vip (> 500k), 10% key, the rest ordinary */
    char (*ids)[24] = malloc(n_cu * sizeof *ids);
    char agents[AGENTS + 1][8];
    for (int a = 1; a <= AGENTS; a++) snprintf(agents[a], sizeof agents[a], "A%03d", a);
    FILE *ftier = col(dir, "cust_tier");
    for (size_t i = 0; i < n_cu; i++) {
        snprintf(ids[i], sizeof ids[i], "C%07zu", i);
        fu_customer c;
        fu_customer_init(&c);
        c.id = ids[i];
        c.tz = "Asia/Shanghai";
        uint64_t r = rnd() % 100;
        c.annual_spend = r < 2 ? 800000.0 : r < 12 ? 200000.0 : 20000.0;
        uint8_t tier = r < 2 ? 0 : r < 12 ? 1 : 2; /* policy tier index: vip, key, ordinary */
        fwrite(&tier, 1, 1, ftier);
        if (fu_book_add_customer(book, &c, NULL)) bu_die("customer");
    }
    fclose(ftier);

    /* events: uniform over 2025-2026 (Asia/Shanghai) */
    const int64_t t0 = 1735660800; /* 2025-01-01T00:00:00+08:00 */
    const int64_t span = 730 * 86400;
    FILE *fc = col(dir, "cust"), *ft = col(dir, "at"), *fk = col(dir, "kind"), *fa = col(dir, "agent"),
         *fch = col(dir, "channel"), *fo = col(dir, "outcome"), *fs = col(dir, "survey"), *fsc = col(dir, "score"),
         *fam = col(dir, "amount"), *fsv = col(dir, "severity");
    size_t chunk = 1000000;
    fu_event_in *in = malloc(chunk * sizeof *in);
    for (size_t done = 0; done < n_ev;) {
        size_t m = n_ev - done < chunk ? n_ev - done : chunk;
        for (size_t j = 0; j < m; j++) {
            fu_event_in *e = &in[j];
            fu_event_in_init(e);
            int32_t cu = (int32_t)(rnd() % n_cu);
            e->customer_id = ids[cu];
            e->at = t0 + (int64_t)(rnd() % (uint64_t)span);
            uint64_t r = rnd() % 100;
            int32_t agent = (int32_t)(rnd() % AGENTS) + 1;
            if (r < 40) {
                e->kind = FU_EVENT_CONTACT;
                e->channel = rnd() % 4 ? FU_CHANNEL_PHONE : FU_CHANNEL_SMS;
                e->outcome = rnd() % 3 ? FU_OUTCOME_ANSWERED : FU_OUTCOME_NO_ANSWER;
            } else if (r < 55) {
                e->kind = FU_EVENT_PURCHASE;
                e->amount = (double)(100 + rnd() % 5000);
            } else if (r < 70) {
                e->kind = FU_EVENT_SURVEY;
                uint64_t s = rnd() % 3;
                e->survey = s == 0 ? FU_SURVEY_CSAT : s == 1 ? FU_SURVEY_NPS : FU_SURVEY_CES;
                e->score = (double)(s == 0 ? 1 + rnd() % 5 : s == 1 ? rnd() % 11 : 1 + rnd() % 7);
                e->channel = FU_CHANNEL_SMS;
            } else if (r < 75) {
                e->kind = FU_EVENT_FAULT;
                e->severity = rnd() % 4 ? FU_SEVERITY_NORMAL : FU_SEVERITY_URGENT;
            } else if (r < 78) {
                e->kind = FU_EVENT_COMPLAINT;
            } else if (r < 83) {
                e->kind = FU_EVENT_INQUIRY;
            } else if (r < 85) {
                e->kind = FU_EVENT_FEEDBACK;
            } else if (r < 93) {
                e->kind = FU_EVENT_RESOLVED;
            } else {
                e->kind = FU_EVENT_DELIVERY;
            }
            int has_agent = e->kind == FU_EVENT_CONTACT || e->kind == FU_EVENT_SURVEY || e->kind == FU_EVENT_RESOLVED;
            if (has_agent) e->agent_id = agents[agent];
            else agent = 0;
            uint8_t k8 = (uint8_t)e->kind, ch = (uint8_t)e->channel, oc = (uint8_t)e->outcome, sv = (uint8_t)e->survey,
                    se = (uint8_t)e->severity;
            float sc = (float)e->score;
            fwrite(&cu, 4, 1, fc);
            fwrite(&e->at, 8, 1, ft);
            fwrite(&k8, 1, 1, fk);
            fwrite(&agent, 4, 1, fa);
            fwrite(&ch, 1, 1, fch);
            fwrite(&oc, 1, 1, fo);
            fwrite(&sv, 1, 1, fs);
            fwrite(&sc, 4, 1, fsc);
            fwrite(&e->amount, 8, 1, fam);
            fwrite(&se, 1, 1, fsv);
        }
        if (fu_book_add_events(book, in, m)) bu_die("events");
        done += m;
    }
    free(in);
    FILE *all[] = {fc, ft, fk, fa, fch, fo, fs, fsc, fam, fsv};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) fclose(all[i]);
    if (fu_book_finalize(book)) bu_die("finalize");

    fu_kpi_options o = FU_KPI_OPTIONS_INIT;
    o.period = FU_KPI_WEEK;
    if (getenv("KPI_PERIOD")) o.period = (fu_kpi_period)atoi(getenv("KPI_PERIOD"));
    o.by = getenv("KPI_BY") ? (unsigned)atoi(getenv("KPI_BY")) : FU_KPI_BY_TIER | FU_KPI_BY_AGENT;
    o.contact_cost[FU_CHANNEL_PHONE] = 8;
    o.contact_cost[FU_CHANNEL_SMS] = 0.1;
    int RUNS = getenv("KPI_RUNS") ? atoi(getenv("KPI_RUNS")) : 5;
    if (RUNS < 1) RUNS = 1;
    if (RUNS > RUNS_MAX) RUNS = RUNS_MAX;
    double t_full[RUNS_MAX], t_inc[RUNS_MAX], c_full[RUNS_MAX], c_inc[RUNS_MAX], c_thr[RUNS_MAX];
    size_t nfig = 0, ncells_rows = 0;
    double csat_n = 0, csat_sum = 0, nps_n = 0, time_n = 0, time_x = 0;
    /* KPI_PERF_CTL=fifo: profile the timed part only, with
     * `perf record -D -1 --control fifo:FIFO ...` (perf starts disabled) */
    FILE *perf_ctl = getenv("KPI_PERF_CTL") ? fopen(getenv("KPI_PERF_CTL"), "w") : NULL;
    if (perf_ctl) {
        fputs("enable\n", perf_ctl);
        fflush(perf_ctl);
    }
    for (int r = 0; r < RUNS; r++) {
        double a = bu_wall(), ca = bu_cpu(), ta = thread_cpu();
        fu_kpi *k = NULL;
        if (fu_kpi_new(&k, p, &o)) bu_die("kpi_new");
        if (fu_kpi_add_book(k, book)) bu_die("add_book");
        if (fu_kpi_compute(k, &nfig)) bu_die("compute");
        t_full[r] = bu_wall() - a;
        c_full[r] = bu_cpu() - ca;
        c_thr[r] = thread_cpu() - ta;
        /* incremental: one more event, then the figures again */
        fu_event_in e;
        fu_event_in_init(&e);
        e.customer_id = ids[r];
        e.at = t0 + span - 3600;
        e.kind = FU_EVENT_SURVEY;
        e.survey = FU_SURVEY_CSAT;
        e.score = 5;
        if (perf_ctl) fputs("disable\n", perf_ctl), fflush(perf_ctl);
        if (fu_kpi_add_events(k, &e, 1)) bu_die("add_events");
        if (perf_ctl) fputs("enable\n", perf_ctl), fflush(perf_ctl);
        a = bu_wall();
        ca = bu_cpu();
        if (fu_kpi_compute(k, &nfig)) bu_die("compute");
        t_inc[r] = bu_wall() - a;
        c_inc[r] = bu_cpu() - ca;
        if (r == 0) {
            size_t n = 0;
            const fu_kpi_figure *f = fu_kpi_figures(k, &n);
            ncells_rows = n;
            for (size_t i = 0; i < n; i++) {
                if (f[i].kpi == FU_KPI_CSAT) {
                    csat_n += f[i].n;
                    csat_sum += f[i].n * f[i].value;
                } else if (f[i].kpi == FU_KPI_NPS) {
                    nps_n += f[i].n;
                } else if (f[i].kpi == FU_KPI_RESPONSE_TIMELINESS) {
                    time_n += f[i].n;
                    time_x += f[i].successes;
                }
            }
            csat_n -= 1; /* the survey added above */
            csat_sum -= 5;
            /* KPI_CSV=path: the figures as CSV, to diff engine versions */
            if (getenv("KPI_CSV")) {
                char *csv = NULL;
                size_t len = 0;
                if (fu_kpi_write_csv_to_string(k, &len, &csv)) bu_die("csv");
                FILE *fcsv = fopen(getenv("KPI_CSV"), "wb");
                if (!fcsv || fwrite(csv, 1, len, fcsv) != len || fclose(fcsv)) bu_die("writing KPI_CSV");
                fu_free(csv);
            }
        }
        fu_kpi_free(k);
    }
    if (perf_ctl) {
        fputs("disable\n", perf_ctl);
        fclose(perf_ctl);
    }
    printf("wall s of the runs:");
    for (int r = 0; r < RUNS; r++) printf(" %.3f", t_full[r]);
    printf("\n");
    double mf = bu_median(t_full, RUNS), mi = bu_median(t_inc, RUNS), cf = bu_median(c_full, RUNS), ci = bu_median(c_inc, RUNS);
    printf("events %zu, customers %zu, agents %d, grouping bits %u (5 = tier x agent), weeks\n", n_ev, n_cu, AGENTS, o.by);
    printf("fu_kpi book -> all KPI figures: median %.3f s wall, %.3f s CPU of %d runs (%.1f M events/s wall); %zu figures\n",
           mf, cf, RUNS, (double)n_ev / mf / 1e6, ncells_rows);
    printf("fu_kpi compute after adding one event: median %.3f s wall, %.3f s CPU\n", mi, ci);
    printf("fu_kpi book -> figures: calling thread alone %.3f s CPU (median; FU_KPI_THREADS=%s)\n",
           bu_median(c_thr, RUNS), getenv("FU_KPI_THREADS") ? getenv("FU_KPI_THREADS") : "unset");
    printf("check: csat answers %.0f (mean %.4f), nps answers %.0f, issues with an SLA %.0f (within %.0f)\n", csat_n,
           csat_sum / csat_n, nps_n, time_n, time_x);
    fflush(stdout);
    if (script) {
        char cmd[2048];
        snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s %s %d", script, dir, RUNS);
        FILE *pp = popen(cmd, "r");
        double tp = -1, tpc = -1;
        char line[512];
        while (pp && fgets(line, sizeof line, pp)) {
            fputs(line, stdout);
            double v, vc;
            int got = sscanf(line, "pandas median %lf s wall, %lf s CPU", &v, &vc);
            if (got >= 1) tp = v;
            if (got == 2) tpc = vc;
        }
        if (pp) pclose(pp);
        if (tp > 0) printf("ratio pandas / fu_kpi (book -> figures, wall): %.1fx\n", tp / mf);
        if (tpc > 0) printf("ratio pandas / fu_kpi (book -> figures, CPU): %.1fx\n", tpc / cf);
    }
    fu_book_free(book);
    fu_policy_free(p);
    free(ids);
    return 0;
}
