/* Shared helpers of the followup tool: errors and table output. */
#include "cli.h"

/* The library's CSV cell writer and all-or-nothing file replacement, so that
 * the tool writes CSV exactly as the library does (docs/formats.md). */
#include "../../lib/csv_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void cli_error(const char *context) {
    char msg[2048];
    fu_error_format(msg, sizeof msg);
    if (context && *context)
        fprintf(stderr, "followup: %s: %s\n", context, msg);
    else
        fprintf(stderr, "followup: %s\n", msg);
}

int cli_exit_code(int rc) {
    switch (rc) {
    case FU_OK: return CLI_OK;
    case FU_ENOMEM:
    case FU_ERROR: return CLI_INTERNAL;
    case FU_EINVAL: return CLI_USAGE;
    default: return CLI_INPUT;
    }
}

int cli_is_help(const char *arg) { return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0; }

int cli_format_parse(const char *text, cli_format *out) {
    if (strcmp(text, "table") == 0) *out = CLI_FORMAT_TABLE;
    else if (strcmp(text, "csv") == 0) *out = CLI_FORMAT_CSV;
    else if (strcmp(text, "json") == 0) *out = CLI_FORMAT_JSON;
    else return -1;
    return 0;
}

struct cli_table {
    size_t ncols, nrows, cap;
    char **headers;
    char **cells; /* nrows * ncols */
};

static char *dup_str(const char *s) {
    size_t n = strlen(s ? s : "");
    char *d = malloc(n + 1);
    if (d) memcpy(d, s ? s : "", n + 1);
    return d;
}

cli_table *cli_table_new(size_t ncols, const char *const *headers) {
    cli_table *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->ncols = ncols;
    t->headers = calloc(ncols, sizeof(char *));
    if (!t->headers) {
        free(t);
        return NULL;
    }
    for (size_t i = 0; i < ncols; i++)
        if (!(t->headers[i] = dup_str(headers[i]))) {
            cli_table_free(t);
            return NULL;
        }
    return t;
}

int cli_table_add(cli_table *t, const char *const *cells) {
    if (t->nrows == t->cap) {
        size_t ncap = t->cap ? t->cap * 2 : 64;
        char **n = realloc(t->cells, ncap * t->ncols * sizeof(char *));
        if (!n) return -1;
        t->cells = n;
        t->cap = ncap;
    }
    char **row = t->cells + t->nrows * t->ncols;
    for (size_t i = 0; i < t->ncols; i++) {
        row[i] = dup_str(cells[i]);
        if (!row[i]) {
            while (i--) free(row[i]);
            return -1;
        }
    }
    t->nrows++;
    return 0;
}

size_t cli_table_rows(const cli_table *t) { return t->nrows; }

int cli_csv_raw = 0;

/* One CSV record through the library's cell writer: text cells are
 * neutralised against spreadsheet formulas unless --csv-raw (plain numbers,
 * negative ones included, are never touched). */
static int write_csv_record(FILE *out, char *const *cells, size_t n) {
    fu__buf b = FU__BUF_INIT;
    int rc = FU_OK;
    for (size_t c = 0; c < n && rc == FU_OK; c++) rc = fu__csv_putf(&b, c == 0, cells[c], cli_csv_raw ? FU__CSV_RAW : 0u);
    if (rc == FU_OK) rc = fu__csv_end(&b);
    if (rc == FU_OK && fwrite(b.data, 1, b.len, out) != b.len) rc = FU_EIO;
    fu__buf_free(&b);
    return rc;
}

int cli_out_open(cli_out *o, const char *path, const char *prog) {
    memset(o, 0, sizeof *o);
    o->f = stdout;
    if (!path) return CLI_OK;
    o->file = malloc(sizeof *o->file);
    if (!o->file) {
        fprintf(stderr, "%s: out of memory\n", prog);
        return CLI_INTERNAL;
    }
    int rc = fu__outfile_open(o->file, path);
    if (rc) {
        free(o->file);
        o->file = NULL;
        cli_error(prog + (strncmp(prog, "followup ", 9) == 0 ? 9 : 0));
        return cli_exit_code(rc) == CLI_INTERNAL ? CLI_INTERNAL : CLI_INPUT;
    }
    o->f = o->file->f;
    return CLI_OK;
}

