/* followup guard: may I contact this customer now (check), tell the guard
 * what happened (record), and read the contact log (log). */
#include "cli.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define PROG "followup guard"

static const char k_usage_check[] =
    "usage: followup guard check  --customers CSV [--events CSV] --log FILE [--new-log]\n"
    "                             --customer ID --channel C [--at TIME] [--priority P]\n"
    "                             [--rule R] [--order O]\n";
static const char k_usage_record[] =
    "%s followup guard record --log FILE --customer ID --channel C --outcome O [--at TIME]\n"
    "                             [--customers CSV [--events CSV]] [--agent A] [--rule R]\n"
    "                             [--order O] [--duration SECONDS] [--callback TIME] [--priority P]\n"
    "                             [--if-allowed]\n";
static const char k_usage_log[] =
    "%s followup guard log    --log FILE [--new-log] [--customer ID] [--after SEQ]\n"
    "                             [--customers CSV [--events CSV]]\n";
static const char k_about[] =
    "\n"
    "The contact guard (docs/guard.md): the planner's limits (consent, suppressions,\n"
    "quiet hours, holidays, do-not-disturb, min gap, caps) over the book's history and\n"
    "every contact in the log, plus the redial rules (retry 2 business hours after an\n"
    "unanswered attempt, 3 attempts a day, stop on a wrong number or a refusal, honour a\n"
    "requested call-back time).\n"
    "\n";
static const char k_about_check[] =
    "check   prints allowed yes/no, the rule that says no, the next allowed instant and\n"
    "        the reason; exit code 0 when allowed, 1 when denied. JSON: allowed is a\n"
    "        boolean, rule, reason and past_calendar_data null when there is none,\n"
    "        next_allowed null when no instant allows the contact (\"never\" in the table\n"
    "        and CSV; the rule and reason say why).\n";
static const char k_about_record[] =
    "record  appends one attempt to the log (created 0600 when absent); with --customers\n"
    "        through the guard (unknown customers refused unless --unknown allow).\n"
    "        --if-allowed (needs --customers): check and record as one step for every\n"
    "        process sharing the log; prints the check's answer, exit 1 when denied\n"
    "        (nothing recorded).\n";
static const char k_about_log[] =
    "log     lists the log's records in the order they were appended. Times (at,\n"
    "        callback_at) are in each customer's offset with --customers, as check writes\n"
    "        them (also record's csv and json with --customers): the policy calendar's\n"
    "        for a customer with no zone (one --create-customers made from --events) or\n"
    "        not in the book; in UTC without --customers.\n";
static const char k_about_log_file[] =
    "\n"
    "The log of check and log must exist (exit 3 otherwise): a mistyped path would\n"
    "answer from an empty history. record creates it; --new-log lets check and log\n"
    "read a log not created yet as empty (nothing is created). Its directory must\n"
    "exist for every subcommand.\n";
static const char k_legend[] =
    "\n"
    "C: phone, sms, email, chat, video, visit. P: urgent, high, normal (default), low.\n"
    "O: attempted, answered, no_answer, busy, voicemail, refused, wrong_number,\n"
    "callback_requested (needs --callback). TIME: ISO 8601 with an offset\n"
    "(2026-03-10T10:00:00+08:00); --at defaults to now.\n"
    "Exit codes: 0 ok / allowed, 1 denied, 2 bad usage, 3 bad input, 4 internal.\n";

static void help(FILE *out) {
    fputs(k_usage_check, out);
    fprintf(out, k_usage_record, "      ");
    fprintf(out, k_usage_log, "      ");
    fprintf(out, "%s%s%s%s%s", k_about, k_about_check, k_about_record, k_about_log, k_about_log_file);
    fprintf(out,
            "\n"
            "Each subcommand takes only its own options ('followup guard check --help' lists\n"
            "them); another is refused (exit 2).\n"
            "\n"
            "common options:\n"
            "  --policy FILE      policy (default: the built-in policy)\n"
            "  --unknown deny|allow  customers not in the book (default: the policy's\n"
            "                     guard.unknown_customer, built-in deny)\n"
            "  --format F         table, csv or json (default: table)\n"
            "  --create-customers with --events: an event naming a customer not in --customers\n"
            "                     creates it (no zone or consent columns: the policy's default\n"
            "                     calendar zone and consent rules apply); without it such an\n"
            "                     event fails the command (exit 3, unknown customer)\n");
    fputs(k_legend, out);
}

