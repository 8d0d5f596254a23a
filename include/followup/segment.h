/**
 * @file followup/segment.h
 * @brief Who to follow up: purchase summaries, customer-base models (BG/NBD,
 *        Pareto/NBD, Gamma-Gamma), customer lifetime value, RFM scores and
 *        rule-based segments (value tier, product class, lifecycle, churn risk,
 *        deep care).
 *
 * The module works on columns of numbers so that one call serves a million
 * customers. Threads: the functions keep no state; models, rules and summaries
 * are plain records that any number of threads may read (a record being
 * changed needs its writer alone). The fits poll the cancel hook
 * (fu_set_cancel_hook()). A typical pipeline:
 *
 * 1. fu_segment_summarize() turns raw purchase events (customer index, UTC
 *    time, value) into per-customer summaries `x`, `t_x`, `T`, `zbar` in a
 *    time unit the caller states (e.g. 604800 s = weeks).
 * 2. fu_segment_bgnbd_fit() (or fu_segment_pareto_fit()) fits a
 *    customer-base model to `x`, `t_x`, `T`; fu_segment_gammagamma_fit() fits
 *    the spend model to the repeat customers' `zbar`.
 * 3. fu_segment_bgnbd_score() fills P(alive), expected purchases and CLV for
 *    every customer; fu_segment_rfm_score() and fu_segment_assign() give RFM
 *    scores and the rule-based segments, each naming the rule that made it.
 *
 * With a policy and a customer book, fu_segment_rules_new_from_policy() gives
 * the rules (the policy's names and numbers) and fu_segment_book_summarize()
 * computes steps 1 and the RFM and assignment inputs for every customer in
 * one call; `followup segment` (docs/segmentation.md) runs the whole chain.
 *
 * **Model time.** The models never assume a unit: `t_x`, `T`, horizons and
 * CLV period lengths are all in the same caller-chosen unit, the one given to
 * fu_segment_summarize().
 *
 * **Numerics.** Likelihoods are evaluated in log space; the Gauss
 * hypergeometric function is evaluated with Pfaff/Euler transformations and
 * a rescaled series, so large frequencies (thousands of repeat purchases),
 * `x = 0`, `t_x = 0`, `T = 0`, `a + b < 1` give finite results. A fit that
 * does not converge, or whose parameters run off to 0 or infinity, fails with
 * #FU_ECONVERGE; a quantity that does not exist for the parameters (the mean
 * spend when `q <= 1`) fails with #FU_ERANGE.
 *
 * **Threads.** Every function here is reentrant; nothing keeps state between
 * calls.
 */
#ifndef FOLLOWUP_SEGMENT_H
#define FOLLOWUP_SEGMENT_H

#include "followup/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fu_policy fu_policy; /* followup/policy.h; C11 allows the repeat */
typedef struct fu_book fu_book;     /* followup/book.h */

/* ===================================================================== */
/** @name Purchase summaries
 * @{ */

/** `first_at` of a customer without any purchase in the calibration period. */
#define FU_SEGMENT_NO_PURCHASE INT64_MIN

/** Options of fu_segment_summarize(). */
typedef struct fu_segment_summary_options {
    unsigned int version;     /**< #FU_SEGMENT_SUMMARY_OPTIONS_VERSION */
    /** Where days begin, in seconds east of UTC: 0 (default) cuts days at
     *  00:00 UTC, 28800 at 00:00 in UTC+08:00. */
    int64_t day_offset;
    /** Length of a "day" in seconds (default 86400). Purchases of one
     *  customer in the same day count as one transaction with their values
     *  summed, and times are taken at the start of their day. 0 turns merging
     *  off: only purchases at the very same second merge, and times are kept
     *  to the second. This is the length of a merging day, not the model
     *  time unit: that is the `unit_seconds` argument, which has no default
     *  here (fu_segment_book_summarize() defaults it to a week, 604800 s). */
    int64_t day_seconds;
} fu_segment_summary_options;

#define FU_SEGMENT_SUMMARY_OPTIONS_VERSION 1
#define FU_SEGMENT_SUMMARY_OPTIONS_INIT {FU_SEGMENT_SUMMARY_OPTIONS_VERSION, 0, 86400}

/** Fill `opts` with the defaults. */
FU_EXTERN void fu_segment_summary_options_init(fu_segment_summary_options *opts);

/**
 * Per-customer summaries (columns of length `n`), owned by the caller and
 * freed with fu_segment_summary_free(). Times are in the unit given to
 * fu_segment_summarize().
 */
typedef struct fu_segment_summary {
    size_t n;          /**< number of customers */
    double *x;         /**< repeat transactions (days with a purchase after the first) */
    double *t_x;       /**< time from the first to the last purchase; 0 when x = 0 */
    double *T;         /**< time from the first purchase to the calibration end */
    double *zbar;      /**< mean value of the repeat transactions (first excluded); 0 when x = 0 */
    double *total;     /**< sum of all purchase values in the calibration period */
    int64_t *first_at; /**< start of the first purchase's day (UTC s), or #FU_SEGMENT_NO_PURCHASE */
} fu_segment_summary;

