/* fu_kpi: KPIs per period and group with intervals, RAG status and scorecards.
 *
 * This file: names and parsing of the enums, RAG, storage (interned
 * strings, customers, events grouped per customer in time order plus the
 * pending events of later adds, due items, commitments), the add_*
 * functions, merging the pending events, and reading the figures back. The
 * computation is in kpi_pass.c and kpi_figures.c, the writers in
 * kpi_write.c (kpi_internal.h lists the files).
 *
 * The definitions implemented here are written out in docs/kpi.md; keep the
 * two in step. */
#include "kpi_internal.h"

/* ===================================================================== */
/* 1. statistics                                                          */

/* The statistics are fu_stats' (lib/stats.c); these public names remain for
 * the bindings (deprecated: fu_stats_normal_quantile, _t_quantile, _wilson). */

int fu_kpi_normal_quantile(double p, double *out) { return fu_stats_normal_quantile(p, out); }

int fu_kpi_t_quantile(double p, double df, double *out) { return fu_stats_t_quantile(p, df, out); }

int fu_kpi_wilson(double x, double n, double confidence, double *low, double *high) {
    return fu_stats_wilson(x, n, confidence, low, high);
}

/* ===================================================================== */
/* 2. names                                                               */

const char *const fu__kpi_names[FU_KPI_COUNT] = {
    "coverage", "response_timeliness", "response_time_p50", "response_time_p90", "resolution",
    "first_contact_resolution", "feedback_closure", "repeat_complaints", "csat", "csat_top2", "nps",
    "ces", "commitment_on_time", "over_contact", "follow_up_complaints", "win_back", "repurchase",
    "churn", "roi", "scorecard", "quality_closure", "budget_overrun", "repurchase_uplift", "value_uplift",
    "roi_incremental"};

/* Value type of each KPI (VT_* in kpi_internal.h). */
const unsigned char fu__kpi_vtype[FU_KPI_COUNT] = {
    VT_PROP, VT_PROP, VT_QUANT, VT_QUANT, VT_PROP,  VT_PROP,   VT_PROP,   VT_PROP,   VT_MEAN,
    VT_PROP, VT_NPS,  VT_MEAN,  VT_PROP,  VT_PROP,  VT_PROP,   VT_PROP,   VT_PROP,   VT_PROP,
    VT_RATIO, VT_SCORE, VT_PROP, VT_BUDGET, VT_UPLIFT, VT_UPLIFT, VT_UPLIFT};
/* Direction when the policy does not say (KPIs the policy may not know). */
const unsigned char fu__kpi_lower_better[FU_KPI_COUNT] = {
    0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0};

const char *fu_kpi_name(fu_kpi_id id) { return id >= 0 && id < FU_KPI_COUNT ? fu__kpi_names[id] : NULL; }

int fu_kpi_from_string(const char *text, size_t len, fu_kpi_id *out) {
    if (!text || !out) return fu__error_set(FU_EINVAL, "fu_kpi_from_string: NULL argument");
    for (int i = 0; i < FU_KPI_COUNT; i++)
        if (strlen(fu__kpi_names[i]) == len && memcmp(fu__kpi_names[i], text, len) == 0) {
            *out = (fu_kpi_id)i;
            return FU_OK;
        }
    return fu__error_set(FU_ENOTFOUND, "unknown KPI '%.*s'", (int)(len > 64 ? 64 : len), text);
}

static const char *const status_names[] = {"none", "green", "yellow", "red"};
const char *fu_kpi_status_name(fu_kpi_status s) { return s >= 0 && s <= 3 ? status_names[s] : NULL; }

const char *const fu__kpi_period_names[3] = {"day", "week", "month"};
const char *fu_kpi_period_name(fu_kpi_period p) { return p >= 0 && p <= 2 ? fu__kpi_period_names[p] : NULL; }

int fu_kpi_period_from_string(const char *text, size_t len, fu_kpi_period *out) {
    if (!text || !out) return fu__error_set(FU_EINVAL, "fu_kpi_period_from_string: NULL argument");
    for (int i = 0; i < 3; i++)
        if (strlen(fu__kpi_period_names[i]) == len && memcmp(fu__kpi_period_names[i], text, len) == 0) {
            *out = (fu_kpi_period)i;
            return FU_OK;
        }
    return fu__error_set(FU_EPARSE, "unknown period '%.*s' (day, week, month)", (int)(len > 64 ? 64 : len),
                         text);
}

const char *const fu__kpi_by_names[5] = {"tier", "segment", "agent", "channel", "product_class"};

int fu_kpi_by_from_string(const char *text, size_t len, unsigned int *out) {
    if (!text || !out) return fu__error_set(FU_EINVAL, "fu_kpi_by_from_string: NULL argument");
    if (len == 4 && memcmp(text, "none", 4) == 0) {
        *out = 0;
        return FU_OK;
    }
    unsigned int by = 0;
    size_t i = 0;
    while (i <= len) {
        size_t j = i;
        while (j < len && text[j] != ',' && text[j] != 'x') j++;
        /* "x" separates only between words ("tier x agent" or "tierxagent"
         * would be odd, but "product_class" has no x, "tier,agent" has none) */
        size_t a = i, b = j;
        while (a < b && text[a] == ' ') a++;
        while (b > a && text[b - 1] == ' ') b--;
        int k;
        for (k = 0; k < 5; k++)
            if (strlen(fu__kpi_by_names[k]) == b - a && memcmp(fu__kpi_by_names[k], text + a, b - a) == 0) break;
        if (k == 5)
            return fu__error_set(FU_EPARSE,
                                 "unknown grouping '%.*s' (none, tier, segment, agent, channel, product_class)",
                                 (int)((b - a) > 64 ? 64 : (b - a)), text + a);
        by |= 1u << k;
        i = j + 1;
    }
    *out = by;
    return FU_OK;
}

