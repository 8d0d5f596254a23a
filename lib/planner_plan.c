/* The plan: its touchpoints, strings, order, statistics and CSV.
 * Part of fu_planner (lib/planner_internal.h). */
#include "planner_internal.h"

#include <stddef.h>
#include <string.h>

/* ------------------------------------------------------------------ names */

static const char *const prio_names[] = {"urgent", "high", "normal", "low"};
static const char *const status_names[] = {"planned", "suppressed", "deferred", "cancelled", "later"};

const char *fu_priority_name(fu_priority p) { return p >= 0 && p < 4 ? prio_names[p] : NULL; }
const char *fu_touchpoint_status_name(fu_touchpoint_status s) { return s >= 0 && s < FU_TOUCHPOINT_STATUS_COUNT ? status_names[s] : NULL; }

FU_DEFINE_INIT(fu_planner_options_init, fu_planner_options, FU_PLANNER_OPTIONS_INIT)

/* ------------------------------------------------------------------ plan */


int fu__pl_plan_new(fu_plan **out, const fu_book *book) {
    fu_plan *p = fu__calloc(1, sizeof *p);
    if (!p) return fu__error_nomem();
    p->book = book;
    *out = p;
    return FU_OK;
}

void fu_plan_free(fu_plan *p) {
    if (!p) return;
    FU_FREE_ALL(p->tp, p->oid, p->zone, p->flag);
    for (size_t i = 0; i < p->ncals; i++) fu_calendar_free(p->cals[i]);
    fu__free(p->cals);
    fu__arena_free(&p->arena);
    fu__free(p);
}

int fu__pl_plan_push(fu_plan *p, const fu_touchpoint *t, uint16_t zone, uint32_t oid, uint8_t flag) {
    if (p->n == p->cap && FU_GROW(p->tp, p->cap, p->n + 1)) return FU_ENOMEM;
    if (p->n == p->side_cap) {
        size_t c1 = p->side_cap, c2 = p->side_cap, c3 = p->side_cap;
        if (FU_GROW(p->oid, c1, p->n + 1)) return FU_ENOMEM;
        if (FU_GROW(p->zone, c2, p->n + 1)) return FU_ENOMEM;
        if (FU_GROW(p->flag, c3, p->n + 1)) return FU_ENOMEM;
        p->side_cap = c1 < c2 ? (c1 < c3 ? c1 : c3) : (c2 < c3 ? c2 : c3);
    }
    p->oid[p->n] = oid;
    p->zone[p->n] = zone;
    p->flag[p->n] = flag;
    p->tp[p->n] = *t;
    p->tp[p->n++].agent = ""; /* named after planning (lib/planner_agents.c) */
    return FU_OK;
}

/* Sort keys: two words compared in order; the low bits of b carry the row. */

static inline int key_less(const pl_key *x, const pl_key *y) { return x->a != y->a ? x->a < y->a : x->b < y->b; }

static void key_sift(pl_key *k, size_t n, size_t i) {
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n) return;
        if (c + 1 < n && key_less(&k[c], &k[c + 1])) c++;
        if (!key_less(&k[i], &k[c])) return;
        pl_key t = k[i];
        k[i] = k[c];
        k[c] = t;
        i = c;
    }
}

/* In-fu__pl_place sort of unique keys (no scratch memory: a plan of a million
 * touchpoints sorts without a second copy). Quicksort with a median of
 * three, heapsort when the recursion gets too deep. */
