/* The customer book's internals, shared by lib/book.c (store, string table,
 * finalize, append), the CSV reader and writers (lib/book_csv.c, which add
 * through fu__book_customer_add / fu__book_event_add and read through the
 * public accessors) and the planner's feed (fu__book_unappend). Not installed. */
#ifndef FU_BOOK_INTERNAL_H
#define FU_BOOK_INTERNAL_H

#include "internal.h"
#include "followup/book.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

enum { SYM_TZ_OK = 1, SYM_WIN_OK = 2 };

/* Interned strings: blocks that never move, so texts handed out stay valid
 * until the book is freed. */
typedef struct strtab {
    char **blocks;
    size_t nblocks, blocks_cap;
    char *cur;
    size_t cur_left;
    /* per symbol (index 0 is "no string") */
    const char **str;
    uint32_t *owner; /* customer index + 1 of the customer with this id, 0 none */
    uint8_t *flags;  /* SYM_* validation cache */
    size_t n, cap;
    /* open addressing, 0 = empty; narrow (uint32_t): the hash's top 7 bits
     * << 25 | symbol, while every symbol fits in 25 bits; then wide
     * (uint64_t): hash << 32 | symbol */
    void *slots;
    size_t nslots;
    int wide;
} strtab;

/* ---- the stored event (issue 19: 12 bytes an event instead of 56) ----
 * An event is stored as the low 32 bits of its time, its order id and the
 * index of its *attributes*: every other field but the customer (implied by
 * the per-customer offsets once the book is finalized) and the high bits of
 * the time (at >> 32: one value from 1970 to 2106), interned like the
 * strings, so that equal attributes share one entry (bit for bit: NaN
 * payloads and signed zeros are kept). Two events are exact duplicates when
 * their customers and rows are equal. */
typedef struct fu__erow {
    uint32_t at_lo; /* (uint32_t)at */
    uint32_t order_id;
    uint32_t attr;
} fu__erow;

typedef struct fu__eattr {
    double unit_price, amount;
    uint32_t product_class, agent_id, note;
    float score;
    uint8_t kind, severity, channel, outcome, survey, priority;
    int16_t at_hi; /* at >> 32 (-15 .. 58 for years 1 .. 9999) */
} fu__eattr;

/* Customer i's stored rows (a finalized book; appended rows included), their
 * attributes at b->attrs.v[row.attr]: for the readers that decode only the
 * fields they need (lib/kpi_pass.c). Valid until the next change. */
const fu__erow *fu__book_customer_rows(const fu_book *b, size_t i, size_t *count);
/* The time of a stored row. */
static inline int64_t fu__erow_at(const fu__eattr *A, const fu__erow *r) {
    return (int64_t)A[r->attr].at_hi * 4294967296 + (int64_t)r->at_lo;
}

typedef struct fu__attrtab {
    fu__eattr *v;
    size_t n, cap;
    uint64_t *slots; /* open addressing: hash << 32 | index + 1; 0 = empty */
    size_t nslots;
} fu__attrtab;

/* ---- the stored customer (issue 19: 48 bytes instead of the 88 of
 * fu_customer) ----
 * Texts as string-table symbols (0 = absent), the tri-states in a byte each.
 * fu_customer is the decoded view: fu__book_customer_get() inside the
 * library, fu_book_customer() (a per-book cache made on first use) outside. */
typedef struct fu__crow {
    double annual_spend;
    int64_t first_purchase_at;
    uint32_t id, tz, industry, pref, dnd, owner;
    uint8_t is_smb, consent_phone, consent_sms, consent_email;
} fu__crow;

