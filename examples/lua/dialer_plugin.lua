-- A dialer plugin: before every dial it asks libfollowup whether the customer
-- may be called now (quiet hours, do-not-disturb windows, consent, holidays,
-- small businesses' month end); a "no" names the rule and the next allowed
-- instant, which the dialer uses to reschedule. After the call it records
-- the outcome, so the answer-propensity model learns without a refit.
--
--   lua5.4 examples/lua/dialer_plugin.lua [SAMPLE_DIR]
--
-- SAMPLE_DIR holds customers.csv and events.csv (default examples/sample/data).
local followup = require "followup"

local dir = arg[1] or "examples/sample/data"

local plugin = {}

-- Load the book and build the model once, when the dialer starts.
function plugin.start(sample_dir)
  local book = followup.Book()
  book:read_customers_csv(sample_dir .. "/customers.csv")
  book:read_events_csv(sample_dir .. "/events.csv")
  plugin.book = book
  plugin.policy = followup.policy_default()
  plugin.model = followup.BestTime(plugin.policy, book)
end

-- Called by the dialer before each dial. Returns true, or false with the
-- rule that says no and the instant to try again.
function plugin.before_dial(customer_id, now)
  local i = plugin.book:find_customer(customer_id)
  local allowed, rule, next_allowed = plugin.model:may_contact(i, now, followup.CHANNEL_PHONE)
  return allowed, rule, next_allowed
end

-- Called by the dialer after each call with "answered", "no_answer",
-- "refused" or "voicemail".
function plugin.after_call(customer_id, at, outcome)
  local i = plugin.book:find_customer(customer_id)
  local code = ({ answered = followup.OUTCOME_ANSWERED, no_answer = followup.OUTCOME_NO_ANSWER,
                  refused = followup.OUTCOME_REFUSED, voicemail = followup.OUTCOME_VOICEMAIL })[outcome]
  plugin.model:record(i, at, code)
end

-- A small simulated dialing session: a queue of calls at given instants.
plugin.start(dir)
local fmt = function(t) return followup.time_format(t, 8 * 3600) end
local queue = {
  { "C00001", "2026-11-24T07:30:00+08:00" },  -- before quiet hours end
  { "C00002", "2026-11-24T10:15:00+08:00" },
  { "C00003", "2026-11-24T21:30:00+08:00" },  -- after 21:00
  { "C00004", "2026-11-24T12:30:00+08:00" },
  { "C00005", "2026-11-24T19:00:00+08:00" },
}
local dialed, rescheduled = 0, 0
for _, call in ipairs(queue) do
  local id, at = call[1], followup.time_parse(call[2])
  local ok, rule, next_allowed = plugin.before_dial(id, at)
  if ok then
    dialed = dialed + 1
    -- the dialer rings; here the outcome is made up for the example
    local outcome = (dialed % 2 == 1) and "answered" or "no_answer"
    plugin.after_call(id, at, outcome)
    print(string.format("%s  %s  dial -> %s", fmt(at), id, outcome))
  else
    rescheduled = rescheduled + 1
    print(string.format("%s  %s  not now (%s); next allowed %s", fmt(at), id, rule, fmt(next_allowed)))
  end
end
print(string.format("dialed %d, rescheduled %d", dialed, rescheduled))
return plugin