typedef struct args {
    const char *policy, *customers, *events, *log, *customer, *channel, *at, *priority, *rule, *order;
    const char *outcome, *agent, *duration, *callback, *after, *unknown, *format, *if_allowed, *new_log;
    const char *create_customers;
} args;

/* One table for the three subcommands; each takes only the options its
 * list names (k_takes), and its help prints them. */
#define O(name, arg, help, member) CLI_OPT(name, arg, help, args, member)
static const cli_option k_options[] = {
    O("--log", "FILE", "the contact log (docs/formats.md, \"Contact log\")", log),
    O("--new-log", NULL, "a log not created yet reads as empty (nothing is created)", new_log),
    O("--customer", "ID", "the customer", customer),
    O("--channel", "C", "the contact's channel", channel),
    O("--outcome", "O", "what happened", outcome),
    O("--at", "TIME", "when (default: now)", at),
    O("--priority", "P", "the contact's priority (default: normal)", priority),
    O("--agent", "A", "the agent who made the attempt", agent),
    O("--rule", "R", "the follow-up rule behind the contact", rule),
    O("--order", "O", "the order it is about", order),
    O("--duration", "SECONDS", "how long the attempt took, 0 to 86400", duration),
    O("--callback", "TIME", "the call-back time asked for (callback_requested)", callback),
    O("--if-allowed", NULL, "check, and record only when allowed, as one step", if_allowed),
    O("--after", "SEQ", "only the records after record number SEQ", after),
    O("--customers", "CSV", "customers (docs/formats.md)", customers),
    O("--events", "CSV", "with --customers: the event history", events),
    O("--create-customers", NULL,
      "with --events: an event naming a customer not in --customers\n"
      "creates it (no zone or consent columns: the policy's default\n"
      "calendar zone and consent rules apply); without it such an\n"
      "event fails the command (exit 3, unknown customer)",
      create_customers),
    O("--policy", "FILE", "policy (default: the built-in policy), read with --customers", policy),
    O("--unknown", "deny|allow",
      "customers not in the book (default: the policy's\n"
      "guard.unknown_customer, built-in deny)",
      unknown),
    O("--format", "F", "table, csv or json (default: table)", format),
};
#undef O
#define N_OPTIONS (sizeof k_options / sizeof k_options[0])

static const char *const k_takes_check[] = {"--customers", "--events",   "--create-customers", "--log",
                                            "--new-log",   "--customer", "--channel",          "--at",
                                            "--priority",  "--rule",     "--order",            "--policy",
                                            "--unknown",   "--format",   NULL};
static const char *const k_takes_record[] = {"--log",      "--customer", "--channel",   "--outcome",  "--at",
                                             "--priority", "--agent",    "--rule",      "--order",    "--duration",
                                             "--callback", "--if-allowed", "--customers", "--events",
                                             "--create-customers", "--policy", "--unknown", "--format", NULL};
static const char *const k_takes_log[] = {"--log",    "--new-log",          "--customer", "--after", "--customers",
                                          "--events", "--create-customers", "--policy",   "--format", NULL};

static const char *const *takes(const char *sub) {
    if (strcmp(sub, "check") == 0) return k_takes_check;
    if (strcmp(sub, "record") == 0) return k_takes_record;
    if (strcmp(sub, "log") == 0) return k_takes_log;
    return NULL;
}

/* `followup guard SUB --help`: its usage, what it does and its options. */
static void help_sub(FILE *out, const char *sub) {
    const char *const *names = takes(sub);
    if (strcmp(sub, "check") == 0) fputs(k_usage_check, out);
    else fprintf(out, strcmp(sub, "record") == 0 ? k_usage_record : k_usage_log, "usage:");
    fputs(k_about, out);
    fputs(strcmp(sub, "check") == 0 ? k_about_check : strcmp(sub, "record") == 0 ? k_about_record : k_about_log, out);
    if (strcmp(sub, "record") != 0) fputs(k_about_log_file, out);
    fprintf(out, "\noptions:\n");
    for (size_t i = 0; names[i]; i++)
        for (size_t k = 0; k < N_OPTIONS; k++)
            if (strcmp(k_options[k].name, names[i]) == 0) cli_print_options(out, &k_options[k], 1, 20);
    fprintf(out, "Other options are refused (exit 2).\n");
    fputs(k_legend, out);
}

