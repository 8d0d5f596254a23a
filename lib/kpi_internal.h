/* Internal to the KPI engine (lib/kpi*.c): the stored data of a fu_kpi, the
 * computation context of fu_kpi_compute() and the functions the files share.
 *
 *   kpi.c          names, RAG, the label table, reading the figures back
 *   kpi_store.c    the data (a fu_book) and the add_* functions
 *   kpi_pass.c     the computation context, periods, cells, the unit log and
 *                  one pass per customer; fu_kpi_compute()
 *   kpi_figures.c  finalisation (churn denominators, percentiles) and figures
 *   kpi_write.c    CSV, JSON and the text dashboard
 *   kpi_html.c     the HTML dashboard (public API only)
 *   kpi_partial.c  partial aggregates: export, validate, merge
 *
 * The definitions are written out in docs/kpi.md; keep the two in step. */
#ifndef FU_KPI_INTERNAL_H
#define FU_KPI_INTERNAL_H

#include "followup/kpi.h"

#include "calendar_internal.h"
#include "commit_internal.h"
#include "csv_internal.h"
#include "internal.h"
#include "policy_internal.h"
#include "stats_internal.h"

#include <math.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NONE32 UINT32_MAX

/* ---- names and RAG (kpi.c) ---- */

/* Value type of each KPI. */
enum { VT_PROP, VT_MEAN, VT_NPS, VT_QUANT, VT_RATIO, VT_SCORE, VT_BUDGET, VT_UPLIFT };
extern const char *const fu__kpi_names[FU_KPI_COUNT];
extern const unsigned char fu__kpi_vtype[FU_KPI_COUNT];
extern const unsigned char fu__kpi_lower_better[FU_KPI_COUNT];
extern const char *const fu__kpi_period_names[3];
extern const char *const fu__kpi_by_names[5]; /* grouping dimensions, in label order */
int fu__kpi_rag_lookup(const fu__policy *t, fu_kpi_id id, const char *tier, double *target, double *red, int *lower,
                       const char **rule);
fu_kpi_status fu__kpi_rag_status(double v, double target, double red, int lower);

/* ---- storage (kpi.c) ---- */

/* The customers and events are a fu_book's (the one store of the library):
 * the book given to fu_kpi_add_book(), borrowed (fu__book_borrow: the book
 * refuses changes until the engine is freed), or a book the engine owns
 * (records given one by one, or several books). The engine keeps only what
 * a book does not hold, indexed by book customer (kcx) or found through the
 * book's string ids (agent labels, product classes). */

/* Labels the book does not hold: segment labels, the agents of due items
 * and commitments, the agent and segment names of merged partials, and the
 * industries of customers updated by fu_kpi_add_customers(). A group's
 * agent is one id of this table whatever it came from (the book's agent
 * ids are mapped into it once per distinct id, kmap). Id 0 is "absent";
 * ids are dense from 1. */
typedef struct kstr {
    char **s;       /* s[id], s[0] unused */
    uint32_t *h;    /* hash of s[id] */
    size_t n, cap;  /* n includes slot 0 */
    uint32_t *tab;  /* open addressing, 0 = empty */
    size_t tcap;    /* power of two */
} kstr;

static inline const char *kstr_get(const kstr *t, uint32_t id) { return id && id < t->n ? t->s[id] : NULL; }

/* A map from book string ids to small values (agent label ids, product
 * classes): open addressing, key 0 = empty slot. */
typedef struct kmap {
    uint32_t *key, *val;
    size_t n, cap; /* cap: power of two */
} kmap;

/* What the engine keeps per book customer beyond the book's record: the
 * segment label, and, for a customer that fu_kpi_add_customers() or a
 * second book gave again (the book's records are not updated: it refuses an
 * id twice), the attributes the KPIs read. */
typedef struct kcx {
    uint32_t segment;   /* label id of the segment label, 0 none */
    uint32_t industry;  /* ov: label id, 0 none */
    int64_t first_purchase_at; /* ov: FU_KPI_NO_TIME when not given */
    int8_t tier;        /* ov: policy tier index, -1 unknown */
    int8_t is_smb;      /* ov: fu_tristate */
    uint8_t ov;         /* 1: the four ov fields replace the book's record */
    uint8_t pad_;
} kcx;

