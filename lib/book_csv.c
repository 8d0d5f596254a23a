/* The customers and events CSV formats of the book: reading (header to
 * columns, cells to values, rows to fu__book_customer_add /
 * fu__book_event_add) and writing. docs/formats.md describes the formats. */
#include "book_internal.h"
#include "csv_internal.h"
#include "followup/calendar.h"
#include "followup/redact.h"

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ====================================================== numbers */

/* A strict decimal number: [+-]? (D+ [. D*] | . D+) ([eE] [+-]? D+)?, no
 * spaces, no thousands separators, whatever the C locale. FU_EPARSE /
 * FU_ERANGE without an error message set. */
static int parse_number(const char *s, size_t len, double *out) {
    char tmp[72];
    if (len == 0 || len >= sizeof tmp - 1) return FU_EPARSE;
    size_t i = 0, digits = 0;
    if (s[i] == '+' || s[i] == '-') i++;
    while (i < len && s[i] >= '0' && s[i] <= '9') i++, digits++;
    if (i < len && s[i] == '.') {
        i++;
        while (i < len && s[i] >= '0' && s[i] <= '9') i++, digits++;
    }
    if (!digits) return FU_EPARSE;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-')) i++;
        size_t e0 = i;
        while (i < len && s[i] >= '0' && s[i] <= '9') i++;
        if (i == e0) return FU_EPARSE;
    }
    if (i != len) return FU_EPARSE;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    char *end = NULL;
    double v = strtod(tmp, &end);
    if (end != tmp + len) {
        /* the host set a locale whose decimal point is not '.' */
        const char *dp = localeconv()->decimal_point;
        char *dot = strchr(tmp, '.');
        if (dot && dp && dp[0] && !dp[1]) *dot = dp[0];
        v = strtod(tmp, &end);
        if (end != tmp + len) return FU_EPARSE;
    }
    if (!isfinite(v)) return FU_ERANGE;
    *out = v;
    return FU_OK;
}

/* The shortest of %.15g..%.17g that reads back to `v`, with a '.' point. */
static void format_double(double v, int is_float, char *buf, size_t size) {
    if (v == floor(v) && fabs(v) < 9007199254740992.0 && !(v == 0 && signbit(v))) {
        snprintf(buf, size, "%lld", (long long)v); /* integers: the common case, exact */
        return;
    }
    int lo = is_float ? 6 : 15, hi = is_float ? 9 : 17;
    const char *dp = localeconv()->decimal_point;
    for (int prec = lo; prec <= hi; prec++) {
        snprintf(buf, size, "%.*g", prec, v);
        if (dp && dp[0] && dp[0] != '.' && !dp[1]) {
            char *p = strchr(buf, dp[0]);
            if (p) *p = '.';
        }
        double back;
        if (parse_number(buf, strlen(buf), &back) == FU_OK &&
            (is_float ? (float)back == (float)v : back == v))
            return;
    }
}

/* ====================================================== CSV reading */

typedef struct colspec {
    const char *name;
    int required;
} colspec;

static const colspec CUSTOMER_COLS[CF_COUNT] = {
    {"customer_id", 1}, {"tz", 1},          {"annual_spend", 0},  {"first_purchase_at", 0},
    {"industry", 0},    {"is_smb", 0},      {"preferred_windows", 0}, {"dnd_windows", 0},
    {"consent_phone", 0}, {"consent_sms", 0}, {"consent_email", 0}, {"owner", 0}};

static const colspec EVENT_COLS[EF_COUNT] = {
    {"customer_id", 1}, {"at", 1},       {"kind", 1},    {"order_id", 0}, {"product_class", 0},
    {"unit_price", 0},  {"amount", 0},   {"severity", 0}, {"channel", 0}, {"agent_id", 0},
    {"outcome", 0},     {"score", 0},    {"survey", 0},  {"note", 0}};

static void trim(const char **s, size_t *len) {
    while (*len && ((*s)[0] == ' ' || (*s)[0] == '\t')) (*s)++, (*len)--;
    while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t')) (*len)--;
}

