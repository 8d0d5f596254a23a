/* Shared helpers of the followup tool: errors and table output. */
#include "cli.h"

#include "json.h"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <errno.h>
#include <limits.h>
#include <libgen.h>
#include <sys/stat.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The value of a command-line option parsed alone (a time, a duration) gets
 * the pseudo-source "<time>", line 1 and the column inside the value: no
 * file position, so "--now: <time>:1:20: ..." would read as two columns
 * (review s11 L4). Written as "--now: <message> (character 20 of the
 * value)" instead; files keep file:line:col. */
static void option_value_error(char *buf, size_t size) {
    const fu_error *e = fu_error_last();
    if (e->column > 1 && !strstr(e->message, "of the value)") && !strstr(e->message, "column"))
        snprintf(buf, size, "%s%s%s (character %lu of the value)", e->path[0] ? e->path : "", e->path[0] ? ": " : "",
                 e->message, e->column);
    else
        snprintf(buf, size, "%s%s%s", e->path[0] ? e->path : "", e->path[0] ? ": " : "", e->message);
}

void cli_error(const char *context) {
    char buf[2048];
    const fu_error *e = fu_error_last();
    if (context && strstr(context, "--") && e->source && e->source[0] == '<' && e->line <= 1)
        option_value_error(buf, sizeof buf);
    else
        fu_error_format(buf, sizeof buf);
    /* a leading C name ("fu_planner_simulate: ", "fu_kpi_options: ") means
     * nothing on the command line: the context names the step */
    const char *msg = buf;
    if (strncmp(msg, "fu_", 3) == 0) {
        size_t n = strspn(msg, "abcdefghijklmnopqrstuvwxyz_0123456789");
        if (strncmp(msg + n, "(): ", 4) == 0) msg += n + 4;
        else if (strncmp(msg + n, ": ", 2) == 0) msg += n + 2;
    }
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

int cli_given(int argc, char **argv, int first, const char *name) {
    for (int i = first; i < argc; i++)
        if (strcmp(argv[i], name) == 0) return 1;
    return 0;
}

int cli_is_help(const char *arg) { return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0; }

int cli_parse_uint(const char *s, unsigned int *out) {
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (!*s || *end || v > 100000000ul || s[0] == '-') return -1;
    *out = (unsigned int)v;
    return 0;
}

int cli_text_option(const char *prog, const char *opt, const char *value) {
    size_t ok = value ? cli_utf8_valid_prefix(value) : 0;
    if (!value || !value[ok]) return CLI_OK;
    /* the value is not echoed: --text, --customer and the like carry personal data */
    return cli_usage("%s: %s: the value is not valid UTF-8 (byte %zu)\n", prog, opt, ok + 1);
}

int cli_usage(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    return CLI_USAGE;
}

int cli_parse_ull(const char *prog, const char *opt, const char *value, unsigned long long lo,
                  unsigned long long hi, unsigned long long *out) {
    char *end = NULL;
    unsigned long long v = strtoull(value, &end, 10);
    if (*value == '\0' || *end != '\0' || v < lo || v > hi) {
        fprintf(stderr, "%s: %s: bad number '%s'\n", prog, opt, value);
        return 1;
    }
    *out = v;
    return 0;
}

int cli_policy_load(const char *path, fu_policy **out) {
    int rc = path ? fu_policy_load_file(out, path, NULL) : fu_policy_default(out);
    if (rc != FU_OK) cli_error("policy");
    return rc;
}

int cli_book_read(fu_book **out, const fu_book_options *opts, const char *customers, const char *events,
                  int finalize) {
    int rc = fu_book_new(out, opts);
    if (rc == FU_OK && customers) rc = fu_book_read_customers_csv(*out, customers);
    if (rc == FU_OK && events) rc = fu_book_read_events_csv(*out, events);
    if (rc == FU_OK && finalize) rc = fu_book_finalize(*out);
    return rc;
}

static const cli_option *find_option(const cli_option *opts, size_t n, const char *name) {
    for (size_t k = 0; k < n; k++)
        if (opts[k].name && strcmp(opts[k].name, name) == 0) return &opts[k];
    return NULL;
}

/* Whether `name` is one of `accepted` (NULL: every option applies). */
static int accepted_has(const char *const *accepted, const char *name) {
    if (!accepted) return 1;
    for (; *accepted; accepted++)
        if (strcmp(*accepted, name) == 0) return 1;
    return 0;
}

/* "PROG: <what> (SUB takes --a, --b, ...; see --help)": what a command
 * takes, so that a refused option says what to give instead. */
static int refuse(const char *prog, const char *what, const cli_option *opts, size_t n,
                  const char *const *accepted) {
    const char *sub = strncmp(prog, "followup ", 9) == 0 ? prog + 9 : prog;
    fprintf(stderr, "%s: %s (%s takes", prog, what, sub);
    int any = 0;
    for (size_t k = 0; k < n; k++)
        if (opts[k].name && !strchr(opts[k].name, ' ') && accepted_has(accepted, opts[k].name)) { /* not "-h, --help" */
            fprintf(stderr, "%s %s", any ? "," : "", opts[k].name);
            any = 1;
        }
    fprintf(stderr, "%s; see --help)\n", any ? "" : " no option");
    return CLI_USAGE;
}

int cli_parse_options_for(const char *prog, const cli_option *opts, size_t n, const char *const *accepted, int argc,
                          char **argv, int first, void *args, const char **positional, size_t max_positional,
                          size_t *npositional) {
    size_t np = 0;
    char what[256];
    const char *given[128] = {NULL}; /* each option's first value, by table index */
    for (int i = first; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || a[1] == '\0') { /* "-" alone is a value (standard input) */
            if (np >= max_positional)
                return cli_usage("%s: unexpected argument '%s' (see --help)\n", prog, a);
            positional[np++] = a;
            continue;
        }
        const cli_option *o = find_option(opts, n, a);
        if (!o || !accepted_has(accepted, a)) { /* before its value: the option is what is wrong */
            snprintf(what, sizeof what, o ? "%.64s does not apply here" : "unknown option '%.64s'", a);
            return refuse(prog, what, opts, n, accepted);
        }
        const char *v = "1";
        if (o->arg) {
            if (i + 1 >= argc)
                return cli_usage("%s: %s needs a value\n", prog, a);
            v = argv[++i];
        }
        size_t k = (size_t)(o - opts);
        int repeatable = o->help && strstr(o->help, "repeat") != NULL; /* as its help says */
        if (!repeatable && k < 128 && given[k]) {
            /* the values are not echoed: --text, --customer and the like carry personal data */
            return cli_usage("%s: %s given twice; give it once\n", prog, a);
        }
        if (k < 128) given[k] = v;
        if (o->each) {
            if (o->each(v, args)) return CLI_USAGE;
        } else if (o->offset != CLI_NO_SLOT) {
            memcpy((char *)args + o->offset, &v, sizeof v);
        }
    }
    if (npositional) *npositional = np;
    return CLI_OK;
}

