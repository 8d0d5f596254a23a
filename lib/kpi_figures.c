/* fu_kpi_compute(), the end: churn denominators, percentiles, labels and the
 * figures with their intervals and RAG status. Definitions: docs/kpi.md. */
#include "kpi_internal.h"

/* ---- finalisation ---- */

typedef struct gp {
    uint32_t group, period, idx;
} gp;

/* The cells in (group, period) order (each pair names one cell): a
 * counting sort by period, then a stable one by group; NULL when out of
 * memory (c->rc). */
static gp *cells_by_group(ctx *c) {
    size_t n = c->b.nc, np = c->np + 1, ng = c->b.ng, m = (np > ng ? np : ng) + 1; /* periods 0..c->np */
    gp *o = fu__malloc(n * sizeof *o), *t = fu__malloc(n * sizeof *t);
    size_t *at = fu__malloc(m * sizeof *at);
    if (!o || !t || !at) {
        FU_FREE_ALL(o, t, at);
        c->rc = fu__error_nomem();
        return NULL;
    }
    memset(at, 0, (np + 1) * sizeof *at);
    for (size_t i = 0; i < n; i++) at[c->b.ch[i].period + 1]++;
    for (size_t p = 0; p < np; p++) at[p + 1] += at[p];
    for (size_t i = 0; i < n; i++) {
        gp *x = &t[at[c->b.ch[i].period]++];
        x->group = c->b.ch[i].group;
        x->period = c->b.ch[i].period;
        x->idx = (uint32_t)i;
    }
    memset(at, 0, (ng + 1) * sizeof *at);
    for (size_t i = 0; i < n; i++) at[t[i].group + 1]++;
    for (size_t g = 0; g < ng; g++) at[g + 1] += at[g];
    for (size_t i = 0; i < n; i++) o[at[t[i].group]++] = t[i];
    FU_FREE_ALL(t, at);
    return o;
}

/* Churn denominators: prefix sums of the deltas along each group's periods,
 * creating cells for periods in which customers were active but nothing
 * else happened. */
