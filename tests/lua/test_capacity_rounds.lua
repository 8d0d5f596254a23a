-- Capacity over several days through the rounds (docs/scaling.md, "Rounds
-- over several days"; docs/lua.md): a partition's open plan
-- (followup.capacity_part), its records (capacity_part_items), the rounds
-- (capacity_round, capacity_part_move) and its plan (capacity_part_plan)
-- give the plan of one planner with the same agents and no flag, byte for
-- byte: here the sample as one partition and as two (customers by parity of
-- their row), 3 days, 1 agent x 3 calls.
local T = require "testlib"
local followup = require "followup"

local src = os.getenv("FU_SOURCE_DIR") or "../.."
local NOW = "2026-11-23T00:00:00+08:00"
local REC = "=i8i8I8I4i4I4I4" -- best_at, due_to, customer, row, priority, part, state (deferred)

local function lines(path)
  local t = {}
  for l in io.lines(path) do t[#t + 1] = l end
  return t
end

-- The sample's customers with row % parts == k, and their events; idx: the whole book's row of each.
local function partition(k, parts)
  local cs, es = lines(src .. "/examples/sample/data/customers.csv"), lines(src .. "/examples/sample/data/events.csv")
  local c, e, mine, idx = { cs[1] }, { es[1] }, {}, {}
  for i = 2, #cs do
    if (i - 2) % parts == k then
      c[#c + 1] = cs[i]
      mine[cs[i]:match("^[^,]*")] = true
      idx[#idx + 1] = i - 2
    end
  end
  for i = 2, #es do
    if mine[es[i]:match("^[^,]*")] then e[#e + 1] = es[i] end
  end
  local book = followup.Book()
  book:read_customers_text(table.concat(c, "\n") .. "\n")
  book:read_events_text(table.concat(e, "\n") .. "\n")
  return book, idx
end

local function records(s)
  local t, pos = {}, 1
  while pos <= #s do
    local r = { string.unpack(REC, s, pos) }
    pos = r[8]
    r[8] = nil
    t[#t + 1] = r
  end
  return t
end

local function pack(t)
  local out = {}
  for i, r in ipairs(t) do out[i] = string.pack(REC, table.unpack(r)) end
  return table.concat(out)
end

local function rounds(parts, pol, cycles)
  local now, P = followup.time_parse(NOW), {}
  local all = {}
  for k = 0, parts - 1 do
    local book, idx = partition(k, parts)
    local planner = followup.Planner(pol, book, { capacity_pass = true, tier_cycles = cycles })
    local part = followup.capacity_part(planner, now, 3 * 86400)
    P[k] = part
    for _, r in ipairs(records(followup.capacity_part_items(part))) do
      r[3] = idx[r[3] + 1] -- the whole book's customer index
      r[6] = k
      all[#all + 1] = r
    end
  end
  local day, n = followup.CAPACITY_DAY_NONE, 0
  while true do
    local out, over
    out, day, over = followup.capacity_round(pol, pack(all), 1, 3, day)
    all = records(out)
    local busy, count = {}, 0
    for _, r in ipairs(all) do
      if r[7] == followup.CAPACITY_OVER then busy[r[6]], count = true, count + 1 end
    end
    T.eq(over, count, "over: the records in state CAPACITY_OVER (review s12 L7)")
    if over == 0 then break end
    n = n + 1
    for k in pairs(busy) do
      local mine, at = {}, {}
      for i, r in ipairs(all) do
        if r[6] == k then mine[#mine + 1], at[#at + 1] = r, i end
      end
      for j, r in ipairs(records(followup.capacity_part_move(P[k], pack(mine), day))) do all[at[j]] = r end
    end
  end
  local plans = {}
  for k = 0, parts - 1 do
    local mine = {}
    for _, r in ipairs(all) do
      if r[6] == k then mine[#mine + 1] = r end
    end
    plans[k] = followup.capacity_part_plan(P[k], pack(mine))
  end
  return plans, n, all
end

T.test("capacity rounds: one partition gives the plain one-process plan", function()
  local pol = followup.policy_default()
  local book = partition(0, 1)
  local whole = followup.Planner(pol, book, { agents = 1, calls_per_agent = 3 }):plan(NOW, 3 * 86400):csv()
  local plans, n, all = rounds(1, pol, nil)
  T.eq(plans[0]:csv(), whole, "the plain plan, byte for byte")
  T.truthy(n >= 2, "rounds moved contacts")
  local moved = 0
  for _, r in ipairs(all) do moved = moved + (r[7] == followup.CAPACITY_MOVED and 1 or 0) end
  T.truthy(moved > 0, "contacts rolled over to later days")
  collectgarbage()
  T.eq(plans[0]:csv(), whole, "the plan outlives its part and planner")
end)

T.test("capacity rounds: two partitions give the whole book's rows", function()
  local pol = followup.policy_default()
  local book = partition(0, 1)
  local planner = followup.Planner(pol, book, { agents = 1, calls_per_agent = 3 })
  local whole = planner:plan(NOW, 3 * 86400):csv()
  local plans = rounds(2, pol, planner:tier_cycles())
  -- every row of a partition's plan is a row of the whole plan, in the whole plan's order
  local rows = 0
  for k = 0, 1 do
    local last = 0
    for line in plans[k]:csv():gmatch("[^\n]+") do
      if not line:match("^customer_id,") then
        local at = whole:find(line, 1, true)
        T.truthy(at and at > last, "row in order: " .. line)
        last, rows = at, rows + 1
      end
    end
  end
  local _, n = whole:gsub("\n", "")
  T.eq(rows, n - 1, "all rows")
end)

T.test("capacity rounds: bad arguments name them", function()
  local pol = followup.policy_default()
  local e = T.raises(followup.capacity_round, pol, "x", 1)
  T.truthy(e.message:find("multiple of the record size"), e.message)
  local part = followup.capacity_part(followup.Planner(pol, partition(0, 1), { capacity_pass = true }),
    followup.time_parse(NOW), 3 * 86400)
  e = T.raises(followup.capacity_part_move, part, "", 0)
  T.truthy(e.message:find("give all of its items"), e.message)
end)

T.test("capacity rounds: named agents are refused with the reason (docs/scaling.md, Agents by name)", function()
  local pol = followup.policy_default()
  local planner = followup.Planner(pol, partition(0, 2), { capacity_pass = true })
  planner:set_agents("agent_id,shift,tz,calls_per_day\nA1,Mon-Sun 09:00-18:00,Asia/Shanghai,2\n")
  local e = T.raises(followup.capacity_part, planner, followup.time_parse(NOW), 3 * 86400)
  T.eq(e.code, followup.EINVAL, "FU_EINVAL")
  T.truthy(e.message:find("the planner has 1 named agents", 1, true), e.message)
  T.truthy(e.message:find("decided over the whole plan in one sequence", 1, true), e.message)
  T.truthy(e.message:find("agents x calls_per_agent", 1, true), e.message)
  -- a plan that names its agents: the one-round pass refuses its records too
  local plan = planner:plan(NOW, 3 * 86400)
  e = T.raises(followup.capacity_items, plan)
  T.truthy(e.message:find("the plan names agent A1", 1, true), e.message)
  -- the agents removed: the part is made
  planner:set_agents("")
  T.truthy(#followup.capacity_part_items(followup.capacity_part(planner, followup.time_parse(NOW), 3 * 86400)) > 0,
    "records without named agents")
end)

T.done()
