/**
 * @file followup/calendar.h
 * @brief Time text, weekly windows, time zones, local time and business calendars.
 *
 * Everything in libfollowup counts time as `int64_t` seconds since the Unix
 * epoch, UTC. This module is the only place where local time exists:
 *
 * - **ISO 8601 text** (fu_time_parse(), fu_time_format(), fu_date_parse()):
 *   pure arithmetic on the proleptic Gregorian calendar, years 1..9999, no
 *   ICU and no C library time functions.
 * - **Weekly windows** (#fu_windows): sets of local minutes of the week written
 *   like `Mon-Fri 09:00-12:00;Sat 10:00-12:00`, used for quiet hours,
 *   preferred contact times and do-not-disturb periods.
 * - **Calendars** (#fu_calendar): an IANA time zone (through ICU) plus
 *   optional business hours, holidays and make-up working days (China's 调休).
 *
 * **Weekdays** are numbered Monday = 0 … Sunday = 6 everywhere (#fu_weekday).
 * **Hour of week** is 0..167 with Monday 00:00–00:59 = 0; **minute of week**
 * is 0..10079 with Monday 00:00 = 0; both are local to a calendar.
 *
 * **Threads.** Configuring a calendar (fu_calendar_set_hours(),
 * fu_calendar_add_holiday(), …) needs exclusive use. Every query takes a
 * `const fu_calendar *`, never modifies it and keeps no hidden cache in it, so
 * any number of threads may query one calendar at the same time once it is no
 * longer being configured. The same holds for #fu_windows.
 *
 * **Time zone data.** When a calendar is created, the zone's UTC offset
 * transitions from 1900 to 2500 are read from ICU into a sorted table; every
 * later query uses only that table (binary search), never ICU. Instants
 * before 1900 use the zone's offset at the start of 1900. Instants from 2500
 * on are mapped back by whole 400-year Gregorian cycles (146097 days, so
 * weekdays and rule-based DST dates repeat exactly) into 2100..2500.
 */
#ifndef FOLLOWUP_CALENDAR_H
#define FOLLOWUP_CALENDAR_H

#include "followup/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Days of the week, Monday first (ISO 8601 order, zero-based). */
typedef enum fu_weekday {
    FU_MONDAY = 0,
    FU_TUESDAY = 1,
    FU_WEDNESDAY = 2,
    FU_THURSDAY = 3,
    FU_FRIDAY = 4,
    FU_SATURDAY = 5,
    FU_SUNDAY = 6
} fu_weekday;

/** Hours in a week (0..167 is the hour-of-week range). */
#define FU_HOURS_PER_WEEK 168
/** Minutes in a week (0..10079 is the minute-of-week range). */
#define FU_MINUTES_PER_WEEK 10080

/* ===================================================================== */
/** @name Dates and ISO 8601 time text
 *  Proleptic Gregorian calendar, years 1..9999. @{ */

/** A calendar date (no time, no zone). */
typedef struct fu_date {
    int year;  /**< 1..9999 */
    int month; /**< 1..12 */
    int day;   /**< 1..31, valid for the month */
} fu_date;

/** Buffer size that always suffices for fu_time_format() (25 characters + NUL). */
#define FU_TIME_TEXT_SIZE 26
/** Buffer size that always suffices for fu_date_format() (10 characters + NUL). */
#define FU_DATE_TEXT_SIZE 11

/** fu_time_format() flag: write `Z` instead of `+00:00` when the offset is 0. */
#define FU_TIME_FORMAT_Z 0x1u

