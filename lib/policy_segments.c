/* Section `segments`: value tiers, product classes, lifecycle, RFM, CLV and
 * composite segments. Read by lib/segment.c (through the fu_segment_rules
 * built here once per policy), the planner and the KPIs. */
#include "policy_core.h"
#include "policy_segments.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_band(const void *a, const void *b) {
    const fu__pol_band *x = a, *y = b;
    if (x->min != y->min) return x->min < y->min ? 1 : -1; /* descending */
    return y->min_exclusive - x->min_exclusive;           /* `above` first */
}

static int build_bands(bctx *b, const ynode *m, const char *key, int with_kind, fu__pol_band *out,
                       size_t *count, namelist *names) {
    vctx *c = b->c;
    static const char *const band_keys[] = {"above", "at_least", NULL};
    static const char *const class_keys[] = {"above", "at_least", "kind", NULL};
    int rc = fu__pol_want_count(c, m, "at least one entry is needed", FU__POL_MAX_TIERS, "entries");
    for (size_t i = 0; i < (rc ? 0 : m->n); i++) {
        const char *name = m->ents[i].key->text;
        const ynode *e = m->ents[i].val;
        size_t o2 = fu__pol_path_push(c, name);
        fu__pol_band *bd = &out[i];
        bd->name = name;
        bd->rule = fu__pol_rule_name(c, "segments", key, name);
        if (!bd->rule) rc = fu__error_nomem();
        if (!rc) rc = fu__pol_check_keys(c, e, with_kind ? class_keys : band_keys);
        if (!rc) {
            int has_above = fu__pol_map_get(e, "above") != NULL, has_least = fu__pol_map_get(e, "at_least") != NULL;
            if (has_above == has_least)
                rc = fu__pol_verr(c, e, FU_EPOLICY, "give exactly one of 'above' or 'at_least'");
            else if (has_above) {
                rc = fu__pol_rd_num(c, e, "above", 1, 0, 1e15, &bd->min);
                bd->min_exclusive = 1;
            } else {
                rc = fu__pol_rd_num(c, e, "at_least", 1, 0, 1e15, &bd->min);
            }
        }
        if (!rc && with_kind) rc = fu__pol_rd_str(c, e, "kind", 0, &bd->kind);
        fu__pol_path_pop(c, o2);
        if (rc) break;
        names->v[i] = name;
    }
    if (!rc) {
        names->n = m->n;
        qsort(out, m->n, sizeof *out, cmp_band);
        /* `when:` masks index the sorted bands: bit i is out[i] */
        for (size_t i = 0; i < m->n; i++) names->v[i] = out[i].name;
        for (size_t i = 1; i < m->n && !rc; i++)
            if (out[i].min == out[i - 1].min && out[i].min_exclusive == out[i - 1].min_exclusive)
                rc = fu__pol_verr(c, m, FU_EPOLICY, "'%s' and '%s' have the same threshold", out[i - 1].name, out[i].name);
        if (!rc && !(out[m->n - 1].min == 0 && !out[m->n - 1].min_exclusive))
            rc = fu__pol_verr(c, m, FU_EPOLICY, "no entry covers 0: add one with 'at_least: 0'");
        *count = m->n;
    }
    return rc;
}

static int parse_range(vctx *c, const ynode *n, int bins, fu__pol_range *r) {
    int rc = fu__pol_want_scalar(c, n, "a score or a range like 4-5");
    if (rc) return rc;
    int lo = 0, hi = 0;
    char tail = 0;
    int k = sscanf(n->text, "%d-%d%c", &lo, &hi, &tail);
    if (k == 1) {
        if (strchr(n->text, '-')) k = 0;
        hi = lo;
    }
    if (k != 1 && k != 2) return fu__pol_verr(c, n, FU_EPOLICY, "expected a score or a range like 4-5, got '%.40s'", n->text);
    if (lo < 1 || hi > bins || lo > hi)
        return fu__pol_verr(c, n, FU_EPOLICY, "score range '%s' must lie within 1-%d", n->text, bins);
    r->lo = lo;
    r->hi = hi;
    return FU_OK;
}

static int read_tiers(bctx *b, const fu__pol_key *k, const ynode *val, void *base) {
    fu__pol_segments *s = base;
    return build_bands(b, val, k->name, 0, s->tiers, &s->n_tiers, &b->tiers);
}

static int read_classes(bctx *b, const fu__pol_key *k, const ynode *val, void *base) {
    fu__pol_segments *s = base;
    return build_bands(b, val, k->name, 1, s->classes, &s->n_classes, &b->classes);
}

