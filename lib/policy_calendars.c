/* Section `calendars` (and the top-level `calendar`): business hours,
 * holidays and make-up working days, resolved through `extends:` and built
 * into fu_calendar objects. Read by calendar-aware modules: the planner,
 * commitments (business-time deadlines), best time, KPIs. */
#include "policy_core.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int fu__pol_parse_hhmm(const char *s, size_t len, int *out) {
    /* H:MM or HH:MM, 00:00..24:00 */
    if (len < 4 || len > 5) return -1;
    size_t colon = len - 3;
    if (s[colon] != ':') return -1;
    int h = 0;
    for (size_t i = 0; i < colon; i++) {
        if (!isdigit((unsigned char)s[i])) return -1;
        h = h * 10 + (s[i] - '0');
    }
    if (!isdigit((unsigned char)s[colon + 1]) || !isdigit((unsigned char)s[colon + 2])) return -1;
    int m = (s[colon + 1] - '0') * 10 + (s[colon + 2] - '0');
    if (h > 24 || m > 59 || (h == 24 && m != 0)) return -1;
    *out = h * 60 + m;
    return 0;
}

void fu__pol_fmt_hhmm(int m, char *buf) {
    if (m < 0 || m > 99 * 60) m = 0;
    snprintf(buf, 8, "%02d:%02d", (m / 60) % 100, m % 60);
}

static int parse_interval(vctx *c, const ynode *n, fu__pol_interval *iv) {
    int rc = fu__pol_want_scalar(c, n, "a time range like 09:00-12:00");
    if (rc) return rc;
    const char *dash = memchr(n->text, '-', n->len);
    const char *s = n->text;
    size_t a = dash ? (size_t)(dash - s) : 0;
    while (a > 0 && s[a - 1] == ' ') a--;
    size_t bstart = dash ? (size_t)(dash - s) + 1 : 0;
    while (dash && bstart < n->len && s[bstart] == ' ') bstart++;
    size_t blen = n->len - bstart;
    while (blen > 0 && s[bstart + blen - 1] == ' ') blen--;
    if (!dash || fu__pol_parse_hhmm(s, a, &iv->start_min) || fu__pol_parse_hhmm(s + bstart, blen, &iv->end_min))
        return fu__pol_verr(c, n, FU_EPOLICY, "expected a time range like 09:00-12:00, got '%.40s'", n->text);
    if (iv->start_min >= iv->end_min)
        return fu__pol_verr(c, n, FU_EPOLICY, "time range '%s' ends before it starts", n->text);
    return FU_OK;
}

static int cmp_iv(const void *a, const void *b) {
    const fu__pol_interval *x = a, *y = b;
    return (x->start_min > y->start_min) - (x->start_min < y->start_min);
}

/* One weekday's intervals: sorted, non-overlapping. */
static int parse_day_hours(vctx *c, const ynode *n, fu__pol_interval *ivs, int *count) {
    int rc = fu__pol_want_seq(c, n);
    if (rc) return rc;
    if (n->n > FU__POL_MAX_INTERVALS)
        return fu__pol_verr(c, n, FU_EPOLICY, "more than %d intervals in one day", FU__POL_MAX_INTERVALS);
    const ynode *src[FU__POL_MAX_INTERVALS];
    for (size_t i = 0; i < n->n; i++) {
        size_t old = fu__pol_path_push_idx(c, i);
        rc = parse_interval(c, n->items[i], &ivs[i]);
        fu__pol_path_pop(c, old);
        if (rc) return rc;
        src[i] = n->items[i];
    }
    for (size_t i = 0; i < n->n; i++)
        for (size_t j = 0; j < i; j++)
            if (ivs[i].start_min < ivs[j].end_min && ivs[j].start_min < ivs[i].end_min) {
                size_t old = fu__pol_path_push_idx(c, i);
                rc = fu__pol_verr(c, src[i], FU_EPOLICY, "business hours '%s' overlap '%s'", src[i]->text, src[j]->text);
                fu__pol_path_pop(c, old);
                return rc;
            }
    qsort(ivs, n->n, sizeof *ivs, cmp_iv);
    *count = (int)n->n;
    return FU_OK;
}

