/* Appending to a finalized (and borrowed) book: fu_book_append_events() and
 * fu_book_generation(). A book built in one go and a book built, finalized
 * and then appended to must hold the same events in the same order. */
#include "fu_test.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DATA FU_TEST_SRCDIR "/data/book/"
#define SAMPLE FU_TEST_SRCDIR "/../examples/sample/"

static fu_book *new_book(unsigned int flags) {
    fu_book_options o = FU_BOOK_OPTIONS_INIT;
    o.flags = flags | FU_BOOK_WRITE_RAW_NOTES;
    fu_book *b = NULL;
    cr_assert_eq(fu_book_new(&b, &o), FU_OK);
    return b;
}

static const char *const IDS[] = {"A", "B", "C"};

static void add_customers(fu_book *b) {
    for (size_t i = 0; i < 3; i++) {
        fu_customer c;
        fu_customer_init(&c);
        c.id = IDS[i];
        c.tz = "Asia/Shanghai";
        cr_assert_eq(fu_book_add_customer(b, &c, NULL), FU_OK, "%s", fu_error_last()->message);
    }
}

/* A hand-made history: out of order, equal times, exact duplicates (within
 * the first part, within the second, and across the two), strings shared. */
#define NEV 14
static fu_event_in hand_event(size_t i) {
    static const struct {
        int cust;
        int64_t at;
        fu_event_kind kind;
        const char *order, *note;
        double amount;
    } T[NEV] = {
        {1, 500, FU_EVENT_PURCHASE, "O1", NULL, 10},   {0, 300, FU_EVENT_FAULT, "O2", "x", NAN},
        {0, 100, FU_EVENT_CONTACT, NULL, "call", NAN}, {1, 500, FU_EVENT_PURCHASE, "O1", NULL, 10},
        {2, 700, FU_EVENT_INQUIRY, NULL, NULL, NAN},   {0, 300, FU_EVENT_FAULT, "O3", "x", NAN},
        {0, 300, FU_EVENT_FAULT, "O2", "x", NAN},      {0, 200, FU_EVENT_REPAIR, "O9", "new", NAN},
        {1, 500, FU_EVENT_PURCHASE, "O1", NULL, 10},   {1, 400, FU_EVENT_PURCHASE, "O1", NULL, 12},
        {2, 700, FU_EVENT_INQUIRY, NULL, "again", NAN}, {0, 900, FU_EVENT_RESOLVED, "O2", NULL, NAN},
        {2, 700, FU_EVENT_INQUIRY, NULL, "again", NAN}, {1, 500, FU_EVENT_DELIVERY, "O1", NULL, NAN},
    };
    fu_event_in e;
    fu_event_in_init(&e);
    e.customer_id = IDS[T[i].cust];
    e.at = T[i].at;
    e.kind = T[i].kind;
    e.order_id = T[i].order;
    e.note = T[i].note;
    e.amount = T[i].amount;
    if (T[i].kind == FU_EVENT_CONTACT) e.channel = FU_CHANNEL_PHONE, e.outcome = FU_OUTCOME_ANSWERED;
    return e;
}

static char *events_csv(const fu_book *b) {
    char *s = NULL;
    cr_assert_eq(fu_book_write_events_csv_to_string(b, NULL, &s), FU_OK, "%s", fu_error_last()->message);
    return s;
}