int cli_out_close(cli_out *o, int ok, const char *prog) {
    int e = errno, code = CLI_OK;
    if (!o->file) {
        if (fflush(stdout) != 0 || ferror(stdout)) {
            fprintf(stderr, "%s: cannot write to standard output: %s\n", prog, strerror(errno ? errno : e));
            code = CLI_INPUT;
        }
        return code;
    }
    if (ferror(o->f)) {
        fprintf(stderr, "%s: cannot write %s: %s\n", prog, o->file->path, strerror(e ? e : EIO));
        fu__outfile_abort(o->file); /* an existing file stays as it was */
        code = CLI_INPUT;
    } else if (!ok) {
        fu__outfile_abort(o->file);
    } else {
        int rc = fu__outfile_commit(o->file);
        if (rc) {
            cli_error(prog + (strncmp(prog, "followup ", 9) == 0 ? 9 : 0));
            code = cli_exit_code(rc) == CLI_INTERNAL ? CLI_INTERNAL : CLI_INPUT;
        }
    }
    free(o->file);
    memset(o, 0, sizeof *o);
    return code;
}

static void write_json_string(FILE *out, const char *s) {
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", out); break;
        case '\\': fputs("\\\\", out); break;
        case '\n': fputs("\\n", out); break;
        case '\r': fputs("\\r", out); break;
        case '\t': fputs("\\t", out); break;
        default:
            if (*p < 0x20) fprintf(out, "\\u%04x", *p);
            else fputc(*p, out);
        }
    }
    fputc('"', out);
}

/* Display width of UTF-8 text: CJK characters take two columns. */
static size_t text_width(const char *s) {
    size_t w = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned cp;
        int n;
        if (*p < 0x80) { cp = *p; n = 1; }
        else if ((*p & 0xE0) == 0xC0) { cp = *p & 0x1F; n = 2; }
        else if ((*p & 0xF0) == 0xE0) { cp = *p & 0x0F; n = 3; }
        else { cp = *p & 0x07; n = 4; }
        for (int i = 1; i < n; i++) {
            if ((p[i] & 0xC0) != 0x80) { n = i; break; }
            cp = (cp << 6) | (p[i] & 0x3F);
        }
        p += n;
        w += (cp >= 0x1100 && (cp <= 0x115F || (cp >= 0x2E80 && cp <= 0xA4CF) ||
                               (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
                               (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
                               (cp >= 0xFFE0 && cp <= 0xFFE6)))
                 ? 2 : 1;
    }
    return w;
}

int cli_table_write(const cli_table *t, cli_format fmt, FILE *out, size_t max_rows) {
    size_t rows = t->nrows;
    if (max_rows && rows > max_rows) rows = max_rows;
    if (fmt == CLI_FORMAT_CSV) {
        if (write_csv_record(out, t->headers, t->ncols)) return -1;
        for (size_t r = 0; r < rows; r++)
            if (write_csv_record(out, t->cells + r * t->ncols, t->ncols)) return -1;
    } else if (fmt == CLI_FORMAT_JSON) {
        fputs("[", out);
        for (size_t r = 0; r < rows; r++) {
            fputs(r ? ",\n {" : "\n {", out);
            for (size_t c = 0; c < t->ncols; c++) {
                if (c) fputs(", ", out);
                write_json_string(out, t->headers[c]);
                fputs(": ", out);
                write_json_string(out, t->cells[r * t->ncols + c]);
            }
            fputc('}', out);
        }
        fputs(rows ? "\n]\n" : "]\n", out);
    } else {
        size_t *w = calloc(t->ncols, sizeof *w);
        if (!w) return -1;
        for (size_t c = 0; c < t->ncols; c++) w[c] = text_width(t->headers[c]);
        for (size_t r = 0; r < rows; r++)
            for (size_t c = 0; c < t->ncols; c++) {
                size_t x = text_width(t->cells[r * t->ncols + c]);
                if (x > w[c]) w[c] = x;
            }
        for (size_t c = 0; c < t->ncols; c++)
            fprintf(out, "%s%s%*s", c ? "  " : "", t->headers[c],
                    c + 1 < t->ncols ? (int)(w[c] - text_width(t->headers[c])) : 0, "");
        fputc('\n', out);
        for (size_t c = 0; c < t->ncols; c++) {
            if (c) fputs("  ", out);
            for (size_t i = 0; i < w[c]; i++) fputc('-', out);
        }
        fputc('\n', out);
        for (size_t r = 0; r < rows; r++) {
            for (size_t c = 0; c < t->ncols; c++) {
                const char *s = t->cells[r * t->ncols + c];
                fprintf(out, "%s%s%*s", c ? "  " : "", s,
                        c + 1 < t->ncols ? (int)(w[c] - text_width(s)) : 0, "");
            }
            fputc('\n', out);
        }
        free(w);
    }
    return ferror(out) ? -1 : 0;
}

void cli_table_free(cli_table *t) {
    if (!t) return;
    for (size_t i = 0; i < t->nrows * t->ncols; i++) free(t->cells[i]);
    free(t->cells);
    if (t->headers)
        for (size_t i = 0; i < t->ncols; i++) free(t->headers[i]);
    free(t->headers);
    free(t);
}
