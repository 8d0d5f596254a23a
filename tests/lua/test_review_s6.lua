-- Outside review, session 6, Lua findings 10 and 11: argument errors name the
-- Lua call, the argument (position and name, constructors counted as in
-- Python) and the expected class; C function names become Lua ones;
-- planner:feed and followup.Kpi take a table of named fields, nil meaning
-- "not given", and ISO 8601 times; plan_customer takes a customer id.
local T = require "testlib"
local followup = require "followup"

local D = 86400
local t = T.time

local function book()
  return T.book(T.CUST_HDR .. "C1,Asia/Shanghai,20000,2026-02-25T10:00:00+08:00,,,yes,yes,yes\n"
    .. "C2,Asia/Shanghai,,,,,yes,yes,yes\n",
    T.EV_HDR .. "C1,2026-02-25T10:00:00+08:00,purchase,O1,,5000,5000,,,\n"
    .. "C1,2026-03-02T10:00:00+08:00,delivery,O1,,5000,,,,\n"
    .. "C2,2026-03-02T11:00:00+08:00,contact,,,,,,phone,answered\n")
end

local function msg(e) return tostring(e) end

T.test("constructor errors count arguments as Python does and name them", function()
  local pol, b = followup.policy_default(), book()
  local e = T.raises(followup.Planner, pol, b, "x")
  T.eq(e.name, "InvalidArgumentError", "name")
  T.truthy(msg(e):find("Planner: argument 3 (agents) must be an integer, not string", 1, true), msg(e))
  e = T.raises(followup.Planner, pol, "x")
  T.truthy(msg(e):find("Planner: argument 2 (book) must be a followup.Book, not string", 1, true), msg(e))
  e = T.raises(followup.Planner, "x", b)
  T.truthy(msg(e):find("Planner: argument 1 (policy) must be a followup.Policy, not string", 1, true), msg(e))
  e = T.raises(followup.Kpi, "x")
  T.truthy(msg(e):find("Kpi: argument 1 (policy) must be a followup.Policy, not string", 1, true), msg(e))
  e = T.raises(followup.BestTime, pol, "x")
  T.truthy(msg(e):find("BestTime: argument 2 (book) must be a followup.Book, not string", 1, true), msg(e))
  T.truthy(not msg(e):find("value", 1, true), "no 'must be value'")
end)

T.test("method errors name the method, the argument and the class", function()
  local k = followup.Kpi(followup.policy_default())
  local e = T.raises(k.to_html, k, 5)
  T.truthy(msg(e):find("Kpi:to_html: argument 1 (breakdown) must be a followup.Kpi, not number", 1, true), msg(e))
  local pl = followup.Planner(followup.policy_default(), book())
  e = T.raises(pl.plan, pl, true)
  T.truthy(msg(e):find("Planner:plan: argument 1 (now) must be an integer or an ISO 8601 text, not boolean", 1, true), msg(e))
  -- session 7: a text is an ISO 8601 time (as feed takes it), refused naming the argument
  e = T.raises(pl.plan, pl, "soon")
  T.truthy(msg(e):find("Planner:plan: argument 1 (now): bad time 'soon'", 1, true), msg(e))
  e = T.raises(pl.simulate, pl, 0, {})
  T.truthy(msg(e):find("Planner:simulate: argument 2 (to) must be an integer or an ISO 8601 text, not table", 1, true), msg(e))
end)

T.test("library messages name the Lua method, not the C function", function()
  local pl = followup.Planner(followup.policy_default(), book())
  local now = t("2026-03-02T12:00:00+08:00")
  pl:plan(now, D)
  local e = T.raises(pl.feed, pl, "C2", now + 7200, "contact", now, D, nil, nil, 0 / 0, 0 / 0, 0, "phone", "A1",
    "answered")
  T.truthy(msg(e):find("Planner:feed: now is before the event", 1, true), msg(e))
  T.truthy(not msg(e):find("fu_", 1, true), "no C name: " .. msg(e))
  local b = followup.Book()
  e = T.raises(followup.Planner, followup.policy_default(), b)
  T.eq(e.name, "StateError", "an open book")
  T.truthy(not msg(e):find("fu_", 1, true), "no C name: " .. msg(e))
end)

T.test("planner:feed positional with nil for the enums left out", function()
  local now = t("2026-03-02T12:00:00+08:00")
  local pl = followup.Planner(followup.policy_default(), book())
  pl:plan(now, D)
  -- severity nil, channel and outcome given: as severity 0 / "none"
  local a = pl:feed("C2", now + 3600, "contact", now + 3600, D, nil, nil, nil, nil, nil, "phone", "A1", "answered")
  local pl2 = followup.Planner(followup.policy_default(), book())
  pl2:plan(now, D)
  local b = pl2:feed("C2", now + 3600, "contact", now + 3600, D, nil, nil, 0 / 0, 0 / 0, "none", "phone", "A1",
    "answered")
  T.eq(a:csv(), b:csv(), "nil = not given")
  T.eq(a:count("cancelled"), b:count("cancelled"), "same cancellations")
end)

