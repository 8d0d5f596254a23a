/* Helper of test_commit.c: adds commitments to a ledger file one by one (or
 * in batches of 10 in one transaction) and writes the id of each
 * acknowledged commitment to stdout, one per line, until killed.
 *
 *     commit_crash_writer DB single|bulk COUNT
 *
 * Commitment number i (from 1) has customer "C<i>" and text "promise #<i>";
 * its deadline is 3 days after its creation. */
#include "support/crash_writer.h"

#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s DB single|bulk COUNT\n", argv[0]);
        return 2;
    }
    int bulk = strcmp(argv[2], "bulk") == 0;
    long count = strtol(argv[3], NULL, 10);
    fu_ledger *l = NULL;
    fu_ledger_options o = FU_LEDGER_OPTIONS_INIT;
    o.busy_timeout_ms = CRASH_WRITER_BUSY_TIMEOUT_MS;
    if (fu_ledger_open(&l, argv[1], &o) != FU_OK) return crash_writer_fail("open");
    enum { BATCH = 10 };
    char customers[BATCH][32], texts[BATCH][48];
    fu_commit_input in[BATCH];
    int64_t ids[BATCH];
    for (long i = 1; i <= count;) {
        int n = bulk ? BATCH : 1;
        for (int k = 0; k < n; k++, i++) {
            fu_commit_input def = FU_COMMIT_INPUT_INIT;
            in[k] = def;
            snprintf(customers[k], sizeof customers[k], "C%ld", i);
            snprintf(texts[k], sizeof texts[k], "promise #%ld", i);
            in[k].customer_id = customers[k];
            in[k].text = texts[k];
            in[k].created_at = 1758873600 + i;
            in[k].deadline = in[k].created_at + 3 * 86400;
        }
        int rc = bulk ? fu_ledger_add_bulk(l, in, (size_t)n, ids) : fu_ledger_add(l, in, ids);
        if (rc != FU_OK) {
            crash_writer_fail("add"); /* before the close, which may set another error */
            fu_ledger_close(l);
            return 1;
        }
        for (int k = 0; k < n; k++)
            if (crash_writer_say("%lld\n", (long long)ids[k]) != 0) return 1;
    }
    fu_ledger_close(l);
    return 0;
}
