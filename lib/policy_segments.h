/* The typed `segments` section (built by policy_segments.c) and the
 * fu_segment_rules made from it for lib/segment.c. */
#ifndef FU_POLICY_SEGMENTS_H
#define FU_POLICY_SEGMENTS_H

#include "policy_types.h"
#include "followup/segment.h"

/* ------------------------------------------------------------- segments */

/* A threshold band: a value v belongs when v > min (min_exclusive, YAML
 * `above`) or v >= min (YAML `at_least`). Bands are sorted by min
 * descending; the first that matches wins; the last one has min 0 inclusive
 * so every non-negative value has a band. */
typedef struct fu__pol_band {
    const char *name; /* "vip", "high_price" */
    const char *rule; /* "segments.value_tiers.vip" */
    double min;
    int min_exclusive;
    const char *kind; /* product classes: "durable", ...; NULL for tiers */
} fu__pol_band;

/* Inclusive score range 1..bins of one RFM dimension; lo = 0 means any. */
typedef struct fu__pol_range {
    int lo, hi;
} fu__pol_range;

typedef struct fu__pol_rfm_group {
    const char *name;
    const char *rule; /* "segments.rfm.high_value_loyal" */
    fu__pol_range r, f, m;
} fu__pol_rfm_group;

typedef enum fu__pol_handling {
    FU__HANDLING_HUMAN = 0,    /* one-to-one follow-up by an agent */
    FU__HANDLING_AUTOMATED = 1 /* SMS / e-mail / bot */
} fu__pol_handling;

typedef struct fu__pol_composite {
    const char *name;
    const char *rule; /* "segments.composite.deep_care" */
    fu__pol_when when;
    fu__pol_handling handling;
} fu__pol_composite;

typedef struct fu__pol_segments {
    fu__pol_band tiers[FU__POL_MAX_TIERS]; /* value tiers by annual spend */
    size_t n_tiers;
    fu__pol_band classes[FU__POL_MAX_TIERS]; /* product classes by unit price */
    size_t n_classes;
    /* lifecycle: checked in the order churned, declining, new, mature, growing */
    fu_duration new_within;      /* first purchase less than this ago: new */
    fu_duration mature_after;    /* tenure at least this: mature */
    fu_duration declining_inactive_for; /* no purchase this long: declining */
    double declining_spend_drop; /* last-12-months spend fell by >= this share: declining */
    fu_duration declining_complaint_within; /* complaint this recent: declining */
    fu_duration churned_after;   /* no purchase this long: churned */
    /* RFM */
    fu_duration rfm_window;
    int rfm_bins; /* 2..10 */
    fu__pol_rfm_group rfm_groups[FU__POL_MAX_TIERS]; /* first match wins */
    size_t n_rfm_groups;
    /* CLV */
    fu_duration clv_horizon;
    double clv_annual_discount_rate;   /* [0,1) */
    double clv_human_from_quantile;    /* [0,1]: this CLV quantile and up -> human */
    /* composite segments, first match wins */
    const fu__pol_composite *composite;
    size_t n_composite;
    /* the same as the rules of lib/segment.c, built once with the policy */
    const struct fu_segment_rules *rules;
} fu__pol_segments;

/* The policy's segments as fu_segment_rules (borrowed: tables and strings
 * live as long as the policy); NULL for a NULL policy. */
const fu_segment_rules *fu__policy_segment_rules(const fu_policy *p);

#endif /* FU_POLICY_SEGMENTS_H */
