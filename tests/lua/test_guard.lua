-- fu_guard and fu_contact_log from Lua: string enums, errors as tables,
-- close() and <close>.
local T = require "testlib"
local followup = require "followup"

local t = T.time

local function world()
  local policy = followup.policy_default()
  local book = followup.Book()
  book:read_customers_text("customer_id,tz,first_purchase_at,consent_phone,consent_sms,consent_email\n" ..
                           "A,Asia/Shanghai,2025-06-01T10:00:00+08:00,yes,yes,no\n")
  book:finalize()
  return policy, book
end

T.test("check, record, min gap and the reason", function()
  local policy, book = world()
  local log <close> = followup.ContactLog()
  local guard <close> = followup.Guard(policy, book, log)
  local d = guard:check("A", "phone", t("2026-03-10T10:00:00+08:00"))
  T.eq(d.allowed, true, "allowed")
  guard:record("A", t("2026-03-10T10:00:00+08:00"), "phone", "answered", "normal", "ag1", "r1")
  d = guard:check("A", "phone", t("2026-03-10T11:00:00+08:00"), "normal", "r1")
  T.eq(d.allowed, false, "denied")
  T.eq(d.rule, "caps.min_gap", "rule")
  T.eq(d.next_allowed, t("2026-03-11T10:00:00+08:00"), "next")
  T.eq(log:count(), 1, "logged")
  -- an unanswered attempt is spaced by the policy's redial.no_answer.retry_after
  -- (2 business hours), not by the min gap
  guard:record("A", t("2026-03-12T10:00:00+08:00"), "phone", "no_answer", "normal", "ag1", "r2")
  d = guard:check("A", "phone", t("2026-03-12T11:00:00+08:00"), "normal", "r2")
  T.eq(d.rule, "redial.retry_after", "redial rule")
  T.eq(d.next_allowed, t("2026-03-12T12:00:00+08:00"), "redial next")
  T.eq(guard:check("A", "email", t("2026-03-12T10:00:00+08:00")).rule, "customer.consent_email", "consent")
end)

T.test("bad input raises error tables", function()
  local policy, book = world()
  local guard = followup.Guard(policy, book)
  local e = T.raises(function() guard:check("A", "fax", 0) end)
  T.eq(e.name, "ParseError", "channel")
  e = T.raises(function() guard:record("A", t("2026-03-10T10:00:00+08:00"), "phone", "hung_up") end)
  T.eq(e.name, "ParseError", "outcome")
  e = T.raises(function() guard:record("B", t("2026-03-10T10:00:00+08:00"), "phone", "answered") end)
  T.eq(e.name, "NotFoundError", "unknown customer")
  guard:close()
  e = T.raises(function() guard:check("A", "phone", 0) end)
  T.eq(e.name, "StateError", "closed")
end)

T.test("<close> closes the handles", function()
  local policy, book = world()
  local kept
  do
    local log <close> = followup.ContactLog()
    kept = log
  end
  local e = T.raises(function() kept:count() end)
  T.eq(e.name, "StateError", "closed by <close>")
end)

T.test("customer-base models saved and loaded", function()
  local path = os.tmpname()
  followup.model_params_save(path, followup.BgNbd(0.25, 4.5, 0.75, 2.5))
  local m = followup.model_params_load(path)
  T.eq(m:bgnbd().alpha, 4.5, "alpha")
  T.eq(m:pareto(), nil, "no pareto")
  local f = io.open(path, "a")
  f:write("junk\n")
  f:close()
  local e = T.raises(function() followup.model_params_load(path) end)
  T.eq(e.name, "ParseError", "checksum")
  os.remove(path)
end)

T.test("check_and_record records only what is allowed; past the calendar data is flagged", function()
  local policy, book = world()
  local log <close> = followup.ContactLog()
  local guard <close> = followup.Guard(policy, book, log)
  local d = guard:check_and_record("A", t("2026-03-10T10:00:00+08:00"), "phone")
  T.eq(d.allowed, true, "allowed and recorded")
  d = guard:check_and_record("A", t("2026-03-10T15:00:00+08:00"), "sms", "answered")
  T.eq(d.allowed, false, "denied")
  T.eq(d.rule, "caps.min_gap", "rule")
  T.eq(log:count(), 1, "only the allowed one is in the log")
  d = guard:check("A", "phone", t("2027-02-06T10:00:00+08:00"))
  T.eq(d.past_calendar_data, "cn", "data_until flagged")
  local e = T.raises(function() log:close() end)
  T.eq(e.name, "StateError", "a log an open guard uses is not closed")
end)