/**
 * Parse an ISO 8601 timestamp with a UTC offset into seconds since the epoch.
 *
 * Accepted: `YYYY-MM-DDTHH:MM:SS` followed by `Z`, `+HH:MM`, `-HH:MM`, `+HHMM`
 * or `+HH` (also `z`, and a space instead of `T`). Fractional seconds
 * (`.123`) are accepted and dropped (truncated toward the earlier second).
 * `HH:MM` without seconds is accepted. Leap seconds (`:60`) are rejected.
 *
 * A timestamp without an offset is rejected with #FU_EPARSE ("an offset is
 * required"): the library never guesses a zone. Use fu_date_parse() for a
 * date alone, or fu_calendar_from_local() for a local time in a known zone.
 *
 * @param text  the text, need not be NUL-terminated
 * @param len   its length in bytes
 * @param[out] out seconds since the epoch, UTC; untouched on failure
 * @return #FU_OK; #FU_EPARSE for malformed text or an impossible date/time
 *         (2025-02-30, 25:00), the message names the 1-based column;
 *         #FU_ERANGE for years outside 1..9999 (after applying the offset)
 *         or offsets beyond ±18:00; #FU_EINVAL for NULL pointers.
 */
FU_EXTERN int fu_time_parse(const char *text, size_t len, int64_t *out);

/**
 * Like fu_time_parse(), also reporting the offset written in the text.
 *
 * @param text the text (UTF-8, no NUL needed)
 * @param len its length in bytes
 * @param[out] offset_seconds the text's UTC offset in seconds east of UTC
 *                            (may be NULL)
 * @param[out] out            seconds since the epoch, UTC
 */
FU_EXTERN int fu_time_parse_offset(const char *text, size_t len, int *offset_seconds,
                                   int64_t *out);

/**
 * Write `t` as `YYYY-MM-DDTHH:MM:SS+HH:MM` in the given fixed offset.
 *
 * @param t              seconds since the epoch, UTC
 * @param offset_seconds offset east of UTC to show, within ±18:00 and a whole
 *                       number of minutes
 * @param flags          #FU_TIME_FORMAT_Z to write `Z` for offset 0
 * @param buf            receives the NUL-terminated text
 * @param size           size of `buf`; #FU_TIME_TEXT_SIZE always suffices
 * @return #FU_OK; #FU_ERANGE if the local year is outside 1..9999;
 *         #FU_EINVAL for a bad offset, NULL `buf` or a too small `size`
 *         (then `buf` holds an empty string if `size` > 0).
 */
FU_EXTERN int fu_time_format(int64_t t, int offset_seconds, unsigned int flags, char *buf,
                             size_t size);

/**
 * Parse a date `YYYY-MM-DD` (exactly; no time, no offset).
 *
 * @param text the text (UTF-8, no NUL needed)
 * @param len its length in bytes
 * @param[out] out the date; untouched on failure
 * @return #FU_OK; #FU_EPARSE for malformed text or a date that does not exist
 *         (the message names the column); #FU_EINVAL for NULL pointers.
 */
FU_EXTERN int fu_date_parse(const char *text, size_t len, fu_date *out);

/**
 * Write a date as `YYYY-MM-DD`.
 * @return #FU_OK; #FU_EINVAL for an invalid date, NULL `buf` or `size` <
 *         #FU_DATE_TEXT_SIZE.
 */
FU_EXTERN int fu_date_format(const fu_date *date, char *buf, size_t size);

/**
 * Days from 1970-01-01 to `date` (negative before 1970).
 * @return #FU_OK; #FU_EINVAL for a date that does not exist or is outside
 *         years 1..9999.
 */
FU_EXTERN int fu_date_to_days(const fu_date *date, int64_t *out);

/**
 * The date `days` days after 1970-01-01.
 * @return #FU_OK; #FU_ERANGE if the year would be outside 1..9999.
 */
FU_EXTERN int fu_date_from_days(int64_t days, fu_date *out);

/**
 * The weekday of a date (#FU_MONDAY = 0 … #FU_SUNDAY = 6), or #FU_EINVAL
 * (negative) for an invalid date.
 */
FU_EXTERN int fu_date_weekday(const fu_date *date);

/** @} */

