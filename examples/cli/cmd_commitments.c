/* followup commitments — the commitment ledger (fu_commit): extract promises
 * from notes, add, list, fulfil, cancel and report what is due or overdue. */
#include "cli.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define PROG "followup commitments"


/* ------------------------------------------------------------------ help */

static const char k_common_help[] =
    "common options:\n"
    "  --policy FILE      policy (default: the built-in policy): escalation rules,\n"
    "                     extraction patterns, calendar, redaction\n"
    "  --format F         table, csv or json (default: table)\n";

static void help_extract(FILE *out) {
    fprintf(out,
            "usage: followup commitments extract --notes CSV --ledger FILE [options]\n"
            "\n"
            "Find promises (\"3个工作日内解决\", \"within 2 business days\", \"by Friday\", ...)\n"
            "in a notes CSV (columns customer_id, at, note; others ignored) with the\n"
            "policy's patterns, date them in each customer's calendar and add them to\n"
            "the ledger in one transaction (all or nothing). The ledger stores the whole\n"
            "note as the commitment's text, masked (phone numbers, e-mail, IDs, cards)\n"
            "unless the policy's redaction is disabled. Risky phrases the policy flags\n"
            "(\"保证今天修好\", \"guarantee\") are printed with their rule. A promise the\n"
            "ledger already holds (same customer, note time, rule and deadline) is\n"
            "not stored again: extracting one file twice stores each promise once.\n"
            "A count that cannot be dated (\"1.5个工作日\", an order number read as a\n"
            "count) is printed as a risk and the other notes are stored.\n"
            "\n"
            "options:\n"
            "  --notes CSV        notes to read, required\n"
            "  --ledger FILE      SQLite ledger, created when absent (required unless --dry-run)\n"
            "  --customers CSV    customers (customer_id, tz): each note is dated in its\n"
            "                     customer's zone; without it, in the policy's\n"
            "                     commitments calendar. A note naming a customer not\n"
            "                     in it fails the command (exit 3, unknown customer)\n"
            "  --owner DEPT       owner department of the new commitments (default: none)\n"
            "  --by WHO           recorded as their creator (default: \"extract\")\n"
            "  --dry-run          print what would be stored, store nothing\n"
            "%s"
            "\n"
            "Output: one row per promise (kind promise) and per risky phrase (kind\n"
            "risk), with the CSV line, the matched text, the rule, the deadline, the\n"
            "risk rules found in the same note and the new commitment's id.\n",
            k_common_help);
}

static void help_add(FILE *out) {
    fprintf(out,
            "usage: followup commitments add --ledger FILE --customer ID --text TEXT\n"
            "                                (--deadline ISO | --within DURATION) [options]\n"
            "\n"
            "Register one commitment. --within counts from --at in the policy's\n"
            "commitments calendar (or the customer's zone with --customers):\n"
            "`3 working days`, `4 business hours`, `24h`, `1 month`.\n"
            "\n"
            "options:\n"
            "  --ledger FILE      SQLite ledger, created when absent, required\n"
            "  --customer ID      customer id, required\n"
            "  --text TEXT        the promise (masked before it is stored), required\n"
            "  --deadline ISO     deadline with an offset (2026-11-23T18:00:00+08:00)\n"
            "  --within DURATION  promised duration from --at\n"
            "  --category C       e.g. repair, refund\n"
            "  --owner DEPT       responsible department\n"
            "  --at ISO           when the promise was made (default: now)\n"
            "  --by WHO           who made it\n"
            "  --customers CSV    customers (customer_id, tz) for the customer's zone\n"
            "%s",
            k_common_help);
}

static void help_list(FILE *out) {
    fprintf(out,
            "usage: followup commitments list --ledger FILE [options]\n"
            "\n"
            "List the commitments of a ledger (opened read-only), by deadline. States\n"
            "are as last stored: `report` applies the escalation rules first.\n"
            "\n"
            "options:\n"
            "  --ledger FILE      SQLite ledger, required\n"
            "  --state S          open, breached, fulfilled or cancelled\n"
            "  --customer ID      only this customer\n"
            "  --owner DEPT       only this owner department\n"
            "%s",
            k_common_help);
}

static void help_close(FILE *out, const char *verb) {
    fprintf(out,
            "usage: followup commitments %s ID --ledger FILE [--at ISO] [--by WHO]\n"
            "\n"
            "Mark commitment ID %s at --at (default: now). The escalation rules are\n"
            "applied up to that instant first, so a late %s keeps its breach in the\n"
            "history. Exit code 1 when it is already fulfilled or cancelled.\n"
            "\n"
            "options:\n"
            "  --ledger FILE      SQLite ledger, required\n"
            "  --at ISO           when (default: now)\n"
            "  --by WHO           who acted\n"
            "%s",
            verb, strcmp(verb, "fulfill") == 0 ? "fulfilled" : "cancelled",
            strcmp(verb, "fulfill") == 0 ? "fulfilment" : "cancellation", k_common_help);
}

static void help_fulfill(FILE *out) { help_close(out, "fulfill"); }
static void help_cancel(FILE *out) { help_close(out, "cancel"); }

static void help_report(FILE *out) {
    fprintf(out,
            "usage: followup commitments report --ledger FILE --at ISO [options]\n"
            "\n"
            "Print, as the escalation rules make it at --at (warnings, breaches,\n"
            "escalation levels), what is due in the next 24 hours, what is at risk,\n"
            "what is overdue (with its escalation level) and the on-time rate of the\n"
            "commitments due so far. The ledger is opened read-only and nothing is\n"
            "written (it works on a ledger in a read-only directory), unless --record\n"
            "is given: then the rule events up to --at are stored with their rule.\n"
            "\n"
            "options:\n"
            "  --ledger FILE      SQLite ledger, required (an existing ledger)\n"
            "  --at ISO           the instant to report at, required\n"
            "  --since ISO        on-time rate only of deadlines from then on\n"
            "  --record           store the escalation events up to --at (opens the\n"
            "                     ledger for writing)\n"
            "  --customers CSV    with --events and --record: the book whose\n"
            "  --events CSV       resolutions close promises: before the rule events,\n"
            "                     every open or breached promise answered by a\n"
            "                     `resolved` event (a fault by a `repair`) by --at is\n"
            "                     fulfilled at the resolution (docs/commitments.md\n"
            "                     \"Resolutions in the book close promises\"); an\n"
            "                     event naming a customer not in --customers fails\n"
            "                     the command (exit 3, unknown customer)\n"
            "%s"
            "\n"
            "csv: one table with a `section` column (due_24h, at_risk, overdue); the\n"
            "on-time rate goes to stderr. json: an object {due_24h, at_risk, overdue,\n"
            "on_time}.\n",
            k_common_help);
}

