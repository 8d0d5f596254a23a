/* Internals of fu_calendar that other modules use (policy reports errors at
 * the position of a value inside a YAML file). Not installed. */
#ifndef FU_CALENDAR_INTERNAL_H
#define FU_CALENDAR_INTERNAL_H

#include "followup/calendar.h"
#include "internal.h"

/* Where a piece of text sits in a larger input, for error positions: errors
 * are reported at `source`, `line`, `column + offset_in_text` and `path`.
 * A NULL position means the public defaults ("<windows>", "<hours>",
 * "<time>", line 1, column 1 = first byte of the text). */
typedef struct fu__textpos {
    const char *source;
    unsigned long line;
    unsigned long column; /* column of the text's first byte */
    const char *path;
} fu__textpos;

int fu__windows_parse_at(const char *text, size_t len, const fu__textpos *pos,
                         fu_windows **out);
int fu__calendar_set_hours_text_at(fu_calendar *cal, const char *text, size_t len,
                                   const fu__textpos *pos);
int fu__time_parse_at(const char *text, size_t len, const fu__textpos *pos,
                      int *offset_seconds, int64_t *out);
int fu__date_parse_at(const char *text, size_t len, const fu__textpos *pos, fu_date *out);

/* Days since 1970-01-01 of a valid proleptic Gregorian date (no checks). */
int64_t fu__days_from_civil(int64_t y, int m, int d);
/* The date of a day number (no range checks). */
void fu__civil_from_days(int64_t days, int64_t *y, int *m, int *d);

/* fu_calendar_add_working_days(); `walk` non-zero finds the target day by
 * walking day by day instead of from the working-day ordinal table (the
 * reference the table is tested against). */
int fu__calendar_add_working_days_at(const fu_calendar *cal, int64_t t, int n,
                                     fu_workday_mode mode, int walk, int64_t *out);

/* Index of the zone regime containing UTC second t (t below year 2500 + a
 * few days): `ref` non-zero uses the plain binary search, else the bucket
 * index that the conversions use (tests compare the two). */
size_t fu__calendar_zone_index(const fu_calendar *c, int64_t t, int ref);

/* The UTC offset at t and the span [*lo, *hi) of UTC seconds around t that
 * keeps it (the zone regime, cut to the instants fu_calendar_minute_of_week()
 * and fu_calendar_utc_offset() answer without clamping): 1, or 0 when t is
 * outside them (nothing set). Lets a caller convert many instants of one
 * regime without a lookup each (the planner's agent step). */
int fu__calendar_offset_span(const fu_calendar *c, int64_t t, int32_t *off, int64_t *lo, int64_t *hi);

/* t plus `months` calendar months in c's local time: the same local clock
 * time and day of the month (the month's last day when it has fewer), read
 * back as fu_calendar_from_local(flags 0) reads it: what
 * fu_calendar_to_local, the month shift and fu_calendar_from_local give,
 * without filling fu_local. FU_ERANGE outside years 1..9999. */
int fu__calendar_add_months(const fu_calendar *c, int64_t t, int64_t months, int64_t *out);

/* A copy of c (hours, holidays, make-up days) whose local times are in
 * zone tzid: a country's calendar for a customer in another of its zones. */
int fu__calendar_clone_in_zone(fu_calendar **out, const fu_calendar *c, const char *tzid);

/* cal's rules for a customer in zone tzid (lib/calendar_zone.c): *own NULL
 * when tzid is cal's own zone (use cal); in another zone of cal's country a
 * copy in tzid with its holidays and make-up days; elsewhere a calendar in
 * tzid with cal's weekly hours only. *home: tzid is in cal's country (its
 * holidays hold). *own is the caller's (fu_calendar_free()). */
int fu__calendar_rules_in_zone(const fu_calendar *cal, const char *tzid, fu_calendar **own, int *home);

#endif /* FU_CALENDAR_INTERNAL_H */
