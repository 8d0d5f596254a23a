/* The notes CSV reader (followup/notes.h): customer_id, at, note. */
#include "calendar_internal.h"
#include "csv_internal.h"
#include "followup/calendar.h"
#include "followup/notes.h"

#include <stdio.h>
#include <string.h>

static const char *const k_note_columns[3] = {"customer_id", "at", "note"};

int fu_note_error(const fu_note *note, fu_note_field field, int code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    if (!note || (unsigned)field > FU_NOTE_TEXT)
        fu__error_setv(code, fmt, ap);
    else
        fu__error_set_atv(code, note->source, note->line[field], note->column[field], k_note_columns[field], fmt, ap);
    va_end(ap);
    return code;
}

/* The position of the three columns in the header; a column named twice is
 * refused naming both fields: which one is meant cannot be told (review
 * s13, as the other readers). */
static int find_columns(fu__csv *r, size_t col[3]) {
    for (int k = 0; k < 3; k++) col[k] = SIZE_MAX;
    for (size_t i = 0; i < fu__csv_header_count(r); i++)
        for (int k = 0; k < 3; k++) {
            if (!fu__csv_header_is(r, i, k_note_columns[k])) continue;
            if (col[k] != SIZE_MAX)
                return fu__csv_error_at(r, i, FU_EPARSE, "column '%s' appears twice (fields %zu and %zu)",
                                        k_note_columns[k], col[k] + 1, i + 1);
            col[k] = i;
        }
    for (int k = 0; k < 3; k++)
        if (col[k] == SIZE_MAX)
            return fu__error_set_at(FU_EPARSE, fu__csv_source(r), 1, 1, k_note_columns[k],
                                    "missing required column '%s'", k_note_columns[k]);
    return FU_OK;
}

/* The current record as a note; FU_OK or an error set at its field. */
static int record_note(fu__csv *r, const size_t col[3], fu_note *n) {
    size_t nf = fu__csv_count(r);
    for (int k = 0; k < 3; k++)
        if (col[k] >= nf)
            return fu__error_set_at(FU_EPARSE, fu__csv_source(r), fu__csv_record_end_line(r),
                                    fu__csv_record_end_column(r), k_note_columns[k], "the record has no '%s' field",
                                    k_note_columns[k]);
    memset(n, 0, sizeof *n);
    n->source = fu__csv_source(r);
    n->record_line = fu__csv_record_line(r);
    for (int k = 0; k < 3; k++) {
        n->line[k] = fu__csv_field_line(r, col[k]);
        n->column[k] = fu__csv_field_column(r, col[k]);
    }
    size_t alen;
    n->customer_id = fu__csv_field(r, col[0], &n->customer_id_len);
    const char *at_text = fu__csv_field(r, col[1], &alen);
    n->text = fu__csv_field(r, col[2], &n->text_len);
    if (n->customer_id_len == 0) return fu__csv_error_at(r, col[0], FU_EPARSE, "empty customer_id");
    /* an error names the column of the bad character in the file */
    fu__textpos pos = {fu__csv_source(r), n->line[1],
                       n->column[1] + (fu__csv_field_quoted(r, col[1]) ? 1u : 0u), k_note_columns[1]};
    return fu__time_parse_at(at_text, alen, &pos, NULL, &n->at);
}

static int read_notes(fu__csv *r, fu_note_fn fn, void *ud) {
    size_t col[3];
    int rc = fu__csv_read_header(r);
    if (rc == FU_OK) rc = find_columns(r, col);
    while (rc == FU_OK) {
        int got = fu__csv_next(r);
        if (got <= 0) return got;
        fu_note n;
        if ((rc = record_note(r, col, &n)) == FU_OK) rc = fn(&n, ud);
    }
    return rc;
}

int fu_notes_read_csv(const char *path, fu_note_fn fn, void *ud) {
    if (!path || !fn) return fu__error_set(FU_EINVAL, "fu_notes_read_csv: path or fn is NULL");
    fu__csv *r = NULL;
    int rc = fu__csv_open_file(path, 0, 0, &r);
    if (rc == FU_OK) rc = read_notes(r, fn, ud);
    fu__csv_close(r);
    return rc;
}

int fu_notes_read_csv_from_string(const char *text, size_t len, const char *source, fu_note_fn fn, void *ud) {
    if ((!text && len) || !fn) return fu__error_set(FU_EINVAL, "fu_notes_read_csv_from_string: text or fn is NULL");
    fu__csv *r = NULL;
    int rc = fu__csv_open_mem(text ? text : "", len, source, 0, 0, &r);
    if (rc == FU_OK) rc = read_notes(r, fn, ud);
    fu__csv_close(r);
    return rc;
}
