-- fu_segment from Lua.
local T = require "testlib"
local followup = require "followup"

local function load_cdnow()
  local dir = os.getenv("FU_TEST_DATADIR") or "../../examples/data" -- run from tests/lua
  local x, tx, TT, z = {}, {}, {}, {}
  local first = true
  for line in io.lines(dir .. "/cdnow/cdnow_customers_summary_with_transactions.csv") do
    if first then
      first = false
    else
      local _, a, b, c, d = line:match("^(%d+),([^,]+),([^,]+),([^,]+),([^,\r]+)")
      if a then
        x[#x + 1], tx[#tx + 1], TT[#TT + 1], z[#z + 1] = tonumber(a), tonumber(b), tonumber(c), tonumber(d)
      end
    end
  end
  return x, tx, TT, z
end

local x, tx, TT, z = load_cdnow()

T.test("CDNOW has 2357 customers", function() T.eq(#x, 2357, "rows") end)

T.test("BG/NBD fit reproduces the published estimates", function()
  local m = followup.bgnbd_fit(x, tx, TT)
  T.near(m.r, 0.243, 0.002, "r")
  T.near(m.alpha, 4.414, 0.002, "alpha")
  T.near(m.a, 0.793, 0.002, "a")
  T.near(m.b, 2.426, 0.002, "b")
  T.near(followup.bgnbd_loglik(m, x, tx, TT), -9582.4, 0.1, "LL")
end)

T.test("Gamma-Gamma fit and CLV", function()
  local g = followup.gammagamma_fit(x, z)
  T.near(g.p, 6.25, 0.02, "p")
  T.near(g.q, 3.74, 0.02, "q")
  T.near(g.gamma, 15.44, 0.02, "gamma")
  local m = followup.BgNbd(0.242593, 4.413532, 0.792886, 2.425753)
  local clv = followup.bgnbd_clv(m, g, {2, 0}, {30.43, 0}, {38.86, 38.86}, {22.35, 0}, 52 / 12)
  T.eq(#clv, 2, "length")
  T.truthy(clv[1] > 0 and clv[2] > 0, "positive")
end)

T.test("scoring returns arrays", function()
  local m = followup.BgNbd(0.242593, 4.413532, 0.792886, 2.425753)
  local pa = followup.bgnbd_p_alive(m, {2, 0}, {30.43, 0}, {38.86, 10})
  T.eq(pa[2], 1.0, "x = 0 is alive")
  local e = followup.bgnbd_expected(m, {2}, {30.43}, {38.86}, 39)
  T.near(e[1], 1.226, 0.0005, "FHL 2005")
  T.near(followup.bgnbd_expected_new(m, 39), 1.1950, 1e-4, "E[X(39)]")
end)

T.test("errors are tables naming the class", function()
  local e = T.raises(followup.bgnbd_fit, {0, 0}, {0, 0}, {5, 6})
  T.eq(e.name, "ConvergenceError", "name")
  local m = followup.BgNbd(0.24, 4.4, 0.79, 2.4)
  e = T.raises(followup.bgnbd_p_alive, m, {1}, {3}, {2})
  T.eq(e.name, "InvalidArgumentError", "name")
  T.truthy(e.message:find("t_x[1] = 3 is after T = 2", 1, true), "names the index, from 1 (review s10)")
  e = T.raises(followup.gammagamma_expected, followup.GammaGamma(1, 0.5, 10), {0}, {0})
  T.eq(e.name, "RangeError", "q < 1")
end)

T.test("summaries and RFM", function()
  local day = 86400
  local s = followup.summarize({0, 0, 1}, {0, 3 * day, 5 * day}, {10.0, 20.0, 7.0}, 2, 10 * day, day * 1.0)
  T.eq(s.n, 2, "n")
  T.eq(s:x()[1], 1.0, "x")
  T.eq(s:t_x()[1], 3.0, "t_x")
  T.eq(s:T()[2], 5.0, "T")
  T.eq(s:zbar()[1], 20.0, "zbar")
  local codes = followup.rfm_codes({5, 5, 10}, {1, 2, 3}, {3, 2, 1})
  T.eq(math.type(codes[1]), "integer", "integer codes")
  T.eq(codes[1], 214, "code")
  local groups = followup.rfm_groups({5, 5, 10}, {1, 2, 3}, {3, 2, 1})
  T.eq(groups[3], "at_risk", "group")
  T.eq(followup.tier_name(followup.TIER_KEY), "key", "tier name")
end)

local BOOK_CUSTOMERS = "customer_id,tz,annual_spend,first_purchase_at\n" ..
  "A,Asia/Shanghai,,\n" ..
  "B,America/New_York,600000,2020-01-01T00:00:00Z\n" ..
  "C,UTC,,\n"
local BOOK_EVENTS = "customer_id,at,kind,order_id,unit_price,amount\n" ..
  "A,2026-01-01T10:00:00+08:00,purchase,o1,,100\n" ..
  "A,2026-01-01T23:30:00+08:00,purchase,o2,,50\n" ..
  "A,2026-01-02T07:00:00+08:00,purchase,o3,,30\n" ..
  "A,2026-01-15T12:00:00+08:00,purchase,o4,12000,70\n" ..
  "A,2026-02-20T10:00:00+08:00,complaint,,,\n" ..
  "C,2026-02-27T12:00:00Z,purchase,o5,,10\n"
local BOOK_NOW = 1772294400 -- 2026-03-01T00:00:00+08:00

local function small_book()
  local b = followup.Book()
  b:read_customers_text(BOOK_CUSTOMERS)
  b:read_events_text(BOOK_EVENTS)
  return b
end

T.test("rules from the built-in policy name the policy rules", function()
  local rules = followup.segment_rules_from_policy(followup.policy_default())
  collectgarbage() -- the policy lives on in the rules' user value
  T.eq(rules.n_tiers, 3, "tiers")
  local nan = 0 / 0
  local now = BOOK_NOW
  local a = followup.segment_assign(now, {500000, 500001, 100000, 99999.99}, {20000, 500, 5000, nan},
    {now - 400 * 86400, now - 400 * 86400, now - 400 * 86400, nan},
    {now - 10 * 86400, now - 10 * 86400, now - 10 * 86400, nan}, {0, 0, 1, 0}, {}, {}, rules)
  local tiers = a:tiers()
  T.eq(tiers[1], "key", "500000 is key")
  T.eq(tiers[2], "vip", "500001 is vip")
  T.eq(tiers[3], "key", "100000 is key")
  T.eq(tiers[4], "ordinary", "99999.99 is ordinary")
  T.eq(a:tier_rules()[2], "segments.value_tiers.vip", "rule")
  T.eq(a:lifecycle_rules()[3], "segments.lifecycle.declining.complaint_within", "complaint")
  T.eq(a:segments()[3], "high_value_at_risk", "segment")
  T.eq(a:human()[1], 0, "standard is automated")
  T.eq(a:churn_rules()[1], false, "absent rule")
  local e = T.raises(followup.segment_assign, now, {1, 2}, {1}, {now}, {now}, {0, 0}, {}, {}, rules)
  T.eq(e.name, "InvalidArgumentError", "lengths")
end)

T.test("a whole book in one call", function()
  local rules = followup.segment_rules_from_policy(followup.policy_default())
  local s = followup.segment_book(small_book(), BOOK_NOW, rules)
  collectgarbage() -- the book lives on in the summary's user value
  T.eq(s.n, 3, "n")
  T.eq(s:x()[1], 2.0, "x: local days Jan 1, Jan 2, Jan 15")
  T.near(s:T()[1], 59 / 7, 1e-12, "T")
  T.eq(s:zbar()[1], 50.0, "zbar")
  T.eq(s:rfm_codes()[1], 133, "rfm")
  T.eq(s:rfm_groups()[1], "churn_risk", "rfm group")
  T.eq(s:rfm_groups()[2], false, "no purchase")
  local a = followup.segment_assign_book(s, BOOK_NOW, {}, {}, rules)
  local seg = a:segments()
  T.eq(seg[1], "at_risk", "A")
  T.eq(seg[2], "deep_care", "B")
  T.eq(seg[3], "new_customer", "C")
  local d = followup.segment_book(small_book(), BOOK_NOW, nil, 86400.0, false, 0)
  T.eq(d:x()[1], 1.0, "UTC days")
end)

T.test("segment_run: an unidentified spend model gives no CLV and says why (same rule as the CLI)", function()
  -- examples/sample/realistic as of its last event: the Gamma-Gamma fit stops at
  -- q = 1670, gamma = 1.9e8 (every CLV would be the population mean)
  local src = os.getenv("FU_SOURCE_DIR") or "../.."
  local b = followup.Book()
  b:read_customers_csv(src .. "/examples/sample/realistic/customers.csv")
  b:read_events_csv(src .. "/examples/sample/realistic/events.csv")
  b:finalize()
  local rules = followup.segment_rules_from_policy(followup.policy_default())
  local run = followup.segment_run(b, rules)
  T.eq(run:has_clv(), false, "no CLV")
  T.truthy(run:clv_error():find("do not identify the model", 1, true), run:clv_error())
  T.truthy(run:clv_error():find("population mean", 1, true), run:clv_error())
  local clv = run:clv()
  T.eq(#clv, 1000, "one per customer")
  for i = 1, #clv do T.truthy(clv[i] ~= clv[i], "NaN") end
end)

T.done()