static int check_churned(bctx *b, const ynode *map, void *base) {
    const fu__pol_segments *s = base;
    if (s->churned_after.unit == s->declining_inactive_for.unit &&
        s->churned_after.value <= s->declining_inactive_for.value)
        return fu__pol_key_err(b->c, map, "churned_after", "churned_after must be longer than declining.inactive_for");
    return FU_OK;
}

#define SEG_DUR (DUR_WALL | DUR_MONTHS)
static const fu__pol_key declining_rows[] = {
    FU__KEY_DUR(fu__pol_segments, declining_inactive_for, "inactive_for", 1, SEG_DUR),
    FU__KEY_SHARE(fu__pol_segments, declining_spend_drop, "spend_drop", 1, 0, 1),
    FU__KEY_DUR(fu__pol_segments, declining_complaint_within, "complaint_within", 1, SEG_DUR),
};
static const fu__pol_keys declining_keys = FU__KEYS(declining_rows, NULL, NULL);
static const char *const lifecycle_allowed[] = {"new_within", "mature_after", "declining", "churned_after", NULL};
static const fu__pol_key lifecycle_rows[] = {
    FU__KEY_DUR(fu__pol_segments, new_within, "new_within", 1, SEG_DUR),
    FU__KEY_DUR(fu__pol_segments, mature_after, "mature_after", 1, SEG_DUR),
    FU__KEY_DUR(fu__pol_segments, churned_after, "churned_after", 1, SEG_DUR),
    FU__KEY_MAP("declining", 1, &declining_keys),
};
static const fu__pol_keys lifecycle_keys = FU__KEYS(lifecycle_rows, lifecycle_allowed, check_churned);

static const char *const rfmg_keys[] = {"r", "f", "m", NULL};

static int read_rfm_group(bctx *b, const fu__pol_segments *s, const char *name, const ynode *e, fu__pol_rfm_group *rg) {
    vctx *c = b->c;
    int rc = FU_OK;
    rg->name = name;
    rg->rule = fu__pol_rule_name(c, "segments.rfm", rg->name, NULL);
    if (!rg->rule) rc = fu__error_nomem();
    if (!rc) rc = fu__pol_check_keys(c, e, rfmg_keys);
    fu__pol_range *rr[3] = {&rg->r, &rg->f, &rg->m};
    for (int k = 0; k < 3 && !rc; k++) {
        const ynode *x = fu__pol_map_get(e, rfmg_keys[k]);
        if (!x || (x->kind == YN_SCALAR && x->is_null)) continue;
        size_t old = fu__pol_path_push(c, rfmg_keys[k]);
        rc = parse_range(c, x, s->rfm_bins, rr[k]);
        fu__pol_path_pop(c, old);
    }
    return rc;
}

static int read_rfm_groups(bctx *b, const fu__pol_key *k, const ynode *g, void *base) {
    vctx *c = b->c;
    fu__pol_segments *s = base;
    (void)k;
    int rc = fu__pol_want_count(c, g, NULL, FU__POL_MAX_TIERS, "groups");
    for (size_t i = 0; i < (rc ? 0 : g->n); i++) {
        size_t o2 = fu__pol_path_push(c, g->ents[i].key->text);
        rc = read_rfm_group(b, s, g->ents[i].key->text, g->ents[i].val, &s->rfm_groups[i]);
        fu__pol_path_pop(c, o2);
        if (!rc) b->rfm.v[i] = s->rfm_groups[i].name;
    }
    if (!rc) {
        s->n_rfm_groups = g->n;
        b->rfm.n = g->n;
    }
    return rc;
}

static const fu__pol_key rfm_rows[] = {
    FU__KEY_DUR(fu__pol_segments, rfm_window, "window", 1, SEG_DUR),
    FU__KEY_INT(fu__pol_segments, rfm_bins, "bins", 1, 2, 10),
    FU__KEY_FN("groups", 1, read_rfm_groups),
};
static const fu__pol_keys rfm_keys = FU__KEYS(rfm_rows, NULL, NULL);

static const fu__pol_key clv_rows[] = {
    FU__KEY_DUR(fu__pol_segments, clv_horizon, "horizon", 1, SEG_DUR),
    FU__KEY_SHARE(fu__pol_segments, clv_annual_discount_rate, "annual_discount_rate", 1, 0, 0.99),
    FU__KEY_SHARE(fu__pol_segments, clv_human_from_quantile, "human_from_quantile", 1, 0, 1),
};
static const fu__pol_keys clv_keys = FU__KEYS(clv_rows, NULL, NULL);

static const char *const handling_names[] = {"human", "automated", NULL};
static const fu__pol_key composite_rows[] = {
    FU__KEY_WHEN(fu__pol_composite, when, "when"),
    FU__KEY_ENUM(fu__pol_composite, handling, "handling", 1, "handling", handling_names),
};
static const fu__pol_keys composite_keys = FU__KEYS(composite_rows, NULL, NULL);