/* ===================================================================== */
/** @name Weekly windows
 *
 * A #fu_windows is a set of local minutes of the week. Syntax (ASCII, case of
 * day names ignored, spaces around separators allowed):
 *
 *     windows := item ( ';' item )*          ("" or only spaces: no windows)
 *     item    := days ' ' ranges
 *     days    := day ( '-' day )? ( ',' day ( '-' day )? )*
 *     day     := Mon | Tue | Wed | Thu | Fri | Sat | Sun   (or Monday … Sunday)
 *     ranges  := range ( ',' range )*
 *     range   := HH:MM '-' HH:MM              (00:00..23:59, end may be 24:00)
 *
 * `Mon-Fri 09:00-12:00;Sat 10:00-12:00`, `Mon-Sun 08:00-21:00`,
 * `Mon,Wed 09:00-12:00,14:00-17:00`. A day range may wrap (`Fri-Mon`). A
 * range whose end is not after its start crosses midnight: `Fri 22:00-02:00`
 * covers Friday 22:00 to Saturday 02:00 (and `Sun 22:00-02:00` runs into
 * Monday). A start equal to its end is an error. Overlapping items are merged.
 * @{ */

/** An opaque set of minutes of the week. Threads: immutable once parsed; may be
 *  shared. */
typedef struct fu_windows fu_windows;

/** One maximal run of minutes in a #fu_windows. */
typedef struct fu_window_span {
    int start; /**< first minute of week, 0..10079 */
    int end;   /**< one past the last minute; start < end <= start + 10080
                    (end > 10080 means the run wraps into the next week) */
} fu_window_span;

/**
 * Parse windows text.
 *
 * @param text the text (UTF-8, no NUL needed)
 * @param len its length in bytes
 * @param[out] out a new #fu_windows owned by the caller (free with
 *                 fu_windows_free()); untouched on failure
 * @return #FU_OK; #FU_EPARSE with the error's source "<windows>", line 1 and
 *         the 1-based byte column of the bad token; #FU_ENOMEM; #FU_EINVAL
 *         for NULL pointers.
 */
FU_EXTERN int fu_windows_parse(const char *text, size_t len, fu_windows **out);

/** Free windows (NULL is a no-op). */
FU_EXTERN void fu_windows_free(fu_windows *windows);

/** Copy windows. @return #FU_OK, #FU_ENOMEM, #FU_EINVAL. */
FU_EXTERN int fu_windows_clone(fu_windows **out, const fu_windows *windows);

/** Whether no minute is in the windows (1) or some is (0). */
FU_EXTERN int fu_windows_is_empty(const fu_windows *windows);

/**
 * Whether a minute of the week lies in the windows: 1 yes, 0 no, #FU_EINVAL
 * for a minute outside 0..10079. Constant time (a 10080-bit table).
 */
FU_EXTERN int fu_windows_contains(const fu_windows *windows, int minute_of_week);

/**
 * The first minute at or after `minute_of_week`, going round the week, that
 * lies in the windows: `minute_of_week` itself when it is inside, otherwise
 * the start of the next run.
 *
 * @param windows parsed windows
 * @param minute_of_week the minute of the week to start from (0 = Monday 00:00)
 * @param[out] out a minute of week, 0..10079 (the wait in minutes is
 *             `(*out - minute_of_week + 10080) % 10080`)
 * @return #FU_OK; #FU_ENOTFOUND if the windows are empty; #FU_EINVAL.
 */
FU_EXTERN int fu_windows_next_start(const fu_windows *windows, int minute_of_week, int *out);

/** fu_windows_hour_mask() flag: an hour counts if any of its minutes is inside
 *  (default: only if all 60 are). */
#define FU_WINDOWS_HOUR_ANY 0x1u

/**
 * A 168-bit hour-of-week mask: bit `h` (byte `h / 8`, bit `h % 8`) is set when
 * hour of week `h` lies in the windows (all its minutes, or any of them with
 * #FU_WINDOWS_HOUR_ANY).
 */
FU_EXTERN void fu_windows_hour_mask(const fu_windows *windows, unsigned int flags,
                                    uint8_t out[FU_HOURS_PER_WEEK / 8]);

/** Number of maximal runs (see #fu_window_span), in order of start. */
FU_EXTERN size_t fu_windows_count(const fu_windows *windows);

/** The `index`th run. @return #FU_OK or #FU_EINVAL if out of range. */
FU_EXTERN int fu_windows_get(const fu_windows *windows, size_t index, fu_window_span *out);

