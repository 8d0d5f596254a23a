/**
 * @file followup/capacity.h
 * @brief The planner's capacity limit applied over several plans at once: a
 *        book planned in partitions (one planner per partition, on several
 *        machines) keeps the agents' daily capacity of the whole book.
 *
 * fu_planner_plan() ends with a capacity pass (docs/planner.md, limit 7):
 * the planned contacts on agent channels (phone, video, chat, visit) fill
 * each day of the policy's calendar up to `agents` × `calls_per_agent`, most
 * pressing first — by priority, then the end of the window, then best_at,
 * then plan order (customer by customer in book order) — and, by the
 * one-day rule (a one-day horizon, or #FU_PLANNER_DAILY_CAPACITY), those
 * that do not fit move to the next day in their window, deferred with
 * status_rule `capacity.calls_per_agent_day`. (Over several days without
 * that flag the planner moves them to a later day of the horizon with
 * room; this pass does not: it keeps the one-day rule.)
 *
 * A partition's planner does not know the other partitions' contacts, so it
 * plans without capacity (agents 0) and the pass runs once over all of them:
 *
 * 1. every partition: fu_plan_capacity_items() — one #fu_capacity_item per
 *    planned agent contact (40 bytes); the caller sets `customer` to the
 *    customer's index in the whole book and may use `part` for its own
 *    bookkeeping;
 * 2. anywhere, over the items of all partitions together (in any order):
 *    fu_capacity_pass() marks the deferred ones and their new best_at;
 * 3. every partition: fu_plan_apply_capacity() with its own items.
 *
 * The partitions' plans then hold exactly the touchpoints, statuses and
 * instants of the plan one planner over the whole book makes with the same
 * `agents` and `calls_per_agent` and #FU_PLANNER_DAILY_CAPACITY, for any
 * horizon; for a one-day horizon also without the flag (docs/scaling.md,
 * with the one ordering caveat stated there). The per-agent assignment of fu_planner_set_agents()
 * (shifts, calls_per_day of each agent, owners) is not part of this pass: a
 * partitioned plan with agents is not the whole book's plan.
 */
#ifndef FOLLOWUP_CAPACITY_H
#define FOLLOWUP_CAPACITY_H

#include "followup/common.h"
#include "followup/planner.h"
#include "followup/policy.h"

#ifdef __cplusplus
extern "C" {
#endif

/** One planned agent contact as the capacity pass sees it. A plain record
 *  of 40 bytes without padding (it may be sent between processes as bytes,
 *  native byte order). */
typedef struct fu_capacity_item {
    int64_t best_at;   /**< when it is planned, UTC s; out: for a deferred
                            contact the first instant it may be made */
    int64_t due_to;    /**< the end of its window, UTC s */
    uint64_t customer; /**< the customer's index in the whole book: the
                            order of customers in ties (the caller maps a
                            partition's index to it) */
    uint32_t row;      /**< its position among the planned touchpoints of
                            its plan (fu_plan_touchpoints()): the order
                            within a customer and the row
                            fu_plan_apply_capacity() changes */
    int32_t priority;  /**< #fu_priority */
    uint32_t part;     /**< the caller's (e.g. the partition); never read */
    uint32_t deferred; /**< out: 1 when the pass defers it, else 0 */
} fu_capacity_item;

/**
 * The planned contacts on agent channels of a plan made without capacity
 * (a planner with `agents` 0), in plan order, with `customer` the index in
 * the plan's book, `part` 0 and `deferred` 0.
 * @param plan the plan
 * @param[out] out  the items, owned by the caller (fu_free()); NULL when none
 * @param[out] n    their number
 * @return #FU_OK; #FU_EINVAL (NULL arguments); #FU_ENOMEM.
 */
FU_EXTERN int fu_plan_capacity_items(const fu_plan *plan, fu_capacity_item **out, size_t *n);

/**
 * The capacity pass of fu_planner_plan() over the items of any number of
 * plans: per day of the policy's default calendar (the day of best_at),
 * the `agents` × `calls_per_agent` most pressing items stay, the others get
 * `deferred` 1 and best_at the next local midnight when that is still in
 * their window (or they were already late), else the end of their window.
 * The items keep their order in the array; only best_at and deferred change.
 *
 * @param policy the policy
 * @param agents           agents on duty each day; 0: no limit (nothing deferred)
 * @param calls_per_agent  calls one agent makes a day; 0: the policy's
 *                         `capacity.calls_per_agent_day.max` (as the planner)
 * @param[out] deferred    the number deferred (may be NULL)
 * @param items the items, updated in place
 * @param n the number of items
 * @return #FU_OK; #FU_EINVAL (NULL policy, NULL items with n > 0, a priority
 *         out of range); #FU_ENOMEM (then no item changed).
 */
FU_EXTERN int fu_capacity_pass(const fu_policy *policy, unsigned int agents, unsigned int calls_per_agent,
                               fu_capacity_item *items, size_t n, size_t *deferred);

/**
 * Apply the pass to the plan the items came from: each item with `deferred`
 * 1 turns its planned touchpoint (by `row`) into a deferred one with the
 * item's best_at and status_rule `capacity.calls_per_agent_day` (its reason
 * unchanged, as fu_planner_plan() does); the plan is sorted again and its
 * counters updated. Items with `deferred` 0 are ignored. Call it once per
 * plan, with rows of fu_plan_capacity_items() of that plan unchanged since.
 * @return #FU_OK; #FU_EINVAL (NULL plan, NULL items with n > 0, a row that
 *         is not a planned agent contact of this plan with the item's
 *         due_to and priority: the plan is then unchanged); #FU_ENOMEM (the
 *         plan unchanged).
 */
FU_EXTERN int fu_plan_apply_capacity(fu_plan *plan, const fu_capacity_item *items, size_t n);

#ifdef __cplusplus
}
#endif

#endif /* FOLLOWUP_CAPACITY_H */
