/* fu_planner: new/free, the customer's events, candidates, output, capacity,
 * the public plan calls and feed (include/followup/planner.h). The other
 * concerns have their own files (lib/planner_internal.h lists them).
 *
 * Work is per customer and linear in its events: one merged pass over the
 * book's events (fed events are appended to the book) and an overlay (a
 * guard's records, a simulation's contacts) collects the facts
 * (purchases, last event per kind, contacts), candidates come from the events
 * still within reach of a cadence, and limits work on the handful of
 * candidates. Scratch arrays live in the planner and are reused for every
 * customer; calendars (per zone) and allowed-minute masks (per pair of
 * do-not-disturb / preferred windows, strings interned by the book) are
 * cached. Nothing is allocated per event. */
#include "planner_internal.h"
#include "planner_rollover.h"
#include "book_internal.h"
#include "segment_internal.h"

const fu_book *fu__planner_book(const fu_planner *pl) { return pl->book; }
const fu_book *fu_planner_book(const fu_planner *pl) { return pl ? pl->book : NULL; }
fu__promise_set *fu__planner_promises(fu_planner *pl) { return &pl->promises; }
fu__agent_set **fu__planner_agents(fu_planner *pl) { return &pl->agents; }
fu__clv **fu__planner_clv(fu_planner *pl) { return &pl->clv; }
const fu__policy *fu__planner_policy(const fu_planner *pl) { return pl->P; }

/* ---------------------------------------------------------------- new/free */

void fu__pl_overlay_free(pl_overlay *o) {
    for (size_t i = 0; i < o->n; i++) fu__free(o->v[i].ev);
    fu__free(o->v);
    fu__free(o->head);
    memset(o, 0, sizeof *o);
}

void fu_planner_free(fu_planner *pl) {
    if (!pl) return;
    if (pl->book_borrowed) fu__book_release(pl->book);
    for (size_t i = 0; i < pl->nzones; i++) {
        fu_calendar_free(pl->zones[i].own);
        fu__free(pl->zones[i].hol_rule);
    }
    fu__free(pl->zones);
    for (size_t i = 0; i < pl->nmasks; i++) fu__free(pl->masks[i]);
    FU_FREE_ALL(pl->masks, pl->mhash, pl->cls, pl->cad_buf, pl->cad_kind, pl->repl_off,
                pl->repl_idx, pl->supp_kind);
    fu__pl_overlay_free(&pl->guard_ov);
    fu__free(pl->fed_at);
    fu__free((void *)pl->ev);
    fu__evbuf_free(&pl->evbuf);
    FU_FREE_ALL(pl->cand, pl->ct, pl->grp, pl->gm, pl->ptimes, pl->pur, pl->trig, pl->sel, pl->fut, pl->other_cads,
                pl->oc_list, pl->stimes, pl->cev, pl->sdates, pl->ptk);
    fu_besttime_free(pl->own_bt);
    fu_segment_rules_free(pl->seg_policy);
    fu__buf_free(&pl->b_purpose);
    fu__buf_free(&pl->b_rule);
    fu__buf_free(&pl->b_reason);
    fu__pl_intern_free(&pl->texts);
    fu__promise_set_clear(&pl->promises);
    fu__agent_set_free(pl->agents);
    fu__clv_free(pl->clv);
    fu__free(pl);
}

static int kind_of_name(const char *name) {
    fu_event_kind k;
    if (!name || fu_event_kind_from_string(name, strlen(name), &k)) {
        fu_error_clear();
        return -1;
    }
    return (int)k;
}

int64_t fu__pl_dur_seconds_approx(const fu_duration *d) {
    switch (d->unit) {
    case FU_DURATION_SECONDS: return d->value;
    case FU_DURATION_MONTHS: return d->value * 2629746; /* 30.436875 days */
    case FU_DURATION_WORKING_DAYS: return d->value * 7 * DAY / 5;
    case FU_DURATION_BUSINESS_SECONDS: return d->value * 168 / 45;
    }
    return d->value;
}

static int compute_tier_cycles(fu_planner *pl);
static int own_besttime(fu_planner *pl);

/* pl->repl_off / repl_idx: which cadences replace each cadence (the planner
 * asks for every customer; the policy lists it the other way round). */
static int replacers_index(fu_planner *pl) {
    const fu__policy *P = pl->P;
    size_t total = 0;
    for (size_t i = 0; i < P->n_cadences; i++)
        if (P->cadences[i].trigger != FU__TRIGGER_EVENT) total += P->cadences[i].n_replaces;
    pl->repl_off = fu__calloc(P->n_cadences + 1, sizeof *pl->repl_off);
    pl->repl_idx = fu__malloc((total ? total : 1) * sizeof *pl->repl_idx);
    if (!pl->repl_off || !pl->repl_idx) return fu__error_nomem();
    for (size_t c = 0, k = 0; c < P->n_cadences; c++) {
        pl->repl_off[c] = k;
        for (size_t i = 0; i < P->n_cadences; i++) {
            const fu__pol_cadence *o = &P->cadences[i];
            if (o->trigger == FU__TRIGGER_EVENT) continue;
            for (size_t r = 0; r < o->n_replaces; r++)
                if (o->replaces[r] == c) {
                    pl->repl_idx[k++] = i;
                    break;
                }
        }
        pl->repl_off[c + 1] = k;
    }
    return FU_OK;
}

/* How long after its window an event step without a contact stays due
 * (overdue, from now): the 62 days a holiday-closed window looks ahead for
 * its first allowed instant (lib/planner_limits.c), so that a contact
 * reported late or after the horizon is planned by a later run (review s7
 * F15). */
#define OVERDUE_REACH (62 * DAY)

/* The cadences by triggering event kind, the other cadences, the
 * suppressions' event kinds and how far each kind's steps reach. */
static int index_cadences(fu_planner *pl) {
    const fu__policy *P = pl->P;
    pl->cad_kind = fu__malloc((P->n_cadences + 1) * sizeof *pl->cad_kind);
    pl->cad_buf = fu__malloc((P->n_cadences + 1) * sizeof *pl->cad_buf);
    pl->supp_kind = fu__malloc((P->n_suppressions + 1) * sizeof *pl->supp_kind);
    if (!pl->cad_kind || !pl->cad_buf || !pl->supp_kind) return fu__error_nomem();
    for (size_t i = 0; i < P->n_cadences; i++)
        pl->cad_kind[i] = P->cadences[i].trigger == FU__TRIGGER_EVENT ? kind_of_name(P->cadences[i].event) : -1;
    int rc = replacers_index(pl);
    if (rc) return rc;
    if (!(pl->other_cads = fu__malloc((P->n_cadences + 1) * sizeof *pl->other_cads))) return fu__error_nomem();
    for (size_t i = 0; i < P->n_cadences; i++)
        if (P->cadences[i].trigger != FU__TRIGGER_EVENT) pl->other_cads[pl->n_other_cads++] = i;
    if ((rc = fu__pl_other_index(pl))) return rc;
    for (size_t i = 0; i < P->n_suppressions; i++)
        pl->supp_kind[i] =
            P->suppressions[i].kind == FU__SUPP_RECENT_EVENT ? kind_of_name(P->suppressions[i].event) : -1;
    size_t pos = 0;
    for (int k = 0; k < FU_EVENT_KIND_COUNT; k++) {
        pl->kind_cads[k] = pl->cad_buf + pos;
        int64_t reach = 0;
        for (size_t i = 0; i < P->n_cadences; i++) {
            if (pl->cad_kind[i] != k) continue;
            pl->cad_buf[pos++] = i;
            pl->n_kind_cads[k]++;
            for (size_t s = 0; s < P->cadences[i].n_steps; s++) {
                const fu__pol_step *st = &P->cadences[i].steps[s];
                int64_t r = (st->at.value > 0 ? fu__pl_dur_bound(&st->at) : 0) + fu__pl_dur_bound(&st->within);
                if (r > reach) reach = r;
                if (st->at.value < 0) pl->kind_ahead[k] = 1;
            }
        }
        pl->kind_reach[k] = reach + OVERDUE_REACH; /* steps_from(): overdue windows */
    }
    return FU_OK;
}

