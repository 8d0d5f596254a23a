#!/usr/bin/python3
"""Write corpus.tsv: labelled variants of personal data as people type them,
and look-alikes that must stay (order numbers, amounts, dates, times).

Every number is synthetic (generated here; ID check characters, Luhn sums
and card prefixes computed), so the file holds no real person's data.
Columns, tab-separated: expect (mask | keep), kind, text, secret. `text` and
`secret` use the escapes \\n, \\r, \\t and \\\\; a `mask` line is caught when
the masked text no longer contains `secret`; a `keep` line must come back
unchanged. Run: python3 make_corpus.py > corpus.tsv (deterministic)."""
import random

rng = random.Random(13)
FW = {c: chr(ord(c) + 0xFEE0) for c in "0123456789@+-.()ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"}
SPACES = [" ", "  ", "\u3000", "\u00a0", "\u2009", "\u202f", "\t"]
DASHES = ["-", "\u2014", "\u2013", "\u2212", "\u2010", "\uff0d", "\ufe63", "\u30fc"]
DOTS = [".", "\u00b7", "\u30fb", "\uff0e"]
BREAKS = ["\n", "\r\n", "\u2028"]
ZW = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]
ZH = ["客户说{}，请回电", "联系方式：{}。", "备注 {} 已核实", "电话{}无人接听", "{}", "麻烦打{}找王先生",
      "Please call {} tomorrow.", "new contact: {} (home)", "客户留了{}\n下次回访"]
rows = []


def fw(s):
    return "".join(FW.get(c, c) for c in s)


def add(expect, kind, text, secret):
    rows.append((expect, kind, text, secret))


def sep_variants():
    return [" "] + SPACES + DASHES + DOTS + BREAKS + [" - ", "\u3000\u3000"]


def mobile():
    return "1" + rng.choice("3456789") + "".join(rng.choice("0123456789") for _ in range(9))


# ---------------------------------------------------------------- mobile
for sep in sep_variants():
    m = mobile()
    s = m[:3] + sep + m[3:7] + sep + m[7:]
    add("mask", "mobile", rng.choice(ZH).format(s), s)
for _ in range(12):
    m = mobile()
    add("mask", "mobile", rng.choice(ZH).format(m), m)
for _ in range(6):
    m = mobile()
    s = fw(m)
    add("mask", "mobile", rng.choice(ZH).format(s), s)
    s = fw(m[:3]) + "\u3000" + fw(m[3:7]) + "\u3000" + fw(m[7:])
    add("mask", "mobile", rng.choice(ZH).format(s), s)
for z in ZW:
    m = mobile()
    s = m[:5] + z + m[5:]
    add("mask", "mobile", rng.choice(ZH).format(s), s)
for tpl in ["手机号:{}", "tel:{}", "Mobile{}", "王{}先生", "({})", "[{}]"]:
    m = mobile()
    add("mask", "mobile", tpl.format(m), m)

# ---------------------------------------------------------------- +86 / E.164
for pre in ["+86", "+86 ", "+86-", "0086", "0086 ", "86", "(+86)", "(+86) ", "+８６ ", "＋86 ", "（+86）"]:
    m = mobile()
    s = pre + m[:3] + " " + m[3:7] + " " + m[7:]
    add("mask", "plus86", rng.choice(ZH).format(s), m[3:7])
    add("mask", "plus86", rng.choice(ZH).format(pre + m), m[3:7])
for s in ["+44 20 7946 0958", "+1 415 555 0132", "+852 9123 4567", "+81 3-1234-5678", "+49 30 12345678",
          "+33 1 23 45 67 89", "+61 2 9876 5432", "+65 6123 4567", "+86 10 6234 5678", "+86 755 8888 8888",
          "+８５２ ９１２３ ４５６７", "+1\u2009212\u2009555\u20090199"]:
    add("mask", "e164", "Call {} please".format(s), s)

# ---------------------------------------------------------------- landline
AREAS = ["010", "020", "021", "022", "023", "024", "025", "027", "028", "029", "0755", "0571", "0512", "0731", "0898"]


