/* Ordinary misuse of the readers (issue 13, item 9): a directory given as
 * input, a huge field, and exact duplicate events dropped while streaming so
 * that memory follows the unique events. */
#include "csv_internal.h"
#include "fu_test.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

Test(misuse, directory_as_input_says_why) {
    fu_book *b = NULL;
    cr_assert_eq(fu_book_new(&b, NULL), FU_OK);
    cr_expect_eq(fu_book_read_customers_csv(b, "/tmp"), FU_EIO);
    const fu_error *e = fu_error_last();
    cr_expect_str_eq(e->source ? e->source : "", "/tmp");
    cr_expect(strstr(e->message, "Is a directory"), "%s", e->message);
    cr_expect_eq(fu_book_customer_count(b), 0);
    fu_book_free(b);
}

/* A 10 MB field: the error names the line, the column of the field and its
 * name, whether the field or the record limit is hit first. */
static void huge_field(size_t max_record, size_t max_field, const char *want) {
    size_t big = (size_t)10 << 20;
    const char *head = "customer_id,tz,industry\nC1,UTC,retail\nC2,UTC,";
    size_t hl = strlen(head);
    char *text = malloc(hl + big + 2);
    cr_assert_not_null(text);
    memcpy(text, head, hl);
    memset(text + hl, 'x', big);
    memcpy(text + hl + big, "\n", 2);
    char path[] = "/tmp/fu-misuse-XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    fwrite(text, 1, hl + big + 1, f);
    fclose(f);
    fu_book_options o = FU_BOOK_OPTIONS_INIT;
    o.max_record_bytes = max_record;
    o.max_field_bytes = max_field;
    fu_book *b = NULL;
    cr_assert_eq(fu_book_new(&b, &o), FU_OK);
    cr_expect_eq(fu_book_read_customers_csv(b, path), FU_ELIMIT);
    const fu_error *e = fu_error_last();
    cr_expect_eq(e->line, 3);
    cr_expect_str_eq(e->path ? e->path : "(none)", "industry", "%s", e->message);
    cr_expect(strstr(e->message, want), "%s", e->message);
    char msg[512];
    fu_error_format(msg, sizeof msg);
    cr_expect(strstr(msg, ":3:") && strstr(msg, "industry"), "%s", msg);
    /* and the same from memory */
    cr_expect_eq(fu_book_read_customers_csv_from_string(b, text, hl + big + 1, "mem"), FU_ELIMIT);
    cr_expect_str_eq(fu_error_last()->path ? fu_error_last()->path : "(none)", "industry");
    fu_book_free(b);
    unlink(path);
    free(text);
}

Test(misuse, huge_field_names_the_column) { huge_field(0, 0, "field longer than"); }

Test(misuse, huge_field_names_the_column_at_the_record_limit) {
    huge_field((size_t)1 << 20, (size_t)32 << 20, "record longer than");
}

/* 3 distinct events, each added 100,000 times: the book never holds more
 * than the 4,096 events of its first array (the duplicates are dropped each
 * time it fills up), far below the 16.8 MB that 300,000 events take. */
