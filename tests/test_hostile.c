/*
 * Hostile input (issue 10): very long lines and fields, NUL bytes, invalid
 * UTF-8, huge numbers, instants far in the past or future, a million
 * customers with one event each, one customer with a million events. Each
 * gets a clear error or correct output; none may crash, hang or leak (these
 * run under ASan + UBSan and valgrind too).
 */
#include "fu_test.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static fu_book *new_book(void) {
    fu_book *b = NULL;
    cr_assert_eq(fu_book_new(&b, NULL), FU_OK);
    return b;
}

static int read_customers(fu_book *b, const char *text, size_t len) {
    return fu_book_read_customers_csv_from_string(b, text, len, "hostile.csv");
}

Test(hostile, a_field_over_the_limit_is_refused_with_its_position) {
    size_t n = 300 * 1024;
    char *text = malloc(n + 64);
    int k = sprintf(text, "customer_id,tz\nC1,");
    memset(text + k, 'x', n);
    strcpy(text + k + n, "\n");
    fu_book *b = new_book();
    int rc = read_customers(b, text, strlen(text));
    cr_assert_eq(rc, FU_ELIMIT, "%s", fu_error_last()->message);
    cr_assert_str_eq(fu_error_last()->source, "hostile.csv");
    cr_assert_eq(fu_error_last()->line, 2);
    cr_assert_eq(fu_book_customer_count(b), 0, "nothing half-read is kept");
    fu_book_free(b);
    free(text);
}

/* A bad customers CSV: its error code and position; nothing is kept. */
struct bad_csv {
    char name[40];
    char text[64];
    size_t len; /* the text may hold NUL bytes */
    int code;
    unsigned long line, column; /* column 0: not checked */
    char path[16];
};

#define BAD(name, text, code, line, column, path) {name, text, sizeof text - 1, code, line, column, path}
ParameterizedTestParameters(hostile, bad_customer_cells_are_errors_with_their_position) {
    static struct bad_csv cases[] = {
        BAD("a NUL byte", "customer_id,tz\nC\0001,UTC\n", FU_EPARSE, 2, 2, ""),
        BAD("invalid UTF-8", "customer_id,tz\nC\xff\xfe,UTC\n", FU_EPARSE, 2, 0, ""),
        BAD("a number beyond double: not infinity", "customer_id,tz,annual_spend\nC1,UTC,1e999\n", FU_ERANGE, 2, 0,
            "annual_spend"),
    };
    return cr_make_param_array(struct bad_csv, cases, sizeof cases / sizeof cases[0]);
}
#undef BAD

ParameterizedTest(struct bad_csv *c, hostile, bad_customer_cells_are_errors_with_their_position) {
    fu_book *b = new_book();
    cr_assert_eq(read_customers(b, c->text, c->len), c->code, "%s: %s", c->name, fu_error_last()->message);
    cr_assert_eq(fu_error_last()->line, c->line, "%s: line %lu", c->name, fu_error_last()->line);
    if (c->column) cr_assert_eq(fu_error_last()->column, c->column, "%s: column %lu", c->name, fu_error_last()->column);
    if (c->path[0]) cr_assert_str_eq(fu_error_last()->path, c->path, "%s", c->name);
    cr_assert_eq(fu_book_customer_count(b), 0, "%s: nothing half-read is kept", c->name);
    fu_book_free(b);
}