def landline():
    a = rng.choice(AREAS)
    n = rng.choice("2345678") + "".join(rng.choice("0123456789") for _ in range(7 if len(a) == 3 else rng.choice([6, 7])))
    return a, n


for fmt in ["{a}-{n}", "({a}){n}", "({a}) {n}", "{a} {n1} {n2}", "{a}{n}", "{a}-{n1}-{n2}", "{a}.{n1}.{n2}",
            "{a}\u3000{n}", "{a}\u2014{n}", "（{a}）{n}", "{a}  {n1}  {n2}", "{a}\n{n}"]:
    for _ in range(3):
        a, n = landline()
        s = fmt.format(a=a, n=n, n1=n[:-4], n2=n[-4:])
        add("mask", "landline", rng.choice(["座机{}", "办公室电话 {}", "office: {}", "{} 转 8021"]).format(s),
            n[-8:-4] if len(n) >= 8 else n[:3])
for _ in range(3):
    a, n = landline()
    s = fw(a + "-" + n)
    add("mask", "landline", "座机" + s, fw(n[:3]))

# ---------------------------------------------------------------- ID numbers
W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
PROVINCES = ["110105", "310115", "440306", "330106", "510107", "420111", "320102", "370202", "610113", "650102",
             "210203", "130102", "450103", "530102", "820000", "710000", "810000"]


def birth(century=True):
    y = rng.randint(1940, 2008)
    m = rng.randint(1, 12)
    d = rng.randint(1, 28)
    return ("%04d%02d%02d" % (y, m, d)) if century else ("%02d%02d%02d" % (y % 100, m, d))


def id18():
    b = rng.choice(PROVINCES) + birth() + "%03d" % rng.randint(0, 999)
    return b + "10X98765432"[sum(int(x) * w for x, w in zip(b, W)) % 11]


ids = []
while len([i for i in ids if i.endswith("X")]) < 4 or len(ids) < 30:
    ids.append(id18())
for i, v in enumerate(ids):
    tpl = rng.choice(["身份证号{}", "身份证：{}", "ID {} verified", "证件号码 {}。", "{}"])
    if i % 5 == 1:
        v2 = v[:6] + " " + v[6:14] + " " + v[14:]
    elif i % 5 == 2:
        v2 = fw(v)
    elif i % 5 == 3:
        v2 = v[:6] + "\u3000" + v[6:14] + "\u3000" + v[14:]
    elif i % 5 == 4 and v.endswith("X"):
        v2 = v[:-1] + "x"
    else:
        v2 = v
    add("mask", "id18", tpl.format(v2), v2)
for i in range(26):
    v = rng.choice(PROVINCES) + birth(False) + "%03d" % rng.randint(0, 999)
    v2 = v if i % 3 else (v[:6] + " " + v[6:12] + " " + v[12:])
    if i % 7 == 5:
        v2 = fw(v)
    add("mask", "id15", rng.choice(["老身份证{}", "身份证号码：{}", "ID(old) {}", "{}"]).format(v2), v2)

# ---------------------------------------------------------------- cards


def luhn_complete(prefix, length):
    body = prefix + "".join(rng.choice("0123456789") for _ in range(length - len(prefix) - 1))
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return body + str((10 - total % 10) % 10)


CARD_PREFIXES = [("6222", 16), ("6228", 19), ("6217", 19), ("6225", 16), ("4367", 16), ("4111", 16),
                 ("5500", 16), ("5187", 16), ("2221", 16), ("3782", 15), ("3530", 16), ("6011", 16), ("9558", 19)]
for i in range(44):
    p, n = CARD_PREFIXES[i % len(CARD_PREFIXES)]
    c = luhn_complete(p, n)
    style = i % 6
    if n == 15:
        s = c[:4] + " " + c[4:10] + " " + c[10:]
    elif style == 0:
        s = c
    elif style == 1:
        s = " ".join(c[k:k + 4] for k in range(0, n, 4))
    elif style == 2:
        s = "  ".join(c[k:k + 4] for k in range(0, n, 4))
    elif style == 3:
        s = "-".join(c[k:k + 4] for k in range(0, n, 4))
    elif style == 4:
        s = fw(c)
    else:
        s = "\u3000".join(c[k:k + 4] for k in range(0, n, 4))
    add("mask", "card", rng.choice(["卡号{}", "退款到卡 {} 请确认", "card {} expired", "银行卡：{}", "{}"]).format(s),
        s[5:12] if style != 4 else s[4:10])

