/* followup simulate --compare baseline,policy[,besttime][,other.yaml] and
 * --sensitivity: the decision-quality simulation of followup/simulate.h. */
#include "cli.h"
#include "cmd_simulate.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RUNS 6
#define MAX_GRID 16

typedef struct sim_args {
    const char *policy, *customers, *events, *truth, *from, *to, *output, *compare, *sens_agents, *sens_calls, *frequency;
    unsigned int agents, calls;
    unsigned long long seed;
    cli_format fmt;
    int html; /* --format html: a self-contained page */
} sim_args;

static int parse_list(const char *text, unsigned int *v, int max) {
    int n = 0;
    const char *p = text;
    while (*p && n < max) {
        char *end;
        unsigned long x = strtoul(p, &end, 10);
        if (end == p || x == 0 || x > 100000ul || (*end && *end != ',')) return -1;
        v[n++] = (unsigned int)x;
        p = *end ? end + 1 : end;
    }
    return *p ? -1 : n;
}

/* The options (parsed by cmd_simulate.c against its one table) checked and
 * converted for these runs. */
static int parse_args(const simulate_args *in, sim_args *a) {
    memset(a, 0, sizeof *a);
    a->policy = in->policy, a->customers = in->customers, a->events = in->events, a->truth = in->truth;
    a->from = in->from, a->to = in->to, a->output = in->output, a->compare = in->compare;
    a->sens_agents = in->sens_agents, a->sens_calls = in->sens_calls, a->frequency = in->frequency;
    a->agents = 3;
    a->seed = 2026;
    if (in->frequency && strcmp(in->frequency, "fit") != 0) {
        fprintf(stderr, "followup simulate: --frequency takes 'fit'\n");
        return CLI_USAGE;
    }
    a->html = in->format && strcmp(in->format, "html") == 0;
    if (in->format && !a->html && cli_format_parse(in->format, &a->fmt)) {
        fprintf(stderr, "followup simulate: bad format '%s'\n", in->format);
        return CLI_USAGE;
    }
    if ((in->seed && cli_parse_ull("followup simulate", "--seed", in->seed, 0, ULLONG_MAX, &a->seed)) ||
        cli_simulate_count("--agents", in->agents, &a->agents) ||
        cli_simulate_count("--calls-per-agent", in->calls_per_agent, &a->calls))
        return CLI_USAGE;
    if (!a->customers || !a->events || !a->from || !a->to) {
        fprintf(stderr, "followup simulate: --customers, --events, --from and --to are required (see --help)\n");
        return CLI_USAGE;
    }
    return CLI_OK;
}

/* One run: "baseline", "policy" (first allowed hour), "besttime" (policy with
 * the best-time model), "oracle" (evaluation only: hours ranked by the ground
 * truth, FU_SIMULATION_ORACLE) or a policy YAML (with the best-time model). */
static int run_one(const char *what, const sim_args *a, const fu_book *book, const fu_simulation_options *base,
                   unsigned int agents, unsigned int calls, fu_simulation_report *r, fu_simulation_details *d) {
    fu_policy *policy = NULL;
    const char *path = a->policy;
    fu_simulation_options o = *base;
    o.agents = agents;
    o.calls_per_agent = calls;
    o.mode = strcmp(what, "baseline") == 0 ? FU_SIMULATION_BASELINE : FU_SIMULATION_POLICY;
    o.flags = strcmp(what, "baseline") && strcmp(what, "policy") ? FU_SIMULATION_BESTTIME : 0u;
    if (strcmp(what, "oracle") == 0) o.flags |= FU_SIMULATION_ORACLE;
    else if (strcmp(what, "baseline") && strcmp(what, "policy") && strcmp(what, "besttime")) path = what;
    int rc = path && strcmp(path, "builtin") ? fu_policy_load_file(&policy, path, NULL) : fu_policy_default(&policy);
    fu_simulation_details_init(d);
    if (rc == FU_OK) rc = fu_simulation_run_details(policy, book, &o, r, d);
    if (rc) cli_error(what);
    fu_policy_free(policy);
    return rc;
}