/**
 * Summarize raw purchase events per customer.
 *
 * Events may come in any order. An event counts when its day starts at or
 * before `calibration_end` (with merging off: when `at <= calibration_end`);
 * later events are ignored. `T` is (calibration_end - start of the first
 * purchase's day) / unit_seconds. For the CDNOW convention pass the
 * calibration end day's 00:00 UTC (1997-09-30T00:00:00Z) and 604800.
 *
 * @param customer       customer index of each event, in [0, n_customers)
 * @param at             UTC seconds of each event
 * @param value          value of each event (>= 0), or NULL (then zbar and total are 0)
 * @param n_events       length of the three event arrays
 * @param n_customers    number of customers (rows of the result); customers
 *                       without a purchase get zeros and first_at = #FU_SEGMENT_NO_PURCHASE
 * @param calibration_end end of the calibration period (UTC s)
 * @param unit_seconds   length of the model time unit in seconds (> 0), e.g.
 *                       86400 days, 604800 weeks
 * @param opts           NULL for defaults
 * @param[out] out       the summaries; free with fu_segment_summary_free()
 * @return #FU_OK, #FU_EINVAL (naming the offending event index), #FU_ENOMEM
 */
FU_EXTERN int fu_segment_summarize(const size_t *customer, const int64_t *at, const double *value,
                                   size_t n_events, size_t n_customers, int64_t calibration_end,
                                   double unit_seconds, const fu_segment_summary_options *opts,
                                   fu_segment_summary **out);

/** Free summaries; NULL is a no-op. */
FU_EXTERN void fu_segment_summary_free(fu_segment_summary *summary);

/** @} */

/* ===================================================================== */
/** @name Model parameters and fitting
 * @{ */

/** BG/NBD parameters (Fader, Hardie & Lee 2005): purchase rate lambda ~
 *  Gamma(r, alpha); drop-out probability after each purchase p ~ Beta(a, b). */
typedef struct fu_segment_bgnbd {
    double r, alpha, a, b;
} fu_segment_bgnbd;

/** Pareto/NBD parameters (Schmittlein, Morrison & Colombo 1987): lambda ~
 *  Gamma(r, alpha); drop-out rate mu ~ Gamma(s, beta). */
typedef struct fu_segment_pareto {
    double r, alpha, s, beta;
} fu_segment_pareto;

/** Gamma-Gamma spend parameters (Fader, Hardie & Lee 2005, "RFM and CLV"):
 *  each transaction value ~ Gamma(p, nu); nu ~ Gamma(q, gamma). */
typedef struct fu_segment_gammagamma {
    double p, q, gamma;
} fu_segment_gammagamma;

/** Options of the fit functions. */
typedef struct fu_segment_fit_options {
    unsigned int version;    /**< #FU_SEGMENT_FIT_OPTIONS_VERSION */
    unsigned int max_iter;   /**< quasi-Newton iterations per start (default 400) */
    /** Convergence: the largest gradient component of the log-likelihood with
     *  respect to the log-parameters is below `tolerance * (1 + |LL|)`
     *  (default 1e-9). */
    double tolerance;
    /** Optional starting point (4 values for BG/NBD and Pareto/NBD in their
     *  struct order, 3 for Gamma-Gamma), or NULL for the built-in starts. */
    const double *start;
} fu_segment_fit_options;

#define FU_SEGMENT_FIT_OPTIONS_VERSION 1
#define FU_SEGMENT_FIT_OPTIONS_INIT {FU_SEGMENT_FIT_OPTIONS_VERSION, 400, 1e-9, NULL}

/** Fill `opts` with the defaults. */
FU_EXTERN void fu_segment_fit_options_init(fu_segment_fit_options *opts);

/** What a fit reports besides the parameters. */
typedef struct fu_segment_fit_info {
    double loglik;           /**< log-likelihood at the estimate */
    unsigned int iterations; /**< quasi-Newton iterations of the successful start */
    unsigned int evaluations;/**< likelihood evaluations over all starts */
    size_t n;                /**< customers used (Gamma-Gamma: those with x > 0) */
    size_t distinct;         /**< distinct data rows the likelihood was evaluated on */
} fu_segment_fit_info;

