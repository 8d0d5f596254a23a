/* followup segment — value tier, lifecycle, RFM, P(alive), expected purchases,
 * CLV and the policy's composite segment of every customer (fu_segment). */
#include "cli.h"
#include "json.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct segment_args {
    const char *policy, *customers, *events, *now, *unit, *fit, *horizon, *discount, *day_offset, *format;
    const char *output, *fit_output, *create_customers;
} segment_args;

#define O(name, arg, help, member) CLI_OPT(name, arg, help, segment_args, member)
static const cli_option k_options[] = {
    O("--policy", "FILE", "policy (default: the built-in policy)", policy),
    O("--customers", "CSV", "customers (docs/formats.md), required", customers),
    O("--events", "CSV", "event history (docs/formats.md), required", events),
    O("--create-customers", NULL,
      "an event naming a customer not in --customers creates it (no\n"
      "zone, tier by its spend); without it such an event fails (exit 3)",
      create_customers),
    O("--now", "ISO-TIME",
      "as-of instant with an offset; the calibration end of\n"
      "the model (default: the time of the last event,\n"
      "placeholders aside)",
      now),
    O("--unit", "week|day", "model time unit (default: week)", unit),
    O("--fit", "bgnbd|pareto", "purchase model (default: bgnbd); spend: Gamma-Gamma", fit),
    O("--horizon", "H",
      "horizon of expected purchases and CLV: a number of\n"
      "units (52) or a duration (1y, 36 months, 52w)\n"
      "(default: the policy's segments.clv.horizon)",
      horizon),
    O("--discount", "RATE",
      "annual discount rate of CLV, 0.1 or 10%\n"
      "(default: the policy's segments.clv.annual_discount_rate)",
      discount),
    O("--day-offset", "+HH:MM",
      "merge same-day purchases by days starting at this\n"
      "UTC offset (default: each customer's local day)",
      day_offset),
    O("--format", "F", "csv (default), json or table", format),
    O("--output", "FILE", "write the segments there instead of stdout", output),
    O("--fit-output", "FILE", "write the fitted parameters as JSON", fit_output),
};
#undef O
#define N_OPTIONS (sizeof k_options / sizeof k_options[0])

static void help(FILE *out) {
    fprintf(out,
            "usage: followup segment --customers CSV --events CSV [options]\n"
            "\n"
            "Segment every customer of the book as of --now: value tier, lifecycle\n"
            "stage, RFM scores, P(alive), expected purchases and customer lifetime\n"
            "value from a customer-base model fitted on the book's purchases, and the\n"
            "policy's composite segment with its handling (human or automated). The\n"
            "rule column names the policy rules that made tier, lifecycle and segment.\n"
            "\n"
            "options:\n");
    cli_print_options(out, k_options, N_OPTIONS, 20);
    fprintf(out,
            "\n"
            "Customers without a purchase get tier, lifecycle and segment, and empty\n"
            "r, f, m, p_alive, expected_purchases and clv. When the data do not identify\n"
            "the Gamma-Gamma spend model, a warning says so and clv is empty for every\n"
            "customer (\"gammagamma\": null in --fit-output); when they do not identify\n"
            "the purchase model (a small or new book), a warning says so and p_alive,\n"
            "expected_purchases and clv are empty (\"model\": null and the reason in\n"
            "--fit-output): tiers, lifecycle and segments do not need it. The fitted\n"
            "parameters are printed on stderr; progress too for runs over a second when\n"
            "stderr is a terminal. A warning on stderr names events more than %d years\n"
            "before the first percentile of the history (null placeholders such as\n"
            "0001-01-01: they still enter the fit) or more than %d years after its 99th\n"
            "percentile (open ends such as 9999-12-31: without --now, --now is the last\n"
            "other event).\n"
            "Exit codes: 0 ok, 1 no customer has a purchase before --now, 2 usage, 3 bad\n"
            "input, 4 internal.\n",
            CLI_EARLY_YEARS, CLI_EARLY_YEARS);
}

typedef struct seg_run {
    struct timespec start;
    int verbose; /* progress shown */
} seg_run;

static double elapsed(const struct timespec *t0) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) * 1e-9;
}

