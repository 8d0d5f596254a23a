/* A time zone's offset table for fu_calendar: the transitions ICU gives
 * from 1900 to a little after 2500, read once when the calendar is made,
 * then only searched (calendar_tz.h). */
#include "calendar_tz.h"
#include "errtext.h"
#include "followup/calendar.h"
#include "internal.h"

#include <stdio.h>
#include <string.h>

#include <unicode/ucal.h>
#include <unicode/ures.h>
#include <unicode/ustring.h>

static int64_t fdiv(int64_t a, int64_t b) {
    int64_t q = a / b;
    if ((a % b) != 0 && ((a < 0) != (b < 0))) q--;
    return q;
}

static int icu_offset(UCalendar *uc, UDate ms, int32_t *off) {
    UErrorCode st = U_ZERO_ERROR;
    ucal_setMillis(uc, ms, &st);
    int32_t z = ucal_get(uc, UCAL_ZONE_OFFSET, &st);
    int32_t d = ucal_get(uc, UCAL_DST_OFFSET, &st);
    if (U_FAILURE(st)) return 0;
    *off = (z + d) / 1000;
    return 1;
}

static int zone_push(fu__zone *z, size_t *cap, int64_t at, int32_t off) {
    if (FU_GROW(z->v, *cap, z->n + 1)) return FU_ENOMEM;
    z->v[z->n].at = at;
    z->v[z->n].off = off;
    z->n++;
    return FU_OK;
}

/* Builds z->zbk from the loaded regimes. */
static int zone_index_build(fu__zone *z) {
    if (z->n > 65535) return FU_OK;
    z->zbk = fu__calloc(ZBK_N, sizeof *z->zbk);
    if (!z->zbk) return fu__error_nomem();
    size_t i = 0;
    for (size_t k = 0; k < ZBK_N; k++) {
        int64_t t = ZBK_LO + ((int64_t)k << ZBK_SHIFT);
        while (i + 1 < z->n && z->v[i + 1].at <= t) i++;
        z->zbk[k] = (uint16_t)i;
    }
    return FU_OK;
}

/* The error of a zone ICU cannot load: "<what> '<tzid>'<rest>", the id
 * quoted by fu__errtext_cell() (review s9 F2: a phone number in a tz cell). */
static int zone_error(const char *what, const char *tzid, const char *rest) {
    char q[FU_ERRTEXT_CELL_CAP];
    return fu__error_set(FU_ETIMEZONE, "%s '%s'%s", what, fu__errtext_cell_str(q, sizeof q, tzid), rest);
}

int fu__zone_load(fu__zone *z, const char *tzid) {
    size_t len = strlen(tzid);
    UChar uid[128], canon[128];
    UErrorCode st = U_ZERO_ERROR;
    UBool is_system = 0;
    u_uastrncpy(uid, tzid, (int32_t)len);
    int32_t clen = ucal_getCanonicalTimeZoneID(uid, (int32_t)len, canon, 127, &is_system, &st);
    if (U_FAILURE(st) || !is_system || clen <= 0)
        return zone_error("unknown time zone", tzid, "");
    canon[clen] = 0;
    char canon8[128];
    u_austrncpy(canon8, canon, 127);
    canon8[127] = '\0';
    if (strcmp(canon8, "Etc/Unknown") == 0)
        return zone_error("unknown time zone", tzid, "");

    UCalendar *uc = ucal_open(uid, (int32_t)len, "en_US_POSIX", UCAL_GREGORIAN, &st);
    if (U_FAILURE(st) || !uc) {
        if (uc) ucal_close(uc);
        char why[64];
        snprintf(why, sizeof why, ": ICU failed (%s)", u_errorName(st));
        return zone_error("time zone", tzid, why);
    }
    int rc = FU_OK;
    size_t cap = 0;
    int32_t off;
    UDate ms = (UDate)(TABLE_LO_DAY * SECS_PER_DAY) * 1000.0;
    if (!icu_offset(uc, ms, &off)) {
        rc = zone_error("time zone", tzid, ": ICU failed to give an offset");
        goto done;
    }
    if ((rc = zone_push(z, &cap, INT64_MIN, off))) goto done;
    for (;;) {
        UDate tr = 0;
        st = U_ZERO_ERROR;
        UBool found = ucal_getTimeZoneTransitionDate(uc, UCAL_TZ_TRANSITION_NEXT, &tr, &st);
        if (U_FAILURE(st) || !found) break;
        if (tr >= (UDate)TABLE_READ_END * 1000.0) break;
        if (!icu_offset(uc, tr, &off)) {
            rc = zone_error("time zone", tzid, ": ICU failed to give an offset");
            goto done;
        }
        int64_t at = fdiv((int64_t)tr, 1000);
        if (off == z->v[z->n - 1].off) continue;
        if ((rc = zone_push(z, &cap, at, off))) goto done;
    }
done:
    ucal_close(uc);
    return rc ? rc : zone_index_build(z);
}

