/**
 * @file followup/kpi.h
 * @brief KPIs of after-sales follow-up: rates with intervals, RAG status,
 *        agent scorecards and the weekly dashboard.
 *
 * A #fu_kpi collects customers, events (the records of followup/book.h),
 * optional explicit "due" lists from a planner and commitments from a ledger,
 * and turns them into *figures*: one value per KPI, period and group, each
 * with the number of units it rests on, a confidence interval, the policy's
 * target and a green / yellow / red status naming the policy rule. Every
 * definition (what a unit is, what counts as a success, which window) is
 * written out with its formula in docs/kpi.md.
 *
 * **Periods** are local days, ISO weeks (Monday to Sunday) or calendar
 * months in the time zone of the policy's default calendar, so a week across
 * a DST change has 167 or 169 hours. **Groups** are the combination of the
 * dimensions asked for in #fu_kpi_options.by (value tier, segment, agent,
 * channel, product class); with none every figure falls into group "all".
 *
 * **Bulk and incremental.** Add a whole book with fu_kpi_add_book() (the
 * engine borrows it: no copy) or records in batches with fu_kpi_add_events()
 * (kept in a book the engine owns); fu_kpi_compute() brings the figures up
 * to date with everything added so far, and with events appended to a
 * borrowed book (fu_book_append_events()). Events may arrive in any order.
 * A compute after a change recomputes from the book in one pass (linear in
 * the events; see bench/BENCHMARKS.md).
 *
 * **Intervals** (level: `kpis.confidence` of the policy, 95% by default):
 * Wilson score intervals for proportions, Student t intervals for means,
 * `100 (pP - pD) ± z 100 sqrt((pP + pD - (pP - pD)^2) / n)` for NPS,
 * distribution-free order-statistic intervals for percentiles and the delta
 * method for ratios (ROI) and the scorecard. The building blocks are public
 * in followup/stats.h (fu_stats_wilson(), fu_stats_t_quantile(), ...).
 *
 * **Threads.** A #fu_kpi is used by one thread at a time; the policy it
 * borrows may be shared. The statistics functions are reentrant.
 */
#ifndef FOLLOWUP_KPI_H
#define FOLLOWUP_KPI_H

#include "followup/common.h"
#include "followup/book.h"
#include "followup/stats.h"
#include "followup/commit.h"
#include "followup/policy.h"
#include "followup/planner.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ===================================================================== */
/** @name KPIs, statuses, periods and grouping
 *  @{ */

/** The KPIs. Values are only ever appended. */
typedef enum fu_kpi_id {
    FU_KPI_COVERAGE = 0,             /**< "coverage": due customers contacted in time */
    FU_KPI_RESPONSE_TIMELINESS = 1,  /**< "response_timeliness": issues answered within the SLA */
    FU_KPI_RESPONSE_P50 = 2,         /**< "response_time_p50": median hours to the first contact */
    FU_KPI_RESPONSE_P90 = 3,         /**< "response_time_p90": 90th percentile, hours */
    FU_KPI_RESOLUTION = 4,           /**< "resolution": problems resolved */
    FU_KPI_FIRST_CONTACT_RESOLUTION = 5, /**< "first_contact_resolution" */
    FU_KPI_FEEDBACK_CLOSURE = 6,     /**< "feedback_closure": feedback resolved and reported back */
    FU_KPI_REPEAT_COMPLAINTS = 7,    /**< "repeat_complaints": another complaint within 30 days (lower is better) */
    FU_KPI_CSAT = 8,                 /**< "csat": mean CSAT score, 1..5 */
    FU_KPI_CSAT_TOP2 = 9,            /**< "csat_top2": share of CSAT answers 4 or 5 */
    FU_KPI_NPS = 10,                 /**< "nps": net promoter score, -100..100 */
    FU_KPI_CES = 11,                 /**< "ces": mean customer-effort score, 1..7 */
    FU_KPI_COMMITMENT_ON_TIME = 12,  /**< "commitment_on_time": promises kept by the deadline */
    FU_KPI_OVER_CONTACT = 13,        /**< "over_contact": contacts beyond a cap (lower is better) */
    FU_KPI_FOLLOW_UP_COMPLAINTS = 14, /**< "follow_up_complaints": complaints caused by follow-ups (lower is better) */
    FU_KPI_WIN_BACK = 15,            /**< "win_back": at-risk customers contacted who bought again */
    FU_KPI_REPURCHASE = 16,          /**< "repurchase": buyers who bought again within the window */
    FU_KPI_CHURN = 17,               /**< "churn": active customers who churned (lower is better) */
    FU_KPI_ROI = 18,                 /**< "roi": revenue after follow-ups per 1 of contact cost */
    FU_KPI_SCORECARD = 19,           /**< "scorecard": weighted agent score, 0..1 */
    FU_KPI_QUALITY_CLOSURE = 20,     /**< "quality_closure": faults resolved within `kpis.quality_closure.window` (7 d) */
    FU_KPI_BUDGET_OVERRUN = 21,      /**< "budget_overrun": contact spend / budget - 1 (lower is better) */
    FU_KPI_REPURCHASE_UPLIFT = 22,   /**< "repurchase_uplift": purchase rate of contacted minus not contacted customers */
    FU_KPI_VALUE_UPLIFT = 23,        /**< "value_uplift": revenue per contacted / per not contacted customer - 1 */
    FU_KPI_ROI_INCREMENTAL = 24      /**< "roi_incremental": revenue above the not-contacted customers' per 1 of cost */
} fu_kpi_id;
/** Number of KPIs. */
#define FU_KPI_COUNT 25

