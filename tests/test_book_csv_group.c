/* Grouping a book's events by customer at finalize (lib/book_group.c,
 * lib/book.c): the per-customer counts the CSV block reader keeps while it
 * adds (used when nothing dropped or undid events, else the runs are
 * counted), against the serial reader's book, including files whose size
 * estimate is wrong either way; and the grouping, time sort and duplicate
 * pass against an independent stable sort of the added events. */
#include "fu_test.h"
#include "book_internal.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state = 0x2545F4914F6CDD1Dull;

static uint64_t rnd(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static unsigned pick(unsigned n) { return (unsigned)(rnd() % n); }

typedef struct text {
    char *s;
    size_t len, cap;
} text;

static void puts_(text *t, const char *s) {
    size_t n = strlen(s);
    if (t->len + n + 1 > t->cap) {
        t->cap = (t->len + n + 1) * 2;
        t->s = realloc(t->s, t->cap);
        cr_assert_not_null(t->s);
    }
    memcpy(t->s + t->len, s, n + 1);
    t->len += n;
}

/* `rows` events of customers C0..C(ncust - 1) at random (or in turn), at
 * times with many repeats, a note of `note` bytes, exact repeats of the
 * line before one in `dup_every` (0: none). */
static void put_events(text *t, unsigned rows, unsigned ncust, int in_turn, size_t note, unsigned dup_every) {
    char line[600], prev[600] = "", pad[400];
    memset(pad, 'n', sizeof pad);
    pad[note < sizeof pad ? note : sizeof pad - 1] = '\0';
    for (unsigned i = 0; i < rows; i++) {
        if (dup_every && prev[0] && pick(dup_every) == 0) {
            puts_(t, prev);
            continue;
        }
        unsigned c = in_turn ? i % ncust : pick(ncust);
        snprintf(line, sizeof line, "C%u,2026-02-%02uT%02u:00:00Z,purchase,O%u,%u,%s\n", c, 1 + pick(3), pick(3),
                 pick(40), i, pad);
        puts_(t, line);
        snprintf(prev, sizeof prev, "%s", line);
    }
}

static const char EV_HEAD[] = "customer_id,at,kind,order_id,amount,note\n";

typedef struct outcome {
    int rc;
    char *events, *customers;
    size_t nev, ncust, dups, created;
    size_t counted; /* finalizes (of the last events read) that took the kept counts */
} outcome;

/* A book: the customers CSV (NULL: none), then each events text in turn,
 * read serially (threads -1) or in blocks of `block` bytes on 1 or 2
 * threads. */
static outcome read_book(int threads, size_t block, const text *cust, const text *ev, int nev_files,
                         unsigned flags) {
    fu__book_csv_tune(threads, block);
    fu_book_options o = FU_BOOK_OPTIONS_INIT;
    o.flags = flags;
    fu_book *b = NULL;
    cr_assert_eq(fu_book_new(&b, &o), FU_OK);
    outcome r;
    memset(&r, 0, sizeof r);
    if (cust) cr_assert_eq(fu_book_read_customers_csv_from_string(b, cust->s, cust->len, "c.csv"), FU_OK);
    for (int i = 0; i < nev_files && r.rc == FU_OK; i++) {
        size_t before = fu__book_group_counted();
        r.rc = fu_book_read_events_csv_from_string(b, ev[i].s, ev[i].len, "e.csv");
        r.counted = fu__book_group_counted() - before;
    }
    cr_assert_eq(r.rc, FU_OK, "%s", fu_error_last()->message);
    size_t n;
    cr_assert_eq(fu_book_write_events_csv_to_string(b, &n, &r.events), FU_OK);
    cr_assert_eq(fu_book_write_customers_csv_to_string(b, &n, &r.customers), FU_OK);
    fu_book_stats st;
    fu_book_get_stats(b, &st);
    r.nev = st.events;
    r.ncust = st.customers;
    r.dups = st.duplicates_dropped;
    r.created = st.customers_created;
    fu_book_free(b);
    fu__book_csv_tune(0, 0);
    return r;
}

static void same_book(const outcome *want, const outcome *got, const char *what) {
    cr_assert_str_eq(got->events, want->events, "%s: the events differ", what);
    cr_assert_str_eq(got->customers, want->customers, "%s: the customers differ", what);
    cr_assert_eq(got->nev, want->nev, "%s", what);
    cr_assert_eq(got->ncust, want->ncust, "%s", what);
    cr_assert_eq(got->dups, want->dups, "%s", what);
    cr_assert_eq(got->created, want->created, "%s", what);
}

static void free_outcome(outcome *o) {
    free(o->events);
    free(o->customers);
}

/* Customers out of order and in turn, known (a customers file read first),
 * created by the events, or both, and a second events file into the same
 * book (its counts start past the first file's events): every block mode
 * makes the serial reader's book, and the block reads take their counts. */
Test(book_csv_group, kept_counts_make_the_serial_readers_book) {
    text cust = {0};
    puts_(&cust, "customer_id,tz\n");
    for (unsigned c = 0; c < 300; c += 3) {
        char line[64];
        snprintf(line, sizeof line, "C%u,UTC\n", c);
        puts_(&cust, line);
    }
    static const struct {
        int threads;
        size_t block;
    } modes[] = {{1, 4096}, {2, 4096}, {1, 300}, {2, 1000}, {1, 0}};
    for (int iter = 0; iter < 12; iter++) {
        text ev[2] = {{0}, {0}};
        int files = 1 + (iter & 1);
        for (int f = 0; f < files; f++) {
            puts_(&ev[f], EV_HEAD);
            put_events(&ev[f], 1500 + pick(3000), iter % 3 == 0 ? 100 : 300, iter % 4 == 2, pick(20), 12);
        }
        /* iter % 3 == 0: no customers file (the events create C0..C99);
         * else every third of C0..C299 known, the others created */
        const text *c = iter % 3 == 0 ? NULL : &cust;
        outcome serial = read_book(-1, 0, c, ev, files, FU_BOOK_CREATE_CUSTOMERS);
        cr_assert_eq(serial.counted, 0); /* the serial reader keeps no counts */
        cr_assert_gt(serial.dups, 0);
        for (size_t m = 0; m < sizeof modes / sizeof *modes; m++) {
            char what[96];
            snprintf(what, sizeof what, "file %d, %d thread(s), blocks of %zu", iter, modes[m].threads,
                     modes[m].block);
            outcome o = read_book(modes[m].threads, modes[m].block, c, ev, files, FU_BOOK_CREATE_CUSTOMERS);
            same_book(&serial, &o, what);
            /* a file in one block reserves no room: the array may fill
             * and drop duplicates on the way (then the runs are counted) */
            if (modes[m].block) cr_assert_eq(o.counted, 1, "%s: the block read took its counts", what);
            else cr_assert_leq(o.counted, 1, "%s", what);
            free_outcome(&o);
        }
        free_outcome(&serial);
        for (int f = 0; f < files; f++) free(ev[f].s);
    }
    free(cust.s);
}

/* The block reader sizes the event array from the first block's bytes an
 * event. Too few (long rows first, then many short ones with repeats): the
 * array fills, the duplicates are dropped on the way, and finalize counts
 * the runs instead of the kept counts; too many (short rows first): the
 * counts are taken. The serial reader's book either way. */
Test(book_csv_group, size_estimate_wrong_either_way) {
    for (int way = 0; way < 2; way++) {
        text ev = {0};
        puts_(&ev, EV_HEAD);
        if (way == 0) {
            put_events(&ev, 12, 50, 0, 330, 0);       /* about 4 KiB of long rows */
            put_events(&ev, 30000, 500, 0, 0, 4);     /* then short ones, a quarter repeated */
        } else {
            put_events(&ev, 120, 50, 0, 0, 0);        /* about 4 KiB of short rows */
            put_events(&ev, 3000, 500, 0, 330, 8);    /* then long ones */
        }
        outcome serial = read_book(-1, 0, NULL, &ev, 1, FU_BOOK_CREATE_CUSTOMERS);
        cr_assert_gt(serial.dups, 0);
        for (int threads = 1; threads <= 2; threads++) {
            outcome o = read_book(threads, 4096, NULL, &ev, 1, FU_BOOK_CREATE_CUSTOMERS);
            char what[64];
            snprintf(what, sizeof what, "estimate too %s, %d thread(s)", way == 0 ? "low" : "high", threads);
            same_book(&serial, &o, what);
            /* too low: duplicates dropped while adding spoil the counts */
            cr_assert_eq(o.counted, way == 0 ? 0u : 1u, "%s: counts taken %zu", what, o.counted);
            free_outcome(&o);
        }
        /* duplicates kept: nothing is dropped on the way, the counts hold */
        outcome keep_s = read_book(-1, 0, NULL, &ev, 1, FU_BOOK_CREATE_CUSTOMERS | FU_BOOK_KEEP_DUPLICATES);
        outcome keep_b = read_book(1, 4096, NULL, &ev, 1, FU_BOOK_CREATE_CUSTOMERS | FU_BOOK_KEEP_DUPLICATES);
        same_book(&keep_s, &keep_b, "duplicates kept");
        cr_assert_eq(keep_b.counted, 1);
        cr_assert_eq(keep_b.dups, 0);
        free_outcome(&keep_s);
        free_outcome(&keep_b);
        free_outcome(&serial);
        free(ev.s);
    }
}

/* ---- finalize against an independent stable sort ---- */

typedef struct added {
    unsigned cust, seq;
    int64_t at;
    double amount; /* tells the events apart (a repeat has its original's) */
} added;

static int by_customer_time_seq(const void *pa, const void *pb) {
    const added *a = pa, *b = pb;
    if (a->cust != b->cust) return a->cust < b->cust ? -1 : 1;
    if (a->at != b->at) return a->at < b->at ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Events added one call at a time in random customer order (runs of one
 * to a few events), with long runs of equal times (past the 16 a run the
 * duplicate pass compares pairwise) and customers of more than 32 events
 * (past the insertion sort), some repeated exactly: each customer's events
 * come out in time order, ties in the order added, exact repeats dropped
 * (the first kept) unless kept. */
Test(book_csv_group, finalize_groups_customers_added_out_of_order) {
    for (int keep = 0; keep < 2; keep++) {
        fu_book_options o = FU_BOOK_OPTIONS_INIT;
        o.flags = keep ? FU_BOOK_KEEP_DUPLICATES : 0;
        fu_book *b = NULL;
        cr_assert_eq(fu_book_new(&b, &o), FU_OK);
        enum { NC = 40, NE = 6000 };
        char ids[NC][16];
        for (unsigned c = 0; c < NC; c++) {
            fu_customer cu;
            fu_customer_init(&cu);
            snprintf(ids[c], sizeof ids[c], "K%02u", c);
            cu.id = ids[c];
            cu.tz = "UTC";
            cr_assert_eq(fu_book_add_customer(b, &cu, NULL), FU_OK);
        }
        added *v = calloc(NE, sizeof *v);
        cr_assert_not_null(v);
        size_t n = 0;
        while (n < NE) {
            unsigned c = pick(4) ? pick(NC / 4) : pick(NC); /* a quarter of the customers get most */
            unsigned run = 1 + pick(3);
            for (unsigned r = 0; r < run && n < NE; r++, n++) {
                if (n && pick(10) == 0) { /* an exact repeat of an earlier event */
                    v[n] = v[pick((unsigned)n)];
                } else {
                    v[n].cust = c;
                    v[n].at = 1767225600 + 60 * (int64_t)pick(pick(2) ? 3 : 400);
                    v[n].amount = (double)n;
                }
                v[n].seq = (unsigned)n;
                fu_event_in e;
                fu_event_in_init(&e);
                e.customer_id = ids[v[n].cust];
                e.at = v[n].at;
                e.amount = v[n].amount;
                cr_assert_eq(fu_book_add_event(b, &e), FU_OK);
            }
        }
        cr_assert_eq(fu_book_finalize(b), FU_OK);
        qsort(v, n, sizeof *v, by_customer_time_seq);
        size_t w = 0; /* drop exact repeats: same customer, time and amount, the first kept */
        for (size_t i = 0; i < n; i++) {
            int dup = 0;
            for (size_t j = w; !keep && j-- > 0 && v[j].cust == v[i].cust && v[j].at == v[i].at;)
                if (v[j].amount == v[i].amount) dup = 1;
            if (!dup) v[w++] = v[i];
        }
        cr_assert_eq(fu_book_event_count(b), w, "%zu events, %zu expected", fu_book_event_count(b), w);
        size_t k = 0;
        unsigned long_custs = 0, long_ties = 0;
        for (unsigned c = 0; c < NC; c++) {
            const fu_event *evs;
            size_t cnt;
            cr_assert_eq(fu_book_customer_events(b, c, &evs, &cnt), FU_OK);
            long_custs += cnt > 32;
            for (size_t i = 0; i < cnt; i++, k++) {
                cr_assert_eq(v[k].cust, c, "customer %u event %zu", c, i);
                cr_assert_eq(evs[i].at, v[k].at, "customer %u event %zu", c, i);
                cr_assert_eq(evs[i].amount, v[k].amount, "customer %u event %zu", c, i);
                size_t tie = 1;
                while (i >= tie && evs[i - tie].at == evs[i].at) tie++;
                long_ties += tie == 17;
            }
        }
        cr_assert_eq(k, w);
        cr_assert_gt(long_custs, 0); /* the paths past the small sorts were taken */
        cr_assert_gt(long_ties, 0);
        free(v);
        fu_book_free(b);
    }
}