/**
 * Maximum-likelihood fit of BG/NBD to `n` customers.
 *
 * The data must satisfy: x a non-negative integer, 0 <= t_x <= T, all finite;
 * #FU_EINVAL names the first offending index otherwise. Identical rows are
 * merged (weighted) before fitting, in time linear in `n`; the result does
 * not depend on the order of the rows. Deterministic. At most 2^31 - 2 rows
 * in one call (#FU_ERANGE beyond).
 *
 * @param x repeat purchases per customer
 * @param t_x time of the last purchase per customer, since the first (same unit as `T`)
 * @param T time since the first purchase per customer
 * @param n the number of customers
 * @param opts NULL for the defaults
 * @param[out] info NULL or the log-likelihood and counts
 * @param[out] out  the estimate (written only on success)
 * @return #FU_OK, #FU_EINVAL, #FU_ENOMEM, #FU_ECONVERGE (no start converged, or
 *         a parameter runs off towards 0 or infinity: the data do not identify
 *         the model, e.g. nobody made a repeat purchase)
 */
FU_EXTERN int fu_segment_bgnbd_fit(const double *x, const double *t_x, const double *T, size_t n,
                                   const fu_segment_fit_options *opts, fu_segment_fit_info *info,
                                   fu_segment_bgnbd *out);

/** BG/NBD log-likelihood of the data (sum over customers).
 *  @return #FU_OK, #FU_EINVAL (bad parameters or data) */
FU_EXTERN int fu_segment_bgnbd_loglik(const fu_segment_bgnbd *m, const double *x, const double *t_x,
                                      const double *T, size_t n, double *out);

/** Maximum-likelihood fit of Pareto/NBD; same contract as fu_segment_bgnbd_fit(). */
FU_EXTERN int fu_segment_pareto_fit(const double *x, const double *t_x, const double *T, size_t n,
                                    const fu_segment_fit_options *opts, fu_segment_fit_info *info,
                                    fu_segment_pareto *out);

/** Pareto/NBD log-likelihood of the data (sum over customers). */
FU_EXTERN int fu_segment_pareto_loglik(const fu_segment_pareto *m, const double *x, const double *t_x,
                                       const double *T, size_t n, double *out);

/**
 * Maximum-likelihood fit of the Gamma-Gamma spend model on the customers with
 * x > 0 (rows with x = 0 are skipped). `zbar` is the mean value of the repeat
 * transactions and must be > 0 where x > 0. The likelihood is that of the
 * mean `zbar` (the density of an average of x Gamma(p, nu) values).
 *
 * @return #FU_OK, #FU_EINVAL, #FU_ENOMEM, #FU_ECONVERGE (also when fewer than
 *         two customers have x > 0)
 */
FU_EXTERN int fu_segment_gammagamma_fit(const double *x, const double *zbar, size_t n,
                                        const fu_segment_fit_options *opts, fu_segment_fit_info *info,
                                        fu_segment_gammagamma *out);

/** Gamma-Gamma log-likelihood (density of zbar) over the rows with x > 0. */
FU_EXTERN int fu_segment_gammagamma_loglik(const fu_segment_gammagamma *m, const double *x,
                                           const double *zbar, size_t n, double *out);

/** @} */

/* ===================================================================== */
/** @name One customer at a time
 * All return #FU_OK or #FU_EINVAL (parameters not > 0, or data out of domain).
 * @{ */

/** P(alive at T | x, t_x, T) under BG/NBD. */
FU_EXTERN int fu_segment_bgnbd_p_alive(const fu_segment_bgnbd *m, double x, double t_x, double T,
                                       double *out);

/** Expected purchases in (T, T + t] given x, t_x, T under BG/NBD. */
FU_EXTERN int fu_segment_bgnbd_expected(const fu_segment_bgnbd *m, double x, double t_x, double T,
                                        double t, double *out);

/** Unconditional E[X(t)]: expected purchases of a new customer in (0, t]
 *  under BG/NBD (uses the Gauss hypergeometric function). */
FU_EXTERN int fu_segment_bgnbd_expected_new(const fu_segment_bgnbd *m, double t, double *out);

/** P(alive at T | x, t_x, T) under Pareto/NBD. */
FU_EXTERN int fu_segment_pareto_p_alive(const fu_segment_pareto *m, double x, double t_x, double T,
                                        double *out);

/** Expected purchases in (T, T + t] given x, t_x, T under Pareto/NBD. */
FU_EXTERN int fu_segment_pareto_expected(const fu_segment_pareto *m, double x, double t_x, double T,
                                         double t, double *out);

/** Unconditional E[X(t)] under Pareto/NBD. */
FU_EXTERN int fu_segment_pareto_expected_new(const fu_segment_pareto *m, double t, double *out);

/**
 * Conditional expected average transaction value, Gamma-Gamma:
 * (gamma + x zbar) p / (p x + q - 1). For x = 0 this is the population mean
 * p gamma / (q - 1).
 * @return #FU_OK, #FU_EINVAL, #FU_ERANGE when p x + q <= 1 (the mean does not exist)
 */
FU_EXTERN int fu_segment_gammagamma_expected(const fu_segment_gammagamma *m, double x, double zbar,
                                             double *out);

/** @} */

/* ===================================================================== */
/** @name Bulk scoring and CLV
 * @{ */