int fu__kpi_churn_finalize(ctx *c) {
    size_t n = c->b.nc;
    if (!n) return FU_OK;
    gp *o = cells_by_group(c);
    if (!o) return c->rc;
    for (size_t a = 0; a < n && !c->rc;) {
        uint32_t g = o[a].group;
        int64_t running = 0, prev = -1;
        size_t b = a;
        for (; b < n && o[b].group == g && !c->rc; b++) {
            for (int64_t pp = prev + 1; running > 0 && pp < (int64_t)o[b].period && c->pstart[pp] <= c->as_of; pp++) {
                int64_t ci = fu__kpi_cell_of(c, (uint32_t)pp, g);
                if (ci >= 0) c->b.cm[ci].churn_n = (uint32_t)running;
            }
            cmisc *ce = &c->b.cm[o[b].idx];
            running += ce->churn_delta;
            if (c->pstart[o[b].period] <= c->as_of && running > 0) ce->churn_n = (uint32_t)running;
            prev = o[b].period;
        }
        for (int64_t pp = prev + 1; running > 0 && pp < (int64_t)c->np && c->pstart[pp] <= c->as_of && !c->rc; pp++) {
            int64_t ci = fu__kpi_cell_of(c, (uint32_t)pp, g);
            if (ci >= 0) c->b.cm[ci].churn_n = (uint32_t)running;
        }
        a = b;
    }
    fu__free(o);
    for (size_t i = 0; i < c->b.nc; i++)
        if (c->b.cm[i].churn_x > c->b.cm[i].churn_n) c->b.cm[i].churn_n = c->b.cm[i].churn_x;
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

/* The response times grouped by cell (a counting sort: cmisc rt_off and
 * rt_n) in *vals (fu__free; NULL when there are none), *most_out the most
 * of one cell; each cell's are sorted when its figures are made. */
static int rt_group(ctx *c, uint32_t **vals, uint32_t *most_out) {
    *vals = NULL;
    *most_out = 0;
    if (!c->b.n_rt) return FU_OK;
    uint32_t *v = fu__malloc(c->b.n_rt * sizeof *v);
    if (!v) return fu__error_nomem();
    for (size_t i = 0; i < c->b.n_rt; i++) c->b.cm[c->b.rt_cell[i]].rt_n++;
    uint32_t off = 0, most = 0;
    for (size_t i = 0; i < c->b.nc; i++) {
        c->b.cm[i].rt_off = off;
        off += c->b.cm[i].rt_n;
        if (c->b.cm[i].rt_n > most) most = c->b.cm[i].rt_n;
        c->b.cm[i].rt_n = 0;
    }
    for (size_t i = 0; i < c->b.n_rt; i++) {
        cmisc *ce = &c->b.cm[c->b.rt_cell[i]];
        memcpy(&v[ce->rt_off + ce->rt_n++], &c->b.rt_val[i], sizeof *v);
    }
    *vals = v;
    *most_out = most;
    return FU_OK;
}

/* t quantile of the policy's confidence for df degrees of freedom, kept in
 * tq (a thread's, 0: not yet) for df 1..1024. */
static double t_of(const ctx *c, double *tq, double df) {
    double conf = c->pol->kpis.confidence, t = NAN;
    if (df >= 1 && df <= 1024 && df == floor(df)) {
        double *slot = &tq[(size_t)df];
        if (*slot == 0) fu_stats_t_quantile(0.5 + conf / 2.0, df, slot);
        return *slot;
    }
    fu_stats_t_quantile(0.5 + conf / 2.0, df, &t);
    return t;
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

/* The labels of the agents of the cells' groups (grouping by agent), by
 * label id: masked, those that mask alike told apart (fu__kpi_agent_labels).
 * They depend only on the set of agents with a cell, the same for one book
 * and for its partials merged. */
static int make_agent_labels(ctx *c, const char ***out) {
    fu_kpi *k = c->k;
    *out = NULL;
    if (!(k->o.by & FU_KPI_BY_AGENT) || k->str.n < 2) return FU_OK;
    size_t ns = k->str.n, n = 0;
    const char **al = fu__calloc(ns, sizeof *al);
    unsigned char *used = fu__calloc(ns, 1);
    uint32_t *ids = fu__malloc(ns * sizeof *ids);
    char **lab = fu__calloc(ns, sizeof *lab);
    int rc = !al || !used || !ids || !lab ? fu__error_nomem() : FU_OK;
    for (size_t i = 0; i < c->b.nc && !rc; i++) used[c->b.gk[c->b.ch[i].group].agent] = 1;
    for (size_t id = 1; id < ns && !rc; id++)
        if (used[id]) ids[n++] = (uint32_t)id;
    if (!rc) rc = fu__kpi_agent_labels(k, ids, n, lab);
    for (size_t i = 0; i < n && !rc; i++) {
        rc = keep_label(k, lab[i], &al[ids[i]]);
        lab[i] = NULL;
    }
    for (size_t i = 0; lab && i < n; i++) fu__free(lab[i]);
    FU_FREE_ALL(used, ids, lab);
    if (rc) {
        fu__free(al);
        return rc;
    }
    *out = al;
    return FU_OK;
}

static int make_group_label(ctx *c, const char *const *alabel, const gkey *g, const char **out) {
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
        fu__buf_printf(&b, "%s%s", sep, g->agent ? alabel[g->agent] : "unassigned");
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

/* ord[0..n) sorted by key = period * (ngs + 1) + group rank (a cell's
 * own: no two alike): a counting sort by the group rank, then a stable one
 * by the period (np periods). */
static int cord_sort(cord *ord, size_t n, size_t ngs, size_t np) {
    size_t r = ngs + 1, m = (r > np ? r : np) + 1;
    cord *t = fu__malloc(n * sizeof *t);
    size_t *at = fu__malloc(m * sizeof *at);
    if (!t || !at) {
        FU_FREE_ALL(t, at);
        return fu__error_nomem();
    }
    memset(at, 0, (r + 1) * sizeof *at);
    for (size_t i = 0; i < n; i++) at[ord[i].key % r + 1]++;
    for (size_t j = 0; j < r; j++) at[j + 1] += at[j];
    for (size_t i = 0; i < n; i++) t[at[ord[i].key % r]++] = ord[i];
    memset(at, 0, (np + 1) * sizeof *at);
    for (size_t i = 0; i < n; i++) at[t[i].key / r + 1]++;
    for (size_t j = 0; j < np; j++) at[j + 1] += at[j];
    for (size_t i = 0; i < n; i++) ord[at[t[i].key / r]++] = t[i];
    FU_FREE_ALL(t, at);
    return FU_OK;
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

/* A cell's accumulators copied next to each other (fu__kpi_build_figures reads the
 * cells of a period once each, in report order, instead of 20 times at
 * random). */
typedef struct crow {
    chead h;
    KPI_CELL_ACCUMULATORS
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

/* What the figures of one compute share (read only while they are made). */
typedef struct figctx {
    const char **glabel, **plabel; /* labels of groups and periods */
    const char **alabel;           /* agent labels by label id (grouping by agent) */
    uint32_t *rtv;                 /* response times by cell (fu__kpi_rt_group) */
    uint32_t rt_most;              /* the most of one cell */
    ragc (*rag)[FU__POL_MAX_TIERS + 1]; /* RAG rules by KPI and tier, all found */
    double cap_day;                /* calls per agent day of the efficiency */
    const cord *ord;               /* the reported cells in report order */
} figctx;

/* One thread's part of the figures: the reported cells ord[o0..o1), whole
 * periods, their figures written from fig[0] and their scorecards from
 * sc[0]; with fig NULL only counted (nothing written, no response times
 * read or sorted). */
typedef struct figpart {
    const figctx *fx;
    ctx *c;
    size_t o0, o1;
    fu_kpi_figure *fig;
    fu_kpi_scorecard *sc;
    size_t nfig, nsc; /* written (or counted) */
    crow *rows;       /* the cells of one period side by side */
    size_t cap_rows;
    uint32_t *tmp;    /* sort scratch (rt_most) */
    double tq[1025];  /* t quantiles by degrees of freedom (t_of) */
} figpart;

/* The agent scorecard of a cell (grouping by agent), appended to the
 * engine's scorecards; 1 when it has a figure. */
static int score_figure(ctx *c, figpart *fp, const crow *rw, fu_kpi_figure *f) {
    fu_kpi *k = c->k;
    const figctx *fx = fp->fx;
    const fu_kpi_options *o = &k->o;
    const chead *ce = &rw->h;
    const csurv *cs = &rw->s;
    const ccont *cc = &rw->c;
    size_t pi = ce->period;
    const gkey *g = &c->b.gk[ce->group];
    const fu__pol_scorecard *w = &c->pol->scorecard;
    double cap_day = fx->cap_day;
    const char **glabel = fx->glabel, **plabel = fx->plabel;
    int have = 0;
    do {
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
        f->value = num / wsum;
        f->n = csn + (double)r->n + (double)fb->n;
        f->ci_low = fmax(0, f->value - k->z * sqrt(var));
        f->ci_high = fmin(1, f->value + k->z * sqrt(var));
        sc.score = f->value;
        sc.ci_low = f->ci_low;
        sc.ci_high = f->ci_high;
        sc.agent = fx->alabel[g->agent];
        sc.group = glabel[ce->group];
        sc.period = plabel[pi];
        if (fp->fig) fp->sc[fp->nsc] = sc;
        fp->nsc++;
        break;
    } while (0);
    return have;
}

/* The value, interval and n of KPI `id` in a cell; 1 when it has a figure. */
static int figure_value(ctx *c, figpart *fp, int id, const crow *rw, fu_kpi_figure *f) {
    fu_kpi *k = c->k;
    const csurv *cs = &rw->s;
    const ccont *cc = &rw->c;
    const cmisc *cm = &rw->m;
    const fu_kpi_options *o = &k->o;
    size_t pi = rw->h.period;
    const uint32_t *rtv = fp->fx->rtv;
    int have = 0;
    switch (fu__kpi_vtype[id]) {
    case VT_PROP: {
        int pk = fu__kpi_prop[id];
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
        f->n = (double)pn;
        f->successes = (double)px;
        f->value = f->successes / f->n;
        fu__stats_wilson_z(f->successes, f->n, k->z, &f->ci_low, &f->ci_high);
        break;
    }
    case VT_MEAN: {
        double n = id == FU_KPI_CSAT ? cs->csat_n : cs->ces_n;
        double s = id == FU_KPI_CSAT ? cs->csat_s : cs->ces_s;
        double ss = id == FU_KPI_CSAT ? cs->csat_ss : cs->ces_ss;
        if (n <= 0) break;
        have = 1;
        f->n = n;
        f->value = s / n;
        if (n >= 2) {
            double var = (ss - n * f->value * f->value) / (n - 1);
            double half = t_of(c, fp->tq, n - 1) * sqrt((var > 0 ? var : 0) / n);
            f->ci_low = f->value - half;
            f->ci_high = f->value + half;
            if (f->ci_low < (id == FU_KPI_CSAT ? 1 : 1)) f->ci_low = 1;
            if (f->ci_high > (id == FU_KPI_CSAT ? 5 : 7)) f->ci_high = id == FU_KPI_CSAT ? 5 : 7;
        }
        break;
    }
    case VT_NPS:
        if (!cs->nps_n) break;
        have = 1;
        f->n = (double)cs->nps_n;
        fu__stats_nps_z((double)cs->nps_p, (double)cs->nps_d, f->n, k->z, &f->value, &f->ci_low, &f->ci_high);
        break;
    case VT_QUANT: {
        if (!cm->rt_n) break;
        have = 1;
        if (!fp->fig) break; /* counted: the times may be being sorted */
        size_t n = cm->rt_n;
        const uint32_t *x = rtv + cm->rt_off;
        double q = id == FU_KPI_RESPONSE_P50 ? 0.5 : 0.9;
        f->n = (double)n;
        f->value = quantile(x, n, q);
        if (n >= 2) {
            double s = k->z * sqrt((double)n * q * (1 - q));
            double lo = floor((double)n * q - s), hi = ceil((double)n * q + s);
            if (lo < 1) lo = 1;
            if (hi > (double)n) hi = (double)n;
            f->ci_low = rt_at(x, (size_t)lo - 1);
            f->ci_high = rt_at(x, (size_t)hi - 1);
        }
        break;
    }
    case VT_RATIO: {
        const crev *cr = &rw->r;
        if (!c->costs || cc->n == 0 || cc->cost <= 0) break;
        have = 1;
        f->n = (double)cc->n;
        f->value = cr->r / cc->cost;
        if (cc->n >= 2) {
            double n = (double)cc->n, R = f->value, mc = cc->cost / n;
            double var = (cr->r2 - 2 * R * cr->cr + R * R * cc->cost2) / (n - 1);
            if (var < 0) var = 0;
            double half = k->z * sqrt(var / n) / mc;
            f->ci_low = R - half;
            f->ci_high = R + half;
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
        f->n = (double)cc->n;
        f->value = cc->cost / budget - 1;
        break;
    }
    case VT_UPLIFT:
        have = uplift_figure(c, (fu_kpi_id)id, &rw->u, cc, f);
        break;
    case VT_SCORE:
        have = score_figure(c, fp, rw, f);
        break;
    }
    return have;
}

/* The RAG rule of KPI id for a tier (NULL: none; index ti in rag[id]). */
static int rag_find(ctx *c, ragc *rg, int id, const char *tier) {
    rg->target = rg->red = NAN;
    rg->lower = fu__kpi_lower_better[id];
    rg->rule = "";
    int found = fu__kpi_rag_lookup(c->pol, (fu_kpi_id)id, tier, &rg->target, &rg->red, &rg->lower, &rg->rule);
    rg->found = found + 1;
    if (found != 2) return FU_OK;
    fu__buf b = FU__BUF_INIT;
    fu__buf_printf(&b, "%s.%s", fu__policy_kpi(c->pol, fu__kpi_names[id])->rule, tier);
    return b.failed ? (fu__buf_free(&b), fu__error_nomem()) : keep_label(c->k, fu__buf_detach(&b), &rg->rule);
}

/* The RAG rules of every KPI and tier, found before the figures are made
 * (the parts then only read them). */
static int rag_find_all(ctx *c, ragc (*rag)[FU__POL_MAX_TIERS + 1]) {
    size_t nt = (c->k->o.by & FU_KPI_BY_TIER) ? c->pol->segments.n_tiers : 0;
    if (nt > FU__POL_MAX_TIERS) nt = FU__POL_MAX_TIERS;
    int rc = FU_OK;
    for (int id = 0; id < FU_KPI_COUNT && !rc; id++)
        for (size_t t = 0; t <= nt && !rc; t++) rc = rag_find(c, &rag[id][t], id, t ? c->pol->segments.tiers[t - 1].name : NULL);
    return rc;
}

/* Target, rule and status of a figure, from the RAG rule of its KPI and
 * tier (ti: the tier + 1 when grouped by tier, else 0). */
static void figure_rag(const figctx *fx, int id, size_t ti, fu_kpi_figure *f) {
    const ragc *rg = &fx->rag[id][ti];
    int found = rg->found > 1;
    f->target = found ? rg->target : NAN;
    f->rule = found ? rg->rule : "";
    f->status = found ? fu__kpi_rag_status(f->value, rg->target, rg->red, rg->lower) : FU_KPI_STATUS_NONE;
}

/* The cells of one period (ord[b0..b1)) side by side in fp->rows; when
 * writing, each one's response times sorted. */
static int part_rows(figpart *fp, size_t b0, size_t b1) {
    const ctx *c = fp->c;
    const cord *ord = fp->fx->ord;
    int rc = FU_GROW(fp->rows, fp->cap_rows, b1 - b0);
    for (size_t oi = b0; oi < b1 && !rc; oi++) {
        size_t cix = ord[oi].idx;
        crow *rw = &fp->rows[oi - b0];
        rw->h = c->b.ch[cix];
        rw->i = c->b.ci[cix];
        rw->s = c->b.cs[cix];
        rw->c = c->b.cc[cix];
        rw->r = c->b.cr[cix];
        rw->m = c->b.cm[cix];
        rw->u = c->b.cu[cix];
        if (fp->fig && rw->m.rt_n > 1) sort_u32(fp->fx->rtv + rw->m.rt_off, rw->m.rt_n, fp->tmp);
    }
    return rc;
}

/* The figures of a part (figpart), period by period. */
static int figures_part(figpart *fp) {
    ctx *c = fp->c;
    const figctx *fx = fp->fx;
    const cord *ord = fx->ord;
    int by_tier = (c->k->o.by & FU_KPI_BY_TIER) != 0, rc = FU_OK;
    if (fp->fig && fx->rt_most > 48 && !(fp->tmp = fu__malloc(fx->rt_most * sizeof *fp->tmp))) return fu__error_nomem();
    for (size_t b0 = fp->o0; b0 < fp->o1 && !rc;) {
        size_t b1 = b0;
        while (b1 < fp->o1 && c->b.ch[ord[b1].idx].period == c->b.ch[ord[b0].idx].period) b1++;
        rc = part_rows(fp, b0, b1);
        for (int id = 0; id < FU_KPI_COUNT && !rc; id++)
            for (size_t oi = b0; oi < b1; oi++) {
                const crow *rw = &fp->rows[oi - b0];
                const chead *ce = &rw->h;
                size_t pi = ce->period;
                fu_kpi_figure f;
                memset(&f, 0, sizeof f);
                f.value = f.ci_low = f.ci_high = f.successes = NAN;
                if (!figure_value(c, fp, id, rw, &f)) continue;
                if (!fp->fig) {
                    fp->nfig++;
                    continue;
                }
                f.kpi = (fu_kpi_id)id;
                f.name = fu__kpi_names[id];
                f.group = fx->glabel[ce->group];
                f.period = fx->plabel[pi];
                f.period_start = c->pstart[pi];
                f.period_end = c->pstart[pi + 1];
                f.period_index = pi;
                f.group_index = ce->group;
                figure_rag(fx, id, by_tier ? c->b.gk[ce->group].tier : 0, &f);
                fp->fig[fp->nfig++] = f;
            }
        b0 = b1;
    }
    FU_FREE_ALL(fp->rows, fp->tmp);
    fp->rows = NULL, fp->tmp = NULL, fp->cap_rows = 0;
    return rc;
}

/* The second thread's part: it counts the first part's figures and
 * scorecards (so that it knows where its own go), then writes its own. */
static int figures_second(void *arg) {
    figpart *fp = arg;
    fu_kpi *k = fp->c->k;
    size_t o1 = fp->o1;
    fp->o1 = fp->o0, fp->o0 = 0, fp->fig = NULL;
    int rc = figures_part(fp);
    if (rc) return rc;
    fp->o0 = fp->o1, fp->o1 = o1;
    fp->fig = k->fig + fp->nfig, fp->sc = k->sc ? k->sc + fp->nsc : NULL;
    fp->nfig = fp->nsc = 0;
    return figures_part(fp);
}

/* Where the second thread's part begins: the first period that starts
 * past FIG_SHARE of the reported cells. The first thread writes its part;
 * the second counts the first's, then writes its own. Counting costs about
 * 30% of writing (bench_kpi, 10 M events, thread CPU: 0.019 s to count 60%
 * of the cells, 0.063-0.070 s to write them with their response times
 * sorted), so the first takes 60% and both end together. */
#define FIG_SHARE 0.6
static size_t figures_split(const ctx *c, const cord *ord, size_t nord) {
    size_t h = (size_t)((double)nord * FIG_SHARE);
    while (h > 0 && h < nord && c->b.ch[ord[h].idx].period == c->b.ch[ord[h - 1].idx].period) h++;
    return h;
}

/* The figures of the reported cells (ord[0..nord)) in k->fig and k->sc. */
static int figures_make(ctx *c, const figctx *fx, size_t nord) {
    fu_kpi *k = c->k;
    size_t h = k->threads_used > 1 ? figures_split(c, fx->ord, nord) : nord;
    figpart *fp = fu__calloc(2, sizeof *fp);
    if (!fp) return fu__error_nomem();
    fp[0].fx = fp[1].fx = fx;
    fp[0].c = fp[1].c = c;
    fp[0].o0 = 0, fp[0].o1 = h, fp[0].fig = k->fig, fp[0].sc = k->sc;
    fp[1].o0 = h, fp[1].o1 = nord, fp[1].sc = k->sc;
    fu__kpi_side side;
    int two = h < nord;
    if (two) fu__kpi_side_start(&side, figures_second, &fp[1]);
    int rc = figures_part(&fp[0]);
    if (two) rc = fu__kpi_side_join(&side, rc);
    k->fig_first = fp[0].nfig;
    k->n_fig = fp[0].nfig + fp[1].nfig;
    k->n_sc = fp[0].nsc + fp[1].nsc;
    fu__free(fp);
    return rc;
}

/* The reported cells, their group and period labels, and their order
 * (period, then group label) in *ord. */
static int figures_order(ctx *c, const char **alabel, const char **glabel, const char **plabel, cord *ord,
                         size_t *nord_out) {
    const fu_kpi_options *o = &c->k->o;
    uint32_t *grank = c->b.ng ? fu__calloc(c->b.ng, sizeof *grank) : NULL;
    gsort *gs = c->b.ng ? fu__calloc(c->b.ng, sizeof *gs) : NULL;
    int rc = c->b.ng && (!grank || !gs) ? fu__error_nomem() : FU_OK;
    size_t nord = 0, ngs = 0;
    for (size_t i = 0; i < c->b.nc && !rc; i++) {
        const chead *ce = &c->b.ch[i];
        size_t pi = ce->period;
        if (o->from != FU_KPI_NO_TIME && c->pstart[pi + 1] <= o->from) continue;
        if (o->to != FU_KPI_NO_TIME && c->pstart[pi] >= o->to) continue;
        if (!glabel[ce->group]) {
            rc = make_group_label(c, alabel, &c->b.gk[ce->group], &glabel[ce->group]);
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
    for (size_t i = 0; i < nord && !rc; i++) ord[i].key = ord[i].key * (ngs + 1) + grank[c->b.ch[ord[i].idx].group];
    if (!rc && nord) rc = cord_sort(ord, nord, ngs, c->np);
    FU_FREE_ALL(grank, gs);
    *nord_out = nord;
    return rc;
}

/* The response times grouped (rt_group), on the second thread while the
 * calling thread prepares the figures (they touch other fields). */
typedef struct rtjob {
    ctx *c;
    uint32_t *v, most;
} rtjob;

static int rt_job(void *arg) {
    rtjob *j = arg;
    return rt_group(j->c, &j->v, &j->most);
}

int fu__kpi_build_figures(ctx *c) {
    fu_kpi *k = c->k;
    rtjob rj = {c, NULL, 0};
    fu__kpi_side side;
    int two = k->threads_used > 1, rc_rt = FU_OK;
    if (two) fu__kpi_side_start(&side, rt_job, &rj);
    else rc_rt = rt_job(&rj);
    const char **glabel = c->b.ng ? fu__calloc(c->b.ng, sizeof *glabel) : NULL;
    const char **plabel = c->np ? fu__calloc(c->np, sizeof *plabel) : NULL;
    cord *ord = c->b.nc ? fu__malloc(c->b.nc * sizeof *ord) : NULL;
    ragc rag[FU_KPI_COUNT][FU__POL_MAX_TIERS + 1];
    memset(rag, 0, sizeof rag);
    int rc = ((c->b.ng && !glabel) || (c->np && !plabel) || (c->b.nc && !ord)) ? fu__error_nomem() : FU_OK;
    size_t maxf = c->b.nc * FU_KPI_COUNT, nord = 0;
    const char **alabel = NULL;
    if (!rc) rc = make_agent_labels(c, &alabel);
    if (!rc) rc = rag_find_all(c, rag);
    if (!rc && maxf) {
        k->fig = fu__malloc(maxf * sizeof *k->fig);
        if (!k->fig) rc = fu__error_nomem();
    }
    if (!rc && c->b.nc && (k->o.by & FU_KPI_BY_AGENT)) {
        k->sc = fu__malloc(c->b.nc * sizeof *k->sc);
        if (!k->sc) rc = fu__error_nomem();
    }
    if (!rc) rc = figures_order(c, alabel, glabel, plabel, ord, &nord);
    if (two) rc = fu__kpi_side_join(&side, rc);
    else if (!rc) rc = rc_rt;
    figctx fx = {glabel, plabel, alabel, rj.v, rj.most, rag,
                 c->pol->capacity.calls_per_agent_day_min > 0 ? c->pol->capacity.calls_per_agent_day_min : 1, ord};
    if (!rc && nord) rc = figures_make(c, &fx, nord);
    FU_FREE_ALL((void *)glabel, (void *)plabel, (void *)alabel, ord, rj.v);
    return rc;
}
