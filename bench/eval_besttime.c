/* Evaluation of fu_besttime (results in bench/BENCHMARKS.md).
 *
 * Part 1, synthetic: customers with known answer curves by local hour of
 * week (archetypes morning, lunch, evening, business hours, each customer a
 * scaled and shifted copy) and sparse histories of past calls placed at
 * random allowed hours. For each of 7 target days every method picks one
 * hour per customer; the score is the mean TRUE answer probability of the
 * picked hours (an exact expectation, no sampling noise). Methods: the model
 * (posterior mean), the model with Thompson sampling, and three baselines:
 * a random allowed hour, the population's best hour, the customer's most
 * frequent answered hour (hour of day; customers without an answered call
 * fall back to the population's best hour). Calibration: the Brier score
 * E[(p_hat - Y)^2] = (p_hat - p)^2 + p (1 - p) over every allowed hour of
 * the target days, for the model and for the population surface.
 *
 * Part 2, real: the Anonymous Bank call-centre log of August 1999
 * (../shared/data/anonymous-bank-callcenter): served vs abandoned queued
 * calls by weekday x hour; the model's population prior fitted on the
 * identified customers compared with that surface; and a hold-out (train
 * 1-21 Aug, test 22-31 Aug) Brier score / log loss per call.
 *
 * Usage: eval_besttime [DATADIR]   (default: ../shared/data relative to the
 * source tree, as compiled in). */
#include "followup.h"
#include "bench_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef FU_EVAL_DATADIR
#define FU_EVAL_DATADIR "../shared/data"
#endif

static uint64_t rng_state;
static uint64_t rnd(void) { return bu_splitmix64(&rng_state); }
static double unif(void) { return bu_unit(rnd()); }

static void die(const char *what, int rc) {
    char buf[512];
    fu_error_format(buf, sizeof buf);
    fprintf(stderr, "eval_besttime: %s: %s (%d)\n", what, buf, rc);
    exit(1);
}
#define CHECK(what, expr)                 \
    do {                                  \
        int rc_ = (expr);                 \
        if (rc_ != FU_OK) die(what, rc_); \
    } while (0)

/* ================================================================ synthetic */

enum { ARCH_MORNING, ARCH_LUNCH, ARCH_EVENING, ARCH_BUSINESS, N_ARCH };
static const char *arch_name[N_ARCH] = {"morning", "lunch", "evening", "business"};

/* Answer probability of an archetype at local weekday wd (0 = Monday) and hour h. */
static double arch_curve(int a, int wd, int h) {
    int weekend = wd >= 5;
    switch (a) {
    case ARCH_MORNING:
        if (weekend) return h >= 9 && h <= 11 ? 0.45 : 0.15;
        return h >= 8 && h <= 10 ? 0.55 : h == 11 ? 0.35 : 0.12;
    case ARCH_LUNCH:
        if (weekend) return 0.25;
        return h == 12 || h == 13 ? 0.60 : (h == 11 || h == 14) ? 0.30 : 0.10;
    case ARCH_EVENING:
        if (weekend) return h >= 10 && h <= 20 ? 0.40 : 0.10;
        return h >= 18 && h <= 20 ? 0.60 : h == 17 ? 0.35 : (h >= 9 && h <= 16) ? 0.05 : 0.10;
    default: /* business */
        if (weekend) return 0.03;
        return ((h >= 9 && h <= 11) || (h >= 14 && h <= 17)) ? 0.50 : (h == 12 || h == 13) ? 0.20 : 0.05;
    }
}

typedef struct syn_cust {
    int arch;
    double scale;
    int shift;
} syn_cust;

static double true_p(const syn_cust *c, int how) {
    int wd = how / 24, h = how % 24 - c->shift;
    if (h < 0) h = 0;
    if (h > 23) h = 23;
    double p = arch_curve(c->arch, wd, h) * c->scale;
    return p > 0.95 ? 0.95 : p;
}

