/* Tier cycles combined across partitions (review s10 F7, audit D4): the
 * integer parts of fu_planner_tier_cycle_sums() of a book's partitions,
 * added in any order, give bit for bit the cycles of one planner over the
 * whole book; overflow is an error, never a wrap. */
#include "fu_test.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define D INT64_C(86400)
#define NCUST 90
#define NV 9 /* built-in policy: 3 tiers x 3 classes */

static const char CUST_HDR[] = "customer_id,tz,annual_spend,first_purchase_at,industry,is_smb,preferred_windows,"
                               "dnd_windows,consent_phone,consent_sms,consent_email\n";
static const char EV_HDR[] = "customer_id,at,kind,order_id,product_class,unit_price,amount,severity,channel,"
                             "agent_id,outcome\n";

typedef struct text {
    char *s;
    size_t len, cap;
} text;

static void put(text *t, const char *row) {
    size_t n = strlen(row);
    while (t->len + n + 1 > t->cap) {
        t->cap = t->cap ? 2 * t->cap : 4096;
        t->s = realloc(t->s, t->cap);
        cr_assert_not_null(t->s);
    }
    memcpy(t->s + t->len, row, n + 1);
    t->len += n;
}

/* Customer i: a value tier by its spend, 3..6 purchases of one of three
 * prices (classes) at uneven gaps, so that the cycles ((last - first) /
 * (days - 1)) are fractions of a day that doubles add up differently in
 * different orders. */
static void customer_rows(int i, text *cust, text *ev) {
    static const char *spend[] = {"20000", "200000", "900000"};
    static const char *price[] = {"30", "2000", "90000"};
    char row[256];
    snprintf(row, sizeof row, "C%03d,Asia/Shanghai,%s,2024-01-01T10:00:00+08:00,,,,,yes,yes,yes\n", i,
             spend[i % 3]);
    put(cust, row);
    int64_t at = INT64_C(1735689600) + (int64_t)i * 4999; /* 2025-01-01 UTC plus a few seconds */
    int k = 3 + (i * 7) % 4;
    for (int j = 0; j < k; j++) {
        time_t tt = (time_t)at;
        struct tm tm;
        gmtime_r(&tt, &tm);
        char iso[32];
        strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%S+00:00", &tm);
        snprintf(row, sizeof row, "C%03d,%s,purchase,O%03d_%d,,%s,%s,,,,\n", i, iso, i, j, price[(i / 3) % 3],
                 price[(i / 3) % 3]);
        put(ev, row);
        at += 3 * D + (int64_t)((i * 37 + j * 11) % 17) * D + (int64_t)((i * 7919 + j * 104729) % 86400);
    }
}

/* A planner over the customers order[0 .. n) under the built-in policy. */
static void open_part(fu_test_planner *f, const int *order, size_t n) {
    text c = {0}, e = {0};
    put(&c, CUST_HDR);
    put(&e, EV_HDR);
    for (size_t i = 0; i < n; i++) customer_rows(order[i], &c, &e);
    fu_test_planner_open_ok(f, c.s, e.s);
    free(c.s);
    free(e.s);
}

