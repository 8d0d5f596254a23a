/* Who makes the call: the agents CSV (fu_planner_set_agents()) and the
 * assignment of an agent to every planned agent contact of a plan, run after
 * planning (fu__plan_assign_agents()). docs/planner.md, "Who makes the call". */
#include "planner_agents.h"
#include "planner_hours.h"
#include "calendar_internal.h"
#include "book_decode.h"
#include "planner_internal.h"

#include "csv_internal.h"
#include "internal.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct fu__agent {
    char *id, *team;
    unsigned int skills; /* bit per fu_channel; 0: every agent channel */
    fu_windows *shift;   /* local to cal */
    fu_calendar *cal;
    int calls_per_day;   /* 0: capacity.calls_per_agent_day.max */
    int64_t *off;        /* days off (days since 1970-01-01, local to cal), sorted */
    size_t noff;
    int shift_min[7];    /* minutes on shift per local weekday (Monday 0): spreads calls_per_day over the hours */
    int64_t short_day;   /* local day (in cal) of the plan short_agents() last ran for */
} fu__agent;

struct fu__agent_set {
    fu__agent *v;
    size_t n, cap;
    /* fu_planner_short_agents(), from the last plan: agents whose shift meets the
     * team hours for less than their calls_per_day need, the first one's figures */
    size_t n_short;
    const char *short_first;
    int short_min, short_need;
    int short_done; /* n_short.. hold for the agents' short_day */
};

void fu__agent_set_free(fu__agent_set *s) {
    if (!s) return;
    for (fu__agent *a = s->v; a < s->v + s->n; a++) {
        fu_windows_free(a->shift);
        fu_calendar_free(a->cal);
        FU_FREE_ALL(a->id, a->team, a->off);
    }
    FU_FREE_ALL(s->v, s);
}

/* ---------------------------------------------------------------- reading */

enum { AC_ID, AC_TEAM, AC_SKILLS, AC_SHIFT, AC_TZ, AC_CALLS, AC_OFF, AC_COUNT };
static const char *const AGENT_COLS[AC_COUNT] = {"agent_id", "team", "skills", "shift", "tz", "calls_per_day",
                                                 "days_off"};

static int name_is(const char *s, size_t len, const char *name) {
    size_t n = strlen(name);
    if (len != n) return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if (c != name[i]) return 0;
    }
    return 1;
}

static const char *cell(const fu__csv *r, const long *col, int k, size_t *len) {
    *len = 0;
    if (col[k] < 0 || (size_t)col[k] >= fu__csv_count(r)) return "";
    const char *s = fu__csv_field(r, (size_t)col[k], len);
    while (*len && (s[0] == ' ' || s[0] == '\t')) s++, (*len)--;
    while (*len && (s[*len - 1] == ' ' || s[*len - 1] == '\t')) (*len)--;
    return s;
}

/* The next item of a list cell ("a; b|c") from *i: [*a, *b) without the
 * spaces around it (empty when *a == *b); 0 past the end. */
static int next_item(const char *s, size_t len, size_t *i, size_t *a, size_t *b) {
    if (*i >= len) return 0;
    size_t j = *i;
    while (j < len && s[j] != ';' && s[j] != '|') j++;
    *a = *i, *b = j;
    while (*a < *b && s[*a] == ' ') (*a)++;
    while (*b > *a && s[*b - 1] == ' ') (*b)--;
    *i = j + 1;
    return 1;
}

static int read_skills(const fu__csv *r, const long *col, unsigned int *out) {
    size_t len, i = 0, a, b;
    const char *s = cell(r, col, AC_SKILLS, &len);
    *out = 0;
    while (next_item(s, len, &i, &a, &b)) {
        if (b == a) continue;
        fu_channel ch;
        if (fu_channel_from_string(s + a, b - a, &ch) || ch == FU_CHANNEL_NONE)
            return fu__csv_error_at(r, (size_t)col[AC_SKILLS], FU_EPARSE,
                                    "skills: '%.*s' is not a channel (phone, video, chat, visit, ...)", (int)(b - a),
                                    s + a);
        *out |= 1u << ch;
    }
    return FU_OK;
}

static int cmp_days(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int parse_day(const fu__csv *r, const long *col, const char *s, size_t n, int64_t *out) {
    fu_date d;
    if (fu_date_parse(s, n, &d) || fu_date_to_days(&d, out)) {
        fu_error_clear();
        return fu__csv_error_at(r, (size_t)col[AC_OFF], FU_EPARSE,
                                "days_off: '%.*s' is not a date YYYY-MM-DD or a range YYYY-MM-DD..YYYY-MM-DD",
                                (int)n, s);
    }
    return FU_OK;
}

/* `days_off`: dates and ranges (2026-03-09;2026-03-10..2026-03-12), local to the agent's zone. */
static int read_days_off(const fu__csv *r, const long *col, fu__agent *a) {
    size_t len, cap = 0, i = 0, p, q;
    const char *s = cell(r, col, AC_OFF, &len);
    while (next_item(s, len, &i, &p, &q)) {
        if (p == q) continue;
        const char *dots = NULL;
        for (size_t k = p; k + 1 < q; k++)
            if (s[k] == '.' && s[k + 1] == '.') dots = s + k;
        int64_t lo, hi;
        int rc = parse_day(r, col, s + p, dots ? (size_t)(dots - s - p) : q - p, &lo);
        if (!rc) rc = dots ? parse_day(r, col, dots + 2, (size_t)(s + q - dots - 2), &hi) : (hi = lo, FU_OK);
        if (!rc && (hi < lo || hi - lo > 3660))
            rc = fu__csv_error_at(r, (size_t)col[AC_OFF], FU_EPARSE, "a range ends before it starts or "
                                  "spans more than 10 years");
        if (rc) return rc;
        for (int64_t d = lo; d <= hi; d++) {
            if (a->noff == cap && FU_GROW(a->off, cap, a->noff + 1)) return FU_ENOMEM;
            a->off[a->noff++] = d;
        }
    }
    if (a->noff > 1) qsort(a->off, a->noff, sizeof *a->off, cmp_days);
    return FU_OK;
}

static int agent_row(fu__agent_set *set, const fu__csv *r, const long *col) {
    size_t len;
    const char *s = cell(r, col, AC_ID, &len);
    if (!len) return fu__csv_error_at(r, (size_t)col[AC_ID], FU_EPARSE, "empty agent_id (required)");
    for (size_t i = 0; i < set->n; i++)
        if (strlen(set->v[i].id) == len && memcmp(set->v[i].id, s, len) == 0)
            return fu__csv_error_at(r, (size_t)col[AC_ID], FU_EPARSE, "agent '%.*s' appears twice", (int)len, s);
    if (set->n == set->cap && FU_GROW(set->v, set->cap, set->n + 1)) return FU_ENOMEM;
    fu__agent *a = &set->v[set->n];
    memset(a, 0, sizeof *a);
    set->n++; /* freed with the set on any failure below */
    if (!(a->id = fu__strndup(s, len))) return fu__error_nomem();
    s = cell(r, col, AC_TEAM, &len);
    if (!(a->team = fu__strndup(s, len))) return fu__error_nomem();
    int rc = read_skills(r, col, &a->skills);
    if (rc) return rc;
    s = cell(r, col, AC_SHIFT, &len);
    if (!len) return fu__csv_error_at(r, (size_t)col[AC_SHIFT], FU_EPARSE, "empty shift (required: weekly windows)");
    if ((rc = fu_windows_parse(s, len, &a->shift))) {
        if (rc == FU_ENOMEM) return rc;
        /* the column of the bad token in the field, as for customers' windows (review s13 I16) */
        size_t f = (size_t)col[AC_SHIFT], flen;
        unsigned long at = fu_error_last()->column;
        unsigned long c = fu__csv_field_column(r, f) + (fu__csv_field_quoted(r, f) ? 1ul : 0ul) +
                          (unsigned long)(s - fu__csv_field(r, f, &flen)) + (at ? at - 1 : 0);
        char msg[512];
        snprintf(msg, sizeof msg, "%s", fu_error_last()->message);
        return fu__error_set_at(FU_EPARSE, fu__csv_source(r), fu__csv_field_line(r, f), c,
                                fu__csv_header_name(r, f), "%s", msg);
    }
    for (int m = 0; m < 7 * 1440; m++) a->shift_min[m / 1440] += fu_windows_contains(a->shift, m) == 1;
    s = cell(r, col, AC_TZ, &len);
    char tz[128];
    if (len >= sizeof tz) return fu__csv_error_at(r, (size_t)col[AC_TZ], FU_ETIMEZONE, "unknown time zone (too long)");
    memcpy(tz, len ? s : "UTC", len ? len : 3);
    tz[len ? len : 3] = '\0';
    if ((rc = fu_calendar_new(&a->cal, tz)))
        return rc == FU_ENOMEM ? rc : fu__csv_error_at(r, (size_t)col[AC_TZ], FU_ETIMEZONE, "unknown time zone '%s'", tz);
    s = cell(r, col, AC_CALLS, &len);
    if (len) {
        char *end = NULL, buf[16];
        if (len >= sizeof buf) len = sizeof buf - 1;
        memcpy(buf, s, len);
        buf[len] = '\0';
        long v = strtol(buf, &end, 10);
        if (*end || v < 1 || v > 10000)
            return fu__csv_error_at(r, (size_t)col[AC_CALLS], FU_EPARSE,
                                    "calls_per_day: expected an integer 1..10000");
        a->calls_per_day = (int)v;
    }
    return read_days_off(r, col, a);
}

static int read_agents(fu__csv *r, fu__agent_set *set) {
    long col[AC_COUNT];
    int rc = fu__csv_read_header(r);
    for (int k = 0; k < AC_COUNT; k++) col[k] = -1;
    size_t nh = rc ? 0 : fu__csv_header_count(r);
    unsigned long hline = fu__csv_record_end_line(r);
    for (size_t i = 0; i < nh && !rc; i++) {
        size_t len;
        const char *name = fu__csv_field(r, i, &len);
        for (int k = 0; k < AC_COUNT; k++)
            if (name_is(name, len, AGENT_COLS[k])) {
                if (col[k] >= 0) rc = fu__csv_error_at(r, i, FU_EPARSE, "column '%s' appears twice", AGENT_COLS[k]);
                col[k] = (long)i;
            }
    }
    for (int k = AC_ID; !rc && k <= AC_SHIFT; k += AC_SHIFT - AC_ID)
        if (col[k] < 0)
            rc = fu__error_set_at(FU_EPARSE, fu__csv_source(r), fu__csv_record_line(r), 1, AGENT_COLS[k],
                                  "missing required column '%s'", AGENT_COLS[k]);
    while (!rc) {
        rc = fu__csv_next(r);
        if (rc <= 0) break;
        rc = agent_row(set, r, col);
    }
    /* a header without rows would plan every call with nobody to make it */
    if (!rc && !set->n)
        rc = fu__error_set_at(FU_EPARSE, fu__csv_source(r), hline + 1, 1, NULL,
                              "no agent: expected a row per agent (agent_id,shift,...) after the header");
    fu__csv_close(r);
    return rc < 0 ? rc : FU_OK;
}

static int install(fu_planner *pl, fu__csv *r) {
    fu__agent_set *set = fu__calloc(1, sizeof *set);
    if (!set) {
        fu__csv_close(r);
        return fu__error_nomem();
    }
    int rc = read_agents(r, set);
    if (rc) {
        fu__agent_set_free(set);
        return rc;
    }
    fu__agent_set **cur = fu__planner_agents(pl);
    fu__agent_set_free(*cur);
    *cur = set->n ? set : NULL;
    if (!set->n) fu__agent_set_free(set);
    return FU_OK;
}

/* The agents table from the file `path`, or (path NULL) from the text
 * csv[0..len) named `source` (NULL: "<agents>"), installed in pl. */
static int open_and_install(fu_planner *pl, const char *path, const char *csv, size_t len, const char *source) {
    fu__csv *r;
    int rc = path ? fu__csv_open_file(path, 0, 0, &r)
                  : fu__csv_open_mem(csv, len, source ? source : "<agents>", 0, 0, &r);
    return rc ? rc : install(pl, r);
}

int fu_planner_set_agents(fu_planner *pl, const char *csv, size_t len, const char *source) {
    if (!pl || (!csv && len))
        return fu__error_set(FU_EINVAL, "fu_planner_set_agents: %s is NULL", !pl ? "planner" : "csv");
    if (!len) {
        fu__agent_set **cur = fu__planner_agents(pl);
        fu__agent_set_free(*cur);
        *cur = NULL;
        return FU_OK;
    }
    return open_and_install(pl, NULL, csv, len, source);
}

int fu_planner_read_agents(fu_planner *pl, const char *path) {
    if (!pl || !path) return fu__error_set(FU_EINVAL, "fu_planner_read_agents: %s is NULL", !pl ? "planner" : "path");
    return open_and_install(pl, path, NULL, 0, NULL);
}

/* ---------------------------------------------------------------- assignment */

#define AG_DAY 86400
#define AG_MAX_DAYS 4000
#define AG_MAX_STEPS 4000
#define AG_LATE_DAYS 62 /* how far past its window a call looks for an agent (as holidays do) */

typedef struct ag_ctx {
    const fu__agent_set *A;
    const fu__policy *P;
    const fu_book *book;
    fu_plan *plan;
    int64_t end;    /* the horizon's end */
    int64_t day0;   /* first UTC day of the load table, minus one */
    size_t ndays;
    uint32_t *load; /* agent x day: calls */
    uint16_t *hload; /* agent x local hour (ndays x 24): calls, at most hour_limit() */
    size_t *total;  /* per agent: calls in this plan */
    int32_t *own;   /* per customer: owner agent, -1 none; -2 - agent: over the owner's capacity */
    const char **pid; /* per agent: its id copied into the plan (made on its first call), so the plan
                       * may outlive the planner and its next agents file */
    fu__buf buf;
    int prio;        /* the touchpoint being assigned */
    const char *why; /* the agents.* rule that held it back, NULL: only the shifts */
    /* the planner's best-time model when best_at came from it, else NULL */
    const fu_besttime *bt;
    int64_t now;     /* the plan's now: the model's evidence is decayed to it */
    int bt_moved;    /* the contact went to its best hour with an agent free */
    /* per plan row: the hour the day's assignment (assign_hours()) gives the
     * contact, [want_from, want_to); want_from INT64_MIN: none (NULL: no assignment) */
    int64_t *want_from, *want_to;
    int full;        /* agent_next() passed an agent at calls_per_day or its hour's calls */
    int out_of_steps; /* a search for an instant gave up at its step budget before its limit */
    int16_t *umin;   /* agent x day: usable_min() + 1, 0 not computed yet */
    fu_planner *pl;  /* the planner: the customer's mask (customer_ok()) */
    int asked;       /* the touchpoint is a call-back at a time the customer named */
    int biz_held;    /* customer_ok() refused an instant for business hours alone */
    size_t row;      /* the plan row being placed */
    const char *hol_held; /* customer_ok() refused an instant for the customer's holidays: their rule */
    const char *cap_held; /* cap_ok() refused an instant: the cap's rule */
    int contig;           /* the plan's rows are in customer order (not sorted yet) */
    size_t cap_row1;      /* cap_ok() prepared for row cap_row1 - 1 (0 none) */
    int cap_any;          /* ... and the customer has other planned contacts */
    int cap_survey;       /* ... and the contact asks for a survey answer */
    int64_t ok_next;      /* customer_ok() refused a holiday: its next local day (else INT64_MIN) */
    size_t hol_row1;      /* customer_holiday() looked up row hol_row1 - 1's zone: */
    const pl_zone *hol_zone; /* ... whose holidays hold its contact (NULL: none to check) */
    int64_t due;          /* the window's end of the contact being placed */
    const char *held_last; /* the customer's holidays or a cap held the last instant refused in the window
                              (their rule, which made it late); NULL: the agents' rules or hours did */
    /* cap_ok(): the customer whose facts and history contacts are in the
     * planner's scratch (cap_ci + 1, 0 none), its book record, and the plan's
     * rows per customer (crow[crow_off[c] .. crow_off[c + 1])) */
    size_t cap_ci1, nct_hist, nst_hist;
    pl_cust cx;
    fu_customer cb;
    size_t *crow_off, *crow;
    struct ag_hours *hours; /* the hot checks' caches (ag_hours) */
    const char *sfx[8]; /* the last texts added to reasons (team_hours_note()), and their lengths */
    size_t sfx_len[8];
    unsigned nsfx;
} ag_ctx;

/* What team_block() and customer_ok() keep for a pass (audit s10 D1): the
 * team's rules per UTC minute, the customer last asked about, the offset
 * regime of its zone last used, and per customer mask how many 15-minute
 * steps lead to a minute it may be contacted in (team_next()). */
typedef struct ag_hours {
    fu__ah_team team;
    fu__ah_steps steps;
    fu__ah_meet meet;
    size_t ci1; /* customer ci + 1 of cal, mk and cb; 0 none */
    const fu_calendar *cal;
    const pl_mask *mk;
    fu_customer cb;
    int32_t off; /* cal's offset in [lo, hi) */
    int64_t lo, hi;
} ag_hours;

static int64_t floordiv64(int64_t a, int64_t b) { return a / b - ((a % b) != 0 && ((a < 0) != (b < 0))); }

static int in_days(const int64_t *v, size_t n, int64_t d) {
    size_t lo = fu__lower_bound_i64(v, n, d);
    return lo < n && v[lo] == d;
}

static int in_pol_days(const fu__pol_date *v, size_t n, int64_t d) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid].days < d) lo = mid + 1;
        else hi = mid;
    }
    return lo < n && v[lo].days == d;
}