/** The KPI's name as used in CSV, JSON and the policy ("coverage"); NULL out of range. */
FU_EXTERN const char *fu_kpi_name(fu_kpi_id id);
/** The KPI of a name. @return #FU_OK, #FU_ENOTFOUND, #FU_EINVAL. */
FU_EXTERN int fu_kpi_from_string(const char *text, size_t len, fu_kpi_id *out);

/** RAG status of a figure. */
typedef enum fu_kpi_status {
    FU_KPI_STATUS_NONE = 0,   /**< "none": no target, or no data */
    FU_KPI_STATUS_GREEN = 1,  /**< "green": meets the target */
    FU_KPI_STATUS_YELLOW = 2, /**< "yellow": misses the target, not yet red */
    FU_KPI_STATUS_RED = 3     /**< "red": at or beyond the red threshold */
} fu_kpi_status;

/** "none", "green", "yellow", "red"; NULL out of range. */
FU_EXTERN const char *fu_kpi_status_name(fu_kpi_status status);

/** Length of a period, in the policy's time zone. */
typedef enum fu_kpi_period {
    FU_KPI_DAY = 0,   /**< local days; label "2026-01-05" */
    FU_KPI_WEEK = 1,  /**< ISO weeks starting Monday 00:00; label "2026-W02" */
    FU_KPI_MONTH = 2  /**< calendar months; label "2026-01" */
} fu_kpi_period;

/** "day", "week", "month"; NULL out of range. */
FU_EXTERN const char *fu_kpi_period_name(fu_kpi_period period);
/** Parse "day", "week" or "month" (ASCII case ignored).
 *  @return #FU_OK, #FU_EPARSE, #FU_EINVAL. */
FU_EXTERN int fu_kpi_period_from_string(const char *text, size_t len, fu_kpi_period *out);

/** @name Grouping dimensions (#fu_kpi_options.by); 0 groups nothing ("all").
 *  Group labels join the values of the chosen dimensions with "/" in this
 *  order: tier, segment, agent, channel, product class. @{ */
#define FU_KPI_BY_TIER 0x01u          /**< the customer's value tier ("vip"; "unknown") */
#define FU_KPI_BY_SEGMENT 0x02u       /**< the customer's segment label (fu_kpi_set_segments(); "unknown") */
#define FU_KPI_BY_AGENT 0x04u         /**< the agent of the unit ("unassigned" when none) */
#define FU_KPI_BY_CHANNEL 0x08u       /**< the channel of the unit ("none") */
#define FU_KPI_BY_PRODUCT_CLASS 0x10u /**< the policy product class of the unit ("unknown") */
/** @} */

/**
 * Parse a grouping: "none", or dimension names joined by "," or "x"
 * ("tier", "segment", "agent", "channel", "product_class"), e.g. "tier,agent";
 * ASCII case ignored ("Tier"); a dimension named twice is refused.
 * @param text the text (UTF-8, no NUL needed)
 * @param len its length in bytes
 * @param[out] out FU_KPI_BY_* bits
 * @return #FU_OK, #FU_EPARSE naming the bad or repeated word, #FU_EINVAL.
 */
