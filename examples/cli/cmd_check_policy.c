#include "cli.h"

#include <string.h>

static void help(FILE *out) {
    fprintf(out,
            "usage: followup check-policy [--standalone] [FILE]\n"
            "\n"
            "Validate a policy file and print a summary of what it does. Without FILE,\n"
            "the built-in default policy is checked. A site policy extends the\n"
            "built-in one unless it says 'extends: none' or --standalone is given.\n"
            "\n"
            "On an invalid policy, prints 'FILE:LINE:COLUMN: KEY.PATH: message' on\n"
            "stderr and exits with 1.\n");
}

static int run(int argc, char **argv) {
    const char *file = NULL;
    fu_policy_load_options opts = FU_POLICY_LOAD_OPTIONS_INIT;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--standalone") == 0) {
            opts.flags |= FU_POLICY_STANDALONE;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "followup check-policy: unknown option '%s'\n", argv[i]);
            return CLI_USAGE;
        } else if (file == NULL) {
            file = argv[i];
        } else {
            fprintf(stderr, "followup check-policy: only one FILE may be given\n");
            return CLI_USAGE;
        }
    }
    fu_policy *p = NULL;
    int rc = file ? fu_policy_load_file(&p, file, &opts) : fu_policy_default(&p);
    if (rc != FU_OK) {
        cli_error(NULL);
        return rc == FU_ENOMEM ? CLI_INTERNAL : (rc == FU_EIO ? CLI_INPUT : CLI_FAIL);
    }
    char *summary = NULL;
    rc = fu_policy_summary(p, &summary);
    if (rc != FU_OK) {
        cli_error("summary");
        fu_policy_free(p);
        return CLI_INTERNAL;
    }
    printf("policy %s: valid\n%s", file ? file : "(built-in)", summary);
    fu_free(summary);
    fu_policy_free(p);
    return CLI_OK;
}

const cli_command cli_cmd_check_policy = {"check-policy", "validate a policy and summarise it", run,
                                          help};
