/* A CRM asks the contact guard inside its own request handler.
 *
 * The CRM process opens the policy, its customer book and the shared contact
 * log once, at start-up; every agent's "may I call this customer now?" is a
 * request that the handler answers from the guard in microseconds (no disk
 * read: the log is in memory), and every "I called, here is the outcome" is
 * one append (on disk when the handler answers). Requests are simulated here
 * as query strings; the answers are JSON, as a web handler would send them.
 *
 *     example_crm_guard [LOG_PATH]     (default: a log in memory)
 */
#include "followup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The CRM's state, created once. */
typedef struct crm {
    fu_policy *policy;
    fu_book *book;
    fu_contact_log *log;
    fu_guard *guard;
} crm;

static const char CUSTOMERS[] =
    "customer_id,tz,annual_spend,first_purchase_at,consent_phone,consent_sms,consent_email,dnd_windows\n"
    "C-1001,Asia/Shanghai,52000,2025-04-02T10:00:00+08:00,yes,yes,no,\n"
    "C-1002,America/New_York,8000,2024-11-20T09:00:00-05:00,yes,yes,yes,Mon-Fri 12:00-14:00\n";

static int crm_start(crm *c, const char *log_path) {
    memset(c, 0, sizeof *c);
    int rc = fu_policy_default(&c->policy);
    if (!rc) rc = fu_book_new(&c->book, NULL);
    if (!rc) rc = fu_book_read_customers_csv_from_string(c->book, CUSTOMERS, strlen(CUSTOMERS), "crm");
    if (!rc) rc = fu_book_finalize(c->book);
    if (!rc) rc = fu_contact_log_open(&c->log, log_path, NULL);
    if (!rc) rc = fu_guard_new(&c->guard, c->policy, c->book, c->log, NULL);
    return rc;
}

static void crm_stop(crm *c) {
    fu_guard_free(c->guard);
    fu_contact_log_close(c->log);
    fu_book_free(c->book);
    fu_policy_free(c->policy);
}

/* The value of `key` in a query string "a=1&b=2" (copied into buf). */
static const char *param(const char *query, const char *key, char *buf, size_t size) {
    size_t k = strlen(key);
    for (const char *p = query; p && *p; p = strchr(p, '&') ? strchr(p, '&') + 1 : NULL) {
        if (strncmp(p, key, k) == 0 && p[k] == '=') {
            const char *v = p + k + 1, *end = strchr(v, '&');
            size_t n = end ? (size_t)(end - v) : strlen(v);
            if (n >= size) n = size - 1;
            memcpy(buf, v, n);
            buf[n] = 0;
            return buf;
        }
    }
    return NULL;
}

/* A JSON value for a text: a quoted string with '"', '\\' and control
 * characters escaped, or null when there is none (NULL or ""): the answers
 * are typed as the followup tool's JSON (docs/cli.md), a missing value is
 * null, never "". buf must hold 6 bytes per byte of s plus 3. */
static const char *json_text(char *buf, size_t size, const char *s) {
    if (!s || !*s) return "null";
    size_t n = 0;
    buf[n++] = '"';
    for (const unsigned char *p = (const unsigned char *)s; *p && n + 8 < size; p++) {
        if (*p == '"' || *p == '\\') n += (size_t)snprintf(buf + n, size - n, "\\%c", *p);
        else if (*p < 0x20) n += (size_t)snprintf(buf + n, size - n, "\\u%04x", *p);
        else buf[n++] = (char)*p;
    }
    buf[n++] = '"';
    buf[n] = 0;
    return buf;
}

static void json_error(char *out, size_t size, int status, const char *what) {
    char msg[1024], text[6 * sizeof msg + 3];
    snprintf(msg, sizeof msg, "%s: %s", what, fu_error_last()->message);
    snprintf(out, size, "{\"status\": %d, \"error\": %s}", status, json_text(text, sizeof text, msg));
}