int fu_planner_new(fu_planner **out, const fu_policy *policy, const fu_book *book, const fu_planner_options *opts) {
    if (!out || !policy || !book)
        return fu__error_set(FU_EINVAL, "fu_planner_new: %s is NULL", !out ? "out" : !policy ? "policy" : "book");
    *out = NULL;
    fu_planner_options d = FU_PLANNER_OPTIONS_INIT;
    if (opts && opts->version == 1) /* without flags and besttime */
        memcpy(&d, opts, offsetof(fu_planner_options, flags));
    else if (opts && opts->version == 2) /* without tier_cycles */
        memcpy(&d, opts, offsetof(fu_planner_options, tier_cycles));
    else if (opts && opts->version == FU_PLANNER_OPTIONS_VERSION)
        d = *opts;
    else if (opts)
        return fu__error_set(FU_EINVAL, "fu_planner_new: unknown options version %u", opts->version);
    d.version = FU_PLANNER_OPTIONS_VERSION;
    if (d.default_cycle < 0) return fu__error_set(FU_EINVAL, "fu_planner_new: negative default_cycle");
    if (d.flags &
        ~(FU_PLANNER_BESTTIME | FU_PLANNER_STRICT_CALENDAR | FU_PLANNER_CAPACITY_PASS | FU_PLANNER_DAILY_CAPACITY))
        return fu__error_set(FU_EINVAL, "fu_planner_new: unknown flags 0x%x", d.flags);
    if (d.besttime && fu_besttime_customer_count(d.besttime) != fu_book_customer_count(book))
        return fu__error_set(FU_EINVAL, "fu_planner_new: the best-time model has %zu customers, the book %zu",
                             fu_besttime_customer_count(d.besttime), fu_book_customer_count(book));
    if (d.tier_cycles) {
        const fu__pol_segments *S = &fu__policy_typed(policy)->segments;
        size_t want = S->n_tiers * S->n_classes;
        if (d.n_tier_cycles != want)
            return fu__error_set(FU_EINVAL,
                                 "fu_planner_new: %zu tier cycles given, the policy has %zu tiers x %zu classes = %zu",
                                 d.n_tier_cycles, S->n_tiers, S->n_classes, want);
        for (size_t i = 0; i < want; i++)
            if (!(isfinite(d.tier_cycles[i]) && d.tier_cycles[i] >= 0))
                return fu__error_set(FU_EINVAL, "fu_planner_new: tier cycle %zu is %g, must be finite and >= 0", i,
                                     d.tier_cycles[i]);
    } else if (d.n_tier_cycles)
        return fu__error_set(FU_EINVAL, "fu_planner_new: n_tier_cycles without tier_cycles");
    if (!fu_book_is_finalized(book) || !fu_book_event_offsets(book))
        return fu__error_set(FU_ESTATE, "fu_planner_new: the book is not finalized (call fu_book_finalize())");
    fu_planner *pl = fu__calloc(1, sizeof *pl);
    if (!pl) return fu__error_nomem();
    pl->policy = policy;
    pl->P = fu__policy_typed(policy);
    pl->book = book;
    pl->opt = d;
    pl->bt = d.besttime;
    if (!pl->opt.default_cycle) pl->opt.default_cycle = 30 * DAY;
    if (!pl->opt.calls_per_agent) pl->opt.calls_per_agent = (unsigned)pl->P->capacity.calls_per_agent_day_max;
    pl->bcal = pl->P->calendar;
    pl->ncust = fu_book_customer_count(book);
    pl->ov = &pl->guard_ov;
    const fu__policy *P = pl->P;
    int rc = FU_OK;

    if ((rc = index_cadences(pl))) goto fail;
    /* lifecycle stages and rule names as `followup segment` gives them */
    if ((rc = fu_segment_rules_new_from_policy(&pl->seg_policy, policy))) goto fail;
    pl->seg = *pl->seg_policy;
    pl->seg.composite = NULL;
    pl->seg.n_composite = 0;
    pl->seg.human_from_quantile = -1;
    /* the rules are checked once here, not for every customer (fu__pl_collect);
     * rules it refuses go through fu_segment_assign(), which reports why */
    pl->seg_checked =
        pl->seg.version == FU_SEGMENT_RULES_VERSION && fu_segment_assign(NULL, 0, 0, &pl->seg, NULL) == FU_OK;

    /* zones of every customer, so that an unknown zone fails here */
    for (size_t i = 0; i < pl->ncust; i++) {
        fu_customer cb;
        fu__book_customer_get(book, i, &cb);
        const fu_customer *c = &cb;
        const pl_zone *z;
        if (pl->nzones && pl->zones[pl->nzones - 1].tz == c->tz) continue;
        if ((rc = fu__pl_zone_get(pl, c->tz, &z))) goto fail;
    }
    if (d.tier_cycles) {
        for (size_t t = 0; t < P->segments.n_tiers; t++)
            for (size_t c = 0; c < P->segments.n_classes; c++)
                pl->tier_cycle[t][c] = d.tier_cycles[t * P->segments.n_classes + c];
    } else if ((rc = compute_tier_cycles(pl)))
        goto fail;
    pl->opt.tier_cycles = NULL; /* copied: the caller's array is not kept */
    pl->opt.n_tier_cycles = 0;
    if (!pl->bt && (pl->opt.flags & FU_PLANNER_BESTTIME)) {
        if ((rc = own_besttime(pl))) goto fail;
        pl->bt = pl->own_bt;
    }
    fu__book_borrow(book);
    pl->book_borrowed = 1;
    *out = pl;
    return FU_OK;
fail:
    fu_planner_free(pl);
    return rc;
}

int fu_planner_tier_cycles(const fu_planner *pl, double *cycles, size_t n, size_t *out) {
    if (!pl || !out || (!cycles && n))
        return fu__error_set(FU_EINVAL, "fu_planner_tier_cycles: %s is NULL",
                             !pl ? "planner" : !out ? "out" : "cycles");
    const fu__pol_segments *S = &pl->P->segments;
    size_t k = 0;
    for (size_t t = 0; t < S->n_tiers; t++)
        for (size_t c = 0; c < S->n_classes; c++, k++)
            if (k < n) cycles[k] = pl->tier_cycle[t][c];
    *out = k;
    return FU_OK;
}

/* ---------------------------------------------------------------- events */

/* The customer's events up to `now` in time order: the book's, then merged
 * with the overlay's. */
int fu__pl_gather(fu_planner *pl, size_t ci, int64_t now, size_t *n_out) {
    const fu_event *be = NULL;
    size_t nb = 0;
    int rc = fu__book_customer_decode(pl->book, ci, &pl->evbuf, &be, &nb);
    if (rc) return rc;
    const pl_ovvec *ov = NULL;
    if (pl->ov->head && pl->ov->head[ci] >= 0) ov = &pl->ov->v[pl->ov->head[ci]];
    size_t no = ov ? ov->n : 0;
    if (nb + no > pl->ev_cap) {
        size_t cap = pl->ev_cap;
        const fu_event **e = pl->ev;
        if (fu__grow((void **)&e, &cap, nb + no, sizeof *e)) return FU_ENOMEM;
        pl->ev = e;
        pl->ev_cap = cap;
    }
    size_t i = 0, j = 0, n = 0;
    pl->nfut = 0;
    while (i < nb || j < no) {
        const fu_event *x;
        if (j >= no || (i < nb && be[i].at <= ov->ev[j].at)) x = &be[i++];
        else x = &ov->ev[j++];
        if (x->at > now) { /* has not happened yet: only an end known ahead triggers (steps before it) */
            if (pl->kind_ahead[x->kind] && pl->nfut == pl->fut_cap && FU_GROW(pl->fut, pl->fut_cap, pl->nfut + 1))
                return FU_ENOMEM;
            if (pl->kind_ahead[x->kind]) pl->fut[pl->nfut++] = x;
            continue;
        }
        if (pl->ignore_book_contacts && x->kind == FU_EVENT_CONTACT && x >= be && x < be + nb) continue;
        pl->ev[n++] = x;
    }
    *n_out = n;
    pl->nev = n;
    return FU_OK;
}

static int add_contact(fu_planner *pl, int64_t at, int channel, int priority, int exempt, const uint32_t *orders,
                       int norders) {
    if (pl->nct == pl->ct_cap && FU_GROW(pl->ct, pl->ct_cap, pl->nct + 1)) return FU_ENOMEM;
    pl_contact *c = &pl->ct[pl->nct++];
    memset(c, 0, sizeof *c);
    c->at = at;
    c->channel = (uint8_t)channel;
    c->priority = (uint8_t)priority;
    c->exempt = (uint8_t)exempt;
    for (int k = 0; k < norders && k < MAX_ORDERS; k++)
        if (orders[k]) c->orders[c->norders++] = orders[k];
    return FU_OK;
}


static int add_purchase(fu_planner *pl, const fu_event *e, int cls) {
    if (pl->npur == pl->pur_cap && FU_GROW(pl->pur, pl->pur_cap, pl->npur + 1)) return FU_ENOMEM;
    pl->pur[pl->npur].e = e;
    pl->pur[pl->npur].at = e->at;
    pl->pur[pl->npur++].cls = cls;
    return FU_OK;
}

static int add_survey_time(fu_planner *pl, int64_t at) {
    if (pl->nst == pl->st_cap && FU_GROW(pl->stimes, pl->st_cap, pl->nst + 1)) return FU_ENOMEM;
    pl->stimes[pl->nst++] = at;
    return FU_OK;
}

/* Whether a touchpoint's rules name a step that asks for a survey answer. */
int fu__pl_rule_is_survey(const fu__policy *P, const char *rule) {
    for (size_t i = 0; i < P->n_cadences; i++)
        for (size_t s = 0; s < P->cadences[i].n_steps; s++) {
            const fu__pol_step *st = &P->cadences[i].steps[s];
            if (!st->survey) continue;
            const char *f = strstr(rule, st->rule);
            size_t n = strlen(st->rule);
            if (f && (f[n] == '\0' || f[n] == ';')) return 1;
        }
    return 0;
}

/* The events after now that fu__pl_gather() kept (ends known ahead) join
 * the triggers: their steps before them (review s8 F16). */
static int add_ahead(fu_planner *pl) {
    for (size_t i = 0; i < pl->nfut; i++) {
        if (pl->ntrig == pl->trig_cap && FU_GROW(pl->trig, pl->trig_cap, pl->ntrig + 1)) return FU_ENOMEM;
        pl->trig[pl->ntrig++] = pl->fut[i];
    }
    pl->nfut = 0;
    return FU_OK;
}

/* fu__pl_collect()'s facts of fu_segment_book_summarize(): first and last
 * purchase, the previous year's spend. */
typedef struct pl_seg_facts {
    int64_t first, last;
    double spend_py;
} pl_seg_facts;

/* fu__pl_collect() for one purchase: the purchase facts and, unless a
 * refund, those of fu_segment_book_summarize(). */
static int collect_purchase(fu_planner *pl, pl_cust *cx, const fu_event *e, pl_seg_facts *f) {
    if (cx->first_purchase == FU_BOOK_NO_TIME || e->at < cx->first_purchase) cx->first_purchase = e->at;
    cx->last_purchase = e->at;
    cx->purchases++;
    int c = fu__pl_event_class(pl, e);
    if (c >= 0) cx->last_class = c;
    if (add_purchase(pl, e, c)) return FU_ENOMEM;
    if (isfinite(e->amount) && e->amount < 0) return FU_OK; /* a refund */
    if (f->first == FU_BOOK_NO_TIME) f->first = e->at;
    f->last = e->at;
    double v = isfinite(e->amount) ? e->amount : isfinite(e->unit_price) ? e->unit_price : 0.0;
    if (e->at > cx->now - 365 * DAY) {
        cx->purchases_last_year++;
        cx->spend_last_year += v;
    } else if (e->at > cx->now - 730 * DAY) {
        cx->purchases_prev_year++;
        f->spend_py += v;
    }
    return FU_OK;
}

/* fu__pl_collect() for one contact or survey answer. */
static int collect_contact(fu_planner *pl, pl_cust *cx, const fu_event *e) {
    if (e->kind == FU_EVENT_SURVEY) return add_survey_time(pl, e->at); /* counts for survey fatigue */
    if (e->reserved_[1] && add_survey_time(pl, e->at)) return FU_ENOMEM; /* a simulated survey call */
    int answered = e->outcome == FU_OUTCOME_ANSWERED || e->outcome == FU_OUTCOME_NONE;
    cx->last_answered = answered ? e->at : cx->last_answered;
    pl->n_unanswered += !answered;
    int prio = e->reserved_[0] ? e->reserved_[0] - 1 : FU_PRIORITY_NORMAL;
    int ch = e->channel ? e->channel : FU_CHANNEL_PHONE;
    if (add_contact(pl, e->at, ch, prio, prio_exempt(pl->P, prio), &e->order_id, 1)) return FU_ENOMEM;
    int callback = e->outcome == FU_OUTCOME_CALLBACK_REQUESTED;
    pl->ct[pl->nct - 1].attempt = (uint8_t)(answered ? PL_REACHED : callback ? PL_CALLBACK : PL_ATTEMPT);
    return FU_OK;
}

