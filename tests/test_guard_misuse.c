/* fu_guard as a dialer misuses it: threads sharing one guard handle or one
 * log handle, the book appended to under the guard, contacts appended by
 * another handle while the guard checks. Each answer is checked against a
 * serial run or a hand-worked case of the built-in policy (min gap 24 h
 * between answered contacts, per order 1 per 72 h for routine contacts). */
#include "fu_test.h"
#include "fu_test_fixtures.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define T fu_test_time
#define NCUST 40
#define NTHREADS 4

static char dir[256];

/* A book of customers C0..C<ncust-1> (fu_test_contact_book), every third in
 * New York (C0, C3, ...), the others in Shanghai, every fourth a small
 * business (C0, C4, ...), each with a purchase of order O1. */
static fu_book *make_book(int ncust) {
    static char ids[NCUST][16];
    fu_test_customer cs[NCUST];
    cr_assert_leq(ncust, NCUST);
    for (int i = 0; i < ncust; i++) {
        snprintf(ids[i], sizeof ids[i], "C%d", i);
        cs[i] = (fu_test_customer){ids[i], i % 3 ? "Asia/Shanghai" : "America/New_York", NULL,
                                   i % 4 == 0 ? FU_TRI_YES : FU_TRI_NO};
    }
    return fu_test_contact_book(cs, (size_t)ncust, "O1");
}

/* A contact log at `path` with synchronous=NORMAL. */
static fu_contact_log *open_log(const char *path) {
    fu_contact_log *l = NULL;
    fu_contact_log_options o = FU_CONTACT_LOG_OPTIONS_INIT;
    o.flags = FU_CONTACT_LOG_SYNC_NORMAL;
    cr_assert_eq(fu_contact_log_open(&l, path, &o), FU_OK, "%s", fu_error_last()->message);
    return l;
}

/* The k-th question of customer ci: an instant every 37 minutes from Mon
 * 2026-03-09 00:00 +08:00, phone or sms. */
static fu_guard_request question(int ci, int k, char *id) {
    snprintf(id, 16, "C%d", ci);
    fu_guard_request r = FU_GUARD_REQUEST_INIT;
    r.customer_id = id;
    r.channel = k % 2 ? FU_CHANNEL_SMS : FU_CHANNEL_PHONE;
    r.at = T("2026-03-09T00:00:00+08:00") + (int64_t)k * 37 * 60;
    return r;
}

#define NQ 120

/* One dialer thread: customers ci = t, t + NTHREADS, ...; each asks NQ
 * questions and makes (records as answered) every contact allowed, as
 * fu_guard_check_and_record does. Answers go to out[ci][k]. */
typedef struct dialer {
    fu_guard *g;
    int t;
    int (*allowed)[NQ];
    int64_t (*next)[NQ];
    int errors;
} dialer;

static void *dial(void *ud) {
    dialer *d = ud;
    for (int ci = d->t; ci < NCUST; ci += NTHREADS)
        for (int k = 0; k < NQ; k++) {
            char id[16];
            fu_guard_request q = question(ci, k, id);
            fu_contact_record r = fu_test_contact(id, q.at, q.channel, FU_GUARD_ANSWERED);
            fu_guard_decision dec;
            if (fu_guard_check_and_record(d->g, &r, &dec) != FU_OK) {
                d->errors++;
                continue;
            }
            d->allowed[ci][k] = dec.allowed;
            d->next[ci][k] = dec.next_allowed;
        }
    return NULL;
}

static int serial_allowed[NCUST][NQ], shared_allowed[NCUST][NQ];
static int64_t serial_next[NCUST][NQ], shared_next[NCUST][NQ];

static void run_dialers(fu_guard *g, int nthreads, int (*allowed)[NQ], int64_t (*next)[NQ]) {
    pthread_t th[NTHREADS];
    dialer d[NTHREADS];
    for (int t = 0; t < NTHREADS; t++) d[t] = (dialer){g, t, allowed, next, 0};
    if (nthreads == 1) {
        for (int t = 0; t < NTHREADS; t++) dial(&d[t]);
    } else {
        for (int t = 0; t < NTHREADS; t++) cr_assert_eq(pthread_create(&th[t], NULL, dial, &d[t]), 0);
        for (int t = 0; t < NTHREADS; t++) pthread_join(th[t], NULL);
    }
    for (int t = 0; t < NTHREADS; t++) cr_assert_eq(d[t].errors, 0, "thread %d: %d errors", t, d[t].errors);
}

