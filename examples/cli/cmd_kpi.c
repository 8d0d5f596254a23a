/* followup kpi: KPIs per period and group with intervals and RAG status. */
#include "cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct kpi_args {
    const char *policy, *customers, *events, *ledger, *output, *from, *to, *as_of, *format, *segments;
    const char *create_customers;
    fu_kpi_options o;
    unsigned cost_given; /* a bit per channel given --cost */
} kpi_args;

static int opt_period(const char *v, void *args) {
    if (fu_kpi_period_from_string(v, strlen(v), &((kpi_args *)args)->o.period) == FU_OK) return 0;
    fprintf(stderr, "followup kpi: --period must be day, week or month\n");
    return 1;
}

static int opt_by(const char *v, void *args) {
    if (fu_kpi_by_from_string(v, strlen(v), &((kpi_args *)args)->o.by) == FU_OK) return 0;
    cli_error("--by");
    return 1;
}

static int opt_cost(const char *v, void *args) {
    const char *eq = strchr(v, '=');
    fu_channel ch;
    char *end = NULL;
    double amount = eq ? strtod(eq + 1, &end) : -1;
    if (!eq || !end || *end || !(amount >= 0) || amount > CLI_MAX_COST) {
        fprintf(stderr, "followup kpi: --cost wants CHANNEL=AMOUNT with AMOUNT 0..1e12, e.g. phone=12.5%s%s%s\n",
                eq ? " (got '" : "", eq ? cli_shown(eq + 1) : "", eq ? "')" : "");
        return 1;
    }
    if (fu_channel_from_string(v, (size_t)(eq - v), &ch) || ch == FU_CHANNEL_NONE) {
        fprintf(stderr, "followup kpi: --cost: unknown channel '%.*s'; known channels:", (int)(eq - v), v);
        for (int c = FU_CHANNEL_NONE + 1; c < FU_CHANNEL_COUNT; c++)
            fprintf(stderr, " %s", fu_channel_name((fu_channel)c));
        fputc('\n', stderr);
        return 1;
    }
    kpi_args *a = args;
    if (a->cost_given & (1u << ch)) {
        fprintf(stderr, "followup kpi: --cost: channel %s given twice; give each channel once\n",
                fu_channel_name(ch));
        return 1;
    }
    a->cost_given |= 1u << ch;
    a->o.contact_cost[ch] = amount;
    return 0;
}

static int opt_budget(const char *v, void *args) {
    char *end = NULL;
    double amount = strtod(v, &end);
    if (end == v || *end || !(amount > 0) || !isfinite(amount)) {
        fprintf(stderr, "followup kpi: --budget wants a positive amount per period, e.g. 5000\n");
        return 1;
    }
    ((kpi_args *)args)->o.budget = amount;
    return 0;
}

