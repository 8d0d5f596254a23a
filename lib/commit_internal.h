/* Private helpers of fu_commit shared by lib/commit.c (deadlines, extraction)
 * and lib/commit_store.c (the SQLite ledger). Not installed. */
#ifndef FU_COMMIT_INTERNAL_H
#define FU_COMMIT_INTERNAL_H

#include "followup/commit.h"
#include "internal.h"

/* The deadline `d` after `at` in `cal` (see fu_commit_input). */
int fu__commit_deadline_from_duration(const fu_duration *d, const fu_calendar *cal, int64_t at,
                                      int64_t *out);

struct fu_book;
struct fu__evbuf;
/* The instant the book answers a promise customer `customer` (a book index)
 * was given at `made` (lib/commit_book.c): every issue (fault, complaint,
 * inquiry, feedback) still open at `made` is closed later by a `resolved`
 * event (or a fault by a `repair`) under the planner's matching rule; *out
 * is the last of those closings, FU_COMMIT_NO_TIME when an issue stays open
 * or none was open. The events are decoded into `buf` (caller-owned,
 * fu__evbuf_free()): no cache is left in the book. */
int fu__commit_answered_at(const struct fu_book *book, size_t customer, int64_t made, struct fu__evbuf *buf,
                           int64_t *out);

#endif /* FU_COMMIT_INTERNAL_H */
