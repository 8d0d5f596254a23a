/* fu_segment: purchase summaries, RFM scores and rule-based segments. The
 * numerical models live in segment_models.c. */
#include "segment_internal.h"
#include "book_decode.h"

#include "followup/book.h"
#include "followup/calendar.h"
#include "policy_segments.h"
#include "errtext.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ================================================================ summaries */

FU_DEFINE_INIT(fu_segment_summary_options_init, fu_segment_summary_options, FU_SEGMENT_SUMMARY_OPTIONS_INIT)

FU_DEFINE_INIT(fu_segment_rfm_options_init, fu_segment_rfm_options, FU_SEGMENT_RFM_OPTIONS_INIT)

FU_DEFINE_INIT(fu_segment_book_options_init, fu_segment_book_options, FU_SEGMENT_BOOK_OPTIONS_INIT)

void fu_segment_summary_free(fu_segment_summary *s) {
    if (!s) return;
    FU_FREE_ALL(s->x, s->t_x, s->T, s->zbar, s->total, s->first_at, s);
}

typedef struct seg_event {
    size_t c;
    int64_t key; /* day number, or the second itself when merging is off */
    double v;
} seg_event;

static int event_cmp(const void *pa, const void *pb) {
    const seg_event *a = pa, *b = pb;
    if (a->c != b->c) return a->c < b->c ? -1 : 1;
    if (a->key != b->key) return a->key < b->key ? -1 : 1;
    return 0;
}

static int64_t floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
    return q;
}

#define SEG_TIME_LIMIT (INT64_C(1) << 60)

static fu_segment_summary *summary_new(size_t n) {
    fu_segment_summary *s = fu__calloc(1, sizeof *s);
    if (!s) return NULL;
    size_t k = n ? n : 1;
    s->n = n;
    s->x = fu__calloc(k, sizeof(double));
    s->t_x = s->x ? fu__calloc(k, sizeof(double)) : NULL;
    s->T = s->t_x ? fu__calloc(k, sizeof(double)) : NULL;
    s->zbar = s->T ? fu__calloc(k, sizeof(double)) : NULL;
    s->total = s->zbar ? fu__calloc(k, sizeof(double)) : NULL;
    s->first_at = s->total ? fu__calloc(k, sizeof(int64_t)) : NULL;
    if (!s->first_at) {
        fu_segment_summary_free(s);
        return NULL;
    }
    return s;
}

int fu_segment_summarize(const size_t *customer, const int64_t *at, const double *value, size_t n_events,
                         size_t n_customers, int64_t calibration_end, double unit_seconds,
                         const fu_segment_summary_options *opts, fu_segment_summary **out) {
    if (!out) return fu__error_set(FU_EINVAL, "out is NULL");
    *out = NULL;
    fu_segment_summary_options o = FU_SEGMENT_SUMMARY_OPTIONS_INIT;
    int rc = FU_OPTIONS_COPY(&o, opts, FU_SEGMENT_SUMMARY_OPTIONS_VERSION, "summary options");
    if (rc) return rc;
    if (o.day_seconds < 0) return fu__error_set(FU_EINVAL, "day_seconds = %lld, must be >= 0", (long long)o.day_seconds);
    if (o.day_offset <= -SEG_TIME_LIMIT || o.day_offset >= SEG_TIME_LIMIT)
        return fu__error_set(FU_EINVAL, "day_offset is out of range");
    if (!(isfinite(unit_seconds) && unit_seconds > 0))
        return fu__error_set(FU_EINVAL, "unit_seconds = %g, must be > 0", unit_seconds);
    if (calibration_end <= -SEG_TIME_LIMIT || calibration_end >= SEG_TIME_LIMIT)
        return fu__error_set(FU_EINVAL, "calibration_end is out of range");
    if (n_events > 0 && (!customer || !at)) return fu__error_set(FU_EINVAL, "customer or at is NULL");

    const int merge = o.day_seconds > 0;
    size_t m = 0;
    for (size_t i = 0; i < n_events; i++) {
        if (customer[i] >= n_customers)
            return fu__error_set(FU_EINVAL, "event %zu: customer index %zu is not below n_customers = %zu", i,
                                 customer[i], n_customers);
        if (at[i] <= -SEG_TIME_LIMIT || at[i] >= SEG_TIME_LIMIT)
            return fu__error_set(FU_EINVAL, "event %zu: time %lld is out of range", i, (long long)at[i]);
        if (value && !(isfinite(value[i]) && value[i] >= 0))
            return fu__error_set(FU_EINVAL, "event %zu: value %g must be finite and >= 0", i, value[i]);
        m++;
    }
    seg_event *ev = fu__malloc(m ? m * sizeof *ev : 1);
    if (!ev) return fu__error_nomem();
    fu_segment_summary *s = summary_new(n_customers);
    if (!s) {
        fu__free(ev);
        return fu__error_nomem();
    }
    size_t k = 0;
    for (size_t i = 0; i < n_events; i++) {
        int64_t key = merge ? floor_div(at[i] + o.day_offset, o.day_seconds) : at[i];
        int64_t start = merge ? key * o.day_seconds - o.day_offset : at[i];
        if (start > calibration_end) continue;
        ev[k].c = customer[i];
        ev[k].key = key;
        ev[k].v = value ? value[i] : 0.0;
        k++;
    }
    qsort(ev, k, sizeof *ev, event_cmp);
    for (size_t c = 0; c < n_customers; c++) s->first_at[c] = FU_SEGMENT_NO_PURCHASE;
    size_t i = 0;
    while (i < k) {
        size_t c = ev[i].c;
        int64_t first = ev[i].key, last = first;
        double days = 0, repeat_sum = 0, total = 0;
        while (i < k && ev[i].c == c) {
            int64_t key = ev[i].key;
            double day_value = 0;
            while (i < k && ev[i].c == c && ev[i].key == key) {
                day_value += ev[i].v;
                i++;
            }
            if (days > 0) repeat_sum += day_value;
            total += day_value;
            days += 1;
            last = key;
        }
        int64_t first_at = merge ? first * o.day_seconds - o.day_offset : first;
        int64_t last_at = merge ? last * o.day_seconds - o.day_offset : last;
        s->x[c] = days - 1;
        s->t_x[c] = (double)(last_at - first_at) / unit_seconds;
        s->T[c] = (double)(calibration_end - first_at) / unit_seconds;
        s->zbar[c] = days > 1 ? repeat_sum / (days - 1) : 0.0;
        s->total[c] = total;
        s->first_at[c] = first_at;
    }
    fu__free(ev);
    *out = s;
    return FU_OK;
}