# ---------------------------------------------------------------- e-mail
EMAILS = ["zhang.san@example.com", "li_si+orders@mail.example.cn", "w.wu@sub.example.co.uk", "a@b.io",
          "service-2026@example-shop.com", "张三@例子.中国", "用户@example.com", "josé.müller@exämple.de",
          "ivan@пример.рф", "王小明@qq.com", "yamada@例え.jp", "小李.2026@163.com", "kim@회사.한국"]
for e in EMAILS:
    for tpl in ["邮箱{}", "email: {}", "请发到 {} 谢谢", "contact <{}>", "{}"]:
        add("mask", "email", tpl.format(e), e)
for e in ["zhang@example.com", "li.si@qq.com"]:
    add("mask", "email", "邮箱" + e.replace("@", "＠"), e.replace("@", "＠"))
    add("mask", "email", "邮箱" + fw(e), fw(e))

# ---------------------------------------------------------------- bank accounts
for i in range(24):
    digits = "".join(rng.choice("0123456789") for _ in range(rng.choice([12, 14, 17, 19, 21, 23])))
    digits = "1" + digits[1:]  # no card network starts with 1: only the keyword finds it
    s = digits if i % 3 else " ".join(digits[k:k + 4] for k in range(0, len(digits), 4))
    tpl = ["账号：{}", "对公账户 {}", "收款账户:{}", "account no. {}", "Acct {}", "A/C {}", "帐号是{}", "银行卡 {}"][i % 8]
    add("mask", "account", tpl.format(s), s)

# ---------------------------------------------------------------- passports
for i in range(18):
    d = "".join(rng.choice("0123456789") for _ in range(8))
    v = ["E" + d, "E" + rng.choice("ABCDFGHJKLMN") + d[:7], "G" + d, "H" + d, "M" + d, "H" + d + "12"][i % 6]
    add("mask", "passport", rng.choice(["护照号{}", "passport {}", "护照：{}", "港澳通行证 {}"]).format(v), v[1:])

# ------------------------------------------- foreign phones, free groupings
# (a second generator, so that the rows above stay as they were)
rng2 = random.Random(26)


def digits(n, first="0123456789"):
    return rng2.choice(first) + "".join(rng2.choice("0123456789") for _ in range(n - 1))


for i in range(24):
    a, b, c = digits(3, "23456789"), digits(3, "23456789"), digits(4)
    fmt = ["({a}) {b}-{c}", "{a}-{b}-{c}", "{a}.{b}.{c}", "1-{a}-{b}-{c}", "+1 ({a}) {b}-{c}", "(+1) {a} {b} {c}",
           "001 {a} {b} {c}", "+1 {a} {b} {c}"][i % 8]
    add("mask", "phone_intl", rng2.choice(["call {} after 5pm", "US office {}", "客户美国电话{}", "{}"]).format(
        fmt.format(a=a, b=b, c=c)), b)
for i in range(16):
    n1, n2 = digits(4, "23456789"), digits(4)
    v = ["+44 (0)20 {} {}", "0044 20 {} {}", "+49 (0)30 {}{}", "+86 (21) {} {}", "0086-21-{}{}", "86-10-{}{}",
         "+33 (0)1 {} {}", "+61 (02) {} {}"][i % 8].format(n1, n2)
    add("mask", "phone_intl", rng2.choice(["电话 {}", "tel {}", "{} (office)", "{}"]).format(v), n1)
for i in range(6):
    v = "07" + digits(3) + " " + digits(6)
    add("mask", "phone_intl", rng2.choice(["UK mobile {}", "客户英国手机 {}"]).format(v), v[6:9])
for i in range(12):
    p, n = [("6222", 16), ("4111", 16), ("6228", 19), ("5187", 16)][i % 4]
    c = luhn_complete(p, n)
    cut = [4, 8, 6, 8][i % 4]
    s2 = c[:cut] + " " + c[cut:]
    add("mask", "card", rng2.choice(["卡号{}", "card {}", "{}"]).format(s2), c[cut:cut + 6])