#define N_SYN 20000
#define FIRST_ALLOWED 8 /* quiet hours of the default policy: 08:00-21:00 */
#define LAST_ALLOWED 20

typedef struct syn_result {
    double model, thompson, random, popbest, freq, oracle;
    double brier_model, brier_pop, brier_const;
} syn_result;

/* One synthetic experiment: histories with mean `mean_calls` calls. */
static syn_result run_synthetic(const fu_policy *pol, double mean_calls, int use_arch_segments,
                                int64_t half_life, int print_priors) {
    syn_result r;
    memset(&r, 0, sizeof r);
    rng_state = 12345u + (uint64_t)(mean_calls * 100);
    fu_calendar *cal;
    CHECK("calendar", fu_calendar_new(&cal, "Asia/Shanghai"));
    /* "now": Monday 2025-06-02 00:00 local; history: the 26 weeks before */
    fu_local L0 = {2025, 6, 2, 0, 0, 0, 0, 0, 0};
    int64_t now;
    CHECK("now", fu_calendar_from_local(cal, &L0, 0, &now));
    syn_cust *sc = calloc(N_SYN, sizeof *sc);
    fu_book *book;
    CHECK("book", fu_book_new(&book, NULL));
    static char ids[N_SYN][12];
    fu_customer *cs = calloc(N_SYN, sizeof *cs);
    for (int i = 0; i < N_SYN; i++) {
        double u = unif();
        sc[i].arch = u < 0.3 ? ARCH_MORNING : u < 0.5 ? ARCH_LUNCH : u < 0.8 ? ARCH_EVENING : ARCH_BUSINESS;
        sc[i].scale = 0.6 + 0.8 * unif();
        sc[i].shift = (int)(rnd() % 3) - 1;
        snprintf(ids[i], sizeof ids[i], "S%d", i);
        fu_customer_init(&cs[i]);
        cs[i].id = ids[i];
        cs[i].tz = "Asia/Shanghai";
    }
    CHECK("customers", fu_book_add_customers(book, cs, N_SYN));
    /* histories: a geometric number of calls with the given mean */
    size_t cap = 1024, n_ev = 0;
    fu_event_in *ev = malloc(cap * sizeof *ev);
    double pop_s[168] = {0}, pop_n[168] = {0};
    int (*ans_hod)[24] = calloc(N_SYN, sizeof *ans_hod);
    double pgeo = 1.0 / (1.0 + mean_calls);
    for (int i = 0; i < N_SYN; i++) {
        int k = 0;
        while (unif() > pgeo) k++;
        for (int j = 0; j < k; j++) {
            int day = (int)(rnd() % 182) + 1;
            int hour = FIRST_ALLOWED + (int)(rnd() % (LAST_ALLOWED - FIRST_ALLOWED + 1));
            int64_t t = now - (int64_t)day * 86400 + hour * 3600 + (int64_t)(rnd() % 3600);
            int how = fu_calendar_hour_of_week(cal, t);
            int ok = unif() < true_p(&sc[i], how);
            if (n_ev == cap) ev = realloc(ev, (cap *= 2) * sizeof *ev);
            fu_event_in_init(&ev[n_ev]);
            ev[n_ev].customer_id = ids[i];
            ev[n_ev].at = t;
            ev[n_ev].kind = FU_EVENT_CONTACT;
            ev[n_ev].channel = FU_CHANNEL_PHONE;
            ev[n_ev].outcome = ok ? FU_OUTCOME_ANSWERED : FU_OUTCOME_NO_ANSWER;
            n_ev++;
            pop_n[how] += 1;
            pop_s[how] += ok;
            if (ok) ans_hod[i][how % 24]++;
        }
    }
    CHECK("events", fu_book_add_events(book, ev, n_ev));
    CHECK("finalize", fu_book_finalize(book));
    uint32_t *seg = NULL;
    if (use_arch_segments) {
        seg = malloc(N_SYN * sizeof *seg);
        for (int i = 0; i < N_SYN; i++) seg[i] = (uint32_t)sc[i].arch;
    }
    fu_besttime_options o = FU_BESTTIME_OPTIONS_INIT;
    o.half_life_seconds = half_life;
    o.as_of = now;
    fu_besttime *m;
    CHECK("model", fu_besttime_new(&m, pol, book, seg, use_arch_segments ? N_ARCH : 0, &o));
    fu_besttime_slot *out = calloc(N_SYN, sizeof *out);
    double total_calls = 0;
    double const_rate = 0, allp = 0;
    for (int h = 0; h < 168; h++) {
        allp += pop_s[h];
        total_calls += pop_n[h];
    }
    const_rate = total_calls > 0 ? allp / total_calls : 0.3;
    size_t brier_n = 0;
    for (int d = 0; d < 7; d++) {
        fu_date day;
        int64_t dn;
        fu_date d0 = {2025, 6, 2};
        fu_date_to_days(&d0, &dn);
        fu_date_from_days(dn + d, &day);
        int wd = d; /* 2025-06-02 is a Monday */
        fu_besttime_query_options q = FU_BESTTIME_QUERY_OPTIONS_INIT;
        q.flags = FU_BESTTIME_NO_INTERVAL;
        q.now = now;
        CHECK("best_day", fu_besttime_best_day(m, &day, now, NULL, N_SYN, FU_CHANNEL_PHONE, 0, &q, out));
        for (int i = 0; i < N_SYN; i++) r.model += true_p(&sc[i], out[i].hour_of_week);
        q.flags |= FU_BESTTIME_THOMPSON;
        q.seed = 42u + (uint64_t)d;
        CHECK("thompson", fu_besttime_best_day(m, &day, now, NULL, N_SYN, FU_CHANNEL_PHONE, 0, &q, out));
        for (int i = 0; i < N_SYN; i++) r.thompson += true_p(&sc[i], out[i].hour_of_week);
        /* population best allowed hour of that weekday (raw pooled rate) */
        int pb = wd * 24 + FIRST_ALLOWED;
        double pbr = -1;
        for (int h = FIRST_ALLOWED; h <= LAST_ALLOWED; h++) {
            int how = wd * 24 + h;
            double rate = pop_n[how] > 0 ? pop_s[how] / pop_n[how] : 0;
            if (rate > pbr) {
                pbr = rate;
                pb = how;
            }
        }
        for (int i = 0; i < N_SYN; i++) {
            double pr = 0, best = 0;
            for (int h = FIRST_ALLOWED; h <= LAST_ALLOWED; h++) {
                double p = true_p(&sc[i], wd * 24 + h);
                pr += p;
                if (p > best) best = p;
            }
            r.random += pr / (LAST_ALLOWED - FIRST_ALLOWED + 1);
            r.oracle += best;
            r.popbest += true_p(&sc[i], pb);
            int fh = -1, fc = 0;
            for (int h = FIRST_ALLOWED; h <= LAST_ALLOWED; h++)
                if (ans_hod[i][h] > fc) {
                    fc = ans_hod[i][h];
                    fh = h;
                }
            r.freq += true_p(&sc[i], fh >= 0 ? wd * 24 + fh : pb);
            /* calibration over every allowed hour */
            double mean[168];
            fu_besttime_customer_matrix(m, (size_t)i, now, 0, mean, NULL, NULL);
            for (int h = FIRST_ALLOWED; h <= LAST_ALLOWED; h++) {
                int how = wd * 24 + h;
                double p = true_p(&sc[i], how);
                double pp = pop_n[how] > 0 ? pop_s[how] / pop_n[how] : const_rate;
                r.brier_model += (mean[how] - p) * (mean[how] - p) + p * (1 - p);
                r.brier_pop += (pp - p) * (pp - p) + p * (1 - p);
                r.brier_const += (const_rate - p) * (const_rate - p) + p * (1 - p);
                brier_n++;
            }
        }
    }
    double n = 7.0 * N_SYN;
    r.model /= n;
    r.thompson /= n;
    r.random /= n;
    r.popbest /= n;
    r.freq /= n;
    r.oracle /= n;
    r.brier_model /= (double)brier_n;
    r.brier_pop /= (double)brier_n;
    r.brier_const /= (double)brier_n;
    if (!print_priors)
    printf("| %4.0f | %s | %.0f | %.4f | %.4f | %.4f | %.4f | %.4f | %.4f | %+.1f%% | %+.1f%% | %+.1f%% | %.4f | %.4f | %.4f |\n",
           mean_calls, use_arch_segments ? "archetype" : "one", (double)n_ev / N_SYN, r.model, r.thompson,
           r.random, r.popbest, r.freq, r.oracle, 100 * (r.model / r.random - 1),
           100 * (r.model / r.popbest - 1), 100 * (r.model / r.freq - 1), r.brier_model, r.brier_pop,
           r.brier_const);
    if (print_priors) {
        printf("\nfitted segment priors, strength alpha+beta and Wednesday means 08..20h:\n");
        for (int a = 0; a < N_ARCH; a++) {
            double al, be;
            fu_besttime_prior(m, (size_t)a, 2 * 24 + 10, &al, &be);
            printf("  %-9s nu=%7.2f ", arch_name[a], al + be);
            double mean[168];
            fu_besttime_segment_matrix(m, (size_t)a, 0, mean, NULL, NULL);
            for (int h = FIRST_ALLOWED; h <= LAST_ALLOWED; h++) printf(" %.2f", mean[2 * 24 + h]);
            printf("\n   true mean          ");
            for (int h = FIRST_ALLOWED; h <= LAST_ALLOWED; h++) {
                double s = 0;
                int c = 0;
                for (int i = 0; i < N_SYN; i++)
                    if (sc[i].arch == a) {
                        s += true_p(&sc[i], 2 * 24 + h);
                        c++;
                    }
                printf(" %.2f", s / c);
            }
            printf("\n");
        }
        printf("\n");
    }
    free(out);
    free(seg);
    fu_besttime_free(m);
    fu_book_free(book);
    free(ev);
    free(ans_hod);
    free(cs);
    free(sc);
    fu_calendar_free(cal);
    return r;
}