static int parse(int argc, char **argv, args *a) {
    char prog[64];
    snprintf(prog, sizeof prog, "%s %s", PROG, argv[1]);
    memset(a, 0, sizeof *a);
    return cli_parse_options_for(prog, k_options, N_OPTIONS, takes(argv[1]), argc, argv, 2, a, NULL, 0, NULL) ? -1
                                                                                                             : 0;
}

static int need(const char *sub, const char *value, const char *opt) {
    if (value) return 0;
    fprintf(stderr, "%s %s: %s is required\n", PROG, sub, opt);
    return -1;
}

static int bad_value(const char *sub, const char *opt) {
    return cli_usage("%s %s: %s: %s\n", PROG, sub, opt, fu_error_last()->message);
}

static int parse_time(const char *sub, const char *opt, const char *text, int64_t *out) {
    if (!text) {
        *out = (int64_t)time(NULL);
        return 0;
    }
    return fu_time_parse(text, strlen(text), out) == FU_OK ? 0 : bad_value(sub, opt);
}

static int parse_priority(const char *sub, const char *text, fu_priority *out) {
    *out = FU_PRIORITY_NORMAL;
    if (!text) return 0;
    for (int p = 0; p < 4; p++)
        if (strcmp(text, fu_priority_name(p)) == 0) {
            *out = (fu_priority)p;
            return 0;
        }
    return cli_usage("%s %s: --priority: '%s' is not urgent, high, normal or low\n", PROG, sub, text);
}

static int parse_channel(const char *sub, const char *text, fu_channel *out) {
    if (fu_channel_from_string(text, strlen(text), out) != FU_OK) return bad_value(sub, "--channel");
    if (*out == FU_CHANNEL_NONE)
        return cli_usage("%s %s: --channel: empty\n", PROG, sub);
    return 0;
}

/* What check and record share: --format, then the contact's --channel, --at
 * (default: now) and --priority (default: normal). CLI_OK or an exit code
 * after a message naming `sub`. */
static int parse_contact(const char *sub, const args *a, cli_format *fmt, fu_channel *channel, int64_t *at,
                         fu_priority *priority) {
    if (a->format && cli_format_parse(a->format, fmt)) return CLI_USAGE;
    int u;
    if ((u = parse_channel(sub, a->channel, channel)) || (u = parse_time(sub, "--at", a->at, at)) ||
        (u = parse_priority(sub, a->priority, priority)))
        return u;
    return CLI_OK;
}

/* Policy, book and guard for check and record. */
typedef struct world {
    fu_policy *policy;
    fu_book *book;
    fu_contact_log *log;
    fu_guard *guard;
} world;

static void world_free(world *w) {
    fu_guard_free(w->guard);
    fu_contact_log_close(w->log);
    fu_book_free(w->book);
    fu_policy_free(w->policy);
}

/* The log's path before it is opened. A check or a listing answers from the
 * log's contacts: a path that does not exist (a typo, a disk not mounted)
 * would answer from an empty history, "allowed" where the log says no
 * (review s11 H1). So it must exist unless `may_be_new` (record, which
 * creates it; --new-log, an empty history meant). Its directory must exist
 * in every case. CLI_OK with *absent set when the log is not there yet, or
 * CLI_INPUT after a message. */
static int check_log_path(const char *sub, const char *path, int may_be_new, int *absent) {
    struct stat st;
    *absent = 0;
    if (stat(path, &st) == 0 || errno != ENOENT) return CLI_OK; /* the open reports other failures */
    const char *slash = strrchr(path, '/');
    if (slash) {
        size_t n = slash == path ? 1 : (size_t)(slash - path);
        char *dir = malloc(n + 1);
        if (!dir) return CLI_INTERNAL;
        memcpy(dir, path, n);
        dir[n] = '\0';
        int ok = stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
        if (!ok)
            fprintf(stderr, "%s %s: --log: the directory '%s' of '%s' does not exist\n", PROG, sub, dir, path);
        free(dir);
        if (!ok) return CLI_INPUT;
    }
    *absent = 1;
    if (may_be_new) return CLI_OK;
    fprintf(stderr,
            "%s %s: --log: '%s' does not exist (a mistyped path would answer from an empty history): "
            "`followup guard record` creates a log; --new-log reads a log not created yet as empty\n",
            PROG, sub, path);
    return CLI_INPUT;
}