FU_EXTERN int fu_kpi_by_from_string(const char *text, size_t len, unsigned int *out);

/** @} */

/* ===================================================================== */
/** @name Options
 *  @{ */

/** A time that is not given (options, due items). */
#define FU_KPI_NO_TIME INT64_MIN

/** fu_kpi_options flag: do not derive the due list from the policy's
 *  cadences; coverage then uses only the items of fu_kpi_add_due(). (Adding
 *  any due item switches derivation off as well.) */
#define FU_KPI_NO_DERIVED_DUE 0x1u
/** fu_kpi_options flag: fu_kpi_write_csv_to_string() writes text cells as
 *  they are. Without it a text cell (KPI, group, period, rule) that starts
 *  with `=`, `+`, `-`, `@`, tab or CR and is not a plain number is written
 *  quoted with a `'` in front, so that a spreadsheet never runs it as a
 *  formula (docs/formats.md); numbers (value, interval, n, target) are
 *  written as numbers, negative ones included. */
#define FU_KPI_CSV_RAW 0x2u
/** fu_kpi_options flag: fu_kpi_add_book() copies the book into the engine's
 *  own book instead of borrowing it. Without it the first book given to an
 *  engine that has no data yet is borrowed (not copied): the book must then
 *  outlive the engine and refuses changes (#FU_ESTATE) until fu_kpi_free().
 *  For hosts that cannot order the two frees (both bindings borrow). */
#define FU_KPI_COPY_BOOKS 0x4u

/** Options of fu_kpi_new(). Durations are wall seconds. Fields are only ever appended. */
typedef struct fu_kpi_options {
    unsigned int version;       /**< #FU_KPI_OPTIONS_VERSION */
    fu_kpi_period period;       /**< #FU_KPI_WEEK */
    unsigned int by;            /**< FU_KPI_BY_* bits; 0: one group "all" */
    int64_t from;               /**< report periods that end after this; #FU_KPI_NO_TIME: no bound */
    int64_t to;                 /**< report periods that start before this; #FU_KPI_NO_TIME: no bound */
    int64_t as_of;              /**< "now" of the data: later deadlines are not yet due;
                                     #FU_KPI_NO_TIME: the latest time in the data */
    int64_t fcr_window;         /**< first-contact resolution: no repeat issue this long; 7 days */
    int64_t repeat_window;      /**< repeat complaints: another complaint within; 30 days */
    int64_t complaint_window;   /**< follow-up complaints: a complaint this soon after a contact; 48 h */
    int64_t win_back_window;    /**< win-back: a purchase within this after the contact; 90 days */
    int64_t repurchase_window;  /**< repurchase: another purchase within; 90 days */
    int64_t roi_window;         /**< ROI and uplift: the attribution window, a purchase within this after a
                                     reached contact is its return; 30 days (`kpis.roi.window` of the
                                     policy, when given, takes precedence) */
    double contact_cost[FU_CHANNEL_COUNT]; /**< cost of one contact by channel (index
                                     #fu_channel, [0] for contacts without a channel),
                                     in the policy's currency, >= 0; all 0: no ROI */
    unsigned int flags;         /**< #FU_KPI_NO_DERIVED_DUE, #FU_KPI_CSV_RAW */
    double budget;              /**< follow-up budget of one period (same currency as
                                     `contact_cost`), > 0 for "budget_overrun"; 0: none.
                                     The period still running at as_of gets the share
                                     of it that has elapsed. (Version 2.) */
} fu_kpi_options;

/** Version 2 appended `budget`; fu_kpi_new() still accepts version 1 structs. */
#define FU_KPI_OPTIONS_VERSION 2
#define FU_KPI_DAY_SECONDS INT64_C(86400)
#define FU_KPI_OPTIONS_INIT                                                                  \
    {FU_KPI_OPTIONS_VERSION, FU_KPI_WEEK, 0u, FU_KPI_NO_TIME, FU_KPI_NO_TIME, FU_KPI_NO_TIME, \
     7 * FU_KPI_DAY_SECONDS, 30 * FU_KPI_DAY_SECONDS, 48 * 3600, 90 * FU_KPI_DAY_SECONDS,     \
     90 * FU_KPI_DAY_SECONDS, 30 * FU_KPI_DAY_SECONDS, {0, 0, 0, 0, 0, 0, 0}, 0u, 0.0}

