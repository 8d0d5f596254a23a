/* Messages of the calendar's text readers that named the wrong thing
 * (review s13): a weekly window's bad time echoed its first byte only (I16);
 * a time text with a blank before its offset was said to have none, and a
 * sign before the year was masked in the echo as if it were a phone number
 * (I21). */
#include "fu_test.h"

#include <criterion/criterion.h>
#include <string.h>

static void windows_fail(const char *text, const char *msg, unsigned long column) {
    fu_windows *w = NULL;
    cr_assert_eq(fu_windows_parse(text, strlen(text), &w), FU_EPARSE, "%s", text);
    cr_assert_null(w);
    fu_test_expect_error(FU_EPARSE, msg, "<windows>", 1, column, "");
}

/* The token as written, up to the next separator: '18:0', not '1'. */
Test(calendar_errors, window_time_echoes_the_token) {
    windows_fail("Mon-Fri 09:00-18:0", "expected a time HH:MM, got '18:0'", 15);
    windows_fail("Mon-Fri 09:00-18:000", "expected a time HH:MM, got '18:000'", 15);
    windows_fail("Mon-Fri 9-12", "expected a time HH:MM, got '9'", 9);
    windows_fail("Mon 09:00-18:0, 20:00-21:00", "expected a time HH:MM, got '18:0'", 11);
    windows_fail("Mon 09:00-18:0;Tue 09:00-10:00", "expected a time HH:MM, got '18:0'", 11);
    windows_fail("Mon 09:0x-10:00", "expected a time HH:MM, got '09:0x'", 5);
    windows_fail("Mon 09:00-", "expected a time HH:MM, got ''", 11);
    /* a character of several bytes is echoed whole, never cut */
    windows_fail("Mon \xE4\xB9\x9D:00-10:00", "expected a time HH:MM, got '\xE4\xB9\x9D'", 5);
    /* at most 16 bytes */
    windows_fail("Mon 09:00-1234567890123456789", "expected a time HH:MM, got '1234567890123456'", 11);
}
