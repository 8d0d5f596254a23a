/* The planner's limits: consent, CLV, suppressions, caps, merging, placing in time, redial.
 * Part of fu_planner (lib/planner_internal.h). */
#include "planner_internal.h"

/* ---------------------------------------------------------------- limits */

int fu__pl_consent_of(const fu_customer *c, int ch) {
    switch (ch) {
    case FU_CHANNEL_PHONE:
    case FU_CHANNEL_VIDEO: return c->consent_phone;
    case FU_CHANNEL_SMS:
    case FU_CHANNEL_CHAT: return c->consent_sms;
    case FU_CHANNEL_EMAIL: return c->consent_email;
    default: return FU_TRI_UNKNOWN;
    }
}

const char *fu__pl_consent_rule(int ch) {
    switch (ch) {
    case FU_CHANNEL_PHONE:
    case FU_CHANNEL_VIDEO: return "customer.consent_phone";
    case FU_CHANNEL_SMS:
    case FU_CHANNEL_CHAT: return "customer.consent_sms";
    default: return "customer.consent_email";
    }
}

/* channels.by_clv: the customer's CLV decides human vs automated. */
void fu__pl_apply_clv(const fu_planner *pl, const pl_cust *cx, pl_cand *c) {
    int applies = 0, ch = fu__clv_channel(pl->clv, pl->P, cx->index, c->channel, c->priority, &applies);
    if (!applies) return;
    c->flags |= F_CLV;
    c->clv_channel = c->channel;
    c->channel = c->orig_channel = (uint8_t)ch;
}

void fu__pl_apply_consent(const pl_cust *cx, pl_cand *c) {
    if (fu__pl_consent_of(cx->c, c->channel) != FU_TRI_NO) return;
    static const uint8_t fallback[] = {FU_CHANNEL_PHONE, FU_CHANNEL_SMS, FU_CHANNEL_EMAIL};
    for (size_t i = 0; i < sizeof fallback; i++)
        if (fallback[i] != c->channel && fu__pl_consent_of(cx->c, fallback[i]) != FU_TRI_NO) {
            c->channel = fallback[i];
            c->flags |= F_FALLBACK_CH;
            return;
        }
    c->status = C_SUPPRESSED;
    c->status_rule = fu__pl_consent_rule(c->channel);
}

/* The period of date i of `dates` suppression s in local year y: [local
 * midnight of the date - before, that midnight); 0 when the year lacks the
 * date or the calendar refuses it. */
static int date_period(fu_planner *pl, const fu_calendar *cal, const fu__pol_suppression *s, int y, size_t i,
                       int64_t *start, int64_t *end) {
    fu_local d = {0};
    d.year = y;
    d.month = s->month_days[i] / 100;
    d.day = s->month_days[i] % 100;
    if (d.day > fu__pl_days_in_month(y, d.month)) return 0;
    if (fu_calendar_from_local(cal, &d, 0, end)) return 0;
    fu_duration neg = s->before;
    neg.value = -neg.value;
    return fu__pl_add_dur_i(pl, cal, *end, &neg, 0, start) == FU_OK;
}

static int sd_cache = 1; /* fu__pl_supp_dates_cache() */

void fu__pl_supp_dates_cache(int on) { sd_cache = on; }

/* The cached periods of `dates` suppression si in calendar cal for the
 * local years y and y + 1 (made on a miss); NULL when not cached (too many
 * dates, the cache off or not allocated: the caller makes them). */
static const pl_supp_dates *dates_cached(fu_planner *pl, const fu_calendar *cal, size_t si, int y) {
    const fu__pol_suppression *s = &pl->P->suppressions[si];
    if (!sd_cache || s->n_month_days > PL_SD_DATES) return NULL;
    if (!pl->sdates && !(pl->sdates = fu__calloc(PL_SD_SLOTS, sizeof *pl->sdates))) {
        fu_error_clear(); /* answered without the cache */
        return NULL;
    }
    uint64_t h = ((uint64_t)(uintptr_t)cal >> 4) * 31 + si * 7 + (uint64_t)(uint32_t)y;
    pl_supp_dates *e = &pl->sdates[(h * UINT64_C(0x9E3779B97F4A7C15)) >> 59]; /* 32 slots */
    if (e->cal == cal && e->si == si && e->year == y) return e;
    e->cal = cal;
    e->si = si;
    e->year = y;
    e->n = 0;
    for (int yy = y; yy <= y + 1; yy++)
        for (size_t i = 0; i < s->n_month_days; i++)
            if (date_period(pl, cal, s, yy, i, &e->a[e->n], &e->b[e->n])) e->n++;
    return e;
}

/* The suppression period [a, b) around `t`, if `t` is in one; 1 yes, 0 no. */
static int supp_period(fu_planner *pl, const pl_cust *cx, size_t si, int64_t t, int64_t *a, int64_t *b) {
    const fu__pol_suppression *s = &pl->P->suppressions[si];
    const fu_calendar *cal = cx->zone->cal;
    fu_local l;
    switch (s->kind) {
    case FU__SUPP_RECENT_EVENT: {
        int k = pl->supp_kind[si];
        if (k < 0 || cx->last_at[k] == FU_BOOK_NO_TIME) return 0;
        /* an issue closed since (a later `resolved` event) is no longer active */
        if (s->action == FU__ACTION_SKIP_ROUTINE && cx->last_at[FU_EVENT_RESOLVED] != FU_BOOK_NO_TIME &&
            cx->last_at[FU_EVENT_RESOLVED] >= cx->last_at[k])
            return 0;
        int64_t end;
        if (fu__pl_add_dur_i(pl, cal, cx->last_at[k], &s->within, 0, &end)) return 0;
        if (t < cx->last_at[k] || t >= end) return 0;
        *a = cx->last_at[k];
        *b = end;
        return 1;
    }
    case FU__SUPP_DATES: {
        if (fu_calendar_to_local(cal, t, &l)) return 0;
        const pl_supp_dates *e = dates_cached(pl, cal, si, l.year);
        if (e) {
            for (int i = 0; i < e->n; i++)
                if (t >= e->a[i] && t < e->b[i]) {
                    *a = e->a[i];
                    *b = e->b[i];
                    return 1;
                }
            return 0;
        }
        for (int y = l.year; y <= l.year + 1; y++)
            for (size_t i = 0; i < s->n_month_days; i++) {
                int64_t end, start;
                if (date_period(pl, cal, s, y, i, &start, &end) && t >= start && t < end) {
                    *a = start;
                    *b = end;
                    return 1;
                }
            }
        return 0;
    }
    case FU__SUPP_MONTH_END: {
        if (fu_calendar_to_local(cal, t, &l)) return 0;
        int dim = fu__pl_days_in_month(l.year, l.month);
        if (l.day <= dim - s->last_days) return 0;
        fu_local d = {0};
        d.year = l.year;
        d.month = l.month;
        d.day = dim - s->last_days + 1;
        if (fu_calendar_from_local(cal, &d, 0, a)) return 0;
        d.day = 1;
        d.month = l.month == 12 ? 1 : l.month + 1;
        d.year = l.month == 12 ? l.year + 1 : l.year;
        if (fu_calendar_from_local(cal, &d, 0, b)) return 0;
        return 1;
    }
    }
    return 0;
}

