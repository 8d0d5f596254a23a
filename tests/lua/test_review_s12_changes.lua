-- Review s12 of the session's changes (hR), the Lua lows:
--   L4 a tristate given as text takes what the CSV reader takes ("1" / "0",
--      "true" / "false", "y" / "n"), as the CSV reader reads a cell;
--   L7 capacity_round returns `over` (items, day, over), as C and Python;
--   L2 capacity_round refuses agents 0 (no limit).
local T = require "testlib"
local followup = require "followup"

local src = os.getenv("FU_SOURCE_DIR") or "../.."

T.test("tristate texts are read as the CSV reader reads them", function()
  local csv = "customer_id,tz,consent_phone,consent_sms\nA,Asia/Shanghai,1,true\nB,Asia/Shanghai,0,FALSE\n"
    .. "C,Asia/Shanghai,,n\nD,Asia/Shanghai,Y,0\n"
  local c = followup.Book()
  c:read_customers_text(csv)
  local b = followup.Book()
  b:add_customer("A", "Asia/Shanghai", { consent_phone = "1", consent_sms = "true" })
  b:add_customer("B", "Asia/Shanghai", { consent_phone = "0", consent_sms = "FALSE" })
  b:add_customer("C", "Asia/Shanghai", { consent_phone = "", consent_sms = "n" })
  b:add_customer("D", "Asia/Shanghai", { consent_phone = "Y", consent_sms = "0" })
  local want = { { "yes", "yes" }, { "no", "no" }, { "unknown", "no" }, { "yes", "no" } }
  for i = 1, 4 do
    T.eq(c:customer(i).consent_phone, want[i][1], "csv phone " .. i)
    T.eq(c:customer(i).consent_sms, want[i][2], "csv sms " .. i)
    T.eq(b:customer(i).consent_phone, want[i][1], "text phone " .. i)
    T.eq(b:customer(i).consent_sms, want[i][2], "text sms " .. i)
  end
  for _, bad in ipairs({ "2", "maybe", "1.0" }) do
    local e = T.raises(function() followup.Book():add_customer("X", "UTC", { consent_sms = bad }) end)
    T.truthy(e.message:find("is not a tristate", 1, true), e.message)
  end
end)

T.test("capacity_round returns over; agents 0 is refused", function()
  local book = followup.Book()
  book:read_customers_csv(src .. "/examples/sample/data/customers.csv")
  book:read_events_csv(src .. "/examples/sample/data/events.csv")
  book:finalize()
  local pol = followup.policy_default()
  local planner = followup.Planner(pol, book, { capacity_pass = true })
  local part = followup.capacity_part(planner, followup.time_parse("2026-11-23T00:00:00+08:00"), 3 * 86400)
  local items = followup.capacity_part_items(part)
  local out, day, over = followup.capacity_round(pol, items, 1, 3, followup.CAPACITY_DAY_NONE)
  T.truthy(math.type(over) == "integer" and over > 0, tostring(over))
  local count = 0
  for i = 1, #out, followup.CAPACITY_ITEM_SIZE do
    local state = string.unpack("<I4", out, i + 36)
    if state == followup.CAPACITY_OVER then count = count + 1 end
  end
  T.eq(over, count, "over: the records in state CAPACITY_OVER")
  T.truthy(math.type(day) == "integer", "day")
  local e = T.raises(function() followup.capacity_round(pol, items, 0, 3, followup.CAPACITY_DAY_NONE) end)
  T.truthy(e.message:find("agents 0 (no limit)", 1, true), e.message)
end)

T.done()