/** Options of the scoring functions. */
typedef struct fu_segment_score_options {
    unsigned int version;   /**< #FU_SEGMENT_SCORE_OPTIONS_VERSION */
    /** Horizon of `expected`, in model time units (> 0 when `expected` is wanted). */
    double horizon;
    /** CLV period length in model time units (> 0 when `clv` is wanted). There is
     *  no default: say 52.0/12 for months when the model time is weeks. */
    double period;
    unsigned int periods;   /**< CLV periods K (default 12) */
    double discount;        /**< discount rate per period d > -1 (default 0.01; a negative rate grows later periods) */
    double margin;          /**< profit margin applied to the value (default 1) */
} fu_segment_score_options;

#define FU_SEGMENT_SCORE_OPTIONS_VERSION 1
#define FU_SEGMENT_SCORE_OPTIONS_INIT {FU_SEGMENT_SCORE_OPTIONS_VERSION, 0.0, 0.0, 12, 0.01, 1.0}

/** Fill `opts` with the defaults. */
FU_EXTERN void fu_segment_score_options_init(fu_segment_score_options *opts);

/**
 * Score `n` customers under BG/NBD. Each output array may be NULL (not
 * computed) or have room for `n` values.
 *
 * - `p_alive[i]`: P(alive | x, t_x, T).
 * - `expected[i]`: expected purchases in (T, T + horizon].
 * - `clv[i]`: margin * value_i * sum_{k=1..K} (E(k P) - E((k-1) P)) / (1 + d)^k
 *   with E(t) the expected purchases in (T, T + t] and P = `period`.
 *   value_i is the Gamma-Gamma conditional expected value from `gg` and
 *   `zbar` when `gg` is given, else `zbar[i]` itself.
 *
 * Each customer's results depend on its row only (not on the order or the
 * other rows): P(alive) equals fu_segment_bgnbd_p_alive() to 1e-13 relative
 * (a difference of cached logs instead of log1p of their ratio), expected
 * purchases and CLV are computed once per distinct (x, T). One thread; rows
 * go in chunks of 1024, so on an error the outputs of earlier chunks may have
 * been written.
 *
 * @param m the model
 * @param gg    NULL or the spend model
 * @param zbar  mean repeat value per customer; needed only for `clv`
 * @param x repeat purchases per customer
 * @param t_x time of the last purchase per customer
 * @param T age per customer
 * @param n the number of customers
 * @param opts NULL for the defaults
 * @param[out] p_alive P(alive) per customer (n values), or NULL
 * @param[out] expected expected purchases per customer in the horizon (n values), or NULL
 * @param[out] clv customer lifetime value per customer (n values), or NULL
 * @return #FU_OK, #FU_EINVAL (naming the index), #FU_ERANGE (Gamma-Gamma mean
 *         does not exist for a customer), #FU_ENOMEM
 */
FU_EXTERN int fu_segment_bgnbd_score(const fu_segment_bgnbd *m, const fu_segment_gammagamma *gg,
                                     const double *x, const double *t_x, const double *T,
                                     const double *zbar, size_t n, const fu_segment_score_options *opts,
                                     double *p_alive, double *expected, double *clv);

/** As fu_segment_bgnbd_score() under Pareto/NBD. */
FU_EXTERN int fu_segment_pareto_score(const fu_segment_pareto *m, const fu_segment_gammagamma *gg,
                                      const double *x, const double *t_x, const double *T,
                                      const double *zbar, size_t n, const fu_segment_score_options *opts,
                                      double *p_alive, double *expected, double *clv);

/** @} */

/* ===================================================================== */
/** @name RFM
 * @{ */

/** One rule of the RFM group table: the first rule whose three score ranges
 *  (inclusive) contain the customer's scores names the group. */
typedef struct fu_segment_rfm_rule {
    const char *group;       /**< "champions" */
    const char *rule;        /**< "segments.rfm.champions" */
    unsigned char r_min, r_max, f_min, f_max, m_min, m_max;
} fu_segment_rfm_rule;

/** Options of fu_segment_rfm_score(). */
typedef struct fu_segment_rfm_options {
    unsigned int version;    /**< #FU_SEGMENT_RFM_OPTIONS_VERSION */
    /** Group table (borrowed, must outlive the call's results) or NULL for
     *  the built-in table, see fu_segment_rfm_default_rules(). */
    const fu_segment_rfm_rule *rules;
    size_t n_rules;
    /** Number of score bins, 2..10 (default 5: quintiles). Version 2. */
    unsigned int bins;
} fu_segment_rfm_options;

#define FU_SEGMENT_RFM_OPTIONS_VERSION 2
#define FU_SEGMENT_RFM_OPTIONS_INIT {FU_SEGMENT_RFM_OPTIONS_VERSION, NULL, 0, 5}

