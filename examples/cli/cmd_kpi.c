/* followup kpi — placeholder until the module's engineer writes it. */
#include "cli.h"

static void help(FILE *out) { fprintf(out, "usage: followup kpi [options]\n\n(not implemented yet)\n"); }

static int run(int argc, char **argv) {
    (void)argc;
    (void)argv;
    fprintf(stderr, "followup kpi: not implemented yet\n");
    return CLI_INTERNAL;
}

const cli_command cli_cmd_kpi = {"kpi", "(not implemented yet)", run, help};
