-- Issue 13, item 5: ledger_from_policy masks with the policy's redaction.extra
-- patterns too (it used the built-in kinds only), also in the owner field.
local T = require "testlib"
local followup = require "followup"

T.test("ledger_from_policy applies redaction.extra", function()
  local p = followup.policy_load_string(
    "redaction:\n  extra:\n    member_id: {regex: 'VIP-[0-9]{6}', replacement: '[member]'}\n", "site.yaml")
  local led = followup.ledger_from_policy(p)
  local id = led:add("C1", "member VIP-123456 called from 13812345678", 0, 100, nil, "desk VIP-654321")
  local one = led:get(id)
  T.eq(one:text(1), "member [member] called from 138****5678", "text")
  T.eq(one:owner(1), "desk [member]", "owner")
end)

T.test("invalid UTF-8 is refused", function()
  local led = followup.Ledger()
  local e = T.raises(function() led:add("C1", "\xe5\xae", 0, 100) end)
  T.eq(e.name, "InvalidArgumentError", "error class")
end)

T.done()
