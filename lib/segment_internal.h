/* Private to fu_segment: shared between lib/segment.c (summaries, RFM, rules)
 * and lib/segment_models.c (special functions, fitting, scoring). */
#ifndef FU_SEGMENT_INTERNAL_H
#define FU_SEGMENT_INTERNAL_H

#include "followup/segment.h"
#include "internal.h"

/* log Gamma and digamma for x > 0 (thread-safe, unlike lgamma's signgam);
 * fu__seg_lgamma also serves fu_besttime and fu_kpi. */
double fu__seg_lgamma(double x);
double fu__seg_digamma(double x);

#endif /* FU_SEGMENT_INTERNAL_H */
