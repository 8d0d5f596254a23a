/* The book's string table (see book_strtab.h): strings in 64 KiB blocks,
 * a symbol's string, owner (customer) and validation flags in arrays, and
 * open addressing on narrow (4-byte) or wide (8-byte) slots. */
#include "book_strtab.h"
#include "bytes_internal.h"

#include <stdlib.h>
#include <string.h>

#define ST_BLOCK ((size_t)64 << 10)

uint32_t fu__st_hash_bytes(const char *s, size_t n) { return fu__book_hash_inline(s, n); }

void fu__st_free(strtab *t) {
    for (size_t i = 0; i < t->nblocks; i++) fu__free(t->blocks[i]);
    FU_FREE_ALL(t->blocks, (void *)t->str, t->owner, t->flags, t->slots);
    memset(t, 0, sizeof *t);
}

/* Narrow slots while every symbol fits in ST_SYM_BITS bits: 4 bytes a slot
 * instead of 8 (the table is the string table's largest part); the tag (the
 * hash's top bits) spares a visit to the string for most misses, as the
 * whole hash does in a wide slot. */
#define ST_SYM_BITS 25
#define ST_SYM_MASK (((uint32_t)1 << ST_SYM_BITS) - 1)
static size_t st_narrow_max = ST_SYM_MASK; /* the most symbols of a narrow table (tests lower it) */

void fu__book_strtab_tune(size_t narrow_max) {
    st_narrow_max = narrow_max && narrow_max < ST_SYM_MASK ? narrow_max : ST_SYM_MASK;
}

/* Each string is stored after a byte of its length (ST_LONG: 255 bytes or
 * more, the length then in the size_t before that byte; a NUL among the
 * bytes is a byte like any other): a lookup compares the lengths and then
 * the bytes a word at a time, and the table hashes a string again from its
 * stored length. */
#define ST_LONG 255

/* The length of symbol sym's string. */
static inline size_t st_len(const strtab *t, uint32_t sym) {
    const char *x = t->str[sym];
    size_t n = (unsigned char)x[-1];
    if (n == ST_LONG) memcpy(&n, x - 1 - sizeof n, sizeof n);
    return n;
}

/* Whether the n (< ST_LONG) bytes at x and s are equal: word compares up
 * to 16 bytes (fu__same_short()), memcmp beyond. */
static inline int st_same(const char *x, const char *s, size_t n) {
    return n > 16 ? memcmp(x, s, n) == 0 : fu__same_short(x, s, n);
}

/* Whether symbol sym's string is the len bytes at s. */
static inline int st_is(const strtab *t, uint32_t sym, const char *s, size_t len) {
    const char *x = t->str[sym];
    size_t stored = (unsigned char)x[-1];
    if (stored != ST_LONG) return stored == len && st_same(x, s, len);
    return st_len(t, sym) == len && memcmp(x, s, len) == 0;
}

/* fu__st_find(), and where the probe ended: the empty slot a new symbol of
 * hash h takes (*at; the table's size when it has no slots). */
static inline uint32_t st_find_at(const strtab *t, const char *s, size_t len, uint32_t h, size_t *at) {
    *at = t->nslots;
    if (!t->nslots) return 0;
    size_t mask = t->nslots - 1;
    if (t->wide) {
        const uint64_t *sl = t->slots;
        for (size_t i = h & mask;; i = (i + 1) & mask) {
            uint64_t slot = sl[i];
            if (!slot) return *at = i, 0;
            if ((uint32_t)(slot >> 32) == h && st_is(t, (uint32_t)slot, s, len)) return (uint32_t)slot;
        }
    }
    const uint32_t *sl = t->slots;
    uint32_t tag = h >> ST_SYM_BITS;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        uint32_t slot = sl[i];
        if (!slot) return *at = i, 0;
        if (slot >> ST_SYM_BITS == tag && st_is(t, slot & ST_SYM_MASK, s, len)) return slot & ST_SYM_MASK;
    }
}

