/* A policy calendar's rules in another zone (fu_policy_calendar_in_zone,
 * followup/policy.h): what commitments use to date a customer's promise. */
#include "internal.h"
#include "calendar_internal.h"
#include "calendar_zone.h"
#include "followup/calendar.h"
#include "followup/policy.h"

#include <string.h>

long fu__calendar_zone_match(const char *tzid, size_t n, fu__zone_of_fn zone_of, const void *ctx, int *country) {
    for (int c = 0; c < 2; c++) {
        *country = c;
        for (size_t i = 0; i < n; i++) {
            const char *tz = zone_of(ctx, i);
            if (tz && (c ? fu__tz_same_country(tz, tzid) : strcmp(tz, tzid) == 0)) return (long)i;
        }
    }
    return -1;
}

/* Candidates of calendar_of_zone(): 0 the named calendar, i the policy's
 * (i - 1)-th (NULL when it cannot be built). */
typedef struct zone_cands {
    const fu_policy *p;
    const fu_calendar *named;
} zone_cands;

static const fu_calendar *cand_calendar(const zone_cands *z, size_t i) {
    const char *key = NULL;
    if (!i) return z->named;
    if (fu_policy_get_key(z->p, "calendars", i - 1, &key) != FU_OK) return NULL;
    return fu_policy_calendar(z->p, key);
}

static const char *cand_zone(const void *ctx, size_t i) {
    const fu_calendar *c = cand_calendar(ctx, i);
    return c ? fu_calendar_tzid(c) : NULL;
}

/* The first calendar of the policy (`name`'s own first) whose zone is tzid,
 * else the first of tzid's country (*moved = 1: its rules belong in tzid). */
static const fu_calendar *calendar_of_zone(const fu_policy *p, const fu_calendar *named, const char *tzid,
                                           int *moved) {
    size_t n = 0;
    if (fu_policy_get_length(p, "calendars", &n) != FU_OK) n = 0;
    zone_cands z = {p, named};
    long i = fu__calendar_zone_match(tzid, n + 1, cand_zone, &z, moved);
    return i < 0 ? NULL : cand_calendar(&z, (size_t)i);
}

int fu__calendar_rules_in_zone(const fu_calendar *cal, const char *tzid, fu_calendar **own, int *home) {
    *own = NULL;
    *home = fu__tz_same_country(tzid, fu_calendar_tzid(cal));
    if (strcmp(tzid, fu_calendar_tzid(cal)) == 0) return FU_OK;
    if (*home) return fu__calendar_clone_in_zone(own, cal, tzid);
    int rc = fu_calendar_new(own, tzid);
    if (rc == FU_OK && (rc = fu_calendar_copy_hours(*own, cal)) != FU_OK) {
        fu_calendar_free(*own);
        *own = NULL;
    }
    return rc;
}

int fu_policy_calendar_in_zone(const fu_policy *p, const char *name, const char *tzid, fu_calendar **out) {
    if (out) *out = NULL;
    if (!p || !tzid || !out)
        return fu__error_set(FU_EINVAL, "fu_policy_calendar_in_zone: %s is NULL", !p ? "p" : !tzid ? "tzid" : "out");
    const fu_calendar *named = fu_policy_calendar(p, name);
    if (!named) return fu_error_last()->code ? fu_error_last()->code : FU_ENOTFOUND;
    int moved = 0;
    const fu_calendar *same = calendar_of_zone(p, named, tzid, &moved);
    fu_error_clear(); /* a calendar the loop could not build is not this call's failure */
    if (same) return moved ? fu__calendar_clone_in_zone(out, same, tzid) : fu_calendar_clone(out, same);
    fu_calendar *c = NULL;
    int rc = fu_calendar_new(&c, tzid);
    if (rc == FU_OK) rc = fu_calendar_copy_hours(c, named);
    if (rc != FU_OK) {
        fu_calendar_free(c);
        return rc;
    }
    *out = c;
    return FU_OK;
}