/* ---- RAG ---- */

int fu__kpi_rag_lookup(const fu__policy *t, fu_kpi_id id, const char *tier, double *target, double *red,
                      int *lower, const char **rule) {
    const fu__pol_kpi *k = fu__policy_kpi(t, fu__kpi_names[id]);
    if (!k) return 0;
    *target = k->target;
    *red = k->red;
    *lower = k->lower_is_better;
    *rule = k->rule;
    if (tier)
        for (size_t i = 0; i < k->n_by_tier; i++)
            if (strcmp(k->by_tier[i].tier, tier) == 0) {
                double tt = k->by_tier[i].target;
                if (!isnan(k->target)) {
                    *red = k->red + (tt - k->target);
                } else { /* only tier targets: red is the amber margin away */
                    double m = k->is_rate ? t->kpis.amber_margin : t->kpis.amber_margin * fabs(tt);
                    *red = k->lower_is_better ? tt + m : tt - m;
                }
                *target = tt;
                *rule = NULL; /* the caller names "kpis.<kpi>.<tier>" */
                return 2;
            }
    return isnan(k->target) ? 0 : 1; /* no target: no RAG status */
}

fu_kpi_status fu__kpi_rag_status(double v, double target, double red, int lower) {
    if (isnan(v) || isnan(target)) return FU_KPI_STATUS_NONE;
    /* thresholds from the policy carry rounding (5% + 10% is not exactly
     * 0.15): a value within 1e-9 of a threshold counts as on it */
    double et = 1e-9 * fmax(1.0, fabs(target)), er = 1e-9 * fmax(1.0, fabs(red));
    if (lower) {
        if (v <= target + et) return FU_KPI_STATUS_GREEN;
        if (v >= red - er) return FU_KPI_STATUS_RED;
    } else {
        if (v >= target - et) return FU_KPI_STATUS_GREEN;
        if (v <= red + er) return FU_KPI_STATUS_RED;
    }
    return FU_KPI_STATUS_YELLOW;
}

int fu_kpi_rag(const fu_policy *policy, fu_kpi_id kpi, const char *tier, double value,
               fu_kpi_status *status, double *target, const char **rule) {
    if (!policy || !status || (int)kpi < 0 || kpi >= FU_KPI_COUNT)
        return fu__error_set(FU_EINVAL, "fu_kpi_rag: bad argument");
    const fu__policy *t = fu__policy_typed(policy);
    double tg = NAN, red = NAN;
    int lower = fu__kpi_lower_better[kpi];
    const char *r = "";
    int found = fu__kpi_rag_lookup(t, kpi, tier, &tg, &red, &lower, &r);
    if (found == 2) {
        /* a static-free name is not available here: report the KPI's rule */
        const fu__pol_kpi *k = fu__policy_kpi(t, fu__kpi_names[kpi]);
        r = k->rule;
    }
    *status = found ? fu__kpi_rag_status(value, tg, red, lower) : FU_KPI_STATUS_NONE;
    if (target) *target = found ? tg : NAN;
    if (rule) *rule = found ? r : "";
    return FU_OK;
}

/* ===================================================================== */
/* 3. storage                                                             */

/* Interned strings: id 0 is "absent"; ids are dense from 1. */

static uint32_t hash_bytes(const char *s, size_t n) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h ? h : 1;
}

static void kstr_free(kstr *t) {
    for (size_t i = 1; i < t->n; i++) fu__free(t->s[i]);
    fu__free(t->s);
    fu__free(t->h);
    fu__free(t->tab);
    memset(t, 0, sizeof *t);
}

static int kstr_rehash(kstr *t, size_t ncap) {
    uint32_t *tab = fu__calloc(ncap, sizeof *tab);
    if (!tab) return fu__error_nomem();
    for (size_t id = 1; id < t->n; id++) {
        size_t j = t->h[id] & (ncap - 1);
        while (tab[j]) j = (j + 1) & (ncap - 1);
        tab[j] = (uint32_t)id;
    }
    fu__free(t->tab);
    t->tab = tab;
    t->tcap = ncap;
    return FU_OK;
}

