/* The office calendar the calendar benchmarks share: Asia/Shanghai, Mon-Fri
 * 09:00-12:00 and 13:00-18:00, the 2025 public holidays and (makeup != 0)
 * the five 2025 make-up working days (调休). Header-only, included by
 * bench_calendar.c and bench_workdays.c. */
#ifndef FU_BENCH_CN2025_H
#define FU_BENCH_CN2025_H

#include "followup.h"

#include <stddef.h>
#include <string.h>

/* A new calendar, or NULL with *failed set to the step that failed
 * ("calendar", "hours", "holiday" or "workday"; fu_error_last() tells why). */
static inline fu_calendar *bench_cn2025(int makeup, const char **failed) {
    fu_calendar *c;
    if (fu_calendar_new(&c, "Asia/Shanghai")) return *failed = "calendar", NULL;
    const char *h = "Mon-Fri 09:00-12:00,13:00-18:00";
    static const char *hol[][2] = {{"2025-01-01", "2025-01-01"}, {"2025-01-28", "2025-02-04"},
                                   {"2025-04-04", "2025-04-06"}, {"2025-05-01", "2025-05-05"},
                                   {"2025-05-31", "2025-06-02"}, {"2025-10-01", "2025-10-08"}};
    static const char *work[] = {"2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28",
                                 "2025-10-11"};
    *failed = "hours";
    if (fu_calendar_set_hours_text(c, h, strlen(h))) goto fail;
    *failed = "holiday";
    for (size_t i = 0; i < sizeof hol / sizeof hol[0]; i++) {
        fu_date a, b;
        fu_date_parse(hol[i][0], 10, &a);
        fu_date_parse(hol[i][1], 10, &b);
        if (fu_calendar_add_holiday(c, &a, &b)) goto fail;
    }
    *failed = "workday";
    for (size_t i = 0; makeup && i < sizeof work / sizeof work[0]; i++) {
        fu_date a;
        fu_date_parse(work[i], 10, &a);
        if (fu_calendar_add_workday(c, &a, FU_MONDAY)) goto fail;
    }
    *failed = NULL;
    return c;
fail:
    fu_calendar_free(c);
    return NULL;
}

#endif /* FU_BENCH_CN2025_H */