/* ================================================================ bank data */

typedef struct bank_call {
    long customer;
    int day;     /* 1..31 */
    int hour, minute, second;
    int served;  /* 1 AGENT, 0 HANG */
} bank_call;

static int split(char *line, char **f, int max) {
    int n = 0;
    char *p = line;
    while (n < max) {
        f[n++] = p;
        char *c = strchr(p, ',');
        if (!c) break;
        *c = '\0';
        p = c + 1;
    }
    char *nl = strpbrk(f[n - 1], "\r\n");
    if (nl) *nl = '\0';
    return n;
}

static size_t read_bank(const char *path, bank_call **out) {
    FILE *fp = fopen(path, "r");
    if (!fp) {
        fprintf(stderr, "eval_besttime: cannot open %s\n", path);
        exit(1);
    }
    char line[1024];
    size_t n = 0, cap = 32768;
    bank_call *v = malloc(cap * sizeof *v);
    if (!fgets(line, sizeof line, fp)) exit(1);
    while (fgets(line, sizeof line, fp)) {
        char *f[20];
        if (split(line, f, 20) < 17) continue;
        if (strcmp(f[9], "0:00:00") == 0) continue; /* never queued */
        int served;
        if (strcmp(f[12], "AGENT") == 0) served = 1;
        else if (strcmp(f[12], "HANG") == 0) served = 0;
        else continue; /* PHANTOM */
        bank_call c;
        c.customer = atol(f[2]);
        c.day = atoi(f[5] + 8); /* 2010-08-DD: the year is wrong, the data is 1999 */
        if (sscanf(f[9], "%d:%d:%d", &c.hour, &c.minute, &c.second) != 3) continue;
        c.served = served;
        if (n == cap) v = realloc(v, (cap *= 2) * sizeof *v);
        v[n++] = c;
    }
    fclose(fp);
    *out = v;
    return n;
}