/* A check never writes: it reads the log read-only; with --new-log a log
 * that does not exist yet holds no contacts (nothing is created). */
static int world_open(const char *sub, const args *a, int with_guard, world *w) {
    memset(w, 0, sizeof *w);
    fu_contact_log_options lo = FU_CONTACT_LOG_OPTIONS_INIT;
    int check = strcmp(sub, "check") == 0, rc = FU_OK, absent = 0;
    int ex = check_log_path(sub, a->log, !check || a->new_log, &absent);
    if (ex) return ex;
    if (check) lo.flags = FU_CONTACT_LOG_READONLY;
    if (!check || !absent) rc = fu_contact_log_open(&w->log, a->log, &lo);
    if (rc) {
        cli_error(a->log);
        return cli_exit_code(rc);
    }
    if (!with_guard) return CLI_OK;
    fu_guard_options o = FU_GUARD_OPTIONS_INIT;
    if (a->unknown && strcmp(a->unknown, "allow") == 0) o.unknown_customer = FU_GUARD_UNKNOWN_ALLOW;
    else if (a->unknown && strcmp(a->unknown, "deny") == 0) o.unknown_customer = FU_GUARD_UNKNOWN_DENY;
    else if (a->unknown) {
        return cli_usage("%s %s: --unknown: '%s' is not deny or allow\n", PROG, sub, a->unknown);
    }
    if ((rc = cli_policy_load(a->policy, &w->policy))) return cli_exit_code(rc);
    fu_book_options bo = FU_BOOK_OPTIONS_INIT;
    if (a->create_customers) bo.flags |= FU_BOOK_CREATE_CUSTOMERS;
    if ((rc = cli_book_read(&w->book, &bo, a->customers, a->events, 1))) {
        cli_error("book");
        return cli_exit_code(rc);
    }
    if ((rc = fu_guard_new(&w->guard, w->policy, w->book, w->log, &o))) {
        cli_error("guard");
        return cli_exit_code(rc);
    }
    return CLI_OK;
}

/* t in the offset of `cal` (UTC without one); "never" for FU_BESTTIME_NEVER. */
static void fmt_time_cal(int64_t t, const fu_calendar *cal, char *buf, size_t size) {
    if (t == FU_BESTTIME_NEVER) {
        snprintf(buf, size, "never");
        return;
    }
    int off = 0;
    if (cal) fu_calendar_utc_offset(cal, t, &off);
    /* a zone's offset before standard time (local mean time) is not whole
     * minutes: such instants are written in UTC */
    if (fu_time_format(t, off, FU_TIME_FORMAT_Z, buf, size) != FU_OK &&
        fu_time_format(t, 0, FU_TIME_FORMAT_Z, buf, size) != FU_OK)
        snprintf(buf, size, "?");
}

static void fmt_time(int64_t t, const char *tz, char *buf, size_t size) {
    fu_calendar *cal = NULL;
    if (tz && fu_calendar_new(&cal, tz) != FU_OK) cal = NULL;
    fmt_time_cal(t, cal, buf, size);
    fu_calendar_free(cal);
}

