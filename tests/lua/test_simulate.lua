-- fu_simulation from Lua: the measures of a small book by hand, the
-- sensitivity table, errors.
local T = require "testlib"
local followup = require "followup"

local POLICY = "name: t\nversion: '1'\nextends: builtin\ncadences:\n" ..
  "  installation: ~\n  warranty: ~\n  high_price_equipment: ~\n  urgent_fault: ~\n  consultation: ~\n" ..
  "  complaint: ~\n  enrollment: ~\n  course_start: ~\n  course_end: ~\n  bank_large_sale: ~\n  win_back: ~\n" ..
  "  consumables: ~\n  fast_moving: ~\n  deep_care: ~\n  vip_monthly: ~\n  ordinary_quarterly: ~\n" ..
  "suppressions:\n  smb_month_end: ~\n"
local FROM = followup.time_parse("2026-03-02T00:00:00+08:00")
local TO = followup.time_parse("2026-03-09T00:00:00+08:00")

local function book()
  local b = followup.Book()
  b:read_customers_text("customer_id,tz\nC1,Asia/Shanghai\nC2,Asia/Shanghai\n", "c.csv")
  b:read_events_text("customer_id,at,kind,severity,channel,agent_id,outcome\n" ..
    "C1,2026-03-02T10:00:00+08:00,delivery,,,,\n" ..
    "C2,2026-03-02T10:00:00+08:00,delivery,,,,\n" ..
    "C1,2026-03-02T11:00:00+08:00,contact,,phone,A1,answered\n" ..
    "C2,2026-03-02T11:00:00+08:00,contact,,phone,A1,no_answer\n", "e.csv")
  b:finalize()
  return b
end

T.test("baseline measures by hand", function()
  local csv = followup.simulation_csv(followup.policy_load_string(POLICY, "t"), book(), "baseline", FROM, TO)
  T.truthy(csv:find("^measure,value,ci_low,ci_high,n,successes\n"), "header")
  T.truthy(csv:find("\ncoverage,0.5,", 1, true), "coverage 1/2")
  T.truthy(csv:find("\nanswer_rate,0.5,", 1, true), "answer rate 1/2")
  T.truthy(csv:find("\ncalls_per_agent_day,2,", 1, true), "2 calls by one agent in a day")
end)

T.test("sensitivity table", function()
  local csv = followup.sensitivity_csv(followup.policy_load_string(POLICY, "t"), book(), "1,2", "5", FROM, TO, "policy")
  local rows = 0
  for _ in csv:gmatch("\n%d+,5,") do rows = rows + 1 end
  T.eq(rows, 2, "one row per team size")
end)

T.test("times as ISO 8601 texts, as every other time argument (session 12)", function()
  local p = followup.policy_load_string(POLICY, "t")
  local iso_from, iso_to = "2026-03-02T00:00:00+08:00", "2026-03-09T00:00:00+08:00"
  T.eq(followup.simulation_csv(p, book(), "baseline", iso_from, iso_to),
    followup.simulation_csv(p, book(), "baseline", FROM, TO), "simulation_csv: text = epoch")
  T.eq(followup.sensitivity_csv(p, book(), "1,2", "5", iso_from, iso_to, "policy"),
    followup.sensitivity_csv(p, book(), "1,2", "5", FROM, TO, "policy"), "sensitivity_csv: text = epoch")
  local e = T.raises(followup.simulation_csv, p, book(), "baseline", "2026-03-02T00:00:00", iso_to)
  T.truthy(tostring(e):find("argument 4 (from): bad time '2026-03-02T00:00:00': an offset is required", 1, true),
    tostring(e))
end)

T.test("errors", function()
  local p = followup.policy_load_string(POLICY, "t")
  T.raises(function() return followup.simulation_csv(p, book(), "sometimes", FROM, TO) end)
  T.raises(function() return followup.simulation_csv(p, book(), "policy", TO, FROM) end)
end)

T.done()
