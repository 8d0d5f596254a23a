-- Who makes the call, from Lua: Planner:set_agents, Touchpoint.agent,
-- Customer.owner (tests/test_planner_agents.c works the agents out by hand).
local T = require "testlib"
local followup = require "followup"

T.test("agents are named, owner first", function()
  local b = followup.Book()
  b:read_customers_text("customer_id,tz,consent_phone,owner\nK1,Asia/Shanghai,yes,A2\nK2,Asia/Shanghai,yes,\n", "c.csv")
  b:read_events_text("customer_id,at,kind\nK1,2026-03-07T10:00:00+08:00,delivery\n" ..
                     "K2,2026-03-07T09:00:00+08:00,delivery\n", "e.csv")
  b:finalize()
  T.eq(b:customer(1).owner, "A2")
  local pl = followup.Planner(followup.policy_default(), b)
  pl:set_agents("agent_id,shift,tz\nA1,Mon-Fri 09:00-18:00,Asia/Shanghai\nA2,Mon-Fri 09:00-18:00,Asia/Shanghai\n")
  local plan = pl:plan(followup.time_parse("2026-03-07T10:00:00+08:00"), 3 * 86400)
  local got = {}
  for i = 1, plan:count(followup.TOUCHPOINT_PLANNED) do
    local tp = plan:touchpoint(followup.TOUCHPOINT_PLANNED, i)
    got[tp.customer_id] = {tp.agent, tp.best_at}
  end
  T.eq(got.K2[1], "A1", "least loaded, file order")
  T.eq(got.K2[2], followup.time_parse("2026-03-09T09:00:00+08:00"), "Monday's shift")
  T.eq(got.K1[1], "A2", "the customer's owner")
  T.eq(got.K1[2], followup.time_parse("2026-03-09T09:00:00+08:00"), "Saturday's call waits for Monday's shift")
end)

T.test("bad agents CSV raises", function()
  local b = followup.Book()
  b:finalize()
  local pl = followup.Planner(followup.policy_default(), b)
  local err = T.raises(function() pl:set_agents("agent_id\nA1\n") end)
  T.truthy(tostring(err):find("shift", 1, true), tostring(err))
end)

T.done()
