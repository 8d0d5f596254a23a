/* The contact guard's view of the planner (lib/planner_internal.h). */
#include "calendar_internal.h"
#include "planner_internal.h"

/* ---------------------------------------------------------------- the guard
 * The contact guard (guard.c, guard_internal.h) asks the planner's own
 * limits about one customer at one instant. Only additions: the functions
 * above are used as they are. */

#include "guard_internal.h"

/* The business calendar of B2B customers in one zone (as fu_besttime
 * reads it, docs/besttime.md): the policy's default calendar in its own
 * zone; elsewhere its weekly hours in the zone's local time, without its
 * holidays and make-up days (dates of its country). */
typedef struct guard_biz {
    char *tz;          /* the zone's name (a copy) */
    fu_calendar *own;  /* made here, or NULL for the policy's */
    const fu_calendar *cal;
    int home;          /* in the policy calendar's country: its holidays hold */
} guard_biz;

struct fu__guard_ctx {
    fu_planner *pl;
    pl_cust cx;
    int unknown;
    const guard_biz *biz; /* the loaded customer's, NULL: not B2B */
    int survey;           /* the touchpoint asked about asks for a survey answer */
    guard_biz *bz;
    size_t nbz, bz_cap;
    const fu_event **bev; /* fu__guard_ctx_book_redial(): the book's contacts */
    size_t bev_cap;
};

int fu__guard_ctx_new(fu__guard_ctx **out, fu_planner *pl) {
    fu__guard_ctx *g = fu__calloc(1, sizeof *g);
    if (!g) return fu__error_nomem();
    g->pl = pl;
    *out = g;
    return FU_OK;
}

void fu__guard_ctx_free(fu__guard_ctx *g) {
    if (!g) return;
    for (size_t i = 0; i < g->nbz; i++) {
        fu_calendar_free(g->bz[i].own);
        fu__free(g->bz[i].tz);
    }
    fu__free(g->bz);
    fu__free(g->bev);
    fu__free(g);
}

/* The business calendar of zone z (cached per zone name). */
static int guard_biz_get(fu__guard_ctx *g, const pl_zone *z, const guard_biz **out) {
    const fu__pol_calendar *b = g->pl->bcal;
    const char *name = z->tz ? z->tz : b->tz;
    for (size_t i = 0; i < g->nbz; i++)
        if (strcmp(g->bz[i].tz, name) == 0) {
            *out = &g->bz[i];
            return FU_OK;
        }
    if (g->nbz == g->bz_cap && FU_GROW(g->bz, g->bz_cap, g->nbz + 1)) return FU_ENOMEM;
    /* home: the calendar's country (its holidays and make-up days hold, in
     * the zone's local time: PRC, Asia/Urumqi for cn; review s9 F25) */
    guard_biz x = {fu__strdup(name), NULL, b->cal, 0};
    int rc = x.tz ? fu__calendar_rules_in_zone(b->cal, name, &x.own, &x.home) : fu__error_nomem();
    if (x.own) x.cal = x.own;
    if (rc) {
        fu_calendar_free(x.own);
        fu__free(x.tz);
        return rc;
    }
    g->bz[g->nbz] = x;
    *out = &g->bz[g->nbz++];
    return FU_OK;
}

