-- Library calls that only the followup tool had (issue 14, item 5), from Lua:
-- a policy calendar's rules in another zone, the owner and agent columns of
-- the plan CSV, the segmentation pipeline.
local T = require "testlib"
local followup = require "followup"

T.test("calendar_in_zone: the policy calendar's hours in the customer's zone", function()
  local p = followup.policy_default()
  local c = p:calendar_in_zone("Europe/Berlin")
  T.eq(c:tzid(), "Europe/Berlin", "zone")
  T.eq(c:is_open(followup.time_parse("2026-10-01T10:00:00+02:00")), true, "no Chinese holiday")
  T.eq(c:is_open(followup.time_parse("2026-10-01T12:30:00+02:00")), false, "lunch in Berlin")
  local cn = p:calendar_in_zone("Asia/Shanghai", "cn")
  T.eq(cn:is_open(followup.time_parse("2026-10-01T10:00:00+08:00")), false, "National Day")
  local ok, err = pcall(function() return p:calendar_in_zone("Mars/Olympus") end)
  T.eq(ok, false, "unknown zone raises")
  T.eq(err.name, "TimeZoneError", "error name")
end)

T.test("plan csv with the agent column", function()
  local b = followup.Book()
  b:read_customers_text("customer_id,tz,consent_phone\nK1,Asia/Shanghai,yes\n", "c.csv")
  b:read_events_text("customer_id,at,kind\nK1,2026-03-02T12:00:00Z,delivery\n", "e.csv")
  b:finalize()
  local pl = followup.Planner(followup.policy_default(), b)
  local plan = pl:plan(followup.time_parse("2026-03-02T12:00:00Z"), 10 * 86400)
  local text = plan:csv(1, false, true, true)
  T.eq(text:match("^[^\n]*"), "customer_id,due_from,due_to,best_at,purpose,channel,priority,rule,reason,owner,agent",
       "header")
  T.eq(plan:csv():match("^[^\n]*"), "customer_id,due_from,due_to,best_at,purpose,channel,priority,rule,reason",
       "default header")
end)

T.test("segment_run: the tool's pipeline in one call", function()
  local b = followup.Book()
  -- purchase histories the models can fit: the sample book
  local dir = (debug.getinfo(1, "S").source:match("^@(.*)/tests/lua/") or ".") .. "/examples/sample/data/"
  b:read_customers_csv(dir .. "customers.csv")
  b:read_events_csv(dir .. "events.csv")
  b:finalize()
  local rules = followup.segment_rules_from_policy(followup.policy_default())
  local run = followup.segment_run(b, rules)
  T.eq(run:count(), b:customer_count(), "one row per customer")
  T.eq(run:has_clv(), true, "spend model identified")
  local text = run:csv(b, false)
  T.eq(text:match("^[^\n]*"), "customer_id,tier,lifecycle,r,f,m,p_alive,expected_purchases,clv,segment,rule,handling",
       "header")
  local ok = pcall(followup.segment_run, b, rules, followup.SEGMENT_RUN_LAST_EVENT, 7)
  T.eq(ok, false, "unknown model raises")
end)

T.test("notes_read_csv_text: the notes reader", function()
  local notes = followup.notes_read_csv_text(
    "extra,note,at,customer_id\n1,\"within 2 days, promised\",2026-01-01T10:00:00+08:00,C1\n", "n.csv")
  T.eq(notes:count(), 1, "one note")
  T.eq(notes:customer_ids()[1], "C1", "id")
  T.eq(notes:texts()[1], "within 2 days, promised", "text")
  T.eq(notes:ats()[1], 1767232800, "at")
  local ok, err = pcall(followup.notes_read_csv_text, "customer_id,at,note\nC1,soon,x\n", "n.csv")
  T.eq(ok, false, "bad time raises")
  T.eq(err.line, 2, "line")
  T.eq(err.path, "at", "column")
end)

T.done()
