-- The Lua idioms of the followup module (docs/bindings.md, "Lua"): run once
-- when `require "followup"` loads the SWIG module (embedded as %luacode), on
-- the module table the SWIG layer registered. It adds, without removing any
-- name of the SWIG layer:
--   * 1-based indices: every argument or result that is a position (a
--     customer in the book, an event, a touchpoint in a plan, a day of a
--     simulation, a figure, a commitment in a list, a promise in an
--     extraction) counts from 1, as Lua's own sequences do;
--   * string enums: "phone", "urgent", "planned", "delivery", "answered", ...
--     accepted wherever the integer constants are (the constants stay), and
--     returned by touchpoints, events and commitment lists;
--   * one error type: every error raised by the module, the SWIG layer's own
--     argument checks included, is a followup.Error table with code, name,
--     message and __tostring;
--   * handles with __tostring and __close (`local b <close> = followup.Book()`)
--     and a close() method; a closed handle raises StateError when used;
--   * iterators: plan:touchpoints([status]), book:customers(), book:events([i]),
--     list:commitments(), kpi:figures();
--   * optional arguments as nil (also in the middle) or as a table of named
--     options (`Planner(pol, book, {capacity_pass = true})`, "options tables"
--     below), and messages that count from 1 and say NaN (c_names).
local M = followup
local R = debug.getregistry()
local CLASSES = R.SWIG
local rawget, rawset, type, select, pcall, error, tostring = rawget, rawset, type, select, pcall, error, tostring
local unpack = table.unpack
local release = rawget(M, "_release") -- private: frees a handle's C object at close()
rawset(M, "_release", nil)
local working_days_bulk = rawget(M, "_calendar_add_working_days_bulk") -- private: Calendar:add_working_days_bulk
rawset(M, "_calendar_add_working_days_bulk", nil)

-- ---------------------------------------------------------------- errors
local ErrorMT = R["followup.Error"]
if not ErrorMT then
  ErrorMT = { __name = "followup.Error" }
  R["followup.Error"] = ErrorMT
end
ErrorMT.__tostring = ErrorMT.__tostring or function(e) return e.text end
ErrorMT.__index = ErrorMT
rawset(M, "Error", ErrorMT)

local CTYPES = {
  ["size_t"] = "integer", ["int"] = "integer", ["unsigned int"] = "integer", ["long"] = "integer",
  ["int64_t"] = "integer", ["long long"] = "integer", ["uint32_t"] = "integer", ["uint8_t"] = "integer", ["double"] = "number",
  ["float"] = "number", ["bool"] = "boolean", ["char const *"] = "string", ["char *"] = "string",
  ["string"] = "string", ["number"] = "number", ["nil"] = "nil", ["table"] = "table", ["boolean"] = "boolean",
  ["userdata"] = "object", ["fu_swig_kpi_segs const *"] = "table",
}

-- The Lua class of a C struct type ("fu_policy const *" -> "Policy"): the
-- struct name without fu_ / fu_swig_ in CamelCase, or one of these.
local STRUCT_CLASSES = {
  besttime = "BestTime", swig_freq_data = "FrequencyData", frequency = "FrequencyModel",
  segment_bgnbd = "BgNbd", segment_pareto = "ParetoNbd", segment_gammagamma = "GammaGamma",
  segment_summary = "Summary", segment_book_summary = "BookSummary", swig_events = "EventBatch",
  swig_decision = "GuardDecision", swig_log = "ContactLog", swig_bt_slot = "BestTimeSlot",
}
local function struct_class(ctype)
  local base = ctype:gsub("const", ""):gsub("struct", ""):gsub("%*", ""):gsub("%s+", "")
  local name = base:match("^fu_([%w_]+)$")
  if not name then return nil end
  if STRUCT_CLASSES[name] then return STRUCT_CLASSES[name] end
  local camel = name:gsub("^swig_", ""):gsub("_?(%w+)", function(w) return w:sub(1, 1):upper() .. w:sub(2) end)
  return CLASSES[camel] and camel or nil
end

local function lua_type_name(ctype)
  if CTYPES[ctype] then return CTYPES[ctype] end
  local cls = struct_class(ctype)
  if cls then return "followup." .. cls end
  return "value"
end

-- "an integer", "a string", "a followup.Policy", ...
local function with_article(t)
  if t == "value" then return "a value of another type" end
  return (t:match("^[aeiou]") and "an " or "a ") .. t
end

-- The names of the arguments of constructors (PARAMS.Class) and methods
-- (PARAMS["Class:method"]), self excluded, for messages ("argument 3 (agents)").
local PARAMS = {
  Planner = "policy book agents calls_per_agent default_cycle besttime tier_cycles strict_calendar capacity_pass "
    .. "daily_capacity",
  ["Planner:plan"] = "now horizon",
  ["Planner:plan_customer"] = "customer now horizon",
  ["Planner:feed"] = "customer_id at kind now horizon order_id product_class unit_price amount severity channel "
    .. "agent_id outcome score survey note",
  ["Planner:simulate"] = "from to step",
  ["Planner:set_agents"] = "csv", ["Planner:set_clv"] = "csv", ["Planner:set_clv_values"] = "clv",
  ["Planner:set_ledger"] = "ledger",
  Kpi = "policy period by from to as_of costs budget derived_due",
  ["Kpi:add_book"] = "book",
  ["Kpi:add_customer"] = "id annual_spend first_purchase_at",
  ["Kpi:add_event"] = "customer_id at kind order_id product_class unit_price amount severity channel agent_id "
    .. "outcome score survey",
  ["Kpi:add_due"] = "customer_id due_to due_from agent_id",
  ["Kpi:add_commitment"] = "customer_id deadline state closed_at created_by",
  ["Kpi:set_segment"] = "customer_id label", ["Kpi:set_segments"] = "segments",
  ["Kpi:read_segments_csv"] = "path",
  ["Kpi:find"] = "kpi period group",
  ["Kpi:figure"] = "i", ["Kpi:to_html"] = "breakdown title min_n",
  Book = "flags max_record_bytes max_field_bytes",
  ["Book:add_customer"] = "id tz annual_spend first_purchase_at industry is_smb preferred_windows dnd_windows "
    .. "consent_phone consent_sms consent_email owner",
  ["Book:add_event"] = "customer_id at kind order_id product_class unit_price amount severity channel agent_id "
    .. "outcome score survey note priority",
  ["Book:customer"] = "i", ["Book:event"] = "i", ["Book:find_customer"] = "id",
  ["Plan:count"] = "status", ["Plan:touchpoint"] = "status i",
  BestTime = "policy book segments n_segments flags slot_seconds half_life_seconds prior_strength "
    .. "prior_answer_rate prior_method as_of b2b_calendar b2b",
  ["EventBatch:add"] = "customer_id at kind order_id product_class unit_price amount severity channel agent_id "
    .. "outcome score survey note priority",
  Calendar = "tzid",
  Guard = "policy book log unknown retry_after max_attempts_per_day log_contacts_only besttime",
  ["Guard:check"] = "customer_id channel at priority rule order_id",
  ["Guard:check_and_record"] = "customer_id at channel outcome priority agent_id rule order_id duration callback_at",
  ["Guard:record"] = "customer_id at channel outcome priority agent_id rule order_id duration callback_at",
  ["ContactLog:append"] = "customer_id at channel outcome priority agent_id rule order_id duration callback_at",
  Ledger = "path flags", Redactor = "kinds mask_char", Extractor = "min_lead_seconds",
  ["Ledger:add"] = "customer_id text created_at deadline category owner created_by rule",
  ["Ledger:add_promised"] = "customer_id text created_at value unit calendar category owner created_by rule",
  ["Ledger:fulfill"] = "id at by", ["Ledger:cancel"] = "id at by", ["Ledger:tick"] = "now",
  ["Ledger:query"] = "kind from to now owner customer_id limit events",
  ["Ledger:count"] = "kind from to now owner customer_id", ["Ledger:on_time"] = "from to now",
  ["Ledger:record_escalations"] = "policy plan now",
  ["Extractor:run"] = "calendar text at",
  ["Calendar:is_open"] = "t", ["Calendar:next_open"] = "t", ["Calendar:add_business"] = "t seconds",
  ["Calendar:business_between"] = "from to", ["Calendar:add_working_days"] = "t n mode",
  ["Calendar:add_working_days_bulk"] = "times n mode", ["Calendar:add_working_days_bulk_epoch"] = "times n mode",
  ["Calendar:utc_offset"] = "t", ["Calendar:to_local"] = "t", ["Calendar:hour_of_week"] = "t",
  ["Calendar:minute_of_week"] = "t",
  ["Windows:contains_time"] = "calendar t", ["Windows:next_time"] = "calendar t",
}
-- The int64_t parameters that are instants: the typemap of followup.i takes
-- epoch seconds or ISO 8601 texts for them.
local TIME_ARGS = {}
for w in ("now at t from from_ to as_of due_from due_to deadline created_at closed_at first_purchase_at "
  .. "calibration_end callback_at"):gmatch("%S+") do TIME_ARGS[w] = true end

