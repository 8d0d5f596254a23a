/* fu_kpi: KPIs per period and group with intervals, RAG status and scorecards.
 *
 * Layout of this file:
 *   1. RAG (the statistics are fu_stats', lib/stats.c)
 *   2. names and parsing of the enums
 *   3. storage: interned strings, customers, events grouped per customer in
 *      time order (plus the pending events of later adds), due items,
 *      commitments; the add_* functions
 *   4. compute: merging pending events, periods in the policy zone, groups
 *      and cells (accumulators split by kind of unit), one pass per customer
 *      in time order that logs units, the log applied in blocks of cells,
 *      finalisation (churn denominators, percentiles, scorecards, figures)
 *   5. CSV, JSON and the text dashboard
 *
 * The definitions implemented here are written out in docs/kpi.md; keep the
 * two in step. */
#include "followup/kpi.h"

#include "calendar_internal.h"
#include "commit_internal.h"
#include "csv_internal.h"
#include "internal.h"
#include "policy_internal.h"
#include "stats_internal.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NONE32 UINT32_MAX

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

static const char *const kpi_names[FU_KPI_COUNT] = {
    "coverage", "response_timeliness", "response_time_p50", "response_time_p90", "resolution",
    "first_contact_resolution", "feedback_closure", "repeat_complaints", "csat", "csat_top2", "nps",
    "ces", "commitment_on_time", "over_contact", "follow_up_complaints", "win_back", "repurchase",
    "churn", "roi", "scorecard", "quality_closure", "budget_overrun", "repurchase_uplift", "value_uplift",
    "roi_incremental"};

/* Value type of each KPI. */
enum { VT_PROP, VT_MEAN, VT_NPS, VT_QUANT, VT_RATIO, VT_SCORE, VT_BUDGET, VT_UPLIFT };
static const unsigned char kpi_vtype[FU_KPI_COUNT] = {
    VT_PROP, VT_PROP, VT_QUANT, VT_QUANT, VT_PROP,  VT_PROP,   VT_PROP,   VT_PROP,   VT_MEAN,
    VT_PROP, VT_NPS,  VT_MEAN,  VT_PROP,  VT_PROP,  VT_PROP,   VT_PROP,   VT_PROP,   VT_PROP,
    VT_RATIO, VT_SCORE, VT_PROP, VT_BUDGET, VT_UPLIFT, VT_UPLIFT, VT_UPLIFT};
/* Direction when the policy does not say (KPIs the policy may not know). */
static const unsigned char kpi_lower_better[FU_KPI_COUNT] = {
    0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0};

const char *fu_kpi_name(int id) { return id >= 0 && id < FU_KPI_COUNT ? kpi_names[id] : NULL; }

int fu_kpi_from_string(const char *text, size_t len, fu_kpi_id *out) {
    if (!text || !out) return fu__error_set(FU_EINVAL, "fu_kpi_from_string: NULL argument");
    for (int i = 0; i < FU_KPI_COUNT; i++)
        if (strlen(kpi_names[i]) == len && memcmp(kpi_names[i], text, len) == 0) {
            *out = (fu_kpi_id)i;
            return FU_OK;
        }
    return fu__error_set(FU_ENOTFOUND, "unknown KPI '%.*s'", (int)(len > 64 ? 64 : len), text);
}

static const char *const status_names[] = {"none", "green", "yellow", "red"};
const char *fu_kpi_status_name(int s) { return s >= 0 && s <= 3 ? status_names[s] : NULL; }

static const char *const period_names[] = {"day", "week", "month"};
const char *fu_kpi_period_name(int p) { return p >= 0 && p <= 2 ? period_names[p] : NULL; }

int fu_kpi_period_from_string(const char *text, size_t len, fu_kpi_period *out) {
    if (!text || !out) return fu__error_set(FU_EINVAL, "fu_kpi_period_from_string: NULL argument");
    for (int i = 0; i < 3; i++)
        if (strlen(period_names[i]) == len && memcmp(period_names[i], text, len) == 0) {
            *out = (fu_kpi_period)i;
            return FU_OK;
        }
    return fu__error_set(FU_EPARSE, "unknown period '%.*s' (day, week, month)", (int)(len > 64 ? 64 : len),
                         text);
}

static const char *const by_names[] = {"tier", "segment", "agent", "channel", "product_class"};

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
            if (strlen(by_names[k]) == b - a && memcmp(by_names[k], text + a, b - a) == 0) break;
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

