/* Benchmarks of fu_calendar (issue 3 targets):
 *   - add a business duration: >= 5 million calls a second on one core;
 *   - local hour of week of 10 million timestamps: < 1 second.
 * Each measurement is run RUNS times; the median is printed. */
#include "followup.h"
#include "bench_util.h"
#include "bench_cn2025.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RUNS 7

static uint64_t rng = 0x2545F4914F6CDD1DULL;
static uint64_t next_rand(void) { return bu_xorshift64(&rng); }

static fu_calendar *cn_office(void) {
    const char *failed;
    fu_calendar *c = bench_cn2025(1, &failed);
    if (!c) bu_die(failed);
    return c;
}

static void bench_add_business(const char *label, const fu_calendar *c, int64_t seconds,
                               size_t n, const int64_t *t, int64_t *out) {
    double single[RUNS], bulk[RUNS];
    uint64_t check = 0;
    for (int r = 0; r < RUNS; r++) {
        double a = bu_wall();
        for (size_t i = 0; i < n; i++)
            if (fu_calendar_add_business(c, t[i], seconds, &out[i])) bu_die("add_business");
        single[r] = bu_wall() - a;
        check += (uint64_t)out[n / 2];
        a = bu_wall();
        if (fu_calendar_add_business_bulk(c, t, n, seconds, out)) bu_die("add_business_bulk");
        bulk[r] = bu_wall() - a;
        check += (uint64_t)out[n / 3];
    }
    double s = bu_median(single, RUNS), b = bu_median(bulk, RUNS);
    printf("add_business %-28s n=%zu  single: %6.2f M/s (%5.1f ns)  bulk: %6.2f M/s (%5.1f ns)"
           "  [check %llu]\n",
           label, n, n / s / 1e6, s / n * 1e9, n / b / 1e6, b / n * 1e9,
           (unsigned long long)(check % 1000));
}

static void bench_how(const char *label, const fu_calendar *c, size_t n, const int64_t *t,
                      uint8_t *out) {
    double bulk[RUNS], single[RUNS];
    uint64_t check = 0;
    for (int r = 0; r < RUNS; r++) {
        double a = bu_wall();
        if (fu_calendar_hour_of_week_bulk(c, t, n, out)) bu_die("hour_of_week_bulk");
        bulk[r] = bu_wall() - a;
        check += out[n / 2];
        a = bu_wall();
        for (size_t i = 0; i < n; i++) out[i] = (uint8_t)fu_calendar_hour_of_week(c, t[i]);
        single[r] = bu_wall() - a;
        check += out[n / 3];
    }
    double b = bu_median(bulk, RUNS), s = bu_median(single, RUNS);
    printf("hour_of_week %-28s n=%zu  bulk: %.3f s (%4.1f ns)  single calls: %.3f s  [check %llu]\n",
           label, n, b, b / n * 1e9, s, (unsigned long long)(check % 1000));
}

int main(void) {
    printf("libfollowup %s, fu_calendar benchmarks, median of %d runs\n", fu_version(), RUNS);
    const size_t NB = 1000000;
    int64_t *t = malloc(NB * sizeof *t), *out = malloc(NB * sizeof *out);
    if (!t || !out) return 1;

    fu_calendar *office = cn_office();
    int64_t y2025 = 1735660800; /* 2025-01-01T00:00:00+08:00 */
    for (size_t i = 0; i < NB; i++) t[i] = y2025 + (int64_t)(next_rand() % (365 * 86400ULL));
    bench_add_business("CN office, 2 h, random", office, 2 * 3600, NB, t, out);
    bench_add_business("CN office, 24 h, random", office, 24 * 3600, NB, t, out);
    fu_calendar *ny;
    if (fu_calendar_new(&ny, "America/New_York")) bu_die("ny");
    const char *h = "Mon-Fri 09:00-17:00";
    if (fu_calendar_set_hours_text(ny, h, strlen(h))) bu_die("ny hours");
    bench_add_business("New York, 8 h, random", ny, 8 * 3600, NB, t, out);
    for (size_t i = 0; i < NB; i++) t[i] = y2025 + (int64_t)i * 31;
    bench_add_business("CN office, 2 h, sorted", office, 2 * 3600, NB, t, out);
    free(t);
    free(out);

    const size_t NH = 10000000;
    t = malloc(NH * sizeof *t);
    uint8_t *hw = malloc(NH);
    if (!t || !hw) return 1;
    int64_t y2020 = 1577836800;
    for (size_t i = 0; i < NH; i++) t[i] = y2020 + (int64_t)(next_rand() % (10 * 365 * 86400ULL));
    bench_how("New York, random 2020-2030", ny, NH, t, hw);
    bench_how("Shanghai, random 2020-2030", office, NH, t, hw);
    for (size_t i = 0; i < NH; i++) t[i] = y2020 + (int64_t)i * 31;
    bench_how("New York, sorted", ny, NH, t, hw);
    free(t);
    free(hw);

    double cr[RUNS];
    for (int r = 0; r < RUNS; r++) {
        double a = bu_wall();
        for (int k = 0; k < 20; k++) {
            fu_calendar *c;
            if (fu_calendar_new(&c, "Europe/Berlin")) bu_die("berlin");
            fu_calendar_free(c);
        }
        cr[r] = (bu_wall() - a) / 20;
    }
    printf("fu_calendar_new(\"Europe/Berlin\") (zone table 1900-2500 from ICU): %.2f ms\n",
           bu_median(cr, RUNS) * 1e3);
    fu_calendar_free(ny);
    fu_calendar_free(office);
    return 0;
}
