-- Review r3 L6 from Lua: contacts no agent may ever make are counted in the
-- plan's stats (docs/planner.md "Unplaceable"). N (industry, New York): the
-- built-in team's Beijing hours never meet its business hours.
local T = require "testlib"
local followup = require "followup"

local D = 86400

T.test("a business customer abroad is unplaceable and counted", function()
  local b = T.book(T.CUST_HDR .. "N,America/New_York,,,education,,yes,yes,yes\n",
                   T.EV_HDR .. "N,2026-03-02T10:00:00-05:00,delivery,O1,,,,,,\n")
  local pl = followup.Planner(followup.policy_default(), b, 3)
  local plan = pl:plan(T.time("2026-03-02T10:00:00-05:00"), 3 * D)
  local st = plan:stats()
  T.eq(st.unplaceable, 1, "unplaceable")
  T.eq(st.unplaceable_customers, 1, "customers")
  T.eq(st.deferred, 0, "deferred")
  local tp = plan:touchpoint(followup.TOUCHPOINT_SUPPRESSED, 1)
  T.eq(tp.status_rule, "calendars.hours", "rule")
  T.truthy(tp.reason:find("unplaceable, suppressed by calendars.hours", 1, true), tp.reason)
end)

T.done()
