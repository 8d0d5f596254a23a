-- fu_kpi from Lua: the budget option (the CLI's --budget, with per-channel
-- costs as --cost) and partial aggregates (Kpi:partial() -> string,
-- Kpi:merge(string)) over the sample book split by customer.
local T = require "testlib"
local followup = require "followup"

local src = os.getenv("FU_SOURCE_DIR") or "../.."
local NO = followup.KPI_NO_TIME

local function kpi(by, as_of, costs, budget)
  return followup.Kpi(followup.policy_default(), "week", by or "none", NO, NO, as_of, costs, budget)
end

T.test("budget: spend against the period's budget (hand computed)", function()
  -- one phone contact at 8 in 2026-W10, as_of after the week: 8 / 5 - 1 = 0.6, red
  local function run(budget)
    local k = kpi("none", followup.time_parse("2026-03-20T00:00:00+08:00"), "phone=8", budget)
    k:add_event("C1", followup.time_parse("2026-03-03T10:00:00+08:00"), followup.EVENT_CONTACT, nil, nil,
      0 / 0, 0 / 0, 0, followup.CHANNEL_PHONE, "A1", followup.OUTCOME_ANSWERED)
    k:compute()
    return k:find("budget_overrun", "2026-W10")
  end
  local f = run(5.0)
  T.near(f.value, 0.6, 1e-12, "overrun")
  T.eq(f.n, 1.0, "n")
  T.eq(f.status, "red", "status")
  local g = run(10.0)
  T.near(g.value, -0.2, 1e-12, "under budget")
  T.eq(g.status, "green", "status")
  T.eq(run(0.0), nil, "no budget, no figure")
  local e = T.raises(function() return kpi("none", NO, "phone=8", -1.0) end)
  T.eq(e.name, "InvalidArgumentError", "negative budget")
end)

local function read(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

-- CSV text split into n texts by customer id (the first field), header in each
local function split(text, n)
  local head, body = text:match("^([^\n]*\n)(.*)$")
  local parts = {}
  for i = 1, n do parts[i] = { head } end
  for line in body:gmatch("[^\n]*\n") do
    local id = line:match("^([^,]*)")
    local h = 0
    for i = 1, #id do h = h + id:byte(i) end
    table.insert(parts[h % n + 1], line)
  end
  for i = 1, n do parts[i] = table.concat(parts[i]) end
  return parts
end

local book = T.book

T.test("three partitions merge to the whole book", function()
  local cust = read(src .. "/examples/sample/data/customers.csv")
  local ev = read(src .. "/examples/sample/data/events.csv")
  local as_of = followup.time_parse("2026-06-01T00:00:00+08:00")
  local costs = "phone=8,sms=0.1,email=0.05,chat=1.5"
  local whole = kpi("tier,agent", as_of, costs, 400)
  whole:add_book(book(cust, ev))
  local n = whole:compute()
  T.truthy(n > 50, "figures")
  local merged = kpi("tier,agent", as_of, costs, 400)
  local cs, es = split(cust, 3), split(ev, 3)
  for i = 1, 3 do
    local k = kpi("tier,agent", as_of, costs, 400)
    k:add_book(book(cs[i], es[i]))
    local blob = k:partial()
    T.eq(blob:sub(1, 8), "FUKPIPRT", "magic")
    merged:merge(blob)
  end
  T.eq(merged:compute(), n, "as many figures")
  T.eq(merged:csv(), whole:csv(), "the same figures")
  local e = T.raises(function() kpi("agent", as_of, costs, 400):merge(whole:partial()) end)
  T.eq(e.name, "InvalidArgumentError", "another grouping")
  e = T.raises(function() merged:merge("FUKPIPRT but not a partial") end)
  T.eq(e.name, "InvalidArgumentError", "corrupt")
end)

T.test("partitions with due items merge into an empty engine (review s12 U13)", function()
  local cust = read(src .. "/examples/sample/data/customers.csv")
  local ev = read(src .. "/examples/sample/data/events.csv")
  local as_of = followup.time_parse("2026-06-01T00:00:00+08:00")
  local whole = kpi("agent", as_of)
  whole:add_book(book(cust, ev))
  local merged, derived = kpi("agent", as_of), kpi("agent", as_of)
  local cs, es = split(cust, 3), split(ev, 3)
  local blobs = {}
  for i = 1, 3 do
    -- partition 3 has no due item (an empty plan): derived_due = false says they are given
    local k = i < 3 and kpi("agent", as_of)
      or followup.Kpi(followup.policy_default(), { by = "agent", as_of = as_of, derived_due = false })
    k:add_book(book(cs[i], es[i]))
    -- due items for the first ten customers of partitions 1 and 2; partition 3 has none
    local j = 0
    for id in cs[i]:gmatch("\n([^,\n]+),") do
      j = j + 1
      if i == 3 or j > 10 then break end
      local due_from = as_of - (20 - j) * 86400
      k:add_due(id, due_from + 7 * 86400, due_from, j % 2 == 0 and "A1" or nil)
      whole:add_due(id, due_from + 7 * 86400, due_from, j % 2 == 0 and "A1" or nil)
    end
    if i == 3 then derived:add_book(book(cs[i], es[i])) end
    blobs[i] = k:partial()
  end
  for i = 1, 3 do merged:merge(blobs[i]) end
  local n = whole:compute()
  T.eq(merged:compute(), n, "as many figures")
  T.eq(merged:csv(), whole:csv(), "the same figures")
  local e = T.raises(function() merged:merge(derived:partial()) end)
  T.eq(e.name, "InvalidArgumentError", "given and derived due items")
  T.truthy(tostring(e):find("the partial derives its due items from the policy's cadences (no add_due)", 1, true),
    tostring(e))
  -- by and period in any case, a dimension twice refused naming the argument (review s12 U10)
  T.eq(kpi("Tier,AGENT", as_of):partial(), kpi("tier,agent", as_of):partial(), "by in any case")
  e = T.raises(function() return kpi("tier,tier", as_of) end)
  T.truthy(tostring(e):find("Kpi: argument 3 (by): grouping 'tier' given twice", 1, true), tostring(e))
end)

T.done()
