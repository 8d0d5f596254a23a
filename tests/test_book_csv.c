/* The events CSV reader's fast paths (lib/book_csv.c, lib/csv.c): the
 * in-place block splitter against the serial reader, the number and time
 * fast paths against strtod() / fu_time_parse(), and reading in blocks on
 * one and two threads against the serial reader: the same book, the same
 * first error (file, line, column, column name, message). */
#include "fu_test.h"
#include "book_internal.h"
#include "book_strtab.h"
#include "csv_internal.h"
#include "followup/planner.h"

#include <criterion/criterion.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void) {
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}
static unsigned pick(unsigned n) { return (unsigned)(rnd() % n); }

/* A growing text. */
typedef struct text {
    char *s;
    size_t len, cap;
} text;

static void put(text *t, const char *s, size_t n) {
    if (t->len + n + 1 > t->cap) {
        t->cap = (t->len + n + 1) * 2;
        t->s = realloc(t->s, t->cap);
        cr_assert_not_null(t->s);
    }
    memcpy(t->s + t->len, s, n);
    t->len += n;
    t->s[t->len] = '\0';
}
static void puts_(text *t, const char *s) { put(t, s, strlen(s)); }

/* ------------------------------------------------ splitter against reader */

typedef struct recs {
    text all; /* every field as "len:text|", records ended by '\n' */
    size_t records;
} recs;

static int collect(void *ud, char **cells, const size_t *lens, size_t n) {
    recs *r = ud;
    for (size_t i = 0; i < n; i++) {
        char head[32];
        snprintf(head, sizeof head, "%zu:", lens[i]);
        puts_(&r->all, head);
        put(&r->all, cells[i], lens[i]);
        cr_assert_eq(cells[i][lens[i]], '\0');
        puts_(&r->all, "|");
    }
    puts_(&r->all, "\n");
    r->records++;
    return 0;
}

/* Random texts of `atoms`, short (one 64-byte window of the splitter's
 * masks) or long (rows across windows, plain rows among quoted ones, the
 * limits met), split on a path of the masks (FU__CSV_PATH_*: the widest
 * there is, the portable one, SSE2 or AVX2; one this build or CPU does not
 * have is skipped), against the serial reader with the same limits. */
static void split_against_reader(int path, int long_rows) {
    static const char *const atoms[] = {"a", "bc", ",", ",", "\"", "\"\"", "\n", "\r\n", "\r", "'", "=",
                                        " ", "\xC3\xA9", "\xE4\xB8\xAD", "\xFF", "\xC0\xAF", "x", "\x01",
                                        "abcdefghijklmnopqrstu", ",,,", "a,b,c\n"};
    /* a long text's cells: plain, quoted, UTF-8 */
    static const char *const cells[] = {"",   "a",  "bc", "abcdefghijklmnopqrstu", "\"x,\"\"y\"\"\r\n\"",
                                        "\"\"", "\xC3\xA9", " ", "'=1", "\"'=1\""};
    size_t accepted = 0, natoms = sizeof atoms / sizeof *atoms - (long_rows ? 0 : 3);
    if (fu__csv_split_path(path) != path && path != FU__CSV_PATH_AUTO) {
        fu__csv_split_path(FU__CSV_PATH_AUTO);
        cr_log_warn("path %d is not in this build or CPU: not tested", path);
        return;
    }
    for (int iter = 0; iter < 20000; iter++) {
        text in = {0};
        size_t max_record = 0, max_field = 0, width = 1 + pick(20);
        if (!long_rows) {
            unsigned n = 1 + pick(24);
            for (unsigned i = 0; i < n; i++) puts_(&in, atoms[pick((unsigned)natoms)]);
        } else {
            /* rows of `width` cells, most of them plain, now and then a stray atom */
            for (unsigned row = 0, rows = 1 + pick(12); row < rows; row++) {
                for (size_t c = 0; c < width; c++) {
                    if (c) puts_(&in, ",");
                    puts_(&in, cells[pick(4) ? pick(4) : pick(sizeof cells / sizeof *cells)]);
                    if (!pick(200)) puts_(&in, atoms[pick((unsigned)natoms)]);
                }
                puts_(&in, pick(4) ? "\n" : pick(2) ? "\r\n" : pick(2) ? "\r" : "\n\n");
            }
            if (pick(2)) in.s[--in.len] = '\0'; /* no line break at the end */
            max_record = pick(3) ? 0 : 1 + pick(300);
            max_field = pick(3) ? 0 : 1 + pick(30);
        }
        for (size_t i = 0; i < in.len; i++)
            if (in.s[i] == '\x01') in.s[i] = '\0'; /* a NUL byte now and then */
        /* the width of the first record, as the reader sees it */
        size_t ncols = 1 + pick(4);
        fu__csv *r0;
        cr_assert_eq(fu__csv_open_mem(in.s, in.len, "x", 0, 0, &r0), FU_OK);
        if (fu__csv_next(r0) == 1 && pick(4)) ncols = fu__csv_count(r0);
        fu__csv_close(r0);
        char *copy = malloc(in.len + 1);
        memcpy(copy, in.s, in.len + 1);
        recs got = {0};
        int rc = fu__csv_split(copy, in.len, ncols, max_record, max_field, collect, &got);
        cr_assert(rc == FU_OK || rc == FU__CSV_UNSURE);
        if (rc == FU_OK) {
            accepted++;
            fu__csv *r;
            cr_assert_eq(fu__csv_open_mem(in.s, in.len, "x", max_record, max_field, &r), FU_OK);
            recs want = {0};
            int k;
            while ((k = fu__csv_next(r)) == 1) {
                cr_assert_eq(fu__csv_count(r), ncols, "iter %d: the reader sees another width", iter);
                for (size_t i = 0; i < fu__csv_count(r); i++) {
                    size_t len;
                    const char *f = fu__csv_field(r, i, &len);
                    char head[32];
                    snprintf(head, sizeof head, "%zu:", len);
                    puts_(&want.all, head);
                    put(&want.all, f, len);
                    puts_(&want.all, "|");
                }
                puts_(&want.all, "\n");
                want.records++;
            }
            cr_assert_eq(k, 0, "iter %d: split accepted what the reader refuses: %s", iter,
                         fu_error_last()->message);
            cr_assert_eq(got.records, want.records, "iter %d", iter);
            cr_assert_eq(got.all.len, want.all.len, "iter %d", iter);
            if (got.all.len) cr_assert(memcmp(got.all.s, want.all.s, got.all.len) == 0, "iter %d", iter);
            fu__csv_close(r);
            free(want.all.s);
        }
        free(got.all.s);
        free(copy);
        free(in.s);
    }
    fu__csv_split_path(FU__CSV_PATH_AUTO);
    cr_assert_gt(accepted, 1000, "accepted %zu", accepted); /* the test saw the accepting side too */
}

Test(book_csv, split_accepts_only_what_the_reader_reads_the_same) {
    split_against_reader(FU__CSV_PATH_AUTO, 0);
    split_against_reader(FU__CSV_PATH_AUTO, 1);
}

Test(book_csv, split_portable_path_accepts_the_same) {
    split_against_reader(FU__CSV_PATH_PORTABLE, 0);
    split_against_reader(FU__CSV_PATH_PORTABLE, 1);
}

Test(book_csv, split_sse2_path_accepts_the_same) {
    split_against_reader(FU__CSV_PATH_SSE2, 0);
    split_against_reader(FU__CSV_PATH_SSE2, 1);
}

Test(book_csv, split_avx2_path_accepts_the_same) {
    split_against_reader(FU__CSV_PATH_AVX2, 0);
    split_against_reader(FU__CSV_PATH_AVX2, 1);
}

/* The records the serial reader reads from `in` (all of them, as
 * collect() renders them); 0 at the end, or the reader's error. */
static int read_serially(const text *in, recs *want) {
    fu__csv *r;
    memset(want, 0, sizeof *want);
    cr_assert_eq(fu__csv_open_mem(in->s, in->len, "x", 0, 0, &r), FU_OK);
    int k;
    while ((k = fu__csv_next(r)) == 1) {
        for (size_t i = 0; i < fu__csv_count(r); i++) {
            size_t len;
            const char *f = fu__csv_field(r, i, &len);
            char head[32];
            snprintf(head, sizeof head, "%zu:", len);
            puts_(&want->all, head);
            put(&want->all, f, len);
            puts_(&want->all, "|");
        }
        puts_(&want->all, "\n");
        want->records++;
    }
    fu__csv_close(r);
    return k;
}

/* One split of `in` on a path: its result and the records it gave. */
static int split_on(int path, const text *in, size_t ncols, recs *got) {
    char *copy = malloc(in->len + 1);
    memcpy(copy, in->s, in->len + 1);
    memset(got, 0, sizeof *got);
    fu__csv_split_path(path);
    int rc = fu__csv_split(copy, in->len, ncols, 0, 0, collect, got);
    fu__csv_split_path(FU__CSV_PATH_AUTO);
    free(copy);
    return rc;
}

/* The SIMD paths against the portable one on the same texts, at their
 * edges: a telling byte (quote, doubled quote, CR, CRLF, LF, comma, NUL,
 * a 2-, 3- or 4-byte UTF-8 character, an invalid byte) after every prefix of
 * 0..140 plain bytes, so that it and the fields around it straddle every
 * place of the 16-, 32- and 64-byte blocks, with and without a line break
 * at the end; then random texts. Same result, same records; where the
 * split takes a text, the serial reader reads the same records. */
Test(book_csv, split_simd_paths_agree_with_the_portable_path) {
    static const char *const middles[] = {
        "\"q,\"\"x\"\"\"", "\"\"", "\r", "\r\n", "\n", ",", "\x01", "\xC3\xA9", "\xE4\xB8\xAD",
        "\xF0\x9F\x98\x80", "\xFF", "\"a\r\nb\"", "a\"b", "\"open", "\xE4\xB8"};
    int paths[] = {FU__CSV_PATH_SSE2, FU__CSV_PATH_AVX2};
    size_t compared = 0, taken = 0;
    for (size_t p = 0; p < sizeof paths / sizeof *paths; p++) {
        if (fu__csv_split_path(paths[p]) != paths[p]) continue;
        fu__csv_split_path(FU__CSV_PATH_AUTO);
        for (size_t m = 0; m < sizeof middles / sizeof *middles; m++)
            for (size_t prefix = 0; prefix <= 140; prefix++)
                for (int end = 0; end < 3; end++) {
                    text in = {0};
                    for (size_t i = 0; i < prefix; i++) put(&in, i % 7 == 6 ? "," : "p", 1);
                    puts_(&in, middles[m]);
                    puts_(&in, ",tail,x");
                    puts_(&in, end == 0 ? "" : end == 1 ? "\n" : "\r\nnext,row");
                    for (size_t i = 0; i < in.len; i++)
                        if (in.s[i] == '\x01') in.s[i] = '\0';
                    /* the width of the first record, as the reader sees it */
                    fu__csv *r0;
                    size_t ncols = 3;
                    cr_assert_eq(fu__csv_open_mem(in.s, in.len, "x", 0, 0, &r0), FU_OK);
                    if (fu__csv_next(r0) == 1) ncols = fu__csv_count(r0);
                    fu__csv_close(r0);
                    recs want, got;
                    int wrc = split_on(FU__CSV_PATH_PORTABLE, &in, ncols, &want);
                    int grc = split_on(paths[p], &in, ncols, &got);
                    cr_assert_eq(grc, wrc, "path %d, middle %zu, prefix %zu, end %d", paths[p], m, prefix, end);
                    cr_assert_eq(got.records, want.records, "path %d, middle %zu, prefix %zu", paths[p], m, prefix);
                    cr_assert_eq(got.all.len, want.all.len, "path %d, middle %zu, prefix %zu", paths[p], m, prefix);
                    if (got.all.len) cr_assert(memcmp(got.all.s, want.all.s, got.all.len) == 0);
                    if (grc == FU_OK) {
                        recs serial;
                        cr_assert_eq(read_serially(&in, &serial), 0, "middle %zu, prefix %zu", m, prefix);
                        cr_assert_eq(serial.all.len, got.all.len, "middle %zu, prefix %zu", m, prefix);
                        cr_assert(memcmp(serial.all.s, got.all.s, got.all.len) == 0);
                        free(serial.all.s);
                        taken++;
                    }
                    compared++;
                    free(got.all.s);
                    free(want.all.s);
                    free(in.s);
                }
    }
    cr_assert_gt(compared, 0, "no SIMD path in this build or CPU");
    cr_assert_gt(taken, compared / 8, "taken %zu of %zu", taken, compared); /* the accepting side too */
}