/* Four threads share one guard (and its log file): each answer equals the
 * answer of a serial run, and every contact told "allowed" is in the log. */
Test(guard_misuse, threads_sharing_one_guard_answer_as_a_serial_guard) {
    fu_test_mkdtemp(dir, sizeof dir, "fu-guard-mt");
    fu_policy *p = NULL;
    cr_assert_eq(fu_policy_default(&p), FU_OK);
    fu_book *b = make_book(NCUST);
    char path[300];
    size_t made[2] = {0, 0}, logged[2] = {0, 0};
    for (int pass = 0; pass < 2; pass++) {
        snprintf(path, sizeof path, "%s/log%d.db", dir, pass);
        fu_contact_log *l = NULL;
        cr_assert_eq(fu_contact_log_open(&l, path, NULL), FU_OK);
        fu_guard *g = NULL;
        cr_assert_eq(fu_guard_new(&g, p, b, l, NULL), FU_OK);
        run_dialers(g, pass ? NTHREADS : 1, pass ? shared_allowed : serial_allowed, pass ? shared_next : serial_next);
        fu_guard_free(g);
        cr_assert_eq(fu_contact_log_count(l, &logged[pass]), FU_OK);
        fu_contact_log_close(l);
    }
    for (int ci = 0; ci < NCUST; ci++)
        for (int k = 0; k < NQ; k++) {
            cr_assert_eq(shared_allowed[ci][k], serial_allowed[ci][k], "C%d question %d", ci, k);
            cr_assert_eq(shared_next[ci][k], serial_next[ci][k], "C%d question %d", ci, k);
            made[0] += (size_t)serial_allowed[ci][k];
            made[1] += (size_t)shared_allowed[ci][k];
        }
    cr_assert_gt(made[0], (size_t)NCUST, "%zu contacts made", made[0]);
    cr_assert_eq(logged[0], made[0]);
    cr_assert_eq(logged[1], made[1]);
    fu_book_free(b);
    fu_policy_free(p);
    fu_test_rmtree(dir);
}

/* A dialer thread records through the guard while another appends to the
 * same log handle directly (an importer): every acknowledged append is in
 * the log, and the guard, refreshed, counts the importer's contacts. */
typedef struct appender {
    fu_contact_log *l;
    fu_guard *g; /* NULL: append to the log directly */
    int n, ok, errors;
} appender;

static void *append_many(void *ud) {
    appender *a = ud;
    for (int i = 0; i < a->n; i++) {
        char id[16];
        snprintf(id, sizeof id, "C%d", i % NCUST);
        int64_t at = T("2026-03-02T10:00:00+08:00") + (int64_t)i * 60 + (a->g ? 30 : 0);
        fu_contact_record r = fu_test_contact(id, at, FU_CHANNEL_EMAIL, FU_GUARD_ANSWERED);
        int rc = a->g ? fu_guard_record(a->g, &r, 1) : fu_contact_log_append(a->l, &r, 1, NULL);
        if (rc == FU_OK) a->ok++;
        else a->errors++;
    }
    return NULL;
}

/* f: the guard of the built-in policy over a book of n customers and a
 * contact log (log.db in a new temporary dir, `dir`); close_guard_on_log()
 * frees them all and removes the dir. */
static void open_guard_on_log(fu_test_guard *f, const char *tag, int n) {
    char path[300];
    fu_test_mkdtemp(dir, sizeof dir, tag);
    snprintf(path, sizeof path, "%s/log.db", dir);
    fu_test_guard_open(f, make_book(n), open_log(path));
}

static void close_guard_on_log(fu_test_guard *f) {
    fu_test_guard_free(f);
    fu_test_rmtree(dir);
}

