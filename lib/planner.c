/* fu_planner: cadences, limits, capacity and simulation (include/followup/planner.h).
 *
 * Work is per customer and linear in its events: one merged pass over the
 * book's events and the events fed to the planner collects the facts
 * (purchases, last event per kind, contacts), candidates come from the events
 * still within reach of a cadence, and limits work on the handful of
 * candidates. Scratch arrays live in the planner and are reused for every
 * customer; calendars (per zone) and allowed-minute masks (per pair of
 * do-not-disturb / preferred windows, strings interned by the book) are
 * cached. Nothing is allocated per event. */
#include "followup/planner.h"
#include "followup/segment.h"
#include "followup/kpi.h"
#include "csv_internal.h"
#include "internal.h"
#include "planner_loop.h"
#include "planner_agents.h"
#include "policy_internal.h"

#include <math.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY INT64_C(86400)
#define MASK_WORDS 158 /* 10080 minutes of the week, 64 a word */
#define OV_LOCAL 0x80000000u /* string ids of fed events: planner-local */
#define MAX_ORDERS 4
#define MAX_CYCLE_PURCHASES 64

/* ------------------------------------------------------------------ names */

static const char *const prio_names[] = {"urgent", "high", "normal", "low"};
static const char *const status_names[] = {"planned", "suppressed", "deferred", "cancelled", "later"};

const char *fu_priority_name(int p) { return p >= 0 && p < 4 ? prio_names[p] : NULL; }
const char *fu_touchpoint_status_name(int s) { return s >= 0 && s < FU_TOUCHPOINT_STATUS_COUNT ? status_names[s] : NULL; }

void fu_planner_options_init(fu_planner_options *o) {
    if (o) {
        fu_planner_options d = FU_PLANNER_OPTIONS_INIT;
        *o = d;
    }
}

/* ------------------------------------------------------------------ arena
 * Strings of a plan: chunks that never move, so pointers stay valid. */
typedef struct pl_chunk {
    struct pl_chunk *next;
    size_t used, cap;
    char data[];
} pl_chunk;

typedef struct pl_arena {
    pl_chunk *head;
} pl_arena;

static void arena_free(pl_arena *a) {
    pl_chunk *c = a->head;
    while (c) {
        pl_chunk *n = c->next;
        fu__free(c);
        c = n;
    }
    a->head = NULL;
}

static char *arena_alloc(pl_arena *a, size_t n) {
    pl_chunk *c = a->head;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > 65536 ? n : 65536;
        c = fu__malloc(sizeof *c + cap);
        if (!c) return NULL;
        c->next = a->head;
        c->used = 0;
        c->cap = cap;
        a->head = c;
    }
    char *p = c->data + c->used;
    c->used += n;
    return p;
}

static const char *arena_str(pl_arena *a, const char *s, size_t n) {
    char *p = arena_alloc(a, n + 1);
    if (!p) return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

/* Move every chunk of `from` into `to`. */
static void arena_splice(pl_arena *to, pl_arena *from) {
    while (from->head) {
        pl_chunk *c = from->head;
        from->head = c->next;
        c->next = to->head;
        to->head = c;
    }
}

/* ------------------------------------------------------------------ plan */

struct fu_plan {
    fu_touchpoint *tp; /* sorted by status, then best_at, then customer */
    size_t n, cap;
    size_t off[FU_TOUCHPOINT_STATUS_COUNT + 1]; /* status s: tp[off[s] .. off[s+1]) */
    pl_arena arena;
    fu_plan_stats stats;
    const fu_book *book;
    /* per touchpoint: the order's string id (book or planner-local) and the
     * customer's zone (index into the planner's zones, then into cals) */
    uint32_t *oid;
    uint16_t *zone;
    size_t side_cap;
    /* per zone index: the zone's calendar (a copy owned by the plan, so CSV
     * times work after the planner is gone), NULL when no touchpoint uses it */
    fu_calendar **cals;
    size_t ncals;
};

static int plan_new(fu_plan **out, const fu_book *book) {
    fu_plan *p = fu__calloc(1, sizeof *p);
    if (!p) return fu__error_nomem();
    p->book = book;
    *out = p;
    return FU_OK;
}

void fu_plan_free(fu_plan *p) {
    if (!p) return;
    fu__free(p->tp);
    fu__free(p->oid);
    fu__free(p->zone);
    for (size_t i = 0; i < p->ncals; i++) fu_calendar_free(p->cals[i]);
    fu__free(p->cals);
    arena_free(&p->arena);
    fu__free(p);
}

static int plan_push(fu_plan *p, const fu_touchpoint *t, uint16_t zone, uint32_t oid) {
    if (p->n == p->cap && FU_GROW(p->tp, p->cap, p->n + 1)) return FU_ENOMEM;
    if (p->n == p->side_cap) {
        size_t c1 = p->side_cap, c2 = p->side_cap;
        if (FU_GROW(p->oid, c1, p->n + 1)) return FU_ENOMEM;
        if (FU_GROW(p->zone, c2, p->n + 1)) return FU_ENOMEM;
        p->side_cap = c1 < c2 ? c1 : c2;
    }
    p->oid[p->n] = oid;
    p->zone[p->n] = zone;
    p->tp[p->n] = *t;
    p->tp[p->n++].agent = ""; /* named after planning (lib/planner_agents.c) */
    return FU_OK;
}

/* Sort keys: two words compared in order; the low bits of b carry the row. */
typedef struct pl_key {
    uint64_t a, b;
} pl_key;

static inline int key_less(const pl_key *x, const pl_key *y) { return x->a != y->a ? x->a < y->a : x->b < y->b; }

static void key_sift(pl_key *k, size_t n, size_t i) {
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n) return;
        if (c + 1 < n && key_less(&k[c], &k[c + 1])) c++;
        if (!key_less(&k[i], &k[c])) return;
        pl_key t = k[i];
        k[i] = k[c];
        k[c] = t;
        i = c;
    }
}

/* In-place sort of unique keys (no scratch memory: a plan of a million
 * touchpoints sorts without a second copy). Quicksort with a median of
 * three, heapsort when the recursion gets too deep. */
static void key_sort(pl_key *k, size_t n, int depth) {
    while (n > 16) {
        if (depth-- == 0) {
            for (size_t i = n / 2; i-- > 0;) key_sift(k, n, i);
            for (size_t e = n; e-- > 1;) {
                pl_key t = k[0];
                k[0] = k[e];
                k[e] = t;
                key_sift(k, e, 0);
            }
            return;
        }
        size_t m = n / 2;
        pl_key t;
        if (key_less(&k[m], &k[0])) t = k[m], k[m] = k[0], k[0] = t;
        if (key_less(&k[n - 1], &k[0])) t = k[n - 1], k[n - 1] = k[0], k[0] = t;
        if (key_less(&k[n - 1], &k[m])) t = k[n - 1], k[n - 1] = k[m], k[m] = t;
        pl_key piv = k[m];
        size_t i = 0, j = n - 1;
        for (;;) {
            while (key_less(&k[i], &piv)) i++;
            while (key_less(&piv, &k[j])) j--;
            if (i >= j) break;
            t = k[i], k[i] = k[j], k[j] = t;
            i++;
            j--;
        }
        /* [0, j] <= piv <= [j+1, n): recurse into the smaller part */
        size_t left = j + 1;
        if (left < n - left) {
            key_sort(k, left, depth);
            k += left;
            n -= left;
        } else {
            key_sort(k + left, n - left, depth);
            n = left;
        }
    }
    for (size_t i = 1; i < n; i++) {
        pl_key x = k[i];
        size_t j = i;
        while (j > 0 && key_less(&x, &k[j - 1])) {
            k[j] = k[j - 1];
            j--;
        }
        k[j] = x;
    }
}

static void key_sort_all(pl_key *k, size_t n) {
    int depth = 0;
    for (size_t m = n; m > 1; m >>= 1) depth += 2;
    key_sort(k, n, depth);
}

#define ROW_BITS 29
#define ROW_MASK ((UINT64_C(1) << ROW_BITS) - 1)
#define ROW_DONE (UINT64_C(1) << 31)

/* Sort touchpoints by status, best_at, customer, priority, insertion order,
 * keeping the side columns aligned, and count statuses. 16-byte keys sorted
 * in place and an in-place permutation keep the extra memory at 16 bytes a
 * touchpoint. */
static int plan_finish(fu_plan *p) {
    if (p->n > ROW_MASK) return fu__error_set(FU_ELIMIT, "more than 2^29 - 1 touchpoints in a plan");
    if (p->n > 1) {
        pl_key *k = fu__malloc(p->n * sizeof *k);
        if (!k) return fu__error_nomem();
        int64_t minb = INT64_MAX;
        for (size_t i = 0; i < p->n; i++)
            if (p->tp[i].best_at < minb) minb = p->tp[i].best_at;
        for (size_t i = 0; i < p->n; i++) {
            const fu_touchpoint *t = &p->tp[i];
            k[i].a = ((uint64_t)t->status << 61) | ((uint64_t)(t->best_at - minb) & ((UINT64_C(1) << 61) - 1));
            k[i].b = ((uint64_t)t->customer << 32) | ((uint64_t)t->priority << ROW_BITS) | (uint64_t)i;
        }
        key_sort_all(k, p->n);
        /* position i takes the row at k[i]: follow the cycles */
        for (size_t i = 0; i < p->n; i++) {
            size_t src0 = (size_t)(k[i].b & ROW_MASK);
            if (src0 == i || (k[i].b & ROW_DONE)) continue;
            fu_touchpoint tt = p->tp[i];
            uint16_t tz = p->zone[i];
            uint32_t to = p->oid[i];
            size_t j = i;
            for (;;) {
                size_t src = (size_t)(k[j].b & ROW_MASK);
                k[j].b |= ROW_DONE;
                if (src == i) {
                    p->tp[j] = tt;
                    p->zone[j] = tz;
                    p->oid[j] = to;
                    break;
                }
                p->tp[j] = p->tp[src];
                p->zone[j] = p->zone[src];
                p->oid[j] = p->oid[src];
                j = src;
            }
        }
        fu__free(k);
    }
    memset(p->off, 0, sizeof p->off);
    p->stats.late = 0;
    for (size_t i = 0; i < p->n; i++) {
        const fu_touchpoint *t = &p->tp[i];
        p->off[t->status + 1]++;
        if ((t->status == FU_TOUCHPOINT_PLANNED || t->status == FU_TOUCHPOINT_LATER) && t->best_at > t->due_to)
            p->stats.late++;
    }
    for (int s = 1; s <= FU_TOUCHPOINT_STATUS_COUNT; s++) p->off[s] += p->off[s - 1];
    p->stats.planned = p->off[1] - p->off[0];
    p->stats.suppressed = p->off[2] - p->off[1];
    p->stats.deferred = p->off[3] - p->off[2];
    p->stats.cancelled = p->off[4] - p->off[3];
    p->stats.later = p->off[5] - p->off[4];
    return FU_OK;
}

/* lib/planner_agents.c: the plan's rows, its strings, re-sorting after a change */
fu_touchpoint *fu__plan_rows(fu_plan *p, size_t *n) {
    *n = p->n;
    return p->tp;
}

const char *fu__plan_strdup(fu_plan *p, const char *s, size_t n) { return arena_str(&p->arena, s, n); }

static int is_agent_channel(int ch);

int fu__plan_resort(fu_plan *p) {
    int rc = plan_finish(p);
    size_t n = 0;
    for (size_t i = 0; i < p->n; i++)
        if (p->tp[i].status == FU_TOUCHPOINT_PLANNED && is_agent_channel(p->tp[i].channel)) n++;
    p->stats.agent_contacts = n;
    return rc;
}

const fu_book *fu__plan_book(const fu_plan *p) { return p->book; }

const fu_touchpoint *fu_plan_touchpoints(const fu_plan *p, fu_touchpoint_status s, size_t *count) {
    if (count) *count = 0;
    if (!p || (int)s < 0 || (int)s >= FU_TOUCHPOINT_STATUS_COUNT) return NULL;
    size_t n = p->off[s + 1] - p->off[s];
    if (count) *count = n;
    return n ? p->tp + p->off[s] : NULL;
}

void fu_plan_get_stats(const fu_plan *p, fu_plan_stats *out) {
    if (!out) return;
    if (!p) {
        memset(out, 0, sizeof *out);
        return;
    }
    *out = p->stats;
}

/* ------------------------------------------------------------------ planner */

typedef struct pl_zone {
    const char *tz;           /* interned by the book (or the policy's) */
    fu_calendar *own;         /* created here, or NULL when borrowed */
    const fu_calendar *cal;
    const fu__pol_calendar *hol; /* a policy calendar in this zone: its holidays */
    char *hol_rule;           /* "calendars.<name>.holidays" when hol, else NULL */
} pl_zone;

typedef struct pl_mask {
    const char *dnd, *pref;
    int has_pref, has_dnd;
    /* 0 routine, 1 routine within preferred, 2 exempt, 3 exempt within preferred,
     * 4 routine ignoring do-not-disturb (to name the rule that blocked) */
    uint64_t bits[5][MASK_WORDS];
} pl_mask;

typedef struct pl_ovvec {
    fu_event *ev;
    size_t n, cap;
} pl_ovvec;

/* Events that are not in the book: fed events, or simulated contacts. */
typedef struct pl_overlay {
    int32_t *head; /* per customer: index into v, -1 none */
    pl_ovvec *v;
    size_t n, cap;
} pl_overlay;

/* A candidate touchpoint of the customer being planned. */
enum { C_ACTIVE = 0, C_DONE, C_SUPPRESSED, C_DEFERRED };
enum { F_RECOVERY = 1, F_OVERDUE = 2, F_FALLBACK_CH = 4, F_TRIMMED = 8, F_MOVED = 16, F_CYCLE_OWN = 32,
       F_CYCLE_TIER = 64, F_CYCLE_DEFAULT = 128 };

typedef struct pl_cand {
    int64_t from, to, trigger;
    const fu__pol_cadence *cad;
    const fu__pol_step *step;
    const fu_event *ev;       /* triggering event or NULL */
    const char *supp_rule;    /* suppression that adjusted it (recovery, trim, move) */
    const char *status_rule;  /* suppressed / deferred by */
    double cycle_days;        /* cycle cadences */
    uint32_t order;
    uint8_t channel;          /* fu_channel */
    uint8_t orig_channel;
    uint8_t priority;
    uint8_t status;
    uint16_t flags;
    int group;
    int dep; /* candidate whose contact must come first (step `after`), -1 none */
    const fu__promise *promise; /* `{promise: ...}` cadences: the promise */
} pl_cand;

typedef struct pl_contact {
    int64_t at;
    uint8_t channel;  /* fu_channel */
    uint8_t priority; /* fu_priority; history without one: normal */
    uint8_t exempt;
    uint8_t norders;
    uint8_t attempt;  /* a call attempt without an answer: redial.*.retry_after spaces the next call,
                         not caps.min_gap (the caps still count it) */
    uint32_t orders[MAX_ORDERS];
} pl_contact;

typedef struct pl_group {
    int64_t from, to, best;
    const char *block_rule;
    const char *late_rule;  /* made after its window: the holidays that closed it */
    const char *later_rule; /* status later: what moved best past the horizon */
    const char *dep_rule;   /* the step whose contact this one waits for (step `after`) */
    const char *redial_rule; /* retry after a call attempt (`redial.<outcome>`) */
    int64_t redial_at;      /* that attempt */
    uint8_t redial_outcome, redial_callback;
    uint8_t on_holiday;     /* made on a holiday (quiet_hours.on_holidays) */
    int first, n; /* members: gm[first .. first+n) */
    uint8_t channel, priority, status, exempt;
    uint8_t norders, moved_by_cap, survey;
    uint32_t orders[MAX_ORDERS];
    float bt_p; /* answer probability of the best-time model's pick; -1 none */
} pl_group;

/* Facts about the customer being planned. */
typedef struct pl_cust {
    size_t index;
    const fu_customer *c;
    const pl_zone *zone;
    const pl_mask *mask;
    int64_t now, end; /* [now, end) is the horizon */
    int tier;         /* policy tier index, -1 unknown */
    int lifecycle;    /* fu__pol_lifecycle */
    const char *lifecycle_rule;
    int64_t lifecycle_since;
    int64_t first_purchase, last_purchase, first_event, last_answered;
    int last_class;
    unsigned purchases, purchases_last_year, purchases_prev_year;
    int64_t last_at[FU_EVENT_KIND_COUNT];
    double spend_last_year;
} pl_cust;

struct fu_planner {
    const fu_policy *policy;
    const fu__policy *P;
    const fu_book *book;
    int book_borrowed; /* fu__book_borrow() taken: the book refuses changes */
    fu_planner_options opt;
    const fu__pol_calendar *bcal; /* business calendar: the policy's default */
    size_t ncust;
    /* cadences triggered by each event kind */
    size_t *kind_cads[FU_EVENT_KIND_COUNT];
    size_t n_kind_cads[FU_EVENT_KIND_COUNT];
    int64_t kind_reach[FU_EVENT_KIND_COUNT];
    size_t *cad_buf;
    int *supp_kind; /* per suppression: event kind of RECENT_EVENT, -1 otherwise */
    int *cad_kind;  /* per cadence: event kind or -1 */
    /* zones and masks */
    pl_zone *zones;
    size_t nzones, zcap;
    pl_mask **masks;
    size_t nmasks, mcap;
    int32_t *mhash;
    size_t mhash_cap;
    /* product class per book string id: -2 not computed, -1 none, else index */
    int8_t *cls;
    size_t ncls;
    /* fallback cycles (days) per tier x class, 0 = none */
    double tier_cycle[FU__POL_MAX_TIERS][FU__POL_MAX_TIERS];
    /* fed events; the overlay in use (fed or a simulation's) */
    pl_overlay fed;
    pl_overlay *ov;
    int ignore_book_contacts;
    int guard_per_day; /* a guard's override of redial.attempts_per_day: 0 policy, < 0 none */
    char **lstr; /* planner-local strings (of fed events) */
    size_t nlstr, lstr_cap;
    /* scratch, reused for every customer */
    const fu_event **ev;
    size_t ev_cap;
    pl_cand *cand;
    size_t ncand, cand_cap;
    pl_contact *ct;
    size_t nct, ct_cap;
    pl_group *grp;
    size_t ngrp, grp_cap;
    int *gm;
    size_t gm_cap;
    int64_t *ptimes;
    size_t ptimes_cap;
    int64_t *stimes; /* survey answers and survey contacts of the customer (caps with scope survey) */
    size_t nst, st_cap;
    fu__buf b_purpose, b_rule, b_reason; /* text of the touchpoint being emitted */
    const fu_besttime *bt;  /* best-time model for best_at, or NULL */
    fu_besttime *own_bt;    /* built by FU_PLANNER_BESTTIME */
    /* lifecycle rules: the policy's (fu_segment_rules_new_from_policy(), as
     * `followup segment` uses them), without composite segments and the CLV
     * quantile, which the planner does not read */
    fu_segment_rules *seg_policy;
    fu_segment_rules seg;
    /* simulation: agent contacts already made per day (from day_used0) */
    const fu_sim_day *day_used;
    int64_t day_used0;
    size_t day_used_n;
    fu__promise_set promises; /* fu_planner_set_ledger() */
    fu__agent_set *agents;    /* fu_planner_set_agents(); NULL: nobody is named */
    size_t nev; /* events of the customer being planned in ev (gather()) */
};

const fu_book *fu__planner_book(const fu_planner *pl) { return pl->book; }
fu__promise_set *fu__planner_promises(fu_planner *pl) { return &pl->promises; }
fu__agent_set **fu__planner_agents(fu_planner *pl) { return &pl->agents; }
const fu__policy *fu__planner_policy(const fu_planner *pl) { return pl->P; }

/* ---------------------------------------------------------------- helpers */

static int64_t floordiv(int64_t a, int64_t b) {
    int64_t q = a / b;
    if ((a % b) && ((a < 0) != (b < 0))) q--;
    return q;
}

static const char *pl_str(const fu_planner *pl, uint32_t id) {
    if (!id) return NULL;
    if (id & OV_LOCAL) {
        size_t i = (id & ~OV_LOCAL) - 1;
        return i < pl->nlstr ? pl->lstr[i] : NULL;
    }
    return fu_book_string(pl->book, id);
}

static int is_agent_channel(int ch) {
    return ch == FU_CHANNEL_PHONE || ch == FU_CHANNEL_VIDEO || ch == FU_CHANNEL_CHAT || ch == FU_CHANNEL_VISIT;
}

