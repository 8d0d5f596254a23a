/* followup frequency: fatigue curves from contact history, and the cap and
 * spacing where one more contact stops paying (docs/frequency.md). */
#include "cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct args {
    int recommend;
    const char *bank, *events, *customers, *policy, *by, *positive, *format, *output, *when, *create_customers;
    double value, complaint_cost, holdout, level, horizon_days;
    unsigned long seed, max_k;
    fu_channel channel;
    double cost[FU_CHANNEL_COUNT];
    const char *seg_name[64];
    double seg_value[64];
    int n_seg_values;
    unsigned cost_given; /* a bit per channel given --cost */
} args;

static int parse_cost(const char *v, args *a) {
    const char *eq = strchr(v, '=');
    fu_channel ch;
    char *end = NULL;
    if (!eq || fu_channel_from_string(v, (size_t)(eq - v), &ch) != FU_OK || ch == FU_CHANNEL_NONE)
        return -1;
    double c = strtod(eq + 1, &end);
    if (end == eq + 1 || *end || !(c >= 0) || c > CLI_MAX_COST) return -1;
    if (a->cost_given & (1u << ch)) {
        fprintf(stderr, "followup frequency: --cost: channel %s given twice; give each channel once\n",
                fu_channel_name(ch));
        return -2;
    }
    a->cost_given |= 1u << ch;
    a->cost[ch] = c;
    return 0;
}

static int number(const char *v, double *out) {
    char *end = NULL;
    *out = strtod(v, &end);
    return end == v || *end || !isfinite(*out) ? -1 : 0;
}

static int parse_segment_value(const char *v, args *a) {
    const char *eq = strrchr(v, '=');
    if (!eq || eq == v || a->n_seg_values == 64) return -1;
    double x = 0;
    if (number(eq + 1, &x) || !(x > 0)) return -1;
    a->seg_name[a->n_seg_values] = v; /* compared up to the '=' */
    a->seg_value[a->n_seg_values++] = x;
    return 0;
}

static int bad_value(const char *v, const char *opt) {
    fprintf(stderr, "followup frequency: bad value '%s' for %s\n", v, opt);
    return 1;
}

/* A numeric option: a number `d` for which `ok` holds, stored by `set`. */
#define FREQ_NUMBER(fn, opt, ok, set)                                                                    \
    static int fn(const char *v, void *p) {                                                              \
        args *a = p;                                                                                     \
        double d = 0;                                                                                    \
        if (number(v, &d) || !(ok)) return bad_value(v, opt);                                            \
        set;                                                                                             \
        return 0;                                                                                        \
    }
FREQ_NUMBER(opt_value, "--value", d > 0, a->value = d)
FREQ_NUMBER(opt_complaint_cost, "--complaint-cost", d >= 0, a->complaint_cost = d)
FREQ_NUMBER(opt_holdout, "--holdout", d >= 0 && d < 1, a->holdout = d)
FREQ_NUMBER(opt_level, "--level", d > 0 && d < 1, a->level = d)
FREQ_NUMBER(opt_horizon, "--horizon", d > 0, a->horizon_days = d)
FREQ_NUMBER(opt_seed, "--seed", d >= 0, a->seed = (unsigned long)d)
FREQ_NUMBER(opt_max_k, "--max-k", d >= 1 && d <= 64, a->max_k = (unsigned long)d)
#undef FREQ_NUMBER

static int opt_cost(const char *v, void *p) {
    int rc = parse_cost(v, p);
    return rc == -2 ? 1 : rc ? bad_value(v, "--cost") : 0;
}
static int opt_segment_value(const char *v, void *p) {
    return parse_segment_value(v, p) ? bad_value(v, "--segment-value") : 0;
}
static int opt_channel(const char *v, void *p) {
    return fu_channel_from_string(v, strlen(v), &((args *)p)->channel) != FU_OK ? bad_value(v, "--channel") : 0;
}