typedef struct subcommand {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
    void (*help)(FILE *out);
} subcommand;

static int run_extract(int argc, char **argv);
static int run_add(int argc, char **argv);
static int run_list(int argc, char **argv);
static int run_fulfill(int argc, char **argv);
static int run_cancel(int argc, char **argv);
static int run_report(int argc, char **argv);

static const subcommand k_subs[] = {
    {"extract", "find promises in a notes CSV and add them to the ledger", run_extract, help_extract},
    {"add", "register one commitment", run_add, help_add},
    {"list", "list commitments by state, customer or owner", run_list, help_list},
    {"fulfill", "mark a commitment fulfilled", run_fulfill, help_fulfill},
    {"cancel", "cancel a commitment", run_cancel, help_cancel},
    {"report", "escalate to an instant; due, at risk, overdue, on-time rate", run_report, help_report},
};
#define NSUBS (sizeof k_subs / sizeof k_subs[0])

static void help(FILE *out) {
    fprintf(out,
            "usage: followup commitments <subcommand> [options]\n"
            "\n"
            "Track what was promised to customers: deadlines in business time,\n"
            "warnings, breaches and escalation (docs/commitments.md).\n"
            "\n"
            "subcommands:\n");
    for (size_t i = 0; i < NSUBS; i++) fprintf(out, "  %-9s %s\n", k_subs[i].name, k_subs[i].summary);
    fprintf(out,
            "\n"
            "Run 'followup commitments <subcommand> --help' for its options.\n"
            "Texts are masked before they are stored or printed. Times are printed in\n"
            "the customer's zone (extract) or the policy's commitments calendar.\n"
            "Exit codes: 0 ok, 1 the commitment is closed already, 2 usage, 3 bad\n"
            "input or ledger, 4 internal.\n");
}

/* --------------------------------------------------------------- options */

enum {
    O_POLICY, O_FORMAT, O_LEDGER, O_NOTES, O_CUSTOMERS, O_CUSTOMER, O_TEXT, O_DEADLINE, O_WITHIN,
    O_CATEGORY, O_OWNER, O_AT, O_BY, O_STATE, O_SINCE, O_DRY_RUN, O_RECORD, O_EVENTS, O_COUNT
};
#define BIT(o) (1u << (o))
#define COMMON (BIT(O_POLICY) | BIT(O_FORMAT) | BIT(O_LEDGER))

typedef struct args {
    const char *v[O_COUNT]; /* value, or "1" for a given flag; NULL when absent */
    const char *id;         /* the positional ID of fulfill / cancel */
    cli_format fmt;
} args;

/* One table for every subcommand (each help_* says which apply). */
#define O(o, name, arg) {name, arg, "", offsetof(args, v) + (o) * sizeof(const char *), NULL}
static const cli_option k_opts[O_COUNT] = {
    O(O_POLICY, "--policy", "FILE"),     O(O_FORMAT, "--format", "F"),       O(O_LEDGER, "--ledger", "FILE"),
    O(O_NOTES, "--notes", "CSV"),        O(O_CUSTOMERS, "--customers", "CSV"), O(O_CUSTOMER, "--customer", "ID"),
    O(O_TEXT, "--text", "TEXT"),         O(O_DEADLINE, "--deadline", "ISO"), O(O_WITHIN, "--within", "DURATION"),
    O(O_CATEGORY, "--category", "C"),    O(O_OWNER, "--owner", "DEPT"),      O(O_AT, "--at", "ISO"),
    O(O_BY, "--by", "WHO"),              O(O_STATE, "--state", "S"),         O(O_SINCE, "--since", "ISO"),
    O(O_DRY_RUN, "--dry-run", NULL),     O(O_RECORD, "--record", NULL),         O(O_EVENTS, "--events", "CSV"),
};
#undef O

/* Parse argv[1..] of a subcommand (argv[0] is its name). */
static int parse_args(int argc, char **argv, unsigned allowed, int want_id, args *a) {
    char prog[64];
    snprintf(prog, sizeof prog, PROG " %s", argv[0]);
    memset(a, 0, sizeof *a);
    a->fmt = CLI_FORMAT_TABLE;
    size_t nid = 0, n = 0;
    const char *takes[O_COUNT + 1]; /* the options of `allowed`: another is refused, naming these */
    for (int o = 0; o < O_COUNT; o++)
        if (allowed & BIT(o)) takes[n++] = k_opts[o].name;
    takes[n] = NULL;
    int ec = cli_parse_options_for(prog, k_opts, O_COUNT, takes, argc, argv, 1, a, &a->id, want_id ? 1 : 0, &nid);
    static const int texts[] = {O_CUSTOMER, O_TEXT, O_CATEGORY, O_OWNER, O_BY}; /* stored: named if not UTF-8 */
    for (size_t i = 0; i < sizeof texts / sizeof texts[0] && !ec; i++)
        ec = cli_text_option(prog, k_opts[texts[i]].name, a->v[texts[i]]);
    if (ec) return ec;
    if (a->v[O_FORMAT] && cli_format_parse(a->v[O_FORMAT], &a->fmt) != 0)
        return cli_usage(PROG " %s: bad value '%s' for --format (table, csv or json)\n", argv[0], a->v[O_FORMAT]);
    return CLI_OK;
}

static int require(const args *a, const char *sub, int o) {
    if (a->v[o]) return 0;
    fprintf(stderr, PROG " %s: %s is required (see --help)\n", sub, k_opts[o].name);
    return 1;
}

static int parse_time_opt(const char *sub, const char *opt, const char *text, int64_t *out) {
    if (fu_time_parse(text, strlen(text), out) == FU_OK) return CLI_OK;
    char ctx[64];
    snprintf(ctx, sizeof ctx, "%s %s", sub, opt);
    cli_error(ctx);
    return CLI_USAGE;
}

/* Map a failure to an exit code after printing it. */
static int fail(const char *context, int rc) {
    cli_error(context);
    return rc == FU_ESTATE ? CLI_FAIL : cli_exit_code(rc);
}

/* ------------------------------------------------------------ the setting */

/* The policy, the calendar times are shown in, and the redactor. */
typedef struct setting {
    fu_policy *policy;
    const fu_calendar *cal; /* the policy's commitments calendar, borrowed */
    const char *cal_name;
    fu_redactor *redactor;
    fu_date data_until; /* the calendar's official data ends (year 0: never) */
} setting;

static void setting_free(setting *s) {
    fu_redactor_free(s->redactor);
    fu_policy_free(s->policy);
}

