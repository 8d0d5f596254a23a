/* The customer book's internals, shared by lib/book.c (store, string table,
 * finalize, append) and the CSV reader. Not installed. */
#ifndef FU_BOOK_INTERNAL_H
#define FU_BOOK_INTERNAL_H

#include "internal.h"
#include "followup/book.h"

#include <stdatomic.h>

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
    uint64_t *slots; /* open addressing: hash << 32 | symbol; 0 = empty */
    size_t nslots;
} strtab;

struct fu_book {
    unsigned int flags;
    size_t max_record, max_field;
    strtab st;
    fu_customer *cust;
    size_t ncust, cust_cap;
    fu_event *ev;
    size_t nev, ev_cap;
    size_t *off; /* ncust + 1 offsets into ev, valid when finalized */
    size_t off_cap;
    int finalized;
    size_t dups, skipped, created;
    /* The events and duplicates count a failing call goes back to (its
     * mark), kept here because compact_events() may drop events below it. */
    size_t op_nev, op_dups;
    int compact_skip; /* the last compaction found almost nothing: skip the next */
    /* the customer of the last event added: files often group by customer */
    const char *last_id;
    uint32_t last_cust;
    /* planners holding a pointer to the book (fu__book_borrow) */
    atomic_size_t borrowers;
    /* fu_book_generation(): bumped by every call that changes the events or
     * customers (appends included) */
    uint64_t generation;
    /* set during fu_book_append_events(): no compaction while events come
     * in (the merge drops the duplicates), no customer created while the
     * book is borrowed */
    int appending, no_create;
};

/* Everything a failed call must undo. */
typedef struct mark {
    size_t ncust, nev, dups, skipped, created;
    int finalized;
    uint64_t generation;
} mark;

/* Fields of a customer, for naming the bad one in CSV errors. */
enum {
    CF_ID, CF_TZ, CF_SPEND, CF_FIRST, CF_INDUSTRY, CF_SMB, CF_PREF, CF_DND,
    CF_CPHONE, CF_CSMS, CF_CEMAIL, CF_OWNER, CF_COUNT
};
/* Fields of an event. */
enum {
    EF_CUST, EF_AT, EF_KIND, EF_ORDER, EF_PCLASS, EF_UNIT, EF_AMOUNT, EF_SEV, EF_CHAN,
    EF_AGENT, EF_OUTCOME, EF_SCORE, EF_SURVEY, EF_NOTE, EF_COUNT
};

/* Where a value error lies: the field, and for windows text the byte
 * offset inside it. */
typedef struct badpos {
    int field;
    unsigned long offset;
} badpos;

/* ---- the store, callable from the CSV reader (lib/book.c) ---- */
int fu__book_ascii_ieq(const char *a, size_t alen, const char *b);
/* A strict decimal number (FU_EPARSE / FU_ERANGE without a message). */
int fu__book_parse_number(const char *s, size_t len, double *out);
/* FU_ESTATE (message set, naming `what`) while a planner borrows the book. */
int fu__book_check_free(const fu_book *b, const char *what);
/* Mark the book before a call that may fail; roll back to the mark. */
mark fu__book_mark(fu_book *b);
void fu__book_rollback(fu_book *b, const mark *m);
/* Add one customer / event; `bad` (may be NULL) receives the bad field. */
int fu__book_customer_add(fu_book *b, const fu_customer *in, badpos *bad, size_t *index_out);
int fu__book_event_add(fu_book *b, const fu_event_in *in, badpos *bad);
/* Prefetch the string table slot of `s` ahead of its lookup. */
void fu__book_st_prefetch(const fu_book *b, const char *s, size_t len);

/* ---- appends the caller takes back (the planner's feed on failure) ----
 * fu__book_unappend() removes the last event of customer `ci` equal to `e`
 * (every compared byte) and keeps the book finalized; O(events after it).
 * Returns 1 when an event was removed. */
int fu__book_unappend(fu_book *b, size_t ci, const fu_event *e);

#endif /* FU_BOOK_INTERNAL_H */
