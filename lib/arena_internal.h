/* A chunk arena: many small allocations freed at once (the policy's tree and
 * typed structures, the strings of a plan). Chunks never move, so pointers
 * stay valid until fu__arena_free(). Not thread-safe; an arena belongs to
 * one object. */
#ifndef FU_ARENA_INTERNAL_H
#define FU_ARENA_INTERNAL_H

#include <stddef.h>

typedef struct fu__arena_chunk fu__arena_chunk;

typedef struct fu__arena {
    fu__arena_chunk *head; /* NULL: empty */
} fu__arena;

/* n bytes aligned for any type (n = 0 counts as 1); NULL when out of memory. */
void *fu__arena_alloc(fu__arena *a, size_t n);
/* count * size zeroed bytes, aligned; NULL on overflow or out of memory. */
void *fu__arena_calloc(fu__arena *a, size_t count, size_t size);
/* A NUL-terminated copy of s[0..n) (not aligned); NULL when out of memory. */
char *fu__arena_strndup(fu__arena *a, const char *s, size_t n);
/* Moves every chunk of `from` into `to` (`from` is left empty). */
void fu__arena_splice(fu__arena *to, fu__arena *from);
/* Frees every chunk; the arena is empty afterwards. */
void fu__arena_free(fu__arena *a);

#endif /* FU_ARENA_INTERNAL_H */
