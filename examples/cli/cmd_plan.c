/* followup plan — the follow-up plan for a horizon (fu_planner). */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* The command line: every option's value as given ("1" for a flag). */
typedef struct plan_args {
    const char *policy, *customers, *events, *now, *horizon, *agents, *calls_per_agent, *format, *long_table;
    const char *output, *suppressed, *deferred, *later, *ledger, *record_escalations, *strict_calendar;
    const char *no_besttime, *create_customers, *skip_unknown_kinds, *clv, *daily_capacity;
} plan_args;

#define O(name, arg, help, member) CLI_OPT(name, arg, help, plan_args, member)
static const cli_option k_options[] = {
    O("--policy", "FILE", "policy (default: the built-in policy)", policy),
    O("--customers", "CSV", "customers (docs/formats.md), required", customers),
    O("--events", "CSV", "event history (docs/formats.md), required", events),
    O("--now", "ISO-TIME", "planning instant with an offset (default: the current time)", now),
    O("--horizon", "DURATION", "how far ahead to plan, wall time (default: 1d)", horizon),
    O("--agents", "N|FILE",
      "agents on duty per day (default: capacity not limited), or\n"
      "the agents CSV (docs/formats.md): every agent contact is\n"
      "given an agent on shift (owner first, then the least\n"
      "loaded); adds an agent column",
      agents),
    O("--calls-per-agent", "N", "calls one agent makes a day (default: policy maximum)", calls_per_agent),
    O("--daily-capacity", NULL,
      "with --agents N over several days: defer a contact over a\n"
      "day's cap to the next day (the global capacity pass's rule)\n"
      "instead of moving it to a later day of the horizon with room",
      daily_capacity),
    O("--clv", "CSV",
      "customers' CLV (customer_id, clv; the CSV of followup segment):\n"
      "channels.by_clv of the policy then makes high-CLV contacts\n"
      "one-to-one and low-CLV ones automated, the rule in the reason",
      clv),
    O("--format", "F", "table, csv or json (default: table; csv is the plan CSV)", format),
    O("--long", NULL,
      "table: every column (due window, reason) at full width, as\n"
      "csv and json always are; default: who, best time, why,\n"
      "how, in 120 columns",
      long_table),
    O("--output", "FILE", "write the plan there instead of stdout", output),
    O("--suppressed", "FILE", "also write the suppressed touchpoints with their rules", suppressed),
    O("--deferred", "FILE", "also write the deferred touchpoints with their reasons", deferred),
    O("--later", "FILE",
      "also write the touchpoints due in the horizon whose best\n"
      "time is after it (a later run plans them), with what moved them",
      later),
    O("--ledger", "FILE",
      "the commitment ledger (followup commitments): promises at risk,\n"
      "breached or fulfilled plan their contacts (cadences with\n"
      "trigger {promise: ...}); adds an owner column. The file\n"
      "must exist and is opened read-only, unless\n"
      "--record-escalations (which creates it if needed)",
      ledger),
    O("--record-escalations", NULL,
      "with --ledger: record each problem escalation of the plan\n"
      "(unresolved 48 h after it arose -> the expert team) whose\n"
      "window has opened by --now as an `escalated` event of the\n"
      "ledger (a related promise, else a new `escalation` row);\n"
      "running twice records once",
      record_escalations),
    O("--strict-calendar", NULL,
      "refuse to plan a touchpoint past the official holidays of a\n"
      "calendar (calendars.<name>.data_until; default: warn)",
      strict_calendar),
    O("--no-besttime", NULL,
      "best time = the first allowed instant of the window, not the\n"
      "hour the best-time model (built from the contact history\n"
      "with the policy's besttime settings) finds most likely to answer",
      no_besttime),
    O("--create-customers", NULL,
      "an event naming a customer not in --customers creates it (no zone);\n"
      "without it such an event fails (exit 3)",
      create_customers),
    O("--skip-unknown-kinds", NULL, "skip events of unknown kinds instead of failing", skip_unknown_kinds),
};
#undef O
#define N_OPTIONS (sizeof k_options / sizeof k_options[0])

