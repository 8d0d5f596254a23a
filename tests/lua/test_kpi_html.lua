-- Kpi:to_html() from Lua: the same page as the CLI and Python (lib/kpi_html.c).
local T = require "testlib"
local followup = require "followup"

local src = os.getenv("FU_SOURCE_DIR") or "../.."

local function engine(by)
  local b = followup.Book()
  b:read_customers_csv(src .. "/tests/data/kpi/customers.csv")
  b:read_events_csv(src .. "/tests/data/kpi/events.csv")
  b:finalize()
  local k = followup.Kpi(followup.policy_default(), "week", by or "none")
  k:add_book(b)
  k:compute()
  return k
end

T.test("to_html gives a page with a tile per KPI and a breakdown row per group", function()
  local all, grouped = engine(), engine("tier,agent")
  local html = all:to_html(grouped, "周报 <KPIs>")
  T.eq(html:sub(1, 15), "<!DOCTYPE html>", "doctype")
  T.truthy(html:find("<title>周报 &lt;KPIs&gt;</title>", 1, true), "escaped title")
  local tiles = 0
  for name in html:gmatch('<div class="tile %w+" data%-kpi="([%w_]+)"') do
    tiles = tiles + 1
    T.truthy(all:find(name), "a figure of " .. name)
  end
  T.truthy(tiles >= 5, "tiles: " .. tiles)
  T.truthy(html:find('<tr data-group="', 1, true), "breakdown rows")
  T.truthy(not html:find("<script", 1, true), "no script")
end)

T.test("to_html before compute raises a StateError", function()
  local k = followup.Kpi(followup.policy_default())
  local ok, e = pcall(k.to_html, k)
  T.truthy(not ok, "raises")
  T.eq(e.name, "StateError", "error name")
end)

T.done()
