-- The hand-computed KPI fixture of tests/data/kpi (scenario A of
-- tests/test_kpi.c), shared by the Lua KPI tests: book() reads it into a
-- new finalized Book; AS_OF is the as-of instant of the hand computation.
local followup = require "followup"

local M = {}

M.src = os.getenv("FU_SOURCE_DIR") or "../.."
M.AS_OF = followup.time_parse("2026-04-30T00:00:00+08:00")

function M.book()
  local b = followup.Book()
  b:read_customers_csv(M.src .. "/tests/data/kpi/customers.csv")
  b:read_events_csv(M.src .. "/tests/data/kpi/events.csv")
  b:finalize()
  return b
end

return M
