/**
 * @file followup/segment.h
 * @brief (module under construction)
 */
#ifndef FOLLOWUP_SEGMENT_H
#define FOLLOWUP_SEGMENT_H

#include "followup/common.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif

#endif /* FOLLOWUP_SEGMENT_H */