uint32_t fu__st_find(const strtab *t, const char *s, size_t len, uint32_t h) {
    size_t at;
    return st_find_at(t, s, len, h, &at);
}

/* Put symbol `sym` of hash h in the first empty slot from its place. */
static void st_place(void *slots, size_t nslots, int wide, uint32_t h, uint32_t sym) {
    size_t mask = nslots - 1, i = h & mask;
    if (wide) {
        uint64_t *sl = slots;
        while (sl[i]) i = (i + 1) & mask;
        sl[i] = (uint64_t)h << 32 | sym;
    } else {
        uint32_t *sl = slots;
        while (sl[i]) i = (i + 1) & mask;
        sl[i] = (h >> ST_SYM_BITS) << ST_SYM_BITS | sym;
    }
}

static int st_grow_syms(strtab *t, size_t need) {
    if (need <= t->cap) return FU_OK;
    size_t cap = t->cap ? t->cap : 256;
    while (cap < need) cap *= 2;
    /* each array keeps its (larger) block if a later one fails */
    void *p;
    if (!(p = fu__realloc((void *)t->str, cap * sizeof *t->str))) return fu__error_nomem();
    t->str = p;
    if (!(p = fu__realloc(t->owner, cap * sizeof *t->owner))) return fu__error_nomem();
    t->owner = p;
    if (!(p = fu__realloc(t->flags, cap * sizeof *t->flags))) return fu__error_nomem();
    t->flags = p;
    t->cap = cap;
    return FU_OK;
}

/* A table of nslots slots, wide or not, for the symbols 1..n-1. A wide
 * table keeps the hashes: a narrow one (or the switch to wide) hashes the
 * strings again, in symbol order (the strings lie in that order). */
static int st_rehash(strtab *t, size_t nslots, int wide) {
    void *slots = fu__calloc(nslots, wide ? sizeof(uint64_t) : sizeof(uint32_t));
    if (!slots) return fu__error_nomem();
    if (t->wide) {
        const uint64_t *old = t->slots;
        for (size_t j = 0; j < t->nslots; j++)
            if (old[j]) st_place(slots, nslots, wide, (uint32_t)(old[j] >> 32), (uint32_t)old[j]);
    } else {
        for (size_t sym = 1; sym < t->n; sym++)
            st_place(slots, nslots, wide, hash_bytes(t->str[sym], st_len(t, (uint32_t)sym)), (uint32_t)sym);
    }
    fu__free(t->slots);
    t->slots = slots;
    t->nslots = nslots;
    t->wide = wide;
    return FU_OK;
}

/* Room for `more` symbols beyond those interned: the slots and the
 * per-symbol arrays sized once instead of growing (each growth of the slots
 * hashes every string again). FU_ENOMEM leaves the table as it was. */
int fu__book_reserve_strings(fu_book *b, size_t more) {
    strtab *t = &b->st;
    size_t n = (t->n ? t->n : 1) + more;
    if (more > UINT32_MAX || n >= UINT32_MAX) return FU_OK; /* the interning says no in time */
    int rc = st_grow_syms(t, n);
    if (rc || (n + 1) * 4 <= t->nslots * 3) return rc;
    size_t ns = t->nslots ? t->nslots : 1024;
    while ((n + 1) * 4 > ns * 3) ns *= 2;
    return st_rehash(t, ns, t->wide);
}

static char *st_alloc(strtab *t, size_t n) {
    if (n <= t->cur_left) {
        char *p = t->cur;
        t->cur += n;
        t->cur_left -= n;
        return p;
    }
    if (FU_GROW(t->blocks, t->blocks_cap, t->nblocks + 1)) return NULL;
    size_t size = n > ST_BLOCK / 4 ? n : ST_BLOCK;
    char *block = fu__malloc(size);
    if (!block) return NULL;
    t->blocks[t->nblocks++] = block;
    if (size == n) return block; /* a big string gets a block of its own */
    t->cur = block + n;
    t->cur_left = size - n;
    return block;
}

