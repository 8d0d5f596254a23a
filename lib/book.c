/* The customer book: interned strings, customers, compact events, the
 * per-customer event index and the customers / events CSV formats. */
#include "book_internal.h"
#include "csv_internal.h"
#include "utf8_internal.h"
#include "followup/book.h"
#include "followup/calendar.h"
#include "followup/redact.h"

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdatomic.h>
#include <string.h>

_Static_assert(sizeof(fu_event) == 56, "fu_event must stay 56 bytes");

/* ====================================================== enum names */

static const char *const TRI_NAMES[] = {"", "yes", "no"};
static const char *const KIND_NAMES[FU_EVENT_KIND_COUNT] = {
    "purchase", "delivery",   "installation", "repair",       "fault",
    "complaint", "inquiry",   "feedback",     "contact",      "survey",
    "enrollment", "course_start", "course_end", "warranty_end", "resolved"};
static const char *const SEVERITY_NAMES[] = {"", "urgent", "normal", "low"};
static const char *const CHANNEL_NAMES[FU_CHANNEL_COUNT] = {"",     "phone", "sms", "email",
                                                            "chat", "video", "visit"};
static const char *const OUTCOME_NAMES[] = {"",     "answered",     "no_answer",         "refused",
                                            "voicemail", "busy", "wrong_number", "callback_requested"};
static const char *const SURVEY_NAMES[] = {"", "csat", "nps", "ces"};
#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

static int ascii_ieq(const char *a, size_t alen, const char *b) {
    size_t blen = strlen(b);
    if (alen != blen) return 0;
    for (size_t i = 0; i < alen; i++) {
        unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
        if (x >= 'A' && x <= 'Z') x = (unsigned char)(x + 32);
        if (x != y) return 0;
    }
    return 1;
}

/* Look `text` up in `names`; index 0 ("" or the first name) included. */
static int enum_lookup(const char *what, const char *const *names, size_t n, size_t first,
                       const char *text, size_t len, int *out) {
    if (!text && len) return fu__error_set(FU_EINVAL, "%s text is NULL", what);
    for (size_t i = 0; i < n; i++) {
        if (ascii_ieq(text ? text : "", len, names[i])) {
            *out = (int)i;
            return FU_OK;
        }
    }
    char expect[256];
    size_t at = 0;
    expect[0] = '\0';
    for (size_t i = first; i < n && at < sizeof expect; i++)
        at += (size_t)snprintf(expect + at, sizeof expect - at, "%s%s", i > first ? ", " : "", names[i]);
    return fu__error_set(FU_EPARSE, "unknown %s '%.*s' (expected %s)", what,
                         (int)(len > 64 ? 64 : len), text ? text : "", expect);
}

static const char *enum_name(const char *const *names, size_t n, int v) {
    return v >= 0 && (size_t)v < n ? names[v] : NULL;
}

const char *fu_tristate_name(fu_tristate v) { return enum_name(TRI_NAMES, COUNT_OF(TRI_NAMES), v); }
const char *fu_event_kind_name(fu_event_kind v) { return enum_name(KIND_NAMES, COUNT_OF(KIND_NAMES), v); }
const char *fu_severity_name(fu_severity v) { return enum_name(SEVERITY_NAMES, COUNT_OF(SEVERITY_NAMES), v); }
const char *fu_channel_name(fu_channel v) { return enum_name(CHANNEL_NAMES, COUNT_OF(CHANNEL_NAMES), v); }
const char *fu_outcome_name(fu_outcome v) { return enum_name(OUTCOME_NAMES, COUNT_OF(OUTCOME_NAMES), v); }
const char *fu_survey_name(fu_survey v) { return enum_name(SURVEY_NAMES, COUNT_OF(SURVEY_NAMES), v); }

int fu_tristate_from_string(const char *text, size_t len, fu_tristate *out) {
    static const char *const yes[] = {"yes", "y", "true", "1"};
    static const char *const no[] = {"no", "n", "false", "0"};
    if (!out || (!text && len)) return fu__error_set(FU_EINVAL, "tri-state text is NULL");
    if (len == 0 || ascii_ieq(text, len, "unknown")) {
        *out = FU_TRI_UNKNOWN;
        return FU_OK;
    }
    for (size_t i = 0; i < COUNT_OF(yes); i++) {
        if (ascii_ieq(text, len, yes[i])) {
            *out = FU_TRI_YES;
            return FU_OK;
        }
        if (ascii_ieq(text, len, no[i])) {
            *out = FU_TRI_NO;
            return FU_OK;
        }
    }
    return fu__error_set(FU_EPARSE, "expected yes, no or unknown, got '%.*s'",
                         (int)(len > 64 ? 64 : len), text);
}

#define ENUM_FROM_STRING(fn, type, what, names, first)                           \
    int fn(const char *text, size_t len, type *out) {                            \
        int v = 0;                                                               \
        if (!out) return fu__error_set(FU_EINVAL, "out is NULL");                \
        int rc = enum_lookup(what, names, COUNT_OF(names), first, text, len, &v); \
        if (rc == FU_OK) *out = (type)v;                                         \
        return rc;                                                               \
    }

ENUM_FROM_STRING(fu_severity_from_string, fu_severity, "severity", SEVERITY_NAMES, 1)
ENUM_FROM_STRING(fu_channel_from_string, fu_channel, "channel", CHANNEL_NAMES, 1)
ENUM_FROM_STRING(fu_outcome_from_string, fu_outcome, "outcome", OUTCOME_NAMES, 1)
ENUM_FROM_STRING(fu_survey_from_string, fu_survey, "survey", SURVEY_NAMES, 1)

int fu_event_kind_from_string(const char *text, size_t len, fu_event_kind *out) {
    int v = 0;
    if (!out) return fu__error_set(FU_EINVAL, "out is NULL");
    if (len == 0) return fu__error_set(FU_EPARSE, "empty event kind");
    int rc = enum_lookup("event kind", KIND_NAMES, COUNT_OF(KIND_NAMES), 0, text, len, &v);
    if (rc == FU_OK) *out = (fu_event_kind)v;
    return rc;
}

void fu_customer_init(fu_customer *c) {
    if (!c) return;
    memset(c, 0, sizeof *c);
    c->annual_spend = NAN;
    c->first_purchase_at = FU_BOOK_NO_TIME;
}

void fu_event_in_init(fu_event_in *ev) {
    if (!ev) return;
    memset(ev, 0, sizeof *ev);
    ev->at = FU_BOOK_NO_TIME;
    ev->unit_price = NAN;
    ev->amount = NAN;
    ev->score = NAN;
}

/* ====================================================== numbers */

/* A strict decimal number: [+-]? (D+ [. D*] | . D+) ([eE] [+-]? D+)?, no
 * spaces, no thousands separators, whatever the C locale. FU_EPARSE /
 * FU_ERANGE without an error message set. */
static int parse_number(const char *s, size_t len, double *out) {
    char tmp[72];
    if (len == 0 || len >= sizeof tmp - 1) return FU_EPARSE;
    size_t i = 0, digits = 0;
    if (s[i] == '+' || s[i] == '-') i++;
    while (i < len && s[i] >= '0' && s[i] <= '9') i++, digits++;
    if (i < len && s[i] == '.') {
        i++;
        while (i < len && s[i] >= '0' && s[i] <= '9') i++, digits++;
    }
    if (!digits) return FU_EPARSE;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-')) i++;
        size_t e0 = i;
        while (i < len && s[i] >= '0' && s[i] <= '9') i++;
        if (i == e0) return FU_EPARSE;
    }
    if (i != len) return FU_EPARSE;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    char *end = NULL;
    double v = strtod(tmp, &end);
    if (end != tmp + len) {
        /* the host set a locale whose decimal point is not '.' */
        const char *dp = localeconv()->decimal_point;
        char *dot = strchr(tmp, '.');
        if (dot && dp && dp[0] && !dp[1]) *dot = dp[0];
        v = strtod(tmp, &end);
        if (end != tmp + len) return FU_EPARSE;
    }
    if (!isfinite(v)) return FU_ERANGE;
    *out = v;
    return FU_OK;
}

