/* fu_calendar: ISO 8601 time text, weekly windows, time zones (ICU) and
 * business calendars. See include/followup/calendar.h and docs/calendar.md.
 *
 * Design notes
 * - Dates are day numbers since 1970-01-01 (proleptic Gregorian), converted
 *   with the days-from-civil / civil-from-days formulas; nothing here calls
 *   the C library's time functions.
 * - A calendar reads its zone's offset transitions from ICU once, at
 *   creation, into a sorted table (1900..2500) with a bucket index
 *   (lib/calendar_tz.c). Queries only read them, so they take
 *   `const fu_calendar *`, keep no cache inside the calendar and may run
 *   concurrently. Loops that visit many instants or days
 *   carry a small cursor on the stack (the offset regime last used, the
 *   position in the exception list) so consecutive lookups cost O(1).
 * - Business hours are a weekly table of local intervals; holidays and
 *   make-up working days are a sorted exception list. The open intervals of
 *   a local day are computed on the fly from those two, in a few
 *   nanoseconds, which is what makes add_business fast without a day cache.
 */
#include "calendar_internal.h"
#include "calendar_tz.h"
#include "errtext.h"
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ dates */

/* Day numbers of 0001-01-01 and 9999-12-31. */
#define MIN_DAY INT64_C(-719162)
#define MAX_DAY INT64_C(2932896)
#define MIN_T (MIN_DAY * SECS_PER_DAY)
#define MAX_T ((MAX_DAY + 1) * SECS_PER_DAY - 1)
_Static_assert(MIN_T == FU__TIME_MIN && MAX_T == FU__TIME_MAX, "years 1..9999 in UTC seconds");
/* Instants whose local time may still be inside years 1..9999. */
#define SLACK_T (2 * SECS_PER_DAY)

/* Searches forward give up after this many consecutive closed days. */
#define MAX_CLOSED_RUN 1100
/* Longest holiday range one call may declare (about 27 years). */
#define MAX_HOLIDAY_RANGE 10000

static int64_t fdiv(int64_t a, int64_t b) {
    int64_t q = a / b;
    if ((a % b) != 0 && ((a < 0) != (b < 0))) q--;
    return q;
}

static int64_t fmod64(int64_t a, int64_t b) { return a - fdiv(a, b) * b; }

int64_t fu__days_from_civil(int64_t y, int m, int d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * DAYS_PER_400Y + doe - 719468;
}

/* Civil from days in 32-bit arithmetic without signed division (Neri and
 * Schneider's Euclidean affine functions): days are shifted by 82 whole
 * 400-year eras so that they are non-negative; valid for z in
 * [-CFD_SHIFT, 10^9). tests/test_calendar.c checks every day of years
 * 0..10000 against fu__days_from_civil. */
#define CFD_ERAS 82
#define CFD_SHIFT (719468 + 146097 * CFD_ERAS)

static inline void civil_from_days32(uint32_t n, int64_t *yp, int *mp, int *dp) {
    uint32_t n1 = 4 * n + 3;
    uint32_t c = n1 / 146097, nc = n1 % 146097 / 4;
    uint64_t p2 = (uint64_t)2939745 * (4 * nc + 3);
    uint32_t z = (uint32_t)(p2 >> 32), ny = (uint32_t)p2 / 2939745 / 4;
    uint32_t n3 = 2141 * ny + 197913;
    uint32_t m = n3 >> 16, d = (n3 & 0xFFFF) / 2141;
    uint32_t j = ny >= 306;
    *yp = (int64_t)(100 * c + z) - 400 * CFD_ERAS + j;
    *mp = (int)(j ? m - 12 : m);
    *dp = (int)d + 1;
}

void fu__civil_from_days(int64_t z, int64_t *yp, int *mp, int *dp) {
    if (z >= -CFD_SHIFT && z < 1000000000) {
        civil_from_days32((uint32_t)(z + CFD_SHIFT), yp, mp, dp);
        return;
    }
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / DAYS_PER_400Y;
    int64_t doe = z - era * DAYS_PER_400Y;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mm = (5 * doy + 2) / 153;
    int d = (int)(doy - (153 * mm + 2) / 5 + 1);
    int m = (int)(mm < 10 ? mm + 3 : mm - 9);
    *yp = y + (m <= 2);
    *mp = m;
    *dp = d;
}

