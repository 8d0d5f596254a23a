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
 * room; this pass does not: it keeps the one-day rule. The rounds below,
 * fu_capacity_round() and fu_capacity_part_move(), do.)
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
 * with the one ordering caveat stated there). For the plan without the flag
 * over any horizon, use the rounds (end of this file).
 *
 * Agents by name (fu_planner_set_agents(): each agent's shift and
 * calls_per_day, owners) are named over the whole plan in one sequence,
 * which partitions cannot reproduce: fu_plan_capacity_items(),
 * fu_plan_apply_capacity() and fu_capacity_part_new() refuse a plan or a
 * planner with named agents (#FU_EINVAL, the reason in the message;
 * docs/scaling.md, "Agents by name").
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
 * @return #FU_OK; #FU_EINVAL (NULL arguments; a plan that names its agents,
 *         made with fu_planner_set_agents(): refused, see above); #FU_ENOMEM.
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
 *         due_to and priority, a `deferred` other than 0 or 1, a plan that
 *         names its agents with n > 0: the plan is then unchanged, the
 *         message names the item); #FU_ENOMEM (the plan unchanged).
 */
FU_EXTERN int fu_plan_apply_capacity(fu_plan *plan, const fu_capacity_item *items, size_t n);

/** @name Capacity over several days across partitions: the rounds
 *
 * fu_capacity_pass() keeps the one-day rule. Over a horizon of several days
 * one planner moves a contact over a day's cap to the next day of the
 * horizon with room, at the first instant its own placement allows there
 * (docs/planner.md, limit 7), and only a partition's planner knows that
 * instant. The rounds give a partitioned plan equal to the plan of one
 * planner over the whole book (without #FU_PLANNER_DAILY_CAPACITY) for any
 * horizon; docs/scaling.md, "Rounds over several days":
 *
 * 1. every partition: fu_capacity_part_new() (its plan, kept open) and
 *    fu_capacity_part_items(); the caller sets `customer` to the whole
 *    book's index (increasing with the partition's) and `part`;
 * 2. anywhere, over the items of all partitions: `day` =
 *    #FU_CAPACITY_DAY_NONE, then repeat fu_capacity_round() while it marks
 *    items #FU_CAPACITY_OVER; after each, every partition with such items
 *    calls fu_capacity_part_move() with all its items (they come back
 *    #FU_CAPACITY_ROLLED or #FU_CAPACITY_DEFERRED);
 * 3. every partition: fu_capacity_part_plan() with its items.
 *
 * The rounds use the item's `deferred` field as its state, one of the
 * FU_CAPACITY_* values below.
 * @{ */
#define FU_CAPACITY_PLANNED 0u  /**< planned at best_at where it was planned (its day fits, or not reached yet) */
#define FU_CAPACITY_DEFERRED 1u /**< deferred: best_at is the first instant it may be made (final) */
#define FU_CAPACITY_OVER 2u     /**< over its day's cap in this round: its partition moves it */
#define FU_CAPACITY_ROLLED 4u   /**< moved by its partition to best_at on a later day: competes there */
#define FU_CAPACITY_MOVED 3u    /**< moved to a later day and planned there (final) */
#define FU_CAPACITY_DAY_NONE INT64_MIN /**< the `day` before the first round */

/** A partition's plan kept open between the rounds (its rows in customer
 *  order, not yet sorted), with the planner that made it. */
typedef struct fu_capacity_part fu_capacity_part;

/**
 * Plan the partition's book as fu_planner_plan() does but without the
 * capacity step, and keep the plan open for the rounds. The planner is made
 * with `agents` 0 and #FU_PLANNER_CAPACITY_PASS (or with the whole book's
 * `agents`: then its plan's counters say the capacity); it must outlive the
 * part and not plan anything else while the part is in use.
 * @param planner the partition's planner
 * @param now the instant of the plan (UTC s)
 * @param horizon its length (s), as fu_planner_plan()
 * @param[out] out the part (fu_capacity_part_free()); NULL on error
 * @return #FU_OK; #FU_EINVAL, #FU_ERANGE (as fu_planner_plan()); #FU_EINVAL
 *         also for a planner with named agents (fu_planner_set_agents():
 *         refused, see the top of this file); #FU_ENOMEM.
 */
FU_EXTERN int fu_capacity_part_new(fu_planner *planner, int64_t now, int64_t horizon, fu_capacity_part **out);

/** Free a part (NULL: nothing). The planner is not freed. */
FU_EXTERN void fu_capacity_part_free(fu_capacity_part *part);