int fu__guard_ctx_load(fu__guard_ctx *g, size_t ci, const fu_customer *c, const fu_event *extra, size_t n_extra,
                       int64_t now, const fu_event *const **ev, size_t *n) {
    fu_planner *pl = g->pl;
    pl_cust *cx = &g->cx;
    memset(cx, 0, sizeof *cx);
    cx->index = ci;
    cx->c = c;
    cx->now = now;
    cx->end = INT64_MAX / 4;
    g->unknown = ci == FU__GUARD_NO_CUSTOMER;
    int rc = fu__pl_zone_get(pl, c->tz, &cx->zone);
    if (rc) return rc;
    size_t k = 0;
    if (!g->unknown) {
        if ((rc = fu__pl_gather(pl, ci, INT64_MAX, &k))) return rc;
        /* Facts (purchases, lifecycle, tier, complaints, inquiries) are
         * those at the instant asked about: a later event has not happened
         * yet (a purchase after it made fu_segment_assign() fail). Contacts
         * and survey answers after it stay: the caps look both ways. */
        size_t w = 0;
        for (size_t i = 0; i < k; i++)
            if (pl->ev[i]->at <= now || pl->ev[i]->kind == FU_EVENT_CONTACT || pl->ev[i]->kind == FU_EVENT_SURVEY)
                pl->ev[w++] = pl->ev[i];
        k = w;
        pl->nev = k;
    } else {
        if (n_extra > pl->ev_cap && fu__grow((void **)&pl->ev, &pl->ev_cap, n_extra, sizeof *pl->ev)) return FU_ENOMEM;
        for (k = 0; k < n_extra; k++) pl->ev[k] = &extra[k];
        pl->nev = k;
    }
    if ((rc = fu__pl_collect(pl, cx, k))) return rc;
    if (g->unknown) { /* nothing known: the caps of a new customer hold */
        cx->lifecycle = FU__LC_NEW;
        cx->tier = -1;
    }
    if ((rc = fu__pl_mask_get(pl, ci, c, &cx->mask))) return rc;
    g->biz = NULL;
    if (!g->unknown && pl->bcal->has_hours && fu__pl_is_business(c) && (rc = guard_biz_get(g, cx->zone, &g->biz)))
        return rc;
    *ev = pl->ev;
    *n = k;
    return FU_OK;
}

void fu__guard_ctx_survey(fu__guard_ctx *g, const char *rule) {
    fu_planner *pl = g->pl;
    g->survey = rule && *rule && strstr(rule, "cadences.") && fu__pl_rule_is_survey(pl->P, rule);
    if (!g->survey) return;
    /* survey fatigue counts survey answers and the logged calls of survey
     * steps (encoded with `survey` set), not every logged contact (which
     * fu__pl_collect() counts: its mark of a simulated survey call is the
     * guard's outcome) */
    size_t ns = 0;
    for (size_t i = 0; i < pl->nev; i++) {
        const fu_event *e = pl->ev[i];
        if (e->kind == FU_EVENT_SURVEY || (e->kind == FU_EVENT_CONTACT && e->reserved_[1] && e->survey))
            pl->stimes[ns++] = e->at;
    }
    pl->nst = ns;
}

int fu__guard_rule_is_survey(const fu__policy *P, const char *rule) {
    return rule && *rule && fu__pl_rule_is_survey(P, rule);
}

const char *fu__guard_ctx_consent(const fu__guard_ctx *g, int channel) {
    return fu__pl_consent_of(g->cx.c, channel) == FU_TRI_NO ? fu__pl_consent_rule(channel) : NULL;
}

const fu_calendar *fu__guard_ctx_calendar(const fu__guard_ctx *g) { return g->cx.zone->cal; }

int fu__guard_ctx_add_dur(const fu__guard_ctx *g, int64_t t, const fu_duration *d, int64_t *out) {
    return fu__pl_add_dur(g->pl, g->cx.zone->cal, t, d, 0, out);
}

/* The cadence a touchpoint rule ("cadences.<name>.<step>") belongs to. */
static const fu__pol_cadence *guard_cadence(const fu__policy *P, const char *rule) {
    if (!rule || strncmp(rule, "cadences.", 9) != 0) return NULL;
    for (size_t i = 0; i < P->n_cadences; i++) {
        size_t n = strlen(P->cadences[i].rule);
        if (strncmp(rule, P->cadences[i].rule, n) == 0 && (rule[n] == '.' || rule[n] == 0)) return &P->cadences[i];
    }
    return NULL;
}

