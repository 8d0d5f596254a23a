-- Outside review, session 7, Lua findings F20 and F19: every time argument
-- takes an ISO 8601 text as well as epoch seconds (one typemap for the int64_t
-- instants of followup.i), a bad one raises naming the call and the argument
-- by position and name; messages name Lua calls, not C structs; events are
-- counted from 1; Kpi{from = "2026-09-01"} is local midnight of the policy's
-- calendar zone, as `followup kpi --from` reads it.
local T = require "testlib"
local followup = require "followup"

local t = T.time
local ISO = "2026-11-24T10:00:00+08:00"
local AT = t(ISO)

local function book()
  return T.book(T.CUST_HDR .. "C1,Asia/Shanghai,20000,2026-02-25T10:00:00+08:00,,,yes,yes,yes\n",
    T.EV_HDR .. "C1,2026-02-25T10:00:00+08:00,purchase,O1,,5000,5000,,,\n")
end

local function msg(e) return tostring(e) end

T.test("Guard:check, record and check_and_record take ISO 8601 texts", function()
  local pol, b = followup.policy_default(), book()
  local g = followup.Guard(pol, b, followup.ContactLog())
  local d1 = g:check("C1", "phone", ISO)
  local g2 = followup.Guard(pol, b, followup.ContactLog())
  local d2 = g2:check("C1", "phone", AT)
  T.eq(d1.allowed, d2.allowed, "same decision")
  T.eq(d1.next_allowed, d2.next_allowed, "same next instant")
  g:record("C1", "2026-11-24T02:00:00Z", "phone", "no_answer")
  g2:record("C1", AT, "phone", "no_answer")
  T.eq(g:check("C1", "phone", "2026-11-24T10:30:00+08:00").allowed, g2:check("C1", "phone", AT + 1800).allowed)
  local d = g:check_and_record("C1", "2026-11-25T10:00:00+08:00", "phone", "answered")
  T.eq(d.allowed, g2:check_and_record("C1", AT + 86400, "phone", "answered").allowed)
  local e = T.raises(g.check, g, "C1", "phone", "2026-11-24 10:00")
  T.eq(e.name, "ParseError")
  T.truthy(msg(e):find("Guard:check: argument 3 (at): bad time '2026-11-24 10:00'", 1, true), msg(e))
  e = T.raises(g.record, g, "C1", "nope", "phone", "answered")
  T.truthy(msg(e):find("Guard:record: argument 2 (at): bad time 'nope'", 1, true), msg(e))
  e = T.raises(g.check_and_record, g, "C1", ISO, "phone", "no_answer", "normal", nil, nil, nil, -1, "x")
  T.truthy(msg(e):find("Guard:check_and_record: argument 10 (callback_at): bad time 'x'", 1, true), msg(e))
  e = T.raises(g.check, g, "C1", "phone", {})
  T.truthy(msg(e):find("Guard:check: argument 3 (at) must be an integer or an ISO 8601 text, not table", 1, true),
    msg(e))
end)

T.test("Book:add_event, EventBatch:add, Kpi:add_event and Kpi:add_due take ISO 8601 texts", function()
  local b = followup.Book()
  b:add_customer("X", "Asia/Shanghai")
  b:add_event("X", ISO, "inquiry")
  T.eq(b:event(1).at, AT)
  local batch = followup.EventBatch()
  batch:add("X", "2026-11-25T10:00:00+08:00", "contact")
  b:finalize()
  b:append_events(batch)
  T.eq(b:event(2).at, AT + 86400)
  local e = T.raises(b.add_event, b, "X", "2026-11-24", "inquiry")
  T.truthy(msg(e):find("Book:add_event: argument 2 (at): bad time '2026-11-24'", 1, true), msg(e))
  local k = followup.Kpi(followup.policy_default(), { period = "day", as_of = "2026-11-30T00:00:00+08:00" })
  k:add_customer("X", 0 / 0, ISO)
  k:add_event("X", ISO, "purchase")
  k:add_due("X", "2026-11-26T10:00:00+08:00", ISO)
  e = T.raises(k.add_due, k, "X", "2026-11-26T10:00:00+08:00", "w")
  T.truthy(msg(e):find("Kpi:add_due: argument 3 (due_from): bad time 'w'", 1, true), msg(e))
end)

T.test("Ledger and Calendar calls take ISO 8601 instants", function()
  local led = followup.Ledger(nil)
  local id = led:add("C1", "call back", ISO, "2026-11-25T10:00:00+08:00")
  T.eq(led:get(id):deadline(1), AT + 86400)
  led:fulfill(id, "2026-11-24T12:00:00+08:00")
  T.eq(led:get(id):closed_at(1), AT + 7200)
  local e = T.raises(led.tick, led, "x")
  T.truthy(msg(e):find("Ledger:tick: argument 1 (now): bad time 'x'", 1, true), msg(e))
  local cal = followup.policy_default():calendar()
  T.eq(cal:is_open(ISO), cal:is_open(AT))
  T.eq(cal:next_open("2026-11-24T23:00:00+08:00"), cal:next_open(AT + 13 * 3600))
  T.eq(cal:business_between(ISO, "2026-11-24T12:00:00+08:00"), 7200)
  e = T.raises(cal.business_between, cal, ISO, "q")
  T.truthy(msg(e):find("Calendar:business_between: argument 2 (to): bad time 'q'", 1, true), msg(e))
end)