/* Facts, segment and contacts of the customer from its events. One pass
 * over all events lists, without branching on the kind (a history's kinds
 * come in no order a branch predictor learns), the events whose cadences
 * can still be due, the purchases and the contacts and survey answers;
 * passes over those lists do the rest, each list in time order. */
int fu__pl_collect(fu_planner *pl, pl_cust *cx, size_t n) {
    int64_t now = cx->now;
    cx->first_purchase = fu__segment_known_purchase(cx->c->first_purchase_at); /* a placeholder: none */
    cx->last_purchase = FU_BOOK_NO_TIME;
    cx->first_event = FU_BOOK_NO_TIME;
    cx->last_answered = FU_BOOK_NO_TIME;
    cx->last_class = -1;
    cx->purchases = cx->purchases_last_year = cx->purchases_prev_year = 0;
    cx->spend_last_year = 0;
    for (int k = 0; k < FU_EVENT_KIND_COUNT; k++) cx->last_at[k] = FU_BOOK_NO_TIME;
    /* the facts of fu_segment_book_summarize(): purchases without refunds,
     * valued by amount, else unit price; complaints within complaint_within */
    unsigned complaints = 0;
    int64_t complaint_since = now - pl->seg.complaint_within;
    pl_seg_facts f = {FU_BOOK_NO_TIME, FU_BOOK_NO_TIME, 0};
    pl->nct = 0;
    pl->nst = 0;
    pl->npur = 0;
    pl->pt_ready = 0; /* class_purchase_times() */
    pl->n_unanswered = 0;
    if (n > pl->trig_cap && FU_GROW(pl->trig, pl->trig_cap, n)) return FU_ENOMEM;
    if (2 * n > pl->sel_cap && FU_GROW(pl->sel, pl->sel_cap, 2 * n)) return FU_ENOMEM;
    /* an event of kind k can still be due when at >= reach[k] (no cadence
     * of the kind: never); made once for each `now` */
    int64_t *reach = pl->kind_from;
    if (!pl->kind_from_set || pl->kind_from_now != now) {
        for (int k = 0; k < FU_EVENT_KIND_COUNT; k++) reach[k] = pl->n_kind_cads[k] ? now - pl->kind_reach[k] : INT64_MAX;
        pl->kind_from_now = now;
        pl->kind_from_set = 1;
    }
    const fu_event **ev = pl->ev, **trig = pl->trig;
    uint32_t *pur = pl->sel, *con = pl->sel + n;
    size_t ntrig = 0, npur = 0, ncon = 0;
    for (size_t i = 0; i < n; i++) {
        const fu_event *e = ev[i];
        unsigned k = e->kind;
        int64_t at = e->at;
        cx->last_at[k] = at;
        trig[ntrig] = e;
        ntrig += at >= reach[k];
        pur[npur] = (uint32_t)i;
        npur += k == FU_EVENT_PURCHASE;
        con[ncon] = (uint32_t)i;
        ncon += (k == FU_EVENT_CONTACT) | (k == FU_EVENT_SURVEY);
        complaints += (k == FU_EVENT_COMPLAINT) & (at > complaint_since);
    }
    pl->ntrig = ntrig;
    if (add_ahead(pl)) return FU_ENOMEM; /* ends known ahead (review s8 F16) */
    if (n) cx->first_event = ev[0]->at;
    for (size_t j = 0; j < npur; j++)
        if (collect_purchase(pl, cx, ev[pur[j]], &f)) return FU_ENOMEM;
    for (size_t j = 0; j < ncon; j++)
        if (collect_contact(pl, cx, ev[con[j]])) return FU_ENOMEM;
    /* value tier */
    double spend = cx->c->annual_spend;
    if (isnan(spend)) spend = cx->spend_last_year;
    cx->tier = fu__policy_tier_of(pl->P, spend);
    /* lifecycle through fu_segment with the policy's rules */
    fu_segment_customer sc;
    fu_segment_customer_init(&sc);
    sc.annual_spend = spend;
    /* a recorded first purchase before the first purchase event sets the tenure */
    int64_t fp = fu__segment_known_purchase(cx->c->first_purchase_at); /* a placeholder: none */
    if (fp != FU_BOOK_NO_TIME && fp <= now && (f.first == FU_BOOK_NO_TIME || fp < f.first)) {
        if (f.first == FU_BOOK_NO_TIME) f.last = fp;
        f.first = fp;
    }
    sc.first_purchase_at = f.first == FU_BOOK_NO_TIME ? FU_SEGMENT_NO_PURCHASE : f.first;
    sc.last_purchase_at = f.last == FU_BOOK_NO_TIME ? FU_SEGMENT_NO_PURCHASE : f.last;
    sc.purchases = cx->purchases;
    sc.purchases_last_year = cx->purchases_last_year;
    sc.purchases_previous_year = cx->purchases_prev_year;
    sc.recent_complaints = complaints;
    sc.spend_last_year = cx->spend_last_year;
    sc.spend_previous_year = f.spend_py;
    sc.industry = cx->c->industry;
    sc.is_smb = cx->c->is_smb == FU_TRI_YES ? 1 : cx->c->is_smb == FU_TRI_NO ? 0 : -1;
    fu_segment_assignment as;
    int rc = pl->seg_checked ? fu__segment_lifecycle(&sc, now, &pl->seg, &as)
                             : fu_segment_assign(&sc, 1, now, &pl->seg, &as);
    if (rc) return rc;
    cx->lifecycle = (int)as.lifecycle;
    cx->lifecycle_rule = as.lifecycle_rule;
    cx->lifecycle_since = FU_BOOK_NO_TIME;
    if (as.lifecycle == FU_LIFECYCLE_DECLINING) {
        /* where the stage began: idle long enough, the last purchase (spend
         * drop), the latest complaint */
        if (strcmp(as.lifecycle_rule, "segments.lifecycle.declining.inactive_for") == 0)
            cx->lifecycle_since = sc.last_purchase_at + pl->seg.declining_after;
        else if (strcmp(as.lifecycle_rule, "segments.lifecycle.declining.complaint_within") == 0)
            cx->lifecycle_since = cx->last_at[FU_EVENT_COMPLAINT];
        else
            cx->lifecycle_since = sc.last_purchase_at;
    }
    return FU_OK;
}

/* ---------------------------------------------------------------- fu__pl_candidates */

static int push_cand(fu_planner *pl, const pl_cust *cx, const fu__pol_cadence *cad, const fu__pol_step *st,
                     const fu_event *e, int64_t trigger, int64_t from, int64_t to, uint16_t flags, double cycle) {
    (void)cx;
    if (pl->ncand == pl->cand_cap && FU_GROW(pl->cand, pl->cand_cap, pl->ncand + 1)) return FU_ENOMEM;
    pl_cand *c = &pl->cand[pl->ncand++];
    memset(c, 0, sizeof *c);
    c->from = from;
    c->to = to;
    c->trigger = trigger;
    c->cad = cad;
    c->step = st;
    c->ev = e;
    c->order = e ? e->order_id : 0;
    c->channel = c->orig_channel = (uint8_t)(st->channel + 1); /* policy channels start at phone = 0 */
    c->priority = (uint8_t)st->priority;
    c->flags = flags;
    c->cycle_days = cycle;
    c->group = -1;
    c->dep = -1;
    return FU_OK;
}

/* Which contacts meet a step (review s9 F27): the step of cadence step `st`
 * triggered by event `ev` (NULL: no event) on customer cx. A contact about
 * another order does not meet a step of an order (one naming no order
 * does); a step made by an agent (phone, video, chat, visit: the step's
 * channel after channels.by_clv and consent) is met only by a contact on
 * one of those channels (no channel: phone), a message step by any. */
typedef struct pl_meet {
    uint32_t order; /* the step's order, 0 none */
    int call;       /* the step is made by an agent */
} pl_meet;

static void meet_of(const fu_planner *pl, const pl_cust *cx, const fu__pol_step *st, const fu_event *ev,
                    pl_meet *m) {
    pl_cand c;
    memset(&c, 0, sizeof c);
    c.channel = c.orig_channel = (uint8_t)(st->channel + 1);
    c.priority = (uint8_t)st->priority;
    if (pl->clv) fu__pl_apply_clv(pl, cx, &c);
    fu__pl_apply_consent(cx, &c);
    m->order = ev ? ev->order_id : 0;
    m->call = fu__pl_is_agent_channel(c.channel);
}

static int meets(const fu_planner *pl, const pl_meet *m, const fu_event *e) {
    if (e->kind != FU_EVENT_CONTACT) return 0;
    if (m->order && e->order_id && e->order_id != m->order) {
        const char *a = fu__pl_pl_str(pl, e->order_id), *b = fu__pl_pl_str(pl, m->order);
        if (!a || !b || strcmp(a, b) != 0) return 0;
    }
    return !m->call || fu__pl_is_agent_channel(e->channel ? e->channel : FU_CHANNEL_PHONE);
}

static int reached(const fu_event *e) { return e->outcome == FU_OUTCOME_ANSWERED || e->outcome == FU_OUTCOME_NONE; }

/* Whether a contact meeting the step (m; NULL: any contact) reached the
 * customer in [from, min(to, now)]. */
static int fulfilled(const fu_planner *pl, const pl_meet *m, size_t n, int64_t from, int64_t to, int64_t now) {
    (void)n;
    int64_t hi = to < now ? to : now;
    for (size_t i = pl->ncev; i-- > 0;) {
        const fu_event *e = pl->cev[i];
        if (e->at < from) break;
        if (e->at > hi) continue;
        if (reached(e) && (!m || meets(pl, m, e))) return 1;
    }
    return 0;
}

/* Whether a contact meeting the step, answered or not, lies in [from, to]:
 * a late step's contact was made (an unanswered one is redialled within
 * the window only). */
static int attempted(const fu_planner *pl, const pl_meet *m, size_t n, int64_t from, int64_t to) {
    (void)n;
    for (size_t i = pl->ncev; i-- > 0;) {
        const fu_event *e = pl->cev[i];
        if (e->at < from) break;
        if (e->at <= to && meets(pl, m, e)) return 1;
    }
    return 0;
}

/* The first contact meeting the step that reached the customer in [from,
 * min(to, now)], INT64_MIN when none. */
