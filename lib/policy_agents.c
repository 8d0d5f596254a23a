/* Sections `agents` and `channels`: when agents may be given a call (team
 * hours, weekends, holidays, exempt priorities) and the CLV rule that decides
 * human vs automated contacts. Read by the planner (lib/planner_agents.c,
 * lib/planner_clv.c). */
#include "policy_core.h"

#include <math.h>
#include <string.h>

static int read_agents_calendar(vctx *c, const ynode *n, fu__pol_agent_hours *ah) {
    const ynode *cal = NULL;
    int rc = fu__pol_field(c, n, "calendar", 0, &cal);
    if (rc || !cal) return rc;
    size_t old = fu__pol_path_push(c, "calendar");
    rc = fu__pol_calendar_ref(c, cal, &ah->calendar);
    fu__pol_path_pop(c, old);
    return rc;
}

int fu__pol_build_agents(bctx *b, const ynode *root) {
    vctx *c = b->c;
    fu__policy *t = &c->p->t;
    fu__pol_agent_hours *ah = &t->agent_hours;
    static const char *const keys[] = {"calendar", "team_hours", "weekends", "holidays", "exempt", NULL};
    const ynode *n;
    ah->calendar = t->calendar;
    ah->weekends = ah->holidays = 1; /* without the section: only the shifts count */
    int rc = fu__pol_field(c, root, "agents", 0, &n);
    if (rc || !n) return rc;
    size_t old = fu__pol_path_push(c, "agents");
    rc = fu__pol_check_keys(c, n, keys);
    if (!rc) rc = read_agents_calendar(c, n, ah);
    if (!rc) rc = fu__pol_rd_bool(c, n, "team_hours", 0, &ah->team_hours);
    if (!rc) rc = fu__pol_rd_bool(c, n, "weekends", 0, &ah->weekends);
    if (!rc) rc = fu__pol_rd_bool(c, n, "holidays", 0, &ah->holidays);
    if (!rc) rc = fu__pol_rd_mask(c, n, "exempt", "priority", fu__pol_priority_names, FU__PRIO_COUNT, &ah->exempt);
    fu__pol_path_pop(c, old);
    return rc;
}

int fu__pol_build_channels(bctx *b, const ynode *root) {
    vctx *c = b->c;
    fu__pol_by_clv *bc = &c->p->t.by_clv;
    static const char *const ch_keys[] = {"by_clv", NULL};
    static const char *const b_keys[] = {"human_at_least", "human", "automated", "priorities", NULL};
    const ynode *n, *bn = NULL;
    bc->human_at_least = NAN;
    bc->human = FU__CH_PHONE;
    bc->automated = FU__CH_SMS;
    int rc = fu__pol_field(c, root, "channels", 0, &n);
    if (rc || !n) return rc;
    size_t old = fu__pol_path_push(c, "channels");
    rc = fu__pol_check_keys(c, n, ch_keys);
    if (!rc) rc = fu__pol_field(c, n, "by_clv", 0, &bn);
    if (!rc && bn) {
        size_t o2 = fu__pol_path_push(c, "by_clv");
        int h = FU__CH_PHONE, a = FU__CH_SMS;
        rc = fu__pol_check_keys(c, bn, b_keys);
        if (!rc) rc = fu__pol_rd_num(c, bn, "human_at_least", 0, 0, 1e15, &bc->human_at_least);
        if (!rc) rc = fu__pol_rd_enum(c, bn, "human", 0, "channel", fu__pol_channel_names, &h);
        if (!rc) rc = fu__pol_rd_enum(c, bn, "automated", 0, "channel", fu__pol_channel_names, &a);
        if (!rc)
            rc = fu__pol_rd_mask(c, bn, "priorities", "priority", fu__pol_priority_names, FU__PRIO_COUNT,
                                 &bc->priorities);
        bc->human = (fu__pol_channel)h;
        bc->automated = (fu__pol_channel)a;
        bc->set = !rc;
        fu__pol_path_pop(c, o2);
    }
    fu__pol_path_pop(c, old);
    return rc;
}
