/* Time for the planner: offsets, zones, allowed-minute masks, classes and conditions.
 * Part of fu_planner (lib/planner_internal.h). */
#include "planner_internal.h"
#include "calendar_internal.h"
#include "resolution_internal.h"
#include "calendar_zone.h"

/* ---------------------------------------------------------------- helpers */

int64_t fu__pl_floordiv(int64_t a, int64_t b) {
    int64_t q = a / b;
    if ((a % b) && ((a < 0) != (b < 0))) q--;
    return q;
}

const char *fu__pl_pl_str(const fu_planner *pl, uint32_t id) {
    if (!id || (id & PL_GUARD_LOCAL)) return NULL;
    return fu_book_string(pl->book, id);
}

int fu__pl_is_agent_channel(int ch) {
    return ch == FU_CHANNEL_PHONE || ch == FU_CHANNEL_VIDEO || ch == FU_CHANNEL_CHAT || ch == FU_CHANNEL_VISIT;
}

/* Upper bound of a duration's length in seconds (for the reach of cadences). */
int64_t fu__pl_dur_bound(const fu_duration *d) {
    int64_t v = d->value < 0 ? -d->value : d->value;
    switch (d->unit) {
    case FU_DURATION_SECONDS: return v;
    case FU_DURATION_MONTHS: return v * 31 * DAY + 2 * DAY;
    case FU_DURATION_WORKING_DAYS: return (2 * v + 20) * DAY;
    case FU_DURATION_BUSINESS_SECONDS: return v * 5 + 20 * DAY;
    }
    return v;
}

/* A lower bound of t + d - t for every t of years 1..9999 (0 when none is
 * known): months move the local date by at least 28 days each less the 3 a
 * month end can clip, and the zone's offset and a gap by under 3 days. */
int64_t fu__pl_dur_floor(const fu_duration *d) {
    if (d->value <= 0) return 0;
    if (d->unit == FU_DURATION_SECONDS) return d->value;
    if (d->unit == FU_DURATION_MONTHS && d->value <= 120000) return d->value * 28 * DAY - 6 * DAY;
    return 0;
}

int fu__pl_days_in_month(int y, int m) {
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
    return d[m - 1];
}

/* t + d. Months in the local calendar `lcal`; working days and business time
 * in the business calendar. `end_of_day` places working days at the close of
 * business (window ends) instead of the same clock time (offsets). */
int fu__pl_add_dur(const fu_planner *pl, const fu_calendar *lcal, int64_t t, const fu_duration *d, int end_of_day,
                   int64_t *out) {
    const fu_calendar *bc = pl->bcal->cal;
    switch (d->unit) {
    case FU_DURATION_SECONDS:
        *out = t + d->value;
        return FU_OK;
    case FU_DURATION_MONTHS:
        return fu__calendar_add_months(lcal, t, d->value, out);
    case FU_DURATION_WORKING_DAYS:
        if (d->value >= 0) {
            int rc = fu_calendar_add_working_days(bc, t, (int)d->value,
                                                  end_of_day ? FU_WORKDAY_END_OF_DAY : FU_WORKDAY_SAME_TIME, out);
            /* a window that would close before it opens (`within: same day`
             * for an inquiry after the close of business) closes at the end
             * of the next working day instead */
            if (!rc && end_of_day && *out < t)
                rc = fu_calendar_add_working_days(bc, t, (int)d->value + 1, FU_WORKDAY_END_OF_DAY, out);
            return rc;
        } else {
            fu_local l;
            int rc = fu_calendar_to_local(bc, t, &l);
            if (rc) return rc;
            fu_date dt = {l.year, l.month, l.day};
            int64_t days;
            if ((rc = fu_date_to_days(&dt, &days))) return rc;
            int64_t left = -d->value;
            for (int guard = 0; left > 0 && guard < 4000; guard++) {
                days--;
                if ((rc = fu_date_from_days(days, &dt))) return rc;
                int w = fu_calendar_is_working_day(bc, &dt);
                if (w < 0) return w;
                if (w) left--;
            }
            l.year = dt.year;
            l.month = dt.month;
            l.day = dt.day;
            return fu_calendar_from_local(bc, &l, 0, out);
        }
    case FU_DURATION_BUSINESS_SECONDS:
        if (d->value >= 0) return fu_calendar_add_business(bc, t, d->value, out);
        else {
            /* latest x with business time in [x, t) >= |value|: bisection */
            int64_t need = -d->value, lo = t - need * 6 - 40 * DAY, hi = t, b;
            for (int i = 0; i < 48 && lo < hi; i++) {
                int64_t mid = lo + (hi - lo + 1) / 2;
                int rc = fu_calendar_business_between(bc, mid, t, &b);
                if (rc) return rc;
                if (b >= need) lo = mid;
                else hi = mid - 1;
            }
            *out = lo;
            return FU_OK;
        }
    }
    return fu__error_set(FU_EINVAL, "unknown duration unit");
}