int cli_parse_options(const char *prog, const cli_option *opts, size_t n, int argc, char **argv, int first,
                      void *args, const char **positional, size_t max_positional, size_t *npositional) {
    return cli_parse_options_for(prog, opts, n, NULL, argc, argv, first, args, positional, max_positional,
                                 npositional);
}

void cli_print_options(FILE *out, const cli_option *opts, size_t n, int width) {
    for (size_t k = 0; k < n; k++) {
        const cli_option *o = &opts[k];
        if (!o->help) continue; /* documented with another entry */
        if (!o->name) {             /* a heading ("model:") */
            fprintf(out, "%s\n", o->help);
            continue;
        }
        int used = fprintf(out, "  %s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "") - 2;
        /* a name longer than the column is followed by two spaces, one exactly as long by one */
        fprintf(out, "%*s", used < width ? width - used : used == width ? 1 : 2, "");
        for (const char *h = o->help; *h;) {
            const char *nl = strchr(h, '\n');
            size_t len = nl ? (size_t)(nl - h) : strlen(h);
            fprintf(out, "%.*s\n", (int)len, h);
            if (!nl) break;
            h = nl + 1;
            fprintf(out, "%*s", width + 2, "");
        }
    }
}

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
    char *types;      /* JSON type letter per column (json.h), NULL: all strings */
    size_t max_width; /* table format: total display width limit, 0 = none */
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

int cli_table_set_types(cli_table *t, const char *types) {
    if (!t) return -1;
    if (strlen(types) != t->ncols) return -1;
    char *d = dup_str(types);
    if (!d) return -1;
    free(t->types);
    t->types = d;
    return 0;
}

void cli_table_set_max_width(cli_table *t, size_t width) {
    if (t) t->max_width = width;
}

int cli_csv_raw = 0;

/* One CSV record through the library's cell writer (followup/output.h), so
 * that the tool writes CSV exactly as the library does: text cells are
 * neutralised against spreadsheet formulas unless --csv-raw (plain numbers,
 * negative ones included, are never touched). */
static int write_csv_record(FILE *out, char *const *cells, size_t n) {
    char *rec = NULL;
    size_t len = 0;
    int rc = fu_csv_format_record((const char *const *)cells, n, cli_csv_raw ? FU_CSV_RAW : 0u, &len, &rec);
    if (rc == FU_OK && fwrite(rec, 1, len, out) != len) rc = FU_EIO;
    fu_free(rec);
    return rc;
}

/* The file a path names: its device and inode through symlinks (stat), or
 * for a file that does not exist yet its directory's device and inode and
 * its base name. 0, or -1 when neither can be found or the path names
 * something other than a regular file (/dev/null, a terminal, a FIFO: written
 * in place, nothing there is overwritten by the output's rename). */
typedef struct file_id {
    dev_t dev;
    ino_t ino;
    int exists;
    char base[256];
} file_id;

static int file_id_of(const char *path, file_id *id) {
    struct stat st;
    memset(id, 0, sizeof *id);
    if (stat(path, &st) == 0) {
        if (!S_ISREG(st.st_mode)) return -1;
        id->dev = st.st_dev, id->ino = st.st_ino, id->exists = 1;
        return 0;
    }
    char dir[PATH_MAX], base[PATH_MAX];
    if (strlen(path) >= sizeof dir) return -1;
    strcpy(dir, path);
    strcpy(base, path);
    const char *b = basename(base);
    if (strlen(b) >= sizeof id->base || stat(dirname(dir), &st) != 0) return -1;
    strcpy(id->base, b);
    id->dev = st.st_dev, id->ino = st.st_ino;
    return 0;
}

static int same_file(const file_id *a, const file_id *b) {
    return a->exists == b->exists && a->dev == b->dev && a->ino == b->ino && strcmp(a->base, b->base) == 0;
}

int cli_check_outputs(const char *prog, const cli_path *outputs, size_t nout, const cli_path *inputs, size_t nin) {
    for (size_t i = 0; i < nout; i++) {
        file_id o, x;
        if (!outputs[i].path || file_id_of(outputs[i].path, &o)) continue;
        for (size_t j = 0; j < nin && o.exists; j++)
            if (inputs[j].path && !file_id_of(inputs[j].path, &x) && x.exists && same_file(&o, &x))
                return cli_usage("%s: %s %s is the %s input %s (the same file): it would be overwritten\n", prog,
                                 outputs[i].option, outputs[i].path, inputs[j].option, inputs[j].path);
        for (size_t k = 0; k < i; k++)
            if (outputs[k].path && !file_id_of(outputs[k].path, &x) && same_file(&o, &x))
                return cli_usage("%s: %s %s and %s %s are the same file: one would overwrite the other\n", prog,
                                 outputs[k].option, outputs[k].path, outputs[i].option, outputs[i].path);
    }
    return CLI_OK;
}

int cli_out_open(cli_out *o, const char *path, const char *prog) {
    memset(o, 0, sizeof *o);
    o->f = stdout;
    if (!path) return CLI_OK;
    int rc = fu_outfile_open(&o->file, path);
    if (rc) {
        o->file = NULL;
        cli_error(prog + (strncmp(prog, "followup ", 9) == 0 ? 9 : 0));
        return cli_exit_code(rc) == CLI_INTERNAL ? CLI_INTERNAL : CLI_INPUT;
    }
    o->f = fu_outfile_stream(o->file);
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
        fprintf(stderr, "%s: cannot write %s: %s\n", prog, fu_outfile_path(o->file), strerror(e ? e : EIO));
        fu_outfile_abort(o->file); /* an existing file stays as it was */
        code = CLI_INPUT;
    } else if (!ok) {
        fu_outfile_abort(o->file);
    } else {
        int rc = fu_outfile_commit(o->file);
        if (rc) {
            cli_error(prog + (strncmp(prog, "followup ", 9) == 0 ? 9 : 0));
            code = cli_exit_code(rc) == CLI_INTERNAL ? CLI_INTERNAL : CLI_INPUT;
        }
    }
    memset(o, 0, sizeof *o);
    return code;
}

