-- fu_frequency from Lua: packed attempts, the hand-computed shrinkage of
-- tests/test_frequency.c, a recommendation and its policy fragment, errors.
local T = require "testlib"
local followup = require "followup"

-- one attempt: customer, segment, k, gap_days, loads (72h, 7d, 30d), positive, negative
local function rec(c, s, k, gap, pos)
  return string.pack("<I4I4I4fI2I2I2BB", c, s, k, gap, 0, 0, 0, pos, 0)
end

-- n attempts at (segment, k) with x positives
local function cell(t, s, k, n, x)
  for i = 1, n do
    t[#t + 1] = rec(#t, s, k, k == 1 and followup.FREQUENCY_GAP_NONE or followup.FREQUENCY_GAP_UNKNOWN,
                    i <= x and 1 or 0)
  end
end

local function fixture()
  local t = {}
  cell(t, 0, 1, 10, 3); cell(t, 0, 2, 5, 1); cell(t, 0, 3, 2, 0)
  cell(t, 1, 1, 10, 1); cell(t, 1, 2, 5, 0)
  return followup.FrequencyData(table.concat(t), 2)
end

T.test("shrinkage matches the hand computation", function()
  local d = fixture()
  T.eq(d:count(), 32, "attempts")
  T.eq(d:positives(), 5, "positives")
  local m = followup.FrequencyModel(d, 3, 0, followup.FREQUENCY_NO_MONOTONE)
  T.near(m:hazard(0, 1).p, 0.231707317073, 1e-10, "segment 0, k 1")
  T.near(m:hazard(1, 2).p, 0.070932539683, 1e-10, "segment 1, k 2")
  T.near(m:hazard(1, 3).p, 0.033333333333, 1e-10, "segment 1, k 3 (no data: the population)")
  local e = m:hazard(0, 1)
  T.truthy(e.lo < e.p and e.p < e.hi, "interval")
  T.truthy(not m:is_monotone(), "not forced")
end)

T.test("recommendation and policy fragment", function()
  local t = {}
  local rates = {400, 200, 100, 40}
  for k = 1, 4 do cell(t, 0, k, 2000, rates[k]) end
  local d = followup.FrequencyData(table.concat(t), 1)
  d:set_segment_name(0, "vip")
  local m = followup.FrequencyModel(d, 4)
  local csv = m:recommend(100, "phone=6", "phone", 0, 90, nil, "csv")
  local cap = csv:match("\nvip,(%d+),")
  T.eq(tonumber(cap), 2, "cap where one more call stops paying")
  local yaml = m:recommend(100, "phone=6", "phone", 0, 90, "tier", "yaml")
  local p = followup.policy_load_string(yaml, "<fragment>")
  T.eq(p:get_number("caps.limits.frequency_vip.max"), 2, "rule loaded over the built-in policy")
  T.eq(p:get_number("caps.limits.weekly.max"), 3, "built-in limits kept")
end)

T.test("errors are raised", function()
  local e = T.raises(followup.FrequencyData, "x", 1)
  T.eq(e.name, "InvalidArgumentError", "bad record length")
  e = T.raises(followup.FrequencyModel, followup.FrequencyData("", 1))
  T.eq(e.name, "InvalidArgumentError", "nothing to fit")
  T.truthy(e.message:find("no contact attempt"), e.message)
  local m = followup.FrequencyModel(fixture())
  e = T.raises(function() return m:recommend(0) end)
  T.eq(e.name, "InvalidArgumentError", "value 0")
  e = T.raises(followup.frequency_read_bank, "/nonexistent/bank.csv")
  T.eq(e.name, "InputOutputError", "missing file")
end)

T.done()
