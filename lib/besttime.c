/* fu_besttime: answer propensity by local hour of week (Beta-Binomial
 * empirical Bayes with decayed evidence) and the contact constraints.
 * docs/besttime.md describes the model and the prior fit with formulas. */
#include "besttime_internal.h"
#include "calendar_internal.h"
#include "book_decode.h"
#include "stats_internal.h"

#include <float.h>
#include <stddef.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define BT_NONE UINT32_MAX
#define BT_HORIZON (400 * 86400LL) /* longest search window */
#define BT_SEARCH (35 * 86400LL)   /* how far the next allowed instant is looked for */
#define BT_MAX_ZONES 65535u
#define BT_FIT_TIME_DEFAULT 0

/* Rule names that are not policy rules. */
static const char RULE_CONSENT_PHONE[] = "customer.consent_phone";
static const char RULE_CONSENT_SMS[] = "customer.consent_sms";
static const char RULE_CONSENT_EMAIL[] = "customer.consent_email";
static const char RULE_QUIET[] = "quiet_hours.allowed";
static const char RULE_DND[] = "customer.dnd_windows";
static const char RULE_PREF[] = "customer.preferred_windows";

/* ================================================================ Beta */

/* The Beta distribution is fu_stats' (lib/stats.c); these two public names
 * remain for the bindings (deprecated: fu_stats_beta_cdf / _quantile). */

int fu_besttime_beta_cdf(double x, double a, double b, double *out) { return fu_stats_beta_cdf(x, a, b, out); }

int fu_besttime_beta_quantile(double q, double a, double b, double *out) {
    return fu_stats_beta_quantile(q, a, b, out);
}

/* ================================================================ random */

/* splitmix64 (Steele, Lea & Flood 2014): small, fast, and seeds well. */
typedef struct bt_rng {
    uint64_t s;
} bt_rng;

