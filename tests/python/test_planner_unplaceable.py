"""Review r3 L6 from Python: contacts no agent may ever make are counted in
PlanStats.unplaceable (docs/planner.md "Unplaceable"). N (industry, New
York): the built-in team's hours (09:00-12:00, 13:30-18:00 Beijing) never
meet its business hours in New York; P (private, New York) is called at
20:00 New York time."""
import followup
from fu_helpers import D, T, make_book  # noqa: F401


def test_business_customer_abroad_is_unplaceable_and_counted():
    book = make_book("N,America/New_York,,,education,,yes,yes,yes\nP,America/New_York,,,,,yes,yes,yes\n",
                     "N,2026-03-02T10:00:00-05:00,delivery,O1,,,,,,\n"
                     "P,2026-03-02T10:00:00-05:00,delivery,O2,,,,,,\n")
    pl = followup.Planner(followup.policy_default(), book, agents=3)
    plan = pl.plan(T("2026-03-02T10:00:00-05:00"), 3 * D)
    st = plan.stats()
    assert (st.unplaceable, st.unplaceable_customers, st.deferred) == (1, 1, 0)
    n = [t for t in plan.touchpoints(followup.TOUCHPOINT_SUPPRESSED) if t.customer_id == "N"]
    assert len(n) == 1 and n[0].status_rule == "calendars.hours"
    assert "unplaceable, suppressed by calendars.hours" in n[0].reason
    p = [t for t in plan.touchpoints(followup.TOUCHPOINT_PLANNED) if t.customer_id == "P"]
    assert len(p) == 1 and p[0].best_at_epoch == T("2026-03-02T20:00:00-05:00")
    # without agents nobody's hours are to be met
    st0 = followup.Planner(followup.policy_default(), book).plan(T("2026-03-02T10:00:00-05:00"), 3 * D).stats()
    assert (st0.unplaceable, st0.unplaceable_customers) == (0, 0)
