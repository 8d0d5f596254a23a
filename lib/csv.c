/* RFC 4180 CSV reader and writer (see csv_internal.h for the rules). */
#include "csv_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
/* the AVX2 masks of the block splitter, chosen at run time */
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define CSV_AVX2 1
#include <immintrin.h>
#else
#define CSV_AVX2 0
#endif

#define CSV_CHUNK ((size_t)256 << 10)

typedef struct csv_field {
    size_t off; /* into fbuf */
    size_t len;
    unsigned long line, column;
    int quoted;
} csv_field;

struct fu__csv {
    FILE *file;    /* owned; NULL for a memory source */
    char *source;  /* owned copy of the source name */
    const char *win; /* the bytes being parsed: the caller's text or buf */
    size_t win_len, pos;
    char *buf;     /* file buffer */
    size_t buf_cap;
    int eof;       /* nothing beyond win_len */
    int started;   /* the BOM was looked for */
    int failed;
    size_t max_record, max_field;
    unsigned long line, col; /* position of win[pos] */
    char *fbuf;    /* unescaped fields of the current record, NUL-separated */
    size_t fbuf_cap;
    csv_field *fields;
    size_t nfields, fields_cap;
    unsigned long rec_line, end_line, end_col;
    char *hdr_text; /* header names, NUL-separated */
    size_t *hdr_off;
    size_t nhdr;
};

/* ------------------------------------------------------------ open/close */

static int csv_alloc(const char *source, size_t max_record, size_t max_field, fu__csv **out) {
    fu__csv *r = fu__calloc(1, sizeof *r);
    if (!r) return fu__error_nomem();
    r->source = fu__strdup(source ? source : "<string>");
    if (!r->source) {
        fu__free(r);
        return fu__error_nomem();
    }
    r->max_record = max_record ? max_record : FU__CSV_MAX_RECORD_DEFAULT;
    r->max_field = max_field ? max_field : FU__CSV_MAX_FIELD_DEFAULT;
    r->line = 1;
    r->col = 1;
    *out = r;
    return FU_OK;
}

int fu__csv_open_mem(const char *text, size_t len, const char *source, size_t max_record,
                     size_t max_field, fu__csv **out) {
    if (!out || (!text && len)) return fu__error_set(FU_EINVAL, "CSV text is NULL");
    *out = NULL;
    fu__csv *r = NULL;
    int rc = csv_alloc(source, max_record, max_field, &r);
    if (rc) return rc;
    r->win = text ? text : "";
    r->win_len = len;
    r->eof = 1;
    *out = r;
    return FU_OK;
}

int fu__csv_open_file(const char *path, size_t max_record, size_t max_field, fu__csv **out) {
    if (!out || !path) return fu__error_set(FU_EINVAL, "CSV path is NULL");
    *out = NULL;
    fu__csv *r = NULL;
    int rc = csv_alloc(path, max_record, max_field, &r);
    if (rc) return rc;
    r->file = fopen(path, "rb");
    struct stat st;
    int e = !r->file ? errno : fstat(fileno(r->file), &st) != 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR : 0;
    if (e) {
        fu__csv_close(r);
        return fu__error_set_at(FU_EIO, path, 0, 0, NULL, "cannot read: %s", strerror(e));
    }
    *out = r;
    return FU_OK;
}

void fu__csv_close(fu__csv *r) {
    if (!r) return;
    if (r->file) fclose(r->file);
    FU_FREE_ALL(r->source, r->buf, r->fbuf, r->fields, r->hdr_text, r->hdr_off, r);
}

/* ---------------------------------------------------------------- errors */

static const char *column_name(const fu__csv *r, size_t i) {
    return i < r->nhdr ? r->hdr_text + r->hdr_off[i] : NULL;
}

static int fail_at(fu__csv *r, unsigned long line, unsigned long col, size_t field, int code,
                   const char *msg) {
    r->failed = 1;
    return fu__error_set_at(code, r->source, line, col, column_name(r, field), "%s", msg);
}

int fu__csv_error_at(const fu__csv *r, size_t i, int code, const char *fmt, ...) {
    unsigned long line = i < r->nfields ? r->fields[i].line : r->rec_line;
    unsigned long col = i < r->nfields ? r->fields[i].column : 0;
    va_list ap;
    va_start(ap, fmt);
    fu__error_set_atv(code, r->source, line, col, column_name(r, i), fmt, ap);
    va_end(ap);
    return code;
}

/* ---------------------------------------------------------------- reading */

/* Length of the valid UTF-8 sequence starting at s (n bytes available): 0 if
 * it is invalid, -1 if it may be valid but is cut by the end of the data. */
static int utf8_seq(const unsigned char *s, size_t n) {
    unsigned c = s[0];
    unsigned lo = 0x80, hi = 0xBF;
    int k;
    if (c >= 0xC2 && c <= 0xDF) k = 2;
    else if (c == 0xE0) k = 3, lo = 0xA0;               /* no overlong forms */
    else if (c >= 0xE1 && c <= 0xEC) k = 3;
    else if (c == 0xED) k = 3, hi = 0x9F;               /* no surrogates */
    else if (c == 0xEE || c == 0xEF) k = 3;
    else if (c == 0xF0) k = 4, lo = 0x90;               /* no overlong forms */
    else if (c >= 0xF1 && c <= 0xF3) k = 4;
    else if (c == 0xF4) k = 4, hi = 0x8F;               /* <= U+10FFFF */
    else return 0;
    for (int i = 1; i < k; i++) {
        if ((size_t)i >= n) return -1;
        unsigned b = s[i];
        if (i == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) return 0;
    }
    return k;
}

/* The likely cause of a byte the reader refuses at s[0] (n bytes available,
 * at line:col), for the error message: files saved as UTF-16 (a UTF-16 byte
 * order mark, or NUL bytes between the letters of the first line) or in
 * GB18030/GBK (Excel in a Chinese locale: every non-ASCII byte up to the next
 * ASCII one pairs into a GB18030 character). Only on the error path. */
