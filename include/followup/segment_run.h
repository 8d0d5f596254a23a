/**
 * @file followup/segment_run.h
 * @brief The segmentation pipeline in one call: summarize a book, fit the
 *        purchase model (BG/NBD or Pareto/NBD) and Gamma-Gamma, score P(alive),
 *        expected purchases and CLV, assign tiers, lifecycle and segments, and
 *        write the segment CSV of docs/formats.md.
 *
 * What `followup segment` prints and what the bindings' `segment_run` give:
 * one row per customer of the book, in book order. Customers without a
 * purchase before `now` get tier, lifecycle and segment and no model figures
 * (NaN). When the data do not identify the Gamma-Gamma spend model the run
 * still succeeds, without CLV (fu_segment_run_fit::has_gammagamma 0, with
 * the reason). When the purchase model cannot be fitted (a small or new
 * book) it succeeds too, without P(alive), expected purchases and CLV
 * (fu_segment_run_fit::has_model 0, with the reason): the value tiers,
 * lifecycle stages and segments do not depend on the model.
 *
 * Threads: a run is immutable once made and may be read by several threads.
 */
#ifndef FOLLOWUP_SEGMENT_RUN_H
#define FOLLOWUP_SEGMENT_RUN_H

#include "common.h"
#include "segment.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The purchase model of a run. */
typedef enum fu_segment_model {
    FU_SEGMENT_MODEL_BGNBD = 0,  /**< BG/NBD (fu_segment_bgnbd_fit()) */
    FU_SEGMENT_MODEL_PARETO = 1  /**< Pareto/NBD (fu_segment_pareto_fit()) */
} fu_segment_model;

/** `now` of fu_segment_run_new(): the time of the book's last event. */
#define FU_SEGMENT_RUN_LAST_EVENT INT64_MIN

#define FU_SEGMENT_RUN_OPTIONS_VERSION 1
/** Options of fu_segment_run_new(); start from #FU_SEGMENT_RUN_OPTIONS_INIT. */
typedef struct fu_segment_run_options {
    unsigned int version;    /**< #FU_SEGMENT_RUN_OPTIONS_VERSION */
    fu_segment_model model;  /**< default BG/NBD */
    double unit_seconds;     /**< the model's time unit in seconds (default a week, 604800) */
    double horizon;          /**< expected purchases and CLV over this many units; < 0
                                  (default): the rules' clv_horizon */
    double annual_discount;  /**< annual discount rate of CLV in [0, 1); < 0 (default):
                                  the rules' clv_annual_discount */
    int local_days;          /**< 1 (default): same-day purchases by the customer's local day */
    int64_t day_offset;      /**< with local_days 0: days start at this UTC offset (s) */
} fu_segment_run_options;

#define FU_SEGMENT_RUN_OPTIONS_INIT \
    {FU_SEGMENT_RUN_OPTIONS_VERSION, FU_SEGMENT_MODEL_BGNBD, 604800.0, -1.0, -1.0, 1, 0}

/** Set `o` to #FU_SEGMENT_RUN_OPTIONS_INIT. */
FU_EXTERN void fu_segment_run_options_init(fu_segment_run_options *o);

/** The fitted models of a run (borrowed from it). */
typedef struct fu_segment_run_fit {
    fu_segment_model model;
    fu_segment_bgnbd bgnbd;              /**< with #FU_SEGMENT_MODEL_BGNBD */
    fu_segment_pareto pareto;            /**< with #FU_SEGMENT_MODEL_PARETO */
    fu_segment_fit_info info;            /**< of the purchase model */
    int has_gammagamma;                  /**< 0: the spend model is not identified, no CLV */
    fu_segment_gammagamma gammagamma;
    fu_segment_fit_info gammagamma_info;
    size_t repeat_customers;             /**< customers the spend model was fitted on */
    const char *gammagamma_error;        /**< why it is not identified ("" when it is) */
    int64_t now;                         /**< the as-of instant used */
    double unit_seconds, horizon, annual_discount; /**< as used */
    int has_model;                       /**< 0: the purchase model could not be fitted: no P(alive),
                                              expected purchases or CLV (NaN), tiers and segments still */
    const char *model_error;             /**< why it could not ("" when it was fitted) */
} fu_segment_run_fit;

