/* Sections `kpis` and `scorecard`: targets, baselines and RAG thresholds,
 * scorecard weights. Read by lib/kpi.c. */
#include "policy_core.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

typedef struct kpi_def {
    const char *name;
    double min, max;
    int is_rate;
    int lower_is_better;
} kpi_def;

static const kpi_def kpi_defs[] = {
    {"coverage", 0, 1, 1, 0},
    {"resolution", 0, 1, 1, 0},
    {"feedback_closure", 0, 1, 1, 0},
    {"csat", 1, 5, 0, 0},
    {"nps", -100, 100, 0, 0},
    {"follow_up_complaints", 0, 1, 1, 1},
    {"response_timeliness", 0, 1, 1, 0},
    {"win_back", 0, 1, 1, 0},
    {"repurchase_uplift", -1, 1, 1, 0},
    {"churn_reduction", -1, 1, 1, 0},
    {"value_uplift", -1, 1, 1, 0},
    {"roi", 0, 1000, 0, 0},
    {"budget_overrun", 0, 1, 1, 1},
    {"quality_closure", 0, 1, 1, 0},
    {"roi_incremental", -1000, 1000, 0, 0},
    /* KPIs that fu_kpi computes and the built-in policy sets no target for */
    {"first_contact_resolution", 0, 1, 1, 0},
    {"repeat_complaints", 0, 1, 1, 1},
    {"csat_top2", 0, 1, 1, 0},
    {"ces", 1, 7, 0, 0},
    {"commitment_on_time", 0, 1, 1, 0},
    {"over_contact", 0, 1, 1, 1},
    {"repurchase", 0, 1, 1, 0},
    {"churn", 0, 1, 1, 1},
    {"response_time_p50", 0, 100000, 0, 1},
    {"response_time_p90", 0, 100000, 0, 1},
    {"scorecard", 0, 1, 1, 0},
};
#define N_KPI_DEFS (sizeof kpi_defs / sizeof kpi_defs[0])

static int kpi_value(vctx *c, const ynode *e, const char *key, int req, const kpi_def *d, double *out) {
    if (d->is_rate && d->min >= 0) return fu__pol_rd_share(c, e, key, req, d->min, d->max, out);
    return fu__pol_rd_num(c, e, key, req, d->min, d->max, out);
}

/* The keys of `kpis` besides one mapping per KPI. */
static const fu__pol_key kpis_rows[] = {
    FU__KEY_DUR(fu__pol_kpis, period, "period", 1, DUR_WALL | DUR_MONTHS),
    FU__KEY_SHARE(fu__pol_kpis, confidence, "confidence", 1, 0.5, 0.999),
    FU__KEY_SHARE(fu__pol_kpis, amber_margin, "amber_margin", 1, 0, 1),
};

int fu__pol_build_kpis(bctx *b, const ynode *root) {
    vctx *c = b->c;
    fu__pol_kpis *k = &c->p->t.kpis;
    static const char *const kpi_keys[] = {"target", "baseline", "red", "better", "by_tier", "window", NULL};
    static const char *const better_names[] = {"higher", "lower", NULL};
    const char *allowed[N_KPI_DEFS + sizeof kpis_rows / sizeof kpis_rows[0] + 1];
    size_t na = 0;
    for (size_t i = 0; i < sizeof kpis_rows / sizeof kpis_rows[0]; i++) allowed[na++] = kpis_rows[i].name;
    for (size_t i = 0; i < N_KPI_DEFS; i++) allowed[na++] = kpi_defs[i].name;
    allowed[na] = NULL;
    const fu__pol_keys top = {kpis_rows, sizeof kpis_rows / sizeof kpis_rows[0], allowed, NULL};
    const ynode *n;
    int rc = fu__pol_field(c, root, "kpis", 1, &n);
    if (rc) return rc;
    size_t old = fu__pol_path_push(c, "kpis");
    rc = fu__pol_read_keys(b, n, &top, k);
    fu__pol_kpi *kv = rc ? NULL : fu__arena_calloc(c->a, N_KPI_DEFS, sizeof *kv);
    if (!rc && !kv) rc = fu__error_nomem();
    size_t nk = 0;
    for (size_t i = 0; i < (rc ? 0 : n->n); i++) {
        const char *name = n->ents[i].key->text;
        const kpi_def *d = NULL;
        for (size_t j = 0; j < N_KPI_DEFS; j++)
            if (strcmp(kpi_defs[j].name, name) == 0) d = &kpi_defs[j];
        if (!d) continue; /* one of kpis_rows */
        const ynode *e = n->ents[i].val, *bt = NULL;
        fu__pol_kpi *kp = &kv[nk];
        size_t o2 = fu__pol_path_push(c, name);
        int better = d->lower_is_better;
        kp->name = name;
        kp->rule = fu__pol_rule_name(c, "kpis", name, NULL);
        kp->min = d->min;
        kp->max = d->max;
        kp->is_rate = d->is_rate;
        kp->target = NAN; /* optional: without it the KPI has no RAG status (a by_tier target may still set one) */
        kp->baseline = NAN;
        kp->red = NAN;
        if (!kp->rule) rc = fu__error_nomem();
        if (!rc) rc = fu__pol_check_keys(c, e, kpi_keys);
        if (!rc) rc = kpi_value(c, e, "target", 0, d, &kp->target);
        if (!rc) rc = fu__pol_rd_dur(c, e, "window", 0, DUR_WALL, &kp->window); /* the KPI's window (docs/kpi.md) */
        if (!rc) rc = kpi_value(c, e, "baseline", 0, d, &kp->baseline);
        if (!rc) rc = kpi_value(c, e, "red", 0, d, &kp->red);
        if (!rc) rc = fu__pol_rd_enum(c, e, "better", 0, "direction", better_names, &better);
        kp->lower_is_better = better;
        if (!rc && !isnan(kp->baseline) &&
            (better ? kp->baseline < kp->target : kp->baseline > kp->target)) {
            size_t o3 = fu__pol_path_push(c, "baseline");
            rc = fu__pol_verr(c, fu__pol_map_get(e, "baseline"), FU_EPOLICY, "baseline %g is %s than the target %g", kp->baseline,
                      better ? "better (lower)" : "better (higher)", kp->target);
            fu__pol_path_pop(c, o3);
        }
        if (!rc && isnan(kp->red)) {
            double m = kp->is_rate ? k->amber_margin : k->amber_margin * fabs(kp->target);
            kp->red = !isnan(kp->baseline) ? kp->baseline : (better ? kp->target + m : kp->target - m);
        } else if (!rc && (better ? kp->red < kp->target : kp->red > kp->target)) {
            size_t o3 = fu__pol_path_push(c, "red");
            rc = fu__pol_verr(c, fu__pol_map_get(e, "red"), FU_EPOLICY, "red threshold %g is on the good side of the target %g",
                      kp->red, kp->target);
            fu__pol_path_pop(c, o3);
        }
        if (!rc) rc = fu__pol_field(c, e, "by_tier", 0, &bt);
        if (!rc && bt) {
            size_t o3 = fu__pol_path_push(c, "by_tier");
            rc = fu__pol_want_map(c, bt);
            fu__pol_kpi_override *ov = rc ? NULL : fu__arena_calloc(c->a, bt->n ? bt->n : 1, sizeof *ov);
            if (!rc && !ov) rc = fu__error_nomem();
            for (size_t q = 0; q < (rc ? 0 : bt->n); q++) {
                const char *tn = bt->ents[q].key->text;
                if ((rc = fu__pol_tier_key(b, bt, q))) break;
                ov[q].tier = tn;
                rc = kpi_value(c, bt, tn, 1, d, &ov[q].target);
            }
            if (!rc) {
                kp->by_tier = ov;
                kp->n_by_tier = bt->n;
            }
            fu__pol_path_pop(c, o3);
        }
        fu__pol_path_pop(c, o2);
        if (rc) break;
        nk++;
    }
    if (!rc) {
        k->v = kv;
        k->n = nk;
    }
    fu__pol_path_pop(c, old);
    return rc;
}

