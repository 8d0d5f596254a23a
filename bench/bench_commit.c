/* Benchmarks of fu_commit (issue 7 targets):
 *   - the due/overdue query over 1 million commitments in under 100 ms;
 *   - extraction of promises at >= 50 MB/s of notes.
 *
 * Ledger: 1,000,000 commitments created over 2025 with deadlines 1-7 days
 * after creation; "now" is 2025-12-15 12:00 +08:00. Of those whose deadline
 * is more than 3 days before now, 96% are fulfilled (85% of them on time) and
 * the rest stay open. Queries are timed in memory and in a WAL file; each
 * figure is the median of RUNS. */
#include "followup.h"
#include "bench_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define RUNS 7
#define N 1000000
#define NOTES 200000

/* Wall and CPU time come from bench_util.h. The CPU time of this process
 * moves far less than the wall clock on a loaded shared machine (the wall
 * time is still what the target is about). */
static uint64_t rng = 0x2545F4914F6CDD1DULL;
static unsigned next_rand(void) { return (unsigned)(bu_xorshift64(&rng) >> 11); }

static const int64_t Y2025 = 1735660800; /* 2025-01-01T00:00:00+08:00 */
static const int64_t NOW = 1765771200;   /* 2025-12-15T12:00:00+08:00 */

static void fill(fu_ledger *l) {
    static const char *owners[] = {"repair", "billing", "logistics", "install"};
    enum { BATCH = 10000 };
    fu_commit_input *in = malloc(BATCH * sizeof *in);
    int64_t *ids = malloc(BATCH * sizeof *ids), *fids = malloc(BATCH * sizeof *fids),
            *fat = malloc(BATCH * sizeof *fat);
    char (*cust)[16] = malloc(BATCH * sizeof *cust);
    for (size_t done = 0; done < N; done += BATCH) {
        for (size_t k = 0; k < BATCH; k++) {
            fu_commit_input def = FU_COMMIT_INPUT_INIT;
            in[k] = def;
            snprintf(cust[k], sizeof cust[k], "C%u", next_rand() % 200000);
            in[k].customer_id = cust[k];
            in[k].text = "客户要求3个工作日内上门维修";
            in[k].owner = owners[next_rand() % 4];
            in[k].created_at = Y2025 + (int64_t)(next_rand() % (350u * 86400u));
            in[k].deadline = in[k].created_at + 86400 + (int64_t)(next_rand() % (6u * 86400u));
        }
        if (fu_ledger_add_bulk(l, in, BATCH, ids)) bu_die("add_bulk");
        size_t nf = 0;
        for (size_t k = 0; k < BATCH; k++) {
            if (in[k].deadline >= NOW - 3 * 86400 || next_rand() % 100 >= 96) continue;
            int64_t span = in[k].deadline - in[k].created_at;
            fids[nf] = ids[k];
            fat[nf++] = next_rand() % 100 < 85 ? in[k].created_at + span / 2 : in[k].deadline + 3600;
        }
        if (fu_ledger_fulfill_bulk(l, fids, fat, nf, "bench")) bu_die("fulfill_bulk");
    }
    free(in);
    free(ids);
    free(fids);
    free(fat);
    free(cust);
}

/* The rows of query q, its wall time in *t. */
static size_t timed_query(fu_ledger *l, const fu_commit_query *q, const char *what, double *t) {
    fu_commitment_list *list = NULL;
    double t0 = bu_wall();
    if (fu_ledger_query(l, q, &list)) bu_die(what);
    *t = bu_wall() - t0;
    size_t n = fu_commitment_list_count(list);
    fu_commitment_list_free(list);
    return n;
}

