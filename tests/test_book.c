/* The customer book: records, CSV formats, ordering, duplicates, errors. */
#include "fu_test.h"
#include "book_decode.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DATA FU_TEST_SRCDIR "/data/book/"

static fu_book *new_book(unsigned int flags) {
    fu_book_options o = FU_BOOK_OPTIONS_INIT;
    o.flags = flags;
    fu_book *b = NULL;
    cr_assert_eq(fu_book_new(&b, &o), FU_OK);
    cr_assert_not_null(b);
    return b;
}

static fu_book *fixture_book(unsigned int flags) {
    fu_book *b = new_book(flags);
    cr_assert_eq(fu_book_read_customers_csv(b, DATA "customers.csv"), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(fu_book_read_events_csv(b, DATA "events.csv"), FU_OK, "%s", fu_error_last()->message);
    return b;
}

static size_t find(const fu_book *b, const char *id) {
    size_t i = (size_t)-1;
    cr_assert_eq(fu_book_find_customer(b, id, strlen(id), &i), FU_OK, "no customer %s", id);
    return i;
}

/* ------------------------------------------------------------ enums */

Test(book, enum_names_round_trip) {
    for (int k = 0; k < FU_EVENT_KIND_COUNT; k++) {
        const char *n = fu_event_kind_name(k);
        cr_assert_not_null(n);
        fu_event_kind back;
        cr_assert_eq(fu_event_kind_from_string(n, strlen(n), &back), FU_OK);
        cr_assert_eq((int)back, k);
    }
    cr_assert_null(fu_event_kind_name(FU_EVENT_KIND_COUNT));
    cr_assert_null(fu_event_kind_name(-1));
    cr_assert_str_eq(fu_event_kind_name(FU_EVENT_COURSE_START), "course_start");
    cr_assert_str_eq(fu_event_kind_name(FU_EVENT_WARRANTY_END), "warranty_end");
    for (int c = 0; c < FU_CHANNEL_COUNT; c++) {
        fu_channel back;
        const char *n = fu_channel_name(c);
        cr_assert_eq(fu_channel_from_string(n, strlen(n), &back), FU_OK);
        cr_assert_eq((int)back, c);
    }
    fu_outcome o;
    cr_assert_eq(fu_outcome_from_string("No_Answer", 9, &o), FU_OK);
    cr_assert_eq(o, FU_OUTCOME_NO_ANSWER);
    fu_severity s;
    cr_assert_eq(fu_severity_from_string("", 0, &s), FU_OK);
    cr_assert_eq(s, FU_SEVERITY_NONE);
    cr_assert_eq(fu_severity_from_string("URGENT", 6, &s), FU_OK);
    cr_assert_eq(s, FU_SEVERITY_URGENT);
    fu_survey v;
    cr_assert_eq(fu_survey_from_string("nps", 3, &v), FU_OK);
    cr_assert_eq(v, FU_SURVEY_NPS);
    fu_event_kind k;
    cr_assert_eq(fu_event_kind_from_string("sale", 4, &k), FU_EPARSE);
    cr_assert(strstr(fu_error_last()->message, "unknown event kind 'sale'"));
    cr_assert(strstr(fu_error_last()->message, "purchase, delivery"));
    cr_assert_eq(fu_event_kind_from_string("", 0, &k), FU_EPARSE);
    cr_assert_eq(fu_event_kind_from_string(" purchase", 9, &k), FU_EPARSE);
    fu_tristate t;
    const char *yes[] = {"yes", "Y", "TRUE", "1"}, *no[] = {"no", "n", "False", "0"};
    for (int i = 0; i < 4; i++) {
        cr_assert_eq(fu_tristate_from_string(yes[i], strlen(yes[i]), &t), FU_OK);
        cr_assert_eq(t, FU_TRI_YES);
        cr_assert_eq(fu_tristate_from_string(no[i], strlen(no[i]), &t), FU_OK);
        cr_assert_eq(t, FU_TRI_NO);
    }
    cr_assert_eq(fu_tristate_from_string("unknown", 7, &t), FU_OK);
    cr_assert_eq(t, FU_TRI_UNKNOWN);
    cr_assert_eq(fu_tristate_from_string("maybe", 5, &t), FU_EPARSE);
}

Test(book, stored_event_is_compact) { cr_assert_eq(sizeof(fu_event), 56); }

static void same_customer(const fu_customer *a, const fu_customer *b) {
    const char *sa[] = {a->id, a->tz, a->industry, a->preferred_windows, a->dnd_windows, a->owner};
    const char *sb[] = {b->id, b->tz, b->industry, b->preferred_windows, b->dnd_windows, b->owner};
    for (int i = 0; i < 6; i++) {
        cr_assert_eq(!sa[i], !sb[i], "text %d: %s / %s", i, sa[i] ? sa[i] : "NULL", sb[i] ? sb[i] : "NULL");
        if (sa[i]) cr_assert_str_eq(sa[i], sb[i]);
    }
    cr_assert(memcmp(&a->annual_spend, &b->annual_spend, sizeof a->annual_spend) == 0, "spend %g / %g",
              a->annual_spend, b->annual_spend);
    cr_assert_eq(a->first_purchase_at, b->first_purchase_at);
    cr_assert_eq(a->is_smb, b->is_smb);
    cr_assert_eq(a->consent_phone, b->consent_phone);
    cr_assert_eq(a->consent_sms, b->consent_sms);
    cr_assert_eq(a->consent_email, b->consent_email);
}

/* Issue 19: customers are stored in 48 bytes (string ids, tri-states in a
 * byte) and decoded for fu_book_customer() into a cache: every field reads
 * back as given, the cache follows added customers and failed adds, and the
 * library's decoder (fu__book_customer_get) gives the same record. */
Test(book, customer_records_read_back_after_compaction) {
    fu_book *b = new_book(FU_BOOK_CREATE_CUSTOMERS);
    fu_customer in[3];
    for (int i = 0; i < 3; i++) fu_customer_init(&in[i]);
    in[0].id = "K1", in[0].tz = "Asia/Shanghai", in[0].annual_spend = 1234.5, in[0].first_purchase_at = 1700000000;
    in[0].industry = "retail", in[0].is_smb = FU_TRI_YES, in[0].consent_phone = FU_TRI_NO;
    in[0].consent_sms = FU_TRI_UNKNOWN, in[0].consent_email = FU_TRI_YES;
    in[0].preferred_windows = "Mon-Fri 09:00-12:00", in[0].dnd_windows = "Sat-Sun 00:00-24:00", in[0].owner = "A7";
    in[1].id = "K2", in[1].tz = "Europe/Berlin"; /* everything else absent: NaN spend, no time, unknown */
    in[2].id = "K3", in[2].tz = "Asia/Shanghai", in[2].annual_spend = 0.0, in[2].is_smb = FU_TRI_NO;
    in[2].industry = "retail", in[2].owner = "A7";
    cr_assert_eq(fu_book_add_customers(b, in, 2), FU_OK, "%s", fu_error_last()->message);
    const fu_customer *c0 = fu_book_customer(b, 0);
    cr_assert_not_null(c0);
    same_customer(c0, &in[0]);
    same_customer(fu_book_customer(b, 1), &in[1]);
    cr_assert(isnan(fu_book_customer(b, 1)->annual_spend));
    cr_assert_eq(fu_book_customer(b, 1)->industry, NULL);
    cr_assert_null(fu_book_customer(b, 2));
    /* added after the cache was made: the cache follows */
    cr_assert_eq(fu_book_add_customer(b, &in[2], NULL), FU_OK);
    same_customer(fu_book_customer(b, 2), &in[2]);
    cr_assert_eq(fu_book_customer(b, 2)->industry, fu_book_customer(b, 0)->industry, "texts are interned");
    /* a failed bulk add (a duplicate id) adds nothing, the cache included */
    fu_customer bad[2] = {in[0], in[0]};
    bad[0].id = "K4";
    cr_assert_neq(fu_book_add_customers(b, bad, 2), FU_OK);
    cr_assert_eq(fu_book_customer_count(b), 3);
    cr_assert_null(fu_book_customer(b, 3));
    size_t idx;
    cr_assert_eq(fu_book_find_customer(b, "K4", 2, &idx), FU_ENOTFOUND);
    /* a customer created by an event: the defaults */
    fu_event_in e;
    fu_event_in_init(&e);
    e.customer_id = "K5";
    e.at = 1700000000;
    e.kind = FU_EVENT_INQUIRY;
    cr_assert_eq(fu_book_add_event(b, &e), FU_OK, "%s", fu_error_last()->message);
    fu_customer k5;
    fu_customer_init(&k5);
    k5.id = "K5";
    same_customer(fu_book_customer(b, 3), &k5);
    /* the library's decoder gives what the public cache gives */
    for (size_t i = 0; i < fu_book_customer_count(b); i++) {
        fu_customer d;
        fu__book_customer_get(b, i, &d);
        same_customer(&d, fu_book_customer(b, i));
        cr_assert_str_eq(fu__book_customer_id(b, i), fu_book_customer(b, i)->id);
    }
    fu_windows *w = NULL;
    cr_assert_eq(fu_book_customer_windows(b, 0, FU_CUSTOMER_WINDOWS_DND, &w), FU_OK);
    cr_assert_not_null(w);
    fu_windows_free(w);
    cr_assert_eq(fu_book_customer_windows(b, 1, FU_CUSTOMER_WINDOWS_PREFERRED, &w), FU_OK);
    cr_assert_null(w);
    fu_book_free(b);
}

/* ------------------------------------------------------------ fixtures */

Test(book, reads_customers_fixture) {
    fu_book *b = new_book(0);
    cr_assert_eq(fu_book_read_customers_csv(b, DATA "customers.csv"), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(fu_book_customer_count(b), 4);

    const fu_customer *c = fu_book_customer(b, find(b, "C001"));
    cr_assert_str_eq(c->tz, "Asia/Shanghai");
    cr_assert_eq(c->annual_spend, 650000.0);
    cr_assert_eq(c->first_purchase_at, 1615775400); /* 2021-03-15T10:30:00+08:00 */
    cr_assert_str_eq(c->industry, "manufacturing");
    cr_assert_eq(c->is_smb, FU_TRI_NO);
    cr_assert_str_eq(c->preferred_windows, "Mon-Fri 09:00-12:00;Sat 10:00-12:00");
    cr_assert_null(c->dnd_windows);
    cr_assert_eq(c->consent_phone, FU_TRI_YES);
    cr_assert_eq(c->consent_sms, FU_TRI_YES);
    cr_assert_eq(c->consent_email, FU_TRI_NO);

    c = fu_book_customer(b, 1);
    cr_assert_str_eq(c->id, "C002");
    cr_assert_eq(c->annual_spend, 12000.5);
    cr_assert_eq(c->first_purchase_at, FU_BOOK_NO_TIME);
    cr_assert_eq(c->is_smb, FU_TRI_YES);
    cr_assert_str_eq(c->dnd_windows, "Mon-Sun 12:00-14:00");
    cr_assert_eq(c->consent_phone, FU_TRI_NO);
    cr_assert_eq(c->consent_sms, FU_TRI_UNKNOWN);
    cr_assert_eq(c->consent_email, FU_TRI_UNKNOWN);

    c = fu_book_customer(b, 2);
    cr_assert(isnan(c->annual_spend));
    cr_assert_eq(c->first_purchase_at, 1762061400); /* 2025-11-02T01:30:00-04:00 */
    cr_assert_null(c->industry);
    cr_assert_eq(c->is_smb, FU_TRI_UNKNOWN);

    c = fu_book_customer(b, find(b, "C 004, Ltd"));
    cr_assert_str_eq(c->industry, "education, \"K12\"");
    cr_assert_eq(c->first_purchase_at, 1709164800); /* 2024-02-29T00:00:00Z */
    cr_assert_eq(c->consent_email, FU_TRI_YES);

    /* equal texts are one pointer */
    cr_assert_eq(fu_book_customer(b, 0)->tz, fu_book_customer(b, 3)->tz);

    fu_windows *w = NULL;
    cr_assert_eq(fu_book_customer_windows(b, 0, FU_CUSTOMER_WINDOWS_PREFERRED, &w), FU_OK);
    cr_assert_not_null(w);
    cr_assert_eq(fu_windows_contains(w, 9 * 60), 1);       /* Monday 09:00 */
    cr_assert_eq(fu_windows_contains(w, 6 * 1440 + 600), 0); /* Sunday 10:00 */
    fu_windows_free(w);
    cr_assert_eq(fu_book_customer_windows(b, 0, FU_CUSTOMER_WINDOWS_DND, &w), FU_OK);
    cr_assert_null(w);
    cr_assert_eq(fu_book_customer_windows(b, 9, FU_CUSTOMER_WINDOWS_PREFERRED, &w), FU_EINVAL);

    size_t i;
    cr_assert_eq(fu_book_find_customer(b, "C005", 4, &i), FU_ENOTFOUND);
    cr_assert_null(fu_book_customer(b, 4));
    fu_book_free(b);
}

Test(book, reads_events_sorted_per_customer_with_duplicates_dropped) {
    fu_book *b = fixture_book(0);
    fu_book_stats st;
    fu_book_get_stats(b, &st);
    cr_assert_eq(st.customers, 4);
    cr_assert_eq(st.events, 7);
    cr_assert_eq(st.duplicates_dropped, 1);
    cr_assert(fu_book_is_finalized(b));

    const fu_event *ev;
    size_t n;
    cr_assert_eq(fu_book_customer_events(b, find(b, "C001"), &ev, &n), FU_OK);
    cr_assert_eq(n, 4);
    cr_assert_eq(ev[0].kind, FU_EVENT_PURCHASE);
    cr_assert_eq(ev[0].at, 1767596400);
    cr_assert_str_eq(fu_book_string(b, ev[0].note), "first order, CNC machine");
    cr_assert_str_eq(fu_book_string(b, ev[0].order_id), "O-1");
    cr_assert_str_eq(fu_book_string(b, ev[0].product_class), "durable_high");
    cr_assert_eq(ev[0].unit_price, 52000.0);
    cr_assert(isnan(ev[0].score));
    cr_assert_eq(ev[1].kind, FU_EVENT_DELIVERY);
    cr_assert_eq(ev[1].at, 1768006800);
    cr_assert_eq(ev[1].note, 0);
    cr_assert_null(fu_book_string(b, ev[1].note));
    /* equal times keep the file's order; the exact repeat is gone */
    cr_assert_eq(ev[2].at, 1768096800);
    cr_assert_eq(ev[2].outcome, FU_OUTCOME_NO_ANSWER);
    cr_assert_eq(ev[3].outcome, FU_OUTCOME_ANSWERED);
    cr_assert_eq(ev[3].channel, FU_CHANNEL_PHONE);
    cr_assert_str_eq(fu_book_string(b, ev[3].agent_id), "A17");
    cr_assert_eq(ev[0].order_id, ev[3].order_id);

    cr_assert_eq(fu_book_customer_events(b, find(b, "C002"), &ev, &n), FU_OK);
    cr_assert_eq(n, 2);
    cr_assert_eq(ev[0].kind, FU_EVENT_FAULT);
    cr_assert_eq(ev[0].severity, FU_SEVERITY_URGENT);
    cr_assert_str_eq(fu_book_string(b, ev[0].note), "display dead\r\nsince Monday");
    cr_assert_eq(ev[1].kind, FU_EVENT_SURVEY);
    cr_assert_eq(ev[1].survey, FU_SURVEY_NPS);
    cr_assert_eq(ev[1].score, 9.0f);

    cr_assert_eq(fu_book_customer_events(b, find(b, "C 004, Ltd"), &ev, &n), FU_OK);
    cr_assert_eq(n, 0);

    const size_t *off = fu_book_event_offsets(b);
    cr_assert_not_null(off);
    cr_assert_eq(off[0], 0);
    cr_assert_eq(off[1], 4);
    cr_assert_eq(off[2], 6);
    cr_assert_eq(off[3], 7);
    cr_assert_eq(off[4], 7);
    fu_book_free(b);
}

/* ------------------------------------------------------------ error table */

struct err_case {
    char name[48];
    int events; /* 0: customers CSV, 1: events CSV (after the base customers) */
    char input[200];
    int code;
    unsigned long line, column;
    char path[24];
    char message_part[64];
};

#define CH "customer_id,tz,annual_spend,consent_sms,preferred_windows\n"
#define EH "customer_id,at,kind,channel,score,survey,note\n"

ParameterizedTestParameters(book, bad_input_is_named) {
    static struct err_case cases[] = {
        {"missing tz column", 0, "customer_id,annual_spend\nC1,5\n", FU_EPARSE, 1, 1, "tz", "missing required column 'tz'"},
        {"duplicate column", 0, "customer_id,tz,TZ\nC1,UTC,UTC\n", FU_EPARSE, 1, 16, "TZ", "appears twice"},
        {"decimal comma", 0, CH "C1,Asia/Shanghai,\"12,5\",,\n", FU_EPARSE, 2, 18, "annual_spend", "not a number: '12,5'"},
        {"huge number", 0, CH "C1,UTC,1e999,,\n", FU_ERANGE, 2, 8, "annual_spend", "out of range"},
        {"word for number", 0, CH "C1,UTC,abc,,\n", FU_EPARSE, 2, 8, "annual_spend", "not a number"},
        {"negative spend", 0, CH "C1,UTC,-5,,\n", FU_ERANGE, 2, 8, "annual_spend", ">= 0"},
        {"hex is not a number", 0, CH "C1,UTC,0x10,,\n", FU_EPARSE, 2, 8, "annual_spend", "not a number"},
        {"bad consent", 0, CH "C1,UTC,,maybe,\n", FU_EPARSE, 2, 9, "consent_sms", "expected yes, no"},
        {"unknown zone", 0, CH "C1,UTC,,,\nC2,Mars/Olympus,,,\n", FU_ETIMEZONE, 3, 4, "tz", "Mars/Olympus"},
        {"bad windows", 0, CH "C1,UTC,,,Mon-Fri 09:00-25:00\n", FU_EPARSE, 2, 0, "preferred_windows", ""},
        {"repeated id", 0, CH "C1,UTC,,,\nC2,UTC,,,\nC1,UTC,,,\n", FU_EEXISTS, 4, 1, "customer_id", "already in the book"},
        {"empty id", 0, CH ",UTC,,,\n", FU_EPARSE, 2, 1, "customer_id", "empty customer_id"},
        {"empty tz", 0, CH "C1, ,,,\n", FU_EPARSE, 2, 4, "tz", "empty tz"},
        {"short row", 0, CH "C1,UTC,,\n", FU_EPARSE, 2, 9, "", "row has 4 fields, the header has 5"},
        {"long row", 0, CH "C1,UTC,,,,x\n", FU_EPARSE, 2, 11, "", "row has 6 fields"},
        {"month 13", 1, "customer_id,at,kind\nC1,2026-13-01T00:00:00Z,purchase\n", FU_EPARSE, 2, 4, "at", "bad time"},
        {"unknown customer", 1, EH "C1,2026-01-05T10:00:00Z,purchase,,,,\nC9,2026-01-05T10:00:00Z,purchase,,,,\n",
         FU_ENOTFOUND, 3, 1, "customer_id", "unknown customer 'C9'"},
        {"unknown kind", 1, EH "C1,2026-01-05T10:00:00Z,sale,,,,\n", FU_EPARSE, 2, 25, "kind", "unknown event kind 'sale'"},
        {"no offset", 1, EH "C1,2026-01-05T10:00:00,purchase,,,,\n", FU_EPARSE, 2, 4, "at", "offset"},
        {"date only", 1, EH "C1,2026-01-05,purchase,,,,\n", FU_EPARSE, 2, 4, "at", "bad time"},
        {"empty time", 1, EH "C1,,purchase,,,,\n", FU_EPARSE, 2, 4, "at", "required"},
        {"empty kind", 1, EH "C1,2026-01-05T10:00:00Z,,,,,\n", FU_EPARSE, 2, 25, "kind", "required"},
        {"bad channel", 1, EH "C1,2026-01-05T10:00:00Z,contact,fax,,,\n", FU_EPARSE, 2, 33, "channel", "unknown channel 'fax'"},
        {"nps above 10", 1, EH "C1,2026-01-05T10:00:00Z,survey,,11,nps,\n", FU_ERANGE, 2, 33, "score", "nps score"},
        {"csat not integer", 1, EH "C1,2026-01-05T10:00:00Z,survey,,4.5,csat,\n", FU_ERANGE, 2, 33, "score", "csat score"},
        {"score without scale", 1, EH "C1,2026-01-05T10:00:00Z,survey,,4,,\n", FU_EINVAL, 2, 33, "score", "survey type"},
        {"bad survey", 1, EH "C1,2026-01-05T10:00:00Z,survey,,4,stars,\n", FU_EPARSE, 2, 35, "survey", "unknown survey"},
        {"invalid UTF-8 note", 1, EH "C1,2026-01-05T10:00:00Z,inquiry,,,,ok \xC3\x28\n", FU_EPARSE, 2, 39, "note", "invalid UTF-8"},
        {"NUL in note", 1, EH "C1,2026-01-05T10:00:00Z,inquiry,,,,a\x01" "b\n", FU_EPARSE, 2, 37, "note", "NUL byte"},
        {"stray quote", 1, EH "C1,2026-01-05T10:00:00Z,inquiry,,,,say \"hi\"\n", FU_EPARSE, 2, 40, "note", "quote the whole field"},
    };
    return cr_make_param_array(struct err_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct err_case *c, book, bad_input_is_named) {
    fu_book *b = new_book(0);
    if (c->events) {
        const char *base = "customer_id,tz\nC1,UTC\n";
        cr_assert_eq(fu_book_read_customers_csv_from_string(b, base, strlen(base), "base.csv"), FU_OK);
    }
    /* a control character stands in for NUL, which a C string cannot hold */
    size_t len = strlen(c->input);
    char *text = malloc(len + 1);
    memcpy(text, c->input, len + 1);
    for (size_t i = 0; i < len; i++)
        if (text[i] == '\x01') text[i] = '\0';
    int rc = c->events ? fu_book_read_events_csv_from_string(b, text, len, "in.csv")
                       : fu_book_read_customers_csv_from_string(b, text, len, "in.csv");
    const fu_error *e = fu_error_last();
    cr_assert_eq(rc, c->code, "%s: rc %d want %d: %s", c->name, rc, c->code, e->message);
    cr_assert_eq(e->code, c->code);
    cr_assert_str_eq(e->source, "in.csv");
    cr_assert_eq(e->line, c->line, "%s: line %lu want %lu (%s)", c->name, e->line, c->line, e->message);
    if (c->column)
        cr_assert_eq(e->column, c->column, "%s: column %lu want %lu (%s)", c->name, e->column, c->column,
                     e->message);
    cr_assert_str_eq(e->path, c->path, "%s: path '%s' want '%s'", c->name, e->path, c->path);
    cr_assert(strstr(e->message, c->message_part), "%s: message '%s' lacks '%s'", c->name, e->message,
              c->message_part);
    /* nothing of the failed file was kept */
    cr_assert_eq(fu_book_customer_count(b), c->events ? 1 : 0);
    cr_assert_eq(fu_book_event_count(b), 0);
    free(text);
    fu_book_free(b);
}

Test(book, windows_error_points_inside_the_field) {
    fu_book *b = new_book(0);
    const char *text = CH "C1,UTC,,,\"Mon-Fri 09:00-12:00;Sat 10:00-25:00\"\n";
    cr_assert_eq(fu_book_read_customers_csv_from_string(b, text, strlen(text), "w.csv"), FU_EPARSE);
    const fu_error *e = fu_error_last();
    cr_assert_eq(e->line, 2);
    /* the field's text starts at column 11 (after the quote); '25:00' is 30 bytes into it */
    cr_assert_eq(e->column, 41, "column %lu: %s", e->column, e->message);
    cr_assert_str_eq(e->path, "preferred_windows");
    fu_book_free(b);
}

Test(book, overlong_line_is_a_limit) {
    fu_book_options o = FU_BOOK_OPTIONS_INIT;
    o.max_record_bytes = 64;
    fu_book *b = NULL;
    cr_assert_eq(fu_book_new(&b, &o), FU_OK);
    char text[256];
    snprintf(text, sizeof text, "customer_id,tz,industry\nC1,UTC,%0100d\n", 7);
    cr_assert_eq(fu_book_read_customers_csv_from_string(b, text, strlen(text), NULL), FU_ELIMIT);
    cr_assert_eq(fu_error_last()->line, 2);
    cr_assert_str_eq(fu_error_last()->source, "<string>");
    fu_book_free(b);
}

Test(book, unknown_columns_are_ignored_and_order_is_free) {
    fu_book *b = new_book(0);
    const char *text = "extra,TZ , Customer_ID ,more\nx,Europe/Berlin,C7,y\n";
    cr_assert_eq(fu_book_read_customers_csv_from_string(b, text, strlen(text), NULL), FU_OK,
                 "%s", fu_error_last()->message);
    cr_assert_eq(fu_book_customer_count(b), 1);
    cr_assert_str_eq(fu_book_customer(b, 0)->id, "C7");
    cr_assert_str_eq(fu_book_customer(b, 0)->tz, "Europe/Berlin");
    fu_book_free(b);
}

/* ------------------------------------------------------------ options */

Test(book, options_create_customers_skip_kinds_keep_duplicates) {
    const char *ev = EH "N1,2026-01-05T10:00:00Z,purchase,,,,\n"
                        "N1,2026-01-05T10:00:00Z,purchase,,,,\n"
                        "N2,2026-01-06T10:00:00+08:00,teleport,,,,\n"
                        "N2,2026-01-04T10:00:00Z,inquiry,,,,\n";
    fu_book *b = new_book(FU_BOOK_CREATE_CUSTOMERS | FU_BOOK_SKIP_UNKNOWN_KINDS | FU_BOOK_KEEP_DUPLICATES);
    cr_assert_eq(fu_book_read_events_csv_from_string(b, ev, strlen(ev), NULL), FU_OK, "%s",
                 fu_error_last()->message);
    fu_book_stats st;
    fu_book_get_stats(b, &st);
    cr_assert_eq(st.customers, 2);
    cr_assert_eq(st.customers_created, 2);
    cr_assert_eq(st.unknown_kinds_skipped, 1);
    cr_assert_eq(st.duplicates_dropped, 0);
    cr_assert_eq(st.events, 3);
    cr_assert_null(fu_book_customer(b, 0)->tz);
    const fu_event *e;
    size_t n;
    cr_assert_eq(fu_book_customer_events(b, 0, &e, &n), FU_OK);
    cr_assert_eq(n, 2);
    fu_book_free(b);

    b = new_book(FU_BOOK_CREATE_CUSTOMERS);
    cr_assert_eq(fu_book_read_events_csv_from_string(b, ev, strlen(ev), NULL), FU_EPARSE);
    cr_assert_eq(fu_error_last()->line, 4);
    cr_assert_eq(fu_book_customer_count(b), 0, "created customers are rolled back");
    fu_book_free(b);

    fu_book_options bad = FU_BOOK_OPTIONS_INIT;
    bad.flags = 0x100;
    cr_assert_eq(fu_book_new(&b, &bad), FU_EINVAL);
    bad.flags = 0;
    bad.version = 99;
    cr_assert_eq(fu_book_new(&b, &bad), FU_EINVAL);
    cr_assert_eq(fu_book_new(NULL, NULL), FU_EINVAL);
}

/* ------------------------------------------------------------ API */

Test(book, api_add_validate_and_finalize) {
    fu_book *b = new_book(0);
    fu_customer c;
    fu_customer_init(&c);
    cr_assert(isnan(c.annual_spend));
    c.id = "A";
    c.tz = "Asia/Shanghai";
    c.annual_spend = 1000;
    size_t idx = 99;
    cr_assert_eq(fu_book_add_customer(b, &c, &idx), FU_OK);
    cr_assert_eq(idx, 0);
    cr_assert_eq(fu_book_add_customer(b, &c, &idx), FU_EEXISTS);
    c.id = "B";
    c.tz = "Nowhere/Land";
    cr_assert_eq(fu_book_add_customer(b, &c, NULL), FU_ETIMEZONE);
    c.tz = NULL;
    cr_assert_eq(fu_book_add_customer(b, &c, NULL), FU_EINVAL);
    c.tz = "UTC";
    c.dnd_windows = "Sun";
    cr_assert_eq(fu_book_add_customer(b, &c, NULL), FU_EPARSE);
    c.dnd_windows = "Sun 00:00-24:00";
    c.consent_sms = (fu_tristate)7;
    cr_assert_eq(fu_book_add_customer(b, &c, NULL), FU_EINVAL);
    c.consent_sms = FU_TRI_NO;
    cr_assert_eq(fu_book_add_customer(b, &c, &idx), FU_OK);
    cr_assert_eq(idx, 1);
    cr_assert_eq(fu_book_customer_count(b), 2);

    fu_event_in e[3];
    for (int i = 0; i < 3; i++) fu_event_in_init(&e[i]);
    cr_assert(isnan(e[0].amount) && e[0].at == FU_BOOK_NO_TIME);
    e[0].customer_id = "B";
    e[0].at = 2000;
    e[0].kind = FU_EVENT_CONTACT;
    e[0].channel = FU_CHANNEL_SMS;
    e[1].customer_id = "B";
    e[1].at = 1000;
    e[1].kind = FU_EVENT_PURCHASE;
    e[1].amount = -20; /* a refund */
    e[2].customer_id = "A";
    e[2].at = 1500;
    e[2].kind = FU_EVENT_REPAIR;
    cr_assert_eq(fu_book_add_events(b, e, 3), FU_OK);
    const fu_event *ev;
    size_t n;
    cr_assert_eq(fu_book_customer_events(b, 1, &ev, &n), FU_ESTATE);
    cr_assert_eq(fu_book_finalize(b), FU_OK);
    cr_assert_eq(fu_book_customer_events(b, 1, &ev, &n), FU_OK);
    cr_assert_eq(n, 2);
    cr_assert_eq(ev[0].at, 1000);
    cr_assert_eq(ev[0].amount, -20.0);
    cr_assert_eq(ev[1].channel, FU_CHANNEL_SMS);
    cr_assert_eq(ev[1].customer, 1);
    cr_assert_eq(fu_book_customer_events(b, 2, &ev, &n), FU_EINVAL);

    /* bulk is all or nothing and names the index */
    e[0].at = 3000;
    e[1].at = 3000;
    e[1].customer_id = "nobody";
    cr_assert_eq(fu_book_add_events(b, e, 3), FU_ENOTFOUND);
    cr_assert(strncmp(fu_error_last()->message, "event 1: ", 9) == 0, "%s", fu_error_last()->message);
    cr_assert_eq(fu_book_event_count(b), 3);
    cr_assert(fu_book_is_finalized(b), "a failed add leaves the book as it was");

    fu_event_in x;
    fu_event_in_init(&x);
    x.customer_id = "A";
    cr_assert_eq(fu_book_add_event(b, &x), FU_EINVAL); /* no time */
    x.at = 5;
    x.unit_price = -1;
    cr_assert_eq(fu_book_add_event(b, &x), FU_ERANGE);
    x.unit_price = NAN;
    x.kind = (fu_event_kind)FU_EVENT_KIND_COUNT;
    cr_assert_eq(fu_book_add_event(b, &x), FU_EINVAL);
    x.kind = FU_EVENT_SURVEY;
    x.survey = FU_SURVEY_CES;
    x.score = 7;
    cr_assert_eq(fu_book_add_event(b, &x), FU_OK);
    cr_assert_not(fu_book_is_finalized(b));

    fu_customer cs[2];
    fu_customer_init(&cs[0]);
    fu_customer_init(&cs[1]);
    cs[0].id = "C";
    cs[0].tz = "UTC";
    cs[1].id = "A";
    cs[1].tz = "UTC";
    cr_assert_eq(fu_book_add_customers(b, cs, 2), FU_EEXISTS);
    cr_assert(strncmp(fu_error_last()->message, "customer 1: ", 12) == 0, "%s", fu_error_last()->message);
    cr_assert_eq(fu_book_customer_count(b), 2);
    cr_assert_eq(fu_book_find_customer(b, "C", 1, &idx), FU_ENOTFOUND);
    cs[1].id = "D";
    cr_assert_eq(fu_book_add_customers(b, cs, 2), FU_OK);
    cr_assert_eq(fu_book_find_customer(b, "D", 1, &idx), FU_OK);
    cr_assert_eq(idx, 3);
    fu_book_free(b);
}

/* ------------------------------------------------------------ ordering */

typedef struct ref_ev {
    uint32_t cust;
    int64_t at;
    size_t seq;
} ref_ev;

static int ref_cmp(const void *pa, const void *pb) {
    const ref_ev *a = pa, *b = pb;
    if (a->cust != b->cust) return a->cust < b->cust ? -1 : 1;
    if (a->at != b->at) return a->at < b->at ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Customers PREFIX0 .. PREFIX(n-1), in UTC. */
static void add_customers(fu_book *b, const char *prefix, int n) {
    char id[16];
    for (int i = 0; i < n; i++) {
        fu_customer c;
        fu_customer_init(&c);
        snprintf(id, sizeof id, "%s%d", prefix, i);
        c.id = id;
        c.tz = "UTC";
        cr_assert_eq(fu_book_add_customer(b, &c, NULL), FU_OK);
    }
}

/* The grouping by customer runs in passes with a buffer of a quarter of the
 * events: customers without events between others, one customer with more
 * events than a quarter (a pass of its own), in reverse customer order. */
Test(book, grouping_in_passes_keeps_each_customers_order) {
    fu_book *b = new_book(FU_BOOK_KEEP_DUPLICATES);
    char id[16], note[16];
    add_customers(b, "C", 8);
    /* customer of event i: 7,5,3,5,1,5,7,5,... (5 has half the events) */
    static const uint32_t pat[] = {7, 5, 3, 5, 1, 5, 6, 5};
    enum { N = 40 };
    uint32_t want_c[N];
    size_t k = 0;
    for (size_t i = 0; i < N; i++) {
        fu_event_in e;
        fu_event_in_init(&e);
        snprintf(id, sizeof id, "C%u", pat[i % 8]);
        snprintf(note, sizeof note, "%zu", i);
        e.customer_id = id;
        e.at = 7; /* all at one time: only the stable grouping orders them */
        e.note = note;
        cr_assert_eq(fu_book_add_event(b, &e), FU_OK);
    }
    cr_assert_eq(fu_book_finalize(b), FU_OK);
    size_t n;
    const fu_event *ev = fu_book_events(b, &n);
    cr_assert_eq(n, N);
    for (uint32_t c = 0; c < 8; c++)
        for (size_t i = 0; i < N; i++)
            if (pat[i % 8] == c) want_c[k++] = (uint32_t)i;
    for (size_t i = 0; i < N; i++) {
        cr_assert_eq(ev[i].customer, pat[want_c[i] % 8], "at %zu", i);
        cr_assert_eq(strtoul(fu_book_string(b, ev[i].note), NULL, 10), want_c[i], "at %zu", i);
    }
    fu_book_free(b);
}

Test(book, sort_is_stable_against_a_reference) {
    fu_book *b = new_book(FU_BOOK_KEEP_DUPLICATES);
    char id[16];
    add_customers(b, "K", 50);
    enum { N = 5000 };
    ref_ev *ref = malloc(N * sizeof *ref);
    unsigned long seed = 12345;
    char note[16];
    for (size_t i = 0; i < N; i++) {
        seed = seed * 6364136223846793005ul + 1442695040888963407ul;
        uint32_t cust = (uint32_t)((seed >> 33) % 50);
        int64_t at = (int64_t)((seed >> 20) % 40); /* many ties */
        /* customer 7 gets long runs of equal times (> 16) */
        if (i % 3 == 0) cust = 7, at = (int64_t)(i % 2);
        fu_event_in e;
        fu_event_in_init(&e);
        snprintf(id, sizeof id, "K%u", cust);
        snprintf(note, sizeof note, "%zu", i); /* the note carries the sequence */
        e.customer_id = id;
        e.at = at;
        e.note = note;
        cr_assert_eq(fu_book_add_event(b, &e), FU_OK);
        ref[i].cust = cust;
        ref[i].at = at;
        ref[i].seq = i;
    }
    qsort(ref, N, sizeof *ref, ref_cmp);
    cr_assert_eq(fu_book_finalize(b), FU_OK);
    size_t n;
    const fu_event *ev = fu_book_events(b, &n);
    cr_assert_eq(n, N);
    for (size_t i = 0; i < N; i++) {
        cr_assert_eq(ev[i].customer, ref[i].cust, "at %zu", i);
        cr_assert_eq(ev[i].at, ref[i].at, "at %zu", i);
        cr_assert_eq(strtoul(fu_book_string(b, ev[i].note), NULL, 10), ref[i].seq, "at %zu", i);
    }
    /* finalizing again changes nothing */
    cr_assert_eq(fu_book_finalize(b), FU_OK);
    cr_assert_eq(fu_book_events(b, NULL), ev);
    free(ref);
    fu_book_free(b);
}

Test(book, duplicates_in_long_runs_keep_the_first_copy) {
    fu_book *b = new_book(0);
    fu_customer c;
    fu_customer_init(&c);
    c.id = "R";
    c.tz = "UTC";
    cr_assert_eq(fu_book_add_customer(b, &c, NULL), FU_OK);
    /* 100 events at one instant: notes 0..39 then 0..39 again then 40..59 */
    char note[16];
    for (int i = 0; i < 100; i++) {
        fu_event_in e;
        fu_event_in_init(&e);
        e.customer_id = "R";
        e.at = 777;
        e.kind = FU_EVENT_INQUIRY;
        snprintf(note, sizeof note, "%d", i < 40 ? i : i - 40);
        e.note = note;
        cr_assert_eq(fu_book_add_event(b, &e), FU_OK);
    }
    /* and one later event in between in input order */
    fu_event_in e;
    fu_event_in_init(&e);
    e.customer_id = "R";
    e.at = 1;
    e.kind = FU_EVENT_PURCHASE;
    cr_assert_eq(fu_book_add_event(b, &e), FU_OK);
    cr_assert_eq(fu_book_finalize(b), FU_OK);
    fu_book_stats st;
    fu_book_get_stats(b, &st);
    cr_assert_eq(st.duplicates_dropped, 40);
    const fu_event *ev;
    size_t n;
    cr_assert_eq(fu_book_customer_events(b, 0, &ev, &n), FU_OK);
    cr_assert_eq(n, 61);
    cr_assert_eq(ev[0].kind, FU_EVENT_PURCHASE);
    for (int i = 0; i < 60; i++) {
        cr_assert_eq(atoi(fu_book_string(b, ev[1 + i].note)), i);
        cr_assert_eq(ev[1 + i].reserved_[0], 0);
    }
    fu_book_free(b);
}

/* ------------------------------------------------------------ round trip */

Test(book, csv_round_trip_is_exact) {
    fu_book *b = fixture_book(0);
    char *cust1, *ev1, *cust2, *ev2;
    size_t lc1, le1, lc2, le2;
    cr_assert_eq(fu_book_write_customers_csv_to_string(b, &lc1, &cust1), FU_OK);
    cr_assert_eq(fu_book_write_events_csv_to_string(b, &le1, &ev1), FU_OK);
    cr_assert_eq(strlen(cust1), lc1);
    cr_assert(strncmp(cust1, "customer_id,tz,annual_spend,first_purchase_at,industry,is_smb,"
                             "preferred_windows,dnd_windows,consent_phone,consent_sms,consent_email\n", 131) == 0,
              "%s", cust1);
    cr_assert(strstr(cust1, "C001,Asia/Shanghai,650000,2021-03-15T02:30:00Z,manufacturing,no,"
                            "Mon-Fri 09:00-12:00;Sat 10:00-12:00,,yes,yes,no\n"), "%s", cust1);
    cr_assert(strstr(cust1, "\"C 004, Ltd\",Asia/Shanghai,150000,2024-02-29T00:00:00Z,\"education, \"\"K12\"\"\",yes,"),
              "%s", cust1);
    cr_assert(strstr(ev1, "C002,2026-01-06T09:00:00Z,fault,O-7,,,,urgent,,,,,,\"display dead\r\nsince Monday\"\n"),
              "%s", ev1);
    cr_assert(strstr(ev1, "C002,2026-01-07T09:00:00Z,survey,O-7,,,,,sms,A03,,9,nps,\n"), "%s", ev1);

    fu_book *c = new_book(0);
    cr_assert_eq(fu_book_read_customers_csv_from_string(c, cust1, lc1, "c1"), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(fu_book_read_events_csv_from_string(c, ev1, le1, "e1"), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(fu_book_write_customers_csv_to_string(c, &lc2, &cust2), FU_OK);
    cr_assert_eq(fu_book_write_events_csv_to_string(c, &le2, &ev2), FU_OK);
    cr_assert_str_eq(cust1, cust2);
    cr_assert_str_eq(ev1, ev2);
    cr_assert_eq(fu_book_event_count(c), fu_book_event_count(b));
    const fu_event *x = fu_book_events(b, NULL), *y = fu_book_events(c, NULL);
    for (size_t i = 0; i < fu_book_event_count(b); i++) {
        cr_assert_eq(x[i].at, y[i].at);
        cr_assert_eq(x[i].kind, y[i].kind);
        cr_assert_eq(x[i].customer, y[i].customer);
    }
    fu_free(cust1);
    fu_free(ev1);
    fu_free(cust2);
    fu_free(ev2);
    fu_book_free(c);
    fu_book_free(b);
}

Test(book, numbers_survive_the_round_trip) {
    fu_book *b = new_book(0);
    const double values[] = {0.1, 12.5, 1e-7, 123456789.123, 1e300, 5e-324, 2.0 / 3.0};
    const char *cust = "customer_id,tz\nZ,UTC\n";
    cr_assert_eq(fu_book_read_customers_csv_from_string(b, cust, strlen(cust), NULL), FU_OK);
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        fu_event_in e;
        fu_event_in_init(&e);
        e.customer_id = "Z";
        e.at = (int64_t)i;
        e.amount = values[i];
        e.score = 0.1 * (double)i;
        cr_assert_eq(fu_book_add_event(b, &e), FU_OK);
    }
    char *text;
    size_t len;
    cr_assert_eq(fu_book_write_events_csv_to_string(b, &len, &text), FU_OK);
    cr_assert(strstr(text, ",0.1,"), "%s", text);
    fu_book *c = new_book(0);
    cr_assert_eq(fu_book_read_customers_csv_from_string(c, cust, strlen(cust), NULL), FU_OK);
    cr_assert_eq(fu_book_read_events_csv_from_string(c, text, len, NULL), FU_OK, "%s", fu_error_last()->message);
    const fu_event *x = fu_book_events(b, NULL), *y = fu_book_events(c, NULL);
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        cr_assert_eq(y[i].amount, values[i], "value %zu", i);
        cr_assert_eq(y[i].score, x[i].score, "score %zu", i);
    }
    fu_free(text);
    fu_book_free(c);
    fu_book_free(b);
}

Test(book, files_round_trip_and_io_errors) {
    fu_book *b = fixture_book(0);
    char cpath[] = "/tmp/fu_book_cXXXXXX", epath[] = "/tmp/fu_book_eXXXXXX";
    int fc = mkstemp(cpath), fe = mkstemp(epath);
    cr_assert(fc >= 0 && fe >= 0);
    close(fc);
    close(fe);
    cr_assert_eq(fu_book_write_customers_csv(b, cpath), FU_OK);
    cr_assert_eq(fu_book_write_events_csv(b, epath), FU_OK);
    fu_book *c = new_book(0);
    cr_assert_eq(fu_book_read_customers_csv(c, cpath), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(fu_book_read_events_csv(c, epath), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(fu_book_customer_count(c), 4);
    cr_assert_eq(fu_book_event_count(c), 7);
    unlink(cpath);
    unlink(epath);
    cr_assert_eq(fu_book_read_customers_csv(c, "/nonexistent/c.csv"), FU_EIO);
    cr_assert_eq(fu_book_write_events_csv(c, "/nonexistent/dir/e.csv"), FU_EIO);
    fu_book_free(c);
    fu_book_free(b);
}

/* ------------------------------------------------------------ masking notes */

static const char PII_EVENTS[] =
    "customer_id,at,kind,note\n"
    "C1,2026-01-05T10:00:00Z,contact,\"call back on 13812345678, mail zhang.san@example.com\"\n"
    "C1,2026-01-06T10:00:00Z,contact,\"call back on 13812345678, mail zhang.san@example.com\"\n"
    "C1,2026-01-07T10:00:00Z,contact,no personal data here\n"
    "C1,2026-01-08T10:00:00Z,contact,\n";

static char *events_csv_of(unsigned int flags) {
    fu_book_options o = FU_BOOK_OPTIONS_INIT;
    o.flags = flags | FU_BOOK_CREATE_CUSTOMERS;
    fu_book *b = NULL;
    cr_assert_eq(fu_book_new(&b, &o), FU_OK);
    cr_assert_eq(fu_book_read_events_csv_from_string(b, PII_EVENTS, sizeof PII_EVENTS - 1, "e"), FU_OK, "%s",
                 fu_error_last()->message);
    char *out = NULL;
    cr_assert_eq(fu_book_write_events_csv_to_string(b, NULL, &out), FU_OK, "%s", fu_error_last()->message);
    /* The book itself keeps the notes as given. */
    cr_assert_str_eq(fu_book_string(b, fu_book_events(b, NULL)[0].note),
                     "call back on 13812345678, mail zhang.san@example.com");
    fu_book_free(b);
    return out;
}

Test(book, events_csv_masks_notes_by_default) {
    char *out = events_csv_of(0);
    /* Both events with the same (interned) note are masked. */
    const char *masked = "\"call back on 138****5678, mail z***@example.com\"\n";
    const char *first = strstr(out, masked);
    cr_assert_not_null(first, "%s", out);
    cr_assert_not_null(strstr(first + 1, masked), "%s", out);
    cr_assert_null(strstr(out, "13812345678"), "%s", out);
    cr_assert_null(strstr(out, "zhang.san"), "%s", out);
    cr_assert_not_null(strstr(out, ",no personal data here\n"), "%s", out);
    cr_assert_not_null(strstr(out, "2026-01-08T10:00:00Z,contact,,,,,,,,,,,\n"), "%s", out);
    fu_free(out);

    /* The file writer masks too. */
    fu_book_options o = FU_BOOK_OPTIONS_INIT;
    o.flags = FU_BOOK_CREATE_CUSTOMERS;
    fu_book *b = NULL;
    cr_assert_eq(fu_book_new(&b, &o), FU_OK);
    cr_assert_eq(fu_book_read_events_csv_from_string(b, PII_EVENTS, sizeof PII_EVENTS - 1, "e"), FU_OK);
    char path[256];
    snprintf(path, sizeof path, "%s/book_masked_%d.csv", FU_TEST_BINDIR, (int)getpid());
    cr_assert_eq(fu_book_write_events_csv(b, path), FU_OK);
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f);
    char buf[4096];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    remove(path);
    cr_assert_not_null(strstr(buf, masked), "%s", buf);
    cr_assert_null(strstr(buf, "13812345678"), "%s", buf);
    fu_book_free(b);
}

Test(book, events_csv_writes_raw_notes_only_when_the_host_opts_out) {
    char *out = events_csv_of(FU_BOOK_WRITE_RAW_NOTES);
    const char *raw = "\"call back on 13812345678, mail zhang.san@example.com\"\n";
    const char *first = strstr(out, raw);
    cr_assert_not_null(first, "%s", out);
    cr_assert_not_null(strstr(first + 1, raw), "%s", out);
    cr_assert_null(strstr(out, "****"), "%s", out);
    fu_free(out);
    /* Flags beyond the known ones are still refused. */
    fu_book_options o = FU_BOOK_OPTIONS_INIT;
    o.flags = FU_BOOK_WRITE_RAW_CELLS << 1;
    fu_book *b = NULL;
    cr_assert_eq(fu_book_new(&b, &o), FU_EINVAL);
    cr_assert_null(b);
}

/* ------------------------------------------------------------ out of memory */

static const char OOM_CUSTOMERS[] =
    "customer_id,tz,annual_spend,first_purchase_at,industry,is_smb,preferred_windows,dnd_windows\n"
    "A,Asia/Shanghai,600000,2024-01-01T00:00:00+08:00,retail,yes,Mon-Fri 09:00-12:00,Sun 00:00-24:00\n"
    "B,Europe/Berlin,,,,no,,\n";
static const char OOM_EVENTS[] =
    "customer_id,at,kind,order_id,note,channel,outcome\n"
    "B,2026-01-02T10:00:00Z,purchase,O1,\"first, \"\"big\"\"\",,\n"
    "A,2026-01-01T10:00:00Z,contact,O2,,phone,answered\n"
    "A,2026-01-01T09:00:00Z,delivery,O2,,,\n"
    "A,2026-01-01T10:00:00Z,contact,O2,,phone,answered\n";

static int read_write_op(void *ctx) {
    (void)ctx;
    fu_book *b = NULL;
    int rc = fu_book_new(&b, NULL);
    if (rc) return rc;
    char *out = NULL;
    size_t len;
    if (!(rc = fu_book_read_customers_csv_from_string(b, OOM_CUSTOMERS, sizeof OOM_CUSTOMERS - 1, "c")) &&
        !(rc = fu_book_read_events_csv_from_string(b, OOM_EVENTS, sizeof OOM_EVENTS - 1, "e")) &&
        !(rc = fu_book_write_events_csv_to_string(b, &len, &out))) {
        if (fu_book_event_count(b) != 3 || fu_book_customer_count(b) != 2) rc = FU_ERROR;
    }
    fu_free(out);
    fu_book_free(b);
    return rc;
}

Test(book, out_of_memory_reading_and_writing) {
    fu_test_oom_at_least("book read/write", read_write_op, NULL, 5000, 10);
}

/* A failed read under memory pressure leaves the book usable and unchanged. */
Test(book, out_of_memory_leaves_the_book_usable) {
    fu_test_alloc_install(0); /* the book's memory must come from one allocator */
    fu_book *b = NULL;
    cr_assert_eq(fu_book_new(&b, NULL), FU_OK);
    cr_assert_eq(fu_book_read_customers_csv_from_string(b, OOM_CUSTOMERS, sizeof OOM_CUSTOMERS - 1, "c"), FU_OK);
    int done = 0;
    for (unsigned long fail = 1; fail < 500 && !done; fail++) {
        fu_test_alloc_install(fail);
        int rc = fu_book_read_events_csv_from_string(b, OOM_EVENTS, sizeof OOM_EVENTS - 1, "e");
        if (!fu_test_alloc_failed()) {
            cr_assert_eq(rc, FU_OK, "%s", fu_error_last()->message);
            done = 1;
            break;
        }
        cr_assert_eq(rc, FU_ENOMEM);
        cr_assert_eq(fu_book_event_count(b), 0);
        cr_assert_eq(fu_book_customer_count(b), 2);
    }
    cr_assert(done);
    cr_assert_eq(fu_book_event_count(b), 3);
    fu_book_free(b);
    cr_assert_eq(fu_test_alloc_live(), 0);
    fu_test_alloc_uninstall();
}

/* 1,000 distinct events added 200 times each, in a different order every
 * round: every compaction of the full array finds all the repeats (its
 * hashes are computed ahead of the probes and must belong to the event
 * probed), so the book never holds more than its first array of 4,096. */
Test(book, compaction_finds_every_repeat_in_any_order) {
    fu_book *b = new_book(FU_BOOK_CREATE_CUSTOMERS);
    char ids[50][8];
    for (int c = 0; c < 50; c++) snprintf(ids[c], sizeof ids[c], "C%d", c);
    static const int mult[10] = {3, 7, 11, 13, 17, 19, 21, 23, 27, 29}; /* prime to 1000 */
    fu_book_stats st;
    for (int round = 0; round < 200; round++) {
        for (int j = 0; j < 1000; j++) {
            int i = (j * mult[round % 10] + round * 389) % 1000; /* a permutation per round */
            fu_event_in e;
            fu_event_in_init(&e);
            e.customer_id = ids[i % 50];
            e.at = 1767225600 + i;
            e.kind = i % 3 ? FU_EVENT_PURCHASE : FU_EVENT_CONTACT;
            e.amount = i;
            cr_assert_eq(fu_book_add_event(b, &e), FU_OK);
        }
        fu_book_get_stats(b, &st);
        cr_assert_leq(st.events, 4096, "round %d: %zu events held", round, st.events);
    }
    cr_expect_eq(st.events + st.duplicates_dropped, 200000);
    cr_assert_eq(fu_book_finalize(b), FU_OK);
    fu_book_get_stats(b, &st);
    cr_expect_eq(st.events, 1000);
    cr_expect_eq(st.duplicates_dropped, 199000);
    fu_book_free(b);
}

/* The lifetimes book.h states: a customer's texts live until the book is
 * freed, though the record array moves as customers are added (ASan reports
 * a use after free if that changes). */
Test(book, customer_texts_outlive_later_additions) {
    fu_book *b = fu_test_book("customer_id,tz,industry\nFIRST,Asia/Shanghai,retail\n", "customer_id,at,kind\n");
    const fu_customer *first = fu_book_customer(b, 0);
    const char *id = first->id, *tz = first->tz, *industry = first->industry;
    fu_customer more[64];
    char ids[64][8];
    for (int round = 0; round < 80; round++) { /* 5,120 more customers: the record array moves */
        for (int i = 0; i < 64; i++) {
            snprintf(ids[i], sizeof ids[i], "%c%d", 'A' + round % 26, round * 64 + i);
            fu_customer_init(&more[i]);
            more[i].id = ids[i];
            more[i].tz = "UTC";
        }
        cr_assert_eq(fu_book_add_customers(b, more, 64), FU_OK, "%s", fu_error_last()->message);
    }
    cr_assert_str_eq(id, "FIRST");
    cr_assert_str_eq(tz, "Asia/Shanghai");
    cr_assert_str_eq(industry, "retail");
    cr_assert_eq(fu_book_customer(b, 0)->id, id, "texts are interned and do not move");
    fu_book_free(b);
}

/* A time the CSV writer cannot write (outside years 1..9999 UTC) is refused
 * when it is added: accepted, it made the whole book unwritable (found by a
 * user review: at = 2^62). */
Test(book, times_outside_years_1_to_9999_are_refused_when_added) {
    fu_book *b = new_book(0);
    fu_customer c;
    fu_customer_init(&c);
    c.id = "A";
    c.tz = "UTC";
    c.first_purchase_at = INT64_C(1) << 62;
    cr_assert_eq(fu_book_add_customer(b, &c, NULL), FU_ERANGE);
    cr_assert(strstr(fu_error_last()->message, "first_purchase_at") != NULL, "%s", fu_error_last()->message);
    c.first_purchase_at = INT64_C(253402300799); /* 9999-12-31T23:59:59Z: the last writable second */
    cr_assert_eq(fu_book_add_customer(b, &c, NULL), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(fu_book_finalize(b), FU_OK);
    fu_event_in e;
    fu_event_in_init(&e);
    e.customer_id = "A";
    e.kind = FU_EVENT_CONTACT;
    const int64_t bad[] = {INT64_C(1) << 62, INT64_C(253402300800), INT64_C(-62135596801), INT64_MAX};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        e.at = bad[i];
        cr_assert_eq(fu_book_append_events(b, &e, 1), FU_ERANGE, "at %lld", (long long)bad[i]);
        cr_assert(strstr(fu_error_last()->message, "outside years 1..9999") != NULL, "%s", fu_error_last()->message);
    }
    cr_assert_eq(fu_book_event_count(b), 0);
    e.at = INT64_C(-62135596800); /* 0001-01-01T00:00:00Z */
    cr_assert_eq(fu_book_append_events(b, &e, 1), FU_OK, "%s", fu_error_last()->message);
    char *csv = NULL;
    size_t len = 0;
    cr_assert_eq(fu_book_write_events_csv_to_string(b, &len, &csv), FU_OK, "%s", fu_error_last()->message);
    cr_assert(strstr(csv, "0001-01-01T00:00:00Z") != NULL, "%s", csv);
    fu_free(csv);
    fu_book_free(b);
}

/* ------------------------------------------------ the compact event store (issue 19) */

#define T_MIN INT64_C(-62135596800) /* 0001-01-01T00:00:00Z */
#define T_MAX INT64_C(253402300799) /* 9999-12-31T23:59:59Z */

static double bits_double(uint64_t u) {
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

static uint64_t double_bits(double d) {
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

static uint32_t float_bits(float f) {
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

/* Every field of every stored event comes back bit for bit: absent (NaN,
 * 0), a NaN with a payload and its sign, -0.0, negative and huge amounts,
 * times at both limits and on both sides of every 2^32 boundary crossed (the
 * store keeps the high bits of a time with the other attributes). */
Test(book, stored_events_round_trip_every_field_bit_for_bit) {
    fu_book *b = new_book(FU_BOOK_CREATE_CUSTOMERS | FU_BOOK_KEEP_DUPLICATES);
    static const int64_t times[] = {T_MIN, T_MIN + 1, -INT64_C(4294967297), -INT64_C(4294967296), -1, 0,
                                    INT64_C(4294967295), INT64_C(4294967296), INT64_C(1772416800), T_MAX - 1,
                                    T_MAX};
    const double amounts[] = {NAN, -0.0, -1e308, 1.7976931348623157e308, bits_double(0x7FF8000000000123ull),
                              bits_double(0xFFF8000000000000ull), 4.9e-324, -12.5, 0.1, 3};
    enum { NT = sizeof times / sizeof times[0], NA = sizeof amounts / sizeof amounts[0], N = NT * NA };
    fu_event_in in[N];
    char notes[N][16];
    for (int i = 0; i < N; i++) {
        fu_event_in_init(&in[i]);
        in[i].customer_id = i % 3 ? "A" : "B";
        in[i].at = times[i % NT];
        in[i].kind = (fu_event_kind)(i % FU_EVENT_KIND_COUNT);
        in[i].amount = amounts[i % NA];
        in[i].unit_price = i % 4 ? (double)(i % 7) * 1e300 : NAN;
        in[i].order_id = i % 5 ? "O-1" : NULL;
        in[i].product_class = i % 2 ? "P" : NULL;
        in[i].agent_id = i % 6 ? NULL : "AG";
        snprintf(notes[i], sizeof notes[i], "n%d", i);
        in[i].note = i % 3 ? notes[i] : NULL;
        in[i].severity = (fu_severity)(i % 4);
        in[i].channel = (fu_channel)(i % FU_CHANNEL_COUNT);
        in[i].outcome = (fu_outcome)(i % FU_OUTCOME_COUNT);
        in[i].survey = in[i].kind == FU_EVENT_SURVEY ? FU_SURVEY_NPS : FU_SURVEY_NONE;
        in[i].score = in[i].survey ? (double)(i % 11) : i % 2 ? NAN : -1e6;
        in[i].priority = i % 5;
    }
    cr_assert_eq(fu_book_add_events(b, in, N), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(fu_book_finalize(b), FU_OK);
    size_t n = 0;
    const fu_event *all = fu_book_events(b, &n);
    cr_assert_eq(n, N);
    size_t seen = 0;
    for (size_t c = 0; c < 2; c++) {
        const fu_event *ev;
        size_t k;
        cr_assert_eq(fu_book_customer_events(b, c, &ev, &k), FU_OK);
        cr_assert_eq(memcmp(ev, all + fu_book_event_offsets(b)[c], k * sizeof *ev), 0);
        for (size_t j = 0; j < k; j++, seen++) {
            const fu_event *e = &ev[j];
            if (j) cr_assert_leq(ev[j - 1].at, e->at);
            /* the input event: times are unique per (customer, i % NT), the
             * note names the index when there is one; find by every field */
            int found = 0;
            for (int i = 0; i < N && !found; i++) {
                const fu_event_in *x = &in[i];
                if ((size_t)find(b, x->customer_id) != c || x->at != e->at || (int)x->kind != e->kind) continue;
                if (double_bits(x->amount) != double_bits(e->amount)) continue;
                if (double_bits(x->unit_price) != double_bits(e->unit_price)) continue;
                if (float_bits((float)x->score) != float_bits(e->score)) continue;
                const char *note = fu_book_string(b, e->note), *order = fu_book_string(b, e->order_id);
                if ((x->note == NULL) != (note == NULL) || (note && strcmp(note, x->note))) continue;
                if ((x->order_id == NULL) != (order == NULL)) continue;
                if ((x->product_class == NULL) != (e->product_class == 0)) continue;
                if ((x->agent_id == NULL) != (e->agent_id == 0)) continue;
                found = (int)x->severity == e->severity && (int)x->channel == e->channel &&
                        (int)x->outcome == e->outcome && (int)x->survey == e->survey &&
                        x->priority == e->priority && e->customer == c && !e->reserved_[0] && !e->reserved_[1];
            }
            cr_assert(found, "customer %zu event %zu (at %lld) matches no input", c, j, (long long)e->at);
        }
    }
    cr_assert_eq(seen, N);
    fu_book_free(b);
}

/* Two events one 2^32 seconds apart (same low bits) are different events;
 * exact repeats are dropped whether they come in one add, in another add
 * after finalize (customers interleaved) or by an append. */
Test(book, stored_events_duplicates_by_every_bit) {
    fu_book *b = new_book(FU_BOOK_CREATE_CUSTOMERS);
    fu_event_in e[4];
    for (int i = 0; i < 4; i++) {
        fu_event_in_init(&e[i]);
        e[i].customer_id = i % 2 ? "X" : "Y";
        e[i].kind = FU_EVENT_FAULT;
        e[i].amount = -0.0;
    }
    e[0].at = 100; /* Y */
    e[1].at = 100; /* X */
    e[2].at = 100 + INT64_C(4294967296); /* Y: the same low 32 bits */
    e[3].at = 100 + INT64_C(4294967296); /* X */
    cr_assert_eq(fu_book_add_events(b, e, 4), FU_OK);
    cr_assert_eq(fu_book_add_events(b, e, 4), FU_OK); /* all four again */
    cr_assert_eq(fu_book_finalize(b), FU_OK);
    fu_book_stats st;
    fu_book_get_stats(b, &st);
    cr_assert_eq(st.events, 4);
    cr_assert_eq(st.duplicates_dropped, 4);
    /* +0.0 is not -0.0: a new event, after finalize, between the others */
    e[0].amount = 0.0;
    cr_assert_eq(fu_book_add_events(b, e, 2), FU_OK);
    cr_assert_eq(fu_book_finalize(b), FU_OK);
    fu_book_get_stats(b, &st);
    cr_assert_eq(st.events, 5);
    cr_assert_eq(st.duplicates_dropped, 5);
    cr_assert_eq(fu_book_append_events(b, e, 4), FU_OK); /* every one a repeat */
    cr_assert_eq(fu_book_event_count(b), 5);
    e[3].at = T_MAX;
    cr_assert_eq(fu_book_append_events(b, &e[3], 1), FU_OK);
    size_t y = find(b, "Y"), x = find(b, "X");
    const fu_event *ev;
    size_t n;
    cr_assert_eq(fu_book_customer_events(b, x, &ev, &n), FU_OK);
    cr_assert_eq(n, 3);
    cr_assert_eq(ev[0].at, 100);
    cr_assert_eq(ev[1].at, 100 + INT64_C(4294967296));
    cr_assert_eq(ev[2].at, T_MAX);
    cr_assert_eq(fu_book_customer_events(b, y, &ev, &n), FU_OK);
    cr_assert_eq(n, 3);
    cr_assert_eq(ev[0].at, 100);
    cr_assert_eq(ev[1].at, 100); /* the +0.0 one, added later */
    cr_assert_eq(double_bits(ev[0].amount), double_bits(-0.0));
    cr_assert_eq(double_bits(ev[1].amount), 0);
    cr_assert_eq(fu_book_finalize(b), FU_OK); /* settles */
    size_t total;
    const fu_event *all = fu_book_events(b, &total);
    cr_assert_eq(total, 6);
    const size_t *off = fu_book_event_offsets(b);
    cr_assert_eq(all[off[x] + 2].at, T_MAX);
    cr_assert_eq(all[off[x] + 2].customer, x);
    fu_book_free(b);
}

/* Adding to a finalized book (customers interleaved: one run per event),
 * finalizing and reading every way, under every allocation failure: the
 * book is unchanged by a failing call and nothing leaks. */
static int interleaved_op(void *ctx) {
    (void)ctx;
    fu_book *b = NULL;
    int rc = fu_book_new(&b, NULL);
    const char *ids[] = {"A", "B", "C"};
    for (int i = 0; i < 3 && !rc; i++) {
        fu_customer c;
        fu_customer_init(&c);
        c.id = ids[i];
        c.tz = "UTC";
        rc = fu_book_add_customer(b, &c, NULL);
    }
    fu_event_in e[12];
    for (int i = 0; i < 12; i++) {
        fu_event_in_init(&e[i]);
        e[i].customer_id = ids[i % 3];
        e[i].at = T_MAX - i;
        e[i].kind = FU_EVENT_CONTACT;
        e[i].score = i;
    }
    if (!rc) rc = fu_book_add_events(b, e, 6);
    if (!rc) rc = fu_book_finalize(b);
    if (!rc) rc = fu_book_add_events(b, e + 3, 9);
    if (!rc) rc = fu_book_finalize(b);
    if (!rc && fu_book_event_count(b) != 12) rc = FU_ERROR;
    size_t n = 0;
    const fu_event *all = rc ? NULL : fu_book_events(b, &n);
    if (!rc && !all) rc = fu_error_last()->code;
    for (size_t i = 1; !rc && i < n; i++)
        if (all[i].customer < all[i - 1].customer ||
            (all[i].customer == all[i - 1].customer && all[i].at < all[i - 1].at))
            rc = FU_ERROR;
    char *csv = NULL;
    size_t len;
    if (!rc) rc = fu_book_write_events_csv_to_string(b, &len, &csv);
    fu_free(csv);
    fu_book_free(b);
    return rc;
}

Test(book, stored_events_out_of_memory_leaves_nothing) {
    fu_test_oom_at_least("interleaved", interleaved_op, NULL, 2000, 10);
}

/* The public readers of a finalized book decode it once, whichever thread
 * comes first: threads reading at once all see the same events. */
#include <pthread.h>

typedef struct reader_arg {
    const fu_book *b;
    uint64_t sum;
    int rc;
} reader_arg;

static void *reader(void *p) {
    reader_arg *a = p;
    for (size_t c = 0; c < fu_book_customer_count(a->b) && !a->rc; c++) {
        const fu_event *ev;
        size_t n;
        a->rc = fu_book_customer_events(a->b, c, &ev, &n);
        for (size_t i = 0; i < n && !a->rc; i++) a->sum = a->sum * 31 + (uint64_t)ev[i].at + ev[i].customer;
    }
    return NULL;
}

Test(book, stored_events_decoded_once_for_concurrent_readers) {
    fu_book *b = new_book(FU_BOOK_CREATE_CUSTOMERS);
    char ids[64][8];
    for (int i = 0; i < 2000; i++) {
        fu_event_in e;
        fu_event_in_init(&e);
        snprintf(ids[i % 64], sizeof ids[0], "C%d", i % 64);
        e.customer_id = ids[i % 64];
        e.at = 1000 + (i * 7919) % 5000;
        e.kind = FU_EVENT_CONTACT;
        cr_assert_eq(fu_book_add_event(b, &e), FU_OK);
    }
    cr_assert_eq(fu_book_finalize(b), FU_OK);
    reader_arg args[4];
    pthread_t th[4];
    for (int t = 0; t < 4; t++) {
        args[t] = (reader_arg){b, 0, 0};
        cr_assert_eq(pthread_create(&th[t], NULL, reader, &args[t]), 0);
    }
    for (int t = 0; t < 4; t++) pthread_join(th[t], NULL);
    for (int t = 0; t < 4; t++) {
        cr_assert_eq(args[t].rc, FU_OK);
        cr_assert_eq(args[t].sum, args[0].sum);
    }
    size_t n;
    const fu_event *all = fu_book_events(b, &n);
    cr_assert_eq(n, fu_book_event_count(b));
    cr_assert_not_null(all);
    fu_book_free(b);
}

/* fu_book_event_times reads the stored rows: the same times as the decoded
 * events, in their order, after an append too (year 1 and 9999 included),
 * and refuses a range past the book. */
Test(book, event_times_match_the_decoded_events) {
    fu_book *b = fixture_book(0);
    cr_assert_eq(fu_book_finalize(b), FU_OK);
    fu_event_in e;
    fu_event_in_init(&e);
    e.customer_id = fu_book_customer(b, 0)->id;
    e.kind = FU_EVENT_CONTACT;
    const int64_t at[] = {INT64_C(-62135596800), INT64_C(253402300799), INT64_C(1760000000)};
    for (size_t i = 0; i < 3; i++) {
        e.at = at[i];
        cr_assert_eq(fu_book_append_events(b, &e, 1), FU_OK, "%s", fu_error_last()->message);
    }
    size_t n = fu_book_event_count(b), m = 0, seen = 0;
    int64_t *t = malloc((n + 1) * sizeof *t);
    cr_assert_eq(fu_book_event_times(b, 0, n, t), FU_OK, "%s", fu_error_last()->message);
    const fu_event *ev = fu_book_events(b, &m);
    cr_assert_eq(m, n);
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(t[i], ev[i].at, "event %zu", i);
        seen += t[i] == at[0] || t[i] == at[1];
    }
    cr_assert_eq(seen, 2);
    cr_assert_eq(fu_book_event_times(b, n - 1, 1, t), FU_OK);
    cr_assert_eq(t[0], ev[n - 1].at);
    cr_assert_eq(fu_book_event_times(b, n, 1, t), FU_EINVAL);
    cr_assert_eq(fu_book_event_times(b, 1, n, t), FU_EINVAL);
    cr_assert_eq(fu_book_event_times(b, n, 0, t), FU_OK);
    cr_assert_eq(fu_book_event_times(NULL, 0, 1, t), FU_EINVAL);
    free(t);
    fu_book_free(b);
}

/* The planner's prefetch hint changes nothing a reader sees: every
 * customer's decoded events are the same with and without it, and it does
 * nothing on a NULL book, a customer past the end or a book not finalized. */
Test(book, customer_prefetch_changes_nothing) {
    fu_book *b = fixture_book(0);
    fu__book_customer_prefetch(b, fu_book_customer_count(b)); /* past the end (not finalized either) */
    fu__book_customer_prefetch(NULL, 0);
    fu__book_customer_prefetch(b, 0);
    cr_assert_eq(fu_book_finalize(b), FU_OK);
    fu__evbuf x = {NULL, 0}, y = {NULL, 0};
    for (size_t i = 0; i < fu_book_customer_count(b); i++) {
        const fu_event *e1 = NULL, *e2 = NULL;
        size_t n1 = 0, n2 = 0;
        cr_assert_eq(fu__book_customer_decode(b, i, &x, &e1, &n1), FU_OK);
        fu__book_customer_prefetch(b, i);
        fu__book_customer_prefetch(b, i + 1);
        cr_assert_eq(fu__book_customer_decode(b, i, &y, &e2, &n2), FU_OK);
        cr_assert_eq(n1, n2);
        cr_assert(n1 == 0 || memcmp(e1, e2, n1 * sizeof *e1) == 0, "customer %zu", i);
    }
    fu__book_customer_prefetch(b, fu_book_customer_count(b));
    fu__book_customer_prefetch(b, (size_t)-1);
    fu__evbuf_free(&x);
    fu__evbuf_free(&y);
    fu_book_free(b);
}

/* A book freed while a planner and a KPI engine still borrow it (a binding's
 * garbage collector breaking a cycle frees in any order: review s10, a use
 * after free under ASan in the Python tests) is freed by the last of them;
 * under ASan and valgrind this fails with a use after free if the book is
 * freed at once. */
Test(book, freed_while_borrowed_goes_with_the_last_borrower) {
    fu_policy *p = NULL;
    cr_assert_eq(fu_policy_default(&p), FU_OK);
    for (int order = 0; order < 2; order++) {
        fu_book_options bo = FU_BOOK_OPTIONS_INIT;
        bo.flags = FU_BOOK_CREATE_CUSTOMERS;
        fu_book *b = NULL;
        cr_assert_eq(fu_book_new(&b, &bo), FU_OK);
        static const char ev[] = "customer_id,at,kind,order_id\n"
                                 "C1,2026-03-01T10:00:00+08:00,purchase,O1\n"
                                 "C2,2026-03-02T10:00:00+08:00,purchase,O2\n";
        cr_assert_eq(fu_book_read_events_csv_from_string(b, ev, sizeof ev - 1, "e.csv"), FU_OK, "%s", fu_error_last()->message);
        cr_assert_eq(fu_book_finalize(b), FU_OK);
        fu_planner *pl = NULL;
        cr_assert_eq(fu_planner_new(&pl, p, b, NULL), FU_OK, "%s", fu_error_last()->message);
        fu_kpi *k = NULL;
        cr_assert_eq(fu_kpi_new(&k, p, NULL), FU_OK);
        cr_assert_eq(fu_kpi_add_book(k, b), FU_OK);
        fu_book_free(b); /* borrowed twice: not freed yet */
        if (order) {
            fu_kpi_free(k);
            fu_planner_free(pl); /* the last: frees the book */
        } else {
            fu_planner_free(pl);
            fu_kpi_free(k);
        }
    }
    fu_policy_free(p);
}

/* A bad field given through the API names the customer and the field, not a
 * made-up source (review s11 L5): no "<windows>:1:9:" and no "customer id:1:2:". */
Test(book, api_field_errors_name_the_customer_and_the_field) {
    fu_book *b = NULL;
    cr_assert_eq(fu_book_new(&b, NULL), FU_OK);
    fu_customer c;
    fu_customer_init(&c);
    c.id = "C1";
    c.tz = "UTC";
    c.preferred_windows = "Mon-Fri 9-12";
    char buf[512];
    cr_assert_eq(fu_book_add_customer(b, &c, NULL), FU_EPARSE);
    fu_error_format(buf, sizeof buf);
    cr_expect_str_eq(buf, "customer 'C1': preferred_windows: expected a time HH:MM, got '9' (character 9 of the value)");
    c.preferred_windows = NULL;
    c.dnd_windows = "Sat 25:00-26:00";
    cr_assert_neq(fu_book_add_customer(b, &c, NULL), FU_OK);
    fu_error_format(buf, sizeof buf);
    cr_expect(strncmp(buf, "customer 'C1': dnd_windows: ", 28) == 0, "%s", buf);
    cr_expect(strstr(buf, "<windows>") == NULL, "%s", buf);
    c.dnd_windows = NULL;
    c.id = "C\xff";
    cr_assert_eq(fu_book_add_customer(b, &c, NULL), FU_EINVAL);
    fu_error_format(buf, sizeof buf);
    cr_expect_str_eq(buf, "customer id: invalid UTF-8 at byte offset 1 (line 1, column 2): byte 0xFF");
    c.id = "C2";
    c.owner = "o\xC3(";
    cr_assert_eq(fu_book_add_customer(b, &c, NULL), FU_EINVAL);
    fu_error_format(buf, sizeof buf);
    cr_expect_str_eq(buf, "customer 'C2': owner: invalid UTF-8 at byte offset 1 (line 1, column 2): byte 0xC3");
    /* the bulk call adds the record's index in front */
    c.owner = NULL;
    c.preferred_windows = "Mon 9-12";
    cr_assert_eq(fu_book_add_customers(b, &c, 1), FU_EPARSE);
    fu_error_format(buf, sizeof buf);
    cr_expect_str_eq(buf, "customer 0: customer 'C2': preferred_windows: expected a time HH:MM, got '9' "
                          "(character 5 of the value)");
    cr_assert_eq(fu_book_customer_count(b), 0);
    fu_book_free(b);
}
