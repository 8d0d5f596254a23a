/**
 * @file followup/simulate.h
 * @brief Decision quality: replay a span under a contact policy with a team,
 *        a hidden answer model and fatigue, and measure it with the KPI engine.
 *
 * A simulation takes a book whose history runs past `from`, and a span
 * [from, to). Events before `from` are history. In the span, what the
 * customers did (purchases, deliveries, installations, faults, repairs,
 * complaints, inquiries, resolutions) happens as recorded; who is called and
 * when is decided by the mode:
 *
 * - #FU_SIMULATION_BASELINE: the contacts recorded in the book (what the team
 *   did) are kept as they are;
 * - #FU_SIMULATION_POLICY: the recorded contacts, surveys and the complaints
 *   they caused (events with the note "too many calls") of the span are
 *   dropped; every day of the team calendar (the calendar the policy's
 *   `agents.calendar` names: the team's hours; by default the default calendar)
 *   a planner (fu_planner_new(), rebuilt each day on a book of the history
 *   plus everything simulated so far, so redials come from the planner
 *   itself) plans the day with `agents` × `calls_per_agent` of capacity; the
 *   issues of the day are fed to it hour by hour (fu_planner_feed()) so that
 *   urgent series start the same day. Agents call only while the team
 *   calendar is open (never on weekends, holidays or outside hours), each at
 *   most `calls_per_agent` a day; a touchpoint whose best_at is outside the
 *   team hours moves to the next open instant in its window, else waits for
 *   the next day's plan. With #FU_SIMULATION_BESTTIME the planner picks the
 *   hour with its best-time model learnt from the history so far
 *   (#FU_PLANNER_BESTTIME), otherwise the first allowed instant.
 *
 * **Ground truth.** Whether a call is answered is drawn from
 * `answer_prob[customer * 24 + local hour]` (× `weekend_factor[customer]` on
 * Saturdays and Sundays), which the planner never sees; with a fitted
 * frequency model (`frequency`) the probability is the model's positive
 * hazard of that attempt scaled by the customer's hour profile relative to
 * its mean. An answered contact causes a complaint 1 to 40 h later with
 * probability `complaint_base` (× 1.23 when it is the third or later contact
 * within 72 h, the source documents' figure), or the model's negative
 * probability at the customer's contact load when a model is given.
 * Non-agent channels (SMS, e-mail) are sent at best_at and count as reached.
 *
 * **Measures.** Every KPI comes from fu_kpi over the events of the run
 * (history + span), weekly figures of the span pooled (successes and units
 * summed over the weeks) with a Wilson interval at the policy's level:
 * strict coverage (customers contacted in every due window of the week;
 * due windows derived from the policy's cadences, the same for every mode),
 * response timeliness, urgent response timeliness (a second engine given only
 * urgent issues), over-contact, cap violations (a third engine given only the
 * contacts of non-exempt priorities; the baseline's contacts count as
 * normal), follow-up complaints and CSAT. Answer rate and calls per agent
 * per day are counted from the contacts of the span.
 *
 * **Promises.** The promises of the book are found in the notes of its
 * recorded contacts with the policy's `commitments.patterns`
 * (fu_extractor_new_from_policy(), deadlines in the policy's default
 * calendar); those whose deadline lies in [from, to) are due, the same set in
 * both modes (what the team promised is given; the mode decides the contacts
 * around it). The book says whether each was kept: a `resolved` event of the
 * customer after the promise, by its deadline (as examples/sample/realistic.py
 * writes them, 62% kept). Baseline: kept as recorded. Policy: the planner is
 * given the promises (an in-memory ledger, fu_planner_set_ledger(), kept ones
 * fulfilled when their resolution happened), so it plans the progress and
 * remedy contacts of the policy; a promise recorded as kept stays kept, a
 * broken one is kept with probability `promise_contact_keep` (0.5) when an
 * answered contact with the customer lies between the promise and its
 * deadline (one draw per promise from `seed`). Measure
 * #FU_SIM_PROMISES_KEPT, Wilson interval.
 *
 * **Determinism.** The same inputs and `seed` give the same report.
 * **Threads.** Reentrant; the policy and book are only read.
 */
#ifndef FOLLOWUP_SIMULATE_H
#define FOLLOWUP_SIMULATE_H