/* ================================================================ RFM */

static const fu_segment_rfm_rule rfm_defaults[] = {
    {"champions", "segments.rfm.champions", 4, 5, 4, 5, 4, 5},
    {"cant_lose", "segments.rfm.cant_lose", 1, 2, 4, 5, 4, 5},
    {"loyal", "segments.rfm.loyal", 3, 5, 3, 5, 1, 5},
    {"at_risk", "segments.rfm.at_risk", 1, 2, 3, 5, 1, 5},
    {"new", "segments.rfm.new", 5, 5, 1, 1, 1, 5},
    {"promising", "segments.rfm.promising", 4, 4, 1, 1, 1, 5},
    {"potential_loyalist", "segments.rfm.potential_loyalist", 4, 5, 2, 2, 1, 5},
    {"about_to_sleep", "segments.rfm.about_to_sleep", 3, 3, 1, 1, 1, 5},
    {"need_attention", "segments.rfm.need_attention", 3, 3, 2, 2, 1, 5},
    {"hibernating", "segments.rfm.hibernating", 1, 2, 1, 2, 1, 5},
};

const fu_segment_rfm_rule *fu_segment_rfm_default_rules(size_t *n) {
    if (n) *n = sizeof rfm_defaults / sizeof rfm_defaults[0];
    return rfm_defaults;
}

typedef struct seg_ranked {
    double v;
    size_t i;
} seg_ranked;

static int ranked_cmp(const void *pa, const void *pb) {
    const seg_ranked *a = pa, *b = pb;
    if (a->v != b->v) return a->v < b->v ? -1 : 1;
    return a->i < b->i ? -1 : (a->i > b->i);
}

/* score = 1 + floor(bins L / n), L = customers strictly worse; `larger_is_better`
 * says which way "worse" points. */
static void rfm_column(const double *col, size_t n, unsigned bins, int larger_is_better, seg_ranked *tmp,
                       fu_segment_rfm *out, int which) {
    for (size_t i = 0; i < n; i++) {
        tmp[i].v = col[i];
        tmp[i].i = i;
    }
    qsort(tmp, n, sizeof *tmp, ranked_cmp);
    size_t g = 0;
    while (g < n) {
        size_t e = g;
        while (e < n && tmp[e].v == tmp[g].v) e++;
        size_t worse = larger_is_better ? g : n - e;
        unsigned char sc = (unsigned char)(1 + (bins * (unsigned long long)worse) / n);
        for (size_t k = g; k < e; k++) {
            fu_segment_rfm *o = &out[tmp[k].i];
            if (which == 0) o->r = sc;
            else if (which == 1) o->f = sc;
            else o->m = sc;
        }
        g = e;
    }
}

int fu_segment_rfm_score(const double *recency, const double *frequency, const double *monetary, size_t n,
                         const fu_segment_rfm_options *opts, fu_segment_rfm *out) {
    if (n == 0) return FU_OK;
    if (!recency || !frequency || !monetary || !out) return fu__error_set(FU_EINVAL, "an array is NULL");
    const fu_segment_rfm_rule *rules = rfm_defaults;
    size_t nr = sizeof rfm_defaults / sizeof rfm_defaults[0];
    unsigned bins = 5;
    if (opts) {
        if (opts->version != 1 && opts->version != FU_SEGMENT_RFM_OPTIONS_VERSION)
            return fu__error_set(FU_EINVAL, "RFM options version %u, expected 1 or %u", opts->version,
                                 FU_SEGMENT_RFM_OPTIONS_VERSION);
        if (opts->rules) {
            rules = opts->rules;
            nr = opts->n_rules;
        }
        if (opts->version >= 2) bins = opts->bins;
    }
    if (bins < 2 || bins > 10) return fu__error_set(FU_EINVAL, "RFM bins = %u, must be in 2..10", bins);
    for (size_t k = 0; k < nr; k++) {
        const fu_segment_rfm_rule *R = &rules[k];
        if (!R->group || !R->rule)
            return fu__error_set(FU_EINVAL, "RFM rule %zu: group and rule names are required", k);
        if (R->r_min < 1 || R->r_max > bins || R->r_min > R->r_max || R->f_min < 1 || R->f_max > bins ||
            R->f_min > R->f_max || R->m_min < 1 || R->m_max > bins || R->m_min > R->m_max)
            return fu__error_set(FU_EINVAL, "RFM rule %zu (%s): ranges must lie in 1..%u with min <= max", k, R->rule,
                                 bins);
    }
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(recency[i])) return fu__error_set(FU_EINVAL, "recency[%zu] is not finite", i);
        if (!isfinite(frequency[i])) return fu__error_set(FU_EINVAL, "frequency[%zu] is not finite", i);
        if (!isfinite(monetary[i])) return fu__error_set(FU_EINVAL, "monetary[%zu] is not finite", i);
    }
    seg_ranked *tmp = fu__calloc(n, sizeof *tmp);
    if (!tmp) return fu__error_nomem();
    rfm_column(recency, n, bins, 0, tmp, out, 0);
    rfm_column(frequency, n, bins, 1, tmp, out, 1);
    rfm_column(monetary, n, bins, 1, tmp, out, 2);
    fu__free(tmp);
    for (size_t i = 0; i < n; i++) {
        fu_segment_rfm *o = &out[i];
        o->code = bins <= 9 ? (unsigned short)(100 * o->r + 10 * o->f + o->m) : 0;
        o->group = "other";
        o->rule = "segments.rfm.other";
        for (size_t k = 0; k < nr; k++) {
            const fu_segment_rfm_rule *R = &rules[k];
            if (o->r >= R->r_min && o->r <= R->r_max && o->f >= R->f_min && o->f <= R->f_max && o->m >= R->m_min &&
                o->m <= R->m_max) {
                o->group = R->group;
                o->rule = R->rule;
                break;
            }
        }
    }
    return FU_OK;
}