static void key_sort(pl_key *k, size_t n, int depth) {
    while (n > 16) {
        if (depth-- == 0) {
            for (size_t i = n / 2; i-- > 0;) key_sift(k, n, i);
            for (size_t e = n; e-- > 1;) {
                pl_key t = k[0];
                k[0] = k[e];
                k[e] = t;
                key_sift(k, e, 0);
            }
            return;
        }
        size_t m = n / 2;
        pl_key t;
        if (key_less(&k[m], &k[0])) t = k[m], k[m] = k[0], k[0] = t;
        if (key_less(&k[n - 1], &k[0])) t = k[n - 1], k[n - 1] = k[0], k[0] = t;
        if (key_less(&k[n - 1], &k[m])) t = k[n - 1], k[n - 1] = k[m], k[m] = t;
        pl_key piv = k[m];
        size_t i = 0, j = n - 1;
        for (;;) {
            while (key_less(&k[i], &piv)) i++;
            while (key_less(&piv, &k[j])) j--;
            if (i >= j) break;
            t = k[i], k[i] = k[j], k[j] = t;
            i++;
            j--;
        }
        /* [0, j] <= piv <= [j+1, n): recurse into the smaller part */
        size_t left = j + 1;
        if (left < n - left) {
            key_sort(k, left, depth);
            k += left;
            n -= left;
        } else {
            key_sort(k + left, n - left, depth);
            n = left;
        }
    }
    for (size_t i = 1; i < n; i++) {
        pl_key x = k[i];
        size_t j = i;
        while (j > 0 && key_less(&x, &k[j - 1])) {
            k[j] = k[j - 1];
            j--;
        }
        k[j] = x;
    }
}

void fu__pl_key_sort_all(pl_key *k, size_t n) {
    int depth = 0;
    for (size_t m = n; m > 1; m >>= 1) depth += 2;
    key_sort(k, n, depth);
}


/* Sort touchpoints by status, best_at, customer, priority, insertion order,
 * keeping the side columns aligned, and count statuses. 16-byte keys sorted
 * in fu__pl_place and an in-fu__pl_place permutation keep the extra memory at 16 bytes a
 * touchpoint. */
/* Rows are moved along the permutation's cycles; each step reads a row far
 * from the last one, so the row PERM_AHEAD steps on is prefetched (the
 * order of the moves, and so the result, is unchanged). */
#define PERM_AHEAD 8

static inline void row_prefetch(const fu_touchpoint *t) {
#if defined(__GNUC__) || defined(__clang__)
    __builtin_prefetch(t);
    __builtin_prefetch((const char *)t + sizeof *t - 1);
#else
    (void)t;
#endif
}

/* Counts by status and the late ones (the order does not change them). */
static void plan_count(fu_plan *p, const fu_touchpoint *t) {
    p->off[t->status + 1]++;
    if ((t->status == FU_TOUCHPOINT_PLANNED || t->status == FU_TOUCHPOINT_LATER) && t->best_at > t->due_to)
        p->stats.late++;
}

/* Stable LSD radix sort of n 64-bit keys of `bits` significant bits, 11-bit
 * digits, no comparisons (a plan's sorts have no branch to mispredict); the
 * payloads v (NULL: none) move with their keys. kt (n keys), vt (n
 * payloads when v) and cnt (RADIX_COUNTS) are scratch. Returns 1 when the
 * sorted keys and payloads are in kt / vt, 0 when in k / v. */
int fu__pl_radix_sort(uint64_t *k, uint32_t *v, uint64_t *kt, uint32_t *vt, size_t n, int bits, uint32_t *cnt) {
    enum { B = 1 << RADIX_BITS };
    int passes = (bits + RADIX_BITS - 1) / RADIX_BITS, swapped = 0;
    if (!n) return 0;
    memset(cnt, 0, (size_t)passes * B * sizeof *cnt);
    for (size_t i = 0; i < n; i++)
        for (int q = 0; q < passes; q++) cnt[q * B + ((k[i] >> (q * RADIX_BITS)) & (B - 1))]++;
    for (int q = 0; q < passes; q++) {
        int sh = q * RADIX_BITS;
        uint32_t *c = cnt + q * B;
        if (c[(k[0] >> sh) & (B - 1)] == n) continue; /* one digit for all: nothing moves */
        uint32_t sum = 0;
        for (size_t d = 0; d < B; d++) {
            uint32_t x = c[d];
            c[d] = sum;
            sum += x;
        }
        if (v) {
            for (size_t i = 0; i < n; i++) {
                uint32_t to = c[(k[i] >> sh) & (B - 1)]++;
                kt[to] = k[i];
                vt[to] = v[i];
            }
            uint32_t *t = v;
            v = vt;
            vt = t;
        } else {
            for (size_t i = 0; i < n; i++) kt[c[(k[i] >> sh) & (B - 1)]++] = k[i];
        }
        uint64_t *t = k;
        k = kt;
        kt = t;
        swapped ^= 1;
    }
    return swapped;
}

