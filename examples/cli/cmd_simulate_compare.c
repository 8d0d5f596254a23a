/* followup simulate [--compare baseline,policy[,besttime][,other.yaml]] and
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
    char names[MAX_RUNS][256]; /* the runs (--compare, default policy; sensitivity: besttime) */
    int nruns;
    char model[512]; /* the answer model, said in the report (review s9, D9) */
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

#define RUN_NAMES "baseline, policy, besttime, oracle or a policy YAML file"

static int is_arm(const char *w) {
    return strcmp(w, "baseline") == 0 || strcmp(w, "policy") == 0 || strcmp(w, "besttime") == 0 ||
           strcmp(w, "oracle") == 0;
}

/* --compare: names[n] of 1 to MAX_RUNS runs, each an arm or a readable
 * policy file, none empty or twice; the number of runs, or -1 after the
 * message (review s9, D10). */
static int parse_runs(const char *list, char names[][256]) {
    int n = 0;
    for (const char *p = list;; n++) {
        size_t len = strcspn(p, ",");
        if (n == MAX_RUNS) {
            fprintf(stderr, "followup simulate: --compare: at most %d runs\n", MAX_RUNS);
            return -1;
        }
        if (len == 0 || len > 255) {
            fprintf(stderr, "followup simulate: --compare '%s': run %d is %s (expected " RUN_NAMES ")\n", list,
                    n + 1, len ? "too long" : "empty");
            return -1;
        }
        snprintf(names[n], 256, "%.*s", (int)len, p);
        FILE *f = is_arm(names[n]) || strcmp(names[n], "builtin") == 0 ? NULL : fopen(names[n], "r");
        if (!is_arm(names[n]) && strcmp(names[n], "builtin") != 0 && !f) {
            fprintf(stderr, "followup simulate: --compare: '%s' is neither a run nor a readable policy file "
                            "(expected " RUN_NAMES ")\n", names[n]);
            return -1;
        }
        if (f) fclose(f);
        for (int i = 0; i < n; i++)
            if (strcmp(names[i], names[n]) == 0) {
                fprintf(stderr, "followup simulate: --compare: '%s' twice (each run once)\n", names[n]);
                return -1;
            }
        if (!p[len]) return n + 1;
        p += len + 1;
    }
}

/* The sensitivity table's one run: not the baseline, whose recorded contacts
 * do not depend on the team (every row would be the same). */
static int sensitivity_run_ok(const sim_args *a) {
    if (!a->sens_agents) {
        if (a->sens_calls) {
            fprintf(stderr, "followup simulate: --sensitivity-calls needs --sensitivity-agents (the table's "
                            "rows are team sizes, its columns calls per agent)\n");
            return 0;
        }
        return 1;
    }
    if (a->nruns > 1) {
        fprintf(stderr, "followup simulate: --sensitivity-agents takes one run (--compare NAME, default besttime), "
                        "not '%s'\n", a->compare);
        return 0;
    }
    if (a->nruns == 1 && strcmp(a->names[0], "baseline") == 0) {
        fprintf(stderr, "followup simulate: --sensitivity-agents: not for the baseline, whose recorded contacts "
                        "do not depend on the team (every row would be the same); expected policy, besttime, "
                        "oracle or a policy YAML file\n");
        return 0;
    }
    return 1;
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
        fprintf(stderr, "followup simulate: bad format '%s' (expected table, csv, json or html)\n", in->format);
        return CLI_USAGE;
    }
    if (in->seed && cli_simulate_number("--seed", in->seed, 0, ULLONG_MAX, &a->seed)) return CLI_USAGE;
    if (in->sens_agents && in->agents)
        return cli_usage("followup simulate: --agents does not apply with --sensitivity-agents (its list is the "
                         "team sizes)\n");
    if (in->sens_calls && in->calls_per_agent)
        return cli_usage("followup simulate: --calls-per-agent does not apply with --sensitivity-calls (its list is "
                         "the calls per agent)\n");
    if (cli_simulate_count("--agents", in->agents, 1, 999, &a->agents) ||
        cli_simulate_count("--calls-per-agent", in->calls_per_agent, 1, 100000, &a->calls))
        return CLI_USAGE;
    if (!a->customers || !a->events || !a->from || !a->to) {
        fprintf(stderr, "followup simulate: --customers, --events, --from and --to are required (see --help)\n");
        return CLI_USAGE;
    }
    if (a->compare && (a->nruns = parse_runs(a->compare, a->names)) < 0) return CLI_USAGE;
    if (!a->compare) { /* one simulation: the policy arm unless named */
        snprintf(a->names[0], sizeof a->names[0], "%s", a->sens_agents ? "besttime" : "policy");
        a->nruns = 1;
    }
    return sensitivity_run_ok(a) ? CLI_OK : CLI_USAGE;
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
    fu_simulation_details_init_v2(d);
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