/* Same events in the same order, field by field (string ids may differ). */
static void assert_same_events(const fu_book *x, const fu_book *y) {
    size_t nx, ny;
    const fu_event *ex = fu_book_events(x, &nx), *ey = fu_book_events(y, &ny);
    cr_assert_eq(nx, ny, "%zu events vs %zu", nx, ny);
    for (size_t i = 0; i < nx; i++) {
        const fu_event *a = &ex[i], *b = &ey[i];
        cr_assert_eq(a->customer, b->customer, "event %zu", i);
        cr_assert_eq(a->at, b->at, "event %zu", i);
        cr_assert_eq(a->kind, b->kind, "event %zu", i);
        cr_assert(memcmp(&a->amount, &b->amount, sizeof a->amount) == 0, "event %zu", i);
        cr_assert(memcmp(&a->unit_price, &b->unit_price, sizeof a->unit_price) == 0, "event %zu", i);
        cr_assert(memcmp(&a->score, &b->score, sizeof a->score) == 0, "event %zu", i);
        cr_assert_eq(a->severity, b->severity);
        cr_assert_eq(a->channel, b->channel);
        cr_assert_eq(a->outcome, b->outcome);
        cr_assert_eq(a->survey, b->survey);
        const uint32_t sa[] = {a->order_id, a->product_class, a->agent_id, a->note};
        const uint32_t sb[] = {b->order_id, b->product_class, b->agent_id, b->note};
        for (int k = 0; k < 4; k++) {
            const char *ta = fu_book_string(x, sa[k]), *tb = fu_book_string(y, sb[k]);
            cr_assert((!ta && !tb) || (ta && tb && strcmp(ta, tb) == 0), "event %zu string %d", i, k);
        }
    }
    size_t nc = fu_book_customer_count(x);
    cr_assert_eq(nc, fu_book_customer_count(y));
    const size_t *ox = fu_book_event_offsets(x), *oy = fu_book_event_offsets(y);
    cr_assert_not_null(ox);
    cr_assert_not_null(oy);
    for (size_t c = 0; c <= nc; c++) cr_assert_eq(ox[c], oy[c], "offset %zu", c);
    fu_book_stats sx, sy;
    fu_book_get_stats(x, &sx);
    fu_book_get_stats(y, &sy);
    cr_assert_eq(sx.events, sy.events);
    cr_assert_eq(sx.duplicates_dropped, sy.duplicates_dropped, "%zu vs %zu dropped", sx.duplicates_dropped,
                 sy.duplicates_dropped);
    char *cx = events_csv(x), *cy = events_csv(y);
    cr_assert_str_eq(cx, cy);
    free(cx);
    free(cy);
}