/* Map the header's columns to the format's; col[k] = CSV index or -1. */
static int map_header(fu__csv *r, const colspec *spec, int nspec, long *col) {
    int rc = fu__csv_read_header(r);
    if (rc) return rc;
    for (int k = 0; k < nspec; k++) col[k] = -1;
    size_t nh = fu__csv_header_count(r);
    for (size_t i = 0; i < nh; i++) {
        size_t len;
        const char *name = fu__csv_field(r, i, &len);
        trim(&name, &len);
        for (int k = 0; k < nspec; k++) {
            if (!fu__book_ascii_ieq(name, len, spec[k].name)) continue;
            if (col[k] >= 0)
                return fu__csv_error_at(r, i, FU_EPARSE, "column '%s' appears twice", spec[k].name);
            col[k] = (long)i;
        }
    }
    for (int k = 0; k < nspec; k++)
        if (spec[k].required && col[k] < 0)
            return fu__error_set_at(FU_EPARSE, fu__csv_source(r), fu__csv_record_line(r), 1,
                                    spec[k].name, "missing required column '%s'", spec[k].name);
    return FU_OK;
}

/* A row's field for format column k: text (NUL-terminated) and length;
 * "" when the column is not in the file. */
static const char *cell(const fu__csv *r, const long *col, int k, size_t *len) {
    if (col[k] < 0) {
        *len = 0;
        return "";
    }
    return fu__csv_field(r, (size_t)col[k], len);
}

static int check_width(const fu__csv *r) {
    size_t n = fu__csv_count(r), nh = fu__csv_header_count(r);
    if (n == nh) return FU_OK;
    return fu__error_set_at(FU_EPARSE, fu__csv_source(r), fu__csv_record_end_line(r),
                            fu__csv_record_end_column(r), NULL,
                            "row has %zu field%s, the header has %zu", n, n == 1 ? "" : "s", nh);
}

/* Re-raise the current error (code rc) at format column k, `offset` bytes
 * into the field's text. */
static int reraise_at(const fu__csv *r, const long *col, int k, unsigned long offset, int rc) {
    char msg[768];
    snprintf(msg, sizeof msg, "%s", fu_error_last()->message);
    if (col[k] < 0) return fu__error_set_at(rc, fu__csv_source(r), fu__csv_record_line(r), 0, NULL, "%s", msg);
    size_t i = (size_t)col[k];
    unsigned long c = fu__csv_field_column(r, i);
    /* a quoted field starts one column before its text */
    if (offset) c += offset + (fu__csv_field_quoted(r, i) ? 1 : 0);
    return fu__error_set_at(rc, fu__csv_source(r), fu__csv_field_line(r, i), c,
                            fu__csv_header_name(r, i), "%s", msg);
}

static int read_number(const fu__csv *r, const long *col, int k, double *out) {
    size_t len;
    const char *s = cell(r, col, k, &len);
    trim(&s, &len);
    if (!len) {
        *out = NAN;
        return FU_OK;
    }
    int rc = parse_number(s, len, out);
    if (rc == FU_EPARSE)
        return fu__csv_error_at(r, (size_t)col[k], rc, "not a number: '%.*s' (write 12.5, no separators)",
                                (int)(len > 64 ? 64 : len), s);
    if (rc == FU_ERANGE)
        return fu__csv_error_at(r, (size_t)col[k], rc, "number out of range: '%.*s'",
                                (int)(len > 64 ? 64 : len), s);
    return FU_OK;
}

static int read_time(const fu__csv *r, const long *col, int k, int required, int64_t *out) {
    size_t len;
    const char *s = cell(r, col, k, &len);
    trim(&s, &len);
    if (!len) {
        if (required) return fu__csv_error_at(r, (size_t)col[k], FU_EPARSE, "empty value (required)");
        *out = FU_BOOK_NO_TIME;
        return FU_OK;
    }
    int rc = fu_time_parse(s, len, out);
    if (rc == FU_ENOMEM) return rc;
    if (rc) return reraise_at(r, col, k, 0, rc); /* the calendar's message quotes the text */
    return FU_OK;
}

static int read_tri(const fu__csv *r, const long *col, int k, fu_tristate *out) {
    size_t len;
    const char *s = cell(r, col, k, &len);
    trim(&s, &len);
    int rc = fu_tristate_from_string(s, len, out);
    if (rc) return reraise_at(r, col, k, 0, rc);
    return FU_OK;
}

/* An optional verbatim string: NULL when empty. */
static const char *read_str(const fu__csv *r, const long *col, int k) {
    size_t len;
    const char *s = cell(r, col, k, &len);
    return len ? s : NULL;
}

typedef int (*row_fn)(fu_book *b, fu__csv *r, const long *col);

