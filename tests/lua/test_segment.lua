-- fu_segment from Lua.
local T = require "testlib"
local followup = require "followup"

local function load_cdnow()
  local dir = os.getenv("FU_TEST_DATADIR") or "../shared/data"
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
  T.truthy(e.message:find("t_x[0]", 1, true), "names the index")
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

T.done()