static int64_t fulfilled_at(const fu_planner *pl, const pl_meet *m, size_t n, int64_t from, int64_t to, int64_t now) {
    (void)n;
    int64_t hi = to < now ? to : now, first = INT64_MIN;
    for (size_t i = pl->ncev; i-- > 0;) {
        const fu_event *e = pl->cev[i];
        if (e->at < from) break;
        if (e->at > hi) continue;
        if (reached(e) && meets(pl, m, e)) first = e->at;
    }
    return first;
}

/* Whether an urgent step of an order was served before its window opened
 * (review s9 F12): an urgent contact (the book's `priority`) meeting it
 * about the same order reached the customer within caps.min_gap before
 * `from`, after the trigger event `e`, and not in the window of an earlier
 * step of the cadence (that step's contact). Urgent steps are exempt from min_gap, so without this an hourly
 * run gave a fault's and a complaint's escalation of one order two urgent
 * calls 2 h apart where a daily run merged them. 1 yes, 0 no, < 0 error. */
static int served_before(fu_planner *pl, const pl_cust *cx, size_t n, const fu__pol_cadence *cad, size_t s,
                         const fu_event *e, int64_t trigger, const pl_meet *m, int64_t from) {
    if ((int)cad->steps[s].priority != (int)FU_PRIORITY_URGENT || !e || !m->order || !m->call) return 0;
    int64_t lo = from - fu__pl_dur_seconds_approx(&pl->P->min_gap);
    if (lo < e->at) lo = e->at;
    (void)n;
    for (size_t i = pl->ncev; i-- > 0;) { /* meets(): contacts only */
        const fu_event *c = pl->cev[i];
        if (c->at < lo) break;
        if (c->at >= from || c->at > cx->now || !reached(c) || c->order_id != m->order || !meets(pl, m, c) ||
            c->priority != FU_PRIORITY_URGENT + 1 || !fu__pl_contact_by_team(pl, c, cad->steps[s].team))
            continue;
        int earlier = 0;
        for (size_t k = 0; k < s && !earlier; k++) {
            int64_t f0, t0;
            int rc = fu__pl_add_dur_i(pl, cx->zone->cal, trigger, &cad->steps[k].at, 0, &f0);
            if (!rc) rc = fu__pl_add_dur_i(pl, cx->zone->cal, f0, &cad->steps[k].within, 1, &t0);
            if (rc) return rc;
            earlier = c->at >= f0 && c->at <= t0;
        }
        if (!earlier) return 1;
    }
    return 0;
}

/* A step with `after`: when the earlier step's contact was made, the window
 * opens after it (*from moves); else *dep is that step's candidate of this
 * trigger (-1 when it is not due). */
static int step_after(fu_planner *pl, const pl_cust *cx, size_t n, const fu__pol_cadence *cad,
                      const fu__pol_step *st, const fu_event *e, int64_t trigger, const int *idx, int64_t *from,
                      int64_t *to, int *dep) {
    const fu__pol_step *pr = &cad->steps[st->after];
    pl_meet m;
    meet_of(pl, cx, pr, e, &m);
    int64_t pf, pt;
    int rc = fu__pl_add_dur_i(pl, cx->zone->cal, trigger, &pr->at, 0, &pf);
    if (!rc) rc = fu__pl_add_dur_i(pl, cx->zone->cal, pf, &pr->within, 1, &pt);
    if (rc) return rc;
    int64_t c = fulfilled_at(pl, &m, n, pf, pt, cx->now);
    if (c != INT64_MIN) {
        if (*from <= c) *from = c + 1;
        if (*to < *from) *to = *from;
    } else
        *dep = st->after < 64 ? idx[st->after] : -1;
    return FU_OK;
}

/* A call-back the customer asked for in a step's window [from, ...] that
 * ended before now (review s8b F1): the latest callback_requested contact on
 * a call channel since `from` asks for a call at the time of its note (else
 * redial.callback_requested.retry_after after it; fu__pl_callback_at()). The
 * call-back is the step's contact: due [r, r + within] from that time r, or
 * from now, overdue, when that window passed too without a contact since the
 * request. 1 and *cf, *ct, *overdue: due; 2: a contact after the request
 * reached the customer (done); 0: no call-back due; < 0 an error. */
static int pending_callback(fu_planner *pl, const pl_cust *cx, size_t n, const fu__pol_step *st, int64_t from,
                            int64_t *cf, int64_t *ct, int *overdue) {
    const fu_event *req = NULL;
    int reached = 0, tried = 0;
    (void)n;
    for (size_t i = pl->ncev; i-- > 0;) {
        const fu_event *e = pl->cev[i];
        if (e->at < from) break;
        if (e->at > cx->now) continue;
        int call = !e->channel || e->channel == FU_CHANNEL_PHONE || e->channel == FU_CHANNEL_VIDEO;
        int answered = e->outcome == FU_OUTCOME_ANSWERED || e->outcome == FU_OUTCOME_NONE;
        if (req && answered) return 0; /* the step itself was answered before the request */
        if (req) continue;
        if (e->outcome == FU_OUTCOME_CALLBACK_REQUESTED && call) req = e;
        else if (answered) reached = 1;
        else tried = 1;
    }
    if (!req) return 0;
    if (reached) return 2;
    int timed, q = fu__pl_callback_at(pl, cx, req, cf, &timed);
    if (q <= 0) return q;
    int rc = fu__pl_add_dur_i(pl, cx->zone->cal, *cf, &st->within, 1, ct);
    if (rc) return rc;
    *overdue = *ct < cx->now;
    if (!*overdue) return 1;
    if (tried) return 0; /* the call-back was tried after its window: never a second call */
    *cf = cx->now;
    return (rc = fu__pl_add_dur_i(pl, cx->zone->cal, *cf, &st->within, 1, ct)) ? rc : 1;
}

/* Whether a step whose window passed without a contact may come back,
 * overdue (review s8b F8, F9): not a step before its trigger (a renewal
 * reminder before the warranty's end) once the trigger has passed, nor a
 * step of a problem (fault, complaint, inquiry, feedback) that a `resolved`
 * (or a fault's `repair`) closed since the step's window opened: the
 * resolution answered it as a contact would have. */
static int overdue_may_revive(const fu_planner *pl, const fu_event *e, const fu__pol_step *st, int64_t trigger,
                              int64_t from, int64_t now) {
    if (st->at.value < 0 && trigger <= now) return 0;
    if (!e || (e->kind != FU_EVENT_FAULT && e->kind != FU_EVENT_COMPLAINT && e->kind != FU_EVENT_INQUIRY &&
               e->kind != FU_EVENT_FEEDBACK))
        return 1;
    return !fu__pl_resolved_since(pl, e, from);
}

/* Steps of one cadence from a trigger instant; keeps those due in the horizon. */
static int steps_from(fu_planner *pl, const pl_cust *cx, size_t n, const fu__pol_cadence *cad, const fu_event *e,
                      int64_t trigger, uint16_t flags, double cycle, size_t *fu__pl_candidates, size_t *done) {
    int idx[64]; /* candidate of each step of this trigger, -1 none (`after` names an earlier step) */
    for (size_t s = 0; s < 64 && s < cad->n_steps; s++) idx[s] = -1;
    for (size_t s = 0; s < cad->n_steps; s++) {
        const fu__pol_step *st = &cad->steps[s];
        if (e && e->at > cx->now && st->at.value >= 0) continue; /* an end ahead: only the steps before it */
        if (!fu__pl_when_customer(pl, cx, &st->when) || !fu__pl_when_ev(pl, cx, &st->when, e)) continue;
        int64_t from, to;
        int dep = -1;
        int rc = fu__pl_add_dur_i(pl, cx->zone->cal, trigger, &st->at, 0, &from);
        if (!rc) rc = fu__pl_add_dur_i(pl, cx->zone->cal, from, &st->within, 1, &to);
        if (!rc && st->after >= 0) rc = step_after(pl, cx, n, cad, st, e, trigger, idx, &from, &to, &dep);
        if (rc) return rc;
        if (from >= cx->end) continue;
        uint16_t fl = flags;
        int64_t own_from = from;
        pl_meet m;
        int cb = 0, cb_late = 0;
        if (to < cx->now && to + OVERDUE_REACH >= cx->now && pl->n_unanswered) {
            int64_t cf, ct; /* a call-back asked for in the window: at the time asked (review s8b F1) */
            if ((cb = pending_callback(pl, cx, n, st, from, &cf, &ct, &cb_late)) < 0) return cb;
            if (cb == 2) {
                (*done)++;
                continue;
            }
            if (cb == 1) {
                from = cf;
                to = ct;
                fl |= F_CALLBACK | (cb_late ? F_OVERDUE : 0);
            }
        }
        if (cb == 1) {
            if (from >= cx->end) continue;
        } else if (to < cx->now) { /* window passed: overdue while no contact since it opened (review s8 F14:
                                    * whatever kept it, holidays, agents, or no run within it) */
            int keep = cad->trigger == FU__TRIGGER_EVENT && to + OVERDUE_REACH >= cx->now;
            if (!keep || !overdue_may_revive(pl, e, st, trigger, from, cx->now)) continue;
            meet_of(pl, cx, st, e, &m);
            if (attempted(pl, &m, n, from, cx->now)) continue; /* made, or tried in its window: not due */
            from = cx->now;
            if ((rc = fu__pl_add_dur_i(pl, cx->zone->cal, from, &st->within, 1, &to))) return rc;
            if (st->at.value < 0 && to > trigger) to = trigger; /* a step before an end: due until the end */
            fl |= F_OVERDUE;
        } else if ((meet_of(pl, cx, st, e, &m), fulfilled(pl, &m, n, from, to, cx->now))) {
            (*done)++;
            continue;
        } else if ((rc = served_before(pl, cx, n, cad, s, e, trigger, &m, from)) != 0) {
            if (rc < 0) return rc;
            (*done)++;
            continue;
        }
        (*fu__pl_candidates)++;
        if ((rc = push_cand(pl, cx, cad, st, e, trigger, from, to, fl, cycle))) return rc;
        pl->cand[pl->ncand - 1].dep = dep;
        pl->cand[pl->ncand - 1].attempts_from = own_from;
        if (s < 64) idx[s] = (int)pl->ncand - 1;
    }
    return FU_OK;
}

/* pl->cev: the contact events of ev[0 .. n), in their order. */
static int list_contacts(fu_planner *pl, size_t n) {
    if (n > pl->cev_cap && fu__grow((void **)&pl->cev, &pl->cev_cap, n, sizeof *pl->cev)) return FU_ENOMEM;
    const fu_event **ev = pl->ev, **cev = pl->cev;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        cev[k] = ev[i];
        k += ev[i]->kind == FU_EVENT_CONTACT;
    }
    pl->ncev = k;
    return FU_OK;
}

