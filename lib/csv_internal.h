/* An RFC 4180 CSV reader and writer shared by the modules that read or write
 * the interchange formats (customers, events, commitment notes, ...). Not
 * installed.
 *
 * Reader
 * - Fields separated by ',', records by LF, CRLF or a lone CR. A field may be
 *   quoted with '"'; inside quotes '""' stands for one '"' and separators and
 *   line breaks are data (kept byte for byte).
 * - A '"' inside an unquoted field, or anything but a separator or line break
 *   after a closing quote, is an error; so is an unterminated quoted field.
 * - Input must be UTF-8 (overlong forms, surrogates and code points above
 *   U+10FFFF are refused); a UTF-8 byte order mark at the very start is
 *   skipped. NUL bytes are refused.
 * - Empty lines (no byte between two line breaks) are skipped.
 * - Limits: a record (including embedded line breaks) longer than
 *   `max_record` bytes, or a field longer than `max_field` bytes, is FU_ELIMIT.
 * - Every error is set with fu__error_set_at(): the source name, the 1-based
 *   line and byte column of the offending byte (after the BOM), and, once the
 *   header was read with fu__csv_read_header(), the name of the column.
 * - Files are read in chunks: memory use is bounded by the longest record,
 *   not by the size of the file.
 *
 * Writer: fields are quoted when they contain ',', '"', CR or LF or start or
 * end with a space or tab; records end with LF.
 */
#ifndef FU_CSV_INTERNAL_H
#define FU_CSV_INTERNAL_H

#include "internal.h"

#include <stdio.h>

#define FU__CSV_MAX_RECORD_DEFAULT ((size_t)1 << 20) /* 1 MiB */
#define FU__CSV_MAX_FIELD_DEFAULT ((size_t)1 << 18)  /* 256 KiB */

typedef struct fu__csv fu__csv;

/* Open a reader over `len` bytes of `text` (not copied: it must outlive the
 * reader). `source` names the input in errors (copied; NULL means
 * "<string>"). 0 for a limit means the default. */
int fu__csv_open_mem(const char *text, size_t len, const char *source, size_t max_record,
                     size_t max_field, fu__csv **out);
/* Open a reader over a file; FU_EIO when it cannot be opened. */
int fu__csv_open_file(const char *path, size_t max_record, size_t max_field, fu__csv **out);
void fu__csv_close(fu__csv *r);

/* Read the next record. Returns 1 when a record was read, 0 at the end of the
 * input, or a negative FU_E* code (error set). After an error the reader
 * must not be used any more except to close it. */
int fu__csv_next(fu__csv *r);

/* Read the first record as the header: its fields become the column names
 * used in error messages. Returns FU_OK, or FU_EPARSE for an empty input, or
 * another error. */
int fu__csv_read_header(fu__csv *r);
size_t fu__csv_header_count(const fu__csv *r);
const char *fu__csv_header_name(const fu__csv *r, size_t i); /* NULL when out of range */

/* The fields of the current record (valid until the next fu__csv_next()).
 * Each field is NUL-terminated; `len` gives its length. */
size_t fu__csv_count(const fu__csv *r);
const char *fu__csv_field(const fu__csv *r, size_t i, size_t *len);
/* 1-based line and column where field i starts (its opening quote when quoted). */
unsigned long fu__csv_field_line(const fu__csv *r, size_t i);
unsigned long fu__csv_field_column(const fu__csv *r, size_t i);
/* Whether field i was quoted. */
int fu__csv_field_quoted(const fu__csv *r, size_t i);
/* Line on which the current record starts, and where it ends (the column
 * just after its last byte, before the line break). */
unsigned long fu__csv_record_line(const fu__csv *r);
unsigned long fu__csv_record_end_line(const fu__csv *r);
unsigned long fu__csv_record_end_column(const fu__csv *r);
const char *fu__csv_source(const fu__csv *r);

/* Set an error at field i of the current record, naming the column from the
 * header when there is one. Returns `code`. */
int fu__csv_error_at(const fu__csv *r, size_t i, int code, const char *fmt, ...) FU_PRINTF(4, 5);

/* ---- writer: appends to a buffer (the caller flushes it where it likes) ---- */
/* Append one field, quoted when needed, preceded by ',' unless `first`. */
int fu__csv_put(fu__buf *b, int first, const char *s, size_t len);
/* Shorthand for NUL-terminated text; NULL writes an empty field. */
int fu__csv_puts(fu__buf *b, int first, const char *s);
/* End the record. */
int fu__csv_end(fu__buf *b);

/* Append the buffer's content to `f` and empty the buffer; FU_EIO on failure
 * (naming `path`). */
int fu__csv_flush(fu__buf *b, FILE *f, const char *path);

#endif /* FU_CSV_INTERNAL_H */