/* The agent's day off at t (`days_off`, local to the agent). */
static int day_off(const fu__agent *g, int64_t t) {
    if (!g->noff) return 0;
    int off = 0;
    fu_calendar_utc_offset(g->cal, t, &off);
    return in_days(g->off, g->noff, floordiv64(t + off, AG_DAY));
}

/* Hours of a day the team calendar has none for (a make-up working day, or a
 * weekend / holiday the policy opens): those of its first weekday with hours. */
static int hours_day(const fu__pol_calendar *pc, int wd, int special) {
    if (!special && pc->n_hours[wd]) return wd;
    for (int d = 0; d < 7; d++)
        if (pc->n_hours[d]) return d;
    return -1;
}

/* The policy's `agents` rules hold x->prio (they have a team calendar and
 * forbid something, and do not exempt the priority). */
static int team_holds(const ag_ctx *x) {
    const fu__pol_agent_hours *h = &x->P->agent_hours;
    return !((h->exempt >> x->prio) & 1u) && h->calendar && !(h->weekends && h->holidays && !h->team_hours);
}

/* team_block() for a priority the rules hold, from the team calendar
 * itself: what the pass's table (ag_hours) is built from and checked
 * against. `ctx` is the ag_ctx. *open: when t is allowed, the end of the
 * team interval (or local day) it is in: every instant up to it is allowed
 * while the calendar's offset holds (fu__ah_span_fn). */
static const char *team_rules_span(const void *ctx, int64_t t, int64_t *next, int64_t *open) {
    const ag_ctx *x = ctx;
    const fu__pol_agent_hours *h = &x->P->agent_hours;
    const fu__pol_calendar *pc = h->calendar;
    fu_local lo;
    *next = *open = t + 60;
    if (fu_calendar_to_local(pc->cal, t, &lo)) return fu_error_clear(), NULL;
    fu_date dt = {lo.year, lo.month, lo.day};
    int64_t day = 0;
    if (fu_date_to_days(&dt, &day)) return fu_error_clear(), NULL;
    int m = lo.hour * 60 + lo.minute;
    int64_t midnight = t - (int64_t)m * 60 - lo.second + AG_DAY;
    int hol = in_pol_days(pc->holidays, pc->n_holidays, day), mk = in_pol_days(pc->workdays, pc->n_workdays, day);
    if (hol && !h->holidays) return *next = midnight, "agents.holidays";
    if (!hol && !mk && lo.weekday >= 5 && !h->weekends) return *next = midnight, "agents.weekends";
    *open = midnight;
    if (!h->team_hours || !pc->has_hours) return NULL;
    int wd = hours_day(pc, lo.weekday, hol || mk);
    if (wd < 0) return NULL;
    for (int i = 0; i < pc->n_hours[wd]; i++) {
        if (m < pc->hours[wd][i].start_min)
            return *next = t + (int64_t)(pc->hours[wd][i].start_min - m) * 60 - lo.second, "agents.team_hours";
        if (m < pc->hours[wd][i].end_min)
            return *open = t + (int64_t)(pc->hours[wd][i].end_min - m) * 60 - lo.second, NULL;
    }
    return *next = midnight, "agents.team_hours";
}

static const char *team_rules(const void *ctx, int64_t t, int64_t *next) {
    int64_t open;
    return team_rules_span(ctx, t, next, &open);
}

/* The rule of the policy's `agents` section that forbids an agent call at t
 * for priority x->prio, NULL when allowed; *next: the next instant worth
 * trying (the next team interval or local midnight of the team calendar).
 * From the pass's table of the rules per UTC minute when it has t. */
static const char *team_block(const ag_ctx *x, int64_t t, int64_t *next) {
    const char *rule;
    int32_t run;
    *next = t + 60;
    if (!team_holds(x)) return NULL;
    if (x->hours && fu__ah_team_block(&x->hours->team, t, &rule, next, &run)) return rule;
    return team_rules(x, t, next);
}

static int agent_limit(const ag_ctx *x, size_t a) {
    int l = x->A->v[a].calls_per_day;
    return l ? l : x->P->capacity.calls_per_agent_day_max;
}

static uint32_t *load_at(ag_ctx *x, size_t a, int64_t t) {
    int off = 0;
    fu_calendar_utc_offset(x->A->v[a].cal, t, &off);
    int64_t d = floordiv64(t + off, AG_DAY) - x->day0;
    if (d < 0 || (size_t)d >= x->ndays) return NULL;
    return &x->load[a * x->ndays + (size_t)d];
}

