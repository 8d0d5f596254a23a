/* Input typed the way people type it (outside review, session 8): zone ids
 * whose meaning is not what their writer means. */
#include "fu_test.h"

#include <criterion/criterion.h>
#include <string.h>

#include "followup/calendar.h"

/* "Etc/GMT+8" is UTC-08:00 (the POSIX sign), though people write it for
 * China: refused with the offset it means and the id to write; offset 0
 * and the city ids stay accepted. */
Test(inputs_s8, posix_sign_gmt_zones_are_refused_with_their_meaning) {
    static const struct {
        const char *id, *says;
    } refused[] = {{"Etc/GMT+8", "UTC-08:00"}, {"Etc/GMT-8", "UTC+08:00"}, {"Etc/GMT+5", "UTC-05:00"},
                   {"Etc/GMT-14", "UTC+14:00"}};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        fu_calendar *c = NULL;
        cr_assert_eq(fu_calendar_new(&c, refused[i].id), FU_ETIMEZONE, "%s accepted", refused[i].id);
        cr_assert_null(c);
        const char *m = fu_error_last()->message;
        cr_assert(strstr(m, refused[i].says) && strstr(m, "POSIX sign") && strstr(m, "Asia/Shanghai"), "%s", m);
    }
    fu_calendar *c = NULL;
    /* a bare GMT+8 is no IANA id (ICU would read it as +08:00): unknown, not misread */
    cr_assert_eq(fu_calendar_new(&c, "GMT+8"), FU_ETIMEZONE);
    cr_assert(!strstr(fu_error_last()->message, "UTC-08:00"), "%s", fu_error_last()->message);
    cr_assert_eq(fu_calendar_new(&c, "Asia/Beijing"), FU_ETIMEZONE);
    cr_assert(strstr(fu_error_last()->message, "Asia/Shanghai"), "%s", fu_error_last()->message);
    static const char *const kept[] = {"Etc/GMT", "Etc/GMT+0", "Etc/UTC", "GMT", "Asia/Shanghai", "America/Los_Angeles"};
    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++) {
        cr_assert_eq(fu_calendar_new(&c, kept[i]), FU_OK, "%s: %s", kept[i], fu_error_last()->message);
        fu_calendar_free(c);
    }
}

#include "followup/book.h"
#include "followup/guard.h"
#include "followup/policy.h"

#define T fu_test_time

static const char *const CUST_S8 = "customer_id,tz,annual_spend,first_purchase_at\n"
                                   "N1,Asia/Shanghai,5000,2026-11-23T09:00:00+08:00\n"
                                   "N2,Asia/Shanghai,5000,2026-11-23T09:00:00+08:00\n"
                                   "OLD,Asia/Shanghai,5000,2025-01-10T09:00:00+08:00\n";

/* The guard's answer for a normal phone call of `cust` at `iso`. */
static const char *phone_rule(fu_guard *g, const char *cust, const char *iso, fu_priority prio, fu_channel ch) {
    fu_guard_request r = FU_GUARD_REQUEST_INIT;
    r.customer_id = cust;
    r.channel = ch;
    r.priority = prio;
    r.at = T(iso);
    fu_guard_decision d;
    cr_assert_eq(fu_guard_check_request(g, &r, &d), FU_OK, "%s", fu_error_last()->message);
    return d.allowed ? "allowed" : d.rule;
}

/* "At most 2 contacts within 72 h" of a new customer (seed 003: 72小时内超过
 * 2次回访，投诉率上升23%) holds by tenure: a complaint, which makes the
 * customer `declining`, no longer lifts it (review s8 F10). A customer of two
 * years is not held by it. */