/* Quiet hours, holidays and do-not-disturb at t: NULL or the rule. */
static int guard_time(fu_planner *pl, const pl_cust *cx, int64_t t, int priority, const char **deny, int64_t *retry) {
    int ex = (pl->P->quiet_exempt >> priority) & 1u;
    int hol = !(((pl->P->quiet_exempt | pl->P->quiet_holidays) >> priority) & 1u); /* as fu__pl_holidays_apply */
    const uint64_t *base = cx->mask->bits[ex ? 2 : 0];
    int64_t found = 0;
    int r = fu__pl_next_allowed(cx->zone, base, hol, t, t + 400 * DAY, &found);
    if (r < 0) return r;
    if (r == 1 && found == t) return FU_OK;
    *retry = r == 1 ? found : FU_BESTTIME_NEVER;
    int off;
    if ((r = fu_calendar_utc_offset(cx->zone->cal, t, &off))) return r;
    int64_t day = fu__pl_floordiv(t + off, DAY);
    int mow = (int)(((day % 7) + 7 + 3) % 7) * 1440 + (int)((t + off - day * DAY) / 60);
    if (hol && fu__pl_is_holiday(cx->zone, day)) *deny = "calendars.holidays";
    else if (!ex && !bit_get(cx->mask->bits[4], mow)) *deny = "quiet_hours.allowed";
    else *deny = "customer.dnd_windows";
    return FU_OK;
}

/* A business customer's calendar at t (priorities that may contact in the
 * customer's rest time skip it: quiet_hours.on_holidays and .exempt, as for
 * holidays): NULL or the rule, and in *retry its next opening. The rules
 * are static, as a decision's rule must outlive the guard: "calendars.hours"
 * (the policy's default calendar), "calendars.holidays" on its holidays. */
static int guard_business(const fu__guard_ctx *g, int64_t t, int priority, const char **deny, int64_t *retry) {
    const fu_planner *pl = g->pl;
    if (!g->biz || (((pl->P->quiet_exempt | pl->P->quiet_holidays) >> priority) & 1u)) return FU_OK;
    int in = fu_calendar_is_open(g->biz->cal, t);
    if (in) return in < 0 ? in : FU_OK;
    int64_t day;
    int rc = fu__pl_local_day_of(g->cx.zone, t, &day);
    if (rc) return rc;
    *deny = g->biz->home && fu__pl_is_holiday(g->cx.zone, day) ? "calendars.holidays" : "calendars.hours";
    rc = fu_calendar_next_open(g->biz->cal, t, retry);
    if (rc == FU_ERANGE) { /* a calendar that never opens again */
        fu_error_clear();
        *retry = FU_BESTTIME_NEVER;
        rc = FU_OK;
    }
    return rc;
}

