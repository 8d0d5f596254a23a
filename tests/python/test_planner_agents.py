"""Who makes the call, from Python: Planner.set_agents, Touchpoint.agent,
Customer.owner (tests/test_planner_agents.c works the agents out by hand)."""
import followup
from fu_helpers import two_delivery_book

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


def test_policy_hours_and_clv():
    """The policy's `agents` rules and channels.by_clv (tests/test_planner_who.c
    works them out by hand): a Sunday call moves to Monday 09:00; a low CLV
    makes the second contact an SMS with the rule in the reason."""
    b = two_delivery_book()
    pl = followup.Planner(followup.policy_default(), b)
    pl.set_agents("agent_id,shift,tz\nA1,Mon-Sun 09:00-18:00,Asia/Shanghai\n")
    tps = pl.plan(followup.time_parse("2026-10-11T10:00:00+08:00"), 2 * 86400).touchpoints()
    assert {t.best_at_epoch for t in tps} == {followup.time_parse("2026-10-12T09:00:00+08:00")}
    assert all("agents.weekends" in t.reason for t in tps)
    pl.set_clv("customer_id,clv\nK1,100\nK2,9000\n")
    tps = pl.plan(followup.time_parse("2026-10-18T10:00:00+08:00"), 86400).touchpoints()
    got = {t.customer_id: t for t in tps}
    assert got["K1"].channel == followup.CHANNEL_SMS and "channels.by_clv" in got["K1"].reason
    assert got["K2"].channel == followup.CHANNEL_PHONE and "one-to-one" in got["K2"].reason
    message = None
    try:
        pl.set_clv("customer_id,clv\nK1,-1\n")
    except followup.ParseError as e:
        message = str(e)
    assert message is not None and "clv" in message
    del pl