void fu__pl_apply_suppressions(fu_planner *pl, const pl_cust *cx, pl_cand *c) {
    const fu__policy *P = pl->P;
    for (size_t si = 0; si < P->n_suppressions && c->status == C_ACTIVE; si++) {
        const fu__pol_suppression *s = &P->suppressions[si];
        if (c->priority == FU_PRIORITY_URGENT) return; /* urgency overrides routine rules */
        int routine = c->priority >= FU_PRIORITY_NORMAL;
        if (s->action != FU__ACTION_DEFER && !routine) continue;
        if (s->kind == FU__SUPP_RECENT_EVENT && pl->supp_kind[si] >= 0 && c->cad->trigger == FU__TRIGGER_EVENT &&
            pl->cad_kind[c->cad - P->cadences] == pl->supp_kind[si])
            continue; /* the cadence of the suppressing event itself */
        if (!fu__pl_when_customer(pl, cx, &s->when)) continue;
        int64_t probe = c->from > cx->now ? c->from : cx->now, a, b;
        if (!supp_period(pl, cx, si, probe, &a, &b)) continue;
        switch (s->action) {
        case FU__ACTION_SERVICE_RECOVERY:
            c->priority = FU_PRIORITY_HIGH;
            c->flags |= F_RECOVERY;
            c->supp_rule = s->rule;
            break;
        case FU__ACTION_SKIP_ROUTINE:
            if (c->to < b) {
                c->status = C_SUPPRESSED;
                c->status_rule = s->rule;
            } else {
                c->from = b;
                c->flags |= F_TRIMMED;
                c->supp_rule = s->rule;
            }
            break;
        case FU__ACTION_DEFER: {
            int64_t len = c->to - c->from;
            c->from = b;
            if (c->to < b + len) c->to = b + len;
            c->flags |= F_MOVED;
            c->supp_rule = s->rule;
            if (c->from >= cx->end) {
                c->status = C_DEFERRED;
                c->status_rule = s->rule;
            }
            break;
        }
        }
    }
}

/* Whether a suppression that holds contacts off (`defer`, or `skip_routine`
 * for a normal or low group) applies to group g at `at`, an instant it was
 * moved to after the suppressions were asked (caps, quiet hours: review s9
 * F23); 1 skip_routine, 2 defer, 0 none; *until the period's end, *rule. */
static int supp_at(fu_planner *pl, const pl_cust *cx, const pl_group *g, int64_t at, int64_t *until,
                   const char **rule) {
    const fu__policy *P = pl->P;
    if (g->priority == FU_PRIORITY_URGENT) return 0;
    for (size_t si = 0; si < P->n_suppressions; si++) {
        const fu__pol_suppression *s = &P->suppressions[si];
        if (s->action == FU__ACTION_SERVICE_RECOVERY) continue;
        if (s->action == FU__ACTION_SKIP_ROUTINE && g->priority < FU_PRIORITY_NORMAL) continue;
        int own = 0; /* the cadence of the suppressing event itself */
        for (int k = 0; k < g->n && s->kind == FU__SUPP_RECENT_EVENT && pl->supp_kind[si] >= 0; k++) {
            const pl_cand *c = &pl->cand[pl->gm[g->first + k]];
            own |= c->cad->trigger == FU__TRIGGER_EVENT && pl->cad_kind[c->cad - P->cadences] == pl->supp_kind[si];
        }
        int64_t a;
        if (own || !fu__pl_when_customer(pl, cx, &s->when) || !supp_period(pl, cx, si, at, &a, until)) continue;
        *rule = s->rule;
        return s->action == FU__ACTION_DEFER ? 2 : 1;
    }
    return 0;
}

/* Cap window start for a contact at t: t - per (months in local time). */
static int64_t cap_back(fu_planner *pl, const pl_cust *cx, const fu__pol_cap *k, int64_t t) {
    if (k->per.unit == FU_DURATION_SECONDS) return t - k->per.value;
    int64_t r;
    fu_duration neg = k->per;
    neg.value = -neg.value;
    if (fu__pl_add_dur_i(pl, cx->zone->cal, t, &neg, 0, &r)) return t - fu__pl_dur_bound(&k->per);
    return r;
}

static int64_t cap_fwd(fu_planner *pl, const pl_cust *cx, const fu__pol_cap *k, int64_t t) {
    if (k->per.unit == FU_DURATION_SECONDS) return t + k->per.value;
    int64_t r;
    if (fu__pl_add_dur_i(pl, cx->zone->cal, t, &k->per, 0, &r)) return t + fu__pl_dur_bound(&k->per);
    return r;
}

static int shares_order(const pl_contact *c, const uint32_t *orders, int n) {
    for (int i = 0; i < c->norders; i++)
        for (int j = 0; j < n; j++)
            if (c->orders[i] == orders[j]) return 1;
    return 0;
}

/* Whether a contact counts for cap `k`: its channel and, when the cap names
 * priorities, its priority. Exempt contacts count (the customer got them).
 * A cap with `counts: reached` also skips the unanswered attempts (the
 * callers test pl_contact.attempt). */
static int cap_counts(const fu__pol_cap *k, int channel, int prio) {
    if (k->channels && !(k->channels & (1u << (channel - 1)))) return 0;
    if (k->priorities) return (int)((k->priorities >> prio) & 1u);
    return 1;
}

/* Whether cap `k` holds a contact back: it counts, and is not exempt or
 * the cap is a ceiling the exempt priorities obey too (holds_exempt). */
static int cap_holds(const fu__pol_cap *k, int exempt, int channel, int prio) {
    return (!exempt || k->holds_exempt) && cap_counts(k, channel, prio);
}

/* Whether the customer is within a cap's tenure_under at t: a first
 * purchase less than that long ago, or none yet (a prospect is held as the
 * lifecycle stage `new` holds one). A cap without tenure_under holds
 * everyone. */
static int cap_tenure(fu_planner *pl, const pl_cust *cx, const fu__pol_cap *k, int64_t t) {
    if (k->tenure_under.value <= 0) return 1;
    if (cx->first_purchase == FU_BOOK_NO_TIME || cx->first_purchase > t) return 1;
    int64_t until;
    if (fu__pl_add_dur_i(pl, cx->zone->cal, cx->first_purchase, &k->tenure_under, 0, &until)) return 1;
    return t < until;
}

static int is_call_channel(int ch) { return ch == FU_CHANNEL_PHONE || ch == FU_CHANNEL_VIDEO; }


/* Survey fatigue: a contact asking for a survey answer at t, with the survey
 * answers and survey contacts of the customer, keeps at most `max` in any
 * window of length `per`. 1 and *retry when it does not. */
static int survey_cap_blocks(fu_planner *pl, const pl_cust *cx, const fu__pol_cap *k, int64_t t, int64_t *retry) {
    int64_t lo = cap_back(pl, cx, k, t), hi = cap_fwd(pl, cx, k, t), oldest[64], last_after = INT64_MIN;
    int in = 0, after = 0;
    for (size_t i = 0; i < pl->nst; i++) {
        int64_t s = pl->stimes[i];
        if (s > lo && s <= t && in < 64) oldest[in++] = s;
        if (s > t && s < hi) {
            after++;
            if (s > last_after) last_after = s;
        }
    }
    if (in + 1 > k->max) {
        if (in > 1) qsort(oldest, (size_t)in, sizeof oldest[0], fu__pl_compare_i64);
        *retry = cap_fwd(pl, cx, k, oldest[in + 1 - k->max - 1]) + 1;
        return 1;
    }
    if (in + 1 + after > k->max) {
        *retry = cap_fwd(pl, cx, k, last_after) + 1;
        return 1;
    }
    return 0;
}

