/* Partial aggregates of the KPI engine (docs/kpi.md, "KPIs over
 * partitions"): fu_kpi_partial_write() exports the accumulators of every
 * (period, group) cell before the finalisation; fu_kpi_merge_partial()
 * validates one and keeps its cells; fu_kpi_compute() adds the kept cells to
 * its own and finalises (churn denominators, percentiles, intervals, RAG)
 * from the merged counts.
 *
 * Blob, all integers little-endian, doubles as their IEEE-754 bits:
 *   "FUKPIPRT" u32 version(3) u32 0
 *   options: u8 period, u32 by, u32 flags (without FU_KPI_CSV_RAW), i64 from,
 *            to, as_of, fcr, repeat, complaint, win_back, repurchase and roi
 *            windows, f64 contact_cost[FU_CHANNEL_COUNT], f64 budget
 *   u64 policy fingerprint (FNV-1a of name, version, summary, tiers, classes)
 *   i64 tmin, tmax (the data range)
 *   u32 groups, each: u8 tier, channel, pclass, 0; str agent; str segment
 *                     (str: u32 length, 0xFFFFFFFF for none, then the bytes;
 *                     the agent's raw text since version 3, masked before)
 *   u32 cells, each: i64 period start, u32 group, the accumulators (cell_io)
 *   u32 response times, each: u32 cell, f32 hours (as u32 bits)
 *   u32 customers, each: str id (since version 2): every customer with data in the
 *       partition (events, due items, commitments) and in the partials merged
 *       into it; a merge refuses a customer it already has (partitions split
 *       by customer)
 *   u64 FNV-1a of everything before
 * Version 1 (no customer list) is refused: its overlap cannot be checked;
 * version 2 (agents by masked text: two agents whose ids differ only in
 * masked digits were one group, review r3 M1) is refused: its groups cannot
 * be split again. */
#include "book_decode.h"
#include "kpi_internal.h"

#include <inttypes.h>
#include <stdio.h>

#define MAGIC "FUKPIPRT"
#define PART_VERSION 3u
#define NO_STR UINT32_MAX

static const uint64_t FNV0 = UINT64_C(14695981039346656037), FNVP = UINT64_C(1099511628211);

static uint64_t fnv(uint64_t h, const void *p, size_t n) {
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++) h = (h ^ s[i]) * FNVP;
    return h;
}

void fu__kpi_partials_free(fu_kpi *k) {
    fu__free(k->pcell);
    fu__free(k->prt);
    fu__free(k->pid_txt);
    fu__free(k->pid);
    k->pcell = NULL;
    k->prt = NULL;
    k->pid_txt = NULL;
    k->pid = NULL;
    k->n_pid_txt = k->cap_pid_txt = k->n_pid = k->cap_pid = 0;
    k->n_pcell = k->cap_pcell = k->n_prt = k->cap_prt = k->n_parts = 0;
}

/* ---- the customers of the partitions ---- */

/* The slot of id s (n bytes, no NUL) in the index of merged customers: where
 * it is, or the empty slot where it would go. */
static size_t pid_slot(const fu_kpi *k, const char *s, size_t n, uint64_t h) {
    size_t mask = k->cap_pid - 1, i = (size_t)h & mask;
    for (; k->pid[i].at; i = (i + 1) & mask) {
        const char *t = k->pid_txt + k->pid[i].at - 1;
        if (k->pid[i].tag == (uint32_t)(h >> 32) && strncmp(t, s, n) == 0 && t[n] == 0) break;
    }
    return i;
}

static void pid_put(fu_kpi *k, size_t slot, uint64_t h, size_t at) {
    k->pid[slot].tag = (uint32_t)(h >> 32);
    k->pid[slot].at = (uint32_t)(at + 1);
    k->n_pid++;
}

/* The index rebuilt from the first `upto` bytes of the ids (undoes a refused
 * merge; no allocation). */
static void pid_reindex(fu_kpi *k, size_t upto) {
    if (k->cap_pid) memset(k->pid, 0, k->cap_pid * sizeof *k->pid);
    k->n_pid = 0;
    for (size_t at = 0; at < upto;) {
        const char *s = k->pid_txt + at;
        size_t n = strlen(s);
        uint64_t h = fnv(FNV0, s, n);
        pid_put(k, pid_slot(k, s, n, h), h, at);
        at += n + 1;
    }
    k->n_pid_txt = upto;
}

/* Room for m more ids of `bytes` bytes (NULs included), load at most 3/4. */
static int pid_reserve(fu_kpi *k, size_t m, size_t bytes) {
    if (bytes >= UINT32_MAX - k->n_pid_txt)
        return fu__error_set(FU_EINVAL, "fu_kpi_merge_partial: the merged partials' customer ids exceed 4 GiB");
    int rc = FU_GROW(k->pid_txt, k->cap_pid_txt, k->n_pid_txt + bytes + 1);
    if (rc) return rc;
    size_t cap = k->cap_pid ? k->cap_pid : 64;
    while (cap / 4 * 3 < k->n_pid + m) cap *= 2;
    if (cap == k->cap_pid) return FU_OK;
    kpid *np = fu__calloc(cap, sizeof *np);
    if (!np) return fu__error_nomem();
    fu__free(k->pid);
    k->pid = np;
    k->cap_pid = cap;
    pid_reindex(k, k->n_pid_txt);
    return FU_OK;
}