static void progress(seg_run *r, const char *what) {
    if (!cli_progress_enabled()) return; /* progress is for a terminal, not a log */
    if (!r->verbose && elapsed(&r->start) < 1.0) return;
    r->verbose = 1;
    fprintf(stderr, "followup segment: %s (%.1f s)\n", what, elapsed(&r->start));
}

/* "52" (model units) or a duration; out in model units. */
static int parse_horizon(const char *s, double unit_seconds, double *out) {
    char *end;
    double v = strtod(s, &end);
    if (end != s && *end == '\0') {
        if (!(isfinite(v) && v > 0)) return -1;
        *out = v;
        return 0;
    }
    fu_duration d;
    if (fu_duration_parse(s, strlen(s), &d) != FU_OK || d.value <= 0) return -1;
    if (d.unit == FU_DURATION_MONTHS) *out = (double)d.value * 2629746.0 / unit_seconds;
    else if (d.unit == FU_DURATION_SECONDS) *out = (double)d.value / unit_seconds;
    else return -1;
    return 0;
}

/* "0.1" or "10%", in [0, 1). */
static int parse_rate(const char *s, double *out) {
    char *end;
    double v = strtod(s, &end);
    if (end == s) return -1;
    if (*end == '%' && end[1] == '\0') v /= 100;
    else if (*end != '\0') return -1;
    if (!(v >= 0 && v < 1)) return -1;
    *out = v;
    return 0;
}

/* "+08:00", "-05:30", "Z" -> seconds east of UTC. */
static int parse_offset(const char *s, int64_t *out) {
    if (strcmp(s, "Z") == 0 || strcmp(s, "UTC") == 0) {
        *out = 0;
        return 0;
    }
    int h, m;
    char sign, tail;
    if (sscanf(s, "%c%2d:%2d%c", &sign, &h, &m, &tail) != 3 || (sign != '+' && sign != '-') || h > 14 || m > 59)
        return -1;
    *out = (sign == '-' ? -1 : 1) * (int64_t)(h * 3600 + m * 60);
    return 0;
}

static void fmt_num(char *buf, size_t size, const char *fmt, double v) {
    if (isnan(v)) buf[0] = '\0';
    else snprintf(buf, size, fmt, v);
}

static int write_fit_json(const char *path, const fu_segment_run_fit *f, const char *unit) {
    cli_out o;
    int rc = cli_out_open(&o, path, "followup segment");
    if (rc) return rc;
    FILE *out = o.f;
    if (!f->has_model) { /* no parameters to write: say why */
        fprintf(out, "{\"model\": null, \"unit\": \"%s\", \"error\": ", unit);
        if (cli_json_string(out, f->model_error)) fputs("null", out); /* a library message: UTF-8 (never reached) */
        fprintf(out, ", \"gammagamma\": null}\n");
        return cli_out_close(&o, !ferror(out), "followup segment");
    }
    if (f->model == FU_SEGMENT_MODEL_PARETO)
        fprintf(out, "{\"model\": \"pareto\", \"unit\": \"%s\", \"r\": %.9g, \"alpha\": %.9g, \"s\": %.9g, \"beta\": %.9g",
                unit, f->pareto.r, f->pareto.alpha, f->pareto.s, f->pareto.beta);
    else
        fprintf(out, "{\"model\": \"bgnbd\", \"unit\": \"%s\", \"r\": %.9g, \"alpha\": %.9g, \"a\": %.9g, \"b\": %.9g",
                unit, f->bgnbd.r, f->bgnbd.alpha, f->bgnbd.a, f->bgnbd.b);
    fprintf(out, ", \"loglik\": %.6f, \"n\": %zu, \"iterations\": %u,\n \"gammagamma\": ", f->info.loglik, f->info.n,
            f->info.iterations);
    if (f->has_gammagamma)
        fprintf(out, "{\"p\": %.9g, \"q\": %.9g, \"gamma\": %.9g, \"loglik\": %.6f, \"n\": %zu}}\n",
                f->gammagamma.p, f->gammagamma.q, f->gammagamma.gamma, f->gammagamma_info.loglik,
                f->gammagamma_info.n);
    else
        fprintf(out, "null}\n");
    return cli_out_close(&o, !ferror(out), "followup segment");
}