static bool gb18030_run(const unsigned char *s, size_t n) {
    size_t i = 0, pairs = 0;
    while (i < n && s[i] >= 0x80) {
        if (s[i] == 0x80 || s[i] == 0xFF || i + 1 >= n) return false;
        unsigned b = s[i + 1];
        if ((b >= 0x40 && b <= 0x7E) || (b >= 0x80 && b <= 0xFE)) {
            i += 2; /* two-byte character */
        } else if (b >= 0x30 && b <= 0x39 && i + 3 < n && s[i + 2] >= 0x81 && s[i + 2] <= 0xFE &&
                   s[i + 3] >= 0x30 && s[i + 3] <= 0x39) {
            i += 4; /* four-byte character */
        } else {
            return false;
        }
        pairs++;
    }
    return pairs > 0;
}

/* Bytes of a UTF-8 character cut short at the end of a field at s: the
 * lead byte of a 3- or 4-byte character and at least one of its
 * continuation bytes, then the end of the field (',', a line break, a
 * closing quote or the end of the data) where the character needs more: a
 * text cut at a byte limit (review s13 I19). 0 when s is not one (a lone
 * lead byte is no proof of a cut). */
static int utf8_cut_at(const unsigned char *s, size_t n) {
    int k = s[0] >= 0xE0 && s[0] <= 0xEF ? 3 : s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : 0;
    unsigned lo = s[0] == 0xE0 ? 0xA0 : s[0] == 0xF0 ? 0x90 : 0x80; /* the second byte as utf8_seq() takes it */
    unsigned hi = s[0] == 0xED ? 0x9F : s[0] == 0xF4 ? 0x8F : 0xBF;
    int i = 1;
    while (i < k && (size_t)i < n && s[i] >= (i == 1 ? lo : 0x80) && s[i] <= (i == 1 ? hi : 0xBF)) i++;
    int end = (size_t)i >= n || s[i] == ',' || s[i] == '\n' || s[i] == '\r' || s[i] == '"';
    return k && i > 1 && i < k && end ? i : 0;
}

static const char *encoding_hint(const unsigned char *s, size_t n, unsigned long line, unsigned long col,
                                 char *buf, size_t cap) {
    static const char utf16[] = " (the file looks like UTF-16: save it as UTF-8)";
    if (line == 1 && col == 1 && n >= 2 && ((s[0] == 0xFF && s[1] == 0xFE) || (s[0] == 0xFE && s[1] == 0xFF)))
        return utf16;
    if (s[0] == 0) return line == 1 && col <= 2 ? utf16 : "";
    if (line == 1 && col == 1 && n >= 2 && s[0] == 0xEF && s[1] == 0xBB && (n < 3 || s[2] != 0xBF))
        return " (a UTF-8 byte order mark cut short)";
    int cut = utf8_cut_at(s, n);
    if (cut) {
        snprintf(buf, cap, ": a UTF-8 character is cut at byte %d (%d of its %d bytes are there: a text cut at a "
                 "byte limit?)", cut + 1, cut, s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : 2);
        return buf;
    }
    return gb18030_run(s, n) ? " (the bytes look like GB18030/GBK: save the file as UTF-8)" : "";
}

#if defined(__GNUC__)
__attribute__((noinline))
#endif
static int fail_encoding(fu__csv *r, const unsigned char *s, size_t n, unsigned long line, unsigned long col,
                         size_t field) {
    r->failed = 1;
    char buf[128];
    return fu__error_set_at(FU_EPARSE, r->source, line, col, column_name(r, field), "%s%s",
                            s[0] ? "invalid UTF-8" : "NUL byte in the input",
                            encoding_hint(s, n, line, col, buf, sizeof buf));
}

enum { PARSE_MORE = 0, PARSE_RECORD = 1, PARSE_END = 2 };

/* Copy the character at s[*p] (of n bytes) to o[*out], advancing *p, *out and
 * *col: 1, PARSE_MORE when a UTF-8 sequence is cut by the end of the data not
 * yet read, or an error for a NUL byte or invalid UTF-8 (of field fi at line). */
static inline int copy_char(fu__csv *r, const unsigned char *s, size_t n, size_t *p, char *o, size_t *out,
                            unsigned long line, unsigned long *col, size_t fi) {
    unsigned c = s[*p];
    if (c == 0) return fail_encoding(r, s + *p, n - *p, line, *col, fi);
    if (c < 0x80) {
        o[(*out)++] = (char)c;
        (*p)++;
        (*col)++;
        return 1;
    }
    int k = utf8_seq(s + *p, n - *p);
    if (k < 0 && !r->eof) return PARSE_MORE;
    if (k <= 0) return fail_encoding(r, s + *p, n - *p, line, *col, fi);
    memcpy(o + *out, s + *p, (size_t)k);
    *out += (size_t)k;
    *p += (size_t)k;
    *col += (unsigned long)k;
    return 1;
}

/* Undo the writer's formula neutralisation (csv_internal.h): a quoted field
 * made of one or more "'" and then = + - @ tab or CR loses its first "'". */
static void unneutralise(char *o, csv_field *f) {
    if (!f->quoted || f->len < 2 || o[f->off] != '\'') return;
    size_t k = 1;
    while (k < f->len && o[f->off + k] == '\'') k++;
    if (k == f->len || !fu__csv_is_trigger((unsigned char)o[f->off + k])) return;
    memmove(o + f->off, o + f->off + 1, f->len - 1);
    f->len--;
}

/* Reallocate one of the reader's buffers to cap bytes (a failure fails the reader). */
static int resize(fu__csv *r, char **buf, size_t *buf_cap, size_t cap) {
    char *nb = fu__realloc(*buf, cap);
    if (!nb) {
        r->failed = 1;
        return fu__error_nomem();
    }
    *buf = nb;
    *buf_cap = cap;
    return FU_OK;
}

