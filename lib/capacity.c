/* The planner's capacity pass over the plans of several partitions
 * (include/followup/capacity.h, docs/scaling.md). It repeats the rule of
 * apply_capacity() in lib/planner.c on items gathered from many plans: per
 * day of the policy's calendar, most pressing first by (priority, end of the
 * window, best_at, plan order), where plan order is (customer index in the
 * whole book, position in the customer's plan). */
#include "followup/capacity.h"

#include "capacity_internal.h"
#include "internal.h"
#include "planner_agents.h" /* fu__plan_rows, fu__plan_resort */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(sizeof(fu_capacity_item) == 40, "fu_capacity_item is a packed 40-byte record");

#define CAP_DAY INT64_C(86400)
#define CAP_RULE "capacity.calls_per_agent_day"

static int64_t cap_floordiv(int64_t a, int64_t b) { return a / b - ((a % b) != 0 && ((a < 0) != (b < 0))); }

static int cap_agent_channel(int ch) {
    return ch == FU_CHANNEL_PHONE || ch == FU_CHANNEL_VIDEO || ch == FU_CHANNEL_CHAT || ch == FU_CHANNEL_VISIT;
}

/* The first of the n planned touchpoints that names its agent (a plan made
 * with an agents file); SIZE_MAX none. */
static size_t cap_named(const fu_touchpoint *tp, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (cap_agent_channel(tp[i].channel) && tp[i].agent && *tp[i].agent) return i;
    return SIZE_MAX;
}

int fu_plan_capacity_items(const fu_plan *plan, fu_capacity_item **out, size_t *n) {
    if (!plan || !out || !n)
        return fu__error_set(FU_EINVAL, "fu_plan_capacity_items: %s is NULL", !plan ? "plan" : !out ? "out" : "n");
    *out = NULL;
    *n = 0;
    size_t np = 0, m = 0;
    const fu_touchpoint *tp = fu_plan_touchpoints(plan, FU_TOUCHPOINT_PLANNED, &np);
    if (np > UINT32_MAX) return fu__error_set(FU_ELIMIT, "more than 2^32 - 1 planned touchpoints in a plan");
    for (size_t i = 0; i < np; i++) m += (size_t)cap_agent_channel(tp[i].channel);
    size_t named = cap_named(tp, np);
    if (named != SIZE_MAX)
        return fu__error_set(FU_EINVAL, "fu_plan_capacity_items: the plan names agent %s for row %zu: "
                             FU__CAP_NAMED_AGENTS, tp[named].agent, named);
    if (!m) return FU_OK;
    fu_capacity_item *v = fu__malloc(m * sizeof *v);
    if (!v) return fu__error_nomem();
    size_t k = 0;
    for (size_t i = 0; i < np; i++) {
        if (!cap_agent_channel(tp[i].channel)) continue;
        memset(&v[k], 0, sizeof v[k]);
        v[k].best_at = tp[i].best_at;
        v[k].due_to = tp[i].due_to;
        v[k].customer = tp[i].customer;
        v[k].row = (uint32_t)i;
        v[k].priority = (int32_t)tp[i].priority;
        k++;
    }
    *out = v;
    *n = m;
    return FU_OK;
}

typedef fu__cap_key cap_key;