static int setting_load(const args *a, setting *s) {
    memset(s, 0, sizeof *s);
    const char *path = a->v[O_POLICY];
    int rc = cli_policy_load(path, &s->policy);
    if (rc != FU_OK) return rc == FU_ENOMEM ? CLI_INTERNAL : CLI_INPUT;
    s->cal_name = NULL;
    if (fu_policy_get_string(s->policy, "commitments.calendar", &s->cal_name) != FU_OK) s->cal_name = NULL;
    s->cal = fu_policy_calendar(s->policy, s->cal_name);
    if (s->cal && fu_policy_calendar_data_until(s->policy, s->cal_name, &s->data_until) != FU_OK) {
        fu_error_clear();
        memset(&s->data_until, 0, sizeof s->data_until);
    }
    if (!s->cal) {
        cli_error("policy: commitments.calendar");
        return CLI_INPUT;
    }
    /* The policy's redaction section decides what is masked; with
     * `enabled: false` nothing is (the site's explicit opt-out). */
    rc = fu_redactor_new_from_policy(&s->redactor, s->policy);
    if (rc != FU_OK) {
        cli_error("policy: redaction");
        return rc == FU_ENOMEM ? CLI_INTERNAL : CLI_INPUT;
    }
    return CLI_OK;
}

/* `t` in the offset `cal` has at that instant. */
static void fmt_time(const fu_calendar *cal, int64_t t, char *buf) {
    int off = 0;
    if (t == FU_COMMIT_NO_TIME) {
        buf[0] = '\0';
        return;
    }
    if (cal) fu_calendar_utc_offset(cal, t, &off);
    if (fu_time_format(t, off, FU_TIME_FORMAT_Z, buf, FU_TIME_TEXT_SIZE) != FU_OK) strcpy(buf, "?");
}

/* ------------------------------------------------------------ the ledger */

static int file_exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0;
}

/* A clear message for the usual mistakes before SQLite gives its own. */
static int check_ledger_path(const char *sub, const char *path, int create) {
    if (file_exists(path)) return CLI_OK;
    if (!create) {
        fprintf(stderr, PROG " %s: ledger '%s' does not exist\n", sub, path);
        return CLI_INPUT;
    }
    size_t n = strlen(path);
    char *dir = malloc(n + 2);
    if (!dir) return CLI_INTERNAL;
    memcpy(dir, path, n + 1);
    char *slash = strrchr(dir, '/');
    int ok = 1;
    if (slash) {
        if (slash == dir) slash[1] = '\0';
        else *slash = '\0';
        struct stat st;
        ok = stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
        if (!ok)
            fprintf(stderr, PROG " %s: cannot create ledger '%s': directory '%s' does not exist\n", sub, path, dir);
    }
    free(dir);
    return ok ? CLI_OK : CLI_INPUT;
}

static int open_ledger(const char *sub, const setting *s, const char *path, unsigned flags, int create,
                       fu_ledger **out) {
    int ec = check_ledger_path(sub, path, create);
    if (ec != CLI_OK) return ec;
    fu_ledger_options o;
    int rc = fu_ledger_options_from_policy(s->policy, &o);
    if (rc == FU_OK) {
        o.flags |= flags;
        o.redactor = s->redactor;
        rc = fu_ledger_open(out, path, &o);
    }
    if (rc != FU_OK) {
        char ctx[512];
        snprintf(ctx, sizeof ctx, "%s: ledger '%s'", sub, path);
        cli_error(ctx);
        return rc == FU_ENOMEM ? CLI_INTERNAL : CLI_INPUT;
    }
    return CLI_OK;
}

/* ------------------------------------------------------- customer calendars */

/* A customer's calendar: the policy calendar whose zone is the customer's
 * (with its holidays and make-up days), else the customer's own zone with
 * the weekly hours of the commitments calendar (fu_policy_calendar_in_zone;
 * docs/commitments.md), one per zone. */
typedef struct zone {
    char *tz;
    fu_calendar *cal;
} zone;

typedef struct zones {
    zone *z;
    size_t n, cap;
} zones;

static void zones_free(zones *zs) {
    for (size_t i = 0; i < zs->n; i++) {
        free(zs->z[i].tz);
        fu_calendar_free(zs->z[i].cal);
    }
    free(zs->z);
}

static int zone_calendar(const setting *s, zones *zs, const char *tz, const fu_calendar **out) {
    for (size_t i = 0; i < zs->n; i++)
        if (strcmp(zs->z[i].tz, tz) == 0) {
            *out = zs->z[i].cal;
            return FU_OK;
        }
    if (zs->n == zs->cap) {
        size_t cap = zs->cap ? zs->cap * 2 : 16;
        zone *nz = realloc(zs->z, cap * sizeof *nz);
        if (!nz) return FU_ENOMEM;
        zs->z = nz;
        zs->cap = cap;
    }
    zone z = {NULL, NULL};
    if (!(z.tz = malloc(strlen(tz) + 1))) return FU_ENOMEM;
    strcpy(z.tz, tz);
    int rc = fu_policy_calendar_in_zone(s->policy, s->cal_name, tz, &z.cal);
    if (rc != FU_OK) {
        free(z.tz);
        return rc;
    }
    zs->z[zs->n++] = z;
    *out = z.cal;
    return FU_OK;
}

/* The calendar of customer `id` (`book` may be NULL: the policy calendar). */
static int customer_calendar(const setting *s, zones *zs, const fu_book *book, const char *id,
                             const fu_calendar **out) {
    if (!book) {
        *out = s->cal;
        return FU_OK;
    }
    size_t idx;
    int rc = fu_book_find_customer(book, id, strlen(id), &idx);
    if (rc != FU_OK) return rc;
    const fu_customer *c = fu_book_customer(book, idx);
    if (!c || !c->tz) {
        *out = s->cal;
        return FU_OK;
    }
    return zone_calendar(s, zs, c->tz, out);
}

static int load_customers(const char *path, fu_book **out) {
    int rc = fu_book_new(out, NULL);
    if (rc == FU_OK) rc = fu_book_read_customers_csv(*out, path);
    if (rc != FU_OK) {
        cli_error("customers");
        fu_book_free(*out);
        *out = NULL;
        return rc == FU_ENOMEM ? CLI_INTERNAL : CLI_INPUT;
    }
    return CLI_OK;
}

/* A book of customers and their events (--customers, --events), finalized. */
static int load_book(const char *customers, const char *events, fu_book **out) {
    int ec = load_customers(customers, out);
    if (ec != CLI_OK) return ec;
    int rc = fu_book_read_events_csv(*out, events);
    if (rc == FU_OK) rc = fu_book_finalize(*out);
    if (rc != FU_OK) {
        cli_error("events");
        fu_book_free(*out);
        *out = NULL;
        return rc == FU_ENOMEM ? CLI_INTERNAL : CLI_INPUT;
    }
    return CLI_OK;
}

