/* followup besttime: best hours per customer, or may I contact one now? */
#include "cli.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void help(FILE *out) {
    fprintf(out,
            "usage: followup besttime --customers FILE [--events FILE] [--policy FILE]\n"
            "                         [--now TIME] [--day tomorrow|YYYY-MM-DD] [--k N]\n"
            "                         [--channel phone|sms|email|...] [--urgent]\n"
            "                         [--thompson SEED] [--format table|csv|json]\n"
            "       followup besttime --customers FILE [--events FILE] [--policy FILE]\n"
            "                         --may-contact CUSTOMER_ID --at TIME [--channel C] [--urgent]\n"
            "\n"
            "Learn each customer's answer propensity by local hour of week from the\n"
            "contact events (docs/besttime.md) and print the best K hours of the day\n"
            "(default: tomorrow in each customer's zone) with the posterior mean answer\n"
            "probability and its 90%% credible interval, among the hours the policy and\n"
            "the customer allow (quiet hours, do-not-disturb, consent, business calendar\n"
            "of B2B customers, month end of small businesses, preferred windows).\n"
            "\n"
            "With --may-contact, answer whether CUSTOMER_ID may be contacted at TIME:\n"
            "yes or no, the rule that says no, and the next allowed instant. The answer\n"
            "is the contact guard's over the events, as `followup guard check` without a\n"
            "log gives it (consent, quiet hours, holidays, do-not-disturb, the business\n"
            "calendar of B2B customers, caps, minimum gap, redial rules).\n"
            "\n"
            "TIME is ISO 8601 with an offset (2026-03-05T10:00:00+08:00); --now defaults\n"
            "to the current time. Without --policy the built-in policy is used.\n"
            "--day and the day after --now must lie in 1900-01-01 to 9998-12-31\n"
            "(other dates are refused with exit code 2).\n"
            "An event naming a customer not in --customers fails the command (exit 3,\n"
            "unknown customer): the hours are ranked in each customer's own zone, which\n"
            "only the customers file gives (plan, segment, kpi, frequency and guard have\n"
            "--create-customers).\n"
            "Exit codes: 0 ok (with --may-contact: yes), 1 --may-contact says no,\n"
            "2 bad usage, 3 bad input, 4 internal.\n");
}

typedef struct zcache {
    const char *tz;
    fu_calendar *cal;
} zcache;

/* The customer's calendar (cached per zone text; the book interns texts). */
static fu_calendar *zone_cal(zcache *zc, size_t *nz, const char *tz) {
    if (!tz) tz = "UTC";
    for (size_t i = 0; i < *nz; i++)
        if (zc[i].tz == tz) return zc[i].cal;
    fu_calendar *cal = NULL;
    if (fu_calendar_new(&cal, tz) != FU_OK) return NULL;
    zc[*nz].tz = tz;
    zc[*nz].cal = cal;
    (*nz)++;
    return cal;
}

#define DAY_MIN_YEAR 1900
#define DAY_MAX_YEAR 9998

static void fmt_time(int64_t t, const fu_calendar *cal, char *buf, size_t size) {
    int off = 0;
    if (t == FU_BESTTIME_NEVER) {
        snprintf(buf, size, "never");
        return;
    }
    if (t == FU_BESTTIME_NONE) {
        snprintf(buf, size, "%s", "");
        return;
    }
    if (cal) fu_calendar_utc_offset(cal, t, &off);
    /* an offset with seconds (local mean time) cannot be written: UTC then */
    if (fu_time_format(t, off, FU_TIME_FORMAT_Z, buf, size) != FU_OK &&
        fu_time_format(t, 0, FU_TIME_FORMAT_Z, buf, size) != FU_OK)
        snprintf(buf, size, "?");
}

static int parse_time_arg(const char *opt, const char *text, int64_t *out) {
    if (fu_time_parse(text, strlen(text), out) != FU_OK) {
        fprintf(stderr, "followup besttime: %s: %s\n", opt, fu_error_last()->message);
        return -1;
    }
    return 0;
}

/* Local midnight of `day` (or of the day after `now` with `tomorrow`) and of
 * the next day, as instants. FU_ERANGE when either is outside the calendar. */
static int day_bounds(const fu_calendar *cal, int tomorrow, fu_date day, int64_t now, int64_t *from, int64_t *to) {
    int64_t dn = 0;
    int rc;
    if (tomorrow) {
        fu_local L;
        if ((rc = fu_calendar_to_local(cal, now, &L))) return rc;
        day.year = L.year;
        day.month = L.month;
        day.day = L.day;
    }
    if ((rc = fu_date_to_days(&day, &dn))) return rc;
    dn += tomorrow;
    for (int j = 0; j < 2; j++) {
        fu_date dj;
        fu_local L;
        memset(&L, 0, sizeof L);
        if ((rc = fu_date_from_days(dn + j, &dj))) return rc;
        L.year = dj.year;
        L.month = dj.month;
        L.day = dj.day;
        if ((rc = fu_calendar_from_local(cal, &L, 0, j ? to : from))) return rc;
    }
    return FU_OK;
}

