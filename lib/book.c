/* The customer book: interned strings, customers, compact events, the
 * per-customer event index. The CSV formats are in book_csv.c. */
#include "book_errors.h"
#include "book_ids.h"
#include "book_internal.h"
#include "book_strtab.h"
#include "bytes_internal.h"
#include "errtext.h"
#include "utf8_internal.h"
#include "followup/book.h"
#include "followup/calendar.h"
#include "followup/redact.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdatomic.h>
#include <string.h>

_Static_assert(sizeof(fu_event) == 56, "fu_event must stay 56 bytes");
_Static_assert(sizeof(fu__erow) == 12, "a stored event is 12 bytes");
_Static_assert(sizeof(fu__eattr) == 40, "attributes are hashed and compared as 40 bytes, no padding");
_Static_assert(sizeof(fu__crow) == 48, "a stored customer is 48 bytes");

/* The string table (hash_bytes .. st_lookup) is in book_strtab.c. */

/* ====================================================== the book */


#define KNOWN_FLAGS \
    (FU_BOOK_CREATE_CUSTOMERS | FU_BOOK_SKIP_UNKNOWN_KINDS | FU_BOOK_KEEP_DUPLICATES | FU_BOOK_WRITE_RAW_NOTES | \
     FU_BOOK_WRITE_RAW_CELLS)

int fu_book_new(fu_book **out, const fu_book_options *options) {
    if (!out) return fu__error_set(FU_EINVAL, "out is NULL");
    *out = NULL;
    fu_book_options def = FU_BOOK_OPTIONS_INIT;
    if (!options) options = &def;
    if (options->version != FU_BOOK_OPTIONS_VERSION)
        return fu__error_set(FU_EINVAL, "unknown fu_book_options version %u", options->version);
    if (options->flags & ~KNOWN_FLAGS)
        return fu__error_set(FU_EINVAL, "unknown book flags 0x%x", options->flags & ~KNOWN_FLAGS);
    fu_book *b = fu__calloc(1, sizeof *b);
    if (!b) return fu__error_nomem();
    if (pthread_mutex_init(&b->dec_mu, NULL) != 0) {
        fu__free(b);
        return fu__error_nomem();
    }
    atomic_init(&b->borrowers, 0);
    atomic_init(&b->free_pending, 0);
    atomic_init(&b->dec, NULL);
    atomic_init(&b->cdec, NULL);
    b->flags = options->flags;
    b->max_record = options->max_record_bytes;
    b->max_field = options->max_field_bytes;
    b->finalized = 1; /* an empty book is in order; offsets are made on demand */
    *out = b;
    return FU_OK;
}

void fu__book_borrow(const fu_book *cb) {
    fu_book *b = (fu_book *)cb; /* every book is created non-const by fu_book_new */
    if (b) atomic_fetch_add(&b->borrowers, 1);
}

static void book_destroy(fu_book *b);

/* The book of a fu_book_free() that came while borrowed, freed by whichever
 * of the free and the last release comes second (once: the 1 -> 2 exchange). */
static void book_free_if_pending(fu_book *b) {
    int one = 1;
    if (atomic_load(&b->borrowers) == 0 && atomic_compare_exchange_strong(&b->free_pending, &one, 2))
        book_destroy(b);
}

void fu__book_release(const fu_book *cb) {
    fu_book *b = (fu_book *)cb;
    if (b && atomic_fetch_sub(&b->borrowers, 1) == 1 && atomic_load(&b->free_pending) == 1)
        book_free_if_pending(b);
}

/* FU_ESTATE when a planner holds the book: changing the customers or events
 * under it would invalidate the per-customer arrays it sized from the book. */
static int book_check_free(const fu_book *b, const char *what) {
    size_t n = atomic_load(&((fu_book *)b)->borrowers);
    if (n == 0) return FU_OK;
    return fu__error_set(FU_ESTATE,
                         "%s: the book is in use by %zu planner%s or KPI engine%s (fu_planner_new, fu_kpi_add_book); "
                         "free %s before changing the book (fu_book_append_events is allowed)",
                         what, n, n == 1 ? "" : "s", n == 1 ? "" : "s", n == 1 ? "it" : "them");
}

/* A book freed while a planner or KPI engine still borrows it (a host
 * freeing in the wrong order, or a garbage collector breaking a cycle of
 * binding objects in any order) is freed by the last of them to let go:
 * never a use after free. */
void fu_book_free(fu_book *b) {
    if (!b) return;
    atomic_store(&b->free_pending, 1);
    book_free_if_pending(b);
}

static void book_destroy(fu_book *b) {
    st_free(&b->st);
    FU_FREE_ALL(b->cust, atomic_load(&b->cdec), b->ev, b->runs, b->attrs.v, b->attrs.slots,
                atomic_load(&b->dec));
    pthread_mutex_destroy(&b->dec_mu);
    FU_FREE_ALL(b->off, b->ovf, b->rel_at, b->rel_n, b->omemo, b->counts, b);
}

typedef fu__book_mark mark;

static void book_settle(fu_book *b);
static void runs_trim(fu_book *b);

/* Forget the decoded customers (every customer added calls this). */
static void cdec_drop(fu_book *b) {
    fu_customer *d = atomic_exchange(&b->cdec, NULL);
    fu__free(d);
}

/* Forget the decoded events (every change of the events calls this). */
static void dec_drop(fu_book *b) {
    if (!atomic_load(&b->dec)) return; /* the common case: no locked exchange an event */
    fu_event *d = atomic_exchange(&b->dec, NULL);
    fu__free(d);
}

/* Every change but an append starts here: appended events settle first. */
static mark book_mark(fu_book *b) {
    book_settle(b);
    mark m = {b->ncust, b->nev, b->dups, b->skipped, b->created, b->finalized, b->generation};
    b->op_nev = b->nev;
    b->op_dups = b->dups;
    return m;
}

static void book_rollback(fu_book *b, const mark *m) {
    for (size_t i = m->ncust; i < b->ncust; i++) {
        uint32_t sym = b->cust[i].id;
        if (sym) b->st.owner[sym] = 0;
    }
    if (b->ncust != m->ncust) cdec_drop(b);
    b->ncust = m->ncust;
    b->nev = b->op_nev; /* m->nev less the duplicates compact_events() dropped below it */
    b->counts_ok = 0;
    b->last_id = NULL;
    b->dups = b->op_dups;
    b->skipped = m->skipped;
    b->created = m->created;
    b->finalized = m->finalized;
    b->generation = m->generation;
    runs_trim(b);
    dec_drop(b);
}

/* ---- the stored events: attributes, customers, decoding ---- */

/* Marks a row dropped by drop_duplicates(); no attribute gets this index. */
#define ATTR_DEAD UINT32_MAX

static uint64_t mix64(uint64_t h, uint64_t w) {
    h = (h ^ w) * 0xBF58476D1CE4E5B9ull;
    return h ^ (h >> 29);
}

/* The attribute table's hash: the attributes but their strings' symbols,
 * with the strings' hashes (hash_bytes; 0 for none) in their place: equal
 * attributes have equal strings and so equal hashes, and a reader can hash
 * an event before its strings are interned (fu__book_attr_hash). */
static uint32_t attr_hash(const fu__eattr *a, uint32_t h_pclass, uint32_t h_agent, uint32_t h_note) {
    uint64_t w0, w1, w4;
    uint32_t score;
    memcpy(&w0, &a->unit_price, 8);
    memcpy(&w1, &a->amount, 8);
    memcpy(&score, &a->score, 4);
    memcpy(&w4, &a->kind, 8); /* kind .. at_hi */
    uint64_t h = mix64(0x9E3779B97F4A7C15ull, w0);
    h = mix64(h, w1);
    h = mix64(h, (uint64_t)h_pclass << 32 | h_agent);
    h = mix64(h, (uint64_t)h_note << 32 | score);
    h = mix64(h, w4);
    return (uint32_t)(h >> 32);
}
_Static_assert(offsetof(fu__eattr, at_hi) + sizeof(int16_t) - offsetof(fu__eattr, kind) == 8,
               "kind .. at_hi are one word");

static int attr_rehash(fu__attrtab *t, size_t nslots) {
    uint64_t *slots = fu__calloc(nslots, sizeof *slots);
    if (!slots) return fu__error_nomem();
    for (size_t j = 0; j < t->nslots; j++) {
        uint64_t slot = t->slots[j];
        if (!slot) continue;
        size_t i = (size_t)(slot >> 32) & (nslots - 1);
        while (slots[i]) i = (i + 1) & (nslots - 1);
        slots[i] = slot;
    }
    fu__free(t->slots);
    t->slots = slots;
    t->nslots = nslots;
    return FU_OK;
}

/* The index of attributes equal to *a (bit for bit) of hash h, added when
 * new. */
static int attr_intern(fu__attrtab *t, const fu__eattr *a, uint32_t h, uint32_t *out) {
    if (t->nslots) {
        for (size_t i = h & (t->nslots - 1);; i = (i + 1) & (t->nslots - 1)) {
            uint64_t slot = t->slots[i];
            if (!slot) break;
            uint32_t x = (uint32_t)slot - 1;
            if ((uint32_t)(slot >> 32) == h && memcmp(&t->v[x], a, sizeof *a) == 0) {
                *out = x;
                return FU_OK;
            }
        }
    }
    if (t->n >= ATTR_DEAD - 1) return fu__error_set(FU_ELIMIT, "more than 2^32 - 2 distinct event attributes");
    int rc;
    if ((t->n + 1) * 4 > t->nslots * 3 && (rc = attr_rehash(t, t->nslots ? t->nslots * 2 : 64))) return rc;
    if (t->n == t->cap && FU_GROW(t->v, t->cap, t->n + 1)) return FU_ENOMEM;
    size_t i = h & (t->nslots - 1);
    while (t->slots[i]) i = (i + 1) & (t->nslots - 1);
    t->v[t->n] = *a;
    t->slots[i] = (uint64_t)h << 32 | (uint32_t)(t->n + 1);
    *out = (uint32_t)t->n++;
    return FU_OK;
}

