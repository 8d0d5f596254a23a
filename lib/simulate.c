/* Decision quality: replay a span under a contact policy with a team, a hidden
 * answer model and contact fatigue; every KPI comes from the KPI engine
 * (followup/simulate.h, docs/simulate.md). Uses only the public planner, book,
 * KPI, calendar and frequency APIs. */
#include "internal.h"
#include "besttime_internal.h"
#include "book_decode.h"
#include "errtext.h"

#include "followup/calendar.h"
#include "followup/commit.h"
#include "followup/kpi.h"
#include "followup/planner.h"
#include "followup/simulate.h"
#include "followup/stats.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HOUR INT64_C(3600)
#define DAY INT64_C(86400)
#define MAX_AGENTS 999u
#define FATIGUE_NOTE "too many calls"

static const char *const measure_names[FU_SIM_MEASURE_COUNT] = {
    "coverage", "response_timeliness", "response_timeliness_urgent", "over_contact", "cap_violations",
    "follow_up_complaints", "answer_rate", "calls_per_agent_day", "max_calls_agent_day", "off_hours_calls",
    "csat", "contacts", "promises_kept"};

const char *fu_simulation_measure_name(fu_simulation_measure measure) {
    return measure >= 0 && measure < FU_SIM_MEASURE_COUNT ? measure_names[measure] : NULL;
}

FU_DEFINE_INIT(fu_simulation_options_init, fu_simulation_options, FU_SIMULATION_OPTIONS_INIT)

/* ------------------------------------------------------------ random */

static uint64_t rng_next(uint64_t *s) { /* splitmix64 */
    uint64_t z = (*s += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static double rng_unit(uint64_t *s) { return (double)(rng_next(s) >> 11) * (1.0 / 9007199254740992.0); }

/* A uniform draw keyed on a call, not on the order of the calls (common random
 * numbers): the same call in two runs (two arms, two team sizes) gets the same
 * number. key: the run's seed, the customer, the call's local day and hour, the
 * attempt within that hour and which draw (answer, complaint, its delay). */
static double keyed_unit(uint64_t seed, size_t customer, int64_t local_day, int hour, unsigned attempt,
                         unsigned which) {
    uint64_t k = seed ^ UINT64_C(0x5DEECE66D);
    (void)rng_next(&k); /* mixes the seed */
    k ^= (uint64_t)customer * UINT64_C(0xD6E8FEB86659FD93);
    (void)rng_next(&k);
    k ^= (uint64_t)local_day * UINT64_C(0x9E3779B97F4A7C15) + (uint64_t)hour * 64u + attempt * 4u + which;
    return rng_unit(&k);
}

/* ------------------------------------------------------------ event lists */

typedef struct evlist {
    fu_event_in *ev;
    unsigned char *prio; /* contacts made by the simulation: priority + 1; 0 for recorded history */
    size_t n, cap;
} evlist;

static int ev_push(evlist *l, const fu_event_in *e, int prio) {
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 1024;
        fu_event_in *ev = fu__realloc(l->ev, cap * sizeof *ev);
        if (!ev) return fu__error_set(FU_ENOMEM, "out of memory");
        l->ev = ev;
        unsigned char *ex = fu__realloc(l->prio, cap);
        if (!ex) return fu__error_set(FU_ENOMEM, "out of memory");
        l->prio = ex;
        l->cap = cap;
    }
    l->ev[l->n] = *e;
    l->prio[l->n++] = (unsigned char)prio;
    return FU_OK;
}

static void ev_free(evlist *l) {
    fu__free(l->ev);
    fu__free(l->prio);
    memset(l, 0, sizeof *l);
}

/* fu_book_string gives NULL for the string id 0 (none). */
void fu__event_in_of(const fu_book *b, const fu_event *e, fu_event_in *o) {
    fu_event_in_init(o);
    o->customer_id = fu__book_customer_id(b, e->customer);
    o->at = e->at;
    o->kind = (fu_event_kind)e->kind;
    o->order_id = fu_book_string(b, e->order_id);
    o->product_class = fu_book_string(b, e->product_class);
    o->unit_price = e->unit_price;
    o->amount = e->amount;
    o->severity = (fu_severity)e->severity;
    o->channel = (fu_channel)e->channel;
    o->agent_id = fu_book_string(b, e->agent_id);
    o->outcome = (fu_outcome)e->outcome;
    o->score = (double)e->score;
    o->survey = (fu_survey)e->survey;
    o->note = fu_book_string(b, e->note);
}

static int cmp_time(const void *a, const void *b) {
    const fu_event_in *x = a, *y = b;
    if (x->at != y->at) return (x->at > y->at) - (x->at < y->at);
    int c = strcmp(x->customer_id, y->customer_id);
    return c ? c : (int)x->kind - (int)y->kind;
}

/* Split the book into the history (before from) and the span's events that
 * the mode keeps; events at or after `to` are dropped. */
static int split_decoded(const fu_book *b, const fu_simulation_options *o, evlist *hist, evlist *span,
                         const fu_event *ev, size_t n);

static int split_events(const fu_book *b, const fu_simulation_options *o, evlist *hist, evlist *span) {
    fu__evbuf buf = {NULL, 0};
    const fu_event *ev;
    size_t n;
    int rc = fu__book_events_decode(b, &buf, &ev, &n);
    if (!rc) rc = split_decoded(b, o, hist, span, ev, n);
    fu__evbuf_free(&buf);
    return rc;
}

static int split_decoded(const fu_book *b, const fu_simulation_options *o, evlist *hist, evlist *span,
                         const fu_event *ev, size_t n) {
    for (size_t i = 0; i < n; i++) {
        fu_event_in e;
        if (ev[i].at >= o->to) continue;
        fu__event_in_of(b, &ev[i], &e);
        if (e.at < o->from) {
            if (ev_push(hist, &e, 0)) return FU_ENOMEM;
            continue;
        }
        if (o->mode == FU_SIMULATION_POLICY) {
            if (e.kind == FU_EVENT_CONTACT || e.kind == FU_EVENT_SURVEY) continue;
            if (e.kind == FU_EVENT_COMPLAINT && e.note && strcmp(e.note, FATIGUE_NOTE) == 0) continue;
        }
        if (ev_push(span, &e, 0)) return FU_ENOMEM;
    }
    if (span->n) qsort(span->ev, span->n, sizeof *span->ev, cmp_time); /* the book orders by customer */
    return FU_OK;
}

/* ------------------------------------------------------------ measuring */

static int is_agent_channel(int ch) {
    return ch == FU_CHANNEL_PHONE || ch == FU_CHANNEL_VIDEO || ch == FU_CHANNEL_CHAT || ch == FU_CHANNEL_VISIT;
}

static void set_prop(fu_simulation_value *v, double x, double n, double level) {
    v->n = n;
    v->successes = x;
    v->value = n > 0 ? x / n : NAN;
    v->ci_low = v->ci_high = NAN;
    if (n > 0) fu_stats_wilson(x, n, level, &v->ci_low, &v->ci_high);
}

/* Pool the weekly figures of one KPI (successes and units summed). */
static void pool(const fu_kpi *k, fu_kpi_id id, double level, fu_simulation_value *v, size_t *weeks) {
    size_t n = 0;
    const fu_kpi_figure *f = fu_kpi_figures(k, &n);
    double x = 0, u = 0, sum = 0;
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        if (f[i].kpi != id || strcmp(f[i].group, "all") != 0) continue;
        u += f[i].n;
        if (isnan(f[i].successes)) sum += f[i].value * f[i].n; /* means (CSAT) */
        else x += f[i].successes;
        w++;
    }
    if (weeks) *weeks = w;
    if (id == FU_KPI_CSAT) {
        v->value = u > 0 ? sum / u : NAN;
        v->ci_low = v->ci_high = v->successes = NAN;
        v->n = u;
        return;
    }
    set_prop(v, x, u, level);
}

typedef enum { ENGINE_ALL, ENGINE_URGENT, ENGINE_TIER } engine_kind;

static int keep_for(engine_kind kind, const fu_event_in *e) {
    int issue = e->kind == FU_EVENT_FAULT || e->kind == FU_EVENT_COMPLAINT || e->kind == FU_EVENT_INQUIRY ||
                e->kind == FU_EVENT_FEEDBACK;
    if (kind == ENGINE_URGENT) return e->kind == FU_EVENT_CONTACT || (issue && e->severity == FU_SEVERITY_URGENT);
    if (kind == ENGINE_TIER) return e->kind == FU_EVENT_CONTACT || issue;
    return 1;
}

/* Events [a, b) of a list; with priorities, the KPI applies the caps to each
 * contact as the planner did (caps.exempt, caps that name priorities). */
static int add_batch(fu_kpi *k, const evlist *l, size_t a, size_t b, int with_priority) {
    if (!with_priority) return fu_kpi_add_events(k, l->ev + a, b - a);
    fu_priority prio[256];
    int rc = FU_OK;
    for (size_t i = a; i < b && !rc; i += 256) {
        size_t m = b - i < 256 ? b - i : 256;
        for (size_t j = 0; j < m; j++)
            prio[j] = l->prio[i + j] ? (fu_priority)(l->prio[i + j] - 1) : FU_PRIORITY_NORMAL;
        rc = fu_kpi_add_events_priority(k, l->ev + i, prio, m);
    }
    return rc;
}

static int run_engine(const fu_policy *p, const fu_customer *cust, size_t nc, const evlist *lists[], size_t nl,
                      const fu_simulation_options *o, engine_kind kind, fu_kpi **out) {
    fu_kpi_options ko;
    fu_kpi_options_init(&ko);
    ko.period = FU_KPI_WEEK;
    ko.from = o->from;
    ko.to = o->to;
    ko.as_of = o->to;
    if (kind == ENGINE_TIER) ko.by = FU_KPI_BY_TIER;
    int rc = fu_kpi_new(out, p, &ko);
    if (rc) return rc;
    if ((rc = fu_kpi_add_customers(*out, cust, nc))) return rc;
    for (size_t l = 0; l < nl; l++) {
        size_t start = 0;
        for (size_t i = 0; i <= lists[l]->n; i++) { /* batches of kept events */
            int keep = i < lists[l]->n && keep_for(kind, &lists[l]->ev[i]);
            if (keep) continue;
            if (i > start && (rc = add_batch(*out, lists[l], start, i, kind == ENGINE_ALL))) return rc;
            start = i + 1;
        }
    }
    size_t nf;
    return fu_kpi_compute(*out, &nf);
}