static void help(FILE *out) {
    fprintf(out,
            "usage: followup plan --customers CSV --events CSV [options]\n"
            "\n"
            "Plan the follow-up contacts of every customer for [now, now + horizon):\n"
            "who, when (due window and best time), why, through which channel, with\n"
            "the policy rule that made each contact. Touchpoints that a rule\n"
            "suppressed or that did not fit (capacity, a defer rule) are counted on\n"
            "stderr and written with their reasons on request.\n"
            "\n"
            "options:\n");
    cli_print_options(out, k_options, N_OPTIONS, 19);
    fprintf(out,
            "\n"
            "Times are written in each customer's local offset. Progress goes to stderr\n"
            "for runs over a second when it is a terminal. Exit codes: 0 ok, 2 usage,\n"
            "3 bad input, 4 internal.\n");
}

typedef struct progress_state {
    struct timespec start;
    int shown;
} progress_state;

static double elapsed(const struct timespec *t0) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) * 1e-9;
}

static void on_progress(void *ud, size_t done, size_t total) {
    progress_state *p = ud;
    if (!cli_progress_enabled()) return; /* progress is for a terminal, not a log */
    if (elapsed(&p->start) < 1.0 && done < total) return;
    if (!p->shown && done == total) return; /* finished within a second */
    fprintf(stderr, "\rfollowup plan: %zu / %zu customers", done, total);
    if (done == total) fputc('\n', stderr);
    p->shown = 1;
}

/* A touchpoint's time in its customer's local offset (fu_plan_utc_offset:
 * the plan's calendar of the customer's zone, any number of zones). */
static void fmt_time(const fu_plan *plan, const fu_touchpoint *tp, int64_t t, char *buf) {
    int off = 0;
    if (fu_plan_utc_offset(plan, tp, t, &off) != FU_OK) off = 0;
    if (fu_time_format(t, off, FU_TIME_FORMAT_Z, buf, FU_TIME_TEXT_SIZE) != FU_OK) strcpy(buf, "?");
}

/* --long: the table format shows every column at full width; without it the
 * plan table keeps the columns that say who, when, why and how, and fits in
 * PLAN_TABLE_WIDTH display columns (long cells end in an ellipsis). */
static int g_long_table;
#define PLAN_TABLE_WIDTH 120

/* Column indices of the short table (of the 9 or 11 columns). */
static const size_t k_short_cols[] = {0, 3, 4, 5, 6, 7, 9, 10};

/* The plan CSV of one status: the library's writer (fu_plan_write_csv). */
static int write_status_csv(const fu_plan *plan, fu_touchpoint_status status, int with_status, int who,
                            cli_out *out) {
    unsigned flags = (with_status ? FU_PLAN_CSV_STATUS : 0u) | (cli_csv_raw ? FU_PLAN_CSV_RAW : 0u) |
                     (who & 1 ? FU_PLAN_CSV_OWNER : 0u) | (who & 2 ? FU_PLAN_CSV_AGENT : 0u);
    char *text = NULL;
    size_t len = 0;
    int rc = fu_plan_write_csv_to_string(plan, 1u << status, flags, &len, &text);
    if (rc == FU_OK && fwrite(text, 1, len, out->f) != len) rc = FU_EIO;
    fu_free(text);
    int oc = cli_out_close(out, rc == FU_OK, "followup plan");
    if (oc) return oc; /* a write error, reported */
    if (rc == FU_ENOMEM) {
        fprintf(stderr, "followup plan: out of memory\n");
        return CLI_INTERNAL;
    }
    return rc == FU_OK ? CLI_OK : CLI_INPUT;
}

