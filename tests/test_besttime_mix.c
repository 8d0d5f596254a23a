/* fu_besttime, the mixture of hour profiles (docs/besttime.md, "The mixture
 * of hour profiles"): two clear types recovered from synthetic calls, a
 * customer's type read from one call, determinism, the online update, bad
 * options and policies. */
#include "besttime_internal.h"
#include "fu_test.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T fu_test_time
#define CLOSE(a, b, tol) cr_assert(fabs((a) - (b)) <= (tol), "%s = %.15g, want %.15g", #a, (double)(a), (double)(b))

static fu_policy *load_policy(const char *yaml) {
    fu_policy *p = NULL;
    int rc = fu_policy_load_string(&p, yaml, strlen(yaml), "<policy>", NULL);
    cr_assert_eq(rc, FU_OK, "policy: %s", fu_error_last()->message);
    return p;
}

/* 40 customers in Shanghai. M0..M19 (morning type) answer every 09:00 and
 * 11:00 call and miss every 15:00 call; A0..A19 (afternoon type) the
 * reverse; each is called at the three hours on four Mondays. X has one
 * missed call at 09:00, Y one answered call at 09:00, Z none. */
static fu_book *two_types_book(void) {
    size_t cap = 1 << 16, len = 0;
    char *cust = malloc(4096), *ev = malloc(cap);
    strcpy(cust, "customer_id,tz\n");
    len = (size_t)sprintf(ev, "customer_id,at,kind,channel,outcome\n");
    static const int hours[3] = {9, 11, 15};
    for (int t = 0; t < 2; t++)
        for (int i = 0; i < 20; i++) {
            char id[8];
            snprintf(id, sizeof id, "%c%d", t ? 'A' : 'M', i);
            sprintf(cust + strlen(cust), "%s,Asia/Shanghai\n", id);
            for (int w = 0; w < 4; w++)
                for (int h = 0; h < 3; h++) {
                    int answered = (h < 2) != (t == 1);
                    len += (size_t)sprintf(ev + len, "%s,2025-03-%02dT%02d:10:00+08:00,contact,phone,%s\n", id,
                                           3 + 7 * w, hours[h], answered ? "answered" : "no_answer");
                }
        }
    strcat(cust, "X,Asia/Shanghai\nY,Asia/Shanghai\nZ,Asia/Shanghai\n");
    len += (size_t)sprintf(ev + len, "X,2025-03-31T09:10:00+08:00,contact,phone,no_answer\n");
    len += (size_t)sprintf(ev + len, "Y,2025-03-31T09:10:00+08:00,contact,phone,answered\n");
    fu_book *b = fu_test_book(cust, ev);
    free(cust);
    free(ev);
    return b;
}

static fu_besttime *mix_model(const fu_policy *p, const fu_book *b, int types) {
    fu_besttime_options o = FU_BESTTIME_OPTIONS_INIT;
    o.half_life_seconds = -1;
    o.types = types;
    fu_besttime *m = NULL;
    cr_assert_eq(fu_besttime_new(&m, p, b, NULL, 0, &o), FU_OK, "%s", fu_error_last()->message);
    return m;
}

static double p_at(const fu_besttime *m, size_t c, int hour_of_week) {
    fu_besttime_estimate e;
    cr_assert_eq(fu_besttime_posterior(m, c, hour_of_week, 0, 0.0, &e), FU_OK);
    return e.p;
}

/* Customers 0..19 are M, 20..39 A, 40 X, 41 Y, 42 Z (book order). Monday
 * slots: 9, 11, 15. The two profiles are recovered: an M customer is
 * expected to answer at 09:00 and 11:00 and not at 15:00 (each of its 8
 * morning calls answered, its 4 afternoon calls missed: the posterior puts
 * its level times the morning profile near the 0.97 clip), an A customer the
 * reverse. By hand, with the two profiles p_M = (0.97, 0.97, 0.01) and
 * p_A = (0.01, 0.01, 0.97) at (09, 11, 15) and equal weights, X's one miss
 * at 09:00 has likelihood 0.03 under M and 0.99 under A: posterior
 * P(A) = 0.99 / 1.02 = 0.971, so X's 11:00 is about 0.971 x 0.01 + 0.029 x
 * 0.97 = 0.038 and its 15:00 about 0.94; Y's answer at 09:00 the reverse.
 * The fitted profiles are smoothed toward the population and the levels
 * spread over a grid, hence the tolerance of 0.08. */