/* Display width of one code point from ICU's East Asian Width property:
 * wide and fullwidth characters (CJK) take two columns, combining marks and
 * format characters none, everything else one. */
static size_t cp_width(UChar32 cp) {
    if (cp < 0) return 1; /* an invalid byte shows as one replacement glyph */
    int ea = u_getIntPropertyValue(cp, UCHAR_EAST_ASIAN_WIDTH);
    if (ea == U_EA_WIDE || ea == U_EA_FULLWIDTH) return 2;
    int gc = u_charType(cp);
    if (gc == U_NON_SPACING_MARK || gc == U_ENCLOSING_MARK || gc == U_FORMAT_CHAR) return 0;
    return 1;
}

/* Display width of UTF-8 text. */
size_t cli_text_width(const char *s) {
    size_t w = 0;
    int32_t i = 0, n = (int32_t)strlen(s);
    while (i < n) {
        UChar32 cp;
        U8_NEXT((const uint8_t *)s, i, n, cp);
        w += cp_width(cp);
    }
    return w;
}
#define text_width cli_text_width

/* A copy of s cut to at most `width` columns, ending in an ellipsis when cut. */
static char *truncate_text(const char *s, size_t width) {
    if (text_width(s) <= width) return dup_str(s);
    int32_t i = 0, n = (int32_t)strlen(s), keep = 0;
    size_t w = 0;
    while (i < n) {
        UChar32 cp;
        int32_t j = i;
        U8_NEXT((const uint8_t *)s, j, n, cp);
        if (w + cp_width(cp) + 1 > width) break;
        w += cp_width(cp);
        i = keep = j;
    }
    char *d = malloc((size_t)keep + 4);
    if (!d) return NULL;
    memcpy(d, s, (size_t)keep);
    memcpy(d + keep, "\xe2\x80\xa6", 4); /* U+2026 and the NUL */
    return d;
}