/* Upper bound of a duration's length in seconds (for the reach of cadences). */
static int64_t dur_bound(const fu_duration *d) {
    int64_t v = d->value < 0 ? -d->value : d->value;
    switch (d->unit) {
    case FU_DURATION_SECONDS: return v;
    case FU_DURATION_MONTHS: return v * 31 * DAY + 2 * DAY;
    case FU_DURATION_WORKING_DAYS: return (2 * v + 20) * DAY;
    case FU_DURATION_BUSINESS_SECONDS: return v * 5 + 20 * DAY;
    }
    return v;
}

static int days_in_month(int y, int m) {
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
    return d[m - 1];
}

static int add_months(const fu_calendar *cal, int64_t t, int64_t months, int64_t *out) {
    fu_local l;
    int rc = fu_calendar_to_local(cal, t, &l);
    if (rc) return rc;
    int64_t m = (int64_t)l.year * 12 + (l.month - 1) + months;
    if (m < 12 || m >= (int64_t)10000 * 12) return fu__error_set(FU_ERANGE, "month arithmetic leaves years 1..9999");
    l.year = (int)(m / 12);
    l.month = (int)(m % 12) + 1;
    int dim = days_in_month(l.year, l.month);
    if (l.day > dim) l.day = dim;
    return fu_calendar_from_local(cal, &l, 0, out);
}

/* t + d. Months in the local calendar `lcal`; working days and business time
 * in the business calendar. `end_of_day` places working days at the close of
 * business (window ends) instead of the same clock time (offsets). */
static int add_dur(const fu_planner *pl, const fu_calendar *lcal, int64_t t, const fu_duration *d, int end_of_day,
                   int64_t *out) {
    const fu_calendar *bc = pl->bcal->cal;
    switch (d->unit) {
    case FU_DURATION_SECONDS:
        *out = t + d->value;
        return FU_OK;
    case FU_DURATION_MONTHS:
        return add_months(lcal, t, d->value, out);
    case FU_DURATION_WORKING_DAYS:
        if (d->value >= 0) {
            int rc = fu_calendar_add_working_days(bc, t, (int)d->value,
                                                  end_of_day ? FU_WORKDAY_END_OF_DAY : FU_WORKDAY_SAME_TIME, out);
            /* a window that would close before it opens (`within: same day`
             * for an inquiry after the close of business) closes at the end
             * of the next working day instead */
            if (!rc && end_of_day && *out < t)
                rc = fu_calendar_add_working_days(bc, t, (int)d->value + 1, FU_WORKDAY_END_OF_DAY, out);
            return rc;
        } else {
            fu_local l;
            int rc = fu_calendar_to_local(bc, t, &l);
            if (rc) return rc;
            fu_date dt = {l.year, l.month, l.day};
            int64_t days;
            if ((rc = fu_date_to_days(&dt, &days))) return rc;
            int64_t left = -d->value;
            for (int guard = 0; left > 0 && guard < 4000; guard++) {
                days--;
                if ((rc = fu_date_from_days(days, &dt))) return rc;
                int w = fu_calendar_is_working_day(bc, &dt);
                if (w < 0) return w;
                if (w) left--;
            }
            l.year = dt.year;
            l.month = dt.month;
            l.day = dt.day;
            return fu_calendar_from_local(bc, &l, 0, out);
        }
    case FU_DURATION_BUSINESS_SECONDS:
        if (d->value >= 0) return fu_calendar_add_business(bc, t, d->value, out);
        else {
            /* latest x with business time in [x, t) >= |value|: bisection */
            int64_t need = -d->value, lo = t - need * 6 - 40 * DAY, hi = t, b;
            for (int i = 0; i < 48 && lo < hi; i++) {
                int64_t mid = lo + (hi - lo + 1) / 2;
                int rc = fu_calendar_business_between(bc, mid, t, &b);
                if (rc) return rc;
                if (b >= need) lo = mid;
                else hi = mid - 1;
            }
            *out = lo;
            return FU_OK;
        }
    }
    return fu__error_set(FU_EINVAL, "unknown duration unit");
}

/* ---------------------------------------------------------------- zones */

static int zone_get(fu_planner *pl, const char *tz, const pl_zone **out) {
    for (size_t i = 0; i < pl->nzones; i++)
        if (pl->zones[i].tz == tz) {
            *out = &pl->zones[i];
            return FU_OK;
        }
    for (size_t i = 0; i < pl->nzones; i++)
        if (tz && pl->zones[i].tz && strcmp(pl->zones[i].tz, tz) == 0) {
            *out = &pl->zones[i];
            return FU_OK;
        }
    if (pl->nzones >= UINT16_MAX) return fu__error_set(FU_ELIMIT, "more than 65535 distinct time zones");
    if (FU_GROW(pl->zones, pl->zcap, pl->nzones + 1)) return FU_ENOMEM;
    pl_zone z = {tz, NULL, NULL, NULL, NULL};
    const char *name = tz ? tz : pl->bcal->tz;
    /* the holidays of the zone: the policy's default calendar when it is in
     * the zone (a site's cn2027 extending cn), else the first in the zone */
    if (strcmp(pl->bcal->tz, name) == 0) z.hol = pl->bcal;
    for (size_t i = 0; i < pl->P->n_calendars && !z.hol; i++)
        if (strcmp(pl->P->calendars[i].tz, name) == 0) z.hol = &pl->P->calendars[i];
    if (!tz) z.hol = pl->bcal;
    if (z.hol) {
        size_t n = strlen(z.hol->name);
        z.hol_rule = fu__malloc(n + sizeof "calendars..holidays");
        if (!z.hol_rule) return fu__error_nomem();
        memcpy(z.hol_rule, "calendars.", 10);
        memcpy(z.hol_rule + 10, z.hol->name, n);
        memcpy(z.hol_rule + 10 + n, ".holidays", sizeof ".holidays");
    }
    if (!tz) {
        z.cal = pl->bcal->cal;
    } else {
        int rc = fu_calendar_new(&z.own, tz);
        if (rc) {
            fu__free(z.hol_rule);
            return rc;
        }
        z.cal = z.own;
    }
    pl->zones[pl->nzones] = z;
    *out = &pl->zones[pl->nzones++];
    return FU_OK;
}

static int is_holiday(const pl_zone *z, int64_t local_day) {
    if (!z->hol || !z->hol->n_holidays) return 0;
    size_t lo = 0, hi = z->hol->n_holidays;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (z->hol->holidays[mid].days < local_day) lo = mid + 1;
        else hi = mid;
    }
    return lo < z->hol->n_holidays && z->hol->holidays[lo].days == local_day;
}

/* ---------------------------------------------------------------- masks */

static inline int bit_get(const uint64_t *b, int m) { return (int)((b[m >> 6] >> (m & 63)) & 1u); }
static inline void bit_set(uint64_t *b, int m) { b[m >> 6] |= UINT64_C(1) << (m & 63); }

/* Next set minute at or after m (wrapping), -1 when none. */
static int bit_next(const uint64_t *b, int m) {
    for (int pass = 0; pass < 2; pass++) {
        int w = m >> 6;
        uint64_t word = b[w] & (~UINT64_C(0) << (m & 63));
        for (;;) {
            if (word) {
                int r = (w << 6) + __builtin_ctzll(word);
                if (r < FU_MINUTES_PER_WEEK) return r;
                break;
            }
            if (++w >= MASK_WORDS) break;
            word = b[w];
        }
        m = 0;
    }
    return -1;
}

static size_t ptr_hash(const void *a, const void *b) {
    uintptr_t x = (uintptr_t)a * 0x9E3779B97F4A7C15ull ^ ((uintptr_t)b + 0x632BE59BD9B4E019ull) * 0xBF58476D1CE4E5B9ull;
    return (size_t)(x ^ (x >> 29));
}

static int mask_build(fu_planner *pl, size_t ci, const char *dnd, const char *pref, pl_mask **out) {
    pl_mask *m = fu__calloc(1, sizeof *m);
    if (!m) return fu__error_nomem();
    fu_windows *wd = NULL, *wp = NULL;
    int rc = FU_OK;
    if (dnd && (rc = fu_book_customer_windows(pl->book, ci, 1, &wd))) goto done;
    if (pref && (rc = fu_book_customer_windows(pl->book, ci, 0, &wp))) goto done;
    m->dnd = dnd;
    m->pref = pref;
    m->has_dnd = wd && !fu_windows_is_empty(wd);
    m->has_pref = wp && !fu_windows_is_empty(wp);
    for (int k = 0; k < FU_MINUTES_PER_WEEK; k++) {
        int quiet_ok = !pl->P->quiet_allowed || fu_windows_contains(pl->P->quiet_allowed, k) == 1;
        int dnd_ok = !m->has_dnd || fu_windows_contains(wd, k) != 1;
        int pref_ok = m->has_pref && fu_windows_contains(wp, k) == 1;
        if (quiet_ok && dnd_ok) bit_set(m->bits[0], k);
        if (quiet_ok && dnd_ok && pref_ok) bit_set(m->bits[1], k);
        if (dnd_ok) bit_set(m->bits[2], k);
        if (dnd_ok && pref_ok) bit_set(m->bits[3], k);
        if (quiet_ok) bit_set(m->bits[4], k);
    }
done:
    fu_windows_free(wd);
    fu_windows_free(wp);
    if (rc) {
        fu__free(m);
        return rc;
    }
    *out = m;
    return FU_OK;
}

static int mask_get(fu_planner *pl, size_t ci, const fu_customer *c, const pl_mask **out) {
    const char *dnd = c->dnd_windows && *c->dnd_windows ? c->dnd_windows : NULL;
    const char *pref = c->preferred_windows && *c->preferred_windows ? c->preferred_windows : NULL;
    if (pl->mhash_cap) {
        size_t h = ptr_hash(dnd, pref) & (pl->mhash_cap - 1);
        while (pl->mhash[h] >= 0) {
            pl_mask *m = pl->masks[pl->mhash[h]];
            if (m->dnd == dnd && m->pref == pref) {
                *out = m;
                return FU_OK;
            }
            h = (h + 1) & (pl->mhash_cap - 1);
        }
    }
    /* grow the table to keep it at most half full */
    if ((pl->nmasks + 1) * 2 > pl->mhash_cap) {
        size_t ncap = pl->mhash_cap ? pl->mhash_cap * 2 : 64;
        int32_t *nh = fu__malloc(ncap * sizeof *nh);
        if (!nh) return fu__error_nomem();
        for (size_t i = 0; i < ncap; i++) nh[i] = -1;
        for (size_t i = 0; i < pl->nmasks; i++) {
            size_t h = ptr_hash(pl->masks[i]->dnd, pl->masks[i]->pref) & (ncap - 1);
            while (nh[h] >= 0) h = (h + 1) & (ncap - 1);
            nh[h] = (int32_t)i;
        }
        fu__free(pl->mhash);
        pl->mhash = nh;
        pl->mhash_cap = ncap;
    }
    if (FU_GROW(pl->masks, pl->mcap, pl->nmasks + 1)) return FU_ENOMEM;
    pl_mask *m = NULL;
    int rc = mask_build(pl, ci, dnd, pref, &m);
    if (rc) return rc;
    size_t h = ptr_hash(dnd, pref) & (pl->mhash_cap - 1);
    while (pl->mhash[h] >= 0) h = (h + 1) & (pl->mhash_cap - 1);
    pl->mhash[h] = (int32_t)pl->nmasks;
    pl->masks[pl->nmasks++] = m;
    *out = m;
    return FU_OK;
}

/* First instant >= t and <= limit whose local minute is in `bits` and (when
 * `holidays`) not on a holiday. Returns 1 found, 0 none, negative on error. */
static int next_allowed(const pl_zone *z, const uint64_t *bits, int holidays, int64_t t, int64_t limit,
                        int64_t *out) {
    for (int iter = 0; iter < 800 && t <= limit; iter++) {
        int off;
        int rc = fu_calendar_utc_offset(z->cal, t, &off);
        if (rc) return rc;
        int64_t local = t + off;
        int64_t day = floordiv(local, DAY);
        if (holidays && is_holiday(z, day)) {
            t = (day + 1) * DAY - off;
            continue;
        }
        int64_t sod = local - day * DAY;
        int wd = (int)(((day % 7) + 7 + 3) % 7); /* 1970-01-01 was a Thursday */
        int mow = wd * 1440 + (int)(sod / 60);
        if (bit_get(bits, mow)) {
            *out = t;
            return 1;
        }
        int nx = bit_next(bits, mow);
        if (nx < 0) return 0;
        int delta = (nx - mow + FU_MINUTES_PER_WEEK) % FU_MINUTES_PER_WEEK;
        /* the next allowed wall-clock minute, in the offset in force there:
         * across a spring-forward night 08:00 local is 08:00 in the new
         * offset, not 08:00 in the old one (09:00 new) */
        int64_t wall = local - (local % 60 + 60) % 60 + (int64_t)delta * 60, next = wall - off;
        int off2;
        if ((rc = fu_calendar_utc_offset(z->cal, next, &off2))) return rc;
        if (off2 != off && wall - off2 > t) next = wall - off2;
        t = next;
    }
    return 0;
}

/* ---------------------------------------------------------------- classes */

static int class_of_text(const fu__policy *P, const char *s) {
    if (!s) return -1;
    for (size_t i = 0; i < P->segments.n_classes; i++) {
        const fu__pol_band *b = &P->segments.classes[i];
        if (strcmp(b->name, s) == 0 || (b->kind && strcmp(b->kind, s) == 0)) return (int)i;
    }
    return -2;
}

/* Product class of an event: its product_class text when it names a class
 * (or a class kind), else by unit price; -1 when unknown. */
static int event_class(fu_planner *pl, const fu_event *e) {
    int c = -2;
    uint32_t id = e->product_class;
    if (id && !(id & OV_LOCAL) && id < pl->ncls && pl->cls[id] != -3) {
        c = pl->cls[id];
    } else if (id) {
        c = class_of_text(pl->P, pl_str(pl, id));
        if (!(id & OV_LOCAL)) {
            if (id >= pl->ncls) {
                size_t ncap = pl->ncls ? pl->ncls : 64;
                while (ncap <= id) ncap *= 2;
                int8_t *n = fu__realloc(pl->cls, ncap);
                if (n) {
                    memset(n + pl->ncls, -3, ncap - pl->ncls);
                    pl->cls = n;
                    pl->ncls = ncap;
                }
            }
            if (id < pl->ncls) pl->cls[id] = (int8_t)c;
        }
    }
    if (c >= 0) return c;
    if (!isnan(e->unit_price)) return fu__policy_class_of(pl->P, e->unit_price);
    return -1;
}

static int strs_has(const fu__pol_strs *l, const char *s) {
    if (!s) return 0;
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i], s) == 0) return 1;
    return 0;
}

/* `when.severity`: the event's severity by its name, or by the names the
 * policy's `sla.response` uses (standard = normal, routine = low). */
static int severity_matches(const fu__pol_strs *l, int sev) {
    if (strs_has(l, fu_severity_name(sev))) return 1;
    if (sev == FU_SEVERITY_NORMAL) return strs_has(l, "standard");
    if (sev == FU_SEVERITY_LOW) return strs_has(l, "routine");
    return 0;
}

/* `when.risk`: the risk level of the product sold is the purchase event's
 * severity (urgent = high, normal, low); other events carry no risk. */
static int risk_matches(const fu_event *e, const fu__pol_strs *l) {
    if (e->kind != FU_EVENT_PURCHASE) return 0;
    switch (e->severity) {
    case FU_SEVERITY_URGENT: return strs_has(l, "high");
    case FU_SEVERITY_NORMAL: return strs_has(l, "normal");
    case FU_SEVERITY_LOW: return strs_has(l, "low");
    default: return 0;
    }
}

/* The customer-level parts of a condition. */
static int when_customer(const fu_planner *pl, const pl_cust *cx, const fu__pol_when *w) {
    if (w->rfm_groups) return 0; /* RFM groups are not evaluated by the planner */
    if (w->tiers && (cx->tier < 0 || !(w->tiers & (1u << cx->tier)))) return 0;
    if (w->lifecycles && !(w->lifecycles & (1u << cx->lifecycle))) return 0;
    if (w->industries.n && !strs_has(&w->industries, cx->c->industry)) return 0;
    if (w->is_smb >= 0) {
        int smb = cx->c->is_smb == FU_TRI_YES;
        if (smb != w->is_smb) return 0;
    }
    if (w->min_tenure.set) {
        if (cx->first_purchase == FU_BOOK_NO_TIME) return 0;
        int64_t since;
        if (add_dur(pl, cx->zone->cal, cx->first_purchase, &w->min_tenure.d, 0, &since)) return 0;
        if (since > cx->now) return 0;
    }
    return 1;
}

/* Whether a `resolved` event closed problem `e` by now: one at or after it
 * with its order id, or without an order id (it closes every earlier
 * problem of the customer). */
static int problem_resolved(const fu_planner *pl, const fu_event *e) {
    for (size_t i = pl->nev; i-- > 0;) {
        const fu_event *r = pl->ev[i];
        if (r->at < e->at) break;
        if (r->kind != FU_EVENT_RESOLVED || r == e) continue;
        if (!r->order_id || !e->order_id || r->order_id == e->order_id) return 1;
        if (strcmp(pl_str(pl, r->order_id), pl_str(pl, e->order_id)) == 0) return 1;
    }
    return 0;
}

/* The event-level parts (product class, severity, risk); `e` NULL for
 * cadences without an event: the class is that of the last purchase. */
static int when_event(fu_planner *pl, const pl_cust *cx, const fu__pol_when *w, const fu_event *e) {
    if (w->product_classes) {
        int c = e ? event_class(pl, e) : cx->last_class;
        if (c < 0 || !(w->product_classes & (1u << c))) return 0;
    }
    if (w->severities.n && (!e || !severity_matches(&w->severities, e->severity))) return 0;
    if (w->risks.n && (!e || !risk_matches(e, &w->risks))) return 0;
    if ((w->surveys || w->has_score_max) && (!e || e->kind != FU_EVENT_SURVEY)) return 0;
    if (w->surveys && !((w->surveys >> e->survey) & 1u)) return 0;
    if (w->has_score_max && !(isfinite(e->score) && e->score <= w->score_max)) return 0;
    if (w->unresolved && (!e || problem_resolved(pl, e))) return 0;
    return 1;
}

/* ---------------------------------------------------------------- new/free */

static void overlay_free(pl_overlay *o) {
    for (size_t i = 0; i < o->n; i++) fu__free(o->v[i].ev);
    fu__free(o->v);
    fu__free(o->head);
    memset(o, 0, sizeof *o);
}

void fu_planner_free(fu_planner *pl) {
    if (!pl) return;
    if (pl->book_borrowed) fu__book_release(pl->book);
    for (size_t i = 0; i < pl->nzones; i++) {
        fu_calendar_free(pl->zones[i].own);
        fu__free(pl->zones[i].hol_rule);
    }
    fu__free(pl->zones);
    for (size_t i = 0; i < pl->nmasks; i++) fu__free(pl->masks[i]);
    fu__free(pl->masks);
    fu__free(pl->mhash);
    fu__free(pl->cls);
    fu__free(pl->cad_buf);
    fu__free(pl->cad_kind);
    fu__free(pl->supp_kind);
    overlay_free(&pl->fed);
    for (size_t i = 0; i < pl->nlstr; i++) fu__free(pl->lstr[i]);
    fu__free(pl->lstr);
    fu__free((void *)pl->ev);
    fu__free(pl->cand);
    fu__free(pl->ct);
    fu__free(pl->grp);
    fu__free(pl->gm);
    fu__free(pl->ptimes);
    fu__free(pl->stimes);
    fu_besttime_free(pl->own_bt);
    fu_segment_rules_free(pl->seg_policy);
    fu__buf_free(&pl->b_purpose);
    fu__buf_free(&pl->b_rule);
    fu__buf_free(&pl->b_reason);
    fu__promise_set_clear(&pl->promises);
    fu__agent_set_free(pl->agents);
    fu__free(pl);
}

static int kind_of_name(const char *name) {
    fu_event_kind k;
    if (!name || fu_event_kind_from_string(name, strlen(name), &k)) {
        fu_error_clear();
        return -1;
    }
    return (int)k;
}

static int64_t dur_seconds_approx(const fu_duration *d) {
    switch (d->unit) {
    case FU_DURATION_SECONDS: return d->value;
    case FU_DURATION_MONTHS: return d->value * 2629746; /* 30.436875 days */
    case FU_DURATION_WORKING_DAYS: return d->value * 7 * DAY / 5;
    case FU_DURATION_BUSINESS_SECONDS: return d->value * 168 / 45;
    }
    return d->value;
}

