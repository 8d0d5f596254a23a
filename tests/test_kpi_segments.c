/* fu_kpi_read_segments_csv(): segment labels for FU_KPI_BY_SEGMENT from a
 * CSV with customer_id and segment columns (the CSV of `followup segment`).
 * Hand-made files: the labels land in the groups (CSAT per segment computed
 * by hand), every refusal names file, line, column and column name, a
 * refused file changes nothing, and out of memory leaks nothing. */
#include "fu_test.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EPS 1e-9

static char dir[256];

static void make_dir(void) { fu_test_mkdtemp(dir, sizeof dir, "fu-kpi-segments"); }
static void remove_dir(void) { fu_test_rmtree(dir); }

/* A file of `text` (len bytes) in the test directory; its path (free()). */
static char *file_of(const char *name, const char *text, size_t len) {
    char *path = fu_test_cat(dir, name);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(text, 1, len, f), len);
    cr_assert_eq(fclose(f), 0);
    return path;
}
#define FILE_OF(name, lit) file_of(name, lit, sizeof lit - 1)

/* "customer_id,segment" and n rows <prefix><i>,s<i % groups> (i 5 digits) in
 * a file of the test directory; its path (free()). */
static char *numbered_file(const char *name, char prefix, int n, int groups) {
    size_t cap = 32 + (size_t)n * 24, len = 0;
    char *text = malloc(cap);
    cr_assert_not_null(text);
    len += (size_t)snprintf(text + len, cap - len, "customer_id,segment\n");
    for (int i = 0; i < n; i++) len += (size_t)snprintf(text + len, cap - len, "%c%05d,s%d\n", prefix, i, i % groups);
    char *path = file_of(name, text, len);
    free(text);
    return path;
}

/* A by-segment engine with one CSAT answer from each of the n customers in
 * week 2026-W10; NULL when out of memory. */
static fu_kpi *engine_of(const fu_policy *p, const char *const *ids, const double *scores, size_t n) {
    fu_kpi_options o = FU_KPI_OPTIONS_INIT;
    o.by = FU_KPI_BY_SEGMENT;
    o.as_of = fu_test_time("2026-03-08T00:00:00+08:00");
    fu_kpi *k = NULL;
    fu_event_in *e = calloc(n, sizeof *e);
    int rc = e ? fu_kpi_new(&k, p, &o) : FU_ENOMEM;
    for (size_t i = 0; i < n && !rc; i++) {
        fu_event_in_init(&e[i]);
        e[i].customer_id = ids[i];
        e[i].at = fu_test_time("2026-03-03T10:00:00+08:00");
        e[i].kind = FU_EVENT_SURVEY;
        e[i].survey = FU_SURVEY_CSAT;
        e[i].score = scores[i];
    }
    if (!rc) rc = fu_kpi_add_events(k, e, n);
    free(e);
    if (!rc) return k;
    fu_kpi_free(k);
    return NULL;
}

/* C1 (5), C2 (4), C3 (2) and C4 (1). */
static fu_kpi *engine(const fu_policy *p) {
    static const char *const ids[] = {"C1", "C2", "C3", "C4"};
    static const double scores[] = {5, 4, 2, 1};
    return engine_of(p, ids, scores, 4);
}

/* CSAT of one segment group in 2026-W10: n and mean; n 0 without a figure. */
static void csat(fu_kpi *k, const char *group, double *n, double *mean) {
    const fu_kpi_figure *f = fu_kpi_find(k, FU_KPI_CSAT, "2026-W10", group);
    *n = f ? f->n : 0;
    *mean = f ? f->value : NAN;
}

static void expect_csat(fu_kpi *k, const char *group, double n, double mean) {
    double gn, gm;
    csat(k, group, &gn, &gm);
    cr_expect_float_eq(gn, n, EPS, "group %s: n %g, want %g", group, gn, n);
    if (n > 0) cr_expect_float_eq(gm, mean, EPS, "group %s: mean %g, want %g", group, gm, mean);
}

TestSuite(kpi_segments, .init = make_dir, .fini = remove_dir);

/* Columns in any order among others, a BOM, CRLF, an empty line, a quoted
 * label with a comma and quotes, an empty label ("none"), a customer given
 * twice with the same label, one not in the file ("unknown"):
 * gold = C1 (5) + C2 (4): n 2, mean 4.5; none = C3 (2); unknown = C4 (1). */