/* The high part of a time: at = hi * 2^32 + (uint32_t)at, without relying
 * on the shift of a negative number. */
static inline int16_t time_hi(int64_t at) { return (int16_t)((at - (int64_t)(uint32_t)at) / 4294967296); }

/* The attributes of a decoded event (padding zeroed: they are compared and
 * hashed as bytes). */
static void attr_of(const fu_event *e, fu__eattr *a) {
    memset(a, 0, sizeof *a);
    a->at_hi = time_hi(e->at);
    a->unit_price = e->unit_price;
    a->amount = e->amount;
    a->product_class = e->product_class;
    a->agent_id = e->agent_id;
    a->note = e->note;
    a->score = e->score;
    a->kind = e->kind;
    a->severity = e->severity;
    a->channel = e->channel;
    a->outcome = e->outcome;
    a->survey = e->survey;
    a->priority = e->priority;
}

/* An event's attributes but its strings (symbols 0), padding zeroed. */
static void attr_fill(const fu_event_in *in, fu__eattr *a) {
    memset(a, 0, sizeof *a);
    a->unit_price = in->unit_price;
    a->amount = in->amount;
    a->score = (float)in->score;
    a->kind = (uint8_t)in->kind;
    a->severity = (uint8_t)in->severity;
    a->channel = (uint8_t)in->channel;
    a->outcome = (uint8_t)in->outcome;
    a->survey = (uint8_t)in->survey;
    a->priority = (uint8_t)in->priority;
    a->at_hi = time_hi(in->at);
}

uint32_t fu__book_attr_hash(const fu_event_in *in, const fu__evstr *k) {
    fu__eattr a;
    attr_fill(in, &a);
    return attr_hash(&a, k->hash[FU__EVSTR_PCLASS], k->hash[FU__EVSTR_AGENT], k->hash[FU__EVSTR_NOTE]);
}

/* Ask ahead for the attribute table's slot of hash h (step 1) and, once it
 * is in the cache, for the attributes it points at (step 2). */
void fu__book_prefetch_attr(const fu_book *b, uint32_t h, int step) {
    const fu__attrtab *t = &b->attrs;
    if (!t->nslots) return;
    size_t mask = t->nslots - 1, i = h & mask;
#if defined(__GNUC__)
    if (step == 1) {
        __builtin_prefetch(&t->slots[i]);
        return;
    }
    for (uint64_t slot; (slot = t->slots[i]); i = (i + 1) & mask)
        if ((uint32_t)(slot >> 32) == h) {
            const char *v = (const char *)&t->v[(uint32_t)slot - 1];
            __builtin_prefetch(v);
            __builtin_prefetch(v + sizeof(fu__eattr) - 1);
            return;
        }
#else
    (void)i, (void)step;
#endif
}

/* The time of a stored event. */
static inline int64_t row_at(const fu__eattr *A, const fu__erow *r) {
    return (int64_t)A[r->attr].at_hi * 4294967296 + (int64_t)r->at_lo;
}

static inline void ev_decode(const fu_book *b, const fu__erow *r, uint32_t cust, fu_event *e) {
    const fu__eattr *a = &b->attrs.v[r->attr];
    e->at = row_at(b->attrs.v, r);
    e->unit_price = a->unit_price;
    e->amount = a->amount;
    e->customer = cust;
    e->order_id = r->order_id;
    e->product_class = a->product_class;
    e->agent_id = a->agent_id;
    e->note = a->note;
    e->score = a->score;
    e->kind = a->kind;
    e->severity = a->severity;
    e->channel = a->channel;
    e->outcome = a->outcome;
    e->survey = a->survey;
    e->priority = a->priority;
    e->reserved_[0] = e->reserved_[1] = 0;
}

/* Whether the stored row r is the decoded event e (every compared field). */
static int row_is(const fu_book *b, const fu__erow *r, const fu_event *e) {
    fu__eattr a;
    attr_of(e, &a);
    return r->at_lo == (uint32_t)e->at && r->order_id == e->order_id &&
           memcmp(&b->attrs.v[r->attr], &a, sizeof a) == 0;
}

static int row_eq(const fu__erow *x, const fu__erow *y) {
    return x->at_lo == y->at_lo && x->order_id == y->order_id && x->attr == y->attr; /* at_hi: in attr */
}

typedef struct fu__crun crun;

typedef fu__custwalk custwalk;

/* The customer of event i (i going up along the walk *k, from {0, 0}). */
static inline uint32_t ev_cust(const fu_book *b, size_t i, custwalk *k) {
    if (i >= b->evc_base) {
        while (b->runs[k->r].end <= i) k->r++;
        return b->runs[k->r].cust;
    }
    while (b->off[k->c + 1] <= i) k->c++;
    return (uint32_t)k->c;
}

/* The customer of event i, in any order: O(log runs or customers). */
static uint32_t cust_of(const fu_book *b, size_t i) {
    if (i >= b->evc_base) { /* the first run ending after i */
        size_t lo = 0, hi = b->nruns - 1;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (b->runs[mid].end <= i) lo = mid + 1;
            else hi = mid;
        }
        return b->runs[lo].cust;
    }
    size_t lo = 0, hi = b->off_nc; /* the last customer whose events start at or before i */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (b->off[mid] <= i) lo = mid;
        else hi = mid;
    }
    return (uint32_t)lo;
}

/* Event nev - 1 (just stored) is of customer `cust`: extend or add a run.
 * The room was made by runs_room(). */
static void runs_push(fu_book *b, uint32_t cust) {
    if (!b->nruns || b->runs[b->nruns - 1].cust != cust) b->runs[b->nruns++].cust = cust;
    b->runs[b->nruns - 1].end = (uint32_t)b->nev;
}

static int runs_room(fu_book *b, size_t n) {
    return n > b->runs_cap && FU_GROW(b->runs, b->runs_cap, n) ? FU_ENOMEM : FU_OK;
}

/* The events were cut back to nev: so are the runs. */
static void runs_trim(fu_book *b) {
    if (b->evc_base > b->nev) b->evc_base = b->nev;
    while (b->nruns && (b->nruns == 1 ? b->evc_base : b->runs[b->nruns - 2].end) >= b->nev) b->nruns--;
    if (b->nruns) b->runs[b->nruns - 1].end = (uint32_t)b->nev;
}

/* Make the runs cover every event (evc_base 0): the events below evc_base
 * are in the order of the last finalize, one run per customer. */
static int evc_full(fu_book *b) {
    if (!b->evc_base) return FU_OK;
    size_t np = 0;
    for (size_t c = 0; c < b->off_nc; c++) np += b->off[c + 1] > b->off[c];
    size_t cap = np + b->nruns + 16, k = 0;
    crun *v = fu__malloc(cap * sizeof *v);
    if (!v) return fu__error_nomem();
    for (size_t c = 0; c < b->off_nc; c++)
        if (b->off[c + 1] > b->off[c]) v[k].cust = (uint32_t)c, v[k++].end = (uint32_t)b->off[c + 1];
    if (b->nruns) memcpy(v + k, b->runs, b->nruns * sizeof *v);
    fu__free(b->runs);
    b->runs = v;
    b->nruns += k;
    b->runs_cap = cap;
    b->evc_base = 0;
    return FU_OK;
}

/* The book is finalized again: every event is in customer order. */
static void evc_drop(fu_book *b) {
    fu__free(b->runs);
    b->runs = NULL;
    b->nruns = b->runs_cap = 0;
    b->evc_base = b->nev;
}

/* The customers of the events [from, nev), one an event (a transient copy). */
static uint32_t *cust_expand(const fu_book *b, size_t from) {
    uint32_t *v = fu__malloc((b->nev - from + 1) * sizeof *v);
    if (!v) return fu__error_nomem(), NULL;
    custwalk k = {0, 0};
    for (size_t i = from; i < b->nev; i++) v[i - from] = ev_cust(b, i, &k);
    return v;
}

/* The runs again from one customer an event (cu[0..nev), evc_base 0): never
 * more runs than before, so no allocation. */
static void runs_rebuild(fu_book *b, const uint32_t *cu) {
    b->nruns = 0;
    for (size_t i = 0; i < b->nev; i++) {
        if (!b->nruns || b->runs[b->nruns - 1].cust != cu[i]) b->runs[b->nruns++].cust = cu[i];
        b->runs[b->nruns - 1].end = (uint32_t)(i + 1);
    }
}

/* ---- dropping duplicates while events stream in ---- */

/* Below this many events the array grows without looking for duplicates. */
#define COMPACT_MIN 4096

static uint32_t row_hash(const fu__erow *r, uint32_t cust) {
    uint64_t h = mix64(0x9E3779B97F4A7C15ull, r->at_lo);
    h = mix64(h, (uint64_t)r->order_id << 32 | r->attr);
    h = (h ^ cust) * 0x94D049BB133111EBull;
    return (uint32_t)(h >> 32);
}

/* Drop every event that repeats an earlier one exactly, keeping the order of
 * the others: what fu_book_finalize() would drop (it keeps the first copy).
 * Done when the event array is full (every other time while that finds under
 * 1 in 16), so that a stream of repeated events never holds more than about
 * four times its unique events. The only allocation is a transient table
 * (hash << 32 | position + 1, at most half full) of 16 to 32 bytes per event
 * (and the customers of a finalized book's events); nothing else stays. */
#define CP_AHEAD 16

static inline void cp_prefetch(const void *p) {
#if defined(__GNUC__)
    __builtin_prefetch(p);
#else
    (void)p;
#endif
}