T.test("messages name Lua calls: Kpi options, feed's at, events from 1", function()
  -- (review s10: an option given by name is named so in messages: "Kpi: option 'period': ...")
  local pol = followup.policy_default()
  local e = T.raises(followup.Kpi, pol, { from = ISO, to = "2026-11-01T00:00:00+08:00" })
  T.eq(msg(e), "Kpi: `to` must be after `from`")
  e = T.raises(followup.Kpi, pol, { budget = -1 })
  T.truthy(not msg(e):find("fu_", 1, true), msg(e))
  e = T.raises(followup.Kpi, pol, { period = "fortnight" })
  T.truthy(msg(e):find("Kpi: option 'period': unknown period 'fortnight'", 1, true), msg(e))
  e = T.raises(followup.Kpi, pol, { costs = "fax=1" })
  T.truthy(msg(e):find("Kpi: option 'costs': want CHANNEL=AMOUNT", 1, true), msg(e))
  e = T.raises(followup.Extractor, -1)
  T.eq(msg(e), "Extractor: min_lead_seconds < 0", "fu_extract_options")
  local pl = followup.Planner(pol, book())
  e = T.raises(pl.feed, pl, { customer_id = "C1", at = math.maxinteger, kind = "inquiry" })
  T.truthy(msg(e):find("Planner:feed: argument 2 (at) outside the supported range", 1, true), msg(e))
  e = T.raises(pl.feed, pl, { customer_id = "C1", at = ISO, kind = "survey", survey = "csat", score = 4.5 })
  T.truthy(msg(e):find("Planner:feed: event 1: csat score", 1, true), msg(e))
end)

T.test("Kpi{from = date} is local midnight in the policy calendar's zone", function()
  local pol = followup.policy_default()
  local function rows(opts)
    local k = followup.Kpi(pol, opts)
    k:add_customer("X", 0 / 0, t("2026-08-01T10:00:00+08:00"))
    k:add_event("X", "2026-08-31T23:30:00+08:00", "purchase")
    k:add_event("X", "2026-09-01T00:30:00+08:00", "purchase")
    k:compute()
    return k:csv()
  end
  local base = { period = "day", as_of = "2026-09-03T00:00:00+08:00" }
  local function with(extra)
    local o = {}
    for kk, v in pairs(base) do o[kk] = v end
    for kk, v in pairs(extra) do o[kk] = v end
    return o
  end
  T.eq(rows(with { from = "2026-09-01" }), rows(with { from = "2026-09-01T00:00:00+08:00" }))
  -- `to` too: [from, to) ends at Beijing midnight, before the day 2026-09-01 (UTC midnight is in it)
  local date_only = rows(with { from = "2026-08-31", to = "2026-09-01" })
  T.eq(date_only, rows(with { from = "2026-08-31", to = "2026-09-01T00:00:00+08:00" }))
  T.truthy(not date_only:find(",2026-09-01,", 1, true), date_only)
  T.truthy(rows(with { from = "2026-08-31", to = "2026-09-01T00:00:00Z" }):find(",2026-09-01,", 1, true),
    "UTC midnight is another instant")
  local e = T.raises(followup.Kpi, pol, { from = "2026-02-30" })
  T.truthy(msg(e):find("Kpi: option 'from': bad date '2026-02-30'", 1, true), msg(e))
end)

T.test("planner:short_agents(): agents whose shift barely meets the team hours (F16)", function()
  local b = T.book(T.CUST_HDR .. "C1,Asia/Shanghai,20000,2026-02-25T10:00:00+08:00,,,yes,yes,yes\n",
    T.EV_HDR .. "C1,2026-03-02T10:00:00+08:00,delivery,O1,,5000,,,,\n")
  local pl = followup.Planner(followup.policy_default(), b)
  local n, first, minutes, need = pl:short_agents()
  T.eq(n, 0, "none before a plan")
  T.eq(first, nil, "no first")
  -- no tz column: the shift is read in UTC, 17:00-18:00 in Beijing
  pl:set_agents("agent_id,shift,calls_per_day\nA1,Mon-Sun 09:00-18:00,80\n")
  pl:plan("2026-03-02T12:00:00+08:00", 86400)
  n, first, minutes, need = pl:short_agents()
  T.eq(n, 1, "one short agent")
  T.eq(first, "A1", "named")
  T.eq(minutes, 60, "one hour within the team hours")
  T.eq(need, 180, "80 calls at 200 a team day of 450 minutes")
  pl:set_agents("agent_id,shift,tz,calls_per_day\nA1,Mon-Sun 09:00-18:00,Asia/Shanghai,80\n")
  pl:plan("2026-03-02T12:00:00+08:00", 86400)
  T.eq((pl:short_agents()), 0, "with its zone: none")
end)

T.done()
