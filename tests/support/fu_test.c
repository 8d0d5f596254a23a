#include "fu_test.h"

#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Each block carries a header with its size so live bytes can be counted. */
typedef union hdr {
    size_t size;
    max_align_t align;
} hdr;

static unsigned long g_fail_at, g_count;
static int g_failed;
static size_t g_live, g_live_bytes;

static int should_fail(void) {
    g_count++;
    if (g_fail_at && g_count == g_fail_at) {
        g_failed = 1;
        return 1;
    }
    return 0;
}

static void *t_malloc(size_t size, void *ud) {
    (void)ud;
    if (should_fail()) return NULL;
    hdr *h = malloc(sizeof(hdr) + size);
    if (!h) return NULL;
    h->size = size;
    g_live++;
    g_live_bytes += size;
    return h + 1;
}

static void *t_realloc(void *p, size_t size, void *ud) {
    (void)ud;
    hdr *h = (hdr *)p - 1;
    if (size > h->size && should_fail()) return NULL;
    size_t old = h->size;
    hdr *n = realloc(h, sizeof(hdr) + size);
    if (!n) return NULL;
    n->size = size;
    g_live_bytes = g_live_bytes - old + size;
    return n + 1;
}

static void t_free(void *p, void *ud) {
    (void)ud;
    hdr *h = (hdr *)p - 1;
    g_live--;
    g_live_bytes -= h->size;
    free(h);
}

void fu_test_alloc_install(unsigned long fail_at) {
    static const fu_allocator a = {t_malloc, t_realloc, t_free, NULL};
    g_fail_at = fail_at;
    g_count = 0;
    g_failed = 0;
    cr_assert_eq(fu_set_allocator(&a), FU_OK);
}

void fu_test_alloc_uninstall(void) { fu_set_allocator(NULL); }
size_t fu_test_alloc_live(void) { return g_live; }
size_t fu_test_alloc_live_bytes(void) { return g_live_bytes; }
unsigned long fu_test_alloc_count(void) { return g_count; }
int fu_test_alloc_failed(void) { return g_failed; }

unsigned long fu_test_oom(const char *what, fu_test_op op, void *ctx, unsigned long max_n) {
    /* A clean run first: it must succeed and say how many allocations it makes. */
    fu_test_alloc_install(0);
    int rc = op(ctx);
    unsigned long total = fu_test_alloc_count();
    size_t live = fu_test_alloc_live();
    fu_test_alloc_uninstall();
    cr_assert_eq(rc, FU_OK, "%s: clean run failed: %s", what, fu_error_last()->message);
    cr_assert_eq(live, 0, "%s: clean run leaked %zu blocks", what, live);
    cr_assert_gt(total, 0, "%s: made no allocation, nothing to test", what);

    unsigned long n;
    for (n = 1; n <= total && n <= max_n; n++) {
        fu_error_clear();
        fu_test_alloc_install(n);
        rc = op(ctx);
        int fired = fu_test_alloc_failed();
        live = fu_test_alloc_live();
        fu_test_alloc_uninstall();
        cr_assert(fired, "%s: allocation %lu of %lu never happened", what, n, total);
        cr_assert_eq(rc, FU_ENOMEM, "%s: failing allocation %lu of %lu returned %d (%s), want FU_ENOMEM",
                     what, n, total, rc, fu_error_last()->message);
        cr_assert_eq(fu_error_last()->code, FU_ENOMEM, "%s: allocation %lu: error detail has code %d",
                     what, n, fu_error_last()->code);
        cr_assert_eq(live, 0, "%s: failing allocation %lu leaked %zu blocks", what, n, live);
    }
    return total;
}

void fu_test_oom_at_least(const char *what, fu_test_op op, void *ctx, unsigned long max_n, unsigned long min_allocs) {
    unsigned long n = fu_test_oom(what, op, ctx, max_n);
    cr_assert_geq(n, min_allocs, "%s: %lu allocations, expected at least %lu", what, n, min_allocs);
}

void fu_test_oom_builtin_policy(const char *what, fu_test_op op, unsigned long max_n) {
    fu_policy *p = NULL;
    cr_assert_eq(fu_policy_default(&p), FU_OK);
    fu_test_oom(what, op, p, max_n);
    fu_policy_free(p);
}

char *fu_test_read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    cr_assert_not_null(buf);
    cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    if (len) *len = (size_t)n;
    return buf;
}

