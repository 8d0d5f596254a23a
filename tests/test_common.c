/* The foundation: version, error model, allocator and the OOM harness itself. */
#include "fu_test.h"
#include "internal.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

Test(common, version_macros_agree_with_runtime) {
    char expect[32];
    snprintf(expect, sizeof expect, "%d.%d.%d", FU_VERSION_MAJOR, FU_VERSION_MINOR, FU_VERSION_PATCH);
    cr_assert_str_eq(fu_version(), FU_VERSION_STRING);
    cr_assert_str_eq(fu_version(), expect);
    cr_assert_eq(fu_version_number(), FU_VERSION_NUMBER);
    cr_assert_eq(FU_VERSION_NUMBER, FU_VERSION_MAJOR * 10000 + FU_VERSION_MINOR * 100 + FU_VERSION_PATCH);
}

Test(common, error_last_is_never_null_and_starts_clean) {
    const fu_error *e = fu_error_last();
    cr_assert_not_null(e);
    cr_assert_eq(e->code, FU_OK);
    cr_assert_str_eq(e->message, "no error");
    cr_assert_str_eq(e->source, "");
    cr_assert_str_eq(e->path, "");
    cr_assert_eq(e->line, 0);
}

Test(common, error_set_at_keeps_position_and_clear_resets) {
    int rc = fu__error_set_at(FU_EPARSE, "policy.yaml", 12, 7, "caps.new_customer.max",
                              "expected a number, got '%s'", "many");
    cr_assert_eq(rc, FU_EPARSE);
    fu_test_expect_error(FU_EPARSE, "expected a number, got 'many'", "policy.yaml", 12, 7, "caps.new_customer.max");

    char buf[256];
    size_t n = fu_error_format(buf, sizeof buf);
    cr_assert_str_eq(buf, "policy.yaml:12:7: caps.new_customer.max: expected a number, got 'many'");
    cr_assert_eq(n, strlen(buf));
    /* truncation behaves like snprintf */
    char small[8];
    cr_assert_eq(fu_error_format(small, sizeof small), n);
    cr_assert_str_eq(small, "policy.");

    fu_error_clear();
    cr_assert_eq(fu_error_last()->code, FU_OK);
    cr_assert_str_eq(fu_error_last()->source, "");
    cr_assert_eq(fu_error_last()->column, 0);
}

Test(common, error_set_drops_stale_position) {
    fu__error_set_at(FU_EPARSE, "a.csv", 3, 4, "tz", "bad");
    fu__error_set(FU_EINVAL, "customer_id is NULL");
    const fu_error *e = fu_error_last();
    cr_assert_eq(e->code, FU_EINVAL);
    cr_assert_str_eq(e->source, "");
    cr_assert_eq(e->line, 0);
    char buf[128];
    fu_error_format(buf, sizeof buf);
    cr_assert_str_eq(buf, "customer_id is NULL");
}

/* A new error may quote the current one (fu_error_last()'s own fields):
 * the message is formatted before the old one is overwritten. */
Test(common, a_new_error_may_quote_the_current_message) {
    fu__error_set_at(FU_EPARSE, "a.csv", 3, 4, "tz", "unknown zone 'Mars/Olympus'");
    fu_error_set(FU_EINVAL, "customer K1: %s", fu_error_last()->message);
    cr_assert_str_eq(fu_error_last()->message, "customer K1: unknown zone 'Mars/Olympus'");
    fu__error_set_at(FU_EPARSE, "b.csv", 5, 6, "at", "%s (row skipped)", fu_error_last()->message);
    fu_test_expect_error(FU_EPARSE, "customer K1: unknown zone 'Mars/Olympus' (row skipped)", "b.csv", 5, 6, "at");
}

