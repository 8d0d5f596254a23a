/**
 * @file followup/policy.h
 * @brief The follow-up policy: every rule and number the library acts on.
 *
 * A policy is a YAML document (docs/policy.md is the key-by-key reference)
 * with the sections `calendars`, `segments`, `cadences`, `caps`,
 * `quiet_hours`, `suppressions`, `capacity`, `sla`, `commitments`, `kpis`,
 * `scorecard`, `redaction` and `besttime`. The library ships a built-in
 * policy (fu_policy_default()) that encodes the defaults of the domain brief;
 * a site policy extends it and overrides single values:
 *
 * ```yaml
 * name: acme
 * version: "3"
 * # extends: builtin      (the default; `extends: none` starts from scratch)
 * caps:
 *   limits:
 *     new_customer: {max: 1}
 * ```
 *
 * Mappings are merged key by key (deep merge), sequences and scalars replace
 * what the built-in policy had, and a null value (`~`) removes a key.
 *
 * Loading validates everything; a failure names the source, line, column and
 * key path (`cadences.delivery.steps.first_contact.within`) in fu_error_last().
 *
 * **Threads.** A loaded #fu_policy is immutable: any number of threads may
 * read it (and the calendars it owns) at the same time.
 */
#ifndef FOLLOWUP_POLICY_H
#define FOLLOWUP_POLICY_H

#include "followup/common.h"
#include "followup/calendar.h" /* fu_calendar, fu_date */

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- durations */

/** What the value of a #fu_duration counts. */
typedef enum fu_duration_unit {
    /** Elapsed (wall-clock) seconds: `90m`, `2h`, `3d`, `1w`. */
    FU_DURATION_SECONDS = 0,
    /** Seconds of open business time in a calendar: `15 business hours`. */
    FU_DURATION_BUSINESS_SECONDS = 1,
    /** Whole working days in a calendar: `7 working days`, `same day` (= 0). */
    FU_DURATION_WORKING_DAYS = 2,
    /** Calendar months in local time: `1 month`, `3 months`, `1y` (= 12). */
    FU_DURATION_MONTHS = 3
} fu_duration_unit;

/**
 * A span of time as a policy states it. Only #FU_DURATION_SECONDS can be
 * turned into seconds without a calendar; the other units are applied with
 * fu_calendar (business time, working days) or in local time (months).
 * `value` may be negative where the policy allows it (cadence offsets
 * "before" an event).
 */
typedef struct fu_duration {
    int64_t value;         /**< count of `unit` */
    fu_duration_unit unit; /**< what `value` counts */
} fu_duration;

/**
 * Parse a duration.
 *
 * Grammar: an optional sign, then one or more terms `<integer> [space] <unit>`
 * of the same kind, e.g. `90m`, `2h`, `1h 30m`, `3d`, `1w`, `1 month`,
 * `3 months`, `1y`, `7 working days`, `2 business days`, `15 business hours`,
 * `30 business minutes`, and the phrase `same day` (0 working days: by the
 * close of the working day). Units: `s`/`sec`/`second(s)`, `m`/`min`/
 * `minute(s)`, `h`/`hour(s)`, `d`/`day(s)`, `w`/`week(s)` (wall time);
 * `mo`/`month(s)`, `y`/`year(s)` (calendar months); `working day(s)`,
 * `work day(s)`, `business day(s)`; `business hour(s)`, `business minute(s)`,
 * `business second(s)`.
 * Note that `m` is minutes; months are `mo` or `month`.
 *
 * @param text  the text (need not be NUL-terminated)
 * @param len   its length in bytes
 * @param[out] out  the duration
 * @return #FU_OK; #FU_EPARSE with the 1-based column of the offending
 *         character in fu_error_last(); #FU_ERANGE when the value overflows;
 *         #FU_EINVAL when an argument is NULL.
 */
FU_EXTERN int fu_duration_parse(const char *text, size_t len, fu_duration *out);

