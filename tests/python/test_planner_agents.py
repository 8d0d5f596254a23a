"""Who makes the call, from Python: Planner.set_agents, Touchpoint.agent,
Customer.owner (tests/test_planner_agents.c works the agents out by hand)."""
import followup

AGENTS = ("agent_id,team,skills,shift,tz,calls_per_day\n"
          "A1,care,phone,Mon-Fri 09:00-18:00,Asia/Shanghai,\n"
          "A2,care,phone,Mon-Fri 09:00-18:00,Asia/Shanghai,\n")


def make_book(at):
    b = followup.Book()
    b.read_customers_text("customer_id,tz,consent_phone,owner\n"
                          "K1,Asia/Shanghai,yes,A2\nK2,Asia/Shanghai,yes,\nK3,Asia/Shanghai,yes,\n", "c.csv")
    b.read_events_text("customer_id,at,kind\n" + "".join(f"{k},{at},delivery\n" for k in ("K1", "K2", "K3")),
                       "e.csv")
    b.finalize()
    return b


def test_agents_named():
    book = make_book("2026-03-02T10:00:00+08:00")
    assert book.customer(0).owner == "A2"
    assert book.customer(1).owner is None
    pl = followup.Planner(followup.policy_default(), book)
    now = followup.time_parse("2026-03-02T10:00:00+08:00")
    assert {t.agent for t in pl.plan(now, 86400).touchpoints()} == {""}
    pl.set_agents(AGENTS)
    got = {t.customer_id: t.agent for t in pl.plan(now, 86400).touchpoints()}
    # K1: its owner A2; K2: A1 (A1 0 calls, A2 1); K3: A2 and A1 have 1 each: file order
    assert got == {"K1": "A2", "K2": "A1", "K3": "A1"}
    pl.set_agents(None)
    assert {t.agent for t in pl.plan(now, 86400).touchpoints()} == {""}


def test_bad_agents_raise():
    book = make_book("2026-03-02T10:00:00+08:00")
    pl = followup.Planner(followup.policy_default(), book)
    message = None
    try:  # not pytest.raises: its traceback would keep pl alive past the book
        pl.set_agents("agent_id,team\nA1,care\n")
    except followup.ParseError as e:
        message = str(e)
    assert message is not None and "shift" in message
    del pl
