"""Redactor.apply's fast path builds the masked str from the note's own
characters where the masked UTF-8 equals the note's, and writes the masks'
ASCII runs between them (bindings/python/followup.i, fu_py_fast_result):
the result must be the str the wrapper decodes, stored the same way (kind,
length), for every kind of str and every way a mask changes a text (digits
to '*', an e-mail's local part shorter or longer, full-width digits, caller
patterns writing other scripts)."""
import random

import followup


def wrapper(cls, name):
    return vars(cls)[name].__wrapped__


def check_same(fast, slow, texts):
    wrapped = wrapper(followup.Redactor, "apply")
    for t in texts:
        got, want = fast.apply(t), wrapped(slow, t)
        # CPython compares the kinds first: a str stored in another kind than
        # its largest character needs compares unequal to the decoded one
        assert type(got) is str and got == want, (t, got, want)
        assert got.encode("utf-8", "surrogatepass") == want.encode("utf-8", "surrogatepass")
    assert fast.total() == slow.total()


def notes(seed, count):
    """Masked pieces between text of every str kind: Latin-1, BMP, astral,
    full-width digits (their mask is ASCII in place of non-ASCII)."""
    rnd = random.Random(seed)
    pii = ["13812345678", "138 1234 5678", "zhang@example.com", "c00079@example.com", "a@b.cn", "王@例子.中国",
           "１３８１２３４５６７８", "6222 0212 3456 7894", "110105199001011232", "+44 20 7946 0958", "护照EA1234567",
           "tel 1 3 8 1 2 3 4 5 6 7 8", "电话17665423158。", "x@y.com@z.com"]
    text = ["", " ", "客户", "é", "ÿ", "café", "𝔘", "😀", "，", "。", "回访正常,无新需求。", "ok ", "Ā", "\u00a0", "\u200b",
            "24小时", "c00079", "x" * 9]
    out = []
    for _ in range(count):
        parts = [rnd.choice(text) for _ in range(rnd.randint(0, 6))]
        for _ in range(rnd.randint(0, 3)):
            parts.insert(rnd.randint(0, len(parts)), rnd.choice(pii))
        out.append("".join(parts))
    return out


def test_masked_notes_of_every_str_kind_are_the_wrappers_strings():
    texts = notes(11, 6000)
    # each kind of str, with the mask at its start, middle and end, longer and shorter
    for around in ("", "é", "客", "😀", "éé客😀"):
        for pii in ("13812345678", "zhang@example.com", "c00079@example.com", "１３８１２３４５６７８", "a@b.cn"):
            texts += [around + pii, pii + around, around + pii + around, around + pii + " " + pii + around]
    check_same(followup.Redactor(), followup.Redactor(), texts)


def test_caller_patterns_that_write_other_scripts_are_the_wrappers_strings():
    """Replacements of other lengths and scripts (ASCII for Chinese, Chinese
    for ASCII, astral for Latin-1): where the runs of non-ASCII bytes differ
    the result is decoded; where only ASCII changed it is built."""
    yaml = ("redaction:\n"
            "  extra:\n"
            "    tag: {regex: 'VIP', replacement: '贵宾'}\n"
            "    name: {regex: '张三', replacement: 'XX'}\n"
            "    smile: {regex: 'é+', replacement: '😀'}\n"
            "    code: {regex: 'K[0-9]+', replacement: 'K'}\n")
    pol = followup.policy_load_string(yaml)
    texts = ["VIP", "张三", "é", "客户VIP张三 13812345678", "caféé K123 😀", "K1客K22é", "é" * 50 + "K9" + "客" * 30]
    texts += ["".join(random.Random(i).choice(["VIP", "张三", "é", "K7", "客", "😀", " ", "13812345678", "ab"])
                      for _ in range(8)) for i in range(2000)]
    check_same(followup.redactor_from_policy(pol), followup.redactor_from_policy(pol), texts)


def test_an_unchanged_note_is_the_same_object_and_a_masked_one_is_new():
    red = followup.Redactor()
    for s in ("回访正常,无新需求。" + "é" * random.randint(0, 3), "Routine check 😀", "c00079 example"):
        assert red.apply(s) is s
    s = "客户邮箱c00079@example.com。"
    got = red.apply(s)
    assert got == "客户邮箱c***@example.com。" and got is not s
