-- Extraction offsets from Lua (review s12 U5): a Lua string is bytes, so
-- promise_start(i) / promise_end(i) (and risk_*) are a string.sub range,
-- 1-based and inclusive: note:sub(x:promise_start(i), x:promise_end(i)) is
-- the promise's text for Chinese, mixed and ASCII notes.
local T = require "testlib"
local followup = require "followup"

local AT = T.time("2025-09-26T16:00:00+08:00")
local NOTES = {
  "客户张先生投诉物流延误，我们承诺3个工作日内解决。",
  "客户说 the parcel is late；我们承诺３个工作日内回电，并在2个工作日内补发。",
  "Customer called: we promised to call back within 2 working days.",
  "顾客不满意，威胁要投诉到消费者协会。我们会在3个工作日内处理 😀 好的",
}

local pol = followup.policy_default()
local cal = pol:calendar_in_zone("Asia/Shanghai")
local ex = followup.extractor_from_policy(pol)

T.test("the reviewer's note: bytes 49..64 are 3个工作日内", function()
  local note = NOTES[1]
  local x = ex:run(cal, note, AT)
  T.eq(x:promise_count(), 1, "count")
  T.eq(x:promise_text(1), "3个工作日内", "text")
  T.eq(x:promise_start(1), 49, "start (1-based byte)")
  T.eq(x:promise_end(1), 64, "end (inclusive byte)")
  T.eq(note:sub(x:promise_start(1), x:promise_end(1)), "3个工作日内", "string.sub")
end)

T.test("string.sub of every promise and risk is its text", function()
  local seen = 0
  for _, note in ipairs(NOTES) do
    local x = ex:run(cal, note, AT)
    for i = 1, x:promise_count() do
      T.eq(note:sub(x:promise_start(i), x:promise_end(i)), x:promise_text(i), "promise " .. i)
      seen = seen + 1
    end
    for i = 1, x:risk_count() do
      T.eq(note:sub(x:risk_start(i), x:risk_end(i)), x:risk_text(i), "risk " .. i)
      seen = seen + 1
    end
  end
  T.truthy(seen >= 5, "promises and risks found: " .. seen)
end)

T.test("utf8.len of the prefix gives the character index", function()
  local note = NOTES[2]
  local x = ex:run(cal, note, AT)
  local s = x:promise_start(1)
  T.eq(utf8.len(note:sub(1, s - 1)) + 1, utf8.len("客户说 the parcel is late；我们承诺") + 1, "characters")
end)

T.done()
