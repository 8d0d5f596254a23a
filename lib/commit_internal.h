/* Private helpers of fu_commit shared by lib/commit.c (deadlines, extraction)
 * and lib/commit_store.c (the SQLite ledger). Not installed. */
#ifndef FU_COMMIT_INTERNAL_H
#define FU_COMMIT_INTERNAL_H

#include "followup/commit.h"
#include "internal.h"

/* The deadline `d` after `at` in `cal` (see fu_commit_input). */
int fu__commit_deadline_from_duration(const fu_duration *d, const fu_calendar *cal, int64_t at,
                                      int64_t *out);

#endif /* FU_COMMIT_INTERNAL_H */
