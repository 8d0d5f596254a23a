/* Numeric capacity over a horizon of several days (review s11 M1): the
 * agent contacts over a day's cap go to the next day of the horizon with
 * room, at the first instant the planner's own placement allows there,
 * instead of all waiting for the next day's midnight while the later days
 * of the horizon stay empty. docs/planner.md, "Limits" 7. */
#include "planner_rollover.h"
#include "planner_internal.h"

#define RO_RULE "capacity.calls_per_agent_day"
#define RO_NOTE "; the day's agent calls were taken (" RO_RULE "): moved to the first instant allowed on the next day with room"
#define RO_LATE_SPAN (62 * DAY) /* how far a deferred contact's first possible instant is sought (as holidays) */

int fu__pl_rollover_applies(const fu_planner *pl, int64_t now, int64_t end) {
    return !pl->day_used && end - now > DAY;
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
    size_t ci = tp[row].customer, n, lo, hi;
    memset(&x->cx, 0, sizeof x->cx);
    fu__book_customer_get(pl->book, ci, &x->cb);
    x->cx.index = ci;
    x->cx.c = &x->cb;
    x->cx.now = x->now;
    x->cx.end = x->end;
    int rc = fu__pl_zone_get(pl, x->cb.tz, &x->cx.zone);
    if (!rc) rc = fu__pl_gather(pl, ci, x->now, &n);
    if (!rc) rc = fu__pl_collect(pl, &x->cx, n);
    if (!rc) rc = fu__pl_mask_get(pl, ci, &x->cb, &x->cx.mask);
    if (rc) return rc;
    customer_rows(x->plan, row, &lo, &hi);
    for (size_t k = lo; k < hi; k++) {
        const fu_touchpoint *o = &tp[k];
        if (k == row || o->status != FU_TOUCHPOINT_PLANNED) continue;
        if (pl->nct == pl->ct_cap && FU_GROW(pl->ct, pl->ct_cap, pl->nct + 1)) return FU_ENOMEM;
        pl_contact *c = &pl->ct[pl->nct++];
        memset(c, 0, sizeof *c);
        c->at = o->best_at;
        c->channel = (uint8_t)o->channel;
        c->priority = (uint8_t)o->priority;
        c->exempt = (uint8_t)prio_exempt(pl->P, o->priority);
        if (x->plan->oid[k]) c->orders[c->norders++] = x->plan->oid[k];
        if (fu__pl_rule_is_survey(pl->P, o->rule)) {
            if (pl->nst == pl->st_cap && FU_GROW(pl->stimes, pl->st_cap, pl->nst + 1)) return FU_ENOMEM;
            pl->stimes[pl->nst++] = o->best_at;
        }
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

/* The policy's `agents` rules on that instant, as for every numeric agent
 * contact (fu__plan_team_hours() on a plan of the customer's rows, the
 * contact at `at`): *out the instant they allow (the customer's hours and
 * the caps kept), INT64_MAX none. */
static int team_rules(ro_ctx *x, size_t row, int64_t at, int64_t *out) {
    fu_plan *s = NULL;
    size_t lo, hi, me = 0;
    int rc = fu__pl_plan_new(&s, x->plan->book);
    if (rc) return rc;
    customer_rows(x->plan, row, &lo, &hi);
    for (size_t k = lo; k < hi && !rc; k++) {
        if (k == row) me = s->n;
        rc = fu__pl_plan_push(s, &x->plan->tp[k], x->plan->zone[k], x->plan->oid[k],
                              (uint8_t)(x->plan->flag[k] & PL_TP_ASKED));
    }
    if (!rc) {
        s->tp[me].best_at = at;
        rc = fu__plan_team_hours(x->pl, s, x->now, x->end);
    }
    if (!rc) {
        int st = s->tp[me].status;
        *out = st == FU_TOUCHPOINT_PLANNED || st == FU_TOUCHPOINT_LATER ? s->tp[me].best_at : INT64_MAX;
    }
    fu_plan_free(s);
    return rc;
}

/* The first instant from `from` the planner allows the contact of `row`:
 * first placement's, then the agents' rules. Within its window unless
 * `late` (then within RO_LATE_SPAN). 1 and *at, 0 none. */
static int search(ro_ctx *x, size_t row, int64_t from, int late, int64_t *at) {
    int64_t a;
    int rc = load_customer(x, row);
    if (rc) return rc;
    int q = place_customer(x, row, from, late, &a);
    if (q <= 0) return q;
    if ((rc = team_rules(x, row, a, at))) return rc;
    if (*at == INT64_MAX) return 0;
    return late || *at <= x->plan->tp[row].due_to;
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

/* No day of the horizon takes the contact of `row`: deferred, at the first
 * instant it may be made from `from` (`at` when known, else sought), or
 * where it was when none comes within RO_LATE_SPAN. */
static int defer_row(ro_ctx *x, size_t row, int64_t from, int known, int64_t at) {
    int q = known;
    if (!q && (q = search(x, row, from, 1, &at)) < 0) return q;
    fu_touchpoint *t = &x->plan->tp[row];
    /* the reason keeps why it is due; status and status_rule say why it waits */
    t->status = FU_TOUCHPOINT_DEFERRED;
    t->status_rule = RO_RULE;
    if (q == 1) t->best_at = at;
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

/* One contact over its day's cap: to the first instant allowed on a later
 * day of the horizon (pushed back into the heap with its new key), else
 * deferred. 1 pushed, 0 deferred, < 0 an error. */
static int roll_one(ro_ctx *x, ro_item *h, size_t *n, ro_item it) {
    int64_t from = day_start(x->bc, it.day + 1), at = 0;
    int q = search(x, it.row, from, it.late, &at);
    if (q < 0) return q;
    if (q == 0 || at >= x->end) {
        int rc = defer_row(x, it.row, from, q == 1, at);
        return rc < 0 ? rc : 0;
    }
    int64_t d = day_of(x->bc, at);
    it.day = d > it.day ? d : it.day + 1;
    it.best = at;
    it.moved = 1;
    x->plan->tp[it.row].best_at = at; /* the caps of the customer's next moves count it there */
    h[(*n)++] = it;
    heap_up(h, *n - 1);
    return 1;
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
    size_t n = 0;
    int rc = gather_items(&x, &h, &n);
    if (rc) return rc;
    for (size_t i = n / 2; i-- > 0;) heap_down(h, n, i);
    int64_t day = INT64_MIN;
    size_t used = 0;
    while (n && !rc) {
        ro_item it = h[0];
        h[0] = h[--n];
        heap_down(h, n, 0);
        if (it.day != day) day = it.day, used = 0;
        if (used < cap) { /* the day's cap goes to the most pressing first */
            used++;
            if (it.moved) rc = note_moved(plan, it.row);
            continue;
        }
        int q = roll_one(&x, h, &n, it);
        if (q < 0) rc = q;
        else if (q == 0) ++*deferred;
    }
    fu__free(h);
    return rc;
}
