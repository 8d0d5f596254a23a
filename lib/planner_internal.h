/* The planner's internal types and the functions its files share, one
 * concern a file (include/followup/planner.h is the API). Internal.
 *   planner.c         new/free, events of a customer, candidates, output,
 *                     capacity, fu_planner_plan*(), fu_planner_feed()
 *   planner_time.c    offsets, zones, allowed-minute masks, classes, conditions
 *   planner_limits.c  consent, CLV, suppressions, caps, merging, time, redial
 *   planner_plan.c    the plan: rows, strings, order, statistics, CSV
 *   planner_agents.c  who makes the call; planner_clv.c CLV; planner_loop.c
 *                     the closed loop (ledger); planner_sim.c
 *                     fu_planner_simulate(); planner_guard.c the guard's view */
#ifndef FU_PLANNER_INTERNAL_H
#define FU_PLANNER_INTERNAL_H

#include "followup/planner.h"
#include "followup/segment.h"
#include "followup/kpi.h"
#include "csv_internal.h"
#include "internal.h"
#include "book_decode.h"
#include "planner_loop.h"
#include "planner_agents.h"
#include "planner_intern.h"
#include "planner_clv.h"
#include "arena_internal.h"
#include "policy_internal.h"

#include <math.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY INT64_C(86400)
#define MASK_WORDS 158 /* 10080 minutes of the week, 64 a word */
/* String ids with this bit are a contact guard's own (FU__GUARD_LOCAL in
 * lib/guard_internal.h: order ids and rules of its records), not the book's. */
#define PL_GUARD_LOCAL 0x80000000u
#define MAX_ORDERS 4
#define MAX_CYCLE_PURCHASES 64


struct fu_plan {
    fu_touchpoint *tp; /* sorted by status, then best_at, then customer */
    size_t n, cap;
    size_t off[FU_TOUCHPOINT_STATUS_COUNT + 1]; /* status s: tp[off[s] .. off[s+1]) */
    fu__arena arena; /* strings of the plan */
    fu_plan_stats stats;
    const fu_book *book;
    /* per touchpoint: the order's string id (book or planner-local) and the
     * customer's zone (index into the planner's zones, then into cals) */
    uint32_t *oid;
    uint16_t *zone;
    uint8_t *flag; /* PL_TP_*: what the agent step reads of the contact, not its text */
    size_t side_cap;
    /* per zone index: the zone's calendar (a copy owned by the plan, so CSV
     * times work after the planner is gone), NULL when no touchpoint uses it */
    fu_calendar **cals;
    size_t ncals;
};

/* fu_plan.flag of a touchpoint. PL_TP_ASKED: a call-back at a time the
 * customer named (set where the call-back is planned, group redial_callback;
 * the agent step keeps it out of the business-hours rule as placement does:
 * review r2 M5, r3 L7). PL_TP_UNPLACEABLE: suppressed by the agent step,
 * no instant within AG_LATE_DAYS where an agent may call and the customer
 * may be contacted (review r3 L6; fu_plan_stats.unplaceable). PL_TP_NOTE:
 * the agent step's note to the reason waits in the row's agent field until
 * fu__pl_plan_notes() (no agent is named before). */
enum { PL_TP_ASKED = 1, PL_TP_UNPLACEABLE = 2, PL_TP_NOTE = 4 };

typedef struct pl_key {
    uint64_t a, b;
} pl_key;

#define ROW_BITS 29
#define ROW_MASK ((UINT64_C(1) << ROW_BITS) - 1)

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
    int biz; /* a business customer's: 5 and 6 keep the default calendar's hours */
    /* 0 routine, 1 routine within preferred, 2 exempt, 3 exempt within preferred,
     * 4 routine ignoring do-not-disturb (to name the rule that blocked),
     * 5 and 6: 0 and 1 within business hours (a business customer's
     * priorities that do not skip the rest time; else as 0 and 1) */
    uint64_t bits[7][MASK_WORDS];
} pl_mask;