static int rag_lookup(const fu__policy *t, fu_kpi_id id, const char *tier, double *target, double *red,
                      int *lower, const char **rule) {
    const fu__pol_kpi *k = fu__policy_kpi(t, kpi_names[id]);
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

static fu_kpi_status rag_status(double v, double target, double red, int lower) {
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
    int lower = kpi_lower_better[kpi];
    const char *r = "";
    int found = rag_lookup(t, kpi, tier, &tg, &red, &lower, &r);
    if (found == 2) {
        /* a static-free name is not available here: report the KPI's rule */
        const fu__pol_kpi *k = fu__policy_kpi(t, kpi_names[kpi]);
        r = k->rule;
    }
    *status = found ? rag_status(value, tg, red, lower) : FU_KPI_STATUS_NONE;
    if (target) *target = found ? tg : NAN;
    if (rule) *rule = found ? r : "";
    return FU_OK;
}

/* ===================================================================== */
/* 3. storage                                                             */

/* Interned strings: id 0 is "absent"; ids are dense from 1. */
typedef struct kstr {
    char **s;       /* s[id], s[0] unused */
    uint32_t *h;    /* hash of s[id] */
    size_t n, cap;  /* n includes slot 0 */
    uint32_t *tab;  /* open addressing, 0 = empty */
    size_t tcap;    /* power of two */
} kstr;

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

static const char *kstr_get(const kstr *t, uint32_t id) { return id && id < t->n ? t->s[id] : NULL; }

typedef struct kcust {
    uint32_t id;        /* string id of the customer id */
    uint32_t segment;   /* string id of the segment label, 0 none */
    uint32_t industry;  /* string id, 0 none */
    int32_t tier;       /* policy tier index, -1 unknown */
    int32_t is_smb;     /* fu_tristate */
    int64_t first_purchase_at; /* FU_KPI_NO_TIME when not given */
} kcust;

/* A stored event (32 bytes). Its customer is where it sits: events are
 * kept grouped by customer in time order (fu_kpi.ev with offsets
 * fu_kpi.off); events added since the last compute wait in fu_kpi.pend with
 * their customer and are merged in by the next compute. */
typedef struct kev {
    int64_t at;
    double val;         /* purchases: the amount; surveys: the score (a
                           float's value); NaN when absent; unused otherwise */
    uint32_t order;     /* string id */
    uint32_t agent;     /* string id */
    uint8_t kind, severity, channel, outcome, survey;
    uint8_t pclass;     /* policy product class index + 1, 0 unknown */
    uint8_t prio;       /* contacts: fu_priority + 1; 0: not given (normal) */
    uint8_t pad_[1];
} kev;

/* A pending event and its customer index. */
typedef struct kpend {
    kev e;
    uint32_t cust;
    uint32_t pad_;
} kpend;

typedef struct kdue {
    uint32_t cust, agent;
    int64_t from, to;
} kdue;

typedef struct kcom {
    uint32_t cust, agent;
    int64_t deadline, closed_at;
    int state;
} kcom;

struct fu_kpi {
    const fu_policy *policy;
    const fu__policy *pol;
    const fu_calendar *cal;
    fu_kpi_options o;
    double z;            /* normal quantile of the policy's confidence */
    kstr str;
    uint32_t *cust_of;   /* string id -> customer index (NONE32), str.cap entries */
    size_t cust_of_cap;
    kcust *cust;
    size_t n_cust, cap_cust;
    kev *ev;             /* merged events, grouped by customer in time order */
    size_t n_ev, cap_ev;
    size_t *off;         /* customer c's events are ev[off[c] .. off[c + 1]) */
    size_t n_off;        /* customers that off covers (off has n_off + 1 entries) */
    kpend *pend;         /* added since the last merge, in the order added */
    size_t n_pend, cap_pend;
    kdue *due;
    size_t n_due, cap_due;
    kcom *com;
    size_t n_com, cap_com;
    /* results of the last compute */
    int computed;        /* figures reflect everything added */
    int has_result;
    fu_kpi_figure *fig;
    size_t n_fig;
    fu_kpi_scorecard *sc;
    size_t n_sc;
    char **labels;       /* owned strings the figures point into */
    size_t n_labels, cap_labels;
    int64_t as_of;       /* the as_of used by the last compute */
};

void fu_kpi_options_init(fu_kpi_options *opts) {
    if (opts) {
        fu_kpi_options d = FU_KPI_OPTIONS_INIT;
        *opts = d;
    }
}

static void clear_result(fu_kpi *k) {
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
    clear_result(k);
    kstr_free(&k->str);
    fu__free(k->cust_of);
    fu__free(k->cust);
    fu__free(k->ev);
    fu__free(k->off);
    fu__free(k->pend);
    fu__free(k->due);
    fu__free(k->com);
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
static int merge_events(fu_kpi *k) {
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

static int due_cmp(const void *a, const void *b) {
    const kdue *x = a, *y = b;
    if (x->cust != y->cust) return x->cust < y->cust ? -1 : 1;
    return (x->to > y->to) - (x->to < y->to);
}

/* ---- the computation context ---- */

/* Proportions. The accumulators of a (period, group) cell are split by the
 * kind of unit that feeds them into small structs held in parallel arrays
 * (indexed by the cell), so that the units of one kind touch one compact
 * array: a contact touches 32 bytes of its cell, a survey 56, an issue 48.
 * Counters are 32-bit: fewer than 2^32 events are stored. */
enum {
    P_TIME, P_RES, P_FCR, P_FB, P_REP, P_FUC, /* issue block */
    P_COV, P_COM, P_WIN, P_REPUR, P_QC,       /* misc block */
    P_TOP2, P_OVER, P_CHURN, NPROP            /* survey, contact, misc */
};
static const signed char kpi_prop[FU_KPI_COUNT] = {
    P_COV, P_TIME, -1, -1, P_RES, P_FCR, P_FB, P_REP, -1, P_TOP2, -1,
    -1,    P_COM,  P_OVER, P_FUC, P_WIN, P_REPUR, P_CHURN, -1, -1, P_QC, -1, -1, -1, -1};

typedef struct kp32 {
    uint32_t n, x;
} kp32;

typedef struct chead {    /* where the cell is */
    uint32_t period, group;
} chead;

typedef struct cissue {   /* issues: timeliness .. follow-up complaints */
    kp32 p[6];
} cissue;

typedef struct csurv {    /* surveys; top-2-box n is csat_n */
    uint32_t csat_n, top2_x, nps_n, nps_p, nps_d, ces_n;
    double csat_s, csat_ss, ces_s, ces_ss;
} csurv;

typedef struct ccont {    /* contact attempts: over-contact, efficiency, ROI cost */
    uint32_t n, over, daymask, pad_;
    double cost, cost2;
} ccont;

typedef struct crev {     /* ROI revenue (touched only by contacts with revenue) */
    double r, r2, cr;
} crev;

typedef struct cupl {     /* uplift: customers contacted (c*) and not contacted (n*) in the period */
    uint32_t cn, cx, nn, nx;  /* units, buyers */
    double cr, cr2, nr, nr2;  /* revenue in the window and its square */
} cupl;

typedef struct cmisc {    /* coverage, commitments, win-back, repurchase, quality closure, churn, percentiles */
    kp32 p[5];
    int64_t churn_delta;
    uint32_t churn_x, churn_n, rt_n, rt_off;
} cmisc;

/* A unit on its way to its cell. The pass appends units to a log instead of
 * touching the cells (a cache miss per unit: cells are visited at random);
 * the full log is partitioned stably by blocks of UNIT_SHIFT cells and
 * applied block by block, so the cells being updated stay in cache and
 * every cell sees its units in the order they were emitted (the sums are
 * the same, bit for bit). */
enum { U_PROP, U_CSAT, U_NPS, U_CES, U_CONTACT, U_UPL_C, U_UPL_N, U_CHURN_IN, U_CHURN_OUT, U_CHURN_X };
typedef struct unit {
    uint32_t cell;
    uint8_t op;  /* U_* */
    uint8_t a;   /* U_PROP: the proportion; U_CONTACT: over the cap; U_UPL_*: bought */
    uint8_t b;   /* U_PROP: success; U_CONTACT: channel */
    uint8_t day; /* U_CONTACT: day of the period (0xFF: none) */
    double v;    /* surveys: the score; U_CONTACT, U_UPL_*: revenue */
} unit;
#define UNIT_LOG ((size_t)1 << 21)
#define UNIT_SHIFT 8

typedef struct gkey {
    uint32_t agent, seg;
    uint8_t tier, channel, pclass, pad;
} gkey;

typedef struct uattr {
    uint32_t agent;
    uint8_t channel, pclass;
} uattr;

#define GCACHE 4096

typedef struct duerec {
    int64_t cell;
    int covered;
} duerec;

typedef struct ctx {
    fu_kpi *k;
    const fu__policy *pol;
    const fu_calendar *cal;
    int rc;
    int64_t as_of;
    /* periods */
    int64_t *pstart; /* np + 1 boundaries */
    int64_t *pday0;  /* local day number of each period's first day */
    size_t np;
    double pinv;     /* periods per second, for the first guess of period_of */
    /* local days (for the scorecard's active days): day day0 + j starts at
     * dstart[j] (j = 0..nd); dreg[j] says the UTC offset is the same at both
     * ends of the day, so that every instant in it is on that local day */
    int64_t *dstart;
    uint8_t *dreg;
    size_t nd;
    int64_t day0;
    int64_t cur_new_until; /* the current customer is "new" before this (lifecycle) */
    /* groups */
    gkey *gk;
    size_t ng, cap_g;
    uint32_t *gtab;
    size_t gtcap;
    /* cells: parallel arrays of nc entries (capacity cap_c) */
    chead *ch;
    cissue *ci;
    csurv *cs;
    ccont *cc;
    crev *cr;
    cmisc *cm;
    cupl *cu;
    size_t nc, cap_c;
    int64_t roi_window; /* attribution window (kpis.roi.window, else the option) */
    int64_t qc_window;  /* quality closure (kpis.quality_closure.window, else 7 days) */
    int64_t repurchase_window; /* kpis.repurchase.window, else the option */
    int costs;       /* some contact cost is set: ROI */
    int daymask;     /* the scorecard needs active days */
    /* the unit log (UNIT_LOG entries each) */
    unit *ulog, *ulog2;
    size_t nu, cap_u;
    size_t *ubin;
    size_t cap_ubin;
    uint32_t *ctab; /* cell index + 1 (hash mode) */
    size_t ctcap;
    uint32_t *dense; /* cell index + 1 at [group * np + period] (dense mode) */
    size_t dense_groups;
    int hash_mode;
    int64_t last_cell_key;
    int64_t last_cell;
    /* response times */
    uint32_t *rt_cell;
    float *rt_val;
    size_t n_rt, cap_rt, cap_rt2;
    /* current customer */
    int cur_tier;
    uint32_t cur_seg;
    const kcust *cur;
    int64_t cur_first;
    /* per-customer scratch */
    uint32_t *nr, *pr, *pc;
    uint8_t *pcl;
    double *rev;
    size_t cap_ev;
    int64_t *rt;  /* reached contact times */
    uint32_t *ri; /* their indices */
    size_t nrt, cap_rtimes, cap_ri;
    uint32_t *pu; /* purchase indices */
    size_t npu, cap_pu;
    uint32_t *res; /* resolved indices */
    size_t nres, cap_res;
    duerec *dr;
    size_t ndr, cap_dr;
    /* cadences triggered by each event kind (indices into pol->cadences) */
    uint32_t *trig[FU_EVENT_KIND_COUNT];
    size_t ntrig[FU_EVENT_KIND_COUNT];
    /* SLA by severity (index fu_severity) */
    const fu_duration *sla_sev[4];
    /* t quantiles of the policy's confidence by degrees of freedom (0: not yet) */
    double tq[1025];
    /* group cache (group index + 1) */
    uint32_t gcache[GCACHE];
} ctx;


static double t_of(ctx *c, double df) {
    double conf = c->pol->kpis.confidence, t = NAN;
    if (df >= 1 && df <= 1024 && df == floor(df)) {
        double *slot = &c->tq[(size_t)df];
        if (*slot == 0) fu_stats_t_quantile(0.5 + conf / 2.0, df, slot);
        return *slot;
    }
    fu_stats_t_quantile(0.5 + conf / 2.0, df, &t);
    return t;
}

static void ctx_free(ctx *c) {
    fu__free(c->pstart);
    fu__free(c->pday0);
    fu__free(c->dstart);
    fu__free(c->dreg);
    fu__free(c->gk);
    fu__free(c->gtab);
    fu__free(c->ulog);
    fu__free(c->ulog2);
    fu__free(c->ubin);
    fu__free(c->ch);
    fu__free(c->ci);
    fu__free(c->cs);
    fu__free(c->cc);
    fu__free(c->cr);
    fu__free(c->cm);
    fu__free(c->cu);
    fu__free(c->ctab);
    fu__free(c->dense);
    fu__free(c->rt_cell);
    fu__free(c->rt_val);
    fu__free(c->nr);
    fu__free(c->pr);
    fu__free(c->pc);
    fu__free(c->pcl);
    fu__free(c->rev);
    fu__free(c->rt);
    fu__free(c->ri);
    fu__free(c->pu);
    fu__free(c->res);
    fu__free(c->dr);
    for (int i = 0; i < FU_EVENT_KIND_COUNT; i++) fu__free(c->trig[i]);
}

static int64_t floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/* t + d. Returns 0 and sets *out, or -1 when it cannot be computed (a
 * negative duration in business time, a calendar range error). */
static int add_dur(const ctx *c, const fu_duration *d, int64_t t, int64_t *out) {
    if (d->unit == FU_DURATION_SECONDS) {
        if ((d->value > 0 && t > INT64_MAX - d->value) || (d->value < 0 && t < INT64_MIN - d->value)) return -1;
        *out = t + d->value;
        return 0;
    }
    if (d->value < 0) {
        if (d->unit != FU_DURATION_MONTHS) return -1;
        fu_local lt;
        if (fu_calendar_to_local(c->cal, t, &lt) != FU_OK) return -1;
        int64_t m = (int64_t)lt.year * 12 + (lt.month - 1) + d->value;
        if (m < 12) return -1;
        lt.year = (int)(m / 12);
        lt.month = (int)(m % 12) + 1;
        static const int dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        int leap = (lt.year % 4 == 0 && lt.year % 100 != 0) || lt.year % 400 == 0;
        int last = dim[lt.month - 1] + (lt.month == 2 && leap);
        if (lt.day > last) lt.day = last;
        return fu_calendar_from_local(c->cal, &lt, 0, out) == FU_OK ? 0 : -1;
    }
    int rc = fu__commit_deadline_from_duration(d, c->cal, t, out);
    if (rc != FU_OK) {
        fu_error_clear();
        return -1;
    }
    return 0;
}

/* ---- periods ---- */

static int64_t local_day(const ctx *c, int64_t t) {
    int off = 0;
    fu_calendar_utc_offset(c->cal, t, &off);
    return floor_div(t + off, 86400);
}

/* Build the table of local day starts over the periods (weeks and months;
 * nothing for days, whose day in the period is always 0). Without it (too
 * many days, or day starts out of order), local_day() answers alone. */
static int build_days(ctx *c) {
    if (c->k->o.period == FU_KPI_DAY || !c->np) return FU_OK;
    int64_t d0 = c->pday0[0], d1 = c->pday0[c->np];
    if (d1 - d0 > (INT64_C(1) << 22)) return FU_OK;
    size_t nd = (size_t)(d1 - d0);
    int64_t *ds = fu__malloc((nd + 1) * sizeof *ds);
    uint8_t *reg = fu__malloc(nd + 1);
    if (!ds || !reg) {
        fu__free(ds);
        fu__free(reg);
        return fu__error_nomem();
    }
    int ok = 1;
    for (size_t j = 0; j <= nd && ok; j++) {
        int64_t y;
        int m, d;
        fu__civil_from_days(d0 + (int64_t)j, &y, &m, &d);
        fu_local lt = {(int)y, m, d, 0, 0, 0, 0, 0, 0};
        if (fu_calendar_from_local(c->cal, &lt, 0, &ds[j]) != FU_OK) {
            fu_error_clear();
            ok = 0;
        } else if (j && ds[j] <= ds[j - 1]) {
            ok = 0;
        }
    }
    for (size_t j = 0; j < nd && ok; j++) {
        int a = 0, b = 1;
        fu_calendar_utc_offset(c->cal, ds[j], &a);
        fu_calendar_utc_offset(c->cal, ds[j + 1] - 1, &b);
        /* at most one offset change a day: equal ends mean none */
        reg[j] = a == b && floor_div(ds[j] + a, 86400) == d0 + (int64_t)j;
    }
    if (!ok) {
        fu__free(ds);
        fu__free(reg);
        return FU_OK;
    }
    reg[nd] = 0;
    c->dstart = ds;
    c->dreg = reg;
    c->nd = nd;
    c->day0 = d0;
    return FU_OK;
}

/* local_day() through the day table. */
static int64_t local_day_fast(const ctx *c, int64_t t) {
    if (!c->dstart || t < c->dstart[0] || t >= c->dstart[c->nd]) return local_day(c, t);
    size_t j = (size_t)((t - c->dstart[0]) / 86400);
    if (j >= c->nd) j = c->nd - 1;
    while (j > 0 && t < c->dstart[j]) j--;
    while (j + 1 < c->nd && t >= c->dstart[j + 1]) j++;
    return c->dreg[j] ? c->day0 + (int64_t)j : local_day(c, t);
}

static int64_t first_day_of(fu_kpi_period p, int64_t day) {
    if (p == FU_KPI_DAY) return day;
    if (p == FU_KPI_WEEK) return day - (day + 3 - floor_div(day + 3, 7) * 7); /* back to Monday */
    int64_t y;
    int m, d;
    fu__civil_from_days(day, &y, &m, &d);
    return fu__days_from_civil(y, m, 1);
}

static int64_t next_first_day(fu_kpi_period p, int64_t day) {
    if (p == FU_KPI_DAY) return day + 1;
    if (p == FU_KPI_WEEK) return day + 7;
    int64_t y;
    int m, d;
    fu__civil_from_days(day, &y, &m, &d);
    if (++m > 12) {
        m = 1;
        y++;
    }
    return fu__days_from_civil(y, m, 1);
}

static int build_periods(ctx *c, int64_t tmin, int64_t tmax) {
    fu_kpi_period per = c->k->o.period;
    int64_t day = first_day_of(per, local_day(c, tmin));
    size_t cap = 0, n = 0;
    for (;;) {
        if (n + 1 > cap) {
            size_t ncap = cap ? cap * 2 : 64;
            if (ncap > 4000001) ncap = 4000001;
            if (n + 1 > ncap) return fu__error_set(FU_ELIMIT, "more than 4,000,000 periods in the data's time range");
            int64_t *ns = fu__realloc(c->pstart, ncap * sizeof *ns);
            if (!ns) return fu__error_nomem();
            c->pstart = ns;
            int64_t *nd = fu__realloc(c->pday0, ncap * sizeof *nd);
            if (!nd) return fu__error_nomem();
            c->pday0 = nd;
            cap = ncap;
        }
        int64_t y;
        int m, d;
        fu__civil_from_days(day, &y, &m, &d);
        if (y < 1 || y > 9999) return fu__error_set(FU_ERANGE, "a period lies outside years 1..9999");
        fu_local lt = {(int)y, m, d, 0, 0, 0, 0, 0, 0};
        int64_t s;
        int rc = fu_calendar_from_local(c->cal, &lt, 0, &s);
        if (rc) return rc;
        c->pstart[n] = s;
        c->pday0[n] = day;
        n++;
        if (s > tmax) break;
        day = next_first_day(per, day);
    }
    c->np = n - 1;
    if (c->np) c->pinv = (double)c->np / (double)(c->pstart[c->np] - c->pstart[0]);
    return FU_OK;
}

/* Index of the period holding t, or -1. Periods have nearly equal
 * lengths, so a guess from the mean length is almost always right or one
 * off; binary search is the fallback. */
static int64_t period_of(const ctx *c, int64_t t) {
    if (c->np == 0 || t < c->pstart[0] || t >= c->pstart[c->np]) return -1;
    size_t g = (size_t)((double)(t - c->pstart[0]) * c->pinv);
    if (g >= c->np) g = c->np - 1;
    for (int step = 0; step < 3; step++) {
        if (t < c->pstart[g]) {
            if (g == 0) break;
            g--;
        } else if (t >= c->pstart[g + 1]) {
            g++;
        } else {
            return (int64_t)g;
        }
    }
    size_t lo = 0, hi = c->np; /* pstart[lo] <= t < pstart[hi] */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->pstart[mid] <= t) lo = mid;
        else hi = mid;
    }
    return (int64_t)lo;
}

/* ---- groups and cells ---- */

static uint32_t hash64(uint64_t x) {
    x ^= x >> 33;
    x *= UINT64_C(0xff51afd7ed558ccd);
    x ^= x >> 33;
    x *= UINT64_C(0xc4ceb9fe1a85ec53);
    x ^= x >> 33;
    return (uint32_t)x;
}

static uint32_t gkey_hash(const gkey *g) {
    uint64_t a = ((uint64_t)g->agent << 32) | g->seg;
    uint64_t b = ((uint64_t)g->tier << 16) | ((uint64_t)g->channel << 8) | g->pclass;
    return hash64(a ^ hash64(b) * UINT64_C(0x9e3779b97f4a7c15));
}

static int rehash_u32(uint32_t **tab, size_t *tcap, size_t ncap, size_t n,
                      uint32_t (*hash_of)(const ctx *, uint32_t), const ctx *c) {
    uint32_t *t = fu__calloc(ncap, sizeof *t);
    if (!t) return fu__error_nomem();
    for (uint32_t i = 0; i < n; i++) {
        size_t j = hash_of(c, i) & (ncap - 1);
        while (t[j]) j = (j + 1) & (ncap - 1);
        t[j] = i + 1;
    }
    fu__free(*tab);
    *tab = t;
    *tcap = ncap;
    return FU_OK;
}

static uint32_t ghash_of(const ctx *c, uint32_t i) { return gkey_hash(&c->gk[i]); }
static uint64_t ckey(uint32_t period, uint32_t group) { return ((uint64_t)period << 32) | group; }
static uint32_t chash_of(const ctx *c, uint32_t i) { return hash64(ckey(c->ch[i].period, c->ch[i].group)); }

/* Group index of a key, added when new; -1 on failure (c->rc set). */
static int64_t group_of(ctx *c, const gkey *g) {
    uint32_t h = gkey_hash(g);
    if (c->gtcap) {
        size_t j = h & (c->gtcap - 1);
        while (c->gtab[j]) {
            uint32_t i = c->gtab[j] - 1;
            if (memcmp(&c->gk[i], g, sizeof *g) == 0) return i;
            j = (j + 1) & (c->gtcap - 1);
        }
    }
    if ((c->ng + 1) * 2 > c->gtcap) {
        int rc = rehash_u32(&c->gtab, &c->gtcap, c->gtcap ? c->gtcap * 2 : 64, c->ng, ghash_of, c);
        if (rc) return c->rc = rc, -1;
    }
    int rc = FU_GROW(c->gk, c->cap_g, c->ng + 1);
    if (rc) return c->rc = rc, -1;
    c->gk[c->ng] = *g;
    size_t j = h & (c->gtcap - 1);
    while (c->gtab[j]) j = (j + 1) & (c->gtcap - 1);
    c->gtab[j] = (uint32_t)c->ng + 1;
    return (int64_t)c->ng++;
}

/* Most entries of the dense (group x period) cell index; beyond it cells
 * are found through a hash table. */
#define DENSE_MAX (UINT64_C(1) << 25)

static int grow_cells(ctx *c) {
    size_t ncap = c->cap_c ? c->cap_c * 2 : 1024;
#define GROW_ONE(arr)                                              \
    do {                                                           \
        void *p_ = fu__realloc(c->arr, ncap * sizeof *c->arr);     \
        if (!p_) return fu__error_nomem();                         \
        c->arr = p_;                                               \
    } while (0)
    GROW_ONE(ch);
    GROW_ONE(ci);
    GROW_ONE(cs);
    GROW_ONE(cc);
    GROW_ONE(cr);
    GROW_ONE(cm);
    GROW_ONE(cu);
#undef GROW_ONE
    c->cap_c = ncap;
    return FU_OK;
}

static int64_t new_cell(ctx *c, uint32_t period, uint32_t group) {
    if (c->nc >= UINT32_MAX - 1) return c->rc = fu__error_set(FU_ELIMIT, "too many (period, group) cells"), -1;
    if (c->nc + 1 > c->cap_c) {
        int rc = grow_cells(c);
        if (rc) return c->rc = rc, -1;
    }
    size_t i = c->nc;
    c->ch[i].period = period;
    c->ch[i].group = group;
    memset(&c->ci[i], 0, sizeof c->ci[i]);
    memset(&c->cs[i], 0, sizeof c->cs[i]);
    memset(&c->cc[i], 0, sizeof c->cc[i]);
    memset(&c->cr[i], 0, sizeof c->cr[i]);
    memset(&c->cm[i], 0, sizeof c->cm[i]);
    memset(&c->cu[i], 0, sizeof c->cu[i]);
    return (int64_t)c->nc++;
}

static int64_t cell_of_hash(ctx *c, uint32_t period, uint32_t group);

/* Cell of (period, group), added when new; -1 on failure. */
static int64_t cell_of(ctx *c, uint32_t period, uint32_t group) {
    if (c->hash_mode) return cell_of_hash(c, period, group);
    if (group >= c->dense_groups) {
        size_t ng = c->dense_groups ? c->dense_groups : 16;
        while (ng <= group) ng *= 2;
        if ((uint64_t)ng * (c->np + 1) > DENSE_MAX) {
            /* too many: move every cell into the hash table */
            int rc = rehash_u32(&c->ctab, &c->ctcap, 256, 0, chash_of, c);
            c->hash_mode = 1;
            for (size_t i = 0; i < c->nc && !rc; i++) {
                if ((i + 1) * 2 > c->ctcap) rc = rehash_u32(&c->ctab, &c->ctcap, c->ctcap * 2, i, chash_of, c);
                if (rc) break;
                size_t j = chash_of(c, (uint32_t)i) & (c->ctcap - 1);
                while (c->ctab[j]) j = (j + 1) & (c->ctcap - 1);
                c->ctab[j] = (uint32_t)i + 1;
            }
            if (rc) return c->rc = rc, -1;
            fu__free(c->dense);
            c->dense = NULL;
            return cell_of_hash(c, period, group);
        }
        uint32_t *d = fu__realloc(c->dense, ng * (c->np + 1) * sizeof *d);
        if (!d) return c->rc = fu__error_nomem(), -1;
        memset(d + c->dense_groups * (c->np + 1), 0, (ng - c->dense_groups) * (c->np + 1) * sizeof *d);
        c->dense = d;
        c->dense_groups = ng;
    }
    uint32_t *slot = &c->dense[(size_t)group * (c->np + 1) + period];
    if (*slot) return *slot - 1;
    int64_t ci = new_cell(c, period, group);
    if (ci >= 0) *slot = (uint32_t)ci + 1;
    return ci;
}

static int64_t cell_of_hash(ctx *c, uint32_t period, uint32_t group) {
    uint64_t key = ckey(period, group);
    if ((int64_t)key == c->last_cell_key && c->last_cell >= 0) return c->last_cell;
    uint32_t h = hash64(key);
    if (c->ctcap) {
        size_t j = h & (c->ctcap - 1);
        while (c->ctab[j]) {
            uint32_t i = c->ctab[j] - 1;
            if (c->ch[i].period == period && c->ch[i].group == group) {
                c->last_cell_key = (int64_t)key;
                return c->last_cell = i;
            }
            j = (j + 1) & (c->ctcap - 1);
        }
    }
    if ((c->nc + 1) * 2 > c->ctcap) {
        int rc = rehash_u32(&c->ctab, &c->ctcap, c->ctcap ? c->ctcap * 2 : 256, c->nc, chash_of, c);
        if (rc) return c->rc = rc, -1;
    }
    int64_t ci = new_cell(c, period, group);
    if (ci < 0) return -1;
    size_t j = h & (c->ctcap - 1);
    while (c->ctab[j]) j = (j + 1) & (c->ctcap - 1);
    c->ctab[j] = (uint32_t)ci + 1;
    c->last_cell_key = (int64_t)key;
    return c->last_cell = ci;
}

static int64_t group_for(ctx *c, const uattr *ua) {
    unsigned by = c->k->o.by;
    gkey g;
    memset(&g, 0, sizeof g);
    if (by & FU_KPI_BY_TIER) g.tier = (uint8_t)(c->cur_tier + 1);
    if (by & FU_KPI_BY_SEGMENT) g.seg = c->cur_seg;
    if (by & FU_KPI_BY_AGENT) g.agent = ua->agent;
    if (by & FU_KPI_BY_CHANNEL) g.channel = ua->channel;
    if (by & FU_KPI_BY_PRODUCT_CLASS) g.pclass = ua->pclass;
    /* a small direct-mapped cache in front of the group table */
    size_t slot = (g.agent * 2654435761u + g.seg * 40503u + g.tier * 97u + g.channel * 13u + g.pclass) & (GCACHE - 1);
    if (c->gcache[slot] && memcmp(&c->gk[c->gcache[slot] - 1], &g, sizeof g) == 0) return c->gcache[slot] - 1;
    int64_t r = group_of(c, &g);
    if (r >= 0) c->gcache[slot] = (uint32_t)r + 1;
    return r;
}

/* The cell of a unit at time t with attributes ua; -1 when t lies outside
 * the periods or on failure (c->rc). */
static int64_t cell_for_p(ctx *c, int64_t t, const uattr *ua, int64_t *period) {
    int64_t p = period_of(c, t);
    if (p < 0) return -1;
    int64_t g = group_for(c, ua);
    if (g < 0) return -1;
    *period = p;
    return cell_of(c, (uint32_t)p, (uint32_t)g);
}

static int64_t cell_for(ctx *c, int64_t t, const uattr *ua) {
    int64_t p;
    return cell_for_p(c, t, ua, &p);
}

/* The counters of proportion `prop` in cell `ci`. */
static kp32 *prop_at(ctx *c, int64_t ci, int prop) {
    return prop < P_COV ? &c->ci[ci].p[prop] : &c->cm[ci].p[prop - P_COV];
}

static void apply_unit(ctx *c, const unit *u) {
    size_t ci = u->cell;
    switch (u->op) {
    case U_PROP: {
        kp32 *q = prop_at(c, (int64_t)ci, u->a);
        q->n++;
        q->x += u->b;
        break;
    }
    case U_CSAT: {
        csurv *ce = &c->cs[ci];
        ce->csat_n++;
        ce->csat_s += u->v;
        ce->csat_ss += u->v * u->v;
        ce->top2_x += u->v >= 4;
        break;
    }
    case U_NPS: {
        csurv *ce = &c->cs[ci];
        ce->nps_n++;
        ce->nps_p += u->v >= 9;
        ce->nps_d += u->v <= 6;
        break;
    }
    case U_CES: {
        csurv *ce = &c->cs[ci];
        ce->ces_n++;
        ce->ces_s += u->v;
        ce->ces_ss += u->v * u->v;
        break;
    }
    case U_CONTACT: {
        ccont *ce = &c->cc[ci];
        ce->n++;
        ce->over += u->a;
        if (u->day < 32) ce->daymask |= 1u << u->day;
        if (c->costs) {
            double cost = c->k->o.contact_cost[u->b], r = u->v;
            ce->cost += cost;
            ce->cost2 += cost * cost;
            if (r != 0) { /* adding zeros changes no sum */
                crev *cv = &c->cr[ci];
                cv->r += r;
                cv->r2 += r * r;
                cv->cr += cost * r;
            }
        }
        break;
    }
    case U_UPL_C:
    case U_UPL_N: {
        cupl *q = &c->cu[ci];
        if (u->op == U_UPL_C) q->cn++, q->cx += u->a, q->cr += u->v, q->cr2 += u->v * u->v;
        else q->nn++, q->nx += u->a, q->nr += u->v, q->nr2 += u->v * u->v;
        break;
    }
    case U_CHURN_IN: c->cm[ci].churn_delta++; break;
    case U_CHURN_OUT: c->cm[ci].churn_delta--; break;
    default: c->cm[ci].churn_x++; break;
    }
}

/* Apply the logged units block by block (stable counting sort by
 * cell >> UNIT_SHIFT) and empty the log. */
static int flush_units(ctx *c) {
    size_t n = c->nu, nb = (c->nc >> UNIT_SHIFT) + 1;
    c->nu = 0;
    if (nb == 1) {
        for (size_t i = 0; i < n; i++) apply_unit(c, &c->ulog[i]);
        return FU_OK;
    }
    if (nb + 1 > c->cap_ubin) {
        size_t *nbin = fu__realloc(c->ubin, (nb + 1) * 2 * sizeof *nbin);
        if (!nbin) return c->rc = fu__error_nomem();
        c->ubin = nbin;
        c->cap_ubin = (nb + 1) * 2;
    }
    size_t *bin = c->ubin;
    memset(bin, 0, (nb + 1) * sizeof *bin);
    const unit *u = c->ulog;
    for (size_t i = 0; i < n; i++) bin[(u[i].cell >> UNIT_SHIFT) + 1]++;
    for (size_t b = 0; b < nb; b++) bin[b + 1] += bin[b];
    unit *d = c->ulog2;
    for (size_t i = 0; i < n; i++) d[bin[u[i].cell >> UNIT_SHIFT]++] = u[i];
    for (size_t i = 0; i < n; i++) apply_unit(c, &d[i]);
    return FU_OK;
}

/* Append a unit for cell `ci` (flushing a full log). */
static void log_unit(ctx *c, int64_t ci, int op, int a, int b, int day, double v) {
    if (c->nu == c->cap_u && flush_units(c)) return;
    unit *u = &c->ulog[c->nu++];
    u->cell = (uint32_t)ci;
    u->op = (uint8_t)op;
    u->a = (uint8_t)a;
    u->b = (uint8_t)b;
    u->day = (uint8_t)day;
    u->v = v;
}

/* A unit of an issue or misc-block proportion (not TOP2, OVER, CHURN). */
static void emit_prop(ctx *c, int prop, int64_t t, const uattr *ua, int success) {
    int64_t ci = cell_for(c, t, ua);
    if (ci < 0) return;
    log_unit(c, ci, U_PROP, prop, success != 0, 0xFF, 0);
}

/* ---- per-customer helpers ---- */

#define GROW_OR_FAIL(arr, cap, need)                 \
    do {                                             \
        int rc_ = FU_GROW(arr, cap, need);           \
        if (rc_) return c->rc = rc_;                 \
    } while (0)

static int is_reached(const kev *e) {
    return e->kind == FU_EVENT_CONTACT && (e->outcome == FU_OUTCOME_ANSWERED || e->outcome == FU_OUTCOME_NONE);
}

static int is_issue(int kind) {
    return kind == FU_EVENT_FAULT || kind == FU_EVENT_COMPLAINT || kind == FU_EVENT_INQUIRY || kind == FU_EVENT_FEEDBACK;
}

static int order_match(uint32_t a, uint32_t b) { return a == 0 || b == 0 || a == b; }

static uattr attr_of(const kev *e, uint8_t pclass) {
    uattr u;
    u.agent = e->agent;
    u.channel = e->channel;
    u.pclass = pclass;
    return u;
}

static int strs_has(const fu__pol_strs *l, const char *s) {
    if (!s) return 0;
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i], s) == 0) return 1;
    return 0;
}