/**
 * The part's planned agent contacts, as fu_plan_capacity_items() gives a
 * plan's: `customer` the index in the partition's book, `row` the row of the
 * open plan, `part` 0, state #FU_CAPACITY_PLANNED.
 * @param part the part
 * @param[out] out the items, owned by the caller (fu_free()); NULL when none
 * @param[out] n their number
 * @return #FU_OK; #FU_EINVAL (NULL arguments); #FU_ENOMEM.
 */
FU_EXTERN int fu_capacity_part_items(const fu_capacity_part *part, fu_capacity_item **out, size_t *n);

/**
 * One round over the items of all partitions (in any order): the days of the
 * policy's default calendar after `*day` in order, each taking its
 * `agents` × `calls_per_agent` most pressing items in play (priority, end of
 * the window, best_at, customer, row) — #FU_CAPACITY_PLANNED ones of that
 * day, #FU_CAPACITY_ROLLED ones moved onto it — until a day has more: its
 * others become #FU_CAPACITY_OVER, `*day` is that day and `*over` their
 * number. `*over` 0: every day fits and the rounds are done (items taken by
 * their day: ROLLED becomes #FU_CAPACITY_MOVED). The items keep their order.
 * @param policy the policy (its calendar's days)
 * @param agents agents on duty each day, at least 1 (0, no limit, is
 *        refused: nothing to share, and a planner of agents 0 without
 *        #FU_PLANNER_CAPACITY_PASS gives each partition the whole book's plan)
 * @param calls_per_agent calls one agent makes a day; 0: the policy's
 *        `capacity.calls_per_agent_day.max`
 * @param items the items, states updated in place
 * @param n their number
 * @param[in,out] day the last round's day (#FU_CAPACITY_DAY_NONE before the
 *        first); out: this round's (days since 1970-01-01 of the calendar)
 * @param[out] over the number marked #FU_CAPACITY_OVER (0: done)
 * @return #FU_OK; #FU_EINVAL (NULL arguments, agents 0, a priority or
 *         state out of range, an item still #FU_CAPACITY_OVER: its partition
 *         has not moved it); #FU_ENOMEM (then no item changed).
 */
FU_EXTERN int fu_capacity_round(const fu_policy *policy, unsigned int agents, unsigned int calls_per_agent,
                                fu_capacity_item *items, size_t n, int64_t *day, size_t *over);

/**
 * The partition's side of a round: `items` are all its items as the round
 * left them (any order, `customer` and `part` as the caller set them); each
 * #FU_CAPACITY_OVER one, most pressing first, moves to the first instant the
 * planner's placement and the agents' rules allow on a later day of the
 * horizon within its window (#FU_CAPACITY_ROLLED, best_at that instant),
 * else it is deferred (#FU_CAPACITY_DEFERRED, best_at the first instant it
 * may be made from the next day), as one planner does. By the one-day rule
 * (a horizon of one day, or a planner with #FU_PLANNER_DAILY_CAPACITY) every
 * such item is deferred to the next local midnight as fu_capacity_pass()
 * does. The part first takes the others' states and instants from the items,
 * so a part made again (another process) continues where the items say.
 * @param part the part
 * @param day the round's day (fu_capacity_round()'s `*day`)
 * @param items the partition's items, updated in place
 * @param n their number: all of the part's items
 * @return #FU_OK; #FU_EINVAL (NULL arguments, not all of the part's items or
 *         one that is not, or twice, a state out of range); #FU_ESTATE (the
 *         part's plan was taken); #FU_ENOMEM. On error the part's plan may
 *         have taken some items' instants: call again with the items.
 */
FU_EXTERN int fu_capacity_part_move(fu_capacity_part *part, int64_t day, fu_capacity_item *items, size_t n);

/**
 * The partition's plan after the rounds: the rows as its items say
 * (deferred ones with status_rule `capacity.calls_per_agent_day`, moved ones
 * at their new instant with the planner's note in their reason), sorted,
 * as fu_planner_plan() returns it. Once per part.
 * @param part the part
 * @param items all of the part's items after the last round
 * @param n their number
 * @param[out] out the plan (fu_plan_free())
 * @return #FU_OK; #FU_EINVAL (as fu_capacity_part_move(), or an item still
 *         #FU_CAPACITY_OVER or #FU_CAPACITY_ROLLED: the rounds are not done);
 *         #FU_ESTATE (taken already); #FU_ENOMEM.
 */
FU_EXTERN int fu_capacity_part_plan(fu_capacity_part *part, const fu_capacity_item *items, size_t n, fu_plan **out);
/** @} */

#ifdef __cplusplus
}
#endif

#endif /* FOLLOWUP_CAPACITY_H */
