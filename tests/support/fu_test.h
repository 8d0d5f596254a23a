/* Test support shared by the Criterion tests: a counting allocator, the
 * out-of-memory harness and paths to the test data. */
#ifndef FU_TEST_H
#define FU_TEST_H

#include "followup.h"

#include <stddef.h>

/* Directory of tests/ in the source tree and of the shipped data,
 * examples/data (from CMake). */
#ifndef FU_TEST_SRCDIR
#define FU_TEST_SRCDIR "."
#endif
#ifndef FU_TEST_DATADIR
#define FU_TEST_DATADIR "../examples/data"
#endif

/* Install a counting allocator. fail_at = N makes the Nth allocation (malloc
 * or growing realloc) from now on fail; 0 never fails. */
void fu_test_alloc_install(unsigned long fail_at);
/* Restore the default allocator. */
void fu_test_alloc_uninstall(void);
/* Live allocations / bytes made through the counting allocator. */
size_t fu_test_alloc_live(void);
size_t fu_test_alloc_live_bytes(void);
/* Allocations attempted since install, and whether the injected failure fired. */
unsigned long fu_test_alloc_count(void);
int fu_test_alloc_failed(void);

/* An operation under out-of-memory test: it must create, use and free
 * everything itself and return FU_OK or a negative code. */
typedef int (*fu_test_op)(void *ctx);

/* Run `op` failing the 1st, 2nd, ... Nth allocation until it succeeds with no
 * failure injected. For every N it asserts that the operation returned
 * FU_ENOMEM when the injected failure fired (or FU_OK if it did not matter),
 * that fu_error_last() agrees, and that nothing is leaked. Returns the number
 * of allocations the successful run made. `max_n` bounds the loop. */
unsigned long fu_test_oom(const char *what, fu_test_op op, void *ctx, unsigned long max_n);

/* Read a whole file into a NUL-terminated malloc'd buffer (test helper). */
char *fu_test_read_file(const char *path, size_t *len);

#endif
