-- Review s13 (hU, inputs), the Lua parts:
--   * I24: integer options and arguments of a narrower C type (unsigned int,
--     int) wrapped modulo 2^32 (agents = 1 << 32 meant "no capacity limit");
--     now refused naming the option and the range: a sweep passes 2^32, -1
--     and 2^63-1 to every integer option of the constructors and functions
--     below;
--   * I5: Book:add_event's kind (and the other enum arguments) wrapped too;
--   * I10: a hole in a number array named by its element; proxy tables
--     (__index / __len) read through their metamethods; an options table with
--     a metatable taken as options, not as a positional argument.
local T = require "testlib"
local followup = require "followup"

local NOW = "2026-03-01T09:00:00+08:00"

local sample = T.sample

local message = T.error_message

local pol, book = sample()
local items = followup.capacity_items(followup.Planner(pol, book, { capacity_pass = true }):plan(NOW, 3 * 86400))

-- name, call(options), the integer options (unsigned: -1 refused too)
local SWEEP = {
  { "Planner", function(o) return followup.Planner(pol, book, o) end,
    { agents = "u", calls_per_agent = "u" } },
  { "capacity_pass", function(o) return followup.capacity_pass(pol, items, o) end,
    { agents = "u", calls_per_agent = "u" } },
  { "Book", function(o) return followup.Book(o) end, { flags = "u" } },
  { "BestTime", function(o) return followup.BestTime(pol, book, o) end,
    { flags = "u", prior_method = "s", b2b = "u" } },
  { "Redactor", function(o) return followup.Redactor(o.kinds) end, { kinds = "u" }, "argument 1 (kinds)" },
  { "Guard", function(o) return followup.Guard(pol, book, nil, o) end, { max_attempts_per_day = "s" } },
}

