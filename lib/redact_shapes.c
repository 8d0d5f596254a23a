/* The shapes of personal data both the redactor and the error texts read
 * (redact_shapes.h). */
#include "redact_shapes.h"

#include <string.h>

#define K(s, kind) {s, sizeof s - 1, kind}

const fu__keyword fu__keywords[] = {
    /* a phone number */
    K("手机", FU__KW_PHONE), K("手机号", FU__KW_PHONE), K("手机号码", FU__KW_PHONE),
    K("电话", FU__KW_PHONE), K("电话号码", FU__KW_PHONE), K("联系方式", FU__KW_PHONE),
    K("号码", FU__KW_PHONE), K("手機", FU__KW_PHONE), K("電話", FU__KW_PHONE), K("號碼", FU__KW_PHONE),
    K("tel", FU__KW_PHONE), K("tel.", FU__KW_PHONE), K("phone", FU__KW_PHONE),
    K("mobile", FU__KW_PHONE), K("cell", FU__KW_PHONE),
    K("聯繫方式", FU__KW_PHONE), K("phone no.", FU__KW_PHONE),
    K("phone number", FU__KW_PHONE),
    /* a resident ID */
    K("身份证号码", FU__KW_ID), K("身份证号", FU__KW_ID), K("身份证", FU__KW_ID), K("证件号码", FU__KW_ID),
    K("证件号", FU__KW_ID), K("id no.", FU__KW_ID), K("id no", FU__KW_ID), K("id number", FU__KW_ID),
    K("id card", FU__KW_ID), K("id card no.", FU__KW_ID),
    /* an account or card */
    K("账号", FU__KW_ACCOUNT), K("账户", FU__KW_ACCOUNT), K("帐号", FU__KW_ACCOUNT),
    K("帐户", FU__KW_ACCOUNT), K("卡号", FU__KW_ACCOUNT), K("银行卡", FU__KW_ACCOUNT),
    K("account no.", FU__KW_ACCOUNT), K("account no", FU__KW_ACCOUNT), K("account number", FU__KW_ACCOUNT),
    K("account", FU__KW_ACCOUNT), K("acct", FU__KW_ACCOUNT), K("a/c", FU__KW_ACCOUNT),
    K("iban", FU__KW_ACCOUNT), K("acct.", FU__KW_ACCOUNT),
    /* a travel permit or a passport */
    K("通行证", FU__KW_PERMIT), K("通行证号", FU__KW_PERMIT), K("通行证号码", FU__KW_PERMIT),
    K("通行證", FU__KW_PERMIT), K("通行證號", FU__KW_PERMIT), K("通行證號碼", FU__KW_PERMIT),
    K("回乡证", FU__KW_PERMIT), K("回乡证号", FU__KW_PERMIT), K("回乡证号码", FU__KW_PERMIT),
    K("回鄉證", FU__KW_PERMIT), K("回鄉證號", FU__KW_PERMIT), K("回鄉證號碼", FU__KW_PERMIT),
    K("护照", FU__KW_PERMIT), K("护照号", FU__KW_PERMIT), K("护照号码", FU__KW_PERMIT),
    K("護照", FU__KW_PERMIT), K("護照號", FU__KW_PERMIT), K("護照號碼", FU__KW_PERMIT),
    K("permit", FU__KW_PERMIT), K("permit no.", FU__KW_PERMIT), K("permit no", FU__KW_PERMIT),
    K("permit number", FU__KW_PERMIT), K("passport", FU__KW_PERMIT), K("passport no.", FU__KW_PERMIT),
    K("passport no", FU__KW_PERMIT), K("passport number", FU__KW_PERMIT),
    /* an order, an invoice, a parcel */
    K("订单号", FU__KW_ORDER), K("订单", FU__KW_ORDER), K("单号", FU__KW_ORDER), K("运单", FU__KW_ORDER),
    K("快递", FU__KW_ORDER), K("物流", FU__KW_ORDER), K("发票", FU__KW_ORDER), K("流水号", FU__KW_ORDER),
    K("编号", FU__KW_ORDER), K("order no.", FU__KW_ORDER), K("order no", FU__KW_ORDER),
    K("order", FU__KW_ORDER), K("tracking", FU__KW_ORDER), K("invoice", FU__KW_ORDER),
    K("sku", FU__KW_ORDER),
    K("订单号码", FU__KW_ORDER), K("单号码", FU__KW_ORDER),
    K("编号码", FU__KW_ORDER),
};
const size_t fu__n_keywords = sizeof fu__keywords / sizeof fu__keywords[0];

#undef K

static int two(const char *d) { return (d[0] - '0') * 10 + (d[1] - '0'); }

int fu__shape_province_ok(const char *d) {
    int p = two(d);
    return (p >= 11 && p <= 15) || (p >= 21 && p <= 23) || (p >= 31 && p <= 37) || (p >= 41 && p <= 46) ||
           (p >= 50 && p <= 54) || (p >= 61 && p <= 65) || p == 71 || (p >= 81 && p <= 83);
}

int fu__shape_century_ok(const char *d) { return two(d) >= 18 && two(d) <= 20; }

/* Whether s[0..end) ends with `k` (ASCII letters caseless; also glued to
 * what stands before it, as the redactor always read it: "Tel", "myTel",
 * "reorder"). */
static int ends_with_keyword(const char *s, size_t end, const fu__keyword *k) {
    if (k->len > end) return 0;
    const char *t = s + end - k->len;
    for (size_t i = k->len; i-- > 0;) { /* from the end: most candidates differ there */
        char c = t[i];
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if (c != k->text[i]) return 0;
    }
    return 1;
}

/* Whether s[0..end) ends with the UTF-8 character c (3 bytes). */
static int ends_with3(const char *s, size_t end, const char *c) { return end >= 3 && !memcmp(s + end - 3, c, 3); }

int fu__keyword_before(const char *s, size_t start) {
    size_t end = start, floor = start > 40 ? start - 40 : 0;
    for (;;) { /* the glue: spaces, ':', '#', '：', 是, 为 (at most 40 bytes) */
        if (end > floor && s[end - 1] && strchr(" \t:#", s[end - 1])) end--;
        else if (end >= floor + 3 && (ends_with3(s, end, "：") || ends_with3(s, end, "是") || ends_with3(s, end, "为")))
            end -= 3;
        else break;
    }
    int kind = FU__KW_NONE;
    size_t best = 0;
    for (size_t i = 0; i < fu__n_keywords; i++) /* the longest names it: 订单号码 an order, not 号码 a phone */
        if (fu__keywords[i].len > best && ends_with_keyword(s, end, &fu__keywords[i]))
            kind = fu__keywords[i].kind, best = fu__keywords[i].len;
    return kind;
}
