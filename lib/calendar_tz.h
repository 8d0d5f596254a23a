/* A time zone's offset table for fu_calendar (lib/calendar.c): the
 * transitions read from ICU once (lib/calendar_tz.c), the regime lookups and
 * the local-to-UTC conversion. Private to the two calendar files. */
#ifndef FU_CALENDAR_TZ_H
#define FU_CALENDAR_TZ_H

#include <stddef.h>
#include <stdint.h>

#define SECS_PER_DAY INT64_C(86400)
/* 400 Gregorian years = 146097 days = 20871 whole weeks. */
#define DAYS_PER_400Y INT64_C(146097)
#define SECS_PER_400Y (DAYS_PER_400Y * SECS_PER_DAY)

/* Zone table: transitions read from ICU from 1900-01-01 to a little after
 * 2500-01-01 (TABLE_HI); instants from TABLE_HI on are shifted back by whole
 * 400-year cycles into [TABLE_HI - 400y, TABLE_HI). */
#define TABLE_LO_DAY INT64_C(-25567)  /* 1900-01-01 */
#define TABLE_HI_DAY INT64_C(194359)  /* 2500-01-01 */
#define TABLE_HI (TABLE_HI_DAY * SECS_PER_DAY)
#define TABLE_READ_END (TABLE_HI + 4 * SECS_PER_DAY)

typedef struct zone_regime {
    int64_t at; /* first UTC second of the regime (INT64_MIN for the first) */
    int32_t off;
} zone_regime;

/* A zone's regimes, sorted by `at`, and their lookup index (both immutable
 * once loaded, so shared calendars need no locking): zbk[k] is the regime
 * at the start of bucket k, the UTC seconds [ZBK_LO + k * 2^ZBK_SHIFT, ...);
 * a lookup walks forward from there (transitions are rarely closer than a
 * bucket). */
#define ZBK_SHIFT 21
#define ZBK_LO (TABLE_LO_DAY * SECS_PER_DAY)
#define ZBK_N ((size_t)(((INT64_C(109573) - TABLE_LO_DAY) * SECS_PER_DAY) >> ZBK_SHIFT) + 1) /* to 2270 */

typedef struct fu__zone {
    zone_regime *v;
    size_t n;
    uint16_t *zbk; /* ZBK_N entries, or NULL (zone with over 65535 regimes) */
} fu__zone;

/* Reads tzid's transitions from ICU into z (empty on entry); FU_ETIMEZONE
 * for an unknown zone. fu__zone_free releases what it holds. */
int fu__zone_load(fu__zone *z, const char *tzid);
int fu__zone_copy(fu__zone *dst, const fu__zone *src);
void fu__zone_free(fu__zone *z);

/* Index of the regime containing t (t < TABLE_HI + a few days): from the
 * bucket index; fu__zone_index_ref by plain binary search, the reference the
 * index is checked against. */
size_t fu__zone_index(const fu__zone *z, int64_t t);
size_t fu__zone_index_ref(const fu__zone *z, int64_t t);

/* UTC of local seconds L (see fu_calendar_from_local for the rules).
 * *gap is set when L does not exist; *gap_end (may be NULL) then receives
 * the instant the gap ends (the transition), else the result itself. */
int64_t fu__zone_local_to_utc(const fu__zone *z, int64_t L, unsigned flags, int *gap,
                              int64_t *gap_end);

/* Offset regime cursor: [lo, hi) is a span of UTC seconds with offset `off`. */
typedef struct zcur {
    const fu__zone *zn;
    int64_t lo, hi;
    int32_t off;
} zcur;

void fu__zcur_fill(zcur *z, int64_t t);

static inline void zcur_init(zcur *z, const fu__zone *zn) {
    z->zn = zn;
    z->lo = 1;
    z->hi = 0; /* empty */
    z->off = 0;
}

static inline int32_t zcur_off(zcur *z, int64_t t) {
    if (!(t >= z->lo && t < z->hi)) fu__zcur_fill(z, t);
    return z->off;
}

#endif /* FU_CALENDAR_TZ_H */
