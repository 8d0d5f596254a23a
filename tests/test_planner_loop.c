/* The closed loop: promises of the commitment ledger drive contacts
 * (fu_planner_set_ledger(), cadences with trigger {promise: ...}). A small
 * hand-made book and ledger; expected windows worked out by hand from the
 * built-in policy (lib/data/default_policy.yaml) in the comments. */
#include "fu_test.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define H INT64_C(3600)
#define D INT64_C(86400)

static const char CUSTOMERS[] =
    "customer_id,tz,annual_spend,first_purchase_at,industry,is_smb,preferred_windows,dnd_windows,consent_phone,"
    "consent_sms,consent_email\n"
    "C1,Asia/Shanghai,20000,2025-01-10T10:00:00+08:00,,,,,yes,yes,yes\n"
    "C2,Asia/Shanghai,20000,2025-01-10T10:00:00+08:00,,,,,yes,yes,yes\n"
    "C3,Asia/Shanghai,20000,2025-01-10T10:00:00+08:00,,,,,yes,yes,yes\n"
    "C4,Asia/Shanghai,20000,2025-01-10T10:00:00+08:00,,,,,yes,yes,yes\n";
static const char EVENTS[] = "customer_id,at,kind,order_id,product_class,unit_price,amount,severity,channel,"
                             "agent_id,outcome\n"
                             "C1,2025-01-10T10:00:00+08:00,purchase,O1,,500,500,,,,\n"
                             "C1,2026-02-20T10:00:00+08:00,contact,,,,,,phone,a1,answered\n"
                             "C2,2025-01-10T10:00:00+08:00,purchase,O2,,500,500,,,,\n"
                             "C2,2026-02-20T10:00:00+08:00,contact,,,,,,phone,a1,answered\n"
                             "C3,2025-01-10T10:00:00+08:00,purchase,O3,,500,500,,,,\n"
                             "C3,2026-02-20T10:00:00+08:00,contact,,,,,,phone,a1,answered\n"
                             "C4,2025-01-10T10:00:00+08:00,purchase,O4,,500,500,,,,\n"
                             "C4,2026-02-20T10:00:00+08:00,contact,,,,,,phone,a1,answered\n";

#define T fu_test_time
#define find fu_test_find_touchpoint

typedef struct fx {
    fu_policy *policy;
    fu_book *book;
    fu_planner *pl;
    fu_plan *plan;
    fu_ledger *ledger;
    int64_t id[8];
} fx;

static int64_t add(fx *f, const char *cust, const char *text, const char *owner, const char *made, const char *due) {
    fu_commit_input in = FU_COMMIT_INPUT_INIT;
    in.customer_id = cust;
    in.text = text;
    in.owner = owner;
    in.category = "repair";
    in.created_at = T(made);
    in.deadline = T(due);
    int64_t id = 0;
    cr_assert_eq(fu_ledger_add(f->ledger, &in, &id), FU_OK, "%s", fu_error_last()->message);
    return id;
}

/* C1: promised 03-02 10:00, due 03-05 18:00, open (at risk from 03-04 18:00).
 * C2: promised 03-02 10:00, due 03-04 12:00, unresolved (breached at 12:00).
 * C3: promised 03-01 10:00, due 03-03 18:00, fulfilled 03-02 09:00.
 * C4: promised 03-01 10:00, due 03-02 12:00, still unresolved two days on. */
static void setup(fx *f) {
    memset(f, 0, sizeof *f);
    f->policy = fu_test_policy(NULL);
    f->book = fu_test_book(CUSTOMERS, EVENTS);
    cr_assert_eq(fu_ledger_open(&f->ledger, NULL, NULL), FU_OK, "%s", fu_error_last()->message);
    f->id[1] = add(f, "C1", "send the replacement part", "repair", "2026-03-02T10:00:00+08:00",
                   "2026-03-05T18:00:00+08:00");
    f->id[2] = add(f, "C2", "refund the fee", "billing", "2026-03-02T10:00:00+08:00", "2026-03-04T12:00:00+08:00");
    f->id[3] = add(f, "C3", "fix the router", "repair", "2026-03-01T10:00:00+08:00", "2026-03-03T18:00:00+08:00");
    f->id[4] = add(f, "C4", "call back with the diagnosis", "field", "2026-03-01T10:00:00+08:00",
                   "2026-03-02T12:00:00+08:00");
    f->id[5] = add(f, "NOBODY", "not in the book", "x", "2026-03-01T10:00:00+08:00", "2026-03-04T12:00:00+08:00");
    cr_assert_eq(fu_ledger_fulfill(f->ledger, f->id[3], T("2026-03-02T09:00:00+08:00"), "agent7"), FU_OK);
    cr_assert_eq(fu_planner_new(&f->pl, f->policy, f->book, NULL), FU_OK, "%s", fu_error_last()->message);
}