#define O(name, arg, help, member) CLI_OPT(name, arg, help, kpi_args, member)
static const cli_option k_options[] = {
    O("--policy", "FILE", "policy YAML (default: the built-in policy)", policy),
    O("--customers", "FILE",
      "customers CSV (docs/formats.md); without it the events\n"
      "create their customers (tier unknown)",
      customers),
    O("--events", "FILE", "events CSV (required)", events),
    O("--create-customers", NULL,
      "with --customers: an event naming a customer not in it\n"
      "creates it (tier unknown); without it such an event fails\n"
      "(exit 3)",
      create_customers),
    O("--ledger", "FILE", "SQLite commitment ledger (opened read-only)", ledger),
    {"--period", "P", "day | week | month (default: week), in the policy's zone", CLI_NO_SLOT, opt_period},
    {"--by", "G",
     "none | tier | segment | agent | channel | product_class,\n"
     "or several joined by ',' (default: none); segment\n"
     "needs --segments",
     CLI_NO_SLOT, opt_by},
    O("--segments", "FILE",
      "segment label of each customer for --by segment: a CSV\n"
      "with customer_id and segment columns, e.g. the output of\n"
      "followup segment (empty segment: group none; customers\n"
      "not in the file: unknown; one label per customer); a bad\n"
      "row stops the run naming its file:line:column (checked\n"
      "also without --by segment, which alone groups by it)",
      segments),
    O("--from", "T, --to T",
      "report only periods overlapping [from, to); T is a date\n"
      "(YYYY-MM-DD, local midnight in the policy's zone) or an\n"
      "ISO 8601 time with offset",
      from),
    O("--to", "T", NULL, to),
    O("--as-of", "T", "the data's \"now\" (default: the latest event,\nplaceholders aside)", as_of),
    {"--cost", "CH=AMOUNT",
     "cost of one contact on channel CH (phone, sms, email,\n"
     "chat, video, visit), 0..1e12; repeat per channel;\n"
     "enables ROI",
     CLI_NO_SLOT, opt_cost},
    {"--budget", "AMOUNT",
     "follow-up budget of one period (same currency as\n"
     "--cost): budget_overrun = spend / budget - 1 (needs\n"
     "--cost; ungrouped only; without it: no data)",
     CLI_NO_SLOT, opt_budget},
    O("--format", "F",
      "dashboard (default) | table | csv | json | html\n"
      "html: one self-contained page (tiles, trends and a\n"
      "breakdown by --by, default tier,agent)",
      format),
    O("--output", "FILE", "write there instead of standard output", output),
    {"-h, --help", NULL, "this help", CLI_NO_SLOT, NULL},
};
#undef O
#define N_OPTIONS (sizeof k_options / sizeof k_options[0])

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
            "options:\n");
    cli_print_options(out, k_options, N_OPTIONS, 20);
    fprintf(out,
            "\n"
            "Events more than %d years before the first percentile of the history (null\n"
            "placeholders such as 0001-01-01) or more than %d years after its 99th\n"
            "percentile (open ends such as 9999-12-31) are reported on standard error;\n"
            "without --from the report then starts with the first other event, without\n"
            "--as-of it is as of the last other event.\n"
            "\n"
            "exit codes: 0 ok, 2 bad command line, 3 unreadable or invalid input, 4 internal.\n",
            CLI_EARLY_YEARS, CLI_EARLY_YEARS);
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

/* The text dashboard: group labels are data (a segments file, agent ids)
 * and may hold control characters; they are escaped as the table format
 * escapes them (cli_visible: ESC as \x1B), the dashboard's own line breaks
 * kept. */
