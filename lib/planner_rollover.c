/* Numeric capacity over a horizon of several days (review s11 M1): the
 * agent contacts over a day's cap go to the next day of the horizon with
 * room, at the first instant the planner's own placement allows there,
 * instead of all waiting for the next day's midnight while the later days
 * of the horizon stay empty. docs/planner.md, "Limits" 7. */
#include "planner_rollover.h"
#include "capacity_internal.h"
#include "followup/capacity.h"
#include "planner_internal.h"
#include "planner_agents.h" /* fu__planner_agent_count */

#define RO_RULE "capacity.calls_per_agent_day"
#define RO_NOTE "; the day's agent calls were taken (" RO_RULE "): moved to the first instant allowed on the next day with room"
#define RO_LATE_SPAN (62 * DAY) /* how far a deferred contact's first possible instant is sought (as holidays) */

int fu__pl_rollover_applies(const fu_planner *pl, int64_t now, int64_t end) {
    return !pl->day_used && !(pl->opt.flags & FU_PLANNER_DAILY_CAPACITY) && end - now > DAY;
}

/* A planned agent contact in the capacity step: its row, the day (policy
 * calendar) and instant it now has, and the key it competes by. */
typedef struct ro_item {
    int64_t day, due, best;
    uint32_t row;
    uint8_t prio, late, moved;
} ro_item;

typedef struct ro_ctx {
    fu_planner *pl;
    fu_plan *plan;
    const fu_calendar *bc; /* the policy calendar: its days are the capacity's */
    int64_t now, end;
    fu_customer cb;
    pl_cust cx;
} ro_ctx;

/* (day, priority, window end, time, row): the capacity step's order. */
static int item_before(const ro_item *a, const ro_item *b) {
    if (a->day != b->day) return a->day < b->day;
    if (a->prio != b->prio) return a->prio < b->prio;
    if (a->due != b->due) return a->due < b->due;
    if (a->best != b->best) return a->best < b->best;
    return a->row < b->row;
}