/* Mask a short text for printing; the caller frees it with fu_free(). */
static char *masked(fu_redactor *r, const char *text) {
    char *m = NULL;
    if (fu_redactor_apply(r, text, strlen(text), NULL, &m) != FU_OK) return NULL;
    return m;
}

/* -------------------------------------------------------------- extract */

typedef struct found {
    int kind; /* 0 promise, 1 risk */
    unsigned long line;
    char *customer_id;
    char *note;
    char *text; /* the matched span, masked */
    char *rule;
    char *risk; /* promise: risk rules of the note; risk: its reason */
    int64_t at, deadline;
    const fu_calendar *cal;
    int64_t id;
} found;

typedef struct found_list {
    found *f;
    size_t n, cap;
} found_list;

static void found_list_free(found_list *l) {
    for (size_t i = 0; i < l->n; i++) {
        free(l->f[i].customer_id);
        free(l->f[i].note);
        fu_free(l->f[i].text);
        free(l->f[i].rule);
        free(l->f[i].risk);
    }
    free(l->f);
}

static char *dup_n(const char *s, size_t n) {
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

static char *dup_s(const char *s) { return dup_n(s ? s : "", strlen(s ? s : "")); }

static int found_add(found_list *l, found *f) {
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        found *nf = realloc(l->f, cap * sizeof *nf);
        if (!nf) return -1;
        l->f = nf;
        l->cap = cap;
    }
    l->f[l->n++] = *f;
    return 0;
}

/* The rules of a note's risks, joined by ';' (static buffer of `size`). */
static void risk_rules(const fu_extraction *x, char *buf, size_t size) {
    buf[0] = '\0';
    for (size_t i = 0; i < fu_extraction_risk_count(x); i++) {
        const fu_risk *r = fu_extraction_risk(x, i);
        size_t used = strlen(buf);
        if (strstr(buf, r->rule)) continue;
        snprintf(buf + used, size - used, "%s%s", used ? ";" : "", r->rule);
    }
}

/* Copy the current error's message, then set it again at `field` of the note. */
static int error_at_field(const fu_note *n, fu_note_field field, int rc, const char *what) {
    char msg[1024];
    snprintf(msg, sizeof msg, "%s", fu_error_last()->message);
    return fu_note_error(n, field, rc, "%s%s", what, msg);
}

/* Turn the promises and risks of one note into rows. */
static int note_rows(fu_redactor *red, const fu_extraction *x, unsigned long line, const char *cust,
                     const char *note, size_t note_len, int64_t at, const fu_calendar *cal, found_list *out) {
    char rules[512];
    risk_rules(x, rules, sizeof rules);
    for (size_t k = 0; k < fu_extraction_promise_count(x) + fu_extraction_risk_count(x); k++) {
        found f;
        memset(&f, 0, sizeof f);
        f.line = line;
        f.at = at;
        f.cal = cal;
        f.id = 0;
        const char *text, *rule, *risk;
        if (k < fu_extraction_promise_count(x)) {
            const fu_promise *p = fu_extraction_promise(x, k);
            f.kind = 0;
            f.deadline = p->deadline;
            text = p->text;
            rule = p->rule;
            risk = rules;
        } else {
            const fu_risk *r = fu_extraction_risk(x, k - fu_extraction_promise_count(x));
            if (strcmp(r->rule, "min_lead") == 0) continue; /* shown on its promise */
            f.kind = 1;
            f.deadline = FU_COMMIT_NO_TIME;
            text = r->text;
            rule = r->rule;
            risk = r->reason;
        }
        f.customer_id = dup_s(cust);
        f.note = dup_n(note, note_len);
        f.text = masked(red, text);
        f.rule = dup_s(rule);
        f.risk = dup_s(risk);
        if (!f.customer_id || !f.note || !f.text || !f.rule || !f.risk || found_add(out, &f) != 0) {
            free(f.customer_id);
            free(f.note);
            fu_free(f.text);
            free(f.rule);
            free(f.risk);
            return FU_ENOMEM;
        }
    }
    return FU_OK;
}

/* Read the notes CSV (fu_notes_read_csv: errors name file, line and
 * column) and extract; the rows borrow their calendars from `zs`. */
typedef struct notes_ctx {
    const setting *s;
    const fu_book *book;
    zones *zs;
    fu_extractor *ex;
    found_list *out;
    size_t n_notes;
} notes_ctx;

static int note_extract(const fu_note *n, void *ud) {
    notes_ctx *c = ud;
    const fu_calendar *cal = NULL;
    int rc = customer_calendar(c->s, c->zs, c->book, n->customer_id, &cal);
    if (rc != FU_OK) {
        if (rc == FU_ENOTFOUND)
            return fu_note_error(n, FU_NOTE_CUSTOMER_ID, rc, "customer '%s' is not in the customers file",
                                 n->customer_id);
        if (rc == FU_ENOMEM) return fu_error_set(FU_ENOMEM, "out of memory");
        return error_at_field(n, FU_NOTE_CUSTOMER_ID, rc, "the customer's calendar: ");
    }
    fu_extraction *x = NULL;
    if ((rc = fu_extractor_run(c->ex, cal, n->text, n->text_len, n->at, &x)) != FU_OK)
        return error_at_field(n, FU_NOTE_TEXT, rc, "");
    rc = note_rows(c->s->redactor, x, n->record_line, n->customer_id, n->text, n->text_len, n->at, cal, c->out);
    if (rc == FU_ENOMEM) rc = fu_error_set(FU_ENOMEM, "out of memory");
    fu_extraction_free(x);
    c->n_notes++;
    return rc;
}

static int read_notes(const setting *s, const char *path, const fu_book *book, zones *zs, found_list *out,
                      size_t *n_notes) {
    notes_ctx c = {s, book, zs, NULL, out, 0};
    int rc = fu_extractor_new_from_policy(&c.ex, s->policy);
    if (rc == FU_OK) rc = fu_notes_read_csv(path, note_extract, &c);
    fu_extractor_free(c.ex);
    *n_notes = c.n_notes;
    return rc;
}

/* A promise already in the ledger: the same customer, note time, rule and
 * deadline as an unresolved or resolved commitment there not matched yet
 * (`used`). Running extract twice over one notes file then stores nothing
 * the second time; two equal promises in one note stay two. */