/* The answer of a check: one row; exit 0 allowed, 1 denied. */
static int print_decision(const world *w, const char *customer, fu_channel channel, int64_t when,
                          const fu_guard_decision *d, cli_format fmt) {
    size_t ci;
    const char *tz = fu_book_find_customer(w->book, customer, strlen(customer), &ci) == FU_OK
                         ? fu_book_customer(w->book, ci)->tz
                         : NULL;
    char at[48], next[48];
    if (tz) {
        fmt_time(when, tz, at, sizeof at);
        fmt_time(d->next_allowed, tz, next, sizeof next);
    } else { /* no zone (unknown, or created by an event): the policy calendar's, which the guard applied */
        const fu_calendar *cal = fu_policy_calendar(w->policy, NULL);
        fmt_time_cal(when, cal, at, sizeof at);
        fmt_time_cal(d->next_allowed, cal, next, sizeof next);
    }
    static const char *const hdr[] = {"customer_id", "channel",      "at",     "allowed",
                                      "rule",        "next_allowed", "reason", "past_calendar_data"};
    const char *row[] = {customer, fu_channel_name(channel), at, d->allowed ? "yes" : "no", d->rule ? d->rule : "",
                         next, d->reason, d->past_calendar_data ? d->past_calendar_data : ""};
    cli_table *t = cli_table_new(8, hdr);
    int ex = CLI_INTERNAL;
    /* JSON: allowed a boolean, absent values null, next_allowed null when no
     * instant allows the contact ("never" in the table and CSV) */
    if (t && !cli_table_set_types(t, "sstbStSS") && !cli_table_add(t, row)) {
        ex = cli_table_write(t, fmt, stdout, 0);
        if (ex == CLI_OK) ex = d->allowed ? CLI_OK : CLI_FAIL;
    }
    cli_table_free(t);
    return ex;
}

static int run_check(const args *a) {
    if (need("check", a->customers, "--customers") || need("check", a->log, "--log") ||
        need("check", a->customer, "--customer") || need("check", a->channel, "--channel"))
        return CLI_USAGE;
    cli_format fmt = CLI_FORMAT_TABLE;
    fu_guard_request r = FU_GUARD_REQUEST_INIT;
    int u = parse_contact("check", a, &fmt, &r.channel, &r.at, &r.priority);
    if (u) return u;
    r.customer_id = a->customer;
    r.rule = a->rule;
    r.order_id = a->order;
    world w;
    int ex = world_open("check", a, 1, &w);
    fu_guard_decision d;
    if (ex == CLI_OK) {
        int rc = fu_guard_check_request(w.guard, &r, &d);
        if (rc) {
            cli_error("check");
            ex = cli_exit_code(rc);
        }
    }
    if (ex == CLI_OK) ex = print_decision(&w, r.customer_id, r.channel, r.at, &d, fmt);
    world_free(&w);
    return ex;
}

/* The rows of `guard log` (and of `record --format csv|json`). With a book
 * (--customers) times are written in each customer's offset, as `check`
 * writes them: the policy calendar's (`fallback`) for a customer with no
 * zone or not in the book, as check's print_decision() (review s11 L9, hR
 * L1); without a book in UTC. One calendar is kept for the zone of the last
 * row. */
typedef struct log_out {
    cli_table *t;
    int failed;
    const fu_book *book;
    const fu_calendar *fallback;
    const char *tz;
    fu_calendar *cal;
} log_out;

static const fu_calendar *log_zone(log_out *o, const char *customer) {
    size_t ci;
    if (!o->book) return NULL;
    if (fu_book_find_customer(o->book, customer, strlen(customer), &ci) != FU_OK) return o->fallback;
    const char *tz = fu_book_customer(o->book, ci)->tz;
    if (!tz) return o->fallback;
    if (o->tz && strcmp(o->tz, tz) == 0) return o->cal;
    fu_calendar_free(o->cal);
    o->tz = NULL;
    if (fu_calendar_new(&o->cal, tz) != FU_OK) o->cal = NULL;
    else o->tz = tz;
    return o->cal;
}

/* The columns of a record (docs/formats.md, "Contact log"), JSON types. */
static cli_table *log_table(void) {
    static const char *const hdr[] = {"seq",      "customer_id", "at",       "channel",  "outcome",    "priority",
                                      "agent_id", "rule",        "order_id", "duration", "callback_at"};
    cli_table *t = cli_table_new(11, hdr);
    if (t && cli_table_set_types(t, "nsssssSSSnt")) {
        cli_table_free(t);
        t = NULL;
    }
    return t;
}

