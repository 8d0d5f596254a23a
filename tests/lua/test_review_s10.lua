-- Review s10 (user review, F9 and the Lua parts of F8): the calls with many
-- optional arguments take a table of named options (nil = the default, also
-- positionally), unknown option names raise naming the option, the capacity
-- pass's argument errors name the argument and what was expected, and the
-- messages of the Lua face count from 1 and say NaN, not "-nan".
local T = require "testlib"
local followup = require "followup"

local src = os.getenv("FU_SOURCE_DIR") or "../.."
local NOW = "2026-11-23T00:00:00+08:00"

local function sample()
  local book = followup.Book()
  book:read_customers_csv(src .. "/examples/sample/data/customers.csv")
  book:read_events_csv(src .. "/examples/sample/data/events.csv")
  return followup.policy_default(), book
end

local message = T.error_message

local function plan_csv(planner) return planner:plan(NOW, 3 * 86400):csv() end

T.test("Planner: named options equal the positional form", function()
  local pol, book = sample()
  local positional = plan_csv(followup.Planner(pol, book, 2, 4))
  T.truthy(positional ~= plan_csv(followup.Planner(pol, book)), "agents change the plan")
  T.eq(plan_csv(followup.Planner(pol, book, { agents = 2, calls_per_agent = 4 })), positional, "options table")
  T.eq(plan_csv(followup.Planner(pol, book, 2, { calls_per_agent = 4 })), positional, "after a positional")
  T.eq(plan_csv(followup.Planner { policy = pol, book = book, agents = 2, calls_per_agent = 4 }), positional,
    "all named")
  -- nil is the default, in the middle too
  T.eq(plan_csv(followup.Planner(pol, book, 2, 4, nil, nil, nil, nil, nil)), positional, "nil = default")
end)