static int is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int days_in_month(int64_t y, int m) {
    static const unsigned char dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

static int date_valid(int64_t y, int m, int d) {
    return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

/* Monday = 0; 1970-01-01 was a Thursday. */
static int weekday_of_day(int64_t day) { return (int)fmod64(day + 3, 7); }

static const char *const WD_SHORT[7] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};

int fu_date_to_days(const fu_date *date, int64_t *out) {
    if (!date || !out) return fu__error_set(FU_EINVAL, "fu_date_to_days: %s is NULL", !date ? "date" : "out");
    if (!date_valid(date->year, date->month, date->day))
        return fu__error_set(FU_EINVAL, "invalid date %04d-%02d-%02d", date->year, date->month,
                             date->day);
    *out = fu__days_from_civil(date->year, date->month, date->day);
    return FU_OK;
}

int fu_date_from_days(int64_t days, fu_date *out) {
    if (!out) return fu__error_set(FU_EINVAL, "fu_date_from_days: out is NULL");
    if (days < MIN_DAY || days > MAX_DAY)
        return fu__error_set(FU_ERANGE, "day %lld is outside years 1..9999", (long long)days);
    int64_t y;
    fu__civil_from_days(days, &y, &out->month, &out->day);
    out->year = (int)y;
    return FU_OK;
}

int fu_date_weekday(const fu_date *date) {
    int64_t d;
    int rc = fu_date_to_days(date, &d);
    return rc < 0 ? rc : weekday_of_day(d);
}

int fu_date_format(const fu_date *date, char *buf, size_t size) {
    if (buf && size) buf[0] = '\0';
    if (!date || !buf || size < FU_DATE_TEXT_SIZE)
        return fu__error_set(FU_EINVAL, "fu_date_format: %s",
                             !date  ? "date is NULL"
                             : !buf ? "buf is NULL"
                                    : "buf is smaller than FU_DATE_TEXT_SIZE");
    if (!date_valid(date->year, date->month, date->day))
        return fu__error_set(FU_EINVAL, "invalid date %04d-%02d-%02d", date->year, date->month,
                             date->day);
    snprintf(buf, size, "%04d-%02d-%02d", date->year, date->month, date->day);
    return FU_OK;
}

/* ------------------------------------------------------- text positions */

static int text_error(int code, const fu__textpos *pos, const char *defsrc, size_t at,
                      const char *fmt, ...) FU_PRINTF(5, 6);

/* Report an error at byte `at` (0-based) of the text. */
static int text_error(int code, const fu__textpos *pos, const char *defsrc, size_t at,
                      const char *fmt, ...) {
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    const char *src = pos && pos->source ? pos->source : defsrc;
    unsigned long line = pos && pos->line ? pos->line : 1;
    unsigned long col0 = pos && pos->column ? pos->column : 1;
    return fu__error_set_at(code, src, line, col0 + (unsigned long)at, pos ? pos->path : NULL,
                            "%s", msg);
}

/* text_error() for a text that is no valid date or time: "bad <kind>
 * '<text>': <what>", and " (character <col> of the value)" when col > 0:
 * a place inside the value, not a column of the file the value came from,
 * whose column the error's position names (review s11 L4). The text is a
 * whole cell of input (a note in the wrong column), so it is quoted by
 * fu__errtext_cell(): digit runs masked, control characters escaped, cut at
 * 40 characters (review s9 F2). Out of line: the parsers' fast paths keep
 * a small frame. */
static int is_space(char c) { return c == ' ' || c == '\t'; }
static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* Length of the date a time text starts with: an optional sign, 4 to 6
 * digits, '-', 2 digits, '-', 2 digits, then the end, 'T' or a blank;
 * 0 when it starts with no such date. */
static size_t date_prefix(const char *s, size_t n) {
    size_t i = n && (s[0] == '+' || s[0] == '-'), y = i;
    while (i < n && i - y < 7 && is_digit(s[i])) i++;
    if (i - y < 4 || i - y > 6) return 0;
    for (int part = 0; part < 2; part++) {
        if (i + 3 > n || s[i] != '-' || !is_digit(s[i + 1]) || !is_digit(s[i + 2])) return 0;
        i += 3;
    }
    return i == n || s[i] == 'T' || s[i] == 't' || is_space(s[i]) ? i : 0;
}

#if defined(__GNUC__)
__attribute__((noinline, cold))
#endif
static int bad_text(int code, const fu__textpos *pos, const char *defsrc, size_t at, const char *kind,
                    const char *s, size_t len, const char *what, unsigned long col) {
    char q[FU_ERRTEXT_CELL_CAP + 16], tail[48] = "";
    if (col) snprintf(tail, sizeof tail, " (character %lu of the value)", col);
    /* a leading date is no personal data: echoed as written (review s13 I21: '+2026-03-02...' was
     * masked as a phone number), the rest as a cell */
    size_t p = date_prefix(s, len);
    memcpy(q, s, p);
    fu__errtext_cell(q + p, sizeof q - p, s + p, len - p);
    return text_error(code, pos, defsrc, at, "bad %s '%s': %s%s", kind, q, what, tail);
}

/* Read exactly `count` digits at *i. */
static int read_digits(const char *s, size_t n, size_t *i, int count, int *val) {
    int v = 0;
    for (int k = 0; k < count; k++) {
        if (*i + (size_t)k >= n || !is_digit(s[*i + (size_t)k])) return 0;
        v = v * 10 + (s[*i + (size_t)k] - '0');
    }
    *i += (size_t)count;
    *val = v;
    return 1;
}

/* ------------------------------------------------------------ time text */

int fu__date_parse_at(const char *text, size_t len, const fu__textpos *pos, fu_date *out) {
    if (!text || !out) return fu__error_set(FU_EINVAL, "fu_date_parse: %s is NULL", !text ? "text" : "out");
/* as TBAD below: the place in the value is said in the message unless the
 * error's position is the place already */
#define DBAD(at, what) \
    return bad_text(FU_EPARSE, pos, "<date>", (at), "date", text, len, (what), pos ? 0 : (unsigned long)(at) + 1)
    size_t i = 0;
    int y, m, d;
    if (!read_digits(text, len, &i, 4, &y))
        DBAD(i, "expected YYYY-MM-DD");
    if (i >= len || text[i] != '-' || (i++, !read_digits(text, len, &i, 2, &m)))
        DBAD(i, "expected YYYY-MM-DD");
    if (i >= len || text[i] != '-' || (i++, !read_digits(text, len, &i, 2, &d)))
        DBAD(i, "expected YYYY-MM-DD");
    if (i != len)
        DBAD(i, "unexpected text after the date");
    if (y < 1 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return bad_text(FU_EPARSE, pos, "<date>", 0, "date", text, len, "no such day", 0); /* the whole value */
#undef DBAD
    out->year = y;
    out->month = m;
    out->day = d;
    return FU_OK;
}

int fu_date_parse(const char *text, size_t len, fu_date *out) {
    return fu__date_parse_at(text, len, NULL, out);
}

int fu__time_parse_at(const char *s, size_t n, const fu__textpos *pos, int *offset_seconds,
                      int64_t *out) {
    if (!s || !out) return fu__error_set(FU_EINVAL, "fu_time_parse: %s is NULL", !s ? "text" : "out");
/* without a position, the column in the text is said in the message; with
 * one, the error's column is that place already */
#define TBAD(at, what) \
    return bad_text(FU_EPARSE, pos, "<time>", (at), "time", s, n, (what), pos ? 0 : (unsigned long)(at) + 1)
    size_t i = 0, e = n;
    while (i < e && is_space(s[i])) i++;
    while (e > i && is_space(s[e - 1])) e--;
    int y, mo, d, h, mi, se = 0;
    size_t at_date = i;
    if (i < e && (s[i] == '+' || s[i] == '-')) TBAD(i, "no sign is allowed before the year (years 0001..9999)");
    if (!read_digits(s, e, &i, 4, &y)) TBAD(i, "expected a 4-digit year");
    if (i >= e || s[i] != '-') TBAD(i, "expected '-' after the year");
    i++;
    if (!read_digits(s, e, &i, 2, &mo)) TBAD(i, "expected a 2-digit month");
    if (i >= e || s[i] != '-') TBAD(i, "expected '-' after the month");
    i++;
    if (!read_digits(s, e, &i, 2, &d)) TBAD(i, "expected a 2-digit day");
    if (i >= e) TBAD(i, "a time and an offset are required after the date");
    if (s[i] != 'T' && s[i] != 't' && s[i] != ' ') TBAD(i, "expected 'T' after the date");
    i++;
    size_t at_time = i;
    if (!read_digits(s, e, &i, 2, &h)) TBAD(i, "expected a 2-digit hour");
    if (i >= e || s[i] != ':') TBAD(i, "expected ':' after the hour");
    i++;
    if (!read_digits(s, e, &i, 2, &mi)) TBAD(i, "expected 2-digit minutes");
    if (i < e && s[i] == ':') {
        i++;
        if (!read_digits(s, e, &i, 2, &se)) TBAD(i, "expected 2-digit seconds");
        if (i < e && (s[i] == '.' || s[i] == ',')) {
            i++;
            if (i >= e || !is_digit(s[i])) TBAD(i, "expected digits after the decimal point");
            while (i < e && is_digit(s[i])) i++;
        }
    }
    int off = 0;
    if (i >= e) TBAD(i, "an offset is required (Z or +HH:MM)");
    size_t at_off = i;
    if (s[i] == 'Z' || s[i] == 'z') {
        i++;
    } else if (s[i] == '+' || s[i] == '-') {
        int sign = s[i] == '-' ? -1 : 1, oh, om = 0;
        i++;
        if (!read_digits(s, e, &i, 2, &oh)) TBAD(i, "expected a 2-digit offset hour");
        if (i < e && s[i] == ':') {
            i++;
            if (!read_digits(s, e, &i, 2, &om)) TBAD(i, "expected 2-digit offset minutes");
        } else if (i < e && is_digit(s[i])) {
            if (!read_digits(s, e, &i, 2, &om)) TBAD(i, "expected 2-digit offset minutes");
        }
        if (om > 59) TBAD(at_off, "offset minutes must be 00..59");
        if (oh * 60 + om > 18 * 60)
            return bad_text(FU_ERANGE, pos, "<time>", at_off, "time", s, n, "offset beyond +/-18:00", 0);
        off = sign * (oh * 3600 + om * 60);
    } else if (is_space(s[i])) { /* '09:00:00 +08:00' (review s13 I21) */
        size_t j = i;
        while (j < e && is_space(s[j])) j++;
        if (s[j] == 'Z' || s[j] == 'z' || s[j] == '+' || s[j] == '-')
            TBAD(i, "no space is allowed before the offset");
        TBAD(i, "an offset is required (Z or +HH:MM)");
    } else {
        TBAD(i, "an offset is required (Z or +HH:MM)");
    }
    if (i != e) TBAD(i, "unexpected text after the offset");
    if (y == 0)
        return bad_text(FU_ERANGE, pos, "<time>", at_date, "time", s, n, "year 0000 is outside 1..9999", 0);
    if (mo < 1 || mo > 12) TBAD(at_date + 5, "month must be 01..12");
    if (d < 1 || d > days_in_month(y, mo)) TBAD(at_date + 8, "no such day in that month");
    if (h > 23) TBAD(at_time, "hour must be 00..23");
    if (mi > 59) TBAD(at_time + 3, "minutes must be 00..59");
    if (se > 59) TBAD(at_time + 6, "seconds must be 00..59");
#undef TBAD
    int64_t t = fu__days_from_civil(y, mo, d) * SECS_PER_DAY + h * 3600 + mi * 60 + se - off;
    if (t < MIN_T || t > MAX_T)
        return bad_text(FU_ERANGE, pos, "<time>", at_date, "time", s, n, "outside years 1..9999 in UTC", 0);
    if (offset_seconds) *offset_seconds = off;
    *out = t;
    return FU_OK;
}

int fu_time_parse(const char *text, size_t len, int64_t *out) {
    return fu__time_parse_at(text, len, NULL, NULL, out);
}

int fu_time_parse_offset(const char *text, size_t len, int *offset_seconds, int64_t *out) {
    return fu__time_parse_at(text, len, NULL, offset_seconds, out);
}

int fu_time_format(int64_t t, int offset_seconds, unsigned int flags, char *buf, size_t size) {
    if (buf && size) buf[0] = '\0';
    if (!buf) return fu__error_set(FU_EINVAL, "fu_time_format: NULL buffer");
    if (offset_seconds < -18 * 3600 || offset_seconds > 18 * 3600 || offset_seconds % 60)
        return fu__error_set(FU_EINVAL, "offset %d s is not a whole number of minutes within "
                                        "+/-18:00", offset_seconds);
    if (t < MIN_T - SLACK_T || t > MAX_T + SLACK_T)
        return fu__error_set(FU_ERANGE, "time %lld is outside years 1..9999", (long long)t);
    int64_t local = t + offset_seconds;
    int64_t day = fdiv(local, SECS_PER_DAY);
    if (day < MIN_DAY || day > MAX_DAY)
        return fu__error_set(FU_ERANGE, "time %lld is outside years 1..9999", (long long)t);
    int zulu = offset_seconds == 0 && (flags & FU_TIME_FORMAT_Z);
    if (size < (size_t)(zulu ? 21 : 26))
        return fu__error_set(FU_EINVAL, "fu_time_format: buffer too small");
    int sod = (int)(local - day * SECS_PER_DAY);
    int64_t y;
    int m, d;
    fu__civil_from_days(day, &y, &m, &d);
    int n = snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d", (int)y, m, d, sod / 3600,
                     sod / 60 % 60, sod % 60);
    if (zulu) {
        snprintf(buf + n, size - (size_t)n, "Z");
    } else {
        int a = offset_seconds < 0 ? -offset_seconds : offset_seconds;
        snprintf(buf + n, size - (size_t)n, "%c%02d:%02d", offset_seconds < 0 ? '-' : '+',
                 a / 3600, a / 60 % 60);
    }
    return FU_OK;
}

/* -------------------------------------------------------- weekly windows */

#define WBITS_WORDS ((FU_MINUTES_PER_WEEK + 63) / 64)

struct fu_windows {
    uint64_t bits[WBITS_WORDS];
    size_t n;
    fu_window_span *spans;
};

/* One parsed range applied to one weekday: minutes of the day; end <= start
 * means it crosses midnight. `at` is the byte offset of the range. */
typedef struct raw_range {
    int wd, start, end;
    size_t at;
} raw_range;

typedef struct raw_list {
    raw_range *v;
    size_t n, cap;
} raw_list;

static void skip_sp(const char *s, size_t n, size_t *i) {
    while (*i < n && is_space(s[*i])) (*i)++;
}

static char lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c; }

static int parse_hhmm(const char *s, size_t n, size_t *i, const fu__textpos *pos,
                      const char *src, int allow24, int *minutes);

/* A time where a day name belongs ("25:00-26:00", "09:00-18:00"): a bad
 * time is named as such, a good one is said to need its days first. */
static int time_without_day(const char *s, size_t n, size_t b, const fu__textpos *pos,
                            const char *src) {
    size_t j = b;
    int m;
    int rc = parse_hhmm(s, n, &j, pos, src, 1, &m);
    if (rc) return rc;
    return text_error(FU_EPARSE, pos, src, b,
                      "expected a day name (Mon..Sun) before the time '%.*s' (like 'Mon-Sun %.*s-...')",
                      (int)(j - b), s + b, (int)(j - b), s + b);
}