/* ---------------------------------------------------------------- zones */

/* The zones fu__pl_zone_get() searches: 0 the policy's default calendar,
 * i its (i - 1)-th calendar. */
static const char *zone_cand(const void *ctx, size_t i) {
    const fu_planner *pl = ctx;
    return i ? pl->P->calendars[i - 1].tz : pl->bcal->tz;
}

int fu__pl_zone_get(fu_planner *pl, const char *tz, const pl_zone **out) {
    for (size_t i = 0; i < pl->nzones; i++)
        if (pl->zones[i].tz == tz) {
            *out = &pl->zones[i];
            return FU_OK;
        }
    for (size_t i = 0; i < pl->nzones; i++)
        if (tz && pl->zones[i].tz && strcmp(pl->zones[i].tz, tz) == 0) {
            *out = &pl->zones[i];
            return FU_OK;
        }
    if (pl->nzones >= UINT16_MAX) return fu__error_set(FU_ELIMIT, "more than 65535 distinct time zones");
    if (FU_GROW(pl->zones, pl->zcap, pl->nzones + 1)) return FU_ENOMEM;
    pl_zone z = {tz, NULL, NULL, NULL, NULL};
    const char *name = tz ? tz : pl->bcal->tz;
    /* the holidays of the zone: the policy's default calendar when it is in
     * the zone (a site's cn2027 extending cn), else the first in the zone;
     * else, the same way, a calendar of the zone's country (PRC, Asia/Urumqi
     * keep cn's holidays: review s9 F25) */
    int country;
    long k = fu__calendar_zone_match(name, pl->P->n_calendars + 1, zone_cand, pl, &country);
    if (k >= 0) z.hol = k ? &pl->P->calendars[k - 1] : pl->bcal;
    if (!tz) z.hol = pl->bcal;
    if (z.hol) {
        size_t n = strlen(z.hol->name);
        z.hol_rule = fu__malloc(n + sizeof "calendars..holidays");
        if (!z.hol_rule) return fu__error_nomem();
        memcpy(z.hol_rule, "calendars.", 10);
        memcpy(z.hol_rule + 10, z.hol->name, n);
        memcpy(z.hol_rule + 10 + n, ".holidays", sizeof ".holidays");
    }
    if (!tz) {
        z.cal = pl->bcal->cal;
    } else {
        int rc = fu_calendar_new(&z.own, tz);
        if (rc) {
            fu__free(z.hol_rule);
            return rc;
        }
        z.cal = z.own;
    }
    pl->zones[pl->nzones] = z;
    *out = &pl->zones[pl->nzones++];
    return FU_OK;
}

int fu__pl_is_holiday(const pl_zone *z, int64_t local_day) {
    if (!z->hol || !z->hol->n_holidays) return 0;
    size_t lo = 0, hi = z->hol->n_holidays;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (z->hol->holidays[mid].days < local_day) lo = mid + 1;
        else hi = mid;
    }
    return lo < z->hol->n_holidays && z->hol->holidays[lo].days == local_day;
}

/* ---------------------------------------------------------------- masks */


static size_t ptr_hash(const void *a, const void *b) {
    uintptr_t x = (uintptr_t)a * 0x9E3779B97F4A7C15ull ^ ((uintptr_t)b + 0x632BE59BD9B4E019ull) * 0xBF58476D1CE4E5B9ull;
    return (size_t)(x ^ (x >> 29));
}

/* Whether minute of week k lies in the default calendar's weekly hours. */
static int biz_open(const fu__pol_calendar *pc, int k) {
    int d = k / 1440, min = k % 1440;
    for (int i = 0; i < pc->n_hours[d]; i++)
        if (pc->hours[d][i].start_min <= min && min < pc->hours[d][i].end_min) return 1;
    return 0;
}

/* planner_internal.h */
int fu__pl_is_business(const fu_customer *c) {
    return (c->industry && *c->industry) || c->is_smb == FU_TRI_YES;
}