/* Whether every member of group g is a step that asks for a survey answer. */
static int group_all_survey(const fu_planner *pl, const pl_group *g) {
    for (int k = 0; k < g->n; k++)
        if (!pl->cand[pl->gm[g->first + k]].step->survey) return 0;
    return 1;
}

/* Whether `rule` is that of a cap with scope survey (survey fatigue). */
static int survey_rule(const fu__policy *P, const char *rule) {
    for (size_t ki = 0; ki < P->n_caps; ki++)
        if (P->caps[ki].scope == FU__SCOPE_SURVEY && P->caps[ki].rule == rule) return 1;
    return 0;
}

/* NULL when a contact of group g at t keeps every cap; else the rule that
 * blocks it and in *retry the earliest later instant worth trying. */
const char *fu__pl_cap_check(fu_planner *pl, const pl_cust *cx, const pl_group *g, int64_t t, int64_t *retry) {
    const fu__policy *P = pl->P;
    int exempt = g->exempt || prio_exempt(P, g->priority);
    int per_day = pl->guard_per_day ? (pl->guard_per_day < 0 ? 0 : pl->guard_per_day) : P->redial.per_day;
    if (!exempt && per_day && is_call_channel(g->channel)) { /* call attempts per local day */
        int64_t day, d2;
        int n = 0;
        if (fu__pl_local_day_of(cx->zone, t, &day) == FU_OK) {
            for (size_t i = 0; i < pl->nct; i++) /* zone offsets only for calls within a day or so */
                if (is_call_channel(pl->ct[i].channel) && pl->ct[i].at > t - 2 * DAY && pl->ct[i].at < t + 2 * DAY &&
                    fu__pl_local_day_of(cx->zone, pl->ct[i].at, &d2) == FU_OK && d2 == day)
                    n++;
            if (n >= per_day) {
                int off = 0;
                fu_calendar_utc_offset(cx->zone->cal, t, &off);
                *retry = (day + 1) * DAY - off;
                return "redial.attempts_per_day";
            }
        }
    }
    int64_t gap = exempt ? 0 : fu__pl_dur_seconds_approx(&P->min_gap);
    if (gap > 0) {
        int64_t r = INT64_MIN;
        for (size_t i = 0; i < pl->nct; i++) {
            const pl_contact *c = &pl->ct[i];
            if (c->attempt == PL_ATTEMPT || (c->attempt == PL_CALLBACK && g->redial_callback)) continue;
            if ((c->at > t - gap && c->at <= t) || (c->at > t && c->at < t + gap && !c->exempt))
                if (c->at + gap > r) r = c->at + gap;
        }
        if (r != INT64_MIN) {
            *retry = r;
            return "caps.min_gap";
        }
    }
    int64_t last_at = INT64_MIN; /* no contact after t: none can break a cap later */
    for (size_t i = 0; i < pl->nct; i++)
        if (pl->ct[i].at > last_at) last_at = pl->ct[i].at;
    for (size_t ki = 0; ki < P->n_caps; ki++) {
        const fu__pol_cap *k = &P->caps[ki];
        if (!cap_holds(k, exempt, g->channel, g->priority)) continue;
        if (k->scope == FU__SCOPE_ORDER && !g->norders) continue;
        if (!fu__pl_when_customer(pl, cx, &k->when) || !cap_tenure(pl, cx, k, t)) continue;
        if (k->scope == FU__SCOPE_SURVEY) {
            if (g->survey && survey_cap_blocks(pl, cx, k, t, retry)) return k->rule;
            continue;
        }
        /* contacts counting for k: before (t - per, t] */
        int64_t lo = cap_back(pl, cx, k, t);
        int in = 0;
        int64_t oldest[64];
        for (size_t i = 0; i < pl->nct; i++) {
            const pl_contact *c = &pl->ct[i];
            if (!cap_counts(k, c->channel, c->priority) || (k->counts && c->attempt == PL_ATTEMPT)) continue;
            if (k->scope == FU__SCOPE_ORDER && !shares_order(c, g->orders, g->norders)) continue;
            if (c->at > lo && c->at <= t && in < 64) oldest[in++] = c->at;
        }
        if (in + 1 > k->max) {
            if (in > 1) qsort(oldest, (size_t)in, sizeof oldest[0], fu__pl_compare_i64);
            *retry = cap_fwd(pl, cx, k, oldest[in + 1 - k->max - 1]) + 1;
            return k->rule;
        }
        /* later contacts that would now break the cap */
        if (last_at <= t) continue;
        int64_t hi = cap_fwd(pl, cx, k, t);
        for (size_t i = 0; i < pl->nct; i++) {
            const pl_contact *c = &pl->ct[i];
            if (c->at <= t || c->at >= hi || !cap_holds(k, prio_exempt(P, c->priority), c->channel, c->priority) ||
                (k->counts && c->attempt == PL_ATTEMPT))
                continue;
            if (k->scope == FU__SCOPE_ORDER && !shares_order(c, g->orders, g->norders)) continue;
            int64_t clo = cap_back(pl, cx, k, c->at);
            int cnt = 1;
            for (size_t j = 0; j < pl->nct; j++) {
                const pl_contact *d = &pl->ct[j];
                if (d->at > clo && d->at <= c->at && cap_counts(k, d->channel, d->priority) &&
                    !(k->counts && d->attempt == PL_ATTEMPT) && (k->scope != FU__SCOPE_ORDER || shares_order(d, g->orders, g->norders)))
                    cnt++;
            }
            if (cnt > k->max) {
                *retry = c->at + 1;
                if (cap_fwd(pl, cx, k, c->at) > *retry) *retry = hi; /* past its window entirely */
                return k->rule;
            }
        }
    }
    return NULL;
}

/* ---------------------------------------------------------------- fu__pl_merge + fu__pl_place */

int fu__pl_grp_cmp(const void *a, const void *b) {
    const pl_group *x = a, *y = b;
    if (x->exempt != y->exempt) return x->exempt ? -1 : 1;
    if (x->to != y->to) return x->to < y->to ? -1 : 1;
    if (x->priority != y->priority) return x->priority < y->priority ? -1 : 1;
    return x->first - y->first; /* fu__pl_merge order: a step's group before the one that comes `after` it */
}

/* Whether candidate x must not join the members m[0..n): one of them is the
 * contact it comes after, or comes after it. */
static int dep_conflict(const pl_cand *cand, const int *m, size_t n, int x) {
    for (size_t i = 0; i < n; i++)
        if (cand[x].dep == m[i] || cand[m[i]].dep == x) return 1;
    return 0;
}