static void teardown(fx *f) {
    fu_plan_free(f->plan);
    fu_planner_free(f->pl);
    fu_ledger_close(f->ledger);
    fu_book_free(f->book);
    fu_policy_free(f->policy);
}

/* The planned touchpoint of customer `id` and `rule`, checked: due
 * [from, to], made at best_at, with that priority and owner. */
static const fu_touchpoint *planned(const fu_plan *p, const char *id, const char *rule, const char *from,
                                    const char *to, int64_t best_at, fu_priority priority, const char *owner) {
    const fu_touchpoint *t = find(p, FU_TOUCHPOINT_PLANNED, id, rule);
    cr_assert_not_null(t, "%s %s", id, rule);
    cr_assert_eq(t->due_from, T(from), "%s", rule);
    cr_assert_eq(t->due_to, T(to), "%s", rule);
    cr_assert_eq(t->best_at, best_at, "%s", rule);
    cr_assert_eq(t->priority, priority, "%s", rule);
    cr_assert_str_eq(t->owner, owner);
    return t;
}

static size_t count_rule(const fu_plan *p, const char *rule) {
    size_t total = 0;
    for (int s = 0; s < FU_TOUCHPOINT_STATUS_COUNT; s++) {
        size_t n = 0;
        const fu_touchpoint *t = fu_plan_touchpoints(p, (fu_touchpoint_status)s, &n);
        for (size_t i = 0; i < n; i++) total += strstr(t[i].rule, rule) != NULL;
    }
    return total;
}

/* Without a ledger no promise cadence plans anything. */
Test(planner_loop, no_ledger_no_promise_contacts) {
    fx f;
    setup(&f);
    cr_assert_eq(fu_planner_plan(f.pl, T("2026-03-04T20:00:00+08:00"), 2 * D, &f.plan), FU_OK);
    cr_assert_eq(count_rule(f.plan, "cadences.promise_"), 0);
    teardown(&f);
}

