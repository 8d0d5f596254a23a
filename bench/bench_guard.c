/* Benchmark of fu_guard (issue 16 targets): a guard over 1 M customers and
 * 10 M logged contacts answers >= 200,000 checks a second on one core, and
 * appends >= 50,000 outcomes a second in batches; memory stated.
 *
 *     bench_guard [CUSTOMERS [CONTACTS [LOG_PATH [B2B_PERCENT [checks]]]]]
 *
 * Defaults: 1,000,000 customers, 10,000,000 contacts, /tmp/fu-bench-guard.db
 * (written afresh every run), no business customers. B2B_PERCENT of the
 * customers (every i with i % 100 < B2B_PERCENT, spread over the zones) are
 * small businesses, which the guard holds to business hours; `checks` runs
 * the checks only (no appends, no planner).
 * Customers: 60% Asia/Shanghai, 20% America/New_York, 20% Europe/London,
 * one purchase each in the book. Contacts: the log, grouped by customer as a
 * history import would write them, at random instants in the year before
 * NOW, phone/sms/email, every outcome, 20 rules, 20% about an order.
 * Checks: random customer, channel, instant in the 7 days after NOW, and a
 * random priority and rule; each figure is the median of RUNS runs (min and
 * max given). Appends: fu_guard_record in batches of 1,000 and of 10,000
 * records, 100,000 records a run. */
#include "followup.h"
#include "bench_util.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define RUNS 5
#define CHECKS 200000
#define APPENDS 100000

static const int64_t NOW = 1773108000; /* 2026-03-10T02:00:00Z */

static uint64_t rng = 0x2545F4914F6CDD1DULL;
static unsigned next_rand(void) { return (unsigned)(bu_xorshift64(&rng) >> 11); }

static long rss_kib(const char *key) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long v = -1;
    size_t n = strlen(key);
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, key, n) == 0) v = atol(line + n + 1);
    if (f) fclose(f);
    return v;
}

/* Bytes of heap in use (glibc): what the process itself holds, unlike RSS,
 * which also counts the pages of the log file that SQLite reads. */
static long heap_mib(void) {
    struct mallinfo2 m = mallinfo2();
    return (long)((m.uordblks + m.hblkhd) >> 20);
}

static const char *const RULES[20] = {
    "cadences.delivery.first_contact", "cadences.delivery.second_contact", "cadences.installation.check",
    "cadences.fault.urgent_contact",   "cadences.fault.follow_up",        "cadences.repair.check",
    "cadences.complaint.recovery",     "cadences.inquiry.answer",         "cadences.purchase.thanks",
    "cadences.purchase.second_look",   "cadences.vip.monthly",            "cadences.winback.first",
    "cadences.winback.second",         "cadences.cycle.repurchase",       "cadences.survey.csat",
    "cadences.warranty.end",           "cadences.course.start",           "cadences.course.end",
    "cadences.enrollment.welcome",     "cadences.b2b.quarterly"};

static void cust_id(char *buf, size_t n, unsigned i) { snprintf(buf, n, "C%07u", i); }

static fu_book *make_book(unsigned ncust, unsigned b2b_percent) {
    static const char *const zones[5] = {"Asia/Shanghai", "Asia/Shanghai", "Asia/Shanghai", "America/New_York",
                                         "Europe/London"};
    fu_book *b = NULL;
    if (fu_book_new(&b, NULL)) bu_die("book");
    char id[32], order[32];
    for (unsigned i = 0; i < ncust; i++) {
        fu_customer c;
        fu_customer_init(&c);
        cust_id(id, sizeof id, i);
        c.id = id;
        c.tz = zones[i % 5];
        c.annual_spend = (double)(next_rand() % 100000);
        c.first_purchase_at = NOW - (int64_t)(next_rand() % 1500) * 86400;
        c.consent_phone = next_rand() % 20 ? FU_TRI_YES : FU_TRI_NO;
        c.consent_sms = FU_TRI_YES;
        c.consent_email = next_rand() % 4 ? FU_TRI_YES : FU_TRI_UNKNOWN;
        if (i % 100 < b2b_percent) c.is_smb = FU_TRI_YES; /* no draw: the stream stays that of 0% */
        if (fu_book_add_customer(b, &c, NULL)) bu_die("customer");
        fu_event_in e;
        fu_event_in_init(&e);
        e.customer_id = id;
        e.at = NOW - (int64_t)(next_rand() % (365 * 86400));
        e.kind = FU_EVENT_PURCHASE;
        e.amount = 100 + next_rand() % 3000;
        snprintf(order, sizeof order, "O%u", i);
        e.order_id = order;
        if (fu_book_add_event(b, &e)) bu_die("event");
    }
    if (fu_book_finalize(b)) bu_die("finalize");
    return b;
}