/** Fill `opts` with the defaults (same as #FU_KPI_OPTIONS_INIT). */
FU_EXTERN void fu_kpi_options_init(fu_kpi_options *opts);

/** @} */

/* ===================================================================== */
/** @name The KPI engine
 *  @{ */

/** An opaque KPI engine. Threads: one thread at a time (fu_kpi_compute() caches
 *  its result in the engine). */
typedef struct fu_kpi fu_kpi;

/**
 * Create an empty KPI engine.
 *
 * @param[out] out  the engine, owned by the caller (fu_kpi_free())
 * @param policy    targets, RAG bands, SLAs, caps, cadences, scorecard
 *                  weights and the time zone of periods; borrowed, must
 *                  outlive the engine
 * @param opts      NULL for the defaults
 * @return #FU_OK; #FU_EINVAL for NULL arguments, an unknown options version,
 *         a bad period, unknown `by` bits or flags, a non-positive window, a
 *         negative or non-finite cost, or `to` <= `from`; #FU_ENOMEM.
 */
FU_EXTERN int fu_kpi_new(fu_kpi **out, const fu_policy *policy, const fu_kpi_options *opts);

/** Free an engine and everything borrowed from it. NULL is a no-op. */
FU_EXTERN void fu_kpi_free(fu_kpi *kpi);

/**
 * Add customers (strings copied). A customer's value tier comes from its
 * `annual_spend` and the policy's `segments.value_tiers`; its first purchase
 * from `first_purchase_at` or else its first purchase event. Only `id`,
 * `annual_spend`, `first_purchase_at`, `industry` and `is_smb` are read;
 * `tz` may be NULL. A customer added again (same id, or one a book added
 * before holds) is updated: the engine keeps the new values beside the
 * book's record. On failure no update is applied (customers already created
 * in the engine's own book stay, with no events: they change no figure).
 * @return #FU_OK; #FU_EINVAL (missing id; the message names the index); #FU_ENOMEM.
 */
FU_EXTERN int fu_kpi_add_customers(fu_kpi *kpi, const fu_customer *customers, size_t n);

/**
 * Add events (strings copied) to the engine's own book (a #fu_book made
 * with #FU_BOOK_CREATE_CUSTOMERS and #FU_BOOK_KEEP_DUPLICATES). Customers
 * not added before are created with an unknown tier. Events may come in any
 * order and in any number of calls. Notes are not kept. All or nothing.
 * @return #FU_OK; #FU_EINVAL (missing customer id or time, an enum out of
 *         range; the message names the index); #FU_ERANGE for a survey
 *         score outside its scale (as fu_book_add_events()); #FU_ELIMIT
 *         beyond 2^32 - 1 events, customers or strings; #FU_ENOMEM.
 */
FU_EXTERN int fu_kpi_add_events(fu_kpi *kpi, const fu_event_in *events, size_t n);

/**
 * Add events as fu_kpi_add_events(), with the priority each contact was made
 * at (e.g. the plan's priority of a simulated contact). Over-contact then
 * follows the caps as the planner applies them: a contact of a priority in
 * `caps.exempt` is never over a cap, a cap that names `priorities` holds and
 * counts only contacts of those priorities. The priority is the event's
 * `priority` field (#fu_event_in, #fu_event): `priorities` sets it on the
 * contacts; events of fu_kpi_add_events() and of books (fu_kpi_add_book(),
 * an events CSV's `priority` column) keep theirs; a contact without one is
 * of priority normal.
 * @param kpi the KPI engine
 * @param events the contact events
 * @param priorities one per event (read for contacts only; replaces their
 *        `priority` field); NULL: each event's own `priority` field
 * @param n their number
 * @return as fu_kpi_add_events(); #FU_EINVAL for a priority out of range.
 */
FU_EXTERN int fu_kpi_add_events_priority(fu_kpi *kpi, const fu_event_in *events, const fu_priority *priorities,
                                         size_t n);

/**
 * Add every customer and event of a book (the bulk path). The book is the
 * one store of customers and events: the first book given to an engine that
 * has no data yet is *borrowed*, not copied (unless #FU_KPI_COPY_BOOKS): it
 * must outlive the engine and refuses changes (#FU_ESTATE) until
 * fu_kpi_free(). Records added later (any add_* call naming a customer the
 * book lacks, events, another book) go into a book the engine owns, which
 * starts as a copy of the borrowed one; the borrowed book is then released.
 * @return as fu_kpi_add_customers() and fu_kpi_add_events(); #FU_ESTATE if
 *         the book is not finalized.
 */
