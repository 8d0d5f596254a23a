/* fu_besttime internals shared by lib/besttime.c (data, constraints,
 * queries) and lib/besttime_fit.c (the prior fit). */
#ifndef FU_BESTTIME_INTERNAL_H
#define FU_BESTTIME_INTERNAL_H

#include "internal.h"
#include "policy_internal.h"
#include "followup/besttime.h"

#include <math.h>

#define FU__BT_MIX_K 8  /* most types of the mixture */
#define FU__BT_MIX_L 20 /* customer levels of the mixture */
#define FU__BT_MIX_P 48 /* most times of day: 24 weekday + 24 weekend slots */

typedef struct bt_cell {
    double s;  /* decayed successes, at the customer's t_ref */
    double n;  /* decayed trials: sum of the weights w */
    double w2; /* sum of the squared weights (effective trials n^2 / w2) */
    uint16_t slot;
} bt_cell;

typedef struct bt_cust {
    int64_t t_ref;    /* time the cells are decayed to; FU_BOOK_NO_TIME: no evidence */
    bt_cell *cells;   /* sorted by slot */
    uint32_t seg;
    uint32_t pref, dnd; /* index into m->wins, BT_NONE */
    uint16_t n_cells, cap_cells; /* cap 0 with cells != NULL: cells live in m->pool */
    uint16_t zone;
    uint8_t consent[3]; /* fu_tristate of phone, sms, email */
    uint8_t b2b;
    int16_t month_end; /* index into m->supp, -1 none */
} bt_cust;

typedef struct bt_zone {
    char *tz;
    fu_calendar *cal;
    /* The business calendar of the zone's B2B customers (NULL until one is
     * met): the policy calendar itself in its own zone, a copy in this zone
     * with its holidays in another zone of its country (`biz_home` for both),
     * else a calendar of this zone with its weekly hours only (owned when a
     * copy: fu__calendar_rules_in_zone()). */
    const fu_calendar *biz;
    fu_calendar *biz_owned;
    uint8_t biz_home;
} bt_zone;

typedef struct bt_win {
    fu_windows *w;
    uint8_t full[FU_HOURS_PER_WEEK / 8];
    uint8_t any[FU_HOURS_PER_WEEK / 8];
} bt_win;

struct fu_besttime {
    const fu_policy *policy;
    const fu__policy *pol;
    /* resolved options */
    unsigned int flags;
    unsigned int b2b_by; /* FU_BESTTIME_B2B_* */
    int n_slots, hours_per_slot;
    double inv_half_life; /* 1 / half-life in seconds; 0: no decay */
    double prior_strength, prior_rate, smoothing, min_strength, max_strength;
    double share_day, share_hour;
    int slots_per_day; /* 0 when slots do not tile days: no sharing */
    int propensity;    /* fit slot means adjusted for customer propensity */
    size_t min_customers;
    fu_besttime_prior_method method;
    /* customers */
    size_t n_cust;
    bt_cust *cust;
    uint64_t *id_hash; /* per customer: fu__bt_id_hash of its id (model files map by it) */
    bt_cell *pool;
    bt_zone *zones;
    size_t n_zones;
    bt_win *wins;
    size_t n_wins;
    /* priors: n_seg x n_slots */
    size_t n_seg;
    double *alpha, *beta;
    /* constraints from the policy */
    const fu_windows *quiet;
    uint8_t quiet_full[FU_HOURS_PER_WEEK / 8], quiet_any[FU_HOURS_PER_WEEK / 8];
    const fu__pol_calendar *biz;
    char *rule_biz_hours, *rule_biz_holidays;
    const fu__pol_suppression **supp; /* month-end rules */
    size_t n_supp;
    /* The mixture of hour profiles (lib/besttime_mix.c); mix_k 0: none. */
    int mix_k;                 /* types, 2..FU__BT_MIX_K */
    int mix_p;                 /* times of day: 2 x slots_per_day (Mon-Fri, Sat-Sun) */
    int mix_fitted;            /* profiles and customers' summaries are set */
    double mix_prof[FU__BT_MIX_K * FU__BT_MIX_P]; /* mix_k x mix_p answer profiles */
    double mix_lw[FU__BT_MIX_K * FU__BT_MIX_L];   /* log prior weight of (type, level) */
    double *mix_lp;            /* log p, then log (1 - p), of (type, level, time of day) */
    float *mix_m;              /* n_cust x mix_k: posterior mass x mean level per type */
    double mix_tw[FU__BT_MIX_K];  /* fitted type weights */
    double mix_lv[FU__BT_MIX_L];  /* fitted level weights */
    int mix_warm;              /* the next fit starts from mix_prof, mix_tw, mix_lv */
    int mix_rounds;            /* EM rounds of the last fit */
    /* Evaluation only (the simulation's oracle arm): when set, an hour's
     * answer probability is the ground truth's, not the posterior mean. */
    const double *oracle_p;  /* customers x 24 by local hour, borrowed */
    const double *oracle_wf; /* weekend factor per customer, borrowed; NULL: 1 */
};