/* The id of `s` (length n), adding it when absent. Empty text is id 0. */
static int kstr_intern(kstr *t, const char *s, size_t n, uint32_t *out) {
    if (!s || n == 0) {
        *out = 0;
        return FU_OK;
    }
    uint32_t h = hash_bytes(s, n);
    if (t->tcap) {
        size_t j = h & (t->tcap - 1);
        while (t->tab[j]) {
            uint32_t id = t->tab[j];
            if (t->h[id] == h && strncmp(t->s[id], s, n) == 0 && t->s[id][n] == '\0') {
                *out = id;
                return FU_OK;
            }
            j = (j + 1) & (t->tcap - 1);
        }
    }
    if (t->n >= UINT32_MAX - 1) return fu__error_set(FU_ELIMIT, "more than 2^32 - 2 distinct strings");
    if ((t->n + 1) * 2 > t->tcap) {
        int rc = kstr_rehash(t, t->tcap ? t->tcap * 2 : 64);
        if (rc) return rc;
    }
    size_t need = t->n ? t->n + 1 : 2;
    size_t cap = t->cap;
    if (need > cap) {
        size_t ncap = cap ? cap * 2 : 64;
        char **ns = fu__realloc(t->s, ncap * sizeof *ns);
        if (!ns) return fu__error_nomem();
        t->s = ns;
        uint32_t *nh = fu__realloc(t->h, ncap * sizeof *nh);
        if (!nh) return fu__error_nomem();
        t->h = nh;
        t->cap = ncap;
    }
    if (t->n == 0) {
        t->s[0] = NULL;
        t->h[0] = 0;
        t->n = 1;
    }
    char *copy = fu__strndup(s, n);
    if (!copy) return fu__error_nomem();
    uint32_t id = (uint32_t)t->n;
    t->s[id] = copy;
    t->h[id] = h;
    t->n++;
    size_t j = h & (t->tcap - 1);
    while (t->tab[j]) j = (j + 1) & (t->tcap - 1);
    t->tab[j] = id;
    *out = id;
    return FU_OK;
}


int fu__kpi_intern(fu_kpi *k, const char *s, size_t n, uint32_t *out) { return kstr_intern(&k->str, s, n, out); }

void fu_kpi_options_init(fu_kpi_options *opts) {
    if (opts) {
        fu_kpi_options d = FU_KPI_OPTIONS_INIT;
        *opts = d;
    }
}

void fu__kpi_clear_result(fu_kpi *k) {
    for (size_t i = 0; i < k->n_labels; i++) fu__free(k->labels[i]);
    fu__free(k->labels);
    k->labels = NULL;
    k->n_labels = k->cap_labels = 0;
    fu__free(k->fig);
    k->fig = NULL;
    k->n_fig = 0;
    fu__free(k->sc);
    k->sc = NULL;
    k->n_sc = 0;
    k->has_result = 0;
}

void fu_kpi_free(fu_kpi *k) {
    if (!k) return;
    fu__kpi_clear_result(k);
    kstr_free(&k->str);
    fu__free(k->cust_of);
    fu__free(k->cust);
    fu__free(k->ev);
    fu__free(k->off);
    fu__free(k->pend);
    fu__free(k->due);
    fu__free(k->com);
    fu__kpi_partials_free(k);
    fu__free(k);
}

int fu_kpi_new(fu_kpi **out, const fu_policy *policy, const fu_kpi_options *opts) {
    if (!out || !policy) return fu__error_set(FU_EINVAL, "fu_kpi_new: NULL argument");
    *out = NULL;
    fu_kpi_options o = FU_KPI_OPTIONS_INIT;
    if (opts) {
        if (opts->version == 1) /* before `budget` */
            memcpy(&o, opts, offsetof(fu_kpi_options, budget));
        else if (opts->version == FU_KPI_OPTIONS_VERSION)
            o = *opts;
        else
            return fu__error_set(FU_EINVAL, "fu_kpi_options: unknown version %u", opts->version);
        o.version = FU_KPI_OPTIONS_VERSION;
    }
    if ((unsigned)o.period > FU_KPI_MONTH) return fu__error_set(FU_EINVAL, "fu_kpi_options: bad period %d", (int)o.period);
    if (o.by & ~0x1Fu) return fu__error_set(FU_EINVAL, "fu_kpi_options: unknown grouping bits 0x%x", o.by);
    if (o.flags & ~(FU_KPI_NO_DERIVED_DUE | FU_KPI_CSV_RAW)) return fu__error_set(FU_EINVAL, "fu_kpi_options: unknown flags 0x%x", o.flags);
    if (o.fcr_window <= 0 || o.repeat_window <= 0 || o.complaint_window <= 0 || o.win_back_window <= 0 ||
        o.repurchase_window <= 0 || o.roi_window <= 0)
        return fu__error_set(FU_EINVAL, "fu_kpi_options: windows must be positive");
    if (!isfinite(o.budget) || o.budget < 0) return fu__error_set(FU_EINVAL, "fu_kpi_options: budget must be finite and >= 0");
    for (int i = 0; i < FU_CHANNEL_COUNT; i++)
        if (!isfinite(o.contact_cost[i]) || o.contact_cost[i] < 0)
            return fu__error_set(FU_EINVAL, "fu_kpi_options: contact_cost[%d] must be finite and >= 0", i);
    if (o.from != FU_KPI_NO_TIME && o.to != FU_KPI_NO_TIME && o.to <= o.from)
        return fu__error_set(FU_EINVAL, "fu_kpi_options: `to` must be after `from`");
    const fu__policy *t = fu__policy_typed(policy);
    if (!t->calendar || !t->calendar->cal) return fu__error_set(FU_EPOLICY, "the policy has no default calendar");
    fu_kpi *k = fu__calloc(1, sizeof *k);
    if (!k) return fu__error_nomem();
    k->policy = policy;
    k->pol = t;
    k->cal = t->calendar->cal;
    k->o = o;
    k->z = fu__stats_norm_quantile(0.5 + t->kpis.confidence / 2.0);
    *out = k;
    return FU_OK;
}