#define O(name, arg, help, member) CLI_OPT(name, arg, help, args, member)
#define F(name, arg, help, fn) {name, arg, help, CLI_NO_SLOT, fn}
static const cli_option k_options[] = {
    CLI_HEADING("input:"),
    O("--bank", "FILE",
      "the UCI bank-marketing layout (';', campaign, pdays,\n"
      "poutcome, y); segments are poutcome",
      bank),
    O("--events", "FILE", "events CSV (docs/formats.md); contacts are the attempts", events),
    O("--customers", "FILE", "customers CSV (else the events create their customers)", customers),
    O("--create-customers", NULL,
      "with --customers: an event naming a customer not in it\n"
      "creates it; without it such an event fails (exit 3)",
      create_customers),
    O("--policy", "FILE", "policy YAML for --by tier (default: the built-in policy)", policy),
    O("--by", "G", "none (default) | tier | industry: the segments of a book", by),
    O("--positive", "P", "answered (default) | purchase | resolved", positive),
    CLI_HEADING("model:"),
    F("--max-k", "N", "attempts >= N share the last bin (default 10)", opt_max_k),
    F("--level", "L", "interval level (default 0.9)", opt_level),
    F("--holdout", "F",
      "hold out a share F of the customers (seeded); fit reports\n"
      "log loss and Brier against a constant and a per-k table",
      opt_holdout),
    F("--seed", "S", "seed of the hold-out split (default 1)", opt_seed),
    CLI_HEADING("recommend:"),
    F("--value", "V", "value of one positive outcome (required)", opt_value),
    F("--segment-value", "S=V", "value for segment S instead (e.g. its mean CLV); repeatable", opt_segment_value),
    F("--cost", "CH=AMOUNT", "cost of one contact on channel CH, 0..1e12; repeatable", opt_cost),
    F("--channel", "CH", "channel of the cadence (default phone)", opt_channel),
    F("--complaint-cost", "C", "cost of one negative outcome (default 0)", opt_complaint_cost),
    F("--horizon", "DAYS", "days a cap counts over (default 90)", opt_horizon),
    O("--when", "KEY",
      "policy condition key of the segments: tier | lifecycle |\n"
      "rfm_group | industry (default: the --by key; none: one rule)",
      when),
    CLI_HEADING("output:"),
    O("--format", "F",
      "table (default) | csv | json | yaml (recommend only;\n"
      "the default of recommend with --when or one segment)",
      format),
    O("--output", "FILE", "write there instead of standard output", output),
};
#undef O
#undef F
#define N_OPTIONS (sizeof k_options / sizeof k_options[0])

/* The first option of the recommend section: fit takes those before it
 * and the output section after it. */
static size_t recommend_section(size_t *end) {
    size_t k = 0, e;
    while (k < N_OPTIONS && !(k_options[k].name == NULL && strcmp(k_options[k].help, "recommend:") == 0)) k++;
    for (e = k + 1; e < N_OPTIONS && k_options[e].name; e++) {
    }
    *end = e;
    return k;
}

/* What `fit` takes: every option but the recommend section's (NULL-ended). */
static const char *const *fit_takes(void) {
    static const char *names[N_OPTIONS + 1];
    size_t end, rec = recommend_section(&end), n = 0;
    for (size_t k = 0; k < N_OPTIONS; k++)
        if (k_options[k].name && (k < rec || k >= end)) names[n++] = k_options[k].name;
    names[n] = NULL;
    return names;
}

/* The help of `sub` ("fit", "recommend", NULL: both). */
static void help_of(FILE *out, const char *sub) {
    int fit = sub && strcmp(sub, "fit") == 0, rec = sub && strcmp(sub, "recommend") == 0;
    if (!rec)
        fprintf(out, "%s followup frequency fit       (--bank FILE | --events FILE [--customers FILE]) [options]\n",
                "usage:");
    if (!fit)
        fprintf(out, "%s followup frequency recommend (same input) --value V --cost CH=AMOUNT [options]\n",
                rec ? "usage:" : "      ");
    fprintf(out,
            "\n"
            "Fit per segment the per-attempt (hazard) probability of a positive outcome by\n"
            "attempt number and spacing, and the probability of a negative outcome by contact\n"
            "load (72 h / 7 d / 30 d), shrunk to the population, with intervals. `fit` writes\n"
            "the curves; `recommend` the cap and spacing where one more contact stops paying,\n"
            "as a table or a policy fragment (caps.limits) with the numbers behind each rule.\n"
            "%s"
            "\n",
            fit ? "fit takes none of the options of recommend (exit 2).\n" : "");
    size_t end, recsec = recommend_section(&end);
    if (fit) {
        cli_print_options(out, k_options, recsec, 20);
        cli_print_options(out, k_options + end, N_OPTIONS - end, 20);
    } else {
        cli_print_options(out, k_options, N_OPTIONS, 20);
    }
    fprintf(out,
            "\n"
            "--customers, --create-customers, --by, --positive and --policy read a book: they\n"
            "need --events (exit 2 with --bank); --policy needs --by tier, --seed --holdout.\n"
            "exit codes: 0 ok, 2 bad command line, 3 unreadable or invalid input, 4 internal.\n");
}