/* A customer as the pass sees it (built per customer from the book's record
 * and kcx; not stored). */
typedef struct kcust {
    uint32_t segment;   /* label id of the segment label, 0 none */
    int32_t tier;       /* policy tier index, -1 unknown */
    int32_t is_smb;     /* fu_tristate */
    const char *industry; /* NULL none */
    int64_t first_purchase_at; /* FU_KPI_NO_TIME when not given */
} kcust;

/* An event as the pass sees it (32 bytes), decoded from the book's record
 * into a per-customer scratch array (not stored): the amount or score in
 * one field, the agent as a label id, the policy product class and the
 * contact priority resolved. */
typedef struct kev {
    int64_t at;
    double val;         /* purchases: the amount; surveys: the score (a
                           float's value); NaN when absent; unused otherwise */
    uint32_t order;     /* book string id */
    uint32_t agent;     /* label id (kstr) */
    uint8_t kind, severity, channel, outcome, survey;
    uint8_t pclass;     /* policy product class index + 1, 0 unknown */
    uint8_t prio;       /* contacts: fu_priority + 1; 0: not given (normal) */
    uint8_t pad_[1];
} kev;

typedef struct kdue {
    uint32_t cust, agent;
    int64_t from, to;
} kdue;

typedef struct kcom {
    uint32_t cust, agent;
    int64_t deadline, closed_at;
    int state;
} kcom;

/* A cell of a merged partial (kpi_partial.c): its period by start time, its
 * group with string ids of this engine, and its accumulators before the
 * finalisation (churn_n, rt_n and rt_off are 0). */
typedef struct kpcell kpcell;
/* A response time of a merged partial: index into fu_kpi.pcell, hours. */
typedef struct kprt {
    uint32_t cell;
    float v;
} kprt;
/* An entry of the index of merged customers (8 bytes): the high half of the
 * id's 64-bit hash (the low half picks the slot) and its offset in
 * fu_kpi.pid_txt + 1 (0: empty slot). */
typedef struct kpid {
    uint32_t tag, at;
} kpid;

struct fu_kpi {
    const fu_policy *policy;
    const fu__policy *pol;
    const fu_calendar *cal;
    fu_kpi_options o;
    double z;            /* normal quantile of the policy's confidence */
    kstr str;            /* labels the book does not hold */
    const fu_book *bk;   /* the store: borrowed (== the caller's) or own; NULL before any add */
    fu_book *own;        /* the engine's own book, or NULL */
    kcx *cx;             /* by book customer (n_cx entries, zero: nothing beyond the book) */
    size_t n_cx, cap_cx;
    kmap amap;           /* book agent string id -> label id */
    struct fu_redactor *red; /* masks agent labels (fu__kpi_agent_labels), made on first need */
    kmap cmap;           /* book product class string id -> class index + 1 */
    uint64_t gen;        /* fu_book_generation() of the book at the last compute */
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
    /* merged partials (fu_kpi_merge_partial) */
    kpcell *pcell;
    size_t n_pcell, cap_pcell;
    kprt *prt;
    size_t n_prt, cap_prt;
    size_t n_parts;
    int64_t part_tmin, part_tmax; /* their data range */
    /* their customers (ids NUL-terminated one after the other) and an
     * open-addressing index of them: a customer in two partitions is refused */
    char *pid_txt;
    size_t n_pid_txt, cap_pid_txt;
    kpid *pid;
    size_t n_pid, cap_pid; /* cap_pid: 0 or a power of two, load <= 3/4 */
    int threads_used;      /* threads of the last compute's pass (kpi_threads.c) */
    size_t fig_first;      /* figures written by the calling thread (all on one thread) */
};

void fu__kpi_clear_result(fu_kpi *k);
void fu__kpi_store_free(fu_kpi *k);
int fu__kpi_store_ready(fu_kpi *k);
size_t fu__kpi_customer_count(const fu_kpi *k);
void fu__kpi_customer_view(fu_kpi *k, size_t ci, kcust *out);
/* Customer's stored rows (lib/book_internal.h) decoded into kev: only the
 * fields the pass reads, straight from the compact store. */