/* Planned at Wed 03-04 20:00 +08:00 for 2 days. */
Test(planner_loop, at_risk_breached_fulfilled) {
    fx f;
    setup(&f);
    cr_assert_eq(fu_planner_set_ledger(f.pl, f.ledger), FU_OK, "%s", fu_error_last()->message);
    int64_t now = T("2026-03-04T20:00:00+08:00");
    cr_assert_eq(fu_planner_plan(f.pl, now, 2 * D, &f.plan), FU_OK, "%s", fu_error_last()->message);
    /* C1 at risk: progress due [deadline - 24 h, deadline] = [03-04 18:00, 03-05 18:00],
     * made now (20:00 is inside 08:00-21:00), by the promise's owner */
    const fu_touchpoint *a = planned(f.plan, "C1", "cadences.promise_at_risk.progress",
                                     "2026-03-04T18:00:00+08:00", "2026-03-05T18:00:00+08:00", now,
                                     FU_PRIORITY_NORMAL, "repair");
    char want[64];
    snprintf(want, sizeof want, "promise #%lld", (long long)f.id[1]);
    cr_assert(strstr(a->reason, want) && strstr(a->reason, "due 2026-03-05 18:00"), "%s", a->reason);
    /* C2 breached at 03-04 12:00: remedy due [12:00, 03-05 12:00], high, owner billing */
    const fu_touchpoint *b = planned(f.plan, "C2", "cadences.promise_breached.remedy",
                                     "2026-03-04T12:00:00+08:00", "2026-03-05T12:00:00+08:00", now,
                                     FU_PRIORITY_HIGH, "billing");
    snprintf(want, sizeof want, "promise #%lld", (long long)f.id[2]);
    cr_assert(strstr(b->reason, want) && strstr(b->reason, "breached on 2026-03-04 12:00"), "%s", b->reason);
    cr_assert(strstr(b->reason, "refund the fee"), "%s", b->reason);
    /* no progress contact for a promise already breached or fulfilled */
    cr_assert_null(find(f.plan, FU_TOUCHPOINT_PLANNED, "C2", "promise_at_risk"));
    cr_assert_null(find(f.plan, FU_TOUCHPOINT_PLANNED, "C3", "promise_at_risk"));
    cr_assert_null(find(f.plan, FU_TOUCHPOINT_PLANNED, "C3", "promise_breached"));
    /* C3 fulfilled 03-02 09:00: satisfaction check 72 h on, [03-05 09:00, 03-06 09:00] */
    const fu_touchpoint *c = find(f.plan, FU_TOUCHPOINT_PLANNED, "C3", "cadences.promise_fulfilled.satisfaction_check");
    cr_assert_not_null(c);
    cr_assert_eq(c->due_from, T("2026-03-05T09:00:00+08:00"));
    cr_assert_eq(c->due_to, T("2026-03-06T09:00:00+08:00"));
    cr_assert_eq(c->best_at, T("2026-03-05T09:00:00+08:00"));
    cr_assert(strstr(c->reason, "fulfilled on 2026-03-02 09:00"), "%s", c->reason);
    /* C4 breached 03-02 12:00, window over without a contact: overdue, due from now */
    const fu_touchpoint *d = find(f.plan, FU_TOUCHPOINT_PLANNED, "C4", "cadences.promise_breached.remedy");
    cr_assert_not_null(d);
    cr_assert_eq(d->due_from, now);
    cr_assert_eq(d->due_to, now + 24 * H);
    cr_assert_str_eq(d->owner, "field");
    cr_assert(strstr(d->reason, "overdue"), "%s", d->reason);
    /* the plan outlives the planner and the ledger (owner copied) */
    fu_planner_free(f.pl);
    f.pl = NULL;
    fu_ledger_close(f.ledger);
    f.ledger = NULL;
    cr_assert_str_eq(b->owner, "billing");
    teardown(&f);
}

/* An answered contact in the remedy window closes it (done); removing the
 * ledger removes the promise contacts. */
Test(planner_loop, answered_remedy_is_done_and_ledger_removable) {
    fx f;
    setup(&f);
    fu_planner_free(f.pl);
    fu_book_free(f.book);
    cr_assert_eq(fu_book_new(&f.book, NULL), FU_OK);
    cr_assert_eq(fu_book_read_customers_csv_from_string(f.book, CUSTOMERS, strlen(CUSTOMERS), "c"), FU_OK);
    static const char ev2[] = "customer_id,at,kind,order_id,product_class,unit_price,amount,severity,channel,"
                              "agent_id,outcome\n"
                              "C2,2026-03-04T15:00:00+08:00,contact,,,,,,phone,a1,answered\n";
    cr_assert_eq(fu_book_read_events_csv_from_string(f.book, ev2, strlen(ev2), "e"), FU_OK, "%s",
                 fu_error_last()->message);
    cr_assert_eq(fu_planner_new(&f.pl, f.policy, f.book, NULL), FU_OK);
    cr_assert_eq(fu_planner_set_ledger(f.pl, f.ledger), FU_OK);
    cr_assert_eq(fu_planner_plan(f.pl, T("2026-03-04T20:00:00+08:00"), 2 * D, &f.plan), FU_OK);
    cr_assert_null(find(f.plan, FU_TOUCHPOINT_PLANNED, "C2", "promise_breached"));
    cr_assert_not_null(find(f.plan, FU_TOUCHPOINT_PLANNED, "C1", "promise_at_risk"));
    fu_plan_free(f.plan);
    f.plan = NULL;
    cr_assert_eq(fu_planner_set_ledger(f.pl, NULL), FU_OK);
    cr_assert_eq(fu_planner_plan(f.pl, T("2026-03-04T20:00:00+08:00"), 2 * D, &f.plan), FU_OK);
    cr_assert_eq(count_rule(f.plan, "cadences.promise_"), 0);
    cr_assert_eq(fu_planner_set_ledger(NULL, f.ledger), FU_EINVAL);
    teardown(&f);
}

