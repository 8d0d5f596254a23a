-- Create/free loops over handle types: the process's memory must not grow.
local T = require "testlib"
local followup = require "followup"

local function rss_kib()
  local f = assert(io.open("/proc/self/status"))
  for line in f:lines() do
    local kb = line:match("^VmRSS:%s+(%d+)")
    if kb then f:close(); return tonumber(kb) end
  end
  f:close()
  error("no VmRSS")
end

-- Lua's collector does not see the C memory behind a userdata, so it would
-- let hundreds of large handles wait for collection at once; a full
-- collection every few rounds keeps the measure about leaks, not about GC pace.
local function growth_kib(make, warmup, rounds)
  for i = 1, warmup do make(); if i % 10 == 0 then collectgarbage("collect") end end
  collectgarbage("collect"); collectgarbage("collect")
  local before = rss_kib()
  for i = 1, rounds do make(); if i % 10 == 0 then collectgarbage("collect") end end
  collectgarbage("collect"); collectgarbage("collect")
  return rss_kib() - before
end

if os.getenv("FU_UNDER_ASAN") then
  print("RSS checks skipped under the address sanitizer")
  print("0 passed, 0 failed")
  os.exit(0)
end

T.test("policy load/free does not grow", function()
  local g = growth_kib(function()
    local p = followup.policy_default()
    assert(p:name() == "builtin")
  end, 20, 300)
  T.truthy(g < 4096, "growth " .. g .. " KiB < 4096")
end)

T.test("calendars and windows do not grow", function()
  local g = growth_kib(function()
    local c = followup.Calendar("Europe/Berlin")
    c:set_hours_text("Mon-Fri 09:00-17:00")
    local w = followup.Windows("Mon-Fri 09:00-12:00")
    assert(w:contains(600))
  end, 200, 3000)
  T.truthy(g < 4096, "growth " .. g .. " KiB < 4096")
end)

T.test("errors do not grow", function()
  local g = growth_kib(function()
    local ok = pcall(followup.time_parse, "2026-11-23T09:00:00")
    assert(not ok)
  end, 1000, 50000)
  T.truthy(g < 2048, "growth " .. g .. " KiB < 2048")
end)

T.done()
