-- A minimal test runner for the Lua binding tests. Each file calls
-- T.test(name, fn) and finally T.done(), which prints "N passed, N failed"
-- and exits non-zero on any failure.
local T = { passed = 0, failed = 0 }

function T.test(name, fn)
  local ok, err = pcall(fn)
  if ok then
    T.passed = T.passed + 1
    io.stderr:write("[PASS] ", name, "\n")
  else
    T.failed = T.failed + 1
    io.stderr:write("[FAIL] ", name, ": ", tostring(err), "\n")
  end
end

function T.eq(got, want, what)
  if got ~= want then
    error(string.format("%s: got %s (%s), want %s (%s)", what or "value", tostring(got),
      math.type(got) or type(got), tostring(want), math.type(want) or type(want)), 2)
  end
end

function T.near(got, want, tol, what)
  if type(got) ~= "number" or math.abs(got - want) > tol then
    error(string.format("%s: got %s, want %s +- %s", what or "value", tostring(got), tostring(want), tostring(tol)), 2)
  end
end

function T.truthy(v, what)
  if not v then error((what or "condition") .. " is false", 2) end
end

-- Calls fn(...) and returns the error value it raised (fails if none).
function T.raises(fn, ...)
  local ok, err = pcall(fn, ...)
  if ok then error("expected an error, none was raised", 2) end
  return err
end

function T.done()
  print(string.format("%d passed, %d failed", T.passed, T.failed))
  os.exit(T.failed == 0 and 0 or 1)
end

return T