static int compact_events(fu_book *b) {
    int rc = evc_full(b);
    if (rc) return rc;
    b->counts_ok = 0; /* what it drops is not counted off */
    size_t n = b->nev, slots = 64;
    while (slots < 2 * n) slots *= 2;
    uint32_t *cu = cust_expand(b, 0);
    if (!cu) return FU_ENOMEM;
    uint64_t *t = fu__calloc(slots, sizeof *t);
    if (!t) {
        fu__free(cu);
        return fu__error_nomem();
    }
    fu__erow *ev = b->ev;
    size_t w = 0, mask = slots - 1, below = b->op_nev;
    /* the table is far bigger than the caches: hash CP_AHEAD events ahead and
     * prefetch their slots (events ahead are not yet moved: w <= i) */
    uint32_t ahead[CP_AHEAD];
    for (size_t i = 0; i < n && i < CP_AHEAD; i++) {
        ahead[i] = row_hash(&ev[i], cu[i]);
        cp_prefetch(&t[ahead[i] & mask]);
    }
    for (size_t i = 0; i < n; i++) {
        uint32_t h = ahead[i % CP_AHEAD];
        if (i + CP_AHEAD < n) {
            uint32_t h2 = row_hash(&ev[i + CP_AHEAD], cu[i + CP_AHEAD]);
            ahead[i % CP_AHEAD] = h2;
            cp_prefetch(&t[h2 & mask]);
        }
        size_t k = h & mask;
        int dup = 0;
        for (; t[k]; k = (k + 1) & mask) {
            size_t x = (uint32_t)t[k] - 1;
            if ((uint32_t)(t[k] >> 32) == h && cu[x] == cu[i] && row_eq(&ev[x], &ev[i])) {
                dup = 1;
                break;
            }
        }
        if (dup) {
            b->dups++;
            if (i < below) b->op_nev--, b->op_dups++; /* the failing call's mark moves too */
            continue;
        }
        if (w != i) {
            ev[w] = ev[i];
            cu[w] = cu[i];
        }
        t[k] = (uint64_t)h << 32 | (uint32_t)(w + 1);
        w++;
    }
    b->nev = w;
    runs_rebuild(b, cu);
    fu__free(cu);
    fu__free(t);
    return FU_OK;
}

/* Room for one more event in a full array: drop the duplicates first (unless
 * kept, or skipped this time), then grow unless that freed a quarter. */
static int make_room(fu_book *b) {
    if (!(b->flags & FU_BOOK_KEEP_DUPLICATES) && !b->appending && b->nev >= COMPACT_MIN) {
        if (b->compact_skip) {
            b->compact_skip = 0;
        } else {
            size_t had = b->nev;
            int rc = compact_events(b);
            if (rc) return rc;
            b->compact_skip = had - b->nev < had / 16;
        }
    }
    if ((b->nev == b->ev_cap || b->nev > b->ev_cap - b->ev_cap / 4) && FU_GROW(b->ev, b->ev_cap, b->nev + 1))
        return FU_ENOMEM;
    return FU_OK;
}

typedef fu__book_bad badpos;

static int set_bad(badpos *bad, int field) {
    if (bad) {
        bad->field = field;
        bad->offset = 0;
    }
    return 0;
}

static int intern_cstr(fu_book *b, const char *s, uint32_t *sym) {
    return st_intern(&b->st, s ? s : "", s ? strlen(s) : 0, sym);
}

static int check_tz(fu_book *b, uint32_t sym) {
    if (b->st.flags[sym] & SYM_TZ_OK) return FU_OK;
    fu_calendar *cal = NULL;
    int rc = fu_calendar_new(&cal, b->st.str[sym]);
    fu_calendar_free(cal);
    if (rc == FU_OK) b->st.flags[sym] |= SYM_TZ_OK;
    return rc;
}

static int check_windows(fu_book *b, uint32_t sym, badpos *bad, int field) {
    if (!sym || (b->st.flags[sym] & SYM_WIN_OK)) return FU_OK;
    fu_windows *w = NULL;
    const char *text = b->st.str[sym];
    int rc = fu_windows_parse(text, strlen(text), &w);
    fu_windows_free(w);
    if (rc == FU_OK) {
        b->st.flags[sym] |= SYM_WIN_OK;
        return FU_OK;
    }
    if (rc != FU_ENOMEM && bad) {
        bad->field = field;
        unsigned long col = fu_error_last()->column;
        bad->offset = col ? col - 1 : 0;
    }
    return rc;
}

/* The text of a string-table symbol (NULL for 0). */
static inline const char *sym_text(const fu_book *b, uint32_t sym) { return b->st.str[sym]; }

static int customer_push(fu_book *b, const fu__crow *c, size_t *index_out) {
    if (b->ncust >= UINT32_MAX - 1) return fu__error_set(FU_ELIMIT, "more than 2^32 - 2 customers");
    if (b->ncust == b->cust_cap && FU_GROW(b->cust, b->cust_cap, b->ncust + 1)) return FU_ENOMEM;
    cdec_drop(b);
    b->cust[b->ncust] = *c;
    b->st.owner[c->id] = (uint32_t)(b->ncust + 1);
    if (index_out) *index_out = b->ncust;
    b->ncust++;
    b->finalized = 0;
    b->generation++;
    return FU_OK;
}

static int tri_ok(int v) { return v >= FU_TRI_UNKNOWN && v <= FU_TRI_NO; }

/* v as the shortest %.*g that reads back to it: an error quotes the value
 * given, never a rounded one that would be valid (10.000000000000002 is no
 * NPS score; "%g" printed 10; review s13). */
static const char *exact(char *buf, size_t cap, double v) {
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, cap, "%.*g", prec, v);
        if (strtod(buf, NULL) == v) break;
    }
    return buf;
}

/* The API's customer id (what names `arg`) refused with an invisible
 * character, as the CSV readers refuse it (review s13 I20): FU_EINVAL,
 * "<arg>: an invisible character U+FEFF ...". */
static int check_api_id(const char *arg, const char *id) {
    unsigned long at;
    if (fu__id_check_invisible(id, strlen(id), &at) == FU_OK) return FU_OK;
    return fu__error_set(FU_EINVAL, "%s: %s", arg, fu_error_last()->message);
}

static int customer_add(fu_book *b, const fu_customer *in, badpos *bad, size_t *index_out) {
    set_bad(bad, -1);
    if (!in->id || !in->id[0]) return set_bad(bad, CF_ID), fu__error_set(FU_EINVAL, "customer id is missing");
    /* every text of the API path is UTF-8, as the CSV reader demands */
    const char *const texts[] = {in->id, in->tz, in->industry, in->preferred_windows, in->dnd_windows, in->owner};
    static const char *const text_names[] = {"customer id", "tz", "industry", "preferred_windows", "dnd_windows",
                                             "owner"};
    static const int text_fields[] = {CF_ID, CF_TZ, CF_INDUSTRY, CF_PREF, CF_DND, CF_OWNER};
    for (int i = 0; i < 6; i++)
        if (fu__utf8_check_str(text_names[i], texts[i]) != FU_OK)
            return set_bad(bad, text_fields[i]), FU_EINVAL;
    if (check_api_id("customer id", in->id)) return set_bad(bad, CF_ID), FU_EINVAL;
    char q[FU_ERRTEXT_CELL_CAP]; /* the id as echoed in a message (review s9 F2) */
    if (!in->tz || !in->tz[0])
        return set_bad(bad, CF_TZ),
               fu__error_set(FU_EINVAL, "customer '%s': tz is missing", fu__errtext_cell_str(q, sizeof q, in->id));
    if (in->first_purchase_at != FU_BOOK_NO_TIME &&
        (in->first_purchase_at < FU__TIME_MIN || in->first_purchase_at > FU__TIME_MAX))
        return set_bad(bad, CF_FIRST), fu__error_set(FU_ERANGE, "customer '%s': first_purchase_at %lld is outside"
                                                     " years 1..9999 (UTC)", fu__errtext_cell_str(q, sizeof q, in->id),
                                                     (long long)in->first_purchase_at);
    char num[32];
    if (!isnan(in->annual_spend) && !(isfinite(in->annual_spend) && in->annual_spend >= 0))
        return set_bad(bad, CF_SPEND), fu__error_set(FU_ERANGE, "annual_spend must be a finite number >= 0, got %s",
                                                     exact(num, sizeof num, in->annual_spend));
    static const int tri_fields[] = {CF_SMB, CF_CPHONE, CF_CSMS, CF_CEMAIL};
    const int tris[] = {(int)in->is_smb, (int)in->consent_phone, (int)in->consent_sms, (int)in->consent_email};
    for (int i = 0; i < 4; i++)
        if (!tri_ok(tris[i]))
            return set_bad(bad, tri_fields[i]), fu__error_set(FU_EINVAL, "tri-state value %d out of range", tris[i]);

    fu__crow c;
    memset(&c, 0, sizeof c);
    uint32_t id, tz, ind, pref, dnd, own;
    int rc;
    if ((rc = intern_cstr(b, in->id, &id))) return rc;
    if (b->st.owner[id])
        return set_bad(bad, CF_ID),
               fu__error_set(FU_EEXISTS, "customer '%s' is already in the book (index %lu)",
                             fu__errtext_cell_str(q, sizeof q, in->id), (unsigned long)(b->st.owner[id] - 1));
    if ((rc = intern_cstr(b, in->tz, &tz))) return rc;
    if ((rc = check_tz(b, tz))) {
        if (rc != FU_ENOMEM) set_bad(bad, CF_TZ);
        return rc;
    }
    if ((rc = intern_cstr(b, in->industry, &ind))) return rc;
    if ((rc = intern_cstr(b, in->preferred_windows, &pref))) return rc;
    if ((rc = check_windows(b, pref, bad, CF_PREF))) return rc;
    if ((rc = intern_cstr(b, in->dnd_windows, &dnd))) return rc;
    if ((rc = check_windows(b, dnd, bad, CF_DND))) return rc;
    if ((rc = intern_cstr(b, in->owner, &own))) return rc;
    c.annual_spend = in->annual_spend;
    c.first_purchase_at = in->first_purchase_at;
    c.id = id;
    c.tz = tz;
    c.industry = ind;
    c.pref = pref;
    c.dnd = dnd;
    c.owner = own;
    c.is_smb = (uint8_t)in->is_smb;
    c.consent_phone = (uint8_t)in->consent_phone;
    c.consent_sms = (uint8_t)in->consent_sms;
    c.consent_email = (uint8_t)in->consent_email;
    return customer_push(b, &c, index_out);
}

