/* Fit timings of fu_segment for the side-by-side comparison with lifetimes
 * (bench/peers_lifetimes.py drives this program and the peer in turns).
 *
 *   bench_segment_fit gen N FILE        simulate N CDNOW-like BG/NBD customers
 *                                       (whole purchase days, weeks) into FILE
 *   bench_segment_fit csv IN FILE       CDNOW summary CSV (ID,x,t_x,T,zbar) -> FILE
 *   bench_segment_fit MODEL FILE REPS   time REPS fits, MODEL = bgnbd | pareto | gg
 *
 * FILE holds four float64 columns x, t_x, T, zbar of n values each (native
 * byte order, no header). Each rep prints "time_ms <wall ms> <CPU ms>" (around
 * the one library call, data already in memory; CPU time of the process,
 * which is single-threaded); the last line gives the estimates to 10
 * significant digits. */
#include "followup.h"
#include "bench_util.h"
#include "bench_bgnbd_gen.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void simulate(size_t n, double *x, double *tx, double *T, double *zbar) {
    const fu_segment_bgnbd m = {0.2426, 4.4135, 0.7929, 2.4258};
    const fu_segment_gammagamma g = {6.25, 3.74, 15.44};
    for (size_t i = 0; i < n; i++) {
        bg_customer(&m, &x[i], &tx[i], &T[i]);
        zbar[i] = round(bg_spend(&g, x[i], 100)) / 100;
    }
}

static void write_cols(const char *path, double *cols, size_t n) {
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(cols, sizeof(double), 4 * n, f) != 4 * n || fclose(f) != 0) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(1);
    }
}

static double *read_cols(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    if (!f || fseek(f, 0, SEEK_END) != 0) {
        fprintf(stderr, "cannot open %s\n", path);
        exit(1);
    }
    long sz = ftell(f);
    rewind(f);
    *n = (size_t)sz / (4 * sizeof(double));
    double *c = malloc(4 * *n * sizeof *c + 1);
    if (!c || fread(c, sizeof(double), 4 * *n, f) != 4 * *n) {
        fprintf(stderr, "cannot read %s\n", path);
        exit(1);
    }
    fclose(f);
    return c;
}

static int from_csv(const char *in, const char *out) {
    FILE *f = fopen(in, "r");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", in);
        return 1;
    }
    size_t cap = 4096, n = 0;
    double *v = malloc(4 * cap * sizeof *v);
    char line[512];
    if (!v || !fgets(line, sizeof line, f)) return 1;
    while (fgets(line, sizeof line, f)) {
        long id;
        double r[4];
        if (sscanf(line, "%ld,%lf,%lf,%lf,%lf", &id, &r[0], &r[1], &r[2], &r[3]) != 5) continue;
        if (n == cap) {
            double *nv = realloc(v, 8 * cap * sizeof *v);
            if (!nv) return 1;
            v = nv;
            cap *= 2;
        }
        memcpy(&v[4 * n++], r, sizeof r);
    }
    fclose(f);
    double *cols = malloc(4 * n * sizeof *cols + 1);
    if (!cols) return 1;
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < 4; k++) cols[k * n + i] = v[4 * i + k];
    write_cols(out, cols, n);
    free(v);
    free(cols);
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s gen N FILE | csv IN FILE | bgnbd|pareto|gg FILE REPS\n", argv[0]);
        return 2;
    }
    if (!strcmp(argv[1], "gen")) {
        size_t n = (size_t)strtoull(argv[2], NULL, 10);
        double *c = malloc(4 * n * sizeof *c + 1);
        if (!c) return 1;
        simulate(n, c, c + n, c + 2 * n, c + 3 * n);
        write_cols(argv[3], c, n);
        free(c);
        return 0;
    }
    if (!strcmp(argv[1], "csv")) return from_csv(argv[2], argv[3]);
    size_t n;
    double *c = read_cols(argv[2], &n);
    const double *x = c, *tx = c + n, *T = c + 2 * n, *z = c + 3 * n;
    int reps = atoi(argv[3]);
    fu_segment_fit_info info;
    double p[4] = {0, 0, 0, 0};
    for (int k = 0; k < reps; k++) {
        double t0 = bu_wall(), c0 = bu_cpu();
        if (!strcmp(argv[1], "bgnbd")) {
            fu_segment_bgnbd m;
            if (fu_segment_bgnbd_fit(x, tx, T, n, NULL, &info, &m)) bu_die("bgnbd fit");
            p[0] = m.r, p[1] = m.alpha, p[2] = m.a, p[3] = m.b;
        } else if (!strcmp(argv[1], "pareto")) {
            fu_segment_pareto m;
            if (fu_segment_pareto_fit(x, tx, T, n, NULL, &info, &m)) bu_die("pareto fit");
            p[0] = m.r, p[1] = m.alpha, p[2] = m.s, p[3] = m.beta;
        } else if (!strcmp(argv[1], "gg")) {
            fu_segment_gammagamma m;
            if (fu_segment_gammagamma_fit(x, z, n, NULL, &info, &m)) bu_die("gamma-gamma fit");
            p[0] = m.p, p[1] = m.q, p[2] = m.gamma;
        } else {
            fprintf(stderr, "unknown model %s\n", argv[1]);
            return 2;
        }
        printf("time_ms %.6f %.6f\n", 1e3 * (bu_wall() - t0), 1e3 * (bu_cpu() - c0));
    }
    printf("params %.10g %.10g %.10g %.10g loglik %.10f iterations %u evaluations %u n %zu distinct %zu\n", p[0], p[1],
           p[2], p[3], info.loglik, info.iterations, info.evaluations, info.n, info.distinct);
    free(c);
    return 0;
}