/* Response timeliness by value tier (fu_simulation_details version 2): the
 * weekly figures of each tier group pooled. */
static void pool_tiers(const fu_kpi *k, double level, fu_simulation_details *d) {
    size_t n = 0;
    const fu_kpi_figure *f = fu_kpi_figures(k, &n);
    double x[FU_SIMULATION_MAX_TIERS] = {0}, u[FU_SIMULATION_MAX_TIERS] = {0};
    d->n_tiers = 0;
    for (size_t i = 0; i < n; i++) {
        if (f[i].kpi != FU_KPI_RESPONSE_TIMELINESS) continue;
        size_t t = 0;
        while (t < d->n_tiers && strcmp(d->tier_name[t], f[i].group) != 0) t++;
        if (t == FU_SIMULATION_MAX_TIERS) continue;
        if (t == d->n_tiers) snprintf(d->tier_name[d->n_tiers++], sizeof d->tier_name[0], "%s", f[i].group);
        x[t] += f[i].successes;
        u[t] += f[i].n;
    }
    for (size_t t = 0; t < d->n_tiers; t++) set_prop(&d->timeliness_tier[t], x[t], u[t], level);
    for (size_t i = 1; i < d->n_tiers; i++) /* by name: the same order in every run */
        for (size_t j = i; j > 0 && strcmp(d->tier_name[j - 1], d->tier_name[j]) > 0; j--) {
            char name[sizeof d->tier_name[0]];
            fu_simulation_value v = d->timeliness_tier[j];
            memcpy(name, d->tier_name[j], sizeof name);
            memcpy(d->tier_name[j], d->tier_name[j - 1], sizeof name);
            memcpy(d->tier_name[j - 1], name, sizeof name);
            d->timeliness_tier[j] = d->timeliness_tier[j - 1];
            d->timeliness_tier[j - 1] = v;
        }
}

static double policy_level(const fu_policy *p) {
    double level = 0.95;
    if (fu_policy_get_number(p, "kpis.confidence", &level) != FU_OK || !(level > 0 && level < 1)) level = 0.95;
    return level;
}

/* Two passes of the KPI engine: every event with the priority each contact
 * was planned with (recorded history: normal), and the urgent issues alone.
 * The over_contact row and the cap violations are one figure: a contact over
 * a cap by the planner's rules (caps.exempt priorities never are, a cap that
 * names priorities counts only those), as share and as count. (Until
 * 2026-12-06 a third pass without priorities gave over_contact, so urgent
 * contacts over a cap counted there but not in the violations.) */
static int measure_kpis(const fu_policy *p, const fu_customer *cust, size_t nc, const evlist *lists[], size_t nl,
                        const fu_simulation_options *o, fu_simulation_report *r, fu_simulation_details *d) {
    double level = policy_level(p);
    fu_kpi *k = NULL;
    int rc = run_engine(p, cust, nc, lists, nl, o, ENGINE_ALL, &k);
    if (rc == FU_OK) {
        pool(k, FU_KPI_COVERAGE, level, &r->measures[FU_SIM_COVERAGE], &r->weeks);
        pool(k, FU_KPI_RESPONSE_TIMELINESS, level, &r->measures[FU_SIM_TIMELINESS], NULL);
        pool(k, FU_KPI_OVER_CONTACT, level, &r->measures[FU_SIM_OVER_CONTACT], NULL);
        pool(k, FU_KPI_FOLLOW_UP_COMPLAINTS, level, &r->measures[FU_SIM_FOLLOW_UP_COMPLAINTS], NULL);
        pool(k, FU_KPI_CSAT, level, &r->measures[FU_SIM_CSAT], NULL);
        r->measures[FU_SIM_CAP_VIOLATIONS] = r->measures[FU_SIM_OVER_CONTACT];
        r->measures[FU_SIM_CAP_VIOLATIONS].value = r->measures[FU_SIM_OVER_CONTACT].successes;
    }
    fu_kpi_free(k);
    k = NULL;
    if (rc == FU_OK && (rc = run_engine(p, cust, nc, lists, nl, o, ENGINE_URGENT, &k)) == FU_OK)
        pool(k, FU_KPI_RESPONSE_TIMELINESS, level, &r->measures[FU_SIM_TIMELINESS_URGENT], NULL);
    fu_kpi_free(k);
    k = NULL;
    if (rc == FU_OK && d && (rc = run_engine(p, cust, nc, lists, nl, o, ENGINE_TIER, &k)) == FU_OK)
        pool_tiers(k, level, d); /* by tier: the SLA by tier (review s9, D4) */
    fu_kpi_free(k);
    return rc;
}

/* Answer rate, calls per agent per day and off-hours calls of the span's contacts. */
typedef struct agent_day {
    const char *agent;
    int64_t day;
    size_t calls;
} agent_day;

static int count_contacts(const fu_calendar *team, const evlist *l, const fu_simulation_options *o,
                          double level, fu_simulation_report *r) {
    size_t attempts = 0, answered = 0, off = 0, contacts = 0, nad = 0, cap = 0, max = 0, total = 0;
    agent_day *ad = NULL;
    for (size_t i = 0; i < l->n; i++) {
        const fu_event_in *e = &l->ev[i];
        if (e->kind != FU_EVENT_CONTACT || e->at < o->from || e->at >= o->to) continue;
        contacts++;
        if (!is_agent_channel(e->channel)) continue;
        attempts++;
        answered += e->outcome == FU_OUTCOME_ANSWERED;
        off += fu_calendar_is_open(team, e->at) != 1;
        fu_local loc;
        if (fu_calendar_to_local(team, e->at, &loc)) continue;
        int64_t day = 0;
        fu_date d = {loc.year, loc.month, loc.day};
        fu_date_to_days(&d, &day);
        const char *agent = e->agent_id ? e->agent_id : "";
        size_t j = 0;
        while (j < nad && !(ad[j].day == day && strcmp(ad[j].agent, agent) == 0)) j++;
        if (j == nad) {
            if (nad == cap) {
                cap = cap ? cap * 2 : 256;
                agent_day *t = fu__realloc(ad, cap * sizeof *t);
                if (!t) {
                    fu__free(ad);
                    return fu__error_set(FU_ENOMEM, "out of memory");
                }
                ad = t;
            }
            ad[nad++] = (agent_day){agent, day, 0};
        }
        ad[j].calls++;
        total++;
        if (ad[j].calls > max) max = ad[j].calls;
    }
    fu__free(ad);
    set_prop(&r->measures[FU_SIM_ANSWER_RATE], (double)answered, (double)attempts, level);
    fu_simulation_value *v = &r->measures[FU_SIM_CALLS_PER_AGENT_DAY];
    *v = (fu_simulation_value){nad ? (double)total / (double)nad : 0.0, NAN, NAN, (double)nad, NAN};
    r->measures[FU_SIM_MAX_CALLS_AGENT_DAY] = (fu_simulation_value){(double)max, NAN, NAN, (double)nad, NAN};
    r->measures[FU_SIM_OFF_HOURS_CALLS] = (fu_simulation_value){(double)off, NAN, NAN, (double)attempts, NAN};
    r->measures[FU_SIM_CONTACTS] = (fu_simulation_value){(double)contacts, NAN, NAN, (double)contacts, NAN};
    return FU_OK;
}

/* ------------------------------------------------------------ the policy run */

typedef struct zone_cal {
    const char *tz;
    fu_calendar *cal;
} zone_cal;

typedef struct queued {
    size_t customer;
    int64_t due_from, due_to, best_at;
    fu_channel channel;
    fu_priority priority;
    size_t rule; /* offset of the rule's copy in sim.rules (the plan that named it is freed) */
    int state;   /* 0 waiting, 1 made and answered, 2 dropped, 3 made, not answered, 4 superseded by a re-plan */
    int moved;   /* moved later by the agent: the planner checks it again when its time comes */
    int64_t trigger_at; /* the touchpoint's first trigger (fu_simulation_details) */
} queued;

/* A due touchpoint a plan held back (fu_simulation_details): by a cap or by
 * the team's capacity. */
typedef struct held {
    size_t customer;
    int64_t trigger_at; /* with the rule, the touchpoint (an overdue one is due again from each run's now) */
    int64_t due_from, due_to;
    uint64_t rule;      /* FNV-1a of the step's rule */
    int capacity;       /* 0 a cap (caps.*), 1 capacity (capacity.*, agents.calls_per_day) */
} held;

/* A promise of the book due in the span (see "Promises" in followup/simulate.h). */
typedef struct promise {
    size_t customer;
    const char *note;   /* the contact's note (the book's string) */
    int64_t made, deadline;
    int64_t resolved;   /* the first `resolved` event after it, by the deadline; INT64_MAX none */
    int64_t id;         /* in the policy mode's ledger, 0 none */
    int fulfilled;      /* in that ledger */
} promise;

typedef struct sim {
    const fu_policy *policy;
    const fu_book *book;
    const fu_simulation_options *o;
    const fu_calendar *team; /* the team's hours: agents.calendar, else the default calendar */
    const fu_calendar *cal;  /* the policy's default calendar (business time, promise deadlines) */
    fu_customer *cust;
    size_t nc;
    evlist hist, span, made; /* made: simulated contacts and complaints */
    zone_cal *zones;
    size_t nzones;
    int64_t **times; /* per customer: contact times (history + made), ascending */
    size_t *ntimes, *captimes;
    int64_t *last_pos;
    queued *q;
    size_t nq, capq;
    char *rules; /* the queued rules' text, NUL-separated; emptied with the queue */
    size_t nrules, caprules;
    unsigned int *agent_calls; /* today */
    unsigned int agents, cpa;
    unsigned char exempt[4]; /* by priority */
    int64_t min_gap;         /* caps.min_gap in seconds, 0 when none */
    fu_duration retry;       /* redial.no_answer.retry_after; value 0 when none */
    char agent_names[MAX_AGENTS][16];
    struct promise *pr; /* the book's promises due in the span */
    size_t npr;
    fu_ledger *ledger;  /* policy mode: the promises, for the planner */
    FILE *trace;        /* FU_SIM_TRACE=path: a CSV of the run's decisions (debugging; off by default) */
    held *held;         /* due touchpoints the plans held by a cap or capacity, with repeats */
    size_t nheld, capheld;
    size_t *own;        /* indexes in `made` of the complaints the run caused, not yet fed (own_next()) */
    size_t nown, capown;
    fu_besttime *mix_prev; /* the best-time arm with a mixture: yesterday's model, today's fit starts from it */
} sim;

