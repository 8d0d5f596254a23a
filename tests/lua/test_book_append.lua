-- Book:append_events / Book:generation from Lua (1-based indices, string
-- enums), and Planner:feed appending to the book.
local T = require "testlib"
local followup = require "followup"

local CUST = "customer_id,tz\nA,Asia/Shanghai\nB,UTC\n"
local EV = "customer_id,at,kind,order_id,note\n" ..
  "A,2026-01-05T10:00:00Z,purchase,O1,\n" ..
  "A,2026-01-07T10:00:00Z,delivery,O1,\n" ..
  "B,2026-01-06T10:00:00Z,inquiry,,hello\n"
local t = followup.time_parse
local D = 86400

local function book()
  local b = followup.Book()
  b:read_customers_text(CUST, "c.csv")
  b:read_events_text(EV, "e.csv")
  return b
end

local function kinds(b, id)
  local out = {}
  for e in b:events(b:find_customer(id)) do out[#out + 1] = e.kind end
  return table.concat(out, ",")
end

T.test("append merges in time order, drops duplicates, bumps the generation", function()
  local b = book()
  local g = b:generation()
  local batch = followup.EventBatch()
  batch:add("A", t("2026-01-06T10:00:00Z"), "fault", "O1", nil, 0 / 0, 0 / 0, "urgent")
  batch:add("A", t("2026-01-05T10:00:00Z"), "purchase", "O1")
  batch:add("B", t("2026-01-06T10:00:00Z"), "resolved", nil, nil, 0 / 0, 0 / 0, "none", "none", nil, "none", 0 / 0,
    "none", "done")
  T.eq(batch:count(), 3)
  b:append_events(batch)
  T.truthy(b:generation() ~= g, "generation changed")
  T.eq(b:event_count(), 5)
  T.eq(b:stats().duplicates_dropped, 1)
  T.eq(kinds(b, "A"), "purchase,fault,delivery")
  T.eq(kinds(b, "B"), "inquiry,resolved")
  local i = b:find_customer("A")
  T.eq(i, 1, "1-based customer index")
  local e = b:event(b:events_begin(i) + 1)
  T.eq(e.severity, "urgent")
  T.eq(e.customer, 1)
end)

T.test("append is all or nothing", function()
  local b = book()
  local before, g = b:events_csv(), b:generation()
  local batch = followup.EventBatch()
  batch:add("A", t("2026-02-01T00:00:00Z"), "repair")
  batch:add("nobody", t("2026-02-01T00:00:00Z"), "repair")
  local err = T.raises(b.append_events, b, batch)
  T.truthy(tostring(err.message or err):find("event 2: unknown customer", 1, true), "names the event, counted from 1")
  T.eq(b:events_csv(), before)
  T.eq(b:generation(), g)
end)

T.test("feed is visible in the book; a borrowed book takes appends only", function()
  local b = book()
  local pl = followup.Planner(followup.policy_default(), b)
  local n0 = b:event_count()
  local t0 = t("2026-01-08T10:00:00Z")
  pl:feed("A", t0, "complaint", t0, D, "O1")
  T.eq(b:event_count(), n0 + 1)
  T.eq(kinds(b, "A"), "purchase,delivery,complaint")
  T.raises(b.add_event, b, "B", t0, "inquiry")
  local batch = followup.EventBatch()
  batch:add("B", t0, "inquiry")
  b:append_events(batch)
  T.eq(b:event_count(), n0 + 2)
end)

T.test("append_events(nil) is an error, not a crash", function()
  local b = book()
  local g = b:generation()
  local err = T.raises(b.append_events, b, nil)
  T.truthy(tostring(err.message or err):find("expected an event batch", 1, true), "says what was expected")
  T.eq(b:generation(), g)
end)

T.done()