/* Make cust_of cover every string id. */
static int cust_of_fit(fu_kpi *k) {
    if (k->cust_of_cap >= k->str.n + 1) return FU_OK;
    size_t ncap = k->cust_of_cap ? k->cust_of_cap : 64;
    while (ncap < k->str.n + 1) ncap *= 2;
    uint32_t *n = fu__realloc(k->cust_of, ncap * sizeof *n);
    if (!n) return fu__error_nomem();
    for (size_t i = k->cust_of_cap; i < ncap; i++) n[i] = NONE32;
    k->cust_of = n;
    k->cust_of_cap = ncap;
    return FU_OK;
}

/* The customer of id string `sid`, created (unknown tier) when absent. */
static int cust_get(fu_kpi *k, uint32_t sid, uint32_t *out) {
    int rc = cust_of_fit(k);
    if (rc) return rc;
    if (k->cust_of[sid] != NONE32) {
        *out = k->cust_of[sid];
        return FU_OK;
    }
    if (k->n_cust >= UINT32_MAX - 1) return fu__error_set(FU_ELIMIT, "more than 2^32 - 2 customers");
    rc = FU_GROW(k->cust, k->cap_cust, k->n_cust + 1);
    if (rc) return rc;
    kcust *c = &k->cust[k->n_cust];
    memset(c, 0, sizeof *c);
    c->id = sid;
    c->tier = -1;
    c->first_purchase_at = FU_KPI_NO_TIME;
    k->cust_of[sid] = (uint32_t)k->n_cust;
    *out = (uint32_t)k->n_cust++;
    return FU_OK;
}

/* Undo customers created since `n_cust` (failed all-or-nothing call). */
static void cust_rollback(fu_kpi *k, size_t n_cust) {
    while (k->n_cust > n_cust) {
        k->n_cust--;
        k->cust_of[k->cust[k->n_cust].id] = NONE32;
    }
}

static void changed(fu_kpi *k) { k->computed = 0; }

static int intern_cstr(fu_kpi *k, const char *s, uint32_t *out) {
    return kstr_intern(&k->str, s, s ? strlen(s) : 0, out);
}

int fu_kpi_add_customers(fu_kpi *k, const fu_customer *in, size_t n) {
    if (!k || (!in && n)) return fu__error_set(FU_EINVAL, "fu_kpi_add_customers: NULL argument");
    for (size_t i = 0; i < n; i++)
        if (!in[i].id || !*in[i].id) return fu__error_set(FU_EINVAL, "customer %zu: missing id", i);
    size_t n0 = k->n_cust;
    /* Updates of existing customers are applied only after every lookup
     * succeeded, so a failure leaves the engine as it was. */
    uint32_t *idx = n ? fu__malloc(n * sizeof *idx) : NULL;
    uint32_t *ind = n ? fu__malloc(n * sizeof *ind) : NULL;
    int rc = (n && (!idx || !ind)) ? fu__error_nomem() : FU_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        uint32_t sid;
        rc = intern_cstr(k, in[i].id, &sid);
        if (!rc) rc = intern_cstr(k, in[i].industry, &ind[i]);
        if (!rc) rc = cust_get(k, sid, &idx[i]);
        if (rc) fu__error_prefix("customer %zu", i);
    }
    if (rc) {
        cust_rollback(k, n0);
    } else {
        for (size_t i = 0; i < n; i++) {
            kcust *c = &k->cust[idx[i]];
            c->tier = isnan(in[i].annual_spend) ? -1 : fu__policy_tier_of(k->pol, in[i].annual_spend);
            c->first_purchase_at = in[i].first_purchase_at == FU_BOOK_NO_TIME ? FU_KPI_NO_TIME
                                                                                : in[i].first_purchase_at;
            c->industry = ind[i];
            c->is_smb = (int32_t)in[i].is_smb;
        }
        if (n) changed(k);
    }
    fu__free(idx);
    fu__free(ind);
    return rc;
}

static int pclass_of(const fu_kpi *k, double unit_price, const char *name) {
    int c = -1;
    if (!isnan(unit_price) && unit_price >= 0) c = fu__policy_class_of(k->pol, unit_price);
    if (c < 0 && name && *name) c = fu__policy_class_index(k->pol, name);
    return c < 0 ? 0 : c + 1;
}

int fu_kpi_add_events(fu_kpi *k, const fu_event_in *in, size_t n) {
    return fu_kpi_add_events_priority(k, in, NULL, n);
}