static int is_prop(int m) {
    return (m <= FU_SIM_FOLLOW_UP_COMPLAINTS || m == FU_SIM_ANSWER_RATE || m == FU_SIM_PROMISES_KEPT) &&
           m != FU_SIM_CAP_VIOLATIONS;
}

/* The table's cell: "0.562 [0.530, 0.593]" for a rate, the value otherwise. */
static void cell(char *buf, size_t size, const fu_simulation_value *v, int prop) {
    if (isnan(v->value)) snprintf(buf, size, "-");
    else if (prop && !isnan(v->ci_low)) snprintf(buf, size, "%.3f [%.3f, %.3f]", v->value, v->ci_low, v->ci_high);
    else snprintf(buf, size, "%.4g", v->value);
}

/* A number of the CSV / JSON output: empty (JSON null) when there is none. */
static void num(char *buf, size_t size, double x) {
    if (isnan(x)) buf[0] = 0;
    else snprintf(buf, size, "%.6g", x);
}

/* The rows after the measures: what the run used and what its plans held
 * back (fu_simulation_details; 0 for the baseline). */
#define NDETAIL 5
static const char *const detail_names[NDETAIL] = {"calls_per_agent", "cap_held", "cap_held_missed", "capacity_held",
                                                  "capacity_held_missed"};

static double detail_value(const fu_simulation_details *d, int k) {
    size_t v[NDETAIL] = {d->calls_per_agent, d->cap_held, d->cap_held_missed, d->capacity_held,
                         d->capacity_held_missed};
    return (double)v[k];
}

/* One row per measure. The table: per run its cell and its units (n). CSV and
 * JSON: per run four fields, `<run>` (the value), `<run>_lo`, `<run>_hi`
 * (the interval, empty / null when none) and `<run>_n` (its units). */
static int write_compare(const sim_args *a, char names[][256], const fu_simulation_report *r,
                         const fu_simulation_details *d, int n, FILE *out) {
    int machine = a->fmt != CLI_FORMAT_TABLE, per = machine ? 4 : 2;
    size_t ncols = 1 + (size_t)(per * n);
    char hdrs[MAX_RUNS * 4][272], types[1 + MAX_RUNS * 4 + 1] = "s";
    const char *hdr[1 + MAX_RUNS * 4] = {"measure"};
    static const char *const sfx[4] = {"", "_lo", "_hi", "_n"};
    for (int i = 0; i < n; i++)
        for (int k = 0; k < per; k++) {
            int j = i * per + k;
            snprintf(hdrs[j], sizeof hdrs[j], "%.255s%s", names[i], machine ? sfx[k] : k ? "_n" : "");
            hdr[j + 1] = hdrs[j];
            types[j + 1] = machine || k ? 'n' : 's';
        }
    types[ncols] = 0;
    cli_table *t = cli_table_new(ncols, hdr);
    if (!t || cli_table_set_types(t, types)) {
        cli_table_free(t);
        return CLI_INTERNAL;
    }
    int rc = CLI_OK;
    char cells[MAX_RUNS * 4][96];
    for (int m = 0; m < FU_SIM_MEASURE_COUNT + NDETAIL && rc == CLI_OK; m++) {
        const char *row[1 + MAX_RUNS * 4];
        int det = m >= FU_SIM_MEASURE_COUNT;
        row[0] = det ? detail_names[m - FU_SIM_MEASURE_COUNT] : fu_simulation_measure_name(m);
        for (int i = 0; i < n; i++) {
            const fu_simulation_value *v = det ? NULL : &r[i].measures[m];
            char *c = cells[i * per];
            if (det) { /* a count: no interval, no units */
                double x = detail_value(&d[i], m - FU_SIM_MEASURE_COUNT);
                snprintf(c, 96, "%.0f", x);
                for (int k = 1; k < per; k++) cells[i * per + k][0] = 0;
                continue;
            }
            if (machine) {
                num(c, 96, v->value);
                num(cells[i * per + 1], 96, is_prop(m) ? v->ci_low : NAN);
                num(cells[i * per + 2], 96, is_prop(m) ? v->ci_high : NAN);
            } else {
                cell(c, 96, v, is_prop(m));
            }
            snprintf(cells[i * per + per - 1], 96, "%.0f", v->n);
        }
        for (size_t j = 1; j < ncols; j++) row[j] = cells[j - 1];
        if (cli_table_add(t, row)) rc = CLI_INTERNAL;
    }
    if (rc == CLI_OK && cli_table_write(t, a->fmt, out, 0)) rc = CLI_INTERNAL;
    cli_table_free(t);
    return rc;
}

