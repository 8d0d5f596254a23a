/* followup kpi: KPIs per period and group with intervals and RAG status. */
#include "cli.h"

#include <stdlib.h>
#include <math.h>
#include <string.h>

static void help(FILE *out) {
    fprintf(out,
            "usage: followup kpi --events FILE [options]\n"
            "\n"
            "Compute the follow-up KPIs (docs/kpi.md) per period and group: coverage,\n"
            "response timeliness and response-time percentiles, resolution, first-contact\n"
            "resolution, feedback closure, repeat and follow-up complaints, CSAT, NPS, CES,\n"
            "commitment on-time rate, over-contact, win-back, repurchase, churn, ROI and\n"
            "the agent scorecard. Every figure comes with n, a 95%% interval, the policy's\n"
            "target and a green / yellow / red status.\n"
            "\n"
            "options:\n"
            "  --policy FILE       policy YAML (default: the built-in policy)\n"
            "  --customers FILE    customers CSV (docs/formats.md); without it the events\n"
            "                      create their customers (tier unknown)\n"
            "  --events FILE       events CSV (required)\n"
            "  --ledger FILE       SQLite commitment ledger (opened read-only)\n"
            "  --period P          day | week | month (default: week), in the policy's zone\n"
            "  --by G              none | tier | segment | agent | channel | product_class,\n"
            "                      or several joined by ',' (default: none)\n"
            "  --from T, --to T    report only periods overlapping [from, to); T is a date\n"
            "                      (YYYY-MM-DD, local midnight in the policy's zone) or an\n"
            "                      ISO 8601 time with offset\n"
            "  --as-of T           the data's \"now\" (default: the latest event)\n"
            "  --cost CH=AMOUNT    cost of one contact on channel CH (phone, sms, email,\n"
            "                      chat, video, visit); repeat per channel; enables ROI\n"
            "  --budget AMOUNT     follow-up budget of one period (same currency as\n"
            "                      --cost): budget_overrun = spend / budget - 1 (needs\n"
            "                      --cost; ungrouped only; without it: no data)\n"
            "  --format F          dashboard (default) | table | csv | json | html\n"
            "                      html: one self-contained page (tiles, trends and a\n"
            "                      breakdown by --by, default tier,agent)\n"
            "  --output FILE       write there instead of standard output\n"
            "  -h, --help          this help\n"
            "\n"
            "exit codes: 0 ok, 2 bad command line, 3 unreadable or invalid input, 4 internal.\n");
}

static int parse_time(const fu_policy *p, const char *s, int64_t *out) {
    size_t n = strlen(s);
    if (n == 10) {
        fu_date d;
        int rc = fu_date_parse(s, n, &d);
        if (rc) return rc;
        fu_local lt = {d.year, d.month, d.day, 0, 0, 0, 0, 0, 0};
        return fu_calendar_from_local(fu_policy_calendar(p, NULL), &lt, 0, out);
    }
    return fu_time_parse(s, n, out);
}

static int write_out(const char *path, const char *text, size_t len) {
    cli_out o;
    int rc = cli_out_open(&o, path, "followup kpi");
    if (rc) return rc;
    int bad = fwrite(text, 1, len, o.f) != len;
    rc = cli_out_close(&o, !bad, "followup kpi");
    return rc ? rc : bad ? CLI_INPUT : CLI_OK;
}

static int table_out(const fu_kpi *k, cli_format fmt, const char *path) {
    static const char *const hdr[] = {"kpi", "group", "period", "value", "ci_low", "ci_high", "n", "target", "status", "rule"};
    cli_table *t = cli_table_new(10, hdr);
    if (!t || cli_table_set_types(t, "sSSnnnnnsS")) {
        cli_table_free(t);
        return CLI_INTERNAL;
    }
    size_t n = 0;
    const fu_kpi_figure *f = fu_kpi_figures(k, &n);
    for (size_t i = 0; i < n; i++) {
        char v[4][32], nn[32];
        const double x[4] = {f[i].value, f[i].ci_low, f[i].ci_high, f[i].target};
        for (int j = 0; j < 4; j++) {
            if (x[j] != x[j]) v[j][0] = '\0';
            else snprintf(v[j], sizeof v[j], "%.4g", x[j]);
        }
        snprintf(nn, sizeof nn, "%.0f", f[i].n);
        const char *cells[] = {f[i].name, f[i].group, f[i].period, v[0], v[1], v[2], nn, v[3],
                               fu_kpi_status_name(f[i].status), f[i].rule};
        if (cli_table_add(t, cells)) {
            cli_table_free(t);
            return CLI_INTERNAL;
        }
    }
    cli_out out;
    int rc = cli_out_open(&out, path, "followup kpi");
    if (rc) {
        cli_table_free(t);
        return rc;
    }
    int bad = cli_table_write(t, fmt, out.f, 0);
    cli_table_free(t);
    rc = cli_out_close(&out, !bad, "followup kpi");
    if (rc == CLI_OK && bad) {
        fprintf(stderr, "followup kpi: out of memory\n");
        rc = CLI_INTERNAL;
    }
    return rc;
}