/* Bits needed for v (0 for 0). */
int fu__pl_bits_of(uint64_t v) {
    int b = 0;
    while (v) b++, v >>= 1;
    return b;
}

/* The plan's order as fu__pl_plan_finish() defines it, when the rows come
 * in customer order (as planning makes them) and the key fits 64 bits:
 * (status, best_at) above the rank of the row in (customer, priority,
 * row) order, radix-sorted. (*perm)[i] = the row of position i, in the
 * half of the keys' block the sort left free (no block of its own at the
 * plan's peak of memory); *block to free after use. 0 when the rows are
 * not in customer order, 1 done, FU_ENOMEM. */
static int plan_order_by_customer(fu_plan *p, int64_t minb, int64_t maxb, uint32_t **perm, void **block) {
    size_t n = p->n;
    int rb = fu__pl_bits_of(n - 1), bb = fu__pl_bits_of((uint64_t)(maxb - minb));
    if (3 + bb + rb > 64) return 0;
    uint32_t *ord = fu__malloc((n + RADIX_COUNTS) * sizeof *ord);
    uint64_t *k = fu__malloc(2 * n * sizeof *k);
    if (!ord || !k) {
        FU_FREE_ALL(ord, k);
        return fu__error_nomem();
    }
    for (size_t i = 0; i < n;) { /* one customer's rows: by priority, stable */
        size_t j = i;
        for (; j < n && p->tp[j].customer == p->tp[i].customer; j++) {
            size_t q = j;
            while (q > i && p->tp[ord[q - 1]].priority > p->tp[j].priority) ord[q] = ord[q - 1], q--;
            ord[q] = (uint32_t)j;
        }
        for (size_t r = i; r < j; r++) {
            const fu_touchpoint *t = &p->tp[ord[r]];
            k[r] = ((uint64_t)t->status << (bb + rb)) | ((uint64_t)(t->best_at - minb) << rb) | (uint64_t)r;
        }
        i = j;
    }
    int moved = fu__pl_radix_sort(k, NULL, k + n, NULL, n, 3 + bb + rb, ord + n);
    const uint64_t *sorted = moved ? k + n : k;
    uint32_t *pm = (uint32_t *)(void *)(moved ? k : k + n); /* n words free: 2n positions */
    uint64_t rmask = (UINT64_C(1) << rb) - 1;
    for (size_t i = 0; i < n; i++) pm[i] = ord[sorted[i] & rmask];
    fu__free(ord);
    *perm = pm;
    *block = k;
    return 1;
}

/* The plan's order in 16-byte keys (rows in any order): (*perm)[i] = the
 * row of position i; *perm to free after use. */
static int plan_order_by_keys(fu_plan *p, int64_t minb, uint32_t **permp) {
    uint32_t *perm = fu__malloc(p->n * sizeof *perm);
    pl_key *k = fu__malloc(p->n * sizeof *k);
    if (!k || !perm) {
        FU_FREE_ALL(k, perm);
        return fu__error_nomem();
    }
    for (size_t i = 0; i < p->n; i++) {
        const fu_touchpoint *t = &p->tp[i];
        k[i].a = ((uint64_t)t->status << 61) | ((uint64_t)(t->best_at - minb) & ((UINT64_C(1) << 61) - 1));
        k[i].b = ((uint64_t)t->customer << 32) | ((uint64_t)t->priority << ROW_BITS) | (uint64_t)i;
    }
    fu__pl_key_sort_all(k, p->n);
    for (size_t i = 0; i < p->n; i++) perm[i] = (uint32_t)(k[i].b & ROW_MASK);
    fu__free(k);
    *permp = perm;
    return FU_OK;
}

