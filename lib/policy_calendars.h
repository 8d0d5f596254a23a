/* The typed `calendars` section (built by policy_calendars.c). */
#ifndef FU_POLICY_CALENDARS_H
#define FU_POLICY_CALENDARS_H

#include "policy_types.h"

/* ------------------------------------------------------------- calendars */

/* One business-hours interval of a weekday, minutes after local midnight,
 * start < end <= 1440; the intervals of a day are sorted and disjoint. */
typedef struct fu__pol_interval {
    int start_min;
    int end_min;
} fu__pol_interval;

/* A date as days since 1970-01-01 (proleptic Gregorian) plus y/m/d. */
typedef struct fu__pol_date {
    int year, month, day;
    int64_t days;
} fu__pol_date;

/* A calendar after `extends:` was resolved (parent's data included). */
typedef struct fu__pol_calendar {
    const char *name;       /* key under `calendars` */
    const char *tz;         /* IANA zone, checked with ICU */
    /* business hours per weekday, index 0 = Monday ... 6 = Sunday */
    fu__pol_interval hours[7][FU__POL_MAX_INTERVALS];
    int n_hours[7];
    const fu__pol_date *holidays; /* sorted, unique, ranges expanded */
    size_t n_holidays;
    const fu__pol_date *workdays; /* make-up working days, sorted, unique */
    size_t n_workdays;
    int has_hours;          /* 0: no `hours` anywhere, the calendar is open all the time */
    int64_t data_until;     /* last day (days since 1970-01-01) the official holidays and
                               make-up days cover: `data_until`, else Dec 31 of the latest
                               year listed; INT64_MAX when it lists none */
    struct fu_calendar *cal; /* built with the calendar API; owned by the policy */
} fu__pol_calendar;

#endif /* FU_POLICY_CALENDARS_H */