/** A finished run (opaque). */
typedef struct fu_segment_run fu_segment_run;

/**
 * Run the pipeline on a finalized book as of `now` (#FU_SEGMENT_RUN_LAST_EVENT:
 * the time of its last event).
 *
 * @param rules  the segment rules (fu_segment_rules_new_from_policy()), required
 * @param opts   NULL: #FU_SEGMENT_RUN_OPTIONS_INIT
 * @param[out] out  the run, the caller's (fu_segment_run_free()); it borrows
 *                  `rules` (its group names) but not the book
 * @param book the book
 * @param now the as-of instant, UTC seconds
 * @return #FU_OK; #FU_EINVAL (bad options, a book without events and no
 *         `now`); #FU_ESTATE (book not finalized); #FU_ERANGE (no customer
 *         with a purchase before `now`: nothing to fit);
 *         the purchase model's fit error (#FU_ECONVERGE, ...) with the
 *         message "cannot fit the BG/NBD model on N customers with
 *         purchases: ..."; #FU_ECANCELED; #FU_ENOMEM.
 */
FU_EXTERN int fu_segment_run_new(fu_segment_run **out, const fu_book *book, int64_t now,
                                 const fu_segment_rules *rules, const fu_segment_run_options *opts);

/** Free a run (NULL is a no-op). */
FU_EXTERN void fu_segment_run_free(fu_segment_run *run);

/** The fitted models and the settings used (borrowed). */
FU_EXTERN const fu_segment_run_fit *fu_segment_run_fit_result(const fu_segment_run *run);

/** The customers of the run (the book's count). */
FU_EXTERN size_t fu_segment_run_count(const fu_segment_run *run);

/** The book summary (RFM scores, facts) the run assigned from (borrowed). */
FU_EXTERN const fu_segment_book_summary *fu_segment_run_summary(const fu_segment_run *run);

/** The assignments, one per customer in book order (borrowed). */
FU_EXTERN const fu_segment_assignment *fu_segment_run_assignments(const fu_segment_run *run);

/** The model columns, one value per customer in book order (borrowed); NaN
 *  for a customer without a purchase (and every CLV without a spend model). */
FU_EXTERN const double *fu_segment_run_p_alive(const fu_segment_run *run);
FU_EXTERN const double *fu_segment_run_expected(const fu_segment_run *run);
FU_EXTERN const double *fu_segment_run_clv(const fu_segment_run *run);

/** fu_segment_run_write_csv() flag: text cells as they are, without formula
 *  neutralisation (docs/formats.md). */
#define FU_SEGMENT_CSV_RAW 0x2u

/**
 * The segment CSV (docs/formats.md): `customer_id, tier, lifecycle, r, f, m,
 * p_alive, expected_purchases, clv, segment, rule, handling`, one row per
 * customer; empty cells for the figures a customer does not have; `rule`
 * joins the tier, lifecycle, segment and handling rules with ';'.
 *
 * @param run the segment run
 * @param book   the book the run was made from (its customer ids)
 * @param[out] out  NUL-terminated, the caller's (fu_free())
 * @param flags flags (0 for none), as described above
 * @param len the length of the text (may be NULL)
 * @return #FU_OK; #FU_EINVAL (NULL, a book of another size); #FU_ENOMEM.
 */
FU_EXTERN int fu_segment_run_write_csv_to_string(const fu_segment_run *run, const fu_book *book,
                                                 unsigned int flags, size_t *len, char **out);

/** fu_segment_run_write_csv_to_string() to a file, replaced all or nothing.
 *  @return also #FU_EIO. */
FU_EXTERN int fu_segment_run_write_csv(const fu_segment_run *run, const fu_book *book,
                                       unsigned int flags, const char *path);

#ifdef __cplusplus
}
#endif

#endif /* FOLLOWUP_SEGMENT_RUN_H */