/* Parse one record from win[pos..]. Returns PARSE_RECORD, PARSE_END,
 * PARSE_MORE (the record is cut by the end of the window and more data may
 * come: nothing is committed) or a negative error. */
static int parse(fu__csv *r) {
    const unsigned char *s = (const unsigned char *)r->win;
    const size_t n = r->win_len;
    size_t p = r->pos;
    unsigned long line = r->line, col = r->col;

    /* skip empty lines; committing is safe because it is idempotent */
    while (p < n && (s[p] == '\n' || s[p] == '\r')) {
        if (s[p] == '\r') {
            if (p + 1 >= n && !r->eof) return PARSE_MORE;
            if (p + 1 < n && s[p + 1] == '\n') p++;
        }
        p++;
        line++;
        col = 1;
        r->pos = p;
        r->line = line;
        r->col = col;
    }
    if (p >= n) {
        if (!r->eof) return PARSE_MORE;
        return PARSE_END;
    }

    size_t need = n - p < r->max_record ? n - p : r->max_record;
    if (need + 8 > r->fbuf_cap) {
        size_t cap = r->fbuf_cap ? r->fbuf_cap : 256;
        while (cap < need + 8) cap *= 2;
        int rc = resize(r, &r->fbuf, &r->fbuf_cap, cap);
        if (rc) return rc;
    }

    const size_t start = p;
    const unsigned long rec_line = line;
    const size_t maxrec = r->max_record;
    char *o = r->fbuf;
    size_t out = 0;
    r->nfields = 0;
    size_t cur = (size_t)-1; /* the field being read, named by the limit errors */
    for (;;) {
        if (r->nfields == r->fields_cap && FU_GROW(r->fields, r->fields_cap, r->nfields + 1)) {
            r->failed = 1;
            return FU_ENOMEM;
        }
        size_t fi = r->nfields++;
        csv_field *f = &r->fields[fi];
        cur = fi;
        f->line = line;
        f->column = col;
        f->off = out;
        f->quoted = p < n && s[p] == '"';
        if (f->quoted) {
            p++;
            col++;
            for (;;) {
                if (out - f->off > r->max_field) goto field_too_long;
                if (p - start > maxrec) goto too_long;
                if (p >= n) {
                    if (!r->eof) return PARSE_MORE;
                    return fail_at(r, f->line, f->column, fi, FU_EPARSE,
                                   "quoted field is not terminated");
                }
                unsigned c = s[p];
                if (c == '"') {
                    if (p + 1 >= n && !r->eof) return PARSE_MORE;
                    if (p + 1 < n && s[p + 1] == '"') {
                        o[out++] = '"';
                        p += 2;
                        col += 2;
                        continue;
                    }
                    p++;
                    col++;
                    break;
                }
                if (c == '\n' || c == '\r') {
                    o[out++] = (char)c;
                    p++;
                    if (c == '\r') {
                        if (p >= n && !r->eof) return PARSE_MORE;
                        if (p < n && s[p] == '\n') o[out++] = (char)s[p++];
                    }
                    line++;
                    col = 1;
                    continue;
                }
                int rc = copy_char(r, s, n, &p, o, &out, line, &col, fi);
                if (rc != 1) return rc;
            }
            if (p < n && s[p] != ',' && s[p] != '\n' && s[p] != '\r')
                return fail_at(r, line, col, fi, FU_EPARSE,
                               s[p] == 0 ? "NUL byte in the input"
                                         : "unexpected character after a closing quote");
            if (p >= n && !r->eof) return PARSE_MORE;
        } else {
            while (p < n) {
                unsigned c = s[p];
                if (c == ',' || c == '\n' || c == '\r') break;
                if (out - f->off >= r->max_field) goto field_too_long;
                if (p - start >= maxrec) goto too_long;
                if (c == '"')
                    return fail_at(r, line, col, fi, FU_EPARSE,
                                   "'\"' inside an unquoted field (quote the whole field)");
                int rc = copy_char(r, s, n, &p, o, &out, line, &col, fi);
                if (rc != 1) return rc;
            }
            if (p >= n && !r->eof) return PARSE_MORE;
        }
        f->len = out - f->off;
        if (f->len > r->max_field) goto field_too_long;
        unneutralise(o, f);
        out = f->off + f->len;
        o[out++] = '\0';
        if (p - start > maxrec) goto too_long;
        r->end_line = line;
        r->end_col = col;
        if (p >= n) break; /* end of input ends the record */
        if (s[p] == ',') {
            p++;
            col++;
            continue;
        }
        if (s[p] == '\r') {
            if (p + 1 >= n && !r->eof) return PARSE_MORE;
            if (p + 1 < n && s[p + 1] == '\n') p++;
        }
        p++; /* the line break */
        line++;
        col = 1;
        break;
    }
    r->pos = p;
    r->line = line;
    r->col = col;
    r->rec_line = rec_line;
    return PARSE_RECORD;

too_long: {
    char msg[96];
    snprintf(msg, sizeof msg, "record longer than %zu bytes", r->max_record);
    return fail_at(r, rec_line, 0, cur, FU_ELIMIT, msg);
}
field_too_long: {
    char msg[96];
    snprintf(msg, sizeof msg, "field longer than %zu bytes", r->max_field);
    return fail_at(r, r->fields[cur].line, r->fields[cur].column, cur, FU_ELIMIT, msg);
}
}

/* Keep the unparsed bytes of a file and read more after them. */
static int refill(fu__csv *r) {
    size_t keep = r->win_len - r->pos;
    if (r->pos) {
        memmove(r->buf, r->buf + r->pos, keep);
        r->pos = 0;
        r->win_len = keep;
    }
    if (keep == r->buf_cap) {
        /* a record bigger than the buffer: grow, up to the record limit */
        size_t cap = r->buf_cap ? r->buf_cap * 2 : CSV_CHUNK;
        if (r->buf_cap > r->max_record + 8) {
            r->failed = 1;
            return fu__error_set_at(FU_ELIMIT, r->source, r->line, 0, NULL,
                                    "record longer than %zu bytes", r->max_record);
        }
        int rc = resize(r, &r->buf, &r->buf_cap, cap);
        if (rc) return rc;
        r->win = r->buf;
    }
    size_t want = r->buf_cap - keep;
    size_t got = fread(r->buf + keep, 1, want, r->file);
    r->win_len = keep + got;
    if (got < want) {
        if (ferror(r->file)) {
            r->failed = 1;
            int e = errno;
            return fu__error_set_at(FU_EIO, r->source, r->line, 0, NULL, "read error: %s", strerror(e));
        }
        r->eof = 1;
    }
    return FU_OK;
}