local function param_name(key, n)
  local list = PARAMS[key]
  if type(list) == "string" then
    local t = {}
    for w in list:gmatch("%S+") do t[#t + 1] = w end
    PARAMS[key] = t
    list = t
  end
  return list and list[n]
end

-- "argument 3" or "argument 3 (agents)" of the constructor or method `key`.
local function arg_label(key, n)
  local name = param_name(key, n)
  return "argument " .. n .. (name and (" (" .. name .. ")") or "")
end

local function new_error(code, name, message)
  return setmetatable({ code = code, name = name, message = message, text = message, line = 0, column = 0 },
    ErrorMT)
end
rawset(M, "new_error", new_error)

local function arg_error(fname, message)
  return new_error(M.EINVAL, "InvalidArgumentError", fname .. ": " .. message)
end

-- The C library's function names in its messages ("fu_planner_feed: now is
-- before the event", "call fu_book_finalize()") as the Lua methods and
-- functions that call them ("Planner:feed: ...", "call Book:finalize()"),
-- NULL as nil, as the Python binding does.
local C_CLASSES = {
  book = "Book", planner = "Planner", plan = "Plan", kpi = "Kpi", besttime = "BestTime", calendar = "Calendar",
  ledger = "Ledger", policy = "Policy", redactor = "Redactor", guard = "Guard", windows = "Windows",
  extractor = "Extractor", frequency_model = "FrequencyModel", segment_run = "SegmentRun",
  commitment_list = "CommitmentList", contact_log = "ContactLog",
}
local C_PREFIXES = {}
for k in pairs(C_CLASSES) do C_PREFIXES[#C_PREFIXES + 1] = k end
table.sort(C_PREFIXES, function(a, b) return #a > #b end)
local C_NAMES = {
  fu_kpi_partial_write = "Kpi:partial", fu_kpi_merge_partial = "Kpi:merge",
  fu_segment_book_summarize = "followup.segment_book", fu_segment_run_new = "followup.segment_run",
  fu_stats_beta_quantile = "followup.beta_quantile", fu_error_last = "followup.Error",
  fu_calendar_add_working_days_bulk = "Calendar:add_working_days", fu_kpi_write_html_to_string = "Kpi:to_html",
  fu_extract_options = "Extractor", fu_capacity_pass = "capacity_pass", fu_plan_apply_capacity = "apply_capacity",
  fu_plan_capacity_items = "capacity_items", fu_capacity_round = "capacity_round",
  fu_capacity_part_new = "capacity_part", fu_capacity_part_items = "capacity_part_items",
  fu_capacity_part_move = "capacity_part_move", fu_capacity_part_plan = "capacity_part_plan",
}

local function lua_c_name(rest)
  if C_NAMES["fu_" .. rest] then return C_NAMES["fu_" .. rest] end
  for _, prefix in ipairs(C_PREFIXES) do
    if rest == prefix or rest:sub(1, #prefix + 1) == prefix .. "_" then
      local cls, method = C_CLASSES[prefix], rest:sub(#prefix + 2)
      local mt = CLASSES[cls]
      if mt then
        if method == "" or method == "new" or method == "open" then return "followup." .. cls end
        if method == "options" then return cls end -- fu_kpi_options: the constructor's options
        if method == "free" then return cls .. " (closed)" end
        if rawget(rawget(mt, ".fn") or {}, method) ~= nil then return cls .. ":" .. method end
      end
    end
  end
  if type(rawget(M, rest)) == "function" and rest:sub(1, 1) ~= "_" then return "followup." .. rest end
  return nil
end

-- The arrays the library's messages index from 0 ("x[0] = -nan: must be a
-- non-negative integer", "recency[2] is not finite"): in Lua they are the
-- tables given, counted from 1. (Not contact_cost[i]: a channel number.)
local ARRAY_NAMES = {}
for w in ("x t_x T zbar start recency frequency monetary answer_prob weekend_factor history t"):gmatch("%S+") do
  ARRAY_NAMES[w] = true
end

-- The rewrites of c_names in one stretch of a message outside quoted text.
local function c_names_outside(s)
  -- the library counts the events of a call from 0 ("event 0: ..."), Lua from 1
  s = s:gsub("%f[%w]event (%d+):", function(n) return "event " .. (tonumber(n) + 1) .. ":" end)
  s = s:gsub("%f[%w_]([%a_][%w_]*)%[(%d+)%]", function(name, n)
    if ARRAY_NAMES[name] then return name .. "[" .. (tonumber(n) + 1) .. "]" end
  end)
  -- the values of a table given (planner:set_clv_values), a record of a call (kpi:add_due)
  s = s:gsub("%f[%w]value (%d+) is not a CLV", function(n) return "value " .. (tonumber(n) + 1) .. " is not a CLV" end)
  s = s:gsub("%f[%w]due item (%d+):", function(n) return "due item " .. (tonumber(n) + 1) .. ":" end)
  -- a customer of the book or of the tables given, by its 0-based index
  s = s:gsub("%f[%w]customer (%d+)(%f[^%d])", function(n, after)
    return "customer " .. (tonumber(n) + 1) .. after
  end)
  -- printf's "-nan" / "nan" as Lua users read it (not inside a word)
  s = s:gsub("(= )%-?nan%f[^%w]", "%1NaN (not a number)")
  local src = s
  s = s:gsub("()%-?nan()", function(a, b)
    local before, after = src:sub(a - 1, a - 1), src:sub(b, b)
    if before:match("[%w_'\"%-]") or after:match("[%w_'\"]") then return nil end
    return "NaN"
  end)
  if not (s:find("fu_", 1, true) or s:find("NULL", 1, true)) then return s end
  s = s:gsub("%f[%w_]fu_(%l[%w_]*)", function(rest) return lua_c_name(rest) end)
  return (s:gsub("%f[%w_]NULL%f[^%w_]", "nil"))
end

-- The end of the quoted text whose opening quote is at s[i] (the library
-- and this binding quote a cell or a name given as '...'): the next quote
-- not followed by a letter, digit or '_' (so 'O'Brien' is one text), or nil.
local function quote_end(s, i)
  local j = i
  while true do
    j = s:find("'", j + 1, true)
    if not j then return nil end
    if not s:sub(j + 1, j + 1):match("[%w_]") then return j end
  end
end

-- A message of the library in Lua words: positions counted from 1 (the
-- library counts events, array elements, customers and records from 0),
-- "NaN" for printf's "-nan", the Lua names of C functions, nil for NULL.
-- Quoted text ('...': a cell of input, an id, a name the user gave) is the
-- user's own and is left as it is: an id 'customer 5 x[0]' stays so.
local function c_names(s)
  if type(s) ~= "string" then return s end
  local out, pos = {}, 1
  while true do
    -- an opening quote: at the start or after a character that is no part of a word
    local i = pos
    repeat
      i = s:find("'", i, true)
      if i and i > 1 and s:sub(i - 1, i - 1):match("[%w_]") then i = i + 1 else break end
    until false
    local j = i and quote_end(s, i)
    if not j then break end
    out[#out + 1] = c_names_outside(s:sub(pos, i - 1))
    out[#out + 1] = s:sub(i, j)
    pos = j + 1
  end
  out[#out + 1] = c_names_outside(s:sub(pos))
  return table.concat(out)
end

-- SWIG's wrapper names in the binding's own messages ("Redactor_apply:
-- argument 2 contains a NUL", "new_Book: argument 1 must be ..."), where a
-- method counts self as argument 1, in Lua words ("Redactor:apply: argument 1").
local function lua_names(s)
  if type(s) ~= "string" then return s end
  s = s:gsub("new_(%u%a*): argument (%d+)", function(c, n)
    if CLASSES[c] then return c .. ": " .. arg_label(c, tonumber(n)) end
  end)
  s = s:gsub("(%u%a*)_(%l[%w_]*): argument (%d+)", function(c, m, n)
    if CLASSES[c] then return c .. ":" .. m .. ": " .. arg_label(c .. ":" .. m, tonumber(n) - 1) end
  end)
  -- a module function's ("capacity_pass: argument 3 must be ...": the Lua position)
  s = s:gsub("^(%l[%w_]*): argument (%d+)(.?.?)", function(f, n, after)
    if PARAMS[f] and after ~= " (" then return f .. ": " .. arg_label(f, tonumber(n)) .. after end
  end)
  return c_names(s)
end

-- A SWIG-layer message ("Error in fu_book::m_customer (arg 2), expected
-- 'size_t' got 'string'") as a followup.Error in Lua words. fname is the
-- Lua name of the call ("Planner:feed", "Planner" for a constructor);
-- noself: a constructor or module function, whose SWIG argument numbers are
-- the Lua ones (a method's count self).
local function convert(e, fname, noself)
  if type(e) == "table" then
    if getmetatable(e) == ErrorMT then e.message, e.text = lua_names(e.message), lua_names(e.text) end
    return e
  end
  local msg = tostring(e)
  local _, narg, want, got = msg:match("Error in ([^%s]+) %(arg (%d+)%), expected '([^']*)' got '([^']*)'")
  if narg then
    local n = tonumber(narg) - (noself and 0 or 1) -- a method: SWIG counts self
    n = n > 0 and n or 1
    local what = with_article(lua_type_name(want))
    if want == "int64_t" and TIME_ARGS[param_name(fname, n) or ""] then what = "an integer or an ISO 8601 text" end
    return arg_error(fname, string.format("%s must be %s, not %s", arg_label(fname, n), what, lua_type_name(got)))
  end
  local lo, hi, given = msg:match("Error in [^%s]+ expected (%d+)%.%.(%d+) args, got (%d+)")
  if lo then
    local d = noself and 0 or 1
    return arg_error(fname, string.format("takes %d to %d arguments, %d given", tonumber(lo) - d,
      tonumber(hi) - d, tonumber(given) - d))
  end
  msg = msg:gsub("Error in [^%s]+ ", "")
  for ctype, lname in pairs(CTYPES) do msg = msg:gsub("'" .. ctype:gsub("%*", "%%*") .. "'", "'" .. lname .. "'") end
  return new_error(M.ERROR, "Error", fname .. ": " .. msg)
end

-- Handles closed with close() / <close> (their C objects are freed), and who
-- borrows whom: borrowers[h] is the set of handles whose user value (SWIG's
-- keep-alive reference, set by the constructors in bindings/common/*.i)
-- names h. Both weak: the collector still decides when memory goes.
local closed = setmetatable({}, { __mode = "k" })
local borrowers = setmetatable({}, { __mode = "k" })
local getuservalue = debug.getuservalue

-- Record what a new handle borrows (its user value: a handle or a table of them).
local function track(h)
  local uv = getuservalue(h, 1)
  if type(uv) == "userdata" then uv = { uv } end
  if type(uv) ~= "table" then return end
  for _, b in pairs(uv) do
    if type(b) == "userdata" and b ~= h then -- (a guard's user value may name the guard itself)
      local set = borrowers[b]
      if not set then
        set = setmetatable({}, { __mode = "k" })
        borrowers[b] = set
      end
      set[h] = true
    end
  end
end

-- fn(...) with every error raised as a followup.Error; a closed handle given
-- as an argument raises StateError (its C object is gone), and the handles it
-- returns are tracked for the borrow rules of close(). kind: "method" (nil),
-- "ctor" (fn is the class's __call: argument 1 is the class table) or
-- "function" (a module function).
local function guarded(fname, fn, kind)
  local ctor = kind == "ctor"
  return function(...)
    for k = 1, select("#", ...) do
      local a = select(k, ...)
      if closed[a] then
        error(new_error(M.ESTATE, "StateError", string.format("%s: argument %d is a closed %s", fname,
          ctor and k - 1 or k, (tostring(a):match("^followup%.(%w+)") or "handle"))), 2)
      end
    end
    local r = table.pack(pcall(fn, ...))
    if not r[1] then error(convert(r[2], fname, kind ~= nil), 2) end
    for k = 2, r.n do
      if type(r[k]) == "userdata" then track(r[k]) end
    end
    return unpack(r, 2, r.n)
  end
end

-- ---------------------------------------------------------------- enums
local ENUMS = {}
local function enum(kind, prefix, skip)
  local to_int, to_name, names = {}, {}, {}
  for k, v in pairs(M) do
    if type(k) == "string" and k:sub(1, #prefix + 1) == prefix .. "_" and math.type(v) == "integer"
        and not (skip and k:find(skip)) then
      local name = k:sub(#prefix + 2):lower()
      to_int[name] = v
      to_name[v] = name
      names[#names + 1] = name
    end
  end
  table.sort(names)
  ENUMS[kind] = { to_int = to_int, to_name = to_name, names = names }
end
enum("channel", "CHANNEL")
enum("priority", "PRIORITY")
enum("status", "TOUCHPOINT")
enum("kind", "EVENT", "^EVENT_KIND_COUNT$")
enum("outcome", "OUTCOME")
enum("severity", "SEVERITY")
enum("state", "COMMIT", "^COMMIT_EV_")
ENUMS.state.to_int.no_time, ENUMS.state.to_name[M.COMMIT_NO_TIME] = nil, nil
enum("commit_event", "COMMIT_EV")
enum("survey", "SURVEY")
enum("tier", "TIER")
enum("lifecycle", "LIFECYCLE")
enum("mode", "WORKDAY") -- Calendar:add_working_days(_bulk): end_of_day, same_time
-- Tristates (a customer's is_smb and consents) are names in and out, like
-- every enum (review s12 U1): "yes", "no", "unknown" (any case), also true /
-- false and 1 / 0 (yes / no, as a CSV file's "1" / "0"), NaN for unknown.
-- The TRI_* constants are these names: a number 0 would otherwise mean "no"
-- here and TRI_UNKNOWN (0) in C.
enum("tristate", "TRI")
for name in pairs(ENUMS.tristate.to_int) do rawset(M, "TRI_" .. name:upper(), name) end
-- An event's priority (Book:add_event, EventBatch:add, event.priority): the
-- names of fu_priority and "none" (not given); a number is a PRIORITY_*
-- constant, as a number is the constant for every other enum. The C field
-- holds the priority + 1 (0 not given): the conversion is here only.
do
  local p = ENUMS.priority
  local e = { to_int = { none = 0 }, to_name = { [0] = "none" }, names = { "none" } }
  for _, n in ipairs(p.names) do
    e.to_int[n], e.to_name[p.to_int[n] + 1] = p.to_int[n] + 1, n
    e.names[#e.names + 1] = n
  end
  ENUMS.event_priority = e
end
rawset(M, "enums", ENUMS)

-- the other texts the CSV reader takes for a tristate (review s12 L4)
local TRI_TEXT = { ["1"] = "yes", ["true"] = "yes", y = "yes", ["0"] = "no", ["false"] = "no", n = "no",
  [""] = "unknown" }

local function tristate_in(v, fname, pos)
  local e = ENUMS.tristate.to_int
  if type(v) == "string" then
    local name = v:lower()
    name = TRI_TEXT[name] or name
    if e[name] then return e[name] end
  end
  if type(v) == "boolean" then return v and e.yes or e.no end
  if type(v) == "number" and (v == 1 or v == 0 or v ~= v) then
    return v ~= v and e.unknown or (v == 1 and e.yes or e.no)
  end
  error(arg_error(fname, string.format("%s: %s is not a tristate (expected \"yes\", \"no\", \"unknown\", "
    .. "true / false, 1 / 0 (yes / no; also as text, as in a CSV file) or nil (unknown))", arg_label(fname, pos),
    type(v) == "string" and ("'" .. v .. "'") or tostring(v))), 4)
end

local function enum_in(kind, v, fname, pos)
  if kind == "tristate" then return tristate_in(v, fname, pos) end
  if kind == "event_priority" and type(v) ~= "string" then
    if ENUMS.priority.to_name[v] == nil then
      error(arg_error(fname, string.format("%s: priority %s is not a PRIORITY_* constant nor one of %s",
        arg_label(fname, pos), tostring(v), table.concat(ENUMS.event_priority.names, ", "))), 3)
    end
    return v + 1
  end
  if type(v) ~= "string" then return v end
  local e = ENUMS[kind]
  local x = e.to_int[v]
  if x == nil then
    error(arg_error(fname, string.format("%s: unknown %s '%s' (expected %s)", arg_label(fname, pos),
      (kind:gsub("^event_", "")), v, table.concat(e.names, ", "))), 3)
  end
  return x
end

-- Enum arguments the C layer takes as text (Guard, ContactLog: "phone",
-- "no_answer", "urgent"; ASCII case ignored there): a CHANNEL_* or
-- PRIORITY_* constant is passed as its name (an outcome stays text: the
-- guard's outcomes are not the OUTCOME_* constants), and a channel that names none
-- ("" or "none", which C reads as "not given") is refused here. Other
-- unknown names are refused by the C layer, whose message text_enum_error
-- prefixes with the call and the argument.
local function text_enum_in(kind, v, fname, pos)
  local e = ENUMS[kind]
  if kind ~= "outcome" and math.type(v) == "integer" and e.to_name[v] then return e.to_name[v] end
  if kind == "channel" and type(v) == "string" and (v == "" or e.to_int[v:lower()] == 0) then
    local names = {} -- in the library's order, as its own message lists them
    for k = 1, #e.names do names[k] = e.to_name[k] end
    error(arg_error(fname, string.format("%s: unknown channel '%s' (expected %s)", arg_label(fname, pos), v,
      table.concat(names, ", "))), 3)
  end
  return v
end

-- The C layer's message about a text enum argument ("unknown outcome
-- 'noanswer': ...", "priority 'x' is not ...") naming the Lua call and the
-- argument: "Guard:record: argument 4 (outcome): unknown outcome ...".
local function text_enum_error(e, fname, spec)
  if getmetatable(e) ~= ErrorMT or type(e.message) ~= "string" then return e end
  for pos, how in pairs(spec) do
    local kind = how:match("^text:(.+)$")
    if kind and (e.message:find("^unknown " .. kind .. " ") or e.message:find("^" .. kind .. "[ :']")) then
      local prefix = fname .. ": " .. arg_label(fname, pos - 1) .. ": "
      e.message, e.text = prefix .. e.message, prefix .. (e.text or e.message)
      return e
    end
  end
  return e
end

local function enum_out(kind, v)
  if math.type(v) ~= "integer" then return v end
  local n = ENUMS[kind].to_name[v]
  if n == nil then return v end
  return n
end

-- ---------------------------------------------------------------- handles

local function check_open(self, fname)
  if closed[self] then error(new_error(M.ESTATE, "StateError", fname .. ": the handle is closed"), 3) end
end

-- Argument conversions of one method: spec = { [pos] = "index" | "index:count_method" | enum kind }
-- (pos counts self as 1), ret = { [k] = "index" | enum kind } for results.
local function is_index(how) return how == "index" or how:sub(1, 6) == "index:" end

-- A list of 1-based indices as the 0-based list the SWIG layer takes.
local function indices_in(fname, pos, v, limit)
  if type(v) ~= "table" then return v end
  local out = {}
  for k, x in ipairs(v) do
    if math.type(x) ~= "integer" or x < 1 then
      error(arg_error(fname, string.format("argument %d: item %d must be an index >= 1", pos - 1, k)), 4)
    end
    if limit and x > limit then
      error(arg_error(fname, string.format("argument %d: item %d: index %d out of range (%s)", pos - 1, k, x,
        limit > 0 and ("1.." .. limit) or "empty")), 4)
    end
    out[k] = x - 1
  end
  return out
end

-- The number of positions an "index:<count>" argument may take: the method
-- <count> of the handle (called with the arguments before the index, when
-- given: policy:get_length(path) for policy:get_key(path, i)), or one of COUNTS;
-- nil when it cannot say (the C call then reports the error).
local COUNTS = {
  book_customers = function(self) -- a Planner: the customers of the book it borrows
    local uv = getuservalue(self, 1)
    for _, h in ipairs(type(uv) == "table" and uv or {}) do
      local ok, n = pcall(function() return h:customer_count() end)
      if ok then return n end
    end
  end,
}
local function index_limit(self, count, args, pos)
  if count == "" then return nil end
  local ok, n = pcall(function()
    if COUNTS[count] then return COUNTS[count](self) end
    local c = self[count]
    if type(c) == "function" then
      if args then return c(self, unpack(args, 2, pos - 1)) end
      return c(self)
    end
    return c
  end)
  return ok and math.type(n) == "integer" and n or nil
end

local function convert_args(fname, spec, self, args)
  for pos, how in pairs(spec) do -- enums first: a count may take one (plan:count(status))
    if how:sub(1, 7) == "indices" then
      local count = how:sub(9)
      args[pos] = indices_in(fname, pos, args[pos], index_limit(self, count)) -- (the count takes no argument)
    elseif how:sub(1, 5) == "text:" then
      if args[pos] ~= nil then args[pos] = text_enum_in(how:sub(6), args[pos], fname, pos - 1) end
    elseif how == "kind" and args[pos] == nil then -- an event's kind is required (a name, not "an integer")
      error(arg_error(fname, string.format("%s is required: one of %s", arg_label(fname, pos - 1),
        table.concat(ENUMS.kind.names, ", "))), 3)
    elseif not is_index(how) and args[pos] ~= nil then args[pos] = enum_in(how, args[pos], fname, pos - 1) end
  end
  for pos, how in pairs(spec) do
    local v = args[pos]
    if is_index(how) and v ~= nil then
      if math.type(v) ~= "integer" and not (type(v) == "number" and v == math.floor(v)) then
        error(arg_error(fname, string.format("argument %d must be an integer index, not %s", pos - 1,
          type(v))), 3)
      end
      v = math.tointeger(v)
      local limit = index_limit(self, how:sub(7), args, pos)
      if v < 1 or (limit and v > limit) then
        error(arg_error(fname, string.format("index %d out of range (%s)", v,
          limit and (limit > 0 and ("1.." .. limit) or "empty") or "indices start at 1")), 3)
      end
      args[pos] = v - 1
    end
  end
end

local function wrap_method(cls, mname, fn, spec, ret)
  local fname = cls .. ":" .. mname
  local g = guarded(fname, fn)
  local texts = false -- an argument the C layer reads as an enum name
  for _, how in pairs(spec or {}) do texts = texts or how:sub(1, 5) == "text:" end
  return function(self, ...)
    check_open(self, fname)
    if not spec and not ret then return g(self, ...) end
    local n = select("#", ...) + 1
    local args = { self, ... }
    if spec then
      convert_args(fname, spec, self, args)
      for pos in pairs(spec) do if pos > n and args[pos] ~= nil then n = pos end end
    end
    local r
    if texts then
      r = table.pack(pcall(g, unpack(args, 1, n)))
      if not r[1] then error(text_enum_error(r[2], fname, spec), 2) end
      table.remove(r, 1)
      r.n = r.n - 1
    else
      r = table.pack(g(unpack(args, 1, n)))
    end
    if ret then
      for k, how in pairs(ret) do
        if how == "index" then
          if math.type(r[k]) == "integer" then r[k] = r[k] + 1 end
        else
          r[k] = enum_out(how, r[k])
        end
      end
    end
    return unpack(r, 1, r.n)
  end
end

-- Which method arguments are indices or enums, and which results are.
local ARGS = {
  Book = {
    customer = { { [2] = "index:customer_count" } },
    find_customer = { nil, { [1] = "index" } },
    add_customer = { { [7] = "tristate", [10] = "tristate", [11] = "tristate", [12] = "tristate" }, { [1] = "index" } },
    events_begin = { { [2] = "index:customer_count" }, { [1] = "index" } },
    events_end = { { [2] = "index:customer_count" } },
    event = { { [2] = "index:event_count" } },
    add_event = { { [4] = "kind", [9] = "severity", [10] = "channel", [12] = "outcome", [14] = "survey",
      [16] = "event_priority" } },
  },
  EventBatch = {
    add = { { [4] = "kind", [9] = "severity", [10] = "channel", [12] = "outcome", [14] = "survey",
      [16] = "event_priority" } },
  },
  Plan = {
    count = { { [2] = "status" } },
    touchpoint = { { [2] = "status", [3] = "index:count" } },
  },
  Planner = {
    plan_customer = { { [2] = "index:book_customers" } },
    feed = { { [4] = "kind", [11] = "severity", [12] = "channel", [14] = "outcome", [16] = "survey" } },
  },
  SimReport = { day = { { [2] = "index:n_days" } } },
  Kpi = {
    figure = { { [2] = "index:count" } },
    add_event = { { [4] = "kind", [9] = "severity", [10] = "channel", [12] = "outcome", [14] = "survey" } },
    scorecard = { { [2] = "index:scorecard_count" } },
  },
  BestTime = {
    record = { { [2] = "index:customer_count", [4] = "outcome" } },
    posterior = { { [2] = "index:customer_count" } },
    may_contact = { { [2] = "index:customer_count", [4] = "channel" } },
    best = { { [2] = "index:customer_count", [5] = "channel" } },
    customer_matrix = { { [2] = "index:customer_count" } },
    best_day = { { [4] = "indices:customer_count", [5] = "channel" } },
  },
  Guard = {
    check = { { [3] = "text:channel", [5] = "text:priority" } },
    record = { { [4] = "text:channel", [5] = "text:outcome", [6] = "text:priority" } },
    check_and_record = { { [4] = "text:channel", [5] = "text:outcome", [6] = "text:priority" } },
  },
  ContactLog = { append = { { [4] = "text:channel", [5] = "text:outcome", [6] = "text:priority" } } },
  Windows = { get = { { [2] = "index:count" } } },
  Calendar = { add_working_days = { { [4] = "mode" } } },
  Policy = { get_key = { { [3] = "index:get_length" } } },
}
for _, f in ipairs({ "id", "customer_id", "text", "category", "owner", "created_by", "rule", "created_at",
  "deadline", "warn_at", "breach_at", "level", "closed_at", "event_count" }) do
  ARGS.CommitmentList = ARGS.CommitmentList or {}
  ARGS.CommitmentList[f] = { { [2] = "index:count" } }
end
ARGS.CommitmentList.state = { { [2] = "index:count" }, { [1] = "state" } }
for _, f in ipairs({ "event_at", "event_level", "event_rule", "event_by" }) do
  ARGS.CommitmentList[f] = { { [2] = "index:count", [3] = "index" } }
end
ARGS.CommitmentList.event_kind = { { [2] = "index:count", [3] = "index" }, { [1] = "commit_event" } }
ARGS.Extraction = {}
for _, f in ipairs({ "text", "rule", "deadline", "risky", "start", "end", "reason" }) do
  ARGS.Extraction["promise_" .. f] = { { [2] = "index:promise_count" } }
  ARGS.Extraction["risk_" .. f] = { { [2] = "index:risk_count" } }
end
for _, w in ipairs({ "promise", "risk" }) do
  -- byte offsets: start is 1-based, end inclusive, so text:sub(start, end) is the match
  ARGS.Extraction[w .. "_start"][2] = { [1] = "index" }
end

-- Attributes read as Lua values: enum names and 1-based customer indices.
local GETS = {
  Touchpoint = { channel = "channel", priority = "priority", status = "status", customer = "index" },
  Event = { kind = "kind", severity = "severity", channel = "channel", outcome = "outcome", survey = "survey",
    priority = "event_priority", customer = "index" },
  BestTimeSlot = { customer = "index" },
  Customer = { is_smb = "tristate", consent_phone = "tristate", consent_sms = "tristate", consent_email = "tristate" },
}

-- Handles: classes with a destructor that a user holds.
local HANDLES = { "Book", "EventBatch", "Plan", "Planner", "Policy", "Calendar", "BestTime", "Ledger", "Extractor", "Redactor",
  "Kpi", "CommitmentList", "Extraction", "SimReport", "FrequencyData", "FrequencyModel", "Windows",
  "BgNbd", "ParetoNbd", "GammaGamma", "SegmentRules", "BookSummary", "Assignments", "ModelParams", "Summary" }

local function describe(cls, self)
  local ok, s = pcall(function()
    if cls == "Book" then return string.format("%d customers, %d events", self:customer_count(), self:event_count())
    elseif cls == "Plan" then return string.format("%d planned", self:count("planned"))
    elseif cls == "Touchpoint" then return string.format("%s %s %s", self.customer_id, self.rule, self.channel)
    elseif cls == "CommitmentList" or cls == "Kpi" then return string.format("%d", self:count())
    elseif cls == "BgNbd" then return string.format("r=%.6g alpha=%.6g a=%.6g b=%.6g", self.r, self.alpha, self.a,
      self.b)
    elseif cls == "ParetoNbd" then return string.format("r=%.6g alpha=%.6g s=%.6g beta=%.6g", self.r, self.alpha,
      self.s, self.beta)
    elseif cls == "GammaGamma" then return string.format("p=%.6g q=%.6g gamma=%.6g", self.p, self.q, self.gamma)
    end
  end)
  return ok and s or nil
end

for cls, mt in pairs(CLASSES) do
  if type(cls) == "string" and type(mt) == "table" and rawget(mt, ".fn") then
    local fns, spec = rawget(mt, ".fn"), ARGS[cls] or {}
    local names = {}
    for mname in pairs(fns) do names[#names + 1] = mname end
    for _, mname in ipairs(names) do
      local fn = fns[mname]
      if type(fn) == "function" and not mname:match("^__") then
        local s = spec[mname]
        rawset(fns, mname, wrap_method(cls, mname, fn, s and s[1], s and s[2]))
      end
    end
    local conv = GETS[cls]
    local index = rawget(mt, "__index")
    if conv and type(index) == "function" then
      -- SWIG calls only C getters from its .get table: convert on the way out of __index
      rawset(mt, "__index", function(self, key)
        local v = index(self, key)
        local how = conv[key]
        if how == nil then return v end
        if how == "index" then return math.type(v) == "integer" and v + 1 or v end
        return enum_out(how, v)
      end)
    end
    rawset(mt, "__tostring", function(self)
      if closed[self] then return "followup." .. cls .. " (closed)" end
      local d = describe(cls, self)
      return "followup." .. cls .. (d and (": " .. d) or "")
    end)
  end
end

-- A Kpi borrows the books given to add_book (kpi.i adds each to its user
-- value): the borrow rules of close() and __gc see them.
do
  local kfns = rawget(CLASSES.Kpi, ".fn")
  local add_book = rawget(kfns, "add_book")
  rawset(kfns, "add_book", function(self, ...)
    local r = table.pack(add_book(self, ...))
    track(self)
    return unpack(r, 1, r.n)
  end)
end

-- close() and __close free the C object at once, whatever the class; the
-- handle is unusable from then on (StateError, never a dangling pointer:
-- methods, attributes and passing it as an argument all check). Borrow rules:
-- a handle that another open handle borrows (a book or policy of a planner,
-- plan, guard or best-time model; a policy of a Kpi) is not closed: close()
-- raises StateError naming the borrower, and the handle stays usable. Close
-- the borrowers first (before refusing, close() runs a full collection, so
-- borrowers the collector can free do not count; a stale reference on the
-- stack may keep one alive: close it explicitly). A plan does not borrow its planner, so a
-- planner may be closed before its plans. Guard and ContactLog keep their own
-- close() (it frees at once too) and join the same rules.
local OWN_CLOSE = { Guard = true, ContactLog = true }

local function open_borrower(self)
  local set = borrowers[self]
  if not set then return nil end
  for h in pairs(set) do
    if not closed[h] then return h end
  end
end

-- Handles whose __gc ran while an open handle borrowed them (their C object
-- still there), and the free of a handle: its C object goes, then every
-- handle it borrowed (its user value) that waits for no other borrower.
local deferred = setmetatable({}, { __mode = "k" })
local function free_handle(h)
  closed[h] = true
  release(h)
  local uv = getuservalue(h, 1)
  if type(uv) ~= "table" then uv = { uv } end
  for _, b in pairs(uv) do
    if deferred[b] and not open_borrower(b) then
      deferred[b] = nil
      free_handle(b)
    end
  end
end

local function refuse_if_borrowed(self, cls)
  local h = open_borrower(self)
  if h then -- maybe only garbage holds it: collect (twice: finalized objects leave weak keys a cycle later)
    collectgarbage("collect")
    collectgarbage("collect")
    h = open_borrower(self)
  end
  if h then
    local other = tostring(h):match("^followup%.(%w+)") or "handle"
    error(new_error(M.ESTATE, "StateError", string.format(
      "%s:close: still used by an open %s (close the %s first)", cls, other, other)), 3)
  end
end

-- Attributes of a closed handle (SWIG's getters would read freed memory)
-- raise StateError; methods are still found (they raise when called).
local function guard_index(mt, cls)
  local index = rawget(mt, "__index")
  local fns = rawget(mt, ".fn")
  if type(index) ~= "function" then return end
  rawset(mt, "__index", function(self, key)
    if closed[self] and rawget(fns, key) == nil then
      error(new_error(M.ESTATE, "StateError", string.format("%s.%s: the handle is closed", cls, tostring(key))), 2)
    end
    return index(self, key)
  end)
end

-- close(), closed() and __close of class cls: close() refuses while the
-- handle is borrowed, then frees it with free(self) once. A class without
-- a close of its own is marked closed before the C object goes (the
-- collector then has nothing to free); one with its own close (own_close)
-- is marked after it, so that a failing close may be tried again.
local function install_close(mt, fns, cls, free, own_close)
  local function close(self)
    if closed[self] then return end
    refuse_if_borrowed(self, cls)
    if not own_close then closed[self] = true end
    if free then free(self) end
    closed[self] = true
  end
  if not own_close then
    -- __gc: Lua runs finalizers in reverse order of creation whatever refers
    -- to what (at lua_close, and for handles unreachable in the same cycle),
    -- so a Kpi made before the book it borrows would find the book freed.
    -- A handle that an open handle borrows waits (deferred); freeing a
    -- borrower frees what waited for it (free_handle).
    rawset(mt, "__gc", function(self)
      if closed[self] then return end
      if open_borrower(self) then deferred[self] = true else free_handle(self) end
    end)
  end
  rawset(fns, "close", close)
  rawset(fns, "closed", function(self) return closed[self] == true end)
  rawset(mt, "__close", function(self) close(self) end)
  guard_index(mt, cls)
end

for _, cls in ipairs(HANDLES) do
  local mt = CLASSES[cls]
  if mt then install_close(mt, rawget(mt, ".fn"), cls, free_handle, false) end
end
for cls in pairs(OWN_CLOSE) do
  local mt = CLASSES[cls]
  local fns = mt and rawget(mt, ".fn")
  local own = fns and rawget(fns, "close")
  if own then install_close(mt, fns, cls, own, true) end
end

-- ---------------------------------------------------------------- named arguments
-- A time argument of followup.Kpi: epoch seconds, an ISO 8601 text (the
-- int64_t time typemap of followup.i parses it) or a date alone
-- ("2026-09-01"), which is local midnight in the zone of the policy's
-- calendar (Asia/Shanghai for the built-in policy), as `followup kpi --from`
-- reads it.
local function date_in(fname, label, policy, v)
  if type(v) ~= "string" or not v:match("^%d%d%d%d%-%d%d%-%d%d$") then return v end
  local ok, t = pcall(function()
    local d = M.date_parse(v)
    return policy:calendar():from_local(M.Local(d.year, d.month, d.day))
  end)
  if ok then return t end
  local e = type(t) == "table" and t or {}
  error(new_error(e.code or M.EPARSE, e.name or "ParseError",
    string.format("%s: %s: %s", fname, label, e.message or tostring(t))), 4)
end

-- The positional arguments of `fields` (a list of names) from the table t
-- of named ones; a name not in fields (or an alias) raises. nil where t has
-- none (n: the last position given).
local function named_args(fname, fields, t, aliases)
  local pos = {}
  for i, f in ipairs(fields) do pos[f] = i end
  local args, n = {}, 0
  for k, v in pairs(t) do
    local name = aliases and aliases[k] or k
    local i = pos[name]
    if not i then
      error(arg_error(fname, string.format("unknown field '%s' (expected %s)", tostring(k),
        table.concat(fields, ", "))), 3)
    end
    if args[i] ~= nil then
      error(arg_error(fname, string.format("field '%s' given twice", name)), 3)
    end
    args[i] = v
    if i > n then n = i end
  end
  return args, n
end

-- nil where a default exists (defaults[i]) becomes that default, up to n.
local function fill_defaults(args, n, defaults)
  for i = 1, n do
    if args[i] == nil and defaults[i] ~= nil then args[i] = defaults[i] end
  end
end

-- planner:feed(customer_id, at, kind, now, horizon, order_id, ...) (16
-- positional arguments, nil = not given), planner:feed{customer_id = ...,
-- at = ..., kind = ..., severity = ...} (named; `customer` is customer_id)
-- or planner:feed(customer_id, at, kind, {named options}). Times (at, now)
-- may be ISO 8601 texts.
do
  local NAN = 0 / 0
  local FIELDS = { "customer_id", "at", "kind", "now", "horizon", "order_id", "product_class", "unit_price",
    "amount", "severity", "channel", "agent_id", "outcome", "score", "survey", "note" }
  local DEFAULTS = { [4] = M.BOOK_NO_TIME, [5] = 86400, [8] = NAN, [9] = NAN, [10] = 0, [11] = 0, [13] = 0,
    [14] = NAN, [15] = 0 }
  local pfns = rawget(CLASSES.Planner, ".fn")
  local feed = rawget(pfns, "feed")
  local fname = "Planner:feed"
  rawset(pfns, "feed", function(self, ...)
    local nargs = select("#", ...)
    local first, args, n = ..., nil, nil
    if nargs == 1 and type(first) == "table" then
      args, n = named_args(fname, FIELDS, first, { customer = "customer_id" })
      for i = 1, 3 do
        if args[i] == nil then error(arg_error(fname, "field '" .. FIELDS[i] .. "' is required"), 2) end
      end
    elseif nargs == 4 and type(select(4, ...)) == "table" then
      local opts = select(4, ...)
      args, n = named_args(fname, FIELDS, opts, { customer = "customer_id" })
      for i = 1, 3 do
        if args[i] ~= nil then error(arg_error(fname, "field '" .. FIELDS[i] .. "' given twice"), 2) end
        args[i] = (select(i, ...))
      end
      n = math.max(n, 3)
    else
      args, n = { ... }, nargs
    end
    if args[1] == nil then -- (the C message would say "ev->customer_id is NULL")
      error(arg_error(fname, "argument 1 (customer_id) is required: the customer's id, a string"), 2)
    end
    local now_given = args[4] ~= nil
    fill_defaults(args, n, DEFAULTS)
    local r = table.pack(pcall(feed, self, unpack(args, 1, n)))
    if r[1] then return unpack(r, 2, r.n) end
    local e = r[2]
    if not now_given and type(e) == "table" and type(e.message) == "string"
      and e.message:find("now or horizon outside the supported range", 1, true) then
      -- without now, the planning instant is `at`: name it (or the horizon, over 100 years)
      local h = args[5]
      e.message = fname .. ": " .. ((type(h) == "number" and h > 100 * 366 * 86400)
        and (arg_label(fname, 5) .. " over 100 years")
        or (arg_label(fname, 2) .. " outside the supported range (it is also now when now is not given)"))
      e.text = e.message
    end
    error(e, 2)
  end)
end

-- planner:plan_customer(customer, now, horizon): customer is a 1-based
-- index or a customer id (a string), as feed takes an id.
do
  local pfns = rawget(CLASSES.Planner, ".fn")
  local plan_customer = rawget(pfns, "plan_customer")
  rawset(pfns, "plan_customer", function(self, customer, ...)
    if type(customer) == "string" and not closed[self] then
      local uv = getuservalue(self, 1)
      local book = type(uv) == "table" and uv[2] or nil
      if book then customer = book:find_customer(customer) end
    end
    return plan_customer(self, customer, ...)
  end)
end

-- followup.Kpi(policy, period, by, from, to, as_of, costs, budget, derived_due) or
-- followup.Kpi(policy, {period = "month", by = {"tier", "agent"}, from = ...,
-- to = ..., as_of = ..., costs = {phone = 8, sms = 0.1}, budget = ..., derived_due = false}):
-- nil = the default; times as epoch seconds or ISO 8601 texts; `by` a
-- string ("tier,agent") or an array; costs a string ("phone=8") or a table.
do
  local DEFAULTS = { "week", "none", M.KPI_NO_TIME, M.KPI_NO_TIME, M.KPI_NO_TIME, nil, 0 }
  local kmt = getmetatable(M.Kpi)
  local call = kmt.__call
  local fname = "Kpi"
  kmt.__call = function(cls, policy, ...)
    -- (the named options are put in place by with_options below)
    local args, n = { ... }, select("#", ...)
    for i, want in pairs({ [1] = "string", [2] = "string", [6] = "string", [7] = "number" }) do
      local v, ok = args[i], args[i] == nil or type(args[i]) == want
      if (i == 2 or i == 6) and type(v) == "table" then ok = true end
      if not ok then
        error(arg_error(fname, string.format("%s must be %s%s, not %s", arg_label(fname, i + 1), with_article(want),
          (i == 2 or i == 6) and " or a table" or "", type(v))), 2)
      end
    end
    local by = args[2]
    if type(by) == "table" then
      for i, v in ipairs(by) do
        if type(v) ~= "string" then
          error(arg_error(fname, string.format("%s: item %d must be a string, not %s", arg_label(fname, 3), i,
            type(v))), 2)
        end
      end
      args[2] = table.concat(by, ",")
    end
    local costs = args[6]
    if type(costs) == "table" then
      local parts = {}
      for ch, amount in pairs(costs) do
        if type(ch) ~= "string" or type(amount) ~= "number" then
          error(arg_error(fname, arg_label(fname, 7) .. ": expected a table of channel = number"), 2)
        end
        if amount ~= amount then
          error(arg_error(fname, string.format("%s: the cost of '%s' is NaN (not a number), not an amount >= 0",
            arg_label(fname, 7), ch)), 2)
        end
        parts[#parts + 1] = ch .. "=" .. string.format("%.17g", amount)
      end
      table.sort(parts)
      args[6] = table.concat(parts, ",")
    end
    for i = 3, 5 do args[i] = date_in(fname, arg_label(fname, i + 1), policy, args[i]) end
    fill_defaults(args, n, DEFAULTS)
    local r = table.pack(pcall(call, cls, policy, unpack(args, 1, n)))
    if r[1] then return unpack(r, 2, r.n) end
    local e = r[2]
    if type(e) == "table" and type(e.message) == "string" then
      -- the option parsers' messages name no call: name it and the argument
      for pat, pos in pairs({ ["^unknown period"] = 2, ["^unknown grouping"] = 3, ["^grouping '"] = 3, ["^costs: "] = 7,
        ["^budget "] = 8 }) do
        if e.message:find(pat) then
          e.message = fname .. ": " .. arg_label(fname, pos) .. ": " .. e.message:gsub("^costs: ", "")
          e.text = e.message
          break
        end
      end
    end
    error(e, 2)
  end
end

-- Constructors and module functions raise followup.Error too.
for k, v in pairs(M) do
  if type(v) == "function" then
    rawset(M, k, guarded(k, v, "function"))
  elseif type(v) == "table" and CLASSES[k] then
    local cmt = getmetatable(v)
    if cmt and cmt.__call then
      local call = cmt.__call
      cmt.__call = guarded(k, call, "ctor")
    end
  end
end

-- The *_name functions take the names too (followup.channel_name(tp.channel)).
for fname, kind in pairs({ channel_name = "channel", priority_name = "priority", touchpoint_status_name = "status",
  event_kind_name = "kind", outcome_name = "outcome", severity_name = "severity", commit_state_name = "state",
  tier_name = "tier", lifecycle_name = "lifecycle" }) do
  local f = rawget(M, fname)
  if f then
    rawset(M, fname, function(v, ...)
      if type(v) == "string" then v = enum_in(kind, v, fname, 1) end
      return f(v, ...)
    end)
  end
end

-- ---------------------------------------------------------------- options tables
-- The calls with many optional arguments take them positionally (nil = the
-- default, also in the middle: `Planner(pol, book, nil, nil, nil, nil, nil,
-- nil, true)`), as a table of named options after the leading positional
-- ones (`Planner(pol, book, {capacity_pass = true})`), or all named
-- (`Planner{policy = pol, book = book, agents = 2}`). The names are those of
-- PARAMS (the Python keyword names). An unknown name raises
-- InvalidArgumentError naming it (and the closest valid one); a name given
-- both ways raises too. A table is an options table when it has no array part
-- (t[1] == nil) and has no metatable; at a position that takes an array (the
-- tier cycles, best-time segments or customers) or a required one, an empty
-- {} stays an argument (an empty array; "not table" for a required one).
local function edit_distance(a, b)
  if math.abs(#a - #b) > 3 then return 4 end
  local prev = {}
  for j = 0, #b do prev[j] = j end
  for i = 1, #a do
    local cur = { [0] = i }
    for j = 1, #b do
      local cost = a:sub(i, i) == b:sub(j, j) and 0 or 1
      cur[j] = math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
    end
    prev = cur
  end
  return prev[#b]
end

-- "unknown option 'capacity' (did you mean 'capacity_pass'?; expected agents, ...)"
local function unknown_option(k, names)
  local best, bd = nil, 3
  if type(k) == "string" then
    for _, nm in ipairs(names) do
      local d = edit_distance(k:lower(), nm)
      if nm:find(k:lower(), 1, true) == 1 and #k >= 3 then d = math.min(d, 1) end
      if d < bd then best, bd = nm, d end
    end
  end
  return string.format("unknown option %s%s (expected %s)",
    type(k) == "string" and ("'" .. k .. "'") or ("key " .. tostring(k) .. " (" .. type(k) .. ")"),
    best and (", did you mean '" .. best .. "'?") or "", table.concat(names, ", "))
end

local function replace_plain(s, from, to)
  if type(s) ~= "string" then return s end
  local out, i = {}, 1
  while true do
    local a, b = s:find(from, i, true)
    if not a then break end
    out[#out + 1] = s:sub(i, a - 1) .. to
    i = b + 1
  end
  out[#out + 1] = s:sub(i)
  return table.concat(out)
end

-- A table is an options table when it has no array part. A table with a
-- metatable (review s13 I10) is judged through it: an array when t[1] or #t
-- says so (a proxy with __index / __len), options otherwise (its own keys,
-- read with pairs(), which honours __pairs; keys only __index supplies are
-- not options); at a position that takes an array, only when pairs() finds
-- a key (an empty proxy is an empty array).
local function is_options(t, array_param)
  if type(t) ~= "table" then return false end
  if getmetatable(t) == nil then
    return rawget(t, 1) == nil and not (array_param and next(t) == nil)
  end
  local ok, arrayish = pcall(function() return t[1] ~= nil or #t > 0 end)
  if not ok or arrayish then return false end
  if not array_param then return true end
  local ok2, key = pcall(function() for k in pairs(t) do return k end end)
  return ok2 and key ~= nil
end

-- fn (the guarded constructor, method or function) taking the forms above.
-- key: the PARAMS key and the name in messages; lead: leading arguments not
-- counted (the class of a constructor, self of a method); spec.required: how
-- many leading parameters have no default; spec.defaults[i]: the value nil at
-- position i stands for (positions without one pass nil on: a pointer or a
-- text the C wrapper takes as "none"); spec.arrays[i]: position i takes an
-- array; spec.values[i]: a table at position i is always that argument (a
-- Kpi's costs {phone = 8}); spec.aliases: other names of options.
local function with_options(key, spec, fn, lead)
  local names, pos = {}, {}
  for i = 1, 64 do
    local p = param_name(key, i)
    if not p then break end
    names[i], pos[p] = p, i
  end
  local defaults, arrays, required = spec.defaults or {}, spec.arrays or {}, spec.required or 0
  local values, aliases = spec.values or {}, spec.aliases or {}
  return function(...)
    local nall = select("#", ...)
    local all = { ... }
    local n = nall - lead -- positional arguments
    local named
    if n >= 1 and not values[n] and is_options(all[nall], arrays[n] or n <= required) then
      local opts = all[nall]
      all[nall] = nil
      n = n - 1
      named = {}
      local top = n
      for k, v in pairs(opts) do
        local i = type(k) == "string" and (pos[k] or pos[aliases[k] or ""]) or nil
        if not i then error(arg_error(key, unknown_option(k, names)), 2) end
        if named[i] then -- (a name and its alias: Kpi's from and from_)
          local a, b = named[i], k
          if b < a then a, b = b, a end
          error(arg_error(key, string.format("options '%s' and '%s' are the same option", a, b)), 2)
        end
        if i <= n and all[lead + i] ~= nil then
          error(arg_error(key, string.format("option '%s' given twice (also as %s)", k, arg_label(key, i))), 2)
        end
        all[lead + i], named[i] = v, k
        if i > top then top = i end
      end
      n = top
    end
    for i = 1, named and math.max(n, required) or n do
      if all[lead + i] == nil then
        if i <= required and named then -- (positionally, the type check says "..., not nil")
          error(arg_error(key, string.format("option '%s' (argument %d) is required", names[i], i)), 2)
        end
        all[lead + i] = defaults[i]
      end
    end
    if not named then return fn(unpack(all, 1, lead + n)) end
    local r = table.pack(pcall(fn, unpack(all, 1, lead + n)))
    if r[1] then return unpack(r, 2, r.n) end
    local e = r[2]
    if getmetatable(e) == ErrorMT then -- "argument 9 (capacity_pass)" -> "option 'capacity_pass'"
      for i in pairs(named) do
        local from, to = arg_label(key, i), "option '" .. names[i] .. "'"
        e.message, e.text = replace_plain(e.message, from, to), replace_plain(e.text, from, to)
      end
    end
    error(e, 2)
  end
end

do
  local NO_TIME, PHONE = M.BOOK_NO_TIME, M.CHANNEL_PHONE
  for _, fam in ipairs({ "bgnbd", "pareto" }) do
    PARAMS[fam .. "_fit"] = "x t_x T"
    PARAMS[fam .. "_loglik"] = "model x t_x T"
    PARAMS[fam .. "_p_alive"] = "model x t_x T"
    PARAMS[fam .. "_expected"] = "model x t_x T horizon"
    PARAMS[fam .. "_expected_new"] = "model t"
    PARAMS[fam .. "_clv"] = "model gammagamma x t_x T zbar period periods discount margin"
  end
  PARAMS.gammagamma_fit = "x zbar"
  PARAMS.gammagamma_loglik = "model x zbar"
  PARAMS.gammagamma_expected = "model x zbar"
  PARAMS.capacity_pass = "policy items agents calls_per_agent"
  PARAMS.capacity_items = "plan"
  PARAMS.apply_capacity = "plan items"
  PARAMS.capacity_round = "policy items agents calls_per_agent day"
  PARAMS.capacity_part = "planner now horizon"
  PARAMS.capacity_part_items = "part"
  PARAMS.capacity_part_move = "part items day"
  PARAMS.capacity_part_plan = "part items"
  PARAMS.simulation_csv = "policy book run from to agents calls_per_agent seed truth"
  PARAMS.sensitivity_csv = "policy book agents calls from to run seed truth"
  PARAMS["BestTime:best"] = "customer from to channel flags k level query_flags seed now"
  PARAMS["BestTime:best_day"] = "now day customers channel flags level query_flags seed"
  PARAMS["BestTime:may_contact"] = "customer now channel flags"
  PARAMS["BestTime:posterior"] = "customer slot now level"
  PARAMS.ContactLog = "path readonly sync_normal store_raw_text"
  PARAMS["Guard:check"] = "customer_id channel at priority rule order_id"
  local GUARD_REC = { [4] = "attempted", [5] = "normal", [9] = -1, [10] = NO_TIME }
  local NAN = 0 / 0
  local EVENT = { [6] = NAN, [7] = NAN, [8] = 0, [9] = 0, [11] = 0, [12] = NAN, [13] = 0, [15] = "none" }
  local CTORS = {
    Planner = { required = 2, arrays = { [7] = true },
      defaults = { [3] = 0, [4] = 0, [5] = 0, [6] = false, [8] = false, [9] = false } },
    BestTime = { required = 2, arrays = { [3] = true },
      defaults = { [4] = 0, [5] = 0, [6] = 0, [7] = 0, [8] = -1.0, [9] = -1.0, [10] = M.BESTTIME_PRIOR_MOMENTS,
        [11] = NO_TIME, [13] = M.BESTTIME_B2B_DEFAULT } },
    Guard = { required = 2, defaults = { [4] = "policy", [5] = 0, [6] = 0, [7] = false } },
    ContactLog = { required = 0, defaults = { [2] = false, [3] = false, [4] = false } },
    Book = { required = 0, defaults = { 0, 0, 0 } },
    -- (the Kpi wrapper above fills its own defaults and reads by / costs tables)
    Kpi = { required = 1, arrays = { [3] = true }, values = { [7] = true }, aliases = { from_ = "from" } },
  }
  for cls, spec in pairs(CTORS) do
    local cmt = getmetatable(M[cls])
    cmt.__call = with_options(cls, spec, cmt.__call, 1)
  end
  local METHODS = {
    ["Planner:plan"] = { required = 1, defaults = { [2] = 86400 } },
    ["Planner:plan_customer"] = { required = 2, defaults = { [3] = 86400 } },
    ["Planner:simulate"] = { required = 2, defaults = { [3] = 0 } },
    ["BestTime:best"] = { required = 3,
      defaults = { [4] = PHONE, [5] = 0, [6] = 1, [7] = 0.9, [8] = 0, [9] = 0, [10] = NO_TIME } },
    ["BestTime:best_day"] = { required = 1, arrays = { [3] = true },
      defaults = { [4] = PHONE, [5] = 0, [6] = 0.9, [7] = 0, [8] = 0 } },
    ["BestTime:may_contact"] = { required = 2, defaults = { [3] = PHONE, [4] = 0 } },
    ["BestTime:posterior"] = { required = 3, defaults = { [4] = 0.9 } },
    ["Guard:check"] = { required = 3, defaults = { [4] = "normal" } },
    ["Guard:check_and_record"] = { required = 3, defaults = GUARD_REC },
    ["Guard:record"] = { required = 4, defaults = GUARD_REC },
    ["ContactLog:append"] = { required = 3, defaults = GUARD_REC },
    -- records: nil = absent (NaN numbers, no time, enums "none"; an event's priority by name)
    ["Book:add_customer"] = { required = 2,
      defaults = { [3] = NAN, [4] = NO_TIME, [6] = "unknown", [9] = "unknown", [10] = "unknown", [11] = "unknown" } },
    ["Book:add_event"] = { required = 3, defaults = EVENT },
    ["EventBatch:add"] = { required = 3, defaults = EVENT },
    ["Kpi:add_event"] = { required = 3, defaults = EVENT },
    ["Kpi:add_customer"] = { required = 1, defaults = { [2] = NAN, [3] = M.KPI_NO_TIME } },
    ["Kpi:add_due"] = { required = 2, defaults = { [3] = M.KPI_NO_TIME } },
    ["Kpi:add_commitment"] = { required = 3, defaults = { [4] = M.KPI_NO_TIME } },
  }
  for key, spec in pairs(METHODS) do
    local cls, mname = key:match("^(%w+):(.+)$")
    local fns = rawget(CLASSES[cls], ".fn")
    rawset(fns, mname, with_options(key, spec, rawget(fns, mname), 1))
  end
  rawset(M, "capacity_pass", with_options("capacity_pass", { required = 3, defaults = { [4] = 0 } },
    rawget(M, "capacity_pass"), 0))
end

-- cal:add_working_days_bulk(times, n, mode): fu_calendar_add_working_days_bulk
-- (cal:add_working_days for many instants in one C call, the same values).
-- times: an array of instants (epoch seconds or ISO 8601 texts with an
-- offset); n: one integer >= 0 for all, or an array of one per instant; mode:
-- "end_of_day" (default) or "same_time" (or the WORKDAY_* constants); also
-- as a table of named options. Returns an array of epoch seconds (so
-- add_working_days_bulk_epoch, Python's name for its epoch form, is the same
-- method). The messages count elements from 1: "argument 1 (times): times[2]
-- = NaN (not a number): ...".
do
  local fname = "Calendar:add_working_days_bulk"
  local INT_MAX = 2147483647
  -- v as a message shows it: NaN, a number, a quoted text, or its type
  local function shown(v)
    if v ~= v then return "= NaN (not a number)" end
    if type(v) == "number" then return "= " .. tostring(v) end
    if type(v) == "string" then return "= '" .. v .. "'" end
    return "is " .. with_article(type(v))
  end
  local function element_error(pos, name, i, v, want)
    error(arg_error(fname, string.format("%s: %s[%d] %s: %s", arg_label(fname, pos), name, i, shown(v), want)), 4)
  end
  -- the array at argument pos as a Lua sequence (no holes, no other keys)
  local function array_in(pos, name, v, what)
    if type(v) ~= "table" or getmetatable(v) ~= nil then
      error(arg_error(fname, string.format("%s must be %s, not %s", arg_label(fname, pos), what, type(v))), 4)
    end
    local len = #v
    for k in pairs(v) do
      if math.type(k) ~= "integer" or k < 1 or k > len then
        error(arg_error(fname, string.format("%s must be %s: key %s is not a position 1..%d", arg_label(fname, pos),
          what, type(k) == "string" and ("'" .. k .. "'") or tostring(k), len)), 4)
      end
    end
    return len
  end
  local function integer_of(v)
    if math.type(v) == "integer" then return v end
    if math.type(v) == "float" then return math.tointeger(v) end
  end
  local function times_in(times)
    local len = array_in(1, "times", times, "an array of instants")
    local out = {}
    for i = 1, len do
      local v = times[i]
      local t = integer_of(v)
      if t == nil and type(v) == "string" then
        local ok, r = pcall(M.time_parse, v)
        if not ok then element_error(1, "times", i, v, type(r) == "table" and r.message or tostring(r)) end
        t = r
      end
      if t == nil then element_error(1, "times", i, v, "must be epoch seconds (an integer) or an ISO 8601 text") end
      out[i] = t
    end
    return out
  end
  local function days_in(n, count)
    local want = "must be an integer >= 0"
    local function one(i, v)
      local d = integer_of(v)
      if d == nil or d < 0 or d > INT_MAX then
        if i then element_error(2, "n", i, v, want) end
        error(arg_error(fname, string.format("%s %s: %s (or an array of one per instant)", arg_label(fname, 2),
          shown(v), want)), 4)
      end
      return d
    end
    local out = {}
    if type(n) ~= "table" then
      local d = one(nil, n)
      for i = 1, count do out[i] = d end
      return out
    end
    local len = array_in(2, "n", n, "an integer or an array of integers")
    if len ~= count then
      error(arg_error(fname, string.format("%s has %d value%s for %d instant%s (give one per instant, or one "
        .. "integer for all)", arg_label(fname, 2), len, len == 1 and "" or "s", count, count == 1 and "" or "s")), 4)
    end
    for i = 1, len do out[i] = one(i, n[i]) end
    return out
  end
  local modes = ENUMS.mode
  local function mode_in(mode)
    if mode == nil then return M.WORKDAY_END_OF_DAY end
    if type(mode) == "string" then return enum_in("mode", mode, fname, 3) end
    local m = integer_of(mode)
    if m ~= nil and modes.to_name[m] then return m end
    error(arg_error(fname, string.format("%s must be one of %s (or a WORKDAY_* constant), not %s",
      arg_label(fname, 3), table.concat(modes.names, ", "), type(mode) == "number" and tostring(mode)
      or type(mode))), 3)
  end
  local function bulk(self, times, n, mode)
    check_open(self, fname)
    local t = times_in(times)
    local days = days_in(n, #t)
    local ok, r = pcall(working_days_bulk, self, t, days, mode_in(mode))
    if ok then return r end
    if getmetatable(r) == ErrorMT then -- "t[3]: ..." (the library counts from 0)
      local m = c_names(r.message):gsub("^t%[(%d+)%]", "times[%1]")
      r.message, r.text = fname .. ": " .. arg_label(fname, 1) .. ": " .. m, fname .. ": " .. arg_label(fname, 1)
        .. ": " .. m
    end
    error(r, 2)
  end
  local cfns = rawget(CLASSES.Calendar, ".fn")
  local spec = { required = 2, defaults = { [3] = M.WORKDAY_END_OF_DAY } }
  rawset(cfns, "add_working_days_bulk", with_options(fname, spec, bulk, 1))
  rawset(cfns, "add_working_days_bulk_epoch", rawget(cfns, "add_working_days_bulk"))
end

-- followup.capacity_pass(policy, items, agents, calls_per_agent) and
-- followup.apply_capacity(plan, items): their messages name the call and the
-- argument, count the records of `items` from 1, and say when a plan had its
-- pass applied already (once per plan).
do
  local applied = setmetatable({}, { __mode = "k" })
  local function wrap(fname, items_pos, fn)
    return function(...)
      local plan = (...)
      if fname == "apply_capacity" and plan == nil then -- (a raw "table index is nil" below; review s12 U10)
        error(arg_error(fname, arg_label(fname, 1) .. " must be a followup.Plan, not nil"), 2)
      end
      if fname == "capacity_pass" and select("#", ...) > 0 then
        -- (SWIG names the policy "argument 2" here: the result blob is its C argument 1)
        local cls = type(plan) == "userdata" and tostring(plan):match("^(followup%.%w+)") or type(plan)
        if cls ~= "followup.Policy" then
          error(arg_error(fname, arg_label(fname, 1) .. " must be a followup.Policy, not " .. cls), 2)
        end
      end
      local r = table.pack(pcall(fn, ...))
      if r[1] then
        if fname == "apply_capacity" then applied[plan] = true end
        return unpack(r, 2, r.n)
      end
      local e = r[2]
      if getmetatable(e) == ErrorMT and type(e.message) == "string" then
        local m = e.message
        if m:find("^capacity items: ") then
          m = fname .. ": " .. arg_label(fname, items_pos) .. ": " .. m:gsub("^capacity items: ", "")
            .. " (pass the string capacity_items or capacity_pass returned)"
        else
          m = m:gsub("^" .. fname .. ": item (%d+)", function(i) return fname .. ": item " .. (tonumber(i) + 1) end)
          if fname == "apply_capacity" and applied[plan] then
            m = m .. " (the pass was already applied to this plan: apply_capacity once per plan)"
          end
        end
        e.message, e.text = m, m
      end
      error(e, 2)
    end
  end
  rawset(M, "capacity_pass", wrap("capacity_pass", 2, rawget(M, "capacity_pass")))
  rawset(M, "apply_capacity", wrap("apply_capacity", 2, rawget(M, "apply_capacity")))
end

-- ---------------------------------------------------------------- iterators
local fn = function(cls) return rawget(CLASSES[cls], ".fn") end

-- The iterators below: get(i) for i = after + 1 .. last, then nothing.
local function counting(after, last, get)
  local i = after
  return function()
    i = i + 1
    if i <= last then return get(i) end
  end
end

-- for tp in plan:touchpoints([status]) do ... end  (status default "planned")
rawset(fn("Plan"), "touchpoints", function(self, status)
  status = status or "planned"
  return counting(0, self:count(status), function(i) return self:touchpoint(status, i) end)
end)

-- for c in book:customers() do ... end; for i, c in book:customers() with index
rawset(fn("Book"), "customers", function(self)
  return counting(0, self:customer_count(), function(i) return self:customer(i), i end)
end)

-- for e in book:events([customer_index]) do ... end
rawset(fn("Book"), "events", function(self, ci)
  local i, last
  if ci then i, last = self:events_begin(ci) - 1, self:events_end(ci) else i, last = 0, self:event_count() end
  return counting(i, last, function(k) return self:event(k), k end)
end)

rawset(fn("Kpi"), "figures", function(self)
  return counting(0, self:count(), function(i) return self:figure(i) end)
end)

-- for c in list:commitments() do ... end: one table per commitment
rawset(fn("CommitmentList"), "commitments", function(self)
  return counting(0, self:count(), function(i)
    return {
      id = self:id(i), customer_id = self:customer_id(i), text = self:text(i), category = self:category(i),
      owner = self:owner(i), rule = self:rule(i), created_at = self:created_at(i), deadline = self:deadline(i),
      state = self:state(i), level = self:level(i), closed_at = self:closed_at(i),
    }
  end)
end)

-- sums, counts = planner:tier_cycle_sums(): the exact parts of tier_cycles()
-- (fu_planner_tier_cycle_sums(), docs/scaling.md): two arrays of integers,
-- whole seconds summed and customers counted, tier-major as tier_cycles().
-- Partitions' parts add up to the whole book's; a cycle is then
-- count > 0 and sum / count / 86400 or 0, bit for bit the whole planner's.
rawset(fn("Planner"), "tier_cycle_sums", function(self)
  local sums, counts = {}, {}
  for i = 1, #self:tier_cycles() do
    sums[i], counts[i] = self:_tier_cycle_sum(i - 1), self:_tier_cycle_count(i - 1)
  end
  return sums, counts
end)

rawset(fn("SimReport"), "days", function(self)
  return counting(0, self.n_days, function(i) return self:day(i) end)
end)
