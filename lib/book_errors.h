/* The errors of the book's API adds (lib/book_errors.c). Not installed. */
#ifndef FU_BOOK_ERRORS_H
#define FU_BOOK_ERRORS_H

/* The error `rc` of an event given through fu_book_add_event(s) whose field
 * `field` (EF_*, book_internal.h; -1 for none) is bad, made to name the
 * event by its customer and the field, as a customer's field errors do:
 * "event of customer 'C1': note: invalid UTF-8 at byte offset 1 ...", not
 * "event note:1:2: ..." with the field as the error's source. A bad
 * customer_id itself stays "event customer_id: ...", without a source.
 * Returns rc (FU_OK and FU_ENOMEM untouched). */
int fu__book_event_field_error(int rc, const char *customer_id, int field);

#endif /* FU_BOOK_ERRORS_H */