/** Fill `opts` with the defaults (same as #FU_SEGMENT_RFM_OPTIONS_INIT). */
FU_EXTERN void fu_segment_rfm_options_init(fu_segment_rfm_options *opts);

/** RFM result of one customer. `group` and `rule` are borrowed from the rule
 *  table (static storage for the built-in one). */
typedef struct fu_segment_rfm {
    unsigned char r, f, m;   /**< scores 1..bins, bins = most recent / frequent / valuable */
    unsigned short code;     /**< 100 r + 10 f + m, 111..555 (0 when bins = 10) */
    const char *group;       /**< "champions"; "other" when no rule matches */
    const char *rule;        /**< "segments.rfm.champions"; "segments.rfm.other" */
} fu_segment_rfm;

/** The built-in RFM group table (static storage) and its length in `*n`. */
FU_EXTERN const fu_segment_rfm_rule *fu_segment_rfm_default_rules(size_t *n);

/**
 * RFM scores by quantiles (quintiles by default). For each of the three
 * columns, a customer's score is 1 + floor(bins L / n), where L is the number of customers with a strictly
 * worse value: for `recency` (time since the last purchase, any unit) worse
 * means larger, for `frequency` and `monetary` smaller. Equal values always
 * get the same score (ties stay in one bin); docs/segmentation.md works
 * examples.
 *
 * @param recency recency per customer
 * @param frequency frequency per customer
 * @param monetary monetary value per customer
 * @param n the number of customers
 * @param opts NULL for the defaults
 * @param[out] out n results
 * Version 1 options (without `bins`) are accepted and mean 5 bins.
 *
 * @return #FU_OK, #FU_EINVAL (a value is not finite, naming the index; a rule
 *         with an empty range or outside 1..bins; bins outside 2..10), #FU_ENOMEM
 */
FU_EXTERN int fu_segment_rfm_score(const double *recency, const double *frequency, const double *monetary,
                                   size_t n, const fu_segment_rfm_options *opts, fu_segment_rfm *out);

/** @} */

/* ===================================================================== */
/** @name Rule-based segments
 * @{ */

/** Value tier by annual spend. */
typedef enum fu_segment_tier {
    FU_TIER_ORDINARY = 0,
    FU_TIER_KEY = 1,
    FU_TIER_VIP = 2
} fu_segment_tier;

/** Product class by unit price. */
typedef enum fu_segment_product_class {
    FU_PRODUCT_UNKNOWN = 0,     /**< unit price not known (negative or NaN) */
    FU_PRODUCT_FAST_MOVING = 1, /**< low-price fast-moving */
    FU_PRODUCT_MID = 2,         /**< mid-price consumable */
    FU_PRODUCT_DURABLE = 3      /**< high-price durable */
} fu_segment_product_class;

/** Lifecycle stage. */
typedef enum fu_segment_lifecycle {
    FU_LIFECYCLE_NEW = 0,
    FU_LIFECYCLE_GROWING = 1,
    FU_LIFECYCLE_MATURE = 2,
    FU_LIFECYCLE_DECLINING = 3,
    FU_LIFECYCLE_CHURNED = 4
} fu_segment_lifecycle;

/** "vip", "key", "ordinary" (static; "?" for an unknown value). */
FU_EXTERN const char *fu_segment_tier_name(fu_segment_tier tier);
/** "unknown", "fast_moving", "mid", "durable". */
FU_EXTERN const char *fu_segment_product_class_name(fu_segment_product_class c);
/** "new", "growing", "mature", "declining", "churned". */
FU_EXTERN const char *fu_segment_lifecycle_name(fu_segment_lifecycle stage);

/** A band of a policy's threshold table (value tiers by annual spend,
 *  product classes by unit price): a value belongs when it is > `min`
 *  (`min_exclusive`, YAML `above`) or >= `min` (YAML `at_least`). Tables
 *  are sorted by `min` descending; the first band that matches wins. */
typedef struct fu_segment_band {
    const char *name;   /**< "vip", "high_price" */
    const char *rule;   /**< "segments.value_tiers.vip" */
    double min;         /**< lower bound */
    int min_exclusive;  /**< 1: value > min; 0: value >= min */
} fu_segment_band;

/** A composite segment of a policy (`segments.composite`): the first one
 *  whose condition holds names the customer's segment. Every part of the
 *  condition that is given must hold; 0 / empty parts hold for everyone. */
typedef struct fu_segment_composite {
    const char *name;         /**< "deep_care" */
    const char *rule;         /**< "segments.composite.deep_care" */
    uint32_t tiers;           /**< bit i: `tiers[i]` of the rules */
    uint32_t product_classes; /**< bit i: `classes[i]` of the rules */
    uint32_t lifecycles;      /**< bit `1u << fu_segment_lifecycle` */
    uint32_t rfm_groups;      /**< bit i: `rfm_rules[i]` of the rules */
    const char *const *industries; /**< any of these `industry` values (borrowed) */
    size_t n_industries;
    int is_smb;               /**< -1 any, 0 not a small business, 1 a small business */
    int64_t min_tenure;       /**< first purchase at least this many seconds ago; 0 any */
    /** 1 when the condition names facts of an event (severity, risk): it
     *  never holds for a customer, the segment is skipped. */
    int event_only;
    int human;                /**< handling: 1 one-to-one human, 0 automated */
} fu_segment_composite;

