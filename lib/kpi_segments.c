/* fu_kpi_read_segments_csv(): the segment labels of FU_KPI_BY_SEGMENT from a
 * CSV whose header names `customer_id` and `segment` columns, in any order
 * among others (the CSV of `followup segment` serves as it is;
 * docs/kpi.md, "Segment labels from a CSV"). The rows are read through the
 * library's CSV reader (RFC 4180, UTF-8, positions in every error), checked,
 * then given to fu_kpi_set_segments() in one call: all or nothing. */
#include "arena_internal.h"
#include "book_strtab.h"
#include "csv_internal.h"
#include "errtext.h"

#include "followup/kpi.h"

#include <stdint.h>
#include <string.h>

typedef struct seg_row {
    const char *label;  /* in the arena */
    unsigned long line; /* of the row, for a later duplicate's message */
} seg_row;

/* The ids are interned in a string table (the book's, book_strtab.c): id
 * symbol k (1..n) is row k - 1, so a repeated id finds its first row. */
typedef struct seg_read {
    fu__csv *r;
    fu__arena a;
    strtab ids;
    seg_row *rows;
    size_t n, cap;
} seg_read;

/* Columns of the two names in the header (each once); FU_EPARSE naming the
 * position of the header otherwise. */
static int header(fu__csv *r, size_t *ci, size_t *cs) {
    int rc = fu__csv_read_header(r);
    if (rc) return rc;
    static const char *const names[2] = {"customer_id", "segment"};
    size_t *col[2] = {ci, cs};
    *ci = *cs = SIZE_MAX;
    for (size_t i = 0; i < fu__csv_count(r); i++) {
        for (int k = 0; k < 2; k++) {
            if (!fu__csv_header_is(r, i, names[k])) continue;
            if (*col[k] != SIZE_MAX)
                return fu__csv_error_at(r, i, FU_EPARSE, "a second `%s` column (also column %zu of the header)",
                                        names[k], *col[k] + 1);
            *col[k] = i;
        }
    }
    if (*ci == SIZE_MAX || *cs == SIZE_MAX)
        return fu__error_set_at(FU_EPARSE, fu__csv_source(r), fu__csv_record_line(r), 1, NULL,
                                "expected a header with `customer_id` and `segment` columns (the CSV of followup "
                                "segment); it has no `%s` column",
                                *ci == SIZE_MAX ? "customer_id" : "segment");
    return FU_OK;
}

/* One data row: checked and kept (a repeat with the same label is dropped). */
static int row(seg_read *s, size_t ci, size_t cs) {
    fu__csv *r = s->r;
    size_t nf = fu__csv_count(r), need = (ci > cs ? ci : cs) + 1;
    if (nf != fu__csv_header_count(r) && nf >= need) return fu__csv_check_width(r);
    if (nf < need) {
        size_t missing = ci >= nf && (cs < nf || ci < cs) ? ci : cs;
        return fu__error_set_at(FU_EPARSE, fu__csv_source(r), fu__csv_record_end_line(r),
                                fu__csv_record_end_column(r), fu__csv_header_name(r, missing),
                                "expected at least %zu cells, found %zu", need, nf);
    }
    size_t len, llen;
    const char *id = fu__csv_field(r, ci, &len), *label = fu__csv_field(r, cs, &llen);
    if (!len) return fu__csv_error_at(r, ci, FU_EPARSE, "empty (expected a customer id)");
    if (!llen) label = "none", llen = 4; /* no composite segment matched: the group "none" */
    uint32_t sym;
    int rc = fu__st_intern(&s->ids, id, len, &sym);
    if (rc) return rc;
    if (sym <= s->n) { /* the id is in an earlier row */
        const seg_row *w = &s->rows[sym - 1];
        if (strcmp(w->label, label) == 0) return FU_OK;
        char qi[FU_ERRTEXT_CELL_CAP], qw[FU_ERRTEXT_CELL_CAP], ql[FU_ERRTEXT_CELL_CAP]; /* quoted: masked (review s13) */
        return fu__csv_error_at(r, cs, FU_EPARSE,
                                "customer '%s' is in segment '%s' on line %lu and '%s' here (one label per customer)",
                                fu__errtext_cell(qi, sizeof qi, id, len), fu__errtext_cell_str(qw, sizeof qw, w->label),
                                w->line, fu__errtext_cell(ql, sizeof ql, label, llen));
    }
    if ((rc = FU_GROW(s->rows, s->cap, s->n + 1))) return rc;
    seg_row *w = &s->rows[s->n];
    w->label = fu__arena_strndup(&s->a, label, llen);
    if (!w->label) return fu__error_nomem();
    w->line = fu__csv_record_line(r);
    s->n++;
    return FU_OK;
}

static int give(fu_kpi *kpi, const seg_read *s) {
    const char **v = s->n ? fu__malloc(2 * s->n * sizeof *v) : NULL;
    if (s->n && !v) return fu__error_nomem();
    for (size_t i = 0; i < s->n; i++) v[i] = s->ids.str[i + 1], v[s->n + i] = s->rows[i].label;
    int rc = fu_kpi_set_segments(kpi, v, s->n ? v + s->n : NULL, s->n);
    fu__free((void *)v);
    return rc;
}

int fu_kpi_read_segments_csv(fu_kpi *kpi, const char *path) {
    if (!kpi || !path) return fu__error_set(FU_EINVAL, "fu_kpi_read_segments_csv: %s is NULL", !kpi ? "kpi" : "path");
    seg_read s;
    memset(&s, 0, sizeof s);
    size_t ci = 0, cs = 0;
    int rc = fu__csv_open_file(path, 0, 0, &s.r);
    if (!rc) rc = header(s.r, &ci, &cs);
    while (!rc && (rc = fu__csv_next(s.r)) > 0) rc = row(&s, ci, cs);
    if (!rc) rc = give(kpi, &s);
    fu__csv_close(s.r);
    fu__arena_free(&s.a);
    fu__st_free(&s.ids);
    fu__free(s.rows);
    return rc;
}