/** @} */

/* ===================================================================== */
/** @name Calendars: time zone and local time
 *  @{ */

/** An opaque calendar: a time zone plus optional business hours and exceptions.
 *  Threads: the queries take a const calendar and keep no cache, so any number of
 *  threads may query one calendar that nobody changes; the setters need it alone. */
typedef struct fu_calendar fu_calendar;

/** A broken-down local time. */
typedef struct fu_local {
    int year;        /**< 1..9999 */
    int month;       /**< 1..12 */
    int day;         /**< 1..31 */
    int hour;        /**< 0..23 */
    int minute;      /**< 0..59 */
    int second;      /**< 0..59 */
    int weekday;     /**< #FU_MONDAY = 0 … #FU_SUNDAY = 6 (output only) */
    int day_of_year; /**< 1..366 (output only) */
    int utc_offset;  /**< seconds east of UTC in effect (output only) */
} fu_local;

/**
 * Create a calendar for an IANA time zone (`Asia/Shanghai`, `Europe/Berlin`,
 * `UTC`). The calendar starts with no business hours, holidays or workdays,
 * which means it is open all the time (see fu_calendar_set_hours()).
 *
 * Only system zone ids are accepted: unknown ids (which ICU would silently
 * turn into GMT) and custom ids such as `GMT+08:00` fail. Links are accepted
 * and keep the given spelling (fu_calendar_tzid()). Creation reads the
 * zone's transitions from ICU (about 1 ms for a zone with DST, see
 * bench/BENCHMARKS.md); create one calendar per zone and share it.
 *
 * @param tzid     NUL-terminated zone id
 * @param[out] out a new calendar owned by the caller (fu_calendar_free())
 * @return #FU_OK; #FU_ETIMEZONE naming the id; #FU_ENOMEM; #FU_EINVAL.
 */
FU_EXTERN int fu_calendar_new(fu_calendar **out, const char *tzid);

/** Free a calendar (NULL is a no-op). */
FU_EXTERN void fu_calendar_free(fu_calendar *cal);

/** Deep copy of a calendar (zone table, hours, holidays, workdays).
 *  @return #FU_OK, #FU_ENOMEM, #FU_EINVAL. */
FU_EXTERN int fu_calendar_clone(fu_calendar **out, const fu_calendar *cal);

/** The zone id the calendar was created with; borrowed from `cal`. */
FU_EXTERN const char *fu_calendar_tzid(const fu_calendar *cal);

/**
 * The zone's UTC offset (seconds east of UTC) at instant `t`. Instants
 * outside years 1..9999 get the offset at the nearest end of that range.
 * @return #FU_OK; #FU_EINVAL for NULL pointers.
 */
FU_EXTERN int fu_calendar_utc_offset(const fu_calendar *cal, int64_t t, int *out);

/**
 * Break `t` down into local time.
 * @return #FU_OK; #FU_ERANGE if the local year is outside 1..9999; #FU_EINVAL.
 */
FU_EXTERN int fu_calendar_to_local(const fu_calendar *cal, int64_t t, fu_local *out);

/** fu_calendar_from_local() flag: in an overlap pick the later instant. */
#define FU_LOCAL_LATER 0x1u
/** fu_calendar_from_local() flag: fail with #FU_ERANGE for a local time that
 *  does not exist (in a gap) instead of moving it forward. */
#define FU_LOCAL_REJECT_GAP 0x2u

/**
 * The UTC instant of a local time. Only `year` … `second` of `in` are read.
 *
 * DST rules:
 * - **gap** (clocks jump forward; the local time never happens): the time is
 *   moved forward by the length of the gap, i.e. read with the offset before
 *   the jump. New York 2025-03-09 02:30 becomes 03:30 EDT (07:30 UTC).
 *   With #FU_LOCAL_REJECT_GAP this is #FU_ERANGE instead.
 * - **overlap** (clocks fall back; the local time happens twice): the earlier
 *   instant by default, the later one with #FU_LOCAL_LATER. New York
 *   2025-11-02 01:30 is 05:30 UTC (EDT), or 06:30 UTC (EST) with the flag.
 *
 * @return #FU_OK; #FU_EINVAL for fields out of their ranges or a date that
 *         does not exist; #FU_ERANGE as above.
 */
