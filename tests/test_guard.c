/* fu_guard and fu_contact_log: the persistent contact log (durability under
 * SIGKILL, several writers, 0600, integrity, newer schema), the guard's
 * decisions against hand-worked cases of the built-in policy
 * (lib/data/default_policy.yaml: quiet hours 08:00-21:00 local, min gap 24h,
 * weekly cap 3 per 7d, per order 1 per 72h, new customers 2 per 72h), the
 * redial rules, bad input, and a property test against the planner. */
#include "fu_test.h"
#include "fu_test_fixtures.h"

#include <criterion/criterion.h>
#include <math.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define H INT64_C(3600)
#define D INT64_C(86400)

static char dir[256];

static void make_dir(void) { fu_test_mkdtemp(dir, sizeof dir, "fu-guard"); }
/* make_dir(), and the path of the file `name` in it. */
static const char *file_in_new_dir(const char *name) {
    static char path[300];
    make_dir();
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}
static void remove_dir(void) { fu_test_rmtree(dir); }

#define T fu_test_time

/* ------------------------------------------------------------------ the log */

typedef struct collected {
    size_t n;
    char ids[64][16];
    int64_t at[64], seq[64];
    int outcome[64];
} collected;

static int collect_fn(void *ud, const fu_contact_record *r) {
    collected *c = ud;
    if (c->n < 64) {
        snprintf(c->ids[c->n], sizeof c->ids[0], "%s", r->customer_id);
        c->at[c->n] = r->at;
        c->seq[c->n] = r->seq;
        c->outcome[c->n] = (int)r->outcome;
    }
    c->n++;
    return 0;
}