static int customer_row(fu_book *b, fu__csv *r, const long *col) {
    fu_customer c;
    fu_customer_init(&c);
    size_t len;
    int rc;
    c.id = cell(r, col, CF_ID, &len);
    if (!len) return fu__csv_error_at(r, (size_t)col[CF_ID], FU_EPARSE, "empty customer_id (required)");
    const char *tz = cell(r, col, CF_TZ, &len);
    trim(&tz, &len);
    char tzbuf[128];
    if (!len) return fu__csv_error_at(r, (size_t)col[CF_TZ], FU_EPARSE, "empty tz (required)");
    if (len >= sizeof tzbuf)
        return fu__csv_error_at(r, (size_t)col[CF_TZ], FU_ETIMEZONE, "unknown time zone (too long)");
    memcpy(tzbuf, tz, len);
    tzbuf[len] = '\0';
    c.tz = tzbuf;
    if ((rc = read_number(r, col, CF_SPEND, &c.annual_spend))) return rc;
    if ((rc = read_time(r, col, CF_FIRST, 0, &c.first_purchase_at))) return rc;
    c.industry = read_str(r, col, CF_INDUSTRY);
    if ((rc = read_tri(r, col, CF_SMB, &c.is_smb)) || (rc = read_tri(r, col, CF_CPHONE, &c.consent_phone)) ||
        (rc = read_tri(r, col, CF_CSMS, &c.consent_sms)) || (rc = read_tri(r, col, CF_CEMAIL, &c.consent_email)))
        return rc;
    c.preferred_windows = read_str(r, col, CF_PREF);
    c.dnd_windows = read_str(r, col, CF_DND);
    c.owner = read_str(r, col, CF_OWNER);
    fu__book_bad bad;
    rc = fu__book_customer_add(b, &c, &bad);
    if (rc && rc != FU_ENOMEM && bad.field >= 0) return reraise_at(r, col, bad.field, bad.offset, rc);
    return rc;
}

static int read_enum(const fu__csv *r, const long *col, int k,
                     int (*parse)(const char *, size_t, void *), void *out) {
    size_t len;
    const char *s = cell(r, col, k, &len);
    trim(&s, &len);
    int rc = parse(s, len, out);
    if (rc) return reraise_at(r, col, k, 0, rc);
    return FU_OK;
}

/* Adapters with a common signature for read_enum. */
static int p_sev(const char *s, size_t n, void *o) { return fu_severity_from_string(s, n, o); }
static int p_chan(const char *s, size_t n, void *o) { return fu_channel_from_string(s, n, o); }
static int p_out(const char *s, size_t n, void *o) { return fu_outcome_from_string(s, n, o); }
static int p_surv(const char *s, size_t n, void *o) { return fu_survey_from_string(s, n, o); }

static int event_row(fu_book *b, fu__csv *r, const long *col) {
    fu_event_in e;
    fu_event_in_init(&e);
    size_t len;
    int rc;
    e.customer_id = cell(r, col, EF_CUST, &len);
    if (!len) return fu__csv_error_at(r, (size_t)col[EF_CUST], FU_EPARSE, "empty customer_id (required)");
    fu__book_prefetch(b, e.customer_id, len);
    const char *order = cell(r, col, EF_ORDER, &len);
    fu__book_prefetch(b, order, len);
    if ((rc = read_time(r, col, EF_AT, 1, &e.at))) return rc;
    const char *kind = cell(r, col, EF_KIND, &len);
    trim(&kind, &len);
    if (!len) return fu__csv_error_at(r, (size_t)col[EF_KIND], FU_EPARSE, "empty kind (required)");
    rc = fu_event_kind_from_string(kind, len, &e.kind);
    if (rc == FU_EPARSE && (fu__book_flags(b) & FU_BOOK_SKIP_UNKNOWN_KINDS)) {
        fu__book_count_skipped(b);
        return FU_OK;
    }
    if (rc) return reraise_at(r, col, EF_KIND, 0, rc);
    e.order_id = read_str(r, col, EF_ORDER);
    e.product_class = read_str(r, col, EF_PCLASS);
    e.agent_id = read_str(r, col, EF_AGENT);
    e.note = read_str(r, col, EF_NOTE);
    if ((rc = read_number(r, col, EF_UNIT, &e.unit_price)) || (rc = read_number(r, col, EF_AMOUNT, &e.amount)) ||
        (rc = read_number(r, col, EF_SCORE, &e.score)) || (rc = read_enum(r, col, EF_SEV, p_sev, &e.severity)) ||
        (rc = read_enum(r, col, EF_CHAN, p_chan, &e.channel)) ||
        (rc = read_enum(r, col, EF_OUTCOME, p_out, &e.outcome)) ||
        (rc = read_enum(r, col, EF_SURVEY, p_surv, &e.survey)))
        return rc;
    fu__book_bad bad;
    rc = fu__book_event_add(b, &e, &bad);
    if (rc && rc != FU_ENOMEM && bad.field >= 0) return reraise_at(r, col, bad.field, 0, rc);
    return rc;
}

