/* What the contact guard (guard.c) asks of the planner (planner.c): the
 * planner's own rules, applied to one customer at one instant, so that the
 * batch plan and the real-time answer are one law. Not installed. */
#ifndef FU_GUARD_INTERNAL_H
#define FU_GUARD_INTERNAL_H

#include "followup/guard.h"
#include "internal.h"

#include <pthread.h>

/* String ids of the guard's own strings (order ids, rules not in the book):
 * the planner-local bit, as for fed events. */
#define FU__GUARD_LOCAL 0x80000000u

/* Customer index of a customer that is not in the book. */
#define FU__GUARD_NO_CUSTOMER ((size_t)-1)

/* A customer's facts, loaded once per question. */
typedef struct fu__guard_ctx fu__guard_ctx;

int fu__guard_ctx_new(fu__guard_ctx **out, fu_planner *pl);
void fu__guard_ctx_free(fu__guard_ctx *g);

/* Load the facts of customer `ci` (or FU__GUARD_NO_CUSTOMER with `extra`,
 * its contact events, sorted by time) as of `now`: every event of the book
 * and the planner's overlay, and the contacts after `now` too (the caps look
 * both ways). `*ev`, `*n`: the events, borrowed until the next call. */
int fu__guard_ctx_load(fu__guard_ctx *g, size_t ci, const fu_customer *c, const fu_event *extra, size_t n_extra,
                       int64_t now, const fu_event *const **ev, size_t *n);

/* The touchpoint asked about next (its cadence rule, or a merged
 * contact's rules): whether it asks for a survey answer, which survey
 * fatigue (caps with scope survey) holds. */
void fu__guard_ctx_survey(fu__guard_ctx *g, const char *rule);
/* Whether `rule` names a step with `survey: true` (a logged call of one
 * counts for survey fatigue). */
struct fu__policy;
int fu__guard_rule_is_survey(const struct fu__policy *P, const char *rule);

/* The consent rule that forbids `channel`, or NULL. */
const char *fu__guard_ctx_consent(const fu__guard_ctx *g, int channel);

/* The planner's limits at instant t for a contact on `channel` with
 * `*priority` (raised by a service-recovery suppression), the touchpoint's
 * cadence rule (for the suppressing event's own cadence) and order string id:
 * suppressions, quiet hours, holidays, do-not-disturb and (unless
 * `skip_caps`) the min gap and the caps. *deny is NULL when t passes, else
 * the rule and *retry the earliest later instant worth trying
 * (FU_BESTTIME_NEVER: none). */
int fu__guard_ctx_test(fu__guard_ctx *g, int64_t t, int channel, int *priority, const char *rule, uint32_t order,
                       int skip_caps, const char **deny, int64_t *retry);

/* The planner's redial law for a touchpoint named by its cadence `rule`
 * (and book order id, 0: any) over the book's own contacts up to t (book
 * events name no touchpoint: the planner's candidate window of the step
 * that holds t says which are its): *deny the stop outcome's rule (final)
 * or "redial.callback" before a requested call-back time (in *retry). */
int fu__guard_ctx_book_redial(fu__guard_ctx *g, int64_t t, int channel, const char *rule, uint32_t order,
                              const char **deny, int64_t *retry);

/* The name of the policy calendar whose official holidays end before the
 * local day of t (`calendars.<name>.data_until`; the loaded customer's zone,
 * then with `business` the policy's business calendar), *until its last
 * day; NULL: none. */
const char *fu__guard_ctx_expired(const fu__guard_ctx *g, int64_t t, int business, int64_t *until);

/* The calendar of the loaded customer's zone. */
const fu_calendar *fu__guard_ctx_calendar(const fu__guard_ctx *g);

/* t + d as the planner adds a redial's retry_after (business hours in the
 * policy calendar, months in the loaded customer's zone). */
int fu__guard_ctx_add_dur(const fu__guard_ctx *g, int64_t t, const fu_duration *d, int64_t *out);

/* The planner's overlay of events not in the book (the guard's contacts). */
int fu__guard_feed(fu_planner *pl, size_t ci, const fu_event *e);
void fu__guard_unfeed(fu_planner *pl, size_t ci, const fu_event *e);
/* Give back the unused room of every customer's overlay array. */
void fu__guard_trim(fu_planner *pl);
/* Count only the overlay's contacts, not the book's. */
void fu__guard_ignore_book_contacts(fu_planner *pl, int on);
/* Override redial.attempts_per_day in the planner's caps: 0 the policy's,
 * < 0 no limit. */
void fu__guard_set_per_day(fu_planner *pl, int per_day);

/* guard_store.c: a recursive mutex (a guard's and a log's: threads that
 * share the handle take turns); FU_OK or FU_ENOMEM. */
int fu__guard_mutex_init(pthread_mutex_t *m);

/* guard_store.c: the book outcome nearest to a guard outcome. */
fu_outcome fu__guard_book_outcome(fu_guard_outcome o);

#endif /* FU_GUARD_INTERNAL_H */