static fu_book *hand_one_go(unsigned int flags) {
    fu_book *b = new_book(flags);
    add_customers(b);
    fu_event_in ev[NEV];
    for (size_t i = 0; i < NEV; i++) ev[i] = hand_event(i);
    cr_assert_eq(fu_book_add_events(b, ev, NEV), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(fu_book_finalize(b), FU_OK);
    return b;
}

/* The first `split` events added and finalized, the rest appended `chunk`
 * at a time. */
static fu_book *hand_appended(unsigned int flags, size_t split, size_t chunk) {
    fu_book *b = new_book(flags);
    add_customers(b);
    fu_event_in ev[NEV];
    for (size_t i = 0; i < NEV; i++) ev[i] = hand_event(i);
    cr_assert_eq(fu_book_add_events(b, ev, split), FU_OK);
    cr_assert_eq(fu_book_finalize(b), FU_OK);
    for (size_t i = split; i < NEV; i += chunk) {
        size_t k = NEV - i < chunk ? NEV - i : chunk;
        uint64_t g = fu_book_generation(b);
        cr_assert_eq(fu_book_append_events(b, ev + i, k), FU_OK, "%s", fu_error_last()->message);
        cr_assert_neq(fu_book_generation(b), g);
        cr_assert(fu_book_is_finalized(b));
    }
    return b;
}

Test(book_append, hand_made_equals_one_go) {
    for (int keep = 0; keep < 2; keep++) {
        unsigned int flags = keep ? FU_BOOK_KEEP_DUPLICATES : 0;
        fu_book *whole = hand_one_go(flags);
        fu_book_stats st;
        fu_book_get_stats(whole, &st);
        /* hand count: 3 copies of (B,500,purchase,O1) -> 1, two of (A,300,fault,O2,x), two of (C,700,"again") */
        cr_assert_eq(st.events, keep ? NEV : NEV - 4, "%zu", st.events);
        for (size_t split = 0; split <= NEV; split++)
            for (size_t chunk = 1; chunk <= NEV; chunk += 3) {
                fu_book *b = hand_appended(flags, split, chunk);
                assert_same_events(whole, b);
                fu_book_free(b);
            }
        fu_book_free(whole);
    }
}

Test(book_append, order_by_hand) {
    fu_book *b = hand_appended(0, 7, 2);
    const fu_event *e;
    size_t n;
    cr_assert_eq(fu_book_customer_events(b, 0, &e, &n), FU_OK);
    /* A: contact@100, repair@200, fault O2@300, fault O3@300, resolved@900 */
    cr_assert_eq(n, 5);
    int64_t at[] = {100, 200, 300, 300, 900};
    for (size_t i = 0; i < n; i++) cr_assert_eq(e[i].at, at[i]);
    cr_assert_str_eq(fu_book_string(b, e[2].order_id), "O2");
    cr_assert_str_eq(fu_book_string(b, e[3].order_id), "O3");
    cr_assert_eq(fu_book_customer_events(b, 1, &e, &n), FU_OK);
    /* B: purchase@400, purchase@500, delivery@500 (appended after the purchase) */
    cr_assert_eq(n, 3);
    cr_assert_eq(e[0].at, 400);
    cr_assert_eq(e[2].kind, FU_EVENT_DELIVERY);
    fu_book_free(b);
}

/* All or nothing: a bad event anywhere leaves the book as it was. */
Test(book_append, all_or_nothing) {
    fu_book *b = hand_one_go(0);
    char *before = events_csv(b);
    uint64_t g = fu_book_generation(b);
    fu_book_stats s0;
    fu_book_get_stats(b, &s0);
    fu_event_in ev[3] = {hand_event(0), hand_event(4), hand_event(7)};
    ev[0].at = 5000; /* new */
    ev[1].at = 6000;
    ev[2].customer_id = "nobody";
    cr_assert_eq(fu_book_append_events(b, ev, 3), FU_ENOTFOUND);
    cr_assert(strncmp(fu_error_last()->message, "event 2: ", 9) == 0, "%s", fu_error_last()->message);
    ev[2] = hand_event(7);
    ev[2].kind = (fu_event_kind)99;
    cr_assert_eq(fu_book_append_events(b, ev, 3), FU_EINVAL);
    cr_assert(strncmp(fu_error_last()->message, "event 2: ", 9) == 0, "%s", fu_error_last()->message);
    ev[2] = hand_event(7);
    ev[1].amount = INFINITY;
    cr_assert_eq(fu_book_append_events(b, ev, 3), FU_ERANGE);
    cr_assert(strncmp(fu_error_last()->message, "event 1: ", 9) == 0, "%s", fu_error_last()->message);
    cr_assert_eq(fu_book_append_events(NULL, ev, 1), FU_EINVAL);
    cr_assert_eq(fu_book_append_events(b, NULL, 1), FU_EINVAL);
    cr_assert_eq(fu_book_generation(b), g);
    fu_book_stats s1;
    fu_book_get_stats(b, &s1);
    cr_assert_eq(s1.events, s0.events);
    cr_assert_eq(s1.duplicates_dropped, s0.duplicates_dropped);
    cr_assert(fu_book_is_finalized(b));
    char *after = events_csv(b);
    cr_assert_str_eq(before, after);
    cr_assert_eq(fu_book_append_events(b, ev, 0), FU_OK);
    free(before);
    free(after);
    fu_book_free(b);
}

/* Appending to a book not finalized finalizes it first; created customers. */
Test(book_append, unfinalized_and_created_customers) {
    fu_book *whole = new_book(FU_BOOK_CREATE_CUSTOMERS);
    fu_book *b = new_book(FU_BOOK_CREATE_CUSTOMERS);
    add_customers(whole);
    add_customers(b);
    fu_event_in ev[NEV + 1];
    for (size_t i = 0; i < NEV; i++) ev[i] = hand_event(i);
    ev[NEV] = hand_event(2);
    ev[NEV].customer_id = "D"; /* created */
    cr_assert_eq(fu_book_add_events(whole, ev, NEV + 1), FU_OK);
    cr_assert_eq(fu_book_finalize(whole), FU_OK);
    cr_assert_eq(fu_book_add_events(b, ev, 5), FU_OK);
    cr_assert_eq(fu_book_append_events(b, ev + 5, NEV - 4), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(fu_book_customer_count(b), 4);
    fu_book_stats st;
    fu_book_get_stats(b, &st);
    cr_assert_eq(st.customers_created, 1);
    assert_same_events(whole, b);
    fu_book_free(whole);
    fu_book_free(b);
}

/* While a planner borrows the book, appends are the one change accepted. */
Test(book_append, borrowed_book) {
    fu_book *b = hand_one_go(FU_BOOK_CREATE_CUSTOMERS);
    fu_policy *pol = fu_test_policy(NULL);
    fu_planner *pl = NULL;
    cr_assert_eq(fu_planner_new(&pl, pol, b, NULL), FU_OK, "%s", fu_error_last()->message);
    fu_event_in e = hand_event(4);
    e.at = 800;
    cr_assert_eq(fu_book_add_events(b, &e, 1), FU_ESTATE);
    cr_assert_eq(fu_book_finalize(b), FU_OK); /* finalized already: nothing to do */
    fu_customer c;
    fu_customer_init(&c);
    c.id = "Z";
    c.tz = "UTC";
    cr_assert_eq(fu_book_add_customer(b, &c, NULL), FU_ESTATE);
    size_t n0 = fu_book_event_count(b);
    uint64_t g = fu_book_generation(b);
    cr_assert_eq(fu_book_append_events(b, &e, 1), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(fu_book_event_count(b), n0 + 1);
    cr_assert_gt(fu_book_generation(b), g);
    const fu_event *ev;
    size_t n;
    cr_assert_eq(fu_book_customer_events(b, 2, &ev, &n), FU_OK);
    cr_assert_eq(ev[n - 1].at, 800);
    /* a borrowed book takes no new customer, even with CREATE_CUSTOMERS */
    e.customer_id = "new";
    g = fu_book_generation(b);
    cr_assert_eq(fu_book_append_events(b, &e, 1), FU_ESTATE);
    cr_assert(strncmp(fu_error_last()->message, "event 0: ", 9) == 0, "%s", fu_error_last()->message);
    cr_assert_eq(fu_book_customer_count(b), 3);
    cr_assert_eq(fu_book_generation(b), g);
    fu_planner_free(pl);
    /* free again: the book creates the customer */
    cr_assert_eq(fu_book_append_events(b, &e, 1), FU_OK);
    cr_assert_eq(fu_book_customer_count(b), 4);
    fu_policy_free(pol);
    fu_book_free(b);
}

/* The sample books: read in one go == the first half read, the rest appended. */
static void sample_split(const char *dir, size_t chunks) {
    char path[512];
    snprintf(path, sizeof path, "%s/customers.csv", dir);
    size_t clen, elen;
    char *ctext = fu_test_read_file(path, &clen);
    snprintf(path, sizeof path, "%s/events.csv", dir);
    char *etext = fu_test_read_file(path, &elen);
    cr_assert_not_null(ctext);
    cr_assert_not_null(etext);
    fu_book *whole = new_book(0), *b = new_book(0), *rest = new_book(FU_BOOK_KEEP_DUPLICATES);
    fu_book *books[] = {whole, b, rest};
    for (int i = 0; i < 3; i++)
        cr_assert_eq(fu_book_read_customers_csv_from_string(books[i], ctext, clen, "c"), FU_OK);
    cr_assert_eq(fu_book_read_events_csv_from_string(whole, etext, elen, "e"), FU_OK);
    /* split the rows at a line in the middle */
    const char *hdr_end = strchr(etext, '\n') + 1;
    const char *mid = strchr(etext + elen / 2, '\n') + 1;
    size_t hlen = (size_t)(hdr_end - etext), flen = (size_t)(mid - etext);
    cr_assert_eq(fu_book_read_events_csv_from_string(b, etext, flen, "e1"), FU_OK);
    char *second = malloc(hlen + elen - flen + 1);
    memcpy(second, etext, hlen);
    memcpy(second + hlen, mid, elen - flen);
    cr_assert_eq(fu_book_read_events_csv_from_string(rest, second, hlen + elen - flen, "e2"), FU_OK);
    /* the rest in its stored order (by customer, then time, ties in file order) */
    size_t n;
    const fu_event *ev = fu_book_events(rest, &n);
    fu_event_in *in = calloc(n ? n : 1, sizeof *in);
    for (size_t i = 0; i < n; i++) {
        fu_event_in *o = &in[i];
        fu_event_in_init(o);
        o->customer_id = fu_book_customer(rest, ev[i].customer)->id;
        o->at = ev[i].at;
        o->kind = (fu_event_kind)ev[i].kind;
        o->order_id = fu_book_string(rest, ev[i].order_id);
        o->product_class = fu_book_string(rest, ev[i].product_class);
        o->agent_id = fu_book_string(rest, ev[i].agent_id);
        o->note = fu_book_string(rest, ev[i].note);
        o->unit_price = ev[i].unit_price;
        o->amount = ev[i].amount;
        o->score = ev[i].score;
        o->severity = (fu_severity)ev[i].severity;
        o->channel = (fu_channel)ev[i].channel;
        o->outcome = (fu_outcome)ev[i].outcome;
        o->survey = (fu_survey)ev[i].survey;
    }
    size_t step = n / chunks + 1;
    for (size_t i = 0; i < n; i += step)
        cr_assert_eq(fu_book_append_events(b, in + i, n - i < step ? n - i : step), FU_OK, "%s",
                     fu_error_last()->message);
    assert_same_events(whole, b);
    free(in);
    free(second);
    free(ctext);
    free(etext);
    for (int i = 0; i < 3; i++) fu_book_free(books[i]);
}

Test(book_append, sample_books_equal_one_go) {
    sample_split(SAMPLE "data", 1);
    sample_split(SAMPLE "data", 7);
    sample_split(SAMPLE "realistic", 3);
}

/* Out of memory anywhere in an append: FU_ENOMEM, the book unchanged, no leak. */
static int oom_append(void *ctx) {
    (void)ctx;
    fu_book *b = NULL;
    fu_book_options o = FU_BOOK_OPTIONS_INIT;
    int rc = fu_book_new(&b, &o);
    if (rc) return rc;
    for (size_t i = 0; i < 3 && !rc; i++) {
        fu_customer c;
        fu_customer_init(&c);
        c.id = IDS[i];
        c.tz = "UTC";
        rc = fu_book_add_customer(b, &c, NULL);
    }
    fu_event_in ev[NEV];
    for (size_t i = 0; i < NEV; i++) ev[i] = hand_event(i);
    if (!rc) rc = fu_book_add_events(b, ev, 6);
    if (!rc) rc = fu_book_finalize(b);
    size_t n0 = fu_book_event_count(b);
    uint64_t g = fu_book_generation(b);
    if (!rc) {
        ev[8].order_id = "a fresh string";
        rc = fu_book_append_events(b, ev + 6, NEV - 6);
        if (rc) {
            cr_assert_eq(fu_book_event_count(b), n0);
            cr_assert_eq(fu_book_generation(b), g);
            cr_assert(fu_book_is_finalized(b));
        }
    }
    fu_book_free(b);
    return rc;
}

Test(book_append, out_of_memory) { fu_test_oom_at_least("append", oom_append, NULL, 400, 5); }
