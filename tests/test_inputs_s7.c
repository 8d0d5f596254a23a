/* Input typed the way people save it (outside review, session 7): a policy
 * with a UTF-8 byte order mark, and the three-letter zone aliases ICU keeps
 * for old Java code ("CST" would be US Central time). */
#include "fu_test.h"

#include <criterion/criterion.h>
#include <string.h>

#include "followup/calendar.h"
#include "followup/policy.h"

Test(inputs_s7, policy_with_byte_order_mark) {
    const char *y = "\xEF\xBB\xBFname: acme\r\nversion: \"1\"\r\n";
    fu_policy *p = NULL;
    int rc = fu_policy_load_string(&p, y, strlen(y), "bom.yaml", NULL);
    cr_assert_eq(rc, FU_OK, "%s", fu_error_last()->message);
    fu_policy_free(p);
    const char *bad = "\xEF\xBB\xBFname: acme\nversion: [1\n";
    cr_assert_neq(fu_policy_load_string(&p, bad, strlen(bad), "bad.yaml", NULL), FU_OK);
    /* positions count from after the mark; an error found at the end is
     * placed after the last character (review s11 L9) */
    cr_assert_eq(fu_error_last()->line, 2);
    cr_assert_eq(fu_error_last()->column, 12);
    /* a mark alone is an empty policy, as an empty file */
    const char *only = "\xEF\xBB\xBF";
    fu_policy *q = NULL;
    int rc_only = fu_policy_load_string(&q, only, 3, "only.yaml", NULL);
    int rc_empty = fu_policy_load_string(&p, "", 0, "empty.yaml", NULL);
    cr_assert_eq(rc_only, rc_empty);
    fu_policy_free(q);
    fu_policy_free(p);
}

Test(inputs_s7, legacy_zone_aliases_refused) {
    static const char *const refused[] = {"CST", "PST", "IST", "CTT", "JST", "BST", "AET", "VST"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        fu_calendar *c = NULL;
        cr_assert_eq(fu_calendar_new(&c, refused[i]), FU_ETIMEZONE, "%s accepted", refused[i]);
        cr_assert_null(c);
        cr_assert(strstr(fu_error_last()->message, "ambiguous time zone"), "%s", fu_error_last()->message);
    }
    fu_calendar *c = NULL;
    cr_assert_eq(fu_calendar_new(&c, "CST"), FU_ETIMEZONE);
    cr_assert(strstr(fu_error_last()->message, "Asia/Shanghai") &&
              strstr(fu_error_last()->message, "America/Chicago"));
    static const char *const kept[] = {"EST", "MST", "HST", "UTC", "GMT", "PRC", "Asia/Shanghai",
                                       "America/Chicago", "CST6CDT"};
    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++) {
        cr_assert_eq(fu_calendar_new(&c, kept[i]), FU_OK, "%s: %s", kept[i], fu_error_last()->message);
        fu_calendar_free(c);
    }
}

#include "followup/guard.h"

#include <unistd.h>

static int open_log(const char *path, unsigned flags) {
    fu_contact_log_options o = FU_CONTACT_LOG_OPTIONS_INIT;
    o.flags = flags;
    fu_contact_log *l = NULL;
    int rc = fu_contact_log_open(&l, path, &o);
    fu_contact_log_close(l);
    return rc;
}

Test(inputs_s7, contact_log_keeps_its_raw_text_setting) {
    char path[] = "/tmp/fu_s7_logXXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    close(fd);
    unlink(path);
    cr_assert_eq(open_log(path, FU_CONTACT_LOG_STORE_RAW_TEXT), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(open_log(path, FU_CONTACT_LOG_STORE_RAW_TEXT), FU_OK);
    cr_assert_eq(open_log(path, 0), FU_EINVAL);
    cr_assert(strstr(fu_error_last()->message, "stores agent and rule text raw"), "%s", fu_error_last()->message);
    cr_assert_eq(open_log(path, FU_CONTACT_LOG_READONLY), FU_EINVAL);
    cr_assert_eq(open_log(path, FU_CONTACT_LOG_READONLY | FU_CONTACT_LOG_STORE_RAW_TEXT), FU_OK);
    unlink(path);
    cr_assert_eq(open_log(path, 0), FU_OK); /* masked by default, and kept so */
    cr_assert_eq(open_log(path, FU_CONTACT_LOG_STORE_RAW_TEXT), FU_EINVAL);
    cr_assert(strstr(fu_error_last()->message, "stores agent and rule text masked"));
    cr_assert_eq(open_log(path, 0), FU_OK);
    char wal[64];
    unlink(path);
    snprintf(wal, sizeof wal, "%s-wal", path);
    unlink(wal);
    snprintf(wal, sizeof wal, "%s-shm", path);
    unlink(wal);
    cr_assert_eq(open_log(NULL, FU_CONTACT_LOG_STORE_RAW_TEXT), FU_OK); /* in memory */
}

Test(inputs_s7, summary_names_chinese_numeral_masking) {
    const char *on = "name: acme\nversion: \"1\"\nredaction: {cjk_numerals: true}\n";
    const char *off = "name: acme\nversion: \"1\"\n";
    for (int k = 0; k < 2; k++) {
        const char *y = k ? off : on;
        fu_policy *p = NULL;
        cr_assert_eq(fu_policy_load_string(&p, y, strlen(y), "p.yaml", NULL), FU_OK, "%s", fu_error_last()->message);
        size_t len = 0;
        char *text = NULL;
        cr_assert_eq(fu_policy_summary(p, &len, &text), FU_OK);
        cr_assert_eq(strstr(text, "redaction: on, 0 extra patterns, phone numbers in Chinese numerals\n") != NULL,
                     k == 0, "%s", text);
        cr_assert(strstr(text, "redaction: on, 0 extra patterns"));
        fu_free(text);
        fu_policy_free(p);
    }
}
