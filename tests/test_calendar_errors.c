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

static void time_fail(const char *text, int code, const char *msg) {
    int64_t t = 0;
    cr_assert_eq(fu_time_parse(text, strlen(text), &t), code, "%s", text);
    fu_test_expect_error(code, msg, "<time>", 1, fu_error_last()->column, "");
}

Test(calendar_errors, blank_before_the_offset_is_named) {
    time_fail("2026-03-02T09:00:00 +08:00", FU_EPARSE,
              "bad time '2026-03-02T09:00:00 +08:00': no space is allowed before the offset (character 20 of the value)");
    cr_assert_eq(fu_error_last()->column, 20);
    time_fail("2026-03-02 09:00 Z", FU_EPARSE,
              "bad time '2026-03-02 09:00 Z': no space is allowed before the offset (character 17 of the value)");
    /* no offset at all is still said so */
    time_fail("2026-03-02T09:00:00 x", FU_EPARSE,
              "bad time '2026-03-02T09:00:00 x': an offset is required (Z or +HH:MM) (character 20 of the value)");
    int64_t t;
    cr_assert_eq(fu_time_parse("2026-03-02T09:00:00+08:00 ", 26, &t), FU_OK);
}

/* A date is no personal data: echoed as written. The rest of the text is
 * quoted as a cell (a phone number after it is still masked). */
Test(calendar_errors, date_of_a_bad_time_is_echoed_as_written) {
    time_fail("+2026-03-02T09:00:00Z", FU_EPARSE,
              "bad time '+2026-03-02T09:00:00Z': no sign is allowed before the year (years 0001..9999) "
              "(character 1 of the value)");
    time_fail("-2026-03-02T09:00:00Z", FU_EPARSE,
              "bad time '-2026-03-02T09:00:00Z': no sign is allowed before the year (years 0001..9999) "
              "(character 1 of the value)");
    time_fail("202603-03-02T09:00:00Z", FU_EPARSE,
              "bad time '202603-03-02T09:00:00Z': expected '-' after the year (character 5 of the value)");
    time_fail("2026-03-02 13812345678", FU_EPARSE,
              "bad time '2026-03-02 138****5678': expected ':' after the hour (character 14 of the value)");
    /* no date in front: the whole text is quoted as a cell, as before */
    time_fail("+8613812345678", FU_EPARSE,
              "bad time '+86138****5678': no sign is allowed before the year (years 0001..9999) "
              "(character 1 of the value)");
}