int fu__csv_next(fu__csv *r) {
    if (!r) return fu__error_set(FU_EINVAL, "CSV reader is NULL");
    if (r->failed) return fu__error_set(FU_ESTATE, "CSV reader failed earlier");
    if (!r->started) {
        while (r->file && !r->eof && r->win_len - r->pos < 3) {
            int rc = refill(r);
            if (rc) return rc;
        }
        if (r->win_len - r->pos >= 3 && memcmp(r->win + r->pos, "\xEF\xBB\xBF", 3) == 0) r->pos += 3;
        r->started = 1;
    }
    for (;;) {
        int rc = parse(r);
        if (rc == PARSE_MORE) {
            rc = refill(r);
            if (rc) return rc;
            continue;
        }
        if (rc == PARSE_END) {
            r->nfields = 0;
            return 0;
        }
        return rc;
    }
}

int fu__csv_read_header(fu__csv *r) {
    int rc = fu__csv_next(r);
    if (rc < 0) return rc;
    if (rc == 0) return fu__error_set_at(FU_EPARSE, r->source, 1, 1, NULL, "empty input: no header row");
    size_t bytes = 0;
    for (size_t i = 0; i < r->nfields; i++) bytes += r->fields[i].len + 1;
    char *text = fu__malloc(bytes);
    size_t *off = fu__calloc(r->nfields, sizeof *off);
    if (!text || !off) {
        fu__free(text);
        fu__free(off);
        r->failed = 1;
        return fu__error_nomem();
    }
    size_t at = 0;
    for (size_t i = 0; i < r->nfields; i++) {
        off[i] = at;
        memcpy(text + at, r->fbuf + r->fields[i].off, r->fields[i].len + 1);
        at += r->fields[i].len + 1;
    }
    fu__free(r->hdr_text);
    fu__free(r->hdr_off);
    r->hdr_text = text;
    r->hdr_off = off;
    r->nhdr = r->nfields;
    return FU_OK;
}

size_t fu__csv_header_count(const fu__csv *r) { return r->nhdr; }
const char *fu__csv_header_name(const fu__csv *r, size_t i) { return column_name(r, i); }
size_t fu__csv_count(const fu__csv *r) { return r->nfields; }

int fu__csv_header_is(const fu__csv *r, size_t i, const char *name) {
    const char *h = column_name(r, i);
    if (!h) return 0;
    size_t len = strlen(h), n = strlen(name);
    while (len && (*h == ' ' || *h == '\t')) h++, len--;
    while (len && (h[len - 1] == ' ' || h[len - 1] == '\t')) len--;
    if (len != n) return 0;
    for (size_t k = 0; k < n; k++) {
        unsigned char a = (unsigned char)h[k], b = (unsigned char)name[k];
        if (a >= 'A' && a <= 'Z') a = (unsigned char)(a - 'A' + 'a');
        if (b >= 'A' && b <= 'Z') b = (unsigned char)(b - 'A' + 'a');
        if (a != b) return 0;
    }
    return 1;
}

int fu__csv_check_width(const fu__csv *r) {
    size_t n = r->nfields, nh = r->nhdr;
    if (n == nh) return FU_OK;
    unsigned long line = n > nh ? fu__csv_field_line(r, nh) : fu__csv_record_end_line(r);
    unsigned long col = n > nh ? fu__csv_field_column(r, nh) : fu__csv_record_end_column(r);
    return fu__error_set_at(FU_EPARSE, r->source, line, col, NULL, "row has %zu field%s, the header has %zu", n,
                            n == 1 ? "" : "s", nh);
}

const char *fu__csv_field(const fu__csv *r, size_t i, size_t *len) {
    if (i >= r->nfields) {
        if (len) *len = 0;
        return NULL;
    }
    if (len) *len = r->fields[i].len;
    return r->fbuf + r->fields[i].off;
}

unsigned long fu__csv_field_line(const fu__csv *r, size_t i) {
    return i < r->nfields ? r->fields[i].line : 0;
}
unsigned long fu__csv_field_column(const fu__csv *r, size_t i) {
    return i < r->nfields ? r->fields[i].column : 0;
}
int fu__csv_field_quoted(const fu__csv *r, size_t i) { return i < r->nfields && r->fields[i].quoted; }
unsigned long fu__csv_record_line(const fu__csv *r) { return r->rec_line; }
unsigned long fu__csv_record_end_line(const fu__csv *r) { return r->end_line; }
unsigned long fu__csv_record_end_column(const fu__csv *r) { return r->end_col; }
const char *fu__csv_source(const fu__csv *r) { return r->source; }
size_t fu__csv_offset(const fu__csv *r) { return r->pos; }

/* ------------------------------------------------------- blocks of records */

size_t fu__csv_safe_end(const char *text, size_t len) {
    const unsigned char *s = (const unsigned char *)text;
    size_t q = 0;
    for (const char *x = text, *end = text + len; (x = memchr(x, '"', (size_t)(end - x))) != NULL; x++) q++;
    for (size_t p = len; p-- > 0;) {
        if (s[p] == '"') q--; /* q: quotes in s[0..p) */
        else if (s[p] == '\n' && !(q & 1)) return p + 1;
    }
    return 0;
}