typedef struct datevec {
    fu__pol_date *v;
    size_t n, cap;
} datevec;

#define MAX_CAL_DATES 100000

static int datevec_push(vctx *c, const ynode *at, datevec *dv, const fu__pol_date *d) {
    if (dv->n >= MAX_CAL_DATES)
        return fu__pol_verr(c, at, FU_ELIMIT, "more than %d dates in one calendar", MAX_CAL_DATES);
    if (FU_GROW(dv->v, dv->cap, dv->n + 1) != FU_OK) return FU_ENOMEM;
    dv->v[dv->n++] = *d;
    return FU_OK;
}

static int parse_date_at(vctx *c, const ynode *n, const char *s, size_t len, size_t off, fu__pol_date *out) {
    fu_date d;
    int rc = fu_date_parse(s, len, &d);
    if (rc == FU_ENOMEM) return rc;
    if (rc != FU_OK) {
        unsigned long col = n->col + (n->single_line && !n->plain ? 1 : 0) + (n->single_line ? off : 0);
        return fu__error_set_at(FU_EPOLICY, n->src, n->line, col, c->path,
                                "expected a date YYYY-MM-DD or a range YYYY-MM-DD..YYYY-MM-DD, got '%.40s'", n->text);
    }
    out->year = d.year;
    out->month = d.month;
    out->day = d.day;
    if (fu_date_to_days(&d, &out->days) != FU_OK)
        return fu__pol_verr(c, n, FU_EPOLICY, "invalid date '%.40s'", n->text);
    return FU_OK;
}

/* A sequence of dates and date ranges, expanded into `dv`. */
static int parse_dates(vctx *c, const ynode *n, datevec *dv) {
    int rc = fu__pol_want_seq(c, n);
    if (rc) return rc;
    for (size_t i = 0; i < n->n && !rc; i++) {
        size_t old = fu__pol_path_push_idx(c, i);
        const ynode *it = n->items[i];
        rc = fu__pol_want_scalar(c, it, "a date YYYY-MM-DD or a range YYYY-MM-DD..YYYY-MM-DD");
        if (!rc) {
            const char *dots = strstr(it->text, "..");
            fu__pol_date a, z;
            if (dots) {
                size_t al = (size_t)(dots - it->text);
                rc = parse_date_at(c, it, it->text, al, 0, &a);
                if (!rc) rc = parse_date_at(c, it, dots + 2, it->len - al - 2, al + 2, &z);
                if (!rc && z.days < a.days)
                    rc = fu__pol_verr(c, it, FU_EPOLICY, "date range '%s' ends before it starts", it->text);
                if (!rc && z.days - a.days > 366)
                    rc = fu__pol_verr(c, it, FU_EPOLICY, "date range '%s' is longer than a year", it->text);
                for (int64_t d = a.days; !rc && d <= z.days; d++) {
                    fu_date fd;
                    fu__pol_date pd;
                    if (fu_date_from_days(d, &fd) != FU_OK) {
                        rc = fu__pol_verr(c, it, FU_EPOLICY, "invalid date in '%s'", it->text);
                        break;
                    }
                    pd.year = fd.year;
                    pd.month = fd.month;
                    pd.day = fd.day;
                    pd.days = d;
                    rc = datevec_push(c, it, dv, &pd);
                }
            } else {
                rc = parse_date_at(c, it, it->text, it->len, 0, &a);
                if (!rc) rc = datevec_push(c, it, dv, &a);
            }
        }
        fu__pol_path_pop(c, old);
    }
    return rc;
}

static int cmp_date(const void *a, const void *b) {
    const fu__pol_date *x = a, *y = b;
    return (x->days > y->days) - (x->days < y->days);
}

static size_t sort_unique(fu__pol_date *v, size_t n) {
    if (n == 0) return 0;
    qsort(v, n, sizeof *v, cmp_date);
    size_t k = 1;
    for (size_t i = 1; i < n; i++)
        if (v[i].days != v[k - 1].days) v[k++] = v[i];
    return k;
}