#include "followup/common.h"
#include "followup/book.h"
#include "followup/frequency.h"
#include "followup/policy.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Who decides the contacts of the span. */
typedef enum fu_simulation_mode {
    FU_SIMULATION_BASELINE = 0, /**< the contacts recorded in the book */
    FU_SIMULATION_POLICY = 1    /**< the planner under the policy, with the team */
} fu_simulation_mode;

/** #fu_simulation_options flag: the planner picks hours with its best-time model. */
#define FU_SIMULATION_BESTTIME 0x1u
/** #fu_simulation_options flag, **evaluation only** (never a plan to follow):
 *  the planner ranks hours by the run's hidden ground truth (`answer_prob`,
 *  `weekend_factor`) instead of a learnt model, with the same team, hourly
 *  limit, constraints and overflow placement as #FU_SIMULATION_BESTTIME: the
 *  ceiling of any best-time model (docs/simulate.md, "The oracle arm").
 *  Needs `answer_prob`; implies best-time placement. */
#define FU_SIMULATION_ORACLE 0x2u

/** Options of fu_simulation_run(). Fields are only ever appended. */
typedef struct fu_simulation_options {
    unsigned int version;        /**< #FU_SIMULATION_OPTIONS_VERSION */
    fu_simulation_mode mode;     /**< #FU_SIMULATION_POLICY */
    unsigned int flags;          /**< #FU_SIMULATION_BESTTIME, #FU_SIMULATION_ORACLE or 0 */
    int64_t from, to;            /**< the span, UTC s, from < to, at most 400 days */
    unsigned int agents;         /**< agents on duty each open day, >= 1 (policy mode) */
    unsigned int calls_per_agent; /**< calls one agent makes a day; 0: the policy's
                                       `capacity.calls_per_agent_day.max` */
    uint64_t seed;               /**< random seed */
    /** Ground truth, `customers × 24` probabilities in [0, 1] by local hour,
     *  in the book's customer order; NULL: 0.55 at every hour. Borrowed. */
    const double *answer_prob;
    /** Weekend factor per customer in [0, 1]; NULL: 1. Borrowed. */
    const double *weekend_factor;
    /** P(complaint | answered contact) with at most 2 contacts in 72 h;
     *  NaN or < 0: 0.002. */
    double complaint_base;
    /** A fitted frequency model to draw answers and complaints from (NULL:
     *  the ground truth and `complaint_base`); borrowed. */
    const fu_frequency *frequency;
    size_t frequency_segment;    /**< the model's segment used for every customer */
    /** (version 2) Policy mode: the probability that an answered contact with
     *  the customer between a promise and its deadline keeps a promise the
     *  book records as broken; NaN or < 0: 0.5 (see "Promises" above). */
    double promise_contact_keep;
} fu_simulation_options;

#define FU_SIMULATION_OPTIONS_VERSION 2
#define FU_SIMULATION_OPTIONS_INIT \
    {FU_SIMULATION_OPTIONS_VERSION, FU_SIMULATION_POLICY, 0u, 0, 0, 1u, 0u, 1u, NULL, NULL, -1.0, NULL, 0, -1.0}

/** Fill `opts` with the defaults (same as #FU_SIMULATION_OPTIONS_INIT). */
FU_EXTERN void fu_simulation_options_init(fu_simulation_options *opts);

/** The measures of a run, in this order in #fu_simulation_report.measures. */
typedef enum fu_simulation_measure {
    FU_SIM_COVERAGE = 0,            /**< strict coverage (KPI `coverage`), weeks pooled */
    FU_SIM_TIMELINESS = 1,          /**< KPI `response_timeliness` */
    FU_SIM_TIMELINESS_URGENT = 2,   /**< response timeliness of urgent issues */
    FU_SIM_OVER_CONTACT = 3,        /**< KPI `over_contact`, every contact */
    FU_SIM_CAP_VIOLATIONS = 4,      /**< over-contact among non-exempt contacts (value: count) */
    FU_SIM_FOLLOW_UP_COMPLAINTS = 5, /**< KPI `follow_up_complaints` */
    FU_SIM_ANSWER_RATE = 6,         /**< answered / agent-channel attempts of the span */
    FU_SIM_CALLS_PER_AGENT_DAY = 7, /**< mean calls per agent per open day (n: agent-days) */
    FU_SIM_MAX_CALLS_AGENT_DAY = 8, /**< most calls of one agent in a day */
    FU_SIM_OFF_HOURS_CALLS = 9,     /**< agent calls outside the team calendar's open hours */
    FU_SIM_CSAT = 10,               /**< KPI `csat` (baseline only; NaN when no answers) */
    FU_SIM_CONTACTS = 11,           /**< contact attempts in the span */
    FU_SIM_PROMISES_KEPT = 12       /**< promises due in the span kept by their deadline (n: due) */
} fu_simulation_measure;
#define FU_SIM_MEASURE_COUNT 13