/* The segment CSV is the library's (fu_segment_run_write_csv); table and
 * JSON show the same cells. */
static int write_segments(const fu_book *book, const fu_segment_run *run, cli_format fmt, const char *path) {
    cli_out out;
    int rc = cli_out_open(&out, path, "followup segment");
    if (rc) return rc;
    if (fmt == CLI_FORMAT_CSV) {
        char *text = NULL;
        size_t len = 0;
        int frc = fu_segment_run_write_csv_to_string(run, book, cli_csv_raw ? FU_SEGMENT_CSV_RAW : 0u, &len, &text);
        int bad = frc != FU_OK || fwrite(text, 1, len, out.f) != len;
        fu_free(text);
        rc = cli_out_close(&out, !bad, "followup segment");
        if (frc != FU_OK && rc == CLI_OK) {
            cli_error("segments");
            rc = cli_exit_code(frc);
        }
        return rc;
    }
    static const char *const hdr[] = {"customer_id", "tier", "lifecycle", "r", "f", "m", "p_alive",
                                      "expected_purchases", "clv", "segment", "rule", "handling"};
    cli_table *t = cli_table_new(12, hdr);
    if (t && cli_table_set_types(t, "sssnnnnnnsss")) {
        cli_table_free(t);
        t = NULL;
    }
    rc = t ? CLI_OK : CLI_INTERNAL;
    const fu_segment_book_summary *bs = fu_segment_run_summary(run);
    const fu_segment_assignment *as = fu_segment_run_assignments(run);
    const double *p_alive = fu_segment_run_p_alive(run), *expected = fu_segment_run_expected(run),
                 *clv = fu_segment_run_clv(run);
    for (size_t i = 0; i < bs->n && rc == CLI_OK; i++) {
        const fu_segment_assignment *a = &as[i];
        const fu_segment_rfm *q = &bs->rfm[i];
        char r[8] = "", f[8] = "", m[8] = "", pa[32], ex[32], cv[32], rule[512];
        if (q->r) {
            snprintf(r, sizeof r, "%u", q->r);
            snprintf(f, sizeof f, "%u", q->f);
            snprintf(m, sizeof m, "%u", q->m);
        }
        fmt_num(pa, sizeof pa, "%.6f", p_alive[i]);
        fmt_num(ex, sizeof ex, "%.6f", expected[i]);
        fmt_num(cv, sizeof cv, "%.2f", clv[i]);
        int len = snprintf(rule, sizeof rule, "%s;%s", a->tier_rule, a->lifecycle_rule);
        if (a->segment_rule && len > 0 && (size_t)len < sizeof rule)
            len += snprintf(rule + len, sizeof rule - (size_t)len, ";%s", a->segment_rule);
        if (a->handling_rule && a->handling_rule != a->segment_rule && len > 0 && (size_t)len < sizeof rule)
            snprintf(rule + len, sizeof rule - (size_t)len, ";%s", a->handling_rule);
        const char *cells[] = {fu_book_customer(book, i)->id, a->tier_name, fu_segment_lifecycle_name(a->lifecycle),
                               r, f, m, pa, ex, cv, a->segment ? a->segment : "", rule,
                               a->human ? "human" : "automated"};
        if (cli_table_add(t, cells) != 0) rc = CLI_INTERNAL;
    }
    int bad = rc != CLI_OK ? rc : cli_table_write(t, fmt, out.f, 0);
    cli_table_free(t);
    int oc = cli_out_close(&out, !bad, "followup segment");
    if (oc) return oc;
    if (bad == CLI_INTERNAL) fprintf(stderr, "followup segment: out of memory\n");
    return bad;
}