static int cadence_replaced(const fu_planner *pl, const pl_cust *cx, size_t ci) {
    for (size_t k = pl->repl_off[ci]; k < pl->repl_off[ci + 1]; k++)
        if (fu__pl_when_customer(pl, cx, &pl->P->cadences[pl->repl_idx[k]].when)) return 1;
    return 0;
}

int fu__pl_compare_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* Purchase days of each class among the gathered events (the purchases
 * fu__pl_collect() listed with their classes), same-day purchases merged,
 * at most MAX_CYCLE_PURCHASES a class (the last ones): class c's in
 * pl->ptimes[c * MAX_CYCLE_PURCHASES ..], their count pl->ptk[c]. Made once
 * per customer for every cycle cadence (pl->pt_ready; fu__pl_collect()
 * clears it). */
static int class_purchase_times(fu_planner *pl) {
    size_t nc = pl->P->segments.n_classes, need = nc * MAX_CYCLE_PURCHASES;
    pl->pt_ready = !nc;
    if (!nc) return FU_OK;
    if (pl->ptimes_cap < need || pl->ptk_cap < nc) {
        int64_t *t = fu__realloc(pl->ptimes, need * sizeof *t);
        if (t) pl->ptimes = t, pl->ptimes_cap = need;
        size_t *k = t ? fu__realloc(pl->ptk, nc * sizeof *k) : NULL;
        if (k) pl->ptk = k, pl->ptk_cap = nc;
        if (!t || !k) return fu__error_nomem();
    }
    memset(pl->ptk, 0, nc * sizeof *pl->ptk);
    for (size_t i = 0; i < pl->npur; i++) {
        int cls = pl->pur[i].cls;
        if (cls < 0 || (size_t)cls >= nc) continue;
        int64_t *t = pl->ptimes + (size_t)cls * MAX_CYCLE_PURCHASES, at = pl->pur[i].at;
        size_t k = pl->ptk[cls];
        if (k && at - t[k - 1] < DAY) continue;
        if (k == MAX_CYCLE_PURCHASES) {
            memmove(t, t + 1, (k - 1) * sizeof *t);
            k--;
        }
        t[k++] = at;
        pl->ptk[cls] = k;
    }
    pl->pt_ready = 1;
    return FU_OK;
}

static double mean_interval_days(const int64_t *t, size_t k) {
    if (k < 2) return 0;
    size_t first = k > 7 ? k - 7 : 0; /* the last six intervals */
    return (double)(t[k - 1] - t[first]) / (double)(k - 1 - first) / (double)DAY;
}

/* `{promise: ...}` cadences: the steps of every promise of the customer in
 * the state the cadence names (fu_planner_set_ledger(); lib/planner_loop.c).
 * A progress contact before the deadline never opens before the promise
 * was made. */
static int promise_steps(fu_planner *pl, const pl_cust *cx, size_t n, const fu__pol_cadence *cad,
                         fu_plan_stats *st) {
    const fu__promise *pv;
    size_t np = fu__promise_set_of(&pl->promises, cx->index, &pv);
    for (size_t i = 0; i < np; i++) {
        int64_t trig = fu__promise_trigger(&pv[i], (int)cad->promise, cx->now);
        if (trig == INT64_MIN) continue;
        uint16_t fl = 0;
        /* a breach still unresolved, its window gone without an answered
         * contact since: the remedy is overdue, due from now */
        if (cad->promise == FU__PROMISE_BREACHED && trig < cx->now && !fulfilled(pl, NULL, n, trig, cx->now, cx->now)) {
            int64_t last_to = INT64_MIN;
            for (size_t s = 0; s < cad->n_steps; s++) {
                int64_t f0, t0;
                int rc = fu__pl_add_dur_i(pl, cx->zone->cal, trig, &cad->steps[s].at, 0, &f0);
                if (!rc) rc = fu__pl_add_dur_i(pl, cx->zone->cal, f0, &cad->steps[s].within, 1, &t0);
                if (rc) return rc;
                if (t0 > last_to) last_to = t0;
            }
            if (last_to < cx->now) {
                trig = cx->now;
                fl = F_OVERDUE;
            }
        }
        size_t first = pl->ncand;
        int rc = steps_from(pl, cx, n, cad, NULL, trig, fl, 0, &st->candidates, &st->done);
        if (rc) return rc;
        for (size_t k = first; k < pl->ncand; k++) {
            pl->cand[k].promise = &pv[i];
            if (pl->cand[k].from < pv[i].created_at) pl->cand[k].from = pv[i].created_at;
            if (pl->cand[k].to < pl->cand[k].from) pl->cand[k].to = pl->cand[k].from;
        }
    }
    return FU_OK;
}

/* `{cycle: x%}` cadences: per product class, x% of the customer's own
 * purchase cycle (enough purchases), else the tier's mean, else the default. */
static int cycle_steps(fu_planner *pl, const pl_cust *cx, size_t n, const fu__pol_cadence *cad, fu_plan_stats *st) {
    const fu__policy *P = pl->P;
    int rc0 = pl->pt_ready ? FU_OK : class_purchase_times(pl);
    if (rc0) return rc0;
    for (size_t cls = 0; cls < P->segments.n_classes; cls++) {
        if (cad->when.product_classes && !(cad->when.product_classes & (1u << cls))) continue;
        size_t k = pl->ptk[cls];
        const int64_t *pt = pl->ptimes + cls * MAX_CYCLE_PURCHASES;
        if (!k) continue;
        double days;
        uint16_t fl;
        if ((int)k >= (cad->min_purchases > 2 ? cad->min_purchases : 2)) {
            days = mean_interval_days(pt, k);
            fl = F_CYCLE_OWN;
        } else if (cx->tier >= 0 && pl->tier_cycle[cx->tier][cls] > 0) {
            days = pl->tier_cycle[cx->tier][cls];
            fl = F_CYCLE_TIER;
        } else {
            days = (double)pl->opt.default_cycle / (double)DAY;
            fl = F_CYCLE_DEFAULT;
        }
        if (!(days > 0)) continue;
        int64_t trig = pt[k - 1] + (int64_t)llround(days * cad->cycle * (double)DAY);
        /* steps carry the class through a stand-in event: the last purchase */
        const fu_event *lastp = NULL;
        for (size_t i = pl->npur; i-- > 0;) /* the purchases of ev[0 .. n) */
            if (pl->pur[i].at == pt[k - 1]) {
                lastp = pl->pur[i].e;
                break;
            }
        int rc = steps_from(pl, cx, n, cad, lastp, trig, fl, days, &st->candidates, &st->done);
        if (rc) return rc;
    }
    return FU_OK;
}

int fu__pl_candidates(fu_planner *pl, pl_cust *cx, size_t n, fu_plan_stats *st) {
    const fu__policy *P = pl->P;
    int rc;
    pl->ncand = 0;
    if ((rc = list_contacts(pl, n))) return rc;
    /* event cadences: only events whose cadences can still be due (listed by
     * fu__pl_collect()) */
    for (size_t i = 0; i < pl->ntrig; i++) {
        const fu_event *e = pl->trig[i];
        size_t nk = pl->n_kind_cads[e->kind];
        for (size_t k = 0; k < nk; k++) {
            const fu__pol_cadence *cad = &P->cadences[pl->kind_cads[e->kind][k]];
            if (!fu__pl_when_customer(pl, cx, &cad->when) || !fu__pl_when_ev(pl, cx, &cad->when, e)) continue;
            if ((rc = steps_from(pl, cx, n, cad, e, e->at, 0, 0, &st->candidates, &st->done))) return rc;
        }
    }
    const size_t *oc;
    size_t noc = fu__pl_other_of(pl, cx, &oc);
    for (size_t oi = 0; oi < noc; oi++) {
        size_t ci = oc[oi];
        const fu__pol_cadence *cad = &P->cadences[ci];
        if (!fu__pl_when_customer(pl, cx, &cad->when)) continue;
        if (cad->trigger == FU__TRIGGER_LIFECYCLE) {
            if ((int)cad->lifecycle != cx->lifecycle || cx->lifecycle_since == FU_BOOK_NO_TIME) continue;
            if (cadence_replaced(pl, cx, ci)) continue;
            if ((rc = steps_from(pl, cx, n, cad, NULL, cx->lifecycle_since, 0, 0, &st->candidates, &st->done)))
                return rc;
        } else if (cad->trigger == FU__TRIGGER_EVERY) {
            if (!fu__pl_when_ev(pl, cx, &cad->when, NULL) || cadence_replaced(pl, cx, ci)) continue;
            int64_t anchor = cx->first_purchase != FU_BOOK_NO_TIME ? cx->first_purchase : cx->first_event;
            if (anchor == FU_BOOK_NO_TIME || anchor > cx->now) continue;
            if (cx->last_answered != FU_BOOK_NO_TIME && cx->last_answered > anchor) anchor = cx->last_answered;
            int64_t due;
            if ((rc = fu__pl_add_dur_i(pl, cx->zone->cal, anchor, &cad->every, 0, &due))) return rc;
            for (size_t s = 0; s < cad->n_steps; s++) {
                const fu__pol_step *stp = &cad->steps[s];
                if (!fu__pl_when_customer(pl, cx, &stp->when) || !fu__pl_when_ev(pl, cx, &stp->when, NULL)) continue;
                int64_t from, to;
                uint16_t fl = 0;
                if ((rc = fu__pl_add_dur_i(pl, cx->zone->cal, due, &stp->at, 0, &from))) return rc;
                if ((rc = fu__pl_add_dur_i(pl, cx->zone->cal, from, &stp->within, 1, &to))) return rc;
                if (to < cx->now) { /* overdue: due from now for the same length */
                    from = cx->now;
                    if ((rc = fu__pl_add_dur_i(pl, cx->zone->cal, from, &stp->within, 1, &to))) return rc;
                    fl = F_OVERDUE;
                }
                if (from >= cx->end) continue;
                st->candidates++;
                if ((rc = push_cand(pl, cx, cad, stp, NULL, due, from, to, fl, 0))) return rc;
            }
        } else if (cad->trigger == FU__TRIGGER_PROMISE) {
            if ((rc = promise_steps(pl, cx, n, cad, st))) return rc;
        } else if (cad->trigger == FU__TRIGGER_CYCLE) {
            if ((rc = cycle_steps(pl, cx, n, cad, st))) return rc;
        }
    }
    return FU_OK;
}

/* One customer's cycle of a class in whole seconds: (last - first purchase
 * day) / (days - 1), rounded to the nearest second, halves up (span >= 0:
 * events are in time order). */
