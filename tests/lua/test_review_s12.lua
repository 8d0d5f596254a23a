-- Review s12 (user review of the bindings), the Lua parts of U1, U4 and U10:
--   * tristates (a customer's is_smb and consents) are names in and out, also
--     true / false and 1 / 0 (yes / no, as a CSV file's "1" / "0"); a
--     consent_phone = 0 used to be stored as "unknown" and the guard let the
--     call through; the TRI_* constants are the names;
--   * nil in any argument of any method raises a followup.Error, never a
--     crash (book:find_customer(nil) and kpi:find(nil) used to segfault);
--     ctest runs this file as its own process, so a crash fails it;
--   * the messages of a nil kind, a nil feed customer, simulation_csv's
--     argument, and the error a cancel hook raises.
local T = require "testlib"
local followup = require "followup"

local NOW = "2026-11-23T00:00:00+08:00"
local AT = "2026-03-10T10:00:00+08:00"

local sample = T.sample

local message = T.error_message

T.test("tristates in: names (any case), booleans, 1 / 0, nil; out: names", function()
  local b = followup.Book()
  local cases = {
    { "A", 0, "no" }, { "B", 1, "yes" }, { "C", false, "no" }, { "D", true, "yes" }, { "E", "NO", "no" },
    { "F", "Yes", "yes" }, { "G", "unknown", "unknown" }, { "H", nil, "unknown" }, { "I", 0.0, "no" },
    { "J", followup.TRI_NO, "no" }, { "K", followup.TRI_UNKNOWN, "unknown" }, { "L", followup.TRI_YES, "yes" },
    { "M", 0 / 0, "unknown" },
  }
  for _, c in ipairs(cases) do
    b:add_customer(c[1], "Asia/Shanghai", { consent_phone = c[2], is_smb = c[2], consent_sms = c[2],
      consent_email = c[2] })
  end
  b:add_customer("P", "Asia/Shanghai", 1.0, nil, nil, true, nil, nil, 0, 1, "no") -- positional
  b:finalize()
  for i, c in ipairs(cases) do
    local cu = b:customer(i)
    T.eq(cu.consent_phone, c[3], c[1] .. " consent_phone")
    T.eq(cu.is_smb, c[3], c[1] .. " is_smb")
    T.eq(cu.consent_sms, c[3], c[1] .. " consent_sms")
    T.eq(cu.consent_email, c[3], c[1] .. " consent_email")
  end
  local p = b:customer(#cases + 1)
  T.eq(p.is_smb .. p.consent_phone .. p.consent_sms .. p.consent_email, "yesnoyesno", "positional")
  T.eq(followup.TRI_NO, "no", "TRI_NO is the name")
end)

T.test("a consent of 0 is a no the guard respects; the CSV reader agrees", function()
  local b = followup.Book()
  b:add_customer("K1", "Asia/Shanghai", { consent_phone = 0 })
  b:add_customer("K2", "Asia/Shanghai", { consent_phone = "no" })
  b:finalize()
  local g = followup.Guard(followup.policy_default(), b)
  for _, id in ipairs({ "K1", "K2" }) do
    local d = g:check(id, "phone", AT)
    T.eq(d.allowed, false, id .. " allowed")
  end
  local c = T.book("customer_id,tz,consent_phone\nK1,Asia/Shanghai,0\n", T.EV_HDR)
  T.eq(c:customer(1).consent_phone, b:customer(1).consent_phone, "as the CSV reader")
end)

T.test("other tristate values are refused naming the option and what is accepted", function()
  for _, bad in ipairs({ 2, -1, 0.5, "maybe", {} }) do
    local msg = message(function()
      followup.Book():add_customer("X", "UTC", { consent_sms = bad })
    end)
    T.truthy(msg:find("Book:add_customer: option 'consent_sms': ", 1, true), msg)
    T.truthy(msg:find("is not a tristate (expected \"yes\", \"no\", \"unknown\", true / false, 1 / 0", 1, true), msg)
  end
  local msg = message(function() followup.Book():add_customer("X", "UTC", nil, nil, nil, 2) end)
  T.truthy(msg:find("argument 6 (is_smb): 2 is not a tristate", 1, true), msg)
end)

T.test("find_customer(nil) and kpi:find(nil) raise, no crash", function()
  local pol, book = sample()
  local msg = message(book.find_customer, book, nil)
  T.truthy(msg:find("Book:find_customer: the customer id is required (nil given)", 1, true), msg)
  message(followup.Book().find_customer, followup.Book(), nil)
  local k = followup.Kpi(pol, { as_of = NOW })
  k:add_book(book)
  k:compute()
  msg = message(k.find, k, nil)
  T.truthy(msg:find("Kpi:find: the KPI name is required (nil given)", 1, true), msg)
  T.truthy(k:find("coverage") ~= nil, "the ordinary call")
end)

-- Every method of every object built here, and every module function with
-- known parameters, called with nil in each argument position in turn (the
-- others ordinary values): a followup.Error or a result, never a crash.
T.test("nil in every argument position: no crash", function()
  local pol, book = sample()
  local objs = { Book = book, Policy = pol }
  local function make(name, fn)
    local ok, v = pcall(fn)
    if not ok then error("fixture " .. name .. ": " .. tostring(v)) end
    objs[name] = v
  end
  make("Calendar", function() return pol:calendar_in_zone("Asia/Shanghai") end)
  make("Planner", function() return followup.Planner(pol, book) end)
  make("Plan", function() return objs.Planner:plan(NOW, 3 * 86400) end)
  make("Touchpoint", function() return objs.Plan:touchpoint("planned", 1) end)
  make("Kpi", function()
    local k = followup.Kpi(pol, { as_of = NOW })
    k:add_book(book)
    k:compute()
    return k
  end)
  make("BestTime", function() return followup.BestTime(pol, book) end)
  make("ContactLog", function() return followup.ContactLog() end)
  make("Guard", function() return followup.Guard(pol, book, objs.ContactLog) end)
  make("Ledger", function() return followup.Ledger() end)
  make("Redactor", function() return followup.Redactor() end)
  make("Extractor", function() return followup.extractor_from_policy(pol) end)
  make("EventBatch", function() return followup.EventBatch() end)
  make("FrequencyData", function() return followup.frequency_from_book(book) end)
  make("FrequencyModel", function() return followup.FrequencyModel(objs.FrequencyData) end)
  make("Windows", function() return followup.Windows("Mon-Fri 09:00-18:00") end)
  make("SimReport", function() return objs.Planner:simulate(NOW, "2026-11-24T00:00:00+08:00") end)
  make("CommitmentList", function() return objs.Ledger:query() end)
  local FILL = { customer_id = "C00001", id = "C00001", customer = 1, channel = "phone", tz = "Asia/Shanghai",
    tzid = "Asia/Shanghai", kind = "purchase", outcome = "answered", priority = "normal", status = "planned",
    period = "week", by = "tier", kpi = "coverage", text = "x", csv = "", label = "gold", i = 1, now = NOW,
    at = NOW, t = NOW, from = NOW, to = "2026-11-30T00:00:00+08:00", as_of = NOW, horizon = 86400,
    calendar = objs.Calendar, policy = pol, book = book, plan = objs.Plan, mode = "end_of_day" }
  local SKIP = { close = true, refresh = true, finalize = true, merge = true, simulate = true, partial = true,
    write_csv = true, write_html = true, save = true, set_ledger = true }
  -- the parameter names of the calls that take texts (bindings/lua/idioms.lua PARAMS); other methods: 3 positions
  local EV = "customer_id at kind order_id product_class unit_price amount severity channel agent_id outcome score "
    .. "survey note priority"
  local REC = "customer_id at channel outcome priority agent_id rule order_id duration callback_at"
  local PARAMS_OF = {
    ["Book:add_customer"] = "id tz annual_spend first_purchase_at industry is_smb preferred_windows dnd_windows "
      .. "consent_phone consent_sms consent_email owner",
    ["Book:add_event"] = EV, ["EventBatch:add"] = EV, ["Book:find_customer"] = "id",
    ["Book:read_customers_text"] = "text name", ["Book:read_events_text"] = "text name",
    ["Book:read_customers_csv"] = "path", ["Book:read_events_csv"] = "path", ["Book:string"] = "i",
    ["Guard:check"] = "customer_id channel at priority rule order_id", ["Guard:record"] = REC,
    ["Guard:check_and_record"] = REC, ["ContactLog:append"] = REC, ["ContactLog:csv"] = "after customer_id",
    ["Kpi:find"] = "kpi period group", ["Kpi:set_segment"] = "customer_id label",
    ["Kpi:add_customer"] = "id annual_spend first_purchase_at", ["Kpi:read_segments_csv"] = "path",
    ["Kpi:add_event"] = "customer_id at kind order_id product_class unit_price amount severity channel agent_id "
      .. "outcome score survey",
    ["Kpi:add_due"] = "customer_id due_to due_from agent_id",
    ["Kpi:add_commitment"] = "customer_id deadline state closed_at created_by",
    ["Kpi:to_html"] = "breakdown title min_n",
    ["Ledger:add"] = "customer_id text created_at deadline category owner created_by rule",
    ["Ledger:add_promised"] = "customer_id text created_at value unit calendar category owner created_by rule",
    ["Ledger:fulfill"] = "id at by", ["Ledger:cancel"] = "id at by", ["Ledger:tick"] = "now",
    ["Ledger:query"] = "kind from to now owner customer_id limit events",
    ["Ledger:count"] = "kind from to now owner customer_id",
    ["Planner:feed"] = "customer_id at kind now horizon order_id product_class unit_price amount severity channel "
      .. "agent_id outcome score survey note",
    ["Planner:plan_customer"] = "customer now horizon", ["Planner:set_agents"] = "csv", ["Planner:set_clv"] = "csv",
    ["Extractor:run"] = "calendar text at", ["Redactor:apply"] = "text",
    ["BestTime:best"] = "customer from to channel flags k level query_flags seed now",
    ["BestTime:may_contact"] = "customer now channel flags",
    ["Calendar:set_hours_text"] = "text", ["Policy:get"] = "path", ["Policy:get_length"] = "path",
    ["Policy:get_key"] = "path i", ["FrequencyData:set_segment_name"] = "i name",
  }
  local calls = 0
  local function sweep(title, fn, names, lead, fill)
    local n = #names > 0 and #names or 3
    for k = 1, n do
      local args = {}
      for j = 1, n do
        if j ~= k then
          local v = (fill or FILL)[names[j] or ""]
          if v == nil then v = 1 end
          args[j] = v
        end
      end
      io.stderr:write("CALL ", title, " nil at ", k, " (", names[k] or "?", ")\n")
      calls = calls + 1
      if lead then pcall(fn, lead, table.unpack(args, 1, n)) else pcall(fn, table.unpack(args, 1, n)) end
    end
  end
  local names_of = function(key)
    local s = PARAMS_OF[key]
    local t = {}
    if type(s) == "string" then for w in s:gmatch("%S+") do t[#t + 1] = w end
    elseif type(s) == "table" then t = s end
    return t
  end
  -- (a 0-based segment: the SWIG method counts from 0, and an index out of range is refused before the name)
  local METHOD_FILL = { ["FrequencyData:set_segment_name"] = setmetatable({ i = 0 }, { __index = FILL }) }
  local classes = {}
  for cls in pairs(objs) do classes[#classes + 1] = cls end
  table.sort(classes)
  for _, cls in ipairs(classes) do
    local obj = objs[cls]
    local fns = rawget(debug.getregistry().SWIG[cls], ".fn")
    local mnames = {}
    for m in pairs(fns) do mnames[#mnames + 1] = m end
    table.sort(mnames)
    for _, m in ipairs(mnames) do
      if not SKIP[m] and not m:match("^__") and type(fns[m]) == "function" then
        sweep(cls .. ":" .. m, obj[m], names_of(cls .. ":" .. m), obj, METHOD_FILL[cls .. ":" .. m])
      end
    end
  end
  for _, f in ipairs({ "time_parse", "date_parse", "duration_parse", "policy_load_string", "channel_from_string",
    "event_kind_from_string", "outcome_from_string", "severity_from_string", "survey_from_string",
    "tristate_from_string", "notes_read_csv_text" }) do
    if type(followup[f]) == "function" then sweep(f, followup[f], { "text" }) end
  end
  local SIM = setmetatable({ from = T.time(NOW), to = T.time(NOW) + 2 * 86400, run = "policy", agents = "1",
    calls = "2" }, { __index = FILL })
  sweep("simulation_csv", followup.simulation_csv, { "policy", "book", "run", "from", "to" }, nil, SIM)
  sweep("sensitivity_csv", followup.sensitivity_csv, { "policy", "book", "agents", "calls", "from", "to", "run" },
    nil, SIM)
  io.stderr:write("CALLS ", calls, "\n")
  T.truthy(calls >= 250, "calls: " .. calls)
  -- the handles still work
  T.eq(book:find_customer("C00001"), 1, "book")
end)

T.test("messages: a nil kind, a nil feed customer, simulation_csv's argument", function()
  local pol, book = sample()
  local msg = message(function() followup.Book():add_event("C1", NOW, nil) end)
  T.truthy(msg:find("Book:add_event: argument 3 (kind) is required: one of ", 1, true), msg)
  T.truthy(msg:find("purchase", 1, true), msg)
  msg = message(function() followup.Planner(pol, book):feed(nil, NOW, "purchase") end)
  T.eq(msg, "Planner:feed: argument 1 (customer_id) is required: the customer's id, a string", "feed")
  msg = message(followup.apply_capacity, nil, "")
  T.eq(msg, "apply_capacity: argument 1 (plan) must be a followup.Plan, not nil", "apply_capacity")
  msg = message(followup.simulation_csv, pol, book, "baseline", {}, "2026-11-30T00:00:00+08:00")
  T.truthy(msg:find("simulation_csv: argument 4 (from) must be an integer or an ISO 8601 text, not table", 1, true), msg)
end)

T.test("a cancel hook's own error is kept in the CanceledError (message and cause)", function()
  local pol, book = sample()
  local planner = followup.Planner(pol, book)
  local want = planner:plan(NOW, 3 * 86400):csv()
  followup.set_cancel_hook(function() error("boom from the hook") end)
  local e = T.raises(planner.plan, planner, NOW, 3 * 86400)
  followup.set_cancel_hook(nil)
  T.eq(e.name, "CanceledError", "still a CanceledError")
  T.truthy(e.message:find("the cancel hook raised an error: ", 1, true), e.message)
  T.truthy(e.message:find("test_review_s12.lua:%d+: boom from the hook"), e.message)
  T.truthy(tostring(e.cause):find("boom from the hook", 1, true), "cause: " .. tostring(e.cause))
  T.eq(planner:plan(NOW, 3 * 86400):csv(), want, "the planner is fine afterwards")
  -- a hook that returns true: CanceledError as before (no stale hook error)
  followup.set_cancel_hook(function() return true end)
  e = T.raises(planner.plan, planner, NOW, 3 * 86400)
  followup.set_cancel_hook(nil)
  T.eq(e.name, "CanceledError", "canceled by a true result")
  T.eq(e.cause, nil, "no stale hook error")
end)

T.done()
