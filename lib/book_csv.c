/* The customers and events CSV formats of the book: reading (header to
 * columns, cells to values, rows to fu__book_customer_add /
 * fu__book_event_add) and writing. docs/formats.md describes the formats. */
#include "book_internal.h"
#include "book_ids.h"
#include "bytes_internal.h"
#include "csv_internal.h"
#include "followup/calendar.h"
#include "followup/planner.h"
#include "followup/redact.h"
#include "calendar_internal.h"
#include "errtext.h"

#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ====================================================== numbers */

/* A strict decimal number: [+-]? (D+ [. D*] | . D+) ([eE] [+-]? D+)?, no
 * spaces, no thousands separators, whatever the C locale. FU_EPARSE /
 * FU_ERANGE without an error message set. */
static int parse_number(const char *s, size_t len, double *out);

/* [+-]? digits with at most one '.', 1 to 15 digits: the digits as an
 * integer are exact in a double and so is 10^(digits after the point), so
 * their quotient, rounded once, is what strtod() gives. 1 and the value, or
 * 0 and strtod() decides. */
static int fast_number(const char *s, size_t len, double *out) {
    static const double P10[16] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    size_t i = 0;
    int neg = 0, nd = 0, frac = 0, dot = 0;
    uint64_t m = 0;
    if (len && (s[0] == '+' || s[0] == '-')) neg = s[i++] == '-';
    for (; i < len; i++) {
        unsigned d = (unsigned)(unsigned char)s[i] - '0';
        if (d < 10) {
            m = m * 10 + d;
            nd++;
            frac += dot;
        } else if (s[i] == '.' && !dot) {
            dot = 1;
        } else {
            return 0;
        }
        if (nd > 15) return 0;
    }
    if (!nd) return 0;
    double v = (double)m / P10[frac];
    *out = neg ? -v : v;
    return 1;
}

static int parse_number(const char *s, size_t len, double *out) {
    char tmp[72];
    if (len == 0 || len >= sizeof tmp - 1) return FU_EPARSE;
    if (fast_number(s, len, out)) return FU_OK;
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
    {"outcome", 0},     {"score", 0},    {"survey", 0},  {"note", 0},     {"priority", 0}};

/* The row readers are inlined into each reader's row function, where the
 * compiler sees whether the row is a block's (no messages) or the serial
 * reader's. */
#if defined(__GNUC__)
#define ROW_INLINE static inline __attribute__((always_inline))
#else
#define ROW_INLINE static inline
#endif

static inline void trim(const char **s, size_t *len) {
    if (!*len || ((unsigned char)((*s)[0] - 1) >= ' ' && (unsigned char)((*s)[*len - 1] - 1) >= ' ')) return;
    while (*len && ((*s)[0] == ' ' || (*s)[0] == '\t')) (*s)++, (*len)--;
    while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t')) (*len)--;
}

/* Why a required column may be missing: the file was written with another
 * separator (Excel in many locales writes ';'), so the whole header is one
 * column holding ';' or tabs. "" when the header does not look like that. */
static const char *separator_hint(const fu__csv *r) {
    const char *h = fu__csv_header_count(r) == 1 ? fu__csv_header_name(r, 0) : NULL;
    if (h && strchr(h, ';')) return " (the header is separated by ';': the reader needs ',')";
    if (h && strchr(h, '\t')) return " (the header is separated by tabs: the reader needs ',')";
    return "";
}

/* Map the header's columns to the format's; col[k] = CSV index or -1. */
static int map_header(fu__csv *r, const colspec *spec, int nspec, long *col) {
    int rc = fu__csv_read_header(r);
    if (rc) return rc;
    for (int k = 0; k < nspec; k++) col[k] = -1;
    size_t nh = fu__csv_header_count(r);
    for (size_t i = 0; i < nh; i++) {
        for (int k = 0; k < nspec; k++) {
            if (!fu__csv_header_is(r, i, spec[k].name)) continue;
            if (col[k] >= 0)
                return fu__csv_error_at(r, i, FU_EPARSE, "column '%s' appears twice", spec[k].name);
            col[k] = (long)i;
        }
    }
    for (int k = 0; k < nspec; k++)
        if (spec[k].required && col[k] < 0)
            return fu__error_set_at(FU_EPARSE, fu__csv_source(r), fu__csv_record_line(r), 1, spec[k].name,
                                    "missing required column '%s'%s", spec[k].name, separator_hint(r));
    return FU_OK;
}

/* A row being read: from the serial reader (errors name the file, line,
 * column and header) or from a block split in place by fu__csv_split()
 * (cells/lens; errors carry no message: the caller then reads the input
 * again with the serial reader, which reports them). col: the file's column
 * of each format column, -1 when the file lacks it (a block's row: the
 * split's empty cell, ncols, instead). */
typedef struct rowv {
    const fu__csv *r;
    const long *col;
    char *const *cells;
    const size_t *lens;
} rowv;

/* A row's field for format column k: text (NUL-terminated) and length;
 * "" when the column is not in the file. */
ROW_INLINE const char *cell(const rowv *rw, int k, size_t *len) {
    long c = rw->col[k];
    if (!rw->r) { /* a block's row: a column the file lacks names the empty cell */
        *len = rw->lens[c];
        return rw->cells[c];
    }
    if (c < 0) {
        *len = 0;
        return "";
    }
    return fu__csv_field(rw->r, (size_t)c, len);
}

static int row_error(const rowv *rw, int k, int code, const char *fmt, ...) FU_PRINTF(4, 5);
static int row_error(const rowv *rw, int k, int code, const char *fmt, ...) {
    if (!rw->r) return code;
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return fu__csv_error_at(rw->r, (size_t)rw->col[k], code, "%s", msg);
}

/* row_error() with the message pre'cell'post, the cell s[0..len) quoted by
 * fu__errtext_cell() (digit runs masked, control characters escaped: review
 * s9 F2). Kept out of line: the row readers inline their fast paths. */
#if defined(__GNUC__)
__attribute__((noinline, cold))
#endif
static int row_cell_error(const rowv *rw, int k, int code, const char *pre, const char *s, size_t len,
                          const char *post) {
    char q[FU_ERRTEXT_CELL_CAP];
    return row_error(rw, k, code, "%s'%s'%s", pre, fu__errtext_cell(q, sizeof q, s, len), post);
}

/* Re-raise the current error (code rc) at format column k, `offset` bytes
 * into the field's text. */
static int reraise_at(const rowv *rw, int k, unsigned long offset, int rc) {
    const fu__csv *r = rw->r;
    if (!r) return rc;
    char msg[768];
    snprintf(msg, sizeof msg, "%s", fu_error_last()->message);
    if (rw->col[k] < 0) return fu__error_set_at(rc, fu__csv_source(r), fu__csv_record_line(r), 0, NULL, "%s", msg);
    size_t i = (size_t)rw->col[k];
    unsigned long c = fu__csv_field_column(r, i);
    /* a quoted field starts one column before its text */
    if (offset) c += offset + (fu__csv_field_quoted(r, i) ? 1 : 0);
    return fu__error_set_at(rc, fu__csv_source(r), fu__csv_field_line(r, i), c,
                            fu__csv_header_name(r, i), "%s", msg);
}

