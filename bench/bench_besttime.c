/* Benchmark of fu_besttime (results in bench/BENCHMARKS.md). Target (issue
 * 6): the best slot tomorrow for 1,000,000 customers in under 1 s on one
 * core.
 *
 * 1,000,000 customers: 70% Asia/Shanghai, 15% Europe/Berlin, 15%
 * America/New_York; 10% with do-not-disturb windows, 5% with preferred
 * windows, 10% B2B (industry given), 5% small businesses; 3 contact events
 * per customer on average (0..6) over the 90 days before "now". Timed, each
 * the median of RUNS runs: building the model (fu_besttime_new), the best
 * hour tomorrow for every customer (fu_besttime_best_day) with and without
 * credible intervals and with Thompson sampling, the same through
 * fu_besttime_best_bulk, and 1,000,000 fu_besttime_may_contact calls. */
#include "followup.h"
#include "bench_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int N_CUST = 1000000;
#define RUNS 5

static uint64_t st = 7;
static uint64_t rnd(void) { return bu_splitmix64(&st); }

/* Times are CPU time of this process (bu_cpu): the machine is shared, and
 * the target is about one core's work, so wall time would measure the
 * neighbours too. */

static void check(int rc, const char *what) {
    if (rc != FU_OK) {
        fprintf(stderr, "bench_besttime: %s: %s\n", what, fu_error_last()->message);
        exit(1);
    }
}

