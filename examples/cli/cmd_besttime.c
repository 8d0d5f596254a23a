/* followup besttime: best hours per customer, or may I contact one now? */
#include "cli.h"

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
            "yes or no, the rule that says no, and the next allowed instant.\n"
            "\n"
            "TIME is ISO 8601 with an offset (2026-03-05T10:00:00+08:00); --now defaults\n"
            "to the current time. Without --policy the built-in policy is used.\n"
            "--day and the day after --now must lie in 1900-01-01 to 9998-12-31\n"
            "(other dates are refused with exit code 2).\n"
            "Exit codes: 0 ok (also for a 'no'), 2 bad usage, 3 bad input, 4 internal.\n");
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

static int run(int argc, char **argv) {
    const char *policy_file = NULL, *customers = NULL, *events = NULL, *day_text = "tomorrow";
    const char *may = NULL, *at_text = NULL, *now_text = NULL, *fmt_text = "table";
    const char *channel_text = "phone";
    unsigned long k = 1;
    unsigned int flags = 0;
    fu_besttime_query_options q = FU_BESTTIME_QUERY_OPTIONS_INIT;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **dst = NULL;
        if (cli_is_help(a)) {
            help(stdout);
            return CLI_OK;
        } else if (strcmp(a, "--urgent") == 0) {
            flags |= FU_BESTTIME_URGENT;
            continue;
        }
        if (strcmp(a, "--policy") == 0) dst = &policy_file;
        else if (strcmp(a, "--customers") == 0) dst = &customers;
        else if (strcmp(a, "--events") == 0) dst = &events;
        else if (strcmp(a, "--now") == 0) dst = &now_text;
        else if (strcmp(a, "--day") == 0) dst = &day_text;
        else if (strcmp(a, "--format") == 0) dst = &fmt_text;
        else if (strcmp(a, "--may-contact") == 0) dst = &may;
        else if (strcmp(a, "--at") == 0) dst = &at_text;
        else if (strcmp(a, "--channel") == 0) dst = &channel_text;
        else if (strcmp(a, "--k") != 0 && strcmp(a, "--thompson") != 0) {
            fprintf(stderr, "followup besttime: unknown option '%s'\n", a);
            return CLI_USAGE;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "followup besttime: %s needs a value\n", a);
            return CLI_USAGE;
        }
        const char *v = argv[++i];
        if (dst) {
            *dst = v;
        } else {
            char *end;
            unsigned long long n = strtoull(v, &end, 10);
            if (*v == '\0' || *end != '\0' || (strcmp(a, "--k") == 0 && (n < 1 || n > 168))) {
                fprintf(stderr, "followup besttime: %s: bad number '%s'\n", a, v);
                return CLI_USAGE;
            }
            if (strcmp(a, "--k") == 0) k = (unsigned long)n;
            else {
                q.flags |= FU_BESTTIME_THOMPSON;
                q.seed = n;
            }
        }
    }
    cli_format fmt;
    if (cli_format_parse(fmt_text, &fmt) != 0) {
        fprintf(stderr, "followup besttime: --format must be table, csv or json\n");
        return CLI_USAGE;
    }
    if (!customers) {
        fprintf(stderr, "followup besttime: --customers is required\n");
        return CLI_USAGE;
    }
    if ((may == NULL) != (at_text == NULL)) {
        fprintf(stderr, "followup besttime: --may-contact and --at go together\n");
        return CLI_USAGE;
    }
    fu_channel channel;
    if (fu_channel_from_string(channel_text, strlen(channel_text), &channel) != FU_OK) {
        fprintf(stderr, "followup besttime: --channel: %s\n", fu_error_last()->message);
        return CLI_USAGE;
    }
    int64_t now = (int64_t)time(NULL), at = 0;
    if (now_text && parse_time_arg("--now", now_text, &now)) return CLI_USAGE;
    if (at_text && parse_time_arg("--at", at_text, &at)) return CLI_USAGE;
    fu_date day;
    int tomorrow = strcmp(day_text, "tomorrow") == 0;
    if (!tomorrow && fu_date_parse(day_text, strlen(day_text), &day) != FU_OK) {
        fprintf(stderr, "followup besttime: --day: %s\n", fu_error_last()->message);
        return CLI_USAGE;
    }
    /* The calendar covers years 1..9999, but a day's search looks ahead (the
     * next allowed instant, month ends) and zones had local mean time
     * offsets before 1900: days from 1900 to 9998 are served, others refused. */
    if (!tomorrow && (day.year < DAY_MIN_YEAR || day.year > DAY_MAX_YEAR)) {
        fprintf(stderr, "followup besttime: --day: %s is out of range (%d-01-01 to %d-12-31)\n", day_text,
                DAY_MIN_YEAR, DAY_MAX_YEAR);
        return CLI_USAGE;
    }
    fu_date now_utc;
    int64_t now_day = now >= 0 ? now / 86400 : -((86399 - now) / 86400);
    if (tomorrow &&
        (fu_date_from_days(now_day, &now_utc) || now_utc.year < DAY_MIN_YEAR || now_utc.year > DAY_MAX_YEAR)) {
        fprintf(stderr, "followup besttime: --now is out of range (years %d to %d)\n", DAY_MIN_YEAR, DAY_MAX_YEAR);
        return CLI_USAGE;
    }

    int rc, code = CLI_OK;
    fu_policy *pol = NULL;
    fu_book *book = NULL;
    fu_besttime *m = NULL;
    cli_table *t = NULL;
    fu_besttime_slot *slots = NULL;
    zcache *zc = NULL;
    size_t nz = 0;
    rc = policy_file ? fu_policy_load_file(&pol, policy_file, NULL) : fu_policy_default(&pol);
    if (rc) {
        cli_error("policy");
        return cli_exit_code(rc);
    }
    if ((rc = fu_book_new(&book, NULL)) || (rc = fu_book_read_customers_csv(book, customers)) ||
        (events && (rc = fu_book_read_events_csv(book, events))) || (rc = fu_book_finalize(book))) {
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
    if (may) {
        size_t ci;
        if ((rc = fu_book_find_customer(book, may, strlen(may), &ci))) {
            cli_error("--may-contact");
            code = CLI_INPUT;
            goto done;
        }
        fu_besttime_decision d;
        if ((rc = fu_besttime_may_contact(m, ci, at, channel, flags, &d))) {
            cli_error("may-contact");
            code = cli_exit_code(rc);
            goto done;
        }
        const fu_calendar *cal = zone_cal(zc, &nz, fu_book_customer(book, ci)->tz);
        static const char *hdr[] = {"customer_id", "at", "may_contact", "rule", "next_allowed"};
        char tat[64], tnext[64];
        fmt_time(at, cal, tat, sizeof tat);
        fmt_time(d.next_allowed, cal, tnext, sizeof tnext);
        const char *row[] = {may, tat, d.allowed ? "yes" : "no", d.rule ? d.rule : "", tnext};
        t = cli_table_new(5, hdr);
        if (!t || cli_table_add(t, row)) {
            code = CLI_INTERNAL;
            goto done;
        }
        cli_table_write(t, fmt, stdout, 0);
        goto done;
    }
    static const char *hdr[] = {"customer_id", "rank", "best_at", "hour_of_week", "p", "ci_low",
                                "ci_high", "preferred", "rule", "next_allowed"};
    t = cli_table_new(10, hdr);
    slots = calloc(k, sizeof *slots);
    if (!t || !slots) {
        code = CLI_INTERNAL;
        goto done;
    }
    q.now = now;
    for (size_t ci = 0; ci < n; ci++) {
        const fu_customer *c = fu_book_customer(book, ci);
        const fu_calendar *cal = zone_cal(zc, &nz, c->tz);
        if (!cal) {
            cli_error(c->id);
            code = CLI_INPUT;
            goto done;
        }
        int64_t from = 0, to = 0;
        if ((rc = day_bounds(cal, tomorrow, day, now, &from, &to))) {
            fprintf(stderr, "followup besttime: %s: the %s is outside the calendar (years 1..9999) in zone %s\n",
                    c->id, tomorrow ? "day after --now" : "--day", c->tz ? c->tz : "UTC");
            code = CLI_USAGE;
            goto done;
        }
        size_t found = 0;
        if ((rc = fu_besttime_best(m, ci, from, to, channel, flags, k, &q, slots, &found))) {
            cli_error(c->id);
            code = cli_exit_code(rc);
            goto done;
        }
        for (size_t r = 0; r < (found ? found : 1); r++) {
            const fu_besttime_slot *s = &slots[r];
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
                                 (s->flags & FU_BESTTIME_SLOT_PREFERRED) ? "yes" : "no",
                                 s->rule ? s->rule : "", tnext};
            if (cli_table_add(t, row)) {
                code = CLI_INTERNAL;
                goto done;
            }
        }
    }
    cli_table_write(t, fmt, stdout, 0);
done:
    cli_table_free(t);
    free(slots);
    for (size_t i = 0; i < nz; i++) fu_calendar_free(zc[i].cal);
    free(zc);
    fu_besttime_free(m);
    fu_book_free(book);
    fu_policy_free(pol);
    return code;
}

const cli_command cli_cmd_besttime = {"besttime", "best hours to contact each customer; may I contact now?",
                                      run, help};