int fu_kpi_add_events_priority(fu_kpi *k, const fu_event_in *in, const fu_priority *prio, size_t n) {
    if (!k || (!in && n)) return fu__error_set(FU_EINVAL, "fu_kpi_add_events: NULL argument");
    for (size_t i = 0; i < n; i++) {
        const fu_event_in *e = &in[i];
        if (prio && (unsigned)prio[i] > FU_PRIORITY_LOW)
            return fu__error_set(FU_EINVAL, "event %zu: priority %d out of range", i, (int)prio[i]);
        if (!e->customer_id || !*e->customer_id) return fu__error_set(FU_EINVAL, "event %zu: missing customer id", i);
        if (e->at == FU_BOOK_NO_TIME) return fu__error_set(FU_EINVAL, "event %zu: missing time", i);
        if ((unsigned)e->kind >= FU_EVENT_KIND_COUNT || (unsigned)e->severity > FU_SEVERITY_LOW ||
            (unsigned)e->channel >= FU_CHANNEL_COUNT || (unsigned)e->outcome >= FU_OUTCOME_COUNT ||
            (unsigned)e->survey > FU_SURVEY_CES)
            return fu__error_set(FU_EINVAL, "event %zu: an enum value is out of range", i);
    }
    if (k->n_ev + k->n_pend + n >= UINT32_MAX) return fu__error_set(FU_ELIMIT, "more than 2^32 - 2 events");
    int rc = FU_GROW(k->pend, k->cap_pend, k->n_pend + n);
    if (rc) return rc;
    size_t n0 = k->n_cust;
    for (size_t i = 0; i < n && !rc; i++) {
        const fu_event_in *e = &in[i];
        kpend *pe = &k->pend[k->n_pend + i];
        kev *v = &pe->e;
        uint32_t sid;
        memset(pe, 0, sizeof *pe);
        rc = intern_cstr(k, e->customer_id, &sid);
        if (!rc) rc = cust_get(k, sid, &pe->cust);
        if (!rc) rc = intern_cstr(k, e->order_id, &v->order);
        if (!rc) rc = intern_cstr(k, e->agent_id, &v->agent);
        if (rc) {
            fu__error_prefix("event %zu", i);
            break;
        }
        v->at = e->at;
        v->val = e->kind == FU_EVENT_PURCHASE ? e->amount
                 : e->kind == FU_EVENT_SURVEY  ? (double)(float)e->score
                                               : NAN;
        v->kind = (uint8_t)e->kind;
        v->severity = (uint8_t)e->severity;
        v->channel = (uint8_t)e->channel;
        v->outcome = (uint8_t)e->outcome;
        v->survey = (uint8_t)e->survey;
        v->pclass = (uint8_t)pclass_of(k, e->unit_price, e->product_class);
        v->prio = prio && e->kind == FU_EVENT_CONTACT ? (uint8_t)(prio[i] + 1) : 0;
    }
    if (rc) {
        cust_rollback(k, n0);
        return rc;
    }
    k->n_pend += n;
    if (n) changed(k);
    return FU_OK;
}

/* Book string id -> engine string id (0 = not mapped yet, else id + 1 so
 * that an absent string maps to 1). */
typedef struct bmap {
    uint32_t *v;
    size_t cap;
} bmap;

static int bmap_get(fu_kpi *k, const fu_book *b, bmap *m, uint32_t bid, uint32_t *out) {
    if (bid == 0) {
        *out = 0;
        return FU_OK;
    }
    if (bid >= m->cap) {
        size_t ncap = m->cap ? m->cap : 256;
        while (ncap <= bid) ncap *= 2;
        uint32_t *nv = fu__realloc(m->v, ncap * sizeof *nv);
        if (!nv) return fu__error_nomem();
        memset(nv + m->cap, 0, (ncap - m->cap) * sizeof *nv);
        m->v = nv;
        m->cap = ncap;
    }
    if (m->v[bid]) {
        *out = m->v[bid] - 1;
        return FU_OK;
    }
    uint32_t id;
    int rc = intern_cstr(k, fu_book_string(b, bid), &id);
    if (rc) return rc;
    m->v[bid] = id + 1;
    *out = id;
    return FU_OK;
}

/* Product class of book string ids (0xFF: not looked up yet). */
typedef struct bclass {
    uint8_t *v;
    size_t cap;
} bclass;

/* Convert book event `e` into `v`. */
static int book_event(fu_kpi *k, const fu_book *b, bmap *m, bclass *bc, const fu_event *e, kev *v) {
    v->at = e->at;
    v->val = e->kind == FU_EVENT_PURCHASE ? e->amount : e->kind == FU_EVENT_SURVEY ? (double)e->score : NAN;
    int rc = bmap_get(k, b, m, e->order_id, &v->order);
    if (!rc) rc = bmap_get(k, b, m, e->agent_id, &v->agent);
    if (rc) return rc;
    v->kind = e->kind;
    v->severity = e->severity;
    v->channel = e->channel;
    v->outcome = e->outcome;
    v->survey = e->survey;
    v->prio = 0; /* a book has no priorities: normal */
    v->pad_[0] = 0;
    int cls = 0;
    if (!isnan(e->unit_price) && e->unit_price >= 0) {
        cls = fu__policy_class_of(k->pol, e->unit_price) + 1;
    } else if (e->product_class) {
        if (e->product_class >= bc->cap) {
            size_t ncap = bc->cap ? bc->cap : 256;
            while (ncap <= e->product_class) ncap *= 2;
            uint8_t *nb = fu__realloc(bc->v, ncap);
            if (!nb) return fu__error_nomem();
            memset(nb + bc->cap, 0xFF, ncap - bc->cap);
            bc->v = nb;
            bc->cap = ncap;
        }
        if (bc->v[e->product_class] == 0xFF)
            bc->v[e->product_class] = (uint8_t)pclass_of(k, NAN, fu_book_string(b, e->product_class));
        cls = bc->v[e->product_class];
    }
    v->pclass = (uint8_t)(cls < 0 ? 0 : cls);
    return FU_OK;
}

/* Stable insertion sort of one customer's events by time (a finalized book
 * keeps them in time order already; this only guards that promise). */
static void sort_run(kev *e, size_t n) {
    for (size_t i = 1; i < n; i++) {
        if (e[i].at >= e[i - 1].at) continue;
        kev x = e[i];
        size_t j = i;
        while (j > 0 && x.at < e[j - 1].at) {
            e[j] = e[j - 1];
            j--;
        }
        e[j] = x;
    }
}