Test(besttime_mix, two_clear_types_are_recovered_from_synthetic_calls) {
    fu_policy *p = load_policy("besttime:\n  model: mixture\n  types: 2\n");
    fu_book *b = two_types_book();
    fu_besttime *m = mix_model(p, b, -1); /* the policy's: 2 types */
    for (size_t c = 0; c < 20; c++) {
        cr_assert_gt(p_at(m, c, 9), 0.85, "M%zu at 09:00", c);
        cr_assert_gt(p_at(m, c, 11), 0.85);
        cr_assert_lt(p_at(m, c, 15), 0.1);
        cr_assert_lt(p_at(m, c + 20, 9), 0.1, "A%zu at 09:00", c);
        cr_assert_lt(p_at(m, c + 20, 11), 0.1);
        cr_assert_gt(p_at(m, c + 20, 15), 0.85);
    }
    CLOSE(p_at(m, 40, 11), 0.038, 0.08);
    CLOSE(p_at(m, 40, 15), 0.94, 0.08);
    CLOSE(p_at(m, 41, 11), 0.94, 0.08);
    CLOSE(p_at(m, 41, 15), 0.038, 0.08);
    /* Z, no evidence: half and half, about (0.97 + 0.01) / 2 at each hour */
    CLOSE(p_at(m, 42, 11), 0.49, 0.08);
    CLOSE(p_at(m, 42, 15), 0.49, 0.08);
    /* the per-slot model cannot tell X's 11:00 from its 15:00: 11:00 is not
     * next to 09:00, so X's miss does not reach either, both keep the
     * population's 0.5 */
    fu_besttime *s = mix_model(p, b, 0);
    CLOSE(p_at(s, 40, 11), p_at(s, 40, 15), 0.02);
    /* the best hour of X on a Monday: 15:00 with the mixture */
    fu_besttime_slot top[1];
    size_t n = 0;
    cr_assert_eq(fu_besttime_best(m, 40, T("2025-04-07T09:00:00+08:00"), T("2025-04-07T18:00:00+08:00"),
                                  FU_CHANNEL_PHONE, 0, 1, NULL, top, &n),
                 FU_OK);
    cr_assert_eq(n, 1u);
    cr_assert_eq(top[0].hour_of_week, 15);
    cr_assert(top[0].lo < top[0].p && top[0].p < top[0].hi, "interval around the mixture's mean");
    fu_besttime_free(s);
    fu_besttime_free(m);
    fu_book_free(b);
    fu_policy_free(p);
}

Test(besttime_mix, fit_is_deterministic_and_online_update_moves_the_type) {
    fu_policy *p = load_policy("besttime:\n  model: mixture\n  types: 2\n");
    fu_book *b = two_types_book();
    fu_besttime *m1 = mix_model(p, b, 2), *m2 = mix_model(p, b, 2);
    for (size_t c = 0; c < 43; c++)
        for (int h = 0; h < 168; h++) cr_assert_eq(p_at(m1, c, h), p_at(m2, c, h), "customer %zu hour %d", c, h);
    /* Z answers twice at 15:00: now an afternoon customer */
    cr_assert_eq(fu_besttime_record(m1, 42, T("2025-04-07T15:10:00+08:00"), FU_OUTCOME_ANSWERED), FU_OK);
    cr_assert_eq(fu_besttime_record(m1, 42, T("2025-04-14T15:10:00+08:00"), FU_OUTCOME_ANSWERED), FU_OK);
    cr_assert_gt(p_at(m1, 42, 15), 0.85);
    cr_assert_lt(p_at(m1, 42, 11), 0.1);
    fu_besttime_free(m1);
    fu_besttime_free(m2);
    fu_book_free(b);
    fu_policy_free(p);
}