/* Intern `len` (> 0) bytes of `s` of hash h (hash_bytes). */
int fu__st_intern_h(strtab *t, const char *s, size_t len, uint32_t h, uint32_t *out) {
    size_t at;
    uint32_t sym = st_find_at(t, s, len, h, &at);
    if (sym) {
        *out = sym;
        return FU_OK;
    }
    size_t n = t->n ? t->n : 1;
    if (n >= UINT32_MAX) return fu__error_set(FU_ELIMIT, "more than 2^32 - 1 distinct strings");
    int rc = st_grow_syms(t, n + 1);
    if (rc) return rc;
    /* linear probing up to 3/4 full; wide slots past the narrow symbols */
    int wide = t->wide || n > st_narrow_max;
    if ((n + 1) * 4 > t->nslots * 3 || wide != t->wide) {
        size_t ns = t->nslots ? t->nslots : 1024;
        while ((n + 1) * 4 > ns * 3) ns *= 2;
        if ((rc = st_rehash(t, ns, wide))) return rc;
        at = t->nslots; /* the probe's end moved: st_place finds it again */
    }
    size_t pre = len < ST_LONG ? 1 : 1 + sizeof len; /* the length byte (and the long length) */
    char *dst = st_alloc(t, pre + len + 1);
    if (!dst) return fu__error_nomem();
    if (len >= ST_LONG) memcpy(dst, &len, sizeof len);
    dst += pre;
    dst[-1] = (char)(len < ST_LONG ? len : ST_LONG);
    memcpy(dst, s, len);
    dst[len] = '\0';
    if (!t->n) { /* symbol 0 */
        t->str[0] = NULL;
        t->owner[0] = 0;
        t->flags[0] = 0;
    }
    sym = (uint32_t)n;
    t->n = n + 1;
    t->str[sym] = dst;
    t->owner[sym] = 0;
    t->flags[sym] = 0;
    if (at < t->nslots) { /* the empty slot the probe ended on */
        if (t->wide) ((uint64_t *)t->slots)[at] = (uint64_t)h << 32 | sym;
        else ((uint32_t *)t->slots)[at] = (h >> ST_SYM_BITS) << ST_SYM_BITS | sym;
    } else {
        st_place(t->slots, t->nslots, t->wide, h, sym);
    }
    *out = sym;
    return FU_OK;
}

/* Intern `len` bytes of `s`; the empty string is symbol 0 (absent). */
int fu__st_intern(strtab *t, const char *s, size_t len, uint32_t *out) {
    if (len == 0) {
        *out = 0;
        return FU_OK;
    }
    return st_intern_h(t, s, len, hash_bytes(s, len), out);
}

uint32_t fu__book_hash(const char *s, size_t len) { return hash_bytes(s, len); }

/* Ask for the slot of a string of hash `hash` ahead of use: the table is far
 * bigger than the caches. (Not in a static function of its own: GCC 12 drops
 * the call to a function that only prefetches, as if it did nothing.) */
void fu__book_prefetch(const fu_book *b, uint32_t hash) {
    const strtab *t = &b->st;
    if (!t->nslots) return;
    size_t i = hash & (t->nslots - 1);
#if defined(__GNUC__)
    __builtin_prefetch((const char *)t->slots + (t->wide ? i * sizeof(uint64_t) : i * sizeof(uint32_t)));
#else
    (void)i;
#endif
}

uint32_t fu__st_lookup(const strtab *t, const char *s, size_t len) {
    return len ? st_find(t, s, len, hash_bytes(s, len)) : 0;
}

int fu__book_strtab_wide(const fu_book *b) { return b->st.wide; }

size_t fu__book_string_count(const fu_book *b) { return b->st.n; }