/* The day to search: --day, or the day after --now in each customer's zone. */
typedef struct bt_day {
    int tomorrow;
    fu_date day;
    int64_t now;
} bt_day;

/* Parse --day and check the range. The calendar covers years 1..9999, but a
 * day's search looks ahead (the next allowed instant, month ends) and zones
 * had local mean time offsets before 1900: days from 1900 to 9998 are
 * served, others refused. -1 after a message. */
static int parse_day(const char *day_text, bt_day *bd) {
    bd->tomorrow = strcmp(day_text, "tomorrow") == 0;
    if (!bd->tomorrow && fu_date_parse(day_text, strlen(day_text), &bd->day) != FU_OK) {
        fprintf(stderr, "followup besttime: --day: %s\n", fu_error_last()->message);
        return -1;
    }
    if (!bd->tomorrow && (bd->day.year < DAY_MIN_YEAR || bd->day.year > DAY_MAX_YEAR)) {
        fprintf(stderr, "followup besttime: --day: %s is out of range (%d-01-01 to %d-12-31)\n", day_text,
                DAY_MIN_YEAR, DAY_MAX_YEAR);
        return -1;
    }
    fu_date now_utc;
    int64_t now_day = bd->now >= 0 ? bd->now / 86400 : -((86399 - bd->now) / 86400);
    if (bd->tomorrow &&
        (fu_date_from_days(now_day, &now_utc) || now_utc.year < DAY_MIN_YEAR || now_utc.year > DAY_MAX_YEAR)) {
        fprintf(stderr, "followup besttime: --now is out of range (years %d to %d)\n", DAY_MIN_YEAR, DAY_MAX_YEAR);
        return -1;
    }
    return 0;
}

/* What a query of every customer needs. */
typedef struct bt_query {
    fu_besttime *m;
    fu_channel channel;
    unsigned int flags;
    unsigned long k;
    fu_besttime_query_options q;
    fu_besttime_slot *slots; /* k */
} bt_query;

/* Add the rows of customer `ci` (its best k hours, or one row saying why
 * none) to `t`. CLI_OK or an exit code after a message. */
static int customer_rows(cli_table *t, const bt_query *bq, const bt_day *bd, const fu_customer *c, size_t ci,
                         const fu_calendar *cal) {
    int64_t from = 0, to = 0;
    if (day_bounds(cal, bd->tomorrow, bd->day, bd->now, &from, &to))
        return cli_usage("followup besttime: %s: the %s is outside the calendar (years 1..9999) in zone %s\n", c->id,
                         bd->tomorrow ? "day after --now" : "--day", c->tz ? c->tz : "UTC");
    size_t found = 0;
    int rc = fu_besttime_best(bq->m, ci, from, to, bq->channel, bq->flags, bq->k, &bq->q, bq->slots, &found);
    if (rc) {
        cli_error(c->id);
        return cli_exit_code(rc);
    }
    for (size_t r = 0; r < (found ? found : 1); r++) {
        const fu_besttime_slot *s = &bq->slots[r];
        char rank[32], tbest[64], how[16], p[32], lo[32], hi[32], tnext[64];
        snprintf(rank, sizeof rank, "%zu", found ? r + 1 : (size_t)0);
        fmt_time(s->at, cal, tbest, sizeof tbest);
        if (found) {
            snprintf(how, sizeof how, "%d", s->hour_of_week);
            snprintf(p, sizeof p, "%.4f", s->p);
            snprintf(lo, sizeof lo, "%.4f", s->lo);
            snprintf(hi, sizeof hi, "%.4f", s->hi);
            tnext[0] = '\0';
        } else {
            how[0] = p[0] = lo[0] = hi[0] = '\0';
            fmt_time(s->next_allowed, cal, tnext, sizeof tnext);
        }
        const char *row[] = {c->id, rank, tbest, how, p, lo, hi,
                             (s->flags & FU_BESTTIME_SLOT_PREFERRED) ? "yes" : "no", s->rule ? s->rule : "", tnext};
        if (cli_table_add(t, row)) return CLI_INTERNAL;
    }
    return CLI_OK;
}

/* The table for --may-contact ID --at TIME: the contact guard's answer
 * over the events, as `followup guard check` gives it (review s8 F5). The
 * guard holds every rule, the business calendar of B2B customers included
 * (review s9 F3), so a dialer asking the guard through the C API, Python or
 * Lua gets this same answer. */
