/* Benchmarks of fu_segment (issue 4 targets):
 *   - BG/NBD fit on CDNOW (2,357 customers): < 5 ms;
 *   - scoring P(alive) + expected purchases + CLV for 1 million customers: < 1 s;
 *   - a fit on 10 million synthetic customers completes without overflow.
 * Each timing is the median of RUNS runs; the fitted numbers are printed so
 * that a run doubles as a check. Usage: bench_segment [cdnow_summary.csv] */
#include "followup.h"
#include "bench_util.h"
#include "bench_bgnbd_gen.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RUNS 7

/* Customers of a CDNOW-like cohort (bench_bgnbd_gen.h); spend ~ Gamma-Gamma. */
static void simulate(size_t n, const fu_segment_bgnbd *m, const fu_segment_gammagamma *g, double *x, double *tx,
                     double *T, double *zbar) {
    for (size_t i = 0; i < n; i++) {
        bg_customer(m, &x[i], &tx[i], &T[i]);
        if (zbar) zbar[i] = bg_spend(g, x[i], 1);
    }
}

static double cdx[3000], cdtx[3000], cdT[3000];

static size_t load_cdnow(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        exit(1);
    }
    char line[256];
    size_t n = 0;
    if (!fgets(line, sizeof line, f)) exit(1);
    while (n < 3000 && fgets(line, sizeof line, f)) {
        int id;
        if (sscanf(line, "%d,%lf,%lf,%lf", &id, &cdx[n], &cdtx[n], &cdT[n]) == 4) n++;
    }
    fclose(f);
    return n;
}

/* Fit BG/NBD to (x, tx, T) `runs` times (bu_die(what) on failure): the wall
 * and CPU seconds of each run in t and c, the fit in info and bg. */
static void time_bgnbd_fit(const double *x, const double *tx, const double *T, size_t n, int runs, const char *what,
                           double *t, double *c, fu_segment_fit_info *info, fu_segment_bgnbd *bg) {
    for (int k = 0; k < runs; k++) {
        bu_lap l = bu_lap_start();
        if (fu_segment_bgnbd_fit(x, tx, T, n, NULL, info, bg)) bu_die(what);
        bu_lap_stop(&l, &t[k], &c[k]);
    }
}