struct fu_book {
    unsigned int flags;
    size_t max_record, max_field;
    strtab st;
    fu__crow *cust;
    size_t ncust, cust_cap;
    /* the decoded customers for fu_book_customer(), made on first use under
     * dec_mu, dropped when a customer is added */
    _Atomic(void *) cdec; /* fu_customer[ncust] */
    fu__erow *ev;
    size_t nev, ev_cap;
    fu__attrtab attrs;
    /* the customers of the events [evc_base, nev) (those added since the
     * last finalize), run-length coded: run k covers [end of run k - 1 (or
     * evc_base), runs[k].end) of customer runs[k].cust (files group events
     * by customer: about 1 byte an event); the events below evc_base are in
     * customer order (off) */
    struct fu__crun {
        uint32_t cust, end;
    } *runs;
    size_t nruns, runs_cap, evc_base;
    /* while the CSV block reader adds (fu__book_event_counts()): each
     * customer's events added since nev was counts_from (counts[c], c <
     * counts_n), taken by the next finalize instead of a pass over the runs
     * while counts_ok (cleared by anything that drops or undoes events) */
    uint32_t *counts;
    size_t counts_n, counts_from;
    int counts_ok;
    size_t *off; /* ncust + 1 offsets into ev, valid when finalized */
    size_t off_cap;
    size_t off_nc; /* the customers off covers */
    /* the decoded events of the main array (fu_book_events() and the other
     * public readers), made on first use under dec_mu, dropped by every
     * change of the events */
    _Atomic(void *) dec; /* fu_event[nev + novf] */
    pthread_mutex_t dec_mu;
    int finalized;
    size_t dups, skipped, created;
    /* The events and duplicates count a failing call goes back to (its
     * mark), kept here because compact_events() may drop events below it. */
    size_t op_nev, op_dups;
    int compact_skip; /* the last compaction found almost nothing: skip the next */
    /* the customer of the last event added: files often group by customer */
    const char *last_id;
    uint32_t last_cust, last_hash; /* last_hash: last_id's hash (fu__book_hash) */
    /* each customer's last order id, while the CSV block reader reads
     * (fu__book_order_memo): NULL otherwise */
    struct fu__ordmemo *omemo;
    size_t omemo_n;
    /* planners holding a pointer to the book (fu__book_borrow) */
    atomic_size_t borrowers;
    /* fu_book_free() came while borrowed: 1, the last fu__book_release()
     * frees it; 2 once one of the two has freed it */
    atomic_int free_pending;
    /* fu_book_generation(): bumped by every call that changes the events or
     * customers (appends included) */
    uint64_t generation;
    /* set during fu_book_append_events(): no compaction while events come
     * in (the merge drops the duplicates), no customer created while the
     * book is borrowed */
    int appending, no_create;
    /* appended events not yet settled (lib/book.c, "append"): customer c's
     * events are ovf[rel_at[c] .. + rel_n[c]) when rel_at[c] != SIZE_MAX;
     * napp more events than the main array's nev are live */
    int pending;
    fu__erow *ovf;
    size_t novf, ovf_cap, napp;
    size_t *rel_at;
    uint32_t *rel_n;
    size_t rel_cap;
};

/* Everything a failed call must undo. */
typedef struct fu__book_mark {
    size_t ncust, nev, dups, skipped, created;
    int finalized;
    uint64_t generation;
} fu__book_mark;

/* Fields of a customer, for naming the bad one in CSV errors. */
enum {
    CF_ID, CF_TZ, CF_SPEND, CF_FIRST, CF_INDUSTRY, CF_SMB, CF_PREF, CF_DND,
    CF_CPHONE, CF_CSMS, CF_CEMAIL, CF_OWNER, CF_COUNT
};
/* Fields of an event. */
enum {
    EF_CUST, EF_AT, EF_KIND, EF_ORDER, EF_PCLASS, EF_UNIT, EF_AMOUNT, EF_SEV, EF_CHAN,
    EF_AGENT, EF_OUTCOME, EF_SCORE, EF_SURVEY, EF_NOTE, EF_PRIO, EF_COUNT
};

/* Where a value error lies: the field (CF_* / EF_*, -1 for none), and for
 * windows text the byte offset inside it. */
typedef struct fu__book_bad {
    int field;
    unsigned long offset;
} fu__book_bad;