/* Write the touchpoints of one status as a table in `fmt`. */
static int write_status(const fu_plan *plan, fu_touchpoint_status status, int with_status,
                        int who, cli_format fmt, const char *path) {
    int with_owner = who & 1, with_agent = who & 2; /* --ledger: owner; --agents FILE: agent */
    cli_out out;
    int oc = cli_out_open(&out, path, "followup plan");
    if (oc) return oc;
    if (fmt == CLI_FORMAT_CSV) return write_status_csv(plan, status, with_status, who, &out);
    static const char *const all[] = {"customer_id", "due_from", "due_to", "best_at", "purpose", "channel",
                                      "priority", "rule", "reason", "status", "status_rule", "owner", "agent"};
    const char *hdr[13];
    size_t ncols = with_status ? 11 : 9;
    memcpy(hdr, all, sizeof hdr);
    if (with_owner) hdr[ncols++] = "owner"; /* who makes the contact (a promise's owner, a team) */
    if (with_agent) hdr[ncols++] = "agent"; /* the agent named for it (fu_planner_set_agents()) */
    int narrow = fmt == CLI_FORMAT_TABLE && !g_long_table;
    size_t nshort = with_status ? 8 : 6;
    const char *short_hdr[10];
    for (size_t k = 0; k < nshort; k++) short_hdr[k] = hdr[k_short_cols[k]];
    size_t nshort_all = nshort;
    if (with_owner) short_hdr[nshort_all++] = "owner";
    if (with_agent) short_hdr[nshort_all++] = "agent";
    cli_table *t = narrow ? cli_table_new(nshort_all, short_hdr) : cli_table_new(ncols, hdr);
    if (t && narrow) cli_table_set_max_width(t, PLAN_TABLE_WIDTH);
    /* JSON: text, an absent instant, rule, reason, status rule, owner or
     * agent null (the columns of `all`, cut to ncols) */
    char types[] = "stttsssSSsSSS";
    if (!with_status) memmove(types + 9, types + 11, sizeof types - 11); /* no status, status_rule */
    types[ncols] = '\0';
    if (t && !narrow && cli_table_set_types(t, types)) {
        cli_table_free(t);
        t = NULL;
    }
    int rc = t ? CLI_OK : CLI_INTERNAL;
    size_t n = 0;
    const fu_touchpoint *tp = fu_plan_touchpoints(plan, status, &n);
    for (size_t i = 0; i < n && rc == CLI_OK; i++) {
        char a[FU_TIME_TEXT_SIZE], b[FU_TIME_TEXT_SIZE], d[FU_TIME_TEXT_SIZE];
        fmt_time(plan, &tp[i], tp[i].due_from, a);
        fmt_time(plan, &tp[i], tp[i].due_to, b);
        fmt_time(plan, &tp[i], tp[i].best_at, d);
        const char *cells[] = {tp[i].customer_id,
                               a,
                               b,
                               d,
                               tp[i].purpose,
                               fu_channel_name(tp[i].channel),
                               fu_priority_name(tp[i].priority),
                               tp[i].rule,
                               tp[i].reason,
                               fu_touchpoint_status_name(tp[i].status),
                               tp[i].status_rule,
                               tp[i].owner,
                               tp[i].agent};
        size_t at = with_status ? 11 : 9, sat = nshort;
        const char *short_cells[10];
        for (size_t k = 0; k < nshort; k++) short_cells[k] = cells[k_short_cols[k]];
        if (with_owner) cells[at++] = tp[i].owner, short_cells[sat++] = tp[i].owner;
        if (with_agent) cells[at++] = tp[i].agent, short_cells[sat++] = tp[i].agent;
        if (cli_table_add(t, narrow ? short_cells : cells) != 0) rc = CLI_INTERNAL;
    }
    if (rc == CLI_OK) rc = cli_table_write(t, fmt, out.f, 0);
    cli_table_free(t);
    oc = cli_out_close(&out, rc == CLI_OK, "followup plan");
    if (oc) return oc; /* a write error, reported */
    if (rc) {
        if (rc == CLI_INTERNAL) fprintf(stderr, "followup plan: out of memory\n");
        return rc;
    }
    return rc;
}

/* Flags and checked values of the command line into the planner and book
 * options: CLI_OK, or CLI_USAGE after a message. */
