/* fu_kpi_compute(): the computation context, periods in the policy zone,
 * groups and cells (accumulators split by kind of unit), one pass per
 * customer in time order that logs units, the log applied in blocks of cells.
 * Finalisation and figures are in kpi_figures.c. Definitions: docs/kpi.md. */
#include "kpi_internal.h"
#include "book_internal.h"
#include "resolution_internal.h"
#include "segment_internal.h"

const signed char fu__kpi_prop[FU_KPI_COUNT] = {
    P_COV, P_TIME, -1, -1, P_RES, P_FCR, P_FB, P_REP, -1, P_TOP2, -1,
    -1,    P_COM,  P_OVER, P_FUC, P_WIN, P_REPUR, P_CHURN, -1, -1, P_QC, -1, -1, -1, -1};


void fu__kpass_free(kpass *p) {
    FU_FREE_ALL(p->gk, p->gtab, p->gdir, p->ulog, p->ulog2, p->ubin, p->ch, p->ci, p->cs, p->cc, p->cr, p->cm, p->cu,
                p->ctab, p->dense, p->cbit, p->dense_old, p->rt_cell, p->rt_val, p->kb, p->nr, p->pr, p->pc, p->pe,
                p->pcl, p->rev, p->rt, p->ri, p->pu, p->res, p->dr, p->kix);
}

void fu__kpi_ctx_free(ctx *c) {
    fu__kpass_free(&c->b);
    FU_FREE_ALL(c->pstart, c->pday0, c->dstart, c->dreg, c->kc, c->kd, c->kmask, c->dc.agent, c->dc.pclass);
    for (int i = 0; i < FU_EVENT_KIND_COUNT; i++) fu__free(c->trig[i]);
}

static int64_t floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/* t + d. Returns 0 and sets *out, or -1 when it cannot be computed (a
 * negative duration in business time, a calendar range error). */