static int compute_tier_cycles(fu_planner *pl);
static int own_besttime(fu_planner *pl);

int fu_planner_new(fu_planner **out, const fu_policy *policy, const fu_book *book, const fu_planner_options *opts) {
    if (!out || !policy || !book) return fu__error_set(FU_EINVAL, "fu_planner_new: NULL argument");
    *out = NULL;
    fu_planner_options d = FU_PLANNER_OPTIONS_INIT;
    if (opts && opts->version == 1) /* without flags and besttime */
        memcpy(&d, opts, offsetof(fu_planner_options, flags));
    else if (opts && opts->version == 2) /* without tier_cycles */
        memcpy(&d, opts, offsetof(fu_planner_options, tier_cycles));
    else if (opts && opts->version == FU_PLANNER_OPTIONS_VERSION)
        d = *opts;
    else if (opts)
        return fu__error_set(FU_EINVAL, "fu_planner_new: unknown options version %u", opts->version);
    d.version = FU_PLANNER_OPTIONS_VERSION;
    if (d.default_cycle < 0) return fu__error_set(FU_EINVAL, "fu_planner_new: negative default_cycle");
    if (d.flags & ~(FU_PLANNER_BESTTIME | FU_PLANNER_STRICT_CALENDAR))
        return fu__error_set(FU_EINVAL, "fu_planner_new: unknown flags 0x%x", d.flags);
    if (d.besttime && fu_besttime_customer_count(d.besttime) != fu_book_customer_count(book))
        return fu__error_set(FU_EINVAL, "fu_planner_new: the best-time model has %zu customers, the book %zu",
                             fu_besttime_customer_count(d.besttime), fu_book_customer_count(book));
    if (d.tier_cycles) {
        const fu__pol_segments *S = &fu__policy_typed(policy)->segments;
        size_t want = S->n_tiers * S->n_classes;
        if (d.n_tier_cycles != want)
            return fu__error_set(FU_EINVAL,
                                 "fu_planner_new: %zu tier cycles given, the policy has %zu tiers x %zu classes = %zu",
                                 d.n_tier_cycles, S->n_tiers, S->n_classes, want);
        for (size_t i = 0; i < want; i++)
            if (!(isfinite(d.tier_cycles[i]) && d.tier_cycles[i] >= 0))
                return fu__error_set(FU_EINVAL, "fu_planner_new: tier cycle %zu is %g, must be finite and >= 0", i,
                                     d.tier_cycles[i]);
    } else if (d.n_tier_cycles)
        return fu__error_set(FU_EINVAL, "fu_planner_new: n_tier_cycles without tier_cycles");
    if (!fu_book_is_finalized(book) || !fu_book_event_offsets(book))
        return fu__error_set(FU_ESTATE, "fu_planner_new: the book is not finalized (call fu_book_finalize())");
    fu_planner *pl = fu__calloc(1, sizeof *pl);
    if (!pl) return fu__error_nomem();
    pl->policy = policy;
    pl->P = fu__policy_typed(policy);
    pl->book = book;
    pl->opt = d;
    pl->bt = d.besttime;
    if (!pl->opt.default_cycle) pl->opt.default_cycle = 30 * DAY;
    if (!pl->opt.calls_per_agent) pl->opt.calls_per_agent = (unsigned)pl->P->capacity.calls_per_agent_day_max;
    pl->bcal = pl->P->calendar;
    pl->ncust = fu_book_customer_count(book);
    pl->ov = &pl->fed;
    const fu__policy *P = pl->P;
    int rc = FU_OK;

    /* cadence index by event kind */
    pl->cad_kind = fu__malloc((P->n_cadences + 1) * sizeof *pl->cad_kind);
    pl->cad_buf = fu__malloc((P->n_cadences + 1) * sizeof *pl->cad_buf);
    pl->supp_kind = fu__malloc((P->n_suppressions + 1) * sizeof *pl->supp_kind);
    if (!pl->cad_kind || !pl->cad_buf || !pl->supp_kind) {
        rc = fu__error_nomem();
        goto fail;
    }
    for (size_t i = 0; i < P->n_cadences; i++)
        pl->cad_kind[i] = P->cadences[i].trigger == FU__TRIGGER_EVENT ? kind_of_name(P->cadences[i].event) : -1;
    for (size_t i = 0; i < P->n_suppressions; i++)
        pl->supp_kind[i] =
            P->suppressions[i].kind == FU__SUPP_RECENT_EVENT ? kind_of_name(P->suppressions[i].event) : -1;
    size_t pos = 0;
    for (int k = 0; k < FU_EVENT_KIND_COUNT; k++) {
        pl->kind_cads[k] = pl->cad_buf + pos;
        int64_t reach = 0;
        for (size_t i = 0; i < P->n_cadences; i++) {
            if (pl->cad_kind[i] != k) continue;
            pl->cad_buf[pos++] = i;
            pl->n_kind_cads[k]++;
            for (size_t s = 0; s < P->cadences[i].n_steps; s++) {
                const fu__pol_step *st = &P->cadences[i].steps[s];
                int64_t r = (st->at.value > 0 ? dur_bound(&st->at) : 0) + dur_bound(&st->within);
                if (r > reach) reach = r;
            }
        }
        pl->kind_reach[k] = reach;
    }
    /* lifecycle stages and rule names as `followup segment` gives them */
    if ((rc = fu_segment_rules_new_from_policy(&pl->seg_policy, policy))) goto fail;
    pl->seg = *pl->seg_policy;
    pl->seg.composite = NULL;
    pl->seg.n_composite = 0;
    pl->seg.human_from_quantile = -1;

    /* zones of every customer, so that an unknown zone fails here */
    for (size_t i = 0; i < pl->ncust; i++) {
        const fu_customer *c = fu_book_customer(book, i);
        const pl_zone *z;
        if (pl->nzones && pl->zones[pl->nzones - 1].tz == c->tz) continue;
        if ((rc = zone_get(pl, c->tz, &z))) goto fail;
    }
    if (d.tier_cycles) {
        for (size_t t = 0; t < P->segments.n_tiers; t++)
            for (size_t c = 0; c < P->segments.n_classes; c++)
                pl->tier_cycle[t][c] = d.tier_cycles[t * P->segments.n_classes + c];
    } else if ((rc = compute_tier_cycles(pl)))
        goto fail;
    pl->opt.tier_cycles = NULL; /* copied: the caller's array is not kept */
    pl->opt.n_tier_cycles = 0;
    if (!pl->bt && (pl->opt.flags & FU_PLANNER_BESTTIME)) {
        if ((rc = own_besttime(pl))) goto fail;
        pl->bt = pl->own_bt;
    }
    fu__book_borrow(book);
    pl->book_borrowed = 1;
    *out = pl;
    return FU_OK;
fail:
    fu_planner_free(pl);
    return rc;
}

int fu_planner_tier_cycles(const fu_planner *pl, double *cycles, size_t n, size_t *out) {
    if (!pl || !out || (!cycles && n)) return fu__error_set(FU_EINVAL, "fu_planner_tier_cycles: NULL argument");
    const fu__pol_segments *S = &pl->P->segments;
    size_t k = 0;
    for (size_t t = 0; t < S->n_tiers; t++)
        for (size_t c = 0; c < S->n_classes; c++, k++)
            if (k < n) cycles[k] = pl->tier_cycle[t][c];
    *out = k;
    return FU_OK;
}

/* ---------------------------------------------------------------- events */

/* The customer's events up to `now` in time order: the book's, then merged
 * with the overlay's. */
static int gather(fu_planner *pl, size_t ci, int64_t now, size_t *n_out) {
    const fu_event *be = NULL;
    size_t nb = 0;
    int rc = fu_book_customer_events(pl->book, ci, &be, &nb);
    if (rc) return rc;
    const pl_ovvec *ov = NULL;
    if (pl->ov->head && pl->ov->head[ci] >= 0) ov = &pl->ov->v[pl->ov->head[ci]];
    size_t no = ov ? ov->n : 0;
    if (nb + no > pl->ev_cap) {
        size_t cap = pl->ev_cap;
        const fu_event **e = pl->ev;
        if (fu__grow((void **)&e, &cap, nb + no, sizeof *e)) return FU_ENOMEM;
        pl->ev = e;
        pl->ev_cap = cap;
    }
    size_t i = 0, j = 0, n = 0;
    while (i < nb || j < no) {
        const fu_event *x;
        if (j >= no || (i < nb && be[i].at <= ov->ev[j].at)) x = &be[i++];
        else x = &ov->ev[j++];
        if (x->at > now) continue; /* has not happened yet */
        if (pl->ignore_book_contacts && x->kind == FU_EVENT_CONTACT && x >= be && x < be + nb) continue;
        pl->ev[n++] = x;
    }
    *n_out = n;
    pl->nev = n;
    return FU_OK;
}

static int add_contact(fu_planner *pl, int64_t at, int channel, int priority, int exempt, const uint32_t *orders,
                       int norders) {
    if (pl->nct == pl->ct_cap && FU_GROW(pl->ct, pl->ct_cap, pl->nct + 1)) return FU_ENOMEM;
    pl_contact *c = &pl->ct[pl->nct++];
    memset(c, 0, sizeof *c);
    c->at = at;
    c->channel = (uint8_t)channel;
    c->priority = (uint8_t)priority;
    c->exempt = (uint8_t)exempt;
    for (int k = 0; k < norders && k < MAX_ORDERS; k++)
        if (orders[k]) c->orders[c->norders++] = orders[k];
    return FU_OK;
}

static int prio_exempt(const fu__policy *P, int prio) { return (P->cap_exempt >> prio) & 1u; }

static int add_survey_time(fu_planner *pl, int64_t at) {
    if (pl->nst == pl->st_cap && FU_GROW(pl->stimes, pl->st_cap, pl->nst + 1)) return FU_ENOMEM;
    pl->stimes[pl->nst++] = at;
    return FU_OK;
}

/* Whether a touchpoint's rules name a step that asks for a survey answer. */
static int rule_is_survey(const fu__policy *P, const char *rule) {
    for (size_t i = 0; i < P->n_cadences; i++)
        for (size_t s = 0; s < P->cadences[i].n_steps; s++) {
            const fu__pol_step *st = &P->cadences[i].steps[s];
            if (!st->survey) continue;
            const char *f = strstr(rule, st->rule);
            size_t n = strlen(st->rule);
            if (f && (f[n] == '\0' || f[n] == ';')) return 1;
        }
    return 0;
}

/* Facts, segment and contacts of the customer from its events. */
static int collect(fu_planner *pl, pl_cust *cx, size_t n) {
    const fu__policy *P = pl->P;
    int64_t now = cx->now;
    cx->first_purchase = cx->c->first_purchase_at;
    cx->last_purchase = FU_BOOK_NO_TIME;
    cx->first_event = FU_BOOK_NO_TIME;
    cx->last_answered = FU_BOOK_NO_TIME;
    cx->last_class = -1;
    cx->purchases = cx->purchases_last_year = cx->purchases_prev_year = 0;
    cx->spend_last_year = 0;
    for (int k = 0; k < FU_EVENT_KIND_COUNT; k++) cx->last_at[k] = FU_BOOK_NO_TIME;
    /* the facts of fu_segment_book_summarize(): purchases without refunds,
     * valued by amount, else unit price; complaints within complaint_within */
    unsigned complaints = 0;
    int64_t complaint_since = now - pl->seg.complaint_within;
    int64_t seg_first = FU_BOOK_NO_TIME, seg_last = FU_BOOK_NO_TIME;
    double spend_py = 0;
    pl->nct = 0;
    pl->nst = 0;
    for (size_t i = 0; i < n; i++) {
        const fu_event *e = pl->ev[i];
        if (cx->first_event == FU_BOOK_NO_TIME) cx->first_event = e->at;
        cx->last_at[e->kind] = e->at;
        switch (e->kind) {
        case FU_EVENT_PURCHASE:
            if (cx->first_purchase == FU_BOOK_NO_TIME || e->at < cx->first_purchase) cx->first_purchase = e->at;
            cx->last_purchase = e->at;
            cx->purchases++;
            {
                int c = event_class(pl, e);
                if (c >= 0) cx->last_class = c;
            }
            if (isfinite(e->amount) && e->amount < 0) break; /* a refund */
            if (seg_first == FU_BOOK_NO_TIME) seg_first = e->at;
            seg_last = e->at;
            {
                double v = isfinite(e->amount) ? e->amount : isfinite(e->unit_price) ? e->unit_price : 0.0;
                if (e->at > now - 365 * DAY) {
                    cx->purchases_last_year++;
                    cx->spend_last_year += v;
                } else if (e->at > now - 730 * DAY) {
                    cx->purchases_prev_year++;
                    spend_py += v;
                }
            }
            break;
        case FU_EVENT_COMPLAINT:
            if (e->at > complaint_since) complaints++;
            break;
        case FU_EVENT_SURVEY: /* a survey answered: counts for survey fatigue */
            if (add_survey_time(pl, e->at)) return FU_ENOMEM;
            break;
        case FU_EVENT_CONTACT: {
            if (e->reserved_[1] && add_survey_time(pl, e->at)) return FU_ENOMEM; /* a simulated survey call */
            int answered = e->outcome == FU_OUTCOME_ANSWERED || e->outcome == FU_OUTCOME_NONE;
            if (answered) cx->last_answered = e->at;
            int prio = e->reserved_[0] ? e->reserved_[0] - 1 : FU_PRIORITY_NORMAL;
            int ch = e->channel ? e->channel : FU_CHANNEL_PHONE;
            if (add_contact(pl, e->at, ch, prio, prio_exempt(P, prio), &e->order_id, 1)) return FU_ENOMEM;
            pl->ct[pl->nct - 1].attempt = (uint8_t)!answered;
            break;
        }
        default: break;
        }
    }
    /* value tier */
    double spend = cx->c->annual_spend;
    if (isnan(spend)) spend = cx->spend_last_year;
    cx->tier = fu__policy_tier_of(P, spend);
    /* lifecycle through fu_segment with the policy's rules */
    fu_segment_customer sc;
    fu_segment_customer_init(&sc);
    sc.annual_spend = spend;
    /* a recorded first purchase before the first purchase event sets the tenure */
    int64_t fp = cx->c->first_purchase_at;
    if (fp != FU_BOOK_NO_TIME && fp <= now && (seg_first == FU_BOOK_NO_TIME || fp < seg_first)) {
        if (seg_first == FU_BOOK_NO_TIME) seg_last = fp;
        seg_first = fp;
    }
    sc.first_purchase_at = seg_first == FU_BOOK_NO_TIME ? FU_SEGMENT_NO_PURCHASE : seg_first;
    sc.last_purchase_at = seg_last == FU_BOOK_NO_TIME ? FU_SEGMENT_NO_PURCHASE : seg_last;
    sc.purchases = cx->purchases;
    sc.purchases_last_year = cx->purchases_last_year;
    sc.purchases_previous_year = cx->purchases_prev_year;
    sc.recent_complaints = complaints;
    sc.spend_last_year = cx->spend_last_year;
    sc.spend_previous_year = spend_py;
    sc.industry = cx->c->industry;
    sc.is_smb = cx->c->is_smb == FU_TRI_YES ? 1 : cx->c->is_smb == FU_TRI_NO ? 0 : -1;
    fu_segment_assignment as;
    int rc = fu_segment_assign(&sc, 1, now, &pl->seg, &as);
    if (rc) return rc;
    cx->lifecycle = (int)as.lifecycle;
    cx->lifecycle_rule = as.lifecycle_rule;
    cx->lifecycle_since = FU_BOOK_NO_TIME;
    if (as.lifecycle == FU_LIFECYCLE_DECLINING) {
        /* where the stage began: idle long enough, the last purchase (spend
         * drop), the latest complaint */
        if (strcmp(as.lifecycle_rule, "segments.lifecycle.declining.inactive_for") == 0)
            cx->lifecycle_since = sc.last_purchase_at + pl->seg.declining_after;
        else if (strcmp(as.lifecycle_rule, "segments.lifecycle.declining.complaint_within") == 0)
            cx->lifecycle_since = cx->last_at[FU_EVENT_COMPLAINT];
        else
            cx->lifecycle_since = sc.last_purchase_at;
    }
    return FU_OK;
}

/* ---------------------------------------------------------------- candidates */

static int push_cand(fu_planner *pl, const pl_cust *cx, const fu__pol_cadence *cad, const fu__pol_step *st,
                     const fu_event *e, int64_t trigger, int64_t from, int64_t to, uint16_t flags, double cycle) {
    (void)cx;
    if (pl->ncand == pl->cand_cap && FU_GROW(pl->cand, pl->cand_cap, pl->ncand + 1)) return FU_ENOMEM;
    pl_cand *c = &pl->cand[pl->ncand++];
    memset(c, 0, sizeof *c);
    c->from = from;
    c->to = to;
    c->trigger = trigger;
    c->cad = cad;
    c->step = st;
    c->ev = e;
    c->order = e ? e->order_id : 0;
    c->channel = c->orig_channel = (uint8_t)(st->channel + 1); /* policy channels start at phone = 0 */
    c->priority = (uint8_t)st->priority;
    c->flags = flags;
    c->cycle_days = cycle;
    c->group = -1;
    c->dep = -1;
    return FU_OK;
}

/* Whether an answered contact lies in [from, min(to, now)]. */
static int fulfilled(const fu_planner *pl, size_t n, int64_t from, int64_t to, int64_t now) {
    int64_t hi = to < now ? to : now;
    for (size_t i = n; i-- > 0;) {
        const fu_event *e = pl->ev[i];
        if (e->at < from) break;
        if (e->at > hi || e->kind != FU_EVENT_CONTACT) continue;
        if (e->outcome == FU_OUTCOME_ANSWERED || e->outcome == FU_OUTCOME_NONE) return 1;
    }
    return 0;
}

/* The first answered contact in [from, min(to, now)], INT64_MIN when none. */
static int64_t fulfilled_at(const fu_planner *pl, size_t n, int64_t from, int64_t to, int64_t now) {
    int64_t hi = to < now ? to : now, first = INT64_MIN;
    for (size_t i = n; i-- > 0;) {
        const fu_event *e = pl->ev[i];
        if (e->at < from) break;
        if (e->at > hi || e->kind != FU_EVENT_CONTACT) continue;
        if (e->outcome == FU_OUTCOME_ANSWERED || e->outcome == FU_OUTCOME_NONE) first = e->at;
    }
    return first;
}

/* A step with `after`: when the earlier step's contact was made, the window
 * opens after it (*from moves); else *dep is that step's candidate of this
 * trigger (-1 when it is not due). */
static int step_after(fu_planner *pl, const pl_cust *cx, size_t n, const fu__pol_cadence *cad,
                      const fu__pol_step *st, int64_t trigger, const int *idx, int64_t *from, int64_t *to, int *dep) {
    const fu__pol_step *pr = &cad->steps[st->after];
    int64_t pf, pt;
    int rc = add_dur(pl, cx->zone->cal, trigger, &pr->at, 0, &pf);
    if (!rc) rc = add_dur(pl, cx->zone->cal, pf, &pr->within, 1, &pt);
    if (rc) return rc;
    int64_t c = fulfilled_at(pl, n, pf, pt, cx->now);
    if (c != INT64_MIN) {
        if (*from <= c) *from = c + 1;
        if (*to < *from) *to = *from;
    } else
        *dep = st->after < 64 ? idx[st->after] : -1;
    return FU_OK;
}

/* Steps of one cadence from a trigger instant; keeps those due in the horizon. */
static int steps_from(fu_planner *pl, const pl_cust *cx, size_t n, const fu__pol_cadence *cad, const fu_event *e,
                      int64_t trigger, uint16_t flags, double cycle, size_t *candidates, size_t *done) {
    int idx[64]; /* candidate of each step of this trigger, -1 none */
    for (size_t s = 0; s < 64; s++) idx[s] = -1;
    for (size_t s = 0; s < cad->n_steps; s++) {
        const fu__pol_step *st = &cad->steps[s];
        if (!when_customer(pl, cx, &st->when) || !when_event(pl, cx, &st->when, e)) continue;
        int64_t from, to;
        int dep = -1;
        int rc = add_dur(pl, cx->zone->cal, trigger, &st->at, 0, &from);
        if (!rc) rc = add_dur(pl, cx->zone->cal, from, &st->within, 1, &to);
        if (!rc && st->after >= 0) rc = step_after(pl, cx, n, cad, st, trigger, idx, &from, &to, &dep);
        if (rc) return rc;
        if (to < cx->now || from >= cx->end) continue;
        if (fulfilled(pl, n, from, to, cx->now)) {
            (*done)++;
            continue;
        }
        (*candidates)++;
        if ((rc = push_cand(pl, cx, cad, st, e, trigger, from, to, flags, cycle))) return rc;
        pl->cand[pl->ncand - 1].dep = dep;
        if (s < 64) idx[s] = (int)pl->ncand - 1;
    }
    return FU_OK;
}

