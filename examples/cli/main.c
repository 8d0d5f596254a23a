/* followup — the command line tool of libfollowup. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

extern const cli_command cli_cmd_frequency;

static const cli_command *const commands[] = {
    &cli_cmd_plan,        &cli_cmd_simulate, &cli_cmd_segment,      &cli_cmd_besttime,
    &cli_cmd_commitments, &cli_cmd_kpi,      &cli_cmd_check_policy, &cli_cmd_version,
    &cli_cmd_frequency,
    &cli_cmd_guard,
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *out) {
    fprintf(out,
            "usage: followup <command> [options]\n"
            "\n"
            "After-sales customer follow-up: plans, segments, best time to call,\n"
            "commitments and KPIs under a follow-up policy.\n"
            "\n"
            "commands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(out, "  %-14s %s\n", commands[i]->name, commands[i]->summary);
    fprintf(out,
            "\n"
            "Run 'followup <command> --help' for a command's options.\n"
            "\n"
            "Global option (anywhere after the command): --csv-raw writes CSV text\n"
            "cells as they are; by default a cell starting with = + - @ tab or CR\n"
            "(other than a plain number) is written as \"'...\" so that spreadsheets\n"
            "do not run it as a formula (docs/formats.md).\n"
            "Files given to --output (and the like) are replaced only when complete.\n"
            "Exit codes: 0 success, 1 the check found problems, 2 usage error,\n"
            "3 bad input, 4 internal error.\n");
}

int main(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return CLI_USAGE;
    }
    if (cli_is_help(argv[1]) || strcmp(argv[1], "help") == 0) {
        if (argc > 2) {
            for (size_t i = 0; i < NCOMMANDS; i++)
                if (strcmp(argv[2], commands[i]->name) == 0) {
                    commands[i]->help(stdout);
                    return CLI_OK;
                }
        }
        usage(stdout);
        return CLI_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("followup %s\n", fu_version());
        return CLI_OK;
    }
    /* the global --csv-raw: taken out before the command parses its options */
    int kept = 2;
    for (int a = 2; a < argc; a++) {
        if (strcmp(argv[a], "--csv-raw") == 0) cli_csv_raw = 1;
        else argv[kept++] = argv[a];
    }
    argc = kept;
    argv[argc] = NULL;
    for (size_t i = 0; i < NCOMMANDS; i++) {
        if (strcmp(argv[1], commands[i]->name) == 0) {
            /* `commitments` has subcommands and answers --help per subcommand. */
            int own_help = strcmp(argv[1], "commitments") == 0;
            own_help |= strcmp(argv[1], "guard") == 0 || strcmp(argv[1], "frequency") == 0;
            for (int a = 2; a < argc && !own_help; a++)
                if (cli_is_help(argv[a])) {
                    commands[i]->help(stdout);
                    return CLI_OK;
                }
            return commands[i]->run(argc - 1, argv + 1);
        }
    }
    fprintf(stderr, "followup: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return CLI_USAGE;
}