static char *visible_text(const char *s);

/* True when column c's JSON cells are written as strings (cli_json_string). */
static int json_text_column(const cli_table *t, size_t c) {
    int type = t->types ? t->types[c] : CLI_JSON_STRING;
    return type != CLI_JSON_NUMBER && type != CLI_JSON_BOOL;
}

/* Every text of the JSON document checked before a byte of it is written:
 * text that is not valid UTF-8 cannot be written as JSON (docs/cli.md), and
 * half a document on standard output would look like a result to a pipe.
 * 0, or -1 after "followup: row R, column C: ..." on stderr. */
static int json_check_rows(const cli_table *t, size_t rows) {
    for (size_t c = 0; c < t->ncols; c++)
        if (t->headers[c][cli_utf8_valid_prefix(t->headers[c])] != '\0') {
            fprintf(stderr, "followup: column %zu: name is not valid UTF-8; JSON not written\n", c + 1);
            return -1;
        }
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < t->ncols; c++) {
            const char *cell = t->cells[r * t->ncols + c];
            size_t ok = cell ? cli_utf8_valid_prefix(cell) : 0;
            if (!cell || !json_text_column(t, c) || cell[ok] == '\0') continue;
            char *name = visible_text(t->headers[c]);
            fprintf(stderr, "followup: row %zu, column %s: text is not valid UTF-8 (byte %zu); JSON not written\n",
                    r + 1, name ? name : "?", ok + 1);
            free(name);
            return -1;
        }
    return 0;
}

static int write_json_rows(const cli_table *t, FILE *out, size_t rows) {
    fputs("[", out);
    for (size_t r = 0; r < rows; r++) {
        fputs(r ? ",\n {" : "\n {", out);
        for (size_t c = 0; c < t->ncols; c++) {
            if (c) fputs(", ", out);
            const char *cell = t->cells[r * t->ncols + c];
            if (cli_json_string(out, t->headers[c]) || (fputs(": ", out), 0) ||
                cli_json_value(out, t->types ? t->types[c] : CLI_JSON_STRING, cell))
                return -1; /* not reached: json_check_rows() came first */
        }
        fputc('}', out);
    }
    fputs(rows ? "\n]\n" : "]\n", out);
    return 0;
}