Test(kpi_segments, labels_land_in_the_groups) {
    fu_policy *p = fu_test_policy(NULL);
    fu_kpi *k = engine(p);
    cr_assert_not_null(k);
    char *path = FILE_OF("/s.csv", "\xEF\xBB\xBFscore,segment,customer_id\r\n"
                                   "0.5,\"a,\"\"b\"\"\",C1\r\n"
                                   "\r\n"
                                   "0.4,\"a,\"\"b\"\"\",C2\r\n"
                                   "0.1,,C3\r\n"
                                   "0.5,\"a,\"\"b\"\"\",C1\r\n");
    cr_assert_eq(fu_kpi_read_segments_csv(k, path), FU_OK, "%s", fu_error_last()->message);
    size_t nf;
    cr_assert_eq(fu_kpi_compute(k, &nf), FU_OK);
    expect_csat(k, "a,\"b\"", 2, 4.5);
    expect_csat(k, "none", 1, 2);
    expect_csat(k, "unknown", 1, 1);
    /* a second file replaces the labels it names, the others stay */
    char *again = FILE_OF("/t.csv", "customer_id,segment\nC2,silver\nC4,silver\n");
    cr_assert_eq(fu_kpi_read_segments_csv(k, again), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(fu_kpi_compute(k, &nf), FU_OK);
    expect_csat(k, "a,\"b\"", 1, 5);
    expect_csat(k, "silver", 2, 2.5);
    expect_csat(k, "none", 1, 2);
    expect_csat(k, "unknown", 0, 0);
    /* a header alone sets nothing */
    char *empty = FILE_OF("/h.csv", "customer_id,segment\n");
    cr_assert_eq(fu_kpi_read_segments_csv(k, empty), FU_OK);
    free(path);
    free(again);
    free(empty);
    fu_kpi_free(k);
    fu_policy_free(p);
}

typedef struct bad {
    const char *text;
    size_t len;
    int code;
    unsigned long line, column;
    const char *path, *message;
} bad;
#define BAD(lit, ...) {lit, sizeof lit - 1, __VA_ARGS__}

/* Every refusal: code, file, line, column, column name, message; the
 * engine keeps the labels it had (C1 silver). */
Test(kpi_segments, refusals_name_file_line_and_column) {
    static const bad cases[] = {
        BAD("", FU_EPARSE, 1, 1, "", "empty input: no header row"),
        BAD("customer_id,seg\nC1,a\n", FU_EPARSE, 1, 1, "",
            "expected a header with `customer_id` and `segment` columns (the CSV of followup segment); it has no "
            "`segment` column"),
        BAD("\n\nid,segment\nC1,a\n", FU_EPARSE, 3, 1, "",
            "expected a header with `customer_id` and `segment` columns (the CSV of followup segment); it has no "
            "`customer_id` column"),
        BAD("customer_id,segment,segment\nC1,a,b\n", FU_EPARSE, 1, 21, "segment",
            "a second `segment` column (also column 2 of the header)"),
        BAD("customer_id,segment,x\nC1,a,1\nC2\n", FU_EPARSE, 3, 3, "segment", "expected at least 2 cells, found 1"),
        BAD("segment,x,customer_id\ngold,1\n", FU_EPARSE, 2, 7, "customer_id", "expected at least 3 cells, found 2"),
        BAD("customer_id,segment\nC1,a\n,b\n", FU_EPARSE, 3, 1, "customer_id", "empty (expected a customer id)"),
        BAD("customer_id,segment\nC1,a\nC2,b\nC1,c\n", FU_EPARSE, 4, 4, "segment",
            "customer 'C1' is in segment 'a' on line 2 and 'c' here (one label per customer)"),
        BAD("customer_id,segment\nC1,a\nC1,\n", FU_EPARSE, 3, 4, "segment",
            "customer 'C1' is in segment 'a' on line 2 and 'none' here (one label per customer)"),
        BAD("customer_id,segment\nC1,a\xff\n", FU_EPARSE, 2, 5, "segment", "invalid UTF-8"),
        BAD("customer_id,segment\nC1,\"a\nC2,b\n", FU_EPARSE, 2, 4, "segment", "quoted field is not terminated"),
        BAD("customer_id,segment\n\"C1\"x,a\n", FU_EPARSE, 2, 5, "customer_id",
            "unexpected character after a closing quote"),
        BAD("customer_id,segment\nC1,a\"b\n", FU_EPARSE, 2, 5, "segment",
            "'\"' inside an unquoted field (quote the whole field)"),
    };
    fu_policy *p = fu_test_policy(NULL);
    fu_kpi *k = engine(p);
    cr_assert_not_null(k);
    const char *id = "C1", *label = "silver";
    cr_assert_eq(fu_kpi_set_segments(k, &id, &label, 1), FU_OK);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const bad *c = &cases[i];
        char *path = file_of("/bad.csv", c->text, c->len);
        cr_assert_eq(fu_kpi_read_segments_csv(k, path), c->code, "case %zu: %s", i, fu_error_last()->message);
        fu_test_expect_error(c->code, c->message, path, c->line, c->column, c->path);
        free(path);
    }
    size_t nf;
    cr_assert_eq(fu_kpi_compute(k, &nf), FU_OK);
    expect_csat(k, "silver", 1, 5);
    expect_csat(k, "unknown", 3, 7.0 / 3);
    expect_csat(k, "a", 0, 0);
    fu_kpi_free(k);
    fu_policy_free(p);
}