/* --format html: the overall figures (no grouping) for tiles and trends and a
 * grouped engine (--by, default tier,agent) for the breakdown table. */
static int html_out(const fu_policy *p, const fu_book *book, fu_ledger *led, const fu_kpi_options *o,
                    fu_kpi *k, const char *path) {
    fu_kpi_options o2 = *o;
    o2.by = o->by ? 0u : FU_KPI_BY_TIER | FU_KPI_BY_AGENT;
    fu_kpi *k2 = NULL;
    char *text = NULL;
    size_t len = 0, nfig = 0;
    int rc = fu_kpi_new(&k2, p, &o2);
    if (!rc) rc = fu_kpi_add_book(k2, book);
    if (!rc && led) rc = fu_kpi_add_ledger(k2, led);
    if (!rc) rc = fu_kpi_compute(k2, &nfig);
    if (!rc) rc = o->by ? fu_kpi_write_html_to_string(k2, k, NULL, &len, &text)
                        : fu_kpi_write_html_to_string(k, k2, NULL, &len, &text);
    int ret;
    if (rc) {
        cli_error("html");
        ret = rc == FU_ENOMEM ? CLI_INTERNAL : CLI_INPUT;
    } else {
        ret = write_out(path, text, len);
    }
    fu_free(text);
    fu_kpi_free(k2);
    return ret;
}

