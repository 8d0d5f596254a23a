/**
 * @file followup/redact.h
 * @brief (module under construction)
 */
#ifndef FOLLOWUP_REDACT_H
#define FOLLOWUP_REDACT_H

#include "followup/common.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif

#endif /* FOLLOWUP_REDACT_H */