static int cand_idx_cmp(const void *a, const void *b, const pl_cand *cand) {
    const pl_cand *x = &cand[*(const int *)a], *y = &cand[*(const int *)b];
    if (x->to != y->to) return x->to < y->to ? -1 : 1;
    if (x->from != y->from) return x->from < y->from ? -1 : 1;
    return *(const int *)a - *(const int *)b;
}

static int channel_rank(int ch) {
    static const int r[] = {0, 4, 2, 1, 3, 5, 6}; /* none, phone, sms, email, chat, video, visit */
    return ch >= 0 && ch < FU_CHANNEL_COUNT ? r[ch] : 0;
}

/* The first instant of [max(from, now), to] the policy and the customer allow
 * a contact of priority `prio` (quiet hours, do-not-disturb, holidays as
 * fu__pl_place() sees them); 1 and *at, 0 none, < 0 an error. */
static int first_allowed(fu_planner *pl, const pl_cust *cx, int prio, int64_t from, int64_t to, int64_t *at) {
    pl_group g;
    memset(&g, 0, sizeof g);
    g.priority = (uint8_t)prio;
    if (from < cx->now) from = cx->now;
    if (from > to) return 0;
    return fu__pl_next_allowed(cx->zone, FU__PL_BITS(pl, cx->mask, prio, 0), fu__pl_holidays_apply(pl, cx, &g), from, to, at);
}

static int place_closed(const pl_cust *cx, pl_group *g, const uint64_t *base, int holidays, int ex, int64_t t,
                        int64_t *out, const char **why);

/* The instant a contact of priority `prio` due [from, to] gets on its own:
 * the first allowed instant of the window (first_allowed()), else the first
 * one after it when quiet hours or holidays alone close the window (made
 * late, as fu__pl_place() makes it: review s8 F8). 1 and *at, 0 none (the
 * customer's do-not-disturb windows, nothing within 62 days), < 0 an error. */
static int own_instant(fu_planner *pl, const pl_cust *cx, int prio, int64_t from, int64_t to, int64_t *at) {
    int q = first_allowed(pl, cx, prio, from, to, at);
    if (q != 0) return q;
    pl_group g;
    memset(&g, 0, sizeof g);
    g.priority = (uint8_t)prio;
    g.from = from;
    g.to = to;
    int ex = (pl->P->quiet_exempt >> prio) & 1u;
    const char *why = NULL;
    /* the bits placement uses (business hours included): review r2 L1 */
    return place_closed(cx, &g, FU__PL_BITS(pl, cx->mask, prio, 0), fu__pl_holidays_apply(pl, cx, &g), ex,
                        from > cx->now ? from : cx->now, at, &why);
}

/* merge_fits() when the merged window has no allowed instant: the merged
 * contact is made late, and x joins only when every member, x included,
 * would on its own be made at that very instant (urgent messages of three
 * faults reported at night, all made at 08:00: one message, not three
 * against caps.limits.sms_ceiling). 1 yes, 0 no, < 0 an error. */
static int late_merge_fits(fu_planner *pl, const pl_cust *cx, const int *m, size_t n, int x, int top, int64_t af,
                           int64_t at) {
    int64_t lm, li;
    int q = own_instant(pl, cx, top, af, at, &lm);
    if (q <= 0) return q;
    for (size_t i = 0; i <= n; i++) {
        const pl_cand *c = &pl->cand[i < n ? m[i] : x];
        if ((q = own_instant(pl, cx, c->priority, c->from, c->to, &li)) <= 0) return q;
        if (li != lm) return 0;
    }
    return 1;
}

/* Whether candidate x may join the members m[0..n) (review s6, items 1 and
 * 2): the merged contact needs an allowed instant in the intersection of the
 * windows (else a step whose window closes at night would suppress the
 * others with it), and it must come as early as the most pressing members
 * (the highest priority among them) would come on their own: a routine step
 * joins an urgent one only when its window holds the urgent one's first
 * allowed instant; with none in the merged window, late_merge_fits(). 1 yes,
 * 0 no, < 0 an error. */
static int merge_fits(fu_planner *pl, const pl_cust *cx, const int *m, size_t n, int x) {
    const pl_cand *cand = pl->cand;
    int top = cand[x].priority;
    for (size_t i = 0; i < n; i++)
        if (cand[m[i]].priority < top) top = cand[m[i]].priority;
    int64_t af = cand[x].from, at = cand[x].to, hf = INT64_MIN, ht = INT64_MAX, ta, th;
    for (size_t i = 0; i <= n; i++) {
        const pl_cand *c = &cand[i < n ? m[i] : x];
        if (c->from > af) af = c->from;
        if (c->to < at) at = c->to;
        if (c->priority != top) continue;
        if (c->from > hf) hf = c->from;
        if (c->to < ht) ht = c->to;
    }
    int q = first_allowed(pl, cx, top, af, at, &ta);
    if (q == 0) return late_merge_fits(pl, cx, m, n, x, top, af, at);
    if (q < 0) return q;
    /* nor is an urgent or high overdue member among them, due from now, put
     * off to a later member's window (review s8b F4); routine ones may wait */
    for (size_t i = 0; i <= n && top <= FU_PRIORITY_HIGH; i++) {
        const pl_cand *c = &cand[i < n ? m[i] : x];
        if (!(c->flags & F_OVERDUE) || c->priority != top) continue;
        if ((q = first_allowed(pl, cx, top, c->from, c->to, &th)) < 0) return q;
        if (q == 1 && th != ta) return 0;
    }
    if ((q = first_allowed(pl, cx, top, hf, ht, &th)) < 0) return q;
    return q == 1 && th == ta;
}

/* Whether instant t lies in the window of an earlier step of c's cadence
 * (that step's contact, not an early one of c). 1 yes, 0 no, < 0 error. */
static int in_earlier_step(const fu_planner *pl, const pl_cust *cx, const pl_cand *c, int64_t t) {
    const fu__pol_cadence *cad = c->cad;
    for (const fu__pol_step *k = cad->steps; k < c->step; k++) {
        int64_t f0, t0;
        int rc = fu__pl_add_dur_i(pl, cx->zone->cal, c->trigger, &k->at, 0, &f0);
        if (!rc) rc = fu__pl_add_dur_i(pl, cx->zone->cal, f0, &k->within, 1, &t0);
        if (rc) return rc;
        if (t >= f0 && t <= t0) return 1;
    }
    return 0;
}