static int read_csv(fu_book *b, fu__csv *r, const colspec *spec, int nspec, row_fn row, int finalize) {
    long col[(int)EF_COUNT > (int)CF_COUNT ? (int)EF_COUNT : (int)CF_COUNT];
    fu__book_mark m = fu__book_begin(b);
    int rc = map_header(r, spec, nspec, col);
    while (rc == FU_OK) {
        rc = fu__csv_next(r);
        if (rc <= 0) break;
        rc = check_width(r);
        if (rc == FU_OK) rc = row(b, r, col);
    }
    if (rc == FU_OK && finalize) rc = fu_book_finalize(b);
    if (rc) fu__book_rollback(b, &m);
    fu__csv_close(r);
    return rc;
}

static int open_mem(const fu_book *b, const char *text, size_t len, const char *source, fu__csv **r) {
    size_t max_record, max_field;
    fu__book_limits(b, &max_record, &max_field);
    return fu__csv_open_mem(text, len, source, max_record, max_field, r);
}

int fu_book_read_customers_csv(fu_book *b, const char *path) {
    if (!b || !path) return fu__error_set(FU_EINVAL, "book or path is NULL");
    if (fu__book_check_free(b, "fu_book_read_customers_csv")) return FU_ESTATE;
    fu__csv *r;
    size_t max_record, max_field;
    fu__book_limits(b, &max_record, &max_field);
    int rc = fu__csv_open_file(path, max_record, max_field, &r);
    if (rc) return rc;
    return read_csv(b, r, CUSTOMER_COLS, CF_COUNT, customer_row, 0);
}

int fu_book_read_customers_csv_from_string(fu_book *b, const char *text, size_t len, const char *source) {
    if (!b || (!text && len)) return fu__error_set(FU_EINVAL, "book or text is NULL");
    if (fu__book_check_free(b, "fu_book_read_customers_csv_from_string")) return FU_ESTATE;
    fu__csv *r;
    int rc = open_mem(b, text, len, source, &r);
    if (rc) return rc;
    return read_csv(b, r, CUSTOMER_COLS, CF_COUNT, customer_row, 0);
}

int fu_book_read_events_csv(fu_book *b, const char *path) {
    if (!b || !path) return fu__error_set(FU_EINVAL, "book or path is NULL");
    if (fu__book_check_free(b, "fu_book_read_events_csv")) return FU_ESTATE;
    fu__csv *r;
    size_t max_record, max_field;
    fu__book_limits(b, &max_record, &max_field);
    int rc = fu__csv_open_file(path, max_record, max_field, &r);
    if (rc) return rc;
    return read_csv(b, r, EVENT_COLS, EF_COUNT, event_row, 1);
}

int fu_book_read_events_csv_from_string(fu_book *b, const char *text, size_t len, const char *source) {
    if (!b || (!text && len)) return fu__error_set(FU_EINVAL, "book or text is NULL");
    if (fu__book_check_free(b, "fu_book_read_events_csv_from_string")) return FU_ESTATE;
    fu__csv *r;
    int rc = open_mem(b, text, len, source, &r);
    if (rc) return rc;
    return read_csv(b, r, EVENT_COLS, EF_COUNT, event_row, 1);
}

/* ====================================================== CSV writing */

#define FLUSH_AT ((size_t)1 << 20)

static int put_time(fu__buf *o, int64_t t) {
    if (t == FU_BOOK_NO_TIME) return fu__csv_put(o, 0, NULL, 0);
    char tb[FU_TIME_TEXT_SIZE];
    int rc = fu_time_format(t, 0, FU_TIME_FORMAT_Z, tb, sizeof tb);
    if (rc) return rc;
    return fu__csv_puts(o, 0, tb);
}

