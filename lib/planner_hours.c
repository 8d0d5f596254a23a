/* Caches for the agent step's hot checks (planner_hours.h): the team's
 * `agents` rules per UTC minute, and 15-minute step counts per customer
 * mask (issue 19, audit s10 D1: the agent step converted every candidate
 * instant to the team's and the customer's local time). */
#include "planner_hours.h"
#include "calendar_internal.h"
#include "internal.h"

#include <string.h>

#define AH_DAY INT64_C(86400)
#define AH_DAY_MIN 1440
#define AH_DELTA_MAX 2047 /* minutes to *next a code holds */

static int64_t ah_floordiv(int64_t a, int64_t b) { return a / b - ((a % b) != 0 && ((a < 0) != (b < 0))); }

void fu__ah_team_init(fu__ah_team *T, const fu_calendar *cal, fu__ah_block_fn ref, const void *ctx) {
    memset(T, 0, sizeof *T);
    T->cal = cal;
    T->ref = ref;
    T->ctx = ctx;
    T->day0 = INT64_MIN;
    T->base = 1, T->end = 0;
}

void fu__ah_team_free(fu__ah_team *T) {
    FU_FREE_ALL(T->v, T->state);
    T->v = NULL, T->state = NULL;
    T->day0 = INT64_MIN;
    T->base = 1, T->end = 0;
}

/* The code's rule number of `rule` (1..3), 0 when a fourth rule appears. */
static int rule_id(fu__ah_team *T, const char *rule) {
    for (int k = 1; k < 4; k++) {
        if (!T->rules[k]) T->rules[k] = rule;
        if (T->rules[k] == rule) return k;
    }
    return 0;
}

/* Every offset the team calendar has in UTC day D is whole minutes (then
 * the rules depend on an instant's minute only). */
static int whole_minutes(const fu_calendar *cal, int64_t D) {
    for (int64_t t = D * AH_DAY, end = t + AH_DAY; t < end;) {
        int32_t off;
        int64_t lo, hi;
        if (!fu__calendar_offset_span(cal, t, &off, &lo, &hi) || off % 60 != 0 || hi <= t) return 0;
        t = hi;
    }
    return 1;
}

/* The minutes after a forbidden minute t that answer as it does (rule r,
 * next nx): those up to nx when the team's offset holds from t to nx and the
 * minute before nx answers the same (fu__ah_block_fn); 0 when not sure. */
static int same_span(fu__ah_team *T, int64_t t, const char *r, int64_t nx) {
    int32_t off;
    int64_t lo, hi, nx2 = 0;
    if (nx - 60 <= t || !fu__calendar_offset_span(T->cal, t, &off, &lo, &hi) || hi < nx) return 0;
    if (T->ref(T->ctx, nx - 60, &nx2) != r || nx2 != nx) return 0;
    return (int)((nx - t) / 60) - 1;
}

/* v[0..1439] for UTC day D from the rules themselves; 0 when a minute's
 * answer cannot be coded (not whole minutes, *next too far, a fourth rule). */
static int day_fill(fu__ah_team *T, int64_t D, int16_t *v) {
    if (!whole_minutes(T->cal, D)) return 0;
    for (int i = 0; i < AH_DAY_MIN;) {
        int64_t t = D * AH_DAY + (int64_t)i * 60, nx = t + 60;
        const char *r = T->ref(T->ctx, t, &nx);
        v[i] = 0;
        if (!r) {
            i++;
            continue;
        }
        int k = rule_id(T, r);
        int64_t d = nx - t;
        if (!k || d % 60 != 0 || d < 60 || d > (int64_t)AH_DELTA_MAX * 60) return 0;
        int n = same_span(T, t, r, nx);
        for (int j = 0; j <= n && i < AH_DAY_MIN; j++, i++) v[i] = (int16_t)(k << 11 | (int)(d / 60 - j));
    }
    int16_t run = 0; /* allowed minutes from i to the next forbidden one or the day's end */
    for (int i = AH_DAY_MIN - 1; i >= 0; i--) {
        if (v[i] > 0) run = 0;
        else v[i] = (int16_t)-++run;
    }
    return 1;
}

