/* An event given through fu_book_add_event(s) with a bad field: the error
 * names the event by its customer (and, in the bulk call, its index) and the
 * field, as a customer's field errors do, with no source position: not
 * "event note:1:2: event note: ..." with the field as the error's source. */
#include "fu_test.h"

#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

/* The whole formatted error after a failed single add, and no source. */
static void expect_error(fu_book *b, const fu_event_in *ev, int code, const char *want) {
    char buf[1024];
    cr_assert_eq(fu_book_add_event(b, ev), code, "%s", fu_error_last()->message);
    fu_error_format(buf, sizeof buf);
    cr_expect_str_eq(buf, want);
    cr_expect_str_eq(fu_error_last()->source ? fu_error_last()->source : "", "", "source of: %s", buf);
    cr_expect_eq(fu_error_last()->line, 0, "%s", buf);
}

Test(book_api_messages, a_bad_text_field_names_the_event_and_the_field) {
    fu_book *b = fu_test_book_c1(0);
    fu_event_in ev = fu_test_purchase("C1");
    ev.note = "o\xC3(";
    expect_error(b, &ev, FU_EINVAL,
                 "event of customer 'C1': note: invalid UTF-8 at byte offset 1 (line 1, column 2): byte 0xC3");
    ev.note = NULL;
    ev.order_id = "\xff";
    expect_error(b, &ev, FU_EINVAL,
                 "event of customer 'C1': order_id: invalid UTF-8 at byte offset 0 (line 1, column 1): byte 0xFF");
    ev.order_id = NULL;
    ev.product_class = "ab\n\xfe";
    expect_error(b, &ev, FU_EINVAL,
                 "event of customer 'C1': product_class: invalid UTF-8 at byte offset 3 (line 2, column 1): byte 0xFE");
    ev.product_class = NULL;
    ev.agent_id = "A\xC0";
    expect_error(b, &ev, FU_EINVAL,
                 "event of customer 'C1': agent_id: invalid UTF-8 at byte offset 1 (line 1, column 2): byte 0xC0");
    /* the customer id itself: no customer to name, no source either */
    fu_event_in bad_id = fu_test_purchase("C\xff");
    expect_error(b, &bad_id, FU_EINVAL, "event customer_id: invalid UTF-8 at byte offset 1 (line 1, column 2): byte 0xFF");
    cr_expect_eq(fu_book_event_count(b), 0);
    fu_book_free(b);
}

Test(book_api_messages, a_bad_value_names_the_event_and_the_field) {
    fu_book *b = fu_test_book_c1(0);
    fu_event_in ev = fu_test_purchase("C1");
    ev.severity = (fu_severity)9;
    expect_error(b, &ev, FU_EINVAL, "event of customer 'C1': severity: severity 9 out of range");
    ev = fu_test_purchase("C1");
    ev.unit_price = -1;
    expect_error(b, &ev, FU_ERANGE,
                 "event of customer 'C1': unit_price: unit_price must be a finite number >= 0, got -1");
    ev = fu_test_purchase("C1");
    ev.amount = INFINITY;
    expect_error(b, &ev, FU_ERANGE, "event of customer 'C1': amount: amount must be finite");
    ev = fu_test_purchase("C1");
    ev.at = FU_BOOK_NO_TIME;
    expect_error(b, &ev, FU_EINVAL, "event of customer 'C1': at: event time is missing");
    ev = fu_test_purchase("C1");
    ev.priority = 7;
    expect_error(b, &ev, FU_EINVAL,
                 "event of customer 'C1': priority: priority 7 out of range (0 not given, 1 urgent .. 4 low)");
    /* a customer id that would print personal data is masked as in every error */
    ev = fu_test_purchase("13812345678");
    ev.note = "\xff";
    char buf[1024];
    cr_assert_eq(fu_book_add_event(b, &ev), FU_EINVAL);
    fu_error_format(buf, sizeof buf);
    cr_expect(strstr(buf, "13812345678") == NULL, "%s", buf);
    cr_expect(strncmp(buf, "event of customer '138", 22) == 0 && strstr(buf, "5678': note: invalid UTF-8 at byte offset 0"),
              "%s", buf);
    fu_book_free(b);
}

/* The bulk call adds the failing event's index; nothing is added. */
Test(book_api_messages, the_bulk_add_names_the_events_index) {
    fu_book *b = fu_test_book_c1(0);
    fu_event_in ev[3] = {fu_test_purchase("C1"), fu_test_purchase("C1"), fu_test_purchase("C1")};
    ev[2].note = "x\xC3";
    char buf[1024];
    cr_assert_eq(fu_book_add_events(b, ev, 3), FU_EINVAL);
    fu_error_format(buf, sizeof buf);
    cr_expect_str_eq(buf, "event 2: event of customer 'C1': note: invalid UTF-8 at byte offset 1 (line 1, column 2): "
                          "byte 0xC3");
    cr_expect_eq(fu_book_event_count(b), 0);
    /* a field that is fine and an unknown customer: unchanged */
    fu_event_in u = fu_test_purchase("C9");
    cr_assert_eq(fu_book_add_event(b, &u), FU_ENOTFOUND);
    fu_error_format(buf, sizeof buf);
    cr_expect_str_eq(buf, "unknown customer 'C9'");
    cr_assert_eq(fu_book_add_event(b, &ev[0]), FU_OK);
    fu_book_free(b);
}
