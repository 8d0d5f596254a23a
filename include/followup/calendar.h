/**
 * @file followup/calendar.h
 * @brief (module under construction)
 */
#ifndef FOLLOWUP_CALENDAR_H
#define FOLLOWUP_CALENDAR_H

#include "followup/common.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif

#endif /* FOLLOWUP_CALENDAR_H */