int fu__guard_ctx_test(fu__guard_ctx *g, int64_t t, int channel, int *priority, const char *rule, uint32_t order,
                       int skip_caps, const char **deny, int64_t *retry) {
    static const fu__pol_cadence no_cadence = {.trigger = FU__TRIGGER_EVERY};
    fu_planner *pl = g->pl;
    pl_cust *cx = &g->cx;
    *deny = NULL;
    *retry = FU_BESTTIME_NEVER;
    /* suppressions, on a candidate whose window starts at t */
    pl_cand c;
    memset(&c, 0, sizeof c);
    c.from = t;
    c.to = INT64_MAX / 4;
    c.trigger = t;
    c.cad = guard_cadence(pl->P, rule);
    if (!c.cad) c.cad = &no_cadence;
    c.channel = (uint8_t)channel;
    c.priority = (uint8_t)*priority;
    c.status = C_ACTIVE;
    int64_t now = cx->now;
    cx->now = t;
    fu__pl_apply_suppressions(pl, cx, &c);
    cx->now = now;
    if (c.status != C_ACTIVE || c.from > t) {
        *deny = c.status_rule ? c.status_rule : c.supp_rule;
        *retry = c.status == C_SUPPRESSED ? FU_BESTTIME_NEVER : c.from;
        return FU_OK;
    }
    *priority = c.priority;
    int rc = guard_time(pl, cx, t, c.priority, deny, retry);
    if (rc || *deny || skip_caps) return rc; /* a requested call-back: the customer's own time */
    if ((rc = guard_business(g, t, c.priority, deny, retry)) || *deny) return rc;
    pl_group grp;
    memset(&grp, 0, sizeof grp);
    grp.from = grp.to = t;
    grp.channel = (uint8_t)channel;
    grp.priority = (uint8_t)c.priority;
    grp.exempt = (uint8_t)prio_exempt(pl->P, c.priority);
    grp.survey = (uint8_t)g->survey;
    if (order) grp.orders[grp.norders++] = order;
    *deny = fu__pl_cap_check(pl, cx, &grp, t, retry);
    /* a limit answers with the second after its oldest contact leaves the
     * window (t - per, t]; it has left a second earlier, the first instant a
     * check allows (review s9 F8; if not, the next check says so and costs
     * one more step). The min gap's answer is exact. */
    if (*deny && *retry - 1 > t && strncmp(*deny, "caps.", 5) == 0 && strcmp(*deny, "caps.min_gap") != 0) --*retry;
    if (*deny && *retry <= t) *retry = t + 60;
    return FU_OK;
}

/* A guard's customers get one contact at a time into arrays trimmed to
 * size: grow them by a quarter, not by doubling (1 M customers x 10
 * contacts would otherwise take 350 MiB more after one contact each). */
int fu__guard_feed(fu_planner *pl, size_t ci, const fu_event *e) {
    pl_overlay *o = &pl->guard_ov;
    if (o->head && o->head[ci] >= 0) {
        pl_ovvec *v = &o->v[o->head[ci]];
        if (v->n == v->cap && v->cap >= 8) {
            size_t cap = v->cap + v->cap / 4 + 2;
            fu_event *p = fu__realloc(v->ev, cap * sizeof *p);
            if (!p) return fu__error_nomem();
            v->ev = p;
            v->cap = cap;
        }
    }
    return fu__pl_overlay_add(pl, o, ci, e);
}

void fu__guard_unfeed(fu_planner *pl, size_t ci, const fu_event *e) { fu__pl_overlay_remove(&pl->guard_ov, ci, e); }

void fu__guard_trim(fu_planner *pl) {
    for (size_t i = 0; i < pl->guard_ov.n; i++) {
        pl_ovvec *v = &pl->guard_ov.v[i];
        if (v->n == v->cap || !v->n) continue;
        fu_event *p = fu__realloc(v->ev, v->n * sizeof *p);
        if (!p) continue; /* keeping the larger block is fine */
        v->ev = p;
        v->cap = v->n;
    }
}

/* The planner's redial law (fu__pl_redial_check) for the touchpoint `rule`
 * (one step, or a merged contact's steps "a; b") over the book's history:
 * the planner's candidates at t for that step (and order, when given) whose
 * own window holds t, each checked over the book's events up to t (the log's records name their touchpoint; guard.c matches them). Only
 * an outcome the policy stops on and a call-back time count here: the
 * attempt limits and wrong numbers are guard.c's, over every contact. */