static void html_esc(FILE *out, const char *s) {
    for (; *s; s++) {
        if (*s == '<') fputs("&lt;", out);
        else if (*s == '>') fputs("&gt;", out);
        else if (*s == '&') fputs("&amp;", out);
        else if (*s == '"') fputs("&quot;", out);
        else fputc(*s, out);
    }
}

/* The comparison as a self-contained HTML page (no script, no external
 * resource): one row per measure, one column per run, proportions with their
 * interval drawn as a bar on a 0..100% scale. */
static int write_compare_html(const sim_args *a, char names[][256], const fu_simulation_report *r,
                              const fu_simulation_details *d, int n, FILE *out) {
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
          "<title>followup simulate: baseline vs plan</title>\n<style>\n"
          "body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}\n"
          "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}\n"
          "th:first-child,td:first-child{text-align:left}\n"
          ".bar{position:relative;height:6px;width:160px;background:#eee;margin-top:3px}\n"
          ".ci{position:absolute;top:0;height:6px;background:#7aa6d6}\n"
          ".pt{position:absolute;top:-2px;width:2px;height:10px;background:#1d4f91}\n"
          ".n{display:block;color:#777}\n"
          "</style></head><body>\n<h1>Baseline vs plan</h1>\n<p class=\"span\">Span ",
          out);
    html_esc(out, a->from);
    fputs(" to ", out);
    html_esc(out, a->to);
    fprintf(out,
            ", %u agent(s) &times; the calls a day of row calls_per_agent, seed %llu; %zu open days, %zu weeks "
            "pooled. Intervals: Wilson at the policy's level (docs/simulate.md).</p>\n<table>\n<thead><tr>"
            "<th>measure</th>",
            a->agents, a->seed, r[0].days, r[0].weeks);
    for (int i = 0; i < n; i++) {
        fputs("<th>", out);
        html_esc(out, names[i]);
        fputs("</th>", out);
    }
    fputs("</tr></thead>\n<tbody>\n", out);
    for (int m = 0; m < FU_SIM_MEASURE_COUNT; m++) {
        int prop = is_prop(m);
        fprintf(out, "<tr class=\"m\" data-measure=\"%s\"><td>%s</td>", fu_simulation_measure_name(m),
                fu_simulation_measure_name(m));
        for (int i = 0; i < n; i++) {
            const fu_simulation_value *v = &r[i].measures[m];
            char buf[96];
            cell(buf, sizeof buf, v, prop);
            fprintf(out, "<td>%s", buf);
            if (prop && !isnan(v->value) && !isnan(v->ci_low))
                fprintf(out,
                        "<div class=\"bar\"><div class=\"ci\" style=\"left:%.1f%%;width:%.1f%%\"></div>"
                        "<div class=\"pt\" style=\"left:%.1f%%\"></div></div>",
                        100 * v->ci_low, 100 * (v->ci_high - v->ci_low), 100 * v->value);
            fprintf(out, "<small class=\"n\">n %.0f</small></td>", v->n);
        }
        fputs("</tr>\n", out);
    }
    for (int k = 0; k < NDETAIL; k++) {
        fprintf(out, "<tr class=\"d\" data-measure=\"%s\"><td>%s</td>", detail_names[k], detail_names[k]);
        for (int i = 0; i < n; i++) fprintf(out, "<td>%.0f</td>", detail_value(&d[i], k));
        fputs("</tr>\n", out);
    }
    fputs("</tbody></table>\n</body></html>\n", out);
    return ferror(out) ? CLI_INTERNAL : CLI_OK;
}