static int64_t customer_cycle_seconds(int64_t span, unsigned days) {
    int64_t d = (int64_t)days - 1, r = span % d;
    return span / d + (r >= d - r);
}

/* The one way a cycle in days is made from its parts (public header:
 * fu_planner_tier_cycles_from_sums()). */
static double cycle_days(int64_t sum_seconds, uint64_t count) {
    return count ? (double)sum_seconds / (double)count / 86400.0 : 0.0;
}

/* Per-tier cycles per class, from customers with enough purchases: exact
 * integer parts (sums of whole seconds and counts, independent of the order
 * of the customers), then the mean of each by cycle_days(). */
static int compute_tier_cycles(fu_planner *pl) {
    const fu__policy *P = pl->P;
    pl->tier_sums_own = 1;
    int need = 0;
    for (size_t i = 0; i < P->n_cadences; i++)
        if (P->cadences[i].trigger == FU__TRIGGER_CYCLE) {
            int m = P->cadences[i].min_purchases > 2 ? P->cadences[i].min_purchases : 2;
            if (!need || m < need) need = m;
        }
    if (!need || P->segments.n_classes == 0) return FU_OK;
    int64_t(*sum)[FU__POL_MAX_TIERS] = pl->tier_cycle_sum;
    uint64_t(*cnt)[FU__POL_MAX_TIERS] = pl->tier_cycle_cnt;
    int64_t last[FU__POL_MAX_TIERS], first[FU__POL_MAX_TIERS];
    unsigned k[FU__POL_MAX_TIERS];
    for (size_t ci = 0; ci < pl->ncust; ci++) {
        const fu_event *ev;
        size_t n;
        int rc = fu__book_customer_decode(pl->book, ci, &pl->evbuf, &ev, &n);
        if (rc) return rc;
        fu_customer cb;
        fu__book_customer_get(pl->book, ci, &cb);
        double spend = cb.annual_spend;
        memset(k, 0, sizeof k);
        double own = 0;
        for (size_t i = 0; i < n; i++) {
            if (ev[i].kind != FU_EVENT_PURCHASE) continue;
            if (isnan(cb.annual_spend) && ev[i].at > ev[n - 1].at - 365 * DAY && !isnan(ev[i].amount))
                own += ev[i].amount;
            int cls = fu__pl_event_class(pl, &ev[i]);
            if (cls < 0 || cls >= FU__POL_MAX_TIERS) continue;
            if (k[cls] && ev[i].at - last[cls] < DAY) continue;
            if (!k[cls]) first[cls] = ev[i].at;
            last[cls] = ev[i].at;
            k[cls]++;
        }
        if (isnan(spend)) spend = own;
        int tier = fu__policy_tier_of(P, spend);
        if (tier < 0) continue;
        for (size_t cls = 0; cls < P->segments.n_classes; cls++)
            if ((int)k[cls] >= need) {
                int64_t s = customer_cycle_seconds(last[cls] - first[cls], k[cls]);
                if (s > INT64_MAX - sum[tier][cls])
                    return fu__error_set(FU_ERANGE, "fu_planner_new: the purchase cycles of tier %d, class %zu "
                                                    "add up past %lld seconds", tier, cls, (long long)INT64_MAX);
                sum[tier][cls] += s;
                cnt[tier][cls]++;
            }
    }
    for (size_t t = 0; t < P->segments.n_tiers; t++)
        for (size_t c = 0; c < P->segments.n_classes; c++)
            pl->tier_cycle[t][c] = cycle_days(sum[t][c], cnt[t][c]);
    return FU_OK;
}

int fu_planner_tier_cycle_sums_add(int64_t *sum_seconds, uint64_t *count, const int64_t *part_sum,
                                   const uint64_t *part_count, size_t n) {
    if ((!sum_seconds || !count || !part_sum || !part_count) && n)
        return fu__error_set(FU_EINVAL, "fu_planner_tier_cycle_sums_add: %s is NULL",
                             !count ? "count" : !part_sum ? "part_sum" : !sum_seconds ? "sum_seconds" : "part_count");
    for (size_t i = 0; i < n; i++) {
        if (sum_seconds[i] < 0 || part_sum[i] < 0)
            return fu__error_set(FU_EINVAL, "fu_planner_tier_cycle_sums_add: part %zu has negative seconds (%lld, "
                                            "%lld)", i, (long long)sum_seconds[i], (long long)part_sum[i]);
        if (part_sum[i] > INT64_MAX - sum_seconds[i] || part_count[i] > UINT64_MAX - count[i])
            return fu__error_set(FU_ERANGE, "fu_planner_tier_cycle_sums_add: part %zu adds up past %lld seconds "
                                            "or %llu customers", i, (long long)INT64_MAX,
                                 (unsigned long long)UINT64_MAX);
    }
    for (size_t i = 0; i < n; i++) {
        sum_seconds[i] += part_sum[i];
        count[i] += part_count[i];
    }
    return FU_OK;
}

int fu_planner_tier_cycle_sums(const fu_planner *pl, int64_t *sum_seconds, uint64_t *count, size_t n, size_t *out) {
    if (!pl || !out || ((!sum_seconds || !count) && n))
        return fu__error_set(FU_EINVAL, "fu_planner_tier_cycle_sums: %s is NULL",
                             !pl ? "planner" : !out ? "out" : !sum_seconds ? "sum_seconds" : "count");
    const fu__pol_segments *S = &pl->P->segments;
    *out = S->n_tiers * S->n_classes;
    if (!pl->tier_sums_own)
        return fu__error_set(FU_ESTATE, "fu_planner_tier_cycle_sums: the planner was given its tier cycles "
                                        "(fu_planner_options.tier_cycles); only a planner that computes them has "
                                        "their parts");
    size_t k = 0;
    for (size_t t = 0; t < S->n_tiers; t++)
        for (size_t c = 0; c < S->n_classes; c++, k++)
            if (k < n) {
                sum_seconds[k] = pl->tier_cycle_sum[t][c];
                count[k] = pl->tier_cycle_cnt[t][c];
            }
    return FU_OK;
}

int fu_planner_tier_cycles_from_sums(const int64_t *sum_seconds, const uint64_t *count, size_t n, double *cycles) {
    if ((!sum_seconds || !count || !cycles) && n)
        return fu__error_set(FU_EINVAL, "fu_planner_tier_cycles_from_sums: %s is NULL",
                             !count ? "count" : !sum_seconds ? "sum_seconds" : "cycles");
    for (size_t i = 0; i < n; i++)
        if (sum_seconds[i] < 0 || (sum_seconds[i] > 0 && !count[i]))
            return fu__error_set(FU_EINVAL, "fu_planner_tier_cycles_from_sums: part %zu has %lld seconds over %llu "
                                            "customers (expected seconds >= 0, and customers where seconds > 0)",
                                 i, (long long)sum_seconds[i], (unsigned long long)count[i]);
    for (size_t i = 0; i < n; i++) cycles[i] = cycle_days(sum_seconds[i], count[i]);
    return FU_OK;
}

/* The model behind FU_PLANNER_BESTTIME: segments are the value tiers (the
 * customer's annual_spend, else the purchases of the year before its last
 * event), segment 0 for customers without a tier. */
static int own_besttime(fu_planner *pl) {
    uint32_t *seg = fu__malloc((pl->ncust ? pl->ncust : 1) * sizeof *seg);
    if (!seg) return fu__error_nomem();
    for (size_t ci = 0; ci < pl->ncust; ci++) {
        fu_customer cb;
        fu__book_customer_get(pl->book, ci, &cb);
        double spend = cb.annual_spend;
        if (isnan(spend)) {
            const fu_event *ev;
            size_t n;
            int rc = fu__book_customer_decode(pl->book, ci, &pl->evbuf, &ev, &n);
            if (rc) {
                fu__free(seg);
                return rc;
            }
            spend = 0;
            for (size_t i = 0; i < n; i++)
                if (ev[i].kind == FU_EVENT_PURCHASE && ev[i].at > ev[n - 1].at - 365 * DAY && !isnan(ev[i].amount))
                    spend += ev[i].amount;
        }
        seg[ci] = (uint32_t)(fu__policy_tier_of(pl->P, spend) + 1);
    }
    int rc = fu_besttime_new(&pl->own_bt, pl->policy, pl->book, seg, pl->P->segments.n_tiers + 1, NULL);
    fu__free(seg);
    return rc;
}