/* ================================================================ rules */

static const char *const tier_names[] = {
    [FU_TIER_ORDINARY] = "ordinary", [FU_TIER_KEY] = "key", [FU_TIER_VIP] = "vip"};
static const char *const product_class_names[] = {[FU_PRODUCT_UNKNOWN] = "unknown",
                                                  [FU_PRODUCT_FAST_MOVING] = "fast_moving",
                                                  [FU_PRODUCT_MID] = "mid", [FU_PRODUCT_DURABLE] = "durable"};

const char *fu_segment_tier_name(fu_segment_tier tier) {
    return (unsigned)tier < sizeof tier_names / sizeof tier_names[0] ? tier_names[tier] : "?";
}

const char *fu_segment_product_class_name(fu_segment_product_class c) {
    return (unsigned)c < sizeof product_class_names / sizeof product_class_names[0] ? product_class_names[c] : "?";
}

/* The policy's names of the stages: fu__pol_lifecycle has the order of fu_segment_lifecycle. */
_Static_assert(FU__LC_NEW == (int)FU_LIFECYCLE_NEW && FU__LC_CHURNED == (int)FU_LIFECYCLE_CHURNED &&
                   FU__LC_COUNT == (int)FU_LIFECYCLE_CHURNED + 1,
               "lifecycle stages in one order");

const char *fu_segment_lifecycle_name(fu_segment_lifecycle stage) {
    const char *name = fu__pol_lifecycle_name((int)stage);
    return name ? name : "?";
}

FU_DEFINE_INIT(fu_segment_rules_init, fu_segment_rules, FU_SEGMENT_RULES_INIT)

/* Like FU_DEFINE_INIT, with the unknowns (NaN) a public INIT macro could not
 * hold without <math.h>. */
void fu_segment_customer_init(fu_segment_customer *c) {
    static const fu_segment_customer unknown = {
        .annual_spend = NAN, .unit_price = NAN, .first_purchase_at = FU_SEGMENT_NO_PURCHASE,
        .last_purchase_at = FU_SEGMENT_NO_PURCHASE, .p_alive = -1, .spend_last_year = NAN,
        .spend_previous_year = NAN, .clv = NAN, .is_smb = -1};
    if (c) *c = unknown;
}

/* Version-1 rules end at deep_care_tier: copy that prefix over the defaults. */
static int load_rules(const fu_segment_rules *in, fu_segment_rules *R) {
    fu_segment_rules d = FU_SEGMENT_RULES_INIT;
    *R = d;
    if (!in) return FU_OK;
    if (in->version == 1) memcpy(R, in, offsetof(fu_segment_rules, flags));
    else if (in->version == FU_SEGMENT_RULES_VERSION) *R = *in;
    else
        return fu__error_set(FU_EINVAL, "segment rules version %u, expected 1 or %u", in->version,
                             FU_SEGMENT_RULES_VERSION);
    R->version = FU_SEGMENT_RULES_VERSION;
    return FU_OK;
}

static int check_bands(const fu_segment_band *b, size_t n, const char *what) {
    if (n > 32) return fu__error_set(FU_EINVAL, "segment rules: at most 32 %s", what);
    for (size_t i = 0; i < n; i++) {
        if (!b[i].name || !b[i].rule)
            return fu__error_set(FU_EINVAL, "segment rules: %s %zu needs a name and a rule", what, i);
        if (!isfinite(b[i].min) || (i > 0 && b[i].min > b[i - 1].min))
            return fu__error_set(FU_EINVAL, "segment rules: %s must have finite bounds sorted from the highest", what);
    }
    return FU_OK;
}

static int check_rules(const fu_segment_rules *R) {
    if (!(isfinite(R->vip_above) && isfinite(R->key_from) && R->key_from <= R->vip_above))
        return fu__error_set(FU_EINVAL, "segment rules: tiers need key_from <= vip_above");
    if (!(isfinite(R->durable_above) && isfinite(R->mid_from) && R->mid_from <= R->durable_above))
        return fu__error_set(FU_EINVAL, "segment rules: product classes need mid_from <= durable_above");
    if (R->new_within < 0 || R->growing_within < 0 || R->declining_after < 0 || R->churned_after < R->declining_after ||
        R->deep_care_tenure < 0 || R->complaint_within < 0 || R->rfm_window < 0 || R->clv_horizon < 0)
        return fu__error_set(FU_EINVAL, "segment rules: durations must be >= 0 and churned_after >= declining_after");
    if (!(R->churned_p_alive >= 0 && R->churned_p_alive <= R->declining_p_alive && R->declining_p_alive <= 1))
        return fu__error_set(FU_EINVAL, "segment rules: need 0 <= churned_p_alive <= declining_p_alive <= 1");
    if (!(R->drop_ratio >= 0 && isfinite(R->drop_ratio)))
        return fu__error_set(FU_EINVAL, "segment rules: drop_ratio must be finite and >= 0");
    if (R->deep_care_tier < FU_TIER_ORDINARY || R->deep_care_tier > FU_TIER_VIP)
        return fu__error_set(FU_EINVAL, "segment rules: unknown deep_care_tier %d", (int)R->deep_care_tier);
    if (R->flags & ~(unsigned)FU_SEGMENT_RULES_POLICY)
        return fu__error_set(FU_EINVAL, "segment rules: unknown flags 0x%x", R->flags);
    if (!(R->spend_drop <= 1) || isnan(R->spend_drop))
        return fu__error_set(FU_EINVAL, "segment rules: spend_drop must be <= 1 (negative: off)");
    if (!(R->human_from_quantile <= 1) || isnan(R->human_from_quantile))
        return fu__error_set(FU_EINVAL, "segment rules: human_from_quantile must be <= 1 (negative: off)");
    if (R->rfm_bins < 2 || R->rfm_bins > 10) return fu__error_set(FU_EINVAL, "segment rules: rfm_bins must be in 2..10");
    if ((R->n_tiers && !R->tiers) || (R->n_classes && !R->classes) || (R->n_rfm_rules && !R->rfm_rules) ||
        (R->n_composite && !R->composite))
        return fu__error_set(FU_EINVAL, "segment rules: a table is NULL but its length is not 0");
    if ((R->tiers && R->n_tiers == 0) || (R->classes && R->n_classes == 0))
        return fu__error_set(FU_EINVAL, "segment rules: a tier or class table must have a band");
    int rc = check_bands(R->tiers, R->n_tiers, "value tiers");
    if (!rc) rc = check_bands(R->classes, R->n_classes, "product classes");
    if (rc) return rc;
    if (R->n_rfm_rules > 32) return fu__error_set(FU_EINVAL, "segment rules: at most 32 RFM groups");
    for (size_t k = 0; k < R->n_composite; k++)
        if (!R->composite[k].name || !R->composite[k].rule ||
            (R->composite[k].n_industries && !R->composite[k].industries))
            return fu__error_set(FU_EINVAL, "segment rules: composite segment %zu needs a name and a rule", k);
    return FU_OK;
}

