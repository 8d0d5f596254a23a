-- Issue 13 from Lua: a book held by a planner refuses changes (it used to
-- grow under the planner, and feed then wrote past the planner's arrays); a
-- string holding a NUL is an error, never cut short; the cancel hook stops a
-- long call, which leaves the handle usable.
local T = require "testlib"
local followup = require "followup"

local NOW = followup.time_parse("2026-03-02T10:00:00+08:00")
local D = 86400

-- n customers, each with a purchase and a delivery before NOW
local function big_book(n)
  local c, e = {"customer_id,tz,consent_phone\n"}, {"customer_id,at,kind,order_id\n"}
  for i = 0, n - 1 do
    c[#c + 1] = string.format("C%04d,Asia/Shanghai,yes\n", i)
    e[#e + 1] = string.format("C%04d,%s,purchase,O%d\n", i, followup.time_format(NOW - (3 + i % 20) * D), i)
    e[#e + 1] = string.format("C%04d,%s,delivery,O%d\n", i, followup.time_format(NOW - (1 + i % 20) * D), i)
  end
  local b = followup.Book()
  b:read_customers_text(table.concat(c), "c.csv")
  b:read_events_text(table.concat(e), "e.csv")
  b:finalize()
  return b
end

T.test("a book held by a planner refuses 2,000 new customers; feed stays in bounds", function()
  local b = followup.Book()
  b:add_customer("Z0", "Asia/Shanghai")
  b:finalize()
  local pl = followup.Planner(followup.policy_default(), b)
  pl:plan(NOW)
  for i = 1, 2000 do
    local err = T.raises(b.add_customer, b, "N" .. i, "Asia/Shanghai")
    T.eq(err.name, "StateError", "error name")
    T.eq(err.code, followup.ESTATE, "error code")
  end
  local err = T.raises(b.add_event, b, "Z0", NOW, followup.EVENT_PURCHASE)
  T.truthy(tostring(err):find("in use by 1 planner", 1, true), "message names the planner: " .. tostring(err))
  T.eq(b:customer_count(), 1, "customers")
  b:finalize()
  local changes = pl:feed("Z0", NOW, followup.EVENT_DELIVERY)
  T.truthy(changes:count() >= 1, "the delivery plans a first contact")
  pl, changes = nil, nil
  collectgarbage()
  collectgarbage()
  T.eq(b:add_customer("N1", "Asia/Shanghai"), 2, "index (1-based) of the new customer once the planner is gone")
end)

T.test("a string holding a NUL is an error, not cut short", function()
  local r = followup.Redactor()
  local err = T.raises(r.apply, r, "call 13812345678\0 then 13912345678")
  T.eq(err.code, followup.EINVAL, "apply: code")
  T.eq(err.name, "InvalidArgumentError", "apply: name")
  T.truthy(err.message:find("NUL character at byte 16", 1, true), err.message)
  local b = followup.Book()
  err = T.raises(b.add_customer, b, "ID\0SECRET", "Asia/Shanghai")
  T.eq(err.code, followup.EINVAL, "add_customer: code")
  T.eq(b:customer_count(), 0, "no customer ID was created")
  T.raises(b.read_customers_text, b, "customer_id,tz\nA\0B,UTC\n", "c.csv")
  T.eq(b:customer_count(), 0, "no customer from CSV text with a NUL")
  -- without NUL all is as before
  T.eq(r:apply("call 13812345678 then"), "call 138****5678 then", "masked")
end)

T.test("the cancel hook stops a long plan; the planner then gives the reference plan", function()
  local b = big_book(1500)
  local pl = followup.Planner(followup.policy_default(), b)
  local ref = pl:plan(NOW, 7 * D):csv()
  local calls = 0
  followup.set_cancel_hook(function() calls = calls + 1; return calls >= 2 end)
  local err = T.raises(pl.plan, pl, NOW, 7 * D)
  followup.set_cancel_hook(nil)
  T.eq(err.name, "CanceledError", "name")
  T.eq(err.code, followup.ECANCELED, "code")
  T.eq(calls, 2, "hook calls (every 256 customers)")
  T.eq(pl:plan(NOW, 7 * D):csv(), ref, "plan after the cancel")
  -- an error in the hook cancels too; a hook that never cancels changes nothing
  followup.set_cancel_hook(function() error("stop") end)
  T.eq(T.raises(pl.plan, pl, NOW, 7 * D).name, "CanceledError", "error in hook")
  calls = 0
  followup.set_cancel_hook(function() calls = calls + 1; return false end)
  T.eq(pl:plan(NOW, 7 * D):csv(), ref, "plan with a hook that never cancels")
  T.eq(calls, 5, "polls of 1,500 customers")
  followup.set_cancel_hook(nil)
  T.raises(followup.set_cancel_hook, 42)
end)

T.done()