struct fu__erow;
/* The labels of a book's attribute records (lib/book_internal.h) found so
 * far in a compute: agent label id and kev.pclass + 1 (0: not yet) of the
 * first n records. */
typedef struct kdcache {
    uint32_t *agent;
    uint8_t *pclass;
    size_t n;
} kdcache;
/* Decode n rows of the book into kev; dc (or NULL) remembers each attribute
 * record's labels. */
int fu__kpi_decode(fu_kpi *k, const struct fu__erow *rows, size_t n, kev *out, kdcache *dc);
int fu__kpi_due_cmp(const void *a, const void *b);

/* ---- the computation context ---- */

/* Proportions. The accumulators of a (period, group) cell are split by the
 * kind of unit that feeds them into small structs held in parallel arrays
 * (indexed by the cell), so that the units of one kind touch one compact
 * array: a contact touches 48 bytes of its cell, a survey 56, an issue 48.
 * Counters are 32-bit: fewer than 2^32 events are stored. */
enum {
    P_TIME, P_RES, P_FCR, P_FB, P_REP, P_FUC, /* issue block */
    P_COV, P_COM, P_WIN, P_REPUR, P_QC,       /* misc block */
    P_TOP2, P_OVER, P_CHURN, NPROP            /* survey, contact, misc */
};
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

/* Sums of money are kept as double-double pairs (x, x_lo; see dd_add):
 * x is the sum rounded once, whatever order the terms came in, so that
 * partials merged in any order give the whole book's figures bit for bit
 * (docs/kpi.md, "KPIs over partitions"). */
typedef struct ccont {    /* contact attempts: over-contact, efficiency, ROI cost */
    uint32_t n, over, daymask, pad_;
    double cost, cost2, cost_lo, cost2_lo;
} ccont;

typedef struct crev {     /* ROI revenue (touched only by contacts with revenue) */
    double r, r2, cr, r_lo, r2_lo, cr_lo;
} crev;

typedef struct cupl {     /* uplift: customers contacted (c*) and not contacted (n*) in the period */
    uint32_t cn, cx, nn, nx;  /* units, buyers */
    double cr, cr2, nr, nr2;  /* revenue in the window and its square */
    double cr_lo, cr2_lo, nr_lo, nr2_lo;
} cupl;

/* hi + lo += x, in double-double (TwoSum, then renormalised): hi stays the
 * sum rounded to a double while the exact sum fits in 106 bits. */
static inline void dd_add(double *hi, double *lo, double x) {
    double s = *hi + x, bp = s - *hi, e = (*hi - (s - bp)) + (x - bp);
    e += *lo;
    *hi = s + e;
    *lo = e - (*hi - s);
}

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
 * the same, bit for bit). The proportions of one issue in its cell travel
 * as one U_ISSUE unit (counters only: their order does not matter). */
enum { U_PROP, U_CSAT, U_NPS, U_CES, U_CONTACT, U_UPL_C, U_UPL_N, U_CHURN_IN, U_CHURN_OUT, U_CHURN_X, U_ISSUE };
typedef struct unit {
    uint32_t cell;
    uint8_t op;  /* U_* */
    uint8_t a;   /* U_PROP: the proportion; U_CONTACT: over the cap; U_UPL_*: bought;
                    U_ISSUE: the proportions present (bit j < 6: issue block
                    proportion j, bit 6: quality closure) */
    uint8_t b;   /* U_PROP: success; U_CONTACT: channel; U_ISSUE: the successes */
    uint8_t day; /* U_CONTACT: day of the period (0xFF: none) */
    double v;    /* surveys: the score; U_CONTACT, U_UPL_*: revenue */
} unit;
#define UNIT_LOG ((size_t)1 << 19)
#define UNIT_SHIFT 8

/* A cell handle with this bit is a dense key (ctx.cbit); else a cell index. */
#define CELL_KEY UINT32_C(0x80000000)