/* The agent's calls in the local hour of t (NULL outside the table). */
static uint16_t *hload_at(ag_ctx *x, size_t a, int64_t t) {
    int off = 0;
    fu_calendar_utc_offset(x->A->v[a].cal, t, &off);
    int64_t h = floordiv64(t + off, 3600) - x->day0 * 24;
    if (h < 0 || (size_t)h >= x->ndays * 24) return NULL;
    return &x->hload[a * x->ndays * 24 + (size_t)h];
}

static const char *team_block(const ag_ctx *x, int64_t t, int64_t *next);

/* Minutes of the agent's local day of t it may call a priority the
 * policy's `agents` rules hold (on shift and within the team hours, not at
 * lunch, counted in 5-minute steps); its shift minutes when the rules do
 * not hold x->prio. Cached per agent and day (review s7 F2). */
static int usable_min(ag_ctx *x, size_t a, int64_t t) {
    const fu__agent *g = &x->A->v[a];
    int m = fu_calendar_minute_of_week(g->cal, t), off = 0;
    int sm = m < 0 ? 0 : g->shift_min[m / 1440];
    if (sm <= 0 || ((x->P->agent_hours.exempt >> x->prio) & 1u)) return sm;
    fu_calendar_utc_offset(g->cal, t, &off);
    int64_t day = floordiv64(t + off, AG_DAY), d = day - x->day0, nx;
    int16_t *c = x->umin && d >= 0 && (size_t)d < x->ndays ? &x->umin[a * x->ndays + (size_t)d] : NULL;
    if (c && *c) return *c - 1;
    int n = 0;
    for (int64_t u = day * AG_DAY - off, e = u + AG_DAY; u < e; u += 300) {
        int um = fu_calendar_minute_of_week(g->cal, u);
        if (um >= 0 && fu_windows_contains(g->shift, um) == 1 && !team_block(x, u, &nx)) n += 5;
    }
    if (c) *c = (int16_t)(n + 1);
    return n;
}

/* Calls an agent takes in one hour: its day's calls spread over the minutes
 * of the day it may call (usable_min(): calls_per_day 20 on 8 hours within
 * the team hours: 3 an hour), at least one, so that a day's calls are not
 * all given at one instant (review s6, item 4) and calls_per_day is
 * reachable (review s7 F2). */
static int hour_limit(ag_ctx *x, size_t a, int64_t t) {
    int sm = usable_min(x, a, t); /* 0: the shift never meets the team hours, no call is placed */
    if (sm <= 0) return 1;
    long per = ((long)agent_limit(x, a) * 60 + sm - 1) / sm;
    return per < 1 ? 1 : per > 10000 ? 10000 : (int)per;
}

/* The agent has a call left in the hour of t. */
static int hour_free(ag_ctx *x, size_t a, int64_t t) {
    uint16_t *h = hload_at(x, a, t);
    return h && *h < hour_limit(x, a, t);
}

static int agent_fits(const ag_ctx *x, size_t a, const fu_touchpoint *t, const char *team) {
    const fu__agent *g = &x->A->v[a];
    if (team && strcmp(g->team, team) != 0) return 0;
    return !g->skills || (g->skills & (1u << t->channel));
}

/* On shift at t with a call left that day. */
static int agent_free(ag_ctx *x, size_t a, int64_t t) {
    const fu__agent *g = &x->A->v[a];
    int m = fu_calendar_minute_of_week(g->cal, t);
    if (m < 0 || fu_windows_contains(g->shift, m) != 1 || day_off(g, t)) return 0;
    uint32_t *l = load_at(x, a, t);
    return l && *l < (uint32_t)agent_limit(x, a) && hour_free(x, a, t);
}

/* The first instant >= t the agent is on shift on a day with a call left;
 * INT64_MAX when none within `limit`. */
static int64_t agent_next(ag_ctx *x, size_t a, int64_t t, int64_t limit) {
    const fu__agent *g = &x->A->v[a];
    for (int k = 0; k < 512 && t <= limit; k++) {
        uint32_t *l = load_at(x, a, t);
        int off = 0;
        fu_calendar_utc_offset(g->cal, t, &off);
        if (!l) return INT64_MAX;
        if (*l >= (uint32_t)agent_limit(x, a) || day_off(g, t)) { /* full or off: the next local midnight */
            if (!day_off(g, t)) x->full = 1;
            t = (floordiv64(t + off, AG_DAY) + 1) * AG_DAY - off;
            continue;
        }
        int m = fu_calendar_minute_of_week(g->cal, t), w;
        if (m < 0 || fu_windows_next_start(g->shift, m, &w)) return INT64_MAX;
        int wait = (w - m + 10080) % 10080;
        if (!wait && !hour_free(x, a, t)) { /* this hour's calls given: the next local hour */
            x->full = 1;
            t = (floordiv64(t + off, 3600) + 1) * 3600 - off;
            continue;
        }
        if (!wait) return t;
        int64_t c = t - (t % 60 + 60) % 60 + (int64_t)wait * 60;
        t = c; /* check the load of its day and hour */
    }
    if (t <= limit) x->out_of_steps = 1;
    return INT64_MAX;
}

/* Customer ci's zone calendar: the planner's zone of its `tz`, else (a
 * customer its events created) the policy calendar's zone, as planning
 * reads it (fu__pl_zone_get(); planning made the zones of the plan's rows). */
static int customer_cal(ag_ctx *x, size_t ci, const fu_calendar **out) {
    fu_customer cb;
    cb.tz = NULL;
    if (ci < fu_book_customer_count(x->book)) fu__book_customer_get(x->book, ci, &cb);
    const pl_zone *z;
    int rc = fu__pl_zone_get(x->pl, cb.tz && *cb.tz ? cb.tz : NULL, &z);
    if (rc) return rc;
    *out = z->cal;
    return FU_OK;
}

/* Not on a public holiday of the customer's zone (a policy calendar of its
 * zone or country, as placement reads them: "Time" 4 of docs/planner.md)
 * unless x->prio is named by quiet_hours.exempt or .on_holidays: the agents'
 * own holidays (agents.holidays, the team calendar's) are not the
 * customer's. */
static int customer_holiday(ag_ctx *x, const fu_customer *cb, int64_t t, int *ok) {
    if (x->hol_row1 != x->row + 1) { /* the zone whose holidays hold this row's contact, once a row */
        const fu__pol_agent_hours *h = &x->P->agent_hours;
        int rc = fu__pl_zone_get(x->pl, cb->tz, &x->hol_zone);
        if (rc) return rc;
        x->hol_row1 = x->row + 1;
        const pl_zone *z = x->hol_zone;
        if (((x->P->quiet_exempt | x->P->quiet_holidays) >> x->prio) & 1u || !z->hol || !z->hol->n_holidays)
            x->hol_zone = NULL;
        /* the team calendar's own holidays in its own zone: team_block() refused them already */
        else if (z->hol == h->calendar && !h->holidays && !((h->exempt >> x->prio) & 1u) &&
                 strcmp(z->tz ? z->tz : x->pl->bcal->tz, h->calendar->tz) == 0)
            x->hol_zone = NULL;
    }
    const pl_zone *z = x->hol_zone;
    int64_t day;
    if (!z) return FU_OK;
    int rc = fu__pl_local_day_of(z, t, &day);
    if (rc) return rc;
    if (fu__pl_is_holiday(z, day)) {
        int off = 0;
        if ((rc = fu_calendar_utc_offset(z->cal, t, &off))) return rc;
        *ok = 0;
        x->hol_held = z->hol_rule;
        x->ok_next = (day + 1) * DAY - off; /* the customer's next local day */
    }
    return FU_OK;
}

/* The plan rows of customer ci, [*lo, *hi) of x->crow: the rows in customer
 * order before the plan is sorted (fu__plan_team_hours(): x->contig, the
 * block around x->row), else an index built at the first use. */
static int customer_rows(ag_ctx *x, size_t ci, size_t *lo, size_t *hi) {
    size_t n;
    const fu_touchpoint *tp = fu__plan_rows(x->plan, &n);
    if (x->contig) {
        size_t a = x->row, b = x->row + 1;
        while (a > 0 && tp[a - 1].customer == ci) a--;
        while (b < n && tp[b].customer == ci) b++;
        return *lo = a, *hi = b, FU_OK;
    }
    if (!x->crow_off) {
        size_t nc = fu_book_customer_count(x->book);
        x->crow_off = fu__calloc(nc + 2, sizeof *x->crow_off);
        x->crow = fu__malloc((n ? n : 1) * sizeof *x->crow);
        if (!x->crow_off || !x->crow) return fu__error_nomem();
        for (size_t i = 0; i < n; i++) x->crow_off[tp[i].customer + 2]++;
        for (size_t c = 2; c < nc + 2; c++) x->crow_off[c] += x->crow_off[c - 1];
        for (size_t i = 0; i < n; i++) x->crow[x->crow_off[tp[i].customer + 1]++] = i;
    }
    return *lo = x->crow_off[ci], *hi = x->crow_off[ci + 1], FU_OK;
}

static size_t crow_at(const ag_ctx *x, size_t k) { return x->contig ? k : x->crow[k]; }

/* The customer's facts and history contacts into the planner's scratch, as
 * planning read them (fu__pl_gather(), fu__pl_collect()), once per customer. */
static int cap_load(ag_ctx *x, size_t ci) {
    if (x->cap_ci1 == ci + 1) return FU_OK;
    fu_planner *pl = x->pl;
    x->cap_ci1 = 0;
    int rc = fu__pl_customer_load(pl, x->book, ci, x->now, x->end, &x->cb, &x->cx);
    if (rc) return rc;
    x->nct_hist = pl->nct;
    x->nst_hist = pl->nst;
    x->cap_ci1 = ci + 1;
    return FU_OK;
}

/* The customer's history and its other contacts planned now (status
 * planned, at their best_at so far) as the caps count them: 1 when there is
 * any such contact, 0 when none (then a later instant than the one planning
 * checked breaks no cap: the history lies before it). */
static int cap_prepare(ag_ctx *x, const fu_touchpoint *t) {
    size_t lo = 0, hi = 0, n;
    int rc = customer_rows(x, t->customer, &lo, &hi), any = 0;
    if (rc) return rc;
    fu_touchpoint *tp = fu__plan_rows(x->plan, &n);
    for (size_t k = lo; k < hi && !any; k++) {
        size_t r = crow_at(x, k);
        any = r != x->row && tp[r].status == FU_TOUCHPOINT_PLANNED;
    }
    if (!any) return 0;
    if ((rc = cap_load(x, t->customer))) return rc;
    fu_planner *pl = x->pl;
    pl->nct = x->nct_hist;
    pl->nst = x->nst_hist;
    for (size_t k = lo; k < hi; k++) {
        size_t r = crow_at(x, k);
        if (r == x->row || tp[r].status != FU_TOUCHPOINT_PLANNED) continue;
        if (fu__pl_push_row_contact(pl, x->plan, r)) return FU_ENOMEM;
    }
    return 1;
}

