/* The generator of BG/NBD customers that bench_segment.c and
 * bench_segment_fit.c share (same seed, same draws, same customers): a
 * xorshift64* stream (shifts 12, 25, 27; Vigna 2016), Box-Muller normals,
 * Marsaglia-Tsang gamma draws, and one CDNOW-like customer at a time.
 * Header-only; one stream per program. */
#ifndef FU_BENCH_BGNBD_GEN_H
#define FU_BENCH_BGNBD_GEN_H

#include "followup.h"
#include "bench_util.h"

#include <math.h>

static uint64_t bg_rs = 88172645463325252ULL;

/* A double uniform in (0, 1). */
static inline double bg_unif(void) { return bu_unit(bu_xorshift64star(&bg_rs)); }

static inline double bg_normal(void) { return sqrt(-2 * log(bg_unif())) * cos(6.283185307179586 * bg_unif()); }

static inline double bg_gamma(double shape) {
    if (shape < 1) return bg_gamma(shape + 1) * pow(bg_unif(), 1 / shape);
    double d = shape - 1.0 / 3, c = 1 / sqrt(9 * d);
    for (;;) {
        double z = bg_normal(), v = 1 + c * z;
        if (v <= 0) continue;
        v = v * v * v;
        if (log(bg_unif()) < 0.5 * z * z + d - d * v + d * log(v)) return d * v;
    }
}

/* One customer of a CDNOW-like cohort: first purchase on one of 84 days,
 * observed to day 273, purchase days whole days (same-day purchases are
 * one); x = repeat purchases, tx = recency and T = age, in weeks. */
static inline void bg_customer(const fu_segment_bgnbd *m, double *x, double *tx, double *T) {
    double Td = 189 + floor(84 * bg_unif()); /* days */
    double lam = bg_gamma(m->r) / m->alpha / 7, ga = bg_gamma(m->a), p = ga / (ga + bg_gamma(m->b));
    double t = 0, last = 0, k = 0;
    for (;;) {
        t += -log(bg_unif()) / lam;
        if (t > Td) break;
        if (floor(t) > last) {
            k += 1;
            last = floor(t);
        }
        if (bg_unif() < p) break;
    }
    *x = k;
    *tx = k > 0 ? last / 7 : 0;
    *T = Td / 7;
}

/* The mean spend (times scale) of a customer with x purchases
 * (Gamma-Gamma), 0 when x is 0: nu is drawn always, the spend only when
 * x > 0, as the benchmarks were recorded. scale multiplies first, so
 * scale * draw / nu / x rounds exactly as the recorded expressions did. */
static inline double bg_spend(const fu_segment_gammagamma *g, double x, double scale) {
    double nu = bg_gamma(g->q) / g->gamma;
    return x > 0 ? scale * bg_gamma(g->p * x) / nu / x : 0;
}

#endif /* FU_BENCH_BGNBD_GEN_H */