static int mask_build(fu_planner *pl, size_t ci, const char *dnd, const char *pref, int biz, pl_mask **out) {
    pl_mask *m = fu__calloc(1, sizeof *m);
    if (!m) return fu__error_nomem();
    fu_windows *wd = NULL, *wp = NULL;
    int rc = FU_OK;
    if (dnd && (rc = fu_book_customer_windows(pl->book, ci, FU_CUSTOMER_WINDOWS_DND, &wd))) goto done;
    if (pref && (rc = fu_book_customer_windows(pl->book, ci, FU_CUSTOMER_WINDOWS_PREFERRED, &wp))) goto done;
    m->dnd = dnd;
    m->pref = pref;
    m->biz = biz;
    m->has_dnd = wd && !fu_windows_is_empty(wd);
    m->has_pref = wp && !fu_windows_is_empty(wp);
    for (int k = 0; k < FU_MINUTES_PER_WEEK; k++) {
        int quiet_ok = !pl->P->quiet_allowed || fu_windows_contains(pl->P->quiet_allowed, k) == 1;
        int dnd_ok = !m->has_dnd || fu_windows_contains(wd, k) != 1;
        int pref_ok = m->has_pref && fu_windows_contains(wp, k) == 1;
        if (quiet_ok && dnd_ok) bit_set(m->bits[0], k);
        if (quiet_ok && dnd_ok && pref_ok) bit_set(m->bits[1], k);
        if (dnd_ok) bit_set(m->bits[2], k);
        if (dnd_ok && pref_ok) bit_set(m->bits[3], k);
        if (quiet_ok) bit_set(m->bits[4], k);
        int biz_ok = !biz || biz_open(pl->bcal, k);
        if (quiet_ok && dnd_ok && biz_ok) bit_set(m->bits[5], k);
        if (quiet_ok && dnd_ok && pref_ok && biz_ok) bit_set(m->bits[6], k);
    }
done:
    fu_windows_free(wd);
    fu_windows_free(wp);
    if (rc) {
        fu__free(m);
        return rc;
    }
    *out = m;
    return FU_OK;
}

int fu__pl_mask_get(fu_planner *pl, size_t ci, const fu_customer *c, const pl_mask **out) {
    const char *dnd = c->dnd_windows && *c->dnd_windows ? c->dnd_windows : NULL;
    const char *pref = c->preferred_windows && *c->preferred_windows ? c->preferred_windows : NULL;
    int biz = pl->bcal->has_hours && fu__pl_is_business(c);
    if (pl->mhash_cap) {
        size_t h = (ptr_hash(dnd, pref) + (size_t)biz) & (pl->mhash_cap - 1);
        while (pl->mhash[h] >= 0) {
            pl_mask *m = pl->masks[pl->mhash[h]];
            if (m->dnd == dnd && m->pref == pref && m->biz == biz) {
                *out = m;
                return FU_OK;
            }
            h = (h + 1) & (pl->mhash_cap - 1);
        }
    }
    /* grow the table to keep it at most half full */
    if ((pl->nmasks + 1) * 2 > pl->mhash_cap) {
        size_t ncap = pl->mhash_cap ? pl->mhash_cap * 2 : 64;
        int32_t *nh = fu__malloc(ncap * sizeof *nh);
        if (!nh) return fu__error_nomem();
        for (size_t i = 0; i < ncap; i++) nh[i] = -1;
        for (size_t i = 0; i < pl->nmasks; i++) {
            size_t h = (ptr_hash(pl->masks[i]->dnd, pl->masks[i]->pref) + (size_t)pl->masks[i]->biz) & (ncap - 1);
            while (nh[h] >= 0) h = (h + 1) & (ncap - 1);
            nh[h] = (int32_t)i;
        }
        fu__free(pl->mhash);
        pl->mhash = nh;
        pl->mhash_cap = ncap;
    }
    if (FU_GROW(pl->masks, pl->mcap, pl->nmasks + 1)) return FU_ENOMEM;
    pl_mask *m = NULL;
    int rc = mask_build(pl, ci, dnd, pref, biz, &m);
    if (rc) return rc;
    size_t h = (ptr_hash(dnd, pref) + (size_t)biz) & (pl->mhash_cap - 1);
    while (pl->mhash[h] >= 0) h = (h + 1) & (pl->mhash_cap - 1);
    pl->mhash[h] = (int32_t)pl->nmasks;
    pl->masks[pl->nmasks++] = m;
    *out = m;
    return FU_OK;
}

/* First instant >= t and <= limit whose local minute is in `bits` and (when
 * `holidays`) not on a holiday. Returns 1 found, 0 none, negative on error. */
