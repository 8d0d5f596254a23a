/* Grouping a book's events by customer for fu_book_finalize() (lib/book.c):
 * each customer's event count, from the counts the CSV block reader keeps
 * while it adds (fu__book_event_counts()) or from the customer runs, and the
 * stable grouping itself in passes through a bounded buffer. */
#include "book_internal.h"

#include <stdatomic.h>
#include <string.h>

/* The customer of event i (i going up along the walk *k, from {0, 0}). */
static inline uint32_t walk_cust(const fu_book *b, size_t i, fu__custwalk *k) {
    if (i >= b->evc_base) {
        while (b->runs[k->r].end <= i) k->r++;
        return b->runs[k->r].cust;
    }
    while (b->off[k->c + 1] <= i) k->c++;
    return (uint32_t)k->c;
}

int fu__book_event_counts(fu_book *b, int on) {
    fu__free(b->counts);
    b->counts = NULL;
    b->counts_n = 0;
    b->counts_ok = 0;
    if (!on) return FU_OK;
    size_t n = b->ncust ? b->ncust : 1;
    if (!(b->counts = fu__calloc(n, sizeof *b->counts))) return fu__error_nomem();
    b->counts_n = n;
    b->counts_from = b->nev;
    b->counts_ok = 1;
    return FU_OK;
}

int fu__book_counts_room(fu_book *b, uint32_t cust) {
    size_t n = b->counts_n * 2 > (size_t)cust + 1 ? b->counts_n * 2 : (size_t)cust + 1024;
    uint32_t *c = fu__realloc(b->counts, n * sizeof *c);
    if (!c) return fu__error_nomem();
    memset(c + b->counts_n, 0, (n - b->counts_n) * sizeof *c);
    b->counts = c;
    b->counts_n = n;
    return FU_OK;
}

/* Whether the kept counts are those of the events [counts_from, nev): kept
 * since the reader turned them on, nothing dropped or undone since, and
 * they add up. */
static int counts_usable(const fu_book *b) {
    if (!b->counts || !b->counts_ok || b->counts_from > b->nev) return 0;
    size_t sum = 0;
    for (size_t c = 0; c < b->counts_n; c++) {
        if (c >= b->ncust && b->counts[c]) return 0; /* room grown past the customers: none there */
        sum += b->counts[c];
    }
    return sum == b->nev - b->counts_from;
}

static atomic_size_t counted; /* finalizes that took the kept counts */

size_t fu__book_group_counted(void) { return atomic_load(&counted); }

void fu__book_count_by_customer(fu_book *b, size_t *off) {
    size_t n = b->nev;
    memset(off, 0, (b->ncust + 1) * sizeof *off);
    if (counts_usable(b)) { /* only the events before counts_from are walked */
        atomic_fetch_add(&counted, 1);
        size_t m = b->counts_n < b->ncust ? b->counts_n : b->ncust;
        for (size_t c = 0; c < m; c++) off[c + 1] = b->counts[c];
        n = b->counts_from;
    }
    fu__custwalk wk = {0, 0};
    for (size_t i = 0; i < n; i++) off[walk_cust(b, i, &wk) + 1]++;
    b->counts_ok = 0; /* the events are about to move */
}

/* How far ahead of the pass the buffer's row for a run is asked for: the
 * buffer has left the cache while the pass streamed the other events. */
#define GROUP_AHEAD 64

static inline void prefetch_write(const void *p) {
#if defined(__GNUC__)
    __builtin_prefetch(p, 1);
#else
    (void)p;
#endif
}

/* Group the events of b (customers in runs covering them all) by customer,
 * in their order within each customer, in place with a buffer `buf` of
 * `cap` rows (cap >= the most events of one customer): off[c] is where
 * customer c starts (left as it was); the runs are used up. In passes from
 * the last customers down: a pass takes the customers [c0, c1) whose events
 * fit the buffer, scattering them to their slots in the buffer while the
 * other events are compacted stably toward the front (write index <= read
 * index), then copies the buffer to the end of the region not yet placed.
 * The scatter keeps many cache misses in flight, where following the cycles
 * of a permutation in place waits for each miss in turn; the buffer bounds
 * the transient to `cap` rows instead of a second copy of the events. */
void fu__book_group_by_customer(fu_book *b, fu__erow *buf, size_t cap, size_t *off) {
    fu__erow *ev = b->ev;
    struct fu__crun *runs = b->runs;
    size_t c1 = b->ncust, nr = b->nruns;
    while (c1 > 0 && nr > 0) {
        size_t c0 = c1 - 1, base;
        while (c0 > 0 && off[c1] - off[c0 - 1] <= cap) c0--;
        base = off[c0];
        size_t w = 0, i = 0, kr = 0;
        for (size_t r = 0; r < nr; r++) {
            uint32_t c = runs[r].cust;
            size_t end = runs[r].end;
            if (r + GROUP_AHEAD < nr && runs[r + GROUP_AHEAD].cust >= c0)
                prefetch_write(&buf[off[runs[r + GROUP_AHEAD].cust] - base]);
            if (c >= c0) {
                size_t p = off[c] - base;
                for (; i < end; i++) buf[p++] = ev[i];
                off[c] = p + base;
            } else {
                for (; i < end; i++) ev[w++] = ev[i];
                if (kr && runs[kr - 1].cust == c) {
                    runs[kr - 1].end = (uint32_t)w;
                } else {
                    runs[kr].cust = c;
                    runs[kr++].end = (uint32_t)w;
                }
            }
        }
        nr = kr;
        memcpy(ev + base, buf, (off[c1] - base) * sizeof *ev);
        /* off[c] is now where customer c + 1 starts: put them back */
        for (size_t c = c1 - 1; c > c0; c--) off[c] = off[c - 1];
        off[c0] = base;
        c1 = c0;
    }
    b->nruns = 0;
}
