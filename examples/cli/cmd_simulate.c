/* followup simulate — replay an event history under one or two policies (fu_planner_simulate). */
#include "cli.h"
#include "cmd_simulate.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* One option table for both modes: the replay of one or two policies
 * (fu_planner_simulate, here) and the decision-quality runs (--compare LIST,
 * --sensitivity-agents: cmd_simulate_compare.c). */
#define O(name, arg, help, member) CLI_OPT(name, arg, help, simulate_args, member)
static const cli_option k_options[] = {
    O("--policy", "FILE", "policy (default: the built-in policy)", policy),
    O("--compare", "FILE|LIST",
      "a second policy to compare with ('builtin' for the built-in one);\n"
      "a LIST of runs (decision quality, above): baseline, policy,\n"
      "besttime, policy YAML files (run with the best-time model),\n"
      "oracle (evaluation only: hours ranked by --truth, the ceiling)",
      compare),
    O("--customers", "CSV", "customers, required", customers),
    O("--events", "CSV",
      "event history, required (contact events in it are ignored:\n"
      "the policy under test decides the contacts)",
      events),
    O("--from", "ISO-TIME", "start of the replay, required", from),
    O("--to", "ISO-TIME", "end of the replay (exclusive), required", to),
    O("--step", "DURATION",
      "planning step, wall time (default: 1d); an event is seen from\n"
      "the next step on, so SLA attainment needs steps no longer\n"
      "than the response times (--step 1h for the 2 h / 24 h SLAs)",
      step),
    O("--agents", "N", "agents on duty per day (default: capacity not limited; LIST: 3)", agents),
    O("--calls-per-agent", "N", "calls one agent makes a day (default: policy maximum)", calls_per_agent),
    O("--days", "FILE",
      "also write the per-day load (date, contacts, agent contacts,\n"
      "capacity, suppressed, deferred) there",
      days),
    O("--truth", "CSV", "LIST: per-customer answer probabilities by hour, hidden from the planner", truth),
    O("--seed", "N", "LIST: seed of the draws (default: 2026)", seed),
    O("--frequency", "fit",
      "LIST: draw answers and complaints from a contact-frequency model\n"
      "fitted on the book's contact history (docs/frequency.md)",
      frequency),
    O("--sensitivity-agents", "LIST",
      "coverage, timeliness, contacts and the due contacts the caps\n"
      "and the capacity held, for each team size, e.g. 1,2,4 (run:\n"
      "--compare NAME, default besttime)",
      sens_agents),
    O("--sensitivity-calls", "LIST", "with --sensitivity-agents: calls per agent a day, e.g. 20,40", sens_calls),
    O("--format", "F", "table, csv or json (default: table); LIST: also html", format),
    O("--output", "FILE", "write the report there instead of stdout", output),
};
#undef O
#define N_OPTIONS (sizeof k_options / sizeof k_options[0])

static void help(FILE *out) {
    fprintf(out,
            "usage: followup simulate --customers CSV --events CSV --from ISO-TIME --to ISO-TIME [options]\n"
            "\n"
            "Replay the event history step by step under a policy: at each step the\n"
            "planner plans the next step with the events so far and the planned\n"
            "contacts are made. Reports coverage, contacts per customer per window,\n"
            "cap violations (must be 0), SLA attainment and agent load per day.\n"
            "SLA attainment: of the faults, complaints, inquiries and urgent repairs in\n"
            "the span whose deadline (shorter of sla.response by severity and\n"
            "sla.tier_response by tier) is in the span, the share whose first contact\n"
            "made at or after the issue came by the deadline (docs/planner.md).\n"
            "With --compare FILE the same history is replayed under a second policy and\n"
            "both columns are shown side by side.\n"
            "\n"
            "Decision quality (docs/simulate.md): with --compare LIST (or\n"
            "--sensitivity-agents) each run replays [--from, --to) with the team\n"
            "(--agents x --calls-per-agent), answers drawn from --truth, and prints\n"
            "every KPI of the KPI engine with its 95%% interval; CSV and JSON give per\n"
            "run its value, interval (_lo, _hi) and units (_n) as separate fields,\n"
            "--format html a self-contained page; after the KPIs, the calls per agent\n"
            "the run used and the due contacts its plans held by a cap or by the\n"
            "team's capacity (cap_held, capacity_held; _missed: never reached in\n"
            "their window). Options marked LIST are for these runs only; --step and\n"
            "--days are not.\n"
            "\n"
            "options:\n");
    cli_print_options(out, k_options, N_OPTIONS, 26);
    fprintf(out, "\nExit codes: 0 ok (1 when a cap was broken), 2 usage, 3 bad input, 4 internal.\n");
}