static void heap_down(ro_item *h, size_t n, size_t i) {
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        if (l < n && item_before(&h[l], &h[m])) m = l;
        if (l + 1 < n && item_before(&h[l + 1], &h[m])) m = l + 1;
        if (m == i) return;
        ro_item t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

static void heap_up(ro_item *h, size_t i) {
    while (i > 0 && item_before(&h[i], &h[(i - 1) / 2])) {
        ro_item t = h[i];
        h[i] = h[(i - 1) / 2];
        h[(i - 1) / 2] = t;
        i = (i - 1) / 2;
    }
}

static int64_t day_of(const fu_calendar *bc, int64_t t) {
    int off = 0;
    fu_calendar_utc_offset(bc, t, &off);
    return fu__pl_floordiv(t + off, DAY);
}

/* The first instant of local day d of the policy calendar. */
static int64_t day_start(const fu_calendar *bc, int64_t d) {
    int off = 0;
    fu_calendar_utc_offset(bc, d * DAY, &off);
    int64_t s = d * DAY - off;
    fu_calendar_utc_offset(bc, s, &off);
    s = d * DAY - off;
    while (day_of(bc, s) < d) s += 900; /* a midnight a change of offset skipped */
    return s;
}

/* The rows of the customer of `row`: [*lo, *hi), the plan's rows being in
 * customer order (before the plan is sorted). */
static void customer_rows(const fu_plan *p, size_t row, size_t *lo, size_t *hi) {
    size_t a = row, b = row + 1, ci = p->tp[row].customer;
    while (a > 0 && p->tp[a - 1].customer == ci) a--;
    while (b < p->n && p->tp[b].customer == ci) b++;
    *lo = a;
    *hi = b;
}

/* The customer of `row` as planning read it (plan_one() in lib/planner.c:
 * its facts, history and mask), with its other planned contacts of the plan
 * at their instants so far counted by the caps. */
static int load_customer(ro_ctx *x, size_t row) {
    fu_planner *pl = x->pl;
    const fu_touchpoint *tp = x->plan->tp;
    size_t ci = tp[row].customer, lo, hi;
    int rc = fu__pl_customer_load(pl, pl->book, ci, x->now, x->end, &x->cb, &x->cx);
    if (!rc) rc = fu__pl_mask_get(pl, ci, &x->cb, &x->cx.mask);
    if (rc) return rc;
    customer_rows(x->plan, row, &lo, &hi);
    for (size_t k = lo; k < hi; k++) {
        if (k == row || tp[k].status != FU_TOUCHPOINT_PLANNED) continue;
        if (fu__pl_push_row_contact(pl, x->plan, k)) return FU_ENOMEM;
    }
    return FU_OK;
}

/* First placement's instant for the contact of `row` from `from`
 * (fu__pl_place(): quiet hours, do-not-disturb, preferred windows, business
 * hours, holidays, the caps, the best-time model): within its window, or
 * with `late` within RO_LATE_SPAN of `from`. 1 and *at, 0 none. */
static int place_customer(ro_ctx *x, size_t row, int64_t from, int late, int64_t *at) {
    fu_planner *pl = x->pl;
    const fu_touchpoint *t = &x->plan->tp[row];
    pl_group g;
    memset(&g, 0, sizeof g);
    g.bt_p = -1;
    g.from = late ? from : t->due_from;
    g.to = late ? from + RO_LATE_SPAN : t->due_to;
    g.channel = (uint8_t)t->channel;
    g.priority = (uint8_t)t->priority;
    g.exempt = (uint8_t)prio_exempt(pl->P, t->priority);
    g.redial_callback = (x->plan->flag[row] & PL_TP_ASKED) != 0;
    if (x->plan->oid[row]) g.orders[g.norders++] = x->plan->oid[row];
    g.survey = (uint8_t)fu__pl_rule_is_survey(pl->P, t->rule);
    int rc = fu__pl_place(pl, &x->cx, &g, from);
    if (rc) return rc;
    if (g.status == C_SUPPRESSED) return 0;
    *at = g.best;
    return 1;
}

/* One contact to place in a round: its item, the instant found (1 in q),
 * none (0). */
typedef struct ro_try {
    ro_item it;
    int64_t at;
    int q;
} ro_try;

static int try_by_row(const void *a, const void *b) {
    uint32_t x = ((const ro_try *)a)->it.row, y = ((const ro_try *)b)->it.row;
    return (x > y) - (x < y);
}

/* The policy's `agents` rules on the instants found (each row at v[i].at):
 * fu__plan_team_hours() on a plan of their customers' rows, as for every
 * numeric agent contact (the customer's hours and the caps kept); the rows
 * of v not placed (v[i].q 0) are not made there. v[i].at becomes the
 * instant the rules allow (v[i].q 0: none). One pass for the round: its
 * caches are built once. v is sorted by row. */
static int team_pass(ro_ctx *x, ro_try *v, size_t m) {
    fu_plan *s = NULL, *p = x->plan;
    size_t *at = fu__malloc((m ? m : 1) * sizeof *at);
    int rc = at ? fu__pl_plan_new(&s, p->book) : fu__error_nomem();
    for (size_t i = 0, j; i < m && !rc; i = j) {
        size_t lo, hi, base = s->n, any = 0;
        customer_rows(p, v[i].it.row, &lo, &hi);
        for (j = i; j < m && v[j].it.row < hi; j++) any |= (size_t)v[j].q;
        if (!any) continue; /* none of the customer's to place */
        for (size_t k = lo; k < hi && !rc; k++)
            rc = fu__pl_plan_push(s, &p->tp[k], p->zone[k], p->oid[k], (uint8_t)(p->flag[k] & PL_TP_ASKED));
        for (size_t k = i; k < j && !rc; k++) {
            at[k] = base + (v[k].it.row - lo);
            s->tp[at[k]].status = v[k].q ? FU_TOUCHPOINT_PLANNED : FU_TOUCHPOINT_SUPPRESSED;
        }
    }
    if (!rc && s->n) rc = fu__plan_team_hours(x->pl, s, x->now, x->end);
    for (size_t i = 0; i < m && !rc; i++) {
        if (!v[i].q) continue;
        const fu_touchpoint *t = &s->tp[at[i]];
        v[i].q = t->status == FU_TOUCHPOINT_PLANNED || t->status == FU_TOUCHPOINT_LATER;
        if (v[i].q) v[i].at = t->best_at;
    }
    fu_plan_free(s);
    fu__free(at);
    return rc;
}

/* The first instant from `from` the planner allows each contact of v:
 * first placement's (most pressing first: the caps of a customer's next
 * contact count its earlier ones there), then the agents' rules. Within
 * the window unless the contact is late or `late` (then within
 * RO_LATE_SPAN). v[i].q 1 and v[i].at, or 0 none. v ends sorted by row. */
static int search_all(ro_ctx *x, ro_try *v, size_t m, int64_t from, int late) {
    int rc = FU_OK;
    for (size_t i = 0; i < m && !rc; i++) {
        ro_try *w = &v[i];
        if (!(rc = load_customer(x, w->it.row))) rc = place_customer(x, w->it.row, from, late || w->it.late, &w->at);
        if (rc < 0) return rc;
        w->q = rc;
        rc = FU_OK;
        if (w->q) x->plan->tp[w->it.row].best_at = w->at;
    }
    if (m > 1) qsort(v, m, sizeof *v, try_by_row);
    if ((rc = team_pass(x, v, m))) return rc;
    for (size_t i = 0; i < m; i++)
        if (v[i].q && !late && !v[i].it.late && v[i].at > x->plan->tp[v[i].it.row].due_to) v[i].q = 0;
    return FU_OK;
}

/* The planned contact of `row` moved to another day: its reason says why
 * (the agent step's note, kept in the agent field until the plan is done). */
static int note_moved(fu_plan *p, size_t row) {
    fu_touchpoint *t = &p->tp[row];
    const char *prev = (p->flag[row] & PL_TP_NOTE) ? t->agent : "";
    size_t lp = strlen(prev), ln = strlen(RO_NOTE);
    char *b = fu__malloc(lp + ln + 1);
    if (!b) return fu__error_nomem();
    memcpy(b, prev, lp);
    memcpy(b + lp, RO_NOTE, ln + 1);
    const char *s = fu__plan_strdup(p, b, lp + ln);
    fu__free(b);
    if (!s) return fu__error_nomem();
    t->agent = s;
    p->flag[row] |= PL_TP_NOTE;
    return FU_OK;
}

/* The items of the planned agent contacts of the plan. */
static int gather_items(ro_ctx *x, ro_item **out, size_t *n_out) {
    const fu_plan *p = x->plan;
    size_t n = 0;
    for (size_t i = 0; i < p->n; i++)
        n += p->tp[i].status == FU_TOUCHPOINT_PLANNED && fu__pl_is_agent_channel(p->tp[i].channel);
    ro_item *h = fu__malloc((n ? n : 1) * sizeof *h);
    if (!h) return fu__error_nomem();
    size_t m = 0;
    for (size_t i = 0; i < p->n; i++) {
        const fu_touchpoint *t = &p->tp[i];
        if (t->status != FU_TOUCHPOINT_PLANNED || !fu__pl_is_agent_channel(t->channel)) continue;
        ro_item *it = &h[m++];
        it->day = day_of(x->bc, t->best_at);
        it->due = t->due_to;
        it->best = t->best_at;
        it->row = (uint32_t)i;
        it->prio = (uint8_t)t->priority;
        it->late = t->best_at > t->due_to;
        it->moved = 0;
    }
    *out = h;
    *n_out = m;
    return FU_OK;
}

/* The contacts over day `day`'s cap (v, m of them, most pressing first):
 * each to the first instant allowed on a later day of the horizon (its row
 * planned there, v[i].it with its new day and instant, `moved`); the others
 * deferred (capacity.calls_per_agent_day) at the first instant they may be
 * made from the next day (a second search without the window), or where
 * they were when none comes. v ends sorted by row; the fate of each is its
 * row's status. */
static int roll_round(ro_ctx *x, int64_t day, ro_try *v, size_t m, size_t *deferred) {
    int64_t from = day_start(x->bc, day + 1);
    int rc = search_all(x, v, m, from, 0);
    size_t again = 0;
    for (size_t i = 0; i < m && !rc; i++) {
        ro_item *it = &v[i].it;
        fu_touchpoint *t = &x->plan->tp[it->row];
        if (v[i].q && v[i].at < x->end) {
            int64_t d = day_of(x->bc, v[i].at);
            it->day = d > day ? d : day + 1;
            it->best = v[i].at;
            it->moved = 1;
            t->best_at = v[i].at;
            continue;
        }
        /* the reason keeps why it is due; status and status_rule say why it waits */
        t->status = FU_TOUCHPOINT_DEFERRED;
        t->status_rule = RO_RULE;
        t->best_at = v[i].q ? v[i].at : it->best; /* found past the horizon (q 1): that is its first instant */
        ++*deferred;
        again += !v[i].q;
    }
    if (rc || !again) return rc;
    ro_try *w = fu__malloc(again * sizeof *w); /* the deferred ones without an instant yet: sought without the window */
    if (!w) return fu__error_nomem();
    size_t k = 0;
    for (size_t i = 0; i < m; i++)
        if (!v[i].q && x->plan->tp[v[i].it.row].status == FU_TOUCHPOINT_DEFERRED) w[k++] = v[i];
    rc = search_all(x, w, k, from, 1);
    for (size_t i = 0; i < k; i++) x->plan->tp[w[i].it.row].best_at = !rc && w[i].q ? w[i].at : w[i].it.best;
    fu__free(w);
    return rc;
}

int fu__pl_capacity_rollover(fu_planner *pl, fu_plan *plan, size_t cap, int64_t now, int64_t end,
                             size_t *deferred) {
    ro_ctx x;
    memset(&x, 0, sizeof x);
    x.pl = pl;
    x.plan = plan;
    x.bc = pl->bcal->cal;
    x.now = now;
    x.end = end;
    *deferred = 0;
    ro_item *h = NULL;
    size_t n = 0, m = 0, used = 0;
    int rc = gather_items(&x, &h, &n);
    if (rc) return rc;
    ro_try *v = fu__malloc((n ? n : 1) * sizeof *v);
    if (!v) rc = fu__error_nomem();
    for (size_t i = n / 2; i-- > 0;) heap_down(h, n, i);
    int64_t day = n ? h[0].day : 0;
    while (!rc && (n || m)) {
        if (!n || h[0].day != day) { /* the day is done: its contacts over the cap move on together */
            if (m) rc = roll_round(&x, day, v, m, deferred);
            for (size_t i = 0; i < m && !rc; i++) /* the moved ones compete again on their new day */
                if (plan->tp[v[i].it.row].status == FU_TOUCHPOINT_PLANNED) {
                    h[n++] = v[i].it;
                    heap_up(h, n - 1);
                }
            m = used = 0;
            if (n) day = h[0].day;
            continue;
        }
        ro_item it = h[0];
        h[0] = h[--n];
        heap_down(h, n, 0);
        if (used < cap) { /* the day's cap goes to the most pressing first */
            used++;
            if (it.moved) rc = note_moved(plan, it.row);
            continue;
        }
        v[m].it = it;
        v[m].q = 0;
        v[m++].at = 0;
    }
    FU_FREE_ALL(h, v);
    return rc;
}

/* A planned row of the plan as one of its customer's contacts (pl->ct, and
 * pl->stimes when its rule is a survey's), so that caps see it: FU_OK or
 * FU_ENOMEM. The agent step and the capacity rollover both re-check a
 * customer's moved row against its other rows this way. */
int fu__pl_push_row_contact(fu_planner *pl, const fu_plan *plan, size_t r) {
    const fu_touchpoint *o = &plan->tp[r];
    if (pl->nct == pl->ct_cap && FU_GROW(pl->ct, pl->ct_cap, pl->nct + 1)) return FU_ENOMEM;
    pl_contact *c = &pl->ct[pl->nct++];
    memset(c, 0, sizeof *c);
    c->at = o->best_at;
    c->channel = (uint8_t)o->channel;
    c->priority = (uint8_t)o->priority;
    c->exempt = (uint8_t)prio_exempt(pl->P, o->priority);
    if (plan->oid[r]) c->orders[c->norders++] = plan->oid[r];
    if (fu__pl_rule_is_survey(pl->P, o->rule)) {
        if (pl->nst == pl->st_cap && FU_GROW(pl->stimes, pl->st_cap, pl->nst + 1)) return FU_ENOMEM;
        pl->stimes[pl->nst++] = o->best_at;
    }
    return FU_OK;
}

/* ------------------------------------------- the rounds across partitions */

/* A partition's open plan (include/followup/capacity.h): the planner, the
 * plan's rows in customer order, and of each planned agent contact at the
 * start its row, instant and status_rule (what a row the items call planned
 * again gets back). */
struct fu_capacity_part {
    fu_planner *pl;
    fu_plan *plan; /* NULL once fu_capacity_part_plan() took it */
    int64_t now, end;
    size_t n;          /* planned agent contacts at the start */
    uint32_t *row;     /* n: their rows */
    int64_t *best0;    /* n: their instants */
    const char **rule; /* n: their status_rule */
    uint32_t *at;      /* plan->n: a row's index in row[], UINT32_MAX none */
};

void fu_capacity_part_free(fu_capacity_part *cp) {
    if (!cp) return;
    fu_plan_free(cp->plan);
    FU_FREE_ALL(cp->row, cp->best0, cp->rule, cp->at, cp);
}

static int part_index(fu_capacity_part *cp) {
    const fu_plan *p = cp->plan;
    size_t n = 0;
    for (size_t i = 0; i < p->n; i++)
        n += p->tp[i].status == FU_TOUCHPOINT_PLANNED && fu__pl_is_agent_channel(p->tp[i].channel);
    cp->row = fu__malloc((n ? n : 1) * sizeof *cp->row);
    cp->best0 = fu__malloc((n ? n : 1) * sizeof *cp->best0);
    cp->rule = fu__malloc((n ? n : 1) * sizeof *cp->rule);
    cp->at = fu__malloc((p->n ? p->n : 1) * sizeof *cp->at);
    if (!cp->row || !cp->best0 || !cp->rule || !cp->at) return fu__error_nomem();
    for (size_t i = 0; i < p->n; i++) {
        const fu_touchpoint *t = &p->tp[i];
        cp->at[i] = UINT32_MAX;
        if (t->status != FU_TOUCHPOINT_PLANNED || !fu__pl_is_agent_channel(t->channel)) continue;
        cp->at[i] = (uint32_t)cp->n;
        cp->row[cp->n] = (uint32_t)i;
        cp->best0[cp->n] = t->best_at;
        cp->rule[cp->n++] = t->status_rule;
    }
    return FU_OK;
}

int fu_capacity_part_new(fu_planner *pl, int64_t now, int64_t horizon, fu_capacity_part **out) {
    if (!pl || !out) return fu__error_set(FU_EINVAL, "fu_capacity_part_new: %s is NULL", !pl ? "planner" : "out");
    *out = NULL;
    int rc = fu__pl_check_span(now, horizon);
    if (rc) return rc;
    if (fu__planner_agent_count(pl))
        return fu__error_set(FU_EINVAL, "fu_capacity_part_new: the planner has %zu named agents: " FU__CAP_NAMED_AGENTS,
                             fu__planner_agent_count(pl));
    fu_capacity_part *cp = fu__calloc(1, sizeof *cp);
    if (!cp) return fu__error_nomem();
    cp->pl = pl;
    cp->now = now;
    cp->end = now + horizon;
    rc = fu__pl_plan_range(pl, 0, pl->ncust, now, horizon, 2, &cp->plan);
    if (!rc && cp->plan->n > UINT32_MAX - 1) rc = fu__error_set(FU_ELIMIT, "more than 2^32 - 2 rows in a plan");
    if (!rc) rc = part_index(cp);
    if (rc) {
        fu_capacity_part_free(cp);
        return rc;
    }
    *out = cp;
    return FU_OK;
}

int fu_capacity_part_items(const fu_capacity_part *cp, fu_capacity_item **out, size_t *n) {
    if (!cp || !out || !n)
        return fu__error_set(FU_EINVAL, "fu_capacity_part_items: %s is NULL", !cp ? "part" : !out ? "out" : "n");
    *out = NULL;
    *n = 0;
    if (!cp->plan) return fu__error_set(FU_ESTATE, "fu_capacity_part_items: the part's plan was taken");
    if (!cp->n) return FU_OK;
    fu_capacity_item *v = fu__calloc(cp->n, sizeof *v);
    if (!v) return fu__error_nomem();
    for (size_t i = 0; i < cp->n; i++) {
        const fu_touchpoint *t = &cp->plan->tp[cp->row[i]];
        v[i].best_at = cp->best0[i];
        v[i].due_to = t->due_to;
        v[i].customer = t->customer;
        v[i].row = cp->row[i];
        v[i].priority = (int32_t)t->priority;
    }
    *out = v;
    *n = cp->n;
    return FU_OK;
}

/* The items are all of the part's, each once, in range: else FU_EINVAL
 * (nothing changed). Then the rows take their states and instants. */
static int part_sync(fu_capacity_part *cp, const char *fn, const fu_capacity_item *items, size_t n) {
    if (!cp->plan) return fu__error_set(FU_ESTATE, "%s: the part's plan was taken", fn);
    if (n != cp->n)
        return fu__error_set(FU_EINVAL, "%s: %zu items, the part has %zu: give all of its items", fn, n, cp->n);
    uint8_t *seen = fu__calloc(n ? n : 1, 1);
    if (!seen) return fu__error_nomem();
    fu_touchpoint *tp = cp->plan->tp;
    int rc = FU_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        const fu_capacity_item *it = &items[i];
        uint32_t k = it->row < cp->plan->n ? cp->at[it->row] : UINT32_MAX;
        if (k == UINT32_MAX || tp[it->row].due_to != it->due_to || (int32_t)tp[it->row].priority != it->priority)
            rc = fu__error_set(FU_EINVAL, "%s: item %zu (row %u) is not a planned agent contact of this part", fn, i,
                               (unsigned)it->row);
        else if (seen[k]++)
            rc = fu__error_set(FU_EINVAL, "%s: item %zu: row %u given twice", fn, i, (unsigned)it->row);
        else if (it->deferred > FU_CAPACITY_ROLLED)
            rc = fu__error_set(FU_EINVAL, "%s: item %zu: state %u out of range", fn, i, (unsigned)it->deferred);
    }
    fu__free(seen);
    for (size_t i = 0; i < n && !rc; i++) {
        fu_touchpoint *t = &tp[items[i].row];
        int d = items[i].deferred == FU_CAPACITY_DEFERRED;
        t->status = d ? FU_TOUCHPOINT_DEFERRED : FU_TOUCHPOINT_PLANNED;
        t->status_rule = d ? RO_RULE : cp->rule[cp->at[items[i].row]];
        t->best_at = items[i].best_at;
    }
    return rc;
}

