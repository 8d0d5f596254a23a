/* The followup tool's JSON writer (examples/cli/json.c): UTF-8 validation,
 * escaping and typed values, checked against hand-written expected text. */
#include "../examples/cli/json.c"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

/* What `write` puts on a stream, and its return code. */
static const char *capture(int (*write)(FILE *, int, const char *), int type, const char *text, int *rc) {
    static char buf[256];
    FILE *f = tmpfile();
    cr_assert(f);
    *rc = write(f, type, text);
    long n = ftell(f);
    rewind(f);
    size_t got = fread(buf, 1, (size_t)n, f);
    buf[got] = '\0';
    fclose(f);
    return buf;
}

static int string_writer(FILE *f, int type, const char *text) {
    (void)type;
    return cli_json_string(f, text);
}

static void expect_value(int type, const char *text, const char *want) {
    int rc;
    const char *got = capture(cli_json_value, type, text, &rc);
    cr_assert_eq(rc, 0, "%c %s", type, text);
    cr_assert_str_eq(got, want, "%c '%s'", type, text);
}

Test(cli_json, utf8_validation) {
    cr_assert_eq(cli_utf8_valid_prefix("abc \xe5\xae\xa2\xe6\x88\xb7 \xf0\x9f\x98\x80"), 15u);
    cr_assert_eq(cli_utf8_valid_prefix("ab\xff"), 2u);             /* not a lead byte */
    cr_assert_eq(cli_utf8_valid_prefix("a\xc0\xaf"), 1u);          /* overlong '/' */
    cr_assert_eq(cli_utf8_valid_prefix("a\xe0\x80\xaf"), 1u);      /* overlong, 3 bytes */
    cr_assert_eq(cli_utf8_valid_prefix("a\xed\xa0\x80"), 1u);      /* a surrogate */
    cr_assert_eq(cli_utf8_valid_prefix("a\xf4\x90\x80\x80"), 1u);  /* past U+10FFFF */
    cr_assert_eq(cli_utf8_valid_prefix("a\xe5\xae"), 1u);          /* cut short */
}

Test(cli_json, strings_are_escaped_and_invalid_utf8_refused) {
    int rc;
    const char *got = capture(string_writer, 0, "a\"b\\c\nd\te\x01\x7f\xe5\xae\xa2", &rc);
    cr_assert_eq(rc, 0);
    cr_assert_str_eq(got, "\"a\\\"b\\\\c\\nd\\te\\u0001\\u007f\xe5\xae\xa2\"");
    got = capture(string_writer, 0, "bad\xff", &rc);
    cr_assert_eq(rc, -1);
    cr_assert_str_eq(got, "", "nothing written for invalid UTF-8");
}

Test(cli_json, typed_values) {
    expect_value(CLI_JSON_NUMBER, "12", "12");
    expect_value(CLI_JSON_NUMBER, "-0.25", "-0.25");
    expect_value(CLI_JSON_NUMBER, "1e5", "1e5");
    expect_value(CLI_JSON_NUMBER, "+3", "3");
    expect_value(CLI_JSON_NUMBER, ".5", "0.5");
    expect_value(CLI_JSON_NUMBER, "", "null");
    expect_value(CLI_JSON_NUMBER, "never", "null");
    expect_value(CLI_JSON_NUMBER, "45.0%", "null");
    expect_value(CLI_JSON_NUMBER, "nan", "null");
    expect_value(CLI_JSON_NUMBER, "-inf", "null");
    expect_value(CLI_JSON_NUMBER, "007", "7");
    expect_value(CLI_JSON_BOOL, "yes", "true");
    expect_value(CLI_JSON_BOOL, "no", "false");
    expect_value(CLI_JSON_BOOL, "", "null");
    expect_value(CLI_JSON_NSTRING, "", "null");
    expect_value(CLI_JSON_NSTRING, "x", "\"x\"");
    expect_value(CLI_JSON_STRING, "", "\"\"");
    /* an instant: text, or null for none ("never" is the table's word) */
    expect_value(CLI_JSON_TIME, "2026-11-24T10:00:00+08:00", "\"2026-11-24T10:00:00+08:00\"");
    expect_value(CLI_JSON_TIME, "never", "null");
    expect_value(CLI_JSON_TIME, "", "null");
    expect_value(CLI_JSON_STRING, "never", "\"never\"");
    cr_assert(cli_json_is_number("0") && cli_json_is_number("-1.5E-3"));
    cr_assert(!cli_json_is_number("01") && !cli_json_is_number("1.") && !cli_json_is_number("-") &&
              !cli_json_is_number("0x10"));
}