Test(misuse, duplicates_dropped_while_streaming) {
    fu_test_alloc_install(0);
    fu_book_options o = FU_BOOK_OPTIONS_INIT;
    o.flags = FU_BOOK_CREATE_CUSTOMERS;
    fu_book *b = NULL;
    cr_assert_eq(fu_book_new(&b, &o), FU_OK);
    fu_event_in e;
    for (int rep = 0; rep < 100000; rep++)
        for (int k = 0; k < 3; k++) {
            fu_event_in_init(&e);
            e.customer_id = k == 2 ? "C2" : "C1";
            e.at = 1767225600 + k;
            e.kind = k == 1 ? FU_EVENT_COMPLAINT : FU_EVENT_PURCHASE;
            e.note = "same note";
            cr_assert_eq(fu_book_add_event(b, &e), FU_OK);
        }
    fu_book_stats st;
    fu_book_get_stats(b, &st);
    cr_expect_leq(st.events, 4096);
    cr_expect_eq(st.events + st.duplicates_dropped, 300000);
    cr_expect_lt(fu_test_alloc_live_bytes(), (size_t)512 << 10, "live %zu bytes", fu_test_alloc_live_bytes());
    cr_assert_eq(fu_book_finalize(b), FU_OK);
    fu_book_get_stats(b, &st);
    cr_expect_eq(st.events, 3);
    cr_expect_eq(st.duplicates_dropped, 299997);
    /* an event added later that repeats one is dropped too */
    fu_event_in_init(&e);
    e.customer_id = "C2";
    e.at = 1767225602;
    e.kind = FU_EVENT_PURCHASE;
    e.note = "same note";
    cr_assert_eq(fu_book_add_event(b, &e), FU_OK);
    e.at++;
    cr_assert_eq(fu_book_add_event(b, &e), FU_OK); /* a new one */
    cr_assert_eq(fu_book_finalize(b), FU_OK);
    fu_book_get_stats(b, &st);
    cr_expect_eq(st.events, 4);
    cr_expect_eq(st.duplicates_dropped, 299998);
    fu_book_free(b);
    cr_expect_eq(fu_test_alloc_live(), 0);
    fu_test_alloc_uninstall();
}

/* The events stay in the order of addition (per customer, time order after
 * finalize); a failed bulk add after the array was compacted takes back
 * exactly its own events and duplicate counts. */
Test(misuse, compaction_keeps_order_and_rollback) {
    fu_book_options o = FU_BOOK_OPTIONS_INIT;
    o.flags = FU_BOOK_CREATE_CUSTOMERS;
    fu_book *b = NULL, *ref = NULL;
    cr_assert_eq(fu_book_new(&b, &o), FU_OK);
    o.flags |= FU_BOOK_KEEP_DUPLICATES;
    cr_assert_eq(fu_book_new(&ref, &o), FU_OK);
    /* 6,000 events: every third repeats the one before it, so the first
     * compaction (at 4,096) drops 1,365 */
    enum { N = 6000 };
    fu_event_in *in = calloc(N + 1, sizeof *in);
    char (*ids)[8] = calloc(N, sizeof *ids);
    for (int i = 0; i < N; i++) {
        int src = i % 3 == 2 ? i - 1 : i;
        snprintf(ids[i], sizeof ids[i], "C%d", (src * 7) % 50);
        fu_event_in_init(&in[i]);
        in[i].customer_id = ids[i];
        in[i].at = 1767225600 + (src * 13) % 1000; /* times out of order */
        in[i].kind = FU_EVENT_PURCHASE;
        in[i].amount = src;
    }
    cr_assert_eq(fu_book_add_events(b, in, 3000), FU_OK);
    /* the next bulk add fails at its last event: everything it added goes */
    fu_event_in_init(&in[N]);
    in[N].customer_id = "C1"; /* no time: invalid */
    fu_event_in *tail = calloc(N - 3000 + 1, sizeof *tail);
    memcpy(tail, in + 3000, (N - 3000) * sizeof *tail);
    tail[N - 3000] = in[N];
    fu_book_stats before, after;
    fu_book_get_stats(b, &before);
    cr_assert_neq(fu_book_add_events(b, tail, N - 3000 + 1), FU_OK);
    fu_book_get_stats(b, &after);
    /* the compaction ran inside the failed call and also dropped duplicates
     * of the first call: those stay dropped, the rest is as before */
    cr_expect_eq(after.events + after.duplicates_dropped, before.events + before.duplicates_dropped);
    cr_expect_leq(after.events, before.events);
    cr_assert_eq(fu_book_add_events(b, in + 3000, N - 3000), FU_OK);
    for (int i = 0; i < N; i++)
        if (i % 3 != 2) cr_assert_eq(fu_book_add_event(ref, &in[i]), FU_OK);
    cr_assert_eq(fu_book_finalize(b), FU_OK);
    cr_assert_eq(fu_book_finalize(ref), FU_OK);
    fu_book_get_stats(b, &after);
    cr_expect_eq(after.events, 4000);
    cr_expect_eq(after.duplicates_dropped, 2000);
    /* the same events in the same order as a book given only the unique ones */
    char *sb = NULL, *sr = NULL;
    cr_assert_eq(fu_book_write_events_csv_to_string(b, NULL, &sb), FU_OK);
    cr_assert_eq(fu_book_write_events_csv_to_string(ref, NULL, &sr), FU_OK);
    cr_expect_str_eq(sb, sr);
    fu_free(sb);
    fu_free(sr);
    fu_book_free(ref);
    fu_book_free(b);
    free(tail);
    free(ids);
    free(in);
}