static int write_dashboard(const char *path, const char *text) {
    char *shown = cli_visible(text, 1);
    if (!shown) {
        fprintf(stderr, "followup kpi: out of memory\n");
        return CLI_INTERNAL;
    }
    int rc = write_out(path, shown, strlen(shown));
    free(shown);
    return rc;
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
        if (bad == CLI_INTERNAL) fprintf(stderr, "followup kpi: out of memory\n");
        rc = bad;
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
    kpi_args args;
    memset(&args, 0, sizeof args);
    fu_kpi_options_init(&args.o);
    for (int i = 1; i < argc; i++)
        if (cli_is_help(argv[i])) {
            help(stdout);
            return CLI_OK;
        }
    int ec = cli_parse_options("followup kpi", k_options, N_OPTIONS, argc, argv, 1, &args, NULL, 0, NULL);
    if (ec) return ec;
    const cli_path outs[] = {{"--output", args.output}};
    const cli_path ins[] = {{"--policy", args.policy},   {"--customers", args.customers}, {"--events", args.events},
                            {"--ledger", args.ledger},   {"--segments", args.segments}};
    if ((ec = cli_check_outputs("followup kpi", outs, 1, ins, 5))) return ec;
    const char *policy = args.policy, *customers = args.customers, *events = args.events, *ledger = args.ledger;
    const char *output = args.output, *from = args.from, *to = args.to, *as_of = args.as_of;
    const char *format = args.format ? args.format : "dashboard";
    fu_kpi_options o = args.o;
    if (cli_csv_raw) o.flags |= FU_KPI_CSV_RAW;
    int fmt_dash = strcmp(format, "dashboard") == 0;
    int fmt_html = strcmp(format, "html") == 0;
    cli_format fmt = CLI_FORMAT_TABLE;
    if (!fmt_dash && !fmt_html && cli_format_parse(format, &fmt))
        return cli_usage("followup kpi: --format must be dashboard, table, csv, json or html\n");
    if (!events)
        return cli_usage("followup kpi: --events FILE is required (see --help)\n");
    if ((o.by & FU_KPI_BY_SEGMENT) && !args.segments)
        return cli_usage("followup kpi: --by segment needs --segments FILE (the CSV of followup segment)\n");
    if (args.create_customers && !customers)
        return cli_usage("followup kpi: --create-customers needs --customers (without it the events create every "
                         "customer)\n");
    fu_policy *p = NULL;
    fu_book *book = NULL;
    fu_ledger *led = NULL;
    fu_kpi *k = NULL;
    char *text = NULL;
    size_t len = 0;
    int ret = CLI_OK, rc = cli_policy_load(policy, &p);
    if (rc) return rc == FU_ENOMEM ? CLI_INTERNAL : CLI_INPUT;
    const char *ctx = "options";
    if (from && (rc = parse_time(p, from, &o.from))) ctx = "--from";
    else if (to && (rc = parse_time(p, to, &o.to))) ctx = "--to";
    else if (as_of && (rc = parse_time(p, as_of, &o.as_of))) ctx = "--as-of";
    if (rc) {
        cli_error(ctx);
        fu_policy_free(p);
        return CLI_USAGE;
    }
    if (from && to && o.to <= o.from) {
        fprintf(stderr, "followup kpi: --to must be after --from\n");
        fu_policy_free(p);
        return CLI_USAGE;
    }
    fu_book_options bo = FU_BOOK_OPTIONS_INIT;
    bo.flags = customers && !args.create_customers ? 0 : FU_BOOK_CREATE_CUSTOMERS;
    rc = fu_book_new(&book, &bo);
    if (!rc && customers && (rc = fu_book_read_customers_csv(book, customers))) ctx = "input"; /* the message names the file */
    if (!rc && (rc = fu_book_read_events_csv(book, events))) ctx = "input";
    if (!rc && (rc = fu_book_finalize(book))) ctx = "input";
    int64_t first_regular, last_regular;
    if (!rc && cli_early_events(book, "followup kpi", &first_regular, &last_regular)) {
        if (!from && first_regular != INT64_MIN) { /* periods from year 1 would cost memory per day and report nothing */
            o.from = first_regular;
            fprintf(stderr, "followup kpi: the report starts with the first other event (give --from to choose)\n");
        }
        if (!as_of && last_regular != INT64_MAX) { /* nor periods up to year 9999 */
            o.as_of = last_regular;
            fprintf(stderr, "followup kpi: --as-of defaults to the last other event (give --as-of to choose)\n");
        }
    }
    if (!rc && ledger) {
        fu_ledger_options lo = FU_LEDGER_OPTIONS_INIT;
        lo.flags = FU_LEDGER_READONLY;
        if ((rc = fu_ledger_open(&led, ledger, &lo))) ctx = ledger;
    }
    if (!rc && (rc = fu_kpi_new(&k, p, &o))) ctx = "kpi";
    if (!rc && (rc = fu_kpi_add_book(k, book))) ctx = "kpi";
    if (!rc && args.segments) {
        size_t before = fu_book_customer_count(fu_kpi_book(k));
        if ((rc = fu_kpi_read_segments_csv(k, args.segments))) ctx = "--segments";
        const fu_book *kb = fu_kpi_book(k);
        size_t after = rc ? before : fu_book_customer_count(kb);
        if (after > before) /* labels of ids the book lacks: created without events */
            fprintf(stderr,
                    "followup kpi: warning: %s labels %zu customer ids that are not in the book (first: '%s'); "
                    "their labels reach no event\n",
                    cli_shown(args.segments), after - before, cli_shown(fu_book_customer(kb, before)->id));
    }
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
            ret = fmt_dash ? write_dashboard(output, text) : write_out(output, text, len);
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
