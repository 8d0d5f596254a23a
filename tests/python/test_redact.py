"""fu_redact from Python: masks, counts, validators, limits, policy."""
import pytest

import followup


def test_masks_keep_a_hint_and_are_counted():
    r = followup.Redactor()
    out = r.apply("客户手机13812345678，邮箱zhang.san@example.com，卡号6222 0212 3456 7894")
    assert out == "客户手机138****5678，邮箱z***@example.com，卡号6222 **** **** 7894"
    assert r.count(followup.REDACT_MOBILE_CN) == 1
    assert r.count(followup.REDACT_EMAIL) == 1
    assert r.count(followup.REDACT_BANK_CARD) == 1
    assert r.total() == 3
    r.reset_counts()
    assert r.total() == 0


def test_kinds_and_mask_char():
    r = followup.Redactor(1 << followup.REDACT_ID_CN, "#")
    assert r.apply("110105199001011232 13812345678") == "110###########1232 13812345678"


def test_chinese_numerals_only_when_asked():
    """Redactor(cjk_numerals=True) (FU_REDACT_CJK_NUMERALS) also masks numbers
    read out in Chinese numerals; the policy key is redaction.cjk_numerals."""
    text = "语音转写：电话幺三八 一二三四 五六七八，金额一万三千八百元"
    assert followup.Redactor().apply(text) == text
    masked = "语音转写：电话幺三八 **** 五六七八，金额一万三千八百元"
    r = followup.Redactor(cjk_numerals=True)
    assert r.apply(text) == masked
    assert r.count(followup.REDACT_MOBILE_CN) == 1
    assert r.apply_many([text, None]) == [masked, None]
    p = followup.policy_load_string("redaction:\n  cjk_numerals: true\n")
    assert followup.redactor_from_policy(p).apply(text) == masked


def test_permits_typed_in_lower_case_after_their_keyword():
    """A permit typed in lower case after its keyword is masked as in
    capitals (IDs take x and X alike); without the keyword it stays."""
    r = followup.Redactor()
    assert r.apply("通行证: c12345678") == "通行证: c*****678"
    assert r.apply("港澳通行证c12345678，回乡证 h1234567890") == "港澳通行证c*****678，回乡证 h*******890"
    assert r.apply("passport g12345678") == "passport g*****678"
    assert r.apply_many(["通行证：m12345678", "客户编号 c12345678"]) == ["通行证：m*****678", "客户编号 c12345678"]
    assert r.total() == 5


def test_validators():
    assert followup.redact_id_cn_valid("11010519900101103X")
    assert not followup.redact_id_cn_valid("110105199001011233")
    assert followup.redact_luhn_valid("4111 1111 1111 1111")
    assert not followup.redact_luhn_valid("4111111111111112")
    assert followup.redact_kind_name(followup.REDACT_EMAIL) == "email"


def test_redactor_from_policy_with_extra_pattern():
    yaml = ("redaction:\n"
            "  extra:\n"
            "    order_no: {regex: 'ORD-\\d{8}', replacement: 'ORD-########'}\n")
    p = followup.policy_load_string(yaml)
    r = followup.redactor_from_policy(p)
    assert r.apply("ORD-20250926 a@b.co") == "ORD-######## a***@b.co"


def test_bad_kind_bits_raise():
    with pytest.raises(followup.InvalidArgumentError):
        followup.Redactor(1 << 20)


def test_numbers_typed_digit_by_digit_after_their_keyword():
    """Review s8 F3: digits typed one by one or in other groupings after a
    phone, ID or card keyword are masked when they make a valid number;
    without a keyword they stay."""
    r = followup.Redactor()
    assert r.apply("手机 1 3 8 1 2 3 4 5 6 7 8") == "手机 1 3 8 * * * * 5 6 7 8"
    assert r.apply("手机 13 81 23 45 678") == "手机 13 8* ** *5 678"
    assert r.apply("tel 1-3-8-1-2-3-4-5-6-7-8") == "tel 1-3-8-*-*-*-*-5-6-7-8"
    assert r.apply("卡号 6 2 2 2 0 2 1 2 3 4 5 6 7 8 9 4") == "卡号 6 2 2 2 * * * * * * * * 7 8 9 4"
    assert r.count(followup.REDACT_MOBILE_CN) == 3
    assert r.count(followup.REDACT_BANK_CARD) == 1
    assert r.apply("1 3 8 1 2 3 4 5 6 7 8") == "1 3 8 1 2 3 4 5 6 7 8"
    assert r.apply("订单 1 3 8 1 2 3 4 5 6 7 8") == "订单 1 3 8 1 2 3 4 5 6 7 8"