Test(misuse, duplicates_in_a_csv_and_after_a_failed_read) {
    const char *ok = "customer_id,at,kind,amount\n"
                     "C1,2026-03-01T10:00:00Z,purchase,5\n"
                     "C1,2026-03-01T10:00:00Z,purchase,5\n"
                     "C1,2026-03-01T10:00:00Z,purchase,6\n"
                     "C1,2026-03-01T10:00:00Z,purchase,5\n";
    const char *bad = "customer_id,at,kind,amount\n"
                      "C1,2026-03-01T11:00:00Z,purchase,5\n"
                      "C1,2026-03-01T10:00:00Z,purchase,5\n"
                      "C1,not a time,purchase,5\n";
    fu_book_options o = FU_BOOK_OPTIONS_INIT;
    o.flags = FU_BOOK_CREATE_CUSTOMERS;
    fu_book *b = NULL;
    cr_assert_eq(fu_book_new(&b, &o), FU_OK);
    cr_assert_eq(fu_book_read_events_csv_from_string(b, ok, strlen(ok), "ok"), FU_OK);
    fu_book_stats st;
    fu_book_get_stats(b, &st);
    cr_expect_eq(st.events, 2);
    cr_expect_eq(st.duplicates_dropped, 2);
    /* a failed read adds nothing and counts nothing ... */
    cr_assert_neq(fu_book_read_events_csv_from_string(b, bad, strlen(bad), "bad"), FU_OK);
    fu_book_get_stats(b, &st);
    cr_expect_eq(st.events, 2);
    cr_expect_eq(st.duplicates_dropped, 2);
    /* ... and the set of seen events still holds exactly the stored ones */
    const char *again = "customer_id,at,kind,amount\n"
                        "C1,2026-03-01T11:00:00Z,purchase,5\n"
                        "C1,2026-03-01T10:00:00Z,purchase,6\n";
    cr_assert_eq(fu_book_read_events_csv_from_string(b, again, strlen(again), "again"), FU_OK);
    fu_book_get_stats(b, &st);
    cr_expect_eq(st.events, 3);
    cr_expect_eq(st.duplicates_dropped, 3);
    fu_book_free(b);
}

Test(misuse, keep_duplicates_keeps_them) {
    const char *text = "customer_id,at,kind\nC1,2026-03-01T10:00:00Z,purchase\nC1,2026-03-01T10:00:00Z,purchase\n";
    fu_book_options o = FU_BOOK_OPTIONS_INIT;
    o.flags = FU_BOOK_CREATE_CUSTOMERS | FU_BOOK_KEEP_DUPLICATES;
    fu_book *b = NULL;
    cr_assert_eq(fu_book_new(&b, &o), FU_OK);
    cr_assert_eq(fu_book_read_events_csv_from_string(b, text, strlen(text), "t"), FU_OK);
    cr_assert_eq(fu_book_finalize(b), FU_OK);
    cr_expect_eq(fu_book_event_count(b), 2);
    fu_book_free(b);
}