FU_EXTERN int fu_kpi_add_book(fu_kpi *kpi, const fu_book *book);

/** The book the engine computes from: the one borrowed by fu_kpi_add_book()
 *  or the engine's own; NULL before any data (and for NULL). Borrowed from
 *  the engine, valid until its next add_* call or fu_kpi_free(). For hosts
 *  that serialise threads per handle (the Python binding locks it with the
 *  engine). Threads: reads. */
FU_EXTERN const fu_book *fu_kpi_book(const fu_kpi *kpi);

/**
 * Set the segment label (for #FU_KPI_BY_SEGMENT) of `n` customers, e.g. the
 * `segment` column of `followup segment`. Unknown customers are created.
 * A customer listed twice with two different labels is refused (#FU_EINVAL
 * naming the customer and both labels, as fu_kpi_read_segments_csv()); the
 * same label twice is fine.
 * @return #FU_OK; #FU_EINVAL (a NULL id or label, naming the index; a
 *         customer with two labels); #FU_ENOMEM.
 */
FU_EXTERN int fu_kpi_set_segments(fu_kpi *kpi, const char *const *customer_ids,
                                  const char *const *labels, size_t n);

/** One follow-up that was due (from a planner's plan). */
typedef struct fu_kpi_due {
    const char *customer_id; /**< required */
    int64_t due_from;        /**< window start, UTC s; #FU_KPI_NO_TIME: open start */
    int64_t due_to;          /**< deadline, UTC s (required): the item falls in this period */
    const char *agent_id;    /**< planned agent, NULL when none */
} fu_kpi_due;

/**
 * Add explicit due items for coverage (e.g. a plan from fu_planner): a
 * customer is due in the period of `due_to` and contacted when a reached
 * contact falls in [due_from, due_to]. Switches off the due list derived
 * from the cadences. All or nothing.
 * @return #FU_OK; #FU_EINVAL (missing customer or deadline, due_to <
 *         due_from; naming the index); #FU_ENOMEM.
 */
FU_EXTERN int fu_kpi_add_due(fu_kpi *kpi, const fu_kpi_due *due, size_t n);

/**
 * Add commitments for the on-time rate (fu_ledger_query() results or
 * records built by hand). Only `customer_id`, `created_by`, `deadline`,
 * `state` and `closed_at` are read. All or nothing.
 * @return #FU_OK; #FU_EINVAL; #FU_ENOMEM.
 */
FU_EXTERN int fu_kpi_add_commitments(fu_kpi *kpi, const fu_commitment *c, size_t n);

/**
 * Add every commitment of a ledger (one fu_ledger_query() of all of them).
 * @return #FU_OK; the ledger's errors (#FU_EDB); #FU_ENOMEM.
 */
FU_EXTERN int fu_kpi_add_ledger(fu_kpi *kpi, fu_ledger *ledger);

/** @} */

/* ===================================================================== */
/** @name Figures
 *  @{ */

/** One figure: a KPI in one period and group. Strings are borrowed from the
 *  engine and valid until the next call that changes it. */
typedef struct fu_kpi_figure {
    fu_kpi_id kpi;        /**< which KPI */
    const char *name;     /**< its name, fu_kpi_name() */
    const char *group;    /**< group label ("all", "vip", "vip/A17") */
    const char *period;   /**< period label ("2026-W02") */
    int64_t period_start; /**< UTC s, inclusive */
    int64_t period_end;   /**< UTC s, exclusive */
    double value;         /**< rates in [0,1], scores on their scale, hours, NPS -100..100 */
    double ci_low;        /**< interval; NaN when it does not exist (n too small) */
    double ci_high;
    double n;             /**< units the value rests on (customers, issues, answers, contacts) */
    double successes;     /**< for proportions the count of successes; NaN otherwise */
    double target;        /**< NaN when the policy sets none */
    fu_kpi_status status; /**< RAG status */
    const char *rule;     /**< policy rule of the target ("kpis.csat", "kpis.csat.vip"); "" without */
    size_t period_index;  /**< index of the period, 0 = earliest in the data */
    size_t group_index;   /**< index of the group */
} fu_kpi_figure;