static int parse_day(const char *s, size_t n, size_t *i, const fu__textpos *pos,
                     const char *src, int *wd) {
    static const char *const full[7] = {"monday", "tuesday", "wednesday", "thursday",
                                        "friday", "saturday", "sunday"};
    size_t b = *i, e = *i;
    while (e < n && ((s[e] >= 'a' && s[e] <= 'z') || (s[e] >= 'A' && s[e] <= 'Z'))) e++;
    size_t len = e - b;
    for (int k = 0; k < 7 && len >= 3; k++) {
        if (len != 3 && len != strlen(full[k])) continue;
        size_t j = 0;
        while (j < len && lower(s[b + j]) == full[k][j]) j++;
        if (j == len) {
            *wd = k;
            *i = e;
            return FU_OK;
        }
    }
    if (len == 0 && b < n && is_digit(s[b])) return time_without_day(s, n, b, pos, src);
    int sh = len == 0 ? (b < n ? 1 : 0) : (len > 16 ? 16 : (int)len);
    return text_error(FU_EPARSE, pos, src, b, "expected a day name (Mon..Sun), got '%.*s'", sh,
                      s + b);
}

/* HH:MM (hour may have one digit). allow24: 24:00 is accepted. */
static int parse_hhmm(const char *s, size_t n, size_t *i, const fu__textpos *pos,
                      const char *src, int allow24, int *minutes) {
    size_t b = *i, j = *i;
    int h = 0, m = 0, nd = 0;
    while (j < n && is_digit(s[j]) && nd < 2) h = h * 10 + (s[j++] - '0'), nd++;
    if (nd == 0 || j >= n || s[j] != ':') goto bad;
    j++;
    if (!read_digits(s, n, &j, 2, &m)) goto bad;
    if (j < n && is_digit(s[j])) goto bad;
    if (h > 24 || (h == 24 && !allow24))
        return text_error(FU_EPARSE, pos, src, b, "hour %d out of range (00..%s) in time '%.*s'", h,
                          allow24 ? "24" : "23", (int)(j - b), s + b);
    if (m > 59)
        return text_error(FU_EPARSE, pos, src, b, "minute %d out of range (00..59) in time '%.*s'", m,
                          (int)(j - b), s + b);
    if (m > 59 || h > 24 || (h == 24 && (m != 0 || !allow24)))
        return text_error(FU_EPARSE, pos, src, b, "time '%.*s' is out of range (00:00..%s)",
                          (int)(j - b), s + b, allow24 ? "24:00" : "23:59");
    *minutes = h * 60 + m;
    *i = j;
    return FU_OK;
bad:
    /* echo the token as written, up to the next separator (review s13 I16: '18:0' was echoed '1') */
    for (j = b; j < n && j - b < 16 && s[j] > ' ' && s[j] < 0x7F && s[j] != '-' && s[j] != ',' && s[j] != ';';
         j++) {
    }
    if (j == b && b < n) /* a separator or one whole character */
        for (j = b + 1; j < n && ((unsigned char)s[j] & 0xC0) == 0x80 && ((unsigned char)s[b] & 0x80); j++) {
        }
    return text_error(FU_EPARSE, pos, src, b, "expected a time HH:MM, got '%.*s'", (int)(j - b), s + b);
}

static int raw_push(raw_list *l, int wd, int start, int end, size_t at) {
    if (FU_GROW(l->v, l->cap, l->n + 1)) return FU_ENOMEM;
    l->v[l->n].wd = wd;
    l->v[l->n].start = start;
    l->v[l->n].end = end;
    l->v[l->n].at = at;
    l->n++;
    return FU_OK;
}

static int parse_raw(const char *s, size_t n, const fu__textpos *pos, const char *src,
                     raw_list *out) {
    size_t i = 0;
    int rc;
    for (;;) {
        skip_sp(s, n, &i);
        if (i >= n) break;
        if (s[i] == ';') {
            i++;
            continue;
        }
        unsigned days = 0;
        for (;;) {
            int a, b;
            if ((rc = parse_day(s, n, &i, pos, src, &a))) return rc;
            skip_sp(s, n, &i);
            b = a;
            if (i < n && s[i] == '-') {
                i++;
                skip_sp(s, n, &i);
                if ((rc = parse_day(s, n, &i, pos, src, &b))) return rc;
                skip_sp(s, n, &i);
            }
            for (int k = a;; k = (k + 1) % 7) {
                days |= 1u << k;
                if (k == b) break;
            }
            if (i < n && s[i] == ',') {
                i++;
                skip_sp(s, n, &i);
                continue;
            }
            break;
        }
        for (;;) {
            int st, en;
            size_t at = i;
            if ((rc = parse_hhmm(s, n, &i, pos, src, 0, &st))) return rc;
            skip_sp(s, n, &i);
            if (i >= n || s[i] != '-')
                return text_error(FU_EPARSE, pos, src, i,
                                  "expected '-' between the start and end of a range");
            i++;
            skip_sp(s, n, &i);
            if ((rc = parse_hhmm(s, n, &i, pos, src, 1, &en))) return rc;
            if (st == en)
                return text_error(FU_EPARSE, pos, src, at,
                                  "empty range '%.*s' (start equals end)", (int)(i - at), s + at);
            for (int k = 0; k < 7; k++)
                if ((days & (1u << k)) && (rc = raw_push(out, k, st, en, at))) return rc;
            skip_sp(s, n, &i);
            if (i < n && s[i] == ',') {
                i++;
                skip_sp(s, n, &i);
                continue;
            }
            break;
        }
        skip_sp(s, n, &i);
        if (i >= n) break;
        if (s[i] != ';')
            return text_error(FU_EPARSE, pos, src, i,
                              "expected ';' between items or the end, got '%c'", s[i]);
        i++;
    }
    return FU_OK;
}

static int wbit(const fu_windows *w, int m) { return (int)((w->bits[m >> 6] >> (m & 63)) & 1u); }

static int windows_build_spans(fu_windows *w) {
    size_t count = 0;
    int all = 1;
    for (int m = 0; m < FU_MINUTES_PER_WEEK; m++) {
        int prev = wbit(w, m == 0 ? FU_MINUTES_PER_WEEK - 1 : m - 1);
        if (wbit(w, m) && !prev) count++;
        if (!wbit(w, m)) all = 0;
    }
    if (all) count = 1;
    w->n = 0;
    w->spans = NULL;
    if (count == 0) return FU_OK;
    w->spans = fu__calloc(count, sizeof *w->spans);
    if (!w->spans) return fu__error_nomem();
    if (all) {
        w->spans[0].start = 0;
        w->spans[0].end = FU_MINUTES_PER_WEEK;
        w->n = 1;
        return FU_OK;
    }
    for (int m = 0; m < FU_MINUTES_PER_WEEK; m++) {
        int prev = wbit(w, m == 0 ? FU_MINUTES_PER_WEEK - 1 : m - 1);
        if (!wbit(w, m) || prev) continue;
        int e = m;
        while (wbit(w, e % FU_MINUTES_PER_WEEK)) e++;
        w->spans[w->n].start = m;
        w->spans[w->n].end = e;
        w->n++;
    }
    return FU_OK;
}

int fu__windows_parse_at(const char *text, size_t len, const fu__textpos *pos,
                         fu_windows **out) {
    if ((!text && len) || !out) return fu__error_set(FU_EINVAL, "fu_windows_parse: %s is NULL", !out ? "out" : "text");
    raw_list raw = {NULL, 0, 0};
    int rc = text ? parse_raw(text, len, pos, "<windows>", &raw) : FU_OK;
    if (rc) {
        fu__free(raw.v);
        return rc;
    }
    fu_windows *w = fu__calloc(1, sizeof *w);
    if (!w) {
        fu__free(raw.v);
        return fu__error_nomem();
    }
    for (size_t k = 0; k < raw.n; k++) {
        const raw_range *r = &raw.v[k];
        int length = r->end > r->start ? r->end - r->start : r->end + 1440 - r->start;
        int base = r->wd * 1440 + r->start;
        for (int j = 0; j < length; j++) {
            int m = (base + j) % FU_MINUTES_PER_WEEK;
            w->bits[m >> 6] |= UINT64_C(1) << (m & 63);
        }
    }
    fu__free(raw.v);
    if ((rc = windows_build_spans(w))) {
        fu__free(w);
        return rc;
    }
    *out = w;
    return FU_OK;
}

int fu_windows_parse(const char *text, size_t len, fu_windows **out) {
    return fu__windows_parse_at(text, len, NULL, out);
}

void fu_windows_free(fu_windows *w) {
    if (!w) return;
    fu__free(w->spans);
    fu__free(w);
}

int fu_windows_clone(fu_windows **out, const fu_windows *w) {
    if (!w || !out) return fu__error_set(FU_EINVAL, "fu_windows_clone: %s is NULL", !w ? "windows" : "out");
    fu_windows *c = fu__malloc(sizeof *c);
    if (!c) return fu__error_nomem();
    *c = *w;
    c->spans = NULL;
    if (w->n) {
        c->spans = fu__calloc(w->n, sizeof *c->spans);
        if (!c->spans) {
            fu__free(c);
            return fu__error_nomem();
        }
        memcpy(c->spans, w->spans, w->n * sizeof *c->spans);
    }
    *out = c;
    return FU_OK;
}

int fu_windows_is_empty(const fu_windows *w) { return !w || w->n == 0; }

int fu_windows_contains(const fu_windows *w, int m) {
    if (!w || m < 0 || m >= FU_MINUTES_PER_WEEK)
        return fu__error_set(FU_EINVAL, "minute of week %d is outside 0..10079", m);
    return wbit(w, m);
}

