/* Section `segments`: value tiers, product classes, lifecycle, RFM, CLV and
 * composite segments. Read by lib/segment.c (through the fu_segment_rules
 * built here once per policy), the planner and the KPIs. */
#include "policy_core.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_band(const void *a, const void *b) {
    const fu__pol_band *x = a, *y = b;
    if (x->min != y->min) return x->min < y->min ? 1 : -1; /* descending */
    return y->min_exclusive - x->min_exclusive;           /* `above` first */
}

static int build_bands(bctx *b, const ynode *seg, const char *key, int with_kind, fu__pol_band *out,
                       size_t *count, namelist *names) {
    vctx *c = b->c;
    static const char *const band_keys[] = {"above", "at_least", NULL};
    static const char *const class_keys[] = {"above", "at_least", "kind", NULL};
    const ynode *m;
    int rc = fu__pol_field(c, seg, key, 1, &m);
    if (rc) return rc;
    size_t old = fu__pol_path_push(c, key);
    rc = fu__pol_want_map(c, m);
    if (!rc && m->n == 0) rc = fu__pol_verr(c, m, FU_EPOLICY, "at least one entry is needed");
    if (!rc && m->n > FU__POL_MAX_TIERS) rc = fu__pol_verr(c, m, FU_EPOLICY, "more than %d entries", FU__POL_MAX_TIERS);
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
    fu__pol_path_pop(c, old);
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

int fu__pol_build_segments(bctx *b, const ynode *root) {
    vctx *c = b->c;
    fu__pol_segments *s = &c->p->t.segments;
    static const char *const seg_keys[] = {"value_tiers", "product_classes", "lifecycle", "rfm", "clv", "composite", NULL};
    static const char *const lc_keys[] = {"new_within", "mature_after", "declining", "churned_after", NULL};
    static const char *const decl_keys[] = {"inactive_for", "spend_drop", "complaint_within", NULL};
    static const char *const rfm_keys[] = {"window", "bins", "groups", NULL};
    static const char *const rfmg_keys[] = {"r", "f", "m", NULL};
    static const char *const clv_keys[] = {"horizon", "annual_discount_rate", "human_from_quantile", NULL};
    static const char *const comp_keys[] = {"when", "handling", NULL};
    static const char *const handling_names[] = {"human", "automated", NULL};
    const ynode *seg, *n;
    int rc = fu__pol_field(c, root, "segments", 1, &seg);
    if (rc) return rc;
    size_t old = fu__pol_path_push(c, "segments");
    rc = fu__pol_check_keys(c, seg, seg_keys);
    if (!rc) rc = build_bands(b, seg, "value_tiers", 0, s->tiers, &s->n_tiers, &b->tiers);
    if (!rc) rc = build_bands(b, seg, "product_classes", 1, s->classes, &s->n_classes, &b->classes);
    /* lifecycle */
    if (!rc) rc = fu__pol_field(c, seg, "lifecycle", 1, &n);
    if (!rc) {
        size_t o2 = fu__pol_path_push(c, "lifecycle");
        const unsigned D = DUR_WALL | DUR_MONTHS;
        const ynode *dn = NULL;
        rc = fu__pol_check_keys(c, n, lc_keys);
        if (!rc) rc = fu__pol_rd_dur(c, n, "new_within", 1, D, &s->new_within);
        if (!rc) rc = fu__pol_rd_dur(c, n, "mature_after", 1, D, &s->mature_after);
        if (!rc) rc = fu__pol_rd_dur(c, n, "churned_after", 1, D, &s->churned_after);
        if (!rc) rc = fu__pol_field(c, n, "declining", 1, &dn);
        if (!rc) {
            size_t o3 = fu__pol_path_push(c, "declining");
            rc = fu__pol_check_keys(c, dn, decl_keys);
            if (!rc) rc = fu__pol_rd_dur(c, dn, "inactive_for", 1, D, &s->declining_inactive_for);
            if (!rc) rc = fu__pol_rd_share(c, dn, "spend_drop", 1, 0, 1, &s->declining_spend_drop);
            if (!rc) rc = fu__pol_rd_dur(c, dn, "complaint_within", 1, D, &s->declining_complaint_within);
            fu__pol_path_pop(c, o3);
        }
        if (!rc && s->churned_after.unit == s->declining_inactive_for.unit &&
            s->churned_after.value <= s->declining_inactive_for.value) {
            size_t o3 = fu__pol_path_push(c, "churned_after");
            rc = fu__pol_verr(c, fu__pol_map_get(n, "churned_after"), FU_EPOLICY,
                      "churned_after must be longer than declining.inactive_for");
            fu__pol_path_pop(c, o3);
        }
        fu__pol_path_pop(c, o2);
    }
    /* rfm */
    if (!rc) rc = fu__pol_field(c, seg, "rfm", 1, &n);
    if (!rc) {
        size_t o2 = fu__pol_path_push(c, "rfm");
        const ynode *g = NULL;
        rc = fu__pol_check_keys(c, n, rfm_keys);
        if (!rc) rc = fu__pol_rd_dur(c, n, "window", 1, DUR_WALL | DUR_MONTHS, &s->rfm_window);
        if (!rc) rc = fu__pol_rd_int(c, n, "bins", 1, 2, 10, &s->rfm_bins);
        if (!rc) rc = fu__pol_field(c, n, "groups", 1, &g);
        if (!rc) {
            size_t o3 = fu__pol_path_push(c, "groups");
            rc = fu__pol_want_map(c, g);
            if (!rc && g->n > FU__POL_MAX_TIERS) rc = fu__pol_verr(c, g, FU_EPOLICY, "more than %d groups", FU__POL_MAX_TIERS);
            for (size_t i = 0; i < (rc ? 0 : g->n); i++) {
                fu__pol_rfm_group *rg = &s->rfm_groups[i];
                const ynode *e = g->ents[i].val, *x;
                size_t o4 = fu__pol_path_push(c, g->ents[i].key->text);
                rg->name = g->ents[i].key->text;
                rg->rule = fu__pol_rule_name(c, "segments.rfm", rg->name, NULL);
                if (!rg->rule) rc = fu__error_nomem();
                if (!rc) rc = fu__pol_check_keys(c, e, rfmg_keys);
                fu__pol_range *rr[3] = {&rg->r, &rg->f, &rg->m};
                for (int k = 0; k < 3 && !rc; k++) {
                    x = fu__pol_map_get(e, rfmg_keys[k]);
                    if (!x || (x->kind == YN_SCALAR && x->is_null)) continue;
                    size_t o5 = fu__pol_path_push(c, rfmg_keys[k]);
                    rc = parse_range(c, x, s->rfm_bins, rr[k]);
                    fu__pol_path_pop(c, o5);
                }
                fu__pol_path_pop(c, o4);
                if (rc) break;
                b->rfm.v[i] = rg->name;
            }
            if (!rc) {
                s->n_rfm_groups = g->n;
                b->rfm.n = g->n;
            }
            fu__pol_path_pop(c, o3);
        }
        fu__pol_path_pop(c, o2);
    }
    /* clv */
    if (!rc) rc = fu__pol_field(c, seg, "clv", 1, &n);
    if (!rc) {
        size_t o2 = fu__pol_path_push(c, "clv");
        rc = fu__pol_check_keys(c, n, clv_keys);
        if (!rc) rc = fu__pol_rd_dur(c, n, "horizon", 1, DUR_WALL | DUR_MONTHS, &s->clv_horizon);
        if (!rc) rc = fu__pol_rd_share(c, n, "annual_discount_rate", 1, 0, 0.99, &s->clv_annual_discount_rate);
        if (!rc) rc = fu__pol_rd_share(c, n, "human_from_quantile", 1, 0, 1, &s->clv_human_from_quantile);
        fu__pol_path_pop(c, o2);
    }
    /* composite */
    if (!rc) rc = fu__pol_field(c, seg, "composite", 0, &n);
    if (!rc && n) {
        size_t o2 = fu__pol_path_push(c, "composite");
        rc = fu__pol_want_map(c, n);
        fu__pol_composite *cv = rc ? NULL : fu__pol_arena_calloc(c->a, n->n ? n->n : 1, sizeof *cv);
        if (!rc && !cv) rc = fu__error_nomem();
        for (size_t i = 0; i < (rc ? 0 : n->n); i++) {
            const ynode *e = n->ents[i].val;
            size_t o3 = fu__pol_path_push(c, n->ents[i].key->text);
            cv[i].name = n->ents[i].key->text;
            cv[i].rule = fu__pol_rule_name(c, "segments.composite", cv[i].name, NULL);
            int h = 0;
            if (!cv[i].rule) rc = fu__error_nomem();
            if (!rc) rc = fu__pol_check_keys(c, e, comp_keys);
            if (!rc) rc = fu__pol_rd_when(b, e, "when", &cv[i].when);
            if (!rc) rc = fu__pol_rd_enum(c, e, "handling", 1, "handling", handling_names, &h);
            cv[i].handling = (fu__pol_handling)h;
            fu__pol_path_pop(c, o3);
            if (rc) break;
        }
        if (!rc) {
            s->composite = cv;
            s->n_composite = n->n;
        }
        fu__pol_path_pop(c, o2);
    }
    fu__pol_path_pop(c, old);
    return rc;
}

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