Test(guard_misuse, a_guard_and_an_importer_sharing_one_log_handle_lose_nothing) {
    fu_test_guard f;
    open_guard_on_log(&f, "fu-guard-mt", NCUST);
    fu_guard *g = f.guard;
    fu_contact_log *l = f.log;
    appender a[2] = {{l, g, 1000, 0, 0}, {l, NULL, 1000, 0, 0}};
    pthread_t th[2];
    for (int t = 0; t < 2; t++) cr_assert_eq(pthread_create(&th[t], NULL, append_many, &a[t]), 0);
    for (int t = 0; t < 2; t++) pthread_join(th[t], NULL);
    size_t n = 0;
    cr_assert_eq(fu_contact_log_count(l, &n), FU_OK);
    cr_assert_eq(n, (size_t)(a[0].ok + a[1].ok), "%zu logged, %d + %d acknowledged (%d + %d errors)", n, a[0].ok,
                 a[1].ok, a[0].errors, a[1].errors);
    cr_assert_eq(a[0].errors + a[1].errors, 0, "%d + %d errors", a[0].errors, a[1].errors);
    /* the guard sees the importer's contacts after a refresh: C1's last one
     * (i = 961, Tue 2026-03-03 02:01:30 +08:00) holds the min gap for 24 h;
     * then the weekly cap (3 in 7 days): the third last (i = 921, 01:21:30)
     * leaves the window a week and a second later, 03-10 01:21:31, in the
     * quiet hours: 08:00 */
    cr_assert_eq(fu_guard_refresh(g), FU_OK);
    fu_guard_decision d;
    cr_assert_eq(fu_guard_check(g, "C1", FU_CHANNEL_PHONE, T("2026-03-03T14:00:00+08:00"), &d), FU_OK);
    fu_test_expect_decision(&d, "caps.min_gap", "2026-03-10T08:00:00+08:00", "C1 at 2026-03-03T14:00:00+08:00");
    close_guard_on_log(&f);
}

/* The book grows under the guard (fu_book_append_events, the one change a
 * borrowed book takes): the guard's next answer counts the new events — an
 * answered call appended holds the min gap; a routine contact about a new
 * order appended to the book holds that order's per_order cap, also when
 * the dialer names the order. */
Test(guard_misuse, events_appended_to_the_book_count_in_the_next_check) {
    fu_test_guard f;
    fu_test_guard_open(&f, make_book(4), NULL);
    fu_guard *g = f.guard;
    fu_book *b = f.book;
    fu_guard_decision d;
    cr_assert_eq(fu_guard_check(g, "C1", FU_CHANNEL_PHONE, T("2026-03-10T15:00:00+08:00"), &d), FU_OK);
    fu_test_expect_decision(&d, NULL, NULL, "C1 at 2026-03-10T15:00:00+08:00");
    fu_event_in e[2] = {fu_test_answered_contact_event("C1", T("2026-03-10T10:00:00+08:00"), FU_CHANNEL_PHONE, NULL),
                        fu_test_answered_contact_event("C2", T("2026-03-08T10:00:00+08:00"), FU_CHANNEL_SMS, "O-NEW")};
    cr_assert_eq(fu_book_append_events(b, e, 2), FU_OK, "%s", fu_error_last()->message);
    /* C1: answered at 10:00, the min gap holds until tomorrow 10:00 */
    cr_assert_eq(fu_guard_check(g, "C1", FU_CHANNEL_PHONE, T("2026-03-10T15:00:00+08:00"), &d), FU_OK);
    fu_test_expect_decision(&d, "caps.min_gap", "2026-03-11T10:00:00+08:00", "C1 at 2026-03-10T15:00:00+08:00");
    /* C2: a routine contact about O-NEW 48 h after the last one about it:
     * per_order (1 per 72 h) says no until that one leaves the window, Wed
     * 10:00; another order is fine */
    fu_guard_request r = fu_test_phone_request("C2", T("2026-03-10T10:00:00+08:00"), "O-NEW");
    cr_assert_eq(fu_guard_check_request(g, &r, &d), FU_OK);
    fu_test_expect_decision(&d, "caps.per_order", "2026-03-11T10:00:00+08:00", "C2 about O-NEW");
    r.order_id = "O-OTHER";
    cr_assert_eq(fu_guard_check_request(g, &r, &d), FU_OK);
    fu_test_expect_decision(&d, NULL, NULL, "C2 about O-OTHER");
    /* and a contact the guard records about O-NEW (C3 in New York) counts
     * with the book's: the order's id is the book's */
    fu_contact_record c = fu_test_contact("C3", T("2026-03-08T10:00:00-04:00"), FU_CHANNEL_SMS, FU_GUARD_ANSWERED);
    c.order_id = "O-NEW";
    cr_assert_eq(fu_guard_record(g, &c, 1), FU_OK);
    r.customer_id = "C3";
    r.order_id = "O-NEW";
    r.at = T("2026-03-10T10:00:00-04:00");
    cr_assert_eq(fu_guard_check_request(g, &r, &d), FU_OK);
    fu_test_expect_decision(&d, "caps.per_order", "2026-03-11T10:00:00-04:00", "C3 about O-NEW");
    /* a record about an order the guard has not seen, of an order the
     * book got since: it takes the book's id, so the book's contact about
     * it counts (C0, New York: the book's contact Sun 03-08 10:00, the
     * guard's record Fri 03-06 10:00 EST; asked Tue 03-10 10:00 EDT) */
    e[0] = fu_test_answered_contact_event("C0", T("2026-03-08T10:00:00-04:00"), FU_CHANNEL_SMS, "O-REC");
    cr_assert_eq(fu_book_append_events(b, e, 1), FU_OK, "%s", fu_error_last()->message);
    c.customer_id = "C0";
    c.at = T("2026-03-06T10:00:00-05:00");
    c.channel = FU_CHANNEL_EMAIL;
    c.order_id = "O-REC";
    cr_assert_eq(fu_guard_record(g, &c, 1), FU_OK);
    r.customer_id = "C0";
    r.order_id = "O-REC";
    cr_assert_eq(fu_guard_check_request(g, &r, &d), FU_OK);
    fu_test_expect_decision(&d, "caps.per_order", "2026-03-11T10:00:00-04:00", "C0 about O-REC");
    fu_test_guard_free(&f);
}