static int check_weights(bctx *b, const ynode *map, void *base) {
    const fu__pol_scorecard *s = base;
    double sum = s->satisfaction + s->resolution + s->feedback_conversion + s->efficiency;
    if (fabs(sum - 1.0) > 1e-6) return fu__pol_verr(b->c, map, FU_EPOLICY, "weights must sum to 1, they sum to %g", sum);
    return FU_OK;
}

static const fu__pol_key weight_rows[] = {
    FU__KEY_SHARE(fu__pol_scorecard, satisfaction, "satisfaction", 1, 0, 1),
    FU__KEY_SHARE(fu__pol_scorecard, resolution, "resolution", 1, 0, 1),
    FU__KEY_SHARE(fu__pol_scorecard, feedback_conversion, "feedback_conversion", 1, 0, 1),
    FU__KEY_SHARE(fu__pol_scorecard, efficiency, "efficiency", 1, 0, 1),
};
static const fu__pol_keys weight_keys = FU__KEYS(weight_rows, NULL, check_weights);
static const fu__pol_key scorecard_rows[] = {FU__KEY_MAP("weights", 1, &weight_keys)};
static const fu__pol_keys scorecard_keys = FU__KEYS(scorecard_rows, NULL, NULL);

int fu__pol_build_scorecard(bctx *b, const ynode *root) {
    return fu__pol_read_map(b, root, "scorecard", 1, &scorecard_keys, &b->c->p->t.scorecard);
}

const fu__pol_kpi *fu__policy_kpi(const fu__policy *t, const char *name) {
    return fu__pol_find(t->kpis.v, t->kpis.n, sizeof *t->kpis.v, name);
}


void fu__pol_summary_kpis(fu__buf *b, const fu__policy *t) {
    fu__buf_puts(b, "kpis (target / baseline):");
    for (size_t i = 0; i < t->kpis.n; i++) {
        const fu__pol_kpi *k = &t->kpis.v[i];
        if (isnan(k->target)) fu__buf_printf(b, " %s (no target)", k->name);
        else if (k->is_rate) fu__buf_printf(b, " %s %s%g%%", k->name, k->lower_is_better ? "<=" : "", k->target * 100);
        else fu__buf_printf(b, " %s %g", k->name, k->target);
        if (!isnan(k->baseline)) {
            if (k->is_rate) fu__buf_printf(b, " / %g%%", k->baseline * 100);
            else fu__buf_printf(b, " / %g", k->baseline);
        }
        fu__buf_puts(b, i + 1 < t->kpis.n ? ";" : "");
    }
}

void fu__pol_summary_scorecard(fu__buf *b, const fu__policy *t) {
    fu__buf_printf(b, "\nscorecard: satisfaction %.2f, resolution %.2f, feedback conversion %.2f, efficiency %.2f\n",
                   t->scorecard.satisfaction, t->scorecard.resolution, t->scorecard.feedback_conversion,
                   t->scorecard.efficiency);
}