static int64_t already_stored(const fu_commitment_list *have, unsigned char *used, const found *f) {
    for (size_t j = 0; j < fu_commitment_list_count(have); j++) {
        const fu_commitment *c = fu_commitment_list_get(have, j);
        if (!used[j] && c->created_at == f->at && c->deadline == f->deadline && strcmp(c->rule, f->rule) == 0) {
            used[j] = 1;
            return c->id;
        }
    }
    return 0;
}

/* Mark the promises of customer `cust` that the ledger already holds (their
 * id set, `skip` 1); the others are left to store. */
static int mark_stored(fu_ledger *l, found_list *fl, size_t from, const char *cust, unsigned char *skip,
                       size_t *known) {
    fu_commit_query q = FU_COMMIT_QUERY_INIT;
    q.customer_id = cust;
    fu_commitment_list *have = NULL;
    int rc = fu_ledger_query(l, &q, &have);
    if (rc != FU_OK) return rc;
    size_t n = fu_commitment_list_count(have);
    unsigned char *used = n ? calloc(n, 1) : NULL;
    if (n && !used) {
        fu_commitment_list_free(have);
        return fu_error_set(FU_ENOMEM, "out of memory");
    }
    for (size_t i = from; i < fl->n; i++) {
        found *f = &fl->f[i];
        if (f->kind != 0 || skip[i] || strcmp(f->customer_id, cust) != 0) continue;
        skip[i] = 2; /* looked at */
        int64_t id = n ? already_stored(have, used, f) : 0;
        if (id) {
            f->id = id;
            skip[i] = 1;
            (*known)++;
        }
    }
    free(used);
    fu_commitment_list_free(have);
    return FU_OK;
}

static int store_found(fu_ledger *l, const args *a, found_list *fl, size_t *stored, size_t *known) {
    *stored = *known = 0;
    unsigned char *skip = fl->n ? calloc(fl->n, 1) : NULL;
    if (fl->n && !skip) return fu_error_set(FU_ENOMEM, "out of memory");
    int rc = FU_OK;
    for (size_t i = 0; i < fl->n && rc == FU_OK; i++)
        if (fl->f[i].kind == 0 && !skip[i]) rc = mark_stored(l, fl, i, fl->f[i].customer_id, skip, known);
    size_t n = 0;
    for (size_t i = 0; i < fl->n; i++) n += fl->f[i].kind == 0 && skip[i] != 1;
    if (rc != FU_OK || !n) {
        free(skip);
        return rc;
    }
    fu_commit_input *in = calloc(n, sizeof *in);
    int64_t *ids = calloc(n, sizeof *ids);
    if (!in || !ids) {
        free(in);
        free(ids);
        free(skip);
        return fu_error_set(FU_ENOMEM, "out of memory");
    }
    size_t k = 0;
    for (size_t i = 0; i < fl->n; i++) {
        const found *f = &fl->f[i];
        if (f->kind != 0 || skip[i] == 1) continue;
        fu_commit_input def = FU_COMMIT_INPUT_INIT;
        in[k] = def;
        in[k].customer_id = f->customer_id;
        in[k].text = f->note; /* the whole note: the ledger masks it */
        in[k].owner = a->v[O_OWNER];
        in[k].created_by = a->v[O_BY] ? a->v[O_BY] : "extract";
        in[k].created_at = f->at;
        in[k].deadline = f->deadline;
        in[k].calendar = f->cal;
        in[k].rule = f->rule;
        k++;
    }
    rc = fu_ledger_add_bulk(l, in, n, ids);
    if (rc == FU_OK) {
        k = 0;
        for (size_t i = 0; i < fl->n; i++)
            if (fl->f[i].kind == 0 && skip[i] != 1) fl->f[i].id = ids[k++];
        *stored = n;
    }
    free(in);
    free(ids);
    free(skip);
    return rc;
}

/* "past_calendar_data" when the deadline's local date in the commitments
 * calendar lies after the calendar's official data (calendars.<name>.data_until):
 * a working-day deadline there ignores holidays and make-up days. */
static const char *deadline_flag(const setting *s, int64_t deadline) {
    fu_local lt;
    const fu_date *u = &s->data_until;
    if (!u->year || deadline == FU_COMMIT_NO_TIME || fu_calendar_to_local(s->cal, deadline, &lt) != FU_OK) {
        fu_error_clear();
        return "";
    }
    int after = lt.year != u->year ? lt.year > u->year : lt.month != u->month ? lt.month > u->month : lt.day > u->day;
    return after ? "past_calendar_data" : "";
}

/* The extraction's rows; a promise whose deadline lies past the calendar's
 * official data is flagged as `list` flags it (review s9 F10): *n_past. */
static int print_found(const found_list *fl, const setting *s, cli_format fmt, size_t *n_past) {
    static const char *const hdr[] = {"line", "customer_id", "note_at", "kind",  "text",
                                      "rule", "deadline",    "risk",    "id",    "deadline_flag"};
    cli_table *t = cli_table_new(10, hdr);
    *n_past = 0;
    if (!t || cli_table_set_types(t, "nsssssSSnS")) {
        cli_table_free(t);
        return CLI_INTERNAL;
    }
    for (size_t i = 0; i < fl->n; i++) {
        const found *f = &fl->f[i];
        char line[24], id[24], at[FU_TIME_TEXT_SIZE], dl[FU_TIME_TEXT_SIZE];
        snprintf(line, sizeof line, "%lu", f->line);
        if (f->id > 0) snprintf(id, sizeof id, "%lld", (long long)f->id);
        else id[0] = '\0';
        fmt_time(f->cal, f->at, at);
        fmt_time(f->cal, f->deadline, dl);
        const char *flag = f->kind == 0 ? deadline_flag(s, f->deadline) : "";
        *n_past += flag[0] != '\0';
        const char *cells[] = {line, f->customer_id, at, f->kind ? "risk" : "promise", f->text, f->rule, dl, f->risk, id,
                               flag};
        if (cli_table_add(t, cells) != 0) {
            cli_table_free(t);
            return CLI_INTERNAL;
        }
    }
    int ec = cli_table_write(t, fmt, stdout, 0);
    cli_table_free(t);
    return ec;
}