static int date_in(const fu__pol_date *v, size_t n, int64_t days) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (v[mid].days < days) lo = mid + 1;
        else hi = mid;
    }
    return lo < n && v[lo].days == days;
}

/* Keep the dates of `v` not in `drop`. */
static size_t remove_dates(fu__pol_date *v, size_t n, const fu__pol_date *drop, size_t nd) {
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!date_in(drop, nd, v[i].days)) v[k++] = v[i];
    return k;
}

typedef struct calb {
    int state; /* 0 todo, 1 building, 2 done */
    const ynode *tz_node;
} calb;

static int build_calendar(vctx *c, const ynode *cals, fu__pol_calendar *out, calb *st, size_t i);

static const char *const calendar_keys[] = {"extends", "tz", "hours", "holidays", "workdays", "data_until", NULL};

/* `extends`: the parent is built first (depth first, cycles are errors) and
 * its zone and hours are copied; *parent stays NULL without `extends`. */
static int calendar_parent(vctx *c, const ynode *cals, fu__pol_calendar *out, calb *st, size_t i,
                           const fu__pol_calendar **parent) {
    const ynode *cn = cals->ents[i].val;
    fu__pol_calendar *cal = &out[i];
    int rc;
    const ynode *ext;
    if ((rc = fu__pol_field(c, cn, "extends", 0, &ext))) return rc;
    if (ext) {
        size_t old = fu__pol_path_push(c, "extends");
        rc = fu__pol_want_scalar(c, ext, "a calendar name");
        size_t j = 0;
        if (!rc) {
            for (j = 0; j < cals->n; j++)
                if (strcmp(cals->ents[j].key->text, ext->text) == 0) break;
            if (j == cals->n) {
                const char *names[64];
                size_t nn = 0;
                for (size_t k = 0; k < cals->n && nn < 64; k++) names[nn++] = cals->ents[k].key->text;
                rc = fu__pol_unknown_name(c, ext, "calendar", ext->text, names, nn);
            } else if (st[j].state == 1) {
                rc = fu__pol_verr(c, ext, FU_EPOLICY, "calendar '%s' extends itself (through '%s')", cal->name, ext->text);
            }
        }
        if (!rc && st[j].state == 0) {
            char saved[sizeof c->path];
            size_t slen = c->plen;
            memcpy(saved, c->path, sizeof saved);
            fu__pol_path_pop(c, 0);
            fu__pol_path_push(c, "calendars");
            fu__pol_path_push(c, cals->ents[j].key->text);
            rc = build_calendar(c, cals, out, st, j);
            memcpy(c->path, saved, sizeof saved);
            c->plen = slen;
        }
        fu__pol_path_pop(c, old);
        if (rc) return rc;
        *parent = &out[j];
        st[i].tz_node = st[j].tz_node;
        cal->tz = (*parent)->tz;
        memcpy(cal->hours, (*parent)->hours, sizeof cal->hours);
        memcpy(cal->n_hours, (*parent)->n_hours, sizeof cal->n_hours);
        cal->has_hours = (*parent)->has_hours;
    }
    return FU_OK;
}

static int calendar_hours(vctx *c, const ynode *cn, fu__pol_calendar *cal, const fu__pol_calendar *parent) {
    int rc;
    const ynode *hours;
    if ((rc = fu__pol_field(c, cn, "hours", 0, &hours))) return rc;
    if (hours) {
        size_t old = fu__pol_path_push(c, "hours");
        rc = fu__pol_check_keys(c, hours, fu__pol_weekday_keys);
        for (int d = 0; d < 7 && !rc; d++) {
            const ynode *dn = fu__pol_map_get(hours, fu__pol_weekday_keys[d]);
            if (!dn) {
                if (!parent) cal->n_hours[d] = 0;
                continue;
            }
            size_t o2 = fu__pol_path_push(c, fu__pol_weekday_keys[d]);
            if (dn->kind == YN_SCALAR && dn->is_null) cal->n_hours[d] = 0;
            else rc = parse_day_hours(c, dn, cal->hours[d], &cal->n_hours[d]);
            fu__pol_path_pop(c, o2);
        }
        fu__pol_path_pop(c, old);
        if (rc) return rc;
        cal->has_hours = 1;
    }
    return FU_OK;
}

