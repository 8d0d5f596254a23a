-- fu_kpi from Lua: the Kpi engine on the hand-computed fixture of tests/data/kpi
-- (scenario A of tests/test_kpi.c), records, outputs, errors.
local T = require "testlib"
local followup = require "followup"
local fixture = require "kpi_fixture"

local fixture_book = fixture.book

local function engine(by)
  local k = followup.Kpi(followup.policy_default(), "week", by or "none", followup.KPI_NO_TIME,
    followup.KPI_NO_TIME, fixture.AS_OF)
  k:add_book(fixture_book())
  k:compute()
  return k
end

T.test("coverage and timeliness match the hand computation", function()
  local k = engine()
  collectgarbage()
  local f = k:find("coverage", "2026-W10")
  T.eq(f.kpi, "coverage", "kpi")
  T.eq(f.group, "all", "group")
  T.eq(f.n, 4.0, "n: four customers due")
  T.eq(f.successes, 2.0, "two contacted in time")
  T.eq(f.value, 0.5, "value")
  T.near(f.ci_low, 0.150039, 1e-6, "Wilson low")
  T.near(f.ci_high, 0.849961, 1e-6, "Wilson high")
  T.eq(f.target, 0.9, "target")
  T.eq(f.status, "red", "status")
  T.eq(f.rule, "kpis.coverage", "rule")
  T.eq(f.period_start, followup.time_parse("2026-03-02T00:00:00+08:00"), "period start")
  T.near(k:find("response_time_p50", "2026-W10").value, 6.0, 1e-9, "p50 hours")
  T.near(k:find("response_time_p90", "2026-W10").value, 21.2, 1e-5, "p90 hours")
  T.near(k:find("resolution", "2026-W10").value, 2 / 3, 1e-12, "resolution")
  T.eq(k:find("feedback_closure", "2026-W10").value, 0.5, "feedback closure")
  local p50 = k:find("response_time_p50", "2026-W10")
  T.eq(p50.status, "none", "no target")
  T.truthy(p50.target ~= p50.target, "target is NaN")
  T.eq(k:find("coverage", "2026-W11"), nil, "no figure")
end)

T.test("grouping by tier and agent; scorecards", function()
  local k = engine("tier")
  T.eq(k:find("coverage", "2026-W10", "vip").value, 1.0, "vip 1/1")
  T.near(k:find("coverage", "2026-W10", "ordinary").value, 1 / 3, 1e-12, "ordinary 1/3")
  k = engine("agent")
  T.eq(k:find("response_timeliness", "2026-W10", "A2").value, 0.5, "A2 1/2")
  T.truthy(k:scorecard_count() >= 2, "scorecards")
  local names = {}
  for i = 1, k:scorecard_count() do
    local c = k:scorecard(i)
    names[c.agent] = true
    T.truthy(c.ci_low <= c.score and c.score <= c.ci_high, "score within its interval")
  end
  T.truthy(names.A1 and names.A2, "A1 and A2")
end)

T.test("records added one by one; figures by index; outputs", function()
  local k = followup.Kpi(followup.policy_default(), "week", "tier", followup.KPI_NO_TIME,
    followup.KPI_NO_TIME, followup.KPI_NO_TIME, "phone=8,sms=0.1")
  collectgarbage() -- the policy lives on in the engine
  local t0 = followup.time_parse("2026-03-02T10:00:00+08:00")
  k:add_customer("V1", 600000)
  for i, s in ipairs({5, 4, 2}) do
    k:add_event("V1", t0 + i, followup.EVENT_SURVEY, nil, nil, 0 / 0, 0 / 0, 0, 0, nil, 0, s, followup.SURVEY_CSAT)
  end
  local n = k:compute()
  T.eq(n, k:count(), "count")
  local csat = k:find("csat", nil, "vip")
  T.near(csat.value, 11 / 3, 1e-12, "mean CSAT")
  T.eq(csat.target, 4.8, "VIP target")
  T.eq(csat.rule, "kpis.csat.vip", "by-tier rule")
  local kinds = {}
  for i = 1, k:count() do kinds[k:figure(i).kpi] = true end
  T.truthy(kinds.csat and kinds.csat_top2, "csat and top-2-box")
  local csv = k:csv()
  T.truthy(csv:find("^kpi,group,period,value,ci_low,ci_high,n,target,status,rule\n"), "CSV header")
  T.truthy(k:json():find('"figures"'), "JSON")
  T.truthy(k:dashboard():find("KPI dashboard"), "dashboard")
  local lo, hi = followup.kpi_wilson(8, 10, 0.95)
  T.near(lo, 0.4902, 1e-4, "Wilson 8/10 low")
  T.near(hi, 0.9433, 1e-4, "Wilson 8/10 high")
end)

T.test("errors are raised as tables", function()
  local p = followup.policy_default()
  local e = T.raises(followup.Kpi, p, "fortnight")
  T.eq(e.name, "ParseError", "bad period")
  e = T.raises(followup.Kpi, p, "week", "tier,frob")
  T.eq(e.name, "ParseError", "bad grouping")
  local k = followup.Kpi(p)
  e = T.raises(k.csv, k)
  T.eq(e.name, "StateError", "nothing computed")
  e = T.raises(k.find, k, "happiness")
  T.eq(e.name, "NotFoundError", "unknown KPI")
  T.eq(k:compute(), 0, "no data")
  e = T.raises(k.figure, k, 0)
  T.eq(e.name, "InvalidArgumentError", "no figure 0")
  T.eq(followup.kpi_name(followup.KPI_CHURN), "churn", "kpi_name")
end)

T.done()