/* Both steps are made by the same team (`team`, or both by the usual agents). */
static int same_team(const pl_cand *x, const pl_cand *y) {
    const char *a = x->step->team, *b = y->step->team;
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* An urgent step of an order is served early by the urgent call of the same
 * order, by the same team, made within caps.min_gap before its window opens, after its trigger
 * and outside the windows of its cadence's earlier steps: what a run made
 * after that call counts as done (review s9 F12, served_before() in
 * lib/planner.c). A daily run plans it so: the fault's escalation due at
 * 09:00 and the complaint's of the same order due at 11:00 are one call at
 * 09:00, as hourly runs make it, not one call put off to 11:00 for the
 * merge (urgent first: seed 000, 紧急问题回访需优先处理); an expert team's
 * escalation is not folded into the usual agents' acknowledgement of the
 * complaint (review s8b F4). Such a step's
 * window opens at that instant for the merge (F_EARLY); restored when it is
 * not merged with an urgent step of its order (early_restore()). */
static int serve_early(fu_planner *pl, const pl_cust *cx) {
    int64_t gap = fu__pl_dur_seconds_approx(&pl->P->min_gap), ty;
    if (gap <= 0) return FU_OK;
    for (size_t i = 0; i < pl->ncand; i++) {
        pl_cand *x = &pl->cand[i];
        if (x->status != C_ACTIVE || x->priority != FU_PRIORITY_URGENT || !x->order || !x->ev ||
            (x->flags & F_CALLBACK) || !fu__pl_is_agent_channel(x->channel) || x->from <= cx->now)
            continue;
        int64_t best = INT64_MAX;
        for (size_t j = 0; j < pl->ncand; j++) {
            const pl_cand *y = &pl->cand[j];
            if (j == i || y->status != C_ACTIVE || y->priority != FU_PRIORITY_URGENT || y->order != x->order ||
                (y->flags & F_EARLY) || !fu__pl_is_agent_channel(y->channel) || y->from >= x->from ||
                !same_team(x, y))
                continue;
            int q = first_allowed(pl, cx, FU_PRIORITY_URGENT, y->from, y->to, &ty);
            if (q < 0) return q;
            if (!q || ty >= x->from || x->from - ty > gap || ty < x->ev->at || ty >= best) continue;
            if ((q = in_earlier_step(pl, cx, x, ty)) < 0) return q;
            if (!q) best = ty;
        }
        if (best == INT64_MAX) continue;
        x->own_from = x->from;
        x->from = best;
        x->flags |= F_EARLY;
    }
    return FU_OK;
}

/* Whether the members m[0..n) hold x's anchor: an urgent step of its order
 * that is not early (serve_early()). */
static int early_anchored(const pl_cand *cand, const int *m, size_t n, const pl_cand *x) {
    for (size_t k = 0; k < n; k++) {
        const pl_cand *y = &cand[m[k]];
        if (!(y->flags & F_EARLY) && y->priority == FU_PRIORITY_URGENT && y->order == x->order) return 1;
    }
    return 0;
}

/* A step serve_early() opened early that joined the group gm[i..*j) (its
 * lead's window closing at cut) without its anchor, and whose own window
 * opens after cut, leaves it: back to its own window and to its place among
 * the candidates not yet grouped, gm[*j..na) (review s10 M3: early_restore()
 * left the group starting after its end, and its contact, an urgent call
 * among them, was suppressed without a rule). */
static void early_leave(fu_planner *pl, size_t i, size_t *j, size_t na, int64_t cut) {
    for (size_t k = i + 1; k < *j;) {
        pl_cand *x = &pl->cand[pl->gm[k]];
        if (!(x->flags & F_EARLY) || x->own_from <= cut || early_anchored(pl->cand, &pl->gm[i], *j - i, x)) {
            k++;
            continue;
        }
        int xi = pl->gm[k];
        x->from = x->own_from;
        x->flags &= (uint16_t)~F_EARLY;
        memmove(&pl->gm[k], &pl->gm[k + 1], (*j - k - 1) * sizeof *pl->gm);
        size_t p = --*j; /* the slot freed at the group's end, then its place in (to, from) order */
        for (; p + 1 < na && cand_idx_cmp(&pl->gm[p + 1], &xi, pl->cand) < 0; p++) pl->gm[p] = pl->gm[p + 1];
        pl->gm[p] = xi;
    }
}

/* A step serve_early() opened early keeps its own window unless its group
 * holds an urgent step of its order that is not early. */
static void early_restore(fu_planner *pl, pl_group *g) {
    int changed = 0;
    for (int k = 0; k < g->n; k++) {
        pl_cand *x = &pl->cand[pl->gm[g->first + k]];
        if (!(x->flags & F_EARLY)) continue;
        if (early_anchored(pl->cand, &pl->gm[g->first], (size_t)g->n, x)) continue;
        x->from = x->own_from;
        x->flags &= (uint16_t)~F_EARLY;
        changed = 1;
    }
    if (!changed) return;
    g->from = INT64_MIN;
    for (int k = 0; k < g->n; k++)
        if (pl->cand[pl->gm[g->first + k]].from > g->from) g->from = pl->cand[pl->gm[g->first + k]].from;
}

/* Merge active fu__pl_candidates with overlapping windows (greedy point cover: the
 * fewest contacts that serve every window), where the merged contact has an
 * allowed instant that does not delay its most pressing step (merge_fits()). */
int fu__pl_merge(fu_planner *pl, const pl_cust *cx, fu_plan_stats *st) {
    size_t na = 0;
    if (pl->gm_cap < pl->ncand && fu__grow((void **)&pl->gm, &pl->gm_cap, pl->ncand, sizeof *pl->gm))
        return FU_ENOMEM;
    int rc = serve_early(pl, cx);
    if (rc) return rc;
    for (size_t i = 0; i < pl->ncand; i++)
        if (pl->cand[i].status == C_ACTIVE) pl->gm[na++] = (int)i;
    /* insertion sort by (to, from): a customer has few fu__pl_candidates */
    for (size_t i = 1; i < na; i++) {
        int x = pl->gm[i];
        size_t j = i;
        while (j > 0 && cand_idx_cmp(&x, &pl->gm[j - 1], pl->cand) < 0) {
            pl->gm[j] = pl->gm[j - 1];
            j--;
        }
        pl->gm[j] = x;
    }
    pl->ngrp = 0;
    size_t i = 0;
    /* members of a group are contiguous in gm once we reorder: fu__pl_gather them */
    while (i < na) {
        int lead = pl->gm[i];
        int64_t cut = pl->cand[lead].to;
        size_t j = i + 1;
        /* every later candidate (to >= cut) that opens before cut joins; one
         * that opens just as the lead's window closes (urgent fault: within
         * 2 h, then within 24 h) is a contact of its own */
        for (size_t k = i + 1; k < na; k++) {
            int64_t kf = pl->cand[pl->gm[k]].from;
            if ((kf < cut || kf == pl->cand[lead].from) && !dep_conflict(pl->cand, &pl->gm[i], j - i, pl->gm[k])) {
                int fits = merge_fits(pl, cx, &pl->gm[i], j - i, pl->gm[k]);
                if (fits < 0) return fits;
                if (!fits) continue;
                int x = pl->gm[k];
                memmove(&pl->gm[j + 1], &pl->gm[j], (k - j) * sizeof *pl->gm);
                pl->gm[j++] = x;
            }
        }
        early_leave(pl, i, &j, na, cut);
        if (pl->ngrp == pl->grp_cap && FU_GROW(pl->grp, pl->grp_cap, pl->ngrp + 1)) return FU_ENOMEM;
        pl_group *g = &pl->grp[pl->ngrp];
        memset(g, 0, sizeof *g);
        g->first = (int)i;
        g->n = (int)(j - i);
        g->from = INT64_MIN;
        g->to = cut;
        g->priority = FU_PRIORITY_LOW;
        for (size_t k = i; k < j; k++) {
            pl_cand *c = &pl->cand[pl->gm[k]];
            c->group = (int)pl->ngrp;
            if (c->from > g->from) g->from = c->from;
            /* the most pressing member decides the channel; among equals the richer channel */
            if (k == i || c->priority < g->priority ||
                (c->priority == g->priority && channel_rank(c->channel) > channel_rank(g->channel))) {
                g->channel = c->channel;
                g->priority = c->priority;
            }
            if (c->step->survey) g->survey = 1;
            if (c->order && g->norders < MAX_ORDERS) {
                int dup = 0;
                for (int o = 0; o < g->norders; o++) dup |= g->orders[o] == c->order;
                if (!dup) g->orders[g->norders++] = c->order;
            }
        }
        early_restore(pl, g);
        st->merged += (size_t)(g->n - 1);
        pl->ngrp++;
        i = j;
    }
    return FU_OK;
}

/* The best-time model's choice in [t, g->to] among the instants the
 * planner's own mask `bits` allows: the first of the model's eight best
 * hours that qualifies. 1 and *out when one does, 0 when none does (the
 * caller keeps the first allowed instant). The model's best hour almost
 * always qualifies, and asking for one hour lets the model skip the hours
 * that cannot beat the best so far; the eight are asked for only when it
 * does not. */
static int besttime_pick(fu_planner *pl, const pl_cust *cx, pl_group *g, const uint64_t *bits, int holidays,
                         int64_t t, int64_t *out) {
    enum { K = 8 };
    fu_besttime_slot sl[K];
    size_t ns = 0;
    fu_besttime_query_options qo = FU_BESTTIME_QUERY_OPTIONS_INIT;
    qo.flags = FU_BESTTIME_NO_INTERVAL;
    qo.now = cx->now;
    /* the due window is inclusive, the search window is not; the model's
     * hours repeat weekly, so one week from the first allowed instant holds
     * every hour it can rank */
    int64_t to = g->to + 1;
    if (to - t > 7 * DAY) to = t + 7 * DAY;
    /* an overdue contact (due from now) is not put off to a later day for
     * a better hour: the best hour of the day of its first allowed instant
     * (review s6, item 4) */
    for (int k = 0; k < g->n; k++) {
        int off;
        if (!(pl->cand[pl->gm[g->first + k]].flags & F_OVERDUE) || fu_calendar_utc_offset(cx->zone->cal, t, &off))
            continue;
        int64_t day_end = (fu__pl_floordiv(t + off, DAY) + 1) * DAY - off;
        if (day_end < to) to = day_end;
        break;
    }
    /* an urgent contact is made at its first allowed instant: a better hour
     * later in its window would leave no time for a redial (audit s9 D7) */
    if (g->priority == FU_PRIORITY_URGENT) return 0;
    unsigned flags = 0u;
    for (size_t k = 1;; k = K) {
        int rc = fu_besttime_best(pl->bt, cx->index, t, to, (fu_channel)g->channel, flags, k, &qo, sl, &ns);
        if (rc) return rc;
        for (size_t i = 0; i < ns; i++) {
            int64_t at;
            int q = fu__pl_next_allowed(cx->zone, bits, holidays, sl[i].at, sl[i].at, &at);
            if (q < 0) return q;
            if (q == 1) {
                *out = sl[i].at;
                g->bt_p = (float)sl[i].p;
                return 1;
            }
        }
        if (k == K || ns < k) return 0;
    }
}

#define LATE_SEARCH (62 * DAY) /* how far past a holiday-closed window the first allowed instant is sought */

int fu__pl_local_day_of(const pl_zone *z, int64_t t, int64_t *day) {
    int off;
    int rc = fu_calendar_utc_offset(z->cal, t, &off);
    if (rc) return rc;
    *day = fu__pl_floordiv(t + off, DAY);
    return FU_OK;
}

/* Whether holidays hold the group back: not for priorities exempt from quiet
 * hours or named by quiet_hours.on_holidays, not in zones without holidays. */
int fu__pl_holidays_apply(const fu_planner *pl, const pl_cust *cx, const pl_group *g) {
    if (!cx->zone->hol || !cx->zone->hol->n_holidays) return 0;
    return !(((pl->P->quiet_exempt | pl->P->quiet_holidays) >> g->priority) & 1u);
}

/* No allowed instant in [t, g->to]: when holidays alone closed the window,
 * the first allowed instant after it (1, *out, g->late_rule); else 0 and
 * *why names what closed it. */
static int place_closed(const pl_cust *cx, pl_group *g, const uint64_t *base, int holidays, int ex, int64_t t,
                        int64_t *out, const char **why) {
    const pl_mask *m = cx->mask;
    int64_t dummy;
    if (holidays) {
        int q = fu__pl_next_allowed(cx->zone, base, 0, t, g->to, &dummy);
        if (q < 0) return q;
        if (q == 1) {
            int64_t from = t > g->to ? t : g->to + 1;
            q = fu__pl_next_allowed(cx->zone, base, 1, from, g->to + LATE_SEARCH, out);
            if (q < 0) return q;
            *why = cx->zone->hol_rule;
            if (q == 1) g->late_rule = cx->zone->hol_rule;
            return q;
        }
    }
    if (m->biz && base == m->bits[5]) { /* a business customer's hours closed it: late, as quiet hours */
        int q = fu__pl_next_allowed(cx->zone, m->bits[0], holidays, t, g->to, &dummy);
        if (q < 0) return q;
        if (q == 1) {
            int64_t from = t > g->to ? t : g->to + 1;
            *why = "calendars.hours";
            if ((q = fu__pl_next_allowed(cx->zone, base, holidays, from, g->to + LATE_SEARCH, out)) == 1)
                g->late_rule = "calendars.hours";
            return q;
        }
    }
    int q = m->has_dnd ? fu__pl_next_allowed(cx->zone, m->bits[4], holidays, t, g->to, &dummy) : 0;
    if (q < 0) return q;
    *why = q == 1 ? "customer.dnd_windows" : (ex ? "customer.dnd_windows" : "quiet_hours.allowed");
    if (q == 0 && !ex) { /* quiet hours closed it (an urgent fault at 22:30): late, never dropped (review s8 F8) */
        int64_t from = t > g->to ? t : g->to + 1;
        if ((q = fu__pl_next_allowed(cx->zone, base, holidays, from, g->to + LATE_SEARCH, out)) == 1)
            g->late_rule = "quiet_hours.allowed";
        return q;
    }
    return 0;
}

/* Best instant of an allowed run: the first allowed instant, or the best
 * scored hour start when a score provider is set, or the best-time model's
 * best hour (neither for a call-back at a time the customer named). A group
 * already late (g->late_rule) searches past its window. */
static int place_time(fu_planner *pl, const pl_cust *cx, pl_group *g, int64_t t, int64_t *out, const char **why) {
    const pl_mask *m = cx->mask;
    int ex = (pl->P->quiet_exempt >> g->priority) & 1u;
    const uint64_t *base = FU__PL_BITS_ASKED(pl, m, g->priority, 0, g->redial_callback);
    int holidays = fu__pl_holidays_apply(pl, cx, g);
    int64_t found;
    int r = 0, in_pref = 0;
    g->bt_p = -1;
    if (g->late_rule) { /* past the window: the first allowed instant, nothing else */
        r = fu__pl_next_allowed(cx->zone, base, holidays, t, g->to + LATE_SEARCH, out);
        if (r == 0) *why = g->late_rule;
        return r;
    }
    const uint64_t *pbits = FU__PL_BITS_ASKED(pl, m, g->priority, 1, g->redial_callback);
    if (m->has_pref) {
        r = fu__pl_next_allowed(cx->zone, pbits, holidays, t, g->to, &found);
        if (r < 0) return r;
        in_pref = r == 1;
    }
    if (r == 0) {
        r = fu__pl_next_allowed(cx->zone, base, holidays, t, g->to, &found);
        if (r < 0) return r;
    }
    if (r == 0) return place_closed(cx, g, base, holidays, ex, t, out, why);
    int asked = g->redial_callback; /* a call-back at the time the customer named: not moved to a better hour */
    if (pl->opt.score && !asked) {
        double best = -INFINITY;
        int64_t bt = found, probe = found;
        const uint64_t *bits = in_pref ? pbits : base;
        for (int k = 0; k < FU_HOURS_PER_WEEK; k++) {
            int64_t at;
            int q = fu__pl_next_allowed(cx->zone, bits, holidays, probe, g->to, &at);
            if (q < 0) return q;
            if (q == 0) break;
            int how = fu_calendar_hour_of_week(cx->zone->cal, at);
            if (how < 0) return how;
            double s = pl->opt.score(pl->opt.score_ud, cx->index, (fu_channel)g->channel, how);
            if (s > best) {
                best = s;
                bt = at;
            }
            int off;
            if (fu_calendar_utc_offset(cx->zone->cal, at, &off)) break;
            probe = at - ((at + off) % 3600 + 3600) % 3600 + 3600; /* next local hour start */
        }
        found = bt;
    } else if (pl->bt && !asked && found < cx->end) { /* from the horizon's end on, a later run decides */
        int64_t at = found;
        int q = besttime_pick(pl, cx, g, in_pref ? pbits : base, holidays, found, &at);
        if (q < 0) return q;
        if (q == 1) found = at;
    }
    *out = found;
    return 1;
}

/* What moved a group whose best instant is at or after the horizon's end
 * there: the cap that held it back, the holidays that made it late, the
 * preferred windows or the hour picker, else the first constraint whose
 * removal would bring its first allowed instant into the horizon. */
int fu__pl_later_rule(fu_planner *pl, const pl_cust *cx, pl_group *g, const char **rule) {
    if (g->moved_by_cap) return *rule = g->block_rule, FU_OK;
    if (g->late_rule) return *rule = g->late_rule, FU_OK;
    if (g->dep_rule) return *rule = g->dep_rule, FU_OK; /* waits for the contact it comes after */
    const pl_mask *m = cx->mask;
    int ex = (pl->P->quiet_exempt >> g->priority) & 1u;
    const uint64_t *base = FU__PL_BITS_ASKED(pl, m, g->priority, 0, g->redial_callback);
    int holidays = fu__pl_holidays_apply(pl, cx, g);
    int64_t t = g->from > cx->now ? g->from : cx->now, lim = cx->end - 1 < g->to ? cx->end - 1 : g->to, at;
    int q = fu__pl_next_allowed(cx->zone, base, holidays, t, lim, &at);
    if (q < 0) return q;
    if (q == 1) {
        if (m->has_pref) { /* the window has a preferred instant, the horizon none */
            const uint64_t *pb = FU__PL_BITS_ASKED(pl, m, g->priority, 1, g->redial_callback);
            int qa = fu__pl_next_allowed(cx->zone, pb, holidays, t, g->to, &at);
            int qb = qa == 1 ? fu__pl_next_allowed(cx->zone, pb, holidays, t, lim, &at) : 1;
            if (qa < 0 || qb < 0) return qa < 0 ? qa : qb;
            if (qb == 0) return *rule = "customer.preferred_windows", FU_OK;
        }
        *rule = pl->opt.score ? "fu_planner_options.score" : "besttime";
        return FU_OK;
    }
    if (holidays && (q = fu__pl_next_allowed(cx->zone, base, 0, t, lim, &at)) == 1) return *rule = cx->zone->hol_rule, FU_OK;
    if (q < 0) return q;
    if (m->biz && base == m->bits[5] && (q = fu__pl_next_allowed(cx->zone, m->bits[0], holidays, t, lim, &at)) == 1)
        return *rule = "calendars.hours", FU_OK;
    if (q < 0) return q;
    q = ex || !m->has_dnd ? 0 : fu__pl_next_allowed(cx->zone, m->bits[4], holidays, t, lim, &at);
    if (q < 0) return q;
    *rule = q == 1 || ex ? "customer.dnd_windows" : "quiet_hours.allowed";
    return FU_OK;
}

/* When the customer asked to be called back by the callback_requested
 * attempt e: the time its note names (an ISO 8601 time with an offset after
 * the attempt; *timed = 1), else the attempt + the policy's
 * redial.callback_requested.retry_after (*timed = 0). 1 and *at, 0 when
 * neither is known, < 0 an error. One rule for the redial of a touchpoint
 * and for the call-back asked for after a step's window (review s8b F1). */
int fu__pl_callback_at(fu_planner *pl, const pl_cust *cx, const fu_event *e, int64_t *at, int *timed) {
    const char *note = fu__pl_pl_str(pl, e->note);
    int64_t r;
    *timed = 0;
    if (note && fu_time_parse(note, strlen(note), &r) == FU_OK && r > e->at) {
        *timed = 1;
        *at = r;
        return 1;
    }
    fu_error_clear();
    const fu__pol_redial_outcome *ro = &pl->P->redial.outcome[FU_OUTCOME_CALLBACK_REQUESTED];
    if (!ro->set) return 0;
    int rc = fu__pl_add_dur_i(pl, cx->zone->cal, e->at, &ro->retry, 0, at);
    return rc ? rc : 1;
}

/* A wrong number stops every contact on a number channel (phone, sms,
 * video), not only the touchpoint's calls, until a later contact on one
 * reaches the customer: the number rings someone else (as the guard). */
static int wrong_number_stop(fu_planner *pl, size_t n, pl_group *g) {
    const fu__pol_redial_outcome *ro = &pl->P->redial.outcome[FU_OUTCOME_WRONG_NUMBER];
    if (!ro->stop || (g->channel != FU_CHANNEL_PHONE && g->channel != FU_CHANNEL_SMS && g->channel != FU_CHANNEL_VIDEO))
        return 0;
    int64_t wrong = INT64_MIN, fixed = INT64_MIN;
    (void)n;
    for (size_t i = 0; i < pl->ncev; i++) { /* the contacts of ev[0 .. n) */
        const fu_event *e = pl->cev[i];
        if (e->channel != FU_CHANNEL_PHONE && e->channel != FU_CHANNEL_SMS && e->channel != FU_CHANNEL_VIDEO) continue;
        if (e->outcome == FU_OUTCOME_WRONG_NUMBER) wrong = e->at;
        if (e->outcome == FU_OUTCOME_ANSWERED || e->outcome == FU_OUTCOME_NONE ||
            e->outcome == FU_OUTCOME_CALLBACK_REQUESTED)
            fixed = e->at; /* reached the customer on a number */
    }
    if (wrong <= fixed) return 0;
    g->block_rule = ro->rule;
    return 1;
}

/* Call attempts for group g: contact events on a call channel that reached
 * no answer, in a member's window up to now. A stop outcome (refused, wrong
 * number) or too many attempts (per touchpoint, in a row) suppress it (*stop,
 * g->block_rule); else *not_before is the retry instant after the last one
 * (its outcome's retry_after, or the requested call-back time). */
int fu__pl_redial_check(fu_planner *pl, const pl_cust *cx, size_t n, pl_group *g, int64_t *not_before, int *stop) {
    const fu__pol_redial *R = &pl->P->redial;
    *stop = 0;
    *not_before = INT64_MIN;
    g->redial_rule = NULL;
    g->redial_callback = 0;
    if (wrong_number_stop(pl, n, g)) {
        *stop = 1;
        return FU_OK;
    }
    if (!is_call_channel(g->channel)) return FU_OK;
    int64_t from = g->from;
    for (int k = 0; k < g->n; k++) {
        const pl_cand *c = &pl->cand[pl->gm[g->first + k]];
        int64_t f = (c->flags & F_CALLBACK) ? c->attempts_from : c->from; /* a call-back: from its step's window */
        if (f < from) from = f;
    }
    int row = 0, in_tp = 0;
    const fu_event *last = NULL;
    for (size_t i = 0; i < pl->ncev; i++) { /* the contacts of ev[0 .. n) */
        const fu_event *e = pl->cev[i];
        if (e->outcome == FU_OUTCOME_ANSWERED || e->outcome == FU_OUTCOME_NONE) {
            row = 0;
            continue;
        }
        if (!is_call_channel(e->channel ? e->channel : FU_CHANNEL_PHONE)) continue;
        if (e->outcome != FU_OUTCOME_CALLBACK_REQUESTED) row++;
        else row = 0; /* the customer was reached */
        if (e->at < from || e->at > g->to) continue;
        in_tp++;
        last = e;
        if (R->outcome[e->outcome].stop && !*stop) {
            *stop = 1;
            g->block_rule = R->outcome[e->outcome].rule;
        }
    }
    if (*stop) return FU_OK;
    if (R->lifetime && row >= R->lifetime) g->block_rule = "redial.attempts_lifetime";
    else if (R->per_touchpoint && in_tp >= R->per_touchpoint) g->block_rule = "redial.attempts_per_touchpoint";
    if ((R->lifetime && row >= R->lifetime) || (R->per_touchpoint && in_tp >= R->per_touchpoint)) {
        *stop = 1;
        return FU_OK;
    }
    if (!last) return FU_OK;
    const fu__pol_redial_outcome *ro = &R->outcome[last->outcome];
    int64_t at;
    if (last->outcome == FU_OUTCOME_CALLBACK_REQUESTED) {
        int timed, q = fu__pl_callback_at(pl, cx, last, &at, &timed);
        if (q <= 0) return q; /* no time and the policy says nothing about the outcome */
        if (timed && g->to < at) g->to = at; /* honoured even past the window */
        g->redial_callback = (uint8_t)timed;
    } else if (ro->set) {
        int rc = fu__pl_add_dur_i(pl, cx->zone->cal, last->at, &ro->retry, 0, &at);
        if (rc) return rc;
    } else
        return FU_OK; /* the policy says nothing about this outcome */
    *not_before = at;
    g->redial_rule = ro->rule ? ro->rule : "redial.callback_requested";
    g->redial_at = last->at;
    g->redial_outcome = last->outcome;
    return FU_OK;
}

/* The earliest instant for group gi when a member comes `after` a step
 * whose contact was placed before it (INT64_MIN when none); sets
 * g->dep_rule. */
int64_t fu__pl_after_placed(fu_planner *pl, pl_group *g, size_t gi) {
    int64_t nb = INT64_MIN;
    g->dep_rule = NULL;
    for (int k = 0; k < g->n; k++) {
        const pl_cand *c = &pl->cand[pl->gm[g->first + k]];
        if (c->dep < 0 || pl->cand[c->dep].group < 0 || (size_t)pl->cand[c->dep].group >= gi) continue;
        const pl_group *pg = &pl->grp[pl->cand[c->dep].group];
        if (pg->status != C_ACTIVE || pg->best + 1 <= nb) continue;
        nb = pg->best + 1;
        g->dep_rule = pl->cand[c->dep].step->rule;
    }
    return nb;
}

int fu__pl_place(fu_planner *pl, const pl_cust *cx, pl_group *g, int64_t not_before) {
    int64_t t = g->from > cx->now ? g->from : cx->now;
    const char *rule = NULL;
    g->late_rule = g->later_rule = NULL;
    g->on_holiday = 0;
    if (not_before > t) t = not_before;
    else g->dep_rule = NULL; /* not binding */
    if (t > g->to) { /* the contact it comes after leaves no room in its window */
        g->status = C_SUPPRESSED;
        g->block_rule = g->dep_rule;
        g->best = g->to;
        return FU_OK;
    }
    for (int iter = 0; iter < 64; iter++) {
        int64_t at;
        const char *why = NULL;
        int r = place_time(pl, cx, g, t, &at, &why);
        if (r < 0) return r;
        if (r == 0) {
            g->status = C_SUPPRESSED;
            g->block_rule = rule ? rule : why;
            g->best = t;
            return FU_OK;
        }
        int64_t retry = 0;
        const char *blk = fu__pl_cap_check(pl, cx, g, at, &retry);
        if (blk && g->survey && survey_rule(pl->P, blk) && !group_all_survey(pl, g)) {
            /* a contact that merged a survey step with others is made without
             * the survey question: survey fatigue holds back the survey, not
             * the follow-up it rides on (the 72 h call after a resolution
             * merged with a kept promise's satisfaction survey) */
            g->survey = 0;
            blk = fu__pl_cap_check(pl, cx, g, at, &retry);
        }
        int64_t until = 0;
        const char *srule = NULL;
        int sk = blk ? 0 : supp_at(pl, cx, g, at, &until, &srule);
        if (sk == 1 && g->to < until) { /* skip_routine: its window ends in the period */
            g->status = C_SUPPRESSED;
            g->block_rule = srule;
            g->best = at;
            return FU_OK;
        }
        if (sk) { /* past the period, as fu__pl_apply_suppressions() moves a window */
            if (sk == 2 && g->to < until + (g->to - g->from)) g->to = until + (g->to - g->from);
            rule = srule;
            t = until;
            continue;
        }
        if (!blk) {
            g->best = at;
            g->status = C_ACTIVE;
            if (rule) {
                g->moved_by_cap = 1;
                g->block_rule = rule;
            }
            if (!g->late_rule && cx->zone->hol && !fu__pl_holidays_apply(pl, cx, g)) {
                int64_t day;
                int rc = fu__pl_local_day_of(cx->zone, at, &day);
                if (rc) return rc;
                g->on_holiday = (uint8_t)fu__pl_is_holiday(cx->zone, day);
            }
            return FU_OK;
        }
        rule = blk;
        if (retry <= at) retry = at + 60;
        t = retry;
        if (t > (g->late_rule ? g->to + LATE_SEARCH : g->to)) break;
    }
    g->status = C_SUPPRESSED;
    g->block_rule = rule;
    g->best = t < g->to ? t : g->to;
    return FU_OK;
}