static int sensitivity(const sim_args *a, const fu_book *book, const fu_simulation_options *o, FILE *out) {
    unsigned int ag[MAX_GRID], ca[MAX_GRID];
    int na = parse_list(a->sens_agents, ag, MAX_GRID);
    int nca = a->sens_calls ? parse_list(a->sens_calls, ca, MAX_GRID) : 1;
    if (!a->sens_calls) ca[0] = a->calls;
    if (na <= 0 || nca <= 0) {
        fprintf(stderr, "followup simulate: --sensitivity-agents/--sensitivity-calls take lists like 1,2,3\n");
        return CLI_USAGE;
    }
    static const char *const hdr[] = {"agents", "calls_per_agent", "coverage", "coverage_low", "coverage_high",
                                      "timeliness", "timeliness_low", "timeliness_high", "urgent_timeliness",
                                      "calls_per_agent_day", "answer_rate", "contacts", "cap_held",
                                      "cap_held_missed", "capacity_held", "capacity_held_missed"};
    enum { NCOL = sizeof hdr / sizeof hdr[0] };
    cli_table *t = cli_table_new(NCOL, hdr);
    int rc = t ? CLI_OK : CLI_INTERNAL;
    const char *what = a->compare ? a->compare : "besttime";
    for (int i = 0; i < na && rc == CLI_OK; i++)
        for (int j = 0; j < nca && rc == CLI_OK; j++) {
            fu_simulation_report r;
            fu_simulation_details d;
            if (run_one(what, a, book, o, ag[i], ca[j], &r, &d)) {
                cli_table_free(t);
                return CLI_INPUT;
            }
            char c[NCOL][32];
            const fu_simulation_value *cv = &r.measures[FU_SIM_COVERAGE], *tv = &r.measures[FU_SIM_TIMELINESS];
            snprintf(c[0], 32, "%u", ag[i]);
            snprintf(c[1], 32, "%u", d.calls_per_agent); /* what the run used (the policy's when not given) */
            snprintf(c[2], 32, "%.4f", cv->value);
            snprintf(c[3], 32, "%.4f", cv->ci_low);
            snprintf(c[4], 32, "%.4f", cv->ci_high);
            snprintf(c[5], 32, "%.4f", tv->value);
            snprintf(c[6], 32, "%.4f", tv->ci_low);
            snprintf(c[7], 32, "%.4f", tv->ci_high);
            snprintf(c[8], 32, "%.4f", r.measures[FU_SIM_TIMELINESS_URGENT].value);
            snprintf(c[9], 32, "%.2f", r.measures[FU_SIM_CALLS_PER_AGENT_DAY].value);
            snprintf(c[10], 32, "%.4f", r.measures[FU_SIM_ANSWER_RATE].value);
            snprintf(c[11], 32, "%.0f", r.measures[FU_SIM_CONTACTS].value);
            snprintf(c[12], 32, "%zu", d.cap_held);
            snprintf(c[13], 32, "%zu", d.cap_held_missed);
            snprintf(c[14], 32, "%zu", d.capacity_held);
            snprintf(c[15], 32, "%zu", d.capacity_held_missed);
            const char *row[NCOL];
            for (int k = 0; k < NCOL; k++) row[k] = c[k];
            if (cli_table_add(t, row)) rc = CLI_INTERNAL;
        }
    if (rc == CLI_OK && cli_table_write(t, a->fmt, out, 0)) rc = CLI_INTERNAL;
    cli_table_free(t);
    return rc;
}