static int survey_range(fu_survey s, double *lo, double *hi) {
    switch (s) {
    case FU_SURVEY_CSAT: *lo = 1, *hi = 5; return 1;
    case FU_SURVEY_NPS: *lo = 0, *hi = 10; return 1;
    case FU_SURVEY_CES: *lo = 1, *hi = 7; return 1;
    default: return 0;
    }
}

/* One of an event's strings (FU__EVSTR_*), of known length and hash. */
static int intern_ev(fu_book *b, const char *s, const fu__evstr *k, int i, uint32_t *sym) {
    if (!k->len[i]) {
        *sym = 0;
        return FU_OK;
    }
    return st_intern_h(&b->st, s, k->len[i], k->hash[i], sym);
}

/* Room in the order memo for customer `cust` (new entries zeroed: empty):
 * FU_OK or FU_ENOMEM (error set). */
static int omemo_room(fu_book *b, uint32_t cust) {
    if (cust < b->omemo_n) return FU_OK;
    size_t n = b->omemo_n * 2 > (size_t)cust + 1 ? b->omemo_n * 2 : (size_t)cust + 1024;
    if (n < b->ncust) n = b->ncust;
    fu__ordmemo *m = fu__realloc(b->omemo, n * sizeof *m);
    if (!m) return fu__error_nomem();
    memset(m + b->omemo_n, 0, (n - b->omemo_n) * sizeof *m);
    b->omemo = m;
    b->omemo_n = n;
    return FU_OK;
}

int fu__book_order_memo(fu_book *b, int on) {
    fu__free(b->omemo);
    b->omemo = NULL;
    b->omemo_n = 0;
    if (!on) return FU_OK;
    int rc = omemo_room(b, b->ncust ? (uint32_t)(b->ncust - 1) : 0);
    return rc;
}

/* The order id of an event of customer `cust`: the symbol of the customer's
 * last order when the bytes are the same, else interned (and remembered). */
static int intern_order(fu_book *b, const char *s, const fu__evstr *k, uint32_t cust, uint32_t *sym) {
    uint32_t len = k->len[FU__EVSTR_ORDER];
    fu__ordmemo *m = NULL;
    if (b->omemo && len && len <= sizeof m->text) {
        int rc = omemo_room(b, cust);
        if (rc) return rc;
        m = &b->omemo[cust];
        if (m->len == len && fu__same_short(m->text, s, len)) {
            *sym = m->sym;
            return FU_OK;
        }
    }
    int rc = intern_ev(b, s, k, FU__EVSTR_ORDER, sym);
    if (rc == FU_OK && m) {
        m->sym = *sym;
        m->len = (uint8_t)len;
        memcpy(m->text, s, len);
    }
    return rc;
}

/* An event's strings measured and hashed, and its attribute hash: NULL
 * when a string is longer than the lengths hold. */
static const fu__evstr *evstr_of(const fu_event_in *in, fu__evstr *k) {
    const char *const texts[] = {in->customer_id, in->order_id, in->product_class, in->agent_id, in->note};
    _Static_assert(FU__EVSTR_CUST == 0 && FU__EVSTR_NOTE == 4, "texts[] is in FU__EVSTR_* order");
    for (int i = 0; i < FU__EVSTR_COUNT; i++) {
        size_t len = texts[i] ? strlen(texts[i]) : 0;
        if (len > UINT32_MAX) return NULL;
        k->len[i] = (uint32_t)len;
        k->hash[i] = len ? hash_bytes(texts[i], len) : 0;
    }
    k->attr_hash = fu__book_attr_hash(in, k);
    return k;
}

/* An event's kind, severity, channel, outcome, survey and priority in
 * range. */
static int check_enums(const fu_event_in *in, badpos *bad) {
    if ((unsigned)in->kind >= FU_EVENT_KIND_COUNT)
        return set_bad(bad, EF_KIND), fu__error_set(FU_EINVAL, "event kind %d out of range", (int)in->kind);
    if (!fu_severity_name(in->severity))
        return set_bad(bad, EF_SEV), fu__error_set(FU_EINVAL, "severity %d out of range", (int)in->severity);
    if (!fu_channel_name(in->channel))
        return set_bad(bad, EF_CHAN), fu__error_set(FU_EINVAL, "channel %d out of range", (int)in->channel);
    if (!fu_outcome_name(in->outcome))
        return set_bad(bad, EF_OUTCOME), fu__error_set(FU_EINVAL, "outcome %d out of range", (int)in->outcome);
    if (!fu_survey_name(in->survey))
        return set_bad(bad, EF_SURVEY), fu__error_set(FU_EINVAL, "survey %d out of range", (int)in->survey);
    if (in->priority < 0 || in->priority > 4)
        return set_bad(bad, EF_PRIO),
               fu__error_set(FU_EINVAL, "priority %d out of range (0 not given, 1 urgent .. 4 low)", in->priority);
    return FU_OK;
}

/* "unknown customer '<id>'<rest>", the id quoted by fu__errtext_cell()
 * (review s9 F2). Out of line: event_add's fast path keeps a small frame. */
#if defined(__GNUC__)
__attribute__((noinline, cold))
#endif
static int unknown_customer(int code, const char *id, const char *rest) {
    char q[FU_ERRTEXT_CELL_CAP];
    return fu__error_set(code, "unknown customer '%s'%s", fu__errtext_cell_str(q, sizeof q, id), rest);
}

/* `k`: the strings' lengths and hashes and the attribute hash of a CSV
 * block's row (its strings valid UTF-8, its enums and priority given by
 * their parsers, so in range), or NULL. */
static int event_add(fu_book *b, const fu_event_in *in, badpos *bad, const fu__evstr *k) {
    int rc;
    set_bad(bad, -1);
    if (!in->customer_id || !in->customer_id[0])
        return set_bad(bad, EF_CUST), fu__error_set(FU_EINVAL, "event customer_id is missing");
    const char *const texts[] = {in->customer_id, in->order_id, in->product_class, in->agent_id, in->note};
    static const char *const text_names[] = {"event customer_id", "order_id", "product_class", "agent_id", "note"};
    static const int text_fields[] = {EF_CUST, EF_ORDER, EF_PCLASS, EF_AGENT, EF_NOTE};
    for (int i = 0; !k && i < 5; i++)
        if (fu__utf8_check_str(text_names[i], texts[i]) != FU_OK) return set_bad(bad, text_fields[i]), FU_EINVAL;
    if (in->at == FU_BOOK_NO_TIME) return set_bad(bad, EF_AT), fu__error_set(FU_EINVAL, "event time is missing");
    /* a time the CSV writer cannot write would make the whole book unwritable */
    if (in->at < FU__TIME_MIN || in->at > FU__TIME_MAX)
        return set_bad(bad, EF_AT),
               fu__error_set(FU_ERANGE, "event time %lld is outside years 1..9999 (UTC)", (long long)in->at);
    if (!k && (rc = check_enums(in, bad))) return rc;
    char num[32];
    if (!isnan(in->unit_price) && !(isfinite(in->unit_price) && in->unit_price >= 0))
        return set_bad(bad, EF_UNIT), fu__error_set(FU_ERANGE, "unit_price must be a finite number >= 0, got %s",
                                                    exact(num, sizeof num, in->unit_price));
    if (!isnan(in->amount) && !isfinite(in->amount))
        return set_bad(bad, EF_AMOUNT), fu__error_set(FU_ERANGE, "amount must be finite");
    if (!isnan(in->score)) {
        double lo, hi;
        if (!isfinite(in->score) || fabs(in->score) > 1e6)
            return set_bad(bad, EF_SCORE),
                   fu__error_set(FU_ERANGE, "score out of range: %s", exact(num, sizeof num, in->score));
        if (survey_range(in->survey, &lo, &hi) &&
            (in->score < lo || in->score > hi || in->score != floor(in->score)))
            return set_bad(bad, EF_SCORE),
                   fu__error_set(FU_ERANGE, "%s score must be an integer %g..%g, got %s",
                                 fu_survey_name(in->survey), lo, hi, exact(num, sizeof num, in->score));
        if (in->kind == FU_EVENT_SURVEY && in->survey == FU_SURVEY_NONE)
            return set_bad(bad, EF_SCORE),
                   fu__error_set(FU_EINVAL, "a survey score needs a survey type (csat, nps or ces)");
    }
    if (b->nev >= UINT32_MAX) return fu__error_set(FU_ELIMIT, "more than 2^32 - 1 events");
    fu__evstr own;
    if (!k && !(k = evstr_of(in, &own))) return fu__error_set(FU_ELIMIT, "an event string of 4 GiB or more");

    uint32_t cust, sym = 0;
    const char *id_text = b->last_id; /* the customer's id as stored (not its row: a cache miss) */
    if (b->last_id && b->last_hash == k->hash[FU__EVSTR_CUST] && strcmp(b->last_id, in->customer_id) == 0)
        cust = b->last_cust;
    else if ((sym = st_find(&b->st, in->customer_id, k->len[FU__EVSTR_CUST], k->hash[FU__EVSTR_CUST])) &&
             b->st.owner[sym]) {
        cust = b->st.owner[sym] - 1;
        id_text = sym_text(b, sym);
    } else if ((b->flags & FU_BOOK_CREATE_CUSTOMERS) && b->no_create) {
        return set_bad(bad, EF_CUST),
               unknown_customer(FU_ESTATE, in->customer_id, ": a borrowed book takes no new customer");
    } else if (b->flags & FU_BOOK_CREATE_CUSTOMERS) {
        /* an id that makes a customer: as the customers' (a CSV block's row was checked) */
        if (k == &own && check_api_id("event customer_id", in->customer_id)) return set_bad(bad, EF_CUST), FU_EINVAL;
        if ((rc = intern_cstr(b, in->customer_id, &sym))) return rc;
        fu_customer ci;
        fu_customer_init(&ci);
        fu__crow c;
        memset(&c, 0, sizeof c);
        c.annual_spend = ci.annual_spend;
        c.first_purchase_at = ci.first_purchase_at;
        c.id = sym;
        c.is_smb = (uint8_t)ci.is_smb;
        c.consent_phone = (uint8_t)ci.consent_phone;
        c.consent_sms = (uint8_t)ci.consent_sms;
        c.consent_email = (uint8_t)ci.consent_email;
        size_t idx;
        if ((rc = customer_push(b, &c, &idx))) return rc;
        b->created++;
        cust = (uint32_t)idx;
        id_text = sym_text(b, sym);
    } else {
        return set_bad(bad, EF_CUST),
               unknown_customer(FU_ENOTFOUND, in->customer_id, "");
    }

    fu__eattr a;
    fu__erow r;
    attr_fill(in, &a);
    if ((rc = intern_order(b, in->order_id, k, cust, &r.order_id)) ||
        (rc = intern_ev(b, in->product_class, k, FU__EVSTR_PCLASS, &a.product_class)) ||
        (rc = intern_ev(b, in->agent_id, k, FU__EVSTR_AGENT, &a.agent_id)) ||
        (rc = intern_ev(b, in->note, k, FU__EVSTR_NOTE, &a.note)))
        return rc;
    uint32_t ah = k->attr_hash;
    if ((rc = attr_intern(&b->attrs, &a, ah, &r.attr))) return rc;
    r.at_lo = (uint32_t)in->at;
    if (b->nev == b->ev_cap && (rc = make_room(b))) return rc;
    if ((rc = runs_room(b, b->nruns + 1))) return rc;
    if (b->counts && cust >= b->counts_n && (rc = fu__book_counts_room(b, cust))) return rc;
    b->ev[b->nev++] = r;
    runs_push(b, cust);
    if (b->counts) b->counts[cust]++;
    b->finalized = 0;
    b->generation++;
    dec_drop(b);
    b->last_id = id_text;
    b->last_cust = cust;
    b->last_hash = k->hash[FU__EVSTR_CUST];
    return FU_OK;
}