Test(kpi_segments, missing_file_and_null_arguments) {
    fu_policy *p = fu_test_policy(NULL);
    fu_kpi *k = engine(p);
    cr_assert_not_null(k);
    char *path = fu_test_cat(dir, "/none.csv");
    cr_assert_eq(fu_kpi_read_segments_csv(k, path), FU_EIO);
    cr_expect_str_eq(fu_error_last()->source, path);
    cr_expect_not_null(strstr(fu_error_last()->message, "cannot read"), "%s", fu_error_last()->message);
    cr_assert_eq(fu_kpi_read_segments_csv(k, dir), FU_EIO); /* a directory */
    cr_assert_eq(fu_kpi_read_segments_csv(NULL, path), FU_EINVAL);
    cr_assert_eq(fu_kpi_read_segments_csv(k, NULL), FU_EINVAL);
    cr_expect_str_eq(fu_error_last()->message, "fu_kpi_read_segments_csv: path is NULL");
    free(path);
    fu_kpi_free(k);
    fu_policy_free(p);
}

/* Many customers (the id table grows several times): each lands in its group. */
Test(kpi_segments, many_customers) {
    enum { N = 5000 };
    char *path = numbered_file("/many.csv", 'M', N, 3);
    fu_policy *p = fu_test_policy(NULL);
    char(*ids)[8] = calloc(N, sizeof *ids);
    const char **idp = calloc(N, sizeof *idp);
    double *scores = calloc(N, sizeof *scores);
    cr_assert(ids && idp && scores);
    for (int i = 0; i < N; i++) {
        snprintf(ids[i], sizeof ids[i], "M%05d", i);
        idp[i] = ids[i];
        scores[i] = 1 + i % 3; /* s0 all 1, s1 all 2, s2 all 3 */
    }
    fu_kpi *k = engine_of(p, idp, scores, N);
    cr_assert_not_null(k);
    cr_assert_eq(fu_kpi_read_segments_csv(k, path), FU_OK, "%s", fu_error_last()->message);
    size_t nf;
    cr_assert_eq(fu_kpi_compute(k, &nf), FU_OK);
    expect_csat(k, "s0", 1667, 1);
    expect_csat(k, "s1", 1667, 2);
    expect_csat(k, "s2", 1666, 3);
    expect_csat(k, "unknown", 0, 0);
    free(ids);
    free(idp);
    free(scores);
    free(path);
    fu_kpi_free(k);
    fu_policy_free(p);
}

typedef struct oom_ctx {
    const fu_policy *p;
    const char *path;
} oom_ctx;

static int oom_op(void *vp) {
    const oom_ctx *c = vp;
    fu_kpi_options o = FU_KPI_OPTIONS_INIT;
    o.by = FU_KPI_BY_SEGMENT;
    fu_kpi *k = NULL;
    int rc = fu_kpi_new(&k, c->p, &o);
    if (!rc) rc = fu_kpi_read_segments_csv(k, c->path);
    fu_kpi_free(k);
    return rc;
}

Test(kpi_segments, out_of_memory_leaks_nothing) {
    char *path = numbered_file("/oom.csv", 'K', 1500, 7);
    fu_policy *p = fu_test_policy(NULL);
    oom_ctx c = {p, path};
    /* the id table (1024 slots, then 2048), the rows, the arena, the engine */
    fu_test_oom_at_least("kpi segments", oom_op, &c, 100000, 8);
    fu_policy_free(p);
    free(path);
}

/* docs/formats.md, "CSV, the common rules": header names without regard to
 * ASCII case and surrounding spaces, lone CR line ends, and every row as
 * wide as the header (review s7, F4). */
Test(kpi_segments, header_case_spaces_and_row_width) {
    fu_policy *p = fu_test_policy(NULL);
    fu_kpi *k = engine(p);
    cr_assert_not_null(k);
    char *path = FILE_OF("/case.csv", " Customer_ID ,\tSEGMENT\rC1,gold\rC2,gold\r");
    cr_assert_eq(fu_kpi_read_segments_csv(k, path), FU_OK, "%s", fu_error_last()->message);
    size_t nf = 0;
    cr_assert_eq(fu_kpi_compute(k, &nf), FU_OK);
    expect_csat(k, "gold", 2, 4.5);
    free(path);
    path = FILE_OF("/wide.csv", "customer_id,segment\nC1,gold,extra,cells\n");
    cr_assert_eq(fu_kpi_read_segments_csv(k, path), FU_EPARSE);
    const fu_error *e = fu_error_last();
    cr_assert_eq(e->line, 2);
    cr_assert_eq(e->column, 9); /* the first extra field */
    cr_assert(strstr(e->message, "row has 4 fields, the header has 2"), "%s", e->message);
    free(path);
    path = FILE_OF("/narrow.csv", "customer_id,segment,score\nC1,gold\n");
    cr_assert_eq(fu_kpi_read_segments_csv(k, path), FU_EPARSE);
    cr_assert_eq(fu_error_last()->line, 2);
    cr_assert_eq(fu_error_last()->column, 8); /* where the row ends */
    free(path);
    fu_kpi_free(k);
    fu_policy_free(p);
}