/* Whether the caps (caps.min_gap, caps.limits, redial.attempts_per_day) let
 * the contact of row x->row be made at `at`: moved by the agent step, it must
 * keep them with the customer's other planned contacts as planning did
 * ("Caps" 6 of docs/planner.md). *ok 0, *retry and x->cap_held when not. */
static int cap_ok(ag_ctx *x, const fu_touchpoint *t, int64_t at, int *ok, int64_t *retry) {
    *ok = 1;
    if (x->cap_row1 != x->row + 1) {
        int rc = cap_prepare(x, t);
        if (rc < 0) return rc;
        x->cap_row1 = x->row + 1;
        x->cap_any = rc;
        x->cap_survey = rc && fu__pl_rule_is_survey(x->P, t->rule);
    }
    if (!x->cap_any) return FU_OK;
    pl_group g;
    memset(&g, 0, sizeof g);
    g.channel = (uint8_t)t->channel;
    g.priority = (uint8_t)t->priority;
    g.exempt = (uint8_t)prio_exempt(x->P, t->priority);
    g.redial_callback = (uint8_t)x->asked;
    if (x->plan->oid[x->row]) g.orders[g.norders++] = x->plan->oid[x->row];
    g.survey = (uint8_t)x->cap_survey;
    const char *rule = fu__pl_cap_check(x->pl, &x->cx, &g, at, retry);
    if (rule) *ok = 0, x->cap_held = rule;
    return FU_OK;
}

/* customer_ok() converting t itself, without x->hours: the reference. */
/* customer_ok()'s last steps, once the policy's allowed hours allow minute
 * m: the planner's bits of the customer's mask mk for x->prio (business
 * hours noted in x->biz_held), then the customer's holidays. */
static int mask_and_holidays_ok(ag_ctx *x, const pl_mask *mk, const fu_customer *cb, int m, int64_t t, int *ok) {
    *ok = bit_get(FU__PL_BITS_ASKED(x->pl, mk, x->prio, 0, x->asked), m);
    if (!*ok && bit_get(FU__PL_BITS_ASKED(x->pl, mk, x->prio, 0, 1), m)) x->biz_held = 1;
    return *ok ? customer_holiday(x, cb, t, ok) : FU_OK;
}

static int customer_ok_ref(ag_ctx *x, size_t ci, int64_t t, int *ok) {
    const fu_calendar *cal;
    x->ok_next = INT64_MIN;
    int rc = customer_cal(x, ci, &cal);
    if (rc) return rc;
    int m = fu_calendar_minute_of_week(cal, t);
    *ok = m >= 0 && (!x->P->quiet_allowed || fu_windows_contains(x->P->quiet_allowed, m) == 1);
    if (!*ok) return FU_OK;
    fu_customer cb;
    memset(&cb, 0, sizeof cb);
    if (ci < fu_book_customer_count(x->book)) fu__book_customer_get(x->book, ci, &cb);
    const pl_mask *mk;
    if ((rc = fu__pl_mask_get(x->pl, ci, &cb, &mk))) return rc;
    return mask_and_holidays_ok(x, mk, &cb, m, t, ok);
}

/* Customer ci's zone calendar, record and mask into x->hours (kept while
 * the next contacts are the same customer's). */
static int customer_get(ag_ctx *x, size_t ci) {
    ag_hours *H = x->hours;
    if (H->ci1 == ci + 1) return FU_OK;
    H->ci1 = 0;
    int rc = customer_cal(x, ci, &H->cal);
    if (rc) return rc;
    memset(&H->cb, 0, sizeof H->cb);
    if (ci < fu_book_customer_count(x->book)) fu__book_customer_get(x->book, ci, &H->cb);
    if ((rc = fu__pl_mask_get(x->pl, ci, &H->cb, &H->mk))) return rc;
    H->lo = 1, H->hi = 0; /* no regime yet */
    H->ci1 = ci + 1;
    return FU_OK;
}

/* fu_calendar_minute_of_week(H->cal, t), from the offset regime last used
 * when it holds t. */
static int customer_minute(ag_hours *H, int64_t t) {
    if (!(t >= H->lo && t < H->hi) && !fu__calendar_offset_span(H->cal, t, &H->off, &H->lo, &H->hi)) {
        H->lo = 1, H->hi = 0;
        return fu_calendar_minute_of_week(H->cal, t);
    }
    int64_t L = t + H->off, day = floordiv64(L, AG_DAY);
    int wd = (int)(((day % 7) + 7 + 3) % 7); /* 1970-01-01 was a Thursday; Monday 0 */
    return wd * 1440 + (int)((L - day * AG_DAY) / 60);
}

/* The customer may be contacted at t by a contact of x->prio: the policy's
 * allowed hours, and the instants the planner places such a contact in
 * (FU__PL_BITS(): do-not-disturb, and a business customer's business hours
 * unless the priority skips them or x->asked; review r2 H1). */
static int customer_ok(ag_ctx *x, size_t ci, int64_t t, int *ok) {
    ag_hours *H = x->hours;
    if (!H) return customer_ok_ref(x, ci, t, ok);
    x->ok_next = INT64_MIN;
    int rc = customer_get(x, ci);
    if (rc) return rc;
    int m = customer_minute(H, t);
    /* the mask's bits 4: the policy's allowed hours (quiet_hours.allowed) */
    *ok = m >= 0 && bit_get(H->mk->bits[4], m);
    if (!*ok) return FU_OK;
    return mask_and_holidays_ok(x, H->mk, &H->cb, m, t, ok);
}

static long find_agent(const fu__agent_set *A, const char *id) {
    if (!id || !*id) return -1;
    for (size_t i = 0; i < A->n; i++)
        if (strcmp(A->v[i].id, id) == 0) return (long)i;
    return -1;
}

static const char *team_of(const fu__agent_set *A, const char *owner) {
    if (!owner || !*owner) return NULL;
    for (size_t i = 0; i < A->n; i++)
        if (strcmp(A->v[i].team, owner) == 0) return owner;
    return NULL;
}

/* The least loaded fitting agent free at t (fewest calls that day, then in
 * the plan, then file order); -1 none. */
static long least_loaded(ag_ctx *x, const fu_touchpoint *t, const char *team, int64_t at) {
    long best = -1;
    uint32_t bl = 0;
    for (size_t a = 0; a < x->A->n; a++) {
        if (!agent_fits(x, a, t, team) || !agent_free(x, a, at)) continue;
        uint32_t l = *load_at(x, a, at);
        if (best < 0 || l < bl || (l == bl && x->total[a] < x->total[best])) best = (long)a, bl = l;
    }
    return best;
}

/* Owner per customer, capped at capacity.customers_per_vip_agent in book order. */
static int owners(ag_ctx *x) {
    size_t n = fu_book_customer_count(x->book);
    size_t *held = fu__calloc(x->A->n ? x->A->n : 1, sizeof *held);
    x->own = fu__malloc((n ? n : 1) * sizeof *x->own);
    if (!held || !x->own) return fu__free(held), fu__error_nomem();
    size_t cap = (size_t)x->P->capacity.customers_per_vip_agent;
    for (size_t i = 0; i < n; i++) {
        fu_customer cb;
        fu__book_customer_get(x->book, i, &cb);
        long a = find_agent(x->A, cb.owner);
        x->own[i] = a < 0 ? -1 : held[a] < cap ? (int32_t)a : (int32_t)(-2 - a);
        if (a >= 0) held[a]++;
    }
    fu__free(held);
    return FU_OK;
}

static int load_table(ag_ctx *x, fu_touchpoint *tp, size_t n) {
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (size_t i = 0; i < n; i++) {
        if (tp[i].status != FU_TOUCHPOINT_PLANNED) continue;
        if (tp[i].best_at < lo) lo = tp[i].best_at;
        int64_t end = tp[i].due_to > tp[i].best_at ? tp[i].due_to : tp[i].best_at;
        if (end > hi) hi = end;
    }
    if (lo > hi) return FU_OK;
    x->day0 = floordiv64(lo, AG_DAY) - 2;
    int64_t nd = floordiv64(hi, AG_DAY) + 3 + AG_LATE_DAYS - x->day0;
    x->ndays = (size_t)(nd > AG_MAX_DAYS ? AG_MAX_DAYS : nd);
    x->load = fu__calloc(x->A->n * x->ndays, sizeof *x->load);
    x->hload = fu__calloc(x->A->n * x->ndays * 24, sizeof *x->hload);
    x->total = fu__calloc(x->A->n, sizeof *x->total);
    x->pid = fu__calloc(x->A->n, sizeof *x->pid);
    x->umin = fu__calloc(x->A->n * x->ndays, sizeof *x->umin);
    return x->load && x->hload && x->total && x->umin && x->pid ? FU_OK : fu__error_nomem();
}

static int is_agent_ch(int ch) {
    return ch == FU_CHANNEL_PHONE || ch == FU_CHANNEL_VIDEO || ch == FU_CHANNEL_CHAT || ch == FU_CHANNEL_VISIT;
}

/* An instant c refused by the agents' rules or the customer's hours (`rule`
 * NULL) or by the customer's holidays or a cap (their rule): the last one
 * within the window names why the contact was made late. */
static void held_at(ag_ctx *x, int64_t c, const char *rule) {
    if (c <= x->due) x->held_last = rule;
}

/* The first instant in [from, limit] some fitting agent is free, the
 * policy's `agents` rules allow an agent call and the customer may be
 * contacted; INT64_MAX when none. */
static int next_slot(ag_ctx *x, const fu_touchpoint *t, const char *team, int64_t from, int64_t limit, int64_t *out) {
    *out = INT64_MAX;
    for (int step = 0; step < AG_MAX_STEPS && from <= limit; step++) {
        int64_t c = INT64_MAX, nx;
        for (size_t a = 0; a < x->A->n; a++) {
            if (!agent_fits(x, a, t, team)) continue;
            int64_t ca = agent_next(x, a, from, limit);
            if (ca < c) c = ca;
        }
        if (c > limit) return FU_OK;
        const char *b = team_block(x, c, &nx);
        if (b) {
            if (!x->why) x->why = b;
            held_at(x, c, NULL);
            from = nx > c ? nx : c + 60;
            continue;
        }
        int64_t retry = c + 60;
        int ok = 0, rc = customer_ok(x, t->customer, c, &ok), free = ok && least_loaded(x, t, team, c) >= 0;
        held_at(x, c, ok || x->ok_next == INT64_MIN ? NULL : x->hol_held);
        if (!rc && free && !(rc = cap_ok(x, t, c, &free, &retry)) && !free) held_at(x, c, x->cap_held);
        if (rc) return rc;
        if (free) return *out = c, FU_OK;
        from = !ok ? c + 15 * 60 : retry > c ? retry : c + 60;
        if (x->ok_next > from) from = x->ok_next;
    }
    if (from <= limit) x->out_of_steps = 1;
    return FU_OK;
}

/* The rule that kept a moved contact out of its window (`out`, or none
 * found) when the customer's holidays or a cap held the last instant of the
 * window an agent could take (held_at()): theirs (the holidays' a copy in
 * the plan: the zone's rule text is the planner's). */
