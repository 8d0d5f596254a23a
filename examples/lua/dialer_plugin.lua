-- A dialer plugin on the contact guard. It dials from the day's plan, asks
-- the guard before every call (consent, quiet hours, holidays, do-not-disturb,
-- the min gap and every cap over the persisted contact log, and the redial
-- rules), records each outcome in the log, and redials by the rules: an
-- unanswered call comes back when the guard allows it (2 business hours,
-- the min gap, at most 3 attempts a day), a wrong number or a refusal stops,
-- a requested call-back is made at its time.
--
-- Everything the plugin knows after a restart is in the log: killed at any
-- point and started again, it resumes where it stopped, redials nothing
-- twice and loses no outcome (the tests kill it mid-run and compare the log
-- with that of an uninterrupted run).
--
--   lua5.4 examples/lua/dialer_plugin.lua [SAMPLE_DIR [STATE_DIR [MAX_CALLS]]]
--
-- SAMPLE_DIR holds customers.csv and events.csv (default examples/sample/data);
-- STATE_DIR receives contacts.db, the contact log (default: a log in memory);
-- MAX_CALLS bounds the session (default 40 touchpoints of the plan). With the
-- environment variable FU_DIALER_STEP set it waits for a line on stdin after
-- each call (the tests use it to kill it at a chosen call).
local followup = require "followup"

io.stdout:setvbuf("line")

local sample_dir = arg[1] or "examples/sample/data"
local state_dir = arg[2]
local max_calls = tonumber(arg[3] or "40")

local plugin = { step = os.getenv("FU_DIALER_STEP") ~= nil }

-- When the dialer starts: the book, the policy, the log, the guard, the plan.
function plugin.start(dir, state, now)
  local book = followup.Book()
  book:read_customers_csv(dir .. "/customers.csv")
  book:read_events_csv(dir .. "/events.csv")
  plugin.book = book
  plugin.policy = followup.policy_default()
  plugin.log = followup.ContactLog(state and (state .. "/contacts.db") or nil)
  plugin.guard = followup.Guard(plugin.policy, book, plugin.log)
  plugin.planner = followup.Planner(plugin.policy, book)
  plugin.plan = plugin.planner:plan(now, 86400)
  -- attempts already made, per touchpoint (customer and rule), from the log
  plugin.done = {}
  for line in plugin.log:csv():gmatch("[^\n]+") do
    local seq, cust, at, channel, outcome, _, _, rule = line:match(
      "^(%d+),([^,]*),(%-?%d+),([^,]*),([^,]*),([^,]*),([^,]*),([^,]*)")
    if seq then
      local key = cust .. "|" .. rule
      plugin.done[key] = plugin.done[key] or {}
      table.insert(plugin.done[key], { at = tonumber(at), outcome = outcome, channel = channel })
    end
  end
end

-- The phone touchpoints of the plan, most pressing first as planned.
function plugin.queue(limit)
  local q = {}
  for i = 1, plugin.plan:count(followup.TOUCHPOINT_PLANNED) do
    local tp = plugin.plan:touchpoint(followup.TOUCHPOINT_PLANNED, i)
    if tp.channel == "phone" and #q < limit then
      q[#q + 1] = { customer = tp.customer_id, at = tp.best_at, rule = tp.rule:match("^[^;]+"),
                    priority = tp.priority, order = tp.order_id }
    end
  end
  return q
end

-- The switchboard, simulated: the outcome of the n-th attempt to a customer
-- (the same every run, so that a resumed run can be compared).
local outcomes = { "answered", "no_answer", "busy", "no_answer", "callback_requested", "answered", "refused",
                   "no_answer", "wrong_number", "voicemail", "answered" }
local function ring(customer, n)
  local h = n * 7
  for k = 1, #customer do h = (h * 31 + customer:byte(k)) % 1000003 end
  return outcomes[h % #outcomes + 1]
end

local function fmt(t) return followup.time_format(t, 8 * 3600) end

-- Work one touchpoint until it is done, stopped, or left for after `until_`.
function plugin.work(tp, until_)
  local key = tp.customer .. "|" .. tp.rule
  local past = plugin.done[key] or {}
  local t, n = tp.at, 0
  while true do
    n = n + 1
    local outcome, at
    if past[n] then -- made before a restart: the log has its outcome
      outcome, at = past[n].outcome, past[n].at
    else
      local d = plugin.guard:check(tp.customer, "phone", t, tp.priority, tp.rule, tp.order)
      if not d.allowed then
        if d.next_allowed > until_ then
          print(string.format("stop     %s  %s  %s: %s", fmt(t), tp.customer, tp.rule, d.reason))
          return
        end
        t, n = d.next_allowed, n - 1
        goto continue
      end
      at = t
      outcome = ring(tp.customer, n)
      local callback = outcome == "callback_requested" and (at + 3 * 3600) or nil
      plugin.guard:record(tp.customer, at, "phone", outcome, tp.priority, "dialer", tp.rule, tp.order, 60,
                          callback or followup.BOOK_NO_TIME)
    end
    print(string.format("dial     %s  %s  %s -> %s", fmt(at), tp.customer, tp.rule, outcome))
    if plugin.step then io.read("l") end -- FU_DIALER_STEP: wait for a line on stdin after each call
    if outcome == "answered" or outcome == "refused" or outcome == "wrong_number" then return end
    t = outcome == "callback_requested" and (at + 3 * 3600) or (at + 60)
    ::continue::
  end
end

local now = followup.time_parse("2026-11-24T08:00:00+08:00")
plugin.start(sample_dir, state_dir, now)
local q = plugin.queue(max_calls)
for _, tp in ipairs(q) do plugin.work(tp, now + 3 * 86400) end
print(string.format("done: %d touchpoints, %d records in the log", #q, plugin.log:count()))
plugin.guard:close()
plugin.log:close()
return plugin
