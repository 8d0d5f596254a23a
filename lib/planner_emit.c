/* The plan's rows of one customer's contacts: their touchpoints with the
 * reasons in words (what made each member due and what moved it). Part of
 * fu_planner (lib/planner_internal.h); moved out of lib/planner.c. */
#include "planner_internal.h"
#include "planner_clv.h"

#include <stdarg.h>

/* "YYYY-MM-DD HH:MM" in the customer's local time (buf: at least 17 bytes). */
static void fmt_date(const pl_cust *cx, int64_t t, char *buf) {
    int off = 0;
    fu_calendar_utc_offset(cx->zone->cal, t, &off);
    int64_t local = t + off, day = fu__pl_floordiv(local, DAY);
    int sod = (int)(local - day * DAY);
    fu_date dt;
    if (fu_date_from_days(day, &dt) || dt.year < 1 || dt.year > 9999) {
        fu_error_clear();
        strcpy(buf, "?");
        return;
    }
    int v[5] = {dt.year, dt.month, dt.day, sod / 3600, sod / 60 % 60};
    char *p = buf;
    p[0] = (char)('0' + v[0] / 1000), p[1] = (char)('0' + v[0] / 100 % 10), p[2] = (char)('0' + v[0] / 10 % 10);
    p[3] = (char)('0' + v[0] % 10);
    p += 4;
    static const char sep[] = "-- :";
    for (int i = 1; i < 5; i++) {
        *p++ = sep[i - 1];
        *p++ = (char)('0' + v[i] / 10);
        *p++ = (char)('0' + v[i] % 10);
    }
    *p = '\0';
}

/* fu__buf_puts() without the call while the buffer has room (reasons are
 * written for every touchpoint). */
