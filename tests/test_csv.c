/* The internal RFC 4180 reader and writer (lib/csv.c). */
#include "csv_internal.h"
#include "fu_test.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Render every record as "[f1][f2]...\n". */
static int render(fu__csv *r, fu__buf *out) {
    int rc;
    while ((rc = fu__csv_next(r)) == 1) {
        for (size_t i = 0; i < fu__csv_count(r); i++) {
            size_t len;
            const char *f = fu__csv_field(r, i, &len);
            cr_assert_eq(f[len], '\0', "fields are NUL-terminated");
            fu__buf_append(out, "[", 1);
            fu__buf_append(out, f, len);
            fu__buf_append(out, "]", 1);
        }
        fu__buf_append(out, "\n", 1);
    }
    return rc;
}

struct parse_case {
    char name[40];
    char input[96];
    size_t len; /* 0: strlen(input) */
    size_t max_record, max_field;
    int code; /* 0: must parse to `expect` */
    char expect[96];
    unsigned long line, column;
};

ParameterizedTestParameters(csv, parse_table) {
    static struct parse_case cases[] = {
        {"plain LF", "a,b\n1,2\n", 0, 0, 0, 0, "[a][b]\n[1][2]\n", 0, 0},
        {"CRLF", "a,b\r\n1,2\r\n", 0, 0, 0, 0, "[a][b]\n[1][2]\n", 0, 0},
        {"lone CR", "a\rb\r", 0, 0, 0, 0, "[a]\n[b]\n", 0, 0},
        {"no final newline", "a,b\n1,2", 0, 0, 0, 0, "[a][b]\n[1][2]\n", 0, 0},
        {"quoted comma", "\"x,y\",z\n", 0, 0, 0, 0, "[x,y][z]\n", 0, 0},
        {"doubled quotes", "\"say \"\"hi\"\"\",2\n", 0, 0, 0, 0, "[say \"hi\"][2]\n", 0, 0},
        {"embedded LF", "\"l1\nl2\",b\nc,d\n", 0, 0, 0, 0, "[l1\nl2][b]\n[c][d]\n", 0, 0},
        {"embedded CRLF kept", "\"l1\r\nl2\"\r\n", 0, 0, 0, 0, "[l1\r\nl2]\n", 0, 0},
        {"BOM skipped", "\xEF\xBB\xBF" "a,b\n", 0, 0, 0, 0, "[a][b]\n", 0, 0},
        {"BOM only at start", "a\n\xEF\xBB\xBF" "b\n", 0, 0, 0, 0, "[a]\n[\xEF\xBB\xBF" "b]\n", 0, 0},
        {"empty fields", ",,\n", 0, 0, 0, 0, "[][][]\n", 0, 0},
        {"trailing comma at EOF", "a,", 0, 0, 0, 0, "[a][]\n", 0, 0},
        {"blank lines skipped", "a\n\n\r\n\nb\n", 0, 0, 0, 0, "[a]\n[b]\n", 0, 0},
        {"quoted empty is a record", "\"\"\n", 0, 0, 0, 0, "[]\n", 0, 0},
        {"empty input", "", 0, 0, 0, 0, "", 0, 0},
        {"UTF-8 text", "\xE5\x90\x8D\xE5\xAD\x97,\xF0\x9F\x98\x80\n", 0, 0, 0, 0,
         "[\xE5\x90\x8D\xE5\xAD\x97][\xF0\x9F\x98\x80]\n", 0, 0},
        {"spaces are data", " a , b \n", 0, 0, 0, 0, "[ a ][ b ]\n", 0, 0},
        {"record at the limit", "abcd,efgh\n", 0, 9, 0, 0, "[abcd][efgh]\n", 0, 0},
        {"field at the limit", "abcd,1\n", 0, 0, 4, 0, "[abcd][1]\n", 0, 0},
        /* errors: code, line, column */
        {"unterminated quote", "a\n\"abc\nd", 0, 0, 0, FU_EPARSE, "", 2, 1},
        {"quote in unquoted field", "ab\"c\n", 0, 0, 0, FU_EPARSE, "", 1, 3},
        {"text after closing quote", "\"ab\"x,1\n", 0, 0, 0, FU_EPARSE, "", 1, 5},
        {"position after embedded LF", "\"a\nb\",x\"\n", 0, 0, 0, FU_EPARSE, "", 2, 5},
        {"invalid byte", "ok\nab\xFFz\n", 0, 0, 0, FU_EPARSE, "", 2, 3},
        {"overlong slash", "x,\xC0\xAF\n", 0, 0, 0, FU_EPARSE, "", 1, 3},
        {"surrogate", "\xED\xA0\x80\n", 0, 0, 0, FU_EPARSE, "", 1, 1},
        {"above U+10FFFF", "\xF4\x90\x80\x80\n", 0, 0, 0, FU_EPARSE, "", 1, 1},
        {"cut sequence at EOF", "a\xE4\xB8", 0, 0, 0, FU_EPARSE, "", 1, 2},
        {"stray continuation in quotes", "\"a\x80\"\n", 0, 0, 0, FU_EPARSE, "", 1, 3},
        {"NUL unquoted", "a,b\0c\n", 6, 0, 0, FU_EPARSE, "", 1, 4},
        {"NUL quoted", "x\n\"\0\"\n", 6, 0, 0, FU_EPARSE, "", 2, 2},
        {"record too long", "a\nabcd,efghi\n", 0, 9, 0, FU_ELIMIT, "", 2, 0},
        {"quoted record too long", "\"abcd,efghi\"\n", 0, 9, 0, FU_ELIMIT, "", 1, 0},
        {"field too long", "a\nabcde,1\n", 0, 0, 4, FU_ELIMIT, "", 2, 1},
    };
    return cr_make_param_array(struct parse_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct parse_case *c, csv, parse_table) {
    size_t len = c->len ? c->len : strlen(c->input);
    fu__csv *r = NULL;
    cr_assert_eq(fu__csv_open_mem(c->input, len, "t.csv", c->max_record, c->max_field, &r), FU_OK);
    fu__buf out = FU__BUF_INIT;
    int rc = render(r, &out);
    if (c->code == 0) {
        cr_assert_eq(rc, 0, "%s: rc %d (%s)", c->name, rc, fu_error_last()->message);
        cr_assert_str_eq(out.data ? out.data : "", c->expect, "%s", c->name);
    } else {
        const fu_error *e = fu_error_last();
        cr_assert_eq(rc, c->code, "%s: rc %d, want %d", c->name, rc, c->code);
        cr_assert_eq(e->code, c->code);
        cr_assert_str_eq(e->source, "t.csv");
        cr_assert_eq(e->line, c->line, "%s: line %lu, want %lu (%s)", c->name, e->line, c->line, e->message);
        cr_assert_eq(e->column, c->column, "%s: column %lu, want %lu (%s)", c->name, e->column, c->column,
                     e->message);
        /* a failed reader stays failed */
        cr_assert_eq(fu__csv_next(r), FU_ESTATE);
    }
    fu__buf_free(&out);
    fu__csv_close(r);
}

Test(csv, header_names_the_column_of_an_error) {
    const char *text = "id,name,note\n1,ok,fine\n2,bad\"quote,x\n";
    fu__csv *r;
    cr_assert_eq(fu__csv_open_mem(text, strlen(text), NULL, 0, 0, &r), FU_OK);
    cr_assert_eq(fu__csv_read_header(r), FU_OK);
    cr_assert_eq(fu__csv_header_count(r), 3);
    cr_assert_str_eq(fu__csv_header_name(r, 2), "note");
    cr_assert_null(fu__csv_header_name(r, 3));
    cr_assert_eq(fu__csv_next(r), 1);
    cr_assert_eq(fu__csv_record_line(r), 2);
    cr_assert_eq(fu__csv_field_column(r, 2), 6);
    cr_assert_eq(fu__csv_next(r), FU_EPARSE);
    const fu_error *e = fu_error_last();
    cr_assert_str_eq(e->source, "<string>");
    cr_assert_eq(e->line, 3);
    cr_assert_eq(e->column, 6);
    cr_assert_str_eq(e->path, "name");
    char buf[256];
    fu_error_format(buf, sizeof buf);
    cr_assert_str_eq(buf, "<string>:3:6: name: '\"' inside an unquoted field (quote the whole field)");
    fu__csv_close(r);
}

Test(csv, empty_input_has_no_header) {
    fu__csv *r;
    cr_assert_eq(fu__csv_open_mem("\xEF\xBB\xBF\n\n", 5, "e.csv", 0, 0, &r), FU_OK);
    cr_assert_eq(fu__csv_read_header(r), FU_EPARSE);
    cr_assert_str_eq(fu_error_last()->source, "e.csv");
    fu__csv_close(r);
}

Test(csv, field_positions_follow_quotes_and_line_breaks) {
    const char *text = "\"a\nbc\",\"d\"\"e\",f\n";
    fu__csv *r;
    cr_assert_eq(fu__csv_open_mem(text, strlen(text), NULL, 0, 0, &r), FU_OK);
    cr_assert_eq(fu__csv_next(r), 1);
    cr_assert_eq(fu__csv_field_line(r, 0), 1);
    cr_assert_eq(fu__csv_field_column(r, 0), 1);
    cr_assert(fu__csv_field_quoted(r, 0));
    cr_assert_eq(fu__csv_field_line(r, 1), 2);
    cr_assert_eq(fu__csv_field_column(r, 1), 5);
    cr_assert_eq(fu__csv_field_line(r, 2), 2);
    cr_assert_eq(fu__csv_field_column(r, 2), 12);
    cr_assert_not(fu__csv_field_quoted(r, 2));
    cr_assert_eq(fu__csv_record_end_line(r), 2);
    cr_assert_eq(fu__csv_record_end_column(r), 13);
    size_t len;
    cr_assert_str_eq(fu__csv_field(r, 1, &len), "d\"e");
    cr_assert_eq(len, 3);
    cr_assert_null(fu__csv_field(r, 3, &len));
    cr_assert_eq(fu__csv_next(r), 0);
    fu__csv_close(r);
}

Test(csv, writer_quotes_only_when_needed) {
    fu__buf b = FU__BUF_INIT;
    cr_assert_eq(fu__csv_puts(&b, 1, "plain"), FU_OK);
    cr_assert_eq(fu__csv_puts(&b, 0, "a,b"), FU_OK);
    cr_assert_eq(fu__csv_puts(&b, 0, "say \"hi\""), FU_OK);
    cr_assert_eq(fu__csv_puts(&b, 0, NULL), FU_OK);
    cr_assert_eq(fu__csv_puts(&b, 0, " lead"), FU_OK);
    cr_assert_eq(fu__csv_puts(&b, 0, "two\nlines"), FU_OK);
    cr_assert_eq(fu__csv_puts(&b, 0, "\""), FU_OK);
    cr_assert_eq(fu__csv_puts(&b, 0, "\xE5\x90\x8D"), FU_OK);
    cr_assert_eq(fu__csv_end(&b), FU_OK);
    cr_assert_str_eq(b.data, "plain,\"a,b\",\"say \"\"hi\"\"\",,\" lead\",\"two\nlines\",\"\"\"\",\xE5\x90\x8D\n");
    /* and it reads back to the same fields */
    fu__csv *r;
    cr_assert_eq(fu__csv_open_mem(b.data, b.len, NULL, 0, 0, &r), FU_OK);
    cr_assert_eq(fu__csv_next(r), 1);
    cr_assert_eq(fu__csv_count(r), 8);
    const char *want[] = {"plain", "a,b", "say \"hi\"", "", " lead", "two\nlines", "\"", "\xE5\x90\x8D"};
    for (size_t i = 0; i < 8; i++) cr_assert_str_eq(fu__csv_field(r, i, NULL), want[i]);
    fu__csv_close(r);
    fu__buf_free(&b);
}

/* A file read in chunks must give exactly what the same bytes give in memory,
 * wherever the chunk boundary (256 KiB) falls: inside CRLF, a UTF-8
 * sequence, a doubled quote, a BOM-less header... */
static char *write_temp(const char *data, size_t len, char *path, size_t pathsz) {
    snprintf(path, pathsz, "/tmp/fu_csv_XXXXXX");
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    FILE *f = fdopen(fd, "wb");
    cr_assert_eq(fwrite(data, 1, len, f), len);
    fclose(f);
    return path;
}

static void compare_file_and_mem(const char *data, size_t len, size_t max_record, size_t max_field) {
    char path[256];
    write_temp(data, len, path, sizeof path);
    fu__csv *rm, *rf;
    cr_assert_eq(fu__csv_open_mem(data, len, NULL, max_record, max_field, &rm), FU_OK);
    cr_assert_eq(fu__csv_open_file(path, max_record, max_field, &rf), FU_OK);
    fu__buf a = FU__BUF_INIT, b = FU__BUF_INIT;
    int ra = render(rm, &a), rb = render(rf, &b);
    cr_assert_eq(ra, 0, "memory: %s", fu_error_last()->message);
    cr_assert_eq(rb, 0, "file: %s", fu_error_last()->message);
    cr_assert_eq(a.len, b.len);
    cr_assert(memcmp(a.data, b.data, a.len) == 0);
    fu__buf_free(&a);
    fu__buf_free(&b);
    fu__csv_close(rm);
    fu__csv_close(rf);
    unlink(path);
}

Test(csv, chunk_boundaries_fall_anywhere) {
    const size_t chunk = (size_t)256 << 10;
    const char *tail = "x,\"q\"\"q\",\xE5\x90\x8D\r\n\"m\r\nl\",y\r\nz\r\n";
    size_t tlen = strlen(tail);
    char *data = malloc(chunk + 64);
    for (size_t shift = 0; shift < tlen; shift++) {
        /* a filler record ending so that the boundary falls `shift` bytes into the tail */
        size_t fill = chunk - shift - 2;
        memset(data, 'f', fill);
        data[fill] = '\r';
        data[fill + 1] = '\n';
        memcpy(data + fill + 2, tail, tlen);
        compare_file_and_mem(data, fill + 2 + tlen, 0, 0);
    }
    free(data);
}

Test(csv, records_longer_than_the_buffer_grow_it) {
    size_t big = 700000;
    char *data = malloc(big + 32);
    size_t n = 0;
    data[n++] = '"';
    for (size_t i = 0; i < big; i++) data[n++] = (i % 1000 == 999) ? '\n' : 'a';
    data[n++] = '"';
    memcpy(data + n, ",end\nnext,1\n", 12);
    n += 12;
    compare_file_and_mem(data, n, (size_t)1 << 21, (size_t)1 << 21);

    /* with the default limits the same file is refused, naming line 1 */
    char path[256];
    write_temp(data, n, path, sizeof path);
    fu__csv *r;
    cr_assert_eq(fu__csv_open_file(path, 0, 0, &r), FU_OK);
    int rc;
    while ((rc = fu__csv_next(r)) == 1) {}
    cr_assert_eq(rc, FU_ELIMIT);
    cr_assert_eq(fu_error_last()->line, 1);
    fu__csv_close(r);
    unlink(path);
    free(data);
}

Test(csv, missing_file_is_an_io_error) {
    fu__csv *r = (fu__csv *)1;
    cr_assert_eq(fu__csv_open_file("/nonexistent/dir/x.csv", 0, 0, &r), FU_EIO);
    cr_assert_null(r);
    cr_assert_str_eq(fu_error_last()->source, "/nonexistent/dir/x.csv");
}

static int read_all_op(void *ctx) {
    const char *text = ctx;
    fu__csv *r;
    int rc = fu__csv_open_mem(text, strlen(text), "oom.csv", 0, 0, &r);
    if (rc) return rc;
    rc = fu__csv_read_header(r);
    while (rc == FU_OK && (rc = fu__csv_next(r)) == 1) rc = FU_OK;
    fu__csv_close(r);
    return rc;
}

Test(csv, out_of_memory_while_reading) {
    const char *text = "a,b,c,d,e,f,g,h,i,j\n1,\"2\n\",3,4,5,6,7,8,9,10\n\"x\"\"\",y,,,,,,,,\n";
    unsigned long n = fu_test_oom("csv read", read_all_op, (void *)text, 1000);
    cr_assert_geq(n, 4);
}

/* ------------------------------------------ the block splitter's masks */

/* The masks as the rule states them (csv_internal.h), byte by byte. */
static void masks_by_rule(const unsigned char *c, uint64_t *sep, uint64_t *eol, uint64_t *odd) {
    *sep = *eol = *odd = 0;
    for (int i = 0; i < 64; i++) {
        if (c[i] == ',') *sep |= (uint64_t)1 << i;
        if (c[i] == '\n' || c[i] == '\r') *eol |= (uint64_t)1 << i;
        if (c[i] == '"' || c[i] == 0 || c[i] >= 0x80) *odd |= (uint64_t)1 << i;
    }
}

static void expect_masks(int path, const unsigned char *c, const char *what, int at) {
    uint64_t s, e, o, ws, we, wo;
    fu__csv_classify64(path, c, &s, &e, &o);
    masks_by_rule(c, &ws, &we, &wo);
    cr_assert(s == ws && e == we && o == wo,
              "path %d, %s %d: sep %016llx eol %016llx odd %016llx, want %016llx %016llx %016llx", path, what, at,
              (unsigned long long)s, (unsigned long long)e, (unsigned long long)o, (unsigned long long)ws,
              (unsigned long long)we, (unsigned long long)wo);
}

/* Every path (portable, SSE2, AVX2: those this build and CPU have) gives
 * the rule's masks: each telling byte at each of the 64 places (the edges
 * of the 16- and 32-byte lanes among them), pairs of them across lane
 * edges, and random blocks of telling and plain bytes. */
Test(csv, classify_paths_give_the_rules_masks) {
    static const unsigned char telling[] = {',', '\n', '\r', '"', 0, 0x80, 0xC3, 0xE4, 0xFF, 0x7F, 'a', ' ', '\t', 0x01};
    int paths[] = {FU__CSV_PATH_PORTABLE, FU__CSV_PATH_SSE2, FU__CSV_PATH_AVX2};
    int had = 0;
    for (size_t p = 0; p < sizeof paths / sizeof *paths; p++) {
        int path = paths[p];
        if (fu__csv_split_path(path) != path) continue; /* not in this build or CPU */
        had++;
        unsigned char c[64];
        for (size_t t = 0; t < sizeof telling; t++)
            for (int at = 0; at < 64; at++) {
                memset(c, 'x', sizeof c);
                c[at] = telling[t];
                expect_masks(path, c, "one byte at", at);
                c[at ^ 1] = telling[(t + 3) % sizeof telling]; /* a neighbour, across 16/32 edges too */
                c[63 - at] = telling[(t + 5) % sizeof telling];
                expect_masks(path, c, "three bytes from", at);
            }
        uint64_t x = 0x2545F4914F6CDD1Dull + (uint64_t)p;
        for (int iter = 0; iter < 20000; iter++) {
            for (int i = 0; i < 64; i++) {
                x ^= x << 13, x ^= x >> 7, x ^= x << 17;
                c[i] = (x & 3) ? telling[(x >> 8) % sizeof telling] : (unsigned char)(x >> 16);
            }
            expect_masks(path, c, "random block", iter);
        }
    }
    fu__csv_split_path(FU__CSV_PATH_AUTO);
    cr_assert_geq(had, 1);
#if defined(__SSE2__)
    cr_assert_geq(had, 2, "SSE2 is in this build: its path was not taken");
#endif
}

/* A path this build or CPU does not have falls back to the widest there is. */
Test(csv, split_path_falls_back_to_one_there_is) {
    int autop = fu__csv_split_path(FU__CSV_PATH_AUTO);
    cr_assert(autop == FU__CSV_PATH_PORTABLE || autop == FU__CSV_PATH_SSE2 || autop == FU__CSV_PATH_AVX2);
    cr_assert_eq(fu__csv_split_path(FU__CSV_PATH_PORTABLE), FU__CSV_PATH_PORTABLE);
    cr_assert_eq(fu__csv_split_path(-1), FU__CSV_PATH_PORTABLE); /* -1 asks, changes nothing */
    cr_assert_eq(fu__csv_split_path(99), autop);
    fu__csv_split_scalar(1);
    cr_assert_eq(fu__csv_split_path(-1), FU__CSV_PATH_PORTABLE);
    fu__csv_split_scalar(0);
    cr_assert_eq(fu__csv_split_path(-1), autop);
}