/* The table's minutes of UTC day D (built at its first use; the table
 * starts 256 days before the first day asked), NULL when none. */
static const int16_t *team_day(fu__ah_team *T, int64_t D) {
    if (T->day0 == INT64_MIN) {
        if (D < -(INT64_C(1) << 24) || D > (INT64_C(1) << 24)) return NULL;
        /* not zeroed: a day's minutes are read only once day_fill() wrote
         * them all (state 1), so only the pages of the days built are touched */
        T->v = fu__malloc((size_t)FU__AH_MAX_DAYS * AH_DAY_MIN * sizeof *T->v);
        T->state = fu__calloc(FU__AH_MAX_DAYS, 1);
        if (!T->v || !T->state) {
            FU_FREE_ALL(T->v, T->state);
            T->v = NULL, T->state = NULL;
            T->nomem = 1;
            return NULL;
        }
        T->day0 = D - 256;
        T->base = T->day0 * AH_DAY;
        T->end = T->base + FU__AH_MAX_DAYS * AH_DAY;
    }
    int64_t d = D - T->day0;
    if (d < 0 || d >= FU__AH_MAX_DAYS) return NULL;
    int16_t *v = T->v + d * AH_DAY_MIN;
    if (!T->state[d]) T->state[d] = day_fill(T, D, v) ? 1 : 2;
    return T->state[d] == 1 ? v : NULL;
}

int fu__ah_team_block_day(fu__ah_team *T, int64_t t, const char **rule, int64_t *next, int32_t *run) {
    if (!T->ref || !T->cal || t < -(INT64_C(1) << 40) || t > (INT64_C(1) << 40)) return 0;
    int64_t u = ah_floordiv(t, 60), D = ah_floordiv(u, AH_DAY_MIN);
    const int16_t *v = team_day(T, D);
    if (!v) return 0;
    int c = v[u - D * AH_DAY_MIN];
    if (c < 0) return *rule = NULL, *run = -c, 1;
    *rule = T->rules[c >> 11];
    *next = (u + (c & AH_DELTA_MAX)) * 60;
    return 1;
}

/* ---------------------------------------------------------------- step tables */

static int bit2(const uint64_t *a, const uint64_t *b, int m) {
    return (int)((a[m >> 6] & b[m >> 6]) >> (m & 63) & 1u);
}

/* v[m]: 15-minute steps from m to the first minute in a & b, at most 255,
 * for every m (the steps wrap around the week: 10080 = 672 * 15). */
static void steps_fill(uint8_t *v, const uint64_t *a, const uint64_t *b) {
    enum { W = FU_MINUTES_PER_WEEK, S = 15, N = W / S };
    for (int r = 0; r < S; r++) {
        int i0 = -1;
        for (int i = 0; i < N && i0 < 0; i++)
            if (bit2(a, b, r + i * S)) i0 = i;
        if (i0 < 0) {
            for (int i = 0; i < N; i++) v[r + i * S] = 255;
            continue;
        }
        int c = 0;
        for (int k = 0; k < N; k++) { /* backwards from a set minute, around the week */
            int i = ((i0 - k) % N + N) % N, m = r + i * S;
            c = bit2(a, b, m) ? 0 : c < 255 ? c + 1 : 255;
            v[m] = (uint8_t)c;
        }
    }
}