static void random_record(fu_contact_record *r, char *id, size_t idn, char *order, size_t on, unsigned cust) {
    fu_contact_record_init(r);
    cust_id(id, idn, cust);
    r->customer_id = id;
    r->at = NOW - (int64_t)(next_rand() % (365 * 86400));
    r->channel = (fu_channel)(1 + next_rand() % 3);
    r->outcome = (fu_guard_outcome)(next_rand() % 7); /* not callback: it needs a time */
    r->rule = next_rand() % 3 ? RULES[next_rand() % 20] : NULL;
    if (next_rand() % 5 == 0) {
        snprintf(order, on, "O%u", cust);
        r->order_id = order;
    }
    r->duration = next_rand() % 600;
}

/* The log: CONTACTS records grouped by customer, in batches of 100,000. */
static void make_log(const char *path, unsigned ncust, size_t ncontacts) {
    char side[600];
    unlink(path); /* a fresh log every run (the append benchmark adds to it) */
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
    fu_contact_log *l = NULL;
    if (fu_contact_log_open(&l, path, NULL)) bu_die("open log");
    enum { B = 100000 };
    fu_contact_record *r = malloc(B * sizeof *r);
    char (*ids)[16] = malloc(B * sizeof *ids), (*orders)[16] = malloc(B * sizeof *orders);
    if (!r || !ids || !orders) exit(1);
    double t0 = bu_wall(), c0 = bu_cpu();
    size_t done = 0;
    for (unsigned c = 0; c < ncust && done < ncontacts; c++) {
        /* spread the remaining contacts evenly over the remaining customers */
        size_t k = (ncontacts - done) / (ncust - c);
        for (size_t j = 0; j < k; j++) {
            size_t at = done % B;
            random_record(&r[at], ids[at], sizeof ids[0], orders[at], sizeof orders[0], c);
            done++;
            if (done % B == 0 && fu_contact_log_append(l, r, B, NULL)) bu_die("append");
        }
    }
    if (done % B && fu_contact_log_append(l, r, done % B, NULL)) bu_die("append");
    printf("log: %zu records written in %.1f s wall, %.1f s CPU (%.0f records/s in batches of %d)\n", done,
           bu_wall() - t0, bu_cpu() - c0, (double)done / (bu_wall() - t0), B);
    free(r);
    free(ids);
    free(orders);
    fu_contact_log_close(l);
}

static void bench_checks(fu_guard *g, unsigned ncust) {
    double rate[RUNS], cpu_rate[RUNS];
    size_t allowed = 0, total = 0;
    static const fu_priority prios[8] = {FU_PRIORITY_NORMAL, FU_PRIORITY_NORMAL, FU_PRIORITY_NORMAL, FU_PRIORITY_LOW,
                                         FU_PRIORITY_HIGH,   FU_PRIORITY_NORMAL, FU_PRIORITY_URGENT, FU_PRIORITY_NORMAL};
    for (int run = 0; run < RUNS; run++) {
        double t0 = bu_wall(), c0 = bu_cpu();
        char id[16];
        for (int i = 0; i < CHECKS; i++) {
            fu_guard_request r = FU_GUARD_REQUEST_INIT;
            cust_id(id, sizeof id, next_rand() % ncust);
            r.customer_id = id;
            r.channel = (fu_channel)(1 + next_rand() % 3);
            r.at = NOW + (int64_t)(next_rand() % (7 * 86400));
            r.priority = prios[next_rand() % 8];
            r.rule = next_rand() % 2 ? RULES[next_rand() % 20] : NULL;
            fu_guard_decision d;
            if (fu_guard_check_request(g, &r, &d)) bu_die("check");
            allowed += (size_t)d.allowed;
            total++;
        }
        rate[run] = CHECKS / (bu_wall() - t0);
        cpu_rate[run] = CHECKS / (bu_cpu() - c0);
    }
    double med = bu_median(rate, RUNS), cpu_med = bu_median(cpu_rate, RUNS); /* both sorted too */
    printf("checks: median %.0f/s wall (min %.0f, max %.0f), %.0f/s CPU (min %.0f, max %.0f); %.1f%% allowed;"
           " %.2f us each\n",
           med, rate[0], rate[RUNS - 1], cpu_med, cpu_rate[0], cpu_rate[RUNS - 1],
           100.0 * (double)allowed / (double)total, 1e6 / cpu_med);
}

