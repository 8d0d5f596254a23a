/* Benchmark of the follow-up planner: a plan for N customers with M events
 * (default 1,000,000 and 10,000,000) under the built-in policy, horizon one
 * day, 300 agents. The book is generated in memory (no CSV): customers in
 * eight zones, some with preferred or do-not-disturb windows, and per
 * customer a history over two years of purchases (three price classes),
 * deliveries, installations, repairs, inquiries, complaints and contacts;
 * for 90% of the customers the last event is an answered contact (a book
 * whose follow-up has been kept up). The backlog case (no recent contact:
 * almost everyone overdue for the recurring cadences) is `backlog` as the
 * fourth argument; `besttime` there (or `backlog,besttime`) also builds a
 * best-time model from the book (FU_PLANNER_BESTTIME) and takes best_at
 * from it; `feed` also feeds 21 events (fu_planner_feed, which appends
 * each to the book) and prints the median time of one.
 *
 *   bench_planner [customers] [events_per_customer] [runs]
 *
 * Prints the time to build the book and the planner, the wall and CPU time
 * of each planning run and their median, the plan's counters and the
 * process's peak RSS (getrusage). With PLANNER_CSV=FILE in the environment
 * the last plan is also written there (every status, with the status
 * columns), to compare the plans of two versions byte for byte. */
#include "followup.h"
#include "bench_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(uint32_t n) { return (uint32_t)((bu_xorshift64(&rng) >> 16) % n); }

static const char *const ZONES[] = {"Asia/Shanghai", "Asia/Shanghai", "Asia/Shanghai", "Asia/Hong_Kong",
                                    "Europe/Berlin", "America/New_York", "Asia/Tokyo", "UTC"};
static const char *const PREF[] = {NULL, NULL, NULL, "Mon-Fri 09:00-12:00", "Mon-Fri 14:00-18:00;Sat 10:00-12:00"};
static const char *const DND[] = {NULL, NULL, NULL, NULL, "Mon-Sun 12:00-14:00", "Sat-Sun 00:00-24:00"};
static const char *const INDUSTRY[] = {"retail", "manufacturing", "education", "ecommerce", "bank", NULL};

static int die(const char *what) {
    char buf[512];
    fu_error_format(buf, sizeof buf);
    fprintf(stderr, "bench_planner: %s: %s\n", what, buf);
    return 1;
}

#define CHUNK 65536

