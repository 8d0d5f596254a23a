/**
 * @file followup/planner.h
 * @brief The follow-up planner: who is contacted, when, why and through which
 *        channel — neither too often nor too rarely.
 *
 * A #fu_planner reads a policy (#fu_policy: cadences, caps, quiet hours,
 * suppressions, capacity, SLAs) and a customer book (#fu_book: customers and
 * their event history) and, for an instant `now` and a horizon, produces a
 * #fu_plan: the touchpoints to make, and the ones that were suppressed or
 * deferred, each with the policy rule that decided and a human-readable
 * reason. docs/planner.md walks through every step with examples.
 *
 * **What makes a touchpoint** (a *candidate*, before limits):
 * - event cadences (`trigger: {event: delivery}`): every step of a cadence
 *   whose `when` holds gives the window [event + at, event + at + within];
 *   `when: {risk: [high]}` reads the risk level of the sold product from the
 *   purchase event's `severity` (urgent = `high`, normal = `normal`, low =
 *   `low`; docs/formats.md);
 * - lifecycle cadences (`trigger: {lifecycle: declining}`): the win-back
 *   series of a customer whose lifecycle stage (fu_segment_assign() with
 *   the rules of fu_segment_rules_new_from_policy(): the stages and rule
 *   names of `followup segment`) is the named one, anchored where the stage
 *   began;
 * - purchase cycles (`trigger: {cycle: 100%}`): the next purchase of a
 *   product class predicted from the customer's own intervals between
 *   purchases of that class (the mean of the last intervals), or, with fewer
 *   than `min_purchases`, from the mean cycle of the customers of the same
 *   value tier (fu_planner_tier_cycles(); those of a whole book can be given
 *   to the planner of a part of it, #fu_planner_options.tier_cycles), or
 *   #fu_planner_options.default_cycle when nobody has one;
 * - promise cadences (`trigger: {promise: at_risk|breached|fulfilled}`): the
 *   promises of a commitment ledger given with fu_planner_set_ledger(),
 *   counted from the deadline, the breach or the fulfilment;
 * - `when: {unresolved: true}` on an event cadence: only while the problem
 *   (fault, complaint) has no `resolved` event of its order (the built-in
 *   escalation to the expert team 48 h after the problem arose);
 * - recurring cadences (`trigger: {every: 1 month}`): due one period after the
 *   customer's last answered contact (or first purchase); a recurring
 *   touchpoint that is overdue is due from `now`.
 *
 * Offsets in wall time are added to UTC, months in the customer's local
 * time, working days and business time in the policy's default calendar
 * (the team's calendar). A step with an answered contact (an event of kind
 * `contact` whose outcome is `answered` or not given) inside its window is
 * done and not planned again.
 *
 * **Limits**, in this order, each naming its rule:
 * 1. consent (`customer.consent_phone`, ...): a channel the customer refused
 *    falls back to the next consented one (phone → sms → email); with none
 *    left the touchpoint is suppressed. Nothing overrides consent, not even
 *    urgency.
 * 2. suppressions (`suppressions.*`): a recent complaint turns routine
 *    (normal/low) touchpoints into service recovery (priority high); an
 *    active inquiry or a promotion blackout suppresses routine touchpoints;
 *    an SMB month end defers non-urgent ones past the period. A touchpoint
 *    of the cadence triggered by the suppressing event itself is exempt.
 * 3. merging: touchpoints of one customer whose windows overlap become one
 *    contact carrying all purposes (window: the intersection), so one order
 *    never gets several calls for one reason.
 * 4. time: best_at is the first instant in the window (not before `now`) that
 *    lies in the policy's quiet-hours allowed windows (unless the priority is
 *    exempt), outside the customer's do-not-disturb windows, not on a holiday
 *    of a policy calendar in the customer's zone (unless
 *    `quiet_hours.on_holidays` names the priority), and in the customer's
 *    preferred windows when the window has such an instant. A window that
 *    only holidays close is never dropped: the contact is made at the first
 *    allowed instant after it and reported late (status_rule
 *    `calendars.<name>.holidays`). With a best-time
 *    model (#fu_planner_options.besttime or #FU_PLANNER_BESTTIME) best_at is
 *    instead the allowed hour in the window where the customer is most likely
 *    to answer (fu_besttime_best(): its constraints and the planner's both
 *    hold; urgent contacts skip preferences, never quiet hours or consent).
 *    A score provider (#fu_planner_score_fn) may pick the hour instead.
 * 5. redial (`redial.*`): the call attempts of a touchpoint that reached no
 *    answer decide when it is tried again (`retry_after` of the last
 *    outcome, a requested call-back time) or stop it (refused, wrong number,
 *    attempts per touchpoint or in a row); `attempts_per_day` limits calls a
 *    day. An unanswered attempt is spaced by its retry delay, not
 *    `caps.min_gap`. A step with `after` is made after that step's contact.
 * 6. caps (`caps.min_gap`, `caps.<limit>`; `scope: survey` for survey
 *    fatigue): past contacts in the history and
 *    contacts planned before count; a contact that would break a cap moves
 *    later within its window or is suppressed naming the cap. Priorities in
 *    `caps.exempt` are never held back (but count).
 * 7. capacity (`capacity.calls_per_agent_day`): agent-handled contacts
 *    (phone, video, chat, visit) fill each day of the policy calendar up to
 *    `agents` × calls per agent, most pressing first (priority, then the end
 *    of the window); what does not fit moves to the next day in its window or
 *    is deferred with its reason. Nothing is dropped silently.
 *
 * **Input handling.** Events after `now` are ignored (they have not
 * happened). The book already sorts events, drops exact duplicates and
 * rejects unknown kinds, unknown customers and timestamps without offsets
 * (see book.h). A customer without a time zone (created by
 * #FU_BOOK_CREATE_CUSTOMERS) is planned in the policy calendar's zone.
 *
 * **Ownership.** A planner borrows its policy and book: both must outlive it
 * and the book must not change while the planner exists, except by
 * appends (fu_book_append_events(), which fu_planner_feed() uses). A plan borrows strings from the
 * policy and the book and must not outlive them either; it owns everything
 * else (copies of its zone calendars included), so it may outlive the
 * planner. A plan holds no reference to the book: fu_book_free()'s safety
 * net (a book freed before its planners goes with the last of them) does
 * not wait for plans, so free the plans first.
 *
 * **Threads.** A planner is used by one thread at a time; plans are
 * read-only after creation. Several planners may share one policy and book.
 */
