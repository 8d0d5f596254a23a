/* The KPI engine computes from a fu_book (issue 14 item 1): the first book is
 * borrowed (not copied) and refuses changes while the engine lives; events
 * appended to it reach the next compute; records added later copy it into
 * the engine's own book, with the same figures as one book holding
 * everything; priorities survive an append after a compute; a customer
 * given again updates its tier over the book's record.
 *
 * Data: tests/data/kpi (scenario A of tests/test_kpi.c: coverage 2026-W10 is
 * vip 1/1, ordinary 1/3 by tier). */
#include "fu_test.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DATA FU_TEST_SRCDIR "/data/kpi/"
#define T fu_test_time

static fu_policy *builtin(void) {
    fu_policy *p = NULL;
    cr_assert_eq(fu_policy_default(&p), FU_OK);
    return p;
}

static fu_book *fixture(int with_events) {
    fu_book *b = NULL;
    cr_assert_eq(fu_book_new(&b, NULL), FU_OK);
    cr_assert_eq(fu_book_read_customers_csv(b, DATA "customers.csv"), FU_OK, "%s", fu_error_last()->message);
    if (with_events) cr_assert_eq(fu_book_read_events_csv(b, DATA "events.csv"), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(fu_book_finalize(b), FU_OK);
    return b;
}

/* The events of book b as inputs (strings borrowed from b). */
static fu_event_in *inputs_of(const fu_book *b, size_t *n) {
    const fu_event *e = fu_book_events(b, n);
    fu_event_in *in = calloc(*n, sizeof *in);
    for (size_t i = 0; i < *n; i++) {
        fu_event_in_init(&in[i]);
        in[i].customer_id = fu_book_customer(b, e[i].customer)->id;
        in[i].at = e[i].at;
        in[i].kind = (fu_event_kind)e[i].kind;
        in[i].order_id = fu_book_string(b, e[i].order_id);
        in[i].agent_id = fu_book_string(b, e[i].agent_id);
        in[i].channel = (fu_channel)e[i].channel;
        in[i].outcome = (fu_outcome)e[i].outcome;
        in[i].severity = (fu_severity)e[i].severity;
    }
    return in;
}

static fu_kpi *engine(const fu_policy *p, unsigned flags) {
    fu_kpi_options o = FU_KPI_OPTIONS_INIT;
    o.by = FU_KPI_BY_TIER | FU_KPI_BY_AGENT;
    o.as_of = T("2026-04-30T00:00:00+08:00");
    o.flags = flags;
    fu_kpi *k = NULL;
    cr_assert_eq(fu_kpi_new(&k, p, &o), FU_OK);
    return k;
}

static char *csv_of(fu_kpi *k) {
    size_t n;
    char *s = NULL;
    cr_assert_eq(fu_kpi_compute(k, &n), FU_OK, "%s", fu_error_last()->message);
    cr_assert_gt(n, 10);
    cr_assert_eq(fu_kpi_write_csv_to_string(k, NULL, &s), FU_OK);
    return s;
}

/* The figures of an engine over the whole fixture book. */
static char *whole_csv(const fu_policy *p) {
    fu_book *b = fixture(1);
    fu_kpi *k = engine(p, 0);
    cr_assert_eq(fu_kpi_add_book(k, b), FU_OK);
    char *s = csv_of(k);
    fu_kpi_free(k);
    fu_book_free(b);
    return s;
}

static fu_event_in one_event(const char *cust, const char *at, fu_event_kind kind) {
    fu_event_in e;
    fu_event_in_init(&e);
    e.customer_id = cust;
    e.at = T(at);
    e.kind = kind;
    return e;
}

Test(kpi_store, the_first_book_is_borrowed_and_refuses_changes) {
    fu_policy *p = builtin();
    fu_book *b = fixture(1);
    fu_kpi *k = engine(p, 0);
    cr_assert_eq(fu_kpi_add_book(k, b), FU_OK);
    fu_event_in e = one_event("V1", "2026-03-09T10:00:00+08:00", FU_EVENT_DELIVERY);
    cr_expect_eq(fu_book_add_event(b, &e), FU_ESTATE, "the engine borrows the book");
    char *s = csv_of(k);
    fu_kpi_free(k);
    cr_expect_eq(fu_book_add_event(b, &e), FU_OK, "released by fu_kpi_free");
    char *w = whole_csv(p);
    cr_expect_str_eq(s, w);
    fu_free(s);
    fu_free(w);
    fu_book_free(b);
    fu_policy_free(p);
}

Test(kpi_store, events_appended_to_a_borrowed_book_reach_the_next_compute) {
    fu_policy *p = builtin();
    fu_book *full = fixture(1);
    size_t n;
    fu_event_in *in = inputs_of(full, &n);
    fu_book *b = fixture(0);
    cr_assert_eq(fu_book_add_events(b, in, n / 2), FU_OK);
    cr_assert_eq(fu_book_finalize(b), FU_OK);
    fu_kpi *k = engine(p, 0);
    cr_assert_eq(fu_kpi_add_book(k, b), FU_OK);
    char *half = csv_of(k);
    cr_assert_eq(fu_book_append_events(b, in + n / 2, n - n / 2), FU_OK, "%s", fu_error_last()->message);
    char *s = csv_of(k), *w = whole_csv(p);
    cr_expect_str_neq(half, s, "the appended events are counted");
    cr_expect_str_eq(s, w);
    fu_free(half);
    fu_free(s);
    fu_free(w);
    fu_kpi_free(k);
    fu_book_free(b);
    free(in);
    fu_book_free(full);
    fu_policy_free(p);
}

/* Records after a borrowed book: the engine copies it into its own book and
 * releases it; the same figures as the whole book, also when copying books
 * from the start (FU_KPI_COPY_BOOKS) and when adding after a compute. */
Test(kpi_store, records_after_a_borrowed_book_give_the_whole_books_figures) {
    fu_policy *p = builtin();
    fu_book *full = fixture(1);
    size_t n;
    fu_event_in *in = inputs_of(full, &n);
    char *w = whole_csv(p);
    for (unsigned flags = 0; flags <= FU_KPI_COPY_BOOKS; flags += FU_KPI_COPY_BOOKS)
        for (int mid_compute = 0; mid_compute < 2; mid_compute++) {
            fu_book *b = fixture(0);
            cr_assert_eq(fu_book_add_events(b, in, n / 2), FU_OK);
            cr_assert_eq(fu_book_finalize(b), FU_OK);
            fu_kpi *k = engine(p, flags);
            cr_assert_eq(fu_kpi_add_book(k, b), FU_OK);
            if (mid_compute) fu_free(csv_of(k));
            cr_assert_eq(fu_kpi_add_events(k, in + n / 2, n - n / 2), FU_OK, "%s", fu_error_last()->message);
            fu_event_in e = one_event("V1", "2026-03-09T10:00:00+08:00", FU_EVENT_DELIVERY);
            cr_expect_eq(fu_book_add_event(b, &e), FU_OK, "no longer borrowed (flags %u)", flags);
            char *s = csv_of(k);
            cr_expect_str_eq(s, w, "flags %u, compute between: %d", flags, mid_compute);
            fu_free(s);
            fu_kpi_free(k);
            fu_book_free(b);
        }
    fu_free(w);
    free(in);
    fu_book_free(full);
    fu_policy_free(p);
}

/* Two answered contacts an hour apart: the second is over the 24 h gap
 * unless it was urgent (caps.exempt). Added after a compute, so it is
 * appended to the engine's finalized own book. */
Test(kpi_store, a_priority_given_after_a_compute_is_kept) {
    fu_policy *p = builtin();
    for (int urgent = 0; urgent < 2; urgent++) {
        fu_kpi *k = engine(p, 0);
        fu_event_in c1 = one_event("C1", "2026-03-03T10:00:00+08:00", FU_EVENT_CONTACT);
        fu_event_in c2 = one_event("C1", "2026-03-03T11:00:00+08:00", FU_EVENT_CONTACT);
        c1.outcome = c2.outcome = FU_OUTCOME_ANSWERED;
        c1.channel = c2.channel = FU_CHANNEL_PHONE;
        fu_priority normal = FU_PRIORITY_NORMAL, pr = urgent ? FU_PRIORITY_URGENT : FU_PRIORITY_NORMAL;
        cr_assert_eq(fu_kpi_add_events_priority(k, &c1, &normal, 1), FU_OK);
        size_t n;
        cr_assert_eq(fu_kpi_compute(k, &n), FU_OK);
        cr_assert_eq(fu_kpi_add_events_priority(k, &c2, &pr, 1), FU_OK);
        cr_assert_eq(fu_kpi_compute(k, &n), FU_OK);
        const fu_kpi_figure *f = fu_kpi_find(k, FU_KPI_OVER_CONTACT, "2026-W10", "unknown/unassigned");
        cr_assert_not_null(f);
        cr_expect_eq(f->n, 2.0);
        cr_expect_eq(f->value, urgent ? 0.0 : 0.5, "urgent %d: %g", urgent, f->value);
        fu_kpi_free(k);
    }
    fu_policy_free(p);
}

/* O1 (5000, ordinary in the book) given again with 600000: a VIP for the
 * engine, without a copy of the borrowed book. */
Test(kpi_store, a_customer_given_again_updates_its_tier) {
    fu_policy *p = builtin();
    fu_book *b = fixture(1);
    fu_kpi_options o = FU_KPI_OPTIONS_INIT;
    o.by = FU_KPI_BY_TIER;
    o.as_of = T("2026-04-30T00:00:00+08:00");
    fu_kpi *k = NULL;
    cr_assert_eq(fu_kpi_new(&k, p, &o), FU_OK);
    cr_assert_eq(fu_kpi_add_book(k, b), FU_OK);
    size_t n;
    cr_assert_eq(fu_kpi_compute(k, &n), FU_OK);
    cr_expect_eq(fu_kpi_find(k, FU_KPI_COVERAGE, "2026-W10", "vip")->n, 1.0);
    fu_customer c;
    fu_customer_init(&c);
    c.id = "O1";
    c.annual_spend = 600000;
    cr_assert_eq(fu_kpi_add_customers(k, &c, 1), FU_OK);
    fu_event_in e = one_event("V1", "2026-03-09T10:00:00+08:00", FU_EVENT_DELIVERY);
    cr_expect_eq(fu_book_add_event(b, &e), FU_ESTATE, "still borrowed: an update needs no copy");
    cr_assert_eq(fu_kpi_compute(k, &n), FU_OK);
    cr_expect_eq(fu_kpi_find(k, FU_KPI_COVERAGE, "2026-W10", "vip")->n, 2.0);
    cr_expect_eq(fu_kpi_find(k, FU_KPI_COVERAGE, "2026-W10", "ordinary")->n, 2.0);
    fu_kpi_free(k);
    fu_book_free(b);
    fu_policy_free(p);
}

/* Contacts whose priorities come from an events CSV's `priority` column
 * count as if given with fu_kpi_add_events_priority(): the same figures
 * from the borrowed CSV book, from a copy of it (FU_KPI_COPY_BOOKS) and
 * from the API. By hand: O1's three answered phone contacts an hour apart
 * (the second urgent, exempt from the 24 h gap; the third normal: over),
 * V1's two (the second given no priority: normal, over). */
Test(kpi_store, priorities_of_a_csv_book_equal_the_api_path) {
    static const char ev[] = "customer_id,at,kind,channel,outcome,agent_id,priority\n"
                             "O1,2026-03-03T10:00:00+08:00,contact,phone,answered,A1,normal\n"
                             "O1,2026-03-03T11:00:00+08:00,contact,phone,answered,A1,Urgent\n"
                             "O1,2026-03-03T12:00:00+08:00,contact,phone,answered,A1,normal\n"
                             "V1,2026-03-04T10:00:00+08:00,contact,phone,answered,A2,low\n"
                             "V1,2026-03-04T11:00:00+08:00,contact,phone,answered,A2,\n";
    /* in the book's order: V1 (customer 0) first */
    static const fu_priority pr[5] = {FU_PRIORITY_LOW, FU_PRIORITY_NORMAL, FU_PRIORITY_NORMAL,
                                      FU_PRIORITY_URGENT, FU_PRIORITY_NORMAL};
    fu_policy *p = builtin();
    char *out[3] = {NULL, NULL, NULL};
    for (int way = 0; way < 3; way++) {
        fu_book *b = fixture(0);
        if (way < 2)
            cr_assert_eq(fu_book_read_events_csv_from_string(b, ev, strlen(ev), "ev.csv"), FU_OK, "%s",
                         fu_error_last()->message);
        fu_kpi *k = engine(p, way == 1 ? FU_KPI_COPY_BOOKS : 0u);
        cr_assert_eq(fu_kpi_add_book(k, b), FU_OK);
        if (way == 2) {
            fu_book *src = fixture(0);
            cr_assert_eq(fu_book_read_events_csv_from_string(src, ev, strlen(ev), "ev.csv"), FU_OK);
            size_t n;
            fu_event_in *in = inputs_of(src, &n);
            cr_assert_eq(n, 5);
            cr_assert_str_eq(in[0].customer_id, "V1");
            cr_assert_eq(in[3].at, T("2026-03-03T11:00:00+08:00"));
            cr_assert_eq(fu_kpi_add_events_priority(k, in, pr, n), FU_OK, "%s", fu_error_last()->message);
            free(in);
            fu_book_free(src);
        }
        size_t nf;
        cr_assert_eq(fu_kpi_compute(k, &nf), FU_OK, "%s", fu_error_last()->message);
        const fu_kpi_figure *o1 = fu_kpi_find(k, FU_KPI_OVER_CONTACT, "2026-W10", "ordinary/A1");
        const fu_kpi_figure *v1 = fu_kpi_find(k, FU_KPI_OVER_CONTACT, "2026-W10", "vip/A2");
        cr_assert(o1 && v1, "way %d", way);
        cr_expect_eq(o1->n, 3.0);
        cr_expect_float_eq(o1->value, 1.0 / 3.0, 1e-12, "way %d: %g (2/3: the urgent one counted over)", way,
                           o1->value);
        cr_expect_eq(v1->n, 2.0);
        cr_expect_float_eq(v1->value, 0.5, 1e-12, "way %d", way);
        cr_assert_eq(fu_kpi_write_csv_to_string(k, NULL, &out[way]), FU_OK);
        fu_kpi_free(k);
        fu_book_free(b);
    }
    cr_expect_str_eq(out[0], out[2], "borrowed CSV book vs fu_kpi_add_events_priority");
    cr_expect_str_eq(out[1], out[2], "copied CSV book vs fu_kpi_add_events_priority");
    for (int i = 0; i < 3; i++) fu_free(out[i]);
    fu_policy_free(p);
}