FU_EXTERN int fu_calendar_from_local(const fu_calendar *cal, const fu_local *in,
                                     unsigned int flags, int64_t *out);

/**
 * Local hour of week of `t`: 0..167, Monday 00:00–00:59 = 0, Sunday
 * 23:00–23:59 = 167. Negative on error: #FU_EINVAL for a NULL calendar,
 * #FU_ERANGE for an instant outside years 1..9999.
 */
FU_EXTERN int fu_calendar_hour_of_week(const fu_calendar *cal, int64_t t);

/** Local minute of week of `t`: 0..10079, Monday 00:00 = 0. Negative on error
 *  (as fu_calendar_hour_of_week()). */
FU_EXTERN int fu_calendar_minute_of_week(const fu_calendar *cal, int64_t t);

/**
 * fu_calendar_hour_of_week() for `n` instants: `out[i]` = hour of week of
 * `t[i]`. Fastest when `t` is sorted, but any order works.
 * @return #FU_OK; #FU_EINVAL for NULL arrays with `n` > 0; #FU_ERANGE for an
 *         instant outside years 1..9999 (the message names its index; the
 *         entries before it are filled).
 */
FU_EXTERN int fu_calendar_hour_of_week_bulk(const fu_calendar *cal, const int64_t *t, size_t n,
                                            uint8_t *out);

/** Whether instant `t` lies in the windows, read in the calendar's local
 *  time: 1 yes, 0 no, negative on error. */
FU_EXTERN int fu_windows_contains_time(const fu_windows *windows, const fu_calendar *cal,
                                       int64_t t);

/**
 * The first instant at or after `t` that lies in the windows, in the
 * calendar's local time (`t` itself if it does). A window that starts inside
 * a DST gap opens when the gap ends (New York, `Sun 02:30-04:00` on
 * 2025-03-09 opens at 03:00 EDT); a window wholly inside a gap does not
 * happen that week.
 * @return #FU_OK; #FU_ENOTFOUND if the windows are empty; #FU_EINVAL.
 */
FU_EXTERN int fu_windows_next_time(const fu_windows *windows, const fu_calendar *cal,
                                   int64_t t, int64_t *out);

/** @} */

/* ===================================================================== */
/** @name Business calendar: configuration
 *
 * Business hours are a weekly table of local intervals per weekday. A
 * calendar on which fu_calendar_set_hours() / fu_calendar_set_hours_text()
 * was never called is **open all the time** (every day 00:00–24:00); once any
 * hours are set, weekdays without hours are closed. Holidays close whole
 * local days; make-up working days open a day with the hours of a stated
 * weekday. A day is a **working day** when it has any open time.
 * @{ */

/** One open interval of a day in local minutes, `start` < `end`. */
typedef struct fu_day_interval {
    int start_minute; /**< 0..1439 */
    int end_minute;   /**< 1..1440 (1440 = 24:00) */
} fu_day_interval;

/** Most intervals a single weekday may have. */
#define FU_CALENDAR_MAX_INTERVALS 16

/**
 * Set the open intervals of one weekday, replacing what it had (`n` = 0
 * closes it). Intervals may come in any order; they must not overlap
 * (touching, like 09:00-12:00 and 12:00-13:00, is allowed and merged).
 *
 * @return #FU_OK; #FU_EINVAL for a bad weekday, an empty or out-of-range
 *         interval, or overlapping intervals (the message names both);
 *         #FU_ELIMIT for more than #FU_CALENDAR_MAX_INTERVALS intervals.
 *         On failure the calendar is unchanged.
 */
FU_EXTERN int fu_calendar_set_hours(fu_calendar *cal, fu_weekday weekday, const fu_day_interval *iv,
                                    size_t n);

