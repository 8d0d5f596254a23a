/* fu_planner_simulate(): the planner replayed day by day.
 * Part of fu_planner (lib/planner_internal.h). */
#include "planner_internal.h"

/* ---------------------------------------------------------------- simulate */

void fu_sim_report_free(fu_sim_report *r) {
    if (!r) return;
    fu__free((void *)r->days);
    fu__free(r);
}

/* One definition of every KPI (issue 14): coverage, SLA attainment and cap
 * violations of a simulation come from fu_kpi over the book's events
 * without its recorded contacts (the planner ignores them) plus the
 * contacts made, weekly figures of [from, to) pooled. Cap violations use a
 * second engine without the contacts of exempt priorities. */
static void sim_pool(const fu_kpi *k, fu_kpi_id id, size_t *units, size_t *succ) {
    size_t n = 0;
    const fu_kpi_figure *f = fu_kpi_figures(k, &n);
    *units = *succ = 0;
    for (size_t i = 0; i < n; i++)
        if (f[i].kpi == id && strcmp(f[i].group, "all") == 0) {
            *units += (size_t)f[i].n;
            *succ += (size_t)f[i].successes;
        }
}

static int sim_kpi_engine(fu_planner *pl, const pl_overlay *sim, int64_t from, int64_t to, fu_kpi **out) {
    fu_kpi_options ko;
    fu_kpi_options_init(&ko);
    ko.from = from;
    ko.to = to;
    ko.as_of = to;
    int rc = fu_kpi_new(out, pl->policy, &ko);
    fu_event_in *buf = rc ? NULL : fu__malloc(256 * sizeof *buf);
    fu_priority prio[256];
    if (!rc && !buf) rc = fu__error_nomem();
    for (size_t ci = 0; ci < pl->ncust && !rc; ci++) {
        fu_customer cbuf;
        fu__book_customer_get(pl->book, ci, &cbuf);
        const fu_customer *c = &cbuf;
        if ((rc = fu_kpi_add_customers(*out, c, 1))) break;
        const fu_event *be;
        size_t nb, m = 0;
        if ((rc = fu__book_customer_decode(pl->book, ci, &pl->evbuf, &be, &nb))) break;
        const pl_ovvec *v = sim->head && sim->head[ci] >= 0 ? &sim->v[sim->head[ci]] : NULL;
        size_t nv = v ? v->n : 0;
        for (size_t i = 0; i < nb + nv && !rc; i++) {
            const fu_event *e = i < nb ? &be[i] : &v->ev[i - nb];
            if (e->at >= to || (i < nb && e->kind == FU_EVENT_CONTACT)) continue;
            /* the KPI applies caps.exempt and the caps' priorities itself (history: normal) */
            prio[m] = e->reserved_[0] ? (fu_priority)(e->reserved_[0] - 1) : FU_PRIORITY_NORMAL;
            fu__event_in_of(pl->book, e, &buf[m++]);
            if (m == 256 || i + 1 == nb + nv) {
                rc = fu_kpi_add_events_priority(*out, buf, prio, m);
                m = 0;
            }
        }
        if (!rc && m) rc = fu_kpi_add_events_priority(*out, buf, prio, m);
    }
    fu__free(buf);
    size_t nf;
    return rc ? rc : fu_kpi_compute(*out, &nf);
}

static int sim_measure(fu_planner *pl, const pl_overlay *sim, int64_t from, int64_t to, fu_sim_report *r) {
    fu_kpi *k = NULL;
    int rc = sim_kpi_engine(pl, sim, from, to, &k);
    if (!rc) {
        size_t n;
        sim_pool(k, FU_KPI_COVERAGE, &r->customers_due, &r->customers_contacted);
        sim_pool(k, FU_KPI_RESPONSE_TIMELINESS, &r->sla_due, &r->sla_met);
        sim_pool(k, FU_KPI_OVER_CONTACT, &n, &r->cap_violations);
    }
    fu_kpi_free(k);
    return rc;
}

/* The contacts of one step's plan are made (answered, at best_at) and
 * counted per day of the policy calendar. */