int fu__pl_next_allowed(const pl_zone *z, const uint64_t *bits, int holidays, int64_t t, int64_t limit,
                        int64_t *out) {
    for (int iter = 0; iter < 800 && t <= limit; iter++) {
        int off;
        int rc = fu_calendar_utc_offset(z->cal, t, &off);
        if (rc) return rc;
        int64_t local = t + off;
        int64_t day = fu__pl_floordiv(local, DAY);
        if (holidays && fu__pl_is_holiday(z, day)) {
            t = (day + 1) * DAY - off;
            continue;
        }
        int64_t sod = local - day * DAY;
        int wd = (int)(((day % 7) + 7 + 3) % 7); /* 1970-01-01 was a Thursday */
        int mow = wd * 1440 + (int)(sod / 60);
        if (bit_get(bits, mow)) {
            *out = t;
            return 1;
        }
        int nx = bit_next(bits, mow);
        if (nx < 0) return 0;
        int delta = (nx - mow + FU_MINUTES_PER_WEEK) % FU_MINUTES_PER_WEEK;
        /* the next allowed wall-clock minute, in the offset in force there:
         * across a spring-forward night 08:00 local is 08:00 in the new
         * offset, not 08:00 in the old one (09:00 new) */
        int64_t wall = local - (local % 60 + 60) % 60 + (int64_t)delta * 60, next = wall - off;
        int off2;
        if ((rc = fu_calendar_utc_offset(z->cal, next, &off2))) return rc;
        if (off2 != off && wall - off2 > t) next = wall - off2;
        t = next;
    }
    return 0;
}

/* ---------------------------------------------------------------- classes */

static int class_of_text(const fu__policy *P, const char *s) {
    if (!s) return -1;
    for (size_t i = 0; i < P->segments.n_classes; i++) {
        const fu__pol_band *b = &P->segments.classes[i];
        if (strcmp(b->name, s) == 0 || (b->kind && strcmp(b->kind, s) == 0)) return (int)i;
    }
    return -2;
}

/* Product class of an event: its product_class text when it names a class
 * (or a class kind), else by unit price; -1 when unknown. */
int fu__pl_event_class(fu_planner *pl, const fu_event *e) {
    int c = -2;
    uint32_t id = e->product_class;
    if (id && !(id & PL_GUARD_LOCAL) && id < pl->ncls && pl->cls[id] != -3) {
        c = pl->cls[id];
    } else if (id) {
        c = class_of_text(pl->P, fu__pl_pl_str(pl, id));
        if (!(id & PL_GUARD_LOCAL)) {
            if (id >= pl->ncls) {
                size_t ncap = pl->ncls ? pl->ncls : 64;
                while (ncap <= id) ncap *= 2;
                int8_t *n = fu__realloc(pl->cls, ncap);
                if (n) {
                    memset(n + pl->ncls, -3, ncap - pl->ncls);
                    pl->cls = n;
                    pl->ncls = ncap;
                }
            }
            if (id < pl->ncls) {
                pl->cls[id] = (int8_t)c;
                if (c == -2 && !pl->n_unknown_class++) /* names no class: fu_planner_unknown_classes() */
                    pl->unknown_class = id;
            }
        }
    }
    if (c >= 0) return c;
    if (!isnan(e->unit_price)) return fu__policy_class_of(pl->P, e->unit_price);
    return -1;
}

int fu_planner_unknown_classes(const fu_planner *pl, size_t *count, const char **first) {
    if (!pl || !count)
        return fu__error_set(FU_EINVAL, "fu_planner_unknown_classes: %s is NULL", !pl ? "planner" : "count");
    *count = pl->n_unknown_class;
    if (first) *first = pl->n_unknown_class ? fu__pl_pl_str(pl, pl->unknown_class) : NULL;
    return FU_OK;
}

/* The class of an event without one of its own (an installation or a
 * delivery that names its order only by order_id): that of the latest
 * event before it with the same order id that has one (its purchase), as
 * the KPI engine does (docs/kpi.md); -1 none. */
static int order_class(fu_planner *pl, const fu_event *e) {
    if (!e->order_id) return -1;
    const char *oid = NULL;
    for (size_t i = pl->nev; i-- > 0;) {
        const fu_event *r = pl->ev[i];
        if (r == e || r->at > e->at || !r->order_id) continue;
        if (r->order_id != e->order_id) {
            if (!oid) oid = fu__pl_pl_str(pl, e->order_id);
            if (strcmp(fu__pl_pl_str(pl, r->order_id), oid) != 0) continue;
        }
        int c = fu__pl_event_class(pl, r);
        if (c >= 0) return c;
    }
    return -1;
}

static int strs_has(const fu__pol_strs *l, const char *s) {
    if (!s) return 0;
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i], s) == 0) return 1;
    return 0;
}

/* `when.severity`: the event's severity by its name, or by the names the
 * policy's `sla.response` uses (standard = normal, routine = low). */