/* The mask words a contact of priority `prio` may be made in (`pref`:
 * within the customer's preferred windows): quiet hours unless the priority
 * is exempt, do-not-disturb, and for a business customer the default
 * calendar's weekly hours unless the priority may contact in the rest time
 * (quiet_hours.exempt or .on_holidays, as the guard: review s9 F3). */
#define FU__PL_BITS(pl, m, prio, pref)                                                                             \
    ((m)->bits[(((pl)->P->quiet_exempt >> (prio)) & 1u) ? ((pref) ? 3 : 2)                                          \
               : (((pl)->P->quiet_holidays >> (prio)) & 1u) ? ((pref) ? 1 : 0)                                       \
                                                             : ((pref) ? 6 : 5)])

/* FU__PL_BITS() for a contact that may skip business hours (`asked`: a
 * call-back at a time the customer named, as the guard allows it: review r2
 * M5): quiet hours and do-not-disturb only, as FU__PL_BITS() for a consumer. */
#define FU__PL_BITS_ASKED(pl, m, prio, pref, asked)                                                                \
    ((asked) ? (m)->bits[(((pl)->P->quiet_exempt >> (prio)) & 1u) ? ((pref) ? 3 : 2) : ((pref) ? 1 : 0)]            \
             : FU__PL_BITS(pl, m, prio, pref))

typedef struct pl_ovvec {
    fu_event *ev;
    size_t n, cap;
} pl_ovvec;

/* Events that are not in the book: a guard's records, or simulated contacts.
 * (Fed events are appended to the book: fu_book_append_events().) */
typedef struct pl_overlay {
    int32_t *head; /* per customer: index into v, -1 none */
    pl_ovvec *v;
    size_t n, cap;
} pl_overlay;

/* A candidate touchpoint of the customer being planned. */
enum { C_ACTIVE = 0, C_DONE, C_SUPPRESSED, C_DEFERRED };
enum { F_RECOVERY = 1, F_OVERDUE = 2, F_FALLBACK_CH = 4, F_TRIMMED = 8, F_MOVED = 16, F_CYCLE_OWN = 32,
       F_CYCLE_TIER = 64, F_CYCLE_DEFAULT = 128, F_CLV = 256, F_CALLBACK = 512, F_EARLY = 1024 };

typedef struct pl_cand {
    int64_t from, to, trigger;
    int64_t attempts_from;    /* F_CALLBACK: the step's own window start, from which call attempts are its
                                 (fu__pl_redial_check(); otherwise from) */
    int64_t own_from;         /* F_EARLY: the window's own start (from is the urgent contact's instant) */
    const fu__pol_cadence *cad;
    const fu__pol_step *step;
    const fu_event *ev;       /* triggering event or NULL */
    const char *supp_rule;    /* suppression that adjusted it (recovery, trim, move) */
    const char *status_rule;  /* suppressed / deferred by */
    double cycle_days;        /* cycle cadences */
    uint32_t order;
    uint8_t channel;          /* fu_channel */
    uint8_t orig_channel;
    uint8_t clv_channel;      /* the step's channel when channels.by_clv decided (F_CLV) */
    uint8_t priority;
    uint8_t status;
    uint16_t flags;
    int group;
    int dep; /* candidate whose contact must come first (step `after`), -1 none */
    const fu__promise *promise; /* `{promise: ...}` cadences: the promise */
} pl_cand;

enum { PL_REACHED = 0, PL_ATTEMPT = 1, PL_CALLBACK = 2 };