int main(int argc, char **argv) {
    if (argc > 1) N_CUST = atoi(argv[1]);
    fu_policy *pol;
    check(fu_policy_default(&pol), "policy");
    fu_book *book;
    check(fu_book_new(&book, NULL), "book");
    static const char *zones[3] = {"Asia/Shanghai", "Europe/Berlin", "America/New_York"};
    char (*ids)[12] = malloc((size_t)N_CUST * sizeof *ids);
    fu_customer *cs = malloc((size_t)N_CUST * sizeof *cs);
    for (int i = 0; i < N_CUST; i++) {
        snprintf(ids[i], sizeof ids[i], "C%d", i);
        fu_customer_init(&cs[i]);
        cs[i].id = ids[i];
        uint64_t r = rnd() % 100;
        cs[i].tz = zones[r < 70 ? 0 : r < 85 ? 1 : 2];
        r = rnd() % 100;
        if (r < 10) cs[i].dnd_windows = "Mon-Fri 12:00-13:30";
        else if (r < 15) cs[i].preferred_windows = "Mon-Fri 18:00-20:00;Sat 10:00-12:00";
        r = rnd() % 100;
        if (r < 10) cs[i].industry = "manufacturing";
        else if (r < 15) cs[i].is_smb = FU_TRI_YES;
    }
    double t0 = bu_cpu();
    check(fu_book_add_customers(book, cs, N_CUST), "customers");
    int64_t now = 1748908800; /* 2025-06-03T00:00:00Z: tomorrow is an ordinary Wednesday */
    size_t cap = (size_t)N_CUST * 3 + 1024, ne = 0;
    fu_event_in *ev = malloc(cap * sizeof *ev);
    for (int i = 0; i < N_CUST; i++) {
        int k = (int)(rnd() % 7);
        for (int j = 0; j < k; j++) {
            if (ne == cap) ev = realloc(ev, (cap *= 2) * sizeof *ev);
            fu_event_in_init(&ev[ne]);
            ev[ne].customer_id = ids[i];
            ev[ne].at = now - (int64_t)(rnd() % (90 * 86400));
            ev[ne].kind = FU_EVENT_CONTACT;
            ev[ne].channel = FU_CHANNEL_PHONE;
            ev[ne].outcome = rnd() % 10 < 3 ? FU_OUTCOME_ANSWERED : FU_OUTCOME_NO_ANSWER;
            ne++;
        }
    }
    check(fu_book_add_events(book, ev, ne), "events");
    check(fu_book_finalize(book), "finalize");
    printf("book: %d customers, %zu contact events (%.2f s to fill, not part of the target)\n", N_CUST, ne,
           bu_cpu() - t0);
    free(ev);

    double tb[RUNS];
    fu_besttime *m = NULL;
    for (int r = 0; r < RUNS; r++) {
        fu_besttime_free(m);
        double a = bu_cpu();
        check(fu_besttime_new(&m, pol, book, NULL, 0, NULL), "model");
        tb[r] = bu_cpu() - a;
    }
    printf("fu_besttime_new (read customers and events, fit the prior): %.3f s\n", bu_median(tb, RUNS));

    fu_besttime_slot *out = malloc((size_t)N_CUST * sizeof *out);
    static const struct {
        const char *name;
        unsigned int flags;
    } modes[3] = {{"posterior mean, 90% interval", 0},
                  {"posterior mean, no interval", FU_BESTTIME_NO_INTERVAL},
                  {"Thompson sampling, no interval", FU_BESTTIME_THOMPSON | FU_BESTTIME_NO_INTERVAL}};
    for (int mo = 0; mo < 3; mo++) {
        double t[RUNS];
        fu_besttime_query_options q = FU_BESTTIME_QUERY_OPTIONS_INIT;
        q.flags = modes[mo].flags;
        q.seed = 99;
        for (int r = 0; r < RUNS; r++) {
            double a = bu_cpu();
            check(fu_besttime_best_day(m, NULL, now, NULL, N_CUST, FU_CHANNEL_PHONE, 0, &q, out), "best_day");
            t[r] = bu_cpu() - a;
        }
        size_t none = 0;
        for (int i = 0; i < N_CUST; i++) none += out[i].at == FU_BESTTIME_NONE;
        printf("best hour tomorrow, fu_besttime_best_day, %s: %.3f s (%.0f ns/customer; %zu without a slot)\n",
               modes[mo].name, bu_median(t, RUNS), 1e9 * bu_median(t, RUNS) / N_CUST, none);
        if (mo == 0) {
            /* The intervals stop iterating early (docs/besttime.md): compare
             * every one with the fully iterated fu_besttime_beta_quantile(). */
            double worst = 0.0;
            size_t prior_only = 0;
            for (int i = 0; i < N_CUST; i++) {
                if (out[i].at == FU_BESTTIME_NONE) continue;
                fu_besttime_estimate e;
                double lo, hi;
                check(fu_besttime_posterior(m, (size_t)i, out[i].slot, now, 0.0, &e), "posterior");
                check(fu_besttime_beta_quantile(0.05, e.alpha, e.beta, &lo), "quantile");
                check(fu_besttime_beta_quantile(0.95, e.alpha, e.beta, &hi), "quantile");
                double d = fabs(out[i].lo - lo) > fabs(out[i].hi - hi) ? fabs(out[i].lo - lo) : fabs(out[i].hi - hi);
                if (d > worst) worst = d;
                prior_only += e.trials == 0.0;
            }
            printf("  intervals vs fully iterated quantiles: largest difference %.3g; %zu of %d chosen hours "
                   "prior-only (interval from the per-call cache)\n", worst, prior_only, N_CUST);
        }
    }
    /* bulk requests: a 48 h window from now, grouped by nothing (customer order) */
    fu_besttime_request *req = malloc((size_t)N_CUST * sizeof *req);
    for (int i = 0; i < N_CUST; i++) {
        req[i].customer = (size_t)i;
        req[i].from = now;
        req[i].to = now + 86400;
        req[i].channel = FU_CHANNEL_PHONE;
        req[i].flags = 0;
    }
    double tr[RUNS];
    for (int r = 0; r < RUNS; r++) {
        double a = bu_cpu();
        check(fu_besttime_best_bulk(m, req, N_CUST, NULL, out), "bulk");
        tr[r] = bu_cpu() - a;
    }
    printf("fu_besttime_best_bulk, 24 h window each, customers in book order (zones mixed), with interval: %.3f s\n",
           bu_median(tr, RUNS));
    double tm[RUNS];
    size_t allowed = 0;
    for (int r = 0; r < RUNS; r++) {
        allowed = 0;
        double a = bu_cpu();
        for (int i = 0; i < N_CUST; i++) {
            fu_besttime_decision d;
            check(fu_besttime_may_contact(m, (size_t)i, now + (int64_t)(i % 86400), FU_CHANNEL_PHONE, 0, &d),
                  "may_contact");
            allowed += (size_t)d.allowed;
        }
        tm[r] = bu_cpu() - a;
    }
    printf("fu_besttime_may_contact x %d (instants spread over a day): %.3f s (%.0f ns/call; %zu allowed)\n", N_CUST,
           bu_median(tm, RUNS), 1e9 * bu_median(tm, RUNS) / N_CUST, allowed);
    /* The mixture of hour profiles (besttime.model: mixture, 4 types): the
     * fit on top of the per-slot model's, and the best hour tomorrow. */
    fu_besttime_free(m);
    m = NULL;
    fu_besttime_options mx = FU_BESTTIME_OPTIONS_INIT;
    mx.types = 4;
    for (int r = 0; r < RUNS; r++) {
        fu_besttime_free(m);
        double a = bu_cpu();
        check(fu_besttime_new(&m, pol, book, NULL, 0, &mx), "mixture model");
        tb[r] = bu_cpu() - a;
    }
    printf("fu_besttime_new with the mixture of 4 hour profiles (EM on up to 20,000 customers, then every "
           "customer's posterior): %.3f s\n", bu_median(tb, RUNS));
    for (int mo = 0; mo < 2; mo++) {
        double t[RUNS];
        fu_besttime_query_options q = FU_BESTTIME_QUERY_OPTIONS_INIT;
        q.flags = modes[mo].flags;
        for (int r = 0; r < RUNS; r++) {
            double a = bu_cpu();
            check(fu_besttime_best_day(m, NULL, now, NULL, N_CUST, FU_CHANNEL_PHONE, 0, &q, out), "best_day");
            t[r] = bu_cpu() - a;
        }
        printf("best hour tomorrow with the mixture, %s: %.3f s\n", modes[mo].name, bu_median(t, RUNS));
    }
    free(req);
    free(out);
    fu_besttime_free(m);
    fu_book_free(book);
    fu_policy_free(pol);
    free(cs);
    free(ids);
    return 0;
}
