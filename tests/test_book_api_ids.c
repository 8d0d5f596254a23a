/* The C API path of the book (fu_book_add_customer(s), fu_book_add_event(s),
 * fu_book_append_events) refuses the invisible characters in customer ids
 * the CSV readers refuse (U+FEFF, zero-width, bidi marks: lib/book_ids.h,
 * review s13 I20), naming the argument, and quotes a number out of range
 * exactly as given: "%g" printed 10 for an NPS score of 10.000000000000002,
 * a message quoting a valid value (review s13 leftovers). */
#include "fu_test.h"

#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

static void expect_message(int rc, int code, const char *want) {
    char buf[1024];
    fu_error_format(buf, sizeof buf);
    cr_expect_eq(rc, code, "%s", buf);
    cr_expect_str_eq(buf, want);
}

#define INVISIBLE_TAIL " of the id: ids are compared byte for byte, and this one would differ from the same id without it"

Test(book_api_ids, a_customer_id_with_an_invisible_character_is_refused) {
    fu_book *b = fu_test_book_c1(0);
    fu_customer c;
    fu_customer_init(&c);
    c.tz = "UTC";
    c.id = "\xEF\xBB\xBF" "C2";
    expect_message(fu_book_add_customer(b, &c, NULL), FU_EINVAL,
                   "customer id: an invisible character U+FEFF (byte order mark) at byte 0" INVISIBLE_TAIL
                   " (a byte order mark inside the file: two files joined?)");
    c.id = "C\xE2\x80\x8B" "2";
    expect_message(fu_book_add_customer(b, &c, NULL), FU_EINVAL,
                   "customer id: an invisible character U+200B (zero width space) at byte 1" INVISIBLE_TAIL);
    fu_customer two[2];
    fu_customer_init(&two[0]);
    fu_customer_init(&two[1]);
    two[0].id = "C2", two[0].tz = "UTC";
    two[1].id = "C3\xE2\x80\x8F", two[1].tz = "UTC"; /* a right-to-left mark */
    expect_message(fu_book_add_customers(b, two, 2), FU_EINVAL,
                   "customer 1: customer id: an invisible character U+200F (right-to-left mark) at byte 2"
                   INVISIBLE_TAIL);
    cr_expect_eq(fu_book_customer_count(b), 1); /* all or nothing */
    c.id = "C\xC2\xB7" "2"; /* a middle dot is visible: taken */
    cr_expect_eq(fu_book_add_customer(b, &c, NULL), FU_OK, "%s", fu_error_last()->message);
    fu_book_free(b);
}

Test(book_api_ids, an_event_id_with_an_invisible_character) {
    /* creating the customer: refused as the customer's id is */
    fu_book *b = fu_test_book_c1(FU_BOOK_CREATE_CUSTOMERS);
    fu_event_in ev = fu_test_purchase("C1\xE2\x80\x8D"); /* a zero width joiner */
    expect_message(fu_book_add_event(b, &ev), FU_EINVAL,
                   "event customer_id: an invisible character U+200D (zero width joiner) at byte 2" INVISIBLE_TAIL);
    expect_message(fu_book_append_events(b, &ev, 1), FU_EINVAL,
                   "event 0: event customer_id: an invisible character U+200D (zero width joiner) at byte 2"
                   INVISIBLE_TAIL);
    cr_expect_eq(fu_book_customer_count(b), 1);
    fu_book_free(b);
    /* not creating: unknown, saying what makes it differ (as the CSV path) */
    b = fu_test_book_c1(0);
    ev = fu_test_purchase("\xEF\xBB\xBF" "C1");
    expect_message(fu_book_add_event(b, &ev), FU_ENOTFOUND,
                   "unknown customer '\xEF\xBB\xBF" "C1' (the id holds an invisible character U+FEFF (byte order mark) at byte 0)");
    fu_book_free(b);
}

Test(book_api_ids, a_number_out_of_range_is_quoted_exactly) {
    fu_book *b = fu_test_book_c1(0);
    fu_event_in ev = fu_test_purchase("C1");
    ev.kind = FU_EVENT_SURVEY;
    ev.survey = FU_SURVEY_NPS;
    ev.score = nextafter(10.0, 11.0);
    expect_message(fu_book_add_event(b, &ev), FU_ERANGE,
                   "event of customer 'C1': score: nps score must be an integer 0..10, got 10.000000000000002");
    ev.survey = FU_SURVEY_CSAT;
    ev.score = 5.0000000001;
    expect_message(fu_book_add_event(b, &ev), FU_ERANGE,
                   "event of customer 'C1': score: csat score must be an integer 1..5, got 5.0000000001");
    ev.score = 6; /* integers as they are */
    expect_message(fu_book_add_event(b, &ev), FU_ERANGE,
                   "event of customer 'C1': score: csat score must be an integer 1..5, got 6");
    ev.score = 1000000.5;
    expect_message(fu_book_add_event(b, &ev), FU_ERANGE, "event of customer 'C1': score: score out of range: 1000000.5");
    ev = fu_test_purchase("C1");
    ev.unit_price = -0.1234567891;
    expect_message(fu_book_add_event(b, &ev), FU_ERANGE,
                   "event of customer 'C1': unit_price: unit_price must be a finite number >= 0, got -0.1234567891");
    fu_customer c;
    fu_customer_init(&c);
    c.id = "C2", c.tz = "UTC", c.annual_spend = -1234567.25;
    expect_message(fu_book_add_customer(b, &c, NULL), FU_ERANGE,
                   "annual_spend must be a finite number >= 0, got -1234567.25");
    fu_book_free(b);
}