static const fu__pol_entries composite_entries = {sizeof(fu__pol_composite), "segments.composite", &composite_keys,
                                                  NULL};

static const fu__pol_key segments_rows[] = {
    FU__KEY_FN("value_tiers", 1, read_tiers),
    FU__KEY_FN("product_classes", 1, read_classes),
    FU__KEY_MAP("lifecycle", 1, &lifecycle_keys),
    FU__KEY_MAP("rfm", 1, &rfm_keys),
    FU__KEY_MAP("clv", 1, &clv_keys),
    FU__KEY_LIST(fu__pol_segments, composite, n_composite, "composite", 0, &composite_entries),
};
static const fu__pol_keys segments_keys = FU__KEYS(segments_rows, NULL, NULL);

/* ---- the rules of lib/segment.c, built once per policy ---- */

/* Policy durations of `segments` are wall time or months. */
#define SEG_MONTH_SECONDS INT64_C(2629746) /* 30.436875 days */
static int64_t dur_seconds(const fu_duration *d) {
    switch (d->unit) {
    case FU_DURATION_MONTHS: return d->value * SEG_MONTH_SECONDS;
    case FU_DURATION_WORKING_DAYS: return d->value * FU_SEGMENT_DAY;
    default: return d->value;
    }
}

static fu_segment_band *bands_of(vctx *c, const fu__pol_band *p, size_t n) {
    fu_segment_band *v = n ? fu__arena_calloc(c->a, n, sizeof *v) : NULL;
    for (size_t i = 0; v && i < n; i++) {
        v[i].name = p[i].name;
        v[i].rule = p[i].rule;
        v[i].min = p[i].min;
        v[i].min_exclusive = p[i].min_exclusive;
    }
    return v;
}

static unsigned char rfm_lo(const fu__pol_range *r) { return (unsigned char)(r->lo > 0 ? r->lo : 1); }
static unsigned char rfm_hi(const fu__pol_range *r, int bins) { return (unsigned char)(r->lo > 0 ? r->hi : bins); }

static fu_segment_rfm_rule *rfm_rules_of(vctx *c, const fu__pol_segments *S) {
    fu_segment_rfm_rule *rfm = fu__arena_calloc(c->a, S->n_rfm_groups ? S->n_rfm_groups : 1, sizeof *rfm);
    for (size_t i = 0; rfm && i < S->n_rfm_groups; i++) {
        const fu__pol_rfm_group *g = &S->rfm_groups[i];
        rfm[i].group = g->name;
        rfm[i].rule = g->rule;
        rfm[i].r_min = rfm_lo(&g->r);
        rfm[i].r_max = rfm_hi(&g->r, S->rfm_bins);
        rfm[i].f_min = rfm_lo(&g->f);
        rfm[i].f_max = rfm_hi(&g->f, S->rfm_bins);
        rfm[i].m_min = rfm_lo(&g->m);
        rfm[i].m_max = rfm_hi(&g->m, S->rfm_bins);
    }
    return rfm;
}

static fu_segment_composite *composite_of(vctx *c, const fu__pol_segments *S) {
    fu_segment_composite *comp = S->n_composite ? fu__arena_calloc(c->a, S->n_composite, sizeof *comp) : NULL;
    for (size_t k = 0; comp && k < S->n_composite; k++) {
        const fu__pol_composite *p = &S->composite[k];
        fu_segment_composite *o = &comp[k];
        o->name = p->name;
        o->rule = p->rule;
        o->tiers = p->when.tiers;
        o->product_classes = p->when.product_classes;
        o->lifecycles = p->when.lifecycles;
        o->rfm_groups = p->when.rfm_groups;
        o->industries = p->when.industries.v;
        o->n_industries = p->when.industries.n;
        o->is_smb = p->when.is_smb;
        o->min_tenure = p->when.min_tenure.set ? dur_seconds(&p->when.min_tenure.d) : 0;
        o->event_only = p->when.severities.n > 0 || p->when.risks.n > 0;
        o->human = p->handling == FU__HANDLING_HUMAN;
    }
    return comp;
}