/** Flags of #fu_segment_rules. */
enum {
    /** Policy lifecycle (docs/policy.md, `segments.lifecycle`): stages are
     *  decided in the order churned, declining, new, mature, growing; a recent
     *  complaint and a spend drop make a customer declining; P(alive) is not
     *  used; rule names are the policy's key paths. */
    FU_SEGMENT_RULES_POLICY = 1u << 0
};

/**
 * Thresholds of the rule-based segments. The defaults are those of the
 * built-in policy (money in CNY); fu_segment_rules_new_from_policy() builds them
 * from a policy. Durations are seconds.
 *
 * Version 1 ends at `deep_care_tier`; fu_segment_assign() still accepts it.
 */
typedef struct fu_segment_rules {
    unsigned int version;          /**< #FU_SEGMENT_RULES_VERSION */
    double vip_above;              /**< annual spend > this: VIP (500000) */
    double key_from;               /**< annual spend >= this (and not VIP): key (100000) */
    double durable_above;          /**< unit price > this: durable (10000) */
    double mid_from;               /**< unit price >= this (and not durable): mid (1000) */
    int64_t new_within;            /**< first purchase this recent: new (90 days) */
    int64_t growing_within;        /**< tenure below this: growing (365 days) */
    int64_t declining_after;       /**< no purchase for longer: declining (180 days) */
    int64_t churned_after;         /**< no purchase for longer: churned (365 days) */
    double declining_p_alive;      /**< P(alive) below this: declining (0.5) */
    double churned_p_alive;        /**< P(alive) below this: churned (0.1) */
    double drop_ratio;             /**< purchases in the last year / the year before
                                        below this: churn risk (0.5) */
    unsigned int complaints_risk;  /**< this many recent complaints: churn risk (1) */
    int64_t deep_care_tenure;      /**< tenure at least this ... (3 years = 1095 days) */
    fu_segment_tier deep_care_tier;/**< ... and tier at least this: deep care (key) */
    /* ---- version 2 ---- */
    unsigned int flags;            /**< `FU_SEGMENT_RULES_*` (0) */
    /** With #FU_SEGMENT_RULES_POLICY: declining when the spend of the last
     *  year is at most (1 - spend_drop) times that of the year before
     *  (`fu_segment_customer.spend_*`); negative = off (-1). */
    double spend_drop;
    int64_t complaint_within;      /**< "recent" complaints: this recent (30 days) */
    int64_t rfm_window;            /**< purchases counted in RFM frequency and monetary (365 days) */
    unsigned int rfm_bins;         /**< RFM score bins, 2..10 (5) */
    /** Named value tiers (borrowed), or NULL for `vip_above` / `key_from`.
     *  The #fu_segment_tier of band i is its rank from the bottom, capped at
     *  VIP: the last band is ordinary, the one above it key, all above VIP. */
    const fu_segment_band *tiers;
    size_t n_tiers;
    /** Named product classes (borrowed), or NULL for `durable_above` /
     *  `mid_from`; the #fu_segment_product_class of band i is likewise its
     *  rank from the bottom (fast-moving, mid, durable and above). */
    const fu_segment_band *classes;
    size_t n_classes;
    /** RFM group table (borrowed), or NULL for fu_segment_rfm_default_rules(). */
    const fu_segment_rfm_rule *rfm_rules;
    size_t n_rfm_rules;
    /** Composite segments (borrowed), first match wins; NULL: no segment. */
    const fu_segment_composite *composite;
    size_t n_composite;
    /** Customers whose CLV is at or above this quantile of the CLVs in the
     *  call get human handling even when their segment says automated;
     *  negative = off (-1). */
    double human_from_quantile;
    int64_t clv_horizon;           /**< CLV horizon in seconds (3 years), for callers */
    double clv_annual_discount;    /**< annual discount rate of CLV (0.1), for callers */
} fu_segment_rules;

#define FU_SEGMENT_RULES_VERSION 2
#define FU_SEGMENT_DAY INT64_C(86400)
#define FU_SEGMENT_RULES_INIT                                                              \
    {FU_SEGMENT_RULES_VERSION, 500000.0, 100000.0, 10000.0, 1000.0, 90 * FU_SEGMENT_DAY,   \
     365 * FU_SEGMENT_DAY, 180 * FU_SEGMENT_DAY, 365 * FU_SEGMENT_DAY, 0.5, 0.1, 0.5, 1,  \
     1095 * FU_SEGMENT_DAY, FU_TIER_KEY, 0u, -1.0, 30 * FU_SEGMENT_DAY,                  \
     365 * FU_SEGMENT_DAY, 5u, NULL, 0, NULL, 0, NULL, 0, NULL, 0, -1.0,                  \
     1095 * FU_SEGMENT_DAY, 0.1}