static int plan_settings(const plan_args *a, fu_planner_options *po, fu_book_options *bo, cli_format *fmt,
                         const char **agents_path) {
    const cli_path outs[] = {{"--output", a->output}, {"--suppressed", a->suppressed}, {"--deferred", a->deferred},
                             {"--later", a->later}};
    const cli_path ins[] = {{"--policy", a->policy}, {"--customers", a->customers}, {"--events", a->events},
                            {"--agents", a->agents}, {"--clv", a->clv}, {"--ledger", a->ledger}};
    int ec = cli_check_outputs("followup plan", outs, 4, ins, 6);
    if (ec) return ec;
    g_long_table = a->long_table != NULL;
    if ((a->calls_per_agent || a->daily_capacity) && !a->agents) /* would be ignored */
        return cli_usage("followup plan: %s needs --agents (without it capacity is not limited)\n",
                         a->calls_per_agent ? "--calls-per-agent" : "--daily-capacity");
    if (a->strict_calendar) po->flags |= FU_PLANNER_STRICT_CALENDAR;
    if (a->daily_capacity) po->flags |= FU_PLANNER_DAILY_CAPACITY;
    if (a->create_customers) bo->flags |= FU_BOOK_CREATE_CUSTOMERS;
    if (a->skip_unknown_kinds) bo->flags |= FU_BOOK_SKIP_UNKNOWN_KINDS;
    /* --agents N, or a file when it is not a number: digits alone are a
     * number (a count too large is not a file name) */
    if (a->agents && a->agents[0] && a->agents[strspn(a->agents, "0123456789")] == '\0' &&
        (cli_parse_uint(a->agents, &po->agents) || po->agents == 0 || po->agents > 100000))
        return cli_usage("followup plan: --agents: expected 1..100000 agents on duty a day or an agents file, got '%s'"
                         " (without --agents capacity is not limited)\n",
                         a->agents);
    static const char *const checked[] = {"--format", "--agents", "--calls-per-agent"};
    const char *values[] = {a->format, a->agents, a->calls_per_agent};
    for (int k = 0; k < 3; k++) {
        const char *v = values[k];
        if (!v) continue;
        int bad = k == 0   ? cli_format_parse(v, fmt)
                  : k == 1 ? (cli_parse_uint(v, &po->agents) ? (*agents_path = v, 0) : 0)
                           : cli_parse_uint(v, &po->calls_per_agent);
        if (bad)
            return cli_usage("followup plan: bad value '%s' for %s\n", v, checked[k]);
    }
    if (*agents_path && (a->calls_per_agent || a->daily_capacity)) /* would be ignored */
        return cli_usage("followup plan: %s needs --agents N (an agents file gives each agent's calls_per_day)\n",
                         a->calls_per_agent ? "--calls-per-agent" : "--daily-capacity");
    return CLI_OK;
}

/* --ledger: promises drive contacts; read once, read-only unless escalations
 * are recorded. The ledger must exist: a mistyped path would otherwise create
 * an empty one and plan silently without any promise (review s6 #7). Only
 * --record-escalations, which writes to it, creates it (and says how many
 * escalations it recorded).
 * fu_ledger_options_from_policy() resets the options, so the read-only flag
 * is set after it. Returns the exit code. */
static int open_ledger(const char *path, const fu_policy *policy, int record, fu_ledger **out) {
    fu_ledger_options lo = FU_LEDGER_OPTIONS_INIT;
    struct stat st;
    int rc;
    if (!record && stat(path, &st) != 0) {
        fprintf(stderr, "followup: --ledger: '%s' does not exist (followup commitments creates a ledger)\n", path);
        return CLI_INPUT;
    }
    if (record) rc = fu_ledger_open_with_policy(out, path, policy, 0);
    else if (!(rc = fu_ledger_options_from_policy(policy, &lo))) {
        lo.flags |= FU_LEDGER_READONLY;
        rc = fu_ledger_open(out, path, &lo);
    }
    if (rc) {
        cli_error("--ledger");
        return rc == FU_ENOMEM ? CLI_INTERNAL : CLI_INPUT;
    }
    return CLI_OK;
}

/* The planner's span (fu_planner_plan: years 1..9999 with 400 years of
 * room for cadence offsets at each end, a horizon of at most 100 years),
 * checked as an option error (exit 2) naming the option. */
