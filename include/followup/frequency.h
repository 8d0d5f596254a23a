/**
 * @file followup/frequency.h
 * @brief Contact frequency: fatigue curves learnt from contact history, and the
 *        spacing and cap where one more contact stops paying.
 *
 * A #fu_frequency model answers two questions per customer segment:
 *
 * - **How likely is the k-th attempt to succeed?** The *hazard* h(k, gap):
 *   the probability of a positive outcome at attempt k given that the
 *   earlier attempts of the episode did not succeed, as a function of k and
 *   of the time since the previous contact. Customers who convert stop being
 *   contacted, so the naive "conversion rate of customers called k times"
 *   mixes survivors; the per-attempt view counts each attempt once, among the
 *   customers still at risk. Per segment the curve over k is a beta-binomial
 *   table shrunk to the population (empirical Bayes, method of moments, as
 *   the best-time model does), non-increasing in k when the data do not
 *   contradict it (pool-adjacent-violators, checked by a likelihood-ratio
 *   test), with Beta posterior intervals. The spacing enters as a population
 *   odds ratio per spacing bin (a ridge-penalized logistic model with k and
 *   spacing bins).
 * - **How likely is a complaint?** q(load): the probability of a negative
 *   outcome (refusal, complaint; chosen by the caller) of an attempt as a
 *   function of the customer's contact load: contacts in the last 72 h, 7 d
 *   and 30 d (this one included). An additive logistic model in load bins,
 *   with a per-segment level shrunk to the population.
 *
 * fu_frequency_recommend() turns the curves, a value per positive outcome,
 * a cost per contact and a cost per complaint into a cap and a spacing per
 * segment, and fu_frequency_write_recommendations() writes them as a
 * policy fragment (`caps.limits`) with the numbers behind each rule.
 *
 * The estimates are associations in the history they were fitted on: who
 * was contacted how often was decided by someone, so the curves describe
 * that practice (docs/frequency.md), not the effect of changing it.
 *
 * **Threads.** A fitted model is immutable: any number of threads may query
 * it at once.
 */
#ifndef FOLLOWUP_FREQUENCY_H
#define FOLLOWUP_FREQUENCY_H

#include "followup/common.h"
#include "followup/book.h"