static double elapsed(const struct timespec *t0) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) * 1e-9;
}

typedef struct progress_state {
    struct timespec start;
    const char *label;
    int shown;
} progress_state;

static void on_progress(void *ud, size_t done, size_t total) {
    progress_state *p = ud;
    if (!cli_progress_enabled()) return; /* progress is for a terminal, not a log */
    if (elapsed(&p->start) < 1.0 && done < total) return;
    if (!p->shown && done == total) return;
    fprintf(stderr, "\rfollowup simulate: %s: step %zu / %zu", p->label, done, total);
    if (done == total) fputc('\n', stderr);
    p->shown = 1;
}

static int load_policy(const char *path, fu_policy **out) {
    if (!path || strcmp(path, "builtin") == 0) return fu_policy_default(out);
    return fu_policy_load_file(out, path, NULL);
}

static int simulate(const char *path, const fu_book *book, const fu_planner_options *po, int64_t from, int64_t to,
                    int64_t step, fu_sim_report **out) {
    fu_policy *policy = NULL;
    fu_planner *pl = NULL;
    int rc = load_policy(path, &policy);
    if (rc) {
        cli_error(path ? path : "policy");
        return rc;
    }
    progress_state ps;
    memset(&ps, 0, sizeof ps);
    clock_gettime(CLOCK_MONOTONIC, &ps.start);
    ps.label = path ? path : "builtin";
    fu_sim_options so = FU_SIM_OPTIONS_INIT;
    so.step = step;
    so.progress = on_progress;
    so.progress_ud = &ps;
    if ((rc = fu_planner_new(&pl, policy, book, po)) || (rc = fu_planner_simulate(pl, from, to, &so, out)))
        cli_error("simulate");
    fu_planner_free(pl);
    fu_policy_free(policy);
    return rc;
}

static void add_row(cli_table *t, int ncols, const char *name, const char *a, const char *b, int *oom) {
    const char *cells[3] = {name, a, b};
    (void)ncols;
    if (cli_table_add(t, cells) != 0) *oom = 1;
}

#define NUM(buf, fmt, v) (snprintf(buf, sizeof buf, fmt, v), buf)

static int write_report(const fu_sim_report *r[2], const char *names[2], int n, cli_format fmt, FILE *out) {
    const char *hdr[3] = {"metric", names[0], n > 1 ? names[1] : ""};
    cli_table *t = cli_table_new((size_t)(n + 1), hdr);
    if (!t || cli_table_set_types(t, n > 1 ? "snn" : "sn")) {
        cli_table_free(t);
        return CLI_INTERNAL;
    }
    int oom = 0;
    char a[64], b[64];
#define ROW(label, f, field)                                                   \
    add_row(t, n + 1, label, NUM(a, f, r[0]->field), n > 1 ? NUM(b, f, r[1]->field) : "", &oom)
    ROW("steps", "%zu", steps);
    ROW("customers", "%zu", customers);
    ROW("customers_due", "%zu", customers_due);
    ROW("customers_contacted", "%zu", customers_contacted);
    ROW("coverage", "%.4f", coverage);
    ROW("contacts", "%zu", contacts);
    ROW("suppressed", "%zu", suppressed);
    ROW("deferred", "%zu", deferred);
    ROW("contacts_per_customer_30d", "%.3f", contacts_per_customer_30d);
    ROW("max_contacts_72h", "%u", max_contacts_72h);
    ROW("max_contacts_7d", "%u", max_contacts_7d);
    ROW("max_contacts_30d", "%u", max_contacts_30d);
    ROW("cap_violations", "%zu", cap_violations);
    ROW("sla_due", "%zu", sla_due);
    ROW("sla_met", "%zu", sla_met);
    ROW("sla_attainment", "%.4f", sla_attainment);
    ROW("mean_agent_load_per_day", "%.1f", mean_agent_load);
    ROW("max_agent_load_per_day", "%zu", max_agent_load);
#undef ROW
    if (!oom && cli_table_write(t, fmt, out, 0)) oom = 1; /* or a write error: cli_out_close() says which */
    cli_table_free(t);
    return oom ? CLI_INTERNAL : CLI_OK;
}