static int log_row(void *ud, const fu_contact_record *r) {
    log_out *o = ud;
    char seq[24], at[48], dur[24], cb[48];
    snprintf(seq, sizeof seq, "%lld", (long long)r->seq);
    const fu_calendar *cal = log_zone(o, r->customer_id);
    fmt_time_cal(r->at, cal, at, sizeof at);
    if (r->duration >= 0) snprintf(dur, sizeof dur, "%lld", (long long)r->duration);
    else dur[0] = 0;
    if (r->callback_at != FU_BOOK_NO_TIME) fmt_time_cal(r->callback_at, cal, cb, sizeof cb);
    else cb[0] = 0;
    if (r->seq <= 0) seq[0] = 0; /* recorded through a guard: the number is not known */
    const char *row[] = {seq, r->customer_id, at, fu_channel_name(r->channel), fu_guard_outcome_name(r->outcome),
                         fu_priority_name(r->priority), r->agent_id ? r->agent_id : "", r->rule ? r->rule : "",
                         r->order_id ? r->order_id : "", dur, cb};
    if (cli_table_add(o->t, row)) o->failed = 1;
    return o->failed;
}

static int run_record(const args *a) {
    if (need("record", a->log, "--log") || need("record", a->customer, "--customer") ||
        need("record", a->channel, "--channel") || need("record", a->outcome, "--outcome"))
        return CLI_USAGE;
    /* stored texts: named if not UTF-8 (not "customer_id:1:2: ...", the library's) */
    const char *const texts[][2] = {{"--customer", a->customer}, {"--agent", a->agent}, {"--rule", a->rule},
                                    {"--order", a->order}};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        if (cli_text_option(PROG " record", texts[i][0], texts[i][1])) return CLI_USAGE;
    cli_format fmt = CLI_FORMAT_TABLE;
    fu_contact_record r;
    fu_contact_record_init(&r);
    int u = parse_contact("record", a, &fmt, &r.channel, &r.at, &r.priority);
    if (u) return u;
    if (fu_guard_outcome_from_string(a->outcome, strlen(a->outcome), &r.outcome) != FU_OK)
        return bad_value("record", "--outcome");
    if (a->callback && (u = parse_time("record", "--callback", a->callback, &r.callback_at))) return u;
    if (a->duration) {
        char *end;
        errno = 0;
        long long v = strtoll(a->duration, &end, 10);
        if (*end || end == a->duration || v < 0 || errno == ERANGE || v > FU_CONTACT_MAX_DURATION)
            return cli_usage("%s record: --duration: '%s' is not a number of seconds from 0 to %d (a day)\n", PROG,
                             a->duration, FU_CONTACT_MAX_DURATION);
        r.duration = v;
    }
    r.customer_id = a->customer;
    r.agent_id = a->agent;
    r.rule = a->rule;
    r.order_id = a->order;
    /* without --customers record only appends: what reads the book would be ignored */
    const char *book_only = a->if_allowed ? "--if-allowed" : a->events ? "--events" : a->create_customers ? "--create-customers"
                            : a->policy ? "--policy" : a->unknown ? "--unknown" : NULL;
    if (book_only && !a->customers)
        return cli_usage("%s record: %s needs --customers (without it record appends to the log unchecked)\n", PROG,
                         book_only);
    world w;
    int ex = world_open("record", a, a->customers != NULL, &w);
    if (ex == CLI_OK && a->if_allowed) {
        fu_guard_decision d;
        int rc = fu_guard_check_and_record(w.guard, &r, &d);
        if (rc) {
            cli_error("record");
            ex = cli_exit_code(rc);
        } else {
            ex = print_decision(&w, r.customer_id, r.channel, r.at, &d, fmt);
        }
    } else if (ex == CLI_OK) {
        int64_t seq = 0;
        int rc = w.guard ? fu_guard_record(w.guard, &r, 1) : fu_contact_log_append(w.log, &r, 1, &seq);
        if (rc) {
            cli_error("record");
            ex = cli_exit_code(rc);
        } else if (fmt != CLI_FORMAT_TABLE) { /* the record as `guard log` writes it */
            log_out out = {log_table(), 0, w.book, NULL, NULL, NULL};
            if (w.policy) out.fallback = fu_policy_calendar(w.policy, NULL);
            r.seq = seq;
            if (!out.t || log_row(&out, &r)) ex = CLI_INTERNAL;
            else ex = cli_table_write(out.t, fmt, stdout, 0);
            cli_table_free(out.t);
            fu_calendar_free(out.cal);
        } else if (seq) {
            printf("recorded #%lld\n", (long long)seq);
        } else {
            printf("recorded\n");
        }
    }
    world_free(&w);
    return ex;
}

