/* Section `besttime`: slot, half-life and prior of the best-time model.
 * Read by lib/besttime.c. */
#include "policy_core.h"

#include <string.h>

int fu__pol_build_besttime(bctx *b, const ynode *root) {
    vctx *c = b->c;
    fu__pol_besttime *bt = &c->p->t.besttime;
    static const char *const b_keys[] = {"slot", "half_life", "prior_strength", "prior_answer_rate", NULL};
    const ynode *n;
    int rc = fu__pol_field(c, root, "besttime", 1, &n);
    if (rc) return rc;
    size_t old = fu__pol_path_push(c, "besttime");
    rc = fu__pol_check_keys(c, n, b_keys);
    if (!rc) rc = fu__pol_rd_dur(c, n, "slot", 1, DUR_WALL, &bt->slot);
    if (!rc && (bt->slot.value < 300 || bt->slot.value > 86400 || 604800 % bt->slot.value != 0)) {
        size_t o2 = fu__pol_path_push(c, "slot");
        rc = fu__pol_verr(c, fu__pol_map_get(n, "slot"), FU_EPOLICY, "slot must divide a week and lie between 5m and 1d");
        fu__pol_path_pop(c, o2);
    }
    if (!rc) rc = fu__pol_rd_dur(c, n, "half_life", 1, DUR_WALL | DUR_MONTHS, &bt->half_life);
    if (!rc) rc = fu__pol_rd_num(c, n, "prior_strength", 1, 0, 1e6, &bt->prior_strength);
    if (!rc) rc = fu__pol_rd_share(c, n, "prior_answer_rate", 1, 0, 1, &bt->prior_answer_rate);
    fu__pol_path_pop(c, old);
    return rc;
}


void fu__pol_summary_besttime(fu__buf *b, const fu__policy *t) {
    fu__buf_puts(b, "best time: slot ");
    fu__pol_put_dur(b, &t->besttime.slot);
    fu__buf_puts(b, ", half-life ");
    fu__pol_put_dur(b, &t->besttime.half_life);
    fu__buf_printf(b, ", prior %g contacts at %.0f%% answered\n", t->besttime.prior_strength,
                   t->besttime.prior_answer_rate * 100);
}