typedef struct pl_contact {
    int64_t at;
    uint8_t channel;  /* fu_channel */
    uint8_t priority; /* fu_priority; history without one: normal */
    uint8_t exempt;
    uint8_t norders;
    uint8_t attempt;  /* PL_ATTEMPT: a call attempt without an answer: redial.*.retry_after spaces the
                         next call, not caps.min_gap (the caps still count it); PL_CALLBACK: the
                         customer was reached and asked for a call-back, which the gap does not hold */
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

/* The periods [a, b) of a `dates` suppression (at most PL_SD_DATES dates)
 * in one calendar for the local years year and year + 1, in the order
 * supp_period() searches them (lib/planner_limits.c): they are the same for
 * every customer of the zone in a plan. */
#define PL_SD_SLOTS 32
#define PL_SD_DATES 8
typedef struct pl_supp_dates {
    const fu_calendar *cal; /* NULL: empty */
    size_t si;              /* the suppression */
    int year;
    int n;
    int64_t a[2 * PL_SD_DATES], b[2 * PL_SD_DATES];
} pl_supp_dates;

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
    /* fu__pl_collect(): now - kind_reach of the kinds with cadences, else
     * INT64_MAX, for the `now` kind_from_now */
    int64_t kind_from[FU_EVENT_KIND_COUNT], kind_from_now;
    int kind_from_set;
    uint8_t kind_ahead[FU_EVENT_KIND_COUNT]; /* a cadence of the kind has a step before it (at < 0) */
    size_t *cad_buf;
    int *supp_kind; /* per suppression: event kind of RECENT_EVENT, -1 otherwise */
    int *cad_kind;  /* per cadence: event kind or -1 */
    /* per cadence c: the cadences (not event-triggered) whose `replaces`
     * names it, repl_idx[repl_off[c] .. repl_off[c + 1]) */
    size_t *repl_off, *repl_idx;
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
    /* their exact parts (fu_planner_tier_cycle_sums()): whole seconds summed
     * over the customers counted; tier_sums_own 0 when tier_cycles were given */
    int64_t tier_cycle_sum[FU__POL_MAX_TIERS][FU__POL_MAX_TIERS];
    uint64_t tier_cycle_cnt[FU__POL_MAX_TIERS][FU__POL_MAX_TIERS];
    int tier_sums_own;
    /* a guard's records (fu__guard_feed); the overlay in use (the guard's or
     * a simulation's) */
    pl_overlay guard_ov;
    pl_overlay *ov;
    /* per customer: the time of the last event fed (fu_planner_feed refuses
     * older ones), FU_BOOK_NO_TIME none; allocated at the first feed */
    int64_t *fed_at;
    int ignore_book_contacts;
    int guard_per_day; /* a guard's override of redial.attempts_per_day: 0 policy, < 0 none */
    /* scratch, reused for every customer */
    const fu_event **ev;
    size_t ev_cap;
    fu__evbuf evbuf; /* the book's events of one customer, decoded (fu__book_customer_decode) */
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
    /* the purchases of the customer being planned, in time order, with their
     * product class (fu__pl_event_class, -1 none): made by fu__pl_collect()
     * for the cycle cadences of fu__pl_candidates() */
    struct pl_purchase {
        const fu_event *e;
        int64_t at; /* e->at */
        int cls;
    } *pur;
    size_t npur, pur_cap;
    /* the events of ev[0 .. n) whose event cadences can still be due (the
     * kind has cadences that reach now), in order: made by fu__pl_collect() */
    const fu_event **trig;
    size_t ntrig, trig_cap;
    uint32_t *sel; /* fu__pl_collect(): its purchases, contacts and survey answers */
    size_t sel_cap;
    /* events after now of the kinds with a step before them (kind_ahead: a
     * warranty or course end known ahead), made by fu__pl_gather() for
     * fu__pl_collect(), which lists them among the triggers (review s8 F16) */
    const fu_event **fut;
    size_t nfut, fut_cap;
    /* contact events of ev[0 .. n) without an answer (outcome not answered
     * or none): none means no call attempt for fu__pl_redial_check() */
    size_t n_unanswered;
    /* the cadences not triggered by an event, in policy order; those of
     * each tier (+1) and lifecycle stage: oc_list[oc_off[l] .. oc_off[l + 1]) */
    size_t *other_cads, n_other_cads;
    size_t *oc_list;
    size_t oc_off[(FU__POL_MAX_TIERS + 1) * FU__LC_COUNT + 1];
    int64_t *stimes; /* survey answers and survey contacts of the customer (caps with scope survey) */
    size_t nst, st_cap;
    fu__buf b_purpose, b_rule, b_reason; /* text of the touchpoint being emitted */
    fu__pl_texts texts; /* the plan's merged purposes and rules, one copy each (emit()) */
    const fu_besttime *bt;  /* best-time model for best_at, or NULL */
    fu_besttime *own_bt;    /* built by FU_PLANNER_BESTTIME */
    /* lifecycle rules: the policy's (fu_segment_rules_new_from_policy(), as
     * `followup segment` uses them), without composite segments and the CLV
     * quantile, which the planner does not read */
    fu_segment_rules *seg_policy;
    fu_segment_rules seg;
    int seg_checked; /* fu_segment_assign() accepted seg: fu__segment_lifecycle() */
    /* simulation: agent contacts already made per day (from day_used0) */
    const fu_sim_day *day_used;
    int64_t day_used0;
    size_t day_used_n;
    fu__promise_set promises; /* fu_planner_set_ledger() */
    fu__agent_set *agents;    /* fu_planner_set_agents(); NULL: nobody is named */
    fu__clv *clv;             /* fu_planner_set_clv(); NULL: no CLV known */
    size_t nev; /* events of the customer being planned in ev (gather()) */
    uint32_t unknown_class;  /* the first product_class text that names no class of the policy */
    size_t n_unknown_class;  /* how many distinct ones the plans met */
    /* the contact events of ev[0 .. n) in time order, listed by
     * fu__pl_candidates() for it and for fu__pl_redial_check() after it
     * (the loops that only look at contacts skip the other events) */
    const fu_event **cev;
    size_t ncev, cev_cap;
    pl_supp_dates *sdates; /* PL_SD_SLOTS, made on first use (lib/planner_limits.c) */
    size_t *ptk, ptk_cap; /* purchase days per class in ptimes (class_purchase_times(), lib/planner.c) */
    int pt_ready;
};