size_t fu__csv_count_breaks(const char *text, size_t len) {
    const unsigned char *s = (const unsigned char *)text;
    size_t n = 0, i = 0;
#if defined(__SSE2__)
    /* per byte lane: minus the 0xFF of each match, summed every 255 rounds */
    while (i + 16 <= len) {
        __m128i acc = _mm_setzero_si128();
        for (int r = 0; r < 255 && i + 16 <= len; r++, i += 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
            acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(v, _mm_set1_epi8('\n')));
            acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(v, _mm_set1_epi8('\r')));
        }
        __m128i sum = _mm_sad_epu8(acc, _mm_setzero_si128());
        n += (size_t)_mm_cvtsi128_si32(sum) + (size_t)_mm_cvtsi128_si32(_mm_srli_si128(sum, 8));
    }
#endif
    for (; i < len; i++) n += s[i] == '\n' || s[i] == '\r';
    return n;
}

/* One quoted field at s[*pp] (the opening quote), unescaped in place; its
 * text starts at *cell. FU_OK or FU__CSV_UNSURE. */
static int split_quoted(unsigned char *s, size_t len, size_t *pp, size_t *cell, size_t *flen) {
    size_t p = *pp + 1, w = p;
    for (;;) {
        if (p >= len) return FU__CSV_UNSURE; /* not terminated */
        unsigned c = s[p];
        if (c == '"') {
            if (p + 1 < len && s[p + 1] == '"') {
                s[w++] = '"';
                p += 2;
                continue;
            }
            p++;
            break;
        }
        if (c == 0) return FU__CSV_UNSURE;
        if (c < 0x80) {
            s[w++] = (unsigned char)c;
            p++;
            continue;
        }
        int k = utf8_seq(s + p, len - p);
        if (k <= 0) return FU__CSV_UNSURE;
        memmove(s + w, s + p, (size_t)k);
        w += (size_t)k;
        p += (size_t)k;
    }
    if (p < len && s[p] != ',' && s[p] != '\n' && s[p] != '\r') return FU__CSV_UNSURE;
    size_t start = *pp + 1, n = w - start;
    /* the writer's neutralisation, undone as parse() does */
    if (n >= 2 && s[start] == '\'') {
        size_t k = 1;
        while (k < n && s[start + k] == '\'') k++;
        if (k < n && fu__csv_is_trigger(s[start + k])) start++, n--;
    }
    *cell = start;
    *flen = n;
    *pp = p;
    return FU_OK;
}

/* Where the bytes that end or question a plain field lie, 64 bytes at a
 * time: bit i of `all` is set when s[base + i] is a separator, a line
 * break, a quote, a NUL or a byte >= 0x80; `sep` holds the separators among
 * them and `odd` the quotes, NULs and bytes >= 0x80 (the bytes a plain row
 * leaves to the byte-wise path). The text's end counts as a line break. */
typedef void (*classify_fn)(const unsigned char *c, uint64_t *sep, uint64_t *eol, uint64_t *odd);

typedef struct scan {
    const unsigned char *s;
    size_t len, base;
    uint64_t all, sep, odd;
    uint64_t rest; /* the stops of `all` not taken yet by plain rows */
    classify_fn classify;
} scan;

/* The tests' choice of path: set by one thread while reader threads of
 * another test may read it, so atomic (relaxed: any one value is right). */
static _Atomic int csv_path = FU__CSV_PATH_AUTO;

/* The portable path: a byte at a time. */
static void classify64_portable(const unsigned char *c, uint64_t *sep, uint64_t *eol, uint64_t *odd) {
    uint64_t s = 0, e = 0, o = 0;
    for (int i = 0; i < 64; i++) {
        unsigned x = c[i];
        s |= (uint64_t)(x == ',') << i;
        e |= (uint64_t)(x == '\n' || x == '\r') << i;
        o |= (uint64_t)(x == 0 || x == '"' || x >= 0x80) << i;
    }
    *sep = s, *eol = e, *odd = o;
}

#if defined(__SSE2__)
static void classify64_sse2(const unsigned char *c, uint64_t *sep, uint64_t *eol, uint64_t *odd) {
    uint64_t s = 0, e = 0, o = 0;
    for (int i = 0; i < 4; i++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(c + 16 * i));
        __m128i br = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\n')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\r')));
        __m128i qz = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_setzero_si128()));
        s |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(','))) << (16 * i);
        e |= (uint64_t)(uint32_t)_mm_movemask_epi8(br) << (16 * i);
        /* the sign bits of v itself: the bytes >= 0x80 */
        o |= (uint64_t)((uint32_t)_mm_movemask_epi8(qz) | (uint32_t)_mm_movemask_epi8(v)) << (16 * i);
    }
    *sep = s, *eol = e, *odd = o;
}
#endif

#if CSV_AVX2
/* The same 64 bytes as two 32-byte vectors (compiled for AVX2 whatever the
 * build's flags; called only when the CPU has it). */
__attribute__((target("avx2"))) static void classify64_avx2(const unsigned char *c, uint64_t *sep, uint64_t *eol,
                                                             uint64_t *odd) {
    uint64_t s = 0, e = 0, o = 0;
    for (int i = 0; i < 2; i++) {
        __m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(c + 32 * i));
        __m256i br = _mm256_or_si256(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('\n')),
                                     _mm256_cmpeq_epi8(v, _mm256_set1_epi8('\r')));
        __m256i qz = _mm256_or_si256(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('"')),
                                     _mm256_cmpeq_epi8(v, _mm256_setzero_si256()));
        s |= (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, _mm256_set1_epi8(','))) << (32 * i);
        e |= (uint64_t)(uint32_t)_mm256_movemask_epi8(br) << (32 * i);
        o |= (uint64_t)((uint32_t)_mm256_movemask_epi8(qz) | (uint32_t)_mm256_movemask_epi8(v)) << (32 * i);
    }
    *sep = s, *eol = e, *odd = o;
}
#endif

