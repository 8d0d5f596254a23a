-- The core of the Lua binding: version, integers, error values.
local T = require "testlib"
local followup = require "followup"

T.test("version agrees with the C library", function()
  T.eq(followup.version(), followup.VERSION_STRING, "version")
  local ma, mi, pa = followup.version():match("^(%d+)%.(%d+)%.(%d+)$")
  T.eq(tonumber(ma), followup.VERSION_MAJOR, "major")
  T.eq(tonumber(mi), followup.VERSION_MINOR, "minor")
  T.eq(tonumber(pa), followup.VERSION_PATCH, "patch")
  T.eq(followup.version_number(), ma * 10000 + mi * 100 + pa, "number")
end)

T.test("integers cross as Lua integers", function()
  T.eq(math.type(followup.version_number()), "integer", "version_number")
  T.eq(math.type(followup.EPARSE), "integer", "EPARSE constant")
end)

T.test("a failing call raises a table with the error detail", function()
  local e = T.raises(followup._selftest_raise, followup.EPARSE, "expected a number", "policy.yaml", 12, 7, "caps.max")
  T.eq(type(e), "table", "error type")
  T.eq(e.code, followup.EPARSE, "code")
  T.eq(e.name, "ParseError", "name")
  T.eq(e.message, "expected a number", "message")
  T.eq(e.source, "policy.yaml", "source")
  T.eq(e.line, 12, "line")
  T.eq(math.type(e.line), "integer", "line type")
  T.eq(e.column, 7, "column")
  T.eq(e.path, "caps.max", "path")
  T.eq(tostring(e), "policy.yaml:12:7: caps.max: expected a number", "tostring")
end)

T.test("every code has its error name", function()
  local names = {
    [followup.ENOMEM] = "NoMemoryError", [followup.EINVAL] = "InvalidArgumentError",
    [followup.EPOLICY] = "PolicyError", [followup.ENOTFOUND] = "NotFoundError",
    [followup.ETIMEZONE] = "TimeZoneError", [followup.ECONVERGE] = "ConvergenceError",
    [followup.ELIMIT] = "LimitError", [followup.ERROR] = "Error",
  }
  for code, name in pairs(names) do
    local e = T.raises(followup._selftest_raise, code, "m", "", 0, 0, "")
    T.eq(e.name, name, "name of " .. code)
    T.eq(e.code, code, "code")
  end
end)

T.test("success returns nothing", function()
  T.eq(select("#", followup._selftest_raise(followup.OK, "", "", 0, 0, "")), 0, "results")
end)

T.test("a float with an integral value is accepted as an integer, others are not", function()
  local e = T.raises(followup._selftest_raise, followup.EPARSE + 0.0, "m", "", 3.0, 0, "")
  T.eq(e.line, 3, "line")
  T.raises(followup._selftest_raise, followup.EPARSE, "m", "", 3.5, 0, "")
end)

T.test("raising many errors does not grow memory", function()
  for _ = 1, 20000 do pcall(followup._selftest_raise, followup.EPARSE, "x", "f", 1, 1, "p") end
  collectgarbage("collect")
  local before = collectgarbage("count")
  for _ = 1, 100000 do pcall(followup._selftest_raise, followup.EPARSE, "x", "f", 1, 1, "p") end
  collectgarbage("collect")
  T.truthy(collectgarbage("count") - before < 512, "Lua heap growth under 512 KiB")
end)

T.done()