static void bench_appends(fu_guard *g, unsigned ncust, int BATCH) {
    double rate[RUNS], cpu_rate[RUNS];
    fu_contact_record *r = malloc((size_t)BATCH * sizeof *r);
    char (*ids)[16] = malloc((size_t)BATCH * sizeof *ids), (*orders)[16] = malloc((size_t)BATCH * sizeof *orders);
    if (!r || !ids || !orders) exit(1);
    for (int run = 0; run < RUNS; run++) {
        double t0 = bu_wall(), c0 = bu_cpu();
        for (int b = 0; b < APPENDS / BATCH; b++) {
            for (int i = 0; i < BATCH; i++) {
                random_record(&r[i], ids[i], sizeof ids[0], orders[i], sizeof orders[0], next_rand() % ncust);
                r[i].at = NOW + (int64_t)(next_rand() % 86400);
            }
            if (fu_guard_record(g, r, (size_t)BATCH)) bu_die("record");
        }
        rate[run] = APPENDS / (bu_wall() - t0);
        cpu_rate[run] = APPENDS / (bu_cpu() - c0);
    }
    double med = bu_median(rate, RUNS), cpu_med = bu_median(cpu_rate, RUNS); /* both sorted too */
    printf("appends (fu_guard_record, batches of %d, synchronous=FULL): median %.0f/s wall (min %.0f, max %.0f),"
           " %.0f/s CPU\n", BATCH, med, rate[0], rate[RUNS - 1], cpu_med);
    free(r);
    free(ids);
    free(orders);
}

static void bench_planner(const fu_policy *p, const fu_book *b) {
    fu_planner *pl = NULL;
    if (fu_planner_new(&pl, p, b, NULL)) bu_die("planner");
    double c0 = bu_cpu();
    fu_plan *plan = NULL;
    if (fu_planner_plan(pl, NOW, 86400, &plan)) bu_die("plan");
    double cpu = bu_cpu() - c0;
    fu_plan_stats st;
    fu_plan_get_stats(plan, &st);
    printf("planner (same book, without the log's contacts): %.2f s CPU for %zu customers = %.2f us a customer,"
           " %zu planned\n", cpu, st.customers, 1e6 * cpu / (double)st.customers, st.planned);
    fu_plan_free(plan);
    fu_planner_free(pl);
}

int main(int argc, char **argv) {
    unsigned ncust = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 1000000u;
    size_t ncontacts = argc > 2 ? (size_t)strtoull(argv[2], NULL, 10) : 10000000u;
    const char *path = argc > 3 ? argv[3] : "/tmp/fu-bench-guard.db";
    unsigned b2b = argc > 4 ? (unsigned)strtoul(argv[4], NULL, 10) : 0u;
    int checks_only = argc > 5 && strcmp(argv[5], "checks") == 0;
    if (!ncust || b2b > 100) return 2;
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("bench_guard: %u customers (%u%% small businesses), %zu contacts, log %s\n", ncust, b2b, ncontacts,
           path);
    fu_policy *p = NULL;
    if (fu_policy_default(&p)) bu_die("policy");
    double t0 = bu_wall();
    fu_book *b = make_book(ncust, b2b);
    printf("book: %.1f s; RSS %ld MiB\n", bu_wall() - t0, rss_kib("VmRSS:") / 1024);
    make_log(path, ncust, ncontacts);
    fu_contact_log *l = NULL;
    t0 = bu_wall();
    if (fu_contact_log_open(&l, path, NULL)) bu_die("open");
    printf("log open with integrity check: %.1f s\n", bu_wall() - t0);
    long before = heap_mib();
    t0 = bu_wall();
    double c0 = bu_cpu();
    fu_guard *g = NULL;
    if (fu_guard_new(&g, p, b, l, NULL)) bu_die("guard");
    printf("guard_new (reads the log): %.1f s wall, %.1f s CPU; the guard holds %ld MiB of heap (book and policy"
           " %ld MiB); RSS %ld MiB, peak %ld MiB\n",
           bu_wall() - t0, bu_cpu() - c0, heap_mib() - before, before, rss_kib("VmRSS:") / 1024,
           rss_kib("VmHWM:") / 1024);
    bench_checks(g, ncust);
    if (checks_only) {
        fu_guard_free(g);
        fu_contact_log_close(l);
        fu_book_free(b);
        fu_policy_free(p);
        return 0;
    }
    bench_appends(g, ncust, 1000);
    bench_appends(g, ncust, 10000);
    printf("after the appends: heap %ld MiB, RSS %ld MiB, peak %ld MiB\n", heap_mib(), rss_kib("VmRSS:") / 1024,
           rss_kib("VmHWM:") / 1024);
    fu_guard_free(g);
    fu_contact_log_close(l);
    bench_planner(p, b);
    fu_book_free(b);
    fu_policy_free(p);
    return 0;
}