Test(besttime_mix, bad_options_and_policies_are_refused_with_a_clear_error) {
    fu_policy *p = NULL;
    static const struct {
        const char *yaml, *msg;
    } bad[] = {
        {"besttime:\n  types: 4\n", "types needs model: mixture"},
        {"besttime:\n  model: mixtur\n", "unknown model 'mixtur'"},
        {"besttime:\n  model: mixture\n  types: 9\n", "out of range"},
        {"besttime:\n  model: mixture\n  types: 1\n", "out of range"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = fu_policy_load_string(&p, bad[i].yaml, strlen(bad[i].yaml), "<policy>", NULL);
        cr_assert_eq(rc, FU_EPOLICY, "%s", bad[i].yaml);
        const fu_error *e = fu_error_last();
        cr_assert(strstr(e->message, bad[i].msg), "message '%s', want '%s'", e->message, bad[i].msg);
        cr_assert(e->line > 0 && e->column > 0 && e->path && strstr(e->path, "besttime."), "line %lu column %lu path %s",
                  e->line, e->column, e->path ? e->path : "(null)");
    }
    p = load_policy("besttime:\n  model: mixture\n");
    fu_book *b = two_types_book();
    fu_besttime *m = NULL;
    fu_besttime_options o = FU_BESTTIME_OPTIONS_INIT;
    o.types = 1;
    cr_assert_eq(fu_besttime_new(&m, p, b, NULL, 0, &o), FU_EINVAL);
    cr_assert(strstr(fu_error_last()->message, "types must be"), "%s", fu_error_last()->message);
    o.types = 9;
    cr_assert_eq(fu_besttime_new(&m, p, b, NULL, 0, &o), FU_EINVAL);
    o.types = 4;
    o.slot_seconds = 7 * 3600; /* 7 h slots tile a week, not a day */
    cr_assert_eq(fu_besttime_new(&m, p, b, NULL, 0, &o), FU_EINVAL);
    cr_assert(strstr(fu_error_last()->message, "divide a day"), "%s", fu_error_last()->message);
    cr_assert_null(m);
    fu_book_free(b);
    fu_policy_free(p);
}

typedef struct oom_ctx {
    fu_policy *p;
    fu_book *b;
} oom_ctx;

/* Every allocation of the mixture's fit, refit and queries fails in turn:
 * FU_ENOMEM, nothing leaked (fu_test_oom checks the allocator's balance). */
static int oom_op(void *vctx) {
    oom_ctx *c = vctx;
    fu_besttime *m = NULL;
    fu_besttime_options o = FU_BESTTIME_OPTIONS_INIT;
    o.types = 2;
    int rc = fu_besttime_new(&m, c->p, c->b, NULL, 0, &o);
    if (rc) return rc;
    fu_besttime_slot s[3];
    size_t n;
    rc = fu_besttime_best(m, 40, T("2025-04-07T09:00:00+08:00"), T("2025-04-08T09:00:00+08:00"), FU_CHANNEL_PHONE, 0,
                          3, NULL, s, &n);
    if (!rc) rc = fu_besttime_record(m, 42, T("2025-04-07T15:10:00+08:00"), FU_OUTCOME_ANSWERED);
    if (!rc) rc = fu_besttime_fit_prior(m, FU_BOOK_NO_TIME);
    fu_besttime_free(m);
    return rc;
}

Test(besttime_mix, out_of_memory_leaks_nothing) {
    oom_ctx c;
    c.p = load_policy("besttime:\n  model: mixture\n");
    c.b = two_types_book();
    unsigned long n = fu_test_oom("besttime_mix", oom_op, &c, 100000);
    cr_assert_gt(n, 5);
    fu_book_free(c.b);
    fu_policy_free(c.p);
}

/* Three types (morning, lunch, afternoon: 0.85 at their own hours, 0.2
 * elsewhere) x 40 customers, each called on `days` Mondays (and the
 * Tuesday after the last when `extra`) at two of 09:00, 13:00, 16:00,
 * answers from a fixed LCG: the book of one day and of the next. */
static fu_book *three_types_book(int days, int extra) {
    size_t cap = 1 << 20, len = 0;
    char *cust = malloc(1 << 14), *ev = malloc(cap);
    strcpy(cust, "customer_id,tz\n");
    len = (size_t)sprintf(ev, "customer_id,at,kind,channel,outcome\n");
    static const int hours[3] = {9, 13, 16};
    uint64_t s = 12345;
    for (int c = 0; c < 120; c++) {
        int type = c % 3;
        sprintf(cust + strlen(cust), "C%03d,Asia/Shanghai\n", c);
        for (int d = 0; d < days + (extra && c % 3 == 0); d++) {
            int tue = d == days; /* the extra day */
            for (int k = 0; k < 2; k++) {
                s = s * 6364136223846793005ull + 1442695040888963407ull;
                int h = (int)((s >> 33) % 3);
                double u = (double)((s >> 11) & 0xFFFFF) / 1048576.0;
                int answered = u < (h == type ? 0.85 : 0.2);
                int mday = tue ? 2 + 7 * (days - 1) + 1 : 2 + 7 * d; /* Mondays from 2025-06-02 */
                len += (size_t)sprintf(ev + len, "C%03d,2025-%02d-%02dT%02d:%02d:00+08:00,contact,phone,%s\n", c,
                                       6 + (mday - 1) / 30, (mday - 1) % 30 + 1, hours[h], 10 + 20 * k,
                                       answered ? "answered" : "no_answer");
            }
        }
    }
    fu_book *b = fu_test_book(cust, ev);
    free(cust);
    free(ev);
    return b;
}

/* Continue m's EM on book b for n x FU__BT_MIX_WARM_ITERS rounds. */
static fu_besttime *continued(const fu_policy *p, const fu_book *b, const fu_besttime_options *o, fu_besttime *m, int n) {
    for (int i = 0; i < n; i++) {
        fu_besttime *nx = NULL;
        cr_assert_eq(fu__besttime_new_warm(&nx, p, b, NULL, 0, o, m), FU_OK);
        fu_besttime_free(m);
        m = nx;
    }
    return m;
}

static double max_diff(const fu_besttime *a, const fu_besttime *b, size_t n) {
    double worst = 0.0;
    for (size_t c = 0; c < n; c++)
        for (int h = 0; h < 24; h++) {
            double d = fabs(p_at(a, c, h) - p_at(b, c, h));
            if (d > worst) worst = d;
        }
    return worst;
}

/* The simulation refits the mixture every day from the previous day's fit
 * (fu__besttime_new_warm: at most FU__BT_MIX_WARM_ITERS = 30 EM rounds)
 * instead of from scratch (up to 300). On the next day's book (40 of 120
 * customers called once more) the warm-started fit is within 0.05 of the
 * fit from scratch in every customer's answer probability at every weekday
 * hour (measured 0.042): this EM creeps, neither fit is at its fixed point
 * (both stop at their round limit). Both tend to the same fixed point: 750
 * more rounds from either leave them within 1e-3 (measured 1.4e-4). */
Test(besttime_mix, warm_started_refit_matches_a_full_fit) {
    fu_policy *p = load_policy("besttime:\n  model: mixture\n  types: 3\n");
    fu_book *b1 = three_types_book(6, 0), *b2 = three_types_book(6, 1);
    fu_besttime_options o = FU_BESTTIME_OPTIONS_INIT;
    o.half_life_seconds = -1;
    fu_besttime *m1 = NULL, *full = NULL, *warm = NULL;
    cr_assert_eq(fu_besttime_new(&m1, p, b1, NULL, 0, &o), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(fu_besttime_new(&full, p, b2, NULL, 0, &o), FU_OK);
    cr_assert_eq(fu__besttime_new_warm(&warm, p, b2, NULL, 0, &o, m1), FU_OK);
    cr_assert_eq(full->mix_rounds, 300);
    cr_assert_leq(warm->mix_rounds, FU__BT_MIX_WARM_ITERS);
    double d = max_diff(warm, full, 120);
    cr_assert_leq(d, 0.05, "warm against full: %g", d);
    fu_besttime *cw = NULL, *cf = NULL;
    cr_assert_eq(fu__besttime_new_warm(&cw, p, b2, NULL, 0, &o, warm), FU_OK);
    cr_assert_eq(fu__besttime_new_warm(&cf, p, b2, NULL, 0, &o, full), FU_OK);
    cw = continued(p, b2, &o, cw, 24);
    cf = continued(p, b2, &o, cf, 24);
    d = max_diff(cw, cf, 120);
    cr_assert_leq(d, 1e-3, "continued from warm against continued from full: %g", d);
    fu_besttime_free(cw);
    fu_besttime_free(cf);
    /* the fit found the types: C000 (morning) against C001 (lunch) */
    cr_assert_gt(p_at(full, 0, 9), p_at(full, 0, 13) + 0.3);
    cr_assert_gt(p_at(full, 1, 13), p_at(full, 1, 9) + 0.3);
    /* a mixture of another shape is not a start: a fit from scratch */
    fu_policy *p2 = load_policy("besttime:\n  model: mixture\n  types: 2\n");
    fu_besttime *other = NULL, *other_full = NULL;
    cr_assert_eq(fu__besttime_new_warm(&other, p2, b2, NULL, 0, &o, m1), FU_OK);
    cr_assert_eq(fu_besttime_new(&other_full, p2, b2, NULL, 0, &o), FU_OK);
    for (size_t c = 0; c < 120; c++) cr_assert_eq(p_at(other, c, 9), p_at(other_full, c, 9));
    fu_besttime_free(other);
    fu_besttime_free(other_full);
    fu_policy_free(p2);
    fu_besttime_free(m1);
    fu_besttime_free(full);
    fu_besttime_free(warm);
    fu_book_free(b1);
    fu_book_free(b2);
    fu_policy_free(p);
}