typedef struct gkey {
    uint32_t agent, seg;
    uint8_t tier, channel, pclass, pad;
} gkey;

typedef struct uattr {
    uint32_t agent;
    uint8_t channel, pclass;
} uattr;

#define GCACHE 4096
#define GDIR_DIM 16u
#define GDIR_MAX ((size_t)1 << 22)

/* What a policy condition (fu__pol_when) says of a severity and of the
 * current customer's industry, remembered per condition (a few are
 * evaluated per event: caps, cadences) instead of comparing names. */
typedef struct kwhen {
    const fu__pol_when *w;
    uint32_t ind_for; /* customer serial the industry verdict is for */
    uint8_t sev;      /* bit s: severity s is listed */
    uint8_t ind;      /* the current customer's industry is listed */
} kwhen;
#define WCACHE 16

/* A cap of the policy as over-contact applies it (made once per compute):
 * its window and tenure in seconds when they are, whether its condition
 * names anything, and the scratch of the one walk over a contact's
 * predecessors that serves every cap (start of the window, INT64_MAX: the
 * cap does not hold the contact; count so far). */
typedef struct kcap {
    const fu__pol_cap *cap;
    int64_t per;    /* cap->per in seconds; -1: another unit (add_dur) */
    int64_t start;
    int count;
    uint8_t when;   /* cap->when names something: when_ok is asked */
} kcap;

/* The first step of a cadence that triggers on events, as coverage uses it
 * (made once per compute): whether the cadence's or the step's condition
 * names anything. */
#define CAP_SLOTS 128 /* priority (8) x channel (8) x reached (2) */

typedef struct kcad {
    uint8_t when;
} kcad;

typedef struct duerec {
    int64_t cell;
    int covered;
} duerec;

/* What a thread's pass writes (its groups, cells, unit log, response times,
 * per-customer scratch and caches): one struct, so that the worker of the
 * pass on two threads starts from a copy of the compute's context with its
 * own empty one (kpi_threads.c). */
typedef struct kpass {
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
    /* the unit log (ctx.cap_u entries each) */
    unit *ulog, *ulog2;
    size_t nu;
    size_t *ubin;
    size_t cap_ubin;
    uint32_t *ctab; /* cell index + 1 (hash mode) */
    size_t ctcap;
    uint32_t *dense; /* cell index + 1 at [group * np + period] (dense mode) */
    size_t dense_groups;
    int hash_mode;
    /* In dense mode the pass names a cell by its key group * (np + 1) +
     * period with CELL_KEY set (a handle: no load of the dense index per
     * unit); cbit says which keys have a cell (bit key, a cache of dense:
     * np + 1 bits a group, small enough to stay in cache). Handles become
     * cell indices when the log is applied (cell_index). dense_old: the
     * dense index as it was when the cells moved to the hash table, for the
     * handles given out before; mixed: that happened during the current
     * customer (its handles and indices may name one cell twice). */
    uint64_t *cbit;
    uint32_t *dense_old;
    int mixed;
    int64_t last_cell_key; /* -1 none (KPASS_EMPTY) */
    int64_t last_cell;
    /* response times */
    uint32_t *rt_cell;
    float *rt_val;
    size_t n_rt, cap_rt, cap_rt2;
    kev *kb;         /* the customer's events decoded (cap_kb) */
    size_t cap_kb;
    /* per-customer scratch */
    uint32_t *nr, *pr, *pc;
    int32_t *pe;  /* period of each event, -1 outside the periods */
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
    /* indices of the issues, survey answers, contact attempts and events
     * that trigger a cadence (4 lists of at most n in one buffer) */
    uint32_t *kix, *iss, *sur, *con, *trg;
    size_t niss, nsur, ncon, ntrg, cap_kix;
    duerec *dr;
    size_t ndr, cap_dr;
    kwhen wc[WCACHE];
    /* group cache (group index + 1) */
    uint32_t gcache[GCACHE];
    /* direct group index (group index + 1) in front of the cache (ctx.gdin) */
    uint32_t *gdir;
    size_t gdir_outer;
} kpass;