/* The segments as fu_segment_rules (names, numbers and tables in the arena). */
static int build_rules(vctx *c, fu__pol_segments *S) {
    fu_segment_rules *R = fu__arena_calloc(c->a, 1, sizeof *R);
    if (!R) return fu__error_nomem();
    fu_segment_rules_init(R);
    R->flags = FU_SEGMENT_RULES_POLICY;
    R->tiers = bands_of(c, S->tiers, S->n_tiers);
    R->n_tiers = S->n_tiers;
    R->classes = bands_of(c, S->classes, S->n_classes);
    R->n_classes = S->n_classes;
    R->new_within = dur_seconds(&S->new_within);
    R->growing_within = dur_seconds(&S->mature_after);
    R->deep_care_tenure = R->growing_within;
    R->declining_after = dur_seconds(&S->declining_inactive_for);
    R->churned_after = dur_seconds(&S->churned_after);
    if (R->churned_after < R->declining_after) R->churned_after = R->declining_after;
    R->spend_drop = S->declining_spend_drop;
    R->complaint_within = dur_seconds(&S->declining_complaint_within);
    R->complaints_risk = 1;
    R->declining_p_alive = R->churned_p_alive = 0; /* the policy decides by time, spend and complaints */
    R->rfm_window = dur_seconds(&S->rfm_window);
    R->rfm_bins = (unsigned)S->rfm_bins;
    R->rfm_rules = rfm_rules_of(c, S);
    R->n_rfm_rules = S->n_rfm_groups;
    R->clv_horizon = dur_seconds(&S->clv_horizon);
    R->clv_annual_discount = S->clv_annual_discount_rate;
    R->human_from_quantile = S->clv_human_from_quantile;
    R->composite = composite_of(c, S);
    R->n_composite = S->n_composite;
    if ((S->n_tiers && !R->tiers) || (S->n_classes && !R->classes) || !R->rfm_rules ||
        (S->n_composite && !R->composite))
        return fu__error_nomem();
    S->rules = R;
    return FU_OK;
}

int fu__pol_build_segments(bctx *b, const ynode *root) {
    fu__pol_segments *s = &b->c->p->t.segments;
    int rc = fu__pol_read_map(b, root, "segments", 1, &segments_keys, s);
    if (!rc) rc = build_rules(b->c, s);
    return rc;
}

const fu_segment_rules *fu__policy_segment_rules(const fu_policy *p) { return p ? p->t.segments.rules : NULL; }

static int band_index(const fu__pol_band *b, size_t n, const char *name) {
    for (size_t i = 0; i < n; i++)
        if (strcmp(b[i].name, name) == 0) return (int)i;
    return -1;
}

static int band_of(const fu__pol_band *b, size_t n, double v) {
    if (isnan(v) || v < 0) return -1;
    for (size_t i = 0; i < n; i++)
        if (b[i].min_exclusive ? v > b[i].min : v >= b[i].min) return (int)i;
    return -1;
}

int fu__policy_tier_index(const fu__policy *t, const char *name) {
    return band_index(t->segments.tiers, t->segments.n_tiers, name);
}
int fu__policy_class_index(const fu__policy *t, const char *name) {
    return band_index(t->segments.classes, t->segments.n_classes, name);
}
int fu__policy_tier_of(const fu__policy *t, double v) { return band_of(t->segments.tiers, t->segments.n_tiers, v); }
int fu__policy_class_of(const fu__policy *t, double v) {
    return band_of(t->segments.classes, t->segments.n_classes, v);
}

static void put_money(fu__buf *b, double v) { fu__buf_printf(b, "%.0f", v); }

void fu__pol_summary_segments(fu__buf *b, const fu__policy *t) {
    const fu__pol_segments *s = &t->segments;
    fu__buf_puts(b, "value tiers (annual spend):");
    for (size_t i = 0; i < s->n_tiers; i++) {
        fu__buf_printf(b, " %s %s ", s->tiers[i].name, s->tiers[i].min_exclusive ? ">" : ">=");
        put_money(b, s->tiers[i].min);
        fu__buf_puts(b, i + 1 < s->n_tiers ? ";" : "\n");
    }
    fu__buf_puts(b, "product classes (unit price):");
    for (size_t i = 0; i < s->n_classes; i++) {
        fu__buf_printf(b, " %s %s ", s->classes[i].name, s->classes[i].min_exclusive ? ">" : ">=");
        put_money(b, s->classes[i].min);
        fu__buf_puts(b, i + 1 < s->n_classes ? ";" : "\n");
    }
    fu__buf_puts(b, "lifecycle: new < ");
    fu__pol_put_dur(b, &s->new_within);
    fu__buf_puts(b, ", mature >= ");
    fu__pol_put_dur(b, &s->mature_after);
    fu__buf_puts(b, ", declining after ");
    fu__pol_put_dur(b, &s->declining_inactive_for);
    fu__buf_printf(b, " inactive or spend -%.0f%% or a complaint within ", s->declining_spend_drop * 100);
    fu__pol_put_dur(b, &s->declining_complaint_within);
    fu__buf_puts(b, ", churned after ");
    fu__pol_put_dur(b, &s->churned_after);
    fu__buf_printf(b, "\nRFM groups: %zu (%d bins); composite segments: %zu\n", s->n_rfm_groups, s->rfm_bins,
                   s->n_composite);
}