/**
 * Write a duration in the canonical form fu_duration_parse() reads
 * (`48h`, `7 working days`, `3 months`, ...). Behaves like snprintf: returns
 * the length the full text has and writes at most `size` bytes including the
 * NUL.
 */
FU_EXTERN size_t fu_duration_format(const fu_duration *d, char *buf, size_t size);

/* ------------------------------------------------------------------- policy */

/** A loaded, validated, immutable policy. Threads: may be shared by any number of
 *  threads. */
typedef struct fu_policy fu_policy;

/** Flags for #fu_policy_load_options. */
enum {
    /** Do not extend the built-in policy unless the file says `extends: builtin`. */
    FU_POLICY_STANDALONE = 1u << 0
};

/** Options of fu_policy_load_file() and fu_policy_load_string(). */
typedef struct fu_policy_load_options {
    unsigned int version;  /**< #FU_POLICY_LOAD_OPTIONS_VERSION */
    unsigned int flags;    /**< `FU_POLICY_*` flags */
    size_t max_bytes;      /**< largest input accepted; 0 = 16 MiB */
    unsigned int max_depth; /**< deepest nesting of mappings/sequences; 0 = 64, at most 10000 */
    size_t max_nodes;      /**< YAML nodes after alias expansion; 0 = 1,000,000 */
} fu_policy_load_options;

#define FU_POLICY_LOAD_OPTIONS_VERSION 1
#define FU_POLICY_LOAD_OPTIONS_INIT {FU_POLICY_LOAD_OPTIONS_VERSION, 0u, 0u, 0u, 0u}

/** Set `opts` to the defaults (same as #FU_POLICY_LOAD_OPTIONS_INIT). */
FU_EXTERN void fu_policy_load_options_init(fu_policy_load_options *opts);

/**
 * Load and validate a policy file.
 *
 * @param[out] out   the policy, owned by the caller (fu_policy_free()); NULL on failure
 * @param path       file name (UTF-8)
 * @param opts       NULL for defaults
 * @return #FU_OK; #FU_EIO (cannot read), #FU_EPARSE (not YAML / bad UTF-8),
 *         #FU_EPOLICY (invalid policy), #FU_ETIMEZONE (unknown zone),
 *         #FU_ELIMIT (too large, too deep, too many alias expansions),
 *         #FU_ENOMEM. fu_error_last() names file, line, column and key path.
 */
FU_EXTERN int fu_policy_load_file(fu_policy **out, const char *path,
                                  const fu_policy_load_options *opts);

/**
 * Load and validate a policy from text.
 *
 * @param[out] out     the policy, owned by the caller; NULL on failure
 * @param text         YAML text (need not be NUL-terminated)
 * @param len          its length in bytes
 * @param source_name  name used in error messages; NULL means "<string>"
 * @param opts         NULL for defaults
 * @return as fu_policy_load_file(), without #FU_EIO.
 */
FU_EXTERN int fu_policy_load_string(fu_policy **out, const char *text, size_t len,
                                    const char *source_name,
                                    const fu_policy_load_options *opts);

/**
 * The built-in policy (docs/policy.md), freshly loaded.
 * @param[out] out  owned by the caller (fu_policy_free())
 * @return #FU_OK or #FU_ENOMEM.
 */
FU_EXTERN int fu_policy_default(fu_policy **out);

/** The built-in policy's YAML text (static, NUL-terminated); `len` may be NULL. */
FU_EXTERN const char *fu_policy_default_yaml(size_t *len);

/** Free a policy and everything borrowed from it. NULL is a no-op. */
FU_EXTERN void fu_policy_free(fu_policy *p);

/** The policy's `name` (borrowed; "builtin" for the built-in policy). */
FU_EXTERN const char *fu_policy_name(const fu_policy *p);
/** The policy's `version` string (borrowed; "" when not given). */
FU_EXTERN const char *fu_policy_version(const fu_policy *p);
/** The source the policy was loaded from ("<builtin>", a file name, ...), borrowed. */
FU_EXTERN const char *fu_policy_source(const fu_policy *p);

