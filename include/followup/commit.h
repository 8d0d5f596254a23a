/**
 * @file followup/commit.h
 * @brief (module under construction)
 */
#ifndef FOLLOWUP_COMMIT_H
#define FOLLOWUP_COMMIT_H

#include "followup/common.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif

#endif /* FOLLOWUP_COMMIT_H */