/* An empty kpass. */
#define KPASS_EMPTY ((kpass){.last_cell_key = -1, .last_cell = -1})
/* Frees what a kpass holds (kpi_pass.c). */
void fu__kpass_free(kpass *p);

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
    int64_t churn_out;     /* the current customer's pending -1 of churn (cell), -1 none */
    int64_t data_tmin, data_tmax; /* the span the periods cover */
    int64_t roi_window; /* attribution window (kpis.roi.window, else the option) */
    int64_t qc_window;  /* quality closure (kpis.quality_closure.window, else 7 days) */
    int64_t repurchase_window; /* kpis.repurchase.window, else the option */
    int uplift;      /* uplift units: not when grouping by agent or channel */
    int costs;       /* some contact cost is set: ROI */
    int daymask;     /* the scorecard needs active days */
    size_t cap_u;    /* entries of each unit log */
    kpass b;         /* what the pass writes */
    /* current customer */
    int cur_tier;
    uint32_t cur_seg;
    const kcust *cur;
    kcust curv;      /* the view cur points to */
    kdcache dc;      /* labels by attribute record (when records are shared) */
    int64_t cur_first;
    /* cadences triggered by each event kind (indices into pol->cadences) */
    uint32_t *trig[FU_EVENT_KIND_COUNT];
    size_t ntrig[FU_EVENT_KIND_COUNT];
    /* SLA by severity (index fu_severity); by tier: bit j of sla_tmask[t]
     * when sla_tier[j] names tier t (sla_tfast: at most 64 entries) */
    kcap *kc;   /* the policy's caps but those of scope survey (nkc) */
    uint64_t *kmask; /* per 64 caps: CAP_SLOTS rows of the caps holding a
                        contact, then CAP_SLOTS of those counting one (cap_masks) */
    size_t nkc;
    int64_t gap; /* caps.min_gap in seconds */
    kcad *kd;   /* by cadence index */
    const fu_duration *sla_sev[4];
    uint64_t sla_tmask[FU__POL_MAX_TIERS];
    int sla_tfast;
    uint32_t cust_serial; /* changes with the current customer */
    /* direct group index b.gdir: gdir[outer * gdin + inner], outer the agent
     * or segment label id (0 when neither is grouped), inner the tier + 1,
     * channel and product class (each < GDIR_DIM) of the dimensions grouped;
     * gdin 0: not used (not when grouped by both agent and segment) */
    uint32_t gdin, gdt, gdch;  /* inner size; strides of tier and channel */
    uint32_t gdchm, gdpcm;     /* 0xFF when grouped by channel, by product class; else 0 */
    uint32_t gdcust;           /* the current customer's tier offset (group_customer) */
    uint32_t gdseg;            /* its segment when the outer key is the segment, else 0 */
    uint8_t gdo;               /* outer: 0 none, 1 agent, 2 segment */
} ctx;


/* The accumulators of one cell side by side, in the order of the split
 * arrays (the members of kpcell and of kpi_figures.c's rows). */
#define KPI_CELL_ACCUMULATORS \
    cissue i;                 \
    csurv s;                  \
    ccont c;                  \
    crev r;                   \
    cmisc m;                  \
    cupl u;

struct kpcell {
    int64_t pstart;
    gkey g;
    KPI_CELL_ACCUMULATORS
};

extern const signed char fu__kpi_prop[FU_KPI_COUNT];
int fu__kpi_accumulate(fu_kpi *k, ctx *c, int *empty);
/* The unit log and the labels cache of a compute (ulog, ulog2, dc). */
int fu__kpi_pass_buffers(ctx *c);
/* A thread's view of what two threads share while they pass over their
 * customers: a flag either raises when it fails, read every 1024
 * customers (FU__KPI_STOPPED when the other raised it); the thread with poll
 * set also asks the cancel hook (the hook is the calling thread's). */