/* ---------------------------------------------------------- from a policy */

/* The policy built these rules when it was loaded (policy_segments.c): the
 * caller gets its own copy of the struct; tables and names stay the policy's. */
int fu_segment_rules_new_from_policy(fu_segment_rules **out, const struct fu_policy *policy) {
    if (!out) return fu__error_set(FU_EINVAL, "out is NULL");
    *out = NULL;
    if (!policy) return fu__error_set(FU_EINVAL, "policy is NULL");
    fu_segment_rules *R = fu__malloc(sizeof *R);
    if (!R) return fu__error_nomem();
    *R = *fu__policy_segment_rules(policy);
    *out = R;
    return FU_OK;
}

void fu_segment_rules_free(fu_segment_rules *rules) { fu__free(rules); }

/* ---------------------------------------------------------- assignment */

/* Index of the first band that holds v; the last band for NaN / negative. */
static size_t band_index(const fu_segment_band *b, size_t n, double v) {
    if (v >= 0)
        for (size_t i = 0; i < n; i++)
            if (b[i].min_exclusive ? v > b[i].min : v >= b[i].min) return i;
    return n - 1;
}

static int rfm_group_index(const fu_segment_rules *R, const char *group) {
    if (!group) return -1;
    size_t n = R->n_rfm_rules;
    const fu_segment_rfm_rule *t = R->rfm_rules;
    if (!t) t = fu_segment_rfm_default_rules(&n);
    for (size_t i = 0; i < n && i < 32; i++)
        if (strcmp(t[i].group, group) == 0) return (int)i;
    return -1;
}

typedef struct seg_facts {
    int tier_index;  /* index into the tier table (implicit: 0 vip, 1 key, 2 ordinary) */
    int class_index; /* -1 unknown */
    int has;
    int64_t tenure;
} seg_facts;

static int composite_holds(const fu_segment_composite *k, const fu_segment_customer *c, const fu_segment_rules *R,
                           const fu_segment_assignment *o, const seg_facts *f) {
    if (k->event_only) return 0;
    if (k->tiers && !(k->tiers & (UINT32_C(1) << f->tier_index))) return 0;
    if (k->product_classes && (f->class_index < 0 || !(k->product_classes & (UINT32_C(1) << f->class_index))))
        return 0;
    if (k->lifecycles && !(k->lifecycles & (UINT32_C(1) << o->lifecycle))) return 0;
    if (k->rfm_groups) {
        int g = rfm_group_index(R, c->rfm_group);
        if (g < 0 || !(k->rfm_groups & (UINT32_C(1) << g))) return 0;
    }
    if (k->n_industries) {
        size_t i = 0;
        while (i < k->n_industries && !(c->industry && strcmp(c->industry, k->industries[i]) == 0)) i++;
        if (i == k->n_industries) return 0;
    }
    if (k->is_smb >= 0 && c->is_smb != k->is_smb) return 0;
    if (k->min_tenure > 0 && !(f->has && f->tenure >= k->min_tenure)) return 0;
    return 1;
}

/* Which of three ranks (0 low, 1 middle, 2 top) `v` falls in: by the
 * policy's bands (b, highest first; more than three bands share the top
 * rank) or, without bands, by the built-in thresholds (above `top_above`:
 * 2, from `mid_from`: 1). *index is the band's position, or 2 - rank. */
static size_t band_rank(const fu_segment_band *b, size_t n, double v, double top_above, double mid_from,
                        size_t *index) {
    size_t rank;
    if (b) {
        *index = band_index(b, n, v);
        rank = n - 1 - *index;
        return rank > 2 ? 2 : rank;
    }
    rank = v > top_above ? 2 : v >= mid_from ? 1 : 0;
    *index = 2 - rank;
    return rank;
}

static void assign_tier_and_class(const fu_segment_customer *c, const fu_segment_rules *R, fu_segment_assignment *o,
                                  seg_facts *f) {
    static const char *const tier_rules[3] = {"segments.tiers.ordinary", "segments.tiers.key", "segments.tiers.vip"};
    static const char *const class_rules[3] = {"segments.product_classes.fast_moving",
                                               "segments.product_classes.mid", "segments.product_classes.durable"};
    size_t i, rank = band_rank(R->tiers, R->n_tiers, c->annual_spend, R->vip_above, R->key_from, &i);
    o->tier = (fu_segment_tier)rank;
    o->tier_name = R->tiers ? R->tiers[i].name : fu_segment_tier_name(o->tier);
    o->tier_rule = R->tiers ? R->tiers[i].rule : tier_rules[rank];
    f->tier_index = (int)i;
    f->class_index = -1;
    if (!(c->unit_price >= 0)) {
        o->product_class = FU_PRODUCT_UNKNOWN;
        o->product_rule = "segments.product_classes.unknown";
        o->product_class_name = "unknown";
        return;
    }
    rank = band_rank(R->classes, R->n_classes, c->unit_price, R->durable_above, R->mid_from, &i);
    o->product_class = (fu_segment_product_class)(rank + 1);
    o->product_class_name = R->classes ? R->classes[i].name : fu_segment_product_class_name(o->product_class);
    o->product_rule = R->classes ? R->classes[i].rule : class_rules[rank];
    f->class_index = (int)i;
}