/* Random texts (the atoms of split_against_reader, rows across windows):
 * every SIMD path gives the portable path's result and records. */
Test(book_csv, split_simd_paths_agree_on_random_texts) {
    static const char *const atoms[] = {"a", "bc", ",", ",", "\"", "\"\"", "\n", "\r\n", "\r", "'", "=",
                                        " ", "\xC3\xA9", "\xE4\xB8\xAD", "\xFF", "\xC0\xAF", "x", "\x01",
                                        "abcdefghijklmnopqrstu", ",,,", "a,b,c\n", "abcdefghijklmnopqrstuvwxyz0123456"};
    int paths[] = {FU__CSV_PATH_SSE2, FU__CSV_PATH_AVX2};
    for (size_t p = 0; p < sizeof paths / sizeof *paths; p++) {
        if (fu__csv_split_path(paths[p]) != paths[p]) continue;
        fu__csv_split_path(FU__CSV_PATH_AUTO);
        for (int iter = 0; iter < 20000; iter++) {
            text in = {0};
            for (unsigned i = 0, n = 1 + pick(60); i < n; i++)
                puts_(&in, atoms[pick(sizeof atoms / sizeof *atoms)]);
            for (size_t i = 0; i < in.len; i++)
                if (in.s[i] == '\x01') in.s[i] = '\0';
            size_t ncols = 1 + pick(6);
            recs want, got;
            int wrc = split_on(FU__CSV_PATH_PORTABLE, &in, ncols, &want);
            int grc = split_on(paths[p], &in, ncols, &got);
            cr_assert_eq(grc, wrc, "path %d, iter %d", paths[p], iter);
            cr_assert_eq(got.all.len, want.all.len, "path %d, iter %d", paths[p], iter);
            if (got.all.len) cr_assert(memcmp(got.all.s, want.all.s, got.all.len) == 0, "path %d, iter %d", paths[p], iter);
            free(got.all.s);
            free(want.all.s);
            free(in.s);
        }
    }
}

Test(book_csv, count_breaks_counts_every_cr_and_lf) {
    for (int iter = 0; iter < 200; iter++) {
        size_t len = pick(iter < 100 ? 100 : 20000);
        char *t = malloc(len + 1);
        size_t want = 0;
        for (size_t i = 0; i < len; i++) {
            unsigned c = pick(6);
            t[i] = c == 0 ? '\n' : c == 1 ? '\r' : c == 2 ? (char)0x8A : (char)('a' + pick(26));
            want += c < 2;
        }
        if (pick(2)) { /* long runs of line breaks: more than 255 in one byte lane */
            memset(t, '\n', len);
            want = len;
        }
        cr_assert_eq(fu__csv_count_breaks(t, len), want, "len %zu", len);
        free(t);
    }
}

Test(book_csv, safe_end_is_outside_quotes) {
    const char *t = "a,\"x\ny\"\nb,c\n\"p\nq";
    /* the last '\n' has an odd number of quotes before it; the one before is outside */
    cr_assert_eq(fu__csv_safe_end(t, strlen(t)), 12);
    cr_assert_eq(fu__csv_safe_end("a,\"b\nc", 6), 0);
    cr_assert_eq(fu__csv_safe_end("abc", 3), 0);
}

/* --------------------------------------------------- numbers and times */

static fu_book *one_customer(unsigned flags) {
    fu_book_options o = FU_BOOK_OPTIONS_INIT;
    o.flags = flags;
    fu_book *b = NULL;
    cr_assert_eq(fu_book_new(&b, &o), FU_OK);
    const char *c = "customer_id,tz\nC1,UTC\n";
    cr_assert_eq(fu_book_read_customers_csv_from_string(b, c, strlen(c), "c.csv"), FU_OK);
    return b;
}

static void random_number(char *buf, size_t n) {
    static const char *const edge[] = {"0",   "-0",  "+0",  "0.0", "-0.0", ".5", "-.5", "5.",
                                       "+5.", "007", "1e3", "1E-3", "123456789012345", "1234567890123456",
                                       "999999999999999", "0.000000000000001", "-99999999999999.9",
                                       "9007199254740993", "0.1", "0.3", "2.675", "1.", ".", "+", "-",
                                       "1.2.3", "1,5", " 12 ", "\t3.25", "1e", "0x10", "1_000"};
    if (pick(4) == 0) {
        snprintf(buf, n, "%s", edge[pick(sizeof edge / sizeof *edge)]);
        return;
    }
    size_t at = 0;
    if (pick(3) == 0) buf[at++] = pick(2) ? '-' : '+';
    unsigned digits = 1 + pick(18), dot = pick(digits + 2);
    for (unsigned i = 0; i < digits; i++) {
        if (i == dot) buf[at++] = '.';
        buf[at++] = (char)('0' + pick(10));
    }
    buf[at] = '\0';
}

Test(book_csv, numbers_read_as_strtod_reads_them) {
    setlocale(LC_NUMERIC, "C");
    for (int iter = 0; iter < 20000; iter++) {
        char num[64];
        random_number(num, sizeof num);
        char csv[256];
        snprintf(csv, sizeof csv, "customer_id,at,kind,amount\nC1,2026-01-01T00:00:00Z,purchase,\"%s\"\n", num);
        fu_book *b = one_customer(0);
        int rc = fu_book_read_events_csv_from_string(b, csv, strlen(csv), "n.csv");
        /* the slow path's definition: the strict grammar, then strtod */
        const char *s = num;
        size_t len = strlen(num);
        while (len && (*s == ' ' || *s == '\t')) s++, len--;
        while (len && (s[len - 1] == ' ' || s[len - 1] == '\t')) len--;
        char t[64];
        memcpy(t, s, len);
        t[len] = '\0';
        char *end;
        double want = strtod(t, &end);
        int ok = len > 0 && end == t + len && strchr(t, 'x') == NULL && strchr(t, 'X') == NULL &&
                 strchr(t, '_') == NULL && strchr(t, ',') == NULL;
        if (ok) {
            cr_assert_eq(rc, FU_OK, "'%s': %s", num, fu_error_last()->message);
            double got = fu_book_events(b, NULL)[0].amount;
            cr_assert(memcmp(&got, &want, sizeof got) == 0, "'%s': %.17g want %.17g", num, got, want);
        } else {
            cr_assert_eq(rc, FU_EPARSE, "'%s' read as a number", num);
        }
        fu_book_free(b);
    }
}

static void random_time(char *buf, size_t n) {
    static const char *const edge[] = {
        "2024-02-29T00:00:00Z", "2023-02-29T00:00:00Z", "2100-02-29T12:00:00Z", "2000-02-29T12:00:00Z",
        "0001-01-01T00:00:00Z", "0001-01-01T00:00:00+00:01", "9999-12-31T23:59:59Z",
        "9999-12-31T23:59:59-00:01", "0000-01-01T00:00:00Z", "2026-13-01T00:00:00Z",
        "2026-00-10T00:00:00Z", "2026-01-00T00:00:00Z", "2026-01-32T00:00:00Z", "2026-04-31T00:00:00Z",
        "2026-01-01T24:00:00Z", "2026-01-01T23:60:00Z", "2026-01-01T23:59:60Z",
        "2026-01-01T00:00:00+18:00", "2026-01-01T00:00:00+18:01", "2026-01-01T00:00:00-18:00",
        "2026-01-01T00:00:00+05:60", "2026-01-01t00:00:00z", "2026-01-01 00:00:00Z",
        "2026-01-01T00:00:00.5Z", "2026-01-01T00:00Z", "2026-01-01T00:00:00+0800",
        "2026-01-01T00:00:00+08", "2026-01-01X00:00:00Z", "2026-1-01T00:00:00Z", "2026-01-01T00:00:00",
        " 2026-01-01T00:00:00Z ", "2026-01-01T00:00:00Z0", "2026-01-01T0a:00:00Z", "2026/01/01T00:00:00Z"};
    if (pick(3) == 0) {
        snprintf(buf, n, "%s", edge[pick(sizeof edge / sizeof *edge)]);
        return;
    }
    int y = (int)pick(10000), mo = (int)pick(14), d = (int)pick(33), h = (int)pick(25), mi = (int)pick(61),
        se = (int)pick(61);
    char off[16];
    if (pick(3) == 0) snprintf(off, sizeof off, "Z");
    else snprintf(off, sizeof off, "%c%02d:%02d", pick(2) ? '+' : '-', (int)pick(20), (int)pick(61));
    snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02d%s", y, mo, d, h, mi, se, off);
}

Test(book_csv, times_read_as_fu_time_parse_reads_them) {
    for (int iter = 0; iter < 20000; iter++) {
        char tm[64];
        random_time(tm, sizeof tm);
        char csv[256];
        snprintf(csv, sizeof csv, "customer_id,at,kind\nC1,%s,purchase\n", tm);
        fu_book *b = one_customer(0);
        int rc = fu_book_read_events_csv_from_string(b, csv, strlen(csv), "t.csv");
        int64_t want = 0;
        const char *s = tm;
        size_t len = strlen(tm);
        while (len && *s == ' ') s++, len--;
        while (len && s[len - 1] == ' ') len--;
        int wrc = fu_time_parse(s, len, &want);
        cr_assert_eq(rc, wrc, "'%s': rc %d, fu_time_parse %d", tm, rc, wrc);
        if (rc == FU_OK) cr_assert_eq(fu_book_events(b, NULL)[0].at, want, "'%s'", tm);
        fu_book_free(b);
    }
}

/* The fast path takes the common shapes (and gives fu_time_parse's value),
 * and leaves the rest to fu_time_parse. */