/* Whether this build and CPU have a path. */
static int path_here(int path) {
    switch (path) {
    case FU__CSV_PATH_PORTABLE: return 1;
#if defined(__SSE2__)
    case FU__CSV_PATH_SSE2: return 1;
#endif
#if CSV_AVX2
    case FU__CSV_PATH_AVX2: return __builtin_cpu_supports("avx2") ? 1 : 0;
#endif
    default: return 0;
    }
}

/* The path of FU__CSV_PATH_AUTO: the widest there is. */
static int path_auto(void) {
    return path_here(FU__CSV_PATH_AVX2) ? FU__CSV_PATH_AVX2
           : path_here(FU__CSV_PATH_SSE2) ? FU__CSV_PATH_SSE2
                                          : FU__CSV_PATH_PORTABLE;
}

int fu__csv_split_path(int path) {
    if (path >= 0) atomic_store_explicit(&csv_path, path_here(path) ? path : FU__CSV_PATH_AUTO, memory_order_relaxed);
    int p = atomic_load_explicit(&csv_path, memory_order_relaxed); /* read once */
    return p == FU__CSV_PATH_AUTO ? path_auto() : p;
}

void fu__csv_split_scalar(int on) {
    atomic_store_explicit(&csv_path, on ? FU__CSV_PATH_PORTABLE : FU__CSV_PATH_AUTO, memory_order_relaxed);
}

static classify_fn classify_for(int path) {
    switch (path) {
#if defined(__SSE2__)
    case FU__CSV_PATH_SSE2: return classify64_sse2;
#endif
#if CSV_AVX2
    case FU__CSV_PATH_AVX2: return classify64_avx2;
#endif
    default: return classify64_portable;
    }
}

void fu__csv_classify64(int path, const unsigned char *c, uint64_t *sep, uint64_t *eol, uint64_t *odd) {
    classify_for(path_here(path) ? path : FU__CSV_PATH_PORTABLE)(c, sep, eol, odd);
}

/* The masks of the 64 bytes at base (<= len); every stop is still to take. */
static void scan_load(scan *t, size_t base) {
    uint64_t sep, eol, odd;
    t->base = base;
    if (base + 64 <= t->len) {
        t->classify(t->s + base, &sep, &eol, &odd);
    } else {
        unsigned char tail[64];
        size_t n = t->len - base; /* < 64 */
        memset(tail, 0, sizeof tail);
        memcpy(tail, t->s + base, n);
        t->classify(tail, &sep, &eol, &odd);
        uint64_t keep = ((uint64_t)1 << n) - 1;
        sep &= keep, odd &= keep;
        eol = (eol & keep) | (uint64_t)1 << n; /* the end of the text */
    }
    t->sep = sep;
    t->odd = odd;
    t->all = t->rest = sep | eol | odd;
}

/* Make the stops at and after p (>= base) the ones to take. */
static inline void scan_seek(scan *t, size_t p) {
    if (p - t->base >= 64) scan_load(t, p & ~(size_t)63);
    t->rest = t->all & (~(uint64_t)0 << (p - t->base));
}

/* The first stop at or after p (len when none). */
static size_t stops_next(scan *t, size_t p) {
    for (;;) {
        if (p >= t->len) return t->len;
        if (p - t->base >= 64) scan_load(t, p & ~(size_t)63);
        uint64_t b = t->all >> (p - t->base);
        if (b) {
            size_t q = p + (size_t)__builtin_ctzll(b);
            return q < t->len ? q : t->len;
        }
        p = t->base + 64;
    }
}

/* One unquoted field at s[*pp]. FU_OK or FU__CSV_UNSURE. */
static int split_plain(scan *t, size_t *pp) {
    const unsigned char *s = t->s;
    size_t p = *pp, len = t->len;
    for (;;) {
        p = stops_next(t, p);
        if (p >= len) break;
        unsigned c = s[p];
        if (c == ',' || c == '\n' || c == '\r') break;
        if (c < 0x80) return FU__CSV_UNSURE; /* a quote or a NUL: the reader's error */
        int k = utf8_seq(s + p, len - p);
        if (k <= 0) return FU__CSV_UNSURE;
        p += (size_t)k;
    }
    *pp = p;
    return FU_OK;
}

/* What fu__csv_split() needs along the way. */
typedef struct splitter {
    char *text;
    size_t ncols, max_record, max_field;
    /* row_plain() checks the width once a mask word: a row's cells, then up
     * to 64 more before it sees a row too wide */
    char *cells[2 * FU__CSV_SPLIT_MAX_COLS];
    size_t lens[2 * FU__CSV_SPLIT_MAX_COLS];
    char none; /* cells[ncols]: "" */
} splitter;

#define ROW_BYTEWISE 2 /* not FU_OK nor FU__CSV_UNSURE */

/* The row at *pp (not an empty line) when it is plain, taken from the
 * masks alone: FU_OK with its cells and *pp just after its line break,
 * FU__CSV_UNSURE for a row the reader refuses or reads otherwise (another
 * width, the limits; the text is not read again then), or ROW_BYTEWISE when
 * a quote, NUL or non-ASCII byte comes before its line break (the text is
 * as it was then: the commas cut to NULs on the way are put back). */