/* Four guards, one per thread, share one log handle and ask at once to
 * call the same customers at the same instants (contacts appended by the
 * others while each checks): fu_guard_check_and_record reads the others'
 * appends under the log's lock, so for each instant exactly one is told
 * yes and logged (the min gap holds the rest). */
typedef struct racer {
    fu_guard *g;
    int yes;
    int errors;
} racer;

static void *race(void *ud) {
    static const int shanghai[5] = {1, 2, 4, 5, 7}; /* C4 a small business */
    racer *x = ud;
    for (int k = 0; k < 30; k++)
        for (int i = 0; i < 5; i++) {
            char id[16];
            snprintf(id, sizeof id, "C%d", shanghai[i]);
            int64_t tuesday = T("2026-03-03T10:00:00+08:00") + (int64_t)k * 7 * 86400;
            fu_contact_record r = fu_test_contact(id, tuesday, FU_CHANNEL_PHONE, FU_GUARD_ANSWERED);
            fu_guard_decision d;
            if (fu_guard_check_and_record(x->g, &r, &d)) x->errors++;
            else x->yes += d.allowed;
        }
    return NULL;
}

Test(guard_misuse, guards_in_threads_sharing_one_log_handle_allow_each_contact_once) {
    fu_policy *p = NULL;
    cr_assert_eq(fu_policy_default(&p), FU_OK);
    fu_book *b = make_book(8);
    fu_contact_log *l = NULL;
    cr_assert_eq(fu_contact_log_open(&l, NULL, NULL), FU_OK);
    racer x[NTHREADS];
    pthread_t th[NTHREADS];
    for (int t = 0; t < NTHREADS; t++) {
        x[t] = (racer){NULL, 0, 0};
        cr_assert_eq(fu_guard_new(&x[t].g, p, b, l, NULL), FU_OK);
    }
    for (int t = 0; t < NTHREADS; t++) cr_assert_eq(pthread_create(&th[t], NULL, race, &x[t]), 0);
    for (int t = 0; t < NTHREADS; t++) pthread_join(th[t], NULL);
    int yes = 0;
    for (int t = 0; t < NTHREADS; t++) {
        cr_assert_eq(x[t].errors, 0, "guard %d: %d errors", t, x[t].errors);
        yes += x[t].yes;
        fu_guard_free(x[t].g);
    }
    size_t n = 0;
    cr_assert_eq(fu_contact_log_count(l, &n), FU_OK);
    /* 30 Tuesdays from 03-03 at 10:00: 05-05 is a holiday (May 1-5); the
     * small business C4 also waits out the month ends (last 3 days:
     * 03-31, 04-28, 06-30). 4 x 29 + 26 = 142, each made by one guard */
    cr_assert_eq(yes, 142);
    cr_assert_eq(n, 142);
    fu_contact_log_close(l);
    fu_book_free(b);
    fu_policy_free(p);
}

