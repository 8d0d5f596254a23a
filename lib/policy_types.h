/* The vocabulary that every section of the typed policy shares: limits,
 * optional values, lifecycle stages, channels, priorities and conditions
 * (`when:`). See policy_internal.h for ownership, threads and rule names. */
#ifndef FU_POLICY_TYPES_H
#define FU_POLICY_TYPES_H

#include "internal.h"
#include "followup/policy.h"

/* Limits of the typed policy (documented in docs/policy.md). */
#define FU__POL_MAX_TIERS 32       /* value tiers, product classes, RFM groups: bit masks */
#define FU__POL_MAX_INTERVALS 8    /* business-hour intervals per weekday */

/* A list of strings (borrowed from the policy). */
typedef struct fu__pol_strs {
    const char *const *v;
    size_t n;
} fu__pol_strs;

/* An optional duration: `set` is 0 when the policy leaves it out. */
typedef struct fu__pol_dur {
    fu_duration d;
    int set;
} fu__pol_dur;

/* Lifecycle stages (segments.lifecycle). The bit of stage s is 1u << s. */
typedef enum fu__pol_lifecycle {
    FU__LC_NEW = 0,
    FU__LC_GROWING = 1,
    FU__LC_MATURE = 2,
    FU__LC_DECLINING = 3, /* churn risk */
    FU__LC_CHURNED = 4,
    FU__LC_COUNT = 5
} fu__pol_lifecycle;
/* "new", "growing", "mature", "declining", "churned"; NULL out of range. */
const char *fu__pol_lifecycle_name(int stage);

/* Contact channels. The bit of channel c is 1u << c. */
typedef enum fu__pol_channel {
    FU__CH_PHONE = 0,
    FU__CH_SMS = 1,
    FU__CH_EMAIL = 2,
    FU__CH_CHAT = 3, /* chat / WeChat */
    FU__CH_VIDEO = 4,
    FU__CH_VISIT = 5, /* on-site visit */
    FU__CH_COUNT = 6
} fu__pol_channel;
/* "phone", "sms", "email", "chat", "video", "visit"; NULL out of range. */
const char *fu__pol_channel_name(int channel);

/* Priorities of a contact, most pressing first. The bit of p is 1u << p. */
typedef enum fu__pol_priority {
    FU__PRIO_URGENT = 0,
    FU__PRIO_HIGH = 1,
    FU__PRIO_NORMAL = 2,
    FU__PRIO_LOW = 3,
    FU__PRIO_COUNT = 4
} fu__pol_priority;
/* "urgent", "high", "normal", "low"; NULL out of range. */
const char *fu__pol_priority_name(int priority);

/* A condition (`when:` in the YAML). Every part that is given must hold; an
 * empty part (mask 0, list n 0, unset) holds for everyone. Masks index the
 * arrays of fu__pol_segments (bit i = tiers[i], classes[i], rfm_groups[i]). */
typedef struct fu__pol_when {
    uint32_t tiers;          /* value tiers of the customer */
    uint32_t product_classes; /* product class of the triggering event's item */
    uint32_t lifecycles;     /* lifecycle stages (fu__pol_lifecycle bits) */
    uint32_t rfm_groups;     /* RFM groups of the customer */
    fu__pol_strs severities; /* event `severity` values, e.g. "urgent" */
    fu__pol_strs industries; /* customer `industry` values, e.g. "bank" */
    fu__pol_strs risks;      /* risk level of the sold product, e.g. "high" */
    int is_smb;              /* -1 any, 0 not a small business, 1 a small business */
    fu__pol_dur min_tenure;  /* customer since at least this long */
    uint32_t surveys;        /* survey scales of the triggering survey answer (fu_survey bits) */
    int has_score_max;       /* score_at_most given */
    double score_max;        /* the survey answer's score is at most this */
    int unresolved;          /* 1: the triggering problem has no `resolved` event since (same order) */
} fu__pol_when;

#endif /* FU_POLICY_TYPES_H */