/* Plan one customer into `plan`. */
static int plan_one(fu_planner *pl, size_t ci, int64_t now, int64_t end, fu_plan *plan) {
    pl_cust cx;
    memset(&cx, 0, sizeof cx);
    cx.index = ci;
    fu_customer cb;
    fu__book_customer_get(pl->book, ci, &cb);
    cx.c = &cb;
    cx.now = now;
    cx.end = end;
    int rc = fu__pl_zone_get(pl, cx.c->tz, &cx.zone);
    if (rc) return rc;
    size_t n;
    if ((rc = fu__pl_gather(pl, ci, now, &n))) return rc;
    if ((rc = fu__pl_collect(pl, &cx, n))) return rc;
    if ((rc = fu__pl_candidates(pl, &cx, n, &plan->stats))) return rc;
    plan->stats.customers++;
    if (!pl->ncand) return FU_OK;
    if ((rc = fu__pl_mask_get(pl, ci, cx.c, &cx.mask))) return rc;
    for (size_t i = 0; i < pl->ncand; i++) {
        pl_cand *c = &pl->cand[i];
        if (pl->clv) fu__pl_apply_clv(pl, &cx, c);
        fu__pl_apply_consent(&cx, c);
        if (c->status == C_ACTIVE) fu__pl_apply_suppressions(pl, &cx, c);
    }
    /* suppressed / deferred before merging: reported one by one */
    for (size_t i = 0; i < pl->ncand; i++) {
        pl_cand *c = &pl->cand[i];
        if (c->status == C_SUPPRESSED && (rc = fu__pl_emit_single(pl, plan, &cx, (int)i, FU_TOUCHPOINT_SUPPRESSED))) return rc;
        if (c->status == C_DEFERRED && (rc = fu__pl_emit_single(pl, plan, &cx, (int)i, FU_TOUCHPOINT_DEFERRED))) return rc;
    }
    if ((rc = fu__pl_merge(pl, &cx, &plan->stats))) return rc;
    for (size_t gi = 0; gi < pl->ngrp; gi++) pl->grp[gi].exempt = (uint8_t)prio_exempt(pl->P, pl->grp[gi].priority);
    /* exempt groups first, then by the end of the window */
    if (pl->ngrp > 1) qsort(pl->grp, pl->ngrp, sizeof *pl->grp, fu__pl_grp_cmp);
    for (size_t gi = 0; gi < pl->ngrp; gi++)
        for (int k = 0; k < pl->grp[gi].n; k++) pl->cand[pl->gm[pl->grp[gi].first + k]].group = (int)gi;
    for (size_t gi = 0; gi < pl->ngrp; gi++) {
        pl_group *g = &pl->grp[gi];
        int64_t nb = fu__pl_after_placed(pl, g, gi), rb;
        int stop;
        if (pl->n_unanswered || pl->P->redial.lifetime < 0 || pl->P->redial.per_touchpoint < 0) {
            if ((rc = fu__pl_redial_check(pl, &cx, n, g, &rb, &stop))) return rc;
        } else { /* no call attempt without an answer: what fu__pl_redial_check() finds */
            rb = INT64_MIN;
            stop = 0;
            g->redial_rule = NULL;
            g->redial_callback = 0;
        }
        if (stop) { /* redial: no more calls for it */
            g->status = C_SUPPRESSED;
            g->best = g->from > now ? g->from : now;
            if ((rc = fu__pl_emit(pl, plan, &cx, g, FU_TOUCHPOINT_SUPPRESSED, g->block_rule, g->best))) return rc;
            continue;
        }
        if (rb > nb) {
            nb = rb;
            g->dep_rule = g->redial_rule;
        }
        if ((rc = fu__pl_place(pl, &cx, g, nb))) return rc;
        if (g->status == C_SUPPRESSED) {
            if ((rc = fu__pl_emit(pl, plan, &cx, g, FU_TOUCHPOINT_SUPPRESSED, g->block_rule, g->best))) return rc;
            continue;
        }
        if (g->best >= end) { /* a later run plans it: reported with what moved it */
            if ((rc = fu__pl_later_rule(pl, &cx, g, &g->later_rule))) return rc;
            if ((rc = fu__pl_emit(pl, plan, &cx, g, FU_TOUCHPOINT_LATER, g->later_rule, g->best))) return rc;
            continue;
        }
        if ((rc = add_contact(pl, g->best, g->channel, g->priority, g->exempt, g->orders, g->norders))) return rc;
        if (g->survey && (rc = add_survey_time(pl, g->best))) return rc;
        if ((rc = fu__pl_emit(pl, plan, &cx, g, FU_TOUCHPOINT_PLANNED, g->late_rule, g->best))) return rc;
    }
    return FU_OK;
}

/* ---------------------------------------------------------------- capacity */

static uint64_t clamp_u(int64_t v, int bits) {
    if (v < 0) return 0;
    uint64_t m = (UINT64_C(1) << bits) - 1;
    return (uint64_t)v > m ? m : (uint64_t)v;
}

static int apply_capacity(fu_planner *pl, fu_plan *plan, int64_t now, int64_t end) {
    size_t cap = (size_t)pl->opt.agents * pl->opt.calls_per_agent;
    plan->stats.capacity_per_day = cap;
    size_t n = 0;
    for (size_t i = 0; i < plan->n; i++)
        if (plan->tp[i].status == FU_TOUCHPOINT_PLANNED && fu__pl_is_agent_channel(plan->tp[i].channel)) n++;
    plan->stats.agent_contacts = n;
    if (!pl->opt.agents || (n <= cap && !pl->day_used)) return FU_OK;
    if (plan->n > ROW_MASK) return fu__error_set(FU_ELIMIT, "more than 2^29 - 1 touchpoints in a plan");
    if (!n) return FU_OK; /* nothing to order (a simulation's day already used) */
    if (fu__pl_rollover_applies(pl, now, end)) { /* several days: to the next day with room (review s11 M1) */
        size_t deferred = 0;
        int rc = fu__pl_capacity_rollover(pl, plan, cap, now, end, &deferred);
        plan->stats.agent_contacts -= deferred;
        return rc;
    }
    /* Most pressing first within a day: (day, priority, end of the window,
     * time, row), the day, end and time relative to their minima (clamped
     * to 16, 45 and 32 bits). In one 64-bit key when that fits, radix-sorted
     * with the rows (in row order, so a stable sort keeps the last field);
     * else in 16-byte keys sorted in place. key: 2n words (keys and the
     * radix sort's scratch, or the n 16-byte keys); row: 2n + the counts */
    uint64_t *key = fu__malloc(2 * n * sizeof *key);
    uint32_t *row = fu__malloc((2 * n + RADIX_COUNTS) * sizeof *row);
    if (!key || !row) {
        FU_FREE_ALL(key, row);
        return fu__error_nomem();
    }
    const fu_calendar *bc = pl->bcal->cal;
    int64_t minday = INT64_MAX, mindue = INT64_MAX, minbest = INT64_MAX;
    int64_t maxday = INT64_MIN, maxdue = INT64_MIN, maxbest = INT64_MIN;
    unsigned maxprio = 0;
    size_t m = 0;
    for (size_t i = 0; i < plan->n; i++) { /* the day and the row; the minima and maxima */
        const fu_touchpoint *t = &plan->tp[i];
        if (t->status != FU_TOUCHPOINT_PLANNED || !fu__pl_is_agent_channel(t->channel)) continue;
        if (t->due_to < mindue) mindue = t->due_to;
        if (t->due_to > maxdue) maxdue = t->due_to;
        if (t->best_at < minbest) minbest = t->best_at;
        if (t->best_at > maxbest) maxbest = t->best_at;
        if ((unsigned)t->priority > maxprio) maxprio = (unsigned)t->priority;
        int off = 0;
        fu_calendar_utc_offset(bc, t->best_at, &off);
        int64_t day = fu__pl_floordiv(t->best_at + off, DAY);
        if (day < minday) minday = day;
        if (day > maxday) maxday = day;
        key[m] = (uint64_t)day; /* made relative below */
        row[m] = (uint32_t)i;
        m++;
    }
    int db = fu__pl_bits_of(clamp_u(maxday - minday, 16)), ub = fu__pl_bits_of(clamp_u(maxdue - mindue, 45));
    int bb = fu__pl_bits_of(clamp_u(maxbest - minbest, 32)), pb = fu__pl_bits_of(maxprio), dshift = pb + ub + bb;
    uint64_t *keys = key; /* the sorted keys: the day relative at dshift */
    uint32_t *rows = row;
    if (db + dshift <= 64 && dshift < 64 && maxprio < 8) { /* no shift by 64 */
        for (size_t j = 0; j < n; j++) {
            const fu_touchpoint *t = &plan->tp[row[j]];
            key[j] = (clamp_u((int64_t)key[j] - minday, 16) << dshift) | ((uint64_t)t->priority << (ub + bb)) |
                     (clamp_u(t->due_to - mindue, 45) << bb) | clamp_u(t->best_at - minbest, 32);
        }
        if (fu__pl_radix_sort(key, row, key + n, row + n, n, db + dshift, row + 2 * n)) keys += n, rows += n;
    } else {
        pl_key *k = (pl_key *)(void *)key; /* k[j] covers key[2j], key[2j + 1]: filled from the end */
        for (size_t j = n; j-- > 0;) {
            const fu_touchpoint *t = &plan->tp[row[j]];
            uint64_t a = (clamp_u((int64_t)key[j] - minday, 16) << 48) | ((uint64_t)t->priority << 45) |
                         clamp_u(t->due_to - mindue, 45);
            k[j].a = a;
            k[j].b = (clamp_u(t->best_at - minbest, 32) << 32) | row[j];
        }
        fu__pl_key_sort_all(k, n);
        for (size_t j = 0; j < n; j++) { /* key[j] is within k[j / 2]: read before written */
            uint64_t a = k[j].a, b = k[j].b;
            key[j] = a;
            row[j] = (uint32_t)b;
        }
        dshift = 48;
    }
    size_t used = 0, deferred = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t day = minday + (int64_t)(keys[i] >> dshift);
        if (!i || (keys[i] >> dshift) != (keys[i - 1] >> dshift)) {
            used = 0;
            int64_t di = day - pl->day_used0;
            if (pl->day_used && di >= 0 && di < (int64_t)pl->day_used_n) used = pl->day_used[di].agent_contacts;
        }
        if (used < cap) {
            used++;
            continue;
        }
        fu_touchpoint *t = &plan->tp[rows[i]];
        int off = 0;
        fu_calendar_utc_offset(bc, t->best_at, &off);
        int64_t next_day = (day + 1) * DAY - off;
        /* the reason keeps why it is due; status and status_rule say why it waits */
        t->status = FU_TOUCHPOINT_DEFERRED;
        t->status_rule = "capacity.calls_per_agent_day";
        t->best_at = next_day <= t->due_to || t->best_at > t->due_to ? next_day : t->due_to;
        deferred++;
    }
    FU_FREE_ALL(key, row);
    plan->stats.agent_contacts -= deferred;
    return FU_OK;
}

/* ---------------------------------------------------------------- public */

/* Give the plan its own copies of the calendars its touchpoints use. */
static int plan_attach_zones(const fu_planner *pl, fu_plan *p) {
    if (!p->n) return FU_OK;
    if (!p->cals) {
        p->cals = fu__calloc(pl->nzones, sizeof *p->cals);
        if (!p->cals) return fu__error_nomem();
        p->ncals = pl->nzones;
    }
    for (size_t i = 0; i < p->n; i++) {
        uint16_t z = p->zone[i];
        if (z >= p->ncals || p->cals[z]) continue;
        int rc = fu_calendar_clone(&p->cals[z], pl->zones[z].cal);
        if (rc) return rc;
    }
    return FU_OK;
}


int fu__pl_check_span(int64_t now, int64_t horizon) {
    if (horizon <= 0) return fu__error_set(FU_EINVAL, "horizon must be > 0 (got %lld)", (long long)horizon);
    /* years 1..9999 with room for cadence offsets */
    if (now < FU__TIME_MIN + 400 * 366 * DAY || now > FU__TIME_MAX - 400 * 366 * DAY ||
        horizon > 100 * 366 * DAY)
        return fu__error_set(FU_ERANGE, "now or horizon outside the supported range");
    return FU_OK;
}

