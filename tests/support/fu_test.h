/* Test support shared by the Criterion tests: a counting allocator, the
 * out-of-memory harness and paths to the test data. */
#ifndef FU_TEST_H
#define FU_TEST_H

#include "followup.h"

#include <stddef.h>
#include <stdint.h>

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
/* fu_test_oom(), and the successful run must have made at least `min_allocs`
 * allocations (so that the failures injected reached the code under test). */
void fu_test_oom_at_least(const char *what, fu_test_op op, void *ctx, unsigned long max_n, unsigned long min_allocs);
/* fu_test_oom() with the built-in policy (a const fu_policy *) as ctx. */
void fu_test_oom_builtin_policy(const char *what, fu_test_op op, unsigned long max_n);

/* Read a whole file into a NUL-terminated malloc'd buffer (test helper). */
char *fu_test_read_file(const char *path, size_t *len);

/* ---- the small helpers the test files share (each asserts on failure) ---- */

/* fu_error_last() holds code, message, source, line, column and path. */
void fu_test_expect_error(int code, const char *message, const char *source, unsigned long line,
                          unsigned long column, const char *path);

/* An ISO 8601 instant (fu_time_parse), in seconds since the epoch. */
int64_t fu_test_time(const char *iso);
/* a then b in one malloc'd string (free() it). */
char *fu_test_cat(const char *a, const char *b);
/* A new empty directory /tmp/<prefix>-XXXXXX, its path in dir[0..n). */
void fu_test_mkdtemp(char *dir, size_t n, const char *prefix);
/* Remove dir and everything in it. */
void fu_test_rmtree(const char *dir);
/* Remove a database file with SQLite's companions (-wal, -shm, -journal),
 * which a read-only or refused open leaves behind. */
void fu_test_rm_db(const char *path);
/* A fresh database path in the build directory, <prefix>_<pid>_<name>.db
 * (removed first with its companions). */
void fu_test_db_path(char *buf, size_t size, const char *prefix, const char *name);
/* The policy of YAML text (source name "p"), or the built-in one for NULL. */
fu_policy *fu_test_policy(const char *yaml);
/* The YAML text (source name "p") is refused with FU_EPOLICY and no policy,
 * the message holding `needle`. */
void fu_test_policy_refused(const char *yaml, const char *needle);
/* A book of the customers and events CSV texts (each with its header line);
 * not finalized. */
fu_book *fu_test_book(const char *customers_csv, const char *events_csv);
/* A new book (options `flags`) holding customer "C1" in UTC. */
fu_book *fu_test_book_c1(unsigned int flags);
/* A purchase by `customer` at 2026-01-01T00:00:00Z, the other fields unset. */
fu_event_in fu_test_purchase(const char *customer);
/* Run `sql` on the SQLite database at `path` (the test edits a stored file). */
void fu_test_db_exec(const char *path, const char *sql);

/* A planner over a policy and a book, and its last plan. */
typedef struct fu_test_planner {
    fu_policy *policy;
    fu_book *book;
    fu_planner *pl;
    fu_plan *plan;
} fu_test_planner;
/* For out-of-memory runs (no assertions): *f (zeroed first) gets the
 * built-in policy, a book of the customers and events CSV texts and a
 * planner over them, given the agents CSV text unless it is NULL. FU_OK or
 * the first failure's code; free *f with fu_test_planner_free() either way. */
int fu_test_planner_open(fu_test_planner *f, const char *customers_csv, const char *events_csv,
                         const char *agents_csv);
/* Free all four (any may be NULL) and zero *f. */
void fu_test_planner_free(fu_test_planner *f);

/* fu_test_planner_open() under the built-in policy, asserted to succeed. */
void fu_test_planner_open_ok(fu_test_planner *f, const char *customers_csv, const char *events_csv);

/* f->plan replaced by the plan from `now` (ISO text) for `horizon` seconds,
 * asserted to succeed. */
void fu_test_planner_plan_at(fu_test_planner *f, const char *now, int64_t horizon);
/* f->pl replaced by a planner for `agents` agents (a number, no file),
 * asserted to succeed. */
void fu_test_planner_for_agents(fu_test_planner *f, unsigned agents);
/* The plan's counters, every one of them (fu_plan_get_stats()). */
fu_plan_stats fu_test_plan_stats(const fu_plan *p);
/* The two plans are the same: per status, the touchpoints field by field
 * (customer, rule, best_at, due_to, reason, status rule, agent) and every
 * counter; `what` names the comparison in the failure message. */
void fu_test_same_plans(const fu_plan *a, const fu_plan *b, const char *what);
/* The first touchpoint of `status` for customer `id` whose rule contains
 * `rule`, or NULL. */
const fu_touchpoint *fu_test_find_touchpoint(const fu_plan *p, fu_touchpoint_status status, const char *id,
                                             const char *rule);

#endif