static int cadence_replaced(const fu_planner *pl, const pl_cust *cx, size_t ci) {
    const fu__policy *P = pl->P;
    for (size_t i = 0; i < P->n_cadences; i++) {
        const fu__pol_cadence *o = &P->cadences[i];
        if (o->trigger == FU__TRIGGER_EVENT) continue;
        for (size_t r = 0; r < o->n_replaces; r++)
            if (o->replaces[r] == ci && when_customer(pl, cx, &o->when)) return 1;
    }
    return 0;
}

static int compare_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* Purchase days of class `cls` (-1: any) among the gathered events, same-day
 * purchases merged. Returns the count (at most MAX_CYCLE_PURCHASES, the last ones). */
static size_t purchase_times(fu_planner *pl, size_t n, int cls, int64_t *t) {
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const fu_event *e = pl->ev[i];
        if (e->kind != FU_EVENT_PURCHASE) continue;
        if (cls >= 0 && event_class(pl, e) != cls) continue;
        if (k && e->at - t[k - 1] < DAY) continue;
        if (k == MAX_CYCLE_PURCHASES) {
            memmove(t, t + 1, (k - 1) * sizeof *t);
            k--;
        }
        t[k++] = e->at;
    }
    return k;
}

static double mean_interval_days(const int64_t *t, size_t k) {
    if (k < 2) return 0;
    size_t first = k > 7 ? k - 7 : 0; /* the last six intervals */
    return (double)(t[k - 1] - t[first]) / (double)(k - 1 - first) / (double)DAY;
}

/* `{promise: ...}` cadences: the steps of every promise of the customer in
 * the state the cadence names (fu_planner_set_ledger(); lib/planner_loop.c).
 * A progress contact before the deadline never opens before the promise
 * was made. */
static int promise_steps(fu_planner *pl, const pl_cust *cx, size_t n, const fu__pol_cadence *cad,
                         fu_plan_stats *st) {
    const fu__promise *pv;
    size_t np = fu__promise_set_of(&pl->promises, cx->index, &pv);
    for (size_t i = 0; i < np; i++) {
        int64_t trig = fu__promise_trigger(&pv[i], (int)cad->promise, cx->now);
        if (trig == INT64_MIN) continue;
        uint16_t fl = 0;
        /* a breach still unresolved, its window gone without an answered
         * contact since: the remedy is overdue, due from now */
        if (cad->promise == FU__PROMISE_BREACHED && trig < cx->now && !fulfilled(pl, n, trig, cx->now, cx->now)) {
            int64_t last_to = INT64_MIN;
            for (size_t s = 0; s < cad->n_steps; s++) {
                int64_t f0, t0;
                int rc = add_dur(pl, cx->zone->cal, trig, &cad->steps[s].at, 0, &f0);
                if (!rc) rc = add_dur(pl, cx->zone->cal, f0, &cad->steps[s].within, 1, &t0);
                if (rc) return rc;
                if (t0 > last_to) last_to = t0;
            }
            if (last_to < cx->now) {
                trig = cx->now;
                fl = F_OVERDUE;
            }
        }
        size_t first = pl->ncand;
        int rc = steps_from(pl, cx, n, cad, NULL, trig, fl, 0, &st->candidates, &st->done);
        if (rc) return rc;
        for (size_t k = first; k < pl->ncand; k++) {
            pl->cand[k].promise = &pv[i];
            if (pl->cand[k].from < pv[i].created_at) pl->cand[k].from = pv[i].created_at;
            if (pl->cand[k].to < pl->cand[k].from) pl->cand[k].to = pl->cand[k].from;
        }
    }
    return FU_OK;
}

static int candidates(fu_planner *pl, pl_cust *cx, size_t n, fu_plan_stats *st) {
    const fu__policy *P = pl->P;
    int rc;
    pl->ncand = 0;
    /* event cadences: only events whose cadences can still be due */
    for (size_t i = 0; i < n; i++) {
        const fu_event *e = pl->ev[i];
        size_t nk = pl->n_kind_cads[e->kind];
        if (!nk || e->at + pl->kind_reach[e->kind] < cx->now) continue;
        for (size_t k = 0; k < nk; k++) {
            const fu__pol_cadence *cad = &P->cadences[pl->kind_cads[e->kind][k]];
            if (!when_customer(pl, cx, &cad->when) || !when_event(pl, cx, &cad->when, e)) continue;
            if ((rc = steps_from(pl, cx, n, cad, e, e->at, 0, 0, &st->candidates, &st->done))) return rc;
        }
    }
    for (size_t ci = 0; ci < P->n_cadences; ci++) {
        const fu__pol_cadence *cad = &P->cadences[ci];
        if (cad->trigger == FU__TRIGGER_EVENT) continue;
        if (!when_customer(pl, cx, &cad->when)) continue;
        if (cad->trigger == FU__TRIGGER_LIFECYCLE) {
            if ((int)cad->lifecycle != cx->lifecycle || cx->lifecycle_since == FU_BOOK_NO_TIME) continue;
            if (cadence_replaced(pl, cx, ci)) continue;
            if ((rc = steps_from(pl, cx, n, cad, NULL, cx->lifecycle_since, 0, 0, &st->candidates, &st->done)))
                return rc;
        } else if (cad->trigger == FU__TRIGGER_EVERY) {
            if (!when_event(pl, cx, &cad->when, NULL) || cadence_replaced(pl, cx, ci)) continue;
            int64_t anchor = cx->first_purchase != FU_BOOK_NO_TIME ? cx->first_purchase : cx->first_event;
            if (anchor == FU_BOOK_NO_TIME || anchor > cx->now) continue;
            if (cx->last_answered != FU_BOOK_NO_TIME && cx->last_answered > anchor) anchor = cx->last_answered;
            int64_t due;
            if ((rc = add_dur(pl, cx->zone->cal, anchor, &cad->every, 0, &due))) return rc;
            for (size_t s = 0; s < cad->n_steps; s++) {
                const fu__pol_step *stp = &cad->steps[s];
                if (!when_customer(pl, cx, &stp->when) || !when_event(pl, cx, &stp->when, NULL)) continue;
                int64_t from, to;
                uint16_t fl = 0;
                if ((rc = add_dur(pl, cx->zone->cal, due, &stp->at, 0, &from))) return rc;
                if ((rc = add_dur(pl, cx->zone->cal, from, &stp->within, 1, &to))) return rc;
                if (to < cx->now) { /* overdue: due from now for the same length */
                    from = cx->now;
                    if ((rc = add_dur(pl, cx->zone->cal, from, &stp->within, 1, &to))) return rc;
                    fl = F_OVERDUE;
                }
                if (from >= cx->end) continue;
                st->candidates++;
                if ((rc = push_cand(pl, cx, cad, stp, NULL, due, from, to, fl, 0))) return rc;
            }
        } else if (cad->trigger == FU__TRIGGER_PROMISE) {
            if ((rc = promise_steps(pl, cx, n, cad, st))) return rc;
        } else if (cad->trigger == FU__TRIGGER_CYCLE) {
            if (pl->ptimes_cap < MAX_CYCLE_PURCHASES) {
                int64_t *t = fu__realloc(pl->ptimes, MAX_CYCLE_PURCHASES * sizeof *t);
                if (!t) return fu__error_nomem();
                pl->ptimes = t;
                pl->ptimes_cap = MAX_CYCLE_PURCHASES;
            }
            for (size_t cls = 0; cls < P->segments.n_classes; cls++) {
                if (cad->when.product_classes && !(cad->when.product_classes & (1u << cls))) continue;
                size_t k = purchase_times(pl, n, (int)cls, pl->ptimes);
                if (!k) continue;
                double days;
                uint16_t fl;
                if ((int)k >= (cad->min_purchases > 2 ? cad->min_purchases : 2)) {
                    days = mean_interval_days(pl->ptimes, k);
                    fl = F_CYCLE_OWN;
                } else if (cx->tier >= 0 && pl->tier_cycle[cx->tier][cls] > 0) {
                    days = pl->tier_cycle[cx->tier][cls];
                    fl = F_CYCLE_TIER;
                } else {
                    days = (double)pl->opt.default_cycle / (double)DAY;
                    fl = F_CYCLE_DEFAULT;
                }
                if (!(days > 0)) continue;
                int64_t trig = pl->ptimes[k - 1] + (int64_t)llround(days * cad->cycle * (double)DAY);
                /* steps carry the class through a stand-in event: the last purchase */
                const fu_event *lastp = NULL;
                for (size_t i = n; i-- > 0;)
                    if (pl->ev[i]->kind == FU_EVENT_PURCHASE && pl->ev[i]->at == pl->ptimes[k - 1]) {
                        lastp = pl->ev[i];
                        break;
                    }
                if ((rc = steps_from(pl, cx, n, cad, lastp, trig, fl, days, &st->candidates, &st->done)))
                    return rc;
            }
        }
    }
    return FU_OK;
}

/* Per-tier mean cycles per class, from customers with enough purchases. */
static int compute_tier_cycles(fu_planner *pl) {
    const fu__policy *P = pl->P;
    int need = 0;
    for (size_t i = 0; i < P->n_cadences; i++)
        if (P->cadences[i].trigger == FU__TRIGGER_CYCLE) {
            int m = P->cadences[i].min_purchases > 2 ? P->cadences[i].min_purchases : 2;
            if (!need || m < need) need = m;
        }
    if (!need || P->segments.n_classes == 0) return FU_OK;
    double sum[FU__POL_MAX_TIERS][FU__POL_MAX_TIERS] = {{0}};
    double cnt[FU__POL_MAX_TIERS][FU__POL_MAX_TIERS] = {{0}};
    int64_t last[FU__POL_MAX_TIERS], first[FU__POL_MAX_TIERS];
    unsigned k[FU__POL_MAX_TIERS];
    for (size_t ci = 0; ci < pl->ncust; ci++) {
        const fu_event *ev;
        size_t n;
        int rc = fu_book_customer_events(pl->book, ci, &ev, &n);
        if (rc) return rc;
        const fu_customer *c = fu_book_customer(pl->book, ci);
        double spend = c->annual_spend;
        memset(k, 0, sizeof k);
        double own = 0;
        for (size_t i = 0; i < n; i++) {
            if (ev[i].kind != FU_EVENT_PURCHASE) continue;
            if (isnan(c->annual_spend) && ev[i].at > ev[n - 1].at - 365 * DAY && !isnan(ev[i].amount))
                own += ev[i].amount;
            int cls = event_class(pl, &ev[i]);
            if (cls < 0 || cls >= FU__POL_MAX_TIERS) continue;
            if (k[cls] && ev[i].at - last[cls] < DAY) continue;
            if (!k[cls]) first[cls] = ev[i].at;
            last[cls] = ev[i].at;
            k[cls]++;
        }
        if (isnan(spend)) spend = own;
        int tier = fu__policy_tier_of(P, spend);
        if (tier < 0) continue;
        for (size_t cls = 0; cls < P->segments.n_classes; cls++)
            if ((int)k[cls] >= need) {
                sum[tier][cls] += (double)(last[cls] - first[cls]) / (double)(k[cls] - 1) / (double)DAY;
                cnt[tier][cls] += 1;
            }
    }
    for (size_t t = 0; t < P->segments.n_tiers; t++)
        for (size_t c = 0; c < P->segments.n_classes; c++)
            pl->tier_cycle[t][c] = cnt[t][c] > 0 ? sum[t][c] / cnt[t][c] : 0;
    return FU_OK;
}

/* The model behind FU_PLANNER_BESTTIME: segments are the value tiers (the
 * customer's annual_spend, else the purchases of the year before its last
 * event), segment 0 for customers without a tier. */
static int own_besttime(fu_planner *pl) {
    uint32_t *seg = fu__malloc((pl->ncust ? pl->ncust : 1) * sizeof *seg);
    if (!seg) return fu__error_nomem();
    for (size_t ci = 0; ci < pl->ncust; ci++) {
        const fu_customer *c = fu_book_customer(pl->book, ci);
        double spend = c->annual_spend;
        if (isnan(spend)) {
            const fu_event *ev;
            size_t n;
            int rc = fu_book_customer_events(pl->book, ci, &ev, &n);
            if (rc) {
                fu__free(seg);
                return rc;
            }
            spend = 0;
            for (size_t i = 0; i < n; i++)
                if (ev[i].kind == FU_EVENT_PURCHASE && ev[i].at > ev[n - 1].at - 365 * DAY && !isnan(ev[i].amount))
                    spend += ev[i].amount;
        }
        seg[ci] = (uint32_t)(fu__policy_tier_of(pl->P, spend) + 1);
    }
    int rc = fu_besttime_new(&pl->own_bt, pl->policy, pl->book, seg, pl->P->segments.n_tiers + 1, NULL);
    fu__free(seg);
    return rc;
}

/* ---------------------------------------------------------------- limits */

static int consent_of(const fu_customer *c, int ch) {
    switch (ch) {
    case FU_CHANNEL_PHONE:
    case FU_CHANNEL_VIDEO: return c->consent_phone;
    case FU_CHANNEL_SMS:
    case FU_CHANNEL_CHAT: return c->consent_sms;
    case FU_CHANNEL_EMAIL: return c->consent_email;
    default: return FU_TRI_UNKNOWN;
    }
}

static const char *consent_rule(int ch) {
    switch (ch) {
    case FU_CHANNEL_PHONE:
    case FU_CHANNEL_VIDEO: return "customer.consent_phone";
    case FU_CHANNEL_SMS:
    case FU_CHANNEL_CHAT: return "customer.consent_sms";
    default: return "customer.consent_email";
    }
}

static void apply_consent(const pl_cust *cx, pl_cand *c) {
    if (consent_of(cx->c, c->channel) != FU_TRI_NO) return;
    static const uint8_t fallback[] = {FU_CHANNEL_PHONE, FU_CHANNEL_SMS, FU_CHANNEL_EMAIL};
    for (size_t i = 0; i < sizeof fallback; i++)
        if (fallback[i] != c->channel && consent_of(cx->c, fallback[i]) != FU_TRI_NO) {
            c->channel = fallback[i];
            c->flags |= F_FALLBACK_CH;
            return;
        }
    c->status = C_SUPPRESSED;
    c->status_rule = consent_rule(c->channel);
}

/* The suppression period [a, b) around `t`, if `t` is in one; 1 yes, 0 no. */
static int supp_period(fu_planner *pl, const pl_cust *cx, size_t si, int64_t t, int64_t *a, int64_t *b) {
    const fu__pol_suppression *s = &pl->P->suppressions[si];
    const fu_calendar *cal = cx->zone->cal;
    fu_local l;
    switch (s->kind) {
    case FU__SUPP_RECENT_EVENT: {
        int k = pl->supp_kind[si];
        if (k < 0 || cx->last_at[k] == FU_BOOK_NO_TIME) return 0;
        /* an issue closed since (a later `resolved` event) is no longer active */
        if (s->action == FU__ACTION_SKIP_ROUTINE && cx->last_at[FU_EVENT_RESOLVED] != FU_BOOK_NO_TIME &&
            cx->last_at[FU_EVENT_RESOLVED] >= cx->last_at[k])
            return 0;
        int64_t end;
        if (add_dur(pl, cal, cx->last_at[k], &s->within, 0, &end)) return 0;
        if (t < cx->last_at[k] || t >= end) return 0;
        *a = cx->last_at[k];
        *b = end;
        return 1;
    }
    case FU__SUPP_DATES:
        if (fu_calendar_to_local(cal, t, &l)) return 0;
        for (int y = l.year; y <= l.year + 1; y++)
            for (size_t i = 0; i < s->n_month_days; i++) {
                fu_local d = {0};
                d.year = y;
                d.month = s->month_days[i] / 100;
                d.day = s->month_days[i] % 100;
                if (d.day > days_in_month(y, d.month)) continue;
                int64_t end, start;
                if (fu_calendar_from_local(cal, &d, 0, &end)) continue;
                fu_duration neg = s->before;
                neg.value = -neg.value;
                if (add_dur(pl, cal, end, &neg, 0, &start)) continue;
                if (t >= start && t < end) {
                    *a = start;
                    *b = end;
                    return 1;
                }
            }
        return 0;
    case FU__SUPP_MONTH_END: {
        if (fu_calendar_to_local(cal, t, &l)) return 0;
        int dim = days_in_month(l.year, l.month);
        if (l.day <= dim - s->last_days) return 0;
        fu_local d = {0};
        d.year = l.year;
        d.month = l.month;
        d.day = dim - s->last_days + 1;
        if (fu_calendar_from_local(cal, &d, 0, a)) return 0;
        d.day = 1;
        d.month = l.month == 12 ? 1 : l.month + 1;
        d.year = l.month == 12 ? l.year + 1 : l.year;
        if (fu_calendar_from_local(cal, &d, 0, b)) return 0;
        return 1;
    }
    }
    return 0;
}

static void apply_suppressions(fu_planner *pl, const pl_cust *cx, pl_cand *c) {
    const fu__policy *P = pl->P;
    for (size_t si = 0; si < P->n_suppressions && c->status == C_ACTIVE; si++) {
        const fu__pol_suppression *s = &P->suppressions[si];
        if (c->priority == FU_PRIORITY_URGENT) return; /* urgency overrides routine rules */
        int routine = c->priority >= FU_PRIORITY_NORMAL;
        if (s->action != FU__ACTION_DEFER && !routine) continue;
        if (s->kind == FU__SUPP_RECENT_EVENT && pl->supp_kind[si] >= 0 && c->cad->trigger == FU__TRIGGER_EVENT &&
            pl->cad_kind[c->cad - P->cadences] == pl->supp_kind[si])
            continue; /* the cadence of the suppressing event itself */
        if (!when_customer(pl, cx, &s->when)) continue;
        int64_t probe = c->from > cx->now ? c->from : cx->now, a, b;
        if (!supp_period(pl, cx, si, probe, &a, &b)) continue;
        switch (s->action) {
        case FU__ACTION_SERVICE_RECOVERY:
            c->priority = FU_PRIORITY_HIGH;
            c->flags |= F_RECOVERY;
            c->supp_rule = s->rule;
            break;
        case FU__ACTION_SKIP_ROUTINE:
            if (c->to < b) {
                c->status = C_SUPPRESSED;
                c->status_rule = s->rule;
            } else {
                c->from = b;
                c->flags |= F_TRIMMED;
                c->supp_rule = s->rule;
            }
            break;
        case FU__ACTION_DEFER: {
            int64_t len = c->to - c->from;
            c->from = b;
            if (c->to < b + len) c->to = b + len;
            c->flags |= F_MOVED;
            c->supp_rule = s->rule;
            if (c->from >= cx->end) {
                c->status = C_DEFERRED;
                c->status_rule = s->rule;
            }
            break;
        }
        }
    }
}

/* Cap window start for a contact at t: t - per (months in local time). */
static int64_t cap_back(fu_planner *pl, const pl_cust *cx, const fu__pol_cap *k, int64_t t) {
    if (k->per.unit == FU_DURATION_SECONDS) return t - k->per.value;
    int64_t r;
    fu_duration neg = k->per;
    neg.value = -neg.value;
    if (add_dur(pl, cx->zone->cal, t, &neg, 0, &r)) return t - dur_bound(&k->per);
    return r;
}

static int64_t cap_fwd(fu_planner *pl, const pl_cust *cx, const fu__pol_cap *k, int64_t t) {
    if (k->per.unit == FU_DURATION_SECONDS) return t + k->per.value;
    int64_t r;
    if (add_dur(pl, cx->zone->cal, t, &k->per, 0, &r)) return t + dur_bound(&k->per);
    return r;
}

static int shares_order(const pl_contact *c, const uint32_t *orders, int n) {
    for (int i = 0; i < c->norders; i++)
        for (int j = 0; j < n; j++)
            if (c->orders[i] == orders[j]) return 1;
    return 0;
}

/* Whether a contact counts for cap `k`: its channel and, when the cap names
 * priorities, its priority. Exempt contacts count (the customer got them). */
static int cap_counts(const fu__pol_cap *k, int channel, int prio) {
    if (k->channels && !(k->channels & (1u << (channel - 1)))) return 0;
    if (k->priorities) return (int)((k->priorities >> prio) & 1u);
    return 1;
}

/* Whether cap `k` holds a contact back: it counts and is not exempt. */
static int cap_holds(const fu__policy *P, const fu__pol_cap *k, int channel, int prio) {
    return !prio_exempt(P, prio) && cap_counts(k, channel, prio);
}