static void time_queries(fu_ledger *l, const char *where) {
    double t_count[RUNS], t_over[RUNS], t_due[RUNS], t_risk[RUNS], t_rate[RUNS], t_owner[RUNS];
    size_t n_over = 0, n_due = 0, n_risk = 0, n_owner = 0;
    fu_on_time ot = {0, 0, 0};
    for (int run = 0; run < RUNS; run++) {
        fu_commit_query q = FU_COMMIT_QUERY_INIT;
        q.kind = FU_QUERY_OVERDUE;
        q.now = NOW;
        size_t n;
        double t0 = bu_wall();
        if (fu_ledger_count(l, &q, &n)) bu_die("count");
        t_count[run] = bu_wall() - t0;

        n_over = timed_query(l, &q, "overdue", &t_over[run]);
        q.owner = "repair";
        n_owner = timed_query(l, &q, "overdue by owner", &t_owner[run]);
        q.owner = NULL;

        q.kind = FU_QUERY_DUE;
        q.from = NOW;
        q.to = NOW + 86400;
        n_due = timed_query(l, &q, "due", &t_due[run]);
        q.kind = FU_QUERY_AT_RISK;
        n_risk = timed_query(l, &q, "at risk", &t_risk[run]);

        t0 = bu_wall();
        if (fu_ledger_on_time(l, Y2025, NOW, NOW, &ot)) bu_die("on time");
        t_rate[run] = bu_wall() - t0;
    }
    printf("%s:\n", where);
    printf("  count overdue:              %8.2f ms (%zu)\n", bu_median(t_count, RUNS) * 1e3, n_over);
    printf("  list overdue:               %8.2f ms (%zu rows)\n", bu_median(t_over, RUNS) * 1e3, n_over);
    printf("  list overdue, one owner:    %8.2f ms (%zu rows)\n", bu_median(t_owner, RUNS) * 1e3, n_owner);
    printf("  list due in the next 24 h:  %8.2f ms (%zu rows)\n", bu_median(t_due, RUNS) * 1e3, n_due);
    printf("  list at risk:               %8.2f ms (%zu rows)\n", bu_median(t_risk, RUNS) * 1e3, n_risk);
    printf("  on-time rate over 2025:     %8.2f ms (%zu due, rate %.3f)\n", bu_median(t_rate, RUNS) * 1e3, ot.due,
           ot.rate);
}

static void bench_ledger(const char *path) {
    fu_ledger_options o = FU_LEDGER_OPTIONS_INIT;
    o.flags = FU_LEDGER_SYNC_NORMAL;
    fu_ledger *l = NULL;
    if (fu_ledger_open(&l, path, &o)) bu_die("open");
    double t0 = bu_wall();
    fill(l);
    double t_fill = bu_wall() - t0;
    printf("%s: 1M adds (bulk of 10k, masked) + fulfilments: %.1f s\n", path ? "file" : "memory", t_fill);
    size_t events = 0;
    t0 = bu_wall();
    if (fu_ledger_tick(l, NOW, &events)) bu_die("tick");
    double t_tick = bu_wall() - t0;
    double t_tick2[RUNS];
    for (int run = 0; run < RUNS; run++) {
        size_t e2;
        t0 = bu_wall();
        if (fu_ledger_tick(l, NOW, &e2)) bu_die("tick");
        t_tick2[run] = bu_wall() - t0;
    }
    printf("  first tick at now:          %8.2f ms (%zu events)\n", t_tick * 1e3, events);
    printf("  tick again, nothing due:    %8.2f ms\n", bu_median(t_tick2, RUNS) * 1e3);
    time_queries(l, path ? "file, WAL" : "memory");
    fu_ledger_close(l);
}

/* The notes of the extraction benchmark: the lines of note_templates.txt
 * beside this file (bench/peers_re.py reads the same file). */
enum { N_TEMPLATES = 8 };
static char note_templates[N_TEMPLATES][512];

static void load_note_templates(void) {
    char path[4096];
    snprintf(path, sizeof path, "%s", __FILE__);
    char *slash = strrchr(path, '/');
    snprintf(slash ? slash + 1 : path, sizeof path - (size_t)(slash ? slash + 1 - path : 0), "note_templates.txt");
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "%s: cannot open\n", path);
        exit(1);
    }
    int n = 0;
    while (n < N_TEMPLATES && fgets(note_templates[n], sizeof note_templates[n], f)) {
        note_templates[n][strcspn(note_templates[n], "\n")] = '\0';
        n++;
    }
    fclose(f);
    if (n != N_TEMPLATES) {
        fprintf(stderr, "%s: %d notes, expected %d\n", path, n, N_TEMPLATES);
        exit(1);
    }
}

