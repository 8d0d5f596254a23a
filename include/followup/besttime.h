/**
 * @file followup/besttime.h
 * @brief Best time to contact: answer propensity by local hour of week, and
 *        the rules that say when a customer may be contacted at all.
 *
 * A #fu_besttime model is built from a #fu_book (customers and their contact
 * events) and a #fu_policy (quiet hours, calendars, suppressions, the
 * `besttime` section). It answers three questions:
 *
 * - **How likely is customer c to answer at local hour of week h?** Each
 *   customer has a Beta posterior per slot (168 one-hour slots by default, or
 *   coarser bins): the prior is the customer's segment's pattern, fitted from
 *   the whole population by the method of moments (docs/besttime.md has the
 *   formulas); the evidence is the customer's own contact outcomes, each
 *   weighted 2^(-age / half_life). A new customer gets the segment's pattern,
 *   a regular gets their own. fu_besttime_posterior(),
 *   fu_besttime_customer_matrix().
 * - **Do the hour constraints allow customer c now?** fu_besttime_may_contact()
 *   says yes or no, names the rule that says no, and gives the next allowed
 *   instant. It knows no contact history (caps, minimum gap, holidays of
 *   consumers, redial rules): a dialer asks the guard (fu_guard_check(),
 *   followup/guard.h) before every dial.
 * - **When is the best time inside a window?** fu_besttime_best() (k best
 *   hours for one customer), fu_besttime_best_bulk() (one best hour per
 *   request: the planner's call) and fu_besttime_best_day() (best hour on a
 *   local day, e.g. tomorrow, for every customer).
 *
 * **Constraints** (checked in this order; the first that fails is the rule
 * reported):
 * 1. channel consent (`customer.consent_phone`, `customer.consent_sms`,
 *    `customer.consent_email`): "no" forbids the channel for good; unknown
 *    consent allows it unless #FU_BESTTIME_EXPLICIT_CONSENT is set;
 * 2. quiet hours (`quiet_hours.allowed` of the policy, customer's local time);
 * 3. the customer's do-not-disturb windows (`customer.dnd_windows`);
 * 4. for B2B customers the business calendar (`calendars.NAME.holidays` on
 *    a closed day, `calendars.NAME.hours` outside business hours). Who is
 *    B2B is fu_besttime_options.b2b: by default a customer with a non-empty
 *    `industry` or with `is_smb` yes. A B2B customer gets the calendar's
 *    weekly business hours in the customer's OWN zone (09:00 in New York for
 *    a New York customer under a Shanghai calendar); the calendar's holidays
 *    and make-up working days apply only to customers whose zone is the
 *    calendar's zone (the same IANA name): they are dates of that country;
 * 5. month end for the customers a `suppressions` rule with `last_days`
 *    matches (by `is_smb` and `industry`; the rule's own name is reported);
 * 6. the customer's preferred windows (`customer.preferred_windows`): a
 *    stated preference wins over the model. When the preferred windows never
 *    meet the other constraints within the search horizon they are ignored.
 *
 * A contact flagged #FU_BESTTIME_URGENT skips 3, 5 and 6 (the customer's
 * preferences and the month-end courtesy) but never 1, 2 or 4.
 *
 * **Hours.** Candidate times are local clock hours of the customer's zone:
 * a search window is cut at local hour boundaries; each piece is one
 * candidate whose contact instant is its first allowed instant (exact to the
 * second, whatever windows cut the hour).
 *
 * **Ownership.** The model copies what it needs from the book (the book may
 * be freed afterwards) but borrows the policy, which must outlive it.
 *
 * **Threads.** The `const` functions (queries) may run in any number of
 * threads at once; fu_besttime_record() and fu_besttime_fit_prior() need
 * exclusive use.
 */
#ifndef FOLLOWUP_BESTTIME_H
#define FOLLOWUP_BESTTIME_H

#include "followup/common.h"
#include "followup/calendar.h"
#include "followup/book.h"
#include "followup/policy.h"