static int is_call_channel(int ch) { return ch == FU_CHANNEL_PHONE || ch == FU_CHANNEL_VIDEO; }

static int local_day_of(const pl_zone *z, int64_t t, int64_t *day);

/* Survey fatigue: a contact asking for a survey answer at t, with the survey
 * answers and survey contacts of the customer, keeps at most `max` in any
 * window of length `per`. 1 and *retry when it does not. */
static int survey_cap_blocks(fu_planner *pl, const pl_cust *cx, const fu__pol_cap *k, int64_t t, int64_t *retry) {
    int64_t lo = cap_back(pl, cx, k, t), hi = cap_fwd(pl, cx, k, t), oldest[64], last_after = INT64_MIN;
    int in = 0, after = 0;
    for (size_t i = 0; i < pl->nst; i++) {
        int64_t s = pl->stimes[i];
        if (s > lo && s <= t && in < 64) oldest[in++] = s;
        if (s > t && s < hi) {
            after++;
            if (s > last_after) last_after = s;
        }
    }
    if (in + 1 > k->max) {
        if (in > 1) qsort(oldest, (size_t)in, sizeof oldest[0], compare_i64);
        *retry = cap_fwd(pl, cx, k, oldest[in + 1 - k->max - 1]) + 1;
        return 1;
    }
    if (in + 1 + after > k->max) {
        *retry = cap_fwd(pl, cx, k, last_after) + 1;
        return 1;
    }
    return 0;
}

/* NULL when a contact of group g at t keeps every cap; else the rule that
 * blocks it and in *retry the earliest later instant worth trying. */
static const char *cap_check(fu_planner *pl, const pl_cust *cx, const pl_group *g, int64_t t, int64_t *retry) {
    const fu__policy *P = pl->P;
    if (g->exempt) return NULL;
    int per_day = pl->guard_per_day ? (pl->guard_per_day < 0 ? 0 : pl->guard_per_day) : P->redial.per_day;
    if (per_day && is_call_channel(g->channel)) { /* call attempts per local day */
        int64_t day, d2;
        int n = 0;
        if (local_day_of(cx->zone, t, &day) == FU_OK) {
            for (size_t i = 0; i < pl->nct; i++) /* zone offsets only for calls within a day or so */
                if (is_call_channel(pl->ct[i].channel) && pl->ct[i].at > t - 2 * DAY && pl->ct[i].at < t + 2 * DAY &&
                    local_day_of(cx->zone, pl->ct[i].at, &d2) == FU_OK && d2 == day)
                    n++;
            if (n >= per_day) {
                int off = 0;
                fu_calendar_utc_offset(cx->zone->cal, t, &off);
                *retry = (day + 1) * DAY - off;
                return "redial.attempts_per_day";
            }
        }
    }
    int64_t gap = dur_seconds_approx(&P->min_gap);
    if (gap > 0) {
        int64_t r = INT64_MIN;
        for (size_t i = 0; i < pl->nct; i++) {
            const pl_contact *c = &pl->ct[i];
            if (c->attempt) continue;
            if ((c->at > t - gap && c->at <= t) || (c->at > t && c->at < t + gap && !c->exempt))
                if (c->at + gap > r) r = c->at + gap;
        }
        if (r != INT64_MIN) {
            *retry = r;
            return "caps.min_gap";
        }
    }
    for (size_t ki = 0; ki < P->n_caps; ki++) {
        const fu__pol_cap *k = &P->caps[ki];
        if (!cap_holds(P, k, g->channel, g->priority)) continue;
        if (k->scope == FU__SCOPE_ORDER && !g->norders) continue;
        if (!when_customer(pl, cx, &k->when)) continue;
        if (k->scope == FU__SCOPE_SURVEY) {
            if (g->survey && survey_cap_blocks(pl, cx, k, t, retry)) return k->rule;
            continue;
        }
        /* contacts counting for k: before (t - per, t] */
        int64_t lo = cap_back(pl, cx, k, t);
        int in = 0;
        int64_t oldest[64];
        for (size_t i = 0; i < pl->nct; i++) {
            const pl_contact *c = &pl->ct[i];
            if (!cap_counts(k, c->channel, c->priority)) continue;
            if (k->scope == FU__SCOPE_ORDER && !shares_order(c, g->orders, g->norders)) continue;
            if (c->at > lo && c->at <= t && in < 64) oldest[in++] = c->at;
        }
        if (in + 1 > k->max) {
            if (in > 1) qsort(oldest, (size_t)in, sizeof oldest[0], compare_i64);
            *retry = cap_fwd(pl, cx, k, oldest[in + 1 - k->max - 1]) + 1;
            return k->rule;
        }
        /* later contacts that would now break the cap */
        int64_t hi = cap_fwd(pl, cx, k, t);
        for (size_t i = 0; i < pl->nct; i++) {
            const pl_contact *c = &pl->ct[i];
            if (c->at <= t || c->at >= hi || !cap_holds(P, k, c->channel, c->priority)) continue;
            if (k->scope == FU__SCOPE_ORDER && !shares_order(c, g->orders, g->norders)) continue;
            int64_t clo = cap_back(pl, cx, k, c->at);
            int cnt = 1;
            for (size_t j = 0; j < pl->nct; j++) {
                const pl_contact *d = &pl->ct[j];
                if (d->at > clo && d->at <= c->at && cap_counts(k, d->channel, d->priority) &&
                    (k->scope != FU__SCOPE_ORDER || shares_order(d, g->orders, g->norders)))
                    cnt++;
            }
            if (cnt > k->max) {
                *retry = c->at + 1;
                if (cap_fwd(pl, cx, k, c->at) > *retry) *retry = hi; /* past its window entirely */
                return k->rule;
            }
        }
    }
    return NULL;
}

/* ---------------------------------------------------------------- merge + place */

static int grp_cmp(const void *a, const void *b) {
    const pl_group *x = a, *y = b;
    if (x->exempt != y->exempt) return x->exempt ? -1 : 1;
    if (x->to != y->to) return x->to < y->to ? -1 : 1;
    if (x->priority != y->priority) return x->priority < y->priority ? -1 : 1;
    return x->first - y->first; /* merge order: a step's group before the one that comes `after` it */
}

/* Whether candidate x must not join the members m[0..n): one of them is the
 * contact it comes after, or comes after it. */
static int dep_conflict(const pl_cand *cand, const int *m, size_t n, int x) {
    for (size_t i = 0; i < n; i++)
        if (cand[x].dep == m[i] || cand[m[i]].dep == x) return 1;
    return 0;
}

static int cand_idx_cmp(const void *a, const void *b, const pl_cand *cand) {
    const pl_cand *x = &cand[*(const int *)a], *y = &cand[*(const int *)b];
    if (x->to != y->to) return x->to < y->to ? -1 : 1;
    if (x->from != y->from) return x->from < y->from ? -1 : 1;
    return *(const int *)a - *(const int *)b;
}

static int channel_rank(int ch) {
    static const int r[] = {0, 4, 2, 1, 3, 5, 6}; /* none, phone, sms, email, chat, video, visit */
    return ch >= 0 && ch < FU_CHANNEL_COUNT ? r[ch] : 0;
}

/* Merge active candidates with overlapping windows (greedy point cover: the
 * fewest contacts that serve every window). */
static int merge(fu_planner *pl, fu_plan_stats *st) {
    size_t na = 0;
    if (pl->gm_cap < pl->ncand && fu__grow((void **)&pl->gm, &pl->gm_cap, pl->ncand, sizeof *pl->gm))
        return FU_ENOMEM;
    for (size_t i = 0; i < pl->ncand; i++)
        if (pl->cand[i].status == C_ACTIVE) pl->gm[na++] = (int)i;
    /* insertion sort by (to, from): a customer has few candidates */
    for (size_t i = 1; i < na; i++) {
        int x = pl->gm[i];
        size_t j = i;
        while (j > 0 && cand_idx_cmp(&x, &pl->gm[j - 1], pl->cand) < 0) {
            pl->gm[j] = pl->gm[j - 1];
            j--;
        }
        pl->gm[j] = x;
    }
    pl->ngrp = 0;
    size_t i = 0;
    /* members of a group are contiguous in gm once we reorder: gather them */
    while (i < na) {
        int lead = pl->gm[i];
        int64_t cut = pl->cand[lead].to;
        size_t j = i + 1;
        /* every later candidate (to >= cut) that opens before cut joins; one
         * that opens just as the lead's window closes (urgent fault: within
         * 2 h, then within 24 h) is a contact of its own */
        for (size_t k = i + 1; k < na; k++) {
            int64_t kf = pl->cand[pl->gm[k]].from;
            if ((kf < cut || kf == pl->cand[lead].from) && !dep_conflict(pl->cand, &pl->gm[i], j - i, pl->gm[k])) {
                int x = pl->gm[k];
                memmove(&pl->gm[j + 1], &pl->gm[j], (k - j) * sizeof *pl->gm);
                pl->gm[j++] = x;
            }
        }
        if (pl->ngrp == pl->grp_cap && FU_GROW(pl->grp, pl->grp_cap, pl->ngrp + 1)) return FU_ENOMEM;
        pl_group *g = &pl->grp[pl->ngrp];
        memset(g, 0, sizeof *g);
        g->first = (int)i;
        g->n = (int)(j - i);
        g->from = INT64_MIN;
        g->to = cut;
        g->priority = FU_PRIORITY_LOW;
        for (size_t k = i; k < j; k++) {
            pl_cand *c = &pl->cand[pl->gm[k]];
            c->group = (int)pl->ngrp;
            if (c->from > g->from) g->from = c->from;
            /* the most pressing member decides the channel; among equals the richer channel */
            if (k == i || c->priority < g->priority ||
                (c->priority == g->priority && channel_rank(c->channel) > channel_rank(g->channel))) {
                g->channel = c->channel;
                g->priority = c->priority;
            }
            if (c->step->survey) g->survey = 1;
            if (c->order && g->norders < MAX_ORDERS) {
                int dup = 0;
                for (int o = 0; o < g->norders; o++) dup |= g->orders[o] == c->order;
                if (!dup) g->orders[g->norders++] = c->order;
            }
        }
        st->merged += (size_t)(g->n - 1);
        pl->ngrp++;
        i = j;
    }
    return FU_OK;
}

/* The best-time model's choice in [t, g->to] among the instants the
 * planner's own mask `bits` allows: the first of the model's eight best
 * hours that qualifies. 1 and *out when one does, 0 when none does (the
 * caller keeps the first allowed instant). The model's best hour almost
 * always qualifies, and asking for one hour lets the model skip the hours
 * that cannot beat the best so far; the eight are asked for only when it
 * does not. */
static int besttime_pick(fu_planner *pl, const pl_cust *cx, pl_group *g, const uint64_t *bits, int holidays,
                         int64_t t, int64_t *out) {
    enum { K = 8 };
    fu_besttime_slot sl[K];
    size_t ns = 0;
    fu_besttime_query_options qo = FU_BESTTIME_QUERY_OPTIONS_INIT;
    qo.flags = FU_BESTTIME_NO_INTERVAL;
    qo.now = cx->now;
    /* the due window is inclusive, the search window is not; the model's
     * hours repeat weekly, so one week from the first allowed instant holds
     * every hour it can rank */
    int64_t to = g->to + 1;
    if (to - t > 7 * DAY) to = t + 7 * DAY;
    unsigned flags = g->priority == FU_PRIORITY_URGENT ? FU_BESTTIME_URGENT : 0u;
    for (size_t k = 1;; k = K) {
        int rc = fu_besttime_best(pl->bt, cx->index, t, to, (fu_channel)g->channel, flags, k, &qo, sl, &ns);
        if (rc) return rc;
        for (size_t i = 0; i < ns; i++) {
            int64_t at;
            int q = next_allowed(cx->zone, bits, holidays, sl[i].at, sl[i].at, &at);
            if (q < 0) return q;
            if (q == 1) {
                *out = sl[i].at;
                g->bt_p = (float)sl[i].p;
                return 1;
            }
        }
        if (k == K || ns < k) return 0;
    }
}

#define LATE_SEARCH (62 * DAY) /* how far past a holiday-closed window the first allowed instant is sought */

static int local_day_of(const pl_zone *z, int64_t t, int64_t *day) {
    int off;
    int rc = fu_calendar_utc_offset(z->cal, t, &off);
    if (rc) return rc;
    *day = floordiv(t + off, DAY);
    return FU_OK;
}

/* Whether holidays hold the group back: not for priorities exempt from quiet
 * hours or named by quiet_hours.on_holidays, not in zones without holidays. */
static int holidays_apply(const fu_planner *pl, const pl_cust *cx, const pl_group *g) {
    if (!cx->zone->hol || !cx->zone->hol->n_holidays) return 0;
    return !(((pl->P->quiet_exempt | pl->P->quiet_holidays) >> g->priority) & 1u);
}

/* No allowed instant in [t, g->to]: when holidays alone closed the window,
 * the first allowed instant after it (1, *out, g->late_rule); else 0 and
 * *why names what closed it. */
static int place_closed(const pl_cust *cx, pl_group *g, const uint64_t *base, int holidays, int ex, int64_t t,
                        int64_t *out, const char **why) {
    const pl_mask *m = cx->mask;
    int64_t dummy;
    if (holidays) {
        int q = next_allowed(cx->zone, base, 0, t, g->to, &dummy);
        if (q < 0) return q;
        if (q == 1) {
            int64_t from = t > g->to ? t : g->to + 1;
            q = next_allowed(cx->zone, base, 1, from, g->to + LATE_SEARCH, out);
            if (q < 0) return q;
            *why = cx->zone->hol_rule;
            if (q == 1) g->late_rule = cx->zone->hol_rule;
            return q;
        }
    }
    int q = m->has_dnd ? next_allowed(cx->zone, m->bits[4], holidays, t, g->to, &dummy) : 0;
    if (q < 0) return q;
    *why = q == 1 ? "customer.dnd_windows" : (ex ? "customer.dnd_windows" : "quiet_hours.allowed");
    return 0;
}

/* Best instant of an allowed run: the first allowed instant, or the best
 * scored hour start when a score provider is set, or the best-time model's
 * best hour. A group already late (g->late_rule) searches past its window. */
static int place_time(fu_planner *pl, const pl_cust *cx, pl_group *g, int64_t t, int64_t *out, const char **why) {
    const pl_mask *m = cx->mask;
    int ex = (pl->P->quiet_exempt >> g->priority) & 1u;
    const uint64_t *base = m->bits[ex ? 2 : 0];
    int holidays = holidays_apply(pl, cx, g);
    int64_t found;
    int r = 0, in_pref = 0;
    g->bt_p = -1;
    if (g->late_rule) { /* past the window: the first allowed instant, nothing else */
        r = next_allowed(cx->zone, base, 1, t, g->to + LATE_SEARCH, out);
        if (r == 0) *why = g->late_rule;
        return r;
    }
    if (m->has_pref) {
        r = next_allowed(cx->zone, m->bits[ex ? 3 : 1], holidays, t, g->to, &found);
        if (r < 0) return r;
        in_pref = r == 1;
    }
    if (r == 0) {
        r = next_allowed(cx->zone, base, holidays, t, g->to, &found);
        if (r < 0) return r;
    }
    if (r == 0) return place_closed(cx, g, base, holidays, ex, t, out, why);
    if (pl->opt.score) {
        double best = -INFINITY;
        int64_t bt = found, probe = found;
        const uint64_t *bits = in_pref ? m->bits[ex ? 3 : 1] : base;
        for (int k = 0; k < FU_HOURS_PER_WEEK; k++) {
            int64_t at;
            int q = next_allowed(cx->zone, bits, holidays, probe, g->to, &at);
            if (q < 0) return q;
            if (q == 0) break;
            int how = fu_calendar_hour_of_week(cx->zone->cal, at);
            if (how < 0) return how;
            double s = pl->opt.score(pl->opt.score_ud, cx->index, g->channel, how);
            if (s > best) {
                best = s;
                bt = at;
            }
            int off;
            if (fu_calendar_utc_offset(cx->zone->cal, at, &off)) break;
            probe = at - ((at + off) % 3600 + 3600) % 3600 + 3600; /* next local hour start */
        }
        found = bt;
    } else if (pl->bt && found < cx->end) { /* from the horizon's end on, a later run decides */
        int64_t at = found;
        int q = besttime_pick(pl, cx, g, in_pref ? m->bits[ex ? 3 : 1] : base, holidays, found, &at);
        if (q < 0) return q;
        if (q == 1) found = at;
    }
    *out = found;
    return 1;
}

/* What moved a group whose best instant is at or after the horizon's end
 * there: the cap that held it back, the holidays that made it late, the
 * preferred windows or the hour picker, else the first constraint whose
 * removal would bring its first allowed instant into the horizon. */
static int later_rule(fu_planner *pl, const pl_cust *cx, pl_group *g, const char **rule) {
    if (g->moved_by_cap) return *rule = g->block_rule, FU_OK;
    if (g->late_rule) return *rule = g->late_rule, FU_OK;
    if (g->dep_rule) return *rule = g->dep_rule, FU_OK; /* waits for the contact it comes after */
    const pl_mask *m = cx->mask;
    int ex = (pl->P->quiet_exempt >> g->priority) & 1u;
    const uint64_t *base = m->bits[ex ? 2 : 0];
    int holidays = holidays_apply(pl, cx, g);
    int64_t t = g->from > cx->now ? g->from : cx->now, lim = cx->end - 1 < g->to ? cx->end - 1 : g->to, at;
    int q = next_allowed(cx->zone, base, holidays, t, lim, &at);
    if (q < 0) return q;
    if (q == 1) {
        if (m->has_pref) { /* the window has a preferred instant, the horizon none */
            const uint64_t *pb = m->bits[ex ? 3 : 1];
            int qa = next_allowed(cx->zone, pb, holidays, t, g->to, &at);
            int qb = qa == 1 ? next_allowed(cx->zone, pb, holidays, t, lim, &at) : 1;
            if (qa < 0 || qb < 0) return qa < 0 ? qa : qb;
            if (qb == 0) return *rule = "customer.preferred_windows", FU_OK;
        }
        *rule = pl->opt.score ? "fu_planner_options.score" : "besttime";
        return FU_OK;
    }
    if (holidays && (q = next_allowed(cx->zone, base, 0, t, lim, &at)) == 1) return *rule = cx->zone->hol_rule, FU_OK;
    if (q < 0) return q;
    q = ex || !m->has_dnd ? 0 : next_allowed(cx->zone, m->bits[4], holidays, t, lim, &at);
    if (q < 0) return q;
    *rule = q == 1 || ex ? "customer.dnd_windows" : "quiet_hours.allowed";
    return FU_OK;
}

/* The requested call-back time of a callback_requested attempt: its note,
 * when the note is an ISO 8601 time with an offset after the attempt. */
static int callback_time(const fu_planner *pl, const fu_event *e, int64_t *out) {
    const char *note = pl_str(pl, e->note);
    int64_t r;
    if (!note || fu_time_parse(note, strlen(note), &r) != FU_OK) {
        fu_error_clear();
        return 0;
    }
    if (r <= e->at) return 0;
    *out = r;
    return 1;
}

/* A wrong number stops every contact on a number channel (phone, sms,
 * video), not only the touchpoint's calls, until a later contact on one
 * reaches the customer: the number rings someone else (as the guard). */
static int wrong_number_stop(fu_planner *pl, size_t n, pl_group *g) {
    const fu__pol_redial_outcome *ro = &pl->P->redial.outcome[FU_OUTCOME_WRONG_NUMBER];
    if (!ro->stop || (g->channel != FU_CHANNEL_PHONE && g->channel != FU_CHANNEL_SMS && g->channel != FU_CHANNEL_VIDEO))
        return 0;
    int64_t wrong = INT64_MIN, fixed = INT64_MIN;
    for (size_t i = 0; i < n; i++) {
        const fu_event *e = pl->ev[i];
        if (e->kind != FU_EVENT_CONTACT ||
            (e->channel != FU_CHANNEL_PHONE && e->channel != FU_CHANNEL_SMS && e->channel != FU_CHANNEL_VIDEO))
            continue;
        if (e->outcome == FU_OUTCOME_WRONG_NUMBER) wrong = e->at;
        if (e->outcome == FU_OUTCOME_ANSWERED || e->outcome == FU_OUTCOME_NONE) fixed = e->at;
    }
    if (wrong <= fixed) return 0;
    g->block_rule = ro->rule;
    return 1;
}

