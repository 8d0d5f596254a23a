/* What the capacity pass (lib/capacity.c) and the rounds' partition side
 * (lib/planner_rollover.c, fu_capacity_part_move()) share: the order of the
 * items (how pressing) and the one-day deferral. Internal. */
#ifndef FU_CAPACITY_INTERNAL_H
#define FU_CAPACITY_INTERNAL_H

#include "followup/calendar.h"

#include <stdint.h>

/* The sort key of one item: its calendar day and how pressing it is; idx:
 * its item, off: the calendar's UTC offset at best_at (s). */
typedef struct fu__cap_key {
    int64_t day, due_to, best_at;
    uint64_t customer;
    uint32_t row, idx;
    int32_t priority, off;
} fu__cap_key;

/* qsort order of fu__cap_key: day, then most pressing first (priority, end
 * of the window, best_at, customer, row), then idx. */
int fu__cap_cmp(const void *pa, const void *pb);

/* The one-day rule (fu_capacity_pass(), the planner's one-day step): the
 * best_at of an item of calendar day `day` deferred past it, the next local
 * midnight of `cal` (the caller's calendar: the offset at best_at), or the end
 * of the window when that midnight is past it and best_at is not. */
int64_t fu__cap_defer_daily(const fu_calendar *cal, int64_t day, int64_t best_at, int64_t due_to);

/* Why capacity across partitions refuses named agents (fu_planner_set_agents()):
 * the text after "<function>: " of its FU_EINVAL (docs/scaling.md, "Agents by
 * name"). */
#define FU__CAP_NAMED_AGENTS                                                                                          \
    "who makes each call (an agents file, fu_planner_set_agents()) is decided over the whole plan in one sequence "    \
    "(each agent's calls so far that day and hour, shifts, days off, customers' owners), which partitions cannot "     \
    "reproduce; across partitions give capacity as a number (agents x calls_per_agent) and name the agents "          \
    "afterwards, or plan the book in one process (docs/scaling.md, \"Agents by name\")"

#endif