/* Start a call that changes the book; undo it all on failure. */
fu__book_mark fu__book_begin(fu_book *b);
void fu__book_rollback(fu_book *b, const fu__book_mark *m);
/* FU_ESTATE (error set, naming `what`) while a planner holds the book. */
int fu__book_check_free(const fu_book *b, const char *what);

/* fu_book_add_customer / fu_book_add_event without the mark and rollback,
 * naming the bad field in `bad`. */
int fu__book_customer_add(fu_book *b, const fu_customer *in, fu__book_bad *bad);
int fu__book_event_add(fu_book *b, const fu_event_in *in, fu__book_bad *bad);
int fu__book_reserve_events(fu_book *b, size_t more);
/* Room for `more` distinct strings beyond those interned (book_strtab.c);
 * FU_ENOMEM leaves the book as it was. */
int fu__book_reserve_strings(fu_book *b, size_t more);
/* How many symbols the string table holds (the empty string's included). */
size_t fu__book_string_count(const fu_book *b);
/* fu__book_event_add for a row of valid UTF-8 strings (no NUL) whose
 * lengths and fu__book_hash() are known, and the attribute hash
 * (fu__book_attr_hash): a CSV block's cells. Its kind, severity, channel,
 * outcome, survey and priority are taken as in range (their parsers gave
 * them): not checked again. */
enum { FU__EVSTR_CUST, FU__EVSTR_ORDER, FU__EVSTR_PCLASS, FU__EVSTR_AGENT, FU__EVSTR_NOTE, FU__EVSTR_COUNT };
typedef struct fu__evstr {
    uint32_t len[FU__EVSTR_COUNT]; /* 0: empty or absent */
    uint32_t hash[FU__EVSTR_COUNT];
    uint32_t attr_hash;
} fu__evstr;
int fu__book_event_add_known(fu_book *b, const fu_event_in *in, const fu__evstr *k);
/* A customer's last order id: its text (when it fits) beside its symbol, so
 * that the events of one order find its symbol without the string table
 * (whose slot, string pointer and text are each a likely cache miss). A
 * string's symbol never changes (rollbacks keep the strings), so an entry
 * stays true whatever happens to the customer. */
typedef struct fu__ordmemo {
    uint32_t sym;
    uint8_t len; /* 0: empty */
    char text[11];
} fu__ordmemo;
/* on: event_add remembers each customer's last order id (memory: 16 bytes
 * a customer; FU_ENOMEM, error set, when there is no room); off: forgets
 * them and frees the memo (FU_OK). */
int fu__book_order_memo(fu_book *b, int on);
/* on: count each customer's events as they are added, for the next
 * fu_book_finalize() (memory: 4 bytes a customer; FU_ENOMEM, error set, when
 * there is no room); off: frees the counts (FU_OK). lib/book_group.c. */
int fu__book_event_counts(fu_book *b, int on);
/* Room in the counts for customer `cust` (>= counts_n): FU_OK or FU_ENOMEM
 * (error set). */
int fu__book_counts_room(fu_book *b, uint32_t cust);
/* A walk over the customers of the events, for i going up from 0. */
typedef struct fu__custwalk {
    size_t c, r;
} fu__custwalk;
/* off[0..ncust]: 0, then each customer's event count at off[c + 1] (from the
 * kept counts when they are usable, else from the runs); the counts are
 * spent. lib/book_group.c. */
void fu__book_count_by_customer(fu_book *b, size_t *off);
/* How many finalizes took the kept counts (for tests). */
size_t fu__book_group_counted(void);
/* fu_book_finalize()'s stable grouping of the events by customer, through
 * `buf` of `cap` rows (at least one customer's events); off[c]: where
 * customer c's events start. lib/book_group.c. */
void fu__book_group_by_customer(fu_book *b, fu__erow *buf, size_t cap, size_t *off);
/* The attribute table's hash of an event whose strings' hashes are k's. */
uint32_t fu__book_attr_hash(const fu_event_in *in, const fu__evstr *k);
/* A prefetch of the attribute table ahead of use: step 1 the slot of hash
 * h, step 2 (after step 1 has had time) the attributes found there. */
