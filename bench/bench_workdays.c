/* Adding N working days, for bench/peers_numpy.py (issue 19: "+ N working
 * days with holidays, 1 M" against numpy.busday_offset).
 *
 *   bench_workdays FILE MAKEUP REPS [OUT]
 *
 * FILE holds count int64 instants (UTC seconds) then count int32 numbers of
 * working days, native byte order. The calendar is Asia/Shanghai, Mon-Fri
 * 09:00-12:00 and 13:00-18:00 with the 2025 public holidays, plus (MAKEUP 1)
 * the five 2025 make-up working days (调休; numpy cannot express those).
 * Runs fu_calendar_add_working_days(END_OF_DAY) once per instant, REPS times,
 * and prints "time_ms WALL CPU" for each pass, then the same with one
 * fu_calendar_add_working_days_bulk call ("bulk_ms WALL CPU"); OUT receives the local dates
 * of the results as int64 days since 1970-01-01 (to compare with numpy). */
#include "followup.h"
#include "bench_util.h"
#include "bench_cn2025.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static fu_calendar *cn_2025(int makeup) {
    const char *failed;
    fu_calendar *c = bench_cn2025(makeup, &failed);
    if (!c) bu_die(failed);
    return c;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: bench_workdays FILE MAKEUP REPS [OUT]\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f) return perror(argv[1]), 1;
    fseek(f, 0, SEEK_END);
    size_t n = (size_t)ftell(f) / 12;
    fseek(f, 0, SEEK_SET);
    int64_t *t = malloc(n * sizeof *t), *out = malloc(n * sizeof *out);
    int64_t *bulk = malloc(n * sizeof *bulk);
    int *k = malloc(n * sizeof *k);
    if (!t || !out || !bulk || !k || fread(t, 8, n, f) != n || fread(k, 4, n, f) != n) return 1;
    fclose(f);
    fu_calendar *c = cn_2025(atoi(argv[2]));
    int reps = atoi(argv[3]);
    for (int r = 0; r < reps; r++) {
        double w = bu_wall(), u = bu_cpu();
        for (size_t i = 0; i < n; i++)
            if (fu_calendar_add_working_days(c, t[i], k[i], FU_WORKDAY_END_OF_DAY, &out[i]))
                bu_die("add_working_days");
        printf("time_ms %.4f %.4f\n", 1e3 * (bu_wall() - w), 1e3 * (bu_cpu() - u));
        w = bu_wall(), u = bu_cpu();
        if (fu_calendar_add_working_days_bulk(c, t, k, n, FU_WORKDAY_END_OF_DAY, bulk))
            bu_die("add_working_days_bulk");
        printf("bulk_ms %.4f %.4f\n", 1e3 * (bu_wall() - w), 1e3 * (bu_cpu() - u));
        if (memcmp(bulk, out, n * sizeof *out)) bu_die("bulk differs from single calls");
    }
    if (argc > 4) {
        FILE *o = fopen(argv[4], "wb");
        if (!o) return perror(argv[4]), 1;
        for (size_t i = 0; i < n; i++) {
            int64_t day = (out[i] + 8 * 3600 - 1) / 86400; /* close of business, local date */
            fwrite(&day, 8, 1, o);
        }
        fclose(o);
    }
    fu_calendar_free(c);
    free(t);
    free(out);
    free(bulk);
    free(k);
    return 0;
}
