/* Helper of test_guard.c: appends contact records to a log file, BATCH per
 * append (one transaction), and writes "<first seq> <i>" for each
 * acknowledged append to stdout, until COUNT records (0: until killed).
 *
 *     guard_crash_writer DB BATCH PREFIX COUNT
 *
 * Record number i (from 0) has customer "<PREFIX><i>", outcome no_answer,
 * channel phone, at 2026-01-01T00:00:00Z + i seconds. */
#include "followup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: %s DB BATCH PREFIX COUNT\n", argv[0]);
        return 2;
    }
    int batch = atoi(argv[2]);
    long count = strtol(argv[4], NULL, 10);
    if (batch < 1 || batch > 10) return 2;
    fu_contact_log *l = NULL;
    /* a generous wait for the other writers: on a loaded machine (CI builds
     * beside the tests) one FULL-synchronous commit may take seconds, and the
     * default 5 s made the several-writers test fail now and then */
    fu_contact_log_options o = FU_CONTACT_LOG_OPTIONS_INIT;
    o.busy_timeout_ms = 120000;
    if (fu_contact_log_open(&l, argv[1], &o) != FU_OK) {
        fprintf(stderr, "open: %s\n", fu_error_last()->message);
        return 1;
    }
    char ids[10][32];
    fu_contact_record r[10];
    for (long i = 0; count == 0 || i < count; i += batch) {
        for (int k = 0; k < batch; k++) {
            snprintf(ids[k], sizeof ids[k], "%s%ld", argv[3], i + k);
            fu_contact_record_init(&r[k]);
            r[k].customer_id = ids[k];
            r[k].at = 1767225600 + i + k;
            r[k].channel = FU_CHANNEL_PHONE;
            r[k].outcome = FU_GUARD_NO_ANSWER;
        }
        int64_t seq = 0;
        if (fu_contact_log_append(l, r, (size_t)batch, &seq) != FU_OK) {
            fprintf(stderr, "append: %s\n", fu_error_last()->message);
            fu_contact_log_close(l);
            return 1;
        }
        char line[64];
        int n = snprintf(line, sizeof line, "%lld %ld\n", (long long)seq, i);
        if (write(1, line, (size_t)n) != n) return 1;
    }
    fu_contact_log_close(l);
    return 0;
}
