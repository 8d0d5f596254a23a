-- Calendar:add_working_days_bulk (fu_calendar_add_working_days_bulk) from
-- Lua: the same instants as single add_working_days calls, hand-computed
-- deadlines over the 2025 National Day holidays, options, and bad input
-- refused with messages that count from 1.
local T = require "testlib"
local followup = require "followup"

local t = T.time

-- The 2025 mainland China calendar: Mon-Fri 09:00-18:00, holidays
-- 10-01..10-08, make-up working days Sunday 09-28 and Saturday 10-11.
local cn2025 = T.cn2025

local function iso(v) return followup.time_format(v, 8 * 3600) end

T.test("hand-computed deadlines over the holiday, both modes", function()
  local cal = cn2025()
  local times = { "2025-09-26T16:00:00+08:00", "2025-09-26T16:00:00+08:00", "2025-09-30T10:00:00+08:00",
    "2025-10-03T10:00:00+08:00", "2025-10-09T10:00:00+08:00", "2025-09-26T08:00:00+08:00" }
  local n = { 3, 5, 1, 0, 2, 1 }
  local eod = cal:add_working_days_bulk(times, n)
  local want_eod = {
    "2025-09-30T18:00:00+08:00", -- Fri + 3: Sun 09-28 (make-up), Mon 09-29, Tue 09-30
    "2025-10-10T18:00:00+08:00", -- + 5: 09-28, 09-29, 09-30, (holidays 10-01..08), 10-09, 10-10
    "2025-10-09T18:00:00+08:00", -- Tue 09-30 + 1: the next working day is Thu 10-09
    "2025-10-09T18:00:00+08:00", -- a holiday + 0: the next working day
    "2025-10-11T18:00:00+08:00", -- Thu 10-09 + 2: Fri 10-10, Sat 10-11 (make-up)
    "2025-09-28T18:00:00+08:00", -- Fri + 1: the make-up Sunday
  }
  T.eq(#eod, #times, "count")
  for i = 1, #want_eod do
    T.eq(iso(eod[i]), want_eod[i], "end of day " .. i)
    T.eq(math.type(eod[i]), "integer", "integer result " .. i)
  end
  local same = cal:add_working_days_bulk(times, n, "same_time")
  local want_same = {
    "2025-09-30T16:00:00+08:00", "2025-10-10T16:00:00+08:00", "2025-10-09T10:00:00+08:00",
    "2025-10-09T10:00:00+08:00", "2025-10-11T10:00:00+08:00",
    "2025-09-28T09:00:00+08:00", -- 08:00 is before the make-up Sunday's hours: the next open instant
  }
  for i = 1, #want_same do T.eq(iso(same[i]), want_same[i], "same time " .. i) end
end)

T.test("equal to single add_working_days calls, one n or one per instant", function()
  local cal = cn2025()
  local times, n = {}, {}
  local start = t("2025-09-20T00:00:00+08:00")
  for k = 0, 29 * 4 - 1 do -- every 6 h 7 min over 29 days: working days, weekends, the holidays
    times[#times + 1] = start + k * (6 * 3600 + 7 * 60)
    n[#n + 1] = k % 8
  end
  for _, mode in ipairs({ followup.WORKDAY_END_OF_DAY, followup.WORKDAY_SAME_TIME }) do
    local got = cal:add_working_days_bulk(times, n, mode)
    local all3 = cal:add_working_days_bulk(times, 3, mode)
    T.eq(#got, #times, "count")
    for i = 1, #times do
      T.eq(got[i], cal:add_working_days(times[i], n[i], mode), "instant " .. i .. " mode " .. mode)
      T.eq(all3[i], cal:add_working_days(times[i], 3, mode), "instant " .. i .. " + 3, mode " .. mode)
    end
  end
  -- the mode by name, for the single call too
  T.eq(cal:add_working_days(times[5], 2, "same_time"), cal:add_working_days(times[5], 2, followup.WORKDAY_SAME_TIME),
    "single call, mode by name")
end)

T.test("named options, the _epoch name and an empty array", function()
  local cal = cn2025()
  local times = { t("2025-09-26T16:00:00+08:00"), "2025-09-30T10:00:00+08:00" }
  local want = cal:add_working_days_bulk(times, { 3, 1 }, "same_time")
  local a = cal:add_working_days_bulk(times, { 3, 1 }, { mode = "same_time" })
  local b = cal:add_working_days_bulk { times = times, n = { 3, 1 }, mode = followup.WORKDAY_SAME_TIME }
  local c = cal:add_working_days_bulk_epoch(times, { 3, 1 }, "same_time")
  for i = 1, 2 do
    T.eq(a[i], want[i], "options table " .. i)
    T.eq(b[i], want[i], "all named " .. i)
    T.eq(c[i], want[i], "_epoch " .. i)
  end
  T.eq(#cal:add_working_days_bulk({}, 1), 0, "no instants")
  T.eq(#cal:add_working_days_bulk({}, {}), 0, "no instants, no n")
end)

-- e raised by fn(...) is an InvalidArgumentError whose message holds `want`.
local function refused(want, fn, ...)
  local e = T.raises(fn, ...)
  T.eq(getmetatable(e), followup.Error, "an Error table for " .. want)
  T.eq(e.name, "InvalidArgumentError", "name for " .. want)
  T.truthy(e.message:find(want, 1, true), string.format("message %q holds %q", e.message, want))
  return e
end

T.test("bad input: each element named, counted from 1", function()
  local cal = cn2025()
  local bulk = cal.add_working_days_bulk
  local ok = t("2025-09-26T16:00:00+08:00")
  local P = "Calendar:add_working_days_bulk: "
  refused(P .. "argument 1 (times): times[2] = NaN (not a number): must be epoch seconds", bulk, cal,
    { ok, 0 / 0 }, 1)
  refused(P .. "argument 1 (times): times[3] is a boolean: must be epoch seconds", bulk, cal, { ok, ok, true }, 1)
  refused(P .. "argument 1 (times): times[1] = 1.5: must be epoch seconds", bulk, cal, { 1.5 }, 1)
  refused(P .. "argument 1 (times): times[2] = '2025-09-26T16:00:00': ", bulk, cal, { ok, "2025-09-26T16:00:00" }, 1)
  refused(P .. "argument 1 (times) must be an array of instants, not string", bulk, cal, "2025-09-26", 1)
  refused(P .. "argument 1 (times) must be an array of instants: key 'x' is not a position 1..1", bulk, cal,
    { ok, x = ok }, 1)
  refused(P .. "argument 2 (n) = NaN (not a number): must be an integer >= 0", bulk, cal, { ok }, 0 / 0)
  refused(P .. "argument 2 (n) = '3': must be an integer >= 0", bulk, cal, { ok }, "3")
  refused(P .. "argument 2 (n): n[2] = NaN (not a number): must be an integer >= 0", bulk, cal, { ok, ok }, { 1, 0 / 0 })
  refused(P .. "argument 2 (n): n[2] = -1: must be an integer >= 0", bulk, cal, { ok, ok }, { 1, -1 })
  refused(P .. "argument 2 (n): n[1] = 2.5: must be an integer >= 0", bulk, cal, { ok }, { 2.5 })
  refused(P .. "argument 2 (n): n[1] = 4294967296: must be an integer >= 0", bulk, cal, { ok }, { 1 << 32 })
  refused(P .. "argument 2 (n) has 2 values for 3 instants", bulk, cal, { ok, ok, ok }, { 1, 2 })
  refused(P .. "argument 2 (n) has 1 value for 0 instants", bulk, cal, {}, { 1 })
  refused(P .. "argument 3 (mode): unknown mode 'sometimes' (expected end_of_day, same_time)", bulk, cal, { ok }, 1,
    "sometimes")
  refused(P .. "argument 3 (mode) must be one of end_of_day, same_time (or a WORKDAY_* constant), not 7", bulk, cal,
    { ok }, 1, 7)
  refused(P .. "unknown option 'modes', did you mean 'mode'?", bulk, cal, { ok }, 1, { modes = "same_time" })
  refused(P .. "option 'n' (argument 2) is required", bulk, cal, { ok }, { mode = "same_time" })
end)

T.test("the library's error names the element, counted from 1", function()
  local cal = cn2025()
  local ok = t("2025-09-26T16:00:00+08:00")
  local e = T.raises(cal.add_working_days_bulk, cal, { ok, ok, 1 << 62 }, 1)
  T.eq(getmetatable(e), followup.Error, "an Error table")
  T.truthy(e.message:find("Calendar:add_working_days_bulk: argument 1 (times): times[3]: ", 1, true), e.message)
  T.truthy(not e.message:find("fu_", 1, true), e.message)
  -- the single call refuses the same instant
  T.raises(cal.add_working_days, cal, 1 << 62, 1)
end)

T.test("a closed calendar raises StateError", function()
  local cal = cn2025()
  cal:close()
  local e = T.raises(cal.add_working_days_bulk, cal, { 0 }, 1)
  T.eq(e.name, "StateError", "name")
end)

T.done()