static int run_extract(int argc, char **argv) {
    args a;
    int ec = parse_args(argc, argv,
                        COMMON | BIT(O_NOTES) | BIT(O_CUSTOMERS) | BIT(O_OWNER) | BIT(O_BY) | BIT(O_DRY_RUN), 0, &a);
    if (ec) return ec;
    int dry = a.v[O_DRY_RUN] != NULL;
    if (require(&a, "extract", O_NOTES) || (!dry && require(&a, "extract", O_LEDGER))) return CLI_USAGE;
    setting s;
    fu_book *book = NULL;
    fu_ledger *l = NULL;
    found_list fl = {NULL, 0, 0};
    zones zs = {NULL, 0, 0};
    size_t n_notes = 0, stored = 0, known = 0, risks = 0;
    if ((ec = setting_load(&a, &s)) != CLI_OK) goto done;
    /* Fail on a bad ledger path before reading anything. */
    if (!dry && (ec = check_ledger_path("extract", a.v[O_LEDGER], 1)) != CLI_OK) goto done;
    if (a.v[O_CUSTOMERS] && (ec = load_customers(a.v[O_CUSTOMERS], &book)) != CLI_OK) goto done;
    int rc = read_notes(&s, a.v[O_NOTES], book, &zs, &fl, &n_notes);
    if (rc != FU_OK) {
        ec = fail("extract", rc);
        goto done;
    }
    if (!dry) {
        if ((ec = open_ledger("extract", &s, a.v[O_LEDGER], 0, 1, &l)) != CLI_OK) goto done;
        if ((rc = store_found(l, &a, &fl, &stored, &known)) != FU_OK) {
            ec = fail("extract: storing", rc);
            goto done;
        }
    }
    size_t n_past = 0;
    if ((ec = print_found(&fl, &s, a.fmt, &n_past)) != CLI_OK) goto done;
    if (n_past)
        fprintf(stderr,
                PROG " extract: %zu deadline%s past the official data of calendar '%s' (%04d-%02d-%02d): working days "
                     "there ignore holidays and make-up days (deadline_flag past_calendar_data)\n",
                n_past, n_past == 1 ? " lies" : "s lie", s.cal_name ? s.cal_name : "default", s.data_until.year, s.data_until.month,
                s.data_until.day);
    for (size_t i = 0; i < fl.n; i++) risks += fl.f[i].kind == 1;
    char already[64] = "";
    if (known) snprintf(already, sizeof already, ", %zu already in the ledger", known);
    fprintf(stderr, PROG " extract: %zu notes, %zu promises (%zu stored%s%s), %zu risky phrases\n", n_notes,
            fl.n - risks, stored, already, dry ? ", dry run" : "", risks);
done:
    found_list_free(&fl);
    zones_free(&zs);
    fu_ledger_close(l);
    fu_book_free(book);
    setting_free(&s);
    return ec;
}

/* ------------------------------------------------------------ commitments */

static const char *const k_row_hdr[] = {"section", "id",       "customer_id", "state", "level", "created_at",
                                        "deadline", "closed_at", "owner",      "category", "rule", "text",
                                        "deadline_flag"};
#define ROW_COLS 12

static int add_commitment_row(cli_table *t, const setting *s, const char *section, const fu_commitment *c) {
    char id[24], level[16], created[FU_TIME_TEXT_SIZE], dl[FU_TIME_TEXT_SIZE], closed[FU_TIME_TEXT_SIZE];
    snprintf(id, sizeof id, "%lld", (long long)c->id);
    snprintf(level, sizeof level, "%d", c->level);
    fmt_time(s->cal, c->created_at, created);
    fmt_time(s->cal, c->deadline, dl);
    fmt_time(s->cal, c->closed_at, closed);
    const char *cells[] = {section, id, c->customer_id, fu_commit_state_name(c->state), level, created, dl, closed,
                           c->owner, c->category, c->rule, c->text, deadline_flag(s, c->deadline)};
    return cli_table_add(t, section ? cells : cells + 1);
}

static cli_table *commitment_table(int with_section) {
    static const char types[] = "snssnsSSSSSsS"; /* JSON types of k_row_hdr */
    cli_table *t = with_section ? cli_table_new(ROW_COLS + 1, k_row_hdr) : cli_table_new(ROW_COLS, k_row_hdr + 1);
    if (t && cli_table_set_types(t, with_section ? types : types + 1)) {
        cli_table_free(t);
        t = NULL;
    }
    return t;
}

/* Print a list of commitments as one table. */
static int print_list(const setting *s, const fu_commitment_list *list, int state, cli_format fmt) {
    cli_table *t = commitment_table(0);
    if (!t) return CLI_INTERNAL;
    for (size_t i = 0; i < fu_commitment_list_count(list); i++) {
        const fu_commitment *c = fu_commitment_list_get(list, i);
        if (state >= 0 && c->state != state) continue;
        if (add_commitment_row(t, s, NULL, c) != 0) {
            cli_table_free(t);
            return CLI_INTERNAL;
        }
    }
    int ec = cli_table_write(t, fmt, stdout, 0);
    cli_table_free(t);
    return ec;
}

static int parse_state(const char *text, int *out) {
    for (int st = 0; st < 4; st++)
        if (strcmp(text, fu_commit_state_name(st)) == 0) {
            *out = st;
            return 0;
        }
    return -1;
}

