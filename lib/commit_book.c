/* The closed loop, promise -> resolution: a `resolved` event in the book
 * (or a `repair` of a fault) answers the promises made about the issues it
 * closes (review s9 F26; docs/commitments.md "Resolutions in the book").
 * Used by the planner's promise snapshot (lib/planner_loop.c) and by
 * fu_ledger_fulfill_from_book(). */
#include "book_decode.h"
#include "commit_internal.h"
#include "resolution_internal.h"

#include <stdlib.h>
#include <string.h>

/* ev[i] of a customer's decoded events, as the resolution rule reads it. */
static int ev_kind(const void *events, size_t i, int *has_order) {
    const fu_event *e = &((const fu_event *)events)[i];
    *has_order = e->order_id != 0;
    return e->kind;
}

static int is_issue(const fu_event *e) { return fu__event_is_issue(e->kind); }

/* Whether ev[r] closes issue ev[p] (r after p): the planner's and the KPI
 * engine's rule (lib/resolution_internal.h). */
static int closes(const fu_event *ev, size_t r, size_t p) {
    return fu__resolution_closes(ev, r, ev_kind, ev[p].kind, ev[p].order_id != 0, ev[r].order_id == ev[p].order_id);
}

/* The first event after ev[p] (index > p) closing it, n if none. */
static size_t first_closing(const fu_event *ev, size_t n, size_t p) {
    for (size_t r = p + 1; r < n; r++)
        if (closes(ev, r, p)) return r;
    return n;
}

/* A promise made with no issue open raised one of its own (the call it was
 * made in: "承诺3个工作日内解决"): the first `resolved` after it that closes
 * no issue raised since the promise answers it (the simulation's rule,
 * docs/simulate.md "Promises kept"); FU_COMMIT_NO_TIME if none. */
static int64_t own_resolution(const fu_event *ev, size_t n, int64_t made) {
    for (size_t r = 0; r < n; r++) {
        if (ev[r].at <= made || ev[r].kind != FU_EVENT_RESOLVED) continue;
        int other = 0;
        for (size_t p = 0; p < r && !other; p++)
            other = ev[p].at > made && is_issue(&ev[p]) && first_closing(ev, n, p) == r;
        if (!other) return ev[r].at;
    }
    return FU_COMMIT_NO_TIME;
}

int fu__commit_answered_at(const fu_book *book, size_t customer, int64_t made, fu__evbuf *buf, int64_t *out) {
    const fu_event *ev = NULL;
    size_t n = 0, open = 0;
    int64_t last = FU_COMMIT_NO_TIME;
    *out = FU_COMMIT_NO_TIME;
    int rc = fu__book_customer_decode(book, customer, buf, &ev, &n);
    if (rc != FU_OK) return rc;
    /* the issues still open when the promise was made: each must be closed
     * after it; the promise is answered when the last of them is */
    for (size_t p = 0; p < n && ev[p].at <= made; p++) {
        if (!is_issue(&ev[p])) continue;
        size_t r = first_closing(ev, n, p);
        if (r < n && ev[r].at <= made) continue; /* closed before the promise */
        if (r == n) return FU_OK;                 /* still open: not answered */
        open++;
        if (last == FU_COMMIT_NO_TIME || ev[r].at > last) last = ev[r].at;
    }
    if (open) *out = last;
    else *out = own_resolution(ev, n, made);
    return FU_OK;
}

int fu_ledger_fulfill_from_book(fu_ledger *ledger, const fu_book *book, int64_t now, const char *by,
                                size_t *n_fulfilled) {
    if (n_fulfilled) *n_fulfilled = 0;
    if (!ledger || !book)
        return fu__error_set(FU_EINVAL, "fu_ledger_fulfill_from_book: %s is NULL", !ledger ? "ledger" : "book");
    fu_commit_query q = FU_COMMIT_QUERY_INIT;
    q.kind = FU_QUERY_ALL;
    q.flags = FU_QUERY_EVENTS;
    fu_commitment_list *list = NULL;
    int rc = fu_ledger_query(ledger, &q, &list);
    if (rc != FU_OK) return rc;
    size_t n = fu_commitment_list_count(list), k = 0;
    int64_t *ids = n ? fu__calloc(n, sizeof *ids) : NULL, *at = n ? fu__calloc(n, sizeof *at) : NULL;
    fu__evbuf buf = {NULL, 0};
    if (n && (!ids || !at)) rc = fu__error_nomem();
    for (size_t i = 0; rc == FU_OK && i < n; i++) {
        const fu_commitment *c = fu_commitment_list_get(list, i);
        size_t ci;
        int64_t t;
        if (c->state != FU_COMMIT_OPEN && c->state != FU_COMMIT_BREACHED) continue;
        if (fu_book_find_customer(book, c->customer_id, strlen(c->customer_id), &ci) != FU_OK) {
            fu_error_clear(); /* a customer the book does not have: nothing to read */
            continue;
        }
        rc = fu__commit_answered_at(book, ci, c->created_at, &buf, &t);
        if (rc == FU_OK && t != FU_COMMIT_NO_TIME && t <= now) {
            /* the ledger's history is never rewritten: a breach or an
             * escalation it recorded after the resolution (a tick that ran
             * before the book was read) stays, and the fulfilment follows it */
            for (size_t j = 0; j < c->n_events; j++)
                if (c->events[j].at > t) t = c->events[j].at;
            ids[k] = c->id;
            at[k++] = t;
        }
    }
    if (rc == FU_OK && k) rc = fu_ledger_fulfill_bulk(ledger, ids, at, k, by ? by : "book");
    if (rc == FU_OK && n_fulfilled) *n_fulfilled = k;
    fu__evbuf_free(&buf);
    fu__free(ids);
    fu__free(at);
    fu_commitment_list_free(list);
    return rc;
}
