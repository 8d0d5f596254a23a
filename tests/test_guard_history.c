/* fu_guard over the book's own history (review s9 F17, F16, F1, F8): the
 * guard holds what the planner holds, also for contacts that came from the
 * book (an events CSV has no `rule` column) rather than from the guard's log.
 * Hand-worked cases of the built-in policy (lib/data/default_policy.yaml):
 * cadences.delivery.first_contact {at: 0h, within: 48h, phone, high},
 * second_contact {at: 7d, within: 8d}; redial.refused stops; a call-back
 * asked with a time (the contact's note) is made at that time. */
#include "fu_test.h"

#include <criterion/criterion.h>
#include <string.h>

#define T fu_test_time

typedef struct hfx {
    fu_policy *policy;
    fu_book *book;
    fu_contact_log *log;
    fu_guard *guard;
} hfx;

static void add(fu_book *b, const char *cust, const char *at, fu_event_kind kind, const char *order, fu_channel ch,
                fu_outcome outcome, const char *note) {
    fu_event_in e;
    fu_event_in_init(&e);
    e.customer_id = cust;
    e.at = T(at);
    e.kind = kind;
    e.order_id = order;
    e.channel = ch;
    e.outcome = outcome;
    e.note = note;
    if (kind == FU_EVENT_PURCHASE) e.amount = 300;
    cr_assert_eq(fu_book_add_event(b, &e), FU_OK, "%s", fu_error_last()->message);
}

/* R refused the delivery call about O1 (11-02 15:00); K asked to be called
 * back on 11-04 16:30 (the note); both customers since 2025, in Shanghai, as
 * W (nothing since) and V (answered a CSAT survey on 2026-03-01 10:00). */