#ifdef __cplusplus
extern "C" {
#endif

/** An instant that never comes (no allowed time within 35 days). */
#define FU_BESTTIME_NEVER INT64_MAX
/** `at` of a #fu_besttime_slot when the window holds no allowed instant. */
#define FU_BESTTIME_NONE INT64_MIN

/** An opaque best-time model. Threads: one thread at a time (fu_besttime_record()
 *  and fu_besttime_fit_prior() change it). */
typedef struct fu_besttime fu_besttime;

/** How the segment priors are obtained. */
typedef enum fu_besttime_prior_method {
    /** Method of moments on the population (docs/besttime.md), the default. */
    FU_BESTTIME_PRIOR_MOMENTS = 0,
    /** Every slot of every segment gets Beta(r s, (1 - r) s) with r the
     *  `prior_answer_rate` and s the `prior_strength`. */
    FU_BESTTIME_PRIOR_FIXED = 1
} fu_besttime_prior_method;

/** #fu_besttime_options flag: unknown channel consent forbids the channel. */
#define FU_BESTTIME_EXPLICIT_CONSENT 0x1u

/** fu_besttime_options.b2b bit: a customer with a non-empty `industry` is B2B. */
#define FU_BESTTIME_B2B_INDUSTRY 0x1u
/** fu_besttime_options.b2b bit: a customer with `is_smb` yes is B2B. */
#define FU_BESTTIME_B2B_SMB 0x2u
/** Who is B2B by default: #FU_BESTTIME_B2B_INDUSTRY | #FU_BESTTIME_B2B_SMB. */
#define FU_BESTTIME_B2B_DEFAULT (FU_BESTTIME_B2B_INDUSTRY | FU_BESTTIME_B2B_SMB)

/** Options of fu_besttime_new(). Fields are only ever appended: version 1
 *  ends with `share_hour`, version 2 added `b2b`, 3 `propensity`, 4 `types`;
 *  fill them with #FU_BESTTIME_OPTIONS_INIT or fu_besttime_options_init()
 *  (fu_besttime_options_init_sized()). */
typedef struct fu_besttime_options {
    unsigned int version;       /**< #FU_BESTTIME_OPTIONS_VERSION */
    unsigned int flags;         /**< `FU_BESTTIME_EXPLICIT_CONSENT` */
    /** Slot width in seconds: a whole number of hours dividing a week
     *  (3600 = 168 slots, 7200 = 84, 86400 = one slot per weekday, ...).
     *  0: the policy's `besttime.slot`. */
    int64_t slot_seconds;
    /** Half-life of evidence in seconds; 0: the policy's `besttime.half_life`;
     *  negative: no decay. */
    int64_t half_life_seconds;
    /** Pseudo-contacts behind the fallback prior; negative: the policy's
     *  `besttime.prior_strength`. */
    double prior_strength;
    /** Answer rate of the fallback prior in [0,1]; negative: the policy's
     *  `besttime.prior_answer_rate`. */
    double prior_answer_rate;
    fu_besttime_prior_method prior_method; /**< default #FU_BESTTIME_PRIOR_MOMENTS */
    /** Pseudo-contacts that pull a slot's prior mean toward the level above
     *  (segment slot -> population slot -> population); negative: 10. */
    double slot_smoothing;
    /** Bounds of a fitted prior strength alpha + beta; 0: 1 and 1000. */
    double min_strength, max_strength;
    /** Customers with evidence a segment needs for its own strength
     *  (otherwise it borrows the population's); 0: 10. */
    size_t min_customers;
    /** Instant the priors are fitted at (evidence decays up to it);
     *  #FU_BOOK_NO_TIME: the latest contact in the book. */
    int64_t as_of;
    /** Channels whose contacts are evidence: bit `1u << c` for each
     *  #fu_channel c; 0: phone and contacts without a channel. */
    unsigned int channels;
    /** Policy calendar (name) of B2B customers; NULL: the policy's default.
     *  Its weekly hours apply in each B2B customer's own zone, its holidays
     *  and make-up days only in the calendar's own zone. */
    const char *b2b_calendar;
    /** How much a customer's own evidence at the same time of day on another
     *  day of the same type (Mon-Fri, Sat-Sun) counts, in [0,1]; negative:
     *  0.5. Only when slots tile days (their width divides 24 h). */
    double share_day;
    /** How much the customer's evidence in the neighbouring slot of the same
     *  day counts, in [0,1]; negative: 0.25. */
    double share_hour;
    /** Who is B2B and gets the business calendar (`b2b_calendar`):
     *  `FU_BESTTIME_B2B_*` bits, 0: nobody. Since version 2; options of
     *  version 1 mean #FU_BESTTIME_B2B_DEFAULT. */
    unsigned int b2b;
    /** Nonzero: the prior's slot rates are those of an average customer,
     *  adjusted for the answer propensity of the customers called in each
     *  slot (a multiplicative customer x slot model fitted with the rates;
     *  docs/besttime.md, "Who was called when"); 0: the raw pooled rates.
     *  Since version 3; older options mean 1. */
    int propensity;
    /** The mixture of hour profiles (docs/besttime.md, "The mixture of hour
     *  profiles"): 2..8 types rank a customer's hours by the mixture's
     *  predictive answer probability; 0: the per-slot model only; negative:
     *  the policy's `besttime.model` and `besttime.types` (default: the
     *  per-slot model). Needs slots that tile days. Since version 4; older
     *  options mean the policy's. */
    int types;
} fu_besttime_options;

#define FU_BESTTIME_OPTIONS_VERSION 4
#define FU_BESTTIME_OPTIONS_INIT                                                          \
    {FU_BESTTIME_OPTIONS_VERSION, 0u, 0, 0, -1.0, -1.0, FU_BESTTIME_PRIOR_MOMENTS, -1.0, \
     0.0, 0.0, 0u, FU_BOOK_NO_TIME, 0u, NULL, -1.0, -1.0, FU_BESTTIME_B2B_DEFAULT, 1, -1}

/**
 * Fill `opts` with the defaults of the newest version of
 * #fu_besttime_options whose struct fits in `size` bytes, and set `version`
 * to it: pass `sizeof` of your struct (`sizeof *opts`). Only the fields of
 * that version are written, never a byte past them, so a program built
 * against an older, smaller header stays safe, and so does this call when
 * later versions append fields (docs/api.md, "Structs that grow").
 * `size` smaller than version 1's struct, or `opts` NULL: nothing written.
 * With `sizeof(fu_besttime_options)` of this header it fills what
 * #FU_BESTTIME_OPTIONS_INIT gives (version #FU_BESTTIME_OPTIONS_VERSION).
 */
FU_EXTERN void fu_besttime_options_init_sized(fu_besttime_options *opts, size_t size);

/**
 * Fill `opts` with the defaults: in source built against this header the
 * macro below makes this fu_besttime_options_init_sized(opts,
 * sizeof(fu_besttime_options)), the whole current struct
 * (#FU_BESTTIME_OPTIONS_INIT, version #FU_BESTTIME_OPTIONS_VERSION).
 *
 * The exported function of this name (what programs built against an
 * older header call, and `(fu_besttime_options_init)(opts)`, ctypes, cffi)
 * keeps forever what it did at the last release: it fills **version 4**
 * (`version` = 4, the fields up to `types`, 136 bytes on LP64), whatever
 * later versions append. A program built against the header of version 1,
 * 2 or 3 has a smaller struct and must call fu_besttime_options_init_sized()
 * (rebuilding it against this header does so). Callers through a
 * foreign-function interface use fu_besttime_options_init_sized() for
 * fields a later version adds (docs/api.md, "Structs that grow").
 */
FU_EXTERN void fu_besttime_options_init(fu_besttime_options *opts);
#define fu_besttime_options_init(opts) fu_besttime_options_init_sized((opts), sizeof(fu_besttime_options))

/**
 * Build a model: read the book's customers and contact events (kind
 * `contact`, outcome `answered` = success; `no_answer`, `refused`,
 * `voicemail` = failure; other outcomes are ignored), then fit the priors.
 *
 * @param[out] out     the model, owned by the caller (fu_besttime_free())
 * @param policy       borrowed; must outlive the model
 * @param book         a finalized book (fu_book_finalize()); not kept
 * @param segment      the segment of each book customer (`n_segments` >
 *                     value), or NULL: everybody in segment 0
 * @param n_segments   number of segments (>= 1 when `segment` is given;
 *                     ignored when it is NULL)
 * @param opts         NULL for the defaults
 * @return #FU_OK; #FU_EINVAL (bad options, a segment out of range: the
 *         message names the customer); #FU_ESTATE (book not finalized);
 *         #FU_ETIMEZONE; #FU_ENOTFOUND (no such `b2b_calendar`); #FU_ELIMIT
 *         (more than 65535 distinct zones); #FU_ENOMEM.
 */
FU_EXTERN int fu_besttime_new(fu_besttime **out, const fu_policy *policy, const fu_book *book,
                              const uint32_t *segment, size_t n_segments,
                              const fu_besttime_options *opts);

/** Free a model (NULL is a no-op). */
FU_EXTERN void fu_besttime_free(fu_besttime *m);

/** Number of customers (the book's, at creation). */
FU_EXTERN size_t fu_besttime_customer_count(const fu_besttime *m);
/** Number of slots per week (168 for one-hour slots). */
FU_EXTERN int fu_besttime_slot_count(const fu_besttime *m);
/** Number of segments. */
FU_EXTERN size_t fu_besttime_segment_count(const fu_besttime *m);
/** The slot of a local hour of week (0..167), or #FU_EINVAL. */
FU_EXTERN int fu_besttime_slot_of_hour(const fu_besttime *m, int hour_of_week);

/* ===================================================================== */
/** @name The model
 *  @{ */

/**
 * Record one contact outcome (online update): the customer's evidence
 * changes at once, the priors stay as fitted (fu_besttime_fit_prior()
 * refits them). Outcomes other than answered / no_answer / refused /
 * voicemail are ignored (#FU_OK).
 *
 * @return #FU_OK; #FU_EINVAL (customer out of range, bad outcome);
 *         #FU_ERANGE (instant outside years 1..9999); #FU_ENOMEM (the model
 *         is then unchanged).
 */
FU_EXTERN int fu_besttime_record(fu_besttime *m, size_t customer, int64_t at, fu_outcome outcome);

/**
 * Refit the segment priors from the current evidence, decayed to `as_of`
 * (#FU_BOOK_NO_TIME: the latest evidence in the model).
 * @return #FU_OK; #FU_ENOMEM (the priors are then unchanged).
 */
FU_EXTERN int fu_besttime_fit_prior(fu_besttime *m, int64_t as_of);

/**
 * A segment's prior for one slot.
 * @return #FU_OK; #FU_EINVAL for a segment or slot out of range.
 */
FU_EXTERN int fu_besttime_prior(const fu_besttime *m, size_t segment, int slot, double *alpha,
                                double *beta);

/** A posterior for one customer and slot. */
typedef struct fu_besttime_estimate {
    double p;         /**< posterior mean answer probability */
    double lo, hi;    /**< equal-tailed credible interval (NaN when level is 0) */
    double alpha;     /**< posterior Beta alpha = prior alpha + decayed successes */
    double beta;      /**< posterior Beta beta = prior beta + decayed failures */
    double successes; /**< decayed answered contacts */
    double trials;    /**< decayed contacts */
} fu_besttime_estimate;

/**
 * Posterior of customer `customer` in slot `slot`, with the evidence decayed
 * to instant `now` (evidence newer than `now` is not decayed further).
 *
 * @param m the model
 * @param customer index of the customer in the book
 * @param slot the slot (fu_besttime_slot_of_hour())
 * @param now the current instant, UTC seconds
 * @param level  credible level in (0,1), e.g. 0.9; 0: no interval
 * @param[out] out the estimate
 * @return #FU_OK; #FU_EINVAL.
 */
FU_EXTERN int fu_besttime_posterior(const fu_besttime *m, size_t customer, int slot, int64_t now,
                                    double level, fu_besttime_estimate *out);

/**
 * The 7 x 24 matrix of a customer: `mean[h]` (and `lo[h]`, `hi[h]` when not
 * NULL) for local hour of week h = weekday * 24 + hour, Monday first.
 * @return #FU_OK; #FU_EINVAL.
 */
FU_EXTERN int fu_besttime_customer_matrix(const fu_besttime *m, size_t customer, int64_t now,
                                          double level, double *mean, double *lo, double *hi);

/** The 7 x 24 prior matrix of a segment (as fu_besttime_customer_matrix()). */
FU_EXTERN int fu_besttime_segment_matrix(const fu_besttime *m, size_t segment, double level,
                                         double *mean, double *lo, double *hi);

/** @} */

/* ===================================================================== */
/** @name May I contact now?
 *  @{ */

/** Contact flag: an urgent contact (skips preferences, DND and month end). */
#define FU_BESTTIME_URGENT 0x1u

/** The answer of fu_besttime_may_contact(). */
typedef struct fu_besttime_decision {
    int allowed;          /**< 1 yes, 0 no */
    /** NULL when allowed; else the rule that says no (static storage or
     *  borrowed from the model), e.g. "quiet_hours.allowed". */
    const char *rule;
    /** The first allowed instant at or after `now` (`now` itself when
     *  allowed); #FU_BESTTIME_NEVER when there is none within 35 days
     *  (holidays, weekends and month ends all end sooner). */
    int64_t next_allowed;
} fu_besttime_decision;

/**
 * May customer `customer` be contacted on `channel` at instant `now`, by
 * the hour constraints (consent, quiet hours, do-not-disturb, the business
 * calendar of B2B customers, month end of small businesses)? Not by the
 * contact history: the caps, the minimum gap and the redial rules are the
 * guard's (fu_guard_check()), and so are public holidays of consumers.
 *
 * @param m the model
 * @param customer index of the customer in the book
 * @param now the current instant, UTC seconds
 * @param channel #FU_CHANNEL_NONE means phone
 * @param flags   #FU_BESTTIME_URGENT or 0
 * @param[out] out the decision
 * @return #FU_OK; #FU_EINVAL (customer out of range, NULL out);
 *         #FU_ERANGE (instant outside years 1..9999).
 */
FU_EXTERN int fu_besttime_may_contact(const fu_besttime *m, size_t customer, int64_t now,
                                      fu_channel channel, unsigned int flags,
                                      fu_besttime_decision *out);

/** @} */

/* ===================================================================== */
/** @name Best hours
 *  @{ */

/** Query flag: rank by a Thompson draw from each slot's posterior instead of
 *  the posterior mean (exploration). Same seed, same choice. */
#define FU_BESTTIME_THOMPSON 0x1u
/** Query flag: do not compute credible intervals (lo, hi are NaN). */
#define FU_BESTTIME_NO_INTERVAL 0x2u

/** Options of the best-hour queries. */
typedef struct fu_besttime_query_options {
    unsigned int version; /**< #FU_BESTTIME_QUERY_OPTIONS_VERSION */
    unsigned int flags;   /**< `FU_BESTTIME_THOMPSON`, `FU_BESTTIME_NO_INTERVAL` */
    double level;         /**< credible level, (0,1); 0: 0.9 */
    /** Thompson seed; each customer's draws come from (seed, customer index),
     *  so a result does not depend on the batch it was asked in. */
    uint64_t seed;
    /** Evidence is decayed to this instant; #FU_BOOK_NO_TIME: the start of
     *  each search window. */
    int64_t now;
} fu_besttime_query_options;

#define FU_BESTTIME_QUERY_OPTIONS_VERSION 1
#define FU_BESTTIME_QUERY_OPTIONS_INIT \
    {FU_BESTTIME_QUERY_OPTIONS_VERSION, 0u, 0.0, 0u, FU_BOOK_NO_TIME}

/** Fill `opts` with the defaults. */
FU_EXTERN void fu_besttime_query_options_init(fu_besttime_query_options *opts);

/** #fu_besttime_slot flag: the hour lies in the customer's preferred windows. */
#define FU_BESTTIME_SLOT_PREFERRED 0x1u

/** One candidate hour. */
typedef struct fu_besttime_slot {
    /** First allowed instant of the hour: the time to contact;
     *  #FU_BESTTIME_NONE when the window has no allowed instant. */
    int64_t at;
    int64_t until;     /**< end of the hour (or of the window), exclusive */
    double p;          /**< posterior mean answer probability of its slot */
    double lo, hi;     /**< credible interval (NaN with #FU_BESTTIME_NO_INTERVAL) */
    double score;      /**< what it was ranked by: p, or the Thompson draw */
    int hour_of_week;  /**< local hour of week of the hour, 0..167 (-1 for none) */
    int slot;          /**< model slot (-1 for none) */
    unsigned int flags; /**< `FU_BESTTIME_SLOT_PREFERRED` */
    /** No allowed instant: the rule that forbids the window's start (NULL
     *  when a slot was found). */
    const char *rule;
    /** No allowed instant: the next allowed instant (at or after the window's
     *  end, or #FU_BESTTIME_NEVER); the slot's `at` otherwise. */
    int64_t next_allowed;
} fu_besttime_slot;

/**
 * The `k` best hours of customer `customer` in [from, to), best first:
 * hours in preferred windows come first (unless urgent), then by score
 * (descending), then by time. Fewer than `k` when the window has fewer
 * allowed hours; none at all is not an error: `*out` is 0 and `slots[0]`
 * (when `k` >= 1) says why (`at` #FU_BESTTIME_NONE, `rule`, `next_allowed`).
 *
 * @param m the model
 * @param customer index of the customer in the book
 * @param from start of the span, UTC seconds
 * @param to end of the span, UTC seconds
 * @param channel the contact channel
 * @param flags flags (0 for none), as described above
 * @param k the number of slots wanted (capacity of `slots`)
 * @param opts NULL for the defaults
 * @param slots   room for `k` results
 * @param[out] out number of hours found (0..k)
 * @return #FU_OK; #FU_EINVAL (customer out of range, from >= to, NULL
 *         pointers); #FU_ELIMIT (window longer than 400 days); #FU_ERANGE;
 *         #FU_ENOMEM.
 */
FU_EXTERN int fu_besttime_best(const fu_besttime *m, size_t customer, int64_t from, int64_t to,
                               fu_channel channel, unsigned int flags, size_t k,
                               const fu_besttime_query_options *opts, fu_besttime_slot *slots,
                               size_t *out);

/** A request of fu_besttime_best_bulk(). */
typedef struct fu_besttime_request {
    size_t customer;    /**< customer index */
    int64_t from, to;   /**< search window [from, to) */
    fu_channel channel; /**< #FU_CHANNEL_NONE means phone */
    unsigned int flags; /**< #FU_BESTTIME_URGENT or 0 */
} fu_besttime_request;

/**
 * The best hour for each of `n` requests: `out[i]` as `slots[0]` of
 * fu_besttime_best() with k = 1. Requests for the same zone and window in a
 * row share their hour table, so group them when you can.
 * @return #FU_OK; the first failure's code (the message names the request
 *         index; earlier entries are filled).
 */
FU_EXTERN int fu_besttime_best_bulk(const fu_besttime *m, const fu_besttime_request *req, size_t n,
                                    const fu_besttime_query_options *opts, fu_besttime_slot *out);

/**
 * The best hour on one local day for many customers: the window of each is
 * the local day `day` in the customer's own zone, or, with `day` NULL, the
 * day after the local date of `now` (tomorrow).
 *
 * @param m the model
 * @param day the local day, in each customer's zone
 * @param now the current instant, UTC seconds
 * @param customers customer indexes, or NULL for 0..n-1
 * @param n         number of customers (results)
 * @param out       `n` results
 * @param channel the contact channel
 * @param flags flags (0 for none), as described above
 * @param opts NULL for the defaults
 * @return as fu_besttime_best_bulk().
 */
FU_EXTERN int fu_besttime_best_day(const fu_besttime *m, const fu_date *day, int64_t now,
                                   const size_t *customers, size_t n, fu_channel channel,
                                   unsigned int flags, const fu_besttime_query_options *opts,
                                   fu_besttime_slot *out);

/** @} */

/* ===================================================================== */
/** @name Beta distribution helpers (deprecated names)
 *  The Beta distribution lives in followup/stats.h; these names call it and
 *  remain for existing callers. @{ */

/** Deprecated: fu_stats_beta_cdf(). */
FU_EXTERN int fu_besttime_beta_cdf(double x, double a, double b, double *out);

/** Deprecated: fu_stats_beta_quantile(). */
FU_EXTERN int fu_besttime_beta_quantile(double q, double a, double b, double *out);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* FOLLOWUP_BESTTIME_H */
