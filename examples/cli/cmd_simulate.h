/* followup simulate: the options, parsed by cmd_simulate.c against its option
 * table; the runs (--compare LIST, --sensitivity-agents) are cmd_simulate_compare.c. */
#ifndef FU_CLI_CMD_SIMULATE_H
#define FU_CLI_CMD_SIMULATE_H

typedef struct simulate_args {
    const char *policy, *compare, *customers, *events, *truth, *from, *to, *step, *agents, *calls_per_agent, *seed;
    const char *frequency, *sens_agents, *sens_calls, *days, *format, *output;
} simulate_args;

/* A whole number option in [lo, hi] (no sign): 0, or 1 after the message
 * "followup simulate: OPT: bad number 'V' (expected a whole number LO to HI)". */
int cli_simulate_number(const char *opt, const char *value, unsigned long long lo, unsigned long long hi,
                        unsigned long long *out);

/* cli_simulate_number() for an unsigned int (NULL value: *out unchanged). */
int cli_simulate_count(const char *opt, const char *value, unsigned int lo, unsigned int hi, unsigned int *out);

/* The runs (--compare LIST, default policy) or the sensitivity table: a CLI exit code. */
int cli_simulate_compare(const simulate_args *args);

#endif
