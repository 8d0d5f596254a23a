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
 * - A quoted field that is one or more "'" followed by '=', '+', '-', '@',
 *   tab or CR loses its first "'": the writer's neutralisation is undone, so
 *   what the library writes reads back as it was.
 *
 * Writer: fields are quoted when they contain ',', '"', CR or LF or start or
 * end with a space or tab; records end with LF. Every CSV cell the library
 * or the CLI writes goes through fu__csv_cell().
 *
 * Formula neutralisation (docs/formats.md, "CSV output and spreadsheets"):
 * a text cell whose first byte is '=', '+', '-', '@', tab or CR, or that is
 * one or more "'" followed by one of those, is written quoted with one "'"
 * in front (`=1+2` -> `"'=1+2"`), so that a spreadsheet shows it as text and
 * never evaluates it. Exempt: cells written as numbers (FU__CSV_NUMBER), text
 * that is a plain decimal number (`-0.5`, `+86`, `-1e-3`: a spreadsheet reads
 * it as that number, nothing else), and every cell when FU__CSV_RAW is given
 * (the writers' "raw" options).
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
/* Whether header column i is `name`, without regard to ASCII case and
 * surrounding spaces or tabs (docs/formats.md, "CSV, the common rules"). */
int fu__csv_header_is(const fu__csv *r, size_t i, const char *name);
/* FU_OK when the current record has as many fields as the header, else
 * FU_EPARSE: a row with fields missing named where it ends, one with too
 * many at the start of its first extra field. */
int fu__csv_check_width(const fu__csv *r);

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

/* Bytes of a memory source consumed so far (after the current record). */
size_t fu__csv_offset(const fu__csv *r);

/* ---- blocks of records, split in place (the parallel readers' fast path) ----
 * fu__csv_split() reads `len` bytes of whole records (no BOM, starting at a
 * record) the way fu__csv_next() would, but in place: field text is
 * unescaped where it lies and NUL-terminated (text[len] must be writable),
 * and fn(ud, cells, lens, n) is called for each record in order. It accepts
 * only what the reader accepts with the same fields; for anything else
 * (a quote or NUL out of place, invalid UTF-8, a row of another width, a
 * field or record near the limits, more than FU__CSV_SPLIT_MAX_COLS
 * columns) it stops with FU__CSV_UNSURE and the caller reads the input with
 * fu__csv_next(), which reports the error where it lies. Returns FU_OK,
 * FU__CSV_UNSURE or what fn returned when not 0. cells[n] is an empty cell
 * ("", length 0): a caller may name it for a column the file lacks. */
#define FU__CSV_UNSURE 1
#define FU__CSV_SPLIT_MAX_COLS 64
typedef int (*fu__csv_row_fn)(void *ud, char **cells, const size_t *lens, size_t n);
int fu__csv_split(char *text, size_t len, size_t ncols, size_t max_record, size_t max_field,
                  fu__csv_row_fn fn, void *ud);
/* Where a block of `len` bytes starting at a record can be cut: just after
 * its last '\n' preceded by an even number of '"' (outside quotes when the
 * text is valid CSV; fu__csv_split() proves the rest), 0 when there is none. */
size_t fu__csv_safe_end(const char *text, size_t len);
/* How many '\n' and '\r' bytes: fu__csv_split() calls fn at most one more
 * time than that. */
size_t fu__csv_count_breaks(const char *text, size_t len);
/* How fu__csv_split() finds the separators, line breaks, quotes, NULs and
 * bytes >= 0x80 of each 64 bytes: a portable byte loop, SSE2 (where the
 * build has it) or AVX2 (where the build's compiler has it and the CPU, asked
 * at run time, too). All give the same masks. AUTO: the widest there is. */
enum { FU__CSV_PATH_AUTO, FU__CSV_PATH_PORTABLE, FU__CSV_PATH_SSE2, FU__CSV_PATH_AVX2 };
/* For the tests: path >= 0 makes fu__csv_split() use that path (AUTO when
 * this build or CPU does not have it); -1 changes nothing. Returns the path
 * fu__csv_split() now uses (never AUTO). */
int fu__csv_split_path(int path);
/* 1: fu__csv_split_path(FU__CSV_PATH_PORTABLE); 0: back to AUTO. */
void fu__csv_split_scalar(int on);
/* The masks of the 64 bytes at c on a path (the portable one when this
 * build or CPU does not have it): bit i of *sep for a ',' at c[i], of *eol
 * for '\n' or '\r', of *odd for '"', NUL or a byte >= 0x80. */
void fu__csv_classify64(int path, const unsigned char *c, uint64_t *sep, uint64_t *eol, uint64_t *odd);

/* The events reader's fast path for the common time shapes
 * (lib/book_csv.c), for the tests: 1 and the value fu_time_parse() gives,
 * or 0 when it leaves the text to fu_time_parse(). */
int fu__book_csv_fast_time(const char *s, size_t len, int64_t *out);
/* The same with the date memo of a reader (one, static: the tests' only;
 * `forget` empties it first). */
int fu__book_csv_fast_time_memo(const char *s, size_t len, int64_t *out, int forget);

/* ---- writer: appends to a buffer (the caller flushes it where it likes) ---- */
#define FU__CSV_NUMBER 0x1u /* the cell is a number the library formatted: never neutralised */
#define FU__CSV_RAW 0x2u    /* no formula neutralisation (the writers' raw option) */

/* Append one cell, quoted and neutralised as needed, preceded by ',' unless
 * `first`. NULL or empty writes an empty cell. `flags`: FU__CSV_* bits. */
int fu__csv_cell(fu__buf *b, int first, const char *s, size_t len, unsigned int flags);
/* Same for NUL-terminated text. */
int fu__csv_putf(fu__buf *b, int first, const char *s, unsigned int flags);
/* fu__csv_cell() of a text cell (flags 0). */
int fu__csv_put(fu__buf *b, int first, const char *s, size_t len);
/* Shorthand for NUL-terminated text; NULL writes an empty field. */
int fu__csv_puts(fu__buf *b, int first, const char *s);
/* Whether a text cell would be neutralised; whether a byte starts a formula. */
int fu__csv_needs_neutralising(const char *s, size_t len);
int fu__csv_is_trigger(unsigned char c);
/* End the record. */
int fu__csv_end(fu__buf *b);

/* Append the buffer's content to `f` and empty the buffer; FU_EIO on failure
 * (naming `path`). */
int fu__csv_flush(fu__buf *b, FILE *f, const char *path);

/* ---- replacing an output file: all or nothing ----
 * The output is written to a new file beside `path` (same directory,
 * `<path>.tmp-<pid>-<n>`, created with O_EXCL; a replaced file keeps its
 * mode), then flushed, fsync'ed, closed and renamed over `path`, and the
 * directory fsync'ed. Any failure (out of memory, a full disk, a file size
 * limit) removes the temporary file and leaves an existing `path` as it was.
 * A `path` that exists and is not a regular file (/dev/null, a terminal, a
 * FIFO) is written in place, without a temporary file or rename. */
typedef struct fu__outfile {
    FILE *f; /* write here between open and commit */
    char *path, *tmp;
} fu__outfile;

/* FU_OK, FU_EINVAL, FU_ENOMEM or FU_EIO (naming `path` and the reason). */
int fu__outfile_open(fu__outfile *o, const char *path);
/* Flush, fsync, rename. FU_OK, or FU_EIO (the temporary file is removed).
 * The handle is closed either way. */
int fu__outfile_commit(fu__outfile *o);
/* Close and remove the temporary file; `path` is untouched. Safe on a
 * zeroed or already closed handle. */
void fu__outfile_abort(fu__outfile *o);
/* The three in one for text held in memory. */
int fu__outfile_write(const char *path, const char *data, size_t len);

#endif /* FU_CSV_INTERNAL_H */