int fu__ah_steps_get(fu__ah_steps *S, const void *key, int a, int b, const uint64_t *ok1, const uint64_t *ok2,
                     const uint64_t *seen1, const uint8_t **to_ok, const uint8_t **to_seen) {
    for (size_t i = 0; i < S->n; i++)
        if (S->e[i].key == key && S->e[i].a == a && S->e[i].b == b)
            return *to_ok = S->e[i].to_ok, *to_seen = S->e[i].to_seen, 1;
    if (S->n == FU__AH_MAX_STEPS) return 0;
    uint8_t *v = fu__malloc(2 * FU_MINUTES_PER_WEEK);
    if (!v) return S->nomem = 1, 0;
    steps_fill(v, ok1, ok2);
    steps_fill(v + FU_MINUTES_PER_WEEK, seen1, ok2);
    S->e[S->n].key = key;
    S->e[S->n].a = a;
    S->e[S->n].b = b;
    S->e[S->n].to_ok = v;
    S->e[S->n].to_seen = v + FU_MINUTES_PER_WEEK;
    S->n++;
    return *to_ok = v, *to_seen = v + FU_MINUTES_PER_WEEK, 1;
}

void fu__ah_steps_free(fu__ah_steps *S) {
    for (size_t i = 0; i < S->n; i++) fu__free(S->e[i].to_ok);
    S->n = 0;
}

/* ---------------------------------------------------------------- where the team and a customer meet */

/* Some minute of m .. m + len - 1 (around the week) is set in both a and b. */
static int any_both(const uint64_t *a, const uint64_t *b, int m, int len) {
    while (len > 0) {
        int w = m >> 6, o = m & 63, k = 64 - o;
        if (k > len) k = len;
        if (k > FU_MINUTES_PER_WEEK - m) k = FU_MINUTES_PER_WEEK - m;
        uint64_t sel = (k == 64 ? ~UINT64_C(0) : ((UINT64_C(1) << k) - 1)) << o;
        if (a[w] & b[w] & sel) return 1;
        len -= k;
        m += k;
        if (m == FU_MINUTES_PER_WEEK) m = 0;
    }
    return 0;
}

/* The local minute of the week of UTC second t at offset off (Monday 0). */
static int week_minute(int64_t t, int32_t off) {
    int64_t L = t + off, day = ah_floordiv(L, AH_DAY);
    int wd = (int)(((day % 7) + 7 + 3) % 7); /* 1970-01-01 was a Thursday */
    return wd * AH_DAY_MIN + (int)((L - day * AH_DAY) / 60);
}

/* Bits 1 and 2 for the UTC instants [t, e) (minute starts, the same answer
 * of the team) in cal's offset regimes, until both are set; -1 when cal has
 * no offset there, or (`whole`) one that is not whole minutes. */
static int meet_run(const fu_calendar *cal, int64_t t, int64_t e, const uint64_t *ok1, const uint64_t *ok2,
                    const uint64_t *seen1, int whole) {
    int r = 0;
    while (t < e && r != 3) {
        int32_t off;
        int64_t lo, hi;
        if (!fu__calendar_offset_span(cal, t, &off, &lo, &hi) || hi <= t || (whole && off % 60 != 0)) return -1;
        int64_t stop = hi < e ? hi : e;
        int len = (int)((stop - t + 59) / 60), m = week_minute(t, off);
        if (len > FU_MINUTES_PER_WEEK) len = FU_MINUTES_PER_WEEK;
        if (any_both(ok1, ok2, m, len)) r |= 1;
        if (any_both(seen1, ok2, m, len)) r |= 2;
        t = stop;
    }
    return r;
}

/* Bits 1 and 2 of fu__ah_meet_days() for UTC day D of the team table's
 * minutes v; 0 with *ok 0 when cal has no offset there. */
static int meet_day(const int16_t *v, int64_t D, const fu_calendar *cal, const uint64_t *ok1, const uint64_t *ok2,
                    const uint64_t *seen1, int *ok) {
    int r = 0;
    *ok = 1;
    for (int i = 0; i < AH_DAY_MIN && r != 3;) {
        if (v[i] >= 0) {
            i++;
            continue;
        }
        int run = -v[i]; /* allowed minutes i .. i + run - 1, in offset regimes of cal */
        int64_t t = D * AH_DAY + (int64_t)i * 60;
        int q = meet_run(cal, t, t + (int64_t)run * 60, ok1, ok2, seen1, 1);
        if (q < 0) return *ok = 0, 0;
        r |= q;
        i += run;
    }
    return r;
}

