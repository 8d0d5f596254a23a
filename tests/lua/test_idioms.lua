-- The Lua idioms (docs/bindings.md, "Lua"): 1-based indices, string enums,
-- followup.Error tables for every error (SWIG's own argument checks too),
-- __tostring and __close on handles, iterators.
local T = require "testlib"
local followup = require "followup"

local H, D = 3600, 86400
local CUST = "customer_id,tz,annual_spend,first_purchase_at,industry,is_smb,consent_phone,consent_sms,consent_email\n" ..
  "C1,Asia/Shanghai,20000,2026-02-25T10:00:00+08:00,,,yes,yes,yes\n" ..
  "C2,Asia/Shanghai,20000,2026-02-25T10:00:00+08:00,,,yes,yes,yes\n"
local EV = "customer_id,at,kind,order_id,product_class,unit_price,amount,severity,channel,outcome\n" ..
  "C1,2026-03-02T10:00:00+08:00,delivery,O1,,5000,,,,\n" ..
  "C2,2026-03-01T10:00:00+08:00,purchase,O2,,100,100,,,\n" ..
  "C2,2026-03-02T11:00:00+08:00,delivery,O2,,100,,,,\n"

local function book() return T.book(CUST, EV) end

T.test("indices start at 1: customers, events, touchpoints", function()
  local b = book()
  T.eq(b:find_customer("C1"), 1, "first customer")
  T.eq(b:find_customer("C2"), 2, "second customer")
  T.eq(b:customer(2).id, "C2", "customer(2)")
  T.eq(b:events_begin(2), 2, "C2's first event is the book's second")
  T.eq(b:events_end(2), 3, "and its last the third (inclusive)")
  T.eq(b:event(1).customer, 1, "an event names its customer 1-based")
  T.eq(b:event(3).customer, 2, "event 3 is C2's")
  local e = T.raises(b.customer, b, 0)
  T.eq(e.name, "InvalidArgumentError", "index 0")
  T.truthy(tostring(e):find("out of range (1..2)", 1, true), tostring(e))
  e = T.raises(b.customer, b, 3)
  T.truthy(tostring(e):find("index 3 out of range (1..2)", 1, true), tostring(e))
  local plan = followup.Planner(followup.policy_default(), b):plan(followup.time_parse("2026-03-02T12:00:00+08:00"), 20 * D)
  local tp = plan:touchpoint("planned", 1)
  T.eq(b:customer(tp.customer).id, tp.customer_id, "touchpoint.customer indexes the book")
  T.raises(plan.touchpoint, plan, "planned", plan:count("planned") + 1)
end)

T.test("string enums in and out; the integer constants still work", function()
  local b = book()
  local plan = followup.Planner(followup.policy_default(), b):plan(followup.time_parse("2026-03-02T12:00:00+08:00"), 20 * D)
  T.eq(plan:count("planned"), plan:count(followup.TOUCHPOINT_PLANNED), "status by name or constant")
  T.eq(plan:count(), plan:count("planned"), "planned by default")
  local tp = plan:touchpoint("planned", 1)
  T.eq(tp.status, "planned", "status")
  T.eq(tp.channel, "phone", "channel")
  T.eq(type(tp.priority), "string", "priority")
  T.truthy(followup.enums.priority.to_int[tp.priority], "a known priority")
  T.eq(followup.channel_name(tp.channel), "phone", "the *_name functions take names too")
  T.eq(b:event(1).kind, "delivery", "event kind")
  local e = T.raises(plan.count, plan, "plannned")
  T.eq(e.name, "InvalidArgumentError", "unknown name")
  T.truthy(tostring(e):find("unknown status 'plannned'", 1, true) and tostring(e):find("planned", 1, true), tostring(e))
  local b2 = followup.Book(followup.BOOK_CREATE_CUSTOMERS)
  b2:add_event("X", 1000, "purchase", "O1")
  b2:add_event("X", 2000, followup.EVENT_CONTACT, nil, nil, 0 / 0, 0 / 0, 0, "sms", nil, "answered")
  b2:finalize()
  T.eq(b2:event(1).kind, "purchase", "kind by name")
  T.eq(b2:event(2).channel, "sms", "channel by name")
  T.eq(b2:event(2).outcome, "answered", "outcome by name")
end)

T.test("an event's priority is a string enum like the other event fields", function()
  local N = 0 / 0
  local b = followup.Book(followup.BOOK_CREATE_CUSTOMERS)
  -- customer_id, at, kind, order_id, product_class, unit_price, amount, severity, channel,
  -- agent_id, outcome, score, survey, note, priority
  b:add_event("X", 1000, "contact", nil, nil, N, N, "none", "phone", nil, "answered", N, "none", nil, "urgent")
  b:add_event("X", 2000, "contact", nil, nil, N, N, "none", "sms", nil, "answered", N, "none", nil, "low")
  b:add_event("X", 3000, "contact", nil, nil, N, N, "none", "sms", nil, "answered", N, "none", nil,
    followup.PRIORITY_HIGH) -- a number is the PRIORITY_* constant, as for every other enum
  b:add_event("X", 4000, "contact", nil, nil, N, N, "none", "sms", nil, "answered")
  local batch = followup.EventBatch()
  batch:add("X", 5000, "contact", nil, nil, N, N, "none", "sms", nil, "answered", N, "none", nil, "normal")
  b:finalize()
  b:append_events(batch)
  T.eq(b:event(1).priority, "urgent", "by name")
  T.eq(b:event(2).priority, "low", "low")
  T.eq(b:event(3).priority, "high", "by constant")
  T.eq(b:event(4).priority, "none", "not given")
  T.eq(b:event(5).priority, "normal", "through an EventBatch")
  T.eq(followup.enums.event_priority.to_int.urgent, 1, "listed in followup.enums (the field value)")
  local e = T.raises(b.add_event, b, "X", 6000, "contact", nil, nil, N, N, "none", "sms", nil, "answered", N,
    "none", nil, "asap")
  T.eq(e.name, "InvalidArgumentError", "unknown name")
  T.truthy(tostring(e):find("unknown priority 'asap'", 1, true) and tostring(e):find("urgent", 1, true),
    tostring(e))
  e = T.raises(b.add_event, b, "X", 6000, "contact", nil, nil, N, N, "none", "sms", nil, "answered", N, "none", nil, 4)
  T.eq(e.name, "InvalidArgumentError", "4 is no PRIORITY_* constant")
  T.truthy(tostring(e):find("not a PRIORITY_* constant", 1, true), tostring(e))
end)

T.test("the binding's own messages name the Lua method and argument; negative unsigned refused", function()
  local r = followup.Redactor()
  local e = T.raises(r.apply, r, "a\0b")
  T.eq(e.name, "InvalidArgumentError", "NUL")
  T.truthy(tostring(e):find("Redactor:apply: argument 1 contains a NUL", 1, true), tostring(e))
  local batch = followup.EventBatch()
  e = T.raises(batch.add, batch, "A\0B", 0, "purchase")
  T.truthy(tostring(e):find("EventBatch:add: argument 1 (customer_id) contains a NUL", 1, true), tostring(e))
  T.truthy(not tostring(e):find("EventBatch_add", 1, true), "no SWIG name")
  -- C read -3 as 4294967293 (Book: "unknown book flags 0xffffffe0")
  e = T.raises(followup.Book, -3)
  T.eq(e.name, "InvalidArgumentError", "negative flags")
  T.truthy(tostring(e):find("Book: argument 1 (flags) must be an integer >= 0, not -3", 1, true), tostring(e))
  e = T.raises(followup.Book, 0, -5)
  T.truthy(tostring(e):find("Book: argument 2 (max_record_bytes) must be an integer >= 0, not -5", 1, true),
    tostring(e))
end)

T.test("every error is a followup.Error with __tostring, SWIG's own checks too", function()
  local b = book()
  local e = T.raises(b.customer, b, "x")
  T.eq(getmetatable(e), followup.Error, "metatable")
  T.eq(e.name, "InvalidArgumentError", "name")
  T.eq(e.code, followup.EINVAL, "code")
  T.truthy(not tostring(e):find("size_t", 1, true), "no C type in " .. tostring(e))
  T.truthy(tostring(e):find("Book:customer", 1, true), tostring(e))
  e = T.raises(b.read_customers_text, b, {})
  T.eq(getmetatable(e), followup.Error, "a table for a string argument")
  T.truthy(not tostring(e):find("char const", 1, true), tostring(e))
  e = T.raises(followup.time_parse, 42.5)
  T.eq(getmetatable(e), followup.Error, "module functions too")
  e = T.raises(followup.time_parse, "not a time")
  T.eq(e.name, "ParseError", "library errors keep their name")
  T.eq(getmetatable(e), followup.Error, "and the same metatable")
end)

T.test("handles: __tostring, close() and <close>", function()
  local b = book()
  T.eq(tostring(b), "followup.Book: 2 customers, 3 events", "tostring")
  local kept
  do
    local x <close> = followup.Book()
    kept = x
    T.eq(x:customer_count(), 0, "usable in scope")
  end
  T.eq(tostring(kept), "followup.Book (closed)", "closed at scope end")
  T.truthy(kept:closed(), "closed()")
  local e = T.raises(kept.customer_count, kept)
  T.eq(e.name, "StateError", "a closed handle raises StateError")
  b:close()
  b:close() -- twice is fine
  T.eq(T.raises(b.customer, b, 1).name, "StateError", "after close()")
end)

T.test("a ledger closed with <close> is released at once and reopens", function()
  local path = os.tmpname()
  os.remove(path)
  local kept
  do
    local led <close> = followup.Ledger(path)
    kept = led
    led:add("C1", "call back", 1000, 2000)
    T.eq(led:count(), 1, "one commitment")
  end
  T.eq(T.raises(kept.count, kept).name, "StateError", "closed")
  kept = nil
  local again = followup.Ledger(path)
  T.eq(again:count(), 1, "the commitment was stored")
  again:close()
  collectgarbage()
  collectgarbage() -- the collector does not free a released ledger twice
  os.remove(path)
  os.remove(path .. "-wal")
  os.remove(path .. "-shm")
end)

T.test("iterators: touchpoints, customers, events", function()
  local b = book()
  local ids = {}
  for c, i in b:customers() do ids[#ids + 1] = i .. "=" .. c.id end
  T.eq(table.concat(ids, ","), "1=C1,2=C2", "customers")
  local kinds = {}
  for ev in b:events(2) do kinds[#kinds + 1] = ev.kind end
  T.eq(table.concat(kinds, ","), "purchase,delivery", "C2's events")
  local n = 0
  for _ in b:events() do n = n + 1 end
  T.eq(n, 3, "all events")
  local plan = followup.Planner(followup.policy_default(), b):plan(followup.time_parse("2026-03-02T12:00:00+08:00"), 20 * D)
  local seen = 0
  for tp in plan:touchpoints() do
    seen = seen + 1
    T.eq(tp.status, "planned", "planned by default")
  end
  T.eq(seen, plan:count("planned"), "every planned touchpoint")
  T.truthy(seen >= 2, "two deliveries, at least two contacts")
end)

T.done()