static inline int bit_get(const uint64_t *b, int m) { return (int)((b[m >> 6] >> (m & 63)) & 1u); }
static inline void bit_set(uint64_t *b, int m) { b[m >> 6] |= UINT64_C(1) << (m & 63); }

/* Next set minute at or after m (wrapping), -1 when none. */
static inline int bit_next(const uint64_t *b, int m) {
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

static inline int prio_exempt(const fu__policy *P, int prio) { return (P->cap_exempt >> prio) & 1u; }

/* lib/planner_plan.c */
void fu__pl_key_sort_all(pl_key *k, size_t n);
#define RADIX_BITS 11
#define RADIX_COUNTS ((64 + RADIX_BITS - 1) / RADIX_BITS << RADIX_BITS)
int fu__pl_radix_sort(uint64_t *k, uint32_t *v, uint64_t *kt, uint32_t *vt, size_t n, int bits, uint32_t *cnt);
int fu__pl_bits_of(uint64_t v);
int fu__pl_plan_finish(fu_plan *p);
int fu__pl_plan_new(fu_plan **out, const fu_book *book);
int fu__pl_plan_push(fu_plan *p, const fu_touchpoint *t, uint16_t zone, uint32_t oid, uint8_t flag);
/* The reasons of the rows with PL_TP_NOTE get the agent step's note, which
 * waited in their agent field (lib/planner_agents.c): FU_OK or FU_ENOMEM. */
int fu__pl_plan_notes(fu_plan *p);

/* lib/planner_time.c */
int fu__pl_add_dur(const fu_planner *pl, const fu_calendar *lcal, int64_t t, const fu_duration *d, int end_of_day,
                   int64_t *out);
int fu__pl_days_in_month(int y, int m);
int64_t fu__pl_dur_floor(const fu_duration *d); /* a lower bound of t + d - t (0: none known) */
/* fu__pl_add_dur() without the call for seconds (most steps and windows). */
static inline int fu__pl_add_dur_i(const fu_planner *pl, const fu_calendar *lcal, int64_t t, const fu_duration *d,
                                   int end_of_day, int64_t *out) {
    if (d->unit == FU_DURATION_SECONDS) {
        *out = t + d->value;
        return FU_OK;
    }
    return fu__pl_add_dur(pl, lcal, t, d, end_of_day, out);
}
int64_t fu__pl_dur_bound(const fu_duration *d);
int fu__pl_event_class(fu_planner *pl, const fu_event *e);
int64_t fu__pl_floordiv(int64_t a, int64_t b);
int fu__pl_is_agent_channel(int ch);
int fu__pl_is_holiday(const pl_zone *z, int64_t local_day);
int fu__pl_mask_get(fu_planner *pl, size_t ci, const fu_customer *c, const pl_mask **out);
/* A business customer (B2B), as the guard, the planner's masks and
 * fu_besttime's default read one: an industry, or a small business. */
int fu__pl_is_business(const fu_customer *c);
int fu__pl_next_allowed(const pl_zone *z, const uint64_t *bits, int holidays, int64_t t, int64_t limit,
                        int64_t *out);
const char *fu__pl_pl_str(const fu_planner *pl, uint32_t id);
/* lib/planner_cadidx.c: the other cadences customer cx's tier and
 * lifecycle stage leave possible, in policy order (all of them for a tier
 * or stage out of range); built once by fu__pl_other_index(). */
int fu__pl_other_index(fu_planner *pl);
size_t fu__pl_other_of(const fu_planner *pl, const pl_cust *cx, const size_t **list);
int fu__pl_when_customer_rest(const fu_planner *pl, const pl_cust *cx, const fu__pol_when *w);
/* The customer-level parts of a condition: the tier and lifecycle bits
 * here (called per cadence and step), the rest out of line. */
static inline int fu__pl_when_customer(const fu_planner *pl, const pl_cust *cx, const fu__pol_when *w) {
    if (w->rfm_groups) return 0; /* RFM groups are not evaluated by the planner */
    if (w->tiers && (cx->tier < 0 || !(w->tiers & (1u << cx->tier)))) return 0;
    if (w->lifecycles && !(w->lifecycles & (1u << cx->lifecycle))) return 0;
    if (!w->industries.n && w->is_smb < 0 && !w->min_tenure.set) return 1;
    return fu__pl_when_customer_rest(pl, cx, w);
}
int fu__pl_when_event(fu_planner *pl, const pl_cust *cx, const fu__pol_when *w, const fu_event *e);
/* fu__pl_when_event() without the call for a condition that names nothing
 * about the event (most steps and cadences). */
static inline int fu__pl_when_ev(fu_planner *pl, const pl_cust *cx, const fu__pol_when *w, const fu_event *e) {
    if (!w->product_classes && !w->severities.n && !w->risks.n && !w->surveys && !w->has_score_max && !w->unresolved)
        return 1;
    return fu__pl_when_event(pl, cx, w, e);
}
int fu__pl_resolved_since(const fu_planner *pl, const fu_event *e, int64_t since);
int fu__pl_zone_get(fu_planner *pl, const char *tz, const pl_zone **out);

/* lib/planner_emit.c: group g (or candidate ci alone) into the plan as a
 * touchpoint of `status`, its reason in words */
int fu__pl_emit(fu_planner *pl, fu_plan *plan, const pl_cust *cx, const pl_group *g, int status,
                const char *status_rule, int64_t best);
int fu__pl_emit_single(fu_planner *pl, fu_plan *plan, const pl_cust *cx, int ci, int status);

/* lib/planner.c */
int fu__pl_candidates(fu_planner *pl, pl_cust *cx, size_t n, fu_plan_stats *st);
int fu__pl_check_span(int64_t now, int64_t horizon);
int fu__pl_collect(fu_planner *pl, pl_cust *cx, size_t n);
int fu__pl_compare_i64(const void *a, const void *b);
int64_t fu__pl_dur_seconds_approx(const fu_duration *d);
int fu__pl_gather(fu_planner *pl, size_t ci, int64_t now, size_t *n_out);
int fu__pl_customer_load(fu_planner *pl, const fu_book *book, size_t ci, int64_t now, int64_t end, fu_customer *cb, pl_cust *cx);
int fu__pl_overlay_add(fu_planner *pl, pl_overlay *o, size_t ci, const fu_event *e);
void fu__pl_overlay_free(pl_overlay *o);
void fu__pl_overlay_remove(pl_overlay *o, size_t ci, const fu_event *e);
/* capacity: 0 none, 1 the planner's capacity step, 2 none and the plan left
 * open (rows in customer order, not sorted: fu__pl_plan_close() ends it). */
int fu__pl_plan_range(fu_planner *pl, size_t lo, size_t hi, int64_t now, int64_t horizon, int capacity,
                      fu_plan **out);
/* An open plan of fu__pl_plan_range() made as fu_planner_plan() makes its own:
 * sorted, notes, zones, named agents. On error the caller frees the plan. */
int fu__pl_plan_close(fu_planner *pl, fu_plan *plan, int64_t now, int64_t end);
int fu__pl_rule_is_survey(const fu__policy *P, const char *rule);
int fu__pl_push_row_contact(fu_planner *pl, const fu_plan *plan, size_t r);

/* lib/planner_limits.c */
int64_t fu__pl_after_placed(fu_planner *pl, pl_group *g, size_t gi);
void fu__pl_apply_clv(const fu_planner *pl, const pl_cust *cx, pl_cand *c);
void fu__pl_apply_consent(const pl_cust *cx, pl_cand *c);
void fu__pl_apply_suppressions(fu_planner *pl, const pl_cust *cx, pl_cand *c);
const char *fu__pl_cap_check(fu_planner *pl, const pl_cust *cx, const pl_group *g, int64_t t, int64_t *retry);
int fu__pl_consent_of(const fu_customer *c, int ch);
const char *fu__pl_consent_rule(int ch);
int fu__pl_grp_cmp(const void *a, const void *b);
int fu__pl_holidays_apply(const fu_planner *pl, const pl_cust *cx, const pl_group *g);
int fu__pl_later_rule(fu_planner *pl, const pl_cust *cx, pl_group *g, const char **rule);
int fu__pl_local_day_of(const pl_zone *z, int64_t t, int64_t *day);
int fu__pl_merge(fu_planner *pl, const pl_cust *cx, fu_plan_stats *st);
int fu__pl_place(fu_planner *pl, const pl_cust *cx, pl_group *g, int64_t not_before);
/* After fu__pl_candidates() over the same ev[0 .. n): it reads the contacts listed there (pl->cev). */
/* Tests: 0 makes every `dates` suppression's periods afresh (no cache), 1 (the default) caches them. */
void fu__pl_supp_dates_cache(int on);
int fu__pl_redial_check(fu_planner *pl, const pl_cust *cx, size_t n, pl_group *g, int64_t *not_before, int *stop);
/* When the customer asked to be called back by the callback_requested
 * attempt e: its note's time (*timed = 1), else the attempt + the policy's
 * redial.callback_requested.retry_after. 1 and *at, 0 neither, < 0 error. */
int fu__pl_callback_at(fu_planner *pl, const pl_cust *cx, const fu_event *e, int64_t *at, int *timed);

#endif