/** "coverage", "response_timeliness", ...; NULL out of range. */
FU_EXTERN const char *fu_simulation_measure_name(fu_simulation_measure measure);

/** One measure: value, interval (NaN when none), units and successes. */
typedef struct fu_simulation_value {
    double value, ci_low, ci_high;
    double n;          /**< units */
    double successes;  /**< successes (NaN when not a proportion) */
} fu_simulation_value;

/** What a run measured. */
typedef struct fu_simulation_report {
    fu_simulation_value measures[FU_SIM_MEASURE_COUNT];
    size_t days;         /**< open days of the team calendar in the span */
    size_t weeks;        /**< weekly KPI periods pooled */
} fu_simulation_report;

/**
 * Run one simulation (see above).
 * @param policy  borrowed
 * @param book    finalized, borrowed
 * @param[out] out the report (caller's storage)
 * @param opts NULL for the defaults
 * @return #FU_OK; #FU_EINVAL (NULL arguments, bad options, a probability out
 *         of [0, 1]); #FU_ESTATE (book not finalized); the errors of the
 *         planner, book and KPI engine; #FU_ENOMEM.
 */
FU_EXTERN int fu_simulation_run(const fu_policy *policy, const fu_book *book,
                                const fu_simulation_options *opts, fu_simulation_report *out);

/**
 * What a run used and what its plans held back, beyond its measures
 * (fu_simulation_run_details()). #fu_simulation_report is the caller's
 * storage of a fixed size, so these come in their own versioned struct: the
 * caller sets `version` (#FU_SIMULATION_DETAILS_INIT,
 * fu_simulation_details_init_sized(details, sizeof *details),
 * fu_simulation_details_init_v2(), or fu_simulation_details_init_v1() for
 * version 1); fields are only ever appended, and a
 * library fills only the fields of the version it is given.
 *
 * A *held* touchpoint is a due step of a customer (customer, step, due
 * window) that a plan of the run (the morning plan or a re-plan during the
 * day) reported suppressed, deferred or after the day because of the rule
 * named: counted once per touchpoint however many plans held it, and
 * *missed* when no contact reached the customer (an answered call, an SMS or
 * e-mail) within its window, up to the end of the span. Policy mode only
 * (zero for the baseline).
 */
/** Tiers of #fu_simulation_details.timeliness_tier. */
#define FU_SIMULATION_MAX_TIERS 8

typedef struct fu_simulation_details {
    unsigned int version;         /**< #FU_SIMULATION_DETAILS_VERSION, set by the caller */
    unsigned int agents;          /**< agents of the run (0: baseline) */
    unsigned int calls_per_agent; /**< calls per agent a day the run used: the option, else the policy's
                                       `capacity.calls_per_agent_day.max`, else 150 (0: baseline) */
    size_t cap_held;              /**< due touchpoints held by a cap (`status_rule` caps.*: caps.min_gap,
                                       caps.weekly, ...): a contact counted against the cap held it */
    size_t cap_held_missed;       /**< of those, missed (not reached within their window) */
    size_t capacity_held;         /**< due touchpoints held by the team's capacity (`capacity.*`,
                                       `agents.calls_per_day`: no call left that day or hour) */
    size_t capacity_held_missed;  /**< of those, missed */
    /** (version 2) Response timeliness (KPI `response_timeliness`, weeks
     *  pooled, Wilson interval) by the customer's value tier
     *  (`segments.value_tiers`: vip, key, ordinary; "unknown" without an
     *  annual spend): each issue's SLA is the shorter of `sla.response` by
     *  severity and `sla.tier_response` by tier (VIP 2 h, ordinary 24 h), so
     *  the tiers are the priorities the measures' overall and urgent rows
     *  mix. From a KPI engine given the customers, contacts and issues, grouped
     *  by tier; the tiers' successes and units add up to
     *  #FU_SIM_TIMELINESS. Tiers with an issue in the span, by name,
     *  at most #FU_SIMULATION_MAX_TIERS. */
    size_t n_tiers;
    char tier_name[FU_SIMULATION_MAX_TIERS][32];          /**< "vip", "key", "ordinary", "unknown" */
    fu_simulation_value timeliness_tier[FU_SIMULATION_MAX_TIERS]; /**< by tier_name */
} fu_simulation_details;

