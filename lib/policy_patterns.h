/* Regular expressions of the policy (`commitments.patterns`,
 * `commitments.risky`, `redaction.extra`) and the deadlines of promise
 * patterns (built by policy_commitments.c). */
#ifndef FU_POLICY_PATTERNS_H
#define FU_POLICY_PATTERNS_H

#include "policy_types.h"

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>

typedef enum fu__pol_deadline_kind {
    FU__DEADLINE_IN = 0,        /* now + dur (dur.value from capture `group` if > 0) */
    FU__DEADLINE_TOMORROW = 1,  /* tomorrow at minute_of_day (local) */
    FU__DEADLINE_WEEKDAY = 2,   /* the next `weekday` (today counts if before the time) */
    FU__DEADLINE_NEXT_WEEK = 3, /* `weekday` of next calendar week (Mon-Sun weeks) */
    FU__DEADLINE_MONTH_END = 4, /* last day of this month at minute_of_day */
    FU__DEADLINE_TODAY = 5,     /* today at minute_of_day (the note's time once past) */
    FU__DEADLINE_CLOSE = 6,     /* close of business of the note's day (FU_DEADLINE_CLOSE) */
    FU__DEADLINE_WEEK_END = 7   /* this week's `weekday` at minute_of_day (the note's time once past) */
} fu__pol_deadline_kind;

typedef struct fu__pol_deadline {
    fu__pol_deadline_kind kind;
    fu_duration dur;   /* IN: unit and value; value ignored when group > 0 */
    int group;         /* IN: capture group giving the count ($1); WEEKDAY/NEXT_WEEK/WEEK_END:
                          the one naming the weekday; 0 = none */
    int weekday;       /* WEEKDAY/NEXT_WEEK/WEEK_END: 0 = Monday .. 6 = Sunday */
    int minute_of_day; /* TOMORROW/WEEKDAY/NEXT_WEEK/MONTH_END */
} fu__pol_deadline;

/* A regular expression of the policy, compiled with PCRE2_UTF | PCRE2_UCP
 * (| PCRE2_CASELESS unless `ignore_case: false`), no JIT (a module wanting
 * JIT compiles its own copy of `regex`). */
typedef struct fu__pol_pattern {
    const char *name;
    const char *rule;   /* "commitments.patterns.zh_working_days" */
    const char *regex;  /* source text */
    pcre2_code *code;   /* compiled, owned by the policy */
    fu__pol_deadline deadline; /* extraction patterns */
    const char *reason; /* risky patterns, redaction: replacement text */
} fu__pol_pattern;

#endif /* FU_POLICY_PATTERNS_H */