static void help(FILE *out) { help_of(out, NULL); }

/* The values per segment of the model, or NULL when none was given; -1 in
 * *bad for a segment name the model does not have. */
static double *segment_values(const args *a, const fu_frequency *m, int *bad) {
    size_t ns = fu_frequency_segment_count(m);
    double *v = NULL;
    *bad = 0;
    if (a->n_seg_values == 0 || (v = malloc(ns * sizeof *v)) == NULL) return NULL;
    for (size_t s = 0; s < ns; s++) v[s] = a->value;
    for (int i = 0; i < a->n_seg_values; i++) {
        size_t len = (size_t)(strrchr(a->seg_name[i], '=') - a->seg_name[i]), s = 0;
        while (s < ns && !(strlen(fu_frequency_segment_name(m, s)) == len &&
                           strncmp(fu_frequency_segment_name(m, s), a->seg_name[i], len) == 0))
            s++;
        if (s == ns) {
            fprintf(stderr, "followup frequency: no segment '%.*s' in the model\n", (int)len, a->seg_name[i]);
            *bad = 1;
        } else {
            v[s] = a->seg_value[i];
        }
    }
    return v;
}

/* An option that would be ignored with the others given: refused (exit 2). */
static int ignored_option(int argc, char **argv, const args *a) {
    static const char *const book_only[] = {"--customers", "--create-customers", "--by", "--positive", "--policy"};
    for (size_t i = 0; a->bank && i < sizeof book_only / sizeof *book_only; i++)
        if (cli_given(argc, argv, 2, book_only[i]))
            return cli_usage("followup frequency %s: %s needs --events (the --bank layout has its own segments, "
                             "poutcome, and outcome, y)\n", argv[1], book_only[i]);
    if (a->create_customers && !a->customers)
        return cli_usage("followup frequency %s: --create-customers needs --customers (without it the events "
                         "create every customer)\n", argv[1]);
    if (a->policy && strcmp(a->by, "tier") != 0)
        return cli_usage("followup frequency %s: --policy needs --by tier (only the tiers read the policy)\n", argv[1]);
    if (cli_given(argc, argv, 2, "--seed") && !(a->holdout > 0))
        return cli_usage("followup frequency %s: --seed needs --holdout (it seeds the hold-out split)\n", argv[1]);
    return 0;
}

static int parse_args(int argc, char **argv, args *a) {
    char prog[64];
    snprintf(prog, sizeof prog, "followup frequency %s", argv[1]);
    if (cli_parse_options_for(prog, k_options, N_OPTIONS, a->recommend ? NULL : fit_takes(), argc, argv, 2, a, NULL,
                              0, NULL))
        return -1;
    const cli_path outs[] = {{"--output", a->output}};
    const cli_path ins[] = {{"--bank", a->bank}, {"--events", a->events}, {"--customers", a->customers},
                            {"--policy", a->policy}};
    if (cli_check_outputs(prog, outs, 1, ins, 4)) return -1;
    if (!a->bank == !a->events) {
        fprintf(stderr, "followup frequency: give exactly one of --bank and --events\n");
        return -1;
    }
    if (ignored_option(argc, argv, a)) return -1;
    if (a->recommend && !(a->value > 0) && a->n_seg_values == 0) {
        fprintf(stderr, "followup frequency recommend: --value is required\n");
        return -1;
    }
    return 0;
}

/* Segments of the book's customers by value tier or industry; the names are
 * copies (freed by free_names). */
static int book_segments(const fu_book *b, const args *a, uint32_t *seg, const char ***names, size_t *ns) {
    size_t n = fu_book_customer_count(b);
    char **nm = calloc(n + 1, sizeof *nm);
    fu_policy *p = NULL;
    fu_segment_rules *rules = NULL;
    int rc = FU_OK, tier = strcmp(a->by, "tier") == 0;
    if (!nm) return FU_ENOMEM;
    if (tier) {
        rc = a->policy ? fu_policy_load_file(&p, a->policy, NULL) : fu_policy_default(&p);
        if (!rc) rc = fu_segment_rules_new_from_policy(&rules, p);
    }
    *ns = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        const fu_customer *c = fu_book_customer(b, i);
        const char *name = c->industry ? c->industry : "unknown";
        if (tier) {
            fu_segment_customer sc;
            fu_segment_assignment as;
            fu_segment_customer_init(&sc);
            sc.annual_spend = isnan(c->annual_spend) ? -1 : c->annual_spend;
            rc = fu_segment_assign(&sc, 1, 0, rules, &as);
            name = !rc && as.tier_name ? as.tier_name : "unknown";
        }
        size_t s = 0;
        while (s < *ns && strcmp(nm[s], name) != 0) s++;
        if (s == *ns && (nm[(*ns)++] = strdup(name)) == NULL) rc = FU_ENOMEM;
        seg[i] = (uint32_t)s;
    }
    if (*ns == 0 && (nm[(*ns)++] = strdup("all")) == NULL) rc = FU_ENOMEM;
    fu_segment_rules_free(rules);
    fu_policy_free(p);
    *names = (const char **)nm;
    return rc;
}