/* Own holidays and workdays combined with the parent's, and `data_until`. */
static int calendar_dates(vctx *c, const ynode *cn, fu__pol_calendar *cal, const fu__pol_calendar *parent,
                          datevec *hol, datevec *wrk) {
    int rc;
    const ynode *hn, *wn;
    if ((rc = fu__pol_field(c, cn, "holidays", 0, &hn))) return rc;
    if ((rc = fu__pol_field(c, cn, "workdays", 0, &wn))) return rc;
    if (hn) {
        size_t old = fu__pol_path_push(c, "holidays");
        rc = parse_dates(c, hn, hol);
        fu__pol_path_pop(c, old);
        if (rc) return rc;
    }
    if (wn) {
        size_t old = fu__pol_path_push(c, "workdays");
        rc = parse_dates(c, wn, wrk);
        fu__pol_path_pop(c, old);
        if (rc) return rc;
    }
    hol->n = sort_unique(hol->v, hol->n);
    wrk->n = sort_unique(wrk->v, wrk->n);
    for (size_t k = 0; k < wrk->n; k++)
        if (date_in(hol->v, hol->n, wrk->v[k].days)) {
            size_t old = fu__pol_path_push(c, "workdays");
            rc = fu__pol_verr(c, wn, FU_EPOLICY, "%04d-%02d-%02d is both a holiday and a workday", wrk->v[k].year,
                      wrk->v[k].month, wrk->v[k].day);
            fu__pol_path_pop(c, old);
            return rc;
        }
    /* combine with the parent: own declarations win over inherited ones */
    size_t nh = hol->n, nw = wrk->n;
    size_t ph = parent ? parent->n_holidays : 0, pw = parent ? parent->n_workdays : 0;
    fu__pol_date *H = fu__arena_alloc(c->a, (nh + ph + 1) * sizeof *H);
    fu__pol_date *W = fu__arena_alloc(c->a, (nw + pw + 1) * sizeof *W);
    if (!H || !W) return fu__error_nomem();
    if (ph) memcpy(H, parent->holidays, ph * sizeof *H);
    if (pw) memcpy(W, parent->workdays, pw * sizeof *W);
    ph = remove_dates(H, ph, wrk->v, nw);
    pw = remove_dates(W, pw, hol->v, nh);
    if (nh) memcpy(H + ph, hol->v, nh * sizeof *H);
    if (nw) memcpy(W + pw, wrk->v, nw * sizeof *W);
    cal->holidays = H;
    cal->n_holidays = sort_unique(H, ph + nh);
    cal->workdays = W;
    cal->n_workdays = sort_unique(W, pw + nw);
    /* the data's end: `data_until`; else the parent's (a site's own day off
     * in a new year is no official notice: review s9 F20); else the end of
     * the latest year listed */
    int last_year = 0;
    if (cal->n_holidays) last_year = cal->holidays[cal->n_holidays - 1].year;
    if (cal->n_workdays && cal->workdays[cal->n_workdays - 1].year > last_year)
        last_year = cal->workdays[cal->n_workdays - 1].year;
    cal->data_until = INT64_MAX;
    if (last_year) {
        fu_date end = {last_year, 12, 31};
        if (fu_date_to_days(&end, &cal->data_until) != FU_OK) cal->data_until = INT64_MAX;
    }
    if (parent && parent->data_until != INT64_MAX) cal->data_until = parent->data_until;
    const ynode *du;
    if ((rc = fu__pol_field(c, cn, "data_until", 0, &du))) return rc;
    if (du) {
        size_t old = fu__pol_path_push(c, "data_until");
        fu__pol_date d;
        rc = fu__pol_want_scalar(c, du, "a date YYYY-MM-DD");
        if (!rc) rc = parse_date_at(c, du, du->text, du->len, 0, &d);
        if (!rc) cal->data_until = d.days;
        fu__pol_path_pop(c, old);
    }
    return rc;
}