/* The bulk path: an engine without events takes the book's events straight
 * into its merged array, already grouped by customer in time order. */
static int add_book_direct(fu_kpi *k, const fu_book *b, const uint32_t *cmap, size_t nc, int *done) {
    *done = 0;
    size_t ncu = k->n_cust, ne = 0;
    const fu_event *be = fu_book_events(b, &ne);
    const size_t *boff = fu_book_event_offsets(b);
    size_t *off = fu__calloc(ncu + 1, sizeof *off);
    uint32_t *src = fu__malloc((ncu ? ncu : 1) * sizeof *src);
    if (!off || !src) {
        fu__free(off);
        fu__free(src);
        return fu__error_nomem();
    }
    for (size_t c = 0; c < ncu; c++) src[c] = NONE32;
    for (size_t i = 0; i < nc; i++) {
        if (src[cmap[i]] != NONE32) { /* two book customers, one engine customer */
            fu__free(off);
            fu__free(src);
            return FU_OK;
        }
        src[cmap[i]] = (uint32_t)i;
    }
    size_t o = 0;
    for (size_t c = 0; c < ncu; c++) {
        off[c] = o;
        if (src[c] != NONE32) o += boff[src[c] + 1] - boff[src[c]];
    }
    off[ncu] = o;
    kev *ev = ne ? fu__malloc(ne * sizeof *ev) : NULL;
    bmap m = {NULL, 0};
    bclass bc = {NULL, 0};
    int rc = (ne && !ev) ? fu__error_nomem() : FU_OK;
    for (size_t c = 0; c < ncu && !rc; c++) {
        if (src[c] == NONE32) continue;
        size_t i0 = boff[src[c]], i1 = boff[src[c] + 1];
        kev *dst = ev + off[c];
        for (size_t i = i0; i < i1 && !rc; i++) rc = book_event(k, b, &m, &bc, &be[i], &dst[i - i0]);
        if (!rc) sort_run(dst, i1 - i0);
    }
    fu__free(m.v);
    fu__free(bc.v);
    fu__free(src);
    if (rc) {
        fu__free(ev);
        fu__free(off);
        return rc;
    }
    fu__free(k->ev);
    fu__free(k->off);
    k->ev = ev;
    k->n_ev = k->cap_ev = ne;
    k->off = off;
    k->n_off = ncu;
    *done = 1;
    return FU_OK;
}

int fu_kpi_add_book(fu_kpi *k, const fu_book *b) {
    if (!k || !b) return fu__error_set(FU_EINVAL, "fu_kpi_add_book: NULL argument");
    if (!fu_book_is_finalized(b)) return fu__error_set(FU_ESTATE, "the book is not finalized");
    size_t nc = fu_book_customer_count(b), ne = 0;
    const fu_event *be = fu_book_events(b, &ne);
    if (k->n_ev + k->n_pend + ne >= UINT32_MAX) return fu__error_set(FU_ELIMIT, "more than 2^32 - 2 events");
    size_t n0 = k->n_cust;
    uint32_t *cmap = nc ? fu__malloc(nc * sizeof *cmap) : NULL;
    int rc = (nc && !cmap) ? fu__error_nomem() : FU_OK;
    /* customers: add or update */
    kcust *saved = NULL;
    size_t n_saved = 0;
    if (!rc && n0) {
        /* keep the old records of existing customers to undo updates */
        saved = fu__malloc(n0 * sizeof *saved);
        if (!saved) rc = fu__error_nomem();
        else {
            memcpy(saved, k->cust, n0 * sizeof *saved);
            n_saved = n0;
        }
    }
    for (size_t i = 0; i < nc && !rc; i++) {
        const fu_customer *c = fu_book_customer(b, i);
        uint32_t sid, ind;
        rc = intern_cstr(k, c->id, &sid);
        if (!rc) rc = intern_cstr(k, c->industry, &ind);
        if (!rc) rc = cust_get(k, sid, &cmap[i]);
        if (rc) break;
        kcust *kc = &k->cust[cmap[i]];
        kc->tier = isnan(c->annual_spend) ? -1 : fu__policy_tier_of(k->pol, c->annual_spend);
        kc->first_purchase_at = c->first_purchase_at == FU_BOOK_NO_TIME ? FU_KPI_NO_TIME : c->first_purchase_at;
        kc->industry = ind;
        kc->is_smb = (int32_t)c->is_smb;
    }
    int done = 0;
    if (!rc && ne && k->n_ev == 0 && k->n_pend == 0) rc = add_book_direct(k, b, cmap, nc, &done);
    if (!rc && ne && !done) {
        /* events next to existing ones: pending until the next compute */
        rc = FU_GROW(k->pend, k->cap_pend, k->n_pend + ne);
        bmap m = {NULL, 0};
        bclass bc = {NULL, 0};
        for (size_t i = 0; i < ne && !rc; i++) {
            kpend *pe = &k->pend[k->n_pend + i];
            pe->cust = cmap[be[i].customer];
            pe->pad_ = 0;
            rc = book_event(k, b, &m, &bc, &be[i], &pe->e);
        }
        fu__free(m.v);
        fu__free(bc.v);
        if (!rc) k->n_pend += ne;
    }
    if (rc) {
        if (saved) memcpy(k->cust, saved, n_saved * sizeof *saved);
        cust_rollback(k, n0);
    } else if (nc || ne) {
        changed(k);
    }
    fu__free(saved);
    fu__free(cmap);
    return rc;
}

