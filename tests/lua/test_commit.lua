-- fu_commit from Lua.
local T = require "testlib"
local followup = require "followup"

local t = T.time

local cn2025 = T.cn2025 -- Mon-Fri 09:00-18:00, National Day 2025 and its make-up days

T.test("a promise of 3 working days breaches and escalates", function()
  local cal = cn2025()
  local led = followup.Ledger()
  local id = led:add_promised("C1", "3个工作日内上门", t("2025-09-26T16:00:00+08:00"), 3,
                              followup.DURATION_WORKING_DAYS, cal)
  T.eq(math.type(id), "integer", "id type")
  T.eq(led:get(id):deadline(1), t("2025-09-30T18:00:00+08:00"), "deadline")
  T.eq(led:tick(t("2025-10-02T18:00:00+08:00")), 3, "events")
  local one = led:get(id)
  T.eq(one:state(1), "breached", "state (a string enum)")
  T.eq(one:event_rule(1, 4), "commitments.escalate_after", "rule")
  local e = T.raises(function() led:get(999) end)
  T.eq(e.name, "NotFoundError", "not found")
end)

T.test("extraction", function()
  local ex = followup.Extractor()
  local x = ex:run(cn2025(), "明天下午前回电", t("2025-09-26T16:00:00+08:00"))
  T.eq(x:promise_count(), 1, "count")
  T.eq(x:promise_rule(1), "commitments.patterns.zh_tomorrow_pm", "rule")
  T.eq(x:promise_deadline(1), t("2025-09-27T12:00:00+08:00"), "deadline")
end)

T.done()
