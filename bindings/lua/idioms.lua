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
--     list:commitments(), kpi:figures().
local M = followup
local R = debug.getregistry()
local CLASSES = R.SWIG
local rawget, rawset, type, select, pcall, error, tostring = rawget, rawset, type, select, pcall, error, tostring
local unpack = table.unpack
local release = rawget(M, "_release") -- private: frees a handle's C object at close()
rawset(M, "_release", nil)

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
  ["int64_t"] = "integer", ["uint32_t"] = "integer", ["uint8_t"] = "integer", ["double"] = "number",
  ["float"] = "number", ["bool"] = "boolean", ["char const *"] = "string", ["char *"] = "string",
  ["string"] = "string", ["number"] = "number", ["nil"] = "nil", ["table"] = "table", ["boolean"] = "boolean",
  ["userdata"] = "object",
}

local function lua_type_name(ctype)
  if CTYPES[ctype] then return CTYPES[ctype] end
  local cls = ctype:match("^fu_([%w_]+) %*") or ctype:match("^struct fu_([%w_]+)")
  if cls then return "followup " .. cls:gsub("^swig_", "") .. " object" end
  return "value"
end

local function new_error(code, name, message)
  return setmetatable({ code = code, name = name, message = message, text = message, line = 0, column = 0 },
    ErrorMT)
end
rawset(M, "new_error", new_error)

local function arg_error(fname, message)
  return new_error(M.EINVAL, "InvalidArgumentError", fname .. ": " .. message)
end

-- SWIG's wrapper names in the binding's own messages ("Redactor_apply:
-- argument 2 contains a NUL", "new_Book: argument 1 must be ..."), where a
-- method counts self as argument 1, in Lua words ("Redactor:apply: argument 1").
local function lua_names(s)
  if type(s) ~= "string" then return s end
  s = s:gsub("new_(%u%a*): argument (%d+)", function(c, n)
    if CLASSES[c] then return c .. ": argument " .. n end
  end)
  return (s:gsub("(%u%a*)_(%l[%w_]*): argument (%d+)", function(c, m, n)
    if CLASSES[c] then return c .. ":" .. m .. ": argument " .. (tonumber(n) - 1) end
  end))
end

-- A SWIG-layer message ("Error in fu_book::m_customer (arg 2), expected
-- 'size_t' got 'string'") as a followup.Error in Lua words.
local function convert(e, fname)
  if type(e) == "table" then
    if getmetatable(e) == ErrorMT then e.message, e.text = lua_names(e.message), lua_names(e.text) end
    return e
  end
  local msg = tostring(e)
  local _, narg, want, got = msg:match("Error in ([^%s]+) %(arg (%d+)%), expected '([^']*)' got '([^']*)'")
  if narg then
    local n = tonumber(narg) - 1 -- SWIG counts self
    return arg_error(fname, string.format("argument %d must be %s, not %s", n > 0 and n or 1,
      (lua_type_name(want):gsub("^integer$", "an integer"):gsub("^number$", "a number"):gsub("^string$",
        "a string"):gsub("^boolean$", "a boolean"):gsub("^followup", "a followup")), lua_type_name(got)))
  end
  local lo, hi, given = msg:match("Error in [^%s]+ expected (%d+)%.%.(%d+) args, got (%d+)")
  if lo then
    return arg_error(fname, string.format("takes %s to %s arguments, %s given", lo, hi, given))
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
-- returns are tracked for the borrow rules of close().
local function guarded(fname, fn)
  return function(...)
    for k = 1, select("#", ...) do
      local a = select(k, ...)
      if closed[a] then
        error(new_error(M.ESTATE, "StateError", string.format("%s: argument %d is a closed %s", fname, k,
          (tostring(a):match("^followup%.(%w+)") or "handle"))), 2)
      end
    end
    local r = table.pack(pcall(fn, ...))
    if not r[1] then error(convert(r[2], fname), 2) end
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

local function enum_in(kind, v, fname, pos)
  if kind == "event_priority" and type(v) ~= "string" then
    if ENUMS.priority.to_name[v] == nil then
      error(arg_error(fname, string.format("argument %d: priority %s is not a PRIORITY_* constant nor one of %s", pos,
        tostring(v), table.concat(ENUMS.event_priority.names, ", "))), 3)
    end
    return v + 1
  end
  if type(v) ~= "string" then return v end
  local e = ENUMS[kind]
  local x = e.to_int[v]
  if x == nil then
    error(arg_error(fname, string.format("argument %d: unknown %s '%s' (expected %s)", pos, (kind:gsub("^event_", "")), v,
      table.concat(e.names, ", "))), 3)
  end
  return x
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
local function indices_in(fname, pos, v)
  if type(v) ~= "table" then return v end
  local out = {}
  for k, x in ipairs(v) do
    if math.type(x) ~= "integer" or x < 1 then
      error(arg_error(fname, string.format("argument %d: item %d must be an index >= 1", pos - 1, k)), 4)
    end
    out[k] = x - 1
  end
  return out
end

local function convert_args(fname, spec, self, args)
  for pos, how in pairs(spec) do -- enums first: a count may take one (plan:count(status))
    if how == "indices" then args[pos] = indices_in(fname, pos, args[pos])
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
      local count, limit = how:sub(7), nil
      if count ~= "" then
        limit = self[count]
        if type(limit) == "function" then limit = limit(self, unpack(args, 2, pos - 1)) end
      end
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
  return function(self, ...)
    check_open(self, fname)
    if not spec and not ret then return g(self, ...) end
    local n = select("#", ...) + 1
    local args = { self, ... }
    if spec then
      convert_args(fname, spec, self, args)
      for pos in pairs(spec) do if pos > n and args[pos] ~= nil then n = pos end end
    end
    local r = table.pack(g(unpack(args, 1, n)))
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
    add_customer = { nil, { [1] = "index" } },
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
    plan_customer = { { [2] = "index" } },
    feed = { { [4] = "kind", [11] = "severity", [12] = "channel", [14] = "outcome", [16] = "survey" } },
  },
  SimReport = { day = { { [2] = "index:n_days" } } },
  Kpi = {
    figure = { { [2] = "index:count" } },
    add_event = { { [4] = "kind", [9] = "severity", [10] = "channel", [12] = "outcome", [14] = "survey" } },
    scorecard = { { [2] = "index:scorecard_count" } },
  },
  BestTime = {
    record = { { [2] = "index", [4] = "outcome" } },
    posterior = { { [2] = "index" } },
    may_contact = { { [2] = "index", [4] = "channel" } },
    best = { { [2] = "index", [5] = "channel" } },
    customer_matrix = { { [2] = "index" } },
    best_day = { { [4] = "indices", [5] = "channel" } },
  },
  Windows = { get = { { [2] = "index" } } },
  Policy = { get_key = { { [3] = "index" } } },
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

-- Constructors and module functions raise followup.Error too.
for k, v in pairs(M) do
  if type(v) == "function" then
    rawset(M, k, guarded(k, v))
  elseif type(v) == "table" and CLASSES[k] then
    local cmt = getmetatable(v)
    if cmt and cmt.__call then
      local call = cmt.__call
      cmt.__call = guarded(k, call)
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

rawset(fn("SimReport"), "days", function(self)
  return counting(0, self.n_days, function(i) return self:day(i) end)
end)
