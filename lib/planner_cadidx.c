/* The cadences not triggered by an event that a customer's tier and
 * lifecycle stage leave possible (fu__pl_other_index()): fu__pl_candidates()
 * asks only those, in policy order, instead of all of them per customer. */
#include "planner_internal.h"

/* What fu__pl_when_customer() and the lifecycle trigger refuse for certain
 * from the tier t (-1 unknown) and the stage lc alone. */
static int may_take(const fu__pol_cadence *cad, int t, int lc) {
    const fu__pol_when *w = &cad->when;
    if (w->rfm_groups) return 0;
    if (w->tiers && (t < 0 || !(w->tiers & (1u << t)))) return 0;
    if (w->lifecycles && !(w->lifecycles & (1u << lc))) return 0;
    return cad->trigger != FU__TRIGGER_LIFECYCLE || (int)cad->lifecycle == lc;
}

int fu__pl_other_index(fu_planner *pl) {
    const fu__policy *P = pl->P;
    size_t nl = (size_t)(FU__POL_MAX_TIERS + 1) * FU__LC_COUNT, k = 0;
    pl->oc_list = fu__malloc((nl * pl->n_other_cads + 1) * sizeof *pl->oc_list);
    if (!pl->oc_list) return fu__error_nomem();
    for (size_t l = 0; l < nl; l++) {
        pl->oc_off[l] = k;
        int t = (int)(l / FU__LC_COUNT) - 1, lc = (int)(l % FU__LC_COUNT);
        for (size_t i = 0; i < pl->n_other_cads; i++)
            if (may_take(&P->cadences[pl->other_cads[i]], t, lc)) pl->oc_list[k++] = pl->other_cads[i];
    }
    pl->oc_off[nl] = k;
    return FU_OK;
}

size_t fu__pl_other_of(const fu_planner *pl, const pl_cust *cx, const size_t **list) {
    if (cx->tier < -1 || cx->tier >= FU__POL_MAX_TIERS || cx->lifecycle < 0 || cx->lifecycle >= FU__LC_COUNT)
        return *list = pl->other_cads, pl->n_other_cads;
    size_t l = (size_t)(cx->tier + 1) * FU__LC_COUNT + (size_t)cx->lifecycle;
    *list = pl->oc_list + pl->oc_off[l];
    return pl->oc_off[l + 1] - pl->oc_off[l];
}
