/* Section `capacity`: calls per agent and day, customers per VIP agent.
 * Read by the planner (lib/planner_agents.c) and the KPIs. */
#include "policy_core.h"

#include <string.h>

static int check_calls(bctx *b, const ynode *map, void *base) {
    const fu__pol_capacity *cp = base;
    if (cp->calls_per_agent_day_min > cp->calls_per_agent_day_max)
        return fu__pol_key_err(b->c, map, "min", "min %d is above max %d", cp->calls_per_agent_day_min,
                               cp->calls_per_agent_day_max);
    return FU_OK;
}

static const fu__pol_key calls_rows[] = {
    FU__KEY_INT(fu__pol_capacity, calls_per_agent_day_min, "min", 1, 1, 10000),
    FU__KEY_INT(fu__pol_capacity, calls_per_agent_day_max, "max", 1, 1, 10000),
};
static const fu__pol_keys calls_keys = FU__KEYS(calls_rows, NULL, check_calls);
static const char *const capacity_allowed[] = {"calls_per_agent_day", "customers_per_vip_agent", NULL};
static const fu__pol_key capacity_rows[] = {
    FU__KEY_INT(fu__pol_capacity, customers_per_vip_agent, "customers_per_vip_agent", 1, 1, 100000),
    FU__KEY_MAP("calls_per_agent_day", 1, &calls_keys),
};
static const fu__pol_keys capacity_keys = FU__KEYS(capacity_rows, capacity_allowed, NULL);

int fu__pol_build_capacity(bctx *b, const ynode *root) {
    return fu__pol_read_map(b, root, "capacity", 1, &capacity_keys, &b->c->p->t.capacity);
}


void fu__pol_summary_capacity(fu__buf *b, const fu__policy *t) {
    fu__buf_printf(b, "capacity: %d-%d calls per agent per day, at most %d customers per VIP agent\n",
                   t->capacity.calls_per_agent_day_min, t->capacity.calls_per_agent_day_max,
                   t->capacity.customers_per_vip_agent);
}