#ifdef __cplusplus
extern "C" {
#endif

/** An opaque fitted frequency model. */
typedef struct fu_frequency fu_frequency;

/** `gap_days` of an attempt with no earlier contact (first ever). */
#define FU_FREQUENCY_GAP_NONE (-1.0f)
/** `gap_days` of an attempt whose previous contact time is not known. */
#define FU_FREQUENCY_GAP_UNKNOWN (-2.0f)

/** Number of spacing bins (fu_frequency_gap_bin_name()). */
#define FU_FREQUENCY_GAP_BINS 11
/** Number of load bins per window (72 h, 7 d, 30 d). */
#define FU_FREQUENCY_LOAD_BINS 5

/**
 * One contact attempt: a row of the hazard table (24 bytes).
 * fu_frequency_attempts_from_book() and fu_frequency_read_bank_csv() build
 * them; callers with their own contact log may fill them directly.
 */
typedef struct fu_frequency_attempt {
    uint32_t customer;  /**< any customer key (hold-out splits are by customer) */
    uint32_t segment;   /**< segment index, < the model's segment count */
    uint32_t k;         /**< attempt number in the episode, 1-based (>= 1) */
    float gap_days;     /**< days since the previous contact (>= 0), or
                             #FU_FREQUENCY_GAP_NONE / #FU_FREQUENCY_GAP_UNKNOWN */
    uint16_t load_72h;  /**< contacts in the 72 h ending at this one, itself included (0: unknown) */
    uint16_t load_7d;   /**< same over 7 days (0: unknown) */
    uint16_t load_30d;  /**< same over 30 days (0: unknown) */
    uint8_t positive;   /**< 1: the attempt reached the positive outcome */
    uint8_t negative;   /**< 1: the attempt drew a negative outcome */
} fu_frequency_attempt;

/** What counts as the positive outcome of a contact in a book. */
typedef enum fu_frequency_positive {
    FU_FREQUENCY_ANSWERED = 0, /**< the contact's outcome is `answered` */
    FU_FREQUENCY_PURCHASE = 1, /**< a `purchase` follows within `outcome_window` */
    FU_FREQUENCY_RESOLVED = 2  /**< a `resolved` event follows within `outcome_window` */
} fu_frequency_positive;

/** Option flag: never force the curves monotone. */
#define FU_FREQUENCY_NO_MONOTONE 0x1u
/** Option flag: force the curves non-increasing in k whatever the test says. */
#define FU_FREQUENCY_FORCE_MONOTONE 0x2u
/** Option flag (book input): a `refused` outcome is not a negative outcome
 *  (only complaints are). */
#define FU_FREQUENCY_REFUSAL_NOT_NEGATIVE 0x4u

/** Options of the fitting and extraction calls. Fields are only ever appended. */
typedef struct fu_frequency_options {
    unsigned int version;   /**< #FU_FREQUENCY_OPTIONS_VERSION */
    unsigned int flags;     /**< `FU_FREQUENCY_*` flags */
    uint32_t max_k;         /**< attempts >= max_k share the last bin; 0: 10 (at most 64) */
    double level;           /**< interval level in (0,1); 0: 0.9 */
    double min_strength;    /**< bounds of a segment prior's strength; 0: 2 */
    double max_strength;    /**< 0: 100000 */
    double ridge;           /**< penalty of the logistic models; negative: 1 */
    /* book extraction */
    fu_frequency_positive positive; /**< default #FU_FREQUENCY_ANSWERED */
    int64_t outcome_window;  /**< seconds after a contact a purchase / resolution counts; 0: 7 d */
    int64_t negative_window; /**< seconds after a contact a complaint counts; 0: 72 h */
    int64_t episode_gap;     /**< a contact after this long without one starts k at 1; 0: 90 d */
    unsigned int channels;   /**< bit `1u << c` per counted #fu_channel; 0: all */
} fu_frequency_options;

#define FU_FREQUENCY_OPTIONS_VERSION 1
#define FU_FREQUENCY_OPTIONS_INIT \
    {FU_FREQUENCY_OPTIONS_VERSION, 0u, 0u, 0.0, 0.0, 0.0, -1.0, FU_FREQUENCY_ANSWERED, 0, 0, 0, 0u}

/** Fill `opts` with the defaults (#FU_FREQUENCY_OPTIONS_INIT). */
FU_EXTERN void fu_frequency_options_init(fu_frequency_options *opts);

/* ===================================================================== */
/** @name Input
 *  @{ */

/**
 * The hazard table of a book: one attempt per contact event (kind
 * `contact`, on the counted channels), in customer and time order. k counts
 * the contacts since the last positive outcome or since a pause longer than
 * `episode_gap`; loads count contacts in (t - window, t].
 *
 * A contact is negative when its outcome is `refused` (unless
 * #FU_FREQUENCY_REFUSAL_NOT_NEGATIVE) or a complaint follows within
 * `negative_window` and before the next contact. With
 * #FU_FREQUENCY_ANSWERED, contacts without an outcome are left out.
 *
 * @param[out] out   array of `*n` attempts, freed with fu_free()
 * @param segment    segment of each book customer, or NULL (all 0)
 * @param[out] n the number of attempts
 * @param book the book
 * @param opts NULL for the defaults
 * @return #FU_OK; #FU_ESTATE (book not finalized); #FU_EINVAL (no contact
 *         events; no contact with an outcome; no event of the positive kind
 *         at all: "the history holds no outcomes"); #FU_ENOMEM.
 */
FU_EXTERN int fu_frequency_attempts_from_book(fu_frequency_attempt **out, size_t *n,
                                              const fu_book *book, const uint32_t *segment,
                                              const fu_frequency_options *opts);

/**
 * The hazard table of the UCI bank-marketing data (`bank-full.csv`,
 * `bank.csv`, `bank-additional*.csv`: ';'-separated, with the columns
 * `campaign`, `pdays`, `poutcome` and `y`). A client with campaign = c
 * contributes attempts k = 1..c, the last positive when y = "yes". The
 * first attempt's gap is `pdays` (days since the last contact of a previous
 * campaign; none when the client was never contacted: -1 or 999); later
 * attempts have an unknown gap (the data hold no call times). The segment is
 * `poutcome`: 0 none (`unknown`, `nonexistent`), 1 failure, 2 other,
 * 3 success (fu_frequency_bank_segment_name()). No attempt is negative.
 *
 * @param[out] out  array of `*n` attempts (customer = data row, 0-based), fu_free()
 * @param[out] n the number of attempts read
 * @param path the CSV file
 * @return #FU_OK; #FU_EIO; #FU_EPARSE naming file, line, column and column
 *         name (missing column, bad number, bad y); #FU_ENOMEM.
 */
FU_EXTERN int fu_frequency_read_bank_csv(fu_frequency_attempt **out, size_t *n,
                                         const char *path);

/** Segment names of fu_frequency_read_bank_csv() (0..3), NULL beyond. */
FU_EXTERN const char *fu_frequency_bank_segment_name(uint32_t segment);
/** Number of bank segments (4). */
#define FU_FREQUENCY_BANK_SEGMENTS 4

/**
 * Mark a share of the customers as held out: `test[i]` = 1 for the attempts
 * of a customer whose seeded hash falls below `fraction` (every attempt of a
 * customer lands on the same side).
 * @return #FU_OK; #FU_EINVAL (fraction outside [0,1], NULL pointers).
 */
FU_EXTERN int fu_frequency_split(const fu_frequency_attempt *a, size_t n, uint64_t seed,
                                 double fraction, uint8_t *test);

/** @} */

/* ===================================================================== */
/** @name Fitting and queries
 *  @{ */

/**
 * Fit a model on `n` attempts.
 *
 * @param[out] out      owned by the caller (fu_frequency_free())
 * @param names         `n_segments` segment names (copied), or NULL ("0", "1", ...)
 * @param n_segments    1..65536 (at most 64 get their own level in the spacing model)
 * @param test          NULL, or a flag per attempt: attempts with a non-zero
 *                      flag are left out of the fit (see fu_frequency_split())
 * @param a the attempts
 * @param n the number of attempts
 * @param opts NULL for the defaults
 * @return #FU_OK; #FU_EINVAL (no attempt to fit, k = 0, a segment out of
 *         range: the message names the attempt; bad options); #FU_ECONVERGE;
 *         #FU_ENOMEM.
 */
FU_EXTERN int fu_frequency_fit(fu_frequency **out, const fu_frequency_attempt *a, size_t n,
                               const uint8_t *test, const char *const *names, size_t n_segments,
                               const fu_frequency_options *opts);

/** Free a model (NULL is a no-op). */
FU_EXTERN void fu_frequency_free(fu_frequency *m);

/** Number of segments. */
FU_EXTERN size_t fu_frequency_segment_count(const fu_frequency *m);
/** Name of a segment, borrowed; NULL out of range. */
FU_EXTERN const char *fu_frequency_segment_name(const fu_frequency *m, size_t segment);
/** The last attempt bin (attempts >= it share it). */
FU_EXTERN uint32_t fu_frequency_max_k(const fu_frequency *m);
/** 1 when the curves were made non-increasing in k, else 0. */
FU_EXTERN int fu_frequency_is_monotone(const fu_frequency *m);
/** Label of a spacing bin ("none", "unknown", "0-1d", ..., "180d+"), NULL out of range. */
FU_EXTERN const char *fu_frequency_gap_bin_name(int bin);

/** A probability with its interval. */
typedef struct fu_frequency_estimate {
    double p;      /**< estimate */
    double lo, hi; /**< interval at the model's level */
} fu_frequency_estimate;

/**
 * The hazard of attempt `k` in `segment` after a gap of `gap_days`
 * (#FU_FREQUENCY_GAP_NONE, #FU_FREQUENCY_GAP_UNKNOWN, or NaN: the mix of
 * spacings seen at that k, no spacing adjustment).
 * @return #FU_OK; #FU_EINVAL (segment out of range, k = 0).
 */
FU_EXTERN int fu_frequency_hazard(const fu_frequency *m, size_t segment, uint32_t k,
                                  double gap_days, fu_frequency_estimate *out);

/**
 * The probability of a negative outcome of a contact that brings the
 * customer's load to `load_72h`, `load_7d`, `load_30d` contacts (each >= 1;
 * 0: unknown, the population's mix). For a simulator: draw the complaint of
 * a planned contact from this, and the answer from fu_frequency_hazard().
 * @return #FU_OK; #FU_EINVAL.
 */
FU_EXTERN int fu_frequency_negative(const fu_frequency *m, size_t segment, unsigned int load_72h,
                                    unsigned int load_7d, unsigned int load_30d,
                                    fu_frequency_estimate *out);

/** What a planned contact is likely to bring (fu_frequency_contact_odds()). */
typedef struct fu_frequency_odds {
    uint32_t k;                      /**< attempt number the contact would be */
    double gap_days;                 /**< days since the previous contact (-1: none) */
    unsigned int load_72h, load_7d, load_30d; /**< loads with the contact included */
    fu_frequency_estimate positive;  /**< P(positive outcome), the hazard */
    fu_frequency_estimate negative;  /**< P(negative outcome) at those loads */
} fu_frequency_odds;

/**
 * The odds of a contact planned at `at` for a customer of `segment` whose
 * earlier contacts were at `history[0..n)` (ascending, all <= `at`) and
 * whose last positive outcome was at `last_positive` (#FU_BOOK_NO_TIME:
 * none): k, the gap and the loads are derived as fu_frequency_attempts_from_book()
 * derives them, then fu_frequency_hazard() and fu_frequency_negative() give
 * the probabilities. For a simulator: draw the answer and the complaint of
 * each planned contact from `positive.p` and `negative.p`.
 *
 * @param m the model
 * @param segment the customer's segment
 * @param history the instants of the customer's earlier attempts, UTC seconds
 * @param n the number of instants in `history`
 * @param last_positive the instant of the last positive outcome, or #FU_BOOK_NO_TIME
 * @param at the instant of the contact considered, UTC seconds
 * @param episode_gap  seconds without a contact that restart k; 0: 90 days
 * @param[out] out the odds
 * @return #FU_OK; #FU_EINVAL (segment out of range, history not ascending
 *         or after `at`, NULL pointers).
 */
FU_EXTERN int fu_frequency_contact_odds(const fu_frequency *m, size_t segment, const int64_t *history,
                                        size_t n, int64_t last_positive, int64_t at,
                                        int64_t episode_gap, fu_frequency_odds *out);

/**
 * Predicted probabilities of `n` attempts: `pos[i]` (hazard, using the
 * attempt's gap) and `neg[i]` (negative outcome, using its loads); either
 * array may be NULL.
 * @return #FU_OK; #FU_EINVAL (segment out of range: names the attempt).
 */
FU_EXTERN int fu_frequency_predict(const fu_frequency *m, const fu_frequency_attempt *a, size_t n,
                                   double *pos, double *neg);

/** Scores of a model and two baselines on held-out attempts. */
typedef struct fu_frequency_scores {
    size_t attempts;      /**< scored attempts */
    size_t positives;     /**< positive outcomes among them */
    double log_loss;      /**< model: mean negative log likelihood (natural log) */
    double brier;         /**< model: mean squared error */
    double log_loss_constant; /**< one rate for every attempt (the fit's overall rate) */
    double brier_constant;
    double log_loss_per_k;    /**< the fit's raw per-k rates (empirical table) */
    double brier_per_k;
} fu_frequency_scores;

/**
 * Score the hazard on the attempts with `test[i]` non-zero (all when `test`
 * is NULL). Probabilities are clamped to [1e-9, 1 - 1e-9] in the log loss.
 * @return #FU_OK; #FU_EINVAL (nothing to score, segment out of range).
 */
FU_EXTERN int fu_frequency_evaluate(const fu_frequency *m, const fu_frequency_attempt *a, size_t n,
                                    const uint8_t *test, fu_frequency_scores *out);

/** Output formats of the writers. */
typedef enum fu_frequency_format {
    FU_FREQUENCY_CSV = 0,   /**< CSV with a header row */
    FU_FREQUENCY_JSON = 1,  /**< a JSON array of objects */
    FU_FREQUENCY_TABLE = 2, /**< aligned text */
    FU_FREQUENCY_YAML = 3   /**< policy fragment (recommendations only) */
} fu_frequency_format;

/**
 * The fitted curves as one table (docs/frequency.md): columns `curve`
 * (`hazard`, `gap_odds`, `negative_72h`, `negative_7d`, `negative_30d`,
 * `negative_level`), `segment`, `bin`, `attempts`, `events`, `raw`,
 * `estimate`, `lo`, `hi`, `strength`.
 * @param m the model
 * @param format the output format
 * @param[out] len its length in bytes without the NUL; may be NULL
 * @param[out] out NUL-terminated text, freed with fu_free()
 * @return #FU_OK; #FU_EINVAL (YAML or unknown format); #FU_ENOMEM.
 */
FU_EXTERN int fu_frequency_write_curves(const fu_frequency *m, fu_frequency_format format,
                                        size_t *len, char **out);

/** @} */

/* ===================================================================== */
/** @name Recommendations
 *  @{ */

/** Options of fu_frequency_recommend(). Fields are only ever appended. */
typedef struct fu_frequency_recommend_options {
    unsigned int version;  /**< #FU_FREQUENCY_RECOMMEND_OPTIONS_VERSION */
    double value;          /**< value of one positive outcome (> 0), e.g. margin or CLV */
    /** Cost of one contact per channel (index #fu_channel); used: `channel`. */
    double contact_cost[FU_CHANNEL_COUNT];
    fu_channel channel;    /**< channel of the cadence; #FU_CHANNEL_NONE: phone */
    double complaint_cost; /**< cost of one negative outcome (>= 0) */
    int64_t horizon;       /**< seconds the cap counts over; 0: 90 d */
    uint32_t max_cap;      /**< largest cap considered; 0: 20 */
    size_t min_support;    /**< attempts (k >= 2) a spacing bin needs to be a candidate; 0: 200 */
    /** Policy condition key the segment names are values of (`tier`,
     *  `lifecycle`, `rfm_group`, `industry`); NULL: one unconditional rule
     *  from the first segment (use a model with one segment). */
    const char *when_key;
    const char *rule_prefix; /**< name prefix of the limits; NULL: "frequency" */
    /** Value of a positive outcome per segment (e.g. the segment's mean
     *  CLV), `fu_frequency_segment_count()` entries, each > 0; NULL: `value`
     *  for every segment (then `value` must be > 0). */
    const double *segment_values;
} fu_frequency_recommend_options;

#define FU_FREQUENCY_RECOMMEND_OPTIONS_VERSION 1
#define FU_FREQUENCY_RECOMMEND_OPTIONS_INIT \
    {FU_FREQUENCY_RECOMMEND_OPTIONS_VERSION, 0.0, {0}, FU_CHANNEL_NONE, 0.0, 0, 0u, 0u, NULL, NULL, NULL}

/** Fill `opts` with the defaults. */
FU_EXTERN void fu_frequency_recommend_options_init(fu_frequency_recommend_options *opts);

/** The recommendation for one segment. */
typedef struct fu_frequency_recommendation {
    size_t segment;          /**< segment index */
    const char *name;        /**< segment name, borrowed from the model */
    uint32_t cap;            /**< contacts per episode within the horizon; 0: the first
                                  contact does not pay */
    uint32_t cap_low;        /**< the cap with every hazard at its interval's low end */
    uint32_t cap_high;       /**< ... at its high end */
    /** 1 when the horizon, `max_cap` or the segment's longest series in the
     *  data (no extrapolation beyond it), not the value, limits the cap */
    int horizon_bound;
    double spacing_days;     /**< recommended least spacing; NaN: no spacing evidence */
    double expected_net;     /**< expected net value per customer of the cadence */
    double hazard_last;      /**< hazard of the last paying attempt (NaN when cap 0) */
    double hazard_next;      /**< hazard of the attempt after the cap */
    double margin_last;      /**< value * hazard - cost - complaint cost of the last one */
    double margin_next;      /**< ... of the next one (<= 0 unless horizon-bound) */
    double negative_next;    /**< negative-outcome probability of the next attempt */
    double break_even;       /**< hazard at which the next attempt would pay */
    uint64_t attempts;       /**< the segment's attempts in the fit */
    uint64_t positives;      /**< its positive outcomes */
    uint64_t negatives;      /**< its negative outcomes */
    double value;            /**< the value of a positive outcome used for the segment */
} fu_frequency_recommendation;

/**
 * Recommend a cap and a spacing per segment. For each candidate spacing d
 * (a spacing bin with `min_support` attempts at k >= 2; none: the observed
 * mix), a cadence contacts at 0, d, 2d, ... within the horizon; attempt k
 * pays when value * h(k, d) > cost + complaint_cost * q(load of k). The cap
 * is the last k before the first that does not pay; the spacing the one
 * whose cadence has the largest expected net value over the customers still
 * at risk (ties: the longer spacing).
 *
 * @param m the model
 * @param opts NULL for the defaults
 * @param[out] out  `fu_frequency_segment_count(m)` recommendations (fu_free())
 * @param[out] n the number of recommendations
 * @return #FU_OK; #FU_EINVAL (a value <= 0, negative costs, bad options);
 *         #FU_ENOMEM.
 */
FU_EXTERN int fu_frequency_recommend(const fu_frequency *m,
                                     const fu_frequency_recommend_options *opts,
                                     fu_frequency_recommendation **out, size_t *n);

/**
 * Write recommendations as CSV, JSON, a table, or (#FU_FREQUENCY_YAML) a
 * policy fragment: `caps.limits.<prefix>_<segment>` (max = cap, per =
 * horizon) and `<prefix>_<segment>_spacing` (max 1 per spacing), each with
 * a `when` on `when_key`, the numbers behind each as comments. Segments
 * with cap 0 get a comment and no rule. The fragment loads over the
 * built-in policy with fu_policy_load_string().
 * @param m the model
 * @param r the recommendations (fu_frequency_recommend())
 * @param n their number
 * @param opts the options they were made with
 * @param format the output format
 * @param[out] len  its length in bytes without the NUL; may be NULL
 * @param[out] out  text, fu_free()
 * @return #FU_OK; #FU_EINVAL; #FU_ENOMEM.
 */
FU_EXTERN int fu_frequency_write_recommendations(const fu_frequency *m,
                                                 const fu_frequency_recommendation *r, size_t n,
                                                 const fu_frequency_recommend_options *opts,
                                                 fu_frequency_format format, size_t *len,
                                                 char **out);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* FOLLOWUP_FREQUENCY_H */
