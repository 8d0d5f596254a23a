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

typedef struct check_args {
    const char *standalone;
} check_args;

static const cli_option k_options[] = {
    {"--standalone", NULL, "", offsetof(check_args, standalone), NULL},
};

static int run(int argc, char **argv) {
    check_args a = {NULL};
    const char *files[2] = {NULL, NULL};
    size_t nfiles = 0;
    fu_policy_load_options opts = FU_POLICY_LOAD_OPTIONS_INIT;
    int ec = cli_parse_options("followup check-policy", k_options, 1, argc, argv, 1, &a, files, 2, &nfiles);
    if (ec) return ec;
    if (nfiles > 1)
        return cli_usage("followup check-policy: only one FILE may be given\n");
    const char *file = files[0];
    if (a.standalone && !file)
        return cli_usage("followup check-policy: --standalone needs FILE (the built-in policy includes nothing)\n");
    if (a.standalone) opts.flags |= FU_POLICY_STANDALONE;
    fu_policy *p = NULL;
    int rc = file ? fu_policy_load_file(&p, file, &opts) : fu_policy_default(&p);
    if (rc != FU_OK) {
        cli_error(NULL);
        return rc == FU_ENOMEM ? CLI_INTERNAL : (rc == FU_EIO ? CLI_INPUT : CLI_FAIL);
    }
    char *summary = NULL;
    rc = fu_policy_summary(p, NULL, &summary);
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