static int write_days(const fu_sim_report *r[2], const char *names[2], int n, cli_format fmt, const char *path) {
    cli_out o;
    int oc = cli_out_open(&o, path, "followup simulate");
    if (oc) return oc;
    static const char *const hdr[] = {"policy", "date", "contacts", "agent_contacts", "capacity", "suppressed",
                                      "deferred"};
    cli_table *t = cli_table_new(7, hdr);
    int rc = t && !cli_table_set_types(t, "ssnnnnn") ? CLI_OK : CLI_INTERNAL;
    for (int p = 0; p < n && rc == CLI_OK; p++)
        for (size_t d = 0; d < r[p]->n_days && rc == CLI_OK; d++) {
            const fu_sim_day *day = &r[p]->days[d];
            char date[FU_TIME_TEXT_SIZE], c1[32], c2[32], c3[32], c4[32], c5[32];
            if (fu_time_format(day->start, 0, FU_TIME_FORMAT_Z, date, sizeof date)) strcpy(date, "?");
            snprintf(c1, sizeof c1, "%zu", day->contacts);
            snprintf(c2, sizeof c2, "%zu", day->agent_contacts);
            snprintf(c3, sizeof c3, "%zu", day->capacity);
            snprintf(c4, sizeof c4, "%zu", day->suppressed);
            snprintf(c5, sizeof c5, "%zu", day->deferred);
            const char *cells[] = {names[p], date, c1, c2, c3, c4, c5};
            if (cli_table_add(t, cells)) rc = CLI_INTERNAL;
        }
    if (rc == CLI_OK && cli_table_write(t, fmt, o.f, 0)) rc = CLI_INTERNAL;
    cli_table_free(t);
    oc = cli_out_close(&o, rc == CLI_OK, "followup simulate");
    if (oc) return oc;
    if (rc) fprintf(stderr, "followup simulate: out of memory\n");
    return rc;
}

int cli_simulate_count(const char *opt, const char *value, unsigned int *out) {
    unsigned long long n;
    if (!value) return 0;
    if (cli_parse_ull("followup simulate", opt, value, 0, UINT_MAX, &n)) return 1;
    *out = (unsigned int)n;
    return 0;
}

/* --compare names a LIST of runs (a comma, or baseline / policy / besttime),
 * or --sensitivity-agents: the decision-quality runs. */
static int is_decision_run(const simulate_args *a) {
    const char *v = a->compare;
    if (a->sens_agents) return 1;
    return v && (strchr(v, ',') || strcmp(v, "baseline") == 0 || strcmp(v, "policy") == 0 ||
                 strcmp(v, "besttime") == 0 || strcmp(v, "oracle") == 0);
}

/* An option of the other mode: a usage error, not silently ignored. */
static int wrong_mode(const simulate_args *a) {
    const char *list_only[] = {a->truth, a->seed, a->frequency, a->sens_calls}, *replay_only[] = {a->step, a->days};
    static const char *const list_names[] = {"--truth", "--seed", "--frequency", "--sensitivity-calls"};
    static const char *const replay_names[] = {"--step", "--days"};
    int decision = is_decision_run(a);
    for (int i = 0; i < 4 && !decision; i++)
        if (list_only[i]) {
            fprintf(stderr, "followup simulate: %s is for --compare LIST or --sensitivity-agents (see --help)\n",
                    list_names[i]);
            return 1;
        }
    for (int i = 0; i < 2 && decision; i++)
        if (replay_only[i]) {
            fprintf(stderr, "followup simulate: %s is not for --compare LIST or --sensitivity-agents (see --help)\n",
                    replay_names[i]);
            return 1;
        }
    return 0;
}

