/* fu_kpi: KPIs per period and group with intervals, RAG status and scorecards.
 *
 * This file: names and parsing of the enums, RAG, the table of labels the
 * book does not hold, creating and freeing an engine, and reading the
 * figures back. The data (a fu_book, borrowed or owned) and the add_*
 * functions are in kpi_store.c, the computation in kpi_pass.c and
 * kpi_figures.c, the writers in kpi_write.c (kpi_internal.h lists the
 * files).
 *
 * The definitions implemented here are written out in docs/kpi.md; keep the
 * two in step. */
#include "kpi_internal.h"
#include "book_internal.h"
#include "errtext.h"
#include "followup/redact.h"

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
    if (!text || !out) return fu__error_set(FU_EINVAL, "fu_kpi_from_string: %s is NULL", !text ? "text" : "out");
    for (int i = 0; i < FU_KPI_COUNT; i++)
        if (strlen(fu__kpi_names[i]) == len && memcmp(fu__kpi_names[i], text, len) == 0) {
            *out = (fu_kpi_id)i;
            return FU_OK;
        }
    char q[FU_ERRTEXT_CELL_CAP]; /* the text as echoed (review s9 F2) */
    return fu__error_set(FU_ENOTFOUND, "unknown KPI '%s'", fu__errtext_cell(q, sizeof q, text, len));
}

static const char *const status_names[] = {"none", "green", "yellow", "red"};
const char *fu_kpi_status_name(fu_kpi_status s) { return s >= 0 && s <= 3 ? status_names[s] : NULL; }

const char *const fu__kpi_period_names[3] = {"day", "week", "month"};
const char *fu_kpi_period_name(fu_kpi_period p) { return p >= 0 && p <= 2 ? fu__kpi_period_names[p] : NULL; }

int fu_kpi_period_from_string(const char *text, size_t len, fu_kpi_period *out) {
    if (!text || !out) return fu__error_set(FU_EINVAL, "fu_kpi_period_from_string: %s is NULL", !text ? "text" : "out");
    for (int i = 0; i < 3; i++)
        if (fu__book_ascii_ieq(text, len, fu__kpi_period_names[i])) { /* any case, as channel names */
            *out = (fu_kpi_period)i;
            return FU_OK;
        }
    char q[FU_ERRTEXT_CELL_CAP];
    return fu__error_set(FU_EPARSE, "unknown period '%s' (day, week, month)", fu__errtext_cell(q, sizeof q, text, len));
}

const char *const fu__kpi_by_names[5] = {"tier", "segment", "agent", "channel", "product_class"};