int fu_kpi_set_segments(fu_kpi *k, const char *const *ids, const char *const *labels, size_t n) {
    if (!k || (n && (!ids || !labels))) return fu__error_set(FU_EINVAL, "fu_kpi_set_segments: NULL argument");
    for (size_t i = 0; i < n; i++)
        if (!ids[i] || !*ids[i] || !labels[i]) return fu__error_set(FU_EINVAL, "segment %zu: NULL id or label", i);
    size_t n0 = k->n_cust;
    uint32_t *ci = n ? fu__malloc(2 * n * sizeof *ci) : NULL;
    int rc = (n && !ci) ? fu__error_nomem() : FU_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        uint32_t sid;
        rc = intern_cstr(k, ids[i], &sid);
        if (!rc) rc = intern_cstr(k, labels[i], &ci[n + i]);
        if (!rc) rc = cust_get(k, sid, &ci[i]);
    }
    if (rc) cust_rollback(k, n0);
    else {
        for (size_t i = 0; i < n; i++) k->cust[ci[i]].segment = ci[n + i];
        if (n) changed(k);
    }
    fu__free(ci);
    return rc;
}

int fu_kpi_add_due(fu_kpi *k, const fu_kpi_due *d, size_t n) {
    if (!k || (!d && n)) return fu__error_set(FU_EINVAL, "fu_kpi_add_due: NULL argument");
    for (size_t i = 0; i < n; i++) {
        if (!d[i].customer_id || !*d[i].customer_id) return fu__error_set(FU_EINVAL, "due item %zu: missing customer id", i);
        if (d[i].due_to == FU_KPI_NO_TIME) return fu__error_set(FU_EINVAL, "due item %zu: missing deadline", i);
        if (d[i].due_from != FU_KPI_NO_TIME && d[i].due_to < d[i].due_from)
            return fu__error_set(FU_EINVAL, "due item %zu: deadline before the window start", i);
    }
    int rc = FU_GROW(k->due, k->cap_due, k->n_due + n);
    if (rc) return rc;
    size_t n0 = k->n_cust;
    for (size_t i = 0; i < n && !rc; i++) {
        kdue *v = &k->due[k->n_due + i];
        uint32_t sid;
        rc = intern_cstr(k, d[i].customer_id, &sid);
        if (!rc) rc = cust_get(k, sid, &v->cust);
        if (!rc) rc = intern_cstr(k, d[i].agent_id, &v->agent);
        v->from = d[i].due_from;
        v->to = d[i].due_to;
    }
    if (rc) {
        cust_rollback(k, n0);
        return rc;
    }
    k->n_due += n;
    k->o.flags |= FU_KPI_NO_DERIVED_DUE;
    changed(k);
    return FU_OK;
}

int fu_kpi_add_commitments(fu_kpi *k, const fu_commitment *c, size_t n) {
    if (!k || (!c && n)) return fu__error_set(FU_EINVAL, "fu_kpi_add_commitments: NULL argument");
    for (size_t i = 0; i < n; i++)
        if (!c[i].customer_id || !*c[i].customer_id) return fu__error_set(FU_EINVAL, "commitment %zu: missing customer id", i);
    int rc = FU_GROW(k->com, k->cap_com, k->n_com + n);
    if (rc) return rc;
    size_t n0 = k->n_cust;
    for (size_t i = 0; i < n && !rc; i++) {
        kcom *v = &k->com[k->n_com + i];
        uint32_t sid;
        rc = intern_cstr(k, c[i].customer_id, &sid);
        if (!rc) rc = cust_get(k, sid, &v->cust);
        if (!rc) rc = intern_cstr(k, c[i].created_by, &v->agent);
        v->deadline = c[i].deadline;
        v->closed_at = c[i].closed_at;
        v->state = c[i].state;
    }
    if (rc) {
        cust_rollback(k, n0);
        return rc;
    }
    k->n_com += n;
    if (n) changed(k);
    return FU_OK;
}

int fu_kpi_add_ledger(fu_kpi *k, fu_ledger *ledger) {
    if (!k || !ledger) return fu__error_set(FU_EINVAL, "fu_kpi_add_ledger: NULL argument");
    fu_commit_query q = FU_COMMIT_QUERY_INIT;
    fu_commitment_list *list = NULL;
    int rc = fu_ledger_query(ledger, &q, &list);
    if (rc) return rc;
    size_t n = fu_commitment_list_count(list);
    fu_commitment *arr = n ? fu__malloc(n * sizeof *arr) : NULL;
    if (n && !arr) rc = fu__error_nomem();
    for (size_t i = 0; i < n && !rc; i++) arr[i] = *fu_commitment_list_get(list, i);
    if (!rc) rc = fu_kpi_add_commitments(k, arr, n);
    fu__free(arr);
    fu_commitment_list_free(list);
    return rc;
}

/* ===================================================================== */
/* 4. compute                                                             */

/* ---- merging pending events into the per-customer arrays ---- */

static int pend_less(const kpend *a, const kpend *b) {
    return a->cust < b->cust || (a->cust == b->cust && a->e.at < b->e.at);
}

static void merge_pend(const kpend *l, size_t nl, const kpend *r, size_t nr, kpend *dst) {
    size_t i = 0, j = 0, o = 0;
    while (i < nl && j < nr) dst[o++] = pend_less(&r[j], &l[i]) ? r[j++] : l[i++];
    while (i < nl) dst[o++] = l[i++];
    while (j < nr) dst[o++] = r[j++];
}