static int cmp(const void *a, const void *b) {
    long x = *(const long *)a, y = *(const long *)b;
    return x < y ? -1 : x > y;
}

/* Weekday (0 = Monday) of 1999-08-DD: 1999-08-01 was a Sunday. */
static int bank_wd(int day) { return (day - 1 + 6) % 7; }

static void run_bank(const fu_policy *pol, const char *datadir) {
    char path[1024];
    snprintf(path, sizeof path, "%s/anonymous-bank-callcenter/anonymous_bank_1999_08.csv", datadir);
    bank_call *calls;
    size_t n = read_bank(path, &calls);
    double s[168] = {0}, t[168] = {0};
    size_t served = 0;
    for (size_t i = 0; i < n; i++) {
        int how = bank_wd(calls[i].day) * 24 + calls[i].hour;
        t[how] += 1;
        s[how] += calls[i].served;
        served += (size_t)calls[i].served;
    }
    printf("Bank: %zu queued calls (served %zu, abandoned %zu, %.1f%% served)\n\n", n, served, n - served,
           100.0 * (double)served / (double)n);
    static const char *wdn[7] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    printf("Served share (%%) of queued calls by weekday x hour of q_start (cells with >= 30 calls):\n\n");
    printf("| day |");
    for (int h = 7; h < 24; h++) printf(" %02d |", h);
    printf("\n|---|");
    for (int h = 7; h < 24; h++) printf("---|");
    printf("\n");
    static const int order[7] = {6, 0, 1, 2, 3, 4, 5}; /* Israeli week: Sunday first */
    for (int oi = 0; oi < 7; oi++) {
        int d = order[oi];
        printf("| %s |", wdn[d]);
        for (int h = 7; h < 24; h++) {
            int how = d * 24 + h;
            if (t[how] >= 30) printf(" %.0f |", 100 * s[how] / t[how]);
            else printf(" . |");
        }
        printf("\n");
    }
    /* hour-of-day check against the README */
    printf("\nBy hour of day (README: 07h 80.2%%, 08h 74.4%%, 10h 70.2%%, 13h 76.2%%, 16h 66.8%%, 17h 66.9%%, 20h 75.3%%, 23h 74.8%%):\n ");
    for (int h = 7; h < 24; h++) {
        double hs = 0, ht = 0;
        for (int d = 0; d < 7; d++) {
            hs += s[d * 24 + h];
            ht += t[d * 24 + h];
        }
        if (ht > 0) printf(" %02dh %.1f%%", h, 100 * hs / ht);
    }
    printf("\n\n");

    /* identified customers -> a book; the fit on all of August, and a
     * train/test split at 22 Aug */
    for (int split_day = 32; split_day >= 22; split_day -= 10) {
        fu_calendar *cal;
        CHECK("calendar", fu_calendar_new(&cal, "Asia/Jerusalem"));
        fu_book *book;
        CHECK("book", fu_book_new(&book, NULL));
        /* customer ids -> index via sorting */
        long *ids = malloc(n * sizeof *ids);
        size_t nid = 0;
        for (size_t i = 0; i < n; i++)
            if (calls[i].customer != 0) ids[nid++] = calls[i].customer;
        qsort(ids, nid, sizeof *ids, cmp);
        size_t u = 0;
        for (size_t i = 0; i < nid; i++)
            if (u == 0 || ids[u - 1] != ids[i]) ids[u++] = ids[i];
        char (*names)[24] = malloc(u * sizeof *names);
        fu_customer *cs = calloc(u, sizeof *cs);
        for (size_t i = 0; i < u; i++) {
            snprintf(names[i], sizeof names[i], "%ld", ids[i]);
            fu_customer_init(&cs[i]);
            cs[i].id = names[i];
            cs[i].tz = "Asia/Jerusalem";
        }
        CHECK("customers", fu_book_add_customers(book, cs, u));
        fu_event_in *ev = calloc(n, sizeof *ev);
        size_t ne = 0;
        int64_t *at = calloc(n, sizeof *at);
        for (size_t i = 0; i < n; i++) {
            fu_local L = {1999, 8, calls[i].day, calls[i].hour, calls[i].minute, calls[i].second, 0, 0, 0};
            CHECK("local", fu_calendar_from_local(cal, &L, 0, &at[i]));
            if (calls[i].customer == 0 || calls[i].day >= split_day) continue;
            long *pos = bsearch(&calls[i].customer, ids, u, sizeof *ids, cmp);
            fu_event_in_init(&ev[ne]);
            ev[ne].customer_id = names[pos - ids];
            ev[ne].at = at[i];
            ev[ne].kind = FU_EVENT_CONTACT;
            ev[ne].channel = FU_CHANNEL_PHONE;
            ev[ne].outcome = calls[i].served ? FU_OUTCOME_ANSWERED : FU_OUTCOME_NO_ANSWER;
            ne++;
        }
        CHECK("events", fu_book_add_events(book, ev, ne));
        CHECK("finalize", fu_book_finalize(book));
        fu_besttime_options o = FU_BESTTIME_OPTIONS_INIT;
        o.half_life_seconds = -1;
        fu_besttime *m;
        CHECK("model", fu_besttime_new(&m, pol, book, NULL, 0, &o));
        double pm[168];
        fu_besttime_segment_matrix(m, 0, 0, pm, NULL, NULL);
        double al, be;
        fu_besttime_prior(m, 0, 0, &al, &be);
        if (split_day == 32) {
            /* the prior against the surface of all queued calls and of the identified ones */
            double si[168] = {0}, ti[168] = {0};
            for (size_t i = 0; i < n; i++) {
                if (calls[i].customer == 0) continue;
                int how = bank_wd(calls[i].day) * 24 + calls[i].hour;
                ti[how] += 1;
                si[how] += calls[i].served;
            }
            for (int which = 0; which < 2; which++) {
                const double *S = which ? si : s, *Tn = which ? ti : t;
                double sw = 0, mad = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
                int cells = 0;
                for (int h = 0; h < 168; h++) {
                    if (Tn[h] < 30) continue;
                    double x = S[h] / Tn[h], y = pm[h];
                    sw += Tn[h];
                    mad += Tn[h] * fabs(x - y);
                    sx += x;
                    sy += y;
                    sxx += x * x;
                    syy += y * y;
                    sxy += x * y;
                    cells++;
                }
                double cov = sxy - sx * sy / cells, vx = sxx - sx * sx / cells, vy = syy - sy * sy / cells;
                printf("prior vs %s surface: %d cells with >= 30 calls, weighted mean |diff| %.4f, "
                       "correlation %.3f\n",
                       which ? "identified-customer" : "all-call", cells, mad / sw, cov / sqrt(vx * vy));
            }
            printf("fitted population strength alpha+beta = %.2f (%zu identified customers, %zu calls)\n",
                   al + be, u, ne);
            double lo = 1, hi = 0;
            for (int h = 0; h < 168; h++) {
                if (pm[h] < lo) lo = pm[h];
                if (pm[h] > hi) hi = pm[h];
            }
            printf("  (prior means over the 168 slots: min %.3f, max %.3f)\n\n", lo, hi);
        } else {
            /* hold-out: test calls of identified customers from 22 Aug on */
            double b_const = 0, b_surf = 0, b_model = 0, l_const = 0, l_surf = 0, l_model = 0, rate;
            double ts[168] = {0}, tt[168] = {0}, S = 0, N = 0;
            for (size_t i = 0; i < n; i++) {
                if (calls[i].customer == 0 || calls[i].day >= split_day) continue;
                int how = bank_wd(calls[i].day) * 24 + calls[i].hour;
                tt[how] += 1;
                ts[how] += calls[i].served;
                S += calls[i].served;
                N += 1;
            }
            rate = S / N;
            size_t nt = 0, nt_known = 0;
            double bk_model = 0, bk_surf = 0;
            for (size_t i = 0; i < n; i++) {
                if (calls[i].customer == 0 || calls[i].day < split_day) continue;
                long *pos = bsearch(&calls[i].customer, ids, u, sizeof *ids, cmp);
                int how = bank_wd(calls[i].day) * 24 + calls[i].hour;
                double y = calls[i].served;
                double ps = (ts[how] + 10 * rate) / (tt[how] + 10); /* raw surface, lightly smoothed */
                fu_besttime_estimate e;
                CHECK("posterior", fu_besttime_posterior(m, (size_t)(pos - ids), fu_besttime_slot_of_hour(m, how),
                                                         at[i], 0, &e));
                double pr[3] = {rate, ps, e.p}, *bs[3] = {&b_const, &b_surf, &b_model},
                       *ls[3] = {&l_const, &l_surf, &l_model};
                for (int k = 0; k < 3; k++) {
                    *bs[k] += (pr[k] - y) * (pr[k] - y);
                    *ls[k] -= y ? log(pr[k]) : log(1 - pr[k]);
                }
                nt++;
                /* customers seen in training: did their own history help? */
                fu_besttime_estimate any;
                double tr = 0;
                for (int k = 0; k < fu_besttime_slot_count(m); k++) {
                    fu_besttime_posterior(m, (size_t)(pos - ids), k, at[i], 0, &any);
                    tr += any.trials;
                }
                if (tr > 0) {
                    nt_known++;
                    bk_model += (e.p - y) * (e.p - y);
                    bk_surf += (ps - y) * (ps - y);
                }
            }
            printf("hold-out (train 1-21 Aug: %zu calls; test 22-31 Aug: %zu calls of identified customers):\n", ne, nt);
            printf("  Brier: constant %.4f, hour-of-week surface %.4f, model %.4f\n", b_const / nt, b_surf / nt,
                   b_model / nt);
            printf("  log loss: constant %.4f, surface %.4f, model %.4f\n", l_const / nt, l_surf / nt, l_model / nt);
            printf("  test calls of customers with training history (%zu): Brier surface %.4f, model %.4f\n\n",
                   nt_known, bk_surf / nt_known, bk_model / nt_known);
        }
        fu_besttime_free(m);
        fu_book_free(book);
        free(ev);
        free(at);
        free(cs);
        free(names);
        free(ids);
        fu_calendar_free(cal);
    }
    free(calls);
}

int main(int argc, char **argv) {
    const char *datadir = argc > 1 ? argv[1] : FU_EVAL_DATADIR;
    fu_policy *pol;
    CHECK("policy", fu_policy_default(&pol));
    printf("Synthetic: %d customers (30%% morning, 20%% lunch, 30%% evening, 20%% business hours), "
           "allowed hours 08-20, 7 target days; half-life 90 days.\n\n",
           N_SYN);
    printf("| mean calls | segments | calls/customer | model | Thompson | random | pop. best | freq. answered | oracle "
           "| lift vs random | vs pop. best | vs freq. answered | Brier model | Brier pop. surface | Brier constant |\n");
    printf("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    static const double means[] = {1, 3, 6, 20};
    for (int i = 0; i < 4; i++) run_synthetic(pol, means[i], 0, 90 * 86400, 0);
    for (int i = 0; i < 4; i++) run_synthetic(pol, means[i], 1, 90 * 86400, 0);
    printf("\n");
    run_synthetic(pol, 6, 1, 90 * 86400, 1);
    run_bank(pol, datadir);
    fu_policy_free(pol);
    return 0;
}
