/* The rule of an issue and its resolution, in one place: which event closes
 * a problem (fault, complaint, inquiry, feedback) of a customer, for the
 * planner's `when: {unresolved: true}` (lib/planner_time.c), the closed
 * loop of promises (lib/commit_book.c) and the KPI engine's resolution
 * matcher (lib/kpi_pass.c). docs/planner.md "Issues and their resolution",
 * docs/kpi.md "Issue". Internal. Each reader keeps its own event layout: a
 * fu__res_kind_fn reads the kind and the order of one of its events. */
#ifndef FU_RESOLUTION_INTERNAL_H
#define FU_RESOLUTION_INTERNAL_H

#include "followup/book.h"

#include <stddef.h>

/* The kind of event i of `events` (a customer's events in time order, in
 * the caller's layout) and whether it names an order (*has_order). */
typedef int (*fu__res_kind_fn)(const void *events, size_t i, int *has_order);

static inline int fu__event_is_issue(int kind) {
    return kind == FU_EVENT_FAULT || kind == FU_EVENT_COMPLAINT || kind == FU_EVENT_INQUIRY ||
           kind == FU_EVENT_FEEDBACK;
}

/* An event of kind r_kind can close a problem of kind e_kind: a `resolved`
 * closes any problem, a `repair` a fault (the repair is done, seed 003:
 * 维修完成; review s7 F1). */
static inline int fu__resolution_can_close(int r_kind, int e_kind) {
    return r_kind == FU_EVENT_RESOLVED || (r_kind == FU_EVENT_REPAIR && e_kind == FU_EVENT_FAULT);
}

/* Whether the `resolved` event i of `events`, without an order id, answers
 * an issue without one raised since the `resolved` before it: then it
 * closes that issue, not one that names an order (review s8 F17: a general
 * inquiry answered and closed does not close the broken machine of order
 * O1). */
static inline int fu__resolution_answers_orderless(const void *events, size_t i, fu__res_kind_fn kind_of) {
    while (i-- > 0) {
        int has_order, kind = kind_of(events, i, &has_order);
        if (kind == FU_EVENT_RESOLVED) return 0;
        if (!has_order && fu__event_is_issue(kind)) return 1;
    }
    return 0;
}

/* Whether event r of `events` (after the problem) closes a problem of kind
 * e_kind that names an order or not (e_has_order): it can close it
 * (fu__resolution_can_close()), and either names no order, or both the
 * same one (`same_order`, read only when both name one); a `resolved`
 * without an order id does not close a problem of an order when it answers
 * an orderless issue (fu__resolution_answers_orderless()). */
static inline int fu__resolution_closes(const void *events, size_t r, fu__res_kind_fn kind_of, int e_kind,
                                        int e_has_order, int same_order) {
    int r_has_order, r_kind = kind_of(events, r, &r_has_order);
    if (!fu__resolution_can_close(r_kind, e_kind)) return 0;
    if (!r_has_order && e_has_order)
        return r_kind != FU_EVENT_RESOLVED || !fu__resolution_answers_orderless(events, r, kind_of);
    return !r_has_order || !e_has_order || same_order;
}

#endif