static void free_names(const char **names, size_t n) {
    for (size_t i = 0; i < n; i++) free((void *)names[i]);
    free((void *)names);
}

static int load_attempts(const args *a, fu_frequency_attempt **att, size_t *n, const char ***names,
                         size_t *ns) {
    if (a->bank) {
        static const char *bank_names[FU_FREQUENCY_BANK_SEGMENTS];
        for (uint32_t s = 0; s < FU_FREQUENCY_BANK_SEGMENTS; s++)
            bank_names[s] = fu_frequency_bank_segment_name(s);
        *names = bank_names;
        *ns = FU_FREQUENCY_BANK_SEGMENTS;
        return fu_frequency_read_bank_csv(att, n, a->bank);
    }
    fu_book_options bo = FU_BOOK_OPTIONS_INIT;
    if (!a->customers || a->create_customers) bo.flags |= FU_BOOK_CREATE_CUSTOMERS;
    fu_book *b = NULL;
    int rc = cli_book_read(&b, &bo, a->customers, a->events, 0);
    uint32_t *seg = NULL;
    if (strcmp(a->by, "none") == 0) {
        static const char *all[] = {"all"};
        *names = all;
        *ns = 1;
    } else if (!rc) {
        seg = calloc(fu_book_customer_count(b) + 1, sizeof *seg);
        rc = seg ? book_segments(b, a, seg, names, ns) : FU_ENOMEM;
    }
    fu_frequency_options o = FU_FREQUENCY_OPTIONS_INIT;
    o.positive = strcmp(a->positive, "purchase") == 0   ? FU_FREQUENCY_PURCHASE
                 : strcmp(a->positive, "resolved") == 0 ? FU_FREQUENCY_RESOLVED
                                                        : FU_FREQUENCY_ANSWERED;
    if (!rc) rc = fu_frequency_attempts_from_book(att, n, b, seg, &o);
    free(seg);
    fu_book_free(b);
    return rc;
}

/* The result to --output (written beside it and renamed over it, as every
 * output file: docs/cli.md "Output files") or standard output. */
static int write_text(const args *a, const char *text) {
    cli_out out;
    int rc = cli_out_open(&out, a->output, "followup frequency");
    if (rc) return rc;
    fputs(text, out.f);
    return cli_out_close(&out, 1, "followup frequency");
}

static int recommend(const args *a, const fu_frequency *m, fu_frequency_format fmt) {
    fu_frequency_recommend_options ro = FU_FREQUENCY_RECOMMEND_OPTIONS_INIT;
    ro.value = a->value;
    memcpy(ro.contact_cost, a->cost, sizeof ro.contact_cost);
    ro.channel = a->channel;
    ro.complaint_cost = a->complaint_cost;
    ro.horizon = (int64_t)(a->horizon_days * 86400);
    ro.when_key = a->when ? (strcmp(a->when, "none") == 0 ? NULL : a->when)
                          : (strcmp(a->by, "none") == 0 ? NULL : a->by);
    fu_frequency_recommendation *r = NULL;
    size_t n = 0;
    char *text = NULL;
    int bad = 0;
    double *values = segment_values(a, m, &bad);
    if (bad) {
        free(values);
        return CLI_USAGE;
    }
    if (a->n_seg_values && !values) return CLI_INTERNAL;
    ro.segment_values = values;
    int rc = fu_frequency_recommend(m, &ro, &r, &n);
    if (!rc) rc = fu_frequency_write_recommendations(m, r, n, &ro, fmt, NULL, &text);
    fu_free(r);
    free(values);
    if (rc) {
        cli_error("recommend");
        return cli_exit_code(rc);
    }
    rc = write_text(a, text);
    fu_free(text);
    return rc;
}