ROW_INLINE int read_number(const rowv *rw, int k, double *out) {
    size_t len;
    const char *s = cell(rw, k, &len);
    /* a cell fast_number() takes has no blank at its ends: trim() keeps it */
    if (len && fast_number(s, len, out)) return FU_OK;
    trim(&s, &len);
    if (!len) {
        *out = NAN;
        return FU_OK;
    }
    int rc = parse_number(s, len, out);
    if (rc == FU_EPARSE) return row_cell_error(rw, k, rc, "not a number: ", s, len, " (write 12.5, no separators)");
    if (rc == FU_ERANGE) return row_cell_error(rw, k, rc, "number out of range: ", s, len, "");
    return FU_OK;
}

static int two(const unsigned char *u) { return (u[0] - '0') * 10 + (u[1] - '0'); }

/* Whole words on little-endian hosts (the byte order the word tests below
 * assume), a byte at a time elsewhere. */
#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define FU_CSV_WORDS 1
#else
#define FU_CSV_WORDS 0
static int digit(unsigned char c) { return (unsigned)(c - '0') <= 9; }
#endif

/* Whether u[0..15] is "DDDD-DD-DD?DD?DD" (D a digit). Eight lanes at a time
 * on little-endian hosts: a digit lane is 0x30..0x39, that is 0x3? and, 6
 * added, still 0x3? (no lane carries into the next). */
static int digits16(const unsigned char *u) {
#if FU_CSV_WORDS
    const uint64_t M0 = 0x00FFFF00FFFFFFFFull, M1 = 0xFFFF00FFFF00FFFFull; /* the digit lanes */
    const uint64_t HI = 0xF0F0F0F0F0F0F0F0ull, THREE = 0x3030303030303030ull, SIX = 0x0606060606060606ull;
    uint64_t w0, w1;
    memcpy(&w0, u, 8);
    memcpy(&w1, u + 8, 8);
    return (w0 & ~M0) == 0x2D00002D00000000ull && /* '-' in lanes 4 and 7 */
           (w0 & HI & M0) == (THREE & M0) && ((w0 + (SIX & M0)) & HI & M0) == (THREE & M0) &&
           (w1 & HI & M1) == (THREE & M1) && ((w1 + (SIX & M1)) & HI & M1) == (THREE & M1);
#else
    static const unsigned char D[] = {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15};
    for (size_t i = 0; i < sizeof D; i++)
        if (!digit(u[D[i]])) return 0;
    return u[4] == '-' && u[7] == '-';
#endif
}

/* The date of the last time a reader's fast path took (its first 10 bytes,
 * "YYYY-MM-DD", already checked) and its day number: the times of an events
 * file come day after day, so most rows repeat the date before. */
typedef struct time_memo {
    uint64_t head; /* bytes 0..7 */
    uint16_t tail; /* bytes 8..9 */
    int have;
    int64_t days;
    /* the zone of the last time whose zone was checked: its bytes (19..24,
     * zone_key()), the time's length (20 or 25; 0: none) and offset */
    uint64_t zone;
    size_t zone_len;
    int zone_off;
} time_memo;

#if FU_CSV_WORDS
/* Whether the 8 bytes of w (little-endian) are "DD?DD:DD" (D a digit, ? any
 * byte): then *a, *b and *c are the three two-digit numbers. Each digit
 * lane, less '0', is 0..9; times 10 plus the next lane's is 0..99, so no lane
 * carries into the next. (The clock "HH:MM:SS" and "SS+HH:MM" of a zone.) */
static inline int clock_word(uint64_t w, int *a, int *b, int *c) {
    const uint64_t DM = 0xFFFF00FFFF00FFFFull; /* lanes 0, 1, 3, 4, 6, 7 */
    const uint64_t HI = 0xF0F0F0F0F0F0F0F0ull, THREE = 0x3030303030303030ull, SIX = 0x0606060606060606ull;
    if ((w & 0x0000FF0000000000ull) != 0x00003A0000000000ull) return 0; /* ':' in lane 5 */
    if ((w & HI & DM) != (THREE & DM) || ((w + (SIX & DM)) & HI & DM) != (THREE & DM)) return 0;
    uint64_t d = (w & DM) - (THREE & DM);
    uint64_t t = d * 10 + (d >> 8);
    *a = (int)(t & 0xFF);
    *b = (int)(t >> 24 & 0xFF);
    *c = (int)(t >> 48 & 0xFF);
    return 1;
}

/* The zone's bytes of a time of `len` bytes (20 or 25): byte 19, or bytes
 * 19..24 (read as the word of bytes 17..24, the seconds shifted out). */
static inline uint64_t zone_key(const unsigned char *u, size_t len) {
    uint64_t w;
    if (len == 20) return u[19];
    memcpy(&w, u + 17, 8);
    return w >> 16;
}

/* The zone (bytes 19..24) of a fast_time() shape: 1 and its offset in
 * seconds, or 0. A zone of the same bytes as the memo's (checked when it
 * took them) is the memo's offset. */