T.test("the log masks agent and rule unless told to store them raw", function()
  for _, raw in ipairs({ false, true }) do
    -- ContactLog(path, readonly, sync_normal, store_raw_text)
    local log <close> = followup.ContactLog(nil, false, false, raw)
    log:append("A", t("2026-03-10T10:00:00+08:00"), "phone", "answered", "normal", "ag 13912345678",
               "call 13912345678")
    local text = log:csv()
    local want = raw and "ag 13912345678,call 13912345678" or "ag 139****5678,call 139****5678"
    T.eq(text:find(want, 1, true) ~= nil, true, "stored: " .. text)
  end
end)

T.test("a memory path is refused", function()
  local e = T.raises(function() followup.ContactLog(":memory:") end)
  T.eq(e.name, "InvalidArgumentError", "name")
end)


T.test("business (B2B) customers get the business calendar", function()
  -- built-in policy: cn open Mon-Fri 09:00-12:00 and 13:30-18:00; a small
  -- business or a customer with an industry is B2B; urgent skips it
  local policy = followup.policy_default()
  local book = followup.Book()
  book:read_customers_text("customer_id,tz,first_purchase_at,industry,is_smb,consent_phone\n" ..
                           "S,Asia/Shanghai,2025-06-01T10:00:00+08:00,,yes,yes\n" ..
                           "P,Asia/Shanghai,2025-06-01T10:00:00+08:00,,no,yes\n" ..
                           "N,America/New_York,2025-06-01T10:00:00+08:00,retail,,yes\n")
  book:finalize()
  local guard <close> = followup.Guard(policy, book)
  local d = guard:check("S", "phone", t("2026-03-10T12:30:00+08:00"))
  T.eq(d.allowed, false, "lunch")
  T.eq(d.rule, "calendars.hours", "rule")
  T.eq(d.next_allowed, t("2026-03-10T13:30:00+08:00"), "next")
  T.eq(guard:check("S", "phone", t("2026-03-10T14:00:00+08:00")).allowed, true, "14:00")
  T.eq(guard:check("P", "phone", t("2026-03-10T12:30:00+08:00")).allowed, true, "private")
  T.eq(guard:check("S", "phone", t("2026-03-10T12:30:00+08:00"), "urgent").allowed, true, "urgent")
  d = guard:check("S", "phone", t("2026-03-14T10:00:00+08:00"))
  T.eq(d.next_allowed, t("2026-03-16T09:00:00+08:00"), "saturday")
  T.eq(guard:check("S", "phone", t("2026-09-20T10:00:00+08:00")).allowed, true, "make-up sunday")
  d = guard:check("N", "phone", t("2026-03-10T12:30:00-04:00"))
  T.eq(d.rule, "calendars.hours", "new york rule")
  T.eq(d.next_allowed, t("2026-03-10T13:30:00-04:00"), "new york next")
end)

T.test("a long Chinese cap name comes back whole (review s9 F18)", function()
  local name = string.rep("新客户七十二小时内最多两次回访限制", 4) -- 68 characters, 204 bytes
  local path = os.tmpname()
  local f = assert(io.open(path, "w"))
  f:write('name: t\nversion: "1"\ncaps:\n  limits:\n    ' .. name .. ': {max: 1, per: 7d}\n')
  f:close()
  local policy = followup.policy_load_file(path)
  os.remove(path)
  local book = followup.Book()
  book:read_customers_text("customer_id,tz,first_purchase_at\nA,Asia/Shanghai,2025-01-01T10:00:00+08:00\n")
  book:finalize()
  local guard <close> = followup.Guard(policy, book, followup.ContactLog())
  guard:record("A", t("2026-12-28T10:00:00+08:00"), "phone", "answered")
  local d = guard:check("A", "phone", t("2026-12-30T10:00:00+08:00"))
  T.eq(d.allowed, false, "denied")
  T.eq(d.rule, "caps." .. name, "the whole rule")
  T.eq(utf8.len(d.reason) ~= nil, true, "the reason is cut at a character")
end)

T.done()