static int run_sub(const args *a) {
    fu_frequency_format fmt = FU_FREQUENCY_TABLE;
    const char *f = a->format ? a->format : (a->recommend && a->when ? "yaml" : "table");
    if (strcmp(f, "csv") == 0) fmt = FU_FREQUENCY_CSV;
    else if (strcmp(f, "json") == 0) fmt = FU_FREQUENCY_JSON;
    else if (strcmp(f, "yaml") == 0 && a->recommend) fmt = FU_FREQUENCY_YAML;
    else if (strcmp(f, "table") != 0) {
        return cli_usage("followup frequency: unknown format '%s'\n", f);
    }
    fu_frequency_attempt *att = NULL;
    size_t n = 0, ns = 0;
    const char **names = NULL;
    int rc = load_attempts(a, &att, &n, &names, &ns);
    if (rc) {
        cli_error("input");
        if (names && a->events && strcmp(a->by, "none") != 0) free_names(names, ns);
        fu_free(att);
        /* the options were checked before: what fails here is the history
         * (also FU_EINVAL "no contact events"), an input error, not usage */
        return rc == FU_ENOMEM ? CLI_INTERNAL : CLI_INPUT;
    }
    uint8_t *test = NULL;
    if (a->holdout > 0 && (test = calloc(n + 1, 1)) != NULL)
        rc = fu_frequency_split(att, n, a->seed, a->holdout, test);
    fu_frequency_options o = FU_FREQUENCY_OPTIONS_INIT;
    o.max_k = (uint32_t)a->max_k;
    o.level = a->level;
    fu_frequency *m = NULL;
    if (!rc) rc = fu_frequency_fit(&m, att, n, test, names, ns, &o);
    fu_frequency_scores sc;
    if (!rc && test) rc = fu_frequency_evaluate(m, att, n, test, &sc);
    if (rc) {
        cli_error("fit");
        rc = cli_exit_code(rc);
    } else if (a->recommend) {
        rc = recommend(a, m, fmt);
    } else {
        char *text = NULL;
        rc = fu_frequency_write_curves(m, fmt, NULL, &text);
        rc = rc ? (cli_error("curves"), cli_exit_code(rc)) : write_text(a, text);
        fu_free(text);
        if (!rc && test)
            fprintf(stderr,
                    "hold-out %.0f%% of customers (seed %lu): %zu attempts, %zu positive\n"
                    "  log loss %.5f (constant %.5f, per-k table %.5f)\n"
                    "  Brier    %.6f (constant %.6f, per-k table %.6f)\n",
                    a->holdout * 100, a->seed, sc.attempts, sc.positives, sc.log_loss,
                    sc.log_loss_constant, sc.log_loss_per_k, sc.brier, sc.brier_constant, sc.brier_per_k);
    }
    fu_frequency_free(m);
    free(test);
    fu_free(att);
    if (a->events && strcmp(a->by, "none") != 0) free_names(names, ns);
    return rc;
}

static int run(int argc, char **argv) {
    if (argc >= 2 && cli_is_help(argv[1])) {
        help(stdout);
        return CLI_OK;
    }
    if (argc < 2 || (strcmp(argv[1], "fit") != 0 && strcmp(argv[1], "recommend") != 0))
        return cli_usage("followup frequency: want 'fit' or 'recommend' (see --help)\n");
    for (int i = 2; i < argc; i++)
        if (cli_is_help(argv[i])) {
            help_of(stdout, argv[1]);
            return CLI_OK;
        }
    args a;
    memset(&a, 0, sizeof a);
    a.recommend = strcmp(argv[1], "recommend") == 0;
    a.by = "none";
    a.positive = "answered";
    a.seed = 1;
    a.horizon_days = 90;
    a.channel = FU_CHANNEL_PHONE;
    if (parse_args(argc, argv, &a)) return CLI_USAGE;
    if (strcmp(a.by, "none") && strcmp(a.by, "tier") && strcmp(a.by, "industry"))
        return cli_usage("followup frequency: --by must be none, tier or industry\n");
    if (strcmp(a.positive, "answered") && strcmp(a.positive, "purchase") && strcmp(a.positive, "resolved"))
        return cli_usage("followup frequency: --positive must be answered, purchase or resolved\n");
    return run_sub(&a);
}

const cli_command cli_cmd_frequency = {"frequency", "contact fatigue curves; recommended caps and spacing",
                                       run, help};