char *cli_visible(const char *s, int keep_newlines) {
    size_t n = strlen(s);
    char *d = malloc(n * 6 + 1), *o = d;
    if (!d) return NULL;
    int32_t i = 0, len = (int32_t)n;
    while (i < len) {
        int32_t j = i;
        UChar32 cp;
        U8_NEXT((const uint8_t *)s, j, len, cp);
        if (cp == '\n' && keep_newlines) {
            *o++ = '\n';
        } else if (cp == '\n' || cp == '\t' || cp == '\r') {
            *o++ = '\\';
            *o++ = cp == '\n' ? 'n' : cp == '\t' ? 't' : 'r';
        } else if (cp < 0) {
            for (int32_t k = i; k < j; k++) o += sprintf(o, "\\x%02X", (unsigned char)s[k]);
        } else if (cp < 0x20 || cp == 0x7F) {
            o += sprintf(o, "\\x%02X", (unsigned)cp);
        } else if (cp >= 0x80 && cp <= 0x9F) {
            o += sprintf(o, "\\u%04X", (unsigned)cp);
        } else {
            memcpy(o, s + i, (size_t)(j - i));
            o += j - i;
        }
        i = j;
    }
    *o = '\0';
    return d;
}

static char *visible_text(const char *s) { return cli_visible(s, 0); }

const char *cli_shown(const char *s) {
    static char *slot[4];
    static unsigned next;
    unsigned k = next++ % 4;
    free(slot[k]);
    slot[k] = cli_visible(s ? s : "", 0);
    return slot[k] ? slot[k] : "?";
}

/* The table format's cells (headers first) made visible; NULL when out of
 * memory. */
static char **visible_cells(const cli_table *t, size_t rows) {
    size_t n = (rows + 1) * t->ncols;
    char **v = calloc(n, sizeof *v);
    if (!v) return NULL;
    for (size_t i = 0; i < n; i++)
        if (!(v[i] = visible_text(i < t->ncols ? t->headers[i] : t->cells[i - t->ncols]))) {
            for (size_t k = 0; k < i; k++) free(v[k]);
            free(v);
            return NULL;
        }
    return v;
}

/* Column widths for the table format; with a width limit the widest
 * columns are narrowed (cells cut with an ellipsis) until the row fits. */
static void fit_widths(const cli_table *t, char *const *v, size_t *w, size_t rows) {
    for (size_t c = 0; c < t->ncols; c++) w[c] = text_width(v[c]);
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < t->ncols; c++) {
            size_t x = text_width(v[(r + 1) * t->ncols + c]);
            if (x > w[c]) w[c] = x;
        }
    if (!t->max_width) return;
    for (;;) {
        size_t total = 2 * (t->ncols - 1), widest = 0;
        for (size_t c = 0; c < t->ncols; c++) {
            total += w[c];
            if (w[c] > w[widest]) widest = c;
        }
        if (total <= t->max_width || w[widest] <= 6) return;
        w[widest]--;
    }
}

/* One row of the table format; -1 when out of memory. */
static int write_text_row(FILE *out, char *const *cells, const size_t *w, size_t ncols) {
    for (size_t c = 0; c < ncols; c++) {
        char *s = truncate_text(cells[c], w[c]);
        if (!s) return -1;
        fprintf(out, "%s%s%*s", c ? "  " : "", s, c + 1 < ncols ? (int)(w[c] - text_width(s)) : 0, "");
        free(s);
    }
    fputc('\n', out);
    return 0;
}

int cli_table_check(const cli_table *t, cli_format fmt) {
    return fmt == CLI_FORMAT_JSON && json_check_rows(t, t->nrows) ? CLI_INPUT : CLI_OK;
}