Test(guard_log, append_read_and_reopen) {
    const char *path = file_in_new_dir("contacts.db");
    fu_contact_log *l = NULL;
    cr_assert_eq(fu_contact_log_open(&l, path, NULL), FU_OK, "%s", fu_error_last()->message);
    fu_contact_record r[3] = {fu_test_contact("A", 1000, FU_CHANNEL_PHONE, FU_GUARD_NO_ANSWER),
                              fu_test_contact("B", 900, FU_CHANNEL_SMS, FU_GUARD_ANSWERED),
                              fu_test_contact("A", 800, FU_CHANNEL_PHONE, FU_GUARD_CALLBACK)};
    r[2].callback_at = 5000;
    r[0].agent_id = "ag1";
    r[0].rule = "cadences.delivery.first_contact";
    r[0].order_id = "O1";
    r[0].duration = 30;
    int64_t seq = 0;
    cr_assert_eq(fu_contact_log_append(l, r, 3, &seq), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(seq, 1);
    fu_contact_log_close(l);

    /* the file and its WAL are private to the owner */
    struct stat sb;
    cr_assert_eq(stat(path, &sb), 0);
    cr_assert_eq(sb.st_mode & 0777, 0600, "mode %o", sb.st_mode & 0777);

    cr_assert_eq(fu_contact_log_open(&l, path, NULL), FU_OK);
    size_t n = 0;
    cr_assert_eq(fu_contact_log_count(l, &n), FU_OK);
    cr_assert_eq(n, 3);
    collected c;
    memset(&c, 0, sizeof c);
    cr_assert_eq(fu_contact_log_read(l, 0, "A", collect_fn, &c), FU_OK);
    cr_assert_eq(c.n, 2);
    cr_assert_str_eq(c.ids[0], "A");
    cr_assert_eq(c.at[0], 1000); /* seq order, not time order: out-of-order is fine */
    cr_assert_eq(c.at[1], 800);
    cr_assert_eq(c.outcome[1], FU_GUARD_CALLBACK);
    memset(&c, 0, sizeof c);
    cr_assert_eq(fu_contact_log_read(l, 1, NULL, collect_fn, &c), FU_OK);
    cr_assert_eq(c.n, 2);
    cr_assert_eq(c.seq[0], 2);
    fu_contact_log_close(l);
    remove_dir();
}

Test(guard_log, bad_records_write_nothing) {
    fu_contact_log *l = NULL;
    cr_assert_eq(fu_contact_log_open(&l, NULL, NULL), FU_OK);
    fu_contact_record r[2] = {fu_test_contact("A", 1000, FU_CHANNEL_PHONE, FU_GUARD_ANSWERED),
                              fu_test_contact("B", 1000, (fu_channel)9, FU_GUARD_ANSWERED)};
    cr_assert_eq(fu_contact_log_append(l, r, 2, NULL), FU_EINVAL);
    cr_assert(strstr(fu_error_last()->message, "record 1") && strstr(fu_error_last()->message, "channel"), "%s",
              fu_error_last()->message);
    r[1].channel = FU_CHANNEL_NONE;
    cr_assert_eq(fu_contact_log_append(l, r, 2, NULL), FU_EINVAL);
    r[1].channel = FU_CHANNEL_SMS;
    r[1].outcome = (fu_guard_outcome)42;
    cr_assert_eq(fu_contact_log_append(l, r, 2, NULL), FU_EINVAL);
    cr_assert(strstr(fu_error_last()->message, "outcome"), "%s", fu_error_last()->message);
    r[1].outcome = FU_GUARD_CALLBACK; /* without a call-back time */
    cr_assert_eq(fu_contact_log_append(l, r, 2, NULL), FU_EINVAL);
    cr_assert(strstr(fu_error_last()->message, "callback_at"), "%s", fu_error_last()->message);
    r[1].outcome = FU_GUARD_ANSWERED;
    r[1].customer_id = "";
    cr_assert_eq(fu_contact_log_append(l, r, 2, NULL), FU_EINVAL);
    r[1].customer_id = "B";
    r[1].at = INT64_C(400000000000);
    cr_assert_eq(fu_contact_log_append(l, r, 2, NULL), FU_ERANGE);
    size_t n = 9;
    cr_assert_eq(fu_contact_log_count(l, &n), FU_OK);
    cr_assert_eq(n, 0, "nothing of a bad batch is written");
    fu_guard_outcome o;
    cr_assert_eq(fu_guard_outcome_from_string("Wrong_Number", 12, &o), FU_OK);
    cr_assert_eq(o, FU_GUARD_WRONG_NUMBER);
    cr_assert_eq(fu_guard_outcome_from_string("hung_up", 7, &o), FU_EPARSE);
    cr_assert(strstr(fu_error_last()->message, "hung_up"));
    fu_contact_log_close(l);
}

Test(guard_log, not_a_database_corrupt_and_newer_schema_are_refused) {
    char path[300];
    snprintf(path, sizeof path, "%s", file_in_new_dir("junk.db"));
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    for (int i = 0; i < 2000; i++) fputs("this is not a database ", f);
    fclose(f);
    fu_contact_log *l = NULL;
    cr_assert_eq(fu_contact_log_open(&l, path, NULL), FU_EDB);
    cr_assert(strstr(fu_error_last()->message, "not a database"), "%s", fu_error_last()->message);

    /* a log written by a newer library */
    snprintf(path, sizeof path, "%s/newer.db", dir);
    cr_assert_eq(fu_contact_log_open(&l, path, NULL), FU_OK);
    fu_contact_log_close(l);
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(db, "UPDATE contact_log_meta SET value = 7", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    cr_assert_eq(fu_contact_log_open(&l, path, NULL), FU_EDB);
    cr_assert(strstr(fu_error_last()->message, "newer"), "%s", fu_error_last()->message);

    /* a damaged index: the integrity check on open says so */
    snprintf(path, sizeof path, "%s/corrupt.db", dir);
    cr_assert_eq(fu_contact_log_open(&l, path, NULL), FU_OK);
    for (int i = 0; i < 200; i++) {
        fu_contact_record r = fu_test_contact("customer-with-a-long-id", 1000 + i, FU_CHANNEL_PHONE, FU_GUARD_ANSWERED);
        cr_assert_eq(fu_contact_log_append(l, &r, 1, NULL), FU_OK);
    }
    fu_contact_log_close(l);
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(db, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    /* scribble over the middle of the last page (a leaf of the table) */
    struct stat sb;
    cr_assert_eq(stat(path, &sb), 0);
    f = fopen(path, "r+b");
    cr_assert_not_null(f);
    cr_assert_eq(fseek(f, (long)sb.st_size - 4096 + 8, SEEK_SET), 0);
    for (int i = 0; i < 64; i++) fputc(0xA5, f);
    fclose(f);
    cr_assert_eq(fu_contact_log_open(&l, path, NULL), FU_EDB);
    cr_assert(strstr(fu_error_last()->message, "corrupt") || strstr(fu_error_last()->message, "malformed"), "%s",
              fu_error_last()->message);
    remove_dir();
}

Test(guard_log, shares_a_file_with_the_ledger) {
    const char *path = file_in_new_dir("ledger.db");
    fu_ledger *led = NULL;
    cr_assert_eq(fu_ledger_open(&led, path, NULL), FU_OK, "%s", fu_error_last()->message);
    fu_contact_log *l = NULL;
    cr_assert_eq(fu_contact_log_open(&l, path, NULL), FU_OK, "%s", fu_error_last()->message);
    fu_contact_record r = fu_test_contact("A", 1000, FU_CHANNEL_PHONE, FU_GUARD_ANSWERED);
    cr_assert_eq(fu_contact_log_append(l, &r, 1, NULL), FU_OK);
    fu_contact_log_close(l);
    fu_ledger_close(led);
    cr_assert_eq(fu_ledger_open(&led, path, NULL), FU_OK, "%s", fu_error_last()->message);
    fu_ledger_close(led);
    remove_dir();
}

/* ------------------------------------------------------------------ review 2026-12 */

Test(guard_log, memory_paths_and_uris_are_refused) {
    fu_contact_log *l = NULL;
    cr_assert_eq(fu_contact_log_open(&l, ":memory:", NULL), FU_EINVAL); /* used to keep nothing, "recorded #1" */
    cr_assert(strstr(fu_error_last()->message, ":memory:") && strstr(fu_error_last()->message, "NULL"), "%s",
              fu_error_last()->message);
    cr_assert_null(l);
    cr_assert_eq(fu_contact_log_open(&l, "file:x.db?mode=memory", NULL), FU_EINVAL);
    cr_assert(strstr(fu_error_last()->message, "URI"), "%s", fu_error_last()->message);
    cr_assert_eq(fu_contact_log_open(&l, "", NULL), FU_EINVAL);
    cr_assert_eq(fu_contact_log_open(&l, NULL, NULL), FU_OK); /* NULL: in memory, on purpose */
    fu_contact_log_close(l);
}

static int64_t sql_int(const char *path, const char *sql) {
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int64_t v = -1;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
    if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

Test(guard_log, a_foreign_database_is_refused_and_left_as_it_was) {
    make_dir();
    char path[300];
    snprintf(path, sizeof path, "%s/crm.db", dir);
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(db, "CREATE TABLE customer(id TEXT); INSERT INTO customer VALUES('A')", NULL, NULL,
                              NULL), SQLITE_OK);
    sqlite3_close(db);
    fu_contact_log_options ro = FU_CONTACT_LOG_OPTIONS_INIT;
    ro.flags = FU_CONTACT_LOG_READONLY;
    for (int pass = 0; pass < 2; pass++) {
        fu_contact_log *l = NULL;
        cr_assert_eq(fu_contact_log_open(&l, path, pass ? &ro : NULL), FU_EDB);
        cr_assert(strstr(fu_error_last()->message, "not a contact log"), "%s", fu_error_last()->message);
    }
    /* nothing was written: no contact-log tables, still in rollback-journal mode */
    cr_assert_eq(sql_int(path, "SELECT count(*) FROM sqlite_master WHERE name LIKE 'contact%'"), 0);
    char *mode = NULL;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    cr_assert_eq(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
    mode = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
    cr_assert_str_eq(mode, "delete");
    free(mode);
    /* a contact log whose table lost its columns is no contact log either */
    snprintf(path, sizeof path, "%s/odd.db", dir);
    fu_contact_log *l = NULL;
    cr_assert_eq(fu_contact_log_open(&l, path, NULL), FU_OK);
    fu_contact_log_close(l);
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(db, "DROP TABLE contact_log; CREATE TABLE contact_log(x)", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    cr_assert_eq(fu_contact_log_open(&l, path, &ro), FU_EDB);
    cr_assert(strstr(fu_error_last()->message, "not a contact log"), "%s", fu_error_last()->message);
    remove_dir();
}

Test(guard_log, invalid_utf8_long_durations_and_early_callbacks_are_refused) {
    fu_contact_log *l = NULL;
    cr_assert_eq(fu_contact_log_open(&l, NULL, NULL), FU_OK);
    static const char *const fields[4] = {"customer_id", "agent_id", "rule", "order_id"};
    for (int i = 0; i < 4; i++) {
        fu_contact_record r = fu_test_contact("A", T("2026-03-10T10:00:00+08:00"), FU_CHANNEL_PHONE, FU_GUARD_ANSWERED);
        const char *bad = i == 0 ? "C\xe5" : "\xff";
        if (i == 0) r.customer_id = bad;
        if (i == 1) r.agent_id = bad;
        if (i == 2) r.rule = bad;
        if (i == 3) r.order_id = bad;
        cr_assert_eq(fu_contact_log_append(l, &r, 1, NULL), FU_EINVAL, "%s", fields[i]);
        cr_assert(strstr(fu_error_last()->message, fields[i]) && strstr(fu_error_last()->message, "UTF-8"), "%s",
                  fu_error_last()->message);
    }
    fu_contact_record r = fu_test_contact("A", T("2026-03-10T10:00:00+08:00"), FU_CHANNEL_PHONE, FU_GUARD_ANSWERED);
    r.duration = INT64_MAX;
    cr_assert_eq(fu_contact_log_append(l, &r, 1, NULL), FU_ERANGE);
    cr_assert(strstr(fu_error_last()->message, "duration"), "%s", fu_error_last()->message);
    r.duration = FU_CONTACT_MAX_DURATION + 1;
    cr_assert_eq(fu_contact_log_append(l, &r, 1, NULL), FU_ERANGE);
    r.duration = FU_CONTACT_MAX_DURATION;
    cr_assert_eq(fu_contact_log_append(l, &r, 1, NULL), FU_OK);
    r.duration = -1;
    r.outcome = FU_GUARD_CALLBACK;
    r.callback_at = r.at - 1;
    cr_assert_eq(fu_contact_log_append(l, &r, 1, NULL), FU_EINVAL);
    cr_assert(strstr(fu_error_last()->message, "callback_at") && strstr(fu_error_last()->message, "before"), "%s",
              fu_error_last()->message);
    r.callback_at = r.at;
    cr_assert_eq(fu_contact_log_append(l, &r, 1, NULL), FU_OK);
    size_t n = 0;
    cr_assert_eq(fu_contact_log_count(l, &n), FU_OK);
    cr_assert_eq(n, 2);
    fu_contact_log_close(l);
}

#define WRITER FU_TEST_BINDIR "/tests/guard_crash_writer"

/* The writer program (guard_crash_writer.c) appends records one by one (or
 * 10 per batch) and reports each acknowledged seq on a pipe; COUNT 0: until
 * killed. */
static pid_t start_writer(const char *path, int batch, const char *prefix, const char *count, int *fd) {
    int p[2];
    cr_assert_eq(pipe(p), 0);
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        char b[8];
        snprintf(b, sizeof b, "%d", batch);
        dup2(p[1], 1);
        close(p[0]);
        close(p[1]);
        execl(WRITER, WRITER, path, b, prefix, count, (char *)NULL);
        _exit(127);
    }
    close(p[1]);
    *fd = p[0];
    return pid;
}

static void crash_run(int batch) {
    const char *path = file_in_new_dir("crash.db");
    int fd;
    pid_t pid = start_writer(path, batch, "C", "0", &fd);
    FILE *f = fdopen(fd, "r");
    long long seqs[100];
    int is[100], n = 0;
    while (n < 60 && fscanf(f, "%lld %d", &seqs[n], &is[n]) == 2) n++;
    kill(pid, SIGKILL); /* mid-run: the writer is inside its next append */
    int st;
    waitpid(pid, &st, 0);
    fclose(f);
    cr_assert_eq(n, 60);
    fu_contact_log *l = NULL;
    cr_assert_eq(fu_contact_log_open(&l, path, NULL), FU_OK, "%s", fu_error_last()->message);
    size_t count = 0;
    cr_assert_eq(fu_contact_log_count(l, &count), FU_OK);
    cr_assert_geq(count, (size_t)(60 * batch), "every acknowledged record survives: %zu", count);
    cr_assert_eq(count % (size_t)batch, 0, "no half batch: %zu", count);
    for (int k = 0; k < n; k += 7) {
        collected c;
        memset(&c, 0, sizeof c);
        char id[32];
        snprintf(id, sizeof id, "C%d", is[k]);
        cr_assert_eq(fu_contact_log_read(l, 0, id, collect_fn, &c), FU_OK);
        cr_assert_eq(c.n, 1, "%s", id);
        cr_assert_eq(c.seq[0], seqs[k]);
    }
    fu_contact_log_close(l);
    remove_dir();
}

Test(guard_log, acknowledged_appends_survive_sigkill) { crash_run(1); }

Test(guard_log, a_batch_killed_midway_leaves_nothing_half_written) { crash_run(10); }

Test(guard_log, several_processes_append_at_once) {
    const char *path = file_in_new_dir("shared.db");
    enum { W = 3 };
    pid_t pid[W];
    int fd[W];
    for (int w = 0; w < W; w++) {
        char prefix[8];
        snprintf(prefix, sizeof prefix, "P%d_", w);
        pid[w] = start_writer(path, w == 0 ? 1 : 5, prefix, "200", &fd[w]);
    }
    for (int w = 0; w < W; w++) {
        char buf[4096];
        while (read(fd[w], buf, sizeof buf) > 0) continue;
        close(fd[w]);
        int st = 0;
        waitpid(pid[w], &st, 0);
        cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "writer %d: %d", w, st);
    }
    fu_contact_log *l = NULL;
    cr_assert_eq(fu_contact_log_open(&l, path, NULL), FU_OK, "%s", fu_error_last()->message);
    size_t count = 0;
    cr_assert_eq(fu_contact_log_count(l, &count), FU_OK);
    cr_assert_eq(count, 3 * 200);
    fu_contact_log_close(l);
    remove_dir();
}

Test(guard_log, loads_a_books_contact_events) {
    fu_contact_log *l = NULL;
    cr_assert_eq(fu_contact_log_open(&l, NULL, NULL), FU_OK);
    fu_contact_record r[3] = {fu_test_contact("A", T("2026-03-02T10:00:00Z"), FU_CHANNEL_PHONE, FU_GUARD_BUSY),
                              fu_test_contact("A", T("2026-03-01T10:00:00Z"), FU_CHANNEL_SMS, FU_GUARD_ANSWERED),
                              fu_test_contact("Z", T("2026-03-01T10:00:00Z"), FU_CHANNEL_SMS, FU_GUARD_ANSWERED)};
    r[0].order_id = "O7";
    cr_assert_eq(fu_contact_log_append(l, r, 3, NULL), FU_OK);
    fu_book *b = NULL;
    cr_assert_eq(fu_book_new(&b, NULL), FU_OK);
    fu_customer c;
    fu_customer_init(&c);
    c.id = "A";
    c.tz = "Asia/Shanghai";
    cr_assert_eq(fu_book_add_customer(b, &c, NULL), FU_OK);
    /* Z is not in the book: nothing is added */
    cr_assert_eq(fu_contact_log_load_book(l, b), FU_ENOTFOUND);
    cr_assert(strstr(fu_error_last()->message, "Z"), "%s", fu_error_last()->message);
    cr_assert_eq(fu_book_event_count(b), 0);
    fu_book_free(b);
    fu_book_options bo = FU_BOOK_OPTIONS_INIT;
    bo.flags = FU_BOOK_CREATE_CUSTOMERS;
    cr_assert_eq(fu_book_new(&b, &bo), FU_OK);
    cr_assert_eq(fu_book_add_customer(b, &c, NULL), FU_OK);
    cr_assert_eq(fu_contact_log_load_book(l, b), FU_OK, "%s", fu_error_last()->message);
    const fu_event *ev = NULL;
    size_t n = 0;
    cr_assert_eq(fu_book_customer_events(b, 0, &ev, &n), FU_OK);
    cr_assert_eq(n, 2);
    cr_assert_eq(ev[0].channel, FU_CHANNEL_SMS); /* sorted by time */
    cr_assert_eq(ev[1].outcome, FU_OUTCOME_BUSY);
    cr_assert_str_eq(fu_book_string(b, ev[1].note), "guard:busy");
    cr_assert_str_eq(fu_book_string(b, ev[1].order_id), "O7");
    fu_book_free(b);
    fu_contact_log_close(l);
}

/* ------------------------------------------------------------------ decisions */

typedef struct gfx {
    fu_policy *policy;
    fu_book *book;
    fu_contact_log *log;
    fu_guard *guard;
} gfx;

/* A purchase of 300 about `order` at `iso`. */
static void add_purchase(fu_book *b, const char *cust, const char *iso, const char *order) {
    fu_event_in e;
    fu_event_in_init(&e);
    e.customer_id = cust;
    e.at = T(iso);
    e.kind = FU_EVENT_PURCHASE;
    e.amount = 300;
    e.order_id = order;
    cr_assert_eq(fu_book_add_event(b, &e), FU_OK);
}

/* Customer A in Shanghai (calls and messages yes, e-mail no), a customer
 * since mid-2025 with a purchase on 2026-02-01 (not new, not declining);
 * B in New York with do-not-disturb on weekday lunchtimes. */
static void gsetup(gfx *f, const char *policy_yaml, const fu_guard_options *opts) {
    memset(f, 0, sizeof *f);
    f->policy = fu_test_policy(policy_yaml);
    cr_assert_eq(fu_book_new(&f->book, NULL), FU_OK);
    fu_customer c;
    fu_customer_init(&c);
    c.id = "A";
    c.tz = "Asia/Shanghai";
    c.first_purchase_at = T("2025-06-01T10:00:00+08:00");
    c.consent_phone = FU_TRI_YES;
    c.consent_sms = FU_TRI_YES;
    c.consent_email = FU_TRI_NO;
    cr_assert_eq(fu_book_add_customer(f->book, &c, NULL), FU_OK);
    c.id = "B";
    c.tz = "America/New_York";
    c.consent_email = FU_TRI_YES;
    c.dnd_windows = "Mon-Fri 12:00-14:00";
    cr_assert_eq(fu_book_add_customer(f->book, &c, NULL), FU_OK, "%s", fu_error_last()->message);
    add_purchase(f->book, "A", "2026-02-01T10:00:00+08:00", "O1");
    add_purchase(f->book, "B", "2026-02-01T10:00:00+08:00", "O1");
    cr_assert_eq(fu_book_finalize(f->book), FU_OK);
    cr_assert_eq(fu_contact_log_open(&f->log, NULL, NULL), FU_OK);
    cr_assert_eq(fu_guard_new(&f->guard, f->policy, f->book, f->log, opts), FU_OK, "%s", fu_error_last()->message);
}

static void gteardown(gfx *f) {
    fu_guard_free(f->guard);
    fu_contact_log_close(f->log);
    fu_book_free(f->book);
    fu_policy_free(f->policy);
}

/* The fixture's guard over a log file at `path` instead of the log in memory. */
static int gon_file(gfx *f, const char *path, const fu_contact_log_options *o) {
    fu_guard_free(f->guard);
    fu_contact_log_close(f->log);
    f->guard = NULL;
    f->log = NULL;
    int rc = fu_contact_log_open(&f->log, path, o);
    return rc ? rc : fu_guard_new(&f->guard, f->policy, f->book, f->log, NULL);
}

/* Ask; check the answer; and check that the next allowed instant passes. */
static void expect(gfx *f, const fu_guard_request *r, const char *rule, const char *next) {
    fu_guard_decision d;
    cr_assert_eq(fu_guard_check_request(f->guard, r, &d), FU_OK, "%s", fu_error_last()->message);
    if (!rule) {
        cr_assert_eq(d.allowed, 1, "%s at %lld: denied by %s (%s)", r->customer_id, (long long)r->at, d.rule,
                     d.reason);
        cr_assert_eq(d.next_allowed, r->at);
        if (!d.past_calendar_data) cr_assert_str_eq(d.reason, ""); /* else it flags the calendar */
        return;
    }
    cr_assert_eq(d.allowed, 0, "%s at %lld: allowed, expected %s", r->customer_id, (long long)r->at, rule);
    cr_assert_str_eq(d.rule, rule, "reason: %s", d.reason);
    cr_assert(strstr(d.reason, rule), "%s", d.reason);
    if (!next) {
        cr_assert_eq(d.next_allowed, FU_BESTTIME_NEVER, "%s", d.reason);
        return;
    }
    cr_assert_eq(d.next_allowed, T(next), "%s", d.reason);
    fu_guard_request again = *r;
    again.at = d.next_allowed;
    fu_guard_decision d2;
    cr_assert_eq(fu_guard_check_request(f->guard, &again, &d2), FU_OK);
    cr_assert_eq(d2.allowed, 1, "next_allowed %s is denied by %s", next, d2.rule);
}

static fu_guard_request ask(const char *cust, fu_channel ch, const char *iso) {
    fu_guard_request r = FU_GUARD_REQUEST_INIT;
    r.customer_id = cust;
    r.channel = ch;
    r.at = T(iso);
    return r;
}

static void record(gfx *f, const char *cust, const char *iso, fu_channel ch, fu_guard_outcome o, const char *rule) {
    fu_contact_record r = fu_test_contact(cust, T(iso), ch, o);
    r.rule = rule;
    cr_assert_eq(fu_guard_record(f->guard, &r, 1), FU_OK, "%s", fu_error_last()->message);
}

/* A answered on Tue 03-17 at 09:00 and 10:00 by phone and at 11:00 by `third`. */
static void three_calls_on_the_17th(gfx *f, fu_channel third) {
    record(f, "A", "2026-03-17T09:00:00+08:00", FU_CHANNEL_PHONE, FU_GUARD_ANSWERED, NULL);
    record(f, "A", "2026-03-17T10:00:00+08:00", FU_CHANNEL_PHONE, FU_GUARD_ANSWERED, NULL);
    record(f, "A", "2026-03-17T11:00:00+08:00", third, FU_GUARD_ANSWERED, NULL);
}

Test(guard, quiet_hours_holidays_dnd_and_consent) {
    gfx f;
    gsetup(&f, NULL, NULL);
    fu_guard_request r = ask("A", FU_CHANNEL_PHONE, "2026-03-10T10:00:00+08:00");
    expect(&f, &r, NULL, NULL);
    /* 22:00 in Shanghai is after 21:00: the next morning at 08:00 */
    r = ask("A", FU_CHANNEL_PHONE, "2026-03-10T22:00:00+08:00");
    expect(&f, &r, "quiet_hours.allowed", "2026-03-11T08:00:00+08:00");
    /* the National Day holidays of 2026 run from 1 to 7 October */
    r = ask("A", FU_CHANNEL_PHONE, "2026-10-02T10:00:00+08:00");
    expect(&f, &r, "calendars.holidays", "2026-10-08T08:00:00+08:00");
    /* A refused e-mail: never, whatever the priority */
    r = ask("A", FU_CHANNEL_EMAIL, "2026-03-10T10:00:00+08:00");
    r.priority = FU_PRIORITY_URGENT;
    expect(&f, &r, "customer.consent_email", NULL);
    /* B: lunchtime in New York is do-not-disturb; 14:00 is fine */
    r = ask("B", FU_CHANNEL_PHONE, "2026-03-10T12:30:00-04:00");
    expect(&f, &r, "customer.dnd_windows", "2026-03-10T14:00:00-04:00");
    /* a Chinese holiday is no holiday in New York */
    r = ask("B", FU_CHANNEL_PHONE, "2026-10-02T10:00:00-04:00");
    expect(&f, &r, NULL, NULL);
    gteardown(&f);
}

Test(guard, min_gap_and_weekly_cap_over_recorded_contacts) {
    gfx f;
    gsetup(&f, NULL, NULL);
    record(&f, "A", "2026-03-10T10:00:00+08:00", FU_CHANNEL_PHONE, FU_GUARD_ANSWERED, NULL);
    /* 24h min gap, both ways */
    fu_guard_request r = ask("A", FU_CHANNEL_SMS, "2026-03-10T15:00:00+08:00");
    expect(&f, &r, "caps.min_gap", "2026-03-11T10:00:00+08:00");
    r = ask("A", FU_CHANNEL_SMS, "2026-03-09T15:00:00+08:00");
    expect(&f, &r, "caps.min_gap", "2026-03-11T10:00:00+08:00");
    /* urgent is exempt from the gap, not from quiet hours */
    r = ask("A", FU_CHANNEL_PHONE, "2026-03-10T15:00:00+08:00");
    r.priority = FU_PRIORITY_URGENT;
    expect(&f, &r, NULL, NULL);
    record(&f, "A", "2026-03-11T10:00:00+08:00", FU_CHANNEL_PHONE, FU_GUARD_ANSWERED, NULL);
    record(&f, "A", "2026-03-12T10:00:00+08:00", FU_CHANNEL_PHONE, FU_GUARD_ANSWERED, NULL);
    /* three in 7 days: the fourth waits until the first is 7 days old */
    r = ask("A", FU_CHANNEL_PHONE, "2026-03-13T10:00:00+08:00");
    expect(&f, &r, "caps.weekly", "2026-03-17T10:00:00+08:00");
    gteardown(&f);
}

Test(guard, per_channel_cap_and_out_of_order_records) {
    gfx f;
    gsetup(&f, NULL, NULL);
    /* recorded out of order: the 11th first, then the 10th */
    record(&f, "A", "2026-03-11T10:00:00+08:00", FU_CHANNEL_SMS, FU_GUARD_ANSWERED, NULL);
    record(&f, "A", "2026-03-10T10:00:00+08:00", FU_CHANNEL_SMS, FU_GUARD_ANSWERED, NULL);
    /* two texts in 3 days: a third waits until the first is 3 days old */
    fu_guard_request r = ask("A", FU_CHANNEL_SMS, "2026-03-12T10:00:00+08:00");
    expect(&f, &r, "caps.sms", "2026-03-13T10:00:00+08:00");
    /* the cap counts texts only: a call is fine */
    r.channel = FU_CHANNEL_PHONE;
    expect(&f, &r, NULL, NULL);
    gteardown(&f);
}

Test(guard, per_order_cap_holds_one_order_not_another) {
    gfx f;
    gsetup(&f, NULL, NULL);
    /* O1 is an order of the book; a routine contact about it on the 10th */
    fu_contact_record c = fu_test_contact("A", T("2026-03-10T10:00:00+08:00"), FU_CHANNEL_PHONE, FU_GUARD_ANSWERED);
    c.order_id = "O1";
    cr_assert_eq(fu_guard_record(f.guard, &c, 1), FU_OK);
    fu_guard_request r = ask("A", FU_CHANNEL_PHONE, "2026-03-12T10:00:00+08:00");
    r.order_id = "O1";
    /* min gap passed; one routine contact per order per 72h */
    expect(&f, &r, "caps.per_order", "2026-03-13T10:00:00+08:00");
    r.order_id = "O2";
    expect(&f, &r, NULL, NULL);
    gteardown(&f);
}

static const char REDIAL_POLICY[] = "caps:\n  min_gap: 1m\n  limits:\n    weekly: {max: 10, per: 7d}\n"
                                    "redial:\n  attempts_per_day: 3\n  attempts_per_touchpoint: 4\n"
                                    "  attempts_lifetime: 6\n"
                                    "  no_answer: {retry_after: 2 business hours}\n"
                                    "  busy: {retry_after: 3 business hours}\n"
                                    "  refused: {stop: true}\n  wrong_number: {stop: true}\n";

Test(guard, redial_retry_after_two_business_hours_and_three_a_day) {
    gfx f;
    gsetup(&f, REDIAL_POLICY, NULL);
    const char *R = "cadences.delivery.first_contact";
    record(&f, "A", "2026-03-10T10:00:00+08:00", FU_CHANNEL_PHONE, FU_GUARD_NO_ANSWER, R);
    fu_guard_request r = ask("A", FU_CHANNEL_PHONE, "2026-03-10T11:00:00+08:00");
    r.rule = R;
    /* 10:00 + 2 business hours (09:00-12:00, 13:30-18:00) = 12:00 */
    expect(&f, &r, "redial.retry_after", "2026-03-10T12:00:00+08:00");
    /* another touchpoint is no redial */
    r.rule = "cadences.fault.urgent_contact";
    expect(&f, &r, NULL, NULL);
    /* Friday 17:00 busy: the policy's 3 business hours, Monday 11:00 */
    record(&f, "A", "2026-03-13T17:00:00+08:00", FU_CHANNEL_PHONE, FU_GUARD_BUSY, R);
    r = ask("A", FU_CHANNEL_PHONE, "2026-03-13T18:00:00+08:00");
    r.rule = R;
    expect(&f, &r, "redial.retry_after", "2026-03-16T11:00:00+08:00");
    /* three call attempts on the 17th: the fourth waits for the next local
     * day; texts are no call attempts */
    three_calls_on_the_17th(&f, FU_CHANNEL_VIDEO);
    r = ask("A", FU_CHANNEL_PHONE, "2026-03-17T15:00:00+08:00");
    expect(&f, &r, "redial.attempts_per_day", "2026-03-18T08:00:00+08:00");
    r.channel = FU_CHANNEL_SMS;
    expect(&f, &r, NULL, NULL);
    gteardown(&f);
}

/* The built-in policy counts unanswered attempts toward its caps
 * (caps.limits.*.counts: attempts, the default): a redial is spaced by
 * redial.<outcome>.retry_after and still needs room under caps.weekly and
 * caps.per_order. A policy whose caps say `counts: reached` counts only the
 * contacts that reached the customer, and the redial is allowed once its
 * retry_after has passed (docs/guard.md, "Unanswered attempts and the caps"). */
Test(guard, unanswered_attempts_count_toward_the_built_in_caps) {
    gfx f;
    for (int reached = 0; reached < 2; reached++) {
        gsetup(&f,
               reached ? "caps:\n  limits:\n    weekly: {max: 3, per: 7d, counts: reached}\n"
                         "    per_order: {max: 1, per: 72h, scope: order, priorities: [normal, low], counts: reached}\n"
                       : NULL,
               NULL);
        /* one routine call about order O1 that reached nobody, then its redial */
        fu_contact_record c =
            fu_test_contact("A", T("2026-03-10T10:00:00+08:00"), FU_CHANNEL_PHONE, FU_GUARD_NO_ANSWER);
        c.order_id = "O1";
        cr_assert_eq(fu_guard_record(f.guard, &c, 1), FU_OK);
        fu_guard_request r = ask("A", FU_CHANNEL_PHONE, "2026-03-10T11:00:00+08:00");
        r.order_id = "O1";
        if (reached) { /* spaced by redial.no_answer.retry_after only */
            expect(&f, &r, "redial.retry_after", "2026-03-10T12:00:00+08:00");
        } else { /* the order's cap (1 in 72 h) counts the attempt */
            r.at = T("2026-03-10T12:00:00+08:00");
            expect(&f, &r, "caps.per_order", "2026-03-13T10:00:00+08:00");
        }
        /* three unanswered calls on Tue 17 March, each 2 business hours after the last */
        record(&f, "A", "2026-03-17T09:00:00+08:00", FU_CHANNEL_PHONE, FU_GUARD_NO_ANSWER, NULL);
        record(&f, "A", "2026-03-17T11:00:00+08:00", FU_CHANNEL_PHONE, FU_GUARD_NO_ANSWER, NULL);
        record(&f, "A", "2026-03-17T14:30:00+08:00", FU_CHANNEL_PHONE, FU_GUARD_NO_ANSWER, NULL);
        /* the next morning: the weekly cap (3 in 7 days) counts the three
         * attempts; counting reached contacts only, the call may go */
        r = ask("A", FU_CHANNEL_PHONE, "2026-03-18T08:00:00+08:00");
        if (reached) expect(&f, &r, NULL, NULL);
        else expect(&f, &r, "caps.weekly", "2026-03-24T09:00:00+08:00");
        gteardown(&f);
    }
}

/* The options override the policy's redial rules. */
Test(guard, options_override_the_policys_redial_rules) {
    fu_guard_options o = FU_GUARD_OPTIONS_INIT;
    o.retry_after = 3600;        /* one business hour for every outcome */
    o.max_attempts_per_day = -1; /* no daily limit */
    gfx f;
    gsetup(&f, REDIAL_POLICY, &o);
    const char *R = "cadences.delivery.first_contact";
    record(&f, "A", "2026-03-13T17:00:00+08:00", FU_CHANNEL_PHONE, FU_GUARD_BUSY, R);
    fu_guard_request r = ask("A", FU_CHANNEL_PHONE, "2026-03-13T17:30:00+08:00");
    r.rule = R;
    expect(&f, &r, "redial.retry_after", "2026-03-13T18:00:00+08:00");
    three_calls_on_the_17th(&f, FU_CHANNEL_PHONE);
    r = ask("A", FU_CHANNEL_PHONE, "2026-03-17T15:00:00+08:00");
    expect(&f, &r, NULL, NULL);
    gteardown(&f);
}

/* redial.attempts_per_touchpoint and redial.attempts_lifetime, as the
 * planner counts them: unanswered call attempts since the last answer. */
Test(guard, attempts_per_touchpoint_and_in_a_row_from_the_policy) {
    gfx f;
    gsetup(&f, REDIAL_POLICY, NULL);
    const char *R = "cadences.delivery.first_contact", *S = "cadences.survey.x";
    /* four unanswered attempts of R on four days: R stops, S may call */
    record(&f, "A", "2026-03-10T10:00:00+08:00", FU_CHANNEL_PHONE, FU_GUARD_NO_ANSWER, R);
    record(&f, "A", "2026-03-11T10:00:00+08:00", FU_CHANNEL_PHONE, FU_GUARD_BUSY, R);
    record(&f, "A", "2026-03-12T10:00:00+08:00", FU_CHANNEL_PHONE, FU_GUARD_VOICEMAIL, R);
    fu_guard_request r = ask("A", FU_CHANNEL_PHONE, "2026-03-13T10:00:00+08:00");
    r.rule = R;
    expect(&f, &r, NULL, NULL);
    record(&f, "A", "2026-03-13T10:00:00+08:00", FU_CHANNEL_PHONE, FU_GUARD_NO_ANSWER, R);
    r.at = T("2026-03-16T10:00:00+08:00");
    expect(&f, &r, "redial.attempts_per_touchpoint", NULL);
    r.rule = S;
    expect(&f, &r, NULL, NULL);
    /* two more unanswered (S): six in a row, every call stops */
    record(&f, "A", "2026-03-16T10:00:00+08:00", FU_CHANNEL_PHONE, FU_GUARD_NO_ANSWER, S);
    record(&f, "A", "2026-03-17T10:00:00+08:00", FU_CHANNEL_PHONE, FU_GUARD_NO_ANSWER, S);
    r.at = T("2026-03-18T10:00:00+08:00");
    r.rule = "cadences.other.y";
    expect(&f, &r, "redial.attempts_lifetime", NULL);
    r.channel = FU_CHANNEL_SMS; /* texts are no calls */
    expect(&f, &r, NULL, NULL);
    /* an answered text reaches the customer: the row starts again */
    record(&f, "A", "2026-03-18T10:00:00+08:00", FU_CHANNEL_SMS, FU_GUARD_ANSWERED, NULL);
    r.channel = FU_CHANNEL_PHONE;
    r.at = T("2026-03-19T10:00:00+08:00");
    expect(&f, &r, NULL, NULL);
    gteardown(&f);
}

Test(guard, wrong_number_refusal_and_callback) {
    gfx f;
    gsetup(&f, NULL, NULL);
    const char *R = "cadences.delivery.first_contact";
    /* a call-back asked for 15:00: before it no, at 15:00 yes despite the 24h gap */
    fu_contact_record c = fu_test_contact("A", T("2026-03-10T10:00:00+08:00"), FU_CHANNEL_PHONE, FU_GUARD_CALLBACK);
    c.rule = R;
    c.callback_at = T("2026-03-10T15:00:00+08:00");
    cr_assert_eq(fu_guard_record(f.guard, &c, 1), FU_OK);
    fu_guard_request r = ask("A", FU_CHANNEL_PHONE, "2026-03-10T12:00:00+08:00");
    r.rule = R;
    expect(&f, &r, "redial.callback", "2026-03-10T15:00:00+08:00");
    r.rule = "cadences.survey.x"; /* another touchpoint: the gap holds */
    r.at = T("2026-03-10T15:00:00+08:00");
    expect(&f, &r, "caps.min_gap", "2026-03-11T10:00:00+08:00");
    /* the customer refuses the call-back: this touchpoint never again */
    record(&f, "A", "2026-03-10T15:00:00+08:00", FU_CHANNEL_PHONE, FU_GUARD_REFUSED, R);
    r = ask("A", FU_CHANNEL_PHONE, "2026-03-20T10:00:00+08:00");
    r.rule = R;
    expect(&f, &r, "redial.refused", NULL);
    r.rule = NULL;
    expect(&f, &r, NULL, NULL);
    /* a wrong number stops calls and texts, not e-mail (B consents to e-mail) */
    record(&f, "B", "2026-03-10T10:00:00-04:00", FU_CHANNEL_PHONE, FU_GUARD_WRONG_NUMBER, NULL);
    r = ask("B", FU_CHANNEL_SMS, "2026-03-20T10:00:00-04:00");
    expect(&f, &r, "redial.wrong_number", NULL);
    r.channel = FU_CHANNEL_EMAIL;
    expect(&f, &r, NULL, NULL);
    /* until an answered call on a number channel shows the number is right */
    record(&f, "B", "2026-03-12T10:00:00-04:00", FU_CHANNEL_VIDEO, FU_GUARD_ANSWERED, NULL);
    r.channel = FU_CHANNEL_PHONE;
    expect(&f, &r, NULL, NULL);
    gteardown(&f);
}

Test(guard, unknown_customers_by_policy) {
    gfx f;
    gsetup(&f, NULL, NULL);
    fu_guard_request r = ask("nobody", FU_CHANNEL_PHONE, "2026-03-10T10:00:00+08:00");
    expect(&f, &r, "guard.unknown_customer", NULL);
    fu_contact_record c =
        fu_test_contact("nobody", T("2026-03-10T10:00:00+08:00"), FU_CHANNEL_PHONE, FU_GUARD_ANSWERED);
    cr_assert_eq(fu_guard_record(f.guard, &c, 1), FU_ENOTFOUND);
    cr_assert(strstr(fu_error_last()->message, "nobody"), "%s", fu_error_last()->message);
    size_t n = 9;
    cr_assert_eq(fu_contact_log_count(f.log, &n), FU_OK);
    cr_assert_eq(n, 0);
    gteardown(&f);

    fu_guard_options o = FU_GUARD_OPTIONS_INIT;
    o.unknown_customer = FU_GUARD_UNKNOWN_ALLOW;
    gsetup(&f, NULL, &o);
    /* on defaults: the default calendar's zone (Shanghai), its quiet hours and holidays */
    expect(&f, &r, NULL, NULL);
    r.at = T("2026-03-10T07:00:00+08:00");
    expect(&f, &r, "quiet_hours.allowed", "2026-03-10T08:00:00+08:00");
    cr_assert_eq(fu_guard_record(f.guard, &c, 1), FU_OK, "%s", fu_error_last()->message);
    r.at = T("2026-03-10T12:00:00+08:00");
    expect(&f, &r, "caps.min_gap", "2026-03-11T10:00:00+08:00");
    gteardown(&f);
}

/* A customer of the book checked before anything happened to them: every
 * event after the check (the first purchase) has not happened yet. The
 * facts are those at the instant asked about (no purchase yet: a new
 * customer, as the planner reads one) and the caps count the contacts that
 * exist; the check used to fail ("first purchase is after now"). */
Test(guard, a_customer_checked_before_the_first_purchase) {
    fu_policy *p = fu_test_policy(NULL);
    fu_book *b = NULL;
    cr_assert_eq(fu_book_new(&b, NULL), FU_OK);
    fu_customer c;
    fu_customer_init(&c);
    c.tz = "Asia/Shanghai";
    c.consent_phone = FU_TRI_YES;
    c.id = "P"; /* buys on 1 April */
    cr_assert_eq(fu_book_add_customer(b, &c, NULL), FU_OK);
    c.id = "N"; /* never bought anything */
    cr_assert_eq(fu_book_add_customer(b, &c, NULL), FU_OK);
    c.id = "F"; /* a first purchase recorded on the customer, after the check */
    c.first_purchase_at = T("2026-04-01T10:00:00+08:00");
    cr_assert_eq(fu_book_add_customer(b, &c, NULL), FU_OK);
    add_purchase(b, "P", "2026-04-01T10:00:00+08:00", "O9");
    fu_event_in e;
    fu_event_in_init(&e);
    e.customer_id = "P";
    e.at = T("2026-04-03T10:00:00+08:00");
    e.kind = FU_EVENT_COMPLAINT; /* later still: no suppression on 10 March */
    cr_assert_eq(fu_book_add_event(b, &e), FU_OK);
    cr_assert_eq(fu_book_finalize(b), FU_OK);
    gfx f = {p, b, NULL, NULL};
    cr_assert_eq(fu_contact_log_open(&f.log, NULL, NULL), FU_OK);
    cr_assert_eq(fu_guard_new(&f.guard, p, b, f.log, NULL), FU_OK, "%s", fu_error_last()->message);
    const char *who[] = {"P", "N", "F"};
    for (int i = 0; i < 3; i++) {
        fu_guard_request r = ask(who[i], FU_CHANNEL_PHONE, "2026-03-10T10:00:00+08:00");
        expect(&f, &r, NULL, NULL);
        /* two contacts in 72 h: no purchase yet is a new customer, whose caps
         * count the contacts logged: 2 in 72 h, and 2 routine ones in 30 days */
        record(&f, who[i], "2026-03-10T10:00:00+08:00", FU_CHANNEL_PHONE, FU_GUARD_ANSWERED, NULL);
        record(&f, who[i], "2026-03-11T10:00:00+08:00", FU_CHANNEL_PHONE, FU_GUARD_ANSWERED, NULL);
        r = ask(who[i], FU_CHANNEL_PHONE, "2026-03-12T10:00:00+08:00");
        expect(&f, &r, "caps.new_customer", "2026-04-09T10:00:00+08:00");
        r.priority = FU_PRIORITY_HIGH; /* caps.first_month counts normal and low only */
        expect(&f, &r, "caps.new_customer", "2026-03-13T10:00:00+08:00");
        /* the gap looks both ways, also before the first purchase */
        r = ask(who[i], FU_CHANNEL_SMS, "2026-03-09T15:00:00+08:00");
        r.priority = FU_PRIORITY_HIGH;
        expect(&f, &r, "caps.min_gap", "2026-03-13T10:00:00+08:00");
    }
    /* after the purchase: P is a new customer (first month: the two routine
     * contacts of March count until 9 April), then allowed */
    fu_guard_request r = ask("P", FU_CHANNEL_PHONE, "2026-04-01T15:00:00+08:00");
    expect(&f, &r, "caps.first_month", "2026-04-09T10:00:00+08:00");
    gteardown(&f);
}

Test(guard, the_policy_decides_about_unknown_customers) {
    gfx f;
    gsetup(&f, "guard:\n  unknown_customer: allow\n", NULL);
    fu_guard_request r = ask("nobody", FU_CHANNEL_PHONE, "2026-03-10T10:00:00+08:00");
    expect(&f, &r, NULL, NULL);
    gteardown(&f);
    fu_guard_options o = FU_GUARD_OPTIONS_INIT;
    o.unknown_customer = FU_GUARD_UNKNOWN_DENY; /* the caller overrides the policy */
    gsetup(&f, "guard:\n  unknown_customer: allow\n", &o);
    expect(&f, &r, "guard.unknown_customer", NULL);
    gteardown(&f);
    fu_policy *p = NULL;
    const char *bad = "guard:\n  unknown_customer: maybe\n";
    cr_assert_eq(fu_policy_load_string(&p, bad, strlen(bad), "site.yaml", NULL), FU_EPOLICY);
    cr_assert_str_eq(fu_error_last()->source, "site.yaml");
    cr_assert_eq(fu_error_last()->line, 2);
    cr_assert(strstr(fu_error_last()->message, "maybe"), "%s", fu_error_last()->message);
}

Test(guard, bad_requests_get_clear_errors) {
    gfx f;
    gsetup(&f, NULL, NULL);
    fu_guard_decision d;
    fu_guard_request r = ask("A", FU_CHANNEL_NONE, "2026-03-10T10:00:00+08:00");
    cr_assert_eq(fu_guard_check_request(f.guard, &r, &d), FU_EINVAL);
    cr_assert(strstr(fu_error_last()->message, "channel"));
    r.channel = (fu_channel)12;
    cr_assert_eq(fu_guard_check_request(f.guard, &r, &d), FU_EINVAL);
    r.channel = FU_CHANNEL_PHONE;
    r.priority = (fu_priority)9;
    cr_assert_eq(fu_guard_check_request(f.guard, &r, &d), FU_EINVAL);
    cr_assert(strstr(fu_error_last()->message, "priority"));
    r.priority = FU_PRIORITY_NORMAL;
    r.at = INT64_C(900000000000);
    cr_assert_eq(fu_guard_check_request(f.guard, &r, &d), FU_ERANGE);
    r.version = 99;
    cr_assert_eq(fu_guard_check_request(f.guard, &r, &d), FU_EINVAL);
    cr_assert_eq(fu_guard_check(f.guard, NULL, FU_CHANNEL_PHONE, 0, &d), FU_EINVAL);
    /* a batch with one bad record writes nothing and counts nothing */
    fu_contact_record c[2] = {fu_test_contact("A", T("2026-03-10T10:00:00+08:00"), FU_CHANNEL_PHONE, FU_GUARD_ANSWERED),
                              fu_test_contact("A", T("2026-03-10T11:00:00+08:00"), FU_CHANNEL_PHONE,
                                              (fu_guard_outcome)77)};
    cr_assert_eq(fu_guard_record(f.guard, c, 2), FU_EINVAL);
    cr_assert(strstr(fu_error_last()->message, "record 1") && strstr(fu_error_last()->message, "outcome"), "%s",
              fu_error_last()->message);
    r = ask("A", FU_CHANNEL_PHONE, "2026-03-10T15:00:00+08:00");
    expect(&f, &r, NULL, NULL);
    gteardown(&f);
}

Test(guard, a_new_guard_reads_the_log_and_refresh_sees_other_writers) {
    const char *path = file_in_new_dir("log.db");
    gfx f;
    gsetup(&f, NULL, NULL);
    fu_contact_log *l1 = NULL, *l2 = NULL;
    cr_assert_eq(fu_contact_log_open(&l1, path, NULL), FU_OK);
    cr_assert_eq(fu_contact_log_open(&l2, path, NULL), FU_OK);
    fu_guard *g1 = NULL, *g2 = NULL;
    cr_assert_eq(fu_guard_new(&g1, f.policy, f.book, l1, NULL), FU_OK);
    cr_assert_eq(fu_guard_new(&g2, f.policy, f.book, l2, NULL), FU_OK);
    fu_contact_record c = fu_test_contact("A", T("2026-03-10T10:00:00+08:00"), FU_CHANNEL_PHONE, FU_GUARD_ANSWERED);
    cr_assert_eq(fu_guard_record(g1, &c, 1), FU_OK);
    fu_guard_decision d;
    int64_t at = T("2026-03-10T15:00:00+08:00");
    cr_assert_eq(fu_guard_check(g2, "A", FU_CHANNEL_PHONE, at, &d), FU_OK);
    cr_assert_eq(d.allowed, 1, "g2 has not read the log yet");
    cr_assert_eq(fu_guard_refresh(g2), FU_OK);
    cr_assert_eq(fu_guard_check(g2, "A", FU_CHANNEL_PHONE, at, &d), FU_OK);
    cr_assert_str_eq(d.rule, "caps.min_gap");
    /* g1 does not count its own record twice after a refresh */
    cr_assert_eq(fu_guard_refresh(g1), FU_OK);
    cr_assert_eq(fu_guard_check(g1, "A", FU_CHANNEL_PHONE, T("2026-03-11T10:00:00+08:00"), &d), FU_OK);
    cr_assert_eq(d.allowed, 1, "%s", d.reason);
    fu_guard_free(g1);
    fu_guard_free(g2);
    fu_contact_log_close(l2);
    /* a new guard reads everything */
    cr_assert_eq(fu_guard_new(&g1, f.policy, f.book, l1, NULL), FU_OK);
    cr_assert_eq(fu_guard_check(g1, "A", FU_CHANNEL_PHONE, at, &d), FU_OK);
    cr_assert_str_eq(d.rule, "caps.min_gap");
    fu_guard_free(g1);
    fu_contact_log_close(l1);
    gteardown(&f);
    remove_dir();
}

/* ------------------------------------------------------------------ property */

static uint64_t rng_state;
static unsigned rnd(unsigned n) {
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (unsigned)((rng_state >> 33) % n);
}

/* A random book: customers in three zones with random consents, windows and
 * tenure; purchases, deliveries, faults, complaints, inquiries and contacts
 * with random outcomes in the 90 days before `now`. */
static fu_book *random_book_redial(uint64_t seed, int ncust, int64_t now, int redial);
static fu_book *random_book(uint64_t seed, int ncust, int64_t now) { return random_book_redial(seed, ncust, now, 0); }

/* With `redial`, each customer also has up to 7 call attempts in the 3 days
 * before `now` with every outcome (no answer, busy, voicemail, refused,
 * wrong number, call-back requested, answered). */
static fu_book *random_book_redial(uint64_t seed, int ncust, int64_t now, int redial) {
    static const char *const zones[] = {"Asia/Shanghai", "America/New_York", "Europe/London"};
    static const char *const dnd[] = {NULL, "Mon-Fri 12:00-14:00", "Sat-Sun 08:00-12:00"};
    static const fu_event_kind kinds[] = {FU_EVENT_PURCHASE, FU_EVENT_DELIVERY, FU_EVENT_FAULT, FU_EVENT_COMPLAINT,
                                          FU_EVENT_INQUIRY, FU_EVENT_CONTACT, FU_EVENT_REPAIR, FU_EVENT_INSTALLATION};
    static const fu_tristate tri[] = {FU_TRI_YES, FU_TRI_YES, FU_TRI_UNKNOWN, FU_TRI_NO};
    rng_state = seed;
    fu_book *b = NULL;
    cr_assert_eq(fu_book_new(&b, NULL), FU_OK);
    char id[32], order[32];
    for (int i = 0; i < ncust; i++) {
        fu_customer c;
        fu_customer_init(&c);
        snprintf(id, sizeof id, "C%d", i);
        c.id = id;
        c.tz = zones[rnd(3)];
        c.annual_spend = rnd(4) ? (double)rnd(200000) : NAN;
        c.first_purchase_at = now - (int64_t)rnd(1500) * D;
        c.consent_phone = tri[rnd(4)];
        c.consent_sms = tri[rnd(4)];
        c.consent_email = tri[rnd(4)];
        c.dnd_windows = dnd[rnd(3)];
        c.is_smb = rnd(5) == 0 ? FU_TRI_YES : FU_TRI_NO;
        cr_assert_eq(fu_book_add_customer(b, &c, NULL), FU_OK, "%s", fu_error_last()->message);
        int nev = (int)rnd(12);
        for (int k = 0; k < nev; k++) {
            fu_event_in e;
            fu_event_in_init(&e);
            e.customer_id = id;
            e.at = now - (int64_t)rnd(90 * 24) * H - (int64_t)rnd(3600);
            e.kind = kinds[rnd(8)];
            snprintf(order, sizeof order, "O%d_%u", i, rnd(3));
            e.order_id = order;
            if (e.kind == FU_EVENT_PURCHASE) e.amount = 50 + rnd(5000);
            if (e.kind == FU_EVENT_FAULT) e.severity = rnd(2) ? FU_SEVERITY_URGENT : FU_SEVERITY_NORMAL;
            if (e.kind == FU_EVENT_CONTACT) {
                e.channel = (fu_channel)(1 + rnd(3));
                e.outcome = (fu_outcome)rnd(5);
                if (rnd(2)) e.order_id = NULL;
            }
            cr_assert_eq(fu_book_add_event(b, &e), FU_OK, "%s", fu_error_last()->message);
        }
        static const fu_outcome tries[] = {FU_OUTCOME_NO_ANSWER,    FU_OUTCOME_BUSY,    FU_OUTCOME_VOICEMAIL,
                                           FU_OUTCOME_REFUSED,      FU_OUTCOME_NO_ANSWER, FU_OUTCOME_WRONG_NUMBER,
                                           FU_OUTCOME_CALLBACK_REQUESTED, FU_OUTCOME_ANSWERED};
        int ntry = redial ? (int)rnd(8) : 0;
        for (int k = 0; k < ntry; k++) {
            fu_event_in e;
            fu_event_in_init(&e);
            e.customer_id = id;
            e.at = now - (int64_t)rnd(72) * H - (int64_t)rnd(3600);
            e.kind = FU_EVENT_CONTACT;
            e.channel = rnd(5) ? FU_CHANNEL_PHONE : FU_CHANNEL_VIDEO;
            e.outcome = tries[rnd(8)];
            cr_assert_eq(fu_book_add_event(b, &e), FU_OK, "%s", fu_error_last()->message);
        }
    }
    cr_assert_eq(fu_book_finalize(b), FU_OK);
    return b;
}

static fu_guard_request tp_request(const fu_touchpoint *tp, char *rule, size_t rule_size) {
    fu_guard_request r = FU_GUARD_REQUEST_INIT;
    r.customer_id = tp->customer_id;
    r.channel = tp->channel;
    r.at = tp->best_at;
    r.priority = tp->priority;
    snprintf(rule, rule_size, "%s", tp->rule);
    char *semi = strchr(rule, ';'); /* merged purposes: the first cadence's rule */
    if (semi) *semi = 0;
    r.rule = rule;
    r.order_id = tp->order_id;
    return r;
}

/* A week's plan of b from now and a guard over the same book (no log). */
typedef struct plan_guard {
    fu_planner *pl;
    fu_plan *plan;
    fu_guard *g;
    const fu_touchpoint *tp; /* the planned touchpoints */
    size_t n;
} plan_guard;

/* The planner does not hold the business calendar of B2B customers (it
 * places their contacts by the best-time model when one is on, else at the
 * first allowed instant): a planned contact of a business customer outside
 * its business hours is told to wait by the guard (calendars.hours,
 * docs/guard.md). Such a denial must be that rule alone: a guard whose
 * calendar is open all day allows the contact at its best_at. */
static void b2b_wait_check(const fu_policy *p, fu_book *b, const fu_guard_request *r, const fu_guard_decision *d,
                           uint64_t seed) {
    fu_policy *open_all_day = fu_test_policy("calendars:\n  cn:\n    hours:\n"
                                      "      mon: [\"00:00-24:00\"]\n      tue: [\"00:00-24:00\"]\n"
                                      "      wed: [\"00:00-24:00\"]\n      thu: [\"00:00-24:00\"]\n"
                                      "      fri: [\"00:00-24:00\"]\n      sat: [\"00:00-24:00\"]\n"
                                      "      sun: [\"00:00-24:00\"]\n");
    (void)p;
    size_t ci;
    cr_assert_eq(fu_book_find_customer(b, r->customer_id, strlen(r->customer_id), &ci), FU_OK);
    const fu_customer *c = fu_book_customer(b, ci);
    cr_assert(c->is_smb == FU_TRI_YES || (c->industry && *c->industry), "seed %llu: %s is not B2B: %s",
              (unsigned long long)seed, r->customer_id, d->reason);
    cr_assert_neq(r->priority, FU_PRIORITY_URGENT);
    fu_guard *g = NULL;
    cr_assert_eq(fu_guard_new(&g, open_all_day, b, NULL, NULL), FU_OK);
    fu_guard_decision d2;
    cr_assert_eq(fu_guard_check_request(g, r, &d2), FU_OK);
    cr_assert_eq(d2.allowed, 1, "seed %llu: %s: %s", (unsigned long long)seed, r->customer_id, d2.reason);
    fu_guard_free(g);
    fu_policy_free(open_all_day);
}

/* Make x and check that the guard allows every planned contact at its
 * best_at (B2B customers: see b2b_wait_check); returns how many were
 * checked, and in *b2b_waits how many business customers were told to wait. */
static size_t plan_guard_check(plan_guard *x, const fu_policy *p, fu_book *b, int64_t now, uint64_t seed,
                               size_t *b2b_waits) {
    memset(x, 0, sizeof *x);
    cr_assert_eq(fu_planner_new(&x->pl, p, b, NULL), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(fu_planner_plan(x->pl, now, 7 * D, &x->plan), FU_OK);
    cr_assert_eq(fu_guard_new(&x->g, p, b, NULL, NULL), FU_OK);
    x->tp = fu_plan_touchpoints(x->plan, FU_TOUCHPOINT_PLANNED, &x->n);
    const fu_touchpoint *tp = x->tp;
    for (size_t i = 0; i < x->n; i++) {
        char rule[256];
        fu_guard_request r = tp_request(&tp[i], rule, sizeof rule);
        fu_guard_decision d;
        cr_assert_eq(fu_guard_check_request(x->g, &r, &d), FU_OK, "%s", fu_error_last()->message);
        if (!d.allowed && strcmp(d.rule, "calendars.hours") == 0) {
            b2b_wait_check(p, b, &r, &d, seed);
            ++*b2b_waits;
            continue;
        }
        cr_assert_eq(d.allowed, 1, "seed %llu: %s %s at %lld (%s, %s): %s", (unsigned long long)seed,
                     tp[i].customer_id, fu_channel_name(tp[i].channel), (long long)tp[i].best_at, tp[i].rule,
                     fu_priority_name(tp[i].priority), d.reason);
    }
    return x->n;
}

static void plan_guard_free(plan_guard *x) {
    fu_guard_free(x->g);
    fu_plan_free(x->plan);
    fu_planner_free(x->pl);
}

Test(guard, every_planned_contact_passes_the_guard_at_its_best_at) {
    fu_policy *p = NULL;
    cr_assert_eq(fu_policy_default(&p), FU_OK);
    size_t checked = 0, b2b_waits = 0;
    for (uint64_t seed = 1; seed <= 40; seed++) {
        int64_t now = T("2026-03-09T23:00:00Z") + (int64_t)seed * 7 * H;
        fu_book *b = random_book(seed, 80, now);
        plan_guard x;
        checked += plan_guard_check(&x, p, b, now, seed, &b2b_waits);
        plan_guard_free(&x);
        fu_book_free(b);
    }
    cr_assert_gt(checked, 100, "only %zu planned contacts checked", checked);
    /* the planner holds a business customer's hours too: the guard tells
     * no planned contact to wait for them */
    cr_assert_eq(b2b_waits, 0, "%zu of %zu planned contacts wait for business hours", b2b_waits, checked);
    fu_policy_free(p);
}

/* Books with redial history: every planned contact passes the guard at its
 * best_at; and where the guard denies a call by a redial rule of the
 * customer (wrong number, attempts per day, in a row), the planner plans no
 * call of that customer at that instant. */
Test(guard, planner_and_guard_agree_over_redial_history) {
    fu_policy *p = NULL;
    cr_assert_eq(fu_policy_default(&p), FU_OK);
    size_t checked = 0, denied = 0, b2b_waits = 0;
    for (uint64_t seed = 101; seed <= 130; seed++) {
        int64_t now = T("2026-03-09T23:00:00Z") + (int64_t)seed * 5 * H;
        fu_book *b = random_book_redial(seed, 60, now, 1);
        plan_guard x;
        checked += plan_guard_check(&x, p, b, now, seed, &b2b_waits);
        /* the customer's redial rules, asked at every planned instant of a
         * call and every 3 hours of the horizon */
        for (size_t ci = 0; ci < fu_book_customer_count(b); ci++) {
            const char *id = fu_book_customer(b, ci)->id;
            for (int64_t t = now; t < now + 7 * D; t += 3 * H) {
                fu_guard_request r = FU_GUARD_REQUEST_INIT;
                r.customer_id = id;
                r.channel = FU_CHANNEL_PHONE;
                r.at = t;
                fu_guard_decision d;
                cr_assert_eq(fu_guard_check_request(x.g, &r, &d), FU_OK, "%s", fu_error_last()->message);
                if (d.allowed || (strcmp(d.rule, "redial.wrong_number") != 0 &&
                                  strcmp(d.rule, "redial.attempts_per_day") != 0 &&
                                  strcmp(d.rule, "redial.attempts_lifetime") != 0))
                    continue; /* not a rule of the customer (a touchpoint's, or no redial rule) */
                denied++;
                /* the denial holds until next_allowed; no call is planned in it
                 * (a final denial: none from t on) */
                for (size_t i = 0; i < x.n; i++)
                    if (strcmp(x.tp[i].customer_id, id) == 0 &&
                        (x.tp[i].channel == FU_CHANNEL_PHONE || x.tp[i].channel == FU_CHANNEL_VIDEO))
                        cr_assert(x.tp[i].best_at < t || x.tp[i].best_at >= d.next_allowed,
                                  "seed %llu: %s denied at %lld by %s until %lld, planned %s at %lld",
                                  (unsigned long long)seed, id, (long long)t, d.rule, (long long)d.next_allowed,
                                  x.tp[i].rule, (long long)x.tp[i].best_at);
            }
        }
        plan_guard_free(&x);
        fu_book_free(b);
    }
    cr_assert_gt(checked, 100, "only %zu planned contacts checked", checked);
    cr_assert_gt(denied, 50, "only %zu redial denials checked", denied);
    cr_assert_lt(b2b_waits * 4, checked, "%zu of %zu planned contacts wait for business hours", b2b_waits, checked);
    fu_policy_free(p);
}

/* A contact the guard allows and that is then recorded is counted by the
 * next plan (built from the book plus the log) and by the next check. */
Test(guard, a_recorded_contact_counts_in_the_next_plan_and_check) {
    fu_policy *p = NULL;
    cr_assert_eq(fu_policy_default(&p), FU_OK);
    size_t checked = 0;
    for (uint64_t seed = 21; seed <= 28; seed++) {
        int64_t now = T("2026-03-10T02:00:00Z");
        fu_book *b = random_book(seed, 40, now);
        fu_contact_log *log = NULL;
        cr_assert_eq(fu_contact_log_open(&log, NULL, NULL), FU_OK);
        fu_guard *g = NULL;
        cr_assert_eq(fu_guard_new(&g, p, b, log, NULL), FU_OK);
        fu_planner *pl = NULL;
        cr_assert_eq(fu_planner_new(&pl, p, b, NULL), FU_OK);
        fu_plan *plan = NULL;
        cr_assert_eq(fu_planner_plan(pl, now, 2 * D, &plan), FU_OK);
        size_t n = 0;
        const fu_touchpoint *tp = fu_plan_touchpoints(plan, FU_TOUCHPOINT_PLANNED, &n);
        /* make every planned routine contact that the guard allows, as planned */
        char made[64][16];
        int64_t made_at[64];
        size_t nmade = 0;
        for (size_t i = 0; i < n && nmade < 64; i++) {
            if (tp[i].priority == FU_PRIORITY_URGENT) continue;
            char rule[256];
            fu_guard_request r = tp_request(&tp[i], rule, sizeof rule);
            fu_guard_decision d;
            cr_assert_eq(fu_guard_check_request(g, &r, &d), FU_OK);
            if (!d.allowed) continue; /* an earlier contact of this customer in this loop */
            fu_contact_record c = fu_test_contact(tp[i].customer_id, tp[i].best_at, tp[i].channel, FU_GUARD_ANSWERED);
            c.rule = rule;
            c.priority = tp[i].priority;
            cr_assert_eq(fu_guard_record(g, &c, 1), FU_OK);
            /* the next check an hour later is held back by the min gap */
            r.at += H;
            r.rule = NULL;
            cr_assert_eq(fu_guard_check_request(g, &r, &d), FU_OK);
            cr_assert_eq(d.allowed, 0, "seed %llu: %s", (unsigned long long)seed, tp[i].customer_id);
            snprintf(made[nmade], sizeof made[0], "%s", tp[i].customer_id);
            made_at[nmade++] = tp[i].best_at;
        }
        /* the next plan, from the book plus the log, after the contacts */
        fu_book *b2 = random_book(seed, 40, now);
        cr_assert_eq(fu_contact_log_load_book(log, b2), FU_OK, "%s", fu_error_last()->message);
        fu_planner *pl2 = NULL;
        cr_assert_eq(fu_planner_new(&pl2, p, b2, NULL), FU_OK);
        int64_t later = now + 2 * D;
        fu_plan *plan2 = NULL;
        cr_assert_eq(fu_planner_plan(pl2, later, 2 * D, &plan2), FU_OK);
        const fu_touchpoint *tp2 = fu_plan_touchpoints(plan2, FU_TOUCHPOINT_PLANNED, &n);
        for (size_t i = 0; i < n; i++) {
            if (tp2[i].priority == FU_PRIORITY_URGENT) continue;
            for (size_t k = 0; k < nmade; k++)
                if (strcmp(made[k], tp2[i].customer_id) == 0)
                    cr_assert_geq(tp2[i].best_at, made_at[k] + 24 * H, "seed %llu: %s planned %lld after %lld",
                                  (unsigned long long)seed, made[k], (long long)tp2[i].best_at,
                                  (long long)made_at[k]);
            checked++;
        }
        fu_plan_free(plan2);
        fu_planner_free(pl2);
        fu_book_free(b2);
        fu_plan_free(plan);
        fu_planner_free(pl);
        fu_guard_free(g);
        fu_contact_log_close(log);
        fu_book_free(b);
    }
    cr_assert_gt(checked, 20, "only %zu next-plan contacts checked", checked);
    fu_policy_free(p);
}

/* Records loaded into a book keep their outcome (review s8 F18: busy and
 * wrong_number became no_answer, callback_requested answered): a planner
 * over the loaded book plans no contact on a number channel of a customer
 * whose number was wrong, as the guard denies it; a call-back keeps its
 * requested time in the note, where the planner's redial rule reads it. */
Test(guard_log, loaded_outcomes_keep_their_names_and_the_planner_agrees) {
    fu_policy *p = NULL;
    cr_assert_eq(fu_policy_default(&p), FU_OK);
    size_t silenced = 0;
    for (uint64_t seed = 201; seed <= 210; seed++) {
        int64_t now = T("2026-03-09T23:00:00Z") + (int64_t)seed * 5 * H;
        fu_book *b = random_book(seed, 40, now);
        fu_contact_log *log = NULL;
        cr_assert_eq(fu_contact_log_open(&log, NULL, NULL), FU_OK);
        size_t nc = fu_book_customer_count(b);
        for (size_t ci = 0; ci < nc; ci++) {
            fu_guard_outcome o = ci % 3 == 0 ? FU_GUARD_WRONG_NUMBER : ci % 3 == 1 ? FU_GUARD_BUSY : FU_GUARD_CALLBACK;
            fu_contact_record r = fu_test_contact(fu_book_customer(b, ci)->id, now - H, FU_CHANNEL_PHONE, o);
            if (o == FU_GUARD_CALLBACK) r.callback_at = now + 26 * H;
            cr_assert_eq(fu_contact_log_append(log, &r, 1, NULL), FU_OK, "%s", fu_error_last()->message);
        }
        cr_assert_eq(fu_contact_log_load_book(log, b), FU_OK, "%s", fu_error_last()->message);
        for (size_t ci = 0; ci < nc; ci++) {
            const fu_event *ev = NULL;
            size_t n = 0;
            cr_assert_eq(fu_book_customer_events(b, ci, &ev, &n), FU_OK);
            const fu_event *e = NULL;
            for (size_t i = 0; i < n; i++)
                if (ev[i].at == now - H && ev[i].kind == FU_EVENT_CONTACT) e = &ev[i];
            cr_assert(e, "seed %llu: customer %zu has no loaded contact", (unsigned long long)seed, ci);
            static const fu_outcome want[3] = {FU_OUTCOME_WRONG_NUMBER, FU_OUTCOME_BUSY,
                                               FU_OUTCOME_CALLBACK_REQUESTED};
            cr_assert_eq(e->outcome, want[ci % 3], "customer %zu: outcome %d", ci, (int)e->outcome);
            if (ci % 3 == 2) {
                int64_t asked = 0;
                const char *note = fu_book_string(b, e->note);
                cr_assert_eq(fu_time_parse(note, strlen(note), &asked), FU_OK, "note '%s'", note);
                cr_assert_eq(asked, now + 26 * H);
            } else {
                cr_assert_str_eq(fu_book_string(b, e->note), ci % 3 ? "guard:busy" : "guard:wrong_number");
            }
        }
        fu_planner *pl = NULL;
        fu_plan *plan = NULL;
        cr_assert_eq(fu_planner_new(&pl, p, b, NULL), FU_OK, "%s", fu_error_last()->message);
        cr_assert_eq(fu_planner_plan(pl, now, 7 * D, &plan), FU_OK);
        size_t n = 0;
        const fu_touchpoint *tp = fu_plan_touchpoints(plan, FU_TOUCHPOINT_PLANNED, &n);
        for (size_t i = 0; i < n; i++) {
            size_t ci = 0;
            while (ci < nc && strcmp(fu_book_customer(b, ci)->id, tp[i].customer_id) != 0) ci++;
            if (ci % 3 != 0 || tp[i].priority == FU_PRIORITY_URGENT) continue;
            cr_assert(tp[i].channel != FU_CHANNEL_PHONE && tp[i].channel != FU_CHANNEL_SMS &&
                          tp[i].channel != FU_CHANNEL_VIDEO,
                      "seed %llu: %s's number was wrong, yet %s is planned on %s", (unsigned long long)seed,
                      tp[i].customer_id, tp[i].rule, fu_channel_name(tp[i].channel));
        }
        const fu_touchpoint *sp = fu_plan_touchpoints(plan, FU_TOUCHPOINT_SUPPRESSED, &n);
        for (size_t i = 0; i < n; i++)
            silenced += sp[i].status_rule && strcmp(sp[i].status_rule, "redial.wrong_number") == 0;
        fu_plan_free(plan);
        fu_planner_free(pl);
        fu_contact_log_close(log);
        fu_book_free(b);
    }
    cr_assert_gt(silenced, 20, "only %zu suppressed touchpoints: the wrong numbers stopped nothing", silenced);
    fu_policy_free(p);
}

/* ------------------------------------------------------------------ models */

static void write_text(const char *path, const char *text) {
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

Test(guard_models, record_updates_the_best_time_model_and_it_saves_and_loads) {
    make_dir();
    gfx f;
    gsetup(&f, NULL, NULL);
    fu_besttime *m = NULL;
    cr_assert_eq(fu_besttime_new(&m, f.policy, f.book, NULL, 0, NULL), FU_OK, "%s", fu_error_last()->message);
    fu_guard_options o = FU_GUARD_OPTIONS_INIT;
    o.besttime = m;
    fu_guard *g = NULL;
    cr_assert_eq(fu_guard_new(&g, f.policy, f.book, NULL, &o), FU_OK);
    int64_t at = T("2026-03-10T10:00:00+08:00");
    int slot;
    fu_calendar *cal = NULL;
    cr_assert_eq(fu_calendar_new(&cal, "Asia/Shanghai"), FU_OK);
    slot = fu_besttime_slot_of_hour(m, fu_calendar_hour_of_week(cal, at));
    fu_calendar_free(cal);
    fu_besttime_estimate before, after;
    cr_assert_eq(fu_besttime_posterior(m, 0, slot, at, 0, &before), FU_OK);
    fu_contact_record c[2] = {fu_test_contact("A", at, FU_CHANNEL_PHONE, FU_GUARD_ANSWERED),
                              fu_test_contact("A", at + 7 * D, FU_CHANNEL_PHONE, FU_GUARD_BUSY)};
    cr_assert_eq(fu_guard_record(g, c, 2), FU_OK);
    cr_assert_eq(fu_besttime_posterior(m, 0, slot, at + 7 * D, 0, &after), FU_OK);
    cr_assert_gt(after.trials, before.trials + 1.5, "two outcomes counted: %g -> %g", before.trials, after.trials);
    cr_assert_gt(after.successes, before.successes + 0.5);

    char path[300];
    snprintf(path, sizeof path, "%s/bt.model", dir);
    cr_assert_eq(fu_besttime_save(m, path), FU_OK, "%s", fu_error_last()->message);
    fu_besttime *m2 = NULL;
    cr_assert_eq(fu_besttime_new(&m2, f.policy, f.book, NULL, 0, NULL), FU_OK);
    cr_assert_eq(fu_besttime_load(m2, path), FU_OK, "%s", fu_error_last()->message);
    for (int k = 0; k < fu_besttime_slot_count(m); k++) {
        fu_besttime_estimate x, y;
        cr_assert_eq(fu_besttime_posterior(m, 0, k, at + 8 * D, 0, &x), FU_OK);
        cr_assert_eq(fu_besttime_posterior(m2, 0, k, at + 8 * D, 0, &y), FU_OK);
        cr_assert(x.alpha == y.alpha && x.beta == y.beta && x.trials == y.trials, "slot %d: exact", k);
    }
    /* a newer format, a corrupt file, a file of another kind */
    size_t len = 0;
    char *text = fu_test_read_file(path, &len);
    cr_assert_not_null(text);
    char *bad = malloc(len + 1);
    memcpy(bad, text, len + 1);
    bad[strlen("followup-model besttime ")] = '9';
    write_text(path, bad);
    cr_assert_eq(fu_besttime_load(m2, path), FU_EPARSE);
    cr_assert(strstr(fu_error_last()->message, "newer"), "%s", fu_error_last()->message);
    memcpy(bad, text, len + 1);
    char *digit = strstr(bad, "customer 0 ");
    cr_assert_not_null(digit);
    digit[strlen("customer 0 ") + 1] = digit[strlen("customer 0 ") + 1] == '1' ? '2' : '1';
    write_text(path, bad);
    cr_assert_eq(fu_besttime_load(m2, path), FU_EPARSE);
    cr_assert(strstr(fu_error_last()->message, "checksum"), "%s", fu_error_last()->message);
    cr_assert_str_eq(fu_error_last()->source, path);
    bad[strlen(bad) / 2] = 0; /* truncated */
    write_text(path, bad);
    cr_assert_eq(fu_besttime_load(m2, path), FU_EPARSE);
    fu_model_params mp;
    memset(&mp, 0, sizeof mp);
    write_text(path, text);
    cr_assert_eq(fu_model_params_load(&mp, path), FU_EPARSE);
    cr_assert(strstr(fu_error_last()->message, "besttime"), "%s", fu_error_last()->message);
    free(bad);
    free(text);
    fu_besttime_free(m2);
    fu_guard_free(g);
    fu_besttime_free(m);
    gteardown(&f);
    remove_dir();
}

Test(guard_models, customer_base_models_round_trip_exactly) {
    const char *path = file_in_new_dir("cb.model");
    fu_model_params m;
    memset(&m, 0, sizeof m);
    m.has_bgnbd = 1;
    m.bgnbd = (fu_segment_bgnbd){0.2425945, 4.4136, 0.792919, 2.425917};
    m.has_gammagamma = 1;
    m.gammagamma = (fu_segment_gammagamma){6.25, 3.74, 15.44};
    cr_assert_eq(fu_model_params_save(&m, path), FU_OK);
    fu_model_params back;
    cr_assert_eq(fu_model_params_load(&back, path), FU_OK, "%s", fu_error_last()->message);
    cr_assert(back.has_bgnbd && !back.has_pareto && back.has_gammagamma);
    cr_assert(memcmp(&back.bgnbd, &m.bgnbd, sizeof m.bgnbd) == 0);
    cr_assert(memcmp(&back.gammagamma, &m.gammagamma, sizeof m.gammagamma) == 0);
    write_text(path, "followup-model customer-base 2\nbgnbd 0x1p+0 0x1p+0 0x1p+0 0x1p+0\nchecksum 0\n");
    cr_assert_eq(fu_model_params_load(&back, path), FU_EPARSE);
    cr_assert(strstr(fu_error_last()->message, "newer"), "%s", fu_error_last()->message);
    write_text(path, "a,b,c\n1,2,3\n");
    cr_assert_eq(fu_model_params_load(&back, path), FU_EPARSE);
    cr_assert(strstr(fu_error_last()->message, "not a libfollowup model file"), "%s", fu_error_last()->message);
    char missing[300];
    snprintf(missing, sizeof missing, "%s/missing.model", dir);
    cr_assert_eq(fu_model_params_load(&back, missing), FU_ENOTFOUND);
    remove_dir();
}

/* ------------------------------------------------------------------ out of memory */

static int oom_op(void *ctx) {
    (void)ctx;
    fu_policy *p = NULL;
    fu_book *b = NULL;
    fu_contact_log *log = NULL;
    fu_guard *g = NULL;
    int rc = fu_policy_default(&p);
    if (!rc) rc = fu_book_new(&b, NULL);
    fu_customer c;
    fu_customer_init(&c);
    c.id = "A";
    c.tz = "Asia/Shanghai";
    if (!rc) rc = fu_book_add_customer(b, &c, NULL);
    if (!rc) rc = fu_book_finalize(b);
    if (!rc) rc = fu_contact_log_open(&log, NULL, NULL);
    fu_contact_record r[3] = {fu_test_contact("A", 1773108000, FU_CHANNEL_PHONE, FU_GUARD_NO_ANSWER),
                              fu_test_contact("Z", 1773108000, FU_CHANNEL_PHONE, FU_GUARD_ANSWERED),
                              fu_test_contact("A", 1773194400, FU_CHANNEL_SMS, FU_GUARD_ANSWERED)};
    r[0].rule = "cadences.delivery.first_contact";
    r[0].order_id = "O1";
    if (!rc) rc = fu_contact_log_append(log, r, 2, NULL);
    fu_guard_options o = FU_GUARD_OPTIONS_INIT;
    o.unknown_customer = FU_GUARD_UNKNOWN_ALLOW;
    if (!rc) rc = fu_guard_new(&g, p, b, log, &o);
    if (!rc) rc = fu_guard_record(g, &r[2], 1);
    fu_guard_request q = FU_GUARD_REQUEST_INIT;
    q.customer_id = "A";
    q.channel = FU_CHANNEL_PHONE;
    q.at = 1773108000 + 3600;
    q.rule = "cadences.delivery.first_contact";
    fu_guard_decision d;
    if (!rc) rc = fu_guard_check_request(g, &q, &d);
    q.customer_id = "Z";
    if (!rc) rc = fu_guard_check_request(g, &q, &d);
    if (!rc && d.allowed) rc = FU_ERROR; /* the min gap after Z's logged call */
    fu_guard_free(g);
    fu_contact_log_close(log);
    fu_book_free(b);
    fu_policy_free(p);
    return rc;
}

Test(guard, out_of_memory_anywhere_is_enomem_without_leaks) {
    fu_test_oom_at_least("guard", oom_op, NULL, 20000, 101);
}

/* One year rule, the documented one: years 1..9999 for checks as for records
 * (checks used to stop at 9998-12-31 minus 400 days). */
Test(guard, checks_at_both_ends_of_the_years) {
    gfx f;
    gsetup(&f, NULL, NULL);
    fu_guard_request r = ask("A", FU_CHANNEL_PHONE, "9999-12-31T10:00:00+08:00");
    expect(&f, &r, NULL, NULL);
    r = ask("A", FU_CHANNEL_PHONE, "9998-12-31T10:00:00+08:00");
    expect(&f, &r, NULL, NULL);
    /* after 21:00 on the last day: the next morning is in year 10000 */
    r = ask("A", FU_CHANNEL_PHONE, "9999-12-31T22:00:00+08:00");
    expect(&f, &r, "quiet_hours.allowed", NULL);
    fu_guard_decision d;
    r.at = INT64_C(253402300799); /* 9999-12-31T23:59:59Z */
    cr_assert_eq(fu_guard_check_request(f.guard, &r, &d), FU_OK, "%s", fu_error_last()->message);
    r.at = INT64_C(253402300800);
    cr_assert_eq(fu_guard_check_request(f.guard, &r, &d), FU_ERANGE);
    cr_assert(strstr(fu_error_last()->message, "1..9999"), "%s", fu_error_last()->message);
    /* a record on the last day counts for a check on the last day */
    record(&f, "A", "9999-12-31T10:00:00+08:00", FU_CHANNEL_PHONE, FU_GUARD_ANSWERED, NULL);
    r = ask("A", FU_CHANNEL_SMS, "9999-12-31T15:00:00+08:00");
    expect(&f, &r, "caps.min_gap", NULL);
    gteardown(&f);
    /* the first day (a customer the book does not know: the book's customers
     * bought in 2025, and a check before that is refused): Shanghai was on
     * local mean time (+08:05:43), the reason is written in UTC */
    fu_guard_options o = FU_GUARD_OPTIONS_INIT;
    o.unknown_customer = FU_GUARD_UNKNOWN_ALLOW;
    gsetup(&f, NULL, &o);
    r = ask("Z", FU_CHANNEL_PHONE, "0001-01-01T02:00:00Z");
    expect(&f, &r, NULL, NULL);
    r = ask("Z", FU_CHANNEL_PHONE, "0001-01-01T14:00:00Z");
    cr_assert_eq(fu_guard_check_request(f.guard, &r, &d), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(d.allowed, 0);
    cr_assert_str_eq(d.rule, "quiet_hours.allowed");
    /* 08:00 local mean time on 2 January = 23:54:17 UTC on 1 January */
    cr_assert(strstr(d.reason, "next allowed: 0001-01-01T23:54:17Z"), "%s", d.reason);
    r.at = INT64_C(-62135596801);
    cr_assert_eq(fu_guard_check_request(f.guard, &r, &d), FU_ERANGE);
    gteardown(&f);
}

typedef struct texts {
    char agent[64], rule[64];
} texts;

static int texts_fn(void *ud, const fu_contact_record *r) {
    texts *t = ud;
    snprintf(t->agent, sizeof t->agent, "%s", r->agent_id ? r->agent_id : "");
    snprintf(t->rule, sizeof t->rule, "%s", r->rule ? r->rule : "");
    return 0;
}

/* agent_id and rule are free text: masked on the way in, as the ledger masks
 * owner and created_by (they used to be stored in clear); the guard matches
 * a rule asked about in clear with the masked one it recorded. */
Test(guard, the_log_masks_agents_and_rules_and_touchpoints_still_match) {
    make_dir();
    char path[300];
    snprintf(path, sizeof path, "%s/masked.db", dir);
    gfx f;
    gsetup(&f, NULL, NULL);
    cr_assert_eq(gon_file(&f, path, NULL), FU_OK, "%s", fu_error_last()->message);
    static const char rule[] = "r 110105199003071239";
    fu_contact_record r = fu_test_contact("A", T("2026-03-10T10:00:00+08:00"), FU_CHANNEL_PHONE, FU_GUARD_NO_ANSWER);
    r.agent_id = "王 13912345678";
    r.rule = rule;
    r.order_id = "O1";
    cr_assert_eq(fu_guard_record(f.guard, &r, 1), FU_OK, "%s", fu_error_last()->message);
    texts t;
    memset(&t, 0, sizeof t);
    cr_assert_eq(fu_contact_log_read(f.log, 0, NULL, texts_fn, &t), FU_OK);
    cr_assert_str_eq(t.agent, "王 139****5678");
    cr_assert_str_eq(t.rule, "r 110***********1239");
    /* the same touchpoint, asked in clear: spaced by the retry delay, which
     * holds only the same touchpoint */
    fu_guard_request q = ask("A", FU_CHANNEL_PHONE, "2026-03-10T11:00:00+08:00");
    fu_guard_decision d;
    q.rule = "r 110105199003071247";
    cr_assert_eq(fu_guard_check_request(f.guard, &q, &d), FU_OK);
    cr_assert(d.allowed || strcmp(d.rule, "redial.retry_after") != 0, "%s", d.reason);
    q.rule = rule;
    cr_assert_eq(fu_guard_check_request(f.guard, &q, &d), FU_OK);
    cr_assert_str_eq(d.rule ? d.rule : "", "redial.retry_after", "%s", d.reason);
    /* and so does a guard that reads it back from the log */
    fu_guard_free(f.guard);
    cr_assert_eq(fu_guard_new(&f.guard, f.policy, f.book, f.log, NULL), FU_OK);
    cr_assert_eq(fu_guard_check_request(f.guard, &q, &d), FU_OK);
    cr_assert_str_eq(d.rule ? d.rule : "", "redial.retry_after", "%s", d.reason);
    fu_guard_free(f.guard);
    f.guard = NULL;
    fu_contact_log_close(f.log);
    f.log = NULL;
    /* STORE_RAW_TEXT keeps them as given */
    fu_contact_log_options o = FU_CONTACT_LOG_OPTIONS_INIT;
    o.flags = FU_CONTACT_LOG_STORE_RAW_TEXT;
    snprintf(path, sizeof path, "%s/raw.db", dir);
    cr_assert_eq(fu_contact_log_open(&f.log, path, &o), FU_OK);
    cr_assert_eq(fu_contact_log_append(f.log, &r, 1, NULL), FU_OK);
    cr_assert_eq(fu_contact_log_read(f.log, 0, NULL, texts_fn, &t), FU_OK);
    cr_assert_str_eq(t.agent, "王 13912345678");
    cr_assert_str_eq(t.rule, rule);
    gteardown(&f);
    remove_dir();
}

/* Past the calendar's official data the guard says so, as the planner and
 * the ledger do (it used to allow a call on Chinese New Year 2027 without a
 * word: the built-in cn calendar lists holidays until 2026-12-31). */
Test(guard, a_day_past_the_calendar_data_is_flagged) {
    gfx f;
    gsetup(&f, NULL, NULL);
    fu_guard_decision d;
    fu_guard_request r = ask("A", FU_CHANNEL_PHONE, "2026-03-10T10:00:00+08:00");
    cr_assert_eq(fu_guard_check_request(f.guard, &r, &d), FU_OK);
    cr_assert(d.allowed && !d.past_calendar_data && !d.reason[0], "%s", d.reason);
    r = ask("A", FU_CHANNEL_PHONE, "2027-02-06T10:00:00+08:00"); /* Spring Festival 2027 */
    cr_assert_eq(fu_guard_check_request(f.guard, &r, &d), FU_OK);
    cr_assert(d.allowed);
    cr_assert_str_eq(d.past_calendar_data ? d.past_calendar_data : "", "cn");
    cr_assert_str_eq(d.reason, "calendars.cn.data_until is 2026-12-31: its holidays after it are not known");
    /* denied on the last known day, next allowed on the first unknown one */
    r = ask("A", FU_CHANNEL_PHONE, "2026-12-31T22:00:00+08:00");
    cr_assert_eq(fu_guard_check_request(f.guard, &r, &d), FU_OK);
    cr_assert(!d.allowed);
    cr_assert_eq(d.next_allowed, T("2027-01-01T08:00:00+08:00"));
    cr_assert_str_eq(d.past_calendar_data ? d.past_calendar_data : "", "cn");
    cr_assert(strstr(d.reason, "quiet_hours.allowed") && strstr(d.reason, "calendars.cn.data_until is 2026-12-31"),
              "%s", d.reason);
    /* New York has no policy calendar with holidays: nothing to flag */
    r = ask("B", FU_CHANNEL_PHONE, "2027-02-08T10:00:00-05:00");
    cr_assert_eq(fu_guard_check_request(f.guard, &r, &d), FU_OK);
    cr_assert(d.allowed && !d.past_calendar_data, "%s", d.reason);
    gteardown(&f);
}

/* Eight processes, each with its own guard over one log file, ask at once to
 * call A at the same instant: with fu_guard_check_and_record exactly one is
 * told yes and recorded (the min gap of 24 hours holds the others), and each
 * of the others names the rule. Then each asks for B at instants 10 minutes
 * apart: the one allowed first holds every later one in the same 24 hours. */
static int racer(const char *path, int k) {
    gfx f;
    gsetup(&f, NULL, NULL);
    fu_contact_log_options o = FU_CONTACT_LOG_OPTIONS_INIT;
    o.busy_timeout_ms = 120000;
    if (gon_file(&f, path, &o)) return 100;
    int allowed = 0;
    fu_contact_record r = fu_test_contact("A", T("2026-03-10T10:00:00+08:00"), FU_CHANNEL_PHONE, FU_GUARD_ATTEMPTED);
    fu_guard_decision d;
    if (fu_guard_check_and_record(f.guard, &r, &d)) return 101;
    if (!d.allowed && strcmp(d.rule, "caps.min_gap") != 0) return 102;
    allowed += d.allowed;
    r = fu_test_contact("B", T("2026-03-10T10:00:00-04:00") + k * 600, FU_CHANNEL_PHONE, FU_GUARD_ATTEMPTED);
    if (fu_guard_check_and_record(f.guard, &r, &d)) return 103;
    allowed += 2 * d.allowed;
    gteardown(&f);
    return allowed;
}

Test(guard, check_and_record_across_processes_allows_one) {
    make_dir();
    char path[300];
    snprintf(path, sizeof path, "%s/race.db", dir);
    fu_contact_log *l = NULL;
    cr_assert_eq(fu_contact_log_open(&l, path, NULL), FU_OK);
    fu_contact_log_close(l);
    enum { N = 8 };
    pid_t pid[N];
    for (int k = 0; k < N; k++) {
        pid[k] = fork();
        cr_assert_neq(pid[k], -1);
        if (pid[k] == 0) _exit(racer(path, k));
    }
    int a = 0, b = 0;
    for (int k = 0; k < N; k++) {
        int st = 0;
        cr_assert_eq(waitpid(pid[k], &st, 0), pid[k]);
        cr_assert(WIFEXITED(st) && WEXITSTATUS(st) <= 3, "racer %d: status %d", k, st);
        a += WEXITSTATUS(st) & 1;
        b += (WEXITSTATUS(st) >> 1) & 1;
    }
    cr_assert_eq(a, 1, "%d processes were allowed to call A at 10:00", a);
    cr_assert_eq(b, 1, "%d processes were allowed to call B within 80 minutes", b);
    cr_assert_eq(fu_contact_log_open(&l, path, NULL), FU_OK);
    size_t n = 0;
    cr_assert_eq(fu_contact_log_count(l, &n), FU_OK);
    cr_assert_eq(n, 2);
    fu_contact_log_close(l);
    remove_dir();
}

/* Without a log the guard checks and records in memory; a denial writes
 * nothing; a bad record is refused before the check. */
Test(guard, check_and_record_in_one_process) {
    gfx f;
    gsetup(&f, NULL, NULL);
    fu_contact_record r = fu_test_contact("A", T("2026-03-10T10:00:00+08:00"), FU_CHANNEL_PHONE, FU_GUARD_ANSWERED);
    fu_guard_decision d;
    cr_assert_eq(fu_guard_check_and_record(f.guard, &r, &d), FU_OK, "%s", fu_error_last()->message);
    cr_assert(d.allowed);
    r.at = T("2026-03-10T15:00:00+08:00");
    cr_assert_eq(fu_guard_check_and_record(f.guard, &r, &d), FU_OK);
    cr_assert(!d.allowed);
    cr_assert_str_eq(d.rule, "caps.min_gap");
    cr_assert_eq(d.next_allowed, T("2026-03-11T10:00:00+08:00"));
    size_t n = 0;
    cr_assert_eq(fu_contact_log_count(f.log, &n), FU_OK);
    cr_assert_eq(n, 1);
    r.at = T("2026-03-10T22:00:00+08:00"); /* quiet hours: denied, nothing written */
    cr_assert_eq(fu_guard_check_and_record(f.guard, &r, &d), FU_OK);
    cr_assert(!d.allowed);
    r.duration = -5;
    cr_assert_eq(fu_guard_check_and_record(f.guard, &r, &d), FU_ERANGE);
    cr_assert_eq(fu_contact_log_count(f.log, &n), FU_OK);
    cr_assert_eq(n, 1);
    /* the log is usable afterwards: no transaction left open */
    r = fu_test_contact("A", T("2026-03-20T10:00:00+08:00"), FU_CHANNEL_PHONE, FU_GUARD_ANSWERED);
    cr_assert_eq(fu_guard_record(f.guard, &r, 1), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(fu_contact_log_count(f.log, &n), FU_OK);
    cr_assert_eq(n, 2);
    gteardown(&f);
}