static int check_span(const char *now_text, int64_t now, const char *horizon_text, int64_t horizon) {
    const int64_t day = 86400, lo = INT64_C(-62135596800) + 400 * 366 * day,
                  hi = INT64_C(253402300799) - 400 * 366 * day;
    if (horizon > 100 * 366 * day)
        return cli_usage("followup plan: --horizon: '%s' is longer than the planner's 100 years\n", horizon_text);
    if (now < lo || now > hi)
        return cli_usage("followup plan: --now: '%s' is outside the planner's range (400 years from either end of "
                         "years 1..9999 stay free for cadence offsets)\n",
                         now_text ? now_text : "the current time");
    return CLI_OK;
}

/* --now (default: the current time) and --horizon, checked: CLI_OK or
 * CLI_USAGE after a message naming the option. */
static int parse_span(const char *now_text, const char *horizon_text, int64_t *now, fu_duration *hd) {
    if (now_text) {
        if (fu_time_parse(now_text, strlen(now_text), now) != FU_OK) {
            cli_error("--now");
            return CLI_USAGE;
        }
    } else
        *now = (int64_t)time(NULL);
    if (fu_duration_parse(horizon_text, strlen(horizon_text), hd) != FU_OK) {
        cli_error("--horizon");
        return CLI_USAGE;
    }
    if (hd->unit != FU_DURATION_SECONDS || hd->value <= 0)
        return cli_usage("followup plan: --horizon must be a positive wall-time duration (1d, 36h, 1w)\n");
    return check_span(now_text, *now, horizon_text, hd->value);
}