static void parts_of(const fu_test_planner *f, int64_t *sum, uint64_t *cnt) {
    size_t n = 0;
    cr_assert_eq(fu_planner_tier_cycle_sums(f->pl, sum, cnt, NV, &n), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(n, NV);
}

/* The old way (docs/scaling.md before session 10): partitions' means
 * weighted by the customers who have one. */
static void weighted_means(double cyc[][NV], uint64_t cnt[][NV], size_t np, double *out) {
    for (size_t v = 0; v < NV; v++) {
        double s = 0, w = 0;
        for (size_t p = 0; p < np; p++) {
            s += cyc[p][v] * (double)cnt[p][v];
            w += (double)cnt[p][v];
        }
        out[v] = w > 0 ? s / w : 0;
    }
}

Test(planner_cycles, partitions_in_any_order_give_the_whole_books_cycles_bit_for_bit) {
    int all[NCUST];
    for (int i = 0; i < NCUST; i++) all[i] = i;
    fu_test_planner whole;
    open_part(&whole, all, NCUST);
    double want[NV];
    int64_t wsum[NV];
    uint64_t wcnt[NV];
    size_t n = 0;
    cr_assert_eq(fu_planner_tier_cycles(whole.pl, want, NV, &n), FU_OK);
    parts_of(&whole, wsum, wcnt);
    size_t have = 0;
    for (size_t v = 0; v < NV; v++) have += want[v] > 0;
    cr_assert_eq(have, NV, "the fixture gives every tier x class a cycle");

    /* split 1: every third customer; split 2: three runs, the book reversed
     * inside each; split 3: uneven runs. Parts are added in three orders. */
    int split[3][NCUST];
    size_t psize[3][3];
    for (int i = 0; i < NCUST; i++) split[0][(i % 3) * (NCUST / 3) + i / 3] = i;
    for (int i = 0; i < NCUST; i++) split[1][i] = (i / 30) * 30 + 29 - i % 30;
    for (int i = 0; i < NCUST; i++) split[2][i] = (i * 47) % NCUST; /* 47 is prime to 90: a permutation */
    for (int s = 0; s < 2; s++)
        for (int p = 0; p < 3; p++) psize[s][p] = NCUST / 3;
    psize[2][0] = 7, psize[2][1] = 50, psize[2][2] = NCUST - 57;
    static const int add_order[3][3] = {{0, 1, 2}, {2, 0, 1}, {1, 2, 0}};
    int old_way_differs = 0;
    for (int s = 0; s < 3; s++) {
        int64_t psum[3][NV], tsum[NV] = {0};
        uint64_t pcnt[3][NV], tcnt[NV] = {0};
        double pcyc[3][NV];
        for (int p = 0, at = 0; p < 3; at += (int)psize[s][p], p++) {
            fu_test_planner f;
            open_part(&f, split[s] + at, psize[s][p]);
            parts_of(&f, psum[p], pcnt[p]);
            cr_assert_eq(fu_planner_tier_cycles(f.pl, pcyc[p], NV, &n), FU_OK);
            fu_test_planner_free(&f);
        }
        for (int q = 0; q < 3; q++) {
            int p = add_order[s][q];
            cr_assert_eq(fu_planner_tier_cycle_sums_add(tsum, tcnt, psum[p], pcnt[p], NV), FU_OK);
        }
        cr_assert_eq(memcmp(tsum, wsum, sizeof tsum), 0, "split %d: the integer sums are the whole book's", s);
        cr_assert_eq(memcmp(tcnt, wcnt, sizeof tcnt), 0, "split %d: the counts are the whole book's", s);
        double got[NV];
        cr_assert_eq(fu_planner_tier_cycles_from_sums(tsum, tcnt, NV, got), FU_OK);
        cr_assert_eq(memcmp(got, want, sizeof got), 0, "split %d: cycles bit for bit", s);
        /* a planner given them uses them as given */
        fu_planner_options o = FU_PLANNER_OPTIONS_INIT;
        o.tier_cycles = got;
        o.n_tier_cycles = NV;
        fu_planner *given = NULL;
        cr_assert_eq(fu_planner_new(&given, whole.policy, whole.book, &o), FU_OK);
        double back[NV];
        cr_assert_eq(fu_planner_tier_cycles(given, back, NV, &n), FU_OK);
        cr_assert_eq(memcmp(back, want, sizeof back), 0);
        fu_planner_free(given);
        double old[NV];
        weighted_means(pcyc, pcnt, 3, old);
        old_way_differs += memcmp(old, want, sizeof old) != 0;
    }
    /* the fixture is one the old double combination gets wrong */
    cr_assert_gt(old_way_differs, 0, "weighted partition means happen to equal the whole book's cycles");
    fu_test_planner_free(&whole);
}

Test(planner_cycles, one_customers_cycle_is_rounded_to_the_nearest_second) {
    /* 3 purchase days: 10 days + 1 s apart in all -> 5 days + 0.5 s -> rounds up;
     * 10 days - 1 s -> 5 days - 0.5 s -> rounds up to 5 days exactly */
    static const char cust[] = "customer_id,tz,annual_spend,first_purchase_at,industry,is_smb,preferred_windows,"
                               "dnd_windows,consent_phone,consent_sms,consent_email\n"
                               "A,UTC,20000,2024-01-01T10:00:00+00:00,,,,,yes,yes,yes\n"
                               "B,UTC,20000,2024-01-01T10:00:00+00:00,,,,,yes,yes,yes\n";
    static const char ev[] = "customer_id,at,kind,order_id,product_class,unit_price,amount,severity,channel,"
                             "agent_id,outcome\n"
                             "A,2026-01-01T00:00:00+00:00,purchase,O1,,2000,2000,,,,\n"
                             "A,2026-01-04T00:00:00+00:00,purchase,O2,,2000,2000,,,,\n"
                             "A,2026-01-11T00:00:01+00:00,purchase,O3,,2000,2000,,,,\n"
                             "B,2026-01-01T00:00:00+00:00,purchase,O4,,2000,2000,,,,\n"
                             "B,2026-01-04T00:00:00+00:00,purchase,O5,,2000,2000,,,,\n"
                             "B,2026-01-10T23:59:59+00:00,purchase,O6,,2000,2000,,,,\n";
    fu_test_planner f;
    fu_test_planner_open_ok(&f, cust, ev);
    int64_t sum[NV];
    uint64_t cnt[NV];
    parts_of(&f, sum, cnt);
    size_t v = 2 * 3 + 1; /* ordinary tier (20000), mid-price class (2000) */
    cr_assert_eq(cnt[v], 2);
    cr_assert_eq(sum[v], (5 * D + 1) + 5 * D, "%lld", (long long)sum[v]);
    double cyc[NV];
    size_t n;
    cr_assert_eq(fu_planner_tier_cycles(f.pl, cyc, NV, &n), FU_OK);
    cr_assert_eq(cyc[v], (double)(10 * D + 1) / 2.0 / 86400.0);
    fu_test_planner_free(&f);
}

Test(planner_cycles, overflow_and_bad_parts_are_errors) {
    int64_t sum[2] = {INT64_MAX - 5, 10};
    uint64_t cnt[2] = {3, 1};
    const int64_t add_s[2] = {6, 1};
    const uint64_t add_c[2] = {1, 1};
    cr_assert_eq(fu_planner_tier_cycle_sums_add(sum, cnt, add_s, add_c, 2), FU_ERANGE);
    cr_assert(strstr(fu_error_last()->message, "part 0"), "%s", fu_error_last()->message);
    cr_assert_eq(sum[0], INT64_MAX - 5, "unchanged, not wrapped");
    cr_assert_eq(sum[1], 10, "nothing added on error");
    cr_assert_eq(cnt[0], 3);
    const int64_t fits[2] = {5, 1};
    cr_assert_eq(fu_planner_tier_cycle_sums_add(sum, cnt, fits, add_c, 2), FU_OK);
    cr_assert_eq(sum[0], INT64_MAX);
    cr_assert_eq(sum[1], 11);
    uint64_t full[2] = {UINT64_MAX, 0};
    int64_t zero[2] = {0, 0};
    cr_assert_eq(fu_planner_tier_cycle_sums_add(zero, full, zero, add_c, 2), FU_ERANGE);
    cr_assert_eq(full[0], UINT64_MAX);
    const int64_t neg[2] = {-1, 0};
    cr_assert_eq(fu_planner_tier_cycle_sums_add(sum, cnt, neg, add_c, 2), FU_EINVAL);
    cr_assert_eq(fu_planner_tier_cycle_sums_add(NULL, cnt, fits, add_c, 2), FU_EINVAL);
    cr_assert_eq(fu_planner_tier_cycle_sums_add(NULL, NULL, NULL, NULL, 0), FU_OK);

    double cyc[2];
    cr_assert_eq(fu_planner_tier_cycles_from_sums(neg, add_c, 2, cyc), FU_EINVAL);
    const uint64_t none[2] = {0, 0};
    cr_assert_eq(fu_planner_tier_cycles_from_sums(fits, none, 2, cyc), FU_EINVAL, "seconds without customers");
    cr_assert_eq(fu_planner_tier_cycles_from_sums(zero, none, 2, cyc), FU_OK);
    cr_assert_eq(cyc[0], 0.0);
    cr_assert_eq(fu_planner_tier_cycles_from_sums(NULL, none, 2, cyc), FU_EINVAL);
    const int64_t big[1] = {INT64_MAX};
    const uint64_t one[1] = {1};
    cr_assert_eq(fu_planner_tier_cycles_from_sums(big, one, 1, cyc), FU_OK);
    cr_assert(isfinite(cyc[0]) && cyc[0] > 1e14);
}

Test(planner_cycles, a_planner_given_its_cycles_has_no_parts) {
    int all[6] = {0, 1, 2, 3, 4, 5};
    fu_test_planner f;
    open_part(&f, all, 6);
    double cyc[NV] = {0};
    fu_planner_options o = FU_PLANNER_OPTIONS_INIT;
    o.tier_cycles = cyc;
    o.n_tier_cycles = NV;
    fu_planner *given = NULL;
    cr_assert_eq(fu_planner_new(&given, f.policy, f.book, &o), FU_OK);
    int64_t sum[NV];
    uint64_t cnt[NV];
    size_t n = 0;
    cr_assert_eq(fu_planner_tier_cycle_sums(given, sum, cnt, NV, &n), FU_ESTATE);
    cr_assert_eq(n, NV);
    cr_assert(strstr(fu_error_last()->message, "given its tier cycles"), "%s", fu_error_last()->message);
    cr_assert_eq(fu_planner_tier_cycle_sums(f.pl, NULL, NULL, 0, &n), FU_OK);
    cr_assert_eq(n, NV);
    cr_assert_eq(fu_planner_tier_cycle_sums(f.pl, NULL, cnt, 3, &n), FU_EINVAL);
    cr_assert_eq(fu_planner_tier_cycle_sums(NULL, sum, cnt, NV, &n), FU_EINVAL);
    fu_planner_free(given);
    fu_test_planner_free(&f);
}