T.test("planner:feed{named fields} and feed(id, at, kind, {options})", function()
  local now = t("2026-03-02T12:00:00+08:00")
  local function fresh()
    local pl = followup.Planner(followup.policy_default(), book())
    pl:plan(now, D)
    return pl
  end
  local want = fresh():feed("C2", now + 3600, "contact", now + 3600, D, nil, nil, 0 / 0, 0 / 0, 0, "phone", "A1",
    "answered")
  local named = fresh():feed { customer_id = "C2", at = now + 3600, kind = "contact", now = now + 3600,
    channel = "phone", agent_id = "A1", outcome = "answered", severity = nil }
  T.eq(named:csv(), want:csv(), "named fields")
  local alias = fresh():feed { customer = "C2", at = "2026-03-02T13:00:00+08:00", kind = "contact",
    channel = "phone", agent_id = "A1", outcome = "answered" }
  T.eq(alias:csv(), want:csv(), "customer alias, ISO time, now defaults to at")
  local mixed = fresh():feed("C2", now + 3600, "contact", { channel = "phone", agent_id = "A1", outcome = "answered" })
  T.eq(mixed:csv(), want:csv(), "options table after the three required")
  local pl = fresh()
  local e = T.raises(pl.feed, pl, { customer_id = "C2", at = now, kind = "contact", chanel = "phone" })
  T.truthy(msg(e):find("Planner:feed: unknown field 'chanel'", 1, true), msg(e))
  e = T.raises(pl.feed, pl, { customer_id = "C2", kind = "contact" })
  T.truthy(msg(e):find("Planner:feed: field 'at' is required", 1, true), msg(e))
  e = T.raises(pl.feed, pl, { customer_id = "C2", at = "yesterday", kind = "contact" })
  T.eq(e.name, "ParseError", "bad time text")
  T.truthy(msg(e):find("Planner:feed: argument 2 (at)", 1, true), msg(e))
  e = T.raises(pl.feed, pl, { customer_id = "C2", at = now, kind = "contact", severity = "bad" })
  T.truthy(msg(e):find("unknown severity 'bad'", 1, true), msg(e))
end)

T.test("plan_customer takes a customer id as well as a 1-based index", function()
  local b = book()
  local pl = followup.Planner(followup.policy_default(), b)
  local now = t("2026-03-02T10:00:00+08:00")
  local i = b:find_customer("C1")
  T.eq(pl:plan_customer("C1", now, 20 * D):csv(), pl:plan_customer(i, now, 20 * D):csv(), "same plan")
  T.truthy(pl:plan_customer("C1", now, 20 * D):count() >= 1, "something planned")
  local e = T.raises(pl.plan_customer, pl, "nobody", now)
  T.eq(e.name, "NotFoundError", "unknown id")
end)

T.test("followup.Kpi: named options, ISO times, by and costs as tables", function()
  local pol = followup.policy_default()
  local NO = followup.KPI_NO_TIME
  local as_of = t("2026-03-31T00:00:00+08:00")
  local function figures(k)
    k:add_book(book())
    k:compute()
    local out = {}
    for f in k:figures() do out[#out + 1] = table.concat({ f.kpi, f.group, f.period, tostring(f.value) }, "|") end
    return table.concat(out, "\n")
  end
  local want = figures(followup.Kpi(pol, "month", "tier,agent", NO, NO, as_of, "phone=5", 0))
  T.truthy(#want > 0, "figures")
  T.eq(figures(followup.Kpi(pol, { period = "month", by = { "tier", "agent" }, as_of = "2026-03-31T00:00:00+08:00",
    costs = { phone = 5 } })), want, "named options")
  T.eq(figures(followup.Kpi(pol, "month", { "tier", "agent" }, nil, nil, "2026-03-31T00:00:00+08:00", "phone=5")),
    want, "positional, nil = default, ISO text")
  local e = T.raises(followup.Kpi, pol, { period = "month", as_of = "31 March" })
  T.eq(e.name, "ParseError", "a bad time")
  -- (review s10: a named option is named so; the generic options form's wording)
  T.truthy(msg(e):find("Kpi: option 'as_of': ", 1, true), msg(e))
  e = T.raises(followup.Kpi, pol, { periods = "month" })
  T.truthy(msg(e):find("Kpi: unknown option 'periods', did you mean 'period'?", 1, true), msg(e))
  e = T.raises(followup.Kpi, pol, "month", 7)
  T.truthy(msg(e):find("Kpi: argument 3 (by) must be a string or a table, not number", 1, true), msg(e))
end)

T.test("planner:set_clv_values: one CLV per customer in book order", function()
  local b = followup.Book()
  b:read_customers_text("customer_id,tz,consent_phone,consent_sms\nK1,Asia/Singapore,yes,yes\n"
    .. "K2,Asia/Singapore,yes,yes\n", "c.csv")
  -- the first contacts made on 10-12 (else, since review s8 F14, still due,
  -- overdue, high priority, and merged with the second contact)
  b:read_events_text("customer_id,at,kind\nK1,2026-10-11T10:00:00+08:00,delivery\n"
    .. "K2,2026-10-11T10:00:00+08:00,delivery\n"
    .. "K1,2026-10-12T10:00:00+08:00,contact\nK2,2026-10-12T10:00:00+08:00,contact\n", "e.csv")
  b:finalize()
  local pl = followup.Planner(followup.policy_default(), b)
  local function channels()
    local out = {}
    for tp in pl:plan(t("2026-10-18T10:00:00+08:00"), D):touchpoints() do out[tp.customer_id] = tp.channel end
    return out
  end
  T.eq(channels().K1, "phone", "before")
  pl:set_clv_values({ 100, 9000 })
  T.eq(channels().K1, "sms", "low CLV: SMS (channels.by_clv)")
  T.eq(channels().K2, "phone", "high CLV: phone")
  pl:set_clv_values(nil)
  T.eq(channels().K1, "phone", "removed")
  local e = T.raises(pl.set_clv_values, pl, { 1 })
  T.eq(e.name, "InvalidArgumentError", "one value per customer")
end)

T.done()