static int run_add(int argc, char **argv) {
    args a;
    int ec = parse_args(argc, argv,
                        COMMON | BIT(O_CUSTOMER) | BIT(O_TEXT) | BIT(O_DEADLINE) | BIT(O_WITHIN) | BIT(O_CATEGORY) |
                            BIT(O_OWNER) | BIT(O_AT) | BIT(O_BY) | BIT(O_CUSTOMERS),
                        0, &a);
    if (ec) return ec;
    if (require(&a, "add", O_LEDGER) || require(&a, "add", O_CUSTOMER) || require(&a, "add", O_TEXT)) return CLI_USAGE;
    if (!a.v[O_DEADLINE] == !a.v[O_WITHIN])
        return cli_usage(PROG " add: give exactly one of --deadline and --within\n");
    if (!a.v[O_CUSTOMER][0])
        return cli_usage(PROG " add: --customer is empty\n");
    if (!a.v[O_TEXT][strspn(a.v[O_TEXT], " \t\r\n")])
        return cli_usage(PROG " add: --text is empty (the promise's words are what the ledger keeps)\n");
    fu_commit_input in = FU_COMMIT_INPUT_INIT;
    in.created_at = (int64_t)time(NULL);
    if (a.v[O_AT] && (ec = parse_time_opt("add", "--at", a.v[O_AT], &in.created_at))) return ec;
    if (a.v[O_DEADLINE] && (ec = parse_time_opt("add", "--deadline", a.v[O_DEADLINE], &in.deadline))) return ec;
    if (a.v[O_WITHIN] && fu_duration_parse(a.v[O_WITHIN], strlen(a.v[O_WITHIN]), &in.promised) != FU_OK) {
        cli_error("add --within");
        return CLI_USAGE;
    }
    setting s;
    fu_book *book = NULL;
    fu_ledger *l = NULL;
    fu_commitment_list *list = NULL;
    zones zs = {NULL, 0, 0};
    if ((ec = setting_load(&a, &s)) != CLI_OK) goto done;
    if (a.v[O_CUSTOMERS] && (ec = load_customers(a.v[O_CUSTOMERS], &book)) != CLI_OK) goto done;
    int rc = customer_calendar(&s, &zs, book, a.v[O_CUSTOMER], &in.calendar);
    if (rc != FU_OK) {
        ec = fail("add --customer", rc);
        goto done;
    }
    if (a.v[O_WITHIN]) {
        /* a duration that parses but puts the deadline past the year 9999
         * is a bad option too (exit 2, like an unreadable one) */
        fu_deadline_rule rule = {FU_DEADLINE_IN, in.promised, 0, FU_MONDAY, 0};
        int64_t due = 0;
        char iso[FU_TIME_TEXT_SIZE];
        rc = fu_deadline_compute(&rule, 0, in.calendar, in.created_at, &due);
        if (rc == FU_OK) rc = fu_time_format(due, 0, FU_TIME_FORMAT_Z, iso, sizeof iso);
        if (rc != FU_OK) {
            if (rc == FU_ERANGE)
                ec = cli_usage(PROG " add: --within '%s' puts the deadline out of range (years 1..9999): %s\n",
                               a.v[O_WITHIN], fu_error_last()->message);
            else
                ec = cli_usage(PROG " add: --within '%s': %s\n", a.v[O_WITHIN], fu_error_last()->message);
            goto done;
        }
    }
    if ((ec = open_ledger("add", &s, a.v[O_LEDGER], 0, 1, &l)) != CLI_OK) goto done;
    in.customer_id = a.v[O_CUSTOMER];
    in.text = a.v[O_TEXT];
    in.category = a.v[O_CATEGORY];
    in.owner = a.v[O_OWNER];
    in.created_by = a.v[O_BY];
    int64_t id = 0;
    if ((rc = fu_ledger_add(l, &in, &id)) != FU_OK || (rc = fu_ledger_get(l, id, &list)) != FU_OK) {
        ec = fail("add", rc);
        goto done;
    }
    ec = print_list(&s, list, -1, a.fmt);
done:
    fu_commitment_list_free(list);
    fu_ledger_close(l);
    zones_free(&zs);
    fu_book_free(book);
    setting_free(&s);
    return ec;
}

static int run_list(int argc, char **argv) {
    args a;
    int ec = parse_args(argc, argv, COMMON | BIT(O_STATE) | BIT(O_CUSTOMER) | BIT(O_OWNER), 0, &a);
    if (ec) return ec;
    if (require(&a, "list", O_LEDGER)) return CLI_USAGE;
    int state = -1;
    if (a.v[O_STATE] && parse_state(a.v[O_STATE], &state) != 0)
        return cli_usage(PROG " list: bad --state '%s' (open, breached, fulfilled or cancelled)\n", a.v[O_STATE]);
    setting s;
    fu_ledger *l = NULL;
    fu_commitment_list *list = NULL;
    if ((ec = setting_load(&a, &s)) != CLI_OK) goto done;
    if ((ec = open_ledger("list", &s, a.v[O_LEDGER], FU_LEDGER_READONLY, 0, &l)) != CLI_OK) goto done;
    fu_commit_query q = FU_COMMIT_QUERY_INIT;
    q.owner = a.v[O_OWNER];
    q.customer_id = a.v[O_CUSTOMER];
    int rc = fu_ledger_query(l, &q, &list);
    if (rc != FU_OK) {
        ec = fail("list", rc);
        goto done;
    }
    ec = print_list(&s, list, state, a.fmt);
done:
    fu_commitment_list_free(list);
    fu_ledger_close(l);
    setting_free(&s);
    return ec;
}

static int run_close(int argc, char **argv, int fulfil) {
    const char *sub = fulfil ? "fulfill" : "cancel";
    args a;
    int ec = parse_args(argc, argv, COMMON | BIT(O_AT) | BIT(O_BY), 1, &a);
    if (ec) return ec;
    if (!a.id)
        return cli_usage(PROG " %s: the commitment ID is required (see --help)\n", sub);
    if (require(&a, sub, O_LEDGER)) return CLI_USAGE;
    char *end;
    errno = 0;
    long long id = strtoll(a.id, &end, 10);
    if (errno || *end || end == a.id || id <= 0)
        return cli_usage(PROG " %s: bad commitment ID '%s'\n", sub, a.id);
    int64_t at = (int64_t)time(NULL);
    if (a.v[O_AT] && (ec = parse_time_opt(sub, "--at", a.v[O_AT], &at))) return ec;
    setting s;
    fu_ledger *l = NULL;
    fu_commitment_list *list = NULL;
    if ((ec = setting_load(&a, &s)) != CLI_OK) goto done;
    if ((ec = open_ledger(sub, &s, a.v[O_LEDGER], 0, 0, &l)) != CLI_OK) goto done;
    int rc = fulfil ? fu_ledger_fulfill(l, id, at, a.v[O_BY]) : fu_ledger_cancel(l, id, at, a.v[O_BY]);
    if (rc == FU_OK) rc = fu_ledger_get(l, id, &list);
    if (rc != FU_OK) {
        ec = fail(sub, rc);
        goto done;
    }
    ec = print_list(&s, list, -1, a.fmt);
done:
    fu_commitment_list_free(list);
    fu_ledger_close(l);
    setting_free(&s);
    return ec;
}

static int run_fulfill(int argc, char **argv) { return run_close(argc, argv, 1); }
static int run_cancel(int argc, char **argv) { return run_close(argc, argv, 0); }

/* ---------------------------------------------------------------- report */

static const char *const sections[3] = {"due_24h", "at_risk", "overdue"};
static const char *const titles[3] = {"due in the next 24 hours", "at risk", "overdue"};

/* The report's three sections (due, at risk, overdue): CSV one table with a
 * section column, JSON the opening "{" and one array per section, the table
 * format a titled table per section. Every table is built and checked
 * before anything is written (no half document). CLI_OK or an exit code. */