T.test("Planner{capacity_pass = true}: the pass over its items gives the daily_capacity plan", function()
  local pol, book = sample()
  -- the pass's one-day rule: the one-process plan with daily_capacity (docs/planner.md "Capacity")
  local ref = followup.Planner(pol, book, { agents = 2, calls_per_agent = 4, daily_capacity = true })
    :plan(NOW, 3 * 86400)
  T.eq(followup.Planner(pol, book, 2, 4, nil, nil, nil, nil, nil, true):plan(NOW, 3 * 86400):csv(), ref:csv(),
    "daily_capacity: named = positional")
  T.truthy(followup.Planner(pol, book, 2, 4):plan(NOW, 3 * 86400):csv() ~= ref:csv(),
    "without it one planner rolls over to later days: another plan over 3 days")
  for _, planner in ipairs({
    followup.Planner(pol, book, { capacity_pass = true }),
    followup.Planner(pol, book, nil, nil, nil, nil, nil, nil, true),
    followup.Planner(pol, book, 0, 0, 0, false, nil, false, true), -- the form found by trial still works
  }) do
    local plan = planner:plan(NOW, 3 * 86400)
    local items = followup.capacity_items(plan)
    T.truthy(#items > 0 and #items % followup.CAPACITY_ITEM_SIZE == 0, "items")
    local passed = followup.capacity_pass(pol, items, { agents = 2, calls_per_agent = 4 })
    T.eq(passed, followup.capacity_pass(pol, items, 2, 4), "capacity_pass: named = positional")
    followup.apply_capacity(plan, passed)
    T.eq(plan:csv(), ref:csv(), "after the pass: the one-process capacity plan")
  end
end)

T.test("unknown option names raise naming the option and the closest name", function()
  local pol, book = sample()
  local m, e = message(followup.Planner, pol, book, { capacity = true })
  T.eq(e.name, "InvalidArgumentError", "name")
  T.truthy(m:find("^Planner: unknown option 'capacity', did you mean 'capacity_pass'%? %(expected policy, book, "
    .. "agents, "), m)
  m = message(followup.Planner, pol, book, { agnets = 2 })
  T.truthy(m:find("unknown option 'agnets', did you mean 'agents'?", 1, true), m)
  m = message(followup.capacity_pass, pol, "", { agent = 2 })
  T.truthy(m:find("^capacity_pass: unknown option 'agent', did you mean 'agents'%?"), m)
  m = message(followup.Planner, pol, book, { zzzz = 1 })
  T.eq(m, "Planner: unknown option 'zzzz' (expected policy, book, agents, calls_per_agent, default_cycle, "
    .. "besttime, tier_cycles, strict_calendar, capacity_pass, daily_capacity)", "no close name")
end)

T.test("option errors name the option; twice and missing are refused", function()
  local pol, book = sample()
  T.eq((message(followup.Planner, pol, book, { agents = "two" })),
    "Planner: option 'agents' must be an integer, not string", "type")
  T.eq((message(followup.Planner, pol, book, { capacity_pass = "yes" })),
    "Planner: option 'capacity_pass' must be a boolean, not string", "boolean")
  T.eq((message(followup.Planner, pol, book, 2, { agents = 3 })),
    "Planner: option 'agents' given twice (also as argument 3 (agents))", "twice")
  T.eq((message(followup.Planner, { policy = pol })), "Planner: option 'book' (argument 2) is required", "missing")
  -- positionally, the argument (not the option) is named
  T.eq((message(followup.Planner, pol, book, "two")),
    "Planner: argument 3 (agents) must be an integer, not string", "positional")
end)

T.test("capacity pass: argument errors name the argument and what was expected", function()
  local pol, book = sample()
  local plan = followup.Planner(pol, book, { capacity_pass = true }):plan(NOW, 3 * 86400)
  local items = followup.capacity_items(plan)
  T.eq((message(followup.capacity_pass, pol, items, -1, 4)),
    "capacity_pass: argument 3 (agents) must be an integer >= 0, not -1", "negative agents")
  T.eq((message(followup.capacity_pass, pol, items, 2, -4)),
    "capacity_pass: argument 4 (calls_per_agent) must be an integer >= 0, not -4", "negative calls")
  T.eq((message(followup.capacity_pass, pol, { 1, 2 }, 2)),
    "capacity_pass: argument 2 (items) must be a string, not table", "items a table")
  T.eq((message(followup.capacity_pass, book, items, 2)),
    "capacity_pass: argument 1 (policy) must be a followup.Policy, not followup.Book", "policy")
  T.eq((message(followup.capacity_pass, nil, "", 2)),
    "capacity_pass: argument 1 (policy) must be a followup.Policy, not nil", "no policy")
  T.eq((message(followup.capacity_pass, pol, items:sub(1, -2), 2, 4)),
    string.format("capacity_pass: argument 2 (items): %d bytes is not a multiple of the record size %d "
      .. "(pass the string capacity_items or capacity_pass returned)", #items - 1, followup.CAPACITY_ITEM_SIZE),
    "truncated")
  T.eq((message(followup.apply_capacity, plan, items:sub(2))):match("^apply_capacity: argument 2 %(items%): "),
    "apply_capacity: argument 2 (items): ", "apply truncated")
  T.eq((message(followup.apply_capacity, "plan", items)),
    "apply_capacity: argument 1 (plan) must be a followup.Plan, not string", "apply plan")
  local passed = followup.capacity_pass(pol, items, 2, 4)
  followup.apply_capacity(plan, passed)
  local m = message(followup.apply_capacity, plan, passed)
  T.truthy(m:find("^apply_capacity: item %d+ %(row %d+%) is not a planned agent contact of this plan"), m)
  T.truthy(m:find("(the pass was already applied to this plan: apply_capacity once per plan)", 1, true), m)
end)

T.test("scoring messages count from 1 and say NaN", function()
  local m = followup.BgNbd(0.243, 4.414, 0.793, 2.426) -- CDNOW's parameters
  T.eq((message(followup.bgnbd_p_alive, m, { 1, 0 / 0 }, { 1, 1 }, { 2, 2 })),
    "x[2] = NaN (not a number): must be a non-negative integer", "nan")
  T.eq((message(followup.bgnbd_p_alive, m, { 1.5 }, { 1 }, { 2 })),
    "x[1] = 1.5: must be a non-negative integer", "fraction")
  T.eq((message(followup.bgnbd_p_alive, m, { 1, 1 }, { 1, 3 }, { 2, 2 })), "t_x[2] = 3 is after T = 2", "t_x > T")
  -- customers of the tables given count from 1 too
  T.eq((message(followup.gammagamma_expected, followup.GammaGamma(6.25, 3.74, 15.44), { 2, 1 }, { 3, 0 / 0 })),
    "customer 2: zbar = NaN (not a number): must be finite and >= 0", "customer from 1")
  -- NaN in other places of a message; a quoted id "nan" is left alone
  local pol = followup.policy_default()
  local book = T.book("customer_id,tz\nA,UTC\n", "customer_id,at,kind\nA,2026-11-20T10:00:00Z,purchase\n")
  local bt = followup.BestTime(pol, book)
  T.eq((message(bt.best, bt, 1, 0, 86400 * 7, { level = 0 / 0 })), "credible level must be in (0,1) (got NaN)",
    "got NaN")
  T.eq((message(followup.Kpi, pol, { costs = { phone = 0 / 0 } })),
    "Kpi: option 'costs': the cost of 'phone' is NaN (not a number), not an amount >= 0", "Kpi costs NaN")
  local pl = followup.Planner(pol, book)
  T.eq((message(pl.feed, pl, "nan", "2026-11-23T10:00:00+08:00", "complaint")), "no customer 'nan'", "id 'nan'")
  -- set_clv_values counts its values from 1, kpi:add_due its record
  local two = T.book("customer_id,tz\nA,UTC\nB,UTC\n", "customer_id,at,kind\n")
  local pl2 = followup.Planner(pol, two)
  T.eq((message(pl2.set_clv_values, pl2, { 1, -5 })),
    "Planner:set_clv_values: value 2 is not a CLV >= 0 (NaN: unknown)", "clv value from 1")
  local k = followup.Kpi(pol)
  T.eq((message(k.add_due, k, "", "2026-11-23T00:00:00Z")), "due item 1: missing customer id", "due item from 1")
  -- the scoring functions' arguments are named
  T.eq((message(followup.bgnbd_clv, m, nil, { 1 }, { 1 }, { 2 }, { 10 }, 4, 0.5)),
    "bgnbd_clv: argument 8 (periods) must be an integer, not number", "clv periods")
end)

T.test("BestTime, best, Guard, ContactLog and Book take options too", function()
  local pol = followup.policy_default()
  local book = T.book("customer_id,tz,consent_phone\nA,Asia/Shanghai,yes\n",
    "customer_id,at,kind,channel,outcome\nA,2025-03-18T19:00:00+08:00,contact,phone,answered\n")
  -- the fixed prior Beta(1.5, 3.5) of tests/lua/test_besttime.lua
  local m = followup.BestTime(pol, book, { half_life_seconds = -1, prior_strength = 5, prior_answer_rate = 0.3,
    prior_method = followup.BESTTIME_PRIOR_FIXED })
  local a, b = m:prior(0, 43)
  T.near(a, 1.5, 1e-12, "alpha")
  T.near(b, 3.5, 1e-12, "beta")
  local p = followup.BestTime(pol, book, nil, 0, 0, 0, -1, 5, 0.3, followup.BESTTIME_PRIOR_FIXED)
  local from, to = followup.time_parse("2025-03-25T00:00:00+08:00"), followup.time_parse("2025-03-26T00:00:00+08:00")
  local s1, s2 = m:best(1, from, to, { k = 3 }), p:best(1, from, to, followup.CHANNEL_PHONE, 0, 3)
  T.eq(#s1, 3, "k")
  for i = 1, 3 do T.eq(s1[i].at, s2[i].at, "slot " .. i) end
  T.truthy((message(m.best, m, 1, from, to, { kk = 3 })):find("^BestTime:best: unknown option 'kk', did you mean 'k'%?"),
    "best unknown")
  T.eq((message(followup.BestTime, pol, book, { slot_seconds = "1h" })),
    "BestTime: option 'slot_seconds' must be an integer, not string", "besttime type")

  local log = followup.ContactLog({ store_raw_text = false })
  local g = followup.Guard(pol, book, { log = log, unknown = "deny" })
  T.eq(g:check("nobody", "phone", "2026-11-24T10:00:00+08:00").allowed, false, "unknown = deny")
  local d = g:check_and_record("A", "2026-11-24T10:00:00+08:00", "phone", { outcome = "no_answer" })
  T.eq(d.allowed, true, "allowed")
  T.truthy(log:csv():find("no_answer", 1, true), "outcome recorded")
  T.eq((message(followup.Guard, pol, book, { unkown = "deny" })):match("^Guard: unknown option 'unkown', did you "
    .. "mean 'unknown'%?") ~= nil, true, "guard unknown")
  T.eq((message(followup.Book, { max_recordbytes = 10 })):match("^Book: unknown option 'max_recordbytes', did you "
    .. "mean 'max_record_bytes'%?") ~= nil, true, "book unknown")
  local small = followup.Book { max_field_bytes = 4 }
  local e = T.raises(small.read_customers_text, small, "customer_id,tz\nABCDEFGH,UTC\n", "c.csv")
  T.eq(e.name, "LimitError", "max_field_bytes taken")
end)

T.test("Kpi: options after positional ones; costs stay a table argument", function()
  local pol, book = sample()
  local function csv(k) k:add_book(book); k:compute(); return k:csv() end
  local AS_OF = "2026-11-23T00:00:00+08:00"
  local want = csv(followup.Kpi(pol, "month", "tier", nil, nil, AS_OF, "phone=8", 0))
  T.eq(csv(followup.Kpi(pol, "month", { by = "tier", as_of = AS_OF, costs = { phone = 8 } })), want, "after period")
  T.eq(csv(followup.Kpi(pol, "month", "tier", nil, nil, AS_OF, { phone = 8 })), want, "costs table positional")
  T.eq(csv(followup.Kpi(pol, { period = "month", by = { "tier" }, as_of = AS_OF, costs = "phone=8" })), want, "named")
  T.eq((message(followup.Kpi, pol, "month", { period = "week" })),
    "Kpi: option 'period' given twice (also as argument 2 (period))", "twice")
  T.eq((message(followup.Kpi, pol, { from = 0, from_ = 1 })), "Kpi: options 'from' and 'from_' are the same option",
    "alias twice")
  T.eq(csv(followup.Kpi(pol, "month", "tier", { from_ = "2025-11-01", as_of = AS_OF, costs = "phone=8" })),
    csv(followup.Kpi(pol, "month", "tier", "2025-11-01", nil, AS_OF, "phone=8")), "from_ alias")
  T.eq((message(followup.Kpi, pol, { period = "fortnight" })):match("^Kpi: option 'period': unknown period"),
    "Kpi: option 'period': unknown period", "bad period named")
end)

T.test("records: nil in the middle is absent; named options; same book as the CSV reader", function()
  local want = T.book("customer_id,tz,industry,consent_phone,owner\nA,UTC,retail,,\nB,UTC,retail,yes,bob\n",
    "customer_id,at,kind,unit_price,channel,outcome,priority\n" ..
    "A,2026-11-20T10:00:00Z,purchase,10,,,\nA,2026-11-20T11:00:00Z,contact,,phone,answered,\n" ..
    "B,2026-11-20T11:00:00Z,contact,,phone,answered,high\nB,2026-11-20T12:00:00Z,contact,,sms,,\n")
  local b = followup.Book()
  T.eq(b:add_customer("A", "UTC", nil, nil, "retail"), 1, "positional with nil")
  T.eq(b:add_customer("B", "UTC", { industry = "retail", consent_phone = followup.TRI_YES, owner = "bob" }), 2,
    "named")
  b:add_event("A", "2026-11-20T10:00:00Z", "purchase", nil, nil, 10)
  b:add_event("A", "2026-11-20T11:00:00Z", "contact", nil, nil, nil, nil, nil, "phone", nil, "answered")
  b:add_event("B", "2026-11-20T11:00:00Z", "contact", { channel = "phone", outcome = "answered", priority = "high" })
  b:add_event("B", "2026-11-20T12:00:00Z", "contact", nil, nil, nil, nil, nil, "sms", nil, nil, nil, nil, nil, nil)
  b:finalize()
  T.eq(b:customers_csv(), want:customers_csv(), "customers")
  T.eq(b:events_csv(), want:events_csv(), "events")
  local e = T.raises(b.add_event, b, "A", "2026-11-20T10:00:00Z", "purchase", { amout = 1 })
  T.truthy(e.message:find("^Book:add_event: unknown option 'amout', did you mean 'amount'%?"), e.message)
  local batch = followup.EventBatch()
  batch:add("A", "2026-11-21T10:00:00Z", "purchase", nil, nil, 10, nil, nil, nil, nil, nil, nil, nil, nil, nil)
  batch:add("A", "2026-11-22T10:00:00Z", "purchase", { unit_price = 10 })
  b:append_events(batch)
  T.eq(b:event_count(), 6, "batch")
  local k = followup.Kpi(followup.policy_default())
  k:add_customer("A", nil, "2026-01-01T00:00:00Z")
  k:add_event("A", "2026-11-20T10:00:00Z", "purchase", nil, nil, 10, nil, nil, "phone")
  k:add_due("A", "2026-11-21T10:00:00Z", nil, nil)
end)

T.test("models print their parameters", function()
  T.eq(tostring(followup.BgNbd(0.243, 4.414, 0.793, 2.426)), "followup.BgNbd: r=0.243 alpha=4.414 a=0.793 b=2.426",
    "BgNbd")
  T.eq(tostring(followup.ParetoNbd(0.55, 10.58, 0.61, 11.67)),
    "followup.ParetoNbd: r=0.55 alpha=10.58 s=0.61 beta=11.67", "ParetoNbd")
  T.eq(tostring(followup.GammaGamma(6.25, 3.74, 15.44)), "followup.GammaGamma: p=6.25 q=3.74 gamma=15.44", "GG")
end)

-- Review s10 changes (hR) L1: the rewriting of the library's 0-based
-- positions and "nan" into Lua words leaves quoted text alone: an id or a
-- name the user gave is quoted ('...') and shown as given.
T.test("message rewriting leaves the user's quoted text alone", function()
  local ids = { "customer 5 x[0]", "customer 5 x[0] nan", "event 0: due item 3: t[1]", "fu_book NULL -nan",
    "O'Brien customer 0 x[0]" }
  for _, id in ipairs(ids) do
    local m = message(followup.channel_from_string, id)
    T.eq(m, "unknown channel '" .. id .. "' (expected phone, sms, email, chat, video, visit)", id)
  end
  -- the rewriting still happens outside the quotes of the same message
  local b = followup.Book()
  b:read_customers_text("customer_id,tz\nA,Asia/Shanghai\n", "c.csv")
  b:read_events_text("customer_id,at,kind\nA,2026-01-05T10:00:00Z,purchase\n", "e.csv")
  for _, id in ipairs({ "customer 5 event 0: x[0]", "nan", "it's customer 0" }) do
    local batch = followup.EventBatch()
    batch:add("A", "2026-02-01T00:00:00Z", "repair")
    batch:add(id, "2026-02-01T00:00:00Z", "repair")
    local m = message(b.append_events, b, batch)
    T.truthy(m:find("event 2: unknown customer '" .. id .. "'", 1, true), m)
  end
  -- outside quotes as before
  T.eq((message(followup.bgnbd_p_alive, followup.BgNbd(0.243, 4.414, 0.793, 2.426), { 1, 0 / 0 }, { 1, 1 },
    { 2, 2 })), "x[2] = NaN (not a number): must be a non-negative integer", "x[2] outside quotes")
end)

T.done()
