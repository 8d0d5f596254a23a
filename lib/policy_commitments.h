/* The typed `commitments` section (built by policy_commitments.c), for
 * lib/commit.c. */
#ifndef FU_POLICY_COMMITMENTS_H
#define FU_POLICY_COMMITMENTS_H

#include "policy_calendars.h"
#include "policy_patterns.h"

typedef struct fu__pol_commitments {
    const fu__pol_calendar *calendar; /* business time of deadlines */
    double warn_at;         /* (0,1]: share of the allowed time */
    double breach_at;       /* [warn_at, 2] */
    fu_duration escalate_after;
    fu_duration default_deadline;
    const fu__pol_pattern *patterns; size_t n_patterns; /* extraction, first match wins */
    const fu__pol_pattern *risky; size_t n_risky;
} fu__pol_commitments;

/* The typed `commitments` section of a loaded policy (borrowed); NULL for NULL. */
const fu__pol_commitments *fu__policy_commitments(const fu_policy *p);

#endif /* FU_POLICY_COMMITMENTS_H */
