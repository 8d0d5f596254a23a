/* Section `besttime`: slot, half-life and prior of the best-time model.
 * Read by lib/besttime.c. */
#include "policy_core.h"

#include <string.h>

static int check_slot(bctx *b, const ynode *map, void *base) {
    const fu__pol_besttime *bt = base;
    if (bt->slot.value < 300 || bt->slot.value > 86400 || 604800 % bt->slot.value != 0)
        return fu__pol_key_err(b->c, map, "slot", "slot must divide a week and lie between 5m and 1d");
    return FU_OK;
}

static const char *const model_names[] = {"slots", "mixture", NULL};

static int check_model(bctx *b, const ynode *map, void *base) {
    const fu__pol_besttime *bt = base;
    if (bt->types && bt->model != 1)
        return fu__pol_key_err(b->c, map, "types", "types needs model: mixture (the per-slot model has no types)");
    return FU_OK;
}

static const fu__pol_key besttime_rows[] = {
    {FU__KEY_("slot", FU__K_DUR, fu__pol_besttime, slot, 1), .units = DUR_WALL, .check = check_slot},
    FU__KEY_DUR(fu__pol_besttime, half_life, "half_life", 1, DUR_WALL | DUR_MONTHS),
    FU__KEY_NUM(fu__pol_besttime, prior_strength, "prior_strength", 1, 0, 1e6),
    FU__KEY_SHARE(fu__pol_besttime, prior_answer_rate, "prior_answer_rate", 1, 0, 1),
    FU__KEY_ENUM(fu__pol_besttime, model, "model", 0, "model", model_names),
    FU__KEY_INT(fu__pol_besttime, types, "types", 0, 2, 8),
};
static const fu__pol_keys besttime_keys = FU__KEYS(besttime_rows, NULL, check_model);

int fu__pol_build_besttime(bctx *b, const ynode *root) {
    return fu__pol_read_map(b, root, "besttime", 1, &besttime_keys, &b->c->p->t.besttime);
}


void fu__pol_summary_besttime(fu__buf *b, const fu__policy *t) {
    fu__buf_puts(b, "best time: slot ");
    fu__pol_put_dur(b, &t->besttime.slot);
    fu__buf_puts(b, ", half-life ");
    fu__pol_put_dur(b, &t->besttime.half_life);
    fu__buf_printf(b, ", prior %g contacts at %.0f%% answered", t->besttime.prior_strength,
                   t->besttime.prior_answer_rate * 100);
    if (t->besttime.model == 1)
        fu__buf_printf(b, ", mixture of %d hour profiles", t->besttime.types ? t->besttime.types : 4);
    fu__buf_puts(b, "\n");
}