static int held_rule(ag_ctx *x, int out, const char **why) {
    if (!out || !x->held_last) return FU_OK;
    if (x->held_last != x->hol_held) return *why = x->held_last, FU_OK;
    const char *r = fu__plan_strdup(x->plan, x->hol_held, strlen(x->hol_held));
    return r ? (*why = r, FU_OK) : fu__error_nomem();
}


/* The reason's note of what else held the moved contact back (the
 * customer's holidays, a cap), unless `why` names it already. */
static void held_note(ag_ctx *x, const char *why) {
    if (x->hol_held && strcmp(why, x->hol_held) != 0)
        fu__buf_printf(&x->buf, "; held back by the customer's holidays (%s)", x->hol_held);
    if (x->cap_held && strcmp(why, x->cap_held) != 0) fu__buf_printf(&x->buf, "; held back by %s", x->cap_held);
}

/* No instant within AG_LATE_DAYS after its window where an agent may call
 * and the customer may be contacted, for a reason other than capacity or a
 * search's step budget (the agents' hours never meet the customer's: a
 * company in New York under the team's Beijing hours). Every later run
 * would defer it again, so it is suppressed as unplaceable and counted
 * (review r3 L6). */
/* x->buf, what the agent step adds to the reason of row t. Named agents
 * (x->A): appended now. Else kept (one copy of each text) in the row's
 * agent field until the plan is done, when fu__pl_plan_notes() appends it,
 * after the capacity pass and the sort, whose scratch memory the longer
 * reasons then reuse (the plan's peak of memory). */
static int team_hours_note(ag_ctx *x, fu_touchpoint *t, size_t row) {
    if (x->buf.failed) return fu__error_nomem();
    if (x->A) {
        fu__buf b = {0};
        fu__buf_puts(&b, t->reason);
        fu__buf_append(&b, x->buf.data, x->buf.len);
        const char *r = b.failed ? NULL : fu__plan_strdup(x->plan, b.data, b.len);
        fu__buf_free(&b);
        if (!r) return fu__error_nomem();
        t->reason = r;
        return FU_OK;
    }
    const char *s = NULL;
    for (unsigned i = 0; i < x->nsfx && i < 8 && !s; i++)
        if (x->sfx_len[i] == x->buf.len && memcmp(x->sfx[i], x->buf.data, x->buf.len) == 0) s = x->sfx[i];
    if (!s) {
        s = fu__plan_strdup(x->plan, x->buf.data, x->buf.len);
        if (!s) return fu__error_nomem();
        x->sfx_len[x->nsfx % 8] = x->buf.len;
        x->sfx[x->nsfx++ % 8] = s;
    }
    t->agent = s; /* the agent is named after planning: "" again then */
    fu__plan_flags(x->plan)[row] |= PL_TP_NOTE;
    return FU_OK;
}

static int unplaceable(ag_ctx *x, fu_touchpoint *t, size_t row, const char *why) {
    x->buf.len = 0;
    fu__buf_printf(&x->buf,
                   "; unplaceable, suppressed by %s: no agent may call within the window or %d days after it "
                   "where the customer may be contacted (the agents' hours never meet the customer's)",
                   why, AG_LATE_DAYS);
    int rc = team_hours_note(x, t, row);
    if (rc) return rc;
    t->status = FU_TOUCHPOINT_SUPPRESSED;
    t->status_rule = why;
    fu__plan_flags(x->plan)[row] |= PL_TP_UNPLACEABLE;
    return FU_OK;
}

static int cmp_size(const void *a, const void *b) {
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

/* fu_plan_stats.unplaceable and unplaceable_customers from the rows' flags. */
static int count_unplaceable(fu_plan *plan) {
    size_t n, k = 0;
    const fu_touchpoint *tp = fu__plan_rows(plan, &n);
    const uint8_t *fl = fu__plan_flags(plan);
    for (size_t i = 0; i < n; i++) k += (fl[i] & PL_TP_UNPLACEABLE) != 0;
    plan->stats.unplaceable = k;
    plan->stats.unplaceable_customers = 0;
    if (!k) return FU_OK;
    size_t *c = fu__malloc(k * sizeof *c), m = 0;
    if (!c) return fu__error_nomem();
    for (size_t i = 0; i < n; i++)
        if (fl[i] & PL_TP_UNPLACEABLE) c[m++] = tp[i].customer;
    qsort(c, m, sizeof *c, cmp_size);
    for (size_t i = 0; i < m; i++) plan->stats.unplaceable_customers += !i || c[i] != c[i - 1];
    fu__free(c);
    return FU_OK;
}

/* No agent may take t at its best instant: the first later instant of its
 * window one may, else the first after it (late), either after the horizon
 * (later); with none within AG_LATE_DAYS past the window, deferred, or
 * unplaceable when no search met a full agent nor ran out of steps. */
static int place_moved(ag_ctx *x, fu_touchpoint *t, size_t row, const char *team, int64_t *at, int *moved) {
    /* already late (holidays): from its first allowed instant, keeping the holidays' rule (review s7 F15) */
    int late = *at > t->due_to;
    int64_t late_from = late ? *at : t->due_to + 1;
    x->full = x->out_of_steps = 0;
    int rc = next_slot(x, t, team, *at + 60, t->due_to, at);
    int full = x->full; /* capacity, not the rules, kept it out of its window (review s7 F2) */
    if (!rc && *at == INT64_MAX)
        rc = next_slot(x, t, team, late_from, t->due_to + (int64_t)AG_LATE_DAYS * AG_DAY, at);
    if (rc) return rc;
    /* unplaceable only when neither search met capacity nor gave up at its
     * step budget: agents full after the window, or a contact already late,
     * are deferred as before (review s10 H2) */
    int refused = x->full || x->out_of_steps;
    /* business hours with no agent free in them: the customer's calendar (review r2 H1) */
    const char *rule = full           ? "agents.calls_per_day"
                       : x->biz_held  ? "calendars.hours"
                       : x->why       ? x->why
                                      : "agents.shift";
    if (!full && (rc = held_rule(x, *at > t->due_to, &rule))) return rc;
    if (*at == INT64_MAX && !refused && !x->cap_held) return *moved = 1, unplaceable(x, t, row, rule);
    /* deferred because the agents were full after the window, not in it */
    if (*at == INT64_MAX && x->full && !full && !x->cap_held) rule = "agents.calls_per_day";
    if (*at > t->due_to && !late) t->status_rule = rule;
    if (*at == INT64_MAX) return t->status = FU_TOUCHPOINT_DEFERRED, t->status_rule = rule, *moved = 1, FU_OK;
    if (*at >= x->end) /* after the horizon: a later run names its agent */
        return t->status = FU_TOUCHPOINT_LATER, t->status_rule = rule, t->best_at = *at, *moved = 1, FU_OK;
    return FU_OK;
}

/* The model's k best hours for t's customer from `from` to the end of its
 * local day, within the window and the horizon, ranked as the planner ranked
 * them for best_at (preferred windows first, then posterior mean, then time);
 * *ns 0 when that span is empty. */
static int bt_rank(ag_ctx *x, const fu_touchpoint *t, int64_t from, size_t k, fu_besttime_slot *sl, size_t *ns) {
    const fu_calendar *cal;
    int off = 0, rc = customer_cal(x, t->customer, &cal);
    *ns = 0;
    if (rc) return rc;
    if (fu_calendar_utc_offset(cal, from, &off)) return fu_error_clear(), FU_OK;
    int64_t to = (floordiv64(from + off, AG_DAY) + 1) * AG_DAY - off;
    /* urgent: the hour it was given, no later hour of the day (audit s9 D7) */
    if (t->priority == FU_PRIORITY_URGENT) to = (floordiv64(from + off, 3600) + 1) * 3600 - off;
    if (to > t->due_to + 1) to = t->due_to + 1;
    if (to > x->end) to = x->end;
    if (to <= from) return FU_OK;
    fu_besttime_query_options qo = FU_BESTTIME_QUERY_OPTIONS_INIT;
    qo.flags = FU_BESTTIME_NO_INTERVAL;
    qo.now = x->now;
    unsigned flags = t->priority == FU_PRIORITY_URGENT ? FU_BESTTIME_URGENT : 0u;
    return fu_besttime_best(x->bt, t->customer, from, to, t->channel, flags, k, &qo, sl, ns);
}

/* Best time on, no agent free at t's best instant: the best hour of the
 * model (bt_rank()) that has an agent free, so that the overflow of a
 * popular hour goes to the customer's next best hour, not to the next hour
 * some agent is free (bench/BENCHMARKS.md, besttime). 1 and *at when found;
 * 0 when none (the caller moves it to the first free instant). */
static int place_best(ag_ctx *x, const fu_touchpoint *t, const char *team, int64_t *at) {
    enum { K = 24 };
    fu_besttime_slot sl[K];
    size_t ns = 0;
    int rc = bt_rank(x, t, *at, K, sl, &ns);
    for (size_t i = 0; i < ns && !rc; i++) {
        int64_t c, from = sl[i].at > *at ? sl[i].at : *at;
        if ((rc = next_slot(x, t, team, from, sl[i].until - 1, &c))) return rc;
        if (c != INT64_MAX) return *at = c, 1;
    }
    return rc;
}

static int assign_reason(ag_ctx *x, fu_touchpoint *t, long a, long pref, const char *why, int32_t own, int64_t at) {
    x->buf.len = 0;
    fu__buf_puts(&x->buf, t->reason);
    fu__buf_printf(&x->buf, "; agent %s", x->A->v[a].id);
    if (a == pref) fu__buf_printf(&x->buf, " (%s)", why);
    else if (own <= -2)
        fu__buf_printf(&x->buf, " (owner %s already has capacity.customers_per_vip_agent = %d customers)",
                       x->A->v[-2 - own].id, x->P->capacity.customers_per_vip_agent);
    else if (pref >= 0)
        fu__buf_printf(&x->buf, " (%s %s off shift, off duty or at calls_per_day)", why, x->A->v[pref].id);
    else fu__buf_puts(&x->buf, " (least loaded on shift)");
    if (at > t->due_to && t->best_at <= t->due_to)
        fu__buf_printf(&x->buf, "; late: no agent %s within the window (%s), made at the first instant one may",
                       strcmp(t->status_rule, "agents.calls_per_day") ? "may call" : "has a call left",
                       t->status_rule);
    else if (at != t->best_at && x->bt_moved)
        fu__buf_puts(&x->buf, "; moved to the customer's best hour with an agent free (besttime, agents.shift)");
    else if (at != t->best_at)
        fu__buf_printf(&x->buf, "; moved to the first instant an agent may call (agents.shift%s%s)", x->why ? ", " : "",
                       x->why ? x->why : "");
    if (at != t->best_at) held_note(x, t->status_rule);
    if (x->buf.failed) return fu__error_nomem();
    const char *r = fu__plan_strdup(x->plan, x->buf.data, x->buf.len);
    if (!r) return fu__error_nomem();
    t->reason = r;
    return FU_OK;
}

/* One planned agent contact (plan row `row`): pick its agent, maybe move or defer it. */
static int assign_one(ag_ctx *x, fu_touchpoint *t, size_t row, int *moved) {
    const char *team = team_of(x->A, t->owner);
    long pref = find_agent(x->A, t->owner), a = -1;
    const char *why = "promise owner";
    int32_t own = x->own[t->customer];
    int64_t at = t->best_at, nx;
    x->prio = t->priority;
    x->asked = (fu__plan_flags(x->plan)[row] & PL_TP_ASKED) != 0;
    x->biz_held = 0;
    x->row = row;
    x->hol_held = x->cap_held = x->held_last = NULL;
    x->due = t->due_to;
    int to_want = 0; /* the hour the day's assignment gave it, when an agent may call then */
    if (x->want_from && x->want_from[row] != INT64_MIN && x->want_from[row] != at) {
        int64_t c;
        int rc = next_slot(x, t, team, x->want_from[row], x->want_to[row] - 1, &c);
        if (rc) return rc;
        if (c != INT64_MAX) at = c, to_want = 1;
    }
    const char *blocked = team_block(x, at, &nx);
    if (pref < 0 && own >= 0) pref = own, why = "customer's owner";
    if (pref >= 0 && agent_fits(x, (size_t)pref, t, team) && agent_free(x, (size_t)pref, at)) a = pref;
    if (a < 0) a = least_loaded(x, t, team, at);
    /* the policy's rule is named when it, not the shifts, held the call back */
    x->why = a >= 0 ? blocked : NULL;
    if (blocked) a = -1;
    x->bt_moved = to_want && a >= 0;
    if (a < 0) {
        int rc = x->bt && at < x->end ? place_best(x, t, team, &at) : 0;
        if (rc < 0) return rc;
        x->bt_moved = rc;
        if (!rc && ((rc = place_moved(x, t, row, team, &at, moved)) || t->status != FU_TOUCHPOINT_PLANNED)) return rc;
        a = pref >= 0 && agent_fits(x, (size_t)pref, t, team) && agent_free(x, (size_t)pref, at)
                ? pref : least_loaded(x, t, team, at);
    }
    int rc = assign_reason(x, t, a, pref, why, own, at);
    if (rc) return rc;
    if (at != t->best_at) {
        t->best_at = at;
        *moved = 1;
    }
    if (!x->pid[a] && !(x->pid[a] = fu__plan_strdup(x->plan, x->A->v[a].id, strlen(x->A->v[a].id))))
        return fu__error_nomem();
    t->agent = x->pid[a];
    (*load_at(x, (size_t)a, at))++;
    (*hload_at(x, (size_t)a, at))++;
    x->total[a]++;
    return FU_OK;
}

typedef struct ag_order {
    size_t row;
    int prio;
    double loss; /* answer probability lost by moving to the second best hour */
} ag_order;

static int cmp_order(const void *a, const void *b) {
    const ag_order *x = a, *y = b;
    if (x->prio != y->prio) return x->prio < y->prio ? -1 : 1;
    if (x->loss != y->loss) return x->loss > y->loss ? -1 : 1;
    return (x->row > y->row) - (x->row < y->row);
}

/* Best time on: the order in which the agent contacts take their hours,
 * priority first, then those that lose the most by moving from their best
 * hour to their second best (a sharp best hour, or none other that day),
 * then plan order. *out NULL (plan order) without a model. */
static int bt_order(ag_ctx *x, fu_touchpoint *tp, size_t n, ag_order **out, size_t *nout) {
    *out = NULL;
    *nout = 0;
    if (!x->bt) return FU_OK;
    ag_order *o = fu__malloc((n ? n : 1) * sizeof *o);
    if (!o) return fu__error_nomem();
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (tp[i].status != FU_TOUCHPOINT_PLANNED || !is_agent_ch(tp[i].channel)) continue;
        fu_besttime_slot sl[2];
        size_t ns = 0;
        int rc = tp[i].best_at < x->end ? bt_rank(x, &tp[i], tp[i].best_at, 2, sl, &ns) : FU_OK;
        if (rc) return fu__free(o), rc;
        o[m].row = i;
        o[m].prio = tp[i].priority;
        o[m].loss = ns < 2 ? 1.0 : sl[0].p - sl[1].p;
        m++;
    }
    qsort(o, m, sizeof *o, cmp_order);
    *out = o;
    *nout = m;
    return FU_OK;
}

