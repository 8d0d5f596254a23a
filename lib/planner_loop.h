/* The closed loop of the planner: promises of the commitment ledger as
 * triggers of `{promise: ...}` cadences (lib/planner_loop.c). Internal. */
#ifndef FU_PLANNER_LOOP_H
#define FU_PLANNER_LOOP_H

#include "followup/book.h"
#include "followup/commit.h"

#include <stddef.h>
#include <stdint.h>

/* One promise of the ledger, for the customer of the book it names. */
typedef struct fu__promise {
    int64_t id;
    size_t customer;       /* index in the book */
    int state;             /* fu_commit_state as stored */
    int64_t created_at, deadline, breach_at, closed_at; /* closed_at: FU_COMMIT_NO_TIME when unresolved */
    const char *text, *owner, *category; /* owned by the set */
} fu__promise;

/* A snapshot of a ledger's promises, sorted by customer then deadline. */
typedef struct fu__promise_set {
    fu__promise *v;
    size_t n;
    size_t unknown;        /* promises of customers the book does not have (ignored) */
    fu_commitment_list *list; /* owns the strings */
} fu__promise_set;

/* Read every commitment of `ledger` (cancelled ones left out) for the
 * customers of `book`. */
int fu__promise_set_load(fu__promise_set *set, fu_ledger *ledger, const fu_book *book);
void fu__promise_set_clear(fu__promise_set *set);
/* The promises of one customer: *first and the count. */
size_t fu__promise_set_of(const fu__promise_set *set, size_t customer, const fu__promise **first);
/* The instant a `{promise: state}` cadence counts from for promise `p` as of
 * `now` (fu__pol_promise_state), or INT64_MIN when the cadence does not apply:
 * at_risk and breached need the promise unresolved at `now` (and breached
 * its breach instant reached by the end of the horizon); fulfilled needs it
 * fulfilled by `now`. */
int64_t fu__promise_trigger(const fu__promise *p, int state, int64_t now);

/* lib/planner.c: the planner's book and its promise snapshot. */
struct fu_planner;
const fu_book *fu__planner_book(const struct fu_planner *pl);
fu__promise_set *fu__planner_promises(struct fu_planner *pl);

#endif
