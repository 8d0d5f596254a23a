/**
 * @file followup/besttime.h
 * @brief (module under construction)
 */
#ifndef FOLLOWUP_BESTTIME_H
#define FOLLOWUP_BESTTIME_H

#include "followup/common.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif

#endif /* FOLLOWUP_BESTTIME_H */