static void set_stage(fu_segment_assignment *o, fu_segment_lifecycle stage, const char *rule) {
    o->lifecycle = stage;
    o->lifecycle_rule = rule;
}

/* The policy's order: churned, declining, new, mature, growing. */
static void lifecycle_policy(const fu_segment_customer *c, const fu_segment_rules *R, const seg_facts *f,
                             int64_t idle, fu_segment_assignment *o) {
    int spend_drop = R->spend_drop >= 0 && c->spend_previous_year > 0 && c->spend_last_year >= 0 &&
                     c->spend_last_year <= (1 - R->spend_drop) * c->spend_previous_year;
    if (!f->has) set_stage(o, FU_LIFECYCLE_NEW, "segments.lifecycle.new_within");
    else if (idle >= R->churned_after) set_stage(o, FU_LIFECYCLE_CHURNED, "segments.lifecycle.churned_after");
    else if (idle >= R->declining_after)
        set_stage(o, FU_LIFECYCLE_DECLINING, "segments.lifecycle.declining.inactive_for");
    else if (spend_drop) set_stage(o, FU_LIFECYCLE_DECLINING, "segments.lifecycle.declining.spend_drop");
    else if (R->complaints_risk > 0 && c->recent_complaints >= R->complaints_risk)
        set_stage(o, FU_LIFECYCLE_DECLINING, "segments.lifecycle.declining.complaint_within");
    else if (f->tenure < R->new_within) set_stage(o, FU_LIFECYCLE_NEW, "segments.lifecycle.new_within");
    else if (f->tenure >= R->growing_within) set_stage(o, FU_LIFECYCLE_MATURE, "segments.lifecycle.mature_after");
    else set_stage(o, FU_LIFECYCLE_GROWING, "segments.lifecycle.mature_after");
}

/* The built-in order of docs/segmentation.md. */
static void lifecycle_builtin(const fu_segment_customer *c, const fu_segment_rules *R, const seg_facts *f,
                              int64_t idle, fu_segment_assignment *o) {
    int known_p = c->p_alive >= 0 && c->p_alive <= 1;
    int drop = c->purchases_previous_year > 0 &&
               (double)c->purchases_last_year < R->drop_ratio * (double)c->purchases_previous_year;
    if (!f->has) set_stage(o, FU_LIFECYCLE_NEW, "segments.lifecycle.new");
    else if (idle > R->churned_after) set_stage(o, FU_LIFECYCLE_CHURNED, "segments.lifecycle.churned");
    else if (known_p && c->p_alive < R->churned_p_alive)
        set_stage(o, FU_LIFECYCLE_CHURNED, "segments.lifecycle.churned_p_alive");
    else if (f->tenure <= R->new_within) set_stage(o, FU_LIFECYCLE_NEW, "segments.lifecycle.new");
    else if (idle > R->declining_after) set_stage(o, FU_LIFECYCLE_DECLINING, "segments.lifecycle.declining");
    else if (known_p && c->p_alive < R->declining_p_alive)
        set_stage(o, FU_LIFECYCLE_DECLINING, "segments.lifecycle.declining_p_alive");
    else if (drop) set_stage(o, FU_LIFECYCLE_DECLINING, "segments.lifecycle.declining_drop");
    else if (f->tenure < R->growing_within) set_stage(o, FU_LIFECYCLE_GROWING, "segments.lifecycle.growing");
    else set_stage(o, FU_LIFECYCLE_MATURE, "segments.lifecycle.mature");
}

/* The lifecycle stage and its rule; f->has and f->tenure. */
static void assign_stage(const fu_segment_customer *c, int64_t now, const fu_segment_rules *R, seg_facts *f,
                         fu_segment_assignment *o) {
    f->has = c->first_purchase_at != FU_SEGMENT_NO_PURCHASE;
    int64_t last = c->last_purchase_at != FU_SEGMENT_NO_PURCHASE ? c->last_purchase_at : c->first_purchase_at;
    f->tenure = f->has ? now - c->first_purchase_at : 0;
    int64_t idle = f->has ? now - last : 0;
    if (R->flags & FU_SEGMENT_RULES_POLICY) lifecycle_policy(c, R, f, idle, o);
    else lifecycle_builtin(c, R, f, idle, o);
}

static void assign_one(const fu_segment_customer *c, int64_t now, const fu_segment_rules *R, double clv_threshold,
                       fu_segment_assignment *o) {
    seg_facts f;
    assign_tier_and_class(c, R, o, &f);
    assign_stage(c, now, R, &f, o);
    int policy = (R->flags & FU_SEGMENT_RULES_POLICY) != 0;

    /* churn risk */
    o->churn_risk = 0;
    o->churn_rule = NULL;
    if (o->lifecycle == FU_LIFECYCLE_DECLINING) {
        o->churn_risk = 1;
        o->churn_rule = policy ? o->lifecycle_rule : "segments.churn_risk.declining";
    } else if (!policy && R->complaints_risk > 0 && c->recent_complaints >= R->complaints_risk &&
               o->lifecycle != FU_LIFECYCLE_CHURNED) {
        o->churn_risk = 1;
        o->churn_rule = "segments.churn_risk.complaints";
    }

    /* composite segment: first match wins */
    o->segment = NULL;
    o->segment_rule = NULL;
    o->human = 0;
    o->handling_rule = NULL;
    const fu_segment_composite *deep = NULL;
    for (size_t k = 0; k < R->n_composite; k++) {
        const fu_segment_composite *K = &R->composite[k];
        if (policy && !deep && strcmp(K->name, "deep_care") == 0) deep = K;
        if (!o->segment && composite_holds(K, c, R, o, &f)) {
            o->segment = K->name;
            o->segment_rule = K->rule;
            o->human = K->human;
            o->handling_rule = K->rule;
        }
    }
    if (!o->human && !isnan(clv_threshold) && c->clv >= clv_threshold) {
        o->human = 1;
        o->handling_rule = "segments.clv.human_from_quantile";
    }

    /* deep care: the policy's `deep_care` segment when it has one */
    o->deep_care = 0;
    o->deep_care_rule = NULL;
    if (deep) {
        if (composite_holds(deep, c, R, o, &f)) {
            o->deep_care = 1;
            o->deep_care_rule = deep->rule;
        }
    } else if (f.has && f.tenure >= R->deep_care_tenure && o->tier >= R->deep_care_tier &&
               o->lifecycle != FU_LIFECYCLE_CHURNED) {
        o->deep_care = 1;
        o->deep_care_rule = policy ? "segments.lifecycle.mature_after" : "segments.deep_care";
    }
}