int main(int argc, char **argv) {
    size_t ncust = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
    size_t per = argc > 2 ? strtoul(argv[2], NULL, 10) : 10;
    int runs = argc > 3 ? atoi(argv[3]) : 5;
    int backlog = argc > 4 && strstr(argv[4], "backlog") != NULL;
    int besttime = argc > 4 && strstr(argv[4], "besttime") != NULL;
    int feed = argc > 4 && strstr(argv[4], "feed") != NULL;
    if (runs < 1) runs = 1;
    int64_t now = 1772416800; /* 2026-03-02T02:00:00Z = 10:00 in Shanghai */
    fu_policy *policy = NULL;
    if (fu_policy_default(&policy)) return die("policy");
    fu_book *book = NULL;
    if (fu_book_new(&book, NULL)) return die("book");

    double t0 = bu_wall();
    /* customers, in chunks */
    fu_customer *cs = calloc(CHUNK, sizeof *cs);
    char (*ids)[24] = calloc(CHUNK, 24);
    fu_event_in *es = calloc(CHUNK, sizeof *es);
    char (*eids)[24] = calloc(CHUNK, 24);
    char (*orders)[24] = calloc(CHUNK, 24);
    if (!cs || !ids || !es || !eids || !orders) return die("calloc");
    for (size_t base = 0; base < ncust; base += CHUNK) {
        size_t n = ncust - base < CHUNK ? ncust - base : CHUNK;
        for (size_t i = 0; i < n; i++) {
            fu_customer *c = &cs[i];
            fu_customer_init(c);
            snprintf(ids[i], 24, "C%07zu", base + i);
            c->id = ids[i];
            c->tz = ZONES[rnd(8)];
            uint32_t r = rnd(100);
            c->annual_spend = r < 2 ? 600000.0 + rnd(400000) : r < 12 ? 100000.0 + rnd(400000) : (double)rnd(100000);
            c->first_purchase_at = now - (int64_t)(30 + rnd(1800)) * 86400;
            c->industry = INDUSTRY[rnd(6)];
            c->is_smb = rnd(10) == 0 ? FU_TRI_YES : FU_TRI_NO;
            c->consent_phone = rnd(20) == 0 ? FU_TRI_NO : FU_TRI_YES;
            c->consent_sms = rnd(10) == 0 ? FU_TRI_NO : FU_TRI_YES;
            c->preferred_windows = PREF[rnd(5)];
            c->dnd_windows = DND[rnd(6)];
        }
        if (fu_book_add_customers(book, cs, n)) return die("add customers");
    }
    /* events: per customer in time order, customers in order (no sorting needed) */
    static const fu_event_kind KINDS[] = {FU_EVENT_PURCHASE, FU_EVENT_PURCHASE, FU_EVENT_PURCHASE, FU_EVENT_DELIVERY,
                                          FU_EVENT_DELIVERY, FU_EVENT_INSTALLATION, FU_EVENT_CONTACT,
                                          FU_EVENT_CONTACT, FU_EVENT_CONTACT, FU_EVENT_INQUIRY,
                                          FU_EVENT_REPAIR, FU_EVENT_COMPLAINT};
    size_t k = 0, total = 0;
    for (size_t c = 0; c < ncust; c++) {
        size_t n = per / 2 + rnd((uint32_t)per + 1); /* mean `per` */
        int64_t t = now - (int64_t)(730 * 86400) + rnd(86400);
        int64_t step = (int64_t)(730 * 86400) / (int64_t)(n + 1);
        for (size_t j = 0; j < n; j++) {
            t += step / 2 + rnd((uint32_t)step);
            if (t > now) t = now - rnd(3600);
            fu_event_in *e = &es[k];
            fu_event_in_init(e);
            snprintf(eids[k], 24, "C%07zu", c);
            e->customer_id = eids[k];
            e->at = t;
            e->kind = KINDS[rnd(12)];
            /* most customers have been followed up lately (the policy was kept) */
            if (!backlog && j + 1 == n && rnd(10) != 0) e->kind = FU_EVENT_CONTACT;
            snprintf(orders[k], 24, "O%zu", (c * 7 + j / 3) % 100000000);
            e->order_id = orders[k];
            uint32_t pc = rnd(10);
            e->unit_price = pc < 1 ? 20000.0 : pc < 5 ? 2000.0 : 300.0;
            if (e->kind == FU_EVENT_PURCHASE) e->amount = e->unit_price;
            if (e->kind == FU_EVENT_CONTACT) {
                e->channel = FU_CHANNEL_PHONE;
                e->outcome = j + 1 == n || rnd(3) ? FU_OUTCOME_ANSWERED : FU_OUTCOME_NO_ANSWER;
            }
            if (e->kind == FU_EVENT_REPAIR) e->severity = rnd(3) ? FU_SEVERITY_NORMAL : FU_SEVERITY_URGENT;
            if (++k == CHUNK) {
                if (fu_book_add_events(book, es, k)) return die("add events");
                total += k;
                k = 0;
            }
        }
    }
    if (k && fu_book_add_events(book, es, k)) return die("add events");
    total += k;
    if (fu_book_finalize(book)) return die("finalize");
    free(cs);
    free(ids);
    free(es);
    free(eids);
    free(orders);
    double t1 = bu_wall();
    printf("book: %zu customers, %zu events generated and added in %.2f s (peak RSS %ld MiB)\n", ncust, total,
           t1 - t0, bu_peak_rss_mib());

    fu_planner_options o = FU_PLANNER_OPTIONS_INIT;
    o.agents = 300;
    if (besttime) o.flags |= FU_PLANNER_BESTTIME;
    fu_planner *pl = NULL;
    double t2 = bu_wall();
    if (fu_planner_new(&pl, policy, book, &o)) return die("planner");
    printf("planner_new (zones, per-tier cycles%s): %.2f s (peak RSS %ld MiB)\n",
           besttime ? ", best-time model" : "", bu_wall() - t2, bu_peak_rss_mib());

    double *w = calloc((size_t)runs, sizeof *w), *c = calloc((size_t)runs, sizeof *c);
    if (!w || !c) return die("calloc");
    fu_plan_stats st;
    memset(&st, 0, sizeof st);
    for (int r = 0; r < runs; r++) {
        fu_plan *plan = NULL;
        double a = bu_wall(), ac = bu_cpu();
        if (fu_planner_plan(pl, now, 86400, &plan)) return die("plan");
        w[r] = bu_wall() - a;
        c[r] = bu_cpu() - ac;
        printf("run %d: plan %.3f s wall, %.3f s CPU\n", r + 1, w[r], c[r]);
        fu_plan_get_stats(plan, &st);
        const char *csv = getenv("PLANNER_CSV");
        if (csv && r + 1 == runs && fu_plan_write_csv(plan, 0xfu, FU_PLAN_CSV_STATUS, csv)) return die("csv");
        fu_plan_free(plan);
    }
    double wm = bu_median(w, (size_t)runs), cm = bu_median(c, (size_t)runs);
    printf("plan: median %.3f s wall over %d runs (min %.3f, max %.3f); median %.3f s CPU (min %.3f, max %.3f)\n",
           wm, runs, w[0], w[runs - 1], cm, c[0], c[runs - 1]);
    printf("plan counters: customers %zu, candidates %zu, merged %zu, done %zu, planned %zu, suppressed %zu, "
           "deferred %zu, agent contacts %zu (capacity %zu/day)\n",
           st.customers, st.candidates, st.merged, st.done, st.planned, st.suppressed, st.deferred,
           st.agent_contacts, st.capacity_per_day);
    printf("peak RSS: %ld MiB\n", bu_peak_rss_mib());
    if (feed) { /* fu_planner_feed appends to the book: cost of one event on a book this size */
        enum { NFEED = 21 };
        double fw[NFEED];
        for (int r = 0; r < NFEED; r++) {
            fu_event_in e;
            fu_event_in_init(&e);
            char id[24];
            snprintf(id, sizeof id, "C%07zu", (size_t)rnd((uint32_t)ncust));
            e.customer_id = id;
            e.at = now + r;
            e.kind = FU_EVENT_COMPLAINT;
            fu_plan *d = NULL;
            double a = bu_wall();
            if (fu_planner_feed(pl, &e, e.at, 86400, &d)) return die("feed");
            fw[r] = bu_wall() - a;
            fu_plan_free(d);
        }
        double fm = bu_median(fw, NFEED);
        printf("feed: median %.2f ms wall per event over %d events (book of %zu events; random customers)\n",
               fm * 1e3, NFEED, fu_book_event_count(book));
    }
    free(w);
    free(c);
    fu_planner_free(pl);
    fu_book_free(book);
    fu_policy_free(policy);
    return 0;
}