/* The shortest of %.15g..%.17g that reads back to `v`, with a '.' point. */
static void format_double(double v, int is_float, char *buf, size_t size) {
    if (v == floor(v) && fabs(v) < 9007199254740992.0 && !(v == 0 && signbit(v))) {
        snprintf(buf, size, "%lld", (long long)v); /* integers: the common case, exact */
        return;
    }
    int lo = is_float ? 6 : 15, hi = is_float ? 9 : 17;
    const char *dp = localeconv()->decimal_point;
    for (int prec = lo; prec <= hi; prec++) {
        snprintf(buf, size, "%.*g", prec, v);
        if (dp && dp[0] && dp[0] != '.' && !dp[1]) {
            char *p = strchr(buf, dp[0]);
            if (p) *p = '.';
        }
        double back;
        if (parse_number(buf, strlen(buf), &back) == FU_OK &&
            (is_float ? (float)back == (float)v : back == v))
            return;
    }
}

/* ====================================================== string table */

#define ST_BLOCK ((size_t)64 << 10)


static uint32_t hash_bytes(const char *s, size_t n) {
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    h ^= h >> 31;
    h *= 0x9E3779B97F4A7C15ull;
    return (uint32_t)(h >> 32);
}

static void st_free(strtab *t) {
    for (size_t i = 0; i < t->nblocks; i++) fu__free(t->blocks[i]);
    fu__free(t->blocks);
    fu__free((void *)t->str);
    fu__free(t->owner);
    fu__free(t->flags);
    fu__free(t->slots);
    memset(t, 0, sizeof *t);
}