/* 1 for every customer of the engine's own book with data for the pass (an
 * event, a due item or a commitment); NULL when the book has no customer. */
static int own_active(fu_kpi *k, unsigned char **out) {
    size_t ncu = fu__kpi_customer_count(k);
    *out = NULL;
    if (!ncu) return FU_OK;
    int rc = fu__kpi_store_ready(k);
    if (rc) return rc;
    const size_t *off = fu_book_event_offsets(k->bk);
    unsigned char *a = fu__calloc(ncu, 1);
    if (!a) return fu__error_nomem();
    for (size_t i = 0; off && i < ncu; i++) a[i] = off[i + 1] > off[i];
    for (size_t i = 0; i < k->n_due; i++)
        if (k->due[i].cust < ncu) a[k->due[i].cust] = 1;
    for (size_t i = 0; i < k->n_com; i++)
        if (k->com[i].cust < ncu) a[k->com[i].cust] = 1;
    *out = a;
    return FU_OK;
}

/* Is customer s (n bytes) one with data in the engine's own book? */
static int own_has(const fu_kpi *k, const unsigned char *act, const char *s, size_t n) {
    size_t ci;
    if (!act) return 0;
    if (fu_book_find_customer(k->bk, s, n, &ci) != FU_OK) {
        fu_error_clear();
        return 0;
    }
    return act[ci];
}

static int shared(const char *who, const char *s, size_t n, const char *where) {
    return fu__error_set(FU_EINVAL,
                         "%s: customer '%.*s' is in this partial and in %s: KPI partitions must split by customer "
                         "(every customer's events, due items and commitments in one partition; docs/kpi.md, "
                         "\"KPIs over partitions\"), not by time",
                         who, (int)(n > 128 ? 128 : n), s, where);
}

/* The engine's own customers against the merged ones (a book added after a
 * merge): FU_EINVAL naming one in both. */
static int check_own(fu_kpi *k) {
    if (!k->n_pid) return FU_OK;
    unsigned char *act = NULL;
    int rc = own_active(k, &act);
    for (size_t at = 0; act && !rc && at < k->n_pid_txt;) {
        const char *s = k->pid_txt + at;
        size_t n = strlen(s);
        if (own_has(k, act, s, n)) rc = shared("fu_kpi_compute", s, n, "the engine's own data");
        at += n + 1;
    }
    fu__free(act);
    return rc;
}

/* ---- the writer and the reader ---- */

typedef struct wbuf {
    unsigned char *p;
    size_t n, cap;
    int failed;
} wbuf;

static void put(wbuf *b, const void *v, size_t n) {
    if (b->failed) return;
    if (b->n + n > b->cap) {
        size_t ncap = b->cap ? b->cap : 4096;
        while (ncap < b->n + n) ncap *= 2;
        unsigned char *np = fu__realloc(b->p, ncap);
        if (!np) {
            b->failed = 1;
            return;
        }
        b->p = np;
        b->cap = ncap;
    }
    memcpy(b->p + b->n, v, n);
    b->n += n;
}

static void put_u64(wbuf *b, uint64_t v) {
    unsigned char x[8];
    for (int i = 0; i < 8; i++) x[i] = (unsigned char)(v >> (8 * i));
    put(b, x, 8);
}
static void put_u32(wbuf *b, uint32_t v) {
    unsigned char x[4];
    for (int i = 0; i < 4; i++) x[i] = (unsigned char)(v >> (8 * i));
    put(b, x, 4);
}
static void put_u8(wbuf *b, unsigned v) {
    unsigned char x = (unsigned char)v;
    put(b, &x, 1);
}
static void put_i64(wbuf *b, int64_t v) { put_u64(b, (uint64_t)v); }
static void put_f64(wbuf *b, double v) {
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    put_u64(b, u);
}
static void put_str(wbuf *b, const char *s) {
    if (!s) {
        put_u32(b, NO_STR);
        return;
    }
    size_t n = strlen(s);
    put_u32(b, (uint32_t)n);
    put(b, s, n);
}

typedef struct rbuf {
    const unsigned char *p;
    size_t n, off;
    int bad;
} rbuf;