/* FU_SIM_TRACE: one line per queued, made or dropped contact and per event the
 * planner refused (bench/sim_coverage_diag.py reads it). */
static void trace(const sim *s, const char *what, size_t c, const char *rule, int64_t due_from, int64_t due_to,
                  int64_t at, const char *detail) {
    if (!s->trace) return;
    fprintf(s->trace, "%s,%s,%s,%lld,%lld,%lld,%s\n", what, s->cust[c].id, rule ? rule : "", (long long)due_from,
            (long long)due_to, (long long)at, detail ? detail : "");
}

/* ------------------------------------------------------------ promises */

static double keep_prob(const fu_simulation_options *o) {
    return o->version >= 2 && o->promise_contact_keep >= 0 ? o->promise_contact_keep : 0.5;
}

static int promise_push(sim *s, const promise *p, size_t *cap) {
    if (s->npr == *cap) {
        size_t c = *cap ? *cap * 2 : 64;
        promise *v = fu__realloc(s->pr, c * sizeof *v);
        if (!v) return fu__error_set(FU_ENOMEM, "out of memory");
        s->pr = v;
        *cap = c;
    }
    s->pr[s->npr++] = *p;
    return FU_OK;
}

/* The promises in the notes of customer c's recorded contacts due in the span. */
static int promises_of(sim *s, fu_extractor *ex, size_t c, size_t *cap, fu__evbuf *buf) {
    const fu_event *ev = NULL;
    size_t n = 0;
    int rc = fu__book_customer_decode(s->book, c, buf, &ev, &n);
    for (size_t i = 0; i < n && rc == FU_OK; i++) {
        if (ev[i].kind != FU_EVENT_CONTACT || !ev[i].note || ev[i].at >= s->o->to) continue;
        const char *note = fu_book_string(s->book, ev[i].note);
        fu_extraction *x = NULL;
        rc = fu_extractor_run(ex, s->cal, note, strlen(note), ev[i].at, &x);
        if (rc == FU_EINVAL || rc == FU_ERANGE || rc == FU_ELIMIT) { /* no readable promise in it */
            fu_error_clear();
            rc = FU_OK;
            continue;
        }
        for (size_t k = 0; rc == FU_OK && k < fu_extraction_promise_count(x); k++) {
            int64_t d = fu_extraction_promise(x, k)->deadline;
            if (d < s->o->from || d >= s->o->to || d <= ev[i].at) continue;
            promise p = {c, note, ev[i].at, d, INT64_MAX, 0, 0};
            for (size_t j = i + 1; j < n && ev[j].at <= d; j++)
                if (ev[j].kind == FU_EVENT_RESOLVED && ev[j].at > ev[i].at) {
                    p.resolved = ev[j].at;
                    break;
                }
            rc = promise_push(s, &p, cap);
        }
        fu_extraction_free(x);
    }
    return rc;
}

static int collect_promises(sim *s) {
    fu_extractor *ex = NULL;
    size_t cap = 0;
    fu__evbuf buf = {NULL, 0};
    int rc = fu_extractor_new_from_policy(&ex, s->policy);
    for (size_t c = 0; c < s->nc && rc == FU_OK; c++) rc = promises_of(s, ex, c, &cap, &buf);
    fu__evbuf_free(&buf);
    fu_extractor_free(ex);
    return rc;
}

/* Policy mode: the promises in a ledger in memory, for the planner. */
static int promises_ledger(sim *s) {
    if (!s->npr) return FU_OK;
    int rc = fu_ledger_open_with_policy(&s->ledger, NULL, s->policy, 0);
    for (size_t i = 0; i < s->npr && rc == FU_OK; i++) {
        promise *p = &s->pr[i];
        fu_commit_input in = FU_COMMIT_INPUT_INIT;
        in.customer_id = s->cust[p->customer].id;
        in.text = p->note;
        in.created_at = p->made;
        in.deadline = p->deadline;
        in.rule = "simulation";
        rc = fu_ledger_add(s->ledger, &in, &p->id);
    }
    return rc;
}

/* The promises whose recorded resolution came before `t` are fulfilled. */
static int promises_fulfil(sim *s, int64_t t) {
    int rc = FU_OK;
    for (size_t i = 0; i < s->npr && rc == FU_OK && s->ledger; i++) {
        promise *p = &s->pr[i];
        if (p->fulfilled || p->resolved >= t) continue;
        rc = fu_ledger_fulfill(s->ledger, p->id, p->resolved, NULL);
        p->fulfilled = 1;
    }
    return rc;
}

/* The first contact of the run that reached customer c in (a, b], or INT64_MAX. */
static int64_t reached_at(const sim *s, size_t c, int64_t a, int64_t b) {
    int64_t first = INT64_MAX;
    for (size_t i = 0; i < s->made.n; i++) {
        const fu_event_in *e = &s->made.ev[i];
        if (e->kind == FU_EVENT_CONTACT && e->customer_id == s->cust[c].id && e->at > a && e->at <= b &&
            e->at < first && (e->outcome == FU_OUTCOME_ANSWERED || e->outcome == FU_OUTCOME_NONE))
            first = e->at;
    }
    return first;
}

/* Promises kept (review s9, D3: one definition with the dashboard): the KPI
 * engine's `commitment_on_time` over the run's promises as commitments,
 * weeks pooled. Kept: fulfilled at its recorded resolution (baseline and
 * policy), or, policy, a broken one with keep_prob() at the run's first
 * contact that reached the customer before the deadline; else breached. */
static int measure_promises(const sim *s, double level, fu_simulation_report *r) {
    uint64_t rng = s->o->seed ^ UINT64_C(0xC2B2AE3D27D4EB4F); /* its own stream: the calls' draws stay as they were */
    double keep = keep_prob(s->o);
    fu_commitment *c = fu__calloc(s->npr + 1, sizeof *c);
    if (!c) return fu__error_set(FU_ENOMEM, "out of memory");
    for (size_t i = 0; i < s->npr; i++) {
        const promise *p = &s->pr[i];
        double u = rng_unit(&rng);
        int64_t at = p->resolved;
        if (at == INT64_MAX && s->o->mode == FU_SIMULATION_POLICY && u < keep)
            at = reached_at(s, p->customer, p->made, p->deadline);
        c[i] = (fu_commitment){(int64_t)i + 1, s->cust[p->customer].id, "", "", "", "", "simulation", p->made,
                               p->deadline, p->deadline, p->deadline,
                               at != INT64_MAX ? FU_COMMIT_FULFILLED : FU_COMMIT_BREACHED, 0, 0,
                               at != INT64_MAX ? at : FU_COMMIT_NO_TIME, NULL, 0};
    }
    fu_kpi_options ko;
    fu_kpi_options_init(&ko);
    ko.period = FU_KPI_WEEK;
    ko.from = s->o->from;
    ko.to = s->o->to;
    ko.as_of = s->o->to;
    fu_kpi *k = NULL;
    size_t nf;
    int rc = fu_kpi_new(&k, s->policy, &ko);
    if (rc == FU_OK) rc = fu_kpi_add_customers(k, s->cust, s->nc);
    if (rc == FU_OK && s->npr) rc = fu_kpi_add_commitments(k, c, s->npr);
    if (rc == FU_OK) rc = fu_kpi_compute(k, &nf);
    if (rc == FU_OK) pool(k, FU_KPI_COMMITMENT_ON_TIME, level, &r->measures[FU_SIM_PROMISES_KEPT], NULL);
    fu_kpi_free(k);
    fu__free(c);
    return rc;
}

static const fu_calendar *zone_of(const sim *s, size_t c) {
    const char *tz = s->cust[c].tz;
    for (size_t i = 0; tz && i < s->nzones; i++)
        if (strcmp(s->zones[i].tz, tz) == 0) return s->zones[i].cal;
    return s->cal;
}

/* One calendar per customer time zone, made once. */
static int make_zones(sim *s) {
    for (size_t c = 0; c < s->nc; c++) {
        const char *tz = s->cust[c].tz;
        if (!tz || zone_of(s, c) != s->cal) continue;
        zone_cal *z = fu__realloc(s->zones, (s->nzones + 1) * sizeof *z);
        if (!z) return fu__error_set(FU_ENOMEM, "out of memory");
        s->zones = z;
        int rc = fu_calendar_new(&z[s->nzones].cal, tz);
        if (rc) return rc;
        z[s->nzones++].tz = tz;
    }
    return FU_OK;
}

static int time_push(sim *s, size_t c, int64_t t) {
    if (s->ntimes[c] == s->captimes[c]) {
        size_t cap = s->captimes[c] ? s->captimes[c] * 2 : 8;
        int64_t *p = fu__realloc(s->times[c], cap * sizeof *p);
        if (!p) return fu__error_set(FU_ENOMEM, "out of memory");
        s->times[c] = p;
        s->captimes[c] = cap;
    }
    s->times[c][s->ntimes[c]++] = t;
    return FU_OK;
}

static unsigned int load_72h(const sim *s, size_t c, int64_t t) {
    unsigned int n = 1; /* this one */
    for (size_t i = s->ntimes[c]; i-- > 0 && s->times[c][i] > t - 72 * HOUR;) n++;
    return n;
}

/* Draw the answer and the complaint of an agent call to customer c at t, and the
 * complaint's delay in [0, 1). Keyed on (seed, customer, local day, local hour,
 * attempt in that hour): common random numbers across arms. */