typedef struct fu__kpi_stop {
    _Atomic int *flag;
    int poll;
} fu__kpi_stop;
#define FU__KPI_STOPPED (-1000) /* not an error code: stopped by the other thread */
int fu__kpi_stop_poll(fu__kpi_stop *s);
int fu__kpi_pass_range(ctx *c, size_t c0, size_t c1, size_t dp, fu__kpi_stop *stop);
int fu__kpi_pass_flush(ctx *c);
/* ---- the pass on two threads (kpi_threads.c) ---- */
/* Every customer's pass: on one thread, or on two (the customers in two
 * halves, the second half's groups, cells and response times merged after
 * the first's as one thread would have made them); sets k->threads_used. */
int fu__kpi_pass_customers(ctx *c, size_t ncu);
/* The threads the pass over ncu customers will use (1 or 2: FU_KPI_THREADS,
 * else the CPUs, the book's size and the allocator; kpi_threads.c). */
int fu__kpi_threads_for(const fu_kpi *k, size_t ncu);
/* The range of a compute's data: as_of (k->o.as_of, else the latest event,
 * due item or closing) and the earliest and latest time the periods must
 * cover (kpi_span.c; the book's span on two threads when the pass is). */
void fu__kpi_data_range(const fu_kpi *k, int64_t *as_of_out, int64_t *tmin_out, int64_t *tmax_out);
/* A job on a second thread while the calling thread does its own part (the
 * tail of a compute on two threads). */
typedef struct fu__kpi_side {
    int (*fn)(void *);
    void *arg;
    pthread_t th;
    int started, rc;
    char msg[512]; /* the job's error message (errors are per thread) */
} fu__kpi_side;
/* fn(arg) on a new thread; on this one, in fu__kpi_side_join(), when no
 * thread starts. */
void fu__kpi_side_start(fu__kpi_side *s, int (*fn)(void *), void *arg);
/* Waits for the job. rc: the calling thread's return code; when it is an
 * error, the result (the job's error is dropped, the job not run when no
 * thread started), else the job's, its error set again on this thread. */
int fu__kpi_side_join(fu__kpi_side *s, int rc);
/* The labels of every attribute record of the book found before the pass
 * (kpi_store.c; dc allocated when it was not): decoding then only reads. */
int fu__kpi_decode_prefill(fu_kpi *k, kdcache *dc);
/* Add the accumulators of one cell (before the finalisation) to cell ci:
 * counters added, money sums in double-double, active days OR'd. */
void fu__kpi_cell_merge(ctx *c, size_t ci, const cissue *i, const csurv *s, const ccont *cc, const crev *r,
                        const cmisc *m, const cupl *u);
void fu__kpi_ctx_free(ctx *c);
int64_t fu__kpi_group_of(ctx *c, const gkey *g);
int fu__kpi_push_rt(ctx *c, int64_t ci, double hours);
int fu__kpi_intern(fu_kpi *k, const char *s, size_t n, uint32_t *out);
/* fu__kpi_intern() of an agent's text (book agent_id, due item agent,
 * commitment created_by), as given: groups are by the raw id (review r3 M1);
 * the label shown to people is masked (fu__kpi_agent_labels). */
int fu__kpi_intern_agent(fu_kpi *k, const char *s, uint32_t *out);
/* The labels shown to people of the n distinct agent label ids (out[i],
 * fu__free()'d by the caller): each agent's text masked with the built-in
 * redactor as the contact log and the ledger mask it (review s9 F6); agents
 * whose texts mask alike get " #1", " #2", ... in the byte order of their
 * raw texts (docs/kpi.md "Agent labels are masked"). */
int fu__kpi_agent_labels(fu_kpi *k, const uint32_t *ids, size_t n, char **out);

/* ---- partials (kpi_partial.c) ---- */

int fu__kpi_apply_partials(ctx *c);
void fu__kpi_partials_free(fu_kpi *k);
int64_t fu__kpi_cell_of(ctx *c, uint32_t period, uint32_t group);

/* ---- finalisation and figures (kpi_figures.c) ---- */

int fu__kpi_churn_finalize(ctx *c);
/* The figures and scorecards of the reported cells (after the churn
 * denominators): the response times grouped by cell and each reported
 * cell's sorted on the way; on two threads when the pass ran on two
 * (k->threads_used), with the same figures in the same order as one. */
int fu__kpi_build_figures(ctx *c);

#endif /* FU_KPI_INTERNAL_H */
