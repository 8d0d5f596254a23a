/* Numeric capacity over a horizon of several days (lib/planner_rollover.c,
 * review s11 M1). Internal. */
#ifndef FU_PLANNER_ROLLOVER_H
#define FU_PLANNER_ROLLOVER_H

#include <stddef.h>
#include <stdint.h>

struct fu_planner;
struct fu_plan;

/* Whether the capacity step moves the contacts over a day's cap to later
 * days of the horizon [now, end): a horizon longer than one day, outside a
 * simulation (fu_planner_simulate(): its days are counted by the caller),
 * without #FU_PLANNER_DAILY_CAPACITY (the one-day rule of the global pass). */
int fu__pl_rollover_applies(const struct fu_planner *pl, int64_t now, int64_t end);

/* The capacity step for such a horizon: the planned agent-channel contacts
 * of `plan` (rows still in customer order) take each day of the policy
 * calendar `cap` at a time, most pressing first (priority, window end, time,
 * row); one over a day's cap moves to the first instant the planner's own
 * placement allows on a later day of the horizon (fu__pl_place(), then the
 * policy's `agents` rules: fu__plan_team_hours()) and competes there by the
 * same key; with no such day within its window and the horizon, it is
 * deferred (capacity.calls_per_agent_day) at the first instant it may be made.
 * *deferred: how many. FU_OK or an error. */
int fu__pl_capacity_rollover(struct fu_planner *pl, struct fu_plan *plan, size_t cap, int64_t now, int64_t end,
                             size_t *deferred);

#endif
