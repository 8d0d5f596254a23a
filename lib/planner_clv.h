/* CLV decides human vs automated (channels.by_clv): the customers' CLV given
 * to a planner (fu_planner_set_clv()) and the rule (lib/planner_clv.c). Internal. */
#ifndef FU_PLANNER_CLV_H
#define FU_PLANNER_CLV_H

#include "followup/planner.h"
#include "internal.h"
#include "policy_internal.h"

typedef struct fu__clv {
    double *v;        /* per customer of the book (index), NAN unknown */
    size_t n;
    double threshold; /* one-to-one from this CLV */
    double quantile;  /* the quantile it is (segments.clv.human_from_quantile); NAN: channels.by_clv.human_at_least */
} fu__clv;

void fu__clv_free(fu__clv *k);

/* The channel of a contact of customer `ci` on fu_channel `channel` with
 * priority `prio` under channels.by_clv; *applies 1 when the rule decided
 * (the policy has it, the priority is one it moves, the CLV is known). */
int fu__clv_channel(const fu__clv *k, const fu__policy *P, size_t ci, int channel, int prio, int *applies);

/* Appends ", sms instead of phone (channels.by_clv: CLV ... below ...)" or
 * ", one-to-one (channels.by_clv: CLV ... at or above ...)" to b. */
void fu__clv_reason(const fu__clv *k, size_t ci, int from, int to, fu__buf *b);

/* lib/planner.c */
fu__clv **fu__planner_clv(fu_planner *pl);
const fu_book *fu__planner_book(const fu_planner *pl);
const fu__policy *fu__planner_policy(const fu_planner *pl);

#endif