/** Fill `rules` with the defaults. */
FU_EXTERN void fu_segment_rules_init(fu_segment_rules *rules);

/**
 * Rules from a policy's `segments` section: value tiers, product classes,
 * lifecycle thresholds (#FU_SEGMENT_RULES_POLICY), RFM window, bins and
 * groups, CLV horizon, discount and `human_from_quantile`, and the composite
 * segments. Every assignment made with them names the policy rule that made
 * it (`segments.value_tiers.vip`, `segments.lifecycle.declining.inactive_for`,
 * `segments.composite.deep_care`); docs/segmentation.md lists the names.
 *
 * Durations in months count 30.436875 days each (the rules hold seconds).
 *
 * @param[out] out a copy of the rules the policy built when it was loaded,
 *                 owned by the caller (fu_segment_rules_free()); their tables
 *                 and strings are borrowed from `policy`, which must outlive them
 * @param policy the policy (read during the call)
 * @return #FU_OK, #FU_EINVAL (NULL argument), #FU_ENOMEM
 */
FU_EXTERN int fu_segment_rules_new_from_policy(fu_segment_rules **out, const fu_policy *policy);

/** Free rules made by fu_segment_rules_new_from_policy(); NULL is a no-op.
 *  Never pass rules the caller filled itself. */
FU_EXTERN void fu_segment_rules_free(fu_segment_rules *rules);

/** What the rules look at for one customer. Unknown numbers are negative
 *  (or NaN); unknown times are #FU_SEGMENT_NO_PURCHASE. Initialise with
 *  fu_segment_customer_init(): the fields after `p_alive` are read only by
 *  rules with #FU_SEGMENT_RULES_POLICY, composite segments or
 *  `human_from_quantile`. */
typedef struct fu_segment_customer {
    double annual_spend;          /**< CNY (policy currency) over the last year */
    double unit_price;            /**< unit price of the (main) product bought */
    int64_t first_purchase_at;    /**< UTC s */
    int64_t last_purchase_at;     /**< UTC s */
    unsigned int purchases;       /**< purchases over the whole tenure */
    unsigned int purchases_last_year;     /**< in (now - 365 d, now] */
    unsigned int purchases_previous_year; /**< in (now - 730 d, now - 365 d] */
    unsigned int recent_complaints;       /**< complaints in the last `complaint_within` */
    double p_alive;               /**< from a model, or negative when unknown */
    double spend_last_year;       /**< purchase value in (now - 365 d, now]; NaN unknown */
    double spend_previous_year;   /**< purchase value in (now - 730 d, now - 365 d]; NaN unknown */
    double clv;                   /**< customer lifetime value; NaN unknown */
    const char *rfm_group;        /**< RFM group name (fu_segment_rfm.group) or NULL */
    const char *industry;         /**< NULL when unknown */
    int is_smb;                   /**< -1 unknown, 0 no, 1 yes */
} fu_segment_customer;

/** Set every field of `c` to unknown (no purchase, NaN, -1, NULL, 0 counts). */
FU_EXTERN void fu_segment_customer_init(fu_segment_customer *c);

/** Rule-based segments of one customer. Every `*_rule` names the policy
 *  rule that decided ("segments.value_tiers.vip"); the strings are static or
 *  borrowed from the rules. `churn_rule` and `deep_care_rule` are NULL when
 *  the flag is off; `segment`, `segment_rule` and `handling_rule` are NULL
 *  when the rules have no composite segments. */
typedef struct fu_segment_assignment {
    fu_segment_tier tier;
    const char *tier_rule;
    fu_segment_product_class product_class;
    const char *product_rule;
    fu_segment_lifecycle lifecycle;
    const char *lifecycle_rule;
    int churn_risk;
    const char *churn_rule;
    int deep_care;
    const char *deep_care_rule;
    const char *tier_name;          /**< the tier's name in the rules ("vip") */
    const char *product_class_name; /**< the class's name in the rules ("high_price"); "unknown" */
    const char *segment;            /**< composite segment ("deep_care") */
    const char *segment_rule;       /**< "segments.composite.deep_care" */
    int human;                      /**< 1: one-to-one human follow-up; 0: automated */
    /** What decided `human`: the segment's rule, or
     *  "segments.clv.human_from_quantile" when the CLV raised it. */
    const char *handling_rule;
} fu_segment_assignment;

