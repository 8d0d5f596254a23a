/* Sections `redial` and `guard`: call attempts and retries by outcome, and
 * what the contact guard does with unknown customers. Read by lib/guard.c
 * and the planner. */
#include "policy_core.h"
#include "followup/book.h"

#include <string.h>

static const fu__pol_key outcome_rows[] = {
    FU__KEY_DUR(fu__pol_redial_outcome, retry, "retry_after", 0, DUR_WALL | DUR_WORKDAYS | DUR_BUSINESS | DUR_ZERO),
    FU__KEY_BOOL(fu__pol_redial_outcome, stop, "stop", 0),
};
static const fu__pol_keys outcome_keys = FU__KEYS(outcome_rows, NULL, NULL);

/* `no_answer: {retry_after: 2h}`: the row's name is an outcome's name. */
static int read_outcome(bctx *b, const fu__pol_key *k, const ynode *val, void *base) {
    fu__pol_redial *r = base;
    int o = FU_OUTCOME_NO_ANSWER;
    while (o < FU_OUTCOME_COUNT && strcmp(fu_outcome_name(o), k->name) != 0) o++;
    if (o == FU_OUTCOME_COUNT) return fu__error_set(FU_EINVAL, "redial: no outcome '%s'", k->name);
    fu__pol_redial_outcome *ro = &r->outcome[o];
    int rc = fu__pol_read_keys(b, val, &outcome_keys, ro);
    ro->rule = fu__pol_rule_name(b->c, "redial", k->name, NULL);
    if (!rc && !ro->rule) rc = fu__error_nomem();
    ro->set = 1;
    return rc;
}

static const fu__pol_key redial_rows[] = {
    FU__KEY_INT(fu__pol_redial, per_day, "attempts_per_day", 0, 0, 1000),
    FU__KEY_INT(fu__pol_redial, per_touchpoint, "attempts_per_touchpoint", 0, 0, 1000),
    FU__KEY_INT(fu__pol_redial, lifetime, "attempts_lifetime", 0, 0, 100000),
    FU__KEY_FN("no_answer", 0, read_outcome),
    FU__KEY_FN("refused", 0, read_outcome),
    FU__KEY_FN("voicemail", 0, read_outcome),
    FU__KEY_FN("busy", 0, read_outcome),
    FU__KEY_FN("wrong_number", 0, read_outcome),
    FU__KEY_FN("callback_requested", 0, read_outcome),
};
static const fu__pol_keys redial_keys = FU__KEYS(redial_rows, NULL, NULL);

/* `redial`: attempts per day, per touchpoint and in a row, and per outcome
 * of a call attempt a retry delay or a stop. Optional (a policy without it
 * limits nothing and retries at once). */
int fu__pol_build_redial(bctx *b, const ynode *root) {
    fu__pol_redial *r = &b->c->p->t.redial;
    memset(r, 0, sizeof *r);
    return fu__pol_read_map(b, root, "redial", 0, &redial_keys, r);
}

/* guard: what the contact guard (guard.c) does beyond the planner's rules */
static const char *const unknown_names[] = {"deny", "allow", NULL};
static const fu__pol_key guard_rows[] = {
    FU__KEY_ENUM(fu__policy, guard_unknown_allow, "unknown_customer", 0, "unknown_customer", unknown_names),
};
static const fu__pol_keys guard_keys = FU__KEYS(guard_rows, NULL, NULL);

int fu__pol_build_guard(bctx *b, const ynode *root) {
    return fu__pol_read_map(b, root, "guard", 0, &guard_keys, &b->c->p->t);
}

