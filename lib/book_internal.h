/* What the CSV reader and writers (book_csv.c) use of the book's store
 * (book.c). The store's layout stays private to book.c: the reader adds
 * through fu__book_customer_add / fu__book_event_add, the writers read
 * through the public accessors. Not installed. */
#ifndef FU_BOOK_INTERNAL_H
#define FU_BOOK_INTERNAL_H

#include "internal.h"
#include "followup/book.h"

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

/* Where a value error lies: the field (CF_* / EF_*, -1 for none), and for
 * windows text the byte offset inside it. */
typedef struct fu__book_bad {
    int field;
    unsigned long offset;
} fu__book_bad;

/* Everything a failed call must undo. */
typedef struct fu__book_mark {
    size_t ncust, nev, dups, skipped, created;
    int finalized;
} fu__book_mark;

/* Start a call that changes the book; undo it all on failure. */
fu__book_mark fu__book_begin(fu_book *b);
void fu__book_rollback(fu_book *b, const fu__book_mark *m);
/* FU_ESTATE (error set, naming `what`) while a planner holds the book. */
int fu__book_check_free(const fu_book *b, const char *what);

/* fu_book_add_customer / fu_book_add_event without the mark and rollback,
 * naming the bad field in `bad`. */
int fu__book_customer_add(fu_book *b, const fu_customer *in, fu__book_bad *bad);
int fu__book_event_add(fu_book *b, const fu_event_in *in, fu__book_bad *bad);
/* An event of an unknown kind skipped (FU_BOOK_SKIP_UNKNOWN_KINDS). */
void fu__book_count_skipped(fu_book *b);
/* Warm the caches for a lookup of this string (a customer or order id). */
void fu__book_prefetch(const fu_book *b, const char *s, size_t len);

unsigned int fu__book_flags(const fu_book *b);
void fu__book_limits(const fu_book *b, size_t *max_record, size_t *max_field);

/* Case-insensitive ASCII comparison of a counted string with a C string. */
int fu__book_ascii_ieq(const char *a, size_t alen, const char *b);

/* book_csv.c, for tests and benches (set before reading, not while): how
 * events CSV inputs are read. threads 0: by the input (in blocks on two
 * threads from 1 MiB up, when there are two CPUs), -1: always the serial
 * reader, 1: in blocks on the calling thread, 2: in blocks on two threads;
 * block_bytes 0: 4 MiB. */
void fu__book_csv_tune(int threads, size_t block_bytes);
/* How many events inputs were read in blocks (not by the serial reader). */
size_t fu__book_csv_block_reads(void);

#endif /* FU_BOOK_INTERNAL_H */
