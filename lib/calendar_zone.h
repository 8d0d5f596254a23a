/* Which calendar's holidays and rules hold in a time zone, in one place:
 * the planner's zones (lib/planner_time.c fu__pl_zone_get()) and
 * fu_policy_calendar_in_zone() (lib/calendar_zone.c) search alike. Internal. */
#ifndef FU_CALENDAR_ZONE_H
#define FU_CALENDAR_ZONE_H

#include <stddef.h>

/* The zone of candidate i of the caller's list (ctx), NULL to skip it. */
typedef const char *(*fu__zone_of_fn)(const void *ctx, size_t i);

/* Among n candidate calendars (the caller's preferred one first, then the
 * policy's in order): the first whose zone is tzid, else the first of
 * tzid's country (*country = 1: its rules move into tzid, as PRC and
 * Asia/Urumqi keep cn's holidays, review s9 F25; Hong Kong does not).
 * Its index, -1 when none (*country = 1). */
long fu__calendar_zone_match(const char *tzid, size_t n, fu__zone_of_fn zone_of, const void *ctx, int *country);

#endif