Test(common, error_messages_are_truncated_not_overflowed) {
    char big[5000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    fu__error_set_at(FU_EPARSE, big, 1, 1, big, "%s", big);
    const fu_error *e = fu_error_last();
    cr_assert_lt(strlen(e->message), 1024);
    cr_assert_lt(strlen(e->source), 512);
    cr_assert_lt(strlen(e->path), 256);
    cr_assert_eq(e->message[0], 'x');
}

Test(common, error_prefix_adds_context) {
    fu__error_set(FU_ENOTFOUND, "no such zone 'Mars/Olympus'");
    fu__error_prefix("customer %s", "C42");
    cr_assert_str_eq(fu_error_last()->message, "customer C42: no such zone 'Mars/Olympus'");
}

static void *thread_body(void *arg) {
    (void)arg;
    /* a fresh thread starts clean even though the main thread holds an error */
    int ok = fu_error_last()->code == FU_OK;
    fu__error_set(FU_EIO, "thread error");
    ok = ok && strcmp(fu_error_last()->message, "thread error") == 0;
    return ok ? (void *)1 : NULL;
}

Test(common, errors_are_thread_local) {
    fu__error_set(FU_EPOLICY, "main thread error");
    pthread_t t;
    void *res = NULL;
    cr_assert_eq(pthread_create(&t, NULL, thread_body, NULL), 0);
    pthread_join(t, &res);
    cr_assert_not_null(res);
    cr_assert_str_eq(fu_error_last()->message, "main thread error");
    cr_assert_eq(fu_error_last()->code, FU_EPOLICY);
}

struct code_case {
    int code;
    char text[48];
};

ParameterizedTestParameters(common, strerror_names_every_code) {
    static struct code_case cases[] = {
        {FU_OK, "success"},           {FU_ERROR, "error"},
        {FU_ENOMEM, "out of memory"}, {FU_EINVAL, "invalid argument"},
        {FU_EPARSE, "parse error"},   {FU_EPOLICY, "invalid policy"},
        {FU_ENOTFOUND, "not found"},  {FU_EIO, "input/output error"},
        {FU_ERANGE, "value out of range"}, {FU_ETIMEZONE, "unknown time zone"},
        {FU_ESTATE, "operation not allowed in this state"}, {FU_EDB, "storage error"},
        {FU_ECONVERGE, "model fit did not converge"}, {FU_ELIMIT, "input exceeds a limit"},
        {FU_EEXISTS, "already exists"}, {-999, "unknown error"}, {7, "unknown error"},
    };
    return cr_make_param_array(struct code_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct code_case *c, common, strerror_names_every_code) {
    cr_assert_str_eq(fu_strerror(c->code), c->text);
}

Test(common, set_allocator_rejects_incomplete_and_null_restores) {
    fu_allocator bad = {NULL, NULL, NULL, NULL};
    cr_assert_eq(fu_set_allocator(&bad), FU_EINVAL);
    cr_assert_eq(fu_error_last()->code, FU_EINVAL);
    cr_assert_eq(fu_set_allocator(NULL), FU_OK);
    void *p = fu__malloc(10);
    cr_assert_not_null(p);
    fu_free(p);
    fu_free(NULL); /* every free accepts NULL */
}

Test(common, counting_allocator_sees_library_allocations) {
    fu_test_alloc_install(0);
    char *s = fu__strdup("hello");
    cr_assert_str_eq(s, "hello");
    cr_assert_eq(fu_test_alloc_live(), 1);
    cr_assert_eq(fu_test_alloc_live_bytes(), 6);
    fu_free(s);
    cr_assert_eq(fu_test_alloc_live(), 0);
    fu_test_alloc_uninstall();
}

Test(common, calloc_checks_overflow) {
    cr_assert_null(fu__calloc(SIZE_MAX / 2, 4));
    int *z = fu__calloc(4, sizeof(int));
    cr_assert_not_null(z);
    cr_assert_eq(z[0] + z[1] + z[2] + z[3], 0);
    fu_free(z);
}

/* A small operation for the harness: build a text through the internal
 * buffer and an array through fu__grow, then free them. */
static int buf_op(void *ctx) {
    (void)ctx;
    fu__buf b = FU__BUF_INIT;
    int *arr = NULL;
    size_t cap = 0;
    int rc = FU_OK;
    for (int i = 0; i < 100 && rc == FU_OK; i++) rc = fu__buf_printf(&b, "line %d of a longer text\n", i);
    for (size_t i = 0; i < 1000 && rc == FU_OK; i++) {
        rc = FU_GROW(arr, cap, i + 1);
        if (rc == FU_OK) arr[i] = (int)i;
    }
    char *s = rc == FU_OK ? fu__buf_detach(&b) : NULL;
    if (rc == FU_OK && !s) rc = fu__error_nomem();
    if (rc == FU_OK && (strncmp(s, "line 0 of", 9) != 0 || arr[999] != 999)) rc = FU_ERROR;
    fu_free(s);
    fu__buf_free(&b);
    fu_free(arr);
    return rc;
}

Test(common, oom_harness_fails_every_allocation_of_an_operation) {
    unsigned long n = fu_test_oom("buffer+grow", buf_op, NULL, 100000);
    cr_assert_geq(n, 10, "expected several allocations, saw %lu", n);
}

Test(common, buf_printf_handles_long_output) {
    fu__buf b = FU__BUF_INIT;
    char longs[1000];
    memset(longs, 'a', sizeof longs - 1);
    longs[sizeof longs - 1] = '\0';
    cr_assert_eq(fu__buf_printf(&b, "<%s>", longs), FU_OK);
    cr_assert_eq(b.len, 1001);
    cr_assert_eq(b.data[0], '<');
    cr_assert_eq(b.data[1000], '>');
    fu__buf_free(&b);
}

/* Every options struct has an _options_init() that fills what its INIT macro
 * gives (docs/api.md, "Options structs"); NULL is a no-op. */
/* `var` of `type`, filled with garbage, then by `fn`; `want` of `type` set
 * to `init`, the INIT macro it should equal. */
#define FILLED_BY(type, var, fn, want, init) \
    type want = init;                        \
    type var;                                \
    memset(&var, 0xab, sizeof var);          \
    fn(&var)

Test(common, options_init_functions_equal_their_init_macros) {
    FILLED_BY(fu_book_options, b, fu_book_options_init, bw, FU_BOOK_OPTIONS_INIT);
    FILLED_BY(fu_extract_options, e, fu_extract_options_init, ew, FU_EXTRACT_OPTIONS_INIT);
    FILLED_BY(fu_segment_rfm_options, r, fu_segment_rfm_options_init, rw, FU_SEGMENT_RFM_OPTIONS_INIT);
    FILLED_BY(fu_segment_book_options, so, fu_segment_book_options_init, sw, FU_SEGMENT_BOOK_OPTIONS_INIT);
    cr_assert(b.version == FU_BOOK_OPTIONS_VERSION && b.version == bw.version && b.flags == bw.flags &&
              b.max_record_bytes == bw.max_record_bytes && b.max_field_bytes == bw.max_field_bytes);
    cr_assert(e.version == FU_EXTRACT_OPTIONS_VERSION && e.version == ew.version && !e.patterns && !e.risky &&
              e.n_patterns == ew.n_patterns && e.n_risky == ew.n_risky && e.min_lead_seconds == ew.min_lead_seconds &&
              e.flags == ew.flags && e.match_limit == ew.match_limit);
    cr_assert(r.version == FU_SEGMENT_RFM_OPTIONS_VERSION && !r.rules && r.n_rules == rw.n_rules && r.bins == 5);
    cr_assert(so.version == sw.version && so.local_days == 1 && so.day_offset == 0);
    cr_assert_eq(so.unit_seconds, 604800.0, "the model time unit defaults to a week");
    /* the filled options are accepted as they are */
    fu_book *book = NULL;
    cr_assert_eq(fu_book_new(&book, &b), FU_OK, "%s", fu_error_last()->message);
    fu_book_free(book);
    fu_extractor *ex = NULL;
    cr_assert_eq(fu_extractor_new(&ex, &e), FU_OK, "%s", fu_error_last()->message);
    fu_extractor_free(ex);
    fu_book_options_init(NULL);
    fu_extract_options_init(NULL);
    fu_segment_rfm_options_init(NULL);
    fu_segment_book_options_init(NULL);
}

/* The options-like structs that had only an INIT macro (fu_sim_options,
 * fu_commit_query, fu_commit_input) have an _init() filling the same. */
Test(common, late_init_functions_equal_their_init_macros) {
    FILLED_BY(fu_sim_options, s, fu_sim_options_init, sw, FU_SIM_OPTIONS_INIT);
    FILLED_BY(fu_commit_query, q, fu_commit_query_init, qw, FU_COMMIT_QUERY_INIT);
    FILLED_BY(fu_commit_input, in, fu_commit_input_init, iw, FU_COMMIT_INPUT_INIT);
    cr_assert(s.version == FU_SIM_OPTIONS_VERSION && s.version == sw.version && s.step == sw.step &&
              s.progress == NULL && sw.progress == NULL && s.progress_ud == NULL && sw.progress_ud == NULL);
    cr_assert(q.version == FU_COMMIT_QUERY_VERSION && q.version == qw.version && q.kind == FU_QUERY_ALL &&
              q.kind == qw.kind && q.from == qw.from && q.to == qw.to && q.now == qw.now && q.owner == NULL &&
              qw.owner == NULL && q.customer_id == NULL && qw.customer_id == NULL && q.limit == qw.limit &&
              q.flags == qw.flags);
    cr_assert(in.version == FU_COMMIT_INPUT_VERSION && in.version == iw.version && !in.customer_id && !iw.customer_id &&
              !in.text && !in.category && !in.owner && !in.created_by && !in.calendar && !in.rule &&
              in.created_at == iw.created_at && in.deadline == FU_COMMIT_NO_TIME && in.deadline == iw.deadline &&
              in.promised.value == iw.promised.value && in.promised.unit == iw.promised.unit);
    fu_sim_options_init(NULL);
    fu_commit_query_init(NULL);
    fu_commit_input_init(NULL);
}
#undef FILLED_BY

/* fu__rule_listed: a rule among a merged contact's "a; b" rules, whole names only. */
Test(common, rule_listed_takes_whole_names) {
    const char *list = "cadences.fault.urgent_response; cadences.fault_escalation.expert_team";
    cr_assert(fu__rule_listed(list, "cadences.fault.urgent_response", 30));
    cr_assert(fu__rule_listed(list, "cadences.fault_escalation.expert_team", 37));
    cr_assert(!fu__rule_listed(list, "cadences.fault", 14));
    cr_assert(!fu__rule_listed(list, "cadences.fault_escalation.expert", 32));
    cr_assert(fu__rule_listed("a; b", "b; c", 1)); /* rule[0..n) */
    cr_assert(!fu__rule_listed("", "a", 1));
    cr_assert(!fu__rule_listed(NULL, "a", 1));
}