int fu_windows_next_start(const fu_windows *w, int m, int *out) {
    if (!w || !out || m < 0 || m >= FU_MINUTES_PER_WEEK)
        return fu__error_set(FU_EINVAL, "fu_windows_next_start: bad argument");
    if (w->n == 0) return fu__error_set(FU_ENOTFOUND, "the windows are empty");
    if (wbit(w, m)) {
        *out = m;
        return FU_OK;
    }
    for (size_t k = 0; k < w->n; k++)
        if (w->spans[k].start > m) {
            *out = w->spans[k].start;
            return FU_OK;
        }
    *out = w->spans[0].start;
    return FU_OK;
}

void fu_windows_hour_mask(const fu_windows *w, unsigned int flags,
                          uint8_t out[FU_HOURS_PER_WEEK / 8]) {
    if (!out) return;
    memset(out, 0, FU_HOURS_PER_WEEK / 8);
    if (!w) return;
    for (int h = 0; h < FU_HOURS_PER_WEEK; h++) {
        int c = 0;
        for (int m = h * 60; m < h * 60 + 60; m++) c += wbit(w, m);
        if ((flags & FU_WINDOWS_HOUR_ANY) ? c > 0 : c == 60)
            out[h / 8] = (uint8_t)(out[h / 8] | (1u << (h % 8)));
    }
}

size_t fu_windows_count(const fu_windows *w) { return w ? w->n : 0; }

int fu_windows_get(const fu_windows *w, size_t index, fu_window_span *out) {
    if (!w || !out || index >= w->n)
        return fu__error_set(FU_EINVAL, "fu_windows_get: index out of range");
    *out = w->spans[index];
    return FU_OK;
}

/* ------------------------------------------------------------- calendar */

/* Open intervals of a weekday, seconds of the local day, sorted, disjoint,
 * touching intervals merged. */
typedef struct day_hours {
    int n;
    int32_t s[FU_CALENDAR_MAX_INTERVALS];
    int32_t e[FU_CALENDAR_MAX_INTERVALS];
} day_hours;

enum { EXC_HOLIDAY = 0, EXC_WORKDAY = 1 };

typedef struct day_exc {
    int32_t day;
    int8_t kind;
    int8_t as_wd;
} day_exc;

/* Working-day ordinals, so that adding n working days is two lookups.
 * W(d) = number of working days before day d, counted from a fixed origin:
 * the weekly pattern gives W0(d) = q * per_week + pre[wd] (q, wd: the week
 * and weekday of d); days [lo, hi) around the exceptions are tabulated
 * (cum[i] = working days in [lo, lo + i), list[j] = offset of the j-th
 * working day from lo) and days from hi on are W0(d) + delta. `ok` is 0 when
 * the table cannot answer exactly as the day-by-day walk would: no working
 * weekday, a closed run longer than MAX_CLOSED_RUN, a span beyond
 * WD_MAX_SPAN days or a failed allocation; the walk is used then. */
typedef struct wd_table {
    int ok;
    int per_week;
    int8_t pre[8]; /* pre[w]: working weekdays among Monday..w-1 */
    int8_t nth[7]; /* nth[r]: weekday of the r-th working weekday */
    int64_t lo, hi, delta;
    int64_t c_lo;  /* W0(lo) */
    int64_t n_tab; /* working days in [lo, hi) */
    int32_t *cum;  /* hi - lo + 1 entries, then the list; NULL when lo == hi */
    int32_t *list;
    int32_t *close; /* per entry of list: the local second its hours end (close of business) */
    int8_t *hours; /* per day of [lo, hi): 0..6 week[], 7 closed, 8 open all day */
} wd_table;

#define WD_MAX_SPAN 200000
#define WD_PAD 400
/* Memory for the table of days [lo, hi) (p NULL: none needed or too wide). */
typedef struct wd_buf {
    int32_t *p;
    int64_t lo, hi;
} wd_buf;
static int wd_prepare(const fu_calendar *c, int64_t a, int64_t b, wd_buf *buf);
static void wd_commit(fu_calendar *c, wd_buf *buf);

struct fu_calendar {
    char *tzid;
    fu__zone zone;
    int hours_set;
    day_hours week[7];
    day_exc *exc;
    size_t nexc, capexc;
    wd_table wd; /* working-day ordinals, rebuilt whenever hours or exceptions change */
};

static const day_hours HOURS_CLOSED = {0, {0}, {0}};
static const day_hours HOURS_FULL = {1, {0}, {86400}};

static int32_t offset_at(const fu_calendar *c, int64_t t) {
    const fu__zone *zn = &c->zone;
    /* the regime from the bucket index directly (what fu__zcur_fill() finds
     * without the span it also works out), inside the table's years */
    if (zn->zbk && t >= ZBK_LO && t < TABLE_HI) {
        uint64_t k = (uint64_t)(t - ZBK_LO) >> ZBK_SHIFT;
        if (k < ZBK_N) {
            size_t i = zn->zbk[k];
            while (i + 1 < zn->n && zn->v[i + 1].at <= t) i++;
            return zn->v[i].off;
        }
    }
    zcur z;
    zcur_init(&z, zn);
    return zcur_off(&z, t);
}

static int64_t local_to_utc2(const fu_calendar *c, int64_t L, unsigned flags, int *gap,
                             int64_t *gap_end) {
    return fu__zone_local_to_utc(&c->zone, L, flags, gap, gap_end);
}

static int64_t local_to_utc(const fu_calendar *c, int64_t L, unsigned flags, int *gap) {
    return fu__zone_local_to_utc(&c->zone, L, flags, gap, NULL);
}

size_t fu__calendar_zone_index(const fu_calendar *c, int64_t t, int ref) {
    return ref ? fu__zone_index_ref(&c->zone, t) : fu__zone_index(&c->zone, t);
}

static int check_t(int64_t t) {
    if (t < MIN_T - SLACK_T || t > MAX_T + SLACK_T)
        return fu__error_set(FU_ERANGE, "time %lld is outside years 1..9999", (long long)t);
    return FU_OK;
}

static int valid_tzid_text(const char *s) {
    size_t n = strlen(s);
    if (n == 0 || n > 100) return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 127) return 0;
    return 1;
}

/* A zone id that is no printable ASCII (a phone number, a note): quoted by
 * fu__errtext_cell() (review s9 F2). */
static int bad_tzid(const char *tzid) {
    char q[FU_ERRTEXT_CELL_CAP];
    return fu__error_set(FU_ETIMEZONE, "unknown time zone '%s'", fu__errtext_cell_str(q, sizeof q, tzid));
}

int fu_calendar_new(fu_calendar **out, const char *tzid) {
    if (!tzid || !out) return fu__error_set(FU_EINVAL, "fu_calendar_new: %s is NULL", !tzid ? "tzid" : "out");
    if (!valid_tzid_text(tzid))
        return bad_tzid(tzid);
    if (fu__tz_refuse_legacy(tzid)) return FU_ETIMEZONE;
    fu_calendar *c = fu__calloc(1, sizeof *c);
    if (!c) return fu__error_nomem();
    int rc;
    c->tzid = fu__strdup(tzid);
    if (!c->tzid) {
        rc = fu__error_nomem();
        goto fail;
    }
    if ((rc = fu__zone_load(&c->zone, tzid))) goto fail;
    *out = c;
    return FU_OK;
fail:
    fu_calendar_free(c);
    return rc;
}

void fu_calendar_free(fu_calendar *c) {
    if (!c) return;
    fu__zone_free(&c->zone);
    FU_FREE_ALL(c->tzid, c->exc, c->wd.cum, c);
}

int fu_calendar_clone(fu_calendar **out, const fu_calendar *c) {
    if (!c || !out) return fu__error_set(FU_EINVAL, "fu_calendar_clone: %s is NULL", !c ? "cal" : "out");
    fu_calendar *d = fu__calloc(1, sizeof *d);
    if (!d) return fu__error_nomem();
    *d = *c;
    d->tzid = NULL;
    memset(&d->zone, 0, sizeof d->zone);
    d->exc = NULL;
    d->capexc = 0;
    memset(&d->wd, 0, sizeof d->wd);
    d->tzid = fu__strdup(c->tzid);
    int zrc = fu__zone_copy(&d->zone, &c->zone);
    if (c->nexc) {
        d->exc = fu__calloc(c->nexc, sizeof *d->exc);
        d->capexc = d->exc ? c->nexc : 0;
    }
    if (!d->tzid || zrc || (c->nexc && !d->exc)) {
        fu_calendar_free(d);
        return fu__error_nomem();
    }
    if (c->nexc) memcpy(d->exc, c->exc, c->nexc * sizeof *d->exc);
    wd_buf wb;
    if (wd_prepare(d, 1, 0, &wb)) {
        fu_calendar_free(d);
        return FU_ENOMEM;
    }
    wd_commit(d, &wb);
    *out = d;
    return FU_OK;
}

const char *fu_calendar_tzid(const fu_calendar *c) { return c ? c->tzid : ""; }

int fu_calendar_utc_offset(const fu_calendar *c, int64_t t, int *out) {
    if (!c || !out) return fu__error_set(FU_EINVAL, "fu_calendar_utc_offset: %s is NULL", !c ? "cal" : "out");
    /* Instants beyond years 1..9999 get the offset at the nearest end. */
    if (t < MIN_T - SLACK_T) t = MIN_T - SLACK_T;
    if (t > MAX_T + SLACK_T) t = MAX_T + SLACK_T;
    *out = offset_at(c, t);
    return FU_OK;
}