/* The fitted parameters on stderr. */
static void print_fit(const fu_segment_run_fit *f, const char *unit_text) {
    if (f->model == FU_SEGMENT_MODEL_PARETO)
        fprintf(stderr, "followup segment: Pareto/NBD r=%.6f alpha=%.6f s=%.6f beta=%.6f (LL %.4f, %zu customers)",
                f->pareto.r, f->pareto.alpha, f->pareto.s, f->pareto.beta, f->info.loglik, f->info.n);
    else
        fprintf(stderr, "followup segment: BG/NBD r=%.6f alpha=%.6f a=%.6f b=%.6f (LL %.4f, %zu customers)",
                f->bgnbd.r, f->bgnbd.alpha, f->bgnbd.a, f->bgnbd.b, f->info.loglik, f->info.n);
    if (f->has_gammagamma)
        fprintf(stderr, "; Gamma-Gamma p=%.6f q=%.6f gamma=%.6f (LL %.4f, %zu repeat customers); unit %s\n",
                f->gammagamma.p, f->gammagamma.q, f->gammagamma.gamma, f->gammagamma_info.loglik,
                f->gammagamma_info.n, unit_text);
    else
        fprintf(stderr, "; Gamma-Gamma not identified: no CLV; unit %s\n", unit_text);
}

/* The run options from the command line: CLI_OK, or CLI_USAGE after a message. */
static int segment_settings(const segment_args *args, fu_segment_run_options *so, cli_format *fmt, int64_t *now) {
    const char *unit_text = args->unit ? args->unit : "week", *fit_text = args->fit ? args->fit : "bgnbd";
    if (!args->customers || !args->events)
        return cli_usage("followup segment: --customers and --events are required (see --help)\n");
    if (strcmp(unit_text, "week") == 0) so->unit_seconds = 604800.0;
    else if (strcmp(unit_text, "day") == 0) so->unit_seconds = 86400.0;
    else
        return cli_usage("followup segment: --unit must be week or day\n");
    if (strcmp(fit_text, "bgnbd") == 0) so->model = FU_SEGMENT_MODEL_BGNBD;
    else if (strcmp(fit_text, "pareto") == 0) so->model = FU_SEGMENT_MODEL_PARETO;
    else
        return cli_usage("followup segment: --fit must be bgnbd or pareto\n");
    if (cli_format_parse(args->format ? args->format : "csv", fmt))
        return cli_usage("followup segment: --format must be csv, json or table\n");
    if (args->now && fu_time_parse(args->now, strlen(args->now), now) != FU_OK) {
        cli_error("--now");
        return CLI_USAGE;
    }
    if (args->horizon && parse_horizon(args->horizon, so->unit_seconds, &so->horizon))
        return cli_usage("followup segment: bad --horizon '%s' (a number of %ss or a duration like 1y, 52w)\n",
                         args->horizon, unit_text);
    if (args->discount && parse_rate(args->discount, &so->annual_discount))
        return cli_usage("followup segment: bad --discount '%s' (a rate in [0, 1): 0.1 or 10%%)\n", args->discount);
    if (args->day_offset) {
        if (parse_offset(args->day_offset, &so->day_offset))
            return cli_usage("followup segment: bad --day-offset '%s' (+HH:MM, -HH:MM or Z)\n", args->day_offset);
        so->local_days = 0;
    }
    return CLI_OK;
}

