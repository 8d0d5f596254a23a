/**
 * @file followup/notes.h
 * @brief Reading a notes CSV: the free-text call notes that commitment
 *        extraction (followup/commit.h) reads promises from.
 *
 * Format (docs/formats.md, "Notes"): an RFC 4180 CSV, UTF-8, with a header
 * naming at least the columns `customer_id`, `at` (an ISO 8601 time with an
 * offset or Z) and `note`, in any order, names matched in any ASCII case
 * and spacing; other columns are ignored. Errors name the source, line,
 * column and CSV column like those of every other input: a missing column, a
 * column named twice, a record without one of the three fields, an empty
 * customer id, a time that does not parse.
 *
 * Threads: the functions keep no state; the callback runs on the calling
 * thread.
 */
#ifndef FOLLOWUP_NOTES_H
#define FOLLOWUP_NOTES_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The three columns of a note, indexes into fu_note::line and fu_note::column. */
typedef enum fu_note_field {
    FU_NOTE_CUSTOMER_ID = 0,
    FU_NOTE_AT = 1,
    FU_NOTE_TEXT = 2
} fu_note_field;

/** One note, borrowed: valid only during the callback that receives it. */
typedef struct fu_note {
    const char *customer_id;   /**< NUL-terminated, not empty */
    size_t customer_id_len;
    int64_t at;                /**< the `at` column, seconds since the epoch */
    const char *text;          /**< the note, NUL-terminated (may be empty) */
    size_t text_len;
    const char *source;        /**< the input's name, for error messages */
    unsigned long record_line; /**< 1-based line where the record starts */
    unsigned long line[3];     /**< 1-based line of each field (#fu_note_field) */
    unsigned long column[3];   /**< 1-based byte column of each field */
} fu_note;

/** Called once per note, in file order. Return #FU_OK to go on; a negative
 *  code stops the reading, which returns it (with the error the callback
 *  raised, e.g. with fu_note_error()). */
typedef int (*fu_note_fn)(const fu_note *note, void *ud);

/**
 * Read the notes CSV at `path`, calling `fn(note, ud)` for each record.
 *
 * @return #FU_OK after the last note, #FU_EINVAL (NULL argument), #FU_EIO,
 *         #FU_EPARSE, #FU_ELIMIT, #FU_ENOMEM, or what `fn` returned.
 */
FU_EXTERN int fu_notes_read_csv(const char *path, fu_note_fn fn, void *ud);

/** fu_notes_read_csv() over `len` bytes of `text`; `source` names it in
 *  errors (NULL: "<string>"). */
FU_EXTERN int fu_notes_read_csv_from_string(const char *text, size_t len, const char *source,
                                            fu_note_fn fn, void *ud);

/**
 * Raise `code` at `field` of `note` (its source, line, column and column
 * name), with the message formatted from `fmt` (printf). For a callback
 * that rejects a note.
 *
 * @return `code`.
 */
FU_EXTERN int fu_note_error(const fu_note *note, fu_note_field field, int code, const char *fmt, ...)
    FU_PRINTF_FORMAT(4, 5);

#ifdef __cplusplus
}
#endif

#endif /* FOLLOWUP_NOTES_H */