/* Call attempts for group g: contact events on a call channel that reached
 * no answer, in a member's window up to now. A stop outcome (refused, wrong
 * number) or too many attempts (per touchpoint, in a row) suppress it (*stop,
 * g->block_rule); else *not_before is the retry instant after the last one
 * (its outcome's retry_after, or the requested call-back time). */
static int redial_check(fu_planner *pl, const pl_cust *cx, size_t n, pl_group *g, int64_t *not_before, int *stop) {
    const fu__pol_redial *R = &pl->P->redial;
    *stop = 0;
    *not_before = INT64_MIN;
    g->redial_rule = NULL;
    g->redial_callback = 0;
    if (wrong_number_stop(pl, n, g)) {
        *stop = 1;
        return FU_OK;
    }
    if (!is_call_channel(g->channel)) return FU_OK;
    int64_t from = g->from;
    for (int k = 0; k < g->n; k++)
        if (pl->cand[pl->gm[g->first + k]].from < from) from = pl->cand[pl->gm[g->first + k]].from;
    int row = 0, in_tp = 0;
    const fu_event *last = NULL;
    for (size_t i = 0; i < n; i++) {
        const fu_event *e = pl->ev[i];
        if (e->kind != FU_EVENT_CONTACT) continue;
        if (e->outcome == FU_OUTCOME_ANSWERED || e->outcome == FU_OUTCOME_NONE) {
            row = 0;
            continue;
        }
        if (!is_call_channel(e->channel ? e->channel : FU_CHANNEL_PHONE)) continue;
        if (e->outcome != FU_OUTCOME_CALLBACK_REQUESTED) row++;
        else row = 0; /* the customer was reached */
        if (e->at < from || e->at > g->to) continue;
        in_tp++;
        last = e;
        if (R->outcome[e->outcome].stop && !*stop) {
            *stop = 1;
            g->block_rule = R->outcome[e->outcome].rule;
        }
    }
    if (*stop) return FU_OK;
    if (R->lifetime && row >= R->lifetime) g->block_rule = "redial.attempts_lifetime";
    else if (R->per_touchpoint && in_tp >= R->per_touchpoint) g->block_rule = "redial.attempts_per_touchpoint";
    if ((R->lifetime && row >= R->lifetime) || (R->per_touchpoint && in_tp >= R->per_touchpoint)) {
        *stop = 1;
        return FU_OK;
    }
    if (!last) return FU_OK;
    const fu__pol_redial_outcome *ro = &R->outcome[last->outcome];
    int64_t at, r;
    if (last->outcome == FU_OUTCOME_CALLBACK_REQUESTED && callback_time(pl, last, &r)) {
        at = r; /* honoured even past the window */
        if (g->to < r) g->to = r;
        g->redial_callback = 1;
    } else if (ro->set) {
        int rc = add_dur(pl, cx->zone->cal, last->at, &ro->retry, 0, &at);
        if (rc) return rc;
    } else
        return FU_OK; /* the policy says nothing about this outcome */
    *not_before = at;
    g->redial_rule = ro->rule ? ro->rule : "redial.callback_requested";
    g->redial_at = last->at;
    g->redial_outcome = last->outcome;
    return FU_OK;
}

/* The earliest instant for group gi when a member comes `after` a step
 * whose contact was placed before it (INT64_MIN when none); sets
 * g->dep_rule. */
static int64_t after_placed(fu_planner *pl, pl_group *g, size_t gi) {
    int64_t nb = INT64_MIN;
    g->dep_rule = NULL;
    for (int k = 0; k < g->n; k++) {
        const pl_cand *c = &pl->cand[pl->gm[g->first + k]];
        if (c->dep < 0 || pl->cand[c->dep].group < 0 || (size_t)pl->cand[c->dep].group >= gi) continue;
        const pl_group *pg = &pl->grp[pl->cand[c->dep].group];
        if (pg->status != C_ACTIVE || pg->best + 1 <= nb) continue;
        nb = pg->best + 1;
        g->dep_rule = pl->cand[c->dep].step->rule;
    }
    return nb;
}

static int place(fu_planner *pl, const pl_cust *cx, pl_group *g, int64_t not_before) {
    int64_t t = g->from > cx->now ? g->from : cx->now;
    const char *rule = NULL;
    g->late_rule = g->later_rule = NULL;
    g->on_holiday = 0;
    if (not_before > t) t = not_before;
    else g->dep_rule = NULL; /* not binding */
    if (t > g->to) { /* the contact it comes after leaves no room in its window */
        g->status = C_SUPPRESSED;
        g->block_rule = g->dep_rule;
        g->best = g->to;
        return FU_OK;
    }
    for (int iter = 0; iter < 64; iter++) {
        int64_t at;
        const char *why = NULL;
        int r = place_time(pl, cx, g, t, &at, &why);
        if (r < 0) return r;
        if (r == 0) {
            g->status = C_SUPPRESSED;
            g->block_rule = rule ? rule : why;
            g->best = t;
            return FU_OK;
        }
        int64_t retry = 0;
        const char *blk = cap_check(pl, cx, g, at, &retry);
        if (!blk) {
            g->best = at;
            g->status = C_ACTIVE;
            if (rule) {
                g->moved_by_cap = 1;
                g->block_rule = rule;
            }
            if (!g->late_rule && cx->zone->hol && !holidays_apply(pl, cx, g)) {
                int64_t day;
                int rc = local_day_of(cx->zone, at, &day);
                if (rc) return rc;
                g->on_holiday = (uint8_t)is_holiday(cx->zone, day);
            }
            return FU_OK;
        }
        rule = blk;
        if (retry <= at) retry = at + 60;
        t = retry;
        if (t > (g->late_rule ? g->to + LATE_SEARCH : g->to)) break;
    }
    g->status = C_SUPPRESSED;
    g->block_rule = rule;
    g->best = t < g->to ? t : g->to;
    return FU_OK;
}

/* ---------------------------------------------------------------- output */

/* "YYYY-MM-DD HH:MM" in the customer's local time (buf: at least 17 bytes). */
static void fmt_date(const pl_cust *cx, int64_t t, char *buf) {
    int off = 0;
    fu_calendar_utc_offset(cx->zone->cal, t, &off);
    int64_t local = t + off, day = floordiv(local, DAY);
    int sod = (int)(local - day * DAY);
    fu_date dt;
    if (fu_date_from_days(day, &dt) || dt.year < 1 || dt.year > 9999) {
        fu_error_clear();
        strcpy(buf, "?");
        return;
    }
    int v[5] = {dt.year, dt.month, dt.day, sod / 3600, sod / 60 % 60};
    char *p = buf;
    p[0] = (char)('0' + v[0] / 1000), p[1] = (char)('0' + v[0] / 100 % 10), p[2] = (char)('0' + v[0] / 10 % 10);
    p[3] = (char)('0' + v[0] % 10);
    p += 4;
    static const char sep[] = "-- :";
    for (int i = 1; i < 5; i++) {
        *p++ = sep[i - 1];
        *p++ = (char)('0' + v[i] / 10);
        *p++ = (char)('0' + v[i] % 10);
    }
    *p = '\0';
}

/* Append n strings (no printf: reasons are written for every touchpoint). */
static void puts_n(fu__buf *b, int n, ...) {
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++) fu__buf_puts(b, va_arg(ap, const char *));
    va_end(ap);
}

static void buf_reset(fu__buf *b) {
    b->len = 0;
    b->failed = 0;
    if (b->data) b->data[0] = '\0';
}

/* The calendar a touchpoint depends on whose official data ends before its
 * window (or its late instant) does: the holidays of the customer's zone
 * when they hold it back, the policy calendar of working-day and
 * business-time steps. NULL when none; *day the local day it reaches. */
static const fu__pol_calendar *expired_calendar(fu_planner *pl, const pl_cust *cx, const pl_group *g, int64_t best,
                                                int64_t *day) {
    int64_t end = best > g->to ? best : g->to;
    const fu__pol_calendar *z = cx->zone->hol;
    if (z && z->data_until != INT64_MAX && holidays_apply(pl, cx, g) && local_day_of(cx->zone, end, day) == FU_OK &&
        *day > z->data_until)
        return z;
    const fu__pol_calendar *b = pl->bcal;
    if (b->data_until == INT64_MAX) return NULL;
    for (int k = 0; k < g->n; k++) {
        const fu__pol_step *st = pl->cand[pl->gm[g->first + k]].step;
        int bus = st->at.unit == FU_DURATION_WORKING_DAYS || st->at.unit == FU_DURATION_BUSINESS_SECONDS ||
                  st->within.unit == FU_DURATION_WORKING_DAYS || st->within.unit == FU_DURATION_BUSINESS_SECONDS;
        int off = 0;
        if (bus && fu_calendar_utc_offset(b->cal, end, &off) == FU_OK && (*day = floordiv(end + off, DAY)) > b->data_until)
            return b;
    }
    return NULL;
}

static int emit(fu_planner *pl, fu_plan *plan, const pl_cust *cx, const pl_group *g, int status,
                const char *status_rule, int64_t best) {
    fu__buf *purpose = &pl->b_purpose, *rule = &pl->b_rule, *reason = &pl->b_reason;
    buf_reset(purpose);
    buf_reset(rule);
    buf_reset(reason);
    char d[24];
    int64_t trigger = INT64_MAX;
    const char *order = NULL;
    uint32_t oid = 0;
    for (int k = 0; k < g->n; k++) {
        const pl_cand *c = &pl->cand[pl->gm[g->first + k]];
        if (c->trigger < trigger) trigger = c->trigger;
        if (!order && c->order) {
            order = pl_str(pl, c->order);
            oid = c->order;
        }
        if (k) {
            fu__buf_puts(purpose, "; ");
            fu__buf_puts(rule, "; ");
            fu__buf_puts(reason, "; ");
        }
        if (g->n > 1) { /* a single touchpoint borrows both from the policy */
            fu__buf_puts(purpose, c->step->purpose ? c->step->purpose : c->step->name);
            fu__buf_puts(rule, c->step->rule);
        }
        fmt_date(cx, c->trigger, d);
        switch (c->cad->trigger) {
        case FU__TRIGGER_EVENT:
            if (strcmp(c->cad->name, fu_event_kind_name(c->ev->kind)) != 0) puts_n(reason, 2, c->cad->name, ": ");
            puts_n(reason, 3, fu_event_kind_name(c->ev->kind), " on ", d);
            if (c->order) puts_n(reason, 3, " (order ", pl_str(pl, c->order), ")");
            if (c->ev->kind == FU_EVENT_SURVEY && isfinite(c->ev->score)) /* the answer that triggered it */
                fu__buf_printf(reason, ", %s score %g", fu_survey_name(c->ev->survey), (double)c->ev->score);
            break;
        case FU__TRIGGER_LIFECYCLE:
            puts_n(reason, 8, c->cad->name, ": ", fu__pol_lifecycle_name(cx->lifecycle), " since ", d, " (",
                   cx->lifecycle_rule, ")");
            break;
        case FU__TRIGGER_EVERY:
            puts_n(reason, 3, c->cad->name, ": due ", d);
            if (c->flags & F_OVERDUE) fu__buf_puts(reason, ", overdue");
            break;
        case FU__TRIGGER_CYCLE:
            fu__buf_printf(reason, "%s: %.0f%% of a %.1f-day cycle (%s) on %s", c->cad->name, c->cad->cycle * 100,
                           c->cycle_days,
                           (c->flags & F_CYCLE_OWN) ? "own purchases"
                           : (c->flags & F_CYCLE_TIER) ? "tier mean"
                                                       : "default",
                           d);
            break;
        case FU__TRIGGER_PROMISE: {
            const fu__promise *p = c->promise;
            char dl[24];
            fmt_date(cx, p->deadline, dl);
            fu__buf_printf(reason, "%s: promise #%lld \"%s\"", c->cad->name, (long long)p->id, p->text);
            if (*p->category) puts_n(reason, 2, ", ", p->category);
            if (*p->owner) puts_n(reason, 2, ", owner ", p->owner);
            puts_n(reason, 2, ", due ", dl);
            if (c->cad->promise == FU__PROMISE_FULFILLED) puts_n(reason, 2, ", fulfilled on ", d);
            if (c->cad->promise == FU__PROMISE_BREACHED) {
                fmt_date(cx, p->breach_at, dl);
                puts_n(reason, 2, ", breached on ", dl);
                if (c->flags & F_OVERDUE) fu__buf_puts(reason, ", still unresolved: overdue, due from now");
            }
            break;
        }
        }
        if (c->step->team) puts_n(reason, 2, ", by the team ", c->step->team);
        if (c->flags & F_RECOVERY) puts_n(reason, 3, ", service recovery (", c->supp_rule, ")");
        if (c->flags & F_TRIMMED) puts_n(reason, 3, ", window trimmed (", c->supp_rule, ")");
        if (c->flags & F_MOVED) puts_n(reason, 2, ", moved past ", c->supp_rule);
        if (c->flags & F_FALLBACK_CH)
            puts_n(reason, 7, ", ", fu_channel_name(c->channel), " instead of ", fu_channel_name(c->orig_channel), " (",
                   consent_rule(c->orig_channel), ")");
    }
    if (g->n > 1) fu__buf_printf(reason, "; %d touchpoints merged into one contact", g->n);
    if (status == FU_TOUCHPOINT_PLANNED && g->moved_by_cap) puts_n(reason, 2, "; held back by ", g->block_rule);
    if (g->redial_rule && status != FU_TOUCHPOINT_SUPPRESSED) {
        fmt_date(cx, g->redial_at, d);
        puts_n(reason, 6, "; redial after ", fu_outcome_name(g->redial_outcome), " on ", d, " (", g->redial_rule);
        fu__buf_puts(reason, g->redial_callback ? ", at the requested time)" : ")");
    }
    if (g->late_rule && best > g->to) {
        fmt_date(cx, best, d);
        puts_n(reason, 5, "; late: holidays close the window (", g->late_rule, "), made at the first allowed instant ",
               d, " (quiet_hours.on_holidays does not name the priority)");
    }
    if (g->on_holiday && status != FU_TOUCHPOINT_SUPPRESSED)
        puts_n(reason, 3, "; on a holiday (", cx->zone->hol_rule ? cx->zone->hol_rule : "holidays",
               ", allowed by quiet_hours.on_holidays)");
    if (status == FU_TOUCHPOINT_PLANNED && g->bt_p >= 0)
        fu__buf_printf(reason, "; best hour by answer rate (%.0f%%)", (double)g->bt_p * 100.0);
    int64_t xday = 0;
    const fu__pol_calendar *xcal = expired_calendar(pl, cx, g, best, &xday);
    if (xcal) {
        fu_date u, r;
        if (fu_date_from_days(xcal->data_until, &u) || fu_date_from_days(xday, &r)) {
            fu_error_clear();
            memset(&u, 0, sizeof u);
            memset(&r, 0, sizeof r);
        }
        if (pl->opt.flags & FU_PLANNER_STRICT_CALENDAR)
            return fu__error_set(FU_ERANGE,
                                 "calendar %s has official holidays only until %04d-%02d-%02d; a touchpoint of "
                                 "customer %s (%s) reaches %04d-%02d-%02d: add the next year's notice to the "
                                 "policy (calendars.%s.holidays, docs/calendar.md)",
                                 xcal->name, u.year, u.month, u.day, cx->c->id,
                                 pl->cand[pl->gm[g->first]].step->rule, r.year, r.month, r.day, xcal->name);
        plan->stats.calendar_expired++;
        fu__buf_printf(reason, "; calendar %s has official holidays only until %04d-%02d-%02d (calendars.%s.data_until)",
                       xcal->name, u.year, u.month, u.day, xcal->name);
    }
    if (status == FU_TOUCHPOINT_LATER && status_rule)
        puts_n(reason, 3, "; after the horizon (", status_rule, "): a later run plans it");
    else if (status != FU_TOUCHPOINT_PLANNED && status_rule)
        puts_n(reason, 4, "; ", fu_touchpoint_status_name(status), " by ", status_rule);
    int rc = FU_OK;
    if (purpose->failed || rule->failed || reason->failed) rc = fu__error_nomem();
    fu_touchpoint tp;
    memset(&tp, 0, sizeof tp);
    if (!rc) {
        tp.customer = cx->index;
        tp.customer_id = cx->c->id;
        tp.due_from = g->from;
        tp.due_to = g->to;
        tp.best_at = best;
        tp.trigger_at = trigger;
        tp.channel = (fu_channel)g->channel;
        tp.priority = (fu_priority)g->priority;
        tp.status = (fu_touchpoint_status)status;
        tp.purposes = (unsigned)g->n;
        if (g->n == 1) { /* borrowed from the policy */
            const pl_cand *c = &pl->cand[pl->gm[g->first]];
            tp.purpose = c->step->purpose ? c->step->purpose : c->step->name;
            tp.rule = c->step->rule;
        } else {
            tp.purpose = arena_str(&plan->arena, purpose->data ? purpose->data : "", purpose->len);
            tp.rule = arena_str(&plan->arena, rule->data ? rule->data : "", rule->len);
        }
        tp.reason = arena_str(&plan->arena, reason->data ? reason->data : "", reason->len);
        tp.status_rule = status_rule ? status_rule : "";
        /* a zone's holiday rule belongs to the planner: the plan keeps a copy */
        if (status_rule && status_rule == cx->zone->hol_rule)
            tp.status_rule = arena_str(&plan->arena, status_rule, strlen(status_rule));
        /* book strings live as long as the book; fed events' strings belong to the planner */
        tp.order_id = !order ? "" : (oid & OV_LOCAL) ? arena_str(&plan->arena, order, strlen(order)) : order;
        tp.owner = "";
        for (int k = 0; k < g->n && !*tp.owner; k++) { /* a step's team (policy), else a promise's owner */
            const pl_cand *c = &pl->cand[pl->gm[g->first + k]];
            if (c->step->team) tp.owner = c->step->team;
            else if (c->promise && *c->promise->owner)
                tp.owner = arena_str(&plan->arena, c->promise->owner, strlen(c->promise->owner));
        }
        if (!tp.purpose || !tp.rule || !tp.reason || !tp.order_id || !tp.status_rule || !tp.owner)
            rc = fu__error_nomem();
    }
    if (!rc) rc = plan_push(plan, &tp, (uint16_t)(cx->zone - pl->zones), oid);
    return rc;
}

/* A suppressed or deferred candidate on its own (not merged). */
static int emit_single(fu_planner *pl, fu_plan *plan, const pl_cust *cx, int ci, int status) {
    if (pl->gm_cap < pl->ncand + 1 && fu__grow((void **)&pl->gm, &pl->gm_cap, pl->ncand + 1, sizeof *pl->gm))
        return FU_ENOMEM;
    const pl_cand *c = &pl->cand[ci];
    pl_group g;
    memset(&g, 0, sizeof g);
    g.bt_p = -1;
    g.from = c->from;
    g.to = c->to;
    g.channel = c->channel;
    g.priority = c->priority;
    g.n = 1;
    g.first = (int)pl->ncand; /* a spare slot after the active members */
    pl->gm[pl->ncand] = ci;
    int64_t best = c->from > cx->now ? c->from : cx->now;
    return emit(pl, plan, cx, &g, status, c->status_rule, best);
}