static int severity_matches(const fu__pol_strs *l, int sev) {
    if (strs_has(l, fu_severity_name(sev))) return 1;
    if (sev == FU_SEVERITY_NORMAL) return strs_has(l, "standard");
    if (sev == FU_SEVERITY_LOW) return strs_has(l, "routine");
    return 0;
}

/* `when.risk`: the risk level of the product sold is the purchase event's
 * severity (urgent = high, normal, low); other events carry no risk. */
static int risk_matches(const fu_event *e, const fu__pol_strs *l) {
    if (e->kind != FU_EVENT_PURCHASE) return 0;
    switch (e->severity) {
    case FU_SEVERITY_URGENT: return strs_has(l, "high");
    case FU_SEVERITY_NORMAL: return strs_has(l, "normal");
    case FU_SEVERITY_LOW: return strs_has(l, "low");
    default: return 0;
    }
}

/* fu__pl_when_customer() past the tier and lifecycle bits. */
int fu__pl_when_customer_rest(const fu_planner *pl, const pl_cust *cx, const fu__pol_when *w) {
    if (w->industries.n && !strs_has(&w->industries, cx->c->industry)) return 0;
    if (w->is_smb >= 0) {
        int smb = cx->c->is_smb == FU_TRI_YES;
        if (smb != w->is_smb) return 0;
    }
    if (w->min_tenure.set) {
        if (cx->first_purchase == FU_BOOK_NO_TIME) return 0;
        if (cx->first_purchase > cx->now - fu__pl_dur_floor(&w->min_tenure.d)) return 0; /* not that long yet */
        int64_t since;
        if (fu__pl_add_dur(pl, cx->zone->cal, cx->first_purchase, &w->min_tenure.d, 0, &since)) return 0;
        if (since > cx->now) return 0;
    }
    return 1;
}

/* pl->ev[i], as the resolution rule reads it (lib/resolution_internal.h). */
static int ev_kind(const void *events, size_t i, int *has_order) {
    const fu_event *e = ((const fu_event *const *)events)[i];
    *has_order = e->order_id != 0;
    return e->kind;
}

/* Whether a `resolved` event closed problem `e` by now: one at or after it
 * with its order id, or without an order id (it closes the earlier problems
 * of the customer, but one that names an order only when it answers no
 * problem without an order: lib/resolution_internal.h). A `repair` closes a
 * fault likewise: the repair is done (seed 003: 维修完成), its 2h-24h-72h
 * series follows (review s7 F1). */
static int problem_resolved(const fu_planner *pl, const fu_event *e) {
    return fu__pl_resolved_since(pl, e, e->at);
}

/* Whether a `resolved` (or `repair`) event at or after `since` (and after
 * problem `e`) closed `e`: problem_resolved() from an instant on. */
int fu__pl_resolved_since(const fu_planner *pl, const fu_event *e, int64_t since) {
    if (since < e->at) since = e->at;
    for (size_t i = pl->nev; i-- > 0;) {
        const fu_event *r = pl->ev[i];
        if (r->at < since) break;
        if (r == e || !fu__resolution_can_close(r->kind, e->kind)) continue;
        /* the same order: one id, or a guard's own id of the same text */
        int same = r->order_id && e->order_id &&
                   (r->order_id == e->order_id ||
                    strcmp(fu__pl_pl_str(pl, r->order_id), fu__pl_pl_str(pl, e->order_id)) == 0);
        if (fu__resolution_closes(pl->ev, i, ev_kind, e->kind, e->order_id != 0, same)) return 1;
    }
    return 0;
}

/* The event-level parts (product class, severity, risk); `e` NULL for
 * cadences without an event: the class is that of the last purchase. */
int fu__pl_when_event(fu_planner *pl, const pl_cust *cx, const fu__pol_when *w, const fu_event *e) {
    if (w->product_classes) {
        int c = e ? fu__pl_event_class(pl, e) : cx->last_class;
        if (c < 0 && e) c = order_class(pl, e);
        if (c < 0 || !(w->product_classes & (1u << c))) return 0;
    }
    if (w->severities.n && (!e || !severity_matches(&w->severities, e->severity))) return 0;
    if (w->risks.n && (!e || !risk_matches(e, &w->risks))) return 0;
    if ((w->surveys || w->has_score_max) && (!e || e->kind != FU_EVENT_SURVEY)) return 0;
    if (w->surveys && !((w->surveys >> e->survey) & 1u)) return 0;
    if (w->has_score_max && !(isfinite(e->score) && e->score <= w->score_max)) return 0;
    if (w->unresolved && (!e || problem_resolved(pl, e))) return 0;
    return 1;
}