/* ---- the day's hours as a transportation problem ----
 * Best time on: the planned agent contacts are given hours so that the sum of
 * the model's answer probabilities is the largest the agents' hourly limits
 * allow (docs/planner.md, "Who makes the call", item 6). A contact may take
 * the model's hours from its best instant to the end of its local day (as
 * place_best() does: never earlier, so no cap or window the planner checked
 * at best_at is broken); an hour holds the calls its agents have left in it.
 * Solved exactly by successive shortest paths (each contact added in the
 * bt_order() order keeps the assignment of the contacts so far optimal), the
 * paths running over the few hour nodes through the contacts that would move;
 * holding an hour is worth 1 + 2 (3 - priority) more than any probability, so
 * a contact never loses its hour to one of lower priority (one for one). */
#define AG_FLOW_MAX 2048 /* contacts assigned this way per plan; more: the greedy order alone */
#define AG_FLOW_K 24

typedef struct ag_cand {
    int64_t at, until; /* the model's hour for the contact: first instant, end */
    double p;          /* its answer probability there */
    int32_t b;         /* its node: UTC hour - h0 */
} ag_cand;

typedef struct ag_flow {
    size_t n;          /* contacts, in the bt_order() order */
    ag_cand *cand;     /* n x AG_FLOW_K */
    uint8_t *nc;       /* candidates per contact */
    int16_t *in;       /* the candidate it holds, -1 none */
    double *w;         /* the worth of holding any hour */
    int64_t h0;        /* first UTC hour */
    size_t nb;         /* hour nodes; node nb: no hour */
    int32_t *cap;      /* calls left per hour node */
    double *dist;
    int32_t *pj, *pk;  /* path: the contact that moves into a node and its candidate; pj -1: the new one */
} ag_flow;

/* Calls the agents have left in UTC hour h (each agent's hourly limit less
 * what it holds, on shift with calls left that day). */
static int32_t hour_capacity(ag_ctx *x, int64_t h) {
    int32_t c = 0;
    for (size_t a = 0; a < x->A->n; a++) {
        int64_t t = agent_next(x, a, h * 3600, h * 3600 + 3599);
        uint16_t *l = t == INT64_MAX ? NULL : hload_at(x, a, t);
        if (l && *l < hour_limit(x, a, t)) c += hour_limit(x, a, t) - *l;
    }
    return c;
}

/* Shortest paths from contact i over the hour nodes and the node "no hour"
 * (Bellman-Ford: the costs of moving a contact are negative or positive, the
 * assignment so far is optimal so no cycle is negative). Cost of contact j on
 * its candidate k: -(w_j + p_jk); without an hour: 0. An edge b -> b' is a
 * contact of b that may take b' (b' = no hour: it gives its hour up; b = no
 * hour: a contact without one takes b'). */
static void flow_paths(ag_flow *f, size_t i) {
    for (size_t b = 0; b <= f->nb; b++) f->dist[b] = INFINITY, f->pj[b] = -2;
    for (int k = 0; k < f->nc[i]; k++) {
        const ag_cand *c = &f->cand[i * AG_FLOW_K + (size_t)k];
        double d = -(f->w[i] + c->p);
        if (d < f->dist[c->b]) f->dist[c->b] = d, f->pj[c->b] = -1, f->pk[c->b] = k;
    }
    for (size_t round = 0, changed = 1; changed && round <= f->nb + 1; round++) {
        changed = 0;
        for (size_t j = 0; j < i; j++) {
            const ag_cand *cj = &f->cand[j * AG_FLOW_K], *cur = f->in[j] < 0 ? NULL : &cj[f->in[j]];
            size_t bj = cur ? (size_t)cur->b : f->nb; /* a contact without an hour may take one */
            double dj = f->dist[bj], held = cur ? f->w[j] + cur->p : 0.0;
            if (dj == INFINITY) continue;
            for (int k = 0; k <= f->nc[j]; k++) { /* k == nc: j gives its hour up */
                size_t b = k < f->nc[j] ? (size_t)cj[k].b : f->nb;
                double d = dj + held - (k < f->nc[j] ? f->w[j] + cj[k].p : 0.0);
                if (b == bj || d >= f->dist[b] - 1e-12) continue;
                f->dist[b] = d, f->pj[b] = (int32_t)j, f->pk[b] = k;
                changed = 1;
            }
        }
    }
}

/* Add contact i: the cheapest of leaving it without an hour, an hour with a
 * call left, or an hour whose contacts move along a path (one loses its hour). */
static void flow_add(ag_flow *f, size_t i) {
    f->in[i] = -1;
    flow_paths(f, i);
    double best = 0;
    size_t to = SIZE_MAX;
    for (size_t b = 0; b <= f->nb; b++)
        if ((b == f->nb || f->cap[b] > 0) && f->dist[b] < best - 1e-12) best = f->dist[b], to = b;
    if (to == SIZE_MAX) return;
    if (to < f->nb) f->cap[to]--;
    for (size_t b = to, steps = 0; steps <= f->nb + 1; steps++) {
        int32_t j = f->pj[b], k = f->pk[b];
        if (j == -1) {
            f->in[i] = (int16_t)k;
            return;
        }
        size_t from = f->in[j] < 0 ? f->nb : (size_t)f->cand[(size_t)j * AG_FLOW_K + (size_t)f->in[j]].b;
        f->in[j] = k < f->nc[j] ? (int16_t)k : -1;
        b = from;
    }
}

static void flow_free(ag_flow *f) { FU_FREE_ALL(f->cand, f->nc, f->in, f->w, f->cap, f->dist, f->pj, f->pk); }

/* The candidates of every ordered contact (the model's hours from its best
 * instant to the end of its local day) and the hour nodes they span. */
static int flow_candidates(ag_ctx *x, const fu_touchpoint *tp, const ag_order *ord, ag_flow *f) {
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    fu_besttime_slot sl[AG_FLOW_K];
    for (size_t i = 0; i < f->n; i++) {
        const fu_touchpoint *t = &tp[ord[i].row];
        size_t ns = 0;
        int rc = t->best_at < x->end ? bt_rank(x, t, t->best_at, AG_FLOW_K, sl, &ns) : FU_OK;
        if (rc) return rc;
        f->nc[i] = (uint8_t)ns;
        f->w[i] = 1.0 + 2.0 * (3 - (ord[i].prio < 0 ? 0 : ord[i].prio > 3 ? 3 : ord[i].prio));
        for (size_t k = 0; k < ns; k++) {
            ag_cand *c = &f->cand[i * AG_FLOW_K + k];
            c->at = sl[k].at > t->best_at ? sl[k].at : t->best_at;
            c->until = sl[k].until;
            c->p = isfinite(sl[k].p) ? sl[k].p : 0.0;
            int64_t h = floordiv64(c->at, 3600);
            if (h < lo) lo = h;
            if (h > hi) hi = h;
        }
    }
    if (lo > hi) return f->nb = 0, FU_OK;
    if (hi - lo > 24 * 400) return f->nb = 0, FU_OK; /* a span no plan has: the greedy order */
    f->h0 = lo;
    f->nb = (size_t)(hi - lo + 1);
    for (size_t i = 0; i < f->n; i++)
        for (int k = 0; k < f->nc[i]; k++) {
            ag_cand *c = &f->cand[i * AG_FLOW_K + (size_t)k];
            c->b = (int32_t)(floordiv64(c->at, 3600) - lo);
        }
    return FU_OK;
}

