/* followup simulate — the decision-quality simulation (followup/simulate.h,
 * docs/simulate.md): one simulation behind every face of the command. */
#include "cli.h"
#include "cmd_simulate.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* Without --compare the command runs the policy arm alone (`--compare
 * policy`); the runs themselves are cmd_simulate_compare.c. */
#define O(name, arg, help, member) CLI_OPT(name, arg, help, simulate_args, member)
static const cli_option k_options[] = {
    O("--policy", "FILE", "policy (default: the built-in policy)", policy),
    O("--compare", "LIST",
      "the runs, side by side (default: policy): baseline (the recorded\n"
      "contacts), policy (first allowed hour), besttime (the best-time\n"
      "model), policy YAML files (run with the best-time model), oracle\n"
      "(evaluation only: hours ranked by --truth, the ceiling)",
      compare),
    O("--customers", "CSV", "customers, required", customers),
    O("--events", "CSV",
      "event history, required (in the span, the recorded contacts are\n"
      "the baseline's; the plan runs make their own)",
      events),
    O("--from", "ISO-TIME", "start of the span, required", from),
    O("--to", "ISO-TIME", "end of the span (exclusive), required", to),
    O("--agents", "N", "agents on duty each open day, 1 to 999 (default: 3)", agents),
    O("--calls-per-agent", "N",
      "calls one agent makes a day, 1 to 100000 (default: the policy's\n"
      "capacity.calls_per_agent_day.max)",
      calls_per_agent),
    O("--truth", "CSV",
      "per-customer answer probabilities by hour, hidden from the planner;\n"
      "one row per customer of the book (default: 0.55 at every hour)",
      truth),
    O("--seed", "N", "seed of the draws, 0 to 2^64-1 (default: 2026)", seed),
    O("--frequency", "fit",
      "draw answers and complaints from a contact-frequency model\n"
      "fitted on the book's contact history (docs/frequency.md)",
      frequency),
    O("--sensitivity-agents", "LIST",
      "coverage, timeliness, contacts and the due contacts the caps\n"
      "and the capacity held, for each team size, e.g. 1,2,4 (one run:\n"
      "--compare NAME, default besttime; not baseline)",
      sens_agents),
    O("--sensitivity-calls", "LIST", "with --sensitivity-agents: calls per agent a day, e.g. 20,40", sens_calls),
    O("--step", "DURATION", "refused: the old replay's option (docs/simulate.md, \"One simulation\")", step),
    O("--days", "FILE", "refused: the old replay's option (docs/simulate.md, \"One simulation\")", days),
    O("--format", "F", "table, csv, json or html (default: table)", format),
    O("--output", "FILE", "write the report there instead of stdout", output),
};
#undef O
#define N_OPTIONS (sizeof k_options / sizeof k_options[0])

static void help(FILE *out) {
    fprintf(out,
            "usage: followup simulate --customers CSV --events CSV --from ISO-TIME --to ISO-TIME [options]\n"
            "\n"
            "Decision quality (docs/simulate.md): replay [--from, --to) with the team\n"
            "(--agents x --calls-per-agent, working the team calendar's hours):\n"
            "every open day the planner plans the day, the day's events and the\n"
            "complaints the run's calls cause are fed to it hour by hour, calls\n"
            "are answered as drawn from --truth and may cause fatigue complaints.\n"
            "Prints per run (--compare LIST, default policy) the measures with\n"
            "their 95%% interval: strict coverage, response timeliness (all,\n"
            "urgent, by value tier), over-contact, cap violations, follow-up\n"
            "complaints, answer rate, calls per agent-day, off-hours calls, CSAT,\n"
            "contacts, promises kept; then the calls per agent the run used and\n"
            "the due contacts its plans held by a cap or by the team's capacity\n"
            "(cap_held, capacity_held; _missed: never reached in their window).\n"
            "CSV and JSON give per run its value, interval (_lo, _hi) and units\n"
            "(_n); --format html a self-contained page. The report names the\n"
            "answer model it used.\n"
            "An event naming a customer not in --customers fails the command (exit 3,\n"
            "unknown customer): a run plans in each customer's zone and --truth has one\n"
            "row per customer of the book, so every customer is listed in --customers.\n"
            "\n"
            "options:\n");
    cli_print_options(out, k_options, N_OPTIONS, 26);
    fprintf(out, "\nExit codes: 0 ok (1 when a plan run broke a cap), 2 usage, 3 bad input, 4 internal.\n");
}

int cli_simulate_number(const char *opt, const char *value, unsigned long long lo, unsigned long long hi,
                        unsigned long long *out) {
    char *end = NULL;
    unsigned long long v = value && *value && !strchr(value, '-') ? strtoull(value, &end, 10) : 0;
    if (!end || *end || v < lo || v > hi) {
        fprintf(stderr, "followup simulate: %s: bad number '%s' (expected a whole number %llu to %llu)\n", opt,
                value ? value : "", lo, hi);
        return 1;
    }
    *out = v;
    return 0;
}

int cli_simulate_count(const char *opt, const char *value, unsigned int lo, unsigned int hi, unsigned int *out) {
    unsigned long long n;
    if (!value) return 0;
    if (cli_simulate_number(opt, value, lo, hi, &n)) return 1;
    *out = (unsigned int)n;
    return 0;
}

/* --output against the inputs, the policy files of --compare included
 * (cli_check_outputs()). */
static int check_outputs(const simulate_args *a) {
    enum { MAX_INPUTS = 36 };
    cli_path ins[MAX_INPUTS] = {{"--policy", a->policy}, {"--customers", a->customers}, {"--events", a->events},
                                {"--truth", a->truth}};
    size_t n = 4;
    char *list = a->compare ? strdup(a->compare) : NULL, *save = NULL;
    for (char *item = list ? strtok_r(list, ",", &save) : NULL; item && n < MAX_INPUTS;
         item = strtok_r(NULL, ",", &save))
        ins[n++] = (cli_path){"--compare", item};
    const cli_path outs[] = {{"--output", a->output}};
    int ec = cli_check_outputs("followup simulate", outs, 1, ins, n);
    free(list);
    return ec;
}

static int run(int argc, char **argv) {
    simulate_args args;
    memset(&args, 0, sizeof args);
    int ec = cli_parse_options("followup simulate", k_options, N_OPTIONS, argc, argv, 1, &args, NULL, 0, NULL);
    if (ec) return ec;
    if ((ec = check_outputs(&args))) return ec;
    if (args.step || args.days) {
        fprintf(stderr,
                "followup simulate: %s: no longer accepted: `followup simulate` runs the decision-quality "
                "simulation, which plans every open day and feeds events hour by hour; the old replay that took "
                "--step and --days is fu_planner_simulate() (C, Python), a capacity preview (docs/simulate.md, "
                "\"One simulation\")\n",
                args.step ? "--step" : "--days");
        return CLI_USAGE;
    }
    return cli_simulate_compare(&args);
}

const cli_command cli_cmd_simulate = {"simulate", "simulate a policy with a team and compare runs", run, help};