T.test("I24: every integer option refuses 2^32, 2^63-1 (and -1 when unsigned), naming the option", function()
  local checked = 0
  for _, case in ipairs(SWEEP) do
    local fname, call, opts, label = case[1], case[2], case[3], case[4]
    for opt, sign in pairs(opts) do
      local values = { 1 << 32, math.maxinteger, (1 << 32) + 2 }
      if sign == "u" then values[#values + 1] = -1 end
      for _, v in ipairs(values) do
        local o = { [opt] = v }
        if fname == "capacity_pass" then
          o.agents, o.calls_per_agent = o.agents or 2, o.calls_per_agent or 4
        end
        local msg = message(call, o)
        local what = label or string.format("option '%s'", opt)
        local want = v < 0 and string.format("%s must be an integer >= 0, not -1", what)
          or string.format("%s must be an integer %s..%s, not %d", what,
            sign == "u" and "0" or "-2147483648", sign == "u" and "4294967295" or "2147483647", v)
        T.truthy(msg:find(want, 1, true), fname .. " " .. opt .. "=" .. v .. ": " .. msg)
        checked = checked + 1
      end
    end
  end
  T.truthy(checked >= 30, "cases " .. checked)
  -- the values in range still work
  local p = followup.Planner(pol, book, { agents = 2, calls_per_agent = 4 }):plan(NOW, 3 * 86400)
  T.truthy(p:count("deferred") > 0, "2 agents defer")
end)

T.test("I24: integer arguments of a narrower C type refuse 2^32, 2^63-1 (and -1 when unsigned)", function()
  local plan = followup.Planner(pol, book):plan(NOW, 86400)
  local bg, gg = followup.BgNbd(0.243, 4.414, 0.793, 2.426), followup.GammaGamma(6.25, 3.74, 15.44)
  local cases = { -- label, unsigned, call(v)
    { "Plan:csv: argument 1", true, function(v) return plan:csv(v) end },
    { "bgnbd_clv: argument 8 (periods)", true, function(v)
      return followup.bgnbd_clv(bg, gg, { 1 }, { 1 }, { 2 }, { 10 }, 4.3, v) end },
    { "time_format: argument 2", false, function(v) return followup.time_format(0, v) end },
    { "time_format: argument 3", true, function(v) return followup.time_format(0, 0, v) end },
    { "policy_load_string: argument 3", true, function(v) return followup.policy_load_string("name: x\n", "p.yaml", v) end },
  }
  for _, c in ipairs(cases) do
    local label, unsigned, call = c[1], c[2], c[3]
    for _, v in ipairs({ 1 << 32, math.maxinteger, -1 }) do
      if v >= 0 or unsigned then
        local msg = message(call, v)
        local want = v < 0 and label .. " must be an integer >= 0, not -1"
          or string.format("%s must be an integer %s, not %d", label,
            unsigned and "0..4294967295" or "-2147483648..2147483647", v)
        T.truthy(msg:find(want, 1, true), label .. " = " .. v .. ": " .. msg)
      end
    end
  end
end)

T.test("I24: a float out of the integers' range is no integer (never undefined behaviour)", function()
  local msg = message(followup.Planner, pol, book, { agents = 1e300, calls_per_agent = 4 })
  T.truthy(msg:find("option 'agents' must be an integer", 1, true), msg)
end)

T.test("I5: enum arguments refuse values beyond int (2^32 + 3 was 'repair')", function()
  local b = followup.Book()
  b:add_customer("C1", "UTC")
  local msg = message(b.add_event, b, "C1", NOW, (1 << 32) + 3)
  T.truthy(msg:find("argument 3 (kind) must be an integer -2147483648..2147483647, not 4294967299", 1, true), msg)
  msg = message(b.add_event, b, "C1", NOW, "purchase", { channel = (1 << 32) + 1 })
  T.truthy(msg:find("option 'channel' must be an integer", 1, true), msg)
  msg = message(b.add_event, b, "C1", NOW, 99)
  T.truthy(msg:find("event kind 99 out of range", 1, true), msg)
  T.eq(b:event_count(), 0, "nothing added")
end)

local bg = followup.BgNbd(0.243, 4.414, 0.793, 2.426)

T.test("I10: a hole or a text in a number array is named by its element", function()
  local msg, e = message(followup.bgnbd_p_alive, bg, { 1, nil, 3 }, { 1, 1, 1 }, { 2, 2, 2 })
  T.eq(e.name, "InvalidArgumentError", "error name")
  T.truthy(msg:find("bgnbd_p_alive: argument 2 (x): element 2 is nil", 1, true), msg)
  msg = message(followup.bgnbd_p_alive, bg, { 1, 2 }, { 1, 1, [4] = 1 }, { 2, 2 })
  T.truthy(msg:find("argument 3 (t_x): element 3 is nil", 1, true), msg)
  msg = message(followup.bgnbd_p_alive, bg, { "x", "2" }, { 1, 1 }, { 2, 2 })
  T.truthy(msg:find("argument 2 (x): element 1 = 'x' (a text): expected a number", 1, true), msg)
  msg = message(followup.bgnbd_p_alive, bg, { 1, {} }, { 1, 1 }, { 2, 2 })
  T.truthy(msg:find("argument 2 (x): element 2 is table: expected a number", 1, true), msg)
end)

T.test("I10: proxy tables are read through __index / __len", function()
  local function proxy(t)
    return setmetatable({}, { __index = function(_, i) return t[i] end, __len = function() return #t end })
  end
  local plain = followup.bgnbd_p_alive(bg, { 1, 0, 3 }, { 1, 0, 2 }, { 2, 2, 4 })
  local viaproxy = followup.bgnbd_p_alive(bg, proxy({ 1, 0, 3 }), { 1, 0, 2 }, proxy({ 2, 2, 4 }))
  T.eq(#viaproxy, 3, "three values")
  for i = 1, 3 do T.near(viaproxy[i], plain[i], 0, "p_alive " .. i) end
  local bad = setmetatable({}, { __len = function() error("no length here") end })
  local msg = message(followup.bgnbd_p_alive, bg, bad, { 1 }, { 2 })
  T.truthy(msg:find("argument 2 (x): reading the table through its metatable failed", 1, true), msg)
end)

T.test("I10: an options table with a metatable is options", function()
  local b = followup.Book()
  b:add_customer("X", "UTC", setmetatable({ annual_spend = 5 }, { __index = {} }))
  T.eq(b:customer(1).annual_spend, 5, "annual_spend read as an option")
  b:add_customer("Y", "UTC", setmetatable({}, { __index = { annual_spend = 7 } })) -- __index keys are no options
  T.truthy(b:customer(2).annual_spend ~= b:customer(2).annual_spend, "unknown spend (NaN)")
  local pairs_opts = setmetatable({}, { __pairs = function() return next, { annual_spend = 9 }, nil end })
  b:add_customer("Z", "UTC", pairs_opts)
  T.eq(b:customer(3).annual_spend, 9, "__pairs honoured")
end)

T.test("I5: segment_assign refuses complaint counts and times beyond their C fields", function()
  local rules = followup.segment_rules_from_policy(pol)
  local now = 1720000000
  local function assign(complaints, first)
    return followup.segment_assign(now, { 100, 200 }, { 10, 20 }, { first, 1.7e9 }, { 1.71e9, 1.71e9 },
      complaints, {}, {}, rules)
  end
  T.eq(#assign({ 0, 1 }, 1.7e9):tiers(), 2, "in range")
  local msg = message(assign, { 0, (1 << 32) + 1 }, 1.7e9)
  T.truthy(msg:find("recent_complaints[1] = 4294967297 is not a count", 1, true), msg)
  msg = message(assign, { 0, -1 }, 1.7e9)
  T.truthy(msg:find("recent_complaints[1] = -1 is not a count", 1, true), msg)
  msg = message(assign, { 0, 0 }, 1e30)
  T.truthy(msg:find("first_purchase_at[0] = 1e+30 is not a time", 1, true), msg)
end)

T.done()