int fu__cap_cmp(const void *pa, const void *pb) {
    const cap_key *a = pa, *b = pb;
    if (a->day != b->day) return a->day < b->day ? -1 : 1;
    if (a->priority != b->priority) return a->priority < b->priority ? -1 : 1;
    if (a->due_to != b->due_to) return a->due_to < b->due_to ? -1 : 1;
    if (a->best_at != b->best_at) return a->best_at < b->best_at ? -1 : 1;
    if (a->customer != b->customer) return a->customer < b->customer ? -1 : 1;
    if (a->row != b->row) return a->row < b->row ? -1 : 1;
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

int64_t fu__cap_defer_daily(const fu_calendar *cal, int64_t day, int64_t best_at, int64_t due_to) {
    int off = 0;
    fu_calendar_utc_offset(cal, best_at, &off);
    int64_t next_day = (day + 1) * CAP_DAY - off;
    return next_day <= due_to || best_at > due_to ? next_day : due_to;
}

static int cap_per_day(const fu_policy *policy, unsigned int agents, unsigned int calls, size_t *cap) {
    if (!calls) {
        double v = 0;
        int rc = fu_policy_get_number(policy, "capacity.calls_per_agent_day.max", &v);
        if (rc) return rc;
        if (!(v >= 0 && v <= 1e9)) return fu__error_set(FU_EPOLICY, "capacity.calls_per_agent_day.max out of range");
        calls = (unsigned int)v;
    }
    *cap = (size_t)agents * calls;
    return FU_OK;
}

int fu_capacity_pass(const fu_policy *policy, unsigned int agents, unsigned int calls_per_agent,
                     fu_capacity_item *items, size_t n, size_t *deferred) {
    if (deferred) *deferred = 0;
    if (!policy || (!items && n))
        return fu__error_set(FU_EINVAL, "fu_capacity_pass: %s is NULL", !policy ? "policy" : "items");
    if (n > UINT32_MAX) return fu__error_set(FU_ELIMIT, "fu_capacity_pass: more than 2^32 - 1 items");
    for (size_t i = 0; i < n; i++)
        if (items[i].priority < FU_PRIORITY_URGENT || items[i].priority > FU_PRIORITY_LOW)
            return fu__error_set(FU_EINVAL, "fu_capacity_pass: item %zu: priority %d out of range", i,
                                 (int)items[i].priority);
    size_t cap = 0;
    int rc = cap_per_day(policy, agents, calls_per_agent, &cap);
    if (rc) return rc;
    const fu_calendar *cal = fu_policy_calendar(policy, NULL);
    if (!cal) return fu_error_last()->code;
    if (!agents || !n) {
        for (size_t i = 0; i < n; i++) items[i].deferred = 0;
        return FU_OK;
    }
    cap_key *k = fu__malloc(n * sizeof *k);
    if (!k) return fu__error_nomem();
    for (size_t i = 0; i < n; i++) {
        int off = 0;
        fu_calendar_utc_offset(cal, items[i].best_at, &off);
        k[i].day = cap_floordiv(items[i].best_at + off, CAP_DAY);
        k[i].due_to = items[i].due_to;
        k[i].best_at = items[i].best_at;
        k[i].customer = items[i].customer;
        k[i].row = items[i].row;
        k[i].idx = (uint32_t)i;
        k[i].priority = items[i].priority;
        k[i].off = off;
    }
    qsort(k, n, sizeof *k, fu__cap_cmp);
    size_t used = 0, nd = 0;
    for (size_t i = 0; i < n; i++) {
        fu_capacity_item *it = &items[k[i].idx];
        if (!i || k[i].day != k[i - 1].day) used = 0;
        it->deferred = 0;
        if (used < cap) {
            used++;
            continue;
        }
        it->best_at = fu__cap_defer_daily(cal, k[i].day, it->best_at, it->due_to); /* k[i].off's calendar */
        it->deferred = 1;
        nd++;
    }
    fu__free(k);
    if (deferred) *deferred = nd;
    return FU_OK;
}

/* What a row was before the pass, to undo it when re-sorting fails. */
typedef struct cap_undo {
    size_t at;
    int64_t best_at;
    const char *status_rule;
} cap_undo;

int fu_plan_apply_capacity(fu_plan *plan, const fu_capacity_item *items, size_t n) {
    if (!plan || (!items && n))
        return fu__error_set(FU_EINVAL, "fu_plan_apply_capacity: %s is NULL", !plan ? "plan" : "items");
    size_t np = 0, nrows = 0, nd = 0;
    const fu_touchpoint *planned = fu_plan_touchpoints(plan, FU_TOUCHPOINT_PLANNED, &np);
    fu_touchpoint *rows = fu__plan_rows(plan, &nrows);
    size_t named = cap_named(planned, np);
    if (named != SIZE_MAX && n)
        return fu__error_set(FU_EINVAL, "fu_plan_apply_capacity: the plan names agent %s for row %zu: "
                             FU__CAP_NAMED_AGENTS, planned[named].agent, named);
    for (size_t i = 0; i < n; i++) {
        const fu_capacity_item *it = &items[i];
        if (it->deferred > 1)
            return fu__error_set(FU_EINVAL, "fu_plan_apply_capacity: item %zu (row %u): deferred %u out of range "
                                 "(0 not deferred, 1 deferred)", i, (unsigned)it->row, (unsigned)it->deferred);
        if (!it->deferred) continue;
        const fu_touchpoint *t = it->row < np ? &planned[it->row] : NULL;
        if (!t || !cap_agent_channel(t->channel) || t->due_to != it->due_to || (int32_t)t->priority != it->priority)
            return fu__error_set(FU_EINVAL, "fu_plan_apply_capacity: item %zu (row %u) is not a planned agent "
                                 "contact of this plan", i, (unsigned)it->row);
        nd++;
    }
    if (!nd) return FU_OK;
    cap_undo *u = fu__malloc(nd * sizeof *u);
    if (!u) return fu__error_nomem();
    size_t base = (size_t)(planned - rows), k = 0;
    for (size_t i = 0; i < n; i++) {
        if (!items[i].deferred) continue;
        fu_touchpoint *t = &rows[base + items[i].row];
        if (t->status != FU_TOUCHPOINT_PLANNED) { /* the same row twice */
            for (size_t j = k; j-- > 0;) {
                rows[u[j].at].status = FU_TOUCHPOINT_PLANNED;
                rows[u[j].at].best_at = u[j].best_at;
                rows[u[j].at].status_rule = u[j].status_rule;
            }
            fu__free(u);
            return fu__error_set(FU_EINVAL, "fu_plan_apply_capacity: row %u deferred twice", (unsigned)items[i].row);
        }
        u[k].at = base + items[i].row;
        u[k].best_at = t->best_at;
        u[k].status_rule = t->status_rule;
        k++;
        t->status = FU_TOUCHPOINT_DEFERRED;
        t->status_rule = CAP_RULE;
        t->best_at = items[i].best_at;
    }
    int rc = fu__plan_resort(plan);
    if (rc) { /* nothing was moved (plan_finish allocates first): undo, recount */
        for (size_t j = 0; j < k; j++) {
            rows[u[j].at].status = FU_TOUCHPOINT_PLANNED;
            rows[u[j].at].best_at = u[j].best_at;
            rows[u[j].at].status_rule = u[j].status_rule;
        }
        (void)fu__plan_resort(plan); /* sorted already; recounts agent contacts even when it fails */
    }
    fu__free(u);
    return rc;
}

/* ------------------------------------------------ the rounds (several days) */

/* The items in play after day `last`, keyed: PLANNED ones of a later day,
 * ROLLED ones on their day (at least the next). FU_EINVAL on a state out of
 * range or still OVER. */
static int round_keys(const fu_calendar *cal, const fu_capacity_item *items, size_t n, int64_t last, cap_key *k,
                      size_t *m_out) {
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        const fu_capacity_item *it = &items[i];
        if (it->priority < FU_PRIORITY_URGENT || it->priority > FU_PRIORITY_LOW)
            return fu__error_set(FU_EINVAL, "fu_capacity_round: item %zu: priority %d out of range", i,
                                 (int)it->priority);
        if (it->deferred == FU_CAPACITY_OVER)
            return fu__error_set(FU_EINVAL, "fu_capacity_round: item %zu (part %u, row %u) is still over the cap of "
                                 "the last round: its partition has not moved it (fu_capacity_part_move())",
                                 i, (unsigned)it->part, (unsigned)it->row);
        if (it->deferred > FU_CAPACITY_ROLLED)
            return fu__error_set(FU_EINVAL, "fu_capacity_round: item %zu: state %u out of range", i,
                                 (unsigned)it->deferred);
        if (it->deferred != FU_CAPACITY_PLANNED && it->deferred != FU_CAPACITY_ROLLED) continue;
        int off = 0;
        fu_calendar_utc_offset(cal, it->best_at, &off);
        int64_t day = cap_floordiv(it->best_at + off, CAP_DAY);
        if (it->deferred == FU_CAPACITY_PLANNED && day <= last) continue; /* taken by its day */
        if (day <= last) day = last + 1; /* rolled onto the next day at least, as the planner counts it */
        k[m] = (cap_key){day, it->due_to, it->best_at, it->customer, it->row, (uint32_t)i, it->priority, off};
        m++;
    }
    *m_out = m;
    return FU_OK;
}

