/* What the crash writers (commit_crash_writer.c for test_commit.c,
 * guard_crash_writer.c for test_guard.c) share: each writes to a store file
 * until killed and reports every acknowledged write on stdout, one line at a
 * time and unbuffered, so the test knows what must survive the kill.
 * Header-only: each writer is its own small program. */
#ifndef FU_TEST_CRASH_WRITER_H
#define FU_TEST_CRASH_WRITER_H

#include "followup.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

/* A generous wait for the other writers of the file: on a loaded machine (CI
 * builds beside the tests) one FULL-synchronous commit may take seconds, and
 * the default 5 s made the several-writers tests fail now and then. */
#define CRASH_WRITER_BUSY_TIMEOUT_MS 120000

/* Print "WHAT: <the library's last error>" on stderr and return 1, the exit
 * status of a failed writer. */
static inline int crash_writer_fail(const char *what) {
    fprintf(stderr, "%s: %s\n", what, fu_error_last()->message);
    return 1;
}

/* Write one formatted line to stdout with one write(2) (no stdio buffer that
 * a kill would lose): 0, or -1 when it could not be written whole. */
#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
static inline int crash_writer_say(const char *fmt, ...) {
    char line[96];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof line) return -1;
    return write(1, line, (size_t)n) == n ? 0 : -1;
}

#endif