/* A site policy overrides the lead time and the remedy's priority. */
Test(planner_loop, policy_overrides_lead_time) {
    fx f;
    setup(&f);
    fu_planner_free(f.pl);
    fu_policy_free(f.policy);
    static const char y[] = "extends: builtin\n"
                            "cadences:\n"
                            "  promise_at_risk:\n"
                            "    trigger: {promise: at_risk}\n"
                            "    steps:\n"
                            "      progress: {at: -48h, within: 48h, purpose: progress, channel: phone, priority: high}\n";
    cr_assert_eq(fu_policy_load_string(&f.policy, y, strlen(y), "p", NULL), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(fu_planner_new(&f.pl, f.policy, f.book, NULL), FU_OK);
    cr_assert_eq(fu_planner_set_ledger(f.pl, f.ledger), FU_OK);
    int64_t now = T("2026-03-04T10:00:00+08:00");
    cr_assert_eq(fu_planner_plan(f.pl, now, D, &f.plan), FU_OK, "%s", fu_error_last()->message);
    const fu_touchpoint *a = find(f.plan, FU_TOUCHPOINT_PLANNED, "C1", "cadences.promise_at_risk.progress");
    cr_assert_not_null(a);
    cr_assert_eq(a->due_from, T("2026-03-03T18:00:00+08:00"));
    cr_assert_eq(a->priority, FU_PRIORITY_HIGH);
    teardown(&f);
}

/* A bad promise state names the key and the states. */
Test(planner_loop, bad_promise_state) {
    static const char y[] = "extends: builtin\n"
                            "cadences:\n"
                            "  x:\n"
                            "    trigger: {promise: late}\n"
                            "    steps:\n"
                            "      a: {at: 0h, within: 1h, purpose: p}\n";
    fu_test_policy_refused(y, "at_risk");
}

/* The escalation tests: CUSTOMERS with `events`, the policy of `yaml` (NULL:
 * the built-in one), an empty ledger in memory and a planner. */
#define ESCALATION_HEADER                                                                                     \
    "customer_id,at,kind,order_id,product_class,unit_price,amount,severity,channel,agent_id,outcome\n"
/* C1 fault F1 and C2 fault F2 (resolved 03-03 15:00), C3 complaint K3; each
 * answered at 11:00 (the 24 h response made: since review s8 F14 a response
 * without a contact would still be due, overdue, and join the escalation) */
#define ESCALATION_EVENTS                                                                                     \
    ESCALATION_HEADER "C1,2026-02-20T10:00:00+08:00,contact,,,,,,phone,a1,answered\n"                          \
                      "C2,2026-02-20T10:00:00+08:00,contact,,,,,,phone,a1,answered\n"                          \
                      "C3,2026-02-20T10:00:00+08:00,contact,,,,,,phone,a1,answered\n"                          \
                      "C1,2026-03-02T10:00:00+08:00,fault,F1,,,,normal,,,\n"                                   \
                      "C2,2026-03-02T10:00:00+08:00,fault,F2,,,,normal,,,\n"                                   \
                      "C2,2026-03-03T15:00:00+08:00,resolved,F2,,,,,,,\n"                                      \
                      "C3,2026-03-02T10:00:00+08:00,complaint,K3,,,,,,,\n"                                    \
                      "C1,2026-03-02T11:00:00+08:00,contact,F1,,,,,phone,a1,answered\n"                         \
                      "C2,2026-03-02T11:00:00+08:00,contact,F2,,,,,phone,a1,answered\n"                         \
                      "C3,2026-03-02T11:00:00+08:00,contact,K3,,,,,phone,a1,answered\n"

static void setup_escalation(fx *f, const char *yaml, const char *events) {
    memset(f, 0, sizeof *f);
    f->policy = fu_test_policy(yaml);
    f->book = fu_test_book(CUSTOMERS, events);
    cr_assert_eq(fu_ledger_open(&f->ledger, NULL, NULL), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(fu_planner_new(&f->pl, f->policy, f->book, NULL), FU_OK, "%s", fu_error_last()->message);
}

/* C3's promise after the complaint: made 03-02 10:30, due 03-08 18:00;
 * category NULL: the default. */
static fu_commit_input c3_promise(const char *category) {
    fu_commit_input in = FU_COMMIT_INPUT_INIT;
    in.customer_id = "C3";
    in.text = "call back with a solution";
    in.owner = "service";
    in.category = category;
    in.created_at = T("2026-03-02T10:30:00+08:00");
    in.deadline = T("2026-03-08T18:00:00+08:00");
    return in;
}

/* ------------------------------------------------------------ escalation */

/* "Unresolved 48 h after the problem arose -> the expert team", counted from
 * the fault / complaint itself (not from a promise's breach):
 * C1 fault F1 Mon 03-02 10:00, never resolved: escalation due [03-04 10:00,
 *   03-05 10:00], urgent, owner "expert"; planned at now (03-04 11:00).
 * C2 fault F2 03-02 10:00, resolved (F2) 03-03 15:00: no escalation.
 * C3 complaint 03-02 10:00 (order K3), a `resolved` of another order (K9):
 *   still escalated; its promise (due 03-08 18:00) does not move the window. */
Test(planner_loop, unresolved_problem_escalates_from_when_it_arose) {
    fx f;
    setup_escalation(&f, NULL, ESCALATION_EVENTS "C3,2026-03-03T15:00:00+08:00,resolved,K9,,,,,,,\n");
    fu_commit_input in = c3_promise(NULL); /* the default category */
    cr_assert_eq(fu_ledger_add(f.ledger, &in, NULL), FU_OK);
    cr_assert_eq(fu_planner_set_ledger(f.pl, f.ledger), FU_OK);
    int64_t now = T("2026-03-04T11:00:00+08:00");
    cr_assert_eq(fu_planner_plan(f.pl, now, D, &f.plan), FU_OK, "%s", fu_error_last()->message);
    fu_plan *plan = f.plan;
    const fu_touchpoint *a = planned(plan, "C1", "cadences.fault_escalation.expert_team",
                                     "2026-03-04T10:00:00+08:00", "2026-03-05T10:00:00+08:00", now,
                                     FU_PRIORITY_URGENT, "expert");
    cr_assert(strstr(a->reason, "fault on 2026-03-02 10:00 (order F1)") && strstr(a->reason, "by the team expert"),
              "%s", a->reason);
    for (int st = 0; st < FU_TOUCHPOINT_STATUS_COUNT; st++)
        cr_assert_null(find(plan, (fu_touchpoint_status)st, "C2", "escalation"));
    const fu_touchpoint *c = find(plan, FU_TOUCHPOINT_PLANNED, "C3", "cadences.complaint_escalation.expert_team");
    cr_assert_not_null(c);
    cr_assert_eq(c->due_from, T("2026-03-04T10:00:00+08:00"));
    cr_assert_str_eq(c->owner, "expert");
    fu_plan_free(f.plan);
    /* planned two days earlier, the escalation is not yet due; a day after
     * the window opened it still is (the window ends 03-05 10:00) */
    cr_assert_eq(fu_planner_plan(f.pl, T("2026-03-02T12:00:00+08:00"), D, &f.plan), FU_OK);
    cr_assert_null(find(f.plan, FU_TOUCHPOINT_PLANNED, "C1", "escalation"));
    teardown(&f);
}

/* The escalation is a ledger event too (fu_ledger_record_escalations()),
 * the book of the test above, plan at 03-04 11:00 (+08:00):
 * C1 fault F1 03-02 10:00: its only promise was made 03-01 (before the
 *   fault), so a new row: category escalation, owner expert, made 03-02
 *   10:00, due 03-05 10:00 (the window's end), history created (03-02 10:00)
 *   then escalated (03-04 10:00, cadences.fault_escalation.expert_team, by
 *   expert, level 0, state open -> open).
 * C3 complaint 03-02 10:00: its promise made 03-02 10:30 is unresolved at
 *   03-04 10:00, so it is that row that gets the escalated event.
 * A second run records nothing; a plan made before the window opens neither. */
static const fu_commitment *row_of(const fu_commitment_list *l, const char *cust, const char *category) {
    for (size_t i = 0; i < fu_commitment_list_count(l); i++) {
        const fu_commitment *c = fu_commitment_list_get(l, i);
        if (strcmp(c->customer_id, cust) == 0 && strcmp(c->category, category) == 0) return c;
    }
    return NULL;
}

Test(planner_loop, escalation_recorded_in_the_ledger_once) {
    fx f;
    setup_escalation(&f, NULL, ESCALATION_EVENTS);
    fu_ledger *ledger = f.ledger;
    fu_policy *policy = f.policy;
    fu_planner *pl = f.pl;
    fu_plan *plan = NULL, *early = NULL;
    fu_commit_input in = c3_promise("complaint");
    cr_assert_eq(fu_ledger_add(ledger, &in, NULL), FU_OK);
    in.customer_id = "C1";
    in.category = "delivery";
    in.created_at = T("2026-03-01T10:00:00+08:00");
    cr_assert_eq(fu_ledger_add(ledger, &in, NULL), FU_OK);
    int64_t now = T("2026-03-04T11:00:00+08:00");
    cr_assert_eq(fu_planner_plan(pl, now, D, &plan), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(fu_planner_plan(pl, T("2026-03-02T12:00:00+08:00"), D, &early), FU_OK);
    size_t n = 99;
    cr_assert_eq(fu_ledger_record_escalations(ledger, policy, early, T("2026-03-02T12:00:00+08:00"), &n), FU_OK);
    cr_assert_eq(n, 0);
    cr_assert_eq(fu_ledger_record_escalations(ledger, policy, plan, now, &n), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(n, 2);
    cr_assert_eq(fu_ledger_record_escalations(ledger, policy, plan, now, &n), FU_OK);
    cr_assert_eq(n, 0, "idempotent");
    cr_assert_eq(fu_ledger_record_escalations(NULL, policy, plan, now, &n), FU_EINVAL);
    cr_assert_eq(fu_ledger_record_escalations(ledger, NULL, plan, now, &n), FU_EINVAL);
    cr_assert_eq(fu_ledger_record_escalations(ledger, policy, NULL, now, &n), FU_EINVAL);

    fu_commit_query q = FU_COMMIT_QUERY_INIT;
    q.flags = FU_QUERY_EVENTS;
    fu_commitment_list *l = NULL;
    cr_assert_eq(fu_ledger_query(ledger, &q, &l), FU_OK);
    cr_assert_eq(fu_commitment_list_count(l), 3);
    const fu_commitment *e = row_of(l, "C1", "escalation");
    cr_assert_not_null(e);
    cr_assert_str_eq(e->owner, "expert");
    cr_assert_str_eq(e->rule, "cadences.fault_escalation.expert_team");
    cr_assert(strstr(e->text, "(order F1)"), "%s", e->text);
    cr_assert_eq(e->created_at, T("2026-03-02T10:00:00+08:00"));
    cr_assert_eq(e->deadline, T("2026-03-05T10:00:00+08:00"));
    cr_assert_eq(e->n_events, 2);
    cr_assert_eq(e->events[1].kind, FU_COMMIT_EV_ESCALATED);
    cr_assert_eq(e->events[1].at, T("2026-03-04T10:00:00+08:00"));
    cr_assert_str_eq(e->events[1].rule, "cadences.fault_escalation.expert_team");
    cr_assert_str_eq(e->events[1].by, "expert");
    cr_assert_eq(e->events[1].from_state, FU_COMMIT_OPEN);
    cr_assert_eq(e->events[1].to_state, FU_COMMIT_OPEN);
    cr_assert_eq(e->level, 0);
    const fu_commitment *d = row_of(l, "C1", "delivery");
    cr_assert_eq(d->n_events, 1, "a promise made before the fault is not related");
    const fu_commitment *k = row_of(l, "C3", "complaint");
    cr_assert_not_null(k);
    cr_assert_eq(k->n_events, 2);
    cr_assert_eq(k->events[1].kind, FU_COMMIT_EV_ESCALATED);
    cr_assert_eq(k->events[1].at, T("2026-03-04T10:00:00+08:00"));
    cr_assert_str_eq(k->events[1].rule, "cadences.complaint_escalation.expert_team");
    cr_assert_null(row_of(l, "C2", "escalation"), "a resolved fault does not escalate");
    fu_commitment_list_free(l);
    fu_plan_free(early);
    f.plan = plan;
    teardown(&f);
}

/* `unresolved` must be a boolean. */
Test(planner_loop, unresolved_must_be_boolean) {
    static const char y[] = "cadences:\n"
                            "  fault_escalation:\n"
                            "    trigger: {event: fault}\n"
                            "    when: {unresolved: maybe}\n"
                            "    steps:\n"
                            "      expert_team: {at: 48h, within: 24h, purpose: p, team: expert}\n";
    fu_test_policy_refused(y, "true or false");
}

/* The end of a calendar's official data, for the ledger's deadline flag. */
Test(planner_loop, calendar_data_until) {
    fu_policy *p = NULL;
    fu_date d;
    cr_assert_eq(fu_policy_default(&p), FU_OK);
    cr_assert_eq(fu_policy_calendar_data_until(p, "cn", &d), FU_OK);
    cr_assert_eq(d.year * 10000 + d.month * 100 + d.day, 20261231);
    cr_assert_eq(fu_policy_calendar_data_until(p, NULL, &d), FU_OK);
    cr_assert_eq(d.year, 2026);
    cr_assert_eq(fu_policy_calendar_data_until(p, "mars", &d), FU_ENOTFOUND);
    cr_assert_eq(fu_policy_calendar_data_until(p, "cn", NULL), FU_EINVAL);
    fu_policy_free(p);
}

/* A site policy moves the escalation to 24 h and hands it to another team. */
Test(planner_loop, escalation_overridable) {
    static const char y[] = "cadences:\n"
                            "  fault_escalation:\n"
                            "    steps:\n"
                            "      expert_team: {at: 24h, team: tier2}\n";
    fx f;
    setup_escalation(&f, y,
                     ESCALATION_HEADER "C1,2026-02-20T10:00:00+08:00,contact,,,,,,phone,a1,answered\n"
                                       "C1,2026-03-02T10:00:00+08:00,fault,F1,,,,normal,,,\n"
                                       "C1,2026-03-02T11:00:00+08:00,contact,F1,,,,,phone,a1,answered\n");
    int64_t now = T("2026-03-03T11:00:00+08:00");
    cr_assert_eq(fu_planner_plan(f.pl, now, D, &f.plan), FU_OK, "%s", fu_error_last()->message);
    const fu_touchpoint *a = find(f.plan, FU_TOUCHPOINT_PLANNED, "C1", "cadences.fault_escalation.expert_team");
    cr_assert_not_null(a);
    cr_assert_eq(a->due_from, T("2026-03-03T10:00:00+08:00"));
    cr_assert_eq(a->due_to, T("2026-03-04T10:00:00+08:00"));
    cr_assert_str_eq(a->owner, "tier2");
    teardown(&f);
}

/* Every allocation failure in set_ledger and in planning with promises
 * returns FU_ENOMEM with nothing leaked. */
static int oom_loop(void *vctx) {
    fx *f = vctx;
    fu_planner *pl = NULL;
    fu_plan *plan = NULL;
    int rc = fu_planner_new(&pl, f->policy, f->book, NULL);
    if (!rc) rc = fu_planner_set_ledger(pl, f->ledger);
    if (!rc) rc = fu_planner_plan(pl, T("2026-03-04T20:00:00+08:00"), 2 * D, &plan);
    if (!rc && fu_plan_touchpoints(plan, FU_TOUCHPOINT_PLANNED, NULL) == NULL) rc = FU_EINVAL;
    fu_plan_free(plan);
    fu_planner_free(pl);
    return rc;
}

Test(planner_loop, out_of_memory) {
    fx f;
    setup(&f);
    unsigned long n = fu_test_oom("planner with a ledger", oom_loop, &f, 20000);
    cr_assert(n > 0);
    teardown(&f);
}
