-- fu_redact from Lua.
local T = require "testlib"
local followup = require "followup"

T.test("masks keep a hint and are counted", function()
  local r = followup.Redactor()
  T.eq(r:apply("电话13812345678，邮箱a@b.co"), "电话138****5678，邮箱a***@b.co", "masked")
  T.eq(r:count(followup.REDACT_MOBILE_CN), 1, "mobile count")
  T.eq(r:total(), 2, "total")
end)

T.test("numbers in Chinese numerals only when asked", function()
  local text = "电话一三八一二三四五六七八，二〇二六年十二月七日"
  T.eq(followup.Redactor():apply(text), text, "default")
  -- Redactor(kinds, mask_char, cjk_numerals)
  local r = followup.Redactor(followup.REDACT_ALL_BUILTIN, nil, true)
  T.eq(r:apply(text), "电话一三八****五六七八，二〇二六年十二月七日", "cjk_numerals")
  T.eq(r:count(followup.REDACT_MOBILE_CN), 1, "counted as a mobile")
end)

T.test("validators", function()
  T.truthy(followup.redact_id_cn_valid("110105199001011232"), "id")
  T.truthy(not followup.redact_luhn_valid("4111111111111112"), "luhn")
end)

T.test("a bad kind raises", function()
  local e = T.raises(followup.Redactor, 1 << 20)
  T.eq(e.name, "InvalidArgumentError", "name")
end)

T.done()
