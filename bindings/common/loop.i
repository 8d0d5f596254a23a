/* SWIG interface of the planner's closed loop (language-neutral):
 *
 *   Planner.set_ledger(ledger=None)
 *       Read the promises of a commitment Ledger (a snapshot: call again after
 *       the ledger changes): cadences with trigger {promise: at_risk |
 *       breached | fulfilled} plan their contacts, Touchpoint.owner names the
 *       promise's owner. None / nil removes them. include/followup/planner.h.
 *
 *   Ledger.record_escalations(policy, plan, now) -> int
 *       Record the plan's problem escalations (unresolved 48 h after the
 *       problem arose -> the expert team) whose window opened by `now` as
 *       `escalated` events of the ledger; idempotent; returns how many were
 *       recorded. fu_ledger_record_escalations(), include/followup/commit.h.
 *   Planner.set_agents(csv=None)
 *   Planner.read_agents(path)
 *   Planner.set_clv(csv=None), Planner.read_clv(path)  (channels.by_clv)
 *   Planner.set_clv_values(clv=None)  one CLV per book customer (book order,
 *       NaN unknown): a sequence or float64 array (Python), an array of
 *       numbers (Lua; 0/0 unknown); fu_planner_set_clv_values()
 *       Give the planner its agents (agents CSV of docs/formats.md); every
 *       planned agent contact then names its agent (Touchpoint.agent).
 *       None / nil or "" removes them.
 *
 * Included after planner.i and commit.i (both types are known here).
 */

FU_RAISES(fu_planner::m_set_ledger)
%rename(set_ledger) fu_planner::m_set_ledger;
#ifdef SWIGPYTHON
%feature("kwargs") fu_planner::m_set_ledger;
#endif

%extend fu_planner {
    void m_set_ledger(fu_ledger *ledger = NULL) { fu_planner_set_ledger($self, ledger); }
}

FU_RAISES(fu_ledger::m_record_escalations)
%rename(record_escalations) fu_ledger::m_record_escalations;

%extend fu_ledger {
    size_t m_record_escalations(const fu_policy *policy, const fu_plan *plan, int64_t now) {
        size_t n = 0;
        fu_ledger_record_escalations($self, policy, plan, now, &n);
        return n;
    }
}

FU_RAISES(fu_planner::m_set_agents)
FU_RAISES(fu_planner::m_read_agents)
%rename(set_agents) fu_planner::m_set_agents;
%rename(read_agents) fu_planner::m_read_agents;
#ifdef SWIGPYTHON
%feature("kwargs") fu_planner::m_set_agents;
#endif

%extend fu_planner {
    void m_set_agents(const char *csv = NULL) {
        fu_planner_set_agents($self, csv ? csv : "", csv ? strlen(csv) : 0, "<agents>");
    }
    void m_read_agents(const char *path) { fu_planner_read_agents($self, path); }
}

/* channels.by_clv: the customers' CLV (CSV customer_id, clv), lib/planner_clv.c */
FU_RAISES(fu_planner::m_set_clv)
FU_RAISES(fu_planner::m_read_clv)
%rename(set_clv) fu_planner::m_set_clv;
%rename(read_clv) fu_planner::m_read_clv;
#ifdef SWIGPYTHON
%feature("kwargs") fu_planner::m_set_clv;
#endif

%extend fu_planner {
    void m_set_clv(const char *csv = NULL) { fu_planner_set_clv($self, csv ? csv : "", csv ? strlen(csv) : 0, "<clv>"); }
    void m_read_clv(const char *path) { fu_planner_read_clv($self, path); }
}

/* set_clv_values(clv): the typemaps of `clv` are in planner.i (before the type) */
FU_RAISES(fu_planner::m_set_clv_values)
%rename(set_clv_values) fu_planner::m_set_clv_values;
%extend fu_planner {
    void m_set_clv_values(const fu_swig_dvec *clv = NULL) {
        fu_planner_set_clv_values($self, clv ? clv->v : NULL, clv ? clv->n : 0);
    }
}