/**
 * Replace the whole weekly table from windows text, e.g.
 * `Mon-Fri 09:00-12:00,13:30-18:00;Sat 10:00-14:00`. Weekdays not named are
 * closed. Ranges may not cross midnight (use `24:00` as an end) and may not
 * overlap within a day.
 *
 * @return #FU_OK; #FU_EPARSE (source "<hours>", line 1, column) for bad text;
 *         #FU_EINVAL for overlaps or a range crossing midnight; #FU_ELIMIT.
 *         On failure the calendar is unchanged.
 */
FU_EXTERN int fu_calendar_set_hours_text(fu_calendar *cal, const char *text, size_t len);

/** Forget all business hours: the calendar is open all the time again
 *  (holidays and workdays are kept). */
FU_EXTERN void fu_calendar_clear_hours(fu_calendar *cal);

/**
 * Give `cal` the weekly business hours of `from` (open all the time when
 * `from` has none), keeping its own zone, holidays and make-up days: `from`'s
 * holidays are dates of its country, not copied. For a calendar in another
 * zone that keeps a policy calendar's hours (fu_policy_calendar_in_zone()).
 *
 * @return #FU_OK; #FU_EINVAL (NULL); #FU_ENOMEM (the calendar is unchanged).
 */
FU_EXTERN int fu_calendar_copy_hours(fu_calendar *cal, const fu_calendar *from);

/**
 * Declare the local days `first` .. `last` (inclusive) holidays: closed all
 * day. `last` NULL means just `first`. A day that was a make-up working day
 * becomes a holiday (the latest declaration wins).
 * @return #FU_OK; #FU_EINVAL for invalid dates or `last` before `first`;
 *         #FU_ELIMIT for a range of more than 10000 days;
 *         #FU_ENOMEM (the calendar is then unchanged).
 */
FU_EXTERN int fu_calendar_add_holiday(fu_calendar *cal, const fu_date *first,
                                      const fu_date *last);

/**
 * Declare a make-up working day (调休): local day `day` is open with the
 * hours of weekday `as_weekday` (pass #FU_MONDAY when the notice does not say;
 * a negative value also means Monday). Replaces a holiday on the same day.
 * On an open-all-the-time calendar this just undoes a holiday.
 * @return #FU_OK; #FU_EINVAL; #FU_ENOMEM (the calendar is then unchanged).
 */
FU_EXTERN int fu_calendar_add_workday(fu_calendar *cal, const fu_date *day, int as_weekday);

/** Forget all holidays and make-up working days. */
FU_EXTERN void fu_calendar_clear_exceptions(fu_calendar *cal);

/** @} */

/* ===================================================================== */
/** @name Business calendar: queries
 *
 * All instants are UTC seconds. Days are local days of the calendar's zone.
 * An open interval is the span of instants whose local time lies in it, so
 * business time across a DST change counts real elapsed seconds (a
 * 00:00–24:00 day of 23 hours yields 23 hours). An interval end point inside
 * a DST gap becomes the end of the gap; one inside an overlap is read in
 * its first pass (the earlier instant).
 *
 * Functions that search forward give up with #FU_ERANGE after 1100
 * consecutive local days without open time (a calendar closed for ~3 years
 * is treated as never opening) or past year 9999.
 * @{ */

/** Whether the calendar is open at `t`: 1 yes, 0 no, negative on error.
 *  Intervals are half-open: open at 09:00:00, closed at 18:00:00. */
FU_EXTERN int fu_calendar_is_open(const fu_calendar *cal, int64_t t);

/**
 * The first instant at or after `t` at which the calendar is open (`t`
 * itself when open).
 * @return #FU_OK; #FU_ERANGE if it never opens (see above); #FU_EINVAL.
 */
FU_EXTERN int fu_calendar_next_open(const fu_calendar *cal, int64_t t, int64_t *out);