Test(inputs_s8, new_customer_caps_hold_after_a_complaint) {
    const char *ev = "customer_id,at,kind,order_id,severity,channel,outcome\n"
                     "N1,2026-11-23T09:00:00+08:00,purchase,O1,,,\n"
                     "N1,2026-11-23T12:00:00+08:00,contact,O1,,phone,answered\n"
                     "N1,2026-11-24T12:00:00+08:00,contact,O1,,phone,answered\n"
                     "N2,2026-11-23T09:00:00+08:00,purchase,O2,,,\n"
                     "N2,2026-11-23T11:00:00+08:00,complaint,O2,low,,\n"
                     "N2,2026-11-23T12:00:00+08:00,contact,O2,,phone,answered\n"
                     "N2,2026-11-24T12:00:00+08:00,contact,O2,,phone,answered\n"
                     "OLD,2026-11-23T09:00:00+08:00,purchase,O3,,,\n"
                     "OLD,2026-11-23T12:00:00+08:00,contact,O3,,phone,answered\n"
                     "OLD,2026-11-24T12:00:00+08:00,contact,O3,,phone,answered\n";
    fu_book *b = fu_test_book(CUST_S8, ev);
    cr_assert_eq(fu_book_finalize(b), FU_OK);
    fu_policy *p = fu_test_policy(NULL);
    fu_guard *g = NULL;
    cr_assert_eq(fu_guard_new(&g, p, b, NULL, NULL), FU_OK, "%s", fu_error_last()->message);
    const char *at = "2026-11-25T12:30:00+08:00"; /* a third call, 51.5 h after the first */
    cr_assert_str_eq(phone_rule(g, "N1", at, FU_PRIORITY_NORMAL, FU_CHANNEL_PHONE), "caps.new_customer");
    cr_assert_str_eq(phone_rule(g, "N2", at, FU_PRIORITY_NORMAL, FU_CHANNEL_PHONE), "caps.new_customer");
    cr_assert_str_eq(phone_rule(g, "OLD", at, FU_PRIORITY_NORMAL, FU_CHANNEL_PHONE), "allowed");
    /* 72 h after the first call, the third may be made */
    cr_assert_str_eq(phone_rule(g, "N2", "2026-11-26T12:00:01+08:00", FU_PRIORITY_NORMAL, FU_CHANNEL_PHONE),
                     "allowed");
    fu_guard_free(g);
    fu_policy_free(p);
    fu_book_free(b);
}

/* Urgent contacts pass the caps (caps.exempt) but not the SMS ceiling: 5
 * SMS in 3 days was fined as harassment (seed 000: 同一订单3天内发送5次回访短信
 * ... 处以200万元罰款) (review s8 F11). */
Test(inputs_s8, urgent_messages_obey_the_sms_ceiling) {
    fu_book *b = fu_test_book(CUST_S8, "customer_id,at,kind\nOLD,2026-11-01T09:00:00+08:00,purchase\n");
    cr_assert_eq(fu_book_finalize(b), FU_OK);
    fu_policy *p = fu_test_policy(NULL);
    fu_contact_log *log = NULL;
    cr_assert_eq(fu_contact_log_open(&log, NULL, NULL), FU_OK);
    fu_guard *g = NULL;
    cr_assert_eq(fu_guard_new(&g, p, b, log, NULL), FU_OK, "%s", fu_error_last()->message);
    static const char *const at[] = {"2026-11-23T09:00:00+08:00", "2026-11-23T10:00:00+08:00",
                                     "2026-11-24T09:00:00+08:00", "2026-11-24T10:00:00+08:00",
                                     "2026-11-25T09:00:00+08:00"};
    for (size_t i = 0; i < 5; i++) {
        const char *want = i < 4 ? "allowed" : "caps.sms_ceiling";
        cr_assert_str_eq(phone_rule(g, "OLD", at[i], FU_PRIORITY_URGENT, FU_CHANNEL_SMS), want, "message %zu", i + 1);
        if (i == 4) break;
        fu_contact_record r;
        fu_contact_record_init(&r);
        r.customer_id = "OLD";
        r.at = T(at[i]);
        r.channel = FU_CHANNEL_SMS;
        r.priority = FU_PRIORITY_URGENT;
        r.outcome = FU_GUARD_ANSWERED;
        cr_assert_eq(fu_guard_record(g, &r, 1), FU_OK, "%s", fu_error_last()->message);
    }
    /* the caps the exemption lifts stay lifted: an urgent call an hour after a message */
    cr_assert_str_eq(phone_rule(g, "OLD", "2026-11-25T10:00:00+08:00", FU_PRIORITY_URGENT, FU_CHANNEL_PHONE),
                     "allowed");
    /* a normal message is held by the ordinary caps: the urgent messages count */
    cr_assert_str_eq(phone_rule(g, "OLD", "2026-11-25T12:00:00+08:00", FU_PRIORITY_NORMAL, FU_CHANNEL_SMS),
                     "caps.weekly");
    /* three days after the first, a fifth urgent message may go */
    cr_assert_str_eq(phone_rule(g, "OLD", "2026-11-26T09:00:01+08:00", FU_PRIORITY_URGENT, FU_CHANNEL_SMS), "allowed");
    fu_guard_free(g);
    fu_contact_log_close(log);
    fu_policy_free(p);
    fu_book_free(b);
}