int fu_kpi_by_from_string(const char *text, size_t len, unsigned int *out) {
    if (!text || !out) return fu__error_set(FU_EINVAL, "fu_kpi_by_from_string: %s is NULL", !text ? "text" : "out");
    if (fu__book_ascii_ieq(text, len, "none")) {
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
            if (fu__book_ascii_ieq(text + a, b - a, fu__kpi_by_names[k])) break; /* any case, as channel names */
        if (k == 5) {
            char q[FU_ERRTEXT_CELL_CAP];
            return fu__error_set(FU_EPARSE, "unknown grouping '%s' (none, tier, segment, agent, channel, product_class)",
                                 fu__errtext_cell(q, sizeof q, text + a, b - a));
        }
        if (by & (1u << k))
            return fu__error_set(FU_EPARSE, "grouping '%s' given twice (each dimension once)", fu__kpi_by_names[k]);
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

/* Labels (kpi_internal.h, kstr): id 0 is "absent"; ids are dense from 1. */

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

int fu__kpi_intern_agent(fu_kpi *k, const char *s, uint32_t *out) {
    return fu__kpi_intern(k, s, s ? strlen(s) : 0, out); /* raw: masked when labelled (review r3 M1) */
}

/* ---- agent labels as shown to people ---- */

/* An agent's text masked with the built-in redactor (a copy when it cannot
 * hold personal data). */
static int mask_agent(fu_kpi *k, const char *s, char **out) {
    *out = NULL;
    if (!fu__text_may_hold_personal_data(s)) {
        *out = fu__strndup(s, strlen(s));
        return *out ? FU_OK : fu__error_nomem();
    }
    int rc = k->red ? FU_OK : fu_redactor_new(&k->red, NULL);
    size_t n = 0;
    if (rc == FU_OK) rc = fu_redactor_apply(k->red, s, strlen(s), &n, out);
    if (rc == FU_OK) {
        char *copy = fu__strndup(*out, n); /* fu_free()'d text to the library's allocator */
        fu_free(*out);
        *out = copy;
        if (!copy) rc = fu__error_nomem();
    }
    return rc;
}

typedef struct alab {
    const char *raw;
    char *masked;
    size_t i;
} alab;

static int alab_cmp(const void *a, const void *b) {
    const alab *x = a, *y = b;
    int c = strcmp(x->masked, y->masked);
    return c ? c : strcmp(x->raw, y->raw);
}

/* Whether some agent's masked text is s (v sorted by masked text). */
static int masked_taken(const alab *v, size_t n, const char *s) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(v[mid].masked, s);
        if (c == 0) return 1;
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return 0;
}

/* The labels of a run of agents whose texts mask alike: "<masked> #1",
 * "#2", ... in the byte order of their raw texts, skipping a label that is
 * some agent's masked text. */
static int label_run(const alab *v, size_t n, size_t a, size_t b, char **out) {
    unsigned ord = 1;
    for (size_t j = a; j < b; j++) {
        for (;;) {
            fu__buf t = FU__BUF_INIT;
            fu__buf_printf(&t, "%s #%u", v[j].masked, ord++);
            if (t.failed) {
                fu__buf_free(&t);
                return fu__error_nomem();
            }
            char *s = fu__buf_detach(&t);
            if (!masked_taken(v, n, s)) {
                out[v[j].i] = s;
                break;
            }
            fu__free(s);
        }
    }
    return FU_OK;
}

int fu__kpi_agent_labels(fu_kpi *k, const uint32_t *ids, size_t n, char **out) {
    alab *v = n ? fu__calloc(n, sizeof *v) : NULL;
    int rc = n && !v ? fu__error_nomem() : FU_OK;
    for (size_t i = 0; i < n; i++) out[i] = NULL;
    for (size_t i = 0; i < n && !rc; i++) {
        v[i].raw = kstr_get(&k->str, ids[i]);
        v[i].i = i;
        rc = mask_agent(k, v[i].raw ? v[i].raw : "", &v[i].masked);
    }
    if (!rc && n) qsort(v, n, sizeof *v, alab_cmp);
    for (size_t a = 0, b; a < n && !rc; a = b) {
        for (b = a + 1; b < n && strcmp(v[b].masked, v[a].masked) == 0;) b++;
        if (b - a > 1) {
            rc = label_run(v, n, a, b, out);
            continue;
        }
        out[v[a].i] = fu__strndup(v[a].masked, strlen(v[a].masked));
        if (!out[v[a].i]) rc = fu__error_nomem();
    }
    for (size_t i = 0; i < n && v; i++) fu__free(v[i].masked);
    fu__free(v);
    if (rc)
        for (size_t i = 0; i < n; i++) {
            fu__free(out[i]);
            out[i] = NULL;
        }
    return rc;
}

FU_DEFINE_INIT(fu_kpi_options_init, fu_kpi_options, FU_KPI_OPTIONS_INIT)

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

const fu_book *fu_kpi_book(const fu_kpi *k) { return k ? k->bk : NULL; }

void fu_kpi_free(fu_kpi *k) {
    if (!k) return;
    fu__kpi_clear_result(k);
    kstr_free(&k->str);
    fu_redactor_free(k->red);
    fu__kpi_store_free(k);
    fu__free(k->due);
    fu__free(k->com);
    fu__kpi_partials_free(k);
    fu__free(k);
}

int fu_kpi_new(fu_kpi **out, const fu_policy *policy, const fu_kpi_options *opts) {
    if (!out || !policy) return fu__error_set(FU_EINVAL, "fu_kpi_new: %s is NULL", !out ? "out" : "policy");
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
    if (o.flags & ~(FU_KPI_NO_DERIVED_DUE | FU_KPI_CSV_RAW | FU_KPI_COPY_BOOKS)) return fu__error_set(FU_EINVAL, "fu_kpi_options: unknown flags 0x%x", o.flags);
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

/* ===================================================================== */
/* 4. compute                                                             */

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
    if (!k || !rows || !count)
        return fu__error_set(FU_EINVAL, "fu_kpi_scorecards: %s is NULL", !k ? "kpi" : !rows ? "rows" : "count");
    if (!(k->o.by & FU_KPI_BY_AGENT)) return fu__error_set(FU_ESTATE, "scorecards need the grouping by agent");
    if (!k->has_result) return fu__error_set(FU_ESTATE, "nothing computed yet (call fu_kpi_compute)");
    *rows = k->sc;
    *count = k->n_sc;
    return FU_OK;
}