for i in range(10):
    v = id18()
    v2 = " ".join(v[k:k + 4] for k in range(0, 18, 4)) if i % 2 else v[:6] + " " + " ".join(
        v[k:k + 4] for k in range(6, 18, 4))
    add("mask", "id18", rng2.choice(["身份证{}", "ID {}", "{}"]).format(v2), v[8:14])
for i in range(8):
    v = id18()
    bad = v[:17] + ("0" if v[17] != "0" else "1") if i % 2 else v[:10] + v[11:]
    add("mask", "id_typo", ["身份证号{}", "身份证：{}", "证件号码 {}", "ID no. {}"][i % 4].format(bad), bad[6:12])

# ---------------------------------------------------------------- negatives
NEG = [
    "订单号 20261123000123456", "订单号：2026112310301234", "order #A1234567", "Order 20261123-0042",
    "快递单号 SF1234567890123", "运单号YT2026112312345", "订单 6123456789012347 已发货", "单号 4123456789012",
    "发票编号 044031900111 12345678", "物流单号 JD0012345678901", "流水号 2026112300000001", "工单 2026-11-23-0007",
    "金额 13,800.00 元", "¥1,280.00", "共计 123456.78 元", "$ 2,599.99", "退款 ¥ 6,222.00", "余额 15800.00",
    "价格 13888 元", "1,380,012.50 元", "合计13800元", "¥ 1 380 000", "€1.234.567,89",
    "2026-11-23", "2026/11/23", "2026.11.23", "2026年11月23日", "20261123", "23.11.2026", "11/23/2026",
    "2026-11-23 10:30", "2026-11-23T10:30:00+08:00", "10:30", "10:30:45", "9:00-18:00", "14：30", "10:30-18:00",
    "周一至周五 09:00-12:00, 13:30-18:00", "2026-11-23 10:30:00.123", "下午3点半", "1767225600", "1767225600000",
    "NPS 9", "满意度 95%", "v13.1.2", "版本 10.0.19045", "IP 192.168.1.100", "端口 8080", "工号 1381",
    "SKU 12345678", "型号 KFR-35GW/NhGa1BAj", "尺寸 1380×800×450mm", "重量 12.5kg", "3个工作日内解决",
    "24小时内回复", "第2026112号文件", "房间 1308", "楼层 13-18 层", "分机 8021", "邮编 100101",
    "提货码 8812 3456", "验证码 123456", "座位 13排8号", "客户编号 C000138", "批次 2026-11-0042",
    "保修 36 个月", "2 x 138 = 276", "1.38 元/件", "数量 1 234 件", "第 13812 号", "比分 13:8",
    "订单号 62220212345678901", "订单编号：4111111111111111", "tracking 1Z999AA10123456784",
    "合同号 HT-2026-1123-001", "车牌 京A12345", "航班 CA1831", "高铁 G1234 次", "会议号 123 456 789",
    "电话会议 ID 9876 5432 10", "E12345", "G1234", "H123", "e-mail sent", "user at example dot com",
    "@张三 请跟进", "邮箱未提供", "a@b", "name@localhost", "2026-11-23 至 2026-11-30",
    "时间段 2026.11.23-2026.11.30", "13:00-14:00 午休", "温度 -13.8℃", "坐标 39.9042,116.4074",
    "ISBN 978-7-111-12345-6", "编号 0001-0002-0003", "订单号 1381234567890123", "期号 20261123001",
    "第1期 13800 元 第2期 13800 元", "13 8 12 34 56 78", "2026 11 23 10 30", "电话费 138 元",
    "分 3 期，每期 1234.56 元", "年化 3.85%", "1/3/5/7/9", "0.5 1.0 1.5 2.0",
    "SF0012345678901", "Order 415-555-0134", "订单号 4111 111111111111", "编号 1101 0519 9003",
    "单号 622202 1234567894", "合计 2026 1123 1030 元", "快递 JD0086 1065529988",
]
for t in NEG:
    add("keep", "negative", t, "")