/* A recorded first purchase, or FU_SEGMENT_NO_PURCHASE when it is absent or
 * a null placeholder: systems write 0001-01-01, 1900-01-01 or the epoch
 * (1970-01-01) for "unknown", so every time before 1970-01-02 00:00 UTC
 * counts as no purchase (review s8b F6). The one rule for the lifecycle of
 * the book summaries and for every tenure the planner reads (its lifecycle,
 * caps.limits.*.tenure_under, when.min_tenure, the anchor of `every`). */
int64_t fu__segment_known_purchase(int64_t t) {
    return t < 86400 ? FU_SEGMENT_NO_PURCHASE : t; /* FU_SEGMENT_NO_PURCHASE is INT64_MIN, below it too */
}

/* For the planner (lib/planner.c): the lifecycle stage and rule that
 * fu_segment_assign(c, 1, now, R, o) gives, without its tier, class, churn,
 * composite and deep-care fields, under rules of version
 * FU_SEGMENT_RULES_VERSION that fu_segment_assign() accepted (not checked
 * again). Only o->lifecycle and o->lifecycle_rule are set. */
int fu__segment_lifecycle(const fu_segment_customer *c, int64_t now, const fu_segment_rules *R,
                          fu_segment_assignment *o) {
    if (c->first_purchase_at != FU_SEGMENT_NO_PURCHASE && c->last_purchase_at != FU_SEGMENT_NO_PURCHASE &&
        c->last_purchase_at < c->first_purchase_at)
        return fu__error_set(FU_EINVAL, "customer 0: last purchase is before the first");
    if (c->first_purchase_at == FU_SEGMENT_NO_PURCHASE && c->last_purchase_at != FU_SEGMENT_NO_PURCHASE)
        return fu__error_set(FU_EINVAL, "customer 0: a last purchase without a first");
    if (c->first_purchase_at != FU_SEGMENT_NO_PURCHASE && c->first_purchase_at > now)
        return fu__error_set(FU_EINVAL, "customer 0: first purchase is after now");
    fu_segment_customer v1;
    if (!((R->flags & FU_SEGMENT_RULES_POLICY) || R->n_composite > 0 || R->human_from_quantile >= 0)) {
        fu_segment_customer_init(&v1); /* as fu_segment_assign(): the version-1 prefix */
        memcpy(&v1, c, offsetof(fu_segment_customer, spend_last_year));
        c = &v1;
    }
    seg_facts f = {0, -1, 0, 0};
    assign_stage(c, now, R, &f, o);
    return FU_OK;
}

static int dbl_cmp(const void *pa, const void *pb) {
    double a = *(const double *)pa, b = *(const double *)pb;
    return a < b ? -1 : a > b;
}

/* The CLV at the `q` quantile of the known CLVs: customers at or above it
 * are the top (1 - q) share. NaN when off or nobody has a CLV. */
static int clv_threshold(const fu_segment_customer *c, size_t n, double q, double *out) {
    *out = NAN;
    if (!(q >= 0)) return FU_OK;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) m += isfinite(c[i].clv);
    if (m == 0) return FU_OK;
    double *v = fu__malloc(m * sizeof *v);
    if (!v) return fu__error_nomem();
    m = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(c[i].clv)) v[m++] = c[i].clv;
    qsort(v, m, sizeof *v, dbl_cmp);
    double pos = ceil(q * (double)m - 1e-9);
    size_t k = pos <= 0 ? 0 : (size_t)pos;
    if (k > m - 1) k = m - 1;
    *out = v[k];
    fu__free(v);
    return FU_OK;
}

int fu_segment_assign(const fu_segment_customer *customers, size_t n, int64_t now, const fu_segment_rules *rules,
                      fu_segment_assignment *out) {
    fu_segment_rules R;
    int rc = load_rules(rules, &R);
    if (!rc && rules) rc = check_rules(&R);
    if (rc) return rc;
    if (n > 0 && (!customers || !out)) return fu__error_set(FU_EINVAL, "customers or out is NULL");
    for (size_t i = 0; i < n; i++) {
        const fu_segment_customer *c = &customers[i];
        if (c->first_purchase_at != FU_SEGMENT_NO_PURCHASE && c->last_purchase_at != FU_SEGMENT_NO_PURCHASE &&
            c->last_purchase_at < c->first_purchase_at)
            return fu__error_set(FU_EINVAL, "customer %zu: last purchase is before the first", i);
        if (c->first_purchase_at == FU_SEGMENT_NO_PURCHASE && c->last_purchase_at != FU_SEGMENT_NO_PURCHASE)
            return fu__error_set(FU_EINVAL, "customer %zu: a last purchase without a first", i);
        if (c->first_purchase_at != FU_SEGMENT_NO_PURCHASE && c->first_purchase_at > now)
            return fu__error_set(FU_EINVAL, "customer %zu: first purchase is after now", i);
    }
    /* the fields after p_alive are read only by policy-like rules */
    int extended = (R.flags & FU_SEGMENT_RULES_POLICY) || R.n_composite > 0 || R.human_from_quantile >= 0;
    double thr = NAN;
    if (extended && (rc = clv_threshold(customers, n, R.human_from_quantile, &thr))) return rc;
    for (size_t i = 0; i < n; i++) {
        if (extended) {
            assign_one(&customers[i], now, &R, thr, &out[i]);
        } else {
            /* copy the version-1 prefix so the extended fields read as unknown */
            fu_segment_customer c;
            fu_segment_customer_init(&c);
            memcpy(&c, &customers[i], offsetof(fu_segment_customer, spend_last_year));
            assign_one(&c, now, &R, thr, &out[i]);
        }
    }
    return FU_OK;
}