/* Does a policy condition hold for the current customer and an event at t
 * with product class pcl and severity sev? 1 yes, 0 no, -1 when it names
 * something the KPI engine cannot evaluate (RFM groups, risk, lifecycle
 * stages other than "new"): the rule is then left out. */
static int when_ok(const ctx *c, const fu__pol_when *w, int64_t t, int pcl, int sev) {
    if (w->rfm_groups || w->risks.n || w->surveys || w->has_score_max || w->unresolved)
        return -1; /* not evaluated here (unresolved: the escalation of a problem, not a due follow-up) */
    if (w->lifecycles && (w->lifecycles & ~(1u << FU__LC_NEW))) return -1;
    if (w->tiers && (c->cur_tier < 0 || !(w->tiers & (1u << c->cur_tier)))) return 0;
    if (w->product_classes && (pcl <= 0 || !(w->product_classes & (1u << (pcl - 1))))) return 0;
    if (w->severities.n && !strs_has(&w->severities, sev ? fu_severity_name(sev) : NULL)) return 0;
    if (w->industries.n && !strs_has(&w->industries, kstr_get(&c->k->str, c->cur->industry))) return 0;
    if (w->is_smb >= 0) {
        int want = w->is_smb ? FU_TRI_YES : FU_TRI_NO;
        if (c->cur->is_smb != want) return 0;
    }
    if (w->min_tenure.set) {
        int64_t since;
        if (c->cur_first == FU_KPI_NO_TIME || add_dur(c, &w->min_tenure.d, c->cur_first, &since) || since > t) return 0;
    }
    if (w->lifecycles && (c->cur_first == FU_KPI_NO_TIME || c->cur_first > t || c->cur_new_until <= t)) return 0;
    return 1;
}

