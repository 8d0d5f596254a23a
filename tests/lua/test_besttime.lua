-- fu_besttime from Lua. Hand-worked values: a fixed prior Beta(1.5, 3.5)
-- (strength 5, rate 0.3), no decay; the customer "evening" answered four
-- calls at 19:00 local on Tuesdays.
local T = require "testlib"
local fu = require "followup"

local customers = "customer_id,tz,industry,is_smb\n" ..
  "evening,Asia/Shanghai,,\n" ..
  "newbie,Asia/Shanghai,,\n" ..
  "nyb2b,America/New_York,retail,\n"
local events = "customer_id,at,kind,channel,outcome\n"
for _, d in ipairs({ "02-25", "03-04", "03-11", "03-18" }) do
  events = events .. "evening,2025-" .. d .. "T19:00:00+08:00,contact,phone,answered\n"
end

local function book() return T.book(customers, events) end

-- BestTime(policy, book, segments, n_segments, flags, slot_seconds, half_life_seconds,
--          prior_strength, prior_answer_rate, prior_method, as_of, b2b_calendar, b2b)
local function fixed_model(b2b)
  return fu.BestTime(fu.policy_default(), book(), nil, 0, 0, 0, -1, 5, 0.3, fu.BESTTIME_PRIOR_FIXED,
    fu.BOOK_NO_TIME, nil, b2b or fu.BESTTIME_B2B_DEFAULT)
end

local t = fu.time_parse

T.test("counts and prior", function()
  local m = fixed_model()
  T.eq(m:customer_count(), 3, "customers")
  T.eq(m:slot_count(), 168, "slots")
  local a, b = m:prior(0, 43)
  T.near(a, 1.5, 1e-12, "alpha")
  T.near(b, 3.5, 1e-12, "beta")
end)