/* The meet cache entry of (cal, key, a, b), NULL when full or no memory. */
static uint8_t *meet_entry(fu__ah_meet *M, const fu_calendar *cal, const void *key, int a, int b) {
    size_t l = M->last;
    if (l < M->n && M->e[l].cal == cal && M->e[l].key == key && M->e[l].a == a && M->e[l].b == b) return M->e[l].day;
    for (size_t i = 0; i < M->n; i++)
        if (M->e[i].cal == cal && M->e[i].key == key && M->e[i].a == a && M->e[i].b == b)
            return M->last = i, M->e[i].day;
    if (M->n == FU__AH_MAX_STEPS) return NULL;
    uint8_t *d = fu__calloc(FU__AH_MAX_DAYS, 1);
    if (!d) return M->nomem = 1, NULL;
    M->e[M->n].cal = cal;
    M->e[M->n].key = key;
    M->e[M->n].a = a;
    M->e[M->n].b = b;
    M->e[M->n].day = d;
    M->last = M->n++;
    return d;
}

int fu__ah_meet_days(fu__ah_meet *M, fu__ah_team *T, const fu_calendar *cal, const void *key, int a, int b,
                     const uint64_t *ok1, const uint64_t *ok2, const uint64_t *seen1, int64_t t1, int64_t t2) {
    if (t2 < t1 || t1 < -(INT64_C(1) << 40) || t2 > (INT64_C(1) << 40)) return -1;
    uint8_t *day = meet_entry(M, cal, key, a, b);
    if (!day) return -1;
    int r = 0;
    for (int64_t D = ah_floordiv(t1, AH_DAY), D2 = ah_floordiv(t2, AH_DAY); D <= D2 && !(r & 1); D++) {
        const int16_t *v = team_day(T, D);
        if (!v) return -1;
        uint8_t *f = &day[D - T->day0];
        if (!(*f & 12)) {
            int ok;
            int q = meet_day(v, D, cal, ok1, ok2, seen1, &ok);
            *f = (uint8_t)(ok ? 8 | q : 4); /* 4: cannot tell */
        }
        if (*f & 4) return -1;
        r |= *f & 3;
    }
    return r;
}

void fu__ah_meet_free(fu__ah_meet *M) {
    for (size_t i = 0; i < M->n; i++) fu__free(M->e[i].day);
    M->n = M->last = 0;
}

/* The first UTC minute start at or after t. */
static int64_t minute_ceil(int64_t t) { return -ah_floordiv(-t, 60) * 60; }

int fu__ah_meet_ref(fu__ah_span_fn team, const void *ctx, const fu_calendar *team_cal, const fu_calendar *cal,
                    const uint64_t *ok1, const uint64_t *ok2, const uint64_t *seen1, int64_t t1, int64_t t2) {
    if (t2 < t1 || t1 < -(INT64_C(1) << 40) || t2 > (INT64_C(1) << 40)) return -1;
    int64_t t = ah_floordiv(t1, AH_DAY) * AH_DAY, end = (ah_floordiv(t2, AH_DAY) + 1) * AH_DAY;
    int r = 0;
    while (t < end && !(r & 1)) { /* t: a minute start; [t, stop): one answer of the team */
        int32_t off;
        int64_t lo, hi, nx, open;
        if (!fu__calendar_offset_span(team_cal, t, &off, &lo, &hi) || hi <= t) return -1;
        const char *rule = team(ctx, t, &nx, &open);
        int64_t stop = rule ? nx : open;
        if (stop > hi) stop = hi;
        if (stop > end) stop = end;
        stop = minute_ceil(stop);
        if (stop <= t) stop = t + 60;
        if (!rule) {
            int q = meet_run(cal, t, stop, ok1, ok2, seen1, 0);
            if (q < 0) return -1;
            r |= q;
        }
        t = stop;
    }
    return r;
}