static int run(int argc, char **argv) {
    plan_args a;
    memset(&a, 0, sizeof a);
    int ec = cli_parse_options("followup plan", k_options, N_OPTIONS, argc, argv, 1, &a, NULL, 0, NULL);
    if (ec) return ec;
    const char *policy_path = a.policy, *customers = a.customers, *events = a.events, *now_text = a.now;
    const char *horizon_text = a.horizon ? a.horizon : "1d", *output = a.output, *suppressed = a.suppressed;
    const char *deferred = a.deferred, *later = a.later, *ledger_path = a.ledger, *agents_path = NULL;
    cli_format fmt = CLI_FORMAT_TABLE;
    fu_planner_options po = FU_PLANNER_OPTIONS_INIT;
    fu_book_options bo = FU_BOOK_OPTIONS_INIT;
    int besttime = !a.no_besttime, record_escalations = a.record_escalations != NULL;
    if ((ec = plan_settings(&a, &po, &bo, &fmt, &agents_path))) return ec;
    if (record_escalations && !ledger_path)
        return cli_usage("followup plan: --record-escalations needs --ledger\n");
    if (!customers || !events)
        return cli_usage("followup plan: --customers and --events are required (see --help)\n");
    int64_t now;
    fu_duration hd;
    if ((ec = parse_span(now_text, horizon_text, &now, &hd))) return ec;

    fu_policy *policy = NULL;
    fu_book *book = NULL;
    fu_planner *pl = NULL;
    fu_plan *plan = NULL;
    fu_ledger *ledger = NULL;
    int rc = cli_policy_load(policy_path, &policy);
    int exit_code = CLI_OK;
    if (rc != FU_OK) {
        exit_code = rc == FU_ENOMEM ? CLI_INTERNAL : CLI_INPUT;
        goto done;
    }
    if ((rc = cli_book_read(&book, &bo, customers, events, 0))) {
        cli_error(NULL);
        exit_code = rc == FU_ENOMEM ? CLI_INTERNAL : CLI_INPUT;
        goto done;
    }
    progress_state ps;
    memset(&ps, 0, sizeof ps);
    clock_gettime(CLOCK_MONOTONIC, &ps.start);
    po.progress = on_progress;
    po.progress_ud = &ps;
    if (besttime) po.flags |= FU_PLANNER_BESTTIME;
    if (ledger_path && (exit_code = open_ledger(ledger_path, policy, record_escalations, &ledger)) != CLI_OK) goto done;
    if ((rc = fu_planner_new(&pl, policy, book, &po)) || (ledger && (rc = fu_planner_set_ledger(pl, ledger))) ||
        (agents_path && (rc = fu_planner_read_agents(pl, agents_path))) ||
        (a.clv && (rc = fu_planner_read_clv(pl, a.clv))) || (rc = fu_planner_plan(pl, now, hd.value, &plan))) {
        cli_error("plan");
        exit_code = rc == FU_ENOMEM ? CLI_INTERNAL : CLI_INPUT;
        goto done;
    }
    size_t escalations = 0;
    if (record_escalations && (rc = fu_ledger_record_escalations(ledger, policy, plan, now, &escalations))) {
        cli_error("--record-escalations");
        exit_code = rc == FU_ENOMEM ? CLI_INTERNAL : CLI_INPUT;
        goto done;
    }
    fu_plan_stats st;
    fu_plan_get_stats(plan, &st);
    int wo = (ledger != NULL) | (agents_path ? 2 : 0);
    if ((exit_code = write_status(plan, FU_TOUCHPOINT_PLANNED, 0, wo, fmt, output))) goto done;
    if (suppressed && (exit_code = write_status(plan, FU_TOUCHPOINT_SUPPRESSED, 1, wo, fmt, suppressed)))
        goto done;
    if (deferred && (exit_code = write_status(plan, FU_TOUCHPOINT_DEFERRED, 1, wo, fmt, deferred))) goto done;
    if (later && (exit_code = write_status(plan, FU_TOUCHPOINT_LATER, 1, wo, fmt, later))) goto done;
    /* every due touchpoint in exactly one state: the parts add up to `due` */
    fprintf(stderr,
            "followup plan: %zu customers, %zu touchpoints due: %zu planned, %zu merged into another contact, "
            "%zu suppressed, %zu deferred, %zu after the horizon, %zu already done; "
            "%zu late (holidays, quiet hours or agents)\n",
            st.customers, st.due, st.planned, st.merged, st.suppressed, st.deferred, st.later, st.done, st.late);
    if (record_escalations)
        fprintf(stderr, "followup plan: %zu escalations recorded in the ledger\n", escalations);
    if (st.calendar_expired)
        fprintf(stderr,
                "followup plan: warning: %zu touchpoints reach past the official holidays of a calendar "
                "(calendars.<name>.data_until); their reasons name it. Add the next year's notice to the "
                "policy (docs/calendar.md) or use --strict-calendar to refuse\n",
                st.calendar_expired);
    if (st.unplaceable)
        fprintf(stderr,
                "followup plan: warning: %zu customer%s (%zu contact%s) can never be called: no instant within 62 "
                "days after the window where an agent may call (agents.team_hours, weekends, holidays, shifts) and "
                "the customer may be contacted (a business customer's calendars.hours in its own time zone, quiet "
                "hours, do-not-disturb); suppressed as unplaceable, not deferred (--suppressed lists them with "
                "their rule). Give such customers a team whose hours meet theirs\n",
                st.unplaceable_customers, st.unplaceable_customers == 1 ? "" : "s", st.unplaceable,
                st.unplaceable == 1 ? "" : "s");
    size_t unknown_classes = 0;
    const char *unknown_class = NULL;
    if (fu_planner_unknown_classes(pl, &unknown_classes, &unknown_class) == FU_OK && unknown_classes)
        fprintf(stderr,
                "followup plan: warning: product_class '%s'%s names no product class of the policy "
                "(segments.product_classes: a class or its kind); those events take their class from unit_price "
                "or their order's purchase, else match no product_class condition\n",
                cli_shown(unknown_class), unknown_classes > 1 ? " and others" : "");
    size_t short_agents = 0;
    const char *short_agent = NULL;
    int short_min = 0, short_need = 0;
    if (fu_planner_short_agents(pl, &short_agents, &short_agent, &short_min, &short_need) == FU_OK && short_agents)
        fprintf(stderr,
                "followup plan: warning: agent %s%s: the shift meets agents.team_hours for %d minutes a day, "
                "calls_per_day needs %d; is the agents file's tz right (without a tz column shifts are UTC)?\n",
                cli_shown(short_agent), short_agents > 1 ? " and others" : "", short_min, short_need);
done:
    fu_plan_free(plan);
    fu_planner_free(pl);
    fu_ledger_close(ledger);
    fu_book_free(book);
    fu_policy_free(policy);
    return exit_code;
}

const cli_command cli_cmd_plan = {"plan", "plan who to contact, when, why and how", run, help};