/* GET /guard?customer=..&channel=..&at=..[&rule=..] */
static void handle_check(crm *c, const char *query, char *out, size_t size) {
    char cust[64], ch[16], at[40], rule[128];
    fu_guard_request r = FU_GUARD_REQUEST_INIT;
    r.customer_id = param(query, "customer", cust, sizeof cust);
    r.rule = param(query, "rule", rule, sizeof rule);
    const char *cht = param(query, "channel", ch, sizeof ch), *att = param(query, "at", at, sizeof at);
    if (!r.customer_id || !cht || !att) {
        snprintf(out, size, "{\"status\": 400, \"error\": \"customer, channel and at are required\"}");
        return;
    }
    if (fu_channel_from_string(cht, strlen(cht), &r.channel) || fu_time_parse(att, strlen(att), &r.at)) {
        json_error(out, size, 400, "bad request");
        return;
    }
    fu_guard_decision d;
    if (fu_guard_check_request(c->guard, &r, &d)) {
        json_error(out, size, 400, "check");
        return;
    }
    /* no instant allows the contact (FU_BESTTIME_NEVER): null, the rule and reason say why */
    char next[FU_TIME_TEXT_SIZE] = "";
    if (d.next_allowed != FU_BESTTIME_NEVER) fu_time_format(d.next_allowed, 0, FU_TIME_FORMAT_Z, next, sizeof next);
    char rule_j[6 * 128 + 3], next_j[6 * sizeof next + 3], reason_j[6 * sizeof d.reason + 3];
    snprintf(out, size, "{\"status\": 200, \"allowed\": %s, \"rule\": %s, \"next_allowed\": %s, \"reason\": %s}",
             d.allowed ? "true" : "false", json_text(rule_j, sizeof rule_j, d.rule),
             json_text(next_j, sizeof next_j, next), json_text(reason_j, sizeof reason_j, d.reason));
}

/* POST /guard/outcome?customer=..&channel=..&at=..&outcome=..[&agent=..] */
static void handle_outcome(crm *c, const char *query, char *out, size_t size) {
    char cust[64], ch[16], at[40], oc[32], agent[64];
    fu_contact_record r;
    fu_contact_record_init(&r);
    r.customer_id = param(query, "customer", cust, sizeof cust);
    r.agent_id = param(query, "agent", agent, sizeof agent);
    const char *cht = param(query, "channel", ch, sizeof ch), *att = param(query, "at", at, sizeof at);
    const char *oct = param(query, "outcome", oc, sizeof oc);
    if (!r.customer_id || !cht || !att || !oct) {
        snprintf(out, size, "{\"status\": 400, \"error\": \"customer, channel, at and outcome are required\"}");
        return;
    }
    if (fu_channel_from_string(cht, strlen(cht), &r.channel) || fu_time_parse(att, strlen(att), &r.at) ||
        fu_guard_outcome_from_string(oct, strlen(oct), &r.outcome)) {
        json_error(out, size, 400, "bad request");
        return;
    }
    if (fu_guard_record(c->guard, &r, 1)) {
        json_error(out, size, fu_error_last()->code == FU_ENOTFOUND ? 404 : 500, "record");
        return;
    }
    snprintf(out, size, "{\"status\": 201}");
}

int main(int argc, char **argv) {
    crm c;
    if (crm_start(&c, argc > 1 ? argv[1] : NULL)) {
        fprintf(stderr, "start: %s\n", fu_error_last()->message);
        crm_stop(&c);
        return 1;
    }
    static const char *const requests[] = {
        "GET /guard?customer=C-1001&channel=phone&at=2026-03-10T10:00:00%2B08:00",
        "POST /guard/outcome?customer=C-1001&channel=phone&at=2026-03-10T10:00:00%2B08:00&outcome=answered&agent=A7",
        "GET /guard?customer=C-1001&channel=sms&at=2026-03-10T16:00:00%2B08:00",
        "GET /guard?customer=C-1001&channel=email&at=2026-03-11T10:00:00%2B08:00",
        "GET /guard?customer=C-1002&channel=phone&at=2026-03-10T12:30:00-04:00",
        "GET /guard?customer=C-1002&channel=phone&at=2026-03-10T23:00:00-04:00",
        "GET /guard?customer=C-9999&channel=phone&at=2026-03-10T10:00:00%2B08:00",
        "POST /guard/outcome?customer=C-1002&channel=fax&at=2026-03-10T10:00:00-04:00&outcome=answered",
    };
    for (size_t i = 0; i < sizeof requests / sizeof requests[0]; i++) {
        /* the web server has decoded the query string */
        char query[256];
        const char *q = strchr(requests[i], '?') + 1;
        size_t n = 0;
        for (; *q && n + 1 < sizeof query; q++) {
            if (strncmp(q, "%2B", 3) == 0) {
                query[n++] = '+';
                q += 2;
            } else {
                query[n++] = *q;
            }
        }
        query[n] = 0;
        char resp[2048];
        if (strncmp(requests[i], "GET", 3) == 0) handle_check(&c, query, resp, sizeof resp);
        else handle_outcome(&c, query, resp, sizeof resp);
        printf("%s\n  -> %s\n", requests[i], resp);
    }
    crm_stop(&c);
    return 0;
}