static const unsigned char *take(rbuf *r, size_t n) {
    if (r->bad || r->n - r->off < n) {
        r->bad = 1;
        return NULL;
    }
    const unsigned char *s = r->p + r->off;
    r->off += n;
    return s;
}
static uint64_t get_u64(rbuf *r) {
    const unsigned char *s = take(r, 8);
    uint64_t v = 0;
    for (int i = 0; s && i < 8; i++) v |= (uint64_t)s[i] << (8 * i);
    return v;
}
static uint32_t get_u32(rbuf *r) {
    const unsigned char *s = take(r, 4);
    uint32_t v = 0;
    for (int i = 0; s && i < 4; i++) v |= (uint32_t)s[i] << (8 * i);
    return v;
}
static unsigned get_u8(rbuf *r) {
    const unsigned char *s = take(r, 1);
    return s ? *s : 0;
}
static int64_t get_i64(rbuf *r) { return (int64_t)get_u64(r); }
static double get_f64(rbuf *r) {
    uint64_t u = get_u64(r);
    double v;
    memcpy(&v, &u, sizeof v);
    if (!isfinite(v)) r->bad = 1;
    return v;
}

/* The accumulators of a cell, written (w) or read (r) in one order. */
static void cell_io(wbuf *w, rbuf *r, kpcell *pc) {
    uint32_t *u32[] = {&pc->i.p[0].n, &pc->i.p[0].x, &pc->i.p[1].n, &pc->i.p[1].x, &pc->i.p[2].n, &pc->i.p[2].x,
                       &pc->i.p[3].n, &pc->i.p[3].x, &pc->i.p[4].n, &pc->i.p[4].x, &pc->i.p[5].n, &pc->i.p[5].x,
                       &pc->s.csat_n, &pc->s.top2_x, &pc->s.nps_n, &pc->s.nps_p, &pc->s.nps_d, &pc->s.ces_n,
                       &pc->c.n, &pc->c.over, &pc->c.daymask,
                       &pc->m.p[0].n, &pc->m.p[0].x, &pc->m.p[1].n, &pc->m.p[1].x, &pc->m.p[2].n, &pc->m.p[2].x,
                       &pc->m.p[3].n, &pc->m.p[3].x, &pc->m.p[4].n, &pc->m.p[4].x, &pc->m.churn_x,
                       &pc->u.cn, &pc->u.cx, &pc->u.nn, &pc->u.nx};
    double *f64[] = {&pc->s.csat_s, &pc->s.csat_ss, &pc->s.ces_s, &pc->s.ces_ss, &pc->c.cost, &pc->c.cost2,
                     &pc->r.r, &pc->r.r2, &pc->r.cr, &pc->u.cr, &pc->u.cr2, &pc->u.nr, &pc->u.nr2,
                     &pc->c.cost_lo, &pc->c.cost2_lo, &pc->r.r_lo, &pc->r.r2_lo, &pc->r.cr_lo,
                     &pc->u.cr_lo, &pc->u.cr2_lo, &pc->u.nr_lo, &pc->u.nr2_lo};
    for (size_t i = 0; i < sizeof u32 / sizeof *u32; i++) {
        if (w) put_u32(w, *u32[i]);
        else *u32[i] = get_u32(r);
    }
    for (size_t i = 0; i < sizeof f64 / sizeof *f64; i++) {
        if (w) put_f64(w, *f64[i]);
        else *f64[i] = get_f64(r);
    }
    if (w) put_i64(w, pc->m.churn_delta);
    else pc->m.churn_delta = get_i64(r);
}

/* The options and the policy a partial must share with its engine. */
static int put_header(wbuf *b, const fu_kpi *k) {
    const fu_kpi_options *o = &k->o;
    put(b, MAGIC, 8);
    put_u32(b, PART_VERSION);
    put_u32(b, 0);
    put_u8(b, (unsigned)o->period);
    put_u32(b, o->by);
    put_u32(b, o->flags & ~FU_KPI_CSV_RAW);
    const int64_t t[] = {o->from, o->to, o->as_of, o->fcr_window, o->repeat_window, o->complaint_window,
                         o->win_back_window, o->repurchase_window, o->roi_window};
    for (size_t i = 0; i < sizeof t / sizeof *t; i++) put_i64(b, t[i]);
    for (int ch = 0; ch < FU_CHANNEL_COUNT; ch++) put_f64(b, o->contact_cost[ch]);
    put_f64(b, o->budget);
    char *sum = NULL;
    if (fu_policy_summary(k->policy, NULL, &sum) != FU_OK) return fu__error_nomem();
    const char *name = fu_policy_name(k->policy), *ver = fu_policy_version(k->policy);
    uint64_t h = fnv(FNV0, name, strlen(name) + 1);
    h = fnv(h, ver, strlen(ver) + 1);
    h = fnv(h, sum, strlen(sum) + 1);
    fu__free(sum);
    for (size_t i = 0; i < k->pol->segments.n_tiers; i++)
        h = fnv(h, k->pol->segments.tiers[i].name, strlen(k->pol->segments.tiers[i].name) + 1);
    for (size_t i = 0; i < k->pol->segments.n_classes; i++)
        h = fnv(h, k->pol->segments.classes[i].name, strlen(k->pol->segments.classes[i].name) + 1);
    put_u64(b, h);
    return b->failed ? fu__error_nomem() : FU_OK;
}