/* The response deadline of an issue: the earlier of the tier's and the
 * severity's SLA. 0 and *out, or -1 when no SLA applies. */
static int sla_deadline(const ctx *c, const kev *e, int64_t *out) {
    int64_t best = INT64_MAX, t;
    int found = 0;
    if (c->cur_tier >= 0) {
        const char *tn = c->pol->segments.tiers[c->cur_tier].name;
        for (size_t i = 0; i < c->pol->n_sla_tier; i++)
            if (strcmp(c->pol->sla_tier[i].name, tn) == 0 && !add_dur(c, &c->pol->sla_tier[i].d, e->at, &t)) {
                found = 1;
                if (t < best) best = t;
            }
    }
    const fu_duration *d = c->sla_sev[e->severity <= 3 ? e->severity : 0];
    if (d && !add_dur(c, d, e->at, &t)) {
        found = 1;
        if (t < best) best = t;
    }
    if (!found) return -1;
    *out = best;
    return 0;
}

/* The caps as the planner applies them (lib/planner.c, cap_check): a
 * contact's priority is the one it was added with (history without one:
 * normal), a contact without a channel is a phone call. */
static int prio_of(const kev *e) { return e->prio ? e->prio - 1 : FU__PRIO_NORMAL; }

/* Whether a contact counts for a cap: its channel and, when the cap names
 * priorities, its priority. Contacts of exempt priorities count too. */
static int cap_counts(const fu__pol_cap *cap, const kev *e) {
    int ch = e->channel ? e->channel : FU_CHANNEL_PHONE;
    if (cap->channels && !(cap->channels & (1u << (ch - 1)))) return 0;
    if (cap->priorities) return (int)((cap->priorities >> prio_of(e)) & 1u);
    return 1;
}

/* caps.min_gap in seconds, as the planner approximates other units. */
static int64_t gap_seconds(const fu_duration *d) {
    switch (d->unit) {
    case FU_DURATION_MONTHS: return d->value * 2629746;
    case FU_DURATION_WORKING_DAYS: return d->value * 7 * 86400 / 5;
    case FU_DURATION_BUSINESS_SECONDS: return d->value * 168 / 45;
    default: return d->value;
    }
}

/* Whether contact i went beyond a cap or the minimum gap: a contact of a
 * priority in caps.exempt never does; the gap runs from the last contact
 * that reached the customer (unanswered attempts are spaced by the redial
 * rules); a cap holds a contact it counts, and counts every contact of its
 * channels and priorities in (t - per, t], this one included. */
static int over_contact(const ctx *c, const kev *e, size_t i) {
    const fu__policy *p = c->pol;
    if ((p->cap_exempt >> prio_of(&e[i])) & 1u) return 0;
    int64_t t = e[i].at, gap = gap_seconds(&p->min_gap);
    uint32_t j = c->pr[i];
    if (gap > 0 && j != NONE32 && t - e[j].at < gap) return 1;
    for (size_t q = 0; q < p->n_caps; q++) {
        const fu__pol_cap *cap = &p->caps[q];
        if (!cap_counts(cap, &e[i])) continue;
        if (cap->scope == FU__SCOPE_ORDER && !e[i].order) continue;
        if (cap->scope == FU__SCOPE_SURVEY) continue; /* counts survey calls, which the history does not mark */
        if (when_ok(c, &cap->when, t, c->pcl[i], e[i].severity) != 1) continue;
        int64_t start;
        fu_duration back = cap->per;
        back.value = -back.value;
        if (add_dur(c, &back, t, &start)) continue;
        int count = 1;
        for (uint32_t m = c->pc[i]; m != NONE32 && e[m].at > start; m = c->pc[m]) {
            if (!cap_counts(cap, &e[m])) continue;
            if (cap->scope == FU__SCOPE_ORDER && e[m].order != e[i].order) continue;
            if (++count > cap->max) return 1;
        }
    }
    return 0;
}

/* Index of the first reached contact at or after t (c->nrt when none). */
static size_t reached_from(const ctx *c, int64_t t) {
    size_t lo = 0, hi = c->nrt;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->rt[mid] < t) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* The first k < np with pstart[k] > t, np when none. */
static size_t first_start_after(const ctx *c, int64_t t) {
    if (t < c->pstart[0]) return 0;
    if (t >= c->pstart[c->np - 1]) return c->np;
    return (size_t)period_of(c, t) + 1;
}

static void add_churn_range(ctx *c, int64_t a, int64_t b, const uattr *ua) {
    /* +1 for the periods whose start lies in (a, b] and not after as_of */
    if (b > c->as_of) b = c->as_of;
    if (c->np == 0 || b <= a) return;
    size_t first = first_start_after(c, a), end = first_start_after(c, b); /* periods first .. end-1 */
    if (first >= end) return;
    int64_t g = group_for(c, ua);
    if (g < 0) return;
    int64_t ci = cell_of(c, (uint32_t)first, (uint32_t)g);
    if (ci < 0) return;
    log_unit(c, ci, U_CHURN_IN, 0, 0, 0xFF, 0);
    if (end < c->np) {
        ci = cell_of(c, (uint32_t)end, (uint32_t)g);
        if (ci < 0) return;
        log_unit(c, ci, U_CHURN_OUT, 0, 0, 0xFF, 0);
    }
}

static int push_rt(ctx *c, int64_t ci, double hours) {
    if (c->n_rt + 1 > c->cap_rt) {
        size_t ncap = c->cap_rt ? c->cap_rt * 2 : 1024;
        uint32_t *a = fu__realloc(c->rt_cell, ncap * sizeof *a);
        if (!a) return c->rc = fu__error_nomem();
        c->rt_cell = a;
        float *b = fu__realloc(c->rt_val, ncap * sizeof *b);
        if (!b) return c->rc = fu__error_nomem();
        c->rt_val = b;
        c->cap_rt = ncap;
    }
    c->rt_cell[c->n_rt] = (uint32_t)ci;
    c->rt_val[c->n_rt] = (float)hours;
    c->n_rt++;
    return FU_OK;
}

static int duerec_cmp(const void *a, const void *b) {
    const duerec *x = a, *y = b;
    return (x->cell > y->cell) - (x->cell < y->cell);
}

/* A due item with window [ws, we]; `ua` names the covering contact's agent
 * and channel when there is one. */
static int add_due_rec(ctx *c, int64_t ws, int64_t we, const uattr *ua) {
    if (we > c->as_of) return FU_OK; /* not due yet */
    size_t r = reached_from(c, ws);
    int covered = r < c->nrt && c->rt[r] <= we;
    int64_t ci = cell_for(c, we, ua);
    if (ci < 0) return c->rc;
    GROW_OR_FAIL(c->dr, c->cap_dr, c->ndr + 1);
    c->dr[c->ndr].cell = ci;
    c->dr[c->ndr].covered = covered;
    c->ndr++;
    return FU_OK;
}

/* Purchases of the current customer in (t, t + w]: whether any, and the sum
 * of their amounts. `*from` is a cursor into c->pu (anchors come in time
 * order). */
static int bought_in(ctx *c, const kev *e, size_t *from, int64_t t, int64_t w, double *rev) {
    while (*from < c->npu && e[c->pu[*from]].at <= t) (*from)++;
    int any = 0;
    *rev = 0;
    for (size_t u = *from; u < c->npu && e[c->pu[u]].at - t <= w; u++) {
        any = 1;
        if (isfinite(e[c->pu[u]].val)) *rev += e[c->pu[u]].val;
    }
    return any;
}

/* Uplift units of the current customer: in each period up to as_of the
 * customer is "contacted" (a reached contact in the period; anchor: the
 * first one) or "not contacted" (no contact attempt at all in the period and
 * an event before the period began; anchor: the period start). The outcome
 * is the purchases in (anchor, anchor + attribution window]; a unit counts
 * once that window has passed. */
static int pass_uplift(ctx *c, const kev *e, size_t n) {
    if (n == 0 || c->np == 0) return c->rc;
    int64_t w = c->roi_window, p = period_of(c, e[0].at);
    if (p < 0) p = 0;
    size_t j = 0, pcur = 0;
    for (; (size_t)p < c->np && c->pstart[p] + w <= c->as_of && !c->rc; p++) {
        int64_t s = c->pstart[p], en = c->pstart[p + 1];
        while (j < n && e[j].at < s) j++;
        size_t first_reached = NONE32;
        int attempted = 0;
        for (size_t q = j; q < n && e[q].at < en; q++) {
            if (e[q].kind != FU_EVENT_CONTACT) continue;
            attempted = 1;
            if (is_reached(&e[q])) {
                first_reached = q;
                break;
            }
        }
        double rev;
        if (first_reached != NONE32) {
            const kev *ct = &e[first_reached];
            if (ct->at + w > c->as_of) continue;
            uattr ua = attr_of(ct, 0);
            int any = bought_in(c, e, &pcur, ct->at, w, &rev);
            int64_t ci = cell_for(c, ct->at, &ua);
            if (ci >= 0) log_unit(c, ci, U_UPL_C, any, 0, 0xFF, rev);
        } else if (!attempted && e[0].at < s) {
            uattr ua = {0, 0, 0};
            int any = bought_in(c, e, &pcur, s, w, &rev);
            int64_t ci = cell_for(c, s, &ua);
            if (ci >= 0) log_unit(c, ci, U_UPL_N, any, 0, 0xFF, rev);
        }
    }
    return c->rc;
}

/* ---- one customer ---- */