static void bench_extract(unsigned int flags, const char *label) {
    load_note_templates();
    fu_calendar *cal = NULL;
    if (fu_calendar_new(&cal, "Asia/Shanghai")) bu_die("calendar");
    const char *h = "Mon-Fri 09:00-18:00";
    if (fu_calendar_set_hours_text(cal, h, strlen(h))) bu_die("hours");
    fu_date a = {2025, 10, 1}, b = {2025, 10, 8}, w = {2025, 9, 28};
    fu_calendar_add_holiday(cal, &a, &b);
    fu_calendar_add_workday(cal, &w, FU_MONDAY);
    fu_extractor *ex = NULL;
    fu_extract_options xo = FU_EXTRACT_OPTIONS_INIT;
    xo.flags = flags;
    if (fu_extractor_new(&ex, &xo)) bu_die("extractor");
    const char **notes = malloc(NOTES * sizeof *notes);
    size_t *lens = malloc(NOTES * sizeof *lens), bytes = 0;
    for (size_t i = 0; i < NOTES; i++) {
        notes[i] = note_templates[next_rand() % N_TEMPLATES];
        lens[i] = strlen(notes[i]);
        bytes += lens[i];
    }
    double t[RUNS], tc[RUNS];
    size_t promises = 0, risks = 0;
    for (int run = 0; run < RUNS; run++) {
        promises = risks = 0;
        double t0 = bu_wall(), c0 = bu_cpu();
        for (size_t i = 0; i < NOTES; i++) {
            fu_extraction *x = NULL;
            if (fu_extractor_run(ex, cal, notes[i], lens[i], NOW - (int64_t)(i % 86400), &x)) bu_die("extract");
            promises += fu_extraction_promise_count(x);
            risks += fu_extraction_risk_count(x);
            fu_extraction_free(x);
        }
        t[run] = bu_wall() - t0;
        tc[run] = bu_cpu() - c0;
    }
    double m = bu_median(t, RUNS), mc = bu_median(tc, RUNS);
    printf("extraction%s: %zu notes, %.1f MB, %zu promises, %zu risks per pass: %.3f s, %.1f MB/s (%.0f ns/note);"
           " CPU %.3f s, %.1f MB/s\n",
           label, (size_t)NOTES, (double)bytes / 1e6, promises, risks, m, (double)bytes / 1e6 / m, m / NOTES * 1e9, mc,
           (double)bytes / 1e6 / mc);
    free(notes);
    free(lens);
    fu_extractor_free(ex);
    fu_calendar_free(cal);
}

int main(int argc, char **argv) {
    const char *only = argc > 1 ? argv[1] : "all";
    if (!strcmp(only, "keep") && argc > 2) { /* build a file once, for `query` */
        fu_ledger_options o = FU_LEDGER_OPTIONS_INIT;
        o.flags = FU_LEDGER_SYNC_NORMAL;
        fu_ledger *l = NULL;
        if (fu_ledger_open(&l, argv[2], &o)) bu_die("open");
        fill(l);
        size_t events;
        if (fu_ledger_tick(l, NOW, &events)) bu_die("tick");
        fu_ledger_close(l);
        return 0;
    }
    if (!strcmp(only, "query") && argc > 2) { /* time the queries on a kept file */
        fu_ledger *l = NULL;
        if (fu_ledger_open(&l, argv[2], NULL)) bu_die("open");
        time_queries(l, argv[2]);
        fu_ledger_close(l);
        return 0;
    }
    if (!strcmp(only, "all") || !strcmp(only, "extract")) {
        bench_extract(0, "");
        bench_extract(FU_EXTRACT_VALID_UTF8, " (FU_EXTRACT_VALID_UTF8)");
    }
    if (!strcmp(only, "all") || !strcmp(only, "memory")) bench_ledger(NULL);
    if (!strcmp(only, "all") || !strcmp(only, "file")) {
        char path[256];
        snprintf(path, sizeof path, "/tmp/fu_bench_commit_%ld.db", (long)getpid());
        bench_ledger(path);
        unlink(path);
        char side[300];
        snprintf(side, sizeof side, "%s-wal", path);
        unlink(side);
        snprintf(side, sizeof side, "%s-shm", path);
        unlink(side);
    }
    return 0;
}