static int build_calendar_body(vctx *c, const ynode *cals, fu__pol_calendar *out, calb *st, size_t i,
                               datevec *hol, datevec *wrk) {
    const ynode *cn = cals->ents[i].val;
    fu__pol_calendar *cal = &out[i];
    int rc = fu__pol_check_keys(c, cn, calendar_keys);
    if (rc) return rc;
    const fu__pol_calendar *parent = NULL;
    if ((rc = calendar_parent(c, cals, out, st, i, &parent))) return rc;
    const ynode *tz;
    if ((rc = fu__pol_field(c, cn, "tz", parent == NULL, &tz))) return rc;
    if (tz) {
        size_t old = fu__pol_path_push(c, "tz");
        rc = fu__pol_str_of(c, tz, &cal->tz);
        fu__pol_path_pop(c, old);
        if (rc) return rc;
        st[i].tz_node = tz;
    }
    if ((rc = calendar_hours(c, cn, cal, parent))) return rc;
    return calendar_dates(c, cn, cal, parent, hol, wrk);
}

static int make_fu_calendar(vctx *c, fu__pol_calendar *cal, const ynode *tz_node) {
    owned *o = NULL;
    int rc = fu__pol_register_owned(c, 0, &o);
    if (rc) return rc;
    fu_calendar *fc = NULL;
    rc = fu_calendar_new(&fc, cal->tz);
    if (rc == FU_ENOMEM) return rc;
    if (rc != FU_OK) {
        size_t old = c->plen;
        if (tz_node) fu__pol_path_push(c, "tz");
        rc = fu__pol_verr(c, tz_node, FU_ETIMEZONE, "unknown time zone '%s'", cal->tz);
        fu__pol_path_pop(c, old);
        return rc;
    }
    o->ptr = fc;
    cal->cal = fc;
    if (cal->has_hours) {
        for (int d = 0; d < 7; d++) {
            fu_day_interval iv[FU__POL_MAX_INTERVALS];
            for (int k = 0; k < cal->n_hours[d]; k++) {
                iv[k].start_minute = cal->hours[d][k].start_min;
                iv[k].end_minute = cal->hours[d][k].end_min;
            }
            rc = fu_calendar_set_hours(fc, d, iv, (size_t)cal->n_hours[d]);
            if (rc) return rc == FU_ENOMEM ? rc : fu__pol_verr(c, tz_node, rc, "calendar '%s': %s", cal->name, fu_error_last()->message);
        }
    }
    for (size_t k = 0; k < cal->n_holidays; k++) {
        fu_date d = {cal->holidays[k].year, cal->holidays[k].month, cal->holidays[k].day};
        rc = fu_calendar_add_holiday(fc, &d, NULL);
        if (rc) return rc;
    }
    for (size_t k = 0; k < cal->n_workdays; k++) {
        fu_date d = {cal->workdays[k].year, cal->workdays[k].month, cal->workdays[k].day};
        rc = fu_calendar_add_workday(fc, &d, FU_MONDAY);
        if (rc) return rc;
    }
    return FU_OK;
}

static int build_calendar(vctx *c, const ynode *cals, fu__pol_calendar *out, calb *st, size_t i) {
    st[i].state = 1;
    out[i].name = cals->ents[i].key->text;
    datevec hol = {NULL, 0, 0}, wrk = {NULL, 0, 0};
    int rc = build_calendar_body(c, cals, out, st, i, &hol, &wrk);
    fu__free(hol.v);
    fu__free(wrk.v);
    if (!rc) rc = make_fu_calendar(c, &out[i], st[i].tz_node);
    st[i].state = 2;
    return rc;
}