int main(int argc, char **argv) {
    char path[4096];
    if (argc > 1) {
        snprintf(path, sizeof path, "%s", argv[1]);
    } else { /* the copy shipped in the source tree: <src>/examples/data/cdnow */
        snprintf(path, sizeof path, "%s", __FILE__);
        char *s = strstr(path, "bench/bench_segment.c");
        if (s) *s = '\0';
        strncat(path, "examples/data/cdnow/cdnow_customers_summary.csv", sizeof path - strlen(path) - 1);
    }
    size_t n = load_cdnow(path);
    printf("CDNOW: %zu customers from %s\n", n, path);

    /* 1. fits on CDNOW */
    double t[RUNS], c[RUNS];
    fu_segment_bgnbd bg;
    fu_segment_fit_info info;
    time_bgnbd_fit(cdx, cdtx, cdT, n, RUNS, "bgnbd fit", t, c, &info, &bg);
    printf("BG/NBD fit: %.3f ms wall, %.3f ms CPU (median of %d); r=%.4f alpha=%.4f a=%.4f b=%.4f LL=%.3f, %u iterations, %u "
           "evaluations, %zu distinct rows\n",
           1e3 * bu_median(t, RUNS), 1e3 * bu_median(c, RUNS), RUNS, bg.r, bg.alpha, bg.a, bg.b, info.loglik,
           info.iterations, info.evaluations,
           info.distinct);
    fu_segment_pareto pn;
    for (int k = 0; k < RUNS; k++) {
        bu_lap l = bu_lap_start();
        if (fu_segment_pareto_fit(cdx, cdtx, cdT, n, NULL, &info, &pn)) bu_die("pareto fit");
        bu_lap_stop(&l, &t[k], &c[k]);
    }
    printf("Pareto/NBD fit: %.3f ms wall, %.3f ms CPU (median of %d); r=%.4f alpha=%.4f s=%.4f beta=%.4f LL=%.3f\n",
           1e3 * bu_median(t, RUNS), 1e3 * bu_median(c, RUNS), RUNS, pn.r, pn.alpha, pn.s, pn.beta, info.loglik);

    /* 2. scoring 1M customers */
    const fu_segment_gammagamma gg = {6.25, 3.74, 15.44};
    size_t N = 1000000;
    double *x = malloc(N * sizeof *x), *tx = malloc(N * sizeof *tx), *T = malloc(N * sizeof *T);
    double *z = malloc(N * sizeof *z), *pa = malloc(N * sizeof *pa), *e = malloc(N * sizeof *e);
    double *clv = malloc(N * sizeof *clv);
    if (!x || !tx || !T || !z || !pa || !e || !clv) return 1;
    simulate(N, &bg, &gg, x, tx, T, z);
    fu_segment_score_options o = FU_SEGMENT_SCORE_OPTIONS_INIT;
    o.horizon = 52;
    o.period = 52.0 / 12;
    o.periods = 12;
    o.discount = 0.01;
    struct {
        const char *what;
        int pa, e, clv;
    } cases[] = {{"P(alive)", 1, 0, 0},
                 {"expected purchases (52 weeks)", 0, 1, 0},
                 {"CLV (12 monthly periods, Gamma-Gamma value)", 0, 0, 1},
                 {"all three", 1, 1, 1}};
    for (size_t cc = 0; cc < sizeof cases / sizeof cases[0]; cc++) {
        for (int k = 0; k < RUNS; k++) {
            bu_lap l = bu_lap_start();
            if (fu_segment_bgnbd_score(&bg, &gg, x, tx, T, z, N, &o, cases[cc].pa ? pa : NULL, cases[cc].e ? e : NULL,
                                       cases[cc].clv ? clv : NULL))
                bu_die("score");
            bu_lap_stop(&l, &t[k], &c[k]);
        }
        printf("score 1M, %s: %.3f s wall, %.3f s CPU (median of %d)\n", cases[cc].what, bu_median(t, RUNS),
               bu_median(c, RUNS), RUNS);
    }
    double sp = 0, se = 0, sc = 0;
    for (size_t i = 0; i < N; i++) sp += pa[i], se += e[i], sc += clv[i];
    printf("  means: P(alive) %.4f, expected %.4f, CLV %.3f\n", sp / N, se / N, sc / N);
    for (int k = 0; k < RUNS; k++) {
        bu_lap l = bu_lap_start();
        if (fu_segment_pareto_score(&pn, &gg, x, tx, T, z, N, &o, pa, e, clv)) bu_die("pareto score");
        bu_lap_stop(&l, &t[k], &c[k]);
    }
    printf("Pareto/NBD score 1M, all three: %.3f s wall, %.3f s CPU (median of %d)\n", bu_median(t, RUNS),
           bu_median(c, RUNS), RUNS);
    free(x), free(tx), free(T), free(z), free(pa), free(e), free(clv);

    /* 3. a fit on 10M synthetic customers */
    N = 10000000;
    x = malloc(N * sizeof *x), tx = malloc(N * sizeof *tx), T = malloc(N * sizeof *T);
    if (!x || !tx || !T) return 1;
    double t0 = bu_wall();
    simulate(N, &bg, NULL, x, tx, T, NULL);
    printf("simulated 10M customers in %.2f s\n", bu_wall() - t0);
    const int R10 = 5;
    time_bgnbd_fit(x, tx, T, N, R10, "10M fit", t, c, &info, &bg);
    printf("BG/NBD fit on 10M: %.2f s wall, %.2f s CPU (median of %d); r=%.4f alpha=%.4f a=%.4f b=%.4f LL=%.1f, %zu distinct rows, "
           "finite=%d\n",
           bu_median(t, R10), bu_median(c, R10), R10, bg.r, bg.alpha, bg.a, bg.b, info.loglik, info.distinct, isfinite(info.loglik));
    /* the same customers with continuous times: every row distinct */
    for (size_t i = 0; i < N; i++)
        if (x[i] > 0) tx[i] = tx[i] * (1 - 1e-3 * bg_unif());
    t0 = bu_wall();
    double c0 = bu_cpu();
    if (fu_segment_bgnbd_fit(x, tx, T, N, NULL, &info, &bg)) bu_die("10M fit (distinct)");
    printf("BG/NBD fit on 10M, times jittered (%zu distinct rows): %.2f s wall, %.2f s CPU (1 run); r=%.4f alpha=%.4f a=%.4f b=%.4f "
           "LL=%.1f\n",
           info.distinct, bu_wall() - t0, bu_cpu() - c0, bg.r, bg.alpha, bg.a, bg.b, info.loglik);
    free(x), free(tx), free(T);
    return 0;
}