static int pass_customer(ctx *c, const kev *e, size_t n, const kdue *due, size_t ndue) {
    const fu_kpi_options *o = &c->k->o;
    const fu__policy *p = c->pol;
    int64_t as_of = c->as_of;
    size_t cap0 = c->cap_ev;
    GROW_OR_FAIL(c->nr, c->cap_ev, n + 1);
    if (c->cap_ev != cap0) {
        size_t cap = c->cap_ev;
        /* the other per-event scratch arrays share cap_ev */
        uint32_t *a = fu__realloc(c->pr, cap * sizeof *a);
        if (!a) return c->rc = fu__error_nomem();
        c->pr = a;
        a = fu__realloc(c->pc, cap * sizeof *a);
        if (!a) return c->rc = fu__error_nomem();
        c->pc = a;
        uint8_t *b = fu__realloc(c->pcl, cap);
        if (!b) return c->rc = fu__error_nomem();
        c->pcl = b;
        double *d = fu__realloc(c->rev, cap * sizeof *d);
        if (!d) return c->rc = fu__error_nomem();
        c->rev = d;
    }
    /* first purchase and product classes inherited along the order */
    c->cur_first = c->cur->first_purchase_at;
    c->nrt = c->npu = c->nres = c->ndr = 0;
    for (size_t i = 0; i < n; i++) {
        const kev *v = &e[i];
        uint8_t cls = v->pclass;
        if (!cls && v->order)
            for (size_t j = i; j-- > 0;)
                if (e[j].order == v->order && c->pcl[j]) {
                    cls = c->pcl[j];
                    break;
                }
        c->pcl[i] = cls;
        c->rev[i] = 0;
        if (v->kind == FU_EVENT_PURCHASE) {
            if (c->cur_first == FU_KPI_NO_TIME) c->cur_first = v->at;
            GROW_OR_FAIL(c->pu, c->cap_pu, c->npu + 1);
            c->pu[c->npu++] = (uint32_t)i;
        } else if (v->kind == FU_EVENT_RESOLVED) {
            GROW_OR_FAIL(c->res, c->cap_res, c->nres + 1);
            c->res[c->nres++] = (uint32_t)i;
        } else if (is_reached(v)) {
            GROW_OR_FAIL(c->rt, c->cap_rtimes, c->nrt + 1);
            GROW_OR_FAIL(c->ri, c->cap_ri, c->nrt + 1);
            c->rt[c->nrt] = v->at;
            c->ri[c->nrt] = (uint32_t)i;
            c->nrt++;
        }
    }
    {
        int64_t until;
        c->cur_new_until = c->cur_first != FU_KPI_NO_TIME &&
                                   !add_dur(c, &c->pol->segments.new_within, c->cur_first, &until)
                               ? until
                               : INT64_MIN;
    }
    uint32_t nxt = NONE32, prv = NONE32, prc = NONE32;
    for (size_t i = n; i-- > 0;) {
        c->nr[i] = nxt;
        if (is_reached(&e[i])) nxt = (uint32_t)i;
    }
    for (size_t i = 0; i < n; i++) {
        c->pr[i] = prv;
        c->pc[i] = prc;
        if (is_reached(&e[i])) prv = (uint32_t)i;
        if (e[i].kind == FU_EVENT_CONTACT) prc = (uint32_t)i;
    }

    /* issues: timeliness, response times, resolution, FCR, feedback
     * closure, repeat and follow-up complaints */
    int64_t open_until = INT64_MIN;
    size_t rp = 0;
    for (size_t i = 0; i < n; i++) {
        const kev *v = &e[i];
        if (!is_issue(v->kind)) continue;
        while (rp < c->nres && c->res[rp] <= i) rp++;
        uint32_t r = NONE32;
        for (size_t q = rp; q < c->nres; q++)
            if (order_match(e[c->res[q]].order, v->order)) {
                r = c->res[q];
                break;
            }
        uint32_t c1 = c->nr[i];
        uattr ua = attr_of(v, c->pcl[i]);
        if (c1 != NONE32) {
            ua.agent = e[c1].agent;
            ua.channel = e[c1].channel;
        } else if (r != NONE32 && e[r].agent) {
            ua.agent = e[r].agent;
        }
        int64_t deadline;
        if (!sla_deadline(c, v, &deadline)) {
            if (c1 != NONE32) emit_prop(c, P_TIME, v->at, &ua, e[c1].at <= deadline);
            else if (deadline <= as_of) emit_prop(c, P_TIME, v->at, &ua, 0);
        }
        if (c1 != NONE32) {
            int64_t ci = cell_for(c, v->at, &ua);
            if (ci >= 0 && push_rt(c, ci, (double)(e[c1].at - v->at) / 3600.0)) return c->rc;
        }
        if (v->kind == FU_EVENT_FAULT) { /* a quality problem: closed within the window */
            int ok = r != NONE32 && e[r].at - v->at <= c->qc_window;
            if (ok || v->at <= as_of - c->qc_window) emit_prop(c, P_QC, v->at, &ua, ok);
        }
        if (v->kind != FU_EVENT_FEEDBACK) {
            emit_prop(c, P_RES, v->at, &ua, r != NONE32);
            if (c1 != NONE32 && e[c1].at <= as_of - o->fcr_window) {
                int64_t wend = e[c1].at + o->fcr_window;
                int ok = r != NONE32 && e[r].at <= wend;
                if (ok && r > c1 && c->nr[c1] != NONE32 && c->nr[c1] < r) ok = 0;
                for (size_t j = i + 1; ok && j < n && e[j].at <= wend; j++)
                    if (is_issue(e[j].kind) && order_match(e[j].order, v->order)) ok = 0;
                emit_prop(c, P_FCR, v->at, &ua, ok);
            }
        }
        if (v->kind == FU_EVENT_FEEDBACK || v->kind == FU_EVENT_COMPLAINT)
            emit_prop(c, P_FB, v->at, &ua, r != NONE32 && c->nr[r] != NONE32);
        if (v->kind == FU_EVENT_COMPLAINT) {
            int rep = 0;
            for (size_t j = i + 1; j < n && e[j].at <= v->at + o->repeat_window; j++)
                if (e[j].kind == FU_EVENT_COMPLAINT) {
                    rep = 1;
                    break;
                }
            if (rep || v->at <= as_of - o->repeat_window) emit_prop(c, P_REP, v->at, &ua, rep);
            uint32_t pcx = c->pc[i];
            int near = pcx != NONE32 && v->at - e[pcx].at <= o->complaint_window;
            uattr ub = near ? attr_of(&e[pcx], c->pcl[i]) : ua;
            emit_prop(c, P_FUC, v->at, &ub, near && open_until <= v->at);
        }
        int64_t closed = r != NONE32 ? e[r].at : INT64_MAX;
        if (closed > open_until) open_until = closed;
        if (c->rc) return c->rc;
    }

    /* surveys */
    for (size_t i = 0; i < n; i++) {
        const kev *v = &e[i];
        if (v->kind != FU_EVENT_SURVEY || isnan(v->val) || !v->survey) continue;
        uattr ua = attr_of(v, c->pcl[i]);
        uint32_t q = c->pr[i];
        if (!ua.agent && q != NONE32) ua.agent = e[q].agent;
        if (!ua.channel && q != NONE32) ua.channel = e[q].channel;
        double s = v->val;
        int64_t ci = cell_for(c, v->at, &ua);
        if (ci < 0) {
            if (c->rc) return c->rc;
            continue;
        }
        if (v->survey == FU_SURVEY_CSAT) log_unit(c, ci, U_CSAT, 0, 0, 0xFF, s);
        else if (v->survey == FU_SURVEY_NPS) log_unit(c, ci, U_NPS, 0, 0, 0xFF, s);
        else if (v->survey == FU_SURVEY_CES) log_unit(c, ci, U_CES, 0, 0, 0xFF, s);
    }

    /* revenue after reached contacts (ROI) */
    int costs = 0;
    for (int ch = 0; ch < FU_CHANNEL_COUNT; ch++) costs |= o->contact_cost[ch] > 0;
    if (costs)
        for (size_t u = 0; u < c->npu; u++) {
            uint32_t pi = c->pu[u], q = c->pr[pi];
            if (q != NONE32 && e[pi].at - e[q].at <= c->roi_window && isfinite(e[pi].val))
                c->rev[q] += e[pi].val;
        }

    /* contacts: over-contact, efficiency, ROI */
    for (size_t i = 0; i < n; i++) {
        const kev *v = &e[i];
        if (v->kind != FU_EVENT_CONTACT) continue;
        uattr ua = attr_of(v, c->pcl[i]);
        int64_t per = -1, ci = cell_for_p(c, v->at, &ua, &per);
        if (ci < 0) {
            if (c->rc) return c->rc;
            continue;
        }
        int over = over_contact(c, e, i), day = 0xFF;
        if (c->daymask) {
            int64_t bit = local_day_fast(c, v->at) - c->pday0[per];
            if (bit >= 0 && bit < 32) day = (int)bit;
        }
        log_unit(c, ci, U_CONTACT, over, v->channel, day, costs ? c->rev[i] : 0);
    }

    /* purchases: repurchase, churn, win-back */
    int64_t last_period = -1;
    for (size_t u = 0; u < c->npu; u++) {
        uint32_t pi = c->pu[u];
        const kev *v = &e[pi];
        uattr ua = attr_of(v, c->pcl[pi]);
        int64_t per = period_of(c, v->at);
        if (per >= 0 && per != last_period) {
            last_period = per;
            int ok = 0;
            for (size_t w = u + 1; w < c->npu; w++) {
                const kev *q = &e[c->pu[w]];
                if (q->at - v->at > c->repurchase_window) break;
                if (q->at > v->at && (q->order != v->order || !q->order)) {
                    ok = 1;
                    break;
                }
            }
            /* only once the window has passed: a long window (the built-in
             * policy's year) would otherwise count the early successes only */
            if (v->at <= as_of - c->repurchase_window) emit_prop(c, P_REPUR, v->at, &ua, ok);
        }
        if (u + 1 < c->npu && e[c->pu[u + 1]].at == v->at) continue; /* the last purchase of an instant */
        int64_t next_t = u + 1 < c->npu ? e[c->pu[u + 1]].at : INT64_MAX;
        int64_t churn_at;
        if (!add_dur(c, &p->segments.churned_after, v->at, &churn_at)) {
            if (next_t <= churn_at) {
                add_churn_range(c, v->at, next_t, &ua);
            } else {
                add_churn_range(c, v->at, churn_at, &ua);
                if (churn_at <= as_of) {
                    int64_t ci = cell_for(c, churn_at, &ua);
                    if (ci >= 0) log_unit(c, ci, U_CHURN_X, 0, 0, 0xFF, 0);
                }
            }
        }
        int64_t risk_at;
        if (!add_dur(c, &p->segments.declining_inactive_for, v->at, &risk_at) && next_t > risk_at &&
            risk_at <= as_of) {
            size_t r = reached_from(c, risk_at);
            if (r < c->nrt && c->rt[r] < next_t) {
                const kev *ct = &e[c->ri[r]];
                int ok = next_t != INT64_MAX && next_t - ct->at <= o->win_back_window;
                uattr ub = attr_of(ct, c->pcl[pi]);
                if (ok || ct->at <= as_of - o->win_back_window) emit_prop(c, P_WIN, ct->at, &ub, ok);
            }
        }
        if (c->rc) return c->rc;
    }

    /* coverage: due items (derived from the cadences or given) */
    if (!(o->flags & FU_KPI_NO_DERIVED_DUE)) {
        for (size_t i = 0; i < n; i++) {
            const kev *v = &e[i];
            for (size_t q = 0; q < c->ntrig[v->kind]; q++) {
                const fu__pol_cadence *cad = &p->cadences[c->trig[v->kind][q]];
                const fu__pol_step *st = &cad->steps[0];
                if (when_ok(c, &cad->when, v->at, c->pcl[i], v->severity) != 1) continue;
                if (when_ok(c, &st->when, v->at, c->pcl[i], v->severity) != 1) continue;
                int64_t ws, we;
                if (add_dur(c, &st->at, v->at, &ws) || add_dur(c, &st->within, ws, &we)) continue;
                uattr ua = attr_of(v, c->pcl[i]);
                ua.channel = (uint8_t)(st->channel + 1);
                size_t r = reached_from(c, ws);
                if (r < c->nrt && c->rt[r] <= we) ua = attr_of(&e[c->ri[r]], c->pcl[i]);
                if (add_due_rec(c, ws, we, &ua)) return c->rc;
            }
        }
    }
    for (size_t d = 0; d < ndue; d++) {
        int64_t ws = due[d].from == FU_KPI_NO_TIME ? INT64_MIN : due[d].from;
        uattr ua = {due[d].agent, 0, 0};
        size_t r = reached_from(c, ws);
        if (r < c->nrt && c->rt[r] <= due[d].to) {
            ua = attr_of(&e[c->ri[r]], c->pcl[c->ri[r]]);
            if (!ua.agent) ua.agent = due[d].agent;
        }
        if (add_due_rec(c, ws, due[d].to, &ua)) return c->rc;
    }
    if (c->ndr) {
        /* one unit per customer and cell: contacted when every item was met */
        qsort(c->dr, c->ndr, sizeof *c->dr, duerec_cmp);
        for (size_t a = 0; a < c->ndr;) {
            size_t b = a;
            int all = 1;
            while (b < c->ndr && c->dr[b].cell == c->dr[a].cell) all &= c->dr[b++].covered;
            log_unit(c, c->dr[a].cell, U_PROP, P_COV, all, 0xFF, 0);
            a = b;
        }
    }
    return pass_uplift(c, e, n);
}

/* ---- finalisation ---- */

typedef struct gp {
    uint32_t group, period, idx;
} gp;

static int gp_cmp(const void *a, const void *b) {
    const gp *x = a, *y = b;
    if (x->group != y->group) return x->group < y->group ? -1 : 1;
    return (x->period > y->period) - (x->period < y->period);
}

/* Churn denominators: prefix sums of the deltas along each group's periods,
 * creating cells for periods in which customers were active but nothing
 * else happened. */
static int churn_finalize(ctx *c) {
    size_t n = c->nc;
    if (!n) return FU_OK;
    gp *o = fu__malloc(n * sizeof *o);
    if (!o) return c->rc = fu__error_nomem();
    for (size_t i = 0; i < n; i++) {
        o[i].group = c->ch[i].group;
        o[i].period = c->ch[i].period;
        o[i].idx = (uint32_t)i;
    }
    qsort(o, n, sizeof *o, gp_cmp);
    for (size_t a = 0; a < n && !c->rc;) {
        uint32_t g = o[a].group;
        int64_t running = 0, prev = -1;
        size_t b = a;
        for (; b < n && o[b].group == g && !c->rc; b++) {
            for (int64_t pp = prev + 1; running > 0 && pp < (int64_t)o[b].period && c->pstart[pp] <= c->as_of; pp++) {
                int64_t ci = cell_of(c, (uint32_t)pp, g);
                if (ci >= 0) c->cm[ci].churn_n = (uint32_t)running;
            }
            cmisc *ce = &c->cm[o[b].idx];
            running += ce->churn_delta;
            if (c->pstart[o[b].period] <= c->as_of && running > 0) ce->churn_n = (uint32_t)running;
            prev = o[b].period;
        }
        for (int64_t pp = prev + 1; running > 0 && pp < (int64_t)c->np && c->pstart[pp] <= c->as_of && !c->rc; pp++) {
            int64_t ci = cell_of(c, (uint32_t)pp, g);
            if (ci >= 0) c->cm[ci].churn_n = (uint32_t)running;
        }
        a = b;
    }
    fu__free(o);
    for (size_t i = 0; i < c->nc; i++)
        if (c->cm[i].churn_x > c->cm[i].churn_n) c->cm[i].churn_n = c->cm[i].churn_x;
    return c->rc;
}

/* Response times are >= 0 (the responder comes after the issue), so their
 * float bit patterns order as unsigned integers: small cells are sorted by
 * insertion, large ones by a stable LSD radix sort on the bits. */