#ifndef FOLLOWUP_PLANNER_H
#define FOLLOWUP_PLANNER_H

#include "followup/common.h"
#include "followup/besttime.h"
#include "followup/book.h"
#include "followup/policy.h"

#ifdef __cplusplus
extern "C" {
#endif

/** How pressing a touchpoint is, most pressing first. */
typedef enum fu_priority {
    FU_PRIORITY_URGENT = 0, /**< "urgent" */
    FU_PRIORITY_HIGH = 1,   /**< "high" */
    FU_PRIORITY_NORMAL = 2, /**< "normal" */
    FU_PRIORITY_LOW = 3     /**< "low" */
} fu_priority;

/** "urgent", "high", "normal", "low" (static); NULL out of range. */
FU_EXTERN const char *fu_priority_name(fu_priority priority);

/** What became of a touchpoint. */
typedef enum fu_touchpoint_status {
    FU_TOUCHPOINT_PLANNED = 0,    /**< in the plan, at best_at */
    FU_TOUCHPOINT_SUPPRESSED = 1, /**< not made: a rule forbids it (status_rule) */
    FU_TOUCHPOINT_DEFERRED = 2,   /**< not made in this horizon: capacity or a defer rule */
    FU_TOUCHPOINT_CANCELLED = 3,  /**< fu_planner_feed(): planned before the event, not after */
    /** due in the horizon (its window meets it) but its best instant lies
     *  after the horizon's end: a later run plans it; status_rule names what
     *  moved it there (quiet hours, do-not-disturb, a holiday, a cap,
     *  preferred windows, the best-time model) */
    FU_TOUCHPOINT_LATER = 4
} fu_touchpoint_status;

/** Number of touchpoint statuses. */
#define FU_TOUCHPOINT_STATUS_COUNT 5

/** "planned", "suppressed", "deferred", "cancelled", "later" (static); NULL out of range. */
FU_EXTERN const char *fu_touchpoint_status_name(fu_touchpoint_status status);

/**
 * One touchpoint: a contact to make (or one that a rule stopped). All strings
 * are borrowed from the plan (or its policy and book) and never NULL:
 * `customer_id` and `order_id` are the book's texts and `purpose`, `rule` and
 * `owner` may be the policy's, so a plan must be freed before its book and
 * policy are (a book freed while planners borrow it goes with the last
 * fu_planner_free(): free the plans before that call too).
 */
typedef struct fu_touchpoint {
    size_t customer;      /**< index of the customer in the book */
    const char *customer_id; /**< the customer's id */
    int64_t due_from;     /**< window start, UTC s */
    int64_t due_to;       /**< window end, UTC s (inclusive) */
    int64_t best_at;      /**< when to contact, in [due_from, due_to]; for a
                               suppressed touchpoint the instant it was tried or
                               due_from; for a deferred one the first instant
                               it may be made */
    int64_t trigger_at;   /**< the instant of the first trigger (event, stage
                               start, predicted purchase, recurrence) */
    fu_channel channel;   /**< after consent fallback */
    fu_priority priority;
    fu_touchpoint_status status;
    unsigned int purposes; /**< number of merged purposes (1 when not merged) */
    const char *purpose;  /**< purposes, "; "-separated */
    const char *rule;     /**< the cadence steps' rules, "; "-separated
                               ("cadences.delivery.first_contact") */
    const char *reason;   /**< why, in words, including every adjustment */
    const char *status_rule; /**< the rule that suppressed, deferred or moved it
                               past the horizon (later); for a planned
                               contact "" when it is made in its window, else
                               the rule that made it late (a holiday:
                               "calendars.cn.holidays", best_at > due_to) */
    const char *order_id; /**< the triggering event's order id; "" when none */
    /** who makes the contact: the `team` of the cadence step (an escalation
     *  to the expert team), else the owner of the promise that triggered it
     *  (`{promise: ...}` cadences, fu_planner_set_ledger()); "" when the
     *  usual agents do */
    const char *owner;
    /** the agent who makes it: the id of an agent of fu_planner_set_agents()
     *  for a planned contact on an agent channel (phone, video, chat, visit);
     *  "" otherwise or when the planner has no agents. The plan's own copy:
     *  valid as long as the plan, whatever the planner does after */
    const char *agent;
} fu_touchpoint;

/** A plan: touchpoints by status. Opaque; free with fu_plan_free(). Threads:
 *  read-only, may be shared; needs the book and policy alive, not the planner. */
typedef struct fu_plan fu_plan;

/** Counters of a plan. Every touchpoint due in the horizon ends in exactly
 *  one state: `due = candidates + done` and
 *  `candidates = planned + merged + suppressed + deferred + later`
 *  (fu_planner_plan(), fu_planner_plan_customer()). Counters are only ever
 *  appended (`later` .. `calendar_expired`, then `unplaceable`); the struct
 *  has no version field: fu_plan_get_stats_sized() writes the counters that
 *  fit the caller's size, the exported fu_plan_get_stats() those of the
 *  last release's struct (up to `calendar_expired`), and the header's
 *  fu_plan_get_stats() macro every counter of this header. */
typedef struct fu_plan_stats {
    size_t customers;   /**< customers looked at */
    size_t candidates;  /**< touchpoints due in the horizon and not done, before merging and limits */
    size_t merged;      /**< candidates folded into another contact (of any status) */
    size_t done;        /**< due touchpoints already done by an answered contact */
    size_t planned;
    size_t suppressed;
    size_t deferred;
    size_t cancelled;   /**< fu_planner_feed() only */
    size_t agent_contacts; /**< planned contacts on agent channels */
    size_t capacity_per_day; /**< agents × calls per agent; 0 = unlimited */
    size_t later;       /**< status later: best instant after the horizon */
    size_t late;        /**< planned or later contacts made after their window
                             (a holiday closed it, quiet_hours.on_holidays) */
    size_t due;         /**< touchpoints whose window meets the horizon: candidates + done */
    /** touchpoints whose window reaches past the official data of a calendar
     *  they depend on (the holidays of the customer's zone, working days or
     *  business time of the policy's calendar: `calendars.<name>.data_until`);
     *  their reason says so. #FU_PLANNER_STRICT_CALENDAR refuses them. */
    size_t calendar_expired;
    /** suppressed contacts no agent may ever make (status_rule the rule, e.g.
     *  `calendars.hours`; the reason's last part begins "unplaceable, suppressed by"):
     *  no instant within 62 days after their window where the agents' rules
     *  (team hours, weekends, holidays, shifts) allow a call and the customer
     *  may be contacted (a business customer's hours in its own zone, quiet
     *  hours, do-not-disturb, holidays): a company in New York under the
     *  built-in team's Beijing hours. Counted in `suppressed` too. A
     *  contact that met agents with no call left (in its window or after it)
     *  or a search's step budget is deferred instead, not counted here. */
    size_t unplaceable;
    size_t unplaceable_customers; /**< the customers of the `unplaceable` contacts */
} fu_plan_stats;

/**
 * Optional score provider, e.g. a best-time model: the higher the score, the
 * better local hour of week `hour_of_week` (0..167, Monday 00:00 = 0, in the
 * customer's zone) is for reaching customer `customer` on `channel`. The
 * planner evaluates the allowed hour starts of a window (at most 168) and
 * keeps the best one (the earliest among equals). Must not call the planner.
 */
typedef double (*fu_planner_score_fn)(void *ud, size_t customer, fu_channel channel, int hour_of_week);

/** #fu_planner_options flag: build a best-time model (fu_besttime_new())
 *  from the book's contact history with the policy's `besttime` settings,
 *  one segment per value tier (plus one for customers without a tier), and
 *  use it for best_at. Ignored when #fu_planner_options.besttime is set. */
#define FU_PLANNER_BESTTIME 0x1u

/** #fu_planner_options flag: a touchpoint whose window reaches past the
 *  official holidays of a calendar it depends on (`calendars.<name>.data_until`,
 *  by default the end of the last year its holidays list) makes
 *  fu_planner_plan() fail with #FU_ERANGE naming the calendar, instead of
 *  being planned with the weekly hours only and counted in
 *  #fu_plan_stats.calendar_expired. */
#define FU_PLANNER_STRICT_CALENDAR 0x2u

/** #fu_planner_options flag: the plans' agent contacts go through the
 *  global capacity pass (fu_capacity_pass(), followup/capacity.h) instead of
 *  `agents`. As with `agents` or an agents file, a call the pass defers may
 *  fall past its window, so an event step whose window passed without a
 *  contact stays due, overdue, in later runs (docs/planner.md "Time" 4):
 *  set it on the partitions' planners so that their daily runs keep the
 *  calls the pass deferred, as one planner with `agents` does. */
#define FU_PLANNER_CAPACITY_PASS 0x4u

/** #fu_planner_options flag: numeric capacity (`agents`) by the one-day
 *  rule, as the global capacity pass (fu_capacity_pass()) applies it: each
 *  day of the policy calendar takes its planned agent-channel contacts most
 *  pressing first up to `agents` x `calls_per_agent`, and a contact over the
 *  cap is deferred (status_rule `capacity.calls_per_agent_day`) to the next
 *  day, even when a later day of the horizon has room. Without it, over a
 *  horizon longer than one day, such a contact moves to the first instant
 *  allowed on the next day of the horizon with room (docs/planner.md
 *  "Capacity"). The plan of a book partitioned and passed through
 *  fu_capacity_pass() equals, byte for byte, the one-process plan made with
 *  this flag for any horizon, and the one-process plan without it for a
 *  horizon of one day (the two rules agree there). The pass does not roll
 *  over: placing a contact on a later day needs the planner of its
 *  partition (its customer's history, hours, caps and agents' rules), so it
 *  would take one round between the partitions and the pass per day.
 *  Ignored when `agents` is 0; a simulation (fu_planner_simulate())
 *  always uses the one-day rule. */
#define FU_PLANNER_DAILY_CAPACITY 0x8u

/** Options of fu_planner_new(). Fields are only ever appended; version 1
 *  (without `flags` and `besttime`) and version 2 (without `tier_cycles`)
 *  callers are still accepted. */
typedef struct fu_planner_options {
    unsigned int version;  /**< #FU_PLANNER_OPTIONS_VERSION */
    /** Agents on duty each day; 0 means capacity is not limited. */
    unsigned int agents;
    /** Calls one agent makes a day; 0 means the policy's
     *  `capacity.calls_per_agent_day.max`. */
    unsigned int calls_per_agent;
    /** Fallback purchase cycle in seconds for customers with too few
     *  purchases when nobody of their tier has a cycle; 0 means 30 days. */
    int64_t default_cycle;
    fu_planner_score_fn score; /**< NULL: best_at = first allowed instant */
    void *score_ud;            /**< passed to `score` */
    /** Called by fu_planner_plan() every 65,536 customers and at the end with
     *  the customers done and the total (may be NULL); for progress output. */
    void (*progress)(void *ud, size_t done, size_t total);
    void *progress_ud;         /**< passed to `progress` */
    /** #FU_PLANNER_BESTTIME, #FU_PLANNER_STRICT_CALENDAR, #FU_PLANNER_CAPACITY_PASS,
     *  #FU_PLANNER_DAILY_CAPACITY (or-ed) or 0 (version 2). */
    unsigned int flags;
    /** A best-time model of the same book (same customers, same order) that
     *  chooses best_at; borrowed, must outlive the planner; NULL: none (or
     *  the planner's own with #FU_PLANNER_BESTTIME). Version 2. */
    const fu_besttime *besttime;
    /** Fallback purchase cycles computed elsewhere instead of from the
     *  planner's own book: typically fu_planner_tier_cycles() of a planner
     *  over the whole book, or fu_planner_tier_cycles_from_sums() of the
     *  partitions' added fu_planner_tier_cycle_sums() (the same bits),
     *  handed to the planners of the book's partitions so that each plans
     *  its customers exactly as the whole-book planner would. `tier_cycles[t * C + c]` is the mean cycle in days of value
     *  tier t (the order of the policy's `segments.value_tiers`) for product
     *  class c (`segments.product_classes`, C classes), 0 where nobody of the
     *  tier has one; finite and >= 0. Copied by fu_planner_new(). NULL: the
     *  planner computes them from its book. Version 3. */
    const double *tier_cycles;
    /** Number of values in `tier_cycles`: tiers × classes of the policy
     *  (what fu_planner_tier_cycles() reports). Version 3. */
    size_t n_tier_cycles;
} fu_planner_options;

#define FU_PLANNER_OPTIONS_VERSION 3
#define FU_PLANNER_OPTIONS_INIT {FU_PLANNER_OPTIONS_VERSION, 0u, 0u, 0, NULL, NULL, NULL, NULL, 0u, NULL, NULL, 0}

/** Fill `opts` with the defaults (same as #FU_PLANNER_OPTIONS_INIT). */
FU_EXTERN void fu_planner_options_init(fu_planner_options *opts);

/** An opaque planner. Threads: one thread at a time (its scratch buffers and fed
 *  events live in it). Borrows its book from fu_planner_new() to
 *  fu_planner_free(): the book refuses changes meanwhile (#FU_ESTATE). */
typedef struct fu_planner fu_planner;

typedef struct fu_ledger fu_ledger; /* followup/commit.h; C11 allows the repeat */

/**
 * Create a planner over a policy and a finalized book (both borrowed).
 *
 * Computes the per-tier purchase cycles used as fallbacks (one pass over the
 * book) and prepares the per-zone calendars.
 *
 * @param[out] out  the planner, owned by the caller (fu_planner_free())
 * @param opts      NULL for defaults
 * @param policy the policy (borrowed: must outlive the planner)
 * @param book the finalized book (borrowed until fu_planner_free())
 * @return #FU_OK; #FU_EINVAL (NULL policy/book/out, bad options, a
 *         best-time model with another number of customers); #FU_ESTATE when
 *         the book is not finalized; #FU_ETIMEZONE for a customer zone that
 *         ICU does not know; #FU_ENOMEM; with #FU_PLANNER_BESTTIME also the
 *         errors of fu_besttime_new().
 */
FU_EXTERN int fu_planner_new(fu_planner **out, const fu_policy *policy, const fu_book *book,
                             const fu_planner_options *opts);

/** The book the planner borrows (NULL for NULL): fu_planner_feed() appends
 *  to it, so a host that serialises calls per handle locks this book too
 *  for a feed (the Python binding does). Threads: any. */
FU_EXTERN const fu_book *fu_planner_book(const fu_planner *planner);

/**
 * Give the planner the promises of a commitment ledger (include/followup/commit.h),
 * the triggers of the policy's `{promise: at_risk | breached | fulfilled}`
 * cadences (built-in: `cadences.promise_at_risk.progress`, a progress
 * contact in the 24 h before the deadline; `cadences.promise_breached.remedy`,
 * a proactive remedy within 24 h of the breach at priority high;
 * `cadences.promise_fulfilled.satisfaction_check`, a satisfaction survey
 * 72 h after the promise was kept). The reason names the promise (id, text
 * as stored, category, owner, deadline) and #fu_touchpoint.owner its owner.
 *
 * The ledger is read once, now (a snapshot of its commitments; cancelled
 * ones and those of customers the book does not have are left out): it need
 * not outlive the planner, and a later change to it needs another call.
 * A promise counts as unresolved at the planning instant unless it was
 * fulfilled by then; breached from its breach instant (`commitments.breach_at`).
 *
 * @param planner the planner
 * @param ledger  NULL removes the promises
 * @return #FU_OK; #FU_EINVAL (NULL planner); the errors of fu_ledger_query()
 *         (the planner then keeps its previous promises).
 */
FU_EXTERN int fu_planner_set_ledger(fu_planner *planner, fu_ledger *ledger);

/**
 * Give the planner its agents (agents CSV of docs/formats.md: `agent_id`,
 * `team`, `skills`, `shift`, `tz`, `calls_per_day`, `days_off`), replacing any given
 * before; `len` 0 removes them. Every plan then names the agent of each
 * planned agent contact (#fu_touchpoint.agent): the touchpoint's owner when
 * it is an agent (a promise's owner), else the customer's owner (customers
 * CSV `owner`; at most `capacity.customers_per_vip_agent` customers per
 * owner, in book order), else the agent with the fewest calls that day among
 * those on shift whose team and skills fit. A contact no agent can take at
 * its best instant moves to the first later instant of its window at which
 * one can (inside the policy's allowed hours and outside the customer's
 * do-not-disturb windows) and the policy's `agents` section allows an agent
 * call (the team calendar's hours, weekends, public holidays; `agents.exempt`
 * priorities always), else to the first such instant after its window (late,
 * status_rule the `agents.*` rule that held it back, or `agents.shift`; past
 * the horizon: later), else, with none within 62 days, it is deferred. An
 * agent is never given a call on one of its `days_off`.
 * @param planner the planner
 * @param csv the agents CSV text
 * @param len its length in bytes
 * @param source name of the text in errors (NULL: "<agents>")
 * @return #FU_OK; #FU_EPARSE (source, line, column); #FU_ETIMEZONE;
 *         #FU_ENOMEM; #FU_EINVAL. On failure the planner keeps its agents.
 */
FU_EXTERN int fu_planner_set_agents(fu_planner *planner, const char *csv, size_t len, const char *source);

/** fu_planner_set_agents() from a file. @return also #FU_EIO. */
FU_EXTERN int fu_planner_read_agents(fu_planner *planner, const char *path);

/**
 * Give the planner its customers' CLV for `channels.by_clv` (CLV decides
 * human vs automated): a CSV with the columns `customer_id` and `clv` (the
 * segment CSV of `followup segment` has both; an empty cell or `nan`:
 * unknown), replacing any given before; `len` 0 removes them. Ids the book
 * does not hold are skipped (a partition's planner may read the whole book's
 * file). With the rule in the policy, every contact of a customer whose CLV
 * is known and whose priority the rule names takes `by_clv.human` (CLV at or
 * above `by_clv.human_at_least`, else the `segments.clv.human_from_quantile`
 * quantile of the known CLVs) in place of an SMS or e-mail, or
 * `by_clv.automated` in place of an agent channel; the reason names the rule,
 * the CLV and the threshold. Consent still applies after it.
 * @return #FU_OK; #FU_EPARSE (source, line, column: a missing column, a
 *         duplicate id, a value that is not a number >= 0); #FU_ENOMEM;
 *         #FU_EINVAL. On failure the planner keeps its CLVs.
 */
FU_EXTERN int fu_planner_set_clv(fu_planner *planner, const char *csv, size_t len, const char *source);

/** fu_planner_set_clv() from a file. @return also #FU_EIO. */
FU_EXTERN int fu_planner_read_clv(fu_planner *planner, const char *path);

/**
 * fu_planner_set_clv() from values by book customer index: `n` must be the
 * book's customer count (0 removes them); NaN is unknown.
 * @return #FU_OK; #FU_EINVAL (a count that is not the book's, a negative or
 *         infinite value); #FU_ENOMEM.
 */
FU_EXTERN int fu_planner_set_clv_values(fu_planner *planner, const double *clv, size_t n);

/** Free a planner (NULL is a no-op). Plans made by it stay valid. */
FU_EXTERN void fu_planner_free(fu_planner *planner);

/**
 * The fallback purchase cycles the planner uses for customers with fewer
 * purchases of a class than a cycle cadence's `min_purchases`: per value
 * tier and product class, the mean over the customers of the tier with
 * enough purchase days of the class of (last - first purchase day) /
 * (days - 1), each rounded to the nearest second, in days; 0 where nobody
 * has one. They depend on the whole book: a book split into partitions gets
 * the same plans when these are computed once over the whole book (cheap:
 * one pass, see fu_planner_new()), or combined exactly from the partitions'
 * parts (fu_planner_tier_cycle_sums()), and given to every partition's
 * planner through #fu_planner_options.tier_cycles.
 *
 * @param planner the planner
 * @param cycles  room for `n` values (may be NULL when `n` is 0): receives
 *                the first min(n, *out) values, `cycles[t * C + c]` for
 *                tier t and class c of the policy (C classes)
 * @param[out] out the number of values: tiers × classes of the policy
 * @param n       room in `cycles`
 * @return #FU_OK; #FU_EINVAL (NULL planner or out, NULL cycles with n > 0).
 */
FU_EXTERN int fu_planner_tier_cycles(const fu_planner *planner, double *cycles, size_t n, size_t *out);

/**
 * The exact parts of fu_planner_tier_cycles(), for combining the cycles of a
 * book's partitions bit for bit: per value tier and product class, the sum
 * of the cycles of the customers counted, each in whole seconds ((last -
 * first purchase day) / (days - 1) rounded to the nearest second, halves
 * up), and their number. Integers, so sums over partitions (any split, any
 * order; fu_planner_tier_cycle_sums_add()) equal those of one planner over
 * the whole book, and fu_planner_tier_cycles_from_sums() of them gives
 * exactly the cycles that planner computes: the cycles to give every
 * partition's planner (#fu_planner_options.tier_cycles). docs/scaling.md.
 *
 * @param planner the planner
 * @param sum_seconds room for `n` sums (may be NULL when `n` is 0)
 * @param count       room for `n` customer counts (may be NULL when `n` is 0)
 * @param n           values wanted; the first min(n, *out) are written, in
 *                    the order of fu_planner_tier_cycles()
 * @param[out] out    the number of values: tiers × classes of the policy
 *                    (set on #FU_ESTATE too)
 * @return #FU_OK; #FU_EINVAL (NULL planner or out, NULL arrays with n > 0);
 *         #FU_ESTATE when the planner was given its cycles
 *         (#fu_planner_options.tier_cycles): it has no parts.
 */
FU_EXTERN int fu_planner_tier_cycle_sums(const fu_planner *planner, int64_t *sum_seconds, uint64_t *count, size_t n,
                                         size_t *out);

/**
 * Add one partition's parts (fu_planner_tier_cycle_sums()) to running
 * totals: `sum_seconds[i] += part_sum[i]`, `count[i] += part_count[i]` for
 * i < n, or nothing on error. Start the totals at 0.
 *
 * @return #FU_OK; #FU_EINVAL (NULL arrays with n > 0, a negative sum);
 *         #FU_ERANGE when a sum would pass INT64_MAX seconds or a count
 *         UINT64_MAX (the totals are then unchanged; never wraps).
 */
FU_EXTERN int fu_planner_tier_cycle_sums_add(int64_t *sum_seconds, uint64_t *count, const int64_t *part_sum,
                                             const uint64_t *part_count, size_t n);

/**
 * The tier cycles (days) of summed parts, as a planner computes its own:
 * `cycles[i] = count[i] ? (double)sum_seconds[i] / (double)count[i] /
 * 86400.0 : 0` (IEEE double, round to nearest; the same formula in numpy
 * gives the same bits). The result goes to #fu_planner_options.tier_cycles.
 *
 * @param sum_seconds, count  n parts (NULL when `n` is 0)
 * @param cycles              receives n cycles
 * @param n                   the number of parts (and of cycles)
 * @return #FU_OK; #FU_EINVAL (NULL arrays with n > 0; a negative sum, or
 *         seconds without customers).
 */
FU_EXTERN int fu_planner_tier_cycles_from_sums(const int64_t *sum_seconds, const uint64_t *count, size_t n,
                                               double *cycles);

/**
 * Product class texts the planner met that name no product class of the
 * policy (`segments.product_classes`: a class name or its `kind`), e.g. a
 * site's own `durable_high`: such an event takes its class from its
 * `unit_price`, else from the purchase of its `order_id`, else it has none
 * and matches no `when: {product_class: ...}` condition. Counted over the
 * plans made so far (the events whose class a plan needed), for a warning
 * (`followup plan` prints one). Threads: as fu_planner_plan().
 *
 * @param planner the planner
 * @param[out] count distinct unknown texts
 * @param[out] first the first of them (borrowed from the book), NULL when
 *                   none; may be NULL
 * @return #FU_OK; #FU_EINVAL (NULL planner or count).
 */
FU_EXTERN int fu_planner_unknown_classes(const fu_planner *planner, size_t *count, const char **first);

/**
 * Agents (fu_planner_set_agents()) whose shift, on a day of the week from
 * the last plan's `now`, meets the policy's agent hours (`agents.team_hours`,
 * in the team calendar's zone) for fewer minutes than their `calls_per_day`
 * take at the policy's pace (`capacity.calls_per_agent_day.max` calls in the
 * team's day): typically an agents CSV without a `tz` column, whose shifts
 * are read in UTC, against team hours in Beijing time. Their calls are
 * crowded into the few minutes left. For a warning (`followup plan` prints
 * one). Threads: as fu_planner_plan().
 *
 * @param planner the planner
 * @param[out] count   such agents (0 without agents or before a plan)
 * @param[out] first   the first of them (borrowed from the planner), NULL when none; may be NULL
 * @param[out] minutes its minutes within the team hours that day; may be NULL
 * @param[out] need    the minutes its calls_per_day take; may be NULL
 * @return #FU_OK; #FU_EINVAL (NULL planner or count).
 */
FU_EXTERN int fu_planner_short_agents(const fu_planner *planner, size_t *count, const char **first, int *minutes,
                                      int *need);

/**
 * Plan every customer of the book for [now, now + horizon).
 *
 * Every touchpoint whose window meets the horizon is reported in exactly one
 * state (see #fu_plan_stats): planned when its best_at falls in the
 * horizon, #FU_TOUCHPOINT_LATER when it falls after it (a later run plans
 * it), suppressed or deferred with the rule, merged into another contact, or
 * done. A contact whose window a holiday closes is made after it (late, its
 * rule the calendar's holidays) or on the holiday when
 * `quiet_hours.on_holidays` names its priority.
 *
 * @param planner the planner
 * @param now      the planning instant, UTC s
 * @param horizon  seconds, > 0 (the CLI's default is one day)
 * @param[out] out the plan, owned by the caller (fu_plan_free())
 * @return #FU_OK; #FU_EINVAL (horizon <= 0, NULL pointers); #FU_ERANGE for
 *         instants outside years 1..9999; #FU_ENOMEM.
 */
FU_EXTERN int fu_planner_plan(fu_planner *planner, int64_t now, int64_t horizon, fu_plan **out);

/**
 * Plan one customer (no capacity limit): the incremental form of
 * fu_planner_plan() for a CRM that shows a customer's upcoming contacts.
 */
FU_EXTERN int fu_planner_plan_customer(fu_planner *planner, size_t customer, int64_t now,
                                       int64_t horizon, fu_plan **out);

/**
 * Feed one new event (for a customer of the book) and get what it changes:
 * the customer's touchpoints for [now, now + horizon) are planned before and
 * after the event (without capacity), and `out` holds the touchpoints the
 * event creates (status planned, suppressed or deferred) and those it cancels
 * (status #FU_TOUCHPOINT_CANCELLED), matched by rule, window and channel.
 *
 * The event is appended to the planner's book (fu_book_append_events(): the
 * book is the one store of events, so the event shows in fu_book_events(),
 * the KPIs and every later plan of any planner on that book, and
 * fu_book_generation() changes); the book must therefore not be used by
 * another thread meanwhile. Events must be fed in time order per customer;
 * an event earlier than the customer's last fed event is #FU_EINVAL. An
 * exact duplicate of an event of the book (fed or not) is dropped by the
 * book's rule and ignored here (out is an empty plan), unless the book keeps
 * duplicates (#FU_BOOK_KEEP_DUPLICATES).
 *
 * @param planner the planner
 * @param ev the event to append (copied)
 * @param now  usually the event's time; must be >= `ev->at`
 * @param horizon the length of the plan, seconds
 * @param[out] out the plan of the event's customer, owned by the caller (fu_plan_free())
 * @return #FU_OK; #FU_ENOTFOUND for an unknown customer id; #FU_EINVAL;
 *         the value errors of fu_book_add_events() ("fu_planner_feed: event
 *         0: ..."); #FU_ENOMEM (the event is then not in the book).
 */
FU_EXTERN int fu_planner_feed(fu_planner *planner, const fu_event_in *ev, int64_t now,
                              int64_t horizon, fu_plan **out);

/** Free a plan (NULL is a no-op). */
FU_EXTERN void fu_plan_free(fu_plan *plan);

/**
 * The touchpoints of one status, ordered by best_at then customer, borrowed
 * from the plan.
 * @param plan the plan
 * @param status the status of the touchpoints wanted
 * @param count receives their number (may be NULL)
 * @return the array (NULL when there are none)
 */
FU_EXTERN const fu_touchpoint *fu_plan_touchpoints(const fu_plan *plan, fu_touchpoint_status status,
                                                   size_t *count);

/**
 * Counters of the plan: the whole counters of #fu_plan_stats that fit in
 * `size` bytes (pass `sizeof *out`), never a byte past them, so a caller
 * with an older, smaller struct gets its own counters (docs/api.md,
 * "Structs that grow"). `plan` NULL: zeros. `out` NULL: nothing written.
 */
FU_EXTERN void fu_plan_get_stats_sized(const fu_plan *plan, fu_plan_stats *out, size_t size);

/**
 * Counters of the plan: in source built against this header the macro
 * below makes this fu_plan_get_stats_sized(plan, out,
 * sizeof(fu_plan_stats)), every counter of this header.
 *
 * The exported function of this name (what programs built against an
 * older header call, and `(fu_plan_get_stats)(plan, out)`, ctypes, cffi)
 * writes the counters up to `calendar_expired` only, the struct of the
 * last release (112 bytes on LP64), and keeps that size forever: until
 * 2026-12-07 it wrote `unplaceable` and `unplaceable_customers` too, 16
 * bytes past such a caller's struct. Callers through a foreign-function
 * interface use fu_plan_get_stats_sized() for the newer counters.
 */
FU_EXTERN void fu_plan_get_stats(const fu_plan *plan, fu_plan_stats *out);
#define fu_plan_get_stats(plan, out) fu_plan_get_stats_sized((plan), (out), sizeof(fu_plan_stats))

/** Columns written by fu_plan_write_csv(): the plan CSV of docs/formats.md
 *  (`customer_id, due_from, due_to, best_at, purpose, channel, priority,
 *  rule, reason`), and with this flag also `status, status_rule`. */
#define FU_PLAN_CSV_STATUS 0x1u
/** Text cells as they are: without this flag a cell that starts with `=`,
 *  `+`, `-`, `@`, tab or CR (and is not a plain number) is written quoted
 *  with a `'` in front so that a spreadsheet never runs it as a formula
 *  (docs/formats.md, "CSV output and spreadsheets"). */
#define FU_PLAN_CSV_RAW 0x2u
/** Also the column `owner` (who makes the contact: a promise's owner, a
 *  team), after the others. */
#define FU_PLAN_CSV_OWNER 0x4u
/** Also the column `agent` (the agent named by fu_planner_set_agents()),
 *  last. */
#define FU_PLAN_CSV_AGENT 0x8u

/**
 * The UTC offset at `t` in the zone of the customer of `tp` (a touchpoint
 * of `plan`, from fu_plan_touchpoints()), in seconds east of UTC: what
 * fu_plan_write_csv() writes the touchpoint's times in. 0 for a customer
 * without a zone. Any number of zones (the plan keeps one calendar per zone).
 * @param plan the plan
 * @param tp a touchpoint of the plan
 * @param t an instant, UTC seconds
 * @param[out] out  the offset
 * @return #FU_OK; #FU_EINVAL when `tp` is not one of the plan's touchpoints.
 */
FU_EXTERN int fu_plan_utc_offset(const fu_plan *plan, const fu_touchpoint *tp, int64_t t, int *out);

/**
 * Write the touchpoints of the statuses in `status_mask` (bit `1u << status`)
 * as CSV, times in the customer's local offset (`2026-01-10T09:00:00+08:00`).
 * @param plan the plan
 * @param status_mask the statuses written, bit `1u << status`
 * @param flags  #FU_PLAN_CSV_STATUS, #FU_PLAN_CSV_RAW, #FU_PLAN_CSV_OWNER,
 *               #FU_PLAN_CSV_AGENT (or'ed) or 0
 * @param[out] out NUL-terminated text owned by the caller (fu_free())
 * @param len  receives the length (may be NULL)
 * @return #FU_OK; #FU_ENOMEM; #FU_EINVAL.
 */
FU_EXTERN int fu_plan_write_csv_to_string(const fu_plan *plan, unsigned int status_mask,
                                          unsigned int flags, size_t *len, char **out);

/** fu_plan_write_csv_to_string() to a file, written beside `path` and renamed
 *  over it once complete and synced: on any failure an existing file at
 *  `path` is left as it was. @return also #FU_EIO. */
FU_EXTERN int fu_plan_write_csv(const fu_plan *plan, unsigned int status_mask, unsigned int flags,
                                const char *path);

/* ===================================================================== */
/** @name Simulation
 * Replay an event history step by step under a policy: at each step the
 * planner plans [t, t + step) with the events that happened up to t, the
 * planned contacts are made (as answered contacts at best_at) and count in
 * every later step. Contact events of the history are ignored: the policy
 * under test decides the contacts. Comparing the reports of two policies
 * shows what a rollout would change.
 * @{ */

/** Options of fu_planner_simulate(). */
typedef struct fu_sim_options {
    unsigned int version;  /**< #FU_SIM_OPTIONS_VERSION */
    int64_t step;          /**< seconds per step, > 0; 0 means one day */
    /** Called after each step with the steps done and the total (may be NULL);
     *  for progress output. */
    void (*progress)(void *ud, size_t done, size_t total);
    void *progress_ud;
} fu_sim_options;

#define FU_SIM_OPTIONS_VERSION 1
#define FU_SIM_OPTIONS_INIT {FU_SIM_OPTIONS_VERSION, 0, NULL, NULL}

/** Fill `opts` with the defaults (same as #FU_SIM_OPTIONS_INIT); NULL is a
 *  no-op. Threads: any. */
FU_EXTERN void fu_sim_options_init(fu_sim_options *opts);

/** One day of a simulation (days of the policy calendar). */
typedef struct fu_sim_day {
    int64_t start;          /**< local midnight of the day, UTC s */
    size_t contacts;        /**< contacts made */
    size_t agent_contacts;  /**< of which on agent channels */
    size_t capacity;        /**< agent contacts possible (0 = unlimited) */
    size_t suppressed;      /**< touchpoints suppressed in the day's steps */
    size_t deferred;        /**< touchpoints deferred in the day's steps */
} fu_sim_day;

/** What a simulation found. */
typedef struct fu_sim_report {
    int64_t from, to;          /**< the simulated span */
    size_t steps;
    size_t customers;          /**< customers in the book */
    /** Coverage, SLA and cap violations come from the KPI engine (fu_kpi,
     *  docs/kpi.md: one definition of every KPI) over the book's events
     *  without its recorded contacts plus the contacts made, weekly figures
     *  of [from, to) pooled (units and successes summed over the weeks). */
    size_t customers_due;      /**< KPI `coverage` units: customer-weeks with a due window */
    size_t customers_contacted; /**< of those, contacted in every due window of the week */
    double coverage;           /**< customers_contacted / customers_due (1 when none due) */
    size_t contacts;           /**< contacts made */
    size_t suppressed;         /**< touchpoint reports of status suppressed */
    size_t deferred;           /**< touchpoint reports of status deferred */
    /** Most contacts one customer got within any 72 h / 7 d / 30 d. */
    unsigned int max_contacts_72h, max_contacts_7d, max_contacts_30d;
    /** Contacts per contacted customer per 30 days: `contacts` / the
     *  customers with at least one contact made in the span, divided by
     *  (days / 30) when the span is longer than 30 days (a shorter span is
     *  not extrapolated: the mean count of a contacted customer in the span,
     *  at most max_contacts_30d); 0 when no contact was made. */
    double contacts_per_customer_30d;
    /** KPI `over_contact` successes among the contacts of non-exempt
     *  priorities: beyond `caps.min_gap` or a cap. The KPI engine sees no
     *  priorities (every contact counts as `normal`), so a high-priority
     *  contact past a normal/low-only cap counts. */
    size_t cap_violations;
    /** KPI `response_timeliness`: issues (fault, complaint, inquiry,
     *  feedback) whose SLA deadline passed by `to` (`sla_due`), and of those
     *  the ones with a reached contact by the deadline (`sla_met`). An event
     *  is seen from the next step on: use a step no longer than the response
     *  times (docs/planner.md). */
    size_t sla_due, sla_met;
    double sla_attainment;     /**< sla_met / sla_due (1 when none) */
    double mean_agent_load;    /**< mean agent contacts per day */
    size_t max_agent_load;     /**< most agent contacts in a day */
    const fu_sim_day *days;    /**< per day, borrowed from the report */
    size_t n_days;
} fu_sim_report;

/**
 * Simulate [from, to) (see above). The planner's fed events are not used and
 * not changed.
 *
 * A **capacity preview**, not the decision-quality simulation: every planned
 * contact is made and answered at its planned time, with no team hours, no
 * answer model and no fatigue. For "what would the KPIs have been under this
 * policy with this team" use fu_simulation_run() (followup/simulate.h), which
 * `followup simulate` runs (docs/simulate.md, "One simulation"; kept for the
 * ABI and its callers since 2026-12-07, review s9).
 * @param planner the planner
 * @param from the start of the simulated span, UTC seconds
 * @param to the end of the simulated span (excluded), UTC seconds
 * @param opts NULL for the defaults
 * @param[out] out the report, owned by the caller (fu_sim_report_free())
 * @return #FU_OK; #FU_EINVAL (to <= from, bad options); #FU_ELIMIT for more
 *         than 100,000 steps; #FU_ENOMEM.
 */
FU_EXTERN int fu_planner_simulate(fu_planner *planner, int64_t from, int64_t to,
                                  const fu_sim_options *opts, fu_sim_report **out);

/** Free a simulation report (NULL is a no-op). */
FU_EXTERN void fu_sim_report_free(fu_sim_report *report);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* FOLLOWUP_PLANNER_H */
