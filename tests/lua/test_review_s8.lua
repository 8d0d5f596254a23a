-- Review s8 F13 (b): the messages of the Guard, ContactLog and BestTime
-- calls name the Lua call and the argument by position and name, as
-- Book:add_event's do (docs/bindings.md "Messages"), and an index past the
-- end names the range.
local T = require "testlib"
local followup = require "followup"

local AT = "2026-11-24T10:00:00+08:00"
local CHANNELS = "(expected phone, sms, email, chat, video, visit)"

local function world()
  local book = followup.Book()
  book:read_customers_text("customer_id,tz,first_purchase_at,consent_phone,consent_sms,consent_email\n" ..
                           "A,Asia/Shanghai,2025-06-01T10:00:00+08:00,yes,yes,no\n" ..
                           "B,Asia/Shanghai,2025-06-01T10:00:00+08:00,yes,yes,no\n")
  book:finalize()
  return followup.policy_default(), book
end

local function message(fn, ...)
  local e = T.raises(fn, ...)
  T.eq(getmetatable(e), followup.Error, "a followup.Error")
  T.eq(e.name ~= nil, true, "named")
  return e.message, tostring(e), e
end

T.test("Guard:check names the call and the channel argument", function()
  local policy, book = world()
  local g <close> = followup.Guard(policy, book, followup.ContactLog())
  local m, text = message(g.check, g, "A", "fax", AT)
  T.eq(m, "Guard:check: argument 2 (channel): unknown channel 'fax' " .. CHANNELS, "fax")
  T.truthy(text:find("Guard:check: argument 2 (channel)", 1, true), text)
  -- "" and "none" are no channel (C reads them as "not given"): not an internal number
  T.eq((message(g.check, g, "A", "", AT)), "Guard:check: argument 2 (channel): unknown channel '' " .. CHANNELS,
    "empty")
  T.eq((message(g.check, g, "A", "none", AT)),
    "Guard:check: argument 2 (channel): unknown channel 'none' " .. CHANNELS, "none")
  T.eq((message(g.check, g, "A", "phone", AT, "urgnt")),
    "Guard:check: argument 4 (priority): priority 'urgnt' is not urgent, high, normal or low", "priority")
  -- names in any ASCII case and the CHANNEL_* / PRIORITY_* constants still work
  T.eq(g:check("A", "Phone", AT).allowed, true, "Phone")
  T.eq(g:check("A", followup.CHANNEL_SMS, AT, followup.PRIORITY_URGENT).allowed, true, "constants")
end)

T.test("Guard:record, check_and_record and ContactLog:append name the outcome argument", function()
  local policy, book = world()
  local log <close> = followup.ContactLog()
  local g <close> = followup.Guard(policy, book, log)
  local m = message(g.record, g, "A", AT, "phone", "noanswer")
  T.eq(m:sub(1, 63), "Guard:record: argument 4 (outcome): unknown outcome 'noanswer':", "record")
  T.truthy(m:find("expected attempted, answered, no_answer", 1, true), m)
  m = message(g.check_and_record, g, "A", AT, "phone", "noanswer")
  T.truthy(m:find("^Guard:check_and_record: argument 4 %(outcome%): unknown outcome 'noanswer'"), m)
  m = message(g.record, g, "A", AT, "fax", "answered")
  T.eq(m, "Guard:record: argument 3 (channel): unknown channel 'fax' " .. CHANNELS, "record channel")
  m = message(log.append, log, "A", AT, "phone", "answered", "soon")
  T.truthy(m:find("^ContactLog:append: argument 5 %(priority%): priority 'soon' is not"), m)
  T.eq(log:count(), 0, "nothing recorded")
  g:record("A", AT, "phone", "no_answer")
  T.eq(log:count(), 1, "a good record is recorded")
end)

T.test("BestTime: a customer index past the end names the range", function()
  local policy, book = world()
  local m = followup.BestTime(policy, book)
  T.eq((message(m.may_contact, m, 3, AT)), "BestTime:may_contact: index 3 out of range (1..2)", "may_contact")
  T.eq((message(m.may_contact, m, 0, AT)), "BestTime:may_contact: index 0 out of range (1..2)", "index 0")
  T.eq((message(m.customer_matrix, m, 3, AT)), "BestTime:customer_matrix: index 3 out of range (1..2)", "matrix")
  T.eq((message(m.best_day, m, AT, nil, { 1, 3 })),
    "BestTime:best_day: argument 3: item 2: index 3 out of range (1..2)", "best_day customers")
  T.eq((m:may_contact(2, AT)), true, "the last customer is fine")
end)

T.test("the other 1-based indices name their range too", function()
  local policy, book = world()
  local pl = followup.Planner(policy, book)
  T.eq((message(pl.plan_customer, pl, 3, AT)), "Planner:plan_customer: index 3 out of range (1..2)", "planner")
  T.eq(pl:plan_customer(2, AT) ~= nil, true, "the last customer is fine")
  local w = followup.Windows("Mon-Fri 09:00-18:00")
  T.eq((message(w.get, w, 6)), "Windows:get: index 6 out of range (1..5)", "windows")
  local n = policy:get_length("caps")
  T.eq((message(policy.get_key, policy, "caps", n + 1)),
    string.format("Policy:get_key: index %d out of range (1..%d)", n + 1, n), "policy key")
  T.eq(type(policy:get_key("caps", n)), "string", "the last key is fine")
  -- a path the policy lacks: the library's own message
  T.truthy(tostring(T.raises(policy.get_key, policy, "nope", 1)):find("nope", 1, true), "missing path")
end)

T.test("Book:add_event names the argument too", function()
  local b = followup.Book()
  b:read_customers_text("customer_id,tz\nA,Asia/Shanghai\n")
  T.eq((message(b.add_event, b, "A", AT, "purchse")):sub(1, 62),
    "Book:add_event: argument 3 (kind): unknown kind 'purchse' (exp", "kind")
end)

T.done()