static inline void put(fu__buf *b, const char *s) {
    size_t n = strlen(s);
    if (b->failed || b->len + n >= b->cap) {
        fu__buf_append(b, s, n);
        return;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

/* Append n strings (no printf: reasons are written for every touchpoint). */
static void puts_n(fu__buf *b, int n, ...) {
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++) put(b, va_arg(ap, const char *));
    va_end(ap);
}

static void buf_reset(fu__buf *b) {
    b->len = 0;
    b->failed = 0;
    if (b->data) b->data[0] = '\0';
}

/* The calendar a touchpoint depends on whose official data ends before its
 * window (or its late instant) does: the holidays of the customer's zone
 * when they hold it back, the policy calendar of working-day and
 * business-time steps. NULL when none; *day the local day it reaches. */
static const fu__pol_calendar *expired_calendar(fu_planner *pl, const pl_cust *cx, const pl_group *g, int64_t best,
                                                int64_t *day) {
    int64_t end = best > g->to ? best : g->to;
    const fu__pol_calendar *z = cx->zone->hol;
    if (z && z->data_until != INT64_MAX && fu__pl_holidays_apply(pl, cx, g) && fu__pl_local_day_of(cx->zone, end, day) == FU_OK &&
        *day > z->data_until)
        return z;
    const fu__pol_calendar *b = pl->bcal;
    if (b->data_until == INT64_MAX) return NULL;
    for (int k = 0; k < g->n; k++) {
        const fu__pol_step *st = pl->cand[pl->gm[g->first + k]].step;
        int bus = st->at.unit == FU_DURATION_WORKING_DAYS || st->at.unit == FU_DURATION_BUSINESS_SECONDS ||
                  st->within.unit == FU_DURATION_WORKING_DAYS || st->within.unit == FU_DURATION_BUSINESS_SECONDS;
        int off = 0;
        if (bus && fu_calendar_utc_offset(b->cal, end, &off) == FU_OK && (*day = fu__pl_floordiv(end + off, DAY)) > b->data_until)
            return b;
    }
    return NULL;
}

/* The touchpoint of a contact, its texts in the planner's buffers, into the plan. */
static int emit_push(fu_planner *pl, fu_plan *plan, const pl_cust *cx, const pl_group *g, int status,
                     const char *status_rule, int64_t best, int64_t trigger, const char *order, uint32_t oid) {
    fu__buf *purpose = &pl->b_purpose, *rule = &pl->b_rule, *reason = &pl->b_reason;
    int rc = FU_OK;
    if (purpose->failed || rule->failed || reason->failed) rc = fu__error_nomem();
    fu_touchpoint tp;
    memset(&tp, 0, sizeof tp);
    if (!rc) {
        tp.customer = cx->index;
        tp.customer_id = cx->c->id;
        tp.due_from = g->from;
        tp.due_to = g->to;
        tp.best_at = best;
        tp.trigger_at = trigger;
        tp.channel = (fu_channel)g->channel;
        tp.priority = (fu_priority)g->priority;
        tp.status = (fu_touchpoint_status)status;
        tp.purposes = (unsigned)g->n;
        if (g->n == 1) { /* borrowed from the policy */
            const pl_cand *c = &pl->cand[pl->gm[g->first]];
            tp.purpose = c->step->purpose ? c->step->purpose : c->step->name;
            tp.rule = c->step->rule;
        } else {
            tp.purpose = fu__pl_intern(&pl->texts, &plan->arena, purpose->data ? purpose->data : "", purpose->len);
            tp.rule = fu__pl_intern(&pl->texts, &plan->arena, rule->data ? rule->data : "", rule->len);
        }
        tp.reason = fu__arena_strndup(&plan->arena, reason->data ? reason->data : "", reason->len);
        tp.status_rule = status_rule ? status_rule : "";
        /* a zone's holiday rule belongs to the planner: the plan keeps a copy */
        if (status_rule && status_rule == cx->zone->hol_rule)
            tp.status_rule = fu__arena_strndup(&plan->arena, status_rule, strlen(status_rule));
        tp.order_id = order ? order : ""; /* book strings live as long as the book */
        tp.owner = "";
        for (int k = 0; k < g->n && !*tp.owner; k++) { /* a step's team (policy), else a promise's owner */
            const pl_cand *c = &pl->cand[pl->gm[g->first + k]];
            if (c->step->team) tp.owner = c->step->team;
            else if (c->promise && *c->promise->owner)
                tp.owner = fu__arena_strndup(&plan->arena, c->promise->owner, strlen(c->promise->owner));
        }
        if (!tp.purpose || !tp.rule || !tp.reason || !tp.order_id || !tp.status_rule || !tp.owner)
            rc = fu__error_nomem();
    }
    /* the agent step reads what the contact is from here, not from its reason (review r3 L7) */
    uint8_t flag = g->redial_rule && g->redial_callback && status != FU_TOUCHPOINT_SUPPRESSED ? PL_TP_ASKED : 0;
    if (!rc) rc = fu__pl_plan_push(plan, &tp, (uint16_t)(cx->zone - pl->zones), oid, flag);
    return rc;
}

/* What made one member of a contact due, and what adjusted it, in words. */
static void member_reason(fu_planner *pl, const pl_cust *cx, const pl_cand *c, fu__buf *reason) {
    char d[24];
    fmt_date(cx, c->trigger, d);
    switch (c->cad->trigger) {
    case FU__TRIGGER_EVENT:
        if (strcmp(c->cad->name, fu_event_kind_name(c->ev->kind)) != 0) puts_n(reason, 2, c->cad->name, ": ");
        puts_n(reason, 3, fu_event_kind_name(c->ev->kind), " on ", d);
        if (c->order) puts_n(reason, 3, " (order ", fu__pl_pl_str(pl, c->order), ")");
        if ((c->flags & (F_OVERDUE | F_CALLBACK)) == F_OVERDUE)
            put(reason, ", overdue: its window passed without a contact, due from now");
        if (c->ev->kind == FU_EVENT_SURVEY && isfinite(c->ev->score)) /* the answer that triggered it */
            fu__buf_printf(reason, ", %s score %g", fu_survey_name(c->ev->survey), (double)c->ev->score);
        break;
    case FU__TRIGGER_LIFECYCLE:
        puts_n(reason, 8, c->cad->name, ": ", fu__pol_lifecycle_name(cx->lifecycle), " since ", d, " (",
               cx->lifecycle_rule, ")");
        break;
    case FU__TRIGGER_EVERY:
        puts_n(reason, 3, c->cad->name, ": due ", d);
        if (c->flags & F_OVERDUE) put(reason, ", overdue");
        break;
    case FU__TRIGGER_CYCLE:
        fu__buf_printf(reason, "%s: %.0f%% of a %.1f-day cycle (%s) on %s", c->cad->name, c->cad->cycle * 100,
                       c->cycle_days,
                       (c->flags & F_CYCLE_OWN) ? "own purchases"
                       : (c->flags & F_CYCLE_TIER) ? "tier mean"
                                                   : "default",
                       d);
        break;
    case FU__TRIGGER_PROMISE: {
        const fu__promise *p = c->promise;
        char dl[24];
        fmt_date(cx, p->deadline, dl);
        fu__buf_printf(reason, "%s: promise #%lld \"%s\"", c->cad->name, (long long)p->id, p->text);
        if (*p->category) puts_n(reason, 2, ", ", p->category);
        if (*p->owner) puts_n(reason, 2, ", owner ", p->owner);
        puts_n(reason, 2, ", due ", dl);
        if (c->cad->promise == FU__PROMISE_FULFILLED) puts_n(reason, 2, ", fulfilled on ", d);
        if (c->cad->promise == FU__PROMISE_BREACHED) {
            fmt_date(cx, p->breach_at, dl);
            puts_n(reason, 2, ", breached on ", dl);
            if (c->flags & F_OVERDUE) put(reason, ", still unresolved: overdue, due from now");
        }
        break;
    }
    }
    if (c->flags & F_CALLBACK)
        put(reason, (c->flags & F_OVERDUE) ? ", the call-back the customer asked for, overdue: due from now"
                                                    : ", the call-back the customer asked for after the step's window");
    if (c->flags & F_EARLY) {
        char e[24];
        fmt_date(cx, c->own_from, e);
        puts_n(reason, 3, ", due from ", e, ", served early by the urgent call of its order (caps.min_gap)");
    }
    if (c->step->team) puts_n(reason, 2, ", by the team ", c->step->team);
    if (c->flags & F_RECOVERY) puts_n(reason, 3, ", service recovery (", c->supp_rule, ")");
    if (c->flags & F_TRIMMED) puts_n(reason, 3, ", window trimmed (", c->supp_rule, ")");
    if (c->flags & F_MOVED) puts_n(reason, 2, ", moved past ", c->supp_rule);
    if (c->flags & F_CLV) fu__clv_reason(pl->clv, cx->index, c->clv_channel, c->orig_channel, reason);
    if (c->flags & F_FALLBACK_CH)
        puts_n(reason, 7, ", ", fu_channel_name(c->channel), " instead of ", fu_channel_name(c->orig_channel), " (",
               fu__pl_consent_rule(c->orig_channel), ")");
}

int fu__pl_emit(fu_planner *pl, fu_plan *plan, const pl_cust *cx, const pl_group *g, int status,
                const char *status_rule, int64_t best) {
    fu__buf *purpose = &pl->b_purpose, *rule = &pl->b_rule, *reason = &pl->b_reason;
    buf_reset(purpose);
    buf_reset(rule);
    buf_reset(reason);
    char d[24];
    int64_t trigger = INT64_MAX;
    const char *order = NULL;
    uint32_t oid = 0;
    for (int k = 0; k < g->n; k++) {
        const pl_cand *c = &pl->cand[pl->gm[g->first + k]];
        if (c->trigger < trigger) trigger = c->trigger;
        if (!order && c->order) {
            order = fu__pl_pl_str(pl, c->order);
            oid = c->order;
        }
        if (k) {
            put(purpose, "; ");
            put(rule, "; ");
            put(reason, "; ");
        }
        if (g->n > 1) { /* a single touchpoint borrows both from the policy */
            put(purpose, c->step->purpose ? c->step->purpose : c->step->name);
            put(rule, c->step->rule);
        }
        member_reason(pl, cx, c, reason);
    }
    if (g->n > 1 && g->n < 10) { /* without printf: the common counts */
        char num[2] = {(char)('0' + g->n), '\0'};
        puts_n(reason, 3, "; ", num, " touchpoints merged into one contact");
    } else if (g->n > 1)
        fu__buf_printf(reason, "; %d touchpoints merged into one contact", g->n);
    if (status == FU_TOUCHPOINT_PLANNED && g->moved_by_cap) puts_n(reason, 2, "; held back by ", g->block_rule);
    if (g->redial_rule && status != FU_TOUCHPOINT_SUPPRESSED) {
        fmt_date(cx, g->redial_at, d);
        puts_n(reason, 6, "; redial after ", fu_outcome_name(g->redial_outcome), " on ", d, " (", g->redial_rule);
        put(reason, g->redial_callback ? ", at the requested time)" : ")");
    }
    if (g->late_rule && best > g->to) {
        int quiet = strcmp(g->late_rule, "quiet_hours.allowed") == 0; /* review s8 F8 */
        int biz = strcmp(g->late_rule, "calendars.hours") == 0;     /* a business customer's hours */
        fmt_date(cx, best, d);
        puts_n(reason, 5,
               quiet ? "; late: quiet hours close the window ("
                     : biz ? "; late: business hours close the window (" : "; late: holidays close the window (",
               g->late_rule, "), made at the first allowed instant ", d,
               quiet ? " (quiet_hours.exempt does not name the priority)"
                     : biz ? " (neither quiet_hours.exempt nor .on_holidays names the priority)"
                           : " (quiet_hours.on_holidays does not name the priority)");
    }
    if (g->on_holiday && status != FU_TOUCHPOINT_SUPPRESSED)
        puts_n(reason, 3, "; on a holiday (", cx->zone->hol_rule ? cx->zone->hol_rule : "holidays",
               ", allowed by quiet_hours.on_holidays)");
    if (status == FU_TOUCHPOINT_PLANNED && g->bt_p >= 0)
        fu__buf_printf(reason, "; best hour by answer rate (%.0f%%)", (double)g->bt_p * 100.0);
    int64_t xday = 0;
    const fu__pol_calendar *xcal = expired_calendar(pl, cx, g, best, &xday);
    if (xcal) {
        fu_date u, r;
        if (fu_date_from_days(xcal->data_until, &u) || fu_date_from_days(xday, &r)) {
            fu_error_clear();
            memset(&u, 0, sizeof u);
            memset(&r, 0, sizeof r);
        }
        if (pl->opt.flags & FU_PLANNER_STRICT_CALENDAR)
            return fu__error_set(FU_ERANGE,
                                 "calendar %s has official holidays only until %04d-%02d-%02d; a touchpoint of "
                                 "customer %s (%s) reaches %04d-%02d-%02d: add the next year's notice to the "
                                 "policy (calendars.%s.holidays, docs/calendar.md)",
                                 xcal->name, u.year, u.month, u.day, cx->c->id,
                                 pl->cand[pl->gm[g->first]].step->rule, r.year, r.month, r.day, xcal->name);
        plan->stats.calendar_expired++;
        fu__buf_printf(reason, "; calendar %s has official holidays only until %04d-%02d-%02d (calendars.%s.data_until)",
                       xcal->name, u.year, u.month, u.day, xcal->name);
    }
    if (status == FU_TOUCHPOINT_LATER && status_rule)
        puts_n(reason, 3, "; after the horizon (", status_rule, "): a later run plans it");
    else if (status != FU_TOUCHPOINT_PLANNED && status_rule)
        puts_n(reason, 4, "; ", fu_touchpoint_status_name(status), " by ", status_rule);
    return emit_push(pl, plan, cx, g, status, status_rule, best, trigger, order, oid);
}

/* A suppressed or deferred candidate on its own (not merged). */
int fu__pl_emit_single(fu_planner *pl, fu_plan *plan, const pl_cust *cx, int ci, int status) {
    if (pl->gm_cap < pl->ncand + 1 && fu__grow((void **)&pl->gm, &pl->gm_cap, pl->ncand + 1, sizeof *pl->gm))
        return FU_ENOMEM;
    const pl_cand *c = &pl->cand[ci];
    pl_group g;
    memset(&g, 0, sizeof g);
    g.bt_p = -1;
    g.from = c->from;
    g.to = c->to;
    g.channel = c->channel;
    g.priority = c->priority;
    g.n = 1;
    g.first = (int)pl->ncand; /* a spare slot after the active members */
    pl->gm[pl->ncand] = ci;
    int64_t best = c->from > cx->now ? c->from : cx->now;
    return fu__pl_emit(pl, plan, cx, &g, status, c->status_rule, best);
}

