/* Helper of test_guard.c: appends contact records to a log file, BATCH per
 * append (one transaction), and writes "<first seq> <i>" for each
 * acknowledged append to stdout, until COUNT records (0: until killed).
 *
 *     guard_crash_writer DB BATCH PREFIX COUNT
 *
 * Record number i (from 0) has customer "<PREFIX><i>", outcome no_answer,
 * channel phone, at 2026-01-01T00:00:00Z + i seconds. */
#include "support/crash_writer.h"

#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: %s DB BATCH PREFIX COUNT\n", argv[0]);
        return 2;
    }
    int batch = atoi(argv[2]);
    long count = strtol(argv[4], NULL, 10);
    if (batch < 1 || batch > 10) return 2;
    fu_contact_log *l = NULL;
    fu_contact_log_options o = FU_CONTACT_LOG_OPTIONS_INIT;
    o.busy_timeout_ms = CRASH_WRITER_BUSY_TIMEOUT_MS;
    if (fu_contact_log_open(&l, argv[1], &o) != FU_OK) return crash_writer_fail("open");
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
            crash_writer_fail("append"); /* before the close, which may set another error */
            fu_contact_log_close(l);
            return 1;
        }
        if (crash_writer_say("%lld %ld\n", (long long)seq, i) != 0) return 1;
    }
    fu_contact_log_close(l);
    return 0;
}