int fu__guard_ctx_book_redial(fu__guard_ctx *g, int64_t t, int channel, const char *rule, uint32_t order,
                              const char **deny, int64_t *retry) {
    fu_planner *pl = g->pl;
    pl_cust *cx = &g->cx;
    *deny = NULL;
    if (g->unknown || !rule || strncmp(rule, "cadences.", 9) != 0) return FU_OK;
    if (pl->nev > g->bev_cap && fu__grow((void **)&g->bev, &g->bev_cap, pl->nev, sizeof *g->bev)) return FU_ENOMEM;
    size_t n = 0;
    for (size_t i = 0; i < pl->nev; i++)
        if (!pl->ev[i]->reserved_[1] && pl->ev[i]->at <= t) g->bev[n++] = pl->ev[i];
    const fu_event **save = pl->ev;
    size_t save_cap = pl->ev_cap, save_n = pl->nev;
    pl->ev = g->bev; /* the planner reads pl->ev[0..n) */
    pl->ev_cap = g->bev_cap;
    pl->nev = n;
    int64_t now = cx->now;
    cx->now = t;
    fu_plan_stats st;
    memset(&st, 0, sizeof st);
    int rc = fu__pl_candidates(pl, cx, n, &st);
    for (size_t i = 0; rc == FU_OK && i < pl->ncand; i++) { /* as plan_one(), before merging */
        pl_cand *c = &pl->cand[i];
        if (pl->clv) fu__pl_apply_clv(pl, cx, c);
        fu__pl_apply_consent(cx, c);
        if (c->status == C_ACTIVE) fu__pl_apply_suppressions(pl, cx, c);
    }
    if (rc == FU_OK && pl->gm_cap < pl->ncand + 1 &&
        fu__grow((void **)&pl->gm, &pl->gm_cap, pl->ncand + 1, sizeof *pl->gm))
        rc = FU_ENOMEM;
    for (size_t i = 0; rc == FU_OK && !*deny && i < pl->ncand; i++) {
        const pl_cand *c = &pl->cand[i];
        if (c->status != C_ACTIVE || !fu__rule_listed(rule, c->step->rule, strlen(c->step->rule)) || (order && c->order && c->order != order) ||
            t < c->from || t > c->to)
            continue;
        pl_group grp; /* the step alone: its own window (merging depends on the planning instant) */
        memset(&grp, 0, sizeof grp);
        grp.from = c->from;
        grp.to = c->to;
        grp.channel = (uint8_t)channel;
        grp.priority = c->priority;
        grp.n = 1;
        grp.first = (int)pl->ncand;
        pl->gm[pl->ncand] = (int)i;
        int stop;
        int64_t nb;
        if ((rc = fu__pl_redial_check(pl, cx, n, &grp, &nb, &stop))) break;
        if (stop && grp.block_rule && strncmp(grp.block_rule, "redial.attempts_", 16) != 0 &&
            strcmp(grp.block_rule, "redial.wrong_number") != 0) {
            *deny = grp.block_rule;
            *retry = FU_BESTTIME_NEVER;
        } else if (!stop && grp.redial_callback && nb > t) {
            *deny = "redial.callback";
            *retry = nb;
        }
    }
    pl->ncand = 0;
    cx->now = now;
    pl->ev = save;
    pl->ev_cap = save_cap;
    pl->nev = save_n;
    return rc;
}

void fu__guard_ignore_book_contacts(fu_planner *pl, int on) { pl->ignore_book_contacts = on; }

void fu__guard_set_per_day(fu_planner *pl, int per_day) { pl->guard_per_day = per_day; }

/* The policy calendar whose official holidays end before the local day of t
 * (calendars.<name>.data_until): the calendar of the loaded customer's zone,
 * else (`business`: a redial was spaced in business time) the policy's
 * business calendar. Its name, and in
 * *until its last day (days since 1970-01-01); NULL when none. */
const char *fu__guard_ctx_expired(const fu__guard_ctx *g, int64_t t, int business, int64_t *until) {
    int64_t day;
    int off = 0;
    const fu__pol_calendar *z = g->cx.zone ? g->cx.zone->hol : NULL, *b = g->pl->bcal;
    if (z && z->data_until != INT64_MAX && fu__pl_local_day_of(g->cx.zone, t, &day) == FU_OK && day > z->data_until) {
        *until = z->data_until;
        return z->name;
    }
    if (business && b && b->data_until != INT64_MAX && fu_calendar_utc_offset(b->cal, t, &off) == FU_OK &&
        fu__pl_floordiv(t + off, DAY) > b->data_until) {
        *until = b->data_until;
        return b->name;
    }
    return NULL;
}