static int put_body(wbuf *b, const ctx *c) {
    const fu_kpi *k = c->k;
    put_i64(b, c->data_tmin);
    put_i64(b, c->data_tmax);
    put_u32(b, (uint32_t)c->b.ng);
    for (size_t g = 0; g < c->b.ng; g++) {
        const gkey *gk = &c->b.gk[g];
        put_u8(b, gk->tier);
        put_u8(b, gk->channel);
        put_u8(b, gk->pclass);
        put_u8(b, 0);
        put_str(b, gk->agent ? kstr_get(&k->str, gk->agent) : NULL);
        put_str(b, gk->seg ? kstr_get(&k->str, gk->seg) : NULL);
    }
    put_u32(b, (uint32_t)c->b.nc);
    for (size_t i = 0; i < c->b.nc; i++) {
        kpcell pc = {c->pstart[c->b.ch[i].period], {0, 0, 0, 0, 0, 0}, c->b.ci[i], c->b.cs[i], c->b.cc[i],
                     c->b.cr[i], c->b.cm[i], c->b.cu[i]};
        put_i64(b, pc.pstart);
        put_u32(b, c->b.ch[i].group);
        cell_io(b, NULL, &pc);
    }
    put_u32(b, (uint32_t)c->b.n_rt);
    for (size_t i = 0; i < c->b.n_rt; i++) {
        uint32_t bits;
        memcpy(&bits, &c->b.rt_val[i], sizeof bits);
        put_u32(b, c->b.rt_cell[i]);
        put_u32(b, bits);
    }
    return b->failed ? fu__error_nomem() : FU_OK;
}

/* The customers with data in the engine and in the partials it merged (the
 * two are disjoint: the accumulation checked it). */
static int put_ids(wbuf *b, fu_kpi *k) {
    unsigned char *act = NULL;
    int rc = own_active(k, &act);
    if (rc) return rc;
    size_t ncu = act ? fu__kpi_customer_count(k) : 0, n = k->n_pid;
    for (size_t i = 0; i < ncu; i++) n += act[i];
    if (n > UINT32_MAX - 1) rc = fu__error_set(FU_EINVAL, "fu_kpi_partial_write: more than 2^32 customers");
    if (!rc) put_u32(b, (uint32_t)n);
    for (size_t i = 0; i < ncu && !rc; i++) {
        if (!act[i]) continue;
        fu_customer cb;
        fu__book_customer_get(k->bk, i, &cb);
        put_str(b, cb.id);
    }
    for (size_t at = 0; at < k->n_pid_txt && !rc; at += strlen(k->pid_txt + at) + 1) put_str(b, k->pid_txt + at);
    fu__free(act);
    return rc ? rc : b->failed ? fu__error_nomem() : FU_OK;
}

int fu_kpi_partial_write(fu_kpi *k, size_t *len, void **buf) {
    if (!k || !buf || !len)
        return fu__error_set(FU_EINVAL, "fu_kpi_partial_write: %s is NULL", !k ? "kpi" : !buf ? "buf" : "len");
    *buf = NULL;
    *len = 0;
    if (k->o.as_of == FU_KPI_NO_TIME)
        return fu__error_set(FU_EINVAL, "fu_kpi_partial_write: set options.as_of (every partition must use the "
                                        "same \"now\"; the latest time of one partition is not the book's)");
    wbuf b = {NULL, 0, 0, 0};
    int rc = put_header(&b, k);
    ctx c;
    int empty = 0;
    if (!rc) rc = fu__kpi_accumulate(k, &c, &empty);
    if (!rc && empty) {
        memset(&c, 0, sizeof c);
        c.k = k;
        c.data_tmin = INT64_MAX;
        c.data_tmax = INT64_MIN;
    }
    if (!rc) {
        rc = put_body(&b, &c);
        fu__kpi_ctx_free(&c);
    }
    if (!rc) rc = put_ids(&b, k);
    if (!rc) {
        put_u64(&b, fnv(FNV0, b.p, b.n));
        if (b.failed) rc = fu__error_nomem();
    }
    if (rc) {
        fu__free(b.p);
        return rc;
    }
    *buf = b.p;
    *len = b.n;
    return FU_OK;
}

/* ---- merging ---- */

static int refuse(const char *what) {
    return fu__error_set(FU_EINVAL, "fu_kpi_merge_partial: %s", what);
}

/* Coverage counted from due items given (add_due) on one side and derived
 * from the policy's cadences on the other: the sum would mix the two. */