/* The one-day rule (fu__cap_defer_daily(), as fu_capacity_pass() defers), by
 * the planner's calendar. */
static void part_defer_daily(fu_capacity_part *cp, int64_t day, fu_capacity_item *it) {
    it->best_at = fu__cap_defer_daily(cp->pl->bcal->cal, day, it->best_at, it->due_to);
    it->deferred = FU_CAPACITY_DEFERRED;
    fu_touchpoint *t = &cp->plan->tp[it->row];
    t->status = FU_TOUCHPOINT_DEFERRED;
    t->status_rule = RO_RULE;
    t->best_at = it->best_at;
}

/* The round's contacts over the cap (k, most pressing first) as
 * fu__pl_capacity_rollover() moves them; their items take the outcome. */
static int part_roll(fu_capacity_part *cp, int64_t day, fu_capacity_item *items, const fu__cap_key *k, size_t m,
                     const uint32_t *pos) {
    ro_ctx x;
    memset(&x, 0, sizeof x);
    x.pl = cp->pl;
    x.plan = cp->plan;
    x.bc = cp->pl->bcal->cal;
    x.now = cp->now;
    x.end = cp->end;
    ro_try *v = fu__calloc(m, sizeof *v);
    if (!v) return fu__error_nomem();
    for (size_t i = 0; i < m; i++) {
        const fu_capacity_item *it = &items[k[i].idx];
        v[i].it.day = day;
        v[i].it.due = it->due_to;
        v[i].it.best = it->best_at;
        v[i].it.row = it->row;
        v[i].it.prio = (uint8_t)it->priority;
        v[i].it.late = cp->best0[cp->at[it->row]] > it->due_to; /* as first planned */
        v[i].it.moved = 1;
    }
    size_t deferred = 0;
    int rc = roll_round(&x, day, v, m, &deferred);
    for (size_t i = 0; i < m && !rc; i++) { /* v is by row now: the items by row too */
        fu_capacity_item *it = &items[pos[cp->at[v[i].it.row]]];
        const fu_touchpoint *t = &cp->plan->tp[it->row];
        it->best_at = t->best_at;
        it->deferred = t->status == FU_TOUCHPOINT_PLANNED ? FU_CAPACITY_ROLLED : FU_CAPACITY_DEFERRED;
    }
    fu__free(v);
    return rc;
}