/**
 * Bring the figures up to date and count them. Figures come sorted by
 * period, then KPI, then group label; only (period, group) cells with data
 * give figures, and only KPIs with at least one unit. On a machine with two
 * CPUs or more and a book of 200,000 events or more, the pass over the
 * customers runs on two threads (the calling one and one it starts and
 * joins), with the same figures, byte for byte, as on one; the environment
 * variable FU_KPI_THREADS=1 forces one thread (docs/kpi.md, "Bulk and
 * incremental"). The cancel hook is the calling thread's.
 * @param kpi the KPI engine
 * @param[out] out the number of figures
 * @return #FU_OK; #FU_ENOMEM; #FU_ERANGE for times out of the calendar's
 *         range. On failure the previous figures are gone (count 0).
 */
FU_EXTERN int fu_kpi_compute(fu_kpi *kpi, size_t *out);

/** Figure `i` of the last fu_kpi_compute(), borrowed; NULL out of range. */
FU_EXTERN const fu_kpi_figure *fu_kpi_figure_get(const fu_kpi *kpi, size_t i);

/** All figures of the last fu_kpi_compute(), borrowed (`count` may be NULL). */
FU_EXTERN const fu_kpi_figure *fu_kpi_figures(const fu_kpi *kpi, size_t *count);

/**
 * The figure of one KPI, period and group of the last compute.
 * @param kpi the KPI engine
 * @param id the KPI
 * @param period_label e.g. "2026-W02"; NULL: the latest period
 * @param group_label  e.g. "vip"; NULL: "all"
 * @return the figure or NULL when there is none.
 */
FU_EXTERN const fu_kpi_figure *fu_kpi_find(const fu_kpi *kpi, fu_kpi_id id,
                                           const char *period_label, const char *group_label);

/** One agent's scorecard in one period (grouping must include #FU_KPI_BY_AGENT). */
typedef struct fu_kpi_scorecard {
    const char *agent;      /**< agent label (the id, masked as docs/kpi.md says), borrowed */
    const char *group;      /**< full group label, borrowed */
    const char *period;     /**< period label, borrowed */
    double satisfaction;    /**< (mean CSAT - 1) / 4; NaN without answers */
    double resolution;      /**< resolution rate; NaN without problems */
    double feedback_conversion; /**< feedback closure rate; NaN without feedback */
    double efficiency;      /**< min(1, contacts per active day / capacity.calls_per_agent_day.min) */
    double score;           /**< weighted sum over the components present, weights renormalised */
    double ci_low, ci_high; /**< delta-method interval of the score */
} fu_kpi_scorecard;

/**
 * The scorecards of the last compute (one per agent group and period, in
 * figure order).
 * @param kpi the KPI engine
 * @param[out] rows  borrowed array, valid until the engine changes
 * @param[out] count number of rows
 * @return #FU_OK; #FU_ESTATE when the grouping lacks #FU_KPI_BY_AGENT or
 *         nothing was computed yet; #FU_EINVAL.
 */
FU_EXTERN int fu_kpi_scorecards(const fu_kpi *kpi, const fu_kpi_scorecard **rows, size_t *count);

/**
 * The figures as the KPI CSV of docs/formats.md: header
 * `kpi,group,period,value,ci_low,ci_high,n,target,status,rule`, numbers with
 * up to 6 significant digits, empty cells for NaN; the status is `green`,
 * `yellow`, `red`, or empty for #FU_KPI_STATUS_NONE (no target).
 * @param kpi the KPI engine
 * @param len receives the length (may be NULL)
 * @param[out] out NUL-terminated text owned by the caller (fu_free())
 * @return #FU_OK; #FU_ESTATE before the first compute; #FU_ENOMEM.
 */
FU_EXTERN int fu_kpi_write_csv_to_string(const fu_kpi *kpi, size_t *len, char **out);

/** The figures as JSON: an object with `policy`, `period`, `by`, `as_of` and
 *  `figures` (an array of objects with the CSV's fields plus `successes`,
 *  `period_start`, `period_end`; NaN as null, `rule` null for a figure
 *  without a target). Same contract as the CSV. */
FU_EXTERN int fu_kpi_write_json_to_string(const fu_kpi *kpi, size_t *len, char **out);