/* The public adds: n records (all or nothing) through `one`; `what` names
 * the failing record of a bulk call in the error (NULL: a single add). */
typedef int (*add_fn)(fu_book *b, const void *rec, size_t *index_out);

/* A field's error on the API path names the customer and the field, not a
 * made-up source ("<windows>:1:9:", review s11 L5); the CSV path puts the
 * file's position there instead. */
static int add_customer_one(fu_book *b, const void *rec, size_t *index_out) {
    const fu_customer *in = rec;
    badpos bad;
    int rc = customer_add(b, in, &bad, index_out);
    const fu_error *e = fu_error_last();
    int win = rc && (bad.field == CF_PREF || bad.field == CF_DND) && !strcmp(e->source, "<windows>");
    if (!win && (!rc || rc == FU_ENOMEM || !strstr(e->message, ": invalid UTF-8 at byte"))) return rc;
    char q[FU_ERRTEXT_CELL_CAP];
    const char *msg = e->message; /* fu__error_set() may format the error's own fields */
    if (bad.field == CF_ID) return fu__error_set(rc, "%s", msg); /* "customer id: invalid UTF-8 ..." */
    fu__errtext_cell_str(q, sizeof q, in->id);
    if (!win) return fu__error_set(rc, "customer '%s': %s", q, msg); /* "tz: invalid UTF-8 ..." */
    return fu__error_set(rc, "customer '%s': %s: %s (character %lu of the value)", q,
                         bad.field == CF_PREF ? "preferred_windows" : "dnd_windows", msg, e->column);
}

static int add_event_one(fu_book *b, const void *rec, size_t *index_out) {
    (void)index_out;
    badpos bad;
    const fu_event_in *in = rec;
    int rc = event_add(b, in, &bad, NULL); /* a field's error names the event's customer and the field */
    if (rc == FU_ENOTFOUND && bad.field == EF_CUST) /* what makes it differ, as the CSV path says (review s13 I20) */
        return fu__id_unknown_hint(b, in->customer_id, strlen(in->customer_id), rc);
    return rc ? fu__book_event_field_error(rc, in->customer_id, bad.field) : FU_OK;
}

static int add_records(fu_book *b, const char *fn, const char *what, const void *in, size_t size, size_t n,
                       add_fn one, size_t *index_out) {
    if (book_check_free(b, fn)) return FU_ESTATE;
    mark m = book_mark(b);
    for (size_t i = 0; i < n; i++) {
        int rc = one(b, (const char *)in + i * size, index_out);
        if (rc) {
            book_rollback(b, &m);
            if (what && rc != FU_ENOMEM) fu__error_prefix("%s %zu", what, i);
            return rc;
        }
    }
    return FU_OK;
}

int fu_book_add_customer(fu_book *b, const fu_customer *in, size_t *index_out) {
    if (!b || !in) return fu__error_set(FU_EINVAL, "book or customer is NULL");
    return add_records(b, "fu_book_add_customer", NULL, in, sizeof *in, 1, add_customer_one, index_out);
}

int fu_book_add_customers(fu_book *b, const fu_customer *in, size_t n) {
    if (!b || (!in && n)) return fu__error_set(FU_EINVAL, "book or customers is NULL");
    return add_records(b, "fu_book_add_customers", "customer", in, sizeof *in, n, add_customer_one, NULL);
}

int fu_book_add_event(fu_book *b, const fu_event_in *in) {
    if (!b || !in) return fu__error_set(FU_EINVAL, "book or event is NULL");
    return add_records(b, "fu_book_add_event", NULL, in, sizeof *in, 1, add_event_one, NULL);
}

int fu_book_add_events(fu_book *b, const fu_event_in *in, size_t n) {
    if (!b || (!in && n)) return fu__error_set(FU_EINVAL, "book or events is NULL");
    return add_records(b, "fu_book_add_events", "event", in, sizeof *in, n, add_event_one, NULL);
}

/* ====================================================== finalize */

/* What the sorts compare: rows and (for the appended ones) their customers. */
typedef struct sortctx {
    const fu__erow *ev;
    const uint32_t *cust;
    const fu__eattr *A; /* the attributes (the high bits of the times) */
} sortctx;
typedef int (*idx_less)(const sortctx *x, uint32_t a, uint32_t b);

static int less_time(const sortctx *x, uint32_t a, uint32_t b) {
    int64_t ta = row_at(x->A, &x->ev[a]), tb = row_at(x->A, &x->ev[b]);
    return ta < tb || (ta == tb && a < b);
}

static int less_content(const sortctx *x, uint32_t a, uint32_t b) {
    int c = memcmp(&x->ev[a], &x->ev[b], sizeof *x->ev);
    return c < 0 || (c == 0 && a < b);
}

/* Heap sort of indices: no memory, O(n log n) whatever the input. The keys
 * end with the index, so the result is the stable order. */
static void sift(uint32_t *a, size_t root, size_t n, const sortctx *ev, idx_less less) {
    for (;;) {
        size_t child = 2 * root + 1;
        if (child >= n) return;
        if (child + 1 < n && less(ev, a[child], a[child + 1])) child++;
        if (!less(ev, a[root], a[child])) return;
        uint32_t t = a[root];
        a[root] = a[child];
        a[child] = t;
        root = child;
    }
}

static void sort_idx(uint32_t *a, size_t n, const sortctx *ev, idx_less less) {
    if (n < 2) return;
    if (n <= 16) { /* insertion sort: stable for the small common case */
        for (size_t i = 1; i < n; i++) {
            uint32_t x = a[i];
            size_t j = i;
            while (j > 0 && less(ev, x, a[j - 1])) a[j] = a[j - 1], j--;
            a[j] = x;
        }
        return;
    }
    for (size_t i = n / 2; i-- > 0;) sift(a, i, n, ev, less);
    for (size_t end = n - 1; end > 0; end--) {
        uint32_t t = a[0];
        a[0] = a[end];
        a[end] = t;
        sift(a, 0, end, ev, less);
    }
}

/* Move the events so that position i holds the event that was at order[i]. */
static void apply_order(fu__erow *ev, uint32_t *order, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (order[i] == i) continue;
        fu__erow tmp = ev[i];
        size_t j = i;
        for (;;) {
            size_t src = order[j];
            order[j] = (uint32_t)j;
            if (src == i) {
                ev[j] = tmp;
                break;
            }
            ev[j] = ev[src];
            j = src;
        }
    }
}

/* Up to this many events of a customer are sorted with their times on the
 * stack, by insertion (stable). */
#define SORT_SMALL 32

/* Sort the k events of one customer by time, stably; `order` holds k
 * entries when k > SORT_SMALL. */
/* The order of stored times: the low 32 bits alone when every attribute has
 * the same high part (`one_hi`: no visit to the attributes, a cache miss). */
static inline int64_t time_key(const fu__eattr *A, const fu__erow *r, int one_hi) {
    return one_hi ? (int64_t)r->at_lo : row_at(A, r);
}

/* Whether every attribute has the same high part of the time. */
static int attrs_one_hi(const fu__attrtab *t) {
    for (size_t i = 1; i < t->n; i++)
        if (t->v[i].at_hi != t->v[0].at_hi) return 0;
    return 1;
}

static void sort_by_time(fu__erow *v, size_t k, const fu__eattr *A, int one_hi, uint32_t *order) {
    size_t x = 1;
    while (x < k && time_key(A, &v[x - 1], one_hi) <= time_key(A, &v[x], one_hi)) x++;
    if (x >= k) return;
    if (k > SORT_SMALL) {
        for (size_t i = 0; i < k; i++) order[i] = (uint32_t)i;
        sortctx sc = {v, NULL, A};
        sort_idx(order, k, &sc, less_time);
        apply_order(v, order, k);
        return;
    }
    int64_t t[SORT_SMALL];
    for (size_t i = 0; i < k; i++) t[i] = time_key(A, &v[i], one_hi);
    for (size_t i = x; i < k; i++) {
        fu__erow r = v[i];
        int64_t ti = t[i];
        size_t j = i;
        while (j > 0 && ti < t[j - 1]) v[j] = v[j - 1], t[j] = t[j - 1], j--;
        v[j] = r;
        t[j] = ti;
    }
}

/* Drop exact duplicates within each run of equal timestamps, keeping the
 * first; `scratch` holds at least as many entries as the longest run (and,
 * with `sort`, as sort_by_time() needs). With `sort`, each customer's
 * events are sorted by time first, while they are in the cache (one pass
 * over the events instead of two). A row that stays where it is is not
 * written again (its cache line stays clean). */
