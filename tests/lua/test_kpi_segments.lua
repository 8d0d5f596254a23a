-- Bulk and file inputs from Lua: kpi:read_segments_csv(path)
-- (fu_kpi_read_segments_csv), kpi:set_segments{id = label}, planner:unknown_classes()
-- (fu_planner_unknown_classes), and ISO 8601 times for planner:plan /
-- plan_customer / simulate.
local T = require "testlib"
local followup = require "followup"

local W10 = T.time("2026-03-03T10:00:00+08:00")

-- By segment, one CSAT answer each: C1 5, C2 4, C3 2, C4 1 (2026-W10).
local function engine()
  local k = followup.Kpi(followup.policy_default(), { by = "segment", as_of = "2026-03-08T00:00:00+08:00" })
  for id, score in pairs({ C1 = 5, C2 = 4, C3 = 2, C4 = 1 }) do
    k:add_event(id, W10, "survey", nil, nil, 0 / 0, 0 / 0, 0, 0, nil, 0, score, "csat")
  end
  return k
end

-- {group = "n mean"} of CSAT in 2026-W10.
local function csat(k)
  k:compute()
  local out = {}
  for f in k:figures() do
    if f.kpi == "csat" and f.period == "2026-W10" then out[f.group] = string.format("%g %g", f.n, f.value) end
  end
  return out
end

local function same(got, want, what)
  for g, v in pairs(want) do T.eq(got[g], v, what .. " " .. g) end
  for g, v in pairs(got) do T.eq(want[g], v, what .. " extra " .. g) end
end

local function file_of(text)
  local path = os.tmpname()
  local f = assert(io.open(path, "wb"))
  f:write(text)
  f:close()
  return path
end

T.test("read_segments_csv: labels land in the groups", function()
  local path = file_of('\xEF\xBB\xBFclv,segment,customer_id\r\n1,"gold, old",C1\r\n2,"gold, old",C2\r\n3,,C3\r\n')
  local k = engine()
  k:read_segments_csv(path)
  -- hand: gold = (5 + 4) / 2; none = C3's 2; unknown = C4's 1
  same(csat(k), { ["gold, old"] = "2 4.5", none = "1 2", unknown = "1 1" }, "csat")
  os.remove(path)
end)

T.test("read_segments_csv: errors carry file, line, column and column name", function()
  local path = file_of("customer_id,segment\nC1,a\nC1,b\n")
  local k = engine()
  k:set_segment("C1", "silver")
  local e = T.raises(k.read_segments_csv, k, path)
  T.eq(getmetatable(e), followup.Error, "an Error")
  T.eq(e.name, "ParseError", "name")
  T.eq(e.source, path, "source")
  T.eq(e.line, 3, "line")
  T.eq(e.column, 4, "column")
  T.eq(e.path, "segment", "column name")
  T.eq(e.message, "customer 'C1' is in segment 'a' on line 2 and 'b' here (one label per customer)", "message")
  T.eq(tostring(e), path .. ":3:4: segment: " .. e.message, "text")
  -- nothing changed
  same(csat(k), { silver = "1 5", unknown = string.format("3 %g", 7 / 3) }, "after the refusal")
  os.remove(path)
  e = T.raises(k.read_segments_csv, k, path)
  T.eq(e.name, "InputOutputError", "missing file")
  e = T.raises(k.read_segments_csv, k, {})
  T.eq(e.message, "Kpi:read_segments_csv: argument 1 (path) must be a string, not table", "a table")
end)

T.test("set_segments: a table of id = label in one call", function()
  local k = engine()
  k:set_segments({ C1 = "gold", C2 = "gold", C3 = "silver" })
  same(csat(k), { gold = "2 4.5", silver = "1 2", unknown = "1 1" }, "csat")
  k:set_segments({})
  k:set_segments({ C4 = "silver" })
  same(csat(k), { gold = "2 4.5", silver = "2 1.5" }, "second call")
end)

