/* API messages name the argument they refer to (review s11 L5): a NULL where
 * a pointer is required fails with FU_EINVAL and "<function>: <argument> is
 * NULL", the argument named as in the header, not "NULL argument" (which
 * one?). The second test keeps the old wording out of the files fixed. */
#include "fu_test.h"

#include "followup.h"

#include <criterion/criterion.h>
#include <ctype.h>
#include <dirent.h>
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
    fu_extractor *none = NULL; /* a failed new sets its out to NULL: not ex, which is freed below */
    says(fu_extractor_new_from_policy(&none, NULL), "fu_extractor_new_from_policy: policy is NULL");
    fu_duration d;
    says(fu_duration_parse(NULL, 0, &d), "fu_duration_parse: text is NULL");
    says(fu_duration_parse("1d", 2, NULL), "fu_duration_parse: out is NULL");
    size_t len = 0;
    says(fu_policy_summary(p, &len, NULL), "fu_policy_summary: out is NULL");
    double v = 0;
    says(fu_policy_get_number(p, NULL, &v), "fu_policy_get_number: path is NULL");
    size_t keys = 0;
    says(fu_policy_get_length(p, NULL, &keys), "fu_policy_get_length: path is NULL");
    fu_policy *q = NULL;
    says(fu_policy_load_string(NULL, "a: 1", 4, NULL, NULL), "fu_policy_load_string: out is NULL");
    says(fu_policy_load_string(&q, NULL, 4, NULL, NULL), "fu_policy_load_string: text is NULL");
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

/* The same in the calendar, capacity, KPI and planner files (review s11 L5,
 * third wave). */
Test(abi_messages, calendar_kpi_and_planner_name_the_argument) {
    fu_policy *p = NULL;
    cr_assert_eq(fu_policy_default(&p), FU_OK);
    fu_calendar *cal = NULL;
    cr_assert_eq(fu_calendar_new(&cal, "UTC"), FU_OK);
    int64_t t = 0;
    says(fu_calendar_add_business(NULL, 0, 60, &t), "fu_calendar_add_business: cal is NULL");
    says(fu_calendar_add_business(cal, 0, 60, NULL), "fu_calendar_add_business: out is NULL");
    char buf[4];
    fu_date d = {2026, 12, 7};
    says(fu_date_format(&d, buf, sizeof buf), "fu_date_format: buf is smaller than FU_DATE_TEXT_SIZE");
    says(fu_date_format(NULL, buf, sizeof buf), "fu_date_format: date is NULL");
    fu_windows *w = NULL;
    says(fu_windows_parse(NULL, 3, &w), "fu_windows_parse: text is NULL");
    fu_calendar *none = NULL; /* a failed call sets its out to NULL: not cal, which is freed below */
    says(fu_policy_calendar_in_zone(p, "x", NULL, &none), "fu_policy_calendar_in_zone: tzid is NULL");
    size_t n = 0;
    fu_capacity_item *items = NULL;
    says(fu_plan_capacity_items(NULL, &items, &n), "fu_plan_capacity_items: plan is NULL");
    fu_kpi *k = NULL;
    says(fu_kpi_new(&k, NULL, NULL), "fu_kpi_new: policy is NULL");
    cr_assert_eq(fu_kpi_new(&k, p, NULL), FU_OK);
    says(fu_kpi_compute(k, NULL), "fu_kpi_compute: out is NULL");
    says(fu_kpi_write_json_to_string(k, NULL, NULL), "fu_kpi_write_json_to_string: out is NULL");
    says(fu_kpi_merge_partial(NULL, "", 0), "fu_kpi_merge_partial: into is NULL");
    fu_planner *pl = NULL;
    says(fu_planner_new(&pl, p, NULL, NULL), "fu_planner_new: book is NULL");
    fu_plan *plan = NULL;
    says(fu_planner_plan(NULL, 0, 0, &plan), "fu_planner_plan: planner is NULL");
    fu_event_in ev = {0};
    says(fu_planner_feed(NULL, &ev, 0, 0, &plan), "fu_planner_feed: planner is NULL");
    fu_kpi_free(k);
    fu_calendar_free(cal);
    fu_policy_free(p);
}