int fu__pl_plan_range(fu_planner *pl, size_t lo, size_t hi, int64_t now, int64_t horizon, int capacity,
                      fu_plan **out) {
    fu_plan *plan = NULL;
    int rc = fu__pl_plan_new(&plan, pl->book);
    if (rc) return rc;
    fu__pl_intern_reset(&pl->texts); /* the texts of this plan's arena */
    for (size_t ci = lo; ci < hi && !rc; ci++) {
        if (ci + 1 < hi) fu__book_customer_prefetch(pl->book, ci + 1); /* its attributes load meanwhile */
        rc = plan_one(pl, ci, now, now + horizon, plan);
        if (!rc) rc = FU_CANCEL_POLL(ci - lo, 256);
        if (capacity && pl->opt.progress && ((ci + 1 - lo) % 65536 == 0 || ci + 1 == hi))
            pl->opt.progress(pl->opt.progress_ud, ci + 1 - lo, hi - lo);
    }
    if (!rc) rc = fu__plan_team_hours(pl, plan, now, now + horizon);
    if (!rc && capacity == 1) rc = apply_capacity(pl, plan, now, now + horizon);
    plan->stats.due = plan->stats.candidates + plan->stats.done;
    if (!rc && capacity == 2) return *out = plan, FU_OK; /* open: fu__pl_plan_close() finishes it */
    if (!rc) rc = fu__pl_plan_finish(plan);
    if (!rc) rc = fu__pl_plan_notes(plan); /* after the scratch of capacity and sort is free */
    if (rc) {
        fu_plan_free(plan);
        return rc;
    }
    *out = plan;
    return FU_OK;
}

int fu__pl_plan_close(fu_planner *pl, fu_plan *plan, int64_t now, int64_t end) {
    int rc = fu__pl_plan_finish(plan);
    if (!rc) rc = fu__pl_plan_notes(plan);
    if (!rc) rc = plan_attach_zones(pl, plan);
    return rc ? rc : fu__plan_assign_agents(pl, plan, now, end);
}

int fu_planner_plan(fu_planner *pl, int64_t now, int64_t horizon, fu_plan **out) {
    if (!pl || !out) return fu__error_set(FU_EINVAL, "fu_planner_plan: %s is NULL", !pl ? "planner" : "out");
    int rc = fu__pl_check_span(now, horizon);
    if (rc) return rc;
    if ((rc = fu__pl_plan_range(pl, 0, pl->ncust, now, horizon, 1, out))) return rc;
    if ((rc = plan_attach_zones(pl, *out)) || (rc = fu__plan_assign_agents(pl, *out, now, now + horizon))) {
        fu_plan_free(*out);
        *out = NULL;
    }
    return rc;
}

int fu_planner_plan_customer(fu_planner *pl, size_t customer, int64_t now, int64_t horizon, fu_plan **out) {
    if (!pl || !out) return fu__error_set(FU_EINVAL, "fu_planner_plan_customer: %s is NULL", !pl ? "planner" : "out");
    if (customer >= pl->ncust) return fu__error_set(FU_EINVAL, "customer %zu out of range", customer);
    int rc = fu__pl_check_span(now, horizon);
    if (rc) return rc;
    if ((rc = fu__pl_plan_range(pl, customer, customer + 1, now, horizon, 0, out))) return rc;
    if ((rc = plan_attach_zones(pl, *out)) || (rc = fu__plan_assign_agents(pl, *out, now, now + horizon))) {
        fu_plan_free(*out);
        *out = NULL;
    }
    return rc;
}

/* ---------------------------------------------------------------- feed */

/* Append an event to a customer's overlay (events kept in time order). */
int fu__pl_overlay_add(fu_planner *pl, pl_overlay *o, size_t ci, const fu_event *e) {
    if (ci >= pl->ncust) return fu__error_set(FU_EINVAL, "customer index %zu out of range (%zu)", ci, pl->ncust);
    if (!o->head) {
        o->head = fu__malloc((pl->ncust ? pl->ncust : 1) * sizeof *o->head);
        if (!o->head) return fu__error_nomem();
        for (size_t i = 0; i < pl->ncust; i++) o->head[i] = -1;
    }
    if (o->head[ci] < 0) {
        if (o->n >= INT32_MAX) return fu__error_set(FU_ELIMIT, "too many customers with fed events");
        if (o->n == o->cap && FU_GROW(o->v, o->cap, o->n + 1)) return FU_ENOMEM;
        memset(&o->v[o->n], 0, sizeof o->v[o->n]);
        o->head[ci] = (int32_t)o->n++;
    }
    pl_ovvec *v = &o->v[o->head[ci]];
    if (v->n == v->cap && FU_GROW(v->ev, v->cap, v->n + 1)) return FU_ENOMEM;
    size_t j = v->n;
    while (j > 0 && v->ev[j - 1].at > e->at) {
        v->ev[j] = v->ev[j - 1];
        j--;
    }
    v->ev[j] = *e;
    v->n++;
    return FU_OK;
}

void fu__pl_overlay_remove(pl_overlay *o, size_t ci, const fu_event *e) {
    pl_ovvec *v = &o->v[o->head[ci]];
    for (size_t j = v->n; j-- > 0;)
        if (memcmp(&v->ev[j], e, sizeof *e) == 0) {
            memmove(&v->ev[j], &v->ev[j + 1], (v->n - j - 1) * sizeof *e);
            v->n--;
            return;
        }
}

static int tp_same(const fu_touchpoint *a, const fu_touchpoint *b) {
    /* best_at too: a contact the event moves (a redial after an unanswered
     * call) is cancelled at its old time and created at its new one */
    return a->due_from == b->due_from && a->due_to == b->due_to && a->channel == b->channel &&
           a->status == b->status && a->best_at == b->best_at && strcmp(a->rule, b->rule) == 0;
}

int fu_planner_feed(fu_planner *pl, const fu_event_in *in, int64_t now, int64_t horizon, fu_plan **out) {
    if (!pl || !in || !out || !in->customer_id)
        return fu__error_set(FU_EINVAL, "fu_planner_feed: %s is NULL",
                             !pl ? "planner" : !in ? "ev" : !out ? "out" : "ev->customer_id");
    *out = NULL;
    int rc = fu__pl_check_span(now, horizon);
    if (rc) return rc;
    if (in->at == FU_BOOK_NO_TIME) return fu__error_set(FU_EINVAL, "fu_planner_feed: the event has no time");
    if ((int)in->kind < 0 || (int)in->kind >= FU_EVENT_KIND_COUNT)
        return fu__error_set(FU_EINVAL, "fu_planner_feed: unknown event kind %d", (int)in->kind);
    if ((int)in->channel < 0 || (int)in->channel >= FU_CHANNEL_COUNT || (int)in->severity < 0 ||
        (int)in->severity > FU_SEVERITY_LOW || (int)in->outcome < 0 || (int)in->outcome >= FU_OUTCOME_COUNT)
        return fu__error_set(FU_EINVAL, "fu_planner_feed: an enum field is out of range");
    if (now < in->at) return fu__error_set(FU_EINVAL, "fu_planner_feed: now is before the event");
    size_t ci;
    if ((rc = fu_book_find_customer(pl->book, in->customer_id, strlen(in->customer_id), &ci))) return rc;
    if (ci >= pl->ncust) /* the book refuses changes while borrowed; never index past what was sized */
        return fu__error_set(FU_ESTATE, "fu_planner_feed: customer %s was added after the planner was made",
                             in->customer_id);
    if (pl->fed_at && pl->fed_at[ci] != FU_BOOK_NO_TIME && pl->fed_at[ci] > in->at)
        return fu__error_set(FU_EINVAL, "fu_planner_feed: event for %s is older than the last fed one",
                             in->customer_id);
    if (!pl->fed_at) {
        pl->fed_at = fu__malloc((pl->ncust ? pl->ncust : 1) * sizeof *pl->fed_at);
        if (!pl->fed_at) return fu__error_nomem();
        for (size_t i = 0; i < pl->ncust; i++) pl->fed_at[i] = FU_BOOK_NO_TIME;
    }
    /* The event joins the book (the one store of events): the planner
     * borrows it, and appending is the one change a borrowed book takes.
     * Every book is made non-const by fu_book_new(). */
    fu_book *book = (fu_book *)pl->book;
    fu_plan *before = NULL, *after = NULL, *res = NULL;
    size_t n0 = fu_book_event_count(book);
    rc = fu__pl_plan_range(pl, ci, ci + 1, now, horizon, 0, &before);
    if (!rc && (rc = fu_book_append_events(book, in, 1)) && rc != FU_ENOMEM) fu__error_prefix("fu_planner_feed");
    if (!rc && fu_book_event_count(book) == n0) { /* an exact duplicate: the book dropped it */
        fu_plan_free(before);
        return fu__pl_plan_new(out, pl->book);
    }
    fu_event e; /* the stored event, to take it back if planning fails */
    memset(&e, 0, sizeof e);
    if (!rc) {
        const fu_event *ev;
        size_t n, k;
        rc = fu__book_customer_decode(pl->book, ci, &pl->evbuf, &ev, &n);
        for (k = n; !rc && k > 0 && ev[k - 1].at > in->at;) k--;
        if (!rc) e = ev[k - 1]; /* after the events of equal time already there */
    }
    if (!rc) {
        rc = fu__pl_plan_range(pl, ci, ci + 1, now, horizon, 0, &after);
        if (rc) fu__book_unappend(book, ci, &e);
    }
    if (!rc) rc = fu__pl_plan_new(&res, pl->book);
    for (size_t i = 0; !rc && i < after->n; i++) {
        int seen = 0;
        for (size_t j = 0; j < before->n && !seen; j++) seen = tp_same(&after->tp[i], &before->tp[j]);
        if (!seen) rc = fu__pl_plan_push(res, &after->tp[i], after->zone[i], after->oid[i], after->flag[i]);
    }
    for (size_t j = 0; !rc && j < before->n; j++) {
        int seen = 0;
        for (size_t i = 0; i < after->n && !seen; i++) seen = tp_same(&after->tp[i], &before->tp[j]);
        if (!seen && before->tp[j].status == FU_TOUCHPOINT_PLANNED) {
            fu_touchpoint t = before->tp[j];
            t.status = FU_TOUCHPOINT_CANCELLED;
            t.status_rule = "";
            rc = fu__pl_plan_push(res, &t, before->zone[j], before->oid[j], before->flag[j]);
        }
    }
    if (!rc) {
        res->stats = after->stats;
        rc = fu__pl_plan_finish(res);
        if (!rc) rc = plan_attach_zones(pl, res);
    }
    if (rc && after) fu__book_unappend(book, ci, &e);
    if (!rc) {
        pl->fed_at[ci] = in->at;
        fu__arena_splice(&res->arena, &before->arena);
        fu__arena_splice(&res->arena, &after->arena);
        *out = res;
        res = NULL;
    }
    fu_plan_free(before);
    fu_plan_free(after);
    fu_plan_free(res);
    return rc;
}