static void fill_local(int64_t L, int32_t off, fu_local *out) {
    int64_t day = fdiv(L, SECS_PER_DAY);
    int sod = (int)(L - day * SECS_PER_DAY);
    int64_t y;
    fu__civil_from_days(day, &y, &out->month, &out->day);
    out->year = (int)y;
    out->hour = sod / 3600;
    out->minute = sod / 60 % 60;
    out->second = sod % 60;
    out->weekday = weekday_of_day(day);
    out->day_of_year = (int)(day - fu__days_from_civil(y, 1, 1)) + 1;
    out->utc_offset = off;
}

int fu_calendar_to_local(const fu_calendar *c, int64_t t, fu_local *out) {
    if (!c || !out) return fu__error_set(FU_EINVAL, "fu_calendar_to_local: %s is NULL", !c ? "cal" : "out");
    int rc = check_t(t);
    if (rc) return rc;
    int32_t off = offset_at(c, t);
    int64_t day = fdiv(t + off, SECS_PER_DAY);
    if (day < MIN_DAY || day > MAX_DAY)
        return fu__error_set(FU_ERANGE, "time %lld is outside years 1..9999", (long long)t);
    fill_local(t + off, off, out);
    return FU_OK;
}

int fu_calendar_from_local(const fu_calendar *c, const fu_local *in, unsigned int flags,
                           int64_t *out) {
    if (!c || !in || !out)
        return fu__error_set(FU_EINVAL, "fu_calendar_from_local: %s is NULL", !c ? "cal" : !in ? "in" : "out");
    if (!date_valid(in->year, in->month, in->day) || in->hour < 0 || in->hour > 23 ||
        in->minute < 0 || in->minute > 59 || in->second < 0 || in->second > 59)
        return fu__error_set(FU_EINVAL, "invalid local time %04d-%02d-%02d %02d:%02d:%02d",
                             in->year, in->month, in->day, in->hour, in->minute, in->second);
    int64_t L = fu__days_from_civil(in->year, in->month, in->day) * SECS_PER_DAY +
                in->hour * 3600 + in->minute * 60 + in->second;
    int gap;
    int64_t t = local_to_utc(c, L, flags, &gap);
    if (gap && (flags & FU_LOCAL_REJECT_GAP))
        return fu__error_set(FU_ERANGE,
                             "local time %04d-%02d-%02d %02d:%02d:%02d does not exist in %s "
                             "(daylight saving gap)",
                             in->year, in->month, in->day, in->hour, in->minute, in->second,
                             c->tzid);
    *out = t;
    return FU_OK;
}

int fu__calendar_add_months(const fu_calendar *c, int64_t t, int64_t months, int64_t *out) {
    int rc = check_t(t);
    if (rc) return rc;
    int64_t L = t + offset_at(c, t);
    int64_t day = fdiv(L, SECS_PER_DAY);
    if (day < MIN_DAY || day > MAX_DAY)
        return fu__error_set(FU_ERANGE, "time %lld is outside years 1..9999", (long long)t);
    int64_t y;
    int m, d;
    fu__civil_from_days(day, &y, &m, &d);
    int64_t mm = y * 12 + (m - 1) + months;
    if (mm < 12 || mm >= (int64_t)10000 * 12)
        return fu__error_set(FU_ERANGE, "month arithmetic leaves years 1..9999");
    y = mm / 12;
    m = (int)(mm % 12) + 1;
    int dim = days_in_month(y, m);
    if (d > dim) d = dim;
    int gap;
    *out = local_to_utc(c, fu__days_from_civil(y, m, d) * SECS_PER_DAY + (L - day * SECS_PER_DAY), 0, &gap);
    return FU_OK;
}

static inline int how_of(int64_t L) {
    int64_t day = fdiv(L, SECS_PER_DAY);
    int sod = (int)(L - day * SECS_PER_DAY);
    return weekday_of_day(day) * 24 + sod / 3600;
}

int fu_calendar_hour_of_week(const fu_calendar *c, int64_t t) {
    if (!c) return fu__error_set(FU_EINVAL, "fu_calendar_hour_of_week: NULL calendar");
    int rc = check_t(t);
    if (rc) return rc;
    return how_of(t + offset_at(c, t));
}

int fu_calendar_minute_of_week(const fu_calendar *c, int64_t t) {
    if (!c) return fu__error_set(FU_EINVAL, "fu_calendar_minute_of_week: NULL calendar");
    int rc = check_t(t);
    if (rc) return rc;
    int64_t L = t + offset_at(c, t);
    int64_t day = fdiv(L, SECS_PER_DAY);
    int sod = (int)(L - day * SECS_PER_DAY);
    return weekday_of_day(day) * 1440 + sod / 60;
}

int fu__calendar_offset_span(const fu_calendar *c, int64_t t, int32_t *off, int64_t *lo, int64_t *hi) {
    if (t < MIN_T - SLACK_T || t > MAX_T + SLACK_T) return 0;
    zcur z;
    zcur_init(&z, &c->zone);
    fu__zcur_fill(&z, t);
    *off = z.off;
    *lo = z.lo > MIN_T - SLACK_T ? z.lo : MIN_T - SLACK_T;
    *hi = z.hi < MAX_T + SLACK_T + 1 ? z.hi : MAX_T + SLACK_T + 1;
    return 1;
}

int fu_calendar_hour_of_week_bulk(const fu_calendar *c, const int64_t *t, size_t n,
                                  uint8_t *out) {
    if (!c || (n && (!t || !out)))
        return fu__error_set(FU_EINVAL, "fu_calendar_hour_of_week_bulk: %s is NULL", !c ? "cal" : !t ? "t" : "out");
    zcur z;
    zcur_init(&z, &c->zone);
    /* Shift every local time by a whole number of weeks so the division
     * works on non-negative numbers: 1970-01-05 was a Monday. */
    const int64_t monday0 = 4 * SECS_PER_DAY;
    const int64_t week = 7 * SECS_PER_DAY;
    for (size_t i = 0; i < n; i++) {
        int64_t ti = t[i];
        if (ti < MIN_T - SLACK_T || ti > MAX_T + SLACK_T) {
            fu__error_set(FU_ERANGE, "t[%zu] = %lld is outside years 1..9999", i,
                          (long long)ti);
            return FU_ERANGE;
        }
        int64_t L = ti + zcur_off(&z, ti) - monday0;
        int64_t r = L % week;
        if (r < 0) r += week;
        out[i] = (uint8_t)(r / 3600);
    }
    return FU_OK;
}

/* -------------------------------------------------- business: configuration */

static int cmp_iv(const void *a, const void *b) {
    const fu_day_interval *x = a, *y = b;
    if (x->start_minute != y->start_minute) return x->start_minute < y->start_minute ? -1 : 1;
    return (x->end_minute > y->end_minute) - (x->end_minute < y->end_minute);
}

static void fmt_hm(char buf[8], int m) {
    unsigned u = (unsigned)m % 10000u;
    snprintf(buf, 8, "%02u:%02u", u / 60 % 100, u % 60);
}

/* Validate, sort and merge the intervals of one weekday into *out. */
static int build_day(int wd, const fu_day_interval *iv, size_t n, day_hours *out) {
    if (n > FU_CALENDAR_MAX_INTERVALS)
        return fu__error_set(FU_ELIMIT, "%s has %zu intervals; at most %d are allowed",
                             WD_SHORT[wd], n, FU_CALENDAR_MAX_INTERVALS);
    fu_day_interval v[FU_CALENDAR_MAX_INTERVALS];
    for (size_t k = 0; k < n; k++) {
        if (iv[k].start_minute < 0 || iv[k].end_minute > 1440 ||
            iv[k].start_minute >= iv[k].end_minute)
            return fu__error_set(FU_EINVAL,
                                 "%s: interval %d-%d (minutes) is empty or outside 0..1440",
                                 WD_SHORT[wd], iv[k].start_minute, iv[k].end_minute);
        v[k] = iv[k];
    }
    if (n) qsort(v, n, sizeof v[0], cmp_iv);
    day_hours h;
    memset(&h, 0, sizeof h);
    for (size_t k = 0; k < n; k++) {
        if (k > 0 && v[k].start_minute < v[k - 1].end_minute) {
            char a[8], b[8], c2[8], d[8];
            fmt_hm(a, v[k - 1].start_minute);
            fmt_hm(b, v[k - 1].end_minute);
            fmt_hm(c2, v[k].start_minute);
            fmt_hm(d, v[k].end_minute);
            return fu__error_set(FU_EINVAL, "business hours overlap on %s: %s-%s and %s-%s",
                                 WD_SHORT[wd], a, b, c2, d);
        }
        if (h.n > 0 && h.e[h.n - 1] == v[k].start_minute * 60) {
            h.e[h.n - 1] = v[k].end_minute * 60;
        } else {
            h.s[h.n] = v[k].start_minute * 60;
            h.e[h.n] = v[k].end_minute * 60;
            h.n++;
        }
    }
    *out = h;
    return FU_OK;
}

int fu_calendar_set_hours(fu_calendar *c, fu_weekday day, const fu_day_interval *iv, size_t n) {
    int weekday = (int)day;
    if (!c || (n && !iv) || weekday < 0 || weekday > 6)
        return fu__error_set(FU_EINVAL, "fu_calendar_set_hours: bad argument");
    day_hours h;
    int rc = build_day(weekday, iv, n, &h);
    if (rc) return rc;
    wd_buf wb;
    if ((rc = wd_prepare(c, 1, 0, &wb))) return rc;
    c->week[weekday] = h;
    c->hours_set = 1;
    wd_commit(c, &wb);
    return FU_OK;
}

int fu__calendar_clone_in_zone(fu_calendar **out, const fu_calendar *c, const char *tzid) {
    fu_calendar *d = NULL;
    fu__zone z = {0};
    char *id = fu__strdup(tzid);
    int rc = id ? fu__zone_load(&z, tzid) : fu__error_nomem();
    if (rc == FU_OK) rc = fu_calendar_clone(&d, c);
    if (rc != FU_OK) {
        fu__zone_free(&z);
        fu__free(id);
        return rc;
    }
    fu__zone_free(&d->zone);
    fu__free(d->tzid);
    d->zone = z;
    d->tzid = id;
    *out = d;
    return FU_OK;
}