static int row_plain(splitter *sp, scan *t, size_t *pp) {
    size_t p = *pp, start = p, nf = 0, end, last = sp->ncols - 1;
    /* in locals: the NULs written through text could be any of sp's fields */
    char *const text = sp->text, **const cells = sp->cells;
    size_t *const lens = sp->lens;
    for (;;) {
        while (!t->rest) scan_load(t, t->base + 64); /* ends: the text's end is a stop */
        uint64_t rest = t->rest, other = rest & ~t->sep; /* a line break, an odd byte, the end */
        uint64_t bit = other & (0 - other);              /* the first of them (0: none here) */
        uint64_t seps = bit ? rest & (bit - 1) : rest;   /* the commas before it */
        const size_t base = t->base;
        for (; seps; seps &= seps - 1) { /* (room for a word's 64 commas past the last field) */
            size_t q = base + (unsigned)__builtin_ctzll(seps);
            cells[nf] = text + p;
            lens[nf++] = q - p;
            text[q] = '\0'; /* put back below if the row is not plain */
            p = q + 1;
        }
        if (nf > last) return FU__CSV_UNSURE; /* a comma after the last field: a wider row */
        if (!bit) {
            t->rest = 0;
            continue;
        }
        if (bit & t->odd) {
            for (size_t i = 0; i < nf; i++) sp->cells[i][sp->lens[i]] = ',';
            return ROW_BYTEWISE;
        }
        t->rest = rest & ~(bit | (bit - 1));
        if (nf != last) return FU__CSV_UNSURE; /* fewer fields (more: found above) */
        end = t->base + (size_t)__builtin_ctzll(bit);
        sp->cells[nf] = sp->text + p;
        sp->lens[nf++] = end - p;
        break;
    }
    if (end - start >= sp->max_record) return FU__CSV_UNSURE;
    for (size_t i = 0; end - start >= sp->max_field && i < nf; i++)
        if (sp->lens[i] >= sp->max_field) return FU__CSV_UNSURE;
    sp->text[end] = '\0'; /* text[len] is writable */
    *pp = end < t->len ? end + 1 : end;
    return FU_OK;
}

/* The row at *pp byte by byte (quotes unescaped in place, UTF-8 checked):
 * FU_OK with its cells and *pp after its line break, or FU__CSV_UNSURE. */
static int row_bytewise(splitter *sp, scan *t, size_t *pp) {
    unsigned char *s = (unsigned char *)sp->text;
    size_t p = *pp, start = p, nf = 0, len = t->len;
    for (;;) {
        if (nf == sp->ncols) return FU__CSV_UNSURE; /* a wider row: the reader's error */
        size_t cell = p, flen;
        int rc;
        if (p < len && s[p] == '"') {
            rc = split_quoted(s, len, &p, &cell, &flen);
        } else {
            rc = split_plain(t, &p);
            flen = p - cell;
        }
        if (rc) return rc;
        if (flen >= sp->max_field || p - start >= sp->max_record) return FU__CSV_UNSURE;
        unsigned c = p < len ? s[p] : 0;
        s[cell + flen] = '\0'; /* at or before s[p]: text[len] is writable */
        sp->cells[nf] = sp->text + cell;
        sp->lens[nf++] = flen;
        if (c == ',') {
            p++;
            continue;
        }
        if (c == '\r' && p + 1 < len && s[p + 1] == '\n') p++;
        if (p < len) p++;
        break;
    }
    if (nf != sp->ncols) return FU__CSV_UNSURE;
    *pp = p;
    return FU_OK;
}

int fu__csv_split(char *text, size_t len, size_t ncols, size_t max_record, size_t max_field,
                  fu__csv_row_fn fn, void *ud) {
    const unsigned char *s = (const unsigned char *)text;
    if (ncols == 0 || ncols > FU__CSV_SPLIT_MAX_COLS) return FU__CSV_UNSURE;
    splitter sp;
    sp.text = text;
    sp.ncols = ncols;
    sp.max_record = max_record ? max_record : FU__CSV_MAX_RECORD_DEFAULT;
    sp.max_field = max_field ? max_field : FU__CSV_MAX_FIELD_DEFAULT;
    sp.none = '\0'; /* no row writes cells[ncols]: a wider one ends the split */
    sp.cells[ncols] = &sp.none;
    sp.lens[ncols] = 0;
    size_t p = 0;
    scan t = {s, len, 0, 0, 0, 0, 0, classify_for(fu__csv_split_path(-1))};
    scan_load(&t, 0);
    for (;;) {
        while (p < len && (s[p] == '\n' || s[p] == '\r')) p++; /* empty lines */
        if (p >= len) return FU_OK;
        scan_seek(&t, p);
        int rc = row_plain(&sp, &t, &p);
        if (rc == ROW_BYTEWISE) rc = row_bytewise(&sp, &t, &p);
        if (rc) return rc;
        if ((rc = fn(ud, sp.cells, sp.lens, ncols))) return rc;
    }
}

/* ---------------------------------------------------------------- writing */

int fu__csv_is_trigger(unsigned char c) {
    return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

/* A plain decimal number: [+-] digits [. digits] [e [+-] digits] (or with
 * the digits only after the point). A spreadsheet reads it as that number
 * and nothing else, so it is never neutralised even in a text column. */
static int plain_number(const char *s, size_t len) {
    size_t i = 0, digits = 0;
    if (i < len && (s[i] == '+' || s[i] == '-')) i++;
    while (i < len && s[i] >= '0' && s[i] <= '9') i++, digits++;
    if (i < len && s[i] == '.') {
        i++;
        while (i < len && s[i] >= '0' && s[i] <= '9') i++, digits++;
    }
    if (!digits) return 0;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        size_t e = 0;
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-')) i++;
        while (i < len && s[i] >= '0' && s[i] <= '9') i++, e++;
        if (!e) return 0;
    }
    return i == len;
}

int fu__csv_needs_neutralising(const char *s, size_t len) {
    size_t k = 0;
    while (k < len && s[k] == '\'') k++;
    if (k == len || !fu__csv_is_trigger((unsigned char)s[k])) return 0;
    return k > 0 || !plain_number(s, len);
}

static int needs_quotes(const char *s, size_t len) {
    if (len == 0) return 0;
    if (s[0] == ' ' || s[0] == '\t' || s[len - 1] == ' ' || s[len - 1] == '\t') return 1;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == ',' || c == '"' || c == '\n' || c == '\r') return 1;
    }
    return 0;
}