/* Review r2 M4: one thread makes contacts through fu_guard_check_and_record
 * (the guard's lock, then the log's) while another reads the log with a
 * callback that asks the same guard (before: the log's lock, then the
 * guard's: both waited for ever, every run). The reading must finish (the
 * timeout fails it otherwise), see each record once in seq order, and the
 * answers stay those of a serial run (every 3 days at 10:00: allowed but
 * on the calendar's holidays). */
typedef struct log_asker {
    fu_guard *g;
    fu_contact_log *l;
    volatile int done;
    long reads, calls, errors, disorder;
    int allowed[300];
} log_asker;

#define NMADE 300

static void *make_contacts(void *ud) {
    log_asker *x = ud;
    for (int i = 0; i < NMADE; i++) {
        int64_t at = T("2026-03-02T10:00:00+08:00") + (int64_t)i * 3 * 86400;
        fu_contact_record r = fu_test_contact("C1", at, FU_CHANNEL_PHONE, FU_GUARD_ANSWERED);
        fu_guard_decision d;
        if (fu_guard_check_and_record(x->g, &r, &d) != FU_OK) x->errors++;
        x->allowed[i] = d.allowed;
    }
    x->done = 1;
    return NULL;
}

typedef struct ask_state {
    log_asker *x;
    int64_t last_seq;
} ask_state;

static int ask_guard(void *ud, const fu_contact_record *r) {
    ask_state *s = ud;
    fu_guard_decision d;
    if (r->seq <= s->last_seq) s->x->disorder++;
    s->last_seq = r->seq;
    if (fu_guard_check(s->x->g, r->customer_id, FU_CHANNEL_PHONE, r->at + 3600, &d) != FU_OK) s->x->errors++;
    s->x->calls++;
    return 0;
}

static void *read_and_ask(void *ud) {
    log_asker *x = ud;
    while (!x->done) {
        ask_state s = {x, 0};
        if (fu_contact_log_read(x->l, 0, NULL, ask_guard, &s) != FU_OK) x->errors++;
        x->reads++;
    }
    return NULL;
}

Test(guard_misuse, a_log_reader_asking_the_guard_and_a_guard_writing_finish, .timeout = 60) {
    fu_test_guard f;
    open_guard_on_log(&f, "fu-guard-order", 4);
    fu_guard *g = f.guard;
    fu_contact_log *l = f.log;
    log_asker x = {g, l, 0, 0, 0, 0, 0, {0}};
    pthread_t a, c;
    cr_assert_eq(pthread_create(&a, NULL, make_contacts, &x), 0);
    cr_assert_eq(pthread_create(&c, NULL, read_and_ask, &x), 0);
    pthread_join(a, NULL);
    pthread_join(c, NULL);
    cr_assert_eq(x.errors, 0, "%ld errors", x.errors);
    cr_assert_eq(x.disorder, 0);
    cr_assert_gt(x.reads, 0);
    /* the same contacts made by a guard alone, on a log of its own */
    char path2[300];
    snprintf(path2, sizeof path2, "%s/serial.db", dir);
    fu_contact_log *l2 = open_log(path2);
    log_asker y = {NULL, l2, 0, 0, 0, 0, 0, {0}};
    cr_assert_eq(fu_guard_new(&y.g, f.policy, f.book, l2, NULL), FU_OK);
    make_contacts(&y);
    int made = 0;
    for (int i = 0; i < NMADE; i++) {
        cr_assert_eq(x.allowed[i], y.allowed[i], "contact %d", i);
        made += x.allowed[i];
    }
    cr_assert_gt(made, NMADE / 2);
    fu_guard_free(y.g);
    fu_contact_log_close(l2);
    /* every contact made is in the log, once, and a last read sees them all */
    size_t n = 0;
    cr_assert_eq(fu_contact_log_count(l, &n), FU_OK);
    cr_assert_eq(n, (size_t)made);
    ask_state s = {&x, 0};
    x.calls = 0;
    cr_assert_eq(fu_contact_log_read(l, 0, NULL, ask_guard, &s), FU_OK);
    cr_assert_eq(x.calls, made);
    cr_assert_eq(x.disorder, 0);
    /* a read after a seq, of one customer: the records after it, in order */
    s.last_seq = 0;
    x.calls = 0;
    cr_assert_eq(fu_contact_log_read(l, made - 3, "C1", ask_guard, &s), FU_OK);
    cr_assert_eq(x.calls, 3);
    cr_assert_eq(s.last_seq, made);
    close_guard_on_log(&f);
}