static void draw(sim *s, size_t c, int64_t t, int *answered, int *complaint, double *delay) {
    const fu_simulation_options *o = s->o;
    fu_local loc;
    int hour = 12, weekend = 0;
    int64_t day = t / 86400, hour_start = t - t % HOUR;
    if (fu_calendar_to_local(zone_of(s, c), t, &loc) == FU_OK) {
        hour = loc.hour;
        weekend = loc.weekday >= FU_SATURDAY;
        day = (int64_t)loc.year * 400 + loc.day_of_year;
        hour_start = t - loc.minute * 60 - loc.second;
    }
    unsigned attempt = 0; /* earlier contacts of this customer in the same hour */
    for (size_t i = 0; i < s->ntimes[c]; i++)
        attempt += s->times[c][i] >= hour_start && s->times[c][i] < hour_start + HOUR;
    double p = o->answer_prob ? o->answer_prob[c * 24 + (size_t)hour] : 0.55;
    if (weekend && o->weekend_factor) p *= o->weekend_factor[c];
    double pc = !(o->complaint_base >= 0) ? 0.002 : o->complaint_base;
    pc *= load_72h(s, c, t) > 2 ? 1.23 : 1.0;
    fu_frequency_odds odds;
    if (o->frequency && fu_frequency_contact_odds(o->frequency, o->frequency_segment, s->times[c], s->ntimes[c],
                                                  s->last_pos[c], t, 0, &odds) == FU_OK) {
        double mean = 0.0;
        for (int h = 0; h < 24 && o->answer_prob; h++) mean += o->answer_prob[c * 24 + (size_t)h] / 24.0;
        p = mean > 0 ? odds.positive.p * p / mean : odds.positive.p;
        pc = odds.negative.p;
    }
    *answered = keyed_unit(o->seed, c, day, hour, attempt, 0) < (p > 1 ? 1 : p);
    *complaint = *answered && keyed_unit(o->seed, c, day, hour, attempt, 1) < pc;
    *delay = keyed_unit(o->seed, c, day, hour, attempt, 2);
}

/* Copy of `rule` in s->rules; its offset in *off. */
static int rule_copy(sim *s, const char *rule, size_t *off) {
    size_t k = strlen(rule) + 1;
    if (s->nrules + k > s->caprules) {
        size_t cap = s->caprules ? s->caprules : 4096;
        while (cap < s->nrules + k) cap *= 2;
        char *p = fu__realloc(s->rules, cap);
        if (!p) return fu__error_set(FU_ENOMEM, "out of memory");
        s->rules = p;
        s->caprules = cap;
    }
    memcpy(s->rules + s->nrules, rule, k);
    *off = s->nrules;
    s->nrules += k;
    return FU_OK;
}

/* Whether every rule of `sub` ("a; b") is one of `super`'s. */
static int rules_within(const char *sub, const char *super) {
    for (const char *a = sub; *a;) {
        const char *ae = strstr(a, "; ");
        size_t an = ae ? (size_t)(ae - a) : strlen(a);
        if (!fu__rule_listed(super, a, an)) return 0;
        a = ae ? ae + 2 : a + an;
    }
    return 1;
}

static int queue_add(sim *s, const fu_touchpoint *t, int64_t day_end) {
    if (t->status != FU_TOUCHPOINT_PLANNED || t->best_at >= day_end) return FU_OK;
    for (size_t i = 0; i < s->nq; i++) { /* the same step of the same customer, unless a redial */
        const queued *q = &s->q[i];
        if (q->customer != t->customer || q->due_from != t->due_from || strcmp(s->rules + q->rule, t->rule) != 0)
            continue;
        if (q->state == 4) continue; /* superseded by a re-plan */
        if (q->state != 3 || t->best_at <= q->best_at) return FU_OK;
    }
    /* t is queued: a contact still waiting whose steps t all carries (an
     * event joined a new step to them) is replaced by it; else both are
     * made, two calls at one instant (the oracle arm at seed 1: 5 calls in
     * 72 h). After the check above, so that nothing is replaced by a
     * contact that is not queued (review r3 M3) */
    for (size_t i = 0; i < s->nq; i++) {
        queued *q = &s->q[i];
        if (q->customer == t->customer && q->state == 0 && s->rules[q->rule] &&
            strcmp(s->rules + q->rule, t->rule ? t->rule : "") != 0 &&
            rules_within(s->rules + q->rule, t->rule ? t->rule : "")) {
            q->state = 4;
            trace(s, "supersede", q->customer, s->rules + q->rule, q->due_from, q->due_to, q->best_at, "");
        }
    }
    if (s->nq == s->capq) {
        size_t cap = s->capq ? s->capq * 2 : 256;
        queued *q = fu__realloc(s->q, cap * sizeof *q);
        if (!q) return fu__error_set(FU_ENOMEM, "out of memory");
        s->q = q;
        s->capq = cap;
    }
    size_t off = 0;
    int rc = rule_copy(s, t->rule ? t->rule : "", &off);
    if (rc) return rc;
    s->q[s->nq++] =
        (queued){t->customer, t->due_from, t->due_to, t->best_at, t->channel, t->priority, off, 0, 0, t->trigger_at};
    trace(s, "queue", t->customer, t->rule, t->due_from, t->due_to, t->best_at, "");
    return FU_OK;
}

/* Whether a plan held t back by a cap (0) or the team's capacity (1); -1 other. */
static int held_why(const fu_touchpoint *t) {
    const char *r = t->status_rule ? t->status_rule : "";
    if (strncmp(r, "caps.", 5) == 0) return 0;
    return strncmp(r, "capacity.", 9) == 0 || strcmp(r, "agents.calls_per_day") == 0 ? 1 : -1;
}

/* Note a due touchpoint held back, by a plan or by the simulated agent (its
 * own caps.min_gap and capacity checks, make_call()). */
static int held_add(sim *s, size_t customer, int64_t trigger_at, int64_t due_from, int64_t due_to, const char *rule,
                    int capacity) {
    int rc = fu__grow((void **)&s->held, &s->capheld, s->nheld + 1, sizeof *s->held);
    if (rc) return rc;
    uint64_t x = UINT64_C(14695981039346656037);
    for (const char *p = rule ? rule : ""; *p; p++) x = (x ^ (unsigned char)*p) * UINT64_C(1099511628211);
    s->held[s->nheld++] = (held){customer, trigger_at, due_from, due_to, x, capacity};
    return FU_OK;
}

static int queue_plan(sim *s, fu_plan *plan, int64_t day_end) {
    size_t n = 0;
    const fu_touchpoint *t = fu_plan_touchpoints(plan, FU_TOUCHPOINT_PLANNED, &n);
    for (size_t i = 0; i < n; i++)
        if (queue_add(s, &t[i], day_end)) return FU_ENOMEM;
    static const char *const what[] = {"planned", "suppressed", "deferred", "cancelled", "later"};
    for (int st = FU_TOUCHPOINT_SUPPRESSED; st <= FU_TOUCHPOINT_LATER; st++) {
        if (st == FU_TOUCHPOINT_CANCELLED) continue;
        t = fu_plan_touchpoints(plan, (fu_touchpoint_status)st, &n);
        for (size_t i = 0; i < n; i++) {
            if (st == FU_TOUCHPOINT_LATER && t[i].due_from >= day_end) continue; /* later: only what is due today */
            int why = held_why(&t[i]);
            if (why >= 0 && held_add(s, t[i].customer, t[i].trigger_at, t[i].due_from, t[i].due_to, t[i].rule, why)) return FU_ENOMEM;
            trace(s, what[st], t[i].customer, t[i].rule, t[i].due_from, t[i].due_to, t[i].best_at, t[i].status_rule);
        }
    }
    return FU_OK;
}

/* Make one queued contact at its best_at; agent channels only while the team
 * calendar is open and an agent has capacity left. */
/* After an unanswered last attempt, the first instant the policy's
 * redial.no_answer.retry_after allows the next call (business time on the team
 * calendar); 0 when the last attempt reached the customer or there is no rule. */
static int retry_at(const sim *s, size_t c, int64_t *out) {
    *out = 0;
    if (!s->retry.value || !s->ntimes[c]) return FU_OK;
    int64_t last = s->times[c][s->ntimes[c] - 1];
    if (s->last_pos[c] != FU_BOOK_NO_TIME && s->last_pos[c] >= last) return FU_OK;
    if (s->retry.unit == FU_DURATION_SECONDS) {
        *out = last + s->retry.value;
        return FU_OK;
    }
    if (s->retry.unit != FU_DURATION_BUSINESS_SECONDS) return FU_OK; /* working days, months: left to the planner */
    return fu_calendar_add_business(s->cal, last, s->retry.value, out);
}

/* The agent cannot make q at its best_at: the earliest instant it could is
 * `at`. The call waits until then and is not made blindly: when its time
 * comes the planner re-plans the customer from it (recheck), so every cap,
 * suppression and redial rule is checked again at the new time, with the
 * contacts made in between. */
static void move_call(sim *s, queued *q, int64_t at, const char *why) {
    trace(s, "move", q->customer, s->rules + q->rule, q->due_from, q->due_to, at, why);
    q->best_at = at;
    q->moved = 1;
}

/* A moved call at its new time: superseded by the planner's plan of the
 * customer from now, which places it again (now when the caps allow it, or
 * later), or not at all. */
static int recheck(sim *s, fu_planner *pl, queued *q, int64_t day_end) {
    q->state = 4;
    fu_plan *plan = NULL;
    int rc = fu_planner_plan_customer(pl, q->customer, q->best_at, day_end - q->best_at, &plan);
    if (rc == FU_OK) rc = queue_plan(s, plan, day_end);
    fu_plan_free(plan);
    return rc;
}

/* The complaints the run's own calls cause (1 to 40 h after the call) are fed
 * to the planner when their time comes, hour by hour like the span's events
 * (sim_day()): before, the planner first saw one in the next day's book, after
 * a 24 h window had often passed (review s9, D6). */
static int own_add(sim *s, size_t made_index) {
    int rc = fu__grow((void **)&s->own, &s->capown, s->nown + 1, sizeof *s->own);
    if (rc == FU_OK) s->own[s->nown++] = made_index;
    return rc;
}

/* The earliest waiting own complaint before `until` (its index in s->own), or
 * SIZE_MAX. Those before `day` are already in the day's book: dropped. */
static size_t own_next(sim *s, int64_t day, int64_t until) {
    size_t best = SIZE_MAX, k = 0;
    for (size_t i = 0; i < s->nown; i++) {
        int64_t at = s->made.ev[s->own[i]].at;
        if (at < day) continue;
        s->own[k] = s->own[i];
        if (at < until && (best == SIZE_MAX || at < s->made.ev[s->own[best]].at)) best = k;
        k++;
    }
    s->nown = k;
    return best;
}