int fu__csv_cell(fu__buf *b, int first, const char *s, size_t len, unsigned int flags) {
    int rc;
    if (!first && (rc = fu__buf_append(b, ",", 1))) return rc;
    if (!s || !len) return FU_OK;
    int guard = !(flags & (FU__CSV_NUMBER | FU__CSV_RAW)) && fu__csv_needs_neutralising(s, len);
    if (!guard && !needs_quotes(s, len)) return fu__buf_append(b, s, len);
    if ((rc = fu__buf_append(b, guard ? "\"'" : "\"", guard ? 2 : 1))) return rc;
    size_t from = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '"') {
            /* up to and with the quote, then start again at it: doubled */
            if ((rc = fu__buf_append(b, s + from, i + 1 - from))) return rc;
            from = i;
        }
    }
    if ((rc = fu__buf_append(b, s + from, len - from))) return rc;
    return fu__buf_append(b, "\"", 1);
}

int fu__csv_put(fu__buf *b, int first, const char *s, size_t len) { return fu__csv_cell(b, first, s, len, 0); }

int fu__csv_puts(fu__buf *b, int first, const char *s) {
    return fu__csv_cell(b, first, s, s ? strlen(s) : 0, 0);
}

int fu__csv_putf(fu__buf *b, int first, const char *s, unsigned int flags) {
    return fu__csv_cell(b, first, s, s ? strlen(s) : 0, flags);
}

int fu__csv_end(fu__buf *b) { return fu__buf_append(b, "\n", 1); }

int fu__csv_flush(fu__buf *b, FILE *f, const char *path) {
    if (b->len && fwrite(b->data, 1, b->len, f) != b->len) {
        int e = errno;
        return fu__error_set_at(FU_EIO, path, 0, 0, NULL, "write failed: %s", strerror(e));
    }
    b->len = 0;
    if (b->data) b->data[0] = '\0';
    return FU_OK;
}

/* ------------------------------------------------------- replacing a file */

static int out_fail(fu__outfile *o, const char *what, int e) {
    return fu__error_set_at(FU_EIO, o->path ? o->path : "<output>", 0, 0, NULL, "%s: %s", what, strerror(e));
}

/* A path that is not a regular file (/dev/null, a terminal, a FIFO, a
 * socket) is written in place: a rename over it would replace the device
 * with a regular file, and there is nothing to keep all or nothing. */
static int open_in_place(fu__outfile *o, const char *path) {
    o->path = fu__strdup(path);
    if (!o->path) return fu__error_nomem();
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd >= 0) o->f = fdopen(fd, "wb");
    if (!o->f) {
        int e = errno;
        if (fd >= 0) close(fd);
        int rc = out_fail(o, "cannot write", e);
        fu__outfile_abort(o);
        return rc;
    }
    return FU_OK;
}

int fu__outfile_open(fu__outfile *o, const char *path) {
    memset(o, 0, sizeof *o);
    if (!path || !*path) return fu__error_set(FU_EINVAL, "output path is NULL or empty");
    struct stat st;
    int have = stat(path, &st) == 0;
    if (have && S_ISDIR(st.st_mode))
        return fu__error_set_at(FU_EIO, path, 0, 0, NULL, "cannot write: %s", strerror(EISDIR));
    if (have && !S_ISREG(st.st_mode)) return open_in_place(o, path);
    size_t n = strlen(path);
    o->path = fu__strdup(path);
    o->tmp = fu__malloc(n + 48);
    if (!o->path || !o->tmp) {
        fu__outfile_abort(o);
        return fu__error_nomem();
    }
    int fd = -1;
    for (unsigned tries = 0; fd < 0 && tries < 100; tries++) {
        /* pid and handle address make the name unlikely to be taken; O_EXCL decides */
        snprintf(o->tmp, n + 48, "%s.tmp-%ld-%lx", path, (long)getpid(), (unsigned long)(uintptr_t)o + tries);
        fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 && errno != EEXIST) break;
    }
    if (fd < 0) {
        int e = errno;
        fu__free(o->tmp);
        o->tmp = NULL;
        int rc = out_fail(o, "cannot create a temporary file beside it", e);
        fu__outfile_abort(o);
        return rc;
    }
    if (have) (void)fchmod(fd, st.st_mode & 07777); /* a replaced file keeps its mode */
    o->f = fdopen(fd, "wb");
    if (!o->f) {
        int e = errno;
        close(fd);
        int rc = out_fail(o, "cannot write", e);
        fu__outfile_abort(o);
        return rc;
    }
    return FU_OK;
}

int fu__outfile_commit(fu__outfile *o) {
    int e = 0;
    const char *what = NULL;
    if (fflush(o->f) != 0 || ferror(o->f)) e = errno ? errno : EIO, what = "write failed";
    else if (o->tmp && fsync(fileno(o->f)) != 0) e = errno, what = "fsync failed";
    int c = fclose(o->f);
    o->f = NULL;
    if (!what && c != 0) e = errno, what = "write failed";
    if (!what && !o->tmp) { /* written in place: nothing to rename */
        fu__outfile_abort(o);
        return FU_OK;
    }
    if (!what && rename(o->tmp, o->path) != 0) e = errno, what = "cannot replace the file";
    if (what) {
        int rc = out_fail(o, what, e);
        fu__outfile_abort(o);
        return rc;
    }
    /* make the rename itself durable */
    char *slash = strrchr(o->path, '/');
    if (slash) *slash = '\0';
    int dfd = open(slash ? (slash == o->path ? "/" : o->path) : ".", O_RDONLY);
    if (dfd >= 0) {
        (void)fsync(dfd);
        close(dfd);
    }
    fu__free(o->tmp);
    o->tmp = NULL;
    fu__outfile_abort(o);
    return FU_OK;
}

void fu__outfile_abort(fu__outfile *o) {
    if (o->f) fclose(o->f);
    if (o->tmp) unlink(o->tmp);
    fu__free(o->tmp);
    fu__free(o->path);
    memset(o, 0, sizeof *o);
}

int fu__outfile_write(const char *path, const char *data, size_t len) {
    fu__outfile o;
    int rc = fu__outfile_open(&o, path);
    if (rc) return rc;
    if (len && fwrite(data, 1, len, o.f) != len) {
        int rc2 = out_fail(&o, "write failed", errno);
        fu__outfile_abort(&o);
        return rc2;
    }
    return fu__outfile_commit(&o);
}