/**
 * A calendar defined in the policy's `calendars` section, borrowed from the
 * policy. `name` NULL or "" gives the policy's default calendar (top-level
 * `calendar`, "cn" in the built-in policy).
 * @return the calendar, or NULL (fu_error_last(): #FU_ENOTFOUND) when there
 *         is no such calendar.
 */
FU_EXTERN const fu_calendar *fu_policy_calendar(const fu_policy *p, const char *name);

/**
 * The last day of a policy calendar's official data (`calendars.<name>.data_until`,
 * by default the end of the latest year its holidays list): a date after it
 * is computed with the weekly hours only. `name` NULL or "": the default
 * calendar. `out` is all zeros (year 0) when the calendar has no holidays at
 * all (nothing expires).
 * @return #FU_OK; #FU_ENOTFOUND; #FU_EINVAL.
 */
FU_EXTERN int fu_policy_calendar_data_until(const fu_policy *p, const char *name, fu_date *out);

/**
 * A calendar to date things in zone `tzid` by the rules of policy calendar
 * `name` (NULL or "": the default calendar), e.g. a commitment's deadline
 * for a customer in that zone: a copy of calendar `name` when its zone is
 * `tzid`, else of the first calendar of the `calendars` section (in policy
 * order) whose zone is `tzid` (its holidays and make-up days apply), else,
 * the same way, of a calendar whose zone is in `tzid`'s country (PRC,
 * Asia/Urumqi for `cn`: its hours, holidays and make-up days, in `tzid`'s
 * local time), else a new calendar in `tzid` with the weekly business hours
 * of calendar `name` and no holidays (they are dates of that calendar's
 * country; docs/commitments.md).
 *
 * @param p the policy
 * @param name the calendar name of the policy
 * @param tzid an IANA time zone
 * @param[out] out  the calendar, the caller's (fu_calendar_free())
 * @return #FU_OK; #FU_ENOTFOUND (no calendar `name`); #FU_ETIMEZONE (an
 *         unknown zone); #FU_EINVAL; #FU_ENOMEM.
 */
FU_EXTERN int fu_policy_calendar_in_zone(const fu_policy *p, const char *name, const char *tzid,
                                         fu_calendar **out);

/* ---- generic read access (bindings, tools) ----
 * A path names a value by keys separated by dots, with `[i]` for sequence
 * items: "kpis.coverage.target", "calendars.cn.holidays[0]". Values are those
 * of the merged policy (built-in + site). Each returns #FU_OK, #FU_ENOTFOUND
 * when the path names nothing, or #FU_EPOLICY when the value has another type.
 */

/** A number (`0.9`, `75%` gives 0.75, `500_000`). */
FU_EXTERN int fu_policy_get_number(const fu_policy *p, const char *path, double *out);
/** A scalar's text, borrowed from the policy (numbers and booleans too). */
FU_EXTERN int fu_policy_get_string(const fu_policy *p, const char *path, const char **out);
/** A boolean (`true` / `false`). */
FU_EXTERN int fu_policy_get_bool(const fu_policy *p, const char *path, int *out);
/** A duration (see fu_duration_parse()). */
FU_EXTERN int fu_policy_get_duration(const fu_policy *p, const char *path, fu_duration *out);
/** The number of entries of a mapping or items of a sequence. */
FU_EXTERN int fu_policy_get_length(const fu_policy *p, const char *path, size_t *out);
/** The key of the `index`-th entry of a mapping (borrowed), in document order. */
FU_EXTERN int fu_policy_get_key(const fu_policy *p, const char *path, size_t index,
                                const char **out);

/**
 * A human-readable multi-line summary of what the policy does (what
 * `followup check-policy` prints).
 * @param p the policy
 * @param[out] len  its length in bytes without the NUL; may be NULL
 * @param[out] out  NUL-terminated text, owned by the caller (fu_free())
 * @return #FU_OK or #FU_ENOMEM.
 */
FU_EXTERN int fu_policy_summary(const fu_policy *p, size_t *len, char **out);

#ifdef __cplusplus
}
#endif

#endif /* FOLLOWUP_POLICY_H */
