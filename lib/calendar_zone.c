/* A policy calendar's rules in another zone (fu_policy_calendar_in_zone,
 * followup/policy.h): what commitments use to date a customer's promise. */
#include "internal.h"
#include "calendar_internal.h"
#include "followup/calendar.h"
#include "followup/policy.h"

#include <string.h>

static int tz_equal(const char *a, const char *b) { return strcmp(a, b) == 0; }

/* The first calendar of the policy (`name`'s own first) whose zone is tzid,
 * else the first of tzid's country (*moved = 1: its rules belong in tzid). */
static const fu_calendar *calendar_of_zone(const fu_policy *p, const fu_calendar *named, const char *tzid,
                                           int *moved) {
    size_t n = 0;
    if (fu_policy_get_length(p, "calendars", &n) != FU_OK) n = 0;
    for (int country = 0; country < 2; country++) {
        int (*same)(const char *, const char *) = country ? fu__tz_same_country : tz_equal;
        *moved = country;
        if (same(fu_calendar_tzid(named), tzid)) return named;
        for (size_t i = 0; i < n; i++) {
            const char *key = NULL;
            if (fu_policy_get_key(p, "calendars", i, &key) != FU_OK) continue;
            const fu_calendar *c = fu_policy_calendar(p, key);
            if (c && same(fu_calendar_tzid(c), tzid)) return c;
        }
    }
    return NULL;
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
    if (!p || !tzid || !out) return fu__error_set(FU_EINVAL, "fu_policy_calendar_in_zone: NULL argument");
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