/* The files whose messages were fixed hold no "NULL argument" any more. */
Test(abi_messages, no_unnamed_null_argument_left) {
    static const char *const files[] = {
        "besttime.c",      "commit.c",        "commit_book.c",    "commit_store.c",  "frequency.c",
        "guard.c",         "guard_store.c",   "model_file.c",     "policy.c",        "segment_run.c",
        "simulate.c",      "calendar.c",      "calendar_zone.c",  "capacity.c",      "kpi.c",
        "kpi_html.c",      "kpi_partial.c",   "kpi_pass.c",       "kpi_segments.c",  "kpi_store.c",
        "kpi_write.c",     "planner.c",       "planner_agents.c", "planner_clv.c",   "planner_plan.c",
        "planner_sim.c",   "planner_time.c"};
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

/* Every "fu_xxx: ... is NULL" message in lib/ names a function declared in
 * include/followup/ (review s11 hR L2: "fu_policy_get", "fu_policy_load"
 * named none). */
static char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    char *s = malloc(cap);
    size_t k;
    while (s && (k = fread(s + n, 1, cap - n - 1, f)) > 0) {
        n += k;
        if (cap - n < 2) {
            char *t = realloc(s, cap *= 2);
            if (!t) free(s);
            s = t;
        }
    }
    fclose(f);
    if (s) s[n] = '\0';
    return s;
}

/* Whether `name(` (a function) or `} name;` (an options struct whose member
 * is NULL: "fu_redact_options: n_extra is 2 but extra is NULL") is declared
 * in one of the public headers' texts. */
static int declared(char *const *hdrs, size_t nh, const char *name, size_t len) {
    for (size_t h = 0; h < nh; h++)
        for (const char *at = hdrs[h]; (at = strstr(at, name)) != NULL; at += len) {
            int starts = at == hdrs[h] || !(isalnum((unsigned char)at[-1]) || at[-1] == '_');
            int type = at - hdrs[h] >= 2 && at[-2] == '}' && at[-1] == ' ' && at[len] == ';';
            if ((starts && at[len] == '(') || type) return 1;
        }
    return 0;
}

Test(abi_messages, a_null_message_names_a_public_function) {
    char dir[512], path[1024];
    char *hdrs[64];
    size_t nh = 0, checked = 0;
    snprintf(dir, sizeof dir, "%s/../include/followup", FU_TEST_SRCDIR);
    DIR *d = opendir(dir);
    cr_assert(d, "open %s", dir);
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        size_t l = strlen(e->d_name);
        if (l < 3 || strcmp(e->d_name + l - 2, ".h") != 0) continue;
        cr_assert_lt(nh, sizeof hdrs / sizeof *hdrs);
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        cr_assert((hdrs[nh++] = slurp(path)) != NULL, "read %s", path);
    }
    closedir(d);
    snprintf(dir, sizeof dir, "%s/../lib", FU_TEST_SRCDIR);
    d = opendir(dir);
    cr_assert(d, "open %s", dir);
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        size_t l = strlen(e->d_name);
        if (l < 3 || strcmp(e->d_name + l - 2, ".c") != 0) continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        char *src = slurp(path);
        cr_assert(src, "read %s", path);
        /* a string literal starting "fu_<name>: " whose text says "is NULL" */
        for (const char *at = src; (at = strstr(at, "\"fu_")) != NULL; at++) {
            const char *name = at + 1, *q = name;
            while (isalnum((unsigned char)*q) || *q == '_') q++;
            if (q[0] != ':' || q[1] != ' ') continue;
            const char *end = strchr(q, '"');
            const char *null = strstr(q, "is NULL");
            if (!end || !null || null > end) continue;
            char fn[128];
            snprintf(fn, sizeof fn, "%.*s", (int)(q - name), name);
            checked++;
            cr_expect(declared(hdrs, nh, fn, strlen(fn)), "lib/%s: '%.*s' names no function of include/followup",
                      e->d_name, (int)(end - name), name);
        }
        free(src);
    }
    closedir(d);
    for (size_t h = 0; h < nh; h++) free(hdrs[h]);
    cr_assert_gt(checked, 50, "only %zu messages found: the scan is broken", checked);
}
