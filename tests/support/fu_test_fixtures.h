/* Fixtures the Criterion tests share beyond fu_test.h: the 2025 CN business
 * calendar; books of contactable customers and the guard over them with its
 * answers, contact records and contact events; books and KPI engines of CSV
 * text; a write under a file-size limit. Each asserts on failure (Criterion),
 * so a test reads as what it checks. */
#ifndef FU_TEST_FIXTURES_H
#define FU_TEST_FIXTURES_H

#include "followup.h"

#include <stddef.h>
#include <stdint.h>

/* ---- calendars ---- */

/* The 2025 mainland China calendar around National Day (Asia/Shanghai):
 * Mon-Fri 09:00-18:00, holidays 10-01..10-08, make-up working days Sunday
 * 09-28 and Saturday 10-11 (with Monday's hours). fu_calendar_free() it. */
fu_calendar *fu_test_calendar_cn2025(void);

/* ---- the contact guard ---- */

/* A customer of fu_test_contact_book(): id, IANA zone, industry (NULL: none)
 * and whether it is a small business. */
typedef struct fu_test_customer {
    const char *id, *tz, *industry;
    fu_tristate is_smb;
} fu_test_customer;

/* A finalized book of the customers cs[0..n): each a customer since
 * 2025-06-01 10:00 +08:00 who allows calls and texts, with one purchase of
 * 300 on 2026-02-01 10:00 +08:00 (of order `order_id`; none when NULL). */
fu_book *fu_test_contact_book(const fu_test_customer *cs, size_t n, const char *order_id);

/* A guard with what it borrows, freed together by fu_test_guard_free(). */
typedef struct fu_test_guard {
    fu_policy *policy;
    fu_book *book;
    fu_contact_log *log;
    fu_guard *guard;
} fu_test_guard;

/* *f (zeroed first) gets the built-in policy, takes `book` and `log` (NULL:
 * the guard has no log) and a guard over them with the default options. */
void fu_test_guard_open(fu_test_guard *f, fu_book *book, fu_contact_log *log);
/* Free the guard, log, book and policy (any may be NULL) and zero *f. */
void fu_test_guard_free(fu_test_guard *f);

/* The decision d says no by `rule` and allows again at `next` (ISO 8601);
 * rule NULL: d says yes. A failure shows `what` (the question) and d's reason. */
void fu_test_expect_decision(const fu_guard_decision *d, const char *rule, const char *next, const char *what);

/* A guard request (FU_GUARD_REQUEST_INIT, then these fields): a phone call
 * to customer `id` at `at`, about order `order_id` (none when NULL). */
fu_guard_request fu_test_phone_request(const char *id, int64_t at, const char *order_id);

/* A contact record (fu_contact_record_init(), then these fields): customer
 * `id` reached at `at` by `channel` with `outcome`. */
fu_contact_record fu_test_contact(const char *id, int64_t at, fu_channel channel, fu_guard_outcome outcome);

/* A book event of kind FU_EVENT_CONTACT (fu_event_in_init(), then these
 * fields): customer `id` answered at `at` by `channel`, about `order_id`
 * (none when NULL). */
fu_event_in fu_test_answered_contact_event(const char *id, int64_t at, fu_channel channel, const char *order_id);

/* ---- books and KPIs of CSV text ---- */

/* A book with the options' `flags` of the customers CSV text (NULL: none
 * read, as with FU_BOOK_CREATE_CUSTOMERS) and the events CSV text (each with
 * its header line; sources "c" and "e"); finalized when `finalize`. */
fu_book *fu_test_book_of(unsigned flags, const char *customers_csv, const char *events_csv, int finalize);

/* A KPI engine of `policy` and the options `o` over `book`, computed
 * (fu_kpi_new, fu_kpi_add_book, fu_kpi_compute). fu_kpi_free() it. */
fu_kpi *fu_test_kpi_of_book(const fu_policy *policy, const fu_kpi_options *o, const fu_book *book);

/* ---- output files ---- */

/* fu(ctx) in a child process whose files may grow to `limit` bytes at the
 * most (RLIMIT_FSIZE, SIGXFSZ ignored: a write past it fails with EFBIG, as
 * on a full disk); asserts that the child exited with 0, which fu's own
 * check returns when the write failed the way it should. */
void fu_test_under_file_size_limit(unsigned long limit, int (*fn)(void *ctx), void *ctx, const char *what);

#endif