static int add_secs(int64_t t, int64_t s, int64_t *out) {
    if ((s > 0 && t > INT64_MAX - s) || (s < 0 && t < INT64_MIN - s)) return -1;
    *out = t + s;
    return 0;
}
static int add_dur_cal(const ctx *c, const fu_duration *d, int64_t t, int64_t *out);
static inline int add_dur(const ctx *c, const fu_duration *d, int64_t t, int64_t *out) {
    return d->unit == FU_DURATION_SECONDS ? add_secs(t, d->value, out) : add_dur_cal(c, d, t, out);
}
static int add_dur_cal(const ctx *c, const fu_duration *d, int64_t t, int64_t *out) {
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
    if (c->k->o.to != FU_KPI_NO_TIME && !c->k->n_parts && c->k->o.to < tmax) tmax = c->k->o.to; /* none after `to` */
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
        if (y < 1 || (y > 9999 && !n)) return fu__error_set(FU_ERANGE, "a period lies outside years 1..9999");
        fu_local lt = {(int)y, m, d, 0, 0, 0, 0, 0, 0};
        int64_t s = FU__TIME_MAX + 1; /* the last period ends with year 9999 */
        int rc = y > 9999 ? FU_OK : fu_calendar_from_local(c->cal, &lt, 0, &s);
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
static int64_t period_search(const ctx *c, int64_t t, size_t g);
static inline int64_t period_of(const ctx *c, int64_t t) {
    if (c->np == 0 || t < c->pstart[0] || t >= c->pstart[c->np]) return -1;
    size_t g = (size_t)((double)(t - c->pstart[0]) * c->pinv);
    if (g >= c->np) g = c->np - 1;
    if (t >= c->pstart[g] && t < c->pstart[g + 1]) return (int64_t)g; /* the usual case, inline */
    return period_search(c, t, g);
}

/* period_of when the first guess g missed: a step or two, else a binary search. */
static int64_t period_search(const ctx *c, int64_t t, size_t g) {
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

static uint32_t ghash_of(const ctx *c, uint32_t i) { return gkey_hash(&c->b.gk[i]); }
static uint64_t ckey(uint32_t period, uint32_t group) { return ((uint64_t)period << 32) | group; }
static uint32_t chash_of(const ctx *c, uint32_t i) { return hash64(ckey(c->b.ch[i].period, c->b.ch[i].group)); }

/* Group index of a key, added when new; -1 on failure (c->rc set). */
int64_t fu__kpi_group_of(ctx *c, const gkey *g) {
    uint32_t h = gkey_hash(g);
    if (c->b.gtcap) {
        size_t j = h & (c->b.gtcap - 1);
        while (c->b.gtab[j]) {
            uint32_t i = c->b.gtab[j] - 1;
            if (memcmp(&c->b.gk[i], g, sizeof *g) == 0) return i;
            j = (j + 1) & (c->b.gtcap - 1);
        }
    }
    if ((c->b.ng + 1) * 2 > c->b.gtcap) {
        int rc = rehash_u32(&c->b.gtab, &c->b.gtcap, c->b.gtcap ? c->b.gtcap * 2 : 64, c->b.ng, ghash_of, c);
        if (rc) return c->rc = rc, -1;
    }
    int rc = FU_GROW(c->b.gk, c->b.cap_g, c->b.ng + 1);
    if (rc) return c->rc = rc, -1;
    c->b.gk[c->b.ng] = *g;
    size_t j = h & (c->b.gtcap - 1);
    while (c->b.gtab[j]) j = (j + 1) & (c->b.gtcap - 1);
    c->b.gtab[j] = (uint32_t)c->b.ng + 1;
    return (int64_t)c->b.ng++;
}

/* Most entries of the dense (group x period) cell index; beyond it cells
 * are found through a hash table. */
#define DENSE_MAX (UINT64_C(1) << 25)

static int grow_cells(ctx *c) {
    size_t ncap = c->b.cap_c ? c->b.cap_c * 2 : 1024;
#define GROW_ONE(arr)                                              \
    do {                                                           \
        void *p_ = fu__realloc(c->b.arr, ncap * sizeof *c->b.arr);     \
        if (!p_) return fu__error_nomem();                         \
        c->b.arr = p_;                                               \
    } while (0)
    GROW_ONE(ch);
    GROW_ONE(ci);
    GROW_ONE(cs);
    GROW_ONE(cc);
    GROW_ONE(cr);
    GROW_ONE(cm);
    GROW_ONE(cu);
#undef GROW_ONE
    c->b.cap_c = ncap;
    return FU_OK;
}

static int64_t new_cell(ctx *c, uint32_t period, uint32_t group) {
    if (c->b.nc >= CELL_KEY - 1) return c->rc = fu__error_set(FU_ELIMIT, "too many (period, group) cells"), -1;
    if (c->b.nc + 1 > c->b.cap_c) {
        int rc = grow_cells(c);
        if (rc) return c->rc = rc, -1;
    }
    size_t i = c->b.nc;
    c->b.ch[i].period = period;
    c->b.ch[i].group = group;
    memset(&c->b.ci[i], 0, sizeof c->b.ci[i]);
    memset(&c->b.cs[i], 0, sizeof c->b.cs[i]);
    memset(&c->b.cc[i], 0, sizeof c->b.cc[i]);
    memset(&c->b.cr[i], 0, sizeof c->b.cr[i]);
    memset(&c->b.cm[i], 0, sizeof c->b.cm[i]);
    memset(&c->b.cu[i], 0, sizeof c->b.cu[i]);
    return (int64_t)c->b.nc++;
}

static int64_t cell_of_hash(ctx *c, uint32_t period, uint32_t group);

/* Cell of (period, group), added when new; -1 on failure. */
int64_t fu__kpi_cell_of(ctx *c, uint32_t period, uint32_t group) {
    if (c->b.hash_mode) return cell_of_hash(c, period, group);
    if (group >= c->b.dense_groups) {
        size_t ng = c->b.dense_groups ? c->b.dense_groups : 16;
        while (ng <= group) ng *= 2;
        if ((uint64_t)ng * (c->np + 1) > DENSE_MAX) {
            /* too many: move every cell into the hash table */
            int rc = rehash_u32(&c->b.ctab, &c->b.ctcap, 256, 0, chash_of, c);
            c->b.hash_mode = 1;
            for (size_t i = 0; i < c->b.nc && !rc; i++) {
                if ((i + 1) * 2 > c->b.ctcap) rc = rehash_u32(&c->b.ctab, &c->b.ctcap, c->b.ctcap * 2, i, chash_of, c);
                if (rc) break;
                size_t j = chash_of(c, (uint32_t)i) & (c->b.ctcap - 1);
                while (c->b.ctab[j]) j = (j + 1) & (c->b.ctcap - 1);
                c->b.ctab[j] = (uint32_t)i + 1;
            }
            if (rc) return c->rc = rc, -1;
            /* the handles given out so far still name their cells */
            c->b.dense_old = c->b.dense;
            c->b.dense = NULL;
            fu__free(c->b.cbit);
            c->b.cbit = NULL;
            c->b.mixed = 1;
            return cell_of_hash(c, period, group);
        }
        uint32_t *d = fu__realloc(c->b.dense, ng * (c->np + 1) * sizeof *d);
        if (!d) return c->rc = fu__error_nomem(), -1;
        memset(d + c->b.dense_groups * (c->np + 1), 0, (ng - c->b.dense_groups) * (c->np + 1) * sizeof *d);
        c->b.dense = d;
        size_t w0 = (c->b.dense_groups * (c->np + 1) + 63) / 64, w1 = (ng * (c->np + 1) + 63) / 64;
        uint64_t *b = fu__realloc(c->b.cbit, w1 * sizeof *b);
        if (!b) return c->rc = fu__error_nomem(), -1;
        memset(b + w0, 0, (w1 - w0) * sizeof *b);
        c->b.cbit = b;
        c->b.dense_groups = ng;
    }
    uint32_t *slot = &c->b.dense[(size_t)group * (c->np + 1) + period];
    if (*slot) return *slot - 1;
    int64_t ci = new_cell(c, period, group);
    if (ci >= 0) *slot = (uint32_t)ci + 1;
    return ci;
}

static int64_t cell_of_hash(ctx *c, uint32_t period, uint32_t group) {
    uint64_t key = ckey(period, group);
    if ((int64_t)key == c->b.last_cell_key && c->b.last_cell >= 0) return c->b.last_cell;
    uint32_t h = hash64(key);
    if (c->b.ctcap) {
        size_t j = h & (c->b.ctcap - 1);
        while (c->b.ctab[j]) {
            uint32_t i = c->b.ctab[j] - 1;
            if (c->b.ch[i].period == period && c->b.ch[i].group == group) {
                c->b.last_cell_key = (int64_t)key;
                return c->b.last_cell = i;
            }
            j = (j + 1) & (c->b.ctcap - 1);
        }
    }
    if ((c->b.nc + 1) * 2 > c->b.ctcap) {
        int rc = rehash_u32(&c->b.ctab, &c->b.ctcap, c->b.ctcap ? c->b.ctcap * 2 : 256, c->b.nc, chash_of, c);
        if (rc) return c->rc = rc, -1;
    }
    int64_t ci = new_cell(c, period, group);
    if (ci < 0) return -1;
    size_t j = h & (c->b.ctcap - 1);
    while (c->b.ctab[j]) j = (j + 1) & (c->b.ctcap - 1);
    c->b.ctab[j] = (uint32_t)ci + 1;
    c->b.last_cell_key = (int64_t)key;
    return c->b.last_cell = ci;
}

static int64_t group_hashed(ctx *c, const uattr *ua) {
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
    if (c->b.gcache[slot] && memcmp(&c->b.gk[c->b.gcache[slot] - 1], &g, sizeof g) == 0) return c->b.gcache[slot] - 1;
    int64_t r = fu__kpi_group_of(c, &g);
    if (r >= 0) c->b.gcache[slot] = (uint32_t)r + 1;
    return r;
}

/* The direct group index's dimensions (c->b.gdir), from the grouping. */
static void group_direct_init(ctx *c) {
    unsigned by = c->k->o.by;
    if ((by & FU_KPI_BY_AGENT) && (by & FU_KPI_BY_SEGMENT)) return;
    c->gdo = by & FU_KPI_BY_AGENT ? 1 : by & FU_KPI_BY_SEGMENT ? 2 : 0;
    c->gdch = by & FU_KPI_BY_PRODUCT_CLASS ? GDIR_DIM : 1;
    c->gdt = c->gdch * (by & FU_KPI_BY_CHANNEL ? GDIR_DIM : 1);
    c->gdin = c->gdt * (by & FU_KPI_BY_TIER ? GDIR_DIM : 1);
    c->gdchm = by & FU_KPI_BY_CHANNEL ? 0xFFu : 0;
    c->gdpcm = by & FU_KPI_BY_PRODUCT_CLASS ? 0xFFu : 0;
}

/* The current customer's part of the direct index's key (c->gdcust): the
 * tier's offset, or GDIR_NONE when the index cannot hold its tier; with
 * c->gdseg, the segment as the outer key (0 when not grouped by segment). */
#define GDIR_NONE UINT32_MAX
static void group_customer(ctx *c) {
    unsigned by = c->k->o.by;
    uint32_t t = by & FU_KPI_BY_TIER ? (uint32_t)(c->cur_tier + 1) : 0;
    c->gdcust = t < GDIR_DIM ? t * c->gdt : GDIR_NONE;
    c->gdseg = c->gdo == 2 ? c->cur_seg : 0;
}

static int64_t group_slow(ctx *c, const uattr *ua);

/* The group of a unit with attributes ua of the current customer: the
 * direct index when it covers the key, else the hashed table (the index
 * only remembers what the table answered: the same groups, created in the
 * same order). The common case, a key the index holds, inline. */
static inline int64_t group_for(ctx *c, const uattr *ua) {
    if (c->gdin && c->gdcust != GDIR_NONE) {
        uint32_t ch = ua->channel & c->gdchm, pc = ua->pclass & c->gdpcm;
        size_t outer = c->gdo == 1 ? ua->agent : c->gdseg;
        if (ch < GDIR_DIM && pc < GDIR_DIM && outer < c->b.gdir_outer) {
            uint32_t hit = c->b.gdir[outer * c->gdin + c->gdcust + ch * c->gdch + pc];
            if (hit) return hit - 1;
        }
    }
    return group_slow(c, ua);
}

static int64_t group_slow(ctx *c, const uattr *ua) {
    if (!c->gdin) return group_hashed(c, ua);
    unsigned by = c->k->o.by;
    uint32_t t = by & FU_KPI_BY_TIER ? (uint32_t)(c->cur_tier + 1) : 0;
    uint32_t ch = by & FU_KPI_BY_CHANNEL ? ua->channel : 0, pc = by & FU_KPI_BY_PRODUCT_CLASS ? ua->pclass : 0;
    size_t outer = c->gdo == 1 ? ua->agent : c->gdo == 2 ? c->cur_seg : 0;
    if (t >= GDIR_DIM || ch >= GDIR_DIM || pc >= GDIR_DIM) return group_hashed(c, ua);
    if (outer >= c->b.gdir_outer) {
        size_t no = c->b.gdir_outer ? c->b.gdir_outer : 64;
        while (no <= outer) no *= 2;
        if (no * c->gdin > GDIR_MAX) return group_hashed(c, ua);
        uint32_t *d = fu__realloc(c->b.gdir, no * c->gdin * sizeof *d);
        if (!d) return c->rc = fu__error_nomem(), -1;
        memset(d + c->b.gdir_outer * c->gdin, 0, (no - c->b.gdir_outer) * c->gdin * sizeof *d);
        c->b.gdir = d;
        c->b.gdir_outer = no;
    }
    uint32_t *slot = &c->b.gdir[outer * c->gdin + t * c->gdt + ch * c->gdch + pc];
    if (*slot) return *slot - 1;
    int64_t r = group_hashed(c, ua);
    if (r >= 0) *slot = (uint32_t)r + 1;
    return r;
}

/* A handle of the cell of (period p, group g), added when new; -1 on
 * failure. In dense mode the handle is the cell's key with CELL_KEY (the
 * existence bit, not the dense index, is read), else the cell index. */
static int64_t cell_new(ctx *c, size_t p, int64_t g);
static inline int64_t cell_pg(ctx *c, size_t p, int64_t g) {
    if (!c->b.hash_mode && (size_t)g < c->b.dense_groups) {
        size_t key = (size_t)g * (c->np + 1) + p;
        if ((c->b.cbit[key >> 6] >> (key & 63)) & 1u) return (int64_t)(CELL_KEY | key);
    }
    return cell_new(c, p, g);
}

/* cell_pg when the existence bit is not set (or in hash mode). */
static int64_t cell_new(ctx *c, size_t p, int64_t g) {
    int64_t ci = fu__kpi_cell_of(c, (uint32_t)p, (uint32_t)g);
    if (ci < 0 || c->b.hash_mode) return ci;
    size_t key = (size_t)g * (c->np + 1) + p; /* g < dense_groups now */
    c->b.cbit[key >> 6] |= UINT64_C(1) << (key & 63);
    return (int64_t)(CELL_KEY | key);
}

/* The cell index of a handle (cell_pg). */
static uint32_t cell_index(const ctx *c, uint32_t h) {
    if (!(h & CELL_KEY)) return h;
    return (c->b.hash_mode ? c->b.dense_old : c->b.dense)[h & ~CELL_KEY] - 1;
}

/* The cell (a handle) of a unit in period p (none: p < 0) with attributes
 * ua; -1 when none or on failure (c->rc). */
static inline int64_t cell_in(ctx *c, int64_t p, const uattr *ua) {
    if (p < 0) return -1;
    int64_t g = group_for(c, ua);
    if (g < 0) return -1;
    return cell_pg(c, (size_t)p, g);
}

/* ... at time t (-1 also when t lies outside the periods). */
static int64_t cell_for(ctx *c, int64_t t, const uattr *ua) { return cell_in(c, period_of(c, t), ua); }

/* ... at the time of the current customer's event i (c->b.pe: its period). */
static int64_t cell_ev(ctx *c, size_t i, const uattr *ua) { return cell_in(c, c->b.pe[i], ua); }

/* The counters of proportion `prop` in cell `ci`. */
static kp32 *prop_at(ctx *c, int64_t ci, int prop) {
    return prop < P_COV ? &c->b.ci[ci].p[prop] : &c->b.cm[ci].p[prop - P_COV];
}

/* One answer into a mean's count, sum and sum of squares. */
static void mean_add(uint32_t *n, double *s, double *ss, double v) {
    ++*n;
    *s += v;
    *ss += v * v;
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
    case U_ISSUE: { /* bit j < 6: issue proportion j; bit 6: quality closure */
        kp32 *q = c->b.ci[ci].p;
        for (unsigned m = u->a & 0x3Fu; m; m &= m - 1) {
            unsigned j = (unsigned)__builtin_ctz(m);
            q[j].n++;
            q[j].x += (u->b >> j) & 1u;
        }
        if (u->a & 0x40u) {
            kp32 *w = &c->b.cm[ci].p[P_QC - P_COV];
            w->n++;
            w->x += (u->b >> 6) & 1u;
        }
        break;
    }
    case U_CSAT:
        mean_add(&c->b.cs[ci].csat_n, &c->b.cs[ci].csat_s, &c->b.cs[ci].csat_ss, u->v);
        c->b.cs[ci].top2_x += u->v >= 4;
        break;
    case U_NPS: {
        csurv *ce = &c->b.cs[ci];
        ce->nps_n++;
        ce->nps_p += u->v >= 9;
        ce->nps_d += u->v <= 6;
        break;
    }
    case U_CES: mean_add(&c->b.cs[ci].ces_n, &c->b.cs[ci].ces_s, &c->b.cs[ci].ces_ss, u->v); break;
    case U_CONTACT: {
        ccont *ce = &c->b.cc[ci];
        ce->n++;
        ce->over += u->a;
        if (u->day < 32) ce->daymask |= 1u << u->day;
        if (c->costs) {
            double cost = c->k->o.contact_cost[u->b], r = u->v;
            dd_add(&ce->cost, &ce->cost_lo, cost);
            dd_add(&ce->cost2, &ce->cost2_lo, cost * cost);
            if (r != 0) { /* adding zeros changes no sum */
                crev *cv = &c->b.cr[ci];
                dd_add(&cv->r, &cv->r_lo, r);
                dd_add(&cv->r2, &cv->r2_lo, r * r);
                dd_add(&cv->cr, &cv->cr_lo, cost * r);
            }
        }
        break;
    }
    case U_UPL_C:
    case U_UPL_N: {
        cupl *q = &c->b.cu[ci];
        if (u->op == U_UPL_C) {
            q->cn++, q->cx += u->a;
            dd_add(&q->cr, &q->cr_lo, u->v);
            dd_add(&q->cr2, &q->cr2_lo, u->v * u->v);
        } else {
            q->nn++, q->nx += u->a;
            dd_add(&q->nr, &q->nr_lo, u->v);
            dd_add(&q->nr2, &q->nr2_lo, u->v * u->v);
        }
        break;
    }
    case U_CHURN_IN: c->b.cm[ci].churn_delta++; break;
    case U_CHURN_OUT: c->b.cm[ci].churn_delta--; break;
    default: c->b.cm[ci].churn_x++; break;
    }
}

/* Ask for the accumulators unit u will touch. */
static void prefetch_unit(const ctx *c, const unit *u) {
#if defined(__GNUC__)
    size_t ci = u->cell;
    switch (u->op) {
    case U_PROP: __builtin_prefetch(prop_at((ctx *)c, (int64_t)ci, u->a), 1); break;
    case U_ISSUE:
        __builtin_prefetch(&c->b.ci[ci], 1);
        if (u->a & 0x40u) __builtin_prefetch(&c->b.cm[ci], 1);
        break;
    case U_CSAT:
    case U_NPS:
    case U_CES: __builtin_prefetch(&c->b.cs[ci], 1); break;
    case U_CONTACT:
        __builtin_prefetch(&c->b.cc[ci], 1);
        if (c->costs && u->v != 0) __builtin_prefetch(&c->b.cr[ci], 1);
        break;
    case U_UPL_C:
    case U_UPL_N: __builtin_prefetch(&c->b.cu[ci], 1); break;
    default: __builtin_prefetch(&c->b.cm[ci], 1); break;
    }
#else
    (void)c;
    (void)u;
#endif
}

/* Apply n units, asking for the cells a few units ahead. */
static void apply_units(ctx *c, const unit *u, size_t n) {
    enum { AHEAD = 8 };
    for (size_t i = 0; i < n && i < AHEAD; i++) prefetch_unit(c, &u[i]);
    for (size_t i = 0; i < n; i++) {
        if (i + AHEAD < n) prefetch_unit(c, &u[i + AHEAD]);
        apply_unit(c, &u[i]);
    }
}

/* Apply the logged units block by block (stable counting sort by
 * cell >> UNIT_SHIFT) and empty the log. */
static int flush_units(ctx *c) {
    size_t n = c->b.nu, nb = (c->b.nc >> UNIT_SHIFT) + 1;
    c->b.nu = 0;
    if (nb == 1) {
        for (size_t i = 0; i < n; i++) c->b.ulog[i].cell = cell_index(c, c->b.ulog[i].cell);
        apply_units(c, c->b.ulog, n);
        return FU_OK;
    }
    if (nb + 1 > c->b.cap_ubin) {
        size_t *nbin = fu__realloc(c->b.ubin, (nb + 1) * 2 * sizeof *nbin);
        if (!nbin) return c->rc = fu__error_nomem();
        c->b.ubin = nbin;
        c->b.cap_ubin = (nb + 1) * 2;
    }
    size_t *bin = c->b.ubin;
    memset(bin, 0, (nb + 1) * sizeof *bin);
    unit *u = c->b.ulog;
    /* handles to cell indices (loads of the dense index asked for ahead), counted by block */
    enum { AHEAD = 16 };
    const uint32_t *dx = c->b.hash_mode ? c->b.dense_old : c->b.dense;
    for (size_t i = 0; i < n; i++) {
#if defined(__GNUC__)
        if (i + AHEAD < n && (u[i + AHEAD].cell & CELL_KEY)) __builtin_prefetch(&dx[u[i + AHEAD].cell & ~CELL_KEY]);
#endif
        u[i].cell = cell_index(c, u[i].cell);
        bin[(u[i].cell >> UNIT_SHIFT) + 1]++;
    }
    for (size_t b = 0; b < nb; b++) bin[b + 1] += bin[b];
    unit *d = c->b.ulog2;
    for (size_t i = 0; i < n; i++) d[bin[u[i].cell >> UNIT_SHIFT]++] = u[i];
    apply_units(c, d, n);
    return FU_OK;
}

/* Append a unit for cell `ci` (flushing a full log). */
static void log_unit(ctx *c, int64_t ci, int op, int a, int b, int day, double v) {
    if (c->b.nu == c->cap_u && flush_units(c)) return;
    unit *u = &c->b.ulog[c->b.nu++];
    u->cell = (uint32_t)ci;
    u->op = (uint8_t)op;
    u->a = (uint8_t)a;
    u->b = (uint8_t)b;
    u->day = (uint8_t)day;
    u->v = v;
}

/* A unit of an issue or misc-block proportion (not TOP2, OVER, CHURN) in
 * cell ci (none when ci < 0). */
static void emit_cell(ctx *c, int prop, int64_t ci, int success) {
    if (ci >= 0) log_unit(c, ci, U_PROP, prop, success != 0, 0xFF, 0);
}

/* The same at time t. */
static void emit_prop(ctx *c, int prop, int64_t t, const uattr *ua, int success) {
    emit_cell(c, prop, cell_for(c, t, ua), success);
}

/* The bit of proportion `prop` (issue block, or quality closure) in a
 * U_ISSUE unit. */
static unsigned issue_bit(int prop) { return prop == P_QC ? 0x40u : 1u << prop; }

/* ---- per-customer helpers ---- */

#define GROW_OR_FAIL(arr, cap, need)                 \
    do {                                             \
        int rc_ = FU_GROW(arr, cap, need);           \
        if (rc_) return c->rc = rc_;                 \
    } while (0)

static int is_reached(const kev *e) {
    return e->kind == FU_EVENT_CONTACT && (e->outcome == FU_OUTCOME_ANSWERED || e->outcome == FU_OUTCOME_NONE);
}

static int order_match(uint32_t a, uint32_t b) { return a == 0 || b == 0 || a == b; }

/* The kind of event i of a customer's kev and whether it names an order (the
 * reader of lib/resolution_internal.h's rule). */
static int kev_kind(const void *events, size_t i, int *has_order) {
    const kev *e = (const kev *)events + i;
    *has_order = e->order != 0;
    return e->kind;
}

/* Whether the `resolved` event e[r] closes issue v: the library's rule
 * (fu__resolution_closes(): orders matching, but one without an order that
 * answers an issue without one raised since the `resolved` before it does
 * not close an issue naming an order; review s8 F17). The KPIs count only
 * `resolved` events as resolutions (docs/kpi.md "Issue"): the pass asks
 * about those alone. */
static int resolves(const kev *e, uint32_t r, const kev *v) {
    return fu__resolution_closes(e, r, kev_kind, v->kind, v->order != 0, e[r].order == v->order);
}

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

/* The remembered verdicts of condition w (c->b.wc), the industry one for the
 * current customer. */
static const kwhen *when_cached(ctx *c, const fu__pol_when *w) {
    kwhen *q = &c->b.wc[((uintptr_t)w / sizeof(void *)) % WCACHE];
    if (q->w != w) {
        q->w = w;
        q->sev = 0;
        for (int s = 1; s <= FU_SEVERITY_LOW; s++)
            if (strs_has(&w->severities, fu_severity_name((fu_severity)s))) q->sev |= (uint8_t)(1u << s);
        q->ind_for = c->cust_serial - 1;
    }
    if (q->ind_for != c->cust_serial) {
        q->ind_for = c->cust_serial;
        q->ind = (uint8_t)strs_has(&w->industries, c->cur->industry);
    }
    return q;
}

/* Does a policy condition hold for the current customer and an event at t
 * with product class pcl and severity sev? 1 yes, 0 no, -1 when it names
 * something the KPI engine cannot evaluate (RFM groups, risk, lifecycle
 * stages other than "new"): the rule is then left out. */
/* Does condition w name something the KPI engine cannot evaluate? (RFM
 * groups, risk, survey answers, lifecycle stages other than "new";
 * unresolved: the escalation of a problem, not a due follow-up.) */
static int when_unseen(const fu__pol_when *w) {
    return w->rfm_groups || w->risks.n || w->surveys || w->has_score_max || w->unresolved ||
           (w->lifecycles && (w->lifecycles & ~(1u << FU__LC_NEW)));
}

static int when_ok(ctx *c, const fu__pol_when *w, int64_t t, int pcl, int sev) {
    if (when_unseen(w)) return -1;
    if (w->tiers && (c->cur_tier < 0 || !(w->tiers & (1u << c->cur_tier)))) return 0;
    if (w->product_classes && (pcl <= 0 || !(w->product_classes & (1u << (pcl - 1))))) return 0;
    if (w->severities.n && (sev <= 0 || sev > FU_SEVERITY_LOW || !((when_cached(c, w)->sev >> sev) & 1u))) return 0;
    if (w->industries.n && !when_cached(c, w)->ind) return 0;
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
    if (c->cur_tier >= 0 && c->sla_tfast) {
        for (uint64_t m = c->sla_tmask[c->cur_tier]; m; m &= m - 1) {
            size_t i = (size_t)__builtin_ctzll(m);
            if (!add_dur(c, &c->pol->sla_tier[i].d, e->at, &t)) {
                found = 1;
                if (t < best) best = t;
            }
        }
    } else if (c->cur_tier >= 0) {
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
static int cap_back(const ctx *c, const fu__pol_cap *cap, int64_t t, int64_t *out);

/* The row of the cap masks (c->kmask) of a contact: priority, channel, reached. */
static size_t cap_slot(const kev *e) { return ((size_t)(e->prio & 7) * 8 + (e->channel & 7)) * 2 + (size_t)is_reached(e); }

static int over_contact(ctx *c, const kev *e, size_t i) {
    const fu__policy *p = c->pol;
    int exempt = (int)((p->cap_exempt >> prio_of(&e[i])) & 1u); /* held only by ceilings (holds_exempt) */
    int64_t t = e[i].at, gap = exempt ? 0 : c->gap;
    uint32_t j = c->b.pr[i];
    if (gap > 0 && j != NONE32 && t - e[j].at < gap) return 1;
    size_t x = cap_slot(&e[i]);
    for (size_t b = 0; b < c->nkc; b += 64) { /* caps by 64: a bit each */
        const uint64_t *hold = c->kmask + (b / 64) * 2 * CAP_SLOTS, *cnt = hold + CAP_SLOTS;
        uint64_t act = 0; /* the caps holding contact i whose window is not passed yet */
        for (uint64_t h = hold[x]; h; h &= h - 1) {
            unsigned q = (unsigned)__builtin_ctzll(h);
            kcap *k = &c->kc[b + q];
            const fu__pol_cap *cap = k->cap;
            if (cap->scope == FU__SCOPE_ORDER && !e[i].order) continue;
            if (k->when && when_ok(c, &cap->when, t, c->b.pcl[i], e[i].severity) != 1) continue;
            int64_t start;
            if (cap->tenure_under.value > 0 &&
                (c->cur_first == FU_KPI_NO_TIME || c->cur_first > t ||
                 (!add_dur(c, &cap->tenure_under, c->cur_first, &start) && start <= t)))
                continue; /* no purchase by t (not counted, as for lifecycle new), or a customer for longer */
            if (k->per >= 0 ? add_secs(t, -k->per, &start) : cap_back(c, cap, t, &start)) continue;
            k->start = start;
            k->count = 1;
            act |= UINT64_C(1) << q;
        }
        /* one walk back over the earlier contacts (latest first) for all of them */
        for (uint32_t m = c->b.pc[i]; act && m != NONE32; m = c->b.pc[m]) {
            for (uint64_t h = act; h; h &= h - 1) {
                unsigned q = (unsigned)__builtin_ctzll(h);
                if (e[m].at <= c->kc[b + q].start) act &= ~(UINT64_C(1) << q);
            }
            for (uint64_t h = act & cnt[cap_slot(&e[m])]; h; h &= h - 1) {
                kcap *k = &c->kc[b + (unsigned)__builtin_ctzll(h)];
                if (k->cap->scope == FU__SCOPE_ORDER && e[m].order != e[i].order) continue;
                if (++k->count > k->cap->max) return 1;
            }
        }
    }
    return 0;
}

/* The cap masks of every row (cap_slot): the caps that hold a contact of
 * that priority, channel and reach (its channel and priority counted, not
 * exempt unless a ceiling, reached when the cap counts only those), and the
 * caps that count an earlier contact of that row. */
static void cap_masks(ctx *c) {
    const fu__policy *p = c->pol;
    for (size_t s = 0; s < CAP_SLOTS; s++) {
        kev v;
        memset(&v, 0, sizeof v);
        v.kind = FU_EVENT_CONTACT;
        v.prio = (uint8_t)(s / 16);
        v.channel = (uint8_t)(s / 2 % 8);
        v.outcome = s % 2 ? FU_OUTCOME_ANSWERED : FU_OUTCOME_NO_ANSWER;
        int exempt = (int)((p->cap_exempt >> prio_of(&v)) & 1u), reached = (int)(s % 2);
        for (size_t q = 0; q < c->nkc; q++) {
            const fu__pol_cap *cap = c->kc[q].cap;
            uint64_t *row = c->kmask + (q / 64) * 2 * CAP_SLOTS, bit = UINT64_C(1) << (q % 64);
            if (!cap_counts(cap, &v) || (cap->counts && !reached)) continue;
            row[CAP_SLOTS + s] |= bit;
            if (!exempt || cap->holds_exempt) row[s] |= bit;
        }
    }
}

/* Where the window of a cap whose length is not in seconds starts, for a
 * contact at t: 0 and *out, or -1. */
static int cap_back(const ctx *c, const fu__pol_cap *cap, int64_t t, int64_t *out) {
    fu_duration back = cap->per;
    back.value = -back.value;
    return add_dur(c, &back, t, out);
}

/* Does condition w name anything? (when_ok holds for every event when not) */
static int when_names(const fu__pol_when *w) {
    return w->tiers || w->product_classes || w->lifecycles || w->rfm_groups || w->severities.n || w->industries.n ||
           w->risks.n || w->is_smb >= 0 || w->min_tenure.set || w->surveys || w->has_score_max || w->unresolved;
}

/* The caps (but those of scope survey, which count survey calls the history
 * does not mark) and the first steps of the cadences, once per compute. */
static int rules_prepare(ctx *c) {
    const fu__policy *p = c->pol;
    c->gap = gap_seconds(&p->min_gap);
    c->kc = fu__malloc((p->n_caps + 1) * sizeof *c->kc);
    c->kd = fu__malloc((p->n_cadences + 1) * sizeof *c->kd);
    if (!c->kc || !c->kd) return fu__error_nomem();
    c->nkc = 0;
    for (size_t q = 0; q < p->n_caps; q++) {
        const fu__pol_cap *cap = &p->caps[q];
        if (cap->scope == FU__SCOPE_SURVEY) continue;
        kcap *k = &c->kc[c->nkc++];
        k->cap = cap;
        k->per = cap->per.unit == FU_DURATION_SECONDS && cap->per.value >= 0 ? cap->per.value : -1;
        k->when = (uint8_t)when_names(&cap->when);
    }
    c->kmask = fu__calloc((c->nkc + 63) / 64 * 2 * CAP_SLOTS + 1, sizeof *c->kmask);
    if (!c->kmask) return fu__error_nomem();
    cap_masks(c);
    for (size_t i = 0; i < p->n_cadences; i++) {
        const fu__pol_cadence *cad = &p->cadences[i];
        c->kd[i].when = (uint8_t)(when_names(&cad->when) || (cad->n_steps && when_names(&cad->steps[0].when)));
    }
    return FU_OK;
}

/* Index of the first reached contact at or after t (c->b.nrt when none). */
static size_t reached_from(const ctx *c, int64_t t) { return fu__lower_bound_i64(c->b.rt, c->b.nrt, t); }

/* The first k < np with pstart[k] > t, np when none. */
static size_t first_start_after(const ctx *c, int64_t t) {
    if (t < c->pstart[0]) return 0;
    if (t >= c->pstart[c->np - 1]) return c->np;
    return (size_t)period_of(c, t) + 1;
}

/* Log the current customer's pending -1 of the churn ranges (c->churn_out). */
static void churn_out_flush(ctx *c) {
    if (c->churn_out >= 0) log_unit(c, c->churn_out, U_CHURN_OUT, 0, 0, 0xFF, 0);
    c->churn_out = -1;
}

/* +1 in the cell of the first period whose start lies in (a, b] (not after
 * as_of), -1 in the cell of the period after the last. The -1 waits
 * (c->churn_out): when the next range of the customer begins in that very
 * cell (the usual case: it starts at the next purchase), the +1 and the -1
 * are both left out; churn_delta is an integer, so the sums are the same. */
static void add_churn_range(ctx *c, int64_t a, int64_t b, const uattr *ua) {
    if (b > c->as_of) b = c->as_of;
    if (c->np == 0 || b <= a) return;
    size_t first = first_start_after(c, a), end = first_start_after(c, b); /* periods first .. end-1 */
    if (first >= end) return;
    int64_t g = group_for(c, ua);
    if (g < 0) return;
    int64_t ci = cell_pg(c, first, g);
    if (ci < 0) return;
    if (ci == c->churn_out) c->churn_out = -1;
    else log_unit(c, ci, U_CHURN_IN, 0, 0, 0xFF, 0);
    if (end < c->np) {
        ci = cell_pg(c, end, g);
        if (ci < 0) return;
        churn_out_flush(c);
        c->churn_out = ci;
    }
}

int fu__kpi_push_rt(ctx *c, int64_t ci, double hours) {
    if (c->b.n_rt + 1 > c->b.cap_rt) {
        size_t ncap = c->b.cap_rt ? c->b.cap_rt * 2 : 1024;
        uint32_t *a = fu__realloc(c->b.rt_cell, ncap * sizeof *a);
        if (!a) return c->rc = fu__error_nomem();
        c->b.rt_cell = a;
        float *b = fu__realloc(c->b.rt_val, ncap * sizeof *b);
        if (!b) return c->rc = fu__error_nomem();
        c->b.rt_val = b;
        c->b.cap_rt = ncap;
    }
    c->b.rt_cell[c->b.n_rt] = (uint32_t)ci;
    c->b.rt_val[c->b.n_rt] = (float)hours;
    c->b.n_rt++;
    return FU_OK;
}

static int duerec_cmp(const void *a, const void *b) {
    const duerec *x = a, *y = b;
    return (x->cell > y->cell) - (x->cell < y->cell);
}

/* Sort a customer's due records by cell (usually a few: insertion sort; the
 * units logged from them do not depend on the order of equal cells). */
static void duerec_sort(duerec *d, size_t n) {
    if (n > 32) {
        qsort(d, n, sizeof *d, duerec_cmp);
        return;
    }
    for (size_t i = 1; i < n; i++) {
        duerec x = d[i];
        size_t j = i;
        for (; j > 0 && d[j - 1].cell > x.cell; j--) d[j] = d[j - 1];
        d[j] = x;
    }
}

/* A due item with window [ws, we]; `ua` names the covering contact's agent
 * and channel when there is one. */
static int add_due_rec(ctx *c, int64_t ws, int64_t we, const uattr *ua) {
    if (we > c->as_of) return FU_OK; /* not due yet */
    size_t r = reached_from(c, ws);
    int covered = r < c->b.nrt && c->b.rt[r] <= we;
    int64_t ci = cell_for(c, we, ua);
    if (ci < 0) return c->rc;
    GROW_OR_FAIL(c->b.dr, c->b.cap_dr, c->b.ndr + 1);
    c->b.dr[c->b.ndr].cell = ci;
    c->b.dr[c->b.ndr].covered = covered;
    c->b.ndr++;
    return FU_OK;
}

/* Purchases of the current customer in (t, t + w]: whether any, and the sum
 * of their amounts. `*from` is a cursor into c->pu (anchors come in time
 * order). */
static int bought_in(ctx *c, const kev *e, size_t *from, int64_t t, int64_t w, double *rev) {
    while (*from < c->b.npu && e[c->b.pu[*from]].at <= t) (*from)++;
    int any = 0;
    *rev = 0;
    for (size_t u = *from; u < c->b.npu && e[c->b.pu[u]].at - t <= w; u++) {
        any = 1;
        if (isfinite(e[c->b.pu[u]].val)) *rev += e[c->b.pu[u]].val;
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
    if (n == 0 || c->np == 0 || !c->uplift) return c->rc;
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
            int64_t ci = cell_ev(c, first_reached, &ua);
            if (ci >= 0) log_unit(c, ci, U_UPL_C, any, 0, 0xFF, rev);
        } else if (!attempted && e[0].at < s) {
            uattr ua = {0, 0, 0};
            int any = bought_in(c, e, &pcur, s, w, &rev);
            int64_t ci = cell_in(c, p, &ua);
            if (ci >= 0) log_unit(c, ci, U_UPL_N, any, 0, 0xFF, rev);
        }
    }
    return c->rc;
}

/* ---- one customer ---- */

/* The customer's scratch: product classes inherited along the order, the
 * purchase, resolved and reached-contact lists, the "new" window and the
 * next / previous reached contact and previous contact of every event. */
static int customer_prepare(ctx *c, const kev *e, size_t n) {
    size_t cap0 = c->b.cap_ev;
    GROW_OR_FAIL(c->b.nr, c->b.cap_ev, n + 1);
    if (c->b.cap_ev != cap0) {
        size_t cap = c->b.cap_ev;
        /* the other per-event scratch arrays share cap_ev */
        uint32_t *a = fu__realloc(c->b.pr, cap * sizeof *a);
        if (!a) return c->rc = fu__error_nomem();
        c->b.pr = a;
        a = fu__realloc(c->b.pc, cap * sizeof *a);
        if (!a) return c->rc = fu__error_nomem();
        c->b.pc = a;
        int32_t *pe = fu__realloc(c->b.pe, cap * sizeof *pe);
        if (!pe) return c->rc = fu__error_nomem();
        c->b.pe = pe;
        uint8_t *b = fu__realloc(c->b.pcl, cap);
        if (!b) return c->rc = fu__error_nomem();
        c->b.pcl = b;
        double *d = fu__realloc(c->b.rev, cap * sizeof *d);
        if (!d) return c->rc = fu__error_nomem();
        c->b.rev = d;
    }
    /* first purchase and product classes inherited along the order */
    c->cur_first = fu__segment_known_purchase(c->cur->first_purchase_at); /* a placeholder (0001-01-01): none, as the planner */
    c->b.nrt = c->b.npu = c->b.nres = c->b.ndr = 0;
    if (n) { /* the lists below hold at most n entries each */
        GROW_OR_FAIL(c->b.pu, c->b.cap_pu, n);
        GROW_OR_FAIL(c->b.res, c->b.cap_res, n);
        GROW_OR_FAIL(c->b.rt, c->b.cap_rtimes, n);
        GROW_OR_FAIL(c->b.ri, c->b.cap_ri, n);
        GROW_OR_FAIL(c->b.kix, c->b.cap_kix, 4 * n);
        c->b.iss = c->b.kix, c->b.sur = c->b.kix + n, c->b.con = c->b.kix + 2 * n, c->b.trg = c->b.kix + 3 * n;
    }
    c->b.niss = c->b.nsur = c->b.ncon = c->b.ntrg = 0;
    int derive = !(c->k->o.flags & FU_KPI_NO_DERIVED_DUE);
    uint32_t prv = NONE32, prc = NONE32;
    for (size_t i = 0; i < n; i++) {
        const kev *v = &e[i];
        uint8_t cls = v->pclass;
        if (!cls && v->order)
            for (size_t j = i; j-- > 0;)
                if (e[j].order == v->order && c->b.pcl[j]) {
                    cls = c->b.pcl[j];
                    break;
                }
        c->b.pcl[i] = cls;
        c->b.rev[i] = 0;
        c->b.pe[i] = (int32_t)period_of(c, v->at);
        c->b.pr[i] = prv;
        c->b.pc[i] = prc;
        if (derive && c->ntrig[v->kind]) c->b.trg[c->b.ntrg++] = (uint32_t)i;
        if (v->kind == FU_EVENT_PURCHASE) {
            if (c->cur_first == FU_KPI_NO_TIME) c->cur_first = v->at;
            c->b.pu[c->b.npu++] = (uint32_t)i;
        } else if (v->kind == FU_EVENT_RESOLVED) {
            c->b.res[c->b.nres++] = (uint32_t)i;
        } else if (v->kind == FU_EVENT_SURVEY) {
            c->b.sur[c->b.nsur++] = (uint32_t)i;
        } else if (fu__event_is_issue(v->kind)) {
            c->b.iss[c->b.niss++] = (uint32_t)i;
        } else if (v->kind == FU_EVENT_CONTACT) {
            c->b.con[c->b.ncon++] = (uint32_t)i;
            prc = (uint32_t)i;
            if (is_reached(v)) {
                c->b.rt[c->b.nrt] = v->at;
                c->b.ri[c->b.nrt] = (uint32_t)i;
                c->b.nrt++;
                prv = (uint32_t)i;
            }
        }
    }
    {
        int64_t until;
        c->cur_new_until = c->cur_first != FU_KPI_NO_TIME &&
                                   !add_dur(c, &c->pol->segments.new_within, c->cur_first, &until)
                               ? until
                               : INT64_MIN;
    }
    /* the next reached contact of each event, from the list of them: the
     * events before the first get it, those from it to the second the
     * second, ... (a run per contact, no test per event) */
    size_t i = 0;
    for (size_t r = 0; r < c->b.nrt; r++)
        for (uint32_t x = c->b.ri[r]; i < x; i++) c->b.nr[i] = x;
    for (; i < n; i++) c->b.nr[i] = NONE32;
    return FU_OK;
}

/* Issues: timeliness, response times, resolution, quality closure, FCR,
 * feedback closure, repeat and follow-up complaints. */
static int customer_issues(ctx *c, const kev *e, size_t n) {
    const fu_kpi_options *o = &c->k->o;
    int64_t as_of = c->as_of;
    /* issues: timeliness, response times, resolution, FCR, feedback
     * closure, repeat and follow-up complaints */
    int64_t open_until = INT64_MIN;
    size_t rp = 0;
    for (size_t ii = 0; ii < c->b.niss; ii++) {
        size_t i = c->b.iss[ii];
        const kev *v = &e[i];
        while (rp < c->b.nres && c->b.res[rp] <= i) rp++;
        uint32_t r = NONE32;
        for (size_t q = rp; q < c->b.nres; q++)
            if (resolves(e, c->b.res[q], v)) {
                r = c->b.res[q];
                break;
            }
        uint32_t c1 = c->b.nr[i];
        uattr ua = attr_of(v, c->b.pcl[i]);
        if (c1 != NONE32) {
            ua.agent = e[c1].agent;
            ua.channel = e[c1].channel;
        } else if (r != NONE32 && e[r].agent) {
            ua.agent = e[r].agent;
        }
        /* every issue has a unit in this cell (resolution or feedback
         * closure), so finding it first creates no cell out of order */
        int64_t cv = cell_ev(c, i, &ua);
        if (c->rc) return c->rc;
        int64_t deadline;
        unsigned has = 0, ok = 0; /* the proportions of this issue in cv (issue_bit) */
        if (!sla_deadline(c, v, &deadline)) {
            if (c1 != NONE32) has |= issue_bit(P_TIME), ok |= (e[c1].at <= deadline) * issue_bit(P_TIME);
            else if (deadline <= as_of) has |= issue_bit(P_TIME);
        }
        if (c1 != NONE32 && cv >= 0 && fu__kpi_push_rt(c, cv, (double)(e[c1].at - v->at) / 3600.0)) return c->rc;
        if (v->kind == FU_EVENT_FAULT) { /* a quality problem: closed within the window */
            int qok = r != NONE32 && e[r].at - v->at <= c->qc_window;
            if (qok || v->at <= as_of - c->qc_window) has |= issue_bit(P_QC), ok |= qok * issue_bit(P_QC);
        }
        if (v->kind != FU_EVENT_FEEDBACK) {
            has |= issue_bit(P_RES), ok |= (r != NONE32) * issue_bit(P_RES);
            if (c1 != NONE32 && e[c1].at <= as_of - o->fcr_window) {
                int64_t wend = e[c1].at + o->fcr_window;
                int fok = r != NONE32 && e[r].at <= wend;
                if (fok && r > c1 && c->b.nr[c1] != NONE32 && c->b.nr[c1] < r) fok = 0;
                for (size_t j = i + 1; fok && j < n && e[j].at <= wend; j++)
                    if (fu__event_is_issue(e[j].kind) && order_match(e[j].order, v->order)) fok = 0;
                has |= issue_bit(P_FCR), ok |= fok * issue_bit(P_FCR);
            }
        }
        if (v->kind == FU_EVENT_FEEDBACK || v->kind == FU_EVENT_COMPLAINT)
            has |= issue_bit(P_FB), ok |= (r != NONE32 && c->b.nr[r] != NONE32) * issue_bit(P_FB);
        if (v->kind == FU_EVENT_COMPLAINT) {
            int rep = 0;
            for (size_t j = i + 1; j < n && e[j].at <= v->at + o->repeat_window; j++)
                if (e[j].kind == FU_EVENT_COMPLAINT) {
                    rep = 1;
                    break;
                }
            if (rep || v->at <= as_of - o->repeat_window) has |= issue_bit(P_REP), ok |= rep * issue_bit(P_REP);
            uint32_t pcx = c->b.pc[i];
            int near = pcx != NONE32 && v->at - e[pcx].at <= o->complaint_window;
            uattr ub = near ? attr_of(&e[pcx], c->b.pcl[i]) : ua;
            int64_t cf = near ? cell_ev(c, i, &ub) : cv;
            int fuc = near && open_until <= v->at;
            if (cf == cv) has |= issue_bit(P_FUC), ok |= fuc * issue_bit(P_FUC);
            else emit_cell(c, P_FUC, cf, fuc);
        }
        if (has && cv >= 0) log_unit(c, cv, U_ISSUE, (int)has, (int)ok, 0xFF, 0);
        int64_t closed = r != NONE32 ? e[r].at : INT64_MAX;
        if (closed > open_until) open_until = closed;
        if (c->rc) return c->rc;
    }
    return c->rc;
}

/* Survey answers: CSAT, NPS, CES. */
static int customer_surveys(ctx *c, const kev *e, size_t n) {
    /* surveys */
    (void)n;
    for (size_t si = 0; si < c->b.nsur; si++) {
        size_t i = c->b.sur[si];
        const kev *v = &e[i];
        if (isnan(v->val) || !v->survey) continue;
        uattr ua = attr_of(v, c->b.pcl[i]);
        uint32_t q = c->b.pr[i];
        if (!ua.agent && q != NONE32) ua.agent = e[q].agent;
        if (!ua.channel && q != NONE32) ua.channel = e[q].channel;
        double s = v->val;
        int64_t ci = cell_ev(c, i, &ua);
        if (ci < 0) {
            if (c->rc) return c->rc;
            continue;
        }
        if (v->survey == FU_SURVEY_CSAT) log_unit(c, ci, U_CSAT, 0, 0, 0xFF, s);
        else if (v->survey == FU_SURVEY_NPS) log_unit(c, ci, U_NPS, 0, 0, 0xFF, s);
        else if (v->survey == FU_SURVEY_CES) log_unit(c, ci, U_CES, 0, 0, 0xFF, s);
    }
    return c->rc;
}

/* Contact attempts: over-contact, active days, ROI cost and attributed revenue. */
static int customer_contacts(ctx *c, const kev *e, size_t n) {
    const fu_kpi_options *o = &c->k->o;
    /* revenue after reached contacts (ROI) */
    int costs = 0;
    for (int ch = 0; ch < FU_CHANNEL_COUNT; ch++) costs |= o->contact_cost[ch] > 0;
    if (costs)
        for (size_t u = 0; u < c->b.npu; u++) {
            uint32_t pi = c->b.pu[u], q = c->b.pr[pi];
            if (q != NONE32 && e[pi].at - e[q].at <= c->roi_window && isfinite(e[pi].val))
                c->b.rev[q] += e[pi].val;
        }

    /* contacts: over-contact, efficiency, ROI */
    (void)n;
    for (size_t ki = 0; ki < c->b.ncon; ki++) {
        size_t i = c->b.con[ki];
        const kev *v = &e[i];
        uattr ua = attr_of(v, c->b.pcl[i]);
        int64_t per = c->b.pe[i], ci = cell_ev(c, i, &ua);
        if (ci < 0) {
            if (c->rc) return c->rc;
            continue;
        }
        int over = over_contact(c, e, i), day = 0xFF;
        if (c->daymask) {
            int64_t bit = local_day_fast(c, v->at) - c->pday0[per];
            if (bit >= 0 && bit < 32) day = (int)bit;
        }
        log_unit(c, ci, U_CONTACT, over, v->channel, day, costs ? c->b.rev[i] : 0);
    }
    return c->rc;
}

/* Purchases: repurchase, churn, win-back. */
static int customer_purchases(ctx *c, const kev *e) {
    const fu_kpi_options *o = &c->k->o;
    const fu__policy *p = c->pol;
    int64_t as_of = c->as_of;
    int64_t last_period = -1;
    c->churn_out = -1;
    for (size_t u = 0; u < c->b.npu; u++) {
        uint32_t pi = c->b.pu[u];
        const kev *v = &e[pi];
        uattr ua = attr_of(v, c->b.pcl[pi]);
        int64_t per = c->b.pe[pi];
        if (per >= 0 && per != last_period) {
            last_period = per;
            int ok = 0;
            for (size_t w = u + 1; w < c->b.npu; w++) {
                const kev *q = &e[c->b.pu[w]];
                if (q->at - v->at > c->repurchase_window) break;
                if (q->at > v->at && (q->order != v->order || !q->order)) {
                    ok = 1;
                    break;
                }
            }
            /* only once the window has passed: a long window (the built-in
             * policy's year) would otherwise count the early successes only */
            if (v->at <= as_of - c->repurchase_window) emit_cell(c, P_REPUR, cell_ev(c, pi, &ua), ok);
        }
        if (u + 1 < c->b.npu && e[c->b.pu[u + 1]].at == v->at) continue; /* the last purchase of an instant */
        int64_t next_t = u + 1 < c->b.npu ? e[c->b.pu[u + 1]].at : INT64_MAX;
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
            if (r < c->b.nrt && c->b.rt[r] < next_t) {
                const kev *ct = &e[c->b.ri[r]];
                int ok = next_t != INT64_MAX && next_t - ct->at <= o->win_back_window;
                uattr ub = attr_of(ct, c->b.pcl[pi]);
                if (ok || ct->at <= as_of - o->win_back_window) emit_cell(c, P_WIN, cell_ev(c, c->b.ri[r], &ub), ok);
            }
        }
        if (c->rc) return c->rc;
    }
    churn_out_flush(c);
    return c->rc;
}

/* Coverage: due items derived from the cadences or given, one unit per
 * customer and cell. */
static int customer_coverage(ctx *c, const kev *e, size_t n, const kdue *due, size_t ndue) {
    const fu_kpi_options *o = &c->k->o;
    const fu__policy *p = c->pol;
    /* coverage: due items (derived from the cadences or given) */
    (void)n;
    if (!(o->flags & FU_KPI_NO_DERIVED_DUE)) {
        for (size_t ti = 0; ti < c->b.ntrg; ti++) { /* the events with a cadence */
            size_t i = c->b.trg[ti];
            const kev *v = &e[i];
            for (size_t q = 0; q < c->ntrig[v->kind]; q++) {
                const fu__pol_cadence *cad = &p->cadences[c->trig[v->kind][q]];
                const fu__pol_step *st = &cad->steps[0];
                if (c->kd[c->trig[v->kind][q]].when &&
                    (when_ok(c, &cad->when, v->at, c->b.pcl[i], v->severity) != 1 ||
                     when_ok(c, &st->when, v->at, c->b.pcl[i], v->severity) != 1))
                    continue;
                int64_t ws, we;
                if (add_dur(c, &st->at, v->at, &ws) || add_dur(c, &st->within, ws, &we)) continue;
                uattr ua = attr_of(v, c->b.pcl[i]);
                ua.channel = (uint8_t)(st->channel + 1);
                size_t r = reached_from(c, ws);
                if (r < c->b.nrt && c->b.rt[r] <= we) ua = attr_of(&e[c->b.ri[r]], c->b.pcl[i]);
                if (add_due_rec(c, ws, we, &ua)) return c->rc;
            }
        }
    }
    for (size_t d = 0; d < ndue; d++) {
        int64_t ws = due[d].from == FU_KPI_NO_TIME ? INT64_MIN : due[d].from;
        uattr ua = {due[d].agent, 0, 0};
        size_t r = reached_from(c, ws);
        if (r < c->b.nrt && c->b.rt[r] <= due[d].to) {
            ua = attr_of(&e[c->b.ri[r]], c->b.pcl[c->b.ri[r]]);
            if (!ua.agent) ua.agent = due[d].agent;
        }
        if (add_due_rec(c, ws, due[d].to, &ua)) return c->rc;
    }
    if (c->b.ndr) {
        /* one unit per customer and cell: contacted when every item was met */
        if (c->b.mixed) /* a handle and an index may name one cell */
            for (size_t d = 0; d < c->b.ndr; d++) c->b.dr[d].cell = cell_index(c, (uint32_t)c->b.dr[d].cell);
        duerec_sort(c->b.dr, c->b.ndr);
        for (size_t a = 0; a < c->b.ndr;) {
            size_t b = a;
            int all = 1;
            while (b < c->b.ndr && c->b.dr[b].cell == c->b.dr[a].cell) all &= c->b.dr[b++].covered;
            log_unit(c, c->b.dr[a].cell, U_PROP, P_COV, all, 0xFF, 0);
            a = b;
        }
    }
    return c->rc;
}

static int pass_customer(ctx *c, const kev *e, size_t n, const kdue *due, size_t ndue) {
    if (customer_prepare(c, e, n) || customer_issues(c, e, n) || customer_surveys(c, e, n) ||
        customer_contacts(c, e, n) || customer_purchases(c, e) || customer_coverage(c, e, n, due, ndue))
        return c->rc;
    return pass_uplift(c, e, n);
}

/* The window of a KPI: the policy's `kpis.<name>.window` when given, else `dflt`. */
static int64_t policy_window(const fu__policy *pol, const char *name, int64_t dflt) {
    const fu__pol_kpi *pk = fu__policy_kpi(pol, name);
    return pk && pk->window.unit == FU_DURATION_SECONDS && pk->window.value > 0 ? (int64_t)pk->window.value : dflt;
}

/* The data's "now" (the option, else the latest time in the data) and the
 * span [tmin, tmax] the periods must cover. */
/* Ask for the attributes of customer ci's events (lib/book_internal.h: an
 * event's row points into the shared attribute table, where purchases with
 * their own amounts sit far apart) one customer ahead of the decoding: the
 * load missed the cache on most purchases (perf: 8% of the compute). */
static void prefetch_attrs(const fu_book *b, size_t ci) {
#if defined(__GNUC__)
    size_t n;
    const fu__erow *r = fu__book_customer_rows(b, ci, &n);
    if (n > 64) n = 64;
    for (size_t j = 0; j < n; j++) __builtin_prefetch(&b->attrs.v[r[j].attr]);
#else
    (void)b;
    (void)ci;
#endif
}

/* How many of a customer's rows (in time order) are at or before as_of:
 * usually all (as_of defaults to the latest event). */
static size_t rows_until(const fu__eattr *A, const fu__erow *rows, size_t n, int64_t as_of) {
    if (!n || fu__erow_at(A, &rows[n - 1]) <= as_of) return n;
    size_t lo = 0;
    while (lo < n) {
        size_t mid = lo + (n - lo) / 2;
        if (fu__erow_at(A, &rows[mid]) <= as_of) lo = mid + 1;
        else n = mid;
    }
    return n;
}

/* The unit log, and the labels of each attribute record found once when
 * the book's records are shared by 4 events or more on average (1.25 bytes
 * an event at most). */
int fu__kpi_pass_buffers(ctx *c) {
    const fu_kpi *k = c->k;
    size_t n_ev = fu_book_event_count(k->bk);
    c->cap_u = n_ev < UNIT_LOG / 4 ? 4 * n_ev + 1024 : UNIT_LOG;
    c->b.ulog = fu__malloc(c->cap_u * sizeof *c->b.ulog);
    c->b.ulog2 = fu__malloc(c->cap_u * sizeof *c->b.ulog2);
    if (!c->b.ulog || !c->b.ulog2) return fu__error_nomem();
    if (k->bk && k->bk->attrs.n && k->bk->attrs.n * 4 <= n_ev) {
        c->dc.agent = fu__malloc(k->bk->attrs.n * sizeof *c->dc.agent);
        c->dc.pclass = fu__calloc(k->bk->attrs.n, 1);
        if (!c->dc.agent || !c->dc.pclass) return fu__error_nomem();
        c->dc.n = k->bk->attrs.n;
    }
    return FU_OK;
}

/* The customers [c0, c1) (their due items from k->due[dp]): each one's
 * events decoded from the book's rows and passed over. stop: NULL on one
 * thread; with two, the flag each thread raises when it fails and reads
 * every 1024 customers (the cancel hook is polled by the calling thread,
 * the one with stop->poll). */
int fu__kpi_pass_range(ctx *c, size_t c0, size_t c1, size_t dp, fu__kpi_stop *stop) {
    fu_kpi *k = c->k;
    int rc = FU_OK;
    const size_t *boff = c1 > c0 ? fu_book_event_offsets(k->bk) : NULL;
    size_t ncu = fu__kpi_customer_count(k);
    for (size_t ci = c0; ci < c1 && !rc; ci++) {
        if ((ci & 1023) == 1023 && (rc = stop ? fu__kpi_stop_poll(stop) : fu__cancel_check())) break;
        size_t e0 = boff[ci], ep = boff[ci + 1], d0 = dp, m = 0;
        while (dp < k->n_due && k->due[dp].cust == ci) dp++;
        const fu__erow *rows = NULL;
        if (ep > e0) {
            size_t cn;
            rows = fu__book_customer_rows(k->bk, ci, &cn);
            m = rows_until(k->bk->attrs.v, rows, cn, c->as_of);
        }
        if (ci + 1 < ncu) prefetch_attrs(k->bk, ci + 1);
        if (m == 0 && dp == d0) continue;
        if (m > c->b.cap_kb && (rc = FU_GROW(c->b.kb, c->b.cap_kb, m))) break;
        if ((rc = fu__kpi_decode(k, rows, m, c->b.kb, c->dc.n ? &c->dc : NULL))) break;
        fu__kpi_customer_view(k, ci, &c->curv);
        c->cur_tier = c->cur->tier;
        c->cur_seg = c->cur->segment;
        group_customer(c);
        c->cust_serial++;
        c->b.mixed = 0;
        rc = pass_customer(c, c->b.kb, m, k->due + d0, dp - d0);
    }
    if (rc && !c->rc) c->rc = rc;
    return rc;
}

/* The handles of the unit log and of the response times turned into cell
 * indices, the log applied (the end of a thread's pass). */
int fu__kpi_pass_flush(ctx *c) {
    int rc = flush_units(c);
    for (size_t i = 0; i < c->b.n_rt && !rc; i++) c->b.rt_cell[i] = cell_index(c, c->b.rt_cell[i]);
    return rc;
}

/* Everything of a compute up to the finalisation: the pass over the stored
 * events and commitments, the units applied to the cells, and the cells of
 * the partials merged in (kpi_partial.c). *empty is set (and nothing else
 * done) when there is no data. On failure the context is freed. Each
 * customer's events are decoded from the book's compact rows (lib/book.c)
 * straight into one small buffer of kev: decoding the whole book first cost
 * 56 bytes an event of fresh memory and about 20% more CPU, and decoding
 * into fu_event first another 9% (bench_kpi, 10 M events). */
int fu__kpi_accumulate(fu_kpi *k, ctx *cp, int *empty) {
    ctx c;
    memset(&c, 0, sizeof c);
    *empty = 0;
    int rc = fu__kpi_store_ready(k);
    if (rc) return rc;
    if (k->n_due) qsort(k->due, k->n_due, sizeof *k->due, fu__kpi_due_cmp);
    c.k = k;
    c.pol = k->pol;
    c.cal = k->cal;
    c.b = KPASS_EMPTY;
    group_direct_init(&c);
    int64_t as_of, tmin, tmax;
    fu__kpi_data_range(k, &as_of, &tmin, &tmax);
    if (k->n_parts) { /* partials need an explicit as_of: it is the same */
        as_of = k->o.as_of;
        if (k->part_tmin < tmin) tmin = k->part_tmin;
        if (k->part_tmax > tmax) tmax = k->part_tmax;
    }
    /* periods before `from` are not reported: do not build them (a placeholder
     * event in year 1 would otherwise cost a cell row per day since then) */
    if (k->o.from != FU_KPI_NO_TIME && k->o.from > tmin && !k->n_parts) tmin = k->o.from;
    c.as_of = k->as_of = as_of;
    c.data_tmin = tmin;
    c.data_tmax = tmax;
    if (as_of == INT64_MIN || tmin > tmax) {
        *empty = 1;
        return FU_OK;
    }
    /* cadences by trigger kind, SLAs by severity */
    size_t trig_cap[FU_EVENT_KIND_COUNT] = {0};
    for (size_t i = 0; i < k->pol->n_cadences && !rc; i++) {
        const fu__pol_cadence *cad = &k->pol->cadences[i];
        if (cad->trigger != FU__TRIGGER_EVENT || !cad->n_steps) continue;
        if (when_unseen(&cad->when) || when_unseen(&cad->steps[0].when)) continue; /* when_ok: -1 for every event */
        fu_event_kind kind;
        if (fu_event_kind_from_string(cad->event, strlen(cad->event), &kind) != FU_OK) {
            fu_error_clear();
            continue;
        }
        rc = FU_GROW(c.trig[kind], trig_cap[kind], c.ntrig[kind] + 1);
        if (!rc) c.trig[kind][c.ntrig[kind]++] = (uint32_t)i;
    }
    c.sla_tfast = k->pol->n_sla_tier <= 64;
    for (size_t t = 0; t < k->pol->segments.n_tiers && t < FU__POL_MAX_TIERS && c.sla_tfast; t++)
        for (size_t i = 0; i < k->pol->n_sla_tier; i++)
            if (strcmp(k->pol->sla_tier[i].name, k->pol->segments.tiers[t].name) == 0) c.sla_tmask[t] |= UINT64_C(1) << i;
    static const char *const sev_sla[4] = {"standard", "urgent", "standard", "routine"};
    for (int s = 0; s < 4; s++)
        for (size_t i = 0; i < k->pol->n_sla_response; i++)
            if (strcmp(k->pol->sla_response[i].name, sev_sla[s]) == 0) c.sla_sev[s] = &k->pol->sla_response[i].d;
    if (!rc) rc = rules_prepare(&c);
    if (!rc) rc = build_periods(&c, tmin, tmax);
    if (!rc && (k->o.by & FU_KPI_BY_AGENT)) rc = build_days(&c);
    for (int ch = 0; ch < FU_CHANNEL_COUNT; ch++) c.costs |= k->o.contact_cost[ch] > 0;
    c.daymask = (k->o.by & FU_KPI_BY_AGENT) != 0;
    c.roi_window = policy_window(k->pol, "roi", k->o.roi_window);
    c.qc_window = policy_window(k->pol, "quality_closure", 7 * FU_KPI_DAY_SECONDS);
    c.repurchase_window = policy_window(k->pol, "repurchase", k->o.repurchase_window);
    /* the not-contacted customers have no agent or channel: grouped by
     * either, no cell would hold both kinds of uplift unit */
    c.uplift = !(k->o.by & (FU_KPI_BY_AGENT | FU_KPI_BY_CHANNEL));
    if (!rc) rc = fu__kpi_pass_buffers(&c);
    /* one pass per customer, its events decoded from the book: on one
     * thread, or on two with the halves merged (kpi_threads.c) */
    size_t ncu = fu__kpi_customer_count(k);
    c.cur = &c.curv;
    if (!rc) rc = fu__kpi_pass_customers(&c, ncu);
    /* commitments */
    for (size_t i = 0; i < k->n_com && !rc; i++) {
        const kcom *m = &k->com[i];
        if (m->state == FU_COMMIT_CANCELLED || m->deadline == FU_COMMIT_NO_TIME) continue;
        int fulfilled = m->state == FU_COMMIT_FULFILLED && m->closed_at != FU_COMMIT_NO_TIME;
        if (!(m->deadline <= as_of || (fulfilled && m->closed_at <= as_of))) continue;
        fu__kpi_customer_view(k, m->cust, &c.curv);
        c.cur_tier = c.cur->tier;
        c.cur_seg = c.cur->segment;
        group_customer(&c);
        uattr ua = {m->agent, 0, 0};
        emit_prop(&c, P_COM, m->deadline, &ua, fulfilled && m->closed_at <= m->deadline);
        rc = c.rc;
    }
    if (!rc) rc = fu__kpi_pass_flush(&c);
    if (!rc) rc = fu__kpi_apply_partials(&c);
    if (rc) {
        fu__kpi_ctx_free(&c);
        return rc;
    }
    *cp = c;
    cp->cur = &cp->curv;
    return FU_OK;
}

int fu_kpi_compute(fu_kpi *k, size_t *out) {
    if (!k || !out) return fu__error_set(FU_EINVAL, "fu_kpi_compute: %s is NULL", !k ? "kpi" : "out");
    /* a borrowed book may have grown (fu_book_append_events) since */
    if (k->computed && k->has_result && fu_book_generation(k->bk) == k->gen) {
        *out = k->n_fig;
        return FU_OK;
    }
    fu__kpi_clear_result(k);
    *out = 0;
    ctx c;
    int empty = 0;
    int rc = fu__kpi_accumulate(k, &c, &empty);
    if (rc) return rc;
    if (empty) { /* no data: an empty result */
        k->has_result = k->computed = 1;
        k->gen = fu_book_generation(k->bk);
        return FU_OK;
    }
    rc = fu__kpi_churn_finalize(&c);
    if (!rc) rc = fu__kpi_build_figures(&c);
    fu__kpi_ctx_free(&c);
    if (rc) {
        fu__kpi_clear_result(k);
        return rc;
    }
    k->has_result = k->computed = 1;
    k->gen = fu_book_generation(k->bk);
    *out = k->n_fig;
    return FU_OK;
}