static size_t drop_duplicates(fu__erow *ev, const fu__eattr *A, int one_hi, size_t *off, size_t nc,
                              uint32_t *scratch, int sort) {
    size_t w = 0;
    for (size_t c = 0; c < nc; c++) {
        size_t i = off[c], end = off[c + 1];
        off[c] = w;
        if (sort) sort_by_time(ev + i, end - i, A, one_hi, scratch);
        while (i < end) {
            size_t j = i + 1;
            int64_t t = time_key(A, &ev[i], one_hi);
            while (j < end && time_key(A, &ev[j], one_hi) == t) j++;
            size_t k = j - i;
            if (k == 1) {
                if (w != i) ev[w] = ev[i];
                w++;
            } else if (k <= 16 || !scratch) {
                size_t w0 = w;
                for (size_t x = i; x < j; x++) {
                    int dup = 0;
                    for (size_t y = w0; y < w && !dup; y++) dup = row_eq(&ev[y], &ev[x]);
                    if (!dup) ev[w++] = ev[x];
                }
            } else {
                for (size_t x = 0; x < k; x++) scratch[x] = (uint32_t)(i + x);
                sortctx sc = {ev, NULL, A};
                sort_idx(scratch, k, &sc, less_content);
                /* equal contents are now adjacent, first-added first: mark the
                 * later copies (attr ATTR_DEAD; a marked row is never compared
                 * again: `first` is always an unmarked one) */
                size_t first = 0;
                for (size_t x = 1; x < k; x++) {
                    if (row_eq(&ev[scratch[x]], &ev[scratch[first]])) {
                        ev[scratch[x]].attr = ATTR_DEAD;
                        continue;
                    }
                    first = x;
                }
                for (size_t x = i; x < j; x++) {
                    if (ev[x].attr == ATTR_DEAD) continue;
                    ev[w++] = ev[x];
                }
            }
            i = j;
        }
    }
    off[nc] = w;
    return w;
}

int fu_book_finalize(fu_book *b) {
    if (!b) return fu__error_set(FU_EINVAL, "book is NULL");
    if (b->finalized && b->off) { /* appended events settle (part of the appends, allowed while borrowed) */
        book_settle(b);
        return FU_OK;
    }
    if (book_check_free(b, "fu_book_finalize")) return FU_ESTATE;
    const size_t n = b->nev, nc = b->ncust;
    fu__erow *ev = b->ev;
    int dedup = !(b->flags & FU_BOOK_KEEP_DUPLICATES);
    int rc = evc_full(b); /* the customer of every event, in runs */
    if (rc) return rc;

    /* in order already? and the longest run of equal times (for dedup) */
    int sorted = 1;
    size_t run = 1, maxrun = n ? 1 : 0;
    const fu__eattr *A = b->attrs.v;
    const int one_hi = attrs_one_hi(&b->attrs);
    custwalk wk = {0, 0};
    uint32_t cp = n ? ev_cust(b, 0, &wk) : 0;
    for (size_t i = 1; i < n && sorted; i++) {
        int64_t t = time_key(A, &ev[i], one_hi), tp = time_key(A, &ev[i - 1], one_hi);
        uint32_t ci = ev_cust(b, i, &wk), cprev = cp;
        cp = ci;
        if (ci < cprev || (ci == cprev && t < tp))
            sorted = 0;
        else if (ci == cprev && t == tp) {
            if (++run > maxrun) maxrun = run;
        } else
            run = 1;
    }

    /* every allocation first: after them nothing can fail */
    if (b->off_cap < nc + 1) {
        size_t *o = fu__realloc(b->off, (nc + 1) * sizeof *o);
        if (!o) return fu__error_nomem();
        b->off = o;
        b->off_cap = nc + 1;
    }
    size_t *off = b->off;
    fu__book_count_by_customer(b, off);
    size_t kmax = 0; /* the most events of one customer */
    for (size_t c = 1; c <= nc; c++) {
        if (off[c] > kmax) kmax = off[c];
        off[c] += off[c - 1];
    }
    /* the buffer of the grouping: a quarter of the events (so a book of
     * several customers takes passes), at least one customer's */
    size_t bcap = n / 4 + 1 > kmax ? n / 4 + 1 : kmax;
    fu__erow *to = NULL; /* that buffer (when not sorted) */
    uint32_t *order = NULL; /* the scratch of one customer's sort or dedup */
    if (n && !sorted && !(to = fu__malloc(bcap * sizeof *to))) return fu__error_nomem();
    if (n && ((!sorted && kmax > SORT_SMALL) || (dedup && (sorted ? maxrun : kmax) > 16)) &&
        !(order = fu__malloc(kmax * sizeof *order))) {
        fu__free(to);
        return fu__error_nomem();
    }

    if (!sorted) {
        fu__book_group_by_customer(b, to, bcap, off);
        fu__free(to);
        if (!dedup)
            for (size_t c = 0; c < nc; c++) sort_by_time(ev + off[c], off[c + 1] - off[c], A, one_hi, order);
    }
    if (dedup && n) {
        size_t kept = drop_duplicates(ev, b->attrs.v, one_hi, off, nc, order, !sorted);
        b->dups += n - kept;
        b->nev = kept;
    }
    fu__free(order);
    /* give back what doubling reserved beyond a quarter */
    if (b->ev_cap > 64 && b->ev_cap - b->nev > b->nev / 4) {
        size_t cap = b->nev + b->nev / 8 + 1;
        fu__erow *shrunk = fu__realloc(b->ev, cap * sizeof *shrunk);
        if (shrunk) {
            b->ev = shrunk;
            b->ev_cap = cap;
        }
    }
    evc_drop(b); /* the offsets tell the customers now */
    b->off_nc = nc;
    b->finalized = 1;
    b->generation++;
    dec_drop(b);
    return FU_OK;
}

/* ====================================================== append */

/* Appended events do not move the book's events: each customer that gets
 * some is *relocated*: its events, merged with the new ones, are copied to
 * the end of the overflow array `ovf` (rel_at[c], rel_n[c]), where
 * fu_book_customer_events() finds them at once. The main array keeps the
 * customer's old copy until the book is *settled*: book_settle() moves every
 * customer's events into one array in customer order again (in place, from
 * the back; the room was reserved by the appends), for the calls that read
 * the whole array (fu_book_events(), fu_book_event_offsets(), the writers)
 * and before any other change. So an append costs O(k log k) plus the
 * events of the customers it touches, and the whole array moves once per
 * settle, not once per append. */

#define REL_NONE SIZE_MAX

static int less_cust_time(const sortctx *x, uint32_t a, uint32_t b) {
    if (x->cust[a] != x->cust[b]) return x->cust[a] < x->cust[b];
    return less_time(x, a, b);
}

/* Customer c's stored events as they stand (relocated or in the main array). */
static const fu__erow *cust_view(const fu_book *b, size_t c, size_t *n) {
    if (b->pending && c < b->rel_cap && b->rel_at[c] != REL_NONE) {
        *n = b->rel_n[c];
        return b->ovf + b->rel_at[c];
    }
    *n = b->off[c + 1] - b->off[c];
    return b->ev + b->off[c];
}

/* Whether `e` repeats one of the events v[0..n) (one customer's, in time
 * order): binary search for its time, then compare the run of equal times. */
static int repeats(const fu__eattr *A, const fu__erow *v, size_t n, const fu__erow *e) {
    size_t lo = 0, hi = n;
    int64_t t = row_at(A, e);
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (row_at(A, &v[mid]) < t) lo = mid + 1;
        else hi = mid;
    }
    for (; lo < n && row_at(A, &v[lo]) == t; lo++)
        if (row_eq(&v[lo], e)) return 1;
    return 0;
}

/* Move every relocated customer's events back into the main array, all in
 * customer order. Cannot fail: appends reserved ev_cap >= nev + napp. */
static void book_settle(fu_book *b) {
    if (!b->pending) return;
    size_t nc = b->ncust, total = b->nev + b->napp, end = total, old_next = b->off[nc];
    b->off[nc] = total;
    for (size_t c = nc; c-- > 0;) {
        size_t old_start = b->off[c], k;
        if (b->rel_at[c] != REL_NONE) {
            k = b->rel_n[c];
            memcpy(b->ev + end - k, b->ovf + b->rel_at[c], k * sizeof *b->ev);
            b->rel_at[c] = REL_NONE;
        } else {
            k = old_next - old_start;
            if (end - k != old_start) memmove(b->ev + end - k, b->ev + old_start, k * sizeof *b->ev);
        }
        end -= k;
        b->off[c] = end;
        old_next = old_start;
    }
    b->nev = total;
    b->evc_base = total;
    b->off_nc = nc;
    b->napp = 0;
    b->novf = 0;
    b->pending = 0;
    dec_drop(b);
}

/* For const readers of the whole array: see "Appending" in book.h. */
static void settle_const(const fu_book *cb) { book_settle((fu_book *)cb); }

size_t fu__book_settled_count(const fu_book *b) {
    if (!b) return 0;
    settle_const(b);
    return b->nev;
}

/* A new event and its customer, while an append places it. */
typedef struct newev {
    fu__erow r;
    uint32_t c;
} newev;

/* Reserve what placing `kk` new events of `groups` customers (tmp[0..kk),
 * by customer) needs: overflow room for each customer's merged events, the
 * main array for the settle, the relocation index. FU_ENOMEM changes nothing
 * the book shows. */