static int make_call(sim *s, fu_planner *pl, queued *q, int64_t day_end) {
    int agent_ch = is_agent_channel(q->channel), rc0;
    if (agent_ch && fu_calendar_is_open(s->team, q->best_at) != 1) {
        int64_t next;
        if (fu_calendar_next_open(s->team, q->best_at, &next) == FU_OK && next <= q->due_to && next < day_end)
            return move_call(s, q, next, "closed"), FU_OK; /* later today */
        q->state = 2; /* the next day's plan takes it up again */
        trace(s, "drop", q->customer, s->rules + q->rule, q->due_from, q->due_to, q->best_at, "closed");
        return FU_OK;
    }
    size_t c = q->customer;
    int64_t nb = 0;
    if (agent_ch && (rc0 = retry_at(s, c, &nb)) != FU_OK) return rc0;
    if (q->best_at < nb) { /* the agent sees the unanswered call: not again before its retry_after */
        if (nb <= q->due_to && nb < day_end) return move_call(s, q, nb, "retry_after"), FU_OK;
        q->state = 2;
        trace(s, "drop", c, s->rules + q->rule, q->due_from, q->due_to, q->best_at, "retry_after");
        return FU_OK;
    }
    /* the gap runs from the last contact that reached the customer, as
     * caps.min_gap does in the planner and the KPI: an unanswered attempt is
     * spaced by the redial rules the planner applied */
    if (!s->exempt[q->priority & 3] && s->last_pos[c] != FU_BOOK_NO_TIME && q->best_at - s->last_pos[c] < s->min_gap) {
        q->state = 2; /* moved too close to the last contact: the agent sees the history */
        trace(s, "drop", c, s->rules + q->rule, q->due_from, q->due_to, q->best_at, "min_gap");
        return held_add(s, c, q->trigger_at, q->due_from, q->due_to, s->rules + q->rule, 0);
    }
    if (q->moved) return recheck(s, pl, q, day_end);
    unsigned int a = 0;
    if (agent_ch) {
        for (unsigned int i = 1; i < s->agents; i++)
            if (s->agent_calls[i] < s->agent_calls[a]) a = i;
        if (s->agent_calls[a] >= s->cpa) {
            q->state = 2;
            trace(s, "drop", c, s->rules + q->rule, q->due_from, q->due_to, q->best_at, "capacity");
            return held_add(s, c, q->trigger_at, q->due_from, q->due_to, s->rules + q->rule, 1);
        }
        s->agent_calls[a]++;
    }
    int answered = 1, complaint = 0;
    double delay = 0.0;
    if (agent_ch) draw(s, q->customer, q->best_at, &answered, &complaint, &delay);
    q->state = answered ? 1 : 3;
    trace(s, "call", c, s->rules + q->rule, q->due_from, q->due_to, q->best_at,
          agent_ch ? (answered ? "answered" : "no_answer") : "sent");
    fu_event_in e;
    fu_event_in_init(&e);
    e.customer_id = s->cust[q->customer].id;
    e.at = q->best_at;
    e.kind = FU_EVENT_CONTACT;
    e.channel = q->channel;
    e.agent_id = agent_ch ? s->agent_names[a] : NULL;
    e.outcome = agent_ch ? (answered ? FU_OUTCOME_ANSWERED : FU_OUTCOME_NO_ANSWER) : FU_OUTCOME_NONE;
    int rc = ev_push(&s->made, &e, (int)(q->priority & 3) + 1);
    if (rc == FU_OK) rc = time_push(s, q->customer, q->best_at);
    if (answered) s->last_pos[q->customer] = q->best_at;
    if (rc == FU_OK && complaint) {
        fu_event_in k;
        fu_event_in_init(&k);
        k.customer_id = e.customer_id;
        k.at = q->best_at + HOUR + (int64_t)(delay * 39.0 * (double)HOUR);
        k.kind = FU_EVENT_COMPLAINT;
        k.severity = FU_SEVERITY_NORMAL;
        k.channel = FU_CHANNEL_PHONE;
        k.note = FATIGUE_NOTE;
        if (k.at < s->o->to && (rc = ev_push(&s->made, &k, 0)) == FU_OK) rc = own_add(s, s->made.n - 1);
    }
    return rc;
}

/* Tell the planner about an event of the day and queue what it plans. */
static int feed(sim *s, fu_planner *pl, const fu_event_in *e, int64_t day_end) {
    fu_plan *plan = NULL;
    int rc = fu_planner_feed(pl, e, e->at, day_end - e->at, &plan);
    if (rc == FU_EINVAL) { /* out of order for the planner: seen in tomorrow's book */
        size_t c = 0;
        if (s->trace && fu_book_find_customer(s->book, e->customer_id, strlen(e->customer_id), &c) == FU_OK)
            trace(s, "refused", c, fu_event_kind_name(e->kind), 0, 0, e->at, fu_error_last()->message);
        fu_error_clear();
        return FU_OK;
    }
    fu_plan_free(plan);
    plan = NULL;
    /* the feed's plan is the change the event made, placed without the agents
     * (fu_planner_feed does not name them); the customer's plan from now is
     * placed on the team's shifts, and what is already queued stays queued */
    size_t c = 0;
    if (rc == FU_OK) rc = fu_book_find_customer(s->book, e->customer_id, strlen(e->customer_id), &c);
    if (rc == FU_OK) rc = fu_planner_plan_customer(pl, c, e->at, day_end - e->at, &plan);
    if (rc == FU_OK) rc = queue_plan(s, plan, day_end);
    fu_plan_free(plan);
    return rc;
}

/* A contact was just made with customer c: its other waiting contacts that
 * the caps hold (not caps.exempt) were placed by an earlier plan that did not
 * count it, so the re-plan that follows (feed, redial) supersedes them and
 * places them again, or not at all (caps.limits, caps.min_gap). Before, an
 * answered call left them waiting: a second same-day contact queued by an
 * earlier plan was made as a fourth attempt in 7 days (caps.limits.weekly). */
static void supersede(sim *s, size_t c) {
    for (size_t i = 0; i < s->nq; i++)
        if (s->q[i].customer == c && s->q[i].state == 0 && !s->exempt[s->q[i].priority & 3]) s->q[i].state = 4;
}

/* After a call nobody answered: the customer's plan for the rest of the day
 * (the planner now knows the attempt; its caps decide when to try again). */
static int redial(sim *s, fu_planner *pl, const queued *q, int64_t day_end) {
    fu_plan *plan = NULL;
    int64_t now = q->best_at + 1;
    if (now >= day_end) return FU_OK;
    int rc = fu_planner_plan_customer(pl, q->customer, now, day_end - now, &plan);
    if (rc == FU_OK) { /* the re-plan supersedes the customer's waiting contacts the caps hold (they count
                        * the attempt); exempt ones (caps.exempt) are never held back and stay */
        supersede(s, q->customer);
        rc = queue_plan(s, plan, day_end);
    }
    fu_plan_free(plan);
    return rc;
}

/* Make the waiting contacts whose best_at is before `until`, earliest first;
 * each contact is fed back to the planner (a redial may follow). */
static int make_calls(sim *s, fu_planner *pl, int64_t until, int64_t day_end) {
    for (;;) {
        size_t bi = SIZE_MAX; /* an index: feeding the planner may grow (move) s->q */
        for (size_t i = 0; i < s->nq; i++)
            if (s->q[i].state == 0 && s->q[i].best_at < until && (bi == SIZE_MAX || s->q[i].best_at < s->q[bi].best_at))
                bi = i;
        if (bi == SIZE_MAX) return FU_OK;
        size_t made = s->made.n;
        int rc = make_call(s, pl, &s->q[bi], day_end);
        if (rc == FU_OK && s->made.n > made) supersede(s, s->q[bi].customer);
        for (size_t i = made; rc == FU_OK && i < s->made.n; i++)
            if (s->made.ev[i].kind == FU_EVENT_CONTACT) rc = feed(s, pl, &s->made.ev[i], day_end);
        if (rc == FU_OK && s->q[bi].state == 3) rc = redial(s, pl, &s->q[bi], day_end);
        if (rc) return rc;
    }
}

/* A book of the history, the span's events and the made events before `t`.
 * It keeps exact duplicates: the history and span come from a book (no
 * duplicates left), and contacts made alike (two SMS of one customer at one
 * instant, quiet hours having closed both windows) are each a contact the
 * caps count, as the KPI counts them; dropped, the planner saw one. */
static int book_before(sim *s, int64_t t, fu_book **out) {
    fu_book_options bo;
    fu_book_options_init(&bo);
    bo.flags = FU_BOOK_KEEP_DUPLICATES;
    int rc = fu_book_new(out, &bo);
    if (rc) return rc;
    rc = fu_book_add_customers(*out, s->cust, s->nc);
    const evlist *lists[3] = {&s->hist, &s->span, &s->made};
    for (int l = 0; l < 3 && rc == FU_OK; l++) {
        size_t start = 0;
        for (size_t i = 0; i <= lists[l]->n && rc == FU_OK; i++) {
            if (i < lists[l]->n && lists[l]->ev[i].at < t) continue;
            if (i > start) rc = fu_book_add_events(*out, lists[l]->ev + start, i - start);
            start = i + 1;
        }
    }
    if (rc == FU_OK) rc = fu_book_finalize(*out);
    return rc;
}

/* The team as the planner's agents (fu_planner_set_agents, docs/formats.md):
 * S001.. on shift while the team calendar is open on the day [day, day_end)
 * (its hours, weekends, holidays, make-up days; probed every 5 minutes), in
 * the calendar's zone, each with the day's share of calls: the planner
 * places no agent call when the team is closed (the simulated agents still
 * pick who calls and keep the day's capacity). */
