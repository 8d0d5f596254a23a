/*
 * A CRM-style integration: the CRM owns its customers and pushes events to
 * libfollowup one at a time as they happen; after each event it shows the
 * agent what changed in the follow-up plan, and at the end of the day it asks
 * for tomorrow's call plan.
 *
 *   crm_integration [POLICY.yaml]
 */
#include <followup.h>

#include <stdio.h>
#include <string.h>

static int fail(const char *what) {
    char msg[1024];
    fu_error_format(msg, sizeof msg);
    fprintf(stderr, "crm_integration: %s: %s\n", what, msg);
    return 1;
}

static void show(const fu_plan *plan, fu_touchpoint_status status, const char *label) {
    size_t n = 0;
    const fu_touchpoint *tp = fu_plan_touchpoints(plan, status, &n);
    for (size_t i = 0; i < n; i++) {
        char from[40], to[40];
        fu_time_format(tp[i].due_from, 8 * 3600, 0, from, sizeof from);
        fu_time_format(tp[i].due_to, 8 * 3600, 0, to, sizeof to);
        printf("  %-10s %-6s %s .. %s  %-5s %s [%s]%s%s\n", label, tp[i].customer_id, from, to,
               fu_channel_name(tp[i].channel), tp[i].purpose, tp[i].rule,
               tp[i].status_rule[0] ? " by " : "", tp[i].status_rule);
    }
}

int main(int argc, char **argv) {
    fu_policy *policy = NULL;
    fu_book *book = NULL;
    fu_planner *planner = NULL;
    fu_plan *plan = NULL;
    int rc = 1;

    if ((argc > 1 ? fu_policy_load_file(&policy, argv[1], NULL) : fu_policy_default(&policy)) != FU_OK)
        return fail("policy");

    /* The CRM's customers (in a real CRM: a bulk load at start-up). */
    if (fu_book_new(&book, NULL) != FU_OK) { fail("book"); goto out; }
    static const struct { const char *id, *tz; double spend; } crm[] = {
        {"C-1001", "Asia/Shanghai", 820000.0},   /* VIP */
        {"C-1002", "Asia/Shanghai", 45000.0},    /* ordinary */
        {"C-1003", "Europe/Berlin", 150000.0},   /* key */
    };
    for (size_t i = 0; i < sizeof crm / sizeof crm[0]; i++) {
        fu_customer c;
        fu_customer_init(&c);
        c.id = crm[i].id;
        c.tz = crm[i].tz;
        c.annual_spend = crm[i].spend;
        c.consent_phone = FU_TRI_YES;
        c.consent_sms = FU_TRI_YES;
        if (fu_book_add_customer(book, &c, NULL) != FU_OK) { fail("add customer"); goto out; }
    }
    if (fu_book_finalize(book) != FU_OK) { fail("finalize"); goto out; }
    if (fu_planner_new(&planner, policy, book, NULL) != FU_OK) { fail("planner"); goto out; }

    /* Events as they arrive from the order, logistics and service systems. */
    static const struct { const char *customer, *at, *kind, *order, *severity, *outcome; } feed[] = {
        {"C-1001", "2026-11-20T10:00:00+08:00", "purchase", "SO-77", NULL, NULL},
        {"C-1001", "2026-11-22T15:30:00+08:00", "delivery", "SO-77", NULL, NULL},
        {"C-1002", "2026-11-23T09:10:00+08:00", "repair", "RO-12", "urgent", NULL},
        {"C-1001", "2026-11-23T10:05:00+08:00", "contact", "SO-77", NULL, "answered"},
        {"C-1003", "2026-11-23T11:00:00+01:00", "complaint", NULL, "normal", NULL},
    };
    for (size_t i = 0; i < sizeof feed / sizeof feed[0]; i++) {
        fu_event_in ev;
        fu_event_in_init(&ev);
        ev.customer_id = feed[i].customer;
        if (fu_time_parse(feed[i].at, strlen(feed[i].at), &ev.at) != FU_OK ||
            fu_event_kind_from_string(feed[i].kind, strlen(feed[i].kind), &ev.kind) != FU_OK) {
            fail("event");
            goto out;
        }
        ev.order_id = feed[i].order;
        if (feed[i].severity) fu_severity_from_string(feed[i].severity, strlen(feed[i].severity), &ev.severity);
        if (feed[i].outcome) {
            fu_outcome_from_string(feed[i].outcome, strlen(feed[i].outcome), &ev.outcome);
            ev.channel = FU_CHANNEL_PHONE;
        }
        fu_plan *delta = NULL;
        if (fu_planner_feed(planner, &ev, ev.at, 14 * 86400, &delta) != FU_OK) { fail("feed"); goto out; }
        printf("%s %s %s:\n", feed[i].at, feed[i].customer, feed[i].kind);
        show(delta, FU_TOUCHPOINT_PLANNED, "new");
        show(delta, FU_TOUCHPOINT_CANCELLED, "cancelled");
        show(delta, FU_TOUCHPOINT_SUPPRESSED, "suppressed");
        fu_plan_free(delta);
    }

    /* End of day: tomorrow's plan with capacity, quiet hours and caps applied. */
    int64_t tomorrow;
    fu_time_parse("2026-11-24T00:00:00+08:00", 25, &tomorrow);
    if (fu_planner_plan(planner, tomorrow, 86400, &plan) != FU_OK) { fail("plan"); goto out; }
    char *csv = NULL;
    size_t len = 0;
    if (fu_plan_write_csv_to_string(plan, 1u << FU_TOUCHPOINT_PLANNED, 0, &len, &csv) != FU_OK) { fail("csv"); goto out; }
    printf("\ntomorrow's plan:\n%s", csv);
    fu_free(csv);
    rc = 0;
out:
    fu_plan_free(plan);
    fu_planner_free(planner);
    fu_book_free(book);
    fu_policy_free(policy);
    return rc;
}