void fu_test_expect_error(int code, const char *message, const char *source, unsigned long line,
                          unsigned long column, const char *path) {
    const fu_error *e = fu_error_last();
    cr_assert_eq(e->code, code, "code %d, want %d: %s", e->code, code, e->message);
    cr_assert_str_eq(e->message, message);
    cr_assert_str_eq(e->source, source);
    cr_assert_eq(e->line, line, "line %lu, want %lu: %s", e->line, line, e->message);
    cr_assert_eq(e->column, column, "column %lu, want %lu: %s", e->column, column, e->message);
    cr_assert_str_eq(e->path, path);
}

int64_t fu_test_time(const char *iso) {
    int64_t t = 0;
    int rc = fu_time_parse(iso, strlen(iso), &t);
    cr_assert_eq(rc, FU_OK, "bad time %s: %s", iso, fu_error_last()->message);
    return t;
}

char *fu_test_cat(const char *a, const char *b) {
    size_t n = strlen(a), m = strlen(b);
    char *s = malloc(n + m + 1);
    cr_assert_not_null(s);
    memcpy(s, a, n);
    memcpy(s + n, b, m + 1);
    return s;
}

void fu_test_mkdtemp(char *dir, size_t n, const char *prefix) {
    cr_assert_lt((size_t)snprintf(dir, n, "/tmp/%s-XXXXXX", prefix), n);
    cr_assert_not_null(mkdtemp(dir), "mkdtemp %s", dir);
}

void fu_test_rmtree(const char *dir) {
    char cmd[600];
    cr_assert_lt((size_t)snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir), sizeof cmd);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
}

void fu_test_rm_db(const char *path) {
    static const char *const sides[] = {"", "-wal", "-shm", "-journal"};
    char side[600];
    for (size_t i = 0; i < sizeof sides / sizeof sides[0]; i++) {
        cr_assert_lt((size_t)snprintf(side, sizeof side, "%s%s", path, sides[i]), sizeof side);
        unlink(side);
    }
}

void fu_test_db_path(char *buf, size_t size, const char *prefix, const char *name) {
    cr_assert_lt((size_t)snprintf(buf, size, "%s/%s_%ld_%s.db", FU_TEST_BINDIR, prefix, (long)getpid(), name), size);
    fu_test_rm_db(buf);
}

fu_policy *fu_test_policy(const char *yaml) {
    fu_policy *p = NULL;
    if (yaml)
        cr_assert_eq(fu_policy_load_string(&p, yaml, strlen(yaml), "p", NULL), FU_OK, "%s", fu_error_last()->message);
    else
        cr_assert_eq(fu_policy_default(&p), FU_OK, "%s", fu_error_last()->message);
    return p;
}

void fu_test_policy_refused(const char *yaml, const char *needle) {
    fu_policy *p = NULL;
    cr_assert_eq(fu_policy_load_string(&p, yaml, strlen(yaml), "p", NULL), FU_EPOLICY, "%s", yaml);
    cr_assert_null(p);
    cr_assert(strstr(fu_error_last()->message, needle), "%s", fu_error_last()->message);
}

fu_book *fu_test_book(const char *customers_csv, const char *events_csv) {
    fu_book *b = NULL;
    cr_assert_eq(fu_book_new(&b, NULL), FU_OK);
    cr_assert_eq(fu_book_read_customers_csv_from_string(b, customers_csv, strlen(customers_csv), "c"), FU_OK, "%s",
                 fu_error_last()->message);
    cr_assert_eq(fu_book_read_events_csv_from_string(b, events_csv, strlen(events_csv), "e"), FU_OK, "%s",
                 fu_error_last()->message);
    return b;
}

int fu_test_planner_open(fu_test_planner *f, const char *customers_csv, const char *events_csv,
                         const char *agents_csv) {
    memset(f, 0, sizeof *f);
    int rc = fu_policy_default(&f->policy);
    if (!rc) rc = fu_book_new(&f->book, NULL);
    if (!rc) rc = fu_book_read_customers_csv_from_string(f->book, customers_csv, strlen(customers_csv), "c");
    if (!rc) rc = fu_book_read_events_csv_from_string(f->book, events_csv, strlen(events_csv), "e");
    if (!rc) rc = fu_planner_new(&f->pl, f->policy, f->book, NULL);
    if (!rc && agents_csv) rc = fu_planner_set_agents(f->pl, agents_csv, strlen(agents_csv), "agents");
    return rc;
}

