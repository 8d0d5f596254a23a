/* Promises drive contacts: a snapshot of the commitment ledger for the
 * planner (fu_planner_set_ledger()). A promise at risk, breached or fulfilled
 * is the trigger of the policy's `{promise: at_risk|breached|fulfilled}`
 * cadences; lib/planner.c plans their steps like any other cadence's. */
#include "followup/planner.h"
#include "internal.h"
#include "planner_loop.h"
#include "book_decode.h"
#include "commit_internal.h"
#include "policy_cadences.h"

#include <stdlib.h>
#include <string.h>

void fu__promise_set_clear(fu__promise_set *s) {
    if (!s) return;
    fu__free(s->v);
    fu_commitment_list_free(s->list);
    memset(s, 0, sizeof *s);
}

static int promise_cmp(const void *a, const void *b) {
    const fu__promise *x = a, *y = b;
    if (x->customer != y->customer) return x->customer < y->customer ? -1 : 1;
    if (x->deadline != y->deadline) return x->deadline < y->deadline ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

int fu__promise_set_load(fu__promise_set *s, fu_ledger *ledger, const fu_book *book) {
    memset(s, 0, sizeof *s);
    fu_commit_query q = FU_COMMIT_QUERY_INIT;
    q.kind = FU_QUERY_ALL;
    int rc = fu_ledger_query(ledger, &q, &s->list);
    if (rc) return rc;
    size_t n = fu_commitment_list_count(s->list);
    fu__evbuf buf = {NULL, 0}; /* events decoded for the resolutions (review s9 F26) */
    s->v = n ? fu__calloc(n, sizeof *s->v) : NULL;
    if (n && !s->v) {
        fu__promise_set_clear(s);
        return fu__error_nomem();
    }
    for (size_t i = 0; i < n; i++) {
        const fu_commitment *c = fu_commitment_list_get(s->list, i);
        size_t ci;
        if (c->state == FU_COMMIT_CANCELLED) continue;
        if (fu_book_find_customer(book, c->customer_id, strlen(c->customer_id), &ci)) {
            fu_error_clear();
            s->unknown++;
            continue;
        }
        fu__promise *p = &s->v[s->n++];
        p->id = c->id;
        p->customer = ci;
        p->state = c->state;
        p->created_at = c->created_at;
        p->deadline = c->deadline;
        p->breach_at = c->breach_at != FU_COMMIT_NO_TIME ? c->breach_at : c->deadline;
        p->closed_at = c->state == FU_COMMIT_FULFILLED ? c->closed_at : FU_COMMIT_NO_TIME;
        if (c->state == FU_COMMIT_OPEN || c->state == FU_COMMIT_BREACHED) {
            /* a resolution in the book answers it (review s9 F26): kept, not
             * broken; the `fulfilled` cadences count from the resolution */
            int64_t t;
            if ((rc = fu__commit_answered_at(book, ci, c->created_at, &buf, &t)) != FU_OK) {
                fu__evbuf_free(&buf);
                fu__promise_set_clear(s);
                return rc;
            }
            if (t != FU_COMMIT_NO_TIME) {
                p->closed_at = t;
                p->state = FU_COMMIT_FULFILLED;
            }
        }
        p->text = c->text ? c->text : "";
        p->owner = c->owner ? c->owner : "";
        p->category = c->category ? c->category : "";
    }
    fu__evbuf_free(&buf);
    if (s->n > 1) qsort(s->v, s->n, sizeof *s->v, promise_cmp);
    return FU_OK;
}

size_t fu__promise_set_of(const fu__promise_set *s, size_t customer, const fu__promise **first) {
    *first = NULL;
    if (!s || !s->n) return 0;
    size_t lo = 0, hi = s->n;
    while (lo < hi) { /* first promise of the customer */
        size_t mid = lo + (hi - lo) / 2;
        if (s->v[mid].customer < customer) lo = mid + 1;
        else hi = mid;
    }
    size_t k = lo;
    while (k < s->n && s->v[k].customer == customer) k++;
    if (k > lo) *first = &s->v[lo];
    return k - lo;
}

int64_t fu__promise_trigger(const fu__promise *p, int state, int64_t now) {
    int unresolved = p->closed_at == FU_COMMIT_NO_TIME || p->closed_at > now;
    switch (state) {
    case FU__PROMISE_AT_RISK: return unresolved ? p->deadline : INT64_MIN;
    case FU__PROMISE_BREACHED: return unresolved ? p->breach_at : INT64_MIN;
    case FU__PROMISE_FULFILLED:
        return p->closed_at != FU_COMMIT_NO_TIME && p->closed_at <= now ? p->closed_at : INT64_MIN;
    default: return INT64_MIN;
    }
}

int fu_planner_set_ledger(fu_planner *pl, fu_ledger *ledger) {
    if (!pl) return fu__error_set(FU_EINVAL, "fu_planner_set_ledger: NULL planner");
    fu__promise_set fresh;
    memset(&fresh, 0, sizeof fresh);
    if (ledger) {
        int rc = fu__promise_set_load(&fresh, ledger, fu__planner_book(pl));
        if (rc) return rc;
    }
    fu__promise_set *cur = fu__planner_promises(pl);
    fu__promise_set_clear(cur);
    *cur = fresh;
    return FU_OK;
}