static uint64_t bt_rng_next(bt_rng *r) {
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Uniform on (0, 1): never 0, never 1. */
static double bt_rng_uniform(bt_rng *r) {
    return ((double)(bt_rng_next(r) >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

static double bt_rng_normal(bt_rng *r) {
    /* Marsaglia's polar method; the second deviate is dropped (stateless). */
    for (;;) {
        double u = 2.0 * bt_rng_uniform(r) - 1.0, v = 2.0 * bt_rng_uniform(r) - 1.0;
        double s = u * u + v * v;
        if (s > 0.0 && s < 1.0) return u * sqrt(-2.0 * log(s) / s);
    }
}

/* Gamma(shape, 1), Marsaglia & Tsang (2000); shape < 1 through
 * Gamma(a) = Gamma(a + 1) U^(1/a). */
static double bt_rng_gamma(bt_rng *r, double shape) {
    double boost = 1.0;
    if (shape < 1.0) {
        boost = pow(bt_rng_uniform(r), 1.0 / shape);
        shape += 1.0;
    }
    double d = shape - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d);
    for (;;) {
        double x = bt_rng_normal(r), v = 1.0 + c * x;
        if (v <= 0.0) continue;
        v = v * v * v;
        double u = bt_rng_uniform(r);
        if (log(u) < 0.5 * x * x + d - d * v + d * log(v)) return boost * d * v;
    }
}

static double bt_rng_beta(bt_rng *r, double a, double b) {
    double x = bt_rng_gamma(r, a), y = bt_rng_gamma(r, b);
    double s = x + y;
    return s > 0.0 ? x / s : a / (a + b);
}

/* ================================================================ model */

static int bit(const uint8_t *mask, int h) { return (mask[h >> 3] >> (h & 7)) & 1; }

/* ---- options: a struct that grows (docs/api.md, "Structs that grow") */

/* Where the fields of version v of fu_besttime_options end (*end: what is
 * written) and the size of that version's struct (the end rounded up to the
 * struct's alignment: what a program built against it has). */
#define BT_OPT_END(f) (offsetof(fu_besttime_options, f) + sizeof(((fu_besttime_options *)0)->f))
static size_t bt_options_size(unsigned int v, size_t *end) {
    const size_t align = _Alignof(fu_besttime_options);
    *end = v <= 1 ? BT_OPT_END(share_hour) : v == 2 ? BT_OPT_END(b2b) : v == 3 ? BT_OPT_END(propensity)
                                                                          : BT_OPT_END(types);
    return (*end + align - 1) / align * align;
}
_Static_assert(FU_BESTTIME_OPTIONS_VERSION == 4, "a new version of fu_besttime_options: add it to bt_options_size");

void fu_besttime_options_init_sized(fu_besttime_options *opts, size_t size) {
    static const fu_besttime_options defaults = FU_BESTTIME_OPTIONS_INIT;
    unsigned int v = FU_BESTTIME_OPTIONS_VERSION;
    size_t end = 0;
    if (!opts) return;
    while (v >= 1 && bt_options_size(v, &end) > size) v--;
    if (v < 1) return;
    memcpy(opts, &defaults, end); /* the fields of version v, no byte after them */
    opts->version = v;
}

/* The exported name keeps forever what it did at the last release
 * (24841ea): the fields of version 4, version = 4, as programs built against
 * that header (and FFI callers) expect; they set b2b, propensity and types
 * after it (review s10 M1). The header maps the name to the sized call.
 * Frozen: a version 5 must not change this. */
#define BT_OPTIONS_RELEASED_VERSION 4u
void(fu_besttime_options_init)(fu_besttime_options *opts) {
    size_t end;
    fu_besttime_options_init_sized(opts, bt_options_size(BT_OPTIONS_RELEASED_VERSION, &end));
}

FU_DEFINE_INIT(fu_besttime_query_options_init, fu_besttime_query_options, FU_BESTTIME_QUERY_OPTIONS_INIT)

/* ---- pointer-keyed hash map used while building (interned book strings) */

typedef struct bt_map {
    const void **keys;
    uint32_t *vals;
    size_t cap; /* power of two */
    size_t n;
} bt_map;

static size_t bt_hash_ptr(const void *p) {
    uint64_t x = (uint64_t)(uintptr_t)p;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    return (size_t)x;
}

static void bt_map_free(bt_map *mp) {
    fu__free(mp->keys);
    fu__free(mp->vals);
    memset(mp, 0, sizeof *mp);
}

/* Find `key`; *found = 1 and the value, or the slot to insert at. */
static size_t bt_map_slot(const bt_map *mp, const void *key, int *found) {
    size_t i = bt_hash_ptr(key) & (mp->cap - 1);
    while (mp->keys[i]) {
        if (mp->keys[i] == key) {
            *found = 1;
            return i;
        }
        i = (i + 1) & (mp->cap - 1);
    }
    *found = 0;
    return i;
}

static int bt_map_grow(bt_map *mp) {
    if (mp->cap && (mp->n + 1) * 2 <= mp->cap) return FU_OK;
    size_t ncap = mp->cap ? mp->cap * 2 : 64;
    const void **nk = fu__calloc(ncap, sizeof *nk);
    uint32_t *nv = fu__calloc(ncap, sizeof *nv);
    if (!nk || !nv) {
        fu__free(nk);
        fu__free(nv);
        return fu__error_nomem();
    }
    bt_map old = *mp;
    mp->keys = nk;
    mp->vals = nv;
    mp->cap = ncap;
    for (size_t i = 0; i < old.cap; i++) {
        if (!old.keys[i]) continue;
        int f;
        size_t j = bt_map_slot(mp, old.keys[i], &f);
        mp->keys[j] = old.keys[i];
        mp->vals[j] = old.vals[i];
    }
    fu__free(old.keys);
    fu__free(old.vals);
    return FU_OK;
}

/* The zone index of time-zone text `tz` (interned), creating the calendar. */
/* Look `key` up in `mp` (grown first so that an insert at *slot fits):
 * 1 and *val when present, 0 when not (*slot is where it goes), or an error. */
static int bt_map_find(bt_map *mp, const void *key, size_t *slot, uint32_t *val) {
    int rc = bt_map_grow(mp);
    if (rc) return rc;
    int found;
    *slot = bt_map_slot(mp, key, &found);
    if (found) *val = mp->vals[*slot];
    return found ? 1 : 0;
}

static int bt_zone_of(fu_besttime *m, bt_map *mp, const char *tz, uint16_t *out) {
    size_t i;
    uint32_t v = 0;
    int rc = bt_map_find(mp, tz, &i, &v);
    if (rc) {
        if (rc == 1) *out = (uint16_t)v;
        return rc < 0 ? rc : FU_OK;
    }
    if (m->n_zones >= BT_MAX_ZONES)
        return fu__error_set(FU_ELIMIT, "more than %u distinct time zones", BT_MAX_ZONES);
    bt_zone *nz = fu__realloc(m->zones, (m->n_zones + 1) * sizeof *nz);
    if (!nz) return fu__error_nomem();
    m->zones = nz;
    bt_zone z;
    memset(&z, 0, sizeof z);
    z.tz = fu__strdup(tz);
    if (!z.tz) return fu__error_nomem();
    rc = fu_calendar_new(&z.cal, tz);
    if (rc) {
        fu__free(z.tz);
        return rc;
    }
    m->zones[m->n_zones] = z;
    mp->keys[i] = tz;
    mp->vals[i] = (uint32_t)m->n_zones;
    mp->n++;
    *out = (uint16_t)m->n_zones++;
    return FU_OK;
}

static int bt_win_of(fu_besttime *m, bt_map *mp, const char *text, uint32_t *out) {
    size_t i;
    int rc = bt_map_find(mp, text, &i, out);
    if (rc) return rc < 0 ? rc : FU_OK;
    if (m->n_wins >= UINT32_MAX - 1) return fu__error_set(FU_ELIMIT, "too many distinct windows");
    bt_win *nw = fu__realloc(m->wins, (m->n_wins + 1) * sizeof *nw);
    if (!nw) return fu__error_nomem();
    m->wins = nw;
    bt_win w;
    memset(&w, 0, sizeof w);
    rc = fu_windows_parse(text, strlen(text), &w.w);
    if (rc) return rc;
    fu_windows_hour_mask(w.w, 0, w.full);
    fu_windows_hour_mask(w.w, FU_WINDOWS_HOUR_ANY, w.any);
    m->wins[m->n_wins] = w;
    mp->keys[i] = text;
    mp->vals[i] = (uint32_t)m->n_wins;
    mp->n++;
    *out = (uint32_t)m->n_wins++;
    return FU_OK;
}

static void bt_free_cells(fu_besttime *m) {
    if (!m->cust) return;
    for (size_t i = 0; i < m->n_cust; i++)
        if (m->cust[i].cap_cells) fu__free(m->cust[i].cells);
}

void fu_besttime_free(fu_besttime *m) {
    if (!m) return;
    bt_free_cells(m);
    fu__free(m->cust);
    fu__free(m->pool);
    for (size_t i = 0; i < m->n_zones; i++) {
        fu__free(m->zones[i].tz);
        fu_calendar_free(m->zones[i].cal);
        fu_calendar_free(m->zones[i].biz_owned);
    }
    fu__free(m->zones);
    for (size_t i = 0; i < m->n_wins; i++) fu_windows_free(m->wins[i].w);
    FU_FREE_ALL(m->wins, m->id_hash, m->alpha, m->beta, m->rule_biz_hours, m->rule_biz_holidays, m->supp, m->mix_lp,
                m->mix_m, m);
}

static int bt_dur_seconds(const fu_duration *d, int64_t *out) {
    if (d->unit == FU_DURATION_SECONDS) *out = d->value;
    else if (d->unit == FU_DURATION_MONTHS) *out = d->value * 2629746; /* mean Gregorian month */
    else return fu__error_set(FU_EPOLICY, "besttime: durations must be wall time");
    return FU_OK;
}

static int bt_resolve_options(fu_besttime *m, const fu_besttime_options *o) {
    const fu__pol_besttime *pb = &m->pol->besttime;
    int64_t slot = o->slot_seconds, hl = o->half_life_seconds;
    int rc;
    if (o->version < 1 || o->version > FU_BESTTIME_OPTIONS_VERSION)
        return fu__error_set(FU_EINVAL, "unknown fu_besttime_options version %u", o->version);
    if (o->flags & ~FU_BESTTIME_EXPLICIT_CONSENT)
        return fu__error_set(FU_EINVAL, "unknown fu_besttime_options flags 0x%x", o->flags);
    if (slot == 0 && (rc = bt_dur_seconds(&pb->slot, &slot))) return rc;
    if (slot <= 0 || slot % 3600 != 0 || 604800 % slot != 0)
        return fu__error_set(FU_EINVAL,
                             "slot must be a whole number of hours dividing a week (got %lld s)",
                             (long long)slot);
    if (hl == 0 && (rc = bt_dur_seconds(&pb->half_life, &hl))) return rc;
    m->hours_per_slot = (int)(slot / 3600);
    m->n_slots = FU_HOURS_PER_WEEK / m->hours_per_slot;
    m->inv_half_life = hl > 0 ? 1.0 / (double)hl : 0.0;
    m->prior_strength = o->prior_strength >= 0 ? o->prior_strength : pb->prior_strength;
    m->prior_rate = o->prior_answer_rate >= 0 ? o->prior_answer_rate : pb->prior_answer_rate;
    if (!(m->prior_rate >= 0.0 && m->prior_rate <= 1.0) || !isfinite(m->prior_strength))
        return fu__error_set(FU_EINVAL, "prior_answer_rate must be in [0,1], prior_strength finite");
    m->smoothing = o->slot_smoothing >= 0 ? o->slot_smoothing : 10.0;
    m->min_strength = o->min_strength > 0 ? o->min_strength : 1.0;
    m->max_strength = o->max_strength > 0 ? o->max_strength : 1000.0;
    if (m->min_strength > m->max_strength || !isfinite(m->max_strength))
        return fu__error_set(FU_EINVAL, "min_strength must not exceed max_strength");
    m->min_customers = o->min_customers ? o->min_customers : 10;
    m->share_day = o->share_day >= 0 ? o->share_day : 0.5;
    m->share_hour = o->share_hour >= 0 ? o->share_hour : 0.25;
    if (m->share_day > 1 || m->share_hour > 1)
        return fu__error_set(FU_EINVAL, "share_day and share_hour must be in [0,1]");
    m->slots_per_day = 24 % m->hours_per_slot == 0 ? 24 / m->hours_per_slot : 0;
    if (o->prior_method != FU_BESTTIME_PRIOR_MOMENTS && o->prior_method != FU_BESTTIME_PRIOR_FIXED)
        return fu__error_set(FU_EINVAL, "unknown prior method %d", (int)o->prior_method);
    m->method = o->prior_method;
    m->flags = o->flags;
    /* `b2b` came with version 2; version-1 callers get the old rule */
    m->b2b_by = o->version >= 2 ? o->b2b : FU_BESTTIME_B2B_DEFAULT;
    m->propensity = o->version >= 3 ? o->propensity != 0 : 1;
    if (m->b2b_by & ~FU_BESTTIME_B2B_DEFAULT)
        return fu__error_set(FU_EINVAL, "unknown fu_besttime_options.b2b bits 0x%x", m->b2b_by);
    int types = o->version >= 4 && o->types >= 0 ? o->types : pb->model == 1 ? (pb->types ? pb->types : 4) : 0;
    if (types == 1 || types > FU__BT_MIX_K)
        return fu__error_set(FU_EINVAL, "types must be 0 (per-slot model) or 2..%d (got %d)", FU__BT_MIX_K, types);
    if (types && !m->slots_per_day)
        return fu__error_set(FU_EINVAL, "the mixture of hour profiles needs slots that divide a day (got %d h)",
                             m->hours_per_slot);
    m->mix_k = types;
    m->mix_p = 2 * m->slots_per_day;
    return FU_OK;
}

static int bt_outcome_success(int outcome) {
    switch (outcome) {
    case FU_OUTCOME_ANSWERED:
    case FU_OUTCOME_CALLBACK_REQUESTED: return 1; /* reached: the hour works */
    case FU_OUTCOME_NO_ANSWER:
    case FU_OUTCOME_REFUSED:
    case FU_OUTCOME_VOICEMAIL:
    case FU_OUTCOME_BUSY:
    case FU_OUTCOME_WRONG_NUMBER: return 0;
    default: return -1;
    }
}

/* Whether a month-end suppression applies to a customer (only `is_smb` and
 * `industry` are judged here; rules with other conditions are left to the
 * planner). */
static int bt_supp_matches(const fu__pol_suppression *s, const fu_customer *c) {
    const fu__pol_when *w = &s->when;
    if (w->tiers || w->product_classes || w->lifecycles || w->rfm_groups || w->severities.n ||
        w->risks.n || w->min_tenure.set)
        return 0;
    if (w->is_smb == 1 && c->is_smb != FU_TRI_YES) return 0;
    if (w->is_smb == 0 && c->is_smb != FU_TRI_NO) return 0;
    if (w->industries.n) {
        if (!c->industry) return 0;
        size_t i;
        for (i = 0; i < w->industries.n; i++)
            if (strcmp(w->industries.v[i], c->industry) == 0) break;
        if (i == w->industries.n) return 0;
    }
    return 1;
}

static int bt_setup_policy(fu_besttime *m, const char *b2b_calendar) {
    const fu__policy *t = m->pol;
    m->quiet = t->quiet_allowed;
    if (m->quiet) {
        fu_windows_hour_mask(m->quiet, 0, m->quiet_full);
        fu_windows_hour_mask(m->quiet, FU_WINDOWS_HOUR_ANY, m->quiet_any);
    } else {
        memset(m->quiet_full, 0xff, sizeof m->quiet_full);
        memset(m->quiet_any, 0xff, sizeof m->quiet_any);
    }
    if (b2b_calendar && *b2b_calendar) {
        for (size_t i = 0; i < t->n_calendars; i++)
            if (strcmp(t->calendars[i].name, b2b_calendar) == 0) m->biz = &t->calendars[i];
        if (!m->biz) return fu__error_set(FU_ENOTFOUND, "no calendar '%s' in the policy", b2b_calendar);
    } else {
        m->biz = t->calendar;
    }
    if (m->biz) {
        fu__buf b = FU__BUF_INIT;
        fu__buf_printf(&b, "calendars.%s.hours", m->biz->name);
        if (b.failed) {
            fu__buf_free(&b);
            return fu__error_nomem();
        }
        m->rule_biz_hours = fu__buf_detach(&b);
        fu__buf_printf(&b, "calendars.%s.holidays", m->biz->name);
        if (b.failed) {
            fu__buf_free(&b);
            return fu__error_nomem();
        }
        m->rule_biz_holidays = fu__buf_detach(&b);
    }
    size_t n = 0;
    for (size_t i = 0; i < t->n_suppressions; i++)
        if (t->suppressions[i].kind == FU__SUPP_MONTH_END) n++;
    if (n) {
        m->supp = fu__calloc(n, sizeof *m->supp);
        if (!m->supp) return fu__error_nomem();
        for (size_t i = 0; i < t->n_suppressions; i++)
            if (t->suppressions[i].kind == FU__SUPP_MONTH_END) m->supp[m->n_supp++] = &t->suppressions[i];
    }
    return FU_OK;
}

/* The business calendar of zone z's B2B customers: the policy calendar in
 * its own zone; in another zone of its country (PRC, Asia/Urumqi for cn) a
 * copy in that zone's local time with its holidays and make-up days; in any
 * other zone its weekly hours in that zone's local time, without its holidays
 * and make-up days (dates of another country). */
static int bt_zone_biz(fu_besttime *m, bt_zone *z) {
    if (z->biz) return FU_OK;
    int home = 0, rc = fu__calendar_rules_in_zone(m->biz->cal, z->tz, &z->biz_owned, &home);
    if (rc == FU_OK) z->biz = z->biz_owned ? z->biz_owned : m->biz->cal;
    z->biz_home = (uint8_t)home;
    return rc;
}

static int bt_is_b2b(const fu_besttime *m, const fu_customer *c) {
    if ((m->b2b_by & FU_BESTTIME_B2B_INDUSTRY) && c->industry && *c->industry) return 1;
    if ((m->b2b_by & FU_BESTTIME_B2B_SMB) && c->is_smb == FU_TRI_YES) return 1;
    return 0;
}

/* Read customers: zones, windows, consent, B2B, month-end rule. */
static int bt_read_customers(fu_besttime *m, const fu_book *book, const uint32_t *segment) {
    bt_map zmap = {0}, wmap = {0};
    int rc = FU_OK;
    const fu__pol_calendar *defcal = m->pol->calendar;
    for (size_t i = 0; i < m->n_cust && !rc; i++) {
        fu_customer cbuf;
        fu__book_customer_get(book, i, &cbuf);
        const fu_customer *c = &cbuf;
        bt_cust *bc = &m->cust[i];
        bc->t_ref = FU_BOOK_NO_TIME;
        bc->seg = segment ? segment[i] : 0;
        bc->pref = bc->dnd = BT_NONE;
        bc->month_end = -1;
        m->id_hash[i] = fu__bt_id_hash(c->id, strlen(c->id));
        const char *tz = c->tz ? c->tz : (defcal ? defcal->tz : "UTC");
        rc = bt_zone_of(m, &zmap, tz, &bc->zone);
        if (!rc && c->preferred_windows && *c->preferred_windows)
            rc = bt_win_of(m, &wmap, c->preferred_windows, &bc->pref);
        if (!rc && c->dnd_windows && *c->dnd_windows) rc = bt_win_of(m, &wmap, c->dnd_windows, &bc->dnd);
        bc->consent[0] = (uint8_t)c->consent_phone;
        bc->consent[1] = (uint8_t)c->consent_sms;
        bc->consent[2] = (uint8_t)c->consent_email;
        bc->b2b = m->biz && bt_is_b2b(m, c);
        if (!rc && bc->b2b) rc = bt_zone_biz(m, &m->zones[bc->zone]);
        for (size_t s = 0; s < m->n_supp; s++) {
            if (bt_supp_matches(m->supp[s], c)) {
                bc->month_end = (int16_t)s;
                break;
            }
        }
        if (rc) fu__error_prefix("customer %zu", i);
    }
    bt_map_free(&zmap);
    bt_map_free(&wmap);
    return rc;
}

/* Read the contact events into each customer's cells (decayed to the
 * customer's last contact). Each customer's events are decoded in turn into
 * one small buffer, once per pass (lib/book_decode.h): decoding the whole
 * book first would cost 56 bytes an event of memory beside the planner. */
static int bt_read_events(fu_besttime *m, const fu_book *book, unsigned int channels) {
    const size_t *off = fu_book_event_offsets(book);
    if (!off) return fu__error_set(FU_ESTATE, "the book is not finalized (call fu_book_finalize)");
    size_t n_ev = off[m->n_cust];
    if (n_ev == 0) return FU_OK;
    uint8_t *slot_of = fu__malloc(n_ev);
    if (!slot_of) return fu__error_nomem();
    fu__evbuf buf = {NULL, 0};
    const fu_event *ev;
    size_t cn;
    int rc = FU_OK;
    size_t total = 0;
    uint8_t seen[FU_HOURS_PER_WEEK];
    for (size_t c = 0; c < m->n_cust && rc == FU_OK; c++) {
        if ((rc = FU_CANCEL_POLL(c, 1024))) break;
        if (off[c + 1] == off[c]) continue;
        if ((rc = fu__book_customer_decode(book, c, &buf, &ev, &cn))) break;
        const fu_calendar *cal = m->zones[m->cust[c].zone].cal;
        uint8_t *slot = slot_of + off[c];
        size_t distinct = 0;
        memset(seen, 0, (size_t)m->n_slots);
        for (size_t e = 0; e < cn; e++) {
            slot[e] = 0xff;
            if (ev[e].kind != FU_EVENT_CONTACT || bt_outcome_success(ev[e].outcome) < 0) continue;
            if (!((channels >> ev[e].channel) & 1u)) continue;
            int how = fu_calendar_hour_of_week(cal, ev[e].at);
            if (how < 0) continue; /* outside years 1..9999: not evidence */
            int k = how / m->hours_per_slot;
            slot[e] = (uint8_t)k;
            if (!seen[k]) {
                seen[k] = 1;
                distinct++;
            }
        }
        total += distinct;
    }
    if (rc == FU_OK && total && !(m->pool = fu__calloc(total, sizeof *m->pool))) rc = fu__error_nomem();
    bt_cell *next = m->pool;
    double s[FU_HOURS_PER_WEEK], n[FU_HOURS_PER_WEEK], w2[FU_HOURS_PER_WEEK];
    for (size_t c = 0; c < m->n_cust && rc == FU_OK && total; c++) {
        const uint8_t *slot = slot_of + off[c];
        size_t len = off[c + 1] - off[c], last = len;
        while (last > 0 && slot[last - 1] == 0xff) last--; /* events are in time order */
        if (last == 0) continue;
        if ((rc = fu__book_customer_decode(book, c, &buf, &ev, &cn))) break;
        int64_t t_ref = ev[last - 1].at;
        memset(s, 0, sizeof(double) * (size_t)m->n_slots);
        memset(n, 0, sizeof(double) * (size_t)m->n_slots);
        memset(w2, 0, sizeof(double) * (size_t)m->n_slots);
        memset(seen, 0, (size_t)m->n_slots);
        for (size_t e = 0; e < cn; e++) {
            if (slot[e] == 0xff) continue;
            double w = bt_decay(m, t_ref - ev[e].at);
            n[slot[e]] += w;
            w2[slot[e]] += w * w;
            if (bt_outcome_success(ev[e].outcome) == 1) s[slot[e]] += w;
            seen[slot[e]] = 1;
        }
        bt_cust *bc = &m->cust[c];
        bc->t_ref = t_ref;
        bc->cells = next;
        for (int k = 0; k < m->n_slots; k++) {
            if (!seen[k]) continue;
            next->slot = (uint16_t)k;
            next->s = s[k];
            next->n = n[k];
            next->w2 = w2[k];
            next++;
            bc->n_cells++;
        }
    }
    fu__evbuf_free(&buf);
    fu__free(slot_of);
    return rc;
}

int fu_besttime_new(fu_besttime **out, const fu_policy *policy, const fu_book *book,
                    const uint32_t *segment, size_t n_segments, const fu_besttime_options *opts) {
    return fu__besttime_new_warm(out, policy, book, segment, n_segments, opts, NULL);
}

int fu__besttime_new_warm(fu_besttime **out, const fu_policy *policy, const fu_book *book, const uint32_t *segment,
                          size_t n_segments, const fu_besttime_options *opts, const fu_besttime *prev) {
    if (!out || !policy || !book)
        return fu__error_set(FU_EINVAL, "fu_besttime_new: %s is NULL", !out ? "out" : !policy ? "policy" : "book");
    *out = NULL;
    fu_besttime_options defaults = FU_BESTTIME_OPTIONS_INIT;
    if (!opts) opts = &defaults;
    if (!fu_book_is_finalized(book))
        return fu__error_set(FU_ESTATE, "the book is not finalized (call fu_book_finalize)");
    size_t n = fu_book_customer_count(book);
    if (segment) {
        if (n_segments < 1 || n_segments > UINT32_MAX)
            return fu__error_set(FU_EINVAL, "n_segments must be >= 1 when segments are given");
        for (size_t i = 0; i < n; i++)
            if (segment[i] >= n_segments)
                return fu__error_set(FU_EINVAL, "customer %zu: segment %u out of range (%zu segments)",
                                     i, segment[i], n_segments);
    } else {
        n_segments = 1;
    }
    fu_besttime *m = fu__calloc(1, sizeof *m);
    if (!m) return fu__error_nomem();
    m->policy = policy;
    m->pol = fu__policy_typed(policy);
    m->n_seg = n_segments;
    int rc = bt_resolve_options(m, opts);
    unsigned int channels = opts->channels ? opts->channels
                                           : (1u << FU_CHANNEL_NONE) | (1u << FU_CHANNEL_PHONE);
    if (!rc) rc = bt_setup_policy(m, opts->b2b_calendar);
    if (!rc && n) {
        m->cust = fu__calloc(n, sizeof *m->cust);
        m->id_hash = fu__malloc(n * sizeof *m->id_hash);
        if (!m->cust || !m->id_hash) rc = fu__error_nomem();
    }
    m->n_cust = n;
    if (!rc) rc = bt_read_customers(m, book, segment);
    if (!rc) rc = bt_read_events(m, book, channels);
    if (!rc) fu__bt_mix_warm_from(m, prev);
    if (!rc) rc = fu__bt_fit(m, opts->as_of);
    if (rc) {
        if (!m->cust) m->n_cust = 0;
        fu_besttime_free(m);
        return rc;
    }
    *out = m;
    return FU_OK;
}

size_t fu_besttime_customer_count(const fu_besttime *m) { return m ? m->n_cust : 0; }
int fu_besttime_slot_count(const fu_besttime *m) { return m ? m->n_slots : 0; }
size_t fu_besttime_segment_count(const fu_besttime *m) { return m ? m->n_seg : 0; }

int fu_besttime_slot_of_hour(const fu_besttime *m, int hour_of_week) {
    if (!m || hour_of_week < 0 || hour_of_week >= FU_HOURS_PER_WEEK)
        return fu__error_set(FU_EINVAL, "hour of week must be in 0..167");
    return hour_of_week / m->hours_per_slot;
}

int fu_besttime_fit_prior(fu_besttime *m, int64_t as_of) {
    if (!m) return fu__error_set(FU_EINVAL, "fu_besttime_fit_prior: NULL model");
    return fu__bt_fit(m, as_of);
}

int fu_besttime_prior(const fu_besttime *m, size_t segment, int slot, double *alpha, double *beta) {
    if (!m || segment >= m->n_seg || slot < 0 || slot >= m->n_slots)
        return fu__error_set(FU_EINVAL, "fu_besttime_prior: segment or slot out of range");
    size_t i = segment * (size_t)m->n_slots + (size_t)slot;
    if (alpha) *alpha = m->alpha[i];
    if (beta) *beta = m->beta[i];
    return FU_OK;
}

int fu_besttime_record(fu_besttime *m, size_t customer, int64_t at, fu_outcome outcome) {
    if (!m || customer >= m->n_cust)
        return fu__error_set(FU_EINVAL, "fu_besttime_record: customer out of range");
    if ((int)outcome < 0 || (int)outcome >= FU_OUTCOME_COUNT)
        return fu__error_set(FU_EINVAL, "unknown outcome %d", (int)outcome);
    int success = bt_outcome_success((int)outcome);
    if (success < 0) return FU_OK;
    bt_cust *c = &m->cust[customer];
    int how = fu_calendar_hour_of_week(m->zones[c->zone].cal, at);
    if (how < 0) return how;
    uint16_t k = (uint16_t)(how / m->hours_per_slot);
    size_t pos = 0;
    while (pos < c->n_cells && c->cells[pos].slot < k) pos++;
    int have = pos < c->n_cells && c->cells[pos].slot == k;
    if (!have && (c->cap_cells == 0 || c->n_cells == c->cap_cells)) {
        /* Move to an own, larger block (cells from the fit live in the pool). */
        size_t ncap = c->n_cells < 4 ? 8 : (size_t)c->n_cells * 2;
        if (ncap > (size_t)m->n_slots) ncap = (size_t)m->n_slots;
        bt_cell *nc = fu__malloc(ncap * sizeof *nc);
        if (!nc) return fu__error_nomem();
        if (c->n_cells) memcpy(nc, c->cells, c->n_cells * sizeof *nc);
        if (c->cap_cells) fu__free(c->cells);
        c->cells = nc;
        c->cap_cells = (uint16_t)ncap;
    }
    double w = 1.0;
    if (c->t_ref == FU_BOOK_NO_TIME || c->n_cells == 0) {
        c->t_ref = at;
    } else if (at >= c->t_ref) {
        double f = bt_decay(m, at - c->t_ref);
        for (size_t j = 0; j < c->n_cells; j++) {
            c->cells[j].s *= f;
            c->cells[j].n *= f;
            c->cells[j].w2 *= f * f;
        }
        c->t_ref = at;
    } else {
        w = bt_decay(m, c->t_ref - at);
    }
    if (!have) {
        memmove(&c->cells[pos + 1], &c->cells[pos], (c->n_cells - pos) * sizeof *c->cells);
        c->cells[pos].slot = k;
        c->cells[pos].s = 0.0;
        c->cells[pos].n = 0.0;
        c->cells[pos].w2 = 0.0;
        c->n_cells++;
    }
    c->cells[pos].n += w;
    c->cells[pos].w2 += w * w;
    if (success) c->cells[pos].s += w;
    fu__bt_mix_update(m, customer);
    return FU_OK;
}

/* ---- posteriors */

/* How much a customer's evidence in slot j counts for slot k: 1 for the
 * slot itself, share_day for the same time of day on another day of the same
 * type (Mon-Fri / Sat-Sun), share_hour for the neighbouring slot on the same
 * day, 0 otherwise. */
static double bt_share(const fu_besttime *m, int k, int j) {
    if (k == j) return 1.0;
    int spd = m->slots_per_day;
    if (!spd) return 0.0;
    int dk = k / spd, dj = j / spd, hk = k % spd, hj = j % spd;
    if (dk == dj) return (hk - hj == 1 || hj - hk == 1) ? m->share_hour : 0.0;
    if (hk == hj && (dk >= 5) == (dj >= 5)) return m->share_day;
    return 0.0;
}

/* A customer's evidence for slot k, decayed by f: successes and trials. */
static void bt_evidence(const fu_besttime *m, const bt_cust *c, int k, double f, double *s, double *n) {
    double ss = 0.0, nn = 0.0;
    for (size_t j = 0; j < c->n_cells; j++) {
        double w = bt_share(m, k, c->cells[j].slot);
        if (w == 0.0) continue;
        ss += w * c->cells[j].s;
        nn += w * c->cells[j].n;
    }
    *s = f * ss;
    *n = f * nn;
}

/* A credible level and what its interval's quantiles need: the tail
 * probability and its normal deviate (computed once per query). */
typedef struct bt_level {
    double level; /* 0: no interval */
    double tail;  /* (1 - level) / 2 */
    double y;     /* upper-tail normal deviate of `tail`: Phi(-y) = tail */
} bt_level;

static bt_level bt_level_of(double level) {
    bt_level L = {level, 0.0, 0.0};
    if (level > 0.0) {
        L.tail = 0.5 * (1.0 - level);
        L.y = -fu__stats_norm_quantile(L.tail);
    }
    return L;
}

/* Step tolerance of interval quantiles: results within about 1e-12 of the
 * fully iterated ones (test interval_quantiles_match_the_full_iteration). */
#define BT_INTERVAL_TOL 1e-4

/* The equal-tailed interval of Beta(a, b): both quantiles share log B(a, b)
 * and the level's normal deviate; each is iterated until a step is below
 * BT_INTERVAL_TOL. */
static void bt_interval_at(double a, double b, const bt_level *L, double *lo, double *hi) {
    if (L->level <= 0.0) {
        *lo = *hi = NAN;
        return;
    }
    double lb = fu__stats_lbeta(a, b);
    *lo = fu__stats_beta_quantile_lower(L->tail, a, b, lb, L->y, BT_INTERVAL_TOL);
    *hi = 1.0 - fu__stats_beta_quantile_lower(L->tail, b, a, lb, L->y, BT_INTERVAL_TOL);
}

static void bt_interval(double a, double b, double level, double *lo, double *hi) {
    bt_level L = bt_level_of(level);
    bt_interval_at(a, b, &L, lo, hi);
}

static int bt_check_level(double level) {
    if (!(level == 0.0 || (level > 0.0 && level < 1.0)))
        return fu__error_set(FU_EINVAL, "credible level must be in (0,1) or 0 (got %g)", level);
    return FU_OK;
}

/* With the mixture of hour profiles, the posterior Beta(a, b) of a slot
 * keeps its strength a + b and takes the mixture's predictive mean. */
static void bt_mix_adjust(const fu_besttime *m, size_t ci, int slot, double *a, double *b) {
    if (!m->mix_fitted) return;
    double p = fu__bt_mix_mean(m, ci, slot), t = *a + *b;
    *a = p * t;
    *b = (1.0 - p) * t;
}

/* The posterior Beta(a, b) of customer ci at slot, evidence decayed by f. */
static void bt_posterior_ab(const fu_besttime *m, size_t ci, int slot, double f, double *a, double *b) {
    const bt_cust *c = &m->cust[ci];
    size_t i = c->seg * (size_t)m->n_slots + (size_t)slot;
    double es, en;
    bt_evidence(m, c, slot, f, &es, &en);
    *a = m->alpha[i] + es;
    *b = m->beta[i] + (en - es);
    bt_mix_adjust(m, ci, slot, a, b);
}

static void bt_estimate(const fu_besttime *m, const bt_cust *c, int slot, double f, double level,
                        fu_besttime_estimate *out) {
    size_t i = c->seg * (size_t)m->n_slots + (size_t)slot;
    double s, n;
    bt_evidence(m, c, slot, f, &s, &n);
    out->successes = s;
    out->trials = n;
    out->alpha = m->alpha[i] + s;
    out->beta = m->beta[i] + (n - s);
    bt_mix_adjust(m, (size_t)(c - m->cust), slot, &out->alpha, &out->beta);
    out->p = out->alpha / (out->alpha + out->beta);
    bt_interval(out->alpha, out->beta, level, &out->lo, &out->hi);
}

int fu_besttime_posterior(const fu_besttime *m, size_t customer, int slot, int64_t now, double level,
                          fu_besttime_estimate *out) {
    if (!m || !out || customer >= m->n_cust || slot < 0 || slot >= m->n_slots)
        return fu__error_set(FU_EINVAL, "fu_besttime_posterior: argument out of range");
    int rc = bt_check_level(level);
    if (rc) return rc;
    const bt_cust *c = &m->cust[customer];
    bt_estimate(m, c, slot, c->n_cells ? bt_decay(m, now - c->t_ref) : 1.0, level, out);
    return FU_OK;
}

int fu_besttime_customer_matrix(const fu_besttime *m, size_t customer, int64_t now, double level,
                                double *mean, double *lo, double *hi) {
    if (!m || !mean || customer >= m->n_cust)
        return fu__error_set(FU_EINVAL, "fu_besttime_customer_matrix: argument out of range");
    int rc = bt_check_level(level);
    if (rc) return rc;
    if (!lo && !hi) level = 0.0;
    const bt_cust *c = &m->cust[customer];
    double f = c->n_cells ? bt_decay(m, now - c->t_ref) : 1.0;
    fu_besttime_estimate e;
    for (int k = 0; k < m->n_slots; k++) {
        bt_estimate(m, c, k, f, level, &e);
        for (int h = k * m->hours_per_slot; h < (k + 1) * m->hours_per_slot; h++) {
            mean[h] = e.p;
            if (lo) lo[h] = e.lo;
            if (hi) hi[h] = e.hi;
        }
    }
    return FU_OK;
}

int fu_besttime_segment_matrix(const fu_besttime *m, size_t segment, double level, double *mean,
                               double *lo, double *hi) {
    if (!m || !mean || segment >= m->n_seg)
        return fu__error_set(FU_EINVAL, "fu_besttime_segment_matrix: argument out of range");
    int rc = bt_check_level(level);
    if (rc) return rc;
    if (!lo && !hi) level = 0.0;
    bt_cust c;
    memset(&c, 0, sizeof c);
    c.seg = (uint32_t)segment;
    fu_besttime_estimate e;
    for (int k = 0; k < m->n_slots; k++) {
        bt_estimate(m, &c, k, 1.0, level, &e);
        for (int h = k * m->hours_per_slot; h < (k + 1) * m->hours_per_slot; h++) {
            mean[h] = e.p;
            if (lo) lo[h] = e.lo;
            if (hi) hi[h] = e.hi;
        }
    }
    return FU_OK;
}

/* ================================================================ constraints */

static int bt_days_in_month(int y, int mo) {
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (mo == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
    return dim[mo - 1];
}

/* The channel's consent rule when it forbids the channel, else NULL. */
static const char *bt_consent_rule(const fu_besttime *m, const bt_cust *c, fu_channel ch) {
    int idx;
    const char *rule;
    switch (ch) {
    case FU_CHANNEL_NONE:
    case FU_CHANNEL_PHONE: idx = 0; rule = RULE_CONSENT_PHONE; break;
    case FU_CHANNEL_SMS: idx = 1; rule = RULE_CONSENT_SMS; break;
    case FU_CHANNEL_EMAIL: idx = 2; rule = RULE_CONSENT_EMAIL; break;
    default: return NULL;
    }
    if (c->consent[idx] == FU_TRI_NO) return rule;
    if (c->consent[idx] == FU_TRI_UNKNOWN && (m->flags & FU_BESTTIME_EXPLICIT_CONSENT)) return rule;
    return NULL;
}

/* The instant `delta` local minutes after the start of t's local minute,
 * counted in local wall time (so across a DST change it is the wall clock
 * that advances). */
static int bt_local_add_minutes(const fu_calendar *cal, int64_t t, int64_t delta, int64_t *out) {
    fu_local L;
    int rc = fu_calendar_to_local(cal, t, &L);
    if (rc) return rc;
    int64_t mins = (int64_t)L.hour * 60 + L.minute + delta;
    int64_t days = mins >= 0 ? mins / 1440 : -((-mins + 1439) / 1440);
    mins -= days * 1440;
    fu_date d = {L.year, L.month, L.day};
    int64_t dn;
    if ((rc = fu_date_to_days(&d, &dn))) return rc;
    if ((rc = fu_date_from_days(dn + days, &d))) return rc;
    fu_local T;
    memset(&T, 0, sizeof T);
    T.year = d.year;
    T.month = d.month;
    T.day = d.day;
    T.hour = (int)(mins / 60);
    T.minute = (int)(mins % 60);
    rc = fu_calendar_from_local(cal, &T, 0, out);
    if (rc) return rc;
    if (*out <= t) *out = t - L.second + delta * 60; /* a fall-back overlap: count real time */
    return FU_OK;
}

/* End of the DND run that contains t (t must be inside). */
static int bt_dnd_end(const fu_windows *w, const fu_calendar *cal, int64_t t, int64_t *out) {
    int mow = fu_calendar_minute_of_week(cal, t);
    if (mow < 0) return mow;
    size_t n = fu_windows_count(w);
    for (size_t i = 0; i < n; i++) {
        fu_window_span s;
        fu_windows_get(w, i, &s);
        int64_t delta = -1;
        if (mow >= s.start && mow < s.end) delta = s.end - mow;
        else if (s.end > FU_MINUTES_PER_WEEK && mow < s.end - FU_MINUTES_PER_WEEK)
            delta = s.end - FU_MINUTES_PER_WEEK - mow;
        if (delta > 0) return bt_local_add_minutes(cal, t, delta, out);
    }
    *out = t + 60; /* not inside after all (DST edge): move on a minute */
    return FU_OK;
}

static int bt_is_holiday(const fu__pol_calendar *pc, int64_t t) {
    fu_local L;
    if (fu_calendar_to_local(pc->cal, t, &L)) return 0;
    fu_date d = {L.year, L.month, L.day};
    int64_t dn;
    if (fu_date_to_days(&d, &dn)) return 0;
    size_t lo = 0, hi = pc->n_holidays;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (pc->holidays[mid].days < dn) lo = mid + 1;
        else hi = mid;
    }
    return lo < pc->n_holidays && pc->holidays[lo].days == dn;
}

/* The first instant >= t at which every hard constraint (and the preferred
 * windows when use_pref) holds, and the first rule that said no at t (NULL
 * when t itself is allowed). Consent is checked by the callers. */
static int bt_next_allowed(const fu_besttime *m, const bt_cust *c, int64_t t, unsigned int flags,
                           int use_pref, const char **rule, int64_t *out) {
    const fu_calendar *cal = m->zones[c->zone].cal;
    int urgent = (flags & FU_BESTTIME_URGENT) != 0;
    const fu_windows *dnd = (!urgent && c->dnd != BT_NONE) ? m->wins[c->dnd].w : NULL;
    const fu_windows *pref = (use_pref && !urgent && c->pref != BT_NONE) ? m->wins[c->pref].w : NULL;
    const bt_zone *zn = &m->zones[c->zone];
    const fu_calendar *biz = c->b2b ? zn->biz : NULL;
    const fu__pol_suppression *me = (!urgent && c->month_end >= 0) ? m->supp[c->month_end] : NULL;
    int64_t limit = t > INT64_MAX - BT_SEARCH ? INT64_MAX : t + BT_SEARCH;
    const char *first = NULL;
    int rc = FU_OK;
    for (int iter = 0; iter < 100000; iter++) {
        if (t > limit) {
            t = FU_BESTTIME_NEVER;
            break;
        }
        const char *r = NULL;
        int64_t nt = t;
        int in;
        fu_local L;
        if ((rc = fu_calendar_to_local(cal, t, &L))) return rc;
        int mow = (L.weekday * 24 + L.hour) * 60 + L.minute; /* one zone lookup for all windows */
        if (m->quiet && !fu_windows_contains(m->quiet, mow)) {
            r = RULE_QUIET;
            rc = fu_windows_next_time(m->quiet, cal, t, &nt);
        } else if (dnd && fu_windows_contains(dnd, mow)) {
            r = RULE_DND;
            rc = bt_dnd_end(dnd, cal, t, &nt);
        } else if (biz && (in = fu_calendar_is_open(biz, t)) <= 0) {
            if (in < 0) return in;
            r = zn->biz_home && bt_is_holiday(m->biz, t) ? m->rule_biz_holidays : m->rule_biz_hours;
            rc = fu_calendar_next_open(biz, t, &nt);
        } else if (me) {
            if (L.day > bt_days_in_month(L.year, L.month) - me->last_days) {
                r = me->rule;
                fu_local T;
                memset(&T, 0, sizeof T);
                T.year = L.month == 12 ? L.year + 1 : L.year;
                T.month = L.month == 12 ? 1 : L.month + 1;
                T.day = 1;
                rc = fu_calendar_from_local(cal, &T, 0, &nt);
            }
        }
        if (!r && pref && !fu_windows_contains(pref, mow)) {
            r = RULE_PREF;
            rc = fu_windows_next_time(pref, cal, t, &nt);
        }
        if (!r) break;
        if (!first) first = r;
        if (rc == FU_ENOTFOUND || rc == FU_ERANGE) { /* empty windows, a calendar never open */
            fu_error_clear();
            rc = FU_OK;
            t = FU_BESTTIME_NEVER;
            break;
        }
        if (rc) return rc;
        t = nt > t ? nt : t + 60;
    }
    *rule = first;
    *out = t;
    return FU_OK;
}

int fu_besttime_may_contact(const fu_besttime *m, size_t customer, int64_t now, fu_channel channel,
                            unsigned int flags, fu_besttime_decision *out) {
    if (!m || !out || customer >= m->n_cust)
        return fu__error_set(FU_EINVAL, "fu_besttime_may_contact: argument out of range");
    if ((int)channel < 0 || (int)channel >= FU_CHANNEL_COUNT)
        return fu__error_set(FU_EINVAL, "unknown channel %d", (int)channel);
    const bt_cust *c = &m->cust[customer];
    const char *rule = bt_consent_rule(m, c, channel);
    if (rule) {
        out->allowed = 0;
        out->rule = rule;
        out->next_allowed = FU_BESTTIME_NEVER;
        return FU_OK;
    }
    int64_t at;
    int rc = bt_next_allowed(m, c, now, flags, 1, &rule, &at);
    if (rc) return rc;
    if (at == FU_BESTTIME_NEVER && rule == RULE_PREF) {
        /* preferred windows never meet the rest: they are ignored */
        rc = bt_next_allowed(m, c, now, flags, 0, &rule, &at);
        if (rc) return rc;
    }
    out->allowed = at == now;
    out->rule = at == now ? NULL : rule;
    out->next_allowed = at;
    return FU_OK;
}

/* ================================================================ best hours */

enum { ST_NONE = 0, ST_PART = 1, ST_FULL = 2, ST_UNKNOWN = 3 };

/* One local clock hour (or the part of it inside the window). */
typedef struct bt_hour {
    int64_t start, end;
    int16_t how;
    int8_t mday, dim;
    int8_t min0;   /* local minute of `start` when it is on a whole minute and the
                      piece runs to the local hour's end in real time; else -1 */
    uint8_t quiet; /* ST_* */
    uint8_t biz;   /* ST_*; ST_UNKNOWN until needed */
} bt_hour;

typedef struct bt_hours {
    bt_hour *v;
    size_t n, cap;
    uint32_t zone;
    int64_t from, to;
    int valid;
} bt_hours;

/* Local time of t when the zone's offset is `off` (known to hold at t),
 * without the calendar: the date is converted only when its day `*day`
 * changes (`*date` keeps it). */
static int bt_local_fast(int64_t t, int off, int64_t *day, fu_date *date, fu_local *L) {
    int64_t local = t + off;
    int64_t d = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
    if (d != *day) {
        int rc = fu_date_from_days(d, date);
        if (rc) return rc;
        *day = d;
    }
    int sod = (int)(local - d * 86400);
    L->year = date->year;
    L->month = date->month;
    L->day = date->day;
    L->hour = sod / 3600;
    L->minute = sod / 60 % 60;
    L->second = sod % 60;
    L->weekday = (int)(((d + 3) % 7 + 7) % 7); /* 1970-01-01 was a Thursday */
    return FU_OK;
}

static int bt_hours_build(const fu_besttime *m, uint32_t zone, int64_t from, int64_t to,
                          bt_hours *h) {
    const fu_calendar *cal = m->zones[zone].cal;
    h->n = 0;
    h->valid = 0;
    int64_t t = from;
    /* The offset is looked up at the start and the last second of each
     * local day of the window; when both agree (no transition that day:
     * zones change their offset at most once a day) the day's hours are
     * read by arithmetic, else hour by hour from the calendar. */
    int64_t fast_until = INT64_MIN, day = INT64_MIN;
    int fast_off = 0;
    fu_date date = {0, 0, 0};
    while (t < to) {
        fu_local L;
        int rc;
        if (t >= fast_until) {
            int off0, off1;
            if ((rc = fu_calendar_utc_offset(cal, t, &off0))) return rc;
            int64_t local = t + off0;
            int64_t d = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
            int64_t day_end = (d + 1) * 86400 - off0;
            if (day_end > to) day_end = to;
            if ((rc = fu_calendar_utc_offset(cal, day_end - 1, &off1))) return rc;
            fast_off = off0;
            fast_until = off0 == off1 ? day_end : INT64_MIN;
        }
        if (t < fast_until) rc = bt_local_fast(t, fast_off, &day, &date, &L);
        else rc = fu_calendar_to_local(cal, t, &L);
        if (rc) return rc;
        int64_t end = t - (L.minute * 60 + L.second) + 3600;
        if (end > to) end = to;
        if ((rc = FU_GROW(h->v, h->cap, h->n + 1))) return rc;
        bt_hour *x = &h->v[h->n++];
        x->start = t;
        x->end = end;
        x->how = (int16_t)(L.weekday * 24 + L.hour);
        x->min0 = (int8_t)((L.second == 0 && end == t + (60 - L.minute) * 60) ? L.minute : -1);
        x->mday = (int8_t)L.day;
        x->dim = (int8_t)bt_days_in_month(L.year, L.month);
        x->quiet = bit(m->quiet_full, x->how) ? ST_FULL : bit(m->quiet_any, x->how) ? ST_PART : ST_NONE;
        x->biz = ST_UNKNOWN;
        t = end;
    }
    h->zone = zone;
    h->from = from;
    h->to = to;
    h->valid = 1;
    return FU_OK;
}

static int bt_biz_state(const fu_calendar *bc, bt_hour *x) {
    if (x->biz != ST_UNKNOWN) return x->biz;
    int open = fu_calendar_is_open(bc, x->start);
    int64_t v;
    if (open > 0) {
        if (fu_calendar_business_between(bc, x->start, x->end, &v) == FU_OK && v == x->end - x->start)
            x->biz = ST_FULL;
        else x->biz = ST_PART;
    } else if (open == 0 && fu_calendar_next_open(bc, x->start, &v) == FU_OK && v < x->end) {
        x->biz = ST_PART;
    } else {
        fu_error_clear();
        x->biz = ST_NONE;
    }
    return x->biz;
}

typedef struct bt_query {
    double level;
    bt_level lv; /* level, tail and normal deviate of the intervals */
    unsigned int qflags;
    uint64_t seed;
    int64_t now;
    /* Intervals of prior-only slots (no evidence at all): the same for every
     * customer of a segment, so bulk calls compute each once. 2 doubles per
     * (segment, slot), NaN until computed; NULL: no cache. */
    double *prior_iv;
} bt_query;

/* Most (segment, slot) pairs the prior-interval cache is kept for. */
#define BT_PRIOR_CACHE_MAX (1u << 20)

/* Give a bulk query its prior-interval cache (freed by the caller). */
static int bt_query_cache(const fu_besttime *m, bt_query *q) {
    size_t n = m->n_seg * (size_t)m->n_slots;
    if (q->level <= 0.0 || n > BT_PRIOR_CACHE_MAX) return FU_OK;
    q->prior_iv = fu__malloc(2 * n * sizeof *q->prior_iv);
    if (!q->prior_iv) return fu__error_nomem();
    for (size_t i = 0; i < 2 * n; i++) q->prior_iv[i] = NAN;
    return FU_OK;
}

static int bt_query_resolve(const fu_besttime_query_options *o, bt_query *q) {
    fu_besttime_query_options d = FU_BESTTIME_QUERY_OPTIONS_INIT;
    if (!o) o = &d;
    if (o->version < 1 || o->version > FU_BESTTIME_QUERY_OPTIONS_VERSION)
        return fu__error_set(FU_EINVAL, "unknown fu_besttime_query_options version %u", o->version);
    if (o->flags & ~(FU_BESTTIME_THOMPSON | FU_BESTTIME_NO_INTERVAL))
        return fu__error_set(FU_EINVAL, "unknown query flags 0x%x", o->flags);
    q->level = o->level == 0.0 ? 0.9 : o->level;
    if (!(q->level > 0.0 && q->level < 1.0))
        return fu__error_set(FU_EINVAL, "credible level must be in (0,1) (got %g)", o->level);
    if (o->flags & FU_BESTTIME_NO_INTERVAL) q->level = 0.0;
    q->lv = bt_level_of(q->level);
    q->prior_iv = NULL;
    q->qflags = o->flags;
    q->seed = o->seed;
    q->now = o->now;
    return FU_OK;
}

static int bt_better(const fu_besttime_slot *a, const fu_besttime_slot *b) {
    unsigned int pa = a->flags & FU_BESTTIME_SLOT_PREFERRED, pb = b->flags & FU_BESTTIME_SLOT_PREFERRED;
    if (pa != pb) return pa > pb;
    if (a->score != b->score) return a->score > b->score;
    return a->at < b->at;
}

static void bt_slot_none(fu_besttime_slot *s) {
    memset(s, 0, sizeof *s);
    s->at = FU_BESTTIME_NONE;
    s->until = FU_BESTTIME_NONE;
    s->p = s->lo = s->hi = s->score = NAN;
    s->hour_of_week = -1;
    s->slot = -1;
    s->next_allowed = FU_BESTTIME_NEVER;
}

void fu__besttime_set_oracle(fu_besttime *m, const double *answer_prob, const double *weekend_factor) {
    m->oracle_p = answer_prob;
    m->oracle_wf = weekend_factor;
}

/* The answer probability ranked for customer ci at local hour of week `how`:
 * the posterior mean a / (a + b) (the mixture's mean with the mixture), or
 * the ground truth in the oracle arm. */
static double bt_mean(const fu_besttime *m, size_t ci, int how, double a, double b) {
    /* the mixture's mean itself, not a / (a + b) of bt_mix_adjust's Beta: the
     * same to rounding, which would otherwise depend on the segments' prior
     * strength and break the planner's ties between hours differently */
    if (!m->oracle_p && m->mix_fitted) return fu__bt_mix_mean(m, ci, how / m->hours_per_slot);
    if (!m->oracle_p) return a / (a + b);
    double p = m->oracle_p[ci * 24 + (size_t)(how % 24)];
    return how >= 5 * 24 && m->oracle_wf ? p * m->oracle_wf[ci] : p;
}

/* The best k hours of customer ci over the hour table h. */
static int bt_rank(const fu_besttime *m, size_t ci, bt_hours *h, fu_channel channel,
                   unsigned int flags, size_t k, const bt_query *q, fu_besttime_slot *slots,
                   size_t *found) {
    const bt_cust *c = &m->cust[ci];
    int urgent = (flags & FU_BESTTIME_URGENT) != 0;
    *found = 0;
    if (k == 0) return FU_OK;
    bt_slot_none(&slots[0]);
    const char *crule = bt_consent_rule(m, c, channel);
    if (crule) {
        slots[0].rule = crule;
        return FU_OK;
    }
    const bt_win *dnd = (!urgent && c->dnd != BT_NONE) ? &m->wins[c->dnd] : NULL;
    const bt_win *pref = (!urgent && c->pref != BT_NONE) ? &m->wins[c->pref] : NULL;
    int last_days = (!urgent && c->month_end >= 0) ? m->supp[c->month_end]->last_days : -1;
    int64_t now = q->now == FU_BOOK_NO_TIME ? h->from : q->now;
    double f = c->n_cells ? bt_decay(m, now - c->t_ref) : 1.0;
    const double *al = m->alpha + c->seg * (size_t)m->n_slots;
    const double *be = m->beta + c->seg * (size_t)m->n_slots;
    int thompson = (q->qflags & FU_BESTTIME_THOMPSON) != 0;
    double draw[FU_HOURS_PER_WEEK];
    bt_rng rng = {0};
    if (thompson) {
        for (int s = 0; s < m->n_slots; s++) draw[s] = -1.0;
        rng.s = q->seed ^ ((uint64_t)ci * 0xD1B54A32D192ED03ull);
        bt_rng_next(&rng);
    }
    for (size_t i = 0; i < h->n; i++) {
        bt_hour *x = &h->v[i];
        int st = x->quiet;
        if (st == ST_NONE) continue;
        if (!thompson && *found == k) {
            /* Ranked by preference, score, time, this hour would at best be
             * preferred (when a preferred window meets it), score its
             * slot's mean and start at its start: when even that does not
             * beat the k-th best so far, its constraints (business
             * calendar, minutes) need not be worked out. */
            double a, b;
            bt_posterior_ab(m, ci, x->how / m->hours_per_slot, f, &a, &b);
            fu_besttime_slot ub;
            ub.score = bt_mean(m, ci, x->how, a, b);
            ub.at = x->start;
            ub.flags = pref && bit(pref->any, x->how) ? FU_BESTTIME_SLOT_PREFERRED : 0u;
            if (!bt_better(&ub, &slots[k - 1])) continue;
        }
        if (dnd && bit(dnd->any, x->how)) {
            if (bit(dnd->full, x->how)) continue;
            st = ST_PART;
        }
        if (c->b2b) {
            int b = bt_biz_state(m->zones[c->zone].biz, x);
            if (b == ST_NONE) continue;
            if (b == ST_PART) st = ST_PART;
        }
        if (last_days >= 0 && x->mday > x->dim - last_days) continue;
        int64_t at = x->start;
        const char *r;
        int rc;
        unsigned int sf = 0;
        int biz_full = !c->b2b || x->biz == ST_FULL;
        if (x->min0 >= 0 && biz_full && (st == ST_PART || (pref && bit(pref->any, x->how) &&
                                                           !bit(pref->full, x->how)))) {
            /* Cut only by weekly windows inside a regular local hour: scan its
             * minutes in the windows' bit tables (no calendar lookups). */
            int base = x->how * 60, j, jp = -1, ja = -1;
            for (j = x->min0; j < 60; j++) {
                if (m->quiet && !fu_windows_contains(m->quiet, base + j)) continue;
                if (dnd && fu_windows_contains(dnd->w, base + j)) continue;
                if (ja < 0) ja = j;
                if (pref && fu_windows_contains(pref->w, base + j)) {
                    jp = j;
                    break;
                }
                if (!pref) break;
            }
            if (ja < 0) continue;
            at = x->start + (int64_t)(ja - x->min0) * 60;
            if (jp >= 0) {
                sf = FU_BESTTIME_SLOT_PREFERRED;
                at = x->start + (int64_t)(jp - x->min0) * 60;
            }
        } else if (st == ST_PART) {
            if ((rc = bt_next_allowed(m, c, x->start, flags, 0, &r, &at))) return rc;
            if (at >= x->end) continue;
        }
        if (sf) {
            /* found above */
        } else if (pref && bit(pref->any, x->how)) {
            if (bit(pref->full, x->how)) {
                sf = FU_BESTTIME_SLOT_PREFERRED;
            } else if (x->min0 < 0 || !biz_full) {
                int64_t at2;
                if ((rc = bt_next_allowed(m, c, x->start, flags, 1, &r, &at2))) return rc;
                if (at2 < x->end) {
                    sf = FU_BESTTIME_SLOT_PREFERRED;
                    at = at2;
                }
            }
        }
        int slot = x->how / m->hours_per_slot;
        double a, b;
        bt_posterior_ab(m, ci, slot, f, &a, &b);
        fu_besttime_slot cand;
        cand.at = at;
        cand.until = x->end;
        cand.p = bt_mean(m, ci, x->how, a, b);
        cand.lo = cand.hi = NAN;
        if (thompson) {
            if (draw[slot] < 0) draw[slot] = bt_rng_beta(&rng, a, b);
            cand.score = draw[slot];
        } else {
            cand.score = cand.p;
        }
        cand.hour_of_week = x->how;
        cand.slot = slot;
        cand.flags = sf;
        cand.rule = NULL;
        cand.next_allowed = at;
        /* insert into the sorted top k */
        size_t pos = *found;
        while (pos > 0 && bt_better(&cand, &slots[pos - 1])) pos--;
        if (pos >= k) continue;
        size_t last = *found < k ? *found : k - 1;
        memmove(&slots[pos + 1], &slots[pos], (last - pos) * sizeof *slots);
        slots[pos] = cand;
        if (*found < k) (*found)++;
    }
    if (*found == 0) {
        const char *r = NULL;
        int64_t at;
        int rc = bt_next_allowed(m, c, h->from, flags, 0, &r, &at);
        if (rc) return rc;
        slots[0].rule = r;
        slots[0].next_allowed = at;
        return FU_OK;
    }
    if (q->level > 0.0) {
        for (size_t i = 0; i < *found; i++) {
            fu_besttime_slot *s = &slots[i];
            double es, en;
            bt_evidence(m, c, s->slot, f, &es, &en);
            if (q->prior_iv && !m->mix_fitted && es == 0.0 && en == 0.0) {
                double *iv = q->prior_iv + 2 * (c->seg * (size_t)m->n_slots + (size_t)s->slot);
                if (isnan(iv[0])) bt_interval_at(al[s->slot], be[s->slot], &q->lv, &iv[0], &iv[1]);
                s->lo = iv[0];
                s->hi = iv[1];
                continue;
            }
            double a = al[s->slot] + es, b = be[s->slot] + (en - es);
            bt_mix_adjust(m, ci, s->slot, &a, &b);
            bt_interval_at(a, b, &q->lv, &s->lo, &s->hi);
        }
    }
    return FU_OK;
}

static int bt_check_window(int64_t from, int64_t to) {
    if (from >= to) return fu__error_set(FU_EINVAL, "empty search window (from >= to)");
    if (to - from > BT_HORIZON) return fu__error_set(FU_ELIMIT, "search window longer than 400 days");
    return FU_OK;
}

int fu_besttime_best(const fu_besttime *m, size_t customer, int64_t from, int64_t to,
                     fu_channel channel, unsigned int flags, size_t k,
                     const fu_besttime_query_options *opts, fu_besttime_slot *slots, size_t *out) {
    if (!m || !out || (k && !slots) || customer >= m->n_cust)
        return fu__error_set(FU_EINVAL, "fu_besttime_best: argument out of range");
    if ((int)channel < 0 || (int)channel >= FU_CHANNEL_COUNT)
        return fu__error_set(FU_EINVAL, "unknown channel %d", (int)channel);
    if (flags & ~FU_BESTTIME_URGENT) return fu__error_set(FU_EINVAL, "unknown flags 0x%x", flags);
    bt_query q;
    int rc = bt_query_resolve(opts, &q);
    if (!rc) rc = bt_check_window(from, to);
    if (rc) return rc;
    bt_hours h = {0};
    rc = bt_hours_build(m, m->cust[customer].zone, from, to, &h);
    if (!rc) rc = bt_rank(m, customer, &h, channel, flags, k, &q, slots, out);
    fu__free(h.v);
    return rc;
}

int fu_besttime_best_bulk(const fu_besttime *m, const fu_besttime_request *req, size_t n,
                          const fu_besttime_query_options *opts, fu_besttime_slot *out) {
    if (!m || (n && (!req || !out)))
        return fu__error_set(FU_EINVAL, "fu_besttime_best_bulk: %s is NULL", !m ? "m" : !req ? "req" : "out");
    bt_query q;
    int rc = bt_query_resolve(opts, &q);
    if (!rc && n > 1) rc = bt_query_cache(m, &q);
    if (rc) return rc;
    bt_hours h = {0};
    for (size_t i = 0; i < n && !rc; i++) {
        const fu_besttime_request *r = &req[i];
        if (r->customer >= m->n_cust) rc = fu__error_set(FU_EINVAL, "customer out of range");
        else if ((int)r->channel < 0 || (int)r->channel >= FU_CHANNEL_COUNT)
            rc = fu__error_set(FU_EINVAL, "unknown channel %d", (int)r->channel);
        else if (r->flags & ~FU_BESTTIME_URGENT) rc = fu__error_set(FU_EINVAL, "unknown flags 0x%x", r->flags);
        if (!rc) rc = bt_check_window(r->from, r->to);
        uint32_t z = rc ? 0 : m->cust[r->customer].zone;
        if (!rc && !(h.valid && h.zone == z && h.from == r->from && h.to == r->to))
            rc = bt_hours_build(m, z, r->from, r->to, &h);
        size_t found;
        if (!rc) rc = bt_rank(m, r->customer, &h, r->channel, r->flags, 1, &q, &out[i], &found);
        if (rc) fu__error_prefix("request %zu", i);
    }
    fu__free(h.v);
    fu__free(q.prior_iv);
    return rc;
}

int fu_besttime_best_day(const fu_besttime *m, const fu_date *day, int64_t now,
                         const size_t *customers, size_t n, fu_channel channel, unsigned int flags,
                         const fu_besttime_query_options *opts, fu_besttime_slot *out) {
    if (!m || (n && !out)) return fu__error_set(FU_EINVAL, "fu_besttime_best_day: %s is NULL", !m ? "m" : "out");
    if ((int)channel < 0 || (int)channel >= FU_CHANNEL_COUNT)
        return fu__error_set(FU_EINVAL, "unknown channel %d", (int)channel);
    if (flags & ~FU_BESTTIME_URGENT) return fu__error_set(FU_EINVAL, "unknown flags 0x%x", flags);
    bt_query q;
    int rc = bt_query_resolve(opts, &q);
    if (rc) return rc;
    if (q.now == FU_BOOK_NO_TIME) q.now = now;
    int64_t day_n = 0;
    if (day && (rc = fu_date_to_days(day, &day_n))) return rc;
    if (n > 1 && (rc = bt_query_cache(m, &q))) return rc;
    bt_hours *hz = fu__calloc(m->n_zones ? m->n_zones : 1, sizeof *hz);
    if (!hz) {
        fu__free(q.prior_iv);
        return fu__error_nomem();
    }
    for (size_t i = 0; i < n && !rc; i++) {
        size_t ci = customers ? customers[i] : i;
        if (ci >= m->n_cust) {
            rc = fu__error_set(FU_EINVAL, "customer %zu out of range", ci);
            break;
        }
        uint32_t z = m->cust[ci].zone;
        if (!hz[z].valid) {
            const fu_calendar *cal = m->zones[z].cal;
            int64_t dn = day_n;
            fu_date d;
            fu_local L;
            if (!day) {
                if (!(rc = fu_calendar_to_local(cal, now, &L))) {
                    d.year = L.year;
                    d.month = L.month;
                    d.day = L.day;
                    if (!(rc = fu_date_to_days(&d, &dn))) dn += 1;
                }
            }
            int64_t from = 0, to = 0;
            for (int j = 0; j < 2 && !rc; j++) {
                if ((rc = fu_date_from_days(dn + j, &d))) break;
                memset(&L, 0, sizeof L);
                L.year = d.year;
                L.month = d.month;
                L.day = d.day;
                rc = fu_calendar_from_local(cal, &L, 0, j ? &to : &from);
            }
            if (!rc) rc = bt_hours_build(m, z, from, to, &hz[z]);
        }
        size_t found;
        if (!rc) rc = bt_rank(m, ci, &hz[z], channel, flags, 1, &q, &out[i], &found);
        if (rc) fu__error_prefix("customer %zu", ci);
    }
    for (size_t z = 0; z < m->n_zones; z++) fu__free(hz[z].v);
    fu__free(hz);
    fu__free(q.prior_iv);
    return rc;
}