ROW_INLINE int fast_zone(const unsigned char *u, size_t len, int *off, time_memo *tm) {
    uint64_t key = zone_key(u, len);
    if (tm && tm->zone_len == len && tm->zone == key) {
        *off = tm->zone_off;
        return 1;
    }
    *off = 0;
    if (len == 20) {
        if (u[19] != 'Z' && u[19] != 'z') return 0;
    } else {
        int s2, oh, om;
        uint64_t w;
        memcpy(&w, u + 17, 8);
        if ((u[19] != '+' && u[19] != '-') || !clock_word(w, &s2, &oh, &om)) return 0; /* ':' at 22 */
        if (om > 59 || oh * 60 + om > 18 * 60) return 0;
        *off = (u[19] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
    }
    if (tm) tm->zone = key, tm->zone_len = len, tm->zone_off = *off;
    return 1;
}

/* The time of day (bytes 10..18) and the zone (19..24) of a fast_time()
 * shape: 1 and its seconds (less the zone's offset), or 0. */
ROW_INLINE int fast_clock(const unsigned char *u, size_t len, int64_t *secs, time_memo *tm) {
    uint64_t w;
    int h, mi, se, off;
    memcpy(&w, u + 11, 8);
    if ((w & 0xFF0000) != 0x3A0000 || !clock_word(w, &h, &mi, &se)) return 0; /* ':' at 13 and 16 */
    if (h > 23 || mi > 59 || se > 59) return 0;
    if (u[10] != 'T' && u[10] != 't' && u[10] != ' ') return 0;
    if (!fast_zone(u, len, &off, tm)) return 0;
    *secs = (int64_t)h * 3600 + mi * 60 + se - off;
    return 1;
}
#else
static int fast_clock(const unsigned char *u, size_t len, int64_t *secs, time_memo *tm) {
    (void)tm;
    if (!digit(u[11]) || !digit(u[12]) || !digit(u[14]) || !digit(u[15]) || !digit(u[17]) || !digit(u[18]))
        return 0;
    if ((u[10] != 'T' && u[10] != 't' && u[10] != ' ') || u[13] != ':' || u[16] != ':') return 0;
    int off = 0;
    if (len == 20) {
        if (u[19] != 'Z' && u[19] != 'z') return 0;
    } else {
        if ((u[19] != '+' && u[19] != '-') || u[22] != ':') return 0;
        if (!digit(u[20]) || !digit(u[21]) || !digit(u[23]) || !digit(u[24])) return 0;
        int oh = two(u + 20), om = two(u + 23);
        if (om > 59 || oh * 60 + om > 18 * 60) return 0;
        off = (u[19] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
    }
    int h = two(u + 11), mi = two(u + 14), se = two(u + 17);
    if (h > 23 || mi > 59 || se > 59) return 0;
    *secs = (int64_t)h * 3600 + mi * 60 + se - off;
    return 1;
}
#endif

/* The common shapes of fu_time_parse(), YYYY-MM-DDTHH:MM:SSZ and
 * YYYY-MM-DDTHH:MM:SS+HH:MM, with every value in range: 1 and the time (the
 * value fu_time_parse() gives), or 0 and fu_time_parse() decides. `tm`: the
 * reader's date memo, or NULL: ten bytes equal to the memo's were checked
 * when it took them. */
ROW_INLINE int fast_time(const char *s, size_t len, int64_t *out, time_memo *tm) {
    static const unsigned char MDAYS[] = {0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const unsigned char *u = (const unsigned char *)s;
    int64_t clock;
    if ((len != 20 && len != 25) || !fast_clock(u, len, &clock, tm)) return 0;
    uint64_t head;
    uint16_t tail;
    memcpy(&head, u, 8);
    memcpy(&tail, u + 8, 2);
    int64_t days;
    if (tm && tm->have && tm->head == head && tm->tail == tail) {
        days = tm->days; /* the same ten bytes: checked and counted before */
    } else {
        if (!digits16(u)) return 0;
        int y = two(u) * 100 + two(u + 2), mo = two(u + 5), d = two(u + 8);
        if (y < 2 || y > 9998 || mo < 1 || mo > 12 || d < 1) return 0;
        int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        if (d > MDAYS[mo] + (mo == 2 && leap)) return 0;
        days = fu__days_from_civil(y, mo, d);
        if (tm) tm->head = head, tm->tail = tail, tm->have = 1, tm->days = days;
    }
    *out = days * 86400 + clock;
    return 1;
}

int fu__book_csv_fast_time(const char *s, size_t len, int64_t *out) { return fast_time(s, len, out, NULL); }

int fu__book_csv_fast_time_memo(const char *s, size_t len, int64_t *out, int forget) {
    static time_memo tm; /* the tests' (one thread) */
    if (forget) memset(&tm, 0, sizeof tm);
    return fast_time(s, len, out, &tm);
}

ROW_INLINE int read_time(const rowv *rw, int k, int required, int64_t *out, time_memo *tm) {
    size_t len;
    const char *s = cell(rw, k, &len);
    if (fast_time(s, len, out, tm)) return FU_OK; /* its shapes have no blank at their ends */
    trim(&s, &len);
    if (!len) {
        if (required) return row_error(rw, k, FU_EPARSE, "empty value (required)");
        *out = FU_BOOK_NO_TIME;
        return FU_OK;
    }
    if (fast_time(s, len, out, tm)) return FU_OK;
    int rc = fu_time_parse(s, len, out);
    if (rc == FU_ENOMEM) return rc;
    if (rc) return reraise_at(rw, k, 0, rc); /* the calendar's message quotes the text */
    return FU_OK;
}

static int read_tri(const rowv *rw, int k, fu_tristate *out) {
    size_t len;
    const char *s = cell(rw, k, &len);
    trim(&s, &len);
    int rc = fu_tristate_from_string(s, len, out);
    if (rc) return reraise_at(rw, k, 0, rc);
    return FU_OK;
}

/* An optional verbatim string: NULL when empty. */
ROW_INLINE const char *read_str(const rowv *rw, int k) {
    size_t len;
    const char *s = cell(rw, k, &len);
    return len ? s : NULL;
}

typedef int (*row_fn)(fu_book *b, const rowv *rw);

static int customer_row(fu_book *b, const rowv *rw) {
    fu_customer c;
    fu_customer_init(&c);
    size_t len;
    int rc;
    c.id = cell(rw, CF_ID, &len);
    if (!len) return row_error(rw, CF_ID, FU_EPARSE, "empty customer_id (required)");
    unsigned long inv;
    if ((rc = fu__id_check_invisible(c.id, len, &inv))) return reraise_at(rw, CF_ID, inv, rc); /* review s13 I20 */
    const char *tz = cell(rw, CF_TZ, &len);
    trim(&tz, &len);
    char tzbuf[128];
    if (!len) return row_error(rw, CF_TZ, FU_EPARSE, "empty tz (required)");
    if (len >= sizeof tzbuf) return row_error(rw, CF_TZ, FU_ETIMEZONE, "unknown time zone (too long)");
    memcpy(tzbuf, tz, len);
    tzbuf[len] = '\0';
    c.tz = tzbuf;
    if ((rc = read_number(rw, CF_SPEND, &c.annual_spend))) return rc;
    if ((rc = read_time(rw, CF_FIRST, 0, &c.first_purchase_at, NULL))) return rc;
    c.industry = read_str(rw, CF_INDUSTRY);
    if ((rc = read_tri(rw, CF_SMB, &c.is_smb)) || (rc = read_tri(rw, CF_CPHONE, &c.consent_phone)) ||
        (rc = read_tri(rw, CF_CSMS, &c.consent_sms)) || (rc = read_tri(rw, CF_CEMAIL, &c.consent_email)))
        return rc;
    c.preferred_windows = read_str(rw, CF_PREF);
    c.dnd_windows = read_str(rw, CF_DND);
    c.owner = read_str(rw, CF_OWNER);
    fu__book_bad bad;
    rc = fu__book_customer_add(b, &c, &bad);
    if (rc && rc != FU_ENOMEM && bad.field >= 0) return reraise_at(rw, bad.field, bad.offset, rc);
    return rc;
}

/* The enum columns repeat a few words: each column keeps the words met and
 * their values in MEMO_N slots, a word's slot chosen by its length and its
 * first and last bytes (no two names of one enum share a slot; a word met
 * later takes the slot of one met before). Per reader, not shared between
 * threads. */
#define MEMO_N 32
typedef struct enum_memo {
    char text[MEMO_N][14];
    unsigned char len[MEMO_N]; /* the word's length + 1; 0: an empty slot */
    int value[MEMO_N];
} enum_memo;

static inline unsigned memo_slot(const char *s, size_t len) {
    if (!len) return 0;
    return (unsigned)(len * 17 + (unsigned char)s[0] * 2u + (unsigned char)s[len - 1]) & (MEMO_N - 1);
}

static inline int memo_find(const enum_memo *m, const char *s, size_t len, int *out) {
    if (!m) return 0;
    if (!len) { /* most enum cells: the empty word (slot 0 when remembered) */
        if (m->len[0] != 1) return 0;
        *out = m->value[0];
        return 1;
    }
    unsigned i = memo_slot(s, len);
    if (m->len[i] != len + 1 || !fu__same_short(m->text[i], s, len)) return 0;
    *out = m->value[i];
    return 1;
}

static void memo_put(enum_memo *m, const char *s, size_t len, int value) {
    if (!m || len > sizeof m->text[0]) return;
    unsigned i = memo_slot(s, len);
    memcpy(m->text[i], s, len);
    m->len[i] = (unsigned char)(len + 1);
    m->value[i] = value;
}

ROW_INLINE int read_enum(const rowv *rw, int k, int (*parse)(const char *, size_t, void *), void *out,
                     enum_memo *memo) {
    size_t len;
    const char *s = cell(rw, k, &len);
    /* a remembered word was trimmed (no blank at its ends): the cell as it
     * is first, trimmed only when it is not one */
    if (memo_find(memo, s, len, out)) return FU_OK;
    trim(&s, &len);
    if (memo_find(memo, s, len, out)) return FU_OK;
    int rc = parse(s, len, out);
    if (rc) return reraise_at(rw, k, 0, rc);
    memo_put(memo, s, len, *(int *)out);
    return FU_OK;
}

/* Adapters with a common signature for read_enum (every enum is an int). */
static int p_sev(const char *s, size_t n, void *o) { return fu_severity_from_string(s, n, o); }
static int p_chan(const char *s, size_t n, void *o) { return fu_channel_from_string(s, n, o); }
static int p_out(const char *s, size_t n, void *o) { return fu_outcome_from_string(s, n, o); }
static int p_surv(const char *s, size_t n, void *o) { return fu_survey_from_string(s, n, o); }

_Static_assert(sizeof(fu_event_kind) == sizeof(int) && sizeof(fu_severity) == sizeof(int) &&
                   sizeof(fu_channel) == sizeof(int) && sizeof(fu_outcome) == sizeof(int) &&
                   sizeof(fu_survey) == sizeof(int),
               "the event enums are ints");

enum { M_KIND, M_SEV, M_CHAN, M_OUT, M_SURV, M_COUNT };

/* The optional priority column: a #fu_priority name (ASCII case ignored),
 * stored as the priority + 1; empty (or no column) is 0, not given. */
ROW_INLINE int read_priority(const rowv *rw, int *out) {
    size_t len;
    const char *s = cell(rw, EF_PRIO, &len);
    trim(&s, &len);
    *out = 0;
    if (!len) return FU_OK;
    for (int p = FU_PRIORITY_URGENT; p <= FU_PRIORITY_LOW; p++)
        if (fu__book_ascii_ieq(s, len, fu_priority_name((fu_priority)p))) {
            *out = p + 1;
            return FU_OK;
        }
    return row_cell_error(rw, EF_PRIO, FU_EPARSE, "unknown priority ", s, len,
                          " (expected urgent, high, normal, low or empty)");
}

/* The values of an event row, without adding it: *skip set for an unknown
 * kind with FU_BOOK_SKIP_UNKNOWN_KINDS. `memo`: M_COUNT memos or NULL; `tm`:
 * the date memo or NULL. */
ROW_INLINE int event_fields(const rowv *rw, unsigned int flags, fu_event_in *e, int *skip, enum_memo *memo,
                        time_memo *tm) {
    fu__event_in_reset(e);
    size_t len;
    int rc;
    *skip = 0;
    e->customer_id = cell(rw, EF_CUST, &len);
    if (!len) return row_error(rw, EF_CUST, FU_EPARSE, "empty customer_id (required)");
    unsigned long inv; /* an id that makes a customer: as the customers file's (review s13 I20) */
    if ((flags & FU_BOOK_CREATE_CUSTOMERS) && (rc = fu__id_check_invisible(e->customer_id, len, &inv)))
        return reraise_at(rw, EF_CUST, inv, rc);
    if ((rc = read_time(rw, EF_AT, 1, &e->at, tm))) return rc;
    const char *kind = cell(rw, EF_KIND, &len);
    if (!memo_find(memo ? &memo[M_KIND] : NULL, kind, len, (int *)&e->kind)) { /* as in read_enum() */
        trim(&kind, &len);
        if (!len) return row_error(rw, EF_KIND, FU_EPARSE, "empty kind (required)");
        rc = fu_event_kind_from_string(kind, len, &e->kind);
        if (rc == FU_EPARSE && (flags & FU_BOOK_SKIP_UNKNOWN_KINDS)) {
            *skip = 1;
            return FU_OK;
        }
        if (rc) return reraise_at(rw, EF_KIND, 0, rc);
        memo_put(memo ? &memo[M_KIND] : NULL, kind, len, (int)e->kind);
    }
    e->order_id = read_str(rw, EF_ORDER);
    e->product_class = read_str(rw, EF_PCLASS);
    e->agent_id = read_str(rw, EF_AGENT);
    e->note = read_str(rw, EF_NOTE);
    if ((rc = read_number(rw, EF_UNIT, &e->unit_price)) || (rc = read_number(rw, EF_AMOUNT, &e->amount)) ||
        (rc = read_number(rw, EF_SCORE, &e->score)) ||
        (rc = read_enum(rw, EF_SEV, p_sev, &e->severity, memo ? &memo[M_SEV] : NULL)) ||
        (rc = read_enum(rw, EF_CHAN, p_chan, &e->channel, memo ? &memo[M_CHAN] : NULL)) ||
        (rc = read_enum(rw, EF_OUTCOME, p_out, &e->outcome, memo ? &memo[M_OUT] : NULL)) ||
        (rc = read_enum(rw, EF_SURVEY, p_surv, &e->survey, memo ? &memo[M_SURV] : NULL)) ||
        (rc = read_priority(rw, &e->priority)))
        return rc;
    return FU_OK;
}

/* An event's error at format column k, re-raised at its field: an unknown
 * customer says what makes the id differ from one of the book's (review s13
 * I20); a number out of range quotes the cell as written, not as %g rounds
 * it (review s13 I21: 'got 5' for 5.0000000001). */
#if defined(__GNUC__)
__attribute__((noinline, cold))
#endif
static int event_error(const fu_book *b, const rowv *rw, const fu_event_in *e, int k, int rc) {
    if (rc == FU_ENOTFOUND && k == EF_CUST) fu__id_unknown_hint(b, e->customer_id, strlen(e->customer_id), rc);
    const char *msg = fu_error_last()->message, *got = strstr(msg, ", got ");
    if (rw->r && (k == EF_SCORE || k == EF_UNIT) && got) {
        char pre[512];
        snprintf(pre, sizeof pre, "%.*s, got ", (int)(got - msg), msg);
        size_t len;
        const char *s = cell(rw, k, &len);
        trim(&s, &len);
        return row_cell_error(rw, k, rc, pre, s, len, "");
    }
    return reraise_at(rw, k, 0, rc);
}

static int event_row(fu_book *b, const rowv *rw) {
    size_t len;
    const char *id = cell(rw, EF_CUST, &len);
    if (len) fu__book_prefetch(b, fu__book_hash(id, len));
    const char *order = cell(rw, EF_ORDER, &len);
    if (len) fu__book_prefetch(b, fu__book_hash(order, len));
    fu_event_in e;
    int skip, rc = event_fields(rw, fu__book_flags(b), &e, &skip, NULL, NULL);
    if (rc) return rc;
    if (skip) {
        fu__book_count_skipped(b);
        return FU_OK;
    }
    fu__book_bad bad;
    rc = fu__book_event_add(b, &e, &bad);
    if (rc && rc != FU_ENOMEM && bad.field >= 0) return event_error(b, rw, &e, bad.field, rc);
    return rc;
}

static int read_csv(fu_book *b, fu__csv *r, const colspec *spec, int nspec, row_fn row, int finalize) {
    long col[(int)EF_COUNT > (int)CF_COUNT ? (int)EF_COUNT : (int)CF_COUNT];
    fu__book_mark m = fu__book_begin(b);
    rowv rw = {r, col, NULL, NULL};
    int rc = map_header(r, spec, nspec, col);
    while (rc == FU_OK) {
        rc = fu__csv_next(r);
        if (rc <= 0) break;
        rc = fu__csv_check_width(r);
        if (rc == FU_OK) rc = row(b, &rw);
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

static int open_file(const fu_book *b, const char *path, fu__csv **r) {
    size_t max_record, max_field;
    fu__book_limits(b, &max_record, &max_field);
    return fu__csv_open_file(path, max_record, max_field, r);
}

int fu_book_read_customers_csv(fu_book *b, const char *path) {
    if (!b || !path) return fu__error_set(FU_EINVAL, "book or path is NULL");
    if (fu__book_check_free(b, "fu_book_read_customers_csv")) return FU_ESTATE;
    fu__csv *r;
    int rc = open_file(b, path, &r);
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

/* ---------------------------------------------- events in blocks, on two cores
 *
 * Large events inputs are read in blocks of whole records. A block ends just
 * after a line break that fu__csv_safe_end() finds outside quotes; one
 * thread splits it in place (fu__csv_split) and turns its rows into
 * fu_event_in (event_fields: the serial reader's own code), while the
 * calling thread adds the rows of the block before it to the book, in input
 * order: the book is the one the serial reader makes. Anything the blocks do
 * not take as it is (any error, a quote or UTF-8 out of place, a record
 * longer than a block) undoes the whole call and the serial reader reads the
 * input again from the start: the error (file, line, column, what was
 * expected) is the serial reader's. */

/* The most a block holds, 512 KiB: a longer record is read serially. Two
 * threads read that much a block: a block's text and its parsed rows (about
 * 1 MiB) stay in a core's L2 cache between the split and the add (4 MiB
 * cost 5-10% more), and each block is a hand-over between the threads
 * (256 KiB cost 3.7% more, 1 MiB the same). One thread reads 64 KiB a block
 * (more when it holds no line break outside quotes): its text and rows
 * (about 200 KiB) leave the cache to the add's tables (4.7% less CPU than
 * 512 KiB, 10 interleaved rounds; 32 and 128 KiB 3% less). */
#define BLOCK_DEFAULT ((size_t)512 << 10)
#define STEP_ONE_THREAD ((size_t)64 << 10)
#define BLOCK_MIN_INPUT ((size_t)1 << 20) /* below this the serial reader reads it */
#define APPLY_AHEAD 8

static int blocks_threads = 0; /* 0: by the input size and the CPUs; -1: never */
static size_t blocks_bytes = 0;
static size_t blocks_step = 0; /* 0: by the threads */

static atomic_size_t blocks_done;

size_t fu__book_csv_block_reads(void) { return atomic_load(&blocks_done); }

void fu__book_csv_tune(int threads, size_t block_bytes) {
    blocks_threads = threads;
    blocks_bytes = block_bytes;
}

void fu__book_csv_tune_step(size_t step_bytes) { blocks_step = step_bytes; }

enum { BLK_FREE, BLK_QUEUED, BLK_PARSED };

/* Each slot on cache lines of its own: the worker writes one slot (its row
 * count, k->n, every row) while the calling thread reads the other slot's
 * fields at every row it adds. With the 80-byte slots before, those fields
 * happened to lie on different lines already (no change measured); aligned,
 * they always do. */
typedef struct blk {
    _Alignas(64) char *text; /* len + 1 bytes used */
    size_t cap, len;
    fu_event_in *ev; /* rows; customer_id NULL: a skipped unknown kind */
    size_t n, ev_cap;
    fu__evstr *ks; /* a row's strings: lengths and hashes (the worker's) */
    size_t ks_cap;
    int rc;    /* the worker's: not FU_OK, stop and read serially */
    int last;  /* the input ends with this block */
    int state; /* BLK_*, under the mutex */
} blk;

typedef struct blocks {
    FILE *f;
    const char *mem;
    size_t mem_len, mem_pos;
    size_t size; /* of the whole input */
    int eof;
    char *carry; /* the bytes after the last block's end */
    size_t carry_len;
    long col[EF_COUNT];
    long bcol[EF_COUNT]; /* col, with ncols (the split's empty cell) for -1 */
    size_t ncols, block, max_record, max_field;
    size_t step; /* a block reads this much after the carry (at most `block` in all) */
    unsigned int flags;
    enum_memo memo[M_COUNT];
    time_memo tmemo;
    blk slot[2];
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop;
} blocks;

static size_t blocks_read(blocks *p, char *dst, size_t want) {
    size_t got;
    if (p->f) {
        got = fread(dst, 1, want, p->f);
        if (got < want) p->eof = 1; /* a read error too: the serial reader reports it */
        if (ferror(p->f)) p->eof = -1;
    } else {
        got = p->mem_len - p->mem_pos < want ? p->mem_len - p->mem_pos : want;
        memcpy(dst, p->mem + p->mem_pos, got);
        p->mem_pos += got;
        if (p->mem_pos == p->mem_len) p->eof = 1;
    }
    return got;
}

static int blk_row(void *ud, char **cells, const size_t *lens, size_t n) {
    blocks *p = ((void **)ud)[0];
    blk *k = ((void **)ud)[1];
    (void)n;
    if (k->n == k->ev_cap) return FU__CSV_UNSURE; /* blk_prepare made room for the most: never */
    rowv rw = {NULL, p->bcol, cells, lens};
    int skip;
    int rc = event_fields(&rw, p->flags, &k->ev[k->n], &skip, p->memo, &p->tmemo);
    if (rc) return rc;
    if (skip) k->ev[k->n].customer_id = NULL;
    static const int cols[FU__EVSTR_COUNT] = {EF_CUST, EF_ORDER, EF_PCLASS, EF_AGENT, EF_NOTE};
    fu__evstr *ks = &k->ks[k->n];
    for (int i = 0; i < FU__EVSTR_COUNT; i++) {
        long c = p->bcol[cols[i]];
        ks->len[i] = (uint32_t)lens[c]; /* < max_field: the split checked */
        ks->hash[i] = ks->len[i] ? fu__book_hash_inline(cells[c], lens[c]) : 0;
    }
    ks->attr_hash = skip ? 0 : fu__book_attr_hash(&k->ev[k->n], ks);
    k->n++;
    return FU_OK;
}

/* The most rows `len` bytes of a block can hold. A row of ncols fields
 * takes at least ncols bytes (ncols - 1 commas and a line break; the last
 * row one less), so with many columns the block's size bounds its rows with
 * no pass over its bytes: room for rows that never come costs address
 * space only (pages never touched). With few columns that bound is loose
 * and the line breaks are counted. */
#define ROWS_BOUND_MIN_COLS 8
static size_t blk_rows_most(const blocks *p, const char *text, size_t len) {
    if (p->ncols >= ROWS_BOUND_MIN_COLS) return len / p->ncols + 2;
    return fu__csv_count_breaks(text, len) + 1;
}

/* Read the next block into k, with room for its rows (the calling
 * thread's part: every allocation is made on the calling thread). */
static int blk_prepare(blocks *p, blk *k) {
    k->n = 0;
    k->len = 0;
    k->last = 1;
    k->rc = FU_OK;
    if (!k->text && !(k->text = fu__malloc(p->block + 1))) return FU_ENOMEM;
    memcpy(k->text, p->carry, p->carry_len);
    size_t len = p->carry_len, want = p->step, end;
    for (;;) { /* a step, then as much again while there is no line break outside quotes */
        size_t to = len + want < p->block ? len + want : p->block;
        if (p->eof == 0 && to > len) len += blocks_read(p, k->text + len, to - len);
        if (p->eof < 0) return FU_EIO;
        end = p->eof ? len : fu__csv_safe_end(k->text, len);
        if (end || !len || p->eof || len >= p->block) break;
        want = len;
    }
    if (!end && len) return FU__CSV_UNSURE; /* no line break outside quotes in a whole block */
    p->carry_len = len - end;
    memcpy(p->carry, k->text + end, p->carry_len);
    k->len = end;
    k->last = p->eof && !p->carry_len;
    size_t rows = blk_rows_most(p, k->text, end);
    if (rows > k->ev_cap && FU_GROW(k->ev, k->ev_cap, rows)) return FU_ENOMEM;
    if (rows > k->ks_cap && FU_GROW(k->ks, k->ks_cap, rows)) return FU_ENOMEM;
    return FU_OK;
}

/* Split the block and turn its rows into events (the worker's part). */
static void blk_parse(blocks *p, blk *k) {
    void *ud[2] = {p, k};
    k->rc = fu__csv_split(k->text, k->len, p->ncols, p->max_record, p->max_field, blk_row, ud);
}

/* The slots of the strings with many values (customer ids, order ids, free
 * notes): those of product classes and agents, a few hundred values at
 * most, stay in the cache, and asking for them again cost 3% of a read. */
static void prefetch_row(fu_book *b, const blk *k, size_t i) {
    const fu__evstr *ks = &k->ks[i];
    if (!k->ev[i].customer_id) return;
    static const int many[] = {FU__EVSTR_CUST, FU__EVSTR_ORDER, FU__EVSTR_NOTE};
    for (size_t j = 0; j < sizeof many / sizeof *many; j++)
        if (ks->len[many[j]]) fu__book_prefetch(b, ks->hash[many[j]]);
    fu__book_prefetch_attr(b, ks->attr_hash, 1);
}

/* Add a block's rows to the book (the calling thread's part). The string
 * and attribute tables are far bigger than the caches: their slots are
 * asked for APPLY_AHEAD rows ahead, the attributes found in a slot half as
 * far ahead. */
static int blk_apply(fu_book *b, const blk *k) {
    for (size_t i = 0; i < k->n; i++) {
        if (i + APPLY_AHEAD < k->n) prefetch_row(b, k, i + APPLY_AHEAD);
        if (i + APPLY_AHEAD / 2 < k->n && k->ev[i + APPLY_AHEAD / 2].customer_id)
            fu__book_prefetch_attr(b, k->ks[i + APPLY_AHEAD / 2].attr_hash, 2);
        const fu_event_in *e = &k->ev[i];
        if (!e->customer_id) {
            fu__book_count_skipped(b);
            continue;
        }
        int rc = fu__book_event_add_known(b, e, &k->ks[i]);
        if (rc) return rc;
    }
    return FU_OK;
}

static void blk_set(blocks *p, blk *k, int state) {
    pthread_mutex_lock(&p->mu);
    k->state = state;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

static void *blocks_worker(void *arg) {
    blocks *p = arg;
    for (size_t i = 0;; i++) {
        blk *k = &p->slot[i & 1];
        pthread_mutex_lock(&p->mu);
        while (k->state != BLK_QUEUED && !p->stop) pthread_cond_wait(&p->cv, &p->mu);
        int stop = p->stop;
        pthread_mutex_unlock(&p->mu);
        if (stop) break;
        blk_parse(p, k);
        int last = k->last; /* once handed back, the slot is the calling thread's */
        blk_set(p, k, BLK_PARSED);
        if (last) break;
    }
    return NULL;
}

/* The header, from the first bytes of the input: the columns, and the
 * bytes after it become the first carry. */
static int blocks_header(fu_book *b, blocks *p, const char *source) {
    p->carry_len = blocks_read(p, p->carry, p->block);
    if (p->eof < 0) return FU_EIO;
    fu__csv *r;
    int rc = fu__csv_open_mem(p->carry, p->carry_len, source, p->max_record, p->max_field, &r);
    if (rc) return rc;
    rc = map_header(r, EVENT_COLS, EF_COUNT, p->col);
    size_t off = fu__csv_offset(r);
    p->ncols = fu__csv_header_count(r);
    fu__csv_close(r);
    (void)b;
    if (rc) return rc;
    for (int k = 0; k < EF_COUNT; k++) p->bcol[k] = p->col[k] < 0 ? (long)p->ncols : p->col[k];
    if (off >= p->carry_len && !p->eof) return FU__CSV_UNSURE; /* the header may go on */
    p->carry_len -= off;
    memmove(p->carry, p->carry + off, p->carry_len);
    return FU_OK;
}

/* Room in the book for the events of the whole input at the first block's
 * bytes an event (its events, not its line breaks: blank lines take none),
 * so that the event array neither grows nor passes over the duplicates on
 * the way. */
static int reserve_rows(fu_book *b, const blocks *p, const blk *k) {
    double rows = (double)p->size / (double)k->len * (double)k->n * 1.05;
    return fu__book_reserve_events(b, rows < (double)UINT32_MAX ? (size_t)rows : UINT32_MAX);
}

/* Room in the string table for the input's new strings (`before`: the
 * table's symbols before the first block was added): the table then grows
 * once, while small, instead of hashing every string again at each doubling
 * on the way. At a third of the first block's rate: its rows bring more new
 * strings than later ones, whose order ids repeat earlier orders' (the
 * bench files of 1 M and 10 M events: 7,585 and 7,548 new strings in the first
 * 512 KiB, 1.06 M / 10.7 M at that rate, 0.40 M / 3.6 M in all); too many
 * would cost memory (a doubling of the slots past the table's final size),
 * too few only means the table grows as before. */
static int reserve_strings(fu_book *b, const blocks *p, const blk *k, size_t before) {
    double more = (double)(fu__book_string_count(b) - before) * ((double)p->size / (double)k->len) / 3;
    return fu__book_reserve_strings(b, more < (double)UINT32_MAX ? (size_t)more : UINT32_MAX);
}

/* One thread: read, parse, add, block after block. Two: the worker parses
 * block i + 1 while this thread reads block i + 2 and adds block i. */
static int blocks_run(fu_book *b, blocks *p, int threads) {
    pthread_t th;
    if (threads > 1 && pthread_create(&th, NULL, blocks_worker, p) != 0) threads = 1;
    int rc = blk_prepare(p, &p->slot[0]);
    if (rc == FU_OK && threads > 1) blk_set(p, &p->slot[0], BLK_QUEUED);
    for (size_t i = 0; rc == FU_OK; i++) {
        blk *k = &p->slot[i & 1], *next = &p->slot[(i + 1) & 1];
        int more = !k->last;
        if (threads == 1) {
            blk_parse(p, k);
        } else {
            if (more && (rc = blk_prepare(p, next)) != FU_OK) break;
            if (more) blk_set(p, next, BLK_QUEUED);
            pthread_mutex_lock(&p->mu);
            while (k->state != BLK_PARSED) pthread_cond_wait(&p->cv, &p->mu);
            k->state = BLK_FREE;
            pthread_mutex_unlock(&p->mu);
        }
        size_t syms = fu__book_string_count(b);
        if (i == 0 && more && !k->rc && k->len) rc = reserve_rows(b, p, k);
        rc = rc ? rc : k->rc ? k->rc : blk_apply(b, k);
        if (i == 0 && more && rc == FU_OK && k->len) rc = reserve_strings(b, p, k, syms);
        if (rc || !more) break;
        if (threads == 1) rc = blk_prepare(p, next);
    }
    if (threads > 1) {
        pthread_mutex_lock(&p->mu);
        p->stop = 1;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
        pthread_join(th, NULL);
    }
    return rc;
}

/* How many threads read `size` bytes in blocks: 0 for the serial reader. */
static int blocks_threads_for(size_t size) {
    if (blocks_threads) return blocks_threads < 0 ? 0 : blocks_threads > 1 ? 2 : 1;
    if (size < BLOCK_MIN_INPUT) return 0;
    return sysconf(_SC_NPROCESSORS_ONLN) > 1 ? 2 : 1;
}

/* Read events in blocks: FU_OK with the rows added and the book finalized,
 * FU_ENOMEM (error set), or FU__CSV_UNSURE: the book is as it was and the
 * caller reads the input with the serial reader. */
static int read_events_blocks(fu_book *b, const char *path, const char *text, size_t len, const char *source) {
    blocks p;
    memset(&p, 0, sizeof p);
    if (path) {
        /* only regular files: a pipe cannot be read twice */
        struct stat st;
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || !blocks_threads_for((size_t)st.st_size))
            return FU__CSV_UNSURE;
        len = (size_t)st.st_size;
        p.size = len;
        if (!(p.f = fopen(path, "rb"))) return FU__CSV_UNSURE; /* the serial reader says why */
    } else {
        p.mem = text;
        p.mem_len = p.size = len;
        p.eof = len == 0;
    }
    int threads = blocks_threads_for(len), rc = FU__CSV_UNSURE;
    p.block = blocks_bytes ? blocks_bytes : BLOCK_DEFAULT;
    if (p.block < 64) p.block = 64;
    p.step = blocks_step ? blocks_step : threads == 1 ? STEP_ONE_THREAD : p.block;
    if (p.step > p.block) p.step = p.block;
    fu__book_limits(b, &p.max_record, &p.max_field);
    p.flags = fu__book_flags(b);
    if (threads && !(p.carry = fu__malloc(p.block + 1))) rc = FU_ENOMEM;
    else if (threads) {
        fu__book_mark m = fu__book_begin(b);
        pthread_mutex_init(&p.mu, NULL);
        pthread_cond_init(&p.cv, NULL);
        rc = blocks_header(b, &p, source);
        if (rc == FU_OK) rc = fu__book_order_memo(b, 1);
        if (rc == FU_OK) rc = fu__book_event_counts(b, 1);
        if (rc == FU_OK) rc = blocks_run(b, &p, threads);
        fu__book_order_memo(b, 0);
        if (rc == FU_OK) rc = fu_book_finalize(b);
        fu__book_event_counts(b, 0);
        if (rc) fu__book_rollback(b, &m);
        pthread_mutex_destroy(&p.mu);
        pthread_cond_destroy(&p.cv);
    }
    for (int i = 0; i < 2; i++) {
        fu__free(p.slot[i].text);
        fu__free(p.slot[i].ev);
        fu__free(p.slot[i].ks);
    }
    fu__free(p.carry);
    if (p.f) fclose(p.f);
    if (rc == FU_ENOMEM) return fu__error_nomem(); /* perhaps met on the other thread */
    if (rc == FU_OK) atomic_fetch_add(&blocks_done, 1);
    return rc ? FU__CSV_UNSURE : FU_OK;
}

int fu_book_read_events_csv(fu_book *b, const char *path) {
    if (!b || !path) return fu__error_set(FU_EINVAL, "book or path is NULL");
    if (fu__book_check_free(b, "fu_book_read_events_csv")) return FU_ESTATE;
    int rc = read_events_blocks(b, path, NULL, 0, path);
    if (rc != FU__CSV_UNSURE) return rc;
    fu__csv *r;
    rc = open_file(b, path, &r);
    if (rc) return rc;
    return read_csv(b, r, EVENT_COLS, EF_COUNT, event_row, 1);
}

int fu_book_read_events_csv_from_string(fu_book *b, const char *text, size_t len, const char *source) {
    if (!b || (!text && len)) return fu__error_set(FU_EINVAL, "book or text is NULL");
    if (fu__book_check_free(b, "fu_book_read_events_csv_from_string")) return FU_ESTATE;
    int rc = read_events_blocks(b, NULL, text ? text : "", len, source);
    if (rc != FU__CSV_UNSURE) return rc;
    fu__csv *r;
    rc = open_mem(b, text, len, source, &r);
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
 * events' notes and the free text of agent_id and owner (made on the first
 * text that needs it, so books without pay nothing), the last note masked
 * (notes are interned: repeats share an id) and the last agent masked. */
typedef struct write_ctx {
    fu_redactor *red;
    uint32_t last_note;
    char *last_masked;
    uint32_t last_agent;
    char *last_agent_masked; /* its masked text; NULL: written as read */
    unsigned int cell; /* FU__CSV_RAW with FU_BOOK_WRITE_RAW_CELLS: text cells as stored */
    int ncols;         /* columns written (customers: `owner` only when a customer has one) */
} write_ctx;

static void write_ctx_fini(write_ctx *w) {
    fu_redactor_free(w->red);
    fu__free(w->last_masked);
    fu__free(w->last_agent_masked);
}

/* Mask text with the writer's redactor into *out (fu__free it). */
static int mask_text(write_ctx *w, const char *text, char **out) {
    int rc = w->red ? FU_OK : fu_redactor_new(&w->red, NULL);
    if (rc == FU_OK) rc = fu_redactor_apply(w->red, text, strlen(text), NULL, out);
    return rc;
}

/* A free-text cell (owner, agent_id): masked as notes are (docs/formats.md
 * "Free text is masked when the book is written", review s9 F6) when it may
 * hold personal data, unless the host opted out with FU_BOOK_WRITE_RAW_NOTES.
 * `id`: its string id in the book (0: not interned), to reuse the last
 * masked agent. */
static int put_free_text(const fu_book *b, const char *text, uint32_t id, write_ctx *w, fu__buf *o) {
    if (!text || (fu__book_flags(b) & FU_BOOK_WRITE_RAW_NOTES)) return fu__csv_putf(o, 0, text, w->cell);
    if (id && id == w->last_agent) /* the last agent again: as decided then */
        return fu__csv_putf(o, 0, w->last_agent_masked ? w->last_agent_masked : text, w->cell);
    if (!fu__text_may_hold_personal_data(text)) {
        if (id) {
            fu__free(w->last_agent_masked);
            w->last_agent_masked = NULL;
            w->last_agent = id;
        }
        return fu__csv_putf(o, 0, text, w->cell);
    }
    char *m = NULL;
    int rc = mask_text(w, text, &m);
    if (rc != FU_OK) return rc;
    rc = fu__csv_putf(o, 0, m, w->cell);
    if (!id) {
        fu__free(m);
        return rc;
    }
    fu__free(w->last_agent_masked);
    w->last_agent_masked = m;
    w->last_agent = id;
    return rc;
}

static int customer_line(const fu_book *b, size_t i, write_ctx *w, fu__buf *o) {
    fu_customer cbuf;
    fu__book_customer_get(b, i, &cbuf);
    const fu_customer *c = &cbuf;
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
        (w->ncols > CF_OWNER && (rc = put_free_text(b, c->owner, 0, w, o))))
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
        char *m = NULL;
        int rc = mask_text(w, note, &m);
        if (rc != FU_OK) return rc;
        fu__free(w->last_masked);
        w->last_masked = m;
        w->last_note = id;
    }
    return fu__csv_putf(o, 0, w->last_masked, w->cell);
}

static int event_line(const fu_book *b, size_t i, write_ctx *w, fu__buf *o) {
    fu_event ev;
    fu__book_event_at(b, i, &ev); /* decoded from the book's compact store */
    const fu_event *e = &ev;
    int rc;
    if ((rc = fu__csv_putf(o, 1, fu__book_customer_id(b, e->customer), w->cell)) || (rc = put_time(o, e->at)) ||
        (rc = fu__csv_putf(o, 0, fu_event_kind_name((fu_event_kind)e->kind), w->cell)) ||
        (rc = fu__csv_putf(o, 0, fu_book_string(b, e->order_id), w->cell)) ||
        (rc = fu__csv_putf(o, 0, fu_book_string(b, e->product_class), w->cell)) ||
        (rc = put_num(o, e->unit_price, 0)) || (rc = put_num(o, e->amount, 0)) ||
        (rc = fu__csv_putf(o, 0, fu_severity_name((fu_severity)e->severity), w->cell)) ||
        (rc = fu__csv_putf(o, 0, fu_channel_name((fu_channel)e->channel), w->cell)) ||
        (rc = put_free_text(b, fu_book_string(b, e->agent_id), e->agent_id, w, o)) ||
        (rc = fu__csv_putf(o, 0, fu_outcome_name((fu_outcome)e->outcome), w->cell)) ||
        (rc = put_num(o, e->score, 1)) ||
        (rc = fu__csv_putf(o, 0, fu_survey_name((fu_survey)e->survey), w->cell)) ||
        (rc = put_note(b, e->note, w, o)) ||
        (w->ncols > EF_PRIO && (rc = fu__csv_putf(o, 0, e->priority ? fu_priority_name((fu_priority)(e->priority - 1)) : NULL, w->cell))))
        return rc;
    return fu__csv_end(o);
}

typedef int (*line_fn)(const fu_book *b, size_t i, write_ctx *w, fu__buf *o);

/* Write header + n lines to `f` (flushing as it goes) or keep them in `o`. */
static int write_all(const fu_book *b, const colspec *spec, int nspec, size_t n, line_fn line, fu__buf *o,
                     FILE *f, const char *path) {
    write_ctx w = {NULL, 0, NULL, 0, NULL, (fu__book_flags(b) & FU_BOOK_WRITE_RAW_CELLS) ? FU__CSV_RAW : 0u, nspec};
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
        fu_customer cbuf;
        fu__book_customer_get(b, i, &cbuf);
        const char *owner = cbuf.owner;
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

/* The `priority` column is written when an event has a priority: books
 * without priorities keep the columns they always had. */
static int event_cols(const fu_book *b) {
    return b && fu__book_any_priority(b) ? EF_COUNT : EF_PRIO;
}

int fu_book_write_events_csv(const fu_book *b, const char *path) {
    return write_file(b, path, EVENT_COLS, event_cols(b), fu_book_event_count(b), event_line);
}

int fu_book_write_events_csv_to_string(const fu_book *b, size_t *len, char **out) {
    return write_string(b, len, out, EVENT_COLS, event_cols(b), fu_book_event_count(b), event_line);
}
