#include "cli.h"

static void help(FILE *out) {
    fprintf(out, "usage: followup version\n\nPrint the library's and the tool's version.\n");
}

static int run(int argc, char **argv) {
    int ec = cli_parse_options("followup version", NULL, 0, argc, argv, 1, NULL, NULL, 0, NULL);
    if (ec) return ec;
    printf("followup %s (libfollowup %s, header %s)\n", FU_VERSION_STRING, fu_version(),
           FU_VERSION_STRING);
    return CLI_OK;
}

const cli_command cli_cmd_version = {"version", "print the version", run, help};