static int team_agents(sim *s, fu_planner *pl, int64_t day, int64_t day_end, unsigned int calls) {
    static const char *const wd[7] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    char shift[512] = "", *csv;
    size_t len = 0;
    int64_t start = -1;
    for (int64_t t = day; t <= day_end; t += 300) {
        int open = t < day_end && fu_calendar_is_open(s->team, t) == 1;
        if (open && start < 0) start = t;
        if (open || start < 0) continue;
        fu_local a, b;
        if (fu_calendar_to_local(s->team, start, &a) || fu_calendar_to_local(s->team, t - 1, &b)) return FU_EINVAL;
        int end = b.day != a.day ? 24 * 60 : (b.hour * 60 + b.minute + 1 + 4) / 5 * 5;
        if (len + 32 < sizeof shift)
            len += (size_t)snprintf(shift + len, sizeof shift - len, "%s%s %02d:%02d-%02d:%02d", len ? ";" : "",
                                    wd[a.weekday % 7], a.hour, a.minute, end / 60, end % 60);
        start = -1;
    }
    if (!len) return FU_OK; /* closed all day: the planner keeps no agents (no agent call is made) */
    const char *tz = fu_calendar_tzid(s->team);
    size_t cap = 64 + (size_t)s->agents * (len + strlen(tz) + 40);
    if (!(csv = fu__malloc(cap))) return fu__error_set(FU_ENOMEM, "out of memory");
    size_t n = (size_t)snprintf(csv, cap, "agent_id,shift,tz,calls_per_day\n");
    for (unsigned int a = 0; a < s->agents; a++)
        n += (size_t)snprintf(csv + n, cap - n, "%s,%s,%s,%u\n", s->agent_names[a], shift, tz, calls ? calls : 1u);
    int rc = fu_planner_set_agents(pl, csv, n, "<simulated team>");
    fu__free(csv);
    return rc;
}

/* Evaluation only (FU_SIMULATION_ORACLE): a best-time model of the book whose
 * hours are ranked by the ground truth, for the planner (its constraints are
 * the model's; its fitted priors are never used, so they are not fitted). */
static int oracle_model(const sim *s, const fu_book *book, fu_besttime **out) {
    fu_besttime_options bo = FU_BESTTIME_OPTIONS_INIT;
    bo.prior_method = FU_BESTTIME_PRIOR_FIXED;
    bo.propensity = 0;
    int rc = fu_besttime_new(out, s->policy, book, NULL, 0, &bo);
    if (rc == FU_OK) fu__besttime_set_oracle(*out, s->o->answer_prob, s->o->weekend_factor);
    return rc;
}

/* The best-time arm when the policy's model is the mixture of hour profiles:
 * the model of the day's book, its EM started from yesterday's fitted
 * profiles (docs/simulate.md, "The mixture's daily refit";
 * FU_SIM_MIX_COLD=1 fits from scratch every day, as the planner's own model
 * would); *out NULL with the per-slot model (the planner builds its own).
 * Segments are not given: the mixture's answer probabilities do not use
 * them (the same plans as the planner's model with tier segments). */
static int mixture_model(sim *s, const fu_book *book, fu_besttime **out) {
    *out = NULL;
    if (!(s->o->flags & FU_SIMULATION_BESTTIME) || (s->o->flags & FU_SIMULATION_ORACLE) ||
        fu__policy_typed(s->policy)->besttime.model != 1)
        return FU_OK;
    const char *cold = getenv("FU_SIM_MIX_COLD"); /* measurement: a fit from scratch every day */
    return fu__besttime_new_warm(out, s->policy, book, NULL, 0, NULL, cold && *cold == '1' ? NULL : s->mix_prev);
}

/* One day: plan it, then hour by hour feed the day's events and make the calls. */
static int sim_day(sim *s, int64_t day, int64_t day_end) {
    fu_book *book = NULL;
    fu_planner *pl = NULL;
    fu_plan *plan = NULL;
    fu_besttime *bt = NULL; /* the oracle's or the mixture's model, else the planner's own */
    fu_planner_options po;
    fu_planner_options_init(&po);
    po.agents = s->agents;
    /* the morning plan fills at most 3/4 of the day: the rest is kept for the
     * issues that arrive during the day (urgent series, same-day replies) */
    po.calls_per_agent = s->cpa > 1 ? s->cpa - s->cpa / 4 : 1u;
    po.flags = (s->o->flags & FU_SIMULATION_BESTTIME) ? FU_PLANNER_BESTTIME : 0u;
    int rc = book_before(s, day, &book);
    if (rc == FU_OK)
        rc = (s->o->flags & FU_SIMULATION_ORACLE) ? oracle_model(s, book, &bt) : mixture_model(s, book, &bt);
    if (rc == FU_OK && bt) {
        po.flags &= ~FU_PLANNER_BESTTIME;
        po.besttime = bt;
    }
    if (rc == FU_OK) rc = fu_planner_new(&pl, s->policy, book, &po);
    if (rc == FU_OK) rc = team_agents(s, pl, day, day_end, po.calls_per_agent);
    if (rc == FU_OK && s->ledger && (rc = promises_fulfil(s, day)) == FU_OK) rc = fu_planner_set_ledger(pl, s->ledger);
    if (rc == FU_OK) rc = fu_planner_plan(pl, day, day_end - day, &plan);
    s->nq = 0;
    s->nrules = 0;
    memset(s->agent_calls, 0, s->agents * sizeof *s->agent_calls);
    if (rc == FU_OK) rc = queue_plan(s, plan, day_end);
    fu_plan_free(plan);
    size_t next = 0; /* the span's events of the day, fed as they happen */
    while (next < s->span.n && s->span.ev[next].at < day) next++;
    for (int64_t h = day; h < day_end && rc == FU_OK; h += HOUR) {
        int64_t h_end = h + HOUR < day_end ? h + HOUR : day_end;
        /* in time order: the calls due before an event are made (and fed) first,
         * else the planner refuses them as older than the event */
        for (size_t o; rc == FU_OK;) { /* the span's events and the run's own complaints, in time order */
            o = own_next(s, day, h_end);
            int span = next < s->span.n && s->span.ev[next].at < h_end;
            if (o == SIZE_MAX && !span) break;
            int own = o != SIZE_MAX && (!span || s->made.ev[s->own[o]].at < s->span.ev[next].at);
            size_t mi = own ? s->own[o] : 0;
            if (own) s->own[o] = s->own[--s->nown]; /* fed once */
            const fu_event_in *e = own ? &s->made.ev[mi] : &s->span.ev[next++];
            if ((rc = make_calls(s, pl, e->at, day_end)) == FU_OK) /* may grow s->made: e again by index */
                rc = feed(s, pl, own ? &s->made.ev[mi] : e, day_end);
        }
        if (rc == FU_OK) rc = make_calls(s, pl, h_end, day_end);
    }
    fu_planner_free(pl);
    if (bt && !(s->o->flags & FU_SIMULATION_ORACLE)) { /* the mixture: tomorrow's fit starts from it */
        fu_besttime_free(s->mix_prev);
        s->mix_prev = bt;
        bt = NULL;
    }
    fu_besttime_free(bt);
    fu_book_free(book);
    return rc;
}

static int exempt_of(const fu_policy *p, unsigned char exempt[4]) {
    size_t n = 0;
    memset(exempt, 0, 4);
    int rc = fu_policy_get_length(p, "caps.exempt", &n);
    if (rc == FU_ENOMEM) return rc;
    if (rc != FU_OK) {
        fu_error_clear();
        return FU_OK;
    }
    for (size_t i = 0; i < n; i++) {
        char path[64];
        const char *name = NULL;
        snprintf(path, sizeof path, "caps.exempt[%zu]", i);
        if ((rc = fu_policy_get_string(p, path, &name)) == FU_ENOMEM) return rc;
        if (rc != FU_OK || !name) {
            fu_error_clear();
            continue;
        }
        for (int k = 0; k < 4; k++)
            if (strcmp(name, fu_priority_name(k)) == 0) exempt[k] = 1;
    }
    return FU_OK;
}

static int sim_setup(sim *s) {
    s->times = fu__calloc(s->nc ? s->nc : 1, sizeof *s->times);
    s->ntimes = fu__calloc(s->nc ? s->nc : 1, sizeof *s->ntimes);
    s->captimes = fu__calloc(s->nc ? s->nc : 1, sizeof *s->captimes);
    s->last_pos = fu__calloc(s->nc ? s->nc : 1, sizeof *s->last_pos);
    s->agent_calls = fu__calloc(s->agents, sizeof *s->agent_calls);
    if (!s->times || !s->ntimes || !s->captimes || !s->last_pos || !s->agent_calls)
        return fu__error_set(FU_ENOMEM, "out of memory");
    for (size_t c = 0; c < s->nc; c++) s->last_pos[c] = FU_BOOK_NO_TIME;
    for (size_t i = 0; i < s->hist.n; i++) {
        const fu_event_in *e = &s->hist.ev[i];
        size_t c;
        if (e->kind != FU_EVENT_CONTACT || fu_book_find_customer(s->book, e->customer_id, strlen(e->customer_id), &c))
            continue;
        if (time_push(s, c, e->at)) return FU_ENOMEM;
        if (e->outcome == FU_OUTCOME_ANSWERED || e->outcome == FU_OUTCOME_NONE) s->last_pos[c] = e->at;
    }
    fu_duration gap;
    int rc = fu_policy_get_duration(s->policy, "caps.min_gap", &gap);
    if (rc == FU_ENOMEM) return rc;
    if (rc == FU_OK && gap.unit == FU_DURATION_SECONDS) s->min_gap = gap.value;
    fu_error_clear();
    rc = fu_policy_get_duration(s->policy, "redial.no_answer.retry_after", &s->retry);
    if (rc == FU_ENOMEM) return rc;
    if (rc != FU_OK || s->retry.value < 0) s->retry.value = 0;
    fu_error_clear();
    if ((rc = make_zones(s))) return rc;
    for (unsigned int a = 0; a < s->agents; a++) snprintf(s->agent_names[a], sizeof s->agent_names[a], "S%03u", a + 1);
    return exempt_of(s->policy, s->exempt);
}

static void sim_free(sim *s) {
    ev_free(&s->hist);
    ev_free(&s->span);
    ev_free(&s->made);
    for (size_t i = 0; i < s->nzones; i++) fu_calendar_free(s->zones[i].cal);
    fu__free(s->zones);
    for (size_t c = 0; c < s->nc && s->times; c++) fu__free(s->times[c]);
    FU_FREE_ALL(s->times, s->ntimes, s->captimes, s->last_pos, s->q, s->rules, s->agent_calls, s->cust, s->pr,
                s->held, s->own);
    fu_ledger_close(s->ledger);
    if (s->trace) fclose(s->trace);
    fu_besttime_free(s->mix_prev);
}