static int put_num(fu__buf *o, double v, int is_float) {
    if (isnan(v)) return fu__csv_put(o, 0, NULL, 0);
    char nb[40];
    format_double(v, is_float, nb, sizeof nb);
    return fu__csv_putf(o, 0, nb, FU__CSV_NUMBER);
}

static int put_header(fu__buf *o, const colspec *spec, int n) {
    int rc = FU_OK;
    for (int k = 0; k < n && rc == FU_OK; k++) rc = fu__csv_puts(o, k == 0, spec[k].name);
    return rc ? rc : fu__csv_end(o);
}

/* What a writer carries from line to line: the redactor that masks the
 * events' notes (made on the first note, so books without notes pay nothing)
 * and the last note masked (notes are interned: repeats share an id). */
typedef struct write_ctx {
    fu_redactor *red;
    uint32_t last_note;
    char *last_masked;
    unsigned int cell; /* FU__CSV_RAW with FU_BOOK_WRITE_RAW_CELLS: text cells as stored */
    int ncols;         /* columns written (customers: `owner` only when a customer has one) */
} write_ctx;

static void write_ctx_fini(write_ctx *w) {
    fu_redactor_free(w->red);
    fu__free(w->last_masked);
}

static int customer_line(const fu_book *b, size_t i, write_ctx *w, fu__buf *o) {
    const fu_customer *c = fu_book_customer(b, i);
    int rc;
    if ((rc = fu__csv_putf(o, 1, c->id, w->cell)) || (rc = fu__csv_putf(o, 0, c->tz, w->cell)) ||
        (rc = put_num(o, c->annual_spend, 0)) || (rc = put_time(o, c->first_purchase_at)) ||
        (rc = fu__csv_putf(o, 0, c->industry, w->cell)) ||
        (rc = fu__csv_putf(o, 0, fu_tristate_name(c->is_smb), w->cell)) ||
        (rc = fu__csv_putf(o, 0, c->preferred_windows, w->cell)) ||
        (rc = fu__csv_putf(o, 0, c->dnd_windows, w->cell)) ||
        (rc = fu__csv_putf(o, 0, fu_tristate_name(c->consent_phone), w->cell)) ||
        (rc = fu__csv_putf(o, 0, fu_tristate_name(c->consent_sms), w->cell)) ||
        (rc = fu__csv_putf(o, 0, fu_tristate_name(c->consent_email), w->cell)) ||
        (w->ncols > CF_OWNER && (rc = fu__csv_putf(o, 0, c->owner, w->cell))))
        return rc;
    return fu__csv_end(o);
}

/* The note column: masked with the default redactor unless the host opted
 * out with FU_BOOK_WRITE_RAW_NOTES. A note that cannot be masked (a match
 * limit) fails the write: it is never written unmasked. */
static int put_note(const fu_book *b, uint32_t id, write_ctx *w, fu__buf *o) {
    const char *note = fu_book_string(b, id);
    if (!note || !*note || (fu__book_flags(b) & FU_BOOK_WRITE_RAW_NOTES)) return fu__csv_putf(o, 0, note, w->cell);
    if (id != w->last_note || !w->last_masked) {
        int rc = w->red ? FU_OK : fu_redactor_new(&w->red, NULL);
        char *m = NULL;
        if (rc == FU_OK) rc = fu_redactor_apply(w->red, note, strlen(note), NULL, &m);
        if (rc != FU_OK) return rc;
        fu__free(w->last_masked);
        w->last_masked = m;
        w->last_note = id;
    }
    return fu__csv_putf(o, 0, w->last_masked, w->cell);
}