static int refuse_due(int theirs_given) {
    return fu__error_set(FU_EINVAL,
                         "fu_kpi_merge_partial: %s: give every partition its due items (add_due, also of an empty "
                         "plan) or create its engine with derived_due=false (FU_KPI_NO_DERIVED_DUE)",
                         theirs_given ? "the partial counts coverage from the due items given to it (add_due), this "
                                        "engine derives them from the policy's cadences"
                                      : "the partial derives its due items from the policy's cadences (no add_due), "
                                        "this engine counts coverage from the due items given to it (add_due)");
}

/* The header against this engine's: FU_OK or FU_EINVAL naming the difference.
 * Of the flags only FU_KPI_NO_DERIVED_DUE counts (FU_KPI_COPY_BOOKS changes
 * no figure; FU_KPI_CSV_RAW is not written). */
static int check_header(rbuf *r, const fu_kpi *k) {
    wbuf mine = {NULL, 0, 0, 0};
    int rc = put_header(&mine, k);
    if (rc) {
        fu__free(mine.p);
        return rc;
    }
    const unsigned char *theirs = take(r, mine.n);
    /* field offsets: magic 0, version 8, period 16, by 17, flags 21, times 25 (as_of 41), costs 97, policy end-8 */
    if (!theirs) rc = refuse("truncated partial (header)");
    else if (memcmp(theirs, MAGIC, 8) != 0) rc = refuse("not a KPI partial (bad magic)");
    else if (theirs[8] == 1 && memcmp(theirs + 9, "\0\0\0\0\0\0\0", 7) == 0)
        rc = refuse("partial format version 1 (libfollowup before 2026-12) has no customer list, so a customer in "
                    "two partitions could not be detected: write the partials again with this version");
    else if (theirs[8] == 2 && memcmp(theirs + 9, "\0\0\0\0\0\0\0", 7) == 0)
        rc = refuse("partial format version 2 (libfollowup before 2026-12-07) groups agents by their masked text, so "
                    "two agents whose ids differ only in masked digits are one group: write the partials again with "
                    "this version");
    else if (memcmp(theirs + 8, mine.p + 8, 8) != 0) rc = refuse("unsupported partial version (want 3)");
    else if (theirs[16] != mine.p[16]) rc = refuse("the partial has another period (day/week/month)");
    else if (memcmp(theirs + 17, mine.p + 17, 4) != 0) rc = refuse("the partial has another grouping (by)");
    else if (memcmp(theirs + 41, mine.p + 41, 8) != 0) rc = refuse("the partial has another as_of");
    else if ((theirs[21] ^ mine.p[21]) & FU_KPI_NO_DERIVED_DUE) rc = refuse_due(theirs[21] & FU_KPI_NO_DERIVED_DUE);
    else if (memcmp(theirs + 25, mine.p + 25, 16) != 0) rc = refuse("the partial has another from/to");
    else if (memcmp(theirs + 49, mine.p + 49, 48) != 0)
        rc = refuse("the partial has other windows (fcr, repeat, complaint, win-back, repurchase or ROI)");
    else if (memcmp(theirs + 97, mine.p + 97, mine.n - 97 - 8) != 0)
        rc = refuse("the partial has other contact costs or another budget");
    else if (memcmp(theirs + mine.n - 8, mine.p + mine.n - 8, 8) != 0)
        rc = refuse("the partial comes from another policy (name, version, rules, tiers or classes differ)");
    fu__free(mine.p);
    return rc;
}

static int read_groups(rbuf *r, fu_kpi *k, gkey **out, size_t *nout) {
    size_t ng = get_u32(r);
    if (r->bad || ng > (r->n - r->off) / 12) return refuse("truncated or corrupt partial (groups)");
    gkey *g = ng ? fu__calloc(ng, sizeof *g) : NULL;
    if (ng && !g) return fu__error_nomem();
    int rc = FU_OK;
    for (size_t i = 0; i < ng && !rc; i++) {
        unsigned tier = get_u8(r), ch = get_u8(r), pcl = get_u8(r);
        get_u8(r);
        if (tier > k->pol->segments.n_tiers || ch >= FU_CHANNEL_COUNT || pcl > k->pol->segments.n_classes) r->bad = 1;
        /* dimensions not grouped by are 0, as in the pass */
        unsigned by = k->o.by;
        g[i].tier = (uint8_t)(by & FU_KPI_BY_TIER ? tier : 0);
        g[i].channel = (uint8_t)(by & FU_KPI_BY_CHANNEL ? ch : 0);
        g[i].pclass = (uint8_t)(by & FU_KPI_BY_PRODUCT_CLASS ? pcl : 0);
        for (int s = 0; s < 2 && !r->bad && !rc; s++) {
            uint32_t n = get_u32(r), id = 0;
            if (n != NO_STR) {
                const unsigned char *p = take(r, n);
                if (!p || n == 0 || memchr(p, 0, n)) r->bad = 1;
                else rc = fu__kpi_intern(k, (const char *)p, n, &id);
            }
            if (s == 0) g[i].agent = by & FU_KPI_BY_AGENT ? id : 0;
            else g[i].seg = by & FU_KPI_BY_SEGMENT ? id : 0;
        }
        if (r->bad && !rc) rc = refuse("truncated or corrupt partial (a group)");
    }
    if (rc) {
        fu__free(g);
        return rc;
    }
    *out = g;
    *nout = ng;
    return FU_OK;
}

