/* The book's string table (book_strtab.c): each distinct string stored once
 * and named by a symbol (uint32_t; 0 is the empty string, "absent"), found
 * by open addressing on a hash of its bytes. For book.c and book_strtab.c:
 * the short names below are the ones their code uses. */
#ifndef FU_BOOK_STRTAB_H
#define FU_BOOK_STRTAB_H

#include "book_internal.h"

/* The table's hash of n bytes (never written anywhere). */
uint32_t fu__st_hash_bytes(const char *s, size_t n);
void fu__st_free(strtab *t);
/* The symbol of the len bytes at s of hash h, 0 when not interned. */
uint32_t fu__st_find(const strtab *t, const char *s, size_t len, uint32_t h);
/* Intern len (> 0) bytes of hash h; FU_ENOMEM or FU_ELIMIT (error set). */
int fu__st_intern_h(strtab *t, const char *s, size_t len, uint32_t h, uint32_t *out);
/* Intern len bytes (0: symbol 0). */
int fu__st_intern(strtab *t, const char *s, size_t len, uint32_t *out);
/* fu__st_find, hashing the bytes (len 0: 0). */
uint32_t fu__st_lookup(const strtab *t, const char *s, size_t len);

static inline uint32_t hash_bytes(const char *s, size_t n) { return fu__st_hash_bytes(s, n); }
static inline void st_free(strtab *t) { fu__st_free(t); }
static inline uint32_t st_find(const strtab *t, const char *s, size_t len, uint32_t h) {
    return fu__st_find(t, s, len, h);
}
static inline int st_intern_h(strtab *t, const char *s, size_t len, uint32_t h, uint32_t *out) {
    return fu__st_intern_h(t, s, len, h, out);
}
static inline int st_intern(strtab *t, const char *s, size_t len, uint32_t *out) {
    return fu__st_intern(t, s, len, out);
}
static inline uint32_t st_lookup(const strtab *t, const char *s, size_t len) { return fu__st_lookup(t, s, len); }

#endif /* FU_BOOK_STRTAB_H */