int fu_calendar_copy_hours(fu_calendar *c, const fu_calendar *from) {
    if (!c || !from) return fu__error_set(FU_EINVAL, "fu_calendar_copy_hours: %s is NULL", !c ? "cal" : "from");
    if (c == from) return FU_OK;
    wd_buf wb;
    int rc = wd_prepare(c, 1, 0, &wb);
    if (rc) return rc;
    memcpy(c->week, from->week, sizeof c->week);
    c->hours_set = from->hours_set;
    wd_commit(c, &wb);
    return FU_OK;
}

int fu__calendar_set_hours_text_at(fu_calendar *c, const char *text, size_t len,
                                   const fu__textpos *pos) {
    if (!c || (!text && len))
        return fu__error_set(FU_EINVAL, "fu_calendar_set_hours_text: %s is NULL", !c ? "cal" : "text");
    raw_list raw = {NULL, 0, 0};
    int rc = text ? parse_raw(text, len, pos, "<hours>", &raw) : FU_OK;
    day_hours week[7];
    for (int wd = 0; rc == FU_OK && wd < 7; wd++) {
        fu_day_interval v[FU_CALENDAR_MAX_INTERVALS + 1];
        size_t n = 0;
        for (size_t k = 0; k < raw.n && rc == FU_OK; k++) {
            const raw_range *r = &raw.v[k];
            if (r->wd != wd) continue;
            if (r->end <= r->start) {
                rc = text_error(FU_EINVAL, pos, "<hours>", r->at,
                                "business hours may not cross midnight; end the range at "
                                "24:00 and start the next day at 00:00");
                break;
            }
            if (n == FU_CALENDAR_MAX_INTERVALS) {
                rc = fu__error_set(FU_ELIMIT, "%s has more than %d intervals", WD_SHORT[wd],
                                   FU_CALENDAR_MAX_INTERVALS);
                break;
            }
            v[n].start_minute = r->start;
            v[n].end_minute = r->end;
            n++;
        }
        if (rc == FU_OK) rc = build_day(wd, v, n, &week[wd]);
    }
    fu__free(raw.v);
    wd_buf wb;
    if (rc || (rc = wd_prepare(c, 1, 0, &wb))) return rc;
    memcpy(c->week, week, sizeof week);
    c->hours_set = 1;
    wd_commit(c, &wb);
    return FU_OK;
}

int fu_calendar_set_hours_text(fu_calendar *c, const char *text, size_t len) {
    return fu__calendar_set_hours_text_at(c, text, len, NULL);
}

void fu_calendar_clear_hours(fu_calendar *c) {
    if (!c) return;
    memset(c->week, 0, sizeof c->week);
    c->hours_set = 0;
    wd_buf wb;
    wd_prepare(c, 1, 0, &wb); /* without memory the walk answers */
    wd_commit(c, &wb);
}

/* First exception with day >= d. */
static size_t exc_lower(const fu_calendar *c, int64_t d) {
    size_t lo = 0, hi = c->nexc;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->exc[mid].day < d) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* Set the exception of day d; capacity must already suffice. */
static void exc_put(fu_calendar *c, int64_t d, int kind, int as_wd) {
    size_t i = exc_lower(c, d);
    if (i == c->nexc || c->exc[i].day != d) {
        memmove(c->exc + i + 1, c->exc + i, (c->nexc - i) * sizeof *c->exc);
        c->nexc++;
    }
    c->exc[i].day = (int32_t)d;
    c->exc[i].kind = (int8_t)kind;
    c->exc[i].as_wd = (int8_t)as_wd;
}

int fu_calendar_add_holiday(fu_calendar *c, const fu_date *first, const fu_date *last) {
    if (!c || !first) return fu__error_set(FU_EINVAL, "fu_calendar_add_holiday: %s is NULL", !c ? "cal" : "first");
    int64_t a, b;
    int rc = fu_date_to_days(first, &a);
    if (rc) return rc;
    if (last) {
        if ((rc = fu_date_to_days(last, &b))) return rc;
    } else {
        b = a;
    }
    if (b < a)
        return fu__error_set(FU_EINVAL, "holiday range ends (%04d-%02d-%02d) before it starts",
                             last->year, last->month, last->day);
    if (b - a >= MAX_HOLIDAY_RANGE)
        return fu__error_set(FU_ELIMIT, "holiday range longer than %d days", MAX_HOLIDAY_RANGE);
    if (FU_GROW(c->exc, c->capexc, c->nexc + (size_t)(b - a + 1))) return FU_ENOMEM;
    wd_buf wb;
    if ((rc = wd_prepare(c, a, b, &wb))) return rc;
    for (int64_t d = a; d <= b; d++) exc_put(c, d, EXC_HOLIDAY, 0);
    wd_commit(c, &wb);
    return FU_OK;
}

int fu_calendar_add_workday(fu_calendar *c, const fu_date *day, int as_weekday) {
    if (!c || !day) return fu__error_set(FU_EINVAL, "fu_calendar_add_workday: %s is NULL", !c ? "cal" : "day");
    if (as_weekday > 6) return fu__error_set(FU_EINVAL, "weekday %d is outside 0..6", as_weekday);
    if (as_weekday < 0) as_weekday = FU_MONDAY;
    int64_t d;
    int rc = fu_date_to_days(day, &d);
    if (rc) return rc;
    if (FU_GROW(c->exc, c->capexc, c->nexc + 1)) return FU_ENOMEM;
    wd_buf wb;
    if ((rc = wd_prepare(c, d, d, &wb))) return rc;
    exc_put(c, d, EXC_WORKDAY, as_weekday);
    wd_commit(c, &wb);
    return FU_OK;
}

void fu_calendar_clear_exceptions(fu_calendar *c) {
    if (!c) return;
    c->nexc = 0;
    wd_buf wb;
    wd_prepare(c, 1, 0, &wb); /* no exceptions: nothing to reserve */
    wd_commit(c, &wb);
}

/* ------------------------------------------------------ business: queries */

/* Walks local days forward (or looks at single days) with O(1) amortised
 * exception and offset lookups. */
typedef struct bcur {
    const fu_calendar *c;
    zcur z;
    size_t ei;
    int64_t ei_day; /* ei is exc_lower(c, ei_day) */
} bcur;

static void bcur_init(bcur *b, const fu_calendar *c) {
    b->c = c;
    zcur_init(&b->z, &c->zone);
    b->ei = 0;
    b->ei_day = INT64_MIN;
}

/* The hours of local day d from the working-day table (which holds every
 * exception when it has days) or the weekly pattern (no exception). */
static const day_hours *wd_hours(const fu_calendar *c, int64_t d) {
    if (c->wd.hours && d >= c->wd.lo && d < c->wd.hi) {
        int k = c->wd.hours[d - c->wd.lo];
        return k < 7 ? &c->week[k] : k == 7 ? &HOURS_CLOSED : &HOURS_FULL;
    }
    return c->hours_set ? &c->week[weekday_of_day(d)] : &HOURS_FULL;
}

static const day_hours *hours_of_day(bcur *b, int64_t d) {
    const fu_calendar *c = b->c;
    if (c->wd.hours || !c->nexc) return wd_hours(c, d);
    if (d < b->ei_day || b->ei_day == INT64_MIN) {
        b->ei = exc_lower(c, d);
    } else {
        while (b->ei < c->nexc && c->exc[b->ei].day < d) b->ei++;
    }
    b->ei_day = d;
    if (b->ei < c->nexc && c->exc[b->ei].day == d) {
        const day_exc *x = &c->exc[b->ei];
        if (x->kind == EXC_HOLIDAY) return &HOURS_CLOSED;
        return c->hours_set ? &c->week[x->as_wd] : &HOURS_FULL;
    }
    return c->hours_set ? &c->week[weekday_of_day(d)] : &HOURS_FULL;
}

/* The open intervals of local day d as UTC [a[k], b[k]); returns their number. */
static int day_utc(bcur *bc, int64_t d, int64_t *a, int64_t *b) {
    const day_hours *h = hours_of_day(bc, d);
    if (h->n == 0) return 0;
    int64_t L0 = d * SECS_PER_DAY;
    int32_t off = zcur_off(&bc->z, L0 - bc->z.off);
    int64_t base = L0 - off;
    off = zcur_off(&bc->z, base);
    base = L0 - off;
    /* Fast path: no offset change within a day either side of this day, so
     * every local second of the day maps to exactly one instant. */
    if (bc->z.lo <= base - SECS_PER_DAY && base + 2 * SECS_PER_DAY <= bc->z.hi) {
        for (int k = 0; k < h->n; k++) {
            a[k] = base + h->s[k];
            b[k] = base + h->e[k];
        }
        return h->n;
    }
    /* Slow path: an interval is the set of instants whose local time lies
     * in it; an end point inside a DST gap becomes the end of the gap, one
     * inside an overlap its first pass. */
    int n = 0, gap;
    for (int k = 0; k < h->n; k++) {
        int64_t x, y;
        local_to_utc2(bc->c, L0 + h->s[k], 0, &gap, &x);
        local_to_utc2(bc->c, L0 + h->e[k], 0, &gap, &y);
        if (n > 0 && x < b[n - 1]) x = b[n - 1];
        if (y <= x) continue;
        a[n] = x;
        b[n] = y;
        n++;
    }
    return n;
}

static int64_t local_day_of(bcur *bc, int64_t t) {
    return fdiv(t + zcur_off(&bc->z, t), SECS_PER_DAY);
}