/* A 64-bit hash of a customer id's bytes: what a model file (version 2)
 * records per customer to map its lines to the customers of the model it is
 * loaded into (lib/besttime_file.c). Part of the file format: never changed
 * within a version. */
static inline uint64_t fu__bt_id_hash(const char *s, size_t n) {
    const unsigned char *p = (const unsigned char *)s;
    uint64_t h = 0x9e3779b97f4a7c15ull ^ ((uint64_t)n * 0xc2b2ae3d27d4eb4full);
    for (; n >= 8; n -= 8, p += 8) {
        uint64_t w = 0;
        for (int i = 7; i >= 0; i--) w = w << 8 | p[i]; /* little-endian on every host */
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 29;
    }
    uint64_t w = 0;
    for (size_t i = n; i > 0; i--) w = w << 8 | p[i - 1];
    h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    return h ^ (h >> 33);
}

static inline double bt_decay(const fu_besttime *m, int64_t dt) {
    if (dt <= 0 || m->inv_half_life == 0.0) return 1.0;
    return exp2(-(double)dt * m->inv_half_life);
}

/* Fit the segment priors from the evidence decayed to `as_of`
 * (lib/besttime_fit.c; docs/besttime.md, "Fitting the prior"). */
int fu__bt_fit(fu_besttime *m, int64_t as_of);

/* The mixture of hour profiles (lib/besttime_mix.c): fit the profiles and
 * every customer's posterior (no-op without the mixture); recompute one
 * customer's posterior after an online update; its predictive answer
 * probability at a slot; the time-of-day index of a slot. */
int fu__bt_mix_fit(fu_besttime *m);
/* Start the next fit of m's mixture from the fitted parameters of `prev` (a
 * model of the same policy on an earlier book) and run at most
 * FU__BT_MIX_WARM_ITERS EM rounds; no-op unless both are mixtures of the
 * same shape and prev was fitted. */
void fu__bt_mix_warm_from(fu_besttime *m, const fu_besttime *prev);
#define FU__BT_MIX_WARM_ITERS 30
void fu__bt_mix_update(fu_besttime *m, size_t customer);
double fu__bt_mix_mean(const fu_besttime *m, size_t customer, int slot);
int fu__bt_mix_index(const fu_besttime *m, int slot);

/* Evaluation only: rank hours by a ground truth (`answer_prob[customer * 24 +
 * local hour]`, x `weekend_factor[customer]` on Saturdays and Sundays) instead
 * of the model's posterior means; the constraints are the model's. Used by the
 * simulation's oracle arm (FU_SIMULATION_ORACLE) to measure the ceiling of any
 * best-time model; the arrays are borrowed. */
void fu__besttime_set_oracle(fu_besttime *m, const double *answer_prob, const double *weekend_factor);

/* fu_besttime_new() whose mixture fit (when the policy asks for one) starts
 * from the fitted parameters of `prev` (NULL: a fit from scratch, as
 * fu_besttime_new()): the simulation's day-by-day refit
 * (docs/besttime.md, "Warm-started refits"). */
int fu__besttime_new_warm(fu_besttime **out, const fu_policy *policy, const fu_book *book, const uint32_t *segment,
                          size_t n_segments, const fu_besttime_options *opts, const fu_besttime *prev);

#endif /* FU_BESTTIME_INTERNAL_H */