Test(hostile, huge_numbers_within_double_are_kept) {
    fu_book *b = new_book();
    static const char big[] = "customer_id,tz,annual_spend\nC1,UTC,1e300\n";
    cr_assert_eq(read_customers(b, big, sizeof big - 1), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(fu_book_customer(b, 0)->annual_spend, 1e300);
    fu_book_free(b);
}

Test(hostile, instants_far_in_the_past_or_future) {
    int64_t t;
    cr_assert_eq(fu_time_parse("0001-01-01T00:00:00Z", 20, &t), FU_OK);
    cr_assert_eq(fu_time_parse("9999-12-31T23:59:59Z", 20, &t), FU_OK);
    cr_assert_neq(fu_time_parse("10000-01-01T00:00:00Z", 21, &t), FU_OK);
    char buf[64];
    cr_assert_eq(fu_time_format(INT64_MAX, 0, 0, buf, sizeof buf), FU_ERANGE);
    cr_assert_eq(fu_time_format(INT64_MIN + 1, 0, 0, buf, sizeof buf), FU_ERANGE);

    fu_calendar *cal = NULL;
    cr_assert_eq(fu_calendar_new(&cal, "Europe/Berlin"), FU_OK);
    fu_local loc;
    cr_assert_eq(fu_calendar_to_local(cal, INT64_MAX, &loc), FU_ERANGE);
    int64_t out;
    cr_assert_eq(fu_calendar_add_business(cal, 0, INT64_MAX, &out), FU_ERANGE);
    fu_calendar_free(cal);

    /* a planner asked about year 10000 says so */
    fu_policy *p = NULL;
    cr_assert_eq(fu_policy_default(&p), FU_OK);
    fu_book *b = new_book();
    static const char c[] = "customer_id,tz\nC1,Asia/Shanghai\n";
    static const char e[] = "customer_id,at,kind\nC1,0001-01-02T00:00:00Z,delivery\n";
    cr_assert_eq(read_customers(b, c, sizeof c - 1), FU_OK);
    cr_assert_eq(fu_book_read_events_csv_from_string(b, e, sizeof e - 1, "e.csv"), FU_OK,
                 "%s", fu_error_last()->message);
    fu_planner *pl = NULL;
    cr_assert_eq(fu_planner_new(&pl, p, b, NULL), FU_OK, "%s", fu_error_last()->message);
    fu_plan *plan = NULL;
    cr_assert_eq(fu_planner_plan(pl, INT64_C(253402300800) * 2, 86400, &plan), FU_ERANGE);
    cr_assert_null(plan);
    /* near year 1 the planner's look-back would leave the supported range:
     * a clear range error, not a wrapped-around date */
    cr_assert_eq(fu_planner_plan(pl, -62135596800 + 86400, 86400, &plan), FU_ERANGE);
    cr_assert(strstr(fu_error_last()->message, "range") != NULL, "%s", fu_error_last()->message);
    cr_assert_null(plan);
    fu_planner_free(pl);
    fu_book_free(b);
    fu_policy_free(p);
}

/* A planner of the built-in policy over `b` (into *pl) and its plan of one day from `now`. */
static fu_plan *plan_one_day(const fu_policy *p, fu_book *b, int64_t now, fu_planner **pl) {
    cr_assert_eq(fu_planner_new(pl, p, b, NULL), FU_OK, "%s", fu_error_last()->message);
    fu_plan *plan = NULL;
    cr_assert_eq(fu_planner_plan(*pl, now, 86400, &plan), FU_OK, "%s", fu_error_last()->message);
    return plan;
}

#define MANY 1000000

Test(hostile, a_million_customers_with_one_event_each) {
    fu_book *b = new_book();
    fu_customer *cs = malloc(sizeof *cs * MANY);
    fu_event_in *es = malloc(sizeof *es * MANY);
    char (*ids)[12] = malloc(12 * (size_t)MANY);
    int64_t now;
    cr_assert_eq(fu_time_parse("2026-11-23T00:00:00+08:00", 25, &now), FU_OK);
    for (size_t i = 0; i < MANY; i++) {
        snprintf(ids[i], 12, "C%zu", i);
        fu_customer_init(&cs[i]);
        cs[i].id = ids[i];
        cs[i].tz = (i % 3) ? "Asia/Shanghai" : "Europe/Berlin";
        cs[i].consent_phone = FU_TRI_YES;
        fu_event_in_init(&es[i]);
        es[i].customer_id = ids[i];
        es[i].at = now - 3600 - (int64_t)(i % 7200);
        es[i].kind = FU_EVENT_DELIVERY;
    }
    cr_assert_eq(fu_book_add_customers(b, cs, MANY), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(fu_book_add_events(b, es, MANY), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(fu_book_finalize(b), FU_OK);
    cr_assert_eq(fu_book_customer_count(b), MANY);
    cr_assert_eq(fu_book_event_count(b), MANY);

    fu_policy *p = fu_test_policy(NULL);
    fu_planner *pl = NULL;
    fu_plan *plan = plan_one_day(p, b, now, &pl);
    fu_plan_stats st;
    fu_plan_get_stats(plan, &st);
    /* every delivery gives exactly one first contact due in the next day, and
     * nothing is lost: planned + suppressed + deferred covers every customer */
    cr_assert_eq(st.customers, MANY);
    cr_assert_eq(st.planned + st.suppressed + st.deferred, MANY, "planned %zu suppressed %zu deferred %zu",
                 st.planned, st.suppressed, st.deferred);
    cr_assert_eq(st.planned, MANY);
    fu_plan_free(plan);
    fu_planner_free(pl);
    fu_policy_free(p);
    fu_book_free(b);
    free(cs);
    free(es);
    free(ids);
}

Test(hostile, one_customer_with_a_million_events) {
    fu_book *b = new_book();
    fu_customer c;
    fu_customer_init(&c);
    c.id = "C1";
    c.tz = "Asia/Shanghai";
    c.consent_phone = FU_TRI_YES;
    cr_assert_eq(fu_book_add_customer(b, &c, NULL), FU_OK);
    int64_t now;
    cr_assert_eq(fu_time_parse("2026-11-23T00:00:00+08:00", 25, &now), FU_OK);
    fu_event_in *es = malloc(sizeof *es * MANY);
    for (size_t i = 0; i < MANY; i++) {
        fu_event_in_init(&es[i]);
        es[i].customer_id = "C1";
        /* newest first, one a minute back in time: the book must sort them */
        es[i].at = now - 60 * (int64_t)(i + 1);
        es[i].kind = (i % 10 == 0) ? FU_EVENT_PURCHASE : FU_EVENT_CONTACT;
        es[i].channel = FU_CHANNEL_PHONE;
        es[i].outcome = (i % 3) ? FU_OUTCOME_NO_ANSWER : FU_OUTCOME_ANSWERED;
        es[i].amount = (i % 10 == 0) ? 10.0 : NAN;
    }
    cr_assert_eq(fu_book_add_events(b, es, MANY), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(fu_book_finalize(b), FU_OK);
    size_t n = 0;
    const fu_event *ev = NULL;
    cr_assert_eq(fu_book_customer_events(b, 0, &ev, &n), FU_OK);
    cr_assert_eq(n, MANY);
    for (size_t i = 1; i < n; i++) cr_assert_leq(ev[i - 1].at, ev[i].at);

    fu_policy *p = fu_test_policy(NULL);
    fu_planner *pl = NULL;
    fu_plan *plan = plan_one_day(p, b, now, &pl);
    fu_plan_stats st;
    fu_plan_get_stats(plan, &st);
    cr_assert_eq(st.customers, 1);
    /* the customer was called a minute ago: any routine contact waits for the gap */
    size_t k = 0;
    const fu_touchpoint *tp = fu_plan_touchpoints(plan, FU_TOUCHPOINT_PLANNED, &k);
    for (size_t i = 0; i < k; i++) cr_assert_geq(tp[i].best_at, now - 60 + 24 * 3600 - 1);
    fu_plan_free(plan);
    fu_planner_free(pl);

    fu_besttime *bt = NULL;
    cr_assert_eq(fu_besttime_new(&bt, p, b, NULL, 0, NULL), FU_OK, "%s", fu_error_last()->message);
    fu_besttime_free(bt);

    fu_kpi *kpi = NULL;
    cr_assert_eq(fu_kpi_new(&kpi, p, NULL), FU_OK);
    cr_assert_eq(fu_kpi_add_book(kpi, b), FU_OK, "%s", fu_error_last()->message);
    size_t nfig = 0;
    cr_assert_eq(fu_kpi_compute(kpi, &nfig), FU_OK, "%s", fu_error_last()->message);
    cr_assert_gt(nfig, 0);
    fu_kpi_free(kpi);
    fu_policy_free(p);
    fu_book_free(b);
    free(es);
}