static int reserve_append(fu_book *b, const newev *tmp, size_t kk) {
    size_t need = b->novf;
    for (size_t j = 0; j < kk;) {
        size_t c = tmp[j].c, m = 0, n;
        while (j < kk && tmp[j].c == c) j++, m++;
        cust_view(b, c, &n);
        need += n + m;
    }
    if (need > b->ovf_cap) {
        size_t cap = b->ovf_cap ? b->ovf_cap : 256;
        while (cap < need) cap *= 2;
        fu__erow *p = fu__realloc(b->ovf, cap * sizeof *p);
        if (!p) return fu__error_nomem();
        b->ovf = p;
        b->ovf_cap = cap;
    }
    size_t total = b->nev + b->napp + kk;
    if (total > b->ev_cap && FU_GROW(b->ev, b->ev_cap, total)) return FU_ENOMEM;
    if (b->rel_cap < b->ncust) {
        size_t *at = fu__realloc(b->rel_at, b->ncust * sizeof *at);
        if (!at) return fu__error_nomem();
        b->rel_at = at;
        uint32_t *rn = fu__realloc(b->rel_n, b->ncust * sizeof *rn);
        if (!rn) return fu__error_nomem();
        b->rel_n = rn;
        for (size_t c = b->rel_cap; c < b->ncust; c++) b->rel_at[c] = REL_NONE;
        b->rel_cap = b->ncust;
    }
    return FU_OK;
}

/* The new events (after the first `n0`) in customer and time order, exact
 * duplicates dropped unless kept: *out (kk of them), or FU_ENOMEM. */
static int sort_appended(fu_book *b, size_t n0, newev **out, size_t *kk_out) {
    size_t k = b->nev - n0;
    uint32_t *order = fu__malloc(k * sizeof *order);
    newev *tmp = fu__malloc(k * sizeof *tmp);
    uint32_t *cu = order && tmp ? cust_expand(b, n0) : NULL;
    if (!order || !tmp || !cu) {
        FU_FREE_ALL(order, tmp, cu);
        return fu__error_nomem();
    }
    const fu__erow *add = b->ev + n0;
    sortctx sc = {add, cu, b->attrs.v};
    for (size_t i = 0; i < k; i++) order[i] = (uint32_t)i;
    sort_idx(order, k, &sc, less_cust_time);
    int dedup = !(b->flags & FU_BOOK_KEEP_DUPLICATES);
    size_t kk = 0, run = 0, dups = 0; /* tmp[run..kk): kept new events of one customer and time */
    for (size_t i = 0; i < k; i++) {
        const fu__erow *e = &add[order[i]];
        uint32_t c = sc.cust[order[i]];
        if (kk && (tmp[kk - 1].c != c || row_at(sc.A, &tmp[kk - 1].r) != row_at(sc.A, e))) run = kk;
        if (dedup) {
            size_t n;
            const fu__erow *v = cust_view(b, c, &n);
            int dup = repeats(sc.A, v, n, e);
            for (size_t x = run; x < kk && !dup; x++) dup = row_eq(&tmp[x].r, e);
            if (dup) {
                dups++;
                continue;
            }
        }
        tmp[kk].r = *e;
        tmp[kk++].c = c;
    }
    fu__free(order);
    fu__free(cu);
    b->dups += dups;
    *out = tmp;
    *kk_out = kk;
    return FU_OK;
}

/* Place the events added after the first `n0` (the finalized array) as
 * fu_book_finalize() would have: in each customer's time order after the
 * events of equal time already there, in the order given, exact duplicates
 * dropped (unless kept). All allocations come first. */
static int place_appended(fu_book *b, size_t n0) {
    if (b->nev == n0) return FU_OK;
    newev *tmp = NULL;
    size_t kk = 0;
    int rc = sort_appended(b, n0, &tmp, &kk);
    if (!rc) rc = reserve_append(b, tmp, kk);
    if (rc) { /* the caller rolls back (the duplicates count too) */
        fu__free(tmp);
        return rc;
    }
    /* nothing can fail from here */
    b->nev = n0; /* the raw copies go */
    for (size_t j = 0; j < kk;) {
        size_t c = tmp[j].c, j0 = j, n, i = 0;
        while (j < kk && tmp[j].c == c) j++;
        const fu__erow *v = cust_view(b, c, &n);
        fu__erow *dst = b->ovf + b->novf;
        size_t w = 0;
        for (size_t x = j0; x < j; x++) { /* old events up to the new one's time, then it */
            while (i < n && row_at(b->attrs.v, &v[i]) <= row_at(b->attrs.v, &tmp[x].r)) dst[w++] = v[i++];
            dst[w++] = tmp[x].r;
        }
        while (i < n) dst[w++] = v[i++];
        b->pending = 1; /* rel_at is REL_NONE for every customer not relocated since the last settle */
        b->rel_at[c] = b->novf;
        b->rel_n[c] = (uint32_t)w;
        b->novf += w;
        b->napp += j - j0;
    }
    fu__free(tmp);
    evc_drop(b);
    /* the overflow holds stale copies too: settle once it reaches 1/16 of
     * the book (amortised: 16 events moved per event placed) */
    if (b->novf > 4096 && b->novf > b->nev / 16) book_settle(b);
    return FU_OK;
}

int fu_book_append_events(fu_book *b, const fu_event_in *in, size_t n) {
    if (!b || (!in && n)) return fu__error_set(FU_EINVAL, "book or events is NULL");
    int borrowed = atomic_load(&b->borrowers) != 0;
    int rc;
    if (!fu_book_is_finalized(b) && (rc = fu_book_finalize(b))) return rc; /* a borrowed book is finalized */
    if (!n) return FU_OK;
    mark m = {b->ncust, b->nev, b->dups, b->skipped, b->created, b->finalized, b->generation};
    b->op_nev = b->nev;
    b->op_dups = b->dups;
    size_t n0 = b->nev;
    b->appending = 1;
    b->no_create = borrowed;
    for (size_t i = 0; i < n; i++) {
        rc = event_add(b, &in[i], NULL, NULL);
        if (rc) {
            if (rc != FU_ENOMEM) fu__error_prefix("event %zu", i);
            break;
        }
    }
    b->appending = b->no_create = 0;
    if (!rc && b->ncust + 1 > b->off_cap) { /* customers created by the events */
        size_t *o = fu__realloc(b->off, (b->ncust + 1) * sizeof *o);
        if (!o) rc = fu__error_nomem();
        else {
            b->off = o;
            b->off_cap = b->ncust + 1;
        }
    }
    if (!rc) {
        for (size_t c = m.ncust + 1; c <= b->ncust; c++) b->off[c] = b->off[m.ncust];
        b->off_nc = b->ncust;
        rc = place_appended(b, n0);
    }
    if (rc) {
        book_rollback(b, &m);
        return rc;
    }
    b->finalized = 1;
    b->generation++;
    dec_drop(b);
    return FU_OK;
}

uint64_t fu_book_generation(const fu_book *b) { return b ? b->generation : 0; }

int fu__book_unappend(fu_book *b, size_t ci, const fu_event *e) {
    if (!fu_book_is_finalized(b) || ci >= b->ncust) return 0;
    if (b->pending && ci < b->rel_cap && b->rel_at[ci] != REL_NONE) {
        fu__erow *v = b->ovf + b->rel_at[ci];
        for (size_t i = b->rel_n[ci]; i-- > 0;) {
            if (!row_is(b, &v[i], e)) continue;
            memmove(&v[i], &v[i + 1], (b->rel_n[ci] - i - 1) * sizeof *v);
            b->rel_n[ci]--;
            b->napp--;
            b->generation++;
            dec_drop(b);
            return 1;
        }
        return 0;
    }
    for (size_t i = b->off[ci + 1]; i-- > b->off[ci];) {
        if (!row_is(b, &b->ev[i], e)) continue;
        memmove(&b->ev[i], &b->ev[i + 1], (b->nev - i - 1) * sizeof *b->ev);
        b->nev--;
        b->evc_base = b->nev;
        for (size_t c = ci + 1; c <= b->ncust; c++) b->off[c]--;
        b->generation++;
        dec_drop(b);
        return 1;
    }
    return 0;
}

int fu_book_is_finalized(const fu_book *b) { return b && b->finalized && b->off ? 1 : 0; }

/* ====================================================== accessors */

size_t fu_book_customer_count(const fu_book *b) { return b ? b->ncust : 0; }

void fu__book_customer_get(const fu_book *b, size_t i, fu_customer *out) {
    const fu__crow *c = &b->cust[i];
    out->id = sym_text(b, c->id);
    out->tz = sym_text(b, c->tz);
    out->annual_spend = c->annual_spend;
    out->first_purchase_at = c->first_purchase_at;
    out->industry = sym_text(b, c->industry);
    out->is_smb = (fu_tristate)c->is_smb;
    out->consent_phone = (fu_tristate)c->consent_phone;
    out->consent_sms = (fu_tristate)c->consent_sms;
    out->consent_email = (fu_tristate)c->consent_email;
    out->preferred_windows = sym_text(b, c->pref);
    out->dnd_windows = sym_text(b, c->dnd);
    out->owner = sym_text(b, c->owner);
}

const char *fu__book_customer_id(const fu_book *b, size_t i) { return sym_text(b, b->cust[i].id); }

/* A decoded cache of the book (*slot, NULL until made): made once, under
 * the mutex, by the first reader (`fill` writes its `bytes`); NULL (error
 * set) when memory runs out. The cache is not part of the book's value. */
static void *cache_get(const fu_book *cb, _Atomic(void *) *slot, size_t bytes,
                       void (*fill)(const fu_book *, void *)) {
    fu_book *b = (fu_book *)cb;
    void *d = atomic_load_explicit(slot, memory_order_acquire);
    if (d) return d;
    pthread_mutex_lock(&b->dec_mu);
    d = atomic_load_explicit(slot, memory_order_acquire);
    if (!d && (d = fu__malloc(bytes)) != NULL) {
        fill(b, d);
        atomic_store_explicit(slot, d, memory_order_release);
    }
    pthread_mutex_unlock(&b->dec_mu);
    if (!d) fu__error_nomem();
    return d;
}

static void cdec_fill(const fu_book *b, void *out) {
    fu_customer *d = out;
    for (size_t i = 0; i < b->ncust; i++) fu__book_customer_get(b, i, &d[i]);
}

/* The decoded customers for fu_book_customer(). */
static const fu_customer *cdec_get(const fu_book *b) {
    return cache_get(b, &((fu_book *)b)->cdec, (b->ncust ? b->ncust : 1) * sizeof(fu_customer), cdec_fill);
}