#define FU_SIMULATION_DETAILS_VERSION 2
#define FU_SIMULATION_DETAILS_INIT {FU_SIMULATION_DETAILS_VERSION, 0u, 0u, 0, 0, 0, 0, 0, {{0}}, {{0, 0, 0, 0, 0}}}

/** Fill the fields of **version 1** of `details` (version, agents,
 *  calls_per_agent and the held counts) with their defaults, `version` = 1:
 *  safe for a struct of the first header's size (48 bytes on LP64). A run
 *  given version 1 fills only those fields. Same as
 *  fu_simulation_details_init_v1(), its clearer name (review r3 L8: this
 *  name reads as "the whole struct", which it is not); it keeps this
 *  behaviour for the programs built against the first header. For the
 *  version-2 fields (the timeliness by tier) use
 *  fu_simulation_details_init_sized(), #FU_SIMULATION_DETAILS_INIT or
 *  fu_simulation_details_init_v2(). */
FU_EXTERN void fu_simulation_details_init(fu_simulation_details *details);

/** fu_simulation_details_init() under the name that says what it fills:
 *  the fields of version 1 only, `version` = 1. */
FU_EXTERN void fu_simulation_details_init_v1(fu_simulation_details *details);

/** Fill the fields of **version 2** of `details` with the defaults (same as
 *  #FU_SIMULATION_DETAILS_INIT today: version 2 is the whole current
 *  struct). Fields are only ever appended: should a version 3 come, this
 *  keeps writing version 2's fields only, as its name says; the call that
 *  follows the header is fu_simulation_details_init_sized(). */
FU_EXTERN void fu_simulation_details_init_v2(fu_simulation_details *details);

/** Fill `details` with the defaults of the newest version of
 *  #fu_simulation_details whose struct fits in `size` bytes (pass
 *  `sizeof *details`), `version` set to it; no byte past that version's
 *  fields is written (docs/api.md, "Structs that grow"). `size` smaller
 *  than version 1's struct, or `details` NULL: nothing written. */
FU_EXTERN void fu_simulation_details_init_sized(fu_simulation_details *details, size_t size);

/**
 * fu_simulation_run() that also fills `details` (see #fu_simulation_details).
 * @param policy the policy
 * @param book the book
 * @param opts NULL for the defaults
 * @param[out] out the details (fu_simulation_details_init())
 * @param details caller's storage with `version` set; NULL: as fu_simulation_run()
 * @return as fu_simulation_run(); #FU_EINVAL for an unknown details version.
 */
FU_EXTERN int fu_simulation_run_details(const fu_policy *policy, const fu_book *book,
                                        const fu_simulation_options *opts, fu_simulation_report *out,
                                        fu_simulation_details *details);

/**
 * Parse a ground-truth CSV (`customer_id,archetype,weekend,p00,...,p23`, as
 * examples/sample/generate.py --realistic writes truth.csv) into the arrays
 * of #fu_simulation_options, in the book's customer order. The file must
 * cover the book: exactly this header, one row per customer of the book
 * (a customer the book does not know, a second row of a customer, a
 * customer of the book without a row, a 28th column are errors; until
 * 2026-12-07 unknown rows were skipped and missing customers silently got
 * 0.55, so a truth of another book ran as a flat 0.55).
 * @param book the book
 * @param path the truth CSV file
 * @param[out] answer_prob    `customers × 24` values, caller frees (fu_free())
 * @param[out] weekend_factor `customers` values, caller frees (fu_free())
 * @return #FU_OK; #FU_EIO; #FU_EPARSE (naming the file, line, column and what
 *         was expected; a missing customer names the first one); #FU_ENOMEM.
 */
FU_EXTERN int fu_simulation_read_truth(const fu_book *book, const char *path, double **answer_prob,
                                       double **weekend_factor);

#ifdef __cplusplus
}
#endif

#endif /* FOLLOWUP_SIMULATE_H */