static int sim_take(fu_planner *pl, pl_overlay *sim, const fu_plan *plan, int64_t now, fu_sim_day *days, size_t ndays,
                    int64_t day0, fu_sim_report *r) {
    const fu_calendar *bc = pl->bcal->cal;
    int rc = FU_OK;
    for (size_t i = 0; i < plan->n && !rc; i++) {
        const fu_touchpoint *t = &plan->tp[i];
        if (t->status == FU_TOUCHPOINT_LATER) continue; /* a later step plans it */
        int off = 0;
        fu_calendar_utc_offset(bc, t->status == FU_TOUCHPOINT_PLANNED ? t->best_at : now, &off);
        int64_t di = fu__pl_floordiv((t->status == FU_TOUCHPOINT_PLANNED ? t->best_at : now) + off, DAY) - day0;
        if (di < 0) di = 0;
        if (di >= (int64_t)ndays) di = (int64_t)ndays - 1;
        fu_sim_day *d = &days[di];
        if (t->status == FU_TOUCHPOINT_SUPPRESSED) {
            d->suppressed++;
            r->suppressed++;
            continue;
        }
        if (t->status == FU_TOUCHPOINT_DEFERRED) {
            d->deferred++;
            r->deferred++;
            continue;
        }
        fu_event e;
        memset(&e, 0, sizeof e);
        e.at = t->best_at;
        e.unit_price = NAN;
        e.amount = NAN;
        e.score = NAN;
        e.customer = (uint32_t)t->customer;
        e.kind = FU_EVENT_CONTACT;
        e.channel = (uint8_t)t->channel;
        e.outcome = FU_OUTCOME_ANSWERED;
        e.reserved_[0] = (uint8_t)(t->priority + 1);
        e.reserved_[1] = (uint8_t)fu__pl_rule_is_survey(pl->P, t->rule);
        e.order_id = plan->oid[i];
        rc = fu__pl_overlay_add(pl, sim, t->customer, &e);
        d->contacts++;
        r->contacts++;
        if (fu__pl_is_agent_channel(t->channel)) d->agent_contacts++;
    }
    return rc;
}

/* The most contacts a customer got in any 72 h / 7 d / 30 d. */
static void sim_peaks(const fu_planner *pl, const pl_overlay *sim, fu_sim_report *r) {
    for (size_t ci = 0; ci < pl->ncust; ci++) {
        const pl_ovvec *v = sim->head && sim->head[ci] >= 0 ? &sim->v[sim->head[ci]] : NULL;
        for (size_t i = 0; v && i < v->n; i++) {
            unsigned c72 = 0, c7 = 0, c30 = 0;
            for (size_t j = i; j < v->n; j++) {
                int64_t dt = v->ev[j].at - v->ev[i].at;
                if (dt < 72 * 3600) c72++;
                if (dt < 7 * DAY) c7++;
                if (dt < 30 * DAY) c30++;
            }
            if (c72 > r->max_contacts_72h) r->max_contacts_72h = c72;
            if (c7 > r->max_contacts_7d) r->max_contacts_7d = c7;
            if (c30 > r->max_contacts_30d) r->max_contacts_30d = c30;
        }
    }
}

/* Contacts per contacted customer per 30 days (review s7 F3): the contacts
 * made over the customers with at least one of them, per 30 days of the span
 * when it is longer than 30 days (a shorter span is not extrapolated: its
 * figure is a mean count within one 30-day window, never above
 * max_contacts_30d). Was contacts / customers_due (KPI customer-weeks) /
 * (days / 30): 13.6 on the shipped sample next to a peak of 4. */
static double sim_rate_30d(const fu_planner *pl, const pl_overlay *sim, int64_t from, int64_t to, size_t contacts) {
    size_t reached = 0;
    for (size_t ci = 0; sim->head && ci < pl->ncust; ci++)
        if (sim->head[ci] >= 0 && sim->v[sim->head[ci]].n > 0) reached++;
    double months = (double)(to - from) / (30.0 * (double)DAY);
    return reached ? (double)contacts / (double)reached / (months > 1.0 ? months : 1.0) : 0.0;
}

FU_DEFINE_INIT(fu_sim_options_init, fu_sim_options, FU_SIM_OPTIONS_INIT)