/* ---- validation of the counts of a merged partial (review s13 I7) ---- */

static const char *const ISSUE_NAMES[6] = {"response_timeliness", "resolution", "first_contact_resolution",
                                           "feedback_closure", "repeat_complaints", "follow_up_complaints"};
static const char *const MISC_NAMES[5] = {"coverage", "commitment_on_time", "win_back", "repurchase",
                                          "quality_closure"};

/* A mean score's sums over n scores of lo..hi (integers: the sums are exact). */
static int scores_fit(uint32_t n, double s, double ss, double lo, double hi) {
    return s >= lo * n && s <= hi * n && ss >= lo * lo * n && ss <= hi * hi * n;
}

/* What a cell read from a partial holds that no book can give (more
 * successes than trials, score sums outside the scale), in why[]; 0 when
 * none. A checksum only shows the blob was not damaged by accident: anyone
 * can re-seal an altered one. */
static int cell_impossible(const kpcell *pc, size_t cell, char *why, size_t nwhy) {
    const kp32 *bad = NULL;
    const char *name = NULL;
    for (int q = 0; q < 6 && !bad; q++)
        if (pc->i.p[q].x > pc->i.p[q].n) bad = &pc->i.p[q], name = ISSUE_NAMES[q];
    for (int q = 0; q < 5 && !bad; q++)
        if (pc->m.p[q].x > pc->m.p[q].n) bad = &pc->m.p[q], name = MISC_NAMES[q];
    if (bad) {
        snprintf(why, nwhy, "corrupt partial (cell %zu: %s: %" PRIu32 " successes of %" PRIu32 ")", cell, name,
                 bad->x, bad->n);
        return 1;
    }
    const csurv *s = &pc->s;
    const char *what = NULL;
    if (s->top2_x > s->csat_n) what = "csat top-2-box: more than the CSAT scores";
    else if ((uint64_t)s->nps_p + s->nps_d > s->nps_n) what = "nps: promoters and detractors more than the scores";
    else if (pc->c.over > pc->c.n) what = "over_contact: more contacts over the cap than contacts";
    else if (pc->u.cx > pc->u.cn || pc->u.nx > pc->u.nn) what = "uplift: more buyers than customers";
    else if (!scores_fit(s->csat_n, s->csat_s, s->csat_ss, 1, 5)) what = "csat: score sums outside 1..5 a score";
    else if (!scores_fit(s->ces_n, s->ces_s, s->ces_ss, 1, 7)) what = "ces: score sums outside 1..7 a score";
    if (!what) return 0;
    snprintf(why, nwhy, "corrupt partial (cell %zu: %s)", cell, what);
    return 1;
}

/* The cells and response times into the reserved tails of k->pcell and k->prt. */
static int read_cells(rbuf *r, fu_kpi *k, const gkey *g, size_t ng, size_t *ncell, size_t *nrt) {
    size_t nc = get_u32(r);
    if (r->bad || nc > (r->n - r->off) / 12) return refuse("truncated or corrupt partial (cells)");
    int rc = FU_GROW(k->pcell, k->cap_pcell, k->n_pcell + nc + 1);
    if (rc) return rc;
    for (size_t i = 0; i < nc && !r->bad; i++) {
        kpcell *pc = &k->pcell[k->n_pcell + i];
        memset(pc, 0, sizeof *pc);
        pc->pstart = get_i64(r);
        uint32_t gi = get_u32(r);
        cell_io(NULL, r, pc);
        if (gi >= ng) r->bad = 1;
        else pc->g = g[gi];
        char why[160];
        if (!r->bad && cell_impossible(pc, i, why, sizeof why)) return refuse(why);
    }
    size_t nr = r->bad ? 0 : get_u32(r);
    if (r->bad || nr > (r->n - r->off) / 8) return refuse("truncated or corrupt partial (cells)");
    rc = FU_GROW(k->prt, k->cap_prt, k->n_prt + nr + 1);
    if (rc) return rc;
    for (size_t i = 0; i < nr && !r->bad; i++) {
        uint32_t ci = get_u32(r), bits = get_u32(r);
        float v;
        memcpy(&v, &bits, sizeof v);
        if (ci >= nc || !(v >= 0) || !isfinite(v)) r->bad = 1;
        k->prt[k->n_prt + i].cell = (uint32_t)k->n_pcell + ci;
        k->prt[k->n_prt + i].v = v;
    }
    if (r->bad) return refuse("truncated or corrupt partial (response times)");
    *ncell = nc;
    *nrt = nr;
    return FU_OK;
}