int fu__pl_plan_finish(fu_plan *p) {
    if (p->n > ROW_MASK) return fu__error_set(FU_ELIMIT, "more than 2^29 - 1 touchpoints in a plan");
    memset(p->off, 0, sizeof p->off);
    p->stats.late = 0;
    if (p->n > 1) {
        int64_t minb = INT64_MAX, maxb = INT64_MIN;
        int by_customer = 1;
        for (size_t i = 0; i < p->n; i++) { /* the counts in the same pass */
            if (p->tp[i].best_at < minb) minb = p->tp[i].best_at;
            if (p->tp[i].best_at > maxb) maxb = p->tp[i].best_at;
            if (i && p->tp[i].customer < p->tp[i - 1].customer) by_customer = 0;
            plan_count(p, &p->tp[i]);
        }
        /* the source row of every position, 4 bytes each (the cycles are
         * followed through this array, not the keys: less memory to jump
         * around in); block: what to free after */
        uint32_t *perm = NULL;
        void *block = NULL;
        int rc = by_customer ? plan_order_by_customer(p, minb, maxb, &perm, &block) : 0;
        if (rc == 0 && (rc = plan_order_by_keys(p, minb, &perm)) == FU_OK) block = perm;
        if (rc < 0) return rc;
        /* position i takes the row at perm[i]: follow the cycles, marking
         * the positions done with perm[j] = j */
        for (size_t i = 0; i < p->n; i++) {
            size_t src0 = perm[i];
            if (src0 == i) continue;
            fu_touchpoint tt = p->tp[i];
            uint16_t tz = p->zone[i];
            uint32_t to = p->oid[i];
            uint8_t tf = p->flag[i];
            size_t j = i, ahead = src0; /* `ahead` runs PERM_AHEAD rows before j in the cycle */
            for (int a = 1; a < PERM_AHEAD && ahead != i; a++) ahead = perm[ahead];
            for (;;) {
                if (ahead != i) { /* the row read PERM_AHEAD steps on: its cache lines load meanwhile */
                    ahead = perm[ahead];
                    row_prefetch(&p->tp[ahead]);
                }
                size_t src = perm[j];
                perm[j] = (uint32_t)j;
                if (src == i) {
                    p->tp[j] = tt;
                    p->zone[j] = tz;
                    p->oid[j] = to;
                    p->flag[j] = tf;
                    break;
                }
                p->tp[j] = p->tp[src];
                p->zone[j] = p->zone[src];
                p->oid[j] = p->oid[src];
                p->flag[j] = p->flag[src];
                j = src;
            }
        }
        fu__free(block);
    } else if (p->n) {
        plan_count(p, &p->tp[0]);
    }
    for (int s = 1; s <= FU_TOUCHPOINT_STATUS_COUNT; s++) p->off[s] += p->off[s - 1];
    p->stats.planned = p->off[1] - p->off[0];
    p->stats.suppressed = p->off[2] - p->off[1];
    p->stats.deferred = p->off[3] - p->off[2];
    p->stats.cancelled = p->off[4] - p->off[3];
    p->stats.later = p->off[5] - p->off[4];
    return FU_OK;
}