static int may_contact_table(const bt_query *bq, const fu_policy *pol, const fu_book *book, zcache *zc, size_t *nz,
                             const char *may, int64_t at, cli_table **out) {
    size_t ci;
    int rc = fu_book_find_customer(book, may, strlen(may), &ci);
    if (rc) {
        cli_error("--may-contact");
        return CLI_INPUT;
    }
    fu_guard *g = NULL;
    fu_guard_request req = FU_GUARD_REQUEST_INIT;
    req.customer_id = may;
    req.channel = bq->channel == FU_CHANNEL_NONE ? FU_CHANNEL_PHONE : bq->channel;
    req.priority = (bq->flags & FU_BESTTIME_URGENT) ? FU_PRIORITY_URGENT : FU_PRIORITY_NORMAL;
    req.at = at;
    fu_guard_decision gd;
    if ((rc = fu_guard_new(&g, pol, book, NULL, NULL)) == FU_OK) rc = fu_guard_check_request(g, &req, &gd);
    fu_guard_free(g);
    if (rc) {
        cli_error("may-contact");
        return cli_exit_code(rc);
    }
    const fu_calendar *cal = zone_cal(zc, nz, fu_book_customer(book, ci)->tz);
    static const char *hdr[] = {"customer_id", "at", "may_contact", "rule", "next_allowed"};
    char tat[64], tnext[64];
    fmt_time(at, cal, tat, sizeof tat);
    fmt_time(gd.next_allowed, cal, tnext, sizeof tnext);
    const char *row[] = {may, tat, gd.allowed ? "yes" : "no", gd.rule ? gd.rule : "", tnext};
    *out = cli_table_new(5, hdr);
    if (!*out || cli_table_set_types(*out, "ssbSt") || cli_table_add(*out, row)) return CLI_INTERNAL;
    return gd.allowed ? CLI_OK : CLI_FAIL; /* a 'no' exits 1 once the answer is written */
}

/* The command line, as given. */
typedef struct bt_args {
    const char *policy_file, *customers, *events, *day_text, *may, *at_text, *now_text, *fmt_text, *channel_text;
    unsigned long k;
    unsigned int flags;
    fu_besttime_query_options q;
} bt_args;

static int opt_urgent(const char *v, void *args) {
    (void)v;
    ((bt_args *)args)->flags |= FU_BESTTIME_URGENT;
    return 0;
}

/* --k N (1 to 168) and --thompson SEED */
static int opt_k(const char *v, void *args) {
    unsigned long long n;
    if (cli_parse_ull("followup besttime", "--k", v, 1, 168, &n)) return 1;
    ((bt_args *)args)->k = (unsigned long)n;
    return 0;
}

static int opt_thompson(const char *v, void *args) {
    unsigned long long n;
    if (cli_parse_ull("followup besttime", "--thompson", v, 0, ULLONG_MAX, &n)) return 1;
    ((bt_args *)args)->q.flags |= FU_BESTTIME_THOMPSON;
    ((bt_args *)args)->q.seed = n;
    return 0;
}

/* The options (the usage lines of help() show them). */
#define O(name, arg, member) {name, arg, "", offsetof(bt_args, member), NULL}
static const cli_option k_options[] = {
    O("--policy", "FILE", policy_file),
    O("--customers", "FILE", customers),
    O("--events", "FILE", events),
    O("--now", "TIME", now_text),
    O("--day", "DAY", day_text),
    O("--format", "F", fmt_text),
    O("--may-contact", "CUSTOMER_ID", may),
    O("--at", "TIME", at_text),
    O("--channel", "C", channel_text),
    {"--k", "N", "", CLI_NO_SLOT, opt_k},
    {"--thompson", "SEED", "", CLI_NO_SLOT, opt_thompson},
    {"--urgent", NULL, "", CLI_NO_SLOT, opt_urgent},
};
#undef O

/* Parse the options into `o`: 0, 1 after --help, or -1 after a message. */
static int parse_args(int argc, char **argv, bt_args *o) {
    fu_besttime_query_options q0 = FU_BESTTIME_QUERY_OPTIONS_INIT;
    memset(o, 0, sizeof *o);
    o->day_text = "tomorrow";
    o->fmt_text = "table";
    o->channel_text = "phone";
    o->k = 1;
    o->q = q0;
    for (int i = 1; i < argc; i++)
        if (cli_is_help(argv[i])) {
            help(stdout);
            return 1;
        }
    return cli_parse_options("followup besttime", k_options, sizeof k_options / sizeof k_options[0], argc, argv, 1,
                             o, NULL, 0, NULL)
               ? -1
               : 0;
}