static void hsetup(hfx *f) {
    memset(f, 0, sizeof *f);
    cr_assert_eq(fu_policy_default(&f->policy), FU_OK);
    cr_assert_eq(fu_book_new(&f->book, NULL), FU_OK);
    const char *ids[] = {"R", "K", "W", "V"};
    for (int i = 0; i < 4; i++) {
        fu_customer c;
        fu_customer_init(&c);
        c.id = ids[i];
        c.tz = "Asia/Shanghai";
        c.consent_phone = FU_TRI_YES;
        c.consent_sms = FU_TRI_YES;
        cr_assert_eq(fu_book_add_customer(f->book, &c, NULL), FU_OK);
        add(f->book, ids[i], "2025-01-01T10:00:00+08:00", FU_EVENT_PURCHASE, "O0", FU_CHANNEL_NONE, FU_OUTCOME_NONE, NULL);
        if (i >= 2) continue;
        add(f->book, ids[i], "2026-11-01T10:00:00+08:00", FU_EVENT_PURCHASE, "O1", FU_CHANNEL_NONE, FU_OUTCOME_NONE, NULL);
        add(f->book, ids[i], "2026-11-02T10:00:00+08:00", FU_EVENT_DELIVERY, "O1", FU_CHANNEL_NONE, FU_OUTCOME_NONE, NULL);
    }
    add(f->book, "R", "2026-11-02T15:00:00+08:00", FU_EVENT_CONTACT, "O1", FU_CHANNEL_PHONE, FU_OUTCOME_REFUSED, NULL);
    add(f->book, "K", "2026-11-02T15:00:00+08:00", FU_EVENT_CONTACT, "O1", FU_CHANNEL_PHONE,
        FU_OUTCOME_CALLBACK_REQUESTED, "2026-11-04T16:30:00+08:00");
    fu_event_in e;
    fu_event_in_init(&e);
    e.customer_id = "V";
    e.at = T("2026-03-01T10:00:00+08:00");
    e.kind = FU_EVENT_SURVEY;
    e.survey = FU_SURVEY_CSAT;
    e.score = 4;
    cr_assert_eq(fu_book_add_event(f->book, &e), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(fu_book_finalize(f->book), FU_OK);
    cr_assert_eq(fu_contact_log_open(&f->log, NULL, NULL), FU_OK);
    cr_assert_eq(fu_guard_new(&f->guard, f->policy, f->book, f->log, NULL), FU_OK, "%s", fu_error_last()->message);
}

static void hteardown(hfx *f) {
    fu_guard_free(f->guard);
    fu_contact_log_close(f->log);
    fu_book_free(f->book);
    fu_policy_free(f->policy);
}

/* Ask for a high-priority call (the delivery step's priority). */
static void want(hfx *f, const char *cust, const char *at, const char *rule, const char *order, const char *deny,
                 const char *next) {
    fu_guard_request r = FU_GUARD_REQUEST_INIT;
    r.customer_id = cust;
    r.channel = FU_CHANNEL_PHONE;
    r.at = T(at);
    r.priority = FU_PRIORITY_HIGH;
    r.rule = rule;
    r.order_id = order;
    fu_guard_decision d;
    cr_assert_eq(fu_guard_check_request(f->guard, &r, &d), FU_OK, "%s", fu_error_last()->message);
    if (!deny) {
        cr_assert_eq(d.allowed, 1, "%s %s rule %s order %s: denied by %s", cust, at, rule ? rule : "-",
                     order ? order : "-", d.rule);
        return;
    }
    cr_assert_eq(d.allowed, 0, "%s %s rule %s order %s: allowed, expected %s", cust, at, rule ? rule : "-",
                 order ? order : "-", deny);
    cr_assert_str_eq(d.rule, deny);
    cr_assert_eq(d.next_allowed, next ? T(next) : FU_BESTTIME_NEVER, "%s", d.reason);
}

#define FIRST "cadences.delivery.first_contact"
#define SECOND "cadences.delivery.second_contact"

/* The planner suppresses R's delivery call (redial.refused); the guard, asked
 * the next day as a dialer asks (the touchpoint's rule and order, the rule
 * alone, a merged contact's rules, or no rule with the same order and
 * channel), says never. A call with neither rule nor order is another
 * touchpoint; so is the second delivery step, whose window (11-09 10:00 to
 * 11-17 10:00) opens after the refusal. */
Test(guard_history, a_refusal_in_the_book_stops_its_touchpoint) {
    hfx f;
    hsetup(&f);
    want(&f, "R", "2026-11-03T10:00:00+08:00", FIRST, "O1", "redial.refused", NULL);
    want(&f, "R", "2026-11-03T10:00:00+08:00", FIRST, NULL, "redial.refused", NULL);
    want(&f, "R", "2026-11-03T10:00:00+08:00", NULL, "O1", "redial.refused", NULL);
    want(&f, "R", "2026-11-03T10:00:00+08:00", "cadences.consumables.reminder; " FIRST, "O1", "redial.refused", NULL);
    want(&f, "R", "2026-11-03T10:00:00+08:00", NULL, NULL, NULL, NULL);
    want(&f, "R", "2026-11-10T10:00:00+08:00", SECOND, "O1", NULL, NULL);
    /* before the refusal, nothing stops the call */
    want(&f, "R", "2026-11-02T14:00:00+08:00", FIRST, "O1", NULL, NULL);
    hteardown(&f);
}

/* K asked on 11-02 15:00 to be called back on 11-04 16:30: the planner plans
 * the call then; the guard says wait until then, and allows it then (the
 * customer's own time skips the caps). */
Test(guard_history, a_call_back_time_in_the_book_holds) {
    hfx f;
    hsetup(&f);
    want(&f, "K", "2026-11-03T16:00:00+08:00", FIRST, "O1", "redial.callback", "2026-11-04T16:30:00+08:00");
    want(&f, "K", "2026-11-03T16:00:00+08:00", NULL, "O1", "redial.callback", "2026-11-04T16:30:00+08:00");
    want(&f, "K", "2026-11-04T09:59:59+08:00", FIRST, "O1", "redial.callback", "2026-11-04T16:30:00+08:00");
    want(&f, "K", "2026-11-04T16:30:00+08:00", FIRST, "O1", NULL, NULL);
    want(&f, "K", "2026-11-04T16:30:00+08:00", NULL, "O1", NULL, NULL);
    hteardown(&f);
}

static void log_call(hfx *f, const char *cust, const char *at, const char *rule) {
    fu_contact_record r;
    fu_contact_record_init(&r);
    r.customer_id = cust;
    r.at = T(at);
    r.channel = FU_CHANNEL_PHONE;
    r.outcome = FU_GUARD_ANSWERED;
    r.rule = rule;
    cr_assert_eq(fu_guard_record(f->guard, &r, 1), FU_OK, "%s", fu_error_last()->message);
}

static void ask_at(hfx *f, const char *cust, const char *at, fu_priority prio, const char *rule, const char *deny,
                   const char *next) {
    fu_guard_request r = FU_GUARD_REQUEST_INIT;
    r.customer_id = cust;
    r.channel = FU_CHANNEL_PHONE;
    r.at = T(at);
    r.priority = prio;
    r.rule = rule;
    fu_guard_decision d;
    cr_assert_eq(fu_guard_check_request(f->guard, &r, &d), FU_OK, "%s", fu_error_last()->message);
    if (!deny) {
        cr_assert_eq(d.allowed, 1, "%s %s: denied by %s (%s)", cust, at, d.rule, d.reason);
        return;
    }
    cr_assert_eq(d.allowed, 0, "%s %s: allowed, expected %s", cust, at, deny);
    cr_assert_str_eq(d.rule, deny, "%s", d.reason);
    cr_assert_eq(d.next_allowed, next ? T(next) : FU_BESTTIME_NEVER, "%s", d.reason);
}

#define SURVEY "cadences.urgent_fault.survey"
#define SATISFACTION "cadences.promise_fulfilled.satisfaction_check"

/* caps.survey_fatigue {max: 1, per: 30d, scope: survey} (review s9 F16): V
 * answered a survey on 03-01 10:00, so a survey step's call is denied until
 * 03-31 10:00; a call of a step that asks no survey is not. W: a survey call
 * the guard logged on 03-03 10:00 holds the next survey step until 04-02
 * 10:00; an ordinary logged call does not count. */
Test(guard_history, survey_fatigue_holds_survey_steps) {
    hfx f;
    hsetup(&f);
    ask_at(&f, "V", "2026-03-10T10:00:00+08:00", FU_PRIORITY_NORMAL, SURVEY, "caps.survey_fatigue",
           "2026-03-31T10:00:00+08:00");
    ask_at(&f, "V", "2026-03-10T10:00:00+08:00", FU_PRIORITY_NORMAL, "cadences.delivery.first_contact", NULL, NULL);
    ask_at(&f, "V", "2026-03-31T10:00:00+08:00", FU_PRIORITY_NORMAL, SURVEY, NULL, NULL);
    log_call(&f, "W", "2026-03-03T10:00:00+08:00", "cadences.delivery.first_contact");
    ask_at(&f, "W", "2026-03-10T10:00:00+08:00", FU_PRIORITY_NORMAL, SATISFACTION, NULL, NULL);
    log_call(&f, "W", "2026-03-04T10:00:00+08:00", SURVEY);
    ask_at(&f, "W", "2026-03-11T10:00:00+08:00", FU_PRIORITY_NORMAL, SATISFACTION, "caps.survey_fatigue",
           "2026-04-03T10:00:00+08:00");
    ask_at(&f, "W", "2026-03-11T10:00:00+08:00", FU_PRIORITY_NORMAL, "cadences.delivery.second_contact", NULL, NULL);
    hteardown(&f);
}

/* A cap's next_allowed is the first instant a check allows (review s9 F8):
 * three answered calls on 03-10, 03-11, 03-12 10:00 fill caps.weekly (3 per
 * 7 days); the first leaves the window (t - 7 d, t] at 03-17 10:00:00. */
Test(guard_history, next_allowed_of_a_cap_is_the_first_allowed_second) {
    hfx f;
    hsetup(&f);
    log_call(&f, "W", "2026-03-10T10:00:00+08:00", NULL);
    log_call(&f, "W", "2026-03-11T10:00:00+08:00", NULL);
    log_call(&f, "W", "2026-03-12T10:00:00+08:00", NULL);
    ask_at(&f, "W", "2026-03-13T10:00:00+08:00", FU_PRIORITY_NORMAL, NULL, "caps.weekly", "2026-03-17T10:00:00+08:00");
    ask_at(&f, "W", "2026-03-17T09:59:59+08:00", FU_PRIORITY_NORMAL, NULL, "caps.weekly", "2026-03-17T10:00:00+08:00");
    ask_at(&f, "W", "2026-03-17T10:00:00+08:00", FU_PRIORITY_NORMAL, NULL, NULL, NULL);
    hteardown(&f);
}

/* An urgent call skips the caps above (caps.exempt) but not
 * caps.phone_ceiling {max: 4, per: 72h, channels: [phone, video],
 * holds_exempt: true} (review s9 F1): urgent calls every 10 minutes from
 * 10:00, each checked and recorded in one step, are allowed four times; the
 * fifth (10:40) waits until the first leaves the 72 h window, 03-13 10:00.
 * A text is not a call. */
Test(guard_history, urgent_calls_obey_the_phone_ceiling) {
    hfx f;
    hsetup(&f);
    for (int i = 0; i < 6; i++) {
        char at[40];
        snprintf(at, sizeof at, "2026-03-10T10:%02d:00+08:00", i * 10);
        fu_contact_record r;
        fu_contact_record_init(&r);
        r.customer_id = "W";
        r.at = T(at);
        r.channel = FU_CHANNEL_PHONE;
        r.outcome = FU_GUARD_ANSWERED;
        r.priority = FU_PRIORITY_URGENT;
        fu_guard_decision d;
        cr_assert_eq(fu_guard_check_and_record(f.guard, &r, &d), FU_OK, "%s", fu_error_last()->message);
        if (i < 4) {
            cr_assert_eq(d.allowed, 1, "%s: %s", at, d.reason);
            continue;
        }
        cr_assert_eq(d.allowed, 0, "%s allowed", at);
        cr_assert_str_eq(d.rule, "caps.phone_ceiling", "%s", d.reason);
        cr_assert_eq(d.next_allowed, T("2026-03-13T10:00:00+08:00"), "%s", d.reason);
    }
    size_t logged = 0;
    cr_assert_eq(fu_contact_log_count(f.log, &logged), FU_OK);
    cr_assert_eq(logged, 4);
    ask_at(&f, "W", "2026-03-13T09:59:59+08:00", FU_PRIORITY_URGENT, NULL, "caps.phone_ceiling",
           "2026-03-13T10:00:00+08:00");
    ask_at(&f, "W", "2026-03-13T10:00:00+08:00", FU_PRIORITY_URGENT, NULL, NULL, NULL);
    fu_guard_request r = FU_GUARD_REQUEST_INIT;
    r.customer_id = "W";
    r.channel = FU_CHANNEL_SMS;
    r.at = T("2026-03-10T11:00:00+08:00");
    r.priority = FU_PRIORITY_URGENT;
    fu_guard_decision d;
    cr_assert_eq(fu_guard_check_request(f.guard, &r, &d), FU_OK);
    cr_assert_eq(d.allowed, 1, "%s", d.reason);
    hteardown(&f);
}