static void sort_u32(uint32_t *x, size_t n, uint32_t *tmp) {
    if (n <= 48) {
        for (size_t i = 1; i < n; i++) {
            uint32_t v = x[i];
            size_t j = i;
            while (j > 0 && x[j - 1] > v) {
                x[j] = x[j - 1];
                j--;
            }
            x[j] = v;
        }
        return;
    }
    uint32_t *src = x, *dst = tmp;
    for (int shift = 0; shift < 32; shift += 8) {
        size_t cnt[257] = {0};
        for (size_t i = 0; i < n; i++) cnt[((src[i] >> shift) & 0xFF) + 1]++;
        if (cnt[((src[0] >> shift) & 0xFF) + 1] == n) continue; /* one bucket: nothing moves */
        for (int b = 0; b < 256; b++) cnt[b + 1] += cnt[b];
        for (size_t i = 0; i < n; i++) dst[cnt[(src[i] >> shift) & 0xFF]++] = src[i];
        uint32_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != x) memcpy(x, src, n * sizeof *x);
}

/* Group the response times by cell (counting sort) and sort each cell's. */
static int rt_finalize(ctx *c, uint32_t **vals) {
    *vals = NULL;
    if (!c->n_rt) return FU_OK;
    uint32_t *v = fu__malloc(c->n_rt * sizeof *v);
    if (!v) return c->rc = fu__error_nomem();
    for (size_t i = 0; i < c->n_rt; i++) c->cm[c->rt_cell[i]].rt_n++;
    uint32_t off = 0, most = 0;
    for (size_t i = 0; i < c->nc; i++) {
        c->cm[i].rt_off = off;
        off += c->cm[i].rt_n;
        if (c->cm[i].rt_n > most) most = c->cm[i].rt_n;
        c->cm[i].rt_n = 0;
    }
    for (size_t i = 0; i < c->n_rt; i++) {
        cmisc *ce = &c->cm[c->rt_cell[i]];
        memcpy(&v[ce->rt_off + ce->rt_n++], &c->rt_val[i], sizeof *v);
    }
    uint32_t *tmp = most > 48 ? fu__malloc(most * sizeof *tmp) : NULL;
    if (most > 48 && !tmp) {
        fu__free(v);
        return c->rc = fu__error_nomem();
    }
    for (size_t i = 0; i < c->nc; i++)
        if (c->cm[i].rt_n > 1) sort_u32(v + c->cm[i].rt_off, c->cm[i].rt_n, tmp);
    fu__free(tmp);
    *vals = v;
    return FU_OK;
}

/* Linear-interpolation quantile of sorted x (type 7, as numpy and pandas). */
static double rt_at(const uint32_t *x, size_t i) {
    float f;
    memcpy(&f, &x[i], sizeof f);
    return f;
}

static double quantile(const uint32_t *x, size_t n, double p) {
    double h = (double)(n - 1) * p;
    size_t lo = (size_t)floor(h);
    double fr = h - (double)lo;
    return lo + 1 < n ? rt_at(x, lo) + fr * (rt_at(x, lo + 1) - rt_at(x, lo)) : rt_at(x, lo);
}

static int keep_label(fu_kpi *k, char *s, const char **out) {
    if (!s) return fu__error_nomem();
    int rc = FU_GROW(k->labels, k->cap_labels, k->n_labels + 1);
    if (rc) {
        fu__free(s);
        return rc;
    }
    k->labels[k->n_labels++] = s;
    *out = s;
    return FU_OK;
}

static int make_group_label(ctx *c, const gkey *g, const char **out) {
    fu_kpi *k = c->k;
    unsigned by = k->o.by;
    fu__buf b = FU__BUF_INIT;
    if (!by) fu__buf_puts(&b, "all");
    const char *sep = "";
    if (by & FU_KPI_BY_TIER) {
        fu__buf_printf(&b, "%s%s", sep, g->tier ? c->pol->segments.tiers[g->tier - 1].name : "unknown");
        sep = "/";
    }
    if (by & FU_KPI_BY_SEGMENT) {
        fu__buf_printf(&b, "%s%s", sep, g->seg ? kstr_get(&k->str, g->seg) : "unknown");
        sep = "/";
    }
    if (by & FU_KPI_BY_AGENT) {
        fu__buf_printf(&b, "%s%s", sep, g->agent ? kstr_get(&k->str, g->agent) : "unassigned");
        sep = "/";
    }
    if (by & FU_KPI_BY_CHANNEL) {
        fu__buf_printf(&b, "%s%s", sep, g->channel ? fu_channel_name(g->channel) : "none");
        sep = "/";
    }
    if (by & FU_KPI_BY_PRODUCT_CLASS)
        fu__buf_printf(&b, "%s%s", sep, g->pclass ? c->pol->segments.classes[g->pclass - 1].name : "unknown");
    if (b.failed) {
        fu__buf_free(&b);
        return fu__error_nomem();
    }
    return keep_label(k, fu__buf_detach(&b), out);
}

static int make_period_label(ctx *c, size_t pi, const char **out) {
    int64_t day = c->pday0[pi], y;
    int m, d;
    char buf[32];
    fu__civil_from_days(day, &y, &m, &d);
    switch (c->k->o.period) {
    case FU_KPI_DAY: snprintf(buf, sizeof buf, "%04d-%02d-%02d", (int)y, m, d); break;
    case FU_KPI_WEEK: {
        /* ISO week: the week's Thursday decides the year */
        int64_t thu = day + 3, ty;
        int tm, td;
        fu__civil_from_days(thu, &ty, &tm, &td);
        int64_t jan1 = fu__days_from_civil(ty, 1, 1);
        snprintf(buf, sizeof buf, "%04d-W%02d", (int)ty, (int)((thu - jan1) / 7 + 1));
        break;
    }
    default: snprintf(buf, sizeof buf, "%04d-%02d", (int)y, m); break;
    }
    return keep_label(c->k, fu__strdup(buf), out);
}

/* Order of the reported cells: period, then group label. */
typedef struct cord {
    uint64_t key;
    uint32_t idx;
} cord;

static int cord_cmp(const void *a, const void *b) {
    const cord *x = a, *y = b;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    return (x->idx > y->idx) - (x->idx < y->idx);
}

typedef struct gsort {
    const char *label;
    uint32_t g;
} gsort;

static int gsort_cmp(const void *a, const void *b) {
    return strcmp(((const gsort *)a)->label, ((const gsort *)b)->label);
}

static unsigned popcount32(uint32_t v) {
    unsigned n = 0;
    while (v) {
        v &= v - 1;
        n++;
    }
    return n;
}

/* A cell's accumulators copied next to each other (build_figures reads the
 * cells of a period once each, in report order, instead of 20 times at
 * random). */
typedef struct crow {
    chead h;
    cissue i;
    csurv s;
    ccont c;
    crev r;
    cmisc m;
    cupl u;
} crow;

/* The RAG rule of a KPI for a tier (index + 1; 0 without a tier). */
typedef struct ragc {
    int found; /* 0 not yet looked up, 1 no target, 2 target, 3 by-tier target */
    double target, red;
    int lower;
    const char *rule;
} ragc;

/* repurchase_uplift, value_uplift, roi_incremental of a cell (docs/kpi.md);
 * 1 when the figure exists. */
static int uplift_figure(const ctx *c, fu_kpi_id id, const cupl *u, const ccont *cc, fu_kpi_figure *f) {
    if (!u->cn || !u->nn) return 0;
    double cn = u->cn, nn = u->nn, z = c->k->z;
    double mc = u->cr / cn, mn = u->nr / nn;
    double vc = cn >= 2 ? fmax(0, (u->cr2 - cn * mc * mc) / (cn - 1)) / cn : NAN; /* variance of the means */
    double vn = nn >= 2 ? fmax(0, (u->nr2 - nn * mn * mn) / (nn - 1)) / nn : NAN;
    f->n = cn + nn;
    if (id == FU_KPI_REPURCHASE_UPLIFT) {
        double pc = u->cx / cn, pn = u->nx / nn, half = z * sqrt(pc * (1 - pc) / cn + pn * (1 - pn) / nn);
        f->value = pc - pn;
        f->ci_low = fmax(-1, f->value - half);
        f->ci_high = fmin(1, f->value + half);
        return 1;
    }
    if (id == FU_KPI_VALUE_UPLIFT) {
        if (mn <= 0 || mc < 0) return 0;
        double r = mc / mn, half = z * r * sqrt((mc > 0 ? vc / (mc * mc) : 0) + vn / (mn * mn));
        f->value = r - 1;
        f->ci_low = f->value - half;
        f->ci_high = f->value + half;
        return 1;
    }
    if (!c->costs || cc->cost <= 0) return 0; /* roi_incremental */
    f->value = (mc - mn) * cn / cc->cost;
    double half = z * cn * sqrt(vc + vn) / cc->cost;
    f->ci_low = f->value - half;
    f->ci_high = f->value + half;
    return 1;
}