static int run(int argc, char **argv) {
    segment_args args;
    memset(&args, 0, sizeof args);
    int ec = cli_parse_options("followup segment", k_options, N_OPTIONS, argc, argv, 1, &args, NULL, 0, NULL);
    if (ec) return ec;
    const cli_path outs[] = {{"--output", args.output}, {"--fit-output", args.fit_output}};
    const cli_path ins[] = {{"--policy", args.policy}, {"--customers", args.customers}, {"--events", args.events}};
    if ((ec = cli_check_outputs("followup segment", outs, 2, ins, 3))) return ec;
    fu_segment_run_options so = FU_SEGMENT_RUN_OPTIONS_INIT;
    cli_format fmt = CLI_FORMAT_CSV;
    int64_t now = 0;
    if ((ec = segment_settings(&args, &so, &fmt, &now))) return ec;
    const char *policy_path = args.policy, *customers = args.customers, *events = args.events;
    const char *now_text = args.now, *unit_text = args.unit ? args.unit : "week";
    const char *output = args.output, *fit_output = args.fit_output;
    int pareto = so.model == FU_SEGMENT_MODEL_PARETO;

    seg_run run_state;
    memset(&run_state, 0, sizeof run_state);
    clock_gettime(CLOCK_MONOTONIC, &run_state.start);
    fu_policy *policy = NULL;
    fu_segment_rules *rules = NULL;
    fu_book *book = NULL;
    fu_segment_run *run = NULL;
    int exit_code = CLI_OK;
    int rc = cli_policy_load(policy_path, &policy);
    if (rc) {
        exit_code = rc == FU_ENOMEM ? CLI_INTERNAL : CLI_INPUT;
        goto done;
    }
    if ((rc = fu_segment_rules_new_from_policy(&rules, policy))) {
        cli_error("policy");
        exit_code = CLI_INTERNAL;
        goto done;
    }
    fu_book_options bo = FU_BOOK_OPTIONS_INIT;
    if (args.create_customers) bo.flags |= FU_BOOK_CREATE_CUSTOMERS;
    if ((rc = cli_book_read(&book, &bo, customers, events, 0))) {
        cli_error(NULL);
        exit_code = rc == FU_ENOMEM ? CLI_INTERNAL : CLI_INPUT;
        goto done;
    }
    int64_t first_regular, last_regular;
    if ((rc = fu_book_finalize(book))) {
        cli_error(NULL);
        exit_code = rc == FU_ENOMEM ? CLI_INTERNAL : CLI_INPUT;
        goto done;
    }
    /* a warning: early ones still enter the fit; late ones are after the default --now */
    cli_early_events(book, "followup segment", &first_regular, &last_regular);
    if (!now_text && last_regular != INT64_MAX) {
        now = last_regular;
        now_text = "the last other event";
        fprintf(stderr, "followup segment: --now defaults to the last other event (give --now to choose)\n");
    }
    size_t ne = 0;
    if (!now_text && (ne = fu_book_event_count(book)) == 0) {
        fprintf(stderr, "followup segment: %s has no events: give --now\n", events);
        exit_code = CLI_INPUT;
        goto done;
    }
    progress(&run_state, "read the book");
    if ((rc = fu_segment_run_new(&run, book, now_text ? now : FU_SEGMENT_RUN_LAST_EVENT, rules, &so))) {
        char msg[1024];
        fu_error_format(msg, sizeof msg);
        if (rc == FU_ERANGE) { /* no purchase to fit on */
            fprintf(stderr, "followup segment: cannot fit the %s model: no customer has a purchase before --now\n",
                    pareto ? "Pareto/NBD" : "BG/NBD");
            exit_code = CLI_FAIL;
        } else if (strncmp(msg, "cannot ", 7) == 0 && rc != FU_ENOMEM) { /* the model cannot be fitted */
            fprintf(stderr, "followup segment: %s\n", msg);
            exit_code = CLI_FAIL;
        } else {
            cli_error("segments");
            exit_code = cli_exit_code(rc);
        }
        goto done;
    }
    const fu_segment_run_fit *fr = fu_segment_run_fit_result(run);
    if (!fr->has_model)
        fprintf(stderr,
                "followup segment: warning: no purchase model, the p_alive, expected_purchases and clv columns are "
                "empty (tiers, lifecycle and segments do not need it): %s\n",
                fr->model_error);
    else if (!fr->has_gammagamma)
        fprintf(stderr,
                "followup segment: warning: no CLV, the clv column is empty: the Gamma-Gamma spend model is not "
                "identified on %zu repeat customers with a value: %s\n",
                fr->repeat_customers, fr->gammagamma_error);
    if (fr->has_model) print_fit(fr, unit_text);
    if (fit_output && (exit_code = write_fit_json(fit_output, fr, unit_text))) goto done;
    progress(&run_state, "writing");
    exit_code = write_segments(book, run, fmt, output);
    if (exit_code == CLI_OK) progress(&run_state, "done");
done:
    fu_segment_run_free(run);
    fu_book_free(book);
    fu_segment_rules_free(rules);
    fu_policy_free(policy);
    return exit_code;
}

const cli_command cli_cmd_segment = {"segment", "tiers, lifecycle, RFM, P(alive), CLV and segments", run, help};