#include "followup/commit.h"

/* The overdue ones as of `iso` (FU_QUERY_AS_OF), their ids in ids[]. */
static size_t overdue_as_of(fu_ledger *l, const char *iso, int64_t *ids, int *states) {
    fu_commit_query q = FU_COMMIT_QUERY_INIT;
    q.kind = FU_QUERY_OVERDUE;
    q.flags = FU_QUERY_AS_OF;
    q.now = T(iso);
    fu_commitment_list *list = NULL;
    cr_assert_eq(fu_ledger_query(l, &q, &list), FU_OK, "%s", fu_error_last()->message);
    size_t n = fu_commitment_list_count(list);
    for (size_t i = 0; i < n && i < 4; i++) {
        ids[i] = fu_commitment_list_get(list, i)->id;
        states[i] = (int)fu_commitment_list_get(list, i)->state;
    }
    fu_commitment_list_free(list);
    return n;
}

/* A report at a past instant lists what was overdue then, although it was
 * fulfilled later, and not what was promised after it (review s8 F7). */
Test(inputs_s8, a_report_as_of_a_past_instant_shows_the_state_then) {
    fu_ledger *l = NULL;
    cr_assert_eq(fu_ledger_open(&l, NULL, NULL), FU_OK);
    fu_commit_input in = FU_COMMIT_INPUT_INIT;
    in.customer_id = "C2";
    in.text = "24h refund";
    in.created_at = T("2026-11-23T10:00:00+08:00");
    in.deadline = T("2026-11-24T10:00:00+08:00");
    int64_t late = 0, later = 0;
    cr_assert_eq(fu_ledger_add(l, &in, &late), FU_OK, "%s", fu_error_last()->message);
    in.customer_id = "C4";
    in.created_at = T("2026-11-25T09:00:00+08:00");
    in.deadline = T("2026-11-25T12:00:00+08:00");
    cr_assert_eq(fu_ledger_add(l, &in, &later), FU_OK, "%s", fu_error_last()->message);
    size_t ticked = 0;
    cr_assert_eq(fu_ledger_tick(l, T("2026-11-25T09:30:00+08:00"), &ticked), FU_OK);
    cr_assert_eq(fu_ledger_fulfill(l, late, T("2026-11-25T10:00:00+08:00"), "A1"), FU_OK);
    int64_t ids[4];
    int states[4];
    /* 7 h past its deadline and open then: overdue (breached), C4 not made yet */
    cr_assert_eq(overdue_as_of(l, "2026-11-24T17:00:00+08:00", ids, states), 1);
    cr_assert_eq(ids[0], late);
    cr_assert_eq(states[0], FU_COMMIT_BREACHED);
    /* before its deadline: nothing overdue */
    cr_assert_eq(overdue_as_of(l, "2026-11-24T09:00:00+08:00", ids, states), 0);
    /* after it was kept, only C4 once its deadline passed */
    cr_assert_eq(overdue_as_of(l, "2026-11-25T11:00:00+08:00", ids, states), 0);
    cr_assert_eq(overdue_as_of(l, "2026-11-25T13:00:00+08:00", ids, states), 1);
    cr_assert_eq(ids[0], later);
    fu_ledger_close(l);
}