static int print_sections(const setting *s, fu_commitment_list *const lists[3], cli_format fmt, const char *at_text) {
    cli_table *t[3] = {NULL, NULL, NULL};
    int ec = CLI_OK, n = fmt == CLI_FORMAT_CSV ? 1 : 3;
    for (int k = 0; k < n && ec == CLI_OK; k++)
        if (!(t[k] = commitment_table(fmt == CLI_FORMAT_CSV))) ec = CLI_INTERNAL;
    for (int k = 0; k < 3 && ec == CLI_OK; k++) {
        cli_table *into = fmt == CLI_FORMAT_CSV ? t[0] : t[k];
        for (size_t i = 0; i < fu_commitment_list_count(lists[k]) && ec == CLI_OK; i++)
            if (add_commitment_row(into, s, fmt == CLI_FORMAT_CSV ? sections[k] : NULL,
                                   fu_commitment_list_get(lists[k], i)) != 0)
                ec = CLI_INTERNAL;
    }
    for (int k = 0; k < n && ec == CLI_OK; k++) ec = cli_table_check(t[k], fmt);
    if (ec == CLI_OK && fmt == CLI_FORMAT_JSON) fputs("{", stdout);
    for (int k = 0; k < n && ec == CLI_OK; k++) {
        if (fmt == CLI_FORMAT_JSON) printf("%s\"%s\": ", k ? ", " : "", sections[k]);
        else if (fmt == CLI_FORMAT_TABLE)
            printf("%s%s at %s: %zu\n", k ? "\n" : "", titles[k], at_text, fu_commitment_list_count(lists[k]));
        if (fmt != CLI_FORMAT_TABLE || fu_commitment_list_count(lists[k])) ec = cli_table_write(t[k], fmt, stdout, 0);
    }
    for (int k = 0; k < 3; k++) cli_table_free(t[k]);
    return ec;
}

static int run_report(int argc, char **argv) {
    args a;
    int ec = parse_args(argc, argv, COMMON | BIT(O_AT) | BIT(O_SINCE) | BIT(O_RECORD) | BIT(O_CUSTOMERS) | BIT(O_EVENTS),
                        0, &a);
    if (ec) return ec;
    if (require(&a, "report", O_LEDGER) || require(&a, "report", O_AT)) return CLI_USAGE;
    int record = a.v[O_RECORD] != NULL;
    if (a.v[O_EVENTS] && (!record || !a.v[O_CUSTOMERS]))
        return cli_usage(PROG " report: --events needs --customers and --record (it fulfils promises in the ledger)\n");
    if (a.v[O_CUSTOMERS] && !a.v[O_EVENTS]) return cli_usage(PROG " report: --customers needs --events\n");
    int64_t at, since = INT64_MIN;
    if ((ec = parse_time_opt("report", "--at", a.v[O_AT], &at))) return ec;
    if (a.v[O_SINCE] && (ec = parse_time_opt("report", "--since", a.v[O_SINCE], &since))) return ec;
    setting s;
    fu_ledger *l = NULL;
    fu_commitment_list *lists[3] = {NULL, NULL, NULL};
    fu_book *book = NULL;
    if ((ec = setting_load(&a, &s)) != CLI_OK) goto done;
    if ((ec = open_ledger("report", &s, a.v[O_LEDGER], record ? 0 : FU_LEDGER_READONLY, 0, &l)) != CLI_OK)
        goto done;
    size_t events = 0, from_book = 0;
    int rc = FU_OK;
    if (a.v[O_EVENTS]) {
        if ((ec = load_book(a.v[O_CUSTOMERS], a.v[O_EVENTS], &book)) != CLI_OK) goto done;
        rc = fu_ledger_fulfill_from_book(l, book, at, "book", &from_book);
        if (rc == FU_OK)
            fprintf(stderr, PROG " report: %zu promise%s fulfilled by resolutions in the book\n", from_book,
                    from_book == 1 ? "" : "s");
    }
    if (rc == FU_OK && record) rc = fu_ledger_tick(l, at, &events);
    for (int k = 0; k < 3 && rc == FU_OK; k++) {
        fu_commit_query q = FU_COMMIT_QUERY_INIT;
        q.flags = FU_QUERY_AS_OF; /* the states at --at, recorded or not */
        q.kind = k == 0 ? FU_QUERY_DUE : k == 1 ? FU_QUERY_AT_RISK : FU_QUERY_OVERDUE;
        q.from = at;
        q.to = at + 86400;
        q.now = at;
        rc = fu_ledger_query(l, &q, &lists[k]);
    }
    fu_on_time ot = {0, 0, 0};
    if (rc == FU_OK) rc = fu_ledger_on_time(l, since, INT64_MAX, at, &ot);
    if (rc != FU_OK) {
        ec = fail("report", rc);
        goto done;
    }
    char rate[64];
    if (ot.due) snprintf(rate, sizeof rate, "%.1f%%", 100.0 * ot.rate);
    else snprintf(rate, sizeof rate, "n/a");
    char at_text[FU_TIME_TEXT_SIZE];
    fmt_time(s.cal, at, at_text);
    ec = print_sections(&s, lists, a.fmt, at_text);
    if (ec != CLI_OK) goto done;
    if (a.fmt == CLI_FORMAT_JSON) {
        printf(", \"on_time\": {\"due\": %zu, \"on_time\": %zu, \"rate\": ", ot.due, ot.on_time);
        if (ot.due) printf("%.6f", ot.rate);
        else fputs("null", stdout);
        printf("}, \"events_recorded\": %zu}\n", events);
    } else {
        FILE *o = a.fmt == CLI_FORMAT_CSV ? stderr : stdout;
        fprintf(o, "%son-time rate: %s (%zu of %zu due kept their deadline)\n", a.fmt == CLI_FORMAT_CSV ? PROG " report: " : "\n",
                rate, ot.on_time, ot.due);
    }
    if (record) fprintf(stderr, PROG " report: escalation rules applied up to %s: %zu new events\n", at_text, events);
done:
    for (int k = 0; k < 3; k++) fu_commitment_list_free(lists[k]);
    fu_book_free(book);
    fu_ledger_close(l);
    setting_free(&s);
    return ec;
}

/* ------------------------------------------------------------------ main */

static int run(int argc, char **argv) {
    if (argc < 2) {
        help(stderr);
        return CLI_USAGE;
    }
    if (cli_is_help(argv[1])) {
        help(stdout);
        return CLI_OK;
    }
    for (size_t i = 0; i < NSUBS; i++) {
        if (strcmp(argv[1], k_subs[i].name) != 0) continue;
        for (int k = 2; k < argc; k++)
            if (cli_is_help(argv[k])) {
                k_subs[i].help(stdout);
                return CLI_OK;
            }
        return k_subs[i].run(argc - 1, argv + 1);
    }
    fprintf(stderr, PROG ": unknown subcommand '%s'\n\n", argv[1]);
    help(stderr);
    return CLI_USAGE;
}

const cli_command cli_cmd_commitments = {"commitments", "promises: extract from notes, track, escalate, report",
                                         run, help};