Test(book_csv, fast_time_takes_the_common_shapes) {
    static const struct {
        const char *text;
        int fast;
    } cases[] = {
        {"2025-01-01T07:57:48+08:00", 1}, {"2025-01-01T07:57:48Z", 1},     {"2024-02-29T23:59:59-05:30", 1},
        {"0002-01-01T00:00:00z", 1},      {"9998-12-31 23:59:59+18:00", 1}, {"2025-01-01t00:00:00Z", 1},
        {"2025/01-01T07:57:48Z", 0},      {"2025-01/01T07:57:48Z", 0},     {"2025-01-01T07:57:48", 0},
        {"2O25-01-01T07:57:48Z", 0},      {"2025-0:-01T07:57:48Z", 0},     {"2025-01-0aT07:57:48Z", 0},
        {"2025-01-01T0?:57:48Z", 0},      {"2025-01-01T07:5/:48Z", 0},     {"2025-01-01T07:57:4 Z", 0},
        {"2025-01-01T07:57:48+0:-00", 0}, {"2025-01-01T07:57:48+08:0a", 0}, {"2025-01-01T07-57:48Z", 0},
        {"2023-02-29T00:00:00Z", 0},      {"2025-01-01X07:57:48Z", 0},     {"2025-01-01T07:57:48+19:00", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *t = cases[i].text;
        int64_t fast = 0, slow = 0;
        int took = fu__book_csv_fast_time(t, strlen(t), &fast);
        cr_expect_eq(took, cases[i].fast, "'%s': fast path %d", t, took);
        if (took) {
            cr_assert_eq(fu_time_parse(t, strlen(t), &slow), FU_OK, "'%s'", t);
            cr_expect_eq(fast, slow, "'%s'", t);
        }
    }
    for (int iter = 0; iter < 20000; iter++) { /* and on the random times of the test above */
        char tm[64];
        random_time(tm, sizeof tm);
        int64_t fast = 0, slow = 0;
        if (!fu__book_csv_fast_time(tm, strlen(tm), &fast)) continue;
        cr_assert_eq(fu_time_parse(tm, strlen(tm), &slow), FU_OK, "'%s'", tm);
        cr_assert_eq(fast, slow, "'%s'", tm);
    }
}

/* The shapes the fast path takes, position by position (an independent
 * statement of fast_time's rule, for the test below). */
static int shape_ok(const unsigned char *u, size_t len) {
    static const int DIG[] = {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18};
    static const int MD[] = {0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (len != 20 && len != 25) return 0;
    for (size_t i = 0; i < sizeof DIG / sizeof DIG[0]; i++)
        if (u[DIG[i]] < '0' || u[DIG[i]] > '9') return 0;
    if (u[4] != '-' || u[7] != '-' || u[13] != ':' || u[16] != ':') return 0;
    if (u[10] != 'T' && u[10] != 't' && u[10] != ' ') return 0;
#define N2(i) ((u[i] - '0') * 10 + (u[(i) + 1] - '0'))
    if (len == 20 && u[19] != 'Z' && u[19] != 'z') return 0;
    if (len == 25) {
        if (u[19] != '+' && u[19] != '-') return 0;
        if (u[22] != ':') return 0;
        for (int i = 20; i <= 24; i++)
            if (i != 22 && (u[i] < '0' || u[i] > '9')) return 0;
        if (N2(23) > 59 || N2(20) * 60 + N2(23) > 18 * 60) return 0;
    }
    int y = N2(0) * 100 + N2(2), mo = N2(5), d = N2(8);
    if (y < 2 || y > 9998 || mo < 1 || mo > 12 || d < 1) return 0;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > MD[mo] + (mo == 2 && leap)) return 0;
    return N2(11) <= 23 && N2(14) <= 59 && N2(17) <= 59;
#undef N2
}

/* Every byte of a few valid times set to each of the 256 values (the time
 * of day and the zone are read eight bytes at a time): the fast path takes
 * exactly the shapes of shape_ok, with fu_time_parse's value, with the
 * date memo and without. */
Test(book_csv, fast_time_takes_each_byte_as_the_rule_says) {
    static const char *const BASE[] = {"2025-01-01T07:57:48+08:00", "2024-02-29T23:59:59-18:00",
                                       "0002-12-31 00:00:00Z", "9998-06-15t19:09:09+00:59",
                                       "2025-03-09T09:30:00z"};
    for (size_t b = 0; b < sizeof BASE / sizeof BASE[0]; b++) {
        size_t len = strlen(BASE[b]);
        for (size_t pos = 0; pos < len; pos++)
            for (int v = 0; v < 256; v++) {
                unsigned char t[32];
                memcpy(t, BASE[b], len + 1);
                t[pos] = (unsigned char)v;
                int64_t fast = 0, memo = 0, slow = 0;
                int want = shape_ok(t, len);
                int took = fu__book_csv_fast_time((const char *)t, len, &fast);
                fu__book_csv_fast_time_memo(BASE[b], len, &memo, 1); /* the memo holds the base's date */
                int took_memo = fu__book_csv_fast_time_memo((const char *)t, len, &memo, 0);
                cr_assert_eq(took, want, "'%s' byte %zu = %d: fast path %d, rule %d", BASE[b], pos, v, took, want);
                cr_assert_eq(took_memo, want, "'%s' byte %zu = %d: with the memo %d", BASE[b], pos, v, took_memo);
                if (!want) continue;
                cr_assert_eq(fu_time_parse((const char *)t, len, &slow), FU_OK, "'%s' byte %zu = %d", BASE[b], pos, v);
                cr_assert_eq(fast, slow, "'%s' byte %zu = %d", BASE[b], pos, v);
                cr_assert_eq(memo, slow, "'%s' byte %zu = %d", BASE[b], pos, v);
            }
    }
}

/* A reader's date memo changes nothing: the same shapes taken, the same
 * values, a date never taken for having the bytes of one checked before
 * unless they are all equal; the time of day and the zone checked on every
 * call. */
Test(book_csv, fast_time_date_memo_gives_the_same_times) {
    static const struct {
        const char *prime, *text;
        int fast;
    } pairs[] = {
        {"2024-02-29T00:00:00Z", "2023-02-29T00:00:00Z", 0},
        {"2024-02-29T00:00:00Z", "2024-02-29T23:59:59-05:30", 1},
        {"2025-01-01T07:57:48+08:00", "2025-01-01T24:00:00Z", 0},
        {"2025-01-01T07:57:48+08:00", "2025-01-01T07:60:00Z", 0},
        {"2025-01-01T07:57:48+08:00", "2025-01-01T07:57:48+19:00", 0},
        {"2025-01-01T07:57:48+08:00", "2025-01-02T07:57:48+08:00", 1},
        {"2025-01-31T07:57:48+08:00", "2025-02-31T07:57:48+08:00", 0},
        {"2025-02-01T07:57:48+08:00", "2025-02-31T07:57:48+08:00", 0},
        {"2025-01-01T07:57:48+08:00", "2025-01-01X07:57:48Z", 0},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        int64_t v = 0, slow = 0;
        cr_assert_eq(fu__book_csv_fast_time_memo(pairs[i].prime, strlen(pairs[i].prime), &v, 1), 1);
        int took = fu__book_csv_fast_time_memo(pairs[i].text, strlen(pairs[i].text), &v, 0);
        cr_expect_eq(took, pairs[i].fast, "'%s' after '%s': %d", pairs[i].text, pairs[i].prime, took);
        if (took) {
            cr_assert_eq(fu_time_parse(pairs[i].text, strlen(pairs[i].text), &slow), FU_OK);
            cr_expect_eq(v, slow, "'%s'", pairs[i].text);
        }
    }
    /* random times on a few dates, memo against none */
    for (int iter = 0; iter < 50000; iter++) {
        char tm[64];
        random_time(tm, sizeof tm);
        if (pick(4) && strlen(tm) > 10) memcpy(tm, pick(2) ? "2024-02-29" : "2025-12-31", 10);
        int64_t a = 0, b = 0;
        int ta = fu__book_csv_fast_time_memo(tm, strlen(tm), &a, 0), tb = fu__book_csv_fast_time(tm, strlen(tm), &b);
        cr_assert_eq(ta, tb, "'%s'", tm);
        if (ta) cr_assert_eq(a, b, "'%s'", tm);
    }
}

/* ------------------------------------------- blocks against the serial reader */

static const char *const NOTES[] = {
    "",
    "plain note",
    "\"quoted, with a comma\"",
    "\"two\nlines\"",
    "\"crlf\r\ninside\"",
    "\"says \"\"hi\"\"\"",
    "\"'=1+2\"",
    "\"''-3\"",
    "caf\xC3\xA9 \xE4\xB8\xAD\xE6\x96\x87",
    "\"\n\"",
    "\"ends with a newline\n\"",
};

/* A random valid events file (customers C0..C19, created on the fly). */
static text random_events(unsigned rows, int skip_kinds) {
    static const char *const kinds[] = {"purchase", "delivery", "contact", "fault", "Purchase", " inquiry "};
    static const char *const eol[] = {"\n", "\r\n", "\n", "\n"};
    text t = {0};
    if (pick(4) == 0) puts_(&t, "\xEF\xBB\xBF");
    puts_(&t, "customer_id,at,kind,order_id,amount,channel,note\n");
    char line[512], prev[512] = "";
    for (unsigned i = 0; i < rows; i++) {
        if (prev[0] && pick(20) == 0) { /* an exact duplicate */
            puts_(&t, prev);
            continue;
        }
        if (pick(40) == 0) puts_(&t, eol[pick(4)]); /* an empty line */
        char tm[64], amount[64];
        random_time(tm, sizeof tm);
        if (fu_time_parse(tm, strlen(tm), &(int64_t){0}) != FU_OK || strchr(tm, ' '))
            snprintf(tm, sizeof tm, "2026-0%u-1%uT0%u:00:00+08:00", 1 + pick(9), pick(10), pick(10));
        snprintf(amount, sizeof amount, "%u.%02u", pick(100000), pick(100));
        const char *kind = skip_kinds && pick(15) == 0 ? "no_such_kind" : kinds[pick(6)];
        snprintf(line, sizeof line, "C%u,%s,%s,O%u,%s,%s,%s%s", pick(20), tm, kind, pick(50),
                 pick(3) ? amount : "", pick(2) ? "sms" : "", NOTES[pick(sizeof NOTES / sizeof *NOTES)],
                 i + 1 == rows && pick(2) ? "" : eol[pick(4)]);
        puts_(&t, line);
        snprintf(prev, sizeof prev, "%s", line);
        if (i + 1 == rows && line[strlen(line) - 1] != '\n') break;
    }
    return t;
}

typedef struct outcome {
    int rc;
    int code;
    char source[64], path[64], message[800];
    unsigned long line, column;
    char *csv;
    size_t events, customers, dups, skipped, created;
} outcome;

static outcome read_with(int threads, size_t block, const char *in, size_t len, unsigned flags) {
    fu__book_csv_tune(threads, block);
    fu_book_options o = FU_BOOK_OPTIONS_INIT;
    o.flags = flags | FU_BOOK_WRITE_RAW_NOTES | FU_BOOK_WRITE_RAW_CELLS;
    fu_book *b = NULL;
    cr_assert_eq(fu_book_new(&b, &o), FU_OK);
    outcome r;
    memset(&r, 0, sizeof r);
    r.rc = fu_book_read_events_csv_from_string(b, in, len, "ev.csv");
    if (r.rc) {
        const fu_error *e = fu_error_last();
        r.code = e->code;
        snprintf(r.source, sizeof r.source, "%s", e->source ? e->source : "");
        snprintf(r.path, sizeof r.path, "%s", e->path ? e->path : "");
        snprintf(r.message, sizeof r.message, "%s", e->message);
        r.line = e->line;
        r.column = e->column;
    }
    size_t n;
    cr_assert_eq(fu_book_write_events_csv_to_string(b, &n, &r.csv), FU_OK);
    fu_book_stats st;
    fu_book_get_stats(b, &st);
    r.events = st.events;
    r.customers = st.customers;
    r.dups = st.duplicates_dropped;
    r.skipped = st.unknown_kinds_skipped;
    r.created = st.customers_created;
    fu_book_free(b);
    fu__book_csv_tune(0, 0);
    return r;
}

static void same(const outcome *a, const outcome *b, const char *what) {
    cr_assert_eq(a->rc, b->rc, "%s: rc %d vs %d (%s | %s)", what, a->rc, b->rc, a->message, b->message);
    cr_assert_eq(a->code, b->code, "%s", what);
    cr_assert_str_eq(a->source, b->source, "%s", what);
    cr_assert_str_eq(a->path, b->path, "%s", what);
    cr_assert_str_eq(a->message, b->message, "%s", what);
    cr_assert_eq(a->line, b->line, "%s: line %lu vs %lu", what, a->line, b->line);
    cr_assert_eq(a->column, b->column, "%s: column %lu vs %lu", what, a->column, b->column);
    cr_assert_str_eq(a->csv, b->csv, "%s: the books differ", what);
    cr_assert_eq(a->events, b->events, "%s", what);
    cr_assert_eq(a->customers, b->customers, "%s", what);
    cr_assert_eq(a->dups, b->dups, "%s", what);
    cr_assert_eq(a->skipped, b->skipped, "%s", what);
    cr_assert_eq(a->created, b->created, "%s", what);
}

static const size_t BLOCKS[] = {64, 97, 150, 256, 1000, 4096, 0};
static size_t block_reads;

/* The serial reader and blocks of many sizes on one and two threads. */
static void all_modes_agree(const char *in, size_t len, unsigned flags, const char *what, outcome *serial_out) {
    outcome serial = read_with(-1, 0, in, len, flags);
    for (size_t i = 0; i < sizeof BLOCKS / sizeof *BLOCKS; i++)
        for (int threads = 1; threads <= 2; threads++) {
            size_t before = fu__book_csv_block_reads();
            outcome o = read_with(threads, BLOCKS[i], in, len, flags);
            block_reads += fu__book_csv_block_reads() - before;
            char w[128];
            snprintf(w, sizeof w, "%s, %d thread%s, blocks of %zu", what, threads, threads > 1 ? "s" : "",
                     BLOCKS[i]);
            same(&serial, &o, w);
            free(o.csv);
        }
    if (serial_out) *serial_out = serial;
    else free(serial.csv);
}

Test(book_csv, blocks_make_the_serial_readers_book) {
    for (int iter = 0; iter < 60; iter++) {
        text t = random_events(20 + pick(300), iter & 1);
        char what[64];
        snprintf(what, sizeof what, "file %d", iter);
        outcome serial;
        all_modes_agree(t.s, t.len, FU_BOOK_CREATE_CUSTOMERS | ((iter & 1) ? FU_BOOK_SKIP_UNKNOWN_KINDS : 0), what,
                        &serial);
        cr_assert_eq(serial.rc, FU_OK, "%s: %s", what, serial.message);
        cr_assert_gt(serial.events, 0);
        free(serial.csv);
        free(t.s);
    }
    /* the blocks read most files themselves (not all: a quoted note longer
     * than a small block sends the read back to the serial reader) */
    cr_assert_gt(block_reads, 60 * 14 / 2, "%zu of %d reads in blocks", block_reads, 60 * 14);
}

/* Events whose customers mostly repeat their current order (the block
 * reader's memo of each customer's last order id, lib/book.c), and whose
 * new orders are prefixes of each other, other customers' orders, ids of
 * 11 and 12 bytes (the memo keeps 11: the longer ones go to the string
 * table), long ids, or none; customers in turn or at random. */
static text memo_events(unsigned rows) {
    static const char *const eol[] = {"\n", "\r\n"};
    char orders[30][64];
    for (int c = 0; c < 30; c++) snprintf(orders[c], sizeof orders[c], "O%d", c);
    text t = {0};
    puts_(&t, "customer_id,at,kind,order_id,amount,note\n");
    int turn = (int)pick(2), e = (int)pick(2);
    for (unsigned i = 0; i < rows; i++) {
        int c = turn ? (int)(i % 30) : (int)pick(30);
        if (pick(10) < 3) {
            switch (pick(8)) {
            case 0: snprintf(orders[c], sizeof orders[c], "O%u", pick(3) ? pick(12) : 100 + pick(30)); break;
            case 1: memmove(orders[c], orders[pick(30)], sizeof orders[c]); break; /* another's */
            case 2: snprintf(orders[c], sizeof orders[c], "ORD-%07u", pick(4)); break;  /* 11 bytes */
            case 3: snprintf(orders[c], sizeof orders[c], "ORD-%08u", pick(4)); break;  /* 12 bytes */
            case 4: snprintf(orders[c], sizeof orders[c], "ORDER-%u-of-a-long-family-%u", pick(3), pick(3)); break;
            case 5: orders[c][0] = '\0'; break;
            case 6: snprintf(orders[c], sizeof orders[c], "\"O,%u\"", pick(3)); break; /* quoted: O,n */
            default: snprintf(orders[c], sizeof orders[c], "O%u", pick(3)); break;   /* O0 O1 O2 */
            }
        }
        char line[256];
        snprintf(line, sizeof line, "C%d,2026-01-%02uT%02u:%02u:00Z,purchase,%s,%u,%s%s", c, 1 + pick(28), pick(24),
                 pick(60), orders[c], pick(1000), pick(50) ? "" : "\"a note\"", eol[e]);
        puts_(&t, line);
    }
    return t;
}

Test(book_csv, read_memo_gives_the_serial_readers_book) {
    rng_state = 4242;
    size_t before = block_reads;
    for (int iter = 0; iter < 40; iter++) {
        text t = memo_events(50 + pick(600));
        char what[64];
        snprintf(what, sizeof what, "memo file %d", iter);
        all_modes_agree(t.s, t.len, FU_BOOK_CREATE_CUSTOMERS | ((iter & 1) ? FU_BOOK_KEEP_DUPLICATES : 0), what, NULL);
        free(t.s);
    }
    cr_assert_gt(block_reads, before); /* the blocks (and their memo) were taken */
}

/* Customers read before the events (the memo sized for them) and customers
 * the events create (the memo grows), in one book, then a second events
 * file into the same book: the same as the serial reader. */
Test(book_csv, read_memo_with_known_and_created_customers) {
    rng_state = 777;
    text cust = {0};
    puts_(&cust, "customer_id,tz\n");
    for (int c = 0; c < 30; c += 2) {
        char line[64];
        snprintf(line, sizeof line, "C%d,UTC\n", c);
        puts_(&cust, line);
    }
    text ev1 = memo_events(700), ev2 = memo_events(700);
    char *out[3] = {NULL, NULL, NULL};
    for (int mode = 0; mode < 3; mode++) { /* serial, blocks on one thread, on two */
        fu__book_csv_tune(mode == 0 ? -1 : mode, 128);
        fu_book_options o = FU_BOOK_OPTIONS_INIT;
        o.flags = FU_BOOK_CREATE_CUSTOMERS;
        fu_book *b = NULL;
        cr_assert_eq(fu_book_new(&b, &o), FU_OK);
        cr_assert_eq(fu_book_read_customers_csv_from_string(b, cust.s, cust.len, "c.csv"), FU_OK);
        cr_assert_eq(fu_book_read_events_csv_from_string(b, ev1.s, ev1.len, "e1.csv"), FU_OK);
        cr_assert_eq(fu_book_read_events_csv_from_string(b, ev2.s, ev2.len, "e2.csv"), FU_OK);
        size_t n;
        cr_assert_eq(fu_book_write_events_csv_to_string(b, &n, &out[mode]), FU_OK);
        fu_book_free(b);
    }
    fu__book_csv_tune(0, 0);
    cr_assert_str_eq(out[1], out[0]);
    cr_assert_str_eq(out[2], out[0]);
    for (int i = 0; i < 3; i++) free(out[i]);
    free(cust.s);
    free(ev1.s);
    free(ev2.s);
}

/* Spoil one row of a valid file in one of several ways. */
static text spoil(const text *t, unsigned how) {
    /* a line start after the header, outside quotes (an odd quote count
     * before it means inside) */
    size_t starts[4096], n = 0, q = 0;
    for (size_t i = 0; i < t->len && n < 4096; i++) {
        if (t->s[i] == '"') q++;
        if (t->s[i] == '\n' && !(q & 1) && i + 1 < t->len && t->s[i + 1] != '\n' && t->s[i + 1] != '\r')
            starts[n++] = i + 1;
    }
    text o = {0};
    size_t at = n > 1 ? starts[1 + pick((unsigned)n - 1)] : t->len;
    put(&o, t->s, at);
    static const char *const bad[] = {
        "C1,2026-02-30T00:00:00Z,purchase,,,,\n",       /* no such day */
        "C1,2026-01-01T00:00:00Z,purchase,,12x,,\n",    /* not a number */
        "C1,2026-01-01T00:00:00Z,bogus,,,,\n",          /* unknown kind */
        "C1,2026-01-01T00:00:00Z,purchase,,,fax,\n",    /* unknown channel */
        "C1,2026-01-01T00:00:00Z,purchase,,,\n",        /* a field short */
        "C1,2026-01-01T00:00:00Z,purchase,,,,,\n",      /* a field more */
        "C1,2026-01-01T00:00:00Z,purchase,,,,a\"b\n",   /* a quote inside */
        "C1,2026-01-01T00:00:00Z,purchase,,,,\"open\n", /* an unterminated quote */
        "C1,2026-01-01T00:00:00Z,purchase,,,,\xC3(\n",  /* invalid UTF-8 */
        ",2026-01-01T00:00:00Z,purchase,,,,\n",         /* no customer */
        "C1,,purchase,,,,\n",                           /* no time */
        "C1,2026-01-01T00:00:00Z,purchase,,-1e999,,\n", /* out of range */
        "C1,2026-01-01T00:00:00Z,purchase,,,,\"x\"y\n", /* text after a closing quote */
    };
    puts_(&o, bad[how % (sizeof bad / sizeof *bad)]);
    put(&o, t->s + at, t->len - at);
    return o;
}

Test(book_csv, blocks_report_the_serial_readers_first_error) {
    for (int iter = 0; iter < 120; iter++) {
        text t = random_events(30 + pick(200), 0);
        text bad = spoil(&t, (unsigned)iter);
        /* a second error further on: the first one is reported */
        text worse = spoil(&bad, (unsigned)iter + 5);
        char what[64];
        snprintf(what, sizeof what, "spoilt file %d", iter);
        outcome serial;
        all_modes_agree(worse.s, worse.len, iter % 3 ? FU_BOOK_CREATE_CUSTOMERS : 0, what, &serial);
        cr_assert_neq(serial.rc, FU_OK, "%s was read", what);
        cr_assert_gt(serial.line, 1, "%s: %s", what, serial.message);
        cr_assert_eq(serial.events, 0, "%s: events kept after an error", what);
        free(serial.csv);
        free(t.s);
        free(bad.s);
        free(worse.s);
    }
}

/* Reading `t` in blocks on one and two threads (and with the serial reader
 * when `serial`) fails with FU_EPARSE at ev.csv:line:column, in column
 * `path`, with `message` in the text, and keeps no event. */
static void expect_parse_error(const text *t, int serial, unsigned long line, unsigned long column, const char *path,
                               const char *message) {
    for (int threads = serial ? -1 : 1; threads <= 2; threads++) {
        if (threads == 0) continue;
        outcome o = read_with(threads, 256, t->s, t->len, FU_BOOK_CREATE_CUSTOMERS);
        cr_assert_eq(o.rc, FU_EPARSE, "%s", o.message);
        cr_expect_str_eq(o.source, "ev.csv");
        cr_expect_eq(o.line, line, "line %lu: %s", o.line, o.message);
        cr_expect_eq(o.column, column, "column %lu: %s", o.column, o.message);
        cr_expect_str_eq(o.path, path);
        cr_expect(strstr(o.message, message), "%s", o.message);
        cr_expect_eq(o.events, 0);
        free(o.csv);
    }
}

Test(book_csv, error_in_a_later_block_names_its_line_and_column) {
    text t = {0};
    puts_(&t, "customer_id,at,kind,amount,note\n");
    char line[128];
    for (int i = 0; i < 400; i++) { /* 2 + 2 lines a row: notes hold a line break */
        snprintf(line, sizeof line, "C%d,2026-01-01T00:%02d:00Z,purchase,%d,\"line\nbreak\"\n", i % 7, i % 60, i);
        puts_(&t, line);
    }
    puts_(&t, "C3,2026-01-01T00:00:00Z,purchase,12.5.1,\n"); /* row 401: line 2 + 800 */
    for (int threads = 1; threads <= 2; threads++) {
        outcome ok = read_with(threads, 256, t.s, t.len - 41, FU_BOOK_CREATE_CUSTOMERS);
        cr_assert_eq(ok.rc, FU_OK, "%s", ok.message); /* without the bad row: read in blocks */
        free(ok.csv);
    }
    expect_parse_error(&t, 0, 802, 34, "amount", "not a number: '12.5.1'"); /* "C3," + 21 + "purchase," */
    free(t.s);
}

Test(book_csv, blocks_read_a_file_as_the_serial_reader_does) {
    char dir[256];
    fu_test_mkdtemp(dir, sizeof dir, "book_csv");
    char *path = fu_test_cat(dir, "/ev.csv");
    rng_state = 12345;
    text t = random_events(3000, 0);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    fwrite(t.s, 1, t.len, f);
    fclose(f);
    char *out[3];
    for (int threads = -1; threads <= 2; threads++) {
        if (threads == 0) continue;
        fu__book_csv_tune(threads, 1000);
        fu_book_options o = FU_BOOK_OPTIONS_INIT;
        o.flags = FU_BOOK_CREATE_CUSTOMERS | FU_BOOK_WRITE_RAW_NOTES | FU_BOOK_WRITE_RAW_CELLS;
        fu_book *b = NULL;
        cr_assert_eq(fu_book_new(&b, &o), FU_OK);
        cr_assert_eq(fu_book_read_events_csv(b, path), FU_OK, "%s", fu_error_last()->message);
        size_t n;
        cr_assert_eq(fu_book_write_events_csv_to_string(b, &n, &out[threads < 0 ? 0 : threads]), FU_OK);
        fu_book_free(b);
    }
    /* a file that cannot be read: the serial reader's error */
    fu__book_csv_tune(2, 1000);
    fu_book *b = NULL;
    cr_assert_eq(fu_book_new(&b, NULL), FU_OK);
    char *missing = fu_test_cat(dir, "/missing.csv");
    cr_assert_eq(fu_book_read_events_csv(b, missing), FU_EIO);
    cr_assert(strstr(fu_error_last()->message, "cannot read"), "%s", fu_error_last()->message);
    cr_assert_str_eq(fu_error_last()->source, missing);
    free(missing);
    fu_book_free(b);
    cr_assert_str_eq(out[0], out[1]);
    cr_assert_str_eq(out[0], out[2]);
    for (int i = 0; i < 3; i++) free(out[i]);
    fu__book_csv_tune(0, 0);
    free(t.s);
    free(path);
    fu_test_rmtree(dir);
}

/* Every allocation failure in the block path ends in FU_ENOMEM with nothing
 * leaked. With two threads too: every allocation is made on the calling
 * thread (the test allocator counts without locks, and a host's allocator
 * need not be thread-safe for a one-thread host). */
typedef struct oom_ctx {
    const char *text;
    size_t len;
} oom_ctx;

static int oom_read(void *p) {
    oom_ctx *c = p;
    fu_book_options o = FU_BOOK_OPTIONS_INIT;
    o.flags = FU_BOOK_CREATE_CUSTOMERS;
    fu_book *b = NULL;
    int rc = fu_book_new(&b, &o);
    if (rc) return rc;
    rc = fu_book_read_events_csv_from_string(b, c->text, c->len, "oom.csv");
    fu_book_free(b);
    return rc;
}

Test(book_csv, blocks_out_of_memory) {
    rng_state = 777;
    text t = random_events(60, 0);
    oom_ctx c = {t.s, t.len};
    for (int threads = 1; threads <= 2; threads++) {
        fu__book_csv_tune(threads, 128);
        size_t before = fu__book_csv_block_reads();
        fu_test_oom("events in blocks", oom_read, &c, 4000);
        cr_assert_gt(fu__book_csv_block_reads(), before); /* the clean run went through the blocks */
    }
    fu__book_csv_tune(0, 0);
    free(t.s);
}

/* ------------------------------------------------------------ priority */

/* The optional priority column: any position, ASCII case ignored, empty =
 * not given; written last, and only when an event has a priority. */
Test(book_csv, priority_column_round_trips) {
    static const char in[] = "priority,customer_id,at,kind\n"
                             "Urgent,C1,2026-01-01T00:00:00Z,contact\n"
                             ",C1,2026-01-01T01:00:00Z,contact\n"
                             "low,C2,2026-01-01T02:00:00Z,contact\n"
                             " high ,C2,2026-01-01T03:00:00Z,contact\n"
                             "NORMAL,C2,2026-01-01T04:00:00Z,purchase\n";
    static const char want[] =
        "customer_id,at,kind,order_id,product_class,unit_price,amount,severity,channel,agent_id,outcome,score,"
        "survey,note,priority\n"
        "C1,2026-01-01T00:00:00Z,contact,,,,,,,,,,,,urgent\n"
        "C1,2026-01-01T01:00:00Z,contact,,,,,,,,,,,,\n"
        "C2,2026-01-01T02:00:00Z,contact,,,,,,,,,,,,low\n"
        "C2,2026-01-01T03:00:00Z,contact,,,,,,,,,,,,high\n"
        "C2,2026-01-01T04:00:00Z,purchase,,,,,,,,,,,,normal\n";
    for (int threads = 1; threads <= 2; threads++) {
        outcome o = read_with(threads, 64, in, strlen(in), FU_BOOK_CREATE_CUSTOMERS);
        cr_assert_eq(o.rc, FU_OK, "%s", o.message);
        cr_expect_str_eq(o.csv, want, "threads %d", threads);
        outcome back = read_with(threads, 64, o.csv, strlen(o.csv), FU_BOOK_CREATE_CUSTOMERS);
        cr_assert_eq(back.rc, FU_OK, "%s", back.message);
        cr_expect_str_eq(back.csv, want, "read back, threads %d", threads);
        free(o.csv);
        free(back.csv);
    }
    fu_book *b = one_customer(FU_BOOK_CREATE_CUSTOMERS);
    cr_assert_eq(fu_book_read_events_csv_from_string(b, in, strlen(in), "ev.csv"), FU_OK);
    size_t n;
    const fu_event *ev = fu_book_events(b, &n);
    cr_assert_eq(n, 5);
    static const uint8_t prio[5] = {FU_PRIORITY_URGENT + 1, 0, FU_PRIORITY_LOW + 1, FU_PRIORITY_HIGH + 1,
                                    FU_PRIORITY_NORMAL + 1};
    for (size_t i = 0; i < n; i++) cr_expect_eq(ev[i].priority, prio[i], "event %zu: %d", i, ev[i].priority);
    fu_book_free(b);
}

Test(book_csv, no_priority_no_column) {
    static const char in[] = "customer_id,at,kind,priority\nC1,2026-01-01T00:00:00Z,contact,\n";
    outcome o = read_with(1, 0, in, strlen(in), FU_BOOK_CREATE_CUSTOMERS);
    cr_assert_eq(o.rc, FU_OK, "%s", o.message);
    cr_expect_str_eq(o.csv, "customer_id,at,kind,order_id,product_class,unit_price,amount,severity,channel,agent_id,"
                            "outcome,score,survey,note\nC1,2026-01-01T00:00:00Z,contact,,,,,,,,,,,\n");
    free(o.csv);
}

Test(book_csv, bad_priority_names_line_and_column) {
    text t = {0};
    puts_(&t, "customer_id,at,kind,priority\n");
    for (int i = 0; i < 50; i++) puts_(&t, "C1,2026-01-01T00:00:00Z,contact,high\n");
    puts_(&t, "C1,2026-01-01T00:00:00Z,contact,asap\n"); /* line 52 */
    expect_parse_error(&t, 0, 52, 33, "priority", "unknown priority 'asap'"); /* "C1," + 21 + "contact," */
    free(t.s);
}

/* The API: 0..4, and the duplicate rule counts the priority as a field. */
Test(book_csv, priority_through_the_api) {
    fu_book *b = one_customer(0);
    fu_event_in e;
    fu_event_in_init(&e);
    cr_expect_eq(e.priority, 0);
    e.customer_id = "C1";
    e.at = 1000;
    e.kind = FU_EVENT_CONTACT;
    e.priority = 5;
    cr_expect_eq(fu_book_add_event(b, &e), FU_EINVAL);
    e.priority = -1;
    cr_expect_eq(fu_book_add_event(b, &e), FU_EINVAL);
    e.priority = 0;
    cr_expect_eq(fu_book_add_event(b, &e), FU_OK);
    e.priority = FU_PRIORITY_URGENT + 1;
    cr_expect_eq(fu_book_add_event(b, &e), FU_OK); /* differs in the priority: kept */
    cr_expect_eq(fu_book_add_event(b, &e), FU_OK); /* equal in every field: dropped */
    cr_assert_eq(fu_book_finalize(b), FU_OK);
    fu_book_stats st;
    fu_book_get_stats(b, &st);
    cr_expect_eq(st.events, 2);
    cr_expect_eq(st.duplicates_dropped, 1);
    fu_book_free(b);
}

/* A row with too many fields is named at the start of its first extra field
 * (it was one column past the end of the line), on the line where that field
 * starts; a row with too few where it ends. In every reading mode. */
Test(book_csv, too_many_fields_names_the_first_extra_field) {
    static const struct {
        const char *row;
        unsigned long line, column;
        const char *message;
    } cases[] = {
        {"C1,2026-01-01T00:00:00Z,contact,x,y\n", 52, 33, "row has 5 fields, the header has 3"},
        {"C1,2026-01-01T00:00:00Z,contact,\"a,b\",y\n", 52, 33, "row has 5 fields, the header has 3"},
        {"C1,2026-01-01T00:00:00Z,\"con\ntact\",\"x\"\n", 53, 7, "row has 4 fields, the header has 3"},
        {"C1,2026-01-01T00:00:00Z,contact,\n", 52, 33, "row has 4 fields, the header has 3"},
        {"C1,2026-01-01T00:00:00Z\n", 52, 24, "row has 2 fields, the header has 3"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        text t = {0};
        puts_(&t, "customer_id,at,kind\n");
        for (int i = 0; i < 50; i++) puts_(&t, "C1,2026-01-01T00:00:00Z,contact\n");
        puts_(&t, cases[c].row);
        expect_parse_error(&t, 1, cases[c].line, cases[c].column, "", cases[c].message);
        free(t.s);
    }
}

/* ------------------------------------------------- finalize's event sort */

/* Events of three customers interleaved and out of time order: customer A
 * has 60 (more than the 32 sorted on the stack; 24 of them at one time, a
 * run of equal times longer than 16 with exact repeats), B 20 (sorted on
 * the stack), C one. Expected: each customer's events by time, equal times
 * in file order, later exact copies dropped; computed here by a plain
 * stable selection. */
typedef struct tev {
    int cust, sec, oid, dead;
} tev;

Test(book_csv, finalize_sorts_each_customers_events_stably) {
    tev v[81];
    int n = 0;
    for (int i = 0; i < 60; i++) { /* A: times going down, 24 events at second 30 */
        v[n++] = (tev){0, i < 24 ? 30 : 83 - i, i % 5, 0};
        if (i % 3 == 0) v[n++] = (tev){1, (i * 37) % 50, i % 2, 0}; /* B */
    }
    v[n++] = (tev){2, 5, 0, 0};
    cr_assert_eq(n, 81);
    text t = {0}, want = {0};
    static const char *const ID[] = {"A", "B", "C"};
    char line[128];
    puts_(&t, "customer_id,at,kind,order_id\n");
    for (int i = 0; i < n; i++) {
        snprintf(line, sizeof line, "%s,2026-01-01T00:00:%02dZ,contact,o%d\n", ID[v[i].cust], v[i].sec, v[i].oid);
        puts_(&t, line);
    }
    puts_(&want, "customer_id,at,kind,order_id,product_class,unit_price,amount,severity,channel,agent_id,outcome,"
                 "score,survey,note\n");
    size_t dups = 0;
    for (int c = 0; c < 3; c++)
        for (int sec = 0; sec < 60; sec++)
            for (int i = 0; i < n; i++) {
                if (v[i].cust != c || v[i].sec != sec) continue;
                int dup = 0;
                for (int j = 0; j < i && !dup; j++)
                    dup = v[j].cust == c && v[j].sec == sec && v[j].oid == v[i].oid;
                if (dup) {
                    dups++;
                    continue;
                }
                snprintf(line, sizeof line, "%s,2026-01-01T00:00:%02dZ,contact,o%d,,,,,,,,,,\n", ID[c], sec, v[i].oid);
                puts_(&want, line);
            }
    cr_assert_geq(dups, 19);
    static const int modes[][2] = {{-1, 0}, {1, 64}, {2, 150}};
    for (size_t m = 0; m < 3; m++) {
        outcome o = read_with(modes[m][0], modes[m][1], t.s, t.len, FU_BOOK_CREATE_CUSTOMERS);
        cr_assert_eq(o.rc, FU_OK, "%s", o.message);
        cr_expect_str_eq(o.csv, want.s, "mode %d", modes[m][0]);
        cr_expect_eq(o.dups, dups);
        free(o.csv);
    }
    free(t.s);
    free(want.s);
}

/* ------------------------------------------------------ the string table */

/* The string table's slots are 4 bytes while every symbol fits in 25 bits,
 * then 8 (hash << 32 | symbol). Lowered to 100 symbols here: a read that
 * crosses the switch makes the same book, and every customer id is found
 * again (through the wide slots). */
Test(book_csv, string_table_goes_wide_with_the_same_book) {
    text t = {0};
    puts_(&t, "customer_id,at,kind,order_id\n");
    char line[128];
    for (unsigned i = 0; i < 3000; i++) {
        snprintf(line, sizeof line, "C%u,2026-01-0%uT00:00:%02uZ,contact,O%u\n", pick(300), 1 + pick(9), pick(60),
                 pick(1000));
        puts_(&t, line);
    }
    outcome narrow = read_with(-1, 0, t.s, t.len, FU_BOOK_CREATE_CUSTOMERS);
    cr_assert_eq(narrow.rc, FU_OK, "%s", narrow.message);
    fu__book_strtab_tune(100);
    static const int modes[][2] = {{-1, 0}, {1, 4096}, {2, 1000}};
    for (size_t m = 0; m < 3; m++) {
        outcome wide = read_with(modes[m][0], modes[m][1], t.s, t.len, FU_BOOK_CREATE_CUSTOMERS);
        same(&narrow, &wide, "wide slots");
        free(wide.csv);
    }
    fu_book_options o = FU_BOOK_OPTIONS_INIT;
    o.flags = FU_BOOK_CREATE_CUSTOMERS;
    fu_book *b = NULL;
    cr_assert_eq(fu_book_new(&b, &o), FU_OK);
    cr_assert_eq(fu_book_read_events_csv_from_string(b, t.s, t.len, "ev.csv"), FU_OK);
    cr_assert(fu__book_strtab_wide(b));
    cr_assert_gt(fu_book_customer_count(b), 250);
    for (size_t i = 0; i < fu_book_customer_count(b); i++) {
        const char *id = fu_book_customer(b, i)->id;
        size_t at = SIZE_MAX;
        cr_assert_eq(fu_book_find_customer(b, id, strlen(id), &at), FU_OK, "%s", id);
        cr_assert_eq(at, i, "%s", id);
    }
    size_t at;
    cr_assert_neq(fu_book_find_customer(b, "C300", 4, &at), FU_OK);
    fu_book_free(b);
    fu__book_strtab_tune(0);
    cr_assert_eq(fu_book_new(&b, &o), FU_OK);
    cr_assert_eq(fu_book_read_events_csv_from_string(b, t.s, t.len, "ev.csv"), FU_OK);
    cr_assert(!fu__book_strtab_wide(b));
    fu_book_free(b);
    free(narrow.csv);
    free(t.s);
}

/* ------------------------------------------------ times across 2^32 seconds */

/* A stored event keeps the low 32 bits of its time; the high part is in
 * its attributes. finalize orders by the low bits alone only when every
 * attribute has the same high part: here they do not (1969, 1970, 2026,
 * 2106 on both sides of 2^32 s), and the low bits alone would put 2106's
 * 06:28:21 (low bits 5) before 1970's 00:00:05's duplicate and 06:28:10. */
Test(book_csv, finalize_orders_times_across_the_high_part) {
    static const char *const T[] = {"1969-12-31T23:59:59Z", "1970-01-01T00:00:05Z", "2026-01-01T00:00:00Z",
                                    "2106-02-07T06:28:10Z", "2106-02-07T06:28:21Z"};
    /* input: indexes into T for customer A (3 exact repeats), then B */
    static const int A[] = {4, 0, 3, 2, 1, 4, 1, 0};
    text t = {0}, want = {0};
    char line[160];
    puts_(&t, "customer_id,at,kind,order_id\n");
    for (size_t i = 0; i < sizeof A / sizeof *A; i++) {
        snprintf(line, sizeof line, "A,%s,contact,o1\n", T[A[i]]);
        puts_(&t, line);
    }
    puts_(&t, "B,2106-02-07T06:28:21Z,contact,o1\nB,1970-01-01T00:00:05Z,contact,o1\n");
    puts_(&want, "customer_id,at,kind,order_id,product_class,unit_price,amount,severity,channel,agent_id,outcome,"
                 "score,survey,note\n");
    for (int i = 0; i < 5; i++) {
        snprintf(line, sizeof line, "A,%s,contact,o1,,,,,,,,,,\n", T[i]);
        puts_(&want, line);
    }
    puts_(&want, "B,1970-01-01T00:00:05Z,contact,o1,,,,,,,,,,\nB,2106-02-07T06:28:21Z,contact,o1,,,,,,,,,,\n");
    static const int modes[][2] = {{-1, 0}, {1, 64}, {2, 100}};
    for (size_t m = 0; m < 3; m++) {
        outcome o = read_with(modes[m][0], modes[m][1], t.s, t.len, FU_BOOK_CREATE_CUSTOMERS);
        cr_assert_eq(o.rc, FU_OK, "%s", o.message);
        cr_expect_str_eq(o.csv, want.s, "mode %d", modes[m][0]);
        cr_expect_eq(o.dups, 3, "mode %d: %zu duplicates", modes[m][0], o.dups);
        free(o.csv);
    }
    free(t.s);
    free(want.s);
}

/* The string table keeps each string's length in the byte before it and
 * compares a lookup's bytes a word at a time (the first and last 4 or 8,
 * overlapping; memcmp past 16; byte by byte from 255 bytes). Ids of every
 * length around those edges are found at their index, and ids one byte off
 * (the first, a middle or the last byte), one shorter or one longer are
 * not (unless they are another customer's id). */
Test(book_csv, string_table_lengths_find_only_the_same_bytes) {
    static const size_t lens[] = {1, 2, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 23, 31, 32, 33, 64, 253, 254, 255, 256, 300};
    enum { NL = sizeof lens / sizeof *lens, PER = 3 };
    char ids[NL * PER][320];
    fu_book *b = NULL;
    cr_assert_eq(fu_book_new(&b, NULL), FU_OK);
    for (size_t i = 0; i < NL * PER; i++) {
        size_t n = lens[i / PER];
        for (size_t j = 0; j < n; j++) ids[i][j] = (char)('a' + (j * 7 + i) % 26);
        ids[i][n] = '\0';
        fu_customer c;
        fu_customer_init(&c);
        c.id = ids[i];
        c.tz = "Asia/Shanghai";
        size_t at = SIZE_MAX;
        cr_assert_eq(fu_book_add_customer(b, &c, &at), FU_OK, "%s: %s", ids[i], fu_error_last()->message);
        cr_assert_eq(at, i);
    }
    for (size_t i = 0; i < NL * PER; i++) {
        size_t n = strlen(ids[i]), at = SIZE_MAX;
        cr_assert_eq(fu_book_find_customer(b, ids[i], n, &at), FU_OK, "length %zu", n);
        cr_assert_eq(at, i, "length %zu", n);
        char v[330];
        const size_t flips[] = {0, n / 2, n - 1};
        for (size_t f = 0; f < 3; f++) {
            memcpy(v, ids[i], n + 1);
            v[flips[f]] ^= 0x20; /* upper case: no id has it */
            cr_assert_neq(fu_book_find_customer(b, v, n, &at), FU_OK, "length %zu, byte %zu", n, flips[f]);
        }
        memcpy(v, ids[i], n + 1);
        v[n] = ids[i][0];
        v[n + 1] = '\0';
        int other = 0; /* one longer or shorter may be another id */
        for (size_t k = 0; k < NL * PER; k++) other |= strcmp(ids[k], v) == 0;
        if (!other) cr_assert_neq(fu_book_find_customer(b, v, n + 1, &at), FU_OK, "length %zu + 1", n);
        other = 0;
        for (size_t k = 0; k < NL * PER; k++) other |= strlen(ids[k]) == n - 1 && memcmp(ids[k], v, n - 1) == 0;
        if (!other && n > 1) cr_assert_neq(fu_book_find_customer(b, v, n - 1, &at), FU_OK, "length %zu - 1", n);
        /* a NUL inside the bytes asked for: never a stored id */
        memcpy(v, ids[i], n + 1);
        v[n / 2] = '\0';
        cr_assert_neq(fu_book_find_customer(b, v, n, &at), FU_OK, "length %zu with a NUL", n);
    }
    fu_book_free(b);
}

/* Strings with a NUL among their bytes (short, and long past the length
 * byte's 255) are found again by their bytes, before and after the table
 * grows (each growth hashes every string again from its stored length, not
 * up to its first NUL) and after it goes wide; their prefixes up to the
 * NUL are other strings. */
Test(book_csv, string_table_keeps_strings_with_a_nul) {
    char longs[2][400];
    for (size_t j = 0; j < sizeof longs[0]; j++) longs[0][j] = longs[1][j] = (char)('a' + j % 26);
    longs[0][7] = '\0';   /* a NUL early in 300 bytes */
    longs[1][350] = '\0'; /* late in 400 */
    struct { const char *s; size_t n; } odd[] = {{"a\0b", 3}, {"\0", 1}, {"x\0", 2}, {"\0\0y\0", 4},
                                                 {"id-17\0tail", 11}, {longs[0], 300}, {longs[1], 400}};
    enum { NODD = sizeof odd / sizeof *odd, NFILL = 5000 };
    for (int narrow_max = 0; narrow_max <= 1; narrow_max++) {
        fu__book_strtab_tune(narrow_max ? 300 : 0); /* 300: wide after 300 symbols */
        strtab t;
        memset(&t, 0, sizeof t);
        uint32_t sym[NODD], again;
        for (size_t i = 0; i < NODD; i++) {
            cr_assert_eq(fu__st_intern(&t, odd[i].s, odd[i].n, &sym[i]), FU_OK);
            cr_assert_eq(fu__st_intern(&t, odd[i].s, odd[i].n, &again), FU_OK);
            cr_assert_eq(again, sym[i], "string %zu interned twice", i);
        }
        for (size_t k = 0; k < NFILL; k++) { /* several growths, and the switch to wide slots */
            char fill[32];
            int n = snprintf(fill, sizeof fill, "fill-%zu", k);
            cr_assert_eq(fu__st_intern(&t, fill, (size_t)n, &again), FU_OK);
        }
        cr_assert_eq(t.wide, narrow_max, "wide %d", t.wide);
        for (size_t i = 0; i < NODD; i++) {
            cr_expect_eq(fu__st_lookup(&t, odd[i].s, odd[i].n), sym[i], "string %zu after the growths", i);
            cr_assert_eq(fu__st_intern(&t, odd[i].s, odd[i].n, &again), FU_OK);
            cr_expect_eq(again, sym[i], "string %zu interned after the growths", i);
            size_t upto = strlen(odd[i].s);
            if (upto) cr_expect_eq(fu__st_lookup(&t, odd[i].s, upto), 0, "string %zu up to its NUL", i);
        }
        fu__st_free(&t);
    }
    fu__book_strtab_tune(0);
}

/* The blocks remember each enum column's words by their length and first
 * and last bytes, and compare the bytes of a word that falls in a
 * remembered one's slot (as words: the first and last 8, 4 or 2 bytes).
 * A word of that length and those ends but one byte changed, anywhere, is
 * not the remembered word: the blocks give the serial reader's error (or,
 * for a kind with FU_BOOK_SKIP_UNKNOWN_KINDS, skip the row as it does). */
Test(book_csv, enum_memo_takes_only_the_same_word) {
    static const char *const words[][2] = {
        {"kind", "purchase"}, {"kind", "contact"}, {"kind", "complaint"}, {"channel", "sms"},
        {"channel", "email"}, {"outcome", "no_answer"}, {"outcome", "answered"}, {"severity", "low"},
        {"survey", "nps"}, {"outcome", "callback_requested"}, {"channel", "phone"}};
    for (size_t w = 0; w < sizeof words / sizeof *words; w++) {
        const char *col = words[w][0], *word = words[w][1];
        size_t n = strlen(word);
        for (size_t at = 1; at + 1 < n; at++) {
            char changed[32];
            memcpy(changed, word, n + 1);
            changed[at] = changed[at] == 'q' ? 'x' : 'q';
            text t = {0};
            puts_(&t, "customer_id,at,kind,");
            puts_(&t, strcmp(col, "kind") ? col : "note");
            puts_(&t, "\n");
            const char *kind = strcmp(col, "kind") ? "contact" : NULL;
            for (int row = 0; row < 6; row++) {
                char line[160];
                const char *v = row == 4 ? changed : word;
                snprintf(line, sizeof line, "C1,2026-01-01T00:00:0%dZ,%s,%s\n", row, kind ? kind : v, kind ? v : "x");
                puts_(&t, line);
            }
            char what[96];
            snprintf(what, sizeof what, "%s '%s' for '%s'", col, changed, word);
            for (int skip = 0; skip <= 1; skip++) {
                outcome serial;
                all_modes_agree(t.s, t.len, FU_BOOK_CREATE_CUSTOMERS | (skip ? FU_BOOK_SKIP_UNKNOWN_KINDS : 0), what,
                                &serial);
                if (kind || !skip) {
                    cr_assert_neq(serial.rc, FU_OK, "%s", what);
                    cr_assert_eq(serial.line, 6, "%s: %s", what, serial.message); /* the changed row's */
                }
                else cr_assert_eq(serial.skipped, 1, "%s", what);
                free(serial.csv);
            }
            free(t.s);
        }
    }
}

/* A string of n bytes (5..319): a fixed pattern with the 5 hex digits of
 * i (as 'a'..'p') in its first 5 bytes (head) or its last 5. */
static void hash_probe_string(char *s, size_t n, uint32_t i, int head) {
    for (size_t j = 0; j < n; j++) s[j] = (char)('a' + (j * 7) % 26);
    for (size_t k = 0; k < 5; k++) s[(head ? 0 : n - 5) + k] = (char)('a' + ((i >> (4 * k)) & 15));
    s[n] = '\0';
}

typedef struct hash_at {
    uint32_t h, i;
} hash_at;

static int hash_at_cmp(const void *a, const void *b) {
    const hash_at *x = a, *y = b;
    return x->h != y->h ? (x->h < y->h ? -1 : 1) : (x->i < y->i ? -1 : x->i > y->i);
}

/* Two different strings of n bytes with the same string-table hash (the
 * table then compares their bytes): the first pair among 2^18 strings. */
static int same_hash_pair(size_t n, int head, char *a, char *b) {
    enum { N = 1 << 18 };
    hash_at *v = malloc(N * sizeof *v);
    cr_assert(v);
    char s[320];
    for (uint32_t i = 0; i < N; i++) {
        hash_probe_string(s, n, i, head);
        v[i] = (hash_at){fu__book_hash(s, n), i};
    }
    qsort(v, N, sizeof *v, hash_at_cmp);
    int found = 0;
    for (size_t i = 1; i < N && !found; i++)
        if (v[i].h == v[i - 1].h) {
            hash_probe_string(a, n, v[i - 1].i, head);
            hash_probe_string(b, n, v[i].i, head);
            found = 1;
        }
    free(v);
    return found;
}

/* Strings of the same hash and length, apart in their first or their last
 * five bytes only: the table tells them apart by their bytes (a compare
 * that skips the words at either end would take one for the other). */
Test(book_csv, string_table_tells_apart_strings_of_one_hash) {
    static const size_t lens[] = {5, 7, 8, 9, 12, 15, 16, 17, 24, 33, 254, 255, 300};
    for (size_t l = 0; l < sizeof lens / sizeof *lens; l++)
        for (int head = 0; head <= 1; head++) {
            char a[320], b[320];
            size_t n = lens[l], at = SIZE_MAX;
            cr_assert(same_hash_pair(n, head, a, b), "no pair of length %zu", n);
            cr_assert(strcmp(a, b) != 0);
            fu_book *bk = NULL;
            cr_assert_eq(fu_book_new(&bk, NULL), FU_OK);
            fu_customer c;
            fu_customer_init(&c);
            c.tz = "Asia/Shanghai";
            c.id = a;
            cr_assert_eq(fu_book_add_customer(bk, &c, NULL), FU_OK);
            cr_assert_neq(fu_book_find_customer(bk, b, n, &at), FU_OK, "length %zu, head %d", n, head);
            c.id = b;
            cr_assert_eq(fu_book_add_customer(bk, &c, NULL), FU_OK, "length %zu: %s", n, fu_error_last()->message);
            cr_assert_eq(fu_book_find_customer(bk, a, n, &at), FU_OK);
            cr_assert_eq(at, 0);
            cr_assert_eq(fu_book_find_customer(bk, b, n, &at), FU_OK);
            cr_assert_eq(at, 1, "length %zu, head %d", n, head);
            fu_book_free(bk);
        }
}

/* The blocks make room for a block's rows from its size alone when the
 * header has 8 columns or more (a row of ncols fields takes ncols bytes at
 * least): rows as short as valid events get, with many columns, in blocks
 * of every size from the smallest, all go through the blocks (a bound too
 * small would send the read back to the serial reader) and give the serial
 * reader's book. */
Test(book_csv, blocks_room_from_the_size_holds_the_shortest_rows) {
    text t = {0};
    puts_(&t, "customer_id,at,kind,order_id,product_class,unit_price,amount,severity,channel,agent_id,"
              "outcome,score,survey,note,a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p\n");
    char line[160];
    for (unsigned i = 0; i < 400; i++) {
        snprintf(line, sizeof line, "%c,2026-01-01T00:00:%02uZ,%s", 'A' + (int)pick(26), pick(60),
                 pick(2) ? "contact" : "delivery");
        puts_(&t, line);
        for (int c = 3; c < 30; c++) puts_(&t, ","); /* 27 empty fields */
        puts_(&t, pick(2) ? "\n" : "\r\n");
    }
    outcome serial = read_with(-1, 0, t.s, t.len, FU_BOOK_CREATE_CUSTOMERS);
    cr_assert_eq(serial.rc, FU_OK, "%s", serial.message);
    static const size_t blocks[] = {200, 256, 333, 1000, 4096}; /* past the header */
    for (int threads = 1; threads <= 2; threads++)
        for (size_t k = 0; k < sizeof blocks / sizeof *blocks; k++) {
            size_t before = fu__book_csv_block_reads();
            outcome o = read_with(threads, blocks[k], t.s, t.len, FU_BOOK_CREATE_CUSTOMERS);
            cr_assert_eq(fu__book_csv_block_reads(), before + 1, "blocks of %zu on %d threads", blocks[k], threads);
            same(&serial, &o, "blocks");
            free(o.csv);
        }
    fu__book_csv_tune(0, 0);
    free(serial.csv);
    free(t.s);
}

/* The blocks convert a cell as it is first and trim it only when that
 * fails, remember the last time's zone with its date, and name a column the
 * file lacks by the split's empty cell. Cells with blanks (spaces, tabs) at
 * their ends in every converted column, one date under zones that change
 * every row (Z, z, +08:00, -05:30, +00:00; and in some files a zone one byte
 * off a remembered one: +08:01, +18:01, -05:3x), header of all columns or
 * of a few, CRLF or LF: all read in blocks when the serial reader takes
 * them, and the serial reader's book, or its error (file, line, column,
 * message), in every block size on one and two threads. */
Test(book_csv, blocks_take_blank_ended_cells_and_changing_zones) {
    static const char *const zones[] = {"Z", "z", "+08:00", "-05:30", "+00:00", "+08:00", "Z"};
    static const char *const off_by_one[] = {"+08:01", "+18:01", "-05:3x", "+08:0", "Zz"};
    static const char *const blank[] = {"", "", "", " ", "\t", "  "};
    static const char *const kinds[] = {"purchase", "contact", "survey"};
    static const char *const sev[] = {"", "low", "urgent"};
    static const char *const chan[] = {"", "sms", "phone"};
    for (int iter = 0; iter < 24; iter++) {
        int few = iter % 3 == 2, bad = iter % 4 == 3;
        text t = {0};
        puts_(&t, few ? "customer_id,at,kind,severity,unit_price\n"
                      : "customer_id,at,kind,order_id,product_class,unit_price,amount,severity,channel,agent_id,"
                        "outcome,score,survey,note\n");
        unsigned rows = 150 + pick(150), spoil = bad ? pick(rows) : rows;
        for (unsigned r = 0; r < rows; r++) {
            char at[64], line[400];
            const char *z = r == spoil ? off_by_one[pick(5)] : zones[pick(7)];
            snprintf(at, sizeof at, "%s2026-03-0%uT%02u:%02u:%02u%s%s", blank[pick(6)], 1 + r / 100, pick(24),
                     pick(60), pick(60), z, blank[pick(6)]);
            const char *kind = kinds[pick(3)];
            char price[32];
            snprintf(price, sizeof price, "%s%u%s%s", blank[pick(6)], pick(5000), pick(2) ? ".5" : "", blank[pick(6)]);
            if (few)
                snprintf(line, sizeof line, "C%u,%s,%s%s%s,%s%s%s,%s", pick(40), at, blank[pick(6)], kind,
                         blank[pick(6)], blank[pick(6)], sev[pick(3)], blank[pick(6)], price);
            else
                snprintf(line, sizeof line, "C%u,%s,%s%s,O%u,,%s,%s7,%s%s,%s%s,,%s,%s,,note %u", pick(40), at, kind,
                         blank[pick(6)], pick(9), price, blank[pick(6)], sev[pick(3)], blank[pick(6)],
                         blank[pick(6)], chan[pick(3)], pick(2) ? "answered" : " no_answer\t", "", r);
            puts_(&t, line);
            puts_(&t, pick(2) ? "\n" : "\r\n");
        }
        char what[64];
        snprintf(what, sizeof what, "file %d (%s columns%s)", iter, few ? "5" : "14", bad ? ", a zone off" : "");
        outcome serial = read_with(-1, 0, t.s, t.len, FU_BOOK_CREATE_CUSTOMERS);
        for (int threads = 1; threads <= 2; threads++)
            for (size_t i = 0; i < sizeof BLOCKS / sizeof *BLOCKS; i++) {
                size_t before = fu__book_csv_block_reads();
                outcome o = read_with(threads, BLOCKS[i] < 200 ? 200 : BLOCKS[i], t.s, t.len,
                                      FU_BOOK_CREATE_CUSTOMERS);
                if (serial.rc == FU_OK)
                    cr_assert_eq(fu__book_csv_block_reads(), before + 1, "%s: blocks of %zu on %d threads", what,
                                 BLOCKS[i], threads);
                same(&serial, &o, what);
                free(o.csv);
            }
        if (!bad) cr_assert_eq(serial.rc, FU_OK, "%s: %s", what, serial.message);
        free(serial.csv);
        free(t.s);
    }
    fu__book_csv_tune(0, 0);
}

/* The split checks a plain row's width once a mask word (64 bytes), so a
 * row may run up to 64 commas past its last field before it is refused:
 * rows with 1, 2, 5, 63, 64, 65, 130 and 300 commas too many, starting at
 * every place in a word, on each path of the masks: the serial reader's
 * error (the line, the column, the message) in every block size on one and
 * two threads, and no write past the split's cells (ASan). */
Test(book_csv, blocks_refuse_rows_too_wide_as_the_serial_reader) {
    static const unsigned extra[] = {1, 2, 5, 63, 64, 65, 130, 300};
    for (int path = FU__CSV_PATH_PORTABLE; path <= FU__CSV_PATH_AVX2; path++) {
        if (fu__csv_split_path(path) != path) continue; /* not in this build or CPU */
        for (size_t e = 0; e < sizeof extra / sizeof *extra; e++)
            for (unsigned shift = 0; shift < 64; shift += 7) {
                text t = {0};
                puts_(&t, "customer_id,at,kind,note\n");
                for (unsigned r = 0; r < 12; r++) {
                    char line[160];
                    snprintf(line, sizeof line, "C%u,2026-01-01T00:00:%02uZ,contact,n%.*s\n", r, r, (int)(r ? 0 : shift),
                             "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
                    puts_(&t, line);
                    if (r == 8) { /* the wide row */
                        puts_(&t, "C9,2026-01-01T00:00:09Z,contact,wide");
                        for (unsigned c = 0; c < extra[e]; c++) puts_(&t, ",");
                        puts_(&t, "\n");
                    }
                }
                char what[64];
                snprintf(what, sizeof what, "path %d, %u more, shift %u", path, extra[e], shift);
                outcome serial;
                all_modes_agree(t.s, t.len, FU_BOOK_CREATE_CUSTOMERS, what, &serial);
                cr_assert_neq(serial.rc, FU_OK, "%s", what);
                cr_assert_eq(serial.line, 11, "%s: line %lu", what, serial.line);
                free(serial.csv);
                free(t.s);
            }
    }
    fu__csv_split_path(FU__CSV_PATH_AUTO);
    fu__book_csv_tune(0, 0);
}

/* ------------------------------------------------ the attribute hash */

/* CSV blocks hash each row's attributes ahead (the strings by their bytes,
 * before they are interned); an event added through the API afterwards is
 * hashed by the book. Both must find the same attributes: the event below
 * repeats the file's first row exactly, so it is a duplicate (a different
 * hash would store its attributes again, and the row would not be one). */
Test(book_csv, api_event_repeating_a_block_row_is_a_duplicate) {
    const char *csv = "customer_id,at,kind,order_id,product_class,unit_price,amount,severity,channel,agent_id,"
                      "outcome,score,survey,note\n"
                      "K1,2026-03-04T05:06:07Z,purchase,O9,consumable_mid,12.5,25,,,A7,,,,\"a note, quoted\"\n"
                      "K1,2026-03-04T05:06:08Z,contact,O9,,,,,sms,A7,answered,,,\n";
    for (int threads = 1; threads <= 2; threads++) {
        fu__book_csv_tune(threads, 200); /* the header and a row a block */
        fu_book_options o = FU_BOOK_OPTIONS_INIT;
        o.flags = FU_BOOK_CREATE_CUSTOMERS;
        fu_book *b = NULL;
        cr_assert_eq(fu_book_new(&b, &o), FU_OK);
        size_t before = fu__book_csv_block_reads();
        cr_assert_eq(fu_book_read_events_csv_from_string(b, csv, strlen(csv), "ev.csv"), FU_OK);
        cr_assert_eq(fu__book_csv_block_reads(), before + 1, "read in blocks");
        fu__book_csv_tune(0, 0);
        fu_event_in e;
        fu_event_in_init(&e);
        e.customer_id = "K1";
        cr_assert_eq(fu_time_parse("2026-03-04T05:06:07Z", 20, &e.at), FU_OK);
        e.kind = FU_EVENT_PURCHASE;
        e.order_id = "O9";
        e.product_class = "consumable_mid";
        e.unit_price = 12.5;
        e.amount = 25;
        e.agent_id = "A7";
        e.note = "a note, quoted";
        cr_assert_eq(fu_book_add_event(b, &e), FU_OK);
        cr_assert_eq(fu_book_finalize(b), FU_OK);
        fu_book_stats st;
        fu_book_get_stats(b, &st);
        cr_expect_eq(st.events, 2, "%d threads: %zu events", threads, st.events);
        cr_expect_eq(st.duplicates_dropped, 1, "%d threads", threads);
        fu_book_free(b);
    }
}

/* Common export mistakes are named in the error (review s11 L1): a file saved
 * as UTF-16 or in GB18030/GBK (Excel in a Chinese locale), a header separated
 * by ';' or tabs. The position and the code stay those of the plain error. */
static void read_fails(const char *csv, size_t len, int events, const char *want, unsigned long line,
                       unsigned long col) {
    fu_book_options o = FU_BOOK_OPTIONS_INIT;
    o.flags = FU_BOOK_CREATE_CUSTOMERS;
    fu_book *b = NULL;
    cr_assert_eq(fu_book_new(&b, &o), FU_OK);
    int rc = events ? fu_book_read_events_csv_from_string(b, csv, len, "x.csv")
                    : fu_book_read_customers_csv_from_string(b, csv, len, "x.csv");
    cr_assert_eq(rc, FU_EPARSE, "rc %d", rc);
    const fu_error *e = fu_error_last();
    cr_expect_str_eq(e->message, want);
    cr_expect_str_eq(e->source, "x.csv");
    cr_expect_eq(e->line, line, "line %lu for %s", e->line, want);
    cr_expect_eq(e->column, col, "column %lu for %s", e->column, want);
    fu_book_free(b);
}

Test(book_csv, export_mistakes_are_named) {
    static const char u16le[] = "\xFF\xFE" "c\0u\0s\0t\0";
    read_fails(u16le, sizeof u16le - 1, 0, "invalid UTF-8 (the file looks like UTF-16: save it as UTF-8)", 1, 1);
    static const char u16be[] = "\xFE\xFF" "\0c\0u";
    read_fails(u16be, sizeof u16be - 1, 0, "invalid UTF-8 (the file looks like UTF-16: save it as UTF-8)", 1, 1);
    static const char u16nobom[] = "c\0u\0s\0t\0";
    read_fails(u16nobom, sizeof u16nobom - 1, 0,
               "NUL byte in the input (the file looks like UTF-16: save it as UTF-8)", 1, 2);
    /* "制造业" in GBK: D6 C6 D4 EC D2 B5; and a four-byte GB18030 character */
    const char *gbk = "customer_id,tz,industry\nC1,UTC,\xD6\xC6\xD4\xEC\xD2\xB5\n";
    read_fails(gbk, strlen(gbk), 0, "invalid UTF-8 (the bytes look like GB18030/GBK: save the file as UTF-8)", 2, 8);
    const char *gb4 = "customer_id,tz,industry\nC1,UTC,x\x81\x30\x81\x30y\n";
    read_fails(gb4, strlen(gb4), 0, "invalid UTF-8 (the bytes look like GB18030/GBK: save the file as UTF-8)", 2, 9);
    /* a stray byte that pairs into nothing keeps the plain message */
    const char *stray = "customer_id,tz,industry\nC1,UTC,a\xC3(b\n";
    read_fails(stray, strlen(stray), 0, "invalid UTF-8", 2, 9);
    const char *lone = "customer_id,tz,industry\nC1,UTC,a\xD6\n";
    read_fails(lone, strlen(lone), 0, "invalid UTF-8", 2, 9);
    const char *semi = "customer_id;tz\nC1;UTC\n";
    read_fails(semi, strlen(semi), 0,
               "missing required column 'customer_id' (the header is separated by ';': the reader needs ',')", 1, 1);
    const char *tabs = "customer_id\tat\tkind\nC1\t2026-01-01T00:00:00Z\tpurchase\n";
    read_fails(tabs, strlen(tabs), 1,
               "missing required column 'customer_id' (the header is separated by tabs: the reader needs ',')", 1, 1);
    const char *plain = "id,tz\nC1,UTC\n";
    read_fails(plain, strlen(plain), 0, "missing required column 'customer_id'", 1, 1);
    /* a ';' inside a header of several columns is no separator */
    const char *some = "customer;x,tz\nC1,UTC\n";
    read_fails(some, strlen(some), 0, "missing required column 'customer_id'", 1, 1);
}

/* A block reads a step past the last one's carry and, while its bytes hold
 * no line break outside quotes, as much again, up to the block's size: rows
 * longer than the step (quoted notes of up to 2,000 bytes with commas,
 * quotes and line breaks inside) are read in blocks, the serial reader's
 * book; a row longer than the block goes to the serial reader. */
Test(book_csv, blocks_read_on_past_the_step_to_a_line_break) {
    static const size_t steps[][2] = {{4096, 64}, {4096, 300}, {4096, 1000}, {8192, 97}, {2500, 2500}, {0, 0}};
    for (int iter = 0; iter < 12; iter++) {
        text t = {0};
        puts_(&t, "customer_id,at,kind,note\n");
        for (unsigned i = 0, rows = 30 + pick(200); i < rows; i++) {
            char line[2200];
            int n = snprintf(line, sizeof line, "C%u,2026-03-0%uT10:00:%02u+08:00,contact,", pick(9), 1 + pick(9),
                             pick(60));
            if (pick(3) == 0) { /* a long quoted note: doubled quotes, commas, LF and CRLF inside */
                line[n++] = '"';
                for (int end = n + 100 + (int)pick(1900); n < end;) {
                    unsigned c = pick(12);
                    if (c < 2) line[n++] = '"', line[n++] = '"';
                    else if (c < 4) line[n++] = c == 2 ? '\n' : ',';
                    else if (c == 4) line[n++] = '\r', line[n++] = '\n';
                    else line[n++] = (char)('a' + c);
                }
                line[n++] = '"';
            }
            line[n++] = '\n';
            put(&t, line, (size_t)n);
        }
        if (iter == 11) { /* a row longer than the blocks of 2,500 .. 8,192 bytes */
            puts_(&t, "C1,2026-03-01T10:00:00+08:00,contact,\"");
            for (int k = 0; k < 9000; k++) puts_(&t, k % 50 ? "x" : "\n");
            puts_(&t, "\"\n");
        }
        outcome serial = read_with(-1, 0, t.s, t.len, FU_BOOK_CREATE_CUSTOMERS);
        cr_assert_eq(serial.rc, FU_OK, "%s", serial.message);
        for (size_t i = 0; i < sizeof steps / sizeof *steps; i++)
            for (int threads = 1; threads <= 2; threads++) {
                fu__book_csv_tune_step(steps[i][1]);
                size_t before = fu__book_csv_block_reads();
                outcome o = read_with(threads, steps[i][0], t.s, t.len, FU_BOOK_CREATE_CUSTOMERS);
                size_t taken = fu__book_csv_block_reads() - before;
                fu__book_csv_tune_step(0);
                char w[128];
                snprintf(w, sizeof w, "file %d, %d thread%s, blocks of %zu, steps of %zu", iter, threads,
                         threads > 1 ? "s" : "", steps[i][0], steps[i][1]);
                same(&serial, &o, w);
                int blocks = iter < 11 || steps[i][0] == 0;
                cr_assert_eq(taken, (size_t)blocks, "%s: %s", w, blocks ? "not read in blocks" : "read in blocks");
                free(o.csv);
            }
        free(serial.csv);
        free(t.s);
    }
}