/** The text dashboard: per period, one line per figure with value, interval,
 *  n, target and a status mark ([G], [Y], [R], [ ]), then the scorecards.
 *  Same contract as the CSV. */
FU_EXTERN int fu_kpi_write_dashboard_to_string(const fu_kpi *kpi, size_t *len, char **out);

/** @} */

/* ===================================================================== */
/** @name The HTML dashboard (lib/kpi_html.c)
 *  @{ */

/** Options of fu_kpi_write_html_to_string(). Fields are only ever appended. */
typedef struct fu_kpi_html_options {
    unsigned int version; /**< #FU_KPI_HTML_OPTIONS_VERSION */
    const char *title;    /**< page title (UTF-8, escaped); NULL: "Follow-up KPIs" */
    double min_n;         /**< a figure on fewer units than this is "too few data"; 5 */
    size_t trend_periods; /**< periods drawn in each trend chart (the latest ones); 12 */
} fu_kpi_html_options;

#define FU_KPI_HTML_OPTIONS_VERSION 1
#define FU_KPI_HTML_OPTIONS_INIT {FU_KPI_HTML_OPTIONS_VERSION, NULL, 5.0, 12}

/** Fill `opts` with the defaults (same as #FU_KPI_HTML_OPTIONS_INIT). */
FU_EXTERN void fu_kpi_html_options_init(fu_kpi_html_options *opts);

/**
 * Whether a figure has too few data to be called green, yellow or red: fewer
 * than `min_n` units, no interval (n too small for one), or an interval that
 * contains the target (the data cannot tell whether the target is met).
 * A figure without a target is never "too few data" on the last ground.
 * @return 1 when too few, 0 when the status stands, 0 for NULL.
 */
FU_EXTERN int fu_kpi_figure_too_few(const fu_kpi_figure *figure, double min_n);

/**
 * The weekly dashboard as one self-contained HTML5 page (UTF-8, inline CSS
 * and SVG, no script, no external resource): a tile per KPI for the latest
 * period with its value, interval whisker against the target, n and its RAG
 * status or "too few data" (fu_kpi_figure_too_few()); a trend chart per KPI
 * over the last periods (value, interval band, target); and, from
 * `breakdown`, a table of the latest period per group (e.g. an engine
 * grouped by tier and agent). Tiles and trends use the group "all" of `kpi`
 * when it has one, else its first group. Elements carry `data-kpi`,
 * `data-status` and `data-group` attributes for tests and scripts.
 *
 * @param kpi       computed engine (usually without grouping)
 * @param breakdown computed engine for the breakdown table, or NULL (none);
 *                  may be `kpi` itself
 * @param opts      NULL for the defaults
 * @param len       receives the length (may be NULL)
 * @param[out] out  NUL-terminated text owned by the caller (fu_free())
 * @return #FU_OK; #FU_EINVAL (NULL, a bad options version, min_n < 0 or NaN);
 *         #FU_ESTATE before the first compute; #FU_ENOMEM.
 */
FU_EXTERN int fu_kpi_write_html_to_string(const fu_kpi *kpi, const fu_kpi *breakdown,
                                          const fu_kpi_html_options *opts, size_t *len, char **out);

/** @} */

/* ===================================================================== */
/** @name Partial aggregates: KPIs over partitions
 *  A book split by customer (every customer's events, due items and
 *  commitments in one partition) gives the same figures as the whole book:
 *  each partition's engine exports its accumulators with
 *  fu_kpi_partial_write(), one engine merges them with
 *  fu_kpi_merge_partial(), and fu_kpi_compute() on it finalises from the
 *  merged counts (churn denominators, percentiles from the exact response
 *  times, intervals, RAG). See docs/kpi.md, "KPIs over partitions". @{ */

/**
 * Export the partial aggregates of `kpi`: its own data (computed as far as
 * the accumulators, not finalised) plus every partial merged into it, so
 * partials merge in a tree. The blob is versioned, little-endian whatever
 * the machine, checksummed, and names the options and policy it needs, and
 * the ids of its customers (those with an event, due item or commitment, and
 * those of the partials merged into it). The out-parameters follow the library's order (length, then data, as
 * for strings; docs/api.md "Conventions").
 * @param kpi the KPI engine
 * @param[out] len  the blob's length in bytes
 * @param[out] buf  the blob, owned by the caller (fu_free()); NULL on failure
 * @return #FU_OK; #FU_EINVAL for NULL, when `options.as_of` is not set
 *         (every partition must use the same "now") or when a customer is
 *         both in the engine's own data and in a merged partial; #FU_ENOMEM.
 */