size_t fu__zone_index_ref(const fu__zone *z, int64_t t) {
    size_t lo = 0, hi = z->n; /* v[lo].at <= t always (v[0].at = INT64_MIN) */
    if (z->v[hi - 1].at <= t) return hi - 1; /* the last regime (all of a zone without DST today) */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (z->v[mid].at <= t) lo = mid;
        else hi = mid;
    }
    return lo;
}

size_t fu__zone_index(const fu__zone *z, int64_t t) {
    if (!z->zbk || t < ZBK_LO) return fu__zone_index_ref(z, t);
    uint64_t k = (uint64_t)(t - ZBK_LO) >> ZBK_SHIFT;
    if (k >= ZBK_N) return fu__zone_index_ref(z, t);
    size_t i = z->zbk[k];
    while (i + 1 < z->n && z->v[i + 1].at <= t) i++;
    return i;
}

void fu__zcur_fill(zcur *z, int64_t t) {
    const fu__zone *c = z->zn;
    int64_t shift = 0;
    if (t >= TABLE_HI) shift = ((t - TABLE_HI) / SECS_PER_400Y + 1) * SECS_PER_400Y;
    int64_t tt = t - shift;
    size_t i = fu__zone_index(c, tt);
    int64_t lo = c->v[i].at, hi = i + 1 < c->n ? c->v[i + 1].at : INT64_MAX;
    if (hi > TABLE_HI) hi = TABLE_HI;
    if (shift) {
        if (lo < TABLE_HI - SECS_PER_400Y) lo = TABLE_HI - SECS_PER_400Y;
        lo += shift;
        hi += shift;
    }
    z->lo = lo;
    z->hi = hi;
    z->off = c->v[i].off;
}

/* L can only be in the regimes near the one that holds L read as UTC. */
int64_t fu__zone_local_to_utc(const fu__zone *c, int64_t L, unsigned flags, int *gap,
                              int64_t *gap_end) {
    int64_t shift = 0;
    if (L >= TABLE_HI) shift = ((L - TABLE_HI) / SECS_PER_400Y + 1) * SECS_PER_400Y;
    int64_t l = L - shift;
    size_t j = fu__zone_index(c, l);
    {
        /* fast path: L read with regime j's offset lands two days or more
         * inside j, so no other regime (offsets differ by under 2 days)
         * holds it: no gap, no repeat */
        int64_t u = l - c->v[j].off, b = j + 1 < c->n ? c->v[j + 1].at : INT64_MAX;
        if ((j == 0 || u - 2 * SECS_PER_DAY >= c->v[j].at) && (b == INT64_MAX || u < b - 2 * SECS_PER_DAY)) {
            *gap = 0;
            if (gap_end) *gap_end = u + shift;
            return u + shift;
        }
    }
    size_t first = j >= 3 ? j - 3 : 0, last = j + 3 < c->n ? j + 3 : c->n - 1;
    int64_t found_lo = 0, found_hi = 0;
    int nfound = 0;
    int64_t gap_t = 0, gap_b = 0;
    int have_gap = 0;
    for (size_t i = first; i <= last; i++) {
        int64_t a = c->v[i].at;
        int64_t b = i + 1 < c->n ? c->v[i + 1].at : INT64_MAX;
        int64_t u = l - c->v[i].off;
        if (u >= a && u < b) {
            if (!nfound) found_lo = u;
            found_hi = u;
            nfound++;
        } else if (u >= b) {
            /* L is past the local end of regime i: if it is in no regime, it
             * is in the gap after the last such i; read it with i's offset. */
            gap_t = u;
            gap_b = b;
            have_gap = 1;
        }
    }
    *gap = 0;
    if (nfound) {
        int64_t r = ((flags & FU_LOCAL_LATER) ? found_hi : found_lo) + shift;
        if (gap_end) *gap_end = r;
        return r;
    }
    *gap = 1;
    if (!have_gap) gap_t = gap_b = l - c->v[j].off; /* cannot happen with a sane table */
    if (gap_end) *gap_end = gap_b + shift;
    return gap_t + shift;
}