static uint32_t st_find(const strtab *t, const char *s, size_t len, uint32_t h) {
    if (!t->nslots) return 0;
    size_t mask = t->nslots - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        uint64_t slot = t->slots[i];
        if (!slot) return 0;
        uint32_t sym = (uint32_t)slot;
        /* the hash in the slot spares a visit to the string for most misses */
        if ((uint32_t)(slot >> 32) == h && strncmp(t->str[sym], s, len) == 0 && t->str[sym][len] == '\0')
            return sym;
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

static int st_rehash(strtab *t, size_t nslots) {
    uint64_t *slots = fu__calloc(nslots, sizeof *slots);
    if (!slots) return fu__error_nomem();
    size_t mask = nslots - 1;
    for (size_t j = 0; j < t->nslots; j++) {
        uint64_t slot = t->slots[j];
        if (!slot) continue;
        size_t i = (size_t)(slot >> 32) & mask;
        while (slots[i]) i = (i + 1) & mask;
        slots[i] = slot;
    }
    fu__free(t->slots);
    t->slots = slots;
    t->nslots = nslots;
    return FU_OK;
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

/* Intern `len` bytes of `s`; the empty string is symbol 0 (absent). */
static int st_intern(strtab *t, const char *s, size_t len, uint32_t *out) {
    if (len == 0) {
        *out = 0;
        return FU_OK;
    }
    uint32_t h = hash_bytes(s, len);
    uint32_t sym = st_find(t, s, len, h);
    if (sym) {
        *out = sym;
        return FU_OK;
    }
    size_t n = t->n ? t->n : 1;
    if (n >= UINT32_MAX) return fu__error_set(FU_ELIMIT, "more than 2^32 - 1 distinct strings");
    int rc = st_grow_syms(t, n + 1);
    if (rc) return rc;
    /* linear probing up to 3/4 full */
    if ((n + 1) * 4 > t->nslots * 3 && (rc = st_rehash(t, t->nslots ? t->nslots * 2 : 1024))) return rc;
    char *dst = st_alloc(t, len + 1);
    if (!dst) return fu__error_nomem();
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
    size_t mask = t->nslots - 1, i = h & mask;
    while (t->slots[i]) i = (i + 1) & mask;
    t->slots[i] = (uint64_t)h << 32 | sym;
    *out = sym;
    return FU_OK;
}

/* Ask for the slot of `s` ahead of use: the table is far bigger than the
 * caches, and the row still has fields to parse meanwhile. */
static void st_prefetch(const strtab *t, const char *s, size_t len) {
#if defined(__GNUC__)
    if (t->nslots && len) __builtin_prefetch(&t->slots[hash_bytes(s, len) & (t->nslots - 1)]);
#else
    (void)t, (void)s, (void)len;
#endif
}

static uint32_t st_lookup(const strtab *t, const char *s, size_t len) {
    return len ? st_find(t, s, len, hash_bytes(s, len)) : 0;
}

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
    atomic_init(&b->borrowers, 0);
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

void fu__book_release(const fu_book *cb) {
    fu_book *b = (fu_book *)cb;
    if (b) atomic_fetch_sub(&b->borrowers, 1);
}

/* FU_ESTATE when a planner holds the book: changing the customers or events
 * under it would invalidate the per-customer arrays it sized from the book. */
static int book_check_free(const fu_book *b, const char *what) {
    size_t n = atomic_load(&((fu_book *)b)->borrowers);
    if (n == 0) return FU_OK;
    return fu__error_set(FU_ESTATE,
                         "%s: the book is in use by %zu planner%s (fu_planner_new); free %s before changing the book",
                         what, n, n == 1 ? "" : "s", n == 1 ? "it" : "them");
}

void fu_book_free(fu_book *b) {
    if (!b) return;
    st_free(&b->st);
    fu__free(b->cust);
    fu__free(b->ev);
    fu__free(b->off);
    fu__free(b);
}


static mark book_mark(fu_book *b) {
    mark m = {b->ncust, b->nev, b->dups, b->skipped, b->created, b->finalized, b->generation};
    b->op_nev = b->nev;
    b->op_dups = b->dups;
    return m;
}

static void book_rollback(fu_book *b, const mark *m) {
    for (size_t i = m->ncust; i < b->ncust; i++) {
        uint32_t sym = st_lookup(&b->st, b->cust[i].id, strlen(b->cust[i].id));
        if (sym) b->st.owner[sym] = 0;
    }
    b->ncust = m->ncust;
    b->nev = b->op_nev; /* m->nev less the duplicates compact_events() dropped below it */
    b->last_id = NULL;
    b->dups = b->op_dups;
    b->skipped = m->skipped;
    b->created = m->created;
    b->finalized = m->finalized;
    b->generation = m->generation;
}

/* ---- dropping duplicates while events stream in ---- */

#define EV_KEY offsetof(fu_event, reserved_)
/* Below this many events the array grows without looking for duplicates. */
#define COMPACT_MIN 4096

/* A hash of the compared bytes of an event, 8 at a time. */
static uint32_t ev_hash(const fu_event *e) {
    const unsigned char *p = (const unsigned char *)e;
    uint64_t h = 0x9E3779B97F4A7C15ull, w;
    size_t i = 0;
    for (; i + 8 <= EV_KEY; i += 8) {
        memcpy(&w, p + i, 8);
        h = (h ^ w) * 0xBF58476D1CE4E5B9ull;
        h ^= h >> 29;
    }
    w = 0;
    memcpy(&w, p + i, EV_KEY - i);
    h = (h ^ w) * 0x94D049BB133111EBull;
    return (uint32_t)(h >> 32);
}

/* Drop every event that repeats an earlier one exactly, keeping the order of
 * the others: what fu_book_finalize() would drop (it keeps the first copy).
 * Done when the event array is full (every other time while that finds under
 * 1 in 16), so that a stream of repeated events never holds more than about
 * four times its unique events. The only allocation is a transient table
 * (hash << 32 | position + 1, at most half full) of 16 to 32 bytes per event,
 * less than the growth of the array it saves; nothing stays allocated. */
#define CP_AHEAD 16

static inline void cp_prefetch(const void *p) {
#if defined(__GNUC__)
    __builtin_prefetch(p);
#else
    (void)p;
#endif
}

static int compact_events(fu_book *b) {
    size_t n = b->nev, slots = 64;
    while (slots < 2 * n) slots *= 2;
    uint64_t *t = fu__calloc(slots, sizeof *t);
    if (!t) return fu__error_nomem();
    size_t w = 0, mask = slots - 1, below = b->op_nev;
    /* the table is far bigger than the caches: hash CP_AHEAD events ahead and
     * prefetch their slots (events ahead are not yet moved: w <= i) */
    uint32_t ahead[CP_AHEAD];
    for (size_t i = 0; i < n && i < CP_AHEAD; i++) {
        ahead[i] = ev_hash(&b->ev[i]);
        cp_prefetch(&t[ahead[i] & mask]);
    }
    for (size_t i = 0; i < n; i++) {
        const fu_event *e = &b->ev[i];
        uint32_t h = ahead[i % CP_AHEAD];
        if (i + CP_AHEAD < n) {
            uint32_t h2 = ev_hash(&b->ev[i + CP_AHEAD]);
            ahead[i % CP_AHEAD] = h2;
            cp_prefetch(&t[h2 & mask]);
        }
        size_t k = h & mask;
        int dup = 0;
        for (; t[k]; k = (k + 1) & mask)
            if ((uint32_t)(t[k] >> 32) == h && memcmp(&b->ev[(uint32_t)t[k] - 1], e, EV_KEY) == 0) {
                dup = 1;
                break;
            }
        if (dup) {
            b->dups++;
            if (i < below) b->op_nev--, b->op_dups++; /* the failing call's mark moves too */
            continue;
        }
        if (w != i) b->ev[w] = *e;
        t[k] = (uint64_t)h << 32 | (uint32_t)(w + 1);
        w++;
    }
    b->nev = w;
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

static int customer_push(fu_book *b, const fu_customer *c, uint32_t id_sym, size_t *index_out) {
    if (b->ncust >= UINT32_MAX - 1) return fu__error_set(FU_ELIMIT, "more than 2^32 - 2 customers");
    if (b->ncust == b->cust_cap && FU_GROW(b->cust, b->cust_cap, b->ncust + 1)) return FU_ENOMEM;
    b->cust[b->ncust] = *c;
    b->st.owner[id_sym] = (uint32_t)(b->ncust + 1);
    if (index_out) *index_out = b->ncust;
    b->ncust++;
    b->finalized = 0;
    b->generation++;
    return FU_OK;
}

static int tri_ok(int v) { return v >= FU_TRI_UNKNOWN && v <= FU_TRI_NO; }

static int customer_add(fu_book *b, const fu_customer *in, badpos *bad, size_t *index_out) {
    set_bad(bad, -1);
    if (!in->id || !in->id[0]) return set_bad(bad, CF_ID), fu__error_set(FU_EINVAL, "customer id is missing");
    /* every text of the API path is UTF-8, as the CSV reader demands */
    const char *const texts[] = {in->id, in->tz, in->industry, in->preferred_windows, in->dnd_windows, in->owner};
    static const char *const text_names[] = {"customer id", "customer tz", "customer industry",
                                             "customer preferred_windows", "customer dnd_windows",
                                             "customer owner"};
    static const int text_fields[] = {CF_ID, CF_TZ, CF_INDUSTRY, CF_PREF, CF_DND, CF_OWNER};
    for (int i = 0; i < 6; i++)
        if (fu__utf8_check_str(text_names[i], texts[i]) != FU_OK)
            return set_bad(bad, text_fields[i]), FU_EINVAL;
    if (!in->tz || !in->tz[0])
        return set_bad(bad, CF_TZ), fu__error_set(FU_EINVAL, "customer '%s': tz is missing", in->id);
    if (!isnan(in->annual_spend) && !(isfinite(in->annual_spend) && in->annual_spend >= 0))
        return set_bad(bad, CF_SPEND),
               fu__error_set(FU_ERANGE, "annual_spend must be a finite number >= 0, got %g", in->annual_spend);
    static const int tri_fields[] = {CF_SMB, CF_CPHONE, CF_CSMS, CF_CEMAIL};
    const int tris[] = {(int)in->is_smb, (int)in->consent_phone, (int)in->consent_sms, (int)in->consent_email};
    for (int i = 0; i < 4; i++)
        if (!tri_ok(tris[i]))
            return set_bad(bad, tri_fields[i]), fu__error_set(FU_EINVAL, "tri-state value %d out of range", tris[i]);

    fu_customer c = *in;
    uint32_t id, tz, ind, pref, dnd, own;
    int rc;
    if ((rc = intern_cstr(b, in->id, &id))) return rc;
    if (b->st.owner[id])
        return set_bad(bad, CF_ID),
               fu__error_set(FU_EEXISTS, "customer '%s' is already in the book (index %lu)", in->id,
                             (unsigned long)(b->st.owner[id] - 1));
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
    c.id = b->st.str[id];
    c.tz = b->st.str[tz];
    c.industry = b->st.str[ind];
    c.preferred_windows = b->st.str[pref];
    c.dnd_windows = b->st.str[dnd];
    c.owner = b->st.str[own];
    return customer_push(b, &c, id, index_out);
}

int fu_book_add_customer(fu_book *b, const fu_customer *in, size_t *index_out) {
    if (!b || !in) return fu__error_set(FU_EINVAL, "book or customer is NULL");
    if (book_check_free(b, "fu_book_add_customer")) return FU_ESTATE;
    mark m = book_mark(b);
    int rc = customer_add(b, in, NULL, index_out);
    if (rc) book_rollback(b, &m);
    return rc;
}

int fu_book_add_customers(fu_book *b, const fu_customer *in, size_t n) {
    if (!b || (!in && n)) return fu__error_set(FU_EINVAL, "book or customers is NULL");
    if (book_check_free(b, "fu_book_add_customers")) return FU_ESTATE;
    mark m = book_mark(b);
    for (size_t i = 0; i < n; i++) {
        int rc = customer_add(b, &in[i], NULL, NULL);
        if (rc) {
            book_rollback(b, &m);
            if (rc != FU_ENOMEM) fu__error_prefix("customer %zu", i);
            return rc;
        }
    }
    return FU_OK;
}

static int survey_range(fu_survey s, double *lo, double *hi) {
    switch (s) {
    case FU_SURVEY_CSAT: *lo = 1, *hi = 5; return 1;
    case FU_SURVEY_NPS: *lo = 0, *hi = 10; return 1;
    case FU_SURVEY_CES: *lo = 1, *hi = 7; return 1;
    default: return 0;
    }
}

static int event_add(fu_book *b, const fu_event_in *in, badpos *bad) {
    set_bad(bad, -1);
    if (!in->customer_id || !in->customer_id[0])
        return set_bad(bad, EF_CUST), fu__error_set(FU_EINVAL, "event customer_id is missing");
    const char *const texts[] = {in->customer_id, in->order_id, in->product_class, in->agent_id, in->note};
    static const char *const text_names[] = {"event customer_id", "event order_id", "event product_class",
                                             "event agent_id", "event note"};
    static const int text_fields[] = {EF_CUST, EF_ORDER, EF_PCLASS, EF_AGENT, EF_NOTE};
    for (int i = 0; i < 5; i++)
        if (fu__utf8_check_str(text_names[i], texts[i]) != FU_OK) return set_bad(bad, text_fields[i]), FU_EINVAL;
    if (in->at == FU_BOOK_NO_TIME) return set_bad(bad, EF_AT), fu__error_set(FU_EINVAL, "event time is missing");
    if ((unsigned)in->kind >= FU_EVENT_KIND_COUNT)
        return set_bad(bad, EF_KIND), fu__error_set(FU_EINVAL, "event kind %d out of range", (int)in->kind);
    if ((unsigned)in->severity >= COUNT_OF(SEVERITY_NAMES))
        return set_bad(bad, EF_SEV), fu__error_set(FU_EINVAL, "severity %d out of range", (int)in->severity);
    if ((unsigned)in->channel >= COUNT_OF(CHANNEL_NAMES))
        return set_bad(bad, EF_CHAN), fu__error_set(FU_EINVAL, "channel %d out of range", (int)in->channel);
    if ((unsigned)in->outcome >= COUNT_OF(OUTCOME_NAMES))
        return set_bad(bad, EF_OUTCOME), fu__error_set(FU_EINVAL, "outcome %d out of range", (int)in->outcome);
    if ((unsigned)in->survey >= COUNT_OF(SURVEY_NAMES))
        return set_bad(bad, EF_SURVEY), fu__error_set(FU_EINVAL, "survey %d out of range", (int)in->survey);
    if (!isnan(in->unit_price) && !(isfinite(in->unit_price) && in->unit_price >= 0))
        return set_bad(bad, EF_UNIT),
               fu__error_set(FU_ERANGE, "unit_price must be a finite number >= 0, got %g", in->unit_price);
    if (!isnan(in->amount) && !isfinite(in->amount))
        return set_bad(bad, EF_AMOUNT), fu__error_set(FU_ERANGE, "amount must be finite");
    if (!isnan(in->score)) {
        double lo, hi;
        if (!isfinite(in->score) || fabs(in->score) > 1e6)
            return set_bad(bad, EF_SCORE), fu__error_set(FU_ERANGE, "score out of range: %g", in->score);
        if (survey_range(in->survey, &lo, &hi) &&
            (in->score < lo || in->score > hi || in->score != floor(in->score)))
            return set_bad(bad, EF_SCORE),
                   fu__error_set(FU_ERANGE, "%s score must be an integer %g..%g, got %g",
                                 SURVEY_NAMES[in->survey], lo, hi, in->score);
        if (in->kind == FU_EVENT_SURVEY && in->survey == FU_SURVEY_NONE)
            return set_bad(bad, EF_SCORE),
                   fu__error_set(FU_EINVAL, "a survey score needs a survey type (csat, nps or ces)");
    }
    if (b->nev >= UINT32_MAX) return fu__error_set(FU_ELIMIT, "more than 2^32 - 1 events");

    int rc;
    uint32_t cust, sym = 0;
    if (b->last_id && strcmp(b->last_id, in->customer_id) == 0)
        cust = b->last_cust;
    else if ((sym = st_lookup(&b->st, in->customer_id, strlen(in->customer_id))) && b->st.owner[sym]) {
        cust = b->st.owner[sym] - 1;
    } else if ((b->flags & FU_BOOK_CREATE_CUSTOMERS) && b->no_create) {
        return set_bad(bad, EF_CUST),
               fu__error_set(FU_ESTATE, "unknown customer '%.*s': a borrowed book takes no new customer", 128,
                             in->customer_id);
    } else if (b->flags & FU_BOOK_CREATE_CUSTOMERS) {
        if ((rc = intern_cstr(b, in->customer_id, &sym))) return rc;
        fu_customer c;
        fu_customer_init(&c);
        c.id = b->st.str[sym];
        size_t idx;
        if ((rc = customer_push(b, &c, sym, &idx))) return rc;
        b->created++;
        cust = (uint32_t)idx;
    } else {
        return set_bad(bad, EF_CUST),
               fu__error_set(FU_ENOTFOUND, "unknown customer '%.*s'", 128, in->customer_id);
    }

    fu_event e;
    memset(&e, 0, sizeof e);
    if ((rc = intern_cstr(b, in->order_id, &e.order_id)) ||
        (rc = intern_cstr(b, in->product_class, &e.product_class)) ||
        (rc = intern_cstr(b, in->agent_id, &e.agent_id)) || (rc = intern_cstr(b, in->note, &e.note)))
        return rc;
    if (b->nev == b->ev_cap && (rc = make_room(b))) return rc;
    e.at = in->at;
    e.unit_price = in->unit_price;
    e.amount = in->amount;
    e.customer = cust;
    e.score = (float)in->score;
    e.kind = (uint8_t)in->kind;
    e.severity = (uint8_t)in->severity;
    e.channel = (uint8_t)in->channel;
    e.outcome = (uint8_t)in->outcome;
    e.survey = (uint8_t)in->survey;
    b->ev[b->nev++] = e;
    b->finalized = 0;
    b->generation++;
    b->last_id = b->cust[cust].id;
    b->last_cust = cust;
    return FU_OK;
}

int fu_book_add_event(fu_book *b, const fu_event_in *in) {
    if (!b || !in) return fu__error_set(FU_EINVAL, "book or event is NULL");
    if (book_check_free(b, "fu_book_add_event")) return FU_ESTATE;
    mark m = book_mark(b);
    int rc = event_add(b, in, NULL);
    if (rc) book_rollback(b, &m);
    return rc;
}

int fu_book_add_events(fu_book *b, const fu_event_in *in, size_t n) {
    if (!b || (!in && n)) return fu__error_set(FU_EINVAL, "book or events is NULL");
    if (book_check_free(b, "fu_book_add_events")) return FU_ESTATE;
    mark m = book_mark(b);
    for (size_t i = 0; i < n; i++) {
        int rc = event_add(b, &in[i], NULL);
        if (rc) {
            book_rollback(b, &m);
            if (rc != FU_ENOMEM) fu__error_prefix("event %zu", i);
            return rc;
        }
    }
    return FU_OK;
}

/* The store's calls for the CSV reader (lib/book_internal.h). */
int fu__book_ascii_ieq(const char *a, size_t alen, const char *b) { return ascii_ieq(a, alen, b); }
int fu__book_parse_number(const char *s, size_t len, double *out) { return parse_number(s, len, out); }
int fu__book_check_free(const fu_book *b, const char *what) { return book_check_free(b, what); }
mark fu__book_mark(fu_book *b) { return book_mark(b); }
void fu__book_rollback(fu_book *b, const mark *m) { book_rollback(b, m); }
int fu__book_customer_add(fu_book *b, const fu_customer *in, badpos *bad, size_t *index_out) {
    return customer_add(b, in, bad, index_out);
}
int fu__book_event_add(fu_book *b, const fu_event_in *in, badpos *bad) { return event_add(b, in, bad); }
void fu__book_st_prefetch(const fu_book *b, const char *s, size_t len) { st_prefetch(&b->st, s, len); }

/* ====================================================== finalize */

typedef int (*idx_less)(const fu_event *ev, uint32_t a, uint32_t b);

static int less_time(const fu_event *ev, uint32_t a, uint32_t b) {
    return ev[a].at < ev[b].at || (ev[a].at == ev[b].at && a < b);
}

static int less_content(const fu_event *ev, uint32_t a, uint32_t b) {
    int c = memcmp(&ev[a], &ev[b], sizeof *ev);
    return c < 0 || (c == 0 && a < b);
}

/* Heap sort of indices: no memory, O(n log n) whatever the input. The keys
 * end with the index, so the result is the stable order. */
static void sift(uint32_t *a, size_t root, size_t n, const fu_event *ev, idx_less less) {
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

static void sort_idx(uint32_t *a, size_t n, const fu_event *ev, idx_less less) {
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
static void apply_order(fu_event *ev, uint32_t *order, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (order[i] == i) continue;
        fu_event tmp = ev[i];
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

/* Drop exact duplicates within each run of equal timestamps, keeping the
 * first; `scratch` holds at least as many entries as the longest run. */
static size_t drop_duplicates(fu_event *ev, size_t *off, size_t nc, uint32_t *scratch) {
    size_t w = 0;
    for (size_t c = 0; c < nc; c++) {
        size_t i = off[c], end = off[c + 1];
        off[c] = w;
        while (i < end) {
            size_t j = i + 1;
            while (j < end && ev[j].at == ev[i].at) j++;
            size_t k = j - i;
            if (k == 1) {
                ev[w++] = ev[i];
            } else if (k <= 16 || !scratch) {
                size_t w0 = w;
                for (size_t x = i; x < j; x++) {
                    int dup = 0;
                    for (size_t y = w0; y < w && !dup; y++) dup = memcmp(&ev[y], &ev[x], sizeof *ev) == 0;
                    if (!dup) ev[w++] = ev[x];
                }
            } else {
                for (size_t x = 0; x < k; x++) scratch[x] = (uint32_t)(i + x);
                sort_idx(scratch, k, ev, less_content);
                /* equal contents are now adjacent, first-added first: mark the
                 * later copies in reserved_[0] (left out of the comparison) */
                size_t first = 0;
                for (size_t x = 1; x <= k; x++) {
                    if (x < k && memcmp(&ev[scratch[x]], &ev[scratch[first]], offsetof(fu_event, reserved_)) == 0) {
                        ev[scratch[x]].reserved_[0] = 1;
                        continue;
                    }
                    first = x;
                }
                for (size_t x = i; x < j; x++) {
                    if (ev[x].reserved_[0]) continue;
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
    if (b->finalized && b->off) return FU_OK;
    if (book_check_free(b, "fu_book_finalize")) return FU_ESTATE;
    const size_t n = b->nev, nc = b->ncust;
    fu_event *ev = b->ev;
    int dedup = !(b->flags & FU_BOOK_KEEP_DUPLICATES);

    /* in order already? and the longest run of equal times (for dedup) */
    int sorted = 1;
    size_t run = 1, maxrun = n ? 1 : 0;
    for (size_t i = 1; i < n && sorted; i++) {
        if (ev[i].customer < ev[i - 1].customer ||
            (ev[i].customer == ev[i - 1].customer && ev[i].at < ev[i - 1].at))
            sorted = 0;
        else if (ev[i].customer == ev[i - 1].customer && ev[i].at == ev[i - 1].at) {
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
    uint32_t *order = NULL;
    if (n && (!sorted || (dedup && maxrun > 16))) {
        order = fu__malloc(n * sizeof *order);
        if (!order) return fu__error_nomem();
    }

    memset(off, 0, (nc + 1) * sizeof *off);
    for (size_t i = 0; i < n; i++) off[ev[i].customer + 1]++;
    for (size_t c = 1; c <= nc; c++) off[c] += off[c - 1];
    if (!sorted) {
        /* counting sort by customer (stable), then by time within each customer */
        for (size_t i = 0; i < n; i++) order[off[ev[i].customer]++] = (uint32_t)i;
        for (size_t c = nc; c-- > 1;) off[c] = off[c - 1];
        if (nc) off[0] = 0;
        for (size_t c = 0; c < nc; c++) {
            uint32_t *a = order + off[c];
            size_t k = off[c + 1] - off[c];
            size_t x = 1;
            while (x < k && ev[a[x - 1]].at <= ev[a[x]].at) x++;
            if (x < k) sort_idx(a, k, ev, less_time);
        }
        apply_order(ev, order, n);
    }
    if (dedup && n) {
        size_t kept = drop_duplicates(ev, off, nc, order);
        b->dups += n - kept;
        b->nev = kept;
    }
    fu__free(order);
    /* give back what doubling reserved beyond a quarter */
    if (b->ev_cap > 64 && b->ev_cap - b->nev > b->nev / 4) {
        size_t cap = b->nev + b->nev / 8 + 1;
        fu_event *shrunk = fu__realloc(b->ev, cap * sizeof *shrunk);
        if (shrunk) {
            b->ev = shrunk;
            b->ev_cap = cap;
        }
    }
    b->finalized = 1;
    b->generation++;
    return FU_OK;
}

/* ====================================================== append */

static int less_cust_time(const fu_event *ev, uint32_t a, uint32_t b) {
    if (ev[a].customer != ev[b].customer) return ev[a].customer < ev[b].customer;
    return ev[a].at < ev[b].at || (ev[a].at == ev[b].at && a < b);
}

/* Whether `e` repeats one of the events [lo, hi) (one customer's, in time
 * order): binary search for its time, then compare the run of equal times. */
static int repeats(const fu_event *ev, size_t lo, size_t hi, const fu_event *e) {
    size_t end = hi;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ev[mid].at < e->at) lo = mid + 1;
        else hi = mid;
    }
    for (; lo < end && ev[lo].at == e->at; lo++)
        if (memcmp(&ev[lo], e, EV_KEY) == 0) return 1;
    return 0;
}

/* Merge the events added after the first `n0` (finalized) ones into the
 * per-customer time order, as fu_book_finalize() would have placed them:
 * after the events of equal time already there, in the order they were
 * added, exact duplicates dropped (unless kept). Allocates first (an order
 * of the new events and a copy of them), so FU_ENOMEM changes nothing. */
static int merge_appended(fu_book *b, size_t n0) {
    size_t k = b->nev - n0, nc = b->ncust;
    if (!k) return FU_OK;
    uint32_t *order = fu__malloc(k * sizeof *order);
    fu_event *tmp = fu__malloc(k * sizeof *tmp);
    if (!order || !tmp) {
        fu__free(order);
        fu__free(tmp);
        return fu__error_nomem();
    }
    fu_event *ev = b->ev, *add = b->ev + n0;
    size_t *off = b->off;
    for (size_t i = 0; i < k; i++) order[i] = (uint32_t)i;
    sort_idx(order, k, add, less_cust_time);
    int dedup = !(b->flags & FU_BOOK_KEEP_DUPLICATES);
    size_t kk = 0, run = 0; /* tmp[run..kk): kept new events of the current customer and time */
    for (size_t i = 0; i < k; i++) {
        const fu_event *e = &add[order[i]];
        if (kk && (tmp[kk - 1].customer != e->customer || tmp[kk - 1].at != e->at)) run = kk;
        if (dedup) {
            int dup = repeats(ev, off[e->customer], off[e->customer + 1], e);
            for (size_t x = run; x < kk && !dup; x++) dup = memcmp(&tmp[x], e, EV_KEY) == 0;
            if (dup) {
                b->dups++;
                continue;
            }
        }
        tmp[kk++] = *e;
    }
    fu__free(order);
    /* from the end: each new event goes after the old ones of its customer
     * and time; the old events before the first new one stay in place */
    size_t w = n0 + kk, i = n0;
    for (size_t j = kk; j-- > 0;) {
        const fu_event *e = &tmp[j];
        while (i > 0 && (ev[i - 1].customer > e->customer ||
                         (ev[i - 1].customer == e->customer && ev[i - 1].at > e->at)))
            ev[--w] = ev[--i];
        ev[--w] = *e;
    }
    size_t plus = 0, j = 0;
    for (size_t c = 0; c < nc; c++) {
        off[c] += plus;
        while (j < kk && tmp[j].customer == c) plus++, j++;
    }
    off[nc] += plus;
    b->nev = n0 + kk;
    fu__free(tmp);
    return FU_OK;
}

int fu_book_append_events(fu_book *b, const fu_event_in *in, size_t n) {
    if (!b || (!in && n)) return fu__error_set(FU_EINVAL, "book or events is NULL");
    int borrowed = atomic_load(&b->borrowers) != 0;
    int rc;
    if (!fu_book_is_finalized(b) && (rc = fu_book_finalize(b))) return rc; /* a borrowed book is finalized */
    if (!n) return FU_OK;
    mark m = book_mark(b);
    size_t n0 = b->nev;
    b->appending = 1;
    b->no_create = borrowed;
    for (size_t i = 0; i < n; i++) {
        rc = event_add(b, &in[i], NULL);
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
            for (size_t c = m.ncust + 1; c <= b->ncust; c++) o[c] = o[m.ncust];
            b->off = o;
            b->off_cap = b->ncust + 1;
        }
    } else if (!rc)
        for (size_t c = m.ncust + 1; c <= b->ncust; c++) b->off[c] = b->off[m.ncust];
    if (!rc) rc = merge_appended(b, n0);
    if (rc) {
        book_rollback(b, &m);
        return rc;
    }
    b->finalized = 1;
    b->generation++;
    return FU_OK;
}

uint64_t fu_book_generation(const fu_book *b) { return b ? b->generation : 0; }

int fu__book_unappend(fu_book *b, size_t ci, const fu_event *e) {
    if (!fu_book_is_finalized(b) || ci >= b->ncust) return 0;
    for (size_t i = b->off[ci + 1]; i-- > b->off[ci];) {
        if (memcmp(&b->ev[i], e, EV_KEY) != 0) continue;
        memmove(&b->ev[i], &b->ev[i + 1], (b->nev - i - 1) * sizeof *b->ev);
        b->nev--;
        for (size_t c = ci + 1; c <= b->ncust; c++) b->off[c]--;
        b->generation++;
        return 1;
    }
    return 0;
}

int fu_book_is_finalized(const fu_book *b) { return b && b->finalized && b->off ? 1 : 0; }

/* ====================================================== accessors */

size_t fu_book_customer_count(const fu_book *b) { return b ? b->ncust : 0; }

const fu_customer *fu_book_customer(const fu_book *b, size_t i) {
    return b && i < b->ncust ? &b->cust[i] : NULL;
}

int fu_book_find_customer(const fu_book *b, const char *id, size_t len, size_t *out) {
    if (!b || (!id && len) || !out) return fu__error_set(FU_EINVAL, "book, id or out is NULL");
    uint32_t sym = st_lookup(&b->st, id, len);
    if (!sym || !b->st.owner[sym])
        return fu__error_set(FU_ENOTFOUND, "no customer '%.*s'", (int)(len > 128 ? 128 : len), id ? id : "");
    *out = b->st.owner[sym] - 1;
    return FU_OK;
}

int fu_book_customer_windows(const fu_book *b, size_t i, fu_customer_windows_kind kind, fu_windows **out) {
    if (!out) return fu__error_set(FU_EINVAL, "out is NULL");
    *out = NULL;
    int which = (int)kind;
    if (!b || i >= b->ncust || (which != FU_CUSTOMER_WINDOWS_PREFERRED && which != FU_CUSTOMER_WINDOWS_DND))
        return fu__error_set(FU_EINVAL, "no customer %zu or bad window kind %d", i, which);
    const char *text = which == FU_CUSTOMER_WINDOWS_PREFERRED ? b->cust[i].preferred_windows : b->cust[i].dnd_windows;
    if (!text) return FU_OK;
    return fu_windows_parse(text, strlen(text), out);
}

size_t fu_book_event_count(const fu_book *b) { return b ? b->nev : 0; }

const fu_event *fu_book_events(const fu_book *b, size_t *count) {
    if (count) *count = b ? b->nev : 0;
    return b ? b->ev : NULL;
}

int fu_book_customer_events(const fu_book *b, size_t i, const fu_event **events, size_t *count) {
    if (!b || !events || !count) return fu__error_set(FU_EINVAL, "book, events or count is NULL");
    if (i >= b->ncust) return fu__error_set(FU_EINVAL, "no customer %zu (the book has %zu)", i, b->ncust);
    if (!fu_book_is_finalized(b))
        return fu__error_set(FU_ESTATE, "the book is not finalized: call fu_book_finalize()");
    *events = b->ev + b->off[i];
    *count = b->off[i + 1] - b->off[i];
    return FU_OK;
}

const size_t *fu_book_event_offsets(const fu_book *b) { return fu_book_is_finalized(b) ? b->off : NULL; }

const char *fu_book_string(const fu_book *b, uint32_t id) {
    return b && id && id < b->st.n ? b->st.str[id] : NULL;
}

void fu_book_get_stats(const fu_book *b, fu_book_stats *out) {
    if (!out) return;
    memset(out, 0, sizeof *out);
    if (!b) return;
    out->customers = b->ncust;
    out->events = b->nev;
    out->duplicates_dropped = b->dups;
    out->unknown_kinds_skipped = b->skipped;
    out->customers_created = b->created;
}

/* ====================================================== CSV reading */

typedef struct colspec {
    const char *name;
    int required;
} colspec;

static const colspec CUSTOMER_COLS[CF_COUNT] = {
    {"customer_id", 1}, {"tz", 1},          {"annual_spend", 0},  {"first_purchase_at", 0},
    {"industry", 0},    {"is_smb", 0},      {"preferred_windows", 0}, {"dnd_windows", 0},
    {"consent_phone", 0}, {"consent_sms", 0}, {"consent_email", 0}, {"owner", 0}};

static const colspec EVENT_COLS[EF_COUNT] = {
    {"customer_id", 1}, {"at", 1},       {"kind", 1},    {"order_id", 0}, {"product_class", 0},
    {"unit_price", 0},  {"amount", 0},   {"severity", 0}, {"channel", 0}, {"agent_id", 0},
    {"outcome", 0},     {"score", 0},    {"survey", 0},  {"note", 0}};

static void trim(const char **s, size_t *len) {
    while (*len && ((*s)[0] == ' ' || (*s)[0] == '\t')) (*s)++, (*len)--;
    while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t')) (*len)--;
}

/* Map the header's columns to the format's; col[k] = CSV index or -1. */
static int map_header(fu__csv *r, const colspec *spec, int nspec, long *col) {
    int rc = fu__csv_read_header(r);
    if (rc) return rc;
    for (int k = 0; k < nspec; k++) col[k] = -1;
    size_t nh = fu__csv_header_count(r);
    for (size_t i = 0; i < nh; i++) {
        size_t len;
        const char *name = fu__csv_field(r, i, &len);
        trim(&name, &len);
        for (int k = 0; k < nspec; k++) {
            if (!ascii_ieq(name, len, spec[k].name)) continue;
            if (col[k] >= 0)
                return fu__csv_error_at(r, i, FU_EPARSE, "column '%s' appears twice", spec[k].name);
            col[k] = (long)i;
        }
    }
    for (int k = 0; k < nspec; k++)
        if (spec[k].required && col[k] < 0)
            return fu__error_set_at(FU_EPARSE, fu__csv_source(r), fu__csv_record_line(r), 1,
                                    spec[k].name, "missing required column '%s'", spec[k].name);
    return FU_OK;
}

/* A row's field for format column k: text (NUL-terminated) and length;
 * "" when the column is not in the file. */
static const char *cell(const fu__csv *r, const long *col, int k, size_t *len) {
    if (col[k] < 0) {
        *len = 0;
        return "";
    }
    return fu__csv_field(r, (size_t)col[k], len);
}

static int check_width(const fu__csv *r) {
    size_t n = fu__csv_count(r), nh = fu__csv_header_count(r);
    if (n == nh) return FU_OK;
    return fu__error_set_at(FU_EPARSE, fu__csv_source(r), fu__csv_record_end_line(r),
                            fu__csv_record_end_column(r), NULL,
                            "row has %zu field%s, the header has %zu", n, n == 1 ? "" : "s", nh);
}

/* Re-raise the current error (code rc) at format column k, `offset` bytes
 * into the field's text. */
static int reraise_at(const fu__csv *r, const long *col, int k, unsigned long offset, int rc) {
    char msg[768];
    snprintf(msg, sizeof msg, "%s", fu_error_last()->message);
    if (col[k] < 0) return fu__error_set_at(rc, fu__csv_source(r), fu__csv_record_line(r), 0, NULL, "%s", msg);
    size_t i = (size_t)col[k];
    unsigned long c = fu__csv_field_column(r, i);
    /* a quoted field starts one column before its text */
    if (offset) c += offset + (fu__csv_field_quoted(r, i) ? 1 : 0);
    return fu__error_set_at(rc, fu__csv_source(r), fu__csv_field_line(r, i), c,
                            fu__csv_header_name(r, i), "%s", msg);
}

static int read_number(const fu__csv *r, const long *col, int k, double *out) {
    size_t len;
    const char *s = cell(r, col, k, &len);
    trim(&s, &len);
    if (!len) {
        *out = NAN;
        return FU_OK;
    }
    int rc = parse_number(s, len, out);
    if (rc == FU_EPARSE)
        return fu__csv_error_at(r, (size_t)col[k], rc, "not a number: '%.*s' (write 12.5, no separators)",
                                (int)(len > 64 ? 64 : len), s);
    if (rc == FU_ERANGE)
        return fu__csv_error_at(r, (size_t)col[k], rc, "number out of range: '%.*s'",
                                (int)(len > 64 ? 64 : len), s);
    return FU_OK;
}

static int read_time(const fu__csv *r, const long *col, int k, int required, int64_t *out) {
    size_t len;
    const char *s = cell(r, col, k, &len);
    trim(&s, &len);
    if (!len) {
        if (required) return fu__csv_error_at(r, (size_t)col[k], FU_EPARSE, "empty value (required)");
        *out = FU_BOOK_NO_TIME;
        return FU_OK;
    }
    int rc = fu_time_parse(s, len, out);
    if (rc == FU_ENOMEM) return rc;
    if (rc) return reraise_at(r, col, k, 0, rc); /* the calendar's message quotes the text */
    return FU_OK;
}

static int read_tri(const fu__csv *r, const long *col, int k, fu_tristate *out) {
    size_t len;
    const char *s = cell(r, col, k, &len);
    trim(&s, &len);
    int rc = fu_tristate_from_string(s, len, out);
    if (rc) return reraise_at(r, col, k, 0, rc);
    return FU_OK;
}

/* An optional verbatim string: NULL when empty. */
static const char *read_str(const fu__csv *r, const long *col, int k) {
    size_t len;
    const char *s = cell(r, col, k, &len);
    return len ? s : NULL;
}

typedef int (*row_fn)(fu_book *b, fu__csv *r, const long *col);

static int customer_row(fu_book *b, fu__csv *r, const long *col) {
    fu_customer c;
    fu_customer_init(&c);
    size_t len;
    int rc;
    c.id = cell(r, col, CF_ID, &len);
    if (!len) return fu__csv_error_at(r, (size_t)col[CF_ID], FU_EPARSE, "empty customer_id (required)");
    const char *tz = cell(r, col, CF_TZ, &len);
    trim(&tz, &len);
    char tzbuf[128];
    if (!len) return fu__csv_error_at(r, (size_t)col[CF_TZ], FU_EPARSE, "empty tz (required)");
    if (len >= sizeof tzbuf)
        return fu__csv_error_at(r, (size_t)col[CF_TZ], FU_ETIMEZONE, "unknown time zone (too long)");
    memcpy(tzbuf, tz, len);
    tzbuf[len] = '\0';
    c.tz = tzbuf;
    if ((rc = read_number(r, col, CF_SPEND, &c.annual_spend))) return rc;
    if ((rc = read_time(r, col, CF_FIRST, 0, &c.first_purchase_at))) return rc;
    c.industry = read_str(r, col, CF_INDUSTRY);
    if ((rc = read_tri(r, col, CF_SMB, &c.is_smb)) || (rc = read_tri(r, col, CF_CPHONE, &c.consent_phone)) ||
        (rc = read_tri(r, col, CF_CSMS, &c.consent_sms)) || (rc = read_tri(r, col, CF_CEMAIL, &c.consent_email)))
        return rc;
    c.preferred_windows = read_str(r, col, CF_PREF);
    c.dnd_windows = read_str(r, col, CF_DND);
    c.owner = read_str(r, col, CF_OWNER);
    badpos bad;
    rc = customer_add(b, &c, &bad, NULL);
    if (rc && rc != FU_ENOMEM && bad.field >= 0) return reraise_at(r, col, bad.field, bad.offset, rc);
    return rc;
}

static int read_enum(const fu__csv *r, const long *col, int k,
                     int (*parse)(const char *, size_t, void *), void *out) {
    size_t len;
    const char *s = cell(r, col, k, &len);
    trim(&s, &len);
    int rc = parse(s, len, out);
    if (rc) return reraise_at(r, col, k, 0, rc);
    return FU_OK;
}

/* Adapters with a common signature for read_enum. */
static int p_sev(const char *s, size_t n, void *o) { return fu_severity_from_string(s, n, o); }
static int p_chan(const char *s, size_t n, void *o) { return fu_channel_from_string(s, n, o); }
static int p_out(const char *s, size_t n, void *o) { return fu_outcome_from_string(s, n, o); }
static int p_surv(const char *s, size_t n, void *o) { return fu_survey_from_string(s, n, o); }

static int event_row(fu_book *b, fu__csv *r, const long *col) {
    fu_event_in e;
    fu_event_in_init(&e);
    size_t len;
    int rc;
    e.customer_id = cell(r, col, EF_CUST, &len);
    if (!len) return fu__csv_error_at(r, (size_t)col[EF_CUST], FU_EPARSE, "empty customer_id (required)");
    st_prefetch(&b->st, e.customer_id, len);
    const char *order = cell(r, col, EF_ORDER, &len);
    st_prefetch(&b->st, order, len);
    if ((rc = read_time(r, col, EF_AT, 1, &e.at))) return rc;
    const char *kind = cell(r, col, EF_KIND, &len);
    trim(&kind, &len);
    if (!len) return fu__csv_error_at(r, (size_t)col[EF_KIND], FU_EPARSE, "empty kind (required)");
    rc = fu_event_kind_from_string(kind, len, &e.kind);
    if (rc == FU_EPARSE && (b->flags & FU_BOOK_SKIP_UNKNOWN_KINDS)) {
        b->skipped++;
        return FU_OK;
    }
    if (rc) return reraise_at(r, col, EF_KIND, 0, rc);
    e.order_id = read_str(r, col, EF_ORDER);
    e.product_class = read_str(r, col, EF_PCLASS);
    e.agent_id = read_str(r, col, EF_AGENT);
    e.note = read_str(r, col, EF_NOTE);
    if ((rc = read_number(r, col, EF_UNIT, &e.unit_price)) || (rc = read_number(r, col, EF_AMOUNT, &e.amount)) ||
        (rc = read_number(r, col, EF_SCORE, &e.score)) || (rc = read_enum(r, col, EF_SEV, p_sev, &e.severity)) ||
        (rc = read_enum(r, col, EF_CHAN, p_chan, &e.channel)) ||
        (rc = read_enum(r, col, EF_OUTCOME, p_out, &e.outcome)) ||
        (rc = read_enum(r, col, EF_SURVEY, p_surv, &e.survey)))
        return rc;
    badpos bad;
    rc = event_add(b, &e, &bad);
    if (rc && rc != FU_ENOMEM && bad.field >= 0) return reraise_at(r, col, bad.field, 0, rc);
    return rc;
}

static int read_csv(fu_book *b, fu__csv *r, const colspec *spec, int nspec, row_fn row, int finalize) {
    long col[(int)EF_COUNT > (int)CF_COUNT ? (int)EF_COUNT : (int)CF_COUNT];
    mark m = book_mark(b);
    int rc = map_header(r, spec, nspec, col);
    while (rc == FU_OK) {
        rc = fu__csv_next(r);
        if (rc <= 0) break;
        rc = check_width(r);
        if (rc == FU_OK) rc = row(b, r, col);
    }
    if (rc == FU_OK && finalize) rc = fu_book_finalize(b);
    if (rc) book_rollback(b, &m);
    fu__csv_close(r);
    return rc;
}

static int open_mem(const fu_book *b, const char *text, size_t len, const char *source, fu__csv **r) {
    return fu__csv_open_mem(text, len, source, b->max_record, b->max_field, r);
}

int fu_book_read_customers_csv(fu_book *b, const char *path) {
    if (!b || !path) return fu__error_set(FU_EINVAL, "book or path is NULL");
    if (book_check_free(b, "fu_book_read_customers_csv")) return FU_ESTATE;
    fu__csv *r;
    int rc = fu__csv_open_file(path, b->max_record, b->max_field, &r);
    if (rc) return rc;
    return read_csv(b, r, CUSTOMER_COLS, CF_COUNT, customer_row, 0);
}

int fu_book_read_customers_csv_from_string(fu_book *b, const char *text, size_t len, const char *source) {
    if (!b || (!text && len)) return fu__error_set(FU_EINVAL, "book or text is NULL");
    if (book_check_free(b, "fu_book_read_customers_csv_from_string")) return FU_ESTATE;
    fu__csv *r;
    int rc = open_mem(b, text, len, source, &r);
    if (rc) return rc;
    return read_csv(b, r, CUSTOMER_COLS, CF_COUNT, customer_row, 0);
}

int fu_book_read_events_csv(fu_book *b, const char *path) {
    if (!b || !path) return fu__error_set(FU_EINVAL, "book or path is NULL");
    if (book_check_free(b, "fu_book_read_events_csv")) return FU_ESTATE;
    fu__csv *r;
    int rc = fu__csv_open_file(path, b->max_record, b->max_field, &r);
    if (rc) return rc;
    return read_csv(b, r, EVENT_COLS, EF_COUNT, event_row, 1);
}

int fu_book_read_events_csv_from_string(fu_book *b, const char *text, size_t len, const char *source) {
    if (!b || (!text && len)) return fu__error_set(FU_EINVAL, "book or text is NULL");
    if (book_check_free(b, "fu_book_read_events_csv_from_string")) return FU_ESTATE;
    fu__csv *r;
    int rc = open_mem(b, text, len, source, &r);
    if (rc) return rc;
    return read_csv(b, r, EVENT_COLS, EF_COUNT, event_row, 1);
}

/* ====================================================== CSV writing */

#define FLUSH_AT ((size_t)1 << 20)

static int put_time(fu__buf *o, int64_t t) {
    if (t == FU_BOOK_NO_TIME) return fu__csv_put(o, 0, NULL, 0);
    char tb[FU_TIME_TEXT_SIZE];
    int rc = fu_time_format(t, 0, FU_TIME_FORMAT_Z, tb, sizeof tb);
    if (rc) return rc;
    return fu__csv_puts(o, 0, tb);
}

static int put_num(fu__buf *o, double v, int is_float) {
    if (isnan(v)) return fu__csv_put(o, 0, NULL, 0);
    char nb[40];
    format_double(v, is_float, nb, sizeof nb);
    return fu__csv_putf(o, 0, nb, FU__CSV_NUMBER);
}

static int put_header(fu__buf *o, const colspec *spec, int n) {
    int rc = FU_OK;
    for (int k = 0; k < n && rc == FU_OK; k++) rc = fu__csv_puts(o, k == 0, spec[k].name);
    return rc ? rc : fu__csv_end(o);
}

/* What a writer carries from line to line: the redactor that masks the
 * events' notes (made on the first note, so books without notes pay nothing)
 * and the last note masked (notes are interned: repeats share an id). */
typedef struct write_ctx {
    fu_redactor *red;
    uint32_t last_note;
    char *last_masked;
    unsigned int cell; /* FU__CSV_RAW with FU_BOOK_WRITE_RAW_CELLS: text cells as stored */
    int ncols;         /* columns written (customers: `owner` only when a customer has one) */
} write_ctx;

static void write_ctx_fini(write_ctx *w) {
    fu_redactor_free(w->red);
    fu__free(w->last_masked);
}

static int customer_line(const fu_book *b, size_t i, write_ctx *w, fu__buf *o) {
    const fu_customer *c = &b->cust[i];
    int rc;
    if ((rc = fu__csv_putf(o, 1, c->id, w->cell)) || (rc = fu__csv_putf(o, 0, c->tz, w->cell)) ||
        (rc = put_num(o, c->annual_spend, 0)) || (rc = put_time(o, c->first_purchase_at)) ||
        (rc = fu__csv_putf(o, 0, c->industry, w->cell)) ||
        (rc = fu__csv_putf(o, 0, TRI_NAMES[c->is_smb], w->cell)) ||
        (rc = fu__csv_putf(o, 0, c->preferred_windows, w->cell)) ||
        (rc = fu__csv_putf(o, 0, c->dnd_windows, w->cell)) ||
        (rc = fu__csv_putf(o, 0, TRI_NAMES[c->consent_phone], w->cell)) ||
        (rc = fu__csv_putf(o, 0, TRI_NAMES[c->consent_sms], w->cell)) ||
        (rc = fu__csv_putf(o, 0, TRI_NAMES[c->consent_email], w->cell)) ||
        (w->ncols > CF_OWNER && (rc = fu__csv_putf(o, 0, c->owner, w->cell))))
        return rc;
    return fu__csv_end(o);
}

static const char *safe_name(const char *const *names, size_t n, unsigned v) { return v < n ? names[v] : ""; }

/* The note column: masked with the default redactor unless the host opted
 * out with FU_BOOK_WRITE_RAW_NOTES. A note that cannot be masked (a match
 * limit) fails the write: it is never written unmasked. */
static int put_note(const fu_book *b, uint32_t id, write_ctx *w, fu__buf *o) {
    const char *note = fu_book_string(b, id);
    if (!note || !*note || (b->flags & FU_BOOK_WRITE_RAW_NOTES)) return fu__csv_putf(o, 0, note, w->cell);
    if (id != w->last_note || !w->last_masked) {
        int rc = w->red ? FU_OK : fu_redactor_new(&w->red, NULL);
        char *m = NULL;
        if (rc == FU_OK) rc = fu_redactor_apply(w->red, note, strlen(note), NULL, &m);
        if (rc != FU_OK) return rc;
        fu__free(w->last_masked);
        w->last_masked = m;
        w->last_note = id;
    }
    return fu__csv_putf(o, 0, w->last_masked, w->cell);
}

static int event_line(const fu_book *b, size_t i, write_ctx *w, fu__buf *o) {
    const fu_event *e = &b->ev[i];
    int rc;
    if ((rc = fu__csv_putf(o, 1, b->cust[e->customer].id, w->cell)) || (rc = put_time(o, e->at)) ||
        (rc = fu__csv_putf(o, 0, KIND_NAMES[e->kind], w->cell)) ||
        (rc = fu__csv_putf(o, 0, fu_book_string(b, e->order_id), w->cell)) ||
        (rc = fu__csv_putf(o, 0, fu_book_string(b, e->product_class), w->cell)) ||
        (rc = put_num(o, e->unit_price, 0)) || (rc = put_num(o, e->amount, 0)) ||
        (rc = fu__csv_putf(o, 0, safe_name(SEVERITY_NAMES, COUNT_OF(SEVERITY_NAMES), e->severity), w->cell)) ||
        (rc = fu__csv_putf(o, 0, safe_name(CHANNEL_NAMES, COUNT_OF(CHANNEL_NAMES), e->channel), w->cell)) ||
        (rc = fu__csv_putf(o, 0, fu_book_string(b, e->agent_id), w->cell)) ||
        (rc = fu__csv_putf(o, 0, safe_name(OUTCOME_NAMES, COUNT_OF(OUTCOME_NAMES), e->outcome), w->cell)) ||
        (rc = put_num(o, e->score, 1)) ||
        (rc = fu__csv_putf(o, 0, safe_name(SURVEY_NAMES, COUNT_OF(SURVEY_NAMES), e->survey), w->cell)) ||
        (rc = put_note(b, e->note, w, o)))
        return rc;
    return fu__csv_end(o);
}

typedef int (*line_fn)(const fu_book *b, size_t i, write_ctx *w, fu__buf *o);

/* Write header + n lines to `f` (flushing as it goes) or keep them in `o`. */
static int write_all(const fu_book *b, const colspec *spec, int nspec, size_t n, line_fn line, fu__buf *o,
                     FILE *f, const char *path) {
    write_ctx w = {NULL, 0, NULL, (b->flags & FU_BOOK_WRITE_RAW_CELLS) ? FU__CSV_RAW : 0u, nspec};
    int rc = put_header(o, spec, nspec);
    for (size_t i = 0; i < n && rc == FU_OK; i++) {
        rc = line(b, i, &w, o);
        if (rc == FU_OK && f && o->len >= FLUSH_AT) rc = fu__csv_flush(o, f, path);
    }
    if (rc == FU_OK && f) rc = fu__csv_flush(o, f, path);
    write_ctx_fini(&w);
    return rc;
}

static int write_file(const fu_book *b, const char *path, const colspec *spec, int nspec, size_t n,
                      line_fn line) {
    if (!b || !path) return fu__error_set(FU_EINVAL, "book or path is NULL");
    fu__outfile f;
    int rc = fu__outfile_open(&f, path);
    if (rc) return rc;
    fu__buf o = FU__BUF_INIT;
    rc = write_all(b, spec, nspec, n, line, &o, f.f, path);
    fu__buf_free(&o);
    if (rc) fu__outfile_abort(&f); /* an existing file at `path` stays as it was */
    else rc = fu__outfile_commit(&f);
    return rc;
}

static int write_string(const fu_book *b, size_t *len, char **out, const colspec *spec, int nspec, size_t n,
                        line_fn line) {
    if (!out) return fu__error_set(FU_EINVAL, "out is NULL");
    *out = NULL;
    if (!b) return fu__error_set(FU_EINVAL, "book is NULL");
    fu__buf o = FU__BUF_INIT;
    int rc = write_all(b, spec, nspec, n, line, &o, NULL, NULL);
    if (rc) {
        fu__buf_free(&o);
        return rc;
    }
    size_t l = o.len;
    char *s = fu__buf_detach(&o);
    if (!s) return fu__error_nomem();
    if (len) *len = l;
    *out = s;
    return FU_OK;
}

/* The `owner` column is written when a customer has an owner: books without
 * owners keep the columns they always had. */
static int customer_cols(const fu_book *b) {
    for (size_t i = 0; b && i < b->ncust; i++)
        if (b->cust[i].owner && b->cust[i].owner[0]) return CF_COUNT;
    return CF_OWNER;
}

int fu_book_write_customers_csv(const fu_book *b, const char *path) {
    return write_file(b, path, CUSTOMER_COLS, customer_cols(b), b ? b->ncust : 0, customer_line);
}

int fu_book_write_customers_csv_to_string(const fu_book *b, size_t *len, char **out) {
    return write_string(b, len, out, CUSTOMER_COLS, customer_cols(b), b ? b->ncust : 0, customer_line);
}

int fu_book_write_events_csv(const fu_book *b, const char *path) {
    return write_file(b, path, EVENT_COLS, EF_COUNT, b ? b->nev : 0, event_line);
}

int fu_book_write_events_csv_to_string(const fu_book *b, size_t *len, char **out) {
    return write_string(b, len, out, EVENT_COLS, EF_COUNT, b ? b->nev : 0, event_line);
}

void fu_book_options_init(fu_book_options *opts) {
    static const fu_book_options init = FU_BOOK_OPTIONS_INIT;
    if (opts) *opts = init;
}