/* Stable merge sort by (customer, time): runs of 32 by insertion, then
 * merges through `tmp`. */
static void msort_pend(kpend *a, kpend *tmp, size_t n) {
    const size_t run = 32;
    for (size_t s = 0; s < n; s += run) {
        size_t e = s + run < n ? s + run : n;
        for (size_t i = s + 1; i < e; i++) {
            kpend x = a[i];
            size_t j = i;
            while (j > s && pend_less(&x, &a[j - 1])) {
                a[j] = a[j - 1];
                j--;
            }
            a[j] = x;
        }
    }
    kpend *src = a, *dst = tmp;
    for (size_t w = run; w < n; w *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            merge_pend(src + lo, mid - lo, src + mid, hi - mid, dst + lo);
        }
        kpend *t = src;
        src = dst;
        dst = t;
    }
    if (src != a) memcpy(a, src, n * sizeof *a);
}

/* Bring ev/off up to date: sort the pending events stably by (customer,
 * time) and merge them after the stored events of equal time (the result
 * equals a stable sort of all events in the order they were added). */
int fu__kpi_merge_events(fu_kpi *k) {
    size_t nc = k->n_cust, np = k->n_pend;
    if (!np && k->off && k->n_off == nc) return FU_OK;
    size_t i = 1;
    while (i < np && !pend_less(&k->pend[i], &k->pend[i - 1])) i++;
    if (i < np) {
        kpend *tmp = fu__malloc(np * sizeof *tmp);
        if (!tmp) return fu__error_nomem();
        msort_pend(k->pend, tmp, np);
        fu__free(tmp);
    }
    size_t *off = fu__malloc((nc + 1) * sizeof *off);
    size_t n = k->n_ev + np;
    kev *ev = np ? fu__malloc(n * sizeof *ev) : NULL;
    if (!off || (np && !ev)) {
        fu__free(off);
        fu__free(ev);
        return fu__error_nomem();
    }
    size_t o = 0, pp = 0;
    for (size_t c = 0; c < nc; c++) {
        size_t a = c < k->n_off ? k->off[c] : k->n_ev, b = c < k->n_off ? k->off[c + 1] : k->n_ev;
        off[c] = np ? o : a;
        if (!np) continue;
        for (; pp < np && k->pend[pp].cust == c; pp++) {
            while (a < b && !(k->pend[pp].e.at < k->ev[a].at)) ev[o++] = k->ev[a++];
            ev[o++] = k->pend[pp].e;
        }
        while (a < b) ev[o++] = k->ev[a++];
    }
    off[nc] = np ? o : k->n_ev;
    fu__free(k->off);
    k->off = off;
    k->n_off = nc;
    if (np) {
        fu__free(k->ev);
        k->ev = ev;
        k->n_ev = k->cap_ev = n;
        fu__free(k->pend);
        k->pend = NULL;
        k->n_pend = k->cap_pend = 0;
    }
    return FU_OK;
}

int fu__kpi_due_cmp(const void *a, const void *b) {
    const kdue *x = a, *y = b;
    if (x->cust != y->cust) return x->cust < y->cust ? -1 : 1;
    return (x->to > y->to) - (x->to < y->to);
}


/* ---- reading the figures ---- */

const fu_kpi_figure *fu_kpi_figure_get(const fu_kpi *k, size_t i) {
    return k && k->has_result && i < k->n_fig ? &k->fig[i] : NULL;
}

/* For lib/kpi_html.c: whether fu_kpi_compute() has run. */
int fu__kpi_has_result(const fu_kpi *k) { return k && k->has_result; }

const fu_kpi_figure *fu_kpi_figures(const fu_kpi *k, size_t *count) {
    if (count) *count = k && k->has_result ? k->n_fig : 0;
    return k && k->has_result ? k->fig : NULL;
}

const fu_kpi_figure *fu_kpi_find(const fu_kpi *k, fu_kpi_id id, const char *period, const char *group) {
    if (!k || !k->has_result) return NULL;
    const char *gl = group ? group : "all";
    size_t latest = 0;
    int any = 0;
    if (!period)
        for (size_t i = 0; i < k->n_fig; i++)
            if (k->fig[i].kpi == id && strcmp(k->fig[i].group, gl) == 0 && (!any || k->fig[i].period_index > latest)) {
                latest = k->fig[i].period_index;
                any = 1;
            }
    for (size_t i = 0; i < k->n_fig; i++) {
        const fu_kpi_figure *f = &k->fig[i];
        if (f->kpi != id || strcmp(f->group, gl) != 0) continue;
        if (period ? strcmp(f->period, period) == 0 : (any && f->period_index == latest)) return f;
    }
    return NULL;
}

int fu_kpi_scorecards(const fu_kpi *k, const fu_kpi_scorecard **rows, size_t *count) {
    if (!k || !rows || !count) return fu__error_set(FU_EINVAL, "fu_kpi_scorecards: NULL argument");
    if (!(k->o.by & FU_KPI_BY_AGENT)) return fu__error_set(FU_ESTATE, "scorecards need the grouping by agent");
    if (!k->has_result) return fu__error_set(FU_ESTATE, "nothing computed yet (call fu_kpi_compute)");
    *rows = k->sc;
    *count = k->n_sc;
    return FU_OK;
}