/* Best time on: the hour of every ordered contact (x->want_from / want_to),
 * from the assignment above; nothing with more than AG_FLOW_MAX contacts. */
static int assign_hours(ag_ctx *x, const fu_touchpoint *tp, size_t n, const ag_order *ord, size_t nord) {
    if (!x->bt || !nord || nord > AG_FLOW_MAX) return FU_OK;
    ag_flow f;
    memset(&f, 0, sizeof f);
    f.n = nord;
    f.cand = fu__malloc(nord * AG_FLOW_K * sizeof *f.cand);
    f.nc = fu__calloc(nord, sizeof *f.nc);
    f.in = fu__malloc(nord * sizeof *f.in);
    f.w = fu__malloc(nord * sizeof *f.w);
    int rc = f.cand && f.nc && f.in && f.w ? flow_candidates(x, tp, ord, &f) : fu__error_nomem();
    if (!rc && f.nb) {
        f.cap = fu__malloc(f.nb * sizeof *f.cap);
        f.dist = fu__malloc((f.nb + 1) * sizeof *f.dist);
        f.pj = fu__malloc((f.nb + 1) * sizeof *f.pj);
        f.pk = fu__malloc((f.nb + 1) * sizeof *f.pk);
        x->want_from = fu__malloc(n * sizeof *x->want_from);
        x->want_to = fu__malloc(n * sizeof *x->want_to);
        if (!f.cap || !f.dist || !f.pj || !f.pk || !x->want_from || !x->want_to) rc = fu__error_nomem();
    }
    if (!rc && f.nb) {
        for (size_t b = 0; b < f.nb; b++) f.cap[b] = hour_capacity(x, f.h0 + (int64_t)b);
        for (size_t i = 0; i < nord; i++) flow_add(&f, i);
        for (size_t r = 0; r < n; r++) x->want_from[r] = INT64_MIN;
        for (size_t i = 0; i < nord; i++) {
            if (f.in[i] < 0) continue;
            const ag_cand *c = &f.cand[i * AG_FLOW_K + (size_t)f.in[i]];
            x->want_from[ord[i].row] = c->at;
            x->want_to[ord[i].row] = c->until;
        }
    }
    flow_free(&f);
    return rc;
}

/* Minutes of the agent's local day of t the policy's `agents` rules allow
 * a call of x->prio (an agent on shift all day). */
static int team_min(const ag_ctx *x, size_t a, int64_t t) {
    const fu__agent *g = &x->A->v[a];
    int off = 0, n = 0;
    int64_t nx;
    fu_calendar_utc_offset(g->cal, t, &off);
    for (int64_t u = floordiv64(t + off, AG_DAY) * AG_DAY - off, e = u + AG_DAY; u < e; u += 300)
        n += team_block(x, u, &nx) ? 0 : 5;
    return n;
}

/* Agents whose shift meets the team hours, on a day of the week from now,
 * for fewer minutes than their calls_per_day take at the policy's pace
 * (capacity.calls_per_agent_day.max calls in the team's day): an agents CSV
 * without `tz` read in UTC against team hours in Beijing time (review s7
 * F16). For fu_planner_short_agents(). */
static void short_agents(ag_ctx *x, fu__agent_set *A, int64_t now) {
    const fu__pol_agent_hours *h = &x->P->agent_hours;
    int max = x->P->capacity.calls_per_agent_day_max;
    x->prio = FU_PRIORITY_LOW + 1;
    for (int p = FU_PRIORITY_LOW; p >= FU_PRIORITY_URGENT; p--)
        if (!((h->exempt >> p) & 1u)) x->prio = p;
    /* it depends on now only through each agent's local day: the plans of a
     * day (the simulation's feeds, a dialer's re-plans) reuse the first's */
    int same = A->short_done;
    for (size_t a = 0; a < A->n; a++) {
        int off = 0;
        fu_calendar_utc_offset(A->v[a].cal, now, &off);
        int64_t day = floordiv64(now + off, AG_DAY);
        same &= day == A->v[a].short_day;
        A->v[a].short_day = day;
    }
    if (same) return;
    A->short_done = 1;
    A->n_short = 0;
    A->short_first = NULL;
    if (x->prio > FU_PRIORITY_LOW || !h->calendar || !h->team_hours || !h->calendar->has_hours || max <= 0) return;
    for (size_t a = 0; a < A->n; a++)
        for (int k = 0; k < 7; k++) {
            int64_t t = now + k * AG_DAY;
            int m = fu_calendar_minute_of_week(A->v[a].cal, t);
            if (m < 0 || !A->v[a].shift_min[m / 1440]) continue;
            int team = team_min(x, a, t), use = usable_min(x, a, t);
            int need = (int)(((long)agent_limit(x, a) * team + max - 1) / max);
            if (use >= need) continue;
            if (!A->n_short++) A->short_first = A->v[a].id, A->short_min = use, A->short_need = need;
            break;
        }
}

/* ---------------------------------------------------------------- the hot checks' caches */

static int ag_caches = 1; /* fu__plan_agent_caches() */

void fu__plan_agent_caches(int on) { ag_caches = on; }

/* x->hours ready for a pass (H: the caller's, freed by hours_free()); NULL
 * when the caches are off (fu__plan_agent_caches()). */
static void hours_init(ag_ctx *x, ag_hours *H) {
    memset(H, 0, sizeof *H);
    const fu__pol_calendar *pc = x->P->agent_hours.calendar;
    fu__ah_team_init(&H->team, pc ? pc->cal : NULL, team_rules, x);
    H->lo = 1, H->hi = 0;
    x->hours = ag_caches ? H : NULL;
}

/* rc, or FU_ENOMEM when a cache could not allocate (the pass answered
 * without it, but an allocation failed: reported as everywhere). */
static int hours_rc(const ag_hours *H, int rc) {
    return !rc && (H->team.nomem || H->steps.nomem || H->meet.nomem) ? fu__error_nomem() : rc;
}

static void hours_free(ag_hours *H) {
    fu__ah_team_free(&H->team);
    fu__ah_steps_free(&H->steps);
    fu__ah_meet_free(&H->meet);
}

/* ---------------------------------------------------------------- agents as a number */

/* The 15-minute steps j = 1, 2, ... after `from` (where the team allows
 * the call and customer_ok() refused the customer) that team_next() would
 * find the same as `from` (the team allows, the customer refused) and that
 * it may take (at most `limit`, within `cap` steps): from + 15 min * J for
 * the first J it must check itself, *step counting the J - 1 skipped.
 * Sure only within the team's allowed minutes of the table, one offset
 * regime of the customer's zone and the customer's refused minutes (mask
 * step tables); sets x->biz_held as customer_ok() would on them. */
static int64_t refused_skip(ag_ctx *x, int64_t from, int64_t limit, int cap, int *step) {
    ag_hours *H = x->hours;
    int64_t J = cap - *step, jl = (limit - from) / 900 + 1;
    if (jl < J) J = jl;
    if (J <= 1 || !H || !(from >= H->lo && from < H->hi)) return from + 900;
    const char *rule;
    int64_t nx, jr = (H->hi - from + 899) / 900; /* the first step in the next regime */
    int32_t run;
    if (jr < J) J = jr;
    if (team_holds(x)) {
        if (!fu__ah_team_block(&H->team, from, &rule, &nx, &run) || rule) return from + 900;
        if ((run + 14) / 15 < J) J = (run + 14) / 15; /* the first step past the team's allowed run */
    }
    const uint64_t *ok = FU__PL_BITS_ASKED(x->pl, H->mk, x->prio, 0, x->asked);
    const uint64_t *seen = FU__PL_BITS_ASKED(x->pl, H->mk, x->prio, 0, 1);
    const uint8_t *to_ok, *to_seen;
    if (J <= 1 || !fu__ah_steps_get(&H->steps, H->mk, (int)((ok - H->mk->bits[0]) / MASK_WORDS),
                                    (int)((seen - H->mk->bits[0]) / MASK_WORDS), ok, H->mk->bits[4], seen, &to_ok,
                                    &to_seen))
        return from + 900;
    int m1 = (customer_minute(H, from) + 15) % FU_MINUTES_PER_WEEK;
    if (1 + to_ok[m1] < J) J = 1 + to_ok[m1];
    if (1 + to_seen[m1] < J) x->biz_held = 1; /* a skipped step refused for business hours alone */
    *step += (int)(J - 1);
    return from + 900 * J;
}

/* *meet: whether the team's allowed minutes in the UTC days of [from,
 * limit] meet those customer ci may be contacted in by x->prio (bit 1), or
 * those it could be but for business hours (bit 2; fu__ah_meet_days()); -1
 * when it cannot tell. */
static int team_meets(ag_ctx *x, size_t ci, int64_t from, int64_t limit, int *meet) {
    ag_hours *H = x->hours;
    *meet = -1;
    if (!H || !team_holds(x)) return FU_OK;
    int rc = customer_get(x, ci);
    if (rc) return rc == FU_ENOMEM ? rc : (fu_error_clear(), FU_OK); /* else customer_ok() reports it when it asks */
    const uint64_t *ok = FU__PL_BITS_ASKED(x->pl, H->mk, x->prio, 0, x->asked);
    const uint64_t *seen = FU__PL_BITS_ASKED(x->pl, H->mk, x->prio, 0, 1);
    *meet = fu__ah_meet_days(&H->meet, &H->team, H->cal, H->mk, (int)((ok - H->mk->bits[0]) / MASK_WORDS),
                             (int)((seen - H->mk->bits[0]) / MASK_WORDS), ok, H->mk->bits[4], seen, from, limit);
    return FU_OK;
}

/* team_meets() without the caches (off, full, or days out of their
 * tables): from the team's rules and the customer's mask themselves. */
static int team_meets_ref(ag_ctx *x, size_t ci, int64_t from, int64_t limit, int *meet) {
    *meet = -1;
    if (!team_holds(x)) return FU_OK;
    const fu_calendar *cal;
    const pl_mask *mk;
    fu_customer cb;
    memset(&cb, 0, sizeof cb);
    int rc = customer_cal(x, ci, &cal);
    if (!rc && ci < fu_book_customer_count(x->book)) fu__book_customer_get(x->book, ci, &cb);
    if (!rc) rc = fu__pl_mask_get(x->pl, ci, &cb, &mk);
    if (rc) return rc == FU_ENOMEM ? rc : (fu_error_clear(), FU_OK); /* else customer_ok() reported it */
    const uint64_t *ok = FU__PL_BITS_ASKED(x->pl, mk, x->prio, 0, x->asked);
    const uint64_t *seen = FU__PL_BITS_ASKED(x->pl, mk, x->prio, 0, 1);
    *meet = fu__ah_meet_ref(team_rules_span, x, x->P->agent_hours.calendar->cal, cal, ok, mk->bits[4], seen, from,
                            limit);
    return FU_OK;
}

