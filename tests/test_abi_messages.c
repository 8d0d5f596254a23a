/* API messages name the argument they refer to (review s11 L5): a NULL where
 * a pointer is required fails with FU_EINVAL and "<function>: <argument> is
 * NULL", the argument named as in the header, not "NULL argument" (which
 * one?). The second test keeps the old wording out of the files fixed. */
#include "fu_test.h"

#include "followup.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void says(int rc, const char *want) {
    cr_assert_eq(rc, FU_EINVAL, "rc %d for '%s'", rc, want);
    cr_assert_str_eq(fu_error_last()->message, want);
}

Test(abi_messages, a_null_argument_is_named) {
    fu_policy *p = NULL;
    cr_assert_eq(fu_policy_default(&p), FU_OK);
    fu_calendar *cal = NULL;
    cr_assert_eq(fu_calendar_new(&cal, "Asia/Shanghai"), FU_OK);
    fu_extractor *ex = NULL;
    cr_assert_eq(fu_extractor_new_from_policy(&ex, p), FU_OK);
    fu_extraction *x = NULL;
    says(fu_extractor_run(ex, cal, NULL, 5, 0, &x), "fu_extractor_run: note is NULL");
    says(fu_extractor_run(ex, NULL, "x", 1, 0, &x), "fu_extractor_run: calendar is NULL");
    says(fu_extractor_run(NULL, cal, "x", 1, 0, &x), "fu_extractor_run: ex is NULL");
    says(fu_extractor_run(ex, cal, "x", 1, 0, NULL), "fu_extractor_run: out is NULL");
    says(fu_extractor_new_from_policy(&ex, NULL), "fu_extractor_new_from_policy: policy is NULL");
    fu_duration d;
    says(fu_duration_parse(NULL, 0, &d), "fu_duration_parse: text is NULL");
    says(fu_duration_parse("1d", 2, NULL), "fu_duration_parse: out is NULL");
    size_t len = 0;
    says(fu_policy_summary(p, &len, NULL), "fu_policy_summary: out is NULL");
    double v = 0;
    says(fu_policy_get_number(p, NULL, &v), "fu_policy_get: path is NULL");
    fu_guard_decision dec;
    says(fu_guard_check_and_record(NULL, NULL, &dec), "fu_guard_check_and_record: guard is NULL");
    says(fu_guard_refresh(NULL), "fu_guard_refresh: guard is NULL");
    size_t n = 0;
    says(fu_contact_log_count(NULL, &n), "fu_contact_log_count: log is NULL");
    says(fu_segment_run_new(NULL, NULL, 0, NULL, NULL), "fu_segment_run_new: out is NULL");
    fu_extractor_free(ex);
    fu_calendar_free(cal);
    fu_policy_free(p);
}

/* The files whose messages were fixed hold no "NULL argument" any more. */
Test(abi_messages, no_unnamed_null_argument_left) {
    static const char *const files[] = {"besttime.c", "commit.c",   "commit_book.c", "commit_store.c",
                                        "frequency.c", "guard.c",   "guard_store.c", "model_file.c",
                                        "policy.c",    "segment_run.c", "simulate.c"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/../lib/%s", FU_TEST_SRCDIR, files[i]);
        FILE *f = fopen(path, "rb");
        cr_assert(f, "open %s", path);
        char line[4096];
        unsigned no = 0;
        while (fgets(line, sizeof line, f)) {
            no++;
            cr_expect(!strstr(line, "NULL argument"), "%s:%u: a message that does not name its argument: %s",
                      files[i], no, line);
        }
        fclose(f);
    }
}