FU_EXTERN int fu_kpi_partial_write(fu_kpi *kpi, size_t *len, void **buf);

/**
 * Merge a blob of fu_kpi_partial_write() into `into` (all or nothing); the
 * next fu_kpi_compute() includes it. `into` may have data of its own (of
 * other customers). Partitions must split by customer: a partial with a
 * customer already merged or in `into`'s own data is refused, naming it (so
 * is the same partial merged twice); fu_kpi_compute() refuses the same
 * overlap when a book is added after a merge. Coverage from due items given
 * (fu_kpi_add_due(), #FU_KPI_NO_DERIVED_DUE) and derived from the cadences
 * do not mix: an engine without events or due items of its own that has
 * merged nothing yet takes #FU_KPI_NO_DERIVED_DUE from the first partial
 * (so an empty reducer needs no flag); otherwise a partial that differs in it
 * is refused, saying which side called add_due.
 * @return #FU_OK; #FU_EINVAL with a message for a blob that is truncated,
 *         corrupt (checksum), not a partial, of another version (version 1,
 *         without a customer list, included), made with another policy or
 *         other options (period, grouping, as_of, windows, costs, budget,
 *         from/to, due items given or derived), or sharing a customer as above;
 *         #FU_ENOMEM. (#FU_KPI_COPY_BOOKS is not compared: it changes no figure.)
 */
FU_EXTERN int fu_kpi_merge_partial(fu_kpi *into, const void *buf, size_t len);

/** @} */

/* ===================================================================== */
/** @name Statistics (deprecated names)
 *  The statistics of the figures live in followup/stats.h; these names call
 *  them and remain for existing callers. @{ */

/** Deprecated: fu_stats_normal_quantile(). */
FU_EXTERN int fu_kpi_normal_quantile(double p, double *out);

/** Deprecated: fu_stats_t_quantile(). */
FU_EXTERN int fu_kpi_t_quantile(double p, double df, double *out);

/** Deprecated: fu_stats_wilson(). */
FU_EXTERN int fu_kpi_wilson(double x, double n, double confidence, double *low, double *high);

/**
 * The RAG status of `value` for the policy's KPI `kpi`, optionally for a
 * value tier (a `by_tier` override then moves the target, and the red
 * threshold by the same amount).
 * @param policy the policy
 * @param kpi the KPI
 * @param tier     tier name or NULL
 * @param[out] status the status (#FU_KPI_STATUS_NONE without a target or for NaN)
 * @param[out] target the target (NaN when none); may be NULL
 * @param[out] rule   the KPI's rule name, borrowed from the policy ("" when none; a
 *                    by-tier target is named `<rule>.<tier>` in figures); may be NULL
 * @param value    the value rated
 */
FU_EXTERN int fu_kpi_rag(const fu_policy *policy, fu_kpi_id kpi, const char *tier, double value,
                         fu_kpi_status *status, double *target, const char **rule);

/** @} */

/**
 * Read segment labels (#FU_KPI_BY_SEGMENT) from a CSV file whose header names
 * a `customer_id` and a `segment` column, in any order among others (the CSV
 * of `followup segment` serves as it is; docs/kpi.md, "Segment labels from a
 * CSV"), then fu_kpi_set_segments() with them: all or nothing. RFC 4180
 * quoting, LF or CRLF, UTF-8 with an optional byte order mark; empty lines are
 * skipped. An empty `segment` cell is the group "none" (no composite segment
 * matched); a customer repeated with the same label counts once.
 * @return #FU_OK; #FU_EINVAL (NULL); #FU_EIO (the file cannot be read);
 *         #FU_EPARSE with the file, line and column (fu_error_last()) for a
 *         header without either column or with one twice, a row with too few
 *         cells, an empty customer id, a customer given two labels, bad CSV
 *         or bad UTF-8; #FU_ELIMIT (a record or field too long); #FU_ENOMEM.
 */
FU_EXTERN int fu_kpi_read_segments_csv(fu_kpi *kpi, const char *path);

#ifdef __cplusplus
}
#endif

#endif /* FOLLOWUP_KPI_H */