static int run(int argc, char **argv) {
    bt_args args;
    int parsed = parse_args(argc, argv, &args);
    if (parsed) return parsed > 0 ? CLI_OK : CLI_USAGE;
    const char *policy_file = args.policy_file, *customers = args.customers, *events = args.events;
    const char *may = args.may, *at_text = args.at_text, *now_text = args.now_text, *fmt_text = args.fmt_text;
    const char *channel_text = args.channel_text;
    unsigned long k = args.k;
    unsigned int flags = args.flags;
    fu_besttime_query_options q = args.q;
    cli_format fmt;
    if (cli_format_parse(fmt_text, &fmt) != 0)
        return cli_usage("followup besttime: --format must be table, csv or json\n");
    if (!customers)
        return cli_usage("followup besttime: --customers is required\n");
    if ((may == NULL) != (at_text == NULL))
        return cli_usage("followup besttime: --may-contact and --at go together\n");
    static const char *const hours_only[] = {"--now", "--day", "--k", "--thompson"};
    for (int i = 0; may && i < 4; i++) /* the answer is for --at: these would be ignored */
        if (cli_given(argc, argv, 1, hours_only[i]))
            return cli_usage("followup besttime: %s does not apply with --may-contact (it answers for --at; "
                             "%s is for the best hours)\n", hours_only[i], hours_only[i]);
    fu_channel channel;
    if (fu_channel_from_string(channel_text, strlen(channel_text), &channel) != FU_OK)
        return cli_usage("followup besttime: --channel: %s\n", fu_error_last()->message);
    int64_t now = (int64_t)time(NULL), at = 0;
    if (now_text && parse_time_arg("--now", now_text, &now)) return CLI_USAGE;
    if (at_text && parse_time_arg("--at", at_text, &at)) return CLI_USAGE;
    bt_day bd;
    memset(&bd, 0, sizeof bd);
    bd.now = now;
    if (parse_day(args.day_text, &bd)) return CLI_USAGE;

    int rc, code = CLI_OK;
    fu_policy *pol = NULL;
    fu_book *book = NULL;
    fu_besttime *m = NULL;
    cli_table *t = NULL;
    bt_query bq;
    memset(&bq, 0, sizeof bq);
    zcache *zc = NULL;
    size_t nz = 0;
    if ((rc = cli_policy_load(policy_file, &pol))) return cli_exit_code(rc);
    if ((rc = cli_book_read(&book, NULL, customers, events, 1))) {
        cli_error("input");
        code = cli_exit_code(rc);
        goto done;
    }
    if ((rc = fu_besttime_new(&m, pol, book, NULL, 0, NULL))) {
        cli_error("model");
        code = cli_exit_code(rc);
        goto done;
    }
    size_t n = fu_book_customer_count(book);
    zc = calloc(n + 1, sizeof *zc);
    if (!zc) {
        code = CLI_INTERNAL;
        goto done;
    }
    bq.m = m;
    bq.channel = channel;
    bq.flags = flags;
    bq.k = k;
    bq.q = q;
    bq.q.now = now;
    if (may) {
        code = may_contact_table(&bq, pol, book, zc, &nz, may, at, &t);
    } else {
        static const char *hdr[] = {"customer_id", "rank", "best_at", "hour_of_week", "p", "ci_low",
                                    "ci_high", "preferred", "rule", "next_allowed"};
        t = cli_table_new(10, hdr);
        bq.slots = calloc(k, sizeof *bq.slots);
        if (!t || !bq.slots || cli_table_set_types(t, "sntnnnnbSt")) code = CLI_INTERNAL;
        for (size_t ci = 0; ci < n && code == CLI_OK; ci++) {
            const fu_customer *c = fu_book_customer(book, ci);
            const fu_calendar *cal = zone_cal(zc, &nz, c->tz);
            if (!cal) {
                cli_error(c->id);
                code = CLI_INPUT;
            } else {
                code = customer_rows(t, &bq, &bd, c, ci, cal);
            }
        }
    }
    if (code == CLI_OK || (code == CLI_FAIL && may)) {
        int answer = code;
        cli_out out;
        cli_out_open(&out, NULL, "followup besttime"); /* standard output: write errors are reported */
        int bad = cli_table_write(t, fmt, out.f, 0);
        code = cli_out_close(&out, !bad, "followup besttime");
        if (code == CLI_OK && bad) code = bad;
        if (code == CLI_OK) code = answer;
    }
done:
    cli_table_free(t);
    free(bq.slots);
    for (size_t i = 0; i < nz; i++) fu_calendar_free(zc[i].cal);
    free(zc);
    fu_besttime_free(m);
    fu_book_free(book);
    fu_policy_free(pol);
    return code;
}

const cli_command cli_cmd_besttime = {"besttime", "best hours to contact each customer; may I contact now?",
                                      run, help};
