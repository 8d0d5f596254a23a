/* The machine's memory bandwidth, the bound the KPI pass is compared with
 * (issue 19: "the in-memory pass <= 10x the memory-bandwidth bound").
 *
 *   bench_membw [MIB] [RUNS]
 *
 * Streams over a buffer of MIB MiB (default 512, far beyond the caches):
 * a read (sum of 64-bit words, four accumulators), a write (memset) and a
 * copy (memcpy of half the buffer into the other half); median of RUNS
 * (default 5) in GB/s of bytes read or written, wall and CPU time. */
#include "bench_util.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RUNS_MAX 31

int main(int argc, char **argv) {
    size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 512;
    int runs = argc > 2 ? atoi(argv[2]) : 5;
    if (runs < 1) runs = 1;
    if (runs > RUNS_MAX) runs = RUNS_MAX;
    size_t n = mib << 20, words = n / 8;
    uint64_t *buf = malloc(n);
    if (!buf) return 1;
    for (size_t i = 0; i < words; i++) buf[i] = i * 0x9E3779B97F4A7C15ull;
    double rd[RUNS_MAX], rdc[RUNS_MAX], wr[RUNS_MAX], wrc[RUNS_MAX], cp[RUNS_MAX], cpc[RUNS_MAX];
    uint64_t check = 0;
    for (int r = 0; r < runs; r++) {
        double w = bu_wall(), c = bu_cpu();
        uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (size_t i = 0; i + 4 <= words; i += 4) {
            s0 += buf[i];
            s1 += buf[i + 1];
            s2 += buf[i + 2];
            s3 += buf[i + 3];
        }
        check += s0 ^ s1 ^ s2 ^ s3;
        rd[r] = (double)n / (bu_wall() - w) / 1e9;
        rdc[r] = (double)n / (bu_cpu() - c) / 1e9;
        w = bu_wall(), c = bu_cpu();
        memset(buf, r, n);
        wr[r] = (double)n / (bu_wall() - w) / 1e9;
        wrc[r] = (double)n / (bu_cpu() - c) / 1e9;
        check += buf[words / 3];
        w = bu_wall(), c = bu_cpu();
        memcpy((char *)buf + n / 2, buf, n / 2);
        cp[r] = (double)n / 2 / (bu_wall() - w) / 1e9; /* bytes copied (read once, written once) */
        cpc[r] = (double)n / 2 / (bu_cpu() - c) / 1e9;
        check += buf[words - 1];
    }
    printf("buffer %zu MiB, %d runs (check %llu)\n", mib, runs, (unsigned long long)(check & 0xff));
    printf("read:  median %.2f GB/s wall, %.2f GB/s CPU (max %.2f wall)\n", bu_median(rd, (size_t)runs),
           bu_median(rdc, (size_t)runs), rd[runs - 1]);
    printf("write: median %.2f GB/s wall, %.2f GB/s CPU (max %.2f wall)\n", bu_median(wr, (size_t)runs),
           bu_median(wrc, (size_t)runs), wr[runs - 1]);
    printf("copy:  median %.2f GB/s wall, %.2f GB/s CPU (max %.2f wall)\n", bu_median(cp, (size_t)runs),
           bu_median(cpc, (size_t)runs), cp[runs - 1]);
    free(buf);
    return 0;
}