int fu_planner_simulate(fu_planner *pl, int64_t from, int64_t to, const fu_sim_options *opts, fu_sim_report **out) {
    if (!pl || !out) return fu__error_set(FU_EINVAL, "fu_planner_simulate: %s is NULL", !pl ? "planner" : "out");
    *out = NULL;
    if (opts && opts->version != FU_SIM_OPTIONS_VERSION)
        return fu__error_set(FU_EINVAL, "fu_planner_simulate: unknown options version %u", opts->version);
    int64_t step = opts && opts->step ? opts->step : DAY;
    if (step <= 0 || to <= from) return fu__error_set(FU_EINVAL, "fu_planner_simulate: empty span or bad step");
    int rc = fu__pl_check_span(from, to - from);
    if (rc) return rc;
    int64_t nsteps = (to - from + step - 1) / step;
    if (nsteps > 100000) return fu__error_set(FU_ELIMIT, "more than 100000 steps");
    const fu_calendar *bc = pl->bcal->cal;
    int off0 = 0, off1 = 0;
    fu_calendar_utc_offset(bc, from, &off0);
    fu_calendar_utc_offset(bc, to - 1, &off1);
    int64_t day0 = fu__pl_floordiv(from + off0, DAY), day1 = fu__pl_floordiv(to - 1 + off1, DAY);
    size_t ndays = (size_t)(day1 - day0 + 1);
    fu_sim_report *r = fu__calloc(1, sizeof *r);
    fu_sim_day *days = fu__calloc(ndays, sizeof *days);
    pl_overlay sim;
    memset(&sim, 0, sizeof sim);
    if (!r || !days) {
        rc = fu__error_nomem();
        goto done;
    }
    for (size_t d = 0; d < ndays; d++) {
        fu_date dt;
        days[d].capacity = (size_t)pl->opt.agents * pl->opt.calls_per_agent;
        if (!fu_date_from_days(day0 + (int64_t)d, &dt)) {
            fu_local z = {0};
            z.year = dt.year;
            z.month = dt.month;
            z.day = dt.day;
            if (fu_calendar_from_local(bc, &z, 0, &days[d].start)) days[d].start = (day0 + (int64_t)d) * DAY - off0;
        }
    }
    pl_overlay *saved = pl->ov;
    void (*saved_progress)(void *, size_t, size_t) = pl->opt.progress;
    pl->opt.progress = NULL;
    pl->ov = &sim;
    pl->ignore_book_contacts = 1;
    pl->day_used = days;
    pl->day_used0 = day0;
    pl->day_used_n = ndays;
    for (int64_t s = 0; s < nsteps && !rc; s++) {
        int64_t now = from + s * step;
        int64_t h = now + step > to ? to - now : step;
        fu_plan *plan = NULL;
        rc = fu__pl_plan_range(pl, 0, pl->ncust, now, h, 1, &plan);
        if (rc) break;
        rc = sim_take(pl, &sim, plan, now, days, ndays, day0, r);
        fu_plan_free(plan);
        r->steps++;
        if (opts && opts->progress) opts->progress(opts->progress_ud, (size_t)(s + 1), (size_t)nsteps);
    }
    pl->ov = saved;
    pl->opt.progress = saved_progress;
    pl->ignore_book_contacts = 0;
    pl->day_used = NULL;
    if (rc) goto done;
    /* coverage, caps and SLA from the KPI engine; contacts per window */
    r->from = from;
    r->to = to;
    r->customers = pl->ncust;
    rc = sim_measure(pl, &sim, from, to, r);
    if (!rc) sim_peaks(pl, &sim, r);
    if (rc) goto done;
    r->coverage = r->customers_due ? (double)r->customers_contacted / (double)r->customers_due : 1.0;
    r->sla_attainment = r->sla_due ? (double)r->sla_met / (double)r->sla_due : 1.0;
    r->contacts_per_customer_30d = sim_rate_30d(pl, &sim, from, to, r->contacts);
    size_t total = 0;
    for (size_t d = 0; d < ndays; d++) {
        total += days[d].agent_contacts;
        if (days[d].agent_contacts > r->max_agent_load) r->max_agent_load = days[d].agent_contacts;
    }
    r->mean_agent_load = (double)total / (double)ndays;
    r->days = days;
    r->n_days = ndays;
    days = NULL;
    *out = r;
    r = NULL;
done:
    fu__pl_overlay_free(&sim);
    fu__free(days);
    fu_sim_report_free(r);
    return rc;
}