/* Review r2 M3: records about orders the book does not have (a dialer's
 * own) no longer re-read the customer's history each time; the answers
 * stay: a record about an order the book got after the customer's orders
 * were interned still takes the book's id (C0, New York: the book's
 * contact about O-LATE Sun 03-08 10:00 EDT holds per_order until Wed
 * 10:00), and a guard made afresh over the same book and log (which
 * interns every book order when it is made) answers every question the
 * same. */
static void record_order(fu_guard *g, const char *cust, int64_t at, const char *order) {
    fu_contact_record c = fu_test_contact(cust, at, FU_CHANNEL_EMAIL, FU_GUARD_ANSWERED);
    c.order_id = order;
    cr_assert_eq(fu_guard_record(g, &c, 1), FU_OK, "%s", fu_error_last()->message);
}

Test(guard_misuse, records_about_orders_the_book_lacks_answer_as_a_fresh_guard) {
    fu_test_guard f;
    open_guard_on_log(&f, "fu-guard-orders", 4);
    fu_guard *g = f.guard;
    char order[16];
    for (int i = 0; i < 20; i++) { /* unknown orders Z0..Z19, C0..C3, in February */
        snprintf(order, sizeof order, "Z%d", i);
        record_order(g, i % 2 ? "C1" : "C0", T("2026-02-10T10:00:00+08:00") + (int64_t)i * 3600, order);
    }
    fu_event_in e = fu_test_answered_contact_event("C0", T("2026-03-08T10:00:00-04:00"), FU_CHANNEL_SMS, "O-LATE");
    cr_assert_eq(fu_book_append_events(f.book, &e, 1), FU_OK, "%s", fu_error_last()->message);
    record_order(g, "C0", T("2026-03-06T10:00:00-05:00"), "O-LATE");
    record_order(g, "C0", T("2026-02-27T09:00:00-05:00"), "Z5");
    fu_guard_request r = fu_test_phone_request("C0", T("2026-03-10T10:00:00-04:00"), "O-LATE");
    fu_guard_decision d, d2;
    cr_assert_eq(fu_guard_check_request(g, &r, &d), FU_OK);
    fu_test_expect_decision(&d, "caps.per_order", "2026-03-11T10:00:00-04:00", "C0 about O-LATE");
    fu_guard *fresh = NULL;
    cr_assert_eq(fu_guard_new(&fresh, f.policy, f.book, f.log, NULL), FU_OK);
    const char *orders[] = {"O-LATE", "O1", "Z5", "Z6", "Z-NEVER", NULL};
    int compared = 0;
    for (int ci = 0; ci < 4; ci++)
        for (int k = 0; k < 6; k++)
            for (int h = 0; h < 5; h++) {
                char id[16];
                snprintf(id, sizeof id, "C%d", ci);
                r.customer_id = id;
                r.order_id = orders[k];
                r.at = T("2026-03-09T06:00:00+08:00") + (int64_t)h * 13 * 3600;
                cr_assert_eq(fu_guard_check_request(g, &r, &d), FU_OK);
                cr_assert_eq(fu_guard_check_request(fresh, &r, &d2), FU_OK);
                cr_assert_eq(d.allowed, d2.allowed, "%s %s h%d: %s | %s", id, orders[k] ? orders[k] : "-", h,
                             d.reason, d2.reason);
                cr_assert_eq(d.next_allowed, d2.next_allowed, "%s: %s | %s", id, d.reason, d2.reason);
                cr_assert_str_eq(d.rule ? d.rule : "", d2.rule ? d2.rule : "", "%s", id);
                compared++;
            }
    cr_assert_eq(compared, 120);
    fu_guard_free(fresh);
    close_guard_on_log(&f);
}