static int never_opens(const fu_calendar *c, int64_t d) {
    fu_date dt = {0, 0, 0};
    if (d >= MIN_DAY && d <= MAX_DAY) fu_date_from_days(d, &dt);
    return fu__error_set(FU_ERANGE,
                         "calendar '%s' has no open time in %d days from %04d-%02d-%02d",
                         c->tzid, MAX_CLOSED_RUN, dt.year, dt.month, dt.day);
}

static int past_range(void) {
    return fu__error_set(FU_ERANGE, "the result would be after year 9999");
}

int fu_calendar_is_open(const fu_calendar *c, int64_t t) {
    if (!c) return fu__error_set(FU_EINVAL, "fu_calendar_is_open: NULL calendar");
    int rc = check_t(t);
    if (rc) return rc;
    bcur bc;
    bcur_init(&bc, c);
    int64_t a[FU_CALENDAR_MAX_INTERVALS], b[FU_CALENDAR_MAX_INTERVALS];
    int64_t d = local_day_of(&bc, t);
    int n = day_utc(&bc, d, a, b);
    for (int k = 0; k < n; k++)
        if (t >= a[k] && t < b[k]) return 1;
    return 0;
}

/* The instant `s` open seconds after the first open instant at or after t
 * (s = 0: that first open instant), walking the days forward. */
static int open_after(bcur *bc, int64_t t, int64_t s, int64_t *out) {
    int64_t a[FU_CALENDAR_MAX_INTERVALS], b[FU_CALENDAR_MAX_INTERVALS];
    int64_t d0 = local_day_of(bc, t);
    int closed = 0;
    for (int64_t d = d0;; d++) {
        if (d > MAX_DAY) return past_range();
        int n = day_utc(bc, d, a, b);
        for (int k = 0; k < n; k++) {
            if (b[k] <= t) continue;
            int64_t start = a[k] > t ? a[k] : t;
            int64_t avail = b[k] - start;
            if (avail >= s) {
                *out = start + s;
                return FU_OK;
            }
            s -= avail;
        }
        closed = n ? 0 : closed + 1;
        if (closed > MAX_CLOSED_RUN) return never_opens(bc->c, d0);
    }
}

static int next_open_cur(bcur *bc, int64_t t, int64_t *out) { return open_after(bc, t, 0, out); }

int fu_calendar_next_open(const fu_calendar *c, int64_t t, int64_t *out) {
    if (!c || !out) return fu__error_set(FU_EINVAL, "fu_calendar_next_open: %s is NULL", !c ? "cal" : "out");
    int rc = check_t(t);
    if (rc) return rc;
    bcur bc;
    bcur_init(&bc, c);
    return next_open_cur(&bc, t, out);
}

static int add_business_cur(bcur *bc, int64_t t, int64_t s, int64_t *out) {
    if (s == 0) {
        *out = t;
        return FU_OK;
    }
    return open_after(bc, t, s, out);
}

int fu_calendar_add_business(const fu_calendar *c, int64_t t, int64_t seconds, int64_t *out) {
    if (!c || !out) return fu__error_set(FU_EINVAL, "fu_calendar_add_business: %s is NULL", !c ? "cal" : "out");
    if (seconds < 0)
        return fu__error_set(FU_EINVAL, "business duration %lld s is negative",
                             (long long)seconds);
    int rc = check_t(t);
    if (rc) return rc;
    bcur bc;
    bcur_init(&bc, c);
    return add_business_cur(&bc, t, seconds, out);
}

int fu_calendar_add_business_bulk(const fu_calendar *c, const int64_t *t, size_t n,
                                  int64_t seconds, int64_t *out) {
    if (!c || (n && (!t || !out)))
        return fu__error_set(FU_EINVAL, "fu_calendar_add_business_bulk: %s is NULL", !c ? "cal" : !t ? "t" : "out");
    if (seconds < 0)
        return fu__error_set(FU_EINVAL, "business duration %lld s is negative",
                             (long long)seconds);
    bcur bc;
    bcur_init(&bc, c);
    for (size_t i = 0; i < n; i++) {
        int64_t r;
        int rc = check_t(t[i]);
        if (rc == FU_OK) rc = add_business_cur(&bc, t[i], seconds, &r);
        if (rc) {
            fu__error_prefix("t[%zu]", i);
            return rc;
        }
        out[i] = r;
    }
    return FU_OK;
}

int fu_calendar_business_between(const fu_calendar *c, int64_t from, int64_t to, int64_t *out) {
    if (!c || !out) return fu__error_set(FU_EINVAL, "fu_calendar_business_between: %s is NULL", !c ? "cal" : "out");
    int rc;
    if ((rc = check_t(from)) || (rc = check_t(to))) return rc;
    int neg = 0;
    if (to < from) {
        int64_t x = from;
        from = to;
        to = x;
        neg = 1;
    }
    bcur bc;
    bcur_init(&bc, c);
    int64_t a[FU_CALENDAR_MAX_INTERVALS], b[FU_CALENDAR_MAX_INTERVALS];
    int64_t sum = 0;
    int64_t dlast = local_day_of(&bc, to);
    for (int64_t d = local_day_of(&bc, from); d <= dlast; d++) {
        int n = day_utc(&bc, d, a, b);
        for (int k = 0; k < n; k++) {
            int64_t x = a[k] > from ? a[k] : from;
            int64_t y = b[k] < to ? b[k] : to;
            if (y > x) sum += y - x;
        }
    }
    *out = neg ? -sum : sum;
    return FU_OK;
}

static int day_is_working(bcur *bc, int64_t d) { return hours_of_day(bc, d)->n > 0; }

/* ------------------------------------------- working days: ordinal table */

/* W0(d): working days before d under the weekly pattern alone. */
static int64_t wd_w0(const wd_table *w, int64_t d) {
    int64_t q = fdiv(d + 3, 7); /* weeks since Monday 1969-12-29 */
    return q * w->per_week + w->pre[d + 3 - 7 * q];
}

/* The working day d with W0(d) == k. */
static int64_t wd_w0_day(const wd_table *w, int64_t k) {
    int64_t q = fdiv(k, w->per_week);
    return 7 * q - 3 + w->nth[k - q * w->per_week];
}

/* W(d): working days before d, exceptions included. */
static int64_t wd_count(const wd_table *w, int64_t d) {
    if (d <= w->lo) return wd_w0(w, d);
    if (d >= w->hi) return wd_w0(w, d) + w->delta;
    return w->c_lo + w->cum[d - w->lo];
}

/* The working day d with W(d) == k. */
static int64_t wd_day(const wd_table *w, int64_t k) {
    if (k < w->c_lo) return wd_w0_day(w, k);
    if (k >= w->c_lo + w->n_tab) return wd_w0_day(w, k - w->delta);
    return w->lo + w->list[k - w->c_lo];
}

static void wd_clear(wd_table *w) {
    fu__free(w->cum);
    memset(w, 0, sizeof *w);
}

/* Reserve the table c will need once days a..b (none when a > b) have
 * exceptions too, before the calendar is changed, so that a failed
 * allocation leaves it as it was. */
static int wd_prepare(const fu_calendar *c, int64_t a, int64_t b, wd_buf *buf) {
    buf->p = NULL;
    buf->lo = buf->hi = 0;
    int64_t first = a, last = b;
    if (c->nexc) {
        if (a > b || c->exc[0].day < first) first = c->exc[0].day;
        if (a > b || c->exc[c->nexc - 1].day > last) last = c->exc[c->nexc - 1].day;
    } else if (a > b) {
        return FU_OK;
    }
    /* WD_PAD days (over a week) of the plain pattern either side: every
     * closed run in the table ends inside it, runs outside are shorter than
     * a week, and the instants of the exceptions' years take the lookups */
    buf->lo = first - WD_PAD;
    buf->hi = last + 1 + WD_PAD;
    if (buf->hi - buf->lo > WD_MAX_SPAN) return FU_OK;
    size_t span = (size_t)(buf->hi - buf->lo);
    buf->p = fu__malloc((3 * span + 1) * sizeof *buf->p + span);
    return buf->p ? FU_OK : fu__error_nomem();
}

/* Rebuild c->wd from the hours and exceptions into the reserved memory
 * (taken over or freed). The table is left off where it could not answer
 * as the walk does. */
static void wd_commit(fu_calendar *c, wd_buf *buf) {
    wd_table *w = &c->wd;
    wd_clear(w);
    int r = 0;
    for (int wd = 0; wd < 7; wd++) {
        w->pre[wd] = (int8_t)r;
        if (!c->hours_set || c->week[wd].n > 0) w->nth[r++] = (int8_t)wd;
    }
    w->pre[7] = (int8_t)r;
    w->per_week = r;
    int32_t *cum = buf->p;
    int64_t lo = buf->lo, hi = buf->hi;
    buf->p = NULL;
    if (c->nexc == 0 || r == 0 || !cum || c->exc[0].day - WD_PAD != lo ||
        c->exc[c->nexc - 1].day + 1 + WD_PAD != hi) {
        fu__free(cum);
        w->ok = r > 0 && c->nexc == 0;
        return;
    }
    size_t span = (size_t)(hi - lo);
    int32_t *list = cum + span + 1, *close = list + span;
    int8_t *hours = (int8_t *)(close + span);
    bcur bc;
    bcur_init(&bc, c);
    int32_t n = 0, run = 0, maxrun = 0;
    for (int64_t d = lo; d < hi; d++) {
        cum[d - lo] = n;
        const day_hours *h = hours_of_day(&bc, d);
        hours[d - lo] = (int8_t)(h == &HOURS_CLOSED ? 7 : h == &HOURS_FULL ? 8 : h - c->week);
        if (h->n > 0) {
            close[n] = h->e[h->n - 1];
            list[n++] = (int32_t)(d - lo);
            run = 0;
        } else if (++run > maxrun) {
            maxrun = run;
        }
    }
    cum[span] = n;
    if (maxrun > MAX_CLOSED_RUN) {
        fu__free(cum);
        return;
    }
    w->cum = cum;
    w->list = list;
    w->hours = hours;
    w->lo = lo;
    w->hi = hi;
    w->c_lo = wd_w0(w, lo);
    w->n_tab = n;
    w->close = close;
    w->delta = w->c_lo + n - wd_w0(w, hi);
    w->ok = 1;
}