/**
 * Add a business duration: the earliest instant `u` >= `t` such that the
 * open time in [t, u) equals `seconds`. So `seconds` = 0 gives `t`, and a
 * duration that runs out exactly at closing time gives the closing instant
 * (18:00), not the next morning's opening.
 *
 * Example (Mon–Fri 09:00–18:00): Friday 17:00 + 2 business hours = Monday
 * 10:00.
 *
 * @param cal the calendar
 * @param t the start, UTC seconds
 * @param seconds open time to add, >= 0
 * @param[out] out the instant reached, UTC seconds
 * @return #FU_OK; #FU_EINVAL for negative `seconds`; #FU_ERANGE when the
 *         calendar stops opening or the result is past year 9999.
 */
FU_EXTERN int fu_calendar_add_business(const fu_calendar *cal, int64_t t, int64_t seconds,
                                       int64_t *out);

/**
 * fu_calendar_add_business() for `n` instants and one duration:
 * `out[i]` = `t[i]` + `seconds` business time. `t` and `out` may be the same
 * array. Stops at the first failure and returns its code; the message names
 * the index, and `out[0..index-1]` are filled.
 */
FU_EXTERN int fu_calendar_add_business_bulk(const fu_calendar *cal, const int64_t *t, size_t n,
                                            int64_t seconds, int64_t *out);

/**
 * Open time (seconds) in [from, to); negative (minus the open time in
 * [to, from)) when `to` < `from`.
 * @return #FU_OK; #FU_EINVAL.
 */
FU_EXTERN int fu_calendar_business_between(const fu_calendar *cal, int64_t from, int64_t to,
                                           int64_t *out);

/** How fu_calendar_add_working_days() places the result on the target day. */
typedef enum fu_workday_mode {
    /** The close of business of the target day: the end of its last open
     *  interval (local midnight after it for a day open until 24:00). */
    FU_WORKDAY_END_OF_DAY = 0,
    /** The same local clock time as `t` on the target day (read with the
     *  rules of fu_calendar_from_local(): a time in a DST gap moves forward by
     *  the gap); if the calendar is closed then, the next open instant. */
    FU_WORKDAY_SAME_TIME = 1
} fu_workday_mode;

/**
 * Add `n` working days. The target day is the `n`th working day after the
 * local date of `t` (for `n` = 0: that date itself if it is a working day,
 * else the next working day). "Within 3 working days" of a promise made on
 * Friday 2025-09-26 in the 2025 CN calendar ends at the close of business on
 * Tuesday 2025-09-30 (Sunday 09-28 was a make-up working day).
 *
 * @param cal the calendar
 * @param t the start, UTC seconds
 * @param n    working days to add, >= 0
 * @param mode #FU_WORKDAY_END_OF_DAY or #FU_WORKDAY_SAME_TIME
 * @param[out] out the instant reached, UTC seconds
 * @return #FU_OK; #FU_EINVAL for negative `n` or a bad mode; #FU_ERANGE.
 */
FU_EXTERN int fu_calendar_add_working_days(const fu_calendar *cal, int64_t t, int n,
                                           fu_workday_mode mode, int64_t *out);

/**
 * fu_calendar_add_working_days() for `count` instants: `out[i]` is `t[i]`
 * plus `n[i]` working days, identical to single calls, with the calendar's
 * cursors kept from one instant to the next (faster for many instants).
 * @return #FU_OK; on the first failing element its error, the message
 *         prefixed with `t[i]`, and `out[0..i)` filled.
 */
FU_EXTERN int fu_calendar_add_working_days_bulk(const fu_calendar *cal, const int64_t *t,
                                                const int *n, size_t count,
                                                fu_workday_mode mode, int64_t *out);

/** Whether local day `date` is a working day: 1 yes, 0 no, negative on error. */
FU_EXTERN int fu_calendar_is_working_day(const fu_calendar *cal, const fu_date *date);

/**
 * Number of working days `d` with `from` <= `d` < `to` (half-open, so
 * counting from a working day to the result of adding `n` working days gives
 * `n`); negative (minus the count in [to, from)) when `to` < `from`.
 * @return #FU_OK; #FU_EINVAL for invalid dates.
 */
FU_EXTERN int fu_calendar_working_days_between(const fu_calendar *cal, const fu_date *from,
                                               const fu_date *to, int64_t *out);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* FOLLOWUP_CALENDAR_H */