T.test("answers only at 19:00 make 19:00 the best hour", function()
  local m = fixed_model()
  local tue = t("2025-03-25T00:00:00+08:00")
  local slots = m:best(1, tue, tue + 86400, fu.CHANNEL_PHONE, 0, 3)
  T.eq(#slots, 3, "slots")
  T.eq(slots[1].at, t("2025-03-25T19:00:00+08:00"), "best at")
  T.eq(slots[1].hour_of_week, 43, "hour of week")
  T.near(slots[1].p, 5.5 / 9, 1e-12, "p")
  T.near(slots[1].lo, fu.beta_quantile(0.05, 5.5, 3.5), 1e-9, "lo")
  T.near(slots[1].hi, fu.beta_quantile(0.95, 5.5, 3.5), 1e-9, "hi")
  T.eq(slots[1].rule, nil, "rule")
  T.eq(slots[2].hour_of_week, 42, "second")
  T.eq(slots[3].hour_of_week, 44, "third")
end)

T.test("may_contact at 23:00 says quiet hours until 08:00 next morning", function()
  local m = fixed_model()
  local allowed, rule, nxt = m:may_contact(1, t("2025-03-25T23:00:00+08:00"))
  T.eq(allowed, false, "allowed")
  T.eq(rule, "quiet_hours.allowed", "rule")
  T.eq(nxt, t("2025-03-26T08:00:00+08:00"), "next allowed")
  allowed, rule, nxt = m:may_contact(1, t("2025-03-25T10:00:00+08:00"), fu.CHANNEL_PHONE, 0)
  T.eq(allowed, true, "allowed at 10")
  T.eq(rule, nil, "no rule")
  T.eq(nxt, t("2025-03-25T10:00:00+08:00"), "now")
end)

T.test("a window without an allowed hour says why", function()
  local m = fixed_model()
  local night = t("2025-03-25T22:00:00+08:00")
  local slots = m:best(1, night, night + 4 * 3600)
  T.eq(#slots, 1, "one explanatory slot")
  T.eq(slots[1].at, fu.BESTTIME_NONE, "none")
  T.eq(slots[1].rule, "quiet_hours.allowed", "rule")
  T.eq(slots[1].next_allowed, t("2025-03-26T08:00:00+08:00"), "next")
end)

T.test("the matrix is a table of 7 tables of 24, Monday first", function()
  local m = fixed_model()
  local mx = m:customer_matrix(1, t("2025-03-24T00:00:00+08:00"))
  T.eq(#mx, 7, "rows")
  for d = 1, 7 do T.eq(#mx[d], 24, "columns of row " .. d) end
  T.near(mx[2][20], 5.5 / 9, 1e-12, "Tuesday 19h")
  T.near(mx[3][20], 3.5 / 7, 1e-12, "Wednesday 19h")
  T.near(mx[7][20], 0.3, 1e-12, "Sunday 19h")
  local bd, bh, bv = 0, 0, -1
  for d = 1, 7 do
    for h = 1, 24 do
      if mx[d][h] > bv then bd, bh, bv = d, h, mx[d][h] end
    end
  end
  T.eq(bd, 2, "best day (Tuesday)")
  T.eq(bh - 1, 19, "best hour")
  local seg = m:segment_matrix(0, "hi", 0.9)
  T.near(seg[1][1], fu.beta_quantile(0.95, 1.5, 3.5), 1e-9, "segment hi")
  T.raises(function() m:customer_matrix(1, 0, "median") end)
end)

T.test("a New York B2B customer gets New York business hours", function()
  local m = fixed_model()
  local wed = t("2025-03-26T00:00:00-04:00")
  T.eq(m:best(3, wed, wed + 86400)[1].at, t("2025-03-26T09:00:00-04:00"), "09:00 New York")
  local allowed, rule, nxt = m:may_contact(3, t("2025-03-26T12:30:00-04:00"))
  T.eq(allowed, false, "lunch")
  T.eq(rule, "calendars.cn.hours", "rule")
  T.eq(nxt, t("2025-03-26T13:30:00-04:00"), "after lunch")
  local consumer = fixed_model(0)
  T.eq(consumer:best(3, wed, wed + 86400)[1].at, t("2025-03-26T08:00:00-04:00"), "not B2B: 08:00")
end)

T.test("best_day for every customer and for some", function()
  local m = fixed_model()
  local now = t("2025-03-24T12:00:00+08:00")
  local day = m:best_day(now)
  T.eq(#day, 3, "results")
  T.eq(day[1].at, t("2025-03-25T19:00:00+08:00"), "evening")
  T.eq(day[2].at, t("2025-03-25T08:00:00+08:00"), "newbie: earliest of equal hours")
  T.eq(day[3].at, t("2025-03-25T09:00:00-04:00"), "B2B New York")
  local some = m:best_day(now, nil, { 3, 1 })
  T.eq(some[1].at, day[3].at, "customer 3")
  T.eq(some[2].at, day[1].at, "customer 1")
  local fixed = m:best_day(now, fu.Date(2025, 3, 26))
  T.eq(fixed[1].at, t("2025-03-26T19:00:00+08:00"), "a given day")
  local err = T.raises(function() m:best_day(now, nil, { 10 }) end)
  T.eq(err.name, "InvalidArgumentError", "bad customer")
end)

T.test("record and posterior", function()
  local m = fixed_model()
  local now = t("2025-03-31T00:00:00+08:00")
  T.near(m:posterior(2, 10, now).p, 0.3, 1e-12, "prior only")
  m:record(2, t("2025-03-24T10:00:00+08:00"), fu.OUTCOME_ANSWERED)
  local e = m:posterior(2, 10, now)
  T.near(e.p, 2.5 / 6, 1e-12, "after one answer")
  T.near(e.trials, 1, 1e-12, "trials")
  m:fit_prior()
  local err = T.raises(function() m:record(100, now, fu.OUTCOME_ANSWERED) end)
  T.eq(err.name, "InvalidArgumentError", "customer out of range")
end)

T.test("segments", function()
  local m = fu.BestTime(fu.policy_default(), book(), { 1, 0, 0 })
  T.eq(m:segment_count(), 2, "segments")
  T.truthy(m:segment_matrix(1)[2][20] > m:segment_matrix(0)[2][20], "segment 1 likes Tuesday 19h")
  local err = T.raises(function() fu.BestTime(fu.policy_default(), book(), { 0 }) end)
  T.eq(err.name, "InvalidArgumentError", "wrong number of segment values")
end)

T.test("the model keeps its borrowed policy alive", function()
  local m = fu.BestTime(fu.policy_default(), book())
  for _ = 1, 3 do collectgarbage("collect") end
  local _, rule = m:may_contact(1, t("2025-03-25T23:00:00+08:00"))
  T.eq(rule, "quiet_hours.allowed", "rule read from the policy")
  local wed = t("2025-03-26T00:00:00-04:00")
  T.eq(m:best(3, wed, wed + 86400)[1].at, t("2025-03-26T09:00:00-04:00"), "calendar read from the policy")
end)

T.test("errors raise", function()
  local m = fixed_model()
  local err = T.raises(function() m:best(1, 10, 5) end)
  T.eq(err.name, "InvalidArgumentError", "empty window")
  err = T.raises(function() fu.BestTime(fu.policy_default(), book(), nil, 0, 0, 0, 0, -1, -1, 0, fu.BOOK_NO_TIME, "nope") end)
  T.eq(err.name, "NotFoundError", "no such calendar")
end)

T.done()