int fu__pl_plan_notes(fu_plan *p) {
    fu__buf b = {0};
    for (size_t i = 0; i < p->n; i++) {
        if (!(p->flag[i] & PL_TP_NOTE)) continue;
        fu_touchpoint *t = &p->tp[i];
        b.len = 0;
        fu__buf_puts(&b, t->reason);
        fu__buf_puts(&b, t->agent);
        const char *r = b.failed ? NULL : fu__arena_strndup(&p->arena, b.data, b.len);
        if (!r) {
            fu__buf_free(&b);
            return fu__error_nomem();
        }
        t->reason = r;
        t->agent = "";
        p->flag[i] &= (uint8_t)~PL_TP_NOTE;
    }
    fu__buf_free(&b);
    return FU_OK;
}

/* lib/planner_agents.c: the plan's rows, its strings, re-sorting after a change */
fu_touchpoint *fu__plan_rows(fu_plan *p, size_t *n) {
    *n = p->n;
    return p->tp;
}

uint8_t *fu__plan_flags(fu_plan *p) { return p->flag; }

const char *fu__plan_strdup(fu_plan *p, const char *s, size_t n) { return fu__arena_strndup(&p->arena, s, n); }


int fu__plan_resort(fu_plan *p) {
    int rc = fu__pl_plan_finish(p);
    size_t n = 0;
    for (size_t i = 0; i < p->n; i++)
        if (p->tp[i].status == FU_TOUCHPOINT_PLANNED && fu__pl_is_agent_channel(p->tp[i].channel)) n++;
    p->stats.agent_contacts = n;
    return rc;
}

const fu_book *fu__plan_book(const fu_plan *p) { return p->book; }

const fu_touchpoint *fu_plan_touchpoints(const fu_plan *p, fu_touchpoint_status s, size_t *count) {
    if (count) *count = 0;
    if (!p || (int)s < 0 || (int)s >= FU_TOUCHPOINT_STATUS_COUNT) return NULL;
    size_t n = p->off[s + 1] - p->off[s];
    if (count) *count = n;
    return n ? p->tp + p->off[s] : NULL;
}

/* fu_plan_stats grows without a version field (docs/api.md, "Structs that
 * grow"): the whole counters that fit in `size`, never a byte more. */
void fu_plan_get_stats_sized(const fu_plan *p, fu_plan_stats *out, size_t size) {
    fu_plan_stats st;
    if (!out) return;
    if (size > sizeof st) size = sizeof st;
    size -= size % sizeof(size_t); /* every counter is a size_t */
    if (p) st = p->stats;
    else memset(&st, 0, sizeof st);
    memcpy(out, &st, size);
}

/* The exported name keeps forever the size of the struct at the last
 * release (24841ea: up to calendar_expired, 112 bytes on LP64): programs
 * built against that header call it (review s10 H1: it wrote the two
 * counters added since, 16 bytes past their struct). The header maps the
 * name to the sized call. Frozen: never raise this size. */
#define PLAN_STATS_RELEASED_SIZE offsetof(fu_plan_stats, unplaceable)
void(fu_plan_get_stats)(const fu_plan *p, fu_plan_stats *out) {
    fu_plan_get_stats_sized(p, out, PLAN_STATS_RELEASED_SIZE);
}

/* ---------------------------------------------------------------- CSV */

/* A text cell through the library's one CSV cell writer (csv_internal.h). */
static int csv_field(fu__buf *b, const char *s, unsigned int flags) {
    return fu__csv_putf(b, 1, s, (flags & FU_PLAN_CSV_RAW) ? FU__CSV_RAW : 0u);
}

static void csv_time(fu__buf *b, const fu_calendar *cal, int64_t t) {
    int off = 0;
    if (cal) fu_calendar_utc_offset(cal, t, &off);
    char buf[FU_TIME_TEXT_SIZE];
    if (fu_time_format(t, off, FU_TIME_FORMAT_Z, buf, sizeof buf)) buf[0] = '\0';
    fu__buf_puts(b, buf);
}