int fu_calendar_is_working_day(const fu_calendar *c, const fu_date *date) {
    if (!c) return fu__error_set(FU_EINVAL, "fu_calendar_is_working_day: NULL calendar");
    int64_t d;
    int rc = fu_date_to_days(date, &d);
    if (rc) return rc;
    bcur bc;
    bcur_init(&bc, c);
    return day_is_working(&bc, d);
}

int fu_calendar_working_days_between(const fu_calendar *c, const fu_date *from,
                                     const fu_date *to, int64_t *out) {
    if (!c || !out) return fu__error_set(FU_EINVAL, "fu_calendar_working_days_between: %s is NULL", !c ? "cal" : "out");
    int64_t a, b;
    int rc;
    if ((rc = fu_date_to_days(from, &a)) || (rc = fu_date_to_days(to, &b))) return rc;
    int neg = b < a;
    if (neg) {
        int64_t x = a;
        a = b;
        b = x;
    }
    int64_t count = 0;
    if (c->wd.ok) {
        count = wd_count(&c->wd, b) - wd_count(&c->wd, a);
    } else {
        bcur bc;
        bcur_init(&bc, c);
        for (int64_t d = a; d < b; d++) count += day_is_working(&bc, d);
    }
    *out = neg ? -count : count;
    return FU_OK;
}

/* The target day of adding n working days to local day d0, walking day by
 * day: the reference the ordinal table must agree with. */
static int target_walk(bcur *bc, int64_t d0, int n, int64_t *out) {
    int64_t d = d0;
    int closed = 0;
    if (n == 0) {
        while (!day_is_working(bc, d)) {
            if (++closed > MAX_CLOSED_RUN) return never_opens(bc->c, d0);
            if (++d > MAX_DAY) return past_range();
        }
    } else {
        while (n > 0) {
            if (++d > MAX_DAY) return past_range();
            if (day_is_working(bc, d)) {
                n--;
                closed = 0;
            } else if (++closed > MAX_CLOSED_RUN) {
                return never_opens(bc->c, d0);
            }
        }
    }
    *out = d;
    return FU_OK;
}

/* The same from the ordinal table: the working day whose ordinal is that of
 * the first working day from d0 (n = 0) or from d0 + 1 plus n - 1. */
static int target_day(bcur *bc, int64_t d0, int n, int walk, int64_t *out) {
    const wd_table *w = &bc->c->wd;
    if (walk || !w->ok) return target_walk(bc, d0, n, out);
    int64_t d = n == 0 ? wd_day(w, wd_count(w, d0)) : wd_day(w, wd_count(w, d0 + 1) + n - 1);
    if (d > MAX_DAY) return past_range();
    *out = d;
    return FU_OK;
}

/* Close of business n working days on, where the zone's last offset regime
 * (all of a zone without DST today) covers t and the target day with two
 * days to spare either side: then the general path below takes the same
 * offset for t and finds the target day's intervals on its fast path, so
 * this gives its answer with the table's two lookups and no zone cursor or
 * per-interval conversion. 0 when it does not apply (nothing written). */
static int wd_fast_end_of_day(const fu_calendar *c, int64_t t, int n, int64_t *out) {
    const wd_table *w = &c->wd;
    const zone_regime *last = &c->zone.v[c->zone.n - 1];
    if (!w->ok || t < last->at + 2 * SECS_PER_DAY || t >= TABLE_HI - 3 * SECS_PER_DAY) return 0;
    int64_t d0 = fdiv(t + last->off, SECS_PER_DAY);
    int64_t k = n == 0 ? wd_count(w, d0) : wd_count(w, d0 + 1) + n - 1, j = k - w->c_lo, d;
    int32_t close;
    if (w->list && j >= 0 && j < w->n_tab) { /* in the table: two loads side by side */
        d = w->lo + w->list[j];
        close = w->close[j];
    } else {
        d = wd_day(w, k);
        const day_hours *h = wd_hours(c, d);
        if (h->n == 0) return 0;
        close = h->e[h->n - 1];
    }
    int64_t base = d * SECS_PER_DAY - last->off;
    if (base + 2 * SECS_PER_DAY > TABLE_HI) return 0;
    *out = base + close;
    return 1;
}

static int add_working_days_cur(bcur *bc, int64_t t, int n, fu_workday_mode mode, int walk,
                                int64_t *out) {
    if (!walk && mode == FU_WORKDAY_END_OF_DAY && wd_fast_end_of_day(bc->c, t, n, out)) return FU_OK;
    int64_t L = t + zcur_off(&bc->z, t);
    int64_t d0 = fdiv(L, SECS_PER_DAY), d = d0;
    int64_t sod = L - d0 * SECS_PER_DAY;
    int rc = target_day(bc, d0, n, walk, &d);
    if (rc) return rc;
    if (mode == FU_WORKDAY_END_OF_DAY) {
        int64_t a[FU_CALENDAR_MAX_INTERVALS], b[FU_CALENDAR_MAX_INTERVALS];
        int k = day_utc(bc, d, a, b);
        if (k > 0) {
            *out = b[k - 1];
            return FU_OK;
        }
        /* the working day's hours fell entirely into a DST gap: use the next opening */
        return next_open_cur(bc, local_to_utc(bc->c, d * SECS_PER_DAY, 0, &rc), out);
    }
    int gap;
    int64_t u = local_to_utc(bc->c, d * SECS_PER_DAY + sod, 0, &gap);
    return next_open_cur(bc, u, out);
}

static int working_days_args(const fu_calendar *c, int n, fu_workday_mode mode) {
    if (n < 0) return fu__error_set(FU_EINVAL, "working days %d is negative", n);
    if (mode != FU_WORKDAY_END_OF_DAY && mode != FU_WORKDAY_SAME_TIME)
        return fu__error_set(FU_EINVAL, "unknown working-day mode %d", (int)mode);
    (void)c;
    return FU_OK;
}

int fu__calendar_add_working_days_at(const fu_calendar *c, int64_t t, int n, fu_workday_mode mode,
                                     int walk, int64_t *out) {
    if (!c || !out) return fu__error_set(FU_EINVAL, "fu_calendar_add_working_days: %s is NULL", !c ? "cal" : "out");
    int rc = working_days_args(c, n, mode);
    if (rc || (rc = check_t(t))) return rc;
    bcur bc;
    bcur_init(&bc, c);
    return add_working_days_cur(&bc, t, n, mode, walk, out);
}

int fu_calendar_add_working_days(const fu_calendar *c, int64_t t, int n, fu_workday_mode mode,
                                 int64_t *out) {
    return fu__calendar_add_working_days_at(c, t, n, mode, 0, out);
}

int fu_calendar_add_working_days_bulk(const fu_calendar *c, const int64_t *t, const int *n,
                                      size_t count, fu_workday_mode mode, int64_t *out) {
    if (!c || (count && (!t || !n || !out)))
        return fu__error_set(FU_EINVAL, "fu_calendar_add_working_days_bulk: %s is NULL",
                             !c ? "cal" : !n ? "n" : !t ? "t" : "out");
    bcur bc;
    bcur_init(&bc, c);
    for (size_t i = 0; i < count; i++) {
        int64_t r;
        int rc = working_days_args(c, n[i], mode);
        if (rc == FU_OK) rc = check_t(t[i]);
        if (rc == FU_OK) rc = add_working_days_cur(&bc, t[i], n[i], mode, 0, &r);
        if (rc) {
            fu__error_prefix("t[%zu]", i);
            return rc;
        }
        out[i] = r;
    }
    return FU_OK;
}

/* ------------------------------------------------ windows in a calendar */

int fu_windows_contains_time(const fu_windows *w, const fu_calendar *c, int64_t t) {
    if (!w || !c) return fu__error_set(FU_EINVAL, "fu_windows_contains_time: %s is NULL", !w ? "windows" : "cal");
    int m = fu_calendar_minute_of_week(c, t);
    return m < 0 ? m : wbit(w, m);
}

int fu_windows_next_time(const fu_windows *w, const fu_calendar *c, int64_t t, int64_t *out) {
    if (!w || !c || !out)
        return fu__error_set(FU_EINVAL, "fu_windows_next_time: %s is NULL", !w ? "windows" : !c ? "cal" : "out");
    if (w->n == 0) return fu__error_set(FU_ENOTFOUND, "the windows are empty");
    int rc = check_t(t);
    if (rc) return rc;
    /* Usually one round; more only when a window lies wholly in a DST gap. */
    for (int round = 0; round < 16; round++) {
        int64_t L = t + offset_at(c, t);
        int64_t day = fdiv(L, SECS_PER_DAY);
        int m = weekday_of_day(day) * 1440 + (int)(L - day * SECS_PER_DAY) / 60;
        if (wbit(w, m)) {
            *out = t;
            return FU_OK;
        }
        int next;
        fu_windows_next_start(w, m, &next);
        int wait = (next - m + FU_MINUTES_PER_WEEK) % FU_MINUTES_PER_WEEK;
        int64_t L2 = fdiv(L, 60) * 60 + (int64_t)wait * 60;
        int gap;
        int64_t u;
        local_to_utc2(c, L2, 0, &gap, &u);
        if (u <= t) local_to_utc2(c, L2, FU_LOCAL_LATER, &gap, &u);
        if (u <= t) u = fdiv(t, 60) * 60 + 60;
        if (u > MAX_T) return past_range();
        t = u;
    }
    return fu__error_set(FU_ENOTFOUND, "no instant in the windows found in %s", c->tzid);
}
