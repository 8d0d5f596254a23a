/* One copy per plan of the texts merged touchpoints repeat (their purposes
 * and rules: a few hundred distinct in a plan of a million customers, each
 * copied per row before; lib/planner_intern.c). Private. */
#ifndef FU_PLANNER_INTERN_H
#define FU_PLANNER_INTERN_H

#include "arena_internal.h"

#include <stddef.h>
#include <stdint.h>

typedef struct fu__pl_texts {
    const char **v; /* open addressing, NULL empty; texts in the plan's arena */
    uint32_t *h;    /* their hashes */
    size_t cap, n;  /* cap a power of two, or 0 */
} fu__pl_texts;

#define FU__PL_INTERN_MAX 65536 /* texts kept; more are copied as before */

/* The text s[0 .. n) in `arena` (a plan's), one copy for every equal text
 * asked since the last fu__pl_intern_reset() (past FU__PL_INTERN_MAX texts,
 * a copy each); NULL when out of memory. */
const char *fu__pl_intern(fu__pl_texts *T, fu__arena *arena, const char *s, size_t n);
/* Forget the texts (a new plan: the old one's arena may be gone). */
void fu__pl_intern_reset(fu__pl_texts *T);
void fu__pl_intern_free(fu__pl_texts *T);

#endif /* FU_PLANNER_INTERN_H */