static int build_figures(ctx *c, const uint32_t *rtv) {
    fu_kpi *k = c->k;
    const fu_kpi_options *o = &k->o;
    const char **glabel = c->ng ? fu__calloc(c->ng, sizeof *glabel) : NULL;
    const char **plabel = c->np ? fu__calloc(c->np, sizeof *plabel) : NULL;
    uint32_t *grank = c->ng ? fu__calloc(c->ng, sizeof *grank) : NULL;
    gsort *gs = c->ng ? fu__calloc(c->ng, sizeof *gs) : NULL;
    cord *ord = c->nc ? fu__malloc(c->nc * sizeof *ord) : NULL;
    ragc rag[FU_KPI_COUNT][FU__POL_MAX_TIERS + 1];
    memset(rag, 0, sizeof rag);
    crow *rows = NULL;
    size_t cap_rows = 0;
    int rc = ((c->ng && (!glabel || !grank || !gs)) || (c->np && !plabel) || (c->nc && !ord)) ? fu__error_nomem() : FU_OK;
    size_t maxf = c->nc * FU_KPI_COUNT, nord = 0, ngs = 0;
    if (!rc && maxf) {
        k->fig = fu__malloc(maxf * sizeof *k->fig);
        if (!k->fig) rc = fu__error_nomem();
    }
    if (!rc && c->nc && (o->by & FU_KPI_BY_AGENT)) {
        k->sc = fu__malloc(c->nc * sizeof *k->sc);
        if (!k->sc) rc = fu__error_nomem();
    }
    /* the reported cells, their labels, and their order */
    for (size_t i = 0; i < c->nc && !rc; i++) {
        const chead *ce = &c->ch[i];
        size_t pi = ce->period;
        if (o->from != FU_KPI_NO_TIME && c->pstart[pi + 1] <= o->from) continue;
        if (o->to != FU_KPI_NO_TIME && c->pstart[pi] >= o->to) continue;
        if (!glabel[ce->group]) {
            rc = make_group_label(c, &c->gk[ce->group], &glabel[ce->group]);
            if (!rc) {
                gs[ngs].label = glabel[ce->group];
                gs[ngs++].g = ce->group;
            }
        }
        if (!rc && !plabel[pi]) rc = make_period_label(c, pi, &plabel[pi]);
        ord[nord].idx = (uint32_t)i;
        ord[nord++].key = pi;
    }
    if (!rc && ngs) {
        qsort(gs, ngs, sizeof *gs, gsort_cmp);
        for (size_t i = 0; i < ngs; i++) grank[gs[i].g] = (uint32_t)i;
    }
    for (size_t i = 0; i < nord && !rc; i++) ord[i].key = ord[i].key * (ngs + 1) + grank[c->ch[ord[i].idx].group];
    if (!rc && nord) qsort(ord, nord, sizeof *ord, cord_cmp);
    const fu__pol_scorecard *w = &c->pol->scorecard;
    double cap_day = c->pol->capacity.calls_per_agent_day_min > 0 ? c->pol->capacity.calls_per_agent_day_min : 1;
    for (size_t b0 = 0; b0 < nord && !rc;) {
        size_t b1 = b0;
        while (b1 < nord && c->ch[ord[b1].idx].period == c->ch[ord[b0].idx].period) b1++;
        rc = FU_GROW(rows, cap_rows, b1 - b0);
        for (size_t oi = b0; oi < b1 && !rc; oi++) {
            size_t cix = ord[oi].idx;
            crow *rw = &rows[oi - b0];
            rw->h = c->ch[cix];
            rw->i = c->ci[cix];
            rw->s = c->cs[cix];
            rw->c = c->cc[cix];
            rw->r = c->cr[cix];
            rw->m = c->cm[cix];
            rw->u = c->cu[cix];
        }
      for (int id = 0; id < FU_KPI_COUNT && !rc; id++)
      for (size_t oi = b0; oi < b1 && !rc; oi++) {
        const crow *rw = &rows[oi - b0];
        const chead *ce = &rw->h;
        const csurv *cs = &rw->s;
        const ccont *cc = &rw->c;
        const cmisc *cm = &rw->m;
        size_t pi = ce->period;
        const gkey *g = &c->gk[ce->group];
        const char *tier = (o->by & FU_KPI_BY_TIER) && g->tier ? c->pol->segments.tiers[g->tier - 1].name : NULL;
        {
            fu_kpi_figure f;
            memset(&f, 0, sizeof f);
            f.value = f.ci_low = f.ci_high = f.successes = NAN;
            int have = 0;
            switch (kpi_vtype[id]) {
            case VT_PROP: {
                int pk = kpi_prop[id];
                uint32_t pn, px;
                if (pk == P_TOP2) pn = cs->csat_n, px = cs->top2_x;
                else if (pk == P_OVER) pn = cc->n, px = cc->over;
                else if (pk == P_CHURN) pn = cm->churn_n, px = cm->churn_x;
                else {
                    const kp32 *pr = pk < P_COV ? &rw->i.p[pk] : &cm->p[pk - P_COV];
                    pn = pr->n, px = pr->x;
                }
                if (!pn) break;
                have = 1;
                f.n = (double)pn;
                f.successes = (double)px;
                f.value = f.successes / f.n;
                fu__stats_wilson_z(f.successes, f.n, k->z, &f.ci_low, &f.ci_high);
                break;
            }
            case VT_MEAN: {
                double n = id == FU_KPI_CSAT ? cs->csat_n : cs->ces_n;
                double s = id == FU_KPI_CSAT ? cs->csat_s : cs->ces_s;
                double ss = id == FU_KPI_CSAT ? cs->csat_ss : cs->ces_ss;
                if (n <= 0) break;
                have = 1;
                f.n = n;
                f.value = s / n;
                if (n >= 2) {
                    double var = (ss - n * f.value * f.value) / (n - 1);
                    double half = t_of(c, n - 1) * sqrt((var > 0 ? var : 0) / n);
                    f.ci_low = f.value - half;
                    f.ci_high = f.value + half;
                    if (f.ci_low < (id == FU_KPI_CSAT ? 1 : 1)) f.ci_low = 1;
                    if (f.ci_high > (id == FU_KPI_CSAT ? 5 : 7)) f.ci_high = id == FU_KPI_CSAT ? 5 : 7;
                }
                break;
            }
            case VT_NPS:
                if (!cs->nps_n) break;
                have = 1;
                f.n = (double)cs->nps_n;
                fu__stats_nps_z((double)cs->nps_p, (double)cs->nps_d, f.n, k->z, &f.value, &f.ci_low, &f.ci_high);
                break;
            case VT_QUANT: {
                if (!cm->rt_n) break;
                have = 1;
                size_t n = cm->rt_n;
                const uint32_t *x = rtv + cm->rt_off;
                double q = id == FU_KPI_RESPONSE_P50 ? 0.5 : 0.9;
                f.n = (double)n;
                f.value = quantile(x, n, q);
                if (n >= 2) {
                    double s = k->z * sqrt((double)n * q * (1 - q));
                    double lo = floor((double)n * q - s), hi = ceil((double)n * q + s);
                    if (lo < 1) lo = 1;
                    if (hi > (double)n) hi = (double)n;
                    f.ci_low = rt_at(x, (size_t)lo - 1);
                    f.ci_high = rt_at(x, (size_t)hi - 1);
                }
                break;
            }
            case VT_RATIO: {
                const crev *cr = &rw->r;
                if (!c->costs || cc->n == 0 || cc->cost <= 0) break;
                have = 1;
                f.n = (double)cc->n;
                f.value = cr->r / cc->cost;
                if (cc->n >= 2) {
                    double n = (double)cc->n, R = f.value, mc = cc->cost / n;
                    double var = (cr->r2 - 2 * R * cr->cr + R * R * cc->cost2) / (n - 1);
                    if (var < 0) var = 0;
                    double half = k->z * sqrt(var / n) / mc;
                    f.ci_low = R - half;
                    f.ci_high = R + half;
                }
                break;
            }
            case VT_BUDGET: {
                /* spend (contact attempts x cost per channel) against the
                 * budget of the elapsed part of the period; ungrouped only */
                if (!c->costs || o->budget <= 0 || o->by || cc->n == 0) break;
                int64_t ps = c->pstart[pi], pe = c->pstart[pi + 1], end = pe < c->as_of ? pe : c->as_of;
                if (end <= ps) break;
                double budget = o->budget * (double)(end - ps) / (double)(pe - ps);
                have = 1;
                f.n = (double)cc->n;
                f.value = cc->cost / budget - 1;
                break;
            }
            case VT_UPLIFT:
                have = uplift_figure(c, (fu_kpi_id)id, &rw->u, cc, &f);
                break;
            case VT_SCORE: {
                if (!(o->by & FU_KPI_BY_AGENT) || !g->agent) break;
                double num = 0, wsum = 0, var = 0, wv[4], cv[4], vv[4];
                int m = 0;
                fu_kpi_scorecard sc;
                memset(&sc, 0, sizeof sc);
                sc.satisfaction = sc.resolution = sc.feedback_conversion = sc.efficiency = NAN;
                double csn = cs->csat_n;
                if (csn > 0) {
                    double mean = cs->csat_s / csn;
                    double s2 = csn >= 2 ? (cs->csat_ss - csn * mean * mean) / (csn - 1) : 0;
                    sc.satisfaction = (mean - 1) / 4;
                    wv[m] = w->satisfaction, cv[m] = sc.satisfaction, vv[m++] = (s2 > 0 ? s2 : 0) / csn / 16;
                }
                const kp32 *r = &rw->i.p[P_RES], *fb = &rw->i.p[P_FB];
                if (r->n) {
                    double q = (double)r->x / (double)r->n;
                    sc.resolution = q;
                    wv[m] = w->resolution, cv[m] = q, vv[m++] = q * (1 - q) / (double)r->n;
                }
                if (fb->n) {
                    double q = (double)fb->x / (double)fb->n;
                    sc.feedback_conversion = q;
                    wv[m] = w->feedback_conversion, cv[m] = q, vv[m++] = q * (1 - q) / (double)fb->n;
                }
                if (cc->n) {
                    unsigned days = popcount32(cc->daymask);
                    double per_day = (double)cc->n / (days ? days : 1);
                    sc.efficiency = per_day / cap_day > 1 ? 1 : per_day / cap_day;
                    wv[m] = w->efficiency, cv[m] = sc.efficiency, vv[m++] = 0;
                }
                for (int q = 0; q < m; q++) wsum += wv[q];
                if (m == 0 || wsum <= 0) break;
                for (int q = 0; q < m; q++) {
                    num += wv[q] * cv[q];
                    var += (wv[q] / wsum) * (wv[q] / wsum) * vv[q];
                }
                have = 1;
                f.value = num / wsum;
                f.n = csn + (double)r->n + (double)fb->n;
                f.ci_low = fmax(0, f.value - k->z * sqrt(var));
                f.ci_high = fmin(1, f.value + k->z * sqrt(var));
                sc.score = f.value;
                sc.ci_low = f.ci_low;
                sc.ci_high = f.ci_high;
                sc.agent = kstr_get(&k->str, g->agent);
                sc.group = glabel[ce->group];
                sc.period = plabel[pi];
                k->sc[k->n_sc++] = sc;
                break;
            }
            }
            if (rc) break;
            if (!have) continue;
            f.kpi = (fu_kpi_id)id;
            f.name = kpi_names[id];
            f.group = glabel[ce->group];
            f.period = plabel[pi];
            f.period_start = c->pstart[pi];
            f.period_end = c->pstart[pi + 1];
            f.period_index = pi;
            f.group_index = ce->group;
            ragc *rg = &rag[id][tier ? g->tier : 0];
            if (!rg->found) {
                rg->target = rg->red = NAN;
                rg->lower = kpi_lower_better[id];
                rg->rule = "";
                int found = rag_lookup(c->pol, (fu_kpi_id)id, tier, &rg->target, &rg->red, &rg->lower, &rg->rule);
                if (found == 2) {
                    fu__buf b = FU__BUF_INIT;
                    fu__buf_printf(&b, "%s.%s", fu__policy_kpi(c->pol, kpi_names[id])->rule, tier);
                    rc = b.failed ? (fu__buf_free(&b), fu__error_nomem()) : keep_label(k, fu__buf_detach(&b), &rg->rule);
                    if (rc) break;
                }
                rg->found = found + 1;
            }
            int found = rg->found > 1;
            f.target = found ? rg->target : NAN;
            f.rule = found ? rg->rule : "";
            f.status = found ? rag_status(f.value, rg->target, rg->red, rg->lower) : FU_KPI_STATUS_NONE;
            k->fig[k->n_fig++] = f;
        }
      }
        b0 = b1;
    }
    fu__free(rows);
    fu__free((void *)glabel);
    fu__free((void *)plabel);
    fu__free(grank);
    fu__free(gs);
    fu__free(ord);
    return rc;
}

/* The window of a KPI: the policy's `kpis.<name>.window` when given, else `dflt`. */
static int64_t policy_window(const fu__policy *pol, const char *name, int64_t dflt) {
    const fu__pol_kpi *pk = fu__policy_kpi(pol, name);
    return pk && pk->window.unit == FU_DURATION_SECONDS && pk->window.value > 0 ? (int64_t)pk->window.value : dflt;
}

int fu_kpi_compute(fu_kpi *k, size_t *out) {
    if (!k || !out) return fu__error_set(FU_EINVAL, "fu_kpi_compute: NULL argument");
    if (k->computed && k->has_result) {
        *out = k->n_fig;
        return FU_OK;
    }
    clear_result(k);
    *out = 0;
    int rc = merge_events(k);
    if (rc) return rc;
    if (k->n_due) qsort(k->due, k->n_due, sizeof *k->due, due_cmp);
    ctx c;
    memset(&c, 0, sizeof c);
    c.k = k;
    c.pol = k->pol;
    c.cal = k->cal;
    c.last_cell_key = -1;
    c.last_cell = -1;
    /* as_of and the time range */
    int64_t as_of = k->o.as_of, tmin = INT64_MAX, tmax = INT64_MIN;
    /* each customer's events are in time order: its first and last bound them */
    if (as_of == FU_KPI_NO_TIME) {
        for (size_t i = 0; i < k->n_cust; i++)
            if (k->off[i + 1] > k->off[i] && k->ev[k->off[i + 1] - 1].at > tmax) tmax = k->ev[k->off[i + 1] - 1].at;
        for (size_t i = 0; i < k->n_due; i++)
            if (k->due[i].to > tmax) tmax = k->due[i].to;
        for (size_t i = 0; i < k->n_com; i++)
            if (k->com[i].closed_at != FU_COMMIT_NO_TIME && k->com[i].closed_at > tmax) tmax = k->com[i].closed_at;
        as_of = tmax;
    }
    c.as_of = k->as_of = as_of;
    tmax = as_of;
    for (size_t i = 0; i < k->n_cust; i++)
        if (k->off[i + 1] > k->off[i] && k->ev[k->off[i]].at < tmin) tmin = k->ev[k->off[i]].at;
    for (size_t i = 0; i < k->n_due; i++)
        if (k->due[i].to < tmin) tmin = k->due[i].to;
    for (size_t i = 0; i < k->n_com; i++) {
        const kcom *m = &k->com[i];
        if (m->deadline == FU_COMMIT_NO_TIME || m->state == FU_COMMIT_CANCELLED) continue;
        if (m->deadline < tmin) tmin = m->deadline;
        if (m->state == FU_COMMIT_FULFILLED && m->closed_at != FU_COMMIT_NO_TIME && m->closed_at <= as_of &&
            m->deadline > tmax)
            tmax = m->deadline;
    }
    if (as_of == INT64_MIN || tmin > tmax) {
        /* no data: an empty result */
        k->has_result = k->computed = 1;
        return FU_OK;
    }
    /* cadences by trigger kind, SLAs by severity */
    size_t trig_cap[FU_EVENT_KIND_COUNT] = {0};
    for (size_t i = 0; i < k->pol->n_cadences && !rc; i++) {
        const fu__pol_cadence *cad = &k->pol->cadences[i];
        if (cad->trigger != FU__TRIGGER_EVENT || !cad->n_steps) continue;
        fu_event_kind kind;
        if (fu_event_kind_from_string(cad->event, strlen(cad->event), &kind) != FU_OK) {
            fu_error_clear();
            continue;
        }
        rc = FU_GROW(c.trig[kind], trig_cap[kind], c.ntrig[kind] + 1);
        if (!rc) c.trig[kind][c.ntrig[kind]++] = (uint32_t)i;
    }
    static const char *const sev_sla[4] = {"standard", "urgent", "standard", "routine"};
    for (int s = 0; s < 4; s++)
        for (size_t i = 0; i < k->pol->n_sla_response; i++)
            if (strcmp(k->pol->sla_response[i].name, sev_sla[s]) == 0) c.sla_sev[s] = &k->pol->sla_response[i].d;
    if (!rc) rc = build_periods(&c, tmin, tmax);
    if (!rc && (k->o.by & FU_KPI_BY_AGENT)) rc = build_days(&c);
    for (int ch = 0; ch < FU_CHANNEL_COUNT; ch++) c.costs |= k->o.contact_cost[ch] > 0;
    c.daymask = (k->o.by & FU_KPI_BY_AGENT) != 0;
    c.roi_window = policy_window(k->pol, "roi", k->o.roi_window);
    c.qc_window = policy_window(k->pol, "quality_closure", 7 * FU_KPI_DAY_SECONDS);
    c.repurchase_window = policy_window(k->pol, "repurchase", k->o.repurchase_window);
    if (!rc) {
        c.cap_u = k->n_ev < UNIT_LOG / 4 ? 4 * k->n_ev + 1024 : UNIT_LOG;
        c.ulog = fu__malloc(c.cap_u * sizeof *c.ulog);
        c.ulog2 = fu__malloc(c.cap_u * sizeof *c.ulog2);
        if (!c.ulog || !c.ulog2) rc = fu__error_nomem();
    }
    /* one pass per customer */
    size_t dp = 0;
    for (uint32_t ci = 0; ci < k->n_cust && !rc; ci++) {
        if ((rc = FU_CANCEL_POLL(ci, 1024))) break;
        size_t e0 = k->off[ci], ep = k->off[ci + 1], d0 = dp;
        while (dp < k->n_due && k->due[dp].cust == ci) dp++;
        size_t m = e0;
        while (m < ep && k->ev[m].at <= as_of) m++;
        if (m == e0 && dp == d0) continue;
        c.cur = &k->cust[ci];
        c.cur_tier = c.cur->tier;
        c.cur_seg = c.cur->segment;
        rc = pass_customer(&c, k->ev + e0, m - e0, k->due + d0, dp - d0);
    }
    /* commitments */
    for (size_t i = 0; i < k->n_com && !rc; i++) {
        const kcom *m = &k->com[i];
        if (m->state == FU_COMMIT_CANCELLED || m->deadline == FU_COMMIT_NO_TIME) continue;
        int fulfilled = m->state == FU_COMMIT_FULFILLED && m->closed_at != FU_COMMIT_NO_TIME;
        if (!(m->deadline <= as_of || (fulfilled && m->closed_at <= as_of))) continue;
        c.cur = &k->cust[m->cust];
        c.cur_tier = c.cur->tier;
        c.cur_seg = c.cur->segment;
        uattr ua = {m->agent, 0, 0};
        emit_prop(&c, P_COM, m->deadline, &ua, fulfilled && m->closed_at <= m->deadline);
        rc = c.rc;
    }
    uint32_t *rtv = NULL;
    if (!rc) rc = flush_units(&c);
    if (!rc) rc = churn_finalize(&c);
    if (!rc) rc = rt_finalize(&c, &rtv);
    if (!rc) rc = build_figures(&c, rtv);
    fu__free(rtv);
    ctx_free(&c);
    if (rc) {
        clear_result(k);
        return rc;
    }
    k->has_result = k->computed = 1;
    *out = k->n_fig;
    return FU_OK;
}

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