int fu_capacity_round(const fu_policy *policy, unsigned int agents, unsigned int calls_per_agent,
                      fu_capacity_item *items, size_t n, int64_t *day, size_t *over) {
    if (over) *over = 0;
    if (!policy || (!items && n) || !day || !over)
        return fu__error_set(FU_EINVAL, "fu_capacity_round: %s is NULL",
                             !policy ? "policy" : !day ? "day" : !over ? "over" : "items");
    if (n > UINT32_MAX) return fu__error_set(FU_ELIMIT, "fu_capacity_round: more than 2^32 - 1 items");
    /* no limit: nothing to round, and the parts' planners (FU_PLANNER_CAPACITY_PASS) keep agent contacts
     * in the agents' hours, which a planner of agents 0 does not: refused rather than a different plan */
    if (!agents)
        return fu__error_set(FU_EINVAL, "fu_capacity_round: agents 0 (no limit): there is no capacity to share; "
                                        "plan each partition with a planner of agents 0 without "
                                        "FU_PLANNER_CAPACITY_PASS (its plan is the whole book's)");
    size_t cap = 0;
    int rc = cap_per_day(policy, agents, calls_per_agent, &cap);
    if (rc) return rc;
    const fu_calendar *cal = fu_policy_calendar(policy, NULL);
    if (!cal) return fu_error_last()->code;
    cap_key *k = fu__malloc((n ? n : 1) * sizeof *k);
    if (!k) return fu__error_nomem();
    size_t m = 0;
    if ((rc = round_keys(cal, items, n, *day, k, &m))) {
        fu__free(k);
        return rc;
    }
    qsort(k, m, sizeof *k, fu__cap_cmp);
    size_t used = 0, i = 0;
    for (; i < m; i++) { /* the days in order: taken, until one is over its cap */
        if (i && k[i].day != k[i - 1].day) {
            if (*over) break;
            used = 0;
        }
        fu_capacity_item *it = &items[k[i].idx];
        *day = k[i].day;
        if (used < cap) {
            used++;
            if (it->deferred == FU_CAPACITY_ROLLED) it->deferred = FU_CAPACITY_MOVED;
            continue;
        }
        it->deferred = FU_CAPACITY_OVER;
        ++*over;
    }
    fu__free(k);
    return FU_OK;
}