int fu_capacity_part_move(fu_capacity_part *cp, int64_t day, fu_capacity_item *items, size_t n) {
    if (!cp || (!items && n))
        return fu__error_set(FU_EINVAL, "fu_capacity_part_move: %s is NULL", !cp ? "part" : "items");
    int rc = part_sync(cp, "fu_capacity_part_move", items, n);
    if (rc) return rc;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) m += items[i].deferred == FU_CAPACITY_OVER;
    if (!m) return FU_OK;
    fu__cap_key *k = fu__malloc(m * sizeof *k); /* the round's contacts over the cap: one day, by how pressing */
    uint32_t *pos = fu__malloc(n * sizeof *pos); /* the part's index of a row -> the item */
    if (!k || !pos) {
        FU_FREE_ALL(k, pos);
        return fu__error_nomem();
    }
    for (size_t i = 0, j = 0; i < n; i++) {
        pos[cp->at[items[i].row]] = (uint32_t)i;
        if (items[i].deferred != FU_CAPACITY_OVER) continue;
        k[j] = (fu__cap_key){.day = day, .due_to = items[i].due_to, .best_at = items[i].best_at,
                             .customer = items[i].customer, .row = items[i].row, .idx = (uint32_t)i,
                             .priority = items[i].priority};
        j++;
    }
    qsort(k, m, sizeof *k, fu__cap_cmp); /* rows differ (part_sync): idx never decides */
    if (fu__pl_rollover_applies(cp->pl, cp->now, cp->end))
        rc = part_roll(cp, day, items, k, m, pos);
    else
        for (size_t i = 0; i < m; i++) part_defer_daily(cp, day, &items[k[i].idx]);
    FU_FREE_ALL(k, pos);
    return rc;
}