static int event_line(const fu_book *b, size_t i, write_ctx *w, fu__buf *o) {
    const fu_event *e = &fu_book_events(b, NULL)[i];
    int rc;
    if ((rc = fu__csv_putf(o, 1, fu_book_customer(b, e->customer)->id, w->cell)) || (rc = put_time(o, e->at)) ||
        (rc = fu__csv_putf(o, 0, fu_event_kind_name((fu_event_kind)e->kind), w->cell)) ||
        (rc = fu__csv_putf(o, 0, fu_book_string(b, e->order_id), w->cell)) ||
        (rc = fu__csv_putf(o, 0, fu_book_string(b, e->product_class), w->cell)) ||
        (rc = put_num(o, e->unit_price, 0)) || (rc = put_num(o, e->amount, 0)) ||
        (rc = fu__csv_putf(o, 0, fu_severity_name((fu_severity)e->severity), w->cell)) ||
        (rc = fu__csv_putf(o, 0, fu_channel_name((fu_channel)e->channel), w->cell)) ||
        (rc = fu__csv_putf(o, 0, fu_book_string(b, e->agent_id), w->cell)) ||
        (rc = fu__csv_putf(o, 0, fu_outcome_name((fu_outcome)e->outcome), w->cell)) ||
        (rc = put_num(o, e->score, 1)) ||
        (rc = fu__csv_putf(o, 0, fu_survey_name((fu_survey)e->survey), w->cell)) ||
        (rc = put_note(b, e->note, w, o)))
        return rc;
    return fu__csv_end(o);
}

typedef int (*line_fn)(const fu_book *b, size_t i, write_ctx *w, fu__buf *o);

/* Write header + n lines to `f` (flushing as it goes) or keep them in `o`. */
static int write_all(const fu_book *b, const colspec *spec, int nspec, size_t n, line_fn line, fu__buf *o,
                     FILE *f, const char *path) {
    write_ctx w = {NULL, 0, NULL, (fu__book_flags(b) & FU_BOOK_WRITE_RAW_CELLS) ? FU__CSV_RAW : 0u, nspec};
    int rc = put_header(o, spec, nspec);
    for (size_t i = 0; i < n && rc == FU_OK; i++) {
        rc = line(b, i, &w, o);
        if (rc == FU_OK && f && o->len >= FLUSH_AT) rc = fu__csv_flush(o, f, path);
    }
    if (rc == FU_OK && f) rc = fu__csv_flush(o, f, path);
    write_ctx_fini(&w);
    return rc;
}

static int write_file(const fu_book *b, const char *path, const colspec *spec, int nspec, size_t n,
                      line_fn line) {
    if (!b || !path) return fu__error_set(FU_EINVAL, "book or path is NULL");
    fu__outfile f;
    int rc = fu__outfile_open(&f, path);
    if (rc) return rc;
    fu__buf o = FU__BUF_INIT;
    rc = write_all(b, spec, nspec, n, line, &o, f.f, path);
    fu__buf_free(&o);
    if (rc) fu__outfile_abort(&f); /* an existing file at `path` stays as it was */
    else rc = fu__outfile_commit(&f);
    return rc;
}

static int write_string(const fu_book *b, size_t *len, char **out, const colspec *spec, int nspec, size_t n,
                        line_fn line) {
    if (!out) return fu__error_set(FU_EINVAL, "out is NULL");
    *out = NULL;
    if (!b) return fu__error_set(FU_EINVAL, "book is NULL");
    fu__buf o = FU__BUF_INIT;
    int rc = write_all(b, spec, nspec, n, line, &o, NULL, NULL);
    if (rc) {
        fu__buf_free(&o);
        return rc;
    }
    size_t l = o.len;
    char *s = fu__buf_detach(&o);
    if (!s) return fu__error_nomem();
    if (len) *len = l;
    *out = s;
    return FU_OK;
}

/* The `owner` column is written when a customer has an owner: books without
 * owners keep the columns they always had. */
static int customer_cols(const fu_book *b) {
    for (size_t i = 0; b && i < fu_book_customer_count(b); i++) {
        const char *owner = fu_book_customer(b, i)->owner;
        if (owner && owner[0]) return CF_COUNT;
    }
    return CF_OWNER;
}

int fu_book_write_customers_csv(const fu_book *b, const char *path) {
    return write_file(b, path, CUSTOMER_COLS, customer_cols(b), fu_book_customer_count(b), customer_line);
}

int fu_book_write_customers_csv_to_string(const fu_book *b, size_t *len, char **out) {
    return write_string(b, len, out, CUSTOMER_COLS, customer_cols(b), fu_book_customer_count(b), customer_line);
}

int fu_book_write_events_csv(const fu_book *b, const char *path) {
    return write_file(b, path, EVENT_COLS, EF_COUNT, fu_book_event_count(b), event_line);
}

int fu_book_write_events_csv_to_string(const fu_book *b, size_t *len, char **out) {
    return write_string(b, len, out, EVENT_COLS, EF_COUNT, fu_book_event_count(b), event_line);
}
