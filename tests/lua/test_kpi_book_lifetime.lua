-- A Kpi borrows the book given to add_book (no copy): the Lua wrapper keeps
-- the book alive from the Kpi, and the frees come in the right order even
-- when Lua finalizes the book first (it finalizes in reverse order of
-- creation, at lua_close and for handles unreachable in the same cycle).
-- ctest runs this file plainly (lua.test_kpi_book_lifetime) and under
-- valgrind memcheck (lua.valgrind_kpi_book_lifetime), which reports a book
-- freed before the engine that borrows it as an invalid read.
local T = require "testlib"
local followup = require "followup"
local fixture = require "kpi_fixture"

local AS_OF = fixture.AS_OF
local fixture_book = fixture.book

local function engine()
  return followup.Kpi(followup.policy_default(), "week", "none", followup.KPI_NO_TIME, followup.KPI_NO_TIME, AS_OF)
end

-- coverage of 2026-W10 on tests/data/kpi: 2 of 4 customers contacted in time
local function check_coverage(k)
  local f = k:find("coverage", "2026-W10")
  T.eq(f.n, 4.0, "n")
  T.eq(f.value, 0.5, "coverage")
end

T.test("the Kpi borrows its book: the book refuses changes until the Kpi is gone", function()
  local k = engine()
  local b = fixture_book() -- made after the Kpi
  k:add_book(b)
  local e = T.raises(b.add_customer, b, "Z9", "UTC")
  T.eq(e.name, "StateError", "borrowed, not copied")
  e = T.raises(b.close, b)
  T.eq(e.name, "StateError", "close refused while the Kpi is open")
  T.truthy(e.message:find("Kpi", 1, true), "names the Kpi: " .. e.message)
  k:compute()
  check_coverage(k)
  k = nil
  collectgarbage()
  collectgarbage()
  b:add_customer("Z9", "UTC") -- the Kpi is gone: the book takes changes again
  T.eq(b:customer_count(), 5, "customers")
end)

T.test("the book's last reference dropped first: the Kpi keeps it alive", function()
  local k = engine()
  k:add_book(fixture_book())
  collectgarbage()
  collectgarbage()
  k:compute()
  check_coverage(k)
end)

T.test("a Kpi and its newer book unreachable in one cycle: book freed after the Kpi", function()
  for _ = 1, 3 do
    local k = engine()
    local b = fixture_book()
    k:add_book(b)
    k:compute()
    check_coverage(k)
  end
  collectgarbage()
  collectgarbage()
end)

T.test("closing the Kpi frees it; the book is then closed at once", function()
  local k = engine()
  local b = fixture_book()
  k:add_book(b)
  k:close()
  b:close()
  T.truthy(b:closed(), "closed")
end)

-- Left for lua_close (os.exit(..., true) below closes the state): a Kpi and
-- the newer book it borrows, the book's own reference dropped.
KEPT_KPI = engine()
KEPT_KPI:add_book(fixture_book())

print(string.format("%d passed, %d failed", T.passed, T.failed))
os.exit(T.failed == 0 and 0 or 1, true)