int fu__pol_build_calendars(bctx *b, const ynode *root) {
    vctx *c = b->c;
    fu__policy *t = &c->p->t;
    const ynode *cals;
    size_t old;
    int rc = fu__pol_enter(c, root, "calendars", 1, &cals, &old);
    if (rc) return rc;
    rc = fu__pol_want_map(c, cals);
    if (rc) goto out;
    if (cals->n == 0) {
        rc = fu__pol_verr(c, cals, FU_EPOLICY, "at least one calendar is needed");
        goto out;
    }
    fu__pol_calendar *cv = fu__arena_calloc(c->a, cals->n, sizeof *cv);
    calb *st = fu__calloc(cals->n, sizeof *st);
    if (!cv || !st) {
        fu__free(st);
        rc = fu__error_nomem();
        goto out;
    }
    for (size_t i = 0; i < cals->n && !rc; i++) {
        if (st[i].state) continue;
        size_t o2 = fu__pol_path_push(c, cals->ents[i].key->text);
        rc = build_calendar(c, cals, cv, st, i);
        fu__pol_path_pop(c, o2);
    }
    fu__free(st);
    t->calendars = cv;
    t->n_calendars = cals->n;
out:
    fu__pol_path_pop(c, old);
    if (rc) return rc;
    /* the default calendar */
    const ynode *dn;
    if ((rc = fu__pol_field(c, root, "calendar", 1, &dn))) return rc;
    old = fu__pol_path_push(c, "calendar");
    rc = fu__pol_calendar_ref(c, dn, &t->calendar);
    fu__pol_path_pop(c, old);
    return rc;
}

const fu__pol_calendar *fu__pol_find_calendar(const fu__policy *t, const char *name) {
    return fu__pol_find(t->calendars, t->n_calendars, sizeof *t->calendars, name);
}

int fu__pol_calendar_ref(vctx *c, const ynode *n, const fu__pol_calendar **out) {
    const fu__policy *t = &c->p->t;
    int rc = fu__pol_want_scalar(c, n, "a calendar name");
    if (!rc && !(*out = fu__pol_find_calendar(t, n->text))) {
        const char *names[64];
        size_t nn = 0;
        for (size_t k = 0; k < t->n_calendars && nn < 64; k++) names[nn++] = t->calendars[k].name;
        rc = fu__pol_unknown_name(c, n, "calendar", n->text, names, nn);
    }
    return rc;
}


void fu__pol_summary_calendars(fu__buf *b, const fu__policy *t) {
    fu__buf_printf(b, "calendars: %zu (default %s)\n", t->n_calendars, t->calendar->name);
    for (size_t i = 0; i < t->n_calendars; i++) {
        const fu__pol_calendar *c = &t->calendars[i];
        fu__buf_printf(b, "  %s: %s, ", c->name, c->tz);
        if (!c->has_hours) {
            fu__buf_puts(b, "open all the time");
        } else {
            static const char *const dn[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
            int first = 1;
            for (int d = 0; d < 7;) {
                int e = d + 1;
                while (e < 7 && c->n_hours[e] == c->n_hours[d] &&
                       memcmp(c->hours[e], c->hours[d], sizeof(fu__pol_interval) * (size_t)c->n_hours[d]) == 0)
                    e++;
                if (c->n_hours[d]) {
                    if (e - d > 1) fu__buf_printf(b, "%s%s-%s ", first ? "" : "; ", dn[d], dn[e - 1]);
                    else fu__buf_printf(b, "%s%s ", first ? "" : "; ", dn[d]);
                    first = 0;
                    for (int k = 0; k < c->n_hours[d]; k++) {
                        char s1[8], s2[8];
                        fu__pol_fmt_hhmm(c->hours[d][k].start_min, s1);
                        fu__pol_fmt_hhmm(c->hours[d][k].end_min, s2);
                        fu__buf_printf(b, "%s%s-%s", k ? "," : "", s1, s2);
                    }
                }
                d = e;
            }
            if (first) fu__buf_puts(b, "never open");
        }
        fu__buf_printf(b, "; %zu holidays, %zu make-up workdays", c->n_holidays, c->n_workdays);
        if (c->n_holidays)
            fu__buf_printf(b, " (%d..%d)", c->holidays[0].year, c->holidays[c->n_holidays - 1].year);
        fu__buf_puts(b, "\n");
    }
}