static int run(int argc, char **argv) {
    const char *policy = NULL, *customers = NULL, *events = NULL, *ledger = NULL, *output = NULL;
    const char *from = NULL, *to = NULL, *as_of = NULL, *format = "dashboard";
    fu_kpi_options o = FU_KPI_OPTIONS_INIT;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a)) {
            help(stdout);
            return CLI_OK;
        }
        if (i + 1 >= argc || strncmp(a, "--", 2) != 0) {
            fprintf(stderr, "followup kpi: %s '%s' (see --help)\n",
                    strncmp(a, "--", 2) == 0 ? "missing value after" : "unexpected argument", a);
            return CLI_USAGE;
        }
        const char *v = argv[++i];
        if (strcmp(a, "--policy") == 0) policy = v;
        else if (strcmp(a, "--customers") == 0) customers = v;
        else if (strcmp(a, "--events") == 0) events = v;
        else if (strcmp(a, "--ledger") == 0) ledger = v;
        else if (strcmp(a, "--output") == 0) output = v;
        else if (strcmp(a, "--from") == 0) from = v;
        else if (strcmp(a, "--to") == 0) to = v;
        else if (strcmp(a, "--as-of") == 0) as_of = v;
        else if (strcmp(a, "--format") == 0) format = v;
        else if (strcmp(a, "--period") == 0) {
            if (fu_kpi_period_from_string(v, strlen(v), &o.period)) {
                fprintf(stderr, "followup kpi: --period must be day, week or month\n");
                return CLI_USAGE;
            }
        } else if (strcmp(a, "--by") == 0) {
            if (fu_kpi_by_from_string(v, strlen(v), &o.by)) {
                cli_error("--by");
                return CLI_USAGE;
            }
        } else if (strcmp(a, "--cost") == 0) {
            const char *eq = strchr(v, '=');
            fu_channel ch;
            char *end = NULL;
            double amount = eq ? strtod(eq + 1, &end) : -1;
            if (!eq || fu_channel_from_string(v, (size_t)(eq - v), &ch) || ch == FU_CHANNEL_NONE || !end ||
                *end || !(amount >= 0)) {
                fprintf(stderr, "followup kpi: --cost wants CHANNEL=AMOUNT, e.g. phone=12.5\n");
                return CLI_USAGE;
            }
            o.contact_cost[ch] = amount;
        } else if (strcmp(a, "--budget") == 0) {
            char *end = NULL;
            double amount = strtod(v, &end);
            if (end == v || *end || !(amount > 0) || !isfinite(amount)) {
                fprintf(stderr, "followup kpi: --budget wants a positive amount per period, e.g. 5000\n");
                return CLI_USAGE;
            }
            o.budget = amount;
        } else {
            fprintf(stderr, "followup kpi: unknown option '%s' (see --help)\n", a);
            return CLI_USAGE;
        }
    }
    if (cli_csv_raw) o.flags |= FU_KPI_CSV_RAW;
    int fmt_dash = strcmp(format, "dashboard") == 0;
    int fmt_html = strcmp(format, "html") == 0;
    cli_format fmt = CLI_FORMAT_TABLE;
    if (!fmt_dash && !fmt_html && cli_format_parse(format, &fmt)) {
        fprintf(stderr, "followup kpi: --format must be dashboard, table, csv, json or html\n");
        return CLI_USAGE;
    }
    if (!events) {
        fprintf(stderr, "followup kpi: --events FILE is required (see --help)\n");
        return CLI_USAGE;
    }
    fu_policy *p = NULL;
    fu_book *book = NULL;
    fu_ledger *led = NULL;
    fu_kpi *k = NULL;
    char *text = NULL;
    size_t len = 0;
    int ret = CLI_OK, rc = policy ? fu_policy_load_file(&p, policy, NULL) : fu_policy_default(&p);
    if (rc) {
        cli_error("policy");
        return rc == FU_ENOMEM ? CLI_INTERNAL : CLI_INPUT;
    }
    const char *ctx = "options";
    if (from && (rc = parse_time(p, from, &o.from))) ctx = "--from";
    else if (to && (rc = parse_time(p, to, &o.to))) ctx = "--to";
    else if (as_of && (rc = parse_time(p, as_of, &o.as_of))) ctx = "--as-of";
    if (rc) {
        cli_error(ctx);
        fu_policy_free(p);
        return CLI_USAGE;
    }
    fu_book_options bo = FU_BOOK_OPTIONS_INIT;
    bo.flags = customers ? 0 : FU_BOOK_CREATE_CUSTOMERS;
    rc = fu_book_new(&book, &bo);
    if (!rc && customers && (rc = fu_book_read_customers_csv(book, customers))) ctx = "input"; /* the message names the file */
    if (!rc && (rc = fu_book_read_events_csv(book, events))) ctx = "input";
    if (!rc && ledger) {
        fu_ledger_options lo = FU_LEDGER_OPTIONS_INIT;
        lo.flags = FU_LEDGER_READONLY;
        if ((rc = fu_ledger_open(&led, ledger, &lo))) ctx = ledger;
    }
    if (!rc && (rc = fu_kpi_new(&k, p, &o))) ctx = "kpi";
    if (!rc && (rc = fu_kpi_add_book(k, book))) ctx = "kpi";
    if (!rc && led && (rc = fu_kpi_add_ledger(k, led))) ctx = ledger;
    size_t nfig = 0;
    if (!rc && (rc = fu_kpi_compute(k, &nfig))) ctx = "kpi";
    if (rc) {
        cli_error(ctx);
        ret = rc == FU_ENOMEM ? CLI_INTERNAL : (rc == FU_EINVAL ? CLI_USAGE : CLI_INPUT);
    } else if (fmt_html) {
        ret = html_out(p, book, led, &o, k, output);
    } else if (fmt_dash || fmt == CLI_FORMAT_JSON || fmt == CLI_FORMAT_CSV) {
        rc = fmt_dash ? fu_kpi_write_dashboard_to_string(k, &len, &text)
             : fmt == CLI_FORMAT_JSON ? fu_kpi_write_json_to_string(k, &len, &text)
                                      : fu_kpi_write_csv_to_string(k, &len, &text);
        if (rc) {
            cli_error("output");
            ret = CLI_INTERNAL;
        } else {
            ret = write_out(output, text, len);
        }
    } else {
        ret = table_out(k, fmt, output);
    }
    fu_free(text);
    fu_kpi_free(k);
    fu_ledger_close(led);
    fu_book_free(book);
    fu_policy_free(p);
    return ret;
}

const cli_command cli_cmd_kpi = {"kpi", "KPIs per period and group with intervals and RAG status", run, help};