static int load(const sim_args *a, fu_book **book, fu_simulation_options *o, double **ap, double **wf) {
    fu_simulation_options_init(o);
    int rc = fu_book_new(book, NULL);
    if (rc == FU_OK) rc = fu_book_read_customers_csv(*book, a->customers);
    if (rc == FU_OK) rc = fu_book_read_events_csv(*book, a->events);
    if (rc == FU_OK && a->truth) rc = fu_simulation_read_truth(*book, a->truth, ap, wf);
    if (rc == FU_OK && (rc = fu_time_parse(a->from, strlen(a->from), &o->from)) == FU_OK)
        rc = fu_time_parse(a->to, strlen(a->to), &o->to);
    if (rc) {
        cli_error(NULL);
        return rc == FU_ENOMEM ? CLI_INTERNAL : CLI_INPUT;
    }
    o->seed = 0;
    o->answer_prob = *ap;
    o->weekend_factor = *wf;
    return CLI_OK;
}

/* The simulator's fatigue and answer model fitted on the whole book's contact
 * history (the environment may know it; the planner never sees it). */
static int fit_frequency(const fu_book *book, fu_frequency **m) {
    fu_frequency_attempt *att = NULL;
    size_t n = 0;
    fu_frequency_options fo;
    fu_frequency_options_init(&fo);
    fo.flags = FU_FREQUENCY_REFUSAL_NOT_NEGATIVE; /* the simulation draws complaints, not refusals */
    int rc = fu_frequency_attempts_from_book(&att, &n, book, NULL, &fo);
    if (rc == FU_OK) rc = fu_frequency_fit(m, att, n, NULL, NULL, 1, &fo);
    fu_free(att);
    if (rc) cli_error("--frequency fit");
    return rc == FU_OK ? CLI_OK : rc == FU_ENOMEM ? CLI_INTERNAL : CLI_INPUT;
}

int cli_simulate_compare(const simulate_args *args) {
    sim_args a;
    int exit_code = parse_args(args, &a);
    if (exit_code) return exit_code;
    fu_book *book = NULL;
    double *ap = NULL, *wf = NULL;
    fu_simulation_options o;
    fu_frequency *freq = NULL;
    cli_out out;
    int opened = 0;
    if ((exit_code = load(&a, &book, &o, &ap, &wf))) goto done;
    if (a.frequency && (exit_code = fit_frequency(book, &freq))) goto done;
    o.frequency = freq;
    o.seed = a.seed;
    if ((exit_code = cli_out_open(&out, a.output, "followup simulate"))) goto done;
    opened = 1;
    if (a.html && a.sens_agents) {
        fprintf(stderr, "followup simulate: --format html is for --compare, not the sensitivity table\n");
        exit_code = CLI_USAGE;
        goto done;
    }
    if (a.sens_agents) {
        exit_code = sensitivity(&a, book, &o, out.f);
        goto done;
    }
    char names[MAX_RUNS][256];
    fu_simulation_report r[MAX_RUNS];
    fu_simulation_details d[MAX_RUNS];
    int n = 0;
    for (const char *p = a.compare; p && *p && n < MAX_RUNS;) {
        size_t len = strcspn(p, ",");
        snprintf(names[n], sizeof names[n], "%.*s", (int)(len < 255 ? len : 255), p);
        if (run_one(names[n], &a, book, &o, a.agents, a.calls, &r[n], &d[n])) {
            exit_code = CLI_INPUT;
            goto done;
        }
        n++;
        p += len + (p[len] == ',');
    }
    exit_code = a.html ? write_compare_html(&a, names, r, d, n, out.f) : write_compare(&a, names, r, d, n, out.f);
done:
    if (opened) {
        int c = cli_out_close(&out, exit_code == CLI_OK, "followup simulate");
        if (c && !exit_code) exit_code = c;
    }
    fu_free(ap);
    fu_free(wf);
    fu_frequency_free(freq);
    fu_book_free(book);
    return exit_code;
}
