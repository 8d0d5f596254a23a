/**
 * @file followup/kpi.h
 * @brief (module under construction)
 */
#ifndef FOLLOWUP_KPI_H
#define FOLLOWUP_KPI_H

#include "followup/common.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif

#endif /* FOLLOWUP_KPI_H */