/* ================================================================ a whole book */

void fu_segment_book_summary_free(fu_segment_book_summary *b) {
    if (!b) return;
    fu_segment_summary_free(b->summary);
    FU_FREE_ALL(b->last_at, b->recency, b->frequency, b->monetary, b->rfm, b->customers, b);
}

static fu_segment_book_summary *book_summary_new(size_t n) {
    fu_segment_book_summary *b = fu__calloc(1, sizeof *b);
    if (!b) return NULL;
    size_t k = n ? n : 1;
    b->n = n;
    b->summary = summary_new(n);
    b->last_at = fu__calloc(k, sizeof *b->last_at);
    b->recency = fu__calloc(k, sizeof *b->recency);
    b->frequency = fu__calloc(k, sizeof *b->frequency);
    b->monetary = fu__calloc(k, sizeof *b->monetary);
    b->rfm = fu__calloc(k, sizeof *b->rfm);
    b->customers = fu__calloc(k, sizeof *b->customers);
    if (!b->summary || !b->last_at || !b->recency || !b->frequency || !b->monetary || !b->rfm || !b->customers) {
        fu_segment_book_summary_free(b);
        return NULL;
    }
    return b;
}

/* Calendars by interned zone pointer, for local day boundaries. */
typedef struct seg_zones {
    const char **tz;
    fu_calendar **cal;
    size_t n, cap;
} seg_zones;

static void zones_free(seg_zones *z) {
    for (size_t i = 0; i < z->n; i++) fu_calendar_free(z->cal[i]);
    fu__free(z->tz);
    fu__free(z->cal);
}

static int zone_get(seg_zones *z, const char *tz, const fu_calendar **out) {
    for (size_t i = z->n; i-- > 0;)
        if (z->tz[i] == tz) {
            *out = z->cal[i];
            return FU_OK;
        }
    if (z->n == z->cap) {
        size_t cap = z->cap;
        if (FU_GROW(z->tz, cap, z->n + 1)) return FU_ENOMEM;
        cap = z->cap;
        if (FU_GROW(z->cal, cap, z->n + 1)) return FU_ENOMEM;
        z->cap = cap;
    }
    fu_calendar *cal = NULL;
    int rc = fu_calendar_new(&cal, tz);
    if (rc) return rc;
    z->tz[z->n] = tz;
    z->cal[z->n++] = cal;
    *out = cal;
    return FU_OK;
}

/* Value of a purchase: amount, else unit price, else 0. */
static double purchase_value(const fu_event *e) {
    if (isfinite(e->amount)) return e->amount;
    if (isfinite(e->unit_price)) return e->unit_price;
    return 0.0;
}

/* RFM scores of the customers with a purchase (`buyers` of them). */
static int book_rfm(fu_segment_book_summary *b, size_t buyers, const fu_segment_rules *R) {
    double *col = fu__malloc(3 * buyers * sizeof *col);
    fu_segment_rfm *res = fu__calloc(buyers, sizeof *res);
    if (!col || !res) {
        fu__free(col);
        fu__free(res);
        return fu__error_nomem();
    }
    size_t k = 0;
    for (size_t i = 0; i < b->n; i++)
        if (b->last_at[i] != FU_SEGMENT_NO_PURCHASE) {
            col[k] = b->recency[i];
            col[buyers + k] = b->frequency[i];
            col[2 * buyers + k] = b->monetary[i];
            k++;
        }
    fu_segment_rfm_options ro = FU_SEGMENT_RFM_OPTIONS_INIT;
    ro.rules = R->rfm_rules;
    ro.n_rules = R->n_rfm_rules;
    ro.bins = R->rfm_bins;
    int rc = fu_segment_rfm_score(col, col + buyers, col + 2 * buyers, buyers, &ro, res);
    if (!rc) {
        k = 0;
        for (size_t i = 0; i < b->n; i++)
            if (b->last_at[i] != FU_SEGMENT_NO_PURCHASE) {
                b->rfm[i] = res[k++];
                b->customers[i].rfm_group = b->rfm[i].group;
            }
    }
    fu__free(col);
    fu__free(res);
    return rc;
}

/* A customer's purchase days up to `now` (days start at 00:00 in `cal`, or
 * at `day_offset` east of UTC without one): the first and last, how many,
 * the value of all and of the first day's, the RFM frequency and value. */
typedef struct seg_days {
    int64_t first_day, last_day;
    double days, total, first_value, freq, mon;
} seg_days;

/* Scan a customer's events [e, end) (in time order) up to `now` into *d and
 * into c (from fu_segment_customer_init): first and last purchase,
 * purchases and spend in the last and the previous year, the highest unit
 * price (-1: none) and the recent complaints. */
/* The purchase amounts of a customer add up past the largest double at `at`
 * (each amount is a number, their sum is not): bad input, named by the caller. */
static int spend_overflow(int64_t at) {
    char when[FU_TIME_TEXT_SIZE];
    if (fu_time_format(at, 0, FU_TIME_FORMAT_Z, when, sizeof when)) snprintf(when, sizeof when, "?");
    return fu__error_set(FU_ELIMIT, "the purchase amounts add up to more than %g (the largest number) at the purchase "
                                    "of %s", DBL_MAX, when);
}