/* Plan one customer into `plan`. */
static int plan_one(fu_planner *pl, size_t ci, int64_t now, int64_t end, fu_plan *plan) {
    pl_cust cx;
    memset(&cx, 0, sizeof cx);
    cx.index = ci;
    cx.c = fu_book_customer(pl->book, ci);
    cx.now = now;
    cx.end = end;
    int rc = zone_get(pl, cx.c->tz, &cx.zone);
    if (rc) return rc;
    size_t n;
    if ((rc = gather(pl, ci, now, &n))) return rc;
    if ((rc = collect(pl, &cx, n))) return rc;
    if ((rc = candidates(pl, &cx, n, &plan->stats))) return rc;
    plan->stats.customers++;
    if (!pl->ncand) return FU_OK;
    if ((rc = mask_get(pl, ci, cx.c, &cx.mask))) return rc;
    for (size_t i = 0; i < pl->ncand; i++) {
        pl_cand *c = &pl->cand[i];
        apply_consent(&cx, c);
        if (c->status == C_ACTIVE) apply_suppressions(pl, &cx, c);
    }
    /* suppressed / deferred before merging: reported one by one */
    for (size_t i = 0; i < pl->ncand; i++) {
        pl_cand *c = &pl->cand[i];
        if (c->status == C_SUPPRESSED && (rc = emit_single(pl, plan, &cx, (int)i, FU_TOUCHPOINT_SUPPRESSED))) return rc;
        if (c->status == C_DEFERRED && (rc = emit_single(pl, plan, &cx, (int)i, FU_TOUCHPOINT_DEFERRED))) return rc;
    }
    if ((rc = merge(pl, &plan->stats))) return rc;
    for (size_t gi = 0; gi < pl->ngrp; gi++) pl->grp[gi].exempt = (uint8_t)prio_exempt(pl->P, pl->grp[gi].priority);
    /* exempt groups first, then by the end of the window */
    if (pl->ngrp > 1) qsort(pl->grp, pl->ngrp, sizeof *pl->grp, grp_cmp);
    for (size_t gi = 0; gi < pl->ngrp; gi++)
        for (int k = 0; k < pl->grp[gi].n; k++) pl->cand[pl->gm[pl->grp[gi].first + k]].group = (int)gi;
    for (size_t gi = 0; gi < pl->ngrp; gi++) {
        pl_group *g = &pl->grp[gi];
        int64_t nb = after_placed(pl, g, gi), rb;
        int stop;
        if ((rc = redial_check(pl, &cx, n, g, &rb, &stop))) return rc;
        if (stop) { /* redial: no more calls for it */
            g->status = C_SUPPRESSED;
            g->best = g->from > now ? g->from : now;
            if ((rc = emit(pl, plan, &cx, g, FU_TOUCHPOINT_SUPPRESSED, g->block_rule, g->best))) return rc;
            continue;
        }
        if (rb > nb) {
            nb = rb;
            g->dep_rule = g->redial_rule;
        }
        if ((rc = place(pl, &cx, g, nb))) return rc;
        if (g->status == C_SUPPRESSED) {
            if ((rc = emit(pl, plan, &cx, g, FU_TOUCHPOINT_SUPPRESSED, g->block_rule, g->best))) return rc;
            continue;
        }
        if (g->best >= end) { /* a later run plans it: reported with what moved it */
            if ((rc = later_rule(pl, &cx, g, &g->later_rule))) return rc;
            if ((rc = emit(pl, plan, &cx, g, FU_TOUCHPOINT_LATER, g->later_rule, g->best))) return rc;
            continue;
        }
        if ((rc = add_contact(pl, g->best, g->channel, g->priority, g->exempt, g->orders, g->norders))) return rc;
        if (g->survey && (rc = add_survey_time(pl, g->best))) return rc;
        if ((rc = emit(pl, plan, &cx, g, FU_TOUCHPOINT_PLANNED, g->late_rule, g->best))) return rc;
    }
    return FU_OK;
}

/* ---------------------------------------------------------------- capacity */

static uint64_t clamp_u(int64_t v, int bits) {
    if (v < 0) return 0;
    uint64_t m = (UINT64_C(1) << bits) - 1;
    return (uint64_t)v > m ? m : (uint64_t)v;
}

static int apply_capacity(fu_planner *pl, fu_plan *plan) {
    size_t cap = (size_t)pl->opt.agents * pl->opt.calls_per_agent;
    plan->stats.capacity_per_day = cap;
    size_t n = 0;
    for (size_t i = 0; i < plan->n; i++)
        if (plan->tp[i].status == FU_TOUCHPOINT_PLANNED && is_agent_channel(plan->tp[i].channel)) n++;
    plan->stats.agent_contacts = n;
    if (!pl->opt.agents || (n <= cap && !pl->day_used)) return FU_OK;
    if (plan->n > ROW_MASK) return fu__error_set(FU_ELIMIT, "more than 2^29 - 1 touchpoints in a plan");
    /* Most pressing first within a day: the key is (day, priority, end of the
     * window, time, row), packed in 16 bytes and sorted in place. */
    pl_key *k = fu__malloc(n * sizeof *k);
    if (!k) return fu__error_nomem();
    const fu_calendar *bc = pl->bcal->cal;
    int64_t minday = INT64_MAX, mindue = INT64_MAX, minbest = INT64_MAX;
    for (size_t i = 0; i < plan->n; i++) {
        const fu_touchpoint *t = &plan->tp[i];
        if (t->status != FU_TOUCHPOINT_PLANNED || !is_agent_channel(t->channel)) continue;
        if (t->due_to < mindue) mindue = t->due_to;
        if (t->best_at < minbest) minbest = t->best_at;
    }
    size_t m = 0;
    for (size_t i = 0; i < plan->n; i++) {
        const fu_touchpoint *t = &plan->tp[i];
        if (t->status != FU_TOUCHPOINT_PLANNED || !is_agent_channel(t->channel)) continue;
        int off = 0;
        fu_calendar_utc_offset(bc, t->best_at, &off);
        int64_t day = floordiv(t->best_at + off, DAY);
        if (day < minday) minday = day;
        k[m].a = (uint64_t)day; /* made relative below */
        k[m].b = (clamp_u(t->best_at - minbest, 32) << 32) | (uint64_t)i;
        m++;
    }
    for (size_t j = 0; j < n; j++) {
        const fu_touchpoint *t = &plan->tp[k[j].b & 0xffffffffu];
        k[j].a = (clamp_u((int64_t)k[j].a - minday, 16) << 48) | ((uint64_t)t->priority << 45) |
                 clamp_u(t->due_to - mindue, 45);
    }
    key_sort_all(k, n);
    size_t used = 0, deferred = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t day = minday + (int64_t)(k[i].a >> 48);
        if (!i || (k[i].a >> 48) != (k[i - 1].a >> 48)) {
            used = 0;
            int64_t di = day - pl->day_used0;
            if (pl->day_used && di >= 0 && di < (int64_t)pl->day_used_n) used = pl->day_used[di].agent_contacts;
        }
        if (used < cap) {
            used++;
            continue;
        }
        fu_touchpoint *t = &plan->tp[k[i].b & 0xffffffffu];
        int off = 0;
        fu_calendar_utc_offset(bc, t->best_at, &off);
        int64_t next_day = (day + 1) * DAY - off;
        /* the reason keeps why it is due; status and status_rule say why it waits */
        t->status = FU_TOUCHPOINT_DEFERRED;
        t->status_rule = "capacity.calls_per_agent_day";
        t->best_at = next_day <= t->due_to || t->best_at > t->due_to ? next_day : t->due_to;
        deferred++;
    }
    fu__free(k);
    plan->stats.agent_contacts -= deferred;
    return FU_OK;
}

/* ---------------------------------------------------------------- public */

/* Give the plan its own copies of the calendars its touchpoints use. */
static int plan_attach_zones(const fu_planner *pl, fu_plan *p) {
    if (!p->n) return FU_OK;
    if (!p->cals) {
        p->cals = fu__calloc(pl->nzones, sizeof *p->cals);
        if (!p->cals) return fu__error_nomem();
        p->ncals = pl->nzones;
    }
    for (size_t i = 0; i < p->n; i++) {
        uint16_t z = p->zone[i];
        if (z >= p->ncals || p->cals[z]) continue;
        int rc = fu_calendar_clone(&p->cals[z], pl->zones[z].cal);
        if (rc) return rc;
    }
    return FU_OK;
}


static int check_span(int64_t now, int64_t horizon) {
    if (horizon <= 0) return fu__error_set(FU_EINVAL, "horizon must be > 0 (got %lld)", (long long)horizon);
    /* years 1..9999 with room for cadence offsets */
    if (now < INT64_C(-62135596800) + 400 * 366 * DAY || now > INT64_C(253402300799) - 400 * 366 * DAY ||
        horizon > 100 * 366 * DAY)
        return fu__error_set(FU_ERANGE, "now or horizon outside the supported range");
    return FU_OK;
}

static int plan_range(fu_planner *pl, size_t lo, size_t hi, int64_t now, int64_t horizon, int capacity,
                      fu_plan **out) {
    fu_plan *plan = NULL;
    int rc = plan_new(&plan, pl->book);
    if (rc) return rc;
    for (size_t ci = lo; ci < hi && !rc; ci++) {
        rc = plan_one(pl, ci, now, now + horizon, plan);
        if (!rc) rc = FU_CANCEL_POLL(ci - lo, 256);
        if (capacity && pl->opt.progress && ((ci + 1 - lo) % 65536 == 0 || ci + 1 == hi))
            pl->opt.progress(pl->opt.progress_ud, ci + 1 - lo, hi - lo);
    }
    if (!rc && capacity) rc = apply_capacity(pl, plan);
    plan->stats.due = plan->stats.candidates + plan->stats.done;
    if (!rc) rc = plan_finish(plan);
    if (rc) {
        fu_plan_free(plan);
        return rc;
    }
    *out = plan;
    return FU_OK;
}

int fu_planner_plan(fu_planner *pl, int64_t now, int64_t horizon, fu_plan **out) {
    if (!pl || !out) return fu__error_set(FU_EINVAL, "fu_planner_plan: NULL argument");
    int rc = check_span(now, horizon);
    if (rc) return rc;
    if ((rc = plan_range(pl, 0, pl->ncust, now, horizon, 1, out))) return rc;
    if ((rc = plan_attach_zones(pl, *out)) || (rc = fu__plan_assign_agents(pl, *out, now + horizon))) {
        fu_plan_free(*out);
        *out = NULL;
    }
    return rc;
}

int fu_planner_plan_customer(fu_planner *pl, size_t customer, int64_t now, int64_t horizon, fu_plan **out) {
    if (!pl || !out) return fu__error_set(FU_EINVAL, "fu_planner_plan_customer: NULL argument");
    if (customer >= pl->ncust) return fu__error_set(FU_EINVAL, "customer %zu out of range", customer);
    int rc = check_span(now, horizon);
    if (rc) return rc;
    if ((rc = plan_range(pl, customer, customer + 1, now, horizon, 0, out))) return rc;
    if ((rc = plan_attach_zones(pl, *out)) || (rc = fu__plan_assign_agents(pl, *out, now + horizon))) {
        fu_plan_free(*out);
        *out = NULL;
    }
    return rc;
}

/* ---------------------------------------------------------------- feed */

static int local_string(fu_planner *pl, const char *s, uint32_t *id) {
    *id = 0;
    if (!s || !*s) return FU_OK;
    for (size_t i = 0; i < pl->nlstr; i++)
        if (strcmp(pl->lstr[i], s) == 0) {
            *id = OV_LOCAL | (uint32_t)(i + 1);
            return FU_OK;
        }
    if (pl->nlstr >= 0x7ffffff0u) return fu__error_set(FU_ELIMIT, "too many strings in fed events");
    if (pl->nlstr == pl->lstr_cap && FU_GROW(pl->lstr, pl->lstr_cap, pl->nlstr + 1)) return FU_ENOMEM;
    char *d = fu__strdup(s);
    if (!d) return fu__error_nomem();
    pl->lstr[pl->nlstr++] = d;
    *id = OV_LOCAL | (uint32_t)pl->nlstr;
    return FU_OK;
}

/* Append an event to a customer's overlay (events kept in time order). */
static int overlay_add(fu_planner *pl, pl_overlay *o, size_t ci, const fu_event *e) {
    if (ci >= pl->ncust) return fu__error_set(FU_EINVAL, "customer index %zu out of range (%zu)", ci, pl->ncust);
    if (!o->head) {
        o->head = fu__malloc((pl->ncust ? pl->ncust : 1) * sizeof *o->head);
        if (!o->head) return fu__error_nomem();
        for (size_t i = 0; i < pl->ncust; i++) o->head[i] = -1;
    }
    if (o->head[ci] < 0) {
        if (o->n >= INT32_MAX) return fu__error_set(FU_ELIMIT, "too many customers with fed events");
        if (o->n == o->cap && FU_GROW(o->v, o->cap, o->n + 1)) return FU_ENOMEM;
        memset(&o->v[o->n], 0, sizeof o->v[o->n]);
        o->head[ci] = (int32_t)o->n++;
    }
    pl_ovvec *v = &o->v[o->head[ci]];
    if (v->n == v->cap && FU_GROW(v->ev, v->cap, v->n + 1)) return FU_ENOMEM;
    size_t j = v->n;
    while (j > 0 && v->ev[j - 1].at > e->at) {
        v->ev[j] = v->ev[j - 1];
        j--;
    }
    v->ev[j] = *e;
    v->n++;
    return FU_OK;
}

static void overlay_remove(pl_overlay *o, size_t ci, const fu_event *e) {
    pl_ovvec *v = &o->v[o->head[ci]];
    for (size_t j = v->n; j-- > 0;)
        if (memcmp(&v->ev[j], e, sizeof *e) == 0) {
            memmove(&v->ev[j], &v->ev[j + 1], (v->n - j - 1) * sizeof *e);
            v->n--;
            return;
        }
}

static int tp_same(const fu_touchpoint *a, const fu_touchpoint *b) {
    return a->due_from == b->due_from && a->due_to == b->due_to && a->channel == b->channel &&
           a->status == b->status && strcmp(a->rule, b->rule) == 0;
}

int fu_planner_feed(fu_planner *pl, const fu_event_in *in, int64_t now, int64_t horizon, fu_plan **out) {
    if (!pl || !in || !out || !in->customer_id) return fu__error_set(FU_EINVAL, "fu_planner_feed: NULL argument");
    *out = NULL;
    int rc = check_span(now, horizon);
    if (rc) return rc;
    if (in->at == FU_BOOK_NO_TIME) return fu__error_set(FU_EINVAL, "fu_planner_feed: the event has no time");
    if ((int)in->kind < 0 || (int)in->kind >= FU_EVENT_KIND_COUNT)
        return fu__error_set(FU_EINVAL, "fu_planner_feed: unknown event kind %d", (int)in->kind);
    if ((int)in->channel < 0 || (int)in->channel >= FU_CHANNEL_COUNT || (int)in->severity < 0 ||
        (int)in->severity > FU_SEVERITY_LOW || (int)in->outcome < 0 || (int)in->outcome >= FU_OUTCOME_COUNT)
        return fu__error_set(FU_EINVAL, "fu_planner_feed: an enum field is out of range");
    if (now < in->at) return fu__error_set(FU_EINVAL, "fu_planner_feed: now is before the event");
    size_t ci;
    if ((rc = fu_book_find_customer(pl->book, in->customer_id, strlen(in->customer_id), &ci))) return rc;
    if (ci >= pl->ncust) /* the book refuses changes while borrowed; never index past what was sized */
        return fu__error_set(FU_ESTATE, "fu_planner_feed: customer %s was added after the planner was made",
                             in->customer_id);
    pl_overlay *o = &pl->fed;
    if (o->head && o->head[ci] >= 0) {
        const pl_ovvec *v = &o->v[o->head[ci]];
        if (v->n && v->ev[v->n - 1].at > in->at)
            return fu__error_set(FU_EINVAL, "fu_planner_feed: event for %s is older than the last fed one",
                                 in->customer_id);
    }
    fu_event e;
    memset(&e, 0, sizeof e);
    e.at = in->at;
    e.unit_price = in->unit_price;
    e.amount = in->amount;
    e.customer = (uint32_t)ci;
    e.score = (float)in->score;
    e.kind = (uint8_t)in->kind;
    e.severity = (uint8_t)in->severity;
    e.channel = (uint8_t)in->channel;
    e.outcome = (uint8_t)in->outcome;
    e.survey = (uint8_t)in->survey;
    if ((rc = local_string(pl, in->order_id, &e.order_id))) return rc;
    if ((rc = local_string(pl, in->product_class, &e.product_class))) return rc;
    if ((rc = local_string(pl, in->agent_id, &e.agent_id))) return rc;
    if ((rc = local_string(pl, in->note, &e.note))) return rc;
    if (o->head && o->head[ci] >= 0) {
        const pl_ovvec *v = &o->v[o->head[ci]];
        for (size_t j = 0; j < v->n; j++)
            if (memcmp(&v->ev[j], &e, sizeof e) == 0) return plan_new(out, pl->book); /* duplicate */
    }
    pl_overlay *saved = pl->ov;
    pl->ov = o;
    fu_plan *before = NULL, *after = NULL, *res = NULL;
    rc = plan_range(pl, ci, ci + 1, now, horizon, 0, &before);
    if (!rc) rc = overlay_add(pl, o, ci, &e);
    if (!rc) {
        rc = plan_range(pl, ci, ci + 1, now, horizon, 0, &after);
        if (rc) overlay_remove(o, ci, &e);
    }
    if (!rc) rc = plan_new(&res, pl->book);
    for (size_t i = 0; !rc && i < after->n; i++) {
        int seen = 0;
        for (size_t j = 0; j < before->n && !seen; j++) seen = tp_same(&after->tp[i], &before->tp[j]);
        if (!seen) rc = plan_push(res, &after->tp[i], after->zone[i], after->oid[i]);
    }
    for (size_t j = 0; !rc && j < before->n; j++) {
        int seen = 0;
        for (size_t i = 0; i < after->n && !seen; i++) seen = tp_same(&after->tp[i], &before->tp[j]);
        if (!seen && before->tp[j].status == FU_TOUCHPOINT_PLANNED) {
            fu_touchpoint t = before->tp[j];
            t.status = FU_TOUCHPOINT_CANCELLED;
            t.status_rule = "";
            rc = plan_push(res, &t, before->zone[j], before->oid[j]);
        }
    }
    if (!rc) {
        res->stats = after->stats;
        rc = plan_finish(res);
        if (!rc) rc = plan_attach_zones(pl, res);
    }
    if (rc && after) overlay_remove(o, ci, &e);
    if (!rc) {
        arena_splice(&res->arena, &before->arena);
        arena_splice(&res->arena, &after->arena);
        *out = res;
        res = NULL;
    }
    pl->ov = saved;
    fu_plan_free(before);
    fu_plan_free(after);
    fu_plan_free(res);
    return rc;
}

/* ---------------------------------------------------------------- CSV */

/* A text cell through the library's one CSV cell writer (csv_internal.h). */
static int csv_field(fu__buf *b, const char *s, unsigned int flags) {
    return fu__csv_putf(b, 1, s, (flags & FU_PLAN_CSV_RAW) ? FU__CSV_RAW : 0u);
}

static void csv_time(fu__buf *b, const fu_calendar *cal, int64_t t) {
    int off = 0;
    if (cal) fu_calendar_utc_offset(cal, t, &off);
    char buf[FU_TIME_TEXT_SIZE];
    if (fu_time_format(t, off, FU_TIME_FORMAT_Z, buf, sizeof buf)) buf[0] = '\0';
    fu__buf_puts(b, buf);
}

int fu_plan_write_csv_to_string(const fu_plan *p, unsigned int mask, unsigned int flags, size_t *len, char **out) {
    if (!p || !out) return fu__error_set(FU_EINVAL, "fu_plan_write_csv_to_string: NULL argument");
    if (flags & ~(FU_PLAN_CSV_STATUS | FU_PLAN_CSV_RAW | FU_PLAN_CSV_OWNER | FU_PLAN_CSV_AGENT))
        return fu__error_set(FU_EINVAL, "unknown flags 0x%x", flags);
    fu__buf b = FU__BUF_INIT;
    fu__buf_puts(&b, "customer_id,due_from,due_to,best_at,purpose,channel,priority,rule,reason");
    if (flags & FU_PLAN_CSV_STATUS) fu__buf_puts(&b, ",status,status_rule");
    if (flags & FU_PLAN_CSV_OWNER) fu__buf_puts(&b, ",owner");
    if (flags & FU_PLAN_CSV_AGENT) fu__buf_puts(&b, ",agent");
    fu__buf_puts(&b, "\n");
    for (size_t i = 0; i < p->n && !b.failed; i++) {
        const fu_touchpoint *t = &p->tp[i];
        if (!((mask >> t->status) & 1u)) continue;
        csv_field(&b, t->customer_id, flags);
        fu__buf_puts(&b, ",");
        const fu_calendar *cal = p->zone[i] < p->ncals ? p->cals[p->zone[i]] : NULL;
        csv_time(&b, cal, t->due_from);
        fu__buf_puts(&b, ",");
        csv_time(&b, cal, t->due_to);
        fu__buf_puts(&b, ",");
        csv_time(&b, cal, t->best_at);
        fu__buf_puts(&b, ",");
        csv_field(&b, t->purpose, flags);
        fu__buf_printf(&b, ",%s,%s,", fu_channel_name(t->channel), fu_priority_name(t->priority));
        csv_field(&b, t->rule, flags);
        fu__buf_puts(&b, ",");
        csv_field(&b, t->reason, flags);
        if (flags & FU_PLAN_CSV_STATUS) {
            fu__buf_printf(&b, ",%s,", fu_touchpoint_status_name(t->status));
            csv_field(&b, t->status_rule, flags);
        }
        if (flags & FU_PLAN_CSV_OWNER) {
            fu__buf_puts(&b, ",");
            csv_field(&b, t->owner, flags);
        }
        if (flags & FU_PLAN_CSV_AGENT) {
            fu__buf_puts(&b, ",");
            csv_field(&b, t->agent, flags);
        }
        fu__buf_puts(&b, "\n");
    }
    if (b.failed) {
        fu__buf_free(&b);
        return fu__error_nomem();
    }
    if (len) *len = b.len;
    *out = fu__buf_detach(&b);
    return FU_OK;
}