static int check_options(const fu_policy *p, const fu_book *b, const fu_simulation_options *o) {
    if (!p || !b || !o) return fu__error_set(FU_EINVAL, "NULL policy, book or options");
    if (o->version < 1 || o->version > FU_SIMULATION_OPTIONS_VERSION)
        return fu__error_set(FU_EINVAL, "unknown simulation options version %u", o->version);
    if (o->version >= 2 && o->promise_contact_keep > 1)
        return fu__error_set(FU_EINVAL, "promise_contact_keep is not a probability");
    if (!fu_book_is_finalized(b)) return fu__error_set(FU_ESTATE, "the book is not finalized");
    if (o->to <= o->from || o->to - o->from > 400 * DAY)
        return fu__error_set(FU_EINVAL, "the span must be 1 s to 400 days (from < to)");
    if (o->mode != FU_SIMULATION_BASELINE && o->mode != FU_SIMULATION_POLICY)
        return fu__error_set(FU_EINVAL, "unknown simulation mode %d", (int)o->mode);
    if (o->mode == FU_SIMULATION_POLICY && (o->agents < 1 || o->agents > MAX_AGENTS))
        return fu__error_set(FU_EINVAL, "agents must be 1 to %u", MAX_AGENTS);
    if (o->flags & ~(FU_SIMULATION_BESTTIME | FU_SIMULATION_ORACLE))
        return fu__error_set(FU_EINVAL, "unknown simulation flags");
    if ((o->flags & FU_SIMULATION_ORACLE) && !o->answer_prob)
        return fu__error_set(FU_EINVAL, "the oracle arm ranks hours by the ground truth: answer_prob is required");
    size_t nc = fu_book_customer_count(b);
    for (size_t i = 0; o->answer_prob && i < nc * 24; i++)
        if (!(o->answer_prob[i] >= 0 && o->answer_prob[i] <= 1))
            return fu__error_set(FU_EINVAL, "answer_prob[%zu] is not a probability", i);
    for (size_t i = 0; o->weekend_factor && i < nc; i++)
        if (!(o->weekend_factor[i] >= 0 && o->weekend_factor[i] <= 1))
            return fu__error_set(FU_EINVAL, "weekend_factor[%zu] is not in [0, 1]", i);
    if (o->frequency && o->frequency_segment >= fu_frequency_segment_count(o->frequency))
        return fu__error_set(FU_EINVAL, "frequency segment %zu out of range", o->frequency_segment);
    return FU_OK;
}

static int run_policy(sim *s) {
    const fu_simulation_options *o = s->o;
    double cpa = 0;
    if (o->calls_per_agent) s->cpa = o->calls_per_agent;
    else if (fu_policy_get_number(s->policy, "capacity.calls_per_agent_day.max", &cpa) == FU_OK && cpa >= 1)
        s->cpa = (unsigned int)cpa;
    else
        s->cpa = 150u;
    int rc = sim_setup(s);
    fu_local loc;
    if (rc == FU_OK) rc = fu_calendar_to_local(s->team, o->from, &loc);
    int64_t days = 0;
    fu_date d = {loc.year, loc.month, loc.day};
    if (rc == FU_OK) rc = fu_date_to_days(&d, &days);
    for (; rc == FU_OK; days++) {
        fu_local l0 = {0}, l1 = {0};
        fu_date a, b;
        int64_t t0, t1, open;
        if ((rc = fu_date_from_days(days, &a)) || (rc = fu_date_from_days(days + 1, &b))) break;
        l0.year = a.year, l0.month = a.month, l0.day = a.day;
        l1.year = b.year, l1.month = b.month, l1.day = b.day;
        if ((rc = fu_calendar_from_local(s->team, &l0, 0, &t0)) || (rc = fu_calendar_from_local(s->team, &l1, 0, &t1)))
            break;
        if (t0 >= o->to) break;
        if (t0 < o->from) t0 = o->from;
        if (t1 > o->to) t1 = o->to;
        if (fu_calendar_next_open(s->team, t0, &open) != FU_OK || open >= t1) continue; /* closed all day */
        rc = sim_day(s, t0, t1);
    }
    return rc;
}

/* ------------------------------------------------------------ details */

/* One touchpoint: why, customer, trigger, rule; its entries by due_from. */
static int held_key(const held *a, const held *b) {
    if (a->capacity != b->capacity) return a->capacity - b->capacity;
    if (a->customer != b->customer) return a->customer < b->customer ? -1 : 1;
    if (a->trigger_at != b->trigger_at) return a->trigger_at < b->trigger_at ? -1 : 1;
    return a->rule < b->rule ? -1 : a->rule > b->rule;
}

static int held_cmp(const void *pa, const void *pb) {
    const held *a = pa, *b = pb;
    int k = held_key(a, b);
    return k ? k : a->due_from < b->due_from ? -1 : a->due_from > b->due_from;
}

typedef struct reach {
    size_t customer;
    int64_t at;
} reach;

static int reach_cmp(const void *pa, const void *pb) {
    const reach *a = pa, *b = pb;
    if (a->customer != b->customer) return a->customer < b->customer ? -1 : 1;
    return a->at < b->at ? -1 : a->at > b->at;
}

/* The contacts that reached their customer (history and made): answered
 * calls, SMS and e-mail, by customer and time. */
static int reached_list(const sim *s, reach **out, size_t *n) {
    const evlist *lists[2] = {&s->hist, &s->made};
    *n = 0;
    *out = fu__malloc((s->hist.n + s->made.n + 1) * sizeof **out);
    if (!*out) return fu__error_set(FU_ENOMEM, "out of memory");
    for (int l = 0; l < 2; l++)
        for (size_t i = 0; i < lists[l]->n; i++) {
            const fu_event_in *e = &lists[l]->ev[i];
            size_t c;
            if (e->kind != FU_EVENT_CONTACT || (e->outcome != FU_OUTCOME_ANSWERED && e->outcome != FU_OUTCOME_NONE) ||
                fu_book_find_customer(s->book, e->customer_id, strlen(e->customer_id), &c) != FU_OK)
                continue;
            (*out)[(*n)++] = (reach){c, e->at};
        }
    qsort(*out, *n, sizeof **out, reach_cmp);
    return FU_OK;
}

/* Whether a contact of customer c reached it within [a, b]. */
static int reached_in(const reach *r, size_t n, size_t c, int64_t a, int64_t b) {
    size_t lo = 0, hi = n;
    while (lo < hi) { /* the first entry >= (c, a) */
        size_t mid = lo + (hi - lo) / 2;
        if (r[mid].customer < c || (r[mid].customer == c && r[mid].at < a)) lo = mid + 1;
        else hi = mid;
    }
    return lo < n && r[lo].customer == c && r[lo].at <= b;
}

/* fu_simulation_details of a policy run: the team, and the distinct due
 * touchpoints the plans held by a cap or capacity, missed or not. */
static int details_of(sim *s, fu_simulation_details *d) {
    d->agents = s->agents;
    d->calls_per_agent = s->cpa;
    if (!s->nheld) return FU_OK;
    reach *r = NULL;
    size_t nr = 0;
    int rc = reached_list(s, &r, &nr);
    if (rc) return rc;
    qsort(s->held, s->nheld, sizeof *s->held, held_cmp);
    for (size_t i = 0; i < s->nheld; i++) { /* per touchpoint, its first window (overdue ones come later) */
        const held *h = &s->held[i];
        if (i && held_key(h, h - 1) == 0) continue;
        int64_t end = h->due_to < s->o->to ? h->due_to : s->o->to - 1;
        int missed = !reached_in(r, nr, h->customer, h->due_from, end);
        if (h->capacity) d->capacity_held++, d->capacity_held_missed += (size_t)missed;
        else d->cap_held++, d->cap_held_missed += (size_t)missed;
    }
    fu__free(r);
    return FU_OK;
}

/* The hours the simulated team works: the calendar the policy's
 * `agents.calendar` names (the team's hours, public holidays and make-up
 * days; the built-in policy names its default calendar, cn), else the default
 * calendar. A policy with a calendar of longer or weekend shifts for its team
 * is simulated with those shifts (docs/simulate.md "Team hours"). */
static const fu_calendar *team_calendar(const fu_policy *p, const fu_calendar *dflt) {
    const char *name = NULL;
    if (fu_policy_get_string(p, "agents.calendar", &name) != FU_OK || !name) {
        fu_error_clear();
        return dflt;
    }
    const fu_calendar *c = fu_policy_calendar(p, name);
    return c ? c : dflt;
}

/* Where the fields of version v of fu_simulation_details end (*end: what
 * is written) and the size of that version's struct (rounded up to its
 * alignment). */
#define SIM_DETAILS_END(f) (offsetof(fu_simulation_details, f) + sizeof(((fu_simulation_details *)0)->f))
static size_t details_size(unsigned int v, size_t *end) {
    const size_t align = _Alignof(fu_simulation_details);
    *end = v <= 1 ? SIM_DETAILS_END(capacity_held_missed) : SIM_DETAILS_END(timeliness_tier);
    return (*end + align - 1) / align * align;
}
_Static_assert(FU_SIMULATION_DETAILS_VERSION == 2, "a new version of fu_simulation_details: add it to details_size");

void fu_simulation_details_init_sized(fu_simulation_details *d, size_t size) {
    static const fu_simulation_details defaults = FU_SIMULATION_DETAILS_INIT;
    unsigned int v = FU_SIMULATION_DETAILS_VERSION;
    size_t end = 0;
    if (!d) return;
    while (v >= 1 && details_size(v, &end) > size) v--;
    if (v < 1) return;
    memcpy(d, &defaults, end); /* the fields of version v, no byte after them */
    d->version = v;
}

/* Version 1's fields only: a program built against the first header has a
 * struct of that size (review r2 H2: writing the whole current struct
 * overran its storage by 584 bytes). */
void fu_simulation_details_init_v1(fu_simulation_details *d) {
    size_t end;
    fu_simulation_details_init_sized(d, details_size(1, &end));
}

void fu_simulation_details_init(fu_simulation_details *d) { fu_simulation_details_init_v1(d); }

void fu_simulation_details_init_v2(fu_simulation_details *d) {
    size_t end;
    fu_simulation_details_init_sized(d, details_size(2, &end));
}

