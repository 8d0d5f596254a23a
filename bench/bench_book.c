/* Benchmark of the customer book: read N customers and M events from CSV
 * files generated here (default 1,000,000 and 10,000,000), then write them
 * back. Prints wall times, the book's memory and the process's peak RSS.
 *
 *   bench_book [customers] [events_per_customer] [tmpdir] [keep]
 *
 * With `keep` the generated files are kept and reused by the next run
 * (for profiling the reader alone).
 *
 * The events file interleaves customers (as a CRM export sorted by time
 * would) and puts about 1 in 20 events of a customer out of time order, so
 * the reader sorts; 1 in 500 lines is an exact duplicate. */
#include "followup.h"
#include "bench_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint32_t next_rand(void) { return (uint32_t)(bu_xorshift64(&rng) >> 16); }

static const char *const ZONES[] = {"Asia/Shanghai", "Asia/Shanghai", "Asia/Shanghai", "Asia/Hong_Kong",
                                    "Europe/Berlin", "America/New_York", "Asia/Tokyo", "UTC"};
static const char *const INDUSTRIES[] = {"retail", "manufacturing", "education", "finance", ""};
static const char *const WINDOWS[] = {"", "", "", "Mon-Fri 09:00-12:00", "Mon-Fri 09:00-12:00;Sat 10:00-12:00",
                                      "Mon-Sun 18:00-21:00"};
static const char *const KINDS[] = {"purchase", "delivery", "installation", "contact", "contact",
                                    "contact",  "survey",   "inquiry",      "repair",  "complaint"};
static const char *const CLASSES[] = {"durable_high", "consumable_mid", "fmcg_low"};
static const char *const OUTCOMES[] = {"answered", "no_answer", "refused", "voicemail"};
static const char *const CHANNELS[] = {"phone", "sms", "email", "chat"};

static void fmt_time(int64_t t, char *buf) {
    fu_time_format(t, 8 * 3600, 0, buf, FU_TIME_TEXT_SIZE);
}

static void generate(const char *cpath, const char *epath, size_t nc, size_t per) {
    FILE *f = fopen(cpath, "w");
    if (!f) {
        perror(cpath);
        exit(1);
    }
    char tb[FU_TIME_TEXT_SIZE];
    fputs("customer_id,tz,annual_spend,first_purchase_at,industry,is_smb,preferred_windows,dnd_windows,"
          "consent_phone,consent_sms,consent_email\n", f);
    const int64_t t0 = 1735660800; /* 2025-01-01T00:00:00+08:00 */
    for (size_t i = 0; i < nc; i++) {
        fmt_time(t0 - (int64_t)(next_rand() % (3 * 365)) * 86400, tb);
        fprintf(f, "CUST%07zu,%s,%u.%02u,%s,%s,%s,%s,,%s,%s,\n", i, ZONES[next_rand() % 8],
                next_rand() % 800000, next_rand() % 100, tb, INDUSTRIES[next_rand() % 5],
                next_rand() % 3 ? "no" : "yes", WINDOWS[next_rand() % 6], next_rand() % 10 ? "yes" : "no",
                next_rand() % 4 ? "yes" : "");
    }
    fclose(f);

    f = fopen(epath, "w");
    if (!f) {
        perror(epath);
        exit(1);
    }
    fputs("customer_id,at,kind,order_id,product_class,unit_price,amount,severity,channel,agent_id,outcome,"
          "score,survey,note\n", f);
    char line[512];
    for (size_t round = 0; round < per; round++) {
        for (size_t i = 0; i < nc; i++) {
            /* one event per customer per round, about 3 days apart, some out of order */
            int64_t t = t0 + (int64_t)round * 3 * 86400 + (int64_t)(next_rand() % 86400);
            if (next_rand() % 20 == 0) t -= 7 * 86400;
            fmt_time(t, tb);
            const char *kind = KINDS[next_rand() % 10];
            size_t order = i * 4 + round / 3;
            int n;
            if (!strcmp(kind, "purchase")) {
                unsigned price = next_rand() % 20000;
                n = snprintf(line, sizeof line, "CUST%07zu,%s,purchase,O%zu,%s,%u,%u,,,,,,,\n", i, tb, order,
                             CLASSES[next_rand() % 3], price, price * (1 + next_rand() % 3));
            } else if (!strcmp(kind, "contact")) {
                n = snprintf(line, sizeof line, "CUST%07zu,%s,contact,O%zu,,,,,%s,A%03u,%s,,,%s\n", i, tb, order,
                             CHANNELS[next_rand() % 4], next_rand() % 300, OUTCOMES[next_rand() % 4],
                             next_rand() % 50 ? "" : "\"customer asked for a call back, \"\"after 6pm\"\"\"");
            } else if (!strcmp(kind, "survey")) {
                n = snprintf(line, sizeof line, "CUST%07zu,%s,survey,O%zu,,,,,sms,,,%u,csat,\n", i, tb, order,
                             1 + next_rand() % 5);
            } else {
                n = snprintf(line, sizeof line, "CUST%07zu,%s,%s,O%zu,,,,%s,,,,,,\n", i, tb, kind, order,
                             !strcmp(kind, "repair") ? "urgent" : "");
            }
            fwrite(line, 1, (size_t)n, f);
            if (next_rand() % 500 == 0) fwrite(line, 1, (size_t)n, f); /* an exact duplicate */
        }
    }
    fclose(f);
}