/**
 * Assign value tier, product class, lifecycle stage, churn-risk and
 * deep-care flags, and (with composite rules) the composite segment and its
 * handling to `n` customers as of `now` (UTC s). The decision order is
 * written out in docs/segmentation.md. The CLV quantile of
 * `human_from_quantile` is taken over the customers of this call whose CLV
 * is known.
 *
 * @param customers the customers' features
 * @param n their number
 * @param now the as-of instant, UTC seconds
 * @param rules  NULL for the defaults
 * @param[out] out n assignments
 * @return #FU_OK, #FU_EINVAL (bad rules; a last purchase before the first,
 *         naming the index), #FU_ENOMEM (only with `human_from_quantile`)
 */
FU_EXTERN int fu_segment_assign(const fu_segment_customer *customers, size_t n, int64_t now,
                                const fu_segment_rules *rules, fu_segment_assignment *out);

/** @} */

/* ===================================================================== */
/** @name A whole customer book
 * @{ */

/** Options of fu_segment_book_summarize(). */
typedef struct fu_segment_book_options {
    unsigned int version;   /**< #FU_SEGMENT_BOOK_OPTIONS_VERSION */
    double unit_seconds;    /**< model time unit (default 604800 = weeks) */
    /** 1 (default): same-day purchases merge by the customer's local day
     *  (its time zone; UTC for a customer without one). 0: days start at
     *  `day_offset` seconds east of UTC for everybody. */
    int local_days;
    int64_t day_offset;     /**< with `local_days` 0 (default 0) */
} fu_segment_book_options;

#define FU_SEGMENT_BOOK_OPTIONS_VERSION 1
#define FU_SEGMENT_BOOK_OPTIONS_INIT {FU_SEGMENT_BOOK_OPTIONS_VERSION, 604800.0, 1, 0}

/** Fill `opts` with the defaults (same as #FU_SEGMENT_BOOK_OPTIONS_INIT: weeks,
 *  local days). */
FU_EXTERN void fu_segment_book_options_init(fu_segment_book_options *opts);

/**
 * Everything segmentation reads about the customers of a book, one row per
 * customer in book order (columns of length `n`).
 */
typedef struct fu_segment_book_summary {
    size_t n;                        /**< customers of the book */
    /** Model summaries x, t_x, T, zbar, total, first_at as of `now` (the
     *  calibration end), in the model unit; first purchase excluded from
     *  zbar; same-day purchases merged. */
    fu_segment_summary *summary;
    int64_t *last_at;   /**< start of the last purchase day (UTC s), or #FU_SEGMENT_NO_PURCHASE */
    double *recency;    /**< (now - last_at) / unit; NaN without a purchase */
    double *frequency;  /**< purchase days in (now - rfm_window, now] */
    double *monetary;   /**< purchase value in (now - rfm_window, now] */
    /** RFM scores over the customers with a purchase, with the rules' bins
     *  and group table; all zero and `group` NULL for the others. */
    fu_segment_rfm *rfm;
    /** Facts for fu_segment_assign() (p_alive -1 and clv NaN: fill them from
     *  a model). `industry` and `rfm_group` are borrowed from the book and
     *  the rules. */
    fu_segment_customer *customers;
} fu_segment_book_summary;

/**
 * Summarize a whole book as of `now` in one call: the model summaries, the
 * recency / frequency / monetary columns and RFM scores, and the facts that
 * fu_segment_assign() reads (annual spend: the customer's `annual_spend`,
 * else the purchase value of the last 365 days; unit price: the highest one
 * bought; purchases and spend per year; complaints within
 * `rules->complaint_within`).
 *
 * Purchases are `purchase` events at or before `now`; a purchase's value is
 * its `amount`, else its `unit_price`, else 0; purchases with a negative
 * amount (refunds) are left out. Days are the customer's local days (or
 * start at `day_offset`); purchases of one day are one transaction. The
 * model summaries and RFM columns come from the purchase events only; a
 * customer's `first_purchase_at` earlier than its first purchase event (a
 * history cut off on the left) sets `customers[i].first_purchase_at` (the
 * tenure of the lifecycle rules) and counts as one more purchase there. The
 * book must be finalized.
 *
 * @param book the book
 * @param now the as-of instant, UTC seconds
 * @param rules  NULL for the defaults; the result borrows its RFM group names
 * @param opts   NULL for the defaults
 * @param[out] out owned by the caller (fu_segment_book_summary_free())
 * @return #FU_OK, #FU_EINVAL, #FU_ESTATE (book not finalized), #FU_ETIMEZONE,
 *         #FU_ENOMEM
 */
FU_EXTERN int fu_segment_book_summarize(const fu_book *book, int64_t now, const fu_segment_rules *rules,
                                        const fu_segment_book_options *opts, fu_segment_book_summary **out);

/** Free a book summary; NULL is a no-op. */
FU_EXTERN void fu_segment_book_summary_free(fu_segment_book_summary *summary);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* FOLLOWUP_SEGMENT_H */