T.test("set_segments: refusals name the argument and change nothing", function()
  local k = engine()
  local cases = {
    { "gold", "argument 1 (segments) must be a table, not string" },
    { { "C1" }, "argument 1 (segments): a key is number, not a customer id" },
    { { C1 = 3 }, "argument 1 (segments): the label of 'C1' must be a string, not number" },
    { { [""] = "gold" }, "argument 1 (segments): an empty customer id" },
    { { C1 = "go\0ld" }, "argument 1 (segments): the entry of 'C1' contains a NUL character" },
  }
  for i, c in ipairs(cases) do
    local e = T.raises(k.set_segments, k, c[1])
    T.eq(e.name, "InvalidArgumentError", "case " .. i)
    T.truthy(e.message:find("Kpi:set_segments: " .. c[2], 1, true), "case " .. i .. ": " .. e.message)
  end
  local e = T.raises(k.set_segments, k, { C1 = "gold", C2 = false })
  T.truthy(e.message:find("the label of 'C2' must be a string, not boolean", 1, true), e.message)
  same(csat(k), { unknown = "4 3" }, "no label set")
end)

local CUST = T.CUST_HDR .. "N1,Asia/Shanghai,20000,2026-03-01T10:00:00+08:00,,,yes,yes,yes\n"
  .. "N3,Asia/Shanghai,20000,2026-03-01T10:00:00+08:00,,,yes,yes,yes\n"
local EV = T.EV_HDR .. "N1,2026-03-01T10:00:00+08:00,purchase,O1,high_price,,20000,,,\n"
  .. "N1,2026-03-02T11:00:00+08:00,installation,O1,,,,,,\n"
  .. "N3,2026-03-01T10:00:00+08:00,purchase,O3,durable_high,,20000,,,\n"
  .. "N3,2026-03-02T11:00:00+08:00,installation,O3,durable_high,,,,,\n"

T.test("planner:unknown_classes(): count and first text", function()
  local pl = followup.Planner(followup.policy_default(), T.book(CUST, EV))
  pl:plan(T.time("2026-03-02T12:00:00+08:00"), 3 * 86400)
  local n, first = pl:unknown_classes()
  T.eq(n, 1, "one unknown text")
  T.eq(first, "durable_high", "first")
  local known = followup.Planner(followup.policy_default(), T.book(T.CUST_HDR .. "N1,UTC,20000,,,,yes,yes,yes\n",
    T.EV_HDR .. "N1,2026-03-01T10:00:00+08:00,purchase,O1,high_price,,20000,,,\n"))
  known:plan(T.time("2026-03-02T12:00:00+08:00"))
  n, first = known:unknown_classes()
  T.eq(n, 0, "none")
  T.eq(first, nil, "no text")
end)

T.test("plan, plan_customer and simulate take ISO 8601 times", function()
  local pl = followup.Planner(followup.policy_default(), T.book(CUST, EV))
  local iso, t = "2026-03-02T12:00:00+08:00", T.time("2026-03-02T12:00:00+08:00")
  local a, b = pl:plan(t, 3 * 86400), pl:plan(iso, 3 * 86400)
  T.truthy(a:count() > 0, "something planned")
  T.eq(b:csv(), a:csv(), "plan")
  T.eq(pl:plan_customer("N1", iso, 86400):csv(), pl:plan_customer(1, t, 86400):csv(), "plan_customer")
  local r1 = pl:simulate(t, t + 7 * 86400)
  local r2 = pl:simulate(iso, "2026-03-09T12:00:00+08:00")
  T.eq(r2.from_, r1.from_, "from")
  T.eq(r2.to, r1.to, "to")
  T.eq(r2.contacts, r1.contacts, "contacts")
  local e = T.raises(pl.plan, pl, "2026-02-30T00:00:00Z")
  T.truthy(e.message:find("Planner:plan: argument 1 (now): ", 1, true), e.message)
  e = T.raises(pl.simulate, pl, iso, "tomorrow")
  T.truthy(e.message:find("Planner:simulate: argument 2 (to): ", 1, true), e.message)
  T.eq(e.name, "ParseError", "a parse error")
  e = T.raises(pl.plan_customer, pl, 1, "noon")
  T.truthy(e.message:find("Planner:plan_customer: argument 2 (now): ", 1, true), e.message)
  e = T.raises(pl.plan, pl, {})
  T.truthy(e.message:find("Planner:plan: argument 1 (now) must be an integer or an ISO 8601 text, not table", 1, true), e.message)
end)

T.done()