int main(int argc, char **argv) {
    size_t nc = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
    size_t per = argc > 2 ? strtoul(argv[2], NULL, 10) : 10;
    const char *dir = argc > 3 ? argv[3] : "/tmp";
    char cpath[512], epath[512], opath[512];
    snprintf(cpath, sizeof cpath, "%s/bench_book_customers.csv", dir);
    snprintf(epath, sizeof epath, "%s/bench_book_events.csv", dir);
    snprintf(opath, sizeof opath, "%s/bench_book_events_out.csv", dir);

    int keep = argc > 4 && !strcmp(argv[4], "keep");
    double t = bu_wall(), c;
    if (!keep || access(epath, R_OK) != 0) generate(cpath, epath, nc, per);
    printf("generated %zu customers, ~%zu events in %.2f s (not part of the measurement)\n", nc, nc * per,
           bu_wall() - t);
    long rss0 = bu_rss_mib();

    fu_book *book;
    if (fu_book_new(&book, NULL)) bu_die("new");
    t = bu_wall();
    c = bu_cpu();
    if (fu_book_read_customers_csv(book, cpath)) bu_die("customers");
    double tc = bu_wall() - t, cc = bu_cpu() - c;
    long rss_c = bu_rss_mib();
    t = bu_wall();
    c = bu_cpu();
    if (fu_book_read_events_csv(book, epath)) bu_die("events");
    double te = bu_wall() - t, ce = bu_cpu() - c;
    long rss_e = bu_rss_mib();
    fu_book_stats st;
    fu_book_get_stats(book, &st);
    t = bu_wall();
    c = bu_cpu();
    if (fu_book_write_events_csv(book, opath)) bu_die("write events");
    double tw = bu_wall() - t, cw = bu_cpu() - c;

    printf("read customers: %zu in %.2f s wall, %.2f s CPU (%.0f k/s)\n", st.customers, tc, cc,
           (double)st.customers / tc / 1e3);
    printf("read events:    %zu kept, %zu duplicates dropped, in %.2f s wall, %.2f s CPU (%.2f M/s); "
           "sorted and indexed\n",
           st.events, st.duplicates_dropped, te, ce, (double)(st.events + st.duplicates_dropped) / te / 1e6);
    printf("write events:   %.2f s wall, %.2f s CPU\n", tw, cw);
    printf("RSS: before %ld MiB, after customers %ld MiB, after events %ld MiB; peak %ld MiB\n", rss0, rss_c,
           rss_e, bu_peak_rss_mib());
    fu_book_free(book);
    if (!keep) {
        unlink(cpath);
        unlink(epath);
    }
    unlink(opath);
    return 0;
}