static int scan_purchases(const fu_event *e, const fu_event *end, int64_t now, const fu_segment_rules *R,
                          int64_t day_offset, const fu_calendar *cal, fu_segment_customer *c, seg_days *d) {
    const int64_t year = 365 * FU_SEGMENT_DAY;
    int64_t day_key = 0;
    memset(d, 0, sizeof *d);
    c->spend_last_year = c->spend_previous_year = 0;
    c->unit_price = -1;
    for (; e < end && e->at <= now; e++) {
        if (e->kind == FU_EVENT_COMPLAINT && e->at > now - R->complaint_within) c->recent_complaints++;
        if (e->kind != FU_EVENT_PURCHASE || (isfinite(e->amount) && e->amount < 0)) continue;
        double v = purchase_value(e);
        int off = (int)day_offset;
        int rc = cal ? fu_calendar_utc_offset(cal, e->at, &off) : FU_OK;
        if (rc) return rc;
        int64_t key = floor_div(e->at + off, FU_SEGMENT_DAY);
        if (d->days == 0 || key > day_key) {
            int64_t start = key * FU_SEGMENT_DAY - off;
            if (d->days == 0) {
                d->first_day = start;
                c->first_purchase_at = e->at;
            }
            d->last_day = start;
            day_key = key;
            d->days += 1;
            if (start > now - R->rfm_window) d->freq += 1;
        }
        if (d->days == 1) d->first_value += v;
        d->total += v;
        if (!isfinite(d->total)) return spend_overflow(e->at); /* every other sum is a part of it */
        if (e->at > now - R->rfm_window) d->mon += v;
        if (e->at > now - year) {
            c->spend_last_year += v;
            c->purchases_last_year++;
        } else if (e->at > now - 2 * year) {
            c->spend_previous_year += v;
            c->purchases_previous_year++;
        }
        if (isfinite(e->unit_price) && e->unit_price > c->unit_price) c->unit_price = e->unit_price;
        c->last_purchase_at = e->at;
        c->purchases++;
    }
    return FU_OK;
}

int fu_segment_book_summarize(const struct fu_book *book, int64_t now, const fu_segment_rules *rules,
                              const fu_segment_book_options *opts, fu_segment_book_summary **out) {
    if (!out) return fu__error_set(FU_EINVAL, "out is NULL");
    *out = NULL;
    if (!book) return fu__error_set(FU_EINVAL, "book is NULL");
    fu_segment_rules R;
    int rc = load_rules(rules, &R);
    if (!rc && rules) rc = check_rules(&R);
    if (rc) return rc;
    fu_segment_book_options o = FU_SEGMENT_BOOK_OPTIONS_INIT;
    rc = FU_OPTIONS_COPY(&o, opts, FU_SEGMENT_BOOK_OPTIONS_VERSION, "book options");
    if (rc) return rc;
    if (!(isfinite(o.unit_seconds) && o.unit_seconds > 0))
        return fu__error_set(FU_EINVAL, "unit_seconds = %g, must be > 0", o.unit_seconds);
    if (o.day_offset <= -FU_SEGMENT_DAY || o.day_offset >= FU_SEGMENT_DAY)
        return fu__error_set(FU_EINVAL, "day_offset = %lld, must lie within a day", (long long)o.day_offset);
    if (now <= -SEG_TIME_LIMIT || now >= SEG_TIME_LIMIT) return fu__error_set(FU_EINVAL, "now is out of range");
    const size_t *offs = fu_book_event_offsets(book);
    if (!offs) return fu__error_set(FU_ESTATE, "the book is not finalized (fu_book_finalize)");
    fu__evbuf evb = {NULL, 0};
    const fu_event *ev;
    size_t nev;
    if ((rc = fu__book_events_decode(book, &evb, &ev, &nev))) return rc;
    size_t n = fu_book_customer_count(book);
    fu_segment_book_summary *b = book_summary_new(n);
    if (!b) {
        fu__evbuf_free(&evb);
        return fu__error_nomem();
    }
    seg_zones zones;
    memset(&zones, 0, sizeof zones);
    fu_segment_summary *s = b->summary;
    size_t buyers = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        fu_customer cbuf;
        fu__book_customer_get(book, i, &cbuf);
        const fu_customer *cu = &cbuf;
        fu_segment_customer *c = &b->customers[i];
        fu_segment_customer_init(c);
        c->industry = cu->industry;
        c->is_smb = cu->is_smb == FU_TRI_YES ? 1 : cu->is_smb == FU_TRI_NO ? 0 : -1;
        const fu_calendar *cal = NULL;
        if (o.local_days && cu->tz && (rc = zone_get(&zones, cu->tz, &cal))) break;
        seg_days d;
        if ((rc = scan_purchases(ev + offs[i], ev + offs[i + 1], now, &R, o.day_offset, cal, c, &d))) {
            char q[FU_ERRTEXT_CELL_CAP];
            if (rc == FU_ELIMIT) fu__error_prefix("customer '%s'", fu__errtext_cell_str(q, sizeof q, cu->id));
            break;
        }
        /* a recorded first purchase before the first purchase event (history
         * cut off on the left) sets the tenure; the model sees events only */
        int64_t fp = fu__segment_known_purchase(cu->first_purchase_at);
        if (fp != FU_BOOK_NO_TIME && fp <= now &&
            (c->first_purchase_at == FU_SEGMENT_NO_PURCHASE || fp < c->first_purchase_at)) {
            if (c->first_purchase_at == FU_SEGMENT_NO_PURCHASE) c->last_purchase_at = fp;
            c->first_purchase_at = fp;
            c->purchases++;
        }
        s->first_at[i] = FU_SEGMENT_NO_PURCHASE;
        b->last_at[i] = FU_SEGMENT_NO_PURCHASE;
        b->recency[i] = NAN;
        if (d.days > 0) {
            s->x[i] = d.days - 1;
            s->t_x[i] = (double)(d.last_day - d.first_day) / o.unit_seconds;
            s->T[i] = (double)(now - d.first_day) / o.unit_seconds;
            s->zbar[i] = d.days > 1 ? (d.total - d.first_value) / (d.days - 1) : 0.0;
            s->total[i] = d.total;
            s->first_at[i] = d.first_day;
            b->last_at[i] = d.last_day;
            b->recency[i] = (double)(now - d.last_day) / o.unit_seconds;
            buyers++;
        }
        b->frequency[i] = d.freq;
        b->monetary[i] = d.mon;
        c->annual_spend = isnan(cu->annual_spend) ? c->spend_last_year : cu->annual_spend;
    }
    zones_free(&zones);
    fu__evbuf_free(&evb);
    if (!rc && buyers > 0) rc = book_rfm(b, buyers, &R);
    if (rc) {
        fu_segment_book_summary_free(b);
        return rc;
    }
    *out = b;
    return FU_OK;
}
