/* fu__arena: see arena_internal.h. */
#include "arena_internal.h"
#include "internal.h"

#include <stdint.h>
#include <string.h>

#define ARENA_CHUNK_SIZE ((size_t)32768)

struct fu__arena_chunk {
    fu__arena_chunk *next;
    size_t cap, used;
    max_align_t data[];
};

/* n bytes at a multiple of `align` within the chunk's data. */
static void *take(fu__arena *a, size_t n, size_t align) {
    if (n == 0) n = 1;
    if (n > SIZE_MAX - sizeof(max_align_t)) return NULL;
    fu__arena_chunk *c = a->head;
    size_t off = c ? (c->used + align - 1) / align * align : 0;
    if (!c || off > c->cap || c->cap - off < n) {
        size_t cap = n > ARENA_CHUNK_SIZE / 4 ? n : ARENA_CHUNK_SIZE;
        if (cap > SIZE_MAX - sizeof(fu__arena_chunk)) return NULL;
        fu__arena_chunk *nc = fu__malloc(sizeof(fu__arena_chunk) + cap);
        if (!nc) return NULL;
        nc->cap = cap;
        nc->used = 0;
        if (c && n > ARENA_CHUNK_SIZE / 4) {
            /* a big block: keep filling the current chunk afterwards */
            nc->next = c->next;
            c->next = nc;
        } else {
            nc->next = c;
            a->head = nc;
        }
        c = nc;
        off = 0;
    }
    c->used = off + n;
    return (char *)c->data + off;
}

void *fu__arena_alloc(fu__arena *a, size_t n) { return take(a, n, sizeof(max_align_t)); }

void *fu__arena_calloc(fu__arena *a, size_t count, size_t size) {
    if (size && count > SIZE_MAX / size) return NULL;
    size_t total = count * size;
    void *p = fu__arena_alloc(a, total);
    if (p) memset(p, 0, total ? total : 1);
    return p;
}

char *fu__arena_strndup(fu__arena *a, const char *s, size_t n) {
    char *d = n < SIZE_MAX ? take(a, n + 1, 1) : NULL;
    if (!d) return NULL;
    if (n) memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

void fu__arena_splice(fu__arena *to, fu__arena *from) {
    while (from->head) {
        fu__arena_chunk *c = from->head;
        from->head = c->next;
        c->next = to->head;
        to->head = c;
    }
}

void fu__arena_free(fu__arena *a) {
    fu__arena_chunk *c = a->head;
    while (c) {
        fu__arena_chunk *n = c->next;
        fu__free(c);
        c = n;
    }
    a->head = NULL;
}