# look-alikes inside ordinary notes
for t in NEG[:40]:
    add("keep", "negative", "回访记录：" + t + "，客户满意。", "")

# ------------------------------- numbers read out in Chinese numerals, permits
# (a third generator, so that the rows above stay as they were). The cjk_
# kinds are masked with FU_REDACT_CJK_NUMERALS only; every other row must give
# the same result with and without it.
rng3 = random.Random(39)
CN = {"0": ["〇", "零", "○"], "1": ["一", "幺"], "2": ["二", "二", "两"], "3": ["三"], "4": ["四"], "5": ["五"],
      "6": ["六"], "7": ["七"], "8": ["八"], "9": ["九"]}


def cn(digs, mix=0.0):
    out = []
    for ch in digs:
        r = rng3.random()
        out.append(ch if r < mix / 2 else FW[ch] if r < mix else rng3.choice(CN[ch]))
    return "".join(out)


VOICE = ["客户说电话是{}，请回电", "语音转写：我的手机{}", "联系方式{}。", "备注 {} 已核实", "{}", "麻烦打{}找王先生",
         "他说号码是{}对吧", "new contact: {} (voice)"]
for i in range(36):
    m = "1" + rng3.choice("3456789") + "".join(rng3.choice("0123456789") for _ in range(9))
    mix = [0.0, 0.0, 0.3, 0.6][i % 4]
    while True:  # at least two numerals: fewer is a number in digits
        a, b, c = cn(m[:3], mix), cn(m[3:7], mix), cn(m[7:], mix)
        if sum(ch not in "0123456789" and ch not in FW.values() for ch in a + b + c) >= 2:
            break
    sep = ["", " ", "-", "\u3000", " - ", "\uff0d", "  ", ""][i % 8]
    if i % 9 == 8:  # read out one digit at a time
        s = " ".join(cn(d) for d in m)
        add("mask", "cjk_mobile", rng3.choice(VOICE).format(s), " ".join(s.split(" ")[3:7]))
        continue
    add("mask", "cjk_mobile", rng3.choice(VOICE).format(a + sep + b + sep + c), b)
for i in range(8):
    a = rng3.choice(["010", "021", "020", "0755", "0571"])
    n = rng3.choice("2345678") + "".join(rng3.choice("0123456789") for _ in range(7))
    s = cn(a) + rng3.choice(["", " ", "-"]) + cn(n)
    add("mask", "cjk_landline", rng3.choice(["座机{}", "办公室电话是{}", "{}"]).format(s), s[-8:-4])
PERMIT_KW = ["港澳通行证 ", "往来港澳通行证号：", "通行证号", "通行证号码 ", "回乡证 ", "回鄉證號 ", "permit no. ",
             "Travel permit ", "港澳通行證 ", "回乡证号码："]
for i in range(20):
    d = "".join(rng3.choice("0123456789") for _ in range(8))
    v = ["C" + d, "C" + d, "H" + d, "M" + d, "H" + d + rng3.choice("0123456789") * 2][i % 5]
    add("mask", "permit", PERMIT_KW[i % len(PERMIT_KW)] + v + rng3.choice(["", "，已核验", " verified"]), v[1:])
NEG3 = [
    "客户编号 C12345678", "客户 C00012345 已回访", "会员号 H12345678", "M1234567890", "C87654321",
    "customer C12345678 called", "工单 H20261123", "member M00012345", "账单 C12345678 已结清",
    "港澳通行证 C123456789", "回乡证 H1234567", "C1234567890",
    "一万三千八百元", "金额壹万叁仟捌佰元整", "二〇二六年十二月七日", "二零二六年十二月七日", "一九九八年到二〇〇一年",
    "订单共三件，合计一千二百元", "一二三四五六七八九十", "第一百三十八号", "三八二一件", "零零七", "幺幺〇",
    "一三八一二三四", "一三八一二三四五六七八九", "第一号 一二三", "三月八日下午三点",
    "十三点八分", "一天三次，一次两片", "五六七八个", "打了三四五次", "一二三四五六七",
]
for t in NEG3:
    add("keep", "negative", t, "")
for t in NEG3[12:]:
    add("keep", "negative", "回访记录：" + t + "，客户满意。", "")