int fu_plan_write_csv_to_string(const fu_plan *p, unsigned int mask, unsigned int flags, size_t *len, char **out) {
    if (!p || !out) return fu__error_set(FU_EINVAL, "fu_plan_write_csv_to_string: %s is NULL", !p ? "plan" : "out");
    if (flags & ~(FU_PLAN_CSV_STATUS | FU_PLAN_CSV_RAW | FU_PLAN_CSV_OWNER | FU_PLAN_CSV_AGENT))
        return fu__error_set(FU_EINVAL, "unknown flags 0x%x", flags);
    fu__buf b = FU__BUF_INIT;
    fu__buf_puts(&b, "customer_id,due_from,due_to,best_at,purpose,channel,priority,rule,reason");
    if (flags & FU_PLAN_CSV_STATUS) fu__buf_puts(&b, ",status,status_rule");
    if (flags & FU_PLAN_CSV_OWNER) fu__buf_puts(&b, ",owner");
    if (flags & FU_PLAN_CSV_AGENT) fu__buf_puts(&b, ",agent");
    fu__buf_puts(&b, "\n");
    for (size_t i = 0; i < p->n && !b.failed; i++) {
        const fu_touchpoint *t = &p->tp[i];
        if (!((mask >> t->status) & 1u)) continue;
        csv_field(&b, t->customer_id, flags);
        fu__buf_puts(&b, ",");
        const fu_calendar *cal = p->zone[i] < p->ncals ? p->cals[p->zone[i]] : NULL;
        csv_time(&b, cal, t->due_from);
        fu__buf_puts(&b, ",");
        csv_time(&b, cal, t->due_to);
        fu__buf_puts(&b, ",");
        csv_time(&b, cal, t->best_at);
        fu__buf_puts(&b, ",");
        csv_field(&b, t->purpose, flags);
        fu__buf_printf(&b, ",%s,%s,", fu_channel_name(t->channel), fu_priority_name(t->priority));
        csv_field(&b, t->rule, flags);
        fu__buf_puts(&b, ",");
        csv_field(&b, t->reason, flags);
        if (flags & FU_PLAN_CSV_STATUS) {
            fu__buf_printf(&b, ",%s,", fu_touchpoint_status_name(t->status));
            csv_field(&b, t->status_rule, flags);
        }
        if (flags & FU_PLAN_CSV_OWNER) {
            fu__buf_puts(&b, ",");
            csv_field(&b, t->owner, flags);
        }
        if (flags & FU_PLAN_CSV_AGENT) {
            fu__buf_puts(&b, ",");
            csv_field(&b, t->agent, flags);
        }
        fu__buf_puts(&b, "\n");
    }
    if (b.failed) {
        fu__buf_free(&b);
        return fu__error_nomem();
    }
    if (len) *len = b.len;
    *out = fu__buf_detach(&b);
    return FU_OK;
}

int fu_plan_utc_offset(const fu_plan *p, const fu_touchpoint *tp, int64_t t, int *out) {
    if (out) *out = 0;
    if (!p || !tp || !out)
        return fu__error_set(FU_EINVAL, "fu_plan_utc_offset: %s is NULL", !p ? "plan" : !tp ? "tp" : "out");
    if (!p->n || tp < p->tp || tp >= p->tp + p->n)
        return fu__error_set(FU_EINVAL, "fu_plan_utc_offset: the touchpoint is not one of the plan's");
    size_t i = (size_t)(tp - p->tp);
    const fu_calendar *cal = p->zone[i] < p->ncals ? p->cals[p->zone[i]] : NULL;
    return cal ? fu_calendar_utc_offset(cal, t, out) : FU_OK;
}

int fu_plan_write_csv(const fu_plan *p, unsigned int mask, unsigned int flags, const char *path) {
    if (!path) return fu__error_set(FU_EINVAL, "fu_plan_write_csv: NULL path");
    char *s = NULL;
    size_t n = 0;
    int rc = fu_plan_write_csv_to_string(p, mask, flags, &n, &s);
    if (rc) return rc;
    rc = fu__outfile_write(path, s, n); /* all or nothing: an existing file survives a failure */
    fu__free(s);
    return rc;
}
