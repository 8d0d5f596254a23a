-- close() and <close> free every handle type at once (not only Ledger), a
-- closed handle raises a StateError table (never a crash) when used, read or
-- passed as an argument, and the borrow rules hold: a book or policy that an
-- open planner, plan, guard, best-time model or Kpi uses is not closed
-- (StateError naming the borrower); once the borrowers are closed it is.
local T = require "testlib"
local followup = require "followup"

local D = 86400
local CUST = "customer_id,tz,annual_spend,first_purchase_at,industry,is_smb,consent_phone,consent_sms,consent_email\n" ..
  "C1,Asia/Shanghai,20000,2026-02-25T10:00:00+08:00,,,yes,yes,yes\n"
local EV = "customer_id,at,kind,order_id,product_class,unit_price,amount,severity,channel,outcome\n" ..
  "C1,2026-03-02T10:00:00+08:00,delivery,O1,,5000,,,,\n"
local NOW = followup.time_parse("2026-03-02T12:00:00+08:00")

local function book() return T.book(CUST, EV) end

local function is_state_error(e, what)
  T.eq(type(e), "table", what .. ": an error table")
  T.eq(e.name, "StateError", what)
  T.truthy(tostring(e):find("closed", 1, true), what .. ": " .. tostring(e))
  T.truthy(not tostring(e):find("size_t", 1, true) and not tostring(e):find("fu_", 1, true), tostring(e))
end

T.test("every handle type: close() frees at once, later use is a StateError table", function()
  local policy = followup.policy_default()
  local b = book()
  local handles = {
    Redactor = followup.Redactor(),
    Extractor = followup.Extractor(),
    Calendar = followup.Calendar("Asia/Shanghai"),
    BgNbd = followup.BgNbd(0.24, 4.41, 0.79, 2.43),
    Ledger = followup.Ledger(),
  }
  local planner = followup.Planner(policy, b)
  local plan = planner:plan(NOW, 20 * D)
  handles.Plan = plan
  handles.Kpi = followup.Kpi(policy)
  handles.SimReport = planner:simulate(NOW, NOW + 3 * D, D)
  handles.CommitmentList = handles.Ledger:query()
  for name, h in pairs(handles) do
    T.truthy(not h:closed(), name .. " open")
    h:close()
    T.truthy(h:closed(), name .. " closed()")
    T.eq(tostring(h), "followup." .. name .. " (closed)", name .. " __tostring")
    h:close() -- twice is fine
  end
  is_state_error(T.raises(function() return handles.Plan:count("planned") end), "Plan:count")
  is_state_error(T.raises(function() return handles.SimReport.n_days end), "SimReport.n_days (an attribute)")
  is_state_error(T.raises(function() return handles.Calendar:tzid() end), "Calendar")
  is_state_error(T.raises(function() return handles.Redactor:apply("13800138000") end), "Redactor")
  is_state_error(T.raises(function() return handles.CommitmentList:count() end), "CommitmentList")
  -- a closed handle as an argument
  local e = T.raises(followup.bgnbd_p_alive, handles.BgNbd, { 1 }, { 1 }, { 2 })
  is_state_error(e, "a closed model as an argument")
  T.truthy(tostring(e):find("argument 1 is a closed BgNbd", 1, true), tostring(e))
  planner:close()
  is_state_error(T.raises(followup.Planner, policy, handles.BgNbd), "a closed handle to a constructor")
  b:close()
  policy:close()
end)

T.test("borrow rules: a borrowed book or policy is not closed until its borrowers are", function()
  local policy, b = followup.policy_default(), book()
  local planner = followup.Planner(policy, b)
  local plan = planner:plan(NOW, 20 * D)
  local e = T.raises(b.close, b)
  T.eq(e.name, "StateError", "book used by a planner")
  T.truthy(tostring(e):find("Book:close: still used by an open Planner", 1, true) or
    tostring(e):find("Book:close: still used by an open Plan", 1, true), tostring(e))
  T.truthy(not b:closed() and b:customer_count() == 1, "the book stays usable")
  T.raises(policy.close, policy)
  planner:close() -- a plan does not borrow its planner
  T.eq(plan:count("planned") >= 1, true, "the plan outlives its closed planner")
  e = T.raises(b.close, b)
  T.truthy(tostring(e):find("still used by an open Plan", 1, true), tostring(e))
  plan:close()
  b:close()
  T.truthy(b:closed(), "closed once nothing uses it")
  local k = followup.Kpi(policy)
  T.truthy(tostring(T.raises(policy.close, policy)):find("open Kpi", 1, true), "policy used by a Kpi")
  k:close()
  policy:close()
  T.truthy(policy:closed(), "policy closed")
end)

T.test("guard and contact log: <close> joins the borrow rules", function()
  local policy = followup.policy_default()
  local b = book()
  do
    local log <close> = followup.ContactLog()
    local g <close> = followup.Guard(policy, b, log)
    T.eq(T.raises(b.close, b).name, "StateError", "book used by an open guard")
    local e = T.raises(log.close, log)
    T.truthy(tostring(e):find("open Guard", 1, true), tostring(e))
  end
  b:close()
  T.truthy(b:closed(), "book closed after the guard's <close>")
end)

T.done()