int fu_simulation_run(const fu_policy *policy, const fu_book *book, const fu_simulation_options *opts,
                      fu_simulation_report *out) {
    return fu_simulation_run_details(policy, book, opts, out, NULL);
}

int fu_simulation_run_details(const fu_policy *policy, const fu_book *book, const fu_simulation_options *opts,
                              fu_simulation_report *out, fu_simulation_details *details) {
    if (!out) return fu__error_set(FU_EINVAL, "NULL report");
    memset(out, 0, sizeof *out);
    if (details && (details->version < 1 || details->version > FU_SIMULATION_DETAILS_VERSION))
        return fu__error_set(FU_EINVAL, "unknown simulation details version %u", details->version);
    fu_simulation_details det = FU_SIMULATION_DETAILS_INIT;
    int rc = check_options(policy, book, opts);
    if (rc) return rc;
    sim s;
    memset(&s, 0, sizeof s);
    s.policy = policy;
    s.book = book;
    s.o = opts;
    s.agents = opts->agents ? opts->agents : 1u;
    s.cal = fu_policy_calendar(policy, NULL);
    if (!s.cal) return fu__error_set(FU_EINVAL, "the policy has no default calendar");
    s.team = team_calendar(policy, s.cal);
    s.nc = fu_book_customer_count(book);
    s.cust = fu__calloc(s.nc ? s.nc : 1, sizeof *s.cust);
    if (!s.cust) return fu__error_set(FU_ENOMEM, "out of memory");
    for (size_t c = 0; c < s.nc; c++) fu__book_customer_get(book, c, &s.cust[c]);
    const char *tp = getenv("FU_SIM_TRACE");
    if (tp && *tp && opts->mode == FU_SIMULATION_POLICY && !(s.trace = fopen(tp, "w")))
        rc = fu__error_set(FU_EIO, "FU_SIM_TRACE=%s: cannot open", tp);
    if (rc == FU_OK) rc = split_events(book, opts, &s.hist, &s.span);
    if (rc == FU_OK) rc = collect_promises(&s);
    if (rc == FU_OK && opts->mode == FU_SIMULATION_POLICY && (rc = promises_ledger(&s)) == FU_OK) rc = run_policy(&s);
    if (rc == FU_OK && opts->mode == FU_SIMULATION_POLICY && details) rc = details_of(&s, &det);
    const evlist *lists[3] = {&s.hist, &s.span, &s.made};
    fu_simulation_details *tiers = details && details->version >= 2 ? &det : NULL; /* their own KPI pass */
    if (rc == FU_OK) rc = measure_kpis(policy, s.cust, s.nc, lists, 3, opts, out, tiers);
    double level = policy_level(policy);
    const evlist *contacts = opts->mode == FU_SIMULATION_POLICY ? &s.made : &s.span;
    if (rc == FU_OK) rc = count_contacts(s.team, contacts, opts, level, out);
    if (rc == FU_OK) rc = measure_promises(&s, level, out);
    if (rc == FU_OK) {
        int64_t t = opts->from, open;
        while (fu_calendar_next_open(s.team, t, &open) == FU_OK && open < opts->to) { /* open days */
            out->days++;
            fu_local loc;
            if (fu_calendar_to_local(s.team, open, &loc)) break;
            fu_local next = {loc.year, loc.month, loc.day, 0, 0, 0, 0, 0, 0};
            fu_date d = {loc.year, loc.month, loc.day};
            int64_t days;
            if (fu_date_to_days(&d, &days) || fu_date_from_days(days + 1, &d)) break;
            next.year = d.year, next.month = d.month, next.day = d.day;
            if (fu_calendar_from_local(s.team, &next, 0, &t)) break;
        }
    }
    sim_free(&s);
    if (rc) memset(out, 0, sizeof *out);
    else if (details && details->version == 1) /* only the fields of the version given */
        memcpy(details, &det, offsetof(fu_simulation_details, n_tiers)), details->version = 1;
    else if (details)
        *details = det;
    return rc;
}

/* ------------------------------------------------------------ ground truth */

/* The header a truth file must have: customer_id,archetype,weekend,p00,...,p23. */
static int truth_header_ok(const char *line) {
    char want[160];
    size_t n = (size_t)snprintf(want, sizeof want, "customer_id,archetype,weekend");
    for (int h = 0; h < 24; h++) n += (size_t)snprintf(want + n, sizeof want - n, ",p%02d", h);
    size_t len = strcspn(line, "\r\n");
    return len == n && memcmp(line, want, n) == 0;
}

/* One row: every id must be a customer of the book, once (seen[c]: the line
 * of its row, 0 none); 27 columns, probabilities in [0, 1]. */
static int truth_line(const fu_book *book, char *line, const char *path, size_t lineno, double *ap, double *wf,
                      size_t *seen) {
    char *save = NULL, *tok = strtok_r(line, ",\r\n", &save);
    if (!tok) return FU_OK;
    size_t c;
    char q[FU_ERRTEXT_CELL_CAP]; /* an id: readable unless it has the shape of personal data */
    if (fu_book_find_customer(book, tok, strlen(tok), &c) != FU_OK) {
        fu_error_clear();
        return fu__error_set(FU_EPARSE,
                             "%s:%zu:1: customer_id: customer '%s' is not in the book (expected one row per customer "
                             "of the book: a truth file of another book?)",
                             path, lineno, fu__errtext_cell_str(q, sizeof q, tok));
    }
    if (seen[c])
        return fu__error_set(FU_EPARSE, "%s:%zu:1: customer_id: customer '%s' has a second row (the first is line %zu)",
                             path, lineno, fu__errtext_cell_str(q, sizeof q, tok), seen[c]);
    seen[c] = lineno;
    double v[25];
    size_t eol = strlen(tok) + (size_t)(tok - line) + 1; /* the byte after the id: where a missing field is */
    if (!strtok_r(NULL, ",\r\n", &save)) /* archetype */
        return fu__error_set(FU_EPARSE, "%s:%zu:%zu: archetype: missing (expected archetype, weekend and p00..p23)",
                             path, lineno, eol);
    for (int i = 0; i < 25; i++) {
        char *end, name[8];
        const char *prev = tok;
        tok = strtok_r(NULL, ",\r\n", &save);
        v[i] = tok ? strtod(tok, &end) : NAN;
        if (i) snprintf(name, sizeof name, "p%02d", i - 1);
        else snprintf(name, sizeof name, "weekend");
        if (!tok) /* the row ends early: the position after its last field */
            return fu__error_set(FU_EPARSE, "%s:%zu:%zu: %s: missing (expected 27 columns: customer_id, archetype, "
                                            "weekend, p00..p23)",
                                 path, lineno, (size_t)(prev - line) + strlen(prev) + 1, name);
        if (*end || !(v[i] >= 0 && v[i] <= 1))
            return fu__error_set(FU_EPARSE, "%s:%zu:%zu: %s: expected a probability in [0, 1], got '%s'", path, lineno,
                                 (size_t)(tok - line) + 1, name, fu__errtext_cell_str(q, sizeof q, tok));
    }
    if ((tok = strtok_r(NULL, ",\r\n", &save)))
        return fu__error_set(FU_EPARSE, "%s:%zu:%zu: a 28th field: expected 27 columns (customer_id, archetype, "
                                        "weekend, p00..p23)", path, lineno, (size_t)(tok - line) + 1);
    wf[c] = v[0];
    memcpy(ap + c * 24, v + 1, 24 * sizeof *ap);
    return FU_OK;
}

/* Every customer of the book must have its row. */
static int truth_complete(const fu_book *book, const char *path, const size_t *seen, size_t nc) {
    size_t missing = 0, first = SIZE_MAX;
    for (size_t c = 0; c < nc; c++)
        if (!seen[c]) missing++, first = first == SIZE_MAX ? c : first;
    if (!missing) return FU_OK;
    char q[FU_ERRTEXT_CELL_CAP];
    return fu__error_set(FU_EPARSE, "%s: no row for customer '%s' (%zu of the book's %zu customers have none; "
                                    "expected one row per customer)",
                         path, fu__errtext_cell_str(q, sizeof q, fu__book_customer_id(book, first)), missing, nc);
}

int fu_simulation_read_truth(const fu_book *book, const char *path, double **answer_prob, double **weekend_factor) {
    if (!book || !path || !answer_prob || !weekend_factor)
        return fu__error_set(FU_EINVAL, "fu_simulation_read_truth: %s is NULL",
                             !book ? "book" : !path ? "path" : !answer_prob ? "answer_prob" : "weekend_factor");
    *answer_prob = NULL;
    *weekend_factor = NULL;
    size_t nc = fu_book_customer_count(book);
    double *ap = fu__calloc(nc * 24 + 1, sizeof *ap), *wf = fu__calloc(nc + 1, sizeof *wf);
    size_t *seen = fu__calloc(nc + 1, sizeof *seen);
    FILE *f = NULL;
    char line[4096];
    int rc = FU_OK;
    if (!ap || !wf || !seen) rc = fu__error_set(FU_ENOMEM, "out of memory");
    if (rc == FU_OK && !(f = fopen(path, "r"))) rc = fu__error_set(FU_EIO, "%s: cannot open", path);
    size_t lineno = 1;
    for (; rc == FU_OK && fgets(line, sizeof line, f); lineno++) {
        if (!strchr(line, '\n') && !feof(f)) rc = fu__error_set(FU_EPARSE, "%s:%zu: line too long", path, lineno);
        else if (lineno > 1) rc = truth_line(book, line, path, lineno, ap, wf, seen);
        else if (!truth_header_ok(line))
            rc = fu__error_set(FU_EPARSE, "%s:1: expected the header customer_id,archetype,weekend,p00,...,p23", path);
    }
    if (rc == FU_OK && lineno == 1) rc = fu__error_set(FU_EPARSE, "%s:1: empty file: expected the header "
                                                                  "customer_id,archetype,weekend,p00,...,p23", path);
    if (rc == FU_OK) rc = truth_complete(book, path, seen, nc);
    if (f) fclose(f);
    fu__free(seen);
    if (rc) {
        fu__free(ap);
        fu__free(wf);
        return rc;
    }
    *answer_prob = ap;
    *weekend_factor = wf;
    return FU_OK;
}
