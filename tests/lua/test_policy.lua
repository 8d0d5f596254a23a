-- fu_policy from Lua: built-in policy, site policies, errors with positions.
local T = require "testlib"
local followup = require "followup"

T.test("the built-in policy has the domain numbers", function()
  local p = followup.policy_default()
  T.eq(p:name(), "builtin", "name")
  T.eq(p:get_number("kpis.coverage.target"), 0.9, "coverage target")
  T.eq(p:get_string("calendars.cn.tz"), "Asia/Shanghai", "tz")
  T.eq(p:get_length("calendars.cn.workdays"), 19, "workdays")
  local d = p:get_duration("cadences.urgent_fault.steps.first_check.within")
  T.eq(d.value, 7200, "within 2h")
  T.eq(d.unit, followup.DURATION_SECONDS, "unit")
end)

T.test("a site policy overrides one value", function()
  local p = followup.policy_load_string("caps:\n  limits:\n    new_customer: {max: 1}\n", "site.yaml")
  T.eq(p:get_number("caps.limits.new_customer.max"), 1, "max")
  T.eq(p:get_string("caps.limits.new_customer.per"), "72h", "per kept")
end)

T.test("a bad policy raises with file, line, column and path", function()
  local e = T.raises(followup.policy_load_string, "caps:\n  limits:\n    new_customer: {maxx: 1}\n", "bad.yaml")
  T.eq(e.code, followup.EPOLICY, "code")
  T.eq(e.source, "bad.yaml", "source")
  T.eq(e.line, 3, "line")
  T.eq(e.column, 20, "column")
  T.eq(e.path, "caps.limits.new_customer.maxx", "path")
end)

T.test("the policy's calendar is a usable copy", function()
  local p = followup.policy_default()
  local cn = p:calendar()
  p = nil
  collectgarbage()
  T.eq(cn:tzid(), "Asia/Shanghai", "tz")
end)

T.test("durations parse and format", function()
  local d = followup.duration_parse("15 business hours")
  T.eq(d.value, 54000, "value")
  T.eq(followup.duration_format(d), "15 business hours", "format")
end)

T.done()
