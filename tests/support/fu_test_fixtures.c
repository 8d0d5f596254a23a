#include "fu_test_fixtures.h"

#include "fu_test.h"

#include <criterion/criterion.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

fu_calendar *fu_test_calendar_cn2025(void) {
    fu_calendar *cal = NULL;
    cr_assert_eq(fu_calendar_new(&cal, "Asia/Shanghai"), FU_OK, "%s", fu_error_last()->message);
    const char *hours = "Mon-Fri 09:00-18:00";
    cr_assert_eq(fu_calendar_set_hours_text(cal, hours, strlen(hours)), FU_OK);
    fu_date a = {2025, 10, 1}, b = {2025, 10, 8}, w1 = {2025, 9, 28}, w2 = {2025, 10, 11};
    cr_assert_eq(fu_calendar_add_holiday(cal, &a, &b), FU_OK);
    cr_assert_eq(fu_calendar_add_workday(cal, &w1, FU_MONDAY), FU_OK);
    cr_assert_eq(fu_calendar_add_workday(cal, &w2, FU_MONDAY), FU_OK);
    return cal;
}

fu_book *fu_test_contact_book(const fu_test_customer *cs, size_t n, const char *order_id) {
    fu_book *b = NULL;
    cr_assert_eq(fu_book_new(&b, NULL), FU_OK);
    for (size_t i = 0; i < n; i++) {
        fu_customer c;
        fu_customer_init(&c);
        c.id = cs[i].id;
        c.tz = cs[i].tz;
        c.industry = cs[i].industry;
        c.is_smb = cs[i].is_smb;
        c.first_purchase_at = fu_test_time("2025-06-01T10:00:00+08:00");
        c.consent_phone = FU_TRI_YES;
        c.consent_sms = FU_TRI_YES;
        cr_assert_eq(fu_book_add_customer(b, &c, NULL), FU_OK, "%s", fu_error_last()->message);
        fu_event_in e;
        fu_event_in_init(&e);
        e.customer_id = cs[i].id;
        e.at = fu_test_time("2026-02-01T10:00:00+08:00");
        e.kind = FU_EVENT_PURCHASE;
        e.amount = 300;
        e.order_id = order_id;
        cr_assert_eq(fu_book_add_event(b, &e), FU_OK, "%s", fu_error_last()->message);
    }
    cr_assert_eq(fu_book_finalize(b), FU_OK);
    return b;
}

void fu_test_guard_open(fu_test_guard *f, fu_book *book, fu_contact_log *log) {
    memset(f, 0, sizeof *f);
    f->book = book;
    f->log = log;
    cr_assert_eq(fu_policy_default(&f->policy), FU_OK);
    cr_assert_eq(fu_guard_new(&f->guard, f->policy, f->book, f->log, NULL), FU_OK, "%s", fu_error_last()->message);
}

void fu_test_guard_free(fu_test_guard *f) {
    fu_guard_free(f->guard);
    fu_contact_log_close(f->log);
    fu_book_free(f->book);
    fu_policy_free(f->policy);
    memset(f, 0, sizeof *f);
}

void fu_test_expect_decision(const fu_guard_decision *d, const char *rule, const char *next, const char *what) {
    if (!rule) {
        cr_assert_eq(d->allowed, 1, "%s: denied by %s (%s)", what, d->rule, d->reason);
        return;
    }
    cr_assert_eq(d->allowed, 0, "%s: allowed, expected %s", what, rule);
    cr_assert_str_eq(d->rule, rule, "%s: %s", what, d->reason);
    cr_assert_eq(d->next_allowed, fu_test_time(next), "%s: %s", what, d->reason);
}

fu_guard_request fu_test_phone_request(const char *id, int64_t at, const char *order_id) {
    fu_guard_request r = FU_GUARD_REQUEST_INIT;
    r.customer_id = id;
    r.channel = FU_CHANNEL_PHONE;
    r.at = at;
    r.order_id = order_id;
    return r;
}

fu_contact_record fu_test_contact(const char *id, int64_t at, fu_channel channel, fu_guard_outcome outcome) {
    fu_contact_record r;
    fu_contact_record_init(&r);
    r.customer_id = id;
    r.at = at;
    r.channel = channel;
    r.outcome = outcome;
    return r;
}

fu_event_in fu_test_answered_contact_event(const char *id, int64_t at, fu_channel channel, const char *order_id) {
    fu_event_in e;
    fu_event_in_init(&e);
    e.customer_id = id;
    e.at = at;
    e.kind = FU_EVENT_CONTACT;
    e.channel = channel;
    e.outcome = FU_OUTCOME_ANSWERED;
    e.order_id = order_id;
    return e;
}

fu_book *fu_test_book_of(unsigned flags, const char *customers_csv, const char *events_csv, int finalize) {
    fu_book_options o = FU_BOOK_OPTIONS_INIT;
    o.flags = flags;
    fu_book *b = NULL;
    cr_assert_eq(fu_book_new(&b, &o), FU_OK);
    if (customers_csv)
        cr_assert_eq(fu_book_read_customers_csv_from_string(b, customers_csv, strlen(customers_csv), "c"), FU_OK,
                     "%s", fu_error_last()->message);
    cr_assert_eq(fu_book_read_events_csv_from_string(b, events_csv, strlen(events_csv), "e"), FU_OK, "%s",
                 fu_error_last()->message);
    if (finalize) cr_assert_eq(fu_book_finalize(b), FU_OK, "%s", fu_error_last()->message);
    return b;
}

fu_kpi *fu_test_kpi_of_book(const fu_policy *policy, const fu_kpi_options *o, const fu_book *book) {
    fu_kpi *k = NULL;
    size_t n = 0;
    cr_assert_eq(fu_kpi_new(&k, policy, o), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(fu_kpi_add_book(k, book), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(fu_kpi_compute(k, &n), FU_OK, "%s", fu_error_last()->message);
    return k;
}

void fu_test_under_file_size_limit(unsigned long limit, int (*fn)(void *ctx), void *ctx, const char *what) {
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit rl = {(rlim_t)limit, (rlim_t)limit};
        setrlimit(RLIMIT_FSIZE, &rl);
        _exit(fn(ctx) ? 1 : 0);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s", what);
}