void fu__book_prefetch_attr(const fu_book *b, uint32_t h, int step);
void fu__book_strtab_tune(size_t narrow_max);
int fu__book_strtab_wide(const fu_book *b);
/* An event of an unknown kind skipped (FU_BOOK_SKIP_UNKNOWN_KINDS). */
void fu__book_count_skipped(fu_book *b);
/* The string table's hash of `len` bytes, and a lookup of that hash made
 * ahead: the table's slot is asked for (the string's is found later). */
uint32_t fu__book_hash(const char *s, size_t len);
void fu__book_prefetch(const fu_book *b, uint32_t hash);

unsigned int fu__book_flags(const fu_book *b);
void fu__book_limits(const fu_book *b, size_t *max_record, size_t *max_field);

/* Case-insensitive ASCII comparison of a counted string with a C string. */
int fu__book_ascii_ieq(const char *a, size_t alen, const char *b);

/* book_csv.c, for tests and benches (set before reading, not while): how
 * events CSV inputs are read. threads 0: by the input (in blocks on two
 * threads from 1 MiB up, when there are two CPUs), -1: always the serial
 * reader, 1: in blocks on the calling thread, 2: in blocks on two threads;
 * block_bytes: the most a block holds (a longer record is read serially),
 * 0: 512 KiB. */
void fu__book_csv_tune(int threads, size_t block_bytes);
/* What a block reads after the bytes the last one left (more while it holds
 * no line break outside quotes, up to block_bytes in all); 0: 64 KiB on one
 * thread, block_bytes on two. */
void fu__book_csv_tune_step(size_t step_bytes);
/* How many events inputs were read in blocks (not by the serial reader). */
size_t fu__book_csv_block_reads(void);

#include "book_decode.h"

/* ---- appends the caller takes back (the planner's feed on failure) ----
 * fu__book_unappend() removes the last event of customer `ci` equal to `e`
 * (every compared byte) and keeps the book finalized; O(events after it).
 * Returns 1 when an event was removed. */
int fu__book_unappend(fu_book *b, size_t ci, const fu_event *e);
/* Settle appended events (see lib/book.c) and return the number of events:
 * for the writers, which read the whole array. */
size_t fu__book_settled_count(const fu_book *b);

/* The string table's hash of n bytes (fu__book_hash, inline for the CSV
 * reader's rows): 8 bytes at a time (a multiply and a shift a word); the
 * tail of 1..7 bytes is read as two overlapping 4-byte words or three
 * single bytes. Only ever kept in memory: the byte order of the host does
 * not matter. */
static inline uint32_t fu__book_hash_inline(const char *s, size_t n) {
    const uint64_t K = 0x9E3779B97F4A7C15ull;
    uint64_t h = (uint64_t)n * K, w;
    uint32_t lo, hi;
    for (; n >= 8; s += 8, n -= 8) {
        memcpy(&w, s, 8);
        h = (h ^ w) * K;
        h ^= h >> 29;
    }
    if (n >= 4) {
        memcpy(&hi, s, 4);
        memcpy(&lo, s + n - 4, 4);
        w = (uint64_t)hi << 32 | lo;
    } else if (n) {
        w = (uint64_t)(unsigned char)s[0] << 16 | (uint64_t)(unsigned char)s[n / 2] << 8 | (unsigned char)s[n - 1];
    } else {
        w = 0;
    }
    h = (h ^ w ^ n) * 0xBF58476D1CE4E5B9ull;
    h ^= h >> 31;
    h *= K;
    return (uint32_t)(h >> 32);
}

/* fu_event_in_init()'s values, inline for the CSV reader's rows. */
static inline void fu__event_in_reset(fu_event_in *ev) {
    /* copied from a constant (a few vector stores): a memset and four
     * stores compiled to `rep stos`, whose start-up cost was most of it */
    static const fu_event_in absent = {.at = FU_BOOK_NO_TIME, .unit_price = NAN, .amount = NAN, .score = NAN};
    memcpy(ev, &absent, sizeof *ev);
}

#endif /* FU_BOOK_INTERNAL_H */