int fu_plan_utc_offset(const fu_plan *p, const fu_touchpoint *tp, int64_t t, int *out) {
    if (out) *out = 0;
    if (!p || !tp || !out) return fu__error_set(FU_EINVAL, "fu_plan_utc_offset: NULL argument");
    if (!p->n || tp < p->tp || tp >= p->tp + p->n)
        return fu__error_set(FU_EINVAL, "fu_plan_utc_offset: the touchpoint is not one of the plan's");
    size_t i = (size_t)(tp - p->tp);
    const fu_calendar *cal = p->zone[i] < p->ncals ? p->cals[p->zone[i]] : NULL;
    return cal ? fu_calendar_utc_offset(cal, t, out) : FU_OK;
}

int fu_plan_write_csv(const fu_plan *p, unsigned int mask, unsigned int flags, const char *path) {
    if (!path) return fu__error_set(FU_EINVAL, "fu_plan_write_csv: NULL path");
    char *s = NULL;
    size_t n = 0;
    int rc = fu_plan_write_csv_to_string(p, mask, flags, &n, &s);
    if (rc) return rc;
    rc = fu__outfile_write(path, s, n); /* all or nothing: an existing file survives a failure */
    fu__free(s);
    return rc;
}

/* ---------------------------------------------------------------- simulate */

void fu_sim_report_free(fu_sim_report *r) {
    if (!r) return;
    fu__free((void *)r->days);
    fu__free(r);
}

/* One definition of every KPI (issue 14): coverage, SLA attainment and cap
 * violations of a simulation come from fu_kpi over the book's events
 * without its recorded contacts (the planner ignores them) plus the
 * contacts made, weekly figures of [from, to) pooled. Cap violations use a
 * second engine without the contacts of exempt priorities. */
static void sim_event_in(const fu_book *b, const fu_event *e, fu_event_in *o) {
    fu_event_in_init(o);
    o->customer_id = fu_book_customer(b, e->customer)->id;
    o->at = e->at;
    o->kind = (fu_event_kind)e->kind;
    o->order_id = e->order_id ? fu_book_string(b, e->order_id) : NULL;
    o->product_class = e->product_class ? fu_book_string(b, e->product_class) : NULL;
    o->unit_price = e->unit_price;
    o->amount = e->amount;
    o->severity = (fu_severity)e->severity;
    o->channel = (fu_channel)e->channel;
    o->agent_id = e->agent_id ? fu_book_string(b, e->agent_id) : NULL;
    o->outcome = (fu_outcome)e->outcome;
    o->score = (double)e->score;
    o->survey = (fu_survey)e->survey;
    o->note = e->note ? fu_book_string(b, e->note) : NULL;
}

static void sim_pool(const fu_kpi *k, fu_kpi_id id, size_t *units, size_t *succ) {
    size_t n = 0;
    const fu_kpi_figure *f = fu_kpi_figures(k, &n);
    *units = *succ = 0;
    for (size_t i = 0; i < n; i++)
        if (f[i].kpi == id && strcmp(f[i].group, "all") == 0) {
            *units += (size_t)f[i].n;
            *succ += (size_t)f[i].successes;
        }
}

static int sim_kpi_engine(fu_planner *pl, const pl_overlay *sim, int64_t from, int64_t to, int routine, fu_kpi **out) {
    fu_kpi_options ko;
    fu_kpi_options_init(&ko);
    ko.from = from;
    ko.to = to;
    ko.as_of = to;
    int rc = fu_kpi_new(out, pl->policy, &ko);
    fu_event_in *buf = rc ? NULL : fu__malloc(256 * sizeof *buf);
    if (!rc && !buf) rc = fu__error_nomem();
    for (size_t ci = 0; ci < pl->ncust && !rc; ci++) {
        const fu_customer *c = fu_book_customer(pl->book, ci);
        if ((rc = fu_kpi_add_customers(*out, c, 1))) break;
        const fu_event *be;
        size_t nb, m = 0;
        if ((rc = fu_book_customer_events(pl->book, ci, &be, &nb))) break;
        const pl_ovvec *v = sim->head && sim->head[ci] >= 0 ? &sim->v[sim->head[ci]] : NULL;
        size_t nv = v ? v->n : 0;
        for (size_t i = 0; i < nb + nv && !rc; i++) {
            const fu_event *e = i < nb ? &be[i] : &v->ev[i - nb];
            if (e->at >= to || (i < nb && e->kind == FU_EVENT_CONTACT)) continue;
            if (routine && i >= nb && prio_exempt(pl->P, e->reserved_[0] - 1)) continue;
            sim_event_in(pl->book, e, &buf[m++]);
            if (m == 256 || i + 1 == nb + nv) {
                rc = fu_kpi_add_events(*out, buf, m);
                m = 0;
            }
        }
        if (!rc && m) rc = fu_kpi_add_events(*out, buf, m);
    }
    fu__free(buf);
    size_t nf;
    return rc ? rc : fu_kpi_compute(*out, &nf);
}

static int sim_measure(fu_planner *pl, const pl_overlay *sim, int64_t from, int64_t to, fu_sim_report *r) {
    fu_kpi *k = NULL;
    int rc = sim_kpi_engine(pl, sim, from, to, 0, &k);
    if (!rc) {
        sim_pool(k, FU_KPI_COVERAGE, &r->customers_due, &r->customers_contacted);
        sim_pool(k, FU_KPI_RESPONSE_TIMELINESS, &r->sla_due, &r->sla_met);
    }
    fu_kpi_free(k);
    k = NULL;
    if (!rc && !(rc = sim_kpi_engine(pl, sim, from, to, 1, &k))) {
        size_t n;
        sim_pool(k, FU_KPI_OVER_CONTACT, &n, &r->cap_violations);
    }
    fu_kpi_free(k);
    return rc;
}

int fu_planner_simulate(fu_planner *pl, int64_t from, int64_t to, const fu_sim_options *opts, fu_sim_report **out) {
    if (!pl || !out) return fu__error_set(FU_EINVAL, "fu_planner_simulate: NULL argument");
    *out = NULL;
    if (opts && opts->version != FU_SIM_OPTIONS_VERSION)
        return fu__error_set(FU_EINVAL, "fu_planner_simulate: unknown options version %u", opts->version);
    int64_t step = opts && opts->step ? opts->step : DAY;
    if (step <= 0 || to <= from) return fu__error_set(FU_EINVAL, "fu_planner_simulate: empty span or bad step");
    int rc = check_span(from, to - from);
    if (rc) return rc;
    int64_t nsteps = (to - from + step - 1) / step;
    if (nsteps > 100000) return fu__error_set(FU_ELIMIT, "more than 100000 steps");
    const fu_calendar *bc = pl->bcal->cal;
    int off0 = 0, off1 = 0;
    fu_calendar_utc_offset(bc, from, &off0);
    fu_calendar_utc_offset(bc, to - 1, &off1);
    int64_t day0 = floordiv(from + off0, DAY), day1 = floordiv(to - 1 + off1, DAY);
    size_t ndays = (size_t)(day1 - day0 + 1);
    fu_sim_report *r = fu__calloc(1, sizeof *r);
    fu_sim_day *days = fu__calloc(ndays, sizeof *days);
    pl_overlay sim;
    memset(&sim, 0, sizeof sim);
    if (!r || !days) {
        rc = fu__error_nomem();
        goto done;
    }
    for (size_t d = 0; d < ndays; d++) {
        fu_date dt;
        days[d].capacity = (size_t)pl->opt.agents * pl->opt.calls_per_agent;
        if (!fu_date_from_days(day0 + (int64_t)d, &dt)) {
            fu_local z = {0};
            z.year = dt.year;
            z.month = dt.month;
            z.day = dt.day;
            if (fu_calendar_from_local(bc, &z, 0, &days[d].start)) days[d].start = (day0 + (int64_t)d) * DAY - off0;
        }
    }
    pl_overlay *saved = pl->ov;
    void (*saved_progress)(void *, size_t, size_t) = pl->opt.progress;
    pl->opt.progress = NULL;
    pl->ov = &sim;
    pl->ignore_book_contacts = 1;
    pl->day_used = days;
    pl->day_used0 = day0;
    pl->day_used_n = ndays;
    for (int64_t s = 0; s < nsteps && !rc; s++) {
        int64_t now = from + s * step;
        int64_t h = now + step > to ? to - now : step;
        fu_plan *plan = NULL;
        rc = plan_range(pl, 0, pl->ncust, now, h, 1, &plan);
        if (rc) break;
        for (size_t i = 0; i < plan->n && !rc; i++) {
            const fu_touchpoint *t = &plan->tp[i];
            if (t->status == FU_TOUCHPOINT_LATER) continue; /* a later step plans it */
            int off = 0;
            fu_calendar_utc_offset(bc, t->status == FU_TOUCHPOINT_PLANNED ? t->best_at : now, &off);
            int64_t di = floordiv((t->status == FU_TOUCHPOINT_PLANNED ? t->best_at : now) + off, DAY) - day0;
            if (di < 0) di = 0;
            if (di >= (int64_t)ndays) di = (int64_t)ndays - 1;
            fu_sim_day *d = &days[di];
            if (t->status == FU_TOUCHPOINT_SUPPRESSED) {
                d->suppressed++;
                r->suppressed++;
                continue;
            }
            if (t->status == FU_TOUCHPOINT_DEFERRED) {
                d->deferred++;
                r->deferred++;
                continue;
            }
            fu_event e;
            memset(&e, 0, sizeof e);
            e.at = t->best_at;
            e.unit_price = NAN;
            e.amount = NAN;
            e.score = NAN;
            e.customer = (uint32_t)t->customer;
            e.kind = FU_EVENT_CONTACT;
            e.channel = (uint8_t)t->channel;
            e.outcome = FU_OUTCOME_ANSWERED;
            e.reserved_[0] = (uint8_t)(t->priority + 1);
            e.reserved_[1] = (uint8_t)rule_is_survey(pl->P, t->rule);
            e.order_id = plan->oid[i];
            rc = overlay_add(pl, &sim, t->customer, &e);
            d->contacts++;
            r->contacts++;
            if (is_agent_channel(t->channel)) d->agent_contacts++;
        }
        fu_plan_free(plan);
        r->steps++;
        if (opts && opts->progress) opts->progress(opts->progress_ud, (size_t)(s + 1), (size_t)nsteps);
    }
    pl->ov = saved;
    pl->opt.progress = saved_progress;
    pl->ignore_book_contacts = 0;
    pl->day_used = NULL;
    if (rc) goto done;
    /* coverage, caps and SLA from the KPI engine; contacts per window */
    r->from = from;
    r->to = to;
    r->customers = pl->ncust;
    rc = sim_measure(pl, &sim, from, to, r);
    for (size_t ci = 0; ci < pl->ncust && !rc; ci++) {
        const pl_ovvec *v = sim.head && sim.head[ci] >= 0 ? &sim.v[sim.head[ci]] : NULL;
        for (size_t i = 0; v && i < v->n; i++) {
            unsigned c72 = 0, c7 = 0, c30 = 0;
            for (size_t j = i; j < v->n; j++) {
                int64_t dt = v->ev[j].at - v->ev[i].at;
                if (dt < 72 * 3600) c72++;
                if (dt < 7 * DAY) c7++;
                if (dt < 30 * DAY) c30++;
            }
            if (c72 > r->max_contacts_72h) r->max_contacts_72h = c72;
            if (c7 > r->max_contacts_7d) r->max_contacts_7d = c7;
            if (c30 > r->max_contacts_30d) r->max_contacts_30d = c30;
        }
    }
    if (rc) goto done;
    r->coverage = r->customers_due ? (double)r->customers_contacted / (double)r->customers_due : 1.0;
    r->sla_attainment = r->sla_due ? (double)r->sla_met / (double)r->sla_due : 1.0;
    double span_days = (double)(to - from) / (double)DAY;
    r->contacts_per_customer_30d =
        r->customers_due ? (double)r->contacts / (double)r->customers_due / (span_days / 30.0) : 0.0;
    size_t total = 0;
    for (size_t d = 0; d < ndays; d++) {
        total += days[d].agent_contacts;
        if (days[d].agent_contacts > r->max_agent_load) r->max_agent_load = days[d].agent_contacts;
    }
    r->mean_agent_load = (double)total / (double)ndays;
    r->days = days;
    r->n_days = ndays;
    days = NULL;
    *out = r;
    r = NULL;
done:
    overlay_free(&sim);
    fu__free(days);
    fu_sim_report_free(r);
    return rc;
}

/* ---------------------------------------------------------------- the guard
 * The contact guard (guard.c, guard_internal.h) asks the planner's own
 * limits about one customer at one instant. Only additions: the functions
 * above are used as they are. */

#include "guard_internal.h"

struct fu__guard_ctx {
    fu_planner *pl;
    pl_cust cx;
    int unknown;
};

int fu__guard_ctx_new(fu__guard_ctx **out, fu_planner *pl) {
    fu__guard_ctx *g = fu__calloc(1, sizeof *g);
    if (!g) return fu__error_nomem();
    g->pl = pl;
    *out = g;
    return FU_OK;
}

void fu__guard_ctx_free(fu__guard_ctx *g) { fu__free(g); }

int fu__guard_ctx_load(fu__guard_ctx *g, size_t ci, const fu_customer *c, const fu_event *extra, size_t n_extra,
                       int64_t now, const fu_event *const **ev, size_t *n) {
    fu_planner *pl = g->pl;
    pl_cust *cx = &g->cx;
    memset(cx, 0, sizeof *cx);
    cx->index = ci;
    cx->c = c;
    cx->now = now;
    cx->end = INT64_MAX / 4;
    g->unknown = ci == FU__GUARD_NO_CUSTOMER;
    int rc = zone_get(pl, c->tz, &cx->zone);
    if (rc) return rc;
    size_t k = 0;
    if (!g->unknown) {
        if ((rc = gather(pl, ci, INT64_MAX, &k))) return rc;
    } else {
        if (n_extra > pl->ev_cap && fu__grow((void **)&pl->ev, &pl->ev_cap, n_extra, sizeof *pl->ev)) return FU_ENOMEM;
        for (k = 0; k < n_extra; k++) pl->ev[k] = &extra[k];
    }
    if ((rc = collect(pl, cx, k))) return rc;
    if (g->unknown) { /* nothing known: the caps of a new customer hold */
        cx->lifecycle = FU__LC_NEW;
        cx->tier = -1;
    }
    if ((rc = mask_get(pl, ci, c, &cx->mask))) return rc;
    *ev = pl->ev;
    *n = k;
    return FU_OK;
}

const char *fu__guard_ctx_consent(const fu__guard_ctx *g, int channel) {
    return consent_of(g->cx.c, channel) == FU_TRI_NO ? consent_rule(channel) : NULL;
}

const fu_calendar *fu__guard_ctx_calendar(const fu__guard_ctx *g) { return g->cx.zone->cal; }

int fu__guard_ctx_add_dur(const fu__guard_ctx *g, int64_t t, const fu_duration *d, int64_t *out) {
    return add_dur(g->pl, g->cx.zone->cal, t, d, 0, out);
}

/* The cadence a touchpoint rule ("cadences.<name>.<step>") belongs to. */
static const fu__pol_cadence *guard_cadence(const fu__policy *P, const char *rule) {
    if (!rule || strncmp(rule, "cadences.", 9) != 0) return NULL;
    for (size_t i = 0; i < P->n_cadences; i++) {
        size_t n = strlen(P->cadences[i].rule);
        if (strncmp(rule, P->cadences[i].rule, n) == 0 && (rule[n] == '.' || rule[n] == 0)) return &P->cadences[i];
    }
    return NULL;
}

/* Quiet hours, holidays and do-not-disturb at t: NULL or the rule. */
static int guard_time(fu_planner *pl, const pl_cust *cx, int64_t t, int priority, const char **deny, int64_t *retry) {
    int ex = (pl->P->quiet_exempt >> priority) & 1u;
    int hol = !(((pl->P->quiet_exempt | pl->P->quiet_holidays) >> priority) & 1u); /* as holidays_apply */
    const uint64_t *base = cx->mask->bits[ex ? 2 : 0];
    int64_t found = 0;
    int r = next_allowed(cx->zone, base, hol, t, t + 400 * DAY, &found);
    if (r < 0) return r;
    if (r == 1 && found == t) return FU_OK;
    *retry = r == 1 ? found : FU_BESTTIME_NEVER;
    int off;
    if ((r = fu_calendar_utc_offset(cx->zone->cal, t, &off))) return r;
    int64_t day = floordiv(t + off, DAY);
    int mow = (int)(((day % 7) + 7 + 3) % 7) * 1440 + (int)((t + off - day * DAY) / 60);
    if (hol && is_holiday(cx->zone, day)) *deny = "calendars.holidays";
    else if (!ex && !bit_get(cx->mask->bits[4], mow)) *deny = "quiet_hours.allowed";
    else *deny = "customer.dnd_windows";
    return FU_OK;
}

int fu__guard_ctx_test(fu__guard_ctx *g, int64_t t, int channel, int *priority, const char *rule, uint32_t order,
                       int skip_caps, const char **deny, int64_t *retry) {
    static const fu__pol_cadence no_cadence = {.trigger = FU__TRIGGER_EVERY};
    fu_planner *pl = g->pl;
    pl_cust *cx = &g->cx;
    *deny = NULL;
    *retry = FU_BESTTIME_NEVER;
    /* suppressions, on a candidate whose window starts at t */
    pl_cand c;
    memset(&c, 0, sizeof c);
    c.from = t;
    c.to = INT64_MAX / 4;
    c.trigger = t;
    c.cad = guard_cadence(pl->P, rule);
    if (!c.cad) c.cad = &no_cadence;
    c.channel = (uint8_t)channel;
    c.priority = (uint8_t)*priority;
    c.status = C_ACTIVE;
    int64_t now = cx->now;
    cx->now = t;
    apply_suppressions(pl, cx, &c);
    cx->now = now;
    if (c.status != C_ACTIVE || c.from > t) {
        *deny = c.status_rule ? c.status_rule : c.supp_rule;
        *retry = c.status == C_SUPPRESSED ? FU_BESTTIME_NEVER : c.from;
        return FU_OK;
    }
    *priority = c.priority;
    int rc = guard_time(pl, cx, t, c.priority, deny, retry);
    if (rc || *deny || skip_caps) return rc;
    pl_group grp;
    memset(&grp, 0, sizeof grp);
    grp.from = grp.to = t;
    grp.channel = (uint8_t)channel;
    grp.priority = (uint8_t)c.priority;
    grp.exempt = (uint8_t)prio_exempt(pl->P, c.priority);
    if (order) grp.orders[grp.norders++] = order;
    *deny = cap_check(pl, cx, &grp, t, retry);
    if (*deny && *retry <= t) *retry = t + 60;
    return FU_OK;
}

/* A guard's customers get one contact at a time into arrays trimmed to
 * size: grow them by a quarter, not by doubling (1 M customers x 10
 * contacts would otherwise take 350 MiB more after one contact each). */
int fu__guard_feed(fu_planner *pl, size_t ci, const fu_event *e) {
    pl_overlay *o = &pl->fed;
    if (o->head && o->head[ci] >= 0) {
        pl_ovvec *v = &o->v[o->head[ci]];
        if (v->n == v->cap && v->cap >= 8) {
            size_t cap = v->cap + v->cap / 4 + 2;
            fu_event *p = fu__realloc(v->ev, cap * sizeof *p);
            if (!p) return fu__error_nomem();
            v->ev = p;
            v->cap = cap;
        }
    }
    return overlay_add(pl, o, ci, e);
}

void fu__guard_unfeed(fu_planner *pl, size_t ci, const fu_event *e) { overlay_remove(&pl->fed, ci, e); }

void fu__guard_trim(fu_planner *pl) {
    for (size_t i = 0; i < pl->fed.n; i++) {
        pl_ovvec *v = &pl->fed.v[i];
        if (v->n == v->cap || !v->n) continue;
        fu_event *p = fu__realloc(v->ev, v->n * sizeof *p);
        if (!p) continue; /* keeping the larger block is fine */
        v->ev = p;
        v->cap = v->n;
    }
}

void fu__guard_ignore_book_contacts(fu_planner *pl, int on) { pl->ignore_book_contacts = on; }

void fu__guard_set_per_day(fu_planner *pl, int per_day) { pl->guard_per_day = per_day; }
