/* fu__pl_intern: see planner_intern.h. */
#include "planner_intern.h"
#include "internal.h"

#include <string.h>

/* A hash of the bytes, eight at a time (texts of about 80 bytes, one per
 * merged row: a byte-at-a-time hash cost more than the copy it saves). */
static uint32_t text_hash(const char *s, size_t n) {
    uint64_t h = 0x9E3779B97F4A7C15u ^ n, w;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        memcpy(&w, s + i, 8);
        h = (h ^ w) * 0xBF58476D1CE4E5B9u;
        h ^= h >> 31;
    }
    for (w = 0; i < n; i++) w = w << 8 | (uint8_t)s[i];
    h = (h ^ w) * 0x94D049BB133111EBu;
    return (uint32_t)(h ^ h >> 32);
}

/* Room for one more text: the table at most half full. 0 when out of memory. */
static int room(fu__pl_texts *T) {
    if (T->cap && (T->n + 1) * 2 <= T->cap) return 1;
    size_t cap = T->cap ? T->cap * 2 : 256;
    const char **v = fu__calloc(cap, sizeof *v);
    uint32_t *h = fu__malloc(cap * sizeof *h);
    if (!v || !h) return FU_FREE_ALL(v, h), 0;
    for (size_t i = 0; i < T->cap; i++) {
        if (!T->v[i]) continue;
        size_t j = T->h[i] & (cap - 1);
        while (v[j]) j = (j + 1) & (cap - 1);
        v[j] = T->v[i];
        h[j] = T->h[i];
    }
    FU_FREE_ALL(T->v, T->h);
    T->v = v, T->h = h, T->cap = cap;
    return 1;
}

const char *fu__pl_intern(fu__pl_texts *T, fu__arena *arena, const char *s, size_t n) {
    uint32_t hv = text_hash(s, n);
    size_t j = 0;
    if (T->cap) {
        for (j = hv & (T->cap - 1); T->v[j]; j = (j + 1) & (T->cap - 1))
            if (T->h[j] == hv && strncmp(T->v[j], s, n) == 0 && T->v[j][n] == '\0') return T->v[j];
    }
    const char *c = fu__arena_strndup(arena, s, n);
    if (!c || T->n >= FU__PL_INTERN_MAX) return c;
    if (!T->cap || (T->n + 1) * 2 > T->cap) {
        if (!room(T)) return NULL; /* out of memory: reported as any allocation that fails */
        for (j = hv & (T->cap - 1); T->v[j]; j = (j + 1) & (T->cap - 1)) {
        }
    }
    T->v[j] = c;
    T->h[j] = hv;
    T->n++;
    return c;
}

void fu__pl_intern_reset(fu__pl_texts *T) {
    if (T->n) memset(T->v, 0, T->cap * sizeof *T->v);
    T->n = 0;
}

void fu__pl_intern_free(fu__pl_texts *T) {
    FU_FREE_ALL(T->v, T->h);
    memset(T, 0, sizeof *T);
}
