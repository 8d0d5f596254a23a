-- The policy's `agents` rules and channels.by_clv from Lua (worked out by
-- hand in tests/test_planner_who.c).
local T = require "testlib"
local followup = require "followup"

T.test("weekend call moves to Monday; low CLV gets an SMS", function()
  local b = followup.Book()
  b:read_customers_text("customer_id,tz,consent_phone,consent_sms\nK1,Asia/Singapore,yes,yes\n" ..
                        "K2,Asia/Singapore,yes,yes\n", "c.csv")
  -- the first contacts made on Monday (a later run with agents would plan them overdue otherwise)
  b:read_events_text("customer_id,at,kind,channel,outcome\nK1,2026-10-11T10:00:00+08:00,delivery,,\n" ..
                     "K2,2026-10-11T10:00:00+08:00,delivery,,\n" ..
                     "K1,2026-10-12T09:00:00+08:00,contact,phone,answered\n" ..
                     "K2,2026-10-12T09:05:00+08:00,contact,phone,answered\n", "e.csv")
  b:finalize()
  local pl = followup.Planner(followup.policy_default(), b)
  pl:set_agents("agent_id,shift,tz\nA1,Mon-Sun 09:00-18:00,Asia/Shanghai\n")
  local plan = pl:plan(followup.time_parse("2026-10-11T10:00:00+08:00"), 2 * 86400)
  T.eq(plan:count(followup.TOUCHPOINT_PLANNED), 2)
  local tp = plan:touchpoint(followup.TOUCHPOINT_PLANNED, 1)
  T.eq(tp.best_at, followup.time_parse("2026-10-12T09:00:00+08:00"))
  T.truthy(tp.reason:find("agents.weekends", 1, true), tp.reason)
  pl:set_clv("customer_id,clv\nK1,100\nK2,9000\n")
  plan = pl:plan(followup.time_parse("2026-10-18T10:00:00+08:00"), 86400)
  local got = {}
  for i = 1, plan:count(followup.TOUCHPOINT_PLANNED) do
    local t = plan:touchpoint(followup.TOUCHPOINT_PLANNED, i)
    got[t.customer_id] = t
  end
  T.eq(got.K1.channel, "sms")
  T.truthy(got.K1.reason:find("channels.by_clv", 1, true), got.K1.reason)
  T.eq(got.K2.channel, "phone")
  local err = T.raises(function() pl:set_clv("customer_id,clv\nK1,-1\n") end)
  T.truthy(tostring(err):find("clv", 1, true), tostring(err))
end)

T.done()