const fu_customer *fu_book_customer(const fu_book *b, size_t i) {
    if (!b || i >= b->ncust) return NULL;
    const fu_customer *d = cdec_get(b);
    return d ? &d[i] : NULL;
}

int fu_book_find_customer(const fu_book *b, const char *id, size_t len, size_t *out) {
    if (!b || (!id && len) || !out) return fu__error_set(FU_EINVAL, "book, id or out is NULL");
    uint32_t sym = st_lookup(&b->st, id, len);
    if (!sym || !b->st.owner[sym]) {
        char q[FU_ERRTEXT_CELL_CAP];
        return fu__error_set(FU_ENOTFOUND, "no customer '%s'", fu__errtext_cell(q, sizeof q, id, len));
    }
    *out = b->st.owner[sym] - 1;
    return FU_OK;
}

int fu_book_customer_windows(const fu_book *b, size_t i, fu_customer_windows_kind kind, fu_windows **out) {
    if (!out) return fu__error_set(FU_EINVAL, "out is NULL");
    *out = NULL;
    int which = (int)kind;
    if (!b || i >= b->ncust || (which != FU_CUSTOMER_WINDOWS_PREFERRED && which != FU_CUSTOMER_WINDOWS_DND))
        return fu__error_set(FU_EINVAL, "no customer %zu or bad window kind %d", i, which);
    const char *text = sym_text(b, which == FU_CUSTOMER_WINDOWS_PREFERRED ? b->cust[i].pref : b->cust[i].dnd);
    if (!text) return FU_OK;
    return fu_windows_parse(text, strlen(text), out);
}

size_t fu_book_event_count(const fu_book *b) { return b ? b->nev + b->napp : 0; }

/* The decoded events for the public readers: the main array [0, nev), then
 * the overflow [nev, nev + novf) (relocated customers). Made once, under the
 * mutex, by the first reader; NULL (error set) when memory runs out. */
static void dec_fill(const fu_book *b, void *out) {
    fu_event *d = out;
    size_t n = b->nev;
    custwalk c = {0, 0};
    for (size_t i = 0; i < n; i++) ev_decode(b, &b->ev[i], ev_cust(b, i, &c), &d[i]);
    for (size_t k = 0; b->pending && k < b->ncust && k < b->rel_cap; k++)
        for (size_t j = 0; b->rel_at[k] != REL_NONE && j < b->rel_n[k]; j++)
            ev_decode(b, &b->ovf[b->rel_at[k] + j], (uint32_t)k, &d[n + b->rel_at[k] + j]);
}

static const fu_event *dec_get(const fu_book *b) {
    return cache_get(b, &((fu_book *)b)->dec, (b->nev + b->novf + 1) * sizeof(fu_event), dec_fill);
}

const fu_event *fu_book_events(const fu_book *b, size_t *count) {
    if (count) *count = 0;
    if (!b) return NULL;
    settle_const(b);
    if (!b->nev) return NULL;
    const fu_event *d = dec_get(b);
    if (d && count) *count = b->nev;
    return d;
}

int fu_book_customer_events(const fu_book *b, size_t i, const fu_event **events, size_t *count) {
    if (!b || !events || !count) return fu__error_set(FU_EINVAL, "book, events or count is NULL");
    if (i >= b->ncust) return fu__error_set(FU_EINVAL, "no customer %zu (the book has %zu)", i, b->ncust);
    if (!fu_book_is_finalized(b))
        return fu__error_set(FU_ESTATE, "the book is not finalized: call fu_book_finalize()");
    size_t at; /* where the customer's events are in the decoded array */
    if (b->pending && i < b->rel_cap && b->rel_at[i] != REL_NONE) {
        *count = b->rel_n[i];
        at = b->nev + b->rel_at[i];
    } else {
        *count = b->off[i + 1] - b->off[i];
        at = b->off[i];
    }
    if (!*count) {
        *events = NULL;
        return FU_OK;
    }
    const fu_event *d = dec_get(b);
    if (!d) return FU_ENOMEM;
    *events = d + at;
    return FU_OK;
}

void fu__evbuf_free(fu__evbuf *buf) {
    if (!buf) return;
    fu__free(buf->v);
    buf->v = NULL;
    buf->cap = 0;
}

void fu__book_event_at(const fu_book *b, size_t i, fu_event *e) {
    ev_decode(b, &b->ev[i], cust_of(b, i), e);
}

int fu__book_any_priority(const fu_book *b) {
    settle_const(b);
    for (size_t i = 0; i < b->nev; i++)
        if (b->attrs.v[b->ev[i].attr].priority) return 1;
    return 0;
}

int fu__book_events_decode(const fu_book *b, fu__evbuf *buf, const fu_event **events, size_t *count) {
    *events = NULL;
    *count = 0;
    if (!b) return FU_OK;
    settle_const(b);
    size_t n = b->nev;
    custwalk c = {0, 0};
    if (!n) return FU_OK;
    if (n > buf->cap && FU_GROW(buf->v, buf->cap, n)) return FU_ENOMEM;
    for (size_t i = 0; i < n; i++) ev_decode(b, &b->ev[i], ev_cust(b, i, &c), &buf->v[i]);
    *events = buf->v;
    *count = n;
    return FU_OK;
}

int fu__book_customer_decode(const fu_book *b, size_t i, fu__evbuf *buf, const fu_event **events, size_t *count) {
    if (!b || !buf || !events || !count) return fu__error_set(FU_EINVAL, "book, buffer, events or count is NULL");
    if (i >= b->ncust) return fu__error_set(FU_EINVAL, "no customer %zu (the book has %zu)", i, b->ncust);
    if (!fu_book_is_finalized(b))
        return fu__error_set(FU_ESTATE, "the book is not finalized: call fu_book_finalize()");
    size_t n;
    const fu__erow *v = cust_view(b, i, &n);
    if (n > buf->cap && FU_GROW(buf->v, buf->cap, n)) return FU_ENOMEM;
    for (size_t k = 0; k < n; k++) ev_decode(b, &v[k], (uint32_t)i, &buf->v[k]);
    *events = buf->v;
    *count = n;
    return FU_OK;
}

void fu__book_customer_prefetch(const fu_book *b, size_t i) {
#if defined(__GNUC__) || defined(__clang__)
    if (!b || i >= b->ncust || !fu_book_is_finalized(b)) return;
    size_t n;
    const fu__erow *v = cust_view(b, i, &n);
    for (size_t k = 0; k < n; k++) __builtin_prefetch(&b->attrs.v[v[k].attr]);
#else
    (void)b;
    (void)i;
#endif
}

const fu__erow *fu__book_customer_rows(const fu_book *b, size_t i, size_t *count) {
    return cust_view(b, i, count);
}

int fu_book_event_times(const fu_book *b, size_t first, size_t count, int64_t *out) {
    if (!count) return FU_OK;
    if (!b || !out) return fu__error_set(FU_EINVAL, "book or out is NULL");
    settle_const(b);
    if (first > b->nev || count > b->nev - first)
        return fu__error_set(FU_EINVAL, "events %zu..%zu past the book's %zu", first, first + count, b->nev);
    const fu__erow *r = b->ev + first;
    for (size_t k = 0; k < count; k++) out[k] = fu__erow_at(b->attrs.v, &r[k]);
    return FU_OK;
}

const size_t *fu_book_event_offsets(const fu_book *b) {
    if (!fu_book_is_finalized(b)) return NULL;
    settle_const(b);
    return b->off;
}

const char *fu_book_string(const fu_book *b, uint32_t id) {
    return b && id && id < b->st.n ? b->st.str[id] : NULL;
}

void fu_book_get_stats(const fu_book *b, fu_book_stats *out) {
    if (!out) return;
    memset(out, 0, sizeof *out);
    if (!b) return;
    out->customers = b->ncust;
    out->events = b->nev + b->napp;
    out->duplicates_dropped = b->dups;
    out->unknown_kinds_skipped = b->skipped;
    out->customers_created = b->created;
}

/* ====================================================== for book_csv.c */

fu__book_mark fu__book_begin(fu_book *b) { return book_mark(b); }
void fu__book_rollback(fu_book *b, const fu__book_mark *m) { book_rollback(b, m); }
int fu__book_check_free(const fu_book *b, const char *what) { return book_check_free(b, what); }
int fu__book_customer_add(fu_book *b, const fu_customer *in, fu__book_bad *bad) {
    return customer_add(b, in, bad, NULL);
}
int fu__book_event_add(fu_book *b, const fu_event_in *in, fu__book_bad *bad) {
    return event_add(b, in, bad, NULL);
}
int fu__book_event_add_known(fu_book *b, const fu_event_in *in, const fu__evstr *k) {
    return event_add(b, in, NULL, k);
}
/* Room for `more` events beyond those stored when a reader knows about how
 * many come (a file's rows): the array then neither grows nor looks for
 * duplicates on the way (finalize drops them all the same), and neither do
 * the customer runs. FU_ENOMEM leaves the book as it was (bigger arrays). */
int fu__book_reserve_events(fu_book *b, size_t more) {
    if (b->appending || more > UINT32_MAX) return FU_OK;
    if (b->nev + more > b->ev_cap) {
        fu__erow *p = fu__realloc(b->ev, (b->nev + more) * sizeof *p);
        if (!p) return fu__error_nomem();
        b->ev = p;
        b->ev_cap = b->nev + more;
    }
    if (b->nruns + more > b->runs_cap) { /* at worst a run an event */
        crun *r = fu__realloc(b->runs, (b->nruns + more) * sizeof *r);
        if (!r) return fu__error_nomem();
        b->runs = r;
        b->runs_cap = b->nruns + more;
    }
    return FU_OK;
}
void fu__book_count_skipped(fu_book *b) { b->skipped++; }
unsigned int fu__book_flags(const fu_book *b) { return b->flags; }
void fu__book_limits(const fu_book *b, size_t *max_record, size_t *max_field) {
    *max_record = b->max_record;
    *max_field = b->max_field;
}

void fu_book_options_init(fu_book_options *opts) {
    static const fu_book_options init = FU_BOOK_OPTIONS_INIT;
    if (opts) *opts = init;
}
