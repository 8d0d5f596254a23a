-- A minimal test runner for the Lua binding tests. Each file calls
-- T.test(name, fn) and finally T.done(), which prints "N passed, N failed"
-- and exits non-zero on any failure.
local T = { passed = 0, failed = 0 }

function T.test(name, fn)
  local ok, err = pcall(fn)
  if ok then
    T.passed = T.passed + 1
    io.stderr:write("[PASS] ", name, "\n")
  else
    T.failed = T.failed + 1
    io.stderr:write("[FAIL] ", name, ": ", tostring(err), "\n")
  end
end

function T.eq(got, want, what)
  if got ~= want then
    error(string.format("%s: got %s (%s), want %s (%s)", what or "value", tostring(got),
      math.type(got) or type(got), tostring(want), math.type(want) or type(want)), 2)
  end
end

function T.near(got, want, tol, what)
  if type(got) ~= "number" or math.abs(got - want) > tol then
    error(string.format("%s: got %s, want %s +- %s", what or "value", tostring(got), tostring(want), tostring(tol)), 2)
  end
end

function T.truthy(v, what)
  if not v then error((what or "condition") .. " is false", 2) end
end

-- Calls fn(...) and returns the error value it raised (fails if none).
function T.raises(fn, ...)
  local ok, err = pcall(fn, ...)
  if ok then error("expected an error, none was raised", 2) end
  return err
end

-- The column headers of the customers and events CSV the planner tests use.
T.CUST_HDR = "customer_id,tz,annual_spend,first_purchase_at,industry,is_smb,consent_phone,consent_sms,consent_email\n"
T.EV_HDR = "customer_id,at,kind,order_id,product_class,unit_price,amount,severity,channel,outcome\n"

-- An ISO 8601 instant in seconds since the epoch.
function T.time(text) return require("followup").time_parse(text) end

-- A finalized Book of customers and events CSV text (each with its header),
-- read as c.csv and e.csv.
function T.book(customers, events)
  local b = require("followup").Book()
  b:read_customers_text(customers, "c.csv")
  b:read_events_text(events, "e.csv")
  b:finalize()
  return b
end

-- The 2025 mainland China calendar around National Day (as
-- fu_test_calendar_cn2025 in tests/support): Mon-Fri 09:00-18:00 in
-- Asia/Shanghai, holidays 10-01..10-08, make-up working days Sunday 09-28 and
-- Saturday 10-11 (with Monday's hours).
function T.cn2025()
  local followup = require "followup"
  local cal = followup.Calendar("Asia/Shanghai")
  cal:set_hours_text("Mon-Fri 09:00-18:00")
  cal:add_holiday(followup.date_parse("2025-10-01"), followup.date_parse("2025-10-08"))
  cal:add_workday(followup.date_parse("2025-09-28"))
  cal:add_workday(followup.date_parse("2025-10-11"))
  return cal
end

-- The policy_default() and the finalized Book of examples/sample/data.
function T.sample()
  local followup = require "followup"
  local src = os.getenv("FU_SOURCE_DIR") or "../.."
  local book = followup.Book()
  book:read_customers_csv(src .. "/examples/sample/data/customers.csv")
  book:read_events_csv(src .. "/examples/sample/data/events.csv")
  book:finalize()
  return followup.policy_default(), book
end

-- Calls fn(...), checks that it raised a followup.Error and returns its
-- message and the error.
function T.error_message(fn, ...)
  local e = T.raises(fn, ...)
  T.eq(getmetatable(e), require("followup").Error, "a followup.Error: " .. tostring(e))
  return e.message, e
end

function T.done()
  print(string.format("%d passed, %d failed", T.passed, T.failed))
  os.exit(T.failed == 0 and 0 or 1)
end

return T