/* The value tiers of the runs' timeliness by tier (fu_simulation_details
 * version 2), in the order first seen. */
typedef struct tierset {
    int n;
    char name[FU_SIMULATION_MAX_TIERS * 2][32];
} tierset;

static void tiers_of(const fu_simulation_details *d, int n, tierset *ts) {
    ts->n = 0;
    for (int i = 0; i < n; i++)
        for (size_t t = 0; t < d[i].n_tiers; t++) {
            int k = 0;
            while (k < ts->n && strcmp(ts->name[k], d[i].tier_name[t]) != 0) k++;
            if (k == ts->n && ts->n < FU_SIMULATION_MAX_TIERS * 2)
                snprintf(ts->name[ts->n++], sizeof ts->name[0], "%s", d[i].tier_name[t]);
        }
}

/* The rows in order: the measures up to response_timeliness_urgent, then
 * response timeliness by tier (response_timeliness_vip, ...), the other
 * measures, the details. Row k: its name in buf, its value (NULL for a
 * detail: *detail its index), *m the measure (-1 for a tier row). */
static const fu_simulation_value *row_at(int k, const tierset *ts, const fu_simulation_report *r,
                                         const fu_simulation_details *d, char *buf, size_t size, int *m,
                                         int *detail) {
    static const fu_simulation_value none = {NAN, NAN, NAN, 0, NAN};
    int first = FU_SIM_TIMELINESS_URGENT + 1;
    *m = -1, *detail = -1;
    if (k < first || (k >= first + ts->n && k < FU_SIM_MEASURE_COUNT + ts->n)) {
        *m = k < first ? k : k - ts->n;
        snprintf(buf, size, "%s", fu_simulation_measure_name(*m));
        return &r->measures[*m];
    }
    if (k >= FU_SIM_MEASURE_COUNT + ts->n) {
        *detail = k - FU_SIM_MEASURE_COUNT - ts->n;
        snprintf(buf, size, "%s", detail_names[*detail]);
        return NULL;
    }
    const char *tier = ts->name[k - first];
    snprintf(buf, size, "response_timeliness_%s", tier);
    for (size_t t = 0; t < d->n_tiers; t++)
        if (strcmp(d->tier_name[t], tier) == 0) return &d->timeliness_tier[t];
    return &none;
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
    tierset ts;
    tiers_of(d, n, &ts);
    int rc = CLI_OK;
    char cells[MAX_RUNS * 4][96], name[64];
    for (int k = 0; k < FU_SIM_MEASURE_COUNT + ts.n + NDETAIL && rc == CLI_OK; k++) {
        const char *row[1 + MAX_RUNS * 4];
        row[0] = name;
        for (int i = 0; i < n; i++) {
            int m, det;
            const fu_simulation_value *v = row_at(k, &ts, &r[i], &d[i], name, sizeof name, &m, &det);
            int prop = m < 0 || is_prop(m);
            char *c = cells[i * per];
            if (!v) { /* a count: no interval, no units */
                snprintf(c, 96, "%.0f", detail_value(&d[i], det));
                for (int j = 1; j < per; j++) cells[i * per + j][0] = 0;
                continue;
            }
            if (machine) {
                num(c, 96, v->value);
                num(cells[i * per + 1], 96, prop ? v->ci_low : NAN);
                num(cells[i * per + 2], 96, prop ? v->ci_high : NAN);
            } else {
                cell(c, 96, v, prop);
            }
            snprintf(cells[i * per + per - 1], 96, "%.0f", v->n);
        }
        for (size_t j = 1; j < ncols; j++) row[j] = cells[j - 1];
        if (cli_table_add(t, row)) rc = CLI_INTERNAL;
    }
    if (rc == CLI_OK) rc = cli_table_write(t, a->fmt, out, 0);
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
            "pooled. Intervals: Wilson at the policy's level (docs/simulate.md).</p>\n<p class=\"model\">"
            "Answer model: ",
            a->agents, a->seed, r[0].days, r[0].weeks);
    html_esc(out, a->model);
    fputs("</p>\n<table>\n<thead><tr><th>measure</th>", out);
    for (int i = 0; i < n; i++) {
        fputs("<th>", out);
        html_esc(out, names[i]);
        fputs("</th>", out);
    }
    fputs("</tr></thead>\n<tbody>\n", out);
    tierset ts;
    tiers_of(d, n, &ts);
    char name[64];
    for (int k = 0; k < FU_SIM_MEASURE_COUNT + ts.n + NDETAIL; k++) {
        int m, det;
        (void)row_at(k, &ts, &r[0], &d[0], name, sizeof name, &m, &det);
        fprintf(out, "<tr class=\"%s\" data-measure=\"%s\"><td>%s</td>", det >= 0 ? "d" : "m", name, name);
        for (int i = 0; i < n; i++) {
            const fu_simulation_value *v = row_at(k, &ts, &r[i], &d[i], name, sizeof name, &m, &det);
            int prop = m < 0 || is_prop(m);
            char buf[96];
            if (!v) {
                fprintf(out, "<td>%.0f</td>", detail_value(&d[i], det));
                continue;
            }
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
    /* every column a number in JSON ("nan": null) */
    int rc = t && !cli_table_set_types(t, "nnnnnnnnnnnnnnnn") ? CLI_OK : CLI_INTERNAL;
    const char *what = a->names[0];
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
    if (rc == CLI_OK) rc = cli_table_write(t, a->fmt, out, 0);
    cli_table_free(t);
    return rc;
}

static int load(const sim_args *a, fu_book **book, fu_simulation_options *o, double **ap, double **wf) {
    fu_simulation_options_init(o);
    int rc = fu_book_new(book, NULL);
    if (rc == FU_OK) rc = fu_book_read_customers_csv(*book, a->customers);
    if (rc == FU_OK) rc = fu_book_read_events_csv(*book, a->events);
    if (rc == FU_OK && a->truth) rc = fu_simulation_read_truth(*book, a->truth, ap, wf);
    const char *ctx = NULL; /* the option whose time is bad */
    if (rc == FU_OK && (rc = fu_time_parse(a->from, strlen(a->from), &o->from)) != FU_OK) ctx = "--from";
    if (rc == FU_OK && (rc = fu_time_parse(a->to, strlen(a->to), &o->to)) != FU_OK) ctx = "--to";
    if (rc == FU_OK && o->to <= o->from) {
        fprintf(stderr, "followup simulate: --to must be after --from\n");
        return CLI_USAGE;
    }
    if (rc == FU_OK && o->to - o->from > 400 * INT64_C(86400)) {
        fprintf(stderr, "followup simulate: --from to --to: at most 400 days\n");
        return CLI_USAGE;
    }
    if (rc) {
        cli_error(ctx);
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

/* Which answer model the runs draw from, in words for the report. */
static void answer_model(const sim_args *a, size_t customers, char *buf, size_t size) {
    if (a->frequency)
        snprintf(buf, size, "answers and complaints drawn from the contact-frequency model fitted on the book%s",
                 a->truth ? ", scaled by the hour profile of --truth" : " (no --truth: a flat hour profile)");
    else if (a->truth)
        snprintf(buf, size, "ground truth %s (%zu customers, by local hour and weekend)", a->truth, customers);
    else
        snprintf(buf, size, "no --truth: every call is answered with probability 0.55 at every hour (flat; a "
                            "best-time model has nothing to learn)");
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
    if (a.html && a.sens_agents) {
        fprintf(stderr, "followup simulate: --format html is for --compare, not the sensitivity table\n");
        exit_code = CLI_USAGE;
        goto done;
    }
    if ((exit_code = cli_out_open(&out, a.output, "followup simulate"))) goto done;
    opened = 1;
    answer_model(&a, fu_book_customer_count(book), a.model, sizeof a.model);
    if (a.sens_agents) {
        exit_code = sensitivity(&a, book, &o, out.f);
        goto done;
    }
    fu_simulation_report r[MAX_RUNS];
    fu_simulation_details d[MAX_RUNS];
    for (int i = 0; i < a.nruns; i++)
        if (run_one(a.names[i], &a, book, &o, a.agents, a.calls, &r[i], &d[i])) {
            exit_code = CLI_INPUT;
            goto done;
        }
    exit_code = a.html ? write_compare_html(&a, a.names, r, d, a.nruns, out.f)
                       : write_compare(&a, a.names, r, d, a.nruns, out.f);
    if (exit_code == CLI_OK && a.fmt == CLI_FORMAT_TABLE && !a.html) fprintf(out.f, "\nanswer model: %s\n", a.model);
    else if (exit_code == CLI_OK && !a.html) fprintf(stderr, "followup simulate: answer model: %s\n", a.model);
    for (int i = 0; i < a.nruns && exit_code == CLI_OK; i++)
        if (strcmp(a.names[i], "baseline") != 0 && r[i].measures[FU_SIM_CAP_VIOLATIONS].value > 0) {
            fprintf(stderr, "followup simulate: run '%s' broke a cap %.0f times (cap_violations)\n", a.names[i],
                    r[i].measures[FU_SIM_CAP_VIOLATIONS].value);
            exit_code = CLI_FAIL;
        }
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