int cli_table_write(const cli_table *t, cli_format fmt, FILE *out, size_t max_rows) {
    size_t rows = t->nrows;
    if (max_rows && rows > max_rows) rows = max_rows;
    if (fmt == CLI_FORMAT_CSV) {
        if (write_csv_record(out, t->headers, t->ncols)) return CLI_INTERNAL;
        for (size_t r = 0; r < rows; r++)
            if (write_csv_record(out, t->cells + r * t->ncols, t->ncols)) return CLI_INTERNAL;
    } else if (fmt == CLI_FORMAT_JSON) {
        if (json_check_rows(t, rows)) return CLI_INPUT;
        if (write_json_rows(t, out, rows)) return CLI_INTERNAL;
    } else {
        size_t *w = calloc(t->ncols, sizeof *w);
        char **v = w ? visible_cells(t, rows) : NULL;
        if (!v) {
            free(w);
            return CLI_INTERNAL;
        }
        fit_widths(t, v, w, rows);
        int rc = write_text_row(out, v, w, t->ncols);
        for (size_t c = 0; c < t->ncols; c++) {
            if (c) fputs("  ", out);
            for (size_t i = 0; i < w[c]; i++) fputc('-', out);
        }
        fputc('\n', out);
        for (size_t r = 0; r < rows && rc == 0; r++) rc = write_text_row(out, v + (r + 1) * t->ncols, w, t->ncols);
        for (size_t i = 0; i < (rows + 1) * t->ncols; i++) free(v[i]);
        free(v);
        free(w);
        if (rc) return CLI_INTERNAL;
    }
    return ferror(out) ? CLI_INTERNAL : CLI_OK;
}

void cli_table_free(cli_table *t) {
    if (!t) return;
    for (size_t i = 0; i < t->nrows * t->ncols; i++) free(t->cells[i]);
    free(t->cells);
    if (t->headers)
        for (size_t i = 0; i < t->ncols; i++) free(t->headers[i]);
    free(t->headers);
    free(t->types);
    free(t);
}

int cli_progress_enabled(void) { return isatty(fileno(stderr)); }

/* Events long before the rest of the history: an after-sales history spans a
 * few product lifetimes (a decade or two), so an event more than
 * CLI_EARLY_YEARS before the first percentile of the event times is almost
 * certainly a null placeholder (0001-01-01, 1900-01-01, 1970-01-01) rather
 * than a real contact or purchase. The library keeps such events (year 1 is a
 * valid time); the tool says so on standard error. Years are counted as
 * mean Gregorian years (31,556,952 s) from the epoch, in buckets. */
#define CLI_YEAR_S 31556952LL

/* YYYY-MM-DD of a UTC time (days to civil date, proleptic Gregorian). */
static void utc_date(int64_t t, char *buf, size_t size) {
    int64_t z = t / 86400 - (t % 86400 < 0) + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9, y = yoe + era * 400 + (m <= 2);
    snprintf(buf, size, "%04lld-%02lld-%02lld", (long long)y, (long long)m, (long long)d);
}

enum { EARLY_LO = -2000, EARLY_HI = 8100 }; /* years 0001..9999 relative to 1970 */
typedef struct early {
    size_t hist[EARLY_HI - EARLY_LO]; /* events per year */
    int64_t min[EARLY_HI - EARLY_LO]; /* the earliest time of each year */
    int64_t max[EARLY_HI - EARLY_LO]; /* the latest time of each year */
    int64_t worst, last;              /* the earliest and the latest time of all */
    size_t worst_i, last_i;           /* their first events */
} early;

/* One pass over the event times, read in chunks through fu_book_event_times
 * (no decoded copy of the events): the events per year, each year's
 * earliest and latest time and the earliest and latest of all. 0, or -1
 * when the times cannot be read. */
static int early_scan(const fu_book *book, size_t n, early *e) {
    int64_t t[4096];
    for (size_t first = 0; first < n; first += 4096) {
        size_t m = n - first < 4096 ? n - first : 4096;
        if (fu_book_event_times(book, first, m, t)) return -1;
        for (size_t k = 0; k < m; k++) {
            int64_t y = t[k] / CLI_YEAR_S - (t[k] % CLI_YEAR_S < 0);
            size_t b = (size_t)(y < EARLY_LO ? 0 : y >= EARLY_HI ? EARLY_HI - EARLY_LO - 1 : y - EARLY_LO);
            if (!e->hist[b]++ || t[k] < e->min[b]) e->min[b] = t[k];
            if (e->hist[b] == 1 || t[k] > e->max[b]) e->max[b] = t[k];
            if ((first == 0 && k == 0) || t[k] < e->worst) e->worst = t[k], e->worst_i = first + k;
            if ((first == 0 && k == 0) || t[k] > e->last) e->last = t[k], e->last_i = first + k;
        }
    }
    return 0;
}