# permits and passports typed in lower case after their keyword (as IDs take
# x and X); without the keyword they look like customer ids and stay
rng4 = random.Random(41)
LOWER_KW = ["通行证: ", "通行证：", "港澳通行证 ", "往来港澳通行证号：", "通行证号码 ", "回乡证 ", "permit no. ",
            "护照号 ", "passport "]
for i in range(18):
    d = "".join(rng4.choice("0123456789") for _ in range(8))
    kw = LOWER_KW[i % len(LOWER_KW)]
    if kw in ("护照号 ", "passport "):
        v = rng4.choice("eg") + d
    else:
        v = ["c" + d, "h" + d, "m" + d, "h" + d + rng4.choice("0123456789") * 2][i % 4]
    add("mask", "permit_lower", kw + v + rng4.choice(["", "，已核验", " verified"]), v[1:])
NEG4 = ["客户编号 c12345678", "会员号 h12345678", "m1234567890", "c87654321", "customer c12345678 called",
        "工单 h20261123", "member m00012345", "港澳通行证 c123456789", "回乡证 h1234567", "e12345678 型号",
        "批次 g12345678", "abc12345678", "通行证: xc12345678"]
for t in NEG4:
    add("keep", "negative", t, "")

# numbers typed digit by digit or in other groupings after a phone, ID or
# card keyword (as heard on a call; review s8 F3); the secret is a middle
# part that the mask hides
rng5 = random.Random(53)


def regroup(v, how):
    if how == 0:
        return " ".join(v)
    if how == 1:
        return "-".join(v)
    out, i = [], 0
    while i < len(v):
        k = rng5.choice([1, 2, 2, 3, 4]) if how == 2 else 2
        out.append(v[i:i + k])
        i += k
    return rng5.choice([" ", "-"]).join(out)


PHONE_KW = ["手机 ", "手机：", "电话", "联系电话 ", "联系方式：", "手机号码是", "tel ", "Phone: ", "mobile "]
for i in range(27):
    v = "1" + rng5.choice("3456789") + "".join(rng5.choice("0123456789") for _ in range(9))
    g = regroup(v, i % 4)
    t = PHONE_KW[i % len(PHONE_KW)] + (fw(g) if i % 9 == 4 else g) + rng5.choice(["", "，请回电", " thanks"])
    add("mask", "spaced_mobile", t, fw(g[6:12]) if i % 9 == 4 else g[6:12])
ID_KW = ["身份证 ", "身份证号：", "证件号码 ", "ID no. "]
for i in range(12):
    g = regroup(id18(), i % 4)
    add("mask", "spaced_id", ID_KW[i % len(ID_KW)] + g + rng5.choice(["", "，已核验"]), g[8:20])
CARD_KW = ["卡号 ", "卡号：", "银行卡 ", "account no. "]
for i in range(12):
    g = regroup(luhn_complete(rng5.choice(["6222", "6217", "4", "53"]), rng5.choice([16, 16, 19])), i % 4)
    add("mask", "spaced_card", CARD_KW[i % len(CARD_KW)] + g + rng5.choice(["", "，已核验"]), g[10:18])
NEG5 = ["1 3 8 1 2 3 4 5 6 7 8", "编号 1 3 8 1 2 3 4 5 6 7 8", "订单 1 3 8 1 2 3 4 5 6 7 8",
        "手机 1 2 3 4 5 6 7 8 9 0 1", "电话 1 3 8 1 2 3 4", "评分 5 4 5 5 4 3 5 4 5 5 4 5 5",
        "步骤 1-2-3-4-5-6-7-8-9-10-11", "快递 13 81 23 45 678", "卡号 6 2 2 2 0 2 1 2 3 4",
        "名单 13-81-23-45-67-8", "tel 1.3.8.1.2.3.4.5.6.7.8"]
for t in NEG5:
    add("keep", "negative", t, "")


def esc(s):
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\r", "\\r").replace("\n", "\\n")


print("# expect\tkind\ttext\tsecret  (generated by make_corpus.py; synthetic data, CC0)")
for e, k, t, s in rows:
    print("\t".join([e, k, esc(t), esc(s)]))
