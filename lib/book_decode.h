/* Reading a book's stored events inside the library (lib/book.c): the
 * events are stored compactly (book_internal.h) and decoded into buffers the
 * readers own. Not installed. */
#ifndef FU_BOOK_DECODE_H
#define FU_BOOK_DECODE_H

#include "followup/book.h"

/* ---- reading the stored events inside the library ----
 * A caller-owned buffer of decoded events: one per thread of reading (a
 * planner owns one), freed with fu__evbuf_free(). */
typedef struct fu__evbuf {
    fu_event *v;
    size_t cap;
} fu__evbuf;
void fu__evbuf_free(fu__evbuf *buf);
/* Customer `ci`'s events of a finalized book, decoded into `buf` (grown as
 * needed): valid until the next call with the same buffer or the next change
 * of the book. No shared state: any number of threads may call it at once
 * with their own buffers. FU_EINVAL / FU_ESTATE as fu_book_customer_events(),
 * FU_ENOMEM. */
int fu__book_customer_decode(const fu_book *b, size_t ci, fu__evbuf *buf, const fu_event **events,
                             size_t *count);

/* A hint that customer `ci`'s events will be decoded soon: starts loading
 * the attribute records its rows point to (scattered over the book), so
 * that a reader walking the customers in order overlaps those cache misses
 * with its work on the customer before. No effect on any result; ci past
 * the customers or a book not finalized: nothing. */
void fu__book_customer_prefetch(const fu_book *b, size_t ci);

/* Customer `ci` of the book (ci < fu_book_customer_count()) decoded into
 * *out: the fields fu_book_customer() gives, without its shared cache (no
 * allocation, no lock). Texts live until the book is freed. */
void fu__book_customer_get(const fu_book *b, size_t ci, fu_customer *out);
/* Customer `ci`'s id (ci < fu_book_customer_count()). */
const char *fu__book_customer_id(const fu_book *b, size_t ci);

/* All events (settled first, as fu_book_events()) decoded into `buf`: for
 * the library's readers of the whole array, which own their copy (the
 * book's shared decoded cache is for the public fu_book_events()). */
int fu__book_events_decode(const fu_book *b, fu__evbuf *buf, const fu_event **events, size_t *count);

/* Event i of the whole array (settled: call fu__book_settled_count() or
 * fu__book_any_priority() first), decoded into *e; no allocation, O(log
 * customers). For the writers. */
void fu__book_event_at(const fu_book *b, size_t i, fu_event *e);
/* Whether an event has a priority (settles the book, as the writers do). */
int fu__book_any_priority(const fu_book *b);

#endif /* FU_BOOK_DECODE_H */