/* The id of the customer of event i (the last offset <= i), or "?". */
static const char *event_customer(const fu_book *book, size_t i) {
    const size_t *off = fu_book_event_offsets(book);
    size_t nc = fu_book_customer_count(book), lo = 0, hi = nc;
    while (off && hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (off[mid] <= i) lo = mid; else hi = mid;
    }
    const fu_customer *c = off && nc ? fu_book_customer(book, lo) : NULL;
    return c && c->id ? c->id : "?";
}

enum { NYEARS = EARLY_HI - EARLY_LO };

/* The warning of one side: count events, the extreme one at t (event i). */
static void placeholder_warning(const fu_book *book, const char *prog, size_t count, int late, int64_t t, size_t i) {
    char when[64];
    utc_date(t, when, sizeof when);
    fprintf(stderr, "%s: warning: %zu event(s) more than %d years %s of the history (%s: customer %s, %s); a %s?\n",
            prog, count, CLI_EARLY_YEARS, late ? "after the 99th percentile" : "before the first percentile",
            late ? "latest" : "earliest", cli_shown(event_customer(book, i)), when,
            late ? "placeholder date" : "null placeholder date");
}

/* The early side: events in the years before CLI_EARLY_YEARS years before
 * the first percentile's year (the start of year kc). Before the first
 * year counted (kc <= 0) there is nothing: the book's times are in years
 * 1..9999. */
static size_t early_side(const fu_book *book, const early *e, size_t n, const char *prog, int64_t *first_regular) {
    size_t acc = 0, k = 0;
    for (; k < (size_t)NYEARS && (acc += e->hist[k]) * 100 < n; k++) {}
    if (k <= CLI_EARLY_YEARS) return 0;
    size_t kc = k - CLI_EARLY_YEARS, early_n = 0;
    int64_t first = INT64_MAX;
    for (size_t b = 0; b < kc; b++) early_n += e->hist[b];
    for (size_t b = kc; b < (size_t)NYEARS; b++)
        if (e->hist[b] && e->min[b] < first) first = e->min[b];
    if (!early_n) return 0;
    *first_regular = first;
    placeholder_warning(book, prog, early_n, 0, e->worst, e->worst_i);
    return early_n;
}

/* The late side, symmetric: events in the years after CLI_EARLY_YEARS
 * years after the 99th percentile's year (9999-12-31 as an "open end"). */
static size_t late_side(const fu_book *book, const early *e, size_t n, const char *prog, int64_t *last_regular) {
    size_t acc = 0, k = NYEARS;
    while (k > 0 && (acc += e->hist[k - 1]) * 100 < n) k--;
    if (k == 0 || k - 1 + CLI_EARLY_YEARS + 1 >= (size_t)NYEARS) return 0;
    size_t kc = k - 1 + CLI_EARLY_YEARS + 1, late_n = 0; /* the first late year */
    int64_t last = INT64_MIN;
    for (size_t b = kc; b < (size_t)NYEARS; b++) late_n += e->hist[b];
    for (size_t b = 0; b < kc; b++)
        if (e->hist[b] && e->max[b] > last) last = e->max[b];
    if (!late_n) return 0;
    *last_regular = last;
    placeholder_warning(book, prog, late_n, 1, e->last, e->last_i);
    return late_n;
}

size_t cli_early_events(const fu_book *book, const char *prog, int64_t *first_regular, int64_t *last_regular) {
    static early e;
    size_t n = fu_book_event_count(book);
    *first_regular = INT64_MIN;
    *last_regular = INT64_MAX;
    memset(&e, 0, sizeof e);
    if (n == 0 || early_scan(book, n, &e)) return 0;
    size_t early_n = early_side(book, &e, n, prog, first_regular);
    return early_n + late_side(book, &e, n, prog, last_regular);
}