int fu__zone_copy(fu__zone *dst, const fu__zone *src) {
    dst->v = fu__calloc(src->n, sizeof *dst->v);
    dst->zbk = src->zbk ? fu__calloc(ZBK_N, sizeof *dst->zbk) : NULL;
    if (!dst->v || (src->zbk && !dst->zbk)) {
        fu__zone_free(dst);
        return FU_ENOMEM;
    }
    memcpy(dst->v, src->v, src->n * sizeof *dst->v);
    if (src->zbk) memcpy(dst->zbk, src->zbk, ZBK_N * sizeof *dst->zbk);
    dst->n = src->n;
    return FU_OK;
}

void fu__zone_free(fu__zone *z) {
    FU_FREE_ALL(z->v, z->zbk);
    memset(z, 0, sizeof *z);
}

/* The two-letter region of zone id in ICU's zoneinfo64 (its "Names" are
 * sorted, "Regions" run beside them); 0 when the zone has none. */
static int tz_region(const char *id, char out[3]) {
    UErrorCode st = U_ZERO_ERROR;
    UResourceBundle *top = ures_openDirect(NULL, "zoneinfo64", &st);
    UResourceBundle *names = ures_getByKey(top, "Names", NULL, &st);
    UResourceBundle *regions = ures_getByKey(top, "Regions", NULL, &st);
    int32_t lo = 0, hi = U_SUCCESS(st) ? ures_getSize(names) - 1 : -1, found = -1;
    while (lo <= hi && U_SUCCESS(st)) {
        int32_t mid = lo + (hi - lo) / 2, len = 0;
        const UChar *u = ures_getStringByIndex(names, mid, &len, &st);
        char name[128];
        if (U_FAILURE(st) || len <= 0 || len >= (int32_t)sizeof name) break;
        u_UCharsToChars(u, name, len);
        name[len] = '\0';
        int c = strcmp(id, name);
        if (c == 0) found = mid;
        if (c <= 0) hi = mid - 1;
        if (c >= 0) lo = mid + 1;
    }
    int ok = 0;
    if (found >= 0 && U_SUCCESS(st)) {
        int32_t len = 0;
        const UChar *u = ures_getStringByIndex(regions, found, &len, &st);
        if (U_SUCCESS(st) && len == 2) {
            u_UCharsToChars(u, out, 2);
            out[2] = '\0';
            ok = out[0] >= 'A' && out[0] <= 'Z' && out[1] >= 'A' && out[1] <= 'Z';
        }
    }
    ures_close(regions);
    ures_close(names);
    ures_close(top);
    return ok;
}

int fu__tz_same_country(const char *a, const char *b) {
    if (!a || !b) return 0;
    if (strcmp(a, b) == 0) return 1;
    char ra[3], rb[3];
    return tz_region(a, ra) && tz_region(b, rb) && strcmp(ra, rb) == 0;
}
