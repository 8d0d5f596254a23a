/* Benchmark of fu_frequency: fitting the hazard and negative-outcome models
 * on 10,000,000 synthetic contact attempts (fixed seed), 64 segments.
 *
 *   bench_frequency [attempts] [segments] [bank.csv]
 *
 * The attempts are generated here (not timed): customers get 1..20 attempts
 * with a hazard falling in k and rising with the spacing, loads from the
 * spacing, complaints rising with the 72 h load. Timed, as the median of
 * FREQ_RUNS runs (environment, default 5): fu_frequency_fit on all attempts,
 * then fu_frequency_recommend + the YAML writer (CPU and wall seconds).
 * With a bank-marketing CSV (optional), the read and the hold-out scores of
 * the UCI data are printed as well. */
#include "followup.h"
#include "bench_util.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RUNS_MAX 15

static uint64_t rng_state = 0x9E3779B97F4A7C15u;
static uint64_t rnd(void) { return bu_xorshift64(&rng_state); }
static double unif(void) { return bu_unit0(rnd()); }

static size_t generate(fu_frequency_attempt *a, size_t n, uint32_t segments) {
    static const float gaps[] = {0.5f, 1, 2, 3, 7, 14, 30};
    size_t i = 0;
    for (uint32_t c = 0; i < n; c++) {
        uint32_t seg = (uint32_t)(rnd() % segments);
        float gap = gaps[rnd() % 7];
        double base = 0.02 + 0.1 * (double)seg / segments;
        uint32_t len = 1 + (uint32_t)(rnd() % 20);
        for (uint32_t k = 1; k <= len && i < n; k++, i++) {
            fu_frequency_attempt *t = &a[i];
            memset(t, 0, sizeof *t);
            t->customer = c;
            t->segment = seg;
            t->k = k;
            t->gap_days = k == 1 ? FU_FREQUENCY_GAP_NONE : gap;
            t->load_72h = (uint16_t)(1 + (k - 1 < (uint32_t)(3 / gap) ? k - 1 : (uint32_t)(3 / gap)));
            t->load_7d = (uint16_t)(1 + (k - 1 < (uint32_t)(7 / gap) ? k - 1 : (uint32_t)(7 / gap)));
            t->load_30d = (uint16_t)(1 + (k - 1 < (uint32_t)(30 / gap) ? k - 1 : (uint32_t)(30 / gap)));
            double h = base / k * (k > 1 && gap < 2 ? 0.6 : 1.0);
            t->positive = unif() < h;
            t->negative = unif() < 0.002 * t->load_72h;
            if (t->positive) {
                i++;
                break;
            }
        }
    }
    return n;
}

static void bank(const char *path) {
    fu_frequency_attempt *a = NULL;
    size_t n = 0;
    double t0 = bu_cpu();
    if (fu_frequency_read_bank_csv(&a, &n, path)) bu_die("bank");
    double t1 = bu_cpu();
    uint8_t *test = malloc(n);
    fu_frequency_split(a, n, 20261206u, 0.3, test);
    const char *names[FU_FREQUENCY_BANK_SEGMENTS];
    for (uint32_t s = 0; s < FU_FREQUENCY_BANK_SEGMENTS; s++) names[s] = fu_frequency_bank_segment_name(s);
    fu_frequency *m = NULL;
    if (fu_frequency_fit(&m, a, n, test, names, FU_FREQUENCY_BANK_SEGMENTS, NULL)) bu_die("bank fit");
    double t2 = bu_cpu();
    fu_frequency_scores sc;
    fu_frequency_evaluate(m, a, n, test, &sc);
    printf("bank: %zu attempts read in %.3f s CPU, fitted in %.3f s; hold-out %zu attempts (%zu positive):\n"
           "  log loss %.5f (constant %.5f, per-k %.5f), Brier %.6f (constant %.6f, per-k %.6f)\n",
           n, t1 - t0, t2 - t1, sc.attempts, sc.positives, sc.log_loss, sc.log_loss_constant,
           sc.log_loss_per_k, sc.brier, sc.brier_constant, sc.brier_per_k);
    fu_frequency_free(m);
    free(test);
    fu_free(a);
}

int main(int argc, char **argv) {
    size_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 10000000u;
    uint32_t segments = argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 10) : 64u;
    int runs = getenv("FREQ_RUNS") ? atoi(getenv("FREQ_RUNS")) : 5;
    if (runs < 1) runs = 1;
    if (runs > RUNS_MAX) runs = RUNS_MAX;
    if (segments < 1) segments = 1;
    fu_frequency_attempt *a = malloc(n * sizeof *a);
    if (!a) bu_die("memory");
    generate(a, n, segments);
    double cpu[RUNS_MAX], wall[RUNS_MAX], rcpu[RUNS_MAX];
    for (int r = 0; r < runs; r++) {
        fu_frequency *m = NULL;
        double w0 = bu_wall(), c0 = bu_cpu();
        if (fu_frequency_fit(&m, a, n, NULL, NULL, segments, NULL)) bu_die("fit");
        double c1 = bu_cpu();
        wall[r] = bu_wall() - w0;
        cpu[r] = c1 - c0;
        fu_frequency_recommend_options ro = FU_FREQUENCY_RECOMMEND_OPTIONS_INIT;
        ro.value = 100;
        ro.contact_cost[FU_CHANNEL_PHONE] = 2;
        ro.complaint_cost = 50;
        ro.when_key = "industry";
        fu_frequency_recommendation *rec = NULL;
        size_t nr = 0;
        char *yaml = NULL;
        if (fu_frequency_recommend(m, &ro, &rec, &nr) ||
            fu_frequency_write_recommendations(m, rec, nr, &ro, FU_FREQUENCY_YAML, NULL, &yaml))
            bu_die("recommend");
        rcpu[r] = bu_cpu() - c1;
        fu_free(yaml);
        fu_free(rec);
        fu_frequency_free(m);
    }
    double lo = cpu[0], hi = cpu[0];
    for (int r = 1; r < runs; r++) {
        if (cpu[r] < lo) lo = cpu[r];
        if (cpu[r] > hi) hi = cpu[r];
    }
    printf("fit: %zu attempts, %u segments: median %.3f s CPU (min %.3f, max %.3f), %.3f s wall; "
           "%.1f M attempts/s; recommend + YAML %.4f s CPU (%d runs)\n",
           n, segments, bu_median(cpu, runs), lo, hi, bu_median(wall, runs), (double)n / bu_median(cpu, runs) / 1e6,
           bu_median(rcpu, runs), runs);
    free(a);
    if (argc > 3) bank(argv[3]);
    return 0;
}
