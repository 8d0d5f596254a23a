/**
 * @file followup/policy.h
 * @brief (module under construction)
 */
#ifndef FOLLOWUP_POLICY_H
#define FOLLOWUP_POLICY_H

#include "followup/common.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif

#endif /* FOLLOWUP_POLICY_H */
