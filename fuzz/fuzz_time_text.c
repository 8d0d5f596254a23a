/* Fuzz the small text parsers: ISO 8601 instants and dates, weekly windows,
 * durations. Whatever parses must format and parse back to the same value. */
#include "followup.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *text = (const char *)data;
    int64_t t = 0;
    if (fu_time_parse(text, size, &t) == FU_OK) {
        char buf[64];
        int64_t back = 0;
        if (fu_time_format(t, 0, 0, buf, sizeof buf) != FU_OK) __builtin_trap();
        if (fu_time_parse(buf, strlen(buf), &back) != FU_OK || back != t) __builtin_trap();
    }
    fu_date d;
    if (fu_date_parse(text, size, &d) == FU_OK) {
        int64_t days = 0;
        fu_date back;
        if (fu_date_to_days(&d, &days) != FU_OK) __builtin_trap();
        if (fu_date_from_days(days, &back) != FU_OK || memcmp(&back, &d, sizeof d) != 0)
            __builtin_trap();
    }
    fu_windows *w = NULL;
    if (fu_windows_parse(text, size, &w) == FU_OK) {
        int next = 0;
        for (int m = 0; m < 7 * 1440; m += 397) {
            (void)fu_windows_contains(w, m);
            (void)fu_windows_next_start(w, m, &next);
        }
        fu_windows_free(w);
    }
    fu_duration dur;
    if (fu_duration_parse(text, size, &dur) == FU_OK) {
        char buf[64];
        (void)fu_duration_format(&dur, buf, sizeof buf);
    }
    return 0;
}