/* The book and policy of `guard log --customers`: read as check reads them
 * (--events, --create-customers, --policy), so that log writes a customer's
 * times in the offset check writes them in. CLI_OK or an exit code after a
 * message; on failure both are freed. */
static int log_book(const args *a, fu_policy **policy, fu_book **book) {
    int rc = cli_policy_load(a->policy, policy);
    if (rc) return cli_exit_code(rc);
    fu_book_options bo = FU_BOOK_OPTIONS_INIT;
    if (a->create_customers) bo.flags |= FU_BOOK_CREATE_CUSTOMERS;
    if ((rc = cli_book_read(book, &bo, a->customers, a->events, 1))) {
        cli_error("book");
        fu_policy_free(*policy);
        *policy = NULL;
        return cli_exit_code(rc);
    }
    return CLI_OK;
}

static int run_log(const args *a) {
    if (need("log", a->log, "--log")) return CLI_USAGE;
    if ((a->events || a->create_customers || a->policy) && !a->customers)
        return cli_usage("%s log: %s needs --customers (log reads the book only for the customers' offsets)\n",
                         PROG, a->events ? "--events" : a->create_customers ? "--create-customers" : "--policy");
    cli_format fmt = CLI_FORMAT_TABLE;
    if (a->format && cli_format_parse(a->format, &fmt)) return CLI_USAGE;
    long long after = 0;
    if (a->after) {
        char *end;
        after = strtoll(a->after, &end, 10);
        if (*end || end == a->after || after < 0)
            return cli_usage("%s log: --after: '%s' is not a record number >= 0\n", PROG, a->after);
    }
    fu_contact_log *l = NULL;
    fu_contact_log_options o = FU_CONTACT_LOG_OPTIONS_INIT;
    o.flags = FU_CONTACT_LOG_READONLY;
    int absent = 0, rc = FU_OK, ex = check_log_path("log", a->log, a->new_log != NULL, &absent);
    if (ex) return ex;
    if (!absent && (rc = fu_contact_log_open(&l, a->log, &o))) {
        cli_error(a->log);
        return cli_exit_code(rc);
    }
    fu_book *book = NULL;
    fu_policy *policy = NULL;
    if (a->customers && (ex = log_book(a, &policy, &book))) {
        fu_contact_log_close(l);
        return ex;
    }
    log_out out = {log_table(), 0, book, policy ? fu_policy_calendar(policy, NULL) : NULL, NULL, NULL};
    if (!out.t) ex = CLI_INTERNAL;
    else if (l && (rc = fu_contact_log_read(l, after, a->customer, log_row, &out))) {
        if (out.failed) ex = CLI_INTERNAL;
        else {
            cli_error("log");
            ex = cli_exit_code(rc);
        }
    } else {
        ex = cli_table_write(out.t, fmt, stdout, 0);
    }
    cli_table_free(out.t);
    fu_calendar_free(out.cal);
    fu_book_free(book);
    fu_policy_free(policy);
    fu_contact_log_close(l);
    return ex;
}

static int run(int argc, char **argv) {
    if (argc < 2 || cli_is_help(argv[1])) {
        help(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    if (!takes(argv[1])) return cli_usage("%s: unknown subcommand '%s' (check, record or log)\n", PROG, argv[1]);
    for (int i = 2; i < argc; i++)
        if (cli_is_help(argv[i])) {
            help_sub(stdout, argv[1]);
            return CLI_OK;
        }
    args a;
    if (parse(argc, argv, &a)) return CLI_USAGE;
    if (a.create_customers && !a.events && a.customers) /* ignored (without --customers: the subcommand's message) */
        return cli_usage("%s %s: --create-customers needs --events (only events create customers)\n", PROG, argv[1]);
    if (strcmp(argv[1], "check") == 0) return run_check(&a);
    if (strcmp(argv[1], "record") == 0) return run_record(&a);
    if (strcmp(argv[1], "log") == 0) return run_log(&a);
    return cli_usage("%s: unknown subcommand '%s' (check, record or log)\n", PROG, argv[1]);
}

const cli_command cli_cmd_guard = {"guard", "may I contact now? check, record and list contacts", run, help};
