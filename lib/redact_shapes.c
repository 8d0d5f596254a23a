/* The shapes of personal data both the redactor and the error texts read
 * (redact_shapes.h). */
#include "redact_shapes.h"

#define K(s, kind, readers) {s, sizeof s - 1, kind, readers}
#define B FU__KW_BOTH

const fu__keyword fu__keywords[] = {
    /* a phone number */
    K("手机", FU__KW_PHONE, B), K("手机号", FU__KW_PHONE, B), K("手机号码", FU__KW_PHONE, B),
    K("电话", FU__KW_PHONE, B), K("电话号码", FU__KW_PHONE, B), K("联系方式", FU__KW_PHONE, B),
    K("号码", FU__KW_PHONE, B), K("手機", FU__KW_PHONE, B), K("電話", FU__KW_PHONE, B), K("號碼", FU__KW_PHONE, B),
    K("tel", FU__KW_PHONE, B), K("tel.", FU__KW_PHONE, B), K("phone", FU__KW_PHONE, B),
    K("mobile", FU__KW_PHONE, B), K("cell", FU__KW_PHONE, B),
    K("聯繫方式", FU__KW_PHONE, FU__KW_REDACT), K("phone no.", FU__KW_PHONE, FU__KW_REDACT),
    K("phone number", FU__KW_PHONE, FU__KW_REDACT),
    /* a resident ID */
    K("身份证号码", FU__KW_ID, B), K("身份证号", FU__KW_ID, B), K("身份证", FU__KW_ID, B), K("证件号码", FU__KW_ID, B),
    K("证件号", FU__KW_ID, B), K("id no.", FU__KW_ID, B), K("id no", FU__KW_ID, B), K("id number", FU__KW_ID, B),
    K("id card", FU__KW_ID, B), K("id card no.", FU__KW_ID, FU__KW_REDACT),
    /* an account or card */
    K("账号", FU__KW_ACCOUNT, B), K("账户", FU__KW_ACCOUNT, B), K("帐号", FU__KW_ACCOUNT, B),
    K("帐户", FU__KW_ACCOUNT, B), K("卡号", FU__KW_ACCOUNT, B), K("银行卡", FU__KW_ACCOUNT, B),
    K("account no.", FU__KW_ACCOUNT, B), K("account no", FU__KW_ACCOUNT, B), K("account number", FU__KW_ACCOUNT, B),
    K("account", FU__KW_ACCOUNT, B), K("acct", FU__KW_ACCOUNT, B), K("a/c", FU__KW_ACCOUNT, B),
    K("iban", FU__KW_ACCOUNT, B), K("acct.", FU__KW_ACCOUNT, FU__KW_REDACT),
    /* a travel permit or a passport */
    K("通行证", FU__KW_PERMIT, B), K("通行证号", FU__KW_PERMIT, B), K("通行证号码", FU__KW_PERMIT, B),
    K("通行證", FU__KW_PERMIT, B), K("通行證號", FU__KW_PERMIT, B), K("通行證號碼", FU__KW_PERMIT, B),
    K("回乡证", FU__KW_PERMIT, B), K("回乡证号", FU__KW_PERMIT, B), K("回乡证号码", FU__KW_PERMIT, B),
    K("回鄉證", FU__KW_PERMIT, B), K("回鄉證號", FU__KW_PERMIT, B), K("回鄉證號碼", FU__KW_PERMIT, B),
    K("护照", FU__KW_PERMIT, B), K("护照号", FU__KW_PERMIT, B), K("护照号码", FU__KW_PERMIT, B),
    K("護照", FU__KW_PERMIT, B), K("護照號", FU__KW_PERMIT, B), K("護照號碼", FU__KW_PERMIT, B),
    K("permit", FU__KW_PERMIT, B), K("permit no.", FU__KW_PERMIT, B), K("permit no", FU__KW_PERMIT, B),
    K("permit number", FU__KW_PERMIT, B), K("passport", FU__KW_PERMIT, B), K("passport no.", FU__KW_PERMIT, B),
    K("passport no", FU__KW_PERMIT, B), K("passport number", FU__KW_PERMIT, B),
    /* an order, an invoice, a parcel */
    K("订单号", FU__KW_ORDER, B), K("订单", FU__KW_ORDER, B), K("单号", FU__KW_ORDER, B), K("运单", FU__KW_ORDER, B),
    K("快递", FU__KW_ORDER, B), K("物流", FU__KW_ORDER, B), K("发票", FU__KW_ORDER, B), K("流水号", FU__KW_ORDER, B),
    K("编号", FU__KW_ORDER, B), K("order no.", FU__KW_ORDER, B), K("order no", FU__KW_ORDER, B),
    K("order", FU__KW_ORDER, B), K("tracking", FU__KW_ORDER, B), K("invoice", FU__KW_ORDER, B),
    K("sku", FU__KW_ORDER, B),
    K("订单号码", FU__KW_ORDER, FU__KW_ERRTEXT), K("单号码", FU__KW_ORDER, FU__KW_ERRTEXT),
    K("编号码", FU__KW_ORDER, FU__KW_ERRTEXT),
};
const size_t fu__n_keywords = sizeof fu__keywords / sizeof fu__keywords[0];

#undef B
#undef K

static int two(const char *d) { return (d[0] - '0') * 10 + (d[1] - '0'); }

int fu__shape_province_ok(const char *d) {
    int p = two(d);
    return (p >= 11 && p <= 15) || (p >= 21 && p <= 23) || (p >= 31 && p <= 37) || (p >= 41 && p <= 46) ||
           (p >= 50 && p <= 54) || (p >= 61 && p <= 65) || p == 71 || (p >= 81 && p <= 83);
}

int fu__shape_century_ok(const char *d) { return two(d) >= 18 && two(d) <= 20; }
