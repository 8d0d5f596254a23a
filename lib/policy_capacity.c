/* Section `capacity`: calls per agent and day, customers per VIP agent.
 * Read by the planner (lib/planner_agents.c) and the KPIs. */
#include "policy_core.h"

#include <string.h>

int fu__pol_build_capacity(bctx *b, const ynode *root) {
    vctx *c = b->c;
    fu__pol_capacity *cp = &c->p->t.capacity;
    static const char *const cap_keys[] = {"calls_per_agent_day", "customers_per_vip_agent", NULL};
    static const char *const mm_keys[] = {"min", "max", NULL};
    const ynode *n, *d = NULL;
    int rc = fu__pol_field(c, root, "capacity", 1, &n);
    if (rc) return rc;
    size_t old = fu__pol_path_push(c, "capacity");
    rc = fu__pol_check_keys(c, n, cap_keys);
    if (!rc) rc = fu__pol_rd_int(c, n, "customers_per_vip_agent", 1, 1, 100000, &cp->customers_per_vip_agent);
    if (!rc) rc = fu__pol_field(c, n, "calls_per_agent_day", 1, &d);
    if (!rc) {
        size_t o2 = fu__pol_path_push(c, "calls_per_agent_day");
        rc = fu__pol_check_keys(c, d, mm_keys);
        if (!rc) rc = fu__pol_rd_int(c, d, "min", 1, 1, 10000, &cp->calls_per_agent_day_min);
        if (!rc) rc = fu__pol_rd_int(c, d, "max", 1, 1, 10000, &cp->calls_per_agent_day_max);
        if (!rc && cp->calls_per_agent_day_min > cp->calls_per_agent_day_max) {
            size_t o3 = fu__pol_path_push(c, "min");
            rc = fu__pol_verr(c, fu__pol_map_get(d, "min"), FU_EPOLICY, "min %d is above max %d", cp->calls_per_agent_day_min,
                      cp->calls_per_agent_day_max);
            fu__pol_path_pop(c, o3);
        }
        fu__pol_path_pop(c, o2);
    }
    fu__pol_path_pop(c, old);
    return rc;
}


void fu__pol_summary_capacity(fu__buf *b, const fu__policy *t) {
    fu__buf_printf(b, "capacity: %d-%d calls per agent per day, at most %d customers per VIP agent\n",
                   t->capacity.calls_per_agent_day_min, t->capacity.calls_per_agent_day_max,
                   t->capacity.customers_per_vip_agent);
}