/* The search below, out of steps: done when the team's and the customer's
 * hours never meet in [from, limit] and the rule and business hours are
 * noted (what it stops at when the caches tell it early: the same answer
 * with and without them, not deferred at the budget; review s10 hR2 L2);
 * else x->out_of_steps. */
static int team_out_of_steps(ag_ctx *x, const fu_touchpoint *t, int64_t from, int64_t limit, int meet) {
    int rc = meet < 0 && x->why ? team_meets_ref(x, t->customer, from, limit, &meet) : FU_OK;
    if (rc) return rc;
    if (!(meet >= 0 && !(meet & 1) && x->why && (x->biz_held || !(meet & 2)))) x->out_of_steps = 1;
    return FU_OK;
}

/* The first instant in [from, limit] the policy's `agents` rules allow an
 * agent call of x->prio and the customer may be contacted; INT64_MAX when
 * none (x->why: the rule that held it back). */
static int team_next(ag_ctx *x, const fu_touchpoint *t, int64_t from, int64_t limit, int64_t *out) {
    *out = INT64_MAX;
    enum { BUDGET = 4 * AG_MAX_STEPS };
    int meet, rc0 = team_meets(x, t->customer, from, limit, &meet);
    int64_t from0 = from;
    if (rc0) return rc0;
    for (int step = 0; step < BUDGET && from <= limit; step++) {
        /* none to find, the rule and business hours noted: the rest changes nothing (the customer's
         * holidays and the caps are checked only at a minute both hours allow, held_at() would note NULL) */
        if (meet >= 0 && !(meet & 1) && x->why && (x->biz_held || !(meet & 2))) return FU_OK;
        int64_t nx;
        const char *b = team_block(x, from, &nx);
        if (b) {
            if (!x->why) x->why = b;
            held_at(x, from, NULL);
            from = nx > from ? nx : from + 60;
            continue;
        }
        int64_t retry = from + 15 * 60;
        int ok = 0, rc = customer_ok(x, t->customer, from, &ok);
        int by_hours = !ok && x->ok_next == INT64_MIN; /* refused by the customer's minutes, not a holiday */
        held_at(x, from, ok || x->ok_next == INT64_MIN ? NULL : x->hol_held);
        if (!rc && ok && !(rc = cap_ok(x, t, from, &ok, &retry)) && !ok) held_at(x, from, x->cap_held);
        if (rc) return rc;
        if (ok) return *out = from, FU_OK;
        if (by_hours) { /* skip the 15-minute steps refused alike: from + 15 min, or further */
            from = refused_skip(x, from, limit, BUDGET, &step);
            continue;
        }
        from = retry > from ? retry : from + 60;
        if (x->ok_next > from) from = x->ok_next;
    }
    return from <= limit ? team_out_of_steps(x, t, from0, limit, meet) : FU_OK;
}

/* One planned agent contact the `agents` rules forbid at its best_at: to the
 * first instant of its window they allow (and the customer may be
 * contacted), else the first after it (late, up to AG_LATE_DAYS), later
 * after the horizon, deferred with none. */
static int team_move(ag_ctx *x, fu_touchpoint *t, size_t row) {
    int64_t nx, at;
    x->prio = t->priority;
    x->why = NULL;
    x->asked = (fu__plan_flags(x->plan)[row] & PL_TP_ASKED) != 0;
    x->biz_held = 0;
    x->row = row;
    x->hol_held = x->cap_held = x->held_last = NULL;
    x->due = t->due_to;
    x->out_of_steps = 0;
    if (!team_block(x, t->best_at, &nx)) return FU_OK;
    int late = t->best_at > t->due_to; /* already late (holidays, quiet hours): from there */
    int rc = late ? FU_OK : team_next(x, t, t->best_at, t->due_to, &at);
    if (!rc && (late || at == INT64_MAX)) {
        int64_t from = late ? t->best_at : t->due_to + 1;
        rc = team_next(x, t, from, from + (int64_t)AG_LATE_DAYS * AG_DAY, &at);
    }
    if (rc) return rc;
    const char *why = x->why ? x->why : "agents.team_hours";
    /* no team hour in the customer's business hours */
    if (x->biz_held && (at == INT64_MAX || at > t->due_to)) why = "calendars.hours";
    if ((rc = held_rule(x, at > t->due_to, &why))) return rc;
    if (at == INT64_MAX && !x->cap_held && !x->out_of_steps) return unplaceable(x, t, row, why);
    x->buf.len = 0;
    if (at <= t->due_to) fu__buf_printf(&x->buf, "; moved to the first instant an agent may call (%s)", why);
    else if (at != INT64_MAX)
        fu__buf_printf(&x->buf, "; late: no agent may call within the window (%s), made at the first instant one may",
                       why);
    else
        fu__buf_printf(&x->buf, "; deferred: no agent may call within the window or %d days after it (%s)",
                       AG_LATE_DAYS, why);
    held_note(x, why);
    if ((rc = team_hours_note(x, t, row))) return rc;
    if (at > t->due_to && !late) t->status_rule = why;
    if (at == INT64_MAX) return t->status = FU_TOUCHPOINT_DEFERRED, t->status_rule = why, FU_OK;
    if (at >= x->end) t->status = FU_TOUCHPOINT_LATER, t->status_rule = why;
    t->best_at = at;
    return FU_OK;
}

int fu__plan_team_hours(fu_planner *pl, fu_plan *plan, int64_t now, int64_t end) {
    const fu__agent_set *A = *fu__planner_agents(pl);
    if ((!pl->opt.agents && !(pl->opt.flags & FU_PLANNER_CAPACITY_PASS)) || (A && A->n)) return FU_OK;
    ag_ctx x;
    memset(&x, 0, sizeof x);
    x.pl = pl;
    x.P = fu__planner_policy(pl);
    x.book = fu__plan_book(plan);
    x.plan = plan;
    x.end = end;
    x.now = now;
    x.contig = 1; /* not sorted yet: a customer's rows are together */
    ag_hours H;
    hours_init(&x, &H);
    size_t n;
    fu_touchpoint *tp = fu__plan_rows(plan, &n);
    int rc = FU_OK;
    for (size_t i = 0; i < n && !rc; i++)
        if (tp[i].status == FU_TOUCHPOINT_PLANNED && is_agent_ch(tp[i].channel)) rc = team_move(&x, &tp[i], i);
    rc = hours_rc(&H, rc);
    if (!rc) rc = count_unplaceable(plan);
    hours_free(&H);
    fu__buf_free(&x.buf);
    return rc;
}

size_t fu__planner_agent_count(fu_planner *pl) {
    const fu__agent_set *A = *fu__planner_agents(pl);
    return A ? A->n : 0;
}

int fu__pl_contact_by_team(const fu_planner *pl, const fu_event *e, const char *team) {
    const fu__agent_set *A = *fu__planner_agents((fu_planner *)pl);
    if (!team || !A || !A->n || !e->agent_id) return 1;
    const char *id = fu__pl_pl_str(pl, e->agent_id);
    long a = id ? find_agent(A, id) : -1;
    return a < 0 || strcmp(A->v[a].team ? A->v[a].team : "", team) == 0;
}

int fu_planner_short_agents(const fu_planner *pl, size_t *count, const char **first, int *minutes, int *need) {
    if (!pl || !count)
        return fu__error_set(FU_EINVAL, "fu_planner_short_agents: %s is NULL", !pl ? "planner" : "count");
    const fu__agent_set *A = *fu__planner_agents((fu_planner *)pl);
    *count = A ? A->n_short : 0;
    if (first) *first = *count ? A->short_first : NULL;
    if (minutes) *minutes = *count ? A->short_min : 0;
    if (need) *need = *count ? A->short_need : 0;
    return FU_OK;
}

int fu__plan_assign_agents(fu_planner *pl, fu_plan *plan, int64_t now, int64_t end) {
    const fu__agent_set *A = *fu__planner_agents(pl);
    if (!A || !A->n) return FU_OK;
    ag_ctx x;
    memset(&x, 0, sizeof x);
    x.A = A;
    x.pl = pl;
    x.P = fu__planner_policy(pl);
    x.book = fu__plan_book(plan);
    x.plan = plan;
    x.end = end;
    x.now = now;
    x.bt = pl->opt.score ? NULL : pl->bt;
    ag_hours H;
    hours_init(&x, &H);
    size_t n;
    fu_touchpoint *tp = fu__plan_rows(plan, &n);
    int rc = owners(&x), moved = 0;
    if (!rc) rc = load_table(&x, tp, n);
    if (!rc) short_agents(&x, *fu__planner_agents(pl), now);
    ag_order *ord = NULL;
    size_t nord = 0;
    if (!rc) rc = bt_order(&x, tp, n, &ord, &nord);
    if (!rc) rc = assign_hours(&x, tp, n, ord, nord);
    /* the contacts the assignment gave an hour first, so that the others do not take it */
    for (int pass = x.want_from ? 0 : 1; pass < 2 && !rc; pass++)
        for (size_t i = 0; i < nord && !rc; i++)
            if ((x.want_from && x.want_from[ord[i].row] != INT64_MIN) == !pass)
                rc = assign_one(&x, &tp[ord[i].row], ord[i].row, &moved);
    for (size_t i = 0; i < n && !rc && !ord; i++)
        if (tp[i].status == FU_TOUCHPOINT_PLANNED && is_agent_ch(tp[i].channel))
            rc = assign_one(&x, &tp[i], i, &moved);
    fu__free(ord);
    rc = hours_rc(&H, rc);
    if (!rc && moved) rc = fu__plan_resort(plan);
    if (!rc && moved) rc = count_unplaceable(plan);
    hours_free(&H);
    FU_FREE_ALL(x.own, x.load, x.hload, x.total, x.want_from, x.want_to, x.umin, x.crow_off, x.crow, x.pid);
    fu__buf_free(&x.buf);
    return rc;
}

/* Customer ci as planning reads it (plan_one() in lib/planner.c): its facts
 * into *cb, its zone and history contacts into *cx and the planner's
 * scratch (fu__pl_gather(), fu__pl_collect()), for [now, end); book is the
 * one the planner plans (its plan's). FU_OK or an error of those. Used by
 * the agent step and the capacity rollover. */
int fu__pl_customer_load(fu_planner *pl, const fu_book *book, size_t ci, int64_t now, int64_t end, fu_customer *cb, pl_cust *cx) {
    size_t n;
    memset(cx, 0, sizeof *cx);
    fu__book_customer_get(book, ci, cb);
    cx->index = ci;
    cx->c = cb;
    cx->now = now;
    cx->end = end;
    int rc = fu__pl_zone_get(pl, cb->tz, &cx->zone);
    if (!rc) rc = fu__pl_gather(pl, ci, now, &n);
    if (!rc) rc = fu__pl_collect(pl, cx, n);
    return rc;
}
