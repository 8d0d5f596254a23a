/* Who makes the call: the agents of a planner and their assignment to the
 * planned agent contacts of a plan (lib/planner_agents.c). Internal. */
#ifndef FU_PLANNER_AGENTS_H
#define FU_PLANNER_AGENTS_H

#include "followup/planner.h"
#include "policy_internal.h"

typedef struct fu__agent_set fu__agent_set;

void fu__agent_set_free(fu__agent_set *set);

/* Name the agent of every planned agent-channel touchpoint of `plan`
 * (nothing when the planner has no agents), moving a contact to the first
 * instant of its window an agent is on shift (status later when that is at
 * or after `end`, the horizon's end), or deferring it; with a best-time
 * model, to the customer's best hour an agent is free that day. */
int fu__plan_assign_agents(struct fu_planner *pl, fu_plan *plan, int64_t now, int64_t end);

/* A plan for agents given as a number (fu_planner_options.agents, no
 * agents file): every planned agent-channel contact the policy's `agents`
 * rules (team hours, weekends, holidays) forbid at its best_at moves to the
 * first instant they allow (late after its window, later after `end`,
 * unplaceable with none within 62 days), keeping the customer's holidays
 * and the caps with its other planned contacts. Nothing with named agents (they are
 * placed by fu__plan_assign_agents()) or without agents (a plan for a
 * global capacity pass, FU_PLANNER_CAPACITY_PASS, is one for agents). */
int fu__plan_team_hours(struct fu_planner *pl, fu_plan *plan, int64_t now, int64_t end);

/* Test switch, process-wide: 0 makes the agent step convert every
 * instant it checks itself (the team's rules, the customer's hours), as
 * before its caches (lib/planner_hours.h); the reference the tests compare
 * plans with (tests/test_planner_hours.c). 1, the default: the caches. */
void fu__plan_agent_caches(int on);

/* Whether contact `e` of the book may have been made by `team` (a step's
 * team, NULL: the usual agents, any): 1 unless its agent_id names an agent
 * of the planner's agents file whose team is another (review s9 F12: an
 * expert team's escalation is served early only by its own call). An
 * agent the file does not name, no agent or no file: 1 (the book cannot
 * tell). */
int fu__pl_contact_by_team(const struct fu_planner *pl, const fu_event *e, const char *team);

/* The number of named agents of the planner (fu_planner_set_agents()); 0
 * without an agents file. */
size_t fu__planner_agent_count(struct fu_planner *pl);

/* lib/planner.c */
fu__agent_set **fu__planner_agents(struct fu_planner *pl);
const fu__policy *fu__planner_policy(const struct fu_planner *pl);
fu_touchpoint *fu__plan_rows(fu_plan *p, size_t *n);
/* Per plan row (as fu__plan_rows()): its PL_TP_* flags (lib/planner_internal.h). */
uint8_t *fu__plan_flags(fu_plan *p);
const char *fu__plan_strdup(fu_plan *p, const char *s, size_t n);
int fu__plan_resort(fu_plan *p);
const fu_book *fu__plan_book(const fu_plan *p);

#endif
