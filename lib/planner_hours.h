/* Caches for the agent step's two hot checks (lib/planner_agents.c), built
 * once per pass instead of converting every candidate instant (issue 19,
 * audit s10 D1): the team's `agents` rules per UTC minute, and per customer
 * mask how many 15-minute steps lead to the next minute the customer may be
 * contacted in. Both answer exactly what the checks they stand for answer
 * (tests/test_planner_hours.c compares them instant by instant); anything
 * they cannot answer the caller asks the checks themselves. Private. */
#ifndef FU_PLANNER_HOURS_H
#define FU_PLANNER_HOURS_H

#include "followup/calendar.h"

#include <stddef.h>
#include <stdint.h>

/* The check a team table stands for: the rule (a static string) that
 * forbids an agent call at t, NULL when allowed; *next the next instant
 * worth trying. It must depend on t's UTC minute only (as the team check
 * does in a zone whose offsets are whole minutes: the table checks that),
 * and a forbidden minute's answer must hold for every minute up to its
 * *next when the zone's offset does not change there and the minute before
 * *next answers the same (as the team check's day and hours do): the table
 * asks only those two. */
typedef const char *(*fu__ah_block_fn)(const void *ctx, int64_t t, int64_t *next);

#define FU__AH_MAX_DAYS 2048 /* UTC days a team table holds (from 256 days before its first use) */
#define FU__AH_MAX_STEPS 64  /* step tables a pass keeps (then the caller steps as before) */

/* The team's answer per UTC minute, one UTC day at a time, built when first
 * asked: v[i] for minute i from `base` (UTC day day0) is -r for an allowed
 * minute (r: allowed minutes from it to the next forbidden one or the end of
 * its UTC day), else (rule << 11) | (minutes to *next). v is allocated for
 * FU__AH_MAX_DAYS days at once, not zeroed (a day is read only once built,
 * state 1): only the pages of the days built are touched. */
typedef struct fu__ah_team {
    const fu_calendar *cal; /* the team calendar (its offsets must be whole minutes) */
    fu__ah_block_fn ref;
    const void *ctx;
    int64_t day0;         /* INT64_MIN: not used yet */
    int64_t base, end;    /* UTC seconds of day0 and of the end of the last day (end <= base: none) */
    int16_t *v;           /* FU__AH_MAX_DAYS * 1440 minutes, NULL until the first use */
    uint8_t *state;       /* per day: 0 not built, 1 built, 2 not cacheable (the caller asks ref) */
    const char *rules[4]; /* rule 1..3 of the codes */
    int nomem;            /* an allocation failed (the caller reports FU_ENOMEM) */
} fu__ah_team;

/* Per key (a customer mask) and pair of bit sets, for each minute of the
 * week m: how many 15-minute steps from m (0: m itself) to the first minute
 * in `ok`, and to the first in `seen`, at most 255 (255: 255 or more). */
typedef struct fu__ah_steps {
    struct {
        const void *key;
        int a, b;
        uint8_t *to_ok, *to_seen;
    } e[FU__AH_MAX_STEPS];
    size_t n;
    int nomem; /* an allocation failed */
} fu__ah_steps;

/* Per zone calendar, key (a customer mask) and pair of bit sets, per UTC
 * day of the team table: whether a minute the team allows is, in the zone's
 * local time, in both ok1 and ok2 (bit 1) or in both seen1 and ok2 (bit 2);
 * bit 8: worked out. */
typedef struct fu__ah_meet {
    struct {
        const fu_calendar *cal;
        const void *key;
        int a, b;
        uint8_t *day; /* FU__AH_MAX_DAYS, as the team table's days */
    } e[FU__AH_MAX_STEPS];
    size_t n, last;
    int nomem; /* an allocation failed */
} fu__ah_meet;

/* fu__ah_team ready for `ref` (with `ctx`) on the team calendar `cal`. */
void fu__ah_team_init(fu__ah_team *T, const fu_calendar *cal, fu__ah_block_fn ref, const void *ctx);
void fu__ah_team_free(fu__ah_team *T);

/* ref(ctx, t, next) from the table: 1 with *rule (NULL: allowed, *run the
 * minutes from t's minute on that are allowed for sure, at least 1; else
 * the rule and *next), 0 when the table cannot answer (out of its days, a
 * day that is not cacheable, no memory): the caller asks ref itself. */
int fu__ah_team_block_day(fu__ah_team *T, int64_t t, const char **rule, int64_t *next, int32_t *run);

static inline int fu__ah_team_block(fu__ah_team *T, int64_t t, const char **rule, int64_t *next, int32_t *run) {
    if (!(t >= T->base && t < T->end)) return fu__ah_team_block_day(T, t, rule, next, run);
    int64_t u = (t - T->base) / 60;
    if (T->state[u / 1440] != 1) return fu__ah_team_block_day(T, t, rule, next, run);
    int c = T->v[u];
    if (c < 0) return *rule = NULL, *run = -c, 1;
    *rule = T->rules[c >> 11];
    *next = T->base + (u + (c & 2047)) * 60;
    return 1;
}

/* The step tables of (key, a, b): to_ok from the minutes in both ok1 and
 * ok2, to_seen from those in both seen1 and ok2 (bit sets of
 * FU_MINUTES_PER_WEEK bits, 64 a word); 0 when the cache is full or out of
 * memory (the caller steps as before). */
int fu__ah_steps_get(fu__ah_steps *S, const void *key, int a, int b, const uint64_t *ok1, const uint64_t *ok2,
                     const uint64_t *seen1, const uint8_t **to_ok, const uint8_t **to_seen);
void fu__ah_steps_free(fu__ah_steps *S);

/* Whether, in the UTC days from t1's to t2's, some minute the team table
 * allows is one where (in cal's local time) the bits ok1 & ok2 are set (1),
 * or seen1 & ok2 (2): the OR of the two (bit 2 complete only without bit
 * 1: the days are read until one has bit 1), or -1 when it cannot tell (a
 * day out of the table or not cacheable, the cache full, no memory). */
int fu__ah_meet_days(fu__ah_meet *M, fu__ah_team *T, const fu_calendar *cal, const void *key, int a, int b,
                     const uint64_t *ok1, const uint64_t *ok2, const uint64_t *seen1, int64_t t1, int64_t t2);
void fu__ah_meet_free(fu__ah_meet *M);

/* The team check with the end of an allowed span: the rule that forbids t
 * (a static string), NULL when allowed; *next as fu__ah_block_fn's; *open,
 * when allowed, an instant up to which every instant is allowed while the
 * team calendar's offset holds (after t). */
typedef const char *(*fu__ah_span_fn)(const void *ctx, int64_t t, int64_t *next, int64_t *open);

/* fu__ah_meet_days() without the tables, for any days: the team's answer
 * at each UTC minute of the days (`team` on `team_cal`, spans of one answer
 * at a time) against the customer's bits in cal's local time; the same
 * answer where the tables answer (bit 1, and bit 2 when bit 1 is 0), so that
 * the agent step decides alike with and without them (review s10 hR2 L2).
 * -1 when a calendar has no offset at some instant. */
int fu__ah_meet_ref(fu__ah_span_fn team, const void *ctx, const fu_calendar *team_cal, const fu_calendar *cal,
                    const uint64_t *ok1, const uint64_t *ok2, const uint64_t *seen1, int64_t t1, int64_t t2);

#endif /* FU_PLANNER_HOURS_H */
