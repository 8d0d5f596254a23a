/* fu_segment: purchase summaries, RFM scores and rule-based segments. The
 * numerical models live in segment_models.c. */
#include "segment_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ================================================================ summaries */

void fu_segment_summary_options_init(fu_segment_summary_options *opts) {
    if (opts) {
        fu_segment_summary_options d = FU_SEGMENT_SUMMARY_OPTIONS_INIT;
        *opts = d;
    }
}

void fu_segment_summary_free(fu_segment_summary *s) {
    if (!s) return;
    fu__free(s->x);
    fu__free(s->t_x);
    fu__free(s->T);
    fu__free(s->zbar);
    fu__free(s->total);
    fu__free(s->first_at);
    fu__free(s);
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
    if (opts) {
        if (opts->version != FU_SEGMENT_SUMMARY_OPTIONS_VERSION)
            return fu__error_set(FU_EINVAL, "summary options version %u, expected %u", opts->version,
                                 FU_SEGMENT_SUMMARY_OPTIONS_VERSION);
        o = *opts;
    }
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

/* score = 1 + floor(5 L / n), L = customers strictly worse; `larger_is_better`
 * says which way "worse" points. */
static void rfm_column(const double *col, size_t n, int larger_is_better, seg_ranked *tmp, fu_segment_rfm *out,
                       int which) {
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
        unsigned char sc = (unsigned char)(1 + (5 * (unsigned long long)worse) / n);
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
    if (opts) {
        if (opts->version != FU_SEGMENT_RFM_OPTIONS_VERSION)
            return fu__error_set(FU_EINVAL, "RFM options version %u, expected %u", opts->version,
                                 FU_SEGMENT_RFM_OPTIONS_VERSION);
        if (opts->rules) {
            rules = opts->rules;
            nr = opts->n_rules;
        }
    }
    for (size_t k = 0; k < nr; k++) {
        const fu_segment_rfm_rule *R = &rules[k];
        if (!R->group || !R->rule)
            return fu__error_set(FU_EINVAL, "RFM rule %zu: group and rule names are required", k);
        if (R->r_min < 1 || R->r_max > 5 || R->r_min > R->r_max || R->f_min < 1 || R->f_max > 5 ||
            R->f_min > R->f_max || R->m_min < 1 || R->m_max > 5 || R->m_min > R->m_max)
            return fu__error_set(FU_EINVAL, "RFM rule %zu (%s): ranges must lie in 1..5 with min <= max", k, R->rule);
    }
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(recency[i])) return fu__error_set(FU_EINVAL, "recency[%zu] is not finite", i);
        if (!isfinite(frequency[i])) return fu__error_set(FU_EINVAL, "frequency[%zu] is not finite", i);
        if (!isfinite(monetary[i])) return fu__error_set(FU_EINVAL, "monetary[%zu] is not finite", i);
    }
    seg_ranked *tmp = fu__calloc(n, sizeof *tmp);
    if (!tmp) return fu__error_nomem();
    rfm_column(recency, n, 0, tmp, out, 0);
    rfm_column(frequency, n, 1, tmp, out, 1);
    rfm_column(monetary, n, 1, tmp, out, 2);
    fu__free(tmp);
    for (size_t i = 0; i < n; i++) {
        fu_segment_rfm *o = &out[i];
        o->code = (unsigned short)(100 * o->r + 10 * o->f + o->m);
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

const char *fu_segment_tier_name(fu_segment_tier tier) {
    switch (tier) {
    case FU_TIER_ORDINARY: return "ordinary";
    case FU_TIER_KEY: return "key";
    case FU_TIER_VIP: return "vip";
    }
    return "?";
}

const char *fu_segment_product_class_name(fu_segment_product_class c) {
    switch (c) {
    case FU_PRODUCT_UNKNOWN: return "unknown";
    case FU_PRODUCT_FAST_MOVING: return "fast_moving";
    case FU_PRODUCT_MID: return "mid";
    case FU_PRODUCT_DURABLE: return "durable";
    }
    return "?";
}

const char *fu_segment_lifecycle_name(fu_segment_lifecycle stage) {
    switch (stage) {
    case FU_LIFECYCLE_NEW: return "new";
    case FU_LIFECYCLE_GROWING: return "growing";
    case FU_LIFECYCLE_MATURE: return "mature";
    case FU_LIFECYCLE_DECLINING: return "declining";
    case FU_LIFECYCLE_CHURNED: return "churned";
    }
    return "?";
}

void fu_segment_rules_init(fu_segment_rules *rules) {
    if (rules) {
        fu_segment_rules d = FU_SEGMENT_RULES_INIT;
        *rules = d;
    }
}

static int check_rules(const fu_segment_rules *R) {
    if (R->version != FU_SEGMENT_RULES_VERSION)
        return fu__error_set(FU_EINVAL, "segment rules version %u, expected %u", R->version, FU_SEGMENT_RULES_VERSION);
    if (!(isfinite(R->vip_above) && isfinite(R->key_from) && R->key_from <= R->vip_above))
        return fu__error_set(FU_EINVAL, "segment rules: tiers need key_from <= vip_above");
    if (!(isfinite(R->durable_above) && isfinite(R->mid_from) && R->mid_from <= R->durable_above))
        return fu__error_set(FU_EINVAL, "segment rules: product classes need mid_from <= durable_above");
    if (R->new_within < 0 || R->growing_within < 0 || R->declining_after < 0 || R->churned_after < R->declining_after ||
        R->deep_care_tenure < 0)
        return fu__error_set(FU_EINVAL, "segment rules: durations must be >= 0 and churned_after >= declining_after");
    if (!(R->churned_p_alive >= 0 && R->churned_p_alive <= R->declining_p_alive && R->declining_p_alive <= 1))
        return fu__error_set(FU_EINVAL, "segment rules: need 0 <= churned_p_alive <= declining_p_alive <= 1");
    if (!(R->drop_ratio >= 0 && isfinite(R->drop_ratio)))
        return fu__error_set(FU_EINVAL, "segment rules: drop_ratio must be finite and >= 0");
    if (R->deep_care_tier < FU_TIER_ORDINARY || R->deep_care_tier > FU_TIER_VIP)
        return fu__error_set(FU_EINVAL, "segment rules: unknown deep_care_tier %d", (int)R->deep_care_tier);
    return FU_OK;
}

static void assign_one(const fu_segment_customer *c, int64_t now, const fu_segment_rules *R,
                       fu_segment_assignment *o) {
    /* value tier */
    if (c->annual_spend > R->vip_above) {
        o->tier = FU_TIER_VIP;
        o->tier_rule = "segments.tiers.vip";
    } else if (c->annual_spend >= R->key_from) {
        o->tier = FU_TIER_KEY;
        o->tier_rule = "segments.tiers.key";
    } else {
        o->tier = FU_TIER_ORDINARY;
        o->tier_rule = "segments.tiers.ordinary";
    }
    /* product class */
    if (!(c->unit_price >= 0)) {
        o->product_class = FU_PRODUCT_UNKNOWN;
        o->product_rule = "segments.product_classes.unknown";
    } else if (c->unit_price > R->durable_above) {
        o->product_class = FU_PRODUCT_DURABLE;
        o->product_rule = "segments.product_classes.durable";
    } else if (c->unit_price >= R->mid_from) {
        o->product_class = FU_PRODUCT_MID;
        o->product_rule = "segments.product_classes.mid";
    } else {
        o->product_class = FU_PRODUCT_FAST_MOVING;
        o->product_rule = "segments.product_classes.fast_moving";
    }
    /* lifecycle: churned, new, declining, growing, mature — first match */
    int has = c->first_purchase_at != FU_SEGMENT_NO_PURCHASE;
    int64_t last = c->last_purchase_at != FU_SEGMENT_NO_PURCHASE ? c->last_purchase_at : c->first_purchase_at;
    int64_t tenure = has ? now - c->first_purchase_at : 0, idle = has ? now - last : 0;
    int known_p = c->p_alive >= 0 && c->p_alive <= 1;
    int drop = c->purchases_previous_year > 0 &&
               (double)c->purchases_last_year < R->drop_ratio * (double)c->purchases_previous_year;
    if (!has) {
        o->lifecycle = FU_LIFECYCLE_NEW;
        o->lifecycle_rule = "segments.lifecycle.new";
    } else if (idle > R->churned_after) {
        o->lifecycle = FU_LIFECYCLE_CHURNED;
        o->lifecycle_rule = "segments.lifecycle.churned";
    } else if (known_p && c->p_alive < R->churned_p_alive) {
        o->lifecycle = FU_LIFECYCLE_CHURNED;
        o->lifecycle_rule = "segments.lifecycle.churned_p_alive";
    } else if (tenure <= R->new_within) {
        o->lifecycle = FU_LIFECYCLE_NEW;
        o->lifecycle_rule = "segments.lifecycle.new";
    } else if (idle > R->declining_after) {
        o->lifecycle = FU_LIFECYCLE_DECLINING;
        o->lifecycle_rule = "segments.lifecycle.declining";
    } else if (known_p && c->p_alive < R->declining_p_alive) {
        o->lifecycle = FU_LIFECYCLE_DECLINING;
        o->lifecycle_rule = "segments.lifecycle.declining_p_alive";
    } else if (drop) {
        o->lifecycle = FU_LIFECYCLE_DECLINING;
        o->lifecycle_rule = "segments.lifecycle.declining_drop";
    } else if (tenure < R->growing_within) {
        o->lifecycle = FU_LIFECYCLE_GROWING;
        o->lifecycle_rule = "segments.lifecycle.growing";
    } else {
        o->lifecycle = FU_LIFECYCLE_MATURE;
        o->lifecycle_rule = "segments.lifecycle.mature";
    }
    /* churn risk */
    o->churn_risk = 0;
    o->churn_rule = NULL;
    if (o->lifecycle == FU_LIFECYCLE_DECLINING) {
        o->churn_risk = 1;
        o->churn_rule = "segments.churn_risk.declining";
    } else if (R->complaints_risk > 0 && c->recent_complaints >= R->complaints_risk &&
               o->lifecycle != FU_LIFECYCLE_CHURNED) {
        o->churn_risk = 1;
        o->churn_rule = "segments.churn_risk.complaints";
    }
    /* deep care */
    o->deep_care = 0;
    o->deep_care_rule = NULL;
    if (has && tenure >= R->deep_care_tenure && o->tier >= R->deep_care_tier && o->lifecycle != FU_LIFECYCLE_CHURNED) {
        o->deep_care = 1;
        o->deep_care_rule = "segments.deep_care";
    }
}

int fu_segment_assign(const fu_segment_customer *customers, size_t n, int64_t now, const fu_segment_rules *rules,
                      fu_segment_assignment *out) {
    fu_segment_rules R = FU_SEGMENT_RULES_INIT;
    if (rules) {
        int rc = check_rules(rules);
        if (rc) return rc;
        R = *rules;
    }
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
    for (size_t i = 0; i < n; i++) assign_one(&customers[i], now, &R, &out[i]);
    return FU_OK;
}
