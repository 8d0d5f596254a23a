/* CSV exports: formula neutralisation by the one cell writer (lib/csv.c) in
 * every writer of the library (book customers and events, plan, KPIs), the
 * raw options that turn it off, the reader that undoes it, and output files
 * replaced all or nothing (a full disk or out of memory never empties an
 * existing file). Fixtures are computed by hand from docs/formats.md. */
#include "csv_internal.h"
#include "fu_test.h"
#include "fu_test_fixtures.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ the cell rule */

struct cell_case {
    char in[32];
    unsigned flags;
    char out[40];
};

ParameterizedTestParameters(export, cell_rule) {
    static struct cell_case cases[] = {
        {"=1+2", 0, "\"'=1+2\""},
        {"+86 138", 0, "\"'+86 138\""},
        {"-cmd|' /C calc'!A0", 0, "\"'-cmd|' /C calc'!A0\""},
        {"@SUM(A1)", 0, "\"'@SUM(A1)\""},
        {"\tx", 0, "\"'\tx\""},
        {"\rx", 0, "\"'\rx\""},
        {"=\"a\"", 0, "\"'=\"\"a\"\"\""},
        {"'=x", 0, "\"''=x\""},  /* an apostrophe already there is kept: one more in front */
        {"''@x", 0, "\"'''@x\""},
        {"'plain", 0, "'plain"}, /* no trigger after the apostrophes: as is */
        {"-0.5", 0, "-0.5"},     /* plain numbers are numbers in any column */
        {"+86", 0, "+86"},
        {"-1e-3", 0, "-1e-3"},
        {"-.5", 0, "-.5"},
        {"-", 0, "\"'-\""},
        {"-1-1", 0, "\"'-1-1\""},
        {"-1e", 0, "\"'-1e\""},
        {"a=b", 0, "a=b"},
        {"=1+2", FU__CSV_RAW, "=1+2"},
        {"-inf", FU__CSV_NUMBER, "-inf"},
        {"-inf", 0, "\"'-inf\""},
        {"a,b", 0, "\"a,b\""},
    };
    return cr_make_param_array(struct cell_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct cell_case *c, export, cell_rule) {
    fu__buf b = FU__BUF_INIT;
    cr_assert_eq(fu__csv_putf(&b, 1, c->in, c->flags), FU_OK);
    cr_expect_str_eq(b.data ? b.data : "", c->out, "cell [%s]", c->in);
    /* and the reader gives the original text back (not for RAW: documented) */
    if (!(c->flags & FU__CSV_RAW)) {
        fu__csv *r = NULL;
        cr_assert_eq(fu__csv_open_mem(b.data, b.len, "t", 0, 0, &r), FU_OK);
        cr_assert_eq(fu__csv_next(r), 1);
        size_t len = 0;
        const char *f = fu__csv_field(r, 0, &len);
        cr_expect_eq(len, strlen(c->in));
        cr_expect_str_eq(f, c->in, "read back [%s]", c->in);
        fu__csv_close(r);
    }
    fu__buf_free(&b);
}

Test(export, reader_keeps_unquoted_and_other_apostrophes) {
    /* only a quoted field of apostrophes then a trigger loses one */
    const char *text = "'=a,\"'b\",\"'\",\"''\",\"'=\"\n";
    fu__csv *r = NULL;
    cr_assert_eq(fu__csv_open_mem(text, strlen(text), "t", 0, 0, &r), FU_OK);
    cr_assert_eq(fu__csv_next(r), 1);
    const char *want[] = {"'=a", "'b", "'", "''", "="};
    for (size_t i = 0; i < 5; i++) cr_expect_str_eq(fu__csv_field(r, i, NULL), want[i], "field %zu", i);
    fu__csv_close(r);
}

/* ------------------------------------------------------------ book writers */

static const char *CUSTOMERS = "customer_id,tz,annual_spend,industry\n"
                               "\"=HYPERLINK(\"\"http://x\"\")\",Asia/Shanghai,5,@risk\n"
                               "-7,UTC,12.5,retail\n";
static const char *EVENTS = "customer_id,at,kind,amount,agent_id,note\n"
                            "-7,2026-03-01T10:00:00Z,purchase,-3.25,+agent,\"=2+3, call 13812345678\"\n";

/* The finalized book of CUSTOMERS and EVENTS with the options' flags. */
static fu_book *make_book(unsigned flags) { return fu_test_book_of(flags, CUSTOMERS, EVENTS, 1); }

Test(export, book_customers_and_events) {
    fu_book *b = make_book(0);
    char *s = NULL;
    cr_assert_eq(fu_book_write_customers_csv_to_string(b, NULL, &s), FU_OK);
    cr_expect(strstr(s, "\n\"'=HYPERLINK(\"\"http://x\"\")\",Asia/Shanghai,5,,\"'@risk\","), "%s", s);
    cr_expect(strstr(s, "\n-7,UTC,12.5,,retail,"), "%s", s);
    fu_free(s);
    cr_assert_eq(fu_book_write_events_csv_to_string(b, NULL, &s), FU_OK);
    /* the amount stays a number; the agent and the (masked) note are neutralised */
    cr_expect(strstr(s, "\n-7,2026-03-01T10:00:00Z,purchase,,,,-3.25,,,\"'+agent\",,,,\"'=2+3, call 138****5678\"\n"),
              "%s", s);
    /* read back: the same text as in the book */
    fu_book *c = fu_test_book_of(FU_BOOK_CREATE_CUSTOMERS, NULL, s, 1);
    cr_expect_str_eq(fu_book_string(c, fu_book_events(c, NULL)[0].agent_id), "+agent");
    fu_free(s);
    fu_book_free(c);
    fu_book_free(b);
}

Test(export, book_raw_cells) {
    fu_book *b = make_book(FU_BOOK_WRITE_RAW_CELLS);
    char *s = NULL;
    cr_assert_eq(fu_book_write_customers_csv_to_string(b, NULL, &s), FU_OK);
    cr_expect(strstr(s, "\n\"=HYPERLINK(\"\"http://x\"\")\",Asia/Shanghai,5,,@risk,"), "%s", s);
    fu_free(s);
    fu_book_free(b);
}

/* ------------------------------------------------------------ plan writer */

/* f: a week's plan (from 2026-03-01 12:00 +08:00, the built-in policy) of
 * a customer whose id "=cmd|x" a spreadsheet would run; free it with
 * fu_test_planner_free(). */
static void make_plan(fu_test_planner *f) {
    const char *cust = "customer_id,tz\n=cmd|x,Asia/Shanghai\n";
    const char *ev = "customer_id,at,kind,order_id\n=cmd|x,2026-03-01T10:00:00+08:00,delivery,-O1\n";
    fu_test_planner_open_ok(f, cust, ev);
    fu_test_planner_plan_at(f, "2026-03-01T12:00:00+08:00", 7 * 86400);
}

Test(export, plan_csv) {
    fu_test_planner f;
    make_plan(&f);
    const fu_plan *p = f.plan;
    char *s = NULL;
    cr_assert_eq(fu_plan_write_csv_to_string(p, 1u << FU_TOUCHPOINT_PLANNED, 0, NULL, &s), FU_OK);
    cr_expect(strstr(s, "\n\"'=cmd|x\",2026-03-0"), "%s", s);
    cr_expect(!strstr(s, "\n=cmd"), "%s", s);
    fu_free(s);
    cr_assert_eq(fu_plan_write_csv_to_string(p, 1u << FU_TOUCHPOINT_PLANNED, FU_PLAN_CSV_RAW, NULL, &s), FU_OK);
    cr_expect(strstr(s, "\n=cmd|x,2026-03-0"), "%s", s);
    fu_free(s);
    cr_expect_eq(fu_plan_write_csv_to_string(p, 1u << FU_TOUCHPOINT_PLANNED, 0x80u, NULL, &s), FU_EINVAL);
    fu_test_planner_free(&f);
}

/* ------------------------------------------------------------ KPI writer */

Test(export, kpi_csv_negative_numbers_stay_numbers) {
    /* three NPS answers of 0 from agent "@agent": NPS -100 */
    const char *ev = "customer_id,at,kind,channel,agent_id,outcome,score,survey\n"
                     "C1,2026-03-02T10:00:00Z,survey,,@agent,,0,nps\n"
                     "C1,2026-03-03T10:00:00Z,survey,,@agent,,0,nps\n"
                     "C1,2026-03-04T10:00:00Z,survey,,@agent,,0,nps\n";
    fu_policy *pol = fu_test_policy(NULL);
    fu_book *b = fu_test_book_of(FU_BOOK_CREATE_CUSTOMERS, NULL, ev, 1);
    for (int raw = 0; raw < 2; raw++) {
        fu_kpi_options o = FU_KPI_OPTIONS_INIT;
        o.by = FU_KPI_BY_AGENT;
        o.flags = raw ? FU_KPI_CSV_RAW : 0u;
        fu_kpi *k = fu_test_kpi_of_book(pol, &o, b);
        char *s = NULL;
        cr_assert_eq(fu_kpi_write_csv_to_string(k, NULL, &s), FU_OK);
        const char *want = raw ? "\nnps,@agent,2026-W10,-100," : "\nnps,\"'@agent\",2026-W10,-100,";
        cr_expect(strstr(s, want), "want %s in\n%s", want, s);
        fu_free(s);
        fu_kpi_free(k);
    }
    fu_book_free(b);
    fu_policy_free(pol);
}

/* ------------------------------------- free text: agent_id and owner (F6) */

/* review s9 F6: an agent id or owner holding a phone number is masked by the
 * contact log and the ledger; the book's writers and the KPI group labels
 * mask it the same way (docs/formats.md "Free text is masked when the book
 * is written", docs/kpi.md "Agent labels are masked"). Ordinary ids stay. */
static const char *F6_CUST = "customer_id,tz,annual_spend,consent_phone,owner\n"
                             "A,Asia/Shanghai,5000,yes,王 13912345678\n"
                             "B,Asia/Shanghai,5000,yes,王经理\n";
static const char *F6_EV = "customer_id,at,kind,order_id,channel,agent_id,outcome,survey,score,note\n"
                           "A,2026-03-09T10:00:00+08:00,fault,F1,,,,,,\n"
                           "A,2026-03-09T11:00:00+08:00,contact,F1,phone,王 13912345678,answered,,,客户手机13812345678\n"
                           "A,2026-03-10T11:00:00+08:00,survey,F1,,王 13912345678,,csat,5,\n"
                           "B,2026-03-10T12:00:00+08:00,contact,,phone,A17,answered,,,\n"
                           "B,2026-03-10T13:00:00+08:00,contact,,phone,zhang@example.com,answered,,,\n";

/* The book of F6_CUST and F6_EV with the options' flags, not finalized. */
static fu_book *f6_book(unsigned flags) { return fu_test_book_of(flags, F6_CUST, F6_EV, 0); }

Test(export, book_writers_mask_agent_and_owner_text) {
    fu_book *b = f6_book(0);
    char *s = NULL;
    cr_assert_eq(fu_book_write_events_csv_to_string(b, NULL, &s), FU_OK);
    cr_expect(strstr(s, ",phone,王 139****5678,answered,,,客户手机138****5678\n"), "%s", s);
    cr_expect(strstr(s, ",王 139****5678,,5,csat,\n"), "%s", s);
    cr_expect(strstr(s, ",phone,A17,answered,"), "%s", s);
    cr_expect(strstr(s, ",phone,z***@example.com,answered,"), "%s", s);
    cr_expect(!strstr(s, "13912345678") && !strstr(s, "zhang@"), "%s", s);
    fu_free(s);
    cr_assert_eq(fu_book_write_customers_csv_to_string(b, NULL, &s), FU_OK);
    cr_expect(strstr(s, "\nA,Asia/Shanghai,5000,,,,,,yes,,,王 139****5678\n"), "%s", s);
    cr_expect(strstr(s, "\nB,Asia/Shanghai,5000,,,,,,yes,,,王经理\n"), "%s", s);
    fu_free(s);
    /* the book keeps the text as read */
    cr_expect_str_eq(fu_book_string(b, fu_book_events(b, NULL)[1].agent_id), "王 13912345678");
    fu_book_free(b);
    /* the host's explicit opt-out writes notes, agents and owners as read */
    b = f6_book(FU_BOOK_WRITE_RAW_NOTES);
    cr_assert_eq(fu_book_write_events_csv_to_string(b, NULL, &s), FU_OK);
    cr_expect(strstr(s, ",phone,王 13912345678,answered,,,客户手机13812345678\n"), "%s", s);
    fu_free(s);
    cr_assert_eq(fu_book_write_customers_csv_to_string(b, NULL, &s), FU_OK);
    cr_expect(strstr(s, ",王 13912345678\n"), "%s", s);
    fu_free(s);
    fu_book_free(b);
}

Test(export, kpi_agent_labels_are_masked) {
    fu_book *b = f6_book(0);
    cr_assert_eq(fu_book_finalize(b), FU_OK);
    fu_policy *pol = fu_test_policy(NULL);
    fu_kpi_options o = FU_KPI_OPTIONS_INIT;
    o.by = FU_KPI_BY_AGENT;
    o.period = FU_KPI_WEEK;
    fu_kpi *k = fu_test_kpi_of_book(pol, &o, b);
    size_t nf = 0;
    const fu_kpi_figure *f = fu_kpi_figures(k, &nf);
    int masked = 0, plain = 0;
    for (size_t i = 0; i < nf; i++) {
        cr_expect(!strstr(f[i].group, "13912345678") && !strstr(f[i].group, "zhang@"), "%s", f[i].group);
        masked += strcmp(f[i].group, "王 139****5678") == 0;
        plain += strcmp(f[i].group, "A17") == 0;
    }
    cr_expect(masked > 0 && plain > 0, "masked %d, plain %d", masked, plain);
    const fu_kpi_scorecard *rows = NULL;
    size_t nr = 0;
    cr_assert_eq(fu_kpi_scorecards(k, &rows, &nr), FU_OK);
    for (size_t i = 0; i < nr; i++) cr_expect(!strstr(rows[i].agent, "13912345678"), "%s", rows[i].agent);
    char *s = NULL;
    cr_assert_eq(fu_kpi_write_csv_to_string(k, NULL, &s), FU_OK);
    cr_expect(strstr(s, ",王 139****5678,2026-W11,") && !strstr(s, "13912345678"), "%s", s);
    fu_free(s);
    fu_kpi_free(k);
    fu_policy_free(pol);
    fu_book_free(b);
}

/* ------------------------------------------------- all-or-nothing output files */

static char dir[256];

static void make_dir(void) { fu_test_mkdtemp(dir, sizeof dir, "fu-export"); }
static void remove_dir(void) { fu_test_rmtree(dir); }

static size_t files_in_dir(void) {
    DIR *d = opendir(dir);
    cr_assert_not_null(d);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
    closedir(d);
    return n;
}

static void write_text(const char *path, const char *text) {
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

static const char *OLD = "the previous export\n";

/* The file at `path` still holds OLD and no temporary file is left beside it. */
static void expect_old_file_kept(const char *path) {
    size_t len = 0;
    char *now = fu_test_read_file(path, &len);
    cr_expect_str_eq(now, OLD, "the existing file is untouched");
    free(now);
    cr_expect_eq(files_in_dir(), 1, "no temporary file is left behind");
}

/* A writer of a book's events or a plan to `path` for
 * fu_test_under_file_size_limit(): 0 when the write failed with FU_EIO
 * (naming the reason "too large" when `reason` is set). */
typedef struct limited_write {
    const fu_book *book;
    const fu_plan *plan;
    const char *path;
    int reason;
} limited_write;

static int write_fails_with_eio(void *ctx) {
    const limited_write *w = ctx;
    int rc = w->book ? fu_book_write_events_csv(w->book, w->path)
                     : fu_plan_write_csv(w->plan, 1u << FU_TOUCHPOINT_PLANNED, 0, w->path);
    if (rc != FU_EIO) return 1;
    return w->reason && !strstr(fu_error_last()->message, "too large");
}

/* A book of 2,000 events with notes: its events CSV is about 200 KB. */
static fu_book *big_book(void) {
    fu_book_options o = FU_BOOK_OPTIONS_INIT;
    o.flags = FU_BOOK_CREATE_CUSTOMERS;
    fu_book *b = NULL;
    cr_assert_eq(fu_book_new(&b, &o), FU_OK);
    for (int i = 0; i < 2000; i++) {
        char id[16], note[96];
        snprintf(id, sizeof id, "C%04d", i % 50);
        snprintf(note, sizeof note, "call back on 1381234%04d about order %d, =%d", i, i, i);
        fu_event_in e;
        fu_event_in_init(&e);
        e.customer_id = id;
        e.at = 1767225600 + i * 60;
        e.kind = FU_EVENT_FEEDBACK;
        e.note = note;
        cr_assert_eq(fu_book_add_event(b, &e), FU_OK, "%s", fu_error_last()->message);
    }
    cr_assert_eq(fu_book_finalize(b), FU_OK);
    return b;
}

Test(export, file_size_limit_keeps_the_old_file, .init = make_dir, .fini = remove_dir) {
    char path[300];
    snprintf(path, sizeof path, "%s/events.csv", dir);
    write_text(path, OLD);
    fu_book *b = big_book();
    /* EFBIG past 64 KiB, the error a full disk gives */
    limited_write w = {b, NULL, path, 1};
    fu_test_under_file_size_limit(64 << 10, write_fails_with_eio, &w, "the writer must fail with FU_EIO naming "
                                                                     "the reason");
    expect_old_file_kept(path);
    /* without the limit the same call replaces the file */
    cr_assert_eq(fu_book_write_events_csv(b, path), FU_OK, "%s", fu_error_last()->message);
    size_t len = 0;
    char *now = fu_test_read_file(path, &len);
    cr_expect_gt(len, 64 << 10);
    cr_expect(strncmp(now, "customer_id,at,kind", 19) == 0);
    free(now);
    cr_expect_eq(files_in_dir(), 1);
    fu_book_free(b);
}

typedef struct oom_ctx {
    fu_book *book;
    fu_plan *plan;
    const char *path;
} oom_ctx;

static int oom_write(void *p) {
    oom_ctx *c = p;
    int rc = fu_book_write_events_csv(c->book, c->path);
    size_t len = 0;
    char *now = fu_test_read_file(c->path, &len);
    if (rc != FU_OK) cr_assert_str_eq(now, OLD, "a failed write leaves the old file (rc %d)", rc);
    free(now);
    cr_assert_eq(files_in_dir(), 1, "no temporary file is left behind");
    if (rc == FU_OK) write_text(c->path, OLD);
    return rc;
}

Test(export, out_of_memory_keeps_the_old_file, .init = make_dir, .fini = remove_dir) {
    char path[300];
    snprintf(path, sizeof path, "%s/events.csv", dir);
    write_text(path, OLD);
    oom_ctx c = {big_book(), NULL, path};
    unsigned long n = fu_test_oom("book events to a file", oom_write, &c, 400);
    cr_expect_gt(n, 2); /* path copies, buffer, redactor, ... all tried */
    fu_book_free(c.book);
}

Test(export, plan_file_is_replaced_whole, .init = make_dir, .fini = remove_dir) {
    char path[300];
    snprintf(path, sizeof path, "%s/plan.csv", dir);
    write_text(path, OLD);
    fu_test_planner f;
    make_plan(&f);
    const fu_plan *p = f.plan;
    limited_write w = {NULL, p, path, 0};
    fu_test_under_file_size_limit(16, write_fails_with_eio, &w, "the plan writer must fail with FU_EIO");
    expect_old_file_kept(path);
    cr_assert_eq(fu_plan_write_csv(p, 1u << FU_TOUCHPOINT_PLANNED, 0, path), FU_OK, "%s", fu_error_last()->message);
    size_t len = 0;
    char *now = fu_test_read_file(path, &len);
    cr_expect(strstr(now, "\"'=cmd|x\""), "%s", now);
    free(now);
    /* a directory is refused with the reason */
    cr_expect_eq(fu_plan_write_csv(p, 1u << FU_TOUCHPOINT_PLANNED, 0, dir), FU_EIO);
    cr_expect(strstr(fu_error_last()->message, "Is a directory"), "%s", fu_error_last()->message);
    fu_test_planner_free(&f);
}
