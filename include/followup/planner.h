/**
 * @file followup/planner.h
 * @brief (module under construction)
 */
#ifndef FOLLOWUP_PLANNER_H
#define FOLLOWUP_PLANNER_H

#include "followup/common.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif

#endif /* FOLLOWUP_PLANNER_H */
