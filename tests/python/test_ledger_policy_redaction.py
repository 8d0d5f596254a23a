"""Issue 13, item 5: `ledger_from_policy` masks with the policy's whole
redaction section, its `redaction.extra` patterns included (it used the
built-in kinds only), and the ledger's free-text fields are masked too."""
import followup

POLICY = """version: "2026.1"
redaction:
  extra:
    member_id: {regex: 'VIP-[0-9]{6}', replacement: '[member]'}
"""


def test_ledger_from_policy_applies_redaction_extra():
    policy = followup.policy_load_string(POLICY, "site.yaml")
    led = followup.ledger_from_policy(policy)
    cid = led.add("C1", "member VIP-123456 called from 13812345678", 0, 100, owner="desk VIP-654321")
    lst = led.get(cid)
    assert lst.text(0) == "member [member] called from 138****5678"
    assert lst.owner(0) == "desk [member]"
    assert cid > 0