/* The customers of the partial, the last section: refused (nothing kept)
 * when one is already merged or has data in the engine's own book. */
static int read_ids(rbuf *r, fu_kpi *k) {
    size_t m = get_u32(r), at0 = r->off, bytes = 0;
    if (r->bad || m > (r->n - r->off) / 5) return refuse("truncated or corrupt partial (customers)");
    for (size_t i = 0; i < m; i++) {
        uint32_t n = get_u32(r);
        const unsigned char *p = n == NO_STR ? NULL : take(r, n);
        if (!p || n == 0 || memchr(p, 0, n)) return refuse("truncated or corrupt partial (a customer id)");
        bytes += (size_t)n + 1;
    }
    if (r->off != r->n) return refuse("corrupt partial (trailing bytes)");
    unsigned char *act = NULL;
    int rc = own_active(k, &act);
    if (!rc) rc = pid_reserve(k, m, bytes);
    size_t txt0 = k->n_pid_txt;
    r->off = at0;
    for (size_t i = 0; i < m && !rc; i++) {
        uint32_t n = get_u32(r);
        const char *s = (const char *)take(r, n);
        uint64_t h = fnv(FNV0, s, n);
        size_t slot = pid_slot(k, s, n, h);
        if (own_has(k, act, s, n)) rc = shared("fu_kpi_merge_partial", s, n, "the engine's own data");
        else if (k->pid[slot].at > txt0) rc = refuse("corrupt partial (a customer listed twice)");
        else if (k->pid[slot].at) rc = shared("fu_kpi_merge_partial", s, n, "a partial merged before");
        else {
            memcpy(k->pid_txt + k->n_pid_txt, s, n);
            k->pid_txt[k->n_pid_txt + n] = 0;
            pid_put(k, slot, h, k->n_pid_txt);
            k->n_pid_txt += (size_t)n + 1;
        }
    }
    if (rc && k->cap_pid) pid_reindex(k, txt0);
    fu__free(act);
    return rc;
}

int fu_kpi_merge_partial(fu_kpi *k, const void *buf, size_t len) {
    if (!k || (!buf && len)) return fu__error_set(FU_EINVAL, "fu_kpi_merge_partial: %s is NULL", !k ? "into" : "buf");
    if (len < 16 || memcmp(buf, MAGIC, 8) != 0) return refuse("not a KPI partial (bad magic or too short)");
    if (k->o.as_of == FU_KPI_NO_TIME)
        return refuse("set options.as_of (the engine and every partition must use the same \"now\")");
    rbuf r = {buf, len - 8, 0, 0};
    uint64_t sum = 0;
    for (int i = 0; i < 8; i++) sum |= (uint64_t)((const unsigned char *)buf)[len - 8 + (size_t)i] << (8 * i);
    if (sum != fnv(FNV0, buf, len - 8)) return refuse("truncated or corrupt partial (checksum mismatch)");
    /* An engine without coverage data of its own (no event, no due item)
     * and nothing merged yet takes "due items given" from its first partial
     * (review s12 U13): a Python or Lua reducer of partitions that called
     * add_due has no other way to set the flag. */
    unsigned flags0 = k->o.flags;
    if ((!k->bk || !fu_book_event_count(k->bk)) && !k->n_due && !k->n_parts && len > 25 + 8 &&
        (((const unsigned char *)buf)[21] & FU_KPI_NO_DERIVED_DUE))
        k->o.flags |= FU_KPI_NO_DERIVED_DUE;
    int rc = check_header(&r, k);
    int64_t tmin = rc ? 0 : get_i64(&r), tmax = rc ? 0 : get_i64(&r);
    gkey *g = NULL;
    size_t ng = 0, nc = 0, nr = 0;
    if (!rc) rc = read_groups(&r, k, &g, &ng);
    if (!rc) rc = read_cells(&r, k, g, ng, &nc, &nr);
    fu__free(g);
    if (!rc) rc = read_ids(&r, k);
    if (rc) {
        k->o.flags = flags0;
        return rc;
    }
    k->n_pcell += nc;
    k->n_prt += nr;
    if (k->n_parts == 0 || tmin < k->part_tmin) k->part_tmin = tmin;
    if (k->n_parts == 0 || tmax > k->part_tmax) k->part_tmax = tmax;
    k->n_parts++;
    k->computed = 0;
    return FU_OK;
}

/* ---- applying the merged cells in a compute ---- */

static int64_t period_at(const ctx *c, int64_t start) {
    size_t lo = fu__lower_bound_i64(c->pstart, c->np, start);
    return lo < c->np && c->pstart[lo] == start ? (int64_t)lo : -1;
}

/* A double-double sum of the partial's added to the cell's. */
#define DD(dst, src) (dd_add(&(dst), &(dst##_lo), (src)), dd_add(&(dst), &(dst##_lo), (src##_lo)))

