/* Sections `redial` and `guard`: call attempts and retries by outcome, and
 * what the contact guard does with unknown customers. Read by lib/guard.c
 * and the planner. */
#include "policy_core.h"
#include "followup/book.h"

#include <string.h>

/* `redial`: attempts per day, per touchpoint and in a row, and per outcome
 * of a call attempt a retry delay or a stop. Optional (a policy without it
 * limits nothing and retries at once). */
int fu__pol_build_redial(bctx *b, const ynode *root) {
    vctx *c = b->c;
    fu__pol_redial *r = &c->p->t.redial;
    static const char *const keys[] = {"attempts_per_day", "attempts_per_touchpoint", "attempts_lifetime",
                                        "no_answer", "refused", "voicemail", "busy", "wrong_number",
                                        "callback_requested", NULL};
    static const char *const okeys[] = {"retry_after", "stop", NULL};
    memset(r, 0, sizeof *r);
    const ynode *n;
    int rc = fu__pol_field(c, root, "redial", 0, &n);
    if (rc || !n) return rc;
    size_t old = fu__pol_path_push(c, "redial");
    rc = fu__pol_check_keys(c, n, keys);
    if (!rc) rc = fu__pol_rd_int(c, n, "attempts_per_day", 0, 0, 1000, &r->per_day);
    if (!rc) rc = fu__pol_rd_int(c, n, "attempts_per_touchpoint", 0, 0, 1000, &r->per_touchpoint);
    if (!rc) rc = fu__pol_rd_int(c, n, "attempts_lifetime", 0, 0, 100000, &r->lifetime);
    for (int o = FU_OUTCOME_NO_ANSWER; !rc && o < FU_OUTCOME_COUNT; o++) {
        const char *name = fu_outcome_name(o);
        const ynode *e;
        rc = fu__pol_field(c, n, name, 0, &e);
        if (rc || !e) continue;
        fu__pol_redial_outcome *ro = &r->outcome[o];
        size_t o2 = fu__pol_path_push(c, name);
        rc = fu__pol_check_keys(c, e, okeys);
        if (!rc) rc = fu__pol_rd_dur(c, e, "retry_after", 0, DUR_WALL | DUR_WORKDAYS | DUR_BUSINESS | DUR_ZERO, &ro->retry);
        if (!rc) rc = fu__pol_rd_bool(c, e, "stop", 0, &ro->stop);
        ro->rule = fu__pol_rule_name(c, "redial", name, NULL);
        if (!rc && !ro->rule) rc = fu__error_nomem();
        ro->set = 1;
        fu__pol_path_pop(c, o2);
    }
    fu__pol_path_pop(c, old);
    return rc;
}

/* guard: what the contact guard (guard.c) does beyond the planner's rules */
int fu__pol_build_guard(bctx *b, const ynode *root) {
    vctx *c = b->c;
    static const char *const g_keys[] = {"unknown_customer", NULL};
    static const char *const unknown_names[] = {"deny", "allow", NULL};
    const ynode *n;
    int rc = fu__pol_field(c, root, "guard", 0, &n);
    if (rc || !n) return rc;
    size_t old = fu__pol_path_push(c, "guard");
    rc = fu__pol_check_keys(c, n, g_keys);
    int u = 0;
    if (!rc) rc = fu__pol_rd_enum(c, n, "unknown_customer", 0, "unknown_customer", unknown_names, &u);
    if (!rc) c->p->t.guard_unknown_allow = u;
    fu__pol_path_pop(c, old);
    return rc;
}