/* ===================================================================== */
/* 5. output                                                              */

static void put_num(fu__buf *b, double v) {
    if (isnan(v)) return;
    fu__buf_printf(b, "%.6g", v);
}

/* A text cell through the library's one CSV cell writer (csv_internal.h). */
static void put_csv_text(fu__buf *b, const fu_kpi *k, const char *s) {
    fu__csv_putf(b, 1, s, (k->o.flags & FU_KPI_CSV_RAW) ? FU__CSV_RAW : 0u);
}

static int finish(fu__buf *b, size_t *len, char **out) {
    if (b->failed) {
        fu__buf_free(b);
        return fu__error_nomem();
    }
    if (!b->data && fu__buf_append(b, "", 0)) return fu__error_nomem();
    if (!b->data) {
        /* an empty buffer: hand out an empty string */
        char *e = fu__malloc(1);
        if (!e) return fu__error_nomem();
        e[0] = '\0';
        if (len) *len = 0;
        *out = e;
        return FU_OK;
    }
    if (len) *len = b->len;
    *out = fu__buf_detach(b);
    return FU_OK;
}

static int out_check(const fu_kpi *k, size_t *len, char **out, const char *fn) {
    if (!k || !out) return fu__error_set(FU_EINVAL, "%s: NULL argument", fn);
    *out = NULL;
    if (len) *len = 0;
    if (!k->has_result) return fu__error_set(FU_ESTATE, "%s: nothing computed yet (call fu_kpi_compute)", fn);
    return FU_OK;
}

int fu_kpi_write_csv_to_string(const fu_kpi *k, size_t *len, char **out) {
    int rc = out_check(k, len, out, "fu_kpi_write_csv_to_string");
    if (rc) return rc;
    fu__buf b = FU__BUF_INIT;
    fu__buf_puts(&b, "kpi,group,period,value,ci_low,ci_high,n,target,status,rule\n");
    for (size_t i = 0; i < k->n_fig && !b.failed; i++) {
        const fu_kpi_figure *f = &k->fig[i];
        put_csv_text(&b, k, f->name);
        fu__buf_puts(&b, ",");
        put_csv_text(&b, k, f->group);
        fu__buf_puts(&b, ",");
        put_csv_text(&b, k, f->period);
        fu__buf_puts(&b, ",");
        put_num(&b, f->value);
        fu__buf_puts(&b, ",");
        put_num(&b, f->ci_low);
        fu__buf_puts(&b, ",");
        put_num(&b, f->ci_high);
        fu__buf_printf(&b, ",%.0f,", f->n);
        put_num(&b, f->target);
        /* no status (no target or no value): an empty cell, like the target */
        fu__buf_printf(&b, ",%s,", f->status == FU_KPI_STATUS_NONE ? "" : fu_kpi_status_name(f->status));
        put_csv_text(&b, k, f->rule);
        fu__buf_puts(&b, "\n");
    }
    return finish(&b, len, out);
}

static void put_json_str(fu__buf *b, const char *s) {
    fu__buf_puts(b, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') fu__buf_printf(b, "\\%c", *p);
        else if (*p < 0x20) fu__buf_printf(b, "\\u%04x", *p);
        else fu__buf_append(b, (const char *)p, 1);
    }
    fu__buf_puts(b, "\"");
}

static void put_json_num(fu__buf *b, double v) {
    if (isnan(v) || isinf(v)) fu__buf_puts(b, "null");
    else fu__buf_printf(b, "%.10g", v);
}

static void put_time(fu__buf *b, const fu_kpi *k, int64_t t) {
    char tb[FU_TIME_TEXT_SIZE];
    int off = 0;
    fu_calendar_utc_offset(k->cal, t, &off);
    if (fu_time_format(t, off, 0, tb, sizeof tb) == FU_OK) fu__buf_puts(b, tb);
    else fu__buf_printf(b, "%lld", (long long)t);
}

static void put_by(fu__buf *b, unsigned by) {
    if (!by) {
        fu__buf_puts(b, "none");
        return;
    }
    const char *sep = "";
    for (int i = 0; i < 5; i++)
        if (by & (1u << i)) {
            fu__buf_printf(b, "%s%s", sep, by_names[i]);
            sep = ",";
        }
}

int fu_kpi_write_json_to_string(const fu_kpi *k, size_t *len, char **out) {
    int rc = out_check(k, len, out, "fu_kpi_write_json_to_string");
    if (rc) return rc;
    fu__buf b = FU__BUF_INIT;
    fu__buf_puts(&b, "{\"policy\": ");
    put_json_str(&b, fu_policy_name(k->policy));
    fu__buf_printf(&b, ", \"period\": \"%s\", \"by\": \"", period_names[k->o.period]);
    put_by(&b, k->o.by);
    fu__buf_puts(&b, "\", \"as_of\": ");
    if (k->as_of == INT64_MIN) fu__buf_puts(&b, "null");
    else {
        fu__buf_puts(&b, "\"");
        put_time(&b, k, k->as_of);
        fu__buf_puts(&b, "\"");
    }
    fu__buf_puts(&b, ", \"figures\": [");
    for (size_t i = 0; i < k->n_fig && !b.failed; i++) {
        const fu_kpi_figure *f = &k->fig[i];
        fu__buf_puts(&b, i ? ",\n  {" : "\n  {");
        fu__buf_printf(&b, "\"kpi\": \"%s\", \"group\": ", f->name);
        put_json_str(&b, f->group);
        fu__buf_printf(&b, ", \"period\": \"%s\", \"period_start\": \"", f->period);
        put_time(&b, k, f->period_start);
        fu__buf_puts(&b, "\", \"period_end\": \"");
        put_time(&b, k, f->period_end);
        fu__buf_puts(&b, "\", \"value\": ");
        put_json_num(&b, f->value);
        fu__buf_puts(&b, ", \"ci_low\": ");
        put_json_num(&b, f->ci_low);
        fu__buf_puts(&b, ", \"ci_high\": ");
        put_json_num(&b, f->ci_high);
        fu__buf_puts(&b, ", \"n\": ");
        put_json_num(&b, f->n);
        fu__buf_puts(&b, ", \"successes\": ");
        put_json_num(&b, f->successes);
        fu__buf_puts(&b, ", \"target\": ");
        put_json_num(&b, f->target);
        fu__buf_printf(&b, ", \"status\": \"%s\", \"rule\": ", fu_kpi_status_name(f->status));
        put_json_str(&b, f->rule);
        fu__buf_puts(&b, "}");
    }
    fu__buf_puts(&b, k->n_fig ? "\n]}\n" : "]}\n");
    return finish(&b, len, out);
}

/* A value as the dashboard shows it. */
static void fmt_value(char *buf, size_t size, fu_kpi_id id, double v) {
    if (isnan(v)) {
        snprintf(buf, size, "-");
        return;
    }
    switch (kpi_vtype[id]) {
    case VT_PROP:
    case VT_BUDGET: snprintf(buf, size, "%.1f%%", 100 * v); break;
    case VT_UPLIFT:
        if (id == FU_KPI_REPURCHASE_UPLIFT) snprintf(buf, size, "%+.1fpp", 100 * v);
        else if (id == FU_KPI_VALUE_UPLIFT) snprintf(buf, size, "%+.1f%%", 100 * v);
        else snprintf(buf, size, "%.2f", v);
        break;
    case VT_QUANT: snprintf(buf, size, "%.1fh", v); break;
    case VT_NPS: snprintf(buf, size, "%.1f", v); break;
    default: snprintf(buf, size, "%.2f", v); break;
    }
}

int fu_kpi_write_dashboard_to_string(const fu_kpi *k, size_t *len, char **out) {
    int rc = out_check(k, len, out, "fu_kpi_write_dashboard_to_string");
    if (rc) return rc;
    static const char *const mark[] = {"[ ]", "[G]", "[Y]", "[R]"};
    fu__buf b = FU__BUF_INIT;
    fu__buf_printf(&b, "KPI dashboard: policy %s, %s periods (%s), by ", fu_policy_name(k->policy),
                   period_names[k->o.period], fu_calendar_tzid(k->cal));
    put_by(&b, k->o.by);
    if (k->as_of != INT64_MIN) {
        fu__buf_puts(&b, ", as of ");
        put_time(&b, k, k->as_of);
    }
    fu__buf_printf(&b, "\nintervals: %.0f%% (Wilson for rates, t for means)\n", 100 * k->pol->kpis.confidence);
    if (!k->n_fig) fu__buf_puts(&b, "\n(no figures: no data in the range)\n");
    size_t gw = 5;
    for (size_t i = 0; i < k->n_fig; i++)
        if (strlen(k->fig[i].group) > gw) gw = strlen(k->fig[i].group);
    if (gw > 40) gw = 40;
    for (size_t i = 0; i < k->n_fig && !b.failed; i++) {
        const fu_kpi_figure *f = &k->fig[i];
        if (i == 0 || f->period_index != k->fig[i - 1].period_index) {
            fu__buf_printf(&b, "\n== %s (", f->period);
            put_time(&b, k, f->period_start);
            fu__buf_puts(&b, " .. ");
            put_time(&b, k, f->period_end);
            fu__buf_printf(&b, ") ==\n  %-26s %-*s %9s  %-21s %8s %9s  %s\n", "kpi", (int)gw, "group", "value",
                           "95% interval", "n", "target", "status");
        }
        char v[32], lo[32], hi[32], tg[32], ci[80];
        fmt_value(v, sizeof v, f->kpi, f->value);
        fmt_value(lo, sizeof lo, f->kpi, f->ci_low);
        fmt_value(hi, sizeof hi, f->kpi, f->ci_high);
        fmt_value(tg, sizeof tg, f->kpi, f->target);
        if (isnan(f->ci_low)) snprintf(ci, sizeof ci, "-");
        else snprintf(ci, sizeof ci, "[%s, %s]", lo, hi);
        fu__buf_printf(&b, "  %-26s %-*s %9s  %-21s %8.0f %9s  %s %s%s%s\n", f->name, (int)gw, f->group, v, ci, f->n,
                       isnan(f->target) ? "" : tg, mark[f->status], fu_kpi_status_name(f->status),
                       *f->rule ? "  " : "", f->rule);
    }
    if (k->n_sc) {
        const fu__pol_scorecard *w = &k->pol->scorecard;
        fu__buf_printf(&b,
                       "\n== agent scorecards (weights: satisfaction %.0f%%, resolution %.0f%%, feedback "
                       "conversion %.0f%%, efficiency %.0f%%) ==\n",
                       100 * w->satisfaction, 100 * w->resolution, 100 * w->feedback_conversion, 100 * w->efficiency);
        fu__buf_printf(&b, "  %-10s %-*s %12s %10s %9s %10s %6s  %s\n", "period", (int)gw, "group", "satisfaction",
                       "resolution", "feedback", "efficiency", "score", "95% interval");
        for (size_t i = 0; i < k->n_sc && !b.failed; i++) {
            const fu_kpi_scorecard *s = &k->sc[i];
            char c1[16], c2[16], c3[16], c4[16];
            snprintf(c1, sizeof c1, isnan(s->satisfaction) ? "-" : "%.2f", s->satisfaction);
            snprintf(c2, sizeof c2, isnan(s->resolution) ? "-" : "%.2f", s->resolution);
            snprintf(c3, sizeof c3, isnan(s->feedback_conversion) ? "-" : "%.2f", s->feedback_conversion);
            snprintf(c4, sizeof c4, isnan(s->efficiency) ? "-" : "%.2f", s->efficiency);
            fu__buf_printf(&b, "  %-10s %-*s %12s %10s %9s %10s %6.2f  [%.2f, %.2f]\n", s->period, (int)gw, s->group, c1,
                           c2, c3, c4, s->score, s->ci_low, s->ci_high);
        }
    }
    int costs = 0;
    for (int ch = 0; ch < FU_CHANNEL_COUNT; ch++) costs |= k->o.contact_cost[ch] > 0;
    if (!costs || k->o.budget <= 0 || k->o.by)
        fu__buf_printf(&b, "\nbudget_overrun: no data (%s)\n",
                       k->o.by ? "computed without grouping only"
                               : "needs contact costs and a budget per period: --cost CH=AMOUNT --budget AMOUNT");
    if (!costs) fu__buf_puts(&b, "roi, roi_incremental: no data (needs contact costs: --cost CH=AMOUNT)\n");
    return finish(&b, len, out);
}
