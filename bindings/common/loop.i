/* SWIG interface of the planner's closed loop (language-neutral):
 *
 *   Planner.set_ledger(ledger=None)
 *       Read the promises of a commitment Ledger (a snapshot: call again after
 *       the ledger changes): cadences with trigger {promise: at_risk |
 *       breached | fulfilled} plan their contacts, Touchpoint.owner names the
 *       promise's owner. None / nil removes them. include/followup/planner.h.
 *
 * Included after planner.i and commit.i (both types are known here).
 */

FU_PLAN_RAISES(fu_planner::m_set_ledger)
%rename(set_ledger) fu_planner::m_set_ledger;
#ifdef SWIGPYTHON
%feature("kwargs") fu_planner::m_set_ledger;
#endif

%extend fu_planner {
    void m_set_ledger(fu_ledger *ledger = NULL) { fu_planner_set_ledger($self, ledger); }
}
