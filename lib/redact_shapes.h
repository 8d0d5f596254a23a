/* The shapes of personal data that the redactor (lib/redact.c) and the
 * error texts (lib/errtext.c, "has the shape of personal data") both read,
 * so that they cannot drift apart: the keywords that name the number after
 * them, and the numeric rules of the kinds (lib/redact_shapes.c). Not
 * installed. */
#ifndef FU_REDACT_SHAPES_H
#define FU_REDACT_SHAPES_H

#include <stddef.h>

/* What a keyword before a number names. */
enum {
    FU__KW_NONE,
    FU__KW_PHONE,   /* 手机, 电话, tel, ... */
    FU__KW_ID,      /* 身份证, 证件号, ID no. */
    FU__KW_ACCOUNT, /* 账号, 卡号, account, iban, ... */
    FU__KW_PERMIT,  /* 通行证, 回乡证, 护照, permit, passport */
    FU__KW_ORDER    /* 订单, 单号, 发票, order, invoice, tracking, sku, ... */
};

/* One list, read the same way by both (fu__keyword_before()). */
typedef struct fu__keyword {
    const char *text; /* lower case */
    size_t len;
    int kind;         /* FU__KW_* */
} fu__keyword;

extern const fu__keyword fu__keywords[];
extern const size_t fu__n_keywords;

/* What the keyword ending before s[start] names (FU__KW_*), for the
 * redactor and the error texts alike: spaces, ':', '#', '：', 是 and 为
 * before `start` skipped (at most 40 bytes), then the longest keyword of
 * the table ending there (ASCII letters caseless; an ASCII keyword glued to
 * a letter or digit before it counts too: "myTel", "hotel", "reorder"). */
int fu__keyword_before(const char *s, size_t start);

/* The numeric rules of the kinds (docs/redaction.md, "What is masked"). */
#define FU__SHAPE_MOBILE_DIGITS 11     /* 1[3-9] + 9 */
#define FU__SHAPE_ID_DIGITS 18         /* with the check character */
#define FU__SHAPE_ID_OLD_DIGITS 15     /* the old ID, no check character */
#define FU__SHAPE_CARD_MIN 13          /* a bank card's digits */
#define FU__SHAPE_CARD_MAX 19
#define FU__SHAPE_ACCOUNT_MIN 10       /* a bank account after its keyword */
#define FU__SHAPE_ACCOUNT_MAX 30
#define FU__SHAPE_INTL_MIN 8           /* a number outside China after + */
#define FU__SHAPE_INTL_MAX 17
#define FU__SHAPE_ID_TYPO_MIN 14       /* an ID with a typo after an ID keyword */
#define FU__SHAPE_ID_TYPO_MAX 19
/* Digits a mask keeps in front and at the end. */
#define FU__SHAPE_KEEP_TAIL 4          /* every number kind but the passport */
#define FU__SHAPE_MOBILE_KEEP_HEAD 3   /* after its prefix (86, 0086) */
#define FU__SHAPE_ID_KEEP_HEAD 3
#define FU__SHAPE_CARD_KEEP_HEAD 4     /* cards and bank accounts */
#define FU__SHAPE_INTL_KEEP_HEAD 2
#define FU__SHAPE_PASSPORT_KEEP_TAIL 3 /* its letter(s) kept, no digit in front */

/* Whether the two digits at d are a province code of an ID (11-15, 21-23,
 * 31-37, 41-46, 50-54, 61-65, 71, 81-83: the pattern's PROV). */
int fu__shape_province_ok(const char *d);

/* Whether the two digits at d are the century of an ID's birth date
 * (18-20). */
int fu__shape_century_ok(const char *d);

#endif /* FU_REDACT_SHAPES_H */
