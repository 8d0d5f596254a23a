/**
 * @file followup/book.h
 * @brief (module under construction)
 */
#ifndef FOLLOWUP_BOOK_H
#define FOLLOWUP_BOOK_H

#include "followup/common.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif

#endif /* FOLLOWUP_BOOK_H */