static int run(int argc, char **argv) {
    simulate_args args;
    memset(&args, 0, sizeof args);
    int ec = cli_parse_options("followup simulate", k_options, N_OPTIONS, argc, argv, 1, &args, NULL, 0, NULL);
    if (ec) return ec;
    if (wrong_mode(&args)) return CLI_USAGE;
    if (is_decision_run(&args)) return cli_simulate_compare(&args);
    const char *policy = args.policy, *compare = args.compare, *customers = args.customers, *events = args.events;
    const char *from_text = args.from, *to_text = args.to, *step_text = args.step ? args.step : "1d";
    const char *days = args.days, *output = args.output;
    cli_format fmt = CLI_FORMAT_TABLE;
    fu_planner_options po = FU_PLANNER_OPTIONS_INIT;
    if (args.format && cli_format_parse(args.format, &fmt)) {
        fprintf(stderr, "followup simulate: bad format '%s'\n", args.format);
        return CLI_USAGE;
    }
    if (cli_simulate_count("--agents", args.agents, &po.agents) ||
        cli_simulate_count("--calls-per-agent", args.calls_per_agent, &po.calls_per_agent))
        return CLI_USAGE;
    if (!customers || !events || !from_text || !to_text) {
        fprintf(stderr, "followup simulate: --customers, --events, --from and --to are required (see --help)\n");
        return CLI_USAGE;
    }
    int64_t from, to;
    if (fu_time_parse(from_text, strlen(from_text), &from)) {
        cli_error("--from");
        return CLI_USAGE;
    }
    if (fu_time_parse(to_text, strlen(to_text), &to)) {
        cli_error("--to");
        return CLI_USAGE;
    }
    if (to <= from) {
        fprintf(stderr, "followup simulate: --to must be after --from\n");
        return CLI_USAGE;
    }
    fu_duration sd;
    if (fu_duration_parse(step_text, strlen(step_text), &sd) || sd.unit != FU_DURATION_SECONDS || sd.value <= 0) {
        fprintf(stderr, "followup simulate: --step must be a positive wall-time duration (1d, 6h)\n");
        return CLI_USAGE;
    }
    fu_book *book = NULL;
    fu_sim_report *r[2] = {NULL, NULL};
    int exit_code = CLI_OK, rc;
    if ((rc = fu_book_new(&book, NULL)) || (rc = fu_book_read_customers_csv(book, customers)) ||
        (rc = fu_book_read_events_csv(book, events))) {
        cli_error(NULL);
        exit_code = rc == FU_ENOMEM ? CLI_INTERNAL : CLI_INPUT;
        goto done;
    }
    int n = compare ? 2 : 1;
    const char *names[2] = {policy ? policy : "builtin", compare ? compare : ""};
    for (int p = 0; p < n; p++)
        if ((rc = simulate(p ? compare : policy, book, &po, from, to, sd.value, &r[p]))) {
            exit_code = rc == FU_ENOMEM ? CLI_INTERNAL : rc == FU_EINVAL || rc == FU_ELIMIT ? CLI_USAGE : CLI_INPUT;
            goto done;
        }
    cli_out out;
    if ((exit_code = cli_out_open(&out, output, "followup simulate"))) goto done;
    const fu_sim_report *cr[2] = {r[0], r[1]};
    exit_code = write_report(cr, names, n, fmt, out.f);
    int close_code = cli_out_close(&out, exit_code == CLI_OK, "followup simulate");
    if (close_code) exit_code = close_code;
    if (exit_code == CLI_OK && days) exit_code = write_days(cr, names, n, fmt, days);
    if (exit_code == CLI_OK && sd.value > 3600 && (r[0]->sla_due || (r[1] && r[1]->sla_due)))
        fprintf(stderr,
                "followup simulate: note: with --step %s an issue is first seen at the next step, so SLA attainment "
                "is understated for response times shorter than the step; use --step 1h\n",
                step_text);
    if (exit_code == CLI_OK && (r[0]->cap_violations || (r[1] && r[1]->cap_violations))) {
        fprintf(stderr, "followup simulate: caps were broken (KPI over_contact, which counts every contact as of "
                        "normal priority: docs/kpi.md)\n");
        exit_code = CLI_FAIL;
    }
done:
    fu_sim_report_free(r[0]);
    fu_sim_report_free(r[1]);
    fu_book_free(book);
    return exit_code;
}

const cli_command cli_cmd_simulate = {"simulate", "replay a history under policies and compare them", run, help};
