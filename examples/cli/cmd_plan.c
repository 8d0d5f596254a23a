/* followup plan — placeholder until the module's engineer writes it. */
#include "cli.h"

static void help(FILE *out) { fprintf(out, "usage: followup plan [options]\n\n(not implemented yet)\n"); }

static int run(int argc, char **argv) {
    (void)argc;
    (void)argv;
    fprintf(stderr, "followup plan: not implemented yet\n");
    return CLI_INTERNAL;
}

const cli_command cli_cmd_plan = {"plan", "(not implemented yet)", run, help};