int fu_capacity_part_plan(fu_capacity_part *cp, const fu_capacity_item *items, size_t n, fu_plan **out) {
    if (!cp || (!items && n) || !out)
        return fu__error_set(FU_EINVAL, "fu_capacity_part_plan: %s is NULL", !cp ? "part" : !out ? "out" : "items");
    *out = NULL;
    for (size_t i = 0; i < n; i++)
        if (items[i].deferred == FU_CAPACITY_OVER || items[i].deferred == FU_CAPACITY_ROLLED)
            return fu__error_set(FU_EINVAL, "fu_capacity_part_plan: item %zu (row %u) is still %s: the rounds are "
                                 "not done (fu_capacity_round() until it marks none)", i, (unsigned)items[i].row,
                                 items[i].deferred == FU_CAPACITY_OVER ? "over its day's cap" : "moved to a later day");
    int rc = part_sync(cp, "fu_capacity_part_plan", items, n);
    if (rc) return rc;
    fu_plan *p = cp->plan;
    cp->plan = NULL; /* taken: the part cannot go on from here */
    for (size_t i = 0; i < n && !rc; i++) /* moved and planned there: the planner's note */
        if (items[i].deferred == FU_CAPACITY_MOVED) rc = note_moved(p, items[i].row);
    size_t agent = 0;
    for (size_t i = 0; i < p->n; i++)
        agent += p->tp[i].status == FU_TOUCHPOINT_PLANNED && fu__pl_is_agent_channel(p->tp[i].channel);
    p->stats.agent_contacts = agent;
    p->stats.capacity_per_day = (size_t)cp->pl->opt.agents * cp->pl->opt.calls_per_agent;
    if (rc || (rc = fu__pl_plan_close(cp->pl, p, cp->now, cp->end))) {
        fu_plan_free(p);
        return rc;
    }
    *out = p;
    return FU_OK;
}