void fu_test_planner_free(fu_test_planner *f) {
    fu_plan_free(f->plan);
    fu_planner_free(f->pl);
    fu_book_free(f->book);
    fu_policy_free(f->policy);
    memset(f, 0, sizeof *f);
}

const fu_touchpoint *fu_test_find_touchpoint(const fu_plan *p, fu_touchpoint_status status, const char *id,
                                             const char *rule) {
    size_t n = 0;
    const fu_touchpoint *t = fu_plan_touchpoints(p, status, &n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(t[i].customer_id, id) == 0 && strstr(t[i].rule, rule)) return &t[i];
    return NULL;
}

void fu_test_planner_open_ok(fu_test_planner *f, const char *customers_csv, const char *events_csv) {
    cr_assert_eq(fu_test_planner_open(f, customers_csv, events_csv, NULL), FU_OK, "%s", fu_error_last()->message);
}

void fu_test_planner_plan_at(fu_test_planner *f, const char *now, int64_t horizon) {
    fu_plan *p = NULL;
    cr_assert_eq(fu_planner_plan(f->pl, fu_test_time(now), horizon, &p), FU_OK, "%s", fu_error_last()->message);
    fu_plan_free(f->plan);
    f->plan = p;
}

void fu_test_planner_for_agents(fu_test_planner *f, unsigned agents) {
    fu_planner_options o = FU_PLANNER_OPTIONS_INIT;
    o.agents = agents;
    fu_planner_free(f->pl);
    f->pl = NULL;
    cr_assert_eq(fu_planner_new(&f->pl, f->policy, f->book, &o), FU_OK, "%s", fu_error_last()->message);
}

fu_plan_stats fu_test_plan_stats(const fu_plan *p) {
    fu_plan_stats st;
    fu_plan_get_stats(p, &st);
    return st;
}

void fu_test_same_plans(const fu_plan *a, const fu_plan *b, const char *what) {
    for (int s = 0; s <= FU_TOUCHPOINT_LATER; s++) {
        size_t na = 0, nb = 0;
        const fu_touchpoint *x = fu_plan_touchpoints(a, (fu_touchpoint_status)s, &na);
        const fu_touchpoint *y = fu_plan_touchpoints(b, (fu_touchpoint_status)s, &nb);
        cr_assert_eq(na, nb, "%s: status %d: %zu vs %zu", what, s, na, nb);
        for (size_t i = 0; i < na; i++) {
            cr_assert_str_eq(x[i].customer_id, y[i].customer_id, "%s", what);
            cr_assert_str_eq(x[i].rule, y[i].rule, "%s %s", what, x[i].customer_id);
            cr_assert_eq(x[i].best_at, y[i].best_at, "%s %s %s: %s | %s", what, x[i].customer_id, x[i].rule,
                         x[i].reason, y[i].reason);
            cr_assert_eq(x[i].due_to, y[i].due_to, "%s", what);
            cr_assert_str_eq(x[i].reason, y[i].reason, "%s %s", what, x[i].customer_id);
            cr_assert_str_eq(x[i].status_rule, y[i].status_rule, "%s %s", what, x[i].customer_id);
            cr_assert_str_eq(x[i].agent, y[i].agent, "%s %s", what, x[i].customer_id);
        }
    }
    fu_plan_stats sa = fu_test_plan_stats(a), sb = fu_test_plan_stats(b);
    cr_assert_eq(memcmp(&sa, &sb, sizeof sa), 0, "%s: stats differ", what);
}

fu_book *fu_test_book_c1(unsigned int flags) {
    fu_book *b = NULL;
    fu_book_options o = FU_BOOK_OPTIONS_INIT;
    o.flags = flags;
    cr_assert_eq(fu_book_new(&b, &o), FU_OK);
    fu_customer c;
    fu_customer_init(&c);
    c.id = "C1";
    c.tz = "UTC";
    cr_assert_eq(fu_book_add_customer(b, &c, NULL), FU_OK);
    return b;
}

fu_event_in fu_test_purchase(const char *customer) {
    fu_event_in ev;
    fu_event_in_init(&ev);
    ev.customer_id = customer;
    ev.at = 1767225600; /* 2026-01-01 */
    ev.kind = FU_EVENT_PURCHASE;
    return ev;
}

void fu_test_db_exec(const char *path, const char *sql) {
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    char *err = NULL;
    cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, &err), SQLITE_OK, "%s", err ? err : "");
    sqlite3_close(db);
}
