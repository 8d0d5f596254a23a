/* followup kpi --segments FILE: the segment labels of --by segment from a CSV
 * with a header naming `customer_id` and `segment` columns (other columns are
 * ignored, so the CSV of `followup segment` serves as it is; docs/formats.md).
 * RFC 4180 quoting, LF or CRLF, an optional UTF-8 byte order mark. An empty
 * segment (no composite segment matched) is the group "none". The tool uses
 * the public API only, hence this small reader of its own. */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef struct seg_reader {
    const char *path;
    char *p, *end;       /* the unread text (parsed in place) */
    unsigned long line;  /* line of *p */
    const char *bol;     /* start of that line, for columns */
    char **cells;        /* the cells of the current record */
    unsigned long *cols; /* their columns (1-based, bytes) */
    size_t n, cap;
} seg_reader;

static int seg_fail(const seg_reader *r, unsigned long line, unsigned long col, const char *what) {
    if (col) fprintf(stderr, "followup: --segments: %s:%lu:%lu: %s\n", r->path, line, col, what);
    else fprintf(stderr, "followup: --segments: %s:%lu: %s\n", r->path, line, what);
    return CLI_INPUT;
}

static int no_memory(void) {
    fprintf(stderr, "followup: --segments: out of memory\n");
    return CLI_INTERNAL;
}

static int push_cell(seg_reader *r, char *cell, unsigned long col) {
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 16;
        char **c = realloc(r->cells, cap * sizeof *c);
        if (c) r->cells = c;
        unsigned long *k = c ? realloc(r->cols, cap * sizeof *k) : NULL;
        if (!k) return no_memory();
        r->cols = k;
        r->cap = cap;
    }
    r->cells[r->n] = cell;
    r->cols[r->n++] = col;
    return CLI_OK;
}

/* One record into r->cells (NUL-terminated in place); 1 at the end of the
 * text, 0 for a record, else an exit code (> 1). */
static int next_record(seg_reader *r) {
    r->n = 0;
    if (r->p >= r->end) return 1;
    for (;;) {
        char *s = r->p, *w = s;
        unsigned long col = (unsigned long)(s - r->bol) + 1, line = r->line;
        if (s < r->end && *s == '"') {
            for (s++;; s++) {
                if (s >= r->end) return seg_fail(r, line, col, "a quoted cell is not closed");
                if (*s == '"' && s + 1 < r->end && s[1] == '"') s++;
                else if (*s == '"') break;
                else if (*s == '\n') r->line++, r->bol = s + 1;
                *w++ = *s;
            }
            s++;
            if (s < r->end && *s != ',' && *s != '\n' && *s != '\r')
                return seg_fail(r, r->line, (unsigned long)(s - r->bol) + 1, "expected ',' or the end of the line after a closing quote");
        } else {
            while (s < r->end && *s != ',' && *s != '\n' && *s != '\r') *w++ = *s++;
        }
        char delim = s < r->end ? *s : '\n';
        if (delim == '\r' && (s + 1 >= r->end || s[1] != '\n'))
            return seg_fail(r, r->line, (unsigned long)(s - r->bol) + 1, "a carriage return without a line feed");
        *w = '\0';
        int rc = push_cell(r, r->p, col); /* the cell's text was moved to its start */
        if (rc) return rc;
        if (delim == ',') {
            r->p = s + 1;
            continue;
        }
        r->p = s + (delim == '\r' ? 2 : 1);
        r->line++;
        r->bol = r->p;
        return 0;
    }
}

static int find_column(const seg_reader *r, const char *name) {
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->cells[i], name) == 0) return (int)i;
    return -1;
}

static int read_file(const char *path, char **text, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "followup: --segments: %s: cannot read: %s\n", path, strerror(errno));
        return CLI_INPUT;
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap) break;
        char *b = realloc(buf, cap * 2);
        if (!b) free(buf);
        buf = b;
        cap *= 2;
    }
    int bad = buf && ferror(f);
    fclose(f);
    if (!buf) return no_memory();
    if (bad) {
        free(buf);
        fprintf(stderr, "followup: --segments: %s: read error\n", path);
        return CLI_INPUT;
    }
    *text = buf;
    *len = n;
    return CLI_OK;
}

/* Collect (id, label) pairs of the data rows; exit code. */
static int read_rows(seg_reader *r, int ci, int cs, char ***ids, const char ***labels, size_t *n) {
    size_t cap = 0;
    int rc;
    while ((rc = next_record(r)) == 0) {
        if (r->n == 1 && !r->cells[0][0]) continue; /* an empty line */
        unsigned long line = r->line - 1;
        if (r->n <= (size_t)(ci > cs ? ci : cs)) {
            char msg[96];
            snprintf(msg, sizeof msg, "expected at least %d cells, found %zu", (ci > cs ? ci : cs) + 1, r->n);
            return seg_fail(r, line, 0, msg);
        }
        if (!r->cells[ci][0]) return seg_fail(r, line, r->cols[ci], "customer_id: empty (expected a customer id)");
        if (*n == cap) {
            cap = cap ? 2 * cap : 256;
            char **a = realloc(*ids, cap * sizeof *a);
            if (a) *ids = a;
            const char **b = a ? realloc((void *)*labels, cap * sizeof *b) : NULL;
            if (!b) return no_memory();
            *labels = b;
        }
        (*ids)[*n] = r->cells[ci];
        (*labels)[(*n)++] = r->cells[cs][0] ? r->cells[cs] : "none";
    }
    return rc == 1 ? CLI_OK : rc;
}

int cli_kpi_read_segments(fu_kpi *k, const char *path) {
    char *text = NULL, **ids = NULL;
    const char **labels = NULL;
    size_t len = 0, n = 0;
    int rc = read_file(path, &text, &len);
    if (rc) return rc;
    seg_reader r = {path, text, text + len, 1, text, NULL, NULL, 0, 0};
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        r.p = text + 3;
        r.bol = r.p;
    }
    int ci = -1, cs = -1;
    rc = next_record(&r);
    if (rc == 1) rc = seg_fail(&r, 1, 0, "empty file (expected a header with customer_id and segment)");
    if (!rc && ((ci = find_column(&r, "customer_id")) < 0 || (cs = find_column(&r, "segment")) < 0))
        rc = seg_fail(&r, 1, 0, "expected a header with `customer_id` and `segment` columns (the CSV of followup segment)");
    if (!rc) rc = read_rows(&r, ci, cs, &ids, &labels, &n);
    if (!rc && fu_kpi_set_segments(k, (const char *const *)ids, labels, n)) {
        cli_error("--segments");
        rc = CLI_INTERNAL;
    }
    free(ids);
    free((void *)labels);
    free(r.cells);
    free(r.cols);
    free(text);
    return rc;
}
