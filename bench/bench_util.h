/* What every benchmark needs once: clocks, the median of repeated runs,
 * memory figures and small deterministic random generators. Header-only
 * (static inline), included by the bench_*.c and eval_*.c programs.
 *
 * The generators are the two the benchmarks were recorded with, so the
 * generated data (and the figures in bench/BENCHMARKS.md) are unchanged:
 * - xorshift64 (shifts 13, 7, 17; Marsaglia 2003): state must be non-zero;
 *   each program keeps its own seed and takes the bits it always took;
 * - splitmix64 (Steele, Lea & Flood 2014): any seed;
 * - xorshift64* (Vigna 2016): the BG/NBD customer generator's. */
#ifndef FU_BENCH_UTIL_H
#define FU_BENCH_UTIL_H

#include "followup.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

/* ---- failures ---- */

/* Print `what` and the library's last error (fu_error_format: code, message,
 * source, line, column, key) to stderr, and exit with status 1. */
static inline void bu_die(const char *what) {
    char buf[1024];
    fu_error_format(buf, sizeof buf);
    fprintf(stderr, "%s: %s\n", what, buf);
    exit(1);
}

/* ---- clocks, in seconds ---- */

/* Wall time (CLOCK_MONOTONIC). */
static inline double bu_wall(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CPU time of the process (all threads). */
static inline double bu_cpu(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* One timed run: `bu_lap l = bu_lap_start();` before it and
 * `bu_lap_stop(&l, &wall[k], &cpu[k]);` after it record its wall and CPU
 * seconds. */
typedef struct bu_lap {
    double wall, cpu;
} bu_lap;

static inline bu_lap bu_lap_start(void) {
    bu_lap l = {bu_wall(), bu_cpu()};
    return l;
}

static inline void bu_lap_stop(const bu_lap *l, double *wall, double *cpu) {
    *wall = bu_wall() - l->wall;
    *cpu = bu_cpu() - l->cpu;
}

/* ---- repeated runs ---- */

static inline int bu_cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sort v[0..n) in place (so v[0] is the minimum, v[n - 1] the maximum) and
 * return the median: the middle value, or the mean of the two middle values
 * for an even n. n must be at least 1. */
static inline double bu_median(double *v, size_t n) {
    qsort(v, n, sizeof *v, bu_cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* ---- memory ---- */

/* Peak resident set size of the process in MiB (getrusage: kB on Linux). */
static inline long bu_peak_rss_mib(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss / 1024;
}

/* Current resident set size in MiB (/proc/self/statm); -1 when unknown. */
static inline long bu_rss_mib(void) {
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f) return -1;
    if (fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = -1;
    fclose(f);
    return resident < 0 ? -1 : resident * (sysconf(_SC_PAGESIZE) / 1024) / 1024;
}

/* ---- random numbers ---- */

/* The next xorshift64 state (also the output). */
static inline uint64_t bu_xorshift64(uint64_t *state) {
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *state = x;
}

/* The next splitmix64 output. */
static inline uint64_t bu_splitmix64(uint64_t *state) {
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* The next xorshift64* output (shifts 12, 25, 27 and the multiplier of
 * Vigna 2016): state must be non-zero. */
static inline uint64_t bu_xorshift64star(uint64_t *state) {
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 2685821657736338717ULL;
}

/* A double uniform in (0, 1) from the top 53 bits of a 64-bit output. */
static inline double bu_unit(uint64_t bits) { return ((double)(bits >> 11) + 0.5) / 9007199254740992.0; }

/* A double uniform in [0, 1) from the top 53 bits of a 64-bit output. */
static inline double bu_unit0(uint64_t bits) { return (double)(bits >> 11) * 0x1.0p-53; }

#endif /* FU_BENCH_UTIL_H */