void fu__kpi_cell_merge(ctx *c, size_t ci, const cissue *i, const csurv *s, const ccont *cc, const crev *r,
                        const cmisc *m, const cupl *u) {
    cissue *di = &c->b.ci[ci];
    for (int q = 0; q < 6; q++) di->p[q].n += i->p[q].n, di->p[q].x += i->p[q].x;
    csurv *ds = &c->b.cs[ci];
    ds->csat_n += s->csat_n, ds->top2_x += s->top2_x, ds->nps_n += s->nps_n;
    ds->nps_p += s->nps_p, ds->nps_d += s->nps_d, ds->ces_n += s->ces_n;
    /* survey scores are integers (docs/formats.md): these sums are exact */
    ds->csat_s += s->csat_s, ds->csat_ss += s->csat_ss, ds->ces_s += s->ces_s, ds->ces_ss += s->ces_ss;
    ccont *dc = &c->b.cc[ci];
    dc->n += cc->n, dc->over += cc->over, dc->daymask |= cc->daymask;
    DD(dc->cost, cc->cost);
    DD(dc->cost2, cc->cost2);
    crev *dr = &c->b.cr[ci];
    DD(dr->r, r->r);
    DD(dr->r2, r->r2);
    DD(dr->cr, r->cr);
    cmisc *dm = &c->b.cm[ci];
    for (int q = 0; q < 5; q++) dm->p[q].n += m->p[q].n, dm->p[q].x += m->p[q].x;
    dm->churn_delta += m->churn_delta, dm->churn_x += m->churn_x;
    cupl *du = &c->b.cu[ci];
    du->cn += u->cn, du->cx += u->cx, du->nn += u->nn, du->nx += u->nx;
    DD(du->cr, u->cr);
    DD(du->cr2, u->cr2);
    DD(du->nr, u->nr);
    DD(du->nr2, u->nr2);
}

/* The first count of cell ci that adding the partial's cell pc would take
 * past 2^32 - 1 (the counters are 32-bit), or NULL. The successes need no
 * check: each side has at most as many as its trials. */
static const char *merge_wraps(const ctx *c, size_t ci, const kpcell *pc) {
#define WRAPS(a, b) ((uint64_t)(a) + (b) > UINT32_MAX)
    for (int q = 0; q < 6; q++)
        if (WRAPS(c->b.ci[ci].p[q].n, pc->i.p[q].n)) return ISSUE_NAMES[q];
    for (int q = 0; q < 5; q++)
        if (WRAPS(c->b.cm[ci].p[q].n, pc->m.p[q].n)) return MISC_NAMES[q];
    const csurv *s = &c->b.cs[ci];
    if (WRAPS(s->csat_n, pc->s.csat_n)) return "csat";
    if (WRAPS(s->nps_n, pc->s.nps_n)) return "nps";
    if (WRAPS(s->ces_n, pc->s.ces_n)) return "ces";
    if (WRAPS(c->b.cc[ci].n, pc->c.n)) return "over_contact";
    if (WRAPS(c->b.cm[ci].churn_x, pc->m.churn_x)) return "churn";
    if (WRAPS(c->b.cu[ci].cn, pc->u.cn) || WRAPS(c->b.cu[ci].nn, pc->u.nn)) return "repurchase_uplift";
#undef WRAPS
    return NULL;
}

int fu__kpi_apply_partials(ctx *c) {
    fu_kpi *k = c->k;
    int rc = check_own(k);
    if (rc) return c->rc = rc;
    if (!k->n_pcell) return FU_OK;
    int64_t *cell = fu__malloc(k->n_pcell * sizeof *cell);
    if (!cell) return c->rc = fu__error_nomem();
    for (size_t i = 0; i < k->n_pcell && !rc; i++) {
        const kpcell *pc = &k->pcell[i];
        int64_t p = period_at(c, pc->pstart), g = p < 0 ? -1 : fu__kpi_group_of(c, &pc->g);
        int64_t ci = g < 0 ? -1 : fu__kpi_cell_of(c, (uint32_t)p, (uint32_t)g);
        if (p < 0) rc = fu__error_set(FU_EINVAL, "a merged partial has a period that is not one of the engine's");
        else if (ci < 0) rc = c->rc ? c->rc : fu__error_nomem();
        if (rc) break;
        const char *wraps = merge_wraps(c, (size_t)ci, pc);
        if (wraps) {
            rc = fu__error_set(FU_ERANGE, "merged partials: the %s count of a cell passes 4294967295 (2^32 - 1)", wraps);
            break;
        }
        cell[i] = ci;
        fu__kpi_cell_merge(c, (size_t)ci, &pc->i, &pc->s, &pc->c, &pc->r, &pc->m, &pc->u);
    }
    for (size_t i = 0; i < k->n_prt && !rc; i++) rc = fu__kpi_push_rt(c, cell[k->prt[i].cell], k->prt[i].v);
    fu__free(cell);
    return rc ? (c->rc = rc) : FU_OK;
}
