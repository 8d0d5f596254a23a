/* followup commitments — placeholder until the module's engineer writes it. */
#include "cli.h"

static void help(FILE *out) { fprintf(out, "usage: followup commitments [options]\n\n(not implemented yet)\n"); }

static int run(int argc, char **argv) {
    (void)argc;
    (void)argv;
    fprintf(stderr, "followup commitments: not implemented yet\n");
    return CLI_INTERNAL;
}

const cli_command cli_cmd_commitments = {"commitments", "(not implemented yet)", run, help};
